//! The command line: `redosim run | soak | bench | bugs`.
//!
//! Everything here sits outside a run. A run is a pure function of its
//! [`RunOptions`]; this module only chooses the options, schedules runs on
//! threads and reports what they found. Parallelism is across runs only, and
//! results are reported in seed order whatever order the threads finish in,
//! so the printed failures and the `--out` file are the same for any
//! `--jobs`. The wall clock is read in exactly one function, [`stopwatch`],
//! and only to report throughput.
//!
//! Exit codes (ARCHITECTURE.md, "The command line"): [`EXIT_HELD`] every
//! invariant held, [`EXIT_VIOLATION`] a violation, [`EXIT_BAD_INPUT`] bad
//! input, with the reason on stderr. A bad flag is reported by clap itself.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use engine::Plant;
use engine::params::PLANTED_BUGS;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use tracing_subscriber::fmt::MakeWriter;

use crate::runner::{Coverage, RunOptions, RunSummary, ViolationReport, run_seed};

/// Every invariant held.
pub const EXIT_HELD: i32 = 0;
/// At least one run violated an invariant (a panic is INV-REC-1).
pub const EXIT_VIOLATION: i32 = 1;
/// The command line itself was wrong; nothing was run.
pub const EXIT_BAD_INPUT: i32 = 2;

const EXAMPLES: &str = "\
Examples:
  redosim soak --seeds 0..10000 --jobs 8 --out results.jsonl
      10,000 seeds on 8 threads; one JSON line per seed in results.jsonl
  redosim run --seed 42 --trace
      seed 42 alone, printing its alert log as it runs
  redosim bugs
      the planted bugs, and the invariant that must catch each";

/// Deterministic simulation testing of crash and media recovery for an
/// Oracle-style database engine.
#[derive(Debug, Parser)]
#[command(name = "redosim", version, after_help = EXAMPLES, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one seed and check every invariant after every recovery; exit 1 on a violation.
    Run(RunArgs),
    /// Run a range of seeds in parallel and report the failures in seed order.
    Soak(SoakArgs),
    /// Measure throughput: consecutive seeds from 0 on one thread for a while.
    Bench(BenchArgs),
    /// List the planted bugs: what each does, what must catch it, whether it is built.
    Bugs,
    /// Run a scenario (the language: docs/SCENARIO.md), printing what SQL*Plus would;
    /// exit 1 when an expectation or check fails, 2 when it does not parse or
    /// needs a feature the engine lacks.
    Script(ScriptArgs),
    /// Shrink a failing seed or scenario to a small scenario that fails with
    /// the same invariant and replays bit for bit.
    Shrink(ShrinkArgs),
    /// Replay a scenario (or a seed) with the trace; exit 1 when an invariant
    /// fails, 0 when every invariant holds.
    Replay(ReplayArgs),
    /// Draw one run (a seed or a scenario) as a self-contained HTML page: a
    /// timeline of its checkpoints, logs, faults, recoveries and checks.
    Report(crate::report::ReportArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "seed"])))]
struct ShrinkArgs {
    /// A failing scenario to shrink: a printed run, a fuzzer's or a property
    /// test's failure saved as a file, or one written by hand.
    #[arg(value_name = "FILE.scn")]
    file: Option<std::path::PathBuf>,
    /// The failing seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// With --seed: the planted bug the seed fails with (names: `redosim bugs`).
    #[arg(long, value_name = "BUG", conflicts_with = "file")]
    plant: Option<String>,
    /// Where to write the shrunk scenario.
    #[arg(short = 'o', long = "out", value_name = "FILE.scn")]
    out: std::path::PathBuf,
    /// Replays to spend at most.
    #[arg(long, default_value_t = 2000)]
    max_replays: usize,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "seed"])))]
struct ReplayArgs {
    /// The scenario to replay.
    #[arg(value_name = "FILE.scn")]
    file: Option<std::path::PathBuf>,
    /// Replay a seed instead (`redosim run --seed N --trace`).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// With --seed: the planted bug.
    #[arg(long, value_name = "BUG", conflicts_with = "file")]
    plant: Option<String>,
}

#[derive(Debug, Args)]
struct ScriptArgs {
    /// The scenario file (`*.scn`).
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
    /// One JSON object per statement instead of the transcript.
    #[arg(long)]
    json: bool,
    /// Print the alert log as it runs (to stderr).
    #[arg(long)]
    trace: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The seed; a run is a pure function of the seed, --steps and --plant.
    #[arg(long, value_name = "N")]
    seed: u64,
    /// Workload steps [default: the seed's configuration decides].
    #[arg(long, value_name = "K")]
    steps: Option<usize>,
    /// Switch on a planted bug (names: `redosim bugs`).
    #[arg(long, value_name = "BUG")]
    plant: Option<String>,
    /// Print the run's alert log as it runs (to stderr when --json is given).
    #[arg(long)]
    trace: bool,
    /// Print the summary as one JSON object instead of a text block.
    #[arg(long)]
    json: bool,
    /// Print the run as a scenario instead of the summary (the violation, if
    /// any, goes to stderr); `redosim script` of it replays the run.
    #[arg(long, conflicts_with = "json")]
    print_scenario: bool,
}

#[derive(Debug, Args)]
struct SoakArgs {
    /// Seeds to run: A..B is A (inclusive) to B (exclusive); N alone is N..N+1.
    #[arg(long, value_name = "A..B")]
    seeds: String,
    /// Worker threads, one run per thread at a time [default: available parallelism].
    #[arg(long, value_name = "N", value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    jobs: Option<usize>,
    /// Switch on a planted bug in every run (names: `redosim bugs`).
    #[arg(long, value_name = "BUG")]
    plant: Option<String>,
    /// Write one JSON line per seed run (its summary), in seed order.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
    /// Stop scheduling seeds once one fails (every lower seed still runs).
    #[arg(long)]
    stop_on_failure: bool,
    /// Where shrunk failures are written.
    #[arg(long, value_name = "DIR", default_value = "corpus/found")]
    found_dir: std::path::PathBuf,
    /// Wall-clock seconds to spend shrinking failures; the rest are saved
    /// as printed, unshrunk (they replay all the same).
    #[arg(long, value_name = "S", default_value = "60", value_parser = parse_seconds)]
    shrink_seconds: Duration,
    /// Do not save failures.
    #[arg(long)]
    no_save: bool,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Wall-clock seconds to keep starting new seeds (fractions allowed).
    #[arg(long, value_name = "S", default_value = "10", value_parser = parse_seconds)]
    seconds: Duration,
    /// Switch on a planted bug in every run (names: `redosim bugs`).
    #[arg(long, value_name = "BUG")]
    plant: Option<String>,
    /// Also time seed 7 at K and 10·K steps and print the ratio (a run
    /// should cost in proportion to its steps: a ratio near 10).
    #[arg(long, value_name = "K")]
    steps_scaling: Option<usize>,
}

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with code 0; errors to stderr with 2.
            let _ = err.print();
            return err.exit_code();
        }
    };
    let result = match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Soak(args) => cmd_soak(args),
        Command::Bench(args) => cmd_bench(args),
        Command::Bugs => cmd_bugs(),
        Command::Script(args) => cmd_script(args),
        Command::Shrink(args) => cmd_shrink(args),
        Command::Replay(args) => cmd_replay(args),
        Command::Report(args) => crate::report::cmd_report(args),
    };
    result.unwrap_or_else(|err| {
        eprintln!("error: {err:#}");
        EXIT_BAD_INPUT
    })
}

/// A non-empty, half-open range of seeds: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedRange {
    pub start: u64,
    pub end: u64,
}

impl SeedRange {
    /// Parses `A..B` (A < B, both u64) or a single `N` meaning `N..N+1`.
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let (start, end) = match text.split_once("..") {
            Some((a, b)) => (parse_seed(a), parse_seed(b)),
            None => {
                let n = parse_seed(text);
                (n, n.and_then(|n| n.checked_add(1)))
            }
        };
        match (start, end) {
            (Some(start), Some(end)) if start < end => Ok(SeedRange { start, end }),
            _ => Err(format!("bad seed range '{text}': expected A..B with A < B")),
        }
    }

    /// How many seeds the range holds (never 0).
    pub fn count(&self) -> u64 {
        self.end - self.start
    }
}

impl fmt::Display for SeedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Plain decimal digits only: no sign, no spaces, no underscores.
fn parse_seed(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if digits { text.parse().ok() } else { None }
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!("'{text}': expected more than 0 seconds"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("'{text}': {e}"))
}

fn parse_plant(name: Option<&str>) -> anyhow::Result<Option<Plant>> {
    name.map(Plant::parse).transpose().map_err(|e| anyhow!(e))
}

/// The wall clock, for throughput figures only (the soak summary and
/// `bench`). It cannot affect determinism: which seeds run and with which
/// options is fixed before it is read, no run ever sees it, and results are
/// reported in seed order. It only measures how long the runs took (and
/// tells `bench` when to stop starting new seeds).
#[allow(clippy::disallowed_methods)]
fn stopwatch() -> Instant {
    Instant::now()
}

/// Writes to stdout; a closed pipe (`redosim bugs | head`) is not an error.
fn emit(text: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("error: writing to stdout: {e}");
    }
}

fn exit_code(all_held: bool) -> i32 {
    if all_held { EXIT_HELD } else { EXIT_VIOLATION }
}

// ---------------------------------------------------------------- run

fn cmd_run(args: RunArgs) -> anyhow::Result<i32> {
    let opts = RunOptions {
        seed: args.seed,
        steps: args.steps,
        plant: parse_plant(args.plant.as_deref())?,
        trace: args.trace,
        print_scenario: args.print_scenario,
        final_rows: false,
    };
    if args.trace {
        // With --json, stdout carries exactly one JSON object.
        if args.json {
            install_trace(|| QuietPipe(io::stderr()), io::stderr().is_terminal());
        } else {
            install_trace(|| QuietPipe(io::stdout()), io::stdout().is_terminal());
        }
    }
    let summary = run_seed(&opts);
    if args.print_scenario {
        emit(&summary.scenario);
        if let Some(v) = &summary.violation {
            eprintln!("VIOLATION {} at step {}\n  {}", v.id, v.step, v.evidence);
        }
        return Ok(exit_code(summary.passed()));
    }
    if args.json {
        emit(&format!("{}\n", serde_json::to_string(&summary)?));
    } else {
        emit(
            &RunReport {
                summary: &summary,
                steps: args.steps,
            }
            .to_string(),
        );
    }
    Ok(exit_code(summary.passed()))
}

fn cmd_shrink(args: ShrinkArgs) -> anyhow::Result<i32> {
    let Some(seed) = args.seed else {
        let file = args.file.as_ref().expect("clap requires a file or --seed");
        return shrink_file_cmd(file, &args.out, args.max_replays);
    };
    let plant = parse_plant(args.plant.as_deref())?;
    let summary = run_seed(&RunOptions {
        seed,
        steps: None,
        plant,
        trace: false,
        print_scenario: false,
        final_rows: false,
    });
    if summary.passed() {
        eprintln!(
            "error: seed {seed} holds every invariant{}: nothing to shrink",
            args.plant
                .as_deref()
                .map(|p| format!(" with --plant {p}"))
                .unwrap_or_default()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let (shrunk, id) = match crate::shrink::shrink_text(&summary.scenario, args.max_replays) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: the printed run does not replay its failure: {e}");
            return Ok(EXIT_VIOLATION);
        }
    };
    let name = args.out.display().to_string();
    std::fs::write(&args.out, shrunk_file(&summary, &shrunk, &id, &name))?;
    emit(&format!(
        "{id}: {} statements shrunk to {} ({} replays); written to {name}\nreplay: redosim replay {name}\n",
        shrunk.original_statements, shrunk.final_statements, shrunk.replays
    ));
    Ok(0)
}

/// `redosim shrink FILE.scn -o OUT.scn`: shrinks a failing scenario.
fn shrink_file_cmd(
    file: &std::path::Path,
    out: &std::path::Path,
    max_replays: usize,
) -> anyhow::Result<i32> {
    let from = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {from}: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if let Err(e) = crate::script::parse(&from, &text) {
        eprintln!("{e}");
        return Ok(EXIT_BAD_INPUT);
    }
    let (shrunk, id) = match crate::shrink::shrink_text(&text, max_replays) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {from}: nothing to shrink: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let name = out.display().to_string();
    std::fs::write(
        out,
        format!(
            "# expect: {id}\n# Shrunk failure: {id}\n# shrunk from: {from}\n# replay: redosim replay {name}\n# statements: {} in {from}, {} after shrinking ({} replays)\n{}",
            shrunk.original_statements,
            shrunk.final_statements,
            shrunk.replays,
            crate::script::print(&shrunk.script)
        ),
    )
    .with_context(|| format!("writing {name}"))?;
    emit(&format!(
        "{id}: {} statements shrunk to {} ({} replays); written to {name}\nreplay: redosim replay {name}\n",
        shrunk.original_statements, shrunk.final_statements, shrunk.replays
    ));
    Ok(0)
}

fn cmd_replay(args: ReplayArgs) -> anyhow::Result<i32> {
    if let Some(seed) = args.seed {
        return cmd_run(RunArgs {
            seed,
            steps: None,
            plant: args.plant,
            trace: true,
            json: false,
            print_scenario: false,
        });
    }
    let file = args.file.expect("clap requires a file or --seed");
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    install_trace(|| QuietPipe(io::stdout()), io::stdout().is_terminal());
    let outcome = crate::scenario::run_script(&name, &text, true);
    if outcome.exit == 2 {
        eprintln!("{}", outcome.failure.as_deref().unwrap_or("bad input"));
        return Ok(EXIT_BAD_INPUT);
    }
    match crate::shrink::violated_invariant(&outcome) {
        Some(id) => {
            emit(&format!(
                "VIOLATION {id}: the failure replays\n{}\n",
                outcome.failure.as_deref().unwrap_or("")
            ));
            Ok(EXIT_VIOLATION)
        }
        None => {
            let note = outcome
                .failure
                .as_deref()
                .map(|f| format!(" (the scenario stopped: {f})"))
                .unwrap_or_default();
            emit(&format!(
                "every invariant held{note}\ntrace hash {:016x}\n",
                outcome.trace_hash
            ));
            Ok(0)
        }
    }
}

fn cmd_script(args: ScriptArgs) -> anyhow::Result<i32> {
    let name = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if args.trace {
        install_trace(|| QuietPipe(io::stderr()), io::stderr().is_terminal());
    }
    let outcome = crate::scenario::run_script(&name, &text, args.trace);
    if args.json {
        let mut out = String::new();
        for r in &outcome.results {
            out.push_str(&serde_json::to_string(r)?);
            out.push('\n');
        }
        emit(&out);
    } else {
        let t = outcome.transcript();
        emit(
            t.strip_suffix(
                outcome
                    .failure
                    .as_deref()
                    .map(|f| format!("{f}\n"))
                    .as_deref()
                    .unwrap_or(""),
            )
            .unwrap_or(&t),
        );
    }
    if let Some(f) = &outcome.failure {
        eprintln!("{f}");
    }
    if !args.json && outcome.exit != 2 {
        emit(&format!("trace hash {:016x}\n", outcome.trace_hash));
    }
    Ok(outcome.exit)
}

/// The runner emits the alert log as `tracing` events: print their messages
/// only, one line each.
fn install_trace<W>(writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // Fails only if a subscriber is already installed (a second in-process
    // call); that one keeps printing, which is what was asked for.
    let _ = tracing_subscriber::fmt()
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(ansi)
        .with_writer(writer)
        .try_init();
}

/// A trace sink for which a closed pipe (`redosim run --trace | head`) means
/// nobody reads any more, not an error to report once per event.
struct QuietPipe<W>(W);

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(buf.len()),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.0.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// The reproduce command for a run, including `--steps` when it was given
/// (the runner's own command does not know about it).
fn reproduce(summary: &RunSummary, steps: Option<usize>) -> String {
    match steps {
        Some(k) => format!("{} --steps {k}", summary.repro_command()),
        None => summary.repro_command(),
    }
}

/// `redosim run`'s text output.
struct RunReport<'a> {
    summary: &'a RunSummary,
    steps: Option<usize>,
}

impl fmt::Display for RunReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.summary;
        let config = if s.config.is_empty() { "-" } else { &s.config };
        writeln!(f, "seed        {}", s.seed)?;
        writeln!(f, "config      {config}")?;
        writeln!(f, "plant       {}", s.plant.as_deref().unwrap_or("none"))?;
        writeln!(f, "steps       {}", s.steps)?;
        writeln!(f, "crashes     {}", s.crashes)?;
        writeln!(f, "recoveries  {}", s.recoveries)?;
        writeln!(f, "checks      {}", s.checks)?;
        writeln!(f, "trace hash  {:016x}", s.trace_hash)?;
        match &s.violation {
            None => match &s.unrecoverable {
                None => writeln!(f, "all invariants held"),
                Some(u) => {
                    writeln!(
                        f,
                        "UNRECOVERABLE at step {} (every invariant held up to there)",
                        u.step
                    )?;
                    for line in u.reason.lines() {
                        writeln!(f, "  {line}")?;
                    }
                    Ok(())
                }
            },
            Some(v) => {
                write!(f, "{}", ViolationBlock(v))?;
                writeln!(f, "reproduce: {}", reproduce(s, self.steps))
            }
        }
    }
}

/// `VIOLATION <id> at step <n>` and the whole evidence, indented.
struct ViolationBlock<'a>(&'a ViolationReport);

impl fmt::Display for ViolationBlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        writeln!(f, "VIOLATION {} at step {}", v.id, v.step)?;
        for line in v.evidence.lines() {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- soak

fn cmd_soak(args: SoakArgs) -> anyhow::Result<i32> {
    let range = SeedRange::parse(&args.seeds).map_err(|e| anyhow!(e))?;
    let plant = parse_plant(args.plant.as_deref())?;
    let jobs = match args.jobs {
        Some(jobs) => jobs,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    // Open the output first: a bad path is bad input, found before any run.
    let out = match &args.out {
        Some(path) => Some((
            path,
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    // A panicking seed is reported in the summary, not as a backtrace.
    crate::runner::quiet_panics();
    let started = stopwatch();
    let results = run_seeds(range, plant, jobs, args.stop_on_failure)?;
    let elapsed = started.elapsed();
    let report = SoakReport {
        range,
        results: &results,
        elapsed,
        stop_on_failure: args.stop_on_failure,
    };
    emit(&report.to_string());
    if let Some((path, file)) = out {
        write_jsonl(file, &results).with_context(|| format!("writing {}", path.display()))?;
    }
    if !args.no_save && results.iter().any(|s| !s.passed()) {
        let saved = save_failures(&results, &args.found_dir, args.shrink_seconds)?;
        let mut text = format!(
            "saved         {} failures in {}\n",
            saved.len(),
            args.found_dir.display()
        );
        for line in saved {
            text.push_str(&format!("  {line}\n"));
        }
        emit(&text);
    }
    Ok(exit_code(results.iter().all(RunSummary::passed)))
}

/// Shrinks every failure, in seed order, while the budget lasts, and writes
/// each to `dir` as `SEED-INV-…[-PLANT].scn` (names sort by seed and say what
/// failed). Returns one line per file: its replay command and sizes.
fn save_failures(
    results: &[RunSummary],
    dir: &std::path::Path,
    budget: Duration,
) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let started = stopwatch();
    let mut lines = Vec::new();
    for s in results.iter().filter(|s| !s.passed()) {
        let v = s
            .violation
            .as_ref()
            .expect("a failed run has its violation");
        let plant = s
            .plant
            .as_deref()
            .map(|p| format!("-{p}"))
            .unwrap_or_default();
        let path = dir.join(format!("{:010}-{}{plant}.scn", s.seed, v.id));
        let name = path.display().to_string();
        let shrunk = if started.elapsed() < budget {
            crate::shrink::shrink_text(&s.scenario, 2000).ok()
        } else {
            None
        };
        let (text, sizes) = match shrunk {
            Some((shrunk, id)) => (
                shrunk_file(s, &shrunk, &id, &name),
                format!(
                    "{} -> {} statements",
                    shrunk.original_statements, shrunk.final_statements
                ),
            ),
            None => (
                format!(
                    "# expect: {}\n# {}: not shrunk (out of time, or the printed run did not replay it)\n# found by: {}\n# replay: redosim replay {name}\n{}",
                    v.id,
                    v.id,
                    s.repro_command(),
                    s.scenario
                ),
                "not shrunk".into(),
            ),
        };
        std::fs::write(&path, text).with_context(|| format!("writing {name}"))?;
        lines.push(format!("redosim replay {name}   ({}, {sizes})", v.id));
    }
    Ok(lines)
}

/// A shrunk failure as a scenario file: a header saying what failed, where it
/// came from and how to replay it, then the scenario.
fn shrunk_file(s: &RunSummary, shrunk: &crate::shrink::Shrunk, id: &str, name: &str) -> String {
    let v = s
        .violation
        .as_ref()
        .expect("a failed run has its violation");
    format!(
        "# expect: {id}\n# Shrunk failure: {id} (the run failed with {} at step {}: {})\n# found by: {}\n# config: {}\n# replay: redosim replay {name}\n# statements: {} in the printed run, {} after shrinking ({} replays)\n{}",
        v.id,
        v.step,
        v.evidence.lines().next().unwrap_or(""),
        s.repro_command(),
        s.config,
        shrunk.original_statements,
        shrunk.final_statements,
        shrunk.replays,
        crate::script::print(&shrunk.script)
    )
}

/// Runs every seed of `range` on a pool of `jobs` threads and returns the
/// summaries in seed order. With `stop_on_failure`, a seed is skipped when a
/// lower one has already failed: every seed below the lowest failing seed
/// still runs, so the first failure in seed order is the same for any `jobs`.
fn run_seeds(
    range: SeedRange,
    plant: Option<Plant>,
    jobs: usize,
    stop_on_failure: bool,
) -> anyhow::Result<Vec<RunSummary>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .context("starting the worker threads")?;
    let bar = progress_bar(range.count());
    let failed = AtomicUsize::new(0);
    let lowest_failure = AtomicU64::new(u64::MAX);
    let mut results: Vec<RunSummary> = pool.install(|| {
        (range.start..range.end)
            .into_par_iter()
            .filter_map(|seed| {
                let skip = stop_on_failure && seed > lowest_failure.load(Ordering::Relaxed);
                let summary = (!skip).then(|| {
                    let mut summary = run_seed(&RunOptions {
                        seed,
                        steps: None,
                        plant,
                        trace: false,
                        print_scenario: false,
                        final_rows: false,
                    });
                    // Not reported (nor serialized): keep a long soak's memory small.
                    summary.step_hashes = Vec::new();
                    summary
                });
                if summary.as_ref().is_some_and(|s| !s.passed()) {
                    lowest_failure.fetch_min(seed, Ordering::Relaxed);
                    let n = failed.fetch_add(1, Ordering::Relaxed) + 1;
                    bar.set_message(format!("{n} failed"));
                }
                bar.inc(1);
                summary
            })
            .collect()
    });
    bar.finish_and_clear();
    results.sort_by_key(|s| s.seed);
    Ok(results)
}

/// On stderr; indicatif draws nothing when stderr is not a terminal.
fn progress_bar(seeds: u64) -> ProgressBar {
    let style = ProgressStyle::with_template("{bar} {pos}/{len} seeds, {msg}")
        .expect("the progress bar template is valid");
    let bar = ProgressBar::new(seeds).with_style(style);
    bar.set_message("0 failed");
    bar
}

fn write_jsonl(file: File, results: &[RunSummary]) -> anyhow::Result<()> {
    let mut out = BufWriter::new(file);
    for summary in results {
        serde_json::to_writer(&mut out, summary)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Sums over many runs.
#[derive(Debug, Default)]
struct Totals {
    seeds: u64,
    failed: u64,
    /// Runs that ended unrecoverable (explained by a fault), by reason
    /// with the numbers stripped, with how many and the first seed.
    unrecoverable: std::collections::BTreeMap<String, (u64, u64)>,
    crashes: u64,
    recoveries: u64,
    checks: u64,
    coverage: Coverage,
}

impl Totals {
    fn of<'a>(summaries: impl IntoIterator<Item = &'a RunSummary>) -> Totals {
        let mut totals = Totals::default();
        summaries.into_iter().for_each(|s| totals.add(s));
        totals
    }

    fn add(&mut self, s: &RunSummary) {
        self.seeds += 1;
        self.failed += u64::from(!s.passed());
        if let (None, Some(u)) = (&s.violation, &s.unrecoverable) {
            let kind = unrecoverable_kind(&u.reason);
            let e = self.unrecoverable.entry(kind).or_insert((0, s.seed));
            e.0 += 1;
        }
        self.crashes += s.crashes as u64;
        self.recoveries += s.recoveries as u64;
        self.checks += s.checks as u64;
        self.coverage.add(&s.coverage);
    }
}

/// What kind of unrecoverable end a reason describes: what failed and the
/// fault behind it, without numbers, names or member lists, so runs that
/// ended the same way count together.
fn unrecoverable_kind(reason: &str) -> String {
    let first = reason.lines().next().unwrap_or("");
    let what = first.split("; ").next().unwrap_or(first);
    let what = what.split(": /").next().unwrap_or(what);
    let mut out = String::new();
    let mut quoted = false;
    for c in what.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                if quoted {
                    out.push('…');
                }
            }
            _ if quoted => {}
            c if c.is_ascii_digit() => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Events per second of wall time.
fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// `redosim soak`'s final summary.
struct SoakReport<'a> {
    range: SeedRange,
    results: &'a [RunSummary],
    elapsed: Duration,
    stop_on_failure: bool,
}

impl fmt::Display for SoakReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = Totals::of(self.results);
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "seeds         {} ({} of {} run)",
            self.range,
            t.seeds,
            self.range.count()
        )?;
        let unrecoverable: u64 = t.unrecoverable.values().map(|v| v.0).sum();
        writeln!(
            f,
            "passed        {} (of which {unrecoverable} ended unrecoverable, explained by a fault)",
            t.seeds - t.failed
        )?;
        writeln!(f, "failed        {}", t.failed)?;
        writeln!(f, "crashes       {}", t.crashes)?;
        writeln!(f, "recoveries    {}", t.recoveries)?;
        writeln!(f, "checks        {}", t.checks)?;
        let c = &t.coverage;
        writeln!(
            f,
            "reached       {} crashes during recovery, {} torn blocks reported, {} repaired from images,\n              {} control-file copies replicated, {} log members re-created, in-doubt commits {} kept / {} lost",
            c.crash_in_recovery,
            c.torn_reported,
            c.torn_repaired,
            c.controlfile_replicated,
            c.log_member_recreated,
            c.in_doubt_committed,
            c.in_doubt_lost
        )?;
        writeln!(
            f,
            "              {} log groups lost, {} cleared, {} stale control files put back ({} refused at OPEN), {} acknowledgements verified durable",
            c.log_groups_lost,
            c.log_groups_cleared,
            c.stale_controlfile_restored,
            c.stale_controlfile_refused,
            c.acks_verified
        )?;
        for (kind, (n, first)) in &t.unrecoverable {
            writeln!(f, "unrecoverable {n} (first seed {first}): {kind}")?;
        }
        writeln!(f, "wall time     {secs:.2} s")?;
        writeln!(f, "seeds/s       {:.1}", rate(t.seeds, self.elapsed))?;
        writeln!(f, "recoveries/s  {:.1}", rate(t.recoveries, self.elapsed))?;
        let failures: Vec<&RunSummary> = self.results.iter().filter(|s| !s.passed()).collect();
        if let (true, Some(first)) = (self.stop_on_failure, failures.first()) {
            writeln!(
                f,
                "stopped on failure: first failing seed in seed order is {}",
                first.seed
            )?;
        }
        for s in failures {
            write!(f, "{}", FailureLine(s))?;
        }
        Ok(())
    }
}

/// One failing seed: id, step, first line of evidence, reproduce command.
struct FailureLine<'a>(&'a RunSummary);

impl fmt::Display for FailureLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let Some(v) = &s.violation else { return Ok(()) };
        let evidence = v.evidence.lines().next().unwrap_or("");
        writeln!(
            f,
            "FAILED seed {}: {} at step {}: {evidence}",
            s.seed, v.id, v.step
        )?;
        writeln!(f, "  reproduce: {}", s.repro_command())
    }
}

// ---------------------------------------------------------------- bench

fn cmd_bench(args: BenchArgs) -> anyhow::Result<i32> {
    let plant = parse_plant(args.plant.as_deref())?;
    let started = stopwatch();
    let mut totals = Totals::default();
    let mut first_failure: Option<RunSummary> = None;
    for seed in 0u64.. {
        let summary = run_seed(&RunOptions {
            seed,
            steps: None,
            plant,
            trace: false,
            print_scenario: false,
            final_rows: false,
        });
        totals.add(&summary);
        if !summary.passed() && first_failure.is_none() {
            first_failure = Some(summary);
        }
        if started.elapsed() >= args.seconds {
            break;
        }
    }
    let elapsed = started.elapsed();
    emit(
        &BenchReport {
            totals: &totals,
            elapsed,
            plant,
        }
        .to_string(),
    );
    if let Some(s) = &first_failure {
        let v = s.violation.as_ref().expect("a failed run has a violation");
        emit(&format!(
            "first failing seed {}:\n{}reproduce: {}\n",
            s.seed,
            ViolationBlock(v),
            s.repro_command()
        ));
    }
    if let Some(k) = args.steps_scaling {
        emit(&steps_scaling(k, plant));
    }
    Ok(exit_code(first_failure.is_none()))
}

/// `bench --steps-scaling K`: one seed at K and at 10·K steps, timed.
fn steps_scaling(k: usize, plant: Option<Plant>) -> String {
    let time = |steps: usize| {
        let started = stopwatch();
        run_seed(&RunOptions {
            seed: 7,
            steps: Some(steps),
            plant,
            trace: false,
            print_scenario: false,
            final_rows: false,
        });
        started.elapsed().as_secs_f64()
    };
    let (short, long) = (time(k), time(10 * k));
    format!(
        "steps {k} vs {}: {short:.2} s vs {long:.2} s (ratio {:.1})\n",
        10 * k,
        long / short.max(1e-9)
    )
}

/// `redosim bench`'s figures.
struct BenchReport<'a> {
    totals: &'a Totals,
    elapsed: Duration,
    plant: Option<Plant>,
}

impl fmt::Display for BenchReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (t, e) = (self.totals, self.elapsed);
        let plant = self.plant.map_or("none", Plant::name);
        writeln!(f, "bench         single-threaded, plant {plant}")?;
        writeln!(f, "wall time     {:.2} s", e.as_secs_f64())?;
        writeln!(f, "seeds run     {}", t.seeds)?;
        writeln!(f, "failed        {}", t.failed)?;
        writeln!(f, "seeds/s       {:.1}", rate(t.seeds, e))?;
        writeln!(
            f,
            "recoveries/s  {:.1}  (crash recoveries checked per second)",
            rate(t.recoveries, e)
        )?;
        writeln!(f, "checks/s      {:.1}", rate(t.checks, e))
    }
}

// ---------------------------------------------------------------- bugs

fn cmd_bugs() -> anyhow::Result<i32> {
    emit(&BugsTable.to_string());
    Ok(EXIT_HELD)
}

/// Every planted bug, one line each.
struct BugsTable;

impl fmt::Display for BugsTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name_w = PLANTED_BUGS.iter().map(|b| b.0.len()).max().unwrap_or(0);
        let caught_w = PLANTED_BUGS.iter().map(|b| b.2.len()).max().unwrap_or(0);
        writeln!(
            f,
            "{:name_w$}  {:7}  {:caught_w$}  what it does",
            "bug", "built", "caught by"
        )?;
        for (name, what, caught_by, plant) in PLANTED_BUGS {
            let built = if plant.is_some() { "yes" } else { "not yet" };
            writeln!(
                f,
                "{name:name_w$}  {built:7}  {caught_by:caught_w$}  {what}"
            )?;
        }
        let built = PLANTED_BUGS.iter().filter(|b| b.3.is_some()).count();
        writeln!(
            f,
            "{built} of {} built; switch one on with --plant BUG",
            PLANTED_BUGS.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn seed_ranges_parse_half_open() {
        assert_eq!(SeedRange::parse("0..4"), Ok(SeedRange { start: 0, end: 4 }));
        assert_eq!(SeedRange::parse("7"), Ok(SeedRange { start: 7, end: 8 }));
        assert_eq!(SeedRange::parse("0..4").unwrap().count(), 4);
        let max = u64::MAX;
        assert_eq!(
            SeedRange::parse(&format!("0..{max}")),
            Ok(SeedRange { start: 0, end: max })
        );
        assert_eq!(SeedRange::parse("3..9").unwrap().to_string(), "3..9");
    }

    #[test]
    fn bad_seed_ranges_say_what_was_expected() {
        let max = u64::MAX.to_string();
        let too_big = format!("0..{max}0");
        for bad in [
            "5..3",
            "4..4",
            "x..y",
            "..9",
            "1..",
            "..",
            "",
            "abc",
            "-1..3",
            "+1..3",
            " 1..3",
            "1..=3",
            "1...3",
            "1..3..5",
            "1_000..2_000",
            &max,
            &too_big,
        ] {
            assert_eq!(
                SeedRange::parse(bad),
                Err(format!("bad seed range '{bad}': expected A..B with A < B")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn seconds_must_be_positive_and_finite() {
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "NaN", "inf", "1e300", "ten"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_input_exits_2_before_running_anything() {
        assert_eq!(
            main_with_args(args("redosim soak --seeds 5..3")),
            EXIT_BAD_INPUT
        );
        assert_eq!(
            main_with_args(args("redosim run --seed 1 --plant nope")),
            EXIT_BAD_INPUT
        );
        assert_eq!(
            main_with_args(args("redosim soak --seeds 0..2 --jobs 0")),
            EXIT_BAD_INPUT
        );
        assert_eq!(
            main_with_args(args("redosim bench --seconds 0")),
            EXIT_BAD_INPUT
        );
        assert_eq!(main_with_args(args("redosim frobnicate")), EXIT_BAD_INPUT);
        assert_eq!(main_with_args(args("redosim")), EXIT_BAD_INPUT);
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn every_flag_and_subcommand_has_help() {
        use clap::CommandFactory;
        let cli = Cli::command();
        for sub in cli.get_subcommands() {
            assert!(sub.get_about().is_some(), "{}", sub.get_name());
            for arg in sub.get_arguments() {
                assert!(
                    arg.get_help().is_some(),
                    "{} --{}",
                    sub.get_name(),
                    arg.get_id()
                );
            }
        }
    }

    #[test]
    fn bugs_table_marks_what_is_built() {
        let table = BugsTable.to_string();
        for (name, _, _, plant) in PLANTED_BUGS {
            let line = table.lines().find(|l| l.starts_with(name)).unwrap();
            let built = if plant.is_some() {
                " yes "
            } else {
                " not yet "
            };
            assert!(line.contains(built), "{line}");
        }
    }

    fn failing(seed: u64, evidence: &str) -> RunSummary {
        RunSummary {
            seed,
            plant: Some("skip-wal".into()),
            steps: 10,
            crashes: 2,
            recoveries: 2,
            checks: 7,
            trace_hash: 0xabc,
            config: "x".into(),
            violation: Some(ViolationReport {
                id: "INV-DATA-1".into(),
                evidence: evidence.into(),
                step: 9,
            }),
            unrecoverable: None,
            coverage: Default::default(),
            step_hashes: Vec::new(),
            scenario: String::new(),
            final_rows: None,
        }
    }

    #[test]
    fn run_report_shows_violation_and_reproduce_command() {
        let s = failing(5, "row 3 lost\nblock 4 of file 5");
        let text = RunReport {
            summary: &s,
            steps: Some(10),
        }
        .to_string();
        assert!(text.contains("trace hash  0000000000000abc\n"), "{text}");
        assert!(
            text.contains("VIOLATION INV-DATA-1 at step 9\n  row 3 lost\n  block 4 of file 5\n")
        );
        assert!(
            text.ends_with("reproduce: redosim run --seed 5 --plant skip-wal --trace --steps 10\n")
        );
    }

    #[test]
    fn soak_report_lists_failures_with_first_evidence_line() {
        let results = [failing(3, "first\nsecond"), failing(8, "other")];
        let report = SoakReport {
            range: SeedRange { start: 0, end: 10 },
            results: &results,
            elapsed: Duration::from_secs(2),
            stop_on_failure: true,
        };
        let text = report.to_string();
        assert!(text.contains("(2 of 10 run)"), "{text}");
        assert!(
            text.contains("first failing seed in seed order is 3"),
            "{text}"
        );
        assert!(
            text.contains("FAILED seed 3: INV-DATA-1 at step 9: first\n"),
            "{text}"
        );
        assert!(!text.contains("second"), "{text}");
        assert!(text.contains("recoveries/s  2.0"), "{text}");
    }
}
