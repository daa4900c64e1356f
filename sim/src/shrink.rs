//! Shrinking a failure to a small scenario a person can read.
//!
//! A failing run prints as a scenario that replays bit for bit (every power
//! loss pinned by `resolve`), so shrinking is delta debugging (ddmin) over
//! the scenario's statements: drop chunks of statements, keep a candidate
//! when it still fails with the *same* invariant, halve the chunks when none
//! can go. Candidates that break the story (an `expect error` whose error no
//! longer happens) simply fail differently and are rejected.
//!
//! Every candidate is a full replay, so the number of replays is bounded.

use crate::scenario::{ScriptOutcome, run_script};
use crate::script::{Located, Script, Statement, parse, print};

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
                    Statement::ExpectError(_) | Statement::ExpectSuccess
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
/// neither removes anything; then the configuration is simplified.
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
        return Err(format!(
            "the scenario does not fail with an invariant (exit {}): {:?}",
            out.exit, out.failure
        ));
    };
    Ok((shrink(&script, &id, max_replays), id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{RunOptions, run_seed};

    /// Every built planted bug shrinks to a scenario that fails with the
    /// invariant the run failed with, keeps every power loss pinned, and
    /// holds with the bug switched off, in at most 15 statements.
    #[test]
    fn every_planted_bug_shrinks() {
        let mut simplified = 0;
        for (plant, most) in [
            (engine::Plant::SkipWal, 15),
            (engine::Plant::EarlyAck, 15),
            (engine::Plant::CkptBeforeWrite, 15),
            (engine::Plant::ReuseUnarchived, 15),
            (engine::Plant::IgnoreTail, 15),
        ] {
            let run = (0..200)
                .map(|seed| {
                    run_seed(&RunOptions {
                        seed,
                        plant: Some(plant),
                        ..Default::default()
                    })
                })
                .find(|r| r.violation.is_some())
                .expect("the canary is caught");
            let id = run.violation.as_ref().unwrap().id.clone();
            let (s, found) = shrink_text(&run.scenario, 1000).unwrap();
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
            let crashes = text.lines().filter(|l| l.starts_with("crash")).count();
            let resolves = text.lines().filter(|l| l.starts_with("resolve")).count();
            assert_eq!(crashes, resolves, "every crash keeps its resolve:\n{text}");
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
