//! Tablespaces and their files: hot backup (S-BK-2), OFFLINE / ONLINE /
//! READ ONLY (S-CD-2..4) and CREATE DATAFILE (S-CD-1).

use crate::error::{DbError, DbResult};
use crate::instance::Instance;
use crate::media::OfflineMode;
use crate::storage::Storage;

impl<S: Storage> Instance<S> {
    /// ALTER TABLESPACE X BEGIN BACKUP, or (None, `set release 10g`) ALTER
    /// DATABASE BEGIN BACKUP.
    pub fn begin_backup(&mut self, tablespace: Option<&str>) -> DbResult<()> {
        let _ = tablespace;
        Err(DbError::ora(2231, "missing or invalid option to ALTER DATABASE"))
    }
    /// ALTER TABLESPACE X END BACKUP, or (None) ALTER DATABASE END BACKUP.
    pub fn end_backup(&mut self, tablespace: Option<&str>) -> DbResult<()> {
        let _ = tablespace;
        Err(DbError::ora(2231, "missing or invalid option to ALTER DATABASE"))
    }
    /// ALTER DATABASE DATAFILE N END BACKUP (mounted).
    pub fn end_backup_datafile(&mut self, file_no: u32) -> DbResult<()> {
        let _ = file_no;
        Err(DbError::ora(2231, "missing or invalid option to ALTER DATABASE"))
    }
    /// ALTER TABLESPACE X OFFLINE [NORMAL | TEMPORARY | IMMEDIATE].
    pub fn tablespace_offline(&mut self, tablespace: &str, mode: OfflineMode) -> DbResult<()> {
        let _ = (tablespace, mode);
        Err(DbError::ora(959, "tablespace does not exist"))
    }
    /// ALTER TABLESPACE X ONLINE.
    pub fn tablespace_online(&mut self, tablespace: &str) -> DbResult<()> {
        let _ = tablespace;
        Err(DbError::ora(959, "tablespace does not exist"))
    }
    /// ALTER TABLESPACE X READ ONLY (true) | READ WRITE (false).
    pub fn tablespace_read_only(&mut self, tablespace: &str, read_only: bool) -> DbResult<()> {
        let _ = (tablespace, read_only);
        Err(DbError::ora(959, "tablespace does not exist"))
    }
    /// ALTER DATABASE DATAFILE N OFFLINE (true) | ONLINE (false).
    pub fn datafile_offline(&mut self, file_no: u32, offline: bool) -> DbResult<()> {
        let _ = (file_no, offline);
        Err(DbError::ora(1516, "nonexistent log file, data file, or temporary file"))
    }
    /// ALTER DATABASE CREATE DATAFILE N [AS 'name'].
    pub fn create_datafile(&mut self, file_no: u32, as_name: Option<&str>) -> DbResult<()> {
        let _ = (file_no, as_name);
        Err(DbError::ora(1516, "nonexistent log file, data file, or temporary file"))
    }
    /// The file number of a datafile named in the control file.
    pub fn datafile_named(&self, name: &str) -> Option<u32> {
        self.cf
            .as_ref()?
            .datafiles
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.file_no)
    }
    /// DBWn writes block `block` of file `file` now if it is dirty in the
    /// cache (a copy that interleaves with DBWn, S-BK-2). Returns whether
    /// it wrote.
    pub fn dbwr_write_block(&mut self, file: u32, block: u32) -> DbResult<bool> {
        let dirty = self
            .cache
            .buffers
            .get(&(file, block))
            .is_some_and(|b| b.dirty);
        if !dirty || self.state != crate::instance::DbState::Open {
            return Ok(false);
        }
        let r = self.dbwr_write(&[(file, block)]);
        self.fatal(r)?;
        Ok(true)
    }
}
