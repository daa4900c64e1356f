//! System change numbers and the simulated clock.

/// A system change number: orders every change and commit (S-INST-2).
pub type Scn = u64;

/// Simulated time in seconds since the simulated epoch. The engine never reads
/// a real clock (S-DISK-5): time comes in through the API.
pub type SimTime = u64;

/// An Oracle RBA: where in a thread's redo a record starts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Rba {
    /// Log sequence number.
    pub seq: u32,
    /// Redo block within the log (block 0 is the log header).
    pub block: u32,
}

impl std::fmt::Display for Rba {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "logseq {}, block {}", self.seq, self.block)
    }
}
