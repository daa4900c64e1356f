//! `redosim-redb`: crash-tests a redb release on the simulated disk.
//!
//! ```text
//! cargo run --release --manifest-path clients/redb/Cargo.toml -- --redb 4.1.0 --seeds 0..1000
//! ```
//!
//! Exit status: 0 when every seed holds, 1 on a finding (the first failing
//! seed, shrunk, with a one-line replay), 2 on bad arguments.

use std::process::ExitCode;

use clap::Parser;
use redosim_disk::{Fates, Profile};
use redosim_redb::engine::{Engine, Redb41, Redb42, VERSIONS};
use redosim_redb::run::{self, Case, Outcome};
use redosim_redb::shrink;

/// Crash-tests redb on redosim's simulated disk: each seed runs write
/// transactions (Durability::Immediate), loses the power at a seeded I/O,
/// resolves the disk by its fates, reopens and checks every acknowledged
/// commit.
#[derive(Debug, Parser)]
#[command(name = "redosim-redb")]
struct Args {
    /// The redb release: 4.1.0 or 4.2.0.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(VERSIONS))]
    redb: String,
    /// The seeds to run, `A..B` (B excluded).
    #[arg(long, default_value = "0..100", value_parser = parse_seeds, conflicts_with = "seed")]
    seeds: (u64, u64),
    /// Run one seed (a replay; combine with --txns, --crash-at, --fates).
    #[arg(long)]
    seed: Option<u64>,
    /// The device profile: posix, ext4, ssd-no-plp, redb, lengths-durable, or all.
    #[arg(long, default_value = "redb")]
    profile: String,
    /// With --seed: keep only these transactions of the seed (`0,5,6`).
    #[arg(long, requires = "seed", value_delimiter = ',')]
    txns: Option<Vec<usize>>,
    /// With --seed: the counted I/O the power fails at, from 1.
    #[arg(long, requires = "seed")]
    crash_at: Option<u64>,
    /// With --seed: the fates, `a`/`d`/`g` per pending write and `k`/`l` per
    /// pending length change in issue order (missing: `a`, `k`).
    #[arg(long, requires = "seed")]
    fates: Option<String>,
    /// Run every seed and count the findings, instead of stopping at the first.
    #[arg(long)]
    keep_going: bool,
    /// Report a finding as found, without shrinking it.
    #[arg(long)]
    no_shrink: bool,
    /// Print one line per seed: crash point, fates, verdict, trace hash.
    #[arg(long)]
    verbose: bool,
}

fn parse_seeds(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("expected A..B, not '{text}'"))?;
    let a: u64 = a.parse().map_err(|_| format!("not a seed: '{a}'"))?;
    let b: u64 = b.parse().map_err(|_| format!("not a seed: '{b}'"))?;
    if a >= b {
        return Err(format!("an empty range: {text}"));
    }
    Ok((a, b))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let profiles = if args.profile == "all" {
        Profile::all()
    } else {
        match Profile::by_name(&args.profile) {
            Some(p) => vec![p],
            None => {
                let names: Vec<String> = Profile::all().into_iter().map(|p| p.name).collect();
                eprintln!(
                    "error: unknown profile '{}' (profiles: {}, all)",
                    args.profile,
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        }
    };
    let fates = match &args.fates {
        None => None,
        Some(letters) => match Fates::parse(letters, usize::MAX) {
            Ok(f) => Some(f),
            Err((i, c)) => {
                eprintln!("error: --fates: '{c}' at {i} is not one of a, d, g, k, l");
                return ExitCode::from(2);
            }
        },
    };
    let mut failed = false;
    for profile in profiles {
        failed |= match args.redb.as_str() {
            "4.1.0" => run_profile::<Redb41>(&args, profile, fates.clone()),
            _ => run_profile::<Redb42>(&args, profile, fates.clone()),
        };
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs the seeds on one profile; true if any failed.
fn run_profile<E: Engine>(args: &Args, profile: Profile, fates: Option<Fates>) -> bool {
    println!("redb {} on profile {}", E::VERSION, profile.describe());
    let seeds = match args.seed {
        Some(seed) => seed..seed + 1,
        None => args.seeds.0..args.seeds.1,
    };
    let mut totals = Totals::default();
    let mut first: Option<(Case, Outcome)> = None;
    for seed in seeds.clone() {
        let case = Case {
            txns: args.txns.clone(),
            crash_at: args.crash_at,
            fates: fates.clone(),
            ..Case::new(seed, profile.clone())
        };
        let outcome = run::run::<E>(&case);
        totals.add(&outcome);
        if args.verbose {
            println!(
                "seed {seed}: crash at I/O {} of {} ({}), {} acknowledged, fates '{}', {}, trace {:016x}",
                outcome.crash_at,
                outcome.io_total,
                outcome.crash_place(),
                outcome.acknowledged,
                outcome.report.fates_string(),
                outcome
                    .finding
                    .as_ref()
                    .map_or("held".to_string(), |f| f.to_string()),
                outcome.trace_hash()
            );
        }
        if outcome.finding.is_some() {
            totals.failed.push(seed);
            if first.is_none() {
                first = Some((case, outcome));
            }
            if !args.keep_going {
                break;
            }
        }
    }
    println!(
        "seeds {}..{}: {} run, {} failed; {} crashes, {} acknowledged commits checked, \
         {} in flight, {} pending writes and {} pending length changes resolved",
        seeds.start,
        seeds.end,
        totals.run,
        totals.failed.len(),
        totals.run,
        totals.acknowledged,
        totals.in_flight,
        totals.writes,
        totals.sizes
    );
    let Some((case, outcome)) = first else {
        println!("all held");
        return false;
    };
    if args.keep_going {
        let shown: Vec<String> = totals.failed.iter().take(20).map(u64::to_string).collect();
        let more = if totals.failed.len() > 20 {
            ", …"
        } else {
            ""
        };
        println!("failing seeds: {}{more}", shown.join(", "));
    }
    report::<E>(args, &case, &outcome);
    true
}

/// Prints a finding: the seed, its crash point, its fates, the failure, the
/// shrunk case and its replay command.
fn report<E: Engine>(args: &Args, case: &Case, outcome: &Outcome) {
    let finding = outcome.finding.as_ref().expect("a finding");
    println!(
        "FINDING seed {} (profile {}): {finding}",
        case.seed, case.profile.name
    );
    describe(outcome);
    let (shown, fates) = if args.no_shrink {
        (case.clone(), outcome.report.fates_string())
    } else {
        let shrunk = shrink::shrink::<E>(case, outcome);
        println!(
            "  shrunk     to {} transactions (from {}), {} of {} fates not applied/kept \
             (from {}), in {} replays: {}",
            shrunk.outcome.txns,
            outcome.txns,
            non_default(&shrunk.fates),
            shrunk.outcome.report.fates_string().len(),
            non_default(&outcome.report.fates_string()),
            shrunk.replays,
            shrink::finding(&shrunk)
        );
        describe(&shrunk.outcome);
        (shrunk.case, shrunk.fates)
    };
    let txns: Vec<String> = shown
        .workload()
        .iter()
        .map(|t| t.index.to_string())
        .collect();
    println!(
        "  replay     cargo run --release --manifest-path clients/redb/Cargo.toml -- \
         --redb {} --profile {} --seed {} --txns {} --crash-at {} --fates '{}'",
        E::VERSION,
        shown.profile.name,
        shown.seed,
        txns.join(","),
        shown.crash_at.unwrap_or(outcome.crash_at),
        fates
    );
}

fn describe(outcome: &Outcome) {
    println!(
        "  crash      at I/O {} of {} ({}); {} commits acknowledged{}",
        outcome.crash_at,
        outcome.io_total,
        outcome.crash_place(),
        outcome.acknowledged,
        if outcome.in_flight {
            ", the next in flight"
        } else {
            ""
        }
    );
    let report = &outcome.report;
    let sizes: Vec<String> = report
        .sizes
        .iter()
        .map(|s| format!("{} → {} {:?}", s.len_from, s.len_to, s.fate))
        .collect();
    println!(
        "  fates      '{}': {} pending OS-block writes, {} length changes{}{}",
        report.fates_string(),
        report.writes.len(),
        report.sizes.len(),
        if sizes.is_empty() { "" } else { " (" },
        if sizes.is_empty() {
            String::new()
        } else {
            sizes.join(", ") + ")"
        }
    );
}

fn non_default(letters: &str) -> usize {
    letters.chars().filter(|c| !matches!(c, 'a' | 'k')).count()
}

#[derive(Debug, Default)]
struct Totals {
    run: u64,
    acknowledged: u64,
    in_flight: u64,
    writes: u64,
    sizes: u64,
    failed: Vec<u64>,
}

impl Totals {
    fn add(&mut self, outcome: &Outcome) {
        self.run += 1;
        self.acknowledged += outcome.acknowledged as u64;
        self.in_flight += u64::from(outcome.in_flight);
        self.writes += outcome.report.writes.len() as u64;
        self.sizes += outcome.report.sizes.len() as u64;
    }
}
