//! Shared by the integration tests that run the real `redosim` binary.

use std::process::Command;

/// Runs `redosim ARGS`: (exit code, stdout, stderr).
pub fn redosim<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_redosim"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
