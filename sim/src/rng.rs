//! The run's one source of randomness.
//!
//! Every random choice of a run comes from a [`Prng`] derived from the run's
//! seed. Each subsystem (configuration, workload, faults, power loss, planner)
//! gets its own stream derived *by name* from the seed, so adding a draw in one
//! subsystem does not reshuffle the others.
//!
//! The generator itself lives in the disk crate (`redosim_disk::prng`), which
//! draws power-loss fates from it; it is re-exported here unchanged.

pub use redosim_disk::prng::{FNV_OFFSET, Prng, fnv1a};
