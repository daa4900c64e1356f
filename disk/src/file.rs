//! Files as `std::fs` has them: handles you open, read and write at offsets,
//! `set_len`, `sync_data`, `sync_all`; and the disk shared between them.
//!
//! A [`SharedDisk`] is a [`Disk`] behind an `Arc<Mutex<…>>`: clones share one
//! disk, so an engine holds [`File`]s while the test harness, through
//! [`SharedDisk::lock`], arms crashes, injects faults, loses the power or
//! takes a snapshot. Every call locks the disk for its duration only; the
//! mutex is never held while the caller runs, so one thread at a time is all
//! determinism needs (an engine with threads of its own must serialise its
//! I/O for runs to replay).
//!
//! A [`File`] names an inode, not a path, as a file descriptor does: it keeps
//! working across a rename, and it reads and writes the unlinked file after a
//! remove until a directory sync frees the inode (then `NotFound`; a real
//! kernel keeps an open inode alive until the last close). A handle dies with
//! the power: after a power loss every call on a handle opened before fails
//! with `PowerLost`, as the process that held it would be gone. Open files
//! again after [`Disk::power_loss`].
//!
//! Counted I/O (for [`Disk::arm_crash`]): `write_at`/`write_all_at`,
//! `set_len`, `sync_data`, `sync_all`, create, remove, rename and `sync_dir`.
//! Opening, reading and `len` are not counted.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::disk::{Disk, Handle};
use crate::error::{IoError, IoResult};

/// A disk shared by its file handles and the harness. `Clone` shares it (a
/// snapshot is `lock().clone()`).
#[derive(Debug, Clone)]
pub struct SharedDisk {
    inner: Arc<Mutex<Disk>>,
}

impl SharedDisk {
    pub fn new(disk: Disk) -> SharedDisk {
        SharedDisk {
            inner: Arc::new(Mutex::new(disk)),
        }
    }

    /// The disk itself: for power loss, faults, crash points, snapshots.
    /// Do not hold it across a call on a [`File`] of this disk (deadlock).
    pub fn lock(&self) -> MutexGuard<'_, Disk> {
        // A panic inside a disk call (an assertion) leaves the disk as it
        // was before the call's first change, so a poisoned lock is usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens an existing file for reading and writing (`OpenOptions::new()
    /// .read(true).write(true).open`).
    pub fn open(&self, path: &str) -> IoResult<File> {
        let handle = self.lock().open_handle(path)?;
        Ok(self.file(handle, path))
    }

    /// Creates a new empty file; `AlreadyExists` if the name exists
    /// (`File::create_new`). The name is volatile until [`SharedDisk::sync_dir`].
    pub fn create_new(&self, path: &str) -> IoResult<File> {
        let mut disk = self.lock();
        disk.create(path)?;
        let handle = disk.open_handle(path)?;
        drop(disk);
        Ok(self.file(handle, path))
    }

    /// Opens a file, creating it if it does not exist and truncating it to
    /// length 0 if it does (`File::create`).
    pub fn create(&self, path: &str) -> IoResult<File> {
        let mut disk = self.lock();
        if !disk.exists(path) {
            disk.create(path)?;
            let handle = disk.open_handle(path)?;
            drop(disk);
            return Ok(self.file(handle, path));
        }
        let handle = disk.open_handle(path)?;
        disk.handle_set_len(handle, path, 0)?;
        drop(disk);
        Ok(self.file(handle, path))
    }

    /// Opens `path`, creating it if it does not exist (`OpenOptions::new()
    /// .read(true).write(true).create(true).open`).
    pub fn open_or_create(&self, path: &str) -> IoResult<File> {
        let mut disk = self.lock();
        if !disk.exists(path) {
            disk.create(path)?;
        }
        let handle = disk.open_handle(path)?;
        drop(disk);
        Ok(self.file(handle, path))
    }

    /// Removes a name (`std::fs::remove_file`); volatile until a directory sync.
    pub fn remove_file(&self, path: &str) -> IoResult<()> {
        self.lock().delete(path)
    }

    /// Renames, replacing `to` (`std::fs::rename`); volatile until a directory sync.
    pub fn rename(&self, from: &str, to: &str) -> IoResult<()> {
        self.lock().rename(from, to)
    }

    /// `fsync` of a directory: makes earlier creates, removes and renames durable.
    pub fn sync_dir(&self, dir: &str) -> IoResult<()> {
        self.lock().sync_dir(dir)
    }

    /// Whether the name exists now (`Path::exists`).
    pub fn exists(&self, path: &str) -> bool {
        self.lock().exists(path)
    }

    /// The file's length now (`std::fs::metadata(path)?.len()`).
    pub fn len(&self, path: &str) -> IoResult<u64> {
        self.lock().size(path)
    }

    /// Every existing name that starts with `prefix`, sorted.
    pub fn list(&self, prefix: &str) -> Vec<String> {
        self.lock().list(prefix)
    }

    fn file(&self, handle: Handle, path: &str) -> File {
        File {
            disk: self.clone(),
            handle,
            path: path.to_string(),
        }
    }
}

/// An open file: positioned reads and writes (`std::os::unix::fs::FileExt`),
/// `set_len`, `sync_data`, `sync_all`. Methods take `&self`, as `FileExt`'s do.
#[derive(Debug, Clone)]
pub struct File {
    disk: SharedDisk,
    handle: Handle,
    /// The name it was opened by, for errors.
    path: String,
}

impl File {
    /// The name this file was opened by.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Reads up to `buf.len()` bytes at `offset` as the page cache has them;
    /// returns how many lay inside the file (0 at or past the end).
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> IoResult<usize> {
        let n = self
            .disk
            .lock()
            .handle_read(self.handle, &self.path, offset, buf)?;
        Ok(n)
    }

    /// Reads exactly `buf.len()` bytes at `offset`. A file that ends first is
    /// [`ReadPastEnd::Eof`] (`UnexpectedEof` once converted to `std::io::Error`).
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<(), ReadPastEnd> {
        let n = self.read_at(buf, offset).map_err(ReadPastEnd::Io)?;
        if n < buf.len() {
            return Err(ReadPastEnd::Eof {
                path: self.path.clone(),
                offset,
                len: buf.len(),
                file_len: offset + n as u64,
            });
        }
        Ok(())
    }

    /// Writes all of `buf` at `offset` (any offset and length). Pending until
    /// a sync; a write past the end is also a pending length change.
    pub fn write_all_at(&self, buf: &[u8], offset: u64) -> IoResult<()> {
        self.disk
            .lock()
            .handle_write(self.handle, &self.path, offset, buf)
    }

    /// [`File::write_all_at`], returning `buf.len()` (the disk never writes short).
    pub fn write_at(&self, buf: &[u8], offset: u64) -> IoResult<usize> {
        self.write_all_at(buf, offset)?;
        Ok(buf.len())
    }

    /// Truncates or extends the file (new bytes read as zero); the new length
    /// is pending until a sync.
    pub fn set_len(&self, len: u64) -> IoResult<()> {
        self.disk
            .lock()
            .handle_set_len(self.handle, &self.path, len)
    }

    /// `fsync`: every earlier write and length change of this file is durable.
    pub fn sync_all(&self) -> IoResult<()> {
        self.disk.lock().handle_sync(self.handle, &self.path)
    }

    /// `fdatasync`: the same as [`File::sync_all`] (see [`Disk::sync_data`]).
    pub fn sync_data(&self) -> IoResult<()> {
        self.sync_all()
    }

    /// The length as the page cache has it (`metadata()?.len()`).
    pub fn len(&self) -> IoResult<u64> {
        self.disk.lock().handle_len(self.handle, &self.path)
    }

    /// Whether the file is empty now.
    pub fn is_empty(&self) -> IoResult<bool> {
        Ok(self.len()? == 0)
    }
}

/// Why [`File::read_exact_at`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadPastEnd {
    /// The call failed.
    Io(IoError),
    /// The file ended before the buffer was full.
    Eof {
        path: String,
        offset: u64,
        len: usize,
        file_len: u64,
    },
}

impl std::fmt::Display for ReadPastEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadPastEnd::Io(error) => error.fmt(f),
            ReadPastEnd::Eof {
                path,
                offset,
                len,
                file_len,
            } => write!(
                f,
                "read of {len} bytes at offset {offset} past the end of '{path}' (length {file_len})"
            ),
        }
    }
}

impl std::error::Error for ReadPastEnd {}

impl From<ReadPastEnd> for std::io::Error {
    fn from(error: ReadPastEnd) -> std::io::Error {
        match error {
            ReadPastEnd::Io(error) => error.into(),
            eof => std::io::Error::new(std::io::ErrorKind::UnexpectedEof, eof),
        }
    }
}

impl From<IoError> for ReadPastEnd {
    fn from(error: IoError) -> ReadPastEnd {
        ReadPastEnd::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fates, IoErrorKind};

    fn disk() -> SharedDisk {
        SharedDisk::new(Disk::new(512))
    }

    #[test]
    fn a_handle_reads_and_writes_at_offsets_and_follows_its_inode() {
        let disk = disk();
        let f = disk.create_new("/d/a").unwrap();
        assert_eq!(
            disk.create_new("/d/a").unwrap_err().kind,
            IoErrorKind::AlreadyExists
        );
        assert!(f.is_empty().unwrap());
        assert_eq!(f.write_at(b"hello world", 3).unwrap(), 11);
        assert_eq!(f.len().unwrap(), 14);
        let mut buf = [0xffu8; 16];
        assert_eq!(f.read_at(&mut buf, 0).unwrap(), 14);
        assert_eq!(&buf, b"\0\0\0hello world\0\0");
        // A rename does not disturb an open handle; the old name is gone.
        disk.rename("/d/a", "/d/b").unwrap();
        f.write_all_at(b"H", 3).unwrap();
        let g = disk.open("/d/b").unwrap();
        let mut five = [0u8; 5];
        g.read_exact_at(&mut five, 3).unwrap();
        assert_eq!(&five, b"Hello");
        assert_eq!(disk.open("/d/a").unwrap_err().kind, IoErrorKind::NotFound);
        // Past the end: short read, or Eof for an exact one.
        assert_eq!(g.read_at(&mut buf, 10).unwrap(), 4);
        let eof = g.read_exact_at(&mut buf, 10).unwrap_err();
        assert!(
            matches!(eof, ReadPastEnd::Eof { file_len: 14, .. }),
            "{eof}"
        );
        let io: std::io::Error = eof.into();
        assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof);
        // set_len through one handle, seen through the other.
        f.set_len(5).unwrap();
        assert_eq!(g.len().unwrap(), 5);
        assert_eq!(disk.len("/d/b").unwrap(), 5);
        assert_eq!(disk.list("/d/"), vec!["/d/b".to_string()]);
    }

    #[test]
    fn create_truncates_open_or_create_does_not_and_remove_is_volatile() {
        let disk = disk();
        let f = disk.open_or_create("/d/a").unwrap();
        f.write_all_at(&[1u8; 600], 0).unwrap();
        f.sync_all().unwrap();
        disk.sync_dir("/d").unwrap();
        assert_eq!(disk.open_or_create("/d/a").unwrap().len().unwrap(), 600);
        let again = disk.create("/d/a").unwrap();
        assert_eq!(again.len().unwrap(), 0, "File::create truncates");
        assert_eq!(disk.lock().pending_size_count(), 1);
        disk.remove_file("/d/a").unwrap();
        assert!(!disk.exists("/d/a"));
        // The unlinked file is still open; the power loss brings the name
        // back (the remove was not synced), and the truncation was lost.
        again.write_all_at(b"x", 0).unwrap();
        disk.lock()
            .power_loss_resolved(&Fates::parse("ll", 0).unwrap());
        assert!(disk.exists("/d/a"));
        assert_eq!(disk.len("/d/a").unwrap(), 600);
    }

    #[test]
    fn handles_die_with_the_power_and_errors_convert_to_std() {
        let disk = disk();
        let f = disk.create_new("/d/a").unwrap();
        disk.sync_dir("/d").unwrap();
        disk.lock().arm_crash(2);
        f.write_all_at(b"one", 0).unwrap();
        let crash = f.sync_data().unwrap_err();
        assert_eq!(crash.kind, IoErrorKind::PowerLost);
        assert_eq!(f.len().unwrap_err().kind, IoErrorKind::PowerLost);
        let report = disk.lock().power_loss_seeded(1);
        assert_eq!(report.writes.len(), 1);
        assert_eq!(
            f.len().unwrap_err().kind,
            IoErrorKind::PowerLost,
            "a handle of the last power cycle stays dead"
        );
        let g = disk.open("/d/a").unwrap();
        assert!(g.len().unwrap() <= 3);
        let io: std::io::Error = crash.clone().into();
        assert_eq!(io.kind(), std::io::ErrorKind::Other);
        assert_eq!(io.to_string(), "power lost: '/d/a'");
        assert_eq!(
            io.get_ref().unwrap().downcast_ref::<IoError>(),
            Some(&crash)
        );
        let missing: std::io::Error = disk.open("/d/x").unwrap_err().into();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn handle_calls_count_as_io_as_path_calls_do() {
        let disk = disk();
        let f = disk.create_new("/d/a").unwrap();
        let start = disk.lock().io_count();
        f.write_all_at(b"x", 0).unwrap();
        f.set_len(10).unwrap();
        f.sync_all().unwrap();
        f.sync_data().unwrap();
        let mut buf = [0u8; 4];
        f.read_at(&mut buf, 0).unwrap();
        f.len().unwrap();
        disk.open("/d/a").unwrap();
        assert_eq!(
            disk.lock().io_count() - start,
            4,
            "reads, len and open are not counted"
        );
    }
}
