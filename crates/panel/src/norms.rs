//! Norms files: raw score to norm (T) score by scale, sex and age band.

use std::path::Path;

use crate::error::NormsError;
use crate::instruments::NormRow;

/// Reads a norms CSV with the header `scale,sex,age_min,age_max,raw,t`
/// (`sex` may be empty: both sexes). Errors name the file, line and field.
pub fn read_norms(path: &Path) -> Result<Vec<NormRow>, NormsError> {
    let read = |e: csv::Error| NormsError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(read)?;
    let want = ["scale", "sex", "age_min", "age_max", "raw", "t"];
    let header: Vec<String> = reader
        .headers()
        .map_err(read)?
        .iter()
        .map(String::from)
        .collect();
    if header != want {
        return Err(NormsError::Header {
            path: path.to_path_buf(),
            found: header.join(","),
            expected: want.join(","),
        });
    }
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(read)?;
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |i: usize, expected: &'static str| NormsError::Value {
            path: path.to_path_buf(),
            line,
            column: want[i].to_string(),
            value: rec[i].to_string(),
            expected,
        };
        let int = |i: usize| -> Result<i64, NormsError> {
            rec[i].parse().map_err(|_| bad(i, "a whole number"))
        };
        let t: f64 = rec[5].parse().map_err(|_| bad(5, "a number"))?;
        rows.push(NormRow {
            scale: rec[0].to_string(),
            sex: rec[1].to_string(),
            age: (int(2)?, int(3)?),
            raw: int(4)?,
            t,
        });
    }
    Ok(rows)
}
