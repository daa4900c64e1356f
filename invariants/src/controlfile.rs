//! INV-CF-1..2: the control-file copies and what they name.

use engine::DbParams;
use engine::controlfile::{CopyState, FileStatus, LogStatus, MemberStatus};
use engine::inspect::{controlfile_copies, log_file, newest_controlfile};
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// INV-CF-1: after an update completed, every surviving copy is identical.
pub fn check_copies_identical<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let mut first: Option<(String, Box<engine::controlfile::ControlFile>)> = None;
    for (path, c) in controlfile_copies(io, p)? {
        match c {
            CopyState::Missing => {}
            CopyState::Corrupt => out.push(Violation::new(
                "INV-CF-1",
                format!("control file '{path}' has no readable version"),
            )),
            CopyState::Valid(cf) => match &first {
                None => first = Some((path, cf)),
                Some((fp, f)) if f != &cf => out.push(Violation::new(
                    "INV-CF-1",
                    format!(
                        "control file '{path}' (version {}) differs from '{fp}' (version {})",
                        cf.version, f.version
                    ),
                )),
                Some(_) => {}
            },
        }
    }
    Ok(out)
}

/// INV-CF-2: the control file agrees with the files it names: online log
/// member headers, archived logs and datafile headers. Files a fault removed
/// are not held against it.
pub fn check_agrees_with_files<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    model: &Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    for g in cf
        .log_groups
        .iter()
        .filter(|g| g.status != LogStatus::Unused)
    {
        for m in g.members.iter().filter(|m| {
            m.status == MemberStatus::Valid
                && !model.lost_files.contains(&m.path)
                && !model.garbled_files.contains(&m.path)
        }) {
            match log_file(io, p, &m.path)? {
                Ok(c) if c.header.seq == g.seq && c.header.thread == g.thread && c.header.incarnation == cf.incarnation && c.header.first_scn == g.first_scn => {}
                Ok(c) => out.push(Violation::new(
                    "INV-CF-2",
                    format!("member '{}' of group {} holds thread {} sequence {} from SCN {}, the control file says thread {} sequence {} from SCN {}", m.path, g.group, c.header.thread, c.header.seq, c.header.first_scn, g.thread, g.seq, g.first_scn),
                )),
                Err(e) => out.push(Violation::new("INV-CF-2", format!("member '{}' of group {} (sequence {}) is unreadable: {e:?}", m.path, g.group, g.seq))),
            }
        }
    }
    for a in cf
        .archived_logs
        .iter()
        .filter(|a| a.incarnation == cf.incarnation && !model.lost_files.contains(&a.name))
    {
        match log_file(io, p, &a.name)? {
            Ok(c) if c.header.seq == a.seq && c.header.thread == a.thread && c.header.first_scn == a.first_scn && c.header.next_scn == a.next_scn => {}
            Ok(c) => out.push(Violation::new("INV-CF-2", format!("archived log '{}' holds sequence {} SCN {}..{}, the control file records sequence {} SCN {}..{}", a.name, c.header.seq, c.header.first_scn, c.header.next_scn, a.seq, a.first_scn, a.next_scn))),
            Err(_) => out.push(Violation::new("INV-CF-2", format!("archived log '{}' (sequence {}) recorded in the control file is not on disk as recorded", a.name, a.seq))),
        }
    }
    // A datafile's header against its record, read at the record's name:
    // online, cleanly offline and read-only files (offline immediate needs
    // media recovery; a lost file is the fault's). The checkpoint must agree
    // once the file was closed cleanly: the whole database shut down, or the
    // file taken offline clean or made read-only (stop SCN set). A file in
    // hot-backup mode has its header SCN frozen at the begin-backup SCN. A
    // file restored from a backup and not recovered since is behind its
    // record by design (`Model::unrecovered`).
    for d in cf.datafiles.iter().filter(|d| {
        matches!(
            d.status,
            FileStatus::Online | FileStatus::Offline | FileStatus::ReadOnly
        ) && !model.lost_files.contains(&d.name)
            && !model.unrecovered.contains(&d.name)
    }) {
        let closed_cleanly =
            d.stop_scn.is_some() && (!cf.thread(1).open || d.status != FileStatus::Online);
        let want_scn = d.backup_scn.unwrap_or(d.ckpt_scn);
        match crate::files::header(io, p, d)? {
            Ok(h)
                if closed_cleanly
                    && (h.ckpt_scn != want_scn || h.ckpt_counter != d.ckpt_counter) =>
            {
                out.push(Violation::new(
                    "INV-CF-2",
                    format!(
                        "datafile {} '{}' was closed cleanly at checkpoint SCN {} counter {} by its header, SCN {} counter {} by the control file",
                        d.file_no, d.name, h.ckpt_scn, h.ckpt_counter, want_scn, d.ckpt_counter
                    ),
                ));
            }
            Ok(h) if h.file_no == d.file_no && h.creation_scn == d.creation_scn => {}
            _ => out.push(Violation::new(
                "INV-CF-2",
                format!(
                    "datafile {} '{}' does not match its control-file record",
                    d.file_no, d.name
                ),
            )),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdb::closed_db;
    use engine::controlfile::{read_copy, write_copy};

    #[test]
    fn healthy_control_files_pass() {
        let (p, mut io) = closed_db();
        assert!(check_copies_identical(&mut io, &p).unwrap().is_empty());
        assert!(
            check_agrees_with_files(&mut io, &p, &Model::new())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_copy_behind_fires_cf_1() {
        let (p, mut io) = closed_db();
        let c = p.control_files[1].clone();
        let CopyState::Valid(mut cf) = read_copy(&mut io, &c).unwrap() else {
            panic!()
        };
        cf.version += 1;
        cf.archivelog = !cf.archivelog;
        write_copy(&mut io, &c, &cf).unwrap();
        assert_eq!(
            check_copies_identical(&mut io, &p).unwrap()[0].id,
            "INV-CF-1"
        );
    }

    #[test]
    fn a_record_naming_the_wrong_file_fires_cf_2() {
        let (p, mut io) = closed_db();
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            crate::testdb::inactive_group(cf).seq += 7
        });
        let v = check_agrees_with_files(&mut io, &p, &Model::new()).unwrap();
        assert!(!v.is_empty() && v[0].id == "INV-CF-2");
        // A lost archived log is explained by its fault.
        let (p, mut io) = closed_db();
        let cf = newest_controlfile(&mut io, &p).unwrap().unwrap();
        let name = cf.archived_logs[0].name.clone();
        io.files.remove(&name);
        assert_eq!(
            check_agrees_with_files(&mut io, &p, &Model::new()).unwrap()[0].id,
            "INV-CF-2"
        );
        let mut m = Model::new();
        m.lost_files.insert(name);
        assert!(check_agrees_with_files(&mut io, &p, &m).unwrap().is_empty());
    }

    #[test]
    fn first_and_next_scns_and_clean_checkpoints_must_agree_cf_2() {
        let (p, mut io) = closed_db();
        assert!(
            check_agrees_with_files(&mut io, &p, &Model::new())
                .unwrap()
                .is_empty()
        );
        // An online log's first SCN.
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            crate::testdb::inactive_group(cf).first_scn += 1
        });
        let v = check_agrees_with_files(&mut io, &p, &Model::new()).unwrap();
        assert!(v.iter().any(|v| v.evidence.contains("from SCN")), "{v:?}");
        // An archived log's next SCN.
        let (p, mut io) = closed_db();
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| cf.archived_logs[0].next_scn += 1);
        let v = check_agrees_with_files(&mut io, &p, &Model::new()).unwrap();
        assert!(
            v.iter()
                .any(|v| v.id == "INV-CF-2"
                    && v.evidence.contains("the control file records sequence")),
            "{v:?}"
        );
        // A cleanly closed datafile's checkpoint counter.
        let (p, mut io) = closed_db();
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| cf.datafiles[2].ckpt_counter += 1);
        let v = check_agrees_with_files(&mut io, &p, &Model::new()).unwrap();
        assert!(
            v.iter()
                .any(|v| v.id == "INV-CF-2" && v.evidence.contains("was closed cleanly")),
            "{v:?}"
        );
    }

    #[test]
    fn datafiles_are_checked_by_status_and_at_their_control_file_name_cf_2() {
        let agree = |io: &mut crate::testdb::MemStorage, p: &DbParams| {
            check_agrees_with_files(io, p, &Model::new()).unwrap()
        };
        // A file the control file names elsewhere is read there.
        let (p, mut io) = closed_db();
        let old = p.datafile(3).unwrap().path.clone();
        let new = "/u03/SIM/users01.dbf".to_string();
        let bytes = io.files.remove(&old).unwrap();
        io.files.insert(new.clone(), bytes);
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().name = new.clone()
        });
        assert!(agree(&mut io, &p).is_empty(), "{:?}", agree(&mut io, &p));
        // Named where nothing is: fires.
        io.files.remove(&new);
        assert_eq!(agree(&mut io, &p)[0].id, "INV-CF-2");
        // An offline-immediate file (needs recovery) is not judged.
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().status = FileStatus::Recover
        });
        assert!(agree(&mut io, &p).is_empty());
        // A cleanly offline file's header must match even while the thread
        // is open.
        let (p, mut io) = closed_db();
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.threads[0].open = true;
            let r = cf.datafile_mut(4).unwrap();
            r.status = FileStatus::Offline;
            r.ckpt_counter += 1;
        });
        let v = agree(&mut io, &p);
        assert!(v.iter().any(|v| v.evidence.contains("datafile 4")), "{v:?}");
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(4).unwrap().ckpt_counter -= 1
        });
        assert!(agree(&mut io, &p).is_empty(), "{:?}", agree(&mut io, &p));
        // Restored from a backup (behind its record) and not recovered yet.
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(4).unwrap().ckpt_counter += 1
        });
        assert!(!agree(&mut io, &p).is_empty());
        let mut m = Model::new();
        m.restored(&p.datafile(4).unwrap().path);
        assert!(check_agrees_with_files(&mut io, &p, &m).unwrap().is_empty());
    }
}
