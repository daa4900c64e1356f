//! An Oracle-style database engine, built to be crashed.
pub mod storage;
