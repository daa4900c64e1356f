//! The redosim simulator: a seeded run drives the engine on a simulated
//! disk, injects power losses and file losses, recovers as a DBA would and
//! checks every invariant after every recovery.
pub mod cli;
pub mod config;
/// The simulated disk: the `redosim-disk` crate.
pub use redosim_disk as disk;
pub mod incomplete;
pub mod media;
pub mod plan;
pub mod planner;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod script;
pub mod shrink;
pub mod trace;
