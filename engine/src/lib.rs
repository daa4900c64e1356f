//! An Oracle-style database engine, built to be crashed.
//!
//! The engine does all its I/O through [`storage::Storage`], owns no
//! randomness and no clock, and runs its background processes (LGWR, DBWn,
//! CKPT, ARCn, SMON) as deterministic steps inside the calls made to it.
//! See `docs/DESIGN.md` for the layout and for every place where this model
//! is simpler than the real database. Modules are named after the things in
//! SPEC.md.
pub mod block;
pub mod cache;
pub mod cfrecovery;
pub mod controlfile;
pub mod create;
pub mod datafile;
pub mod error;
pub mod inspect;
pub mod instance;
pub mod media;
pub mod params;
pub mod recovery;
pub mod redo;
pub mod resetlogs;
pub mod scn;
pub mod storage;
pub mod tablespace;
pub mod txn;
pub mod views;

pub use error::{DbError, DbResult, OraError, OraStack};
pub use instance::{AlertLine, DbState, Instance, ShutdownMode, row_home};
pub use params::{DbParams, Plant};
