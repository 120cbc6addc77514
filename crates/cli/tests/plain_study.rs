//! A plain repeated-measures study (`fixtures/epilepsy`): no cluster, no
//! role, one outcome column declared as a `[[measures]]` entry, no
//! instrument.

use crate::{assert_ok, cohort, cohort_json};

/// The seizure counts of one period, read from the CSV here (the columns
/// are `"subject","period","y",...`).
fn counts_of_period(period: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(
        cohort_testkit::workspace_root().join("fixtures/epilepsy/epil.csv"),
    )
    .unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == period).then(|| f[2].parse::<f64>().unwrap())
        })
        .collect()
}

#[test]
fn a_study_without_clusters_roles_or_instruments_is_described() {
    assert_ok(&cohort(&["check", "fixtures/epilepsy/study.toml"]));
    let rows = cohort_json(&[
        "describe",
        "fixtures/epilepsy/study.toml",
        "--json",
        "--bootstrap",
        "0",
    ]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4, "the declared measure y at four periods");
    for (period, row) in ["1", "2", "3", "4"].iter().zip(rows) {
        assert_eq!(row["measure"], "y");
        assert_eq!(row["wave"], *period);
        let y = counts_of_period(period);
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        assert_eq!(row["descriptives"]["n"], y.len());
        let got = row["descriptives"]["mean"].as_f64().unwrap();
        assert!(
            (got - mean).abs() < 1e-12,
            "period {period}: {got} vs {mean}"
        );
    }
}

#[test]
fn change_of_a_plain_measure_is_the_paired_difference() {
    let rows = cohort_json(&[
        "change",
        "fixtures/epilepsy/study.toml",
        "--from",
        "1",
        "--to",
        "4",
        "--json",
        "--bootstrap",
        "0",
    ]);
    let row = &rows.as_array().unwrap()[0];
    // Every subject has both periods, in the same order in the file.
    let (a, b) = (counts_of_period("1"), counts_of_period("4"));
    let diff = b.iter().sum::<f64>() / b.len() as f64 - a.iter().sum::<f64>() / a.len() as f64;
    assert_eq!(row["n_pairs"], 59);
    let got = row["mean_diff"].as_f64().unwrap();
    assert!((got - diff).abs() < 1e-12, "{got} vs {diff}");
}

#[test]
fn a_declared_variable_named_by_measure_becomes_a_measure() {
    // lbase is a declared float, not in [[measures]]: named, it is one.
    let rows = cohort_json(&[
        "describe",
        "fixtures/epilepsy/study.toml",
        "--json",
        "--bootstrap",
        "0",
        "--measure",
        "lbase",
    ]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["measure"] == "lbase"));
    // A grouping variable is not a measure; a typo gets the nearest name.
    let out = cohort(&[
        "describe",
        "fixtures/epilepsy/study.toml",
        "--measure",
        "trt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("grouping variable"), "{err}");
    let out = cohort(&[
        "describe",
        "fixtures/epilepsy/study.toml",
        "--measure",
        "lbse",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `lbase`?"), "{err}");
}

#[test]
fn the_report_of_a_plain_study_speaks_of_that_study() {
    let dir = std::env::temp_dir().join(format!("cohort-plain-report-{}", std::process::id()));
    let out = dir.join("report");
    assert_ok(&cohort(&[
        "report",
        "fixtures/epilepsy/study.toml",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
    ]));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for text in [&md, &html] {
        // (The SVGs' `font-family` attributes are markup, not words.)
        let lower = text.to_lowercase().replace("font-family", "");
        // Nothing of the VJI cohort's instruments, units or recall periods.
        for word in [
            "family",
            "families",
            "trauma",
            "incident",
            "violence",
            "12 months",
            "children",
        ] {
            assert!(!lower.contains(word), "\"{word}\" in a report without it");
        }
        assert!(
            text.contains("Seizures in two weeks"),
            "the measure's label"
        );
        assert!(text.contains("Progabide trial"), "the study's description");
    }
    // Only the sections the study has content for, in a table of contents.
    let sections: Vec<&str> = md.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(
        sections,
        [
            "Contents",
            "Data and response",
            "Estimates at each wave",
            "Change between waves",
            "Methods"
        ]
    );
    assert!(md.contains("1. [Data and response](#data)"));
    // Figures numbered in order, each with a caption naming its units and
    // a text alternative; the means figure shows the outcome.
    let figures = html.matches("<figure id=\"figure-").count();
    assert!(figures >= 3, "{figures} figures");
    for k in 1..=figures {
        assert!(html.contains(&format!("<b>Figure {k}.</b>")), "figure {k}");
    }
    assert_eq!(html.matches("role=\"img\" aria-label=\"").count(), figures);
    assert!(html.contains("Seizures in two weeks: mean per wave; n = 59 respondents."));
    assert!(html.contains("<h3 id=\"table-1\">Table 1. "));
    // No empty table: the study has no trajectories and nothing withheld.
    assert!(!md.contains("Trajectories"));
    assert!(md.contains("none was withheld"));
    std::fs::remove_dir_all(&dir).ok();
}
