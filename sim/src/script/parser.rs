//! The scenario parser: tokens to [`Script`], by hand, one function per
//! statement family.
//!
//! Grammar choices (SCENARIO.md leaves these to us):
//!
//! - **Context.** Parsing starts in SQL*Plus context. A `RMAN>` prompt
//!   switches to RMAN context until a `SQL>` prompt. `run { … }`,
//!   `create|replace script NAME { … }` and `execute script NAME` are
//!   recognised in either context (their bodies are always RMAN), so a
//!   scenario written without prompts can still hold RMAN blocks.
//! - **RMAN context accepts SQL*Plus too**, as RMAN itself does: a line that
//!   does not start with an RMAN command is parsed as a SQL*Plus command or
//!   SQL statement (`RMAN> startup mount;`, `RMAN> alter database open;`)
//!   and yields the same statement as in SQL*Plus context. Where both have
//!   a meaning, RMAN wins: `recover`, `set until|maxcorrupt`,
//!   `connect target|catalog`, `delete [noprompt] obsolete`.
//! - **Terminators.** SQL statements and RMAN commands end at `;` and may
//!   span lines (continuation prompts `2>` are skipped). SQL*Plus commands
//!   and directives end at the end of the line, an optional `;` before it;
//!   in RMAN context and inside blocks a `;` also ends them, so
//!   `run { shutdown immediate; startup mount; }` reads as RMAN does.
//!   Several `;`-terminated statements may share a line.
//! - **Blocks** (`run`, stored scripts) hold RMAN commands, SQL,
//!   `startup`/`shutdown` and directives ([`RmanCmd::Native`]); they do not
//!   nest. A directive inside a block still ends at the end of its line.
//! - **Recovery answers.** Right after a SQL*Plus `recover` (and after each
//!   answer) a line holding `auto`, `cancel`, `suggested` or a quoted file
//!   name answers the next log prompt; so does an empty line, as RETURN
//!   does in SQL*Plus, until an `auto` or `cancel` answer closes the
//!   sequence. Elsewhere such lines are errors.
//! - **Preamble.** `set KEY VALUE` with a preamble key is a setting before
//!   the first statement and an error after it; other `set`s are SQL*Plus
//!   statements.
//! - **Verbatim tails.** `echo`, `host`/`!`, `connect` and SQL*Plus display
//!   `set`s take the rest of their line as text (so `echo step #1` prints
//!   `step #1`); `host` splits it into shell words, quotes allowed.
//! - **Errors** name the file, line and column and what was expected. When
//!   the unexpected thing is the end of a line (or a later line), the
//!   column is just past the last token read, where the missing word
//!   belongs.

use std::collections::BTreeMap;

use super::ast::*;
use super::lexer::{self, Prompt, Tok, Token};
use crate::disk::Fates;

/// A scenario that does not parse: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct ParseError {
    /// The file name given to [`parse`].
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub col: u32,
    /// What was expected, starting with "expected".
    pub message: String,
}

/// Parses a scenario. `file` only names the text in errors.
pub fn parse(file: &str, text: &str) -> Result<Script, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Parser::new(file, text).script()
}

pub(crate) type PResult<T> = Result<T, ParseError>;

/// The context a statement is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctx {
    SqlPlus,
    Rman,
}

/// What a statement may start with in SQL*Plus context.
const STATEMENT: &str = "a SQL*Plus command, a SQL statement or a directive";

/// What a statement may start with in RMAN context.
const RMAN_STATEMENT: &str = "an RMAN command, a SQL*Plus command, a SQL statement or a directive";

/// RMAN commands: in SQL*Plus context they get a hint instead of a bare error.
pub(crate) const RMAN_WORDS: [&str; 19] = [
    "allocate",
    "release",
    "setlimit",
    "backup",
    "copy",
    "restore",
    "replicate",
    "blockrecover",
    "sql",
    "list",
    "report",
    "crosscheck",
    "change",
    "catalog",
    "resync",
    "register",
    "reset",
    "run",
    "execute",
];

/// The parser state.
#[derive(Debug)]
pub(crate) struct Parser<'a> {
    pub(crate) file: &'a str,
    lines: Vec<&'a str>,
    toks: Vec<Token>,
    pos: usize,
    /// Index of the last token consumed.
    prev: usize,
    pub(crate) ctx: Ctx,
    /// Newlines and continuation prompts are skipped (SQL, RMAN).
    pub(crate) free: bool,
    /// Inside `run { … }` or a stored script.
    pub(crate) in_block: bool,
    /// End (line, column) of the last token of the current statement.
    last: Option<(u32, u32)>,
    script: Script,
    /// Line of each preamble setting seen.
    setting_lines: BTreeMap<&'static str, u32>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Parser<'a> {
        Parser {
            file,
            lines: lexer::lines(text),
            toks: lexer::tokenize(text),
            pos: 0,
            prev: 0,
            ctx: Ctx::SqlPlus,
            free: false,
            in_block: false,
            last: None,
            script: Script::default(),
            setting_lines: BTreeMap::new(),
        }
    }

    // ---- tokens -------------------------------------------------------

    fn skip_soft(&mut self) {
        if self.free {
            while matches!(
                self.toks[self.pos].tok,
                Tok::Newline { .. } | Tok::Prompt(Prompt::Continuation)
            ) {
                self.pos += 1;
            }
        }
    }

    /// The next token (newlines skipped in free mode).
    pub(crate) fn peek(&mut self) -> &Tok {
        self.skip_soft();
        &self.toks[self.pos].tok
    }

    /// The next token with its location.
    pub(crate) fn peek_token(&mut self) -> Token {
        self.skip_soft();
        self.toks[self.pos].clone()
    }

    /// The token `n` places after the next one on the same line, if any.
    pub(crate) fn peek_ahead(&mut self, n: usize) -> Tok {
        self.skip_soft();
        let at = (self.pos + n).min(self.toks.len() - 1);
        let here = self.toks[self.pos].line;
        match &self.toks[at] {
            t if t.line == here => t.tok.clone(),
            _ => Tok::Eof,
        }
    }

    /// Consumes the next token.
    pub(crate) fn bump(&mut self) -> Token {
        self.skip_soft();
        let t = self.toks[self.pos].clone();
        self.prev = self.pos;
        if !matches!(t.tok, Tok::Eof) {
            self.pos += 1;
        }
        self.last = Some((t.line, t.end_col));
        t
    }

    /// Forgets the statement's last token (a new statement starts).
    pub(crate) fn start_statement(&mut self) {
        self.last = None;
    }

    /// An error about the next token: "expected {expected}".
    pub(crate) fn error(&mut self, expected: &str) -> ParseError {
        let t = self.peek_token();
        if let Tok::Error(msg) = &t.tok {
            return self.error_at(t.line, t.col, msg.clone());
        }
        // Where a line (or the text) ends, or where a missing `;` lets the
        // next line run on, the fault is just past the last token read.
        let at_end = matches!(t.tok, Tok::Newline { .. } | Tok::Eof | Tok::Prompt(_));
        let (line, col) = match self.last {
            Some((l, c)) if at_end || (t.line > l && expected == ";") => (l, c),
            _ => (t.line, t.col),
        };
        self.error_at(line, col, format!("expected {expected}"))
    }

    /// An error at a given place; `message` starts with "expected".
    pub(crate) fn error_at(&self, line: u32, col: u32, message: String) -> ParseError {
        ParseError {
            file: self.file.to_string(),
            line,
            col,
            message,
        }
    }

    pub(crate) fn at(&mut self, kw: &str) -> bool {
        is_kw(self.peek(), kw)
    }

    pub(crate) fn eat(&mut self, kw: &str) -> bool {
        let hit = self.at(kw);
        if hit {
            self.bump();
        }
        hit
    }

    pub(crate) fn expect(&mut self, kw: &str, expected: &str) -> PResult<()> {
        if self.eat(kw) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Consumes one of `kws` (lower case) and returns it.
    pub(crate) fn choose(&mut self, kws: &[&'static str], expected: &str) -> PResult<&'static str> {
        for kw in kws {
            if self.eat(kw) {
                return Ok(kw);
            }
        }
        Err(self.error(expected))
    }

    /// Consumes one of `kws` if present.
    pub(crate) fn choose_opt(&mut self, kws: &[&'static str]) -> Option<&'static str> {
        kws.iter().copied().find(|kw| self.eat(kw))
    }

    pub(crate) fn eat_punct(&mut self, c: char) -> bool {
        let hit = *self.peek() == Tok::Punct(c);
        if hit {
            self.bump();
        }
        hit
    }

    pub(crate) fn expect_punct(&mut self, c: char, expected: &str) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    pub(crate) fn number(&mut self, expected: &str) -> PResult<u64> {
        match *self.peek() {
            Tok::Num(n) => {
                self.bump();
                Ok(n)
            }
            _ => Err(self.error(expected)),
        }
    }

    /// A name: an unquoted word (upper-cased) or a quoted string.
    pub(crate) fn name(&mut self, expected: &str) -> PResult<String> {
        match self.peek().clone() {
            Tok::Word(w) => {
                self.bump();
                Ok(w.to_uppercase())
            }
            Tok::Str(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.error(expected)),
        }
    }

    /// A quoted string.
    pub(crate) fn string(&mut self, expected: &str) -> PResult<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.error(expected)),
        }
    }

    /// A datafile number or quoted file name.
    pub(crate) fn file_ref(&mut self) -> PResult<FileRef> {
        match self.peek().clone() {
            Tok::Num(n) => {
                self.bump();
                Ok(FileRef::Number(n))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(FileRef::Name(s))
            }
            _ => Err(self.error("a file number or a quoted file name")),
        }
    }

    /// `&NAME` after the `&` was seen.
    fn mark_ref(&mut self) -> PResult<String> {
        self.bump();
        self.name("a mark name after &")
    }

    /// A number or `&NAME` where an SCN is expected.
    pub(crate) fn scn_ref(&mut self) -> PResult<ScnRef> {
        if *self.peek() == Tok::Punct('&') {
            return Ok(ScnRef::Mark(self.mark_ref()?));
        }
        Ok(ScnRef::Scn(self.number("an SCN or &MARK")?))
    }

    /// A number or `&NAME` where a log sequence is expected.
    pub(crate) fn seq_ref(&mut self) -> PResult<SeqRef> {
        if *self.peek() == Tok::Punct('&') {
            return Ok(SeqRef::Mark(self.mark_ref()?));
        }
        Ok(SeqRef::Seq(self.number("a log sequence or &MARK")?))
    }

    /// Ends a SQL statement or RMAN command: `;`.
    pub(crate) fn end_semicolon(&mut self) -> PResult<()> {
        self.expect_punct(';', ";")
    }

    /// Ends a SQL*Plus command or directive: an optional `;`, then the end
    /// of the line (in RMAN context and inside blocks the `;` suffices).
    pub(crate) fn end_line(&mut self) -> PResult<()> {
        if self.eat_punct(';') && (self.ctx == Ctx::Rman || self.in_block) {
            return Ok(());
        }
        match self.peek() {
            Tok::Newline { .. } | Tok::Eof => Ok(()),
            _ => Err(self.error("end of line")),
        }
    }

    /// Runs `f` with newlines significant (`free == false`) or not.
    pub(crate) fn with_mode<T>(
        &mut self,
        free: bool,
        f: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<T> {
        let saved = self.free;
        self.free = free;
        let r = f(self);
        self.free = saved;
        r
    }

    /// The rest of the current line after the last token consumed,
    /// verbatim, and the column where it starts. The line's tokens are
    /// skipped up to (not including) its end.
    pub(crate) fn rest_of_line(&mut self) -> (String, u32) {
        let t = self.toks[self.prev].clone();
        let line = self.lines.get(t.line as usize - 1).copied().unwrap_or("");
        let rest = line.get(t.end_byte..).unwrap_or("").to_string();
        while !matches!(self.toks[self.pos].tok, Tok::Newline { .. } | Tok::Eof) {
            self.pos += 1;
        }
        (rest, t.end_col)
    }

    /// The character where token `t` starts (its opening quote, say).
    pub(crate) fn char_at(&self, t: &Token) -> Option<char> {
        let line = self.lines.get((t.line as usize).checked_sub(1)?)?;
        line.chars().nth((t.col as usize).checked_sub(1)?)
    }

    // ---- the script ---------------------------------------------------

    fn script(mut self) -> PResult<Script> {
        loop {
            self.free = false;
            let t = self.toks[self.pos].clone();
            match t.tok {
                Tok::Eof => break,
                Tok::Newline { blank } => {
                    self.pos += 1;
                    if blank && self.blank_answers() {
                        let answer = Statement::Answer(RecoverAnswer::Suggested);
                        self.script.statements.push(Located::new(t.line, 1, answer));
                    }
                }
                Tok::Prompt(p) => {
                    self.pos += 1;
                    match p {
                        Prompt::Sql => self.ctx = Ctx::SqlPlus,
                        Prompt::Rman => self.ctx = Ctx::Rman,
                        Prompt::Continuation => {}
                    }
                }
                _ => {
                    self.start_statement();
                    if let Some(stmt) = self.top_statement()? {
                        self.script
                            .statements
                            .push(Located::new(t.line, t.col, stmt));
                    }
                }
            }
        }
        Ok(self.script)
    }

    /// The previous statement leaves a recovery prompt open to an answer.
    fn answer_may_follow(&self) -> bool {
        matches!(
            self.script.statements.last().map(|s| &s.node),
            Some(Statement::Recover(_) | Statement::Answer(_))
        )
    }

    /// What a statement may start with in the current context.
    fn statement_expected(&self) -> &'static str {
        match self.ctx {
            Ctx::SqlPlus => STATEMENT,
            Ctx::Rman => RMAN_STATEMENT,
        }
    }

    /// A blank line now answers a prompt (not after `auto` or `cancel`).
    fn blank_answers(&self) -> bool {
        matches!(
            self.script.statements.last().map(|s| &s.node),
            Some(
                Statement::Recover(_)
                    | Statement::Answer(RecoverAnswer::Suggested | RecoverAnswer::File(_))
            )
        )
    }

    /// One statement at top level; `None` for a preamble setting.
    fn top_statement(&mut self) -> PResult<Option<Statement>> {
        let tok = self.peek().clone();
        if self.ctx == Ctx::SqlPlus
            && let Some(answer) = self.answer(&tok)?
        {
            return Ok(Some(Statement::Answer(answer)));
        }
        let word = match &tok {
            Tok::Word(w) => w.to_ascii_lowercase(),
            Tok::Punct('!') => "!".to_string(),
            _ => return Err(self.error(self.statement_expected())),
        };
        if word == "set" && self.preamble_key_follows() {
            self.setting()?;
            return Ok(None);
        }
        if let Some(stmt) = self.directive(&word)? {
            return Ok(Some(stmt));
        }
        if self.rman_anywhere(&word) || (self.ctx == Ctx::Rman && self.rman_here(&word)) {
            let cmd = self.with_mode(true, |p| p.rman_command())?;
            return Ok(Some(Statement::Rman(cmd)));
        }
        if self.ctx == Ctx::SqlPlus && RMAN_WORDS.contains(&word.as_str()) {
            let hint = format!(
                "{STATEMENT} ({} is an RMAN command: put it after an RMAN> prompt or inside run {{ … }})",
                word.to_uppercase()
            );
            return Err(self.error(&hint));
        }
        self.sqlplus_or_sql(&word).map(Some)
    }

    /// `run`, `create|replace script`, `execute script`: RMAN in any context.
    fn rman_anywhere(&mut self, word: &str) -> bool {
        match word {
            "run" => true,
            "create" | "replace" | "execute" => is_kw(&self.peek_ahead(1), "script"),
            _ => false,
        }
    }

    /// In RMAN context: does `word` open an RMAN command (rather than
    /// SQL*Plus or SQL)?
    pub(crate) fn rman_here(&mut self, word: &str) -> bool {
        let next = self.peek_ahead(1);
        match word {
            "recover" => true,
            "set" => is_kw(&next, "until") || is_kw(&next, "maxcorrupt"),
            "connect" => is_kw(&next, "target") || is_kw(&next, "catalog"),
            "delete" => is_kw(&next, "obsolete") || is_kw(&next, "noprompt"),
            w => RMAN_WORDS.contains(&w),
        }
    }

    /// A recovery answer, if `tok` is one; an error if it is one out of place.
    fn answer(&mut self, tok: &Tok) -> PResult<Option<RecoverAnswer>> {
        let answer = match tok {
            Tok::Str(s) => RecoverAnswer::File(s.clone()),
            t if is_kw(t, "auto") => RecoverAnswer::Auto,
            t if is_kw(t, "cancel") => RecoverAnswer::Cancel,
            t if is_kw(t, "suggested") => RecoverAnswer::Suggested,
            _ => return Ok(None),
        };
        if !self.answer_may_follow() {
            let msg = format!("{STATEMENT} (an answer to a recovery prompt must follow RECOVER)");
            return Err(self.error(&msg));
        }
        self.bump();
        self.end_line()?;
        Ok(Some(answer))
    }

    // ---- preamble -----------------------------------------------------

    fn preamble_key_follows(&mut self) -> bool {
        match self.peek_ahead(1) {
            Tok::Word(w) => SETTING_KEYS.iter().any(|k| w.eq_ignore_ascii_case(k)),
            _ => false,
        }
    }

    /// `set KEY VALUE` of the preamble.
    fn setting(&mut self) -> PResult<()> {
        let set = self.bump();
        let key_tok = self.peek_token();
        let key = self.choose(&SETTING_KEYS, "a preamble setting")?;
        if let Some(first) = self.script.statements.first() {
            let msg = format!(
                "a statement (set {key} is a preamble setting, allowed only before the first statement, which is at line {})",
                first.line
            );
            return Err(self.error_at(set.line, set.col, format!("expected {msg}")));
        }
        if let Some(line) = self.setting_lines.get(key) {
            let msg = format!("expected set {key} only once (it is already set at line {line})");
            return Err(self.error_at(key_tok.line, key_tok.col, msg));
        }
        let setting = self.setting_value(key)?;
        self.end_line()?;
        self.setting_lines.insert(key, set.line);
        self.script
            .settings
            .push(Located::new(set.line, set.col, setting));
        Ok(())
    }

    fn setting_value(&mut self, key: &str) -> PResult<Setting> {
        let flag =
            |p: &mut Self| -> PResult<bool> { Ok(p.choose(&["on", "off"], "ON or OFF")? == "on") };
        Ok(match key {
            "seed" => Setting::Seed(self.number("a number")?),
            "archivelog" => Setting::Archivelog(flag(self)?),
            "threads" => match self.peek() {
                Tok::Num(n @ (1 | 2)) => {
                    let n = *n;
                    self.bump();
                    Setting::Threads(n)
                }
                _ => return Err(self.error("1 or 2")),
            },
            "log_groups" => Setting::LogGroups(self.number("a number")?),
            "log_members" => Setting::LogMembers(self.number("a number")?),
            "control_files" => Setting::ControlFiles(self.number("a number")?),
            "db_block_size" => Setting::DbBlockSize(self.number("a number")?),
            "os_block_size" => Setting::OsBlockSize(self.number("a number")?),
            "users_datafiles" => Setting::UsersDatafiles(self.number("a number")?),
            "torn_block_protection" => Setting::TornBlockProtection(flag(self)?),
            "cache_buffers" => Setting::CacheBuffers(self.number("a number")?),
            "log_blocks" => Setting::LogBlocks(self.number("a number")?),
            "log_buffer" => Setting::LogBuffer(self.number("a number")?),
            "plant" => Setting::Plant(self.string("a quoted planted-bug name")?),
            "release" => Setting::Release(self.release()?),
            "auto_archive" => Setting::AutoArchive(flag(self)?),
            _ => Setting::GarbageOnPowerLoss(flag(self)?),
        })
    }

    /// `8i`, `9i` or `10g` (lexed as a number and a word), or quoted.
    fn release(&mut self) -> PResult<Release> {
        let expected = "8i, 9i or 10g";
        let text = match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                s
            }
            Tok::Num(n) => {
                self.bump();
                match self.peek().clone() {
                    Tok::Word(w) => {
                        self.bump();
                        format!("{n}{w}")
                    }
                    _ => return Err(self.error(expected)),
                }
            }
            _ => return Err(self.error(expected)),
        };
        match text.to_ascii_lowercase().as_str() {
            "8i" => Ok(Release::R8i),
            "9i" => Ok(Release::R9i),
            "10g" => Ok(Release::R10g),
            _ => Err(self.error(expected)),
        }
    }

    // ---- SQL*Plus and SQL -------------------------------------------

    /// A SQL*Plus command or SQL statement starting with `word`.
    pub(crate) fn sqlplus_or_sql(&mut self, word: &str) -> PResult<Statement> {
        match word {
            "startup" => self.with_mode(false, |p| p.startup()),
            "shutdown" => self.with_mode(false, |p| p.shutdown()),
            "recover" => self.with_mode(false, |p| p.recover()),
            "set" => self.with_mode(false, |p| p.sqlplus_set()),
            "connect" | "conn" => self.with_mode(false, |p| {
                p.bump();
                p.rest_of_line();
                Ok(Statement::Connect)
            }),
            "host" | "!" => self.with_mode(false, |p| p.host()),
            _ => match self.with_mode(true, |p| p.sql_statement(word))? {
                Some(stmt) => Ok(stmt),
                None => Err(self.error(self.statement_expected())),
            },
        }
    }

    /// A SQL statement starting with `word`, up to and including its `;`;
    /// `None` (nothing consumed) when `word` does not start one.
    pub(crate) fn sql_statement(&mut self, word: &str) -> PResult<Option<Statement>> {
        let stmt = match word {
            "alter" => self.alter()?,
            "create" => self.create()?,
            "insert" | "update" | "delete" | "commit" | "rollback" | "select" => {
                Statement::Sql(self.dml(word)?)
            }
            _ => return Ok(None),
        };
        self.end_semicolon()?;
        Ok(Some(stmt))
    }

    fn startup(&mut self) -> PResult<Statement> {
        self.bump();
        let (mut mode, mut force) = (None, false);
        loop {
            let expected = "NOMOUNT, MOUNT, OPEN, FORCE or end of line";
            match self.peek() {
                t if is_kw(t, "force") && !force => force = true,
                t if mode.is_none() && is_kw(t, "nomount") => mode = Some(StartupMode::Nomount),
                t if mode.is_none() && is_kw(t, "mount") => mode = Some(StartupMode::Mount),
                t if mode.is_none() && is_kw(t, "open") => mode = Some(StartupMode::Open),
                Tok::Newline { .. } | Tok::Eof | Tok::Punct(';') => break,
                _ => return Err(self.error(expected)),
            }
            self.bump();
        }
        self.end_line()?;
        let mode = mode.unwrap_or(StartupMode::Open);
        Ok(Statement::Startup { mode, force })
    }

    fn shutdown(&mut self) -> PResult<Statement> {
        self.bump();
        let mode = match self.choose_opt(&["normal", "transactional", "immediate", "abort"]) {
            Some("transactional") => ShutdownMode::Transactional,
            Some("immediate") => ShutdownMode::Immediate,
            Some("abort") => ShutdownMode::Abort,
            _ => ShutdownMode::Normal,
        };
        if !matches!(
            self.peek(),
            Tok::Newline { .. } | Tok::Eof | Tok::Punct(';')
        ) {
            return Err(self.error("NORMAL, TRANSACTIONAL, IMMEDIATE, ABORT or end of line"));
        }
        self.end_line()?;
        Ok(Statement::Shutdown(mode))
    }

    /// The object of a `recover` (SQL*Plus or RMAN).
    pub(crate) fn recover_target(&mut self) -> PResult<RecoverTarget> {
        let what = self.choose(
            &["database", "tablespace", "datafile"],
            "DATABASE, TABLESPACE or DATAFILE",
        )?;
        Ok(match what {
            "database" => RecoverTarget::Database,
            "tablespace" => RecoverTarget::Tablespace(self.name("a tablespace name")?),
            _ => RecoverTarget::Datafile(self.file_ref()?),
        })
    }

    fn recover(&mut self) -> PResult<Statement> {
        self.bump();
        let automatic = self.eat("automatic");
        let target = self.recover_target()?;
        let (mut until, mut using_backup_controlfile) = (None, false);
        loop {
            if until.is_none() && self.eat("until") {
                until = Some(self.recover_until()?);
            } else if !using_backup_controlfile && self.eat("using") {
                self.expect("backup", "BACKUP")?;
                self.expect("controlfile", "CONTROLFILE")?;
                using_backup_controlfile = true;
            } else if matches!(
                self.peek(),
                Tok::Newline { .. } | Tok::Eof | Tok::Punct(';')
            ) {
                break;
            } else {
                return Err(self.error("UNTIL, USING or end of line"));
            }
        }
        self.end_line()?;
        Ok(Statement::Recover(Recover {
            automatic,
            target,
            until,
            using_backup_controlfile,
        }))
    }

    fn recover_until(&mut self) -> PResult<RecoverUntil> {
        Ok(
            match self.choose(&["cancel", "change", "time"], "CANCEL, CHANGE or TIME")? {
                "cancel" => RecoverUntil::Cancel,
                "change" => RecoverUntil::Change(self.scn_ref()?),
                _ => {
                    let t = self.peek_token();
                    let time = self.string("a quoted time 'YYYY-MM-DD HH24:MI:SS'")?;
                    if !is_recover_time(&time) {
                        let msg = "expected a time 'YYYY-MM-DD HH24:MI:SS'".to_string();
                        return Err(self.error_at(t.line, t.col, msg));
                    }
                    RecoverUntil::Time(time)
                }
            },
        )
    }

    /// `set …` after the preamble: autorecovery or a display option.
    fn sqlplus_set(&mut self) -> PResult<Statement> {
        self.bump();
        let expected = "AUTORECOVERY or a display option (ECHO, FEEDBACK, LINESIZE, PAGESIZE, …)";
        let name = match self.peek() {
            Tok::Word(w) => w.to_ascii_lowercase(),
            _ => return Err(self.error(expected)),
        };
        if name == "autorecovery" {
            self.bump();
            let on = self.choose(&["on", "off"], "ON or OFF")? == "on";
            self.end_line()?;
            return Ok(Statement::Set(SqlPlusSet::Autorecovery(on)));
        }
        if !DISPLAY_SETTINGS.contains(&name.as_str()) {
            return Err(self.error(expected));
        }
        self.bump();
        let (rest, _) = self.rest_of_line();
        let value = strip_line_end(&rest);
        Ok(Statement::Set(SqlPlusSet::Display { name, value }))
    }

    /// `host cp|copy|mv|rm …` / `! …`.
    fn host(&mut self) -> PResult<Statement> {
        let kw = self.bump();
        let (rest, col) = self.rest_of_line();
        let at = |p: &Self, offset: usize, msg: &str| {
            let col = col.saturating_add(lexer::column(offset));
            p.error_at(kw.line, col, format!("expected {msg}"))
        };
        let mut words = shell_words(&rest).map_err(|(o, m)| at(self, o, &m))?;
        // RMAN's `host 'cp a b';`: one quoted word holding the command.
        if let [only] = words.as_slice()
            && only.quoted
            && only.text.contains(char::is_whitespace)
        {
            let offset = only.offset + 1;
            words = shell_words(&only.text).map_err(|(o, m)| at(self, offset + o, &m))?;
            for w in &mut words {
                w.offset += offset;
            }
        }
        let expected = "CP, COPY, MV or RM";
        let Some(first) = words.first() else {
            return Err(at(self, rest.chars().count(), expected));
        };
        let args: Vec<&ShellWord> = words[1..]
            .iter()
            .filter(|w| w.quoted || !w.text.starts_with('-'))
            .collect();
        let end = rest.trim_end().chars().count();
        let want = |n: usize, what: &str| -> PResult<()> {
            match args.get(n) {
                Some(extra) => Err(at(self, extra.offset, "end of line")),
                _ if args.len() < n => Err(at(self, end, what)),
                _ => Ok(()),
            }
        };
        let cmd = match first.text.to_ascii_lowercase().as_str() {
            "cp" | "copy" => {
                want(2, "a source and a destination path")?;
                HostCmd::Cp {
                    src: args[0].text.clone(),
                    dst: args[1].text.clone(),
                }
            }
            "mv" => {
                want(2, "a source and a destination path")?;
                HostCmd::Mv {
                    src: args[0].text.clone(),
                    dst: args[1].text.clone(),
                }
            }
            "rm" => {
                want(1, "a path")?;
                HostCmd::Rm(args[0].text.clone())
            }
            _ => return Err(at(self, first.offset, expected)),
        };
        Ok(Statement::Host(cmd))
    }

    fn alter(&mut self) -> PResult<Statement> {
        self.bump();
        match self.choose(
            &["database", "system", "tablespace"],
            "DATABASE, SYSTEM or TABLESPACE",
        )? {
            "database" => Ok(Statement::AlterDatabase(self.alter_database()?)),
            "system" => Ok(Statement::AlterSystem(self.alter_system()?)),
            _ => {
                let tablespace = self.name("a tablespace name")?;
                let action = self.tablespace_action()?;
                Ok(Statement::AlterTablespace { tablespace, action })
            }
        }
    }

    fn alter_database(&mut self) -> PResult<AlterDatabase> {
        let expected = "MOUNT, OPEN, ARCHIVELOG, NOARCHIVELOG, BEGIN, END, DATAFILE, CREATE, BACKUP, DROP, ADD or CLEAR";
        let kws = [
            "mount",
            "open",
            "archivelog",
            "noarchivelog",
            "begin",
            "end",
            "datafile",
            "create",
            "backup",
            "drop",
            "add",
            "clear",
        ];
        Ok(match self.choose(&kws, expected)? {
            "mount" => AlterDatabase::Mount,
            "open" => AlterDatabase::Open(self.resetlogs_opt()),
            "archivelog" => AlterDatabase::Archivelog,
            "noarchivelog" => AlterDatabase::Noarchivelog,
            "begin" => {
                self.expect("backup", "BACKUP")?;
                AlterDatabase::BeginBackup
            }
            "end" => {
                self.expect("backup", "BACKUP")?;
                AlterDatabase::EndBackup
            }
            "datafile" => {
                let file = self.file_ref()?;
                let action =
                    match self.choose(&["offline", "online", "end"], "OFFLINE, ONLINE or END")? {
                        "offline" if self.eat("for") => {
                            self.expect("drop", "DROP")?;
                            DatafileAction::OfflineDrop
                        }
                        "offline" if self.eat("drop") => DatafileAction::OfflineDrop,
                        "offline" => DatafileAction::Offline,
                        "online" => DatafileAction::Online,
                        _ => {
                            self.expect("backup", "BACKUP")?;
                            DatafileAction::EndBackup
                        }
                    };
                AlterDatabase::Datafile { file, action }
            }
            "create" => {
                self.expect("datafile", "DATAFILE")?;
                let file = self.file_ref()?;
                let as_name = self.as_name()?;
                AlterDatabase::CreateDatafile { file, as_name }
            }
            "drop" => {
                self.expect("logfile", "LOGFILE")?;
                self.expect("member", "MEMBER")?;
                AlterDatabase::DropLogfileMember(self.string("a quoted file name")?)
            }
            "add" => {
                self.expect("logfile", "LOGFILE")?;
                self.expect("member", "MEMBER")?;
                let name = self.string("a quoted file name")?;
                self.expect("to", "TO")?;
                self.expect("group", "GROUP")?;
                AlterDatabase::AddLogfileMember {
                    name,
                    group: self.number("a group number")?,
                }
            }
            "clear" => {
                let unarchived = self.eat("unarchived");
                let expected = if unarchived {
                    "LOGFILE"
                } else {
                    "UNARCHIVED or LOGFILE"
                };
                self.expect("logfile", expected)?;
                self.expect("group", "GROUP")?;
                AlterDatabase::ClearLogfile {
                    group: self.number("a group number")?,
                    unarchived,
                }
            }
            _ => self.backup_controlfile()?,
        })
    }

    fn resetlogs_opt(&mut self) -> Option<Resetlogs> {
        match self.choose_opt(&["resetlogs", "noresetlogs"]) {
            Some("resetlogs") => Some(Resetlogs::Resetlogs),
            Some(_) => Some(Resetlogs::Noresetlogs),
            None => None,
        }
    }

    /// `[as 'name']`
    fn as_name(&mut self) -> PResult<Option<String>> {
        if self.eat("as") {
            return Ok(Some(self.string("a quoted file name")?));
        }
        Ok(None)
    }

    /// `backup controlfile to 'name' [reuse]` / `… to trace …`.
    fn backup_controlfile(&mut self) -> PResult<AlterDatabase> {
        self.expect("controlfile", "CONTROLFILE")?;
        self.expect("to", "TO")?;
        if self.eat("trace") {
            let mode = self.resetlogs_opt();
            let as_name = self.as_name()?;
            return Ok(AlterDatabase::BackupControlfileToTrace { mode, as_name });
        }
        let to = self.string("TRACE or a quoted file name")?;
        let reuse = self.eat("reuse");
        Ok(AlterDatabase::BackupControlfile { to, reuse })
    }

    fn alter_system(&mut self) -> PResult<AlterSystem> {
        let expected = "SWITCH, ARCHIVE or CHECKPOINT";
        Ok(
            match self.choose(&["switch", "archive", "checkpoint"], expected)? {
                "switch" => {
                    self.expect("logfile", "LOGFILE")?;
                    AlterSystem::SwitchLogfile
                }
                "archive" => {
                    self.expect("log", "LOG")?;
                    self.expect("current", "CURRENT")?;
                    AlterSystem::ArchiveLogCurrent
                }
                _ => AlterSystem::Checkpoint,
            },
        )
    }

    fn tablespace_action(&mut self) -> PResult<TablespaceAction> {
        let expected = "BEGIN, END, OFFLINE, ONLINE or READ";
        let kws = ["begin", "end", "offline", "online", "read"];
        Ok(match self.choose(&kws, expected)? {
            "begin" => {
                self.expect("backup", "BACKUP")?;
                TablespaceAction::BeginBackup
            }
            "end" => {
                self.expect("backup", "BACKUP")?;
                TablespaceAction::EndBackup
            }
            "offline" => match self.choose_opt(&["normal", "immediate"]) {
                Some("immediate") => TablespaceAction::Offline(OfflineMode::Immediate),
                _ => TablespaceAction::Offline(OfflineMode::Normal),
            },
            "online" => TablespaceAction::Online,
            _ => match self.choose(&["only", "write"], "ONLY or WRITE")? {
                "only" => TablespaceAction::ReadOnly,
                _ => TablespaceAction::ReadWrite,
            },
        })
    }

    /// `create table …` / `create controlfile …`.
    fn create(&mut self) -> PResult<Statement> {
        self.bump();
        match self.choose(&["table", "controlfile"], "TABLE, CONTROLFILE or SCRIPT")? {
            "table" => Ok(Statement::Sql(self.create_table()?)),
            _ => {
                let reuse = self.eat("reuse");
                self.expect("database", "REUSE or DATABASE")?;
                let database = self.name("a database name")?;
                let mode =
                    match self.choose(&["resetlogs", "noresetlogs"], "RESETLOGS or NORESETLOGS")? {
                        "resetlogs" => Resetlogs::Resetlogs,
                        _ => Resetlogs::Noresetlogs,
                    };
                let archivelog = match self.choose_opt(&["archivelog", "noarchivelog"]) {
                    Some("archivelog") => Some(true),
                    Some(_) => Some(false),
                    None => None,
                };
                Ok(Statement::CreateControlfile(CreateControlfile {
                    reuse,
                    database,
                    mode,
                    archivelog,
                }))
            }
        }
    }

    fn create_table(&mut self) -> PResult<SqlStmt> {
        let table = self.name("a table name")?;
        self.expect_punct('(', "(")?;
        let mut columns = vec![self.column_def()?];
        while self.eat_punct(',') {
            columns.push(self.column_def()?);
        }
        self.expect_punct(')', ", or )")?;
        let tablespace = if self.eat("tablespace") {
            Some(self.name("a tablespace name")?)
        } else {
            None
        };
        Ok(SqlStmt::CreateTable {
            table,
            columns,
            tablespace,
        })
    }

    fn column_def(&mut self) -> PResult<ColumnDef> {
        let name = self.name("a column name")?;
        let ty = match self.choose(&["number", "varchar2"], "NUMBER or VARCHAR2")? {
            "number" => ColumnType::Number,
            _ => {
                self.expect_punct('(', "(")?;
                let n = self.number("a length")?;
                self.expect_punct(')', ")")?;
                ColumnType::Varchar2(n)
            }
        };
        let primary_key = self.eat("primary");
        if primary_key {
            self.expect("key", "KEY")?;
        }
        Ok(ColumnDef {
            name,
            ty,
            primary_key,
        })
    }

    /// `insert`, `update`, `delete`, `commit`, `rollback`, `select`.
    fn dml(&mut self, word: &str) -> PResult<SqlStmt> {
        self.bump();
        match word {
            "insert" => self.insert(),
            "update" => {
                let table = self.name("a table name")?;
                self.expect("set", "SET")?;
                self.expect("v", "V")?;
                self.expect_punct('=', "=")?;
                let v = self.value()?;
                let k = self.where_k()?;
                Ok(SqlStmt::Update { table, v, k })
            }
            "delete" => {
                self.expect("from", "FROM")?;
                let table = self.name("a table name")?;
                let k = self.where_k()?;
                Ok(SqlStmt::Delete { table, k })
            }
            "commit" => Ok(SqlStmt::Commit),
            "rollback" => Ok(SqlStmt::Rollback),
            _ => self.select(),
        }
    }

    fn insert(&mut self) -> PResult<SqlStmt> {
        self.expect("into", "INTO")?;
        let table = self.name("a table name")?;
        if self.eat_punct('(') {
            self.expect("k", "K")?;
            self.expect_punct(',', ",")?;
            self.expect("v", "V")?;
            self.expect_punct(')', ")")?;
        }
        self.expect("values", "VALUES")?;
        self.expect_punct('(', "(")?;
        let k = self.number("a key (a number)")?;
        self.expect_punct(',', ",")?;
        let v = self.value()?;
        self.expect_punct(')', ")")?;
        Ok(SqlStmt::Insert { table, k, v })
    }

    /// A value for column `v`: a quoted string or a number (as text).
    fn value(&mut self) -> PResult<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(s)
            }
            Tok::Num(n) => {
                self.bump();
                Ok(n.to_string())
            }
            _ => Err(self.error("a quoted value")),
        }
    }

    /// `where k = N`
    fn where_k(&mut self) -> PResult<u64> {
        self.expect("where", "WHERE")?;
        self.expect("k", "K")?;
        self.expect_punct('=', "=")?;
        self.number("a key (a number)")
    }

    fn select(&mut self) -> PResult<SqlStmt> {
        if self.eat("count") {
            self.expect_punct('(', "(")?;
            self.expect_punct('*', "*")?;
            self.expect_punct(')', ")")?;
            self.expect("from", "FROM")?;
            let table = self.name("a table name")?;
            return Ok(SqlStmt::SelectCount { table });
        }
        self.expect_punct('*', "* or COUNT(*)")?;
        self.expect("from", "FROM")?;
        let t = self.peek_token();
        let table = self.name("a table or view name")?;
        if !table.starts_with("V$") {
            if !self.at("where") {
                return Ok(SqlStmt::SelectAll { table });
            }
            let k = self.where_k()?;
            return Ok(SqlStmt::SelectWhere { table, k });
        }
        if !VIEWS.contains(&table.as_str()) {
            let msg = format!("expected one of the views {}", VIEWS.join(", "));
            return Err(self.error_at(t.line, t.col, msg));
        }
        let filter = if self.eat("where") {
            let column = self.name("a column name")?;
            self.expect_punct('=', "=")?;
            Some((column, self.value()?))
        } else {
            None
        };
        Ok(SqlStmt::SelectView {
            view: table,
            filter,
        })
    }

    // ---- directives -----------------------------------------------------

    /// A simulator directive starting with `word`, if it is one.
    pub(crate) fn directive(&mut self, word: &str) -> PResult<Option<Statement>> {
        let known = [
            "workload", "crash", "resolve", "fault", "mark", "check", "expect", "echo", "dbwr",
            "arch", "session",
        ];
        if !known.contains(&word) {
            return Ok(None);
        }
        self.with_mode(false, |p| p.directive_body(word)).map(Some)
    }

    fn directive_body(&mut self, word: &str) -> PResult<Statement> {
        self.bump();
        let stmt = match word {
            "workload" => self.workload()?,
            "crash" => self.crash()?,
            "resolve" => self.resolve()?,
            "fault" => Statement::Fault(self.fault()?),
            "mark" => Statement::Mark(self.name("a mark name")?),
            "check" => Statement::Check,
            "expect" => self.expect_directive()?,
            "dbwr" => Statement::Dbwr {
                buffers: self.number("a number of buffers")?,
            },
            "arch" => Statement::Arch,
            "session" => Statement::Session(self.session_name()?),
            _ => {
                let (rest, _) = self.rest_of_line();
                return Ok(Statement::Echo(strip_line_end(&rest)));
            }
        };
        self.end_line()?;
        Ok(stmt)
    }

    fn session_name(&mut self) -> PResult<String> {
        if let Tok::Num(n) = *self.peek() {
            self.bump();
            return Ok(n.to_string());
        }
        self.name("a session name")
    }

    fn workload(&mut self) -> PResult<Statement> {
        let n = self.number("a number of transactions")?;
        let sessions = if self.eat("sessions") {
            self.eat_punct('=');
            Some(self.number("a number of sessions")?)
        } else {
            None
        };
        Ok(Statement::Workload { n, sessions })
    }

    fn crash(&mut self) -> PResult<Statement> {
        let (mut torn, mut after_io) = (false, None);
        loop {
            if !torn && self.eat("torn") {
                torn = true;
            } else if after_io.is_none() && self.eat("after") {
                after_io = Some(self.number("a number of I/Os")?);
                self.expect("io", "IO")?;
            } else {
                break;
            }
        }
        if !matches!(
            self.peek(),
            Tok::Newline { .. } | Tok::Eof | Tok::Punct(';')
        ) {
            return Err(self.error("TORN, AFTER or end of line"));
        }
        Ok(Statement::Crash { torn, after_io })
    }

    fn resolve(&mut self) -> PResult<Statement> {
        let t = self.peek_token();
        let (text, quoted) = match &t.tok {
            Tok::Str(s) => (s.clone(), 1),
            Tok::Word(w) => (w.clone(), 0),
            _ => return Err(self.error("a quoted string of the letters a, d, g, k and l")),
        };
        if text.is_empty() {
            let msg = "expected at least one of the letters a, d, g, k and l".to_string();
            return Err(self.error_at(t.line, t.col, msg));
        }
        if let Err((i, _)) = Fates::parse(&text, 0) {
            let col = t.col.saturating_add(lexer::column(i + quoted));
            let msg =
                "expected only the letters a, d, g (writes) and k, l (length changes)".to_string();
            return Err(self.error_at(t.line, col, msg));
        }
        self.bump();
        let namespace = match self.choose_opt(&["namespace"]) {
            Some(_) => Some(self.number("a number")?),
            None => None,
        };
        Ok(Statement::Resolve {
            fates: text.to_ascii_lowercase(),
            namespace,
        })
    }

    fn fault(&mut self) -> PResult<FaultCmd> {
        if self.eat("corrupt") {
            self.expect("datafile", "DATAFILE")?;
            let file = self.file_ref()?;
            self.expect("block", "BLOCK")?;
            let block = self.number("a block number")?;
            return Ok(FaultCmd::CorruptDatafileBlock { file, block });
        }
        self.expect("lose", "LOSE or CORRUPT")?;
        let expected = "DATAFILE, LOG, ONLINE, ARCHIVELOG, CONTROLFILE, BACKUP, DEVICE or FILE";
        let kws = [
            "datafile",
            "log",
            "online",
            "archivelog",
            "controlfile",
            "backup",
            "device",
            "file",
        ];
        Ok(match self.choose(&kws, expected)? {
            "datafile" => FaultCmd::LoseDatafile(self.file_ref()?),
            "log" => self.lose_log_group()?,
            "online" => {
                self.expect("logs", "LOGS")?;
                FaultCmd::LoseOnlineLogs
            }
            "archivelog" => {
                self.expect("thread", "THREAD")?;
                let thread = self.number("a thread number")?;
                self.expect("sequence", "SEQUENCE")?;
                let sequence = self.number("a log sequence")?;
                FaultCmd::LoseArchivelog { thread, sequence }
            }
            "controlfile" => FaultCmd::LoseControlfile {
                copy: if self.eat("copy") {
                    Some(self.number("a copy number")?)
                } else {
                    None
                },
            },
            "backup" => {
                self.expect("piece", "PIECE")?;
                if self.eat("all") {
                    FaultCmd::LoseBackupPiece(None)
                } else {
                    FaultCmd::LoseBackupPiece(Some(self.string("a quoted piece handle or ALL")?))
                }
            }
            "device" => FaultCmd::LoseDevice(self.string("a quoted path prefix")?),
            _ => FaultCmd::LoseFile(self.string("a quoted file name")?),
        })
    }

    fn lose_log_group(&mut self) -> PResult<FaultCmd> {
        self.expect("group", "GROUP")?;
        let group = if self.eat("current") {
            GroupRef::Current
        } else {
            GroupRef::Number(self.number("a group number or CURRENT")?)
        };
        let member = if self.eat("member") {
            Some(self.number("a member number")?)
        } else {
            None
        };
        Ok(FaultCmd::LoseLogGroup { group, member })
    }

    fn expect_directive(&mut self) -> PResult<Statement> {
        match self.choose(
            &["error", "success", "rows", "data"],
            "ERROR, SUCCESS, ROWS or DATA",
        )? {
            "error" => {
                let expected = "ORA-nnnnn";
                self.expect("ora", expected)?;
                self.expect_punct('-', expected)?;
                let t = self.peek_token();
                let n = self.number(expected)?;
                let n = u32::try_from(n).map_err(|_| {
                    self.error_at(
                        t.line,
                        t.col,
                        format!("expected an error number below {}", u32::MAX),
                    )
                })?;
                Ok(Statement::ExpectError(n))
            }
            "success" => Ok(Statement::ExpectSuccess),
            "rows" => Ok(Statement::ExpectRows(self.number("a number of rows")?)),
            _ => {
                if self.eat("complete") {
                    return Ok(Statement::ExpectDataComplete);
                }
                self.expect("at", "COMPLETE or AT")?;
                if self.eat("scn") {
                    return Ok(Statement::ExpectDataAt(ScnRef::Scn(self.number("an SCN")?)));
                }
                if *self.peek() == Tok::Punct('&') {
                    return Ok(Statement::ExpectDataAt(ScnRef::Mark(self.mark_ref()?)));
                }
                Err(self.error("&MARK or SCN"))
            }
        }
    }

    // ---- SQL inside RMAN's `sql "…"` --------------------------------

    /// Parses the text of `sql "…"` as one SQL statement (trailing `;`
    /// optional). Errors are placed on the string token `at`.
    pub(crate) fn inner_sql(&self, text: &str, at: &Token) -> PResult<Statement> {
        let mut inner = Parser::new(self.file, text);
        inner.free = true;
        let shift = |e: ParseError| {
            let col = at.col.saturating_add(e.col);
            ParseError {
                line: at.line,
                col,
                ..e
            }
        };
        let word = match inner.peek() {
            Tok::Word(w) => w.to_ascii_lowercase(),
            _ => return Err(shift(inner.error("a SQL statement"))),
        };
        inner.start_statement();
        let stmt = match word.as_str() {
            "alter" => inner.alter(),
            "create" => inner.create(),
            "insert" | "update" | "delete" | "commit" | "rollback" | "select" => {
                inner.dml(&word).map(Statement::Sql)
            }
            _ => Err(inner.error("a SQL statement")),
        }
        .map_err(shift)?;
        inner.eat_punct(';');
        if *inner.peek() != Tok::Eof {
            return Err(shift(inner.error("; or the end of the SQL text")));
        }
        Ok(stmt)
    }
}

/// Is `tok` the keyword `kw` (case-insensitively)?
pub(crate) fn is_kw(tok: &Tok, kw: &str) -> bool {
    matches!(tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
}

/// Trims a verbatim tail and drops one trailing `;`.
fn strip_line_end(rest: &str) -> String {
    let t = rest.trim();
    t.strip_suffix(';').unwrap_or(t).trim_end().to_string()
}

/// `YYYY-MM-DD HH24:MI:SS` (or with `:` between date and time).
fn is_recover_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digit_at = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    b.len() == 19
        && digit_at.iter().all(|&i| b[i].is_ascii_digit())
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b':')
        && b[13] == b':'
        && b[16] == b':'
}

/// A word of a `host` line.
#[derive(Debug)]
struct ShellWord {
    text: String,
    /// Any part was quoted (so a leading `-` is not an option).
    quoted: bool,
    /// Character offset in the tail.
    offset: usize,
    /// The last character is an unquoted `;` (a statement end, not a path).
    semicolon_last: bool,
}

/// Splits a `host` tail into shell words: blanks separate, `'…'`/`"…"`
/// quote (a doubled quote inside stands for one), a word starting with
/// `#` or a `--` word starts a comment, and a trailing `;` is dropped.
fn shell_words(rest: &str) -> Result<Vec<ShellWord>, (usize, String)> {
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() || chars[i] == '#' {
            break;
        }
        let word = shell_word(&chars, &mut i)?;
        if !word.quoted && word.text == "--" {
            break;
        }
        words.push(word);
    }
    if let Some(last) = words.last_mut() {
        if last.semicolon_last {
            last.text.pop();
            last.semicolon_last = false;
        }
        if last.text.is_empty() && !last.quoted {
            words.pop();
        }
    }
    Ok(words)
}

fn shell_word(chars: &[char], i: &mut usize) -> Result<ShellWord, (usize, String)> {
    let offset = *i;
    let (mut text, mut quoted, mut semicolon_last) = (String::new(), false, false);
    while *i < chars.len() && !chars[*i].is_whitespace() {
        let c = chars[*i];
        if c != '\'' && c != '"' {
            text.push(c);
            semicolon_last = c == ';';
            *i += 1;
            continue;
        }
        quoted = true;
        semicolon_last = false;
        let open = *i;
        *i += 1;
        loop {
            match chars.get(*i) {
                None => return Err((open, format!("a closing {c} before the end of the line"))),
                Some(&q) if q == c && chars.get(*i + 1) == Some(&c) => {
                    text.push(c);
                    *i += 2;
                }
                Some(&q) if q == c => {
                    *i += 1;
                    break;
                }
                Some(&q) => {
                    text.push(q);
                    *i += 1;
                }
            }
        }
    }
    Ok(ShellWord {
        text,
        quoted,
        offset,
        semicolon_last,
    })
}
