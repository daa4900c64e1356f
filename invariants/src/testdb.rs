//! A fault-free in-memory storage and a small database on it, so each check's
//! test can build a healthy state, break it on purpose and see the check fire.

use engine::create::create_database;
use engine::{DbParams, Instance, ShutdownMode};

pub use engine::storage::MemStorage;

/// Rewrites every control-file copy with `edit` applied (a new version), as
/// a stale or mistaken control file would look.
pub fn edit_controlfiles(
    io: &mut MemStorage,
    p: &DbParams,
    edit: impl Fn(&mut engine::controlfile::ControlFile),
) {
    use engine::controlfile::{CopyState, read_copy, write_copy};
    for c in &p.control_files {
        let CopyState::Valid(mut cf) = read_copy(io, c).unwrap() else {
            panic!("copy {c} is readable")
        };
        edit(&mut cf);
        cf.version += 1;
        write_copy(io, c, &cf).unwrap();
    }
}

/// The first INACTIVE online log group of a control file.
pub fn inactive_group(
    cf: &mut engine::controlfile::ControlFile,
) -> &mut engine::controlfile::LogGroupRecord {
    cf.log_groups
        .iter_mut()
        .find(|g| g.status == engine::controlfile::LogStatus::Inactive)
        .expect("an inactive group")
}

pub fn params() -> DbParams {
    let mut p = DbParams::sim_default(2048, 3, 2, 2, 2);
    p.log_blocks = 40;
    p
}

/// An open database with a few committed rows, several log switches (so
/// some logs are archived) and one checkpoint.
pub fn open_db() -> Instance<MemStorage> {
    let p = params();
    let mut io = MemStorage::default();
    create_database(&mut io, &p, 1).unwrap();
    let mut i = Instance::new(p, io);
    i.startup().unwrap();
    for k in 0..30u64 {
        i.insert(1, k, &format!("v{k}")).unwrap();
        i.commit(1).unwrap();
        if k % 10 == 9 {
            i.switch_logfile().unwrap();
            i.arch_tick().unwrap();
        }
    }
    i.checkpoint().unwrap();
    i
}

/// A cleanly shut down database.
pub fn closed_db() -> (DbParams, MemStorage) {
    let mut i = open_db();
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let p = i.params().clone();
    (p, i.into_storage())
}

/// Rewrites file `n`'s header at its parameter path with `edit` applied.
pub fn edit_header(
    io: &mut MemStorage,
    p: &DbParams,
    n: u32,
    edit: impl FnOnce(&mut engine::datafile::DatafileHeader),
) {
    use engine::datafile::{read_header, write_header};
    let f = p.datafile(n).expect("file n exists").path.clone();
    let mut h = read_header(io, &f, n, p.db_block_size).unwrap().unwrap();
    edit(&mut h);
    write_header(io, &f, &h, p.db_block_size).unwrap();
}

/// Writes a log at `path` from scratch: `header`, then `records` in redo
/// blocks from block 1 (blocks after them that were another use of the file
/// fail the header's salt and end the redo).
pub fn write_log(
    io: &mut MemStorage,
    path: &str,
    header: &engine::redo::LogHeader,
    records: &[engine::redo::RedoRecord],
) {
    use engine::storage::Storage;
    let os = io.os_block_size();
    engine::redo::write_log_header(io, path, header).unwrap();
    let mut stream = Vec::new();
    for r in records {
        engine::redo::encode_record(r, &mut stream);
    }
    let blocks = engine::redo::format_blocks(&stream, header, 1, os);
    io.poke(path, os, &blocks);
}
