//! redosim-disk: a simulated disk with the durability contract of a real one.
//!
//! See [`disk`] for the model and the faults it can inject.

pub mod disk;
pub mod error;
pub mod prng;

pub use disk::{
    Disk, DiskStats, FILE_SIZE_MAX, Fate, FateWeights, PAGE_SIZE, PowerLossReport, ResolvedWrite,
};
pub use error::{IoError, IoErrorKind, IoResult};
pub use prng::Prng;
