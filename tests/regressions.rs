//! Seeds that once failed, each with its postmortem: what broke and why.
//! They must pass forever. (Seeds replay the same run only while the
//! workload generator is unchanged; the scenario-language issue turns these
//! into scenario files that do not depend on the generator.)

use sim::runner::{RunOptions, run_seed};

fn must_pass(seed: u64) {
    let s = run_seed(&RunOptions {
        seed,
        ..Default::default()
    });
    if let Some(v) = &s.violation {
        panic!(
            "seed {seed}: {} at step {}: {}\n  reproduce: {}",
            v.id,
            v.step,
            v.evidence,
            s.repro_command()
        );
    }
}

/// postmortem: COMMIT changes the undo segment header, but `make_room` had
/// just aged that buffer out, so the change was applied to an empty buffer
/// and the engine panicked. Fix: `log_change` reads every block a record
/// changes into the cache before generating it.
#[test]
fn seed_348_commit_on_an_evicted_undo_header() {
    must_pass(348);
}

/// postmortem: a commit was in flight at a power loss; the first recovery
/// applied its commit record, a second power loss hit that recovery, and the
/// second recovery's log switch reused the log (NOARCHIVELOG, two groups).
/// The model decided in-doubt commits after the open, from logs that no
/// longer held the record, and called a correct recovery INV-DATA-2. Fix:
/// in-doubt commits are decided at the crash instant.
#[test]
fn seeds_16400_19894_in_doubt_commit_decided_at_the_crash() {
    must_pass(16400);
    must_pass(19894);
}

/// postmortem: a power loss cut LGWR between two members, so one member held
/// an unacknowledged record more than the other; ARCn archived the longer
/// one, which a fault later removed. INV-LOG-3 compared the archive with the
/// shorter survivor by equality. Fix: a surviving member must be a prefix of
/// the archive.
#[test]
fn seed_4048_archive_longer_than_a_surviving_member() {
    must_pass(4048);
}

/// postmortem: OPEN RESETLOGS wrote the new incarnation's control file,
/// then a power loss struck the open and garbled datafile 4's header. At
/// the next MOUNT the DBA took the finished incomplete recovery up again
/// and put back the old incarnation's copies: ORA-01190 at OPEN, called
/// INV-REC-2. Fix: a RESETLOGS found finished at MOUNT ends the procedure
/// (`resetlogs_finished_unopened`); the garbled file is then an ordinary
/// media problem of the new incarnation (unrecoverable on 9i, with no copy
/// of it; recovered through the RESETLOGS from the kept copy on 10g).
#[test]
fn seed_5182_resetlogs_finished_before_a_power_loss() {
    must_pass(5182);
    let s = run_seed(&RunOptions {
        seed: 5182,
        release: Some(engine::params::Release::R10g),
        ..Default::default()
    });
    assert!(s.violation.is_none(), "{:?}", s.violation);
}

/// postmortem: the end of an incomplete recovery wrote every header at its
/// point with its record's counter before the control file recorded the
/// point; a power loss between let a plain OPEN take files behind the redo
/// since, and committed rows were missing (INV-DATA-1). Fix: the control
/// file records the point first (`finish_incomplete`).
#[test]
fn seed_9404_incomplete_recovery_records_its_point_first() {
    must_pass(9404);
}
