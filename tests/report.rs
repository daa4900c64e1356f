//! `redosim report`: the page renders in headless Chromium without a script
//! error and shows the run's events (each power loss and recovery, the
//! checks, the violation marker). Needs `chromium` on the PATH (Debian
//! package `chromium`; `.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn redosim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_redosim"))
        .args(args)
        .output()
        .expect("the redosim binary runs");
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// The DOM after the page's script ran, and Chromium's stderr.
fn dump_dom(page: &Path) -> (String, String) {
    let url = format!("file://{}", page.canonicalize().expect("page").display());
    let out = match Command::new("chromium")
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--enable-logging=stderr",
            "--dump-dom",
            &url,
        ])
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!(
            "this test renders the report in headless Chromium, which is not installed \
             ({e}): install it, e.g. `apt-get install -y chromium` (Debian package `chromium`)"
        ),
    };
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// How many elements carry exactly this class list.
fn count(dom: &str, class: &str) -> usize {
    dom.matches(&format!("class=\"{class}\"")).count()
}

/// The number the page's script left in `data-drawn` (the marks it found).
fn drawn(dom: &str) -> usize {
    let at = dom
        .find("data-drawn=\"")
        .expect("the page's script ran to its end (data-drawn is set)")
        + "data-drawn=\"".len();
    dom[at..]
        .split('"')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("data-drawn is a number")
}

fn no_script_error(chromium_stderr: &str) {
    for bad in ["Uncaught", "SyntaxError", "TypeError", "ReferenceError"] {
        assert!(
            !chromium_stderr.contains(bad),
            "the page's script failed: {chromium_stderr}"
        );
    }
}

fn summary_number(stdout: &str, key: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no '{key}' in {stdout}"))
}

#[test]
fn a_failing_seed_draws_its_power_losses_recoveries_checks_and_violation() {
    let page = scratch("report-seed19.html");
    let out = page.to_str().unwrap();
    let (code, _, err) = redosim(&["report", "--seed", "19", "--plant", "skip-wal", "-o", out]);
    assert_eq!(code, 1, "the run fails as `run` does: {err}");
    let (_, run_out, _) = redosim(&["run", "--seed", "19", "--plant", "skip-wal"]);
    let (dom, chromium_err) = dump_dom(&page);
    no_script_error(&chromium_err);
    assert!(drawn(&dom) > 0, "the script found the marks");
    // One lightning mark per power loss of the run.
    assert_eq!(
        count(&dom, "mark power-loss"),
        summary_number(&run_out, "crashes"),
        "a mark per crash"
    );
    // An element per crash recovery: one per "Beginning crash recovery".
    let begun = dom.matches("Beginning crash recovery").count();
    let recoveries = count(&dom, "mark recovery") + count(&dom, "mark recovery interrupted");
    assert!(recoveries > 0, "recoveries drawn");
    assert!(
        begun >= recoveries,
        "each recovery drawn has its line in the trace table"
    );
    assert!(count(&dom, "mark recovery-step") >= 5 * recoveries);
    assert!(count(&dom, "mark check") > 0, "the checks that held");
    // The violation: marked once on the timeline, named above it.
    assert_eq!(count(&dom, "mark violation"), 1);
    assert!(dom.contains("id=\"violation-mark\""));
    // As `run` reports it: `VIOLATION INV-… at step N`.
    let verdict = run_out
        .lines()
        .find_map(|l| l.strip_prefix("VIOLATION "))
        .expect("the run names its violation");
    let (id, step) = verdict.split_once(" at step ").expect("id and step");
    assert!(
        dom.contains(&format!("VIOLATION at step {}", step.trim())),
        "{verdict}"
    );
    assert!(dom.contains(id), "{verdict}");
    assert!(count(&dom, "mark checkpoint") > 0);
    assert!(count(&dom, "mark log-switch") > 0);
    assert!(count(&dom, "mark archived") > 0);
    assert!(dom.contains("group 1 (/u01/oradata/SIM/redo01a.log"));
    assert!(!dom.contains("<script src"), "nothing is fetched");
    assert!(!dom.contains("<link"), "no stylesheet is fetched");
}

#[test]
fn a_scenario_draws_a_recovery_cut_short_and_no_violation() {
    let page = scratch("report-scenario.html");
    let out = page.to_str().unwrap();
    let scn = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/crash/crash_during_crash_recovery.scn"
    );
    let (code, _, err) = redosim(&["report", scn, "-o", out]);
    assert_eq!(code, 0, "{err}");
    let (dom, chromium_err) = dump_dom(&page);
    no_script_error(&chromium_err);
    assert!(drawn(&dom) > 0);
    assert!(
        count(&dom, "mark recovery interrupted") >= 1,
        "the recovery the power loss struck"
    );
    assert!(
        count(&dom, "mark recovery") >= 1,
        "the recovery that completed"
    );
    assert_eq!(count(&dom, "mark violation"), 0);
    assert!(dom.contains("every invariant held"));
}

#[test]
fn report_refuses_a_missing_scenario_and_an_unknown_bug() {
    let page = scratch("report-bad.html");
    let out = page.to_str().unwrap();
    let (code, _, _) = redosim(&["report", "no/such/file.scn", "-o", out]);
    assert_eq!(code, 2);
    let (code, _, _) = redosim(&["report", "--seed", "1", "--plant", "nope", "-o", out]);
    assert_eq!(code, 2);
    assert!(!page.exists());
}
