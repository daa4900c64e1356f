//! INV-FUZZY-1..3: the fuzzy bits in the datafile headers on disk, for the
//! files the control file names (at their control-file names).

use engine::DbParams;
use engine::controlfile::{DatafileRecord, FileStatus};
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// INV-FUZZY-1: after a clean shutdown no header of a file that is online,
/// or cleanly offline or read-only, has a fuzzy bit set. A file taken
/// offline immediate (status Recover) needs media recovery and is exempt,
/// and so is a file restored from a backup and not recovered since
/// ([`Model::unrecovered`]).
pub fn check_clean_shutdown<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
    model: &Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in dfs
        .iter()
        .filter(|f| f.status != FileStatus::Recover && !model.unrecovered.contains(&f.name))
    {
        if let Ok(h) = crate::files::header(io, p, f)?
            && h.fuzzy.any()
        {
            out.push(Violation::new(
                "INV-FUZZY-1",
                format!(
                    "file {} ({:?}) is still fuzzy after a clean shutdown: {:?}",
                    f.file_no, f.status, h.fuzzy
                ),
            ));
        }
    }
    Ok(out)
}

/// INV-FUZZY-2, right after a successful OPEN: no online file is
/// media-recovery fuzzy, and none is hot-backup fuzzy unless its record is
/// in backup mode (`backup_scn`: a BEGIN BACKUP the open kept). OPEN after
/// END BACKUP or media recovery must have cleared the bit (or refused with
/// ORA-01113 / ORA-10873). Files not online are not judged.
pub fn check_after_open<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in dfs.iter().filter(|f| f.status == FileStatus::Online) {
        if let Ok(h) = crate::files::header(io, p, f)?
            && (h.fuzzy.media_recovery || (h.fuzzy.hot_backup && f.backup_scn.is_none()))
        {
            out.push(Violation::new(
                "INV-FUZZY-2",
                format!("file {} opened with {:?}", f.file_no, h.fuzzy),
            ));
        }
    }
    Ok(out)
}

/// INV-FUZZY-3: a file whose header says "not fuzzy" holds no block with an
/// SCN above its header checkpoint SCN. A hot-backup fuzzy header is fuzzy.
pub fn check_truthful<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in dfs {
        let Ok(h) = crate::files::header(io, p, f)? else {
            continue;
        };
        if h.fuzzy.any() {
            continue;
        }
        for (b, r) in crate::files::blocks(io, p, f)? {
            if let Ok(blk) = r
                && blk.scn > h.ckpt_scn
            {
                out.push(Violation::new(
                    "INV-FUZZY-3",
                    format!(
                        "file {} is not fuzzy at checkpoint SCN {} but block {b} has SCN {}",
                        f.file_no, h.ckpt_scn, blk.scn
                    ),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdb::{MemStorage, closed_db, edit_controlfiles, edit_header, open_db};

    type Check = fn(&mut MemStorage, &DbParams, &[DatafileRecord]) -> IoResult<Vec<Violation>>;

    /// A check on the files of the newest control file on disk.
    fn run(check: Check, io: &mut MemStorage, p: &DbParams) -> Vec<Violation> {
        let d = crate::files::datafiles(io, p, None).unwrap();
        check(io, p, &d).unwrap()
    }
    fn shut(io: &mut MemStorage, p: &DbParams, m: &Model) -> Vec<Violation> {
        let d = crate::files::datafiles(io, p, None).unwrap();
        check_clean_shutdown(io, p, &d, m).unwrap()
    }
    #[test]
    fn clean_database_passes_all_three() {
        let (p, mut io) = closed_db();
        assert!(shut(&mut io, &p, &Model::new()).is_empty());
        assert!(run(check_after_open, &mut io, &p).is_empty());
        assert!(run(check_truthful, &mut io, &p).is_empty());
    }

    #[test]
    fn fuzzy_bits_fire() {
        let (p, mut io) = closed_db();
        edit_header(&mut io, &p, 3, |h| h.fuzzy.media_recovery = true);
        assert_eq!(shut(&mut io, &p, &Model::new())[0].id, "INV-FUZZY-1");
        assert_eq!(run(check_after_open, &mut io, &p)[0].id, "INV-FUZZY-2");
    }

    #[test]
    fn fuzzy_1_exempts_offline_immediate_files_only() {
        let (p, mut io) = closed_db();
        edit_header(&mut io, &p, 3, |h| h.fuzzy.online = true);
        for status in [
            FileStatus::Online,
            FileStatus::Offline,
            FileStatus::ReadOnly,
        ] {
            edit_controlfiles(&mut io, &p, |cf| {
                cf.datafile_mut(3).unwrap().status = status
            });
            assert_eq!(
                shut(&mut io, &p, &Model::new())[0].id,
                "INV-FUZZY-1",
                "{status:?}"
            );
        }
        edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().status = FileStatus::Recover
        });
        assert!(shut(&mut io, &p, &Model::new()).is_empty());
        // Offline clean but restored from a (fuzzy) backup, not recovered yet.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().status = FileStatus::Offline
        });
        let mut m = Model::new();
        m.restored(&p.datafile(3).unwrap().path);
        assert!(shut(&mut io, &p, &m).is_empty());
    }

    #[test]
    fn fuzzy_2_allows_hot_backup_only_in_backup_mode() {
        let (p, mut io) = closed_db();
        edit_header(&mut io, &p, 3, |h| h.fuzzy.hot_backup = true);
        // Opened with the bit though the control file is not in backup mode
        // (END BACKUP or recovery should have cleared it).
        assert_eq!(run(check_after_open, &mut io, &p)[0].id, "INV-FUZZY-2");
        // In backup mode by the control file: legitimate.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().backup_scn = Some(1)
        });
        assert!(run(check_after_open, &mut io, &p).is_empty());
        // Media-recovery fuzzy is never allowed on an online file...
        edit_header(&mut io, &p, 3, |h| h.fuzzy.media_recovery = true);
        assert_eq!(run(check_after_open, &mut io, &p)[0].id, "INV-FUZZY-2");
        // ...but a file the control file shows offline is not judged.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().status = FileStatus::Recover
        });
        assert!(run(check_after_open, &mut io, &p).is_empty());
    }

    #[test]
    fn a_lying_header_fires_fuzzy_3() {
        // An open database has blocks newer than the checkpoint; claim "not fuzzy".
        let mut i = open_db();
        i.insert(1, 500, "late").unwrap();
        i.commit(1).unwrap();
        i.dbwr_tick(100).unwrap();
        let p = i.params().clone();
        let mut io = i.into_storage();
        assert!(
            run(check_truthful, &mut io, &p).is_empty(),
            "online fuzzy headers are not judged"
        );
        for f in &p.datafiles {
            edit_header(&mut io, &p, f.file_no, |h| h.fuzzy.online = false);
        }
        let v = run(check_truthful, &mut io, &p);
        assert!(!v.is_empty() && v[0].id == "INV-FUZZY-3");
        // A hot-backup fuzzy header is fuzzy: not judged.
        for f in &p.datafiles {
            edit_header(&mut io, &p, f.file_no, |h| h.fuzzy.hot_backup = true);
        }
        assert!(run(check_truthful, &mut io, &p).is_empty());
    }
}
