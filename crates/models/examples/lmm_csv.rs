//! Fits a linear mixed model to a CSV file and prints the time and the
//! result as one JSON line (for bench/lmm_vs_lme4.sh).
//!
//! Usage: cargo run --release -p cohort-models --example lmm_csv -- FILE FORMULA [ml]
//! Columns named `id` or `g` are factors, the others numeric.

use std::time::Instant;

use cohort_models::{design, fit_lmm, parse, Column, Criterion, Frame};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, formula) = (&args[1], &args[2]);
    let criterion = if args.get(3).map(String::as_str) == Some("ml") {
        Criterion::Ml
    } else {
        Criterion::Reml
    };
    let mut rdr = csv::Reader::from_path(path).expect("a CSV file");
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for r in rdr.records() {
        for (j, v) in r.unwrap().iter().enumerate() {
            cols[j].push(v.to_string());
        }
    }
    let mut frame = Frame::new(cols[0].len());
    for (h, values) in headers.iter().zip(&cols) {
        if h == "id" || h == "g" {
            let mut index = std::collections::HashMap::new();
            let mut levels = Vec::new();
            let codes = values
                .iter()
                .map(|v| {
                    Some(*index.entry(v.clone()).or_insert_with(|| {
                        levels.push(v.clone());
                        levels.len() as u32 - 1
                    }))
                })
                .collect();
            frame.insert(h, Column::Factor { levels, codes });
        } else {
            frame.insert(
                h,
                Column::Numeric(values.iter().map(|v| v.parse().ok()).collect()),
            );
        }
    }
    let start = Instant::now();
    let d = design(&parse(formula).unwrap(), &frame).unwrap();
    let design_seconds = start.elapsed().as_secs_f64();
    let fit = fit_lmm(&d, criterion).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{{\"seconds\": {seconds:.4}, \"design_seconds\": {design_seconds:.4}, \"criterion\": {:.10}, \"beta\": {:?}, \"theta\": {:?}, \"evaluations\": {}, \"nobs\": {}}}",
        fit.criterion, fit.beta, fit.theta, fit.evaluations, fit.nobs
    );
}
