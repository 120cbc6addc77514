//! The GEE's small-sample corrections, against their closed forms: with
//! one observation per cluster, a Gaussian independence GEE is OLS, the
//! Kauermann-Carroll sandwich is HC2 and the Mancl-DeRouen sandwich is HC3
//! (MacKinnon and White 1985), and the naive covariance is
//! (RSS / N) (X'X)^{-1}.

use cohort_models::{design, fit_gee, parse, Column, CorStr, Family, Frame, GeeOptions};

#[test]
fn corrections_are_hc2_and_hc3_with_one_observation_per_cluster() {
    let xs = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let ys = [1.0, 2.1, 2.9, 4.2, 4.8, 6.3];
    let mut frame = Frame::new(6);
    frame.insert("x", Column::Numeric(xs.iter().map(|v| Some(*v)).collect()));
    frame.insert("y", Column::Numeric(ys.iter().map(|v| Some(*v)).collect()));
    let d = design(&parse("y ~ x").unwrap(), &frame).unwrap();
    let fit = fit_gee(
        &d,
        &GeeOptions {
            family: Family::Gaussian,
            corstr: CorStr::Independence,
            cluster: (0..6).collect(),
            wave: vec![0; 6],
            tolerance: 1e-12,
            max_iterations: 50,
        },
    )
    .unwrap();
    // OLS by hand: X'X = [[n, sx], [sx, sxx]].
    let n = 6.0;
    let sx: f64 = xs.iter().sum();
    let sxx: f64 = xs.iter().map(|x| x * x).sum();
    let sy: f64 = ys.iter().sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| x * y).sum();
    let det = n * sxx - sx * sx;
    let inv = [sxx / det, -sx / det, -sx / det, n / det];
    let b1 = (n * sxy - sx * sy) / det;
    let b0 = (sy - b1 * sx) / n;
    assert!((fit.beta[0] - b0).abs() < 1e-12 && (fit.beta[1] - b1).abs() < 1e-12);
    let e: Vec<f64> = xs.iter().zip(&ys).map(|(x, y)| y - b0 - b1 * x).collect();
    // Leverages h_i = x_i' (X'X)^{-1} x_i with x_i = (1, x).
    let h: Vec<f64> = xs
        .iter()
        .map(|x| inv[0] + 2.0 * inv[1] * x + inv[3] * x * x)
        .collect();
    let sandwich = |w: &dyn Fn(usize) -> f64| -> [f64; 4] {
        let mut m = [0.0; 4];
        for i in 0..6 {
            let (a, b) = (1.0, xs[i]);
            let s = e[i] * e[i] * w(i);
            m[0] += a * a * s;
            m[1] += a * b * s;
            m[2] += b * a * s;
            m[3] += b * b * s;
        }
        // inv m inv
        let t = [
            inv[0] * m[0] + inv[1] * m[2],
            inv[0] * m[1] + inv[1] * m[3],
            inv[2] * m[0] + inv[3] * m[2],
            inv[2] * m[1] + inv[3] * m[3],
        ];
        [
            t[0] * inv[0] + t[1] * inv[2],
            t[0] * inv[1] + t[1] * inv[3],
            t[2] * inv[0] + t[3] * inv[2],
            t[2] * inv[1] + t[3] * inv[3],
        ]
    };
    let hc0 = sandwich(&|_| 1.0);
    let hc2 = sandwich(&|i| 1.0 / (1.0 - h[i]));
    let hc3 = sandwich(&|i| 1.0 / (1.0 - h[i]).powi(2));
    let rss: f64 = e.iter().map(|v| v * v).sum();
    for k in 0..4 {
        assert!((fit.vcov_robust[k] - hc0[k]).abs() < 1e-12, "HC0 {k}");
        assert!(
            (fit.vcov_kauermann_carroll[k] - hc2[k]).abs() < 1e-12,
            "HC2 {k}"
        );
        assert!(
            (fit.vcov_mancl_derouen[k] - hc3[k]).abs() < 1e-12,
            "HC3 {k}"
        );
        assert!(
            (fit.vcov_naive[k] - rss / n * inv[k]).abs() < 1e-12,
            "naive {k}"
        );
    }
}
