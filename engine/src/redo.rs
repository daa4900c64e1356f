//! Redo: change vectors, redo records and online/archived log files
//! (S-FILE-4, S-FILE-5).
//!
//! Log file layout, in OS blocks:
//!
//! ```text
//! block 0   log header: magic, dbid, thread, sequence, first SCN/time,
//!           incarnation, next SCN (0 while the log is being written),
//!           flags (end-of-thread), checksum
//! block 1.. redo blocks: seq u32 | salt u32 | block# u32 | used u16 |
//!           first record offset u16 | crc u32 | payload
//! ```
//!
//! The payload of consecutive redo blocks is a stream of records, each a u32
//! length and a postcard body. A redo block is valid only if its checksum,
//! sequence, salt (from the incarnation) and block number all match, so a torn
//! block, a garbage block, or a stale block left from an earlier use of the
//! file ends the redo. LGWR never rewrites a block that holds synced redo: each
//! write starts a fresh block and pads the last one ("redo wastage").

use serde::{Deserialize, Serialize};

use crate::block::{Block, Body, Row, TxSlot, TxState, Uba, UndoRecord, Xid};
use crate::datafile::Incarnation;
use crate::scn::{Rba, Scn, SimTime};
use crate::storage::{IoErrorKind, IoResult, Storage};

pub const REDO_BLOCK_HEADER: usize = 20;
const LOG_MAGIC: u32 = 0x5245_444f; // "REDO"
const NO_RECORD: u16 = 0xffff;

/// What a change vector does to its block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Format an empty data block.
    FormatData,
    /// Put a row (insert, update, delete marker, or rollback's before-image).
    SetRow(Row),
    /// Remove a row entirely (rollback of an insert).
    RemoveRow { k: u64 },
    /// Format the undo segment header with an empty transaction table.
    FormatUndoHeader { slots: u32 },
    /// Format an undo block for one transaction.
    FormatUndo { xid: Xid },
    /// Append an undo record to an undo block.
    AddUndo(UndoRecord),
    /// Transaction table: a slot becomes active with a new wrap.
    TxBegin { slot: u32, wrap: u32 },
    /// Transaction table: the head of the transaction's undo chain.
    TxSetUba { slot: u32, uba: Uba },
    /// Transaction table: committed at `scn`.
    TxCommit { slot: u32, scn: Scn },
    /// Transaction table: rolled back; the slot is free again.
    TxFree { slot: u32 },
    /// The data dictionary (SYSTEM).
    Dictionary(Vec<String>),
    /// A full image of the block before this record's other changes
    /// (torn-block protection, hot backup).
    Image { scn: Scn, seq: u32, body: Body },
}

impl Op {
    /// Whether the operation sets the block's whole content, so it needs
    /// nothing of the old block (and can rebuild a torn one).
    pub fn formats_block(&self) -> bool {
        matches!(
            self,
            Op::Image { .. }
                | Op::FormatData
                | Op::FormatUndo { .. }
                | Op::FormatUndoHeader { .. }
                | Op::Dictionary(_)
        )
    }
}

/// A change vector: one operation on one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub file: u32,
    pub block: u32,
    pub op: Op,
}

/// Markers carried by redo records (S-FILE-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Marker {
    Commit {
        xid: Xid,
    },
    Rollback {
        xid: Xid,
    },
    CrashRecoveryEnd,
    /// DBWn wrote this block, whose SCN was `scn`, durably.
    BlockWritten {
        file: u32,
        block: u32,
        scn: Scn,
    },
    BeginBackup {
        file: u32,
    },
    EndBackup {
        file: u32,
    },
    OfflineImmediate {
        file: u32,
    },
    DatafileCreated {
        file: u32,
    },
    ThreadEnable {
        thread: u32,
    },
    ThreadDisable {
        thread: u32,
    },
}

/// One atomic change: all its change vectors apply, or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedoRecord {
    pub scn: Scn,
    pub time: SimTime,
    pub thread: u32,
    pub changes: Vec<Change>,
    pub markers: Vec<Marker>,
}

/// Why a change could not be applied to a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyError;

/// Applies one change vector to a block at `scn` (the block must be the
/// change's block). Callers skip changes not newer than the block.
pub fn apply(block: &mut Block, op: &Op, scn: Scn) -> Result<(), ApplyError> {
    match op {
        Op::Image { scn: s, seq, body } => {
            block.body = body.clone();
            block.scn = *s;
            block.seq = *seq;
            return Ok(());
        }
        Op::FormatData => block.body = Body::Data(Vec::new()),
        Op::FormatUndoHeader { slots } => {
            let free = TxSlot {
                wrap: 0,
                state: TxState::Free,
                commit_scn: 0,
                last_uba: None,
            };
            block.body = Body::UndoHeader(vec![free; *slots as usize]);
        }
        Op::FormatUndo { xid } => {
            block.body = Body::Undo {
                xid: *xid,
                records: Vec::new(),
            }
        }
        Op::Dictionary(d) => block.body = Body::Dictionary(d.clone()),
        Op::SetRow(row) => {
            let Body::Data(rows) = &mut block.body else {
                return Err(ApplyError);
            };
            match rows.binary_search_by_key(&row.k, |r| r.k) {
                Ok(i) => rows[i] = row.clone(),
                Err(i) => rows.insert(i, row.clone()),
            }
        }
        Op::RemoveRow { k } => {
            let Body::Data(rows) = &mut block.body else {
                return Err(ApplyError);
            };
            if let Ok(i) = rows.binary_search_by_key(k, |r| r.k) {
                rows.remove(i);
            }
        }
        Op::AddUndo(rec) => {
            let Body::Undo { records, .. } = &mut block.body else {
                return Err(ApplyError);
            };
            records.push(rec.clone());
        }
        Op::TxBegin { slot, wrap } => {
            let s = tx_slot(block, *slot)?;
            *s = TxSlot {
                wrap: *wrap,
                state: TxState::Active,
                commit_scn: 0,
                last_uba: None,
            };
        }
        Op::TxSetUba { slot, uba } => tx_slot(block, *slot)?.last_uba = Some(*uba),
        Op::TxCommit { slot, scn: c } => {
            let s = tx_slot(block, *slot)?;
            s.state = TxState::Committed;
            s.commit_scn = *c;
        }
        Op::TxFree { slot } => {
            let s = tx_slot(block, *slot)?;
            s.state = TxState::Free;
            s.last_uba = None;
        }
    }
    block.stamp(scn);
    Ok(())
}

fn tx_slot(block: &mut Block, slot: u32) -> Result<&mut TxSlot, ApplyError> {
    match &mut block.body {
        Body::UndoHeader(slots) => slots.get_mut(slot as usize).ok_or(ApplyError),
        _ => Err(ApplyError),
    }
}

/// The header of an online or archived log (block 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogHeader {
    pub dbid: u32,
    pub thread: u32,
    pub seq: u32,
    pub first_scn: Scn,
    pub first_time: SimTime,
    pub incarnation: Incarnation,
    /// The first SCN of the next log, once this one is full; 0 while it is
    /// being written. ARCn stamps it into the archived copy; the online
    /// header is never rewritten in place, so there it stays 0 and the
    /// control file's log record holds it.
    pub next_scn: Scn,
    /// End-of-thread mark (S-FILE-4): part of the format, written from the
    /// media-recovery work on (complete recovery stops at it).
    pub end_of_thread: bool,
    /// The control-file sequence (version) current when this header was
    /// written: a header with a higher one than the control file shows the
    /// control file is an old copy (ORA-00338).
    pub cf_seq: u64,
}

impl LogHeader {
    /// Ties redo blocks to this use of the file.
    pub fn salt(&self) -> u32 {
        (self.incarnation.resetlogs_time as u32).rotate_left(16)
            ^ (self.incarnation.resetlogs_scn as u32)
            ^ self.thread
    }

    pub fn encode(&self, os_block: usize) -> Vec<u8> {
        let mut b = vec![0u8; os_block];
        b[0..4].copy_from_slice(&LOG_MAGIC.to_le_bytes());
        b[4..8].copy_from_slice(&self.dbid.to_le_bytes());
        b[8..12].copy_from_slice(&self.thread.to_le_bytes());
        b[12..16].copy_from_slice(&self.seq.to_le_bytes());
        b[16..24].copy_from_slice(&self.first_scn.to_le_bytes());
        b[24..32].copy_from_slice(&self.first_time.to_le_bytes());
        b[32..40].copy_from_slice(&self.incarnation.resetlogs_scn.to_le_bytes());
        b[40..48].copy_from_slice(&self.incarnation.resetlogs_time.to_le_bytes());
        b[48..56].copy_from_slice(&self.next_scn.to_le_bytes());
        b[56] = u8::from(self.end_of_thread);
        b[60..68].copy_from_slice(&self.cf_seq.to_le_bytes());
        let crc = crc32fast::hash(&b[..68]);
        b[68..72].copy_from_slice(&crc.to_le_bytes());
        b
    }

    pub fn decode(b: &[u8]) -> Option<LogHeader> {
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().expect("4 bytes"));
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().expect("8 bytes"));
        if u32_at(0) != LOG_MAGIC || crc32fast::hash(&b[..68]) != u32_at(68) {
            return None;
        }
        Some(LogHeader {
            dbid: u32_at(4),
            thread: u32_at(8),
            seq: u32_at(12),
            first_scn: u64_at(16),
            first_time: u64_at(24),
            incarnation: Incarnation {
                resetlogs_scn: u64_at(32),
                resetlogs_time: u64_at(40),
            },
            next_scn: u64_at(48),
            end_of_thread: b[56] == 1,
            cf_seq: u64_at(60),
        })
    }
}

/// Serializes a record as it goes into the log buffer: length, then body.
pub fn encode_record(r: &RedoRecord, out: &mut Vec<u8>) {
    let body = postcard::to_allocvec(r).expect("redo records serialize");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
}

/// Cuts a buffer of whole records into redo blocks starting at `first_block`,
/// padding the last block. Returns the bytes to write (whole OS blocks).
pub fn format_blocks(stream: &[u8], h: &LogHeader, first_block: u32, os_block: usize) -> Vec<u8> {
    let payload = os_block - REDO_BLOCK_HEADER;
    let nblocks = stream.len().div_ceil(payload).max(1);
    let mut out = vec![0u8; nblocks * os_block];
    // Offsets in the stream where records start, to fill "first record offset".
    let mut starts = Vec::new();
    let mut off = 0usize;
    while off + 4 <= stream.len() {
        starts.push(off);
        let len = u32::from_le_bytes(stream[off..off + 4].try_into().expect("4 bytes")) as usize;
        off += 4 + len;
    }
    for i in 0..nblocks {
        let lo = i * payload;
        let hi = ((i + 1) * payload).min(stream.len());
        let blk = &mut out[i * os_block..(i + 1) * os_block];
        let first = starts
            .iter()
            .find(|&&s| s >= lo && s < lo + payload)
            .map_or(NO_RECORD, |&s| (s - lo) as u16);
        blk[0..4].copy_from_slice(&h.seq.to_le_bytes());
        blk[4..8].copy_from_slice(&h.salt().to_le_bytes());
        blk[8..12].copy_from_slice(&(first_block + i as u32).to_le_bytes());
        blk[12..14].copy_from_slice(&((hi.saturating_sub(lo)) as u16).to_le_bytes());
        blk[14..16].copy_from_slice(&first.to_le_bytes());
        if lo < hi {
            blk[REDO_BLOCK_HEADER..REDO_BLOCK_HEADER + (hi - lo)].copy_from_slice(&stream[lo..hi]);
        }
        let crc = redo_block_crc(blk);
        blk[16..20].copy_from_slice(&crc.to_le_bytes());
    }
    out
}

fn redo_block_crc(blk: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&blk[..16]);
    h.update(&blk[REDO_BLOCK_HEADER..]);
    h.finalize()
}

/// A record read back, with the redo block where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRecord {
    pub rba: Rba,
    pub record: RedoRecord,
}

/// What a log file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogContents {
    pub header: LogHeader,
    pub records: Vec<ReadRecord>,
    /// Valid redo blocks read (from block 1).
    pub blocks_read: u32,
    /// The first block that is not valid redo: where the redo ends.
    pub end_block: u32,
}

/// Why a log file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReadError {
    Missing,
    /// The header is unreadable (torn, garbage, never written).
    BadHeader,
}

/// Reads a log file: its header and every complete record of its valid
/// prefix. `max_blocks` bounds the redo blocks read (the log's size).
pub fn read_log<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    max_blocks: u32,
) -> IoResult<Result<LogContents, LogReadError>> {
    if !io.exists(path) {
        return Ok(Err(LogReadError::Missing));
    }
    let os = io.os_block_size();
    let size = match io.size(path) {
        Ok(s) => s,
        Err(e) if e.kind == IoErrorKind::NotFound => return Ok(Err(LogReadError::Missing)),
        Err(e) => return Err(e),
    };
    let avail = (size / os as u64)
        .saturating_sub(1)
        .min(u64::from(max_blocks)) as usize;
    let mut buf = vec![0u8; (avail + 1) * os];
    io.read(path, 0, &mut buf)?;
    let Some(header) = LogHeader::decode(&buf[..os]) else {
        return Ok(Err(LogReadError::BadHeader));
    };
    let (records, end_block) = decode_blocks(&header, &buf[os..], 1, os);
    Ok(Ok(LogContents {
        header,
        records,
        blocks_read: end_block - 1,
        end_block,
    }))
}

/// Decodes the valid redo blocks of a log with `header`, from `bytes`
/// holding blocks `first_block`, `first_block + 1`, … (LGWR starts every
/// write at a new block with a whole record, so any write's first block is
/// a place to start). Stops at the first invalid block. Returns the whole
/// records read and the block after the last valid one.
pub fn decode_blocks(
    header: &LogHeader,
    bytes: &[u8],
    first_block: u32,
    os: usize,
) -> (Vec<ReadRecord>, u32) {
    let salt = header.salt();
    let mut stream = Vec::new();
    let mut starts_at: Vec<(usize, u32)> = Vec::new(); // stream offset where each block's payload starts
    let mut end_block = first_block;
    for (n, blk) in bytes.chunks_exact(os).enumerate() {
        let i = first_block + n as u32;
        let u32_at = |o: usize| u32::from_le_bytes(blk[o..o + 4].try_into().expect("4 bytes"));
        let valid = u32_at(0) == header.seq
            && u32_at(4) == salt
            && u32_at(8) == i
            && u32_at(16) == redo_block_crc(blk);
        if !valid {
            break;
        }
        let used = u16::from_le_bytes([blk[12], blk[13]]) as usize;
        starts_at.push((stream.len(), i));
        stream.extend_from_slice(
            &blk[REDO_BLOCK_HEADER..REDO_BLOCK_HEADER + used.min(os - REDO_BLOCK_HEADER)],
        );
        end_block = i + 1;
    }
    (parse_stream(&stream, &starts_at, header.seq), end_block)
}

fn parse_stream(stream: &[u8], starts_at: &[(usize, u32)], seq: u32) -> Vec<ReadRecord> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while off + 4 <= stream.len() {
        let len = u32::from_le_bytes(stream[off..off + 4].try_into().expect("4 bytes")) as usize;
        if len == 0 || off + 4 + len > stream.len() {
            break; // an incomplete record at the end: never acknowledged
        }
        let block = match starts_at.binary_search_by_key(&off, |s| s.0) {
            Ok(i) => starts_at[i].1,
            Err(i) => starts_at[i.saturating_sub(1)].1,
        };
        match postcard::from_bytes::<RedoRecord>(&stream[off + 4..off + 4 + len]) {
            Ok(record) => out.push(ReadRecord {
                rba: Rba { seq, block },
                record,
            }),
            Err(_) => break,
        }
        off += 4 + len;
    }
    out
}

/// Writes a fresh log header (the file is being (re)used for `h.seq`).
pub fn write_log_header<S: Storage + ?Sized>(
    io: &mut S,
    path: &str,
    h: &LogHeader,
) -> IoResult<()> {
    let os = io.os_block_size();
    io.write(path, 0, &h.encode(os))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::BlockType;

    fn rec(scn: Scn, k: u64) -> RedoRecord {
        RedoRecord {
            scn,
            time: 0,
            thread: 1,
            changes: vec![Change {
                file: 3,
                block: 1,
                op: Op::SetRow(Row {
                    k,
                    v: Some("v".into()),
                    lock: 0,
                }),
            }],
            markers: vec![],
        }
    }

    #[test]
    fn apply_set_and_remove_rows() {
        let mut b = Block::new(3, 1, Body::Data(vec![]));
        apply(
            &mut b,
            &Op::SetRow(Row {
                k: 5,
                v: Some("a".into()),
                lock: 1,
            }),
            10,
        )
        .unwrap();
        apply(
            &mut b,
            &Op::SetRow(Row {
                k: 2,
                v: Some("b".into()),
                lock: 1,
            }),
            11,
        )
        .unwrap();
        assert_eq!(b.scn, 11);
        let Body::Data(rows) = &b.body else { panic!() };
        assert_eq!(rows.iter().map(|r| r.k).collect::<Vec<_>>(), vec![2, 5]);
        apply(&mut b, &Op::RemoveRow { k: 5 }, 12).unwrap();
        let Body::Data(rows) = &b.body else { panic!() };
        assert_eq!(rows.len(), 1);
        assert_eq!(b.body.block_type(), BlockType::Data);
        // A row change on an undo header is refused, not applied.
        let mut h = Block::new(2, 1, Body::UndoHeader(vec![]));
        assert!(
            apply(
                &mut h,
                &Op::SetRow(Row {
                    k: 1,
                    v: None,
                    lock: 0
                }),
                13
            )
            .is_err()
        );
    }

    #[test]
    fn blocks_round_trip_and_records_span_blocks() {
        let h = LogHeader {
            dbid: 1,
            thread: 1,
            seq: 7,
            first_scn: 100,
            first_time: 5,
            incarnation: Incarnation {
                resetlogs_scn: 1,
                resetlogs_time: 1,
            },
            next_scn: 777,
            end_of_thread: true,
            cf_seq: 9,
        };
        assert_eq!(LogHeader::decode(&h.encode(512)), Some(h));
        let mut torn = h.encode(512);
        torn[50] ^= 1;
        assert_eq!(
            LogHeader::decode(&torn),
            None,
            "the checksum covers the next SCN"
        );
        let h = LogHeader {
            next_scn: 0,
            end_of_thread: false,
            ..h
        };
        let mut stream = Vec::new();
        for i in 0..40 {
            encode_record(&rec(100 + i, i), &mut stream);
        }
        let blocks = format_blocks(&stream, &h, 1, 512);
        assert!(blocks.len() > 512);
        assert_eq!(blocks.len() % 512, 0);
        let mut starts = Vec::new();
        let mut s = Vec::new();
        for (i, blk) in blocks.chunks(512).enumerate() {
            let used = u16::from_le_bytes([blk[12], blk[13]]) as usize;
            starts.push((s.len(), 1 + i as u32));
            s.extend_from_slice(&blk[REDO_BLOCK_HEADER..REDO_BLOCK_HEADER + used]);
        }
        let recs = parse_stream(&s, &starts, 7);
        assert_eq!(recs.len(), 40);
        assert_eq!(recs[39].record, rec(139, 39));
    }
}
