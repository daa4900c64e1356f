//! The datafiles the checks look at: the control file is the source of
//! truth. The open instance's control file when there is one, else the
//! newest valid copy on disk; `DbParams` only when no copy is readable (what
//! CREATE DATABASE made). Each file is read at its control-file name, so a
//! file re-created elsewhere (`ALTER DATABASE CREATE DATAFILE N AS 'new'`) is
//! checked where it now lives.

use engine::DbParams;
use engine::block::{Block, Corruption};
use engine::controlfile::{ControlFile, DatafileRecord, FileStatus};
use engine::datafile::{self, DatafileHeader, HeaderError};
use engine::inspect::newest_controlfile;
use engine::storage::{IoResult, Storage};

/// The datafile records to check: `open`'s (the instance's control file)
/// when given, else the newest valid copy on disk, else the parameters'
/// files as CREATE DATABASE made them (all online, checkpoint unknown: 0).
pub fn datafiles<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    open: Option<&ControlFile>,
) -> IoResult<Vec<DatafileRecord>> {
    if let Some(cf) = open {
        return Ok(cf.datafiles.clone());
    }
    if let Some(cf) = newest_controlfile(io, p)? {
        return Ok(cf.datafiles);
    }
    Ok(from_params(p))
}

/// The parameters' datafiles as records (all online, no checkpoint known).
pub fn from_params(p: &DbParams) -> Vec<DatafileRecord> {
    p.datafiles
        .iter()
        .map(|f| DatafileRecord::new(f.file_no, &f.path, &f.tablespace, f.blocks))
        .collect()
}

/// A datafile's header as on disk, at its control-file name.
pub fn header<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    r: &DatafileRecord,
) -> IoResult<Result<DatafileHeader, HeaderError>> {
    datafile::read_header(io, &r.name, r.file_no, p.db_block_size)
}

/// Every data block of a datafile as on disk at its control-file name,
/// checked independently of the engine (the planted `ignore-tail` does not
/// apply here). A missing file has none.
pub fn blocks<S: Storage + ?Sized>(
    io: &mut S,
    p: &DbParams,
    r: &DatafileRecord,
) -> IoResult<Vec<(u32, Result<Block, Corruption>)>> {
    if !io.exists(&r.name) {
        return Ok(Vec::new());
    }
    let mut buf = vec![0u8; p.db_block_size];
    (1..r.blocks)
        .map(|b| {
            Ok((
                b,
                datafile::read_block_into(io, &r.name, r.file_no, b, &mut buf, false)?,
            ))
        })
        .collect()
}

/// The record of file `file_no`.
pub fn record(dfs: &[DatafileRecord], file_no: u32) -> Option<&DatafileRecord> {
    dfs.iter().find(|r| r.file_no == file_no)
}

/// Whether the control file shows file `file_no` online (a file it does not
/// name is not online).
pub fn is_online(dfs: &[DatafileRecord], file_no: u32) -> bool {
    record(dfs, file_no).is_some_and(|r| r.status == FileStatus::Online)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdb::{closed_db, edit_controlfiles, open_db};

    #[test]
    fn the_control_file_names_the_files_and_where_they_are() {
        let (p, mut io) = closed_db();
        let dfs = datafiles(&mut io, &p, None).unwrap();
        assert_eq!(dfs.len(), p.datafiles.len());
        // A file the control file names elsewhere is read there.
        let old = p.datafile(3).unwrap().path.clone();
        let new = "/u03/oradata/SIM/users01_new.dbf".to_string();
        let bytes = io.files.remove(&old).unwrap();
        io.files.insert(new.clone(), bytes);
        edit_controlfiles(&mut io, &p, |cf| {
            cf.datafile_mut(3).unwrap().name = new.clone()
        });
        let dfs = datafiles(&mut io, &p, None).unwrap();
        let r = record(&dfs, 3).unwrap();
        assert_eq!(r.name, new);
        assert!(header(&mut io, &p, r).unwrap().is_ok());
        assert!(!blocks(&mut io, &p, r).unwrap().is_empty());
        // The open instance's control file wins over the disk's.
        let i = open_db();
        let mut cf = i.controlfile().unwrap().clone();
        cf.datafile_mut(3).unwrap().status = FileStatus::Offline;
        let p = i.params().clone();
        let mut io = i.into_storage();
        let dfs = datafiles(&mut io, &p, Some(&cf)).unwrap();
        assert!(!is_online(&dfs, 3) && is_online(&dfs, 4));
        // No readable copy: the parameters' files.
        for c in &p.control_files {
            io.files.remove(c);
        }
        assert_eq!(
            datafiles(&mut io, &p, None).unwrap().len(),
            p.datafiles.len()
        );
    }
}
