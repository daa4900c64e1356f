//! OPEN RESETLOGS and OPEN NORESETLOGS (S-OPEN-2..5).
//!
//! After an incomplete recovery, or any recovery with a backup control
//! file, the redo past the recovery point must never be applied again: OPEN
//! RESETLOGS checks that every online file stands exactly at that point and
//! is not fuzzy (S-OPEN-3), then starts a new incarnation whose resetlogs
//! SCN is the point. It clears every online log and restarts thread 1 at
//! sequence 1, stamps the incarnation into every online datafile header and
//! the control file, and opens (S-OPEN-4). The control file records the
//! incarnation it is creating before anything else changes, so a power loss
//! halfway leaves a database that only OPEN RESETLOGS opens (ORA-01588),
//! and the next one carries on with the same incarnation.
//!
//! OPEN NORESETLOGS after an incomplete recovery with the current control
//! file means the stop was a mistake (the missing log turned up): it opens
//! only once a complete recovery has applied the rest (S-OPEN-5).

use crate::controlfile::{DatafileRecord, FileStatus, LogStatus, MemberStatus};
use crate::datafile::{self, HeaderError, Incarnation};
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::instance::{DbState, Instance, io_fatal};
use crate::media::{Verdict, pick_inconsistency};
use crate::params::{Plant, Release};
use crate::redo::{self, LogHeader};
use crate::scn::{Rba, Scn};
use crate::storage::{Storage, dir_of};

impl<S: Storage> Instance<S> {
    /// ALTER DATABASE OPEN RESETLOGS.
    pub fn open_resetlogs(&mut self) -> DbResult<()> {
        self.require(DbState::Mount)?;
        self.alert("alter database open resetlogs");
        let r = self.resetlogs();
        if let Err(DbError::Ora(s)) = &r {
            self.alert(format!(
                "ORA-{} signalled during: alter database open resetlogs...\n{s}",
                s.code()
            ));
        }
        self.fatal(r)?;
        self.open_checked(true)
    }

    /// ALTER DATABASE OPEN NORESETLOGS.
    pub fn open_noresetlogs(&mut self) -> DbResult<()> {
        self.require(DbState::Mount)?;
        if self.cf().resetlogs_pending.is_some() {
            return Err(must_resetlogs());
        }
        if self.cf().is_backup {
            return Err(DbError::ora(
                1610,
                "recovery using the BACKUP CONTROLFILE option must be done",
            ));
        }
        if let Some(point) = self.cf().incomplete_recovery {
            // The files stand at the point; the online logs go on past it
            // unless the recovery happened to apply all of them.
            let t = self.cf().thread(1).clone();
            if let Some(c) = self.read_group_best(t.current_group, t.current_seq)? {
                let end = c
                    .records
                    .last()
                    .map_or(c.header.first_scn, |r| r.record.scn + 1);
                if end > point {
                    let first = self
                        .cf()
                        .datafiles
                        .iter()
                        .find(|d| d.status == FileStatus::Online)
                        .cloned()
                        .expect("an online file");
                    return Err(DbError::Ora(ora::needs_media_recovery(
                        first.file_no,
                        &first.name,
                    )));
                }
            }
            self.cf_mut().incomplete_recovery = None;
        }
        self.open_checked(false)
    }

    /// The RESETLOGS proper, up to the new control file; the open follows.
    fn resetlogs(&mut self) -> DbResult<()> {
        let (pending, inc) = (self.cf().resetlogs_pending, self.cf().incarnation);
        let new = match pending {
            Some(new) => {
                self.alert("Carrying on with the RESETLOGS a power loss interrupted");
                self.check_resetlogs_files(new.resetlogs_scn, Some(new))?;
                new
            }
            None => {
                let point = match (self.cf().incomplete_recovery, self.cf().is_backup) {
                    (Some(p), _) => p,
                    // A backup control file nobody recovered with: the files
                    // must stand where it says they do.
                    (None, true) => self.cf().thread(1).ckpt.scn,
                    (None, false) => {
                        return Err(DbError::ora(
                            1139,
                            "RESETLOGS option only valid after an incomplete database recovery",
                        ));
                    }
                };
                self.check_resetlogs_files(point, None)?;
                self.check_offline_files(point)?;
                if self.p.release >= Release::R10g && !self.cf().is_backup {
                    self.archive_before_resetlogs(point)?;
                }
                let new = Incarnation {
                    resetlogs_scn: point,
                    resetlogs_time: self.clock.max(inc.resetlogs_time + 1),
                };
                self.cf_mut().resetlogs_pending = Some(new);
                self.write_controlfile()?;
                new
            }
        };
        let point = new.resetlogs_scn;
        self.alert(format!(
            "RESETLOGS after incomplete recovery UNTIL CHANGE {point}"
        ));
        self.note_dropped_files();
        let first_group = self.reset_online_logs(new)?;
        self.stamp_datafiles(new)?;
        let clock = self.clock;
        let cf = self.cf_mut();
        if cf.incarnation != new {
            let old = cf.incarnation;
            cf.prior_incarnations.push(old);
            cf.incarnation = new;
        }
        cf.is_backup = false;
        cf.incomplete_recovery = None;
        cf.recovery_cancelled = false;
        cf.resetlogs_pending = None;
        cf.log_history.clear();
        for g in cf.log_groups.iter_mut().filter(|g| g.thread == 1) {
            let first = g.group == first_group;
            g.status = if first {
                LogStatus::Current
            } else {
                LogStatus::Unused
            };
            g.seq = u32::from(first);
            g.first_scn = if first { point } else { 0 };
            g.first_time = clock;
            g.next_scn = None;
            g.archived = false;
            for m in g.members.iter_mut() {
                m.status = MemberStatus::Valid;
            }
        }
        let t = cf.thread_mut(1);
        t.current_seq = 1;
        t.current_group = first_group;
        t.open = false;
        t.ckpt.scn = point;
        t.ckpt.time = clock;
        t.ckpt.rba = Rba { seq: 1, block: 1 };
        self.write_controlfile()?;
        self.scn = self.scn.max(point);
        self.alert(format!(
            "Database incarnation {} opened at RESETLOGS SCN {point}",
            self.cf().prior_incarnations.len() + 1
        ));
        Ok(())
    }

    /// S-OPEN-3: every online file is of this incarnation (or, carrying on,
    /// already stamped with the new one), not fuzzy, and checkpointed
    /// exactly at the point: ORA-01190, ORA-01195 / ORA-01194 / ORA-01196,
    /// ORA-01152 or ORA-01194 with ORA-01110 otherwise.
    fn check_resetlogs_files(&mut self, point: Scn, new: Option<Incarnation>) -> DbResult<()> {
        let bs = self.p.db_block_size;
        let inc = self.cf().incarnation;
        let ignore_fuzzy = self.p.planted(Plant::ResetlogsFuzzy);
        let online: Vec<_> = self
            .cf()
            .datafiles
            .iter()
            .filter(|d| d.status == FileStatus::Online)
            .cloned()
            .collect();
        let mut verdicts = Vec::new();
        for rec in online {
            let (n, name) = (rec.file_no, rec.name.as_str());
            let h = match datafile::read_header(&mut self.io, name, n, bs).map_err(io_fatal)? {
                Ok(h) => h,
                Err(HeaderError::Missing) => {
                    return Err(DbError::Ora(ora::cannot_identify(n, name)));
                }
                Err(_) => return Err(DbError::Ora(ora::header_corrupt(n, name))),
            };
            if Some(h.incarnation) == new && h.ckpt_scn == point && !h.fuzzy.any() {
                continue;
            }
            if h.incarnation != inc {
                return Err(DbError::Ora(ora::from_before_resetlogs(n, name)));
            }
            let fuzzy = if ignore_fuzzy {
                None
            } else if h.fuzzy.hot_backup {
                Some(1195)
            } else if h.fuzzy.media_recovery {
                Some(1196)
            } else if h.fuzzy.online {
                Some(1194)
            } else {
                None
            };
            let code = fuzzy.or(match h.ckpt_scn.cmp(&point) {
                std::cmp::Ordering::Greater => Some(1152),
                std::cmp::Ordering::Less => Some(1194),
                std::cmp::Ordering::Equal => None,
            });
            verdicts.push(Verdict {
                file_no: n,
                name: name.to_string(),
                code,
                at_point: h.ckpt_scn == point,
            });
        }
        match pick_inconsistency(&verdicts, self.cf().recovery_cancelled) {
            Some(stack) => Err(DbError::Ora(stack)),
            None => Ok(()),
        }
    }

    /// 10g and later archive the online logs not yet archived before
    /// clearing them, when they can be read (ORACLE_NOTES §8.1).
    /// The current log's archive ends at the resetlogs SCN at the least:
    /// recovery through this RESETLOGS (10g) reads this incarnation's redo
    /// up to that point and then carries on in the new one.
    fn archive_before_resetlogs(&mut self, point: Scn) -> DbResult<()> {
        let groups: Vec<_> = self
            .cf()
            .log_groups
            .iter()
            .filter(|g| g.thread == 1 && !g.archived && g.status != LogStatus::Unused)
            .map(|g| (g.group, g.seq))
            .collect();
        for (group, seq) in groups {
            let Some(c) = self.read_group_best(group, seq)? else {
                continue;
            };
            let g = self.cf_mut().group_mut(group).expect("group");
            if g.next_scn.is_none() {
                let end = c
                    .records
                    .last()
                    .map_or(c.header.first_scn, |r| r.record.scn + 1);
                g.next_scn = Some(end.max(point));
            }
            self.archive_group(group)?;
        }
        Ok(())
    }

    /// S-IR-3: an offline file that would need redo past `point` (not
    /// cleanly offline at or before it) is lost to the new incarnation:
    /// unless it was taken OFFLINE FOR DROP, OPEN RESETLOGS refuses
    /// (ORA-01245 + ORA-01110); the DBA brings it online and recovers it,
    /// or drops it.
    fn check_offline_files(&self, point: Scn) -> DbResult<()> {
        match self
            .cf()
            .datafiles
            .iter()
            .find(|d| lost_at_resetlogs(d, point) && !d.offline_drop)
        {
            Some(d) => Err(DbError::Ora(ora::with_file(
                OraStack::one(
                    1245,
                    format!(
                        "offline file {} will be lost if RESETLOGS is done",
                        d.file_no
                    ),
                ),
                d.file_no,
                &d.name,
            ))),
            None => Ok(()),
        }
    }

    /// The files OFFLINE FOR DROP that the RESETLOGS leaves behind, in the
    /// alert log.
    fn note_dropped_files(&mut self) {
        let point = self.cf().resetlogs_pending.map_or(0, |i| i.resetlogs_scn);
        let lost: Vec<_> = (self.cf().datafiles.iter())
            .filter(|d| lost_at_resetlogs(d, point))
            .map(|d| (d.file_no, d.name.clone()))
            .collect();
        for (n, name) in lost {
            self.alert(format!(
                "Datafile {n} ('{name}') was offline for drop: it is lost to the new incarnation"
            ));
        }
    }

    /// Re-creates every member of every online log of thread 1, missing
    /// ones too: the lowest group holds sequence 1 of the new incarnation
    /// from the resetlogs SCN, the others nothing. Returns that group.
    fn reset_online_logs(&mut self, new: Incarnation) -> DbResult<u32> {
        let mut groups: Vec<_> = self
            .cf()
            .log_groups
            .iter()
            .filter(|g| g.thread == 1)
            .cloned()
            .collect();
        groups.sort_by_key(|g| g.group);
        let first_group = groups.first().expect("thread 1 has log groups").group;
        for g in &groups {
            let first = g.group == first_group;
            let header = LogHeader {
                dbid: self.p.dbid,
                thread: 1,
                seq: u32::from(first),
                first_scn: if first { new.resetlogs_scn } else { 0 },
                first_time: self.clock,
                incarnation: new,
                next_scn: 0,
                end_of_thread: false,
                cf_seq: self.cf().version,
            };
            for m in &g.members {
                let r = (|| {
                    if self.io.exists(&m.path) {
                        self.io.delete(&m.path)?;
                    }
                    self.io.create(&m.path)?;
                    redo::write_log_header(&mut self.io, &m.path, &header)?;
                    self.io.sync(&m.path)?;
                    self.io.sync_dir(dir_of(&m.path))
                })();
                r.map_err(io_fatal)?;
            }
        }
        Ok(first_group)
    }

    /// Writes the new incarnation into every online datafile's header,
    /// checkpointed at the resetlogs SCN, and into its record.
    fn stamp_datafiles(&mut self, new: Incarnation) -> DbResult<()> {
        let bs = self.p.db_block_size;
        let point = new.resetlogs_scn;
        let online: Vec<_> = self
            .cf()
            .datafiles
            .iter()
            .filter(|d| d.status == FileStatus::Online)
            .map(|d| (d.file_no, d.name.clone()))
            .collect();
        for (n, name) in online {
            let mut h = match datafile::read_header(&mut self.io, &name, n, bs).map_err(io_fatal)? {
                Ok(h) => h,
                Err(_) => return Err(DbError::Ora(ora::cannot_identify(n, &name))),
            };
            let counter = h
                .ckpt_counter
                .max(self.cf().datafile(n).map_or(0, |r| r.ckpt_counter));
            if h.incarnation != new {
                h.ckpt_counter = counter + 1;
            }
            h.incarnation = new;
            h.ckpt_scn = point;
            h.ckpt_time = self.clock;
            h.ckpt_rba = Rba { seq: 1, block: 1 };
            h.fuzzy = Default::default();
            h.cf_seq = self.cf().version;
            datafile::write_header(&mut self.io, &name, &h, bs).map_err(io_fatal)?;
            self.io.sync(&name).map_err(io_fatal)?;
            let r = self.cf_mut().datafile_mut(n).expect("record");
            r.ckpt_scn = point;
            r.ckpt_counter = h.ckpt_counter;
            r.stop_scn = Some(point);
            r.offline_range = None;
            r.backup_scn = None;
            r.backup_end_scn = None;
        }
        Ok(())
    }
}

/// ORA-01588: only OPEN RESETLOGS may open (an interrupted RESETLOGS).
pub(crate) fn must_resetlogs() -> DbError {
    DbError::ora(1588, "must use RESETLOGS option for database open")
}

/// An offline file that would need redo past `point` to come online: one
/// taken offline without a clean stop, or cleanly after the point.
fn lost_at_resetlogs(d: &DatafileRecord, point: Scn) -> bool {
    match d.status {
        FileStatus::Recover => true,
        FileStatus::Offline => d.stop_scn.is_none_or(|s| s > point),
        FileStatus::Online | FileStatus::ReadOnly => false,
    }
}
