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
        }
        if !self.many {
            self.distinct.insert(v.to_string());
            self.many = self.distinct.len() > MAX_CODES;
        }
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

/// A TOML string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
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
    if let Some(format) = crate::load::sniff(&mut file).map_err(|e| read_error(e.to_string()))? {
        return Err(read_error(format!(
            "this is {format}, not CSV; cohort init reads CSV data files: export the data to CSV"
        )));
    }
    let mut input = std::io::BufReader::with_capacity(64 << 10, file);
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
        .filter(|&w| w != respondent)
        .ok_or_else(|| {
            key_error(
                "no wave column found (a long file has one row per respondent and wave); \
                 name it with --wave COLUMN"
                    .to_string(),
            )
        })?;
    let cluster = key(&header, &options.cluster, CLUSTER_NAMES)
        .map_err(&key_error)?
        .filter(|&c| c != respondent && c != wave);

    let name = path
        .file_stem()
        .map_or("study".into(), |s| s.to_string_lossy().into_owned());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Drafted by `cohort init` from {file_name}: every line marked CHECK is a guess.\n"
    );
    let _ = writeln!(s, "[study]\nname = {}\n", quoted(&name));
    let _ = writeln!(s, "[data]\npath = {}\nlayout = \"long\"", quoted(file_name));
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
    let _ = writeln!(
        s,
        "wave = {}  # CHECK: the wave column\n",
        quoted(&header[wave])
    );

    // The waves: numerically ordered when every label is a number.
    let labels: Vec<String> = seen[wave].distinct.iter().cloned().collect();
    if seen[wave].many {
        return Err(key_error(format!(
            "column \"{}\" has more than {MAX_CODES} values; is it the wave column? name it with --wave COLUMN",
            header[wave]
        )));
    }
    let mut ordered = labels.clone();
    if labels.iter().all(|l| l.parse::<f64>().is_ok()) {
        ordered.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse().unwrap_or(0.0))
        });
    }
    for (i, label) in ordered.iter().enumerate() {
        let _ = writeln!(
            s,
            "[[waves]]\nlabel = {}\nmonths = {i}  # CHECK: months since the first wave\n",
            quoted(label)
        );
    }

    let mut measures = Vec::new();
    for (i, c) in seen.iter().enumerate() {
        if i == wave {
            continue;
        }
        let _ = writeln!(s, "[[variables]]\nname = {}", quoted(&c.name));
        if i == respondent || Some(i) == cluster {
            let _ = writeln!(s, "type = \"id\"\n");
            continue;
        }
        if c.numeric() && c.floats == 0 {
            let (lo, hi) = c.int_range.unwrap_or((0, 0));
            if lo == 0 && hi == 1 {
                let _ = writeln!(s, "type = \"categorical\"\ncodes = {{ 0 = \"no\", 1 = \"yes\" }}  # CHECK: the labels\n");
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
