//! End-to-end smoke tests of the engine on the simulated disk.
use engine::create::create_database;
use engine::{DbParams, Instance, ShutdownMode};
use sim::disk::{Disk, Fate};

fn fresh(p: &DbParams) -> Instance<Disk> {
    let mut d = Disk::new(512);
    create_database(&mut d, p, 1).unwrap();
    let mut i = Instance::new(p.clone(), d);
    i.startup().unwrap();
    i
}

#[test]
fn commit_survives_power_loss_and_uncommitted_does_not() {
    let p = DbParams::sim_default(8192, 3, 2, 2, 2);
    let mut i = fresh(&p);
    i.insert(1, 10, "a").unwrap();
    i.commit(1).unwrap();
    i.insert(2, 11, "b").unwrap(); // never committed
    i.insert(1, 12, "c").unwrap();
    i.commit(1).unwrap();
    assert_eq!(i.update(2, 10, "x").unwrap(), 1); // session 2 changes a committed row, never commits
    assert_eq!(i.update(1, 10, "y").unwrap_err().code(), 54); // row 10 is locked by session 2
    let mut d = i.into_storage();
    d.cut_power();
    // Drop every pending write: only synced data survives.
    d.power_loss_with(&[Fate::Dropped; 10_000], 0);
    let mut i = Instance::new(p.clone(), d);
    i.startup().unwrap();
    for a in i.take_alerts() {
        println!("{}", a.text);
    }
    let scan = i.scan().unwrap();
    assert_eq!(scan.rows, vec![(10, "a".to_string()), (12, "c".to_string())]);
    i.shutdown(ShutdownMode::Immediate).unwrap();
    i.startup().unwrap();
    assert_eq!(i.scan().unwrap().rows.len(), 2);
}
