//! INV-LOG-1..4: online and archived redo, and the durability of acknowledgements.

use engine::DbParams;
use engine::block::Xid;
use engine::controlfile::{LogStatus, MemberStatus};
use engine::inspect::{log_file, newest_controlfile};
use engine::redo::{LogHeader, Marker, ReadRecord, decode_blocks};
use engine::scn::Scn;
use engine::storage::{IoResult, Storage};

use crate::{Model, Violation};

/// INV-LOG-1: in any mode, a sequence leaves the online logs only once its
/// changes are checkpointed (its next SCN, from the log history, is not
/// above the thread checkpoint); in ARCHIVELOG mode every sequence before
/// the current one is also archived or still online (none reused before it
/// was archived), except one the DBA cleared unarchived.
///
/// A sequence found archived once is remembered (`Model::archived_seen`),
/// so each archived log is read once per run, not at every check; and the
/// check starts after the last sequence up to which every one is archived
/// or cleared (`Model::archived_through`), so it costs the sequences since.
pub fn check_archived_before_reuse<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    model: &mut Model,
) -> IoResult<Vec<Violation>> {
    let mut out = Vec::new();
    let Some(cf) = newest_controlfile(io, p)? else {
        return Ok(out);
    };
    let ckpt = cf.thread(1).ckpt.scn;
    for h in &cf.log_history {
        if cf.group_with_seq(1, h.seq).is_none() && h.next_scn > ckpt {
            out.push(Violation::new("INV-LOG-1", format!("sequence {} (SCN {}..{}) is no longer online but the thread checkpoint is only at SCN {ckpt}: its group was reused before its changes were checkpointed", h.seq, h.first_scn, h.next_scn)));
        }
    }
    if !cf.archivelog {
        return Ok(out);
    }
    let current = cf.thread(1).current_seq;
    let inc = cf.incarnation.id();
    // Every sequence up to `through` is archived or cleared for good.
    let mut through = model.archived_through.get(&inc).copied().unwrap_or(0);
    let mut contiguous = true;
    for seq in through.saturating_add(1)..current {
        if model.cleared_unarchived.contains(&seq) || model.archived_seen.contains(&(inc, seq)) {
            if contiguous {
                through = seq;
            }
            continue;
        }
        if cf.group_with_seq(1, seq).is_some() {
            contiguous = false;
            continue;
        }
        let name = p.archive_name(1, seq, cf.incarnation.id());
        if model.lost_files.contains(&name) {
            contiguous = false;
            continue;
        }
        let archived = match log_file(io, p, &name)? {
            Ok(c) => c.header.seq == seq,
            Err(_) => false,
        };
        if archived {
            model.archived_seen.insert((inc, seq));
            if contiguous {
                through = seq;
            }
        } else {
            contiguous = false;
            out.push(Violation::new("INV-LOG-1", format!("sequence {seq} is neither online nor archived ('{name}'): its group was reused before archiving")));
        }
    }
    model.archived_through.insert(inc, through);
    Ok(out)
}

/// INV-LOG-2: the online groups hold distinct, contiguous sequences ending
/// at the current one (a group the DBA cleared leaves a gap), and the log
/// history has no gap.
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
    let cleared = cf
        .log_groups
        .iter()
        .filter(|g| g.status == LogStatus::Unused)
        .count() as u32;
    let gaps: u32 = seqs.windows(2).map(|w| w[1].saturating_sub(w[0] + 1)).sum();
    if seqs.last() != Some(&current) || seqs.windows(2).any(|w| w[1] <= w[0]) || gaps > cleared {
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

/// A commit the engine acknowledged, and where LGWR says it wrote it: the
/// blocks `from_block..end_block` of sequence `seq` in `group`.
#[derive(Debug, Clone, Copy)]
pub struct AckedCommit {
    pub xid: Xid,
    pub scn: Scn,
    pub group: u32,
    pub seq: u32,
    pub from_block: u32,
    pub end_block: u32,
}

/// Reads the bytes of `path` at `offset` that a power loss now would leave
/// (None: the name itself would not survive).
pub type ReadDurable<'a> = dyn FnMut(&str, u64, &mut [u8]) -> Option<usize> + 'a;

/// INV-LOG-4 (S-INST-4): an acknowledged commit's record is durable in at
/// least one member of the group it was written to. `read_durable(path,
/// offset, buf)` reads what a power loss now would leave (None: the name
/// would not survive); the members are the group's files as configured, so
/// nothing here trusts the engine's account of which members it wrote.
pub fn check_commit_durable(
    read_durable: &mut ReadDurable,
    os: usize,
    members: &[String],
    c: AckedCommit,
) -> Vec<Violation> {
    let mut why = Vec::new();
    for m in members {
        let mut head = vec![0u8; os];
        match read_durable(m, 0, &mut head) {
            None => {
                why.push(format!("'{m}' would not survive a power loss (missing)"));
                continue;
            }
            Some(n) if n < os => {
                why.push(format!("'{m}' has no durable header"));
                continue;
            }
            Some(_) => {}
        }
        let Some(h) = LogHeader::decode(&head) else {
            why.push(format!("'{m}' has no valid durable header"));
            continue;
        };
        if h.seq != c.seq {
            why.push(format!("'{m}' durably holds sequence {}", h.seq));
            continue;
        }
        let blocks = c.end_block.saturating_sub(c.from_block) as usize;
        let mut bytes = vec![0u8; blocks * os];
        read_durable(m, u64::from(c.from_block) * os as u64, &mut bytes);
        let (records, _) = decode_blocks(&h, &bytes, c.from_block, os);
        let durable = records.iter().any(|r| {
            r.record
                .markers
                .iter()
                .any(|mk| matches!(mk, Marker::Commit { xid } if *xid == c.xid))
        });
        if durable {
            return Vec::new();
        }
        why.push(format!(
            "'{m}' holds no durable commit record for it in blocks {}..{}",
            c.from_block, c.end_block
        ));
    }
    vec![Violation::new(
        "INV-LOG-4",
        format!(
            "the commit of transaction {:#x} at SCN {} was acknowledged, but its commit record is durable in no member of group {} (sequence {}): {}",
            c.xid,
            c.scn,
            c.group,
            c.seq,
            why.join("; ")
        ),
    )]
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
    use crate::testdb::{MemStorage, closed_db, open_db};

    /// Reads a MemStorage as if all of it were durable.
    fn reader(io: &MemStorage) -> impl FnMut(&str, u64, &mut [u8]) -> Option<usize> + '_ {
        |path, off, buf| {
            let f = io.files.get(path)?;
            let off = off as usize;
            let n = f.len().saturating_sub(off).min(buf.len());
            buf.fill(0);
            buf[..n].copy_from_slice(&f[off..off + n]);
            Some(n)
        }
    }

    #[test]
    fn an_acknowledged_commit_must_be_durable_in_a_member() {
        let mut i = open_db();
        i.insert(1, 500, "x").unwrap();
        let xid = i.session_xid(1).unwrap();
        let before = i.redo_write_position().unwrap();
        let scn = i.commit(1).unwrap().unwrap();
        let (group, seq, end) = i.redo_write_position().unwrap();
        assert_eq!(before.1, seq, "no log switch inside this commit");
        let members = i.params().log_groups[group as usize - 1].clone();
        let c = AckedCommit {
            xid,
            scn,
            group,
            seq,
            from_block: before.2,
            end_block: end,
        };
        let io = i.storage().clone();
        let check = |c: AckedCommit, io: &MemStorage| {
            check_commit_durable(&mut reader(io), 512, &members, c)
        };
        assert!(check(c, &io).is_empty(), "the record is in both members");
        // Another transaction's commit is not this one's.
        let v = check(AckedCommit { xid: xid + 1, ..c }, &io);
        assert_eq!(v[0].id, "INV-LOG-4");
        // Nothing was written for it (an acknowledgement before the write).
        let v = check(
            AckedCommit {
                end_block: c.from_block,
                ..c
            },
            &io,
        );
        assert!(
            v[0].evidence.contains("holds no durable commit record"),
            "{v:?}"
        );
        // Every member gone: nothing is durable anywhere.
        let mut gone = io.clone();
        for m in &members {
            gone.files.remove(m);
        }
        let v = check(c, &gone);
        assert!(v[0].evidence.contains("would not survive"), "{v:?}");
        // One member left is enough.
        let mut one = io.clone();
        one.files.remove(&members[0]);
        assert!(check(c, &one).is_empty());
    }

    #[test]
    fn a_sequence_gone_before_its_checkpoint_fires_log_1_in_noarchivelog_too() {
        let (p, mut io) = closed_db();
        assert!(
            check_archived_before_reuse(&mut io, &p, &mut Model::new())
                .unwrap()
                .is_empty()
        );
        // The thread checkpoint pulled back below the end of a sequence that
        // is no longer online: its group was reused before its changes were
        // checkpointed (the mode does not matter).
        crate::testdb::edit_controlfiles(&mut io, &p, |cf| {
            cf.archivelog = false;
            let gone = cf
                .log_history
                .iter()
                .find(|h| !cf.log_groups.iter().any(|g| g.seq == h.seq))
                .expect("a sequence no longer online")
                .clone();
            cf.threads[0].ckpt.scn = gone.next_scn - 1;
        });
        let v = check_archived_before_reuse(&mut io, &p, &mut Model::new()).unwrap();
        assert!(
            v.iter().any(|v| v.id == "INV-LOG-1"
                && v.evidence.contains("before its changes were checkpointed")),
            "{v:?}"
        );
    }

    #[test]
    fn healthy_logs_pass() {
        let (p, mut io) = closed_db();
        assert!(
            check_archived_before_reuse(&mut io, &p, &mut Model::new())
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
        let v = check_archived_before_reuse(&mut io, &p, &mut Model::new()).unwrap();
        assert_eq!(v[0].id, "INV-LOG-1");
        let mut m = Model::new();
        m.lost_files.insert(name);
        assert!(
            check_archived_before_reuse(&mut io, &p, &mut m)
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
