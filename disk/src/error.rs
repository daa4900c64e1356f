//! Why an I/O call failed.

use std::fmt;

/// Why an I/O call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IoErrorKind {
    /// The file does not exist (never created, deleted, or lost with its disk).
    NotFound,
    /// The file already exists (create of an existing name).
    AlreadyExists,
    /// The power failed: this call and every later one fail until the
    /// simulator restores power. Nothing in memory may be trusted afterwards.
    PowerLost,
    /// The device holding the file is gone or refuses I/O.
    DeviceError,
}

/// A failed I/O call, with the path it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoError {
    pub kind: IoErrorKind,
    pub path: String,
}

impl IoError {
    pub fn new(kind: IoErrorKind, path: &str) -> Self {
        IoError {
            kind,
            path: path.to_string(),
        }
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            IoErrorKind::NotFound => "No such file or directory",
            IoErrorKind::AlreadyExists => "File exists",
            IoErrorKind::PowerLost => "power lost",
            IoErrorKind::DeviceError => "I/O error",
        };
        write!(f, "{what}: '{}'", self.path)
    }
}

impl std::error::Error for IoError {}

/// For engines written against `std::io`: `NotFound` and `AlreadyExists` keep
/// their kinds; `PowerLost` and `DeviceError` become `Other`. The
/// `std::io::Error` carries this error, so `get_ref` and the message keep the
/// kind and the path.
impl From<IoError> for std::io::Error {
    fn from(error: IoError) -> std::io::Error {
        let kind = match error.kind {
            IoErrorKind::NotFound => std::io::ErrorKind::NotFound,
            IoErrorKind::AlreadyExists => std::io::ErrorKind::AlreadyExists,
            IoErrorKind::PowerLost | IoErrorKind::DeviceError => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, error)
    }
}

pub type IoResult<T> = Result<T, IoError>;
