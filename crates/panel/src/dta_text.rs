//! A Stata `.dta` file read as CSV text, so that it goes through the same
//! validation as a CSV file ([`crate::load`]): a header of the variable
//! names, then one record per observation.
//!
//! Numbers are written as Stata stores them: a whole-valued float or
//! double as an integer (`3`, not `3.0`), so that it matches an integer or
//! categorical variable's codes; system missing (`.`) as an empty field;
//! the extended missing values as `.a` to `.z`, which a study file can
//! declare as missing codes with their reasons. The `csv` crate quotes
//! fields where the delimiter, a quote or a line break needs it.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::record_reader::RecordReader;
use dta::stata::dta::value::Value;
use dta::stata::missing_value::MissingValue;

/// Records of a `.dta` file as CSV text (a [`Read`]).
pub(crate) struct DtaText {
    records: RecordReader<BufReader<File>>,
    delimiter: u8,
    /// Per variable: whether it holds Stata dates (`%td`: days since
    /// 1960-01-01), written as `YYYY-MM-DD`.
    dates: Vec<bool>,
    /// Text made and not yet read.
    pending: Vec<u8>,
    at: usize,
    done: bool,
    /// A record that could not be read, told after the ones before it.
    failed: Option<std::io::Error>,
}

/// Records written per refill of `pending`.
const ROWS_PER_FILL: usize = 256;

impl DtaText {
    /// Opens `path` and reads its header and variables; the error says
    /// what in the file could not be read.
    pub(crate) fn open(path: &Path, delimiter: u8) -> Result<DtaText, String> {
        let shown = |e: dta::stata::dta::dta_error::DtaError| e.to_string();
        let mut characteristics = DtaReader::new()
            .from_path(path)
            .map_err(shown)?
            .read_header()
            .map_err(shown)?
            .read_schema()
            .map_err(shown)?;
        characteristics.skip_to_end().map_err(shown)?;
        let records = characteristics.into_record_reader().map_err(shown)?;
        let dates = records
            .schema()
            .variables()
            .iter()
            .map(|v| v.format().starts_with("%td") || v.format().starts_with("%d"))
            .collect();
        let mut pending = Vec::new();
        let mut header = csv_text(&mut pending, delimiter);
        let names = records.schema().variables().iter().map(|v| v.name());
        header.write_record(names).map_err(|e| e.to_string())?;
        header.flush().map_err(|e| e.to_string())?;
        drop(header);
        Ok(DtaText {
            records,
            delimiter,
            dates,
            pending,
            at: 0,
            done: false,
            failed: None,
        })
    }

    /// Writes up to [`ROWS_PER_FILL`] more records into `pending`.
    fn fill(&mut self) -> std::io::Result<()> {
        let DtaText {
            records,
            delimiter,
            dates,
            pending,
            at,
            done,
            failed,
        } = self;
        pending.clear();
        *at = 0;
        let mut out = csv_text(pending, *delimiter);
        let mut field = Vec::new();
        for _ in 0..ROWS_PER_FILL {
            let record = match records.read_record() {
                Ok(Some(record)) => record,
                Ok(None) => {
                    *done = true;
                    break;
                }
                Err(e) => {
                    // The records before it are read first.
                    *failed = Some(std::io::Error::other(format!("the .dta file: {e}")));
                    *done = true;
                    break;
                }
            };
            for (value, &date) in record.values().iter().zip(dates.iter()) {
                field.clear();
                if date {
                    push_date(&mut field, value)?;
                } else {
                    push_value(&mut field, value)?;
                }
                out.write_field(&field).map_err(std::io::Error::other)?;
            }
            out.write_record(None::<&[u8]>)
                .map_err(std::io::Error::other)?;
        }
        out.flush()
    }
}

/// A CSV writer into `out`, quoting where the delimiter, a quote or a line
/// break needs it.
fn csv_text(out: &mut Vec<u8>, delimiter: u8) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_writer(out)
}

impl Read for DtaText {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.pending.len() {
            if self.done {
                return match self.failed.take() {
                    Some(e) => Err(e),
                    None => Ok(0),
                };
            }
            self.fill()?;
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// One value as the text of a CSV field (unquoted).
fn push_value(out: &mut Vec<u8>, value: &Value<'_>) -> std::io::Result<()> {
    use dta::stata::{
        stata_byte::StataByte, stata_double::StataDouble, stata_float::StataFloat,
        stata_int::StataInt, stata_long::StataLong,
    };
    match value {
        Value::Byte(StataByte::Present(v)) => push_integer(out, i64::from(*v)),
        Value::Int(StataInt::Present(v)) => push_integer(out, i64::from(*v)),
        Value::Long(StataLong::Present(v)) => push_integer(out, i64::from(*v)),
        Value::Float(StataFloat::Present(v)) => push_number(out, f64::from(*v)),
        Value::Double(StataDouble::Present(v)) => push_number(out, *v),
        Value::Byte(StataByte::Missing(m))
        | Value::Int(StataInt::Missing(m))
        | Value::Long(StataLong::Missing(m))
        | Value::Float(StataFloat::Missing(m))
        | Value::Double(StataDouble::Missing(m)) => push_missing(out, *m),
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        Value::LongStringRef(_) => {
            return Err(std::io::Error::other(
                "the .dta file has a long string (strL) variable; cohort reads numeric and str1-str2045 variables: recast it with `recast str2045` or drop it",
            ))
        }
    }
    Ok(())
}

/// A Stata date (days since 1960-01-01) as `YYYY-MM-DD`; a missing one as
/// [`push_value`] writes it.
fn push_date(out: &mut Vec<u8>, value: &Value<'_>) -> std::io::Result<()> {
    /// 1960-01-01 is 3,653 days after 1970-01-01 (10 years, 2 leap days).
    const STATA_EPOCH: f64 = -3653.0;
    use dta::stata::{
        stata_double::StataDouble, stata_float::StataFloat, stata_int::StataInt,
        stata_long::StataLong,
    };
    let days = match value {
        Value::Int(StataInt::Present(v)) => f64::from(*v),
        Value::Long(StataLong::Present(v)) => f64::from(*v),
        Value::Float(StataFloat::Present(v)) => f64::from(*v),
        Value::Double(StataDouble::Present(v)) => *v,
        other => return push_value(out, other),
    };
    let since_1970 = days + STATA_EPOCH;
    if since_1970.fract() == 0.0 && since_1970.abs() < 3.0e6 {
        let text =
            crate::value::format_date(since_1970 as i32, crate::study::DateFormat::YearMonthDay);
        out.extend_from_slice(text.as_bytes());
    } else {
        push_number(out, days);
    }
    Ok(())
}

fn push_integer(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(v.to_string().as_bytes());
}

/// A number: whole values as integers, others in the shortest form that
/// reads back to the same double.
fn push_number(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        push_integer(out, v as i64);
    } else {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

/// System missing as an empty field, `.a`-`.z` as they are written.
fn push_missing(out: &mut Vec<u8>, m: MissingValue) {
    if m != MissingValue::System {
        out.extend_from_slice(m.to_string().as_bytes());
    }
}
