//! Media recovery (S-MR-1..6): RECOVER DATABASE | TABLESPACE | DATAFILE.
//!
//! Media recovery rolls restored (or offline-immediate, or hot-backup)
//! datafiles forward with archived and online redo until they are current.
//! It runs only on command. The files to recover are those of the target
//! that need it (a header behind its control-file record, a fuzzy bit from
//! a hot backup or an interrupted recovery, an offline-immediate status);
//! none: ORA-00264. Recovery starts at the lowest header checkpoint among
//! them (S-MR-2) and each file skips the redo older than its own header.
//! Logs come in sequence order: archived logs, asked for with ORA-00279 /
//! ORA-00289 / ORA-00280 unless the answer is AUTO, then the online logs
//! still holding the sequences, read without asking, up to the end of the
//! current log (complete recovery, S-MR-5). At each log boundary a
//! media-recovery checkpoint writes the recovered blocks and advances the
//! headers, so a recovery cut short by a power loss starts again from there.

use crate::scn::{Scn, SimTime};

/// What RECOVER recovers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverTarget {
    /// Every online datafile (the database mounted, not open).
    Database,
    /// The files of a tablespace (the database open, the tablespace offline).
    Tablespace(String),
    /// One file by number (mounted, or open with the file offline).
    Datafile(u32),
}

/// Where an incomplete recovery stops (S-IR-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// At a log boundary, when a prompt is answered CANCEL. Every log is
    /// asked for, online ones too, so the DBA can stop before any of them.
    Cancel,
    /// Applies redo with an SCN below this one only: a commit at exactly
    /// this SCN is not recovered.
    Change(Scn),
    /// Applies redo generated at or before this time only (the redo
    /// records' times map it to an SCN).
    Time(SimTime),
}

/// The options of RECOVER DATABASE beyond its target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoverOptions {
    /// Incomplete recovery: where to stop.
    pub until: Option<Until>,
    /// USING BACKUP CONTROLFILE (S-CF-1): the control file does not know
    /// the current logs, so every log is asked for, stop SCNs count as
    /// infinite, and the open afterwards must be RESETLOGS.
    pub using_backup_controlfile: bool,
}

/// Recovery asks for a log it cannot open by itself (ORA-00279).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub thread: u32,
    /// The incarnation the sequence belongs to: an ancestor's while
    /// recovery reads through a RESETLOGS (10g), else the current one.
    pub incarnation: Incarnation,
    pub seq: u32,
    /// The change recovery needs next.
    pub change: Scn,
    /// When that change was generated.
    pub time: SimTime,
    /// The archived log's name from LOG_ARCHIVE_DEST and LOG_ARCHIVE_FORMAT.
    pub suggestion: String,
}

/// The answer to a [`LogRequest`], as typed at `Specify log:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogAnswer {
    /// RET: the suggested name.
    Suggested,
    /// A file name.
    File(String),
    /// AUTO: this and every later request takes the suggestion.
    Auto,
    /// CANCEL: stop here.
    Cancel,
}

/// The modes of ALTER TABLESPACE … OFFLINE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineMode {
    Normal,
    Temporary,
    Immediate,
}

/// How a simulated time prints in ORA-00279 (`MM/DD/YYYY HH24:MI:SS`):
/// the simulated epoch is 2026-01-01 00:00:00, one tick a second.
pub fn format_time(t: SimTime) -> String {
    let (y, m, d, secs) = civil(t);
    format!(
        "{m:02}/{d:02}/{y} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A simulated time as UNTIL TIME takes it, `YYYY-MM-DD HH24:MI:SS`
/// (what [`parse_time`] reads back).
pub fn format_until_time(t: SimTime) -> String {
    let (y, m, d, secs) = civil(t);
    format!(
        "{y}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The civil date of a simulated time: year, month (1–12), day (1–31) and
/// the seconds into that day.
fn civil(t: SimTime) -> (u64, u64, u64, u64) {
    let (days, secs) = (t / 86_400, t % 86_400);
    let (mut y, mut d) = (2026u64, days);
    loop {
        let len = if is_leap(y) { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let months = month_lengths(y);
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    (y, m as u64 + 1, d + 1, secs)
}

fn is_leap(y: u64) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// The days of each month of year `y`.
fn month_lengths(y: u64) -> [u64; 12] {
    let feb = if is_leap(y) { 29 } else { 28 };
    [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
}

/// Reads a time as UNTIL TIME takes it, `YYYY-MM-DD HH24:MI:SS` (SQL*Plus's
/// `YYYY-MM-DD:HH24:MI:SS` too), on the simulated clock of
/// [`format_time`]. None for a malformed time or one before the epoch.
pub fn parse_time(text: &str) -> Option<SimTime> {
    let t = text.trim();
    let (date, clock) = t.split_at_checked(10)?;
    let clock = clock.strip_prefix([' ', ':'])?;
    let d: Vec<u64> = date
        .split('-')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let c: Vec<u64> = clock
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let ([y, m, day], [hh, mi, ss]) = (d.as_slice(), c.as_slice()) else {
        return None;
    };
    let months = month_lengths(*y);
    if *y < 2026 || !(1..=12).contains(m) || *day < 1 || *day > months[*m as usize - 1] {
        return None;
    }
    if *hh > 23 || *mi > 59 || *ss > 59 {
        return None;
    }
    let days = (2026..*y)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum::<u64>()
        + months[..*m as usize - 1].iter().sum::<u64>()
        + (day - 1);
    Some(days * 86_400 + hh * 3600 + mi * 60 + ss)
}

// ----- RECOVER --------------------------------------------------------------

use std::collections::BTreeMap;

use crate::block::{Block, Body};
use crate::cache::Dba;
use crate::controlfile::{DatafileRecord, FileStatus};
use crate::datafile::{self, DatafileHeader, Incarnation};
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::instance::{DbState, Instance, io_fatal};
use crate::params::{Plant, Release};
use crate::redo::{self, LogContents, Marker, Op};
use crate::scn::Rba;
use crate::storage::Storage;
use crate::tablespace::needs_recovery;

/// A file being recovered.
struct Recovering {
    rec: DatafileRecord,
    header: DatafileHeader,
    /// Redo from this SCN on applies to the file (its header checkpoint, or
    /// the end of its offline range).
    from: Scn,
    /// A cleanly offline or read-only file takes no redo past its stop SCN.
    limit: Option<Scn>,
    /// An end-backup marker for the file was applied: its hot-backup fuzzy
    /// bit clears at the next media-recovery checkpoint (S-MR-4).
    end_backup_seen: bool,
}

/// A block under recovery: its decoded state and whether it changed since
/// the last media-recovery checkpoint, or corrupt with nothing to rebuild it.
enum Slot {
    Good(Block, bool),
    Corrupt,
}

/// Where media recovery stands in the redo: the incarnation and sequence
/// it reads next, and the SCN it needs from there.
#[derive(Debug, Clone, Copy)]
struct LogPosition {
    inc: Incarnation,
    seq: u32,
    need: Scn,
}

/// A log recovery reads: its contents, its name, and whether it is an
/// archived log (asked for) rather than an online one.
struct LogSource {
    contents: LogContents,
    name: String,
    archived: bool,
}

impl<S: Storage> Instance<S> {
    /// RECOVER [AUTOMATIC] DATABASE | TABLESPACE X | DATAFILE N. Returns
    /// what SQL*Plus prints (the prompts, ORA-00278 per archived log
    /// applied, `Log applied.`, `Media recovery complete.`) and how it
    /// ended. `answer` is asked at every prompt unless `automatic` (or an
    /// earlier AUTO answer).
    pub fn recover(
        &mut self,
        target: RecoverTarget,
        opts: RecoverOptions,
        automatic: bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
    ) -> (Vec<String>, DbResult<()>) {
        let mut out = Vec::new();
        let r = self.media_recovery(&target, opts, automatic, answer, &mut out);
        if let Err(DbError::Ora(s)) = &r {
            self.alert(format!(
                "Media Recovery failed with error {}\n{s}",
                s.code()
            ));
        }
        let r = self.fatal(r);
        (out, r)
    }

    fn media_recovery(
        &mut self,
        target: &RecoverTarget,
        opts: RecoverOptions,
        automatic: bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
        out: &mut Vec<String>,
    ) -> DbResult<()> {
        let mut what = match target {
            RecoverTarget::Database => "DATABASE".to_string(),
            RecoverTarget::Tablespace(t) => format!("TABLESPACE {}", t.to_uppercase()),
            RecoverTarget::Datafile(n) => format!("DATAFILE {n}"),
        };
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            self.require(DbState::Mount)?;
        }
        self.check_recover_options(target, opts)?;
        match opts.until {
            Some(Until::Cancel) => what.push_str(" UNTIL CANCEL"),
            Some(Until::Change(n)) => what.push_str(&format!(" UNTIL CHANGE {n}")),
            Some(Until::Time(t)) => what.push_str(&format!(" UNTIL TIME {}", format_time(t))),
            None => {}
        }
        if opts.using_backup_controlfile {
            what.push_str(" USING BACKUP CONTROLFILE");
            if !self.cf().is_backup {
                // From now on this control file is a backup one: only a
                // RESETLOGS opens the database again.
                self.cf_mut().is_backup = true;
                self.write_controlfile()?;
            }
        }
        let backup_cf = self.cf().is_backup;
        // After an incomplete recovery (or with a backup control file) every
        // online file takes part: they must all reach one point.
        let every_file =
            opts.until.is_some() || backup_cf || self.cf().incomplete_recovery.is_some();
        let mut files = self.files_to_recover(target, every_file)?;
        if backup_cf {
            // A backup control file's stop SCNs are not to be trusted.
            for f in files.values_mut() {
                f.limit = None;
            }
        }
        self.alert(format!("ALTER DATABASE RECOVER  {what}"));
        self.alert("Media Recovery Start");
        if self.state == DbState::Open {
            self.lgwr_flush()?;
        }
        self.mark_media_recovery(&mut files)?;
        self.past_branch_points(&mut files);
        let highest = self.p.planted(Plant::RecoverFromHighest);
        let (start_seq, need) = if highest {
            // The planted bug: every file starts at the newest checkpoint.
            let f = files.values().max_by_key(|f| f.from).expect("a file");
            let (seq, from) = (f.header.ckpt_rba.seq, f.from);
            for f in files.values_mut() {
                f.from = from;
            }
            (seq, from)
        } else {
            let f = files.values().min_by_key(|f| f.from).expect("a file");
            (self.start_sequence(f), f.from)
        };
        // The incarnation whose redo is being read: the oldest file's, an
        // ancestor of the current one when recovering through a RESETLOGS.
        let mut inc = files
            .values()
            .min_by_key(|f| f.from)
            .expect("a file")
            .header
            .incarnation;
        let this_inc = self.cf().incarnation;
        // The current control file knows where the redo ends; a backup one
        // does not, and recovery reads on until the end of the thread.
        let current = (!backup_cf).then(|| self.cf().thread(1).current_seq);
        let ask_every_log = backup_cf || opts.until == Some(Until::Cancel);
        let mut blocks: BTreeMap<Dba, Slot> = BTreeMap::new();
        let mut auto = automatic;
        let mut need = need;
        let mut archived_applied = 0;
        let mut seq = start_seq.max(1);
        // Where the redo applied ends, and whether that is the end of the
        // thread (everything applied) or the UNTIL bound.
        let (point, reached_end) = loop {
            let at = LogPosition { inc, seq, need };
            let Some(src) =
                self.log_for_recovery(at, automatic, ask_every_log, &mut auto, answer, out)?
            else {
                if opts.until.is_none() {
                    out.push("Media recovery cancelled.".into());
                    self.alert("Media Recovery Canceled");
                    return Ok(());
                }
                break (need, false);
            };
            let branch = self.cf().branch_point(inc);
            let beyond =
                self.apply_log(&src.contents, &mut files, &mut blocks, opts.until, branch)?;
            let last = match current {
                _ if inc != this_inc => false,
                Some(c) => seq >= c,
                None => self.end_of_thread(&src.contents)?,
            };
            let next = self.log_next_scn(&src.contents, last);
            if src.archived {
                archived_applied += 1;
                if !automatic {
                    out.push(format!(
                        "ORA-00278: log file '{}' no longer needed for this recovery",
                        src.name
                    ));
                    out.push(String::new());
                }
            }
            if let Some(p) = beyond {
                break (p, false);
            }
            if last {
                break (next, true);
            }
            if let Some(b) = branch
                && next >= b
            {
                // This incarnation's redo is applied up to where the next
                // one branched from it: carry on in that one from sequence 1.
                inc = self.through_resetlogs(&mut files, &mut blocks, inc, b)?;
                need = b;
                seq = 1;
                continue;
            }
            if let Some(p) = self.bound_before_next(opts.until, seq, next, inc == this_inc) {
                break (p, false);
            }
            self.media_checkpoint(
                &mut files,
                &mut blocks,
                next,
                Rba {
                    seq: seq + 1,
                    block: 1,
                },
            )?;
            need = next;
            seq += 1;
        };
        // All the redo applied: a file checkpointed past its last record
        // (no change came between) is at the end too.
        let point = if reached_end {
            files
                .values()
                .map(|f| f.header.ckpt_scn)
                .fold(point, Scn::max)
        } else {
            point
        };
        if opts.until.is_some() || backup_cf {
            let applied = archived_applied > 0 && !automatic;
            return self.finish_incomplete(
                &mut files,
                &mut blocks,
                (point, reached_end),
                opts,
                applied,
                &what,
                out,
            );
        }
        if *target == RecoverTarget::Database {
            // Complete at last: the point of an earlier incomplete recovery
            // is behind us (written with the files' new records).
            self.cf_mut().incomplete_recovery = None;
        }
        self.finish_media_recovery(&mut files, &mut blocks)?;
        if archived_applied > 0 && !automatic {
            out.push("Log applied.".into());
        }
        out.push("Media recovery complete.".into());
        self.alert("Media Recovery Complete");
        self.alert(format!("Completed: ALTER DATABASE RECOVER  {what}"));
        Ok(())
    }

    /// UNTIL and USING BACKUP CONTROLFILE are for RECOVER DATABASE only
    /// (ORA-00277); a backup control file demands the clause (ORA-00283 +
    /// ORA-01610, S-OPEN-2).
    fn check_recover_options(&self, target: &RecoverTarget, opts: RecoverOptions) -> DbResult<()> {
        if (opts.until.is_some() || opts.using_backup_controlfile)
            && *target != RecoverTarget::Database
        {
            let flag = if opts.until.is_some() {
                "UNTIL"
            } else {
                "USING BACKUP CONTROLFILE"
            };
            return Err(DbError::ora(
                277,
                format!("illegal option to the UNTIL recovery flag {flag}"),
            ));
        }
        if let Some(cf) = self.cf.as_ref()
            && cf.is_backup
            && !opts.using_backup_controlfile
        {
            return Err(DbError::Ora(
                OraStack::one(283, "recovery session canceled due to errors").then(
                    1610,
                    "recovery using the BACKUP CONTROLFILE option must be done",
                ),
            ));
        }
        Ok(())
    }

    /// With UNTIL CHANGE or TIME, whether the bound falls at the boundary
    /// after `seq` (its redo all applied, the next log's all beyond it):
    /// then recovery stops there without asking for the next log.
    /// (The times of an earlier incarnation's logs are not in this control
    /// file's history, so only UNTIL CHANGE bounds recovery there.)
    fn bound_before_next(
        &self,
        until: Option<Until>,
        seq: u32,
        next: Scn,
        this_incarnation: bool,
    ) -> Option<Scn> {
        match until? {
            Until::Change(n)
                if next > n || (next == n && !self.p.planted(Plant::UntilInclusive)) =>
            {
                Some(n)
            }
            Until::Time(t) if this_incarnation => {
                let first_time = self
                    .cf()
                    .log_history
                    .iter()
                    .find(|h| h.seq == seq + 1)
                    .map(|h| h.first_time)
                    .or_else(|| self.cf().group_with_seq(1, seq + 1).map(|g| g.first_time))?;
                (first_time > t).then_some(next)
            }
            _ => None,
        }
    }

    /// With a backup control file, whether the log just applied ends the
    /// thread: an archived log never does (its header has the next SCN);
    /// an online one does when no online log on disk holds a later
    /// sequence of this incarnation.
    fn end_of_thread(&mut self, c: &LogContents) -> DbResult<bool> {
        if c.header.next_scn > 0 {
            return Ok(false);
        }
        let inc = self.cf().incarnation;
        let paths = self.cf().member_paths();
        for path in paths {
            if let Ok(o) = redo::read_log(&mut self.io, &path, 0).map_err(io_fatal)?
                && o.header.incarnation == inc
                && o.header.dbid == self.p.dbid
                && o.header.seq > c.header.seq
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The files of `target` that need media recovery, with their headers
    /// (S-MR-1). ORA-01124 for a file the open database is using, ORA-00283
    /// for a file that cannot be read, ORA-00264 when none needs recovery.
    fn files_to_recover(
        &mut self,
        target: &RecoverTarget,
        every_file: bool,
    ) -> DbResult<BTreeMap<u32, Recovering>> {
        let in_use = |rec: &DatafileRecord| {
            DbError::Ora(ora::with_file(
                OraStack::one(
                    1124,
                    format!(
                        "cannot recover data file {} - file is in use or recovery",
                        rec.file_no
                    ),
                ),
                rec.file_no,
                &rec.name,
            ))
        };
        let records: Vec<DatafileRecord> = match target {
            RecoverTarget::Database => {
                if self.state == DbState::Open {
                    let first = self.cf().datafiles[0].clone();
                    return Err(in_use(&first));
                }
                self.require(DbState::Mount)?;
                self.cf()
                    .datafiles
                    .iter()
                    .filter(|d| matches!(d.status, FileStatus::Online | FileStatus::ReadOnly))
                    .cloned()
                    .collect()
            }
            RecoverTarget::Tablespace(ts) => {
                self.require(DbState::Open)?;
                let recs = self.tablespace_files(ts)?;
                if let Some(r) = recs.iter().find(|r| r.status == FileStatus::Online) {
                    return Err(in_use(r));
                }
                recs
            }
            RecoverTarget::Datafile(n) => {
                if !matches!(self.state, DbState::Mount | DbState::Open) {
                    self.require(DbState::Mount)?;
                }
                let rec = self.cf().datafile(*n).cloned().ok_or_else(|| {
                    DbError::ora(
                        1516,
                        format!("nonexistent log file, data file, or temporary file \"{n}\""),
                    )
                })?;
                if self.state == DbState::Open && rec.status == FileStatus::Online {
                    return Err(in_use(&rec));
                }
                vec![rec]
            }
        };
        let mut files = BTreeMap::new();
        for rec in records {
            let header = match self.read_file_header(&rec) {
                Ok(h) => h,
                Err(DbError::Ora(s)) => {
                    let mut stack = OraStack::one(283, "recovery session canceled due to errors");
                    stack.0.extend(s.0);
                    return Err(DbError::Ora(stack));
                }
                Err(e) => return Err(e),
            };
            // Redo of this incarnation never applies to a file of an
            // earlier one (S-OPEN-4, INV-RL-3).
            if header.incarnation != self.cf().incarnation
                && !self.recoverable_through_resetlogs(&header)
            {
                return Err(DbError::Ora(ora::from_before_resetlogs(
                    rec.file_no,
                    &rec.name,
                )));
            }
            let take_anyway = (every_file && rec.status == FileStatus::Online)
                || header.incarnation != self.cf().incarnation;
            if rec.status != FileStatus::Recover && !needs_recovery(&header, &rec) && !take_anyway {
                continue;
            }
            let mut from = header.ckpt_scn;
            // Inside its offline range the file took no redo (S-CD-4).
            if let Some((off, on)) = rec.offline_range
                && off <= from
                && from < on
            {
                from = on;
            }
            let limit = match rec.status {
                FileStatus::Offline | FileStatus::ReadOnly => rec.stop_scn,
                _ => None,
            };
            files.insert(
                rec.file_no,
                Recovering {
                    rec,
                    header,
                    from,
                    limit,
                    end_backup_seen: false,
                },
            );
        }
        if files.is_empty() {
            return Err(DbError::ora(264, "no recovery required"));
        }
        Ok(files)
    }

    /// 10g recovery through a RESETLOGS: whether a file of an earlier
    /// incarnation can be recovered into the current one. Its incarnation
    /// must be a direct ancestor and its checkpoint at or before the point
    /// where the line branched from it (ORACLE_NOTES §8.1); a file of an
    /// orphan branch, or from past the branch point, never can.
    pub(crate) fn recoverable_through_resetlogs(&self, h: &DatafileHeader) -> bool {
        self.p.release >= Release::R10g
            && self
                .cf()
                .branch_point(h.incarnation)
                .is_some_and(|b| h.ckpt_scn <= b)
    }

    /// A file of an ancestor checkpointed exactly at a branch point needs
    /// none of that incarnation's redo: it starts in the child, at its
    /// sequence 1 (which begins at the resetlogs SCN).
    fn past_branch_points(&self, files: &mut BTreeMap<u32, Recovering>) {
        for f in files.values_mut() {
            while let Some(b) = self.cf().branch_point(f.header.incarnation)
                && f.from >= b
            {
                f.header.incarnation = self.cf().child_of(f.header.incarnation).expect("a child");
                f.header.ckpt_rba = Rba { seq: 1, block: 1 };
            }
        }
    }

    /// The end of an ancestor's redo (everything below `branch` applied):
    /// its files join the incarnation that branched from it, checkpointed
    /// at the branch point, and recovery carries on in that one.
    fn through_resetlogs(
        &mut self,
        files: &mut BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
        from: Incarnation,
        branch: Scn,
    ) -> DbResult<Incarnation> {
        let mut child = self.cf().child_of(from).expect("an ancestor has a child");
        // An incarnation opened and left at its own resetlogs SCN (a second
        // RESETLOGS to the same point) has no redo to read.
        while let Some(b) = self.cf().branch_point(child)
            && b <= branch
        {
            child = self.cf().child_of(child).expect("an ancestor has a child");
        }
        for f in files.values_mut().filter(|f| f.header.incarnation == from) {
            f.header.incarnation = child;
        }
        self.media_checkpoint(files, blocks, branch, Rba { seq: 1, block: 1 })?;
        self.alert(format!(
            "Media Recovery through RESETLOGS: redo of incarnation {} applied up to SCN {branch}, continuing with incarnation {} at sequence 1",
            from.id(),
            child.id()
        ));
        Ok(child)
    }

    /// Where recovery of `f` starts reading: the log sequence of its header
    /// checkpoint (or of the end of its offline range).
    fn start_sequence(&self, f: &Recovering) -> u32 {
        if f.from == f.header.ckpt_scn && f.header.ckpt_rba.seq > 0 {
            f.header.ckpt_rba.seq
        } else {
            self.sequence_of(f.from)
        }
    }

    /// Sets media-recovery fuzzy on every file before any block changes: a
    /// recovery cut short leaves them marked (ORA-01113 at OPEN).
    fn mark_media_recovery(&mut self, files: &mut BTreeMap<u32, Recovering>) -> DbResult<()> {
        let bs = self.p.db_block_size;
        for f in files.values_mut() {
            f.header.fuzzy.media_recovery = true;
            datafile::write_header(&mut self.io, &f.rec.name, &f.header, bs).map_err(io_fatal)?;
            self.io.sync(&f.rec.name).map_err(io_fatal)?;
        }
        Ok(())
    }

    /// The log holding `seq`: the online log when a group still holds it
    /// (read without asking), else the archived log, asked for with
    /// ORA-00279 / ORA-00289 / ORA-00280 unless AUTO. None: CANCEL.
    /// Only the current incarnation has online logs; an ancestor's
    /// sequences are all archived, under its own resetlogs id.
    fn log_for_recovery(
        &mut self,
        at: LogPosition,
        automatic: bool,
        ask_every_log: bool,
        auto: &mut bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
        out: &mut Vec<String>,
    ) -> DbResult<Option<LogSource>> {
        let LogPosition { inc, seq, need } = at;
        let this_inc = inc == self.cf().incarnation;
        if !ask_every_log
            && this_inc
            && let Some(g) = self.cf().group_with_seq(1, seq).cloned()
            && let Some(contents) = self.read_group_best(g.group, seq)?
        {
            let name = g.members[0].path.clone();
            self.alert(format!(
                "Recovery of Online Redo Log: Thread 1 Group {} Seq {seq} Reading mem 0\n  Mem# 0 errs 0: {name}",
                g.group
            ));
            return Ok(Some(LogSource {
                contents,
                name,
                archived: false,
            }));
        }
        let suggestion = self.p.archive_name(1, seq, inc.id());
        let time = if this_inc {
            self.cf()
                .log_history
                .iter()
                .find(|h| h.seq == seq)
                .map(|h| h.first_time)
                .or_else(|| self.cf().group_with_seq(1, seq).map(|g| g.first_time))
        } else {
            // An ancestor's history is not kept: the archived log says.
            redo::read_log(&mut self.io, &suggestion, 0)
                .map_err(io_fatal)?
                .ok()
                .map(|c| c.header.first_time)
        };
        let req = LogRequest {
            thread: 1,
            incarnation: inc,
            seq,
            change: need,
            time: time.unwrap_or(self.clock),
            suggestion,
        };
        if !automatic {
            out.push(format!(
                "ORA-00279: change {} generated at {} needed for thread 1",
                req.change,
                format_time(req.time)
            ));
            out.push(format!("ORA-00289: suggestion : {}", req.suggestion));
            out.push(format!(
                "ORA-00280: change {} for thread 1 is in sequence #{seq}",
                req.change
            ));
            out.push(String::new());
        }
        let name = if *auto {
            req.suggestion.clone()
        } else {
            out.push(String::new());
            out.push("Specify log: {<RET>=suggested | filename | AUTO | CANCEL}".into());
            match answer(&req) {
                LogAnswer::Suggested => req.suggestion.clone(),
                LogAnswer::File(f) => f,
                LogAnswer::Auto => {
                    *auto = true;
                    req.suggestion.clone()
                }
                LogAnswer::Cancel => return Ok(None),
            }
        };
        // A backup control file does not know the online logs, but the
        // suggestion not being there, the next one in sequence is applied
        // if an online log file on disk holds it (ORACLE_NOTES §9).
        let name = if name == req.suggestion
            && !self.io.exists(&name)
            && self.cf().is_backup
            && this_inc
        {
            self.online_member_holding(seq).unwrap_or(name)
        } else {
            name
        };
        self.alert(format!("Media Recovery Log {name}"));
        let archived = |code: u32, text: String| {
            DbError::Ora(OraStack::one(code, text).then(334, format!("archived log: '{name}'")))
        };
        let contents =
            match redo::read_log(&mut self.io, &name, self.p.log_blocks).map_err(io_fatal)? {
                Ok(c) => c,
                Err(redo::LogReadError::Missing) => {
                    return Err(DbError::Ora(
                        OraStack::one(308, format!("cannot open archived log '{name}'"))
                            .then(27037, "unable to obtain file status"),
                    ));
                }
                Err(redo::LogReadError::BadHeader) => {
                    return Err(archived(354, "corrupt redo log block header".into()));
                }
            };
        let h = contents.header;
        if h.dbid != self.p.dbid {
            return Err(archived(309, "log belongs to wrong database".into()));
        }
        if h.incarnation != inc && !self.p.planted(Plant::OldIncarnationRedo) {
            return Err(archived(
                342,
                format!(
                    "archived log does not have expected resetlogs SCN {}",
                    inc.resetlogs_scn
                ),
            ));
        }
        if h.thread != 1 || h.seq != seq {
            return Err(archived(
                310,
                format!(
                    "archived log contains sequence {}; sequence {seq} required",
                    h.seq
                ),
            ));
        }
        Ok(Some(LogSource {
            contents,
            name,
            archived: true,
        }))
    }

    /// An online log member (by the control file's member names) whose
    /// header holds `seq` of this incarnation.
    fn online_member_holding(&mut self, seq: u32) -> Option<String> {
        let inc = self.cf().incarnation;
        let paths = self.cf().member_paths();
        paths.into_iter().find(|path| {
            matches!(
                redo::read_log(&mut self.io, path, 0),
                Ok(Ok(c)) if c.header.seq == seq && c.header.incarnation == inc && c.header.dbid == self.p.dbid
            )
        })
    }

    /// The first SCN after a log: stamped in an archived log's header, in
    /// the control file's record for a filled online log, or (the current
    /// log) just past its last record.
    fn log_next_scn(&self, c: &LogContents, current: bool) -> Scn {
        if c.header.next_scn > 0 {
            return c.header.next_scn;
        }
        if !current
            && let Some(n) = self
                .cf()
                .group_with_seq(1, c.header.seq)
                .and_then(|g| g.next_scn)
        {
            return n;
        }
        c.records
            .last()
            .map_or(c.header.first_scn, |r| r.record.scn + 1)
    }

    /// Applies one log to the files being recovered (S-MR-2, S-MR-6): each
    /// file takes the records from its own start SCN (and up to its stop
    /// SCN), each block the changes newer than itself; a block that fails
    /// its checks is rebuilt only by a change that formats it (a logged
    /// image repairs a fractured block from a hot-backup copy).
    /// With an UNTIL CHANGE or TIME bound, stops at the first record past
    /// it and returns the point reached: every change below it applied,
    /// none at or above.
    fn apply_log(
        &mut self,
        c: &LogContents,
        files: &mut BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
        until: Option<Until>,
        branch: Option<Scn>,
    ) -> DbResult<Option<Scn>> {
        let bs = self.p.db_block_size;
        let ignore = self.p.planted(Plant::IgnoreTail);
        let inclusive = self.p.planted(Plant::UntilInclusive);
        for r in &c.records {
            let scn = r.record.scn;
            if branch.is_some_and(|b| scn >= b) {
                // An ancestor's redo past the RESETLOGS that left it was
                // never part of this database's history.
                break;
            }
            match until {
                Some(Until::Change(n)) if scn > n || (scn == n && !inclusive) => {
                    return Ok(Some(n));
                }
                Some(Until::Time(t)) if r.record.time > t => return Ok(Some(scn)),
                _ => {}
            }
            let mut decided: BTreeMap<Dba, bool> = BTreeMap::new();
            for ch in &r.record.changes {
                let Some(f) = files.get(&ch.file) else {
                    continue;
                };
                if scn < f.from || f.limit.is_some_and(|l| scn > l) {
                    continue;
                }
                let dba = (ch.file, ch.block);
                let slot = match blocks.entry(dba) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        let read = datafile::read_block(
                            &mut self.io,
                            &f.rec.name,
                            ch.file,
                            ch.block,
                            bs,
                            ignore,
                        )
                        .map_err(io_fatal)?;
                        e.insert(match read {
                            Ok(b) => Slot::Good(b, false),
                            Err(_) => Slot::Corrupt,
                        })
                    }
                };
                if let Slot::Corrupt = slot {
                    if !ch.op.formats_block() {
                        continue;
                    }
                    *slot = Slot::Good(Block::new(ch.file, ch.block, Body::Unformatted), false);
                    decided.insert(dba, true);
                    if matches!(ch.op, Op::Image { .. }) {
                        self.alert(format!(
                            "Fractured block (file {}, block {}) repaired from a logged block image",
                            ch.file, ch.block
                        ));
                    }
                }
                let Slot::Good(b, dirty) = slot else {
                    unreachable!()
                };
                if !*decided.entry(dba).or_insert(scn > b.scn) {
                    continue;
                }
                if redo::apply(b, &ch.op, scn).is_err() {
                    *slot = Slot::Corrupt;
                    continue;
                }
                *dirty = true;
            }
            for m in &r.record.markers {
                match m {
                    Marker::EndBackup { file } => {
                        if let Some(f) = files.get_mut(file)
                            && scn >= f.from
                        {
                            f.end_backup_seen = true;
                        }
                    }
                    // After a crash-recovery-end marker every change made
                    // before the crash is applied again: a hot-backup copy
                    // taken before it is consistent from here (S-MR-4).
                    Marker::CrashRecoveryEnd => {
                        let copies = files
                            .values_mut()
                            .filter(|f| scn >= f.from && f.header.fuzzy.hot_backup);
                        for f in copies {
                            f.end_backup_seen = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(None)
    }

    /// Writes the blocks recovery changed and syncs their files.
    fn write_recovered_blocks(
        &mut self,
        files: &BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
    ) -> DbResult<()> {
        let bs = self.p.db_block_size;
        let mut touched = std::collections::BTreeSet::new();
        for (dba, slot) in blocks.iter_mut() {
            if let Slot::Good(b, dirty) = slot
                && *dirty
            {
                let path = &files[&dba.0].rec.name;
                datafile::write_block(&mut self.io, path, b, bs).map_err(io_fatal)?;
                touched.insert(path.clone());
                *dirty = false;
            }
        }
        for path in touched {
            self.io.sync(&path).map_err(io_fatal)?;
        }
        Ok(())
    }

    /// A media-recovery checkpoint at a log boundary (S-MR-4): the blocks
    /// are written, then each header's checkpoint advances to the next
    /// log's first SCN, so a recovery started again needs no earlier log.
    fn media_checkpoint(
        &mut self,
        files: &mut BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
        next: Scn,
        rba: Rba,
    ) -> DbResult<()> {
        self.write_recovered_blocks(files, blocks)?;
        let (bs, cf_seq) = (self.p.db_block_size, self.cf().version);
        for f in files.values_mut() {
            let at = f.limit.map_or(next, |l| next.min(l));
            if at <= f.header.ckpt_scn && !f.end_backup_seen {
                continue;
            }
            if at > f.header.ckpt_scn {
                f.header.ckpt_scn = at;
                f.header.ckpt_rba = rba;
            }
            if f.end_backup_seen {
                // Past its end-backup marker a copy is consistent: its
                // online bit was only copied from the open file.
                f.header.fuzzy.hot_backup = false;
                f.header.fuzzy.online = false;
            }
            f.header.cf_seq = cf_seq;
            datafile::write_header(&mut self.io, &f.rec.name, &f.header, bs).map_err(io_fatal)?;
            self.io.sync(&f.rec.name).map_err(io_fatal)?;
        }
        Ok(())
    }

    /// The end of complete recovery (S-MR-5): the blocks are written, and
    /// each file's header matches its control-file record again (checkpoint
    /// SCN and counter), its media-recovery bit cleared. A file still in
    /// hot-backup mode in the control file leaves it; a restored hot-backup
    /// copy is consistent only once its end-backup marker was applied,
    /// else it still needs recovery (ORA-01195).
    fn finish_media_recovery(
        &mut self,
        files: &mut BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
    ) -> DbResult<()> {
        self.write_recovered_blocks(files, blocks)?;
        let open = self.state == DbState::Open;
        let thread = self.cf().thread(1).clone();
        let position = self.log.as_ref().map_or(thread.ckpt.rba, |w| Rba {
            seq: w.header.seq,
            block: w.next_block,
        });
        let (bs, cf_seq, now) = (self.p.db_block_size, self.cf().version, self.scn);
        let mut still_fuzzy = None;
        for f in files.values_mut() {
            let h = &mut f.header;
            h.fuzzy.media_recovery = false;
            if f.end_backup_seen || f.rec.backup_scn.is_some() || f.rec.backup_end_scn.is_some() {
                h.fuzzy.hot_backup = false;
            }
            if h.fuzzy.hot_backup {
                still_fuzzy.get_or_insert((f.rec.file_no, f.rec.name.clone()));
                h.fuzzy.media_recovery = true;
            } else if open {
                // An offline file of an open database: current up to now.
                h.ckpt_scn = f.limit.unwrap_or(now).max(h.ckpt_scn);
                h.ckpt_rba = position;
                h.ckpt_counter = f.rec.ckpt_counter.max(h.ckpt_counter);
                h.fuzzy.online = false;
            } else {
                // A media checkpoint may have taken the header past the
                // record (a crashed instance's last checkpoint): never back.
                let to = f.limit.unwrap_or(f.rec.ckpt_scn);
                if to >= h.ckpt_scn {
                    h.ckpt_scn = to;
                    h.ckpt_time = thread.ckpt.time;
                    h.ckpt_rba = thread.ckpt.rba;
                }
                h.ckpt_counter = f.rec.ckpt_counter;
                // A crashed database's files are online-fuzzy until crash
                // recovery at OPEN; after a clean shutdown they are not.
                h.fuzzy.online = thread.open && f.rec.status == FileStatus::Online;
            }
            h.cf_seq = cf_seq;
            datafile::write_header(&mut self.io, &f.rec.name, h, bs).map_err(io_fatal)?;
            self.io.sync(&f.rec.name).map_err(io_fatal)?;
        }
        for f in files.values() {
            if f.header.fuzzy.media_recovery {
                continue;
            }
            let h = f.header.clone();
            let r = self.cf_mut().datafile_mut(f.rec.file_no).expect("record");
            if r.backup_scn.take().is_some() {
                // Backup mode ended here, with no end-backup marker.
                r.backup_end_scn = Some(h.ckpt_scn);
            }
            r.ckpt_scn = h.ckpt_scn.max(r.ckpt_scn);
            r.ckpt_counter = h.ckpt_counter;
            if r.status == FileStatus::Recover {
                r.status = FileStatus::Offline;
                r.stop_scn = Some(h.ckpt_scn);
            }
            self.in_backup.remove(&f.rec.file_no);
        }
        self.write_controlfile()?;
        if let Some((n, name)) = still_fuzzy {
            return Err(DbError::Ora(ora::with_file(
                OraStack::one(
                    1195,
                    format!("online backup of file {n} needs more recovery to be consistent"),
                ),
                n,
                &name,
            )));
        }
        Ok(())
    }
}

impl<S: Storage> Instance<S> {
    /// The end of an incomplete recovery, or of any recovery with a backup
    /// control file (S-IR-2, S-CF-1): the blocks are written, every file's
    /// header checkpoint moves to the point reached, and the control file
    /// records the point, which OPEN RESETLOGS turns into the resetlogs
    /// SCN. A file not consistent there (still fuzzy, or checkpointed past
    /// the point) stays as it is and the statement warns: ORA-01547 with
    /// ORA-01194 / ORA-01195 / ORA-01152 (recovery can go on from here).
    #[allow(clippy::too_many_arguments)]
    fn finish_incomplete(
        &mut self,
        files: &mut BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
        (point, reached_end): (Scn, bool),
        opts: RecoverOptions,
        logs_applied: bool,
        what: &str,
        out: &mut Vec<String>,
    ) -> DbResult<()> {
        self.write_recovered_blocks(files, blocks)?;
        // The control file records the point before any header claims it:
        // a power loss among the header writes below must leave a database
        // that only OPEN RESETLOGS opens (and that refuses the files still
        // marked in media recovery), never a plain OPEN of files whose
        // counters match their records but whose checkpoints stand at the
        // point, behind the redo since.
        let cancelled = opts.until == Some(Until::Cancel) && !reached_end;
        self.cf_mut().incomplete_recovery = Some(point);
        self.cf_mut().recovery_cancelled = cancelled;
        self.write_controlfile()?;
        let seq = self.sequence_of(point.saturating_sub(1)).max(1);
        let (bs, cf_seq, backup_cf) =
            (self.p.db_block_size, self.cf().version, self.cf().is_backup);
        let mut verdicts = Vec::new();
        for f in files.values_mut() {
            let (n, name) = (f.rec.file_no, f.rec.name.clone());
            let h = &mut f.header;
            h.fuzzy.media_recovery = false;
            let verdict = consistency_at(h, f.end_backup_seen, reached_end, point);
            if verdict.is_none() {
                h.fuzzy = Default::default();
            }
            if h.ckpt_scn < point {
                h.ckpt_scn = point;
                h.ckpt_rba = Rba { seq, block: 1 };
            }
            h.ckpt_counter = h.ckpt_counter.max(f.rec.ckpt_counter);
            h.cf_seq = cf_seq;
            datafile::write_header(&mut self.io, &name, h, bs).map_err(io_fatal)?;
            self.io.sync(&name).map_err(io_fatal)?;
            verdicts.push(Verdict {
                file_no: n,
                name,
                code: verdict,
                at_point: h.ckpt_scn == point,
            });
        }
        let problem = pick_inconsistency(&verdicts, cancelled);
        for f in files.values() {
            let h = f.header.clone();
            let r = self.cf_mut().datafile_mut(f.rec.file_no).expect("record");
            r.ckpt_counter = r.ckpt_counter.max(h.ckpt_counter);
            if backup_cf {
                // A backup control file's records learn where the files are.
                r.ckpt_scn = h.ckpt_scn;
                r.stop_scn = None;
            }
            r.backup_scn = None;
            self.in_backup.remove(&f.rec.file_no);
        }
        self.write_controlfile()?;
        if let Some(stack) = problem {
            let mut warn = OraStack::one(
                1547,
                "warning: RECOVER succeeded but OPEN RESETLOGS would get error below",
            );
            warn.0.extend(stack.0);
            self.alert(format!("Media Recovery stopped at change {point}\n{warn}"));
            return Err(DbError::Ora(warn));
        }
        if logs_applied && !cancelled {
            out.push("Log applied.".into());
        }
        if cancelled {
            out.push("Media recovery cancelled.".into());
            self.alert("Media Recovery Canceled");
        } else {
            out.push("Media recovery complete.".into());
            self.alert(format!("Incomplete Recovery applied until change {point}"));
        }
        self.alert(format!("Completed: ALTER DATABASE RECOVER  {what}"));
        Ok(())
    }
}

/// Whether a recovered file is consistent at `point` (S-IR-2): None, or
/// the error OPEN RESETLOGS would raise. A hot-backup copy is consistent
/// once its end-backup marker was applied (ORA-01195 before); a file of a
/// crashed instance only once all its thread's redo was (ORA-01194: its
/// blocks may hold any change up to the crash); a file checkpointed past
/// the point holds changes after it (ORA-01152).
pub(crate) fn consistency_at(
    h: &DatafileHeader,
    end_backup_seen: bool,
    reached_end: bool,
    point: Scn,
) -> Option<u32> {
    if h.fuzzy.hot_backup && !end_backup_seen {
        return Some(1195);
    }
    // A hot-backup copy is online-fuzzy too (it was copied from an open
    // file): past its marker it is consistent, and a media checkpoint
    // there clears both bits. Online-fuzzy alone is a crashed instance's.
    if h.fuzzy.online && !h.fuzzy.hot_backup && !reached_end {
        return Some(1194);
    }
    // (The media-recovery bit is this recovery's own, cleared before.)
    debug_assert!(!h.fuzzy.media_recovery);
    if h.ckpt_scn > point {
        return Some(1152);
    }
    None
}

/// One file's consistency at the end of an incomplete recovery, or at
/// OPEN RESETLOGS.
pub(crate) struct Verdict {
    pub file_no: u32,
    pub name: String,
    /// The error of [`consistency_at`], if any.
    pub code: Option<u32>,
    /// Checkpointed at the recovery point.
    pub at_point: bool,
}

/// The error to report for a set of files (S-IR-2): a file that needs more
/// recovery (still fuzzy) first, in file order. Otherwise, files ahead of
/// the point: after a CANCEL the files left at the point are the ones that
/// need more recovery to catch up (ORA-01194); after UNTIL CHANGE or TIME
/// the file ahead was restored from too new a backup (ORA-01152).
pub(crate) fn pick_inconsistency(verdicts: &[Verdict], cancelled: bool) -> Option<OraStack> {
    let named =
        |v: &Verdict, code: u32| ora::with_file(inconsistent(code, v.file_no), v.file_no, &v.name);
    if let Some(v) = verdicts
        .iter()
        .find(|v| matches!(v.code, Some(c) if c != 1152))
    {
        return Some(named(v, v.code.expect("just matched")));
    }
    let ahead = verdicts.iter().find(|v| v.code == Some(1152))?;
    match verdicts.iter().find(|v| v.at_point) {
        Some(behind) if cancelled => Some(named(behind, 1194)),
        _ => Some(named(ahead, 1152)),
    }
}

/// The error of [`consistency_at`] for file `n`.
pub(crate) fn inconsistent(code: u32, n: u32) -> OraStack {
    let text = match code {
        1195 => format!("online backup of file {n} needs more recovery to be consistent"),
        1152 => format!("file {n} was not restored from a sufficiently old backup"),
        1196 => format!("file {n} is inconsistent due to a failed media recovery session"),
        _ => format!("file {n} needs more recovery to be consistent"),
    };
    OraStack::one(code, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_sqlplus_does() {
        assert_eq!(format_time(0), "01/01/2026 00:00:00");
        assert_eq!(format_time(86_400 * 31 + 3661), "02/01/2026 01:01:01");
        assert_eq!(format_time(86_400 * 365), "01/01/2027 00:00:00");
    }

    #[test]
    fn until_times_print_as_until_time_takes_them() {
        for t in [0, 59, 3_600, 86_399, 86_400 * 400 + 7] {
            assert_eq!(parse_time(&format_until_time(t)), Some(t), "{t}");
        }
        assert_eq!(format_until_time(61), "2026-01-01 00:01:01");
    }

    #[test]
    fn until_times_read_back_what_prompts_print() {
        for t in [0, 3661, 86_400 * 31 + 3661, 86_400 * 400 + 59] {
            let f = format_time(t); // MM/DD/YYYY HH:MI:SS
            let iso = format!("{}-{}-{} {}", &f[6..10], &f[0..2], &f[3..5], &f[11..]);
            assert_eq!(parse_time(&iso), Some(t), "{iso}");
        }
        assert_eq!(parse_time("2026-01-01:00:01:01"), Some(61));
        assert_eq!(parse_time("2026-02-30 00:00:00"), None);
        assert_eq!(parse_time("2025-12-31 23:59:59"), None);
        assert_eq!(parse_time("yesterday"), None);
    }
}
