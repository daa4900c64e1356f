//! INV-FUZZY-1..3: the fuzzy bits in the datafile headers on disk.

use engine::DbParams;
use engine::inspect::{datafile_blocks, datafile_header};
use engine::storage::{IoResult, Storage};

use crate::Violation;

/// INV-FUZZY-1: after a clean shutdown no header has a fuzzy bit set.
pub fn check_clean_shutdown<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in &p.datafiles {
        if let Ok(h) = datafile_header(io, p, f.file_no)?
            && h.fuzzy.any()
        {
            out.push(Violation::new(
                "INV-FUZZY-1",
                format!(
                    "file {} is still fuzzy after a clean shutdown: {:?}",
                    f.file_no, h.fuzzy
                ),
            ));
        }
    }
    Ok(out)
}

/// INV-FUZZY-2: after a successful OPEN no online file is hot-backup or
/// media-recovery fuzzy.
pub fn check_after_open<S: Storage + ?Sized>(io: &mut S, p: &DbParams) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in &p.datafiles {
        if let Ok(h) = datafile_header(io, p, f.file_no)?
            && (h.fuzzy.hot_backup || h.fuzzy.media_recovery)
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
/// SCN above its header checkpoint SCN.
pub fn check_truthful<S: Storage + ?Sized>(io: &mut S, p: &DbParams) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    for f in &p.datafiles {
        let Ok(h) = datafile_header(io, p, f.file_no)? else {
            continue;
        };
        if h.fuzzy.any() {
            continue;
        }
        for (b, r) in datafile_blocks(io, p, f.file_no)? {
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
    use crate::testdb::{closed_db, open_db};
    use engine::datafile::{read_header, write_header};

    #[test]
    fn clean_database_passes_all_three() {
        let (p, mut io) = closed_db();
        assert!(check_clean_shutdown(&mut io, &p).unwrap().is_empty());
        assert!(check_after_open(&mut io, &p).unwrap().is_empty());
        assert!(check_truthful(&mut io, &p).unwrap().is_empty());
    }

    #[test]
    fn fuzzy_bits_fire() {
        let (p, mut io) = closed_db();
        let f = p.datafile(3).unwrap().path.clone();
        let mut h = read_header(&mut io, &f, 3, p.db_block_size)
            .unwrap()
            .unwrap();
        h.fuzzy.media_recovery = true;
        write_header(&mut io, &f, &h, p.db_block_size).unwrap();
        assert_eq!(
            check_clean_shutdown(&mut io, &p).unwrap()[0].id,
            "INV-FUZZY-1"
        );
        assert_eq!(check_after_open(&mut io, &p).unwrap()[0].id, "INV-FUZZY-2");
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
            check_truthful(&mut io, &p).unwrap().is_empty(),
            "online fuzzy headers are not judged"
        );
        for f in &p.datafiles {
            let mut h = read_header(&mut io, &f.path, f.file_no, p.db_block_size)
                .unwrap()
                .unwrap();
            h.fuzzy.online = false;
            write_header(&mut io, &f.path, &h, p.db_block_size).unwrap();
        }
        let v = check_truthful(&mut io, &p).unwrap();
        assert!(!v.is_empty() && v[0].id == "INV-FUZZY-3");
    }
}
