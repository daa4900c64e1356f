//! Datafiles and their headers (S-FILE-1, S-FILE-2).
//!
//! A datafile is `blocks` database blocks; block 0 holds the header. The
//! header lives in the first OS block of block 0 (magic, length, CRC, then
//! the fields) and CKPT rewrites only that OS block: a write of one OS block
//! is atomic (S-DISK-1), so a power loss leaves the old or the new header,
//! never a torn one. Only a garbage-on-power-loss device can destroy it.

use serde::{Deserialize, Serialize};

use crate::block::{Block, Corruption};
use crate::scn::{Rba, Scn, SimTime};
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
    /// The control-file sequence (version) current when CKPT last wrote
    /// this header (Oracle's `kccfhcsq`): above the control file's own
    /// sequence, the control file is an old copy (ORA-01207, S-CF-2).
    pub cf_seq: u64,
    /// Where the thread's redo stood at this checkpoint: media recovery of
    /// this file starts reading at this log sequence (S-MR-2).
    pub ckpt_rba: Rba,
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
    read_block_into(io, path, file_no, block, &mut buf, ignore_tail)
}

/// [`read_block`] into a caller's buffer of one database block, so a scan
/// of a whole file allocates once.
pub fn read_block_into<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    file_no: u32,
    block: u32,
    buf: &mut [u8],
    ignore_tail: bool,
) -> IoResult<Result<Block, Corruption>> {
    io.read(path, u64::from(block) * buf.len() as u64, buf)?;
    Ok(Block::decode(buf, file_no, block, ignore_tail))
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
    let _ = db_block_size;
    let mut buf = vec![0u8; io.os_block_size()];
    io.read(path, 0, &mut buf)?;
    let u32_at = |o: usize| u32::from_le_bytes(buf[o..o + 4].try_into().expect("4 bytes"));
    if u32_at(0) != HEADER_MAGIC {
        let blank = buf.iter().all(|&b| b == 0);
        return Ok(Err(if blank {
            HeaderError::NotAHeader
        } else {
            HeaderError::Corrupt(Corruption::Format)
        }));
    }
    let len = u32_at(4) as usize;
    if 12 + len > buf.len() || crc32fast::hash(&buf[12..12 + len]) != u32_at(8) {
        return Ok(Err(HeaderError::Corrupt(Corruption::Checksum)));
    }
    Ok(
        match postcard::from_bytes::<DatafileHeader>(&buf[12..12 + len]) {
            Ok(h) if h.file_no == file_no => Ok(h),
            Ok(_) => Err(HeaderError::Corrupt(Corruption::WrongAddress)),
            Err(_) => Err(HeaderError::Corrupt(Corruption::Format)),
        },
    )
}

/// "DFHD": the start of a datafile header.
const HEADER_MAGIC: u32 = 0x4446_4844;

/// Writes the header: one OS block at offset 0, not synced.
pub fn write_header<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    h: &DatafileHeader,
    db_block_size: usize,
) -> IoResult<()> {
    let _ = db_block_size;
    let body = postcard::to_allocvec(h).expect("headers serialize");
    assert!(
        12 + body.len() <= 512,
        "a datafile header fits the smallest OS block"
    );
    let mut buf = vec![0u8; io.os_block_size()];
    buf[0..4].copy_from_slice(&HEADER_MAGIC.to_le_bytes());
    buf[4..8].copy_from_slice(&(body.len() as u32).to_le_bytes());
    buf[8..12].copy_from_slice(&crc32fast::hash(&body).to_le_bytes());
    buf[12..12 + body.len()].copy_from_slice(&body);
    io.write(path, 0, &buf)
}
