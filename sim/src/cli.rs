//! The command line: `redosim run | soak | merge | bench | bugs | script |
//! shrink | replay`.
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

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use clap::{Args, Parser, Subcommand};
use engine::Plant;
use engine::params::PLANTED_BUGS;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use tracing_subscriber::fmt::MakeWriter;

use crate::runner::{RunOptions, RunSummary, ViolationReport, run_seed};

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
    /// Print the summary of a whole campaign from the `--out` files of its
    /// soaks (shards), as one unsharded soak would; exit 1 if any seed failed.
    Merge(MergeArgs),
    /// Draw one run (a seed or a scenario) as a self-contained HTML page: a
    /// timeline of its checkpoints, logs, faults, recoveries and checks.
    Report(crate::report::ReportArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// The JSON-lines files written by `redosim soak --out`.
    #[arg(value_name = "FILE.jsonl", required = true)]
    files: Vec<PathBuf>,
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
    /// With --seed: the release the seed fails with.
    #[arg(long, value_name = "R", conflicts_with = "file", value_parser = parse_release)]
    release: Option<engine::params::Release>,
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
    /// With --seed: the release.
    #[arg(long, value_name = "R", conflicts_with = "file", value_parser = parse_release)]
    release: Option<engine::params::Release>,
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
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = parse_steps)]
    steps: Option<usize>,
    /// Switch on a planted bug (names: `redosim bugs`).
    #[arg(long, value_name = "BUG")]
    plant: Option<String>,
    /// Behave as this release instead of the seed's 9i: 8i, 9i or 10g
    /// (10g: RESETLOGS archives the current log first, backups from before
    /// a RESETLOGS stay usable, ALTER DATABASE BEGIN BACKUP).
    #[arg(long, value_name = "R", value_parser = parse_release)]
    release: Option<engine::params::Release>,
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
    /// Seeds to run: A..B is A (inclusive) to B (exclusive); N alone is N..N+1;
    /// with --duration, A.. is A upward [default with --duration: 0..].
    #[arg(long, value_name = "A..B", allow_hyphen_values = true)]
    seeds: Option<String>,
    /// Worker threads, one run per thread at a time [default: available parallelism].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_jobs)]
    jobs: Option<usize>,
    /// Run seeds from the start of --seeds upward until this much wall time
    /// has passed (90s, 10m, 2h), then print the summary.
    #[arg(long, value_name = "T", value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Run only the seeds s with s % N == I: one of N processes (machines)
    /// sharing the range; `redosim merge` joins their --out files.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Shrunk failures to save per signature; the others are counted and
    /// listed by seed in the summary and the --out file.
    #[arg(long, value_name = "K", default_value_t = 1)]
    keep: usize,
    /// Switch on a planted bug in every run (names: `redosim bugs`).
    #[arg(long, value_name = "BUG")]
    plant: Option<String>,
    /// Every run behaves as this release instead of the seed's 9i: 8i, 9i
    /// or 10g (see `redosim run --help`).
    #[arg(long, value_name = "R", value_parser = parse_release)]
    release: Option<engine::params::Release>,
    /// Write one JSON line per seed run (its summary), in seed order, each
    /// flushed as soon as its seed and every lower one are done.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
    /// Stop scheduling seeds once one fails (every lower seed still runs).
    #[arg(long)]
    stop_on_failure: bool,
    /// Where shrunk failures are written (git-ignored by default).
    #[arg(long, value_name = "DIR", default_value = "target/redosim-found")]
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
    dispatch(cli).unwrap_or_else(|err| {
        eprintln!("error: {err:#}");
        EXIT_BAD_INPUT
    })
}

/// Runs a parsed command line; an `Err` is bad input, for the caller to print.
fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Soak(args) => cmd_soak(args),
        Command::Bench(args) => cmd_bench(args),
        Command::Bugs => cmd_bugs(),
        Command::Script(args) => cmd_script(args),
        Command::Shrink(args) => cmd_shrink(args),
        Command::Replay(args) => cmd_replay(args),
        Command::Merge(args) => cmd_merge(args),
        Command::Report(args) => crate::report::cmd_report(args),
    }
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
            _ if text.starts_with('-') || text.contains("..-") => Err(format!(
                "bad seed range '{text}': seeds cannot be negative (they are 0 to {})",
                u64::MAX
            )),
            _ if text.split("..").any(|n| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && parse_seed(n).is_none()
            }) =>
            {
                Err(format!(
                    "bad seed range '{text}': a seed is at most {} (a range at most 0..{})",
                    u64::MAX,
                    u64::MAX
                ))
            }
            _ if start == Some(u64::MAX) && !text.contains("..") => Err(format!(
                "bad seed range '{text}': seed {} is the end of every range, not a seed to run",
                u64::MAX
            )),
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

/// A count of at least 1, in plain words when it is not (`--jobs`, `--steps`).
fn parse_positive(text: &str, what: &str) -> Result<usize, String> {
    if text.starts_with('-') {
        return Err(format!("'{text}': {what}s cannot be negative"));
    }
    match text.parse::<u64>() {
        Ok(0) => Err(format!("'0': at least 1 {what} is needed")),
        Ok(n) => usize::try_from(n).map_err(|_| format!("'{text}': too many {what}s")),
        Err(_) if parse_seed(text).is_some() || text.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("'{text}': too many {what}s"))
        }
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

fn parse_jobs(text: &str) -> Result<usize, String> {
    parse_positive(text, "thread")
}

fn parse_steps(text: &str) -> Result<usize, String> {
    parse_positive(text, "step")
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

/// `--release 8i | 9i | 10g`.
fn parse_release(s: &str) -> Result<engine::params::Release, String> {
    match s {
        "8i" => Ok(engine::params::Release::R8i),
        "9i" => Ok(engine::params::Release::R9i),
        "10g" => Ok(engine::params::Release::R10g),
        _ => Err(format!("unknown release '{s}': known are 8i, 9i, 10g")),
    }
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
        release: args.release,
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
        emit(&format!(
            "{}\n",
            serde_json::to_string(&result_line(&summary))?
        ));
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
        plant,
        release: args.release,
        ..Default::default()
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
        eprintln!("error: {e}");
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
            release: args.release,
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
        eprintln!(
            "error: {}",
            outcome.failure.as_deref().unwrap_or("bad input")
        );
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
    match &outcome.failure {
        // Bad input (does not parse, refused): an error like every other.
        Some(f) if outcome.exit == EXIT_BAD_INPUT => eprintln!("error: {f}"),
        Some(f) => eprintln!("{f}"),
        None => {}
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

/// Set by the Ctrl-C handler: stop handing out seeds, report what finished.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C stops a soak cleanly (the seeds running finish, the summary so
/// far is printed); a second Ctrl-C exits at once.
fn catch_ctrl_c() {
    // Fails only if a handler is already set (a second soak in-process).
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// `--shard I/N`: this process runs the seeds `s` with `s % N == I`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `I < N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("bad shard '{text}': expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        match (parse_seed(i), parse_seed(n)) {
            (Some(index), Some(count)) if index < count => Ok(Shard { index, count }),
            _ => Err(bad()),
        }
    }
}

/// Which seeds a soak runs: a range, maybe one shard of it; `end` is
/// `u64::MAX` for an open range (`A..` with `--duration`).
#[derive(Debug, Clone, Copy)]
struct SeedPlan {
    range: SeedRange,
    open: bool,
    shard: Option<Shard>,
}

impl SeedPlan {
    fn step(&self) -> u64 {
        self.shard.map_or(1, |s| s.count)
    }

    /// The shard's first seed, if the range holds one.
    fn first(&self) -> Option<u64> {
        let Some(s) = self.shard else {
            return Some(self.range.start);
        };
        let offset = (s.index + s.count - self.range.start % s.count) % s.count;
        self.range
            .start
            .checked_add(offset)
            .filter(|&f| f < self.range.end)
    }

    /// The `i`th seed this process runs.
    fn seed(&self, i: u64) -> Option<u64> {
        self.first()?
            .checked_add(i.checked_mul(self.step())?)
            .filter(|&s| s < self.range.end)
    }

    /// How many seeds this process runs (for a closed range).
    fn count(&self) -> u64 {
        self.first()
            .map_or(0, |f| (self.range.end - 1 - f) / self.step() + 1)
    }

    fn describe(&self) -> String {
        let range = if self.open {
            format!("{}..", self.range.start)
        } else {
            self.range.to_string()
        };
        match self.shard {
            Some(s) => format!("{range}, shard {}/{}", s.index, s.count),
            None => range,
        }
    }
}

/// `--duration`: `90` or `90s`, `10m`, `2h` (fractions allowed).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, 's')) => (&text[..i], 1.0),
        Some((i, 'm')) => (&text[..i], 60.0),
        Some((i, 'h')) => (&text[..i], 3600.0),
        _ => (text, 1.0),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration: expected e.g. 90s, 10m or 2h"))?;
    if n.is_nan() || n <= 0.0 {
        return Err(format!("'{text}': expected a duration of more than 0"));
    }
    Duration::try_from_secs_f64(n * unit).map_err(|e| format!("'{text}': {e}"))
}

fn cmd_soak(args: SoakArgs) -> anyhow::Result<i32> {
    let (range, open) = match (args.seeds.as_deref(), args.duration) {
        (None, None) => return Err(anyhow!("--seeds A..B or --duration T is needed")),
        (None, Some(_)) => (
            SeedRange {
                start: 0,
                end: u64::MAX,
            },
            true,
        ),
        (Some(text), duration) => match text.strip_suffix("..") {
            Some(a) if !a.is_empty() && !a.ends_with('.') => {
                if duration.is_none() {
                    return Err(anyhow!(
                        "an open seed range '{text}' needs --duration (or give its end: A..B)"
                    ));
                }
                let start = SeedRange::parse(a).map_err(|e| anyhow!(e))?.start;
                (
                    SeedRange {
                        start,
                        end: u64::MAX,
                    },
                    true,
                )
            }
            _ => (SeedRange::parse(text).map_err(|e| anyhow!(e))?, false),
        },
    };
    let plan = SeedPlan {
        range,
        open,
        shard: args.shard,
    };
    if plan.first().is_none() {
        return Err(anyhow!("shard {} holds no seed", plan.describe()));
    }
    let plant = parse_plant(args.plant.as_deref())?;
    let jobs = match args.jobs {
        Some(jobs) => jobs,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    // Open the output and the found directory first: a bad path is bad
    // input, found before any seed runs.
    let mut out = match &args.out {
        Some(path) => Some((
            path,
            BufWriter::new(
                File::create(path)
                    .with_context(|| format!("cannot create --out {}", path.display()))?,
            ),
        )),
        None => None,
    };
    if !args.no_save {
        std::fs::create_dir_all(&args.found_dir)
            .with_context(|| format!("cannot create --found-dir {}", args.found_dir.display()))?;
    }
    // A panicking seed is reported in the summary, not as a backtrace.
    crate::runner::quiet_panics();
    catch_ctrl_c();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .context("starting the worker threads")?;
    let started = stopwatch();
    let mut soak = Soak {
        keep: args.keep,
        ..Soak::default()
    };
    let end = run_seeds(
        &plan,
        &RunOptions {
            plant,
            release: args.release,
            ..Default::default()
        },
        jobs,
        args.stop_on_failure,
        args.duration,
        started,
        &mut |summary| {
            let line = result_line(&summary);
            if let Some((path, file)) = &mut out {
                serde_json::to_writer(&mut *file, &line)
                    .map_err(io::Error::from)
                    .and_then(|()| file.write_all(b"\n"))
                    .and_then(|()| file.flush())
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            soak.add(&line, summary)?;
            Ok(soak.campaign.signatures.len())
        },
    )?;
    let elapsed = started.elapsed();
    let mut notes = Vec::new();
    match end {
        End::Done => {}
        End::TimeUp => notes.push(format!(
            "time up       after {:.0} s: the seeds below {} ran",
            args.duration.map_or(0.0, |d| d.as_secs_f64()),
            soak.campaign.max_seed.map_or(range.start, |s| s + 1)
        )),
        End::Interrupted => notes.push(
            "interrupted   by Ctrl-C: the summary covers every seed finished in seed order".into(),
        ),
    }
    if let (true, Some(first)) = (args.stop_on_failure, soak.campaign.first_failure) {
        notes.push(format!(
            "stopped on failure: first failing seed in seed order is {first}"
        ));
    }
    let (saved, shrink_time) = if args.no_save || soak.representatives.is_empty() {
        (Vec::new(), None)
    } else if end == End::Interrupted {
        let saved = save_failures(&pool, &mut soak, &args.found_dir, Duration::ZERO)?;
        (saved, None)
    } else {
        let shrink_started = stopwatch();
        let saved = save_failures(&pool, &mut soak, &args.found_dir, args.shrink_seconds)?;
        (saved, Some(shrink_started.elapsed()))
    };
    let report = SoakReport {
        header: if open {
            format!("{} ({} run)", plan.describe(), soak.campaign.seeds)
        } else {
            format!(
                "{} ({} of {} run)",
                plan.describe(),
                soak.campaign.seeds,
                plan.count()
            )
        },
        campaign: &soak.campaign,
        timing: Some(Timing {
            elapsed,
            shrink: shrink_time.map(|t| (t, soak.shrunk_count, jobs)),
        }),
        notes,
        smallest: &soak.smallest,
    };
    let mut text = report.to_string();
    if !saved.is_empty() {
        text.push_str(&format!(
            "saved         {} failures in {} (to keep one as a regression test: docs/CAMPAIGNS.md)\n",
            saved.len(),
            args.found_dir.display()
        ));
        for line in saved {
            text.push_str(&format!("  {line}\n"));
        }
    }
    emit(&text);
    Ok(exit_code(soak.campaign.failed == 0))
}

/// How a soak's seed loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Done,
    TimeUp,
    Interrupted,
}

/// One seed's result as a JSON line: the run's summary, with the trace hash
/// as the same 16 hex digits the text output shows.
fn result_line(s: &RunSummary) -> serde_json::Value {
    let mut v = serde_json::to_value(s).expect("a run summary serializes");
    v["trace_hash"] = serde_json::Value::String(format!("{:016x}", s.trace_hash));
    v
}

/// A soak as it goes: the campaign's sums and, per signature, the first
/// `keep` failing runs (to shrink and save). Every other run is dropped as
/// soon as it is counted, so memory stays flat however many seeds run.
#[derive(Debug, Default)]
struct Soak {
    campaign: Campaign,
    keep: usize,
    representatives: BTreeMap<String, Vec<RunSummary>>,
    /// Per signature: the smallest shrunk case saved, as a replay command.
    smallest: BTreeMap<String, String>,
    shrunk_count: usize,
}

impl Soak {
    fn add(&mut self, line: &serde_json::Value, summary: RunSummary) -> anyhow::Result<()> {
        let sig = self.campaign.add(line).map_err(|e| anyhow!(e))?;
        if let Some(sig) = sig {
            let reps = self.representatives.entry(sig).or_default();
            if reps.len() < self.keep {
                reps.push(summary);
            }
        }
        Ok(())
    }
}

/// What makes two failures the same bug for a user: the invariant, the
/// planted bug, and the kind of evidence (its first line with numbers,
/// quoted names and values stripped).
fn signature(id: &str, plant: Option<&str>, evidence: &str) -> String {
    let first = evidence.lines().next().unwrap_or("");
    let plant = plant.map_or_else(|| "no plant".to_string(), |p| format!("plant {p}"));
    format!("{id} ({plant}): {}", strip_values(first, "'…'"))
}

/// Sums over a campaign's seeds, from their JSON lines: the same whether
/// the lines come from one soak as it runs or from `redosim merge` of many
/// shards' files, in any order (every figure is a sum or a minimum).
#[derive(Debug, Default)]
struct Campaign {
    seeds: u64,
    failed: u64,
    crashes: u64,
    recoveries: u64,
    checks: u64,
    coverage: BTreeMap<String, u64>,
    /// Unrecoverable ends by kind: how many, and the first seed.
    unrecoverable: BTreeMap<String, (u64, u64)>,
    signatures: BTreeMap<String, Signature>,
    first_failure: Option<u64>,
    min_seed: Option<u64>,
    max_seed: Option<u64>,
}

/// The failures of one signature.
#[derive(Debug, Default)]
struct Signature {
    count: u64,
    /// The lowest failing seeds, at most [`FIRST_SEEDS`], ascending.
    first_seeds: Vec<u64>,
    plant: Option<String>,
    release: Option<String>,
}

/// How many of a signature's seeds the summary names.
const FIRST_SEEDS: usize = 5;

impl Campaign {
    /// Counts one seed's JSON line; returns its failure's signature, if any.
    fn add(&mut self, v: &serde_json::Value) -> Result<Option<String>, String> {
        let num = |k: &str| {
            v[k].as_u64()
                .ok_or_else(|| format!("not a soak result: no number '{k}'"))
        };
        let seed = num("seed")?;
        self.seeds += 1;
        self.crashes += num("crashes")?;
        self.recoveries += num("recoveries")?;
        self.checks += num("checks")?;
        if let Some(c) = v["coverage"].as_object() {
            for (k, n) in c {
                *self.coverage.entry(k.clone()).or_default() += n.as_u64().unwrap_or(0);
            }
        }
        self.min_seed = Some(self.min_seed.map_or(seed, |m| m.min(seed)));
        self.max_seed = Some(self.max_seed.map_or(seed, |m| m.max(seed)));
        let plant = v["plant"].as_str();
        let violation = &v["violation"];
        if violation.is_null() {
            if let Some(reason) = v["unrecoverable"]["reason"].as_str() {
                let e = self
                    .unrecoverable
                    .entry(unrecoverable_kind(reason))
                    .or_insert((0, seed));
                e.0 += 1;
                e.1 = e.1.min(seed);
            }
            return Ok(None);
        }
        self.failed += 1;
        self.first_failure = Some(self.first_failure.map_or(seed, |f| f.min(seed)));
        let id = violation["id"].as_str().unwrap_or("INV-?");
        let evidence = violation["evidence"].as_str().unwrap_or("");
        let sig = signature(id, plant, evidence);
        let entry = self.signatures.entry(sig.clone()).or_default();
        entry.count += 1;
        entry.plant = plant.map(String::from);
        entry.release = v["release"].as_str().map(String::from);
        let at = entry.first_seeds.partition_point(|&s| s < seed);
        entry.first_seeds.insert(at, seed);
        entry.first_seeds.truncate(FIRST_SEEDS);
        Ok(Some(sig))
    }

    fn coverage(&self, key: &str) -> u64 {
        self.coverage.get(key).copied().unwrap_or(0)
    }
}

/// Runs the plan's seeds on `jobs` threads, handing each finished run to
/// `record` in seed order (results that finish early wait for the seeds
/// before them). Stops handing out seeds when the plan is done, `duration`
/// is up, Ctrl-C is pressed or (with `stop_on_failure`) a lower seed failed;
/// the seeds already running finish and are recorded.
/// Each seed runs with `template`'s options (its plant and release).
fn run_seeds(
    plan: &SeedPlan,
    template: &RunOptions,
    jobs: usize,
    stop_on_failure: bool,
    duration: Option<Duration>,
    started: Instant,
    record: &mut dyn FnMut(RunSummary) -> anyhow::Result<usize>,
) -> anyhow::Result<End> {
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let lowest_failure = AtomicU64::new(u64::MAX);
    let progress = Progress::new((!plan.open).then(|| plan.count()), started);
    let mut end = End::Done;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (tx, rx) = mpsc::channel::<(u64, Option<RunSummary>)>();
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop, lowest_failure) = (&next, &stop, &lowest_failure);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(seed) = plan.seed(i) else { break };
                    if stop_on_failure && seed > lowest_failure.load(Ordering::Relaxed) {
                        let _ = tx.send((i, None));
                        break;
                    }
                    let mut summary = run_seed(&RunOptions {
                        seed,
                        ..template.clone()
                    });
                    // Not reported (nor serialized): keep a long soak's memory small.
                    summary.step_hashes = Vec::new();
                    if !summary.passed() {
                        lowest_failure.fetch_min(seed, Ordering::Relaxed);
                    }
                    if tx.send((i, Some(summary))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<u64, Option<RunSummary>> = BTreeMap::new();
        let mut want = 0u64;
        // The signatures so far, or why recording a result failed.
        let mut result: anyhow::Result<usize> = Ok(0);
        loop {
            let disconnected = match rx.recv_timeout(Duration::from_millis(200)) {
                Ok((i, s)) => {
                    pending.insert(i, s);
                    false
                }
                Err(mpsc::RecvTimeoutError::Timeout) => false,
                Err(mpsc::RecvTimeoutError::Disconnected) => true,
            };
            while let Some(s) = pending.remove(&want) {
                want += 1;
                if let Some(s) = s {
                    let failed = !s.passed();
                    if result.is_ok() {
                        result = record(s);
                    }
                    progress.seed_done(failed, *result.as_ref().unwrap_or(&0));
                }
            }
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            if !stop.load(Ordering::Relaxed) {
                if INTERRUPTED.load(Ordering::Relaxed) {
                    end = End::Interrupted;
                    stop.store(true, Ordering::Relaxed);
                } else if duration.is_some_and(|d| started.elapsed() >= d) {
                    end = End::TimeUp;
                    stop.store(true, Ordering::Relaxed);
                }
            }
            progress.tick();
            if disconnected {
                break;
            }
        }
        progress.finish();
        result.map(|_| ())
    })?;
    Ok(end)
}

/// The soak's progress on stderr: a bar on a terminal (kept on screen above
/// the summary), otherwise a plain line every ten seconds.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    seeds: AtomicU64,
    failed: AtomicU64,
    signatures: AtomicU64,
    total: Option<u64>,
    last_line: std::sync::Mutex<Duration>,
}

/// How often the plain progress line is printed when stderr is not a terminal.
const PLAIN_PROGRESS_EVERY: Duration = Duration::from_secs(10);

impl Progress {
    fn new(total: Option<u64>, started: Instant) -> Progress {
        let bar = io::stderr().is_terminal().then(|| {
            let template = if total.is_some() {
                "[{elapsed_precise}] {bar:30} {pos}/{len} seeds, {per_sec}, ETA {eta}, {msg}"
            } else {
                "[{elapsed_precise}] {pos} seeds, {per_sec}, {msg}"
            };
            let style =
                ProgressStyle::with_template(template).expect("the progress bar template is valid");
            let bar = match total {
                Some(n) => ProgressBar::new(n),
                None => ProgressBar::no_length(),
            };
            let bar = bar.with_style(style);
            bar.set_message("0 failed (0 signatures)");
            bar
        });
        Progress {
            bar,
            started,
            seeds: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            signatures: AtomicU64::new(0),
            total,
            last_line: std::sync::Mutex::new(Duration::ZERO),
        }
    }

    fn seed_done(&self, failed: bool, signatures: usize) {
        self.seeds.fetch_add(1, Ordering::Relaxed);
        self.signatures.store(signatures as u64, Ordering::Relaxed);
        if failed {
            self.failed.fetch_add(1, Ordering::Relaxed);
            if let Some(bar) = &self.bar {
                bar.set_message(self.failures());
            }
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// `N failed (M signatures)`.
    fn failures(&self) -> String {
        let sigs = self.signatures.load(Ordering::Relaxed);
        format!(
            "{} failed ({sigs} signature{})",
            self.failed.load(Ordering::Relaxed),
            if sigs == 1 { "" } else { "s" }
        )
    }

    fn tick(&self) {
        if self.bar.is_some() {
            return;
        }
        let elapsed = self.started.elapsed();
        let mut last = self.last_line.lock().expect("not poisoned");
        if elapsed < *last + PLAIN_PROGRESS_EVERY {
            return;
        }
        *last = elapsed;
        let seeds = self.seeds.load(Ordering::Relaxed);
        let of = self.total.map(|t| format!(" of {t}")).unwrap_or_default();
        eprintln!(
            "progress      {seeds}{of} seeds in {:.0} s, {:.1} seeds/s, {}",
            elapsed.as_secs_f64(),
            rate(seeds, elapsed),
            self.failures()
        );
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }
}

/// Shrinks each signature's representatives on the pool's threads, in
/// parallel, while the budget lasts, and writes each to `dir` as
/// `SEED-INV-…[-PLANT].scn` (names sort by seed and say what failed).
/// Records each signature's smallest case; returns one line per file.
fn save_failures(
    pool: &rayon::ThreadPool,
    soak: &mut Soak,
    dir: &std::path::Path,
    budget: Duration,
) -> anyhow::Result<Vec<String>> {
    let cases: Vec<(&String, &RunSummary)> = soak
        .representatives
        .iter()
        .flat_map(|(sig, reps)| reps.iter().map(move |s| (sig, s)))
        .collect();
    let started = stopwatch();
    let bar = io::stderr().is_terminal().then(|| {
        let style = ProgressStyle::with_template(
            "[{elapsed_precise}] shrinking {bar:30} {pos}/{len} failures",
        )
        .expect("the progress bar template is valid");
        ProgressBar::new(cases.len() as u64).with_style(style)
    });
    if bar.is_none() {
        eprintln!(
            "shrinking     {} failures on {} threads",
            cases.len(),
            pool.current_num_threads()
        );
    }
    let shrunk: Vec<Option<(crate::shrink::Shrunk, String)>> = pool.install(|| {
        cases
            .par_iter()
            .map(|(_, s)| {
                let r = (started.elapsed() < budget)
                    .then(|| crate::shrink::shrink_text(&s.scenario, 2000).ok())
                    .flatten();
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                r
            })
            .collect()
    });
    if let Some(bar) = &bar {
        bar.abandon();
    }
    let mut lines = Vec::new();
    let mut smallest: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for ((sig, s), shrunk) in cases.iter().zip(shrunk) {
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
        let (text, sizes, size) = match shrunk {
            Some((shrunk, id)) => (
                shrunk_file(s, &shrunk, &id, &name),
                format!(
                    "{} -> {} statements",
                    shrunk.original_statements, shrunk.final_statements
                ),
                shrunk.final_statements,
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
                usize::MAX,
            ),
        };
        std::fs::write(&path, text).with_context(|| format!("writing {name}"))?;
        let replay = format!("redosim replay {name}   ({sizes})");
        lines.push(format!("redosim replay {name}   ({}, {sizes})", v.id));
        if size != usize::MAX {
            soak.shrunk_count += 1;
        }
        let best = smallest
            .entry((*sig).clone())
            .or_insert((size, replay.clone()));
        if size < best.0 {
            *best = (size, replay);
        }
    }
    soak.smallest = smallest.into_iter().map(|(k, (_, l))| (k, l)).collect();
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

// ---------------------------------------------------------------- merge

fn cmd_merge(args: MergeArgs) -> anyhow::Result<i32> {
    let mut campaign = Campaign::default();
    for file in &args.files {
        let name = file.display().to_string();
        let f = File::open(file).with_context(|| format!("cannot read {name}"))?;
        for (n, line) in io::BufReader::new(f).lines().enumerate() {
            let line = line.with_context(|| format!("reading {name}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line)
                .map_err(|e| anyhow!("{name} line {}: not JSON: {e}", n + 1))?;
            campaign
                .add(&v)
                .map_err(|e| anyhow!("{name} line {}: {e}", n + 1))?;
        }
    }
    let (Some(min), Some(max)) = (campaign.min_seed, campaign.max_seed) else {
        return Err(anyhow!("no soak results in {} file(s)", args.files.len()));
    };
    let range = SeedRange {
        start: min,
        end: max.saturating_add(1),
    };
    let report = SoakReport {
        header: format!("{range} ({} of {} run)", campaign.seeds, range.count()),
        campaign: &campaign,
        timing: None,
        notes: Vec::new(),
        smallest: &BTreeMap::new(),
    };
    emit(&report.to_string());
    Ok(exit_code(campaign.failed == 0))
}

/// Sums over many runs (`redosim bench`).
#[derive(Debug, Default)]
struct Totals {
    seeds: u64,
    failed: u64,
    crashes: u64,
    recoveries: u64,
    checks: u64,
}

impl Totals {
    fn add(&mut self, s: &RunSummary) {
        self.seeds += 1;
        self.failed += u64::from(!s.passed());
        self.crashes += s.crashes as u64;
        self.recoveries += s.recoveries as u64;
        self.checks += s.checks as u64;
    }
}

/// What kind of unrecoverable end a reason describes: what failed and the
/// fault behind it, without numbers, names or member lists, so runs that
/// ended the same way count together.
fn unrecoverable_kind(reason: &str) -> String {
    let first = reason.lines().next().unwrap_or("");
    let what = first.split("; ").next().unwrap_or(first);
    let what = what.split(": /").next().unwrap_or(what);
    strip_values(what, "…")
}

/// A line with its values stripped: each run of digits becomes `#`, each
/// quoted name or value `quoted`.
fn strip_values(text: &str, quoted_as: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                if quoted {
                    out.push_str(quoted_as);
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

/// Wall-clock figures of a soak (a merge has none).
struct Timing {
    elapsed: Duration,
    /// Shrinking: its time, the cases shrunk, the threads.
    shrink: Option<(Duration, usize, usize)>,
}

/// The summary of a soak or of a merged campaign.
struct SoakReport<'a> {
    header: String,
    campaign: &'a Campaign,
    timing: Option<Timing>,
    notes: Vec<String>,
    smallest: &'a BTreeMap<String, String>,
}

impl fmt::Display for SoakReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.campaign;
        writeln!(f, "seeds         {}", self.header)?;
        let unrecoverable: u64 = t.unrecoverable.values().map(|v| v.0).sum();
        writeln!(
            f,
            "passed        {} (of which {unrecoverable} ended unrecoverable, explained by a fault)",
            t.seeds - t.failed
        )?;
        writeln!(
            f,
            "failed        {} ({} signature{})",
            t.failed,
            t.signatures.len(),
            if t.signatures.len() == 1 { "" } else { "s" }
        )?;
        writeln!(f, "crashes       {}", t.crashes)?;
        writeln!(f, "recoveries    {}", t.recoveries)?;
        writeln!(f, "checks        {}", t.checks)?;
        let c = |k: &str| t.coverage(k);
        writeln!(
            f,
            "reached       {} crashes during recovery, {} torn blocks reported, {} repaired from images,\n              {} control-file copies replicated, {} log members re-created, in-doubt commits {} kept / {} lost",
            c("crash_in_recovery"),
            c("torn_reported"),
            c("torn_repaired"),
            c("controlfile_replicated"),
            c("log_member_recreated"),
            c("in_doubt_committed"),
            c("in_doubt_lost")
        )?;
        writeln!(
            f,
            "              {} log groups lost, {} cleared, {} stale control files put back ({} refused at OPEN), {} acknowledgements verified durable",
            c("log_groups_lost"),
            c("log_groups_cleared"),
            c("stale_controlfile_restored"),
            c("stale_controlfile_refused"),
            c("acks_verified")
        )?;
        writeln!(
            f,
            "              {} media recoveries, {} datafiles restored, {} hot backups begun, {} restore drills",
            c("media_recoveries"),
            c("restores"),
            c("hot_backups"),
            c("restore_drills")
        )?;
        writeln!(
            f,
            "              {} incomplete recoveries, {} RESETLOGS, {} control-file recoveries, {} must-fail refusals, {} recoveries through a RESETLOGS",
            c("incomplete_recoveries"),
            c("resetlogs"),
            c("controlfile_recoveries"),
            c("refusals_demanded"),
            c("through_resetlogs")
        )?;
        for (kind, (n, first)) in &t.unrecoverable {
            writeln!(f, "unrecoverable {n} (first seed {first}): {kind}")?;
        }
        if let Some(timing) = &self.timing {
            writeln!(f, "wall time     {:.2} s", timing.elapsed.as_secs_f64())?;
            writeln!(f, "seeds/s       {:.1}", rate(t.seeds, timing.elapsed))?;
            writeln!(f, "recoveries/s  {:.1}", rate(t.recoveries, timing.elapsed))?;
            if let Some((time, n, jobs)) = timing.shrink {
                writeln!(
                    f,
                    "shrinking     {:.2} s on {jobs} threads, {n} failures shrunk",
                    time.as_secs_f64()
                )?;
            }
        }
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        let mut sigs: Vec<(&String, &Signature)> = t.signatures.iter().collect();
        sigs.sort_by_key(|(sig, s)| (s.first_seeds.first().copied(), (*sig).clone()));
        for (sig, s) in sigs {
            let seeds: Vec<String> = s.first_seeds.iter().map(u64::to_string).collect();
            let more = if s.count > s.first_seeds.len() as u64 {
                ", …"
            } else {
                ""
            };
            writeln!(f, "FAILED {}× {sig}", s.count)?;
            writeln!(f, "  seeds {}{more}", seeds.join(", "))?;
            if let Some(&first) = s.first_seeds.first() {
                let repro =
                    crate::runner::repro_command(first, s.plant.as_deref(), s.release.as_deref());
                writeln!(f, "  reproduce: {repro}")?;
            }
            if let Some(replay) = self.smallest.get(sig) {
                writeln!(f, "  smallest: {replay}")?;
            }
        }
        Ok(())
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
            plant,
            ..Default::default()
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
            release: None,
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
            "+1..3",
            " 1..3",
            "1..=3",
            "1...3",
            "1..3..5",
            "1_000..2_000",
        ] {
            assert_eq!(
                SeedRange::parse(bad),
                Err(format!("bad seed range '{bad}': expected A..B with A < B")),
                "{bad:?}"
            );
        }
        let said = |bad: &str| SeedRange::parse(bad).unwrap_err();
        assert!(said("-1..3").contains("seeds cannot be negative"));
        assert!(said("0..-3").contains("seeds cannot be negative"));
        assert!(said(&too_big).contains(&format!("a seed is at most {max}")));
        assert!(said(&max).contains("is the end of every range"));
    }

    #[test]
    fn seconds_must_be_positive_and_finite() {
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "NaN", "inf", "1e300", "ten"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    /// The exit code of a command line and its error message, printing
    /// nothing (the test output stays clean).
    fn quietly(line: &str) -> (i32, String) {
        match Cli::try_parse_from(args(line)) {
            Err(e) => (e.exit_code(), e.to_string()),
            Ok(cli) => match dispatch(cli) {
                Ok(code) => (code, String::new()),
                Err(e) => (EXIT_BAD_INPUT, format!("error: {e:#}")),
            },
        }
    }

    #[test]
    fn bad_input_exits_2_before_running_anything() {
        for (line, says) in [
            ("redosim soak --seeds 5..3", "expected A..B with A < B"),
            (
                "redosim run --seed 1 --plant nope",
                "unknown planted bug 'nope'",
            ),
            (
                "redosim soak --seeds 0..2 --jobs 0",
                "at least 1 thread is needed",
            ),
            (
                "redosim soak --seeds 0..2 --jobs -3",
                "threads cannot be negative",
            ),
            (
                "redosim run --seed 1 --steps 0",
                "at least 1 step is needed",
            ),
            (
                "redosim run --seed 1 --steps -2",
                "steps cannot be negative",
            ),
            (
                "redosim soak --seeds 0..18446744073709551616",
                "a seed is at most 18446744073709551615",
            ),
            ("redosim soak --seeds -1..3", "seeds cannot be negative"),
            ("redosim soak --seeds 0..", "needs --duration"),
            ("redosim soak --seeds 0..4 --shard 2/2", "bad shard '2/2'"),
            ("redosim soak --seeds 0..4 --duration 0", "more than 0"),
            ("redosim bench --seconds 0", "more than 0 seconds"),
            ("redosim frobnicate", "frobnicate"),
            ("redosim", "Usage"),
        ] {
            let (code, text) = quietly(line);
            assert_eq!(code, EXIT_BAD_INPUT, "{line}");
            assert!(text.contains(says), "{line}: {text}");
            if line != "redosim" {
                assert!(text.starts_with("error: "), "{line}: {text}");
            }
        }
    }

    #[test]
    fn shards_split_a_range_without_gaps_or_overlaps() {
        let range = SeedRange { start: 3, end: 20 };
        let mut all = Vec::new();
        for index in 0..4 {
            let plan = SeedPlan {
                range,
                open: false,
                shard: Some(Shard { index, count: 4 }),
            };
            let seeds: Vec<u64> = (0..).map_while(|i| plan.seed(i)).collect();
            assert!(seeds.iter().all(|s| s % 4 == index), "{seeds:?}");
            assert_eq!(seeds.len() as u64, plan.count());
            all.extend(seeds);
        }
        all.sort();
        assert_eq!(all, (3..20).collect::<Vec<_>>());
        assert_eq!(Shard::parse("1/3"), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "1", "a/b", "-1/2", "1/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["", "m", "0m", "-1s", "10d", "ten"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
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
            release: None,
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

    fn report_of(results: &[RunSummary]) -> String {
        let mut c = Campaign::default();
        for r in results {
            c.add(&result_line(r)).unwrap();
        }
        SoakReport {
            header: "0..10 (2 of 10 run)".into(),
            campaign: &c,
            timing: Some(Timing {
                elapsed: Duration::from_secs(2),
                shrink: None,
            }),
            notes: Vec::new(),
            smallest: &BTreeMap::new(),
        }
        .to_string()
    }

    #[test]
    fn soak_report_groups_failures_by_signature() {
        let results = [
            failing(3, "row k=5 ('abc', acknowledged) is missing\nsecond"),
            failing(8, "row k=17 ('x', acknowledged) is missing"),
            failing(9, "block 4 of file 2 is stale"),
        ];
        let text = report_of(&results);
        assert!(text.contains("failed        3 (2 signatures)\n"), "{text}");
        assert!(
            text.contains(
                "FAILED 2× INV-DATA-1 (plant skip-wal): row k=# ('…', acknowledged) is missing\n  seeds 3, 8\n  reproduce: redosim run --seed 3 --plant skip-wal --trace\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("FAILED 1× INV-DATA-1 (plant skip-wal): block # of file # is stale\n"),
            "{text}"
        );
        assert!(!text.contains("second"), "{text}");
        assert!(text.contains("recoveries/s  3.0"), "{text}");
    }

    #[test]
    fn a_campaign_is_the_same_in_any_order() {
        let results: Vec<RunSummary> = (0..7).map(|s| failing(s, "row k=1 lost")).collect();
        let mut reversed = results.clone();
        reversed.reverse();
        assert_eq!(report_of(&results), report_of(&reversed));
        assert!(report_of(&results).contains("  seeds 0, 1, 2, 3, 4, …\n"));
    }

    #[test]
    fn the_trace_hash_is_hex_in_json_as_in_text() {
        let line = result_line(&failing(1, "x"));
        assert_eq!(line["trace_hash"], serde_json::json!("0000000000000abc"));
    }
}
