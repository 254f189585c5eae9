//! Sampling plans: what the user asks for ([`PlanSpec`]) and what it comes to for a population
//! ([`Plan`]): the sample size, the seed, the acceptance and rejection numbers, the strata and
//! the operating characteristic.
//!
//! A plan from `--size` / `--fraction` / `--strata` accepts the batch when the observed
//! accuracy meets the threshold: Ac = floor(n × (1 − threshold)) wrong records at most. A plan
//! from `--aql` takes n, Ac and Re from GB/T 2828.1 ([`crate::aql`]).

use serde::Serialize;

use crate::aql::{self, AqlPlan, Level};
use crate::error::{Error, Result};
use crate::stats::{self, OcPoint};

/// The threshold when none is given: 98% of records correct ("准确率需达98%以上").
pub const DEFAULT_THRESHOLD: f64 = 0.98;

/// How many records to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    /// Exactly this many (the whole population when it has fewer).
    Count(usize),
    /// This share of the population, rounded up (`0.1`: 10%).
    Fraction(f64),
    /// As GB/T 2828.1 single sampling, normal inspection, gives it for the population as the
    /// lot: the AQL (percent, one of [`aql::AQLS`]) and the inspection level.
    Aql {
        /// Percent nonconforming, e.g. 1.0 or 2.5.
        aql: f64,
        /// Inspection level, usually II.
        level: Level,
    },
}

/// What the user asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSpec {
    /// How many records.
    pub size: Size,
    /// Stratify by this field (its Chinese header or key, e.g. `负责人`, `level`) or `source`
    /// (the source file); proportional allocation.
    pub strata: Option<String>,
    /// The share of records that must be correct, 0–1. `None`: 0.98 for `Count`/`Fraction`;
    /// for `Aql` the plan's Ac/Re decide and no threshold is applied unless given.
    pub threshold: Option<f64>,
}

/// How the records were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Simple random sampling without replacement.
    Random,
    /// Stratified, proportional allocation, simple random within each stratum.
    Stratified,
    /// A GB/T 2828.1 single sampling plan (simple random, or stratified when strata are given).
    Aql,
}

impl Method {
    /// The Chinese name used in the workbook.
    pub fn label(self) -> &'static str {
        match self {
            Method::Random => "简单随机抽样",
            Method::Stratified => "分层抽样 (按比例分配)",
            Method::Aql => "GB/T 2828.1 一次抽样 (正常检验)",
        }
    }

    /// Parses [`Method::label`].
    pub fn from_label(text: &str) -> Option<Method> {
        [Method::Random, Method::Stratified, Method::Aql]
            .into_iter()
            .find(|m| m.label() == text.trim())
    }
}

/// One stratum: its name, its records, how many were drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stratum {
    /// The stratum's value (`张伟`, `VIP`, `customers.xlsx`; `(空)` for a blank value).
    pub name: String,
    /// Records in the population.
    pub population: usize,
    /// Records drawn.
    pub size: usize,
}

/// The strata of a stratified plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strata {
    /// What the records were grouped by: a field's header, or `来源文件`.
    pub by: String,
    /// Each stratum, in order of first appearance in the population.
    pub groups: Vec<Stratum>,
}

/// A plan resolved for a population: everything needed to draw the sample again and to judge
/// it. Recorded in the workbook's 抽样方案 sheet and read back from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// How the records were chosen.
    pub method: Method,
    /// Records in the population (the lot).
    pub population: usize,
    /// Records drawn.
    pub size: usize,
    /// The seed: the same seed, population and plan draw the same records.
    pub seed: u64,
    /// Share of records that must be correct, if a threshold applies.
    pub threshold: Option<f64>,
    /// Acceptance number: pass with at most this many wrong records.
    pub ac: usize,
    /// Rejection number: fail with this many or more.
    pub re: usize,
    /// The GB/T 2828.1 plan, for `--aql`.
    pub aql: Option<AqlPlan>,
    /// The strata, for `--strata`.
    pub strata: Option<Strata>,
    /// Whether every record of the population is in the sample.
    pub whole_lot: bool,
}

impl Plan {
    /// The chance of passing a batch at each of [`stats::OC_RATES`].
    pub fn oc(&self) -> Vec<OcPoint> {
        stats::oc(self.size, self.ac, self.population)
    }

    /// The 95% Wilson interval the audit would report when it finds exactly Ac wrong records,
    /// the worst result that still passes: what a pass can prove about accuracy.
    pub fn interval_at_limit(&self) -> (f64, f64) {
        stats::wilson(self.size.saturating_sub(self.ac), self.size)
    }
}

/// The acceptance number for a threshold: the most wrong records of `n` that still meet it.
pub fn acceptance_number(n: usize, threshold: f64) -> usize {
    // A small tolerance so that 100 × (1 − 0.98) = 1.9999999999999996 counts as 2.
    ((n as f64 * (1.0 - threshold)) + 1e-9).floor().max(0.0) as usize
}

/// Checks a spec before any work: sizes, fractions, AQLs and thresholds in range.
pub fn check(spec: &PlanSpec) -> Result<()> {
    match spec.size {
        Size::Count(0) => {
            return Err(Error::Option {
                option: "--size",
                message: "样本量至少为 1, 例如 --size 100".into(),
            })
        }
        Size::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
            return Err(Error::Option {
                option: "--fraction",
                message: format!("应为 0 到 1 之间的比例 (不含 0), 例如 --fraction 0.1 或 10%; 实际为 {f}"),
            })
        }
        Size::Aql { aql: value, .. } if aql::aql_column(value).is_none() => {
            return Err(Error::Option {
                option: "--aql",
                message: format!(
                    "{value} 不是 GB/T 2828.1 表 2-A 中的 AQL (不合格品百分数); 可选: {}; 例如 --aql 1.0",
                    aql::aql_list()
                ),
            })
        }
        _ => {}
    }
    if let Some(t) = spec.threshold {
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::Option {
                option: "--threshold",
                message: format!("准确率阈值应在 0 到 1 之间, 例如 0.98 或 98%; 实际为 {t}"),
            });
        }
    }
    Ok(())
}

/// The plan for a population of `population` records: sample size, Ac/Re and (without strata)
/// no allocation yet. `seed` is recorded as given.
pub fn resolve(spec: &PlanSpec, population: usize, seed: u64) -> Result<Plan> {
    check(spec)?;
    let (method, size, ac, re, aql_plan, threshold) = match spec.size {
        Size::Aql { aql, level } => {
            let plan = aql::plan(population, level, aql).ok_or_else(|| Error::Option {
                option: "--aql",
                message: format!("{aql} 不在表中; 可选: {}", aql::aql_list()),
            })?;
            let size = plan.size();
            (
                Method::Aql,
                size,
                plan.ac,
                plan.re,
                Some(plan),
                spec.threshold,
            )
        }
        Size::Count(_) | Size::Fraction(_) => {
            let n = match spec.size {
                Size::Fraction(f) => ((population as f64 * f) - 1e-9).ceil().max(1.0) as usize,
                Size::Count(n) => n,
                Size::Aql { .. } => population, // not reached: matched by the arm above
            };
            let n = n.min(population);
            let threshold = spec.threshold.unwrap_or(DEFAULT_THRESHOLD);
            let ac = acceptance_number(n, threshold);
            let method = if spec.strata.is_some() {
                Method::Stratified
            } else {
                Method::Random
            };
            (method, n, ac, ac + 1, None, Some(threshold))
        }
    };
    Ok(Plan {
        method,
        population,
        size,
        seed,
        threshold,
        ac,
        re,
        aql: aql_plan,
        strata: None,
        whole_lot: size >= population,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(size: Size) -> PlanSpec {
        PlanSpec {
            size,
            strata: None,
            threshold: None,
        }
    }

    #[test]
    fn threshold_plans_accept_up_to_floor_of_allowed_errors() {
        assert_eq!(acceptance_number(100, 0.98), 2);
        assert_eq!(acceptance_number(100, 0.95), 5);
        assert_eq!(acceptance_number(50, 0.98), 1);
        assert_eq!(acceptance_number(10, 0.98), 0);
        assert_eq!(acceptance_number(10, 1.0), 0);
        let plan = resolve(&spec(Size::Count(100)), 5000, 1).unwrap();
        assert_eq!((plan.size, plan.ac, plan.re), (100, 2, 3));
        assert_eq!(plan.threshold, Some(0.98));
        let oc = plan.oc();
        assert!((oc[3].pass - 0.118).abs() < 1e-3, "{oc:?}");
        assert!((oc[1].pass - 0.677).abs() < 1e-3, "{oc:?}");
        let (low, _) = plan.interval_at_limit();
        assert!((low - 0.9300).abs() < 1e-4);
    }

    #[test]
    fn fractions_round_up_and_sizes_cap_at_the_population() {
        assert_eq!(
            resolve(&spec(Size::Fraction(0.1)), 1234, 1).unwrap().size,
            124
        );
        assert_eq!(
            resolve(&spec(Size::Fraction(0.1)), 1230, 1).unwrap().size,
            123
        );
        let whole = resolve(&spec(Size::Count(500)), 80, 1).unwrap();
        assert_eq!((whole.size, whole.whole_lot), (80, true));
    }

    #[test]
    fn aql_plans_take_the_tables_numbers() {
        let plan = resolve(
            &spec(Size::Aql {
                aql: 1.0,
                level: Level::II,
            }),
            2000,
            1,
        )
        .unwrap();
        assert_eq!(
            (plan.method, plan.size, plan.ac, plan.re),
            (Method::Aql, 125, 3, 4)
        );
        assert_eq!(plan.threshold, None);
    }

    #[test]
    fn bad_specs_are_refused_with_the_option() {
        let e = resolve(&spec(Size::Count(0)), 10, 1)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--size"), "{e}");
        let e = resolve(&spec(Size::Fraction(1.5)), 10, 1)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--fraction"), "{e}");
        let bad_aql = Size::Aql {
            aql: 2.0,
            level: Level::II,
        };
        let e = resolve(&spec(bad_aql), 10, 1).unwrap_err().to_string();
        assert!(e.contains("0.010, 0.015") && e.contains("--aql 1.0"), "{e}");
        let mut s = spec(Size::Count(5));
        s.threshold = Some(1.5);
        assert!(resolve(&s, 10, 1)
            .unwrap_err()
            .to_string()
            .starts_with("--threshold"));
    }
}
