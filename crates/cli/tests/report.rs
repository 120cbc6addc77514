//! `cohort report` and `cohort plot --results`.

use crate::{assert_ok, cohort};
use cohort_testkit::fixture;

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cohort-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

#[test]
fn report_is_self_contained_protected_and_redrawable() {
    let out = temp("report");
    let o = cohort(&[
        "report",
        "fixtures/vji/study.toml",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "100",
    ]);
    assert_ok(&o);
    for f in [
        "report.html",
        "report.md",
        "results.json",
        "tables/estimates.csv",
        "tables/change.csv",
        "tables/suppressions.csv",
        "figures/prevalence_families.svg",
        "figures/prevalence_families.png",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("<style>"));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    for section in [
        "Data and response",
        "Prevalence and frequency at each wave",
        "Change between waves",
        "Scales: Trauma symptom checklist",
        "Methods",
    ] {
        assert!(html.contains(section), "missing section {section}");
    }
    // Provenance: the data file's SHA-256 (fixtures/vji/README.md).
    assert!(html.contains("b8332f182cff76e2e66dc3c4efc8cb88f99272f167342cd0bd4b242ad9531e99"));
    // No published count below min_cell (10): every count cell of the count
    // tables is at least 10, or a zero (zeros identify nobody and are
    // shown), or empty with the rule in the row's `suppressed` column.
    for table in ["response", "patterns"] {
        let (header, rows) = read_csv(&out.join(format!("tables/{table}.csv")));
        assert_eq!(header.last().map(String::as_str), Some("suppressed"));
        for row in rows {
            let (cells, suppressed) = (&row[1..row.len() - 1], &row[row.len() - 1]);
            for cell in cells {
                let ok = (cell.is_empty() && !suppressed.is_empty())
                    || cell.parse::<u64>().is_ok_and(|n| n == 0 || n >= 10);
                assert!(ok, "{table}: cell {cell} ({suppressed})");
            }
        }
    }
    // At each wave every family is present, missed the wave, dropped out or
    // not yet entered: the attrition column adds up to the cohort (1,100
    // families: fixtures/vji/README.md), which the patterns total gives.
    let (_, attrition) = read_csv(&out.join("tables/attrition.csv"));
    let (_, patterns) = read_csv(&out.join("tables/patterns.csv"));
    let total: u64 = patterns[0][patterns[0].len() - 2].parse().unwrap();
    assert_eq!(total, 1100);
    for wave in 1..=3 {
        let sum: u64 = attrition
            .iter()
            .filter(|r| r[0] != "of which returned")
            .map(|r| r[wave].parse::<u64>().unwrap())
            .sum();
        assert_eq!(sum, total, "wave column {wave}");
    }
    // Estimates: n below 10 never has a value; a withheld value says why.
    let (header, rows) = read_csv(&out.join("tables/estimates.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (n, value, suppressed) = (col("n"), col("value"), col("suppressed"));
    for row in &rows {
        // The n of a suppressed value is suppressed with it.
        if row[n].parse::<u64>().map_or(true, |n| n < 10) {
            assert_eq!(row[value], "", "{row:?}");
            assert!(!row[suppressed].is_empty(), "{row:?}");
        }
    }
    every_table_is_tidy(&out.join("tables"));
    // And `cohort audit` finds nothing a reader could recover.
    let a = cohort(&["audit", out.to_str().unwrap()]);
    assert_ok(&a);
    // The figures redraw from results.json alone.
    let again = temp("plot");
    let o = cohort(&[
        "plot",
        "--results",
        out.join("results.json").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--lang",
        "nl",
    ]);
    assert_ok(&o);
    let svg = std::fs::read_to_string(again.join("figures/prevalence_families.svg")).unwrap();
    assert!(svg.contains("Gezinnen met geweld"));
    std::fs::remove_dir_all(&out).ok();
    std::fs::remove_dir_all(&again).ok();
}

#[test]
fn study_text_is_escaped_in_the_html() {
    let dir = temp("escape");
    std::fs::create_dir_all(&dir).unwrap();
    let study = std::fs::read_to_string(fixture("small/study.toml"))
        .unwrap()
        .replace(
            "name = \"small\"",
            "name = \"<script>alert(1)</script> & co\"",
        );
    std::fs::write(dir.join("study.toml"), study).unwrap();
    std::fs::copy(fixture("small/panel_long.csv"), dir.join("panel_long.csv")).unwrap();
    let out = dir.join("out");
    let o = cohort(&[
        "report",
        dir.join("study.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "20",
    ]);
    assert_ok(&o);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(!html.contains("<script>"));
    // fixtures/small has 12 families: many cells fall below min_cell and
    // are listed as suppressed.
    let supp = std::fs::read_to_string(out.join("tables/suppressions.csv")).unwrap();
    assert!(supp.lines().count() > 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn plot_refuses_a_file_that_is_not_results() {
    let o = cohort(&[
        "plot",
        "--results",
        "fixtures/vji/study.toml",
        "--out",
        "/tmp",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn report_by_group_and_log_axis() {
    let out = temp("report-by");
    let o = cohort(&[
        "report",
        "fixtures/vji/study.toml",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
        "--by",
        "poverty",
        "--log-y",
    ]);
    assert_ok(&o);
    assert!(out.join("figures/prevalence_by_group.svg").is_file());
    let by = std::fs::read_to_string(out.join("tables/estimates_by_group.csv")).unwrap();
    // The tidy table holds the code; the report shows the value label.
    assert!(by.contains("family_any_violence,1,T0"), "{by}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("| Household income below the poverty line: yes | T0 |"),
        "the group by its labels"
    );
    let o = cohort(&[
        "report",
        "fixtures/vji/study.toml",
        "--out",
        out.to_str().unwrap(),
        "--by",
        "age",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("only categorical variables group"));
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn the_method_record_says_how_each_result_was_computed() {
    let read = |boot: &str| {
        let out = temp(&format!("methods-{boot}"));
        let o = cohort(&[
            "report",
            "fixtures/small/study.toml",
            "--out",
            out.to_str().unwrap(),
            "--bootstrap",
            boot,
        ]);
        assert_ok(&o);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
                .unwrap();
        std::fs::remove_dir_all(&out).ok();
        v["methods"].clone()
    };
    let with = read("50");
    assert!(with["estimates"]
        .as_str()
        .unwrap()
        .contains("cluster bootstrap percentile 95% interval (50 replicates)"));
    assert!(with["bootstrap"]
        .as_str()
        .unwrap()
        .contains("seed 20201112"));
    let without = read("0");
    assert!(without["estimates"]
        .as_str()
        .unwrap()
        .contains("t 95% interval"));
    assert!(without["bootstrap"].is_null());
}

#[test]
fn min_cell_below_five_needs_the_unsafe_flag_and_says_so_on_every_page() {
    let dir = temp("unsafe");
    std::fs::create_dir_all(&dir).unwrap();
    let study = std::fs::read_to_string(fixture("small/study.toml"))
        .unwrap()
        .replace("min_cell = 10", "min_cell = 3")
        .replace(
            "panel_long.csv",
            &fixture("small/panel_long.csv").display().to_string(),
        );
    let path = dir.join("study.toml");
    std::fs::write(&path, study).unwrap();
    let out = dir.join("report");
    let args = [
        "report",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
    ];
    let o = cohort(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--unsafe-small-cells"));
    assert!(!out.exists());
    let mut with = args.to_vec();
    with.push("--unsafe-small-cells");
    let o = cohort(&with);
    assert_ok(&o);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    // Every section (each has an anchor; the contents have none) says
    // it, and so does every figure.
    assert_eq!(
        md.matches("NOT FOR PUBLICATION").count(),
        md.matches("<a id=\"").count()
    );
    assert!(md.matches("<a id=\"").count() >= 4);
    let svg = std::fs::read_to_string(out.join("figures/response.svg")).unwrap();
    assert!(svg.contains("NOT FOR PUBLICATION"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn internal_results_are_written_only_under_a_name_that_says_so() {
    let dir = temp("internal");
    let out = dir.join("report");
    let run = |internal: &std::path::Path| {
        cohort(&[
            "report",
            "fixtures/small/study.toml",
            "--out",
            out.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--internal",
            internal.to_str().unwrap(),
        ])
    };
    std::fs::create_dir_all(&dir).unwrap();
    assert_eq!(run(&dir.join("results-full.json")).status.code(), Some(2));
    let file = dir.join("results.internal.json");
    let o = run(&file);
    assert_ok(&o);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(v["disclosure"].as_str().unwrap().starts_with("not checked"));
    // The unprotected n of every estimate is there, small ones included.
    assert!(v["results"]["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["n"].as_u64().is_some_and(|n| n > 0 && n < 10)));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn declared_models_are_reported_as_cohort_model_fits_them_and_gated() {
    // fixtures/vji/study.toml declares seven models ([[models]]): the
    // report's values are those of cohort model / cohort gee.
    let out = temp("models");
    assert_ok(&cohort(&[
        "report",
        "fixtures/vji/study.toml",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
    ]));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let models = results["models"].as_array().unwrap();
    assert_eq!(models.len(), 7);
    let analyst = [
        crate::cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "--json",
        ]),
        crate::cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            "family_incidents ~ factor(wave)",
            "--family",
            "negbin",
            "--cluster-se",
            "cr2",
            "--json",
        ]),
        crate::cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "--family",
            "poisson",
            "--json",
        ]),
        crate::cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "--family",
            "negbin",
            "--json",
        ]),
        crate::cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            "family_severe_or_frequent ~ factor(wave) + (1 | family_id)",
            "--family",
            "binomial",
            "--json",
        ]),
        crate::cohort_json(&[
            "gee",
            "fixtures/vji/study.toml",
            "--formula",
            "family_any_violence ~ factor(wave)",
            "--family",
            "binomial",
            "--id",
            "family_id",
            "--corstr",
            "exchangeable",
            "--json",
        ]),
    ];
    for (published, fit) in models.iter().zip(&analyst) {
        let terms = published["terms"].as_array().unwrap();
        let coefficients = fit["coefficients"].as_array().unwrap();
        assert_eq!(terms.len(), coefficients.len(), "{}", published["name"]);
        for (t, c) in terms.iter().zip(coefficients) {
            assert_eq!(t["term"], c["term"]);
            assert_eq!(t["estimate"], c["estimate"]);
            let se = if c["se"].is_null() {
                &c["se_robust"]
            } else {
                &c["se"]
            };
            assert_eq!(&t["se"], se, "{}", t["term"]);
        }
        assert_eq!(published["nobs"], fit["nobs"]);
        assert_eq!(published["theta"], fit["theta"], "{}", published["name"]);
    }
    assert_eq!(models[0]["units"], 1090);
    assert_eq!(models[0]["units_label"], "family_id");
    // Satterthwaite's type III tests of the mixed models are published.
    assert_eq!(models[0]["tests"][0]["term"], "factor(wave)");
    assert_eq!(models[6]["variances"].as_array().unwrap().len(), 3);
    // The negative binomial models publish theta.
    assert!(models[1]["theta"].is_f64() && models[3]["theta"].is_f64());
    assert!(models[0]["theta"].is_null() && models[2]["theta"].is_null());
    // No published note quotes a count (the deviance note of the negative
    // binomial stays with the analyst).
    for m in models {
        for n in m["notes"].as_array().unwrap() {
            assert!(
                !n.as_str().unwrap().chars().any(|c| c.is_ascii_digit()),
                "{n}"
            );
        }
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Models") && md.contains("family incidents, negative binomial"));

    // Eight families: fewer than min_cell units, no model number published.
    let small = temp("models-small");
    assert_ok(&cohort(&[
        "synth",
        "--preset",
        "vji",
        "--families",
        "8",
        "--seed",
        "5",
        "--out",
        small.join("data").to_str().unwrap(),
    ]));
    assert_ok(&cohort(&[
        "report",
        small.join("data/study.toml").to_str().unwrap(),
        "--out",
        small.join("report").to_str().unwrap(),
        "--bootstrap",
        "0",
    ]));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(small.join("report/results.json")).unwrap())
            .unwrap();
    for m in results["models"].as_array().unwrap() {
        assert!(m["terms"].as_array().unwrap().is_empty(), "{m}");
        assert!(m["units"].is_null() && m["nobs"].is_null() && m["theta"].is_null());
    }
    let logged = results["suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["table"] == "models")
        .count();
    assert_eq!(logged, 7);
    std::fs::remove_dir_all(out).ok();
    std::fs::remove_dir_all(small).ok();
}

/// The header and rows of a CSV file.
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Every table under `tables/` is data: a named first column, no display
/// formatting anywhere ("82.7%", "[0.1, 0.2]", "< 0.001", "<10", "·"),
/// every column that holds numbers numbers only, and a `suppressed`
/// column last.
fn every_table_is_tidy(dir: &std::path::Path) {
    let mut n_tables = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let (header, rows) = read_csv(&path);
        let name = path.display().to_string();
        n_tables += 1;
        assert!(
            header.iter().all(|h| !h.is_empty() && !h.contains(' ')),
            "{name}: {header:?}"
        );
        assert_eq!(
            header.last().map(String::as_str),
            Some("suppressed"),
            "{name}"
        );
        for (k, h) in header.iter().enumerate().take(header.len() - 1) {
            let cells: Vec<&str> = rows
                .iter()
                .map(|r| r[k].as_str())
                .filter(|c| !c.is_empty())
                .collect();
            for c in &cells {
                let display = c.ends_with('%')
                    || c.starts_with('[')
                    || c.starts_with("< ")
                    || *c == "·"
                    || *c == "x"
                    || (c.starts_with('<') && c[1..].parse::<u64>().is_ok());
                assert!(!display, "{name}, {h}: display value {c}");
            }
            // A column of numbers: if most cells read as numbers, all do
            // (the df column of the models says "normal" for z tests).
            let numeric = cells.iter().filter(|c| c.parse::<f64>().is_ok()).count();
            if numeric * 2 > cells.len() && h != "df" {
                for c in &cells {
                    assert!(c.parse::<f64>().is_ok(), "{name}, {h}: {c} is not a number");
                }
            }
        }
    }
    assert!(n_tables >= 10, "{n_tables} tables");
}

#[test]
fn a_dutch_report_has_no_english_sentence() {
    let out = temp("report-nl");
    assert_ok(&cohort(&[
        "report",
        "fixtures/vji/study.toml",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "0",
        "--lang",
        "nl",
    ]));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    // The prose, headings, captions, alt texts and table headers; table
    // bodies hold names (models, formulas, item groups) that stay as the
    // study file gives them.
    let mut text = String::new();
    let mut header_next = true;
    for line in md.lines() {
        if line.starts_with("| ") {
            if header_next {
                text.push_str(line);
                text.push('\n');
            }
            header_next = false;
        } else {
            header_next = true;
            text.push_str(line);
            text.push('\n');
        }
    }
    // The figures' text too (what each SVG <text> element says).
    for entry in std::fs::read_dir(out.join("figures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            for piece in svg.split("</text>") {
                if let Some(i) = piece.rfind('>') {
                    text.push_str(&piece[i + 1..]);
                    text.push('\n');
                }
            }
        }
    }
    // Names (`family_incidents`, `[[models]]`), section anchors (`#waves`)
    // and file paths are no words; Markdown escapes are undone first.
    let text = text.replace("\\_", "_");
    let text: String = text
        .split_whitespace()
        .filter(|w| !w.contains("(#") && !w.starts_with("id=") && !w.contains('/'))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
        .filter(|w| !w.contains('_') && !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let english = [
        // ("of" and "is" are Dutch words too.)
        "the",
        "and",
        "with",
        "are",
        "from",
        "to",
        "between",
        "every",
        "each",
        "shown",
        "not",
        "wave",
        "waves",
        "families",
        "family",
        "share",
        "mean",
        "change",
        "months",
        "incidents",
        "violence",
        "score",
        "respondents",
        "estimates",
        "figure",
        "table",
        "contents",
        "methods",
        "source",
        "taking",
        "part",
        "dropped",
        "out",
        "study",
        "file",
    ];
    let found: Vec<&String> = words
        .iter()
        .filter(|w| english.contains(&w.as_str()))
        .collect();
    assert!(found.is_empty(), "English in the Dutch report: {found:?}");
    // And it is the Dutch report: its labels from the study file.
    assert!(md.contains("Geweld in het gezin (F1)"));
    assert!(md.contains("## Methoden"));
    std::fs::remove_dir_all(&out).ok();
}
