//! INV-REC-1, INV-REC-2: a recovery step either succeeds or fails with a
//! documented ORA error that an injected fault explains.

use engine::OraStack;

use crate::{Model, Violation};

/// The fault that explains this error stack, in words, if the model knows
/// of one. Each excuse is scoped to the files and blocks the stack names:
/// - ORA-00205 / ORA-00227 (a control-file copy missing or unreadable): that
///   copy was lost, or a power loss struck a write to it;
/// - ORA-00214 (copies at different versions): a power loss struck a
///   control-file update (an I/O to one of the copies was in flight);
/// - ORA-00221 (a control-file write failed): that copy was lost;
/// - ORA-00313 (a log group with no readable member): every member named was
///   lost or garbled by a power loss (a stale control file is no excuse: OPEN
///   must have refused it first, for a log written after it);
/// - ORA-01207 / ORA-00338 / ORA-00314 / ORA-00322 (a header newer or older
///   than the control file): a stale control-file copy was put back;
/// - ORA-01122 + ORA-01210 (a datafile header destroyed): garbage from a
///   power loss on that header;
/// - ORA-01578 (a corrupt block): that block was torn or rotted and nothing
///   could repair it yet ([`Model::excuses_corrupt`]).
pub fn explanation(stack: &OraStack, model: &Model) -> Option<String> {
    let quoted = |code: u32| -> Vec<String> {
        stack
            .0
            .iter()
            .filter(|e| e.code == code)
            .filter_map(|e| e.text.split('\'').nth(1).map(str::to_string))
            .collect()
    };
    let lost_or_struck = |f: &String| {
        if model.lost_files.contains(f) {
            Some(format!("'{f}' was lost"))
        } else if model.struck_files.contains(f) {
            Some(format!("a power loss struck a write to '{f}'"))
        } else {
            None
        }
    };
    let stale = || {
        model
            .stale_controlfile
            .as_ref()
            .map(|c| format!("a stale copy of the control file ('{c}') was put back as current"))
    };
    match stack.code() {
        // A recovery session cancelled: the error after it is the cause.
        283 if stack.0.len() > 1 => explanation(&OraStack(stack.0[1..].to_vec()), model),
        205 | 227 => quoted(202).iter().find_map(lost_or_struck),
        // The copies are written one after another: a power loss that
        // struck the update (a write or sync of any copy) leaves them apart.
        214 => model
            .controlfile_paths
            .iter()
            .find(|c| model.struck_files.contains(*c))
            .map(|c| format!("a power loss struck a control-file update (a write to '{c}')"))
            .or_else(stale),
        221 => quoted(202)
            .iter()
            .find(|f| model.lost_files.contains(*f))
            .map(|f| format!("'{f}' was lost")),
        313 => {
            let members = quoted(312);
            let all_damaged = !members.is_empty()
                && members
                    .iter()
                    .all(|m| model.lost_files.contains(m) || model.garbled_files.contains(m));
            all_damaged.then(|| {
                format!(
                    "every member of the group was lost or garbled: {}",
                    members.join(", ")
                )
            })
        }
        1207 | 338 | 314 | 322 | 1190 => stale(),
        // CREATE CONTROLFILE could not read a file a fault destroyed.
        1503 => quoted(1565).iter().find_map(|f| {
            lost_or_struck(f).or_else(|| {
                model
                    .garbled_files
                    .contains(f)
                    .then(|| format!("a power loss garbled '{f}'"))
            })
        }),
        1122 if stack.has(1207) => stale(),
        1122 if stack.has(1210) => stack.0.iter().filter(|e| e.code == 1110).find_map(|e| {
            let file = e
                .text
                .trim_start_matches("data file ")
                .split(':')
                .next()
                .and_then(|n| n.parse::<u32>().ok())?;
            if model.torn.contains(&(file, 0)) {
                Some(format!("a power loss garbled the header of file {file}"))
            } else if model.media_needed.contains(&file) {
                Some(format!(
                    "file {file} was being restored or re-created when the power failed"
                ))
            } else {
                model
                    .rotted
                    .contains(&(file, 0))
                    .then(|| format!("a fault wrote garbage over the header of file {file}"))
            }
        }),
        // A datafile missing or unopenable: the file named was lost.
        1157 | 1116 => quoted(1110).iter().find_map(lost_or_struck).or_else(|| {
            let file = file_number(&stack.0[0].text)?;
            model
                .media_needed
                .contains(&file)
                .then(|| format!("file {file} was being restored when the power failed"))
        }),
        // A datafile that needs media recovery, or is offline for it.
        1113 | 10873 | 376 => {
            let file = file_number(&stack.0[0].text)?;
            model.media_needed.contains(&file).then(|| {
                format!(
                    "file {file} was restored, left in backup mode, or its media recovery cut short"
                )
            })
        }
        // An archived log recovery needs is gone: lost by a fault, or
        // never made (its online log was cleared unarchived).
        308 => {
            let name = stack.0[0].text.split('\'').nth(1)?.to_string();
            (model.lost_files.contains(&name) || model.lost_archives.contains(&name))
                .then(|| format!("the archived log '{name}' was lost or never archived"))
        }
        1578 => {
            let (f, b) = corrupt_block_named(stack)?;
            model
                .excuses_corrupt((f, b), true)
                .then(|| format!("block (file {f}, block {b}) was torn or rotted by a fault"))
        }
        _ => None,
    }
}

/// INV-REC-1 on a complete media recovery (no UNTIL) that ended with a file
/// still inconsistent (ORA-01195): every backup mode ends in the redo (an
/// end-backup marker, a crash-recovery-end marker, or the control file's
/// record of a backup mode ended at MOUNT), so complete recovery always
/// reaches it. No fault excuses this, in a random run or a script.
pub fn check_complete_recovery(stack: &OraStack) -> Option<Violation> {
    (stack.code() == 1195).then(|| {
        Violation::new(
            "INV-REC-1",
            format!("complete media recovery ended with a file still inconsistent:\n{stack}"),
        )
    })
}

/// The file number in an error text: `file 4 needs …`, `file 4 cannot …`.
fn file_number(text: &str) -> Option<u32> {
    text.split("file ").nth(1)?.split(' ').next()?.parse().ok()
}

/// The (file, block) an ORA-01578 names.
fn corrupt_block_named(stack: &OraStack) -> Option<(u32, u32)> {
    let t = &stack.0[0].text;
    let f = t.split("file # ").nth(1)?.split(',').next()?.parse().ok()?;
    let b = t
        .split("block # ")
        .nth(1)?
        .split(')')
        .next()?
        .parse()
        .ok()?;
    Some((f, b))
}

/// Whether the faults the model knows of explain this error stack.
pub fn explained(stack: &OraStack, model: &Model) -> bool {
    explanation(stack, model).is_some()
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
    fn control_file_and_log_excuses_are_scoped_to_the_files_named() {
        let c1 = "/u01/oradata/SIM/control01.ctl";
        let c2 = "/u01/oradata/SIM/control02.ctl";
        let mut m = Model::new();
        m.power_losses = 3;
        m.controlfile_paths = vec![c1.into(), c2.into()];
        let s214 = ora::controlfile_inconsistent(c2, 4, c1, 5);
        assert!(
            check_failure("mount", &s214, &m, false).is_some(),
            "a power loss that struck no control-file write explains nothing"
        );
        m.struck_files.insert("/u01/oradata/SIM/redo01a.log".into());
        assert!(
            check_failure("mount", &s214, &m, false).is_some(),
            "a struck log write explains no control-file disagreement"
        );
        m.struck_files.insert(c2.into());
        assert!(check_failure("mount", &s214, &m, false).is_none());
        let s205 = ora::controlfile_missing(c1);
        assert!(check_failure("mount", &s205, &m, false).is_some());
        let s313 = ora::log_group_unreadable(2, 1, &["/u01/oradata/SIM/redo02a.log".into()]);
        assert!(check_failure("open", &s313, &m, false).is_some());
        m.garbled_files
            .insert("/u01/oradata/SIM/redo02a.log".into());
        assert!(check_failure("open", &s313, &m, false).is_none());
        // A control-file write that failed (the instance terminated):
        // only the loss of that very copy explains it.
        let s221 = ora::controlfile_write_failed(c2);
        assert!(check_failure("termination", &s221, &m, false).is_some());
        m.lost_files.insert(c1.into());
        assert!(check_failure("termination", &s221, &m, false).is_some());
        m.lost_files.insert(c2.into());
        assert!(check_failure("termination", &s221, &m, false).is_none());
        let s1207 = ora::newer_than_controlfile(3, "/u01/oradata/SIM/users01.dbf");
        assert!(check_failure("open", &s1207, &m, false).is_some());
        m.stale_controlfile = Some("/u04/cfcopy/control01.ctl".into());
        assert!(check_failure("open", &s1207, &m, false).is_none());
    }

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
        m2.torn.insert((3, 8));
        m2.torn.remove(&(3, 7));
        assert!(
            check_failure("select", &torn, &m2, false).is_some(),
            "a tear of another block is no excuse"
        );
        m2.torn.insert((3, 7));
        m2.torn_block_protection = true;
        assert!(
            check_failure("select", &torn, &m2, false).is_some(),
            "with torn-block protection a tear is repaired by crash recovery"
        );
        assert_eq!(check_panic("open", "boom", false).id, "INV-REC-1");
        let hdr = ora::header_corrupt(4, "/u01/oradata/SIM/users02.dbf");
        assert!(check_failure("startup", &hdr, &m, false).is_some());
        m2.torn.insert((4, 0));
        assert!(check_failure("startup", &hdr, &m2, false).is_none());
    }
}
