//! The redb growth bug (fixed in redb 4.2.0 by commit fd82cedb), as the
//! simulated disk finds it.
//!
//! postmortem: redb's `grow()` extended the file with `set_len` and did not
//! sync it; the next commit wrote its header, whose layout fields (shared by
//! both commit slots) record the new length, and synced later. A power loss
//! that kept the header but lost the extension left a file shorter than its
//! header's layout, and every later open panicked at
//! `storage.raw_file_len()? >= header.layout().len()`. 4.2.0 syncs right
//! after `resize` in `grow()`. The bug needs a volatile file length: on a disk
//! whose lengths are durable at once, the same seeds pass.

use redosim_disk::{Fates, Profile};
use redosim_redb::engine::{Redb41, Redb42};
use redosim_redb::run::{Case, Finding, run};
use redosim_redb::shrink::shrink;

/// The first failing seed of 4.1.0 on the redb profile.
const SEED: u64 = 56;
const GROWTH_ASSERTION: &str = "storage.raw_file_len()? >= header.layout().len()";

fn is_growth_bug(finding: &Option<Finding>) -> bool {
    matches!(finding, Some(Finding::PanicAtOpen(m)) if m.contains(GROWTH_ASSERTION))
}

#[test]
fn redb_4_1_0_fails_on_a_lost_extension_and_the_seed_replays() {
    let case = Case::new(SEED, Profile::redb());
    let outcome = run::<Redb41>(&case);
    assert!(is_growth_bug(&outcome.finding), "{outcome:?}");
    let lost = outcome
        .report
        .sizes
        .iter()
        .filter(|s| s.len_to > s.len_from);
    assert_eq!(lost.count(), 1, "one pending extension");
    assert_eq!(
        run::<Redb41>(&case).trace_hash(),
        outcome.trace_hash(),
        "deterministic"
    );
    // The explicit case replays it exactly.
    let explicit = Case {
        crash_at: Some(outcome.crash_at),
        fates: Some(outcome.report.fates()),
        ..case.clone()
    };
    assert_eq!(run::<Redb41>(&explicit), outcome);
    // Keeping the extension instead, the same crash image opens.
    let mut fates = outcome.report.fates();
    fates.sizes = vec![redosim_disk::SizeFate::Kept; fates.sizes.len()];
    let kept = run::<Redb41>(&Case {
        fates: Some(fates),
        ..explicit
    });
    assert_eq!(kept.finding, None);
}

#[test]
fn the_finding_shrinks_to_one_lost_length_and_fewer_transactions() {
    let case = Case::new(SEED, Profile::redb());
    let outcome = run::<Redb41>(&case);
    let shrunk = shrink::<Redb41>(&case, &outcome);
    assert!(is_growth_bug(&shrunk.outcome.finding));
    assert!(
        shrunk.outcome.txns < outcome.txns,
        "{} of {}",
        shrunk.outcome.txns,
        outcome.txns
    );
    assert_eq!(shrunk.fates, "l", "all else applied and kept");
    // What the replay line prints fails the same.
    let replay = Case {
        fates: Some(Fates::parse(&shrunk.fates, usize::MAX).unwrap()),
        ..shrunk.case.clone()
    };
    assert!(is_growth_bug(&run::<Redb41>(&replay).finding));
}

#[test]
fn redb_4_2_0_holds_and_lengths_durable_at_once_hide_the_bug() {
    for seed in 0..120 {
        let case = Case::new(seed, Profile::redb());
        let fixed = run::<Redb42>(&case);
        assert_eq!(fixed.finding, None, "4.2.0, seed {seed}");
    }
    let naive = Case::new(SEED, Profile::lengths_durable());
    assert_eq!(run::<Redb41>(&naive).finding, None);
}
