//! INV-RL-1, -2, -4: the state OPEN RESETLOGS leaves, read from the files
//! on the storage (the newest control file, the datafile headers and blocks,
//! the logs); and the two judgements of an incomplete recovery's point:
//! INV-DATA-3 (the rows are the model's state at the point) and INV-DATA-4
//! (the point is not earlier than [`crate::point::latest_point`] allows).
//!
//! The incarnation checked is the control file's: OPEN RESETLOGS makes it
//! new (resetlogs SCN = the recovery's end point, a new resetlogs time) and
//! pushes the old one on `prior_incarnations`.

use std::collections::{BTreeMap, BTreeSet};

use engine::DbParams;
use engine::controlfile::{ControlFile, FileStatus, LogStatus};
use engine::datafile::Incarnation;
use engine::inspect::newest_controlfile;
use engine::params::Release;
use engine::redo::Op;
use engine::scn::Scn;
use engine::storage::{IoResult, Storage};

use crate::data::{RowDiff, diff_rows};
use crate::point::LatestPoint;
use crate::{Model, Violation};

/// The highest thread sequence right after OPEN RESETLOGS: the reset makes
/// it 1, and the open may switch once more (e.g. to archive at once). Any
/// more would mean log groups were reused before the open finished.
pub const MAX_SEQ_AFTER_RESETLOGS: u32 = 2;

/// INV-RL-1, right after OPEN RESETLOGS at `resetlogs_scn`: the control
/// file's incarnation is new (its resetlogs SCN is `resetlogs_scn`, its
/// resetlogs time is none of the prior incarnations') and every online
/// datafile header carries it; every enabled thread restarted at sequence 1
/// (at most [`MAX_SEQ_AFTER_RESETLOGS`], with the sequences of the online
/// groups and of the new incarnation's archived logs contiguous from 1);
/// and all online files share one checkpoint SCN, not below the resetlogs
/// SCN. A file whose header cannot be read is left to the open's own
/// checks (it could not have opened).
pub fn check_after_resetlogs<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    resetlogs_scn: Scn,
) -> IoResult<Vec<Violation>> {
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(Vec::new());
    };
    let mut out = incarnation_is_new(&cf, resetlogs_scn);
    let mut ckpts: BTreeMap<Scn, Vec<u32>> = BTreeMap::new();
    for r in cf
        .datafiles
        .iter()
        .filter(|r| r.status == FileStatus::Online)
    {
        let Ok(h) = crate::files::header(io, p, r)? else {
            continue;
        };
        if h.incarnation != cf.incarnation {
            out.push(Violation::new(
                "INV-RL-1",
                format!(
                    "file {} header is of incarnation {:?} after OPEN RESETLOGS made {:?}",
                    r.file_no, h.incarnation, cf.incarnation
                ),
            ));
        }
        ckpts.entry(h.ckpt_scn).or_default().push(r.file_no);
    }
    if ckpts.len() > 1 {
        out.push(Violation::new(
            "INV-RL-1",
            format!("online files are not checkpointed at one SCN after OPEN RESETLOGS: files by checkpoint SCN {ckpts:?}"),
        ));
    }
    for (scn, files) in ckpts.range(..resetlogs_scn) {
        out.push(Violation::new(
            "INV-RL-1",
            format!("files {files:?} are checkpointed at SCN {scn}, below the resetlogs SCN {resetlogs_scn}"),
        ));
    }
    out.extend(sequences_restarted(&cf));
    Ok(out)
}

/// The control file's incarnation is a new one, at `resetlogs_scn`.
fn incarnation_is_new(cf: &ControlFile, resetlogs_scn: Scn) -> Vec<Violation> {
    let mut out = Vec::new();
    let inc = cf.incarnation;
    if inc.resetlogs_scn != resetlogs_scn {
        out.push(Violation::new(
            "INV-RL-1",
            format!(
                "the control file's incarnation has resetlogs SCN {}, the OPEN RESETLOGS was at SCN {resetlogs_scn}",
                inc.resetlogs_scn
            ),
        ));
    }
    // The resetlogs time names the incarnation (archived-log names, the
    // guard against old redo): a reused one is no new incarnation.
    if cf.prior_incarnations.is_empty()
        || cf
            .prior_incarnations
            .iter()
            .any(|o| o.resetlogs_time == inc.resetlogs_time)
    {
        out.push(Violation::new(
            "INV-RL-1",
            format!(
                "the control file's incarnation {inc:?} is not new: prior incarnations {:?}",
                cf.prior_incarnations
            ),
        ));
    }
    out
}

/// Every enabled thread restarted at sequence 1, and its sequences since
/// are contiguous.
fn sequences_restarted(cf: &ControlFile) -> Vec<Violation> {
    let mut out = Vec::new();
    for t in cf.threads.iter().filter(|t| t.enabled) {
        let cur = t.current_seq;
        if !(1..=MAX_SEQ_AFTER_RESETLOGS).contains(&cur) {
            out.push(Violation::new(
                "INV-RL-1",
                format!(
                    "thread {} is at sequence {cur} right after OPEN RESETLOGS, want 1 (at most {MAX_SEQ_AFTER_RESETLOGS})",
                    t.thread
                ),
            ));
        }
        // Every online group was cleared by the reset: its sequence is of
        // the new incarnation, like the archived logs stamped with it.
        let online = cf
            .log_groups
            .iter()
            .filter(|g| g.thread == t.thread && g.status != LogStatus::Unused)
            .map(|g| (g.seq, format!("group {}", g.group)));
        let archived = cf
            .archived_logs
            .iter()
            .filter(|a| a.thread == t.thread && a.incarnation == cf.incarnation)
            .map(|a| (a.seq, format!("archived log '{}'", a.name)));
        let mut seen = BTreeSet::new();
        for (seq, what) in online.chain(archived) {
            seen.insert(seq);
            if seq == 0 || seq > cur {
                out.push(Violation::new(
                    "INV-RL-1",
                    format!(
                        "{what} of thread {} holds sequence {seq} of the new incarnation, outside 1..={cur}",
                        t.thread
                    ),
                ));
            }
        }
        if let Some(gap) = (1..=cur).find(|s| !seen.contains(s)) {
            out.push(Violation::new(
                "INV-RL-1",
                format!(
                    "thread {} is at sequence {cur} but no log of the new incarnation holds sequence {gap}: not contiguous from 1",
                    t.thread
                ),
            ));
        }
    }
    out
}

/// INV-RL-2, after OPEN RESETLOGS following recovery to `point`: the control
/// file's resetlogs SCN is the point, and no block of an online datafile
/// holds a change at or above it (none from after the point survived).
///
/// A block the new incarnation changed (the open's own rollback of the
/// transactions left open at the point, or any work since) holds an SCN
/// above the point too; it is told apart by the new incarnation's redo,
/// which must hold a change to that block at exactly that SCN. So the check
/// is exact right after the open and stays sound as long as the new
/// incarnation's redo is readable (online or archived); a block whose
/// change cannot be found is reported.
pub fn check_nothing_after_point<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    point: Scn,
) -> IoResult<Vec<Violation>> {
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if cf.incarnation.resetlogs_scn != point {
        out.push(Violation::new(
            "INV-RL-2",
            format!(
                "resetlogs SCN {} is not the recovery's end point {point}",
                cf.incarnation.resetlogs_scn
            ),
        ));
    }
    let mut since: BTreeSet<(u32, u32, Scn)> = BTreeSet::new();
    for (_, log) in crate::checkpoint::readable_logs(io, p, &cf)? {
        for r in &log.records {
            for c in &r.record.changes {
                // A block image sets the block to the image's SCN.
                let scn = match &c.op {
                    Op::Image { scn, .. } => *scn,
                    _ => r.record.scn,
                };
                since.insert((c.file, c.block, scn));
            }
        }
    }
    for r in cf
        .datafiles
        .iter()
        .filter(|r| r.status == FileStatus::Online)
    {
        // CREATE DATABASE formats the blocks at the SCN it also checkpoints
        // at: a point there holds them (no change is ever made at a later
        // checkpoint's SCN, which CKPT takes for itself).
        let at_creation = point == r.creation_scn;
        for (b, blk) in crate::files::blocks(io, p, r)? {
            if let Ok(blk) = blk
                && (blk.scn > point || (blk.scn == point && !at_creation))
                && !since.contains(&(r.file_no, b, blk.scn))
            {
                out.push(Violation::new(
                    "INV-RL-2",
                    format!(
                        "block (file {}, block {b}) is at SCN {} though recovery ended at {point} and no redo of the new incarnation changed it",
                        r.file_no, blk.scn
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// INV-RL-4: the SCNs of the new incarnation (the control file's) are above
/// its resetlogs SCN: every online log group has a first SCN not below it,
/// and so does every archived-log record of the new incarnation and every
/// log header of it (online member or archived copy); every redo record in
/// such a log has an SCN above it; and every datafile header of it is
/// checkpointed not below it. Holds at any time in the incarnation.
pub fn check_scns_above_resetlogs<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Vec<Violation>> {
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(Vec::new());
    };
    let rs = cf.incarnation.resetlogs_scn;
    let mut out = Vec::new();
    let groups = cf
        .log_groups
        .iter()
        .filter(|g| g.status != LogStatus::Unused)
        .map(|g| {
            (
                format!("online group {} (sequence {})", g.group, g.seq),
                g.first_scn,
            )
        });
    let archived = cf
        .archived_logs
        .iter()
        .filter(|a| a.incarnation == cf.incarnation)
        .map(|a| {
            (
                format!("archived log '{}' (sequence {})", a.name, a.seq),
                a.first_scn,
            )
        });
    for (what, first) in groups.chain(archived) {
        if first < rs {
            out.push(Violation::new(
                "INV-RL-4",
                format!("{what} of the new incarnation starts at SCN {first}, below the resetlogs SCN {rs}"),
            ));
        }
    }
    for (path, log) in crate::checkpoint::readable_logs(io, p, &cf)? {
        // A cleared member (sequence 0) holds no redo and claims no SCN.
        if log.header.seq == 0 {
            continue;
        }
        if log.header.first_scn < rs {
            out.push(Violation::new(
                "INV-RL-4",
                format!(
                    "'{path}' (sequence {} of the new incarnation) says it starts at SCN {}, below the resetlogs SCN {rs}",
                    log.header.seq, log.header.first_scn
                ),
            ));
        }
        // One violation per log: the first offending record shows it.
        if let Some(r) = log.records.iter().find(|r| r.record.scn <= rs) {
            out.push(Violation::new(
                "INV-RL-4",
                format!(
                    "'{path}' (sequence {} of the new incarnation) holds a redo record at SCN {}, not above the resetlogs SCN {rs}",
                    log.header.seq, r.record.scn
                ),
            ));
        }
    }
    out.extend(headers_above(io, p, &cf)?);
    Ok(out)
}

/// INV-RL-4 for the datafile headers: one of the new incarnation is
/// checkpointed at or above its resetlogs SCN (OPEN RESETLOGS checkpoints
/// at it; a checkpoint never goes back). Unlike INV-RL-1 this holds at any
/// time in the incarnation, for every file the control file names.
fn headers_above<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    cf: &ControlFile,
) -> IoResult<Vec<Violation>> {
    let rs = cf.incarnation.resetlogs_scn;
    let mut out = Vec::new();
    for r in &cf.datafiles {
        if let Ok(h) = crate::files::header(io, p, r)?
            && h.incarnation == cf.incarnation
            && h.ckpt_scn < rs
        {
            out.push(Violation::new(
                "INV-RL-4",
                format!(
                    "file {} header of the new incarnation is checkpointed at SCN {}, below the resetlogs SCN {rs}",
                    r.file_no, h.ckpt_scn
                ),
            ));
        }
    }
    Ok(out)
}

/// INV-DATA-3: after incomplete recovery to `point`, the visible rows of T
/// (`rows`, by key) are exactly the model's committed state at the point
/// (every commit with SCN below it, none at or above): a missing row, an
/// extra row and a different value are each named with the key.
pub fn check_point_in_time(
    rows: &BTreeMap<u64, String>,
    model: &Model,
    point: Scn,
) -> Vec<Violation> {
    let want = model.state_at(point);
    let seen: BTreeMap<u64, &String> = rows.iter().map(|(k, v)| (*k, v)).collect();
    let uncommitted = |v: &str| {
        if model.is_uncommitted_value(v) {
            " (written by a transaction that did not commit)"
        } else {
            ""
        }
    };
    diff_rows(&want, &seen, |_| false)
        .into_iter()
        .map(|d| {
            let evidence = match d {
                RowDiff::Missing { k, want } => {
                    format!("row k={k} ('{want}' at SCN {point}) is missing")
                }
                RowDiff::Wrong { k, seen, want } => format!(
                    "row k={k} is '{seen}'{}, the state at SCN {point} has '{want}'",
                    uncommitted(seen)
                ),
                RowDiff::Extra { k, seen } => format!(
                    "row k={k} = '{seen}'{} is visible but absent from the state at SCN {point}",
                    uncommitted(seen)
                ),
            };
            Violation::new("INV-DATA-3", evidence)
        })
        .collect()
}

/// INV-DATA-4: an incomplete recovery to `point` did not stop earlier than
/// the surviving redo, archived logs and backups allow (`latest`, from
/// [`crate::point::latest_point`]). When `latest` finds no consistent point
/// at all the engine's point is not judged here: INV-DATA-3 judges its
/// rows.
pub fn check_point_not_early(point: Scn, latest: &LatestPoint) -> Option<Violation> {
    let LatestPoint::Recoverable(r) = latest else {
        return None;
    };
    (point < r.point).then(|| {
        let starts: Vec<String> = r
            .starts
            .iter()
            .map(|(f, c)| format!("file {f} from {:?} at SCN {}", c.kind, c.ckpt_scn))
            .collect();
        Violation::new(
            "INV-DATA-4",
            format!(
                "recovery stopped at SCN {point}, but the surviving redo and copies reach SCN {}{} ({})",
                r.point,
                if r.complete { " (complete: no loss owed)" } else { "" },
                starts.join(", ")
            ),
        )
    })
}

/// INV-FUZZY-4, read just before OPEN RESETLOGS: the online datafiles
/// whose header has a fuzzy bit set (S-OPEN-3). While there is one, OPEN
/// RESETLOGS must refuse ([`check_resetlogs_refused_fuzzy`]).
pub fn fuzzy_online_files<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    cf: &ControlFile,
) -> IoResult<Vec<String>> {
    let mut out = Vec::new();
    for d in cf
        .datafiles
        .iter()
        .filter(|d| d.status == FileStatus::Online)
    {
        if let Ok(h) = engine::datafile::read_header(io, &d.name, d.file_no, p.db_block_size)?
            && h.fuzzy.any()
        {
            out.push(format!("file {} '{}'", d.file_no, d.name));
        }
    }
    Ok(out)
}

/// INV-FUZZY-4, after an OPEN RESETLOGS that succeeded: none of the files
/// [`fuzzy_online_files`] found before it was fuzzy.
pub fn check_resetlogs_refused_fuzzy(fuzzy: &[String]) -> Option<Violation> {
    fuzzy.first().map(|f| {
        Violation::new(
            "INV-FUZZY-4",
            format!("OPEN RESETLOGS opened though {f} had a fuzzy bit set"),
        )
    })
}

/// The incarnations whose redo a recovery under `cf` may apply to files
/// whose headers are of `file_incarnations`, oldest first: from 10g
/// (recovery through a RESETLOGS) each direct ancestor from the oldest one
/// a file belongs to, then the control file's own. An orphan branch never
/// qualifies.
pub fn incarnations_recovery_may_read(
    cf: &ControlFile,
    release: Release,
    file_incarnations: &[Incarnation],
) -> Vec<Incarnation> {
    let mut line = Vec::new();
    if release >= Release::R10g
        && let Some(oldest) = cf
            .prior_incarnations
            .iter()
            .position(|i| file_incarnations.contains(i))
    {
        line.extend_from_slice(&cf.prior_incarnations[oldest..]);
    }
    line.push(cf.incarnation);
    line
}

/// INV-RL-3, after a RECOVER: every log it applied from a prompt (`applied`,
/// the names its ORA-00278 lines give) belongs to one of `allowed` (see
/// [`incarnations_recovery_may_read`]); redo of any other incarnation must
/// be refused (ORA-00342).
pub fn check_logs_of_incarnation<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    allowed: &[Incarnation],
    applied: &[String],
) -> IoResult<Option<Violation>> {
    for name in applied {
        if let Ok(c) = engine::redo::read_log(io, name, p.log_blocks)?
            && !allowed.contains(&c.header.incarnation)
        {
            let scns: Vec<Scn> = allowed.iter().map(|i| i.resetlogs_scn).collect();
            return Ok(Some(Violation::new(
                "INV-RL-3",
                format!(
                    "recovery applied '{name}', a log of the incarnation with resetlogs SCN {}, though only the incarnations with resetlogs SCNs {scns:?} had redo for the files it recovered",
                    c.header.incarnation.resetlogs_scn
                ),
            )));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Candidate, Recoverable, StartKind};
    use crate::testdb::{MemStorage, closed_db, edit_controlfiles, edit_header, write_log};
    use engine::controlfile::ArchivedLogRecord;
    use engine::datafile::Incarnation;
    use engine::redo::{Change, LogHeader, RedoRecord};

    /// A healthy state right after OPEN RESETLOGS at the returned SCN, built
    /// by editing a cleanly closed database, since the engine cannot open
    /// RESETLOGS yet: the resetlogs SCN is one past the last checkpoint
    /// (every block is below it), the old incarnation is pushed on the
    /// prior ones, a new one stamped into the control file and every online
    /// header with the checkpoint at the resetlogs SCN, thread 1 at
    /// sequence 1 in the first group (the others cleared), and that group's
    /// members hold an empty log of the new incarnation.
    fn after_resetlogs() -> (DbParams, MemStorage, Scn) {
        let (p, mut io) = closed_db();
        let cf = newest_controlfile(&mut io, &p).unwrap().unwrap();
        let rs = cf.datafiles.iter().map(|r| r.ckpt_scn).max().unwrap() + 1;
        let new = Incarnation {
            resetlogs_scn: rs,
            resetlogs_time: cf.incarnation.resetlogs_time + 1_000,
        };
        edit_controlfiles(&mut io, &p, |cf| {
            cf.prior_incarnations.push(cf.incarnation);
            cf.incarnation = new;
            for r in &mut cf.datafiles {
                r.ckpt_scn = rs;
            }
            let first = cf.log_groups[0].group;
            for g in &mut cf.log_groups {
                g.status = LogStatus::Unused;
                g.seq = 0;
                g.archived = false;
                g.next_scn = None;
            }
            let g = &mut cf.log_groups[0];
            (g.status, g.seq, g.first_scn) = (LogStatus::Current, 1, rs);
            let t = cf.thread_mut(1);
            (t.current_seq, t.current_group) = (1, first);
        });
        for f in &p.datafiles {
            edit_header(&mut io, &p, f.file_no, |h| {
                h.incarnation = new;
                h.ckpt_scn = rs;
            });
        }
        new_redo(&mut io, &p, &[]);
        (p, io, rs)
    }

    /// Writes `records` as sequence 1 of the control file's incarnation into
    /// every member of the current group.
    fn new_redo(io: &mut MemStorage, p: &DbParams, records: &[RedoRecord]) {
        let cf = newest_controlfile(io, p).unwrap().unwrap();
        let g = cf.group(cf.thread(1).current_group).unwrap();
        let h = LogHeader {
            dbid: p.dbid,
            thread: 1,
            seq: 1,
            first_scn: cf.incarnation.resetlogs_scn,
            first_time: cf.incarnation.resetlogs_time,
            incarnation: cf.incarnation,
            next_scn: 0,
            end_of_thread: false,
            cf_seq: cf.version,
        };
        for m in &g.members {
            write_log(io, &m.path, &h, records);
        }
    }

    fn ids(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(|v| v.id).collect()
    }

    #[test]
    fn a_healthy_reset_passes_rl_1_2_4() {
        let (p, mut io, rs) = after_resetlogs();
        assert_eq!(check_after_resetlogs(&mut io, &p, rs).unwrap(), vec![]);
        assert_eq!(check_nothing_after_point(&mut io, &p, rs).unwrap(), vec![]);
        assert_eq!(check_scns_above_resetlogs(&mut io, &p).unwrap(), vec![]);
    }

    #[test]
    fn a_stale_header_or_incarnation_fires_rl_1() {
        let (p, mut io, rs) = after_resetlogs();
        // The OPEN RESETLOGS was at another SCN than the control file says
        // (and the files are then checkpointed below it).
        let v = check_after_resetlogs(&mut io, &p, rs + 1).unwrap();
        assert!(
            v.iter().all(|v| v.id == "INV-RL-1")
                && v.iter().any(|v| v.evidence.contains("resetlogs SCN")),
            "{v:?}"
        );
        // A header left in the old incarnation.
        let old = newest_controlfile(&mut io, &p)
            .unwrap()
            .unwrap()
            .prior_incarnations[0];
        edit_header(&mut io, &p, 3, |h| h.incarnation = old);
        let v = check_after_resetlogs(&mut io, &p, rs).unwrap();
        assert!(v.len() == 1 && v[0].evidence.contains("file 3"), "{v:?}");
        // An "incarnation" that reuses a prior one's time is not new.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.incarnation.resetlogs_time = old.resetlogs_time
        });
        let v = check_after_resetlogs(&mut io, &p, rs).unwrap();
        assert!(v.iter().any(|v| v.evidence.contains("not new")), "{v:?}");
    }

    #[test]
    fn checkpoints_apart_or_below_the_reset_fire_rl_1() {
        let (p, mut io, rs) = after_resetlogs();
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn = rs + 3);
        let v = check_after_resetlogs(&mut io, &p, rs).unwrap();
        assert!(v.len() == 1 && v[0].evidence.contains("one SCN"), "{v:?}");
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn = rs - 1);
        let v = check_after_resetlogs(&mut io, &p, rs).unwrap();
        assert!(
            v.iter()
                .any(|v| v.evidence.contains("below the resetlogs SCN")),
            "{v:?}"
        );
    }

    #[test]
    fn sequences_not_restarted_fire_rl_1() {
        let (p, mut io, rs) = after_resetlogs();
        // One more switch by the open: allowed when contiguous.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.thread_mut(1).current_seq = 2;
            let g = &mut cf.log_groups[1];
            (g.status, g.seq, g.first_scn) = (LogStatus::Current, 2, rs + 1);
            cf.log_groups[0].status = LogStatus::Active;
        });
        assert_eq!(check_after_resetlogs(&mut io, &p, rs).unwrap(), vec![]);
        // The thread kept counting from the old incarnation.
        edit_controlfiles(&mut io, &p, |cf| cf.thread_mut(1).current_seq = 7);
        let v = check_after_resetlogs(&mut io, &p, rs).unwrap();
        assert!(v.iter().any(|v| v.evidence.contains("sequence 7")), "{v:?}");
        // Back at 2, but a group of the new incarnation holds sequence 5
        // and sequence 2 is nowhere.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.thread_mut(1).current_seq = 2;
            cf.log_groups[1].seq = 5;
        });
        let v = check_after_resetlogs(&mut io, &p, rs).unwrap();
        assert!(v.iter().any(|v| v.evidence.contains("sequence 5")), "{v:?}");
        assert!(v.iter().any(|v| v.evidence.contains("contiguous")), "{v:?}");
    }

    /// The first readable block of file `n`, with its SCN set to `scn`.
    fn set_block_scn(io: &mut MemStorage, p: &DbParams, n: u32, scn: Scn) -> u32 {
        let dfs = crate::files::datafiles(io, p, None).unwrap();
        let r = crate::files::record(&dfs, n).unwrap().clone();
        let (b, blk) = crate::files::blocks(io, p, &r)
            .unwrap()
            .into_iter()
            .find_map(|(b, blk)| blk.ok().map(|blk| (b, blk)))
            .unwrap();
        let mut blk = blk;
        blk.scn = scn;
        engine::datafile::write_block(io, &r.name, &blk, p.db_block_size).unwrap();
        b
    }

    fn record(scn: Scn, file: u32, block: u32) -> RedoRecord {
        RedoRecord {
            scn,
            time: 0,
            thread: 1,
            changes: vec![Change {
                file,
                block,
                op: Op::FormatData,
            }],
            markers: vec![],
        }
    }

    #[test]
    fn a_change_from_after_the_point_fires_rl_2() {
        let (p, mut io, rs) = after_resetlogs();
        // A block at the point itself survived: a change recovery must not
        // have applied (UNTIL CHANGE rs applies SCNs below rs only).
        let b = set_block_scn(&mut io, &p, 3, rs);
        let v = check_nothing_after_point(&mut io, &p, rs).unwrap();
        assert!(
            v.len() == 1 && v[0].evidence.contains(&format!("block {b}")),
            "{v:?}"
        );
        // Changed by the new incarnation (the open's rollback): its redo
        // explains it.
        set_block_scn(&mut io, &p, 3, rs + 1);
        assert_eq!(
            ids(&check_nothing_after_point(&mut io, &p, rs).unwrap()),
            ["INV-RL-2"]
        );
        new_redo(&mut io, &p, &[record(rs + 1, 3, b)]);
        assert_eq!(check_nothing_after_point(&mut io, &p, rs).unwrap(), vec![]);
        // The resetlogs SCN is not the recovery's point.
        let v = check_nothing_after_point(&mut io, &p, rs + 5).unwrap();
        assert!(v.iter().any(|v| v.evidence.contains("end point")), "{v:?}");
    }

    #[test]
    fn scns_not_above_the_reset_fire_rl_4() {
        let (p, mut io, rs) = after_resetlogs();
        // Redo of the new incarnation above the reset: fine.
        new_redo(&mut io, &p, &[record(rs + 1, 3, 1), record(rs + 2, 3, 1)]);
        assert_eq!(check_scns_above_resetlogs(&mut io, &p).unwrap(), vec![]);
        // A record at the resetlogs SCN itself (once per member).
        new_redo(&mut io, &p, &[record(rs, 3, 1)]);
        let v = check_scns_above_resetlogs(&mut io, &p).unwrap();
        assert!(
            !v.is_empty() && v.iter().all(|v| v.evidence.contains("redo record at SCN")),
            "{v:?}"
        );
        // A log of the new incarnation whose header starts below it.
        let cf = newest_controlfile(&mut io, &p).unwrap().unwrap();
        let path = cf.log_groups[0].members[0].path.clone();
        let mut h = LogHeader::decode(&io.files[&path][..512]).unwrap();
        h.first_scn = rs - 1;
        write_log(&mut io, &path, &h, &[]);
        let v = check_scns_above_resetlogs(&mut io, &p).unwrap();
        assert!(
            v.iter()
                .any(|v| v.evidence.contains("says it starts at SCN")),
            "{v:?}"
        );
        new_redo(&mut io, &p, &[]);
        // A log group and an archived record of the new incarnation
        // starting below it.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.log_groups[0].first_scn = rs - 1;
            cf.archived_logs.push(ArchivedLogRecord {
                thread: 1,
                seq: 1,
                incarnation: cf.incarnation,
                name: "/arch/1_1.arc".into(),
                first_scn: rs - 2,
                next_scn: rs + 4,
                completion_time: 0,
            });
        });
        let v = check_scns_above_resetlogs(&mut io, &p).unwrap();
        assert_eq!(ids(&v), ["INV-RL-4", "INV-RL-4"], "{v:?}");
        assert!(v[1].evidence.contains("archived log"));
        // A header of the new incarnation checkpointed below the reset.
        edit_controlfiles(&mut io, &p, |cf| {
            cf.log_groups[0].first_scn = rs;
            cf.archived_logs.pop();
        });
        edit_header(&mut io, &p, 4, |h| h.ckpt_scn = rs - 1);
        let v = check_scns_above_resetlogs(&mut io, &p).unwrap();
        assert!(v.len() == 1 && v[0].evidence.contains("file 4"), "{v:?}");
    }

    /// Commits at SCN 5 (k=1 'a') and 10 (k=1 'c', k=2 'b'); 'u' rolled back.
    fn model() -> Model {
        let mut m = Model::new();
        for (xid, scn, writes) in [
            (0x100, 5, vec![(1, "a")]),
            (0x101, 10, vec![(1, "c"), (2, "b")]),
        ] {
            for (k, v) in writes {
                m.write(1, xid, k, Some(v.into()));
            }
            m.commit_issued(1);
            m.commit_acked(1, Some(scn));
        }
        m.write(2, 0x102, 3, Some("u".into()));
        m.rollback(2);
        m
    }

    fn rows(r: &[(u64, &str)]) -> BTreeMap<u64, String> {
        r.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn rows_other_than_the_state_at_the_point_fire_data_3() {
        let m = model();
        // UNTIL CHANGE 10: the commit at SCN 10 is not included.
        assert_eq!(check_point_in_time(&rows(&[(1, "a")]), &m, 10), vec![]);
        assert_eq!(
            check_point_in_time(&rows(&[(1, "c"), (2, "b")]), &m, 11),
            vec![]
        );
        let v = check_point_in_time(&rows(&[(1, "c"), (2, "b"), (3, "u")]), &m, 10);
        assert_eq!(ids(&v), ["INV-DATA-3"; 3]);
        assert!(v[0].evidence.contains("k=1") && v[0].evidence.contains("'a'"));
        assert!(v[1].evidence.contains("k=2"));
        assert!(v[2].evidence.contains("k=3") && v[2].evidence.contains("did not commit"));
        let v = check_point_in_time(&rows(&[]), &m, 11);
        assert!(v.len() == 2 && v.iter().all(|v| v.evidence.contains("missing")));
    }

    #[test]
    fn stopping_before_the_latest_point_fires_data_4() {
        let latest = LatestPoint::Recoverable(Recoverable {
            point: 300,
            starts: BTreeMap::from([(
                3,
                Candidate::clean(
                    StartKind::Backup {
                        path: "/b/3".into(),
                    },
                    150,
                ),
            )]),
            complete: false,
        });
        let v = check_point_not_early(250, &latest).unwrap();
        assert_eq!(v.id, "INV-DATA-4");
        assert!(v.evidence.contains("300") && v.evidence.contains("file 3"));
        assert_eq!(check_point_not_early(300, &latest), None);
        let none = LatestPoint::Unrecoverable {
            file_no: 3,
            reason: "gone".into(),
        };
        assert_eq!(check_point_not_early(250, &none), None);
    }

    fn inc(scn: Scn) -> Incarnation {
        Incarnation {
            resetlogs_scn: scn,
            resetlogs_time: scn,
        }
    }

    #[test]
    fn only_10g_reads_an_ancestor_and_never_an_orphan() {
        let (p, mut io) = closed_db();
        let mut cf = newest_controlfile(&mut io, &p).unwrap().unwrap();
        let (a, b, c, orphan) = (inc(1), inc(100), inc(200), inc(150));
        cf.prior_incarnations = vec![a, b];
        cf.incarnation = c;
        let read = |r, files: &[Incarnation]| incarnations_recovery_may_read(&cf, r, files);
        assert_eq!(read(Release::R9i, &[a, c]), [c]);
        assert_eq!(read(Release::R10g, &[c]), [c]);
        assert_eq!(read(Release::R10g, &[b, c]), [b, c]);
        assert_eq!(read(Release::R10g, &[c, a]), [a, b, c]);
        assert_eq!(read(Release::R10g, &[orphan]), [c]);
    }

    #[test]
    fn a_log_of_an_incarnation_not_read_fires_rl_3() {
        let (p, mut io) = closed_db();
        let (a, c) = (inc(1), inc(200));
        let log = |io: &mut MemStorage, name: &str, incarnation| {
            let h = LogHeader {
                dbid: p.dbid,
                thread: 1,
                seq: 4,
                first_scn: 10,
                first_time: 10,
                incarnation,
                next_scn: 20,
                end_of_thread: false,
                cf_seq: 1,
            };
            write_log(io, name, &h, &[]);
        };
        io.create("/arch/a.arc").unwrap();
        io.create("/arch/c.arc").unwrap();
        log(&mut io, "/arch/a.arc", a);
        log(&mut io, "/arch/c.arc", c);
        let applied = ["/arch/a.arc".to_string(), "/arch/c.arc".to_string()];
        let v = check_logs_of_incarnation(&mut io, &p, &[c], &applied)
            .unwrap()
            .expect("the ancestor's log was not to be read");
        assert_eq!(v.id, "INV-RL-3");
        assert!(v.evidence.contains("'/arch/a.arc'"), "{}", v.evidence);
        // Through a RESETLOGS (10g) the ancestor's log is read rightly.
        assert_eq!(
            check_logs_of_incarnation(&mut io, &p, &[a, c], &applied).unwrap(),
            None
        );
    }
}
