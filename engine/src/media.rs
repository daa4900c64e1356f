//! Media recovery (S-MR-1..6): RECOVER DATABASE | TABLESPACE | DATAFILE.
//!
//! Media recovery rolls restored (or offline-immediate, or hot-backup)
//! datafiles forward with archived and online redo until they are current.
//! It runs only on command. The files to recover are those of the target
//! that need it (a header behind its control-file record, a fuzzy bit from
//! a hot backup or an interrupted recovery, an offline-immediate status);
//! none: ORA-00264. Recovery starts at the lowest header checkpoint among
//! them (S-MR-2) and each file skips the redo older than its own header.
//! Logs come in sequence order: archived logs, asked for with ORA-00279 /
//! ORA-00289 / ORA-00280 unless the answer is AUTO, then the online logs
//! still holding the sequences, read without asking, up to the end of the
//! current log (complete recovery, S-MR-5). At each log boundary a
//! media-recovery checkpoint writes the recovered blocks and advances the
//! headers, so a recovery cut short by a power loss starts again from there.

use crate::scn::{Scn, SimTime};

/// What RECOVER recovers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverTarget {
    /// Every online datafile (the database mounted, not open).
    Database,
    /// The files of a tablespace (the database open, the tablespace offline).
    Tablespace(String),
    /// One file by number (mounted, or open with the file offline).
    Datafile(u32),
}

/// Recovery asks for a log it cannot open by itself (ORA-00279).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub thread: u32,
    pub seq: u32,
    /// The change recovery needs next.
    pub change: Scn,
    /// When that change was generated.
    pub time: SimTime,
    /// The archived log's name from LOG_ARCHIVE_DEST and LOG_ARCHIVE_FORMAT.
    pub suggestion: String,
}

/// The answer to a [`LogRequest`], as typed at `Specify log:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogAnswer {
    /// RET: the suggested name.
    Suggested,
    /// A file name.
    File(String),
    /// AUTO: this and every later request takes the suggestion.
    Auto,
    /// CANCEL: stop here.
    Cancel,
}

/// The modes of ALTER TABLESPACE … OFFLINE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineMode {
    Normal,
    Temporary,
    Immediate,
}

/// How a simulated time prints in ORA-00279 (`MM/DD/YYYY HH24:MI:SS`):
/// the simulated epoch is 2026-01-01 00:00:00, one tick a second.
pub fn format_time(t: SimTime) -> String {
    let (days, secs) = (t / 86_400, t % 86_400);
    // Months of 2026 onward, by the civil calendar.
    let (mut y, mut d) = (2026u64, days);
    loop {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = if leap { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!(
        "{:02}/{:02}/{y} {:02}:{:02}:{:02}",
        m + 1,
        d + 1,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_sqlplus_does() {
        assert_eq!(format_time(0), "01/01/2026 00:00:00");
        assert_eq!(format_time(86_400 * 31 + 3661), "02/01/2026 01:01:01");
        assert_eq!(format_time(86_400 * 365), "01/01/2027 00:00:00");
    }
}

// ----- the instance's entry points (filled in by the media-recovery work) --

use crate::error::{DbError, DbResult};
use crate::instance::Instance;
use crate::storage::Storage;

impl<S: Storage> Instance<S> {
    /// RECOVER [AUTOMATIC] DATABASE | TABLESPACE X | DATAFILE N. Returns
    /// what SQL*Plus prints (the prompts, ORA-00278 per log applied, `Log
    /// applied.`, `Media recovery complete.`) and how it ended. `answer` is
    /// asked at every prompt unless `automatic` (or an earlier AUTO).
    pub fn recover(
        &mut self,
        target: RecoverTarget,
        automatic: bool,
        answer: &mut dyn FnMut(&LogRequest) -> LogAnswer,
    ) -> (Vec<String>, DbResult<()>) {
        let _ = (target, automatic, answer);
        (Vec::new(), Err(DbError::ora(264, "no recovery required")))
    }
}
