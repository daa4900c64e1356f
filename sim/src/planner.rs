//! The DBA: brings a dead database back the way a good DBA would, reading
//! the errors STARTUP prints, and checks every invariant after each
//! recovery.
//!
//! Procedures this engine supports today:
//! - crash recovery: STARTUP (OPEN runs it, S-CR-1);
//! - a control-file copy missing, unreadable or a version behind (ORA-00205,
//!   ORA-00227, ORA-00214): copy the newest surviving copy over it, as
//!   `host cp`, then STARTUP again (S-CF-3);
//! - a log member marked INVALID: DROP LOGFILE MEMBER then ADD LOGFILE
//!   MEMBER (switching out of the group first if it is current) (S-LOSS-5).
//!
//! A recovery attempt may itself be cut by a power loss (a crash point armed
//! with the seed's probability): the next attempt must still succeed
//! (INV-REC-2). Attempts are bounded; running out of them is a violation.

use engine::DbError;
use engine::controlfile::{CopyState, LogStatus};
use engine::instance::{DbState, Instance, ShutdownMode};
use engine::storage::{IoErrorKind, dir_of};
use invariants::{Violation, blocks, checkpoint, controlfile, data, fuzzy, logs};

use crate::disk::Disk;
use crate::runner::{Flow, Halt, Run};
use crate::script::{AlterDatabase, AlterSystem, HostCmd, StartupMode, Statement};

/// The errors at OPEN that the DBA's media-recovery procedures answer: a
/// datafile missing (ORA-01157), needing media recovery (ORA-01113), left
/// in backup mode (ORA-10873), or with its header destroyed (ORA-01122 +
/// ORA-01210).
pub(crate) fn is_media_error(s: &engine::OraStack) -> bool {
    matches!(s.code(), 1157 | 1113 | 10873) || (s.code() == 1122 && s.has(1210))
}

/// Recovery attempts before the run is judged stuck.
const MAX_ATTEMPTS: usize = 20;

impl Run {
    /// Starts the database, recovering whatever needs it, until it is open.
    pub(crate) fn recover(&mut self) -> Flow {
        debug_assert!(self.inst.is_none());
        for attempt in 0..MAX_ATTEMPTS {
            self.checked_at_open = false;
            // A restore a power loss cut short is done again before any
            // STARTUP: a half-copied file may look current.
            if !self.redo_cut_restores()? {
                continue;
            }
            // The second half of the attempts runs without crash points of
            // the simulator's own: a recovery must be able to finish once
            // the power stays on (the first half tests INV-REC-2).
            let armed = match self.next_recovery_crash.take() {
                Some(k) => Some(k),
                None if attempt >= MAX_ATTEMPTS / 2 => None,
                None => (self.planner.below(1000) < self.cfg.crash_in_recovery_per_mille)
                    .then(|| 1 + self.planner.below(self.cfg.crash_point_ios)),
            };
            if let Some(k) = armed {
                self.disk_mut().arm_crash(k);
                self.note(&format!("crash after {k} io"));
                self.record(Statement::Crash {
                    torn: false,
                    after_io: Some(k),
                });
            }
            let recreate = std::mem::take(&mut self.backups.recreate_controlfile);
            let disk = self.disk.take().expect("disk");
            // With a stale control file put back, OPEN must refuse before
            // it changes anything: keep the disk as it was to compare.
            let before = self.model.stale_controlfile.as_ref().map(|_| disk.clone());
            let mut inst = Instance::new(self.p.clone(), disk);
            inst.set_time(self.clock);
            let mut r = if recreate {
                self.inst = Some(inst);
                match self.recreate_controlfile() {
                    Ok(()) => {
                        self.say(Statement::AlterDatabase(AlterDatabase::Open(None)));
                        self.inst_mut().open()
                    }
                    // Cut short by a power loss: the copies may be gone or
                    // half-written; the DBA runs CREATE CONTROLFILE again.
                    Err(e @ DbError::Terminated { .. }) => {
                        self.backups.recreate_controlfile = true;
                        Err(e)
                    }
                    Err(e) => Err(e),
                }
            } else {
                self.note("SQL> startup");
                self.record(Statement::Startup {
                    mode: StartupMode::Open,
                    force: false,
                });
                // The statement's tick found no instance to give its time.
                inst.set_time(self.clock);
                let r = inst.startup();
                self.inst = Some(inst);
                r
            };
            self.drain_alerts();
            // At MOUNT, the DBA answers what OPEN said, as long as each
            // answer changes something: a lost group no recovery needs is
            // cleared; a file to restore or recover goes through a
            // media-recovery procedure.
            for _ in 0..8 {
                let Err(DbError::Ora(s)) = &r else { break };
                if self.inst_mut().state() != DbState::Mount {
                    break;
                }
                let s = s.clone();
                let pitr_error = matches!(
                    s.code(),
                    313 | 308 | 1113 | 1157 | 1588 | 1589 | 1152 | 1194 | 1195 | 1196 | 283
                ) || (s.code() == 1122 && s.has(1210));
                let backup_cf = self.inst_mut().controlfile().is_some_and(|c| c.is_backup);
                if self.backups.pitr.is_some() {
                    // (A finished procedure is not taken up again.)
                    self.resetlogs_finished_unopened();
                }
                if (self.backups.pitr.is_some() || backup_cf) && pitr_error {
                    // An incomplete recovery a power loss cut short.
                    self.record_error(&DbError::Ora(s.clone()));
                    self.note(&s.to_string());
                    r = self.incomplete_recovery(&s)?;
                } else if s.code() == 1589
                    && self.inst_mut().controlfile().is_some_and(|c| c.is_backup)
                {
                    // A backup control file put back: recovery USING BACKUP
                    // CONTROLFILE to the end of the surviving redo.
                    self.record_error(&DbError::Ora(s.clone()));
                    self.note(&s.to_string());
                    r = self.incomplete_recovery(&s)?;
                } else if s.code() == 1589 {
                    self.record_error(&DbError::Ora(s.clone()));
                    self.note(&s.to_string());
                    r = self.complete_after_mistaken_stop()?;
                } else if s.code() == 313 && self.needed_group_lost() {
                    // The redo crash recovery needs is gone with a group
                    // (S-LOSS-3): clearing the others first would only
                    // break the archived logs the recovery needs.
                    self.record_error(&DbError::Ora(s.clone()));
                    self.note(&s.to_string());
                    r = self.incomplete_recovery(&s)?;
                } else if s.code() == 313 {
                    self.record_error(&DbError::Ora(s.clone()));
                    self.note(&s.to_string());
                    r = self.clear_lost_group(&s)?;
                    if matches!(&r, Err(DbError::Ora(s2)) if *s2 == s)
                        && invariants::recovery::explanation(&s, &self.model).is_some()
                    {
                        // The group holds redo crash recovery needs (S-LOSS-3).
                        r = self.incomplete_recovery(&s)?;
                    }
                } else if s.code() == 308
                    && invariants::recovery::explanation(&s, &self.model).is_some()
                {
                    // An archived log in the middle of the range is gone
                    // (S-LOSS-4): recover up to it.
                    r = self.incomplete_recovery(&s)?;
                } else if is_media_error(&s) && self.model.stale_controlfile.is_none() {
                    // (With a stale control file put back the DBA's premise,
                    // a current control file, is false: OPEN must refuse it
                    // before anything changes, judged below.)
                    if invariants::recovery::explanation(&s, &self.model).is_none() {
                        break; // judged below
                    }
                    self.record_error(&DbError::Ora(s.clone()));
                    self.note(&s.to_string());
                    r = self.media_at_mount(&s)?;
                } else {
                    break;
                }
                if matches!(&r, Err(DbError::Ora(s2)) if *s2 == s) {
                    break; // nothing changed: judged below
                }
            }
            let e = match r {
                Ok(()) => {
                    self.note("Database opened.");
                    self.opened_after_pitr()?;
                    self.recoveries += 1;
                    self.model.stale_controlfile = None;
                    self.model.struck_files.clear();
                    self.media_opened();
                    let scn = self.inst_mut().current_scn();
                    self.model.saw_scn(scn);
                    if !std::mem::take(&mut self.checked_at_open) {
                        self.checks_after_open()?;
                    }
                    self.crash_in_recovery = false;
                    return Ok(());
                }
                Err(e) => e,
            };
            self.record_error(&e);
            match e {
                DbError::Terminated { power_lost, stack } => {
                    let inst = self.inst.take().expect("instance");
                    self.disk = Some(inst.into_storage());
                    let during = self.crash_in_recovery;
                    self.judge_termination("startup", power_lost, &stack, during)?;
                    if self.disk_mut().is_powered_off() {
                        self.crash_in_recovery = true;
                        self.power_loss();
                    }
                    self.crash_checks()?;
                }
                DbError::Ora(s) => {
                    self.note(&s.to_string());
                    // The instance stays started: the DBA aborts it first.
                    self.note("SQL> shutdown abort");
                    self.record(Statement::Shutdown(ShutdownMode::Abort));
                    let _ = self.inst_mut().shutdown(ShutdownMode::Abort);
                    self.drain_alerts();
                    self.instance_gone()?;
                    let Some(why) = invariants::recovery::explanation(&s, &self.model) else {
                        let v = invariants::recovery::check_failure(
                            "startup",
                            &s,
                            &self.model,
                            self.crash_in_recovery,
                        );
                        return Err(Halt::Violation(v.expect("an unexplained error")));
                    };
                    match s.code() {
                        205 | 227 | 214 => self.replicate_controlfile()?,
                        _ => {
                            let stale_refusal = matches!(s.code(), 1207 | 338 | 314 | 322 | 1190)
                                || (s.code() == 1122 && s.has(1207));
                            if let Some(before) = before.filter(|_| stale_refusal) {
                                self.refused_before_damage(&before, &s)?;
                                self.coverage.stale_controlfile_refused += 1;
                                // The datafiles and online logs are the
                                // current ones: a control file built from
                                // them is current (S-CF-4).
                                if !self.backups.controlfile_recreated {
                                    self.backups.recreate_controlfile = true;
                                    self.backups.controlfile_recreated = true;
                                    continue;
                                }
                            }
                            return Err(Halt::Unrecoverable(format!(
                                "{} at OPEN, because {why}; {}",
                                s.0[0],
                                missing_procedure(&s)
                            )));
                        }
                    }
                }
            }
        }
        let id = if self.crash_in_recovery {
            "INV-REC-2"
        } else {
            "INV-REC-1"
        };
        Err(Violation::new(
            id,
            format!("the database did not open within {MAX_ATTEMPTS} recovery attempts"),
        )
        .into())
    }

    /// Whether a group crash recovery needs (CURRENT, or ACTIVE) lost every
    /// member to a fault.
    fn needed_group_lost(&mut self) -> bool {
        let Some(cf) = self.inst_mut().controlfile().cloned() else {
            return false;
        };
        cf.log_groups.iter().any(|g| {
            matches!(g.status, LogStatus::Current | LogStatus::Active)
                && g.members.iter().all(|m| {
                    self.model.lost_files.contains(&m.path)
                        || self.model.garbled_files.contains(&m.path)
                })
        })
    }

    /// ORA-00313 at OPEN: a log group has no readable member. If no
    /// recovery needs its redo (INACTIVE or UNUSED), the DBA clears it at
    /// MOUNT (`clear unarchived` when ARCn had not archived it) and opens;
    /// otherwise the run cannot go on (S-CR-3: only incomplete recovery
    /// could open the database).
    fn clear_lost_group(&mut self, s: &engine::OraStack) -> Flow<Result<(), DbError>> {
        let group = s.0[0]
            .text
            .split("log group ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|g| g.parse::<u32>().ok());
        let cf = self.inst_mut().controlfile().cloned();
        let (Some(group), Some(cf)) = (group, cf) else {
            return Ok(Err(DbError::Ora(s.clone())));
        };
        let Some(g) = cf.group(group).cloned() else {
            return Ok(Err(DbError::Ora(s.clone())));
        };
        if !matches!(g.status, LogStatus::Inactive | LogStatus::Unused) {
            return Ok(Err(DbError::Ora(s.clone())));
        }
        let unarchived = cf.archivelog && !g.archived && g.status != LogStatus::Unused;
        if let Err(e) = self.clear_group(group, g.seq, unarchived) {
            return Ok(Err(e));
        }
        self.note("SQL> alter database open;");
        self.record(Statement::AlterDatabase(AlterDatabase::Open(None)));
        let r = self.inst_mut().open();
        self.drain_alerts();
        Ok(r)
    }

    /// A refusal of a stale control file must come before any damage: the
    /// failed startup wrote nothing (INV-CF-2).
    fn refused_before_damage(&mut self, before: &Disk, s: &engine::OraStack) -> Flow {
        let after = self.disk.as_ref().expect("disk");
        let mut names = before.file_names();
        names.extend(after.file_names());
        names.sort();
        names.dedup();
        for name in names {
            let size = |d: &Disk| {
                d.read_durable(&name, 0, &mut [])
                    .map(|_| d.durable_len(&name))
            };
            let (a, b) = (size(before), size(after));
            let same = a == b
                && a.is_none_or(|len| {
                    let len = len as usize;
                    let (mut x, mut y) = (vec![0u8; len], vec![0u8; len]);
                    before.read_durable(&name, 0, &mut x);
                    after.read_durable(&name, 0, &mut y);
                    x == y
                });
            if !same || before.pending_write_count() != after.pending_write_count() {
                return Err(Violation::new(
                    "INV-CF-2",
                    format!("OPEN with a stale control file changed '{name}' before it refused with:\n{s}"),
                )
                .into());
            }
        }
        Ok(())
    }

    /// S-CF-3: copies the newest readable control-file copy over every copy
    /// that is missing, unreadable or older.
    fn replicate_controlfile(&mut self) -> Flow {
        let p = self.p.clone();
        let disk = self.disk.as_mut().expect("disk");
        let copies = engine::inspect::controlfile_copies(disk, &p)
            .expect("reads do not fail while powered on");
        let newest = copies
            .iter()
            .filter_map(|(path, c)| match c {
                CopyState::Valid(cf) => Some((path.clone(), cf.version)),
                _ => None,
            })
            .max_by_key(|(_, v)| *v);
        let Some((src, version)) = newest else {
            if self.restore_backup_controlfile()? {
                return Ok(());
            }
            return Err(Halt::Unrecoverable(
                "no readable control-file copy is left, and no backup control file".into(),
            ));
        };
        for (dst, c) in copies {
            let stale = match &c {
                CopyState::Valid(cf) => cf.version != version,
                _ => true,
            };
            if !stale {
                continue;
            }
            self.note(&format!("SQL> host cp {src} {dst}"));
            self.record(Statement::Host(HostCmd::Cp {
                src: src.clone(),
                dst: dst.clone(),
            }));
            match copy_file(self.disk.as_mut().expect("disk"), &src, &dst) {
                Ok(()) => {
                    self.model.lost_files.remove(&dst);
                    self.model.struck_files.remove(&dst);
                    self.coverage.controlfile_replicated += 1;
                }
                Err(IoErrorKind::PowerLost) => {
                    // The copy was in flight: its name or bytes may not stay.
                    self.model.struck_files.insert(dst.clone());
                    self.crash_in_recovery = true;
                    self.power_loss();
                    return self.crash_checks();
                }
                Err(k) => {
                    return Err(Halt::Unrecoverable(format!(
                        "cannot copy the control file: {k:?}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// What a DBA does between statements on an open database: re-creates
    /// log members the instance marked INVALID.
    pub(crate) fn dba_housekeeping(&mut self) -> Flow {
        let Some(inst) = self.inst.as_ref() else {
            return Ok(());
        };
        if inst.state() != DbState::Open {
            return Ok(());
        }
        self.media_housekeeping()?;
        let Some(inst) = self.inst.as_ref().filter(|i| i.state() == DbState::Open) else {
            return Ok(());
        };
        if let Some(group) = self.group_without_members() {
            return self.clear_group_online(group);
        }
        for (group, path) in inst.invalid_log_members() {
            let current = self
                .inst_mut()
                .log_group_status()
                .iter()
                .any(|(g, _, s)| *g == group && *s == LogStatus::Current);
            if current {
                self.note("SQL> alter system switch logfile;");
                self.record(Statement::AlterSystem(AlterSystem::SwitchLogfile));
                let r = self.inst_mut().switch_logfile();
                self.drain_alerts();
                if r.is_err() {
                    return self.after_housekeeping(r);
                }
            }
            self.note(&format!(
                "SQL> alter database drop logfile member '{path}';"
            ));
            self.record(Statement::AlterDatabase(AlterDatabase::DropLogfileMember(
                path.clone(),
            )));
            let r = self.inst_mut().drop_log_member(&path);
            self.drain_alerts();
            if let Err(e) = r {
                if e.is_terminated() {
                    return self.after_housekeeping(Err(e));
                }
                self.record_error(&e);
                self.note(&e.to_string());
                continue; // e.g. the group is still needed: try again later
            }
            self.note(&format!(
                "SQL> alter database add logfile member '{path}' to group {group};"
            ));
            self.record(Statement::AlterDatabase(AlterDatabase::AddLogfileMember {
                name: path.clone(),
                group: u64::from(group),
            }));
            let r = self.inst_mut().add_log_member(&path, group);
            self.drain_alerts();
            match r {
                Ok(()) => {
                    self.model.lost_files.remove(&path);
                    self.coverage.log_member_recreated += 1;
                }
                Err(e) => return self.after_housekeeping(Err(e)),
            }
        }
        Ok(())
    }

    /// A group every member of which is INVALID or missing, if any.
    fn group_without_members(&self) -> Option<u32> {
        let inst = self.inst.as_ref()?;
        let cf = inst.controlfile()?;
        let disk = inst.storage();
        cf.log_groups
            .iter()
            .find(|g| {
                g.members.iter().all(|m| {
                    m.status == engine::controlfile::MemberStatus::Invalid || !disk.exists(&m.path)
                })
            })
            .map(|g| g.group)
    }

    /// While open: a group with no member left is cleared once no recovery
    /// needs it (a checkpoint first, if it is ACTIVE; nothing can be done
    /// for the current group, whose next write terminates the instance).
    fn clear_group_online(&mut self, group: u32) -> Flow {
        let Some((status, archived, seq)) = self
            .inst_mut()
            .controlfile()
            .and_then(|c| c.group(group))
            .map(|g| (g.status, g.archived, g.seq))
        else {
            return Ok(());
        };
        if status == LogStatus::Current {
            return Ok(());
        }
        if status == LogStatus::Active {
            self.note("SQL> alter system checkpoint;");
            self.record(Statement::AlterSystem(AlterSystem::Checkpoint));
            let r = self.inst_mut().checkpoint().map(|_| ());
            self.drain_alerts();
            if r.is_err() {
                return self.after_housekeeping(r);
            }
        }
        let unarchived = self.inst_mut().controlfile().is_some_and(|c| c.archivelog)
            && !archived
            && status != LogStatus::Unused;
        let r = self.clear_group(group, seq, unarchived);
        self.after_housekeeping(r)
    }

    /// `alter database clear [unarchived] logfile group G` (sequence `seq`
    /// until now), on the tape and in the model. A sequence cleared
    /// unarchived is recorded before the attempt: a clear cut short may
    /// still have reached a control-file copy.
    fn clear_group(&mut self, group: u32, seq: u32, unarchived: bool) -> Result<(), DbError> {
        self.note(&format!(
            "SQL> alter database clear {}logfile group {group};",
            if unarchived { "unarchived " } else { "" }
        ));
        self.record(Statement::AlterDatabase(AlterDatabase::ClearLogfile {
            group: u64::from(group),
            unarchived,
        }));
        if unarchived {
            self.model.cleared_unarchived.insert(seq);
            self.media_after_gap(seq);
        }
        let r = self.inst_mut().clear_logfile(group, unarchived);
        self.drain_alerts();
        if r.is_ok() {
            self.cleared_logfile(group);
        }
        r
    }

    fn after_housekeeping(&mut self, r: Result<(), DbError>) -> Flow {
        if let Err(e) = &r {
            self.record_error(e);
        }
        match r {
            Err(DbError::Terminated { .. }) => self.instance_died(),
            Err(DbError::Ora(s)) => match invariants::recovery::check_failure(
                "log member re-creation",
                &s,
                &self.model,
                false,
            ) {
                Some(v) => Err(v.into()),
                None => Ok(()),
            },
            Ok(()) => Ok(()),
        }
    }

    // ----- the checks --------------------------------------------------------

    /// At the instant of a crash, on the durable files (INV-CKPT-2..4,
    /// INV-FUZZY-3). Also decides the commits that were in flight.
    pub(crate) fn crash_checks(&mut self) -> Flow {
        let p = self.p.clone();
        let mut found = Vec::new();
        {
            let disk = self.disk.as_mut().expect("disk");
            let saved = disk.crash_armed();
            disk.disarm_crash();
            // A commit in flight is decided by the redo that survived the
            // crash: recovery will apply its commit record if and only if the
            // record is in the online logs now (INV-DATA-2). Decided now, not
            // after recovery: a later recovery may legitimately reuse the log.
            // A torn or rotted block whose durable copy now reads valid was
            // rewritten or repaired: its excuse ends here.
            let cf = engine::inspect::newest_controlfile(disk, &p).expect("reads");
            let dfs = invariants::files::datafiles(disk, &p, cf.as_ref()).expect("reads");
            prune_repaired(disk, &p, &dfs, &mut self.model);
            if self.model.has_in_doubt() {
                let xids = durable_commits(disk, &p);
                let (committed, lost) = self.model.resolve_in_doubt(&xids);
                self.coverage.in_doubt_committed += committed;
                self.coverage.in_doubt_lost += lost;
            }
            // A header high-water mark is taken from durable headers only:
            // after an instance died with the power on, a header write may
            // still be pending and a later power loss may take it back.
            if disk.pending_write_count() == 0 {
                found.extend(
                    checkpoint::check_monotonic(disk, &p, &dfs, &mut self.model).expect("reads"),
                );
            }
            if let Some(cf) = &cf {
                found.extend(
                    checkpoint::check_changes_on_disk_with(disk, &p, cf, &dfs, &self.model)
                        .expect("reads"),
                );
                // A stale control file put back names old logs: what it
                // says is needed is no claim of this run's (OPEN must
                // refuse it).
                if self.model.stale_controlfile.is_none() {
                    found.extend(
                        checkpoint::check_redo_online_with(disk, &p, cf, &self.model)
                            .expect("reads"),
                    );
                }
            }
            found.extend(fuzzy::check_truthful(disk, &p, &dfs).expect("reads"));
            if let Some(k) = saved {
                disk.arm_crash(k);
            }
        }
        self.judge("at the crash", found)
    }

    /// After every successful OPEN: the data against the model, and every
    /// structure on disk.
    pub(crate) fn checks_after_open(&mut self) -> Flow {
        // An armed crash point waits: the checks' own I/O (a scan makes DBWn
        // write) is not part of the run.
        let saved = self.disk_mut().crash_armed();
        self.disk_mut().disarm_crash();
        let r = self.checks_after_open_now();
        if let Some(k) = saved {
            self.disk_mut().arm_crash(k);
        }
        r
    }

    fn checks_after_open_now(&mut self) -> Flow {
        let p = self.p.clone();
        let inst = self.inst.as_mut().expect("instance");
        let scan = match inst.scan() {
            Ok(s) => s,
            Err(e) => return self.after_housekeeping(Err(e)),
        };
        let inst = self.inst.as_mut().expect("instance");
        let cf = inst.controlfile().cloned();
        let reported = cf
            .as_ref()
            .map(|c| c.corrupt_blocks.clone())
            .unwrap_or_default();
        let disk = inst.storage_mut();
        // The open instance's control file names the files and their state.
        if let Some(cf) = &cf {
            self.model.note_logs(cf);
        }
        let dfs = invariants::files::datafiles(disk, &p, cf.as_ref()).expect("reads");
        let mut found = data::check_rows_in(&self.model, &p, &scan, true, &dfs);
        found.extend(blocks::check_blocks(disk, &p, &dfs, &self.model, &reported).expect("reads"));
        found.extend(fuzzy::check_after_open(disk, &p, &dfs).expect("reads"));
        found.extend(fuzzy::check_truthful(disk, &p, &dfs).expect("reads"));
        found.extend(checkpoint::check_matches_controlfile(disk, &p, &dfs).expect("reads"));
        found.extend(checkpoint::check_monotonic(disk, &p, &dfs, &mut self.model).expect("reads"));
        found.extend(checkpoint::check_redo_online(disk, &p, &self.model).expect("reads"));
        found.extend(self.structure_checks());
        self.judge("after OPEN", found)
    }

    /// After a clean shutdown: no fuzzy bit, truthful headers, and every
    /// structure on disk (INV-FUZZY-1, -3, INV-BLK, INV-LOG, INV-CF).
    pub(crate) fn checks_after_clean_shutdown(&mut self) -> Flow {
        let p = self.p.clone();
        let mut found = Vec::new();
        {
            let disk = self.disk.as_mut().expect("disk");
            let saved = disk.crash_armed();
            disk.disarm_crash();
            let cf = engine::inspect::newest_controlfile(disk, &p).expect("reads");
            let dfs = invariants::files::datafiles(disk, &p, cf.as_ref()).expect("reads");
            if let Some(cf) = &cf {
                self.model.note_logs(cf);
            }
            found.extend(fuzzy::check_clean_shutdown(disk, &p, &dfs, &self.model).expect("reads"));
            found.extend(fuzzy::check_truthful(disk, &p, &dfs).expect("reads"));
            found.extend(
                checkpoint::check_monotonic(disk, &p, &dfs, &mut self.model).expect("reads"),
            );
            prune_repaired(disk, &p, &dfs, &mut self.model);
            if let Some(cf) = cf {
                found.extend(
                    blocks::check_blocks(disk, &p, &dfs, &self.model, &cf.corrupt_blocks)
                        .expect("reads"),
                );
            }
            if let Some(k) = saved {
                disk.arm_crash(k);
            }
        }
        found.extend(self.structure_checks());
        self.judge("after a clean shutdown", found)?;
        self.restore_drill()
    }

    /// A `host cp` / `host mv` from `src` to `dst` completed: a copy over a
    /// datafile the control file names is a restore (its header may go
    /// down: INV-CKPT-2), a copy of one elsewhere is a backup holding the
    /// source header's checkpoint.
    pub(crate) fn note_host_copy(&mut self, src: &str, dst: &str) {
        let p = self.p.clone();
        let open_cf = self.inst.as_ref().and_then(|i| i.controlfile().cloned());
        let disk: &mut Disk = match self.inst.as_mut() {
            Some(i) => i.storage_mut(),
            None => self.disk.as_mut().expect("disk"),
        };
        let Ok(dfs) = invariants::files::datafiles(disk, &p, open_cf.as_ref()) else {
            return;
        };
        if dfs.iter().any(|r| r.name == dst) {
            self.model.restored(dst);
            self.copy_restored(src);
        } else if let Some(r) = dfs.iter().find(|r| r.name == src)
            && let Ok(Ok(h)) = engine::datafile::read_header(disk, dst, r.file_no, p.db_block_size)
        {
            self.model.backup_taken(dst, r.file_no, h.ckpt_scn);
            self.carried_by_copy(r.file_no, dst);
        }
    }

    /// INV-LOG-1..3 and INV-CF-1..2 on whatever the disk holds now.
    fn structure_checks(&mut self) -> Vec<Violation> {
        let p = self.p.clone();
        let model = &mut self.model;
        let disk: &mut Disk = match self.inst.as_mut() {
            Some(i) => i.storage_mut(),
            None => self.disk.as_mut().expect("disk"),
        };
        let mut found = Vec::new();
        found.extend(logs::check_archived_before_reuse(disk, &p, model).expect("reads"));
        let model = &self.model;
        found.extend(logs::check_sequences(disk, &p).expect("reads"));
        found.extend(logs::check_copies_agree(disk, &p).expect("reads"));
        found.extend(controlfile::check_copies_identical(disk, &p).expect("reads"));
        found.extend(controlfile::check_agrees_with_files(disk, &p, model).expect("reads"));
        found
    }
}

/// Transaction ids whose commit record is in a readable log on the disk,
/// with that record's SCN (the commit SCN).
fn durable_commits(
    disk: &mut Disk,
    p: &engine::DbParams,
) -> std::collections::BTreeMap<engine::block::Xid, engine::scn::Scn> {
    let mut xids = std::collections::BTreeMap::new();
    let Some(cf) = engine::inspect::newest_controlfile(disk, p).expect("reads") else {
        return xids;
    };
    for (_, log) in checkpoint::readable_logs(disk, p, &cf).expect("reads") {
        for r in &log.records {
            for m in &r.record.markers {
                if let engine::redo::Marker::Commit { xid } = m {
                    xids.insert(*xid, r.record.scn);
                }
            }
        }
    }
    xids
}

/// Ends the excuse of torn or rotted blocks whose copy on `disk` (just
/// after a power loss or a clean shutdown: durable) reads valid again.
fn prune_repaired(
    disk: &mut Disk,
    p: &engine::DbParams,
    dfs: &[engine::controlfile::DatafileRecord],
    model: &mut invariants::Model,
) {
    if model.torn.is_empty() && model.rotted.is_empty() {
        return;
    }
    let mut valid = std::collections::BTreeMap::new();
    for &(f, b) in model.torn.iter().chain(model.rotted.iter()) {
        let Some(spec) = invariants::files::record(dfs, f) else {
            continue;
        };
        let ok = if b == 0 {
            matches!(
                engine::datafile::read_header(disk, &spec.name, f, p.db_block_size),
                Ok(Ok(_))
            )
        } else {
            matches!(
                engine::datafile::read_block(disk, &spec.name, f, b, p.db_block_size, false),
                Ok(Ok(_))
            )
        };
        valid.insert((f, b), ok);
    }
    model.prune_repaired(|d| valid.get(&d).copied().unwrap_or(false));
}

/// What this engine lacks to recover from a refusal at OPEN.
fn missing_procedure(s: &engine::OraStack) -> &'static str {
    match s.code() {
        313 => {
            "no incomplete recovery from the surviving files got the database open (S-CR-3, S-LOSS-3)"
        }
        308 => {
            "the media recovery of an offline file of the open database needs it, and this DBA does not close the database for an incomplete recovery (S-LOSS-4)"
        }
        1122 | 338 | 314 | 322 | 1190 | 1113 | 1157 | 10873 => {
            "neither a control file re-created from the files nor a media recovery got the database open (S-CF-4, S-MR-1)"
        }
        1578 => "block media recovery from a backup is not built yet (S-LOSS-7)",
        _ => "no procedure of this DBA answers it",
    }
}

/// `host cp SRC DST` on the simulated disk: the whole file, synced, and its
/// directory entry made durable.
pub(crate) fn copy_file(disk: &mut Disk, src: &str, dst: &str) -> Result<(), IoErrorKind> {
    let n = disk.size(src).map_err(|e| e.kind)? as usize;
    let mut buf = vec![0u8; n.div_ceil(disk.os_block_size()) * disk.os_block_size()];
    disk.read(src, 0, &mut buf).map_err(|e| e.kind)?;
    if disk.exists(dst) {
        disk.delete(dst).map_err(|e| e.kind)?;
    }
    disk.create(dst).map_err(|e| e.kind)?;
    disk.write(dst, 0, &buf).map_err(|e| e.kind)?;
    disk.sync(dst).map_err(|e| e.kind)?;
    disk.sync_dir(dir_of(dst)).map_err(|e| e.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::runner::RunOptions;

    /// The stale-control-file check: a refusal that wrote nothing passes; one
    /// that changed a file first is INV-CF-2.
    #[test]
    fn a_refusal_after_a_write_is_damage() {
        let mut run = Run::new(&RunOptions::default(), RunConfig::scenario_default());
        let p = run.p.clone();
        engine::create::create_database(run.disk.as_mut().unwrap(), &p, 1).unwrap();
        let before = run.disk.clone().unwrap();
        let s = engine::error::ora::newer_than_controlfile(1, &p.datafiles[0].path);
        assert!(run.refused_before_damage(&before, &s).is_ok());
        let disk = run.disk.as_mut().unwrap();
        let path = p.datafiles[2].path.clone();
        disk.write(&path, 4096, &[7u8; 512]).unwrap();
        disk.sync(&path).unwrap();
        match run.refused_before_damage(&before, &s) {
            Err(Halt::Violation(v)) => {
                assert_eq!(v.id, "INV-CF-2");
                assert!(v.evidence.contains(&path), "{}", v.evidence);
            }
            other => panic!("expected INV-CF-2, got {other:?}"),
        }
        // A write not yet synced is damage too (it may land).
        let mut run2 = Run::new(&RunOptions::default(), RunConfig::scenario_default());
        engine::create::create_database(run2.disk.as_mut().unwrap(), &p, 1).unwrap();
        let before = run2.disk.clone().unwrap();
        run2.disk
            .as_mut()
            .unwrap()
            .write(&path, 4096, &[7u8; 512])
            .unwrap();
        assert!(run2.refused_before_damage(&before, &s).is_err());
    }
}
