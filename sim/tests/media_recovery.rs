//! Media recovery on the engine directly: hot and cold backups, RECOVER
//! with its prompts, CREATE DATAFILE, offline files (S-BK-1, S-BK-2,
//! S-MR-1..6, S-CD-1..4).
use engine::controlfile::FileStatus;
use engine::media::{LogAnswer, OfflineMode, RecoverTarget};
use engine::params::Release;
use engine::{DbParams, Instance, ShutdownMode};
use sim::disk::Disk;

mod common;
use common::{copy, fresh, params};

fn backup_name(path: &str) -> String {
    format!("/u03/backup/{}", path.rsplit('/').next().unwrap())
}

/// Commits `n` rows from key `from`, each its own transaction.
fn commit_rows(i: &mut Instance<Disk>, from: u64, n: u64) {
    for k in from..from + n {
        i.insert(1, k, &format!("v{k}")).unwrap();
        i.commit(1).unwrap();
    }
}

fn rows(i: &mut Instance<Disk>) -> Vec<u64> {
    let s = i.scan().unwrap();
    assert!(s.unreadable_blocks.is_empty(), "{:?}", s.unreadable_blocks);
    s.rows.iter().map(|r| r.0).collect()
}

fn auto(_: &engine::media::LogRequest) -> LogAnswer {
    LogAnswer::Auto
}

/// ORACLE_NOTES §13 item 23 (S3): hot backup of every tablespace while the
/// workload runs, every datafile lost, restored, RECOVER DATABASE with AUTO.
#[test]
fn hot_backup_restored_and_recovered_with_auto_loses_nothing() {
    let p = params();
    let mut i = fresh(&p);
    commit_rows(&mut i, 0, 20);
    let files: Vec<String> = p.datafiles.iter().map(|f| f.path.clone()).collect();
    for ts in ["SYSTEM", "UNDOTBS", "USERS"] {
        i.begin_backup(Some(ts)).unwrap();
        // DML between BEGIN BACKUP and the copy: images are logged.
        commit_rows(&mut i, 100, 5);
        i.dbwr_tick(64).unwrap();
        for f in p.datafiles.iter().filter(|f| f.tablespace == ts) {
            copy(i.storage_mut(), &f.path, &backup_name(&f.path));
        }
        i.end_backup(Some(ts)).unwrap();
        i.switch_logfile().unwrap();
        while i.arch_tick().unwrap().is_some() {}
        // Keep the same keys unique across the loop.
        for k in 100..105 {
            i.delete(1, k).unwrap();
            i.commit(1).unwrap();
        }
    }
    commit_rows(&mut i, 200, 30);
    for round in 0..4 {
        i.switch_logfile().unwrap();
        while i.arch_tick().unwrap().is_some() {}
        commit_rows(&mut i, 300 + round * 100, 3);
    }
    let want = rows(&mut i);
    i.shutdown(ShutdownMode::Abort).unwrap();
    let mut d = i.into_storage();
    for f in &files {
        d.delete(f).unwrap();
        copy(&mut d, &backup_name(f), f);
    }
    let mut i = Instance::new(p.clone(), d);
    let e = i.startup().unwrap_err();
    assert!(e.stack().has(1113) && e.stack().has(1110), "{e}");
    assert!(e.to_string().contains("file 1 needs media recovery"), "{e}");
    i.shutdown(ShutdownMode::Abort).unwrap();
    i.nomount().unwrap();
    i.mount().unwrap();
    let mut asked = 0;
    let (out, r) = i.recover(
        RecoverTarget::Database,
        Default::default(),
        false,
        &mut |req| {
            asked += 1;
            assert!(req.suggestion.starts_with("/u02/arch/arch_1_"));
            LogAnswer::Auto
        },
    );
    r.unwrap();
    assert_eq!(asked, 1, "AUTO answers every later prompt");
    let text = out.join("\n");
    assert!(text.contains("ORA-00279: change "), "{text}");
    assert!(
        text.contains("ORA-00289: suggestion : /u02/arch/"),
        "{text}"
    );
    assert!(text.contains("ORA-00278: log file '/u02/arch/"), "{text}");
    assert!(text.ends_with("Media recovery complete."), "{text}");
    i.open().unwrap();
    assert_eq!(rows(&mut i), want);
}

/// In backup mode, row 3 changes and a copy of its file is taken that reads
/// the block's first OS block before DBWn writes it and the rest after: a
/// split block. Returns (the row's block, the file, the copy's bytes).
fn split_copy(p: &DbParams, i: &mut Instance<Disk>) -> ((u32, u32), String, Vec<u8>) {
    commit_rows(i, 0, 10);
    i.begin_backup(Some("USERS")).unwrap();
    let home = engine::row_home(p, 3);
    i.update(1, 3, "changed-in-backup").unwrap();
    i.commit(1).unwrap();
    let path = p.datafile(home.0).unwrap().path.clone();
    let bs = p.db_block_size;
    let n = i.storage_mut().size(&path).unwrap() as usize;
    let mut before = vec![0u8; n];
    i.storage_mut().read(&path, 0, &mut before).unwrap();
    i.dbwr_tick(64).unwrap();
    let mut copy_bytes = vec![0u8; n];
    i.storage_mut().read(&path, 0, &mut copy_bytes).unwrap();
    let start = home.1 as usize * bs;
    assert_ne!(
        before[start..start + bs],
        copy_bytes[start..start + bs],
        "DBWn wrote the changed block"
    );
    copy_bytes[start..start + 512].copy_from_slice(&before[start..start + 512]);
    (home, path, copy_bytes)
}

/// A fractured block in a hot-backup copy is repaired by the block image
/// logged at its first change in backup mode (S-MR-6).
#[test]
fn a_fractured_block_in_a_hot_copy_is_repaired_from_its_image() {
    let p = params();
    let mut i = fresh(&p);
    let (home, path, copy_bytes) = split_copy(&p, &mut i);
    let dst = backup_name(&path);
    let io = i.storage_mut();
    io.create(&dst).unwrap();
    io.write(&dst, 0, &copy_bytes).unwrap();
    io.sync(&dst).unwrap();
    i.end_backup(Some("USERS")).unwrap();
    i.update(1, 4, "after-backup").unwrap();
    i.commit(1).unwrap();
    let want = i.scan().unwrap().rows;
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut d = i.into_storage();
    copy(&mut d, &dst, &path);
    let mut i = Instance::new(p.clone(), d);
    i.nomount().unwrap();
    i.mount().unwrap();
    let (_, r) = i.recover(
        RecoverTarget::Datafile(home.0),
        Default::default(),
        true,
        &mut auto,
    );
    r.unwrap();
    let alerts: Vec<String> = i.take_alerts().into_iter().map(|a| a.text).collect();
    assert!(
        alerts
            .iter()
            .any(|a| a.contains("repaired from a logged block image")),
        "{alerts:?}"
    );
    i.open().unwrap();
    assert_eq!(i.scan().unwrap().rows, want);
}

/// Without the image (the planted `no-block-image`) the same split block
/// stays corrupt after recovery.
#[test]
fn without_block_images_the_split_block_stays_corrupt() {
    let mut p = params();
    p.plant = Some(engine::Plant::NoBlockImage);
    let mut i = fresh(&p);
    let (home, path, copy_bytes) = split_copy(&p, &mut i);
    i.end_backup(Some("USERS")).unwrap();
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut d = i.into_storage();
    d.delete(&path).unwrap();
    d.create(&path).unwrap();
    d.write(&path, 0, &copy_bytes).unwrap();
    d.sync(&path).unwrap();
    let mut i = Instance::new(p.clone(), d);
    i.nomount().unwrap();
    i.mount().unwrap();
    let (_, r) = i.recover(
        RecoverTarget::Datafile(home.0),
        Default::default(),
        true,
        &mut auto,
    );
    r.unwrap();
    i.open().unwrap();
    let s = i.scan().unwrap();
    assert!(
        s.unreadable_blocks
            .iter()
            .any(|(d, e)| *d == home && e.has(1578)),
        "{s:?}"
    );
}

#[test]
fn recover_with_nothing_restored_says_no_recovery_required() {
    let p = params();
    let mut i = fresh(&p);
    commit_rows(&mut i, 0, 3);
    // Open: the files are in use (ORA-01124).
    let (_, r) = i.recover(
        RecoverTarget::Database,
        Default::default(),
        false,
        &mut auto,
    );
    assert_eq!(r.unwrap_err().code(), 1124);
    let (_, r) = i.recover(
        RecoverTarget::Datafile(3),
        Default::default(),
        false,
        &mut auto,
    );
    assert_eq!(r.unwrap_err().code(), 1124);
    i.shutdown(ShutdownMode::Immediate).unwrap();
    i.nomount().unwrap();
    i.mount().unwrap();
    let (_, r) = i.recover(
        RecoverTarget::Database,
        Default::default(),
        false,
        &mut auto,
    );
    assert_eq!(r.unwrap_err().code(), 264);
}

/// A crash in backup mode: OPEN refuses (ORA-01113 in 9i, ORA-10873 in
/// 10g) until ALTER DATABASE END BACKUP at MOUNT, then crash recovery.
#[test]
fn crash_in_backup_mode_needs_end_backup_or_recovery() {
    for release in [Release::R9i, Release::R10g] {
        let mut p = params();
        p.release = release;
        let mut i = fresh(&p);
        commit_rows(&mut i, 0, 5);
        if release == Release::R10g {
            i.begin_backup(None).unwrap();
        } else {
            assert_eq!(i.begin_backup(None).unwrap_err().code(), 2231);
            i.begin_backup(Some("USERS")).unwrap();
        }
        commit_rows(&mut i, 10, 5);
        assert_eq!(
            i.shutdown(ShutdownMode::Immediate).unwrap_err().code(),
            1149
        );
        let want = i.scan().unwrap().rows;
        i.shutdown(ShutdownMode::Abort).unwrap();
        let d = i.into_storage();
        let mut i = Instance::new(p.clone(), d);
        let e = i.startup().unwrap_err();
        let code = if release == Release::R10g {
            10873
        } else {
            1113
        };
        assert!(
            e.stack().has(code) && e.stack().has(1110),
            "{release:?}: {e}"
        );
        i.end_backup(None).unwrap();
        i.open().unwrap();
        assert_eq!(i.scan().unwrap().rows, want);
    }
}

/// The other way out of a crash in backup mode: RECOVER DATABASE.
#[test]
fn crash_in_backup_mode_recovered_by_media_recovery() {
    let p = params();
    let mut i = fresh(&p);
    commit_rows(&mut i, 0, 5);
    i.begin_backup(Some("USERS")).unwrap();
    commit_rows(&mut i, 10, 5);
    i.switch_logfile().unwrap();
    commit_rows(&mut i, 20, 5);
    let want = i.scan().unwrap().rows;
    i.shutdown(ShutdownMode::Abort).unwrap();
    let mut i = Instance::new(p.clone(), i.into_storage());
    assert_eq!(i.startup().unwrap_err().code(), 1113);
    let (out, r) = i.recover(
        RecoverTarget::Database,
        Default::default(),
        false,
        &mut auto,
    );
    r.unwrap();
    assert_eq!(out.last().unwrap(), "Media recovery complete.");
    i.open().unwrap();
    assert_eq!(i.scan().unwrap().rows, want);
    let cf = i.controlfile().unwrap();
    assert!(cf.datafiles.iter().all(|d| d.backup_scn.is_none()));
}

/// ORACLE_NOTES §13 item 31: a datafile with no backup, re-created and
/// rebuilt from all the redo since its creation; refused for file 1.
#[test]
fn create_datafile_then_recover_rebuilds_a_file_with_no_backup() {
    let p = params();
    let mut i = fresh(&p);
    for round in 0..6u64 {
        commit_rows(&mut i, round * 20, 10);
        i.switch_logfile().unwrap();
        while i.arch_tick().unwrap().is_some() {}
    }
    let want = i.scan().unwrap().rows;
    let path = p.datafile(3).unwrap().path.clone();
    assert_eq!(i.create_datafile(1, None).unwrap_err().code(), 1180);
    assert_eq!(i.create_datafile(3, None).unwrap_err().code(), 1182);
    i.tablespace_offline("users", OfflineMode::Immediate)
        .unwrap();
    assert_eq!(i.scan().unwrap().unreadable_blocks[0].1.code(), 376);
    i.storage_mut().delete(&path).unwrap();
    let moved = "/u01/oradata/SIM/users01_new.dbf";
    i.create_datafile(3, Some(moved)).unwrap();
    assert_eq!(i.datafile_named(moved), Some(3));
    assert_eq!(i.tablespace_online("users").unwrap_err().code(), 1113);
    let (_, r) = i.recover(
        RecoverTarget::Tablespace("users".into()),
        Default::default(),
        false,
        &mut auto,
    );
    r.unwrap();
    i.tablespace_online("users").unwrap();
    assert_eq!(i.scan().unwrap().rows, want);
    i.shutdown(ShutdownMode::Immediate).unwrap();
    i.startup().unwrap();
    assert_eq!(i.scan().unwrap().rows, want);
}

/// Offline normal needs no recovery to come back; read only refuses DML.
#[test]
fn offline_normal_and_read_only() {
    let mut p = params();
    p.archivelog = false;
    let mut i = fresh(&p);
    commit_rows(&mut i, 0, 10);
    assert_eq!(
        i.tablespace_offline("users", OfflineMode::Immediate)
            .unwrap_err()
            .code(),
        1145
    );
    assert_eq!(
        i.tablespace_offline("system", OfflineMode::Normal)
            .unwrap_err()
            .code(),
        1541
    );
    i.tablespace_offline("users", OfflineMode::Normal).unwrap();
    assert_eq!(i.select(1, 3).unwrap_err().code(), 376);
    let cf = i.controlfile().unwrap();
    assert_eq!(cf.datafile(3).unwrap().status, FileStatus::Offline);
    i.tablespace_online("users").unwrap();
    assert_eq!(i.select(1, 3).unwrap(), Some("v3".into()));
    i.tablespace_read_only("users", true).unwrap();
    assert_eq!(i.update(1, 3, "x").unwrap_err().code(), 372);
    assert_eq!(i.select(1, 3).unwrap(), Some("v3".into()));
    i.shutdown(ShutdownMode::Immediate).unwrap();
    i.startup().unwrap();
    i.tablespace_read_only("users", false).unwrap();
    i.update(1, 3, "x").unwrap();
    i.commit(1).unwrap();
    assert_eq!(i.select(1, 3).unwrap(), Some("x".into()));
}

/// Prompts: the suggestion, a typed name, CANCEL, and a missing archived
/// log (ORA-00308).
#[test]
fn prompts_answers_and_a_missing_archived_log() {
    let p = params();
    let mut i = fresh(&p);
    let path = p.datafile(4).unwrap().path.clone();
    i.tablespace_offline("users", OfflineMode::Normal).unwrap();
    copy(i.storage_mut(), &path, &backup_name(&path));
    i.tablespace_online("users").unwrap();
    for round in 0..5u64 {
        commit_rows(&mut i, round * 10, 10);
        i.switch_logfile().unwrap();
        while i.arch_tick().unwrap().is_some() {}
    }
    i.datafile_offline(4, true).unwrap();
    copy(i.storage_mut(), &backup_name(&path), &path);
    // CANCEL at the first prompt: nothing applied, the file still needs it.
    let (out, r) = i.recover(
        RecoverTarget::Datafile(4),
        Default::default(),
        false,
        &mut |_| LogAnswer::Cancel,
    );
    r.unwrap();
    assert_eq!(out.last().unwrap(), "Media recovery cancelled.");
    assert_eq!(i.datafile_offline(4, false).unwrap_err().code(), 1113);
    // A missing archived log.
    let gone = p.archive_name(1, 3, i.controlfile().unwrap().incarnation.id());
    let saved = "/u03/backup/saved.arc";
    copy(i.storage_mut(), &gone, saved);
    i.storage_mut().delete(&gone).unwrap();
    let (_, r) = i.recover(
        RecoverTarget::Datafile(4),
        Default::default(),
        false,
        &mut |_| LogAnswer::Suggested,
    );
    let e = r.unwrap_err();
    assert!(e.stack().has(308), "{e}");
    // The DBA names the copy when asked for sequence 3.
    let (out, r) = i.recover(
        RecoverTarget::Datafile(4),
        Default::default(),
        false,
        &mut |req| {
            if req.seq == 3 {
                LogAnswer::File(saved.into())
            } else {
                LogAnswer::Suggested
            }
        },
    );
    r.unwrap();
    assert!(out.iter().any(|l| l.contains(saved)), "{out:?}");
    i.datafile_offline(4, false).unwrap();
    assert_eq!(rows(&mut i).len(), 50);
}

/// INV-BK-2, the restore drill: a media recovery that starts at the highest
/// checkpoint (the planted `recover-from-highest`) misses redo a restored
/// copy needs; the drill, which restores every copy on a scratch disk and
/// recovers it completely, sees the missing rows. Without the plant the
/// same seed's drills hold.
#[test]
fn the_restore_drill_fires_on_a_recovery_that_starts_too_late() {
    use sim::runner::{RunOptions, run_seed};
    let planted = run_seed(&RunOptions {
        seed: 43,
        plant: Some(engine::Plant::RecoverFromHighest),
        ..Default::default()
    });
    let v = planted.violation.expect("the planted bug is caught");
    assert_eq!(v.id, "INV-BK-2", "{}", v.evidence);
    assert!(v.evidence.starts_with("restore drill:"), "{}", v.evidence);
    let honest = run_seed(&RunOptions {
        seed: 43,
        ..Default::default()
    });
    assert!(honest.violation.is_none(), "{:?}", honest.violation);
    assert!(honest.coverage.restore_drills > 0, "the drill ran");
}

/// S-MR-1, INV-CF-2: ONLINE of a recovered offline file, the power cut at
/// each of its I/Os in turn. The file's header must never be left ahead of
/// its control-file record while the file is still offline there (no OPEN
/// looks at an offline file's header to adopt an interrupted checkpoint):
/// the control file says ONLINE first.
#[test]
fn a_power_loss_inside_online_leaves_header_and_record_agreeing() {
    let p = params();
    let mut struck = 0;
    for n in 1.. {
        let mut i = fresh(&p);
        commit_rows(&mut i, 0, 5);
        i.datafile_offline(4, true).unwrap();
        let (_, r) = i.recover(
            RecoverTarget::Datafile(4),
            Default::default(),
            true,
            &mut auto,
        );
        r.unwrap();
        i.storage_mut().arm_crash(n);
        match i.datafile_offline(4, false) {
            Ok(()) => break,
            Err(engine::DbError::Terminated {
                power_lost: true, ..
            }) => {}
            Err(e) => panic!("I/O {n}: {e}"),
        }
        struck += 1;
        let mut d = i.into_storage();
        d.power_loss_seeded(n);
        let mut i = Instance::new(p.clone(), d);
        if let Err(e) = i.startup() {
            // The copies a version apart (ORA-00214): the DBA's to mend.
            assert!(e.stack().has(214), "I/O {n}: {e}");
            continue;
        }
        let v = invariants::controlfile::check_agrees_with_files(
            i.storage_mut(),
            &p,
            &invariants::Model::new(),
        )
        .unwrap();
        assert!(v.is_empty(), "I/O {n}: {v:?}");
    }
    assert!(struck > 2, "the power was cut inside: {struck}");
}
