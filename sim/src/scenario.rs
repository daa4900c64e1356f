//! Running a scenario (`redosim script FILE`): each statement of a parsed
//! [`Script`] against the simulated database, printing what SQL*Plus would,
//! with the expectations and checks of SCENARIO.md.
//!
//! The executor reuses the runner's world ([`Run`]): the same disk, model,
//! trace, power-loss resolution and check schedule. Differences from a random
//! run: nothing is random unless the script asks (`workload`, an unpinned
//! `crash`), and a crash is not recovered until the script says `startup`.
//!
//! Outcomes: exit 0 when every expectation and check held; 1 when one did
//! not, or a statement failed with no `expect error` after it (the line is
//! named; a statement an armed `crash after N io` struck needs none: its
//! ORA-03113 is the directive's own outcome); 2 when the script does not
//! parse, has no statement, or uses a statement whose engine feature does
//! not exist yet (`not supported yet: … (S-…)`).

use std::collections::{BTreeMap, BTreeSet};

use engine::instance::{DbState, Instance, ShutdownMode};
use engine::{DbError, OraStack};
use invariants::Violation;
use serde::Serialize;

use crate::config::RunConfig;
use crate::disk::{Fate, Fates};
use crate::rng::Prng;
use crate::runner::{CopyError, Coverage, Halt, Run, RunOptions};
use crate::script::{
    AlterDatabase, AlterSystem, CreateControlfile, DatafileAction, FaultCmd, FileRef, GroupRef,
    HostCmd, Located, OfflineMode, Recover, RecoverAnswer, RecoverTarget, RecoverUntil, Resetlogs,
    ScnRef, Script, Setting, SqlPlusSet, SqlStmt, StartupMode, Statement, TablespaceAction, parse,
    print_statement,
};
use crate::trace::TraceLine;

/// What one statement printed and whether it succeeded.
#[derive(Debug, Clone, Serialize)]
pub struct StatementResult {
    pub line: u32,
    /// `SQL> `, `RMAN> ` or nothing (a directive).
    #[serde(skip)]
    pub prompt: &'static str,
    pub statement: String,
    pub output: Vec<String>,
    /// The ORA- code it failed with, if it failed.
    pub error: Option<u32>,
}

/// The result of a whole scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptOutcome {
    /// 0 held, 1 an expectation or check failed, 2 bad input.
    pub exit: i32,
    /// Why it did not exit 0 (with FILE:LINE).
    pub failure: Option<String>,
    pub results: Vec<StatementResult>,
    pub trace_hash: u64,
    /// What the scenario reached (media recoveries, restores, hot backups,
    /// … as a random run counts them).
    pub coverage: Coverage,
}

impl ScriptOutcome {
    /// The transcript, as SQL*Plus would show it.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for r in &self.results {
            out.push_str(r.prompt);
            out.push_str(&r.statement);
            out.push('\n');
            for l in &r.output {
                out.push_str(l);
                out.push('\n');
            }
        }
        if let Some(f) = &self.failure {
            out.push_str(f);
            out.push('\n');
        }
        out
    }
}

/// Why a statement stops the script.
enum Stop {
    /// Exit 1: an expectation, a check or an unexpected error.
    Failed(String),
    /// Exit 2: a feature the engine does not have yet.
    Unsupported(String),
    /// Exit 2: the script itself is wrong (a recovery prompt it does not
    /// answer, an answer no prompt asked for).
    Script(String),
}

type StepResult = Result<Result<Vec<String>, OraStack>, Stop>;

/// Parses and runs a scenario. `trace` emits the alert log through `tracing`.
pub fn run_script(file: &str, text: &str, trace: bool) -> ScriptOutcome {
    run_script_kept(file, text, trace, None)
}

/// [`run_script`], also returning every line of its trace (for `redosim
/// report`).
pub fn run_script_traced(file: &str, text: &str) -> (ScriptOutcome, Vec<TraceLine>) {
    let mut lines = Vec::new();
    let outcome = run_script_kept(file, text, false, Some(&mut lines));
    (outcome, lines)
}

fn run_script_kept(
    file: &str,
    text: &str,
    trace: bool,
    kept: Option<&mut Vec<TraceLine>>,
) -> ScriptOutcome {
    let script = match parse(file, text) {
        Ok(s) => s,
        Err(e) => {
            return ScriptOutcome {
                exit: 2,
                failure: Some(e.to_string()),
                results: Vec::new(),
                trace_hash: 0,
                coverage: Coverage::default(),
            };
        }
    };
    let (cfg, seed, plant, auto_archive) = match configure(file, &script) {
        Ok(c) => c,
        Err(why) => {
            return ScriptOutcome {
                exit: 2,
                failure: Some(why),
                results: Vec::new(),
                trace_hash: 0,
                coverage: Coverage::default(),
            };
        }
    };
    if script.statements.is_empty() {
        return ScriptOutcome {
            exit: 2,
            failure: Some(format!(
                "{file}: the scenario has no statement to run (only settings and comments)"
            )),
            results: Vec::new(),
            trace_hash: 0,
            coverage: Coverage::default(),
        };
    }
    let mut ex = Executor::new(file, seed, cfg, plant, trace);
    ex.auto_archive = auto_archive;
    if kept.is_some() {
        ex.run.trace.keep_lines();
    }
    let outcome = ex.run(&script);
    if let Some(kept) = kept {
        *kept = ex.run.trace.take_lines();
    }
    outcome
}

/// The configuration from the preamble's `set` lines.
fn configure(
    file: &str,
    script: &Script,
) -> Result<(RunConfig, u64, Option<engine::Plant>, bool), String> {
    let mut cfg = RunConfig::scenario_default();
    let mut seed = 0;
    let mut plant = None;
    let mut auto_archive = true;
    for s in &script.settings {
        let bad = |what: &str| format!("{file}:{}:{}: {what}", s.line, s.col);
        match s.node {
            Setting::Seed(n) => seed = n,
            Setting::Archivelog(b) => cfg.archivelog = b,
            Setting::Threads(1) => {}
            Setting::Threads(n) => {
                return Err(bad(&format!(
                    "not supported yet: set threads {n} (several redo threads, S-INST-7)"
                )));
            }
            Setting::LogGroups(n) if (2..=8).contains(&n) => cfg.log_groups = n as usize,
            Setting::LogMembers(n) if (1..=3).contains(&n) => cfg.log_members = n as usize,
            Setting::ControlFiles(n) if (1..=3).contains(&n) => cfg.control_files = n as usize,
            Setting::DbBlockSize(n) if [2048, 4096, 8192, 16384].contains(&n) => {
                cfg.db_block_size = n as usize
            }
            Setting::OsBlockSize(n) if n == 512 || n == 4096 => cfg.os_block_size = n as usize,
            Setting::UsersDatafiles(n) if (1..=4).contains(&n) => cfg.users_datafiles = n as usize,
            Setting::TornBlockProtection(b) => cfg.torn_block_protection = b,
            // The engine behaves as this release (`DbParams::release`):
            // where 8i, 9i and 10g differ (ALTER DATABASE BEGIN BACKUP and
            // ORA-10873 from 10g on; RESETLOGS archiving the current logs).
            Setting::Release(r) => cfg.release = r.engine(),
            Setting::AutoArchive(b) => auto_archive = b,
            Setting::Plant(ref name) => {
                plant = Some(engine::Plant::parse(name).map_err(|e| bad(&e))?)
            }
            Setting::CacheBuffers(n) if (4..=4096).contains(&n) => cfg.cache_buffers = n as usize,
            Setting::LogBlocks(n) if (8..=100_000).contains(&n) => cfg.log_blocks = n as u32,
            Setting::LogBuffer(n) if (512..=1 << 20).contains(&n) => {
                cfg.log_buffer_bytes = n as usize
            }
            Setting::GarbageOnPowerLoss(b) => {
                cfg.fates.2 = u64::from(b);
                cfg.garbage_devices = if b {
                    // Every device may return garbage; which writes did is
                    // what `resolve` says.
                    let p = cfg.params(None);
                    crate::config::devices(&p)
                        .into_iter()
                        .map(|d| d.0)
                        .collect()
                } else {
                    Vec::new()
                };
            }
            ref other => {
                return Err(bad(&format!(
                    "value out of range: {}",
                    crate::script::print_setting(other)
                )));
            }
        }
    }
    if cfg.os_block_size > cfg.db_block_size {
        return Err(format!(
            "{file}: os_block_size {} is larger than db_block_size {}",
            cfg.os_block_size, cfg.db_block_size
        ));
    }
    cfg.fit_log_size();
    Ok((cfg, seed, plant, auto_archive))
}

struct Executor {
    file: String,
    run: Run,
    sessions: BTreeMap<String, u32>,
    session: u32,
    marks: BTreeMap<String, BTreeMap<u64, String>>,
    /// The SCN of each mark (`until change &NAME`).
    mark_scns: BTreeMap<String, u64>,
    workload: Prng,
    values: u64,
    /// The last power loss left the database crashed (not cleanly shut down).
    crashed: bool,
    /// `crash torn after N io`: tear a block when the armed power loss strikes.
    torn_armed: bool,
    /// The armed power loss struck the statement running: its ORA-03113 is
    /// the `crash after N io`'s own outcome, not an unexpected error.
    struck: bool,
    /// What the statement printed before it failed (`startup`: `ORACLE
    /// instance started.` …), shown before its error stack.
    prefix: Vec<String>,
    /// Rows the statement returned, if it was a `select` (`expect rows`).
    rows: Option<u64>,
    /// Keys each session changed in its open transaction: a full scan shows
    /// them as that session sees them.
    own_keys: BTreeMap<u32, BTreeSet<u64>>,
    /// `set auto_archive` (default on): ARCn keeps up after each statement.
    auto_archive: bool,
    /// `set autorecovery on`: every recovery prompt takes the suggestion.
    autorecovery: bool,
    /// The answers written right after the `recover` being run, in order.
    answers: Vec<RecoverAnswer>,
    /// How many of the answers after the last `recover` it consumed: the
    /// loop skips the consumed ones and refuses the rest.
    answers_consumed: usize,
    /// How many of the consumed answers the recover's output already shows
    /// (after their `Specify log:` prompts): their own lines print nothing.
    answers_shown: usize,
    /// The statement just run was an answer the recover's output shows.
    silent: bool,
}

impl Executor {
    fn new(
        file: &str,
        seed: u64,
        cfg: RunConfig,
        plant: Option<engine::Plant>,
        trace: bool,
    ) -> Executor {
        let mut run = Run::new(
            &RunOptions {
                seed,
                steps: Some(0),
                plant,
                release: None,
                trace,
                print_scenario: false,
                final_rows: false,
            },
            cfg,
        );
        engine::create::create_database(run.disk.as_mut().expect("disk"), &run.p, 1)
            .expect("creating the database on a fresh disk cannot fail");
        let mut sessions = BTreeMap::new();
        sessions.insert(crate::script::DEFAULT_SESSION.to_string(), 1);
        Executor {
            file: file.to_string(),
            run,
            sessions,
            session: 1,
            marks: BTreeMap::new(),
            mark_scns: BTreeMap::new(),
            workload: Prng::new(seed, "script-workload"),
            values: 0,
            crashed: false,
            torn_armed: false,
            struck: false,
            prefix: Vec::new(),
            rows: None,
            own_keys: BTreeMap::new(),
            auto_archive: true,
            autorecovery: false,
            answers: Vec::new(),
            answers_consumed: 0,
            answers_shown: 0,
            silent: false,
        }
    }

    fn run(&mut self, script: &Script) -> ScriptOutcome {
        let mut results: Vec<StatementResult> = Vec::new();
        let stmts = &script.statements;
        let mut failure = None;
        let mut exit = 0;
        let mut last_error: Option<(u32, OraStack)> = None;
        for (i, st) in stmts.iter().enumerate() {
            self.run.step = i + 1;
            if reaches_engine(&st.node) {
                self.run.tick();
            }
            let text = print_statement(&st.node);
            self.run.note(&text);
            // Answers belong to the recover before them: an `expect` after
            // them is about the recover.
            let expectation = matches!(
                st.node,
                Statement::ExpectError(_)
                    | Statement::ExpectSuccess
                    | Statement::ExpectRows(_)
                    | Statement::Answer(_)
            );
            if !expectation {
                self.rows = None;
            }
            self.struck = false;
            self.prefix.clear();
            if let Statement::Recover(_) = st.node {
                self.answers = stmts[i + 1..]
                    .iter()
                    .map_while(|s| match &s.node {
                        Statement::Answer(a) => Some(a.clone()),
                        _ => None,
                    })
                    .collect();
                self.answers_consumed = 0;
                self.answers_shown = 0;
            }
            self.silent = false;
            let mut r = self.exec(st, stmts.get(i + 1).map(|n| &n.node), &last_error);
            if r.is_ok()
                && reaches_engine(&st.node)
                && let Err(stop) = self.archiver_keeps_up()
            {
                r = Err(stop);
            }
            self.run.trace.end_step();
            let at = format!("{}:{}", self.file, st.line);
            match r {
                Ok(Ok(output)) => {
                    if !expectation {
                        last_error = None;
                    }
                    let mut lines = std::mem::take(&mut self.prefix);
                    lines.extend(output);
                    if self.silent {
                        // An answer the recover's output already shows.
                        continue;
                    }
                    results.push(StatementResult {
                        line: st.line,
                        prompt: prompt(&st.node),
                        statement: text.clone(),
                        output: lines,
                        error: None,
                    });
                }
                Ok(Err(stack)) => {
                    // An `expect error` may follow; a struck statement needs
                    // none (its ORA-03113 is the armed crash's outcome).
                    let expected = self.struck
                        || matches!(
                            stmts[i + 1..]
                                .iter()
                                .map(|n| &n.node)
                                .find(|n| !matches!(n, Statement::Answer(_))),
                            Some(Statement::ExpectError(_))
                        );
                    let mut lines = std::mem::take(&mut self.prefix);
                    if stack.code() == 3113 {
                        lines.push("-- power lost".into());
                    }
                    lines.extend(stack.0.iter().map(|e| e.to_string()));
                    results.push(StatementResult {
                        line: st.line,
                        prompt: prompt(&st.node),
                        statement: text.clone(),
                        output: lines,
                        error: Some(stack.code()),
                    });
                    if !expected {
                        failure = Some(format!("{at}: unexpected error\n{stack}"));
                        exit = 1;
                        break;
                    }
                    last_error = Some((st.line, stack));
                }
                Err(stop) => {
                    let (code, why) = match stop {
                        Stop::Failed(why) => (1, why),
                        Stop::Unsupported(why) => (2, format!("not supported yet: {why}")),
                        Stop::Script(why) => (2, why),
                    };
                    results.push(StatementResult {
                        line: st.line,
                        prompt: prompt(&st.node),
                        statement: text.clone(),
                        output: std::mem::take(&mut self.prefix),
                        error: None,
                    });
                    failure = Some(format!("{at}: {why}"));
                    exit = code;
                    break;
                }
            }
        }
        ScriptOutcome {
            exit,
            failure,
            results,
            trace_hash: self.run.trace.hash(),
            coverage: self.run.coverage.clone(),
        }
    }

    /// Executes one statement: Ok(Ok(lines)) printed lines, Ok(Err(stack))
    /// an ORA error, Err(stop) the script stops.
    fn exec(
        &mut self,
        st: &Located<Statement>,
        next: Option<&Statement>,
        last_error: &Option<(u32, OraStack)>,
    ) -> StepResult {
        match &st.node {
            Statement::Startup { mode, force } => self.startup(*mode, *force),
            Statement::Shutdown(mode) => self.shutdown(*mode),
            Statement::AlterDatabase(a) => self.alter_database(a),
            Statement::AlterSystem(a) => self.alter_system(a),
            Statement::Sql(s) => self.sql(s),
            Statement::Session(name) => {
                // `S<n>` is engine session n (the names random runs print);
                // other names get sessions from 200 on.
                let n = match name.strip_prefix('S').and_then(|d| d.parse::<u32>().ok()) {
                    Some(n) if n > 0 && n < 100 => n,
                    _ => 200 + self.sessions.len() as u32,
                };
                self.session = *self.sessions.entry(name.clone()).or_insert(n);
                Ok(Ok(Vec::new()))
            }
            Statement::Connect => Ok(Ok(vec!["Connected.".into()])),
            Statement::Set(SqlPlusSet::Autorecovery(on)) => {
                self.autorecovery = *on;
                Ok(Ok(Vec::new()))
            }
            Statement::Set(SqlPlusSet::Display { .. }) => Ok(Ok(Vec::new())),
            Statement::Host(h) => self.host(h),
            Statement::Echo(t) => Ok(Ok(vec![t.clone()])),
            Statement::Mark(name) => {
                self.marks
                    .insert(name.clone(), self.run.model.expected().clone());
                // UNTIL CHANGE &NAME includes every commit made before the
                // mark: they all have SCNs at or below the current one.
                if let Some(i) = self.run.inst.as_ref() {
                    self.mark_scns.insert(name.clone(), i.current_scn() + 1);
                }
                Ok(Ok(Vec::new()))
            }
            Statement::Crash { torn, after_io } => self.crash(*torn, *after_io, next),
            Statement::Resolve { .. } => Ok(Ok(Vec::new())), // consumed by the crash before it
            Statement::Fault(f) => self.fault(f),
            Statement::Workload { n, sessions } => self.workload(*n, sessions.unwrap_or(1)),
            Statement::Dbwr { buffers } => {
                self.with_open(|i| i.dbwr_tick(*buffers as usize).map(|_| Vec::new()))
            }
            Statement::Arch => self.with_open(|i| {
                while i.arch_tick()?.is_some() {}
                Ok(Vec::new())
            }),
            Statement::Check => self.check(),
            Statement::ExpectError(code) => match last_error {
                Some((_, s)) if s.has(*code) => Ok(Ok(Vec::new())),
                Some((_, s)) => Err(Stop::Failed(format!("expected ORA-{code:05}, got:\n{s}"))),
                None => Err(Stop::Failed(format!(
                    "expected ORA-{code:05}, but the statement before succeeded"
                ))),
            },
            Statement::ExpectSuccess => match last_error {
                None => Ok(Ok(Vec::new())),
                Some((_, s)) => Err(Stop::Failed(format!("expected success, got:\n{s}"))),
            },
            Statement::ExpectRows(n) => match (self.rows, last_error) {
                (Some(m), _) if m == *n => Ok(Ok(Vec::new())),
                (Some(m), _) => Err(Stop::Failed(format!(
                    "expected {n} row{}, but the select before returned {m}",
                    if *n == 1 { "" } else { "s" }
                ))),
                (None, Some((_, s))) => Err(Stop::Failed(format!(
                    "expected {n} rows, but the statement before failed:\n{s}"
                ))),
                (None, None) => Err(Stop::Failed(format!(
                    "expected {n} rows, but the statement before is not a select"
                ))),
            },
            Statement::ExpectDataComplete => self.expect_data(None),
            Statement::ExpectDataAt(ScnRef::Mark(m)) => match self.marks.get(m).cloned() {
                Some(state) => self.expect_data(Some(state)),
                None => Err(Stop::Failed(format!("no mark named {m}"))),
            },
            Statement::ExpectDataAt(ScnRef::Scn(n)) => {
                let state = self.run.model.state_at(*n);
                self.expect_data(Some(state))
            }
            Statement::Recover(r) => self.recover(r),
            Statement::Answer(a) => self.answer(a),
            Statement::CreateControlfile(c) => self.create_controlfile(c),
            Statement::AlterTablespace { tablespace, action } => {
                self.alter_tablespace(tablespace, *action)
            }
            Statement::Rman(_) => Err(Stop::Unsupported(
                "RMAN (backups and restores, S-BK-3..8)".into(),
            )),
        }
    }

    // ----- the instance ------------------------------------------------------

    fn startup(&mut self, mode: StartupMode, force: bool) -> StepResult {
        let mut out = Vec::new();
        if let Some(i) = self.run.inst.as_mut() {
            if !force {
                return Ok(Err(OraStack::one(
                    1081,
                    "cannot start already-running ORACLE - shut it down first",
                )));
            }
            let _ = i.shutdown(ShutdownMode::Abort);
            self.gone()?;
        }
        let disk = self.run.disk.take().expect("no instance: the disk is here");
        let mut inst = Instance::new(self.run.p.clone(), disk);
        inst.set_time(self.run.clock);
        let mut r = inst.nomount();
        if r.is_ok() {
            out.push("ORACLE instance started.".to_string());
        }
        if r.is_ok() && mode != StartupMode::Nomount {
            r = inst.mount();
            if r.is_ok() {
                out.push("Database mounted.".into());
            }
        }
        if r.is_ok() && mode == StartupMode::Open {
            r = inst.open();
        }
        self.run.inst = Some(inst);
        self.run.drain_alerts();
        if r.is_ok() && mode == StartupMode::Open {
            out.push("Database opened.".into());
        }
        // What got printed stays printed, whatever happens next: SQL*Plus
        // shows `ORACLE instance started.` before a MOUNT's error.
        self.prefix = out;
        match r {
            Ok(()) if mode == StartupMode::Open => {
                self.after_open()?;
                Ok(Ok(Vec::new()))
            }
            Ok(()) => Ok(Ok(Vec::new())),
            Err(e) => self.db_error(e),
        }
    }

    /// After every OPEN: the same checks as after a recovery in a random run.
    fn after_open(&mut self) -> Result<(), Stop> {
        if self.crashed {
            self.run.recoveries += 1;
        }
        self.crashed = false;
        self.run.model.stale_controlfile = None;
        self.run.model.struck_files.clear();
        self.run.checks_after_open().map_err(halt)
    }

    fn shutdown(&mut self, mode: ShutdownMode) -> StepResult {
        let Some(inst) = self.run.inst.as_mut() else {
            return Ok(Err(OraStack::one(1034, "ORACLE not available")));
        };
        if mode == ShutdownMode::Abort {
            let _ = inst.shutdown(ShutdownMode::Abort);
            self.run.drain_alerts();
            self.gone()?;
            self.crashed = true;
            return Ok(Ok(vec!["ORACLE instance shut down.".into()]));
        }
        let was_open = inst.state() == DbState::Open;
        let sessions = self.run.model.open_sessions();
        let r = inst.shutdown(mode);
        self.run.drain_alerts();
        match r {
            Ok(()) => {
                for s in sessions {
                    self.run.model.rollback(s);
                }
                self.own_keys.clear();
                let inst = self.run.inst.take().expect("instance");
                self.run.disk = Some(inst.into_storage());
                if was_open {
                    self.run.checks_after_clean_shutdown().map_err(halt)?;
                }
                let mut out = Vec::new();
                if was_open {
                    out.push("Database closed.".into());
                }
                out.push("Database dismounted.".into());
                out.push("ORACLE instance shut down.".into());
                Ok(Ok(out))
            }
            Err(e) => self.db_error(e),
        }
    }

    fn alter_database(&mut self, a: &AlterDatabase) -> StepResult {
        let r = match a {
            AlterDatabase::Mount => self.with_inst(|i| i.mount()),
            AlterDatabase::Open(None) => {
                let r = self.with_inst(|i| i.open());
                if matches!(r, Ok(Ok(_))) {
                    self.after_open()?;
                }
                return r.map(|x| x.map(|_| vec!["Database altered.".into()]));
            }
            AlterDatabase::Open(Some(mode)) => return self.open_resetlogs(*mode),
            AlterDatabase::BackupControlfile { to, reuse } => {
                self.with_inst(|i| i.backup_controlfile(to, *reuse))
            }
            AlterDatabase::BackupControlfileToTrace { mode, as_name } => {
                let resetlogs = mode.map(|m| m == Resetlogs::Resetlogs);
                let r = self
                    .with_inst(|i| i.backup_controlfile_to_trace(resetlogs, as_name.as_deref()));
                return r.map(|x| x.map(|_| vec!["Database altered.".into()]));
            }
            AlterDatabase::ClearLogfile { group, unarchived } => {
                // A number past u32 names no group: ORA-01514 from the engine.
                let g = u32::try_from(*group).unwrap_or(u32::MAX);
                let seq = self
                    .run
                    .inst
                    .as_ref()
                    .and_then(|i| i.controlfile())
                    .and_then(|c| c.group(g))
                    .filter(|r| *unarchived && !r.archived)
                    .map(|r| r.seq);
                if let Some(seq) = seq {
                    // The gap in the archived logs is the DBA's doing.
                    self.run.model.cleared_unarchived.insert(seq);
                }
                let r = self.with_inst(|i| i.clear_logfile(g, *unarchived));
                if matches!(r, Ok(Ok(()))) {
                    // Every member is a new, empty file: none is lost now.
                    for m in self.group_members(g) {
                        self.run.model.lost_files.remove(&m);
                        self.run.model.garbled_files.remove(&m);
                    }
                }
                return r.map(|x| x.map(|_| vec!["Database altered.".into()]));
            }
            AlterDatabase::DropLogfileMember(name) => {
                let r = self.with_inst(|i| i.drop_log_member(name));
                return r.map(|x| x.map(|_| vec!["Database altered.".into()]));
            }
            AlterDatabase::BeginBackup => {
                let r = self.with_inst(|i| i.begin_backup(None));
                if matches!(r, Ok(Ok(()))) {
                    self.run.coverage.hot_backups += 1;
                }
                r
            }
            AlterDatabase::EndBackup => self.with_inst(|i| i.end_backup(None)),
            AlterDatabase::Datafile { file, action } => {
                let n = match self.file_no(file) {
                    Ok(n) => n,
                    Err(stack) => return Ok(Err(stack)),
                };
                match action {
                    DatafileAction::Offline => self.with_inst(|i| i.datafile_offline(n, true)),
                    DatafileAction::OfflineDrop => self.with_inst(|i| i.datafile_offline_drop(n)),
                    DatafileAction::Online => self.with_inst(|i| i.datafile_offline(n, false)),
                    DatafileAction::EndBackup => self.with_inst(|i| i.end_backup_datafile(n)),
                }
            }
            AlterDatabase::CreateDatafile { file, as_name } => {
                let n = match self.file_no(file) {
                    Ok(n) => n,
                    Err(stack) => return Ok(Err(stack)),
                };
                self.with_inst(|i| i.create_datafile(n, as_name.as_deref()))
            }
            other @ (AlterDatabase::Archivelog | AlterDatabase::Noarchivelog) => {
                return Err(Stop::Unsupported(format!(
                    "alter database {} (the log mode is set at creation)",
                    short(&print_statement(&Statement::AlterDatabase(other.clone())))
                )));
            }
            AlterDatabase::AddLogfileMember { name, group } => {
                let r = self.with_inst(|i| i.add_log_member(name, *group as u32));
                if matches!(r, Ok(Ok(()))) {
                    self.run.model.lost_files.remove(name);
                }
                return r.map(|x| x.map(|_| vec!["Database altered.".into()]));
            }
        };
        r.map(|x| x.map(|_| vec!["Database altered.".into()]))
    }

    /// `alter database open resetlogs|noresetlogs`. A RESETLOGS abandons
    /// every commit at or after its point: the model follows the new
    /// incarnation from there (INV-DATA-3).
    fn open_resetlogs(&mut self, mode: Resetlogs) -> StepResult {
        let before = self
            .run
            .inst
            .as_ref()
            .and_then(|i| i.controlfile())
            .map(|c| c.incarnation);
        // INV-FUZZY-4: the files a RESETLOGS must refuse, read before it.
        let p = self.run.p.clone();
        let fuzzy = match (mode, self.run.inst.as_mut()) {
            (Resetlogs::Resetlogs, Some(i)) => match i.controlfile().cloned() {
                Some(cf) => invariants::resetlogs::fuzzy_online_files(i.storage_mut(), &p, &cf)
                    .unwrap_or_default(),
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        let r = match mode {
            Resetlogs::Resetlogs => self.with_inst(|i| i.open_resetlogs()),
            Resetlogs::Noresetlogs => self.with_inst(|i| i.open_noresetlogs()),
        };
        if mode == Resetlogs::Resetlogs && self.run.inst.is_none() {
            // The power failed under it: if the RESETLOGS itself completed
            // (the open after it did not), the new incarnation is on disk
            // and the commits past its point are gone all the same.
            let cf = engine::inspect::newest_controlfile(self.run.disk_mut(), &p)
                .ok()
                .flatten();
            if let Some(cf) = cf
                && cf.resetlogs_pending.is_none()
                && Some(cf.incarnation) != before
            {
                self.run.model.resetlogs(cf.incarnation.resetlogs_scn);
                self.run.coverage.resetlogs += 1;
            }
        }
        if matches!(r, Ok(Ok(()))) {
            if mode == Resetlogs::Resetlogs {
                if let Some(v) = invariants::resetlogs::check_resetlogs_refused_fuzzy(&fuzzy) {
                    return Err(Stop::Failed(format!("VIOLATION {v}")));
                }
                let point = self
                    .run
                    .inst
                    .as_ref()
                    .and_then(|i| i.controlfile())
                    .map(|c| c.incarnation.resetlogs_scn)
                    .expect("an open database has a control file");
                self.run.model.resetlogs(point);
                self.run.coverage.resetlogs += 1;
                if let Some(v) = self.run.new_incarnation_checks(point).into_iter().next() {
                    return Err(Stop::Failed(format!("VIOLATION {v}")));
                }
            }
            self.after_open()?;
        }
        r.map(|x| x.map(|_| vec!["Database altered.".into()]))
    }

    /// `create controlfile …`: from the files' own headers; leaves the
    /// database mounted.
    fn create_controlfile(&mut self, c: &CreateControlfile) -> StepResult {
        let resetlogs = c.mode == Resetlogs::Resetlogs;
        let archivelog = c.archivelog.unwrap_or(false);
        let r =
            self.with_inst(|i| i.create_controlfile(&c.database, c.reuse, resetlogs, archivelog));
        if matches!(r, Ok(Ok(()))) {
            self.run.coverage.controlfile_recoveries += 1;
            // Every copy is new: none is lost or stale any more.
            for path in self.run.p.control_files.clone() {
                self.run.model.lost_files.remove(&path);
                self.run.model.garbled_files.remove(&path);
            }
            self.run.model.stale_controlfile = None;
        }
        r.map(|x| x.map(|_| vec!["Control file created.".into()]))
    }

    fn alter_system(&mut self, a: &AlterSystem) -> StepResult {
        let r = match a {
            AlterSystem::SwitchLogfile => {
                self.with_open(|i| i.switch_logfile().map(|_| Vec::new()))
            }
            AlterSystem::Checkpoint => self.with_open(|i| i.checkpoint().map(|_| Vec::new())),
            AlterSystem::ArchiveLogCurrent => self.with_open(|i| {
                i.switch_logfile()?;
                while i.arch_tick()?.is_some() {}
                Ok(Vec::new())
            }),
        };
        r.map(|x| x.map(|_| vec!["System altered.".into()]))
    }

    /// `alter tablespace X …`: hot backup, offline, online, read only.
    fn alter_tablespace(&mut self, tablespace: &str, action: TablespaceAction) -> StepResult {
        // An unquoted name, as Oracle folds it.
        let ts = tablespace.to_ascii_uppercase();
        let ts = ts.as_str();
        let r = match action {
            TablespaceAction::BeginBackup => {
                let r = self.with_inst(|i| i.begin_backup(Some(ts)));
                if matches!(r, Ok(Ok(()))) {
                    self.run.coverage.hot_backups += 1;
                }
                r
            }
            TablespaceAction::EndBackup => self.with_inst(|i| i.end_backup(Some(ts))),
            TablespaceAction::Offline(mode) => {
                let mode = match mode {
                    OfflineMode::Normal => engine::media::OfflineMode::Normal,
                    OfflineMode::Immediate => engine::media::OfflineMode::Immediate,
                };
                self.with_inst(|i| i.tablespace_offline(ts, mode))
            }
            TablespaceAction::Online => self.with_inst(|i| i.tablespace_online(ts)),
            TablespaceAction::ReadOnly => self.with_inst(|i| i.tablespace_read_only(ts, true)),
            TablespaceAction::ReadWrite => self.with_inst(|i| i.tablespace_read_only(ts, false)),
        };
        r.map(|x| x.map(|_| vec!["Tablespace altered.".into()]))
    }

    /// The number of a datafile named by number or by name: a name the
    /// control file does not know is ORA-01516, as Oracle says it; with no
    /// instance, ORA-01034.
    fn file_no(&self, file: &FileRef) -> Result<u32, OraStack> {
        match file {
            // A number past u32 names no file: the engine refuses it.
            FileRef::Number(n) => Ok(u32::try_from(*n).unwrap_or(u32::MAX)),
            FileRef::Name(name) => {
                let Some(inst) = self.run.inst.as_ref() else {
                    return Err(OraStack::one(1034, "ORACLE not available"));
                };
                inst.datafile_named(name).ok_or_else(|| {
                    OraStack::one(
                        1516,
                        format!("nonexistent log file, data file, or temporary file \"{name}\""),
                    )
                })
            }
        }
    }

    /// SQL*Plus `recover …`: the engine's media recovery. Its prompts are
    /// answered by the answer lines after the `recover`, in order; `recover
    /// automatic` and `set autorecovery on` take every suggestion. What the
    /// engine printed (the ORA-00279/00289/00280 prompts, ORA-00278 per
    /// log, `Media recovery complete.`) is the statement's output, before
    /// its error stack if it failed.
    fn recover(&mut self, r: &Recover) -> StepResult {
        let answers = std::mem::take(&mut self.answers);
        let until = match &r.until {
            None => None,
            Some(RecoverUntil::Cancel) => Some(engine::media::Until::Cancel),
            Some(RecoverUntil::Change(ScnRef::Scn(n))) => Some(engine::media::Until::Change(*n)),
            Some(RecoverUntil::Change(ScnRef::Mark(m))) => match self.mark_scns.get(m) {
                Some(n) => Some(engine::media::Until::Change(*n)),
                None => return Err(Stop::Script(format!("no mark named {m}"))),
            },
            Some(RecoverUntil::Time(t)) => match engine::media::parse_time(t) {
                Some(t) => Some(engine::media::Until::Time(t)),
                None => {
                    return Ok(Err(OraStack::one(
                        1861,
                        "literal does not match format string",
                    )));
                }
            },
        };
        let opts = engine::media::RecoverOptions {
            until,
            using_backup_controlfile: r.using_backup_controlfile,
        };
        if self.run.inst.is_none() {
            return Ok(Err(OraStack::one(1034, "ORACLE not available")));
        }
        let target = match &r.target {
            RecoverTarget::Database => engine::media::RecoverTarget::Database,
            RecoverTarget::Tablespace(t) => {
                engine::media::RecoverTarget::Tablespace(t.to_ascii_uppercase())
            }
            RecoverTarget::Datafile(f) => match self.file_no(f) {
                Ok(n) => engine::media::RecoverTarget::Datafile(n),
                Err(stack) => return Ok(Err(stack)),
            },
        };
        let mut prompts = Prompts {
            answers: &answers,
            next: 0,
            automatic: r.automatic || self.autorecovery,
            unanswered: None,
        };
        let automatic = prompts.automatic;
        let inst = self.run.inst.as_mut().expect("checked above");
        let allowed = inst.controlfile().cloned().map(|cf| {
            let bs = self.run.p.db_block_size;
            let disk = inst.storage_mut();
            let headers: Vec<_> = cf
                .datafiles
                .iter()
                .filter_map(|r| {
                    engine::datafile::read_header(disk, &r.name, r.file_no, bs)
                        .ok()?
                        .ok()
                })
                .map(|h| h.incarnation)
                .collect();
            invariants::resetlogs::incarnations_recovery_may_read(&cf, self.run.p.release, &headers)
        });
        let (lines, result) = inst.recover(target, opts, automatic, &mut |req| prompts.answer(req));
        self.run.drain_alerts();
        // INV-RL-3: no log of another incarnation was applied.
        let applied: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("ORA-00278: log file '")?.split('\'').next())
            .map(str::to_string)
            .collect();
        if let (Some(allowed), Some(i)) = (allowed, self.run.inst.as_mut()) {
            let p = self.run.p.clone();
            if let Ok(Some(v)) = invariants::resetlogs::check_logs_of_incarnation(
                i.storage_mut(),
                &p,
                &allowed,
                &applied,
            ) {
                return Err(Stop::Failed(format!("VIOLATION {v}")));
            }
        }
        self.answers_consumed = prompts.next;
        // Each answer shows where SQL*Plus echoes it: after its
        // `Specify log:` prompt (the answer lines then print nothing).
        let mut shown = answers[..prompts.next].iter();
        let mut out = Vec::with_capacity(lines.len() + prompts.next);
        for line in lines {
            let prompt = line.starts_with("Specify log:");
            out.push(line);
            if prompt && let Some(a) = shown.next() {
                out.push(print_statement(&Statement::Answer(a.clone())));
                self.answers_shown += 1;
            }
        }
        self.prefix = out;
        if let Some(req) = prompts.unanswered {
            return Err(Stop::Script(format!(
                "recovery asked for a log (ORA-00279: change {} needed for thread {}, \
                 sequence #{}; suggestion {}) and no answer follows the recover: \
                 write `auto`, `cancel`, a quoted file name or `suggested` after it, \
                 or `set autorecovery on` before it",
                req.change, req.thread, req.seq, req.suggestion
            )));
        }
        match result {
            Ok(()) => {
                self.run.coverage.media_recoveries += 1;
                if opts.until.is_some() {
                    self.run.coverage.incomplete_recoveries += 1;
                }
                if opts.using_backup_controlfile {
                    self.run.coverage.controlfile_recoveries += 1;
                }
                Ok(Ok(Vec::new()))
            }
            Err(DbError::Ora(s)) if invariants::recovery::check_complete_recovery(&s).is_some() => {
                let v = invariants::recovery::check_complete_recovery(&s).expect("just checked");
                Err(Stop::Failed(format!("VIOLATION {v}")))
            }
            Err(e) => self.db_error(e),
        }
    }

    /// An answer line after a `recover`: consumed by its prompts, or a
    /// script error when no prompt asked for it (a surplus `suggested`,
    /// which a blank line after a `recover` is, does nothing, as an empty
    /// line in SQL*Plus).
    fn answer(&mut self, a: &RecoverAnswer) -> StepResult {
        if self.answers_consumed > 0 {
            self.answers_consumed -= 1;
            if self.answers_shown > 0 {
                self.answers_shown -= 1;
                self.silent = true;
            }
            return Ok(Ok(Vec::new()));
        }
        match a {
            RecoverAnswer::Suggested => Ok(Ok(Vec::new())),
            a => Err(Stop::Script(format!(
                "the answer `{}` was not consumed: the recover before it asked for no more logs",
                print_statement(&Statement::Answer(a.clone()))
            ))),
        }
    }

    /// Runs `f` on the instance (any state); a dead instance is handled.
    fn with_inst<T>(
        &mut self,
        f: impl FnOnce(&mut Instance<crate::disk::Disk>) -> Result<T, DbError>,
    ) -> Result<Result<T, OraStack>, Stop> {
        let Some(inst) = self.run.inst.as_mut() else {
            return Ok(Err(OraStack::one(1034, "ORACLE not available")));
        };
        let r = f(inst);
        self.run.drain_alerts();
        match r {
            Ok(v) => Ok(Ok(v)),
            Err(e) => self.db_error::<T>(e),
        }
    }

    /// ARCn keeps up (`set auto_archive on`, the default): after a
    /// statement, every filled online log is archived before the next one
    /// runs, as Oracle's ARCn does promptly. Not while a crash point is
    /// armed: its count of I/Os belongs to the statements. An archive that
    /// fails (a group with no member left) is ARCn's own trouble, in the
    /// alert log, as in Oracle.
    fn archiver_keeps_up(&mut self) -> Result<(), Stop> {
        if !self.auto_archive {
            return Ok(());
        }
        let Some(inst) = self.run.inst.as_mut() else {
            return Ok(());
        };
        if inst.state() != engine::instance::DbState::Open
            || inst.storage().crash_armed().is_some()
            || !inst.controlfile().is_some_and(|c| c.archivelog)
        {
            return Ok(());
        }
        let r = (|| {
            while inst.arch_tick()?.is_some() {}
            Ok(())
        })();
        self.run.drain_alerts();
        match r {
            Ok(()) | Err(DbError::Ora(_)) => Ok(()),
            Err(e @ DbError::Terminated { .. }) => self.db_error::<()>(e).map(|_| ()),
        }
    }

    fn with_open(
        &mut self,
        f: impl FnOnce(&mut Instance<crate::disk::Disk>) -> Result<Vec<String>, DbError>,
    ) -> StepResult {
        self.with_inst(f)
    }

    /// An engine error: an ORA stack, or the instance's death.
    fn db_error<T>(&mut self, e: DbError) -> Result<Result<T, OraStack>, Stop> {
        match e {
            DbError::Ora(s) => Ok(Err(s)),
            DbError::Terminated { power_lost, stack } => {
                self.gone()?;
                self.crashed = true;
                if power_lost {
                    self.struck = true;
                    Ok(Err(OraStack::one(
                        3113,
                        "end-of-file on communication channel",
                    )))
                } else {
                    Ok(Err(stack.then(
                        1092,
                        "ORACLE instance terminated. Disconnection forced",
                    )))
                }
            }
        }
    }

    fn gone(&mut self) -> Result<(), Stop> {
        if self.torn_armed
            && self.run.pinned_fates.is_none()
            && self.run.disk_mut().is_powered_off()
        {
            let writes = self.torn_fates();
            self.run.pinned_fates = Some(Fates {
                writes,
                ..Fates::default()
            });
        }
        self.torn_armed = false;
        self.own_keys.clear();
        self.run.instance_gone().map_err(halt)
    }

    // ----- SQL ---------------------------------------------------------------

    fn sql(&mut self, s: &SqlStmt) -> StepResult {
        let sid = self.session;
        let table_ok = |t: &str| t.eq_ignore_ascii_case("t");
        let no_table = |t: &str| {
            Ok(Err(OraStack::one(
                942,
                format!("table or view \"{t}\" does not exist"),
            )))
        };
        match s {
            SqlStmt::Insert { table, k, v } if table_ok(table) => {
                self.dml(sid, *k, Some(v.clone()), "created")
            }
            SqlStmt::Update { table, v, k } if table_ok(table) => {
                self.dml(sid, *k, Some(v.clone()), "updated")
            }
            SqlStmt::Delete { table, k } if table_ok(table) => self.dml(sid, *k, None, "deleted"),
            SqlStmt::Insert { table, .. }
            | SqlStmt::Update { table, .. }
            | SqlStmt::Delete { table, .. } => no_table(table),
            SqlStmt::Commit => {
                self.run.model.commit_issued(sid);
                let xid = self.run.inst.as_ref().and_then(|i| i.session_xid(sid));
                let before = self.run.inst.as_ref().and_then(|i| i.redo_write_position());
                let r = self.with_inst(|i| i.commit(sid));
                self.own_keys.remove(&sid);
                match &r {
                    Ok(Ok(scn)) => {
                        self.run.model.commit_acked(sid, *scn);
                        self.run.verify_ack(*scn, xid, before).map_err(halt)?;
                    }
                    Ok(Err(_)) => self.run.model.commit_failed(sid),
                    Err(_) => {}
                }
                r.map(|x| x.map(|_| vec!["Commit complete.".into()]))
            }
            SqlStmt::Rollback => {
                let r = self.with_inst(|i| i.rollback(sid));
                if matches!(r, Ok(Ok(()))) {
                    self.run.model.rollback(sid);
                    self.own_keys.remove(&sid);
                }
                r.map(|x| x.map(|_| vec!["Rollback complete.".into()]))
            }
            SqlStmt::SelectCount { table } if table_ok(table) => {
                let r = self.full_scan(sid)?;
                Ok(r.map(|rows| {
                    self.rows = Some(1);
                    vec![
                        "  COUNT(*)".into(),
                        "----------".into(),
                        format!("{:>10}", rows.len()),
                    ]
                }))
            }
            SqlStmt::SelectAll { table } if table_ok(table) => {
                let r = self.full_scan(sid)?;
                Ok(r.map(|rows| {
                    self.rows = Some(rows.len() as u64);
                    if rows.is_empty() {
                        return vec!["no rows selected".into()];
                    }
                    let mut out = vec![
                        format!("{:>10} {}", "K", "V"),
                        "---------- ----------".into(),
                    ];
                    out.extend(rows.iter().map(|(k, v)| format!("{k:>10} {v}")));
                    out.push(String::new());
                    out.push(match rows.len() {
                        1 => "1 row selected.".into(),
                        n => format!("{n} rows selected."),
                    });
                    out
                }))
            }
            SqlStmt::SelectWhere { table, k } if table_ok(table) => {
                let r = self.with_inst(|i| i.select(sid, *k))?;
                Ok(r.map(|row| {
                    self.rows = Some(u64::from(row.is_some()));
                    match row {
                        Some(v) => vec![
                            format!("{:>10} {}", "K", "V"),
                            "---------- ----------".into(),
                            format!("{k:>10} {v}"),
                        ],
                        None => vec!["no rows selected".into()],
                    }
                }))
            }
            SqlStmt::SelectCount { table } if table.to_ascii_uppercase().starts_with("V$") => {
                let Some(inst) = self.run.inst.as_mut() else {
                    return Ok(Err(OraStack::one(1034, "ORACLE not available")));
                };
                let t = engine::views::query(inst, table);
                self.run.drain_alerts();
                Ok(t.map(|t| {
                    self.rows = Some(1);
                    vec![
                        "  COUNT(*)".into(),
                        "----------".into(),
                        format!("{:>10}", t.rows.len()),
                    ]
                }))
            }
            SqlStmt::SelectCount { table }
            | SqlStmt::SelectAll { table }
            | SqlStmt::SelectWhere { table, .. } => no_table(table),
            SqlStmt::SelectView { view, filter } => {
                let Some(inst) = self.run.inst.as_mut() else {
                    return Ok(Err(OraStack::one(1034, "ORACLE not available")));
                };
                let t = engine::views::query(inst, view).and_then(|t| match filter {
                    Some((c, v)) => t.filter(c, v),
                    None => Ok(t),
                });
                self.run.drain_alerts();
                Ok(t.map(|t| {
                    self.rows = Some(t.rows.len() as u64);
                    t.to_string().lines().map(str::to_string).collect()
                }))
            }
            SqlStmt::CreateTable { table, .. } if table_ok(table) => Ok(Err(OraStack::one(
                955,
                "name is already used by an existing object",
            ))),
            SqlStmt::CreateTable { .. } => Err(Stop::Unsupported(
                "create table (the model has one table, T)".into(),
            )),
        }
    }

    /// Every row of T in key order, as session `sid` sees it: the committed
    /// rows (a consistent read around other sessions' changes) and its own
    /// changes. A full scan never answers around a block it cannot read: the
    /// first unreadable block (or row's undo) is its error, ORA-01578 +
    /// ORA-01110.
    fn full_scan(&mut self, sid: u32) -> Result<Result<Vec<(u64, String)>, OraStack>, Stop> {
        let own: Vec<u64> = self
            .own_keys
            .get(&sid)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        self.with_inst(|i| {
            let scan = i.scan()?;
            if let Some((_, s)) = scan.unreadable_blocks.first() {
                return Err(DbError::Ora(s.clone()));
            }
            if let Some((_, _, s)) = scan.unreadable_rows.first() {
                return Err(DbError::Ora(s.clone()));
            }
            let mut rows: BTreeMap<u64, String> = scan.rows.into_iter().collect();
            for k in own {
                match i.select(sid, k)? {
                    Some(v) => rows.insert(k, v),
                    None => rows.remove(&k),
                };
            }
            Ok(rows.into_iter().collect())
        })
    }

    fn dml(&mut self, sid: u32, k: u64, v: Option<String>, verb: &str) -> StepResult {
        let r = self.with_inst(|i| {
            let n = match (&v, verb) {
                (Some(v), "created") => i.insert(sid, k, v)?,
                (Some(v), _) => i.update(sid, k, v)?,
                (None, _) => i.delete(sid, k)?,
            };
            Ok((n, i.session_xid(sid)))
        })?;
        Ok(r.map(|(n, xid)| {
            if n > 0 {
                self.own_keys.entry(sid).or_default().insert(k);
                self.run
                    .model
                    .write(sid, xid.expect("a changed row has a transaction"), k, v);
            }
            vec![format!("{n} row{} {verb}.", if n == 1 { "" } else { "s" })]
        }))
    }

    // ----- the operating system and faults -----------------------------------

    fn host(&mut self, h: &HostCmd) -> StepResult {
        // A copy from elsewhere over a control file puts an old control file
        // in place: OPEN must refuse it unless nothing changed since.
        if let HostCmd::Cp { src, dst } = h
            && self.run.p.control_files.contains(dst)
            && !self.run.p.control_files.contains(src)
        {
            self.run.model.stale_controlfile = Some(src.clone());
        }
        if let HostCmd::Cp { src, dst } = h {
            // A copy onto a datafile the control file names, from
            // elsewhere, is a restore (the model hears of restores and
            // backups in `note_host_copy`, after the copy).
            let restore = self.controlfile_datafile(dst).filter(|_| src != dst);
            if restore.is_some() {
                // From the statement on the header may go back, even if a
                // power loss cuts the copy short (as in a run's restore).
                self.run.model.restored(dst);
            }
            let r = match self.run.copy_file(src, dst) {
                Ok(()) => Ok(()),
                Err(CopyError::Io(k)) => Err(k),
                // DBWn, writing alongside, met the power loss: the copy
                // stops there, as when its own I/O meets it.
                Err(CopyError::Died(DbError::Terminated {
                    power_lost: true, ..
                })) => Err(engine::storage::IoErrorKind::PowerLost),
                Err(CopyError::Died(e)) => return self.db_error(e).map(|r| r.map(|()| Vec::new())),
            };
            if r.is_ok()
                && let Some(file_no) = restore
            {
                let _ = file_no;
                self.run.coverage.restores += 1;
            }
            return self.host_result(h, r);
        }
        let disk = self.run.disk_mut();
        let r = match h {
            HostCmd::Cp { .. } => unreachable!("copied above"),
            HostCmd::Mv { src, dst } => engine::storage::Storage::rename(disk, src, dst)
                .and_then(|_| {
                    engine::storage::Storage::sync_dir(disk, engine::storage::dir_of(dst))
                })
                .map_err(|e| e.kind),
            HostCmd::Rm(path) => engine::storage::Storage::delete(disk, path)
                .and_then(|_| {
                    engine::storage::Storage::sync_dir(disk, engine::storage::dir_of(path))
                })
                .map_err(|e| e.kind),
        };
        self.host_result(h, r)
    }

    /// The number of the datafile the control file (the instance's, or
    /// the newest copy on the disk when none runs) names `path`.
    fn controlfile_datafile(&mut self, path: &str) -> Option<u32> {
        let find = |cf: &engine::controlfile::ControlFile| {
            cf.datafiles
                .iter()
                .find(|d| d.name == path)
                .map(|d| d.file_no)
        };
        if let Some(cf) = self.run.inst.as_ref().and_then(|i| i.controlfile()) {
            return find(cf);
        }
        let p = self.run.p.clone();
        engine::inspect::newest_controlfile(self.run.disk_mut(), &p)
            .ok()
            .flatten()
            .and_then(|cf| find(&cf))
    }

    /// What a host command printed, from how its I/O ended.
    fn host_result(
        &mut self,
        h: &HostCmd,
        r: Result<(), engine::storage::IoErrorKind>,
    ) -> StepResult {
        match r {
            Ok(()) => {
                if let HostCmd::Cp { src, dst } | HostCmd::Mv { src, dst } = h {
                    self.run.model.lost_files.remove(dst);
                    self.run.note_host_copy(src, dst);
                }
                Ok(Ok(Vec::new()))
            }
            Err(engine::storage::IoErrorKind::PowerLost) => {
                // The power failed under the command: like a statement an
                // armed crash struck, it needs no `expect error`, and
                // `expect error ORA-03113` after it holds (a printed run
                // says so after a restore the power loss cut).
                self.gone()?;
                self.crashed = true;
                self.struck = true;
                Ok(Err(OraStack::one(
                    3113,
                    "end-of-file on communication channel",
                )))
            }
            Err(k) => {
                // As the OS command would say it (GNU coreutils' words).
                use engine::storage::IoErrorKind as K;
                let why = match k {
                    K::NotFound => "No such file or directory",
                    K::AlreadyExists => "File exists",
                    K::DeviceError | K::PowerLost => "Input/output error",
                };
                let line = match (h, k) {
                    (HostCmd::Rm(path), _) => format!("rm: cannot remove '{path}': {why}"),
                    (HostCmd::Cp { src, .. }, K::NotFound) => {
                        format!("cp: cannot stat '{src}': {why}")
                    }
                    (HostCmd::Cp { dst, .. }, _) => {
                        format!("cp: cannot create regular file '{dst}': {why}")
                    }
                    (HostCmd::Mv { src, .. }, K::NotFound) => {
                        format!("mv: cannot stat '{src}': {why}")
                    }
                    (HostCmd::Mv { src, dst }, _) => {
                        format!("mv: cannot move '{src}' to '{dst}': {why}")
                    }
                };
                Ok(Ok(vec![line]))
            }
        }
    }

    fn crash(&mut self, torn: bool, after_io: Option<u64>, next: Option<&Statement>) -> StepResult {
        if let Some(Statement::Resolve {
            fates: letters,
            namespace,
        }) = next
        {
            let namespace_kept = namespace.map_or(usize::MAX, |n| n as usize);
            let fates = Fates::parse(letters, namespace_kept)
                .expect("the parser accepts only fate letters");
            self.run.pinned_fates = Some(fates);
        } else if torn && after_io.is_none() {
            let writes = self.torn_fates();
            self.run.pinned_fates = Some(Fates {
                writes,
                ..Fates::default()
            });
        }
        self.torn_armed = torn && after_io.is_some();
        if let Some(n) = after_io {
            self.run.disk_mut().arm_crash(n);
            return Ok(Ok(Vec::new()));
        }
        // The power fails: the instance is simply gone (no SHUTDOWN ABORT).
        self.run.disk_mut().cut_power();
        self.gone()?;
        self.crashed = true;
        Ok(Ok(vec!["-- power lost".into()]))
    }

    /// Fates that tear at least one database block in flight (`crash torn`):
    /// half of the first pending datafile block applied, half dropped; every
    /// other write drawn from the seed.
    fn torn_fates(&mut self) -> Vec<Fate> {
        let writes = self.run.disk_mut().clone().power_loss_with(&[], 0).writes;
        let per_block = (self.run.p.db_block_size / self.run.cfg.os_block_size) as u64;
        let mut fates: Vec<Fate> = writes
            .iter()
            .map(|_| {
                if self.workload.chance(1, 2) {
                    Fate::Applied
                } else {
                    Fate::Dropped
                }
            })
            .collect();
        if per_block > 1
            && let Some(first) = writes
                .iter()
                .position(|w| self.run.p.datafiles.iter().any(|f| f.path == w.path))
        {
            let block = writes[first].os_block / per_block;
            let path = writes[first].path.clone();
            for (n, w) in writes.iter().enumerate() {
                if w.path == path && w.os_block / per_block == block {
                    fates[n] = if w.os_block % per_block < per_block / 2 {
                        Fate::Applied
                    } else {
                        Fate::Dropped
                    };
                }
            }
        }
        fates
    }

    fn fault(&mut self, f: &FaultCmd) -> StepResult {
        let p = self.run.p.clone();
        let file_path = |r: &FileRef| match r {
            FileRef::Number(n) => p.datafile(*n as u32).map(|d| d.path.clone()),
            FileRef::Name(s) => Some(s.clone()),
        };
        let mut lose = Vec::new();
        match f {
            FaultCmd::LoseDatafile(r) => lose.extend(file_path(r)),
            FaultCmd::LoseFile(path) => lose.push(path.clone()),
            FaultCmd::LoseLogGroup { group, member } => {
                let g = match group {
                    GroupRef::Number(n) => *n as usize,
                    GroupRef::Current => self.current_group().unwrap_or(1),
                };
                let Some(members) = p.log_groups.get(g.wrapping_sub(1)) else {
                    return Err(Stop::Failed(format!("there is no log group {g}")));
                };
                match member {
                    Some(m) => lose.extend(members.get((*m as usize).wrapping_sub(1)).cloned()),
                    None => lose.extend(members.iter().cloned()),
                }
            }
            FaultCmd::LoseOnlineLogs => lose.extend(p.log_groups.iter().flatten().cloned()),
            FaultCmd::LoseArchivelog { thread, sequence } => {
                let inc = engine::inspect::newest_controlfile(self.run.disk_mut(), &p)
                    .ok()
                    .flatten()
                    .map(|c| c.incarnation.id())
                    .unwrap_or(1);
                lose.push(p.archive_name(*thread as u32, *sequence as u32, inc));
            }
            FaultCmd::LoseControlfile { copy: Some(k) } => {
                lose.extend(p.control_files.get((*k as usize).wrapping_sub(1)).cloned())
            }
            FaultCmd::LoseControlfile { copy: None } => {
                lose.extend(p.control_files.iter().cloned())
            }
            FaultCmd::CorruptDatafileBlock { file, block } => {
                let Some(path) = file_path(file) else {
                    return Err(Stop::Failed("no such datafile".into()));
                };
                let Some(spec) = p.datafiles.iter().find(|d| d.path == path) else {
                    return Err(Stop::Failed(format!("'{path}' is not a datafile")));
                };
                // As a random run rots it (block 0: the header's OS block).
                let os_block = self.run.cfg.os_block_size;
                crate::media::rot_block(
                    self.run.disk_mut(),
                    &path,
                    *block,
                    p.db_block_size,
                    os_block,
                );
                self.run.model.rotted.insert((spec.file_no, *block as u32));
                return Ok(Ok(Vec::new()));
            }
            FaultCmd::LoseDevice(prefix) => {
                let names: Vec<String> = crate::config::devices(&p)
                    .into_iter()
                    .filter(|(_, pre)| pre.starts_with(prefix.as_str()))
                    .map(|(n, _)| n)
                    .collect();
                for n in names {
                    lose.extend(self.run.disk_mut().lose_device(&n));
                }
                self.run.model.lost_files.extend(lose);
                return Ok(Ok(Vec::new()));
            }
            FaultCmd::LoseBackupPiece(_) => {
                return Err(Stop::Unsupported(
                    "fault lose backup piece (RMAN, S-BK-4)".into(),
                ));
            }
        }
        for path in lose {
            self.run.disk_mut().lose_file(&path);
            self.run.model.lost_files.insert(path);
        }
        Ok(Ok(Vec::new()))
    }

    /// The members of log group `g`, as the newest control file lists them
    /// (the configured names when no control file can be read).
    fn group_members(&mut self, g: u32) -> Vec<String> {
        let p = self.run.p.clone();
        let from_cf = engine::inspect::newest_controlfile(self.run.disk_mut(), &p)
            .ok()
            .flatten()
            .and_then(|cf| {
                cf.log_groups
                    .iter()
                    .find(|lg| lg.group == g)
                    .map(|lg| lg.members.iter().map(|m| m.path.clone()).collect())
            });
        from_cf.unwrap_or_else(|| {
            p.log_groups
                .get((g as usize).wrapping_sub(1))
                .cloned()
                .unwrap_or_default()
        })
    }

    fn current_group(&mut self) -> Option<usize> {
        let p = self.run.p.clone();
        let cf = engine::inspect::newest_controlfile(self.run.disk_mut(), &p)
            .ok()
            .flatten()?;
        Some(cf.thread(1).current_group as usize)
    }

    // ----- directives --------------------------------------------------------

    /// `workload N sessions=K`: N transactions of 1–4 row changes over K
    /// sessions; most commit, some roll back, some stay open.
    fn workload(&mut self, n: u64, sessions: u64) -> StepResult {
        let mut out = Vec::new();
        let keys = self.run.cfg.keys;
        for _ in 0..n {
            let sid = 100 + self.workload.below(sessions.max(1)) as u32;
            for _ in 0..self.workload.range(1, 4) {
                let k = self.workload.below(keys);
                self.values += 1;
                let v = format!("w{}", self.values);
                let verb = match self.workload.below(5) {
                    0 | 1 => "created",
                    2 | 3 => "updated",
                    _ => "deleted",
                };
                let value = (verb != "deleted").then_some(v);
                match self.dml(sid, k, value, verb)? {
                    Ok(_) => {}
                    Err(s) if matches!(s.code(), 1 | 54 | 1653) => {}
                    Err(s) => return Ok(Err(s)),
                }
            }
            let end = self.workload.below(10);
            let saved = self.session;
            self.session = sid;
            let r = match end {
                0 => self.sql(&SqlStmt::Rollback)?,
                1 => Ok(Vec::new()), // left open
                _ => self.sql(&SqlStmt::Commit)?,
            };
            self.session = saved;
            if let Err(s) = r {
                return Ok(Err(s));
            }
        }
        out.push(format!("{n} transactions run."));
        Ok(Ok(out))
    }

    fn check(&mut self) -> StepResult {
        let r = match self.run.inst.as_ref().map(|i| i.state()) {
            Some(DbState::Open) => self.run.checks_after_open(),
            Some(_) => Ok(()),
            None if self.crashed => self.run.crash_checks(),
            None => self.run.checks_after_clean_shutdown(),
        };
        r.map_err(halt)?;
        Ok(Ok(vec!["Invariants held.".into()]))
    }

    fn expect_data(&mut self, at: Option<BTreeMap<u64, String>>) -> StepResult {
        let Some(inst) = self
            .run
            .inst
            .as_mut()
            .filter(|i| i.state() == DbState::Open)
        else {
            return Err(Stop::Failed("expect data needs an open database".into()));
        };
        let scan = match inst.scan() {
            Ok(s) => s,
            Err(e) => return Err(Stop::Failed(format!("the table cannot be read: {e}"))),
        };
        let found = match at {
            None => {
                let dfs = inst.controlfile().map_or_else(
                    || invariants::files::from_params(&self.run.p),
                    |c| c.datafiles.clone(),
                );
                invariants::data::check_rows_in(&self.run.model, &self.run.p, &scan, true, &dfs)
            }
            Some(state) => {
                let seen: BTreeMap<u64, String> = scan.rows.iter().cloned().collect();
                if seen == state {
                    Vec::new()
                } else {
                    vec![Violation::new(
                        "INV-DATA-3",
                        format!(
                            "the rows differ from the committed state at the mark: {} visible, {} expected",
                            seen.len(),
                            state.len()
                        ),
                    )]
                }
            }
        };
        match found.into_iter().next() {
            Some(v) => Err(Stop::Failed(format!("{v}"))),
            None => Ok(Ok(Vec::new())),
        }
    }
}

/// The answers to one RECOVER's log prompts: the answer lines after it in
/// order, or the suggestion every time (`recover automatic`, `set
/// autorecovery on`). A prompt with no answer left is remembered (the
/// script's error) and answered CANCEL, so the engine stops there.
struct Prompts<'a> {
    answers: &'a [RecoverAnswer],
    next: usize,
    automatic: bool,
    unanswered: Option<engine::media::LogRequest>,
}

impl Prompts<'_> {
    fn answer(&mut self, req: &engine::media::LogRequest) -> engine::media::LogAnswer {
        use engine::media::LogAnswer;
        if self.automatic {
            return LogAnswer::Suggested;
        }
        let Some(a) = self.answers.get(self.next) else {
            self.unanswered.get_or_insert_with(|| req.clone());
            return LogAnswer::Cancel;
        };
        self.next += 1;
        match a {
            RecoverAnswer::Suggested => LogAnswer::Suggested,
            RecoverAnswer::Auto => LogAnswer::Auto,
            RecoverAnswer::Cancel => LogAnswer::Cancel,
            RecoverAnswer::File(f) => LogAnswer::File(f.clone()),
        }
    }
}

fn halt(h: Halt) -> Stop {
    match h {
        Halt::Violation(v) => Stop::Failed(format!("VIOLATION {v}")),
        Halt::Unrecoverable(why) => Stop::Failed(why),
    }
}

/// Whether a statement reaches the engine (and so ticks the simulated
/// clock): SQL, SQL*Plus commands, host commands and the background
/// directives; not sessions, expectations, marks, crashes or faults.
pub(crate) fn reaches_engine(s: &Statement) -> bool {
    match s {
        Statement::Dbwr { .. } | Statement::Arch | Statement::Workload { .. } => true,
        Statement::Session(_) | Statement::Connect | Statement::Set(_) | Statement::Answer(_) => {
            false
        }
        s => !s.is_directive(),
    }
}

/// The prompt a transcript shows before a statement: `SQL> `, `RMAN> `, or
/// nothing for a simulator directive.
pub(crate) fn prompt(s: &Statement) -> &'static str {
    match s {
        Statement::Rman(_) => "RMAN> ",
        // Typed at recovery's `Specify log:` prompt, not at `SQL>`.
        Statement::Answer(_) => "",
        s if s.is_directive() => "",
        _ => "SQL> ",
    }
}

fn short(s: &str) -> String {
    s.trim_end_matches(';')
        .trim_start_matches("alter database ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executor(text: &str) -> (Executor, ScriptOutcome) {
        let script = parse("t.scn", text).expect("parses");
        let (cfg, seed, plant, _) = configure("t.scn", &script).expect("configures");
        let mut ex = Executor::new("t.scn", seed, cfg, plant, false);
        let out = ex.run(&script);
        (ex, out)
    }

    /// A cleared group's members are new files: the model no longer counts
    /// them as lost, so the invariants hold them to what a member owes.
    #[test]
    fn clearing_a_group_takes_its_members_off_the_lost_files() {
        let lost = "startup\nalter system archive log current;\nalter system checkpoint;\n\
                    fault lose log group 1\nshutdown abort\nstartup mount\n";
        let (ex, out) = executor(lost);
        assert_eq!(out.exit, 0, "{}", out.transcript());
        let members = [
            "/u01/oradata/SIM/redo01a.log",
            "/u01/oradata/SIM/redo01b.log",
        ];
        for m in members {
            assert!(ex.run.model.lost_files.contains(m), "{m}");
        }
        let (ex, out) = executor(&format!("{lost}alter database clear logfile group 1;\n"));
        assert_eq!(out.exit, 0, "{}", out.transcript());
        for m in members {
            assert!(!ex.run.model.lost_files.contains(m), "{m}");
        }
        // A refused clear changes nothing.
        let (ex, out) = executor(&format!(
            "{lost}alter database clear logfile group 3;\nexpect error ORA-01624\n"
        ));
        assert_eq!(out.exit, 0, "{}", out.transcript());
        assert!(ex.run.model.lost_files.contains(members[0]));
    }

    /// The blocks of a file on the executor's disk that fail their checks.
    fn corrupt_blocks(ex: &mut Executor, path: &str, file_no: u32) -> Vec<u32> {
        let bs = ex.run.p.db_block_size;
        let blocks = ex.run.p.datafile(file_no).expect("datafile").blocks;
        let disk = ex.run.disk_mut();
        (1..blocks)
            .filter(|&b| {
                engine::datafile::read_block(disk, path, file_no, b, bs, false)
                    .expect("the copy is readable")
                    .is_err()
            })
            .collect()
    }

    /// S-BK-2: `cp` of an open database's datafile interleaves with DBWn,
    /// so some seed's copy holds a fractured block (old OS blocks first,
    /// new ones after); the original stays whole, and the same seed makes
    /// the same copy.
    #[test]
    fn a_copy_of_an_open_datafile_can_be_fractured() {
        let copy_of = |seed: u64| {
            let mut text = format!("set seed {seed}\nstartup\n");
            for k in 0..40 {
                text.push_str(&format!("insert into t values ({k}, 'v{k}');\n"));
            }
            text.push_str("commit;\nalter system checkpoint;\n");
            for k in 0..40 {
                text.push_str(&format!("update t set v = 'w{k}' where k = {k};\n"));
            }
            text.push_str(
                "commit;\nhost cp /u01/oradata/SIM/users01.dbf /u03/backup/users01.dbf\n",
            );
            let (mut ex, out) = executor(&text);
            assert_eq!(out.exit, 0, "{}", out.transcript());
            let copy = "/u03/backup/users01.dbf";
            let n = ex.run.disk_mut().size(copy).expect("copied") as usize;
            let mut bytes = vec![0u8; n];
            ex.run.disk_mut().read(copy, 0, &mut bytes).expect("copied");
            let fractured = corrupt_blocks(&mut ex, copy, 3);
            let original = corrupt_blocks(&mut ex, "/u01/oradata/SIM/users01.dbf", 3);
            assert!(
                original.is_empty(),
                "seed {seed}: the original {original:?}"
            );
            (fractured, bytes, out.trace_hash)
        };
        let seed = (0..64)
            .find(|&s| !copy_of(s).0.is_empty())
            .expect("some seed fractures a copy");
        let (a, bytes_a, hash_a) = copy_of(seed);
        let (b, bytes_b, hash_b) = copy_of(seed);
        assert_eq!(a, b);
        assert!(bytes_a == bytes_b, "seed {seed}: the two copies differ");
        assert_eq!(hash_a, hash_b);
        // Not every seed fractures: the decision is the seed's.
        assert!((0..64).any(|s| copy_of(s).0.is_empty()));
    }

    /// Without an open instance nothing runs alongside a copy: it is whole.
    #[test]
    fn a_copy_of_a_closed_datafile_is_whole() {
        let text = "startup\ninsert into t values (1, 'a');\ncommit;\nshutdown immediate\n\
                    host cp /u01/oradata/SIM/users01.dbf /u03/backup/users01.dbf\n";
        let (mut ex, out) = executor(text);
        assert_eq!(out.exit, 0, "{}", out.transcript());
        assert!(corrupt_blocks(&mut ex, "/u03/backup/users01.dbf", 3).is_empty());
        assert_eq!(
            ex.run.disk_mut().device_of("/u03/backup/users01.dbf"),
            "backup"
        );
    }

    /// Answers: a prompt with none left and an answer no prompt asked for
    /// are script errors (exit 2); a blank line after a recover is not.
    #[test]
    fn surplus_answers_are_script_errors() {
        let text = "startup\nshutdown immediate\nstartup mount\nrecover database;\nauto\n\
                    expect error ORA-00264\n";
        let (_, out) = executor(text);
        assert_eq!(out.exit, 2, "{}", out.transcript());
        let why = out.failure.unwrap();
        assert!(
            why.starts_with("t.scn:5: the answer `auto` was not consumed"),
            "{why}"
        );
        let text = "startup\nshutdown immediate\nstartup mount\nrecover database;\n\nexpect error ORA-00264\n";
        let (_, out) = executor(text);
        assert_eq!(out.exit, 0, "{}", out.transcript());
    }

    /// `set release` reaches the engine's parameters; 9i is the default.
    #[test]
    fn the_release_reaches_the_parameters() {
        let (ex, _) = executor("set release 10g\nstartup\n");
        assert_eq!(ex.run.p.release, engine::params::Release::R10g);
        let (ex, _) = executor("startup\n");
        assert_eq!(ex.run.p.release, engine::params::Release::R9i);
    }

    /// A hot backup of USERS, work over several log switches, the copy of
    /// users01.dbf put back and `recover datafile 3` at MOUNT, whose first
    /// prompt asks for an archived log; `answers` follow the recover.
    fn restored_users01(answers: &str) -> String {
        let mut text = String::from(
            "startup\nalter tablespace users begin backup;\n\
             host cp /u01/oradata/SIM/users01.dbf /u03/backup/users01.dbf\n\
             alter tablespace users end backup;\n",
        );
        for k in 0..12 {
            text.push_str(&format!(
                "insert into t values ({k}, 'v{k}');\ncommit;\nalter system archive log current;\n"
            ));
        }
        text.push_str(
            "shutdown immediate\n\
             host cp /u03/backup/users01.dbf /u01/oradata/SIM/users01.dbf\n\
             host cp /u01/oradata/SIM/users01.dbf /u01/oradata/SIM/users01.dbf\n\
             startup mount\nrecover datafile 3;\n",
        );
        text.push_str(answers);
        text
    }

    /// Scripts count what they reach: a BEGIN BACKUP that succeeded, a
    /// restore (a copy onto a datafile the control file names from another
    /// path; not a copy onto itself) and a RECOVER that succeeded.
    #[test]
    fn scripts_count_restores_backups_and_recoveries() {
        let text = restored_users01("auto\nalter database open;\nexpect data complete\n");
        let (_, out) = executor(&text);
        assert_eq!(out.exit, 0, "{}", out.transcript());
        assert_eq!(out.coverage.hot_backups, 1);
        assert_eq!(out.coverage.restores, 1);
        assert_eq!(out.coverage.media_recoveries, 1);
        let recover = out
            .results
            .iter()
            .find(|r| r.statement.starts_with("recover"))
            .expect("ran");
        assert!(
            recover.output.iter().any(|l| l.starts_with("ORA-00279")),
            "{recover:?}"
        );
        assert_eq!(
            recover.output.last().map(String::as_str),
            Some("Media recovery complete.")
        );
        // The answer shows after its prompt, not as a line of its own.
        let at = recover
            .output
            .iter()
            .position(|l| l.starts_with("Specify log:"));
        assert_eq!(at.map(|i| recover.output[i + 1].as_str()), Some("auto"));
        assert!(!out.results.iter().any(|r| r.statement == "auto"));
        // A refused BEGIN BACKUP counts nothing.
        let (_, out) = executor("alter tablespace users begin backup;\nexpect error ORA-01034\n");
        assert_eq!(out.exit, 0, "{}", out.transcript());
        assert_eq!(out.coverage.hot_backups, 0);
    }

    /// A prompt the script does not answer is a script error naming the
    /// recover's line; `set autorecovery on` answers every prompt.
    #[test]
    fn an_unanswered_prompt_is_a_script_error() {
        let text = restored_users01("alter database open;\n");
        let (_, out) = executor(&text);
        assert_eq!(out.exit, 2, "{}", out.transcript());
        let line = text.lines().position(|l| l.starts_with("recover")).unwrap() + 1;
        let why = out.failure.unwrap();
        assert!(
            why.starts_with(&format!(
                "t.scn:{line}: recovery asked for a log (ORA-00279"
            )),
            "{why}"
        );
        let text = restored_users01("alter database open;\nexpect data complete\n")
            .replace("startup mount\n", "startup mount\nset autorecovery on\n");
        let (_, out) = executor(&text);
        assert_eq!(out.exit, 0, "{}", out.transcript());
        assert_eq!(out.coverage.media_recoveries, 1);
    }

    /// The prompts take the answers in order; past them the script has
    /// none left (remembered, answered CANCEL); automatic takes every
    /// suggestion and consumes nothing.
    #[test]
    fn prompts_take_the_answers_in_order() {
        use engine::media::{LogAnswer, LogRequest};
        let req = |seq| LogRequest {
            thread: 1,
            incarnation: engine::instance::first_incarnation(1),
            seq,
            change: 100,
            time: 0,
            suggestion: format!("/u02/arch/arch_1_{seq}_1.arc"),
        };
        let answers = [
            RecoverAnswer::Suggested,
            RecoverAnswer::File("/u03/backup/a.arc".into()),
        ];
        let mut p = Prompts {
            answers: &answers,
            next: 0,
            automatic: false,
            unanswered: None,
        };
        assert_eq!(p.answer(&req(5)), LogAnswer::Suggested);
        assert_eq!(
            p.answer(&req(6)),
            LogAnswer::File("/u03/backup/a.arc".into())
        );
        assert_eq!(p.answer(&req(7)), LogAnswer::Cancel);
        assert_eq!(p.answer(&req(8)), LogAnswer::Cancel);
        assert_eq!(p.next, 2);
        assert_eq!(p.unanswered.map(|r| r.seq), Some(7));
        let mut p = Prompts {
            answers: &answers,
            next: 0,
            automatic: true,
            unanswered: None,
        };
        assert_eq!(p.answer(&req(5)), LogAnswer::Suggested);
        assert_eq!(p.answer(&req(6)), LogAnswer::Suggested);
        assert_eq!((p.next, p.unanswered), (0, None));
    }

    /// A power loss during a copy, whether DBWn's write alongside or the
    /// copy's own I/O meets it, stops the copy with `-- power lost`, and
    /// the database recovers as after any crash.
    #[test]
    fn a_power_loss_during_a_copy_is_a_crash() {
        for seed in 0..16 {
            let mut text = format!("set seed {seed}\nstartup\n");
            for k in 0..40 {
                text.push_str(&format!("insert into t values ({k}, 'v{k}');\n"));
            }
            text.push_str(
                "commit;\ncrash after 1 io\n\
                 host cp /u01/oradata/SIM/users01.dbf /u03/backup/users01.dbf\n\
                 startup\nexpect data complete\n",
            );
            let (_, out) = executor(&text);
            assert_eq!(out.exit, 0, "seed {seed}: {}", out.transcript());
            let cp = out
                .results
                .iter()
                .find(|r| r.statement.starts_with("host cp"))
                .expect("the copy ran");
            assert_eq!(cp.output[0], "-- power lost", "seed {seed}");
            assert_eq!(cp.error, Some(3113), "seed {seed}");
        }
    }
}
