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
