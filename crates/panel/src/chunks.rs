//! A reader for tests that hands out its input a few bytes at a time, so
//! that read boundaries fall everywhere.

use std::io::{self, Read};

/// Reads `.0` at most `.1` bytes at a time.
pub(crate) struct Chunks<'a>(pub(crate) &'a [u8], pub(crate) usize);

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}
