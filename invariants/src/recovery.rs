//! INV-REC-1, INV-REC-2: a recovery step either succeeds or fails with a
//! documented ORA error that an injected fault explains.

use engine::OraStack;

use crate::{Model, Violation};

/// Whether the faults the model knows of explain this error stack.
pub fn explained(stack: &OraStack, model: &Model) -> bool {
    let names_lost = || {
        stack.0.iter().any(|e| {
            model
                .lost_files
                .iter()
                .any(|f| e.text.contains(&format!("'{f}'")))
        })
    };
    match stack.code() {
        // A control-file copy missing or unreadable: its loss, or a power loss.
        205 | 227 => names_lost() || model.power_losses > 0,
        // Copies at different versions: a power loss between their writes.
        214 => model.power_losses > 0,
        // An online log group with no readable member: every member lost.
        313 => {
            let members: Vec<&str> = stack
                .0
                .iter()
                .filter(|e| e.code == 312)
                .map(|e| e.text.as_str())
                .collect();
            !members.is_empty()
                && members.iter().all(|t| {
                    model
                        .lost_files
                        .iter()
                        .any(|f| t.contains(&format!("'{f}'")))
                })
        }
        // A datafile header destroyed: only by garbage from a power loss.
        1122 if stack.has(1210) => stack.0.iter().filter(|e| e.code == 1110).any(|e| {
            let file = e
                .text
                .trim_start_matches("data file ")
                .split(':')
                .next()
                .and_then(|n| n.parse::<u32>().ok());
            file.is_some_and(|f| model.torn.contains(&(f, 0)))
        }),
        // A corrupt block: only one a power loss tore.
        1578 => model.torn.iter().any(|(f, b)| {
            stack.0[0]
                .text
                .contains(&format!("(file # {f}, block # {b})"))
        }),
        _ => false,
    }
}

/// Judges a failed recovery step. `after_crash_in_recovery` says a power loss
/// struck the previous recovery attempt (INV-REC-2 then).
pub fn check_failure(
    step: &str,
    stack: &OraStack,
    model: &Model,
    after_crash_in_recovery: bool,
) -> Option<Violation> {
    if explained(stack, model) {
        return None;
    }
    let id = if after_crash_in_recovery {
        "INV-REC-2"
    } else {
        "INV-REC-1"
    };
    Some(Violation::new(
        id,
        format!("{step} failed with an error no injected fault explains:\n{stack}"),
    ))
}

/// A panic inside a recovery step is always a violation.
pub fn check_panic(step: &str, message: &str, after_crash_in_recovery: bool) -> Violation {
    let id = if after_crash_in_recovery {
        "INV-REC-2"
    } else {
        "INV-REC-1"
    };
    Violation::new(id, format!("{step} panicked: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::error::ora;

    #[test]
    fn unexplained_errors_fire_and_explained_ones_do_not() {
        let m = Model::new();
        let s = ora::needs_media_recovery(3, "/u01/oradata/SIM/users01.dbf");
        assert_eq!(
            check_failure("startup", &s, &m, false).unwrap().id,
            "INV-REC-1"
        );
        assert_eq!(
            check_failure("startup", &s, &m, true).unwrap().id,
            "INV-REC-2"
        );
        let cf = ora::controlfile_missing("/u01/oradata/SIM/control02.ctl");
        assert!(check_failure("startup mount", &cf, &m, false).is_some());
        let mut m2 = Model::new();
        m2.lost_files
            .insert("/u01/oradata/SIM/control02.ctl".into());
        assert!(check_failure("startup mount", &cf, &m2, false).is_none());
        let torn = ora::block_corrupted(3, 7, "/u01/oradata/SIM/users01.dbf");
        assert!(check_failure("select", &torn, &m, false).is_some());
        m2.torn.insert((3, 7));
        assert!(check_failure("select", &torn, &m2, false).is_none());
        assert_eq!(check_panic("open", "boom", false).id, "INV-REC-1");
        let hdr = ora::header_corrupt(4, "/u01/oradata/SIM/users02.dbf");
        assert!(check_failure("startup", &hdr, &m, false).is_some());
        m2.torn.insert((4, 0));
        assert!(check_failure("startup", &hdr, &m2, false).is_none());
    }
}
