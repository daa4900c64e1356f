//! redb's `StorageBackend` over a file of the simulated disk.
//!
//! redb asks five things of its storage (`len`, `read`, `set_len`,
//! `sync_data`, `write`) and both releases ask the same; each maps onto one
//! call of [`redosim_disk::File`]. A disk error becomes a `std::io::Error`
//! carrying it, so redb sees a failed call exactly as it would on a real
//! file (a lost power is an `Other` error on every later call).

use std::io;

use redosim_disk::File;

/// One redb database file on the simulated disk.
#[derive(Debug)]
pub struct DiskBackend {
    file: File,
}

impl DiskBackend {
    pub fn new(file: File) -> DiskBackend {
        DiskBackend { file }
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.file.len()?)
    }

    /// redb's contract: a read past the end is an error, not zeros.
    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        Ok(self.file.read_exact_at(out, offset)?)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        Ok(self.file.set_len(len)?)
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(self.file.sync_data()?)
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        Ok(self.file.write_all_at(data, offset)?)
    }
}

/// `impl StorageBackend for DiskBackend` for one redb release.
macro_rules! storage_backend {
    ($redb:ident) => {
        impl $redb::StorageBackend for DiskBackend {
            fn len(&self) -> io::Result<u64> {
                DiskBackend::len(self)
            }
            fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
                DiskBackend::read(self, offset, out)
            }
            fn set_len(&self, len: u64) -> io::Result<()> {
                DiskBackend::set_len(self, len)
            }
            fn sync_data(&self) -> io::Result<()> {
                DiskBackend::sync_data(self)
            }
            fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
                DiskBackend::write(self, offset, data)
            }
        }
    };
}

storage_backend!(redb41);
storage_backend!(redb42);

#[cfg(test)]
mod tests {
    use super::*;
    use redosim_disk::{Disk, SharedDisk};

    #[test]
    fn reads_past_the_end_fail_and_errors_keep_their_kind() {
        let disk = SharedDisk::new(Disk::new(512));
        let backend = DiskBackend::new(disk.create_new("/db").unwrap());
        backend.set_len(100).unwrap();
        backend.write(10, b"abc").unwrap();
        let mut out = [0u8; 3];
        backend.read(10, &mut out).unwrap();
        assert_eq!(&out, b"abc");
        let past = backend.read(98, &mut out).unwrap_err();
        assert_eq!(past.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(backend.len().unwrap(), 100);
        disk.lock().cut_power();
        let lost = backend.sync_data().unwrap_err();
        assert_eq!(lost.to_string(), "power lost: '/db'");
    }
}
