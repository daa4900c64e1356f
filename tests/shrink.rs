//! `redosim shrink` and `redosim replay` on the real binary: a planted bug's
//! failing seed shrinks to a small scenario that replays the failure, and
//! holds once the bug is switched off.

mod common;
use common::redosim;

#[test]
fn shrink_then_replay_then_switch_the_bug_off() {
    let dir = std::env::temp_dir().join(format!("redosim-shrink-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("early_ack.scn");
    let f = file.to_str().unwrap();
    let (code, out, err) = redosim(&["shrink", "--seed", "0", "--plant", "early-ack", "-o", f]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("INV-LOG-4") && out.contains("statements shrunk to"),
        "{out}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("# expect: INV-LOG-4\n# Shrunk failure: INV-LOG-4"),
        "{text}"
    );
    assert!(text.contains("# replay: redosim replay"), "{text}");
    let statements = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("set ") && !l.trim().is_empty())
        .count();
    assert!(statements <= 15, "{statements} statements:\n{text}");
    let (code, out, _) = redosim(&["replay", f]);
    assert_eq!(code, 1, "the failure replays: {out}");
    assert!(out.contains("VIOLATION INV-LOG-4"), "{out}");
    let off = dir.join("early_ack_off.scn");
    std::fs::write(&off, text.replace("set plant 'early-ack'\n", "")).unwrap();
    let (code, out, _) = redosim(&["replay", off.to_str().unwrap()]);
    assert_eq!(code, 0, "with the bug off every invariant holds: {out}");
}

#[test]
fn a_passing_seed_has_nothing_to_shrink() {
    let (code, _, err) = redosim(&["shrink", "--seed", "1", "-o", "/tmp/never-written.scn"]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to shrink"), "{err}");
}

#[test]
fn soak_saves_each_failure_shrunk_under_a_name_that_sorts_and_says_what_failed() {
    let dir = std::env::temp_dir().join(format!("redosim-found-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let (code, out, _) = redosim(&[
        "soak",
        "--seeds",
        "0..6",
        "--jobs",
        "2",
        "--plant",
        "reuse-unarchived",
        "--found-dir",
        d,
    ]);
    assert_eq!(code, 1, "{out}");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{out}");
    for f in &files {
        assert!(f.ends_with("-INV-LOG-1-reuse-unarchived.scn"), "{f}");
        assert!(
            out.contains(&format!("redosim replay {}", dir.join(f).display())),
            "the summary lists {f}:\n{out}"
        );
        let (code, replay, _) = redosim(&["replay", dir.join(f).to_str().unwrap()]);
        assert_eq!(code, 1, "{f} replays its failure: {replay}");
    }
}

/// A failing scenario file (here a printed run; a fuzzer's or a property
/// test's failure works the same) shrinks like a seed.
#[test]
fn a_failing_scenario_file_shrinks() {
    let dir = std::env::temp_dir().join(format!("redosim-shrink-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, printed, _) = redosim(&[
        "run",
        "--seed",
        "0",
        "--plant",
        "early-ack",
        "--print-scenario",
    ]);
    assert_eq!(code, 1);
    let big = dir.join("printed.scn");
    std::fs::write(&big, &printed).unwrap();
    let small = dir.join("small.scn");
    let (b, s) = (big.to_str().unwrap(), small.to_str().unwrap());
    let (code, out, err) = redosim(&["shrink", b, "-o", s]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("INV-LOG-4: 21 statements shrunk to"), "{out}");
    let text = std::fs::read_to_string(&small).unwrap();
    assert!(text.starts_with("# expect: INV-LOG-4\n"), "{text}");
    assert!(text.contains(&format!("# shrunk from: {b}")), "{text}");
    let statements = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("set ") && !l.trim().is_empty())
        .count();
    assert!(statements <= 6, "{statements} statements:\n{text}");
    let (code, out, _) = redosim(&["replay", s]);
    assert_eq!(code, 1, "the failure replays: {out}");

    // A scenario that holds has nothing to shrink; --plant needs --seed.
    let (code, _, err) = redosim(&[
        "shrink",
        "corpus/crash/clean_shutdown_no_fuzzy_bits.scn",
        "-o",
        s,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to shrink"), "{err}");
    let (code, _, err) = redosim(&["shrink", b, "--plant", "early-ack", "-o", s]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with '--plant <BUG>'"), "{err}");
}

/// Failures are grouped by signature; `--keep K` saves at most K shrunk
/// cases of each, and the summary names the smallest.
#[test]
fn soak_keeps_k_shrunk_cases_per_signature_and_names_the_smallest() {
    let dir = std::env::temp_dir().join(format!("redosim-keep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let soak = |keep: &str| {
        let _ = std::fs::remove_dir_all(&dir);
        let (code, out, err) = redosim(&[
            "soak",
            "--seeds",
            "0..12",
            "--jobs",
            "2",
            "--plant",
            "reuse-unarchived",
            "--found-dir",
            d,
            "--keep",
            keep,
        ]);
        assert_eq!(code, 1, "{out}{err}");
        let files = std::fs::read_dir(&dir).unwrap().count();
        (out, files)
    };
    let (out, files) = soak("1");
    let signatures = out.lines().filter(|l| l.starts_with("FAILED ")).count();
    assert!(signatures >= 1, "{out}");
    assert_eq!(files, signatures, "one case per signature:\n{out}");
    let failed: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("failed        "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        failed > signatures,
        "several failures share a signature:\n{out}"
    );
    assert!(out.contains("  smallest: redosim replay "), "{out}");
    assert!(out.contains("shrinking     "), "{out}");
    let (out, files) = soak("2");
    assert_eq!(files, 2 * signatures, "two cases per signature:\n{out}");
}
