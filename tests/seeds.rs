//! The full runner over many seeds: every invariant must hold on all of them.
//!
//! Seeds run on a few threads (parallelism across runs only; each run is one
//! thread and one seeded generator).

use sim::runner::{Coverage, RunOptions, RunSummary, run_seed};

/// Seeds 0..n, spread over `threads` threads, in seed order.
fn run_many(n: u64, threads: u64) -> Vec<RunSummary> {
    run_many_as(n, threads, None)
}

/// [`run_many`] behaving as `release`.
fn run_many_as(n: u64, threads: u64, release: Option<engine::params::Release>) -> Vec<RunSummary> {
    let mut all: Vec<RunSummary> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (0..n)
                        .filter(|seed| seed % threads == t)
                        .map(|seed| {
                            run_seed(&RunOptions {
                                seed,
                                release,
                                ..Default::default()
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread"))
            .collect()
    });
    all.sort_by_key(|s| s.seed);
    all
}

#[test]
fn three_hundred_seeds_hold_every_invariant() {
    let runs = run_many(300, 2);
    let failed: Vec<String> = runs
        .iter()
        .filter_map(|s| {
            s.violation.as_ref().map(|v| {
                format!(
                    "seed {}: {} at step {}: {}\n  reproduce: {}",
                    s.seed,
                    v.id,
                    v.step,
                    v.evidence,
                    s.repro_command()
                )
            })
        })
        .collect();
    let crashes: usize = runs.iter().map(|s| s.crashes).sum();
    let recoveries: usize = runs.iter().map(|s| s.recoveries).sum();
    let checks: usize = runs.iter().map(|s| s.checks).sum();
    println!("300 seeds: {crashes} crashes, {recoveries} recoveries, {checks} checks");
    assert!(
        failed.is_empty(),
        "{} seeds failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    // The sweep must really exercise crashes and recoveries, and reach every
    // state the simulator exists to test ("sometimes" coverage).
    assert!(
        crashes > 1000 && recoveries > 1000,
        "too few crashes ({crashes}) or recoveries ({recoveries})"
    );
    let mut cov = Coverage::default();
    for s in &runs {
        cov.add(&s.coverage);
    }
    println!("coverage over 300 seeds: {cov:?}");
    assert!(
        cov.crash_in_recovery > 0,
        "no power loss struck a recovery: {cov:?}"
    );
    assert!(
        cov.torn_reported > 0,
        "no torn block was reported corrupt: {cov:?}"
    );
    assert!(
        cov.torn_repaired > 0,
        "no torn block was repaired from its image: {cov:?}"
    );
    assert!(
        cov.controlfile_replicated > 0,
        "no control-file copy was replicated: {cov:?}"
    );
    assert!(
        cov.log_member_recreated > 0,
        "no log member was re-created: {cov:?}"
    );
    assert!(
        cov.in_doubt_committed > 0 && cov.in_doubt_lost > 0,
        "in-doubt commits were not decided both ways: {cov:?}"
    );
}

/// 10g keeps the backups taken before a RESETLOGS: the seeds must recover
/// copies through it (and hold every invariant doing so).
#[test]
fn seeds_as_10g_recover_through_resetlogs() {
    let runs = run_many_as(150, 2, Some(engine::params::Release::R10g));
    let failed: Vec<String> = runs
        .iter()
        .filter_map(|s| {
            let v = s.violation.as_ref()?;
            Some(format!(
                "seed {}: {}: {}\n  reproduce: {}",
                s.seed,
                v.id,
                v.evidence,
                s.repro_command()
            ))
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    let mut cov = Coverage::default();
    for s in &runs {
        cov.add(&s.coverage);
    }
    assert!(
        cov.through_resetlogs > 0 && cov.resetlogs > 0,
        "no recovery read through a RESETLOGS: {cov:?}"
    );
}
