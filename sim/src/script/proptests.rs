//! Property: every well-formed [`Script`] prints to text that parses back
//! to the same script (locations aside), and printing that again gives the
//! same text.
//!
//! The strategies cover every `Statement`, `RmanCmd` and `Setting` variant
//! with small numbers (and the occasional `u64::MAX`) and names, file names
//! and texts drawn from fixed lists chosen to stress the printer: names
//! that need quotes, file names with quotes, blanks, `#`, `;` and a
//! leading `-`, echo texts that look like comments or end with `;`.
//! "Well-formed" is what the parser can produce: answers only right after a
//! `recover`, `RmanCmd::Native` only inside blocks, blocks never nested.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::*;

const NAMES: [&str; 8] = [
    "USERS", "SYSTEM", "T", "S1", "FILE#", "My Name", "q\"uote", "FOR",
];
const FILES: [&str; 6] = [
    "/u01/oradata/SIM/users01.dbf",
    "/u02/arch/arch_1_5_1.arc",
    "it's.dbf",
    "with space.log",
    "#hash;",
    "-odd",
];
const TEXTS: [&str; 7] = [
    "hello",
    "step #1 -- not a comment",
    "ends;",
    "",
    "it's \"quoted\"",
    "}",
    "a ; b",
];
const TIMES: [&str; 2] = ["2024-01-31 23:59:00", "2024-02-01:00:00:00"];

fn name() -> impl Strategy<Value = String> {
    select(&NAMES[..]).prop_map(String::from)
}

fn file() -> impl Strategy<Value = String> {
    select(&FILES[..]).prop_map(String::from)
}

fn text() -> impl Strategy<Value = String> {
    select(&TEXTS[..]).prop_map(String::from)
}

fn num() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0..100u64, 1 => Just(u64::MAX)]
}

fn flag() -> impl Strategy<Value = bool> {
    any::<bool>()
}

fn file_ref() -> impl Strategy<Value = FileRef> {
    prop_oneof![
        num().prop_map(FileRef::Number),
        file().prop_map(FileRef::Name)
    ]
}

fn scn_ref() -> impl Strategy<Value = ScnRef> {
    prop_oneof![num().prop_map(ScnRef::Scn), name().prop_map(ScnRef::Mark)]
}

fn seq_ref() -> impl Strategy<Value = SeqRef> {
    prop_oneof![num().prop_map(SeqRef::Seq), name().prop_map(SeqRef::Mark)]
}

fn resetlogs() -> impl Strategy<Value = Resetlogs> {
    prop_oneof![Just(Resetlogs::Resetlogs), Just(Resetlogs::Noresetlogs)]
}

// ---- settings -----------------------------------------------------------

fn settings() -> BoxedStrategy<Vec<Setting>> {
    let numbers = (num(), 1..=2u64, num(), num(), num(), num(), num(), num());
    let flags = (flag(), flag(), flag());
    let present = vec(flag(), 15);
    let extensions = (num(), num(), num());
    (numbers, flags, present, extensions)
        .prop_map(
            |(
                (seed, threads, g, m, c, db, os, u),
                (arch, torn, garbage),
                present,
                (cache, blocks, buffer),
            )| {
                let all = [
                    Setting::Seed(seed),
                    Setting::Archivelog(arch),
                    Setting::Threads(threads),
                    Setting::LogGroups(g),
                    Setting::LogMembers(m),
                    Setting::ControlFiles(c),
                    Setting::DbBlockSize(db),
                    Setting::OsBlockSize(os),
                    Setting::UsersDatafiles(u),
                    Setting::TornBlockProtection(torn),
                    Setting::GarbageOnPowerLoss(garbage),
                    Setting::CacheBuffers(cache),
                    Setting::LogBlocks(blocks),
                    Setting::LogBuffer(buffer),
                    Setting::Plant("skip-wal".into()),
                ];
                all.into_iter()
                    .zip(present)
                    .filter_map(|(s, keep)| keep.then_some(s))
                    .collect::<Vec<_>>()
            },
        )
        .prop_shuffle()
        .boxed()
}

// ---- SQL ----------------------------------------------------------------

fn alter_database() -> BoxedStrategy<AlterDatabase> {
    let action = prop_oneof![
        Just(DatafileAction::Offline),
        Just(DatafileAction::OfflineDrop),
        Just(DatafileAction::Online),
        Just(DatafileAction::EndBackup)
    ];
    prop_oneof![
        Just(AlterDatabase::Mount),
        proptest::option::of(resetlogs()).prop_map(AlterDatabase::Open),
        Just(AlterDatabase::Archivelog),
        Just(AlterDatabase::Noarchivelog),
        Just(AlterDatabase::BeginBackup),
        Just(AlterDatabase::EndBackup),
        (file_ref(), action).prop_map(|(file, action)| AlterDatabase::Datafile { file, action }),
        (file_ref(), proptest::option::of(file()))
            .prop_map(|(file, as_name)| AlterDatabase::CreateDatafile { file, as_name }),
        (file(), flag()).prop_map(|(to, reuse)| AlterDatabase::BackupControlfile { to, reuse }),
        file().prop_map(AlterDatabase::DropLogfileMember),
        (file(), num()).prop_map(|(name, group)| AlterDatabase::AddLogfileMember { name, group }),
        (num(), flag())
            .prop_map(|(group, unarchived)| AlterDatabase::ClearLogfile { group, unarchived }),
        (
            proptest::option::of(resetlogs()),
            proptest::option::of(file())
        )
            .prop_map(|(mode, as_name)| AlterDatabase::BackupControlfileToTrace { mode, as_name }),
    ]
    .boxed()
}

fn tablespace_action() -> BoxedStrategy<TablespaceAction> {
    prop_oneof![
        Just(TablespaceAction::BeginBackup),
        Just(TablespaceAction::EndBackup),
        Just(TablespaceAction::Offline(OfflineMode::Normal)),
        Just(TablespaceAction::Offline(OfflineMode::Immediate)),
        Just(TablespaceAction::Online),
        Just(TablespaceAction::ReadOnly),
        Just(TablespaceAction::ReadWrite),
    ]
    .boxed()
}

fn column_def() -> BoxedStrategy<ColumnDef> {
    let ty = prop_oneof![
        Just(ColumnType::Number),
        num().prop_map(ColumnType::Varchar2)
    ];
    (name(), ty, flag())
        .prop_map(|(name, ty, primary_key)| ColumnDef {
            name,
            ty,
            primary_key,
        })
        .boxed()
}

fn sql_stmt() -> BoxedStrategy<SqlStmt> {
    let filter_value = select(&["CURRENT", "3", "03", "it's", ""][..]).prop_map(String::from);
    let filter = proptest::option::of((name(), filter_value));
    prop_oneof![
        (
            name(),
            vec(column_def(), 1..3),
            proptest::option::of(name())
        )
            .prop_map(|(table, columns, tablespace)| SqlStmt::CreateTable {
                table,
                columns,
                tablespace
            }),
        (name(), num(), text()).prop_map(|(table, k, v)| SqlStmt::Insert { table, k, v }),
        (name(), text(), num()).prop_map(|(table, v, k)| SqlStmt::Update { table, v, k }),
        (name(), num()).prop_map(|(table, k)| SqlStmt::Delete { table, k }),
        Just(SqlStmt::Commit),
        Just(SqlStmt::Rollback),
        name().prop_map(|table| SqlStmt::SelectCount { table }),
        (name(), num()).prop_map(|(table, k)| SqlStmt::SelectWhere { table, k }),
        name().prop_map(|table| SqlStmt::SelectAll { table }),
        (select(&VIEWS[..]), filter).prop_map(|(view, filter)| SqlStmt::SelectView {
            view: view.to_string(),
            filter
        }),
    ]
    .boxed()
}

/// What `sql "…"` may hold.
fn sql_statement() -> BoxedStrategy<Statement> {
    let create_controlfile = (flag(), name(), resetlogs(), proptest::option::of(flag())).prop_map(
        |(reuse, database, mode, archivelog)| {
            Statement::CreateControlfile(CreateControlfile {
                reuse,
                database,
                mode,
                archivelog,
            })
        },
    );
    let alter_system = prop_oneof![
        Just(AlterSystem::SwitchLogfile),
        Just(AlterSystem::ArchiveLogCurrent),
        Just(AlterSystem::Checkpoint)
    ];
    prop_oneof![
        alter_database().prop_map(Statement::AlterDatabase),
        create_controlfile,
        alter_system.prop_map(Statement::AlterSystem),
        (name(), tablespace_action())
            .prop_map(|(tablespace, action)| Statement::AlterTablespace { tablespace, action }),
        sql_stmt().prop_map(Statement::Sql),
    ]
    .boxed()
}

// ---- SQL*Plus -----------------------------------------------------------

fn startup_shutdown() -> BoxedStrategy<Statement> {
    let mode = prop_oneof![
        Just(StartupMode::Nomount),
        Just(StartupMode::Mount),
        Just(StartupMode::Open)
    ];
    let shutdown = prop_oneof![
        Just(ShutdownMode::Normal),
        Just(ShutdownMode::Transactional),
        Just(ShutdownMode::Immediate),
        Just(ShutdownMode::Abort)
    ];
    prop_oneof![
        (mode, flag()).prop_map(|(mode, force)| Statement::Startup { mode, force }),
        shutdown.prop_map(Statement::Shutdown),
    ]
    .boxed()
}

fn recover_target() -> BoxedStrategy<RecoverTarget> {
    prop_oneof![
        Just(RecoverTarget::Database),
        name().prop_map(RecoverTarget::Tablespace),
        file_ref().prop_map(RecoverTarget::Datafile),
    ]
    .boxed()
}

fn recover() -> BoxedStrategy<Statement> {
    let until = prop_oneof![
        Just(RecoverUntil::Cancel),
        scn_ref().prop_map(RecoverUntil::Change),
        select(&TIMES[..]).prop_map(|t| RecoverUntil::Time(t.to_string())),
    ];
    (
        flag(),
        recover_target(),
        proptest::option::of(until),
        flag(),
    )
        .prop_map(|(automatic, target, until, using_backup_controlfile)| {
            Statement::Recover(Recover {
                automatic,
                target,
                until,
                using_backup_controlfile,
            })
        })
        .boxed()
}

fn answer() -> BoxedStrategy<Statement> {
    prop_oneof![
        Just(RecoverAnswer::Suggested),
        Just(RecoverAnswer::Auto),
        Just(RecoverAnswer::Cancel),
        file().prop_map(RecoverAnswer::File),
    ]
    .prop_map(Statement::Answer)
    .boxed()
}

fn sqlplus() -> BoxedStrategy<Statement> {
    let display_value = select(&["on", "200", "off;", "", "x -- y"][..]).prop_map(String::from);
    let set = prop_oneof![
        flag().prop_map(SqlPlusSet::Autorecovery),
        (select(&DISPLAY_SETTINGS[..]), display_value).prop_map(|(name, value)| {
            SqlPlusSet::Display {
                name: name.to_string(),
                value,
            }
        }),
    ];
    let host = prop_oneof![
        (file(), file()).prop_map(|(src, dst)| HostCmd::Cp { src, dst }),
        (file(), file()).prop_map(|(src, dst)| HostCmd::Mv { src, dst }),
        file().prop_map(HostCmd::Rm),
    ];
    let session = prop_oneof![name(), Just("2".to_string())];
    prop_oneof![
        startup_shutdown(),
        sql_statement(),
        set.prop_map(Statement::Set),
        Just(Statement::Connect),
        host.prop_map(Statement::Host),
        session.prop_map(Statement::Session),
    ]
    .boxed()
}

// ---- directives ---------------------------------------------------------

fn fault() -> BoxedStrategy<FaultCmd> {
    let group = prop_oneof![num().prop_map(GroupRef::Number), Just(GroupRef::Current)];
    prop_oneof![
        file_ref().prop_map(FaultCmd::LoseDatafile),
        (group, proptest::option::of(num()))
            .prop_map(|(group, member)| FaultCmd::LoseLogGroup { group, member }),
        Just(FaultCmd::LoseOnlineLogs),
        (num(), num()).prop_map(|(thread, sequence)| FaultCmd::LoseArchivelog { thread, sequence }),
        proptest::option::of(num()).prop_map(|copy| FaultCmd::LoseControlfile { copy }),
        proptest::option::of(file()).prop_map(FaultCmd::LoseBackupPiece),
        (file_ref(), num())
            .prop_map(|(file, block)| FaultCmd::CorruptDatafileBlock { file, block }),
        file().prop_map(FaultCmd::LoseDevice),
        file().prop_map(FaultCmd::LoseFile),
    ]
    .boxed()
}

/// The directives other than `session` (which is also valid in blocks).
fn directive() -> BoxedStrategy<Statement> {
    let simple = prop_oneof![
        Just(Statement::Check),
        any::<u32>().prop_map(Statement::ExpectError),
        Just(Statement::ExpectSuccess),
        num().prop_map(Statement::ExpectRows),
        Just(Statement::ExpectDataComplete),
        scn_ref().prop_map(Statement::ExpectDataAt),
        Just(Statement::Arch),
        num().prop_map(|buffers| Statement::Dbwr { buffers }),
    ];
    prop_oneof![
        (num(), proptest::option::of(num()))
            .prop_map(|(n, sessions)| Statement::Workload { n, sessions }),
        (flag(), proptest::option::of(num()))
            .prop_map(|(torn, after_io)| Statement::Crash { torn, after_io }),
        ("[adgkl]{1,8}", proptest::option::of(num()))
            .prop_map(|(fates, namespace)| Statement::Resolve { fates, namespace }),
        fault().prop_map(Statement::Fault),
        name().prop_map(Statement::Mark),
        text().prop_map(Statement::Echo),
        simple,
    ]
    .boxed()
}

// ---- RMAN -----------------------------------------------------------------

fn allocate() -> BoxedStrategy<AllocateChannel> {
    let purpose = proptest::option::of(prop_oneof![
        Just(ChannelPurpose::Delete),
        Just(ChannelPurpose::Maintenance)
    ]);
    let device = prop_oneof![Just(DeviceType::Disk), Just(DeviceType::SbtTape)];
    (
        proptest::option::of(name()),
        purpose,
        device,
        proptest::option::of(file()),
    )
        .prop_map(|(name, purpose, device, format)| AllocateChannel {
            // A channel without a name needs a purpose (`for …`) after it.
            name: if purpose.is_none() {
                Some(name.unwrap_or_else(|| "C1".to_string()))
            } else {
                name
            },
            purpose,
            device,
            format,
        })
        .boxed()
}

fn backup() -> BoxedStrategy<Backup> {
    let level = proptest::option::of(prop_oneof![
        Just(BackupLevel::Full),
        (num(), flag())
            .prop_map(|(level, cumulative)| BackupLevel::Incremental { level, cumulative }),
    ]);
    let object = prop_oneof![
        Just(BackupObject::Database),
        name().prop_map(BackupObject::Tablespace),
        file_ref().prop_map(BackupObject::Datafile),
        Just(BackupObject::CurrentControlfile),
        Just(BackupObject::ArchivelogAll),
        (seq_ref(), seq_ref(), num()).prop_map(|(from, until, thread)| {
            BackupObject::ArchivelogRange {
                from,
                until,
                thread,
            }
        }),
        select(&["SYSDATE-1", "2024-01-31 10:00:00"][..])
            .prop_map(|t| BackupObject::ArchivelogFromTime(t.to_string())),
    ];
    let options = (
        level,
        proptest::option::of(name()),
        proptest::option::of(file()),
        proptest::option::of(num()),
        flag(),
    );
    (options, object, flag())
        .prop_map(
            |((level, tag, format, filesperset, skip_readonly), object, delete_input)| Backup {
                level,
                tag,
                format,
                filesperset,
                skip_readonly,
                object,
                delete_input,
            },
        )
        .boxed()
}

fn restore_and_recover() -> BoxedStrategy<RmanCmd> {
    let restore = prop_oneof![
        Just(RestoreTarget::Database),
        name().prop_map(RestoreTarget::Tablespace),
        file_ref().prop_map(RestoreTarget::Datafile),
        proptest::option::of(file()).prop_map(|to| RestoreTarget::Controlfile { to }),
        Just(RestoreTarget::ArchivelogAll),
    ];
    let until = prop_oneof![
        (seq_ref(), num()).prop_map(|(seq, thread)| Until::Logseq { seq, thread }),
        scn_ref().prop_map(Until::Scn),
        select(&TIMES[..]).prop_map(|t| Until::Time(t.to_string())),
    ];
    prop_oneof![
        restore.prop_map(RmanCmd::Restore),
        recover_target().prop_map(RmanCmd::Recover),
        (file_ref(), vec(num(), 1..4))
            .prop_map(|(file, blocks)| RmanCmd::Blockrecover { file, blocks }),
        until.prop_map(RmanCmd::SetUntil),
        (file_ref(), num()).prop_map(|(file, max)| RmanCmd::SetMaxcorrupt { file, max }),
        (file_ref(), file()).prop_map(|(file, to)| RmanCmd::CopyDatafile { file, to }),
        file().prop_map(RmanCmd::ReplicateControlfile),
        sql_statement().prop_map(|s| RmanCmd::Sql(Box::new(s))),
    ]
    .boxed()
}

fn rman_catalog() -> BoxedStrategy<RmanCmd> {
    let kind = prop_oneof![
        Just(ListKind::Backup),
        Just(ListKind::Backupset),
        Just(ListKind::Copy)
    ];
    let of = proptest::option::of(prop_oneof![
        Just(ListOf::Database),
        name().prop_map(ListOf::Tablespace),
        file_ref().prop_map(ListOf::Datafile),
        Just(ListOf::ArchivelogAll),
    ]);
    let report = prop_oneof![
        Just(ReportKind::Schema),
        Just(ReportKind::NeedBackup),
        Just(ReportKind::UnrecoverableDatabase)
    ];
    let connect = prop_oneof![Just(ConnectKind::Target), Just(ConnectKind::Catalog)];
    prop_oneof![
        (kind, of).prop_map(|(kind, of)| RmanCmd::List { kind, of }),
        report.prop_map(RmanCmd::Report),
        Just(RmanCmd::CrosscheckBackup),
        num().prop_map(RmanCmd::ChangeBackupsetDelete),
        Just(RmanCmd::DeleteObsolete),
        file().prop_map(RmanCmd::CatalogDatafilecopy),
        Just(RmanCmd::ResyncCatalog),
        Just(RmanCmd::RegisterDatabase),
        Just(RmanCmd::ResetDatabase),
        connect.prop_map(RmanCmd::Connect),
    ]
    .boxed()
}

/// Every RMAN command that is not a block (nor `Native`).
fn rman_simple() -> BoxedStrategy<RmanCmd> {
    let limits = (
        proptest::option::of(num()),
        proptest::option::of(num()),
        proptest::option::of(num()),
    )
        .prop_map(|(kbytes, maxopenfiles, readrate)| ChannelLimits {
            kbytes: Some(kbytes.or(maxopenfiles).or(readrate).unwrap_or(1)),
            maxopenfiles,
            readrate,
        });
    prop_oneof![
        name().prop_map(RmanCmd::ExecuteScript),
        allocate().prop_map(RmanCmd::AllocateChannel),
        name().prop_map(RmanCmd::ReleaseChannel),
        (name(), limits).prop_map(|(channel, limits)| RmanCmd::SetlimitChannel { channel, limits }),
        backup().prop_map(RmanCmd::Backup),
        restore_and_recover(),
        rman_catalog(),
    ]
    .boxed()
}

/// A command inside `run { … }` or a stored script.
fn block_command() -> BoxedStrategy<Located<RmanCmd>> {
    let native = prop_oneof![startup_shutdown(), sql_statement(), directive()];
    prop_oneof![
        3 => rman_simple(),
        1 => native.prop_map(|s| RmanCmd::Native(Box::new(s))),
    ]
    .prop_map(Located::unlocated)
    .boxed()
}

fn rman_top() -> BoxedStrategy<RmanCmd> {
    prop_oneof![
        4 => rman_simple(),
        1 => vec(block_command(), 0..5).prop_map(RmanCmd::Run),
        1 => (name(), flag(), vec(block_command(), 0..4))
            .prop_map(|(name, replace, body)| RmanCmd::CreateScript { name, replace, body }),
    ]
    .boxed()
}

// ---- scripts --------------------------------------------------------------

/// One statement, or a `recover` with the answers that follow it.
fn item() -> BoxedStrategy<Vec<Statement>> {
    prop_oneof![
        3 => sqlplus().prop_map(|s| vec![s]),
        2 => directive().prop_map(|s| vec![s]),
        3 => rman_top().prop_map(|c| vec![Statement::Rman(c)]),
        1 => (recover(), vec(answer(), 0..4)).prop_map(|(r, answers)| {
            let mut all = vec![r];
            all.extend(answers);
            all
        }),
    ]
    .boxed()
}

fn script() -> impl Strategy<Value = Script> {
    (settings(), vec(item(), 0..10)).prop_map(|(settings, items)| Script {
        settings: settings.into_iter().map(Located::unlocated).collect(),
        statements: items
            .into_iter()
            .flatten()
            .map(Located::unlocated)
            .collect(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(script in script()) {
        let text = print(&script);
        let parsed = match parse("printed.scn", &text) {
            Ok(s) => s,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n--- text:\n{text}"))),
        };
        prop_assert_eq!(parsed.without_locations(), script.without_locations(), "{}", text);
        prop_assert_eq!(print(&parsed), text);
    }
}
