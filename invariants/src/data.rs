//! INV-DATA-1, -2, -5: the rows after recovery against the model.

use std::collections::BTreeMap;

use engine::cache::Dba;
use engine::controlfile::DatafileRecord;
use engine::txn::RowScan;
use engine::{DbParams, row_home};

use crate::{Model, Violation};

/// Compares a full scan of table T with the model's committed state.
///
/// A committed row may be unreadable only through ORA-01578 on a block that a
/// fault tore and nothing could repair yet (S-CR-5, S-LOSS-7): with
/// torn-block protection on, crash recovery must have repaired it. `complete_open` says the database was
/// opened without RESETLOGS, so the recovery claimed to be complete: any
/// loss is then also INV-DATA-5 (no silent loss).
///
/// The files are taken as all online (what CREATE DATABASE made); see
/// [`check_rows_in`] for the control file's view.
pub fn check_rows(
    model: &Model,
    p: &DbParams,
    scan: &RowScan,
    complete_open: bool,
) -> Vec<Violation> {
    check_rows_in(model, p, scan, complete_open, &crate::files::from_params(p))
}

/// [`check_rows`] with the datafiles as the control file shows them now
/// (`dfs`). A row whose home block is in a file that is not online is
/// unavailable: the scan must report that block unreadable with ORA-00376
/// first (+ ORA-01110), never a wrong value; ORA-00376 on a block of an
/// online file is a violation.
pub fn check_rows_in(
    model: &Model,
    p: &DbParams,
    scan: &RowScan,
    complete_open: bool,
    dfs: &[DatafileRecord],
) -> Vec<Violation> {
    let mut out = Vec::new();
    let seen: BTreeMap<u64, &String> = scan.rows.iter().map(|(k, v)| (*k, v)).collect();
    let bad_blocks: BTreeMap<Dba, &engine::OraStack> = scan
        .unreadable_blocks
        .iter()
        .map(|(d, s)| (*d, s))
        .collect();
    let bad_rows: BTreeMap<u64, (Dba, u32)> = scan
        .unreadable_rows
        .iter()
        .map(|(k, d, s)| (*k, (*d, s.code())))
        .collect();
    let explained = |dba: Dba| model.excuses_corrupt(dba, true);
    let offline = |dba: Dba| !crate::files::is_online(dfs, dba.0);
    for (dba, s) in &bad_blocks {
        if s.code() == 376 {
            if !offline(*dba) {
                out.push(Violation::new(
                    "INV-DATA-1",
                    format!(
                        "block (file {}, block {}) of T unavailable but the control file shows file {} online: {}",
                        dba.0, dba.1, dba.0, s.0[0]
                    ),
                ));
            }
        } else if !explained(*dba) {
            out.push(Violation::new(
                "INV-DATA-1",
                format!(
                    "block (file {}, block {}) of T unreadable but {}: {}",
                    dba.0,
                    dba.1,
                    unexplained_corruption(model, *dba),
                    s.0[0]
                ),
            ));
        }
    }
    for (k, (dba, code)) in &bad_rows {
        if *code == 376 {
            if !offline(*dba) {
                out.push(Violation::new(
                    "INV-DATA-1",
                    format!(
                        "row k={k} unavailable through (file {}, block {}) but the control file shows file {} online",
                        dba.0, dba.1, dba.0
                    ),
                ));
            }
        } else if !explained(*dba) {
            out.push(Violation::new(
                "INV-DATA-1",
                format!(
                    "row k={k} unreadable through (file {}, block {}) but {}",
                    dba.0,
                    dba.1,
                    unexplained_corruption(model, *dba)
                ),
            ));
        }
    }
    let mut lost = false;
    // Unreadable rows are judged above.
    let unreadable = |k: u64| bad_blocks.contains_key(&row_home(p, k)) || bad_rows.contains_key(&k);
    for d in diff_rows(model.expected(), &seen, unreadable) {
        let (id, evidence) = match d {
            RowDiff::Wrong { k, seen, want } if model.is_uncommitted_value(seen) => (
                "INV-DATA-2",
                format!("row k={k} shows uncommitted value '{seen}' instead of committed '{want}'"),
            ),
            RowDiff::Wrong { k, seen, want } => (
                "INV-DATA-1",
                format!("row k={k} is '{seen}', the last acknowledged commit wrote '{want}'"),
            ),
            RowDiff::Missing { k, want } => (
                "INV-DATA-1",
                format!("row k={k} ('{want}', acknowledged) is missing"),
            ),
            RowDiff::Extra { k, seen } if model.is_uncommitted_value(seen) => (
                "INV-DATA-2",
                format!("row k={k} = '{seen}' was written by a transaction that did not commit"),
            ),
            RowDiff::Extra { k, seen } => (
                "INV-DATA-1",
                format!("row k={k} = '{seen}' is visible but its acknowledged delete is lost"),
            ),
        };
        lost |= id == "INV-DATA-1";
        out.push(Violation::new(id, evidence));
    }
    if lost && complete_open {
        out.push(Violation::new("INV-DATA-5", "the database opened without RESETLOGS (a complete recovery) but acknowledged commits are lost"));
    }
    out
}

/// How the visible rows differ from the rows wanted, one key at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowDiff<'a> {
    /// A wanted row is not visible.
    Missing { k: u64, want: &'a str },
    /// A wanted row is visible with another value.
    Wrong {
        k: u64,
        seen: &'a str,
        want: &'a str,
    },
    /// A visible row is not wanted.
    Extra { k: u64, seen: &'a str },
}

/// The differences between `want` and `seen`, wanted keys first then extra
/// ones, each in key order; wanted keys for which `skip` holds are left out
/// (the caller judges them otherwise).
pub(crate) fn diff_rows<'a>(
    want: &'a BTreeMap<u64, String>,
    seen: &BTreeMap<u64, &'a String>,
    skip: impl Fn(u64) -> bool,
) -> Vec<RowDiff<'a>> {
    let mut out = Vec::new();
    for (&k, want) in want.iter().filter(|(k, _)| !skip(**k)) {
        match seen.get(&k) {
            Some(v) if *v == want => {}
            Some(v) => out.push(RowDiff::Wrong {
                k,
                seen: v.as_str(),
                want,
            }),
            None => out.push(RowDiff::Missing { k, want }),
        }
    }
    for (&k, v) in seen.iter().filter(|(k, _)| !want.contains_key(k)) {
        out.push(RowDiff::Extra {
            k,
            seen: v.as_str(),
        });
    }
    out
}

/// Why a corrupt block is not excused, in words.
pub fn unexplained_corruption(model: &Model, dba: Dba) -> &'static str {
    if model.torn.contains(&dba) {
        "crash recovery with torn-block protection on did not repair the torn block from its logged image (S-LOSS-7)"
    } else {
        "no fault tore it"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::OraStack;
    use engine::controlfile::FileStatus;

    fn p() -> DbParams {
        DbParams::sim_default(8192, 2, 1, 1, 2)
    }

    fn model() -> Model {
        let mut m = Model::new();
        m.write(1, 0x100, 1, Some("a".into()));
        m.write(1, 0x100, 2, Some("b".into()));
        m.commit_issued(1);
        m.commit_acked(1, Some(5));
        m.write(2, 0x101, 3, Some("u".into()));
        m.rollback(2);
        m
    }

    fn scan(rows: &[(u64, &str)]) -> RowScan {
        RowScan {
            rows: rows.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn matching_scan_passes() {
        assert!(check_rows(&model(), &p(), &scan(&[(1, "a"), (2, "b")]), true).is_empty());
    }

    #[test]
    fn lost_commit_fires_data_1_and_5() {
        let v = check_rows(&model(), &p(), &scan(&[(1, "a")]), true);
        assert!(
            v.iter()
                .any(|v| v.id == "INV-DATA-1" && v.evidence.contains("k=2"))
        );
        assert!(v.iter().any(|v| v.id == "INV-DATA-5"));
        let v = check_rows(&model(), &p(), &scan(&[(1, "a")]), false);
        assert!(!v.iter().any(|v| v.id == "INV-DATA-5"));
    }

    #[test]
    fn uncommitted_value_fires_data_2() {
        let v = check_rows(&model(), &p(), &scan(&[(1, "a"), (2, "b"), (3, "u")]), true);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].id, "INV-DATA-2");
    }

    #[test]
    fn rows_of_an_offline_file_are_unavailable_never_wrong() {
        let p = p();
        let home = row_home(&p, 2);
        let ora376 = OraStack::one(376, "file 2 cannot be read at this time")
            .then(1110, "data file 2: '/u01/oradata/SIM/users01.dbf'");
        let mut s = scan(&[(1, "a")]);
        s.unreadable_blocks.push((home, ora376));
        let mut dfs = crate::files::from_params(&p);
        // The control file shows the file online: ORA-00376 is no excuse,
        // and the row is missing from an online file.
        let v = check_rows_in(&model(), &p, &s, true, &dfs);
        assert!(
            v.iter()
                .any(|v| v.id == "INV-DATA-1" && v.evidence.contains("online")),
            "{v:?}"
        );
        let v = check_rows_in(&model(), &p, &scan(&[(1, "a")]), true, &dfs);
        assert!(
            v.iter()
                .any(|v| v.evidence.contains("k=2") && v.evidence.contains("missing"))
        );
        // Offline per the control file: unavailable, not lost.
        dfs.iter_mut().find(|r| r.file_no == home.0).unwrap().status = FileStatus::Offline;
        assert!(check_rows_in(&model(), &p, &s, true, &dfs).is_empty());
        // Offline, but the row is simply missing (no ORA-00376): lost.
        let v = check_rows_in(&model(), &p, &scan(&[(1, "a")]), true, &dfs);
        assert!(
            v.iter()
                .any(|v| v.evidence.contains("k=2") && v.evidence.contains("missing"))
        );
        // Offline, and the scan shows a wrong value: never excused.
        let v = check_rows_in(&model(), &p, &scan(&[(1, "a"), (2, "zz")]), true, &dfs);
        assert!(
            v.iter()
                .any(|v| v.id == "INV-DATA-1" && v.evidence.contains("k=2"))
        );
        // A row whose state needs a block of the offline file (its undo):
        // unavailable too, but only while that file is offline.
        let mut s3 = scan(&[(1, "a")]);
        s3.unreadable_rows.push((
            2,
            home,
            OraStack::one(376, "file cannot be read at this time"),
        ));
        assert!(check_rows_in(&model(), &p, &s3, true, &dfs).is_empty());
        let online = crate::files::from_params(&p);
        let v = check_rows_in(&model(), &p, &s3, true, &online);
        assert!(
            v.iter().any(|v| v.evidence.contains("unavailable through")),
            "{v:?}"
        );
        // Another code on an offline file's block still needs a fault.
        let mut s2 = scan(&[(1, "a")]);
        s2.unreadable_blocks
            .push((home, OraStack::one(1578, "ORACLE data block corrupted")));
        assert!(!check_rows_in(&model(), &p, &s2, true, &dfs).is_empty());
    }

    #[test]
    fn unreadable_block_needs_a_tear() {
        let home = row_home(&p(), 2);
        let mut s = scan(&[(1, "a")]);
        s.unreadable_blocks
            .push((home, OraStack::one(1578, "ORACLE data block corrupted")));
        let v = check_rows(&model(), &p(), &s, true);
        assert!(
            v.iter()
                .any(|v| v.id == "INV-DATA-1" && v.evidence.contains("no fault tore"))
        );
        let mut m = model();
        m.torn.insert(home);
        assert!(check_rows(&m, &p(), &s, true).is_empty());
        // With torn-block protection the tear is no excuse after recovery.
        m.torn_block_protection = true;
        let v = check_rows(&m, &p(), &s, true);
        assert!(
            v.iter()
                .any(|v| v.id == "INV-DATA-1" && v.evidence.contains("did not repair")),
            "{v:?}"
        );
        // A rot fault is an excuse whatever the protection.
        m.torn.clear();
        m.rotted.insert(home);
        assert!(check_rows(&m, &p(), &s, true).is_empty());
    }
}
