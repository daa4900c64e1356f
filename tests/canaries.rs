//! One canary per planted bug: the invariants must catch it within 2,000
//! seeds, with one of the invariants INVARIANTS.md expects. A canary that
//! stops firing means the harness lost its teeth.

use engine::Plant;
use sim::runner::{RunOptions, run_seed};

/// Runs seeds until the planted bug is caught; returns (seeds run, id).
fn hunt(plant: Plant) -> (u64, String, String) {
    for seed in 0..2000 {
        let s = run_seed(&RunOptions {
            seed,
            plant: Some(plant),
            ..Default::default()
        });
        if let Some(v) = s.violation {
            return (seed + 1, v.id, v.evidence);
        }
    }
    panic!("planted bug {} survived 2000 seeds", plant.name());
}

fn canary(plant: Plant, expected: &[&str]) {
    let (seeds, id, evidence) = hunt(plant);
    println!(
        "{}: caught after {seeds} seeds by {id}: {evidence}",
        plant.name()
    );
    assert!(
        expected.contains(&id.as_str()),
        "{} was caught by {id}, expected one of {expected:?}: {evidence}",
        plant.name()
    );
}

#[test]
fn skip_wal() {
    canary(
        Plant::SkipWal,
        &["INV-DATA-2", "INV-DATA-1", "INV-BLK-3", "INV-FUZZY-3"],
    );
}

#[test]
fn early_ack() {
    // The acknowledgement itself is checked against the members' durable
    // bytes (INV-LOG-4) before any crash can show the loss.
    canary(Plant::EarlyAck, &["INV-LOG-4", "INV-DATA-1"]);
}

#[test]
fn ckpt_before_write() {
    canary(Plant::CkptBeforeWrite, &["INV-CKPT-3", "INV-DATA-1"]);
}

#[test]
fn ignore_tail() {
    canary(
        Plant::IgnoreTail,
        &["INV-BLK-1", "INV-DATA-1", "INV-DATA-2"],
    );
}

#[test]
fn reuse_unarchived() {
    canary(Plant::ReuseUnarchived, &["INV-LOG-1", "INV-DATA-1"]);
}

#[test]
fn no_torn_images() {
    canary(
        Plant::NoTornImages,
        &["INV-DATA-1", "INV-BLK-1", "INV-REC-1", "INV-REC-2"],
    );
}

#[test]
fn ack_without_member() {
    canary(Plant::AckWithoutMember, &["INV-LOG-4", "INV-DATA-1"]);
}

#[test]
fn no_block_image() {
    // The split block a hot-backup copy holds cannot be repaired.
    // (After an incomplete recovery the same loss is INV-DATA-3's.)
    canary(
        Plant::NoBlockImage,
        &["INV-DATA-1", "INV-BLK-1", "INV-DATA-3"],
    );
}

#[test]
fn forget_end_backup_marker() {
    // A restored hot-backup copy never becomes consistent: the complete
    // recovery refuses it (ORA-01195), which no fault explains.
    canary(
        Plant::ForgetEndBackupMarker,
        &["INV-REC-1", "INV-REC-2", "INV-FUZZY-2"],
    );
}

#[test]
fn recover_from_highest() {
    // Also the inconsistent-point probe: the copy put back starts at the
    // newest checkpoint, so an UNTIL CANCEL at once finds every file at
    // the point and does not warn (INV-RL-2).
    canary(
        Plant::RecoverFromHighest,
        &["INV-DATA-1", "INV-CKPT-3", "INV-REC-1", "INV-RL-2"],
    );
}

#[test]
fn resetlogs_fuzzy() {
    // The probe: OPEN RESETLOGS on the files of a crashed instance after
    // an UNTIL CANCEL stopped at once must be refused.
    canary(Plant::ResetlogsFuzzy, &["INV-FUZZY-4"]);
}

#[test]
fn until_inclusive() {
    // A user error undone with UNTIL CHANGE at its commit's SCN comes back.
    canary(Plant::UntilInclusive, &["INV-DATA-3"]);
}

#[test]
fn old_incarnation_redo() {
    // An archived log of an earlier incarnation offered at a prompt.
    canary(Plant::OldIncarnationRedo, &["INV-RL-3"]);
}
