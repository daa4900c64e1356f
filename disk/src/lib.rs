//! redosim-disk: a simulated disk with the durability contract of a real one,
//! for deterministic crash testing of storage engines.
//!
//! Files live in memory. Every write, length change and name change is
//! *pending* until the matching sync, as in a kernel's page cache and
//! journal; a power loss decides, from a seed or from explicit fates, which
//! pending changes reached the medium. The engine under test reads and writes
//! through [`SharedDisk`] and [`File`] (shaped like `std::fs`); the harness
//! arms a crash at the k-th I/O, loses the power, reopens the engine and
//! checks what survived. The same seed gives the same disk, bit for bit.
//!
//! The model, with the Linux cases each rule follows, is documented in
//! [`disk`]; device profiles (what a medium promises) in [`profile`].
//!
//! # Example
//!
//! A toy engine that appends records and syncs, crashed at its fourth I/O:
//!
//! ```
//! use redosim_disk::{Disk, Fates, IoErrorKind, SharedDisk, SizeFate};
//!
//! let disk = SharedDisk::new(Disk::new(512));
//! let log = disk.create_new("/db/log")?;
//! disk.sync_dir("/db")?; // the name is durable
//! log.write_all_at(b"record 1", 0)?;
//! log.sync_data()?; // record 1 is durable
//!
//! disk.lock().arm_crash(2); // the second I/O from now loses the power
//! log.write_all_at(b"record 2", 8)?; // pending: one OS block, one length change
//! let crash = log.sync_data().unwrap_err(); // the sync never happens
//! assert_eq!(crash.kind, IoErrorKind::PowerLost);
//!
//! // The OS block landed, the length change did not: record 2 is gone.
//! let fates = Fates::parse("al", 0).unwrap();
//! let report = disk.lock().power_loss_resolved(&fates);
//! assert_eq!(report.fates_string(), "al");
//! assert_eq!(report.sizes[0].fate, SizeFate::Lost);
//!
//! let log = disk.open("/db/log")?; // handles die with the power: reopen
//! assert_eq!(log.len()?, 8);
//! let mut record = [0u8; 8];
//! log.read_exact_at(&mut record, 0)?;
//! assert_eq!(&record, b"record 1");
//!
//! // Or let a seed decide: the same seed, the same fates.
//! let mut a = disk.lock().clone();
//! a.write_at("/db/log", 8, b"record 2")?;
//! let mut b = a.clone();
//! assert_eq!(a.power_loss_seeded(7), b.power_loss_seeded(7));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// The README's example, compiled and run as a test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExample;

pub mod disk;
pub mod error;
pub mod file;
pub mod prng;
pub mod profile;

pub use disk::{
    Disk, DiskStats, FILE_SIZE_MAX, Fate, FateWeights, Fates, IoKind, IoRecord, PAGE_SIZE,
    PowerLossReport, ResolvedSize, ResolvedWrite, SizeFate,
};
pub use error::{IoError, IoErrorKind, IoResult};
pub use file::{File, ReadPastEnd, SharedDisk};
pub use prng::Prng;
pub use profile::Profile;
