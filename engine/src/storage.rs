//! The engine's only window on the world: files of bytes.
//!
//! The engine does every read and write through [`Storage`]; it never touches
//! the host file system, the host clock or a random source (S-DISK-5). The
//! simulator's disk implements this trait and decides what a power loss keeps.
//!
//! Paths are absolute strings such as `/u01/oradata/SIM/system01.dbf`. A
//! directory is everything before the last `/`.

use std::collections::BTreeMap;

/// The error types are the disk crate's, so an error keeps its type from the
/// simulated disk through the engine.
pub use redosim_disk::{IoError, IoErrorKind, IoResult};

/// Files of bytes, with the durability contract of a real disk (S-DISK-1..3):
/// a write is volatile until [`Storage::sync`] of that file; create, delete
/// and rename are volatile until [`Storage::sync_dir`] of the directory.
///
/// Writes cover whole OS blocks ([`Storage::os_block_size`]) at OS-block
/// aligned offsets. Reads see the latest writes, synced or not, as on a real
/// OS with a page cache.
pub trait Storage {
    /// The OS block size in bytes: the unit of atomic writes.
    fn os_block_size(&self) -> usize;
    /// Creates an empty file; fails with `AlreadyExists` if the name exists.
    fn create(&mut self, path: &str) -> IoResult<()>;
    /// Whether the name exists now. Does not count as I/O.
    fn exists(&self, path: &str) -> bool;
    /// Reads `buf.len()` bytes at `offset`; bytes past the end read as zero.
    /// Returns how many bytes lay inside the file.
    fn read(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> IoResult<usize>;
    /// Writes whole OS blocks at an OS-block aligned offset.
    fn write(&mut self, path: &str, offset: u64, data: &[u8]) -> IoResult<()>;
    /// Makes every earlier write to this file durable.
    fn sync(&mut self, path: &str) -> IoResult<()>;
    /// Makes earlier create/delete/rename of names in `dir` durable.
    fn sync_dir(&mut self, dir: &str) -> IoResult<()>;
    /// Removes a name.
    fn delete(&mut self, path: &str) -> IoResult<()>;
    /// Renames `from` to `to`, replacing `to` if it exists.
    fn rename(&mut self, from: &str, to: &str) -> IoResult<()>;
    /// The size of the file in bytes.
    fn size(&mut self, path: &str) -> IoResult<u64>;
    /// Every existing name that starts with `prefix`, sorted.
    fn list(&self, prefix: &str) -> Vec<String>;
}

/// The directory part of a path (`/u01/oradata/SIM/x.dbf` → `/u01/oradata/SIM`).
pub fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

/// A fault-free in-memory storage with 512-byte OS blocks: every write is
/// durable at once, nothing is ever lost. For tests and examples that need a
/// real database but no faults (the simulated disk is `redosim_disk::Disk`).
#[derive(Debug, Default, Clone)]
pub struct MemStorage {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemStorage {
    /// Overwrites bytes of a file directly, as a fault would.
    pub fn poke(&mut self, path: &str, offset: usize, bytes: &[u8]) {
        let f = self.files.get_mut(path).expect("file exists");
        if f.len() < offset + bytes.len() {
            f.resize(offset + bytes.len(), 0);
        }
        f[offset..offset + bytes.len()].copy_from_slice(bytes);
    }
    pub fn peek(&self, path: &str, offset: usize, len: usize) -> Vec<u8> {
        self.files[path][offset..offset + len].to_vec()
    }
}

impl Storage for MemStorage {
    fn os_block_size(&self) -> usize {
        512
    }
    fn create(&mut self, path: &str) -> IoResult<()> {
        if self.files.contains_key(path) {
            return Err(IoError::new(IoErrorKind::AlreadyExists, path));
        }
        self.files.insert(path.to_string(), Vec::new());
        Ok(())
    }
    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
    fn read(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> IoResult<usize> {
        let f = self
            .files
            .get(path)
            .ok_or_else(|| IoError::new(IoErrorKind::NotFound, path))?;
        buf.fill(0);
        let o = offset as usize;
        if o >= f.len() {
            return Ok(0);
        }
        let n = buf.len().min(f.len() - o);
        buf[..n].copy_from_slice(&f[o..o + n]);
        Ok(n)
    }
    fn write(&mut self, path: &str, offset: u64, data: &[u8]) -> IoResult<()> {
        if !self.files.contains_key(path) {
            return Err(IoError::new(IoErrorKind::NotFound, path));
        }
        self.poke(path, offset as usize, data);
        Ok(())
    }
    fn sync(&mut self, path: &str) -> IoResult<()> {
        if self.files.contains_key(path) {
            Ok(())
        } else {
            Err(IoError::new(IoErrorKind::NotFound, path))
        }
    }
    fn sync_dir(&mut self, _dir: &str) -> IoResult<()> {
        Ok(())
    }
    fn delete(&mut self, path: &str) -> IoResult<()> {
        self.files
            .remove(path)
            .map(|_| ())
            .ok_or_else(|| IoError::new(IoErrorKind::NotFound, path))
    }
    fn rename(&mut self, from: &str, to: &str) -> IoResult<()> {
        let f = self
            .files
            .remove(from)
            .ok_or_else(|| IoError::new(IoErrorKind::NotFound, from))?;
        self.files.insert(to.to_string(), f);
        Ok(())
    }
    fn size(&mut self, path: &str) -> IoResult<u64> {
        self.files
            .get(path)
            .map(|f| f.len() as u64)
            .ok_or_else(|| IoError::new(IoErrorKind::NotFound, path))
    }
    fn list(&self, prefix: &str) -> Vec<String> {
        self.files
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// The simulated disk (crate `redosim-disk`) as the engine's storage: every
/// call is the disk's own file call of the same name.
impl Storage for redosim_disk::Disk {
    #[inline]
    fn os_block_size(&self) -> usize {
        redosim_disk::Disk::os_block_size(self)
    }
    #[inline]
    fn create(&mut self, path: &str) -> IoResult<()> {
        redosim_disk::Disk::create(self, path)
    }
    #[inline]
    fn exists(&self, path: &str) -> bool {
        redosim_disk::Disk::exists(self, path)
    }
    #[inline]
    fn read(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> IoResult<usize> {
        redosim_disk::Disk::read(self, path, offset, buf)
    }
    #[inline]
    fn write(&mut self, path: &str, offset: u64, data: &[u8]) -> IoResult<()> {
        redosim_disk::Disk::write(self, path, offset, data)
    }
    #[inline]
    fn sync(&mut self, path: &str) -> IoResult<()> {
        redosim_disk::Disk::sync(self, path)
    }
    #[inline]
    fn sync_dir(&mut self, dir: &str) -> IoResult<()> {
        redosim_disk::Disk::sync_dir(self, dir)
    }
    #[inline]
    fn delete(&mut self, path: &str) -> IoResult<()> {
        redosim_disk::Disk::delete(self, path)
    }
    #[inline]
    fn rename(&mut self, from: &str, to: &str) -> IoResult<()> {
        redosim_disk::Disk::rename(self, from, to)
    }
    #[inline]
    fn size(&mut self, path: &str) -> IoResult<u64> {
        redosim_disk::Disk::size(self, path)
    }
    #[inline]
    fn list(&self, prefix: &str) -> Vec<String> {
        redosim_disk::Disk::list(self, prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_of_splits_at_last_slash() {
        assert_eq!(dir_of("/u01/oradata/SIM/x.dbf"), "/u01/oradata/SIM");
        assert_eq!(dir_of("/x"), "/");
        assert_eq!(dir_of("x"), "");
    }
}
