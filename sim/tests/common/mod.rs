//! What the engine-level tests share: the database they start from and a
//! file copy as `cp` makes it.
#![allow(dead_code)]

use engine::create::create_database;
use engine::{DbParams, Instance};
use sim::disk::Disk;

pub fn params() -> DbParams {
    DbParams::sim_default(8192, 3, 2, 2, 2)
}

/// A new database SIM on a fresh disk, started and open.
pub fn fresh(p: &DbParams) -> Instance<Disk> {
    let mut d = Disk::new(512);
    create_database(&mut d, p, 1).unwrap();
    let mut i = Instance::new(p.clone(), d);
    i.startup().unwrap();
    i
}

/// Copies `src` over `dst`, synced, its directory entry durable.
pub fn copy(io: &mut Disk, src: &str, dst: &str) {
    let n = io.size(src).unwrap() as usize;
    let mut buf = vec![0u8; n];
    io.read(src, 0, &mut buf).unwrap();
    if io.exists(dst) {
        io.delete(dst).unwrap();
    }
    io.create(dst).unwrap();
    io.write(dst, 0, &buf).unwrap();
    io.sync(dst).unwrap();
    io.sync_dir(engine::storage::dir_of(dst)).unwrap();
}
