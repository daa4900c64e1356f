//! A fault-free in-memory storage and a small database on it, so each check's
//! test can build a healthy state, break it on purpose and see the check fire.

use std::collections::BTreeMap;

use engine::create::create_database;
use engine::storage::{IoError, IoErrorKind, IoResult, Storage};
use engine::{DbParams, Instance, ShutdownMode};

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

/// Rewrites every control-file copy with `edit` applied (a new version), as
/// a stale or mistaken control file would look.
pub fn edit_controlfiles(
    io: &mut MemStorage,
    p: &DbParams,
    edit: impl Fn(&mut engine::controlfile::ControlFile),
) {
    use engine::controlfile::{CopyState, read_copy, write_copy};
    for c in &p.control_files {
        let CopyState::Valid(mut cf) = read_copy(io, c).unwrap() else {
            panic!("copy {c} is readable")
        };
        edit(&mut cf);
        cf.version += 1;
        write_copy(io, c, &cf).unwrap();
    }
}

/// The first INACTIVE online log group of a control file.
pub fn inactive_group(
    cf: &mut engine::controlfile::ControlFile,
) -> &mut engine::controlfile::LogGroupRecord {
    cf.log_groups
        .iter_mut()
        .find(|g| g.status == engine::controlfile::LogStatus::Inactive)
        .expect("an inactive group")
}

pub fn params() -> DbParams {
    let mut p = DbParams::sim_default(2048, 3, 2, 2, 2);
    p.log_blocks = 40;
    p
}

/// An open database with a few committed rows, several log switches (so
/// some logs are archived) and one checkpoint.
pub fn open_db() -> Instance<MemStorage> {
    let p = params();
    let mut io = MemStorage::default();
    create_database(&mut io, &p, 1).unwrap();
    let mut i = Instance::new(p, io);
    i.startup().unwrap();
    for k in 0..30u64 {
        i.insert(1, k, &format!("v{k}")).unwrap();
        i.commit(1).unwrap();
        if k % 10 == 9 {
            i.switch_logfile().unwrap();
            i.arch_tick().unwrap();
        }
    }
    i.checkpoint().unwrap();
    i
}

/// A cleanly shut down database.
pub fn closed_db() -> (DbParams, MemStorage) {
    let mut i = open_db();
    i.shutdown(ShutdownMode::Immediate).unwrap();
    let p = i.params().clone();
    (p, i.into_storage())
}
