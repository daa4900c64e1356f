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
    assert!(line("until-inclusive").contains(" yes "), "{text}");
    assert!(line("until-inclusive").contains("INV-DATA-3"), "{text}");
    assert!(line("incr-off-by-one").contains(" not yet "), "{text}");
    assert!(line("incr-off-by-one").contains("INV-BK-3"), "{text}");
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
    for range in ["5..3", "abc", "..9", "x..y", "4..4"] {
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
    let out = redosim(&["run", "--seed", "1", "--plant", "incr-off-by-one"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("'incr-off-by-one'") && err.contains("does not exist yet"),
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
    let hash = summary["trace_hash"]
        .as_str()
        .unwrap_or_else(|| panic!("a hex string: {text}"));
    assert!(
        hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );
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
    } else if text.contains("UNRECOVERABLE at step ") {
        // Its own outcome: not a violation, and the reason follows.
        assert_eq!(code(&out), 0, "{text}");
        assert!(
            text.contains("(every invariant held up to there)\n  "),
            "{text}"
        );
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
        report.contains(&format!("failed        {failed} (")),
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

/// The summary less its wall-clock lines (wall time, rates, shrinking).
fn without_wall_clock(summary: &str) -> String {
    summary
        .lines()
        .filter(|l| {
            !["wall time", "seeds/s", "recoveries/s", "shrinking"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn two_shards_merged_give_the_unsharded_summary() {
    let plant = "reuse-unarchived";
    let whole = redosim(&[
        "soak",
        "--seeds",
        "0..8",
        "--jobs",
        "2",
        "--plant",
        plant,
        "--no-save",
    ]);
    let mut files = Vec::new();
    for shard in ["0/2", "1/2"] {
        let path = scratch(&format!("shard_{}.jsonl", &shard[..1]));
        let out = redosim(&[
            "soak",
            "--seeds",
            "0..8",
            "--shard",
            shard,
            "--jobs",
            "1",
            "--plant",
            plant,
            "--no-save",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(
            stdout(&out).contains(&format!("seeds         0..8, shard {shard} (4 of 4 run)")),
            "{}",
            stdout(&out)
        );
        let seeds: Vec<u64> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["seed"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        let first = u64::from(shard.starts_with('1'));
        assert_eq!(seeds, [first, first + 2, first + 4, first + 6], "{shard}");
        files.push(path);
    }
    let merged = redosim(&[
        "merge",
        files[0].to_str().unwrap(),
        files[1].to_str().unwrap(),
    ]);
    assert_eq!(code(&merged), code(&whole), "{}", stderr(&merged));
    let text = stdout(&merged);
    assert!(
        text.contains("FAILED "),
        "the planted bug fails some seeds:\n{text}"
    );
    assert!(!text.contains("wall time"), "{text}");
    assert_eq!(text, without_wall_clock(&stdout(&whole)));
}

#[test]
fn a_soak_for_a_duration_runs_seeds_upward_until_time_is_up() {
    let out = redosim(&[
        "soak",
        "--seeds",
        "100..",
        "--duration",
        "2s",
        "--jobs",
        "2",
        "--no-save",
    ]);
    let text = stdout(&out);
    assert!(text.starts_with("seeds         100.. ("), "{text}");
    assert!(text.contains("time up       after 2 s"), "{text}");
}

/// Not a terminal (a log file, a batch job): a plain progress line every 10 s.
#[test]
fn without_a_terminal_progress_is_a_plain_line_every_ten_seconds() {
    let out = redosim(&["soak", "--duration", "11s", "--jobs", "1", "--no-save"]);
    let err = stderr(&out);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress      "))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains(" seeds in 10 s, ")
            && lines[0].contains(" seeds/s, ")
            && lines[0].contains(" failed ("),
        "{err}"
    );
    assert!(
        stdout(&out).starts_with("seeds         0.. ("),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_bad_out_or_found_dir_is_refused_before_any_seed_runs() {
    let missing = scratch("no-such-dir").join("results.jsonl");
    let out = redosim(&[
        "soak",
        "--seeds",
        "0..2",
        "--out",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: cannot create --out "),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "nothing ran");
    let file = scratch("a-file-not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = redosim(&[
        "soak",
        "--seeds",
        "0..2",
        "--found-dir",
        file.join("sub").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: cannot create --found-dir "),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "nothing ran");
}

#[test]
fn bad_numbers_get_plain_messages() {
    for (args, says) in [
        (
            &["soak", "--seeds", "0..18446744073709551616"][..],
            "a seed is at most 18446744073709551615",
        ),
        (
            &["soak", "--seeds", "0..2", "--jobs", "0"][..],
            "at least 1 thread is needed",
        ),
        (
            &["soak", "--seeds", "0..2", "--jobs", "-1"][..],
            "threads cannot be negative",
        ),
        (
            &["soak", "--seeds", "-1..2"][..],
            "seeds cannot be negative",
        ),
        (
            &["run", "--seed", "1", "--steps", "0"][..],
            "at least 1 step is needed",
        ),
    ] {
        let out = redosim(args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_failed_host_command_says_what_the_os_command_would() {
    let file = scratch("host_rm_missing.scn");
    std::fs::write(
        &file,
        "host rm /u01/oradata/nope.dbf\nhost cp /u01/a /u01/b\n",
    )
    .unwrap();
    let out = redosim(&["script", file.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("rm: cannot remove '/u01/oradata/nope.dbf': No such file or directory"),
        "{text}{}",
        stderr(&out)
    );
    assert!(
        text.contains("cp: cannot stat '/u01/a': No such file or directory"),
        "{text}"
    );
    assert!(!text.contains("NotFound"), "{text}");
}

/// The seeds in a `--out` file, checking each line is a complete result.
fn seeds_in(path: &std::path::Path) -> Vec<u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v["seed"].as_u64().unwrap()
        })
        .collect()
}

#[test]
fn results_stream_in_seed_order_and_ctrl_c_prints_the_summary_so_far() {
    let path = scratch("streamed.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_redosim"))
        .args(["soak", "--seeds", "0..1000000", "--jobs", "2", "--no-save"])
        .args(["--out", path.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Complete lines, in seed order, appear while the soak runs.
    let mut seen = Vec::new();
    for _ in 0..600 {
        seen = seeds_in(&path);
        if seen.len() >= 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(seen.len() >= 20, "lines are written as seeds finish");
    assert_eq!(seen, (0..seen.len() as u64).collect::<Vec<_>>());
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("interrupted   by Ctrl-C"), "{text}");
    let all = seeds_in(&path);
    assert_eq!(all, (0..all.len() as u64).collect::<Vec<_>>());
    assert!(
        text.contains(&format!(
            "seeds         0..1000000 ({} of 1000000 run)",
            all.len()
        )),
        "the summary covers every seed in the file:\n{text}"
    );
}

#[test]
fn a_scenario_that_does_not_parse_is_an_error_like_every_other() {
    let file = scratch("does_not_parse.scn");
    std::fs::write(&file, "startup\nfrobnicate now\n").unwrap();
    let f = file.to_str().unwrap();
    let target = scratch("never-written-either.scn");
    for args in [
        vec!["script", f],
        vec!["replay", f],
        vec!["shrink", f, "-o", target.to_str().unwrap()],
    ] {
        let out = redosim(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("error: {f}:2:1: expected")),
            "{args:?}: {err}"
        );
    }
}
