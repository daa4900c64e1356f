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

/// What a trace line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The engine's alert log.
    Alert,
    /// What the disk did (a power loss and how it resolved).
    Disk,
    /// The simulator's own note: a statement, a fault, a DBA remark.
    Note,
    /// A check that held (kept for the report only, [`Trace::mark`]).
    Check,
}

/// One line of a run's trace, kept when asked ([`Trace::keep_lines`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    pub step: usize,
    pub scn: u64,
    pub kind: LineKind,
    pub text: String,
}

#[derive(Debug)]
pub struct Trace {
    hash: u64,
    /// The running hash at the end of each step.
    pub per_step: Vec<u64>,
    emit: bool,
    lines: u64,
    /// Every line, when kept (for `redosim report`; off in soaks).
    kept: Option<Vec<TraceLine>>,
}

impl Trace {
    pub fn new(emit: bool) -> Trace {
        Trace {
            hash: FNV_OFFSET,
            per_step: Vec::new(),
            emit,
            lines: 0,
            kept: None,
        }
    }

    /// Keeps every line from now on ([`Trace::take_lines`]).
    pub fn keep_lines(&mut self) {
        self.kept = Some(Vec::new());
    }

    /// The lines kept so far (none unless [`Trace::keep_lines`]).
    pub fn take_lines(&mut self) -> Vec<TraceLine> {
        self.kept.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// A line of what the engine or the disk did: hashed and shown.
    pub fn line(&mut self, step: usize, scn: u64, text: &str) {
        self.hash = fnv1a(&scn.to_le_bytes(), self.hash);
        self.hash = fnv1a(text.as_bytes(), self.hash);
        self.show(step, scn, LineKind::Alert, text);
    }

    /// A line of what the disk did, hashed without its SCN (no instance
    /// runs when the power fails, so the SCN shown is only the last seen).
    pub fn event(&mut self, step: usize, scn: u64, text: &str) {
        self.hash = fnv1a(text.as_bytes(), self.hash);
        self.show(step, scn, LineKind::Disk, text);
    }

    /// A note of the simulator's own (a statement, a DBA remark): shown only.
    pub fn note(&mut self, step: usize, scn: u64, text: &str) {
        self.show(step, scn, LineKind::Note, text);
    }

    fn show(&mut self, step: usize, scn: u64, kind: LineKind, text: &str) {
        self.lines += 1;
        if let Some(kept) = &mut self.kept {
            kept.push(TraceLine {
                step,
                scn,
                kind,
                text: text.to_string(),
            });
        }
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

    /// A line kept for the report only: neither hashed nor shown (a check
    /// that held).
    pub fn mark(&mut self, step: usize, scn: u64, text: &str) {
        if let Some(kept) = &mut self.kept {
            kept.push(TraceLine {
                step,
                scn,
                kind: LineKind::Check,
                text: text.to_string(),
            });
        }
    }

    /// Whether lines are kept ([`Trace::keep_lines`]).
    pub fn keeping(&self) -> bool {
        self.kept.is_some()
    }

    /// Whether lines are emitted (callers skip formatting work otherwise).
    pub fn emitting(&self) -> bool {
        self.emit || self.kept.is_some()
    }

    pub fn end_step(&mut self) {
        self.per_step.push(self.hash);
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }
}
