//! Random runs are scenarios: a run printed as a scenario replays, through
//! `redosim script`, with the same trace hash (issue: the scenario language).

use sim::runner::{RunOptions, run_seed};
use sim::scenario::run_script;

#[test]
fn printed_runs_replay_with_the_same_trace_hash() {
    let mut failed = Vec::new();
    // REDOSIM_REPLAY_SEEDS widens the sweep for a soak of this property.
    let seeds: u64 = std::env::var("REDOSIM_REPLAY_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    for seed in 0..seeds {
        let run = run_seed(&RunOptions {
            seed,
            print_scenario: true,
            ..Default::default()
        });
        assert!(
            run.passed(),
            "seed {seed} fails on its own: {:?}",
            run.violation
        );
        let replay = run_script(&format!("seed{seed}.scn"), &run.scenario, false);
        if replay.exit != 0 || replay.trace_hash != run.trace_hash {
            failed.push(format!(
                "seed {seed}: exit {} {:?}, hash {:016x} vs {:016x}",
                replay.exit, replay.failure, replay.trace_hash, run.trace_hash
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {seeds} seeds did not replay:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn a_passing_run_is_printed_only_when_asked() {
    let quiet = run_seed(&RunOptions {
        seed: 1,
        ..Default::default()
    });
    assert!(
        quiet.passed() && quiet.scenario.is_empty(),
        "soaks do not pay for printing"
    );
    let asked = run_seed(&RunOptions {
        seed: 1,
        print_scenario: true,
        ..Default::default()
    });
    assert!(asked.scenario.contains("\nstartup\n"));
    assert_eq!(
        quiet.trace_hash, asked.trace_hash,
        "printing does not change the run"
    );
}

#[test]
fn the_replay_depends_on_the_scenario() {
    let run = run_seed(&RunOptions {
        seed: 7,
        print_scenario: true,
        ..Default::default()
    });
    assert!(
        run.scenario.contains("resolve '"),
        "crashes print their resolutions"
    );
    assert!(run.scenario.contains("\nstartup\n"));
    assert!(
        run.scenario.lines().count() > 100,
        "the whole run is printed"
    );
    assert_ne!(run.trace_hash, 0);
    // Flip a resolved fate of a power loss that had writes in flight: the
    // replay must no longer match.
    let at = run
        .scenario
        .match_indices("resolve '")
        .map(|(i, _)| i + "resolve '".len())
        .find(|&i| run.scenario[i..].find('\'').is_some_and(|end| end > 1));
    let i = at.expect("a power loss with several writes in flight");
    let mut changed = run.scenario.clone();
    let flipped = if &changed[i..i + 1] == "a" { "d" } else { "a" };
    changed.replace_range(i..i + 1, flipped);
    let replay = run_script("changed.scn", &changed, false);
    assert_ne!(
        replay.trace_hash, run.trace_hash,
        "a different tear must trace differently"
    );
}

#[test]
fn the_command_line_round_trip() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_redosim");
    let out = Command::new(bin)
        .args(["run", "--seed", "12", "--print-scenario"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let file = std::env::temp_dir().join(format!("redosim-seed12-{}.scn", std::process::id()));
    std::fs::write(&file, &out.stdout).unwrap();
    let replay = Command::new(bin).arg("script").arg(&file).output().unwrap();
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let summary = Command::new(bin)
        .args(["run", "--seed", "12"])
        .output()
        .unwrap();
    let hash_of = |text: &[u8], prefix: &str| {
        String::from_utf8_lossy(text)
            .lines()
            .find_map(|l| l.strip_prefix(prefix).map(|h| h.trim().to_string()))
            .expect("a trace hash line")
    };
    assert_eq!(
        hash_of(&replay.stdout, "trace hash "),
        hash_of(&summary.stdout, "trace hash")
    );
}
