//! Incomplete recovery and RESETLOGS on the engine directly: UNTIL CHANGE's
//! bound, the warnings an inconsistent stop gives, what OPEN RESETLOGS
//! stamps, the guard against a previous incarnation's redo, and a RESETLOGS
//! a power loss interrupted (S-IR-1, S-IR-2, S-OPEN-2..4).
use engine::datafile;
use engine::media::{LogAnswer, LogRequest, RecoverOptions, RecoverTarget, Until};
use engine::scn::Scn;
use engine::{DbError, DbParams, Instance, Plant, ShutdownMode};
use sim::disk::Disk;

mod common;
use common::{copy, fresh, params};

/// Where backup `tag` keeps its copy of `path`.
fn backup_name(tag: &str, path: &str) -> String {
    format!("/u03/backup/{tag}_{}", path.rsplit('/').next().unwrap())
}

fn datafiles(p: &DbParams) -> Vec<String> {
    p.datafiles.iter().map(|f| f.path.clone()).collect()
}

/// A cold backup of `files` under `tag`: the database is shut down clean,
/// copied, and opened again.
fn cold_backup(p: &DbParams, i: Instance<Disk>, tag: &str, files: &[String]) -> Instance<Disk> {
    let mut i = i;
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut d = i.into_storage();
    for f in files {
        copy(&mut d, f, &backup_name(tag, f));
    }
    let mut i = Instance::new(p.clone(), d);
    i.startup().unwrap();
    i
}

/// Shuts down clean, puts back `files` from backup `tag`, and mounts.
fn restore_and_mount(
    p: &DbParams,
    i: Instance<Disk>,
    tag: &str,
    files: &[String],
) -> Instance<Disk> {
    let mut i = i;
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut d = i.into_storage();
    for f in files {
        copy(&mut d, &backup_name(tag, f), f);
    }
    let mut i = Instance::new(p.clone(), d);
    i.nomount().unwrap();
    i.mount().unwrap();
    i
}

/// Commits `n` rows from key `from`, each its own transaction; the SCN of
/// the last commit.
fn commit_rows(i: &mut Instance<Disk>, from: u64, n: u64) -> Scn {
    let mut last = 0;
    for k in from..from + n {
        i.insert(1, k, &format!("v{k}")).unwrap();
        last = i.commit(1).unwrap().expect("a commit with a change");
    }
    last
}

fn archive_current(i: &mut Instance<Disk>) {
    i.switch_logfile().unwrap();
    while i.arch_tick().unwrap().is_some() {}
}

fn keys(i: &mut Instance<Disk>) -> Vec<u64> {
    let s = i.scan().unwrap();
    assert!(s.unreadable_blocks.is_empty(), "{:?}", s.unreadable_blocks);
    s.rows.iter().map(|r| r.0).collect()
}

fn until(u: Until) -> RecoverOptions {
    RecoverOptions {
        until: Some(u),
        using_backup_controlfile: false,
    }
}

fn auto(_: &LogRequest) -> LogAnswer {
    LogAnswer::Auto
}

/// RECOVER DATABASE to `u` (CANCEL at the first prompt; AUTOMATIC
/// otherwise), which must end with an error: the warning's stack.
fn recover_warns(i: &mut Instance<Disk>, u: Until) -> DbError {
    let automatic = u != Until::Cancel;
    let (_, r) = i.recover(RecoverTarget::Database, until(u), automatic, &mut |_| {
        LogAnswer::Cancel
    });
    r.unwrap_err()
}

fn codes(e: &DbError) -> Vec<u32> {
    e.stack().0.iter().map(|l| l.code).collect()
}

/// A database with a cold backup `cold` of every datafile, then row 100
/// committed at the returned SCN, more work after it, archived.
fn commit_after_cold_backup(p: &DbParams) -> (Instance<Disk>, Scn) {
    let mut i = fresh(p);
    commit_rows(&mut i, 0, 10);
    let mut i = cold_backup(p, i, "cold", &datafiles(p));
    commit_rows(&mut i, 10, 10);
    let at = commit_rows(&mut i, 100, 1);
    commit_rows(&mut i, 200, 10);
    archive_current(&mut i);
    commit_rows(&mut i, 300, 5);
    (i, at)
}

/// The cold backup of [`commit_after_cold_backup`] recovered UNTIL CHANGE
/// `at + offset`, where `at` is row 100's commit; mounted, with RECOVER's
/// lines and `at`.
fn recovered_until(p: &DbParams, offset: Scn) -> (Instance<Disk>, Vec<String>, Scn) {
    let (i, at) = commit_after_cold_backup(p);
    let mut i = restore_and_mount(p, i, "cold", &datafiles(p));
    let (out, r) = i.recover(
        RecoverTarget::Database,
        until(Until::Change(at + offset)),
        true,
        &mut auto,
    );
    r.unwrap();
    (i, out, at)
}

/// The rows after [`recovered_until`] `offset` and OPEN RESETLOGS.
fn rows_until_change(p: &DbParams, offset: Scn) -> Vec<u64> {
    let (mut i, out, _) = recovered_until(p, offset);
    assert_eq!(
        out.last().map(String::as_str),
        Some("Media recovery complete.")
    );
    let e = i.open().unwrap_err();
    assert!(e.stack().has(1589), "a plain OPEN after UNTIL: {e}");
    i.open_resetlogs().unwrap();
    keys(&mut i)
}

/// S-IR-1: UNTIL CHANGE n applies the redo below n only. A commit at
/// exactly n is not recovered; with n one higher it is.
#[test]
fn until_change_excludes_a_commit_at_exactly_n_and_includes_one_at_n_minus_1() {
    let p = params();
    let at_n = rows_until_change(&p, 0);
    assert!(
        !at_n.contains(&100),
        "the commit at n is excluded: {at_n:?}"
    );
    assert!(
        at_n.contains(&19),
        "the commits before it are there: {at_n:?}"
    );
    assert!(!at_n.contains(&200), "nothing after it: {at_n:?}");
    let past = rows_until_change(&p, 1);
    assert!(
        past.contains(&100),
        "the commit at n-1 is included: {past:?}"
    );
    assert!(!past.contains(&200), "{past:?}");
}

/// The planted `until-inclusive` applies the redo at SCN n too: the same
/// check fails, so it has teeth.
#[test]
fn until_inclusive_plant_recovers_the_commit_at_n() {
    let mut p = params();
    p.plant = Some(Plant::UntilInclusive);
    assert!(rows_until_change(&p, 0).contains(&100));
}

/// ORA-01547 + ORA-01195 + ORA-01110: a hot-backup copy recovered to a
/// point before its end-backup marker may hold blocks newer than the point.
#[test]
fn cancel_before_the_end_backup_marker_warns_ora_01195() {
    let p = params();
    let mut i = fresh(&p);
    commit_rows(&mut i, 0, 10);
    archive_current(&mut i);
    i.begin_backup(Some("USERS")).unwrap();
    commit_rows(&mut i, 10, 5);
    i.dbwr_tick(64).unwrap();
    let users: Vec<String> = p
        .datafiles
        .iter()
        .filter(|f| f.tablespace == "USERS")
        .map(|f| f.path.clone())
        .collect();
    for f in &users {
        copy(i.storage_mut(), f, &backup_name("hot", f));
    }
    i.end_backup(Some("USERS")).unwrap();
    archive_current(&mut i);
    commit_rows(&mut i, 20, 5);
    let want = keys(&mut i);
    let mut i = restore_and_mount(&p, i, "hot", &users);
    let e = recover_warns(&mut i, Until::Cancel);
    assert_eq!(codes(&e), [1547, 1195, 1110], "{e}");
    let e = i.open_resetlogs().unwrap_err();
    assert!(e.stack().has(1195), "OPEN RESETLOGS refuses it: {e}");
    // Recovery goes on from there: complete, it opens without RESETLOGS.
    let (_, r) = i.recover(RecoverTarget::Database, Default::default(), true, &mut auto);
    r.unwrap();
    i.open().unwrap();
    assert_eq!(keys(&mut i), want);
}

/// Every tablespace backed up hot, one after the other; row 100 committed
/// while USERS is still in backup mode, after its copies. The copies put
/// back and mounted, with row 100's commit SCN: recovered UNTIL CHANGE
/// there, the USERS copies stop before their end-backup marker.
fn hot_copies_until_before_users_end_backup(p: &DbParams) -> (Instance<Disk>, Scn) {
    let mut i = fresh(p);
    commit_rows(&mut i, 0, 10);
    let mut at = 0;
    for ts in ["SYSTEM", "UNDOTBS", "USERS"] {
        i.begin_backup(Some(ts)).unwrap();
        commit_rows(&mut i, 10, 1);
        i.delete(1, 10).unwrap();
        i.commit(1).unwrap();
        i.dbwr_tick(64).unwrap();
        for f in p.datafiles.iter().filter(|f| f.tablespace == ts) {
            copy(i.storage_mut(), &f.path, &backup_name("hot", &f.path));
        }
        if ts == "USERS" {
            at = commit_rows(&mut i, 100, 1);
        }
        i.end_backup(Some(ts)).unwrap();
    }
    archive_current(&mut i);
    let i = restore_and_mount(p, i, "hot", &datafiles(p));
    (i, at)
}

/// S-OPEN-3: OPEN RESETLOGS refuses a hot-backup copy recovered to a point
/// before its end-backup marker (ORA-01195), though every file stands at
/// the point; the planted `resetlogs-fuzzy` opens it.
#[test]
fn resetlogs_refuses_a_file_still_hot_backup_fuzzy() {
    let p = params();
    let (mut i, at) = hot_copies_until_before_users_end_backup(&p);
    let e = recover_warns(&mut i, Until::Change(at));
    assert_eq!(codes(&e), [1547, 1195, 1110], "{e}");
    let e = i.open_resetlogs().unwrap_err();
    assert_eq!(codes(&e), [1195, 1110], "{e}");
    let mut p = params();
    p.plant = Some(Plant::ResetlogsFuzzy);
    let (mut i, at) = hot_copies_until_before_users_end_backup(&p);
    recover_warns(&mut i, Until::Change(at));
    i.open_resetlogs().unwrap();
}

/// ORA-01547 + ORA-01152 + ORA-01110: one file restored from a backup
/// newer than the UNTIL point holds changes after it.
#[test]
fn a_file_from_a_backup_after_the_point_warns_ora_01152() {
    let p = params();
    let (mut i, at) = commit_after_cold_backup(&p);
    let users01 = p.datafiles[2].path.clone();
    archive_current(&mut i);
    let i = cold_backup(&p, i, "newer", std::slice::from_ref(&users01));
    let mut i = restore_and_mount(&p, i, "cold", &datafiles(&p));
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut d = i.into_storage();
    copy(&mut d, &backup_name("newer", &users01), &users01);
    let mut i = Instance::new(p.clone(), d);
    i.nomount().unwrap();
    i.mount().unwrap();
    let e = recover_warns(&mut i, Until::Change(at));
    assert_eq!(codes(&e), [1547, 1152, 1110], "{e}");
    assert!(e.to_string().contains(&users01), "{e}");
}

/// ORA-01547 + ORA-01194 + ORA-01110: after a CANCEL, a file restored from
/// an old backup stands at the point while the others are ahead of it: it
/// is the one that needs more recovery.
#[test]
fn cancel_with_one_file_behind_warns_ora_01194_for_it() {
    let p = params();
    let (i, _) = commit_after_cold_backup(&p);
    let users01 = p.datafiles[2].path.clone();
    let mut i = restore_and_mount(&p, i, "cold", std::slice::from_ref(&users01));
    let e = recover_warns(&mut i, Until::Cancel);
    assert_eq!(codes(&e), [1547, 1194, 1110], "{e}");
    assert!(e.to_string().contains(&users01), "{e}");
}

/// Recovers the cold backup to just before row 100 and opens RESETLOGS.
fn resetlogs_before_row_100(p: &DbParams) -> Instance<Disk> {
    let (mut i, _, _) = recovered_until(p, 0);
    i.open_resetlogs().unwrap();
    i
}

/// S-OPEN-4: OPEN RESETLOGS makes a new incarnation at the point: every
/// online datafile header and the current log's header carry it, so does
/// the control file; the thread starts again at sequence 1, and
/// V$DATABASE_INCARNATION lists the old incarnation and the new one.
#[test]
fn resetlogs_stamps_every_file_with_the_new_incarnation() {
    let p = params();
    let mut i = resetlogs_before_row_100(&p);
    let cf = i.controlfile().unwrap().clone();
    let first = engine::instance::first_incarnation(1);
    assert_ne!(cf.incarnation, first);
    assert_eq!(cf.prior_incarnations.len(), 1);
    let t = cf.thread(1);
    assert_eq!(t.current_seq, 1);
    assert!(cf.incomplete_recovery.is_none() && !cf.is_backup);
    assert!(cf.resetlogs_pending.is_none());
    let bs = p.db_block_size;
    for (n, f) in p.datafiles.iter().enumerate() {
        let h = datafile::read_header(i.storage_mut(), &f.path, n as u32 + 1, bs)
            .unwrap()
            .unwrap();
        assert_eq!(h.incarnation, cf.incarnation, "{}", f.path);
        assert!(h.ckpt_scn >= cf.incarnation.resetlogs_scn, "{}", f.path);
    }
    let g = cf
        .log_groups
        .iter()
        .find(|g| g.group == t.current_group)
        .unwrap();
    assert_eq!(g.seq, 1);
    for m in &g.members {
        let c = engine::redo::read_log(i.storage_mut(), &m.path, p.log_blocks)
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.header.seq, c.header.incarnation),
            (1, cf.incarnation),
            "{}",
            m.path
        );
    }
    let v = engine::views::query(&mut i, "v$database_incarnation").unwrap();
    assert_eq!(v.values("STATUS"), ["PARENT", "CURRENT"]);
    assert_eq!(
        v.values("RESETLOGS_CHANGE#")[1],
        cf.incarnation.resetlogs_scn.to_string()
    );
}

/// After a RESETLOGS, a cold backup of the new incarnation, recovered
/// UNTIL CANCEL, is offered the old incarnation's archived log of the same
/// sequence at the prompt. The answer is returned by the test.
fn offer_old_incarnation_log(p: &DbParams) -> (Vec<String>, Result<(), DbError>) {
    let i = resetlogs_before_row_100(p);
    let old = p.archive_name(1, 1, engine::instance::first_incarnation(1).id());
    assert!(i.storage().exists(&old), "{old}");
    let mut i = cold_backup(p, i, "inc2", &datafiles(p));
    commit_rows(&mut i, 500, 5);
    archive_current(&mut i);
    let mut i = restore_and_mount(p, i, "inc2", &datafiles(p));
    let mut offered = false;
    i.recover(
        RecoverTarget::Database,
        until(Until::Cancel),
        false,
        &mut |req| {
            if offered {
                return LogAnswer::Cancel;
            }
            offered = true;
            assert_eq!(req.seq, 1);
            assert_ne!(
                req.suggestion, old,
                "the suggestion is the new incarnation's"
            );
            LogAnswer::File(old.clone())
        },
    )
}

/// S-OPEN-4's guard: redo of a previous incarnation is never applied.
#[test]
fn an_archived_log_of_the_old_incarnation_is_refused_with_ora_00342() {
    let (_, r) = offer_old_incarnation_log(&params());
    let e = r.unwrap_err();
    assert_eq!(codes(&e)[..2], [342, 334], "{e}");
}

/// The planted `old-incarnation-redo` takes it: the check has teeth.
#[test]
fn old_incarnation_redo_plant_takes_the_old_log() {
    let mut p = params();
    p.plant = Some(Plant::OldIncarnationRedo);
    let (out, r) = offer_old_incarnation_log(&p);
    if let Err(e) = &r {
        assert!(!e.stack().has(342), "{e}");
    }
    assert!(
        out.iter()
            .any(|l| l.contains("arch_1_1_") && l.starts_with("ORA-00278")),
        "the old log was applied: {out:?}"
    );
}

/// S-OPEN-2: a power loss inside OPEN RESETLOGS, after it recorded the
/// incarnation it is creating (`resetlogs_pending`) and before it
/// finished, leaves a database that opens only with RESETLOGS (ORA-01588);
/// OPEN RESETLOGS then carries on with that same incarnation. The power is
/// cut at every I/O of the statement in turn.
#[test]
fn an_interrupted_resetlogs_demands_resetlogs_and_carries_on() {
    let p = params();
    let mut struck_inside = 0;
    for n in 1.. {
        let (mut i, _, at) = recovered_until(&p, 0);
        i.storage_mut().arm_crash(n);
        match i.open_resetlogs() {
            Ok(()) => break,
            Err(DbError::Terminated {
                power_lost: true, ..
            }) => {}
            Err(e) => panic!("I/O {n}: {e}"),
        }
        let mut d = i.into_storage();
        d.power_loss_seeded(n);
        let mut i = Instance::new(p.clone(), d);
        i.nomount().unwrap();
        if i.mount().is_err() {
            continue; // the copies at different versions (ORA-00214)
        }
        let Some(pending) = i.controlfile().unwrap().resetlogs_pending else {
            continue; // before the record, or after the RESETLOGS
        };
        struck_inside += 1;
        assert_eq!(pending.resetlogs_scn, at);
        let e = i.open().unwrap_err();
        assert_eq!(codes(&e), [1588], "I/O {n}: {e}");
        let e = i.open_noresetlogs().unwrap_err();
        assert_eq!(codes(&e), [1588], "I/O {n}: {e}");
        i.open_resetlogs().unwrap();
        let cf = i.controlfile().unwrap();
        assert_eq!(
            cf.incarnation, pending,
            "the pending incarnation, not a new one"
        );
        assert!(cf.resetlogs_pending.is_none());
        assert_eq!(cf.prior_incarnations.len(), 1);
        let k = keys(&mut i);
        assert!(k.contains(&19) && !k.contains(&100), "I/O {n}: {k:?}");
    }
    assert!(
        struck_inside > 5,
        "the power was cut inside: {struck_inside}"
    );
}

/// S-IR-2: a hot-backup copy is consistent at any point past its
/// end-backup marker, even when the point lies logs later (the copy is
/// online-fuzzy too, and a media checkpoint past the marker clears only
/// its hot-backup bit). This stop once gave ORA-01194.
#[test]
fn hot_backup_copies_recovered_to_a_point_logs_after_end_backup_open_resetlogs() {
    let mut p = params();
    p.release = engine::params::Release::R10g;
    let mut i = fresh(&p);
    commit_rows(&mut i, 0, 10);
    i.begin_backup(None).unwrap();
    commit_rows(&mut i, 10, 5);
    i.dbwr_tick(64).unwrap();
    for f in datafiles(&p) {
        copy(i.storage_mut(), &f, &backup_name("hot", &f));
    }
    i.end_backup(None).unwrap();
    archive_current(&mut i);
    commit_rows(&mut i, 20, 5);
    archive_current(&mut i);
    let at = commit_rows(&mut i, 100, 1);
    commit_rows(&mut i, 200, 5);
    archive_current(&mut i);
    let mut i = restore_and_mount(&p, i, "hot", &datafiles(&p));
    let (_, r) = i.recover(
        RecoverTarget::Database,
        until(Until::Change(at)),
        true,
        &mut auto,
    );
    r.unwrap();
    i.open_resetlogs().unwrap();
    let k = keys(&mut i);
    assert!(k.contains(&24) && !k.contains(&100), "{k:?}");
}

/// RECOVER before the control file is mounted is refused like any
/// statement that needs it (ORA-01507), whatever its options: the engine
/// reads no control file it does not have.
#[test]
fn recover_in_nomount_is_refused_not_a_crash() {
    let p = params();
    let mut i = fresh(&p);
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let mut i = Instance::new(p.clone(), i.into_storage());
    i.nomount().unwrap();
    for opts in [
        RecoverOptions::default(),
        RecoverOptions {
            until: Some(Until::Cancel),
            using_backup_controlfile: true,
        },
    ] {
        let (_, r) = i.recover(RecoverTarget::Database, opts, true, &mut |_| {
            LogAnswer::Cancel
        });
        match r {
            Err(DbError::Ora(s)) => assert_eq!(s.code(), 1507, "{s}"),
            other => panic!("expected ORA-01507, got {other:?}"),
        }
    }
}

/// S-IR-2, S-OPEN-2: a power loss anywhere inside an incomplete recovery
/// never leaves files a plain OPEN accepts. The end of the recovery writes
/// every header at the point with its record's counter; the control file
/// must say "incomplete recovery to P" first, or a power loss among those
/// header writes left files behind the redo since that OPEN took as
/// current (the soak found the rows committed after P missing). The power
/// is cut at every I/O of the statement in turn.
#[test]
fn a_power_loss_inside_an_incomplete_recovery_never_lets_a_plain_open_through() {
    let p = params();
    let mut struck = 0;
    for n in 1.. {
        let (i, at) = commit_after_cold_backup(&p);
        let mut i = restore_and_mount(&p, i, "cold", &datafiles(&p));
        i.storage_mut().arm_crash(n);
        let (_, r) = i.recover(
            RecoverTarget::Database,
            until(Until::Change(at)),
            true,
            &mut auto,
        );
        match r {
            Ok(()) => break,
            Err(DbError::Terminated {
                power_lost: true, ..
            }) => {}
            Err(e) => panic!("I/O {n}: {e}"),
        }
        struck += 1;
        let mut d = i.into_storage();
        d.power_loss_seeded(n);
        let mut i = Instance::new(p.clone(), d);
        i.nomount().unwrap();
        if i.mount().is_err() {
            continue; // the copies at different versions (ORA-00214)
        }
        if let Ok(()) = i.open() {
            panic!(
                "I/O {n}: a plain OPEN took files an incomplete recovery left at SCN {at}: {:?}",
                keys(&mut i)
            );
        }
    }
    assert!(struck > 5, "the power was cut inside: {struck}");
}
