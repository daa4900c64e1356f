//! The invariants of INVARIANTS.md and the reference model they check
//! against.
//!
//! Each check is a function returning the violations it found, each naming
//! its INV id and the evidence (file, block, SCN). Checks read the engine
//! through its inspection API and read the files on the storage themselves,
//! so they never trust the engine's own bookkeeping alone. One module per
//! family:
//!
//! | module | ids |
//! |---|---|
//! | [`data`] | INV-DATA-1, -2, -5 |
//! | [`blocks`] | INV-BLK-1..3 |
//! | [`fuzzy`] | INV-FUZZY-1..3 |
//! | [`checkpoint`] | INV-CKPT-1..4 |
//! | [`logs`] | INV-LOG-1..4 |
//! | [`controlfile`] | INV-CF-1..2 |
//! | [`recovery`] | INV-REC-1..2 |
//! | [`resetlogs`] | INV-RL-1, -2, -4, INV-DATA-3, -4 |
//! | [`determinism`] | INV-DET-1 |
//!
//! [`files`] gives every check the datafiles from the control file, and
//! [`point`] computes the latest recoverable point that INV-DATA-4 (and the
//! simulator's DBA) holds recovery to.

pub mod blocks;
pub mod checkpoint;
pub mod controlfile;
pub mod data;
pub mod determinism;
pub mod files;
pub mod fuzzy;
pub mod logs;
pub mod model;
pub mod point;
pub mod recovery;
pub mod resetlogs;

pub use model::Model;

/// A broken invariant, with what shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The INV id, e.g. "INV-DATA-1".
    pub id: &'static str,
    pub evidence: String,
}

impl Violation {
    pub fn new(id: &'static str, evidence: impl Into<String>) -> Violation {
        Violation {
            id,
            evidence: evidence.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.id, self.evidence)
    }
}

/// Every invariant id this crate checks, with its one-line meaning.
pub const CHECKED: &[(&str, &str)] = &[
    (
        "INV-DATA-1",
        "every acknowledged commit is visible with its exact values",
    ),
    (
        "INV-DATA-2",
        "no effect of an uncommitted or rolled-back transaction is visible",
    ),
    (
        "INV-DATA-3",
        "after incomplete recovery to P the rows are the committed state at P exactly",
    ),
    (
        "INV-DATA-4",
        "P is not earlier than the surviving redo, archived logs and backups allow",
    ),
    ("INV-DATA-5", "an open without RESETLOGS lost nothing"),
    (
        "INV-BLK-1",
        "corrupt blocks are explained by a fault and reported, never returned",
    ),
    ("INV-BLK-2", "each block records its own address"),
    (
        "INV-BLK-3",
        "no block SCN is above the highest SCN the model saw handed out",
    ),
    ("INV-FUZZY-1", "no fuzzy bit after a clean shutdown"),
    (
        "INV-FUZZY-2",
        "no hot-backup or media-recovery fuzzy bit after OPEN",
    ),
    (
        "INV-FUZZY-3",
        "a file whose header says not fuzzy holds no block newer than its checkpoint",
    ),
    (
        "INV-FUZZY-4",
        "OPEN RESETLOGS refuses while an online file has a fuzzy bit set",
    ),
    (
        "INV-CKPT-1",
        "open: header checkpoint SCN and counter equal the control file",
    ),
    ("INV-CKPT-2", "a header checkpoint SCN never goes down"),
    (
        "INV-CKPT-3",
        "every change below a file's checkpoint SCN is in the file on disk",
    ),
    (
        "INV-CKPT-4",
        "the redo from the thread checkpoint to its end is still online",
    ),
    (
        "INV-LOG-1",
        "no log group is reused before its changes are checkpointed (and, in ARCHIVELOG mode, archived)",
    ),
    ("INV-LOG-2", "log sequences are contiguous"),
    (
        "INV-LOG-4",
        "no commit is acknowledged unless its record is durable in a member of its group",
    ),
    (
        "INV-LOG-3",
        "archived logs and surviving members hold the same redo",
    ),
    (
        "INV-CF-1",
        "all surviving control-file copies are identical",
    ),
    (
        "INV-CF-2",
        "the control file agrees with the files it names",
    ),
    (
        "INV-BK-2",
        "restore drill: every copy restored and recovered gives the committed state",
    ),
    (
        "INV-REC-1",
        "every failed step and instance termination is explained by a fault",
    ),
    (
        "INV-REC-2",
        "recovery after a crash during recovery still succeeds",
    ),
    (
        "INV-RL-1",
        "after OPEN RESETLOGS: the new incarnation everywhere, sequence 1, one checkpoint SCN",
    ),
    (
        "INV-RL-2",
        "the resetlogs SCN is the recovery end point, and no change from after it survived",
    ),
    (
        "INV-RL-3",
        "recovery never applies a log of another incarnation",
    ),
    (
        "INV-RL-4",
        "the new incarnation's log and redo SCNs are above the resetlogs SCN",
    ),
    ("INV-DET-1", "the same seed gives the same trace"),
];

/// Test support: an in-memory storage without faults, for building broken
/// states in the checks' own tests.
#[cfg(test)]
pub(crate) mod testdb;
