//! Control-file recovery (S-CF-1..4): ALTER DATABASE BACKUP CONTROLFILE
//! TO 'name' | TO TRACE, and CREATE CONTROLFILE.
//!
//! A binary backup is the control file as it stands, marked as a backup:
//! mounted later, it makes RECOVER say USING BACKUP CONTROLFILE and OPEN say
//! RESETLOGS. CREATE CONTROLFILE builds a control file from what the files
//! themselves say: each datafile header gives its record (checkpoint SCN
//! and counter, incarnation, fuzziness), each online log's header its
//! group's sequence. NORESETLOGS makes it a current control file, so every
//! online log must be there and agree; RESETLOGS makes it a backup one that
//! needs no online log at all.

use std::collections::BTreeMap;

use crate::controlfile::{
    self, ControlFile, DatafileRecord, LogGroupRecord, LogHistoryRecord, LogMember, LogStatus,
    ThreadCheckpoint, ThreadRecord,
};
use crate::datafile::{self, DatafileHeader, HeaderError};
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::instance::{DbState, Instance, io_fatal};
use crate::redo::{self, LogHeader};
use crate::scn::Rba;
use crate::storage::{Storage, dir_of};

/// Where BACKUP CONTROLFILE TO TRACE writes without AS.
pub const TRACE_FILE: &str = "/u01/admin/SIM/udump/sim_ora_cfile.trc";

/// Where crash recovery starts for a checkpoint `h`: its own RBA when an
/// online log holds that sequence; else the start of the newest online log
/// that began at or before the checkpoint SCN (a checkpoint at an unchanged
/// SCN moves the thread's RBA on but leaves the header's, so the header may
/// name a log since reused; every change below the SCN is in the files).
fn thread_rba(h: &DatafileHeader, logs: &BTreeMap<u32, (LogHeader, u64)>) -> Rba {
    let own = Rba {
        seq: h.ckpt_rba.seq.max(1),
        block: h.ckpt_rba.block.max(1),
    };
    if logs.is_empty() || logs.values().any(|(l, _)| l.seq == own.seq) {
        return own;
    }
    logs.values()
        .filter(|(l, _)| l.seq > 0 && l.first_scn <= h.ckpt_scn)
        .map(|(l, _)| l.seq)
        .max()
        .map_or(own, |seq| Rba { seq, block: 1 })
}

impl<S: Storage> Instance<S> {
    /// ALTER DATABASE BACKUP CONTROLFILE TO 'name' [REUSE]: a copy of the
    /// control file marked as a backup.
    pub fn backup_controlfile(&mut self, to: &str, reuse: bool) -> DbResult<()> {
        self.require_mounted()?;
        if self.io.exists(to) && !reuse {
            return Err(DbError::Ora(
                OraStack::one(1580, format!("error creating control backup file {to}"))
                    .then(27038, "created file already exists"),
            ));
        }
        let mut copy = self.cf().clone();
        copy.is_backup = true;
        let r = (|| {
            if self.io.exists(to) {
                self.io.delete(to)?;
            }
            self.io.create(to)?;
            controlfile::write_copy(&mut self.io, to, &copy)?;
            self.io.sync(to)?;
            self.io.sync_dir(dir_of(to))
        })();
        if let Err(e) = r {
            return self.copy_failed(e, to);
        }
        self.alert(format!("Backup controlfile written to file {to}"));
        Ok(())
    }

    /// ALTER DATABASE BACKUP CONTROLFILE TO TRACE [RESETLOGS|NORESETLOGS]
    /// [AS 'name']: the CREATE CONTROLFILE script for this database, both
    /// sets unless one is named. Returns the file written.
    pub fn backup_controlfile_to_trace(
        &mut self,
        resetlogs: Option<bool>,
        as_name: Option<&str>,
    ) -> DbResult<String> {
        self.require_mounted()?;
        let path = as_name.unwrap_or(TRACE_FILE).to_string();
        let mut text = String::from(
            "-- The following are current System-scope REDO Log Archival related parameters\n",
        );
        for (set, reset) in [(1, false), (2, true)] {
            if resetlogs.is_some_and(|r| r != reset) {
                continue;
            }
            text.push_str(&self.create_controlfile_script(set, reset));
        }
        // Whole OS blocks (the disk writes no less), padded with blank lines.
        let mut bytes = text.into_bytes();
        bytes.resize(
            bytes.len().div_ceil(self.io.os_block_size()) * self.io.os_block_size(),
            b'\n',
        );
        let r = (|| {
            if self.io.exists(&path) {
                self.io.delete(&path)?;
            }
            self.io.create(&path)?;
            self.io.write(&path, 0, &bytes)?;
            self.io.sync(&path)?;
            self.io.sync_dir(dir_of(&path))
        })();
        if let Err(e) = r {
            return self.copy_failed(e, &path);
        }
        self.alert(format!("Backup controlfile written to trace file {path}"));
        Ok(path)
    }

    /// A backup the power loss stopped ends the instance; any other failure
    /// (a lost device) only the statement: ORA-01580 + ORA-27040.
    fn copy_failed<T>(&mut self, e: crate::storage::IoError, path: &str) -> DbResult<T> {
        if e.kind == crate::storage::IoErrorKind::PowerLost {
            return self.fatal(Err(io_fatal(e)));
        }
        Err(DbError::Ora(
            OraStack::one(1580, format!("error creating control backup file {path}")).then(
                27040,
                format!("file create error, unable to create file: {e}"),
            ),
        ))
    }

    fn create_controlfile_script(&self, set: u32, resetlogs: bool) -> String {
        let cf = self.cf();
        let mode = if resetlogs {
            "RESETLOGS"
        } else {
            "NORESETLOGS"
        };
        let log_mode = if cf.archivelog {
            "ARCHIVELOG"
        } else {
            "NOARCHIVELOG"
        };
        let mut s = format!(
            "--     Set #{set}. {mode} case\nSTARTUP NOMOUNT\nCREATE CONTROLFILE REUSE DATABASE \"{}\" {mode}  {log_mode}\nLOGFILE\n",
            cf.db_name
        );
        let groups: Vec<String> = cf
            .log_groups
            .iter()
            .map(|g| {
                let members: Vec<String> =
                    g.members.iter().map(|m| format!("'{}'", m.path)).collect();
                format!("  GROUP {} ({})", g.group, members.join(", "))
            })
            .collect();
        s.push_str(&groups.join(",\n"));
        s.push_str("\nDATAFILE\n");
        let files: Vec<String> = cf
            .datafiles
            .iter()
            .map(|d| format!("  '{}'", d.name))
            .collect();
        s.push_str(&files.join(",\n"));
        s.push_str("\n;\n");
        if resetlogs {
            s.push_str(
                "RECOVER DATABASE USING BACKUP CONTROLFILE\nALTER DATABASE OPEN RESETLOGS;\n",
            );
        } else {
            s.push_str("RECOVER DATABASE\nALTER DATABASE OPEN;\n");
        }
        s
    }

    fn require_mounted(&self) -> DbResult<()> {
        match self.state {
            DbState::Mount | DbState::Open => Ok(()),
            _ => self.require(DbState::Mount),
        }
    }

    /// CREATE CONTROLFILE [REUSE] DATABASE name RESETLOGS|NORESETLOGS
    /// [ARCHIVELOG|NOARCHIVELOG] (S-CF-4), in NOMOUNT; leaves the database
    /// mounted. The datafiles and log members are those of the parameter
    /// file's layout.
    pub fn create_controlfile(
        &mut self,
        database: &str,
        reuse: bool,
        resetlogs: bool,
        archivelog: bool,
    ) -> DbResult<()> {
        if self.state != DbState::Nomount {
            if matches!(self.state, DbState::Mount | DbState::Open) {
                return Err(DbError::ora(1100, "database already mounted"));
            }
            self.require(DbState::Nomount)?;
        }
        let failed = |s: OraStack| {
            let mut top = OraStack::one(1503, "CREATE CONTROLFILE failed");
            top.0.extend(s.0);
            DbError::Ora(top)
        };
        if !database.eq_ignore_ascii_case(&self.p.db_name) {
            return Err(failed(OraStack::one(
                1161,
                format!(
                    "database name {} in file header does not match given name of {}",
                    self.p.db_name,
                    database.to_uppercase()
                ),
            )));
        }
        if !reuse && let Some(c) = self.p.control_files.iter().find(|c| self.io.exists(c)) {
            return Err(failed(
                OraStack::one(200, "control file could not be created")
                    .then(202, format!("control file: '{c}'"))
                    .then(27038, "created file already exists"),
            ));
        }
        let headers = self.headers_for_create().map_err(failed)?;
        let logs = if resetlogs {
            BTreeMap::new()
        } else {
            self.logs_for_create(&headers).map_err(failed)?
        };
        let cf = self.build_controlfile(&headers, &logs, resetlogs, archivelog);
        for c in self.p.control_files.clone() {
            let r = (|| {
                if self.io.exists(&c) {
                    self.io.delete(&c)?;
                }
                self.io.create(&c)?;
                controlfile::write_copy(&mut self.io, &c, &cf)?;
                self.io.sync(&c)?;
                self.io.sync_dir(dir_of(&c))
            })();
            r.map_err(io_fatal).or_else(|e| self.fatal(Err(e)))?;
        }
        self.scn = self.scn.max(cf.threads[0].ckpt.scn);
        self.cf = Some(cf);
        self.state = DbState::Mount;
        self.alert(format!(
            "Successful mount of redo thread 1, with mount id 1\nCompleted: CREATE CONTROLFILE REUSE DATABASE \"{}\" {}",
            self.p.db_name,
            if resetlogs { "RESETLOGS" } else { "NORESETLOGS" }
        ));
        Ok(())
    }

    /// Every datafile's header; all of one incarnation (ORA-01189).
    fn headers_for_create(&mut self) -> Result<Vec<(String, DatafileHeader)>, OraStack> {
        let bs = self.p.db_block_size;
        let mut out: Vec<(String, DatafileHeader)> = Vec::new();
        for f in self.p.datafiles.clone() {
            let h = match datafile::read_header(&mut self.io, &f.path, f.file_no, bs) {
                Ok(Ok(h)) => h,
                Ok(Err(HeaderError::Missing)) | Err(_) => {
                    return Err(OraStack::one(
                        1565,
                        format!("error in identifying file '{}'", f.path),
                    )
                    .then(27037, "unable to obtain file status"));
                }
                Ok(Err(_)) => {
                    return Err(OraStack::one(
                        1565,
                        format!("error in identifying file '{}'", f.path),
                    )
                    .then(1210, "data file header is media corrupt"));
                }
            };
            if let Some((_, first)) = out.first()
                && first.incarnation != h.incarnation
            {
                return Err(ora::with_file(
                    OraStack::one(
                        1189,
                        "file is from a different RESETLOGS than previous files",
                    ),
                    f.file_no,
                    &f.path,
                ));
            }
            out.push((f.path.clone(), h));
        }
        Ok(out)
    }

    /// NORESETLOGS: every online log group's newest readable header. A
    /// group none of whose members can be read fails (ORA-01565); a log of
    /// another incarnation does not belong (ORA-01227); a datafile
    /// checkpointed in a later log than any here was not written with them
    /// (ORA-01229).
    fn logs_for_create(
        &mut self,
        headers: &[(String, DatafileHeader)],
    ) -> Result<BTreeMap<u32, (LogHeader, u64)>, OraStack> {
        let inc = headers[0].1.incarnation;
        let mut out = BTreeMap::new();
        for (i, members) in self.p.log_groups.clone().iter().enumerate() {
            let group = i as u32 + 1;
            let mut best: Option<(LogHeader, u64)> = None;
            for m in members {
                let Ok(Ok(c)) = redo::read_log(&mut self.io, m, self.p.log_blocks) else {
                    continue;
                };
                if c.header.dbid != self.p.dbid || c.header.incarnation != inc {
                    return Err(OraStack::one(
                        1227,
                        format!("log {group} is inconsistent with other logs"),
                    ));
                }
                let end = c
                    .records
                    .last()
                    .map_or(c.header.first_scn, |r| r.record.scn + 1);
                if best.is_none_or(|(b, _)| c.header.seq > b.seq) {
                    best = Some((c.header, end));
                }
            }
            match best {
                Some(b) => {
                    out.insert(group, b);
                }
                // Members there but never written (a group not used yet,
                // or cleared): the group is UNUSED.
                None if members.iter().any(|m| self.io.exists(m)) => {}
                None => {
                    return Err(OraStack::one(
                        1565,
                        format!("error in identifying file '{}'", members[0]),
                    )
                    .then(27037, "unable to obtain file status"));
                }
            }
        }
        // A datafile checkpointed in a log after the newest one here was
        // written with other, later logs.
        let newest = out.values().map(|(h, _)| h.seq).max().unwrap_or(0);
        for (path, h) in headers {
            if h.ckpt_rba.seq > newest {
                return Err(ora::with_file(
                    OraStack::one(
                        1229,
                        format!("data file {} is inconsistent with logs", h.file_no),
                    ),
                    h.file_no,
                    path,
                ));
            }
        }
        Ok(out)
    }

    fn build_controlfile(
        &self,
        headers: &[(String, DatafileHeader)],
        logs: &BTreeMap<u32, (LogHeader, u64)>,
        resetlogs: bool,
        archivelog: bool,
    ) -> ControlFile {
        let inc = headers[0].1.incarnation;
        // The thread's checkpoint is the newest file checkpoint; a file
        // behind it (restored, or offline for long) needs media recovery,
        // which its record says by a counter one ahead of its header.
        let newest = headers
            .iter()
            .map(|(_, h)| h)
            .max_by_key(|h| h.ckpt_scn)
            .expect("a datafile");
        let oldest = newest;
        let crashed = headers.iter().any(|(_, h)| h.fuzzy.online);
        let current = logs.iter().max_by_key(|(_, (h, _))| h.seq);
        let (current_group, current_seq) =
            current.map_or((1, oldest.ckpt_rba.seq.max(1)), |(g, (h, _))| (*g, h.seq));
        let first_of = |seq: u32| {
            logs.values()
                .find(|(h, _)| h.seq == seq)
                .map(|(h, _)| h.first_scn)
        };
        let mut groups = Vec::new();
        let mut history = Vec::new();
        for (i, members) in self.p.log_groups.iter().enumerate() {
            let group = i as u32 + 1;
            let log = logs.get(&group).map(|(h, _)| *h);
            let (status, seq, first_scn, first_time, next_scn) = match log {
                Some(h) if h.seq == current_seq => {
                    (LogStatus::Current, h.seq, h.first_scn, h.first_time, None)
                }
                Some(h) if h.seq > 0 => {
                    let next = first_of(h.seq + 1);
                    let needed = next.is_none_or(|n| n > oldest.ckpt_scn) && crashed;
                    let status = if needed {
                        LogStatus::Active
                    } else {
                        LogStatus::Inactive
                    };
                    (status, h.seq, h.first_scn, h.first_time, next)
                }
                _ => (LogStatus::Unused, 0, 0, 0, None),
            };
            if let (Some(next), true) = (next_scn, seq > 0) {
                history.push(LogHistoryRecord {
                    thread: 1,
                    seq,
                    first_scn,
                    first_time,
                    next_scn: next,
                });
            }
            // A created control file knows no archiving: ARCn copies each
            // online log again before reusing it (an archived copy a power
            // loss cut short is then made whole).
            let archived = false;
            groups.push(LogGroupRecord {
                group,
                thread: 1,
                seq,
                status,
                first_scn,
                first_time,
                next_scn,
                archived,
                members: members.iter().map(|m| LogMember::valid(m)).collect(),
            });
        }
        history.sort_by_key(|h| h.seq);
        let version = headers
            .iter()
            .map(|(_, h)| h.cf_seq)
            .chain(logs.values().map(|(h, _)| h.cf_seq))
            .max()
            .unwrap_or(0)
            + 1;
        let thread = ThreadRecord {
            thread: 1,
            enabled: true,
            open: crashed,
            ckpt: ThreadCheckpoint {
                scn: oldest.ckpt_scn,
                time: oldest.ckpt_time,
                rba: thread_rba(newest, logs),
            },
            current_seq,
            current_group,
        };
        let mut cf = ControlFile::new(&self.p.db_name, self.p.dbid, inc, archivelog, thread);
        cf.is_backup = resetlogs;
        cf.log_groups = groups;
        cf.log_history = history;
        cf.version = version;
        cf.datafiles = headers
            .iter()
            .map(|(path, h)| DatafileRecord {
                creation_scn: h.creation_scn,
                ckpt_scn: h.ckpt_scn,
                ckpt_counter: h.ckpt_counter + u64::from(h.ckpt_scn < newest.ckpt_scn),
                stop_scn: (!h.fuzzy.any()).then_some(h.ckpt_scn),
                backup_scn: h.fuzzy.hot_backup.then_some(h.ckpt_scn),
                ..DatafileRecord::new(h.file_no, path, &h.tablespace, h.blocks)
            })
            .collect();
        cf
    }
}
