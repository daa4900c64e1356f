//! INV-BLK-1..3: every block on disk, checked independently of the engine.

use engine::DbParams;
use engine::block::Corruption;
use engine::controlfile::{CorruptBlockRecord, DatafileRecord};
use engine::scn::Scn;
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// Reads every block of every datafile. A block failing its checksum or tail
/// check must be explained by a fault the recovery could not repair (model:
/// a tear without torn-block protection, or rot) and be reported by the
/// engine (`reported`, v$database_block_corruption); a block must record its
/// own address; no block SCN may be above the highest SCN the model saw
/// handed out (INV-BLK-3: the model's own record, not the engine's counter).
/// The files are the control file's (`dfs`, [`crate::files::datafiles`]),
/// each read at its control-file name.
pub fn check_blocks<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    dfs: &[DatafileRecord],
    model: &Model,
    reported: &[CorruptBlockRecord],
) -> IoResult<Vec<Violation>> {
    let current_scn: Scn = model.max_scn_seen;
    let mut out = Vec::new();
    for f in dfs {
        for (b, r) in crate::files::blocks(io, p, f)? {
            match r {
                Ok(blk) if blk.scn > current_scn => out.push(Violation::new(
                    "INV-BLK-3",
                    format!(
                        "block (file {}, block {b}) has SCN {}, above the highest SCN handed out ({current_scn})",
                        f.file_no, blk.scn
                    ),
                )),
                Ok(_) => {}
                Err(Corruption::WrongAddress) => out.push(Violation::new(
                    "INV-BLK-2",
                    format!("block {b} of file {} records another address", f.file_no),
                )),
                Err(kind) => {
                    let dba = (f.file_no, b);
                    if !model.excuses_corrupt(dba, true) {
                        out.push(Violation::new("INV-BLK-1", format!("block (file {}, block {b}) is corrupt ({kind:?}) and {}", f.file_no, crate::data::unexplained_corruption(model, dba))));
                    } else if !reported.iter().any(|c| (c.file_no, c.block) == dba)
                        // Rot happens without the engine: it learns of it
                        // when it reads the block (then ORA-01578).
                        && !model.rotted.contains(&dba)
                    {
                        out.push(Violation::new("INV-BLK-1", format!("block (file {}, block {b}) is corrupt ({kind:?}) but the engine does not report it", f.file_no)));
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdb::closed_db;
    use engine::block::{Block, Body};

    /// check_blocks on the files of the newest control file on disk.
    fn cb(
        io: &mut crate::testdb::MemStorage,
        p: &DbParams,
        m: &Model,
        rep: &[CorruptBlockRecord],
    ) -> IoResult<Vec<Violation>> {
        let dfs = crate::files::datafiles(io, p, None)?;
        check_blocks(io, p, &dfs, m, rep)
    }

    /// A model that saw SCNs up to `scn` handed out.
    fn seen(scn: Scn) -> Model {
        let mut m = Model::new();
        m.saw_scn(scn);
        m
    }

    #[test]
    fn healthy_database_passes() {
        let (p, mut io) = closed_db();
        assert!(cb(&mut io, &p, &seen(u64::MAX), &[]).unwrap().is_empty());
    }

    #[test]
    fn torn_block_fires_unless_torn_and_reported() {
        let (p, mut io) = closed_db();
        let path = p.datafile(3).unwrap().path.clone();
        let bs = p.db_block_size;
        // Flip one byte in the middle of block 2: checksum fails.
        let mut byte = io.peek(&path, 2 * bs + 700, 1);
        byte[0] ^= 0xff;
        io.poke(&path, 2 * bs + 700, &byte);
        let v = cb(&mut io, &p, &seen(u64::MAX), &[]).unwrap();
        assert_eq!(v[0].id, "INV-BLK-1");
        let mut m = seen(u64::MAX);
        m.torn.insert((3, 2));
        let v = cb(&mut io, &p, &m, &[]).unwrap();
        assert!(v[0].evidence.contains("does not report"));
        let rec = CorruptBlockRecord {
            file_no: 3,
            block: 2,
            corruption_scn: 0,
            kind: "FRACTURED".into(),
        };
        assert!(
            cb(&mut io, &p, &m, std::slice::from_ref(&rec))
                .unwrap()
                .is_empty()
        );
        // Torn-block protection on: recovery had to repair it.
        m.torn_block_protection = true;
        let v = cb(&mut io, &p, &m, &[rec]).unwrap();
        assert!(
            v[0].id == "INV-BLK-1" && v[0].evidence.contains("did not repair"),
            "{v:?}"
        );
    }

    #[test]
    fn misplaced_block_fires_blk_2() {
        let (p, mut io) = closed_db();
        let path = p.datafile(3).unwrap().path.clone();
        let bs = p.db_block_size;
        let mut buf = vec![0u8; bs];
        Block::new(3, 9, Body::Data(vec![])).encode(&mut buf);
        io.poke(&path, 4 * bs, &buf);
        let v = cb(&mut io, &p, &seen(u64::MAX), &[]).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].id, "INV-BLK-2");
    }

    #[test]
    fn a_file_renamed_in_the_control_file_is_read_at_its_new_name() {
        let (p, mut io) = closed_db();
        let old = p.datafile(3).unwrap().path.clone();
        let new = "/u03/SIM/users01.dbf".to_string();
        let bytes = io.files.get(&old).unwrap().clone();
        io.files.insert(new.clone(), bytes);
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().name = new.clone()
        });
        // Damage the old copy: no longer the file, not checked.
        let bs = p.db_block_size;
        io.poke(&old, 2 * bs + 700, &[0x5a]);
        assert!(cb(&mut io, &p, &seen(u64::MAX), &[]).unwrap().is_empty());
        // Damage the file where the control file says it is: checked there.
        let mut byte = io.peek(&new, 2 * bs + 700, 1);
        byte[0] ^= 0xff;
        io.poke(&new, 2 * bs + 700, &byte);
        let v = cb(&mut io, &p, &seen(u64::MAX), &[]).unwrap();
        assert!(v.len() == 1 && v[0].id == "INV-BLK-1", "{v:?}");
    }

    #[test]
    fn block_from_the_future_fires_blk_3() {
        let (p, mut io) = closed_db();
        let v = cb(&mut io, &p, &seen(1000), &[]).unwrap();
        assert!(!v.is_empty() && v.iter().all(|v| v.id == "INV-BLK-3"));
    }
}
