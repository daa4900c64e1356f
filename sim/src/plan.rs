//! Plans: a run given step by step instead of drawn from a seed.
//!
//! A seeded run draws its workload and faults from the seed's streams; a
//! [`Plan`] states them: a small configuration, then a list of [`Step`]s,
//! each a workload operation or a fault with its resolution spelled out
//! (which pending OS-block writes a power loss applies, drops or garbles).
//! The DBA's recovery after each crash is the planner's, as in a seeded run,
//! and every invariant is checked at the same moments.
//!
//! Plans exist for the tools that build runs themselves:
//! - proptest ([`strategy`], with the `proptest` feature) generates plans and
//!   shrinks a failing one with its own machinery;
//! - the cargo-fuzz targets (`fuzz/`, with the `arbitrary` feature) turn
//!   fuzzer bytes into a plan.
//!
//! Every field takes any value: out-of-range numbers are clamped or wrapped
//! when the plan runs, so any bytes make a valid plan and shrinking never
//! leaves the domain.

use engine::Plant;

use crate::config::RunConfig;
use crate::disk::{Fate, Fates};
use crate::runner::{Op, OpSource, Run, RunOptions, RunSummary, run_with};

/// A run, step by step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Plan {
    pub config: PlanConfig,
    pub steps: Vec<Step>,
}

/// The database a plan runs on. The default is the smallest one: 2 KiB
/// blocks, 2 log groups of one member, one control file, no protection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct PlanConfig {
    /// 2 KiB << (n % 4): 2, 4, 8 or 16 KiB database blocks.
    pub db_block_size: u8,
    /// 4 KiB OS blocks instead of 512 bytes (when the database block holds one).
    pub os_block_4k: bool,
    /// Log groups beyond the minimum of 2 (n % 3: 2 to 4 groups).
    pub extra_log_groups: u8,
    /// Members per group beyond the first (n % 3: 1 to 3 members).
    pub extra_log_members: u8,
    /// Control-file copies beyond the first (n % 3: 1 to 3 copies).
    pub extra_control_files: u8,
    /// NOARCHIVELOG when false.
    pub archivelog: bool,
    pub torn_block_protection: bool,
    /// Every device may return garbage for an unsynced OS block; otherwise a
    /// `Garbage` fate counts as `Dropped`.
    pub garbage_on_power_loss: bool,
    /// Buffer cache size beyond the minimum of 4 (n % 61: 4 to 64 buffers).
    pub extra_cache_buffers: u8,
    /// Redo log blocks beyond the minimum that holds a record (n % 64).
    pub extra_log_blocks: u8,
}

/// A session of the workload: 1 to 3 (n % 3 + 1).
pub type Session = u8;

/// One step of a plan: an operation of the workload, or a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Step {
    /// INSERT INTO T VALUES (key, 'v<value>').
    Insert {
        session: Session,
        key: u8,
        value: u16,
    },
    /// UPDATE T SET v = 'v<value>' WHERE k = key.
    Update {
        session: Session,
        key: u8,
        value: u16,
    },
    Delete {
        session: Session,
        key: u8,
    },
    Commit {
        session: Session,
    },
    Rollback {
        session: Session,
    },
    /// ALTER SYSTEM CHECKPOINT.
    Checkpoint,
    /// ALTER SYSTEM SWITCH LOGFILE.
    SwitchLogfile,
    /// DBWn writes up to `buffers % 8 + 1` dirty buffers.
    Dbwr {
        buffers: u8,
    },
    /// ARCn archives every log that waits for it.
    Archive,
    /// SHUTDOWN IMMEDIATE (and the planner's startup).
    ShutdownImmediate,
    /// SHUTDOWN ABORT (and crash recovery).
    ShutdownAbort,
    /// The power fails now.
    PowerLoss(Resolution),
    /// The power fails at the `io % 64 + 1`-th I/O from now, wherever that
    /// falls (maybe inside a later recovery).
    CrashAfter {
        io: u8,
        resolution: Resolution,
    },
    /// The power fails at the `io % 64 + 1`-th I/O of the next recovery.
    CrashInNextRecovery {
        io: u8,
        resolution: Resolution,
    },
    /// A member of a non-current log group whose twins are valid vanishes
    /// (the `pick`-th candidate, wrapping; nothing if there is none).
    LoseLogMember {
        pick: u8,
    },
    /// A control-file copy vanishes (when there are several and none is lost).
    LoseControlFile {
        pick: u8,
    },
}

/// What a power loss does to the writes the OS had not yet made durable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Resolution {
    /// The fate of each pending OS-block write, in issue order; writes
    /// beyond the list are applied.
    pub fates: Vec<Fate>,
    /// How many pending namespace changes (creates, renames, deletes) are
    /// kept, as an ordered prefix; `None` keeps them all.
    pub namespace_kept: Option<u8>,
}

impl PlanConfig {
    /// The run configuration this plan runs on.
    pub fn run_config(&self) -> RunConfig {
        let mut c = RunConfig::scenario_default();
        c.db_block_size = 2048 << (self.db_block_size % 4);
        c.os_block_size = if self.os_block_4k && c.db_block_size >= 4096 {
            4096
        } else {
            512
        };
        c.log_groups = 2 + usize::from(self.extra_log_groups % 3);
        c.log_members = 1 + usize::from(self.extra_log_members % 3);
        c.control_files = 1 + usize::from(self.extra_control_files % 3);
        c.archivelog = self.archivelog;
        c.torn_block_protection = self.torn_block_protection;
        c.cache_buffers = 4 + usize::from(self.extra_cache_buffers % 61);
        c.log_blocks = 0;
        c.fit_log_size();
        c.log_blocks += u32::from(self.extra_log_blocks % 64);
        c.keys = 256;
        c.sessions = 3;
        if self.garbage_on_power_loss {
            c.garbage_devices = c.device_names().into_iter().collect();
        }
        c
    }
}

impl Resolution {
    /// The disk's fates: every length change is kept (a plan spells out
    /// write fates only, so its fuzz inputs keep their meaning).
    fn pinned(&self) -> Fates {
        Fates {
            writes: self.fates.clone(),
            sizes: Vec::new(),
            namespace_kept: self.namespace_kept.map_or(usize::MAX, usize::from),
        }
    }
}

fn session(s: Session) -> u32 {
    u32::from(s % 3) + 1
}

fn value(v: u16) -> String {
    format!("v{v}")
}

fn crash_io(io: u8) -> u64 {
    u64::from(io % 64) + 1
}

impl Step {
    /// The operation this step is in the run's present state, after
    /// pinning what a fault needs pinned. `None`: nothing to act on.
    fn op(&self, run: &mut Run) -> Option<Op> {
        Some(match self {
            Step::Insert {
                session: s,
                key,
                value: v,
            } => Op::Insert {
                session: session(*s),
                k: u64::from(*key),
                v: value(*v),
            },
            Step::Update {
                session: s,
                key,
                value: v,
            } => Op::Update {
                session: session(*s),
                k: u64::from(*key),
                v: value(*v),
            },
            Step::Delete { session: s, key } => Op::Delete {
                session: session(*s),
                k: u64::from(*key),
            },
            Step::Commit { session: s } => Op::Commit {
                session: session(*s),
            },
            Step::Rollback { session: s } => Op::Rollback {
                session: session(*s),
            },
            Step::Checkpoint => Op::Checkpoint,
            Step::SwitchLogfile => Op::SwitchLogfile,
            Step::Dbwr { buffers } => Op::Dbwr {
                buffers: usize::from(buffers % 8) + 1,
            },
            Step::Archive => Op::Archive,
            Step::ShutdownImmediate => Op::ShutdownClean,
            Step::ShutdownAbort => Op::ShutdownAbort,
            Step::PowerLoss(r) => {
                run.pinned_fates = Some(r.pinned());
                Op::PowerLoss
            }
            Step::CrashAfter { io, resolution } => {
                run.pinned_fates = Some(resolution.pinned());
                Op::CrashPoint {
                    after_io: crash_io(*io),
                }
            }
            Step::CrashInNextRecovery { io, resolution } => {
                run.pinned_fates = Some(resolution.pinned());
                run.next_recovery_crash = Some(crash_io(*io));
                return None;
            }
            Step::LoseLogMember { pick } => {
                let candidates = run.log_member_candidates();
                if candidates.is_empty() {
                    return None;
                }
                Op::LoseFile {
                    path: candidates[usize::from(*pick) % candidates.len()].clone(),
                }
            }
            Step::LoseControlFile { pick } => {
                if !run.may_lose_controlfile() {
                    return None;
                }
                let copies = &run.p.control_files;
                Op::LoseFile {
                    path: copies[usize::from(*pick) % copies.len()].clone(),
                }
            }
        })
    }
}

/// How to run a plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    pub plant: Option<Plant>,
    /// Emit the alert-log trace through `tracing`.
    pub trace: bool,
    /// Print the run as a scenario even when it passes (a failing run is
    /// always printed).
    pub print_scenario: bool,
    /// Read table T after the final startup ([`RunSummary::final_rows`]).
    pub final_rows: bool,
}

/// Runs a plan: creates the database, runs every step, recovers after every
/// crash as the planner does, checks every invariant at the usual moments,
/// and ends with a clean shutdown and a last startup. The summary's
/// `scenario` of a failing plan is the scenario that replays it.
pub fn run_plan(plan: &Plan, o: PlanOptions) -> RunSummary {
    let opts = RunOptions {
        seed: 0,
        steps: Some(plan.steps.len()),
        plant: o.plant,
        release: None,
        trace: o.trace,
        print_scenario: o.print_scenario,
        final_rows: o.final_rows,
    };
    let cfg = plan.config.run_config();
    let header = format!(
        "# A plan of {} steps, run and printed as a scenario:\n# `redosim replay` of this file replays it.\n# config: {}\n",
        plan.steps.len(),
        cfg.describe()
    );
    let mut steps = plan.steps.iter();
    let next: &mut OpSource = &mut |run: &mut Run| steps.next().and_then(|s| s.op(run));
    run_with(&opts, cfg, &header, next)
}

#[cfg(feature = "proptest")]
pub mod strategy;

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(key: u8, value: u16) -> Step {
        Step::Insert {
            session: 0,
            key,
            value,
        }
    }

    #[test]
    fn a_committed_row_survives_a_power_loss_that_drops_every_write() {
        let plan = Plan {
            config: PlanConfig::default(),
            steps: vec![
                insert(1, 1),
                Step::Commit { session: 0 },
                insert(2, 2),
                Step::PowerLoss(Resolution {
                    fates: vec![Fate::Dropped; 64],
                    namespace_kept: None,
                }),
            ],
        };
        let s = run_plan(
            &plan,
            PlanOptions {
                final_rows: true,
                ..Default::default()
            },
        );
        assert!(s.passed(), "{:?}", s.violation);
        assert_eq!(s.crashes, 1);
        assert_eq!(s.final_rows, Some(vec![(1, "v1".to_string())]));
    }

    #[test]
    fn a_plan_catches_a_planted_bug_and_prints_its_scenario() {
        // early-ack: COMMIT returns before its redo is on disk.
        let plan = Plan {
            config: PlanConfig::default(),
            steps: vec![
                insert(1, 1),
                Step::Commit { session: 0 },
                Step::PowerLoss(Resolution {
                    fates: vec![Fate::Dropped; 64],
                    namespace_kept: None,
                }),
            ],
        };
        let buggy = run_plan(
            &plan,
            PlanOptions {
                plant: Some(Plant::EarlyAck),
                ..Default::default()
            },
        );
        let v = buggy
            .violation
            .expect("early-ack acknowledges a commit not durable");
        // The acknowledged commit's redo was still in the log buffer: the
        // check after the acknowledgement sees it in no member (INV-LOG-4),
        // before the power loss would lose it.
        assert_eq!(v.id, "INV-LOG-4");
        assert!(
            buggy.scenario.trim_end().ends_with("commit;"),
            "{}",
            buggy.scenario
        );
        let replay = crate::scenario::run_script("plan.scn", &buggy.scenario, false);
        assert_eq!(replay.exit, 1, "{}", replay.transcript());
        assert!(run_plan(&plan, PlanOptions::default()).passed());
    }

    #[test]
    fn a_crash_in_the_next_recovery_strikes_the_recovery() {
        let plan = Plan {
            config: PlanConfig::default(),
            steps: vec![
                insert(1, 1),
                Step::Commit { session: 0 },
                Step::CrashInNextRecovery {
                    io: 3,
                    resolution: Resolution::default(),
                },
                Step::ShutdownAbort,
            ],
        };
        let s = run_plan(&plan, PlanOptions::default());
        assert!(s.passed(), "{:?}", s.violation);
        assert_eq!(s.coverage.crash_in_recovery, 1);
    }

    #[test]
    fn any_numbers_make_a_valid_configuration() {
        for n in [0u8, 1, 2, 3, 7, 100, 255] {
            let c = PlanConfig {
                db_block_size: n,
                os_block_4k: n % 2 == 0,
                extra_log_groups: n,
                extra_log_members: n,
                extra_control_files: n,
                extra_cache_buffers: n,
                extra_log_blocks: n,
                ..Default::default()
            }
            .run_config();
            assert!(c.os_block_size <= c.db_block_size);
            assert!((2..=4).contains(&c.log_groups));
            assert!((1..=3).contains(&c.log_members));
            assert!((1..=3).contains(&c.control_files));
            assert!((4..=64).contains(&c.cache_buffers));
        }
    }
}
