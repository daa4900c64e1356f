//! INV-LOG-1..3: online and archived redo.

use engine::DbParams;
use engine::controlfile::{LogStatus, MemberStatus};
use engine::inspect::{log_file, newest_controlfile};
use engine::redo::ReadRecord;
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// INV-LOG-1: in ARCHIVELOG mode every sequence before the current one is
/// archived or still online: no group was reused before it was archived.
pub fn check_archived_before_reuse<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    model: &Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    if !cf.archivelog {
        return Ok(out);
    }
    let current = cf.thread(1).current_seq;
    for seq in 1..current {
        if cf.group_with_seq(1, seq).is_some() {
            continue;
        }
        let name = p.archive_name(1, seq, cf.incarnation.id());
        if model.lost_files.contains(&name) {
            continue;
        }
        let archived = match log_file(io, p, &name)? {
            Ok(c) => c.header.seq == seq,
            Err(_) => false,
        };
        if !archived {
            out.push(Violation::new("INV-LOG-1", format!("sequence {seq} is neither online nor archived ('{name}'): its group was reused before archiving")));
        }
    }
    Ok(out)
}

/// INV-LOG-2: the online groups hold distinct, contiguous sequences ending
/// at the current one, and the log history has no gap.
pub fn check_sequences<S: Storage + ?Sized>(io: &mut S, p: &DbParams) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    let mut seqs: Vec<u32> = cf
        .log_groups
        .iter()
        .filter(|g| g.status != LogStatus::Unused)
        .map(|g| g.seq)
        .collect();
    seqs.sort_unstable();
    let current = cf.thread(1).current_seq;
    if seqs.last() != Some(&current) || seqs.windows(2).any(|w| w[1] != w[0] + 1) {
        out.push(Violation::new(
            "INV-LOG-2",
            format!(
                "online sequences {seqs:?} are not contiguous up to the current sequence {current}"
            ),
        ));
    }
    let hist: Vec<u32> = cf.log_history.iter().map(|h| h.seq).collect();
    if hist.windows(2).any(|w| w[1] != w[0] + 1) {
        out.push(Violation::new(
            "INV-LOG-2",
            format!("log history sequences have a gap: {hist:?}"),
        ));
    }
    Ok(out)
}

fn is_prefix(a: &[ReadRecord], b: &[ReadRecord]) -> bool {
    let n = a.len().min(b.len());
    a[..n]
        .iter()
        .zip(&b[..n])
        .all(|(x, y)| x.record == y.record)
}

/// INV-LOG-3: the surviving members of a group hold the same redo (one may
/// stop earlier where a power loss cut LGWR between members, in redo no
/// commit waited for), and an archived log holds the redo of the online log
/// it copied: ARCn copies the longest member, so every surviving member is
/// a prefix of the archive, never longer.
pub fn check_copies_agree<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    for g in cf
        .log_groups
        .iter()
        .filter(|g| g.status != LogStatus::Unused)
    {
        let mut members = Vec::new();
        for m in g.members.iter().filter(|m| m.status == MemberStatus::Valid) {
            if let Ok(c) = log_file(io, p, &m.path)?
                && c.header.seq == g.seq
            {
                members.push((m.path.clone(), c));
            }
        }
        for w in members.windows(2) {
            if !is_prefix(&w[0].1.records, &w[1].1.records) {
                out.push(Violation::new(
                    "INV-LOG-3",
                    format!(
                        "members '{}' and '{}' of group {} hold different redo",
                        w[0].0, w[1].0, g.group
                    ),
                ));
            }
        }
        if !g.archived {
            continue;
        }
        let name = p.archive_name(1, g.seq, cf.incarnation.id());
        if let Ok(a) = log_file(io, p, &name)? {
            for (path, m) in &members {
                if m.records.len() > a.records.len() || !is_prefix(&m.records, &a.records) {
                    out.push(Violation::new(
                        "INV-LOG-3",
                        format!("archived log '{name}' ({} records) does not hold the redo of member '{path}' ({} records)", a.records.len(), m.records.len()),
                    ));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdb::closed_db;

    #[test]
    fn healthy_logs_pass() {
        let (p, mut io) = closed_db();
        assert!(
            check_archived_before_reuse(&mut io, &p, &Model::new())
                .unwrap()
                .is_empty()
        );
        assert!(check_sequences(&mut io, &p).unwrap().is_empty());
        assert!(check_copies_agree(&mut io, &p).unwrap().is_empty());
    }

    #[test]
    fn missing_archive_fires_log_1() {
        let (p, mut io) = closed_db();
        let name = p.archive_name(
            1,
            1,
            newest_controlfile(&mut io, &p)
                .unwrap()
                .unwrap()
                .incarnation
                .id(),
        );
        io.files.remove(&name).expect("sequence 1 was archived");
        let v = check_archived_before_reuse(&mut io, &p, &Model::new()).unwrap();
        assert_eq!(v[0].id, "INV-LOG-1");
        let mut m = Model::new();
        m.lost_files.insert(name);
        assert!(
            check_archived_before_reuse(&mut io, &p, &m)
                .unwrap()
                .is_empty(),
            "a lost archive is a fault, not a bug"
        );
    }

    #[test]
    fn gap_in_sequences_fires_log_2() {
        let (p, mut io) = closed_db();
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            crate::testdb::inactive_group(cf).seq += 100
        });
        assert_eq!(check_sequences(&mut io, &p).unwrap()[0].id, "INV-LOG-2");
    }

    #[test]
    fn diverging_member_fires_log_3() {
        let (p, mut io) = closed_db();
        // Replace a member's content with another group's: same header seq is
        // kept by copying only the redo blocks of another member's log.
        let cf = newest_controlfile(&mut io, &p).unwrap().unwrap();
        let g = cf
            .log_groups
            .iter()
            .find(|g| g.status == LogStatus::Inactive && g.archived)
            .unwrap();
        let victim = g.members[1].path.clone();
        let name = p.archive_name(1, g.seq, cf.incarnation.id());
        // Cut the archived copy short: it no longer matches the online log.
        let a = io.files.get_mut(&name).unwrap();
        a.truncate(512 * 2);
        let v = check_copies_agree(&mut io, &p).unwrap();
        assert!(
            v.iter()
                .any(|v| v.id == "INV-LOG-3" && v.evidence.contains("archived"))
        );
        // A member whose redo differs from its twin: valid blocks, other records.
        let header = engine::redo::LogHeader::decode(&io.files[&victim][..512]).unwrap();
        let rec = engine::redo::RedoRecord {
            scn: 1,
            time: 0,
            thread: 1,
            changes: vec![],
            markers: vec![],
        };
        let mut stream = Vec::new();
        engine::redo::encode_record(&rec, &mut stream);
        let blocks = engine::redo::format_blocks(&stream, &header, 1, 512);
        io.poke(&victim, 512, &blocks);
        let v = check_copies_agree(&mut io, &p).unwrap();
        assert!(
            v.iter()
                .any(|v| v.id == "INV-LOG-3" && v.evidence.contains("members")),
            "{v:?}"
        );
    }
}
