//! Transactions, undo and table T (S-TXN-1..3).
//!
//! Each change logs one redo record holding both the undo record (the
//! before-image, in an undo block of the UNDO tablespace) and the row change,
//! so undo is recovered by redo like any other block. The undo segment
//! header's transaction table says which transactions are active. A row
//! keeps the id of the last transaction that changed it; readers ask the
//! transaction table whether that transaction committed (delayed cleanout).

use crate::block::{self, Body, Row, TxState, Uba, UndoRecord, Xid, body_fits};
use crate::cache::Dba;
use crate::error::{DbError, DbResult, OraStack, ora};
use crate::instance::{
    DbState, Instance, Txn, UNDO_FILE, UNDO_HEADER_BLOCK, row_home, slot_is_active,
};
use crate::params::Plant;
use crate::redo::{Change, Marker, Op};
use crate::scn::Scn;
use crate::storage::Storage;

/// The kind of row change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dml {
    Insert,
    Update,
    Delete,
}

/// What a full scan of table T returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowScan {
    /// Visible rows, by key.
    pub rows: Vec<(u64, String)>,
    /// Blocks of T that could not be read, with the error.
    pub unreadable_blocks: Vec<(Dba, OraStack)>,
    /// Rows whose state needs a block that could not be read (the undo of a
    /// transaction that could not be rolled back), with that block.
    pub unreadable_rows: Vec<(u64, Dba, OraStack)>,
}

impl<S: Storage> Instance<S> {
    /// INSERT INTO t VALUES (k, v). Returns rows inserted (1).
    pub fn insert(&mut self, sid: u32, k: u64, v: &str) -> DbResult<u32> {
        self.dml(sid, k, Some(v.to_string()), Dml::Insert)
    }
    /// UPDATE t SET v = … WHERE k = …. Returns rows updated (0 or 1).
    pub fn update(&mut self, sid: u32, k: u64, v: &str) -> DbResult<u32> {
        self.dml(sid, k, Some(v.to_string()), Dml::Update)
    }
    /// DELETE FROM t WHERE k = …. Returns rows deleted (0 or 1).
    pub fn delete(&mut self, sid: u32, k: u64) -> DbResult<u32> {
        self.dml(sid, k, None, Dml::Delete)
    }

    /// The transaction id of a session's open transaction.
    pub fn session_xid(&self, sid: u32) -> Option<Xid> {
        self.txns.get(&sid).map(|t| t.xid)
    }

    fn dml(&mut self, sid: u32, k: u64, v: Option<String>, kind: Dml) -> DbResult<u32> {
        self.require(DbState::Open)?;
        let r = self.dml_inner(sid, k, v, kind);
        self.fatal(r)
    }

    fn dml_inner(&mut self, sid: u32, k: u64, v: Option<String>, kind: Dml) -> DbResult<u32> {
        self.make_room()?;
        let my = self.txns.get(&sid).map(|t| t.xid);
        if let Some(&owner) = self.locks.get(&k)
            && Some(owner) != my
        {
            return Err(DbError::ora(
                54,
                "resource busy and acquire with NOWAIT specified or timeout expired",
            ));
        }
        let dba = row_home(&self.p, k);
        self.check_writable(dba.0)?;
        let before = self.current_row(dba, k)?;
        // A row still locked by a transaction no session owns (its rollback
        // deferred or stuck until a block can be read again): changing it
        // now would be undone by that rollback later.
        if let Some(r) = &before
            && r.lock != 0
            && Some(r.lock) != my
            && slot_is_active(&self.tx_table()?, r.lock).is_some()
        {
            return Err(DbError::ora(
                54,
                "resource busy and acquire with NOWAIT specified or timeout expired",
            ));
        }
        let visible = before.as_ref().filter(|r| r.v.is_some()).is_some();
        match kind {
            Dml::Insert if visible => {
                return Err(DbError::ora(1, "unique constraint (SIM.T_PK) violated"));
            }
            Dml::Update | Dml::Delete if !visible => return Ok(0),
            _ => {}
        }
        self.check_fits(dba, k, &v)?;
        let tx = self.ensure_txn(sid)?;
        let new_row = Row { k, v, lock: tx.xid };
        let rec = UndoRecord {
            xid: tx.xid,
            prev: tx.last_uba,
            file: dba.0,
            block: dba.1,
            k,
            before: before.clone(),
        };
        let (undo_block, format_undo) = self.undo_block_for(&tx, &rec)?;
        let index = self.undo_len(undo_block, format_undo)?;
        let uba = Uba {
            block: undo_block,
            index,
        };
        let fresh = tx.last_uba.is_none();
        let mut changes = Vec::new();
        self.images_for(&mut changes, &[dba, (UNDO_FILE, UNDO_HEADER_BLOCK)])?;
        if !format_undo {
            self.images_for(&mut changes, &[(UNDO_FILE, undo_block)])?;
        }
        if fresh {
            changes.push(ch(
                (UNDO_FILE, UNDO_HEADER_BLOCK),
                Op::TxBegin {
                    slot: tx.slot,
                    wrap: block::xid_wrap(tx.xid),
                },
            ));
        }
        if format_undo {
            changes.push(ch((UNDO_FILE, undo_block), Op::FormatUndo { xid: tx.xid }));
        }
        changes.push(ch((UNDO_FILE, undo_block), Op::AddUndo(rec)));
        changes.push(ch(
            (UNDO_FILE, UNDO_HEADER_BLOCK),
            Op::TxSetUba { slot: tx.slot, uba },
        ));
        changes.push(ch(dba, Op::SetRow(new_row)));
        self.log_change(move |_| (changes.clone(), Vec::new()))?;
        let t = self.txns.entry(sid).or_insert(tx);
        t.last_uba = Some(uba);
        t.undo_block = Some(undo_block);
        if !t.undo_blocks.contains(&undo_block) {
            t.undo_blocks.push(undo_block);
        }
        t.before.entry(k).or_insert(before);
        let xid = t.xid;
        self.undo_in_use.insert(undo_block);
        self.locks.insert(k, xid);
        Ok(1)
    }

    /// The row as stored in its block (any transaction's version).
    fn current_row(&mut self, dba: Dba, k: u64) -> DbResult<Option<Row>> {
        let buf = self.get_block(dba)?;
        match &buf.block.body {
            Body::Data(rows) => Ok(rows.iter().find(|r| r.k == k).cloned()),
            Body::Unformatted => Ok(None),
            _ => Err(DbError::Ora(ora::block_corrupted(
                dba.0,
                dba.1,
                "wrong block type",
            ))),
        }
    }

    fn check_fits(&mut self, dba: Dba, k: u64, v: &Option<String>) -> DbResult<()> {
        let bs = self.p.db_block_size;
        let buf = self.get_block(dba)?;
        let mut rows = match &buf.block.body {
            Body::Data(r) => r.clone(),
            _ => Vec::new(),
        };
        match rows.binary_search_by_key(&k, |r| r.k) {
            Ok(i) => {
                rows[i] = Row {
                    k,
                    v: v.clone(),
                    lock: u32::MAX,
                }
            }
            Err(i) => rows.insert(
                i,
                Row {
                    k,
                    v: v.clone(),
                    lock: u32::MAX,
                },
            ),
        }
        if body_fits(&Body::Data(rows), bs) {
            Ok(())
        } else {
            Err(DbError::ora(
                1653,
                "unable to extend table SIM.T by 8 in tablespace USERS",
            ))
        }
    }

    /// The session's transaction, or a new one in a free slot (not yet logged).
    fn ensure_txn(&mut self, sid: u32) -> DbResult<Txn> {
        if let Some(t) = self.txns.get(&sid) {
            return Ok(t.clone());
        }
        let slots = self.tx_table()?;
        let n = slots.len() as u32;
        for i in 0..n {
            let s = (self.slot_cursor + i) % n;
            let busy = slots[s as usize].state == TxState::Active
                || self.txns.values().any(|t| t.slot == s);
            if !busy {
                self.slot_cursor = (s + 1) % n;
                let wrap = slots[s as usize].wrap + 1;
                return Ok(Txn {
                    xid: block::xid(s, wrap),
                    slot: s,
                    last_uba: None,
                    undo_block: None,
                    undo_blocks: Vec::new(),
                    before: Default::default(),
                });
            }
        }
        Err(DbError::ora(
            1554,
            "out of transaction slots in transaction tables",
        ))
    }

    fn tx_table(&mut self) -> DbResult<Vec<block::TxSlot>> {
        let buf = self.get_block((UNDO_FILE, UNDO_HEADER_BLOCK))?;
        match &buf.block.body {
            Body::UndoHeader(s) => Ok(s.clone()),
            _ => Err(DbError::Ora(ora::block_corrupted(
                UNDO_FILE,
                UNDO_HEADER_BLOCK,
                "undo header",
            ))),
        }
    }

    /// The undo block for the next record: the transaction's current one if
    /// the record fits, else a free one to format.
    fn undo_block_for(&mut self, tx: &Txn, rec: &UndoRecord) -> DbResult<(u32, bool)> {
        if let Some(b) = tx.undo_block {
            let bs = self.p.db_block_size;
            let buf = self.get_block((UNDO_FILE, b))?;
            if let Body::Undo { xid, records } = &buf.block.body {
                let mut r = records.clone();
                r.push(rec.clone());
                if body_fits(
                    &Body::Undo {
                        xid: *xid,
                        records: r,
                    },
                    bs,
                ) {
                    return Ok((b, false));
                }
            }
        }
        let blocks = self.cf().datafile(UNDO_FILE).expect("undo datafile").blocks;
        let first = UNDO_HEADER_BLOCK + 1;
        let n = blocks - first;
        for i in 0..n {
            let b = first + (self.undo_cursor + i) % n;
            if !self.undo_in_use.contains(&b) {
                self.undo_cursor = (b - first + 1) % n;
                // Formatting replaces the whole block: no need to read it.
                if !self.cache.buffers.contains_key(&(UNDO_FILE, b)) {
                    self.cache
                        .insert(block::Block::new(UNDO_FILE, b, Body::Unformatted));
                }
                return Ok((b, true));
            }
        }
        Err(DbError::ora(
            30036,
            "unable to extend segment by 8 in undo tablespace 'UNDOTBS'",
        ))
    }

    fn undo_len(&mut self, b: u32, formatting: bool) -> DbResult<u16> {
        if formatting {
            return Ok(0);
        }
        let buf = self.get_block((UNDO_FILE, b))?;
        match &buf.block.body {
            Body::Undo { records, .. } => Ok(records.len() as u16),
            _ => Ok(0),
        }
    }

    /// Torn-block protection (S-CR-5): the first change to a block after a
    /// checkpoint logs the block's whole image before the change. Hot backup
    /// (S-BK-2): the first change to a block of a file in backup mode after
    /// the block came into the cache (or after BEGIN BACKUP) logs its image,
    /// which repairs the block if the copy holds it fractured.
    pub(crate) fn images_for(&mut self, changes: &mut Vec<Change>, dbas: &[Dba]) -> DbResult<()> {
        let torn = self.p.torn_block_protection && !self.p.planted(Plant::NoTornImages);
        let backup = !self.in_backup.is_empty() && !self.p.planted(Plant::NoBlockImage);
        if !torn && !backup {
            return Ok(());
        }
        for &dba in dbas {
            if !torn && !self.in_backup.contains(&dba.0) {
                continue;
            }
            let buf = self.get_block(dba)?;
            if !buf.imaged {
                buf.imaged = true;
                let b = &buf.block;
                changes.push(ch(
                    dba,
                    Op::Image {
                        scn: b.scn,
                        seq: b.seq,
                        body: b.body.clone(),
                    },
                ));
            }
        }
        Ok(())
    }

    /// COMMIT: logs the commit and waits for LGWR (S-INST-4). Returns the
    /// commit SCN, or None when the session had nothing to commit.
    pub fn commit(&mut self, sid: u32) -> DbResult<Option<Scn>> {
        self.require(DbState::Open)?;
        let r = self.commit_inner(sid);
        self.fatal(r)
    }

    fn commit_inner(&mut self, sid: u32) -> DbResult<Option<Scn>> {
        let Some(tx) = self.txns.get(&sid).cloned() else {
            return Ok(None);
        };
        self.make_room()?;
        let mut images = Vec::new();
        self.images_for(&mut images, &[(UNDO_FILE, UNDO_HEADER_BLOCK)])?;
        let scn = self.log_change(|scn| {
            let mut c = images.clone();
            c.push(ch(
                (UNDO_FILE, UNDO_HEADER_BLOCK),
                Op::TxCommit { slot: tx.slot, scn },
            ));
            (c, vec![Marker::Commit { xid: tx.xid }])
        })?;
        if !self.p.planted(crate::params::Plant::EarlyAck) {
            self.lgwr_flush()?;
        }
        self.end_txn(sid);
        Ok(Some(scn))
    }

    fn end_txn(&mut self, sid: u32) {
        if let Some(t) = self.txns.remove(&sid) {
            self.locks.retain(|_, x| *x != t.xid);
            for b in t.undo_blocks {
                self.undo_in_use.remove(&b);
            }
        }
    }

    /// ROLLBACK: applies the undo chain in reverse, each step logged (S-TXN-2).
    pub fn rollback(&mut self, sid: u32) -> DbResult<()> {
        self.require(DbState::Open)?;
        let Some(tx) = self.txns.get(&sid).cloned() else {
            return Ok(());
        };
        let r = self.roll_back(tx.xid, tx.slot, tx.last_uba);
        let r = self.fatal(r);
        self.end_txn(sid);
        r.map(|_| ())
    }

    /// Rolls back transaction `xid` from its undo chain. Returns false when
    /// an undo block could not be read: the transaction stays active (its
    /// rows cannot be read, as in Oracle) and the caller reports it.
    pub(crate) fn roll_back(
        &mut self,
        xid: Xid,
        slot: u32,
        mut uba: Option<Uba>,
    ) -> DbResult<bool> {
        if let Some((file, block)) = self.undo_targets_unavailable(xid, uba)? {
            self.alert(format!(
                "SMON: deferring rollback of transaction {xid:#x}: block (file {file}, block {block}) cannot be read"
            ));
            return Ok(false);
        }
        let mut steps = 0;
        while let Some(u) = uba {
            self.make_room()?;
            let rec = self.undo_record(xid, u)?;
            let Some(rec) = rec else {
                self.alert(format!("SMON: unable to recover transaction {xid:#x}: undo block (file {UNDO_FILE}, block {}) unreadable", u.block));
                // The transaction stays active: its undo must never be
                // reused by another, or a repair of the block (block media
                // recovery) could no longer roll it back.
                self.undo_in_use.insert(u.block);
                return Ok(false);
            };
            let dba = (rec.file, rec.block);
            match self.get_block(dba) {
                Ok(_) => {
                    let mut changes = Vec::new();
                    self.images_for(&mut changes, &[dba])?;
                    changes.push(ch(
                        dba,
                        match rec.before {
                            Some(row) => Op::SetRow(row),
                            None => Op::RemoveRow { k: rec.k },
                        },
                    ));
                    self.log_change(move |_| (changes.clone(), Vec::new()))?;
                }
                Err(DbError::Ora(_)) => {} // a corrupt data block: nothing to undo into
                Err(e) => return Err(e),
            }
            uba = rec.prev;
            steps += 1;
            debug_assert!(steps < 1_000_000, "undo chain loops");
        }
        let mut images = Vec::new();
        self.images_for(&mut images, &[(UNDO_FILE, UNDO_HEADER_BLOCK)])?;
        self.log_change(move |_| {
            let mut c = images.clone();
            c.push(ch((UNDO_FILE, UNDO_HEADER_BLOCK), Op::TxFree { slot }));
            (c, vec![Marker::Rollback { xid }])
        })?;
        Ok(true)
    }

    /// The first block a transaction's undo points into that cannot be
    /// read (its file offline or waiting for media recovery, or the block
    /// corrupt): its rollback waits until the block can be read again
    /// (Oracle's deferred rollback), so that a repair of the block (media
    /// recovery) still finds the change to undo.
    fn undo_targets_unavailable(
        &mut self,
        xid: Xid,
        mut uba: Option<Uba>,
    ) -> DbResult<Option<(u32, u32)>> {
        let mut blocks = Vec::new();
        while let Some(u) = uba {
            blocks.push(u.block);
            let rec = self.undo_record(xid, u)?;
            let Some(rec) = rec else { return Ok(None) };
            self.make_room()?;
            let readable = match self.get_block((rec.file, rec.block)) {
                Ok(_) => true,
                Err(DbError::Ora(_)) => false,
                Err(e) => return Err(e),
            };
            if !readable {
                // Its undo is needed until then: never given to another.
                self.undo_in_use.extend(blocks);
                return Ok(Some((rec.file, rec.block)));
            }
            uba = rec.prev;
        }
        Ok(None)
    }

    /// The undo record `u` of transaction `xid`, or None when its undo block
    /// cannot be read or no longer belongs to it.
    fn undo_record(&mut self, xid: Xid, u: Uba) -> DbResult<Option<UndoRecord>> {
        match self.get_block((UNDO_FILE, u.block)) {
            Ok(buf) => Ok(match &buf.block.body {
                Body::Undo {
                    xid: owner,
                    records,
                } if *owner == xid => records.get(u.index as usize).cloned(),
                _ => None,
            }),
            Err(DbError::Ora(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Transaction recovery after crash recovery (S-TXN-3): every transaction
    /// still active in the transaction table died with the instance.
    pub(crate) fn transaction_recovery(&mut self) -> DbResult<()> {
        let slots = match self.tx_table() {
            Ok(s) => s,
            Err(DbError::Ora(s)) => {
                self.alert(format!("SMON: cannot read the transaction table\n{s}"));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let live: Vec<u32> = self.txns.values().map(|t| t.slot).collect();
        let dead: Vec<(u32, block::TxSlot)> = slots
            .iter()
            .enumerate()
            .filter(|(i, s)| s.state == TxState::Active && !live.contains(&(*i as u32)))
            .map(|(i, s)| (i as u32, *s))
            .collect();
        if dead.is_empty() {
            return Ok(());
        }
        self.alert(format!(
            "SMON: about to recover undo segment 1 ({} transactions)",
            dead.len()
        ));
        for (slot, s) in dead {
            let xid = block::xid(slot, s.wrap);
            if self.roll_back(xid, slot, s.last_uba)? {
                self.alert(format!("SMON: rolled back transaction {xid:#x}"));
            }
        }
        Ok(())
    }

    /// SELECT v FROM t WHERE k = … as session `sid` sees it.
    pub fn select(&mut self, sid: u32, k: u64) -> DbResult<Option<String>> {
        self.require(DbState::Open)?;
        let dba = row_home(&self.p, k);
        let row = self.current_row(dba, k);
        let row = self.fatal(row)?;
        match row {
            None => Ok(None),
            Some(r) => self.visible(sid, r).map_err(|(_, s)| DbError::Ora(s)),
        }
    }

    /// Reads every row of T, as a session with no transaction sees it.
    pub fn scan(&mut self) -> DbResult<RowScan> {
        self.require(DbState::Open)?;
        let mut out = RowScan::default();
        let users: Vec<(u32, u32)> = self
            .p
            .datafiles
            .iter()
            .filter(|f| f.tablespace == "USERS")
            .map(|f| (f.file_no, f.blocks))
            .collect();
        for (file, blocks) in users {
            for b in 1..blocks {
                self.make_room()?;
                let rows = match self.get_block((file, b)) {
                    Ok(buf) => match &buf.block.body {
                        Body::Data(rows) => rows.clone(),
                        _ => Vec::new(),
                    },
                    Err(DbError::Ora(s)) => {
                        out.unreadable_blocks.push(((file, b), s));
                        continue;
                    }
                    Err(e) => return self.fatal(Err(e)),
                };
                for r in rows {
                    let k = r.k;
                    match self.visible(u32::MAX, r) {
                        Ok(Some(v)) => out.rows.push((k, v)),
                        Ok(None) => {}
                        Err((dba, s)) => out.unreadable_rows.push((k, dba, s)),
                    }
                }
            }
        }
        out.rows.sort();
        Ok(out)
    }

    /// The value of a stored row as `sid` sees it: its own changes, the
    /// committed state, or the before-image of another live transaction
    /// (a consistent read). A row left by a transaction that could not be
    /// rolled back needs its unreadable undo: ORA-01578.
    fn visible(&mut self, sid: u32, r: Row) -> Result<Option<String>, (Dba, OraStack)> {
        if r.lock == 0 {
            return Ok(r.v);
        }
        if let Some(t) = self.txns.values().find(|t| t.xid == r.lock) {
            if self.txns.get(&sid).is_some_and(|m| m.xid == r.lock) {
                return Ok(r.v);
            }
            return Ok(t.before.get(&r.k).cloned().flatten().and_then(|b| b.v));
        }
        let slots = match self.tx_table() {
            Ok(s) => s,
            Err(e) => return Err(((UNDO_FILE, UNDO_HEADER_BLOCK), e.stack().clone())),
        };
        match slot_is_active(&slots, r.lock) {
            None => Ok(r.v),
            Some(s) => self.read_consistent(r.lock, s.last_uba, r.k),
        }
    }

    /// A consistent read through the undo of a transaction no session owns
    /// (one whose rollback is deferred, or stuck on unreadable undo): the
    /// row's value before the transaction's first change to it, from its
    /// undo chain. Unreadable undo: ORA-01578 on that undo block.
    fn read_consistent(
        &mut self,
        xid: Xid,
        mut uba: Option<Uba>,
        k: u64,
    ) -> Result<Option<String>, (Dba, OraStack)> {
        let mut before = None;
        let mut steps = 0;
        while let Some(u) = uba {
            let rec = self.undo_record(xid, u).ok().flatten();
            let Some(rec) = rec else {
                let path = self.df_path(UNDO_FILE);
                return Err((
                    (UNDO_FILE, u.block),
                    ora::block_corrupted(UNDO_FILE, u.block, &path),
                ));
            };
            if rec.k == k {
                before = Some(rec.before.clone());
            }
            uba = rec.prev;
            steps += 1;
            debug_assert!(steps < 1_000_000, "undo chain loops");
        }
        match before {
            Some(b) => Ok(b.and_then(|row| row.v)),
            None => {
                let b = UNDO_HEADER_BLOCK;
                let path = self.df_path(UNDO_FILE);
                Err(((UNDO_FILE, b), ora::block_corrupted(UNDO_FILE, b, &path)))
            }
        }
    }
}

fn ch(dba: Dba, op: Op) -> Change {
    Change {
        file: dba.0,
        block: dba.1,
        op,
    }
}
