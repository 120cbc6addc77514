//! Loading data files into a [`Panel`], validating every value.
//!
//! The files are streamed in batches of records ([`crate::split`]: a SIMD
//! splitter for lines without quotes, `csv_core` for the rest); nothing but
//! the compact panel is kept. Long and wide files go through one path: a
//! wide row is turned into one observation per wave at which it has a
//! value, and every observation is then checked the same way.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

use crate::error::LoadFailure;
use crate::line_ends::{LineEnds, RecordTooLong};
use crate::panel::{Chunked, Column, IdTable, Panel, EMPTY, EXCLUDED, MISSING_BASE};
use crate::report::{show_value, FileAccount, LoadReport, Problem, ProblemKind};
use crate::split::{Record, Records, Splitter};
use crate::study::{Decimal, Layout, Study, VarKind, Variable};
use crate::value::{parse_date, parse_float, parse_int, parse_whole, Whole};

/// What to do with problems in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Any problem fails the load.
    Strict,
    /// Offending values and rows are excluded, counted and reported.
    Lenient,
}

/// A loaded panel with its load report.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The panel.
    pub panel: Panel,
    /// What was read, kept and excluded.
    pub report: LoadReport,
}

/// Loads every data file of `study`.
pub fn load(study: &Study, mode: Mode) -> Result<Loaded, LoadFailure> {
    load_with_progress(study, mode, &|_, _| {})
}

/// [`load`], telling `progress(bytes read, bytes in all files)` as it goes
/// (after each batch of records).
pub fn load_with_progress(
    study: &Study,
    mode: Mode,
    progress: &dyn Fn(u64, u64),
) -> Result<Loaded, LoadFailure> {
    let mut builder = Builder::new(study, mode);
    let total: u64 = study
        .data
        .files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
        .sum();
    let mut before = 0;
    for path in &study.data.files {
        let name = display_name(study, path);
        let refuse = |builder: &mut Builder, kind: ProblemKind, message: String| {
            let mut account = FileAccount {
                file: name.clone(),
                ..FileAccount::default()
            };
            builder.file_problem(&mut account, kind, message);
            builder.report.files.push(account);
        };
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => {
                refuse(
                    &mut builder,
                    ProblemKind::NotAFile,
                    "is not a regular file (a directory, device or pipe); expected a CSV data file"
                        .into(),
                );
                continue;
            }
            _ => {}
        }
        match std::fs::File::open(path) {
            Ok(mut file) => match sniff(&mut file) {
                Ok(None) => {
                    let read = std::sync::atomic::AtomicU64::new(0);
                    let counted = Counted {
                        inner: file,
                        read: &read,
                    };
                    let tell = || progress(before + read.load(Ordering::Relaxed), total);
                    builder.read_file_telling(&name, counted, &tell);
                    before += read.load(Ordering::Relaxed);
                }
                Ok(Some(format)) if format == STATA => {
                    match crate::dta_text::DtaText::open(path, study.data.delimiter) {
                        Ok(text) => {
                            builder.read_file_telling(&name, text, &|| progress(before, total));
                            before += std::fs::metadata(path).map_or(0, |m| m.len());
                        }
                        Err(e) => refuse(
                            &mut builder,
                            ProblemKind::OtherFormat,
                            format!("cannot read this Stata data file (.dta): {e}"),
                        ),
                    }
                }
                Ok(Some(format)) => refuse(
                    &mut builder,
                    ProblemKind::OtherFormat,
                    format!("this is {format}, not CSV or Stata .dta; cohort reads CSV and .dta data files: export the data to CSV"),
                ),
                Err(e) => refuse(
                    &mut builder,
                    ProblemKind::Io,
                    format!("cannot read the data file: {e}"),
                ),
            },
            Err(e) => refuse(
                &mut builder,
                ProblemKind::Io,
                format!("cannot open the data file: {e}"),
            ),
        }
    }
    builder.finish()
}

/// What [`sniff`] calls a Stata file.
pub(crate) const STATA: &str = "a Stata data file (.dta)";

/// The format of a file that is not CSV, from its first bytes (the file is
/// left at its start).
pub(crate) fn sniff(file: &mut std::fs::File) -> std::io::Result<Option<&'static str>> {
    use std::io::{Seek, SeekFrom};
    let mut head = [0u8; 12];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    file.seek(SeekFrom::Start(0))?;
    let h = &head[..n];
    Ok(if h.starts_with(b"$FL2") || h.starts_with(b"$FL3") {
        Some("an SPSS data file (.sav/.zsav)")
    } else if h.starts_with(b"<stata_dta>")
        || (n >= 2 && (104..=119).contains(&h[0]) && (h[1] == 1 || h[1] == 2))
    {
        Some(STATA)
    } else if h.starts_with(b"PAR1") {
        Some("a Parquet file")
    } else if h.starts_with(b"PK\x03\x04") {
        Some("a zip archive (an Excel .xlsx or OpenDocument .ods file?)")
    } else if h.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        Some("an old Excel (.xls) file")
    } else if h.starts_with(&[0x1f, 0x8b]) {
        Some("a gzip-compressed file")
    } else {
        None
    })
}

/// A reader that counts the bytes read through it (for progress).
struct Counted<'a, R> {
    inner: R,
    read: &'a std::sync::atomic::AtomicU64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Loads one data file from a reader (for tests and for data that does not
/// come from a file); `name` is used in messages.
pub fn load_reader<R: Read + Send>(
    study: &Study,
    mode: Mode,
    name: &str,
    reader: R,
) -> Result<Loaded, LoadFailure> {
    let mut builder = Builder::new(study, mode);
    builder.read_file(name, reader);
    builder.finish()
}

/// The file name as the study file gives it, relative to the study file.
fn display_name(study: &Study, path: &Path) -> String {
    let dir = study.path.parent().unwrap_or(Path::new(""));
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let shown = if dir.as_os_str().is_empty() {
        rel.to_path_buf()
    } else {
        dir.join(rel)
    };
    shown.display().to_string()
}

/// An observation of a batch whose values are still to be read.
struct Obs {
    record: usize,
    respondent: u32,
    wave: u8,
}

/// Records split by the splitting thread, in file order; `error` ends the
/// file.
struct Batch {
    records: Records,
    /// Per field and record (`field * STRIDE + record`), for the
    /// fields the splitting thread reads ([`SplitterRead`]): the logical
    /// value (a value within the declared range, or a missing marker), or
    /// `NOT_READ`. Other fields' entries are stale.
    integers: Vec<i64>,
    /// Per record ([`Batch::check_keys`], on the validating thread): every
    /// byte is printable ASCII or the delimiter (so it is UTF-8, and its
    /// ids have no invisible characters).
    plain: Vec<bool>,
    /// Per record: the [`IdTable::hash`] of its respondent and cluster
    /// ids (0 in a ragged row).
    id_hashes: Vec<(u64, u64)>,
    error: Option<(ProblemKind, u64, String)>,
}

/// In `Batch::integers`: the field is read on the validating thread.
const NOT_READ: i64 = i64::MAX;

const BATCH_ROWS: usize = 512;

/// The distance between two fields' values in `Batch::integers`: one
/// cache line more than a batch's rows, so that the fields' values do not
/// all fall in the same cache set (as they would 4 KiB apart).
const STRIDE: usize = BATCH_ROWS + 8;

/// The read buffer: 1 MiB. Under a fuzzer, 4 KiB: thousands of executions
/// a second instead of hundreds, and buffer boundaries everywhere in the
/// inputs.
const READ_BUFFER: usize = if cfg!(fuzzing) { 4 << 10 } else { 1 << 20 };

/// A field the splitting thread reads: an integer column's.
#[derive(Debug, Clone, Copy)]
struct SplitterRead {
    /// The field's position in the header.
    pos: usize,
    /// The column (its parser in `Builder::parsers`).
    column: usize,
    min: i64,
    max: i64,
}

impl Batch {
    /// Fills `plain` and `id_hashes` for the batch's records.
    fn check_keys(&mut self, delimiter: u8, (respondent, cluster): (usize, usize)) {
        let records = &self.records;
        self.plain.clear();
        self.plain.extend(records.iter().map(|rec| {
            // No early exit and no branch: the loop is vectorised.
            let unusual = |b: u8| u8::from(b.wrapping_sub(0x20) >= 0x5f) & u8::from(b != delimiter);
            rec.as_slice().iter().fold(0, |any, &b| any | unusual(b)) == 0
        }));
        self.id_hashes.clear();
        self.id_hashes.extend(records.iter().map(|rec| {
            let hash = |i| rec.get(i).map_or(0, |f| IdTable::hash(f.trim_ascii()));
            (hash(respondent), hash(cluster))
        }));
    }
}

impl SplitterRead {
    /// The logical value of the field's text `raw` (a value within the
    /// range, or a missing marker), or `NOT_READ`.
    #[inline]
    fn read(&self, raw: &[u8], parsers: &[CellParser]) -> i64 {
        match small_integer(raw) {
            Some(v) if v >= self.min && v <= self.max => v,
            _ => match parsers[self.column].parse(raw.trim_ascii()) {
                Ok(Parsed::Value(v) | Parsed::Missing(v)) => v,
                _ => NOT_READ,
            },
        }
    }
}

/// A field of one or two digits, or a minus and a digit (most item codes):
/// its value, with no further checks needed.
#[inline]
fn small_integer(f: &[u8]) -> Option<i64> {
    let digit = |b: u8| b.wrapping_sub(b'0') as i64;
    match *f {
        [a] if a.is_ascii_digit() => Some(digit(a)),
        [b'-', a] if a.is_ascii_digit() => Some(-digit(a)),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some(digit(a) * 10 + digit(b)),
        _ => None,
    }
}

/// The reader thread: fills batches (reusing the ones sent back) until the
/// end of the file or an I/O error, and reads the fields of `read` with
/// their columns' `parsers`.
fn parse_batches<R: Read>(
    mut splitter: Splitter<R>,
    parsers: &[CellParser],
    read: &[SplitterRead],
    fields: usize,
    full: mpsc::SyncSender<Batch>,
    empty: mpsc::Receiver<Batch>,
) {
    loop {
        let mut batch = empty.try_recv().unwrap_or_else(|_| Batch {
            records: Records::new(),
            integers: Vec::new(),
            plain: Vec::new(),
            id_hashes: Vec::new(),
            error: None,
        });
        batch.records.clear();
        let result = splitter.read(&mut batch.records, BATCH_ROWS);
        let records = &batch.records;
        batch.integers.resize(fields * STRIDE, NOT_READ);
        let integers = &mut batch.integers[..];
        let text = records.text();
        for r in 0..records.len() {
            let bounds = records.bounds(r);
            if bounds.len() != fields {
                // A ragged row: excluded by the validating thread.
                for f in read {
                    integers[f.pos * STRIDE + r] = NOT_READ;
                }
                continue;
            }
            for f in read {
                let (start, end) = bounds[f.pos];
                let raw = text.get(start as usize..end as usize).unwrap_or_default();
                integers[f.pos * STRIDE + r] = f.read(raw, parsers);
            }
        }
        let last = match result {
            Ok(_) => splitter.finished(),
            Err(e) => {
                // The record that failed starts where the last one ended.
                let line = splitter.record_line();
                batch.error = Some(match too_long(&e) {
                    Some(t) => (ProblemKind::RecordTooLong, line, t.to_string()),
                    None => (ProblemKind::Io, line, format!("cannot read on: {e}")),
                });
                true
            }
        };
        if full.send(batch).is_err() || last {
            return;
        }
    }
}

/// The record-length bound of [`LineEnds`], when that is what stopped the
/// read.
fn too_long(e: &std::io::Error) -> Option<&RecordTooLong> {
    e.get_ref()?.downcast_ref::<RecordTooLong>()
}

/// The lines of the file a record spans: more than one only when a quoted
/// field holds a line break (line endings are `\n` by then, see
/// [`LineEnds`]), which in a data file means a quote that is not closed.
/// A quote left open to the end of the file takes the file's last line
/// ending into its field; that ending starts no line and is not counted.
fn physical_lines(rec: Record) -> u64 {
    let text = rec.as_slice();
    if !text.contains(&b'\n') {
        return 1;
    }
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    1 + text.iter().filter(|&&b| b == b'\n').count() as u64
}

/// What in an id a reader cannot see: a control character (a NUL byte,
/// a tab) or a byte-order mark (the start of a second file pasted in).
fn invisible_in_id(id: &[u8]) -> Option<&'static str> {
    if id.iter().any(|&b| b < 0x20 || b == 0x7f) {
        Some("a control character")
    } else if id.windows(3).any(|w| w == [0xEF, 0xBB, 0xBF]) {
        Some("a byte-order mark (U+FEFF)")
    } else {
        None
    }
}

/// How one column's text becomes a cell, prepared once per column.
struct CellParser {
    kind: VarKind,
    decimal: Decimal,
    required: bool,
    missing_int: Vec<Option<i64>>,
    missing_float: Vec<Option<f64>>,
    missing_text: Vec<Vec<u8>>,
    codes: Vec<Vec<u8>>,
    expected: String,
}

/// A parsed cell.
enum Parsed {
    /// Integer, category index or date: the logical value.
    Value(i64),
    /// A float value.
    Float(f64),
    /// An id value to intern.
    Id,
    /// A missing marker (empty or a missing code).
    Missing(i64),
}

impl CellParser {
    fn new(var: &Variable, decimal: Decimal) -> CellParser {
        let codes = match &var.kind {
            VarKind::Categorical { codes } => {
                codes.iter().map(|c| c.code.as_bytes().to_vec()).collect()
            }
            _ => Vec::new(),
        };
        CellParser {
            kind: var.kind.clone(),
            decimal,
            required: var.required,
            missing_int: var
                .missing
                .iter()
                .map(|m| m.code.trim().parse().ok())
                .collect(),
            missing_float: var
                .missing
                .iter()
                .map(|m| m.code.trim().parse().ok())
                .collect(),
            missing_text: var
                .missing
                .iter()
                .map(|m| m.code.trim().as_bytes().to_vec())
                .collect(),
            codes,
            expected: expected_text(var, decimal),
        }
    }

    fn missing_code(&self, j: usize) -> Parsed {
        Parsed::Missing(MISSING_BASE + j as i64)
    }

    /// A missing code that is not a number (Stata's `.a`-`.z`), for a
    /// numeric variable.
    fn text_missing(&self, f: &[u8]) -> Option<Parsed> {
        let j = self.missing_text.iter().position(|c| c.as_slice() == f)?;
        Some(self.missing_code(j))
    }

    #[inline]
    fn parse(&self, f: &[u8]) -> Result<Parsed, (ProblemKind, &'static str)> {
        if f.is_empty() {
            return if self.required {
                Err((
                    ProblemKind::RequiredValueMissing,
                    "is empty, and the variable is required",
                ))
            } else {
                Ok(Parsed::Missing(EMPTY))
            };
        }
        match &self.kind {
            VarKind::Integer { min, max } => {
                let whole = match parse_int(f) {
                    Some(v) => Some(Whole::Value(v)),
                    None => parse_whole(f, self.decimal),
                };
                match whole {
                    Some(Whole::Value(v)) if v >= *min && v <= *max => Ok(Parsed::Value(v)),
                    Some(Whole::Value(v)) => {
                        match self.missing_int.iter().position(|m| *m == Some(v)) {
                            Some(j) => Ok(self.missing_code(j)),
                            None => Err((ProblemKind::OutOfRange, "is out of range")),
                        }
                    }
                    Some(Whole::TooLarge) => Err((ProblemKind::OutOfRange, "is out of range")),
                    None => match self.text_missing(f) {
                        Some(code) => Ok(code),
                        None => Err((ProblemKind::UnparsableValue, "is not a whole number")),
                    },
                }
            }
            VarKind::Float { min, max } => match parse_float(f, self.decimal) {
                Some(v) if v >= *min && v <= *max => Ok(Parsed::Float(v)),
                Some(v) => match self.missing_float.iter().position(|m| *m == Some(v)) {
                    Some(j) => Ok(self.missing_code(j)),
                    None => Err((ProblemKind::OutOfRange, "is out of range")),
                },
                None => match self.text_missing(f) {
                    Some(code) => Ok(code),
                    None => Err((ProblemKind::UnparsableValue, "is not a number")),
                },
            },
            VarKind::Categorical { .. } => {
                if let Some(i) = self.codes.iter().position(|c| c.as_slice() == f) {
                    Ok(Parsed::Value(i as i64))
                } else if let Some(j) = self.missing_text.iter().position(|c| c.as_slice() == f) {
                    Ok(self.missing_code(j))
                } else {
                    Err((ProblemKind::UndeclaredCode, "is not a declared code"))
                }
            }
            VarKind::Date { format, min, max } => {
                if let Some(j) = self.missing_text.iter().position(|c| c.as_slice() == f) {
                    return Ok(self.missing_code(j));
                }
                match parse_date(f, *format) {
                    Some(d) if min.is_some_and(|m| d < m) || max.is_some_and(|m| d > m) => {
                        Err((ProblemKind::OutOfRange, "is out of range"))
                    }
                    Some(d) => Ok(Parsed::Value(i64::from(d))),
                    None => Err((ProblemKind::UnparsableValue, "is not a valid date")),
                }
            }
            VarKind::Id => Ok(Parsed::Id),
        }
    }
}

/// "expected ..." for messages about a variable's values.
fn expected_text(var: &Variable, decimal: Decimal) -> String {
    let mut s = match &var.kind {
        VarKind::Integer { min, max } => format!("a whole number from {min} to {max}"),
        VarKind::Float { min, max } => {
            let sep = if decimal == Decimal::Comma { "," } else { "." };
            let mut s = format!("a number with decimal separator \"{sep}\"");
            if min.is_finite() || max.is_finite() {
                s.push_str(&format!(" from {min} to {max}"));
            }
            s
        }
        VarKind::Categorical { codes } => {
            let shown: Vec<&str> = codes.iter().take(12).map(|c| c.code.as_str()).collect();
            let more = if codes.len() > 12 { ", ..." } else { "" };
            format!("one of the codes {}{more}", shown.join(", "))
        }
        VarKind::Date { format, min, max } => {
            let mut s = format!("a date {}", format.as_str());
            if let (Some(a), Some(b)) = (min, max) {
                s.push_str(&format!(
                    " from {} to {}",
                    crate::value::format_date(*a, *format),
                    crate::value::format_date(*b, *format)
                ));
            }
            s
        }
        VarKind::Id => "an id".to_string(),
    };
    if !var.missing.is_empty() {
        let codes: Vec<String> = var
            .missing
            .iter()
            .map(|m| format!("{} {}", m.code, m.reason))
            .collect();
        s.push_str(&format!(", or a missing code ({})", codes.join(", ")));
    }
    s
}

/// Where each needed column stands in one file's header.
struct Columns {
    names: Vec<String>,
    respondent: usize,
    /// The cluster column (the respondent column when the study has none).
    cluster: usize,
    /// The role column, if the study has one.
    role: Option<usize>,
    /// Long: the wave column.
    wave: Option<usize>,
    /// Position of each panel column's field, per wave (long: one entry,
    /// used for every wave).
    per_wave: Vec<Vec<usize>>,
    /// Wide: the time-varying columns of each wave (to see if it is present).
    varying: Vec<Vec<usize>>,
}

struct Builder<'s> {
    study: &'s Study,
    mode: Mode,
    report: LoadReport,
    /// Indices into `study.variables` of the panel's columns (all but role).
    col_vars: Vec<usize>,
    /// Shared with the splitting thread.
    parsers: std::sync::Arc<Vec<CellParser>>,
    columns: Vec<Column>,
    role_codes: Vec<Vec<u8>>,
    respondents: IdTable,
    clusters: IdTable,
    respondent_cluster: Vec<u32>,
    respondent_role: Vec<u16>,
    respondent_waves: Vec<u64>,
    respondent_line: Vec<u64>,
    obs_respondent: Chunked<u32>,
    obs_wave: Chunked<u8>,
    /// The respondent of the previous kept row: long files keep a
    /// respondent's rows together, and this skips the hash lookup.
    last_respondent: Option<u32>,
    /// The cluster of the previous new respondent (families are together).
    last_cluster: Option<u32>,
    /// One column's logical values of a batch, stored in one call.
    value_buf: Vec<i64>,
    /// Per column: its slot in `invariant` if it is time-invariant.
    invariant_slot: Vec<Option<usize>>,
    /// Per time-invariant column: the value per respondent (EMPTY = none yet).
    invariant: Vec<Vec<i64>>,
}

impl<'s> Builder<'s> {
    fn new(study: &'s Study, mode: Mode) -> Builder<'s> {
        let role_var = study
            .data
            .role
            .as_ref()
            .and_then(|role| study.variables.iter().position(|v| &v.name == role));
        let role_codes = match &study.role_variable().kind {
            VarKind::Categorical { codes } => {
                codes.iter().map(|c| c.code.as_bytes().to_vec()).collect()
            }
            _ => Vec::new(),
        };
        let col_vars: Vec<usize> = (0..study.variables.len())
            .filter(|&i| Some(i) != role_var)
            .collect();
        let parsers = std::sync::Arc::new(
            col_vars
                .iter()
                .map(|&i| CellParser::new(&study.variables[i], study.data.decimal))
                .collect(),
        );
        let columns = col_vars
            .iter()
            .map(|&i| Column::new(i, &study.variables[i]))
            .collect();
        let mut invariant = Vec::new();
        let invariant_slot = col_vars
            .iter()
            .map(|&i| {
                study.variables[i].time_invariant.then(|| {
                    invariant.push(Vec::new());
                    invariant.len() - 1
                })
            })
            .collect();
        Builder {
            study,
            mode,
            report: LoadReport {
                lenient: mode == Mode::Lenient,
                ..LoadReport::default()
            },
            col_vars,
            parsers,
            columns,
            role_codes,
            respondents: IdTable::new(),
            clusters: IdTable::new(),
            respondent_cluster: Vec::new(),
            respondent_role: Vec::new(),
            respondent_waves: Vec::new(),
            respondent_line: Vec::new(),
            obs_respondent: Chunked::new(),
            obs_wave: Chunked::new(),
            last_respondent: None,
            last_cluster: None,
            value_buf: Vec::new(),
            invariant_slot,
            invariant,
        }
    }

    fn file_problem(&mut self, account: &mut FileAccount, kind: ProblemKind, message: String) {
        let file = account.file.clone();
        self.report.add(kind, || Problem {
            kind,
            file,
            line: None,
            column: None,
            column_number: None,
            value: None,
            message,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn cell_problem(
        &mut self,
        kind: ProblemKind,
        file: &str,
        line: u64,
        column: Option<(&str, usize)>,
        value: Option<&[u8]>,
        message: impl FnOnce(&str) -> String,
    ) {
        self.report.add(kind, || {
            let shown = value.map(show_value);
            Problem {
                kind,
                file: file.to_string(),
                line: Some(line),
                column: column.map(|(n, _)| n.to_string()),
                column_number: column.map(|(_, i)| i + 1),
                message: message(shown.as_deref().unwrap_or("")),
                value: shown,
            }
        });
    }

    fn read_file<R: Read + Send>(&mut self, name: &str, reader: R) {
        self.read_file_telling(name, reader, &|| {});
    }

    /// [`Builder::read_file`], calling `tell` after each batch.
    fn read_file_telling<R: Read + Send>(&mut self, name: &str, reader: R, tell: &dyn Fn()) {
        let mut account = FileAccount {
            file: name.to_string(),
            ..FileAccount::default()
        };
        self.read_into(&mut account, reader, tell);
        self.report.files.push(account);
    }

    fn read_into<R: Read + Send>(&mut self, account: &mut FileAccount, reader: R, tell: &dyn Fn()) {
        let delimiter = self.study.data.delimiter;
        let mut splitter = Splitter::new(LineEnds::new(reader, delimiter), delimiter, READ_BUFFER);
        let cannot_read = |e: std::io::Error, what: &str| match too_long(&e) {
            Some(t) => (ProblemKind::RecordTooLong, format!("line 1 (header): {t}")),
            None => (ProblemKind::Io, format!("cannot {what}: {e}")),
        };
        if let Err(e) = splitter.skip_prefix(&[0xEF, 0xBB, 0xBF]) {
            let (kind, message) = cannot_read(e, "read");
            return self.file_problem(account, kind, message);
        }
        let mut header = Records::new();
        match splitter.read(&mut header, 1) {
            Ok(1) if header.get(0).iter().any(|f| !f.trim_ascii().is_empty()) => {}
            Ok(_) => {
                return self.file_problem(
                    account,
                    ProblemKind::EmptyFile,
                    "the file is empty: expected a header row and data rows".into(),
                );
            }
            Err(e) => {
                let (kind, message) = cannot_read(e, "read");
                return self.file_problem(account, kind, message);
            }
        }
        let Some(columns) = self.header(account, header.get(0)) else {
            return;
        };
        // A second thread splits the file into batches of records while
        // this one validates and stores them; emptied batches go back to be
        // reused. The order of rows is kept, so results are the same as
        // reading on one thread.
        //
        // The splitting thread also reads the integer fields that hold a
        // value within their declared range or a missing code (nearly all
        // of them); this thread then handles only the rest: problems and
        // other types.
        let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(4);
        let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
        let mut any_row = false;
        let fields = columns.names.len();
        let read = self.read_on_splitter(&columns);
        let mut on_splitter = vec![false; fields];
        read.iter().for_each(|f| on_splitter[f.pos] = true);
        let parsers = std::sync::Arc::clone(&self.parsers);
        std::thread::scope(|scope| {
            let (read, parsers) = (&read, &parsers[..]);
            scope.spawn(move || parse_batches(splitter, parsers, read, fields, full_tx, empty_rx));
            let mut obs = Vec::new();
            for mut batch in full_rx {
                obs.clear();
                batch.check_keys(delimiter, (columns.respondent, columns.cluster));
                let multiline = batch.records.multiline;
                for (index, rec) in batch.records.iter().enumerate() {
                    any_row = true;
                    let lines = if multiline { physical_lines(rec) } else { 1 };
                    account.rows_read += lines;
                    // The ids' slots, for the row this many rows on.
                    const AHEAD: usize = 8;
                    if let Some(&(r, c)) = batch.id_hashes.get(index + AHEAD) {
                        self.respondents.prefetch(r);
                        self.clusters.prefetch(c);
                    }
                    let checked = (batch.plain[index], batch.id_hashes[index]);
                    match self.row(
                        account,
                        &columns,
                        (index, rec, checked),
                        multiline,
                        &mut obs,
                    ) {
                        Ok(()) => account.rows_kept += 1,
                        Err(kind) => *account.rows_excluded.entry(kind).or_insert(0) += lines,
                    }
                }
                self.values(&account.file, &columns, &on_splitter, &batch, &obs);
                if let Some((kind, line, message)) = batch.error.take() {
                    let file = account.file.clone();
                    self.cell_problem(kind, &file, line, None, None, |_| message);
                }
                // The splitter may have finished; then the batch is dropped.
                let _ = empty_tx.send(batch);
                tell();
            }
        });
        if !any_row {
            self.file_problem(
                account,
                ProblemKind::HeaderOnly,
                "the file has a header but no data rows".into(),
            );
        }
    }

    /// Checks the header and finds the columns; `None` when the file cannot
    /// be read on.
    fn header(&mut self, account: &mut FileAccount, rec: Record) -> Option<Columns> {
        let study = self.study;
        if let Some(i) = rec.iter().position(|f| std::str::from_utf8(f).is_err()) {
            let shown = show_value(rec.get(i).unwrap_or_default());
            self.file_problem(
                account,
                ProblemKind::InvalidUtf8,
                format!("line 1 (header), column #{}: the column name \"{shown}\" is not UTF-8; expected a UTF-8 file (with or without BOM)", i + 1),
            );
            return None;
        }
        let names: Vec<String> = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f.trim_ascii()).into_owned())
            .collect();
        if names.len() == 1 {
            let delim = study.data.delimiter;
            let other = [b',', b';', b'\t']
                .into_iter()
                .filter(|&d| d != delim)
                .max_by_key(|&d| names[0].bytes().filter(|&b| b == d).count())
                .filter(|&d| names[0].as_bytes().contains(&d));
            if let Some(d) = other {
                let shown = |d: u8| {
                    if d == b'\t' {
                        "tab".to_string()
                    } else {
                        (d as char).to_string()
                    }
                };
                self.file_problem(
                    account,
                    ProblemKind::WrongDelimiter,
                    format!(
                        "line 1 (header): one column found with delimiter \"{}\"; the file looks \"{}\"-separated: set delimiter = \"{}\" in [data]",
                        shown(delim),
                        shown(d),
                        shown(d)
                    ),
                );
                return None;
            }
        }
        let mut fatal = false;
        // Linear in the header: a map from each name to its first column.
        let mut first_of: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(names.len());
        let mut repeated = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if first_of.contains_key(n.as_str()) {
                repeated.push(i);
            } else {
                first_of.insert(n.as_str(), i);
            }
        }
        for i in repeated {
            let n = &names[i];
            {
                fatal = true;
                let file = account.file.clone();
                self.cell_problem(
                    ProblemKind::DuplicateColumn,
                    &file,
                    1,
                    Some((n, i)),
                    None,
                    |_| {
                        format!(
                            "column \"{n}\" appears twice in the header; expected each column once"
                        )
                    },
                );
            }
        }
        let mut used = vec![false; names.len()];
        let mut find = |b: &mut Self, want: &str| -> Option<usize> {
            match first_of.get(want).copied() {
                Some(i) => {
                    used[i] = true;
                    Some(i)
                }
                None => {
                    let known: Vec<&str> = names.iter().map(String::as_str).collect();
                    let hint = crate::suggest::did_you_mean(want, &known)
                        .map(|s| format!(" (the header has \"{s}\"; a typo?)"))
                        .unwrap_or_default();
                    b.file_problem(
                        account,
                        ProblemKind::MissingColumn,
                        format!("line 1 (header): column \"{want}\" is declared in the study file but not in the header{hint}"),
                    );
                    None
                }
            }
        };
        let respondent = find(self, &study.data.respondent);
        let cluster = find(self, study.data.cluster_column());
        let role = match &study.data.role {
            Some(r) => find(self, r).map(Some),
            None => Some(None),
        };
        let mut wave = None;
        let mut per_wave = Vec::new();
        let mut varying = Vec::new();
        match &study.data.layout {
            Layout::Long { wave: w } => {
                wave = find(self, w);
                let col_vars = self.col_vars.clone();
                let pos: Vec<Option<usize>> = col_vars
                    .iter()
                    .map(|&v| find(self, &study.variables[v].name))
                    .collect();
                per_wave.push(pos.iter().map(|p| p.unwrap_or(0)).collect());
                fatal |= wave.is_none() || pos.iter().any(Option::is_none);
            }
            Layout::Wide { pattern } => {
                let col_vars = self.col_vars.clone();
                for w in &study.waves {
                    let mut pos = Vec::new();
                    let mut vary = Vec::new();
                    for &v in &col_vars {
                        let var = &study.variables[v];
                        let name = if var.time_invariant {
                            var.name.clone()
                        } else {
                            Layout::wide_column(pattern, &var.name, &w.label)
                        };
                        let p = find(self, &name);
                        fatal |= p.is_none();
                        let p = p.unwrap_or(0);
                        if !var.time_invariant {
                            vary.push(p);
                        }
                        pos.push(p);
                    }
                    per_wave.push(pos);
                    varying.push(vary);
                }
            }
        }
        let (Some(respondent), Some(cluster), Some(role)) = (respondent, cluster, role) else {
            return None;
        };
        if fatal {
            return None;
        }
        for (i, n) in names.iter().enumerate() {
            if used[i] {
                continue;
            }
            match self.mode {
                Mode::Lenient => self
                    .report
                    .ignored_columns
                    .push(format!("{}: {n}", account.file)),
                Mode::Strict => {
                    let file = account.file.clone();
                    let known: Vec<&str> =
                        study.variables.iter().map(|v| v.name.as_str()).collect();
                    let hint = crate::suggest::did_you_mean(n, &known)
                        .map(|s| format!(" (did you mean the declared \"{s}\"?)"))
                        .unwrap_or_default();
                    self.cell_problem(ProblemKind::UnknownColumn, &file, 1, Some((n, i)), None, |_| {
                        format!("column \"{n}\" is not declared in the study file{hint}; declare it, or use --lenient to ignore it")
                    });
                }
            }
        }
        Some(Columns {
            names,
            respondent,
            cluster,
            role,
            wave,
            per_wave,
            varying,
        })
    }

    /// Checks one data row's keys (ids, role, wave) and adds its
    /// observations to the panel and to `obs` (their values are read by
    /// [`Builder::values`]); `Err` with the reason when the row is excluded.
    /// `plain`: the record has only printable ASCII and delimiters;
    /// `hashes`: of its respondent and cluster ids.
    fn row(
        &mut self,
        account: &FileAccount,
        cols: &Columns,
        (index, rec, (plain, hashes)): (usize, Record, (bool, (u64, u64))),
        multiline: bool,
        obs: &mut Vec<Obs>,
    ) -> Result<(), ProblemKind> {
        let file = account.file.as_str();
        let line = rec.line();
        let lines = if multiline { physical_lines(rec) } else { 1 };
        if lines > 1 {
            let i = rec.iter().position(|f| f.contains(&b'\n')).unwrap_or(0);
            let name = cols.names.get(i).map_or("", String::as_str);
            let last = line + lines - 1;
            self.cell_problem(
                ProblemKind::UnclosedQuote,
                file,
                line,
                Some((name, i)),
                None,
                |_| {
                    format!(
                        "a quote opened in this field is not closed on its line, so lines \
                         {line}-{last} were read as one row; the {lines} rows are excluded; \
                         expected every row on one line (close the quote)"
                    )
                },
            );
            return Err(ProblemKind::UnclosedQuote);
        }
        if rec.len() != cols.names.len() {
            let (got, want) = (rec.len(), cols.names.len());
            self.cell_problem(ProblemKind::RaggedRow, file, line, None, None, |_| {
                format!("the row has {got} fields; expected {want}, as in the header")
            });
            return Err(ProblemKind::RaggedRow);
        }
        if !plain && std::str::from_utf8(rec.as_slice()).is_err() {
            let i = rec
                .iter()
                .position(|f| std::str::from_utf8(f).is_err())
                .unwrap_or(0);
            let name = cols.names[i].as_str();
            let field = rec.get(i).unwrap_or_default();
            self.cell_problem(
                ProblemKind::InvalidUtf8,
                file,
                line,
                Some((name, i)),
                Some(field),
                |v| format!("value \"{v}\" is not valid UTF-8; expected a UTF-8 file"),
            );
            return Err(ProblemKind::InvalidUtf8);
        }
        let field = |i: usize| rec.get(i).unwrap_or_default().trim_ascii();
        let text = |i: usize| std::str::from_utf8(field(i)).unwrap_or_default();
        let mut excluded: Option<ProblemKind> = None;
        let mut exclude =
            |b: &mut Self, kind: ProblemKind, col: usize, msg: &dyn Fn(&str) -> String| {
                b.cell_problem(
                    kind,
                    file,
                    line,
                    Some((&cols.names[col], col)),
                    Some(field(col)),
                    msg,
                );
                excluded.get_or_insert(kind);
            };
        for col in [cols.respondent, cols.cluster] {
            if field(col).is_empty() {
                exclude(self, ProblemKind::MissingId, col, &|_| {
                    "the id is empty; expected an id".into()
                });
            } else if let Some(what) = invisible_in_id(field(col)).filter(|_| !plain) {
                exclude(self, ProblemKind::InvalidId, col, &|v| {
                    format!(
                        "the id \"{v}\" contains {what}, which would make it another \
                         respondent than the one it looks like; expected an id of visible characters"
                    )
                });
            }
        }
        let role = match cols.role {
            Some(rc) => self
                .role_codes
                .iter()
                .position(|c| c.as_slice() == field(rc)),
            None => Some(0),
        };
        if let (None, Some(rc)) = (role, cols.role) {
            let expected = expected_text(self.study.role_variable(), self.study.data.decimal);
            let expected = expected
                .split(", or a missing code")
                .next()
                .unwrap_or_default()
                .to_string();
            exclude(self, ProblemKind::UndeclaredCode, rc, &|v| {
                format!("role \"{v}\" is not a declared code; expected {expected}")
            });
        }
        let wave = match cols.wave {
            Some(wc) => {
                let w = self
                    .study
                    .waves
                    .iter()
                    .position(|w| w.label.as_bytes() == field(wc));
                if w.is_none() {
                    let labels: Vec<&str> =
                        self.study.waves.iter().map(|w| w.label.as_str()).collect();
                    exclude(self, ProblemKind::UndeclaredWave, wc, &|v| {
                        format!(
                            "wave \"{v}\" is not declared; expected one of {}",
                            labels.join(", ")
                        )
                    });
                }
                w
            }
            None => None,
        };
        if let Some(kind) = excluded {
            return Err(kind);
        }
        let role = role.unwrap_or(0) as u16;
        // The waves this row gives observations for, as a bit set.
        let waves: u64 = match wave {
            Some(w) => 1 << w,
            None => (0..self.study.waves.len())
                .filter(|&w| cols.varying[w].iter().any(|&c| !field(c).is_empty()))
                .fold(0, |set, w| set | 1 << w),
        };
        if waves == 0 {
            self.cell_problem(ProblemKind::NoObservation, file, line, None, None, |_| {
                "the row has no value at any wave; expected at least one wave with data".into()
            });
            return Err(ProblemKind::NoObservation);
        }

        // The respondent: new, or consistent with earlier rows.
        let id = text(cols.respondent);
        let (r, new) = match self.last_respondent {
            Some(last) if self.respondents.get(last) == id => (last, false),
            _ => self.respondents.intern_hashed(id, hashes.0),
        };
        self.last_respondent = Some(r);
        let r = r as usize;
        if new {
            let cluster = text(cols.cluster);
            let c = match self.last_cluster {
                Some(last) if self.clusters.get(last) == cluster => last,
                _ => self.clusters.intern_hashed(cluster, hashes.1).0,
            };
            self.last_cluster = Some(c);
            self.respondent_cluster.push(c);
            self.respondent_role.push(role);
            self.respondent_waves.push(0);
            self.respondent_line.push(line);
            for values in &mut self.invariant {
                values.push(EMPTY);
            }
        } else {
            let first = self.respondent_line[r];
            let cluster_now = self.clusters.get(self.respondent_cluster[r]);
            if cluster_now.as_bytes() != field(cols.cluster) {
                self.cell_problem(ProblemKind::RespondentInTwoClusters, file, line, Some((&cols.names[cols.cluster], cols.cluster)), Some(field(cols.cluster)), |v| {
                    format!("cluster \"{v}\" differs from this respondent's cluster at line {first}; expected one cluster per respondent")
                });
                return Err(ProblemKind::RespondentInTwoClusters);
            }
            if let Some(rc) = cols.role.filter(|_| self.respondent_role[r] != role) {
                self.cell_problem(ProblemKind::TimeInvariantChanged, file, line, Some((&cols.names[rc], rc)), Some(field(rc)), |v| {
                    format!("role \"{v}\" differs from this respondent's role at line {first}; expected the role not to change across waves")
                });
                return Err(ProblemKind::TimeInvariantChanged);
            }
            if wave.is_none() {
                self.cell_problem(ProblemKind::DuplicateObservation, file, line, Some((&cols.names[cols.respondent], cols.respondent)), Some(field(cols.respondent)), |v| {
                    format!("respondent \"{v}\" already has a row at line {first}; expected one row per respondent in a wide file")
                });
                return Err(ProblemKind::DuplicateObservation);
            }
        }
        let each_wave = |set: u64| {
            std::iter::successors((set != 0).then_some(set), |&s| {
                let rest = s & (s - 1);
                (rest != 0).then_some(rest)
            })
            .map(|s| s.trailing_zeros() as usize)
        };
        for w in each_wave(waves) {
            if self.respondent_waves[r] & (1 << w) != 0 {
                let first = self.respondent_line[r];
                let label = self.study.waves[w].label.clone();
                self.cell_problem(ProblemKind::DuplicateObservation, file, line, Some((&cols.names[cols.respondent], cols.respondent)), Some(field(cols.respondent)), |v| {
                    format!("respondent \"{v}\" already has a row for wave {label} (first row of this respondent: line {first}); expected one row per respondent and wave")
                });
                return Err(ProblemKind::DuplicateObservation);
            }
        }

        for w in each_wave(waves) {
            self.respondent_waves[r] |= 1 << w;
            self.obs_respondent.push(r as u32);
            self.obs_wave.push(w as u8);
            obs.push(Obs {
                record: index,
                respondent: r as u32,
                wave: w as u8,
            });
        }
        Ok(())
    }

    /// The fields the splitting thread reads: every integer column that is
    /// not time-invariant (a time-invariant value is compared with the
    /// respondent's earlier one here).
    fn read_on_splitter(&self, cols: &Columns) -> Vec<SplitterRead> {
        let mut read = Vec::new();
        for positions in &cols.per_wave {
            for (column, &pos) in positions.iter().enumerate() {
                let var = &self.study.variables[self.col_vars[column]];
                if let VarKind::Integer { min, max } = var.kind {
                    if !var.time_invariant {
                        read.push(SplitterRead {
                            pos,
                            column,
                            min,
                            max,
                        });
                    }
                }
            }
        }
        read.sort_unstable_by_key(|f| f.pos);
        read.dedup_by_key(|f| f.pos);
        read
    }

    /// The values of a batch's observations, column by column: the column's
    /// parser and storage stay in cache, and its branches predictable.
    /// `on_splitter`: per field, whether the splitting thread read it.
    fn values(
        &mut self,
        file: &str,
        cols: &Columns,
        on_splitter: &[bool],
        batch: &Batch,
        obs: &[Obs],
    ) {
        let records = &batch.records;
        let long = cols.wave.is_some();
        // Observation i is record i (a long batch with no row excluded).
        let dense = obs.iter().enumerate().all(|(i, o)| o.record == i);
        let mut buf = std::mem::take(&mut self.value_buf);
        for k in 0..self.columns.len() {
            let invariant = self.invariant_slot[k].is_some();
            buf.clear();
            let pos = cols.per_wave[0][k];
            if long && on_splitter[pos] {
                // Read on the splitting thread (an integer column, not
                // time-invariant): only what it could not read is left.
                // No early exit in the search: it is vectorised.
                let any_unread = |v: &[i64]| v.iter().fold(false, |any, &v| any | (v == NOT_READ));
                let read = &batch.integers[pos * STRIDE..pos * STRIDE + BATCH_ROWS];
                if dense {
                    let values = &read[..obs.len()];
                    if !any_unread(values) {
                        self.columns[k].extend_logical(values);
                        continue;
                    }
                    buf.extend_from_slice(values);
                } else {
                    buf.extend(obs.iter().map(|o| read[o.record]));
                }
                if any_unread(&buf) {
                    for (v, o) in buf.iter_mut().zip(obs).filter(|(v, _)| **v == NOT_READ) {
                        let rec = records.get(o.record);
                        let f = rec.get(pos).unwrap_or_default().trim_ascii();
                        *v = match self.parsers[k].parse(f) {
                            Ok(Parsed::Value(v) | Parsed::Missing(v)) => v,
                            Ok(_) => EXCLUDED,
                            Err((kind, what)) => {
                                self.value_problem(
                                    file,
                                    rec.line(),
                                    cols,
                                    (k, pos),
                                    f,
                                    (kind, what),
                                );
                                EXCLUDED
                            }
                        };
                    }
                }
                self.columns[k].extend_logical(&buf);
                continue;
            }
            let mut previous_record = None;
            for o in obs {
                // In a wide row, a time-invariant column is read once per
                // wave: a problem in it is one problem of one cell.
                let repeated = !long && invariant && previous_record == Some(o.record);
                previous_record = Some(o.record);
                let pos = cols.per_wave[if long { 0 } else { o.wave as usize }][k];
                if on_splitter[pos] {
                    let read = batch.integers[pos * STRIDE + o.record];
                    if read != NOT_READ {
                        buf.push(read);
                        continue;
                    }
                }
                let rec = records.get(o.record);
                let r = o.respondent as usize;
                let f = rec.get(pos).unwrap_or_default().trim_ascii();
                let line = || rec.line();
                let parsed = self.parsers[k].parse(f);
                let logical = match parsed {
                    Ok(Parsed::Value(v)) => v,
                    Ok(Parsed::Missing(m)) => {
                        buf.push(m);
                        continue;
                    }
                    Ok(Parsed::Float(v)) => {
                        // Floats are stored one by one, after any logical
                        // values buffered for this column (none: a float
                        // column buffers only missing markers, flushed here).
                        self.columns[k].extend_logical(&buf);
                        buf.clear();
                        if invariant && self.invariant_conflict(k, r, (v + 0.0).to_bits() as i64) {
                            self.invariant_problem(file, line(), cols, pos, f, r, k);
                            self.columns[k].push_logical(EXCLUDED);
                        } else {
                            self.columns[k].push_float(v);
                        }
                        continue;
                    }
                    Ok(Parsed::Id) => {
                        let text = std::str::from_utf8(f).unwrap_or_default();
                        self.columns[k].intern_id(text)
                    }
                    Err(problem) => {
                        if !repeated {
                            self.value_problem(file, line(), cols, (k, pos), f, problem);
                        }
                        buf.push(EXCLUDED);
                        continue;
                    }
                };
                if invariant && self.invariant_conflict(k, r, logical) {
                    self.invariant_problem(file, line(), cols, pos, f, r, k);
                    buf.push(EXCLUDED);
                } else {
                    buf.push(logical);
                }
            }
            self.columns[k].extend_logical(&buf);
        }
        self.value_buf = buf;
    }

    /// A value of column `k` (field `pos`) that cannot be read: counted,
    /// and reported.
    fn value_problem(
        &mut self,
        file: &str,
        line: u64,
        cols: &Columns,
        (k, pos): (usize, usize),
        f: &[u8],
        (kind, what): (ProblemKind, &str),
    ) {
        let expected = &self.parsers[k].expected;
        let msg = format!("value \"{}\" {what}; expected {expected}", show_value(f));
        let at = Some((cols.names[pos].as_str(), pos));
        self.cell_problem(kind, file, line, at, Some(f), |_| msg);
        *self.report.values_excluded.entry(kind).or_insert(0) += 1;
    }

    /// Whether `value` contradicts the respondent's earlier value of a
    /// time-invariant column `k`; records the value if it is the first.
    fn invariant_conflict(&mut self, k: usize, r: usize, value: i64) -> bool {
        let Some(slot) = self.invariant_slot[k] else {
            return false;
        };
        let values = &mut self.invariant[slot];
        match values[r] {
            EMPTY => {
                values[r] = value;
                false
            }
            earlier => earlier != value,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn invariant_problem(
        &mut self,
        file: &str,
        line: u64,
        cols: &Columns,
        pos: usize,
        f: &[u8],
        r: usize,
        k: usize,
    ) {
        let first = self.respondent_line[r];
        let name = self.study.variables[self.col_vars[k]].name.clone();
        self.cell_problem(ProblemKind::TimeInvariantChanged, file, line, Some((&cols.names[pos], pos)), Some(f), |v| {
            format!("value \"{v}\" differs from this respondent's earlier value (rows from line {first}); expected {name} not to change across waves (time_invariant)")
        });
        *self
            .report
            .values_excluded
            .entry(ProblemKind::TimeInvariantChanged)
            .or_insert(0) += 1;
    }

    fn finish(self) -> Result<Loaded, LoadFailure> {
        let mut report = self.report;
        // Within a batch, keys are checked row by row and values column by
        // column: put the kept problems back in file order.
        let file_order: Vec<String> = report.files.iter().map(|f| f.file.clone()).collect();
        report.problems.sort_by_key(|p| {
            let file = file_order.iter().position(|f| *f == p.file);
            (file, p.line, p.column_number)
        });
        report.observations = self.obs_respondent.len() as u64;
        if report.rows_kept() == 0 && !report.has_file_problem() {
            report.add(ProblemKind::NothingKept, || Problem {
                kind: ProblemKind::NothingKept,
                file: file_order.first().cloned().unwrap_or_default(),
                line: None,
                column: None,
                column_number: None,
                value: None,
                message:
                    "no row was kept: every row has a problem; expected at least one valid row"
                        .into(),
            });
        }
        let failed = match self.mode {
            Mode::Strict => report.problem_count() > 0,
            Mode::Lenient => report.has_file_problem(),
        };
        if failed {
            return Err(LoadFailure {
                report: Box::new(report),
            });
        }
        let mut columns = self.columns;
        columns.iter_mut().for_each(Column::finish);
        let panel = Panel {
            study: self.study.clone(),
            respondents: self.respondents,
            clusters: self.clusters,
            respondent_cluster: self.respondent_cluster,
            respondent_role: self.respondent_role,
            obs_respondent: self.obs_respondent,
            obs_wave: self.obs_wave,
            columns,
        };
        Ok(Loaded { panel, report })
    }
}
