//! What the fuzz targets in `fuzz_targets/` share: bounding a plan so that
//! one input runs in milliseconds, and running it with every invariant
//! checked, panicking with a replayable scenario on a violation.
//!
//! A panic inside the engine or the simulator itself (which `redosim run`
//! reports as INV-REC-1) aborts the fuzzer at once through libfuzzer-sys's
//! panic hook, with the panic's message and backtrace instead of a scenario;
//! `cargo fuzz run --sanitizer none TARGET ARTIFACT` replays it.

use sim::plan::{Plan, PlanOptions, Step, run_plan};

/// Steps of a plan beyond this are dropped.
pub const MAX_STEPS: usize = 48;

/// Fates of a power loss's resolution beyond this are dropped (the writes
/// beyond the list are applied).
pub const MAX_FATES: usize = 64;

/// Bounds a plan from the fuzzer so that it runs in milliseconds: at most
/// [`MAX_STEPS`] steps, at most [`MAX_FATES`] fates per resolution.
pub fn bound(mut plan: Plan) -> Plan {
    plan.steps.truncate(MAX_STEPS);
    for step in &mut plan.steps {
        match step {
            Step::PowerLoss(r)
            | Step::CrashAfter { resolution: r, .. }
            | Step::CrashInNextRecovery { resolution: r, .. } => r.fates.truncate(MAX_FATES),
            _ => {}
        }
    }
    plan
}

/// Runs `plan` (bounded) with `plant` switched on, checking every invariant
/// at every crash, after every recovery, after every clean shutdown and at
/// the end. On a violation, panics with the invariant, its evidence and the
/// run printed as a scenario that `redosim replay FILE.scn` replays.
pub fn check(plan: Plan, plant: Option<engine::Plant>) {
    let plan = bound(plan);
    let summary = run_plan(
        &plan,
        PlanOptions {
            plant,
            ..Default::default()
        },
    );
    if let Some(v) = summary.violation {
        panic!(
            "VIOLATION {} at step {}\n  {}\n\
             --- scenario: save it as FILE.scn and run `redosim replay FILE.scn` \
             (`redosim shrink FILE.scn -o small.scn` shrinks it) ---\n\
             {}--- end of scenario ---",
            v.id, v.step, v.evidence, summary.scenario
        );
    }
}
