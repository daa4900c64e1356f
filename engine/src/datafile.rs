//! Datafiles and their headers (S-FILE-1, S-FILE-2).
//!
//! A datafile is `blocks` database blocks; block 0 is the header, written in
//! the ordinary block format (so it too has a checksum and tail check).

use serde::{Deserialize, Serialize};

use crate::block::{Block, Body, Corruption};
use crate::scn::{Scn, SimTime};
use crate::storage::{IoResult, Storage};

/// The three fuzzy bits (S-FILE-2, ORACLE_NOTES §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fuzzy {
    /// Open read-write: the file may hold changes newer than its checkpoint.
    pub online: bool,
    /// BEGIN BACKUP without END BACKUP.
    pub hot_backup: bool,
    /// Media recovery in progress.
    pub media_recovery: bool,
}

impl Fuzzy {
    pub fn any(&self) -> bool {
        self.online || self.hot_backup || self.media_recovery
    }
}

/// An incarnation: (resetlogs SCN, resetlogs time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Incarnation {
    pub resetlogs_scn: Scn,
    pub resetlogs_time: SimTime,
}

impl Incarnation {
    /// The `%r` of LOG_ARCHIVE_FORMAT: an id for this incarnation.
    pub fn id(&self) -> u64 {
        self.resetlogs_time
    }
}

/// The datafile header (block 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatafileHeader {
    pub dbid: u32,
    pub file_no: u32,
    pub tablespace: String,
    pub blocks: u32,
    pub creation_scn: Scn,
    pub ckpt_scn: Scn,
    pub ckpt_time: SimTime,
    pub ckpt_counter: u64,
    pub incarnation: Incarnation,
    pub fuzzy: Fuzzy,
    /// RMAN backups: the highest block SCN seen while the file was copied.
    pub absolute_fuzzy_scn: Scn,
}

/// Why a datafile header could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    Missing,
    Corrupt(Corruption),
    NotAHeader,
}

/// Reads and decodes block `block` of a file. I/O errors come back as `Err`,
/// corruption as `Ok(Err(..))`.
pub fn read_block<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    file_no: u32,
    block: u32,
    db_block_size: usize,
    ignore_tail: bool,
) -> IoResult<Result<Block, Corruption>> {
    let mut buf = vec![0u8; db_block_size];
    io.read(path, block as u64 * db_block_size as u64, &mut buf)?;
    Ok(Block::decode(&buf, file_no, block, ignore_tail))
}

/// Encodes and writes one block (not synced).
pub fn write_block<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    b: &Block,
    db_block_size: usize,
) -> IoResult<()> {
    let mut buf = vec![0u8; db_block_size];
    b.encode(&mut buf);
    io.write(path, b.block as u64 * db_block_size as u64, &buf)
}

pub fn read_header<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    file_no: u32,
    db_block_size: usize,
) -> IoResult<Result<DatafileHeader, HeaderError>> {
    if !io.exists(path) {
        return Ok(Err(HeaderError::Missing));
    }
    Ok(
        match read_block(io, path, file_no, 0, db_block_size, false)? {
            Ok(Block {
                body: Body::FileHeader(h),
                ..
            }) => Ok(h),
            Ok(_) => Err(HeaderError::NotAHeader),
            Err(c) => Err(HeaderError::Corrupt(c)),
        },
    )
}

pub fn write_header<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    h: &DatafileHeader,
    db_block_size: usize,
) -> IoResult<()> {
    let mut b = Block::new(h.file_no, 0, Body::FileHeader(h.clone()));
    b.scn = h.ckpt_scn;
    b.seq = (h.ckpt_counter & 0xffff_ffff) as u32;
    write_block(io, path, &b, db_block_size)
}
