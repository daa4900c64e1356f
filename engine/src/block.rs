//! Database blocks (S-FILE-1).
//!
//! Layout of a block of `db_block_size` bytes:
//!
//! ```text
//! 0   type u8 | format u8 | flags u16
//! 4   file# u32          8  block# u32
//! 12  scn u64            20 seq u32 (change sequence within the SCN)
//! 24  checksum u32       28 body length u32
//! 32  ... free space ...
//! end-4-len  body (postcard), growing from the bottom up like Oracle rows
//! end-4      tail u32 = (scn & 0xffff) << 16 | type << 8 | (seq & 0xff)
//! ```
//!
//! The body sits at the bottom of the block and the header at the top, so a
//! write torn between OS blocks mixes an old head with a new body (or the
//! reverse), which the checksum and the tail detect. An all-zero block is a
//! block that was never written ("unformatted").

use serde::{Deserialize, Serialize};

use crate::scn::Scn;

pub const HEADER_BYTES: usize = 32;
pub const TAIL_BYTES: usize = 4;
const FORMAT: u8 = 1;

/// Block types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BlockType {
    Unformatted = 0,
    FileHeader = 1,
    Data = 2,
    UndoHeader = 3,
    Undo = 4,
    Dictionary = 5,
}

impl BlockType {
    fn from_u8(b: u8) -> Option<BlockType> {
        Some(match b {
            0 => BlockType::Unformatted,
            1 => BlockType::FileHeader,
            2 => BlockType::Data,
            3 => BlockType::UndoHeader,
            4 => BlockType::Undo,
            5 => BlockType::Dictionary,
            _ => return None,
        })
    }
}

/// A transaction id: `(wrap << 8) | slot` of the undo segment's transaction
/// table. 0 means "no transaction".
pub type Xid = u32;

pub fn xid(slot: u32, wrap: u32) -> Xid {
    debug_assert!(slot < 256);
    (wrap << 8) | slot
}
pub fn xid_slot(x: Xid) -> u32 {
    x & 0xff
}
pub fn xid_wrap(x: Xid) -> u32 {
    x >> 8
}

/// A row of table T: key, value (None once deleted) and the transaction that
/// last changed it (its "lock byte"; cleared lazily, as Oracle's delayed
/// block cleanout: readers ask the transaction table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub k: u64,
    pub v: Option<String>,
    pub lock: Xid,
}

/// The state of a transaction-table slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxState {
    Free,
    Active,
    Committed,
}

/// Undo block address: undo block number and record index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Uba {
    pub block: u32,
    pub index: u16,
}

/// A slot of the transaction table in the undo segment header (S-TXN-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxSlot {
    pub wrap: u32,
    pub state: TxState,
    pub commit_scn: Scn,
    /// The transaction's latest undo record: the head of its undo chain.
    pub last_uba: Option<Uba>,
}

/// The before-image of one row change (S-TXN-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoRecord {
    pub xid: Xid,
    /// The transaction's previous undo record.
    pub prev: Option<Uba>,
    pub file: u32,
    pub block: u32,
    pub k: u64,
    /// The row before the change; None if the row did not exist.
    pub before: Option<Row>,
}

/// What a block holds, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    Unformatted,
    /// A datafile header (block 0); see `datafile::DatafileHeader`.
    FileHeader(crate::datafile::DatafileHeader),
    /// Rows of table T, sorted by key.
    Data(Vec<Row>),
    /// The undo segment header: the transaction table.
    UndoHeader(Vec<TxSlot>),
    /// Undo records of one transaction.
    Undo {
        xid: Xid,
        records: Vec<UndoRecord>,
    },
    /// The data dictionary (SYSTEM): table definitions, as text.
    Dictionary(Vec<String>),
}

impl Body {
    pub fn block_type(&self) -> BlockType {
        match self {
            Body::Unformatted => BlockType::Unformatted,
            Body::FileHeader(_) => BlockType::FileHeader,
            Body::Data(_) => BlockType::Data,
            Body::UndoHeader(_) => BlockType::UndoHeader,
            Body::Undo { .. } => BlockType::Undo,
            Body::Dictionary(_) => BlockType::Dictionary,
        }
    }
}

/// A decoded block: its address, version and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub file: u32,
    pub block: u32,
    pub scn: Scn,
    pub seq: u32,
    pub body: Body,
}

/// Why a block on disk cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// Head and tail disagree: a fractured (torn) block.
    Fractured,
    /// The checksum fails.
    Checksum,
    /// The block records another address than its place in the file.
    WrongAddress,
    /// Unknown type, format or an undecodable body.
    Format,
}

impl Block {
    pub fn new(file: u32, block: u32, body: Body) -> Block {
        Block {
            file,
            block,
            scn: 0,
            seq: 0,
            body,
        }
    }

    /// Records a change at `scn`: the SCN and the change sequence within it.
    pub fn stamp(&mut self, scn: Scn) {
        if scn == self.scn {
            self.seq = self.seq.wrapping_add(1);
        } else {
            self.scn = scn;
            self.seq = 1;
        }
    }

    /// Encodes into `out` (exactly one database block). Fails if the body
    /// does not fit, which callers check beforehand with [`body_fits`].
    pub fn encode(&self, out: &mut [u8]) {
        out.fill(0);
        if matches!(self.body, Body::Unformatted) {
            return;
        }
        let body = postcard::to_allocvec(&self.body).expect("block bodies always serialize");
        let n = out.len();
        assert!(
            HEADER_BYTES + body.len() + TAIL_BYTES <= n,
            "block body of {} bytes does not fit a {n}-byte block",
            body.len()
        );
        let ty = self.body.block_type() as u8;
        out[0] = ty;
        out[1] = FORMAT;
        out[4..8].copy_from_slice(&self.file.to_le_bytes());
        out[8..12].copy_from_slice(&self.block.to_le_bytes());
        out[12..20].copy_from_slice(&self.scn.to_le_bytes());
        out[20..24].copy_from_slice(&self.seq.to_le_bytes());
        out[28..32].copy_from_slice(&(body.len() as u32).to_le_bytes());
        let start = n - TAIL_BYTES - body.len();
        out[start..n - TAIL_BYTES].copy_from_slice(&body);
        out[n - TAIL_BYTES..].copy_from_slice(&tail(self.scn, ty, self.seq).to_le_bytes());
        let sum = checksum(out);
        out[24..28].copy_from_slice(&sum.to_le_bytes());
    }

    /// Decodes a block read from (file, block). With `ignore_tail` (the
    /// planted bug of that name) a fractured block is accepted as it is.
    pub fn decode(
        bytes: &[u8],
        file: u32,
        block: u32,
        ignore_tail: bool,
    ) -> Result<Block, Corruption> {
        let n = bytes.len();
        let ty = bytes[0];
        if ty == 0 {
            // Never written: must be all zero, else the head was lost in a tear.
            if bytes.iter().fold(0u8, |acc, &b| acc | b) == 0 || ignore_tail {
                return Ok(Block::new(file, block, Body::Unformatted));
            }
            return Err(Corruption::Fractured);
        }
        let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
        let scn = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let seq = u32_at(20);
        if !ignore_tail {
            if u32_at(n - TAIL_BYTES) != tail(scn, ty, seq) {
                return Err(Corruption::Fractured);
            }
            if checksum(bytes) != u32_at(24) {
                return Err(Corruption::Checksum);
            }
        }
        if bytes[1] != FORMAT || BlockType::from_u8(ty).is_none() {
            return Err(Corruption::Format);
        }
        if u32_at(4) != file || u32_at(8) != block {
            return Err(Corruption::WrongAddress);
        }
        let len = u32_at(28) as usize;
        let body = if HEADER_BYTES + len + TAIL_BYTES > n {
            None
        } else {
            postcard::from_bytes::<Body>(&bytes[n - TAIL_BYTES - len..n - TAIL_BYTES]).ok()
        };
        let body = match body {
            Some(b) if b.block_type() as u8 == ty => b,
            // The planted bug reads a mangled body as an empty block of its type.
            _ if ignore_tail && ty == BlockType::Data as u8 => Body::Data(Vec::new()),
            _ => return Err(Corruption::Format),
        };
        Ok(Block {
            file,
            block,
            scn,
            seq,
            body,
        })
    }
}

/// Whether `body` fits a block of `db_block_size` bytes.
pub fn body_fits(body: &Body, db_block_size: usize) -> bool {
    match postcard::experimental::serialized_size(body) {
        Ok(len) => HEADER_BYTES + len + TAIL_BYTES <= db_block_size,
        Err(_) => false,
    }
}

fn tail(scn: Scn, ty: u8, seq: u32) -> u32 {
    ((scn as u32 & 0xffff) << 16) | (u32::from(ty) << 8) | (seq & 0xff)
}

/// CRC-32 of the block with its checksum field taken as zero.
fn checksum(bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&bytes[..24]);
    h.update(&[0u8; 4]);
    h.update(&bytes[28..]);
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_block() -> Block {
        let rows = (0..20)
            .map(|k| Row {
                k,
                v: Some(format!("value-{k}")),
                lock: 0,
            })
            .collect();
        let mut b = Block::new(3, 5, Body::Data(rows));
        b.stamp(1234);
        b
    }

    #[test]
    fn round_trip() {
        let b = data_block();
        let mut buf = vec![0u8; 4096];
        b.encode(&mut buf);
        assert_eq!(Block::decode(&buf, 3, 5, false), Ok(b));
    }

    #[test]
    fn zero_block_is_unformatted() {
        let buf = vec![0u8; 2048];
        assert_eq!(
            Block::decode(&buf, 1, 1, false).unwrap().body,
            Body::Unformatted
        );
    }

    #[test]
    fn torn_block_is_detected_and_ignore_tail_accepts_it() {
        let mut old = vec![0u8; 4096];
        let mut new = vec![0u8; 4096];
        let mut b = data_block();
        b.encode(&mut old);
        b.stamp(2000);
        if let Body::Data(rows) = &mut b.body {
            rows[0].v = Some("changed".into());
        }
        b.encode(&mut new);
        // New head, old rest: a write torn after the first 512-byte OS block.
        let mut torn = old.clone();
        torn[..512].copy_from_slice(&new[..512]);
        assert_eq!(
            Block::decode(&torn, 3, 5, false),
            Err(Corruption::Fractured)
        );
        assert!(Block::decode(&torn, 3, 5, true).is_ok());
        // Old head, new tail: also fractured.
        let mut torn2 = new.clone();
        torn2[..512].copy_from_slice(&old[..512]);
        assert_eq!(
            Block::decode(&torn2, 3, 5, false),
            Err(Corruption::Fractured)
        );
    }

    #[test]
    fn bit_rot_fails_the_checksum_and_address_is_checked() {
        let mut buf = vec![0u8; 2048];
        data_block().encode(&mut buf);
        let mut rot = buf.clone();
        rot[1000] ^= 0x40;
        assert_eq!(Block::decode(&rot, 3, 5, false), Err(Corruption::Checksum));
        assert_eq!(
            Block::decode(&buf, 3, 6, false),
            Err(Corruption::WrongAddress)
        );
    }

    #[test]
    fn fit_check() {
        let big = Body::Data(
            (0..200)
                .map(|k| Row {
                    k,
                    v: Some("x".repeat(20)),
                    lock: 0,
                })
                .collect(),
        );
        assert!(!body_fits(&big, 2048));
        assert!(body_fits(&big, 16384));
    }
}
