//! V$ views: what `select * from v$… [where col = value]` shows (SCENARIO.md).
//!
//! Every view here is a *fixed view that needs the control file*: it fails
//! with ORA-01034 when the instance is shut down, ORA-01507 in NOMOUNT, and an
//! unknown name fails with ORA-00942 (checked before the mount, as Oracle
//! does). Views are built from the mounted instance's control file
//! (`Instance::cf`); the views about datafile headers and control-file copies
//! read those from the storage on each query, never from the instance's
//! memory, so they show what is on disk after a fault.
//!
//! Conventions, for every view: column names are Oracle's; NULL prints as an
//! empty string; SCNs, counters and sizes print in decimal; YES/NO for
//! booleans. Times are the simulated clock ([`SimTime`], seconds since the
//! simulated epoch) printed as a number, not as a date. RECID is the record's
//! place (1 = oldest kept) in its circular control-file section
//! ([`controlfile::MAX_HISTORY`] records), so it restarts at 1 once the
//! section wraps, where Oracle keeps counting.
//!
//! The views and their columns, in order, and where they differ from Oracle:
//!
//! - `v$database`: DBID, NAME, RESETLOGS_CHANGE#, RESETLOGS_TIME, LOG_MODE
//!   (ARCHIVELOG / NOARCHIVELOG), CHECKPOINT_CHANGE# (the database checkpoint:
//!   the lowest thread checkpoint SCN among open threads, else the highest
//!   among enabled ones — ORACLE_NOTES §1.3), CONTROLFILE_TYPE (CURRENT /
//!   BACKUP), CONTROLFILE_SEQUENCE# (the control-file version), OPEN_MODE
//!   (MOUNTED / READ WRITE), CURRENT_SCN (the instance's SCN when open, else
//!   0). CREATED is not kept.
//! - `v$datafile`: FILE#, NAME, TABLESPACE_NAME (instead of Oracle's TS#:
//!   the model has no tablespace numbers), STATUS (SYSTEM for an online file
//!   of the SYSTEM tablespace, ONLINE, OFFLINE, SYSOFF, RECOVER), ENABLED
//!   (READ WRITE, READ ONLY, DISABLED when offline), CHECKPOINT_CHANGE#,
//!   LAST_CHANGE# (the stop SCN; NULL while infinite), CREATION_CHANGE#,
//!   BLOCKS (including header block 0), BLOCK_SIZE, OFFLINE_CHANGE# and
//!   ONLINE_CHANGE# (the last offline range, 0 when there is none).
//! - `v$datafile_header`: FILE#, STATUS (ONLINE / OFFLINE, from the control
//!   file), ERROR (empty when the header was read and validated; FILE NOT
//!   FOUND; CORRUPT HEADER for a bad checksum, format, file number or a blank
//!   header; CANNOT READ HEADER for an I/O error), RECOVER, FUZZY (YES if any
//!   fuzzy bit is set), CREATION_CHANGE#, CHECKPOINT_CHANGE#, CHECKPOINT_TIME,
//!   CHECKPOINT_COUNT, RESETLOGS_CHANGE#, RESETLOGS_TIME, TABLESPACE_NAME,
//!   NAME, then three redosim extensions that Oracle does not have:
//!   ONLINE_FUZZY, HOT_BACKUP_FUZZY, MEDIA_RECOVERY_FUZZY (YES/NO, one per
//!   fuzzy bit, S-FILE-2). RECOVER is YES when the file needs media recovery
//!   (see [`needs_media_recovery`]), NULL when the header is unreadable; every
//!   column read from the header is NULL then.
//! - `v$controlfile`: STATUS (empty when the copy is readable, INVALID when it
//!   is missing or neither slot is valid), NAME — one row per CONTROL_FILES
//!   entry of the parameter file, each copy read from the storage.
//! - `v$log`: GROUP#, THREAD#, SEQUENCE#, BYTES (redo blocks × OS block
//!   size, without the header block), MEMBERS, ARCHIVED, STATUS (UNUSED,
//!   CURRENT, ACTIVE, INACTIVE), FIRST_CHANGE#, FIRST_TIME (NULL while
//!   UNUSED), NEXT_CHANGE# (NULL while CURRENT or UNUSED).
//! - `v$logfile`: GROUP#, STATUS (empty for a valid member, INVALID, STALE:
//!   the control file's view, as in Oracle; a member deleted behind the
//!   engine's back shows INVALID only once the engine noticed), TYPE (always
//!   ONLINE), MEMBER.
//! - `v$archived_log`: RECID, NAME, THREAD#, SEQUENCE#, RESETLOGS_CHANGE#,
//!   FIRST_CHANGE#, NEXT_CHANGE#, COMPLETION_TIME, DELETED (always NO: nothing
//!   deletes archived logs through the control file yet).
//! - `v$log_history`: RECID, THREAD#, SEQUENCE#, FIRST_CHANGE#, FIRST_TIME,
//!   NEXT_CHANGE#.
//! - `v$recover_file`: FILE#, ONLINE_STATUS (ONLINE / OFFLINE), ERROR (empty,
//!   FILE NOT FOUND, CORRUPT HEADER, CANNOT READ HEADER), CHANGE# (the header
//!   checkpoint SCN; 0 when the header is unreadable), TIME (the header
//!   checkpoint time; NULL when unreadable). One row per datafile that needs
//!   media recovery: every file not offline that [`needs_media_recovery`],
//!   and every offline file with an infinite stop SCN (taken offline without
//!   a checkpoint). Unlike Oracle, files offline normal (finite stop SCN) are
//!   not listed with ERROR `OFFLINE NORMAL`.
//! - `v$backup`: FILE#, STATUS (ACTIVE when the header has hot-backup fuzzy,
//!   NOT ACTIVE, or the header's read error as in `v$datafile_header`),
//!   CHANGE# and TIME (the frozen header checkpoint while ACTIVE; 0 and NULL
//!   otherwise: the SCN of an earlier, finished backup is not kept).
//! - `v$database_block_corruption`: FILE#, BLOCK#, BLOCKS (always 1),
//!   CORRUPTION_CHANGE# (the SCN when the engine recorded the block; Oracle
//!   shows 0 for media corruption), CORRUPTION_TYPE (FRACTURED, CHECKSUM, or
//!   CORRUPT for a wrong address or an undecodable block).
//! - `v$database_incarnation`: INCARNATION# (1 = the oldest), RESETLOGS_CHANGE#,
//!   RESETLOGS_TIME, STATUS (CURRENT, PARENT for every prior incarnation: the
//!   model keeps no orphans), RESETLOGS_ID (the `%r` of archived-log names),
//!   PRIOR_INCARNATION# (0 for the first).
//! - `v$backup_corruption`: FILE#, BLOCK#, BLOCKS, CORRUPTION_CHANGE#, and no
//!   rows yet: the engine has no RMAN backups to record corruption in.

use std::fmt;

use crate::controlfile::{
    self, ControlFile, CopyState, DatafileRecord, FileStatus, LogStatus, MemberStatus,
};
use crate::datafile::{self, DatafileHeader, HeaderError};
use crate::error::OraStack;
use crate::instance::{DbState, Instance};
use crate::scn::{Scn, SimTime};
use crate::storage::{IoErrorKind, Storage};

/// Every view [`query`] knows, as a script writes it.
pub const VIEWS: &[&str] = &[
    "v$database",
    "v$datafile",
    "v$datafile_header",
    "v$controlfile",
    "v$log",
    "v$logfile",
    "v$archived_log",
    "v$log_history",
    "v$recover_file",
    "v$backup",
    "v$database_block_corruption",
    "v$database_incarnation",
    "v$backup_corruption",
];

/// The result of a query: column names and rows of printed values (NULL is
/// an empty string).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// The index of a column, by case-insensitive name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name.trim()))
    }

    /// The value in row `row` of column `name`, if both exist.
    pub fn get(&self, row: usize, name: &str) -> Option<&str> {
        let c = self.column(name)?;
        self.rows.get(row)?.get(c).map(String::as_str)
    }

    /// Every value of column `name` (empty if there is no such column).
    pub fn values(&self, name: &str) -> Vec<&str> {
        match self.column(name) {
            Some(c) => self
                .rows
                .iter()
                .map(|r| r.get(c).map_or("", String::as_str))
                .collect(),
            None => Vec::new(),
        }
    }

    /// `where column = value`: the rows whose value equals `value`, compared
    /// as strings ignoring case. An unknown column is ORA-00904.
    pub fn filter(&self, column: &str, value: &str) -> Result<Table, OraStack> {
        let Some(c) = self.column(column) else {
            return Err(OraStack::one(
                904,
                format!("\"{}\": invalid identifier", column.trim().to_uppercase()),
            ));
        };
        let rows = self
            .rows
            .iter()
            .filter(|r| {
                r.get(c)
                    .map_or("", String::as_str)
                    .eq_ignore_ascii_case(value)
            })
            .cloned()
            .collect();
        Ok(Table {
            columns: self.columns.clone(),
            rows,
        })
    }

    /// Whether column `c` prints as a number (right-aligned, heading too):
    /// every non-NULL value is a number and there is one, or every value is
    /// NULL and the name ends in `#` (Oracle's counters and SCNs) or `TIME`
    /// (simulated times print as numbers).
    fn is_numeric(&self, c: usize) -> bool {
        let values: Vec<&str> = self
            .rows
            .iter()
            .map(|r| r.get(c).map_or("", String::as_str))
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            let name = self.columns[c].to_ascii_uppercase();
            return name.ends_with('#') || name.ends_with("TIME");
        }
        values.iter().all(|v| looks_numeric(v))
    }
}

fn looks_numeric(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    !digits.is_empty()
        && digits.chars().all(|ch| ch.is_ascii_digit() || ch == '.')
        && digits.chars().filter(|&ch| ch == '.').count() <= 1
        && digits.chars().any(|ch| ch.is_ascii_digit())
}

/// SQL*Plus layout: upper-case headings, a dashed underline as wide as each
/// column (its heading or its longest value), one space between columns,
/// numbers right-aligned and text left-aligned, no trailing blanks (TRIMOUT
/// ON), then a blank line and the row count. An empty result prints only
/// `no rows selected`, as SQL*Plus does.
impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rows.is_empty() {
            return write!(f, "no rows selected");
        }
        let headings: Vec<String> = self.columns.iter().map(|c| c.to_uppercase()).collect();
        let cell = |r: &Vec<String>, c: usize| r.get(c).map_or("", String::as_str).to_string();
        let widths: Vec<usize> = (0..headings.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| cell(r, c).chars().count())
                    .chain(std::iter::once(headings[c].chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..headings.len()).map(|c| self.is_numeric(c)).collect();
        let line = |cells: Vec<String>| -> String {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, v)| {
                    if numeric[c] {
                        format!("{v:>w$}", w = widths[c])
                    } else {
                        format!("{v:<w$}", w = widths[c])
                    }
                })
                .collect();
            parts.join(" ").trim_end().to_string()
        };
        writeln!(f, "{}", line(headings.clone()))?;
        let dashes: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        writeln!(f, "{}", dashes.join(" "))?;
        for r in &self.rows {
            writeln!(
                f,
                "{}",
                line((0..headings.len()).map(|c| cell(r, c)).collect())
            )?;
        }
        writeln!(f)?;
        match self.rows.len() {
            1 => write!(f, "1 row selected."),
            n => write!(f, "{n} rows selected."),
        }
    }
}

/// `select * from <view>`: `view` is case-insensitive, with or without the
/// `v$` prefix.
pub fn query<S: Storage>(inst: &mut Instance<S>, view: &str) -> Result<Table, OraStack> {
    match inst.state {
        DbState::Shutdown => return Err(OraStack::one(1034, "ORACLE not available")),
        DbState::Dead => return Err(OraStack::one(3135, "connection lost contact")),
        _ => {}
    }
    let lower = view.trim().to_ascii_lowercase();
    let name = lower.strip_prefix("v$").unwrap_or(&lower);
    if !VIEWS.iter().any(|v| v[2..] == *name) {
        return Err(OraStack::one(942, "table or view does not exist"));
    }
    let Some(cf) = inst.cf.clone() else {
        return Err(OraStack::one(1507, "database not mounted"));
    };
    if !matches!(inst.state, DbState::Mount | DbState::Open) {
        return Err(OraStack::one(1507, "database not mounted"));
    }
    match name {
        "database" => Ok(v_database(inst, &cf)),
        "datafile" => Ok(v_datafile(inst, &cf)),
        "datafile_header" => v_datafile_header(inst, &cf),
        "controlfile" => v_controlfile(inst),
        "log" => Ok(v_log(inst, &cf)),
        "logfile" => Ok(v_logfile(&cf)),
        "archived_log" => Ok(v_archived_log(&cf)),
        "log_history" => Ok(v_log_history(&cf)),
        "recover_file" => v_recover_file(inst, &cf),
        "backup" => v_backup(inst, &cf),
        "database_block_corruption" => Ok(v_database_block_corruption(&cf)),
        "database_incarnation" => Ok(v_database_incarnation(&cf)),
        "backup_corruption" => Ok(Table::new(&[
            "FILE#",
            "BLOCK#",
            "BLOCKS",
            "CORRUPTION_CHANGE#",
        ])),
        _ => unreachable!("every name in VIEWS has a builder"),
    }
}

// ----- printing helpers ------------------------------------------------------

fn num(n: impl Into<u64>) -> String {
    n.into().to_string()
}

fn opt(n: Option<Scn>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn yes_no(b: bool) -> String {
    if b { "YES" } else { "NO" }.to_string()
}

fn time(t: SimTime) -> String {
    t.to_string()
}

// ----- reading from the storage ------------------------------------------------

/// A datafile header as on disk, or the ERROR text Oracle shows for it. A
/// power loss while reading kills the instance (ORA-03113 to the caller).
fn read_header<S: Storage>(
    inst: &mut Instance<S>,
    rec: &DatafileRecord,
) -> Result<Result<DatafileHeader, &'static str>, OraStack> {
    let bs = inst.p.db_block_size;
    match datafile::read_header(&mut inst.io, &rec.name, rec.file_no, bs) {
        Ok(Ok(h)) => Ok(Ok(h)),
        Ok(Err(HeaderError::Missing)) => Ok(Err("FILE NOT FOUND")),
        Ok(Err(HeaderError::Corrupt(_) | HeaderError::NotAHeader)) => Ok(Err("CORRUPT HEADER")),
        Err(e) if e.kind == IoErrorKind::PowerLost => Err(died(inst)),
        Err(e) if e.kind == IoErrorKind::NotFound => Ok(Err("FILE NOT FOUND")),
        Err(_) => Ok(Err("CANNOT READ HEADER")),
    }
}

fn died<S: Storage>(inst: &mut Instance<S>) -> OraStack {
    inst.state = DbState::Dead;
    OraStack::one(3113, "end-of-file on communication channel")
}

/// Whether a file whose header reads as `h` needs media recovery: its
/// control-file record says RECOVER, its header checkpoint counter is behind
/// the record (a restored older copy, ORACLE_NOTES §1.2), or it has the
/// hot-backup or media-recovery fuzzy bit (online fuzzy alone is what crash
/// recovery handles).
pub fn needs_media_recovery(rec: &DatafileRecord, h: &DatafileHeader) -> bool {
    rec.status == FileStatus::Recover
        || h.ckpt_counter < rec.ckpt_counter
        || h.fuzzy.hot_backup
        || h.fuzzy.media_recovery
}

// ----- the views -------------------------------------------------------------

fn v_database<S: Storage>(inst: &Instance<S>, cf: &ControlFile) -> Table {
    let open: Vec<Scn> = cf
        .threads
        .iter()
        .filter(|t| t.open)
        .map(|t| t.ckpt.scn)
        .collect();
    let ckpt = match open.iter().min() {
        Some(&s) => s,
        None => cf
            .threads
            .iter()
            .filter(|t| t.enabled)
            .map(|t| t.ckpt.scn)
            .max()
            .unwrap_or(0),
    };
    let is_open = inst.state == DbState::Open;
    let mut t = Table::new(&[
        "DBID",
        "NAME",
        "RESETLOGS_CHANGE#",
        "RESETLOGS_TIME",
        "LOG_MODE",
        "CHECKPOINT_CHANGE#",
        "CONTROLFILE_TYPE",
        "CONTROLFILE_SEQUENCE#",
        "OPEN_MODE",
        "CURRENT_SCN",
    ]);
    t.rows.push(vec![
        num(cf.dbid),
        cf.db_name.clone(),
        num(cf.incarnation.resetlogs_scn),
        time(cf.incarnation.resetlogs_time),
        if cf.archivelog {
            "ARCHIVELOG"
        } else {
            "NOARCHIVELOG"
        }
        .into(),
        num(ckpt),
        if cf.is_backup { "BACKUP" } else { "CURRENT" }.into(),
        num(cf.version),
        if is_open { "READ WRITE" } else { "MOUNTED" }.into(),
        num(if is_open { inst.scn } else { 0 }),
    ]);
    t
}

fn v_datafile<S: Storage>(inst: &Instance<S>, cf: &ControlFile) -> Table {
    let mut t = Table::new(&[
        "FILE#",
        "NAME",
        "TABLESPACE_NAME",
        "STATUS",
        "ENABLED",
        "CHECKPOINT_CHANGE#",
        "LAST_CHANGE#",
        "CREATION_CHANGE#",
        "BLOCKS",
        "BLOCK_SIZE",
        "OFFLINE_CHANGE#",
        "ONLINE_CHANGE#",
    ]);
    for d in &cf.datafiles {
        let system = d.tablespace.eq_ignore_ascii_case("SYSTEM");
        let status = match (d.status, system) {
            (FileStatus::Online, true) => "SYSTEM",
            (FileStatus::Online | FileStatus::ReadOnly, _) => "ONLINE",
            (FileStatus::Offline, true) => "SYSOFF",
            (FileStatus::Offline, false) => "OFFLINE",
            (FileStatus::Recover, _) => "RECOVER",
        };
        let enabled = match d.status {
            FileStatus::Online | FileStatus::Recover => "READ WRITE",
            FileStatus::ReadOnly => "READ ONLY",
            FileStatus::Offline => "DISABLED",
        };
        let (off, on) = d.offline_range.unwrap_or((0, 0));
        t.rows.push(vec![
            num(d.file_no),
            d.name.clone(),
            d.tablespace.clone(),
            status.into(),
            enabled.into(),
            num(d.ckpt_scn),
            opt(d.stop_scn),
            num(d.creation_scn),
            num(d.blocks),
            num(inst.p.db_block_size as u64),
            num(off),
            num(on),
        ]);
    }
    t
}

fn online_status(d: &DatafileRecord) -> &'static str {
    if d.status == FileStatus::Offline {
        "OFFLINE"
    } else {
        "ONLINE"
    }
}

fn v_datafile_header<S: Storage>(
    inst: &mut Instance<S>,
    cf: &ControlFile,
) -> Result<Table, OraStack> {
    let mut t = Table::new(&[
        "FILE#",
        "STATUS",
        "ERROR",
        "RECOVER",
        "FUZZY",
        "CREATION_CHANGE#",
        "CHECKPOINT_CHANGE#",
        "CHECKPOINT_TIME",
        "CHECKPOINT_COUNT",
        "RESETLOGS_CHANGE#",
        "RESETLOGS_TIME",
        "TABLESPACE_NAME",
        "NAME",
        "ONLINE_FUZZY",
        "HOT_BACKUP_FUZZY",
        "MEDIA_RECOVERY_FUZZY",
    ]);
    for d in &cf.datafiles {
        let mut row = vec![num(d.file_no), online_status(d).into()];
        match read_header(inst, d)? {
            Ok(h) => row.extend([
                String::new(),
                yes_no(needs_media_recovery(d, &h)),
                yes_no(h.fuzzy.any()),
                num(h.creation_scn),
                num(h.ckpt_scn),
                time(h.ckpt_time),
                num(h.ckpt_counter),
                num(h.incarnation.resetlogs_scn),
                time(h.incarnation.resetlogs_time),
                h.tablespace.clone(),
                d.name.clone(),
                yes_no(h.fuzzy.online),
                yes_no(h.fuzzy.hot_backup),
                yes_no(h.fuzzy.media_recovery),
            ]),
            Err(error) => {
                row.push(error.into());
                row.extend(std::iter::repeat_n(String::new(), 9));
                row.push(d.name.clone());
                row.extend(std::iter::repeat_n(String::new(), 3));
            }
        }
        t.rows.push(row);
    }
    Ok(t)
}

fn v_controlfile<S: Storage>(inst: &mut Instance<S>) -> Result<Table, OraStack> {
    let mut t = Table::new(&["STATUS", "NAME"]);
    for path in inst.p.control_files.clone() {
        let status = match controlfile::read_copy(&mut inst.io, &path) {
            Ok(CopyState::Valid(_)) => "",
            Ok(CopyState::Missing | CopyState::Corrupt) => "INVALID",
            Err(e) if e.kind == IoErrorKind::PowerLost => return Err(died(inst)),
            Err(_) => "INVALID",
        };
        t.rows.push(vec![status.into(), path]);
    }
    Ok(t)
}

fn v_log<S: Storage>(inst: &Instance<S>, cf: &ControlFile) -> Table {
    let bytes = u64::from(inst.p.log_blocks) * inst.io.os_block_size() as u64;
    let mut t = Table::new(&[
        "GROUP#",
        "THREAD#",
        "SEQUENCE#",
        "BYTES",
        "MEMBERS",
        "ARCHIVED",
        "STATUS",
        "FIRST_CHANGE#",
        "FIRST_TIME",
        "NEXT_CHANGE#",
    ]);
    for g in &cf.log_groups {
        let status = match g.status {
            LogStatus::Unused => "UNUSED",
            LogStatus::Current => "CURRENT",
            LogStatus::Active => "ACTIVE",
            LogStatus::Inactive => "INACTIVE",
        };
        let unused = g.status == LogStatus::Unused;
        t.rows.push(vec![
            num(g.group),
            num(g.thread),
            num(g.seq),
            num(bytes),
            num(g.members.len() as u64),
            yes_no(g.archived),
            status.into(),
            num(g.first_scn),
            if unused {
                String::new()
            } else {
                time(g.first_time)
            },
            if g.status == LogStatus::Current {
                String::new()
            } else {
                opt(g.next_scn)
            },
        ]);
    }
    t
}

fn v_logfile(cf: &ControlFile) -> Table {
    let mut t = Table::new(&["GROUP#", "STATUS", "TYPE", "MEMBER"]);
    for g in &cf.log_groups {
        for m in &g.members {
            let status = match m.status {
                MemberStatus::Valid => "",
                MemberStatus::Invalid => "INVALID",
                MemberStatus::Stale => "STALE",
            };
            t.rows.push(vec![
                num(g.group),
                status.into(),
                "ONLINE".into(),
                m.path.clone(),
            ]);
        }
    }
    t
}

fn v_archived_log(cf: &ControlFile) -> Table {
    let mut t = Table::new(&[
        "RECID",
        "NAME",
        "THREAD#",
        "SEQUENCE#",
        "RESETLOGS_CHANGE#",
        "FIRST_CHANGE#",
        "NEXT_CHANGE#",
        "COMPLETION_TIME",
        "DELETED",
    ]);
    for (i, a) in cf.archived_logs.iter().enumerate() {
        t.rows.push(vec![
            num(i as u64 + 1),
            a.name.clone(),
            num(a.thread),
            num(a.seq),
            num(a.incarnation.resetlogs_scn),
            num(a.first_scn),
            num(a.next_scn),
            time(a.completion_time),
            "NO".into(),
        ]);
    }
    t
}

fn v_log_history(cf: &ControlFile) -> Table {
    let mut t = Table::new(&[
        "RECID",
        "THREAD#",
        "SEQUENCE#",
        "FIRST_CHANGE#",
        "FIRST_TIME",
        "NEXT_CHANGE#",
    ]);
    for (i, h) in cf.log_history.iter().enumerate() {
        t.rows.push(vec![
            num(i as u64 + 1),
            num(h.thread),
            num(h.seq),
            num(h.first_scn),
            time(h.first_time),
            num(h.next_scn),
        ]);
    }
    t
}

fn v_recover_file<S: Storage>(inst: &mut Instance<S>, cf: &ControlFile) -> Result<Table, OraStack> {
    let mut t = Table::new(&["FILE#", "ONLINE_STATUS", "ERROR", "CHANGE#", "TIME"]);
    for d in &cf.datafiles {
        let offline = d.status == FileStatus::Offline;
        if offline && d.stop_scn.is_some() {
            continue;
        }
        let row = match read_header(inst, d)? {
            Ok(h) if offline || needs_media_recovery(d, &h) => {
                vec![String::new(), num(h.ckpt_scn), time(h.ckpt_time)]
            }
            Ok(_) => continue,
            Err(error) => vec![error.into(), num(0u64), String::new()],
        };
        let mut full = vec![num(d.file_no), online_status(d).into()];
        full.extend(row);
        t.rows.push(full);
    }
    Ok(t)
}

fn v_backup<S: Storage>(inst: &mut Instance<S>, cf: &ControlFile) -> Result<Table, OraStack> {
    let mut t = Table::new(&["FILE#", "STATUS", "CHANGE#", "TIME"]);
    for d in &cf.datafiles {
        let row = match read_header(inst, d)? {
            Ok(h) if h.fuzzy.hot_backup => {
                vec!["ACTIVE".into(), num(h.ckpt_scn), time(h.ckpt_time)]
            }
            Ok(_) => vec!["NOT ACTIVE".into(), num(0u64), String::new()],
            Err(error) => vec![error.into(), num(0u64), String::new()],
        };
        let mut full = vec![num(d.file_no)];
        full.extend(row);
        t.rows.push(full);
    }
    Ok(t)
}

fn v_database_block_corruption(cf: &ControlFile) -> Table {
    let mut t = Table::new(&[
        "FILE#",
        "BLOCK#",
        "BLOCKS",
        "CORRUPTION_CHANGE#",
        "CORRUPTION_TYPE",
    ]);
    for c in &cf.corrupt_blocks {
        let kind = match c.kind.to_ascii_uppercase().as_str() {
            "FRACTURED" => "FRACTURED",
            "CHECKSUM" => "CHECKSUM",
            _ => "CORRUPT",
        };
        t.rows.push(vec![
            num(c.file_no),
            num(c.block),
            num(1u64),
            num(c.corruption_scn),
            kind.into(),
        ]);
    }
    t
}

fn v_database_incarnation(cf: &ControlFile) -> Table {
    let mut t = Table::new(&[
        "INCARNATION#",
        "RESETLOGS_CHANGE#",
        "RESETLOGS_TIME",
        "STATUS",
        "RESETLOGS_ID",
        "PRIOR_INCARNATION#",
    ]);
    let all = cf
        .prior_incarnations
        .iter()
        .map(|i| (i, "PARENT"))
        .chain(std::iter::once((&cf.incarnation, "CURRENT")));
    for (n, (inc, status)) in all.enumerate() {
        t.rows.push(vec![
            num(n as u64 + 1),
            num(inc.resetlogs_scn),
            time(inc.resetlogs_time),
            status.into(),
            num(inc.id()),
            num(n as u64),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::ShutdownMode;
    use crate::create::create_database;
    use crate::params::DbParams;

    use crate::storage::MemStorage as Mem;

    /// A freshly created database SIM (4 datafiles, 3 groups of 2 members,
    /// 2 control files), open.
    fn open_db() -> Instance<Mem> {
        let mut p = DbParams::sim_default(2048, 3, 2, 2, 2);
        p.log_blocks = 40;
        let mut io = Mem::default();
        create_database(&mut io, &p, 1).unwrap();
        let mut i = Instance::new(p, io);
        i.startup().unwrap();
        i
    }

    fn remount(i: &mut Instance<Mem>) {
        i.shutdown(ShutdownMode::Immediate).unwrap();
        i.nomount().unwrap();
        i.mount().unwrap();
    }

    const USERS02: &str = "/u01/oradata/SIM/users02.dbf";

    #[test]
    fn datafile_has_four_files_and_a_stop_scn_only_when_closed() {
        let mut i = open_db();
        let t = query(&mut i, "v$datafile").unwrap();
        assert_eq!(t.values("FILE#"), ["1", "2", "3", "4"]);
        assert_eq!(t.values("LAST_CHANGE#"), ["", "", "", ""]);
        assert_eq!(t.values("STATUS"), ["SYSTEM", "ONLINE", "ONLINE", "ONLINE"]);
        assert_eq!(t.get(3, "name"), Some(USERS02));
        assert_eq!(t.get(0, "BLOCK_SIZE"), Some("2048"));

        remount(&mut i);
        let t = query(&mut i, "V$DATAFILE").unwrap();
        let ckpt = t.values("CHECKPOINT_CHANGE#");
        assert_eq!(t.values("LAST_CHANGE#"), ckpt);
        assert!(ckpt.iter().all(|s| s.parse::<u64>().unwrap() > 1000));
    }

    #[test]
    fn datafile_header_is_fuzzy_while_open_and_clean_after_shutdown() {
        let mut i = open_db();
        let t = query(&mut i, "datafile_header").unwrap();
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.values("FUZZY"), ["YES"; 4]);
        assert_eq!(t.values("ONLINE_FUZZY"), ["YES"; 4]);
        assert_eq!(t.values("HOT_BACKUP_FUZZY"), ["NO"; 4]);
        assert_eq!(t.values("RECOVER"), ["NO"; 4]);
        assert_eq!(t.values("ERROR"), [""; 4]);
        assert_eq!(t.get(0, "TABLESPACE_NAME"), Some("SYSTEM"));
        assert_eq!(t.get(0, "CREATION_CHANGE#"), Some("1000"));

        remount(&mut i);
        let t = query(&mut i, "v$datafile_header").unwrap();
        assert_eq!(t.values("FUZZY"), ["NO"; 4]);
        // The headers agree with the control file's records.
        let df = query(&mut i, "v$datafile").unwrap();
        assert_eq!(
            t.values("CHECKPOINT_CHANGE#"),
            df.values("CHECKPOINT_CHANGE#")
        );
    }

    #[test]
    fn a_missing_datafile_needs_recovery() {
        let mut i = open_db();
        assert_eq!(query(&mut i, "v$recover_file").unwrap().rows.len(), 0);
        i.storage_mut().delete(USERS02).unwrap();

        let r = query(&mut i, "v$recover_file").unwrap();
        assert_eq!(
            r.rows,
            [["4", "ONLINE", "FILE NOT FOUND", "0", ""].map(String::from)]
        );
        let h = query(&mut i, "v$datafile_header").unwrap();
        let row = h.filter("file#", "4").unwrap();
        assert_eq!(row.get(0, "ERROR"), Some("FILE NOT FOUND"));
        assert_eq!(row.get(0, "RECOVER"), Some(""));
        assert_eq!(row.get(0, "NAME"), Some(USERS02));
        assert_eq!(h.filter("ERROR", "").unwrap().rows.len(), 3);
        let b = query(&mut i, "v$backup").unwrap();
        assert_eq!(b.get(3, "STATUS"), Some("FILE NOT FOUND"));
        assert_eq!(b.get(0, "STATUS"), Some("NOT ACTIVE"));
    }

    #[test]
    fn an_older_header_is_listed_by_recover_file() {
        let mut i = open_db();
        let path = "/u01/oradata/SIM/users01.dbf";
        let old = i.storage_mut().files[path].clone();
        i.checkpoint().unwrap();
        i.storage_mut().files.insert(path.into(), old);
        let r = query(&mut i, "v$recover_file").unwrap();
        assert_eq!(r.values("FILE#"), ["3"]);
        assert_eq!(r.get(0, "ERROR"), Some(""));
        let h = query(&mut i, "v$datafile_header").unwrap();
        assert_eq!(h.values("RECOVER"), ["NO", "NO", "YES", "NO"]);
    }

    #[test]
    fn log_has_one_current_group_and_archiving_records_it() {
        let mut i = open_db();
        let t = query(&mut i, "v$log").unwrap();
        assert_eq!(t.rows.len(), 3);
        let cur = t.filter("status", "current").unwrap();
        assert_eq!(cur.rows.len(), 1);
        assert_eq!(cur.get(0, "NEXT_CHANGE#"), Some(""));
        assert_eq!(cur.get(0, "MEMBERS"), Some("2"));
        assert_eq!(cur.get(0, "BYTES"), Some(&*(40 * 512).to_string()));
        assert_eq!(query(&mut i, "v$archived_log").unwrap().rows.len(), 0);

        let seq: u32 = cur.get(0, "SEQUENCE#").unwrap().parse().unwrap();
        i.switch_logfile().unwrap();
        // OPEN switched out of sequence 1 already: ARCn archives it first.
        assert_eq!(i.arch_tick().unwrap(), Some(seq - 1));
        assert_eq!(query(&mut i, "v$archived_log").unwrap().rows.len(), 1);
        assert_eq!(i.arch_tick().unwrap(), Some(seq));
        assert_eq!(i.arch_tick().unwrap(), None);
        let all = query(&mut i, "v$archived_log").unwrap();
        assert_eq!(all.values("RECID"), ["1", "2"]);
        let a = all.filter("SEQUENCE#", &seq.to_string()).unwrap();
        assert_eq!(a.rows.len(), 1);
        assert_eq!(a.get(0, "DELETED"), Some("NO"));
        let name = a.get(0, "NAME").unwrap();
        assert!(i.storage().exists(name), "{name}");
        let t = query(&mut i, "v$log").unwrap();
        assert_eq!(t.filter("status", "CURRENT").unwrap().rows.len(), 1);
        let old = t.filter("SEQUENCE#", &seq.to_string()).unwrap();
        assert_eq!(old.get(0, "ARCHIVED"), Some("YES"));
        assert_eq!(old.get(0, "NEXT_CHANGE#"), a.get(0, "NEXT_CHANGE#"));
        let hist = query(&mut i, "v$log_history").unwrap();
        assert!(
            !hist
                .filter("SEQUENCE#", &seq.to_string())
                .unwrap()
                .rows
                .is_empty()
        );
    }

    #[test]
    fn controlfile_shows_a_deleted_copy_invalid() {
        let mut i = open_db();
        let t = query(&mut i, "v$controlfile").unwrap();
        assert_eq!(t.values("STATUS"), ["", ""]);
        i.storage_mut()
            .delete("/u01/oradata/SIM/control02.ctl")
            .unwrap();
        let t = query(&mut i, "v$controlfile").unwrap();
        assert_eq!(
            t.rows,
            [
                ["", "/u01/oradata/SIM/control01.ctl"].map(String::from),
                ["INVALID", "/u01/oradata/SIM/control02.ctl"].map(String::from),
            ]
        );
    }

    #[test]
    fn database_logfile_and_incarnation() {
        let mut i = open_db();
        let d = query(&mut i, "v$database").unwrap();
        assert_eq!(d.get(0, "NAME"), Some("SIM"));
        assert_eq!(d.get(0, "DBID"), Some("1234567890"));
        assert_eq!(d.get(0, "LOG_MODE"), Some("ARCHIVELOG"));
        assert_eq!(d.get(0, "OPEN_MODE"), Some("READ WRITE"));
        assert_eq!(d.get(0, "CONTROLFILE_TYPE"), Some("CURRENT"));
        assert_eq!(d.get(0, "CURRENT_SCN"), Some(&*i.current_scn().to_string()));
        remount(&mut i);
        let d = query(&mut i, "v$database").unwrap();
        assert_eq!(d.get(0, "OPEN_MODE"), Some("MOUNTED"));
        assert_eq!(d.get(0, "CURRENT_SCN"), Some("0"));
        let df = query(&mut i, "v$datafile").unwrap();
        assert_eq!(
            d.get(0, "CHECKPOINT_CHANGE#"),
            df.get(0, "CHECKPOINT_CHANGE#")
        );

        let lf = query(&mut i, "v$logfile").unwrap();
        assert_eq!(lf.rows.len(), 6);
        assert_eq!(lf.get(1, "MEMBER"), Some("/u01/oradata/SIM/redo01b.log"));
        assert_eq!(lf.values("TYPE"), ["ONLINE"; 6]);
        let inc = query(&mut i, "v$database_incarnation").unwrap();
        assert_eq!(inc.values("STATUS"), ["CURRENT"]);
        assert_eq!(inc.get(0, "INCARNATION#"), Some("1"));
        let c = query(&mut i, "v$database_block_corruption").unwrap();
        assert_eq!(c.columns[4], "CORRUPTION_TYPE");
        assert!(c.rows.is_empty());
        let bc = query(&mut i, "v$backup_corruption").unwrap();
        assert_eq!(
            bc.columns,
            ["FILE#", "BLOCK#", "BLOCKS", "CORRUPTION_CHANGE#"]
        );
        assert!(bc.rows.is_empty());
    }

    #[test]
    fn errors_follow_the_instance_state_and_the_name() {
        let mut i = open_db();
        let e = query(&mut i, "v$nosuch").unwrap_err();
        assert_eq!(e.to_string(), "ORA-00942: table or view does not exist");
        i.shutdown(ShutdownMode::Immediate).unwrap();
        let e = query(&mut i, "v$database").unwrap_err();
        assert_eq!(e.to_string(), "ORA-01034: ORACLE not available");
        i.nomount().unwrap();
        for v in VIEWS {
            let e = query(&mut i, v).unwrap_err();
            assert_eq!(e.to_string(), "ORA-01507: database not mounted", "{v}");
        }
        assert_eq!(query(&mut i, "v$nosuch").unwrap_err().code(), 942);
        i.mount().unwrap();
        for v in VIEWS {
            query(&mut i, v).unwrap();
            query(&mut i, &v[2..].to_uppercase()).unwrap();
        }
    }

    #[test]
    fn filter_matches_ignoring_case_and_rejects_unknown_columns() {
        let mut i = open_db();
        let t = query(&mut i, "v$datafile").unwrap();
        let users = t.filter("tablespace_name", "users").unwrap();
        assert_eq!(users.values("FILE#"), ["3", "4"]);
        assert_eq!(users.columns, t.columns);
        assert!(t.filter("FILE#", "9").unwrap().rows.is_empty());
        let e = t.filter("nope", "1").unwrap_err();
        assert_eq!(e.to_string(), "ORA-00904: \"NOPE\": invalid identifier");
    }

    #[test]
    fn display_prints_like_sqlplus() {
        let mut t = Table::new(&["file#", "name", "last_change#"]);
        t.rows
            .push(vec!["1".into(), "/a/system01.dbf".into(), "".into()]);
        t.rows.push(vec!["10".into(), "/b".into(), "".into()]);
        let expected = "\
FILE# NAME            LAST_CHANGE#
----- --------------- ------------
    1 /a/system01.dbf
   10 /b

2 rows selected.";
        assert_eq!(t.to_string(), expected);

        let one = t.filter("file#", "10").unwrap();
        let expected = "\
FILE# NAME LAST_CHANGE#
----- ---- ------------
   10 /b

1 row selected.";
        assert_eq!(one.to_string(), expected);
        assert_eq!(
            t.filter("name", "x").unwrap().to_string(),
            "no rows selected"
        );

        let mut s = Table::new(&["status", "change#"]);
        s.rows.push(vec!["ACTIVE".into(), "1234567".into()]);
        s.rows.push(vec!["NOT ACTIVE".into(), "0".into()]);
        let expected = "\
STATUS     CHANGE#
---------- -------
ACTIVE     1234567
NOT ACTIVE       0

2 rows selected.";
        assert_eq!(s.to_string(), expected);
    }
}
