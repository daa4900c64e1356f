//! Fuzz target `plan`: the fuzzer's bytes become a [`Plan`] (a small database
//! configuration and up to 48 steps of workload, checkpoints, log switches,
//! DBWn and ARCn passes, shutdowns, power losses with every pending write's
//! fate spelled out, crashes inside recovery, lost log members and lost
//! control-file copies), run on the real engine with no planted bug.
//!
//! It checks every invariant: `run_plan` checks all of them at every crash,
//! after every recovery, after every clean shutdown and at the end. Any
//! violation is a real bug in the engine or the simulator; the crash report
//! holds the invariant, its evidence and the failing run as a scenario that
//! `redosim replay FILE.scn` replays.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sim::plan::Plan;

fuzz_target!(|plan: Plan| redosim_fuzz::check(plan, None));
