//! The scenario AST: what a parsed scenario is, with every statement of
//! SCENARIO.md as a typed value.
//!
//! Conventions, the same everywhere in this file:
//! - Numbers are `u64` (ORA error numbers `u32`).
//! - Names (tablespaces, tables, views, sessions, marks, channels, tags,
//!   stored scripts, the database name) follow Oracle's identifier rule:
//!   an unquoted name is folded to UPPER case, a quoted one (single or
//!   double quotes) keeps its case. `session main` is therefore the session
//!   `MAIN` ([`DEFAULT_SESSION`]), and `alter tablespace users …` names
//!   `USERS`.
//! - File names, paths, formats, tags given as strings, and time
//!   expressions are kept exactly as written between the quotes.
//! - Keywords are matched case-insensitively and leave no trace in the AST
//!   beyond the variant they select; synonyms (`host copy` and `host cp`,
//!   `logseq` and `sequence`, `type` and `device type`) parse to the same
//!   value, so the printer writes one canonical spelling.
//!
//! Every statement carries its position ([`Located`]) so the runner can
//! name the line of a failed `expect` and an unexpected error.

use serde::{Deserialize, Serialize};

pub use engine::instance::ShutdownMode;

/// The session a scenario starts in (`session main`, folded to upper case).
pub const DEFAULT_SESSION: &str = "MAIN";

/// A node with the 1-based line and column where its text starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located<T> {
    /// 1-based line of the first token.
    pub line: u32,
    /// 1-based column (in characters) of the first token.
    pub col: u32,
    /// The node itself.
    pub node: T,
}

impl<T> Located<T> {
    /// Wraps `node` at `line:col`.
    pub fn new(line: u32, col: u32, node: T) -> Located<T> {
        Located { line, col, node }
    }

    /// The same node at line 0, column 0: for comparisons that ignore layout.
    pub fn unlocated(node: T) -> Located<T> {
        Located::new(0, 0, node)
    }
}

/// A whole scenario: the preamble settings, then the statements in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Script {
    /// `set …` lines of the preamble (each kind at most once).
    pub settings: Vec<Located<Setting>>,
    /// Everything after the preamble.
    pub statements: Vec<Located<Statement>>,
}

impl Script {
    /// A copy with every location (including those inside `run { … }` and
    /// stored-script bodies) set to 0:0, so that two scripts that differ
    /// only in layout compare equal.
    pub fn without_locations(&self) -> Script {
        Script {
            settings: self
                .settings
                .iter()
                .map(|s| Located::unlocated(s.node.clone()))
                .collect(),
            statements: self
                .statements
                .iter()
                .map(|s| Located::unlocated(s.node.without_locations()))
                .collect(),
        }
    }
}

/// A preamble line: the shape of the database the run creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Setting {
    /// `set seed N`: the root of every random draw of the run.
    Seed(u64),
    /// `set archivelog on|off` (default on).
    Archivelog(bool),
    /// `set threads 1|2`: redo threads (instances).
    Threads(u64),
    /// `set log_groups N`: online log groups per thread (default 3).
    LogGroups(u64),
    /// `set log_members N`: members per group (default 2).
    LogMembers(u64),
    /// `set control_files N`: control-file copies (default 2).
    ControlFiles(u64),
    /// `set db_block_size N` in bytes (default 8192).
    DbBlockSize(u64),
    /// `set os_block_size N` in bytes (default 512).
    OsBlockSize(u64),
    /// `set users_datafiles N`: datafiles of tablespace USERS (default 2).
    UsersDatafiles(u64),
    /// `set torn_block_protection on|off` (default off; S-CR-5).
    TornBlockProtection(bool),
    /// `set garbage_on_power_loss on|off` (default off; S-DISK-2).
    GarbageOnPowerLoss(bool),
    /// `set cache_buffers N` (extension): buffers in the buffer cache.
    CacheBuffers(u64),
    /// `set log_blocks N` (extension): redo blocks per online log.
    LogBlocks(u64),
    /// `set log_buffer N` (extension): bytes of the log buffer.
    LogBuffer(u64),
    /// `set plant 'NAME'` (extension): switch on a planted bug, so a shrunk
    /// failure of a planted bug replays from its file alone.
    Plant(String),
    /// `set release 8i|9i|10g` (default 9i): which Oracle release's
    /// behaviour to follow where releases differ.
    Release(Release),
    /// `set auto_archive on|off` (extension, default on): ARCn archives
    /// every filled log before the next statement, as Oracle's does
    /// promptly; off in printed random runs, which schedule `arch` passes
    /// themselves.
    AutoArchive(bool),
}

/// An Oracle release whose behaviour a scenario asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Release {
    R8i,
    R9i,
    R10g,
}

impl Release {
    pub fn name(self) -> &'static str {
        match self {
            Release::R8i => "8i",
            Release::R9i => "9i",
            Release::R10g => "10g",
        }
    }

    /// The engine's release of the same name.
    pub fn engine(self) -> engine::params::Release {
        match self {
            Release::R8i => engine::params::Release::R8i,
            Release::R9i => engine::params::Release::R9i,
            Release::R10g => engine::params::Release::R10g,
        }
    }

    /// The scenario's name for an engine release.
    pub fn of_engine(r: engine::params::Release) -> Release {
        match r {
            engine::params::Release::R8i => Release::R8i,
            engine::params::Release::R9i => Release::R9i,
            engine::params::Release::R10g => Release::R10g,
        }
    }
}

impl Setting {
    /// The keyword after `set` (`seed`, `log_groups`, …).
    pub fn key(&self) -> &'static str {
        match self {
            Setting::Seed(_) => "seed",
            Setting::Archivelog(_) => "archivelog",
            Setting::Threads(_) => "threads",
            Setting::LogGroups(_) => "log_groups",
            Setting::LogMembers(_) => "log_members",
            Setting::ControlFiles(_) => "control_files",
            Setting::DbBlockSize(_) => "db_block_size",
            Setting::OsBlockSize(_) => "os_block_size",
            Setting::UsersDatafiles(_) => "users_datafiles",
            Setting::TornBlockProtection(_) => "torn_block_protection",
            Setting::GarbageOnPowerLoss(_) => "garbage_on_power_loss",
            Setting::CacheBuffers(_) => "cache_buffers",
            Setting::LogBlocks(_) => "log_blocks",
            Setting::LogBuffer(_) => "log_buffer",
            Setting::Plant(_) => "plant",
            Setting::Release(_) => "release",
            Setting::AutoArchive(_) => "auto_archive",
        }
    }
}

/// Every preamble key, in the order SCENARIO.md lists them, then the
/// extensions that let a random run's configuration print.
pub const SETTING_KEYS: [&str; 17] = [
    "seed",
    "archivelog",
    "threads",
    "log_groups",
    "log_members",
    "control_files",
    "db_block_size",
    "os_block_size",
    "users_datafiles",
    "torn_block_protection",
    "garbage_on_power_loss",
    "cache_buffers",
    "log_blocks",
    "log_buffer",
    "plant",
    "release",
    "auto_archive",
];

/// One statement of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statement {
    /// `startup [nomount|mount|open] [force]` (`startup force mount` too).
    Startup {
        /// How far to bring the instance (plain `startup` opens).
        mode: StartupMode,
        /// `force`: abort a running instance first.
        force: bool,
    },
    /// `shutdown [normal|transactional|immediate|abort]` (plain: normal).
    Shutdown(ShutdownMode),
    /// `alter database …`
    AlterDatabase(AlterDatabase),
    /// `create controlfile [reuse] database NAME resetlogs|noresetlogs
    /// [archivelog|noarchivelog]`.
    CreateControlfile(CreateControlfile),
    /// `alter system …`
    AlterSystem(AlterSystem),
    /// `alter tablespace X …`
    AlterTablespace {
        /// The tablespace.
        tablespace: String,
        /// What to do with it.
        action: TablespaceAction,
    },
    /// SQL*Plus `recover …` (user-managed media recovery).
    Recover(Recover),
    /// A line answering the log prompt of the last [`Statement::Recover`]:
    /// `auto`, `cancel`, a quoted file name, `suggested`, or an empty line
    /// (which means `suggested`, as pressing RETURN does in SQL*Plus).
    ///
    /// Answers appear only right after a `recover` or another answer. The
    /// runner consumes them in order as recovery prompts; a surplus
    /// `Suggested` answer (a blank line after a recovery that did not
    /// prompt) does nothing, as an empty line does in SQL*Plus.
    Answer(RecoverAnswer),
    /// A SQL*Plus `set` after the preamble (`set autorecovery on`, …).
    Set(SqlPlusSet),
    /// SQL*Plus `connect …` (the rest of the line is ignored: the simulated
    /// database has one user, and sessions are switched with `session`).
    Connect,
    /// `host …` / `! …`: an operating-system file operation.
    Host(HostCmd),
    /// A SQL statement on the table(s) of the scenario.
    Sql(SqlStmt),
    /// `session NAME`: later SQL runs in that session.
    Session(String),
    /// An RMAN command (top level; see [`RmanCmd`] for what may appear).
    Rman(RmanCmd),
    /// Directive `workload N [sessions=K]`.
    Workload {
        /// Transactions to run.
        n: u64,
        /// Sessions to spread them over (runner's default when `None`).
        sessions: Option<u64>,
    },
    /// Directive `crash [torn] [after N io]`.
    Crash {
        /// At least one database block must tear if any write is in flight.
        torn: bool,
        /// Arm the power loss at the N-th write or sync from now.
        after_io: Option<u64>,
    },
    /// Directive `resolve 'adg…' [namespace N]`: the fate of each pending
    /// OS-block write (`a` applied, `d` dropped, `g` garbage) and (an
    /// extension) of each pending length change (`k` kept, `l` lost; every
    /// change is kept when there is no such letter), lower case, in issue
    /// order; and (an extension) how many of the unsynced
    /// create/delete/rename operations survive, in order (all when omitted).
    Resolve {
        /// The fates, in the order the writes were issued.
        fates: String,
        /// Namespace operations kept.
        namespace: Option<u64>,
    },
    /// Directive `fault …`.
    Fault(FaultCmd),
    /// Directive `mark NAME`.
    Mark(String),
    /// Directive `check`: every invariant now.
    Check,
    /// Directive `expect error ORA-nnnnn` about the statement before.
    ExpectError(u32),
    /// Directive `expect success` about the statement before.
    ExpectSuccess,
    /// Directive `expect rows N` (an extension of SCENARIO.md): the
    /// `select` before returned N rows (0: `no rows selected`).
    ExpectRows(u64),
    /// Directive `expect data complete`.
    ExpectDataComplete,
    /// Directive `expect data at &NAME` / `expect data at scn N`.
    ExpectDataAt(ScnRef),
    /// Directive `echo TEXT`: the rest of the line, verbatim.
    Echo(String),
    /// Directive `dbwr N` (an extension of SCENARIO.md, so that generated
    /// runs print): DBWn writes up to N aged dirty buffers now.
    Dbwr {
        /// Buffers to write at most.
        buffers: u64,
    },
    /// Directive `arch` (an extension of SCENARIO.md, so that generated
    /// runs print): ARCn archives every full online log now.
    Arch,
}

impl Statement {
    /// True for the simulator directives (valid in any context).
    pub fn is_directive(&self) -> bool {
        matches!(
            self,
            Statement::Workload { .. }
                | Statement::Crash { .. }
                | Statement::Resolve { .. }
                | Statement::Fault(_)
                | Statement::Mark(_)
                | Statement::Check
                | Statement::ExpectError(_)
                | Statement::ExpectSuccess
                | Statement::ExpectRows(_)
                | Statement::ExpectDataComplete
                | Statement::ExpectDataAt(_)
                | Statement::Echo(_)
                | Statement::Dbwr { .. }
                | Statement::Arch
                | Statement::Session(_)
        )
    }

    /// True for what `sql "…"` may run inside RMAN: SQL statements proper.
    pub fn is_sql(&self) -> bool {
        matches!(
            self,
            Statement::AlterDatabase(_)
                | Statement::CreateControlfile(_)
                | Statement::AlterSystem(_)
                | Statement::AlterTablespace { .. }
                | Statement::Sql(_)
        )
    }

    /// True for what may stand directly inside `run { … }` or a stored
    /// script besides RMAN commands ([`RmanCmd::Native`]): SQL,
    /// `startup`/`shutdown` and the directives other than `session`.
    pub fn is_native_in_rman(&self) -> bool {
        self.is_sql()
            || matches!(self, Statement::Startup { .. } | Statement::Shutdown(_))
            || (self.is_directive() && !matches!(self, Statement::Session(_)))
    }

    /// The same statement with every nested location set to 0:0.
    pub fn without_locations(&self) -> Statement {
        match self {
            Statement::Rman(cmd) => Statement::Rman(cmd.without_locations()),
            other => other.clone(),
        }
    }
}

/// How far `startup` brings the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartupMode {
    /// Instance started, control file not read.
    Nomount,
    /// Control file read.
    Mount,
    /// Database open (the default).
    Open,
}

/// `resetlogs` or `noresetlogs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resetlogs {
    /// `resetlogs`: a new incarnation.
    Resetlogs,
    /// `noresetlogs`: the online logs are kept.
    Noresetlogs,
}

/// A datafile named by number or by file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileRef {
    /// `3`
    Number(u64),
    /// `'/u01/oradata/SIM/users01.dbf'`
    Name(String),
}

/// An SCN: a number or the SCN of a mark (`&NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScnRef {
    /// A literal SCN.
    Scn(u64),
    /// `&NAME`: every commit made before the mark.
    Mark(String),
}

/// A log sequence: a number or the sequence current at a mark (`&NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeqRef {
    /// A literal log sequence number.
    Seq(u64),
    /// `&NAME`: the sequence current in the statement's thread at the mark.
    Mark(String),
}

/// `alter database …`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlterDatabase {
    /// `alter database mount`
    Mount,
    /// `alter database open [resetlogs|noresetlogs]`
    Open(Option<Resetlogs>),
    /// `alter database archivelog`
    Archivelog,
    /// `alter database noarchivelog`
    Noarchivelog,
    /// `alter database begin backup`
    BeginBackup,
    /// `alter database end backup`
    EndBackup,
    /// `alter database drop logfile member 'name'` (an extension of
    /// SCENARIO.md: the DBA's re-creation of a lost member prints with it).
    DropLogfileMember(String),
    /// `alter database add logfile member 'name' to group G` (extension).
    AddLogfileMember {
        /// The member's file name.
        name: String,
        /// The group.
        group: u64,
    },
    /// `alter database clear [unarchived] logfile group G`: re-creates every
    /// member of a group whose members are lost or damaged.
    ClearLogfile {
        /// The group.
        group: u64,
        /// `unarchived`: clear a log ARCn has not archived yet.
        unarchived: bool,
    },
    /// `alter database datafile N|'name' offline|online|end backup`
    Datafile {
        /// The file.
        file: FileRef,
        /// What to do with it.
        action: DatafileAction,
    },
    /// `alter database create datafile N|'name' [as 'name']`
    CreateDatafile {
        /// The lost file.
        file: FileRef,
        /// Where to create the empty replacement.
        as_name: Option<String>,
    },
    /// `alter database backup controlfile to 'name' [reuse]`
    BackupControlfile {
        /// The copy to write.
        to: String,
        /// Overwrite an existing file.
        reuse: bool,
    },
    /// `alter database backup controlfile to trace [resetlogs|noresetlogs]
    /// [as 'name']`
    BackupControlfileToTrace {
        /// Which `create controlfile` the trace script holds (both if None).
        mode: Option<Resetlogs>,
        /// Where to write the trace.
        as_name: Option<String>,
    },
}

/// `alter database datafile … ACTION`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatafileAction {
    /// `offline`
    Offline,
    /// `offline drop` | `offline for drop`
    OfflineDrop,
    /// `online`
    Online,
    /// `end backup`
    EndBackup,
}

/// `create controlfile [reuse] database NAME resetlogs|noresetlogs
/// [archivelog|noarchivelog]`; the structure comes from the datafile
/// headers and online logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateControlfile {
    /// `reuse`: overwrite the existing control files.
    pub reuse: bool,
    /// The database name (`SIM`).
    pub database: String,
    /// `resetlogs` or `noresetlogs`.
    pub mode: Resetlogs,
    /// `Some(true)` archivelog, `Some(false)` noarchivelog.
    pub archivelog: Option<bool>,
}

/// `alter system …`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlterSystem {
    /// `alter system switch logfile`
    SwitchLogfile,
    /// `alter system archive log current`
    ArchiveLogCurrent,
    /// `alter system checkpoint`
    Checkpoint,
}

/// `alter tablespace X ACTION`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TablespaceAction {
    /// `begin backup`
    BeginBackup,
    /// `end backup`
    EndBackup,
    /// `offline [normal|immediate]` (plain `offline` is normal).
    Offline(OfflineMode),
    /// `online`
    Online,
    /// `read only`
    ReadOnly,
    /// `read write`
    ReadWrite,
}

/// How `alter tablespace … offline` takes the files offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfflineMode {
    /// Checkpoint the files first.
    Normal,
    /// No checkpoint: the files need recovery to come back.
    Immediate,
}

/// SQL*Plus `recover [automatic] TARGET [until …] [using backup controlfile]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recover {
    /// `automatic`: apply suggested logs without prompting.
    pub automatic: bool,
    /// What to recover.
    pub target: RecoverTarget,
    /// Incomplete recovery bound.
    pub until: Option<RecoverUntil>,
    /// `using backup controlfile`.
    pub using_backup_controlfile: bool,
}

/// The object of a `recover` (SQL*Plus or RMAN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoverTarget {
    /// `database`
    Database,
    /// `tablespace X`
    Tablespace(String),
    /// `datafile N|'name'`
    Datafile(FileRef),
}

/// `until …` of a SQL*Plus `recover`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoverUntil {
    /// `until cancel`
    Cancel,
    /// `until change N|&NAME`
    Change(ScnRef),
    /// `until time 'YYYY-MM-DD HH24:MI:SS'` (as written; a `:` between date
    /// and time, SQL*Plus's own format, is accepted too).
    Time(String),
}

/// An answer to a recovery log prompt (ORA-00279/00289/00280).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoverAnswer {
    /// An empty line or `suggested`: apply the suggested archived log.
    Suggested,
    /// `auto`: apply every suggested log from now on.
    Auto,
    /// `cancel`: stop recovery here.
    Cancel,
    /// `'file'`: apply this log file.
    File(String),
}

/// A SQL*Plus `set` that is not a preamble setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SqlPlusSet {
    /// `set autorecovery on|off`: answer every log prompt with the suggestion.
    Autorecovery(bool),
    /// A display option with no effect on the run (`set echo on`,
    /// `set linesize 200`, …), kept so runbooks paste as they are.
    Display {
        /// The option, lower case (one of [`DISPLAY_SETTINGS`]).
        name: String,
        /// The rest of the line, verbatim.
        value: String,
    },
}

/// The SQL*Plus display options accepted (and ignored) by `set`.
pub const DISPLAY_SETTINGS: [&str; 18] = [
    "echo",
    "feedback",
    "heading",
    "lines",
    "linesize",
    "long",
    "numwidth",
    "pages",
    "pagesize",
    "serveroutput",
    "sqlprompt",
    "termout",
    "time",
    "timing",
    "trimout",
    "trimspool",
    "verify",
    "wrap",
];

/// `host …` / `! …` file operations on the simulated disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostCmd {
    /// `host cp SRC DST` / `host copy SRC DST`
    Cp {
        /// Source path.
        src: String,
        /// Destination path.
        dst: String,
    },
    /// `host mv SRC DST`
    Mv {
        /// Source path.
        src: String,
        /// Destination path.
        dst: String,
    },
    /// `host rm PATH`
    Rm(String),
}

/// A SQL statement on user tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SqlStmt {
    /// `create table T (COLUMNS) [tablespace X]`
    CreateTable {
        /// Table name.
        table: String,
        /// Column definitions, in order.
        columns: Vec<ColumnDef>,
        /// Tablespace (the default tablespace USERS when `None`).
        tablespace: Option<String>,
    },
    /// `insert into T [(k, v)] values (K, 'V')`
    Insert {
        /// Table name.
        table: String,
        /// Key.
        k: u64,
        /// Value.
        v: String,
    },
    /// `update T set v = 'V' where k = K`
    Update {
        /// Table name.
        table: String,
        /// New value.
        v: String,
        /// Key.
        k: u64,
    },
    /// `delete from T where k = K`
    Delete {
        /// Table name.
        table: String,
        /// Key.
        k: u64,
    },
    /// `commit`
    Commit,
    /// `rollback`
    Rollback,
    /// `select count(*) from T`
    SelectCount {
        /// Table name.
        table: String,
    },
    /// `select * from T`: every row, in key order.
    SelectAll {
        /// Table name.
        table: String,
    },
    /// `select * from T where k = K`
    SelectWhere {
        /// Table name.
        table: String,
        /// Key.
        k: u64,
    },
    /// `select * from V$… [where COLUMN = VALUE]`
    SelectView {
        /// The view, upper case (one of [`VIEWS`]).
        view: String,
        /// `(COLUMN, VALUE)`: column upper case, value as text (a number in
        /// decimal, a string as written).
        filter: Option<(String, String)>,
    },
}

/// The V$ views a scenario may select from.
pub const VIEWS: [&str; 13] = [
    "V$DATAFILE",
    "V$DATAFILE_HEADER",
    "V$CONTROLFILE",
    "V$LOG",
    "V$LOGFILE",
    "V$ARCHIVED_LOG",
    "V$BACKUP",
    "V$RECOVER_FILE",
    "V$LOG_HISTORY",
    "V$DATABASE",
    "V$DATABASE_INCARNATION",
    "V$BACKUP_CORRUPTION",
    "V$DATABASE_BLOCK_CORRUPTION",
];

/// A column of `create table`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// Column name.
    pub name: String,
    /// Column type.
    pub ty: ColumnType,
    /// `primary key`.
    pub primary_key: bool,
}

/// The column types the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnType {
    /// `number`
    Number,
    /// `varchar2(N)`
    Varchar2(u64),
}

/// Directive `fault …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultCmd {
    /// `fault lose datafile N|'name'`
    LoseDatafile(FileRef),
    /// `fault lose log group G|current [member M]`
    LoseLogGroup {
        /// Which group.
        group: GroupRef,
        /// One member only (1-based), else every member.
        member: Option<u64>,
    },
    /// `fault lose online logs`: every member of every group.
    LoseOnlineLogs,
    /// `fault lose archivelog thread T sequence S`
    LoseArchivelog {
        /// Redo thread.
        thread: u64,
        /// Log sequence.
        sequence: u64,
    },
    /// `fault lose controlfile [copy K]` (every copy when `None`).
    LoseControlfile {
        /// Which copy (1-based).
        copy: Option<u64>,
    },
    /// `fault lose backup piece 'handle'|all` (`None` = all).
    LoseBackupPiece(Option<String>),
    /// `fault corrupt datafile N block B`
    CorruptDatafileBlock {
        /// The file.
        file: FileRef,
        /// The block number.
        block: u64,
    },
    /// `fault lose device 'path-prefix'`
    LoseDevice(String),
    /// `fault lose file 'path'` (an extension of SCENARIO.md, so that the
    /// simulator's own file losses print): one file of any kind.
    LoseFile(String),
}

/// A log group by number or the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupRef {
    /// `group G`
    Number(u64),
    /// `group current`
    Current,
}

/// An RMAN command.
///
/// At top level a scenario holds any variant but [`RmanCmd::Native`];
/// inside [`RmanCmd::Run`] and [`RmanCmd::CreateScript`] bodies it holds any
/// variant but `Run` and `CreateScript`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RmanCmd {
    /// `run { … }`
    Run(Vec<Located<RmanCmd>>),
    /// `create script NAME { … }` / `replace script NAME { … }`
    CreateScript {
        /// Script name.
        name: String,
        /// `replace` rather than `create`.
        replace: bool,
        /// The commands stored.
        body: Vec<Located<RmanCmd>>,
    },
    /// `execute script NAME`
    ExecuteScript(String),
    /// `allocate channel [C] [for delete|for maintenance] type disk|sbt_tape
    /// [format '…']`
    AllocateChannel(AllocateChannel),
    /// `release channel C`
    ReleaseChannel(String),
    /// `setlimit channel C [kbytes N] [maxopenfiles N] [readrate N]`
    SetlimitChannel {
        /// The channel.
        channel: String,
        /// The limits given (at least one).
        limits: ChannelLimits,
    },
    /// `backup …`
    Backup(Backup),
    /// `copy datafile N|'name' to 'name'`
    CopyDatafile {
        /// The file.
        file: FileRef,
        /// The image copy to write.
        to: String,
    },
    /// `restore …`
    Restore(RestoreTarget),
    /// `replicate controlfile from 'name'`
    ReplicateControlfile(String),
    /// RMAN `recover database|tablespace X|datafile N`
    Recover(RecoverTarget),
    /// `blockrecover datafile N block B[, B…]`
    Blockrecover {
        /// The file.
        file: FileRef,
        /// The blocks (at least one).
        blocks: Vec<u64>,
    },
    /// `set until …`
    SetUntil(Until),
    /// `set maxcorrupt for datafile N to K`
    SetMaxcorrupt {
        /// The file.
        file: FileRef,
        /// Corrupt blocks tolerated.
        max: u64,
    },
    /// `sql "…"` / `sql '…'`: the SQL statement inside, parsed.
    Sql(Box<Statement>),
    /// A statement given directly inside a block: SQL (`alter database open
    /// resetlogs;`), `startup`/`shutdown`, or a directive
    /// (see [`Statement::is_native_in_rman`]).
    Native(Box<Statement>),
    /// `list backup|backupset|copy [of …]`
    List {
        /// What to list.
        kind: ListKind,
        /// Restricted to these files.
        of: Option<ListOf>,
    },
    /// `report schema|need backup|unrecoverable [database]`
    Report(ReportKind),
    /// `crosscheck backup`
    CrosscheckBackup,
    /// `change backupset N delete`
    ChangeBackupsetDelete(u64),
    /// `delete [noprompt] obsolete`
    DeleteObsolete,
    /// `catalog datafilecopy 'name'`
    CatalogDatafilecopy(String),
    /// `resync catalog`
    ResyncCatalog,
    /// `register database`
    RegisterDatabase,
    /// `reset database`
    ResetDatabase,
    /// `connect target|catalog [connect-string]` (the string is ignored).
    Connect(ConnectKind),
}

impl RmanCmd {
    /// The same command with every nested location set to 0:0.
    pub fn without_locations(&self) -> RmanCmd {
        let strip = |body: &[Located<RmanCmd>]| -> Vec<Located<RmanCmd>> {
            body.iter()
                .map(|c| Located::unlocated(c.node.without_locations()))
                .collect()
        };
        match self {
            RmanCmd::Run(body) => RmanCmd::Run(strip(body)),
            RmanCmd::CreateScript {
                name,
                replace,
                body,
            } => RmanCmd::CreateScript {
                name: name.clone(),
                replace: *replace,
                body: strip(body),
            },
            other => other.clone(),
        }
    }

    /// True for commands that may open a line in SQL*Plus context too
    /// (`run { … }`, `create script`, `replace script`, `execute script`).
    pub fn valid_in_any_context(&self) -> bool {
        matches!(
            self,
            RmanCmd::Run(_) | RmanCmd::CreateScript { .. } | RmanCmd::ExecuteScript(_)
        )
    }
}

/// `allocate channel …`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocateChannel {
    /// Channel name (`allocate channel for maintenance …` has none; a
    /// channel without a name always has a purpose).
    pub name: Option<String>,
    /// `for delete` / `for maintenance`.
    pub purpose: Option<ChannelPurpose>,
    /// `type disk|sbt_tape` (also `device type …`).
    pub device: DeviceType,
    /// `format '…'` for the pieces it writes.
    pub format: Option<String>,
}

/// What a channel is allocated for, when not for backup and restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelPurpose {
    /// `for delete`
    Delete,
    /// `for maintenance`
    Maintenance,
}

/// An RMAN device type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceType {
    /// `disk`
    Disk,
    /// `sbt_tape` (also `sbt`)
    SbtTape,
}

/// `setlimit channel` limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChannelLimits {
    /// `kbytes N`: largest piece.
    pub kbytes: Option<u64>,
    /// `maxopenfiles N`.
    pub maxopenfiles: Option<u64>,
    /// `readrate N`: buffers per second.
    pub readrate: Option<u64>,
}

/// `backup …`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backup {
    /// `full` / `incremental level N [cumulative]` (neither when `None`).
    pub level: Option<BackupLevel>,
    /// `tag T`.
    pub tag: Option<String>,
    /// `format 'f'`.
    pub format: Option<String>,
    /// `filesperset N`.
    pub filesperset: Option<u64>,
    /// `skip readonly`.
    pub skip_readonly: bool,
    /// What to back up.
    pub object: BackupObject,
    /// `delete input` (also `delete all input`).
    pub delete_input: bool,
}

/// `full` or `incremental level N [cumulative]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupLevel {
    /// `full`
    Full,
    /// `incremental level N [cumulative]`
    Incremental {
        /// Level (0 is the base of an incremental strategy).
        level: u64,
        /// `cumulative`: since the last lower level rather than any level.
        cumulative: bool,
    },
}

/// What `backup` backs up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupObject {
    /// `database`
    Database,
    /// `tablespace X`
    Tablespace(String),
    /// `datafile N|'name'`
    Datafile(FileRef),
    /// `current controlfile`
    CurrentControlfile,
    /// `archivelog all`
    ArchivelogAll,
    /// `archivelog from logseq=A until logseq=B thread=T`
    ArchivelogRange {
        /// First sequence.
        from: SeqRef,
        /// Last sequence.
        until: SeqRef,
        /// Redo thread (1 when not given).
        thread: u64,
    },
    /// `archivelog from time 'expr'`
    ArchivelogFromTime(String),
}

/// What `restore` restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestoreTarget {
    /// `database`
    Database,
    /// `tablespace X`
    Tablespace(String),
    /// `datafile N|'name'`
    Datafile(FileRef),
    /// `controlfile [to 'name']`
    Controlfile {
        /// Restore to this file instead of the control-file copies.
        to: Option<String>,
    },
    /// `archivelog all`
    ArchivelogAll,
}

/// `set until …` in RMAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Until {
    /// `set until logseq=N thread=T` (thread 1 when not given).
    Logseq {
        /// Sequence (recovery stops before it).
        seq: SeqRef,
        /// Redo thread.
        thread: u64,
    },
    /// `set until scn N|&NAME`
    Scn(ScnRef),
    /// `set until time 'T'` (as written).
    Time(String),
}

/// `list …`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListKind {
    /// `list backup`
    Backup,
    /// `list backupset`
    Backupset,
    /// `list copy`
    Copy,
}

/// `list … of …`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListOf {
    /// `of database`
    Database,
    /// `of tablespace X`
    Tablespace(String),
    /// `of datafile N|'name'`
    Datafile(FileRef),
    /// `of archivelog all`
    ArchivelogAll,
}

/// `report …`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportKind {
    /// `report schema`
    Schema,
    /// `report need backup`
    NeedBackup,
    /// `report unrecoverable [database]`
    UnrecoverableDatabase,
}

/// `connect target` / `connect catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectKind {
    /// `connect target`
    Target,
    /// `connect catalog`
    Catalog,
}
