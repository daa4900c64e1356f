//! The trace of a run: alert-log lines and the simulator's own actions, each
//! stamped with the step and SCN, folded into a running hash (INV-DET-1) and,
//! with `--trace`, emitted through `tracing` (target `redosim::trace`).

use crate::rng::{FNV_OFFSET, fnv1a};

#[derive(Debug)]
pub struct Trace {
    hash: u64,
    /// The running hash at the end of each step.
    pub per_step: Vec<u64>,
    emit: bool,
    lines: u64,
}

impl Trace {
    pub fn new(emit: bool) -> Trace {
        Trace {
            hash: FNV_OFFSET,
            per_step: Vec::new(),
            emit,
            lines: 0,
        }
    }

    /// One line of the trace.
    pub fn line(&mut self, step: usize, scn: u64, text: &str) {
        self.hash = fnv1a(&(step as u64).to_le_bytes(), self.hash);
        self.hash = fnv1a(&scn.to_le_bytes(), self.hash);
        self.hash = fnv1a(text.as_bytes(), self.hash);
        self.lines += 1;
        if self.emit {
            for (i, l) in text.lines().enumerate() {
                if i == 0 {
                    tracing::info!(target: "redosim::trace", "[step {step:>4} scn {scn:>6}] {l}");
                } else {
                    tracing::info!(target: "redosim::trace", "                         {l}");
                }
            }
        }
    }

    /// Whether lines are emitted (callers skip formatting work otherwise).
    pub fn emitting(&self) -> bool {
        self.emit
    }

    pub fn end_step(&mut self) {
        self.per_step.push(self.hash);
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }
}
