//! Fits a GEE to a CSV file and prints the time and the result as one JSON
//! line (for bench/gee_vs_geepack.sh).
//!
//! Usage: cargo run --release -p cohort-models --example gee_csv -- FILE FORMULA
//! Columns: `id` (the cluster, rows of a cluster together), `wave` (0, 1,
//! ...), the rest numeric. Binomial, exchangeable.

use std::time::Instant;

use cohort_models::{design, fit_gee, parse, Column, CorStr, Family, Frame, GeeOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, formula) = (&args[1], &args[2]);
    let mut rdr = csv::Reader::from_path(path).expect("a CSV file");
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); headers.len()];
    for r in rdr.records() {
        for (j, v) in r.unwrap().iter().enumerate() {
            cols[j].push(v.parse().expect("numbers"));
        }
    }
    let mut frame = Frame::new(cols[0].len());
    for (h, values) in headers.iter().zip(&cols) {
        frame.insert(
            h,
            Column::Numeric(values.iter().map(|v| Some(*v)).collect()),
        );
    }
    let col = |name: &str| &cols[headers.iter().position(|h| h == name).expect(name)];
    let start = Instant::now();
    let d = design(&parse(formula).unwrap(), &frame).unwrap();
    let options = GeeOptions {
        family: Family::Binomial,
        corstr: CorStr::Exchangeable,
        cluster: d.rows.iter().map(|&i| col("id")[i] as u32).collect(),
        wave: d.rows.iter().map(|&i| col("wave")[i] as u32).collect(),
        tolerance: 1e-10,
        max_iterations: 100,
    };
    let fit = fit_gee(&d, &options).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{{\"seconds\": {seconds:.4}, \"beta\": {:?}, \"alpha\": {:?}, \"iterations\": {}, \"nobs\": {}}}",
        fit.beta, fit.alpha, fit.iterations, fit.nobs
    );
}
