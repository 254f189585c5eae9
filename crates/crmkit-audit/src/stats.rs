//! The statistics of an audit: the Wilson score interval for an observed accuracy, and the
//! operating characteristic (OC) of a plan, the chance that a batch with a given true error
//! rate passes it.
//!
//! The OC is the exact binomial P(X ≤ Ac) for a sample of n from a large batch; when the
//! sample is a tenth of the batch or more, the exact hypergeometric probability (sampling
//! without replacement from the N records actually there) is given beside it.

use serde::Serialize;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The true error rates every plan is shown against.
pub const OC_RATES: [f64; 5] = [0.01, 0.02, 0.03, 0.05, 0.10];

/// The Wilson score interval (95%) for `successes` out of `n`; `(0, 1)` when `n` is 0.
pub fn wilson(successes: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At the edges the bound is exactly 0 or 1 (rounding would leave 0.9999999999999999).
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if p == 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// P(X ≤ `c`) for X ~ Binomial(`n`, `p`), summed in log space so large samples do not
/// underflow.
pub fn binomial_cdf(c: usize, n: usize, p: f64) -> f64 {
    if c >= n || p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    let mut ln_term = n as f64 * ln_q;
    let mut sum = ln_term.exp();
    for k in 1..=c {
        ln_term += ((n - k + 1) as f64 / k as f64).ln() + ln_p - ln_q;
        sum += ln_term.exp();
    }
    sum.min(1.0)
}

/// P(X ≤ `c`) for a sample of `n` drawn without replacement from `population` records of
/// which `defective` are wrong.
pub fn hypergeometric_cdf(c: usize, n: usize, defective: usize, population: usize) -> f64 {
    let defective = defective.min(population);
    let n = n.min(population);
    let good = population - defective;
    let low = n.saturating_sub(good);
    let high = n.min(defective);
    if c >= high {
        return 1.0;
    }
    if c < low {
        return 0.0;
    }
    let ln_total = ln_choose(population, n);
    let mut sum = 0.0;
    for k in low..=c {
        sum += (ln_choose(defective, k) + ln_choose(good, n - k) - ln_total).exp();
    }
    sum.min(1.0)
}

/// ln C(n, k).
fn ln_choose(n: usize, k: usize) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// ln n!, exact summation for small n, Lanczos ln Γ(n+1) otherwise.
fn ln_factorial(n: usize) -> f64 {
    if n < 64 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    ln_gamma(n as f64 + 1.0)
}

/// ln Γ(x) for x > 0.5 (Lanczos, g = 7, 9 terms; relative error about 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut a = COEFFICIENTS[0];
    let t = x + G + 0.5;
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The chance that a batch with a true error rate passes a plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OcPoint {
    /// The batch's true share of wrong records.
    pub error_rate: f64,
    /// P(pass), binomial: a sample from a large batch.
    pub pass: f64,
    /// P(pass), hypergeometric, for a sample that is a tenth of the batch or more:
    /// `round(error_rate × N)` wrong records among the N there.
    pub pass_exact: Option<f64>,
}

/// The operating characteristic of "inspect `n` of `population`, pass with at most `c`
/// wrong", at each of [`OC_RATES`].
pub fn oc(n: usize, c: usize, population: usize) -> Vec<OcPoint> {
    OC_RATES
        .iter()
        .map(|&p| OcPoint {
            error_rate: p,
            pass: binomial_cdf(c, n, p),
            pass_exact: (population > 0 && n * 10 >= population).then(|| {
                let defective = (p * population as f64).round() as usize;
                hypergeometric_cdf(c, n, defective, population)
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn wilson_matches_known_values() {
        let (low, high) = wilson(98, 100);
        assert!(close(low, 0.9300, 5e-5), "{low}");
        assert!(close(high, 0.9945, 5e-5), "{high}");
        // 0 of 10 and 10 of 10: the interval touches 0 or 1 and the other end is z²/(n+z²).
        let edge = Z95 * Z95 / (10.0 + Z95 * Z95);
        assert_eq!(wilson(0, 10).0, 0.0);
        assert!(close(wilson(0, 10).1, edge, 1e-12));
        assert!(close(wilson(0, 10).1, 0.2775, 5e-5));
        assert!(close(wilson(10, 10).0, 1.0 - edge, 1e-12));
        assert_eq!(wilson(10, 10).1, 1.0);
        // 50 of 100: [0.4038, 0.5962] (Newcombe 1998 style check, symmetric about 0.5).
        let (low, high) = wilson(50, 100);
        assert!(close(low, 0.4038, 5e-5) && close(high, 0.5962, 5e-5));
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn binomial_oc_of_check_100_accept_2() {
        assert!(close(binomial_cdf(2, 100, 0.05), 0.1183, 5e-4));
        assert!(close(binomial_cdf(2, 100, 0.02), 0.6767, 5e-4));
        assert!(close(binomial_cdf(2, 100, 0.01), 0.9206, 5e-4));
        assert!(close(binomial_cdf(0, 100, 0.01), 0.99f64.powi(100), 1e-12));
        assert_eq!(binomial_cdf(100, 100, 0.5), 1.0);
        assert_eq!(binomial_cdf(0, 10, 0.0), 1.0);
        // Large samples do not underflow: 2000 at 10% with Ac 21.
        let p = binomial_cdf(21, 2000, 0.10);
        assert!(close(p.log10(), -61.943, 1e-2), "{p}");
        // Ac 21 of 2000 at 1%: mean 20, P(X ≤ 21) = 0.6441.
        assert!(close(binomial_cdf(21, 2000, 0.01), 0.6441, 1e-4));
    }

    #[test]
    fn hypergeometric_matches_hand_computation_and_binomial_for_large_lots() {
        // 2 wrong in a lot of 10, sample 3: P(X = 0) = C(8,3)/C(10,3) = 56/120.
        assert!(close(hypergeometric_cdf(0, 3, 2, 10), 56.0 / 120.0, 1e-12));
        assert!(close(hypergeometric_cdf(1, 3, 2, 10), 112.0 / 120.0, 1e-12));
        assert_eq!(hypergeometric_cdf(2, 3, 2, 10), 1.0);
        // The whole lot inspected: pass exactly when the lot has at most c wrong.
        assert_eq!(hypergeometric_cdf(2, 50, 2, 50), 1.0);
        assert_eq!(hypergeometric_cdf(2, 50, 3, 50), 0.0);
        // A huge lot behaves like the binomial.
        let h = hypergeometric_cdf(2, 100, 50_000, 1_000_000);
        assert!(close(h, binomial_cdf(2, 100, 0.05), 1e-3), "{h}");
    }

    #[test]
    fn oc_gives_exact_values_only_for_large_fractions() {
        let points = oc(100, 2, 1_000_000);
        assert_eq!(points.len(), 5);
        assert!(points.iter().all(|p| p.pass_exact.is_none()));
        assert!(close(points[3].pass, 0.1183, 5e-4));
        let points = oc(100, 2, 200);
        assert!(points.iter().all(|p| p.pass_exact.is_some()));
        // Sampling without replacement discriminates better than the binomial suggests.
        assert!(points[3].pass_exact.unwrap() < points[3].pass);
    }
}
