//! The scenario lexer: text to tokens, line by line.
//!
//! The language is line-oriented (SQL*Plus commands and directives end at
//! the end of the line) and `;`-oriented (SQL and RMAN end at `;`), so the
//! lexer keeps line ends as [`Tok::Newline`] tokens and the parser decides,
//! statement by statement, whether they matter. The choices:
//!
//! - A prompt at the start of a line (`SQL>`, `RMAN>`, or an RMAN
//!   continuation prompt `2>`, `3>` …; any case, leading blanks allowed)
//!   becomes a [`Tok::Prompt`]: the parser switches context on it and
//!   otherwise ignores it.
//! - Comments: `--` anywhere outside quotes, `#` where a token would start
//!   (so `file#` and `group#` stay column names), and lines whose first
//!   word is `REM` or `REMARK`. A comment leaves nothing behind.
//! - A line that holds nothing at all (not even a prompt or a comment) is
//!   a *blank* line: after `recover`, it answers a log prompt.
//! - Words are `[A-Za-z_][A-Za-z0-9_$#]*` (`v$log`, `file#`); numbers are
//!   decimal `u64`; strings use `'…'` or `"…"`, a doubled quote inside
//!   stands for one, and a string never spans lines.
//! - Any other character is a one-character [`Tok::Punct`].
//! - A malformed token (unterminated string, number too large) becomes a
//!   [`Tok::Error`] and the rest of its line is skipped: the parser reports
//!   it only if it gets there, because some statements (`echo`, `host`)
//!   take the rest of their line verbatim and never look at its tokens.

/// Which prompt opened a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prompt {
    /// `SQL>`: SQL*Plus context from here.
    Sql,
    /// `RMAN>`: RMAN context from here.
    Rman,
    /// `2>`, `3>` …: RMAN's continuation prompt, ignored.
    Continuation,
}

/// A token kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A word as written (keywords are compared case-insensitively).
    Word(String),
    /// A decimal number.
    Num(u64),
    /// A quoted string, quotes removed and doubled quotes undone.
    Str(String),
    /// Any other single character.
    Punct(char),
    /// A prompt at the start of a line.
    Prompt(Prompt),
    /// The end of a line; `blank` when the line held nothing at all.
    Newline { blank: bool },
    /// A malformed token; the message starts with "expected".
    Error(String),
    /// The end of the text.
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters) of the first character.
    pub col: u32,
    /// 1-based column just past the last character.
    pub end_col: u32,
    /// Byte offset just past the token in its line (for verbatim tails).
    pub end_byte: usize,
}

/// Splits `text` into lines (without their `\n` or `\r\n`).
pub(crate) fn lines(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if text.ends_with('\n') || text.is_empty() {
        out.pop();
    }
    out
}

/// Lexes the whole text. Always ends with [`Tok::Eof`].
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let all = lines(text);
    let mut out = Vec::new();
    for (i, line) in all.iter().enumerate() {
        LineLexer::new(line, line_number(i + 1), &mut out).run();
    }
    let last_line = line_number(all.len().max(1));
    let last_col = all.last().map_or(1, |l| column(l.chars().count() + 1));
    out.push(Token {
        tok: Tok::Eof,
        line: last_line,
        col: last_col,
        end_col: last_col,
        end_byte: all.last().map_or(0, |l| l.len()),
    });
    out
}

/// Converts a 1-based line index to the `u32` of a location (saturating:
/// a scenario of four billion lines is not a case worth an error path).
pub(crate) fn line_number(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Converts a 1-based column to `u32` (saturating).
pub(crate) fn column(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Lexes one line into `out`.
struct LineLexer<'a, 'o> {
    line: &'a str,
    /// (byte offset, char) of the line.
    chars: Vec<(usize, char)>,
    /// Index into `chars`.
    at: usize,
    line_no: u32,
    out: &'o mut Vec<Token>,
    /// Something (token, prompt or comment) was seen on the line.
    seen: bool,
}

impl<'a, 'o> LineLexer<'a, 'o> {
    fn new(line: &'a str, line_no: u32, out: &'o mut Vec<Token>) -> Self {
        LineLexer {
            line,
            chars: line.char_indices().collect(),
            at: 0,
            line_no,
            out,
            seen: false,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).map(|&(_, c)| c)
    }

    fn byte_at(&self, at: usize) -> usize {
        self.chars.get(at).map_or(self.line.len(), |&(b, _)| b)
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.seen = true;
        self.out.push(Token {
            tok,
            line: self.line_no,
            col: column(start + 1),
            end_col: column(self.at + 1),
            end_byte: self.byte_at(self.at),
        });
    }

    fn skip_blanks(&mut self) {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn run(mut self) {
        self.skip_blanks();
        self.prompt();
        self.skip_blanks();
        if self.rem_line() {
            self.seen = true;
        } else {
            while self.token() {}
        }
        let end = self.chars.len();
        self.at = end;
        let blank = !self.seen;
        self.push(Tok::Newline { blank }, end);
    }

    /// A prompt at the start of the line.
    fn prompt(&mut self) {
        let rest = &self.line[self.byte_at(self.at)..];
        let upper = rest.get(..5).map(str::to_ascii_uppercase);
        let len = if upper.as_deref() == Some("RMAN>") {
            Some((5, Prompt::Rman))
        } else if rest.get(..4).map(str::to_ascii_uppercase).as_deref() == Some("SQL>") {
            Some((4, Prompt::Sql))
        } else {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            (digits > 0 && rest[digits..].starts_with('>'))
                .then_some((digits + 1, Prompt::Continuation))
        };
        if let Some((n, prompt)) = len {
            let start = self.at;
            self.at += n;
            self.push(Tok::Prompt(prompt), start);
        }
    }

    /// A `REM`/`REMARK` line (after any prompt).
    fn rem_line(&self) -> bool {
        let word: String = self.chars[self.at..]
            .iter()
            .map(|&(_, c)| c)
            .take_while(|c| c.is_alphanumeric())
            .collect();
        word.eq_ignore_ascii_case("rem") || word.eq_ignore_ascii_case("remark")
    }

    /// Lexes one token; false at the end of the line (or of a comment).
    fn token(&mut self) -> bool {
        self.skip_blanks();
        let Some(c) = self.peek(0) else {
            return false;
        };
        let start = self.at;
        if c == '#' || (c == '-' && self.peek(1) == Some('-')) {
            self.seen = true;
            return false;
        }
        if c.is_alphabetic() || c == '_' {
            self.word(start);
        } else if c.is_ascii_digit() {
            return self.number(start);
        } else if c == '\'' || c == '"' {
            return self.string(start, c);
        } else {
            self.at += 1;
            self.push(Tok::Punct(c), start);
        }
        true
    }

    fn word(&mut self, start: usize) {
        while self
            .peek(0)
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '#'))
        {
            self.at += 1;
        }
        let text = self.line[self.byte_at(start)..self.byte_at(self.at)].to_string();
        self.push(Tok::Word(text), start);
    }

    fn number(&mut self, start: usize) -> bool {
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let text = &self.line[self.byte_at(start)..self.byte_at(self.at)];
        match text.parse::<u64>() {
            Ok(n) => {
                self.push(Tok::Num(n), start);
                true
            }
            Err(_) => {
                let msg = format!("expected a number no larger than {}", u64::MAX);
                self.push(Tok::Error(msg), start);
                false
            }
        }
    }

    fn string(&mut self, start: usize, quote: char) -> bool {
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek(0) {
                None => {
                    let msg = format!("expected a closing {quote} before the end of the line");
                    self.at = start + 1;
                    self.push(Tok::Error(msg), start);
                    return false;
                }
                Some(c) if c == quote && self.peek(1) == Some(quote) => {
                    text.push(quote);
                    self.at += 2;
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    self.push(Tok::Str(text), start);
                    return true;
                }
                Some(c) => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_numbers_strings_and_comments() {
        let toks = kinds("select * from v$log where group# = 1; -- hi\n");
        assert_eq!(
            toks,
            vec![
                Tok::Word("select".into()),
                Tok::Punct('*'),
                Tok::Word("from".into()),
                Tok::Word("v$log".into()),
                Tok::Word("where".into()),
                Tok::Word("group#".into()),
                Tok::Punct('='),
                Tok::Num(1),
                Tok::Punct(';'),
                Tok::Newline { blank: false },
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn prompts_rem_and_blank_lines() {
        let toks = kinds("SQL> startup\n\n  rem a remark\nRMAN>\n2> # only a comment\n");
        assert_eq!(
            toks,
            vec![
                Tok::Prompt(Prompt::Sql),
                Tok::Word("startup".into()),
                Tok::Newline { blank: false },
                Tok::Newline { blank: true },
                Tok::Newline { blank: false },
                Tok::Prompt(Prompt::Rman),
                Tok::Newline { blank: false },
                Tok::Prompt(Prompt::Continuation),
                Tok::Newline { blank: false },
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn doubled_quotes_and_unterminated_strings() {
        let toks = tokenize("'it''s' \"a\"\"b\"\n'open");
        assert_eq!(toks[0].tok, Tok::Str("it's".into()));
        assert_eq!(toks[1].tok, Tok::Str("a\"b".into()));
        assert_eq!((toks[1].col, toks[1].end_col), (9, 15));
        assert!(matches!(&toks[3].tok, Tok::Error(m) if m.starts_with("expected a closing '")));
        assert_eq!((toks[3].line, toks[3].col), (2, 1));
    }

    #[test]
    fn crlf_and_number_overflow() {
        let toks = kinds("seed 99999999999999999999999\r\nx\r\n");
        assert!(matches!(&toks[1], Tok::Error(_)));
        assert_eq!(toks[3], Tok::Word("x".into()));
    }
}
