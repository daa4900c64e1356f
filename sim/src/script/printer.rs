//! The scenario printer: [`Script`] to canonical scenario text.
//!
//! Canonical means: lower-case keywords, one statement per line, SQL and
//! RMAN commands with their `;`, SQL*Plus commands and directives without,
//! `run { … }` and stored scripts with one indented command per line, and
//! the synonyms the parser accepts written one way (`host cp`, `logseq=`,
//! `type sbt_tape`). Names print unquoted in lower case when that reads
//! back as the same upper-case name, and double-quoted otherwise; file
//! names and other strings print single-quoted with `'` doubled.
//!
//! Context: the text starts in SQL*Plus context. An RMAN command that needs
//! RMAN context gets a `RMAN> ` prompt when the context is SQL*Plus, and a
//! SQL*Plus command or SQL statement gets a `SQL> ` prompt when the
//! context is RMAN; directives and `run`/stored-script commands print as
//! they are in either. The printer never writes blank lines (a blank line
//! after `recover` is an answer), so a `Suggested` answer prints as
//! `suggested`.
//!
//! The contract, checked by the property tests: for every well-formed
//! script `s` (answers only after `recover`, [`RmanCmd::Native`] only inside
//! blocks), `parse(print(s))` equals `s` up to locations.

use std::fmt::Write as _;

use super::ast::*;

/// The canonical text of a whole scenario.
pub fn print(script: &Script) -> String {
    let mut out = String::new();
    for s in &script.settings {
        let _ = writeln!(out, "{}", print_setting(&s.node));
    }
    let mut rman = false;
    for s in &script.statements {
        let stmt = &s.node;
        let needs_rman = matches!(stmt, Statement::Rman(c) if !c.valid_in_any_context());
        let needs_sql = !stmt.is_directive() && !matches!(stmt, Statement::Rman(_));
        if needs_rman && !rman {
            out.push_str("RMAN> ");
            rman = true;
        } else if needs_sql && rman {
            out.push_str("SQL> ");
            rman = false;
        }
        out.push_str(&print_statement(stmt));
        out.push('\n');
    }
    out
}

/// A preamble line.
pub fn print_setting(setting: &Setting) -> String {
    if let Setting::Plant(name) = setting {
        return format!("set plant {}", quote(name));
    }
    if let Setting::Release(r) = setting {
        return format!("set release {}", r.name());
    }
    let value = match *setting {
        Setting::Seed(n)
        | Setting::Threads(n)
        | Setting::LogGroups(n)
        | Setting::LogMembers(n)
        | Setting::ControlFiles(n)
        | Setting::DbBlockSize(n)
        | Setting::OsBlockSize(n)
        | Setting::UsersDatafiles(n)
        | Setting::CacheBuffers(n)
        | Setting::LogBlocks(n)
        | Setting::LogBuffer(n) => n.to_string(),
        Setting::Archivelog(b)
        | Setting::TornBlockProtection(b)
        | Setting::GarbageOnPowerLoss(b)
        | Setting::AutoArchive(b) => on_off(b).to_string(),
        Setting::Plant(_) | Setting::Release(_) => unreachable!("printed above"),
    };
    format!("set {} {value}", setting.key())
}

/// The canonical text of one statement, without a prompt. SQL statements
/// and RMAN commands end with `;`; `run { … }` spans several lines.
pub fn print_statement(stmt: &Statement) -> String {
    match stmt {
        Statement::Startup { mode, force } => {
            let mode = match mode {
                StartupMode::Nomount => " nomount",
                StartupMode::Mount => " mount",
                StartupMode::Open => "",
            };
            format!("startup{mode}{}", if *force { " force" } else { "" })
        }
        Statement::Shutdown(mode) => format!("shutdown {}", shutdown_mode(*mode)),
        Statement::AlterDatabase(a) => format!("alter database {};", alter_database(a)),
        Statement::CreateControlfile(c) => create_controlfile(c),
        Statement::AlterSystem(a) => format!("alter system {};", alter_system(*a)),
        Statement::AlterTablespace { tablespace, action } => {
            format!(
                "alter tablespace {} {};",
                ident(tablespace),
                tablespace_action(*action)
            )
        }
        Statement::Recover(r) => recover(r),
        Statement::Answer(a) => answer(a),
        Statement::Set(s) => sqlplus_set(s),
        Statement::Connect => "connect".to_string(),
        Statement::Host(h) => host(h),
        Statement::Sql(s) => sql(s),
        Statement::Session(name) => format!("session {}", session_name(name)),
        Statement::Rman(cmd) => rman(cmd),
        other => directive(other),
    }
}

/// The simulator directives.
fn directive(stmt: &Statement) -> String {
    match stmt {
        Statement::Workload { n, sessions } => match sessions {
            Some(k) => format!("workload {n} sessions={k}"),
            None => format!("workload {n}"),
        },
        Statement::Crash { torn, after_io } => {
            let mut s = "crash".to_string();
            if *torn {
                s.push_str(" torn");
            }
            if let Some(n) = after_io {
                let _ = write!(s, " after {n} io");
            }
            s
        }
        Statement::Resolve {
            fates,
            namespace: None,
        } => format!("resolve {}", quote(fates)),
        Statement::Resolve {
            fates,
            namespace: Some(n),
        } => format!("resolve {} namespace {n}", quote(fates)),
        Statement::Fault(f) => format!("fault {}", fault(f)),
        Statement::Mark(name) => format!("mark {}", ident(name)),
        Statement::Check => "check".to_string(),
        Statement::ExpectError(n) => format!("expect error ORA-{n:05}"),
        Statement::ExpectSuccess => "expect success".to_string(),
        Statement::ExpectRows(n) => format!("expect rows {n}"),
        Statement::ExpectDataComplete => "expect data complete".to_string(),
        Statement::ExpectDataAt(ScnRef::Scn(n)) => format!("expect data at scn {n}"),
        Statement::ExpectDataAt(ScnRef::Mark(m)) => format!("expect data at &{}", ident(m)),
        Statement::Echo(text) => verbatim("echo", text),
        Statement::Dbwr { buffers } => format!("dbwr {buffers}"),
        Statement::Arch => "arch".to_string(),
        other => unreachable!("not a directive: {other:?}"),
    }
}

/// `KEYWORD TEXT`, with a `;` added when TEXT itself ends with one (the
/// parser drops one trailing `;`).
fn verbatim(keyword: &str, text: &str) -> String {
    match (text.is_empty(), text.ends_with(';')) {
        (true, _) => keyword.to_string(),
        (false, true) => format!("{keyword} {text};"),
        (false, false) => format!("{keyword} {text}"),
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn shutdown_mode(mode: ShutdownMode) -> &'static str {
    match mode {
        ShutdownMode::Normal => "normal",
        ShutdownMode::Transactional => "transactional",
        ShutdownMode::Immediate => "immediate",
        ShutdownMode::Abort => "abort",
    }
}

fn resetlogs(r: Resetlogs) -> &'static str {
    match r {
        Resetlogs::Resetlogs => "resetlogs",
        Resetlogs::Noresetlogs => "noresetlogs",
    }
}

/// A string in single quotes, `'` doubled.
pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A name: lower case and bare when it reads back as itself, else quoted.
pub(crate) fn ident(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '_' | '$' | '#'));
    if plain {
        name.to_ascii_lowercase()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A session name: a plain number prints bare (`session 2`).
fn session_name(name: &str) -> String {
    match name.parse::<u64>() {
        Ok(n) if n.to_string() == name => name.to_string(),
        _ => ident(name),
    }
}

fn file_ref(f: &FileRef) -> String {
    match f {
        FileRef::Number(n) => n.to_string(),
        FileRef::Name(s) => quote(s),
    }
}

fn scn_ref(s: &ScnRef) -> String {
    match s {
        ScnRef::Scn(n) => n.to_string(),
        ScnRef::Mark(m) => format!("&{}", ident(m)),
    }
}

fn seq_ref(s: &SeqRef) -> String {
    match s {
        SeqRef::Seq(n) => n.to_string(),
        SeqRef::Mark(m) => format!("&{}", ident(m)),
    }
}

fn alter_database(a: &AlterDatabase) -> String {
    match a {
        AlterDatabase::Mount => "mount".to_string(),
        AlterDatabase::Open(None) => "open".to_string(),
        AlterDatabase::Open(Some(r)) => format!("open {}", resetlogs(*r)),
        AlterDatabase::Archivelog => "archivelog".to_string(),
        AlterDatabase::Noarchivelog => "noarchivelog".to_string(),
        AlterDatabase::BeginBackup => "begin backup".to_string(),
        AlterDatabase::EndBackup => "end backup".to_string(),
        AlterDatabase::Datafile { file, action } => {
            let action = match action {
                DatafileAction::Offline => "offline",
                DatafileAction::OfflineDrop => "offline drop",
                DatafileAction::Online => "online",
                DatafileAction::EndBackup => "end backup",
            };
            format!("datafile {} {action}", file_ref(file))
        }
        AlterDatabase::DropLogfileMember(name) => format!("drop logfile member {}", quote(name)),
        AlterDatabase::AddLogfileMember { name, group } => {
            format!("add logfile member {} to group {group}", quote(name))
        }
        AlterDatabase::ClearLogfile { group, unarchived } => format!(
            "clear {}logfile group {group}",
            if *unarchived { "unarchived " } else { "" }
        ),
        AlterDatabase::CreateDatafile { file, as_name } => {
            let mut s = format!("create datafile {}", file_ref(file));
            if let Some(name) = as_name {
                let _ = write!(s, " as {}", quote(name));
            }
            s
        }
        AlterDatabase::BackupControlfile { to, reuse } => {
            let reuse = if *reuse { " reuse" } else { "" };
            format!("backup controlfile to {}{reuse}", quote(to))
        }
        AlterDatabase::BackupControlfileToTrace { mode, as_name } => {
            let mut s = "backup controlfile to trace".to_string();
            if let Some(r) = mode {
                let _ = write!(s, " {}", resetlogs(*r));
            }
            if let Some(name) = as_name {
                let _ = write!(s, " as {}", quote(name));
            }
            s
        }
    }
}

fn create_controlfile(c: &CreateControlfile) -> String {
    let mut s = "create controlfile".to_string();
    if c.reuse {
        s.push_str(" reuse");
    }
    let _ = write!(s, " database {} {}", ident(&c.database), resetlogs(c.mode));
    match c.archivelog {
        Some(true) => s.push_str(" archivelog"),
        Some(false) => s.push_str(" noarchivelog"),
        None => {}
    }
    s.push(';');
    s
}

fn alter_system(a: AlterSystem) -> &'static str {
    match a {
        AlterSystem::SwitchLogfile => "switch logfile",
        AlterSystem::ArchiveLogCurrent => "archive log current",
        AlterSystem::Checkpoint => "checkpoint",
    }
}

fn tablespace_action(a: TablespaceAction) -> &'static str {
    match a {
        TablespaceAction::BeginBackup => "begin backup",
        TablespaceAction::EndBackup => "end backup",
        TablespaceAction::Offline(OfflineMode::Normal) => "offline normal",
        TablespaceAction::Offline(OfflineMode::Immediate) => "offline immediate",
        TablespaceAction::Online => "online",
        TablespaceAction::ReadOnly => "read only",
        TablespaceAction::ReadWrite => "read write",
    }
}

fn recover_target(t: &RecoverTarget) -> String {
    match t {
        RecoverTarget::Database => "database".to_string(),
        RecoverTarget::Tablespace(name) => format!("tablespace {}", ident(name)),
        RecoverTarget::Datafile(f) => format!("datafile {}", file_ref(f)),
    }
}

fn recover(r: &Recover) -> String {
    let mut s = "recover ".to_string();
    if r.automatic {
        s.push_str("automatic ");
    }
    s.push_str(&recover_target(&r.target));
    match &r.until {
        Some(RecoverUntil::Cancel) => s.push_str(" until cancel"),
        Some(RecoverUntil::Change(scn)) => {
            let _ = write!(s, " until change {}", scn_ref(scn));
        }
        Some(RecoverUntil::Time(t)) => {
            let _ = write!(s, " until time {}", quote(t));
        }
        None => {}
    }
    if r.using_backup_controlfile {
        s.push_str(" using backup controlfile");
    }
    s
}

fn answer(a: &RecoverAnswer) -> String {
    match a {
        RecoverAnswer::Suggested => "suggested".to_string(),
        RecoverAnswer::Auto => "auto".to_string(),
        RecoverAnswer::Cancel => "cancel".to_string(),
        RecoverAnswer::File(f) => quote(f),
    }
}

fn sqlplus_set(s: &SqlPlusSet) -> String {
    match s {
        SqlPlusSet::Autorecovery(b) => format!("set autorecovery {}", on_off(*b)),
        SqlPlusSet::Display { name, value } => verbatim(&format!("set {name}"), value),
    }
}

/// A `host` argument: bare when the shell-word splitter reads it back as
/// is, else single-quoted.
fn shell_arg(path: &str) -> String {
    let safe = !path.is_empty()
        && !path.starts_with('-')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./%+@:,=~-".contains(c));
    if safe { path.to_string() } else { quote(path) }
}

fn host(h: &HostCmd) -> String {
    match h {
        HostCmd::Cp { src, dst } => format!("host cp {} {}", shell_arg(src), shell_arg(dst)),
        HostCmd::Mv { src, dst } => format!("host mv {} {}", shell_arg(src), shell_arg(dst)),
        HostCmd::Rm(path) => format!("host rm {}", shell_arg(path)),
    }
}

/// A value in a `where` of a view: a canonical number bare, else quoted.
fn view_value(v: &str) -> String {
    match v.parse::<u64>() {
        Ok(n) if n.to_string() == v => v.to_string(),
        _ => quote(v),
    }
}

fn sql(s: &SqlStmt) -> String {
    match s {
        SqlStmt::CreateTable {
            table,
            columns,
            tablespace,
        } => {
            let cols: Vec<String> = columns.iter().map(column_def).collect();
            let mut s = format!("create table {} ({})", ident(table), cols.join(", "));
            if let Some(ts) = tablespace {
                let _ = write!(s, " tablespace {}", ident(ts));
            }
            s.push(';');
            s
        }
        SqlStmt::Insert { table, k, v } => {
            format!("insert into {} values ({k}, {});", ident(table), quote(v))
        }
        SqlStmt::Update { table, v, k } => {
            format!(
                "update {} set v = {} where k = {k};",
                ident(table),
                quote(v)
            )
        }
        SqlStmt::Delete { table, k } => format!("delete from {} where k = {k};", ident(table)),
        SqlStmt::Commit => "commit;".to_string(),
        SqlStmt::Rollback => "rollback;".to_string(),
        SqlStmt::SelectCount { table } => format!("select count(*) from {};", ident(table)),
        SqlStmt::SelectAll { table } => format!("select * from {};", ident(table)),
        SqlStmt::SelectWhere { table, k } => {
            format!("select * from {} where k = {k};", ident(table))
        }
        SqlStmt::SelectView { view, filter } => match filter {
            None => format!("select * from {};", ident(view)),
            Some((col, value)) => format!(
                "select * from {} where {} = {};",
                ident(view),
                ident(col),
                view_value(value)
            ),
        },
    }
}

fn column_def(c: &ColumnDef) -> String {
    let ty = match c.ty {
        ColumnType::Number => "number".to_string(),
        ColumnType::Varchar2(n) => format!("varchar2({n})"),
    };
    let pk = if c.primary_key { " primary key" } else { "" };
    format!("{} {ty}{pk}", ident(&c.name))
}

fn fault(f: &FaultCmd) -> String {
    match f {
        FaultCmd::LoseDatafile(file) => format!("lose datafile {}", file_ref(file)),
        FaultCmd::LoseLogGroup { group, member } => {
            let mut s = match group {
                GroupRef::Number(g) => format!("lose log group {g}"),
                GroupRef::Current => "lose log group current".to_string(),
            };
            if let Some(m) = member {
                let _ = write!(s, " member {m}");
            }
            s
        }
        FaultCmd::LoseOnlineLogs => "lose online logs".to_string(),
        FaultCmd::LoseArchivelog { thread, sequence } => {
            format!("lose archivelog thread {thread} sequence {sequence}")
        }
        FaultCmd::LoseControlfile { copy: None } => "lose controlfile".to_string(),
        FaultCmd::LoseControlfile { copy: Some(k) } => format!("lose controlfile copy {k}"),
        FaultCmd::LoseBackupPiece(None) => "lose backup piece all".to_string(),
        FaultCmd::LoseBackupPiece(Some(h)) => format!("lose backup piece {}", quote(h)),
        FaultCmd::CorruptDatafileBlock { file, block } => {
            format!("corrupt datafile {} block {block}", file_ref(file))
        }
        FaultCmd::LoseDevice(prefix) => format!("lose device {}", quote(prefix)),
        FaultCmd::LoseFile(path) => format!("lose file {}", quote(path)),
    }
}

// ---- RMAN -------------------------------------------------------------

/// An RMAN command as it stands at top level.
fn rman(cmd: &RmanCmd) -> String {
    match cmd {
        RmanCmd::Run(body) => block("run", body),
        RmanCmd::CreateScript {
            name,
            replace,
            body,
        } => {
            let verb = if *replace { "replace" } else { "create" };
            block(&format!("{verb} script {}", ident(name)), body)
        }
        RmanCmd::Native(stmt) => native(stmt),
        other => format!("{};", rman_simple(other)),
    }
}

/// `HEAD {`, the body indented one command a line, `}`.
fn block(head: &str, body: &[Located<RmanCmd>]) -> String {
    let mut s = format!("{head} {{\n");
    for c in body {
        let _ = writeln!(s, "  {}", rman(&c.node));
    }
    s.push('}');
    s
}

/// A statement inside a block: `startup`/`shutdown` get the `;` RMAN wants.
fn native(stmt: &Statement) -> String {
    let text = print_statement(stmt);
    match stmt {
        Statement::Startup { .. } | Statement::Shutdown(_) => format!("{text};"),
        _ => text,
    }
}

/// The RMAN commands without `;`.
fn rman_simple(cmd: &RmanCmd) -> String {
    match cmd {
        RmanCmd::ExecuteScript(name) => format!("execute script {}", ident(name)),
        RmanCmd::AllocateChannel(a) => allocate(a),
        RmanCmd::ReleaseChannel(c) => format!("release channel {}", ident(c)),
        RmanCmd::SetlimitChannel { channel, limits } => {
            let mut s = format!("setlimit channel {}", ident(channel));
            for (word, value) in [
                ("kbytes", limits.kbytes),
                ("maxopenfiles", limits.maxopenfiles),
                ("readrate", limits.readrate),
            ] {
                if let Some(v) = value {
                    let _ = write!(s, " {word} {v}");
                }
            }
            s
        }
        RmanCmd::Backup(b) => backup(b),
        RmanCmd::CopyDatafile { file, to } => {
            format!("copy datafile {} to {}", file_ref(file), quote(to))
        }
        RmanCmd::Restore(t) => format!("restore {}", restore_target(t)),
        RmanCmd::ReplicateControlfile(from) => {
            format!("replicate controlfile from {}", quote(from))
        }
        RmanCmd::Recover(t) => format!("recover {}", recover_target(t)),
        RmanCmd::Blockrecover { file, blocks } => {
            let blocks: Vec<String> = blocks.iter().map(u64::to_string).collect();
            format!(
                "blockrecover datafile {} block {}",
                file_ref(file),
                blocks.join(", ")
            )
        }
        RmanCmd::SetUntil(u) => format!("set until {}", until(u)),
        RmanCmd::SetMaxcorrupt { file, max } => {
            format!("set maxcorrupt for datafile {} to {max}", file_ref(file))
        }
        RmanCmd::Sql(stmt) => format!("sql {}", sql_text(stmt)),
        other => rman_catalog(other),
    }
}

/// `list`, `report` and the catalog and maintenance commands.
fn rman_catalog(cmd: &RmanCmd) -> String {
    match cmd {
        RmanCmd::List { kind, of } => {
            let kind = match kind {
                ListKind::Backup => "backup",
                ListKind::Backupset => "backupset",
                ListKind::Copy => "copy",
            };
            match of {
                None => format!("list {kind}"),
                Some(of) => format!("list {kind} of {}", list_of(of)),
            }
        }
        RmanCmd::Report(ReportKind::Schema) => "report schema".to_string(),
        RmanCmd::Report(ReportKind::NeedBackup) => "report need backup".to_string(),
        RmanCmd::Report(ReportKind::UnrecoverableDatabase) => {
            "report unrecoverable database".to_string()
        }
        RmanCmd::CrosscheckBackup => "crosscheck backup".to_string(),
        RmanCmd::ChangeBackupsetDelete(n) => format!("change backupset {n} delete"),
        RmanCmd::DeleteObsolete => "delete obsolete".to_string(),
        RmanCmd::CatalogDatafilecopy(f) => format!("catalog datafilecopy {}", quote(f)),
        RmanCmd::ResyncCatalog => "resync catalog".to_string(),
        RmanCmd::RegisterDatabase => "register database".to_string(),
        RmanCmd::ResetDatabase => "reset database".to_string(),
        RmanCmd::Connect(ConnectKind::Target) => "connect target".to_string(),
        RmanCmd::Connect(ConnectKind::Catalog) => "connect catalog".to_string(),
        other => unreachable!("not a simple RMAN command: {other:?}"),
    }
}

/// The quoted text of `sql "…"`: the statement without its `;`, `'`
/// doubled (RMAN's rule inside double quotes), then `"` doubled.
fn sql_text(stmt: &Statement) -> String {
    let text = print_statement(stmt);
    let text = text.strip_suffix(';').unwrap_or(&text);
    format!("\"{}\"", text.replace('\'', "''").replace('"', "\"\""))
}

fn allocate(a: &AllocateChannel) -> String {
    let mut s = "allocate channel".to_string();
    if let Some(name) = &a.name {
        let name = if name == "FOR" {
            "\"FOR\"".to_string()
        } else {
            ident(name)
        };
        let _ = write!(s, " {name}");
    }
    match a.purpose {
        Some(ChannelPurpose::Delete) => s.push_str(" for delete"),
        Some(ChannelPurpose::Maintenance) => s.push_str(" for maintenance"),
        None => {}
    }
    s.push_str(match a.device {
        DeviceType::Disk => " type disk",
        DeviceType::SbtTape => " type sbt_tape",
    });
    if let Some(f) = &a.format {
        let _ = write!(s, " format {}", quote(f));
    }
    s
}

fn backup(b: &Backup) -> String {
    let mut s = "backup".to_string();
    match b.level {
        Some(BackupLevel::Full) => s.push_str(" full"),
        Some(BackupLevel::Incremental { level, cumulative }) => {
            let _ = write!(s, " incremental level {level}");
            if cumulative {
                s.push_str(" cumulative");
            }
        }
        None => {}
    }
    if let Some(tag) = &b.tag {
        let _ = write!(s, " tag {}", ident(tag));
    }
    if let Some(f) = &b.format {
        let _ = write!(s, " format {}", quote(f));
    }
    if let Some(n) = b.filesperset {
        let _ = write!(s, " filesperset {n}");
    }
    if b.skip_readonly {
        s.push_str(" skip readonly");
    }
    let _ = write!(s, " {}", backup_object(&b.object));
    if b.delete_input {
        s.push_str(" delete input");
    }
    s
}

fn backup_object(o: &BackupObject) -> String {
    match o {
        BackupObject::Database => "database".to_string(),
        BackupObject::Tablespace(name) => format!("tablespace {}", ident(name)),
        BackupObject::Datafile(f) => format!("datafile {}", file_ref(f)),
        BackupObject::CurrentControlfile => "current controlfile".to_string(),
        BackupObject::ArchivelogAll => "archivelog all".to_string(),
        BackupObject::ArchivelogRange {
            from,
            until,
            thread,
        } => format!(
            "archivelog from logseq={} until logseq={} thread={thread}",
            seq_ref(from),
            seq_ref(until)
        ),
        BackupObject::ArchivelogFromTime(t) => format!("archivelog from time {}", quote(t)),
    }
}

fn restore_target(t: &RestoreTarget) -> String {
    match t {
        RestoreTarget::Database => "database".to_string(),
        RestoreTarget::Tablespace(name) => format!("tablespace {}", ident(name)),
        RestoreTarget::Datafile(f) => format!("datafile {}", file_ref(f)),
        RestoreTarget::Controlfile { to: None } => "controlfile".to_string(),
        RestoreTarget::Controlfile { to: Some(to) } => format!("controlfile to {}", quote(to)),
        RestoreTarget::ArchivelogAll => "archivelog all".to_string(),
    }
}

fn until(u: &Until) -> String {
    match u {
        Until::Logseq { seq, thread } => format!("logseq={} thread={thread}", seq_ref(seq)),
        Until::Scn(s) => format!("scn {}", scn_ref(s)),
        Until::Time(t) => format!("time {}", quote(t)),
    }
}

fn list_of(of: &ListOf) -> String {
    match of {
        ListOf::Database => "database".to_string(),
        ListOf::Tablespace(name) => format!("tablespace {}", ident(name)),
        ListOf::Datafile(f) => format!("datafile {}", file_ref(f)),
        ListOf::ArchivelogAll => "archivelog all".to_string(),
    }
}
