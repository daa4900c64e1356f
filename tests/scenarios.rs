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
        golden(f, &out.transcript());
    }
}

/// A scenario `X.scn` with a sibling `X.out`: the transcript must equal it
/// exactly. `REDOSIM_BLESS=1` writes the transcript into every `X.out` that
/// exists instead (create an empty one to start a golden).
fn golden(scn: &Path, transcript: &str) {
    let out = scn.with_extension("out");
    if !out.exists() {
        return;
    }
    if std::env::var_os("REDOSIM_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&out, transcript).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&out).unwrap();
    if want != transcript {
        let line = want
            .lines()
            .zip(transcript.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(transcript.lines().count()));
        panic!(
            "{}: the transcript differs from {} from line {} on \
             (REDOSIM_BLESS=1 cargo test --test scenarios rewrites it)\n\
             --- expected\n{}\n--- got\n{}",
            scn.display(),
            out.display(),
            line + 1,
            want.lines()
                .skip(line)
                .take(5)
                .collect::<Vec<_>>()
                .join("\n"),
            transcript
                .lines()
                .skip(line)
                .take(5)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

/// A golden transcript holds: the same text passes, a changed line fails
/// naming where, and blessing rewrites it.
#[test]
fn a_golden_transcript_is_compared_exactly() {
    let dir = std::env::temp_dir().join(format!("redosim-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scn = dir.join("g.scn");
    let out = dir.join("g.out");
    golden(&scn, "no golden: nothing to compare\n");
    std::fs::write(&out, "SQL> startup\nORACLE instance started.\n").unwrap();
    golden(&scn, "SQL> startup\nORACLE instance started.\n");
    let differs = std::panic::catch_unwind(|| {
        golden(&scn, "SQL> startup\nORA-01034: ORACLE not available\n");
    });
    let why = differs.expect_err("a changed transcript fails");
    let why = why.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(why.contains("from line 2 on"), "{why}");
    std::fs::remove_dir_all(&dir).unwrap();
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
    let built = engine::params::PLANTED_BUGS
        .iter()
        .filter(|b| b.3.is_some())
        .count();
    assert_eq!(
        files.len(),
        built,
        "one case per built planted bug: {files:?}"
    );
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
    // One directory per text (FNV-1a), so tests running at once do not share one.
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let dir = std::env::temp_dir().join(format!("redosim-scn-{}-{h:016x}", std::process::id()));
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
    let (code, _, stderr) = redosim_script("startup\nfault lose backup piece all\n", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("case.scn:2: not supported yet: fault lose backup piece (RMAN, S-BK-4)"),
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

/// The transcript lines a statement printed (the first statement at `line`).
fn output_at(out: &sim::scenario::ScriptOutcome, line: u32) -> Vec<String> {
    out.results
        .iter()
        .find(|r| r.line == line)
        .unwrap_or_else(|| panic!("no statement at line {line}:\n{}", out.transcript()))
        .output
        .clone()
}

#[test]
fn a_statement_struck_by_an_armed_crash_needs_no_expect_error() {
    let text = "startup\ninsert into t values (1, 'a');\ncommit;\ncrash after 1 io\n\
                insert into t values (2, 'b');\ncommit;\n";
    let after = "startup\nexpect data complete\n";
    // Without an expectation: the power loss is the directive's own outcome.
    let out = run_script("s.scn", &format!("{text}{after}"), false);
    assert_eq!(out.exit, 0, "{}", out.transcript());
    assert_eq!(
        output_at(&out, 6),
        [
            "-- power lost",
            "ORA-03113: end-of-file on communication channel"
        ]
    );
    // `expect error ORA-03113` right after stays allowed.
    let out = run_script(
        "s.scn",
        &format!("{text}expect error ORA-03113\n{after}"),
        false,
    );
    assert_eq!(out.exit, 0, "{}", out.transcript());
    // But it did fail: `expect success` or another code does not hold.
    let out = run_script("s.scn", &format!("{text}expect success\n{after}"), false);
    assert_eq!(out.exit, 1, "{}", out.transcript());
    assert!(
        out.failure
            .as_deref()
            .unwrap()
            .starts_with("s.scn:7: expected success"),
        "{:?}",
        out.failure
    );
    let out = run_script(
        "s.scn",
        &format!("{text}expect error ORA-01034\n{after}"),
        false,
    );
    assert_eq!(out.exit, 1, "{}", out.transcript());
    // Any other error still needs its `expect error`.
    let out = run_script(
        "s.scn",
        "startup\ncrash after 1000 io\ninsert into t values (1, 'a');\ninsert into t values (1, 'b');\n",
        false,
    );
    assert_eq!(out.exit, 1, "{}", out.transcript());
    assert!(
        out.failure
            .as_deref()
            .unwrap()
            .contains("s.scn:4: unexpected error"),
        "{:?}",
        out.failure
    );
}

#[test]
fn select_without_where_prints_every_row_in_key_order_as_the_session_sees_it() {
    let text = "startup\ninsert into t values (3, 'three');\ninsert into t values (1, 'one');\n\
                commit;\ninsert into t values (2, 'two');\ndelete from t where k = 3;\n\
                session other\ninsert into t values (4, 'four');\nselect * from t;\n\
                session main\nselect * from t;\nselect count(*) from t;\n\
                rollback;\nselect * from t where k = 7;\nexpect rows 0\nsession other\n\
                rollback;\nselect * from t;\nexpect rows 2\n";
    let out = run_script("s.scn", text, false);
    assert_eq!(out.exit, 0, "{}", out.transcript());
    // Another session's uncommitted changes are not seen; its own are.
    assert_eq!(
        output_at(&out, 9),
        [
            "         K V",
            "---------- ----------",
            "         1 one",
            "         3 three",
            "         4 four",
            "",
            "3 rows selected."
        ]
    );
    assert_eq!(
        output_at(&out, 11),
        [
            "         K V",
            "---------- ----------",
            "         1 one",
            "         2 two",
            "",
            "2 rows selected."
        ]
    );
    assert_eq!(
        output_at(&out, 12),
        ["  COUNT(*)", "----------", "         2"]
    );
    let out = run_script(
        "s.scn",
        "startup\nselect * from t;\nselect * from u;\nexpect error ORA-00942\n",
        false,
    );
    assert_eq!(out.exit, 0, "{}", out.transcript());
    assert_eq!(output_at(&out, 2), ["no rows selected"]);
}

#[test]
fn a_full_scan_never_answers_around_a_corrupt_block() {
    // Key 2's row lives in file 3 block 16; key 1's in file 4.
    let text = "startup\ninsert into t values (1, 'one');\ninsert into t values (2, 'two');\n\
                commit;\nshutdown immediate\nfault corrupt datafile 3 block 16\nstartup\n\
                select * from t where k = 1;\nexpect rows 1\n";
    let stack = [
        "ORA-01578: ORACLE data block corrupted (file # 3, block # 16)",
        "ORA-01110: data file 3: '/u01/oradata/SIM/users01.dbf'",
    ];
    for scan in ["select * from t;", "select count(*) from t;"] {
        let out = run_script(
            "s.scn",
            &format!("{text}{scan}\nexpect error ORA-01578\n"),
            false,
        );
        assert_eq!(out.exit, 0, "{}", out.transcript());
        assert_eq!(output_at(&out, 10), stack, "{scan}");
        let out = run_script("s.scn", &format!("{text}{scan}\n"), false);
        assert_eq!(out.exit, 1, "{scan}: {}", out.transcript());
        assert!(
            out.failure
                .as_deref()
                .unwrap()
                .starts_with("s.scn:10: unexpected error\nORA-01578"),
            "{:?}",
            out.failure
        );
    }
}

#[test]
fn a_failed_startup_prints_how_far_it_got_before_the_error() {
    // OPEN fails: the instance started and the database mounted.
    let out = run_script(
        "s.scn",
        "startup\nalter system archive log current;\nalter system checkpoint;\n\
         fault lose log group 1\nshutdown abort\nstartup\nexpect error ORA-00313\n",
        false,
    );
    assert_eq!(out.exit, 0, "{}", out.transcript());
    assert_eq!(
        output_at(&out, 6),
        [
            "ORACLE instance started.",
            "Database mounted.",
            "ORA-00313: open failed for members of log group 1 of thread 1",
            "ORA-00312: online log 1 thread 1: '/u01/oradata/SIM/redo01a.log'",
            "ORA-00312: online log 1 thread 1: '/u01/oradata/SIM/redo01b.log'",
        ]
    );
    // MOUNT fails: only the instance started.
    let out = run_script(
        "s.scn",
        "fault lose controlfile\nstartup\nexpect error ORA-00205\n",
        false,
    );
    assert_eq!(out.exit, 0, "{}", out.transcript());
    let lines = output_at(&out, 2);
    assert_eq!(lines[0], "ORACLE instance started.", "{lines:?}");
    assert!(lines[1].starts_with("ORA-00205"), "{lines:?}");
}

#[test]
fn clear_logfile_reports_the_engine_errors_and_re_creates_the_group() {
    // Group 1 holds sequence 1, not archived (ARCn is held back); group 3 is
    // current (the clean shutdown switched too).
    let text = "set auto_archive off\nstartup\nalter system switch logfile;\nalter system checkpoint;\n\
                shutdown immediate\nstartup mount\n\
                alter database clear logfile group 9;\nexpect error ORA-01514\n\
                alter database clear logfile group 3;\nexpect error ORA-01624\n\
                alter database clear logfile group 1;\nexpect error ORA-00350\n\
                alter database clear unarchived logfile group 1;\n\
                select * from v$log where group# = 1;\n";
    let out = run_script("s.scn", text, false);
    assert_eq!(out.exit, 0, "{}", out.transcript());
    assert_eq!(output_at(&out, 13), ["Database altered."]);
    assert!(
        output_at(&out, 14).iter().any(|l| l.contains("UNUSED")),
        "{}",
        out.transcript()
    );
    let out = run_script(
        "s.scn",
        "startup nomount\nalter database clear logfile group 2;\n",
        false,
    );
    assert_eq!(out.exit, 1);
    assert_eq!(output_at(&out, 2), ["ORA-01507: database not mounted"]);
}

#[test]
fn expect_rows_counts_what_the_select_before_returned() {
    let text = "startup\ninsert into t values (1, 'a');\ncommit;\nselect * from t;\n";
    assert_eq!(
        run_script("s.scn", &format!("{text}expect rows 1\n"), false).exit,
        0
    );
    let out = run_script("s.scn", &format!("{text}expect rows 0\n"), false);
    assert_eq!(out.exit, 1);
    assert_eq!(
        out.failure.as_deref(),
        Some("s.scn:5: expected 0 rows, but the select before returned 1")
    );
    let out = run_script("s.scn", "startup\nexpect rows 0\n", false);
    assert_eq!(out.exit, 1);
    assert_eq!(
        out.failure.as_deref(),
        Some("s.scn:2: expected 0 rows, but the statement before is not a select")
    );
    let out = run_script(
        "s.scn",
        "startup\nselect * from v$database_block_corruption;\nexpect rows 0\n",
        false,
    );
    assert_eq!(out.exit, 0, "{}", out.transcript());
}

#[test]
fn a_script_with_no_statement_is_refused() {
    for text in [
        "",
        "set seed 3\nset log_groups 4\n",
        "# only a comment\nREM and a remark\n\n",
    ] {
        let (code, stdout, stderr) = redosim_script(text, &[]);
        assert_eq!(code, 2, "{text:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("case.scn: the scenario has no statement to run"),
            "{text:?}: {stderr}"
        );
        assert!(!stdout.contains("trace hash"), "{stdout}");
    }
}

/// Torn-block protection is what repairs the torn block: with the planted
/// bug that logs no block image the same scenario fails (the block stays
/// corrupt: the full scan and `expect rows 0` say so, and the invariants).
#[test]
fn torn_block_protection_without_images_fails_the_repair_scenario() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/crash/torn_block_repaired_with_protection.scn");
    let text = std::fs::read_to_string(&f).unwrap();
    let planted = text.replace(
        "set torn_block_protection on\n",
        "set torn_block_protection on\nset plant 'no-torn-images'\n",
    );
    assert_ne!(planted, text, "the scenario switches protection on");
    let out = run_script("planted.scn", &planted, false);
    assert_eq!(out.exit, 1, "{}", out.transcript());
    // Each of its assertions catches it on its own.
    for drop in ["expect rows 0\n", "select * from t;\n"] {
        let one_less = planted.replacen(drop, "", 1);
        let out = run_script("planted.scn", &one_less, false);
        assert_eq!(out.exit, 1, "without {drop:?}: {}", out.transcript());
    }
}

/// In scripts ARCn keeps up: a filled log is archived before the next
/// statement, as Oracle's ARCn does promptly; `set auto_archive off` (what
/// printed random runs say, since they schedule `arch` themselves) holds it
/// back until a log switch needs the group.
#[test]
fn arcn_keeps_up_in_scripts_unless_held_back() {
    let body = "startup\nalter system switch logfile;\nselect * from v$archived_log;\nexpect rows ";
    let out = run_script("a.scn", &format!("{body}2\n"), false);
    assert_eq!(out.exit, 0, "{}", out.transcript());
    let out = run_script("a.scn", &format!("set auto_archive off\n{body}0\n"), false);
    assert_eq!(out.exit, 0, "{}", out.transcript());
}
