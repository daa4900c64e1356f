//! Unit tests of the scenario language: one group per statement family,
//! the lexical rules, the error texts, and print → parse round trips of
//! hand-written scripts (the property test covers generated ones).

use super::*;

/// Parses `text` or fails the test with the parse error.
fn ok(text: &str) -> Script {
    match parse("t.scn", text) {
        Ok(s) => s,
        Err(e) => panic!("{e}\n--- text:\n{text}"),
    }
}

/// The statements of `text`, without locations.
fn stmts(text: &str) -> Vec<Statement> {
    ok(text).statements.into_iter().map(|s| s.node).collect()
}

/// The one statement of `text`.
fn one(text: &str) -> Statement {
    let mut all = stmts(text);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// The one RMAN command of `text` (read in RMAN context).
fn rman(text: &str) -> RmanCmd {
    match one(&format!("RMAN> {text}")) {
        Statement::Rman(cmd) => cmd,
        other => panic!("not RMAN: {other:?}"),
    }
}

/// The error text for `text`.
fn err(text: &str) -> String {
    match parse("scenario.scn", text) {
        Ok(s) => panic!("parsed: {s:?}"),
        Err(e) => e.to_string(),
    }
}

/// print → parse gives the same script, and printing is a fixed point.
fn round_trip(text: &str) {
    let first = ok(text);
    let printed = print(&first);
    let second = match parse("printed.scn", &printed) {
        Ok(s) => s,
        Err(e) => panic!("{e}\n--- printed:\n{printed}"),
    };
    assert_eq!(
        second.without_locations(),
        first.without_locations(),
        "{printed}"
    );
    assert_eq!(print(&second), printed);
}

fn at(line: u32, col: u32, node: Statement) -> Located<Statement> {
    Located::new(line, col, node)
}

// ---- preamble ---------------------------------------------------------

#[test]
fn preamble_settings() {
    let s = ok(
        "set seed 42\nset archivelog off\nset threads 2\nset log_groups 4\n\
                set log_members 1\nset control_files 3\nset db_block_size 4096\n\
                set os_block_size 4096\nset users_datafiles 1\n\
                set torn_block_protection on\nset garbage_on_power_loss on;\nstartup\n",
    );
    let settings: Vec<Setting> = s.settings.iter().map(|s| s.node.clone()).collect();
    assert_eq!(
        settings,
        vec![
            Setting::Seed(42),
            Setting::Archivelog(false),
            Setting::Threads(2),
            Setting::LogGroups(4),
            Setting::LogMembers(1),
            Setting::ControlFiles(3),
            Setting::DbBlockSize(4096),
            Setting::OsBlockSize(4096),
            Setting::UsersDatafiles(1),
            Setting::TornBlockProtection(true),
            Setting::GarbageOnPowerLoss(true),
        ]
    );
    assert_eq!((s.settings[2].line, s.settings[2].col), (3, 1));
    assert_eq!(s.statements.len(), 1);
}

#[test]
fn set_release_names_an_oracle_release_and_prints_back() {
    for (text, r) in [
        ("8i", Release::R8i),
        ("9i", Release::R9i),
        ("10g", Release::R10g),
        ("'10G'", Release::R10g),
    ] {
        let s = ok(&format!("set release {text}\nstartup\n"));
        assert_eq!(s.settings[0].node, Setting::Release(r));
        let printed = print_setting(&s.settings[0].node);
        assert_eq!(printed, format!("set release {}", r.name()));
        assert_eq!(
            ok(&format!("{printed}\nstartup\n")).settings[0].node,
            Setting::Release(r)
        );
    }
    assert!(err("set release 11g\n").ends_with("expected 8i, 9i or 10g"));
    assert!(err("set release 9\n").ends_with("expected 8i, 9i or 10g"));
}

#[test]
fn preamble_errors() {
    assert_eq!(
        err("startup\n\nset seed 3\n"),
        "scenario.scn:3:1: expected a statement (set seed is a preamble setting, \
         allowed only before the first statement, which is at line 1)"
    );
    assert_eq!(
        err("set seed 1\nSET SEED 2\n"),
        "scenario.scn:2:5: expected set seed only once (it is already set at line 1)"
    );
    assert_eq!(err("set threads 3\n"), "scenario.scn:1:13: expected 1 or 2");
    assert_eq!(
        err("set archivelog maybe\n"),
        "scenario.scn:1:16: expected ON or OFF"
    );
    assert_eq!(err("set seed\n"), "scenario.scn:1:9: expected a number");
    assert_eq!(
        err("set seed 1 2\n"),
        "scenario.scn:1:12: expected end of line"
    );
}

// ---- SQL*Plus ---------------------------------------------------------

#[test]
fn startup_and_shutdown() {
    let startup = |mode, force| Statement::Startup { mode, force };
    assert_eq!(one("startup"), startup(StartupMode::Open, false));
    assert_eq!(one("STARTUP MOUNT;"), startup(StartupMode::Mount, false));
    assert_eq!(
        one("startup nomount force"),
        startup(StartupMode::Nomount, true)
    );
    assert_eq!(
        one("startup force mount"),
        startup(StartupMode::Mount, true)
    );
    assert_eq!(one("startup open"), startup(StartupMode::Open, false));
    assert_eq!(one("shutdown"), Statement::Shutdown(ShutdownMode::Normal));
    assert_eq!(
        one("shutdown abort"),
        Statement::Shutdown(ShutdownMode::Abort)
    );
    assert_eq!(
        one("Shutdown Transactional;"),
        Statement::Shutdown(ShutdownMode::Transactional)
    );
    assert_eq!(
        one("shutdown immediate"),
        Statement::Shutdown(ShutdownMode::Immediate)
    );
    assert_eq!(
        err("startup mount open\n"),
        "scenario.scn:1:15: expected NOMOUNT, MOUNT, OPEN, FORCE or end of line"
    );
    assert_eq!(
        err("shutdown now\n"),
        "scenario.scn:1:10: expected NORMAL, TRANSACTIONAL, IMMEDIATE, ABORT or end of line"
    );
    assert_eq!(
        err("startup; mount\n"),
        "scenario.scn:1:10: expected end of line"
    );
}

#[test]
fn alter_database() {
    let ad = |a| Statement::AlterDatabase(a);
    assert_eq!(one("alter database mount;"), ad(AlterDatabase::Mount));
    assert_eq!(one("alter database open;"), ad(AlterDatabase::Open(None)));
    assert_eq!(
        one("ALTER DATABASE OPEN RESETLOGS;"),
        ad(AlterDatabase::Open(Some(Resetlogs::Resetlogs)))
    );
    assert_eq!(
        one("alter database open noresetlogs;"),
        ad(AlterDatabase::Open(Some(Resetlogs::Noresetlogs)))
    );
    assert_eq!(
        one("alter database archivelog;"),
        ad(AlterDatabase::Archivelog)
    );
    assert_eq!(
        one("alter database noarchivelog;"),
        ad(AlterDatabase::Noarchivelog)
    );
    assert_eq!(
        one("alter database begin backup;"),
        ad(AlterDatabase::BeginBackup)
    );
    assert_eq!(
        one("alter database end backup;"),
        ad(AlterDatabase::EndBackup)
    );
    assert_eq!(
        one("alter database datafile 3 offline;"),
        ad(AlterDatabase::Datafile {
            file: FileRef::Number(3),
            action: DatafileAction::Offline
        })
    );
    assert_eq!(
        one("alter database datafile '/u01/oradata/SIM/users01.dbf' end backup;"),
        ad(AlterDatabase::Datafile {
            file: FileRef::Name("/u01/oradata/SIM/users01.dbf".into()),
            action: DatafileAction::EndBackup
        })
    );
    assert_eq!(
        one("alter database datafile 4 online;"),
        ad(AlterDatabase::Datafile {
            file: FileRef::Number(4),
            action: DatafileAction::Online
        })
    );
    assert_eq!(
        one("alter database create datafile 4 as '/u04/users02.dbf';"),
        ad(AlterDatabase::CreateDatafile {
            file: FileRef::Number(4),
            as_name: Some("/u04/users02.dbf".into())
        })
    );
    assert_eq!(
        one("alter database backup controlfile to '/u03/c.ctl' reuse;"),
        ad(AlterDatabase::BackupControlfile {
            to: "/u03/c.ctl".into(),
            reuse: true
        })
    );
    assert_eq!(
        one("alter database backup controlfile to trace resetlogs as '/tmp/cf.sql';"),
        ad(AlterDatabase::BackupControlfileToTrace {
            mode: Some(Resetlogs::Resetlogs),
            as_name: Some("/tmp/cf.sql".into())
        })
    );
    assert_eq!(
        one("alter database backup controlfile to trace;"),
        ad(AlterDatabase::BackupControlfileToTrace {
            mode: None,
            as_name: None
        })
    );
    assert_eq!(
        one("alter database clear logfile group 2;"),
        ad(AlterDatabase::ClearLogfile {
            group: 2,
            unarchived: false
        })
    );
    assert_eq!(
        one("ALTER DATABASE CLEAR UNARCHIVED LOGFILE GROUP 3;"),
        ad(AlterDatabase::ClearLogfile {
            group: 3,
            unarchived: true
        })
    );
}

#[test]
fn alter_database_errors() {
    assert_eq!(
        err("alter database\n  datafil 3 offline;\n"),
        "scenario.scn:2:3: expected MOUNT, OPEN, ARCHIVELOG, NOARCHIVELOG, BEGIN, END, \
         DATAFILE, CREATE, BACKUP, DROP, ADD or CLEAR"
    );
    assert_eq!(
        err("alter database datafile users offline;"),
        "scenario.scn:1:25: expected a file number or a quoted file name"
    );
    // A missing `;` is reported where it belongs, not on the next line.
    assert_eq!(
        err("alter database open\nstartup\n"),
        "scenario.scn:1:20: expected ;"
    );
    assert_eq!(err("alter database open"), "scenario.scn:1:20: expected ;");
    assert_eq!(
        err("alter database clear group 2;"),
        "scenario.scn:1:22: expected UNARCHIVED or LOGFILE"
    );
    assert_eq!(
        err("alter database clear unarchived group 2;"),
        "scenario.scn:1:33: expected LOGFILE"
    );
    assert_eq!(
        err("alter database clear logfile group two;"),
        "scenario.scn:1:36: expected a group number"
    );
}

#[test]
fn create_controlfile_and_alter_system() {
    assert_eq!(
        one("create controlfile reuse database sim noresetlogs archivelog;"),
        Statement::CreateControlfile(CreateControlfile {
            reuse: true,
            database: "SIM".into(),
            mode: Resetlogs::Noresetlogs,
            archivelog: Some(true),
        })
    );
    assert_eq!(
        one("create controlfile database \"SIM\" resetlogs;"),
        Statement::CreateControlfile(CreateControlfile {
            reuse: false,
            database: "SIM".into(),
            mode: Resetlogs::Resetlogs,
            archivelog: None,
        })
    );
    assert_eq!(
        one("alter system switch logfile;"),
        Statement::AlterSystem(AlterSystem::SwitchLogfile)
    );
    assert_eq!(
        one("alter system archive log current;"),
        Statement::AlterSystem(AlterSystem::ArchiveLogCurrent)
    );
    assert_eq!(
        one("alter system checkpoint;"),
        Statement::AlterSystem(AlterSystem::Checkpoint)
    );
    assert_eq!(
        err("create controlfile database sim;"),
        "scenario.scn:1:32: expected RESETLOGS or NORESETLOGS"
    );
}

#[test]
fn alter_tablespace() {
    let ts = |action| Statement::AlterTablespace {
        tablespace: "USERS".into(),
        action,
    };
    assert_eq!(
        one("alter tablespace users begin backup;"),
        ts(TablespaceAction::BeginBackup)
    );
    assert_eq!(
        one("alter tablespace USERS end backup;"),
        ts(TablespaceAction::EndBackup)
    );
    assert_eq!(
        one("alter tablespace users offline;"),
        ts(TablespaceAction::Offline(OfflineMode::Normal))
    );
    assert_eq!(
        one("alter tablespace users offline immediate;"),
        ts(TablespaceAction::Offline(OfflineMode::Immediate))
    );
    assert_eq!(
        one("alter tablespace users online;"),
        ts(TablespaceAction::Online)
    );
    assert_eq!(
        one("alter tablespace users read only;"),
        ts(TablespaceAction::ReadOnly)
    );
    assert_eq!(
        one("alter tablespace users read write;"),
        ts(TablespaceAction::ReadWrite)
    );
    assert_eq!(
        one("alter tablespace \"Mixed\" online;"),
        Statement::AlterTablespace {
            tablespace: "Mixed".into(),
            action: TablespaceAction::Online
        }
    );
    assert_eq!(
        err("alter tablespace users read;"),
        "scenario.scn:1:28: expected ONLY or WRITE"
    );
}

#[test]
fn recover_and_answers() {
    let script = stmts(
        "recover database until cancel using backup controlfile\n\
         '/u02/arch/arch_1_5_1.arc'\n\
         \n\
         suggested\n\
         cancel\n\
         \n\
         alter database open resetlogs;\n",
    );
    assert_eq!(
        script,
        vec![
            Statement::Recover(Recover {
                automatic: false,
                target: RecoverTarget::Database,
                until: Some(RecoverUntil::Cancel),
                using_backup_controlfile: true,
            }),
            Statement::Answer(RecoverAnswer::File("/u02/arch/arch_1_5_1.arc".into())),
            Statement::Answer(RecoverAnswer::Suggested),
            Statement::Answer(RecoverAnswer::Suggested),
            Statement::Answer(RecoverAnswer::Cancel),
            // The blank line after `cancel` is layout, not an answer.
            Statement::AlterDatabase(AlterDatabase::Open(Some(Resetlogs::Resetlogs))),
        ]
    );
    assert_eq!(
        one("RECOVER AUTOMATIC DATAFILE 3"),
        Statement::Recover(Recover {
            automatic: true,
            target: RecoverTarget::Datafile(FileRef::Number(3)),
            until: None,
            using_backup_controlfile: false,
        })
    );
    assert_eq!(
        one("recover tablespace users"),
        Statement::Recover(Recover {
            automatic: false,
            target: RecoverTarget::Tablespace("USERS".into()),
            until: None,
            using_backup_controlfile: false,
        })
    );
    let s = stmts(
        "recover database using backup controlfile until change &before_crash\nauto\n\
         recover database until time '2024-01-31 23:59:00'\n",
    );
    assert_eq!(
        s[0],
        Statement::Recover(Recover {
            automatic: false,
            target: RecoverTarget::Database,
            until: Some(RecoverUntil::Change(ScnRef::Mark("BEFORE_CRASH".into()))),
            using_backup_controlfile: true,
        })
    );
    assert_eq!(s[1], Statement::Answer(RecoverAnswer::Auto));
    assert!(matches!(
        &s[2],
        Statement::Recover(Recover { until: Some(RecoverUntil::Time(t)), .. }) if t == "2024-01-31 23:59:00"
    ));
}

#[test]
fn blank_line_answers_are_located() {
    let s = ok("recover database\n\n  -- a comment keeps the sequence open\n\ncheck\n");
    assert_eq!(
        s.statements,
        vec![
            at(1, 1, one("recover database")),
            at(2, 1, Statement::Answer(RecoverAnswer::Suggested)),
            at(4, 1, Statement::Answer(RecoverAnswer::Suggested)),
            at(5, 1, Statement::Check),
        ]
    );
}

#[test]
fn recover_errors() {
    assert_eq!(
        err("startup mount\nrecover\n"),
        "scenario.scn:2:8: expected DATABASE, TABLESPACE or DATAFILE"
    );
    assert_eq!(
        err("recover database until time '31-JAN-2024'\n"),
        "scenario.scn:1:29: expected a time 'YYYY-MM-DD HH24:MI:SS'"
    );
    assert_eq!(
        err("recover database until\n"),
        "scenario.scn:1:23: expected CANCEL, CHANGE or TIME"
    );
    assert_eq!(
        err("startup\ncancel\n"),
        "scenario.scn:2:1: expected a SQL*Plus command, a SQL statement or a directive \
         (an answer to a recovery prompt must follow RECOVER)"
    );
    assert_eq!(
        err("recover database\nauto\n'/u02/x.arc' extra\n"),
        "scenario.scn:3:14: expected end of line"
    );
}

#[test]
fn sqlplus_set_and_connect() {
    assert_eq!(
        one("set autorecovery on"),
        Statement::Set(SqlPlusSet::Autorecovery(true))
    );
    assert_eq!(
        one("SET LINESIZE 200;"),
        Statement::Set(SqlPlusSet::Display {
            name: "linesize".into(),
            value: "200".into()
        })
    );
    assert_eq!(
        one("connect / as sysdba"),
        Statement::Connect,
        "the rest of the line is ignored"
    );
    assert_eq!(
        err("set autocommit on\n"),
        "scenario.scn:1:5: expected AUTORECOVERY or a display option (ECHO, FEEDBACK, \
         LINESIZE, PAGESIZE, …)"
    );
}

#[test]
fn host_commands() {
    let cp = |src: &str, dst: &str| {
        Statement::Host(HostCmd::Cp {
            src: src.into(),
            dst: dst.into(),
        })
    };
    assert_eq!(
        one("host cp /u01/oradata/SIM/users01.dbf /u03/backup/users01.dbf"),
        cp("/u01/oradata/SIM/users01.dbf", "/u03/backup/users01.dbf")
    );
    assert_eq!(one("host copy a b;"), cp("a", "b"));
    assert_eq!(
        one("! cp -p a 'my file' # shell comment"),
        cp("a", "my file")
    );
    assert_eq!(one("!cp a b"), cp("a", "b"));
    assert_eq!(
        one("host mv /u02/arch/a.arc /u02/arch/b.arc"),
        Statement::Host(HostCmd::Mv {
            src: "/u02/arch/a.arc".into(),
            dst: "/u02/arch/b.arc".into()
        })
    );
    assert_eq!(
        one("HOST rm -f /u01/oradata/SIM/redo01a.log;"),
        Statement::Host(HostCmd::Rm("/u01/oradata/SIM/redo01a.log".into()))
    );
    assert_eq!(one("RMAN> host 'cp a b';"), cp("a", "b"));
    assert_eq!(one("\u{feff}host cp a b"), cp("a", "b"));
    assert_eq!(
        err("host ls /u01\n"),
        "scenario.scn:1:6: expected CP, COPY, MV or RM"
    );
    assert_eq!(
        err("host cp /a\n"),
        "scenario.scn:1:11: expected a source and a destination path"
    );
    assert_eq!(
        err("host rm /a /b\n"),
        "scenario.scn:1:12: expected end of line"
    );
    assert_eq!(
        err("host cp 'a b\n"),
        "scenario.scn:1:9: expected a closing ' before the end of the line"
    );
}

#[test]
fn sql_statements() {
    let sql = |s| Statement::Sql(s);
    assert_eq!(
        one("create table t2 (k number primary key, v varchar2(100)) tablespace users;"),
        sql(SqlStmt::CreateTable {
            table: "T2".into(),
            columns: vec![
                ColumnDef {
                    name: "K".into(),
                    ty: ColumnType::Number,
                    primary_key: true
                },
                ColumnDef {
                    name: "V".into(),
                    ty: ColumnType::Varchar2(100),
                    primary_key: false
                },
            ],
            tablespace: Some("USERS".into()),
        })
    );
    assert_eq!(
        one("insert into t values (1, 'one');"),
        sql(SqlStmt::Insert {
            table: "T".into(),
            k: 1,
            v: "one".into()
        })
    );
    assert_eq!(
        one("insert into t (k, v)\n  values (2, 'it''s');"),
        sql(SqlStmt::Insert {
            table: "T".into(),
            k: 2,
            v: "it's".into()
        })
    );
    assert_eq!(
        one("update t set v = 'x' where k = 1;"),
        sql(SqlStmt::Update {
            table: "T".into(),
            v: "x".into(),
            k: 1
        })
    );
    assert_eq!(
        one("delete from t where k = 1;"),
        sql(SqlStmt::Delete {
            table: "T".into(),
            k: 1
        })
    );
    assert_eq!(one("commit;"), sql(SqlStmt::Commit));
    assert_eq!(one("rollback;"), sql(SqlStmt::Rollback));
    assert_eq!(
        one("select count(*) from t;"),
        sql(SqlStmt::SelectCount { table: "T".into() })
    );
    assert_eq!(
        one("select * from t where k = 7;"),
        sql(SqlStmt::SelectWhere {
            table: "T".into(),
            k: 7
        })
    );
    assert_eq!(
        one("select * from v$log;"),
        sql(SqlStmt::SelectView {
            view: "V$LOG".into(),
            filter: None
        })
    );
    assert_eq!(
        one("select * from V$LOG where group# = 2;"),
        sql(SqlStmt::SelectView {
            view: "V$LOG".into(),
            filter: Some(("GROUP#".into(), "2".into()))
        })
    );
    assert_eq!(
        one("select * from v$datafile where status = 'RECOVER';"),
        sql(SqlStmt::SelectView {
            view: "V$DATAFILE".into(),
            filter: Some(("STATUS".into(), "RECOVER".into()))
        })
    );
    assert_eq!(
        err("select * from v$instance;"),
        format!(
            "scenario.scn:1:15: expected one of the views {}",
            VIEWS.join(", ")
        )
    );
    assert_eq!(
        one("select * from t;"),
        sql(SqlStmt::SelectAll { table: "T".into() })
    );
    assert_eq!(
        one("SELECT *\n  FROM T\n;"),
        sql(SqlStmt::SelectAll { table: "T".into() })
    );
    assert_eq!(
        err("select * from t k = 1;"),
        "scenario.scn:1:17: expected ;"
    );
    assert_eq!(
        err("select * from t where v = 1;"),
        "scenario.scn:1:23: expected K"
    );
    assert_eq!(
        err("insert into t values ('a', 'b');"),
        "scenario.scn:1:23: expected a key (a number)"
    );
    assert_eq!(err("commit\n"), "scenario.scn:1:7: expected ;");
}

#[test]
fn session_and_directives() {
    assert_eq!(one("session s2"), Statement::Session("S2".into()));
    assert_eq!(one("session 2"), Statement::Session("2".into()));
    assert_eq!(one("session \"main\""), Statement::Session("main".into()));
    assert_eq!(
        one("workload 100 sessions=4"),
        Statement::Workload {
            n: 100,
            sessions: Some(4)
        }
    );
    assert_eq!(
        one("workload 5"),
        Statement::Workload {
            n: 5,
            sessions: None
        }
    );
    assert_eq!(
        one("crash"),
        Statement::Crash {
            torn: false,
            after_io: None
        }
    );
    assert_eq!(
        one("crash torn"),
        Statement::Crash {
            torn: true,
            after_io: None
        }
    );
    assert_eq!(
        one("crash after 17 io;"),
        Statement::Crash {
            torn: false,
            after_io: Some(17)
        }
    );
    assert_eq!(
        one("resolve 'aDg'"),
        Statement::Resolve {
            fates: "adg".into(),
            namespace: None
        }
    );
    assert_eq!(
        one("resolve adgga"),
        Statement::Resolve {
            fates: "adgga".into(),
            namespace: None
        }
    );
    assert_eq!(
        one("resolve 'aaKdl'"),
        Statement::Resolve {
            fates: "aakdl".into(),
            namespace: None
        }
    );
    assert_eq!(
        one("resolve 'ad' namespace 2"),
        Statement::Resolve {
            fates: "ad".into(),
            namespace: Some(2)
        }
    );
    assert_eq!(
        one("alter database add logfile member '/u01/oradata/SIM/redo02b.log' to group 2;"),
        Statement::AlterDatabase(AlterDatabase::AddLogfileMember {
            name: "/u01/oradata/SIM/redo02b.log".into(),
            group: 2
        })
    );
    assert_eq!(
        one("alter database drop logfile member '/u01/oradata/SIM/redo02b.log';"),
        Statement::AlterDatabase(AlterDatabase::DropLogfileMember(
            "/u01/oradata/SIM/redo02b.log".into()
        ))
    );
    assert_eq!(one("mark before"), Statement::Mark("BEFORE".into()));
    assert_eq!(one("check"), Statement::Check);
    assert_eq!(one("expect error ORA-01113"), Statement::ExpectError(1113));
    assert_eq!(one("expect error ora-600"), Statement::ExpectError(600));
    assert_eq!(one("expect success"), Statement::ExpectSuccess);
    assert_eq!(one("expect rows 0"), Statement::ExpectRows(0));
    assert_eq!(one("EXPECT ROWS 12;"), Statement::ExpectRows(12));
    assert_eq!(one("expect data complete"), Statement::ExpectDataComplete);
    assert_eq!(
        one("expect data at &before"),
        Statement::ExpectDataAt(ScnRef::Mark("BEFORE".into()))
    );
    assert_eq!(
        one("expect data at scn 1234"),
        Statement::ExpectDataAt(ScnRef::Scn(1234))
    );
    assert_eq!(
        one("echo step #1 -- verbatim;"),
        Statement::Echo("step #1 -- verbatim".into())
    );
    assert_eq!(one("echo"), Statement::Echo(String::new()));
    assert_eq!(one("dbwr 8"), Statement::Dbwr { buffers: 8 });
    assert_eq!(one("arch"), Statement::Arch);
}

#[test]
fn faults() {
    let f = |c| Statement::Fault(c);
    assert_eq!(
        one("fault lose datafile 3"),
        f(FaultCmd::LoseDatafile(FileRef::Number(3)))
    );
    assert_eq!(
        one("fault lose datafile '/u01/oradata/SIM/system01.dbf'"),
        f(FaultCmd::LoseDatafile(FileRef::Name(
            "/u01/oradata/SIM/system01.dbf".into()
        )))
    );
    assert_eq!(
        one("fault lose log group current"),
        f(FaultCmd::LoseLogGroup {
            group: GroupRef::Current,
            member: None
        })
    );
    assert_eq!(
        one("fault lose log group 2 member 1"),
        f(FaultCmd::LoseLogGroup {
            group: GroupRef::Number(2),
            member: Some(1)
        })
    );
    assert_eq!(one("fault lose online logs"), f(FaultCmd::LoseOnlineLogs));
    assert_eq!(
        one("fault lose archivelog thread 1 sequence 7"),
        f(FaultCmd::LoseArchivelog {
            thread: 1,
            sequence: 7
        })
    );
    assert_eq!(
        one("fault lose controlfile"),
        f(FaultCmd::LoseControlfile { copy: None })
    );
    assert_eq!(
        one("fault lose controlfile copy 2"),
        f(FaultCmd::LoseControlfile { copy: Some(2) })
    );
    assert_eq!(
        one("fault lose backup piece all"),
        f(FaultCmd::LoseBackupPiece(None))
    );
    assert_eq!(
        one("fault lose backup piece '/u03/backup/p1'"),
        f(FaultCmd::LoseBackupPiece(Some("/u03/backup/p1".into())))
    );
    assert_eq!(
        one("fault corrupt datafile 4 block 12"),
        f(FaultCmd::CorruptDatafileBlock {
            file: FileRef::Number(4),
            block: 12
        })
    );
    assert_eq!(
        one("fault lose device '/u02/'"),
        f(FaultCmd::LoseDevice("/u02/".into()))
    );
    assert_eq!(
        one("fault lose file '/u01/oradata/SIM/control02.ctl'"),
        f(FaultCmd::LoseFile("/u01/oradata/SIM/control02.ctl".into()))
    );
}

#[test]
fn directive_errors() {
    assert_eq!(
        err("fault lose tablespace users\n"),
        "scenario.scn:1:12: expected DATAFILE, LOG, ONLINE, ARCHIVELOG, CONTROLFILE, \
         BACKUP, DEVICE or FILE"
    );
    assert_eq!(
        err("resolve 'adx'\n"),
        "scenario.scn:1:12: expected only the letters a, d, g (writes) and k, l (length changes)"
    );
    assert_eq!(
        err("expect error 1113\n"),
        "scenario.scn:1:14: expected ORA-nnnnn"
    );
    assert_eq!(err("crash after 3\n"), "scenario.scn:1:14: expected IO");
    assert_eq!(
        err("crash softly\n"),
        "scenario.scn:1:7: expected TORN, AFTER or end of line"
    );
    assert_eq!(
        err("expect nothing\n"),
        "scenario.scn:1:8: expected ERROR, SUCCESS, ROWS or DATA"
    );
    assert_eq!(
        err("expect rows none\n"),
        "scenario.scn:1:13: expected a number of rows"
    );
    assert_eq!(
        err("expect data at\n"),
        "scenario.scn:1:15: expected &MARK or SCN"
    );
    assert_eq!(
        err("workload 99999999999999999999\n"),
        "scenario.scn:1:10: expected a number no larger than 18446744073709551615"
    );
}

// ---- RMAN -------------------------------------------------------------

#[test]
fn rman_channels() {
    assert_eq!(
        rman("allocate channel c1 type disk format '/u03/backup/%U';"),
        RmanCmd::AllocateChannel(AllocateChannel {
            name: Some("C1".into()),
            purpose: None,
            device: DeviceType::Disk,
            format: Some("/u03/backup/%U".into()),
        })
    );
    assert_eq!(
        rman("allocate channel t1 device type 'sbt_tape';"),
        RmanCmd::AllocateChannel(AllocateChannel {
            name: Some("T1".into()),
            purpose: None,
            device: DeviceType::SbtTape,
            format: None,
        })
    );
    assert_eq!(
        rman("allocate channel for maintenance type disk;"),
        RmanCmd::AllocateChannel(AllocateChannel {
            name: None,
            purpose: Some(ChannelPurpose::Maintenance),
            device: DeviceType::Disk,
            format: None,
        })
    );
    assert_eq!(
        rman("allocate channel d1 for delete type sbt;"),
        RmanCmd::AllocateChannel(AllocateChannel {
            name: Some("D1".into()),
            purpose: Some(ChannelPurpose::Delete),
            device: DeviceType::SbtTape,
            format: None,
        })
    );
    assert_eq!(
        rman("release channel c1;"),
        RmanCmd::ReleaseChannel("C1".into())
    );
    assert_eq!(
        rman("setlimit channel c1 readrate 200 kbytes 2048;"),
        RmanCmd::SetlimitChannel {
            channel: "C1".into(),
            limits: ChannelLimits {
                kbytes: Some(2048),
                maxopenfiles: None,
                readrate: Some(200),
            },
        }
    );
}

#[test]
fn rman_backup() {
    assert_eq!(
        rman("backup database;"),
        RmanCmd::Backup(Backup {
            level: None,
            tag: None,
            format: None,
            filesperset: None,
            skip_readonly: false,
            object: BackupObject::Database,
            delete_input: false,
        })
    );
    let full = Backup {
        level: Some(BackupLevel::Incremental {
            level: 1,
            cumulative: true,
        }),
        tag: Some("weekly".into()),
        format: Some("/u03/backup/%U".into()),
        filesperset: Some(2),
        skip_readonly: true,
        object: BackupObject::Tablespace("USERS".into()),
        delete_input: false,
    };
    assert_eq!(
        rman(
            "backup incremental level 1 cumulative tag 'weekly' format '/u03/backup/%U'\n\
             2> filesperset 2 skip readonly (tablespace users);"
        ),
        RmanCmd::Backup(full.clone())
    );
    // Options after the object, as RMAN allows.
    assert_eq!(
        rman(
            "backup tablespace users incremental level=1 cumulative skip readonly \
             tag='weekly' filesperset=2 format='/u03/backup/%U';"
        ),
        RmanCmd::Backup(full)
    );
    let object = |text: &str| match rman(text) {
        RmanCmd::Backup(b) => (b.object, b.delete_input, b.level),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        object("backup archivelog all delete input;"),
        (BackupObject::ArchivelogAll, true, None)
    );
    assert_eq!(
        object("backup full current controlfile;"),
        (
            BackupObject::CurrentControlfile,
            false,
            Some(BackupLevel::Full)
        )
    );
    assert_eq!(
        object("backup datafile 3;").0,
        BackupObject::Datafile(FileRef::Number(3))
    );
    assert_eq!(
        object("backup archivelog from logseq=3 until logseq=&m thread=2;").0,
        BackupObject::ArchivelogRange {
            from: SeqRef::Seq(3),
            until: SeqRef::Mark("M".into()),
            thread: 2,
        }
    );
    assert_eq!(
        object("backup archivelog from sequence 3 until sequence 9;").0,
        BackupObject::ArchivelogRange {
            from: SeqRef::Seq(3),
            until: SeqRef::Seq(9),
            thread: 1,
        }
    );
    assert_eq!(
        object("backup archivelog from time 'SYSDATE-1' delete all input;"),
        (
            BackupObject::ArchivelogFromTime("SYSDATE-1".into()),
            true,
            None
        )
    );
    assert_eq!(
        err("RMAN> backup users;\n"),
        "scenario.scn:1:14: expected DATABASE, TABLESPACE, DATAFILE, CURRENT CONTROLFILE or \
         ARCHIVELOG"
    );
    assert_eq!(
        err("RMAN> backup database\nRMAN> list backup;\n"),
        "scenario.scn:1:22: expected ;"
    );
}

#[test]
fn rman_restore_recover_and_friends() {
    assert_eq!(
        rman("restore database;"),
        RmanCmd::Restore(RestoreTarget::Database)
    );
    assert_eq!(
        rman("restore tablespace users;"),
        RmanCmd::Restore(RestoreTarget::Tablespace("USERS".into()))
    );
    assert_eq!(
        rman("restore datafile 4;"),
        RmanCmd::Restore(RestoreTarget::Datafile(FileRef::Number(4)))
    );
    assert_eq!(
        rman("restore controlfile to '/tmp/c.ctl';"),
        RmanCmd::Restore(RestoreTarget::Controlfile {
            to: Some("/tmp/c.ctl".into())
        })
    );
    assert_eq!(
        rman("restore controlfile;"),
        RmanCmd::Restore(RestoreTarget::Controlfile { to: None })
    );
    assert_eq!(
        rman("restore archivelog all;"),
        RmanCmd::Restore(RestoreTarget::ArchivelogAll)
    );
    assert_eq!(
        rman("recover database;"),
        RmanCmd::Recover(RecoverTarget::Database)
    );
    assert_eq!(
        rman("recover datafile '/u01/oradata/SIM/users01.dbf';"),
        RmanCmd::Recover(RecoverTarget::Datafile(FileRef::Name(
            "/u01/oradata/SIM/users01.dbf".into()
        )))
    );
    assert_eq!(
        rman("copy datafile 3 to '/u03/backup/users01.cpy';"),
        RmanCmd::CopyDatafile {
            file: FileRef::Number(3),
            to: "/u03/backup/users01.cpy".into()
        }
    );
    assert_eq!(
        rman("replicate controlfile from '/u01/oradata/SIM/control01.ctl';"),
        RmanCmd::ReplicateControlfile("/u01/oradata/SIM/control01.ctl".into())
    );
    assert_eq!(
        rman("blockrecover datafile 4 block 12, 13,14;"),
        RmanCmd::Blockrecover {
            file: FileRef::Number(4),
            blocks: vec![12, 13, 14]
        }
    );
    assert_eq!(
        rman("set until logseq=12 thread=1;"),
        RmanCmd::SetUntil(Until::Logseq {
            seq: SeqRef::Seq(12),
            thread: 1
        })
    );
    assert_eq!(
        rman("set until sequence &m;"),
        RmanCmd::SetUntil(Until::Logseq {
            seq: SeqRef::Mark("M".into()),
            thread: 1
        })
    );
    assert_eq!(
        rman("set until scn 1000;"),
        RmanCmd::SetUntil(Until::Scn(ScnRef::Scn(1000)))
    );
    assert_eq!(
        rman("set until time '2024-01-31 10:00:00';"),
        RmanCmd::SetUntil(Until::Time("2024-01-31 10:00:00".into()))
    );
    assert_eq!(
        rman("set maxcorrupt for datafile 4 to 10;"),
        RmanCmd::SetMaxcorrupt {
            file: FileRef::Number(4),
            max: 10
        }
    );
}

#[test]
fn rman_catalog_commands() {
    assert_eq!(
        rman("list backup;"),
        RmanCmd::List {
            kind: ListKind::Backup,
            of: None
        }
    );
    assert_eq!(
        rman("list backupset of tablespace users;"),
        RmanCmd::List {
            kind: ListKind::Backupset,
            of: Some(ListOf::Tablespace("USERS".into()))
        }
    );
    assert_eq!(
        rman("list copy of datafile 3;"),
        RmanCmd::List {
            kind: ListKind::Copy,
            of: Some(ListOf::Datafile(FileRef::Number(3)))
        }
    );
    assert_eq!(
        rman("list backup of archivelog all;"),
        RmanCmd::List {
            kind: ListKind::Backup,
            of: Some(ListOf::ArchivelogAll)
        }
    );
    assert_eq!(rman("report schema;"), RmanCmd::Report(ReportKind::Schema));
    assert_eq!(
        rman("report need backup;"),
        RmanCmd::Report(ReportKind::NeedBackup)
    );
    assert_eq!(
        rman("report unrecoverable;"),
        RmanCmd::Report(ReportKind::UnrecoverableDatabase)
    );
    assert_eq!(rman("crosscheck backup;"), RmanCmd::CrosscheckBackup);
    assert_eq!(
        rman("change backupset 7 delete;"),
        RmanCmd::ChangeBackupsetDelete(7)
    );
    assert_eq!(rman("delete noprompt obsolete;"), RmanCmd::DeleteObsolete);
    assert_eq!(
        rman("catalog datafilecopy '/u03/backup/users01.cpy';"),
        RmanCmd::CatalogDatafilecopy("/u03/backup/users01.cpy".into())
    );
    assert_eq!(rman("resync catalog;"), RmanCmd::ResyncCatalog);
    assert_eq!(rman("register database;"), RmanCmd::RegisterDatabase);
    assert_eq!(rman("reset database;"), RmanCmd::ResetDatabase);
    assert_eq!(
        rman("connect target /"),
        RmanCmd::Connect(ConnectKind::Target)
    );
    assert_eq!(
        rman("connect catalog rman/rman@rcat;"),
        RmanCmd::Connect(ConnectKind::Catalog)
    );
    assert_eq!(
        rman("execute script nightly;"),
        RmanCmd::ExecuteScript("NIGHTLY".into())
    );
}

#[test]
fn rman_sql_strings() {
    assert_eq!(
        rman("sql 'alter system switch logfile';"),
        RmanCmd::Sql(Box::new(Statement::AlterSystem(AlterSystem::SwitchLogfile)))
    );
    let offline = Statement::AlterDatabase(AlterDatabase::Datafile {
        file: FileRef::Name("/u01/oradata/SIM/users01.dbf".into()),
        action: DatafileAction::Offline,
    });
    // RMAN's documented form doubles the single quotes inside "…".
    assert_eq!(
        rman("sql \"alter database datafile ''/u01/oradata/SIM/users01.dbf'' offline\";"),
        RmanCmd::Sql(Box::new(offline.clone()))
    );
    assert_eq!(
        rman("sql \"alter database datafile '/u01/oradata/SIM/users01.dbf' offline;\";"),
        RmanCmd::Sql(Box::new(offline))
    );
    assert_eq!(
        err("RMAN> sql 'alter tablespace users of';\n"),
        "scenario.scn:1:35: expected BEGIN, END, OFFLINE, ONLINE or READ"
    );
    assert_eq!(
        err("RMAN> sql 'startup mount';\n"),
        "scenario.scn:1:12: expected a SQL statement"
    );
}

#[test]
fn run_blocks_span_lines() {
    let s = ok("SQL> startup mount\n\
                RMAN> run {\n\
                2>   allocate channel c1 type disk;\n\
                3>   set until scn 500;\n\
                4>   restore\n\
                5>     database;\n\
                6>   recover database;\n\
                7>   sql 'alter database open resetlogs';\n\
                8> }\n\
                RMAN> list backup;\n\
                SQL> select count(*) from t;\n");
    assert_eq!(s.statements.len(), 4);
    let Statement::Rman(RmanCmd::Run(body)) = &s.statements[1].node else {
        panic!("{:?}", s.statements[1]);
    };
    assert_eq!((s.statements[1].line, s.statements[1].col), (2, 7));
    let lines: Vec<(u32, u32)> = body.iter().map(|c| (c.line, c.col)).collect();
    assert_eq!(lines, vec![(3, 6), (4, 6), (5, 6), (7, 6), (8, 6)]);
    assert_eq!(body[2].node, RmanCmd::Restore(RestoreTarget::Database));
    assert!(matches!(
        s.statements[2].node,
        Statement::Rman(RmanCmd::List { .. })
    ));
    assert!(matches!(
        s.statements[3].node,
        Statement::Sql(SqlStmt::SelectCount { .. })
    ));
}

#[test]
fn run_blocks_hold_native_statements() {
    let cmds = match one(
        "run { shutdown immediate; startup mount; restore database; recover database;\n\
         alter database open;\n\
         crash after 3 io\n\
         }",
    ) {
        Statement::Rman(RmanCmd::Run(body)) => body.into_iter().map(|c| c.node).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let native = |s| RmanCmd::Native(Box::new(s));
    assert_eq!(
        cmds,
        vec![
            native(Statement::Shutdown(ShutdownMode::Immediate)),
            native(Statement::Startup {
                mode: StartupMode::Mount,
                force: false
            }),
            RmanCmd::Restore(RestoreTarget::Database),
            RmanCmd::Recover(RecoverTarget::Database),
            native(Statement::AlterDatabase(AlterDatabase::Open(None))),
            native(Statement::Crash {
                torn: false,
                after_io: Some(3)
            }),
        ]
    );
}

#[test]
fn stored_scripts() {
    let s = stmts(
        "create script nightly {\n  backup database;\n  backup archivelog all delete input;\n}\n\
         replace script \"Weekly\" { backup incremental level 0 database; }\n\
         run { execute script nightly; }\n\
         execute script nightly;\n",
    );
    assert!(matches!(
        &s[0],
        Statement::Rman(RmanCmd::CreateScript { name, replace: false, body }) if name == "NIGHTLY" && body.len() == 2
    ));
    assert!(matches!(
        &s[1],
        Statement::Rman(RmanCmd::CreateScript { name, replace: true, body }) if name == "Weekly" && body.len() == 1
    ));
    assert_eq!(
        s[3],
        Statement::Rman(RmanCmd::ExecuteScript("NIGHTLY".into()))
    );
}

#[test]
fn block_errors() {
    assert_eq!(
        err("run {\n  backup database;\n"),
        "scenario.scn:2:19: expected } to close the block"
    );
    assert_eq!(
        err("run {\n  run { backup database; }\n}\n"),
        "scenario.scn:2:3: expected an RMAN command (run blocks and stored scripts do not nest)"
    );
    assert_eq!(
        err("run {\n  session s1\n}\n"),
        "scenario.scn:2:3: expected an RMAN command, a SQL statement, a directive or }"
    );
    assert_eq!(
        err("run { backup database }\n"),
        "scenario.scn:1:23: expected ;"
    );
}

#[test]
fn unknown_statements_name_the_context() {
    assert_eq!(
        err("RMAN> frobnicate;\n"),
        "scenario.scn:1:7: expected an RMAN command, a SQL*Plus command, a SQL statement or a \
         directive"
    );
}

#[test]
fn rman_words_need_rman_context() {
    assert_eq!(
        err("backup database;\n"),
        "scenario.scn:1:1: expected a SQL*Plus command, a SQL statement or a directive \
         (BACKUP is an RMAN command: put it after an RMAN> prompt or inside run { … })"
    );
}

// ---- context and lexical rules ------------------------------------------

#[test]
fn pasted_session_with_prompts() {
    let text = "\
REM restore after losing a datafile
SQL> startup mount
ORACLE instance started.
";
    // Output lines are not part of a script: they are errors.
    assert_eq!(
        err(text),
        "scenario.scn:3:1: expected a SQL*Plus command, a SQL statement or a directive"
    );
    let text = "\
REM restore after losing a datafile
SQL> startup mount
SQL> -- now RMAN
RMAN> restore datafile 4;
RMAN> recover datafile 4; # and roll forward
RMAN> alter database open;
RMAN> startup force;
SQL> recover datafile 4
SQL> select * from v$recover_file;
";
    assert_eq!(
        stmts(text),
        vec![
            Statement::Startup {
                mode: StartupMode::Mount,
                force: false
            },
            Statement::Rman(RmanCmd::Restore(RestoreTarget::Datafile(FileRef::Number(
                4
            )))),
            Statement::Rman(RmanCmd::Recover(RecoverTarget::Datafile(FileRef::Number(
                4
            )))),
            Statement::AlterDatabase(AlterDatabase::Open(None)),
            Statement::Startup {
                mode: StartupMode::Open,
                force: true
            },
            Statement::Recover(Recover {
                automatic: false,
                target: RecoverTarget::Datafile(FileRef::Number(4)),
                until: None,
                using_backup_controlfile: false,
            }),
            Statement::Sql(SqlStmt::SelectView {
                view: "V$RECOVER_FILE".into(),
                filter: None
            }),
        ]
    );
}

#[test]
fn comments_of_all_three_kinds() {
    let text = "\
# an RMAN comment
-- a SQL comment
REM a SQL*Plus remark
remark another
startup mount -- trailing
RMAN> backup database; # trailing
RMAN> list backup -- split
2> of database;
";
    assert_eq!(stmts(text).len(), 3);
    let s = ok(text);
    assert_eq!((s.statements[0].line, s.statements[0].col), (5, 1));
    assert_eq!((s.statements[2].line, s.statements[2].col), (7, 7));
}

#[test]
fn several_statements_on_a_line() {
    assert_eq!(
        stmts("insert into t values (1, 'a'); commit;\nRMAN> backup database; list backup;\n")
            .len(),
        4
    );
}

#[test]
fn keywords_are_case_insensitive_and_names_fold() {
    assert_eq!(
        one("ALTER TABLESPACE Users Begin Backup;"),
        one("alter tablespace USERS begin backup;")
    );
    assert_eq!(
        one("insert into \"t\" values (1, 'A');"),
        Statement::Sql(SqlStmt::Insert {
            table: "t".into(),
            k: 1,
            v: "A".into()
        })
    );
}

#[test]
fn errors_count_columns_in_characters() {
    assert_eq!(
        err("echo é\nstartup bogus\n"),
        "scenario.scn:2:9: expected NOMOUNT, MOUNT, OPEN, FORCE or end of line"
    );
    assert_eq!(
        err("alter database datafile 'é' bogus;"),
        "scenario.scn:1:29: expected OFFLINE, ONLINE or END"
    );
}

#[test]
fn the_contract_example_error() {
    assert_eq!(
        err("startup mount\nRMAN> backup users;\n"),
        "scenario.scn:2:14: expected DATABASE, TABLESPACE, DATAFILE, CURRENT CONTROLFILE or \
         ARCHIVELOG"
    );
    let e = parse("scenario.scn", "recover\n").unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.col), ("scenario.scn", 1, 8));
    assert!(e.message.starts_with("expected "));
}

// ---- printing -----------------------------------------------------------

#[test]
fn printer_is_canonical() {
    let s = ok("set seed 9\n\
                STARTUP MOUNT;\n\
                RMAN> run {\n\
                2> allocate channel c1 device type disk;\n\
                3> backup tag 'Mon' database;\n\
                4> sql \"alter tablespace users offline\";\n\
                5> startup mount;\n\
                6> }\n\
                RMAN> list backup of database;\n\
                host copy '/a b' /c;\n\
                SQL> recover database until cancel\n\
                \n\
                cancel\n\
                echo done;;\n");
    assert_eq!(
        print(&s),
        "set seed 9\n\
         startup mount\n\
         run {\n\
         \x20 allocate channel c1 type disk;\n\
         \x20 backup tag \"Mon\" database;\n\
         \x20 sql \"alter tablespace users offline normal\";\n\
         \x20 startup mount;\n\
         }\n\
         RMAN> list backup of database;\n\
         SQL> host cp '/a b' /c\n\
         recover database until cancel\n\
         suggested\n\
         cancel\n\
         echo done;;\n"
    );
}

#[test]
fn print_statement_forms() {
    assert_eq!(
        print_statement(&Statement::ExpectError(1113)),
        "expect error ORA-01113"
    );
    assert_eq!(
        print_statement(&Statement::Rman(RmanCmd::Sql(Box::new(Statement::Sql(
            SqlStmt::Insert {
                table: "T".into(),
                k: 1,
                v: "it's \"x\"".into()
            }
        ))))),
        "sql \"insert into t values (1, ''it''''s \"\"x\"\"'')\";"
    );
}

#[test]
fn hand_written_scripts_round_trip() {
    round_trip(
        "set seed 1\nset threads 2\nstartup\nworkload 20 sessions=3\nmark m1\n\
         session s2\ninsert into t values (5, 'x');\ncrash torn after 9 io\nresolve 'adg'\n\
         startup\nexpect error ORA-01113\nrecover datafile 3\n'/u02/arch/x.arc'\nauto\n\
         alter database datafile 3 online;\nexpect data at &m1\n",
    );
    round_trip(
        "RMAN> run { allocate channel for maintenance type sbt; backup full tag \"t 1\" \
         format '%U' filesperset 1 skip readonly (archivelog from time 'SYSDATE-1') delete input;\n\
         set until logseq=&m thread=2;\nsql \"update t set v = ''q''''s'' where k = 1\";\n\
         echo inside }\n}\n\
         RMAN> setlimit channel c1 maxopenfiles 3;\nhost rm '-odd;name'\n\
         set pagesize 100 ;;\nconnect target /\nSQL> connect / as sysdba\n",
    );
    round_trip(
        "select * from v$log where status = '12';\nselect * from v$log where group# = 012;\n",
    );
    round_trip(
        "startup mount\nalter database clear logfile group 2;\n\
         alter database clear unarchived logfile group 3;\nalter database open;\n\
         select * from t;\nexpect rows 0\nselect * from \"My T\";\n",
    );
}

#[test]
fn op_descriptions_have_statements() {
    // Every simulator operation (runner::Op) has a statement to print as.
    let text = "session 1\ninsert into t values (1, 'v1');\nupdate t set v = 'v2' where k = 1;\n\
                delete from t where k = 1;\ncommit;\nrollback;\nalter system checkpoint;\n\
                alter system switch logfile;\ndbwr 16\narch\nshutdown normal\nshutdown abort\n\
                crash\ncrash after 40 io\nfault lose file '/u01/oradata/SIM/redo01a.log'\n";
    assert_eq!(stmts(text).len(), 15);
    round_trip(text);
}
