//! The workload of a seed: write transactions of inserts, updates and
//! deletes with values of a few KiB (so the file grows), and the reference
//! model of what each acknowledged commit leaves.

use std::collections::BTreeMap;

use redosim_disk::Prng;

/// Keys are drawn from `0..KEYS`, so later transactions update and delete
/// what earlier ones inserted.
pub const KEYS: u64 = 1024;
/// Transactions per seed: `TXNS_MIN..=TXNS_MAX`.
pub const TXNS_MIN: u64 = 16;
pub const TXNS_MAX: u64 = 48;
/// Operations per transaction: `1..=OPS_MAX`.
pub const OPS_MAX: u64 = 8;
/// Value sizes in bytes: `VALUE_MIN..=VALUE_MAX`.
pub const VALUE_MIN: u64 = 1024;
pub const VALUE_MAX: u64 = 16384;

/// One change of table `t` (`u64` → bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Insert, or update if the key exists.
    Put { key: u64, value: Vec<u8> },
    /// Delete (of a key that may be absent).
    Delete { key: u64 },
}

/// One write transaction, committed with `Durability::Immediate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txn {
    /// Its index in the seed's workload (kept when a shrink drops others).
    pub index: usize,
    pub ops: Vec<Op>,
}

/// The contents of table `t`.
pub type State = BTreeMap<u64, Vec<u8>>;

impl Txn {
    /// `state` after this transaction commits.
    pub fn apply(&self, state: &mut State) {
        for op in &self.ops {
            match op {
                Op::Put { key, value } => {
                    state.insert(*key, value.clone());
                }
                Op::Delete { key } => {
                    state.remove(key);
                }
            }
        }
    }
}

/// The seed's transactions, from its stream `"workload"`. Deletes pick a key
/// that exists in the model when there is one; each value is unique (it
/// starts with its transaction and operation numbers), so a visible value
/// names the transaction that wrote it.
pub fn generate(seed: u64) -> Vec<Txn> {
    let mut prng = Prng::new(seed, "workload");
    let count = prng.range(TXNS_MIN, TXNS_MAX) as usize;
    let mut state = State::new();
    (0..count)
        .map(|index| {
            let ops = (0..prng.range(1, OPS_MAX))
                .map(|op| {
                    let keys: Vec<u64> = state.keys().copied().collect();
                    let op = if !keys.is_empty() && prng.chance(1, 8) {
                        Op::Delete {
                            key: *prng.pick(&keys),
                        }
                    } else {
                        let key = prng.below(KEYS);
                        let len = prng.range(VALUE_MIN, VALUE_MAX) as usize;
                        Op::Put {
                            key,
                            value: value(&mut prng, index, op as usize, len),
                        }
                    };
                    Txn {
                        index,
                        ops: vec![op.clone()],
                    }
                    .apply(&mut state);
                    op
                })
                .collect();
            Txn { index, ops }
        })
        .collect()
}

/// `len` bytes: the transaction and operation numbers, then seeded bytes.
fn value(prng: &mut Prng, txn: usize, op: usize, len: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len);
    bytes.extend_from_slice(&(txn as u32).to_le_bytes());
    bytes.extend_from_slice(&(op as u32).to_le_bytes());
    while bytes.len() < len {
        bytes.extend_from_slice(&prng.next_u64().to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// Which transaction wrote a value, for reports: `txn 3 op 1, 2048 bytes`.
pub fn describe_value(value: &[u8]) -> String {
    if value.len() < 8 {
        return format!("{} bytes (not a workload value)", value.len());
    }
    let txn = u32::from_le_bytes(value[..4].try_into().expect("4 bytes"));
    let op = u32::from_le_bytes(value[4..8].try_into().expect("4 bytes"));
    format!("txn {txn} op {op}, {} bytes", value.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_its_workload_and_values_name_their_writer() {
        assert_eq!(generate(5), generate(5));
        assert_ne!(generate(5), generate(6));
        for seed in 0..20 {
            let txns = generate(seed);
            assert!((TXNS_MIN..=TXNS_MAX).contains(&(txns.len() as u64)));
            for (index, txn) in txns.iter().enumerate() {
                assert_eq!(txn.index, index);
                for (op, change) in txn.ops.iter().enumerate() {
                    if let Op::Put { value, .. } = change {
                        assert!((VALUE_MIN..=VALUE_MAX).contains(&(value.len() as u64)));
                        let named = format!("txn {index} op {op}, {} bytes", value.len());
                        assert_eq!(describe_value(value), named);
                    }
                }
            }
        }
        let deletes = (0..20)
            .flat_map(generate)
            .flat_map(|t| t.ops)
            .filter(|op| matches!(op, Op::Delete { .. }))
            .count();
        assert!(deletes > 0, "the workloads delete");
    }
}
