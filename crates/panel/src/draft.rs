//! Drafting a study file from a long CSV data file (`cohort init`): the
//! columns' types and ranges from their values, the respondent, cluster
//! and wave columns from their names, the waves in order, and every
//! numeric column that is no key as a measure. Every guess is marked with
//! a comment to check; the draft passes `cohort check` on the file it
//! came from.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// Columns named so are taken for the key columns (compared in lower
/// case), in order of preference.
const RESPONDENT_NAMES: &[&str] = &[
    "respondent_id",
    "respondent",
    "rid",
    "subject",
    "id",
    "person",
    "patient",
    "child",
];
const CLUSTER_NAMES: &[&str] = &["family_id", "family", "fid", "cluster", "household"];
const WAVE_NAMES: &[&str] = &[
    "wave",
    "period",
    "visit",
    "occasion",
    "measurement",
    "meting",
    "time",
];

/// At most this many distinct text values make a column categorical.
const MAX_CODES: usize = 20;

/// The columns to take for keys; `None` guesses from the names.
#[derive(Debug, Clone, Default)]
pub struct DraftOptions {
    /// The respondent id column.
    pub respondent: Option<String>,
    /// The cluster (family) id column.
    pub cluster: Option<String>,
    /// The wave column.
    pub wave: Option<String>,
}

/// Why no study file could be drafted.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The file could not be read as CSV.
    #[error("{path}: {message}")]
    Read {
        /// The data file.
        path: String,
        /// What went wrong, with the line.
        message: String,
    },
    /// A key column is missing or cannot be guessed.
    #[error("{path}: {message}")]
    Key {
        /// The data file.
        path: String,
        /// Which key and what to do.
        message: String,
    },
}

/// What the values of one column look like.
#[derive(Debug, Clone, Default)]
struct ColumnSeen {
    name: String,
    /// Non-empty values.
    values: u64,
    ints: u64,
    floats: u64,
    /// Whole-number range.
    int_range: Option<(i64, i64)>,
    float_range: Option<(f64, f64)>,
    /// Values that are ISO dates (`2019-03-31`), and their range.
    dates: u64,
    date_range: Option<(String, String)>,
    /// Distinct values, until there are more than `MAX_CODES`.
    distinct: BTreeSet<String>,
    many: bool,
}

impl ColumnSeen {
    fn see(&mut self, v: &str) {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        self.values += 1;
        if let Ok(i) = v.parse::<i64>() {
            self.ints += 1;
            self.int_range = Some(match self.int_range {
                None => (i, i),
                Some((lo, hi)) => (lo.min(i), hi.max(i)),
            });
        } else if let Some(f) = v.parse::<f64>().ok().filter(|f| f.is_finite()) {
            self.floats += 1;
            self.float_range = Some(match self.float_range {
                None => (f, f),
                Some((lo, hi)) => (lo.min(f), hi.max(f)),
            });
        } else if crate::value::parse_date(v.as_bytes(), crate::study::DateFormat::YearMonthDay)
            .is_some()
        {
            self.dates += 1;
            self.date_range = Some(match self.date_range.take() {
                None => (v.to_string(), v.to_string()),
                Some((lo, hi)) => (lo.min(v.to_string()), hi.max(v.to_string())),
            });
        }
        if !self.many {
            self.distinct.insert(v.to_string());
            self.many = self.distinct.len() > MAX_CODES;
        }
    }

    /// The values of `other` seen as this column's too (the wave columns
    /// of one variable in a wide file).
    fn merge(&mut self, other: &ColumnSeen) {
        fn widen<T: PartialOrd + Clone>(a: Option<(T, T)>, b: Option<(T, T)>) -> Option<(T, T)> {
            match (a, b) {
                (Some((a, b)), Some((c, d))) => {
                    Some((if c < a { c } else { a }, if d > b { d } else { b }))
                }
                (x, None) | (None, x) => x,
            }
        }
        self.values += other.values;
        self.ints += other.ints;
        self.floats += other.floats;
        self.dates += other.dates;
        self.int_range = widen(self.int_range, other.int_range);
        self.float_range = widen(self.float_range, other.float_range);
        self.date_range = widen(self.date_range.take(), other.date_range.clone());
        self.distinct.extend(other.distinct.iter().cloned());
        self.many |= other.many || self.distinct.len() > MAX_CODES;
    }

    fn numeric(&self) -> bool {
        self.values > 0 && self.ints + self.floats == self.values
    }

    /// The whole range over integers and floats.
    fn range(&self) -> (f64, f64) {
        let i = self.int_range.map(|(a, b)| (a as f64, b as f64));
        match (i, self.float_range) {
            (Some((a, b)), Some((c, d))) => (a.min(c), b.max(d)),
            (Some(r), None) | (None, Some(r)) => r,
            (None, None) => (0.0, 0.0),
        }
    }
}

/// Finds the key column: the one named by the option, else the first
/// header that matches a usual name.
fn key(header: &[String], given: &Option<String>, names: &[&str]) -> Result<Option<usize>, String> {
    match given {
        Some(g) => header.iter().position(|h| h == g).map(Some).ok_or_else(|| {
            format!(
                "column \"{g}\" is not in the header ({})",
                header.join(", ")
            )
        }),
        None => Ok(names
            .iter()
            .find_map(|n| header.iter().position(|h| h.to_lowercase() == *n))),
    }
}

/// A TOML basic string on one line (a value may hold line breaks, which a
/// multi-line string could not put in an inline table's key).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Drafts a study file (TOML text) for the long CSV file at `path`, which
/// the study file names by `file_name` (relative to where it is written).
pub fn draft_study(
    path: &Path,
    file_name: &str,
    options: &DraftOptions,
) -> Result<String, DraftError> {
    let shown = path.display().to_string();
    let read_error = |message: String| DraftError::Read {
        path: shown.clone(),
        message,
    };
    // Streamed: what is kept per column is bounded, whatever the file's
    // size. The delimiter is the one the header's first 64 KiB use most.
    let mut file = std::fs::File::open(path).map_err(|e| read_error(e.to_string()))?;
    let source: Box<dyn std::io::Read> =
        match crate::load::sniff(&mut file).map_err(|e| read_error(e.to_string()))? {
            None => Box::new(file),
            Some(crate::load::STATA) => Box::new(
                crate::dta_text::DtaText::open(path, b',')
                    .map_err(|e| read_error(format!("cannot read this Stata data file: {e}")))?,
            ),
            Some(format) => {
                return Err(read_error(format!(
                    "this is {format}, not CSV or Stata .dta; cohort init reads CSV and .dta data files: export the data to CSV"
                )))
            }
        };
    let mut input = std::io::BufReader::with_capacity(64 << 10, source);
    let start = std::io::BufRead::fill_buf(&mut input).map_err(|e| read_error(e.to_string()))?;
    let first_line = start.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.iter().filter(|&&b| b == b';').count()
        > first_line.iter().filter(|&&b| b == b',').count()
    {
        b';'
    } else {
        b','
    };
    // One line ending, and no record longer than the loader allows.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(crate::line_ends::LineEnds::new(input, delimiter));
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| read_error(format!("the header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut seen: Vec<ColumnSeen> = header
        .iter()
        .map(|h| ColumnSeen {
            name: h.clone(),
            ..ColumnSeen::default()
        })
        .collect();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| read_error(format!("line {}: {e}", i + 2)))?;
        for (c, v) in seen.iter_mut().zip(record.iter()) {
            c.see(v);
        }
    }
    let key_error = |message: String| DraftError::Key {
        path: shown.clone(),
        message,
    };
    let respondent = key(&header, &options.respondent, RESPONDENT_NAMES)
        .map_err(&key_error)?
        .ok_or_else(|| {
            key_error(format!(
                "no respondent id column found among {}; name it with --respondent COLUMN",
                header.join(", ")
            ))
        })?;
    let wave = key(&header, &options.wave, WAVE_NAMES)
        .map_err(&key_error)?
        .filter(|&w| w != respondent);
    let cluster = key(&header, &options.cluster, CLUSTER_NAMES)
        .map_err(&key_error)?
        .filter(|&c| c != respondent && Some(c) != wave);
    let keys = |i: usize| i == respondent || Some(i) == cluster;
    // Without a wave column: a wide file, its columns named VARIABLE_WAVE.
    let wide = match wave {
        Some(_) => None,
        None => Some(wide_layout(&header, &keys).ok_or_else(|| {
            key_error(
                "no wave column found, and no columns named VARIABLE_WAVE for a wide file; \
                 name the wave column with --wave COLUMN"
                    .to_string(),
            )
        })?),
    };
    let labels: Vec<String> = match (&wide, wave) {
        (Some(w), _) => w.waves.clone(),
        (None, Some(wave)) => {
            if seen[wave].many {
                return Err(key_error(format!(
                    "column \"{}\" has more than {MAX_CODES} values; is it the wave column? \
                     name it with --wave COLUMN",
                    header[wave]
                )));
            }
            seen[wave].distinct.iter().cloned().collect()
        }
        (None, None) => Vec::new(),
    };

    let name = path
        .file_stem()
        .map_or("study".into(), |s| s.to_string_lossy().into_owned());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Drafted by `cohort init` from {file_name}: every line marked CHECK is a guess.\n"
    );
    let _ = writeln!(s, "[study]\nname = {}\n", quoted(&name));
    let _ = writeln!(
        s,
        "[data]\npath = {}\nlayout = \"{}\"",
        quoted(file_name),
        if wide.is_some() { "wide" } else { "long" }
    );
    if wide.is_some() {
        let _ = writeln!(
            s,
            "pattern = \"{{var}}_{{wave}}\"  # CHECK: how the wave columns are named"
        );
    }
    if delimiter == b';' {
        let _ = writeln!(s, "delimiter = \";\"");
    }
    let _ = writeln!(
        s,
        "respondent = {}  # CHECK: the respondent id",
        quoted(&header[respondent])
    );
    if let Some(c) = cluster {
        let _ = writeln!(
            s,
            "cluster = {}  # CHECK: the family (cluster) id",
            quoted(&header[c])
        );
    }
    if let Some(w) = wave {
        let _ = writeln!(s, "wave = {}  # CHECK: the wave column", quoted(&header[w]));
    }
    s.push('\n');

    // The waves in order: by their number, or the number they end in.
    let mut ordered = labels;
    ordered.sort_by(|a, b| {
        order_key(a)
            .partial_cmp(&order_key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (i, label) in ordered.iter().enumerate() {
        let _ = writeln!(
            s,
            "[[waves]]\nlabel = {}\nmonths = {i}  # CHECK: months since the first wave\n",
            quoted(label)
        );
    }

    // The variables: each column of a long file; in a wide file, the
    // columns without a wave (time-invariant), and each variable over its
    // wave columns where its first one stands.
    let mut variables: Vec<(usize, ColumnSeen, bool)> = Vec::new();
    // Per column: the time-varying variable it belongs to (one look-up a
    // column, not a search of every variable's columns).
    let mut owner: Vec<Option<usize>> = vec![None; header.len()];
    for (v, (_, cols)) in wide.iter().flat_map(|w| w.varying.iter()).enumerate() {
        for &c in cols {
            owner[c] = Some(v);
        }
    }
    for (i, c) in seen.iter().enumerate() {
        if Some(i) == wave {
            continue;
        }
        let Some(w) = &wide else {
            variables.push((i, c.clone(), false));
            continue;
        };
        match owner[i].map(|v| &w.varying[v]) {
            Some((base, cols)) if cols.iter().min() == Some(&i) => {
                let mut merged = ColumnSeen {
                    name: base.clone(),
                    ..ColumnSeen::default()
                };
                for &col in cols {
                    merged.merge(&seen[col]);
                }
                variables.push((i, merged, false));
            }
            Some(_) => {}
            None => variables.push((i, c.clone(), !keys(i))),
        }
    }
    let mut measures = Vec::new();
    for (i, c, invariant) in &variables {
        let _ = writeln!(s, "[[variables]]\nname = {}", quoted(&c.name));
        if keys(*i) {
            let _ = writeln!(s, "type = \"id\"\n");
            continue;
        }
        if *invariant {
            let _ = writeln!(
                s,
                "time_invariant = true  # CHECK: one value per respondent"
            );
        }
        if c.numeric() && c.floats == 0 {
            let (lo, hi) = c.int_range.unwrap_or((0, 0));
            if lo == 0 && hi == 1 {
                let _ = writeln!(
                    s,
                    "type = \"categorical\"\ncodes = {{ 0 = \"no\", 1 = \"yes\" }}  # CHECK: the labels\n"
                );
            } else {
                let _ = writeln!(
                    s,
                    "type = \"integer\"\nrange = [{lo}, {hi}]  # CHECK: the values seen\n"
                );
            }
            measures.push(c.name.clone());
        } else if c.numeric() {
            let (lo, hi) = c.range();
            let _ = writeln!(
                s,
                "type = \"float\"\nrange = [{lo:?}, {hi:?}]  # CHECK: the values seen\n"
            );
            measures.push(c.name.clone());
        } else if c.values > 0 && c.dates == c.values {
            let (lo, hi) = c.date_range.clone().unwrap_or_default();
            let _ = writeln!(
                s,
                "type = \"date\"\nrange = [{}, {}]  # CHECK: the dates seen\n",
                quoted(&lo),
                quoted(&hi)
            );
        } else if !c.many && c.values > 0 {
            let codes: Vec<String> = c
                .distinct
                .iter()
                .map(|v| format!("{} = {}", quoted(v), quoted(v)))
                .collect();
            let _ = writeln!(
                s,
                "type = \"categorical\"\ncodes = {{ {} }}  # CHECK: the labels\n",
                codes.join(", ")
            );
        } else {
            let _ = writeln!(s, "type = \"id\"  # CHECK: free text or many values\n");
        }
    }
    for m in measures {
        let _ = writeln!(
            s,
            "[[measures]]  # CHECK: an outcome to analyse?\nvariable = {}\n",
            quoted(&m)
        );
    }
    Ok(s)
}

/// Where a wave label sorts: by its number, or by the number it ends in
/// (T0, T1, T2), else after those in text order.
fn order_key(label: &str) -> (u8, f64, String) {
    if let Ok(v) = label.parse::<f64>() {
        return (0, v, String::new());
    }
    let stem = label.trim_end_matches(|c: char| c.is_ascii_digit());
    match label[stem.len()..].parse::<f64>() {
        Ok(v) => (1, v, stem.to_string()),
        Err(_) => (2, 0.0, label.to_string()),
    }
}

/// A wide file's waves and time-varying variables.
struct Wide {
    /// The wave labels (column suffixes).
    waves: Vec<String>,
    /// Each time-varying variable with its columns, one per wave.
    varying: Vec<(String, Vec<usize>)>,
}

/// Columns named `VARIABLE_WAVE` (the key columns aside): the suffixes
/// that at least two variables share are the waves, and a variable with a
/// column for every wave varies over them; `None` with fewer than two.
fn wide_layout(header: &[String], keys: &dyn Fn(usize) -> bool) -> Option<Wide> {
    let mut bases: std::collections::BTreeMap<&str, Vec<(&str, usize)>> = Default::default();
    for (i, h) in header.iter().enumerate().filter(|(i, _)| !keys(*i)) {
        if let Some((base, wave)) = h
            .rsplit_once('_')
            .filter(|(b, w)| !b.is_empty() && !w.is_empty())
        {
            bases.entry(base).or_default().push((wave, i));
        }
    }
    let mut shared: std::collections::BTreeMap<&str, usize> = Default::default();
    for cols in bases.values().filter(|c| c.len() >= 2) {
        for (w, _) in cols {
            *shared.entry(w).or_default() += 1;
        }
    }
    let waves: Vec<String> = shared
        .iter()
        .filter(|(_, &n)| n >= 2)
        .map(|(w, _)| w.to_string())
        .collect();
    if waves.len() < 2 {
        return None;
    }
    let varying = bases
        .iter()
        .filter_map(|(base, cols)| {
            let at: Option<Vec<usize>> = waves
                .iter()
                .map(|w| cols.iter().find(|(cw, _)| cw == w).map(|(_, i)| *i))
                .collect();
            at.map(|at| (base.to_string(), at))
        })
        .collect();
    Some(Wide { waves, varying })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn draft_bytes(bytes: &[u8]) -> Result<String, DraftError> {
        let dir = std::env::temp_dir().join(format!("cohort-draft-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{:x}.csv",
            bytes.len() ^ bytes.iter().map(|&b| b as usize).sum::<usize>()
        ));
        std::fs::write(&path, bytes).unwrap();
        let out = draft_study(&path, "data.csv", &DraftOptions::default());
        std::fs::remove_file(&path).ok();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any bytes give a draft or an error, never a panic; a draft
        /// parses as TOML.
        #[test]
        fn any_file_gives_a_draft_or_an_error(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-z0-9_.;\"-]{0,6}", 1..5), 0..8),
            noise in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut text = String::from("id,wave,x_T0,x_T1\n");
            for r in &rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            if let Ok(draft) = draft_bytes(text.as_bytes()) {
                prop_assert!(draft.parse::<toml::Table>().is_ok(), "{draft}");
            }
            let _ = draft_bytes(&noise);
        }
    }

    #[test]
    fn strings_stay_on_one_line() {
        // The case the property test found: a quoted field over two lines.
        let q = quoted("0\na\"b\\c\u{1}");
        assert_eq!(q, r#""0\na\"b\\c\u0001""#);
        let t: toml::Table = format!("x = {{ {q} = {q} }}").parse().unwrap();
        assert_eq!(t["x"]["0\na\"b\\c\u{1}"].as_str(), Some("0\na\"b\\c\u{1}"));
    }

    #[test]
    fn wave_labels_order_by_their_numbers() {
        let mut w = vec!["T10", "T2", "T0", "10", "2"];
        w.sort_by(|a, b| order_key(a).partial_cmp(&order_key(b)).unwrap());
        assert_eq!(w, ["2", "10", "T0", "T2", "T10"]);
    }
}
