//! INV-DET-1: the same seed gives the same trace hash, in one process or
//! another, with any number of worker threads.

use std::process::Command;

use invariants::determinism::first_divergence;
use sim::runner::{RunOptions, run_seed};

#[test]
fn twenty_seeds_twice_give_identical_traces() {
    for seed in 0..20 {
        let a = run_seed(&RunOptions {
            seed,
            ..Default::default()
        });
        let b = run_seed(&RunOptions {
            seed,
            ..Default::default()
        });
        assert!(!a.step_hashes.is_empty());
        if let Some(v) = first_divergence(&a.step_hashes, &b.step_hashes) {
            panic!("seed {seed}: {v}");
        }
        assert_eq!(a.trace_hash, b.trace_hash, "seed {seed}");
    }
}

#[test]
fn another_thread_gives_the_same_trace() {
    let here = run_seed(&RunOptions {
        seed: 11,
        ..Default::default()
    });
    let there = std::thread::spawn(|| {
        run_seed(&RunOptions {
            seed: 11,
            ..Default::default()
        })
    })
    .join()
    .unwrap();
    assert_eq!(here.trace_hash, there.trace_hash);
}

#[test]
fn a_separate_process_gives_the_same_trace_hash() {
    for seed in [4u64, 17] {
        let here = run_seed(&RunOptions {
            seed,
            ..Default::default()
        });
        let out = Command::new(env!("CARGO_BIN_EXE_redosim"))
            .args(["run", "--seed", &seed.to_string(), "--json"])
            .output()
            .expect("redosim runs");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "JSON from redosim run: {e}: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_eq!(json["seed"], seed);
        assert_eq!(
            json["trace_hash"].as_str(),
            Some(format!("{:016x}", here.trace_hash).as_str()),
            "seed {seed}: the other process traced differently"
        );
    }
}

#[test]
fn different_seeds_give_different_traces() {
    let a = run_seed(&RunOptions {
        seed: 1,
        ..Default::default()
    });
    let b = run_seed(&RunOptions {
        seed: 2,
        ..Default::default()
    });
    assert_ne!(a.trace_hash, b.trace_hash);
}
