//! ORA- errors, printed the Oracle way (SPEC §12).
//!
//! An [`OraStack`] is what SQL*Plus prints: the error, then the errors that
//! explain it (ORA-01110 after a file error, ORA-00312 after ORA-00313, …).
//! A [`DbError`] says whether the statement failed with the instance alive, or
//! the instance died (power lost, or a fatal I/O error on a control file or the
//! current log): then nothing in memory may be trusted and the caller must
//! drop the instance.

use std::fmt;

/// One ORA- line: the code and its text with the parameters filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OraError {
    pub code: u32,
    pub text: String,
}

impl fmt::Display for OraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ORA-{:05}: {}", self.code, self.text)
    }
}

/// An error stack, most important first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OraStack(pub Vec<OraError>);

impl OraStack {
    pub fn one(code: u32, text: impl Into<String>) -> OraStack {
        OraStack(vec![OraError {
            code,
            text: text.into(),
        }])
    }
    pub fn then(mut self, code: u32, text: impl Into<String>) -> OraStack {
        self.0.push(OraError {
            code,
            text: text.into(),
        });
        self
    }
    /// The first (defining) code, or 0 for an empty stack.
    pub fn code(&self) -> u32 {
        self.0.first().map_or(0, |e| e.code)
    }
    pub fn has(&self, code: u32) -> bool {
        self.0.iter().any(|e| e.code == code)
    }
}

impl fmt::Display for OraStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// How a call into the engine failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The statement failed; the instance is still usable.
    Ora(OraStack),
    /// The instance is gone. `power_lost` tells a power failure (the disk is
    /// off) from an instance that terminated itself on a fatal error.
    Terminated { power_lost: bool, stack: OraStack },
}

impl DbError {
    pub fn ora(code: u32, text: impl Into<String>) -> DbError {
        DbError::Ora(OraStack::one(code, text))
    }
    pub fn stack(&self) -> &OraStack {
        match self {
            DbError::Ora(s) | DbError::Terminated { stack: s, .. } => s,
        }
    }
    pub fn is_terminated(&self) -> bool {
        matches!(self, DbError::Terminated { .. })
    }
    pub fn code(&self) -> u32 {
        self.stack().code()
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Ora(s) => write!(f, "{s}"),
            DbError::Terminated {
                power_lost: true, ..
            } => write!(f, "-- power lost"),
            DbError::Terminated { stack, .. } => {
                write!(f, "{stack}")?;
                if !stack.0.is_empty() {
                    writeln!(f)?;
                }
                write!(f, "-- instance terminated")
            }
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Builders for the errors the engine raises, so texts live in one place.
pub mod ora {
    use super::OraStack;

    pub fn file_line(file_no: u32, name: &str) -> (u32, String) {
        (1110, format!("data file {file_no}: '{name}'"))
    }
    /// `err` followed by ORA-01110 naming the file.
    pub fn with_file(err: OraStack, file_no: u32, name: &str) -> OraStack {
        let (c, t) = file_line(file_no, name);
        err.then(c, t)
    }
    pub fn needs_media_recovery(file_no: u32, name: &str) -> OraStack {
        with_file(
            OraStack::one(1113, format!("file {file_no} needs media recovery")),
            file_no,
            name,
        )
    }
    pub fn cannot_identify(file_no: u32, name: &str) -> OraStack {
        with_file(
            OraStack::one(
                1157,
                format!("cannot identify/lock data file {file_no} - see DBWR trace file"),
            ),
            file_no,
            name,
        )
    }
    pub fn block_corrupted(file_no: u32, block: u32, name: &str) -> OraStack {
        with_file(
            OraStack::one(
                1578,
                format!("ORACLE data block corrupted (file # {file_no}, block # {block})"),
            ),
            file_no,
            name,
        )
    }
    pub fn newer_than_controlfile(file_no: u32, name: &str) -> OraStack {
        let s = OraStack::one(
            1122,
            format!("database file {file_no} failed verification check"),
        );
        let (c, t) = file_line(file_no, name);
        s.then(c, t).then(
            1207,
            "file is more recent than control file - old control file",
        )
    }
    pub fn header_corrupt(file_no: u32, name: &str) -> OraStack {
        let s = OraStack::one(
            1122,
            format!("database file {file_no} failed verification check"),
        );
        let (c, t) = file_line(file_no, name);
        s.then(c, t).then(1210, "data file header is media corrupt")
    }
    pub fn from_before_resetlogs(file_no: u32, name: &str) -> OraStack {
        with_file(
            OraStack::one(
                1190,
                format!("control file or data file {file_no} is from before the last RESETLOGS"),
            ),
            file_no,
            name,
        )
    }
    pub fn log_group_unreadable(group: u32, thread: u32, members: &[String]) -> OraStack {
        let mut s = OraStack::one(
            313,
            format!("open failed for members of log group {group} of thread {thread}"),
        );
        for m in members {
            s = s.then(312, format!("online log {group} thread {thread}: '{m}'"));
        }
        s
    }
    pub fn controlfile_missing(name: &str) -> OraStack {
        OraStack::one(
            205,
            "error in identifying control file, check alert log for more info",
        )
        .then(202, format!("control file: '{name}'"))
        .then(27037, "unable to obtain file status")
    }
    pub fn controlfile_corrupt(name: &str) -> OraStack {
        OraStack::one(
            227,
            "corrupt block detected in control file: (block 1, # blocks 1)",
        )
        .then(202, format!("control file: '{name}'"))
    }
    pub fn controlfile_inconsistent(a: &str, va: u64, b: &str, vb: u64) -> OraStack {
        OraStack::one(
            214,
            format!("control file '{a}' version {va} inconsistent with file '{b}' version {vb}"),
        )
    }
    pub fn controlfile_write_failed(name: &str) -> OraStack {
        OraStack::one(221, "error on write to control file")
            .then(
                206,
                "error in writing (block 1, # blocks 1) of control file",
            )
            .then(202, format!("control file: '{name}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_print_like_sqlplus() {
        let s = ora::needs_media_recovery(4, "/u01/oradata/SIM/users01.dbf");
        assert_eq!(
            s.to_string(),
            "ORA-01113: file 4 needs media recovery\n\
             ORA-01110: data file 4: '/u01/oradata/SIM/users01.dbf'"
        );
        assert_eq!(s.code(), 1113);
        assert!(s.has(1110));
    }
}
