//! The buffer cache: decoded blocks in memory, with the bookkeeping DBWn and
//! CKPT need (S-INST-3, S-INST-5).

use std::collections::BTreeMap;

use crate::block::Block;
use crate::scn::Scn;

/// A block in the cache.
#[derive(Debug, Clone)]
pub struct Buffer {
    pub block: Block,
    /// Changed since it was last written.
    pub dirty: bool,
    /// SCN of the latest change: its redo must be durable before DBWn writes.
    pub last_change_scn: Scn,
    /// SCN of the oldest change not yet written (while dirty): a checkpoint
    /// at SCN s is complete once no dirty buffer has one below s.
    pub first_dirty_scn: Scn,
    /// A full image was logged since the last checkpoint began (S-CR-5).
    pub imaged: bool,
    /// Last touch, for aging (a counter, not a clock).
    pub touched: u64,
}

/// Block address: (file#, block#).
pub type Dba = (u32, u32);

#[derive(Debug, Default)]
pub struct Cache {
    pub buffers: BTreeMap<Dba, Buffer>,
    tick: u64,
}

impl Cache {
    pub fn get(&mut self, dba: Dba) -> Option<&mut Buffer> {
        self.tick += 1;
        let t = self.tick;
        let b = self.buffers.get_mut(&dba)?;
        b.touched = t;
        Some(b)
    }

    pub fn insert(&mut self, block: Block) -> &mut Buffer {
        self.tick += 1;
        let dba = (block.file, block.block);
        let buf = Buffer {
            block,
            dirty: false,
            last_change_scn: 0,
            first_dirty_scn: 0,
            imaged: false,
            touched: self.tick,
        };
        self.buffers.insert(dba, buf);
        self.buffers.get_mut(&dba).expect("just inserted")
    }

    pub fn len(&self) -> usize {
        self.buffers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }

    /// Dirty buffers, oldest first.
    pub fn dirty_by_age(&self) -> Vec<Dba> {
        let mut v: Vec<(u64, Dba)> = self
            .buffers
            .iter()
            .filter(|(_, b)| b.dirty)
            .map(|(d, b)| (b.touched, *d))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, d)| d).collect()
    }

    /// The least recently used buffer, if any.
    pub fn lru(&self) -> Option<Dba> {
        self.buffers
            .iter()
            .min_by_key(|(_, b)| b.touched)
            .map(|(d, _)| *d)
    }

    pub fn all_dirty(&self) -> Vec<Dba> {
        self.buffers
            .iter()
            .filter(|(_, b)| b.dirty)
            .map(|(d, _)| *d)
            .collect()
    }
}
