//! Special functions the models need beyond statrs: the trigamma function
//! (statrs has the digamma function, pinned here against R as well).

/// The digamma function, `d/dx ln Gamma(x)` (statrs).
pub fn digamma(x: f64) -> f64 {
    statrs::function::gamma::digamma(x)
}

/// The trigamma function, `d^2/dx^2 ln Gamma(x)`, for `x > 0`: the
/// recurrence `psi1(x) = psi1(x + 1) + 1/x^2` up to `x >= 10`, then the
/// asymptotic series `1/x + 1/(2x^2) + sum B_2k / x^(2k+1)` (Abramowitz
/// and Stegun 6.4.12), whose first omitted term is below 1e-15 there.
pub fn trigamma(x: f64) -> f64 {
    let mut x = x;
    let mut sum = 0.0;
    while x < 10.0 {
        sum += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    // Bernoulli numbers B2..B12: 1/6, -1/30, 1/42, -1/30, 5/66, -691/2730.
    let series = x2
        * (1.0 / 6.0
            + x2 * (-1.0 / 30.0
                + x2 * (1.0 / 42.0
                    + x2 * (-1.0 / 30.0 + x2 * (5.0 / 66.0 - x2 * 691.0 / 2730.0)))));
    sum + 1.0 / x + x2 / 2.0 + series / x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_against_r() {
        // R 4.2.2: options(digits = 17); digamma(c(1, 0.3, 10.5, 1234.5)),
        // trigamma(c(1, 0.3, 10.5, 1234.5, 5.99)).
        let close = |got: f64, want: f64| (got - want).abs() <= 1e-13 * want.abs();
        for (x, want) in [
            (1.0, -0.577_215_664_901_532_3),
            (0.3, -3.502_524_222_200_132),
            (10.5, 2.303_001_034_297_686),
            (1234.5, 7.118_016_231_827_998),
        ] {
            assert!(close(digamma(x), want), "digamma({x}) = {}", digamma(x));
        }
        for (x, want) in [
            (1.0, 1.644_934_066_848_226_4),
            (0.3, 12.245_364_546_107_732),
            (10.5, 0.099_916_956_059_120_76),
            (1234.5, 0.000_810_372_727_126_966_7),
            (5.99, 0.181_651_445_516_753_75),
        ] {
            assert!(close(trigamma(x), want), "trigamma({x}) = {}", trigamma(x));
        }
        // trigamma(1) is pi^2 / 6.
        assert!(close(trigamma(1.0), std::f64::consts::PI.powi(2) / 6.0));
    }
}
