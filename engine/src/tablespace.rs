//! Tablespaces and their files: hot backup (S-BK-2), OFFLINE / ONLINE /
//! READ ONLY (S-CD-2..4) and CREATE DATAFILE (S-CD-1).
//!
//! The control file is the source of truth for each file's name and status
//! (ONLINE, OFFLINE after a clean offline, RECOVER after OFFLINE IMMEDIATE,
//! READ ONLY). Only ONLINE files are in the instance's header set, so only
//! they are checkpointed; a block of a file that is neither ONLINE nor READ
//! ONLY reads as ORA-00376.

use crate::block::{Block, Body};
use crate::controlfile::{DatafileRecord, FileStatus};
use crate::datafile::{self, DatafileHeader, Fuzzy};
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::instance::{DbState, Instance, UNDO_FILE, io_fatal};
use crate::media::OfflineMode;
use crate::params::{Plant, Release};
use crate::redo::Marker;
use crate::scn::{Rba, Scn};
use crate::storage::{Storage, dir_of};

/// `err` about a file, followed by ORA-01110 naming it.
fn file_error(code: u32, text: String, rec: &DatafileRecord) -> DbError {
    DbError::Ora(ora::with_file(
        OraStack::one(code, text),
        rec.file_no,
        &rec.name,
    ))
}

impl<S: Storage> Instance<S> {
    /// The control-file records of a tablespace's files (ORA-00959 when it
    /// has none).
    pub(crate) fn tablespace_files(&self, tablespace: &str) -> DbResult<Vec<DatafileRecord>> {
        let ts = tablespace.to_uppercase();
        let files: Vec<DatafileRecord> = self
            .cf()
            .datafiles
            .iter()
            .filter(|d| d.tablespace == ts)
            .cloned()
            .collect();
        if files.is_empty() {
            return Err(DbError::ora(
                959,
                format!("tablespace '{ts}' does not exist"),
            ));
        }
        Ok(files)
    }

    fn datafile_record(&self, file_no: u32) -> DbResult<DatafileRecord> {
        self.cf().datafile(file_no).cloned().ok_or_else(|| {
            DbError::ora(
                1516,
                format!("nonexistent log file, data file, or temporary file \"{file_no}\""),
            )
        })
    }

    /// A live session's transaction has changed a row in one of `files`:
    /// this model cannot take them offline or read only under it (Oracle
    /// would wait, or defer the rollback).
    fn busy(&self, files: &[u32]) -> DbResult<()> {
        let touched = self.txns.values().any(|t| {
            t.before
                .keys()
                .any(|k| files.contains(&crate::instance::row_home(&self.p, *k).0))
        });
        if touched {
            return Err(DbError::ora(
                54,
                "resource busy and acquire with NOWAIT specified or timeout expired",
            ));
        }
        Ok(())
    }

    /// DBWn writes every dirty buffer of `files`.
    fn write_file_buffers(&mut self, files: &[u32]) -> DbResult<()> {
        let dirty: Vec<_> = self
            .cache
            .all_dirty()
            .into_iter()
            .filter(|d| files.contains(&d.0))
            .collect();
        self.dbwr_write(&dirty)
    }

    /// Forgets the buffers of `files` (they went offline: what is not on
    /// disk is in the redo).
    fn drop_file_buffers(&mut self, files: &[u32]) {
        self.cache.buffers.retain(|d, _| !files.contains(&d.0));
    }

    /// The current redo position (for a header checkpoint).
    fn redo_position(&self) -> Rba {
        match &self.log {
            Some(w) => Rba {
                seq: w.header.seq,
                block: w.next_block,
            },
            None => self.cf().thread(1).ckpt.rba,
        }
    }

    /// Checkpoints the headers of `files` alone at a new SCN (a tablespace
    /// checkpoint: OFFLINE NORMAL, READ ONLY, ONLINE). Their buffers must be
    /// written already. Updates the records; the caller writes the control
    /// file.
    fn checkpoint_headers(&mut self, files: &[u32], online_fuzzy: bool) -> DbResult<Scn> {
        self.lgwr_flush()?;
        self.scn += 1;
        let s = self.scn;
        let rba = self.redo_position();
        let (bs, clock, cf_seq) = (self.p.db_block_size, self.clock, self.cf().version);
        for &f in files {
            let rec = self.datafile_record(f)?;
            let mut h = match self.headers.get(&f) {
                Some(h) => h.clone(),
                None => self.read_file_header(&rec)?,
            };
            h.ckpt_scn = s;
            h.ckpt_time = clock;
            h.ckpt_rba = rba;
            h.ckpt_counter = h.ckpt_counter.max(rec.ckpt_counter) + 1;
            h.cf_seq = cf_seq;
            h.fuzzy.online = online_fuzzy;
            datafile::write_header(&mut self.io, &rec.name, &h, bs).map_err(io_fatal)?;
            self.io.sync(&rec.name).map_err(io_fatal)?;
            let r = self.cf_mut().datafile_mut(f).expect("record");
            r.ckpt_scn = s;
            r.ckpt_counter = h.ckpt_counter;
            if self.headers.contains_key(&f) {
                self.headers.insert(f, h);
            }
        }
        Ok(s)
    }

    /// Reads a file's header: missing → ORA-01157, unreadable → ORA-01122.
    pub(crate) fn read_file_header(&mut self, rec: &DatafileRecord) -> DbResult<DatafileHeader> {
        match datafile::read_header(&mut self.io, &rec.name, rec.file_no, self.p.db_block_size)
            .map_err(io_fatal)?
        {
            Ok(h) => Ok(h),
            Err(datafile::HeaderError::Missing) => {
                Err(DbError::Ora(ora::cannot_identify(rec.file_no, &rec.name)))
            }
            Err(_) => Err(DbError::Ora(ora::header_corrupt(rec.file_no, &rec.name))),
        }
    }

    // ----- hot backup (S-BK-2) ---------------------------------------------

    /// ALTER TABLESPACE X BEGIN BACKUP, or (None, `set release 10g`) ALTER
    /// DATABASE BEGIN BACKUP: a checkpoint, then each file's header gets
    /// the hot-backup fuzzy bit and keeps its checkpoint SCN from now on;
    /// the first change to each of its blocks logs the block's image.
    pub fn begin_backup(&mut self, tablespace: Option<&str>) -> DbResult<()> {
        self.require(DbState::Open)?;
        let files = match tablespace {
            Some(ts) => self.tablespace_files(ts)?,
            None if self.p.release < Release::R10g => {
                return Err(DbError::ora(
                    2231,
                    "missing or invalid option to ALTER DATABASE",
                ));
            }
            None => self
                .cf()
                .datafiles
                .iter()
                .filter(|d| d.status == FileStatus::Online)
                .cloned()
                .collect(),
        };
        if !self.cf().archivelog {
            return Err(DbError::ora(
                1123,
                "cannot start online backup; media recovery not enabled",
            ));
        }
        for rec in &files {
            match rec.status {
                FileStatus::Online => {}
                FileStatus::ReadOnly => {
                    return Err(DbError::ora(
                        1642,
                        format!(
                            "begin backup not needed for read only tablespace '{}'",
                            rec.tablespace
                        ),
                    ));
                }
                _ => {
                    return Err(file_error(
                        1128,
                        format!(
                            "cannot start online backup - file {} is offline",
                            rec.file_no
                        ),
                        rec,
                    ));
                }
            }
            if rec.backup_scn.is_some() {
                return Err(file_error(
                    1146,
                    format!(
                        "cannot start online backup - file {} is already in backup",
                        rec.file_no
                    ),
                    rec,
                ));
            }
        }
        let r = self.begin_backup_files(&files);
        self.fatal(r)?;
        self.alert(format!(
            "Completed: {}",
            backup_statement(tablespace, "begin")
        ));
        Ok(())
    }

    fn begin_backup_files(&mut self, files: &[DatafileRecord]) -> DbResult<()> {
        self.checkpoint_kind(crate::instance::CkptKind::Normal)?;
        let markers: Vec<Marker> = files
            .iter()
            .map(|r| Marker::BeginBackup { file: r.file_no })
            .collect();
        self.log_change(move |_| (Vec::new(), markers.clone()))?;
        // The control file first, then the headers: a power loss between
        // leaves a record in backup mode over a header that is not, which
        // OPEN reads as a backup mode that never began for that file.
        for rec in files {
            let scn = self.headers[&rec.file_no].ckpt_scn;
            let r = self.cf_mut().datafile_mut(rec.file_no).expect("record");
            r.backup_scn = Some(scn);
            r.backup_end_scn = None;
            self.in_backup.insert(rec.file_no);
            for (d, b) in self.cache.buffers.iter_mut() {
                if d.0 == rec.file_no {
                    b.imaged = false;
                }
            }
        }
        self.write_controlfile()?;
        let (bs, cf_seq) = (self.p.db_block_size, self.cf().version);
        for rec in files {
            let h = self.headers.get_mut(&rec.file_no).expect("online file");
            h.fuzzy.hot_backup = true;
            // Written under the control file that records the backup: an
            // older copy of it put back is then told apart (ORA-01207).
            h.cf_seq = cf_seq;
            let h = h.clone();
            datafile::write_header(&mut self.io, &rec.name, &h, bs).map_err(io_fatal)?;
            self.io.sync(&rec.name).map_err(io_fatal)?;
        }
        Ok(())
    }

    /// ALTER TABLESPACE X END BACKUP, or (None) ALTER DATABASE END BACKUP
    /// (open, or mounted after a crash in backup mode).
    pub fn end_backup(&mut self, tablespace: Option<&str>) -> DbResult<()> {
        let files = match (self.state, tablespace) {
            (DbState::Open, Some(ts)) => self.tablespace_files(ts)?,
            (DbState::Open | DbState::Mount, None) => self.cf().datafiles.clone(),
            (DbState::Mount, Some(_)) => self.require(DbState::Open).map(|_| Vec::new())?,
            _ => self.require(DbState::Mount).map(|_| Vec::new())?,
        };
        let r = self.end_backup_files(&files, true);
        self.fatal(r)?;
        self.alert(format!(
            "Completed: {}",
            backup_statement(tablespace, "end")
        ));
        Ok(())
    }

    /// ALTER DATABASE DATAFILE N END BACKUP.
    pub fn end_backup_datafile(&mut self, file_no: u32) -> DbResult<()> {
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            self.require(DbState::Mount)?;
        }
        let rec = self.datafile_record(file_no)?;
        let r = self.end_backup_files(&[rec], true);
        self.fatal(r)?;
        self.alert(format!(
            "Completed: alter database datafile {file_no} end backup"
        ));
        Ok(())
    }

    /// Ends backup mode for those of `files` that are in it: the
    /// end-backup marker (open), the bit cleared, the header checkpoint
    /// advanced to the database's. `refuse_none`: ORA-01142 when none is.
    fn end_backup_files(&mut self, files: &[DatafileRecord], refuse_none: bool) -> DbResult<()> {
        let open = self.state == DbState::Open;
        let mut todo = Vec::new();
        for rec in files {
            if open {
                if rec.backup_scn.is_some() {
                    todo.push((rec.clone(), self.headers[&rec.file_no].clone()));
                }
                continue;
            }
            if !matches!(rec.status, FileStatus::Online) && rec.backup_scn.is_none() {
                continue;
            }
            // Mounted: the header says whether the file is in backup mode.
            let h = self.read_file_header(rec)?;
            if h.fuzzy.hot_backup || rec.backup_scn.is_some() {
                todo.push((rec.clone(), h));
            }
        }
        if todo.is_empty() {
            if refuse_none {
                return Err(DbError::ora(
                    1142,
                    "cannot end online backup - none of the files are in backup",
                ));
            }
            return Ok(());
        }
        if open && !self.p.planted(Plant::ForgetEndBackupMarker) {
            let markers: Vec<Marker> = todo
                .iter()
                .map(|(r, _)| Marker::EndBackup { file: r.file_no })
                .collect();
            self.log_change(move |_| (Vec::new(), markers.clone()))?;
            self.lgwr_flush()?;
        }
        let t = self.cf().thread(1).ckpt;
        let (bs, cf_seq) = (self.p.db_block_size, self.cf().version);
        for (rec, mut h) in todo {
            h.fuzzy.hot_backup = false;
            h.ckpt_scn = rec.ckpt_scn;
            h.ckpt_time = t.time;
            h.ckpt_rba = t.rba;
            // Open, this is a checkpoint of the file; mounted, the header
            // only catches up with its record (a power loss before the
            // control file is written then leaves a header OPEN adopts).
            h.ckpt_counter = h.ckpt_counter.max(rec.ckpt_counter) + u64::from(open);
            h.cf_seq = cf_seq;
            datafile::write_header(&mut self.io, &rec.name, &h, bs).map_err(io_fatal)?;
            self.io.sync(&rec.name).map_err(io_fatal)?;
            let r = self.cf_mut().datafile_mut(rec.file_no).expect("record");
            r.ckpt_counter = h.ckpt_counter;
            r.backup_scn = None;
            if !open {
                r.backup_end_scn = Some(r.ckpt_scn);
            }
            self.in_backup.remove(&rec.file_no);
            if open {
                self.headers.insert(rec.file_no, h);
            }
        }
        self.write_controlfile()
    }

    // ----- offline, online, read only (S-CD-2..4) -----------------------------

    /// ALTER TABLESPACE X OFFLINE [NORMAL | TEMPORARY | IMMEDIATE].
    pub fn tablespace_offline(&mut self, tablespace: &str, mode: OfflineMode) -> DbResult<()> {
        self.require(DbState::Open)?;
        let files = self.tablespace_files(tablespace)?;
        let ts = files[0].tablespace.clone();
        Self::may_go_offline(&files[0])?;
        if files.iter().all(|f| f.status != FileStatus::Online) {
            return Err(DbError::ora(
                1539,
                format!("tablespace '{ts}' is not online"),
            ));
        }
        if mode == OfflineMode::Immediate && !self.cf().archivelog {
            return Err(DbError::ora(
                1145,
                "offline immediate disallowed unless media recovery enabled",
            ));
        }
        if mode != OfflineMode::Immediate
            && let Some(rec) = files.iter().find(|f| f.backup_scn.is_some())
        {
            return Err(file_error(
                1150,
                format!(
                    "cannot prevent writes - file {} has online backup set",
                    rec.file_no
                ),
                rec,
            ));
        }
        let nums: Vec<u32> = files
            .iter()
            .filter(|f| f.status == FileStatus::Online)
            .map(|f| f.file_no)
            .collect();
        self.busy(&nums)?;
        let r = if mode == OfflineMode::Immediate {
            self.offline_immediate(&nums)
        } else {
            self.offline_clean(&nums, FileStatus::Offline)
        };
        self.fatal(r)?;
        self.alert(format!(
            "Completed: alter tablespace {ts} offline{}",
            match mode {
                OfflineMode::Normal => "",
                OfflineMode::Temporary => " temporary",
                OfflineMode::Immediate => " immediate",
            }
        ));
        Ok(())
    }

    /// SYSTEM and the undo tablespace stay online (ORA-01541, ORA-30042).
    fn may_go_offline(rec: &DatafileRecord) -> DbResult<()> {
        if rec.tablespace == "SYSTEM" {
            return Err(DbError::ora(
                1541,
                "system tablespace cannot be brought offline; shut down if necessary",
            ));
        }
        if rec.file_no == UNDO_FILE {
            return Err(DbError::ora(30042, "Cannot offline the undo tablespace"));
        }
        Ok(())
    }

    /// OFFLINE NORMAL / READ ONLY: write the files' buffers, checkpoint
    /// their headers (not fuzzy), record the stop SCN.
    fn offline_clean(&mut self, files: &[u32], status: FileStatus) -> DbResult<()> {
        self.write_file_buffers(files)?;
        let s = self.checkpoint_headers(files, false)?;
        for &f in files {
            let r = self.cf_mut().datafile_mut(f).expect("record");
            r.status = status;
            r.stop_scn = Some(s);
            self.headers.remove(&f);
        }
        if status != FileStatus::ReadOnly {
            self.drop_file_buffers(files);
        }
        self.write_controlfile()
    }

    /// OFFLINE IMMEDIATE / DATAFILE OFFLINE: no checkpoint; the files need
    /// media recovery before they come back (status RECOVER).
    fn offline_immediate(&mut self, files: &[u32]) -> DbResult<()> {
        let markers: Vec<Marker> = files
            .iter()
            .map(|&file| Marker::OfflineImmediate { file })
            .collect();
        self.log_change(move |_| (Vec::new(), markers.clone()))?;
        self.lgwr_flush()?;
        for &f in files {
            let r = self.cf_mut().datafile_mut(f).expect("record");
            r.status = FileStatus::Recover;
            r.stop_scn = None;
            self.headers.remove(&f);
        }
        self.drop_file_buffers(files);
        self.write_controlfile()
    }

    /// ALTER TABLESPACE X ONLINE.
    pub fn tablespace_online(&mut self, tablespace: &str) -> DbResult<()> {
        self.require(DbState::Open)?;
        let files = self.tablespace_files(tablespace)?;
        let ts = files[0].tablespace.clone();
        let r = self.bring_online(&files);
        self.fatal(r)?;
        self.alert(format!("Completed: alter tablespace {ts} online"));
        Ok(())
    }

    /// A file offline since before the last RESETLOGS comes back into the
    /// new incarnation only if it was cleanly offline at or before the
    /// resetlogs point and took no redo since (ORACLE_NOTES §8.2: it needs
    /// none, and its header is stamped with the new incarnation here). On
    /// 10g a file of an ancestor may be recovered through the RESETLOGS
    /// (ORA-01113); any other is ORA-01190.
    fn across_resetlogs(&self, rec: &DatafileRecord, h: &mut DatafileHeader) -> DbResult<()> {
        let cf = self.cf();
        let clean = rec.status == FileStatus::Offline
            && rec
                .stop_scn
                .is_some_and(|s| s == h.ckpt_scn && s <= cf.incarnation.resetlogs_scn)
            && !h.fuzzy.any()
            && cf.prior_incarnations.last() == Some(&h.incarnation);
        if clean {
            h.incarnation = cf.incarnation;
            return Ok(());
        }
        let stack = if self.recoverable_through_resetlogs(h) {
            ora::needs_media_recovery(rec.file_no, &rec.name)
        } else {
            ora::from_before_resetlogs(rec.file_no, &rec.name)
        };
        Err(DbError::Ora(stack))
    }

    /// Brings files back online: each must not need recovery (ORA-01113),
    /// then its header is checkpointed and the deferred rollbacks that
    /// waited for it run.
    fn bring_online(&mut self, files: &[DatafileRecord]) -> DbResult<()> {
        let mut back = Vec::new();
        for rec in files.iter().filter(|r| r.status != FileStatus::Online) {
            let mut h = self.read_file_header(rec)?;
            if h.incarnation != self.cf().incarnation {
                self.across_resetlogs(rec, &mut h)?;
            }
            if rec.status == FileStatus::Recover || needs_recovery(&h, rec) {
                return Err(DbError::Ora(ora::needs_media_recovery(
                    rec.file_no,
                    &rec.name,
                )));
            }
            back.push((rec.clone(), h));
        }
        if back.is_empty() {
            return Ok(());
        }
        let nums: Vec<u32> = back.iter().map(|(r, _)| r.file_no).collect();
        for (rec, h) in &back {
            self.headers.insert(rec.file_no, h.clone());
        }
        // The control file says ONLINE before any header moves: a power
        // loss before the checkpoint below leaves an online file standing
        // cleanly at its record's checkpoint; one during it, a header one
        // checkpoint ahead of its record, the interrupted checkpoint OPEN
        // adopts. (Headers first left an offline file ahead of its
        // record, which no OPEN looks at: INV-CF-2.)
        for (rec, _) in &back {
            let r = self.cf_mut().datafile_mut(rec.file_no).expect("record");
            r.status = FileStatus::Online;
            r.stop_scn = None;
            r.offline_drop = false;
        }
        self.write_controlfile()?;
        let s = self.checkpoint_headers(&nums, true)?;
        for (rec, _) in &back {
            let r = self.cf_mut().datafile_mut(rec.file_no).expect("record");
            if rec.status == FileStatus::Offline
                && let Some(stop) = rec.stop_scn
            {
                r.offline_range = Some((stop, s));
            }
        }
        self.write_controlfile()?;
        self.transaction_recovery()
    }

    /// ALTER TABLESPACE X READ ONLY (true) | READ WRITE (false).
    pub fn tablespace_read_only(&mut self, tablespace: &str, read_only: bool) -> DbResult<()> {
        self.require(DbState::Open)?;
        let files = self.tablespace_files(tablespace)?;
        let ts = files[0].tablespace.clone();
        let r = if read_only {
            if files[0].tablespace == "SYSTEM" || files[0].file_no == UNDO_FILE {
                return Err(DbError::ora(
                    1643,
                    "system tablespace can not be made read only",
                ));
            }
            if files.iter().any(|f| f.status == FileStatus::ReadOnly) {
                return Err(DbError::ora(
                    1644,
                    format!("tablespace '{ts}' is already read only"),
                ));
            }
            if let Some(rec) = files.iter().find(|f| f.status != FileStatus::Online) {
                return Err(file_error(
                    1135,
                    format!("file {} accessed for DML/query is offline", rec.file_no),
                    rec,
                ));
            }
            let nums: Vec<u32> = files.iter().map(|f| f.file_no).collect();
            self.busy(&nums)?;
            self.offline_clean(&nums, FileStatus::ReadOnly)
        } else {
            if files.iter().any(|f| f.status != FileStatus::ReadOnly) {
                return Err(DbError::ora(
                    1646,
                    format!("tablespace '{ts}' is not read only - cannot make read write"),
                ));
            }
            self.bring_online(&files)
        };
        self.fatal(r)?;
        self.alert(format!(
            "Completed: alter tablespace {ts} read {}",
            if read_only { "only" } else { "write" }
        ));
        Ok(())
    }

    /// ALTER DATABASE DATAFILE N OFFLINE (true) | ONLINE (false). OFFLINE
    /// needs ARCHIVELOG mode (ORA-01145) and leaves the file needing media
    /// recovery; mounted, it only marks the control file (the way to open
    /// a database without a lost file).
    pub fn datafile_offline(&mut self, file_no: u32, offline: bool) -> DbResult<()> {
        self.datafile_offline_as(file_no, offline, false)
    }

    /// ALTER DATABASE DATAFILE N OFFLINE [FOR] DROP: offline like OFFLINE,
    /// and allowed in NOARCHIVELOG mode too (the file's redo will not be
    /// kept for it); an OPEN RESETLOGS then leaves the file behind rather
    /// than refusing with ORA-01245 (S-IR-3).
    pub fn datafile_offline_drop(&mut self, file_no: u32) -> DbResult<()> {
        self.datafile_offline_as(file_no, true, true)
    }

    fn datafile_offline_as(&mut self, file_no: u32, offline: bool, drop: bool) -> DbResult<()> {
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            self.require(DbState::Mount)?;
        }
        let rec = self.datafile_record(file_no)?;
        if !offline && self.state == DbState::Mount {
            // Mounted, ONLINE only marks the file online: OPEN (or RECOVER
            // DATABASE) then judges its header like any other's.
            let r = self.cf_mut().datafile_mut(file_no).expect("record");
            r.status = FileStatus::Online;
            r.stop_scn = None;
            r.offline_drop = false;
            let r = self.write_controlfile();
            self.fatal(r)?;
            self.alert(format!(
                "Completed: alter database datafile {file_no} online"
            ));
            return Ok(());
        }
        if !offline {
            let r = self.bring_online(&[rec]);
            self.fatal(r)?;
            self.alert(format!(
                "Completed: alter database datafile {file_no} online"
            ));
            return Ok(());
        }
        if !self.cf().archivelog && !drop {
            return Err(DbError::ora(
                1145,
                "offline immediate disallowed unless media recovery enabled",
            ));
        }
        if self.state == DbState::Open {
            Self::may_go_offline(&rec)?;
        }
        if drop {
            self.cf_mut()
                .datafile_mut(file_no)
                .expect("record")
                .offline_drop = true;
        }
        if rec.status != FileStatus::Online {
            let r = self.write_controlfile();
            self.fatal(r)?;
            return Ok(());
        }
        let r = if self.state == DbState::Open {
            self.busy(&[file_no])
                .and_then(|()| self.offline_immediate(&[file_no]))
        } else {
            let r = self.cf_mut().datafile_mut(file_no).expect("record");
            r.status = FileStatus::Recover;
            r.stop_scn = None;
            self.write_controlfile()
        };
        self.fatal(r)?;
        let drop = if drop { " drop" } else { "" };
        self.alert(format!(
            "Completed: alter database datafile {file_no} offline{drop}"
        ));
        Ok(())
    }

    // ----- CREATE DATAFILE (S-CD-1) --------------------------------------------

    /// ALTER DATABASE CREATE DATAFILE N [AS 'name']: a new, empty file at
    /// the file's creation SCN (every block formatted empty), which RECOVER
    /// then rebuilds from all the redo since the file was created.
    pub fn create_datafile(&mut self, file_no: u32, as_name: Option<&str>) -> DbResult<()> {
        if !matches!(self.state, DbState::Mount | DbState::Open) {
            self.require(DbState::Mount)?;
        }
        let rec = self.datafile_record(file_no)?;
        if file_no == 1 {
            return Err(file_error(1180, "can not create datafile 1".into(), &rec));
        }
        // Its redo from creation on lies in an earlier incarnation, which
        // never applies to this one (S-OPEN-4).
        if rec.creation_scn <= self.cf().incarnation.resetlogs_scn {
            return Err(file_error(
                1181,
                format!("file {file_no} created before last known RESETLOGS, cannot recreate"),
                &rec,
            ));
        }
        if self.state == DbState::Open && rec.status == FileStatus::Online {
            return Err(file_error(
                1182,
                format!("cannot create database file {file_no} - file is in use or recovery"),
                &rec,
            ));
        }
        let name = as_name.unwrap_or(&rec.name).to_string();
        let r = self.lay_down_file(&rec, &name);
        self.fatal(r)?;
        self.alert(format!(
            "Completed: alter database create datafile {file_no}{}",
            as_name.map(|n| format!(" as '{n}'")).unwrap_or_default()
        ));
        Ok(())
    }

    fn lay_down_file(&mut self, rec: &DatafileRecord, name: &str) -> DbResult<()> {
        let bs = self.p.db_block_size;
        if self.io.exists(name) {
            self.io.delete(name).map_err(io_fatal)?;
        }
        self.io.create(name).map_err(io_fatal)?;
        let h = DatafileHeader {
            dbid: self.cf().dbid,
            file_no: rec.file_no,
            tablespace: rec.tablespace.clone(),
            blocks: rec.blocks,
            creation_scn: rec.creation_scn,
            ckpt_scn: rec.creation_scn,
            ckpt_time: 0,
            ckpt_counter: 0,
            incarnation: self.cf().incarnation,
            fuzzy: Fuzzy::default(),
            absolute_fuzzy_scn: 0,
            cf_seq: self.cf().version,
            ckpt_rba: Rba {
                seq: self.sequence_of(rec.creation_scn),
                block: 1,
            },
        };
        datafile::write_header(&mut self.io, name, &h, bs).map_err(io_fatal)?;
        for b in 1..rec.blocks {
            let blk = Block::new(rec.file_no, b, Body::Unformatted);
            datafile::write_block(&mut self.io, name, &blk, bs).map_err(io_fatal)?;
        }
        self.io.sync(name).map_err(io_fatal)?;
        self.io.sync_dir(dir_of(name)).map_err(io_fatal)?;
        self.cf_mut()
            .datafile_mut(rec.file_no)
            .expect("record")
            .name = name.to_string();
        self.write_controlfile()
    }

    /// The file number of a datafile named in the control file.
    pub fn datafile_named(&self, name: &str) -> Option<u32> {
        self.cf
            .as_ref()?
            .datafiles
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.file_no)
    }

    /// DBWn writes block `block` of file `file` now if it is dirty in the
    /// cache (a copy that interleaves with DBWn, S-BK-2). Returns whether
    /// it wrote.
    pub fn dbwr_write_block(&mut self, file: u32, block: u32) -> DbResult<bool> {
        let dirty = self
            .cache
            .buffers
            .get(&(file, block))
            .is_some_and(|b| b.dirty);
        if !dirty || self.state != DbState::Open {
            return Ok(false);
        }
        let r = self.dbwr_write(&[(file, block)]);
        self.fatal(r)?;
        Ok(true)
    }

    /// The log sequence of thread 1 that holds `scn`, from the log history
    /// (1, where the database began, when the history no longer has it).
    pub(crate) fn sequence_of(&self, scn: Scn) -> u32 {
        let cf = self.cf();
        if let Some(h) = cf
            .log_history
            .iter()
            .find(|h| h.first_scn <= scn && scn < h.next_scn)
        {
            return h.seq;
        }
        if let Some(g) = cf
            .log_groups
            .iter()
            .filter(|g| g.seq > 0 && g.first_scn <= scn)
            .max_by_key(|g| g.seq)
            && g.next_scn.is_none_or(|n| scn < n)
        {
            return g.seq;
        }
        1
    }
}

/// Whether a file's header shows it needs media recovery against its
/// control-file record: restored (its checkpoint behind the record's),
/// left in hot-backup mode, or a media recovery that did not finish.
pub fn needs_recovery(h: &DatafileHeader, rec: &DatafileRecord) -> bool {
    h.fuzzy.hot_backup
        || h.fuzzy.media_recovery
        || h.ckpt_counter < rec.ckpt_counter
        || (rec.backup_scn.is_none() && h.ckpt_scn < rec.ckpt_scn)
}

fn backup_statement(tablespace: Option<&str>, what: &str) -> String {
    match tablespace {
        Some(ts) => format!("alter tablespace {} {what} backup", ts.to_lowercase()),
        None => format!("alter database {what} backup"),
    }
}
