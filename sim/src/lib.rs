//! The redosim simulator.
pub mod disk;
pub mod rng;
