//! Incomplete recovery, the DBA's way (S-IR-1..3, S-OPEN-2..4, S-LOSS-3,
//! S-LOSS-4): when the redo a complete recovery needs is gone (the current
//! online group lost with every member, an archived log destroyed in the
//! middle of the range), the DBA recovers to the latest point the surviving
//! files allow and opens a new incarnation.
//!
//! The latest point is the simulator's own computation
//! ([`invariants::point::latest_point`]), from what survived: each
//! datafile as it is and its backup copy, each log sequence's range and
//! whether an archived copy or an online member still holds it. The DBA
//! restores the copies that computation chose, runs RECOVER DATABASE UNTIL
//! CANCEL answering each prompt with the archived log if it is there, else
//! the online member holding the sequence, else CANCEL, and opens
//! RESETLOGS. Then the checks: the rows are the committed state at the
//! engine's resetlogs SCN (INV-DATA-3), that SCN is not before the latest
//! point (INV-DATA-4), and the new incarnation is stamped everywhere with
//! nothing from after the point (INV-RL-1, -2, -4).

use std::collections::BTreeMap;

use engine::controlfile::{ControlFile, FileStatus};
use engine::datafile::Incarnation;
use engine::media::{LogAnswer, RecoverOptions, Until};
use engine::scn::Scn;
use engine::{DbError, OraStack};
use invariants::point::{Candidate, FileStarts, LatestPoint, LogSpan, Redo, StartKind};

use crate::media::UndoTo;
use crate::runner::{Flow, Halt, Run};
use crate::script::{
    AlterDatabase, DatafileAction, FileRef, HostCmd, Recover, RecoverAnswer, RecoverTarget,
    RecoverUntil, Resetlogs, Statement,
};

impl Run {
    /// At MOUNT, after `s` showed that complete recovery is impossible: the
    /// DBA's incomplete recovery, ending with OPEN RESETLOGS. Returns the
    /// open's result.
    pub(crate) fn incomplete_recovery(&mut self, s: &OraStack) -> Flow<Result<(), DbError>> {
        // Every file takes part (S-IR-3): an offline one would be lost at
        // the RESETLOGS. The DBA checks v$datafile and brings them online.
        let offline: Vec<u32> = (self.inst_mut().controlfile().expect("mounted").datafiles)
            .iter()
            .filter(|d| d.status != FileStatus::Online)
            .map(|d| d.file_no)
            .collect();
        for n in offline {
            self.say(Statement::AlterDatabase(AlterDatabase::Datafile {
                file: FileRef::Number(u64::from(n)),
                action: DatafileAction::Online,
            }));
            let r = self.inst_mut().datafile_offline(n, false);
            self.drain_alerts();
            if let Err(e) = r {
                self.record_error(&e);
            }
        }
        let cf = self.inst_mut().controlfile().cloned().expect("mounted");
        self.model.note_logs(&cf);
        let chosen = self.backups.pitr.clone();
        if cf.resetlogs_pending.is_some() {
            // The RESETLOGS began: the online logs may be cleared already,
            // so only carrying on can reach its point.
            let bs = self.p.db_block_size;
            let disk = self.inst_mut().storage_mut();
            let damaged = cf.datafiles.iter().find(|r| {
                r.status == FileStatus::Online
                    && !matches!(
                        engine::datafile::read_header(disk, &r.name, r.file_no, bs),
                        Ok(Ok(_))
                    )
            });
            if let Some(r) = damaged {
                return Err(Halt::Unrecoverable(format!(
                    "{} at OPEN: a power loss inside OPEN RESETLOGS, after it had begun clearing the online logs, left datafile {} ('{}') unreadable; no redo is left to bring a copy to the resetlogs point",
                    s.0[0], r.file_no, r.name
                )));
            }
            let latest = chosen.and_then(|c| c.0);
            return self.open_resetlogs(latest.as_ref());
        }
        // Recovered, or RESETLOGS begun, before a power loss: open it. (A
        // power loss inside the end of the recovery, after the control
        // file recorded the point, leaves files short of it: they are
        // recovered again.)
        let recovered = cf
            .incomplete_recovery
            .is_some_and(|point| self.files_at_point(&cf, point));
        if s.code() == 1588 || (s.code() == 1589 && recovered) {
            let latest = chosen.and_then(|c| c.0);
            return self.open_resetlogs(latest.as_ref());
        }
        let latest = match chosen {
            Some((Some(l), _)) if !self.plan_broken(&cf, &l) => l,
            _ => {
                // (An undo of a user error cut short is finished this way
                // too: to the latest point, the error included.)
                self.backups.until = None;
                let l = self.latest_point(&cf);
                self.backups.pitr = Some((Some(l.clone()), cf.incarnation));
                l
            }
        };
        let LatestPoint::Recoverable(plan) = &latest else {
            let LatestPoint::Unrecoverable { reason, .. } = &latest else {
                unreachable!()
            };
            return Err(Halt::Unrecoverable(format!(
                "{} at OPEN, and no incomplete recovery can reach a consistent point: {reason}",
                s.0[0]
            )));
        };
        let copies = self.backups.copies.clone();
        let bs = self.p.db_block_size;
        for (file, start) in &plan.starts {
            let Some(rec) = cf.datafile(*file).cloned() else {
                continue;
            };
            let path = match &start.kind {
                StartKind::Backup { path } => path.clone(),
                // A power loss since the plan may have garbled the file:
                // its copy is older, so the point can still be reached.
                StartKind::Current => {
                    let disk = self.inst_mut().storage_mut();
                    let readable = matches!(
                        engine::datafile::read_header(disk, &rec.name, rec.file_no, bs),
                        Ok(Ok(_))
                    );
                    match copies.get(file) {
                        Some(c) if !readable => c.clone(),
                        _ => continue,
                    }
                }
            };
            let path = &path;
            self.model.restored(&rec.name);
            self.model.media_needed.insert(rec.file_no);
            self.say(Statement::Host(HostCmd::Cp {
                src: path.clone(),
                dst: rec.name.clone(),
            }));
            let disk = self.inst_mut().storage_mut();
            match crate::planner::copy_file(disk, path, &rec.name) {
                Ok(()) => {
                    self.coverage.restores += 1;
                    self.copy_restored(path);
                    self.model.lost_files.remove(&rec.name);
                }
                Err(engine::storage::IoErrorKind::PowerLost) => {
                    self.backups
                        .cut_restores
                        .push((path.clone(), rec.name.clone()));
                    return Ok(Err(power_lost()));
                }
                Err(k) => {
                    return Err(Halt::Unrecoverable(format!(
                        "the copy '{path}' of datafile {file} cannot be read: {k:?}"
                    )));
                }
            }
        }
        if let Err(e) = self.recover_until_cancel(&cf)? {
            return Ok(Err(e));
        }
        self.open_resetlogs(Some(&latest))
    }

    /// Whether every online file's header stands exactly at `point` with no
    /// fuzzy bit: what the end of an incomplete recovery writes.
    fn files_at_point(&mut self, cf: &ControlFile, point: Scn) -> bool {
        let bs = self.p.db_block_size;
        let disk = self.inst_mut().storage_mut();
        (cf.datafiles.iter())
            .filter(|r| r.status == FileStatus::Online)
            .all(|r| {
                matches!(
                    engine::datafile::read_header(disk, &r.name, r.file_no, bs),
                    Ok(Ok(h)) if h.ckpt_scn == point && !h.fuzzy.any()
                )
            })
    }

    /// Whether a power loss since `plan` was made garbled a file it keeps
    /// as it is: the latest point is then computed again (that loss
    /// explains a lower one).
    fn plan_broken(&mut self, cf: &ControlFile, plan: &LatestPoint) -> bool {
        let LatestPoint::Recoverable(r) = plan else {
            return false;
        };
        let bs = self.p.db_block_size;
        let disk = self.inst_mut().storage_mut();
        r.starts.iter().any(|(n, c)| {
            c.kind == StartKind::Current
                && cf.datafile(*n).is_some_and(|rec| {
                    !matches!(
                        engine::datafile::read_header(disk, &rec.name, rec.file_no, bs),
                        Ok(Ok(_))
                    )
                })
        })
    }

    /// RECOVER DATABASE UNTIL CANCEL, each prompt answered with what is on
    /// disk: the archived log, the online member holding the sequence, or
    /// CANCEL at the first sequence nothing holds.
    fn recover_until_cancel(&mut self, cf: &ControlFile) -> Flow<Result<(), DbError>> {
        let line = self.recovery_line(cf);
        let answers = self.log_answers(cf, &line);
        let backup_cf = cf.is_backup;
        self.say(Statement::Recover(Recover {
            automatic: false,
            target: RecoverTarget::Database,
            until: Some(RecoverUntil::Cancel),
            using_backup_controlfile: backup_cf,
        }));
        let files: Vec<u32> = cf.datafiles.iter().map(|d| d.file_no).collect();
        self.backups.interrupted.extend(files.iter().copied());
        self.model.media_needed.extend(files.iter().copied());
        let opts = RecoverOptions {
            until: Some(Until::Cancel),
            using_backup_controlfile: backup_cf,
        };
        let mut given = Vec::new();
        let (out, r) = self.inst_mut().recover(
            engine::media::RecoverTarget::Database,
            opts,
            false,
            &mut |req| {
                let a = answers
                    .get(&(req.incarnation.id(), req.seq))
                    .cloned()
                    .unwrap_or(LogAnswer::Cancel);
                given.push(a.clone());
                a
            },
        );
        for a in given {
            self.record(Statement::Answer(match a {
                LogAnswer::Suggested => RecoverAnswer::Suggested,
                LogAnswer::File(f) => RecoverAnswer::File(f),
                LogAnswer::Auto => RecoverAnswer::Auto,
                LogAnswer::Cancel => RecoverAnswer::Cancel,
            }));
        }
        for line in out {
            self.note(&line);
        }
        self.drain_alerts();
        match r {
            Ok(()) => {
                self.coverage.media_recoveries += 1;
                self.coverage.incomplete_recoveries += 1;
                for f in files {
                    self.backups.interrupted.remove(&f);
                }
                Ok(Ok(()))
            }
            // The point the simulator computed makes every file consistent:
            // a warning there is the engine's fault.
            Err(DbError::Ora(s)) if s.code() == 1547 => {
                self.record_error(&DbError::Ora(s.clone()));
                Err(Halt::Violation(invariants::Violation::new(
                    "INV-DATA-4",
                    format!(
                        "incomplete recovery to the latest point the surviving files allow left a file inconsistent:\n{s}"
                    ),
                )))
            }
            Err(e) => {
                self.record_error(&e);
                Ok(Err(e))
            }
        }
    }

    /// The first SCN of sequence `seq` from the header of an online log on
    /// disk holding it.
    fn log_first_scn_on_disk(&mut self, cf: &ControlFile, seq: u32) -> Option<Scn> {
        let disk = self.inst_mut().storage_mut();
        cf.log_groups
            .iter()
            .flat_map(|g| g.members.iter())
            .filter_map(|m| engine::redo::read_log(disk, &m.path, 0).ok()?.ok())
            .find(|c| c.header.seq == seq && c.header.incarnation == cf.incarnation)
            .map(|c| c.header.first_scn)
    }

    /// The newest sequence of the thread: the control file's, or a later
    /// one an online log on disk holds (a backup control file is behind).
    fn current_seq_on_disk(&mut self, cf: &ControlFile) -> u32 {
        let inc = cf.incarnation;
        let disk = self.inst_mut().storage_mut();
        let on_disk = cf
            .log_groups
            .iter()
            .flat_map(|g| g.members.iter())
            .filter_map(|m| engine::redo::read_log(disk, &m.path, 0).ok()?.ok())
            .filter(|c| c.header.incarnation == inc)
            .map(|c| c.header.seq)
            .max()
            .unwrap_or(0);
        cf.thread(1).current_seq.max(on_disk)
    }

    /// The incarnations recovery may read (oldest first): the current one
    /// and, on 10g, the ancestors a datafile or a copy on disk is of.
    fn recovery_line(&mut self, cf: &ControlFile) -> Vec<Incarnation> {
        let bs = self.p.db_block_size;
        let copies: Vec<(u32, String)> = (self.backups.copies.iter())
            .map(|(n, p)| (*n, p.clone()))
            .collect();
        let disk = self.inst_mut().storage_mut();
        let files = cf.datafiles.iter().map(|r| (r.file_no, r.name.clone()));
        let incarnations: Vec<Incarnation> = files
            .chain(copies)
            .filter_map(|(n, path)| engine::datafile::read_header(disk, &path, n, bs).ok()?.ok())
            .map(|h| h.incarnation)
            .collect();
        invariants::resetlogs::incarnations_recovery_may_read(cf, self.p.release, &incarnations)
    }

    /// The answer to each prompt, by (incarnation id, sequence), from the
    /// files on disk: the archived log if it is there, else for the
    /// current incarnation an online member holding the sequence.
    fn log_answers(
        &mut self,
        cf: &ControlFile,
        line: &[Incarnation],
    ) -> BTreeMap<(u64, u32), LogAnswer> {
        let p = self.p.clone();
        let inc = cf.incarnation;
        let current = self.current_seq_on_disk(cf);
        let mut answers = BTreeMap::new();
        for &a in line.iter().filter(|a| **a != inc) {
            let last = self.model.last_log_seq(a.id()).unwrap_or(0);
            let disk = self.inst_mut().storage_mut();
            for seq in 1..=last {
                if log_holds(disk, &p.archive_name(1, seq, a.id()), seq, a) {
                    answers.insert((a.id(), seq), LogAnswer::Suggested);
                }
            }
        }
        let disk = self.inst_mut().storage_mut();
        for seq in 1..=current {
            if log_holds(disk, &p.archive_name(1, seq, inc.id()), seq, inc) {
                answers.insert((inc.id(), seq), LogAnswer::Suggested);
                continue;
            }
            // Any member may hold it: a backup control file's groups name
            // the old sequences.
            let member = cf
                .log_groups
                .iter()
                .flat_map(|g| g.members.iter())
                .find(|m| log_holds(disk, &m.path, seq, inc));
            if let Some(m) = member {
                answers.insert((inc.id(), seq), LogAnswer::File(m.path.clone()));
            }
        }
        answers
    }

    /// OPEN RESETLOGS and the checks of the new incarnation.
    fn open_resetlogs(&mut self, latest: Option<&LatestPoint>) -> Flow<Result<(), DbError>> {
        self.say(Statement::AlterDatabase(AlterDatabase::Open(Some(
            Resetlogs::Resetlogs,
        ))));
        let r = self.inst_mut().open_resetlogs();
        self.drain_alerts();
        if let Err(e) = r {
            return Ok(Err(e));
        }
        self.resetlogs_done(latest)
    }

    /// An open that follows an incomplete recovery begun earlier: if the
    /// RESETLOGS got as far as the new control file before a power loss
    /// (the DBA then only had to repair the copies), its checks are due.
    pub(crate) fn opened_after_pitr(&mut self) -> Flow {
        let Some((latest, before)) = self.backups.pitr.clone() else {
            return Ok(());
        };
        let now = self.inst_mut().controlfile().map(|c| c.incarnation);
        if now.is_some_and(|i| i != before) {
            self.resetlogs_done(latest.as_ref())?.map_err(|e| {
                Halt::Violation(invariants::Violation::new(
                    "INV-RL-1",
                    format!("the new incarnation cannot be read after its RESETLOGS: {e}"),
                ))
            })?;
        }
        Ok(())
    }

    /// The checks of a new incarnation, and the model following it.
    fn resetlogs_done(&mut self, latest: Option<&LatestPoint>) -> Flow<Result<(), DbError>> {
        self.coverage.resetlogs += 1;
        let cf = self.inst_mut().controlfile().cloned().expect("open");
        let point = cf.incarnation.resetlogs_scn;
        // The point the DBA asked for (UNTIL CHANGE), else the engine's
        // (UNTIL TIME's is judged against the commits around it below).
        let undo = self.backups.until.take();
        let target = match undo {
            Some(UndoTo::Change(n)) => n,
            _ => point,
        };
        let p = self.p.clone();
        // The structures first, as the open left them (a scan below may
        // make DBWn write), the same moment a script checks them.
        let structural = self.new_incarnation_checks(point);
        // The committed state is now the state at the point: the rows must
        // be exactly it (INV-DATA-3), blocks a fault corrupted excused as
        // for any open (INV-DATA-1's own rules).
        self.model.resetlogs(target);
        let scan = match self.inst_mut().scan() {
            Ok(scan) => scan,
            Err(e) => return Ok(Err(e)),
        };
        let disk = self.inst_mut().storage_mut();
        let dfs = invariants::files::datafiles(disk, &p, Some(&cf)).expect("reads");
        let mut found: Vec<invariants::Violation> =
            invariants::data::check_rows_in(&self.model, &p, &scan, true, &dfs)
                .into_iter()
                .map(|v| match v.id {
                    "INV-DATA-1" => invariants::Violation::new(
                        "INV-DATA-3",
                        format!("after RESETLOGS to SCN {target}: {}", v.evidence),
                    ),
                    _ => v,
                })
                .collect();
        if let Some(v) = undo.and_then(|u| undo_point_wrong(u, point)) {
            found.push(v);
        }
        if let Some(v) = latest.and_then(|l| invariants::resetlogs::check_point_not_early(point, l))
        {
            found.push(v);
        }
        found.extend(structural);
        if let Some(v) = found.into_iter().next() {
            return Err(Halt::Violation(v));
        }
        self.backups_after_resetlogs(&cf, point);
        // With no full backup to follow (10g), a backup control file of
        // the new incarnation is taken at once.
        if self.p.release >= engine::params::Release::R10g {
            self.backup_controlfile()?;
        }
        Ok(Ok(()))
    }

    /// The DBA's records once a new incarnation exists at `point`: the
    /// procedure is over, the backup control file is of the old one, and
    /// the copies are kept only where they can be recovered through the
    /// RESETLOGS (10g) or dropped (9i: the DBA takes new ones).
    fn backups_after_resetlogs(&mut self, cf: &ControlFile, point: Scn) {
        self.backups.pitr = None;
        self.backups.until = None;
        self.backups.interrupted.clear();
        self.backups.controlfile = false;
        if self.p.release >= engine::params::Release::R10g {
            self.keep_copies_through_resetlogs(cf, point);
        } else {
            self.backups.copies.clear();
            self.backups.carried.clear();
        }
    }

    /// At MOUNT, after a power loss: whether the incomplete recovery under
    /// way had in fact finished, its OPEN RESETLOGS having written the new
    /// incarnation's control file before the power failed, though no OPEN
    /// of it succeeded (a datafile a power loss garbled since refuses it).
    /// The model and the DBA's records then follow the new incarnation,
    /// and what OPEN refuses is an ordinary media problem of it: the old
    /// copies must not be put back for the finished procedure.
    pub(crate) fn resetlogs_finished_unopened(&mut self) -> bool {
        let Some((_, before)) = self.backups.pitr.clone() else {
            return false;
        };
        let Some(cf) = self.inst.as_ref().and_then(|i| i.controlfile()).cloned() else {
            return false;
        };
        if cf.incarnation == before || cf.resetlogs_pending.is_some() {
            return false;
        }
        let point = cf.incarnation.resetlogs_scn;
        let target = match self.backups.until {
            Some(UndoTo::Change(n)) => n,
            _ => point,
        };
        self.model.resetlogs(target);
        self.coverage.resetlogs += 1;
        self.backups_after_resetlogs(&cf, point);
        true
    }

    /// 10g: a copy taken before the RESETLOGS stays usable, recovered
    /// through it (ORACLE_NOTES §8.1), if everything in it is from before
    /// the point (its checkpoint not past it and, for a hot copy, its END
    /// BACKUP before it) and the old incarnation's redo from the copy to
    /// the point is all archived and on disk (a RESETLOGS with a backup
    /// control file clears the current log unarchived). The DBA drops
    /// every other copy.
    fn keep_copies_through_resetlogs(&mut self, cf: &ControlFile, point: Scn) {
        let Some(&old) = cf.prior_incarnations.last() else {
            self.backups.copies.clear();
            return;
        };
        let copies = std::mem::take(&mut self.backups.copies);
        for (file, path) in copies {
            let Some(ckpt) = self.model.backup_at(&path).map(|t| t.ckpt_scn) else {
                continue;
            };
            let whole = self
                .backups
                .end_backup
                .get(&file)
                .is_none_or(|e| *e < point);
            if ckpt <= point
                && whole
                && self.archived_between(old, ckpt.max(old.resetlogs_scn), point)
            {
                self.backups.copies.insert(file, path);
            }
        }
        let kept = &self.backups.copies;
        self.backups
            .carried
            .retain(|file, _| kept.contains_key(file));
    }

    /// Whether archived logs of `inc` on disk hold all its redo in
    /// [from, to), by the ranges the model learnt.
    fn archived_between(&mut self, inc: Incarnation, from: Scn, to: Scn) -> bool {
        let p = self.p.clone();
        let mut at = from;
        while at < to {
            let Some(seq) = self.model.log_covering(inc.id(), at) else {
                return false;
            };
            let Some((_, next)) = self.model.log_range(inc.id(), seq) else {
                return false;
            };
            let disk = self.inst_mut().storage_mut();
            if !log_holds(disk, &p.archive_name(1, seq, inc.id()), seq, inc) || next <= at {
                return false;
            }
            at = next;
        }
        true
    }

    /// The new incarnation right after its OPEN RESETLOGS at `point`
    /// (INV-RL-1, -2, -4), read from the files.
    pub(crate) fn new_incarnation_checks(&mut self, point: Scn) -> Vec<invariants::Violation> {
        let p = self.p.clone();
        let disk = self.inst_mut().storage_mut();
        let mut found =
            invariants::resetlogs::check_after_resetlogs(disk, &p, point).expect("reads");
        found.extend(
            invariants::resetlogs::check_nothing_after_point(disk, &p, point).expect("reads"),
        );
        found.extend(invariants::resetlogs::check_scns_above_resetlogs(disk, &p).expect("reads"));
        found
    }

    /// The latest point the surviving files allow (INV-DATA-4), computed
    /// from the disk and the model, never from the engine's answer.
    fn latest_point(&mut self, cf: &ControlFile) -> LatestPoint {
        let p = self.p.clone();
        let inc = cf.incarnation;
        let copies = self.backups.copies.clone();
        let end_backup = self.backups.end_backup.clone();
        let line = self.recovery_line(cf);
        let answers = self.log_answers(cf, &line);
        // A crashed instance's files hold nothing the current log lacks
        // (write-ahead): with that log, they are consistent at its end.
        // Only when every log from their checkpoints to the end of the
        // thread can be read: recovery must see the end to know it.
        let current = self.current_seq_on_disk(cf);
        let bs = p.db_block_size;
        let disk = self.inst_mut().storage_mut();
        let from_seq = cf
            .datafiles
            .iter()
            .filter_map(|r| {
                engine::datafile::read_header(disk, &r.name, r.file_no, bs)
                    .ok()?
                    .ok()
            })
            .filter(|h| h.incarnation == inc)
            .map(|h| h.ckpt_rba.seq)
            .min()
            .unwrap_or(current);
        let crash_end = if (from_seq.max(1)..=current).all(|q| answers.contains_key(&(inc.id(), q)))
        {
            self.current_log_end(cf)
        } else {
            None
        };
        let disk = self.inst_mut().storage_mut();
        let mut files = Vec::new();
        for rec in cf
            .datafiles
            .iter()
            .filter(|d| d.status == FileStatus::Online)
        {
            let mut candidates = Vec::new();
            // A file of this incarnation, or (10g) of an ancestor from
            // before the point where this line branched off it.
            let usable = |h: &engine::datafile::DatafileHeader| {
                h.incarnation == inc
                    || (line.contains(&h.incarnation)
                        && cf
                            .branch_point(h.incarnation)
                            .is_some_and(|b| h.ckpt_scn <= b))
            };
            let header = |disk: &mut crate::disk::Disk, path: &str| {
                engine::datafile::read_header(disk, path, rec.file_no, p.db_block_size)
                    .ok()
                    .and_then(|h| h.ok())
                    .filter(usable)
            };
            if let Some(h) = header(disk, &rec.name) {
                let crashed = h.fuzzy.online && !h.fuzzy.hot_backup && !h.fuzzy.media_recovery;
                let c = match crash_end {
                    Some(end) if crashed => Candidate::fuzzy(StartKind::Current, h.ckpt_scn, end),
                    _ => candidate(StartKind::Current, &h, None),
                };
                candidates.push(c);
            }
            if let Some(path) = copies.get(&rec.file_no)
                && let Some(h) = header(disk, path)
            {
                let kind = StartKind::Backup { path: path.clone() };
                candidates.push(candidate(kind, &h, end_backup.get(&rec.file_no).copied()));
            }
            files.push(FileStarts {
                file_no: rec.file_no,
                candidates,
            });
        }
        let mut logs = self.ancestor_logs(cf, &line, &answers);
        let number = cf.prior_incarnations.len() as u32 + 1;
        let current = self.current_seq_on_disk(cf);
        for seq in 1..=current {
            let range = self.model.log_range(inc.id(), seq);
            let group = cf.log_groups.iter().find(|g| g.seq == seq);
            let first = range
                .map(|r| r.0)
                .or(group.map(|g| g.first_scn))
                .or_else(|| self.log_first_scn_on_disk(cf, seq));
            let Some(first_scn) = first else {
                continue;
            };
            let surviving = answers.contains_key(&(inc.id(), seq));
            let next_scn = match range {
                Some((_, next)) => Some(next),
                None if seq == current && surviving => self.current_log_end(cf),
                None => group.and_then(|g| g.next_scn),
            };
            logs.push(LogSpan {
                incarnation: number,
                seq,
                first_scn,
                next_scn,
                surviving,
            });
        }
        invariants::point::latest_point(&files, &Redo { logs })
    }

    /// The logs of the ancestors in `line` (10g), each up to the one
    /// holding the point where its child branched off, given ending there.
    fn ancestor_logs(
        &self,
        cf: &ControlFile,
        line: &[Incarnation],
        answers: &BTreeMap<(u64, u32), LogAnswer>,
    ) -> Vec<LogSpan> {
        let mut logs = Vec::new();
        for &a in line.iter().filter(|a| **a != cf.incarnation) {
            let (Some(branch), Some(i)) = (
                cf.branch_point(a),
                cf.prior_incarnations.iter().position(|p| *p == a),
            ) else {
                continue;
            };
            for seq in 1..=self.model.last_log_seq(a.id()).unwrap_or(0) {
                let Some((first_scn, next)) = self.model.log_range(a.id(), seq) else {
                    continue;
                };
                if first_scn >= branch {
                    break;
                }
                logs.push(LogSpan {
                    incarnation: i as u32 + 1,
                    seq,
                    first_scn,
                    next_scn: Some(next.min(branch)),
                    surviving: answers.contains_key(&(a.id(), seq)),
                });
            }
        }
        logs
    }

    /// Where the current log's surviving redo ends (just past its last
    /// record), read from its best member.
    fn current_log_end(&mut self, cf: &ControlFile) -> Option<Scn> {
        let current = self.current_seq_on_disk(cf);
        let (blocks, disk) = (self.p.log_blocks, self.inst_mut().storage_mut());
        cf.log_groups
            .iter()
            .flat_map(|g| g.members.iter())
            .filter_map(|m| engine::redo::read_log(disk, &m.path, blocks).ok()?.ok())
            .filter(|c| c.header.seq == current && c.header.incarnation == cf.incarnation)
            .map(|c| {
                c.records
                    .last()
                    .map_or(c.header.first_scn, |r| r.record.scn + 1)
            })
            .max()
    }
}

/// A start for a file from its header: consistent at its checkpoint when
/// no fuzzy bit is set; a hot-backup copy once recovery passes its END
/// BACKUP (`end_backup`, when the run knows it); never, as far as the
/// simulator can tell, for a file a crashed instance left open.
fn candidate(
    kind: StartKind,
    h: &engine::datafile::DatafileHeader,
    end_backup: Option<Scn>,
) -> Candidate {
    if !h.fuzzy.any() {
        return Candidate::clean(kind, h.ckpt_scn);
    }
    let from = match end_backup {
        Some(e) if h.fuzzy.hot_backup && !h.fuzzy.media_recovery => e + 1,
        _ => Scn::MAX,
    };
    Candidate::fuzzy(kind, h.ckpt_scn, from)
}

/// How a must-fail probe of OPEN RESETLOGS makes the files unfit for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResetlogsProbe {
    /// SHUTDOWN ABORT: every file online-fuzzy (INV-FUZZY-4).
    Fuzzy,
    /// A clean shutdown and one file put back from an older copy: the
    /// others stand past the point a CANCEL at once reaches (ORA-01152 /
    /// ORA-01194; INV-RL-2, no change from after the point survives).
    Behind,
}

/// INV-RL-2 for the undo of a user error: UNTIL CHANGE n must open
/// RESETLOGS at n; UNTIL TIME t past every commit made up to t and not past
/// the mistake's commit (the first change after t).
fn undo_point_wrong(undo: UndoTo, point: Scn) -> Option<invariants::Violation> {
    let why = match undo {
        UndoTo::Change(n) if n != point => {
            format!("RECOVER … UNTIL CHANGE {n} opened RESETLOGS at SCN {point}")
        }
        UndoTo::Time { t, after, error } if point <= after || point > error => format!(
            "RECOVER … UNTIL TIME '{}' opened RESETLOGS at SCN {point}: the commits up to that time end at SCN {after}, and the first one after it is at SCN {error}",
            engine::media::format_until_time(t)
        ),
        _ => return None,
    };
    Some(invariants::Violation::new("INV-RL-2", why))
}

/// Whether the file at `path` is a log holding `seq` of incarnation `inc`.
fn log_holds(
    disk: &mut crate::disk::Disk,
    path: &str,
    seq: u32,
    inc: engine::datafile::Incarnation,
) -> bool {
    matches!(
        engine::redo::read_log(disk, path, 0),
        Ok(Ok(c)) if c.header.seq == seq && c.header.incarnation == inc
    )
}

fn power_lost() -> DbError {
    DbError::Terminated {
        power_lost: true,
        stack: OraStack::default(),
    }
}

// ----- a user error undone, and a must-fail probe ---------------------------

impl Run {
    /// A user deletes a few rows by mistake and commits (session 1). The DBA
    /// finds the commit's SCN (as LogMiner would show it), shuts down,
    /// restores every datafile from its copy (all older than the error),
    /// recovers UNTIL CHANGE that SCN, which excludes the error, and opens
    /// RESETLOGS: the rows must be the committed state just before it
    /// (INV-DATA-3), the resetlogs SCN that SCN. A power loss anywhere in
    /// between leaves the run's recovery to finish what it can.
    pub(crate) fn user_error(&mut self) -> Flow {
        let keys: Vec<u64> = self.model.expected().keys().copied().collect();
        let n = 1 + self.media.below(3) as usize;
        for _ in 0..n.min(keys.len()) {
            let k = *self.media.pick(&keys);
            self.exec(crate::runner::Op::Delete { session: 1, k })?;
            if !self.is_open() {
                return Ok(());
            }
        }
        let (before, crashes) = (self.model.commits.len(), self.crashes);
        self.exec(crate::runner::Op::Commit { session: 1 })?;
        // (A commit a crash struck is no mistake to undo: the DBA has a
        // recovery to run instead.)
        if !self.is_open() || self.model.commits.len() == before || self.crashes != crashes {
            return Ok(());
        }
        let error_scn = self.model.commits.last().expect("just committed").0;
        // The statement that committed it ticked the clock: its redo, and
        // no earlier statement's, carries this time.
        let error_time = self.clock;
        let after = self.model.commits.iter().rev().nth(1).map_or(0, |c| c.0);
        let undo = if self.media.chance(1, 2) && error_time > 1 {
            UndoTo::Time {
                t: error_time - 1,
                after,
                error: error_scn,
            }
        } else {
            UndoTo::Change(error_scn)
        };
        // Work goes on before anyone notices: the undo loses it too, and
        // its redo, past the point, must never come back (INV-DATA-3).
        for _ in 0..self.media.below(4) {
            let k = self.media.below(self.cfg.keys);
            self.value_counter += 1;
            let v = format!("v{}", self.value_counter);
            let op = if self.model.expected().contains_key(&k) {
                crate::runner::Op::Update { session: 1, k, v }
            } else {
                crate::runner::Op::Insert { session: 1, k, v }
            };
            self.exec(op)?;
            if self.is_open() {
                self.exec(crate::runner::Op::Commit { session: 1 })?;
            }
            if !self.is_open() {
                return Ok(());
            }
        }
        if self.media.chance(1, 2) {
            self.exec(crate::runner::Op::SwitchLogfile)?;
            if !self.is_open() {
                return Ok(());
            }
        }
        self.note(&format!("-- the DBA undoes the commit at SCN {error_scn}"));
        if !self.shutdown_clean()? {
            return Ok(());
        }
        let cf = self.current_controlfile().expect("a control file");
        let mut pairs = Vec::new();
        for rec in &cf.datafiles {
            let Some(src) = self.backups.copies.get(&rec.file_no).cloned() else {
                return self.recover();
            };
            pairs.push((src, rec.name.clone()));
        }
        if !self.restore_pairs(&pairs)? {
            return Ok(());
        }
        if !self.mount_only()? {
            return self.recover();
        }
        self.backups.pitr = Some((None, cf.incarnation));
        self.backups.until = Some(undo);
        let r = self.recover_until(undo)?;
        let r = match r {
            Ok(()) => self.open_resetlogs(None)?,
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => {
                self.note("Database opened.");
                self.recoveries += 1;
                self.checks_after_open()
            }
            Err(e) => self.after_failed_step(e),
        }
    }

    /// The DBA's `host cp` of each (copy, datafile) pair, the database shut
    /// down. False when a power loss cut one short or a copy failed: the
    /// run has recovered instead (a cut restore is made again before the
    /// next STARTUP).
    fn restore_pairs(&mut self, pairs: &[(String, String)]) -> Flow<bool> {
        let cf = self.current_controlfile();
        for (src, dst) in pairs {
            if let Some(r) = cf
                .as_ref()
                .and_then(|c| c.datafiles.iter().find(|r| r.name == *dst))
            {
                self.model.media_needed.insert(r.file_no);
            }
            self.model.restored(dst);
            self.say(Statement::Host(HostCmd::Cp {
                src: src.clone(),
                dst: dst.clone(),
            }));
            match crate::planner::copy_file(self.disk_mut(), src, dst) {
                Ok(()) => {
                    self.coverage.restores += 1;
                    self.copy_restored(src);
                }
                Err(engine::storage::IoErrorKind::PowerLost) => {
                    self.backups.cut_restores = pairs.to_vec();
                    self.power_loss();
                    self.crash_checks()?;
                    self.recover()?;
                    return Ok(false);
                }
                Err(_) => {
                    self.recover()?;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// RECOVER DATABASE UNTIL CHANGE | TIME, every prompt answered AUTO.
    fn recover_until(&mut self, undo: UndoTo) -> Flow<Result<(), DbError>> {
        let (until, script) = match undo {
            UndoTo::Change(scn) => (
                Until::Change(scn),
                RecoverUntil::Change(crate::script::ScnRef::Scn(scn)),
            ),
            UndoTo::Time { t, .. } => (
                Until::Time(t),
                RecoverUntil::Time(engine::media::format_until_time(t)),
            ),
        };
        self.say(Statement::Recover(Recover {
            automatic: false,
            target: RecoverTarget::Database,
            until: Some(script),
            using_backup_controlfile: false,
        }));
        let files: Vec<u32> = self.p.datafiles.iter().map(|d| d.file_no).collect();
        self.backups.interrupted.extend(files.iter().copied());
        let opts = RecoverOptions {
            until: Some(until),
            using_backup_controlfile: false,
        };
        let r = self.recover_answering_auto(engine::media::RecoverTarget::Database, opts, false);
        if r.is_ok() {
            self.coverage.media_recoveries += 1;
            self.coverage.incomplete_recoveries += 1;
            for f in files {
                self.backups.interrupted.remove(&f);
            }
        }
        Ok(r)
    }

    /// The must-fail probes of OPEN RESETLOGS (S-OPEN-3): files unfit for
    /// it on purpose (see [`ResetlogsProbe`]); RECOVER DATABASE UNTIL
    /// CANCEL is cancelled at once and must warn (ORA-01547), and OPEN
    /// RESETLOGS must refuse. The stop was a mistake: a complete RECOVER
    /// DATABASE and a plain OPEN follow, losing nothing (S-OPEN-5).
    pub(crate) fn probe_resetlogs(&mut self, kind: ResetlogsProbe) -> Flow {
        let Some(cf) = self.inst.as_ref().and_then(|i| i.controlfile()).cloned() else {
            return Ok(());
        };
        let same = cf.datafiles.iter().all(|d| d.status == FileStatus::Online)
            && self.backups.hot.is_none();
        if !same {
            return Ok(());
        }
        let (id, unfit) = match kind {
            ResetlogsProbe::Fuzzy => {
                self.say(Statement::Shutdown(engine::ShutdownMode::Abort));
                let _ = self.inst_mut().shutdown(engine::ShutdownMode::Abort);
                self.drain_alerts();
                self.instance_gone()?;
                (
                    "INV-FUZZY-4",
                    "files left online-fuzzy by a crashed instance".to_string(),
                )
            }
            ResetlogsProbe::Behind => {
                // A copy of this incarnation older than its file: put back,
                // it leaves every other file past the point a CANCEL at
                // once reaches.
                let behind = cf.datafiles.iter().find_map(|r| {
                    let path = self.backups.copies.get(&r.file_no)?;
                    let ckpt = self.model.backup_at(path)?.ckpt_scn;
                    (ckpt < r.ckpt_scn && ckpt >= cf.incarnation.resetlogs_scn)
                        .then(|| (r.clone(), path.clone()))
                });
                let Some((rec, src)) = behind.filter(|_| cf.archivelog) else {
                    return Ok(());
                };
                if !self.shutdown_clean()? || !self.restore_pairs(&[(src, rec.name.clone())])? {
                    return Ok(()); // a crash or a power loss: recovered instead
                }
                (
                    "INV-RL-2",
                    format!(
                        "files checkpointed past the point, datafile {} having been put back from an older copy",
                        rec.file_no
                    ),
                )
            }
        };
        if !self.mount_only()? {
            return self.recover();
        }
        let files: Vec<u32> = cf.datafiles.iter().map(|d| d.file_no).collect();
        self.model.media_needed.extend(files.iter().copied());
        self.say(Statement::Recover(Recover {
            automatic: false,
            target: RecoverTarget::Database,
            until: Some(RecoverUntil::Cancel),
            using_backup_controlfile: false,
        }));
        let opts = RecoverOptions {
            until: Some(Until::Cancel),
            using_backup_controlfile: false,
        };
        let mut asked = false;
        let (out, r) = self.inst_mut().recover(
            engine::media::RecoverTarget::Database,
            opts,
            false,
            &mut |_| {
                asked = true;
                LogAnswer::Cancel
            },
        );
        // A power loss may strike before the first prompt: no answer then.
        if asked {
            self.record(Statement::Answer(RecoverAnswer::Cancel));
        }
        for line in out {
            self.note(&line);
        }
        self.drain_alerts();
        match r {
            Err(DbError::Ora(s)) if s.code() == 1547 => {
                self.record_error(&DbError::Ora(s.clone()));
                self.note(&s.to_string());
            }
            // A file a fault took (ORA-00283 + ORA-01157 …): no probe today.
            Err(e) => return self.after_failed_step(e),
            Ok(()) => {
                return Err(Halt::Violation(invariants::Violation::new(
                    id,
                    format!("UNTIL CANCEL stopped at once on {unfit} and did not warn (ORA-01547)"),
                )));
            }
        }
        self.say(Statement::AlterDatabase(AlterDatabase::Open(Some(
            Resetlogs::Resetlogs,
        ))));
        let r = self.inst_mut().open_resetlogs();
        self.drain_alerts();
        match r {
            Err(DbError::Ora(s)) => {
                self.record_error(&DbError::Ora(s.clone()));
                self.note(&s.to_string());
                self.coverage.refusals_demanded += 1;
            }
            Err(e) => return self.after_failed_step(e),
            Ok(()) => {
                return Err(Halt::Violation(invariants::Violation::new(
                    id,
                    format!("OPEN RESETLOGS opened {unfit}, recovered to no consistent point"),
                )));
            }
        }
        // Now complete recovery, as the DBA who stopped by mistake does.
        if let Err(e) = self.recover_database_automatic() {
            return self.after_failed_step(e);
        }
        self.say(Statement::AlterDatabase(AlterDatabase::Open(None)));
        let r = self.inst_mut().open();
        self.drain_alerts();
        match r {
            Ok(()) => {
                self.model.media_needed.retain(|f| !files.contains(f));
                self.note("Database opened.");
                self.recoveries += 1;
                self.checks_after_open()
            }
            Err(e) => self.after_failed_step(e),
        }
    }

    /// ORA-01589 at OPEN with no incomplete recovery of the run's under
    /// way: an UNTIL stopped by mistake (the probe's) before a power loss.
    /// The DBA completes the recovery and opens normally (S-OPEN-5).
    pub(crate) fn complete_after_mistaken_stop(&mut self) -> Flow<Result<(), DbError>> {
        match self.recover_database_automatic() {
            Ok(()) => {}
            // A file to restore first (its header lost or garbled): the
            // media procedure does that, and recovers and opens after it.
            Err(DbError::Ora(s)) if s.code() == 283 && s.0.len() > 1 => {
                self.record_error(&DbError::Ora(s.clone()));
                self.note(&s.to_string());
                let inner = OraStack(s.0[1..].to_vec());
                if crate::planner::is_media_error(&inner)
                    && invariants::recovery::explanation(&inner, &self.model).is_some()
                {
                    return self.media_at_mount(&inner);
                }
                return Ok(Err(DbError::Ora(s)));
            }
            Err(e) => return Ok(Err(e)),
        }
        self.say(Statement::AlterDatabase(AlterDatabase::Open(None)));
        let r = self.inst_mut().open();
        self.drain_alerts();
        Ok(r)
    }

    /// RECOVER AUTOMATIC DATABASE (complete), printed as the DBA types it.
    fn recover_database_automatic(&mut self) -> Result<(), DbError> {
        self.say(Statement::Recover(Recover {
            automatic: true,
            target: RecoverTarget::Database,
            until: None,
            using_backup_controlfile: false,
        }));
        let r = self.recover_answering_auto(
            engine::media::RecoverTarget::Database,
            RecoverOptions::default(),
            true,
        );
        if r.is_ok() {
            self.coverage.media_recoveries += 1;
        }
        r
    }

    /// STARTUP NOMOUNT and CREATE CONTROLFILE REUSE … NORESETLOGS from the
    /// datafile headers and online logs (OPEN follows).
    pub(crate) fn recreate_controlfile(&mut self) -> Result<(), DbError> {
        // CREATE CONTROLFILE reads every datafile's header: one a fault
        // took is put back from its copy first (RECOVER follows at OPEN).
        let bs = self.p.db_block_size;
        for f in self.p.datafiles.clone() {
            let disk = self.inst_mut().storage_mut();
            let readable = matches!(
                engine::datafile::read_header(disk, &f.path, f.file_no, bs),
                Ok(Ok(_))
            );
            let Some(src) = self.backups.copies.get(&f.file_no).cloned() else {
                continue;
            };
            if readable {
                continue;
            }
            self.model.restored(&f.path);
            self.model.media_needed.insert(f.file_no);
            self.say(Statement::Host(HostCmd::Cp {
                src: src.clone(),
                dst: f.path.clone(),
            }));
            match crate::planner::copy_file(self.inst_mut().storage_mut(), &src, &f.path) {
                Ok(()) => {
                    self.coverage.restores += 1;
                    self.copy_restored(&src);
                    self.model.lost_files.remove(&f.path);
                    self.model.garbled_files.remove(&f.path);
                }
                Err(engine::storage::IoErrorKind::PowerLost) => return Err(power_lost()),
                Err(_) => {}
            }
        }
        self.say(Statement::Startup {
            mode: crate::script::StartupMode::Nomount,
            force: false,
        });
        self.inst_mut().nomount()?;
        let archivelog = self.p.archivelog;
        self.say(Statement::CreateControlfile(
            crate::script::CreateControlfile {
                reuse: true,
                database: self.p.db_name.clone(),
                mode: Resetlogs::Noresetlogs,
                archivelog: Some(archivelog),
            },
        ));
        let db = self.p.db_name.clone();
        // Every copy is rewritten: a power loss inside may leave any of
        // them missing or old (until an OPEN succeeds).
        let copies = self.p.control_files.clone();
        self.model.struck_files.extend(copies);
        self.inst_mut()
            .create_controlfile(&db, true, false, archivelog)?;
        self.coverage.controlfile_recoveries += 1;
        self.corruption_list_lost();
        // The created control file knows only the current incarnation: a
        // copy of an earlier one can no longer be recovered through its
        // RESETLOGS.
        let cf = self.inst_mut().controlfile().cloned().expect("mounted");
        let copies = std::mem::take(&mut self.backups.copies);
        for (file, path) in copies {
            let disk = self.inst_mut().storage_mut();
            if let Ok(Ok(h)) = engine::datafile::read_header(disk, &path, file, bs)
                && h.incarnation == cf.incarnation
            {
                self.backups.copies.insert(file, path);
            }
        }
        // A file behind the others needs media recovery now (the new
        // control file says so): the DBA's RECOVER DATABASE follows.
        let cf = self.inst_mut().controlfile().cloned().expect("mounted");
        for rec in &cf.datafiles {
            let disk = self.inst_mut().storage_mut();
            if let Ok(Ok(h)) = engine::datafile::read_header(disk, &rec.name, rec.file_no, bs)
                && engine::tablespace::needs_recovery(&h, rec)
            {
                self.model.media_needed.insert(rec.file_no);
            }
        }
        for c in self.p.control_files.clone() {
            self.model.lost_files.remove(&c);
            self.model.garbled_files.remove(&c);
        }
        self.model.stale_controlfile = None;
        Ok(())
    }

    /// Makes again every copy of a restore a power loss cut short (before
    /// a STARTUP, the disk here). False when a power loss struck again
    /// (the attempt is over).
    pub(crate) fn redo_cut_restores(&mut self) -> Flow<bool> {
        let pairs = std::mem::take(&mut self.backups.cut_restores);
        for (i, (src, dst)) in pairs.iter().enumerate() {
            self.say(Statement::Host(HostCmd::Cp {
                src: src.clone(),
                dst: dst.clone(),
            }));
            self.model.restored(dst);
            match crate::planner::copy_file(self.disk_mut(), src, dst) {
                Ok(()) => {
                    self.coverage.restores += 1;
                    self.copy_restored(src);
                    self.model.lost_files.remove(dst);
                }
                Err(engine::storage::IoErrorKind::PowerLost) => {
                    self.backups.cut_restores = pairs[i..].to_vec();
                    self.crash_in_recovery = true;
                    self.power_loss();
                    self.crash_checks()?;
                    return Ok(false);
                }
                Err(_) => {}
            }
        }
        Ok(true)
    }

    fn is_open(&self) -> bool {
        self.inst
            .as_ref()
            .is_some_and(|i| i.state() == engine::instance::DbState::Open)
    }

    /// STARTUP MOUNT on the disk; false (the instance left down) when the
    /// mount fails.
    fn mount_only(&mut self) -> Flow<bool> {
        let disk = self.disk.take().expect("shut down: the disk is here");
        self.say(Statement::Startup {
            mode: crate::script::StartupMode::Mount,
            force: false,
        });
        let mut inst = engine::Instance::new(self.p.clone(), disk);
        inst.set_time(self.clock);
        let r = inst.nomount().and_then(|()| inst.mount());
        self.inst = Some(inst);
        self.drain_alerts();
        match r {
            Ok(()) => Ok(true),
            Err(e) => {
                self.record_error(&e);
                // The instance stays started (NOMOUNT): the DBA aborts it.
                self.say(Statement::Shutdown(engine::ShutdownMode::Abort));
                let _ = self.inst_mut().shutdown(engine::ShutdownMode::Abort);
                self.drain_alerts();
                self.instance_gone()?;
                Ok(false)
            }
        }
    }

    /// A step of a procedure failed: a power loss (or a termination) is
    /// judged and recovered from; an error the DBA meets ends the procedure
    /// and the run's recovery takes over.
    fn after_failed_step(&mut self, e: DbError) -> Flow {
        self.record_error(&e);
        if let DbError::Terminated { power_lost, stack } = &e {
            self.judge_termination("a recovery procedure", *power_lost, stack, false)?;
            return self.instance_died();
        }
        if let DbError::Ora(s) = &e {
            self.note(&s.to_string());
        }
        self.say(Statement::Shutdown(engine::ShutdownMode::Abort));
        let _ = self.inst_mut().shutdown(engine::ShutdownMode::Abort);
        self.drain_alerts();
        self.instance_gone()?;
        self.recover()
    }
}

impl Run {
    /// The must-fail probe of INV-RL-3: in an incarnation after a RESETLOGS,
    /// the first prompt of a media recovery is answered with the archived
    /// log of the same sequence from an earlier incarnation (a DBA's slip
    /// with the names). Recovery must refuse it (ORA-00342) before applying
    /// anything; the DBA then recovers as usual. Some(result) when the
    /// probe's recovery itself ended the matter (a power loss).
    pub(crate) fn probe_old_incarnation_log(
        &mut self,
        target: &engine::media::RecoverTarget,
        files: &[u32],
    ) -> Flow<Option<Result<(), DbError>>> {
        let Some(cf) = self.inst_mut().controlfile().cloned() else {
            return Ok(None);
        };
        let disk = self.inst_mut().storage_mut();
        let old: BTreeMap<u32, String> = cf
            .archived_logs
            .iter()
            .filter(|a| a.incarnation != cf.incarnation && disk.exists(&a.name))
            .map(|a| (a.seq, a.name.clone()))
            .collect();
        if old.is_empty() {
            return Ok(None);
        }
        // The first prompt asks for the log of the oldest header among the
        // files to recover, unless an online group still holds it.
        let bs = self.p.db_block_size;
        let disk = self.inst_mut().storage_mut();
        let headers: Vec<_> = files
            .iter()
            .filter_map(|n| cf.datafile(*n))
            .filter_map(|r| {
                engine::datafile::read_header(disk, &r.name, r.file_no, bs)
                    .ok()?
                    .ok()
            })
            .collect();
        // (A file of an earlier incarnation, recovered through the
        // RESETLOGS on 10g, rightly asks for that incarnation's logs.)
        if headers.iter().any(|h| h.incarnation != cf.incarnation) {
            return Ok(None);
        }
        let Some(first) = headers.iter().map(|h| h.ckpt_rba.seq).min() else {
            return Ok(None);
        };
        if !old.contains_key(&first) || cf.group_with_seq(1, first).is_some() {
            return Ok(None);
        }
        self.say(Statement::Recover(Recover {
            automatic: false,
            target: script_target(target),
            until: None,
            using_backup_controlfile: false,
        }));
        let mut given = Vec::new();
        let (out, r) = self.inst_mut().recover(
            target.clone(),
            RecoverOptions::default(),
            false,
            &mut |req| {
                let a = match old.get(&req.seq) {
                    Some(name) if given.is_empty() => LogAnswer::File(name.clone()),
                    _ => LogAnswer::Cancel,
                };
                given.push(a.clone());
                a
            },
        );
        let mut offered = None;
        for a in given {
            self.record(Statement::Answer(match a {
                LogAnswer::File(f) => {
                    offered.get_or_insert(f.clone());
                    RecoverAnswer::File(f)
                }
                _ => RecoverAnswer::Cancel,
            }));
        }
        for line in out {
            self.note(&line);
        }
        self.drain_alerts();
        let Some(name) = offered else {
            // The start was elsewhere: cancelled at once, recovered below.
            return Ok(match r {
                Err(e @ DbError::Terminated { .. }) => Some(Err(e)),
                _ => None,
            });
        };
        match r {
            Err(DbError::Ora(s)) if s.code() == 342 => {
                self.record_error(&DbError::Ora(s.clone()));
                self.note(&s.to_string());
                self.coverage.refusals_demanded += 1;
                Ok(None)
            }
            Err(e @ DbError::Terminated { .. }) => Ok(Some(Err(e))),
            other => Err(Halt::Violation(invariants::Violation::new(
                "INV-RL-3",
                format!(
                    "media recovery of incarnation {} accepted the archived log '{name}' of an earlier one: {other:?}",
                    cf.prior_incarnations.len() + 1
                ),
            ))),
        }
    }
}

/// The script form of a recovery target.
fn script_target(t: &engine::media::RecoverTarget) -> RecoverTarget {
    match t {
        engine::media::RecoverTarget::Database => RecoverTarget::Database,
        engine::media::RecoverTarget::Tablespace(ts) => RecoverTarget::Tablespace(ts.clone()),
        engine::media::RecoverTarget::Datafile(n) => {
            RecoverTarget::Datafile(FileRef::Number(u64::from(*n)))
        }
    }
}

// ----- every control-file copy lost (S-CF-1) ---------------------------------

impl Run {
    /// SHUTDOWN ABORT, then every control-file copy is lost.
    pub(crate) fn lose_every_controlfile(&mut self) -> Flow {
        self.say(Statement::Shutdown(engine::ShutdownMode::Abort));
        let _ = self.inst_mut().shutdown(engine::ShutdownMode::Abort);
        self.drain_alerts();
        self.instance_gone()?;
        self.say(Statement::Fault(crate::script::FaultCmd::LoseControlfile {
            copy: None,
        }));
        for c in self.p.control_files.clone() {
            self.disk_mut().lose_file(&c);
            self.model.lost_files.insert(c);
        }
        self.recover()
    }

    /// SHUTDOWN ABORT, then every member of every online log is lost: no
    /// crash recovery is possible, only incomplete recovery through the
    /// archived logs (S-LOSS-3, seed case 15).
    pub(crate) fn lose_online_logs(&mut self) -> Flow {
        self.say(Statement::Shutdown(engine::ShutdownMode::Abort));
        let _ = self.inst_mut().shutdown(engine::ShutdownMode::Abort);
        self.drain_alerts();
        self.instance_gone()?;
        self.say(Statement::Fault(crate::script::FaultCmd::LoseOnlineLogs));
        // The sequences ARCn had not archived are gone for good.
        if let Some(cf) = self.current_controlfile() {
            for g in cf.log_groups.iter().filter(|g| g.seq > 0 && !g.archived) {
                let name = self.p.archive_name(1, g.seq, cf.incarnation.id());
                self.model.lost_archives.insert(name);
            }
        }
        for m in self
            .p
            .log_groups
            .iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
        {
            self.disk_mut().lose_file(&m);
            self.model.lost_files.insert(m);
        }
        self.coverage.log_groups_lost += self.p.log_groups.len();
        self.recover()
    }

    /// No readable control-file copy is left (ORA-00205): the DBA puts the
    /// backup control file back in every CONTROL_FILES location. Its MOUNT
    /// then leads to RECOVER … USING BACKUP CONTROLFILE (ORA-01589 at OPEN).
    /// False when there is no backup control file to restore.
    pub(crate) fn restore_backup_controlfile(&mut self) -> Flow<bool> {
        let src = crate::media::BACKUP_CONTROLFILE;
        if !self.backups.controlfile || !self.disk_mut().exists(src) {
            return Ok(false);
        }
        for dst in self.p.control_files.clone() {
            self.say(Statement::Host(HostCmd::Cp {
                src: src.into(),
                dst: dst.clone(),
            }));
            match crate::planner::copy_file(self.disk_mut(), src, &dst) {
                Ok(()) => {
                    self.model.lost_files.remove(&dst);
                    self.model.struck_files.remove(&dst);
                }
                Err(engine::storage::IoErrorKind::PowerLost) => {
                    self.model.struck_files.insert(dst.clone());
                    self.crash_in_recovery = true;
                    self.power_loss();
                    self.crash_checks()?;
                    return Ok(true);
                }
                Err(_) => return Ok(false),
            }
        }
        self.coverage.controlfile_recoveries += 1;
        self.corruption_list_lost();
        Ok(true)
    }

    /// A control file put in place (a backup, or a created one) does not
    /// list the blocks the last one knew corrupt: a torn block no recovery
    /// can repair (no torn-block protection) is, like rot, learnt again
    /// when a read meets it.
    fn corruption_list_lost(&mut self) {
        if !self.model.torn_block_protection {
            let torn: Vec<_> = self.model.torn.iter().copied().collect();
            self.model.rotted.extend(torn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// INV-RL-2 for an undone user error: UNTIL CHANGE must land exactly
    /// on its SCN; UNTIL TIME anywhere past the last commit before the
    /// bound and not past the mistake's commit.
    #[test]
    fn an_undo_point_off_its_bound_fires_rl_2() {
        assert_eq!(undo_point_wrong(UndoTo::Change(50), 50), None);
        let v = undo_point_wrong(UndoTo::Change(50), 51).expect("one past");
        assert_eq!(v.id, "INV-RL-2");
        let time = UndoTo::Time {
            t: 100,
            after: 40,
            error: 50,
        };
        assert_eq!(undo_point_wrong(time, 41), None);
        assert_eq!(undo_point_wrong(time, 50), None);
        for wrong in [40, 51] {
            let v = undo_point_wrong(time, wrong).expect("outside (40, 50]");
            assert_eq!(v.id, "INV-RL-2");
            assert!(v.evidence.contains("UNTIL TIME"), "{}", v.evidence);
        }
    }
}
