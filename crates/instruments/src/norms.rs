//! Norms files: raw score to norm (T) score by scale, sex and age band.

use std::path::Path;

use crate::spec::NormRow;

/// Reads a norms CSV with the header `scale,sex,age_min,age_max,raw,t`
/// (`sex` may be empty: both sexes). Errors name the file, line and field.
pub fn read_norms(path: &Path) -> Result<Vec<NormRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| format!("cannot read norms file {}: {e}", path.display()))?;
    let want = ["scale", "sex", "age_min", "age_max", "raw", "t"];
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(String::from)
        .collect();
    if header != want {
        return Err(format!(
            "{} line 1: header is \"{}\"; expected \"{}\"",
            path.display(),
            header.join(","),
            want.join(",")
        ));
    }
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let int = |i: usize| -> Result<i64, String> {
            rec[i].parse().map_err(|_| {
                format!(
                    "{} line {line}, column {}: value \"{}\" is not a whole number",
                    path.display(),
                    want[i],
                    &rec[i]
                )
            })
        };
        let t: f64 = rec[5].parse().map_err(|_| {
            format!(
                "{} line {line}, column t: value \"{}\" is not a number",
                path.display(),
                &rec[5]
            )
        })?;
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
