//! The instance: startup and shutdown (S-INST-1), and the background
//! processes LGWR, DBWn, CKPT and ARCn as deterministic steps (S-INST-3..6).
//!
//! Nothing here runs on its own: every write happens inside a call, at the
//! trigger points the SPEC names (commit, one-third-full log buffer, a full
//! cache, a log switch, a checkpoint), or when the simulator calls a `*_tick`
//! entry point. So the order of all I/O is a function of the calls made.
//!
//! When an I/O fails with "power lost", or a control file or the whole
//! current log group cannot be written, the instance is dead: the call
//! returns [`DbError::Terminated`] and every later call fails the same way.

use std::collections::{BTreeMap, BTreeSet};

use crate::block::{self, Block, Body, Row, Uba, Xid};
use crate::cache::{Cache, Dba};
use crate::controlfile::{self, ControlFile, CopyState, LogStatus, MemberStatus};
use crate::datafile::{self, DatafileHeader, Incarnation};
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::params::{DbParams, Plant};
use crate::redo::{self, Change, LogHeader, Marker, REDO_BLOCK_HEADER, RedoRecord};
use crate::scn::{Rba, Scn, SimTime};
use crate::storage::{IoError, IoErrorKind, Storage, dir_of};

/// The instance state (S-INST-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbState {
    Shutdown,
    Nomount,
    Mount,
    Open,
    /// Terminated (power loss or fatal error): must be dropped.
    Dead,
}

/// SHUTDOWN modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ShutdownMode {
    Normal,
    Transactional,
    Immediate,
    Abort,
}

/// A line of the alert log, with the SCN current when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertLine {
    pub scn: Scn,
    pub text: String,
}

/// A session's open transaction.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    pub xid: Xid,
    pub slot: u32,
    pub last_uba: Option<Uba>,
    /// The undo block being filled.
    pub undo_block: Option<u32>,
    pub undo_blocks: Vec<u32>,
    /// The first before-image of each row it changed (for consistent reads).
    pub before: BTreeMap<u64, Option<Row>>,
}

/// LGWR's position in the current log and its buffer.
#[derive(Debug, Clone)]
pub(crate) struct LogWriter {
    pub header: LogHeader,
    pub group: u32,
    /// Next redo block to write.
    pub next_block: u32,
    /// Whole records not yet written.
    pub buf: Vec<u8>,
    /// Highest SCN in `buf`.
    pub buf_scn: Scn,
}

/// Which checkpoint: an ordinary one, the one that opens the thread, or the
/// one that closes it cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CkptKind {
    Normal,
    Open,
    Close,
}

/// The undo tablespace's file number and the undo segment header block.
pub const UNDO_FILE: u32 = 2;
pub const UNDO_HEADER_BLOCK: u32 = 1;

/// An Oracle instance over a storage.
#[derive(Debug)]
pub struct Instance<S: Storage> {
    pub(crate) io: S,
    pub(crate) p: DbParams,
    pub(crate) state: DbState,
    pub(crate) clock: SimTime,
    pub(crate) cf: Option<ControlFile>,
    pub(crate) headers: BTreeMap<u32, DatafileHeader>,
    /// Last SCN handed out.
    pub(crate) scn: Scn,
    /// Highest SCN whose redo is durable.
    pub(crate) flushed_scn: Scn,
    pub(crate) cache: Cache,
    pub(crate) log: Option<LogWriter>,
    pub(crate) txns: BTreeMap<u32, Txn>,
    pub(crate) locks: BTreeMap<u64, Xid>,
    pub(crate) undo_in_use: BTreeSet<u32>,
    pub(crate) undo_cursor: u32,
    pub(crate) slot_cursor: u32,
    pub(crate) pending_bwr: Vec<Marker>,
    pub(crate) alerts: Vec<AlertLine>,
    /// The checkpoint of the last log switch, not complete yet: its SCN (the
    /// new log's first SCN) and RBA. The old group stays ACTIVE until DBWn
    /// has written every buffer changed before that SCN (ORACLE_NOTES §2).
    pub(crate) pending_switch_ckpt: Option<(Scn, Rba)>,
    /// The buffer a block is read into before it is decoded (one per
    /// instance: reads through the cache do not allocate).
    pub(crate) read_buf: Vec<u8>,
    /// Files in hot-backup mode (their control-file records' `backup_scn`),
    /// kept here so the DML path asks a set, not the control file.
    pub(crate) in_backup: BTreeSet<u32>,
}

/// A datafile that cannot be opened: ORA-01116 + ORA-01110 + ORA-27041.
pub(crate) fn datafile_unopenable(file_no: u32, path: &str) -> OraStack {
    ora::with_file(
        OraStack::one(1116, format!("error in opening database file {file_no}")),
        file_no,
        path,
    )
    .then(27041, "unable to open file")
}

/// A write to a datafile failed: the power is gone (the instance with
/// it), or the file cannot be opened, which terminates the instance as
/// DBWn's or CKPT's write error does.
pub(crate) fn datafile_write_fatal(e: IoError, file_no: u32, path: &str) -> DbError {
    match e.kind {
        IoErrorKind::PowerLost => io_fatal(e),
        _ => DbError::Terminated {
            power_lost: false,
            stack: datafile_unopenable(file_no, path),
        },
    }
}

/// Turns a storage error into the instance's death when the power is gone.
pub(crate) fn io_fatal(e: IoError) -> DbError {
    DbError::Terminated {
        power_lost: e.kind == IoErrorKind::PowerLost,
        stack: if e.kind == IoErrorKind::PowerLost {
            OraStack::default()
        } else {
            OraStack::one(27041, format!("unable to open file: {e}"))
        },
    }
}

impl<S: Storage> Instance<S> {
    /// A shut-down instance over `io`, with its parameter file.
    pub fn new(p: DbParams, io: S) -> Instance<S> {
        Instance {
            io,
            p,
            state: DbState::Shutdown,
            clock: 0,
            cf: None,
            headers: BTreeMap::new(),
            scn: 0,
            flushed_scn: 0,
            cache: Cache::default(),
            log: None,
            txns: BTreeMap::new(),
            locks: BTreeMap::new(),
            undo_in_use: BTreeSet::new(),
            undo_cursor: 0,
            slot_cursor: 0,
            pending_bwr: Vec::new(),
            alerts: Vec::new(),
            pending_switch_ckpt: None,
            read_buf: Vec::new(),
            in_backup: BTreeSet::new(),
        }
    }

    pub fn params(&self) -> &DbParams {
        &self.p
    }
    pub fn state(&self) -> DbState {
        self.state
    }
    pub fn storage(&self) -> &S {
        &self.io
    }
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.io
    }
    /// Gives the storage back (after SHUTDOWN ABORT or a crash).
    pub fn into_storage(self) -> S {
        self.io
    }
    pub fn set_time(&mut self, t: SimTime) {
        self.clock = t;
    }
    pub fn current_scn(&self) -> Scn {
        self.scn
    }
    /// The alert log lines written since the last call.
    pub fn take_alerts(&mut self) -> Vec<AlertLine> {
        std::mem::take(&mut self.alerts)
    }

    pub(crate) fn alert(&mut self, text: impl Into<String>) {
        self.alerts.push(AlertLine {
            scn: self.scn,
            text: text.into(),
        });
    }

    pub(crate) fn cf(&self) -> &ControlFile {
        self.cf.as_ref().expect("control file is mounted")
    }
    /// Where datafile `file_no` lives: the control file's name for it (the
    /// control file, not the parameter file, is the source of truth).
    pub(crate) fn df_path(&self, file_no: u32) -> String {
        cf_path(self.cf.as_ref(), file_no)
    }

    /// A block of an offline file (or one whose recovery is pending) cannot
    /// be read: ORA-00376 + ORA-01110.
    pub(crate) fn check_available(&self, file_no: u32) -> DbResult<()> {
        let Some(rec) = self.cf.as_ref().and_then(|c| c.datafile(file_no)) else {
            return Ok(());
        };
        if self.state == DbState::Open
            && !matches!(
                rec.status,
                controlfile::FileStatus::Online | controlfile::FileStatus::ReadOnly
            )
        {
            return Err(DbError::Ora(ora::with_file(
                OraStack::one(376, format!("file {file_no} cannot be read at this time")),
                file_no,
                &rec.name,
            )));
        }
        Ok(())
    }

    /// The files the control file shows in hot-backup mode.
    pub(crate) fn files_in_backup(&self) -> BTreeSet<u32> {
        self.cf()
            .datafiles
            .iter()
            .filter(|d| d.backup_scn.is_some())
            .map(|d| d.file_no)
            .collect()
    }

    /// A block of a read-only file cannot change: ORA-00372 + ORA-01110.
    pub(crate) fn check_writable(&self, file_no: u32) -> DbResult<()> {
        if let Some(rec) = self.cf.as_ref().and_then(|c| c.datafile(file_no))
            && rec.status == controlfile::FileStatus::ReadOnly
        {
            return Err(DbError::Ora(ora::with_file(
                OraStack::one(
                    372,
                    format!("file {file_no} cannot be modified at this time"),
                ),
                file_no,
                &rec.name,
            )));
        }
        Ok(())
    }

    pub(crate) fn cf_mut(&mut self) -> &mut ControlFile {
        self.cf.as_mut().expect("control file is mounted")
    }

    /// Marks the instance dead on a fatal error, passing the error on.
    pub(crate) fn fatal<T>(&mut self, r: DbResult<T>) -> DbResult<T> {
        if let Err(e) = &r
            && e.is_terminated()
        {
            self.state = DbState::Dead;
        }
        r
    }

    pub(crate) fn require(&self, want: DbState) -> DbResult<()> {
        match self.state {
            s if s == want => Ok(()),
            DbState::Dead => Err(DbError::Terminated {
                power_lost: false,
                stack: OraStack::one(3135, "connection lost contact"),
            }),
            DbState::Shutdown => Err(DbError::ora(1034, "ORACLE not available")),
            DbState::Open if want == DbState::Mount => Err(DbError::ora(
                1531,
                "a database already open by the instance",
            )),
            _ if want == DbState::Open => Err(DbError::ora(1109, "database not open")),
            _ => Err(DbError::ora(1507, "database not mounted")),
        }
    }

    // ----- startup ---------------------------------------------------------

    /// STARTUP NOMOUNT: the parameter file is read.
    pub fn nomount(&mut self) -> DbResult<()> {
        self.require(DbState::Shutdown)?;
        self.state = DbState::Nomount;
        self.alert("Starting ORACLE instance (normal)");
        Ok(())
    }

    /// ALTER DATABASE MOUNT: read every control-file copy; they must all be
    /// present, readable and at the same version (S-FILE-3).
    pub fn mount(&mut self) -> DbResult<()> {
        self.require(DbState::Nomount)?;
        let r = self.read_controlfiles();
        let cf = match self.fatal(r) {
            Ok(cf) => cf,
            Err(e) => {
                if let DbError::Ora(s) = &e {
                    self.alert(s.to_string());
                }
                return Err(e);
            }
        };
        self.scn = self
            .scn
            .max(cf.threads.iter().map(|t| t.ckpt.scn).max().unwrap_or(0));
        self.cf = Some(cf);
        self.state = DbState::Mount;
        self.alert("Successful mount of redo thread 1, with mount id 1");
        self.alert("Completed: ALTER DATABASE MOUNT");
        Ok(())
    }

    fn read_controlfiles(&mut self) -> DbResult<ControlFile> {
        let mut best: Option<(String, ControlFile)> = None;
        for path in self.p.control_files.clone() {
            match controlfile::read_copy(&mut self.io, &path).map_err(io_fatal)? {
                CopyState::Missing => return Err(DbError::Ora(ora::controlfile_missing(&path))),
                CopyState::Corrupt => return Err(DbError::Ora(ora::controlfile_corrupt(&path))),
                CopyState::Valid(cf) => match &best {
                    None => best = Some((path, *cf)),
                    Some((bp, b)) if b.version != cf.version || *b != *cf => {
                        return Err(DbError::Ora(ora::controlfile_inconsistent(
                            &path, cf.version, bp, b.version,
                        )));
                    }
                    Some(_) => {}
                },
            }
        }
        best.map(|b| b.1).ok_or_else(|| {
            DbError::ora(
                205,
                "error in identifying control file, check alert log for more info",
            )
        })
    }

    /// STARTUP: NOMOUNT, MOUNT and OPEN.
    pub fn startup(&mut self) -> DbResult<()> {
        self.nomount()?;
        self.mount()?;
        self.open()
    }

    /// ALTER DATABASE OPEN (S-OPEN-1). Verifies every online datafile against
    /// the control file, runs crash recovery if the thread was left open
    /// (S-CR-1), opens the thread on a new log and rolls back the
    /// transactions that died with the last instance (S-TXN-3).
    pub fn open(&mut self) -> DbResult<()> {
        self.require(DbState::Mount)?;
        if self.cf().resetlogs_pending.is_some() {
            return Err(crate::resetlogs::must_resetlogs());
        }
        if self.cf().is_backup || self.cf().incomplete_recovery.is_some() {
            return Err(DbError::ora(
                1589,
                "must use RESETLOGS or NORESETLOGS option for database open",
            ));
        }
        self.open_checked(false)
    }

    /// The open itself, once the RESETLOGS question is settled. Right after
    /// a RESETLOGS the thread stays on the new incarnation's sequence 1.
    pub(crate) fn open_checked(&mut self, after_resetlogs: bool) -> DbResult<()> {
        let crashed = self.cf().thread(1).open;
        // Every check reads only: a refusal (a stale control file, a lost
        // log group) happens before anything on disk changes.
        let adopted = self.verify_datafiles()?;
        self.verify_online_logs()?;
        if adopted {
            // The control file catches up with an interrupted checkpoint
            // before any header moves again.
            let r = self.write_controlfile();
            self.fatal(r)?;
        }
        let r = self.open_thread(crashed, after_resetlogs);
        self.fatal(r)?;
        self.state = DbState::Open;
        let r = self.transaction_recovery();
        self.fatal(r)?;
        self.alert("Completed: ALTER DATABASE OPEN");
        Ok(())
    }

    /// S-OPEN-1: each online file's header against its control-file record.
    /// Returns whether a record adopted a header of an interrupted
    /// checkpoint (the control file must then be written).
    ///
    /// A header carries the control-file sequence (version) that was current
    /// when CKPT wrote it (Oracle's `kccfhcsq`). A header with a sequence
    /// above the control file's was written after this control file: the
    /// control file is an old copy (ORA-01122 + ORA-01110 + ORA-01207,
    /// S-CF-2). A checkpoint writes the headers, then the control file, so a
    /// power loss between leaves a header exactly one checkpoint ahead of
    /// its record, written under this control file's sequence or an earlier
    /// one: that one state is the interrupted checkpoint, and the record
    /// adopts the header. (A copy of the control file taken just before
    /// one checkpoint looks the same, and loses nothing: the checkpoint's
    /// own control-file write is the only thing it lacks.)
    fn verify_datafiles(&mut self) -> DbResult<bool> {
        let bs = self.p.db_block_size;
        let inc = self.cf().incarnation;
        let cf_seq = self.cf().version;
        let mut headers = BTreeMap::new();
        let mut adopted = false;
        let mut adoptions: Vec<(u32, Option<(u64, Scn)>)> = Vec::new();
        for rec in self.cf().datafiles.clone() {
            if rec.status != controlfile::FileStatus::Online {
                continue;
            }
            let h = match datafile::read_header(&mut self.io, &rec.name, rec.file_no, bs)
                .map_err(io_fatal)?
            {
                Ok(h) => h,
                Err(datafile::HeaderError::Missing) => {
                    return self.open_error(ora::cannot_identify(rec.file_no, &rec.name));
                }
                Err(_) => return self.open_error(ora::header_corrupt(rec.file_no, &rec.name)),
            };
            if h.incarnation != inc {
                // 10g: a file of an ancestor needs recovery through the
                // RESETLOGS; any other is of no use to this incarnation.
                let stack = if self.recoverable_through_resetlogs(&h) {
                    ora::needs_media_recovery(rec.file_no, &rec.name)
                } else {
                    ora::from_before_resetlogs(rec.file_no, &rec.name)
                };
                return self.open_error(stack);
            }
            if h.cf_seq > cf_seq {
                return self.open_error(ora::newer_than_controlfile(rec.file_no, &rec.name));
            }
            if h.fuzzy.hot_backup && self.p.release >= crate::params::Release::R10g {
                // 10g: a file left in backup mode by a crash says so.
                return self.open_error(ora::with_file(
                    OraStack::one(
                        10873,
                        format!(
                            "file {} needs to be either taken out of backup mode or media recovered",
                            rec.file_no
                        ),
                    ),
                    rec.file_no,
                    &rec.name,
                ));
            }
            if h.fuzzy.hot_backup || h.fuzzy.media_recovery || h.ckpt_counter < rec.ckpt_counter {
                return self.open_error(ora::needs_media_recovery(rec.file_no, &rec.name));
            }
            let interrupted_ckpt = h.ckpt_counter == rec.ckpt_counter + 1;
            if h.ckpt_counter > rec.ckpt_counter && !interrupted_ckpt {
                return self.open_error(ora::newer_than_controlfile(rec.file_no, &rec.name));
            }
            // Adopted only once every file passed: a refusal leaves the
            // control file in memory as it was read (a later write of it,
            // at MOUNT, must not carry a header that may not be durable).
            if interrupted_ckpt {
                adoptions.push((rec.file_no, Some((h.ckpt_counter, h.ckpt_scn))));
            }
            if rec.backup_scn.is_some() && !h.fuzzy.hot_backup {
                // END BACKUP wrote the header, then the power failed before
                // the control file: the file is out of backup mode.
                adoptions.push((rec.file_no, None));
            }
            self.scn = self.scn.max(h.ckpt_scn);
            headers.insert(rec.file_no, h);
        }
        for (file_no, ckpt) in adoptions {
            // The header read may still be in the page cache only (its
            // instance died before the sync): durable before it is trusted.
            let path = self.df_path(file_no);
            self.io.sync(&path).map_err(io_fatal)?;
            let r = self.cf_mut().datafile_mut(file_no).expect("record exists");
            match ckpt {
                Some((counter, scn)) => {
                    r.ckpt_counter = counter;
                    r.ckpt_scn = scn;
                }
                None => r.backup_scn = None,
            }
            adopted = true;
        }
        self.headers = headers;
        self.in_backup = self.files_in_backup();
        Ok(adopted)
    }

    fn open_error<T>(&mut self, s: OraStack) -> DbResult<T> {
        self.alert(
            format!("ORA-1113 signalled during: ALTER DATABASE OPEN...\n{s}")
                .replace("ORA-1113", &format!("ORA-{}", s.code())),
        );
        Err(DbError::Ora(s))
    }

    /// OPEN reads the header of every member of every online log group and
    /// checks it against the control file (thread, sequence, incarnation):
    /// - a member that is missing, unreadable or does not match is marked
    ///   INVALID (alert log: the ORA- stack) when its group has another
    ///   good member;
    /// - a group with no good member fails the open: ORA-00313 + ORA-00312
    ///   when its members are gone or unreadable, ORA-00338 when a header is
    ///   more recent than the control file (an old control file, S-CF-2),
    ///   ORA-00314 when it holds an older sequence, ORA-00322 when it
    ///   belongs to another database or incarnation.
    ///
    /// One mismatch is no error: a log switch writes the new log's header
    /// before the control file, so a power loss between leaves the next
    /// group with a header one sequence ahead, written under this control
    /// file's sequence (or an earlier one), and no redo yet: nothing was
    /// written into it. That log is simply used again.
    fn verify_online_logs(&mut self) -> DbResult<()> {
        let cf_seq = self.cf().version;
        let inc = self.cf().incarnation;
        let t = self.cf().thread(1).clone();
        let next_after_current = self.next_group(t.current_group);
        for g in self.cf().log_groups.clone() {
            let mut good = 0;
            let mut unreadable = Vec::new();
            let mut mismatch: Option<OraStack> = None;
            let mut bad_paths = Vec::new();
            for m in &g.members {
                if m.status == MemberStatus::Invalid {
                    unreadable.push(m.path.clone());
                    continue;
                }
                let read =
                    redo::read_log(&mut self.io, &m.path, self.p.log_blocks).map_err(io_fatal)?;
                let verdict = match read {
                    Err(redo::LogReadError::Missing) => Err(None),
                    // A re-created member (STALE) or a cleared group holds
                    // no header until the group's next use.
                    Err(_) if m.status == MemberStatus::Stale || g.status == LogStatus::Unused => {
                        Ok(())
                    }
                    Err(_) => Err(None),
                    Ok(c) => {
                        self.judge_log_header(&g, &c, cf_seq, inc, &t, next_after_current, &m.path)
                    }
                };
                match verdict {
                    Ok(()) => good += 1,
                    Err(None) => {
                        unreadable.push(m.path.clone());
                        bad_paths.push(m.path.clone());
                    }
                    Err(Some(stack)) => {
                        bad_paths.push(m.path.clone());
                        if mismatch.as_ref().is_none_or(|s| s.code() != 338) {
                            mismatch = Some(stack);
                        }
                    }
                }
            }
            if good == 0 {
                let stack = match mismatch {
                    Some(s) => s,
                    None => ora::log_group_unreadable(g.group, g.thread, &unreadable),
                };
                return self.open_error(stack);
            }
            if bad_paths.is_empty() {
                continue;
            }
            let stack = mismatch
                .unwrap_or_else(|| ora::log_group_unreadable(g.group, g.thread, &bad_paths));
            self.alert(format!("Errors in file (alert log):\n{stack}"));
            for m in self
                .cf_mut()
                .group_mut(g.group)
                .expect("group")
                .members
                .iter_mut()
            {
                if bad_paths.contains(&m.path) {
                    m.status = MemberStatus::Invalid;
                }
            }
        }
        Ok(())
    }

    /// One member's header against its group's record (see
    /// [`Self::verify_online_logs`]): `Err(Some(stack))` for a mismatch.
    #[allow(clippy::too_many_arguments)]
    fn judge_log_header(
        &self,
        g: &controlfile::LogGroupRecord,
        c: &redo::LogContents,
        cf_seq: u64,
        inc: Incarnation,
        t: &controlfile::ThreadRecord,
        next_after_current: u32,
        path: &str,
    ) -> Result<(), Option<OraStack>> {
        let h = &c.header;
        let member = |s: OraStack| {
            s.then(
                312,
                format!("online log {} thread {}: '{path}'", g.group, g.thread),
            )
        };
        if h.dbid != self.p.dbid || h.thread != g.thread || h.incarnation != inc {
            return Err(Some(member(OraStack::one(
                322,
                format!("log {} of thread {} is not current copy", g.group, g.thread),
            ))));
        }
        let more_recent = || {
            Err(Some(member(OraStack::one(
                338,
                format!(
                    "log {} of thread {} is more recent than control file",
                    g.group, g.thread
                ),
            ))))
        };
        // Written after this control file: it is an old copy.
        if h.cf_seq > cf_seq {
            return more_recent();
        }
        // An UNUSED group holds nothing anyone needs: members that still
        // hold an older sequence (a clear cut short before it rewrote them)
        // are simply used again. A sequence at or past the current one was
        // written after this control file (or is an interrupted switch).
        if g.status == LogStatus::Unused && h.seq < t.current_seq {
            return Ok(());
        }
        let expected = if g.status == LogStatus::Unused {
            0
        } else {
            g.seq
        };
        if h.seq == expected {
            return Ok(());
        }
        let interrupted_switch = g.group == next_after_current
            && h.seq == t.current_seq + 1
            && h.cf_seq <= cf_seq
            && c.records.is_empty();
        if interrupted_switch {
            return Ok(());
        }
        if h.seq > expected {
            return more_recent();
        }
        Err(Some(member(OraStack::one(
            314,
            format!(
                "log {} of thread {}, expected sequence# {expected} doesn't match {}",
                g.group, g.thread, h.seq
            ),
        ))))
    }

    /// Recovers if needed, checkpoints with the thread open, and moves to a
    /// new log so redo written after this open never shares a log with redo
    /// of the previous instance (whose members may differ in their tails).
    fn open_thread(&mut self, crashed: bool, after_resetlogs: bool) -> DbResult<()> {
        if crashed {
            self.crash_recovery()?;
            self.resilver_members()?;
        } else {
            self.position_log_writer()?;
        }
        self.checkpoint_kind(CkptKind::Open)?;
        if !after_resetlogs {
            self.switch_log("open")?;
        }
        if crashed {
            self.log_change(|_| (Vec::new(), vec![Marker::CrashRecoveryEnd]))?;
            self.lgwr_flush()?;
            self.alert("Crash recovery completed successfully");
        }
        let seq = self.log.as_ref().expect("log writer").header.seq;
        self.alert(format!("Thread 1 opened at log sequence {seq}"));
        Ok(())
    }

    /// Reads the current log to find where its redo ends (clean open).
    pub(crate) fn position_log_writer(&mut self) -> DbResult<()> {
        let t = self.cf().thread(1).clone();
        let contents = self.read_group_best(t.current_group, t.current_seq)?;
        let header = contents.as_ref().map(|c| c.header);
        let header = match header {
            Some(h) => h,
            None => {
                let g = self
                    .cf()
                    .group(t.current_group)
                    .expect("current group")
                    .clone();
                let paths: Vec<String> = g.members.iter().map(|m| m.path.clone()).collect();
                return Err(DbError::Ora(ora::log_group_unreadable(g.group, 1, &paths)));
            }
        };
        let end = contents.map_or(1, |c| c.end_block);
        for r in self.cf().log_groups.iter() {
            debug_assert!(r.status != LogStatus::Current || r.group == t.current_group);
        }
        self.log = Some(LogWriter {
            header,
            group: t.current_group,
            next_block: end,
            buf: Vec::new(),
            buf_scn: 0,
        });
        Ok(())
    }

    /// The readable member of a group holding `seq` with the most redo.
    pub(crate) fn read_group_best(
        &mut self,
        group: u32,
        seq: u32,
    ) -> DbResult<Option<redo::LogContents>> {
        let g = self.cf().group(group).expect("group exists").clone();
        let inc = self.cf().incarnation;
        let mut best: Option<redo::LogContents> = None;
        for m in &g.members {
            if m.status != MemberStatus::Valid {
                continue;
            }
            let Ok(c) =
                redo::read_log(&mut self.io, &m.path, self.p.log_blocks).map_err(io_fatal)?
            else {
                continue;
            };
            if c.header.seq != seq || c.header.incarnation != inc || c.header.dbid != self.p.dbid {
                continue;
            }
            if best.as_ref().is_none_or(|b| c.blocks_read > b.blocks_read) {
                best = Some(c);
            }
        }
        Ok(best)
    }

    // ----- shutdown --------------------------------------------------------

    /// SHUTDOWN (S-INST-1). NORMAL, TRANSACTIONAL and IMMEDIATE roll back
    /// what is still active, checkpoint, clear the online fuzzy bits, set the
    /// stop SCNs and close the thread. ABORT does none of that.
    pub fn shutdown(&mut self, mode: ShutdownMode) -> DbResult<()> {
        if mode == ShutdownMode::Abort {
            self.alert("Shutting down instance (abort)");
            self.state = DbState::Shutdown;
            self.forget_memory();
            return Ok(());
        }
        let r = self.shutdown_clean(mode);
        self.fatal(r)
    }

    fn shutdown_clean(&mut self, mode: ShutdownMode) -> DbResult<()> {
        self.alert(format!(
            "Shutting down instance ({})",
            format!("{mode:?}").to_lowercase()
        ));
        if self.state == DbState::Open {
            if let Some(rec) = self.cf().datafiles.iter().find(|d| d.backup_scn.is_some()) {
                return Err(DbError::Ora(ora::with_file(
                    OraStack::one(
                        1149,
                        format!(
                            "cannot shutdown - file {} has online backup set",
                            rec.file_no
                        ),
                    ),
                    rec.file_no,
                    &rec.name,
                )));
            }
            for sid in self.txns.keys().copied().collect::<Vec<_>>() {
                self.rollback(sid)?;
            }
            self.checkpoint_kind(CkptKind::Close)?;
            self.alert("Completed: ALTER DATABASE CLOSE NORMAL");
        }
        self.alert("Completed: ALTER DATABASE DISMOUNT");
        self.state = DbState::Shutdown;
        self.forget_memory();
        Ok(())
    }

    fn forget_memory(&mut self) {
        self.cf = None;
        self.headers.clear();
        self.cache = Cache::default();
        self.log = None;
        self.txns.clear();
        self.locks.clear();
        self.undo_in_use.clear();
        self.pending_bwr.clear();
        self.pending_switch_ckpt = None;
        self.in_backup.clear();
    }

    // ----- LGWR --------------------------------------------------------------

    /// Generates one redo record and applies its changes to the cache. The
    /// record's SCN is handed out only once the current log has room for it,
    /// so a log switch (and its checkpoint) never overtakes a change.
    pub(crate) fn log_change<F>(&mut self, build: F) -> DbResult<Scn>
    where
        F: Fn(Scn) -> (Vec<Change>, Vec<Marker>),
    {
        // Every block the record changes must be in the cache first (read
        // from disk if DBWn aged it out); a corrupt one fails the statement
        // here, before any redo exists for it.
        let (changes, _) = build(self.scn + 1);
        for c in &changes {
            if !c.op.formats_block() && !self.cache.buffers.contains_key(&(c.file, c.block)) {
                self.get_block((c.file, c.block))?;
            }
        }
        let mut bytes = Vec::new();
        for _attempt in 0..2 {
            let scn = self.scn + 1;
            let (changes, mut markers) = build(scn);
            markers.extend(self.pending_bwr.iter().cloned());
            let rec = RedoRecord {
                scn,
                time: self.clock,
                thread: 1,
                changes,
                markers,
            };
            bytes.clear();
            redo::encode_record(&rec, &mut bytes);
            if !self.log_has_room(bytes.len()) {
                self.switch_log("full")?;
                continue;
            }
            self.scn = scn;
            self.pending_bwr.clear();
            let w = self.log.as_mut().expect("log writer");
            w.buf.extend_from_slice(&bytes);
            w.buf_scn = scn;
            self.apply_to_cache(&rec);
            if w_len(&self.log) >= self.p.log_buffer_bytes / 3 {
                self.lgwr_flush()?;
            }
            return Ok(scn);
        }
        unreachable!(
            "a redo record of {} bytes does not fit an empty log",
            bytes.len()
        )
    }

    fn log_has_room(&self, extra: usize) -> bool {
        let w = self.log.as_ref().expect("log writer");
        let payload = self.io.os_block_size() - REDO_BLOCK_HEADER;
        let blocks = (w.buf.len() + extra + 16).div_ceil(payload) as u32;
        w.next_block + blocks <= self.p.log_blocks + 1
    }

    fn apply_to_cache(&mut self, rec: &RedoRecord) {
        for c in &rec.changes {
            let buf = match self.cache.get((c.file, c.block)) {
                Some(b) => b,
                None => self
                    .cache
                    .insert(Block::new(c.file, c.block, Body::Unformatted)),
            };
            redo::apply(&mut buf.block, &c.op, rec.scn)
                .expect("a change generated for a block applies to it");
            if !buf.dirty {
                buf.first_dirty_scn = rec.scn;
            }
            buf.dirty = true;
            buf.last_change_scn = rec.scn;
        }
    }

    /// LGWR: writes the log buffer to every member of the current group and
    /// syncs them (S-INST-4: a commit waits for this).
    pub(crate) fn lgwr_flush(&mut self) -> DbResult<()> {
        let w = self.log.as_ref().expect("log writer");
        if w.buf.is_empty() {
            return Ok(());
        }
        let os = self.io.os_block_size();
        let bytes = redo::format_blocks(&w.buf, &w.header, w.next_block, os);
        let nblocks = (bytes.len() / os) as u32;
        let (group, offset, buf_scn) = (w.group, w.next_block as u64 * os as u64, w.buf_scn);
        self.write_group(group, |io, path| {
            io.write(path, offset, &bytes)?;
            io.sync(path)
        })?;
        let w = self.log.as_mut().expect("log writer");
        w.next_block += nblocks;
        w.buf.clear();
        self.flushed_scn = self.flushed_scn.max(buf_scn);
        Ok(())
    }

    /// Runs `op` on every valid member of a group. A member that fails is
    /// marked INVALID (alert: ORA-00313/ORA-00312) and the others carry on;
    /// with no member left the instance terminates.
    fn write_group<F>(&mut self, group: u32, op: F) -> DbResult<()>
    where
        F: Fn(&mut S, &str) -> Result<(), IoError>,
    {
        let g = self.cf().group(group).expect("group").clone();
        let mut ok = 0;
        let mut failed: Vec<String> = Vec::new();
        for m in &g.members {
            if m.status == MemberStatus::Invalid {
                continue;
            }
            match op(&mut self.io, &m.path) {
                Ok(()) => ok += 1,
                Err(e) if e.kind == IoErrorKind::PowerLost => return Err(io_fatal(e)),
                Err(_) => failed.push(m.path.clone()),
            }
        }
        // S-INST-4: with no member written, nothing is durable. The planted
        // `ack-without-member` carries on as if the group had been written.
        if ok == 0 && !self.p.planted(Plant::AckWithoutMember) {
            if failed.is_empty() {
                failed = g.members.iter().map(|m| m.path.clone()).collect();
            }
            let stack = ora::log_group_unreadable(group, 1, &failed);
            self.alert(format!("Errors in file (alert log):\n{stack}"));
            self.mark_invalid(group, &failed);
            self.state = DbState::Dead;
            self.alert("LGWR: terminating instance due to error 313");
            return Err(DbError::Terminated {
                power_lost: false,
                stack,
            });
        }
        if !failed.is_empty() {
            let stack = ora::log_group_unreadable(group, 1, &failed);
            self.alert(format!("Errors in file (alert log):\n{stack}"));
            self.mark_invalid(group, &failed);
        }
        Ok(())
    }

    fn mark_invalid(&mut self, group: u32, paths: &[String]) {
        for m in self
            .cf_mut()
            .group_mut(group)
            .expect("group")
            .members
            .iter_mut()
        {
            if paths.contains(&m.path) {
                m.status = MemberStatus::Invalid;
            }
        }
    }

    /// ALTER SYSTEM SWITCH LOGFILE (and the switch when a log fills, S-INST-6).
    pub fn switch_logfile(&mut self) -> DbResult<()> {
        self.require(DbState::Open)?;
        let r = self.switch_log("manual");
        self.fatal(r)
    }

    pub(crate) fn switch_log(&mut self, why: &str) -> DbResult<()> {
        self.lgwr_flush()?;
        let cur = self.log.as_ref().expect("log writer").group;
        let next = self.next_group(cur);
        let g = self.cf().group(next).expect("group").clone();
        let seq = self.cf().thread(1).current_seq + 1;
        if g.status == LogStatus::Active {
            self.alert(format!(
                "Thread 1 cannot allocate new log, sequence {seq}\nCheckpoint not complete"
            ));
            self.checkpoint_kind(CkptKind::Normal)?;
        }
        let g = self.cf().group(next).expect("group").clone();
        if self.cf().archivelog
            && !g.archived
            && g.status != LogStatus::Unused
            && !self.p.planted(Plant::ReuseUnarchived)
        {
            self.alert(format!(
                "Thread 1 cannot allocate new log, sequence {seq}\nAll online logs need archiving"
            ));
            self.archive_group(next)?;
        }
        let header = LogHeader {
            dbid: self.p.dbid,
            thread: 1,
            seq,
            first_scn: self.scn + 1,
            first_time: self.clock,
            incarnation: self.cf().incarnation,
            next_scn: 0,
            end_of_thread: false,
            cf_seq: self.cf().version,
        };
        // Re-created members become valid with the group's next use.
        for m in self
            .cf_mut()
            .group_mut(next)
            .expect("group")
            .members
            .iter_mut()
        {
            if m.status == MemberStatus::Stale {
                m.status = MemberStatus::Valid;
            }
        }
        self.write_group(next, |io, path| {
            if !io.exists(path) {
                return Err(IoError::new(IoErrorKind::NotFound, path));
            }
            redo::write_log_header(io, path, &header)?;
            io.sync(path)
        })?;
        let (scn, clock) = (self.scn, self.clock);
        let cf = self.cf_mut();
        let old_seq = cf.thread(1).current_seq;
        let old_first = cf.group(cur).map_or(0, |g| g.first_scn);
        let old_time = cf.group(cur).map_or(0, |g| g.first_time);
        if let Some(o) = cf.group_mut(cur)
            && o.status == LogStatus::Current
        {
            o.status = LogStatus::Active;
            o.next_scn = Some(scn + 1);
        }
        cf.push_history(controlfile::LogHistoryRecord {
            thread: 1,
            seq: old_seq,
            first_scn: old_first,
            first_time: old_time,
            next_scn: scn + 1,
        });
        let n = cf.group_mut(next).expect("group");
        n.status = LogStatus::Current;
        n.seq = seq;
        n.first_scn = scn + 1;
        n.first_time = clock;
        n.next_scn = None;
        n.archived = false;
        let t = cf.thread_mut(1);
        t.current_seq = seq;
        t.current_group = next;
        self.write_controlfile()?;
        self.log = Some(LogWriter {
            header,
            group: next,
            next_block: 1,
            buf: Vec::new(),
            buf_scn: 0,
        });
        // A log switch is a checkpoint event (ORACLE_NOTES §2): the
        // checkpoint at the new log's first SCN completes once DBWn has
        // written what changed before it; the old group is ACTIVE until
        // then. Torn-block protection logs images anew from here, since
        // crash recovery may start here.
        self.pending_switch_ckpt = Some((scn + 1, Rba { seq, block: 1 }));
        for b in self.cache.buffers.values_mut() {
            b.imaged = false;
        }
        let first = self.cf().group(next).expect("group").members[0]
            .path
            .clone();
        self.alert(format!(
            "Thread 1 advanced to log sequence {seq} ({why} switch)"
        ));
        self.alert(format!("  Current log# {next} seq# {seq} mem# 0: {first}"));
        Ok(())
    }

    fn next_group(&self, cur: u32) -> u32 {
        let mut groups: Vec<u32> = self
            .cf()
            .log_groups
            .iter()
            .filter(|g| g.thread == 1)
            .map(|g| g.group)
            .collect();
        groups.sort_unstable();
        let i = groups.iter().position(|&g| g == cur).unwrap_or(0);
        groups[(i + 1) % groups.len()]
    }

    // ----- control file ------------------------------------------------------

    /// Writes the control file to every copy, one after another, each
    /// synced. A copy that cannot be written terminates the instance
    /// (ORA-00221), as in Oracle.
    pub(crate) fn write_controlfile(&mut self) -> DbResult<()> {
        let cf = self.cf_mut();
        cf.version += 1;
        let cf = cf.clone();
        for path in self.p.control_files.clone() {
            let r = if self.io.exists(&path) {
                controlfile::write_copy(&mut self.io, &path, &cf)
            } else {
                Err(IoError::new(IoErrorKind::NotFound, &path))
            };
            match r {
                Ok(()) => {}
                Err(e) if e.kind == IoErrorKind::PowerLost => return Err(io_fatal(e)),
                Err(_) => {
                    let stack = ora::controlfile_write_failed(&path);
                    self.alert(format!(
                        "{stack}\nCKPT: terminating instance due to error 221"
                    ));
                    self.state = DbState::Dead;
                    return Err(DbError::Terminated {
                        power_lost: false,
                        stack,
                    });
                }
            }
        }
        Ok(())
    }

    // ----- DBWn --------------------------------------------------------------

    /// DBWn writes the given buffers. The write-ahead rule (S-INST-3) first
    /// makes their redo durable; afterwards block-written records go into the
    /// redo so crash recovery can skip them.
    pub(crate) fn dbwr_write(&mut self, dbas: &[Dba]) -> DbResult<()> {
        if dbas.is_empty() {
            return Ok(());
        }
        let newest = dbas
            .iter()
            .filter_map(|d| self.cache.buffers.get(d))
            .map(|b| b.last_change_scn)
            .max()
            .unwrap_or(0);
        if newest > self.flushed_scn && !self.p.planted(Plant::SkipWal) {
            self.lgwr_flush()?;
        }
        let bs = self.p.db_block_size;
        let mut files = BTreeSet::new();
        for d in dbas {
            let path = self.df_path(d.0);
            let b = &self.cache.buffers.get(d).expect("buffer").block;
            datafile::write_block(&mut self.io, &path, b, bs)
                .map_err(|e| datafile_write_fatal(e, d.0, &path))?;
            files.insert((path, d.0));
        }
        for (f, n) in &files {
            self.io
                .sync(f)
                .map_err(|e| datafile_write_fatal(e, *n, f))?;
        }
        for d in dbas {
            let b = self.cache.buffers.get_mut(d).expect("buffer");
            b.dirty = false;
            self.pending_bwr.push(Marker::BlockWritten {
                file: d.0,
                block: d.1,
                scn: b.block.scn,
            });
        }
        Ok(())
    }

    /// DBWn when buffers run out: write the oldest dirty buffers, then age
    /// out clean ones, until the cache is within its size.
    pub(crate) fn make_room(&mut self) -> DbResult<()> {
        while self.cache.len() > self.p.cache_buffers {
            let lru = self.cache.lru().expect("cache not empty");
            if self.cache.buffers[&lru].dirty {
                let batch: Vec<Dba> = self.cache.dirty_by_age().into_iter().take(4).collect();
                self.dbwr_write(&batch)?;
            }
            self.cache.buffers.remove(&lru);
        }
        Ok(())
    }

    /// One DBWn pass the simulator may schedule: writes up to `n` of the
    /// oldest dirty buffers.
    pub fn dbwr_tick(&mut self, n: usize) -> DbResult<usize> {
        self.require(DbState::Open)?;
        let batch: Vec<Dba> = self.cache.dirty_by_age().into_iter().take(n).collect();
        let r = self
            .dbwr_write(&batch)
            .and_then(|()| self.complete_switch_checkpoint());
        self.fatal(r)?;
        Ok(batch.len())
    }

    /// Reads a block through the cache. A corrupt block raises ORA-01578
    /// and is recorded (v$database_block_corruption).
    pub(crate) fn get_block(&mut self, dba: Dba) -> DbResult<&mut crate::cache::Buffer> {
        if self.cache.buffers.contains_key(&dba) {
            return Ok(self.cache.get(dba).expect("present"));
        }
        let ignore = self.p.planted(Plant::IgnoreTail);
        self.check_available(dba.0)?;
        let path = self.df_path(dba.0);
        let mut buf = std::mem::take(&mut self.read_buf);
        buf.resize(self.p.db_block_size, 0);
        let read = datafile::read_block_into(&mut self.io, &path, dba.0, dba.1, &mut buf, ignore);
        self.read_buf = buf;
        let read = match read {
            Err(e) if e.kind != IoErrorKind::PowerLost => {
                return Err(DbError::Ora(datafile_unopenable(dba.0, &path)));
            }
            r => r,
        };
        match read.map_err(io_fatal)? {
            Ok(b) => Ok(self.cache.insert(b)),
            Err(kind) => {
                self.note_corrupt(dba, &format!("{kind:?}"));
                Err(DbError::Ora(ora::block_corrupted(dba.0, dba.1, &path)))
            }
        }
    }

    pub(crate) fn note_corrupt(&mut self, dba: Dba, kind: &str) {
        let scn = self.scn;
        let cf = self.cf_mut();
        if !cf
            .corrupt_blocks
            .iter()
            .any(|c| (c.file_no, c.block) == dba)
        {
            cf.corrupt_blocks.push(controlfile::CorruptBlockRecord {
                file_no: dba.0,
                block: dba.1,
                corruption_scn: scn,
                kind: kind.to_uppercase(),
            });
        }
    }

    // ----- CKPT --------------------------------------------------------------

    /// ALTER SYSTEM CHECKPOINT.
    pub fn checkpoint(&mut self) -> DbResult<Scn> {
        self.require(DbState::Open)?;
        let r = self.checkpoint_kind(CkptKind::Normal);
        self.fatal(r)
    }

    /// A full checkpoint (S-INST-5): DBWn writes every dirty buffer, then
    /// CKPT writes the datafile headers, then the control file.
    pub(crate) fn checkpoint_kind(&mut self, kind: CkptKind) -> DbResult<Scn> {
        self.scn += 1;
        let s = self.scn;
        self.lgwr_flush()?;
        let w = self.log.as_ref().expect("log writer");
        let rba = Rba {
            seq: w.header.seq,
            block: w.next_block,
        };
        for b in self.cache.buffers.values_mut() {
            b.imaged = false;
        }
        if self.p.planted(Plant::CkptBeforeWrite) {
            self.checkpoint_files(s, rba, kind)?;
            let dirty = self.cache.all_dirty();
            self.dbwr_write(&dirty)?;
        } else {
            let dirty = self.cache.all_dirty();
            self.dbwr_write(&dirty)?;
            self.checkpoint_files(s, rba, kind)?;
        }
        self.alert(format!("Completed checkpoint up to RBA [{rba}], SCN: {s}"));
        Ok(s)
    }

    fn checkpoint_files(&mut self, s: Scn, rba: Rba, kind: CkptKind) -> DbResult<()> {
        let bs = self.p.db_block_size;
        let clock = self.clock;
        let mut paths = Vec::new();
        let cf_seq = self.cf().version;
        // A file in hot-backup mode keeps its header checkpoint at the
        // begin-backup SCN while its counter moves on (S-BK-2).
        let frozen = self.files_in_backup();
        for (file_no, h) in self.headers.iter_mut() {
            // A tablespace checkpoint (ONLINE, END BACKUP) may have put a
            // file past a log switch's lazy checkpoint: never backwards.
            if !frozen.contains(file_no) && s > h.ckpt_scn {
                h.ckpt_scn = s;
                h.ckpt_time = clock;
                h.ckpt_rba = rba;
            }
            h.ckpt_counter += 1;
            h.cf_seq = cf_seq;
            h.fuzzy.online = kind != CkptKind::Close;
            let path = cf_path(self.cf.as_ref(), *file_no);
            datafile::write_header(&mut self.io, &path, h, bs)
                .map_err(|e| datafile_write_fatal(e, *file_no, &path))?;
            paths.push((path, *file_no));
        }
        for (p, n) in &paths {
            self.io
                .sync(p)
                .map_err(|e| datafile_write_fatal(e, *n, p))?;
        }
        let headers = self.headers.clone();
        let cf = self.cf_mut();
        for (file_no, h) in &headers {
            let r = cf.datafile_mut(*file_no).expect("record");
            r.ckpt_scn = r.ckpt_scn.max(s);
            r.ckpt_counter = h.ckpt_counter;
            r.stop_scn = (kind == CkptKind::Close).then_some(s);
        }
        let t = cf.thread_mut(1);
        t.ckpt = controlfile::ThreadCheckpoint {
            scn: s,
            time: clock,
            rba,
        };
        match kind {
            CkptKind::Open => t.open = true,
            CkptKind::Close => t.open = false,
            CkptKind::Normal => {}
        }
        for g in cf.log_groups.iter_mut() {
            if g.status == LogStatus::Active && g.next_scn.is_some_and(|n| n <= s) {
                g.status = LogStatus::Inactive;
            }
        }
        if self.pending_switch_ckpt.is_some_and(|(p, _)| p <= s) {
            self.pending_switch_ckpt = None;
        }
        self.write_controlfile()
    }

    /// Completes the last log switch's checkpoint when DBWn has written
    /// every buffer changed before its SCN: CKPT then writes the headers and
    /// the control file, and the old group becomes INACTIVE.
    fn complete_switch_checkpoint(&mut self) -> DbResult<()> {
        let Some((s, rba)) = self.pending_switch_ckpt else {
            return Ok(());
        };
        let behind = self
            .cache
            .buffers
            .values()
            .any(|b| b.dirty && b.first_dirty_scn < s);
        if behind {
            return Ok(());
        }
        self.checkpoint_files(s, rba, CkptKind::Normal)?;
        self.alert(format!("Completed checkpoint up to RBA [{rba}], SCN: {s}"));
        Ok(())
    }

    // ----- ARCn --------------------------------------------------------------

    /// One ARCn pass: archives the oldest filled log not yet archived.
    /// Returns the sequence archived, if any.
    pub fn arch_tick(&mut self) -> DbResult<Option<u32>> {
        self.require(DbState::Open)?;
        if !self.cf().archivelog {
            return Ok(None);
        }
        let todo = self
            .cf()
            .log_groups
            .iter()
            .filter(|g| !g.archived && matches!(g.status, LogStatus::Active | LogStatus::Inactive))
            .min_by_key(|g| g.seq)
            .map(|g| (g.group, g.seq));
        match todo {
            Some((g, seq)) => {
                let r = self.archive_group(g);
                self.fatal(r)?;
                Ok(Some(seq))
            }
            None => Ok(None),
        }
    }

    /// ARCn copies a filled online log to LOG_ARCHIVE_DEST (S-FILE-6) and
    /// records it in the control file.
    pub(crate) fn archive_group(&mut self, group: u32) -> DbResult<()> {
        let g = self.cf().group(group).expect("group").clone();
        self.alert(format!(
            "ARC0: Beginning to archive thread 1 sequence {} (log# {group})",
            g.seq
        ));
        let Some(c) = self.read_group_best(group, g.seq)? else {
            let paths: Vec<String> = g.members.iter().map(|m| m.path.clone()).collect();
            let s = ora::log_group_unreadable(group, 1, &paths);
            self.alert(format!(
                "ARC0: Archival stopped, error occurred. Will continue retrying\n{s}"
            ));
            return Err(DbError::Ora(s));
        };
        let src = g
            .members
            .iter()
            .find(|m| m.status == MemberStatus::Valid)
            .expect("a valid member")
            .path
            .clone();
        let best = self.best_member_path(&g, c.blocks_read)?.unwrap_or(src);
        let os = self.io.os_block_size();
        let mut bytes = vec![0u8; c.end_block as usize * os];
        self.io.read(&best, 0, &mut bytes).map_err(io_fatal)?;
        // The archived copy's header carries the log's next SCN (S-FILE-4);
        // it is a new file, so this rewrites nothing already synced.
        // A log never switched out (the current one, archived before a
        // RESETLOGS) ends just past its last record.
        let next_scn = g
            .next_scn
            .unwrap_or_else(|| c.records.last().map_or(self.scn + 1, |r| r.record.scn + 1));
        let stamped = LogHeader {
            next_scn,
            ..c.header
        };
        bytes[..os].copy_from_slice(&stamped.encode(os));
        let inc = self.cf().incarnation;
        let name = self.p.archive_name(1, g.seq, inc.id());
        let dest = dir_of(&name).to_string();
        if self.io.exists(&name) {
            self.io.delete(&name).map_err(io_fatal)?;
        }
        self.io.create(&name).map_err(io_fatal)?;
        self.io.write(&name, 0, &bytes).map_err(io_fatal)?;
        self.io.sync(&name).map_err(io_fatal)?;
        self.io.sync_dir(&dest).map_err(io_fatal)?;
        let clock = self.clock;
        let cf = self.cf_mut();
        cf.group_mut(group).expect("group").archived = true;
        cf.push_archived(controlfile::ArchivedLogRecord {
            thread: 1,
            seq: g.seq,
            incarnation: inc,
            name,
            first_scn: g.first_scn,
            next_scn,
            completion_time: clock,
        });
        self.write_controlfile()?;
        self.alert(format!(
            "ARC0: Completed archiving thread 1 sequence {} (log# {group})",
            g.seq
        ));
        Ok(())
    }

    pub(crate) fn best_member_path(
        &mut self,
        g: &controlfile::LogGroupRecord,
        blocks: u32,
    ) -> DbResult<Option<String>> {
        for m in &g.members {
            if m.status != MemberStatus::Valid {
                continue;
            }
            let read =
                redo::read_log(&mut self.io, &m.path, self.p.log_blocks).map_err(io_fatal)?;
            if let Ok(c) = read
                && c.header.seq == g.seq
                && c.blocks_read == blocks
            {
                return Ok(Some(m.path.clone()));
            }
        }
        Ok(None)
    }

    // ----- log members ---------------------------------------------------------

    /// ALTER DATABASE DROP LOGFILE MEMBER 'path'.
    pub fn drop_log_member(&mut self, path: &str) -> DbResult<()> {
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            return Err(DbError::ora(1507, "database not mounted"));
        }
        let Some(g) = self
            .cf()
            .log_groups
            .iter()
            .find(|g| g.members.iter().any(|m| m.path == path))
            .cloned()
        else {
            return Err(DbError::ora(
                362,
                format!("member is required to form a valid logfile in group: '{path}'"),
            ));
        };
        if g.status == LogStatus::Current {
            return Err(DbError::ora(
                1609,
                format!(
                    "log {} is the current log for thread 1 - cannot drop members",
                    g.group
                ),
            )
            .with(312, format!("online log {} thread 1: '{path}'", g.group)));
        }
        if g.members
            .iter()
            .filter(|m| m.status == MemberStatus::Valid && m.path != path)
            .count()
            == 0
        {
            return Err(DbError::ora(
                361,
                format!("cannot remove last log member {path} for group {}", g.group),
            ));
        }
        self.cf_mut()
            .group_mut(g.group)
            .expect("group")
            .members
            .retain(|m| m.path != path);
        let r = self.write_controlfile();
        self.fatal(r)
    }

    /// ALTER DATABASE ADD LOGFILE MEMBER 'path' TO GROUP g. The new member
    /// holds nothing until the group's next use (status STALE until then).
    pub fn add_log_member(&mut self, path: &str, group: u32) -> DbResult<()> {
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            return Err(DbError::ora(1507, "database not mounted"));
        }
        if self.cf().group(group).is_none() {
            return Err(DbError::ora(1517, format!("log member: '{path}'")));
        }
        if self
            .cf()
            .log_groups
            .iter()
            .any(|g| g.members.iter().any(|m| m.path == path))
        {
            return Err(DbError::ora(
                1577,
                format!("cannot add log file '{path}' - file already part of database"),
            ));
        }
        let r = (|| {
            if self.io.exists(path) {
                self.io.delete(path)?;
            }
            self.io.create(path)?;
            self.io.sync_dir(dir_of(path))
        })();
        r.map_err(io_fatal).or_else(|e| self.fatal(Err(e)))?;
        self.cf_mut()
            .group_mut(group)
            .expect("group")
            .members
            .push(controlfile::LogMember {
                path: path.to_string(),
                status: MemberStatus::Stale,
            });
        let r = self.write_controlfile();
        self.fatal(r)
    }

    /// ALTER DATABASE CLEAR [UNARCHIVED] LOGFILE GROUP g: re-creates every
    /// member of a group whose redo no recovery needs, at MOUNT or OPEN
    /// (Oracle reinitializes the log: a header of sequence 0; the group is
    /// then UNUSED). Refused
    /// for the current group and for one crash recovery still needs
    /// (ORA-01624), and in ARCHIVELOG mode for a log not yet archived unless
    /// UNARCHIVED is said (ORA-00350): clearing it leaves a gap in the
    /// archived logs that no backup taken before can be recovered across.
    pub fn clear_logfile(&mut self, group: u32, unarchived: bool) -> DbResult<()> {
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            return Err(DbError::ora(1507, "database not mounted"));
        }
        let Some(g) = self.cf().group(group).cloned() else {
            return Err(DbError::ora(
                1514,
                "error in log specification: no such log",
            ));
        };
        let members: Vec<String> = g.members.iter().map(|m| m.path.clone()).collect();
        let named = |s: OraStack| {
            members.iter().fold(s, |s, m| {
                s.then(
                    312,
                    format!("online log {group} thread {}: '{m}'", g.thread),
                )
            })
        };
        let thread = self.cf().thread(1).clone();
        let needed_by_crash_recovery =
            g.status == LogStatus::Active || (g.status == LogStatus::Current && thread.open);
        if g.status == LogStatus::Current || needed_by_crash_recovery {
            return Err(DbError::Ora(named(OraStack::one(
                1624,
                format!(
                    "log {group} needed for crash recovery of instance {} (thread {})",
                    self.p.db_name, g.thread
                ),
            ))));
        }
        if self.cf().archivelog && !g.archived && g.status != LogStatus::Unused && !unarchived {
            return Err(DbError::Ora(named(OraStack::one(
                350,
                format!(
                    "log {group} of instance {} (thread {}) needs to be archived",
                    self.p.db_name, g.thread
                ),
            ))));
        }
        // The control file first: from here on the group is UNUSED, its old
        // redo needed by nobody, so a clear cut short by a power loss leaves
        // a group OPEN accepts whatever its members hold (and a clear can
        // simply be issued again).
        let rec = self.cf_mut().group_mut(group).expect("group");
        rec.status = LogStatus::Unused;
        rec.seq = 0;
        rec.first_scn = 0;
        rec.next_scn = None;
        rec.archived = false;
        for m in rec.members.iter_mut() {
            m.status = MemberStatus::Valid;
        }
        let r = self.write_controlfile();
        self.fatal(r)?;
        // The reinitialized log's header: sequence 0, written under the
        // control file's new sequence, so an older control file put back
        // later sees it is more recent (ORA-00338).
        let header = LogHeader {
            dbid: self.p.dbid,
            thread: g.thread,
            seq: 0,
            first_scn: 0,
            first_time: self.clock,
            incarnation: self.cf().incarnation,
            next_scn: 0,
            end_of_thread: false,
            cf_seq: self.cf().version,
        };
        let r = (|| {
            for m in &members {
                if self.io.exists(m) {
                    self.io.delete(m)?;
                }
                self.io.create(m)?;
                redo::write_log_header(&mut self.io, m, &header)?;
                self.io.sync(m)?;
                self.io.sync_dir(dir_of(m))?;
            }
            Ok(())
        })();
        r.map_err(io_fatal).or_else(|e| self.fatal(Err(e)))?;
        let what = if unarchived { "unarchived " } else { "" };
        self.alert(format!(
            "Completed: alter database clear {what}logfile group {group}"
        ));
        Ok(())
    }

    /// Where LGWR writes next: (group, sequence, next redo block). The
    /// simulator uses it to find a commit's redo on the members' durable
    /// bytes (INV-LOG-4) without trusting that it got there.
    pub fn redo_write_position(&self) -> Option<(u32, u32, u32)> {
        self.log
            .as_ref()
            .map(|w| (w.group, w.header.seq, w.next_block))
    }

    /// Members marked INVALID, as (group, path): what `v$logfile` shows a DBA.
    pub fn invalid_log_members(&self) -> Vec<(u32, String)> {
        let Some(cf) = &self.cf else {
            return Vec::new();
        };
        cf.log_groups
            .iter()
            .flat_map(|g| {
                g.members
                    .iter()
                    .filter(|m| m.status == MemberStatus::Invalid)
                    .map(move |m| (g.group, m.path.clone()))
            })
            .collect()
    }

    /// The status of each online group, as (group, sequence, status).
    pub fn log_group_status(&self) -> Vec<(u32, u32, LogStatus)> {
        let Some(cf) = &self.cf else {
            return Vec::new();
        };
        cf.log_groups
            .iter()
            .map(|g| (g.group, g.seq, g.status))
            .collect()
    }
}

fn w_len(log: &Option<LogWriter>) -> usize {
    log.as_ref().map_or(0, |w| w.buf.len())
}

impl DbError {
    /// Appends a line to the error stack.
    pub fn with(self, code: u32, text: impl Into<String>) -> DbError {
        match self {
            DbError::Ora(s) => DbError::Ora(s.then(code, text)),
            DbError::Terminated { power_lost, stack } => DbError::Terminated {
                power_lost,
                stack: stack.then(code, text),
            },
        }
    }
}

/// Where row `k` of table T lives: a USERS datafile and a data block.
pub fn row_home(p: &DbParams, k: u64) -> Dba {
    let users: Vec<&crate::params::DatafileSpec> = p
        .datafiles
        .iter()
        .filter(|f| f.tablespace == "USERS")
        .collect();
    let h = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 24;
    let f = users[(h % users.len() as u64) as usize];
    let b = 1 + ((h / users.len() as u64) % u64::from(f.blocks - 1)) as u32;
    (f.file_no, b)
}

/// The control file's name for datafile `file_no`.
pub(crate) fn cf_path(cf: Option<&ControlFile>, file_no: u32) -> String {
    cf.and_then(|c| c.datafile(file_no))
        .map(|d| d.name.clone())
        .expect("the control file names every datafile the instance uses")
}

/// Whether `x` names an active transaction in a transaction table.
pub(crate) fn slot_is_active(slots: &[block::TxSlot], x: Xid) -> Option<&block::TxSlot> {
    slots
        .get(block::xid_slot(x) as usize)
        .filter(|s| s.wrap == block::xid_wrap(x) && s.state == block::TxState::Active)
}

/// The incarnation a new database starts in.
pub fn first_incarnation(t: SimTime) -> Incarnation {
    Incarnation {
        resetlogs_scn: 1,
        resetlogs_time: t.max(1),
    }
}
