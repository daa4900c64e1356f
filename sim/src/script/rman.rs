//! RMAN commands: the half of the parser that reads RMAN context, `run`
//! blocks and stored scripts.
//!
//! Each command ends at `;` and may span lines. Option words accept an
//! optional `=` (`logseq=5`, `logseq 5`, `filesperset=2`), and synonyms
//! RMAN itself accepts map to one AST value (`sequence` for `logseq`,
//! `device type` for `type`, `sbt` for `sbt_tape`). Backup options may
//! stand before or after the object, each once, as RMAN allows; the
//! object may be parenthesised (`backup (database);`).

use super::ast::*;
use super::lexer::{Prompt, Tok};
use super::parser::{PResult, Parser, RMAN_WORDS, is_kw};

/// What an RMAN command may start with.
const RMAN_COMMAND: &str = "an RMAN command";

impl Parser<'_> {
    /// An RMAN command (top level in RMAN context, or any context for
    /// `run`/`create script`/`execute script`), up to its end.
    pub(crate) fn rman_command(&mut self) -> PResult<RmanCmd> {
        let word = match self.peek() {
            Tok::Word(w) => w.to_ascii_lowercase(),
            _ => return Err(self.error(RMAN_COMMAND)),
        };
        match word.as_str() {
            "run" => self.run_block(),
            "create" | "replace" => self.create_script(),
            "connect" => self.rman_connect(),
            _ => {
                let cmd = self.rman_simple(&word)?;
                self.end_semicolon()?;
                Ok(cmd)
            }
        }
    }

    fn run_block(&mut self) -> PResult<RmanCmd> {
        self.bump();
        self.expect_punct('{', "{")?;
        Ok(RmanCmd::Run(self.block_body()?))
    }

    fn create_script(&mut self) -> PResult<RmanCmd> {
        let replace = is_kw(&self.bump().tok, "replace");
        self.expect("script", "SCRIPT")?;
        let name = self.name("a script name")?;
        self.expect_punct('{', "{")?;
        let body = self.block_body()?;
        Ok(RmanCmd::CreateScript {
            name,
            replace,
            body,
        })
    }

    /// The commands of a block after its `{`, through its `}` and an
    /// optional `;`.
    fn block_body(&mut self) -> PResult<Vec<Located<RmanCmd>>> {
        let saved = self.in_block;
        self.in_block = true;
        let body = self.with_mode(true, |p| p.block_commands());
        self.in_block = saved;
        let body = body?;
        self.eat_punct(';');
        Ok(body)
    }

    fn block_commands(&mut self) -> PResult<Vec<Located<RmanCmd>>> {
        let mut body = Vec::new();
        loop {
            let t = self.peek_token();
            match t.tok {
                Tok::Punct('}') => {
                    self.bump();
                    return Ok(body);
                }
                Tok::Eof | Tok::Prompt(Prompt::Sql | Prompt::Rman) => {
                    return Err(self.error("} to close the block"));
                }
                _ => {
                    self.start_statement();
                    let cmd = self.block_command()?;
                    body.push(Located::new(t.line, t.col, cmd));
                }
            }
        }
    }

    /// One command inside a block.
    fn block_command(&mut self) -> PResult<RmanCmd> {
        let expected = "an RMAN command, a SQL statement, a directive or }";
        let word = match self.peek() {
            Tok::Word(w) => w.to_ascii_lowercase(),
            _ => return Err(self.error(expected)),
        };
        let nests = word == "run"
            || ((word == "create" || word == "replace") && is_kw(&self.peek_ahead(1), "script"));
        if nests {
            return Err(self.error("an RMAN command (run blocks and stored scripts do not nest)"));
        }
        if word != "session"
            && let Some(stmt) = self.directive(&word)?
        {
            return Ok(RmanCmd::Native(Box::new(stmt)));
        }
        if self.rman_here(&word) {
            return self.rman_command();
        }
        if word == "startup" || word == "shutdown" {
            let stmt = self.sqlplus_or_sql(&word)?;
            return Ok(RmanCmd::Native(Box::new(stmt)));
        }
        match self.sql_statement(&word)? {
            Some(stmt) => Ok(RmanCmd::Native(Box::new(stmt))),
            None => Err(self.error(expected)),
        }
    }

    /// `connect target|catalog [string]`: ends at `;` or the end of line.
    fn rman_connect(&mut self) -> PResult<RmanCmd> {
        self.bump();
        let kind = match self.choose(&["target", "catalog"], "TARGET or CATALOG")? {
            "target" => ConnectKind::Target,
            _ => ConnectKind::Catalog,
        };
        if !self.with_mode(false, |p| Ok(p.eat_punct(';')))? {
            self.rest_of_line();
        }
        Ok(RmanCmd::Connect(kind))
    }

    /// An RMAN command without its `;`.
    fn rman_simple(&mut self, word: &str) -> PResult<RmanCmd> {
        if !RMAN_WORDS.contains(&word) && !matches!(word, "recover" | "set" | "delete") {
            return Err(self.error(RMAN_COMMAND));
        }
        self.bump();
        match word {
            "allocate" => Ok(RmanCmd::AllocateChannel(self.allocate()?)),
            "release" => {
                self.expect("channel", "CHANNEL")?;
                Ok(RmanCmd::ReleaseChannel(self.name("a channel name")?))
            }
            "setlimit" => self.setlimit(),
            "backup" => Ok(RmanCmd::Backup(self.backup()?)),
            "copy" => {
                self.expect("datafile", "DATAFILE")?;
                let file = self.file_ref()?;
                self.expect("to", "TO")?;
                let to = self.string("a quoted file name")?;
                Ok(RmanCmd::CopyDatafile { file, to })
            }
            "restore" => Ok(RmanCmd::Restore(self.restore()?)),
            "replicate" => {
                self.expect("controlfile", "CONTROLFILE")?;
                self.expect("from", "FROM")?;
                Ok(RmanCmd::ReplicateControlfile(
                    self.string("a quoted file name")?,
                ))
            }
            "recover" => Ok(RmanCmd::Recover(self.recover_target()?)),
            "blockrecover" => self.blockrecover(),
            "set" => self.rman_set(),
            "sql" => self.rman_sql(),
            "list" => self.list(),
            _ => self.rman_maintenance(word),
        }
    }

    /// The catalog and maintenance commands.
    fn rman_maintenance(&mut self, word: &str) -> PResult<RmanCmd> {
        match word {
            "report" => Ok(RmanCmd::Report(self.report()?)),
            "crosscheck" => {
                self.expect("backup", "BACKUP")?;
                Ok(RmanCmd::CrosscheckBackup)
            }
            "change" => {
                self.expect("backupset", "BACKUPSET")?;
                let n = self.number("a backup set number")?;
                self.expect("delete", "DELETE")?;
                Ok(RmanCmd::ChangeBackupsetDelete(n))
            }
            "delete" => {
                self.eat("noprompt");
                self.expect("obsolete", "OBSOLETE")?;
                Ok(RmanCmd::DeleteObsolete)
            }
            "catalog" => {
                self.expect("datafilecopy", "DATAFILECOPY")?;
                Ok(RmanCmd::CatalogDatafilecopy(
                    self.string("a quoted file name")?,
                ))
            }
            "resync" => {
                self.expect("catalog", "CATALOG")?;
                Ok(RmanCmd::ResyncCatalog)
            }
            "register" => {
                self.expect("database", "DATABASE")?;
                Ok(RmanCmd::RegisterDatabase)
            }
            "reset" => {
                self.expect("database", "DATABASE")?;
                Ok(RmanCmd::ResetDatabase)
            }
            _ => {
                self.expect("script", "SCRIPT")?;
                Ok(RmanCmd::ExecuteScript(self.name("a script name")?))
            }
        }
    }

    /// Consumes an optional `=` after an option word.
    fn eq(&mut self) {
        self.eat_punct('=');
    }

    fn allocate(&mut self) -> PResult<AllocateChannel> {
        self.expect("channel", "CHANNEL")?;
        let name = if self.at("for") {
            None
        } else {
            Some(self.name("a channel name or FOR")?)
        };
        let purpose = if self.eat("for") {
            match self.choose(&["delete", "maintenance"], "DELETE or MAINTENANCE")? {
                "delete" => Some(ChannelPurpose::Delete),
                _ => Some(ChannelPurpose::Maintenance),
            }
        } else {
            None
        };
        if !self.eat("device") && !self.at("type") {
            return Err(self.error("FOR, TYPE or DEVICE TYPE"));
        }
        self.expect("type", "TYPE")?;
        self.eq();
        let device = self.device_type()?;
        let format = if self.eat("format") {
            self.eq();
            Some(self.string("a quoted format")?)
        } else {
            None
        };
        Ok(AllocateChannel {
            name,
            purpose,
            device,
            format,
        })
    }

    fn device_type(&mut self) -> PResult<DeviceType> {
        let expected = "DISK or SBT_TAPE";
        let word = match self.peek() {
            Tok::Word(w) | Tok::Str(w) => w.to_ascii_lowercase(),
            _ => return Err(self.error(expected)),
        };
        let device = match word.as_str() {
            "disk" => DeviceType::Disk,
            "sbt_tape" | "sbt" => DeviceType::SbtTape,
            _ => return Err(self.error(expected)),
        };
        self.bump();
        Ok(device)
    }

    fn setlimit(&mut self) -> PResult<RmanCmd> {
        self.expect("channel", "CHANNEL")?;
        let channel = self.name("a channel name")?;
        let mut limits = ChannelLimits::default();
        loop {
            let slot = if limits.kbytes.is_none() && self.eat("kbytes") {
                &mut limits.kbytes
            } else if limits.maxopenfiles.is_none() && self.eat("maxopenfiles") {
                &mut limits.maxopenfiles
            } else if limits.readrate.is_none() && self.eat("readrate") {
                &mut limits.readrate
            } else {
                break;
            };
            self.eq();
            *slot = Some(self.number("a number")?);
        }
        if limits == ChannelLimits::default() {
            return Err(self.error("KBYTES, MAXOPENFILES or READRATE"));
        }
        Ok(RmanCmd::SetlimitChannel { channel, limits })
    }

    fn backup(&mut self) -> PResult<Backup> {
        let mut b = Backup {
            level: None,
            tag: None,
            format: None,
            filesperset: None,
            skip_readonly: false,
            object: BackupObject::Database,
            delete_input: false,
        };
        while self.backup_option(&mut b)? {}
        b.object = self.backup_object()?;
        while self.backup_option(&mut b)? {}
        if self.eat("delete") {
            self.eat("all");
            self.expect("input", "INPUT")?;
            b.delete_input = true;
        }
        Ok(b)
    }

    /// One backup option (each at most once); false when none follows.
    fn backup_option(&mut self, b: &mut Backup) -> PResult<bool> {
        if b.level.is_none() && self.eat("full") {
            b.level = Some(BackupLevel::Full);
        } else if b.level.is_none() && self.eat("incremental") {
            self.expect("level", "LEVEL")?;
            self.eq();
            let level = self.number("a level number")?;
            let cumulative = self.eat("cumulative");
            b.level = Some(BackupLevel::Incremental { level, cumulative });
        } else if b.tag.is_none() && self.eat("tag") {
            self.eq();
            b.tag = Some(self.name("a tag")?);
        } else if b.format.is_none() && self.eat("format") {
            self.eq();
            b.format = Some(self.string("a quoted format")?);
        } else if b.filesperset.is_none() && self.eat("filesperset") {
            self.eq();
            b.filesperset = Some(self.number("a number")?);
        } else if !b.skip_readonly && self.eat("skip") {
            self.expect("readonly", "READONLY")?;
            b.skip_readonly = true;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    fn backup_object(&mut self) -> PResult<BackupObject> {
        let paren = self.eat_punct('(');
        let expected = "DATABASE, TABLESPACE, DATAFILE, CURRENT CONTROLFILE or ARCHIVELOG";
        let kws = [
            "database",
            "tablespace",
            "datafile",
            "current",
            "archivelog",
        ];
        let object = match self.choose(&kws, expected)? {
            "database" => BackupObject::Database,
            "tablespace" => BackupObject::Tablespace(self.name("a tablespace name")?),
            "datafile" => BackupObject::Datafile(self.file_ref()?),
            "current" => {
                self.expect("controlfile", "CONTROLFILE")?;
                BackupObject::CurrentControlfile
            }
            _ => self.backup_archivelog()?,
        };
        if paren {
            self.expect_punct(')', ")")?;
        }
        Ok(object)
    }

    fn backup_archivelog(&mut self) -> PResult<BackupObject> {
        if self.eat("all") {
            return Ok(BackupObject::ArchivelogAll);
        }
        self.expect("from", "ALL or FROM")?;
        if self.eat("time") {
            self.eq();
            return Ok(BackupObject::ArchivelogFromTime(
                self.string("a quoted time")?,
            ));
        }
        self.logseq_word("LOGSEQ, SEQUENCE or TIME")?;
        let from = self.seq_ref()?;
        self.expect("until", "UNTIL")?;
        self.logseq_word("LOGSEQ or SEQUENCE")?;
        let until = self.seq_ref()?;
        let thread = self.thread_opt()?;
        Ok(BackupObject::ArchivelogRange {
            from,
            until,
            thread,
        })
    }

    /// `logseq` or `sequence`, then an optional `=`.
    fn logseq_word(&mut self, expected: &str) -> PResult<()> {
        self.choose(&["logseq", "sequence"], expected)?;
        self.eq();
        Ok(())
    }

    /// `[thread [=] T]`, 1 when absent.
    fn thread_opt(&mut self) -> PResult<u64> {
        if self.eat("thread") {
            self.eq();
            return self.number("a thread number");
        }
        Ok(1)
    }

    fn restore(&mut self) -> PResult<RestoreTarget> {
        let expected = "DATABASE, TABLESPACE, DATAFILE, CONTROLFILE or ARCHIVELOG";
        let kws = [
            "database",
            "tablespace",
            "datafile",
            "controlfile",
            "archivelog",
        ];
        Ok(match self.choose(&kws, expected)? {
            "database" => RestoreTarget::Database,
            "tablespace" => RestoreTarget::Tablespace(self.name("a tablespace name")?),
            "datafile" => RestoreTarget::Datafile(self.file_ref()?),
            "controlfile" => RestoreTarget::Controlfile {
                to: if self.eat("to") {
                    Some(self.string("a quoted file name")?)
                } else {
                    None
                },
            },
            _ => {
                self.expect("all", "ALL")?;
                RestoreTarget::ArchivelogAll
            }
        })
    }

    fn blockrecover(&mut self) -> PResult<RmanCmd> {
        self.expect("datafile", "DATAFILE")?;
        let file = self.file_ref()?;
        self.expect("block", "BLOCK")?;
        let mut blocks = vec![self.number("a block number")?];
        while self.eat_punct(',') {
            blocks.push(self.number("a block number")?);
        }
        Ok(RmanCmd::Blockrecover { file, blocks })
    }

    fn rman_set(&mut self) -> PResult<RmanCmd> {
        if self.eat("maxcorrupt") {
            self.expect("for", "FOR")?;
            self.expect("datafile", "DATAFILE")?;
            let file = self.file_ref()?;
            self.expect("to", "TO")?;
            let max = self.number("a number of blocks")?;
            return Ok(RmanCmd::SetMaxcorrupt { file, max });
        }
        self.expect("until", "UNTIL or MAXCORRUPT")?;
        let expected = "LOGSEQ, SEQUENCE, SCN or TIME";
        let until = match self.choose(&["logseq", "sequence", "scn", "time"], expected)? {
            "scn" => {
                self.eq();
                Until::Scn(self.scn_ref()?)
            }
            "time" => {
                self.eq();
                Until::Time(self.string("a quoted time")?)
            }
            _ => {
                self.eq();
                let seq = self.seq_ref()?;
                let thread = self.thread_opt()?;
                Until::Logseq { seq, thread }
            }
        };
        Ok(RmanCmd::SetUntil(until))
    }

    /// `sql "…"` / `sql '…'`. In a double-quoted text a doubled single
    /// quote stands for one, as RMAN documents for file names in SQL.
    fn rman_sql(&mut self) -> PResult<RmanCmd> {
        let t = self.peek_token();
        let text = self.string("a quoted SQL statement")?;
        let text = if self.char_at(&t) == Some('"') {
            text.replace("''", "'")
        } else {
            text
        };
        let stmt = self.inner_sql(&text, &t)?;
        Ok(RmanCmd::Sql(Box::new(stmt)))
    }

    fn list(&mut self) -> PResult<RmanCmd> {
        let kind = match self.choose(
            &["backup", "backupset", "copy"],
            "BACKUP, BACKUPSET or COPY",
        )? {
            "backup" => ListKind::Backup,
            "backupset" => ListKind::Backupset,
            _ => ListKind::Copy,
        };
        let of = if self.eat("of") {
            let expected = "DATABASE, TABLESPACE, DATAFILE or ARCHIVELOG";
            let kws = ["database", "tablespace", "datafile", "archivelog"];
            Some(match self.choose(&kws, expected)? {
                "database" => ListOf::Database,
                "tablespace" => ListOf::Tablespace(self.name("a tablespace name")?),
                "datafile" => ListOf::Datafile(self.file_ref()?),
                _ => {
                    self.expect("all", "ALL")?;
                    ListOf::ArchivelogAll
                }
            })
        } else {
            None
        };
        Ok(RmanCmd::List { kind, of })
    }

    fn report(&mut self) -> PResult<ReportKind> {
        let expected = "SCHEMA, NEED or UNRECOVERABLE";
        Ok(
            match self.choose(&["schema", "need", "unrecoverable"], expected)? {
                "schema" => ReportKind::Schema,
                "need" => {
                    self.expect("backup", "BACKUP")?;
                    ReportKind::NeedBackup
                }
                _ => {
                    self.eat("database");
                    ReportKind::UnrecoverableDatabase
                }
            },
        )
    }
}
