//! The bytes of a CSV data file before the parser sees them: one line
//! ending, and a bound on the length of a record.
//!
//! The CSV parser counts lines by `\n`. A file written on Windows (`\r\n`)
//! would be reported one line early, and a file with old Mac endings (`\r`
//! only) would be all "line 1". With every ending made `\n` before parsing,
//! a line number is the physical line a text editor shows, whatever the
//! file's convention.
//!
//! The parser also keeps a whole record in memory, and a quote that is
//! never closed makes the rest of the file one record: a record longer than
//! [`MAX_RECORD_BYTES`] ends the file with [`RecordTooLong`]. Quotes are
//! followed as the parser reads them: a quote opens a quoted field only at
//! the start of a field; inside one, `""` is a quote and `"` closes it.

use std::io::{self, Read};

/// The longest record (a row, or the header) a data file may have: 16 MiB.
/// A header of 100,000 columns with 30-character names takes 3 MiB.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Where the reader is within a record, as the CSV parser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// In a field that did not start with a quote.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// A quote in a quoted field: a second quote, or the end of the field.
    QuoteInQuoted,
}

/// The error that ends a file with a record longer than [`MAX_RECORD_BYTES`]
/// (the loader says on which line the record starts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTooLong {
    /// Whether the record is still inside a quoted field.
    pub in_quotes: bool,
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the row is longer than {} MiB{}; expected rows of at most {} MiB",
            MAX_RECORD_BYTES >> 20,
            if self.in_quotes {
                " (a quote opened in it is never closed)"
            } else {
                ""
            },
            MAX_RECORD_BYTES >> 20
        )
    }
}

impl std::error::Error for RecordTooLong {}

/// A reader that passes bytes through with `\r\n` and `\r` turned into
/// `\n`, and fails on a record longer than [`MAX_RECORD_BYTES`].
pub(crate) struct LineEnds<R> {
    inner: R,
    delimiter: u8,
    /// The last byte passed on was a `\r` (made `\n`): a `\n` that follows
    /// belongs to the same line ending and is dropped.
    after_cr: bool,
    state: State,
    /// Bytes of the current record so far.
    record_bytes: u64,
    limit: u64,
}

impl<R: Read> LineEnds<R> {
    pub(crate) fn new(inner: R, delimiter: u8) -> LineEnds<R> {
        LineEnds::with_limit(inner, delimiter, MAX_RECORD_BYTES)
    }

    fn with_limit(inner: R, delimiter: u8, limit: u64) -> LineEnds<R> {
        LineEnds {
            inner,
            delimiter,
            after_cr: false,
            state: State::FieldStart,
            record_bytes: 0,
            limit,
        }
    }

    /// Rewrites `buf` in place, follows the records, and returns how many
    /// bytes `buf` now holds.
    fn pass(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.plain(buf) {
            return self.pass_plain(buf);
        }
        let mut out = 0;
        for i in 0..buf.len() {
            let mut b = buf[i];
            if b == b'\n' && self.after_cr {
                self.after_cr = false;
                continue;
            }
            self.after_cr = b == b'\r';
            if b == b'\r' {
                b = b'\n';
            }
            buf[out] = b;
            out += 1;
            self.follow(b)?;
        }
        Ok(out)
    }

    /// Whether `buf` can take the fast path: no `\r` or quote in it, not
    /// inside a quoted field, and short enough that only its first line
    /// can make a record too long.
    fn plain(&self, buf: &[u8]) -> bool {
        !self.after_cr
            && matches!(self.state, State::FieldStart | State::Unquoted)
            && (buf.len() as u64) <= self.limit
            // One vectorised search for either byte.
            && memchr::memchr2(b'\r', b'"', buf).is_none()
    }

    /// [`Self::pass`] for a chunk without `\r` or quotes: only line
    /// endings end records, and only the first line of the chunk can be
    /// too long (the chunk is no longer than the limit).
    fn pass_plain(&mut self, buf: &[u8]) -> io::Result<usize> {
        let tail = match memchr::memchr(b'\n', buf) {
            None => buf,
            Some(first) => {
                if self.record_bytes + first as u64 > self.limit {
                    return Err(self.too_long());
                }
                let last = memchr::memrchr(b'\n', buf).unwrap_or(first);
                self.record_bytes = 0;
                &buf[last + 1..]
            }
        };
        self.record_bytes += tail.len() as u64;
        if self.record_bytes > self.limit {
            return Err(self.too_long());
        }
        if let Some(&b) = tail.last() {
            self.state = if b == self.delimiter {
                State::FieldStart
            } else {
                State::Unquoted
            };
        } else if tail.len() < buf.len() {
            self.state = State::FieldStart;
        }
        Ok(buf.len())
    }

    fn too_long(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            RecordTooLong {
                in_quotes: self.state == State::Quoted,
            },
        )
    }

    fn follow(&mut self, b: u8) -> io::Result<()> {
        use State::*;
        let record_ends = b == b'\n' && self.state != Quoted;
        self.state = match (self.state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (FieldStart, b'"') | (QuoteInQuoted, b'"') => Quoted,
            (_, b'\n') => FieldStart,
            (_, d) if d == self.delimiter => FieldStart,
            _ => Unquoted,
        };
        if record_ends {
            self.record_bytes = 0;
            return Ok(());
        }
        self.record_bytes += 1;
        if self.record_bytes > self.limit {
            return Err(self.too_long());
        }
        Ok(())
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let kept = self.pass(&mut buf[..n])?;
            // A read that held only the `\n` of a split `\r\n` gives nothing:
            // read again rather than signal the end of the file.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::Chunks;

    fn through(input: &[u8], chunk: usize, limit: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        LineEnds::with_limit(Chunks(input, chunk), b',', limit).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn every_ending_becomes_one_newline_whatever_the_chunk_size() {
        let input = b"a,b\r\nc,d\re,f\n\r\ng\r\r\nh";
        for chunk in 1..=input.len() {
            let out = through(input, chunk, 100).unwrap();
            assert_eq!(out, b"a,b\nc,d\ne,f\n\ng\n\nh", "chunk {chunk}");
        }
    }

    #[test]
    fn text_without_carriage_returns_passes_unchanged() {
        assert_eq!(through(b"x\ny\n", 3, 100).unwrap(), b"x\ny\n");
        assert_eq!(through(b"", 3, 100).unwrap(), b"");
    }

    fn too_long(input: &[u8], limit: u64) -> Option<RecordTooLong> {
        let e = through(input, 4, limit).err()?;
        e.get_ref()?.downcast_ref::<RecordTooLong>().cloned()
    }

    #[test]
    fn a_record_is_bounded_where_the_parser_would_keep_it_whole() {
        // Rows of 5 bytes, limit 6: fine, however many rows.
        assert_eq!(too_long(&b"ab,cd\n".repeat(100), 6), None);
        // A quote opened on line 2 and never closed: the record from there
        // grows past the limit.
        let quoted = b"ab,cd\n\"ab,cd\nab,cd\nab,cd\n";
        assert_eq!(
            too_long(quoted, 12),
            Some(RecordTooLong { in_quotes: true })
        );
        // Quoted line breaks that are closed, and "" inside quotes: each
        // record is short.
        assert_eq!(
            too_long(b"\"a\nb\",c\n\"x\"\"\ny\",z\n".repeat(50).as_slice(), 9),
            None
        );
        // A quote inside an unquoted field is a character, as the parser
        // reads it: it opens nothing.
        assert_eq!(too_long(&b"a\"b,c\n".repeat(100), 6), None);
        // One long line without quotes.
        let long = [b"a,b\nc,d\n".as_slice(), &[b'x'; 40]].concat();
        assert_eq!(
            too_long(&long, 20),
            Some(RecordTooLong { in_quotes: false })
        );
    }
}
