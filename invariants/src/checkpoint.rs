//! INV-CKPT-1..4: checkpoints in headers, control file and redo.

use std::collections::BTreeMap;

use engine::DbParams;
use engine::cache::Dba;
use engine::controlfile::{ControlFile, DatafileRecord, FileStatus, MemberStatus};
use engine::inspect::{log_file, newest_controlfile};
use engine::redo::LogContents;
use engine::scn::Scn;
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// INV-CKPT-1: in an open database each online datafile's header checkpoint
/// SCN and counter equal its control-file record (`dfs`: the open
/// instance's). A file in hot-backup mode (record `backup_scn`) keeps its
/// header SCN frozen at the begin-backup SCN, with the hot-backup fuzzy bit,
/// while both counters move on together. Files not online are not
/// checkpointed by the instance and are not judged.
pub fn check_matches_controlfile<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for r in dfs.iter().filter(|r| r.status == FileStatus::Online) {
        let Ok(h) = crate::files::header(io, p, r)? else {
            continue;
        };
        match r.backup_scn {
            Some(b) if h.ckpt_scn != b || h.ckpt_counter != r.ckpt_counter || !h.fuzzy.hot_backup => {
                out.push(Violation::new(
                    "INV-CKPT-1",
                    format!(
                        "file {} in hot-backup mode since SCN {b}: header checkpoint SCN {} counter {} (hot-backup fuzzy {}), want SCN {b} (frozen) and the control file's counter {}",
                        r.file_no, h.ckpt_scn, h.ckpt_counter, h.fuzzy.hot_backup, r.ckpt_counter
                    ),
                ))
            }
            Some(_) => {}
            None if h.ckpt_scn != r.ckpt_scn || h.ckpt_counter != r.ckpt_counter => {
                out.push(Violation::new(
                    "INV-CKPT-1",
                    format!(
                        "file {}: header checkpoint SCN {} counter {}, control file SCN {} counter {}",
                        r.file_no, h.ckpt_scn, h.ckpt_counter, r.ckpt_scn, r.ckpt_counter
                    ),
                ))
            }
            None => {}
        }
    }
    Ok(out)
}

/// INV-CKPT-2: a header checkpoint SCN never goes down, except by restoring
/// a backup over the file ([`Model::restored`]): the first header the check
/// reads at a restored path may be lower, and from then on it is the new
/// floor; so is the first header of a file the control file now names at
/// another path (re-created there by CREATE DATAFILE … AS). Records what it
/// saw in the model.
pub fn check_monotonic<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
    model: &mut Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in dfs {
        let Ok(h) = crate::files::header(io, p, f)? else {
            continue;
        };
        if h.ckpt_scn == f.ckpt_scn && h.ckpt_counter == f.ckpt_counter && !h.fuzzy.any() {
            model.unrecovered.remove(&f.name);
        }
        let moved = model
            .header_path
            .insert(f.file_no, f.name.clone())
            .is_some_and(|old| old != f.name);
        if model.restores.remove(&f.name) || moved {
            model.header_ckpt.insert(f.file_no, h.ckpt_scn);
            continue;
        }
        let seen = model.header_ckpt.entry(f.file_no).or_insert(h.ckpt_scn);
        if h.ckpt_scn < *seen {
            out.push(Violation::new(
                "INV-CKPT-2",
                format!(
                    "file {}: header checkpoint SCN went down from {} to {} with no restore of '{}'",
                    f.file_no, *seen, h.ckpt_scn, f.name
                ),
            ));
        }
        *seen = (*seen).max(h.ckpt_scn);
    }
    Ok(out)
}

/// Every readable log of the current incarnation: each online member and
/// each archived log the control file records.
pub fn readable_logs<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    cf: &ControlFile,
) -> IoResult<Vec<(String, LogContents)>> {
    let mut out = Vec::new();
    let mut paths: Vec<String> = cf
        .log_groups
        .iter()
        .flat_map(|g| {
            g.members
                .iter()
                .filter(|m| m.status == MemberStatus::Valid)
                .map(|m| m.path.clone())
        })
        .collect();
    paths.extend(cf.archived_logs.iter().map(|a| a.name.clone()));
    for path in paths {
        if let Ok(c) = log_file(io, p, &path)?
            && c.header.incarnation == cf.incarnation
            && c.header.dbid == p.dbid
        {
            out.push((path, c));
        }
    }
    Ok(out)
}

/// INV-CKPT-3, checked at the instant of a crash on the durable files: every
/// change in the surviving redo with an SCN below its file's header
/// checkpoint SCN is in the file, unless that block was torn by the power
/// loss (S-CR-5).
///
/// A header frozen by a hot backup holds the begin-backup SCN, lower than the
/// file's real checkpoint, so the check holds trivially for the redo since;
/// it is still checked against that SCN.
pub fn check_changes_on_disk<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
    model: &Model,
) -> IoResult<Vec<Violation>> {
    match newest_controlfile(io, p)? {
        Some(cf) => check_changes_on_disk_with(io, p, &cf, dfs, model),
        None => Ok(Vec::new()),
    }
}

/// [`check_changes_on_disk`] with the newest control file already read (a
/// crash instant reads it once for all its checks).
pub fn check_changes_on_disk_with<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    cf: &ControlFile,
    dfs: &[DatafileRecord],
    model: &Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let mut ckpt: BTreeMap<u32, Scn> = BTreeMap::new();
    for f in dfs {
        // A copy restored and not yet recovered (a hot-backup copy may hold
        // blocks the copy split) makes no claim until media recovery ends.
        if f.status == engine::controlfile::FileStatus::Recover
            || model.unrecovered.contains(&f.name)
        {
            continue;
        }
        if let Ok(h) = crate::files::header(io, p, f)?
            && !h.fuzzy.media_recovery
        {
            ckpt.insert(f.file_no, h.ckpt_scn);
        }
    }
    // The newest change below the checkpoint, per block.
    let mut need: BTreeMap<Dba, Scn> = BTreeMap::new();
    for (_, log) in readable_logs(io, p, cf)? {
        for r in &log.records {
            for c in &r.record.changes {
                if ckpt.get(&c.file).is_some_and(|&s| r.record.scn < s) {
                    let e = need.entry((c.file, c.block)).or_insert(0);
                    *e = (*e).max(r.record.scn);
                }
            }
        }
    }
    let files: Vec<u32> = need
        .keys()
        .map(|d| d.0)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for file in files {
        let Some(rec) = crate::files::record(dfs, file) else {
            continue;
        };
        for (b, blk) in crate::files::blocks(io, p, rec)? {
            let Some(&scn) = need.get(&(file, b)) else {
                continue;
            };
            match blk {
                Ok(blk) if blk.scn >= scn => {}
                Err(_) if model.excuses_corrupt((file, b), false) => {}
                Ok(blk) => out.push(Violation::new(
                    "INV-CKPT-3",
                    format!(
                        "block (file {file}, block {b}) on disk is at SCN {} but a change at SCN {scn} is below the header checkpoint SCN {}",
                        blk.scn, ckpt[&file]
                    ),
                )),
                Err(kind) => out.push(Violation::new(
                    "INV-CKPT-3",
                    format!("block (file {file}, block {b}) is corrupt ({kind:?}) though its change at SCN {scn} is below the checkpoint and no fault tore it"),
                )),
            }
        }
    }
    Ok(out)
}

/// INV-CKPT-4: the redo from the thread checkpoint to the current log is
/// still in the online logs, so crash recovery stays possible.
pub fn check_redo_online<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    model: &Model,
) -> IoResult<Vec<Violation>> {
    match newest_controlfile(io, p)? {
        Some(cf) => check_redo_online_with(io, p, &cf, model),
        None => Ok(Vec::new()),
    }
}

/// [`check_redo_online`] with the newest control file already read.
pub fn check_redo_online_with<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    cf: &ControlFile,
    model: &Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    if cf.resetlogs_pending.is_some() || cf.is_backup {
        // A RESETLOGS a power loss interrupted: only OPEN RESETLOGS opens
        // the database now (ORA-01588), and it re-creates the online logs;
        // no crash recovery will read them. A backup control file's thread
        // checkpoint is old by nature: recovery USING BACKUP CONTROLFILE,
        // not crash recovery, reads the logs it names.
        return Ok(out);
    }
    let t = cf.thread(1);
    for seq in t.ckpt.rba.seq..=t.current_seq {
        let Some(g) = cf.group_with_seq(1, seq) else {
            out.push(Violation::new("INV-CKPT-4", format!("sequence {seq} is needed from the thread checkpoint but no online group holds it")));
            continue;
        };
        let mut found = false;
        for m in g.members.iter().filter(|m| m.status == MemberStatus::Valid) {
            if let Ok(c) = log_file(io, p, &m.path)? {
                found |= c.header.seq == seq;
            }
        }
        let all_lost = g
            .members
            .iter()
            .all(|m| model.lost_files.contains(&m.path) || model.garbled_files.contains(&m.path));
        if !found && !all_lost {
            out.push(Violation::new("INV-CKPT-4", format!("group {} should hold sequence {seq} (needed by crash recovery) but no member does", g.group)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdb::{MemStorage, closed_db, edit_controlfiles, edit_header, open_db};

    use engine::datafile::{read_header, write_header};

    fn dfs(io: &mut MemStorage, p: &DbParams) -> Vec<DatafileRecord> {
        crate::files::datafiles(io, p, None).unwrap()
    }
    fn ckpt1(io: &mut MemStorage, p: &DbParams) -> Vec<Violation> {
        let d = dfs(io, p);
        check_matches_controlfile(io, p, &d).unwrap()
    }
    fn ckpt2(io: &mut MemStorage, p: &DbParams, m: &mut Model) -> Vec<Violation> {
        let d = dfs(io, p);
        check_monotonic(io, p, &d, m).unwrap()
    }
    fn ckpt3(io: &mut MemStorage, p: &DbParams, m: &Model) -> Vec<Violation> {
        let d = dfs(io, p);
        check_changes_on_disk(io, p, &d, m).unwrap()
    }
    #[test]
    fn healthy_database_passes() {
        let i = open_db();
        let p = i.params().clone();
        let mut io = i.into_storage();
        assert!(ckpt1(&mut io, &p).is_empty());
        assert!(ckpt3(&mut io, &p, &Model::new()).is_empty());
        assert!(
            check_redo_online(&mut io, &p, &Model::new())
                .unwrap()
                .is_empty()
        );
        let mut m = Model::new();
        assert!(ckpt2(&mut io, &p, &mut m).is_empty());
    }

    #[test]
    fn header_behind_controlfile_fires_ckpt_1_and_2() {
        let (p, mut io) = closed_db();
        let mut m = Model::new();
        ckpt2(&mut io, &p, &mut m);
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn -= 1);
        assert_eq!(ckpt1(&mut io, &p)[0].id, "INV-CKPT-1");
        assert_eq!(ckpt2(&mut io, &p, &mut m)[0].id, "INV-CKPT-2");
    }

    #[test]
    fn ckpt_1_judges_online_files_only() {
        let (p, mut io) = closed_db();
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn -= 1);
        assert_eq!(ckpt1(&mut io, &p)[0].id, "INV-CKPT-1");
        // Offline (clean) or offline immediate: the instance does not
        // checkpoint it; not judged.
        for status in [
            FileStatus::Offline,
            FileStatus::Recover,
            FileStatus::ReadOnly,
        ] {
            edit_controlfiles(&mut io, &p, |cf| {
                cf.datafile_mut(4).unwrap().status = status
            });
            assert!(ckpt1(&mut io, &p).is_empty(), "{status:?}");
        }
    }

    #[test]
    fn hot_backup_freezes_the_header_scn_but_not_the_counter_ckpt_1() {
        let (p, mut io) = closed_db();
        // In backup since SCN b; the control file's checkpoint moved on to
        // b + 5 and both counters to c + 1.
        let h = read_header(&mut io, &p.datafile(4).unwrap().path, 4, p.db_block_size)
            .unwrap()
            .unwrap();
        let (b, c) = (h.ckpt_scn, h.ckpt_counter);
        edit_controlfiles(&mut io, &p, |cf| {
            let r = cf.datafile_mut(4).unwrap();
            r.backup_scn = Some(b);
            r.ckpt_scn = b + 5;
            r.ckpt_counter = c + 1;
        });
        edit_header(&mut io, &p, 4, |h| {
            h.fuzzy.hot_backup = true;
            h.ckpt_counter = c + 1;
        });
        assert!(ckpt1(&mut io, &p).is_empty(), "{:?}", ckpt1(&mut io, &p));
        // The frozen SCN moved: wrong.
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn = b + 5);
        assert_eq!(ckpt1(&mut io, &p)[0].id, "INV-CKPT-1");
        // Frozen, but the counter stayed behind: wrong.
        edit_header(&mut io, &p, 4, |h| {
            h.ckpt_scn = b;
            h.ckpt_counter = c;
        });
        assert_eq!(ckpt1(&mut io, &p)[0].id, "INV-CKPT-1");
        // In backup by the control file but the header lost its bit: wrong.
        edit_header(&mut io, &p, 4, |h| {
            h.ckpt_counter = c + 1;
            h.fuzzy.hot_backup = false;
        });
        assert_eq!(ckpt1(&mut io, &p)[0].id, "INV-CKPT-1");
        // The frozen header is lower than the real checkpoint: CKPT-3 holds.
        edit_header(&mut io, &p, 4, |h| h.fuzzy.hot_backup = true);
        assert!(ckpt3(&mut io, &p, &Model::new()).is_empty());
    }

    #[test]
    fn a_lower_header_is_a_violation_unless_the_file_was_restored_ckpt_2() {
        let (p, mut io) = closed_db();
        let path = p.datafile(4).unwrap().path.clone();
        let mut m = Model::new();
        assert!(ckpt2(&mut io, &p, &mut m).is_empty());
        // A restore of another file is no excuse.
        m.restored(&p.datafile(3).unwrap().path);
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn -= 3);
        let v = ckpt2(&mut io, &p, &mut m);
        assert!(v.len() == 1 && v[0].evidence.contains("file 4"), "{v:?}");
        // The DBA copies a backup over file 4: its lower header is accepted
        // once, and becomes the new floor.
        let mut m = Model::new();
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn += 3);
        assert!(ckpt2(&mut io, &p, &mut m).is_empty());
        m.restored(&path);
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn -= 3);
        assert!(ckpt2(&mut io, &p, &mut m).is_empty());
        assert!(m.restores.is_empty(), "the restore was seen");
        assert!(
            m.unrecovered.contains(&path),
            "behind its record until recovered"
        );
        // Going down again without another restore fires.
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn -= 1);
        assert_eq!(ckpt2(&mut io, &p, &mut m)[0].id, "INV-CKPT-2");
        // Re-created at another path (CREATE DATAFILE 4 AS 'new'): a new
        // file, its lower header starts a new floor.
        let new = "/u03/SIM/users02.dbf".to_string();
        let mut bytes = io.files.get(&path).unwrap().clone();
        io.files.insert(new.clone(), std::mem::take(&mut bytes));
        edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(4).unwrap().name = new.clone()
        });
        let mut h = read_header(&mut io, &new, 4, p.db_block_size)
            .unwrap()
            .unwrap();
        h.ckpt_scn -= 2;
        write_header(&mut io, &new, &h, p.db_block_size).unwrap();
        assert!(ckpt2(&mut io, &p, &mut m).is_empty());
    }

    #[test]
    fn checkpoint_ahead_of_the_blocks_fires_ckpt_3() {
        // Committed changes sit in the cache only; a header claiming a
        // checkpoint past them lies about the file.
        let mut i = open_db();
        for k in 100..110 {
            i.insert(1, k, "x").unwrap();
            i.commit(1).unwrap();
        }
        let p = i.params().clone();
        let mut io = i.into_storage();
        for f in &p.datafiles {
            edit_header(&mut io, &p, f.file_no, |h| h.ckpt_scn = u64::MAX / 2);
        }
        let v = ckpt3(&mut io, &p, &Model::new());
        assert!(!v.is_empty() && v.iter().all(|v| v.id == "INV-CKPT-3"));
    }

    #[test]
    fn overwritten_needed_log_fires_ckpt_4() {
        let i = open_db();
        let p = i.params().clone();
        let mut io = i.into_storage();
        // Pretend the thread checkpoint is far behind: its logs were reused.
        edit_controlfiles(&mut io, &p, |cf| cf.threads[0].ckpt.rba.seq = 1);
        let v = check_redo_online(&mut io, &p, &Model::new()).unwrap();
        assert!(!v.is_empty() && v[0].id == "INV-CKPT-4");
    }
}
