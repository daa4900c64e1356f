//! The latest recoverable point (INV-DATA-4, S-LOSS-3/4/6), computed from
//! plain data and never from the engine, so the checks and the simulator's
//! DBA planner can both ask "how far could recovery have gone?".
//!
//! Model: recovery applies one redo stream, in sequence order, from the
//! lowest starting checkpoint among the files it recovers; a lost log stops
//! it (S-LOSS-4). Every file reaches the same point P (S-IR-2), where
//! "recovered to P" means every change with SCN < P applied and none at or
//! above (UNTIL CHANGE P). A file with start S reaches P when
//!
//! - S <= P (a checkpoint beyond P cannot be taken back: ORA-01152),
//! - the surviving redo covers [S, P) without a gap, and
//! - P is at or past the start's consistent-from SCN (a crashed instance's
//!   file is consistent only at the end of that instance's redo, a hot-backup
//!   copy only past its end-backup marker: ORA-01194 / ORA-01195 otherwise).
//!
//! Because the stream from the lowest start covers every later start, the
//! conditions are per file: P is achievable exactly when each file has one
//! candidate start that reaches P. The best P for a choice of starts is the
//! end of the contiguous redo from its lowest start, so the only points worth
//! trying are the ends of the contiguous stretches of surviving redo and the
//! consistent-from SCNs (a start sitting in a gap reaches only its own
//! checkpoint, which is at most its consistent-from SCN). Tried from the
//! highest down, the first achievable one is the answer: with L logs, F
//! files and C candidates each, O((L + F·C) · F·C · log L) at worst, and one
//! pass over the logs.

use std::collections::BTreeMap;

use engine::scn::Scn;

/// Where a candidate starting state comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StartKind {
    /// The file on disk as it survived.
    Current,
    /// A backup copy of the file, by where it is.
    Backup { path: String },
}

impl std::fmt::Display for StartKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartKind::Current => write!(f, "the file as it is"),
            StartKind::Backup { path } => write!(f, "the copy '{path}'"),
        }
    }
}

/// One starting state a file could be recovered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: StartKind,
    /// The header checkpoint SCN: every change below it is in the copy.
    pub ckpt_scn: Scn,
    /// The SCN recovery must reach before this copy is consistent: its
    /// checkpoint for a cold copy or a cleanly closed file; the end of the
    /// crashed instance's redo for an online-fuzzy file; the end-backup
    /// SCN for a hot-backup copy. `Scn::MAX` when unknown (never
    /// consistent). A value below the checkpoint counts as the checkpoint.
    pub consistent_from: Scn,
}

impl Candidate {
    /// A copy that is consistent at its checkpoint (cold, or cleanly closed).
    pub fn clean(kind: StartKind, ckpt_scn: Scn) -> Candidate {
        Candidate {
            kind,
            ckpt_scn,
            consistent_from: ckpt_scn,
        }
    }

    /// A fuzzy copy, consistent only once recovery reaches `consistent_from`.
    pub fn fuzzy(kind: StartKind, ckpt_scn: Scn, consistent_from: Scn) -> Candidate {
        Candidate {
            kind,
            ckpt_scn,
            consistent_from,
        }
    }

    /// Whether the copy needs redo past its checkpoint to be consistent.
    pub fn is_fuzzy(&self) -> bool {
        self.consistent_from > self.ckpt_scn
    }

    fn needs(&self) -> Scn {
        self.consistent_from.max(self.ckpt_scn)
    }
}

/// A file that must be recovered and the states it could start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStarts {
    pub file_no: u32,
    pub candidates: Vec<Candidate>,
}

/// One log sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSpan {
    /// The incarnation it belongs to, by its number in the database's line
    /// (v$database_incarnation's INCARNATION#). Recovery through a
    /// RESETLOGS (10g) reads an ancestor's logs up to the point its child
    /// branched off, then the child's from sequence 1; an ancestor's last
    /// log is given ending at that point.
    pub incarnation: u32,
    pub seq: u32,
    pub first_scn: Scn,
    /// The first SCN past this log's redo: the next log's first SCN for a
    /// log switched out; for the current log, the SCN its surviving redo
    /// reaches (every change below it is in the log). None when unknown (a
    /// lost current log): the log then covers nothing, as if lost.
    pub next_scn: Option<Scn>,
    /// An archived copy or an online member still holds it.
    pub surviving: bool,
}

/// The redo of the thread, in any order (sorted here by incarnation and
/// sequence). It should list every sequence from the oldest any start needs
/// through the current one: a sequence not listed is a gap, and the last
/// one listed is taken as the end of the redo (for `complete`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redo {
    pub logs: Vec<LogSpan>,
}

/// The answer when some point is achievable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recoverable {
    /// The latest point P: every change below it can be recovered.
    pub point: Scn,
    /// The start chosen per file (the newest candidate that reaches P, so
    /// the least redo is applied).
    pub starts: BTreeMap<u32, Candidate>,
    /// P is the end of all the redo there is: no data loss is owed.
    pub complete: bool,
}

/// The latest recoverable point, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LatestPoint {
    Recoverable(Recoverable),
    /// No choice of starts gives a consistent point; `file_no` is a file
    /// that cannot be brought to one, and `reason` says why.
    Unrecoverable {
        file_no: u32,
        reason: String,
    },
}

impl LatestPoint {
    /// The latest point, if any.
    pub fn point(&self) -> Option<Scn> {
        match self {
            LatestPoint::Recoverable(r) => Some(r.point),
            LatestPoint::Unrecoverable { .. } => None,
        }
    }
}

/// A maximal stretch [first, next) of SCNs the surviving redo covers
/// without a gap, and the sequence that ends it (lost or missing; None: the
/// end of the redo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stretch {
    first: Scn,
    next: Scn,
    stopped_by: Option<LogId>,
}

/// A log by (incarnation, sequence), named as a DBA would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct LogId {
    incarnation: u32,
    seq: u32,
}

impl LogId {
    fn of(l: &LogSpan) -> LogId {
        LogId {
            incarnation: l.incarnation,
            seq: l.seq,
        }
    }

    /// Whether `next` is the log recovery reads after this one: the next
    /// sequence, or the first of a later incarnation.
    fn followed_by(self, next: LogId) -> bool {
        if next.incarnation == self.incarnation {
            self.seq.checked_add(1) == Some(next.seq)
        } else {
            next.incarnation > self.incarnation && next.seq == 1
        }
    }

    /// The log that should have come next, for naming a gap.
    fn successor_before(self, next: LogId) -> LogId {
        if next.incarnation == self.incarnation {
            LogId {
                seq: self.seq.saturating_add(1).min(next.seq),
                ..self
            }
        } else {
            LogId {
                seq: self.seq.saturating_add(1),
                ..self
            }
        }
    }
}

impl std::fmt::Display for LogId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sequence {} of incarnation {}",
            self.seq, self.incarnation
        )
    }
}

/// The surviving redo as contiguous stretches, in SCN order.
#[derive(Debug, Clone, Default)]
struct Coverage {
    stretches: Vec<Stretch>,
    /// The first SCN of each lost log, for naming a gap's sequence.
    lost: BTreeMap<Scn, LogId>,
}

impl Coverage {
    /// One pass over the logs in sequence order. A lost log, a log whose
    /// end is unknown, a missing sequence number or SCN ranges that do not
    /// abut each break the stream (corrupt input is a gap, never a panic).
    fn of(redo: &Redo) -> Coverage {
        let mut logs: Vec<&LogSpan> = redo.logs.iter().collect();
        logs.sort_by_key(|l| LogId::of(l));
        let mut c = Coverage::default();
        let mut open: Option<(Stretch, LogId)> = None;
        for l in logs {
            let id = LogId::of(l);
            let Some(next) = l.next_scn.filter(|_| l.surviving) else {
                if let Some((mut s, _)) = open.take() {
                    s.stopped_by = Some(id);
                    c.stretches.push(s);
                }
                c.lost.insert(l.first_scn, id);
                continue;
            };
            let next = next.max(l.first_scn);
            match open.as_mut() {
                Some((s, last)) if last.followed_by(id) && s.next == l.first_scn => {
                    s.next = next;
                    *last = id;
                }
                _ => {
                    if let Some((mut s, last)) = open.take() {
                        // The first sequence that does not follow on.
                        s.stopped_by = Some(last.successor_before(id));
                        c.stretches.push(s);
                    }
                    let s = Stretch {
                        first: l.first_scn,
                        next,
                        stopped_by: None,
                    };
                    open = Some((s, id));
                }
            }
        }
        c.stretches.extend(open.map(|(s, _)| s));
        c
    }

    /// Where the redo from `start` stops: the end of the stretch holding
    /// `start`, or `start` itself when no surviving redo holds it.
    fn reach(&self, start: Scn) -> Scn {
        self.stretch_at(start).map_or(start, |s| s.next)
    }

    fn stretch_at(&self, scn: Scn) -> Option<&Stretch> {
        let i = self.stretches.partition_point(|s| s.first <= scn);
        i.checked_sub(1)
            .map(|i| &self.stretches[i])
            .filter(|s| scn < s.next)
    }

    /// The end of all the redo: the last stretch's, if nothing after it
    /// was lost.
    fn complete_end(&self) -> Option<Scn> {
        self.stretches
            .last()
            .filter(|s| s.stopped_by.is_none())
            .map(|s| s.next)
    }
}

/// Whether candidate `c` reaches point `p` over coverage `cov`.
fn reaches(cov: &Coverage, c: &Candidate, p: Scn) -> bool {
    c.ckpt_scn <= p && c.needs() <= p && (c.ckpt_scn == p || cov.reach(c.ckpt_scn) >= p)
}

/// The latest point every file in `files` can be recovered to over `redo`
/// (see the module doc for the model).
pub fn latest_point(files: &[FileStarts], redo: &Redo) -> LatestPoint {
    let cov = Coverage::of(redo);
    let mut points: Vec<Scn> = cov.stretches.iter().map(|s| s.next).collect();
    points.extend(
        files
            .iter()
            .flat_map(|f| f.candidates.iter().map(Candidate::needs)),
    );
    points.sort_unstable();
    points.dedup();
    for &p in points.iter().rev() {
        if let Some(starts) = choose_starts(&cov, files, p) {
            return LatestPoint::Recoverable(Recoverable {
                point: p,
                starts,
                complete: cov.complete_end() == Some(p),
            });
        }
    }
    let (file_no, reason) = why_unrecoverable(&cov, files, &points);
    LatestPoint::Unrecoverable { file_no, reason }
}

/// The newest candidate of each file that reaches `p`, if every file has one.
fn choose_starts(cov: &Coverage, files: &[FileStarts], p: Scn) -> Option<BTreeMap<u32, Candidate>> {
    let mut starts = BTreeMap::new();
    for f in files {
        let best = f
            .candidates
            .iter()
            .filter(|c| reaches(cov, c, p))
            // Newest first (the least redo); on a tie the file on disk,
            // which needs no restore.
            .max_by_key(|c| (c.ckpt_scn, std::cmp::Reverse(&c.kind)))?;
        starts.insert(f.file_no, best.clone());
    }
    Some(starts)
}

/// Names a file that cannot reach any point; or, when each file alone
/// can reach some, the file whose latest reachable point is lowest, with
/// every file's reachable points (no one point is among all of them).
fn why_unrecoverable(cov: &Coverage, files: &[FileStarts], points: &[Scn]) -> (u32, String) {
    let mut reachable: Vec<(u32, Vec<Scn>)> = Vec::new();
    for f in files {
        let ok: Vec<Scn> = points
            .iter()
            .copied()
            .filter(|&p| f.candidates.iter().any(|c| reaches(cov, c, p)))
            .collect();
        if ok.is_empty() {
            return (f.file_no, why_file(cov, f));
        }
        reachable.push((f.file_no, ok));
    }
    let Some((lowest, _)) = reachable.iter().min_by_key(|(_, ok)| ok.last()) else {
        return (0, "no file to recover and no redo".to_string());
    };
    let each: Vec<String> = reachable
        .iter()
        .map(|(f, ok)| format!("file {f} at SCN {ok:?}"))
        .collect();
    (
        *lowest,
        format!(
            "no point is consistent for every file: each reaches only {}",
            each.join("; ")
        ),
    )
}

/// Why no candidate of `f` reaches any point, candidate by candidate.
fn why_file(cov: &Coverage, f: &FileStarts) -> String {
    if f.candidates.is_empty() {
        return format!("file {} has no surviving copy to start from", f.file_no);
    }
    let whys: Vec<String> = f
        .candidates
        .iter()
        .map(|c| {
            let reach = cov.reach(c.ckpt_scn);
            let stop = match cov.stretch_at(c.ckpt_scn) {
                Some(s) => match s.stopped_by {
                    Some(log) => format!("stops at SCN {reach} ({log} lost or missing)"),
                    None => format!("ends at SCN {reach}"),
                },
                None => match cov.lost.range(..=c.ckpt_scn).next_back() {
                    Some((_, log)) => format!("is in lost {log}"),
                    None => "is in no surviving log".to_string(),
                },
            };
            let from = match c.needs() {
                Scn::MAX => "can never be shown consistent (a crashed instance's file whose redo to the end is not all readable, or a hot-backup copy whose end is not known)".to_string(),
                n => format!("is consistent only from SCN {n}"),
            };
            format!(
                "{} (checkpoint SCN {}) {from}, and its redo {stop}",
                c.kind, c.ckpt_scn,
            )
        })
        .collect();
    format!(
        "file {} cannot be made consistent: {}",
        f.file_no,
        whys.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logs 1..=n of 100 SCNs each (sequence s holds [100·s, 100·s + 100)),
    /// the last open-ended at `end`; `lost` sequences gone.
    fn redo(n: u32, end: Scn, lost: &[u32]) -> Redo {
        let logs = (1..=n)
            .map(|s| LogSpan {
                incarnation: 1,
                seq: s,
                first_scn: 100 * Scn::from(s),
                next_scn: Some(if s == n {
                    end
                } else {
                    100 * Scn::from(s) + 100
                }),
                surviving: !lost.contains(&s),
            })
            .collect();
        Redo { logs }
    }

    fn backup(path: &str) -> StartKind {
        StartKind::Backup { path: path.into() }
    }

    fn file(file_no: u32, candidates: Vec<Candidate>) -> FileStarts {
        FileStarts {
            file_no,
            candidates,
        }
    }

    fn recoverable(l: LatestPoint) -> Recoverable {
        match l {
            LatestPoint::Recoverable(r) => r,
            LatestPoint::Unrecoverable { reason, .. } => panic!("unrecoverable: {reason}"),
        }
    }

    #[test]
    fn all_logs_surviving_is_complete_at_the_end() {
        let files = [
            file(1, vec![Candidate::fuzzy(StartKind::Current, 350, 455)]),
            file(2, vec![Candidate::clean(backup("/b/2"), 120)]),
        ];
        let r = recoverable(latest_point(&files, &redo(4, 456, &[])));
        assert_eq!(r.point, 456);
        assert!(r.complete);
        assert_eq!(r.starts[&2].kind, backup("/b/2"));
    }

    #[test]
    fn a_lost_archived_log_in_the_middle_stops_at_its_first_scn() {
        // Every start is before sequence 3: recovery stops where it begins.
        let files = [
            file(1, vec![Candidate::clean(backup("/b/1"), 150)]),
            file(2, vec![Candidate::clean(backup("/b/2"), 210)]),
        ];
        let r = recoverable(latest_point(&files, &redo(5, 550, &[3])));
        assert_eq!(r.point, 300);
        assert!(!r.complete);
        // Starts all past the gap: nothing lost.
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 420)])];
        let r = recoverable(latest_point(&files, &redo(5, 550, &[3])));
        assert_eq!((r.point, r.complete), (550, true));
    }

    #[test]
    fn a_too_new_backup_forces_an_older_one() {
        // Sequence 3 lost; file 2's newest backup is past the gap (it
        // cannot be taken back to 300: ORA-01152), its older one is not.
        let files = [
            file(1, vec![Candidate::clean(backup("/b/1"), 150)]),
            file(
                2,
                vec![
                    Candidate::clean(backup("/b/2-new"), 420),
                    Candidate::clean(backup("/b/2-old"), 180),
                ],
            ),
        ];
        let r = recoverable(latest_point(&files, &redo(5, 550, &[3])));
        assert_eq!(r.point, 300);
        assert_eq!(r.starts[&2].kind, backup("/b/2-old"));
    }

    #[test]
    fn a_hot_copy_ending_after_the_gap_gives_way_to_an_older_cold_copy() {
        // The hot copy begins at 250, its end-backup at 330 is past the gap
        // at 300: never consistent. The cold copy at 120 reaches 300.
        let files = [file(
            1,
            vec![
                Candidate::fuzzy(backup("/b/hot"), 250, 330),
                Candidate::clean(backup("/b/cold"), 120),
            ],
        )];
        let r = recoverable(latest_point(&files, &redo(5, 550, &[3])));
        assert_eq!(r.point, 300);
        assert_eq!(r.starts[&1].kind, backup("/b/cold"));
        // Without the cold copy: unrecoverable, and the reason says so.
        let files = [file(1, vec![Candidate::fuzzy(backup("/b/hot"), 250, 330)])];
        match latest_point(&files, &redo(5, 550, &[3])) {
            LatestPoint::Unrecoverable { file_no, reason } => {
                assert_eq!(file_no, 1);
                assert!(
                    reason.contains("330") && reason.contains("sequence 3 of incarnation 1 lost"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_crashed_file_with_its_current_log_lost_needs_a_backup() {
        // The instance crashed in sequence 4, which is lost: the current
        // file is consistent only at the end of that redo (480), past what
        // survives. The backup reaches the start of sequence 4.
        let mut r = redo(4, 480, &[4]);
        r.logs[3].next_scn = None;
        let files = [file(
            1,
            vec![
                Candidate::fuzzy(StartKind::Current, 390, 480),
                Candidate::clean(backup("/b/1"), 130),
            ],
        )];
        let got = recoverable(latest_point(&files, &r));
        assert_eq!((got.point, got.complete), (400, false));
        assert_eq!(got.starts[&1].kind, backup("/b/1"));
    }

    #[test]
    fn no_backup_and_a_gap_is_unrecoverable_with_a_reason() {
        let files = [
            file(1, vec![Candidate::fuzzy(StartKind::Current, 450, 520)]),
            file(2, vec![Candidate::clean(backup("/b/2"), 150)]),
        ];
        match latest_point(&files, &redo(5, 550, &[3])) {
            LatestPoint::Unrecoverable { file_no, reason } => {
                // File 2 reaches 300 at the latest, file 1 only 520 and on.
                assert_eq!(file_no, 2);
                assert!(
                    reason.contains("no point is consistent")
                        && reason.contains("file 2 at SCN [150, 300]"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // A file with no copy at all is named.
        match latest_point(&[file(7, vec![])], &redo(2, 250, &[])) {
            LatestPoint::Unrecoverable { file_no, reason } => {
                assert_eq!(file_no, 7);
                assert!(reason.contains("no surviving copy"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_sequence_or_non_abutting_ranges_are_gaps() {
        let mut r = redo(5, 550, &[]);
        r.logs.remove(2); // sequence 3 unknown
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 150)])];
        assert_eq!(latest_point(&files, &r).point(), Some(300));
        let mut r = redo(5, 550, &[]);
        r.logs[3].first_scn = 410; // sequence 4 does not start where 3 ends
        assert_eq!(latest_point(&files, &r).point(), Some(400));
        // Out of order in the input: sorted by sequence.
        let mut r = redo(5, 550, &[]);
        r.logs.reverse();
        assert_eq!(latest_point(&files, &r).point(), Some(550));
    }

    #[test]
    fn a_start_in_a_gap_reaches_only_its_own_checkpoint() {
        // A cold copy taken at 320, inside lost sequence 3: consistent at
        // 320 with no redo, but none can be applied to it.
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 320)])];
        let r = recoverable(latest_point(&files, &redo(5, 550, &[3])));
        assert_eq!(r.point, 320);
    }

    #[test]
    fn a_start_inside_a_lost_log_is_named_in_the_reason() {
        let files = [file(
            1,
            vec![Candidate::fuzzy(StartKind::Current, 320, 340)],
        )];
        match latest_point(&files, &redo(5, 550, &[3])) {
            LatestPoint::Unrecoverable { file_no, reason } => {
                assert_eq!(file_no, 1);
                assert!(
                    reason.contains("in lost sequence 3 of incarnation 1"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(files[0].candidates[0].is_fuzzy());
    }

    /// Incarnation 1's sequences 1..=3 (the last cut at the RESETLOGS point
    /// 350), then incarnation 2's 1..=2 from 350.
    fn two_incarnations(lost: &[(u32, u32)]) -> Redo {
        let span = |incarnation, seq, first_scn, next_scn| LogSpan {
            incarnation,
            seq,
            first_scn,
            next_scn: Some(next_scn),
            surviving: !lost.contains(&(incarnation, seq)),
        };
        Redo {
            logs: vec![
                span(2, 2, 400, 470),
                span(1, 1, 100, 200),
                span(1, 2, 200, 300),
                span(1, 3, 300, 350),
                span(2, 1, 350, 400),
            ],
        }
    }

    #[test]
    fn recovery_through_a_resetlogs_reads_on_into_the_child() {
        // A copy from the parent incarnation reaches the end of the child's
        // redo: sequence 1 of incarnation 2 follows sequence 3 of 1.
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 150)])];
        let r = recoverable(latest_point(&files, &two_incarnations(&[])));
        assert_eq!((r.point, r.complete), (470, true));
        // Without the child's first log it stops at the RESETLOGS point,
        // and the reason names the log by its incarnation.
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 150)])];
        let r = recoverable(latest_point(&files, &two_incarnations(&[(2, 1)])));
        assert_eq!((r.point, r.complete), (350, false));
        let files = [file(
            1,
            vec![Candidate::fuzzy(StartKind::Current, 360, 380)],
        )];
        match latest_point(&files, &two_incarnations(&[(2, 1)])) {
            LatestPoint::Unrecoverable { reason, .. } => {
                assert!(
                    reason.contains("in lost sequence 1 of incarnation 2"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // A missing parent log breaks the stream like any other gap.
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 150)])];
        let r = recoverable(latest_point(&files, &two_incarnations(&[(1, 2)])));
        assert_eq!(r.point, 200);
    }

    #[test]
    fn a_child_that_does_not_start_at_sequence_1_is_a_gap() {
        let mut redo = two_incarnations(&[]);
        redo.logs.retain(|l| (l.incarnation, l.seq) != (2, 1));
        redo.logs[0].first_scn = 350;
        redo.logs[0].seq = 2;
        let files = [file(1, vec![Candidate::clean(backup("/b/1"), 150)])];
        let r = recoverable(latest_point(&files, &redo));
        assert_eq!((r.point, r.complete), (350, false));
    }

    #[test]
    fn many_gaps_stay_cheap() {
        // Every other one of 20 000 sequences lost, eight files with six
        // copies each all starting in sequence 1: every stretch end is tried
        // from the top down before the answer at the first gap.
        let lost: Vec<u32> = (2..=20_000).step_by(2).collect();
        let r = redo(20_000, 2_000_050, &lost);
        let files: Vec<FileStarts> = (1..=8)
            .map(|f| {
                let c = (0..6)
                    .map(|i| Candidate::clean(backup(&format!("/b/{f}/{i}")), 100 + i))
                    .collect();
                file(f, c)
            })
            .collect();
        let got = recoverable(latest_point(&files, &r));
        assert_eq!((got.point, got.complete), (200, false));
        assert!(got.starts.values().all(|c| c.ckpt_scn == 105));
    }
}
