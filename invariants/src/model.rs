//! The reference model: what the database must show.
//!
//! The simulator tells the model every acknowledged commit, every rollback
//! and every fault with what it destroyed. Values written by the workload are
//! unique strings, so a visible value names the transaction that wrote it:
//! the checks can tell a lost commit (INV-DATA-1) from a visible uncommitted
//! change (INV-DATA-2).

use std::collections::{BTreeMap, BTreeSet};

use engine::block::Xid;
use engine::cache::Dba;
use engine::scn::Scn;

/// A transaction the model is following.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenTxn {
    pub xid: Option<Xid>,
    /// The latest value written to each key (None = deleted).
    pub writes: BTreeMap<u64, Option<String>>,
}

/// A commit that was issued but not acknowledged when the power failed: it
/// may or may not have reached durable redo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InDoubt {
    pub xid: Xid,
    pub writes: BTreeMap<u64, Option<String>>,
}

/// A backup of one datafile the DBA took: where the copy is and the
/// checkpoint SCN of its header (a hot backup's is the begin-backup SCN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupTaken {
    pub path: String,
    pub file_no: u32,
    pub ckpt_scn: Scn,
}

/// The model of one run.
#[derive(Debug, Clone, Default)]
pub struct Model {
    committed: BTreeMap<u64, String>,
    open: BTreeMap<u32, OpenTxn>,
    committing: Option<u32>,
    in_doubt: Vec<InDoubt>,
    /// Values written by transactions that never committed.
    uncommitted: BTreeSet<String>,
    /// Commits with their SCN, in SCN order: every acknowledged one, and
    /// every in-doubt one the durable redo decided committed (its commit
    /// record's SCN).
    pub commits: Vec<(Scn, Xid)>,
    /// What each of those commits wrote, in commit-SCN order (for the state
    /// at a point in time).
    history: Vec<(Scn, BTreeMap<u64, Option<String>>)>,
    /// Every backup the DBA took of a datafile, in order.
    backups: Vec<BackupTaken>,
    /// The SCN range [first, next) of each log sequence, by (incarnation
    /// id, sequence), from the control file's log history and archived-log
    /// records ([`Model::note_logs`]).
    log_ranges: BTreeMap<(u64, u32), (Scn, Scn)>,
    /// Blocks a power loss tore (or garbled) whose durable copy has not been
    /// rewritten or repaired since ([`Model::prune_repaired`]). An excuse
    /// for ORA-01578 at the crash instant always; after a recovery only
    /// with torn-block protection off (S-LOSS-7).
    pub torn: BTreeSet<Dba>,
    /// Blocks a rot fault corrupted (no power loss): excused until repaired.
    pub rotted: BTreeSet<Dba>,
    /// The run's torn-block protection: crash recovery must then repair
    /// every torn block from its logged image.
    pub torn_block_protection: bool,
    /// Files a fault removed (and not since put back).
    pub lost_files: BTreeSet<String>,
    /// Files a power loss struck while a write to them was in flight (a
    /// pending write, or the I/O the armed crash point failed), since they
    /// were last made whole: a control-file copy or log member so damaged
    /// explains ORA-00214/00227/00313 about it.
    pub struck_files: BTreeSet<String>,
    /// The control-file copies (CONTROL_FILES), to tell a control-file
    /// update struck by a power loss.
    pub controlfile_paths: Vec<String>,
    /// Files a power loss garbled (a write in flight came back as garbage).
    pub garbled_files: BTreeSet<String>,
    /// A stale copy of the control file was put back as current: it
    /// explains OPEN refusing with ORA-01207 / ORA-00338 / ORA-00314.
    pub stale_controlfile: Option<String>,
    /// Log sequences whose group was cleared before it was archived (ALTER
    /// DATABASE CLEAR UNARCHIVED LOGFILE): a gap the DBA chose.
    pub cleared_unarchived: BTreeSet<u32>,
    /// Sequences (with their incarnation's id) INV-LOG-1 found archived:
    /// read once, not at every check.
    pub archived_seen: BTreeSet<(u64, u32)>,
    /// Per incarnation's id, the sequence up to which every one is in
    /// `archived_seen` or `cleared_unarchived`: INV-LOG-1 starts after it,
    /// so a check costs the sequences since, not every one of the run.
    pub archived_through: BTreeMap<u64, u32>,
    /// The highest SCN the model saw the engine hand out (INV-BLK-3).
    pub max_scn_seen: Scn,
    pub power_losses: u64,
    /// The highest header checkpoint SCN seen per datafile (INV-CKPT-2).
    pub header_ckpt: BTreeMap<u32, Scn>,
    /// Where INV-CKPT-2 last read each datafile's header: a file the
    /// control file now names elsewhere was re-created there (CREATE
    /// DATAFILE … AS), a new file whose floor starts afresh.
    pub header_path: BTreeMap<u32, String>,
    /// Datafile paths the DBA copied a backup over ([`Model::restored`])
    /// whose new header INV-CKPT-2 has not read yet: it may be lower.
    pub restores: BTreeSet<String>,
    /// Datafiles (by number) a fault or the DBA left needing media
    /// recovery: restored from a copy, in hot-backup mode when the instance
    /// died, a media recovery cut short, taken offline to be restored. They
    /// explain ORA-01113 / ORA-10873 at OPEN and ORA-00376 on their rows;
    /// each leaves the set when the file is online and recovered again.
    pub media_needed: BTreeSet<u32>,
    /// Archived logs (by name) a fault destroyed, or sequences whose log
    /// was cleared unarchived: a recovery that needs one stops with
    /// ORA-00308, explained.
    pub lost_archives: BTreeSet<String>,
    /// Datafile paths restored from a backup whose header has not caught up
    /// with its control-file record since (INV-CKPT-2 sees it match): until
    /// media recovery, such a file may be behind its record and fuzzy
    /// (INV-CF-2, INV-FUZZY-1 do not hold it against the engine).
    pub unrecovered: BTreeSet<String>,
}

impl Model {
    pub fn new() -> Model {
        Model::default()
    }

    /// A row change the engine accepted (returned Ok).
    pub fn write(&mut self, sid: u32, xid: Xid, k: u64, v: Option<String>) {
        let t = self.open.entry(sid).or_default();
        t.xid = Some(xid);
        t.writes.insert(k, v);
    }

    /// The session is about to COMMIT: until acknowledged, it is in flight.
    pub fn commit_issued(&mut self, sid: u32) {
        self.committing = Some(sid);
    }

    /// COMMIT returned: the transaction's changes are the committed state.
    pub fn commit_acked(&mut self, sid: u32, scn: Option<Scn>) {
        self.committing = None;
        if let Some(t) = self.open.remove(&sid) {
            if let (Some(scn), Some(x)) = (scn, t.xid) {
                self.record_commit(scn, x, t.writes.clone());
            }
            for (k, v) in t.writes {
                match v {
                    Some(v) => self.committed.insert(k, v),
                    None => self.committed.remove(&k),
                };
            }
        }
    }

    /// COMMIT failed with an error: the transaction stays open.
    pub fn commit_failed(&mut self, sid: u32) {
        if self.committing == Some(sid) {
            self.committing = None;
        }
    }

    /// ROLLBACK (by the session, or by SHUTDOWN IMMEDIATE).
    pub fn rollback(&mut self, sid: u32) {
        if self.committing == Some(sid) {
            self.committing = None;
        }
        if let Some(t) = self.open.remove(&sid) {
            self.uncommitted.extend(t.writes.into_values().flatten());
        }
    }

    /// The instance died: open transactions die with it, an in-flight commit
    /// becomes in doubt.
    pub fn instance_died(&mut self) {
        if let Some(sid) = self.committing.take()
            && let Some(t) = self.open.remove(&sid)
            && let Some(xid) = t.xid
        {
            self.in_doubt.push(InDoubt {
                xid,
                writes: t.writes,
            });
        }
        for (_, t) in std::mem::take(&mut self.open) {
            self.uncommitted.extend(t.writes.into_values().flatten());
        }
    }

    /// A commit at `scn`, in SCN order in the history.
    fn record_commit(&mut self, scn: Scn, xid: Xid, writes: BTreeMap<u64, Option<String>>) {
        let at = self.commits.partition_point(|(s, _)| *s <= scn);
        self.commits.insert(at, (scn, xid));
        let at = self.history.partition_point(|(s, _)| *s <= scn);
        self.history.insert(at, (scn, writes));
    }

    /// Decides the in-doubt commits from the durable redo (`durable_commits`:
    /// each transaction whose commit record survived, with that record's
    /// SCN): a commit whose record survived must be there after recovery,
    /// at that SCN in the history; one whose record did not must not
    /// (INV-DATA-2). Returns how many were found committed and how many not.
    pub fn resolve_in_doubt(&mut self, durable_commits: &BTreeMap<Xid, Scn>) -> (usize, usize) {
        let mut counts = (0, 0);
        for d in std::mem::take(&mut self.in_doubt) {
            if let Some(&scn) = durable_commits.get(&d.xid) {
                counts.0 += 1;
                self.record_commit(scn, d.xid, d.writes.clone());
                for (k, v) in d.writes {
                    match v {
                        Some(v) => self.committed.insert(k, v),
                        None => self.committed.remove(&k),
                    };
                }
            } else {
                counts.1 += 1;
                self.uncommitted.extend(d.writes.into_values().flatten());
            }
        }
        counts
    }

    /// OPEN RESETLOGS at `point` started a new incarnation: the branch
    /// after the point is abandoned, so its commits count as never made
    /// (their values seen again are uncommitted changes, INV-DATA-2), and
    /// the committed state is the state at the point (INV-DATA-3). Header
    /// checkpoints start afresh with the incarnation (INV-CKPT-2).
    pub fn resetlogs(&mut self, point: Scn) {
        let keep = self.history.partition_point(|(s, _)| *s < point);
        for (_, writes) in self.history.drain(keep..) {
            self.uncommitted.extend(writes.into_values().flatten());
        }
        let keep = self.commits.partition_point(|(s, _)| *s < point);
        self.commits.truncate(keep);
        // Anything no commit kept is uncommitted now, even a value a kept
        // commit wrote that an abandoned one overwrote and is gone.
        self.committed = self.state_at(point);
        for v in self.committed.values() {
            self.uncommitted.remove(v);
        }
        self.in_doubt.clear();
        // Copies with changes past the point hold the abandoned branch;
        // the others may still be recovered through the RESETLOGS (10g).
        self.backups.retain(|b| b.ckpt_scn <= point);
        self.header_ckpt.clear();
        self.header_path.clear();
        self.restores.clear();
        self.unrecovered.clear();
        self.media_needed.clear();
    }

    /// Whether a corrupt block is explained: a rot fault, or a tear by a
    /// power loss — before recovery always, after it only without
    /// torn-block protection (recovery must repair it from its image).
    pub fn excuses_corrupt(&self, dba: Dba, after_recovery: bool) -> bool {
        self.rotted.contains(&dba)
            || (self.torn.contains(&dba) && (!after_recovery || !self.torn_block_protection))
    }

    /// Ends the excuse of every torn or rotted block whose durable copy now
    /// reads valid (`valid`): it was rewritten or repaired, so a later
    /// corruption needs a fault of its own.
    pub fn prune_repaired(&mut self, mut valid: impl FnMut(Dba) -> bool) {
        self.torn.retain(|d| !valid(*d));
        self.rotted.retain(|d| !valid(*d));
    }

    /// The DBA copied a backup over the datafile at `path` (`host cp`): its
    /// header checkpoint may legitimately go down, once, until INV-CKPT-2
    /// has read the restored header.
    pub fn restored(&mut self, path: &str) {
        self.restores.insert(path.to_string());
        self.unrecovered.insert(path.to_string());
    }

    /// The DBA took a backup of datafile `file_no` to `path`; its header's
    /// checkpoint SCN is `ckpt_scn`.
    pub fn backup_taken(&mut self, path: &str, file_no: u32, ckpt_scn: Scn) {
        self.backups.push(BackupTaken {
            path: path.to_string(),
            file_no,
            ckpt_scn,
        });
    }

    /// Every backup taken, in order.
    pub fn backups(&self) -> &[BackupTaken] {
        &self.backups
    }

    /// The newest backup taken to `path`.
    pub fn backup_at(&self, path: &str) -> Option<&BackupTaken> {
        self.backups.iter().rev().find(|b| b.path == path)
    }

    /// Learns the SCN range of every log sequence a control file records
    /// (log history of its incarnation, archived logs of each). Cheap; call
    /// it whenever a control file is at hand. A range once learnt is kept
    /// after the control file's circular sections forget it.
    pub fn note_logs(&mut self, cf: &engine::controlfile::ControlFile) {
        let inc = cf.incarnation.id();
        for h in &cf.log_history {
            self.log_ranges
                .insert((inc, h.seq), (h.first_scn, h.next_scn));
        }
        for a in &cf.archived_logs {
            self.log_ranges
                .insert((a.incarnation.id(), a.seq), (a.first_scn, a.next_scn));
        }
    }

    /// The SCN range [first, next) of sequence `seq` of incarnation `inc`.
    pub fn log_range(&self, inc: u64, seq: u32) -> Option<(Scn, Scn)> {
        self.log_ranges.get(&(inc, seq)).copied()
    }

    /// The newest sequence of incarnation `inc` whose range is known.
    pub fn last_log_seq(&self, inc: u64) -> Option<u32> {
        self.log_ranges
            .range((inc, 0)..=(inc, u32::MAX))
            .next_back()
            .map(|((_, seq), _)| *seq)
    }

    /// The sequence of incarnation `inc` whose range holds `scn`.
    pub fn log_covering(&self, inc: u64, scn: Scn) -> Option<u32> {
        self.log_ranges
            .range((inc, 0)..=(inc, u32::MAX))
            .find(|(_, (first, next))| *first <= scn && scn < *next)
            .map(|((_, seq), _)| *seq)
    }

    /// Records an SCN the engine handed out.
    pub fn saw_scn(&mut self, scn: Scn) {
        self.max_scn_seen = self.max_scn_seen.max(scn);
    }

    pub fn has_in_doubt(&self) -> bool {
        !self.in_doubt.is_empty()
    }

    /// The committed state at SCN `scn`: every commit with a commit SCN
    /// below it (UNTIL CHANGE semantics, S-IR-1), acknowledged or decided
    /// from the durable redo at its commit record's SCN.
    pub fn state_at(&self, scn: Scn) -> BTreeMap<u64, String> {
        let mut state = BTreeMap::new();
        for (_, writes) in self.history.iter().filter(|(s, _)| *s < scn) {
            for (k, v) in writes {
                match v {
                    Some(v) => state.insert(*k, v.clone()),
                    None => state.remove(k),
                };
            }
        }
        state
    }

    /// The committed state: what a complete recovery must show.
    pub fn expected(&self) -> &BTreeMap<u64, String> {
        &self.committed
    }

    /// Whether `v` was written by a transaction that did not commit.
    pub fn is_uncommitted_value(&self, v: &str) -> bool {
        self.uncommitted.contains(v)
    }

    /// Open transactions by session (for the workload's own bookkeeping).
    pub fn open_sessions(&self) -> Vec<u32> {
        self.open.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_rollbacks_and_in_doubt() {
        let mut m = Model::new();
        m.write(1, 0x100, 1, Some("a".into()));
        m.commit_issued(1);
        m.commit_acked(1, Some(10));
        m.write(2, 0x101, 2, Some("b".into()));
        m.rollback(2);
        m.write(3, 0x102, 3, Some("c".into()));
        m.commit_issued(3);
        m.write(4, 0x103, 4, Some("d".into()));
        m.instance_died();
        assert!(m.has_in_doubt());
        m.resolve_in_doubt(&BTreeMap::from([(0x102, 15)]));
        assert_eq!(m.expected().get(&1).map(String::as_str), Some("a"));
        assert_eq!(m.expected().get(&3).map(String::as_str), Some("c"));
        assert!(m.is_uncommitted_value("b") && m.is_uncommitted_value("d"));
        assert!(!m.is_uncommitted_value("a"));
        m.write(5, 0x104, 1, Some("a2".into()));
        m.commit_issued(5);
        m.commit_acked(5, Some(20));
        assert_eq!(
            m.state_at(10).get(&1),
            None,
            "the commit at SCN 10 is not before SCN 10"
        );
        assert_eq!(m.state_at(11).get(&1).map(String::as_str), Some("a"));
        assert_eq!(m.state_at(21).get(&1).map(String::as_str), Some("a2"));
    }

    #[test]
    fn in_doubt_commits_decided_from_redo_have_their_record_scn() {
        let mut m = Model::new();
        m.write(1, 0x100, 1, Some("a".into()));
        m.commit_issued(1);
        m.commit_acked(1, Some(10));
        m.write(2, 0x101, 1, Some("b".into()));
        m.write(2, 0x101, 2, Some("c".into()));
        m.commit_issued(2);
        m.instance_died();
        // Its commit record is in the durable redo at SCN 14.
        assert_eq!(m.resolve_in_doubt(&BTreeMap::from([(0x101, 14)])), (1, 0));
        assert_eq!(m.state_at(14).get(&1).map(String::as_str), Some("a"));
        assert_eq!(m.state_at(14).get(&2), None);
        let at15 = m.state_at(15);
        assert_eq!(at15.get(&1).map(String::as_str), Some("b"));
        assert_eq!(at15.get(&2).map(String::as_str), Some("c"));
        assert_eq!(m.commits, vec![(10, 0x100), (14, 0x101)]);
        // One whose record did not survive has no place in the history.
        m.write(3, 0x102, 3, Some("d".into()));
        m.commit_issued(3);
        m.instance_died();
        assert_eq!(m.resolve_in_doubt(&BTreeMap::new()), (0, 1));
        assert_eq!(m.state_at(u64::MAX).get(&3), None);
        assert!(m.is_uncommitted_value("d"));
    }

    #[test]
    fn backups_and_log_ranges_are_recorded() {
        let mut m = Model::new();
        m.backup_taken("/bk/users01.dbf", 3, 1004);
        m.backup_taken("/bk/users01.dbf", 3, 1010);
        m.backup_taken("/bk/users02.dbf", 4, 1010);
        assert_eq!(m.backups().len(), 3);
        assert_eq!(m.backup_at("/bk/users01.dbf").unwrap().ckpt_scn, 1010);
        assert!(m.backup_at("/bk/none.dbf").is_none());

        let (p, mut io) = crate::testdb::closed_db();
        let cf = engine::inspect::newest_controlfile(&mut io, &p)
            .unwrap()
            .unwrap();
        m.note_logs(&cf);
        let inc = cf.incarnation.id();
        let h = &cf.log_history[0];
        assert_eq!(m.log_range(inc, h.seq), Some((h.first_scn, h.next_scn)));
        assert_eq!(m.log_covering(inc, h.first_scn), Some(h.seq));
        if h.next_scn > h.first_scn {
            assert_eq!(m.log_covering(inc, h.next_scn - 1), Some(h.seq));
        }
        assert_eq!(m.log_covering(inc + 1, h.first_scn), None);
    }
}
