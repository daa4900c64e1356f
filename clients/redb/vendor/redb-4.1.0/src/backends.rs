pub use crate::tree_store::InMemoryBackend;
pub use crate::tree_store::file_backend::FileBackend;
