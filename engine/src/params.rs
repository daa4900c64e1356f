//! The parameter file: everything an instance is told before it mounts.
//!
//! Names follow SCENARIO.md's defaults (database SIM, `/u01/oradata/SIM/…`,
//! archive destination `/u02/arch/` with format `arch_%t_%s_%r.arc`).

use serde::{Deserialize, Serialize};

/// A deliberately wrong variant of the engine's own logic (INVARIANTS.md,
/// "Planted bugs"). Switched on only by the simulator's `--plant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Plant {
    /// DBWn writes a block before its redo is durable.
    SkipWal,
    /// A commit is acknowledged before its redo is synced.
    EarlyAck,
    /// CKPT advances the checkpoint SCN before DBWn wrote the blocks.
    CkptBeforeWrite,
    /// Fractured blocks (head and tail disagree, bad checksum) are accepted.
    IgnoreTail,
    /// A log group is reused before ARCn archived it.
    ReuseUnarchived,
    /// Torn-block protection is on, but no block image is ever logged.
    NoTornImages,
    /// LGWR treats a log group with no valid member as written.
    AckWithoutMember,
    /// A file in hot-backup mode logs no block image at its blocks' first
    /// change, so a fractured block in the copy cannot be repaired.
    NoBlockImage,
    /// END BACKUP writes no end-backup marker into the redo.
    ForgetEndBackupMarker,
    /// Media recovery starts at the highest checkpoint among the files to
    /// recover instead of the lowest (S-MR-2).
    RecoverFromHighest,
    /// OPEN RESETLOGS ignores the datafiles' fuzzy bits (S-OPEN-3).
    ResetlogsFuzzy,
    /// UNTIL CHANGE n also applies the redo at SCN n (S-IR-1).
    UntilInclusive,
    /// Media recovery accepts an archived log of another incarnation.
    OldIncarnationRedo,
}

/// Every planted bug of INVARIANTS.md: its name, what it does, what must
/// catch it, and the engine variant if this engine has it yet.
pub const PLANTED_BUGS: &[(&str, &str, &str, Option<Plant>)] = &[
    (
        "skip-wal",
        "DBWn writes a block before its redo is durable",
        "INV-DATA-2 / INV-DATA-1 / INV-BLK-3 / INV-FUZZY-3",
        Some(Plant::SkipWal),
    ),
    (
        "early-ack",
        "commit acknowledged before its redo is synced",
        "INV-LOG-4 / INV-DATA-1",
        Some(Plant::EarlyAck),
    ),
    (
        "ckpt-before-write",
        "checkpoint SCN advanced before DBWn wrote the blocks",
        "INV-CKPT-3 / INV-DATA-1",
        Some(Plant::CkptBeforeWrite),
    ),
    (
        "ignore-tail",
        "fractured blocks accepted as valid",
        "INV-BLK-1 / INV-DATA",
        Some(Plant::IgnoreTail),
    ),
    (
        "reuse-unarchived",
        "a group is reused before it is archived",
        "INV-LOG-1 / INV-DATA-1",
        Some(Plant::ReuseUnarchived),
    ),
    (
        "no-block-image",
        "no block images during hot backup",
        "INV-DATA-1 / INV-BLK-1 after a hot-backup restore",
        Some(Plant::NoBlockImage),
    ),
    (
        "resetlogs-fuzzy",
        "OPEN RESETLOGS ignores fuzzy bits",
        "INV-FUZZY-4",
        Some(Plant::ResetlogsFuzzy),
    ),
    (
        "until-inclusive",
        "UNTIL CHANGE n also applies SCN n",
        "INV-DATA-3",
        Some(Plant::UntilInclusive),
    ),
    (
        "incr-off-by-one",
        "incremental compares SCN with >= instead of >",
        "INV-BK-3 / INV-DATA",
        None,
    ),
    (
        "stale-thread-merge",
        "media recovery applies one thread's redo after another's",
        "INV-DATA-1 (two threads)",
        None,
    ),
    (
        "forget-end-backup-marker",
        "END BACKUP writes no marker",
        "INV-FUZZY-2 / INV-REC-1",
        Some(Plant::ForgetEndBackupMarker),
    ),
    (
        "old-incarnation-redo",
        "redo of a previous incarnation accepted",
        "INV-RL-3",
        Some(Plant::OldIncarnationRedo),
    ),
    (
        "no-torn-images",
        "torn-block protection on, but no block image is logged",
        "INV-DATA-1 / INV-BLK-1",
        Some(Plant::NoTornImages),
    ),
    (
        "ack-without-member",
        "LGWR treats a group with no valid member as written",
        "INV-LOG-4 / INV-DATA-1",
        Some(Plant::AckWithoutMember),
    ),
    (
        "recover-from-highest",
        "media recovery starts at the highest checkpoint among the files, not the lowest",
        "INV-DATA-1 / INV-CKPT-3 / INV-RL-2",
        Some(Plant::RecoverFromHighest),
    ),
];

impl Plant {
    pub fn name(self) -> &'static str {
        PLANTED_BUGS
            .iter()
            .find(|b| b.3 == Some(self))
            .map(|b| b.0)
            .expect("every Plant is listed in PLANTED_BUGS")
    }
    /// Parses a planted-bug name; `Err` says why (unknown, or not built yet).
    pub fn parse(name: &str) -> Result<Plant, String> {
        match PLANTED_BUGS.iter().find(|b| b.0 == name) {
            Some((_, _, _, Some(p))) => Ok(*p),
            Some((n, ..)) => Err(format!(
                "planted bug '{n}' needs an engine feature that does not exist yet (see `redosim bugs`)"
            )),
            None => {
                let known: Vec<&str> = PLANTED_BUGS.iter().map(|b| b.0).collect();
                Err(format!(
                    "unknown planted bug '{name}'; known: {}",
                    known.join(", ")
                ))
            }
        }
    }
}

/// One datafile as created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatafileSpec {
    pub file_no: u32,
    pub tablespace: String,
    pub path: String,
    /// Blocks including the header block 0.
    pub blocks: u32,
}

/// The instance parameters and the shape of the database it creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbParams {
    pub db_name: String,
    pub dbid: u32,
    pub db_block_size: usize,
    pub control_files: Vec<String>,
    pub datafiles: Vec<DatafileSpec>,
    /// Online log groups of thread 1: each a list of member paths.
    pub log_groups: Vec<Vec<String>>,
    /// Redo blocks per online log, not counting the header block.
    pub log_blocks: u32,
    pub archivelog: bool,
    pub log_archive_dest: String,
    pub log_archive_format: String,
    /// Buffers in the buffer cache; DBWn writes when they run out.
    pub cache_buffers: usize,
    /// LGWR writes when this many bytes of redo are buffered.
    pub log_buffer_bytes: usize,
    /// S-CR-5: log a full block image at the first change after a checkpoint.
    pub torn_block_protection: bool,
    /// Slots in the undo segment's transaction table.
    pub undo_slots: u32,
    pub plant: Option<Plant>,
    /// The release the instance behaves as (`set release`): where 8i, 9i
    /// and 10g differ (ALTER DATABASE BEGIN BACKUP, ORA-10873).
    #[serde(default)]
    pub release: Release,
}

/// The Oracle release an instance behaves as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum Release {
    R8i,
    #[default]
    R9i,
    R10g,
}

impl DbParams {
    /// The SCENARIO.md default database, shaped by the given sizes.
    pub fn sim_default(
        db_block_size: usize,
        groups: usize,
        members: usize,
        control_files: usize,
        users_datafiles: usize,
    ) -> DbParams {
        let d = "/u01/oradata/SIM";
        let mut datafiles = vec![
            DatafileSpec {
                file_no: 1,
                tablespace: "SYSTEM".into(),
                path: format!("{d}/system01.dbf"),
                blocks: 4,
            },
            DatafileSpec {
                file_no: 2,
                tablespace: "UNDOTBS".into(),
                path: format!("{d}/undotbs01.dbf"),
                blocks: 26,
            },
        ];
        for i in 0..users_datafiles {
            datafiles.push(DatafileSpec {
                file_no: 3 + i as u32,
                tablespace: "USERS".into(),
                path: format!("{d}/users{:02}.dbf", i + 1),
                blocks: 17,
            });
        }
        let letters = ['a', 'b', 'c'];
        DbParams {
            db_name: "SIM".into(),
            dbid: 1_234_567_890,
            db_block_size,
            control_files: (1..=control_files)
                .map(|i| format!("{d}/control{i:02}.ctl"))
                .collect(),
            datafiles,
            log_groups: (1..=groups)
                .map(|g| {
                    (0..members)
                        .map(|m| format!("{d}/redo{g:02}{}.log", letters[m]))
                        .collect()
                })
                .collect(),
            log_blocks: 64,
            archivelog: true,
            log_archive_dest: "/u02/arch/".into(),
            log_archive_format: "arch_%t_%s_%r.arc".into(),
            cache_buffers: 32,
            log_buffer_bytes: 4096,
            torn_block_protection: false,
            undo_slots: 32,
            plant: None,
            release: Release::R9i,
        }
    }

    pub fn planted(&self, p: Plant) -> bool {
        self.plant == Some(p)
    }

    pub fn datafile(&self, file_no: u32) -> Option<&DatafileSpec> {
        self.datafiles.iter().find(|f| f.file_no == file_no)
    }

    /// The archived log name for (thread, sequence, resetlogs id), from
    /// LOG_ARCHIVE_DEST and LOG_ARCHIVE_FORMAT (`%t`, `%s`, `%r`).
    pub fn archive_name(&self, thread: u32, seq: u32, resetlogs_id: u64) -> String {
        let f = self
            .log_archive_format
            .replace("%t", &thread.to_string())
            .replace("%s", &seq.to_string())
            .replace("%r", &resetlogs_id.to_string());
        format!("{}{}", self.log_archive_dest, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_follow_the_format() {
        let p = DbParams::sim_default(8192, 3, 2, 2, 2);
        assert_eq!(p.archive_name(1, 42, 7), "/u02/arch/arch_1_42_7.arc");
        assert_eq!(p.log_groups[1][1], "/u01/oradata/SIM/redo02b.log");
        assert_eq!(p.datafiles[3].path, "/u01/oradata/SIM/users02.dbf");
    }

    #[test]
    fn plant_names_parse_and_unbuilt_ones_say_so() {
        assert_eq!(Plant::parse("skip-wal"), Ok(Plant::SkipWal));
        assert_eq!(Plant::parse("until-inclusive"), Ok(Plant::UntilInclusive));
        assert!(
            Plant::parse("incr-off-by-one")
                .unwrap_err()
                .contains("does not exist yet")
        );
        assert!(
            Plant::parse("nope")
                .unwrap_err()
                .contains("known: skip-wal")
        );
        for b in PLANTED_BUGS {
            if let Some(p) = b.3 {
                assert_eq!(p.name(), b.0);
            }
        }
    }
}
