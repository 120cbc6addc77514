//! Golden comparison: the expected values of an analysis, field by field
//! with a tolerance each, and the mismatch lines `cohort verify` prints.
//! Shared by `cohort verify` and the analyses that write expected files.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{json, Map, Value};

/// The analyses `cohort verify` can rerun: each a binary of that name,
/// built beside `cohort`, that takes `STUDY --json --bootstrap N --seed S`
/// and prints its published document on standard output.
pub const ANALYSES: [&str; 4] = [
    "vji-findings",
    "vji-effectiveness",
    "vji-trauma",
    "vji-attrition",
];

/// Every number of a JSON document by path (`a.b.0`), nulls as `None`;
/// strings, booleans and the `provenance` subtree are left out.
pub fn flatten_json(v: &Value) -> BTreeMap<String, Option<f64>> {
    fn walk(v: &Value, path: &str, out: &mut BTreeMap<String, Option<f64>>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Number(n) => {
                out.insert(path.to_string(), n.as_f64());
            }
            Value::Null => {
                out.insert(path.to_string(), None);
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, &join(&i.to_string()), out)),
            Value::Object(m) => {
                for (k, x) in m {
                    if k != "provenance" {
                        walk(x, &join(k), out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(v, "", &mut out);
    out
}

/// An expected file: every number of `doc` with a tolerance of 1e-9 of
/// its size (the computation is deterministic), and how to rerun it.
pub fn expected_file(analysis: &str, doc: &Value, replicates: usize, seed: u64) -> Value {
    let values: Map<String, Value> = flatten_json(doc)
        .into_iter()
        .map(|(k, v)| {
            let tol = v.map_or(0.0, |x| 1e-9 * x.abs().max(1.0));
            (k, json!({"expected": v, "tolerance": tol}))
        })
        .collect();
    json!({
        "analysis": analysis,
        "study": "study.toml",
        "bootstrap": {"replicates": replicates, "seed": seed},
        "values": values,
    })
}

/// One number that does not match.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The fixture (folder name).
    pub fixture: String,
    /// The field path.
    pub field: String,
    /// The expected value (null as `None`).
    pub expected: Option<f64>,
    /// The value got (absent or null as `None`).
    pub got: Option<f64>,
    /// The tolerance.
    pub tolerance: f64,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: Option<f64>| v.map_or("null".to_string(), |v| format!("{v}"));
        write!(
            f,
            "MISMATCH {} {}: expected {}, got {}, tolerance {}",
            self.fixture,
            self.field,
            show(self.expected),
            show(self.got),
            self.tolerance
        )
    }
}

/// Why an expected file cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadExpected(pub String);

impl fmt::Display for BadExpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadExpected {}

/// Compares a document with the `values` of an expected file: the number
/// of values checked and every mismatch.
pub fn compare(
    fixture: &str,
    expected: &Value,
    got: &Value,
) -> Result<(usize, Vec<Mismatch>), BadExpected> {
    let values = expected["values"]
        .as_object()
        .ok_or_else(|| BadExpected("no `values` object".into()))?;
    let got = flatten_json(got);
    let mut mismatches = Vec::new();
    for (field, e) in values {
        let expected = e["expected"].as_f64();
        let tolerance = e["tolerance"].as_f64().unwrap_or(0.0);
        let g = got.get(field).copied().flatten();
        let ok = match (expected, g) {
            (Some(x), Some(y)) => (x - y).abs() <= tolerance,
            (None, None) => true,
            _ => false,
        };
        if !ok {
            mismatches.push(Mismatch {
                fixture: fixture.to_string(),
                field: field.clone(),
                expected,
                got: g,
                tolerance,
            });
        }
    }
    Ok((values.len(), mismatches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_off_by_more_than_its_tolerance_is_a_mismatch() {
        let doc = json!({"a": {"b": [1.0, null]}, "provenance": {"x": 3}, "s": "text"});
        let exp = expected_file("x", &doc, 10, 1);
        // Two values (a.b.0 and a.b.1); provenance and strings left out.
        assert_eq!(exp["values"].as_object().unwrap().len(), 2);
        let (n, m) = compare("f", &exp, &doc).unwrap();
        assert_eq!((n, m.len()), (2, 0));
        let off = json!({"a": {"b": [1.0 + 2e-9, 0.5]}});
        let (_, m) = compare("f", &exp, &off).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0].to_string(),
            "MISMATCH f a.b.0: expected 1, got 1.000000002, tolerance 0.000000001"
        );
        assert_eq!(m[1].got, Some(0.5));
    }
}
