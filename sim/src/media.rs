//! Losing files and getting them back (S-BK-1, S-BK-2, S-MR-1..6, S-CD-1):
//! the backups a random run takes as a real site does, the media faults it
//! injects, and the DBA's media-recovery procedures.
//!
//! Backups: cold copies of every datafile at a clean shutdown, hot copies
//! of a tablespace between BEGIN BACKUP and END BACKUP while the workload
//! runs (the copy may interleave with DBWn, so it can hold split blocks),
//! into `/u03/backup/`; ARCn keeps every archived log in `/u02/arch/`.
//! Faults: a datafile lost (open or after a clean shutdown), garbage over a
//! datafile header, a rotted block, END BACKUP forgotten until a crash.
//!
//! The DBA reads what STARTUP says (ORA-01157, ORA-01113, ORA-10873,
//! ORA-01122) and, at MOUNT, looks at every file the way `v$recover_file`
//! shows them, then follows one of the documented procedures, chosen by the
//! seed: restore the files and RECOVER mounted; or take the lost files
//! offline, open, restore, RECOVER DATAFILE, ONLINE; or restore every file
//! and RECOVER DATABASE. A file with no copy is re-created (CREATE
//! DATAFILE) and rebuilt from all its redo; SYSTEM with no copy, or a
//! recovery that needs an archived log a fault destroyed, ends the run
//! unrecoverable, saying which.

use std::collections::{BTreeMap, BTreeSet};

use engine::controlfile::{ControlFile, DatafileRecord, FileStatus};
use engine::instance::DbState;
use engine::media::LogAnswer;
use engine::{DbError, OraStack};

use crate::disk::Disk;
use crate::runner::{Flow, Halt, Op, Run};
use crate::script::{
    AlterDatabase, DatafileAction, FileRef, HostCmd, Recover, RecoverAnswer, RecoverTarget,
    Statement, TablespaceAction,
};

/// Where the DBA keeps copies of the datafiles.
pub(crate) const BACKUP_DIR: &str = "/u03/backup/";
/// The DBA's binary backup of the control file.
pub(crate) const BACKUP_CONTROLFILE: &str = "/u03/backup/control.bkp";

/// The run's user-managed backups.
#[derive(Debug, Default, Clone)]
pub(crate) struct Backups {
    /// The newest usable copy of each datafile, by file number.
    pub copies: BTreeMap<u32, String>,
    /// A hot backup in progress: the tablespace, whether its files are
    /// copied yet, and whether the DBA will forget END BACKUP.
    pub hot: Option<HotBackup>,
    /// Files whose restore or media recovery a power loss cut short: the
    /// DBA restores them again rather than trust a half-written file.
    pub interrupted: BTreeSet<u32>,
    /// Per file, the blocks a fault had corrupted (torn, rotted) when its
    /// copy was taken: the copy carries them, and a restore brings their
    /// excuse back with them.
    pub carried: BTreeMap<u32, BTreeSet<(u32, u32)>>,
    /// The same by the copy's path, for every copy of a datafile taken
    /// (a script's too): a restore from that path brings them back.
    pub carried_at: BTreeMap<String, BTreeSet<(u32, u32)>>,
    /// Per file, the SCN when END BACKUP of its newest hot copy returned:
    /// the copy is consistent once recovery has applied the redo below it.
    pub end_backup: BTreeMap<u32, u64>,
    /// A backup control file of this incarnation is at
    /// [`BACKUP_CONTROLFILE`].
    pub controlfile: bool,
    /// OPEN refused a stale control file: the next startup builds a new
    /// one with CREATE CONTROLFILE NORESETLOGS (once per stale copy).
    pub recreate_controlfile: bool,
    pub controlfile_recreated: bool,
    /// Copies (source, datafile) of a restore a power loss cut short: the
    /// DBA makes them again before the next STARTUP.
    pub cut_restores: Vec<(String, String)>,
    /// Where the DBA recovers to, undoing a user error.
    pub until: Option<UndoTo>,
    /// An incomplete recovery under way, with the latest point the
    /// surviving files allowed when it began: a power loss inside it (or
    /// inside the RESETLOGS) leads back to it, judged against that point
    /// (None: the DBA chose the point, undoing a user error).
    pub pitr: Option<(
        Option<invariants::point::LatestPoint>,
        engine::datafile::Incarnation,
    )>,
}

/// The DBA's bound when undoing a user error: UNTIL CHANGE at the
/// mistake's commit SCN, or UNTIL TIME one second before the statement that
/// committed it (as read from LogMiner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UndoTo {
    Change(u64),
    Time {
        /// The UNTIL TIME bound.
        t: engine::scn::SimTime,
        /// The newest commit before the mistake: the point must be past it.
        after: u64,
        /// The mistake's commit SCN: the point must not be past it.
        error: u64,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct HotBackup {
    pub tablespace: String,
    pub copied: bool,
    pub forgotten: bool,
}

/// Where the copy of `path` goes.
pub(crate) fn backup_path(path: &str) -> String {
    format!("{BACKUP_DIR}{}", path.rsplit('/').next().unwrap_or(path))
}

/// Rots one database block of a file on disk: the OS block in its middle
/// (checksum and tail then fail), or for block 0 the header's OS block.
pub(crate) fn rot_block(disk: &mut Disk, path: &str, block: u64, db_block: usize, os_block: usize) {
    let per_block = (db_block / os_block) as u64;
    let os = if block == 0 {
        0
    } else {
        block * per_block + per_block / 2
    };
    disk.corrupt_os_block(path, os, block);
}

/// What a file needs before the database can open with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Missing or its header unreadable: restore (or re-create) it first.
    Restore,
    /// Restored, or left in backup mode, or its recovery cut short.
    Recover,
    /// Only left in hot-backup mode by a crash: END BACKUP will do.
    EndBackup,
}

impl Run {
    // ----- the backups and faults a run injects -------------------------------

    /// With the seed's frequency, a backup step or a media fault instead of
    /// a workload step (drawn from a stream of its own, so seeds without
    /// media steps run as before).
    pub(crate) fn pick_media_op(&mut self) -> Option<Op> {
        // After a RESETLOGS (or a gap in the archived logs) no copy can be
        // recovered any more: the DBA takes a full backup first thing.
        if self.backups.copies.is_empty()
            && self.backups.hot.is_none()
            && self
                .inst
                .as_ref()
                .is_some_and(|i| i.state() == DbState::Open)
        {
            return Some(Op::ColdBackup);
        }
        if self.media.below(1000) >= self.media_per_mille {
            return None;
        }
        let inst = self.inst.as_ref()?;
        if inst.state() != DbState::Open {
            return None;
        }
        let cf = inst.controlfile()?.clone();
        let all_online = cf.datafiles.iter().all(|d| d.status == FileStatus::Online);
        if let Some(h) = &self.backups.hot {
            return match (h.copied, h.forgotten) {
                (false, _) => Some(Op::HotCopy),
                (true, false) => Some(Op::EndBackup {
                    tablespace: h.tablespace.clone(),
                }),
                (true, true) => None,
            };
        }
        if !all_online {
            return None;
        }
        let n = cf.datafiles.len() as u64;
        let file = 1 + self.media.below(n) as u32;
        match self.media.below(12) {
            0..=3 if cf.archivelog => {
                let ts = ["SYSTEM", "UNDOTBS", "USERS"];
                let tablespace = self.media.pick(&ts).to_string();
                Some(Op::BeginBackup { tablespace })
            }
            4..=5 => Some(Op::ColdBackup),
            6 | 7 if cf.archivelog => Some(Op::LoseDatafile {
                file,
                closed: self.media.chance(1, 3),
            }),
            8 if cf.archivelog => Some(Op::CorruptBlock { file, block: 0 }),
            9 if cf.archivelog && n > 2 => {
                let file = 3 + self.media.below(n - 2) as u32;
                let blocks = cf.datafile(file).map_or(2, |d| d.blocks);
                let block = 1 + self.media.below(u64::from(blocks - 1)) as u32;
                Some(Op::CorruptBlock { file, block })
            }
            10 if cf.archivelog
                && (1..=n as u32).all(|f| self.backups.copies.contains_key(&f))
                && !self.model.expected().is_empty()
                && self.media.chance(2, 3) =>
            {
                Some(Op::UserError)
            }
            10 => {
                // An archived log of this incarnation, still on disk.
                let logs: Vec<String> = cf
                    .archived_logs
                    .iter()
                    .filter(|a| a.incarnation == cf.incarnation)
                    .filter(|a| !self.model.lost_files.contains(&a.name))
                    .map(|a| a.name.clone())
                    .collect();
                (!logs.is_empty()).then(|| Op::LoseArchivedLog {
                    name: self.media.pick(&logs).clone(),
                })
            }
            11 if self.media.chance(1, 2) => Some(if self.media.chance(1, 2) {
                Op::ProbeFuzzyResetlogs
            } else {
                Op::ProbeInconsistentResetlogs
            }),
            11 if self.backups.controlfile && self.media.chance(1, 2) => {
                Some(Op::LoseEveryControlfile)
            }
            // With a backup of every file, as a site that can lose its logs.
            11 if cf.archivelog && (1..=n as u32).all(|f| self.backups.copies.contains_key(&f)) => {
                Some(Op::LoseOnlineLogs)
            }
            _ => None,
        }
    }

    /// Runs one media step (see [`Run::pick_media_op`]).
    pub(crate) fn exec_media(&mut self, op: Op) -> Flow {
        match op {
            Op::BeginBackup { tablespace } => {
                self.say(Statement::AlterTablespace {
                    tablespace: tablespace.clone(),
                    action: TablespaceAction::BeginBackup,
                });
                // In backup mode from the moment the statement starts: a
                // crash inside BEGIN BACKUP may leave the headers marked.
                let forgotten = self.media.chance(1, 8);
                self.backups.hot = Some(HotBackup {
                    tablespace: tablespace.clone(),
                    copied: false,
                    forgotten,
                });
                let r = self.inst_mut().begin_backup(Some(&tablespace));
                self.drain_alerts();
                match &r {
                    Ok(()) => self.coverage.hot_backups += 1,
                    Err(DbError::Ora(_)) => self.backups.hot = None,
                    Err(_) => {}
                }
                self.after_call(r)
            }
            Op::HotCopy => {
                let Some(h) = self.backups.hot.clone() else {
                    return Ok(());
                };
                let cf = self.inst_mut().controlfile().cloned().expect("open");
                let files: Vec<DatafileRecord> = cf
                    .datafiles
                    .iter()
                    .filter(|d| d.tablespace == h.tablespace)
                    .cloned()
                    .collect();
                for rec in files {
                    if !self.take_copy(&rec)? {
                        return Ok(()); // the power failed: recovered
                    }
                }
                if let Some(h) = self.backups.hot.as_mut() {
                    h.copied = true;
                }
                Ok(())
            }
            Op::EndBackup { tablespace } => {
                self.say(Statement::AlterTablespace {
                    tablespace: tablespace.clone(),
                    action: TablespaceAction::EndBackup,
                });
                let r = self.inst_mut().end_backup(Some(&tablespace));
                self.drain_alerts();
                if r.is_ok() {
                    self.backups.hot = None;
                    // The copies are consistent once recovery passes here.
                    let scn = self.inst_mut().current_scn();
                    let files: Vec<u32> = self
                        .p
                        .datafiles
                        .iter()
                        .filter(|d| d.tablespace == tablespace)
                        .map(|d| d.file_no)
                        .collect();
                    for f in files {
                        self.backups.end_backup.insert(f, scn);
                    }
                }
                self.after_call(r)
            }
            Op::ColdBackup => self.cold_backup(),
            Op::UserError => self.user_error(),
            Op::ProbeFuzzyResetlogs => {
                self.probe_resetlogs(crate::incomplete::ResetlogsProbe::Fuzzy)
            }
            Op::ProbeInconsistentResetlogs => {
                self.probe_resetlogs(crate::incomplete::ResetlogsProbe::Behind)
            }
            Op::LoseEveryControlfile => self.lose_every_controlfile(),
            Op::LoseOnlineLogs => self.lose_online_logs(),
            Op::LoseArchivedLog { name } => {
                self.say(Statement::Fault(crate::script::FaultCmd::LoseFile(
                    name.clone(),
                )));
                self.disk_mut().lose_file(&name);
                self.model.lost_files.insert(name.clone());
                self.model.lost_archives.insert(name);
                Ok(())
            }
            Op::LoseDatafile { file, closed } => {
                if closed && !self.shutdown_clean()? {
                    return Ok(());
                }
                let path = self.datafile_path(file);
                self.say(Statement::Fault(crate::script::FaultCmd::LoseDatafile(
                    FileRef::Number(u64::from(file)),
                )));
                self.disk_mut().lose_file(&path);
                self.model.lost_files.insert(path);
                self.model.media_needed.insert(file);
                if closed {
                    return self.recover();
                }
                Ok(())
            }
            Op::CorruptBlock { file, block } => {
                let path = self.datafile_path(file);
                self.say(Statement::Fault(
                    crate::script::FaultCmd::CorruptDatafileBlock {
                        file: FileRef::Number(u64::from(file)),
                        block: u64::from(block),
                    },
                ));
                let (bs, os) = (self.p.db_block_size, self.cfg.os_block_size);
                rot_block(self.disk_mut(), &path, u64::from(block), bs, os);
                self.model.rotted.insert((file, block));
                if block == 0 {
                    // A garbled header is noticed at the next startup.
                    self.say(Statement::Shutdown(engine::ShutdownMode::Abort));
                    let _ = self.inst_mut().shutdown(engine::ShutdownMode::Abort);
                    self.drain_alerts();
                    return self.instance_died();
                }
                Ok(())
            }
            _ => unreachable!("not a media step"),
        }
    }

    /// The name the control file gives datafile `file` (the newest copy on
    /// disk when no instance is up).
    fn datafile_path(&mut self, file: u32) -> String {
        let cf = self.current_controlfile();
        cf.and_then(|c| c.datafile(file).map(|d| d.name.clone()))
            .or_else(|| self.p.datafile(file).map(|d| d.path.clone()))
            .expect("a datafile")
    }

    pub(crate) fn current_controlfile(&mut self) -> Option<ControlFile> {
        if let Some(cf) = self.inst.as_ref().and_then(|i| i.controlfile()) {
            return Some(cf.clone());
        }
        let p = self.p.clone();
        engine::inspect::newest_controlfile(self.disk_mut(), &p)
            .ok()
            .flatten()
    }

    /// Prints and records a statement the DBA runs.
    pub(crate) fn say(&mut self, st: Statement) {
        self.note(&format!(
            "{}{}",
            crate::scenario::prompt(&st),
            crate::script::print_statement(&st)
        ));
        self.record(st);
    }

    /// A copy of `file` was taken: the blocks a fault corrupted go with it.
    fn copy_taken(&mut self, file: u32, dst: String, ckpt_scn: u64) {
        let carried = self.carried_by_copy(file, &dst);
        self.backups.carried.insert(file, carried);
        self.backups.end_backup.remove(&file);
        self.model.backup_taken(&dst, file, ckpt_scn);
        self.backups.copies.insert(file, dst);
    }

    /// A copy of datafile `file` was taken to `dst`: the blocks a fault had
    /// corrupted (torn, rotted; not the header) go with it.
    pub(crate) fn carried_by_copy(&mut self, file: u32, dst: &str) -> BTreeSet<(u32, u32)> {
        let carried: BTreeSet<(u32, u32)> = self
            .model
            .torn
            .iter()
            .chain(self.model.rotted.iter())
            .filter(|d| d.0 == file && d.1 > 0)
            .copied()
            .collect();
        self.backups
            .carried_at
            .insert(dst.to_string(), carried.clone());
        carried
    }

    /// A datafile was put back from the copy `src`: the corrupt blocks it
    /// carries come back with it, and their excuse until they read valid.
    pub(crate) fn copy_restored(&mut self, src: &str) {
        if let Some(c) = self.backups.carried_at.get(src) {
            self.model.rotted.extend(c.iter().copied());
        }
    }

    /// `host cp` of one datafile to its backup; the copy is usable once
    /// whole. Returns false when a power loss struck it (the run recovered).
    fn take_copy(&mut self, rec: &DatafileRecord) -> Flow<bool> {
        let dst = backup_path(&rec.name);
        self.backups.copies.remove(&rec.file_no);
        self.say(Statement::Host(HostCmd::Cp {
            src: rec.name.clone(),
            dst: dst.clone(),
        }));
        // DBWn runs alongside the copy (S-BK-2), as in a script's `host cp`.
        let copied = match self.copy_file(&rec.name, &dst) {
            Ok(()) => Ok(()),
            Err(crate::runner::CopyError::Io(k)) => Err(k),
            Err(crate::runner::CopyError::Died(DbError::Terminated {
                power_lost: true, ..
            })) => Err(engine::storage::IoErrorKind::PowerLost),
            Err(crate::runner::CopyError::Died(e)) => {
                // DBWn died of something else: the copy's statement failed.
                self.record_error(&e);
                if let DbError::Terminated { power_lost, stack } = &e {
                    self.judge_termination("a backup copy", *power_lost, stack, false)?;
                }
                self.instance_died()?;
                return Ok(false);
            }
        };
        match copied {
            Ok(()) => {
                let p = self.p.clone();
                let disk = self.disk_mut();
                let scn = engine::datafile::read_header(disk, &dst, rec.file_no, p.db_block_size)
                    .ok()
                    .and_then(|h| h.ok())
                    .map_or(0, |h| h.ckpt_scn);
                self.copy_taken(rec.file_no, dst, scn);
                Ok(true)
            }
            Err(engine::storage::IoErrorKind::PowerLost) => {
                self.instance_died()?;
                Ok(false)
            }
            // The source is gone (a lost file): no copy this time.
            Err(_) => Ok(true),
        }
    }

    /// A cold backup (S-BK-1): a clean shutdown, a copy of every datafile,
    /// STARTUP.
    fn cold_backup(&mut self) -> Flow {
        if !self.shutdown_clean()? {
            return Ok(()); // the shutdown crashed: recovered instead
        }
        let cf = self.current_controlfile().expect("a control file");
        for rec in cf.datafiles.clone() {
            let dst = backup_path(&rec.name);
            self.backups.copies.remove(&rec.file_no);
            self.say(Statement::Host(HostCmd::Cp {
                src: rec.name.clone(),
                dst: dst.clone(),
            }));
            match crate::planner::copy_file(self.disk.as_mut().expect("disk"), &rec.name, &dst) {
                Ok(()) => self.copy_taken(rec.file_no, dst, rec.ckpt_scn),
                Err(engine::storage::IoErrorKind::PowerLost) => {
                    self.power_loss();
                    self.crash_checks()?;
                    break;
                }
                Err(_) => {}
            }
        }
        self.recover()?;
        self.backup_controlfile()
    }

    /// ALTER DATABASE BACKUP CONTROLFILE TO '/u03/backup/control.bkp'
    /// REUSE, once the cold backup's database is open again: what the DBA
    /// restores when every control-file copy is lost.
    pub(crate) fn backup_controlfile(&mut self) -> Flow {
        if !self
            .inst
            .as_ref()
            .is_some_and(|i| i.state() == DbState::Open)
        {
            return Ok(());
        }
        self.say(Statement::AlterDatabase(AlterDatabase::BackupControlfile {
            to: BACKUP_CONTROLFILE.into(),
            reuse: true,
        }));
        let r = self.inst_mut().backup_controlfile(BACKUP_CONTROLFILE, true);
        self.drain_alerts();
        match r {
            Ok(()) => {
                self.backups.controlfile = true;
                self.model.lost_files.remove(BACKUP_CONTROLFILE);
                Ok(())
            }
            Err(e) => {
                self.backups.controlfile = false;
                self.after_call(Err(e))
            }
        }
    }

    /// The first cold backup, of the database CREATE DATABASE left shut
    /// down.
    pub(crate) fn first_backup(&mut self) -> Flow {
        let cf = self.current_controlfile().expect("a control file");
        for rec in cf.datafiles {
            let dst = backup_path(&rec.name);
            self.say(Statement::Host(HostCmd::Cp {
                src: rec.name.clone(),
                dst: dst.clone(),
            }));
            if crate::planner::copy_file(self.disk_mut(), &rec.name, &dst).is_ok() {
                self.copy_taken(rec.file_no, dst, rec.ckpt_scn);
            }
        }
        Ok(())
    }

    /// The instance died: a tablespace in backup mode now needs END BACKUP
    /// or media recovery (S-BK-2), explained by the crash.
    pub(crate) fn media_after_crash(&mut self) {
        if let Some(h) = self.backups.hot.take() {
            let files: Vec<u32> = self
                .p
                .datafiles
                .iter()
                .filter(|d| d.tablespace == h.tablespace)
                .map(|d| d.file_no)
                .collect();
            self.model.media_needed.extend(files);
        }
    }

    /// After `alter database clear unarchived logfile`: the archived logs
    /// now have a gap, so no copy taken before it can be recovered through
    /// it; the DBA takes new backups.
    pub(crate) fn media_after_gap(&mut self, seq: u32) {
        let inc = self.current_controlfile().map_or(1, |c| c.incarnation.id());
        let name = self.p.archive_name(1, seq, inc);
        self.model.lost_archives.insert(name);
        self.backups.copies.clear();
    }

    // ----- the DBA at MOUNT -----------------------------------------------------

    /// What each online file needs, read from its header against the
    /// control file (what `v$recover_file` shows).
    fn files_needing_media(&mut self, cf: &ControlFile) -> Vec<(DatafileRecord, Need)> {
        let bs = self.p.db_block_size;
        let mut out = Vec::new();
        let interrupted = self.backups.interrupted.clone();
        let inst = self.inst.as_mut().expect("instance");
        for rec in cf
            .datafiles
            .iter()
            .filter(|d| matches!(d.status, FileStatus::Online | FileStatus::ReadOnly))
        {
            let read =
                engine::datafile::read_header(inst.storage_mut(), &rec.name, rec.file_no, bs)
                    .expect("reads do not fail while powered on");
            let need = match read {
                Err(_) => Some(Need::Restore),
                Ok(_) if interrupted.contains(&rec.file_no) => Some(Need::Restore),
                Ok(h) if engine::tablespace::needs_recovery(&h, rec) => {
                    let backup_only = h.fuzzy.hot_backup
                        && rec.backup_scn.is_some()
                        && !h.fuzzy.media_recovery
                        && h.ckpt_counter == rec.ckpt_counter;
                    Some(if backup_only {
                        Need::EndBackup
                    } else {
                        Need::Recover
                    })
                }
                Ok(_) => None,
            };
            if let Some(n) = need {
                out.push((rec.clone(), n));
            }
        }
        out
    }

    /// ORA-01157 / 01113 / 10873 / 01122 at OPEN, the database mounted:
    /// the DBA's media-recovery procedure, ending with the open. Returns
    /// the open's result (a power loss inside comes back as its error).
    pub(crate) fn media_at_mount(&mut self, s: &OraStack) -> Flow<Result<(), DbError>> {
        let cf = self.inst_mut().controlfile().cloned().expect("mounted");
        let needs = self.files_needing_media(&cf);
        if needs.is_empty() {
            return Ok(Err(DbError::Ora(s.clone())));
        }
        if needs.iter().all(|(_, n)| *n == Need::EndBackup) && self.planner.chance(1, 2) {
            // S-BK-2: take the files out of backup mode, then open.
            self.say(Statement::AlterDatabase(AlterDatabase::EndBackup));
            let r = self.inst_mut().end_backup(None);
            self.drain_alerts();
            if let Err(e) = r {
                return Ok(Err(e));
            }
            return Ok(self.open_now());
        }
        let restore: Vec<DatafileRecord> = needs
            .iter()
            .filter(|(_, n)| *n == Need::Restore)
            .map(|(r, _)| r.clone())
            .collect();
        for rec in &restore {
            if rec.file_no == 1 && !self.backups.copies.contains_key(&1) {
                return Err(Halt::Unrecoverable(format!(
                    "{} at OPEN: datafile 1 (SYSTEM, '{}') is lost or damaged and has no backup; it cannot be re-created (ORA-01180)",
                    s.0[0], rec.name
                )));
            }
        }
        let only_restores = needs.iter().all(|(_, n)| *n == Need::Restore);
        let offline_ok = only_restores
            && cf.archivelog
            && restore
                .iter()
                .all(|r| r.file_no != 1 && r.file_no != engine::instance::UNDO_FILE);
        let everything = cf
            .datafiles
            .iter()
            .all(|d| self.backups.copies.contains_key(&d.file_no));
        match self.planner.below(4) {
            0 | 1 if offline_ok => self.offline_open_restore(&restore),
            2 if everything => {
                let all: Vec<DatafileRecord> = cf.datafiles.clone();
                self.restore_and_recover_mounted(&all, true)
            }
            _ => self.restore_and_recover_mounted(&restore, !restore.is_empty() || needs.len() > 1),
        }
    }

    /// Restores (or re-creates) `files` and recovers mounted: RECOVER
    /// DATABASE, or RECOVER DATAFILE when one file alone needs it; then
    /// OPEN.
    fn restore_and_recover_mounted(
        &mut self,
        files: &[DatafileRecord],
        whole_database: bool,
    ) -> Flow<Result<(), DbError>> {
        for rec in files {
            if let Err(e) = self.restore_file(rec)? {
                return Ok(Err(e));
            }
        }
        let cf = self.inst_mut().controlfile().cloned().expect("mounted");
        let needs = self.files_needing_media(&cf);
        let target = match (&needs[..], whole_database) {
            ([(rec, _)], false) => RecoverTarget::Datafile(FileRef::Number(u64::from(rec.file_no))),
            _ => RecoverTarget::Database,
        };
        let files: Vec<u32> = needs.iter().map(|(r, _)| r.file_no).collect();
        if !files.is_empty() {
            match self.recover_files(target, &files)? {
                Ok(()) => {}
                // The copies were exactly what the control file expects (a
                // cold backup of the last clean shutdown): nothing to apply.
                Err(DbError::Ora(s)) if s.code() == 264 => {}
                Err(e) => return Ok(Err(e)),
            }
        }
        self.open_after_recovery()
    }

    /// OPEN right after a media recovery that completed: refusing a file
    /// for media reasons now is a broken recovery, not a fault (INV-REC-1).
    fn open_after_recovery(&mut self) -> Flow<Result<(), DbError>> {
        match self.open_now() {
            Err(DbError::Ora(s)) if crate::planner::is_media_error(&s) => {
                self.record_error(&DbError::Ora(s.clone()));
                Err(Halt::Violation(invariants::Violation::new(
                    if self.crash_in_recovery {
                        "INV-REC-2"
                    } else {
                        "INV-REC-1"
                    },
                    format!("OPEN refused a file right after media recovery completed:\n{s}"),
                )))
            }
            r => Ok(r),
        }
    }

    /// S-MR-1 with the database open: the lost files offline at MOUNT,
    /// OPEN, then restore, RECOVER DATAFILE and ONLINE each.
    fn offline_open_restore(&mut self, files: &[DatafileRecord]) -> Flow<Result<(), DbError>> {
        for rec in files {
            self.model.media_needed.insert(rec.file_no);
            self.say(Statement::AlterDatabase(AlterDatabase::Datafile {
                file: FileRef::Number(u64::from(rec.file_no)),
                action: DatafileAction::Offline,
            }));
            let r = self.inst_mut().datafile_offline(rec.file_no, true);
            self.drain_alerts();
            if let Err(e) = r {
                return Ok(Err(e));
            }
        }
        if let Err(e) = self.open_now() {
            return Ok(Err(e));
        }
        // The database is open: its checks come now, as a script's after
        // its OPEN (their scan changes what the buffer cache holds, and so
        // what DBWn writes while the files come back).
        self.model.stale_controlfile = None;
        self.model.struck_files.clear();
        self.checks_after_open()?;
        self.checked_at_open = true;
        for rec in files {
            if let Err(e) = self.bring_back(rec)? {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// An offline file of the open database: restore it if it needs it,
    /// RECOVER DATAFILE, ONLINE.
    fn bring_back(&mut self, rec: &DatafileRecord) -> Flow<Result<(), DbError>> {
        let bs = self.p.db_block_size;
        let inst = self.inst.as_mut().expect("open");
        let header = engine::datafile::read_header(inst.storage_mut(), &rec.name, rec.file_no, bs)
            .expect("reads do not fail while powered on");
        if (header.is_err() || self.backups.interrupted.contains(&rec.file_no))
            && let Err(e) = self.restore_file(rec)?
        {
            return Ok(Err(e));
        }
        let target = RecoverTarget::Datafile(FileRef::Number(u64::from(rec.file_no)));
        match self.recover_files(target, &[rec.file_no])? {
            Ok(()) => {}
            // Nothing to apply (a clean offline that needed no recovery).
            Err(DbError::Ora(s)) if s.code() == 264 => {}
            Err(e) => return Ok(Err(e)),
        }
        self.say(Statement::AlterDatabase(AlterDatabase::Datafile {
            file: FileRef::Number(u64::from(rec.file_no)),
            action: DatafileAction::Online,
        }));
        let r = self.inst_mut().datafile_offline(rec.file_no, false);
        self.drain_alerts();
        if r.is_ok() {
            self.model.media_needed.remove(&rec.file_no);
            // The blocks the copy held whole are repaired.
            let (p, disk) = (
                self.p.clone(),
                self.inst.as_mut().expect("open").storage_mut(),
            );
            let mut still = Vec::new();
            for &(f, b) in self.model.rotted.iter().filter(|d| d.0 == rec.file_no) {
                let ok =
                    engine::datafile::read_block(disk, &rec.name, f, b, p.db_block_size, false)
                        .map(|r| r.is_ok())
                        .unwrap_or(false);
                if !ok {
                    still.push((f, b));
                }
            }
            self.model
                .rotted
                .retain(|d| d.0 != rec.file_no || still.contains(d));
        }
        Ok(r)
    }

    /// Whether the copy of `file` holds `block` whole (the DBA checks the
    /// copy before restoring it to repair that block).
    fn copy_has_block(&mut self, file: u32, block: u32) -> bool {
        let Some(copy) = self.backups.copies.get(&file).cloned() else {
            return false;
        };
        let bs = self.p.db_block_size;
        let Some(inst) = self.inst.as_mut() else {
            return false;
        };
        engine::datafile::read_block(inst.storage_mut(), &copy, file, block, bs, false)
            .map(|r| r.is_ok())
            .unwrap_or(false)
    }

    /// Puts a datafile back from its copy, or re-creates it empty when it
    /// has none (S-CD-1). Err: the statement's error (a power loss).
    fn restore_file(&mut self, rec: &DatafileRecord) -> Flow<Result<(), DbError>> {
        self.backups.interrupted.insert(rec.file_no);
        self.model.media_needed.insert(rec.file_no);
        // From the statement on, the file's header may go back (to the
        // copy's checkpoint, or to its creation SCN).
        self.model.restored(&rec.name);
        let Some(src) = self.backups.copies.get(&rec.file_no).cloned() else {
            let cf = self.current_controlfile().expect("mounted");
            if rec.creation_scn <= cf.incarnation.resetlogs_scn {
                return Err(Halt::Unrecoverable(format!(
                    "datafile {} ('{}') was lost after a RESETLOGS, before any backup of the new incarnation: no copy can be recovered into it and its redo since creation lies in an earlier incarnation (ORA-01181)",
                    rec.file_no, rec.name
                )));
            }
            self.say(Statement::AlterDatabase(AlterDatabase::CreateDatafile {
                file: FileRef::Number(u64::from(rec.file_no)),
                as_name: None,
            }));
            let r = self.inst_mut().create_datafile(rec.file_no, None);
            self.drain_alerts();
            if r.is_ok() {
                self.model.lost_files.remove(&rec.name);
                self.model.restored(&rec.name);
            }
            return Ok(r);
        };
        self.say(Statement::Host(HostCmd::Cp {
            src: src.clone(),
            dst: rec.name.clone(),
        }));
        let disk = self.inst.as_mut().expect("instance").storage_mut();
        match crate::planner::copy_file(disk, &src, &rec.name) {
            Ok(()) => {
                self.coverage.restores += 1;
                // A rotted or torn block the copy holds comes back with it:
                // its excuse stays until the block reads valid again.
                self.copy_restored(&src);
                self.model.lost_files.remove(&rec.name);
                self.model.restored(&rec.name);
                Ok(Ok(()))
            }
            Err(engine::storage::IoErrorKind::PowerLost) => {
                // Half copied, the file may look like the copy: the DBA
                // copies it again before the next STARTUP.
                self.backups
                    .cut_restores
                    .push((src.clone(), rec.name.clone()));
                Ok(Err(DbError::Terminated {
                    power_lost: true,
                    stack: OraStack::default(),
                }))
            }
            Err(k) => Err(Halt::Unrecoverable(format!(
                "the copy '{src}' of datafile {} cannot be read: {k:?}",
                rec.file_no
            ))),
        }
    }

    /// The engine's RECOVER, AUTO answered at its first prompt (and recorded
    /// after the statement the caller printed), its output noted.
    pub(crate) fn recover_answering_auto(
        &mut self,
        target: engine::media::RecoverTarget,
        opts: engine::media::RecoverOptions,
        automatic: bool,
    ) -> Result<(), DbError> {
        let mut asked = false;
        let (out, r) = self.inst_mut().recover(target, opts, automatic, &mut |_| {
            asked = true;
            LogAnswer::Auto
        });
        if asked {
            self.record(Statement::Answer(RecoverAnswer::Auto));
        }
        for line in out {
            self.note(&line);
        }
        self.drain_alerts();
        r
    }

    /// RECOVER [AUTOMATIC] …: automatic or answering AUTO at the first
    /// prompt, chosen by the seed. An error a fault explains (an archived
    /// log destroyed) ends the run unrecoverable; any other is INV-REC-1.
    fn recover_files(&mut self, target: RecoverTarget, files: &[u32]) -> Flow<Result<(), DbError>> {
        let automatic = self.planner.chance(1, 2);
        if !automatic {
            let probe_target = match &target {
                RecoverTarget::Database => Some(engine::media::RecoverTarget::Database),
                RecoverTarget::Tablespace(t) => {
                    Some(engine::media::RecoverTarget::Tablespace(t.clone()))
                }
                RecoverTarget::Datafile(FileRef::Number(n)) => {
                    Some(engine::media::RecoverTarget::Datafile(*n as u32))
                }
                RecoverTarget::Datafile(FileRef::Name(_)) => None,
            };
            if let Some(t) = probe_target
                && let Some(r) = self.probe_old_incarnation_log(&t, files)?
            {
                return Ok(r);
            }
        }
        self.say(Statement::Recover(Recover {
            automatic,
            target: target.clone(),
            until: None,
            using_backup_controlfile: false,
        }));
        self.backups.interrupted.extend(files.iter().copied());
        self.model.media_needed.extend(files.iter().copied());
        let engine_target = match &target {
            RecoverTarget::Database => engine::media::RecoverTarget::Database,
            RecoverTarget::Tablespace(t) => engine::media::RecoverTarget::Tablespace(t.clone()),
            RecoverTarget::Datafile(FileRef::Number(n)) => {
                engine::media::RecoverTarget::Datafile(*n as u32)
            }
            RecoverTarget::Datafile(FileRef::Name(n)) => engine::media::RecoverTarget::Datafile(
                self.inst_mut().datafile_named(n).unwrap_or(0),
            ),
        };
        let r = self.recover_answering_auto(engine_target, Default::default(), automatic);
        match r {
            Ok(()) => {
                self.coverage.media_recoveries += 1;
                for f in files {
                    self.backups.interrupted.remove(f);
                }
                Ok(Ok(()))
            }
            // Nothing to apply: the DBA reads the error and goes on.
            Err(DbError::Ora(s)) if s.code() == 264 => {
                self.record_error(&DbError::Ora(s.clone()));
                self.note(&s.to_string());
                Ok(Err(DbError::Ora(s)))
            }
            Err(DbError::Ora(s)) => {
                self.record_error(&DbError::Ora(s.clone()));
                self.note(&s.to_string());
                if let Some(v) = invariants::recovery::check_complete_recovery(&s) {
                    return Err(Halt::Violation(v));
                }
                let archivelog = self.current_controlfile().is_some_and(|c| c.archivelog);
                if s.code() == 308
                    && !archivelog
                    && let Some(name) = s.0[0].text.split('\'').nth(1)
                {
                    // In NOARCHIVELOG mode the log was reused unarchived:
                    // its redo is gone, and only an incomplete recovery
                    // from the whole cold backup (losing every change
                    // since) opens the database. The MOUNT loop runs it.
                    self.model.lost_archives.insert(name.to_string());
                    return Ok(Err(DbError::Ora(s)));
                }
                match invariants::recovery::explanation(&s, &self.model) {
                    // Explained: only an incomplete recovery gets past it.
                    Some(_) if s.code() == 308 => Ok(Err(DbError::Ora(s))),
                    // A file the recovery could not read (its header
                    // garbled by a power loss): the DBA restores it.
                    Some(_) if s.code() == 283 && s.0.len() > 1 => {
                        Ok(Err(DbError::Ora(OraStack(s.0[1..].to_vec()))))
                    }
                    _ => {
                        let v = invariants::recovery::check_failure(
                            "media recovery",
                            &s,
                            &self.model,
                            self.crash_in_recovery,
                        );
                        Err(Halt::Violation(v.unwrap_or_else(|| {
                            invariants::Violation::new(
                                "INV-REC-1",
                                format!("media recovery failed:\n{s}"),
                            )
                        })))
                    }
                }
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// ALTER DATABASE OPEN.
    fn open_now(&mut self) -> Result<(), DbError> {
        self.say(Statement::AlterDatabase(AlterDatabase::Open(None)));
        let r = self.inst_mut().open();
        self.drain_alerts();
        r
    }

    /// The database opened: every online file is recovered, so none of
    /// them needs media recovery any more.
    pub(crate) fn media_opened(&mut self) {
        let Some(cf) = self.inst.as_ref().and_then(|i| i.controlfile()).cloned() else {
            return;
        };
        for d in cf
            .datafiles
            .iter()
            .filter(|d| d.status == FileStatus::Online)
        {
            self.model.media_needed.remove(&d.file_no);
            self.backups.interrupted.remove(&d.file_no);
        }
    }

    /// INV-BK-2, the restore drill, after a clean shutdown every so often
    /// (its own stream): on a scratch copy of the disk, every datafile is
    /// put back from its newest copy and recovered completely (RECOVER
    /// AUTOMATIC DATABASE), then opened; its rows must be the model's
    /// committed state. The run's own disk is not touched, and nothing of
    /// the drill enters the trace.
    pub(crate) fn restore_drill(&mut self) -> Flow {
        if self.media_per_mille == 0 || !self.drill.chance(1, 8) {
            return Ok(());
        }
        let Some(cf) = self.current_controlfile() else {
            return Ok(());
        };
        let whole = cf.datafiles.iter().all(|d| {
            self.backups.copies.contains_key(&d.file_no)
                && self
                    .backups
                    .carried
                    .get(&d.file_no)
                    .is_none_or(|c| c.is_empty())
        });
        if !cf.archivelog || !whole {
            return Ok(());
        }
        let mut scratch = self
            .disk
            .as_ref()
            .expect("shut down: the disk is here")
            .clone();
        scratch.disarm_crash();
        for rec in &cf.datafiles {
            let src = &self.backups.copies[&rec.file_no];
            if crate::planner::copy_file(&mut scratch, src, &rec.name).is_err() {
                return Ok(()); // a copy a fault destroyed: no drill
            }
        }
        let mut inst = engine::Instance::new(self.p.clone(), scratch);
        inst.set_time(self.clock);
        let drill = |what: &str, s: &dyn std::fmt::Display| {
            Halt::Violation(invariants::Violation::new(
                "INV-BK-2",
                format!("restore drill: {what}:\n{s}"),
            ))
        };
        if let Err(e) = inst.nomount().and_then(|()| inst.mount()) {
            return Err(drill("MOUNT of the restored copies failed", &e));
        }
        let (_, r) = inst.recover(
            engine::media::RecoverTarget::Database,
            Default::default(),
            true,
            &mut |_| LogAnswer::Auto,
        );
        match r {
            Ok(()) => {}
            Err(DbError::Ora(s)) if s.code() == 264 => {}
            // The redo since a copy is gone (a fault): nothing to drill.
            Err(DbError::Ora(s))
                if s.code() == 308
                    && invariants::recovery::explanation(&s, &self.model).is_some() =>
            {
                return Ok(());
            }
            Err(e) => return Err(drill("complete recovery of the restored copies failed", &e)),
        }
        if let Err(e) = inst.open() {
            return Err(drill(
                "OPEN after recovering the restored copies failed",
                &e,
            ));
        }
        let scan = match inst.scan() {
            Ok(s) => s,
            Err(e) => return Err(drill("a full scan of T failed", &e)),
        };
        let dfs = inst.controlfile().expect("open").datafiles.clone();
        let found: Vec<invariants::Violation> =
            invariants::data::check_rows_in(&self.model, &self.p, &scan, true, &dfs)
                .into_iter()
                .map(|v| {
                    invariants::Violation::new("INV-BK-2", format!("restore drill: {}", v.evidence))
                })
                .collect();
        self.coverage.restore_drills += 1;
        match found.into_iter().next() {
            Some(v) => Err(Halt::Violation(v)),
            None => Ok(()),
        }
    }

    // ----- the DBA while open ---------------------------------------------------

    /// Between statements: a datafile left offline by a procedure cut
    /// short, or with a rotted block and a copy, is restored, recovered and
    /// brought online.
    pub(crate) fn media_housekeeping(&mut self) -> Flow {
        let Some(cf) = self.inst.as_ref().and_then(|i| i.controlfile()).cloned() else {
            return Ok(());
        };
        let offline: Vec<DatafileRecord> = cf
            .datafiles
            .iter()
            .filter(|d| d.status == FileStatus::Recover)
            .cloned()
            .collect();
        for rec in offline {
            let r = self.bring_back(&rec)?;
            self.after_call(r)?;
            if self
                .inst
                .as_ref()
                .is_none_or(|i| i.state() != DbState::Open)
            {
                return Ok(());
            }
        }
        let rotted = self
            .model
            .rotted
            .iter()
            .find(|d| d.0 > engine::instance::UNDO_FILE && d.1 > 0)
            .copied();
        if let Some((file, block)) = rotted
            && self.copy_has_block(file, block)
            && let Some(rec) = cf.datafile(file).cloned()
            && rec.status == FileStatus::Online
            && self.backups.hot.is_none()
            && cf.archivelog
        {
            // S-LOSS-7: a corrupt block comes back by restoring its file
            // (offline and recovered: ARCHIVELOG mode only).
            self.model.media_needed.insert(file);
            self.say(Statement::AlterDatabase(AlterDatabase::Datafile {
                file: FileRef::Number(u64::from(file)),
                action: DatafileAction::Offline,
            }));
            let r = self.inst_mut().datafile_offline(file, true);
            self.drain_alerts();
            match r {
                Ok(()) => {
                    self.model.media_needed.insert(file);
                    self.backups.interrupted.insert(file);
                    let mut rec = rec;
                    rec.status = FileStatus::Recover;
                    let r = self.bring_back(&rec)?;
                    self.after_call(r)?;
                }
                // A live transaction holds rows there: later.
                Err(DbError::Ora(s)) if s.code() == 54 => {
                    self.record_error(&DbError::Ora(s));
                }
                Err(e) => self.after_call(Err(e))?,
            }
        }
        Ok(())
    }
}
