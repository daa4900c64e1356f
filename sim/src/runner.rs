//! The runner: one seed, start to end.
//!
//! STUB: the types below are the public contract; `run_seed` is being
//! written. Do not rely on its current output.

use engine::Plant;
use serde::Serialize;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub seed: u64,
    /// Workload steps (default: the configuration's own count).
    pub steps: Option<usize>,
    pub plant: Option<Plant>,
    /// Emit the alert-log trace through `tracing` (info level, target "redosim::trace").
    pub trace: bool,
}

/// An invariant that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationReport {
    /// e.g. "INV-DATA-1".
    pub id: String,
    pub evidence: String,
    /// The step of the run where it was seen.
    pub step: usize,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub seed: u64,
    pub plant: Option<String>,
    pub steps: usize,
    pub crashes: usize,
    pub recoveries: usize,
    pub checks: usize,
    pub trace_hash: u64,
    /// A one-line description of the swarm configuration.
    pub config: String,
    pub violation: Option<ViolationReport>,
}

impl RunSummary {
    pub fn passed(&self) -> bool {
        self.violation.is_none()
    }
    /// The command that reproduces this run.
    pub fn repro_command(&self) -> String {
        match &self.plant {
            Some(p) => format!("redosim run --seed {} --plant {p} --trace", self.seed),
            None => format!("redosim run --seed {} --trace", self.seed),
        }
    }
}

/// Runs one seed.
pub fn run_seed(opts: &RunOptions) -> RunSummary {
    RunSummary {
        seed: opts.seed,
        plant: opts.plant.map(|p| p.name().to_string()),
        steps: opts.steps.unwrap_or(100),
        crashes: 0,
        recoveries: 0,
        checks: 0,
        trace_hash: opts.seed,
        config: String::new(),
        violation: None,
    }
}
