//! End-to-end smoke tests of the engine on the simulated disk.
use engine::create::create_database;
use engine::storage::Storage;
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
    assert_eq!(
        scan.rows,
        vec![(10, "a".to_string()), (12, "c".to_string())]
    );
    i.shutdown(ShutdownMode::Immediate).unwrap();
    i.startup().unwrap();
    assert_eq!(i.scan().unwrap().rows.len(), 2);
}

/// A database with rows in one block whose DBWn write is left pending by a
/// power failure at the datafile's sync, then torn: its first half new, its
/// second half old.
fn tear_a_block(protection: bool) -> (DbParams, Instance<Disk>, (u32, u32)) {
    let mut p = DbParams::sim_default(8192, 3, 2, 2, 2);
    p.torn_block_protection = protection;
    let home = engine::row_home(&p, 5);
    let path = p.datafile(home.0).unwrap().path.clone();
    let prepare = || {
        let mut i = fresh(&p);
        i.checkpoint().unwrap();
        for k in 0..200u64 {
            if engine::row_home(&p, k) == home {
                i.insert(1, k, &format!("row{k}")).unwrap();
            }
        }
        i.commit(1).unwrap();
        i.checkpoint().unwrap();
        // The block changes after the checkpoint (with protection, its image is logged).
        i.update(1, 5, "changed-after-checkpoint").unwrap();
        i.commit(1).unwrap();
        i
    };
    // Find the crash point that stops DBWn right after it wrote the block.
    for k in 1..30 {
        let mut i = prepare();
        i.storage_mut().arm_crash(k);
        if i.dbwr_tick(100).is_ok() {
            continue;
        }
        let mut d = i.into_storage();
        let writes = d.clone().power_loss_with(&[], 0).writes;
        let ours: Vec<usize> = writes
            .iter()
            .enumerate()
            .filter(|(_, w)| w.path == path)
            .map(|(n, _)| n)
            .collect();
        if ours.len() != 16 {
            continue;
        }
        let fates: Vec<Fate> = (0..writes.len())
            .map(|n| {
                if ours.iter().position(|&o| o == n).is_some_and(|pos| pos < 8) {
                    Fate::Applied
                } else {
                    Fate::Dropped
                }
            })
            .collect();
        d.power_loss_with(&fates, 0);
        return (p.clone(), Instance::new(p, d), home);
    }
    panic!("no crash point left the block's write pending");
}

#[test]
fn torn_block_is_repaired_from_its_image_with_protection() {
    let (_p, mut i, home) = tear_a_block(true);
    i.startup().unwrap();
    let alerts: Vec<String> = i.take_alerts().into_iter().map(|a| a.text).collect();
    assert!(
        !alerts.iter().any(|a| a.contains("Fractured block found")),
        "{alerts:?}"
    );
    let repaired = format!(
        "Fractured block (file {}, block {}) repaired from a logged block image",
        home.0, home.1
    );
    assert!(alerts.contains(&repaired), "{alerts:?}");
    assert_eq!(
        i.select(9, 5).unwrap().as_deref(),
        Some("changed-after-checkpoint")
    );
    assert!(i.controlfile().unwrap().corrupt_blocks.is_empty());
}

#[test]
fn torn_block_without_protection_reads_as_ora_01578() {
    let (_p, mut i, home) = tear_a_block(false);
    i.startup().unwrap();
    let alerts: Vec<String> = i.take_alerts().into_iter().map(|a| a.text).collect();
    assert!(
        alerts
            .iter()
            .any(|a| a.contains("Fractured block found during crash/instance recovery")),
        "{alerts:?}"
    );
    let e = i.select(9, 5).unwrap_err();
    assert_eq!(e.code(), 1578);
    assert!(e.stack().has(1110));
    let cf = i.controlfile().unwrap();
    assert!(
        cf.corrupt_blocks
            .iter()
            .any(|c| (c.file_no, c.block) == home)
    );
}

#[test]
fn missing_and_corrupt_files_give_oracle_errors() {
    let p = DbParams::sim_default(4096, 3, 2, 2, 2);
    let closed = || {
        let mut i = fresh(&p);
        i.shutdown(ShutdownMode::Immediate).unwrap();
        i.into_storage()
    };
    // A missing datafile: ORA-01157 + ORA-01110.
    let mut d = closed();
    d.lose_file(&p.datafiles[2].path);
    let mut i = Instance::new(p.clone(), d);
    let e = i.startup().unwrap_err();
    assert_eq!(e.code(), 1157, "{e}");
    assert!(
        e.to_string()
            .contains("ORA-01110: data file 3: '/u01/oradata/SIM/users01.dbf'")
    );
    // A corrupt datafile header: ORA-01122 + ORA-01110 + ORA-01210.
    let mut d = closed();
    d.corrupt_os_block(&p.datafiles[1].path, 0, 7);
    let e = Instance::new(p.clone(), d).startup().unwrap_err();
    assert_eq!(e.code(), 1122, "{e}");
    assert!(e.stack().has(1210));
    // A missing control-file copy: ORA-00205 naming it.
    let mut d = closed();
    d.lose_file(&p.control_files[1]);
    let e = Instance::new(p.clone(), d).startup().unwrap_err();
    assert_eq!(e.code(), 205, "{e}");
    assert!(e.to_string().contains("control02.ctl"));
    // Both slots of a control-file copy rotten: ORA-00227.
    let mut d = closed();
    d.corrupt_os_block(&p.control_files[0], 0, 1);
    d.corrupt_os_block(
        &p.control_files[0],
        engine::controlfile::SLOT_BYTES / 512,
        2,
    );
    let e = Instance::new(p.clone(), d).startup().unwrap_err();
    assert_eq!(e.code(), 227, "{e}");
    // Every member of the current log group gone: ORA-00313 + ORA-00312.
    let mut d = closed();
    let mut i = Instance::new(p.clone(), d.clone());
    i.nomount().unwrap();
    i.mount().unwrap();
    let cur = i.controlfile().unwrap().thread(1).current_group;
    for m in &p.log_groups[cur as usize - 1] {
        d.lose_file(m);
    }
    let e = Instance::new(p.clone(), d).startup().unwrap_err();
    assert_eq!(e.code(), 313, "{e}");
    assert!(e.stack().has(312));
}

/// The engine never panics on a corrupt file: rot random OS blocks of every
/// file (control files, logs, datafiles) and start up; every outcome must be
/// an Ok or an ORA error.
#[test]
fn random_rot_never_panics() {
    let p = DbParams::sim_default(2048, 2, 1, 1, 2);
    for seed in 0..60u64 {
        let mut i = fresh(&p);
        for k in 0..30 {
            i.insert(1, k, "x").unwrap();
            i.commit(1).unwrap();
        }
        if seed % 2 == 0 {
            i.shutdown(ShutdownMode::Immediate).unwrap();
        } else {
            i.shutdown(ShutdownMode::Abort).unwrap();
        }
        let mut d = i.into_storage();
        let names = d.file_names();
        let mut r = sim::rng::Prng::new(seed, "rot");
        for _ in 0..(1 + r.below(6)) {
            let f = r.pick(&names).clone();
            let blocks = d.size(&f).unwrap() / 512;
            if blocks > 0 {
                d.corrupt_os_block(&f, r.below(blocks), seed);
            }
        }
        let params = p.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let mut i = Instance::new(params, d);
            match i.startup() {
                Ok(()) => i.scan().map(|_| ()),
                Err(e) => Err(e),
            }
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => assert!(
                e.code() > 0,
                "seed {seed}: an error without an ORA code: {e:?}"
            ),
            Err(_) => panic!("seed {seed}: the engine panicked on a corrupt file"),
        }
    }
}

#[test]
fn archived_log_header_carries_the_next_scn() {
    let p = DbParams::sim_default(4096, 3, 2, 1, 2);
    let mut i = fresh(&p);
    i.insert(1, 1, "a").unwrap();
    i.commit(1).unwrap();
    i.switch_logfile().unwrap();
    let seq = i.arch_tick().unwrap().expect("a log to archive");
    let cf = i.controlfile().unwrap().clone();
    let rec = cf
        .archived_logs
        .iter()
        .find(|a| a.seq == seq)
        .expect("archived log record");
    let mut d = i.into_storage();
    let log = engine::inspect::log_file(&mut d, &p, &rec.name)
        .unwrap()
        .unwrap();
    assert_eq!(log.header.seq, seq);
    assert!(log.header.next_scn > log.header.first_scn);
    assert_eq!(log.header.next_scn, rec.next_scn);
    assert_eq!(
        Some(log.header.next_scn),
        cf.log_groups
            .iter()
            .find(|g| g.seq == seq)
            .unwrap()
            .next_scn
    );
}

/// A storage that records every write, to check LGWR's discipline.
#[derive(Debug)]
struct Recording {
    disk: Disk,
    writes: Vec<(String, u64, usize)>,
}

impl Storage for Recording {
    fn os_block_size(&self) -> usize {
        self.disk.os_block_size()
    }
    fn create(&mut self, path: &str) -> engine::storage::IoResult<()> {
        self.disk.create(path)
    }
    fn exists(&self, path: &str) -> bool {
        self.disk.exists(path)
    }
    fn read(
        &mut self,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> engine::storage::IoResult<usize> {
        self.disk.read(path, offset, buf)
    }
    fn write(&mut self, path: &str, offset: u64, data: &[u8]) -> engine::storage::IoResult<()> {
        self.writes.push((path.to_string(), offset, data.len()));
        self.disk.write(path, offset, data)
    }
    fn sync(&mut self, path: &str) -> engine::storage::IoResult<()> {
        self.disk.sync(path)
    }
    fn sync_dir(&mut self, dir: &str) -> engine::storage::IoResult<()> {
        self.disk.sync_dir(dir)
    }
    fn delete(&mut self, path: &str) -> engine::storage::IoResult<()> {
        self.disk.delete(path)
    }
    fn rename(&mut self, from: &str, to: &str) -> engine::storage::IoResult<()> {
        self.disk.rename(from, to)
    }
    fn size(&mut self, path: &str) -> engine::storage::IoResult<u64> {
        self.disk.size(path)
    }
    fn list(&self, prefix: &str) -> Vec<String> {
        self.disk.list(prefix)
    }
}

/// S-FILE-4: LGWR never rewrites a redo block that holds synced redo. Within
/// one use of a log (between two writes of its header at offset 0), no OS
/// block of redo is written twice, even with many small commits that leave
/// partly filled blocks.
#[test]
fn lgwr_never_rewrites_a_redo_block() {
    let p = DbParams::sim_default(2048, 2, 2, 1, 2);
    let mut d = Disk::new(512);
    create_database(&mut d, &p, 1).unwrap();
    let mut i = Instance::new(
        p.clone(),
        Recording {
            disk: d,
            writes: Vec::new(),
        },
    );
    i.startup().unwrap();
    for k in 0..300u64 {
        if i.insert(1, k % 90, "x").is_err() {
            i.update(1, k % 90, "y").unwrap();
        }
        i.commit(1).unwrap();
    }
    let logs: Vec<&String> = p.log_groups.iter().flatten().collect();
    let rec = i.into_storage();
    let mut written: std::collections::BTreeMap<&str, std::collections::BTreeSet<u64>> =
        Default::default();
    let mut redo_writes = 0;
    for (path, offset, len) in &rec.writes {
        if !logs.contains(&path) {
            continue;
        }
        let seen = written.entry(path.as_str()).or_default();
        if *offset == 0 {
            seen.clear(); // a new header: the log is being reused
            continue;
        }
        for b in (*offset..*offset + *len as u64).step_by(512) {
            assert!(
                seen.insert(b),
                "redo block at offset {b} of {path} written twice in one use of the log"
            );
        }
        redo_writes += 1;
    }
    assert!(
        redo_writes > 100,
        "the workload wrote redo ({redo_writes} writes)"
    );
    assert!(written.len() >= 2, "several log files were used");
}

/// Reads a whole file through the storage, as `cp` would.
fn file_bytes(d: &mut Disk, path: &str) -> Vec<u8> {
    let n = d.size(path).unwrap() as usize;
    let mut buf = vec![0u8; n];
    d.read(path, 0, &mut buf).unwrap();
    buf
}

/// Puts `bytes` in place of every control-file copy.
fn put_back_controlfile(d: &mut Disk, p: &DbParams, bytes: &[u8]) {
    for c in &p.control_files {
        d.delete(c).unwrap();
        d.create(c).unwrap();
        d.write(c, 0, bytes).unwrap();
        d.sync(c).unwrap();
    }
}

/// S-CF-2, S-OPEN-1: an OS copy of the control file taken before a log
/// switch, put back as current, must not open: the online log the switch
/// began is more recent than it (ORA-00338), and OPEN refuses before it
/// writes anything. (Before, it opened and lost the commit in the new log.)
#[test]
fn a_stale_controlfile_from_before_a_log_switch_is_refused() {
    let p = DbParams::sim_default(8192, 3, 2, 2, 2);
    let mut i = fresh(&p);
    let stale = file_bytes(i.storage_mut(), &p.control_files[0]);
    i.switch_logfile().unwrap();
    i.insert(1, 1, "after the switch").unwrap();
    i.commit(1).unwrap();
    i.shutdown(ShutdownMode::Abort).unwrap();
    let mut d = i.into_storage();
    put_back_controlfile(&mut d, &p, &stale);
    let writes_before = d.io_count();
    let mut i = Instance::new(p.clone(), d);
    let e = i.startup().unwrap_err();
    assert!(e.stack().has(338), "{e}");
    assert!(e.stack().has(312), "{e}");
    assert_eq!(
        i.storage().io_count(),
        writes_before,
        "the refusal wrote nothing"
    );
}

/// S-CF-2: a datafile header written under a later control-file sequence
/// than the control file's own shows the control file is old: ORA-01122 +
/// ORA-01110 + ORA-01207, even with no log switch in between.
#[test]
fn a_stale_controlfile_from_before_two_checkpoints_is_refused_with_01207() {
    let p = DbParams::sim_default(8192, 3, 2, 2, 2);
    let mut i = fresh(&p);
    let stale = file_bytes(i.storage_mut(), &p.control_files[0]);
    i.checkpoint().unwrap();
    i.checkpoint().unwrap();
    i.shutdown(ShutdownMode::Abort).unwrap();
    let mut d = i.into_storage();
    put_back_controlfile(&mut d, &p, &stale);
    let mut i = Instance::new(p.clone(), d);
    let e = i.startup().unwrap_err();
    assert_eq!(e.code(), 1122, "{e}");
    assert!(e.stack().has(1110) && e.stack().has(1207), "{e}");
}

/// A checkpoint cut by a power loss between the headers and the control
/// file leaves each header one checkpoint ahead under the control file's
/// own sequence: that state opens, the record adopting it (two checkpoints
/// ahead do not: the test above).
#[test]
fn an_interrupted_checkpoint_opens() {
    let p = DbParams::sim_default(8192, 3, 2, 1, 2);
    let mut i = fresh(&p);
    i.insert(1, 1, "a").unwrap();
    i.commit(1).unwrap();
    let before = file_bytes(i.storage_mut(), &p.control_files[0]);
    i.checkpoint().unwrap();
    i.shutdown(ShutdownMode::Abort).unwrap();
    // The control file as it was before the checkpoint's own write.
    let mut d = i.into_storage();
    put_back_controlfile(&mut d, &p, &before);
    let mut i = Instance::new(p.clone(), d);
    i.startup().expect("an interrupted checkpoint is recovered");
    assert_eq!(i.scan().unwrap().rows, vec![(1, "a".to_string())]);
}

/// S-INST-4: LGWR must terminate the instance when no member of the group
/// it writes can be written, even when every member was marked INVALID
/// before; the planted `ack-without-member` acknowledges instead.
#[test]
fn lgwr_terminates_when_no_member_of_its_group_can_be_written() {
    for plant in [None, Some(engine::Plant::AckWithoutMember)] {
        let mut p = DbParams::sim_default(8192, 3, 2, 2, 2);
        p.plant = plant;
        let mut i = fresh(&p);
        let (group, _, _) = i.redo_write_position().unwrap();
        for m in p.log_groups[group as usize - 1].clone() {
            i.storage_mut().lose_file(&m);
        }
        i.insert(1, 1, "a").unwrap();
        let r = i.commit(1);
        match plant {
            None => {
                let e = r.unwrap_err();
                assert!(e.is_terminated() && e.stack().has(313), "{e}");
                assert!(i.insert(1, 2, "b").is_err(), "the instance is gone");
            }
            Some(_) => assert!(r.is_ok(), "the planted bug acknowledges"),
        }
    }
}

/// S-CR-3: OPEN checks every online log group, not only the current one: an
/// INACTIVE group with no member fails it (ORA-00313 + ORA-00312); CLEAR
/// LOGFILE at MOUNT re-creates it, the database opens and uses it again.
#[test]
fn a_lost_inactive_group_fails_open_until_it_is_cleared() {
    let mut p = DbParams::sim_default(8192, 3, 2, 2, 2);
    p.archivelog = false;
    let mut i = fresh(&p);
    i.insert(1, 1, "a").unwrap();
    i.commit(1).unwrap();
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut d = i.into_storage();
    // Group 1 is INACTIVE after the clean shutdown (OPEN switched to 2).
    for m in &p.log_groups[0] {
        d.lose_file(m);
    }
    let mut i = Instance::new(p.clone(), d);
    let e = i.startup().unwrap_err();
    assert_eq!(e.code(), 313, "{e}");
    assert!(
        e.stack().0.iter().filter(|l| l.code == 312).count() == 2,
        "{e}"
    );
    let current = i.redo_write_position();
    assert!(current.is_none(), "nothing was opened");
    assert_eq!(
        i.clear_logfile(2, false).unwrap_err().code(),
        1624,
        "the current group cannot be cleared"
    );
    i.clear_logfile(1, false).unwrap();
    i.open().unwrap();
    for _ in 0..3 {
        i.switch_logfile().unwrap();
    }
    i.insert(1, 2, "b").unwrap();
    i.commit(1).unwrap();
    assert_eq!(i.scan().unwrap().rows.len(), 2);
}
