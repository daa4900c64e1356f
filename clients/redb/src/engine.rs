//! The two redb releases behind one interface, chosen at run time.

use redosim_disk::File;

use crate::backend::DiskBackend;
use crate::workload::{State, Txn};

/// What the harness does with a redb release: open a database on a file,
/// commit a transaction durably, read table `t` back.
pub trait Engine {
    /// The release, as `--redb` names it.
    const VERSION: &'static str;
    type Db;
    /// `Builder::new().create_with_backend`: creates the database if the
    /// file is empty, else opens (and repairs) it.
    fn open(file: File) -> Result<Self::Db, String>;
    /// One write transaction with `Durability::Immediate`; `Ok` is the
    /// acknowledgement.
    fn commit(db: &Self::Db, txn: &Txn) -> Result<(), String>;
    /// Every entry of table `t` (empty if it was never created).
    fn read_all(db: &Self::Db) -> Result<State, String>;
}

macro_rules! engine {
    ($engine:ident, $redb:ident, $version:literal) => {
        #[doc = concat!("redb ", $version, ".")]
        #[derive(Debug)]
        pub struct $engine;

        impl Engine for $engine {
            const VERSION: &'static str = $version;
            type Db = $redb::Database;

            fn open(file: File) -> Result<Self::Db, String> {
                $redb::Builder::new()
                    .create_with_backend(DiskBackend::new(file))
                    .map_err(|e| e.to_string())
            }

            fn commit(db: &Self::Db, txn: &Txn) -> Result<(), String> {
                use crate::workload::Op;
                let table: $redb::TableDefinition<u64, &[u8]> = $redb::TableDefinition::new("t");
                let mut write = db.begin_write().map_err(|e| e.to_string())?;
                write
                    .set_durability($redb::Durability::Immediate)
                    .map_err(|e| e.to_string())?;
                {
                    let mut t = write.open_table(table).map_err(|e| e.to_string())?;
                    for op in &txn.ops {
                        match op {
                            Op::Put { key, value } => {
                                t.insert(*key, value.as_slice())
                                    .map_err(|e| e.to_string())?;
                            }
                            Op::Delete { key } => {
                                t.remove(*key).map_err(|e| e.to_string())?;
                            }
                        }
                    }
                }
                write.commit().map_err(|e| e.to_string())
            }

            fn read_all(db: &Self::Db) -> Result<State, String> {
                use $redb::{ReadableDatabase, ReadableTable};
                let table: $redb::TableDefinition<u64, &[u8]> = $redb::TableDefinition::new("t");
                let read = db.begin_read().map_err(|e| e.to_string())?;
                let t = match read.open_table(table) {
                    Ok(t) => t,
                    Err($redb::TableError::TableDoesNotExist(_)) => return Ok(State::new()),
                    Err(e) => return Err(e.to_string()),
                };
                let mut state = State::new();
                for entry in t.iter().map_err(|e| e.to_string())? {
                    let (key, value) = entry.map_err(|e| e.to_string())?;
                    state.insert(key.value(), value.value().to_vec());
                }
                Ok(state)
            }
        }
    };
}

engine!(Redb41, redb41, "4.1.0");
engine!(Redb42, redb42, "4.2.0");

/// The releases `--redb` accepts.
pub const VERSIONS: [&str; 2] = [Redb41::VERSION, Redb42::VERSION];
