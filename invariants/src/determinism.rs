//! INV-DET-1: the same seed and configuration give the same trace.
//!
//! A run keeps a running hash after every step; two runs of one seed are
//! compared step by step so a divergence names the first step that differs.

use crate::Violation;

/// Compares the per-step trace hashes of two runs of the same seed.
pub fn first_divergence(a: &[u64], b: &[u64]) -> Option<Violation> {
    let n = a.len().min(b.len());
    if let Some(i) = (0..n).find(|&i| a[i] != b[i]) {
        return Some(Violation::new(
            "INV-DET-1",
            format!(
                "runs diverge at step {i}: trace hash {:016x} vs {:016x}",
                a[i], b[i]
            ),
        ));
    }
    (a.len() != b.len()).then(|| {
        Violation::new(
            "INV-DET-1",
            format!("runs have {} and {} steps", a.len(), b.len()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_traces_pass_and_the_first_difference_is_named() {
        assert!(first_divergence(&[1, 2, 3], &[1, 2, 3]).is_none());
        let v = first_divergence(&[1, 2, 3], &[1, 9, 3]).unwrap();
        assert!(v.evidence.contains("step 1"));
        assert_eq!(
            first_divergence(&[1, 2], &[1, 2, 3]).unwrap().id,
            "INV-DET-1"
        );
    }
}
