//! Fits a linear mixed model to a CSV file and prints the time and the
//! result as one JSON line (for bench/lmm_vs_lme4.sh).
//!
//! Usage: cargo run --release -p cohort-models --example lmm_csv -- FILE FORMULA [ml] [repeat=K]
//! [family=binomial|poisson|negbin] (a GLMM by the Laplace approximation; its
//! criterion is the deviance, -2 logLik)
//! Columns with a value that is not a number are factors (levels in order
//! of appearance), the others numeric. With `repeat=K` the design and fit
//! run K times and the fastest is reported (for small models).

use std::time::Instant;

use cohort_models::{design, fit_glmm, fit_lmm, parse, Column, Criterion, Frame, GlmmFamily};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, formula) = (&args[1], &args[2]);
    let criterion = if args.iter().any(|a| a == "ml") {
        Criterion::Ml
    } else {
        Criterion::Reml
    };
    let family = match args.iter().find_map(|a| a.strip_prefix("family=")) {
        None => None,
        Some("binomial") => Some(GlmmFamily::Binomial),
        Some("poisson") => Some(GlmmFamily::Poisson),
        Some("negbin") => Some(GlmmFamily::NegBin),
        Some(other) => panic!("family={other}: expected binomial, poisson or negbin"),
    };
    let repeat: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("repeat="))
        .map_or(1, |k| k.parse().expect("repeat=K, K a number"));
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
        if values
            .iter()
            .any(|v| !v.is_empty() && v.parse::<f64>().is_err())
        {
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
    let formula = parse(formula).unwrap();
    let (mut seconds, mut design_seconds) = (f64::INFINITY, f64::INFINITY);
    let mut fit = None;
    for _ in 0..repeat {
        let start = Instant::now();
        let d = design(&formula, &frame).unwrap();
        let design_time = start.elapsed().as_secs_f64();
        let f = match family {
            None => {
                let f = fit_lmm(&d, criterion).unwrap();
                (f.criterion, f.beta, f.theta, f.evaluations, f.nobs)
            }
            Some(family) => {
                let f = fit_glmm(&d, family, 1).unwrap();
                (f.deviance, f.beta, f.theta, f.evaluations, f.nobs)
            }
        };
        let time = start.elapsed().as_secs_f64();
        if time < seconds {
            (seconds, design_seconds) = (time, design_time);
        }
        fit = Some(f);
    }
    let (criterion, beta, theta, evaluations, nobs) = fit.expect("one run at least");
    println!(
        "{{\"seconds\": {seconds:.4}, \"design_seconds\": {design_seconds:.4}, \"criterion\": {:.10}, \"beta\": {:?}, \"theta\": {:?}, \"evaluations\": {}, \"nobs\": {}}}",
        criterion, beta, theta, evaluations, nobs
    );
}
