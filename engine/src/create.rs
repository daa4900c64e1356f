//! CREATE DATABASE: lays down a new, cleanly shut down database SIM
//! (SCENARIO.md): SYSTEM (file 1), UNDOTBS (file 2), USERS (files 3…), the
//! table T in USERS, the online logs and the control-file copies.

use crate::block::{Block, Body};
use crate::controlfile::{
    self, ControlFile, DatafileRecord, LogGroupRecord, LogMember, LogStatus, ThreadCheckpoint,
    ThreadRecord,
};
use crate::datafile::{self, DatafileHeader, Fuzzy};
use crate::error::DbResult;
use crate::instance::{UNDO_FILE, UNDO_HEADER_BLOCK, first_incarnation, io_fatal};
use crate::params::DbParams;
use crate::redo::{self, Change, LogHeader, Op, RedoRecord};
use crate::scn::{Rba, SimTime};
use crate::storage::{Storage, dir_of};

/// The SCN the database is created at.
pub const CREATION_SCN: u64 = 1000;

/// Creates every file of the database and syncs them and their directories.
pub fn create_database<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    now: SimTime,
) -> DbResult<()> {
    let inc = first_incarnation(now);
    let scn = CREATION_SCN;
    let bs = p.db_block_size;
    let mut dirs = std::collections::BTreeSet::new();
    // Block formatting is logged (S-CD-1): redo alone can rebuild a file
    // from nothing (CREATE DATAFILE, then RECOVER).
    let mut formats = Vec::new();
    for f in &p.datafiles {
        io.create(&f.path).map_err(io_fatal)?;
        let h = DatafileHeader {
            dbid: p.dbid,
            file_no: f.file_no,
            tablespace: f.tablespace.clone(),
            blocks: f.blocks,
            creation_scn: scn,
            ckpt_scn: scn,
            ckpt_time: now,
            ckpt_counter: 1,
            incarnation: inc,
            fuzzy: Fuzzy::default(),
            absolute_fuzzy_scn: 0,
            cf_seq: 1,
            ckpt_rba: Rba { seq: 1, block: 1 },
        };
        datafile::write_header(io, &f.path, &h, bs).map_err(io_fatal)?;
        for b in 1..f.blocks {
            let op = match (f.tablespace.as_str(), b) {
                ("SYSTEM", 1) => Some(Op::Dictionary(vec![
                    "create table t (k number primary key, v varchar2(100)) tablespace users"
                        .into(),
                ])),
                ("USERS", _) => Some(Op::FormatData),
                _ if f.file_no == UNDO_FILE && b == UNDO_HEADER_BLOCK => {
                    Some(Op::FormatUndoHeader {
                        slots: p.undo_slots,
                    })
                }
                _ => None,
            };
            let mut blk = Block::new(f.file_no, b, Body::Unformatted);
            if let Some(op) = op {
                redo::apply(&mut blk, &op, scn).expect("formatting applies to any block");
                formats.push(Change {
                    file: f.file_no,
                    block: b,
                    op,
                });
            }
            datafile::write_block(io, &f.path, &blk, bs).map_err(io_fatal)?;
        }
        io.sync(&f.path).map_err(io_fatal)?;
        dirs.insert(dir_of(&f.path).to_string());
    }
    let header = LogHeader {
        dbid: p.dbid,
        thread: 1,
        seq: 1,
        first_scn: scn,
        first_time: now,
        incarnation: inc,
        next_scn: 0,
        end_of_thread: false,
        cf_seq: 1,
    };
    let record = RedoRecord {
        scn,
        time: now,
        thread: 1,
        changes: formats,
        markers: Vec::new(),
    };
    let mut stream = Vec::new();
    redo::encode_record(&record, &mut stream);
    let os = io.os_block_size();
    let redo_blocks = redo::format_blocks(&stream, &header, 1, os);
    assert!(
        redo_blocks.len() / os <= p.log_blocks as usize,
        "the formatting of the database fits the first log"
    );
    let mut groups = Vec::new();
    for (i, members) in p.log_groups.iter().enumerate() {
        let group = i as u32 + 1;
        for m in members {
            io.create(m).map_err(io_fatal)?;
            if group == 1 {
                redo::write_log_header(io, m, &header).map_err(io_fatal)?;
                io.write(m, os as u64, &redo_blocks).map_err(io_fatal)?;
            }
            io.sync(m).map_err(io_fatal)?;
            dirs.insert(dir_of(m).to_string());
        }
        groups.push(LogGroupRecord {
            group,
            thread: 1,
            seq: if group == 1 { 1 } else { 0 },
            status: if group == 1 {
                LogStatus::Current
            } else {
                LogStatus::Unused
            },
            first_scn: if group == 1 { scn } else { 0 },
            first_time: now,
            next_scn: None,
            archived: false,
            members: members.iter().map(|m| LogMember::valid(m)).collect(),
        });
    }
    let thread = ThreadRecord {
        thread: 1,
        enabled: true,
        open: false,
        ckpt: ThreadCheckpoint {
            scn,
            time: now,
            rba: Rba { seq: 1, block: 1 },
        },
        current_seq: 1,
        current_group: 1,
    };
    let mut cf = ControlFile::new(&p.db_name, p.dbid, inc, p.archivelog, thread);
    cf.log_groups = groups;
    cf.datafiles = p
        .datafiles
        .iter()
        .map(|f| DatafileRecord {
            creation_scn: scn,
            ckpt_scn: scn,
            ckpt_counter: 1,
            stop_scn: Some(scn),
            ..DatafileRecord::new(f.file_no, &f.path, &f.tablespace, f.blocks)
        })
        .collect();
    for c in &p.control_files {
        io.create(c).map_err(io_fatal)?;
        controlfile::write_copy(io, c, &cf).map_err(io_fatal)?;
        dirs.insert(dir_of(c).to_string());
    }
    dirs.insert(p.log_archive_dest.trim_end_matches('/').to_string());
    for d in dirs {
        io.sync_dir(&d).map_err(io_fatal)?;
    }
    Ok(())
}
