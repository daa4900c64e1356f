//! proptest strategies for plans: steps, fault plans, configurations.
//!
//! A property over [`plan`]s fails with a plan that proptest then shrinks
//! with its own machinery: steps are removed, numbers move toward zero
//! (the smallest configuration, the first session, key 0, an early crash),
//! fates move toward `Applied` and fate lists shrink (writes beyond the
//! list are applied), so a shrunk plan is the smallest story that still
//! fails. [`crate::plan::run_plan`] prints a failing plan as a scenario.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::{Plan, PlanConfig, Resolution, Step};
use crate::disk::Fate;

/// The fate of one pending OS-block write; shrinks toward `Applied`.
pub fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        4 => Just(Fate::Applied),
        4 => Just(Fate::Dropped),
        1 => Just(Fate::Garbage),
    ]
}

/// How a power loss resolves: up to `max_writes` explicit fates and,
/// sometimes, a prefix of the pending namespace changes.
pub fn resolution(max_writes: usize) -> impl Strategy<Value = Resolution> {
    (vec(fate(), 0..=max_writes), option::weighted(0.2, 0u8..6)).prop_map(
        |(fates, namespace_kept)| Resolution {
            fates,
            namespace_kept,
        },
    )
}

/// Any configuration a plan may run on; shrinks toward the smallest one.
pub fn plan_config() -> impl Strategy<Value = PlanConfig> {
    (
        (0u8..4, any::<bool>(), 0u8..3, 0u8..3, 0u8..3),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0u8..61,
            0u8..64,
        ),
    )
        .prop_map(
            |(
                (
                    db_block_size,
                    os_block_4k,
                    extra_log_groups,
                    extra_log_members,
                    extra_control_files,
                ),
                (
                    archivelog,
                    torn_block_protection,
                    garbage_on_power_loss,
                    extra_cache_buffers,
                    extra_log_blocks,
                ),
            )| PlanConfig {
                db_block_size,
                os_block_4k,
                extra_log_groups,
                extra_log_members,
                extra_control_files,
                archivelog,
                torn_block_protection,
                garbage_on_power_loss,
                extra_cache_buffers,
                extra_log_blocks,
            },
        )
}

/// A workload step over `keys` keys and three sessions (no faults, no
/// shutdowns).
pub fn workload_step(keys: u8) -> impl Strategy<Value = Step> {
    let key = move || 0..keys.max(1);
    let session = || 0u8..3;
    prop_oneof![
        6 => (session(), key(), 0u16..1000)
            .prop_map(|(session, key, value)| Step::Insert { session, key, value }),
        3 => (session(), key(), 0u16..1000)
            .prop_map(|(session, key, value)| Step::Update { session, key, value }),
        2 => (session(), key()).prop_map(|(session, key)| Step::Delete { session, key }),
        5 => session().prop_map(|session| Step::Commit { session }),
        1 => session().prop_map(|session| Step::Rollback { session }),
        1 => Just(Step::Checkpoint),
        1 => Just(Step::SwitchLogfile),
        2 => (0u8..8).prop_map(|buffers| Step::Dbwr { buffers }),
        1 => Just(Step::Archive),
    ]
}

/// A fault: a shutdown, a power loss now or at a later I/O (maybe inside
/// a recovery), the loss of a log member or of a control-file copy.
pub fn fault_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => resolution(48).prop_map(Step::PowerLoss),
        3 => (0u8..64, resolution(48))
            .prop_map(|(io, resolution)| Step::CrashAfter { io, resolution }),
        1 => (0u8..64, resolution(48))
            .prop_map(|(io, resolution)| Step::CrashInNextRecovery { io, resolution }),
        1 => Just(Step::ShutdownAbort),
        1 => Just(Step::ShutdownImmediate),
        1 => any::<u8>().prop_map(|pick| Step::LoseLogMember { pick }),
        1 => any::<u8>().prop_map(|pick| Step::LoseControlFile { pick }),
    ]
}

/// Any step: mostly workload, sometimes a fault.
pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => workload_step(24),
        1 => fault_step(),
    ]
}

/// A plan of up to `max_steps` steps on any configuration.
pub fn plan(max_steps: usize) -> impl Strategy<Value = Plan> {
    (plan_config(), vec(step(), 0..=max_steps)).prop_map(|(config, steps)| Plan { config, steps })
}
