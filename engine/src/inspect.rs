//! Read-only views of the database for the invariants and for V$ views.
//!
//! Two kinds: views of a live instance (its SCN, its control file in memory,
//! table T through the cache), and views of the files on a storage, read
//! without trusting the engine's bookkeeping (headers, blocks, logs and
//! control-file copies as they are on disk).

use crate::block::{Block, Corruption};
use crate::controlfile::{self, ControlFile, CopyState};
use crate::datafile::{self, DatafileHeader, HeaderError};
use crate::instance::{DbState, Instance};
use crate::params::DbParams;
use crate::redo::{self, LogContents, LogReadError};
use crate::scn::Scn;
use crate::storage::{IoResult, Storage};

impl<S: Storage> Instance<S> {
    /// The control file as the mounted instance holds it.
    pub fn controlfile(&self) -> Option<&ControlFile> {
        self.cf.as_ref()
    }
    /// Whether the thread is open in the instance's control file.
    pub fn is_open(&self) -> bool {
        self.state == DbState::Open
    }
    /// The number of sessions with an open transaction.
    pub fn open_transactions(&self) -> usize {
        self.txns.len()
    }
}

/// Every control-file copy named by the parameters, as on disk.
pub fn controlfile_copies<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Vec<(String, CopyState)>> {
    p.control_files
        .iter()
        .map(|c| Ok((c.clone(), controlfile::read_copy(io, c)?)))
        .collect()
}

/// The newest valid control-file copy on disk, if any.
pub fn newest_controlfile<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Option<ControlFile>> {
    // Decode the copies highest claimed version first: once a decoded copy
    // is at least what every remaining copy claims, none can beat it.
    let mut claims = Vec::new();
    for c in &p.control_files {
        claims.push((controlfile::claimed_version(io, c)?, c));
    }
    claims.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut best: Option<ControlFile> = None;
    for (claim, c) in claims {
        if best
            .as_ref()
            .is_some_and(|b| b.version >= claim.unwrap_or(0))
        {
            break;
        }
        if let CopyState::Valid(cf) = controlfile::read_copy(io, c)?
            && best.as_ref().is_none_or(|b| cf.version > b.version)
        {
            best = Some(*cf);
        }
    }
    Ok(best)
}

/// A datafile header as on disk.
pub fn datafile_header<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    file_no: u32,
) -> IoResult<Result<DatafileHeader, HeaderError>> {
    let f = p.datafile(file_no).expect("datafile in parameters");
    datafile::read_header(io, &f.path, file_no, p.db_block_size)
}

/// Every data block of a datafile as on disk, checked independently of the
/// engine's own reads (the planted `ignore-tail` does not apply here).
pub fn datafile_blocks<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    file_no: u32,
) -> IoResult<Vec<(u32, Result<Block, Corruption>)>> {
    let f = p.datafile(file_no).expect("datafile in parameters");
    if !io.exists(&f.path) {
        return Ok(Vec::new());
    }
    let mut buf = vec![0u8; p.db_block_size];
    (1..f.blocks)
        .map(|b| {
            Ok((
                b,
                datafile::read_block_into(io, &f.path, file_no, b, &mut buf, false)?,
            ))
        })
        .collect()
}

/// A log file (online member or archived log) as on disk.
pub fn log_file<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    path: &str,
) -> IoResult<Result<LogContents, LogReadError>> {
    redo::read_log(io, path, p.log_blocks)
}

/// The highest SCN anywhere in the readable redo of the online logs.
pub fn highest_redo_scn(logs: &[LogContents]) -> Scn {
    logs.iter()
        .flat_map(|l| l.records.iter().map(|r| r.record.scn))
        .max()
        .unwrap_or(0)
}
