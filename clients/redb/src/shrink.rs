//! Shrinking a finding: fewer transactions, fewer fates.
//!
//! A failing seed becomes an explicit case (its transactions, crash point and
//! fates), which replays bit for bit. Then, each step kept only if the replay
//! still fails the same way ([`Finding::same_as`]):
//!
//! 1. the transactions after the one the crash interrupted go (they never ran);
//! 2. each earlier transaction is dropped in turn, the crash point moved to
//!    the same I/O of the interrupted transaction, in passes until one drops
//!    nothing;
//! 3. each fate that is not the default (`d`, `g`: not applied; `l`: length
//!    lost) is set to the default (`a`, `k`) in turn, and the trailing
//!    defaults are left off the printed string (missing fates are defaults).
//!
//! Replays are bounded by a budget; what is left is a one-line replay.

use redosim_disk::Fates;

use crate::engine::Engine;
use crate::run::{self, Case, Finding, Outcome};

/// A shrunk finding.
#[derive(Debug, Clone)]
pub struct Shrunk {
    pub case: Case,
    pub outcome: Outcome,
    /// The fates as printed: the shortest prefix holding every non-default letter.
    pub fates: String,
    pub replays: usize,
}

/// How many replays a shrink may spend.
pub const REPLAYS_MAX: usize = 400;

/// Shrinks a failing `case`, whose run gave `outcome`.
pub fn shrink<E: Engine>(case: &Case, outcome: &Outcome) -> Shrunk {
    let finding = outcome.finding.clone().expect("a failing outcome");
    let mut replays = 0;
    let mut best = Case {
        txns: Some(case.workload().iter().map(|t| t.index).collect()),
        crash_at: Some(outcome.crash_at),
        fates: Some(outcome.report.fates()),
        ..case.clone()
    };
    let mut best_outcome = outcome.clone();
    let mut try_case = |candidate: Case, best: &mut Case, best_outcome: &mut Outcome| -> bool {
        if replays >= REPLAYS_MAX {
            return false;
        }
        replays += 1;
        let result = run::run::<E>(&candidate);
        let same = result.finding.as_ref().is_some_and(|f| f.same_as(&finding));
        if same {
            *best = candidate;
            *best_outcome = result;
        }
        same
    };

    // 1. and 2.: fewer transactions.
    if let Some(crashed) = crashed_txn(&best_outcome) {
        let offset = best_outcome.crash_at - best_outcome.txn_starts[crashed];
        let mut keep = best.txns.clone().expect("explicit");
        if keep.len() > crashed + 1 {
            keep.truncate(crashed + 1);
            let candidate = Case {
                txns: Some(keep),
                ..best.clone()
            };
            try_case(candidate, &mut best, &mut best_outcome);
        }
        let mut position = crashed_txn(&best_outcome).unwrap_or(0);
        // Passes from the crash backwards, until one removes nothing.
        loop {
            let before = position;
            let mut i = position;
            while i > 0 {
                i -= 1;
                let mut keep = best.txns.clone().expect("explicit");
                keep.remove(i);
                let mut candidate = Case {
                    txns: Some(keep),
                    ..best.clone()
                };
                let starts = txn_starts::<E>(&candidate);
                candidate.crash_at = Some(starts[position - 1] + offset);
                if try_case(candidate, &mut best, &mut best_outcome) {
                    position -= 1;
                }
            }
            if position == before || position == 0 {
                break;
            }
        }
    }

    // 3. fewer fates.
    let mut letters: Vec<char> = best_outcome.report.fates_string().chars().collect();
    for i in 0..letters.len() {
        let default = match letters[i] {
            'd' | 'g' => 'a',
            'l' => 'k',
            _ => continue,
        };
        let mut candidate_letters = letters.clone();
        candidate_letters[i] = default;
        let text: String = candidate_letters.iter().collect();
        let candidate = Case {
            fates: Some(fates(&text, &best)),
            ..best.clone()
        };
        if try_case(candidate, &mut best, &mut best_outcome) {
            letters = candidate_letters;
        }
    }
    let last = letters.iter().rposition(|c| !matches!(c, 'a' | 'k'));
    let printed: String = letters[..last.map_or(0, |l| l + 1)].iter().collect();
    // Missing fates are the defaults: the short string means the same.
    best.fates = Some(fates(&printed, &best));
    Shrunk {
        case: best,
        outcome: best_outcome,
        fates: printed,
        replays,
    }
}

/// The index (in the case's list) of the transaction the crash interrupted.
pub fn crashed_txn(outcome: &Outcome) -> Option<usize> {
    outcome
        .txn_starts
        .iter()
        .rposition(|&start| start < outcome.crash_at)
}

/// The counted I/O at which each of the case's transactions begins (a dry run).
fn txn_starts<E: Engine>(case: &Case) -> Vec<u64> {
    run::dry_run::<E>(case, &case.workload()).txn_starts
}

fn fates(letters: &str, case: &Case) -> Fates {
    let namespace_kept = case.fates.as_ref().map_or(usize::MAX, |f| f.namespace_kept);
    Fates::parse(letters, namespace_kept).expect("fate letters")
}

/// The finding a shrink must keep, for callers that print it.
pub fn finding(shrunk: &Shrunk) -> &Finding {
    shrunk
        .outcome
        .finding
        .as_ref()
        .expect("a shrunk finding fails")
}
