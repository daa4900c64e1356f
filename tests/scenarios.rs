//! The scenario language end to end: every corpus scenario runs and holds,
//! and bad scripts fail the way SCENARIO.md says (exit 2 with FILE:LINE:COL,
//! exit 2 naming a missing feature, exit 1 naming the failed line).

use std::path::{Path, PathBuf};
use std::process::Command;

use sim::scenario::run_script;

mod common;

fn scenarios(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("corpus directory") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            scenarios(&p, out);
        } else if p.extension().is_some_and(|x| x == "scn") {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_scenario_shows_what_it_says() {
    let mut files = Vec::new();
    scenarios(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        &mut files,
    );
    files.sort();
    assert!(files.len() >= 12, "the corpus has its scenarios: {files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.starts_with('#'),
            "{}: a scenario opens with a comment saying what it shows",
            f.display()
        );
        let out = run_script(&f.display().to_string(), &text, false);
        // A case says what it must show: `# expect: INV-…` (a planted bug's
        // shrunk failure), or nothing: every invariant holds.
        let expected = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .map(str::trim);
        match expected {
            Some(id) => assert_eq!(
                sim::shrink::violated_invariant(&out).as_deref(),
                Some(id),
                "{} must fail with {id}:\n{}",
                f.display(),
                out.transcript()
            ),
            None => assert_eq!(out.exit, 0, "{}:\n{}", f.display(), out.transcript()),
        }
    }
}

/// Every planted-bug case fails only because of its bug: without its
/// `set plant` line, every invariant holds.
#[test]
fn planted_cases_hold_without_their_bug() {
    let mut files = Vec::new();
    scenarios(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/planted"),
        &mut files,
    );
    assert_eq!(files.len(), 5, "one case per built planted bug: {files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let off: String = text
            .lines()
            .filter(|l| !l.starts_with("set plant"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(off, text, "{} names its planted bug", f.display());
        let out = run_script("off.scn", &off, false);
        assert_eq!(
            sim::shrink::violated_invariant(&out),
            None,
            "{} without its bug:\n{}",
            f.display(),
            out.transcript()
        );
    }
}

#[test]
fn the_same_scenario_gives_the_same_trace() {
    let f =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/crash/crash_during_crash_recovery.scn");
    let text = std::fs::read_to_string(&f).unwrap();
    let a = run_script("a.scn", &text, false);
    let b = run_script("a.scn", &text, false);
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_ne!(a.trace_hash, 0);
}

fn redosim_script(text: &str, extra: &[&str]) -> (i32, String, String) {
    let dir =
        std::env::temp_dir().join(format!("redosim-scn-{}-{}", std::process::id(), text.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("case.scn");
    std::fs::write(&file, text).unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["script".into(), file.into_os_string()];
    args.extend(extra.iter().map(Into::into));
    common::redosim(&args)
}

#[test]
fn a_malformed_script_exits_2_naming_file_line_and_column_and_runs_nothing() {
    let (code, stdout, stderr) = redosim_script("startup\necho before\nrecover datafile\n", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("case.scn:3:"), "{stderr}");
    assert!(stderr.contains("expected"), "{stderr}");
    assert!(!stdout.contains("before"), "nothing runs: {stdout}");
}

#[test]
fn an_unsupported_statement_exits_2_naming_the_feature() {
    let (code, _, stderr) = redosim_script("startup mount\nrecover database\n", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not supported yet: recover (media recovery, S-MR-1)"),
        "{stderr}"
    );
    let (code, _, stderr) = redosim_script("RMAN> backup database;\n", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not supported yet") && stderr.contains("S-BK"),
        "{stderr}"
    );
}

#[test]
fn a_failed_expectation_exits_1_naming_the_line() {
    let (code, _, stderr) = redosim_script(
        "startup\ninsert into t values (1, 'a');\nexpect error ORA-00001\n",
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("case.scn:3: expected ORA-00001"),
        "{stderr}"
    );
    let (code, _, stderr) = redosim_script(
        "startup\ninsert into t values (1, 'a');\ninsert into t values (1, 'b');\n",
        &[],
    );
    assert_eq!(code, 1, "an unexpected error fails the script: {stderr}");
    assert!(
        stderr.contains("case.scn:3: unexpected error") && stderr.contains("ORA-00001"),
        "{stderr}"
    );
}

#[test]
fn data_at_a_point_in_time_is_compared_exactly() {
    let text = "startup\ninsert into t values (1, 'a');\ncommit;\nmark one\ninsert into t values (2, 'b');\ncommit;\n";
    let (code, _, stderr) = redosim_script(&format!("{text}expect data at scn 999999\n"), &[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = redosim_script(&format!("{text}expect data at &one\n"), &[]);
    assert_eq!(code, 1, "the state at the mark lacks row 2: {stderr}");
    assert!(stderr.contains("case.scn:7: INV-DATA-3"), "{stderr}");
    let (code, _, stderr) = redosim_script(&format!("{text}expect data at scn 1\n"), &[]);
    assert_eq!(code, 1, "nothing was committed before SCN 1: {stderr}");
}

#[test]
fn prompts_comments_and_json_output() {
    let text = "REM a runbook pasted from SQL*Plus\nSQL> startup -- open it\nSQL> insert into t values (7, 'x');\nSQL> commit;\n# done\nSQL> select * from t where k = 7;\n";
    let (code, stdout, stderr) = redosim_script(text, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("SQL> commit;\nCommit complete."),
        "{stdout}"
    );
    assert!(stdout.contains("         7 x"), "{stdout}");
    let (code, stdout, _) = redosim_script(text, &["--json"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["output"][0], "Commit complete.");
    assert_eq!(lines[2]["line"], 4);
}

#[test]
fn a_missing_file_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_redosim"))
        .args(["script", "/nonexistent/x.scn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/x.scn"));
}
