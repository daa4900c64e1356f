//! The control file (S-FILE-3), multiplexed over 1–3 copies.
//!
//! Each copy holds two slots at fixed offsets. An update writes the whole
//! control file into the slot not holding the latest version, with a
//! sequence number (the control-file version) and a checksum, then syncs.
//! A reader takes the valid slot with the higher sequence. This models
//! Oracle's control-file transactions: an update torn by a power loss leaves
//! the copy at its previous version, never unreadable. Copies are written one
//! after another, each synced before the next, so after a power loss at most
//! one copy is a version behind the others; such copies "disagree" and fail
//! the mount with ORA-00214 until the DBA replicates the newest one.

use serde::{Deserialize, Serialize};

use crate::datafile::Incarnation;
use crate::scn::{Rba, Scn, SimTime};
use crate::storage::{IoResult, Storage};

/// Bytes reserved for each slot of a copy.
pub const SLOT_BYTES: u64 = 64 * 1024;
const MAGIC: u32 = 0x4354_4c31; // "CTL1"
const SLOT_HEADER: usize = 20;
/// Records kept in the circular log history and archived-log sections.
pub const MAX_HISTORY: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileStatus {
    Online,
    Offline,
    Recover,
    ReadOnly,
}

/// One datafile record (ORACLE_NOTES §1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatafileRecord {
    pub file_no: u32,
    pub name: String,
    pub tablespace: String,
    pub blocks: u32,
    pub status: FileStatus,
    pub creation_scn: Scn,
    pub ckpt_scn: Scn,
    pub ckpt_counter: u64,
    /// None = infinite (open read-write); set at a clean close.
    pub stop_scn: Option<Scn>,
    /// The last offline range (offline SCN, online checkpoint SCN).
    pub offline_range: Option<(Scn, Scn)>,
    /// In hot-backup mode since this SCN (v$backup ACTIVE, CHANGE#): the
    /// header's checkpoint SCN stays frozen at it while the counter and this
    /// record's checkpoint move on (S-BK-2).
    #[serde(default)]
    pub backup_scn: Option<Scn>,
    /// The last backup mode ended without an end-backup marker in the redo
    /// (END BACKUP at MOUNT after a crash, or media recovery ending it), the
    /// file being current at this SCN: a copy taken during that backup is
    /// consistent once complete recovery has applied the redo past it.
    #[serde(default)]
    pub backup_end_scn: Option<Scn>,
    /// Taken offline FOR DROP: an OPEN RESETLOGS may leave it behind (the
    /// file is lost to the new incarnation) instead of refusing with
    /// ORA-01245. Bringing it online again clears it.
    #[serde(default)]
    pub offline_drop: bool,
}

/// A thread checkpoint: an SCN and where the thread's redo stood then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThreadCheckpoint {
    pub scn: Scn,
    pub time: SimTime,
    pub rba: Rba,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadRecord {
    pub thread: u32,
    pub enabled: bool,
    /// Marked open while an instance has the thread open; still open after
    /// a crash, which is how OPEN knows crash recovery is needed (S-CR-1).
    pub open: bool,
    pub ckpt: ThreadCheckpoint,
    pub current_seq: u32,
    pub current_group: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogStatus {
    Unused,
    Current,
    /// Not current, still needed for crash recovery (not yet checkpointed).
    Active,
    Inactive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberStatus {
    Valid,
    /// Could not be opened or written; no longer used until re-created.
    Invalid,
    /// Re-created: holds nothing yet; valid from the group's next use.
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMember {
    pub path: String,
    pub status: MemberStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGroupRecord {
    pub group: u32,
    pub thread: u32,
    pub seq: u32,
    pub status: LogStatus,
    pub first_scn: Scn,
    pub first_time: SimTime,
    /// Set when the log is switched out.
    pub next_scn: Option<Scn>,
    pub archived: bool,
    pub members: Vec<LogMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHistoryRecord {
    pub thread: u32,
    pub seq: u32,
    pub first_scn: Scn,
    pub first_time: SimTime,
    pub next_scn: Scn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedLogRecord {
    pub thread: u32,
    pub seq: u32,
    pub incarnation: Incarnation,
    pub name: String,
    pub first_scn: Scn,
    pub next_scn: Scn,
    pub completion_time: SimTime,
}

/// A block recorded as corrupt (v$database_block_corruption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorruptBlockRecord {
    pub file_no: u32,
    pub block: u32,
    pub corruption_scn: Scn,
    pub kind: String,
}

/// An RMAN backup record (used from the backup issue on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRecord {
    pub key: u32,
    pub handle: String,
    pub file_no: u32,
    pub ckpt_scn: Scn,
    pub absolute_fuzzy_scn: Scn,
    pub level: Option<u8>,
    pub completion_time: SimTime,
}

/// The whole control file, as one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlFile {
    pub db_name: String,
    pub dbid: u32,
    pub incarnation: Incarnation,
    pub prior_incarnations: Vec<Incarnation>,
    pub archivelog: bool,
    /// A backup control file (vs the current one).
    pub is_backup: bool,
    pub threads: Vec<ThreadRecord>,
    pub datafiles: Vec<DatafileRecord>,
    pub log_groups: Vec<LogGroupRecord>,
    pub log_history: Vec<LogHistoryRecord>,
    pub archived_logs: Vec<ArchivedLogRecord>,
    pub corrupt_blocks: Vec<CorruptBlockRecord>,
    pub backups: Vec<BackupRecord>,
    /// An incomplete recovery (or any recovery with a backup control file)
    /// ended here: every change below this SCN is in the files, none at or
    /// above. OPEN must then say RESETLOGS (the resetlogs SCN becomes this
    /// point) or, with a current control file, NORESETLOGS followed by a
    /// complete recovery (S-OPEN-2, S-OPEN-5).
    #[serde(default)]
    pub incomplete_recovery: Option<Scn>,
    /// That recovery stopped at a CANCEL: files left behind others need
    /// more recovery (ORA-01194) rather than being too new (ORA-01152).
    #[serde(default)]
    pub recovery_cancelled: bool,
    /// OPEN RESETLOGS began and has not finished: the incarnation it is
    /// creating. Only OPEN RESETLOGS may open now (ORA-01588); it carries
    /// on from where the power loss stopped it.
    #[serde(default)]
    pub resetlogs_pending: Option<Incarnation>,
    /// The control-file version: bumped by every update.
    pub version: u64,
}

impl DatafileRecord {
    /// An online file's record with nothing known yet: no checkpoint, no
    /// stop SCN, no offline range or backup mode.
    pub fn new(file_no: u32, name: &str, tablespace: &str, blocks: u32) -> DatafileRecord {
        DatafileRecord {
            file_no,
            name: name.to_string(),
            tablespace: tablespace.to_string(),
            blocks,
            status: FileStatus::Online,
            creation_scn: 0,
            ckpt_scn: 0,
            ckpt_counter: 0,
            stop_scn: None,
            offline_range: None,
            backup_scn: None,
            backup_end_scn: None,
            offline_drop: false,
        }
    }
}

impl LogMember {
    /// A member in use.
    pub fn valid(path: &str) -> LogMember {
        LogMember {
            path: path.to_string(),
            status: MemberStatus::Valid,
        }
    }
}

impl ControlFile {
    /// A control file with one thread and nothing else recorded: no
    /// datafile, log group or history yet, no prior incarnation, current
    /// (not a backup), at version 1. CREATE DATABASE and CREATE CONTROLFILE
    /// fill in the rest.
    pub fn new(
        db_name: &str,
        dbid: u32,
        incarnation: Incarnation,
        archivelog: bool,
        thread: ThreadRecord,
    ) -> ControlFile {
        ControlFile {
            db_name: db_name.to_string(),
            dbid,
            incarnation,
            prior_incarnations: Vec::new(),
            archivelog,
            is_backup: false,
            threads: vec![thread],
            datafiles: Vec::new(),
            log_groups: Vec::new(),
            log_history: Vec::new(),
            archived_logs: Vec::new(),
            corrupt_blocks: Vec::new(),
            backups: Vec::new(),
            incomplete_recovery: None,
            recovery_cancelled: false,
            resetlogs_pending: None,
            version: 1,
        }
    }

    /// Where redo of `inc` stops being this database's history: the
    /// resetlogs SCN of the incarnation that branched from it, when `inc`
    /// is a direct ancestor of the current one (ORACLE_NOTES §8.1). None for
    /// the current incarnation and for one not in this line (an orphan, or
    /// one this control file never knew).
    pub fn branch_point(&self, inc: Incarnation) -> Option<Scn> {
        self.child_of(inc).map(|c| c.resetlogs_scn)
    }
    /// The incarnation that followed `inc` in this line (see
    /// [`ControlFile::branch_point`]).
    pub fn child_of(&self, inc: Incarnation) -> Option<Incarnation> {
        let line = &self.prior_incarnations;
        let i = line.iter().position(|p| *p == inc)?;
        Some(*line.get(i + 1).unwrap_or(&self.incarnation))
    }
    /// Every online log member's name, group by group.
    pub fn member_paths(&self) -> Vec<String> {
        self.log_groups
            .iter()
            .flat_map(|g| g.members.iter().map(|m| m.path.clone()))
            .collect()
    }
    pub fn datafile(&self, file_no: u32) -> Option<&DatafileRecord> {
        self.datafiles.iter().find(|d| d.file_no == file_no)
    }
    pub fn datafile_mut(&mut self, file_no: u32) -> Option<&mut DatafileRecord> {
        self.datafiles.iter_mut().find(|d| d.file_no == file_no)
    }
    pub fn group(&self, group: u32) -> Option<&LogGroupRecord> {
        self.log_groups.iter().find(|g| g.group == group)
    }
    pub fn group_mut(&mut self, group: u32) -> Option<&mut LogGroupRecord> {
        self.log_groups.iter_mut().find(|g| g.group == group)
    }
    /// The online group now holding (thread, seq), if any.
    pub fn group_with_seq(&self, thread: u32, seq: u32) -> Option<&LogGroupRecord> {
        self.log_groups
            .iter()
            .find(|g| g.thread == thread && g.seq == seq && g.status != LogStatus::Unused)
    }
    pub fn thread(&self, thread: u32) -> &ThreadRecord {
        self.threads
            .iter()
            .find(|t| t.thread == thread)
            .expect("thread exists")
    }
    pub fn thread_mut(&mut self, thread: u32) -> &mut ThreadRecord {
        self.threads
            .iter_mut()
            .find(|t| t.thread == thread)
            .expect("thread exists")
    }
    pub fn push_history(&mut self, r: LogHistoryRecord) {
        if self.log_history.len() >= MAX_HISTORY {
            self.log_history.remove(0);
        }
        self.log_history.push(r);
    }
    pub fn push_archived(&mut self, r: ArchivedLogRecord) {
        if self.archived_logs.len() >= MAX_HISTORY {
            self.archived_logs.remove(0);
        }
        self.archived_logs.push(r);
    }
}

/// What one copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyState {
    Missing,
    /// Neither slot is valid.
    Corrupt,
    Valid(Box<ControlFile>),
}

fn decode_slot(buf: &[u8]) -> Option<ControlFile> {
    let u32_at = |o: usize| u32::from_le_bytes(buf[o..o + 4].try_into().expect("4 bytes"));
    if u32_at(0) != MAGIC {
        return None;
    }
    let version = u64::from_le_bytes(buf[4..12].try_into().expect("8 bytes"));
    let len = u32_at(12) as usize;
    if SLOT_HEADER + len > buf.len() {
        return None;
    }
    let payload = &buf[SLOT_HEADER..SLOT_HEADER + len];
    if crc32fast::hash(payload) != u32_at(16) {
        return None;
    }
    let cf: ControlFile = postcard::from_bytes(payload).ok()?;
    (cf.version == version).then_some(cf)
}

/// Reads one copy: the valid slot with the highest version.
/// The highest version a copy's slot headers claim (None: no such file).
/// Cheap (two OS blocks); the claim holds only if [`read_copy`] decodes it.
pub fn claimed_version<S: Storage + ?Sized>(io: &mut S, path: &str) -> IoResult<Option<u64>> {
    if !io.exists(path) {
        return Ok(None);
    }
    let os = io.os_block_size();
    let mut best = 0;
    let mut buf = vec![0u8; os];
    for slot in 0..2u64 {
        io.read(path, slot * SLOT_BYTES, &mut buf)?;
        best = best.max(u64::from_le_bytes(buf[4..12].try_into().expect("8 bytes")));
    }
    Ok(Some(best))
}

pub fn read_copy<S: Storage + ?Sized>(io: &mut S, path: &str) -> IoResult<CopyState> {
    if !io.exists(path) {
        return Ok(CopyState::Missing);
    }
    let os = io.os_block_size();
    // Each slot's first OS block says its version and length. The valid slot
    // with the highest version wins, so decode the slots newest first and
    // stop at the first valid one (a torn or stale header only costs a try).
    let mut heads = [vec![0u8; os], vec![0u8; os]];
    for (slot, buf) in heads.iter_mut().enumerate() {
        io.read(path, slot as u64 * SLOT_BYTES, buf)?;
    }
    let version = |b: &[u8]| u64::from_le_bytes(b[4..12].try_into().expect("8 bytes"));
    let mut order = [0usize, 1];
    if version(&heads[1]) > version(&heads[0]) {
        order = [1, 0];
    }
    for slot in order {
        let mut buf = std::mem::take(&mut heads[slot]);
        let len = u32::from_le_bytes(buf[12..16].try_into().expect("4 bytes")) as usize;
        let total = SLOT_HEADER.saturating_add(len).min(SLOT_BYTES as usize);
        if total > os {
            buf.resize(total.div_ceil(os) * os, 0);
            io.read(path, slot as u64 * SLOT_BYTES, &mut buf)?;
        }
        if let Some(cf) = decode_slot(&buf) {
            return Ok(CopyState::Valid(Box::new(cf)));
        }
    }
    Ok(CopyState::Corrupt)
}

/// Writes `cf` (whose `version` the caller has bumped) into one copy and
/// syncs it. The slot is chosen by version parity, so the previous version
/// stays intact in the other slot.
pub fn write_copy<S: Storage + ?Sized>(io: &mut S, path: &str, cf: &ControlFile) -> IoResult<()> {
    let payload = postcard::to_allocvec(cf).expect("control file serializes");
    let os = io.os_block_size();
    let total = (SLOT_HEADER + payload.len()).div_ceil(os) * os;
    assert!(
        total as u64 <= SLOT_BYTES,
        "control file of {total} bytes outgrew its slot"
    );
    let mut buf = vec![0u8; total];
    buf[0..4].copy_from_slice(&MAGIC.to_le_bytes());
    buf[4..12].copy_from_slice(&cf.version.to_le_bytes());
    buf[12..16].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    buf[16..20].copy_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    buf[SLOT_HEADER..SLOT_HEADER + payload.len()].copy_from_slice(&payload);
    io.write(path, (cf.version % 2) * SLOT_BYTES, &buf)?;
    io.sync(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::DbParams;
    use crate::storage::MemStorage;

    /// A created database's first control-file copy, and its path.
    fn created() -> (MemStorage, String, ControlFile) {
        let mut io = MemStorage::default();
        let p = DbParams::sim_default(2048, 2, 1, 1, 1);
        crate::create::create_database(&mut io, &p, 1).unwrap();
        let path = p.control_files[0].clone();
        let CopyState::Valid(cf) = read_copy(&mut io, &path).unwrap() else {
            panic!("a created control file is valid");
        };
        (io, path, *cf)
    }

    fn version(io: &mut MemStorage, path: &str) -> Option<u64> {
        match read_copy(io, path).unwrap() {
            CopyState::Valid(cf) => Some(cf.version),
            _ => None,
        }
    }

    /// The line of incarnations: each ancestor branches at its child's
    /// resetlogs SCN; the current one and an orphan have no branch point.
    #[test]
    fn ancestors_branch_at_their_childs_resetlogs_scn() {
        let (_, _, mut cf) = created();
        let inc = |scn| Incarnation {
            resetlogs_scn: scn,
            resetlogs_time: scn,
        };
        let (a, b, c) = (cf.incarnation, inc(100), inc(200));
        cf.prior_incarnations = vec![a, b];
        cf.incarnation = c;
        assert_eq!(cf.branch_point(a), Some(100));
        assert_eq!(cf.child_of(a), Some(b));
        assert_eq!(cf.branch_point(b), Some(200));
        assert_eq!(cf.child_of(b), Some(c));
        assert_eq!(cf.branch_point(c), None);
        assert_eq!(cf.branch_point(inc(150)), None);
    }

    /// S-CF: each update goes to the slot the previous version does not
    /// hold, so a torn update leaves the previous version readable.
    #[test]
    fn the_newest_valid_slot_wins_and_a_torn_one_falls_back() {
        let (mut io, path, mut cf) = created();
        let v = cf.version;
        for next in [v + 1, v + 2] {
            cf.version = next;
            write_copy(&mut io, &path, &cf).unwrap();
        }
        assert_eq!(version(&mut io, &path), Some(v + 2));
        // Tear the newest slot's payload: the previous version is read.
        let newest = ((v + 2) % 2 * SLOT_BYTES) as usize;
        io.poke(&path, newest + SLOT_HEADER + 3, &[0xff, 0x00, 0xee]);
        assert_eq!(version(&mut io, &path), Some(v + 1));
        // A header that claims a far newer version over garbage is passed over.
        io.poke(&path, newest + 4, &u64::MAX.to_le_bytes());
        assert_eq!(version(&mut io, &path), Some(v + 1));
        // Both slots bad: the copy is corrupt (ORA-00227 upstream).
        let older = ((v + 1) % 2 * SLOT_BYTES) as usize;
        io.poke(&path, older, &[0u8; 4]);
        assert_eq!(read_copy(&mut io, &path).unwrap(), CopyState::Corrupt);
        assert_eq!(
            read_copy(&mut io, "/nowhere/control09.ctl").unwrap(),
            CopyState::Missing
        );
    }
}
