//! Shrinking a failure to a small scenario a person can read.
//!
//! A failing run prints as a scenario that replays bit for bit (every power
//! loss pinned by `resolve`), so shrinking is delta debugging (ddmin) over
//! the scenario's statements: drop chunks of statements, keep a candidate
//! when it still fails with the *same* invariant, halve the chunks when none
//! can go. Candidates that break the story (an `expect error` whose error no
//! longer happens) simply fail differently and are rejected.
//!
//! After the statements, the *values* are shrunk: the keys of the SQL
//! statements are renumbered 1, 2, 3, … and the strings inserted and
//! updated become `'a'`, `'b'`, … `'z'`, `'aa'`, …, each in order of first
//! appearance. Both are bijections over the distinct keys (values), so the
//! story of the scenario is kept; each is one candidate replay, kept only
//! when the failure still replays with the same invariant. The physical
//! story may not be: a row's block is a hash of its key
//! (`engine::row_home`) and a shorter value makes a smaller row and less
//! redo, so a failure that hangs on which blocks are written before a
//! pinned power loss may keep its original keys or values.
//!
//! Every candidate is a full replay, so the number of replays is bounded.

use std::collections::BTreeMap;

use crate::scenario::{ScriptOutcome, run_script};
use crate::script::{Located, RmanCmd, Script, SqlStmt, Statement, parse, print};

/// The invariant a scenario's replay failed with, if it failed with one.
pub fn violated_invariant(outcome: &ScriptOutcome) -> Option<String> {
    let f = outcome.failure.as_deref()?;
    let at = f.find("VIOLATION INV-")? + "VIOLATION ".len();
    let id: String = f[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (outcome.exit == 1).then_some(id)
}

/// What shrinking did.
#[derive(Debug, Clone)]
pub struct Shrunk {
    pub script: Script,
    pub original_statements: usize,
    pub final_statements: usize,
    /// Replays spent.
    pub replays: usize,
}

/// A statement with the lines that belong to it: the `expect` about it and,
/// after a crash, its `resolve`. Shrinking removes units, never half of one.
type Unit = Vec<Located<Statement>>;

fn units(statements: &[Located<Statement>], with_expectations: bool) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    for st in statements {
        // A `resolve` never leaves its crash: the shrunk scenario must not
        // fall back on the seed's stream for a power loss.
        let follower = matches!(st.node, Statement::Resolve { .. })
            || (with_expectations
                && matches!(
                    st.node,
                    Statement::ExpectError(_) | Statement::ExpectSuccess | Statement::ExpectRows(_)
                ));
        match out.last_mut() {
            Some(unit) if follower => unit.push(st.clone()),
            _ => out.push(vec![st.clone()]),
        }
    }
    out
}

/// Shrinks `script`, which must fail with `id`, within `max_replays`:
/// ddmin passes over units and over single statements, alternated until
/// neither removes anything; then keys and values are renamed canonically;
/// then the configuration is simplified.
pub fn shrink(script: &Script, id: &str, max_replays: usize) -> Shrunk {
    let mut replays = 0;
    let mut current = script.statements.clone();
    loop {
        let before = current.len();
        current = ddmin(
            &script.settings,
            units(&current, true),
            id,
            max_replays,
            &mut replays,
        )
        .concat();
        current = ddmin(
            &script.settings,
            units(&current, false),
            id,
            max_replays,
            &mut replays,
        )
        .concat();
        if current.len() == before || replays >= max_replays {
            break;
        }
    }
    // Values after the statements: fewer statements leave fewer distinct
    // keys and values to rename, and cheaper replays. Before the settings:
    // a renaming is one all-or-nothing candidate, tried against the
    // configuration the crashes were pinned in, and the settings pass then
    // judges each simpler setting against the final statement text, so
    // every setting it keeps is known to replay with exactly the statements
    // reported. (Trying the renaming again after the settings, measured on
    // the planted bugs, kept nothing more.)
    current = simpler_values(&script.settings, current, id, max_replays, &mut replays);
    let settings = simpler_settings(&script.settings, &current, id, max_replays, &mut replays);
    Shrunk {
        original_statements: script.statements.len(),
        final_statements: current.len(),
        script: Script {
            settings,
            statements: current,
        },
        replays,
    }
}

/// Tries each setting at its simplest value (fewer log groups, members and
/// control files, smaller blocks, protections off) and keeps a change when
/// the scenario still fails with `id`. Changes that move the I/O a pinned
/// crash counts usually lose the failure and are dropped.
fn simpler_settings(
    settings: &[Located<crate::script::Setting>],
    statements: &[Located<Statement>],
    id: &str,
    max_replays: usize,
    replays: &mut usize,
) -> Vec<Located<crate::script::Setting>> {
    use crate::script::Setting;
    let mut current = settings.to_vec();
    for i in 0..current.len() {
        if *replays >= max_replays {
            break;
        }
        let simpler = match current[i].node {
            Setting::LogGroups(n) if n > 2 => Setting::LogGroups(2),
            Setting::LogMembers(n) if n > 1 => Setting::LogMembers(1),
            Setting::ControlFiles(n) if n > 1 => Setting::ControlFiles(1),
            Setting::DbBlockSize(n) if n > 2048 => Setting::DbBlockSize(2048),
            Setting::TornBlockProtection(true) => Setting::TornBlockProtection(false),
            Setting::GarbageOnPowerLoss(true) => Setting::GarbageOnPowerLoss(false),
            _ => continue,
        };
        let mut candidate = current.clone();
        candidate[i] = Located::unlocated(simpler);
        // 512-byte OS blocks fit any database block size.
        if matches!(candidate[i].node, Setting::DbBlockSize(_)) {
            for s in candidate.iter_mut() {
                if let Setting::OsBlockSize(_) = s.node {
                    *s = Located::unlocated(Setting::OsBlockSize(512));
                }
            }
        }
        *replays += 1;
        let text = print(&Script {
            settings: candidate.clone(),
            statements: statements.to_vec(),
        });
        if violated_invariant(&run_script("shrink.scn", &text, false)).as_deref() == Some(id) {
            current = candidate;
        }
    }
    current
}

/// Calls `f` on every SQL statement of `statements` in order, including
/// those inside `run { … }`, stored scripts and RMAN `sql "…"`.
fn for_each_sql(statements: &mut [Located<Statement>], f: &mut impl FnMut(&mut SqlStmt)) {
    fn stmt(s: &mut Statement, f: &mut impl FnMut(&mut SqlStmt)) {
        match s {
            Statement::Sql(sql) => f(sql),
            Statement::Rman(cmd) => rman(cmd, f),
            _ => {}
        }
    }
    fn rman(cmd: &mut RmanCmd, f: &mut impl FnMut(&mut SqlStmt)) {
        match cmd {
            RmanCmd::Run(body) | RmanCmd::CreateScript { body, .. } => {
                for c in body {
                    rman(&mut c.node, f);
                }
            }
            RmanCmd::Sql(s) | RmanCmd::Native(s) => stmt(s, f),
            _ => {}
        }
    }
    for s in statements {
        stmt(&mut s.node, f);
    }
}

/// The key a SQL statement names, if any.
fn sql_key(sql: &mut SqlStmt) -> Option<&mut u64> {
    match sql {
        SqlStmt::Insert { k, .. }
        | SqlStmt::Update { k, .. }
        | SqlStmt::Delete { k, .. }
        | SqlStmt::SelectWhere { k, .. } => Some(k),
        _ => None,
    }
}

/// The value a SQL statement writes, if any.
fn sql_value(sql: &mut SqlStmt) -> Option<&mut String> {
    match sql {
        SqlStmt::Insert { v, .. } | SqlStmt::Update { v, .. } => Some(v),
        _ => None,
    }
}

/// The canonical renumbering of the keys of `statements`: the distinct keys
/// in order of first appearance become 1, 2, 3, …
fn key_map(statements: &[Located<Statement>]) -> BTreeMap<u64, u64> {
    let mut map = BTreeMap::new();
    for_each_sql(&mut statements.to_vec(), &mut |sql| {
        if let Some(k) = sql_key(sql) {
            let next = map.len() as u64 + 1;
            map.entry(*k).or_insert(next);
        }
    });
    map
}

/// The `i`-th (0-based) canonical value: `a` … `z`, `aa` … `zz`, `aaa` …
/// (bijective base 26).
fn canonical_value(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// The canonical renaming of the values of `statements`: the distinct
/// values in order of first appearance become `a`, `b`, … (see
/// [`canonical_value`]).
fn value_map(statements: &[Located<Statement>]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for_each_sql(&mut statements.to_vec(), &mut |sql| {
        if let Some(v) = sql_value(sql)
            && !map.contains_key(v.as_str())
        {
            let next = canonical_value(map.len());
            map.insert(v.clone(), next);
        }
    });
    map
}

/// `statements` with every key renamed by `map` (keys it lacks are kept).
fn rename_keys(
    statements: &[Located<Statement>],
    map: &BTreeMap<u64, u64>,
) -> Vec<Located<Statement>> {
    let mut out = statements.to_vec();
    for_each_sql(&mut out, &mut |sql| {
        if let Some(k) = sql_key(sql) {
            *k = map.get(k).copied().unwrap_or(*k);
        }
    });
    out
}

/// `statements` with every value renamed by `map` (values it lacks are
/// kept).
fn rename_values(
    statements: &[Located<Statement>],
    map: &BTreeMap<String, String>,
) -> Vec<Located<Statement>> {
    let mut out = statements.to_vec();
    for_each_sql(&mut out, &mut |sql| {
        if let Some(v) = sql_value(sql)
            && let Some(new) = map.get(v.as_str())
        {
            *v = new.clone();
        }
    });
    out
}

/// Renames the keys, then the values, canonically (one candidate each),
/// keeping a renaming when the scenario still fails with `id`.
fn simpler_values(
    settings: &[Located<crate::script::Setting>],
    statements: Vec<Located<Statement>>,
    id: &str,
    max_replays: usize,
    replays: &mut usize,
) -> Vec<Located<Statement>> {
    let mut current = statements;
    let mut try_candidate = |current: &mut Vec<Located<Statement>>,
                             candidate: Vec<Located<Statement>>| {
        if candidate == *current || *replays >= max_replays {
            return;
        }
        *replays += 1;
        let text = print(&Script {
            settings: settings.to_vec(),
            statements: candidate.clone(),
        });
        if violated_invariant(&run_script("shrink.scn", &text, false)).as_deref() == Some(id) {
            *current = candidate;
        }
    };
    let keys = rename_keys(&current, &key_map(&current));
    try_candidate(&mut current, keys);
    let values = rename_values(&current, &value_map(&current));
    try_candidate(&mut current, values);
    current
}

/// One ddmin pass: removes chunks of units while the scenario still fails
/// with `id`.
fn ddmin(
    settings: &[Located<crate::script::Setting>],
    mut current: Vec<Unit>,
    id: &str,
    max_replays: usize,
    replays: &mut usize,
) -> Vec<Unit> {
    let fails = |units: &[Unit], replays: &mut usize| {
        *replays += 1;
        let candidate = Script {
            settings: settings.to_vec(),
            statements: units.concat(),
        };
        let out = run_script("shrink.scn", &print(&candidate), false);
        violated_invariant(&out).as_deref() == Some(id)
    };
    let mut chunks = 2usize;
    while current.len() >= 2 && *replays < max_replays {
        let size = current.len().div_ceil(chunks);
        let mut reduced = false;
        let mut start = 0;
        while start < current.len() && *replays < max_replays {
            let end = (start + size).min(current.len());
            let complement: Vec<Unit> = current[..start]
                .iter()
                .chain(&current[end..])
                .cloned()
                .collect();
            if !complement.is_empty() && fails(&complement, replays) {
                current = complement;
                reduced = true;
                // Retry the same position: the next chunk slid into it.
            } else {
                start = end;
            }
        }
        if reduced {
            chunks = chunks.saturating_sub(1).max(2);
        } else if chunks >= current.len() {
            break;
        } else {
            chunks = (chunks * 2).min(current.len());
        }
    }
    current
}

/// Shrinks the scenario text of a failing run; `header` opens the result.
pub fn shrink_text(text: &str, max_replays: usize) -> Result<(Shrunk, String), String> {
    let script = parse("run.scn", text).map_err(|e| e.to_string())?;
    let out = run_script("run.scn", text, false);
    let Some(id) = violated_invariant(&out) else {
        return Err(not_failing(&out));
    };
    Ok((shrink(&script, &id, max_replays), id))
}

/// Why a scenario that breaks no invariant has nothing to shrink, in words.
fn not_failing(out: &ScriptOutcome) -> String {
    // The replay named its text `run.scn`: say `line N` instead.
    let why = out
        .failure
        .as_deref()
        .map(|f| match f.strip_prefix("run.scn:") {
            Some(rest) => format!("line {rest}"),
            None => f.to_string(),
        })
        .unwrap_or_default();
    match out.exit {
        0 => "it does not fail: every expectation, check and invariant held".to_string(),
        2 => format!("it does not run: {why}"),
        _ => format!("it fails, but with no invariant broken: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{RunOptions, run_seed};
    use std::collections::BTreeSet;

    /// The keys and values of the SQL statements, in order.
    fn keys_and_values(statements: &[Located<Statement>]) -> (Vec<u64>, Vec<String>) {
        let (mut keys, mut values) = (Vec::new(), Vec::new());
        for_each_sql(&mut statements.to_vec(), &mut |sql| {
            keys.extend(sql_key(sql).map(|k| *k));
            values.extend(sql_value(sql).map(|v| v.clone()));
        });
        (keys, values)
    }

    #[test]
    fn canonical_values_count_in_bijective_base_26() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(canonical_value)
            .collect();
        assert_eq!(names, ["a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"]);
        let all: BTreeSet<String> = (0..800).map(canonical_value).collect();
        assert_eq!(all.len(), 800, "distinct indices give distinct names");
    }

    /// Keys become 1, 2, 3, … and values `a`, `b`, … in order of first
    /// appearance, everywhere a key or value occurs (also inside `run { … }`
    /// and `sql "…"`), and nothing else changes.
    #[test]
    fn keys_and_values_are_renamed_in_order_of_first_appearance() {
        let text = "\
startup
insert into t values (42, 'v17');
update t set v = 'v3' where k = 7;
commit;
select * from t where k = 7;
delete from t where k = 42;
insert into t values (0, 'v17');
update t set v = 'a' where k = 160;
run { sql \"insert into t values (7, 'v99')\"; }
select * from t where k = 0;
rollback;
";
        let script = parse("t.scn", text).unwrap();
        let st = &script.statements;
        assert_eq!(
            key_map(st),
            BTreeMap::from([(42, 1), (7, 2), (0, 3), (160, 4)])
        );
        let values = value_map(st);
        assert_eq!(
            values,
            BTreeMap::from(
                [("v17", "a"), ("v3", "b"), ("a", "c"), ("v99", "d")]
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            )
        );
        let renamed = rename_values(&rename_keys(st, &key_map(st)), &values);
        assert_eq!(
            keys_and_values(&renamed),
            (
                vec![1, 2, 2, 1, 3, 4, 2, 3],
                ["a", "b", "a", "c", "d"].map(String::from).to_vec()
            )
        );
        let expected = text
            .replace("(42, 'v17')", "(1, 'a')")
            .replace("'v3' where k = 7", "'b' where k = 2")
            .replace("where k = 7;", "where k = 2;")
            .replace("k = 42", "k = 1")
            .replace("(0, 'v17')", "(3, 'a')")
            .replace("'a' where k = 160", "'c' where k = 4")
            .replace("(7, 'v99')", "(2, 'd')")
            .replace("k = 0;", "k = 3;");
        assert_eq!(
            Script {
                settings: vec![],
                statements: renamed
            }
            .without_locations(),
            parse("e.scn", &expected).unwrap().without_locations()
        );
    }

    /// Every built planted bug shrinks to a scenario that fails with the
    /// invariant the run failed with, keeps every power loss pinned, and
    /// holds with the bug switched off, in at most 15 statements, with
    /// short canonical values and, where the failure allows, keys 1, 2, …
    #[test]
    fn every_planted_bug_shrinks() {
        let mut simplified = 0;
        // The third column: whether the keys renumber. Skip-wal's failure
        // depends on where its rows live (`engine::row_home` hashes the
        // key into a datafile block, and the buffer cache holds 8 blocks),
        // so renumbering its keys loses it and the shrinker keeps them.
        for (plant, most, canonical_keys) in [
            (engine::Plant::SkipWal, 15, false),
            (engine::Plant::EarlyAck, 15, true),
            (engine::Plant::CkptBeforeWrite, 15, true),
            (engine::Plant::ReuseUnarchived, 15, true),
            (engine::Plant::IgnoreTail, 15, true),
            (engine::Plant::NoTornImages, 15, true),
            (engine::Plant::AckWithoutMember, 17, true),
        ] {
            // The smallest shrink of the first five failing seeds: how far
            // ddmin gets depends on the run a seed happened to draw.
            let (run, s, found) = (0..600)
                .map(|seed| {
                    run_seed(&RunOptions {
                        seed,
                        plant: Some(plant),
                        ..Default::default()
                    })
                })
                // A restore drill's failure (INV-BK-2) is not on the tape:
                // it does not replay as a script, so it does not shrink.
                .filter(|r| r.violation.as_ref().is_some_and(|v| v.id != "INV-BK-2"))
                .take(5)
                .map(|run| {
                    let (s, found) = shrink_text(&run.scenario, 1000).unwrap();
                    (run, s, found)
                })
                .min_by_key(|(_, s, _)| s.final_statements)
                .expect("the canary is caught");
            let id = run.violation.as_ref().unwrap().id.clone();
            assert_eq!(found, id);
            let original = parse("run.scn", &run.scenario).unwrap().settings;
            simplified += usize::from(s.script.settings != original);
            let text = print(&s.script);
            println!(
                "{}: seed {} {id}: {} -> {} statements in {} replays",
                plant.name(),
                run.seed,
                s.original_statements,
                s.final_statements,
                s.replays
            );
            assert!(
                s.final_statements <= most,
                "{}: {} statements\n{text}",
                plant.name(),
                s.final_statements
            );
            // Keys and values are canonical: keys 1..=distinct, values of
            // one or two letters (the random runs use keys up to 160 and
            // values `v1`, `v2`, … `v123`, …).
            let (keys, values) = keys_and_values(&s.script.statements);
            let distinct: BTreeSet<u64> = keys.iter().copied().collect();
            assert!(
                !canonical_keys
                    || keys
                        .iter()
                        .all(|&k| (1..=distinct.len() as u64).contains(&k)),
                "{}: keys {keys:?} not 1..={}\n{text}",
                plant.name(),
                distinct.len()
            );
            assert!(
                values.iter().all(|v| (1..=2).contains(&v.len())),
                "{}: values {values:?} not short\n{text}",
                plant.name()
            );
            let crashes = text.lines().filter(|l| l.starts_with("crash")).count();
            let resolves = text.lines().filter(|l| l.starts_with("resolve")).count();
            // A crash point the violation comes before never strikes, and a
            // printed run gives it no `resolve`; every other keeps its own.
            assert!(
                resolves <= crashes && crashes - resolves <= 1,
                "every crash keeps its resolve:\n{text}"
            );
            assert_eq!(
                violated_invariant(&run_script("s.scn", &text, false)).as_deref(),
                Some(id.as_str())
            );
            let off = text.replace(&format!("set plant '{}'\n", plant.name()), "");
            // With the bug off no invariant fails (the armed crash may land
            // elsewhere, which the scenario did not expect: that is not a
            // violation).
            assert_eq!(
                violated_invariant(&run_script("off.scn", &off, false)),
                None,
                "{} off:\n{off}",
                plant.name()
            );
        }
        assert!(simplified > 0, "the configuration is simplified too");
    }
}
