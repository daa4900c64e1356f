//! The trace of a run: alert-log lines and the simulator's own actions, each
//! stamped with the step and SCN, and with `--trace` emitted through
//! `tracing` (target `redosim::trace`).
//!
//! The running hash (INV-DET-1) covers what the engine and the disk did:
//! every alert-log line with its SCN, and how every power loss resolved. It
//! leaves out step numbers and the simulator's own notes (statements, DBA
//! remarks), so a random run and the scenario printed from it, which number
//! and word their steps differently, hash the same when they do the same.

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

    /// A line of what the engine or the disk did: hashed and shown.
    pub fn line(&mut self, step: usize, scn: u64, text: &str) {
        self.hash = fnv1a(&scn.to_le_bytes(), self.hash);
        self.hash = fnv1a(text.as_bytes(), self.hash);
        self.show(step, scn, text);
    }

    /// A line of what the disk did, hashed without its SCN (no instance
    /// runs when the power fails, so the SCN shown is only the last seen).
    pub fn event(&mut self, step: usize, scn: u64, text: &str) {
        self.hash = fnv1a(text.as_bytes(), self.hash);
        self.show(step, scn, text);
    }

    /// A note of the simulator's own (a statement, a DBA remark): shown only.
    pub fn note(&mut self, step: usize, scn: u64, text: &str) {
        self.show(step, scn, text);
    }

    fn show(&mut self, step: usize, scn: u64, text: &str) {
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
