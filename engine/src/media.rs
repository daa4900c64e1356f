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

/// Recovery asks for a log it cannot open by itself (ORA-00279).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub thread: u32,
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
    let (days, secs) = (t / 86_400, t % 86_400);
    // Months of 2026 onward, by the civil calendar.
    let (mut y, mut d) = (2026u64, days);
    loop {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = if leap { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!(
        "{:02}/{:02}/{y} {:02}:{:02}:{:02}",
        m + 1,
        d + 1,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

// ----- RECOVER --------------------------------------------------------------

use std::collections::BTreeMap;

use crate::block::{Block, Body};
use crate::cache::Dba;
use crate::controlfile::{DatafileRecord, FileStatus};
use crate::datafile::{self, DatafileHeader};
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::instance::{DbState, Instance, io_fatal};
use crate::params::Plant;
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
        automatic: bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
    ) -> (Vec<String>, DbResult<()>) {
        let mut out = Vec::new();
        let r = self.media_recovery(&target, automatic, answer, &mut out);
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
        automatic: bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
        out: &mut Vec<String>,
    ) -> DbResult<()> {
        let what = match target {
            RecoverTarget::Database => "DATABASE".to_string(),
            RecoverTarget::Tablespace(t) => format!("TABLESPACE {}", t.to_uppercase()),
            RecoverTarget::Datafile(n) => format!("DATAFILE {n}"),
        };
        let mut files = self.files_to_recover(target)?;
        self.alert(format!("ALTER DATABASE RECOVER  {what}"));
        self.alert("Media Recovery Start");
        if self.state == DbState::Open {
            self.lgwr_flush()?;
        }
        self.mark_media_recovery(&mut files)?;
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
        let current = self.cf().thread(1).current_seq;
        let mut blocks: BTreeMap<Dba, Slot> = BTreeMap::new();
        let mut auto = automatic;
        let mut need = need;
        let mut archived_applied = 0;
        for seq in start_seq.max(1)..=current {
            let Some(src) = self.log_for_recovery(seq, need, automatic, &mut auto, answer, out)?
            else {
                out.push("Media recovery cancelled.".into());
                self.alert("Media Recovery Canceled");
                return Ok(());
            };
            self.apply_log(&src.contents, &mut files, &mut blocks)?;
            let next = self.log_next_scn(&src.contents, seq == current);
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
            if seq < current {
                self.media_checkpoint(
                    &mut files,
                    &mut blocks,
                    next,
                    Rba {
                        seq: seq + 1,
                        block: 1,
                    },
                )?;
            }
            need = next;
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

    /// The files of `target` that need media recovery, with their headers
    /// (S-MR-1). ORA-01124 for a file the open database is using, ORA-00283
    /// for a file that cannot be read, ORA-00264 when none needs recovery.
    fn files_to_recover(&mut self, target: &RecoverTarget) -> DbResult<BTreeMap<u32, Recovering>> {
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
            if rec.status != FileStatus::Recover && !needs_recovery(&header, &rec) {
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
    fn log_for_recovery(
        &mut self,
        seq: u32,
        need: Scn,
        automatic: bool,
        auto: &mut bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
        out: &mut Vec<String>,
    ) -> DbResult<Option<LogSource>> {
        if let Some(g) = self.cf().group_with_seq(1, seq).cloned()
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
        let inc = self.cf().incarnation;
        let req = LogRequest {
            thread: 1,
            seq,
            change: need,
            time: self
                .cf()
                .log_history
                .iter()
                .find(|h| h.seq == seq)
                .map_or(self.clock, |h| h.first_time),
            suggestion: self.p.archive_name(1, seq, inc.id()),
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
        if h.incarnation != inc {
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
    fn apply_log(
        &mut self,
        c: &LogContents,
        files: &mut BTreeMap<u32, Recovering>,
        blocks: &mut BTreeMap<Dba, Slot>,
    ) -> DbResult<()> {
        let bs = self.p.db_block_size;
        let ignore = self.p.planted(Plant::IgnoreTail);
        for r in &c.records {
            let scn = r.record.scn;
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
                        for f in files.values_mut().filter(|f| scn >= f.from) {
                            f.end_backup_seen = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
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
                f.header.fuzzy.hot_backup = false;
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
                h.ckpt_scn = f.limit.unwrap_or(f.rec.ckpt_scn);
                h.ckpt_time = thread.ckpt.time;
                h.ckpt_rba = thread.ckpt.rba;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_sqlplus_does() {
        assert_eq!(format_time(0), "01/01/2026 00:00:00");
        assert_eq!(format_time(86_400 * 31 + 3661), "02/01/2026 01:01:01");
        assert_eq!(format_time(86_400 * 365), "01/01/2027 00:00:00");
    }
}
