//! Splitting a data file into records and fields.
//!
//! Most lines of a data file hold no quote: their fields end at the
//! delimiter and their records at `\n` (line endings are `\n` by the time
//! the bytes get here, see [`crate::line_ends`]). Such lines are split 64
//! bytes at a time, from a bit mask of the delimiters and line ends (SSE2
//! compares on x86-64, a byte loop elsewhere). A line with a quote, and a
//! quoted field over several lines, goes through `csv_core`'s parser,
//! which gives the same fields as before this fast path; the splitter
//! switches between the two at record boundaries. Empty lines are skipped,
//! as `csv_core` skips them, and counted in line numbers.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

/// A batch of records: the text of their fields and where each lies.
#[derive(Debug)]
pub(crate) struct Records {
    text: Vec<u8>,
    /// Per field: its start and end in `text`.
    fields: Vec<(u32, u32)>,
    /// Per record: the index in `fields` of its first field; one more at
    /// the end (a record's fields are `firsts[i]..firsts[i + 1]`).
    firsts: Vec<u32>,
    /// Per record: the line of the file it starts on.
    lines: Vec<u64>,
    /// Some record holds a line break (in a quoted field).
    pub(crate) multiline: bool,
}

/// One record of a [`Records`] batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    text: &'a [u8],
    fields: &'a [(u32, u32)],
    line: u64,
}

impl<'a> Record<'a> {
    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i`, if the record has it.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        let &(start, end) = self.fields.get(i)?;
        Some(&self.text[start as usize..end as usize])
    }

    /// The fields in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let text = self.text;
        self.fields
            .iter()
            .map(move |&(s, e)| &text[s as usize..e as usize])
    }

    /// The bytes from the first field's start to the last one's end
    /// (delimiters included on the fast path; quotes never).
    pub(crate) fn as_slice(&self) -> &'a [u8] {
        match (self.fields.first(), self.fields.last()) {
            (Some(&(start, _)), Some(&(_, end))) => &self.text[start as usize..end as usize],
            _ => &[],
        }
    }

    /// The line of the file the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }
}

impl Records {
    /// An empty batch.
    pub(crate) fn new() -> Records {
        Records {
            text: Vec::new(),
            fields: Vec::new(),
            firsts: vec![0],
            lines: Vec::new(),
            multiline: false,
        }
    }

    /// Empties the batch, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.firsts.clear();
        self.firsts.push(0);
        self.lines.clear();
        self.multiline = false;
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.lines.len()
    }

    /// Record `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Record<'_> {
        let (a, b) = (self.firsts[i] as usize, self.firsts[i + 1] as usize);
        Record {
            text: &self.text,
            fields: &self.fields[a..b],
            line: self.lines[i],
        }
    }

    /// The fields of record `i`, as positions in the batch's text.
    #[inline]
    pub(crate) fn bounds(&self, i: usize) -> &[(u32, u32)] {
        &self.fields[self.firsts[i] as usize..self.firsts[i + 1] as usize]
    }

    /// The batch's text (the fields are [`Records::bounds`] in it).
    #[inline]
    pub(crate) fn text(&self) -> &[u8] {
        &self.text
    }

    /// The records in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Record<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    fn end_record(&mut self, line: u64) {
        self.firsts.push(self.fields.len() as u32);
        self.lines.push(line);
    }
}

/// A batch stops taking records once its text is this long (a record may
/// be up to [`crate::MAX_RECORD_BYTES`]): positions fit in `u32`.
const BATCH_TEXT: usize = 16 << 20;

/// Reads records from a reader whose line endings are `\n`.
pub(crate) struct Splitter<R> {
    reader: R,
    delimiter: u8,
    buf: Vec<u8>,
    /// `buf[start..filled]` is read and not yet split.
    start: usize,
    filled: usize,
    eof: bool,
    /// The first quote at or after `start` (`filled` if none), when known.
    quote: Option<usize>,
    core: csv_core::Reader,
    /// The last byte read from the file.
    last_byte: Option<u8>,
    /// `core` has read part of a record.
    in_core_record: bool,
    core_ends: Vec<usize>,
    /// The line `buf[start]` is on.
    line: u64,
    /// The line the record being read starts on.
    record_line: u64,
}

impl<R: Read> Splitter<R> {
    /// A splitter reading `capacity` bytes at a time.
    pub(crate) fn new(reader: R, delimiter: u8, capacity: usize) -> Splitter<R> {
        Splitter {
            reader,
            delimiter,
            buf: vec![0; capacity.max(64)],
            start: 0,
            filled: 0,
            eof: false,
            quote: None,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            last_byte: None,
            in_core_record: false,
            core_ends: vec![0; 64],
            line: 1,
            record_line: 1,
        }
    }

    /// The line the record being read (or the next one) starts on: where
    /// a read error is.
    pub(crate) fn record_line(&self) -> u64 {
        self.record_line
    }

    /// Whether every record has been read.
    pub(crate) fn finished(&self) -> bool {
        self.eof && self.start == self.filled
    }

    /// Skips `prefix` (a byte-order mark) as often as the file starts with
    /// it (a file saved twice with a mark keeps both).
    pub(crate) fn skip_prefix(&mut self, prefix: &[u8]) -> io::Result<()> {
        loop {
            while self.filled - self.start < prefix.len() && !self.eof {
                self.refill()?;
            }
            if !self.buf[self.start..self.filled].starts_with(prefix) {
                return Ok(());
            }
            self.start += prefix.len();
            self.quote = None;
        }
    }

    /// Appends up to `max` records to `out` (at least one unless the file
    /// has ended); returns how many.
    pub(crate) fn read(&mut self, out: &mut Records, max: usize) -> io::Result<usize> {
        let mut n = 0;
        while n < max && out.text.len() < BATCH_TEXT {
            while self.start < self.filled && self.buf[self.start] == b'\n' {
                self.start += 1;
                self.line += 1;
            }
            self.record_line = self.line;
            if self.start == self.filled {
                if self.eof {
                    break;
                }
                self.refill()?;
                continue;
            }
            let quote = match self.quote {
                Some(q) if q >= self.start => q,
                _ => {
                    let rest = &self.buf[self.start..self.filled];
                    let q = memchr::memchr(b'"', rest).map_or(self.filled, |i| self.start + i);
                    self.quote = Some(q);
                    q
                }
            };
            match memchr::memrchr(b'\n', &self.buf[self.start..quote]) {
                Some(i) => n += self.split_lines(self.start + i + 1, out, max - n),
                None if quote < self.filled || self.eof => {
                    n += usize::from(self.core_record(out)?);
                }
                None => self.refill()?,
            }
        }
        Ok(n)
    }

    /// Moves the unsplit bytes to the front of the buffer and reads more,
    /// growing the buffer when a record fills it (the reader bounds a
    /// record's length).
    fn refill(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.start = 0;
        self.quote = None;
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let k = loop {
            match self.reader.read(&mut self.buf[self.filled..]) {
                Ok(k) => break k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.filled += k;
        if k > 0 {
            self.last_byte = Some(self.buf[self.filled - 1]);
        } else {
            self.eof = true;
            // The fast path splits whole lines: a last line without quotes
            // gets the line end it lacks (the same fields as `csv_core`
            // gives at the end of its input); one with a quote is left to
            // `csv_core`.
            let rest = &self.buf[..self.filled];
            if !self.in_core_record
                && self.last_byte.is_some_and(|b| b != b'\n')
                && !rest.contains(&b'"')
            {
                self.last_byte = Some(b'\n');
                if self.filled == self.buf.len() {
                    self.buf.push(b'\n');
                } else {
                    self.buf[self.filled] = b'\n';
                }
                self.filled += 1;
            }
        }
        Ok(())
    }

    /// Splits the whole lines of `buf[start..end]` (no quote in them) into
    /// records, up to `max`; returns how many.
    fn split_lines(&mut self, end: usize, out: &mut Records, max: usize) -> usize {
        let base = out.text.len();
        let at = |pos: usize| (base + pos - self.start) as u32;
        let mut n = 0;
        let mut field_start = self.start;
        let mut consumed = self.start;
        let mut p = self.start;
        'blocks: while p < end {
            let block = &self.buf[p..end.min(p + 64)];
            let (mut mask, line_ends) = separators(block, self.delimiter);
            while mask != 0 {
                let bit = mask.trailing_zeros();
                let i = p + bit as usize;
                mask &= mask - 1;
                out.fields.push((at(field_start), at(i)));
                field_start = i + 1;
                if line_ends >> bit & 1 == 1 {
                    let first = *out.firsts.last().unwrap_or(&0) as usize;
                    if out.fields.len() - first == 1 && out.fields[first].0 == out.fields[first].1 {
                        // An empty line: no record.
                        out.fields.pop();
                    } else {
                        out.end_record(self.line);
                        n += 1;
                    }
                    self.line += 1;
                    consumed = i + 1;
                    if n == max || base + (consumed - self.start) >= BATCH_TEXT {
                        break 'blocks;
                    }
                }
            }
            p += 64;
        }
        out.text.extend_from_slice(&self.buf[self.start..consumed]);
        self.start = consumed;
        n
    }

    /// Reads one record (or the rest of one) with `csv_core`; `false` at
    /// the end of the file.
    fn core_record(&mut self, out: &mut Records) -> io::Result<bool> {
        let text_start = out.text.len();
        let mut written = 0;
        let mut ends = 0;
        let first_line = self.line;
        self.in_core_record = true;
        loop {
            if out.text.len() < text_start + written + 1024 {
                out.text.resize(text_start + written + 4096, 0);
            }
            let input = &self.buf[self.start..self.filled];
            let (result, nin, nout, nend) = self.core.read_record(
                input,
                &mut out.text[text_start + written..],
                &mut self.core_ends[ends..],
            );
            self.line += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.start += nin;
            written += nout;
            ends += nend;
            match result {
                // An empty input tells `csv_core` that the file has ended.
                ReadRecordResult::InputEmpty if self.eof => {}
                ReadRecordResult::InputEmpty => self.refill()?,
                ReadRecordResult::OutputFull => {}
                ReadRecordResult::OutputEndsFull => {
                    self.core_ends.resize(self.core_ends.len() * 2, 0);
                }
                ReadRecordResult::Record => {
                    out.text.truncate(text_start + written);
                    let mut from = text_start;
                    for &e in &self.core_ends[..ends] {
                        let to = text_start + e;
                        out.fields.push((from as u32, to as u32));
                        from = to;
                    }
                    out.multiline |= memchr::memchr(b'\n', &out.text[text_start..]).is_some();
                    out.end_record(first_line);
                    self.in_core_record = false;
                    return Ok(true);
                }
                ReadRecordResult::End => {
                    out.text.truncate(text_start);
                    self.in_core_record = false;
                    return Ok(false);
                }
            }
        }
    }
}

/// Bit `i` set where `block[i]` is `delimiter` or `\n`, and where it is
/// `\n` (`block` holds at most 64 bytes).
#[inline]
fn separators(block: &[u8], delimiter: u8) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    if let Ok(full) = <&[u8; 64]>::try_from(block) {
        return separators_sse2(full, delimiter);
    }
    separators_bytes(block, delimiter)
}

/// [`separators`] a byte at a time.
fn separators_bytes(block: &[u8], delimiter: u8) -> (u64, u64) {
    block
        .iter()
        .enumerate()
        .fold((0, 0), |(any, ends), (i, &b)| {
            (
                any | (u64::from(b == delimiter || b == b'\n') << i),
                ends | (u64::from(b == b'\n') << i),
            )
        })
}

/// [`separators`] of 64 bytes with SSE2 (every x86-64 processor has it).
#[cfg(target_arch = "x86_64")]
#[inline]
fn separators_sse2(block: &[u8; 64], delimiter: u8) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of x86-64; each load reads the 16 bytes of a
    // `chunk`, unaligned.
    unsafe {
        let d = _mm_set1_epi8(delimiter as i8);
        let nl = _mm_set1_epi8(b'\n' as i8);
        let (mut any, mut ends) = (0u64, 0u64);
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let end = _mm_cmpeq_epi8(v, nl);
            let hit = _mm_or_si128(_mm_cmpeq_epi8(v, d), end);
            any |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
            ends |= u64::from(_mm_movemask_epi8(end) as u16) << (16 * k);
        }
        (any, ends)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::Chunks;
    use proptest::prelude::*;

    type Split = Vec<(u64, Vec<Vec<u8>>)>;

    /// Every record with its line, by the splitter.
    fn split(input: &[u8], chunk: usize, capacity: usize, max: usize) -> Split {
        let mut s = Splitter::new(Chunks(input, chunk), b',', capacity);
        let mut out = Vec::new();
        let mut records = Records::new();
        loop {
            records.clear();
            let n = s.read(&mut records, max).unwrap();
            assert_eq!(n, records.len());
            if n == 0 {
                return out;
            }
            out.extend(
                records
                    .iter()
                    .map(|r| (r.line(), r.iter().map(<[u8]>::to_vec).collect())),
            );
        }
    }

    /// Every record by `csv_core` alone, with the line of its first byte.
    fn reference(input: &[u8]) -> Split {
        let mut core = csv_core::Reader::new();
        let mut out = Vec::new();
        let (mut rest, mut line) = (input, 1u64);
        let mut text = vec![0u8; input.len() + 1];
        let mut ends = vec![0usize; input.len() + 1];
        let mut start_line = None;
        let (mut written, mut ended) = (0, 0);
        loop {
            if start_line.is_none() {
                let skipped = rest.iter().take_while(|&&b| b == b'\n').count();
                line += skipped as u64;
                rest = &rest[skipped..];
                start_line = Some(line);
            }
            let (result, nin, nout, nend) =
                core.read_record(rest, &mut text[written..], &mut ends[ended..]);
            written += nout;
            ended += nend;
            match result {
                ReadRecordResult::Record => {
                    let mut from = 0;
                    let fields = ends[..ended]
                        .iter()
                        .map(|&e| {
                            let f = text[from..e].to_vec();
                            from = e;
                            f
                        })
                        .collect();
                    out.push((start_line.take().unwrap_or(line), fields));
                    (written, ended) = (0, 0);
                    line += rest[..nin].iter().filter(|&&b| b == b'\n').count() as u64;
                    rest = &rest[nin..];
                }
                ReadRecordResult::End => return out,
                ReadRecordResult::InputEmpty => {
                    line += rest[..nin].iter().filter(|&&b| b == b'\n').count() as u64;
                    rest = &rest[nin..];
                }
                other => panic!("{other:?} with buffers as long as the input"),
            }
        }
    }

    #[test]
    fn the_masks_agree() {
        let block: Vec<u8> = (0..64u8)
            .map(|i| [b'a', b',', b'\n', b'7'][i as usize % 4])
            .collect();
        let want = separators_bytes(&block, b',');
        assert_eq!((want.0.count_ones(), want.1.count_ones()), (32, 16));
        assert_eq!(separators(&block, b','), want);
        // a , \n 7 a , \n 7 a ,
        let want = (1 << 1 | 1 << 2 | 1 << 5 | 1 << 6 | 1 << 9, 1 << 2 | 1 << 6);
        assert_eq!(separators(&block[..10], b','), want);
    }

    #[test]
    fn plain_lines_blank_lines_and_a_last_line_without_its_end() {
        let input = b"a,b\n\n1,,3\n,\nlast,";
        let got = split(input, 3, 64, 2);
        assert_eq!(got, reference(input));
        assert_eq!(
            got,
            vec![
                (1, vec![b"a".to_vec(), b"b".to_vec()]),
                (3, vec![b"1".to_vec(), b"".to_vec(), b"3".to_vec()]),
                (4, vec![b"".to_vec(), b"".to_vec()]),
                (5, vec![b"last".to_vec(), b"".to_vec()]),
            ]
        );
    }

    #[test]
    fn quoted_fields_and_line_breaks_in_quotes() {
        let input = b"x,\"a,b\"\n\"multi\nline\",2\nplain,3\n\"open";
        let got = split(input, 5, 64, 10);
        assert_eq!(got, reference(input));
        assert_eq!(got[1], (2, vec![b"multi\nline".to_vec(), b"2".to_vec()]));
        assert_eq!(got[2].0, 4);
        assert_eq!(got[3], (5, vec![b"open".to_vec()]));
    }

    proptest! {
        #[test]
        fn the_same_records_as_csv_core(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b'7'), Just(b','), Just(b'\n'), Just(b'"'), Just(b' ')],
                0..400,
            ),
            quotes in any::<bool>(),
            chunk in 1usize..100,
            capacity in 1usize..200,
            max in 1usize..20,
        ) {
            let input: Vec<u8> = if quotes {
                bytes
            } else {
                bytes.into_iter().filter(|&b| b != b'"').collect()
            };
            prop_assert_eq!(split(&input, chunk, capacity, max), reference(&input));
        }
    }
}
