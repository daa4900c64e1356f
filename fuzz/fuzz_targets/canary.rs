//! Fuzz target `canary`: the `plan` target with a planted bug switched on,
//! `ckpt-before-write` (CKPT advances the datafile headers' checkpoint SCN
//! before DBWn wrote the blocks it covers), which INV-CKPT-3 must catch:
//! a block on disk older than a change below its file's checkpoint SCN.
//!
//! This target MUST crash, and quickly: it checks that the fuzzer, the plan
//! encoding and the invariants together still find a known bug. `.ci/run`
//! fails when a short run of it finds nothing. From the seeds in
//! corpus/fuzz/canary/ (none of which fails) libFuzzer finds it in about a
//! second; from an empty corpus in about ten. (`early-ack` was tried first:
//! it needs insert, commit and a power loss in a row with no flush between,
//! and took from one to over sixty seconds.)
#![no_main]

use engine::Plant;
use libfuzzer_sys::fuzz_target;
use sim::plan::Plan;

fuzz_target!(|plan: Plan| redosim_fuzz::check(plan, Some(Plant::CkptBeforeWrite)));
