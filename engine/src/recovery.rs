//! Crash (instance) recovery (S-CR-1..5).
//!
//! Runs at OPEN when the control file shows the thread still open. It reads
//! only the online logs, from the thread checkpoint to the end of the redo:
//!
//! 1. First pass: collect every block changed after the checkpoint; a
//!    block-written record removes a block whose last change is on disk.
//! 2. Second pass: read those blocks and apply, in redo order, each change
//!    newer than the block. A block that fails its checks on disk (torn by
//!    the power loss) is never used as a base: it is rebuilt from a logged
//!    full image (or a formatting change) if the redo has one, else recorded
//!    as corrupt (ORA-01578 when read, v$database_block_corruption).
//!
//! The recovered blocks stay dirty in the cache; OPEN's checkpoint writes them.

use std::collections::BTreeMap;

use crate::block::Block;
use crate::cache::Dba;
use crate::controlfile::{LogStatus, MemberStatus};
use crate::datafile;
use crate::error::{DbError, DbResult, ora};
use crate::instance::{Instance, LogWriter, io_fatal};
use crate::params::Plant;
use crate::redo::{self, Marker, Op, ReadRecord};
use crate::scn::Scn;
use crate::storage::Storage;

/// What crash recovery did, for the trace and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrashRecoveryReport {
    pub redo_blocks_read: u32,
    pub blocks_needing_recovery: usize,
    pub changes_applied: usize,
    pub repaired_from_image: Vec<Dba>,
    pub corrupt: Vec<Dba>,
}

enum Slot {
    Good(Block),
    Corrupt,
}

impl<S: Storage> Instance<S> {
    pub(crate) fn crash_recovery(&mut self) -> DbResult<CrashRecoveryReport> {
        self.alert("Beginning crash recovery of 1 threads");
        let (records, blocks_read) = self.read_thread_redo()?;
        self.alert("Started first pass scan");
        let need = first_pass(&records);
        self.alert(format!(
            "Completed first pass scan\n {blocks_read} redo blocks read, {} data blocks need recovery",
            need.len()
        ));
        let start = self.cf().thread(1).ckpt;
        self.alert(format!(
            "Started recovery at\n Thread 1: {}, scn {}",
            start.rba, start.scn
        ));
        let mut report = CrashRecoveryReport {
            redo_blocks_read: blocks_read,
            blocks_needing_recovery: need.len(),
            ..Default::default()
        };
        let blocks = self.second_pass(&records, &need, &mut report)?;
        for dba in &report.repaired_from_image {
            self.alert(format!(
                "Fractured block (file {}, block {}) repaired from a logged block image",
                dba.0, dba.1
            ));
        }
        for (dba, slot) in blocks {
            match slot {
                Slot::Good(b) => {
                    let buf = self.cache.insert(b);
                    buf.dirty = true;
                    buf.last_change_scn = buf.block.scn;
                    buf.first_dirty_scn = buf.block.scn;
                }
                Slot::Corrupt => {
                    let path = self.df_path(dba.0);
                    self.alert(format!(
                        "Hex dump of (file {}, block {}) in trace file\nCorrupt block relative dba: (file {}, block {})\nFractured block found during crash/instance recovery\n{}",
                        dba.0, dba.1, dba.0, dba.1, ora::block_corrupted(dba.0, dba.1, &path)
                    ));
                    self.note_corrupt(dba, "FRACTURED");
                    report.corrupt.push(dba);
                }
            }
        }
        let last = records.last().map_or(start.scn, |r| r.record.scn);
        self.scn = self.scn.max(last).max(start.scn);
        self.flushed_scn = self.scn;
        let end = self.log.as_ref().expect("log writer positioned").next_block;
        let seq = self.cf().thread(1).current_seq;
        self.alert(format!(
            "Completed redo application of {} changes",
            report.changes_applied
        ));
        self.alert(format!(
            "Ended recovery at\n Thread 1: logseq {seq}, block {end}, scn {}",
            self.scn
        ));
        Ok(report)
    }

    /// After crash recovery: every member of the groups it read holds the
    /// redo it applied. A power loss can leave the members of a group with
    /// different tails (LGWR writes them one after another); the redo of
    /// the longest member is what recovery applied, so a shorter member is
    /// brought up to it before anything else could lose the longer one and,
    /// with it, redo that committed transactions now depend on.
    pub(crate) fn resilver_members(&mut self) -> DbResult<()> {
        let t = self.cf().thread(1).clone();
        let os = self.io.os_block_size();
        for seq in t.ckpt.rba.seq..=t.current_seq {
            let Some(g) = self
                .cf()
                .group_with_seq(1, seq)
                .filter(|g| g.members.len() > 1)
                .cloned()
            else {
                continue;
            };
            let Some(best) = self.read_group_best(g.group, seq)? else {
                continue;
            };
            let Some(src) = self.best_member_path(&g, best.blocks_read)? else {
                continue;
            };
            let mut bytes = vec![0u8; best.end_block as usize * os];
            self.io.read(&src, 0, &mut bytes).map_err(io_fatal)?;
            for m in g
                .members
                .iter()
                .filter(|m| m.status == MemberStatus::Valid && m.path != src)
            {
                let read =
                    redo::read_log(&mut self.io, &m.path, self.p.log_blocks).map_err(io_fatal)?;
                let behind = match &read {
                    Ok(c) => c.header != best.header || c.blocks_read < best.blocks_read,
                    Err(_) => true,
                };
                if !behind {
                    continue;
                }
                self.alert(format!(
                    "Thread 1 log sequence {seq}: member '{}' brought up to '{src}' after crash recovery",
                    m.path
                ));
                self.io.write(&m.path, 0, &bytes).map_err(io_fatal)?;
                self.io.sync(&m.path).map_err(io_fatal)?;
            }
        }
        Ok(())
    }

    /// Every record of thread 1 from its checkpoint to the end of its redo,
    /// from the online logs (S-CR-1). Positions the log writer at the end.
    fn read_thread_redo(&mut self) -> DbResult<(Vec<ReadRecord>, u32)> {
        let t = self.cf().thread(1).clone();
        let mut records = Vec::new();
        let mut blocks = 0;
        for seq in t.ckpt.rba.seq..=t.current_seq {
            let Some(g) = self.cf().group_with_seq(1, seq).cloned() else {
                // The log was overwritten: redo recovery needs is gone.
                return Err(DbError::ora(
                    312,
                    format!(
                        "online log for thread 1 sequence {seq} needed for crash recovery is no longer online"
                    ),
                ));
            };
            let Some(c) = self.read_group_best(g.group, seq)? else {
                let paths: Vec<String> = g.members.iter().map(|m| m.path.clone()).collect();
                let s = ora::log_group_unreadable(g.group, 1, &paths);
                self.alert(format!("Aborting crash recovery due to error 313\n{s}"));
                return Err(DbError::Ora(s));
            };
            blocks += c.blocks_read;
            if seq == t.current_seq {
                debug_assert!(g.status == LogStatus::Current);
                self.log = Some(LogWriter {
                    header: c.header,
                    group: g.group,
                    next_block: c.end_block,
                    buf: Vec::new(),
                    buf_scn: 0,
                });
            }
            let from = if seq == t.ckpt.rba.seq {
                t.ckpt.rba.block
            } else {
                0
            };
            records.extend(c.records.into_iter().filter(|r| r.rba.block >= from));
        }
        Ok((records, blocks))
    }

    fn second_pass(
        &mut self,
        records: &[ReadRecord],
        need: &BTreeMap<Dba, Scn>,
        report: &mut CrashRecoveryReport,
    ) -> DbResult<BTreeMap<Dba, Slot>> {
        let bs = self.p.db_block_size;
        let ignore = self.p.planted(Plant::IgnoreTail);
        let mut blocks: BTreeMap<Dba, Slot> = BTreeMap::new();
        for r in records {
            // One record may change a block several times, all at the record's
            // SCN: whether it applies is decided once, at its first change.
            let mut decided: BTreeMap<Dba, bool> = BTreeMap::new();
            for c in &r.record.changes {
                let dba = (c.file, c.block);
                if !need.contains_key(&dba) {
                    continue;
                }
                // Crash recovery recovers the online files only (an offline
                // one comes back through media recovery).
                let Some(path) = self
                    .cf()
                    .datafile(c.file)
                    .filter(|d| d.status == crate::controlfile::FileStatus::Online)
                    .map(|d| d.name.clone())
                else {
                    continue;
                };
                let slot = match blocks.entry(dba) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        let read =
                            datafile::read_block(&mut self.io, &path, c.file, c.block, bs, ignore)
                                .map_err(io_fatal)?;
                        e.insert(match read {
                            Ok(b) => Slot::Good(b),
                            Err(_) => Slot::Corrupt,
                        })
                    }
                };
                if let Slot::Corrupt = slot {
                    if !c.op.formats_block() {
                        continue;
                    }
                    *slot =
                        Slot::Good(Block::new(c.file, c.block, crate::block::Body::Unformatted));
                    decided.insert(dba, true);
                    if matches!(c.op, Op::Image { .. }) {
                        report.repaired_from_image.push(dba);
                    }
                }
                let Slot::Good(b) = slot else { unreachable!() };
                // Skip a change the block already has (S-CR-2).
                if !*decided.entry(dba).or_insert(r.record.scn > b.scn) {
                    continue;
                }
                if redo::apply(b, &c.op, r.record.scn).is_err() {
                    *slot = Slot::Corrupt;
                    continue;
                }
                report.changes_applied += 1;
            }
        }
        Ok(blocks)
    }
}

/// First pass: the blocks changed after the checkpoint, minus those a
/// block-written record shows were written after their last change.
fn first_pass(records: &[ReadRecord]) -> BTreeMap<Dba, Scn> {
    let mut need: BTreeMap<Dba, Scn> = BTreeMap::new();
    for r in records {
        for c in &r.record.changes {
            need.insert((c.file, c.block), r.record.scn);
        }
        for m in &r.record.markers {
            if let Marker::BlockWritten { file, block, scn } = m
                && need.get(&(*file, *block)).is_some_and(|last| *last <= *scn)
            {
                need.remove(&(*file, *block));
            }
        }
    }
    need
}
