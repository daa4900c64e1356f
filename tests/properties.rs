//! Engine properties as proptest tests over plans (`sim::plan`): proptest
//! generates steps and fault plans, and shrinks a failing plan with its own
//! machinery to the smallest one that still fails. A failure prints the
//! shrunk plan and the scenario that replays it (`redosim replay FILE.scn`;
//! `redosim shrink FILE.scn -o small.scn` shrinks it further).
//!
//! Failures proptest found are kept in `tests/properties.proptest-regressions`
//! (committed) and run first. More cases: `PROPTEST_CASES=2000 cargo test
//! --release --test properties`; longer plans for the first property:
//! `REDOSIM_PLAN_STEPS=300`.

use std::collections::BTreeMap;

use engine::Plant;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use sim::plan::strategy::{self, resolution};
use sim::plan::{Plan, PlanOptions, Step, run_plan};
use sim::runner::RunSummary;
use sim::scenario::run_script;

/// A failing run, told as its violation and the scenario that replays it.
fn failure(s: &RunSummary) -> TestCaseError {
    let v = s.violation.as_ref().expect("a failing run has a violation");
    TestCaseError::fail(format!(
        "{} at step {}: {}\n--- the scenario that replays it ---\n{}",
        v.id, v.step, v.evidence, s.scenario
    ))
}

/// Plans of up to `n` steps, unless REDOSIM_PLAN_STEPS asks for longer ones.
fn max_steps(n: usize) -> usize {
    std::env::var("REDOSIM_PLAN_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}

/// `n` cases, unless PROPTEST_CASES asks for another number.
fn cases(n: u32) -> Config {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    Config::with_cases(n)
}

proptest! {
    #![proptest_config(cases(256))]

    /// Whatever the workload and the faults, every invariant holds at every
    /// crash, after every recovery, after every clean shutdown and at the end.
    #[test]
    fn every_invariant_holds_for_any_plan(plan in strategy::plan(max_steps(60))) {
        let s = run_plan(&plan, PlanOptions::default());
        if !s.passed() {
            return Err(failure(&s));
        }
    }
}

proptest! {
    #![proptest_config(cases(24))]

    /// A plan is a pure function: run twice, the same trace step by step.
    #[test]
    fn a_plan_runs_the_same_twice(plan in strategy::plan(30)) {
        let a = run_plan(&plan, PlanOptions::default());
        let b = run_plan(&plan, PlanOptions::default());
        prop_assert_eq!(a.trace_hash, b.trace_hash);
        prop_assert_eq!(a.step_hashes, b.step_hashes);
    }

    /// A plan's run printed as a scenario replays with the same trace: the
    /// power losses are pinned by `resolve`, nothing is left to a stream.
    #[test]
    fn a_plan_replays_as_its_scenario(plan in strategy::plan(30)) {
        let run = run_plan(&plan, PlanOptions { print_scenario: true, ..Default::default() });
        let replay = run_script("plan.scn", &run.scenario, false);
        prop_assert_eq!(
            replay.trace_hash, run.trace_hash,
            "the replay differs\n{}\n{}", run.scenario, replay.transcript()
        );
    }
}

/// One session's statements, without faults: what the reference model below
/// can follow.
fn one_session_step() -> impl Strategy<Value = Step> {
    let key = || 0u8..8;
    prop_oneof![
        4 => (key(), 0u16..100).prop_map(|(key, value)| Step::Insert { session: 0, key, value }),
        2 => (key(), 0u16..100).prop_map(|(key, value)| Step::Update { session: 0, key, value }),
        2 => key().prop_map(|key| Step::Delete { session: 0, key }),
        3 => Just(Step::Commit { session: 0 }),
        1 => Just(Step::Rollback { session: 0 }),
        1 => Just(Step::Checkpoint),
        1 => Just(Step::SwitchLogfile),
        2 => (0u8..8).prop_map(|buffers| Step::Dbwr { buffers }),
        1 => Just(Step::Archive),
        1 => resolution(64).prop_map(Step::PowerLoss),
    ]
}

/// The table an independent reference model expects after `steps` in one
/// session: committed changes stay, the open transaction is lost at a power
/// loss and rolled back by the final clean shutdown; a duplicate insert
/// (ORA-00001) and an update or delete of a missing row change nothing.
fn expected_rows(steps: &[Step]) -> Vec<(u64, String)> {
    let mut committed: BTreeMap<u64, String> = BTreeMap::new();
    let mut visible = committed.clone();
    for step in steps {
        match step {
            Step::Insert { key, value, .. } => {
                visible
                    .entry(u64::from(*key))
                    .or_insert_with(|| format!("v{value}"));
            }
            Step::Update { key, value, .. } => {
                if let Some(v) = visible.get_mut(&u64::from(*key)) {
                    *v = format!("v{value}");
                }
            }
            Step::Delete { key, .. } => {
                visible.remove(&u64::from(*key));
            }
            Step::Commit { .. } => committed = visible.clone(),
            Step::Rollback { .. } | Step::PowerLoss(_) => visible = committed.clone(),
            _ => {}
        }
    }
    committed.into_iter().collect()
}

proptest! {
    #![proptest_config(cases(64))]

    /// Durability and atomicity against a model that knows nothing of the
    /// engine: after power losses that apply, drop or garble any of the
    /// unsynced writes, table T holds exactly the committed changes.
    #[test]
    fn table_t_holds_exactly_the_committed_changes(
        config in strategy::plan_config(),
        steps in prop::collection::vec(one_session_step(), 0..40),
    ) {
        let plan = Plan { config, steps };
        let s = run_plan(&plan, PlanOptions { final_rows: true, print_scenario: true, ..Default::default() });
        if !s.passed() {
            return Err(failure(&s));
        }
        let expected = expected_rows(&plan.steps);
        prop_assert_eq!(
            s.final_rows.as_deref(),
            Some(expected.as_slice()),
            "{}", s.scenario
        );
    }
}

/// The canary for the machinery itself: with a planted bug switched on, a
/// property over random plans must fail with one of the invariants
/// INVARIANTS.md names for the bug, and proptest must shrink the plan to a
/// few steps that fail the same way with the bug and pass without it.
///
/// proptest shrinks one element at a time, so it can stop in a local
/// minimum (a crash point whose I/O count only fits the steps around it);
/// `redosim shrink` (ddmin over the printed scenario) goes further.
#[test]
fn proptest_finds_and_shrinks_planted_bugs() {
    for (plant, expected) in [
        (
            Plant::SkipWal,
            // A block written ahead of its redo is newer than anything the
            // recovered redo knows: INV-FUZZY-3 or INV-BLK-3 can see it first.
            &["INV-DATA-2", "INV-DATA-1", "INV-BLK-3", "INV-FUZZY-3"][..],
        ),
        (Plant::EarlyAck, &["INV-LOG-4", "INV-DATA-1"]),
        (Plant::CkptBeforeWrite, &["INV-CKPT-3", "INV-DATA-1"]),
        (
            Plant::IgnoreTail,
            &["INV-BLK-1", "INV-DATA-1", "INV-DATA-2"],
        ),
        (Plant::ReuseUnarchived, &["INV-LOG-1", "INV-DATA-1"]),
    ] {
        let config = Config {
            cases: 1000,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let buggy = |plan: &Plan| {
            run_plan(
                plan,
                PlanOptions {
                    plant: Some(plant),
                    ..Default::default()
                },
            )
        };
        let result = runner.run(&strategy::plan(40), |plan| match buggy(&plan).violation {
            Some(v) => Err(TestCaseError::fail(v.id)),
            None => Ok(()),
        });
        let Err(TestError::Fail(id, plan)) = result else {
            panic!("{plant:?}: no plan failed ({result:?})");
        };
        eprintln!("{plant:?}: {id} in {} steps: {plan:?}", plan.steps.len());
        assert!(
            expected.contains(&id.message()),
            "{plant:?} failed with {id}, not one of {expected:?}"
        );
        assert!(
            plan.steps.len() <= 12,
            "{plant:?} shrank only to {} steps: {plan:#?}",
            plan.steps.len()
        );
        let again = buggy(&plan).violation.map(|v| v.id);
        assert_eq!(again.as_deref(), Some(id.message()), "{plan:#?}");
        assert!(
            run_plan(&plan, PlanOptions::default()).passed(),
            "{plant:?}: the shrunk plan fails without the bug: {plan:#?}"
        );
    }
}

#[test]
fn the_reference_model_follows_the_statements() {
    let ins = |key, value| Step::Insert {
        session: 0,
        key,
        value,
    };
    let commit = Step::Commit { session: 0 };
    let steps = [
        ins(1, 1),
        ins(1, 2), // ORA-00001: the row is there
        commit.clone(),
        Step::Update {
            session: 0,
            key: 1,
            value: 3,
        },
        ins(2, 4),
        Step::PowerLoss(Default::default()),
        ins(3, 5),
        Step::Delete { session: 0, key: 1 },
        commit,
        ins(4, 6),
    ];
    assert_eq!(expected_rows(&steps), vec![(3, "v5".to_string())]);
}
