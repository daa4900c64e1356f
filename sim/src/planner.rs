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

/// Recovery attempts before the run is judged stuck.
const MAX_ATTEMPTS: usize = 20;

impl Run {
    /// Starts the database, recovering whatever needs it, until it is open.
    pub(crate) fn recover(&mut self) -> Flow {
        debug_assert!(self.inst.is_none());
        for _ in 0..MAX_ATTEMPTS {
            let armed = match self.next_recovery_crash.take() {
                Some(k) => Some(k),
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
            self.note("SQL> startup");
            self.record(Statement::Startup {
                mode: StartupMode::Open,
                force: false,
            });
            let disk = self.disk.take().expect("disk");
            let mut inst = Instance::new(self.p.clone(), disk);
            inst.set_time(self.clock);
            let r = inst.startup();
            self.inst = Some(inst);
            self.drain_alerts();
            let e = match r {
                Ok(()) => {
                    self.note("Database opened.");
                    self.recoveries += 1;
                    self.checks_after_open()?;
                    self.crash_in_recovery = false;
                    return Ok(());
                }
                Err(e) => e,
            };
            self.record_error(&e);
            match e {
                DbError::Terminated { .. } => {
                    let inst = self.inst.take().expect("instance");
                    self.disk = Some(inst.into_storage());
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
                    match s.code() {
                        205 | 227 | 214 => self.replicate_controlfile()?,
                        _ => {
                            let v = invariants::recovery::check_failure(
                                "startup",
                                &s,
                                &self.model,
                                self.crash_in_recovery,
                            );
                            return Err(match v {
                                Some(v) => Halt::Violation(v),
                                None => Halt::Unrecoverable(format!(
                                    "explained, but needs recovery this engine lacks: {}",
                                    s.0[0]
                                )),
                            });
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
            return Err(Halt::Unrecoverable(
                "no readable control-file copy is left".into(),
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
                    self.coverage.controlfile_replicated += 1;
                }
                Err(IoErrorKind::PowerLost) => {
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
            if self.model.has_in_doubt() {
                let xids = durable_commits(disk, &p);
                let (committed, lost) = self.model.resolve_in_doubt(&xids);
                self.coverage.in_doubt_committed += committed;
                self.coverage.in_doubt_lost += lost;
            }
            found.extend(checkpoint::check_monotonic(disk, &p, &mut self.model).expect("reads"));
            found.extend(checkpoint::check_changes_on_disk(disk, &p, &self.model).expect("reads"));
            found.extend(checkpoint::check_redo_online(disk, &p, &self.model).expect("reads"));
            found.extend(fuzzy::check_truthful(disk, &p).expect("reads"));
            if let Some(k) = saved {
                disk.arm_crash(k);
            }
        }
        self.judge(found)
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
        let mut found = data::check_rows(&self.model, &p, &scan, true);
        let inst = self.inst.as_mut().expect("instance");
        let scn = inst.current_scn();
        let reported = inst
            .controlfile()
            .map(|c| c.corrupt_blocks.clone())
            .unwrap_or_default();
        let disk = inst.storage_mut();
        found.extend(blocks::check_blocks(disk, &p, &self.model, &reported, scn).expect("reads"));
        found.extend(fuzzy::check_after_open(disk, &p).expect("reads"));
        found.extend(fuzzy::check_truthful(disk, &p).expect("reads"));
        found.extend(checkpoint::check_matches_controlfile(disk, &p).expect("reads"));
        found.extend(checkpoint::check_monotonic(disk, &p, &mut self.model).expect("reads"));
        found.extend(checkpoint::check_redo_online(disk, &p, &self.model).expect("reads"));
        found.extend(self.structure_checks());
        self.judge(found)
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
            found.extend(fuzzy::check_clean_shutdown(disk, &p).expect("reads"));
            found.extend(fuzzy::check_truthful(disk, &p).expect("reads"));
            found.extend(checkpoint::check_monotonic(disk, &p, &mut self.model).expect("reads"));
            let cf = engine::inspect::newest_controlfile(disk, &p).expect("reads");
            if let Some(cf) = cf {
                let scn = cf.thread(1).ckpt.scn;
                found.extend(
                    blocks::check_blocks(disk, &p, &self.model, &cf.corrupt_blocks, scn)
                        .expect("reads"),
                );
            }
            if let Some(k) = saved {
                disk.arm_crash(k);
            }
        }
        found.extend(self.structure_checks());
        self.judge(found)
    }

    /// INV-LOG-1..3 and INV-CF-1..2 on whatever the disk holds now.
    fn structure_checks(&mut self) -> Vec<Violation> {
        let p = self.p.clone();
        let model = &self.model;
        let disk: &mut Disk = match self.inst.as_mut() {
            Some(i) => i.storage_mut(),
            None => self.disk.as_mut().expect("disk"),
        };
        let mut found = Vec::new();
        found.extend(logs::check_archived_before_reuse(disk, &p, model).expect("reads"));
        found.extend(logs::check_sequences(disk, &p).expect("reads"));
        found.extend(logs::check_copies_agree(disk, &p).expect("reads"));
        found.extend(controlfile::check_copies_identical(disk, &p).expect("reads"));
        found.extend(controlfile::check_agrees_with_files(disk, &p, model).expect("reads"));
        found
    }
}

/// Transaction ids whose commit record is in a readable log on the disk.
fn durable_commits(
    disk: &mut Disk,
    p: &engine::DbParams,
) -> std::collections::BTreeSet<engine::block::Xid> {
    let mut xids = std::collections::BTreeSet::new();
    let Some(cf) = engine::inspect::newest_controlfile(disk, p).expect("reads") else {
        return xids;
    };
    for (_, log) in checkpoint::readable_logs(disk, p, &cf).expect("reads") {
        for r in &log.records {
            for m in &r.record.markers {
                if let engine::redo::Marker::Commit { xid } = m {
                    xids.insert(*xid);
                }
            }
        }
    }
    xids
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
