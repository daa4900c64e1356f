//! redb on redosim's simulated disk: crash tests of the Rust embedded
//! database through its public `StorageBackend` trait, for redb 4.1.0 and
//! 4.2.0 compiled into one binary.
//!
//! - [`backend`]: `StorageBackend` over a [`redosim_disk::File`];
//! - [`engine`]: the two releases behind one trait;
//! - [`workload`]: a seed's write transactions and the reference model;
//! - [`run`]: one seed (workload, crash, power loss, reopen, check);
//! - [`shrink`]: fewer transactions, fewer fates.

pub mod backend;
pub mod engine;
pub mod run;
pub mod shrink;
pub mod workload;
