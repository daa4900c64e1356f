//! The `redosim` binary as users and scripts see it: exit codes (0 held,
//! 1 violation, 2 bad input), messages, and machine-readable output.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn redosim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redosim"))
        .args(args)
        .output()
        .expect("the redosim binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

/// A scratch file unique to one test.
fn scratch(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn bugs_lists_every_planted_bug_and_whether_it_is_built() {
    let out = redosim(&["bugs"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
            .to_string()
    };
    assert!(line("skip-wal").contains(" yes "), "{text}");
    assert!(line("skip-wal").contains("INV-DATA-2"), "{text}");
    assert!(line("until-inclusive").contains(" not yet "), "{text}");
    assert!(line("until-inclusive").contains("INV-DATA-3"), "{text}");
}

#[test]
fn an_unknown_flag_is_bad_input_named_by_clap() {
    let out = redosim(&["run", "--seed", "1", "--bogus"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--bogus"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn an_unknown_subcommand_or_no_subcommand_is_bad_input() {
    assert_eq!(code(&redosim(&["frobnicate"])), 2);
    assert_eq!(code(&redosim(&[])), 2);
    assert_eq!(code(&redosim(&["run"])), 2, "--seed is required");
    assert_eq!(code(&redosim(&["soak"])), 2, "--seeds is required");
}

#[test]
fn bad_seed_ranges_are_bad_input_with_the_expected_form() {
    for range in ["5..3", "abc", "1..", "..9", "x..y", "4..4"] {
        let out = redosim(&["soak", "--seeds", range]);
        assert_eq!(code(&out), 2, "{range}");
        let expected = format!("error: bad seed range '{range}': expected A..B with A < B");
        assert!(
            stderr(&out).contains(&expected),
            "{range}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{range}: nothing was run");
    }
}

#[test]
fn an_unknown_plant_is_bad_input_listing_the_known_bugs() {
    for args in [
        &["run", "--seed", "1", "--plant", "nope"][..],
        &["soak", "--seeds", "0..2", "--plant", "nope"][..],
        &["bench", "--seconds", "0.1", "--plant", "nope"][..],
    ] {
        let out = redosim(args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("unknown planted bug 'nope'"), "{err}");
        assert!(
            err.contains("skip-wal") && err.contains("until-inclusive"),
            "{err}"
        );
    }
}

#[test]
fn a_plant_that_is_not_built_is_bad_input_saying_so() {
    let out = redosim(&["run", "--seed", "1", "--plant", "until-inclusive"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("'until-inclusive'") && err.contains("does not exist yet"),
        "{err}"
    );
}

#[test]
fn run_json_is_one_object_for_the_seed() {
    let out = redosim(&["run", "--seed", "3", "--json"]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let summary: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(summary["seed"], json!(3), "{text}");
    assert!(summary["trace_hash"].is_u64(), "{text}");
    let violated = !summary["violation"].is_null();
    assert_eq!(code(&out), if violated { 1 } else { 0 }, "{text}");
}

#[test]
fn run_prints_a_summary_block_and_its_exit_code_matches() {
    let out = redosim(&["run", "--seed", "3"]);
    let text = stdout(&out);
    let hash = text
        .lines()
        .find_map(|l| l.strip_prefix("trace hash"))
        .unwrap_or_else(|| panic!("no trace hash in:\n{text}"))
        .trim();
    assert!(
        hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );
    for field in [
        "seed ",
        "config ",
        "steps ",
        "crashes ",
        "recoveries ",
        "checks ",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(field)),
            "{field}: {text}"
        );
    }
    if text.contains("VIOLATION INV-") {
        assert_eq!(code(&out), 1);
        assert!(text.contains("reproduce: redosim run --seed 3"), "{text}");
    } else {
        assert_eq!(code(&out), 0, "{text}");
        assert!(text.contains("all invariants held"), "{text}");
    }
}

#[test]
fn soak_writes_one_json_line_per_seed_in_seed_order() {
    let path = scratch("soak_0_4.jsonl");
    let path_arg = path.to_str().unwrap();
    let out = redosim(&["soak", "--seeds", "0..4", "--jobs", "2", "--out", path_arg]);
    let text = std::fs::read_to_string(&path).expect("--out was written");
    let summaries: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let seeds: Vec<&Value> = summaries.iter().map(|s| &s["seed"]).collect();
    assert_eq!(
        seeds,
        [&json!(0), &json!(1), &json!(2), &json!(3)],
        "{text}"
    );
    let failed = summaries
        .iter()
        .filter(|s| !s["violation"].is_null())
        .count();
    assert_eq!(
        code(&out),
        if failed > 0 { 1 } else { 0 },
        "{}",
        stdout(&out)
    );
    let report = stdout(&out);
    assert!(
        report.contains("seeds         0..4 (4 of 4 run)"),
        "{report}"
    );
    assert!(
        report.contains(&format!("failed        {failed}\n")),
        "{report}"
    );
}

#[test]
fn help_and_version_exit_0() {
    let out = redosim(&["--help"]);
    assert_eq!(code(&out), 0);
    let help = stdout(&out);
    for word in [
        "run",
        "soak",
        "bench",
        "bugs",
        "Examples:",
        "redosim soak --seeds",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
    assert_eq!(code(&redosim(&["soak", "--help"])), 0);
    assert_eq!(code(&redosim(&["--version"])), 0);
}

#[test]
fn shrinking_a_scenario_that_passes_says_why_in_words() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/crash/clean_shutdown_no_fuzzy_bits.scn"
    );
    let target = scratch("never-written.scn");
    let out = redosim(&["shrink", file, "-o", target.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err,
        format!(
            "error: {file}: nothing to shrink: it does not fail: every expectation, check and invariant held\n"
        )
    );
    assert!(!err.contains("None"), "{err}");
    assert!(!target.exists(), "nothing was written");
    // A scenario that fails without breaking an invariant: that is said too.
    let failing = scratch("fails_no_invariant.scn");
    std::fs::write(
        &failing,
        "startup\ninsert into t values (1, 'a');\nexpect error ORA-00001\n",
    )
    .unwrap();
    let out = redosim(&[
        "shrink",
        failing.to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "nothing to shrink: it fails, but with no invariant broken: line 3: expected ORA-00001"
        ),
        "{}",
        stderr(&out)
    );
}
