//! INV-CKPT-1..4: checkpoints in headers, control file and redo.

use std::collections::BTreeMap;

use engine::DbParams;
use engine::cache::Dba;
use engine::controlfile::{ControlFile, FileStatus, MemberStatus};
use engine::inspect::{datafile_blocks, datafile_header, log_file, newest_controlfile};
use engine::redo::LogContents;
use engine::scn::Scn;
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// INV-CKPT-1: in an open database each online datafile's header checkpoint
/// SCN and counter equal its control-file record (the newest copy on disk).
pub fn check_matches_controlfile<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    for r in cf
        .datafiles
        .iter()
        .filter(|r| r.status == FileStatus::Online)
    {
        let Ok(h) = datafile_header(io, p, r.file_no)? else {
            continue;
        };
        if h.ckpt_scn != r.ckpt_scn || h.ckpt_counter != r.ckpt_counter {
            out.push(Violation::new(
                "INV-CKPT-1",
                format!(
                    "file {}: header checkpoint SCN {} counter {}, control file SCN {} counter {}",
                    r.file_no, h.ckpt_scn, h.ckpt_counter, r.ckpt_scn, r.ckpt_counter
                ),
            ));
        }
    }
    Ok(out)
}

/// INV-CKPT-2: a header checkpoint SCN never goes down (no restores exist
/// yet in this engine). Records what it saw in the model.
pub fn check_monotonic<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    model: &mut Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in &p.datafiles {
        let Ok(h) = datafile_header(io, p, f.file_no)? else {
            continue;
        };
        let seen = model.header_ckpt.entry(f.file_no).or_insert(h.ckpt_scn);
        if h.ckpt_scn < *seen {
            out.push(Violation::new(
                "INV-CKPT-2",
                format!(
                    "file {}: header checkpoint SCN went down from {} to {}",
                    f.file_no, *seen, h.ckpt_scn
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
pub fn check_changes_on_disk<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    model: &Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    let mut ckpt: BTreeMap<u32, Scn> = BTreeMap::new();
    for f in &p.datafiles {
        if let Ok(h) = datafile_header(io, p, f.file_no)? {
            ckpt.insert(f.file_no, h.ckpt_scn);
        }
    }
    // The newest change below the checkpoint, per block.
    let mut need: BTreeMap<Dba, Scn> = BTreeMap::new();
    for (_, log) in readable_logs(io, p, &cf)? {
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
        for (b, blk) in datafile_blocks(io, p, file)? {
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
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
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
    use crate::testdb::{closed_db, open_db};

    use engine::datafile::{read_header, write_header};

    #[test]
    fn healthy_database_passes() {
        let i = open_db();
        let p = i.params().clone();
        let mut io = i.into_storage();
        assert!(check_matches_controlfile(&mut io, &p).unwrap().is_empty());
        assert!(
            check_changes_on_disk(&mut io, &p, &Model::new())
                .unwrap()
                .is_empty()
        );
        assert!(
            check_redo_online(&mut io, &p, &Model::new())
                .unwrap()
                .is_empty()
        );
        let mut m = Model::new();
        assert!(check_monotonic(&mut io, &p, &mut m).unwrap().is_empty());
    }

    #[test]
    fn header_behind_controlfile_fires_ckpt_1_and_2() {
        let (p, mut io) = closed_db();
        let mut m = Model::new();
        check_monotonic(&mut io, &p, &mut m).unwrap();
        let f = p.datafile(4).unwrap().path.clone();
        let mut h = read_header(&mut io, &f, 4, p.db_block_size)
            .unwrap()
            .unwrap();
        h.ckpt_scn -= 1;
        write_header(&mut io, &f, &h, p.db_block_size).unwrap();
        assert_eq!(
            check_matches_controlfile(&mut io, &p).unwrap()[0].id,
            "INV-CKPT-1"
        );
        assert_eq!(
            check_monotonic(&mut io, &p, &mut m).unwrap()[0].id,
            "INV-CKPT-2"
        );
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
            let mut h = read_header(&mut io, &f.path, f.file_no, p.db_block_size)
                .unwrap()
                .unwrap();
            h.ckpt_scn = u64::MAX / 2;
            write_header(&mut io, &f.path, &h, p.db_block_size).unwrap();
        }
        let v = check_changes_on_disk(&mut io, &p, &Model::new()).unwrap();
        assert!(!v.is_empty() && v.iter().all(|v| v.id == "INV-CKPT-3"));
    }

    #[test]
    fn overwritten_needed_log_fires_ckpt_4() {
        let i = open_db();
        let p = i.params().clone();
        let mut io = i.into_storage();
        // Pretend the thread checkpoint is far behind: its logs were reused.
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| cf.threads[0].ckpt.rba.seq = 1);
        let v = check_redo_online(&mut io, &p, &Model::new()).unwrap();
        assert!(!v.is_empty() && v[0].id == "INV-CKPT-4");
    }
}
