//! The runner: one seed, start to end.
//!
//! A run creates the database SIM on a fresh simulated disk, then for each
//! step draws an operation from the seed's swarm weights (transactions,
//! checkpoints, log switches, DBWn and ARCn passes, clean and abort
//! shutdowns, power losses, crash points, loss of a log member or of a
//! control-file copy) and executes it. When the instance dies, the DBA
//! planner ([`crate::planner`]) recovers it, sometimes with a crash point
//! armed so the power fails again in the middle of recovery. Invariants are
//! checked at the instant of every crash, after every recovery, after every
//! clean shutdown and at the end.

use std::collections::BTreeSet;

use engine::create::create_database;
use engine::instance::{DbState, Instance, ShutdownMode};
use engine::{DbError, DbParams, Plant};
use invariants::{Model, Violation};
use serde::Serialize;

use crate::config::{RunConfig, devices};
use crate::disk::{Disk, Fate, Fates, PowerLossReport};
use crate::rng::Prng;
use crate::script::{AlterSystem, FaultCmd, SqlStmt, Statement, print_statement};
use crate::trace::{Trace, TraceLine};

/// Why a copy ([`Run::copy_file`]) stopped.
#[derive(Debug)]
pub(crate) enum CopyError {
    /// The OS refused or the power failed.
    Io(engine::storage::IoErrorKind),
    /// DBWn, writing alongside the copy, terminated the instance.
    Died(DbError),
}

impl From<engine::storage::IoErrorKind> for CopyError {
    fn from(k: engine::storage::IoErrorKind) -> CopyError {
        CopyError::Io(k)
    }
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub seed: u64,
    /// Workload steps (default: the configuration's own count).
    pub steps: Option<usize>,
    pub plant: Option<Plant>,
    /// The release the run behaves as instead of the seed's (9i): `set
    /// release` in the printed scenario.
    pub release: Option<engine::params::Release>,
    /// Emit the alert-log trace through `tracing` (info level, target "redosim::trace").
    pub trace: bool,
    /// Print the run as a scenario ([`RunSummary::scenario`]) even when it
    /// passes; a failing run is always printed (it is what gets shrunk).
    pub print_scenario: bool,
    /// Read table T once more after the final startup
    /// ([`RunSummary::final_rows`]).
    pub final_rows: bool,
}

/// An invariant that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationReport {
    /// e.g. "INV-DATA-1".
    pub id: String,
    pub evidence: String,
    /// The step of the run where it was seen.
    pub step: usize,
}

/// How often a run reached the states the simulator exists to test
/// ("sometimes" properties: a sweep where one stays at zero never tested it).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Coverage {
    /// Power losses that struck a recovery in progress (INV-REC-2).
    pub crash_in_recovery: usize,
    /// Torn blocks crash recovery reported as corrupt (no protection).
    pub torn_reported: usize,
    /// Torn blocks crash recovery rebuilt from a logged image.
    pub torn_repaired: usize,
    /// Control-file copies the DBA replicated from a survivor.
    pub controlfile_replicated: usize,
    /// Log members the DBA re-created.
    pub log_member_recreated: usize,
    /// In-flight commits whose commit record survived the crash.
    pub in_doubt_committed: usize,
    /// In-flight commits whose commit record did not survive.
    pub in_doubt_lost: usize,
    /// Whole log groups lost (every member) by a fault.
    pub log_groups_lost: usize,
    /// Log groups the DBA cleared (ALTER DATABASE CLEAR LOGFILE).
    pub log_groups_cleared: usize,
    /// Stale control-file copies put back as current, and how many OPEN
    /// refused (ORA-01207 / ORA-00338 …) before touching anything.
    pub stale_controlfile_restored: usize,
    pub stale_controlfile_refused: usize,
    /// Commits whose durability in a log member was verified (INV-LOG-4).
    pub acks_verified: usize,
    /// RECOVER DATABASE | TABLESPACE | DATAFILE that ended with success.
    pub media_recoveries: usize,
    /// Datafiles restored: a copy onto a datafile the control file names,
    /// from another path.
    pub restores: usize,
    /// BEGIN BACKUP (a tablespace's or the whole database's) that succeeded.
    pub hot_backups: usize,
    /// Restore drills (INV-BK-2) that recovered every copy and compared.
    pub restore_drills: usize,
    /// Incomplete recoveries (UNTIL CANCEL | CHANGE | TIME) that ended
    /// with every file consistent at their point.
    pub incomplete_recoveries: usize,
    /// OPEN RESETLOGS that opened a new incarnation.
    pub resetlogs: usize,
    /// Control-file recoveries: recoveries USING BACKUP CONTROLFILE and
    /// CREATE CONTROLFILE that succeeded.
    pub controlfile_recoveries: usize,
    /// Must-fail probes (INV-FUZZY-4, INV-RL-3) the engine refused.
    pub refusals_demanded: usize,
    /// Media recoveries that read on through a RESETLOGS (10g): from an
    /// ancestor incarnation's redo into its child's.
    pub through_resetlogs: usize,
}

impl Coverage {
    pub fn add(&mut self, o: &Coverage) {
        self.crash_in_recovery += o.crash_in_recovery;
        self.torn_reported += o.torn_reported;
        self.torn_repaired += o.torn_repaired;
        self.controlfile_replicated += o.controlfile_replicated;
        self.log_member_recreated += o.log_member_recreated;
        self.in_doubt_committed += o.in_doubt_committed;
        self.in_doubt_lost += o.in_doubt_lost;
        self.log_groups_lost += o.log_groups_lost;
        self.log_groups_cleared += o.log_groups_cleared;
        self.stale_controlfile_restored += o.stale_controlfile_restored;
        self.stale_controlfile_refused += o.stale_controlfile_refused;
        self.acks_verified += o.acks_verified;
        self.media_recoveries += o.media_recoveries;
        self.restores += o.restores;
        self.hot_backups += o.hot_backups;
        self.restore_drills += o.restore_drills;
        self.incomplete_recoveries += o.incomplete_recoveries;
        self.resetlogs += o.resetlogs;
        self.controlfile_recoveries += o.controlfile_recoveries;
        self.refusals_demanded += o.refusals_demanded;
        self.through_resetlogs += o.through_resetlogs;
    }
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub seed: u64,
    pub plant: Option<String>,
    /// The release, when the run was asked for one other than the seed's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    pub steps: usize,
    pub crashes: usize,
    pub recoveries: usize,
    pub checks: usize,
    pub trace_hash: u64,
    /// A one-line description of the swarm configuration.
    pub config: String,
    pub violation: Option<ViolationReport>,
    /// The run ended early because the faults left the database
    /// unrecoverable by the procedures this engine has: why, and the fault
    /// behind it. Not a pass, not a violation: its own outcome.
    pub unrecoverable: Option<Unrecoverable>,
    pub coverage: Coverage,
    /// The running trace hash after each step (for INV-DET-1 comparisons).
    #[serde(skip)]
    pub step_hashes: Vec<u64>,
    /// The run printed as a scenario (empty for a passing run unless
    /// [`RunOptions::print_scenario`]): `redosim script` of it replays the
    /// run with the same trace hash.
    #[serde(skip)]
    pub scenario: String,
    /// Table T after the final startup, when [`RunOptions::final_rows`]
    /// asked and the run reached its end.
    #[serde(skip)]
    pub final_rows: Option<Vec<(u64, String)>>,
}

/// Why a run ended unrecoverable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unrecoverable {
    /// What failed and what is missing to go on, with the fault behind it.
    pub reason: String,
    /// The step of the run where it ended.
    pub step: usize,
}

impl RunSummary {
    /// No invariant was violated (the run may still have ended
    /// unrecoverable: see [`RunSummary::unrecoverable`]).
    pub fn passed(&self) -> bool {
        self.violation.is_none()
    }
    /// "held", "unrecoverable" or "violation".
    pub fn outcome(&self) -> &'static str {
        match (&self.violation, &self.unrecoverable) {
            (Some(_), _) => "violation",
            (None, Some(_)) => "unrecoverable",
            (None, None) => "held",
        }
    }
    /// The command that reproduces this run.
    pub fn repro_command(&self) -> String {
        repro_command(self.seed, self.plant.as_deref(), self.release.as_deref())
    }
}

/// The command that runs `seed` again with its trace, with the planted bug
/// and the release it ran with (by their names).
pub fn repro_command(seed: u64, plant: Option<&str>, release: Option<&str>) -> String {
    let plant = plant.map(|p| format!(" --plant {p}")).unwrap_or_default();
    let release = release
        .map(|r| format!(" --release {r}"))
        .unwrap_or_default();
    format!("redosim run --seed {seed}{plant}{release} --trace")
}

/// Why a run stopped early.
#[derive(Debug)]
pub(crate) enum Halt {
    Violation(Violation),
    /// The faults left the database unrecoverable in this engine (explained).
    Unrecoverable(String),
}

impl From<Violation> for Halt {
    fn from(v: Violation) -> Halt {
        Halt::Violation(v)
    }
}

pub(crate) type Flow<T = ()> = Result<T, Halt>;

/// An operation of the workload or the fault plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Insert {
        session: u32,
        k: u64,
        v: String,
    },
    Update {
        session: u32,
        k: u64,
        v: String,
    },
    Delete {
        session: u32,
        k: u64,
    },
    Commit {
        session: u32,
    },
    Rollback {
        session: u32,
    },
    Checkpoint,
    SwitchLogfile,
    Dbwr {
        buffers: usize,
    },
    Archive,
    ShutdownClean,
    ShutdownAbort,
    PowerLoss,
    CrashPoint {
        after_io: u64,
    },
    LoseFile {
        path: String,
    },
    /// Every member of a log group, while the database is open or after a
    /// clean shutdown (`closed`).
    LoseLogGroup {
        group: u32,
        closed: bool,
    },
    /// An OS copy of the control file (`host cp`), taken while open.
    SaveControlfile,
    /// SHUTDOWN ABORT, then that copy put back over every control file.
    RestoreStaleControlfile,
    /// ALTER TABLESPACE X BEGIN BACKUP (a hot backup starts).
    BeginBackup {
        tablespace: String,
    },
    /// `host cp` of the files of the tablespace in backup mode.
    HotCopy,
    /// ALTER TABLESPACE X END BACKUP.
    EndBackup {
        tablespace: String,
    },
    /// A clean shutdown, a copy of every datafile, STARTUP.
    ColdBackup,
    /// A datafile lost, while open or after a clean shutdown.
    LoseDatafile {
        file: u32,
        closed: bool,
    },
    /// One database block rotted on disk (block 0: the header, noticed at
    /// a startup that follows at once).
    CorruptBlock {
        file: u32,
        block: u32,
    },
    /// A user deletes rows by mistake and commits; the DBA undoes it with
    /// a restore and RECOVER DATABASE UNTIL CHANGE (seed case 28).
    UserError,
    /// SHUTDOWN ABORT, then OPEN RESETLOGS tried on the crashed (online-
    /// fuzzy) files after an UNTIL CANCEL stopped at once: it must be
    /// refused (INV-FUZZY-4); complete recovery follows.
    ProbeFuzzyResetlogs,
    /// A clean shutdown and one datafile put back from an older copy, then
    /// OPEN RESETLOGS tried after an UNTIL CANCEL stopped at once: the
    /// other files are past that point, so it must be refused (INV-RL-2);
    /// complete recovery follows.
    ProbeInconsistentResetlogs,
    /// SHUTDOWN ABORT, and every control-file copy lost (S-CF-1).
    LoseEveryControlfile,
    /// SHUTDOWN ABORT, and every member of every online log lost (S-LOSS-3).
    LoseOnlineLogs,
    /// An archived log lost from the archive destination (S-LOSS-4).
    LoseArchivedLog {
        name: String,
    },
}

/// Where the runner keeps its OS copy of the control file.
pub(crate) const CONTROLFILE_COPY: &str = "/u01/oradata/SIM/cfcopy/control.ctl";

/// The state of one run.
pub(crate) struct Run {
    pub cfg: RunConfig,
    pub p: DbParams,
    pub steps: usize,
    pub step: usize,
    pub inst: Option<Instance<Disk>>,
    pub disk: Option<Disk>,
    pub model: Model,
    pub trace: Trace,
    pub workload: Prng,
    pub faults: Prng,
    pub power: Prng,
    pub planner: Prng,
    /// Whether DBWn writes the block a copy is reading (`host cp` of an
    /// open database's datafile, S-BK-2). Drawn only by copies, so no other
    /// stream shifts.
    pub copy: Prng,
    pub crashes: usize,
    pub recoveries: usize,
    pub checks: usize,
    pub value_counter: u64,
    /// A power loss struck the recovery in progress.
    pub crash_in_recovery: bool,
    /// The checks after OPEN already ran at an OPEN in the middle of the
    /// recovery procedure (the files it left offline brought back after
    /// it), where a script runs them: not again when the procedure ends.
    pub checked_at_open: bool,
    /// The SCN of the last instance seen, for trace lines while none runs.
    pub last_scn: u64,
    pub coverage: Coverage,
    /// The fates of the next power loss, when a scenario pins them
    /// (`resolve '…'`): per pending OS-block write and length change, and
    /// how many namespace ops are kept.
    pub pinned_fates: Option<Fates>,
    /// The session the last SQL operation ran in (the trace names a change).
    pub current_session: u32,
    /// Every statement the run executed, as a scenario replays it: the
    /// workload, the faults, the DBA's steps, `expect error` after each
    /// failure and `resolve` after each crash.
    pub tape: Vec<Statement>,
    /// Where the last crash statement stands on the tape, until its power
    /// loss happens and its `resolve` is written after it.
    pub resolve_at: Option<usize>,
    pub seed: u64,
    /// The simulated clock: one tick per statement that reaches the engine.
    pub clock: u64,
    /// A crash point the next recovery arms (a plan's
    /// [`crate::plan::Step::CrashInNextRecovery`]) instead of drawing one.
    pub next_recovery_crash: Option<u64>,
    /// An OS copy of the control file exists at [`CONTROLFILE_COPY`].
    pub controlfile_copy: bool,
    /// Steps until that copy is put back over the control files.
    pub stale_restore_in: Option<u64>,
    /// Why the run ended unrecoverable, if it did.
    pub unrecoverable: Option<Unrecoverable>,
    /// Backups and media faults: their own stream, drawn once a step.
    pub media: Prng,
    /// How often (per thousand steps) a step is a backup or a media fault.
    pub media_per_mille: u64,
    /// The user-managed backups the run took.
    pub backups: crate::media::Backups,
    /// When the restore drill (INV-BK-2) runs: a stream of its own.
    pub drill: Prng,
}

thread_local! {
    /// The step the run on this thread is at: a panic report names it.
    static STEP: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Where the last panic on this thread happened, when [`quiet_panics`]
    /// replaced the default hook.
    static PANIC_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Replaces the default panic hook, which prints a message and maybe a
/// backtrace to stderr, with one that only records where the panic
/// happened: a run's panic is caught and reported as an INV-REC-1 violation
/// naming that place, and a soak over thousands of seeds keeps its output
/// to the summary.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        PANIC_AT.with(|p| *p.borrow_mut() = at);
    }));
}

/// The comment a printed run opens with.
fn scenario_header(opts: &RunOptions, config: &str) -> String {
    let plant = opts
        .plant
        .map(|p| format!(" --plant {}", p.name()))
        .unwrap_or_default();
    format!(
        "# The run of `redosim run --seed {}{plant}`, printed as a scenario:\n# `redosim script` of this file replays it with the same trace hash.\n# config: {config}\n",
        opts.seed
    )
}

/// Runs one seed. A panic anywhere in the run is itself a violation
/// (INV-REC-1: no panic), reported with its message.
pub fn run_seed(opts: &RunOptions) -> RunSummary {
    let cfg = config_of(opts);
    let header = scenario_header(opts, &cfg.describe());
    run_with(opts, cfg, &header, &mut |run| Some(run.pick_op()))
}

/// [`run_seed`], also returning every line of its trace (for `redosim
/// report`). The run is the same: same steps, same hash.
pub fn run_seed_traced(opts: &RunOptions) -> (RunSummary, Vec<TraceLine>) {
    let cfg = config_of(opts);
    let header = scenario_header(opts, &cfg.describe());
    let mut lines = Vec::new();
    let summary = run_kept(
        opts,
        cfg,
        &header,
        &mut |run| Some(run.pick_op()),
        Some(&mut lines),
    );
    (summary, lines)
}

/// The seed's configuration, with the options' release.
fn config_of(opts: &RunOptions) -> RunConfig {
    let mut cfg = RunConfig::from_seed(opts.seed);
    if let Some(r) = opts.release {
        cfg.release = r;
    }
    cfg
}

/// Where a run's operations come from: the seed's workload stream, or a
/// plan. `None` skips a step (a plan's step that has nothing to act on).
pub(crate) type OpSource<'a> = dyn FnMut(&mut Run) -> Option<Op> + 'a;

/// Runs `cfg` with operations from `next`, and sums the run up; a printed
/// scenario opens with `header`.
pub(crate) fn run_with(
    opts: &RunOptions,
    cfg: RunConfig,
    header: &str,
    next: &mut OpSource,
) -> RunSummary {
    run_kept(opts, cfg, header, next, None)
}

/// [`run_with`], putting the trace lines into `kept` when given.
fn run_kept(
    opts: &RunOptions,
    cfg: RunConfig,
    header: &str,
    next: &mut OpSource,
    mut kept: Option<&mut Vec<TraceLine>>,
) -> RunSummary {
    let keep_trace = kept.is_some();
    let config = cfg.describe();
    STEP.with(|s| s.set(0));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut run = Run::new(opts, cfg);
        if keep_trace {
            run.trace.keep_lines();
        }
        let r = run.run(next);
        let rows = match (&r, opts.final_rows) {
            (Ok(()), true) => run.final_rows(),
            _ => None,
        };
        (r, run, rows)
    }));
    let plant = opts.plant.map(|p| p.name().to_string());
    let release = opts
        .release
        .map(|r| crate::script::Release::of_engine(r).name().to_string());
    match outcome {
        Ok((r, mut run, final_rows)) => {
            if let Some(kept) = kept.as_mut() {
                **kept = run.trace.take_lines();
            }
            RunSummary {
                seed: opts.seed,
                plant,
                release: release.clone(),
                steps: run.step,
                crashes: run.crashes,
                recoveries: run.recoveries,
                checks: run.checks,
                trace_hash: run.trace.hash(),
                // Printing the tape costs time: only for a failure, or when asked.
                scenario: if opts.print_scenario || matches!(r, Err(Halt::Violation(_))) {
                    run.scenario_text(header)
                } else {
                    String::new()
                },
                config,
                violation: match r {
                    Err(Halt::Violation(v)) => Some(ViolationReport {
                        id: v.id.to_string(),
                        evidence: v.evidence,
                        step: run.step,
                    }),
                    _ => None,
                },
                unrecoverable: run.unrecoverable,
                coverage: run.coverage,
                step_hashes: run.trace.per_step,
                final_rows,
            }
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            let msg = match PANIC_AT.with(|p| p.borrow_mut().take()) {
                Some(at) => format!("{msg} (at {at})"),
                None => msg,
            };
            let step = STEP.with(|s| s.get());
            let v = invariants::recovery::check_panic(&format!("step {step}"), &msg, false);
            RunSummary {
                seed: opts.seed,
                plant,
                release: release.clone(),
                steps: 0,
                crashes: 0,
                recoveries: 0,
                checks: 0,
                trace_hash: 0,
                config,
                violation: Some(ViolationReport {
                    id: v.id.to_string(),
                    evidence: v.evidence,
                    step,
                }),
                unrecoverable: None,
                coverage: Coverage::default(),
                step_hashes: Vec::new(),
                scenario: String::new(),
                final_rows: None,
            }
        }
    }
}

impl Run {
    pub(crate) fn new(opts: &RunOptions, cfg: RunConfig) -> Run {
        let p = cfg.params(opts.plant);
        let mut disk = Disk::new(cfg.os_block_size);
        for (name, prefix) in devices(&p) {
            disk.add_device(&name, &prefix, cfg.garbage_devices.contains(&name));
        }
        disk.set_fate_weights(cfg.fate_weights());
        let mut model = Model::new();
        model.torn_block_protection = p.torn_block_protection;
        model.controlfile_paths = p.control_files.clone();
        Run {
            steps: opts.steps.unwrap_or(cfg.steps),
            p,
            step: 0,
            inst: None,
            disk: Some(disk),
            model,
            trace: Trace::new(opts.trace),
            workload: Prng::new(opts.seed, "workload"),
            faults: Prng::new(opts.seed, "faults"),
            power: Prng::new(opts.seed, "power"),
            planner: Prng::new(opts.seed, "planner"),
            copy: Prng::new(opts.seed, "copy"),
            crashes: 0,
            recoveries: 0,
            checks: 0,
            value_counter: 0,
            crash_in_recovery: false,
            checked_at_open: false,
            last_scn: 0,
            coverage: Coverage::default(),
            pinned_fates: None,
            current_session: 0,
            tape: Vec::new(),
            resolve_at: None,
            seed: opts.seed,
            clock: 1000,
            next_recovery_crash: None,
            controlfile_copy: false,
            stale_restore_in: None,
            unrecoverable: None,
            media: Prng::new(opts.seed, "media"),
            media_per_mille: {
                let mut r = Prng::new(opts.seed, "media-config");
                *r.pick(&[0u64, 15, 30, 60])
            },
            backups: crate::media::Backups::default(),
            drill: Prng::new(opts.seed, "drill"),
            cfg,
        }
    }

    fn run(&mut self, next: &mut OpSource) -> Flow {
        let r = self.run_inner(next);
        match r {
            Err(Halt::Unrecoverable(why)) => {
                self.note(&format!("-- run stopped, unrecoverable: {why}"));
                self.unrecoverable = Some(Unrecoverable {
                    reason: why,
                    step: self.step,
                });
                Ok(())
            }
            other => other,
        }
    }

    fn run_inner(&mut self, next: &mut OpSource) -> Flow {
        self.note(&format!("-- config: {}", self.cfg.describe()));
        create_database(self.disk.as_mut().expect("disk"), &self.p, 1)
            .expect("creating the database on a fresh disk cannot fail");
        self.note("CREATE DATABASE SIM: database created and shut down cleanly");
        // A site takes its first backup before it goes live.
        self.first_backup()?;
        self.recover()?;
        while self.step < self.steps {
            self.step += 1;
            STEP.with(|s| s.set(self.step));
            if self
                .inst
                .as_ref()
                .is_none_or(|i| i.state() != DbState::Open)
            {
                self.recover()?;
                // A file a procedure cut short left offline comes back first.
                self.media_housekeeping()?;
            }
            if let Some(op) = next(self) {
                self.exec(op)?;
                self.dba_housekeeping()?;
            }
            self.trace.end_step();
        }
        self.finish()
    }

    /// The end of a run: a clean shutdown, the checks of a closed database,
    /// a last startup and its checks.
    fn finish(&mut self) -> Flow {
        self.step += 1;
        for _ in 0..20 {
            if self.inst.is_none() {
                self.recover()?;
            }
            if self.shutdown_clean()? {
                self.recover()?;
                self.trace.end_step();
                return Ok(());
            }
        }
        Err(Halt::Violation(Violation::new(
            "INV-REC-1",
            "the database could not be shut down cleanly in 20 attempts",
        )))
    }

    /// Table T as the final startup opened it (None if it could not be read
    /// whole).
    fn final_rows(&mut self) -> Option<Vec<(u64, String)>> {
        let scan = self.inst.as_mut()?.scan().ok()?;
        (scan.unreadable_blocks.is_empty() && scan.unreadable_rows.is_empty()).then_some(scan.rows)
    }

    // ----- the workload ----------------------------------------------------

    fn pick_op(&mut self) -> Op {
        // The stale copy goes back a few steps after it was taken, while the
        // database has moved on only a little (a log switch, a checkpoint):
        // the states where telling it from the current one is hardest.
        match self.stale_restore_in {
            Some(0) => {
                self.stale_restore_in = None;
                return Op::RestoreStaleControlfile;
            }
            Some(n) => self.stale_restore_in = Some(n - 1),
            None => {}
        }
        if let Some(op) = self.pick_media_op() {
            return op;
        }
        let w = &self.cfg.weights;
        let weights = [
            w.dml,
            w.commit,
            w.rollback,
            w.checkpoint,
            w.switch_logfile,
            w.dbwr,
            w.archive,
            w.shutdown_clean,
            w.shutdown_abort,
            w.power_loss,
            w.crash_point,
            w.lose_log_member,
            w.lose_controlfile,
        ];
        let sessions = self.cfg.sessions;
        let r = &mut self.workload;
        let session = 1 + r.below(u64::from(sessions)) as u32;
        match r.weighted(&weights) {
            0 => {
                let k = r.below(self.cfg.keys);
                self.value_counter += 1;
                let v = format!("v{}", self.value_counter);
                match r.below(5) {
                    0 | 1 => Op::Insert { session, k, v },
                    2 | 3 => Op::Update { session, k, v },
                    _ => Op::Delete { session, k },
                }
            }
            1 => Op::Commit { session },
            2 => Op::Rollback { session },
            3 => Op::Checkpoint,
            4 => Op::SwitchLogfile,
            5 => Op::Dbwr {
                buffers: 1 + r.below(8) as usize,
            },
            6 => Op::Archive,
            7 => Op::ShutdownClean,
            8 => Op::ShutdownAbort,
            9 => Op::PowerLoss,
            10 => Op::CrashPoint {
                after_io: 1 + self.faults.below(self.cfg.crash_point_ios),
            },
            // Whole groups and stale control files are rarer than lost
            // members and copies: most of them end the run until
            // incomplete and control-file recovery exist.
            11 => match self.faults.below(10) {
                0 => self.pick_log_group_loss(),
                _ => self.pick_log_member_loss().unwrap_or(Op::Checkpoint),
            },
            _ => match self.faults.below(16) {
                0..2 if !self.controlfile_copy => Op::SaveControlfile,
                _ => self.pick_controlfile_loss().unwrap_or(Op::SwitchLogfile),
            },
        }
    }

    /// Every member of one group (current, active or inactive alike), while
    /// open or after a clean shutdown.
    fn pick_log_group_loss(&mut self) -> Op {
        let group = 1 + self.faults.below(self.p.log_groups.len() as u64) as u32;
        let closed = self.faults.chance(1, 3);
        Op::LoseLogGroup { group, closed }
    }

    /// A member of a non-current group whose twin is valid and present.
    fn pick_log_member_loss(&mut self) -> Option<Op> {
        let candidates = self.log_member_candidates();
        if candidates.is_empty() {
            return None;
        }
        Some(Op::LoseFile {
            path: self.faults.pick(&candidates).clone(),
        })
    }

    /// The log members that may be lost without losing a group: members of
    /// non-current groups whose twins are valid and present.
    pub(crate) fn log_member_candidates(&self) -> Vec<String> {
        let Some(inst) = self.inst.as_ref() else {
            return Vec::new();
        };
        let Some(cf) = inst.controlfile() else {
            return Vec::new();
        };
        let disk = inst.storage();
        let mut candidates = Vec::new();
        for g in cf
            .log_groups
            .iter()
            .filter(|g| g.status != engine::controlfile::LogStatus::Current)
        {
            let valid: Vec<&String> = g
                .members
                .iter()
                .filter(|m| {
                    m.status == engine::controlfile::MemberStatus::Valid
                        && !self.model.lost_files.contains(&m.path)
                })
                .map(|m| &m.path)
                .collect();
            if valid.len() >= 2
                && valid
                    .iter()
                    .all(|p| engine::storage::Storage::exists(disk, p))
            {
                candidates.extend(valid.into_iter().cloned());
            }
        }
        candidates
    }

    /// One control-file copy, when there are several and none is lost.
    fn pick_controlfile_loss(&mut self) -> Option<Op> {
        if !self.may_lose_controlfile() {
            return None;
        }
        let path = self.faults.pick(&self.p.control_files).clone();
        Some(Op::LoseFile { path })
    }

    /// A control-file copy may be lost when there are several and none is.
    pub(crate) fn may_lose_controlfile(&self) -> bool {
        self.p.control_files.len() >= 2
            && !self
                .p
                .control_files
                .iter()
                .any(|c| self.model.lost_files.contains(c))
    }

    pub(crate) fn exec(&mut self, op: Op) -> Flow {
        if let Some(s) = op.session()
            && s != self.current_session
        {
            self.current_session = s;
            self.note(&print_statement(&Statement::Session(session_name(s))));
            self.record(Statement::Session(session_name(s)));
        }
        match op {
            Op::LoseLogGroup { group, closed } => return self.lose_log_group(group, closed),
            Op::RestoreStaleControlfile => return self.restore_stale_controlfile(),
            Op::BeginBackup { .. }
            | Op::HotCopy
            | Op::EndBackup { .. }
            | Op::ColdBackup
            | Op::LoseDatafile { .. }
            | Op::CorruptBlock { .. }
            | Op::UserError
            | Op::ProbeFuzzyResetlogs
            | Op::ProbeInconsistentResetlogs
            | Op::LoseEveryControlfile
            | Op::LoseOnlineLogs
            | Op::LoseArchivedLog { .. } => return self.exec_media(op),
            _ => {}
        }
        let st = op.statement();
        if op != Op::ShutdownClean {
            self.note(&format!(
                "{}{}",
                crate::scenario::prompt(&st),
                print_statement(&st)
            ));
            self.record(st);
        }
        let r = match op {
            Op::Insert { session, k, v } => self.dml(session, k, Some(v), |i, s, k, v| {
                i.insert(s, k, v.expect("value"))
            }),
            Op::Update { session, k, v } => self.dml(session, k, Some(v), |i, s, k, v| {
                i.update(s, k, v.expect("value"))
            }),
            Op::Delete { session, k } => self.dml(session, k, None, |i, s, k, _| i.delete(s, k)),
            Op::Commit { session } => {
                self.model.commit_issued(session);
                let xid = self.inst_mut().session_xid(session);
                let before = self.inst_mut().redo_write_position();
                let r = self.inst_mut().commit(session);
                match &r {
                    Ok(scn) => {
                        self.model.commit_acked(session, *scn);
                        self.drain_alerts();
                        self.verify_ack(*scn, xid, before)?;
                    }
                    Err(DbError::Ora(_)) => self.model.commit_failed(session),
                    Err(_) => {}
                }
                r.map(|_| ())
            }
            Op::Rollback { session } => {
                let r = self.inst_mut().rollback(session);
                if r.is_ok() {
                    self.model.rollback(session);
                }
                r
            }
            Op::Checkpoint => self.inst_mut().checkpoint().map(|_| ()),
            Op::SwitchLogfile => self.inst_mut().switch_logfile(),
            Op::Dbwr { buffers } => self.inst_mut().dbwr_tick(buffers).map(|_| ()),
            Op::Archive => (|| {
                while self.inst_mut().arch_tick()?.is_some() {}
                Ok(())
            })(),
            Op::ShutdownClean => {
                if self.shutdown_clean()? {
                    return self.recover();
                }
                return Ok(());
            }
            Op::ShutdownAbort => {
                let r = self.inst_mut().shutdown(ShutdownMode::Abort);
                self.drain_alerts();
                debug_assert!(r.is_ok());
                return self.instance_died();
            }
            Op::PowerLoss => {
                self.disk_mut().cut_power();
                return self.instance_died();
            }
            Op::CrashPoint { after_io } => {
                self.disk_mut().arm_crash(after_io);
                Ok(())
            }
            Op::LoseFile { path } => {
                self.disk_mut().lose_file(&path);
                self.model.lost_files.insert(path);
                Ok(())
            }
            Op::SaveControlfile => {
                let src = self.p.control_files[0].clone();
                let disk = self.disk_mut();
                match crate::planner::copy_file(disk, &src, CONTROLFILE_COPY) {
                    Ok(()) => {
                        self.controlfile_copy = true;
                        self.stale_restore_in = Some(self.faults.below(8));
                        Ok(())
                    }
                    Err(engine::storage::IoErrorKind::PowerLost) => {
                        return self.instance_died();
                    }
                    Err(_) => Ok(()), // the copy is missing: nothing to put back
                }
            }
            Op::LoseLogGroup { .. }
            | Op::RestoreStaleControlfile
            | Op::BeginBackup { .. }
            | Op::HotCopy
            | Op::EndBackup { .. }
            | Op::ColdBackup
            | Op::LoseDatafile { .. }
            | Op::CorruptBlock { .. }
            | Op::UserError
            | Op::ProbeFuzzyResetlogs
            | Op::ProbeInconsistentResetlogs
            | Op::LoseEveryControlfile
            | Op::LoseOnlineLogs
            | Op::LoseArchivedLog { .. } => unreachable!("handled above"),
        };
        self.drain_alerts();
        if let Some(i) = self.inst.as_ref() {
            self.model.saw_scn(i.current_scn());
        }
        self.after_call(r)
    }

    /// INV-LOG-4 on a commit just acknowledged at `scn` (None: nothing to
    /// commit), given the transaction and LGWR's position before the COMMIT.
    pub(crate) fn verify_ack(
        &mut self,
        scn: Option<u64>,
        xid: Option<engine::block::Xid>,
        before: Option<(u32, u32, u32)>,
    ) -> Flow {
        let (Some(scn), Some(xid), Some(before)) = (scn, xid, before) else {
            return Ok(());
        };
        let found = self.check_ack_durable(xid, scn, before);
        self.judge("of the acknowledged commit", found)
    }

    /// INV-LOG-4: an acknowledged commit's record must be durable in a
    /// member of the group LGWR wrote it to. The engine says where it
    /// wrote (its position before and after the commit); the check reads
    /// the members' durable bytes itself.
    fn check_ack_durable(
        &mut self,
        xid: engine::block::Xid,
        scn: u64,
        before: (u32, u32, u32),
    ) -> Vec<Violation> {
        let Some(after) = self.inst_mut().redo_write_position() else {
            return Vec::new();
        };
        let (group, seq, end) = after;
        let from = if before.1 == seq { before.2 } else { 1 };
        let members = self.p.log_groups[group as usize - 1].clone();
        let disk = self.inst.as_ref().expect("open instance").storage();
        let mut read = |path: &str, off: u64, buf: &mut [u8]| disk.read_durable(path, off, buf);
        let found = invariants::logs::check_commit_durable(
            &mut read,
            engine::storage::Storage::os_block_size(disk),
            &members,
            invariants::logs::AckedCommit {
                xid,
                scn,
                group,
                seq,
                from_block: from,
                end_block: end,
            },
        );
        self.coverage.acks_verified += 1;
        found
    }

    /// Loses every member of `group`: while open, or after a clean shutdown.
    fn lose_log_group(&mut self, group: u32, closed: bool) -> Flow {
        if closed && !self.shutdown_clean()? {
            return Ok(()); // the shutdown crashed: recovered instead
        }
        let st = Statement::Fault(FaultCmd::LoseLogGroup {
            group: crate::script::GroupRef::Number(u64::from(group)),
            member: None,
        });
        self.note(&print_statement(&st));
        self.record(st);
        self.coverage.log_groups_lost += 1;
        // Redo of a sequence the group held and ARCn had not archived is
        // gone for good: a media recovery that needs it must stop there.
        if let Some(g) = self
            .current_controlfile()
            .and_then(|c| c.group(group).cloned())
            && g.seq > 0
            && !g.archived
        {
            let inc = self.current_controlfile().map_or(1, |c| c.incarnation.id());
            let name = self.p.archive_name(1, g.seq, inc);
            self.model.lost_archives.insert(name);
        }
        for path in self.p.log_groups[group as usize - 1].clone() {
            self.disk_mut().lose_file(&path);
            self.model.garbled_files.remove(&path);
            self.model.lost_files.insert(path);
        }
        Ok(())
    }

    /// The DBA's mistake: SHUTDOWN ABORT, then the OS copy of the control
    /// file taken earlier put back over every copy (S-CF-2). OPEN must
    /// refuse it if anything it does not know of happened since.
    fn restore_stale_controlfile(&mut self) -> Flow {
        self.note("SQL> shutdown abort");
        self.record(Statement::Shutdown(ShutdownMode::Abort));
        let _ = self.inst_mut().shutdown(ShutdownMode::Abort);
        self.drain_alerts();
        self.instance_gone()?;
        self.coverage.stale_controlfile_restored += 1;
        self.model.stale_controlfile = Some(CONTROLFILE_COPY.into());
        self.backups.controlfile_recreated = false;
        // The next mistake starts from a fresh copy.
        self.controlfile_copy = false;
        for dst in self.p.control_files.clone() {
            self.note(&format!("SQL> host cp {CONTROLFILE_COPY} {dst}"));
            self.record(Statement::Host(crate::script::HostCmd::Cp {
                src: CONTROLFILE_COPY.into(),
                dst: dst.clone(),
            }));
            let disk = self.disk.as_mut().expect("disk");
            match crate::planner::copy_file(disk, CONTROLFILE_COPY, &dst) {
                Ok(()) => {
                    self.model.lost_files.remove(&dst);
                    self.model.struck_files.remove(&dst);
                }
                Err(engine::storage::IoErrorKind::PowerLost) => {
                    self.model.struck_files.insert(dst.clone());
                    self.power_loss();
                    self.crash_checks()?;
                    break;
                }
                Err(_) => {}
            }
        }
        self.recover()
    }

    /// After `alter database clear [unarchived] logfile group G` succeeded:
    /// its members are whole again. (A sequence cleared unarchived is a gap
    /// the DBA chose in the archived logs: `model.cleared_unarchived`,
    /// recorded before the attempt, since a clear cut short may still have
    /// reached a control-file copy.)
    pub(crate) fn cleared_logfile(&mut self, group: u32) {
        for path in self.p.log_groups[group as usize - 1].clone() {
            self.model.lost_files.remove(&path);
            self.model.garbled_files.remove(&path);
        }
        self.coverage.log_groups_cleared += 1;
    }

    /// Judges a call's result: a dead instance is recovered, an ORA error
    /// must be one the workload expects or one a fault explains.
    pub(crate) fn after_call(&mut self, r: Result<(), DbError>) -> Flow {
        if let Err(e) = &r {
            self.record_error(e);
        }
        match r {
            Ok(()) => Ok(()),
            Err(DbError::Terminated { power_lost, stack }) => {
                self.judge_termination("a statement", power_lost, &stack, false)?;
                self.instance_died()
            }
            Err(DbError::Ora(s)) => {
                self.note(&s.to_string());
                // Errors a workload meets in normal life.
                if matches!(s.code(), 1 | 54 | 1554 | 1653 | 30036) {
                    return Ok(());
                }
                match invariants::recovery::check_failure("a statement", &s, &self.model, false) {
                    Some(v) => Err(v.into()),
                    None => Ok(()),
                }
            }
        }
    }

    /// INV-REC-1 judges every termination: one that no power loss caused
    /// must be explained by a fault (INV-REC-2 after a crash in recovery).
    pub(crate) fn judge_termination(
        &mut self,
        during: &str,
        power_lost: bool,
        stack: &engine::OraStack,
        after_crash_in_recovery: bool,
    ) -> Flow {
        if power_lost || stack.0.is_empty() {
            return Ok(());
        }
        match invariants::recovery::check_failure(
            &format!("{during} terminated the instance:"),
            stack,
            &self.model,
            after_crash_in_recovery,
        ) {
            Some(v) => Err(v.into()),
            None => Ok(()),
        }
    }

    fn dml<F>(&mut self, session: u32, k: u64, v: Option<String>, f: F) -> Result<(), DbError>
    where
        F: Fn(&mut Instance<Disk>, u32, u64, Option<&str>) -> Result<u32, DbError>,
    {
        let inst = self.inst.as_mut().expect("open instance");
        let n = f(inst, session, k, v.as_deref())?;
        if n > 0 {
            let xid = inst
                .session_xid(session)
                .expect("a changed row has a transaction");
            self.model.write(session, xid, k, v);
        }
        Ok(())
    }

    /// SHUTDOWN IMMEDIATE and the checks of a closed database. Returns
    /// whether it succeeded; on a crash during the shutdown the instance is
    /// recovered instead.
    pub(crate) fn shutdown_clean(&mut self) -> Flow<bool> {
        // A hot backup in progress ends first (a forgotten one too: the
        // shutdown would refuse with ORA-01149, and the DBA would see it).
        if let Some(h) = self.backups.hot.clone() {
            self.say(Statement::AlterTablespace {
                tablespace: h.tablespace.clone(),
                action: crate::script::TablespaceAction::EndBackup,
            });
            let r = self.inst_mut().end_backup(Some(&h.tablespace));
            self.drain_alerts();
            match r {
                Ok(()) => self.backups.hot = None,
                Err(e @ DbError::Terminated { .. }) => {
                    self.record_error(&e);
                    self.instance_died()?;
                    return Ok(false);
                }
                Err(DbError::Ora(s)) => {
                    let v =
                        invariants::recovery::check_failure("end backup", &s, &self.model, false);
                    return Err(Halt::Violation(v.unwrap_or_else(|| {
                        Violation::new("INV-REC-1", format!("end backup failed: {s}"))
                    })));
                }
            }
        }
        let mode = ShutdownMode::Immediate;
        self.note("SQL> shutdown immediate");
        self.record(Statement::Shutdown(mode));
        let sessions = self.model.open_sessions();
        let r = self.inst_mut().shutdown(mode);
        self.drain_alerts();
        match r {
            Ok(()) => {
                for s in sessions {
                    self.model.rollback(s);
                }
                let inst = self.inst.take().expect("instance");
                self.disk = Some(inst.into_storage());
                self.note("Database closed.\nDatabase dismounted.\nORACLE instance shut down.");
                self.checks_after_clean_shutdown()?;
                Ok(true)
            }
            Err(e @ DbError::Terminated { .. }) => {
                self.record_error(&e);
                self.instance_died()?;
                Ok(false)
            }
            Err(DbError::Ora(s)) => {
                let v = invariants::recovery::check_failure("shutdown", &s, &self.model, false);
                Err(Halt::Violation(v.unwrap_or_else(|| {
                    Violation::new("INV-REC-1", format!("shutdown failed: {s}"))
                })))
            }
        }
    }

    // ----- crashes ---------------------------------------------------------

    /// The instance is gone: resolve the power loss if there was one, check
    /// the durable state at the crash instant, then recover.
    pub(crate) fn instance_died(&mut self) -> Flow {
        self.instance_gone()?;
        self.recover()
    }

    /// The instance is gone (and the power, if it failed): the model drops
    /// what died with it, the power loss is resolved, and the durable state
    /// is checked at the crash instant. Nothing is recovered yet.
    pub(crate) fn instance_gone(&mut self) -> Flow {
        self.model.instance_died();
        self.media_after_crash();
        if let Some(inst) = self.inst.take() {
            self.disk = Some(inst.into_storage());
        }
        if self.disk_mut().is_powered_off() {
            self.power_loss();
        }
        self.crash_checks()
    }

    /// Resolves a power loss and records in the model which datafile blocks
    /// it tore.
    pub(crate) fn power_loss(&mut self) {
        let disk = self.disk.as_mut().expect("disk");
        // The seed decides the fates on a snapshot; the real resolution is
        // always the explicit one, so a printed `resolve` replays it exactly.
        let fates = match self.pinned_fates.take() {
            Some(pinned) => pinned,
            None => disk.draw_power_loss(&mut self.power).fates(),
        };
        let report = disk.power_loss_resolved(&fates);
        // What the power loss struck: the I/O an armed crash point failed,
        // and every write in flight (garbled when it came back as garbage).
        if let Some(path) = disk.take_struck() {
            self.model.struck_files.insert(path);
        }
        for w in &report.writes {
            self.model.struck_files.insert(w.path.clone());
            if w.fate == Fate::Garbage {
                self.model.garbled_files.insert(w.path.clone());
            }
        }
        if let Some(at) = self.resolve_at.take() {
            let letters = report.fates_string();
            // An empty resolve does not parse; an extra fate is ignored.
            let fates = if letters.is_empty() {
                "a".to_string()
            } else {
                letters
            };
            self.tape.insert(
                at + 1,
                Statement::Resolve {
                    fates,
                    namespace: Some(report.namespace_ops_kept as u64),
                },
            );
        }
        self.crashes += 1;
        self.model.power_losses += 1;
        if self.crash_in_recovery {
            self.coverage.crash_in_recovery += 1;
        }
        // The datafiles by path: the control file's names (a file re-created
        // elsewhere lives there now); the parameters' without a readable copy.
        let mut paths: std::collections::BTreeMap<String, u32> = Default::default();
        if let Ok(Some(cf)) = engine::inspect::newest_controlfile(disk, &self.p) {
            paths.extend(cf.datafiles.iter().map(|r| (r.name.clone(), r.file_no)));
        }
        if paths.is_empty() {
            paths.extend(self.p.datafiles.iter().map(|f| (f.path.clone(), f.file_no)));
        }
        let torn = self.torn_blocks(&report, &paths);
        let scn = self.last_scn;
        let step = self.step;
        self.trace.event(step, scn, &format!(
            "-- power lost: {} pending OS-block writes resolved '{}', {} of {} namespace changes kept{}",
            report.writes.len(),
            report.fates_string(),
            report.namespace_ops_kept,
            report.namespace_ops_pending,
            if torn.is_empty() { String::new() } else { format!(", torn blocks {torn:?}") }
        ));
        self.model.torn.extend(torn);
    }

    /// Datafile blocks whose pending OS-block writes did not all share one
    /// fate, or came back as garbage: possibly torn.
    fn torn_blocks(
        &self,
        report: &PowerLossReport,
        paths: &std::collections::BTreeMap<String, u32>,
    ) -> BTreeSet<(u32, u32)> {
        let per_block = (self.p.db_block_size / self.cfg.os_block_size) as u64;
        let mut fates: std::collections::BTreeMap<(u32, u32), (bool, bool, bool)> =
            Default::default();
        for w in &report.writes {
            let Some(&file_no) = paths.get(&w.path) else {
                continue;
            };
            let e = fates
                .entry((file_no, (w.os_block / per_block) as u32))
                .or_default();
            match w.fate {
                Fate::Applied => e.0 = true,
                Fate::Dropped => e.1 = true,
                Fate::Garbage => e.2 = true,
            }
        }
        fates
            .into_iter()
            .filter(|(_, (a, d, g))| *g || (*a && *d))
            .map(|(dba, _)| dba)
            .collect()
    }

    // ----- helpers -----------------------------------------------------------

    /// Writes a statement on the tape; a crash statement waits for its
    /// `resolve`.
    pub(crate) fn record(&mut self, st: Statement) {
        if matches!(st, Statement::Crash { .. }) {
            self.resolve_at = Some(self.tape.len());
        }
        if crate::scenario::reaches_engine(&st) {
            self.tick();
        }
        self.tape.push(st);
    }

    /// The `expect error` a scenario needs after a statement failed this way.
    pub(crate) fn record_error(&mut self, e: &DbError) {
        let code = match e {
            DbError::Ora(s) => s.code(),
            DbError::Terminated {
                power_lost: true, ..
            } => 3113,
            DbError::Terminated { stack, .. } if stack.0.is_empty() => 3113,
            DbError::Terminated { stack, .. } => stack.code(),
        };
        self.tape.push(Statement::ExpectError(code));
    }

    /// One tick of the simulated clock: a statement reaches the engine.
    pub(crate) fn tick(&mut self) {
        self.clock += 1;
        let clock = self.clock;
        if let Some(i) = self.inst.as_mut() {
            i.set_time(clock);
        }
    }

    /// The run as a scenario: its configuration as the preamble, then every
    /// statement it executed. `redosim script` of this text replays the run.
    pub fn scenario_text(&self, header: &str) -> String {
        use crate::script::{Located, Script, Setting, print};
        let c = &self.cfg;
        let plant = self.p.plant.map(|p| Setting::Plant(p.name().to_string()));
        // 9i is the default: printed only when a run behaves as another
        // release, so every seed's printed run stays as it was.
        let release = (c.release != engine::params::Release::R9i)
            .then(|| Setting::Release(crate::script::Release::of_engine(c.release)));
        let settings = [
            Setting::Seed(self.seed),
            Setting::Archivelog(c.archivelog),
            Setting::LogGroups(c.log_groups as u64),
            Setting::LogMembers(c.log_members as u64),
            Setting::ControlFiles(c.control_files as u64),
            Setting::DbBlockSize(c.db_block_size as u64),
            Setting::OsBlockSize(c.os_block_size as u64),
            Setting::UsersDatafiles(c.users_datafiles as u64),
            Setting::TornBlockProtection(c.torn_block_protection),
            Setting::GarbageOnPowerLoss(!c.garbage_devices.is_empty()),
            Setting::CacheBuffers(c.cache_buffers as u64),
            Setting::LogBlocks(u64::from(c.log_blocks)),
            Setting::LogBuffer(c.log_buffer_bytes as u64),
            // The run schedules ARCn itself (`arch`): a replay must not add
            // passes of its own.
            Setting::AutoArchive(false),
        ];
        let script = Script {
            settings: settings
                .into_iter()
                .chain(release)
                .chain(plant)
                .map(Located::unlocated)
                .collect(),
            statements: self.tape.iter().cloned().map(Located::unlocated).collect(),
        };
        format!("{header}{}", print(&script))
    }

    pub(crate) fn inst_mut(&mut self) -> &mut Instance<Disk> {
        self.inst.as_mut().expect("an instance is running")
    }

    pub(crate) fn disk_mut(&mut self) -> &mut Disk {
        match self.inst.as_mut() {
            Some(i) => i.storage_mut(),
            None => self
                .disk
                .as_mut()
                .expect("the disk is here when no instance runs"),
        }
    }

    /// `cp SRC DST` on the simulated disk, as a real `cp` does it: the
    /// source is read OS block by OS block. When the source is a datafile
    /// of an open instance (named in its control file), DBWn runs alongside
    /// (S-BK-2): before each OS block the `copy` stream decides whether
    /// DBWn now writes the dirty buffer of the database block being read
    /// (one chance in 8 per database block, at a uniformly drawn OS block
    /// inside it), so a copied block can hold old OS blocks first and new
    /// ones after: a fractured block. The image is then written as one
    /// call (the disk keeps each OS block as its own pending write, as a
    /// page cache does), synced, and its name synced: the same I/Os as
    /// before, so an armed crash point strikes a copy where it always did.
    pub(crate) fn copy_file(&mut self, src: &str, dst: &str) -> Result<(), CopyError> {
        let open_file = self
            .inst
            .as_ref()
            .filter(|i| i.state() == DbState::Open)
            .and_then(|i| i.datafile_named(src));
        let disk = self.disk_mut();
        let obs = disk.os_block_size();
        let n = disk.size(src).map_err(|e| e.kind)? as usize;
        let mut buf = vec![0u8; n.div_ceil(obs) * obs];
        let per_block = (self.p.db_block_size / obs).max(1) as u64;
        for (j, chunk) in buf.chunks_mut(obs).enumerate() {
            if let Some(file_no) = open_file
                && self.copy.chance(1, 8 * per_block)
            {
                let block = (j as u64 / per_block) as u32;
                let r = self.inst_mut().dbwr_write_block(file_no, block);
                self.drain_alerts();
                match r {
                    // DBWn's own trouble (it is in the alert log).
                    Ok(_) | Err(DbError::Ora(_)) => {}
                    Err(e @ DbError::Terminated { .. }) => return Err(CopyError::Died(e)),
                }
            }
            self.disk_mut()
                .read(src, (j * obs) as u64, chunk)
                .map_err(|e| e.kind)?;
        }
        let disk = self.disk_mut();
        let io = |r: Result<(), engine::storage::IoError>| r.map_err(|e| CopyError::Io(e.kind));
        if disk.exists(dst) {
            io(disk.delete(dst))?;
        }
        io(disk.create(dst))?;
        io(disk.write(dst, 0, &buf))?;
        io(disk.sync(dst))?;
        io(disk.sync_dir(engine::storage::dir_of(dst)))
    }

    /// A line of the simulator's own in the trace, stamped with the SCN of
    /// the running instance (or the last one seen when none runs).
    pub(crate) fn note(&mut self, text: &str) {
        if let Some(i) = self.inst.as_ref() {
            self.last_scn = i.current_scn();
        }
        self.trace.note(self.step, self.last_scn, text);
    }

    pub(crate) fn drain_alerts(&mut self) {
        if let Some(i) = self.inst.as_mut() {
            // The model's record of the SCNs handed out (INV-BLK-3): the
            // engine's counter as seen at every statement's end, never
            // lowered by a recovery that starts it again lower.
            self.model.saw_scn(i.current_scn());
            for a in i.take_alerts() {
                if a.text.contains("Fractured block found during crash") {
                    self.coverage.torn_reported += 1;
                } else if a.text.contains("repaired from a logged block image") {
                    self.coverage.torn_repaired += 1;
                } else if a.text.starts_with("Media Recovery through RESETLOGS") {
                    self.coverage.through_resetlogs += 1;
                }
                self.trace.line(self.step, a.scn, &a.text);
            }
        }
    }

    /// Records the violations a check found; the first one halts the run.
    /// `moment` names the check for `redosim report` ("after OPEN").
    pub(crate) fn judge(&mut self, moment: &str, found: Vec<Violation>) -> Flow {
        self.checks += 1;
        match found.into_iter().next() {
            Some(v) => {
                self.note(&format!("VIOLATION {v}"));
                Err(v.into())
            }
            None => {
                if self.trace.keeping() {
                    if let Some(i) = self.inst.as_ref() {
                        self.last_scn = i.current_scn();
                    }
                    let text = format!("check {moment}: every invariant held");
                    self.trace.mark(self.step, self.last_scn, &text);
                }
                Ok(())
            }
        }
    }
}

impl Op {
    /// The session a SQL operation runs in.
    pub(crate) fn session(&self) -> Option<u32> {
        match self {
            Op::Insert { session, .. }
            | Op::Update { session, .. }
            | Op::Delete { session, .. }
            | Op::Commit { session }
            | Op::Rollback { session } => Some(*session),
            _ => None,
        }
    }

    /// The operation as a statement of the scenario language: every step of
    /// a random run reads (and, from the scenario issue on, replays) as
    /// scenario text.
    pub(crate) fn statement(&self) -> Statement {
        let t = || "T".to_string();
        match self {
            Op::Insert { k, v, .. } => Statement::Sql(SqlStmt::Insert {
                table: t(),
                k: *k,
                v: v.clone(),
            }),
            Op::Update { k, v, .. } => Statement::Sql(SqlStmt::Update {
                table: t(),
                v: v.clone(),
                k: *k,
            }),
            Op::Delete { k, .. } => Statement::Sql(SqlStmt::Delete { table: t(), k: *k }),
            Op::Commit { .. } => Statement::Sql(SqlStmt::Commit),
            Op::Rollback { .. } => Statement::Sql(SqlStmt::Rollback),
            Op::Checkpoint => Statement::AlterSystem(AlterSystem::Checkpoint),
            Op::SwitchLogfile => Statement::AlterSystem(AlterSystem::SwitchLogfile),
            Op::Dbwr { buffers } => Statement::Dbwr {
                buffers: *buffers as u64,
            },
            Op::Archive => Statement::Arch,
            Op::ShutdownClean => Statement::Shutdown(ShutdownMode::Immediate),
            Op::ShutdownAbort => Statement::Shutdown(ShutdownMode::Abort),
            Op::PowerLoss => Statement::Crash {
                torn: false,
                after_io: None,
            },
            Op::CrashPoint { after_io } => Statement::Crash {
                torn: false,
                after_io: Some(*after_io),
            },
            Op::LoseFile { path } => Statement::Fault(FaultCmd::LoseFile(path.clone())),
            Op::LoseLogGroup { group, .. } => Statement::Fault(FaultCmd::LoseLogGroup {
                group: crate::script::GroupRef::Number(u64::from(*group)),
                member: None,
            }),
            Op::SaveControlfile => Statement::Host(crate::script::HostCmd::Cp {
                src: "/u01/oradata/SIM/control01.ctl".into(),
                dst: CONTROLFILE_COPY.into(),
            }),
            Op::RestoreStaleControlfile => Statement::Shutdown(ShutdownMode::Abort),
            Op::BeginBackup { tablespace } => Statement::AlterTablespace {
                tablespace: tablespace.clone(),
                action: crate::script::TablespaceAction::BeginBackup,
            },
            Op::EndBackup { tablespace } => Statement::AlterTablespace {
                tablespace: tablespace.clone(),
                action: crate::script::TablespaceAction::EndBackup,
            },
            Op::HotCopy | Op::ColdBackup => Statement::Echo("backup".into()),
            Op::UserError => Statement::Echo("user error".into()),
            Op::ProbeFuzzyResetlogs => Statement::Echo("probe: resetlogs on fuzzy files".into()),
            Op::ProbeInconsistentResetlogs => {
                Statement::Echo("probe: resetlogs on files past the point".into())
            }
            Op::LoseEveryControlfile => Statement::Echo("every control file lost".into()),
            Op::LoseOnlineLogs => Statement::Echo("every online log lost".into()),
            Op::LoseArchivedLog { name } => Statement::Fault(FaultCmd::LoseFile(name.clone())),
            Op::LoseDatafile { file, .. } => Statement::Fault(FaultCmd::LoseDatafile(
                crate::script::FileRef::Number(u64::from(*file)),
            )),
            Op::CorruptBlock { file, block } => Statement::Fault(FaultCmd::CorruptDatafileBlock {
                file: crate::script::FileRef::Number(u64::from(*file)),
                block: u64::from(*block),
            }),
        }
    }
}

/// The scenario name of a workload session.
pub(crate) fn session_name(session: u32) -> String {
    format!("S{session}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{parse, print_statement};

    /// The reproduce command carries what the run was asked for: a
    /// 10g run replayed as 9i would be another run.
    #[test]
    fn the_reproduce_command_names_the_plant_and_the_release() {
        assert_eq!(repro_command(3, None, None), "redosim run --seed 3 --trace");
        assert_eq!(
            repro_command(5, Some("skip-wal"), Some("10g")),
            "redosim run --seed 5 --plant skip-wal --release 10g --trace"
        );
        let run = run_seed(&RunOptions {
            seed: 2,
            steps: Some(3),
            release: Some(engine::params::Release::R10g),
            ..Default::default()
        });
        assert_eq!(run.release.as_deref(), Some("10g"));
        assert!(run.repro_command().contains("--release 10g"));
    }

    /// A panic inside a run is an INV-REC-1 violation that names the step
    /// and, with the quiet hook a soak installs, the place it happened.
    #[test]
    fn a_panic_is_reported_with_its_place() {
        quiet_panics();
        let opts = RunOptions {
            steps: Some(5),
            ..Default::default()
        };
        let mut n = 0;
        let s = run_with(&opts, RunConfig::scenario_default(), "", &mut |run| {
            n += 1;
            assert!(n < 3, "planted panic at step {}", run.step);
            Some(Op::Checkpoint)
        });
        // Back to the default hook for the other tests of this binary.
        drop(std::panic::take_hook());
        let v = s.violation.expect("the panic is a violation");
        assert_eq!(v.id, "INV-REC-1");
        assert!(
            v.evidence.contains("planted panic at step 3")
                && v.evidence.contains("(at sim/src/runner.rs:"),
            "{}",
            v.evidence
        );
        assert_eq!(v.step, 3);
    }

    /// Every operation of a random run prints as scenario text that parses
    /// back to the same statement.
    #[test]
    fn every_operation_prints_as_a_parsable_statement() {
        let ops = [
            Op::Insert {
                session: 2,
                k: 7,
                v: "v1".into(),
            },
            Op::Update {
                session: 1,
                k: 7,
                v: "v2".into(),
            },
            Op::Delete { session: 3, k: 7 },
            Op::Commit { session: 2 },
            Op::Rollback { session: 2 },
            Op::Checkpoint,
            Op::SwitchLogfile,
            Op::Dbwr { buffers: 3 },
            Op::Archive,
            Op::ShutdownClean,
            Op::ShutdownAbort,
            Op::PowerLoss,
            Op::CrashPoint { after_io: 9 },
            Op::LoseFile {
                path: "/u01/oradata/SIM/redo01b.log".into(),
            },
        ];
        for op in ops {
            let st = op.statement();
            let text = print_statement(&st);
            let back = parse("op.scn", &format!("{text}\n"))
                .unwrap_or_else(|e| panic!("{op:?} printed as {text:?}: {e}"));
            assert_eq!(back.statements.len(), 1, "{text}");
            assert_eq!(back.statements[0].node, st, "{text}");
        }
        let s = print_statement(&Statement::Session(session_name(3)));
        assert_eq!(
            parse("s.scn", &format!("{s}\n")).unwrap().statements[0].node,
            Statement::Session("S3".into())
        );
    }
}
