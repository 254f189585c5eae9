//! The Fellegi–Sunter model: for each comparison level, m = P(level | same entity) and
//! u = P(level | different entities). u is estimated from random record pairs (almost all of
//! them non-matches); m and the share of matches among candidate pairs (λ) by
//! expectation–maximisation over the candidate pairs' comparison vectors, without labels.
//! A pair's match weight is log2(λ / (1 − λ)) + Σ log2(m / u), with a term-frequency
//! adjustment where configured, and its probability 1 / (1 + 2^−weight).

use std::collections::HashMap;

use rand_core::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::compare::{level_count, level_label, level_of, Features};
use super::config::{Config, Kind};
use super::records::Records;

/// Probabilities are kept inside [FLOOR, 1 − FLOOR] so no level's weight is infinite.
const FLOOR: f64 = 1e-6;

/// Matching pairs' worth of the starting m values kept in every EM estimate.
const PRIOR_PAIRS: f64 = 2.0;

/// A trained model. Saved as JSON ([`Model::to_json`], [`Model::from_json`]) so that runs on
/// other machines, or the partitions of one run, score with the same weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// Per comparison, per level (the missing level 0 included, m = u = 1 there).
    pub m: Vec<Vec<f64>>,
    /// Per comparison, per level.
    pub u: Vec<Vec<f64>>,
    /// The share of candidate pairs that are matches.
    pub lambda: f64,
    /// EM iterations run.
    pub iterations: usize,
    /// Whether EM converged (the largest change of any m below 1e-5).
    pub converged: bool,
    /// Random pairs the u probabilities were counted on.
    pub u_pairs: usize,
    /// The EM sessions, one per blocking key with enough pairs.
    pub sessions: Vec<Session>,
    /// Per comparison, per level: log2(m / u), derived from `m` and `u`.
    #[serde(skip)]
    weights: Vec<Vec<f64>>,
}

impl Model {
    /// The weight (log2 m/u) of a level.
    pub fn weight(&self, ci: usize, level: u8) -> f64 {
        self.weights[ci][level as usize]
    }

    /// The prior weight, log2(λ / (1 − λ)).
    pub fn prior(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// The model as JSON (`m`, `u`, `lambda` and how training went); probabilities keep every
    /// digit, so a model read back scores exactly as the one written.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model is plain numbers and strings")
    }

    /// Writes [`Model::to_json`] to `path`, atomically.
    pub fn save(&self, path: &std::path::Path) -> crate::error::Result<()> {
        let json = self.to_json();
        crate::write::atomic_write(path, |out| {
            std::io::Write::write_all(out, json.as_bytes())
                .map_err(|e| crate::error::Error::io(path, "write", e))
        })
    }

    /// Reads a model written by [`Model::to_json`] and checks it fits `config`: one list of m
    /// and u per comparison, one probability per level, each in (0, 1], λ in (0, 1). `file`
    /// names the file in errors.
    pub fn from_json(text: &str, config: &Config, file: &str) -> crate::error::Result<Model> {
        let bad = |key: String, message: String| crate::error::Error::InvalidTemplate {
            file: file.to_string(),
            key,
            message,
        };
        let mut model: Model = serde_json::from_str(text).map_err(|e| {
            bad(
                "(json)".into(),
                format!("不是 crmkit 的模型文件 (`crmkit dedupe --save-model` 写出的 JSON): {e}"),
            )
        })?;
        let comparisons = &config.comparisons;
        for (name, table) in [("m", &model.m), ("u", &model.u)] {
            if table.len() != comparisons.len() {
                return Err(bad(
                    name.into(),
                    format!(
                        "模型有 {} 个比较项, 规则 {} 有 {} 个; 模型须由同一份去重规则训练",
                        table.len(),
                        config.origin,
                        comparisons.len()
                    ),
                ));
            }
            for (ci, (levels, c)) in table.iter().zip(comparisons).enumerate() {
                let expected = level_count(c.kind, c.thresholds.len());
                if levels.len() != expected {
                    return Err(bad(
                        format!("{name}[{ci}]"),
                        format!(
                            "比较项 \"{}\" 应有 {expected} 个水平 (含缺失), 实际 {}; 模型须由同一份去重规则和同一版本的 crmkit 训练, 请用 --save-model 重新训练",
                            c.name,
                            levels.len()
                        ),
                    ));
                }
                if let Some(p) = levels.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
                    return Err(bad(
                        format!("{name}[{ci}]"),
                        format!("概率应在 0 到 1 之间 (不含 0), 实际为 {p}"),
                    ));
                }
            }
        }
        if !(model.lambda > 0.0 && model.lambda < 1.0) {
            return Err(bad(
                "lambda".into(),
                format!("λ 应在 0 到 1 之间 (不含两端), 实际为 {}", model.lambda),
            ));
        }
        model.weights = weights_of(&model.m, &model.u);
        Ok(model)
    }
}

/// log2(m / u) per comparison and level.
fn weights_of(m: &[Vec<f64>], u: &[Vec<f64>]) -> Vec<Vec<f64>> {
    m.iter()
        .zip(u)
        .map(|(m, u)| m.iter().zip(u).map(|(m, u)| (m / u).log2()).collect())
        .collect()
}

/// Estimates u from random pairs and m and λ by EM over the candidate pairs' comparison
/// vectors (`patterns`, with the blocking keys that produced each pair in `keys`).
pub fn train(
    records: &Records,
    features: &Features,
    config: &Config,
    patterns: &[u64],
    keys: &[u16],
) -> Model {
    let n = records.len();
    let comparisons = &config.comparisons;
    let levels: Vec<usize> = comparisons
        .iter()
        .map(|c| level_count(c.kind, c.thresholds.len()))
        .collect();

    // u from random pairs, in parallel chunks with their own seeded generators.
    let sample = if n < 2 {
        0
    } else {
        config
            .training
            .u_pairs
            .min(n.saturating_mul(n - 1) / 2)
            .max(1)
    };
    let chunks = 64usize;
    // Only comparisons whose u is learned are counted; each into its levels' slice of one array.
    let offsets: Vec<usize> = levels
        .iter()
        .scan(0, |at, &l| {
            let start = *at;
            *at += l;
            Some(start)
        })
        .collect();
    let learned: Vec<(usize, &super::config::Comparison)> = comparisons
        .iter()
        .enumerate()
        .filter(|(_, c)| c.u.is_none())
        .collect();
    let total_levels: usize = levels.iter().sum();
    // Each pair packed into one integer that sorts by tile, then second record (see below).
    let mut pairs: Vec<u64> = (0..chunks)
        .into_par_iter()
        .flat_map_iter(|chunk| {
            let mut rng = rand_xorshift::XorShiftRng::seed_from_u64(
                config.training.seed ^ (chunk as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            let todo = sample / chunks + usize::from(chunk < sample % chunks);
            (0..todo)
                .map(|_| {
                    let a = (rng.next_u64() % n as u64) as u32;
                    let mut b = (rng.next_u64() % (n as u64 - 1)) as u32;
                    if b >= a {
                        b += 1;
                    }
                    pack_tiled(a, b)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    // Counted in tiles, so that memory is read in order rather than at random (the counts do
    // not depend on the order): the first records of a tile lie within a window that stays in
    // the cache, and the second records ascend.
    radsort::sort(&mut pairs);
    // A comparison at a time, so that only its own column is read while counting.
    let mut flat = vec![0u64; total_levels];
    for &(ci, c) in &learned {
        let counts = pairs
            .par_chunks(1 << 15)
            .map(|pairs| {
                let mut counts = vec![0u64; levels[ci]];
                for &pair in pairs {
                    let (a, b) = unpack_tiled(pair);
                    counts[features.level(ci, c, a, b) as usize] += 1;
                }
                counts
            })
            .reduce(
                || vec![0; levels[ci]],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        flat[offsets[ci]..offsets[ci] + levels[ci]].copy_from_slice(&counts);
    }
    let mut offset = 0;
    let mut u: Vec<Vec<f64>> = Vec::new();
    for (ci, &l) in levels.iter().enumerate() {
        let c = &flat[offset..offset + l];
        offset += l;
        let probabilities = match &comparisons[ci].u {
            Some(fixed) => std::iter::once(1.0).chain(fixed.iter().copied()).collect(),
            None => {
                // Add-half smoothing: a level never seen among random pairs is rare, not impossible.
                let total: f64 = c[1..].iter().map(|&x| x as f64 + 0.5).sum();
                std::iter::once(1.0)
                    .chain(
                        c[1..]
                            .iter()
                            .map(|&x| ((x as f64 + 0.5) / total).max(FLOOR)),
                    )
                    .collect()
            }
        };
        u.push(probabilities);
    }

    // m by EM, Splink's way: one training session per blocking key, on the pairs that key
    // produced, estimating only the comparisons that do not read the key's fields (pairs that
    // share a phone say nothing about how often matches share a phone, but much about how often
    // they share a region). Each comparison's m is the mean over the sessions that estimated it.
    let fixed: Vec<bool> = comparisons.iter().map(|c| c.m.is_some()).collect();
    let initial: Vec<Vec<f64>> = comparisons
        .iter()
        .zip(&levels)
        .map(|(c, &l)| match &c.m {
            Some(fixed) => std::iter::once(1.0).chain(fixed.iter().copied()).collect(),
            None => {
                let raw: Vec<f64> = (1..l).map(|k| 0.5f64.powi(k as i32 - 1)).collect();
                let sum: f64 = raw.iter().sum();
                std::iter::once(1.0)
                    .chain(raw.iter().map(|x| x / sum))
                    .collect()
            }
        })
        .collect();
    let mut sums: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut estimated = vec![0usize; comparisons.len()];
    let mut sessions = Vec::new();
    for (ki, key) in config.blocking.iter().enumerate() {
        let key_fields: Vec<usize> = key.parts.iter().flat_map(|p| p.fields()).collect();
        let include: Vec<bool> = comparisons
            .iter()
            .map(|c| !c.fields.iter().any(|f| key_fields.contains(f)))
            .collect();
        let histogram = histogram_of(patterns, keys, |mask| mask & (1 << ki) != 0);
        let pairs: f64 = histogram.iter().map(|h| h.1).sum();
        if pairs < MIN_SESSION_PAIRS || !include.iter().zip(&fixed).any(|(&i, &f)| i && !f) {
            continue;
        }
        let mut m = initial.clone();
        let (lambda, iterations, converged) = em(
            &histogram,
            &include,
            &fixed,
            &mut m,
            &u,
            config.training.em_iterations,
            true,
        );
        for ci in 0..comparisons.len() {
            if include[ci] && !fixed[ci] {
                estimated[ci] += 1;
                for l in 1..levels[ci] {
                    sums[ci][l] += m[ci][l];
                }
            }
        }
        sessions.push(Session {
            key: key.name.clone(),
            pairs: pairs as u64,
            lambda,
            iterations,
            converged,
        });
    }
    let mut m = initial.clone();
    for ci in 0..comparisons.len() {
        if estimated[ci] > 0 {
            for l in 1..levels[ci] {
                m[ci][l] = sums[ci][l] / estimated[ci] as f64;
            }
        }
    }
    // Comparisons no session could estimate (every key reads their field): EM over all pairs.
    let all = histogram_of(patterns, keys, |_| true);
    let rest: Vec<bool> = (0..comparisons.len())
        .map(|ci| estimated[ci] == 0 && !fixed[ci])
        .collect();
    if rest.iter().any(|&r| r) {
        let frozen: Vec<bool> = rest.iter().map(|&r| !r).collect();
        let include = vec![true; comparisons.len()];
        em(
            &all,
            &include,
            &frozen,
            &mut m,
            &u,
            config.training.em_iterations,
            true,
        );
    }
    // Finally λ, the share of matches among all candidate pairs, with m and u fixed.
    let include = vec![true; comparisons.len()];
    let frozen = vec![true; comparisons.len()];
    let (lambda, iterations, converged) = em(
        &all,
        &include,
        &frozen,
        &mut m,
        &u,
        config.training.em_iterations.max(50),
        false,
    );
    let _ = (iterations, converged);
    let converged = sessions.iter().all(|s| s.converged);
    let iterations = sessions.iter().map(|s| s.iterations).max().unwrap_or(0);

    let weights = weights_of(&m, &u);
    Model {
        m,
        u,
        lambda,
        iterations,
        converged,
        u_pairs: sample,
        sessions,
        weights,
    }
}

/// Random pairs for u are counted in tiles of 2^this many first records.
const U_TILE_BITS: u32 = 12;

/// Records `a` and `b` as one integer whose order is (tile of `a`, `b`, `a` within its tile):
/// sorting integers is several times quicker than sorting pairs by a computed key.
fn pack_tiled(a: u32, b: u32) -> u64 {
    let tile_mask = (1u64 << U_TILE_BITS) - 1;
    (u64::from(a) >> U_TILE_BITS) << (32 + U_TILE_BITS)
        | u64::from(b) << U_TILE_BITS
        | (u64::from(a) & tile_mask)
}

/// The records of a [`pack_tiled`] pair.
fn unpack_tiled(pair: u64) -> (usize, usize) {
    let tile_mask = (1u64 << U_TILE_BITS) - 1;
    let a = (pair >> (32 + U_TILE_BITS)) << U_TILE_BITS | (pair & tile_mask);
    let b = (pair >> U_TILE_BITS) & u64::from(u32::MAX);
    (a as usize, b as usize)
}

/// Sessions with fewer candidate pairs than this are not used for training.
const MIN_SESSION_PAIRS: f64 = 20.0;

/// The comparison-vector histogram of the pairs whose key mask passes `keep`.
fn histogram_of(
    patterns: &[u64],
    keys: &[u16],
    keep: impl Fn(u16) -> bool + Sync,
) -> Vec<(u64, f64)> {
    let map = patterns
        .par_chunks(1 << 16)
        .zip(keys.par_chunks(1 << 16))
        .map(|(p, k)| {
            let mut h: HashMap<u64, u64> = HashMap::new();
            for (&pattern, &mask) in p.iter().zip(k) {
                if keep(mask) {
                    *h.entry(pattern).or_default() += 1;
                }
            }
            h
        })
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        });
    let mut out: Vec<(u64, f64)> = map.into_iter().map(|(p, c)| (p, c as f64)).collect();
    out.sort_unstable_by_key(|h| h.0);
    out
}

/// Expectation–maximisation over a histogram of comparison vectors: comparisons not in
/// `include` are ignored; those `frozen` keep their m. Returns λ, iterations, convergence.
fn em(
    histogram: &[(u64, f64)],
    include: &[bool],
    frozen: &[bool],
    m: &mut [Vec<f64>],
    u: &[Vec<f64>],
    max_iterations: usize,
    smooth: bool,
) -> (f64, usize, bool) {
    let total: f64 = histogram.iter().map(|h| h.1).sum();
    if total <= 0.0 {
        return (FLOOR, 0, true);
    }
    let initial = m.to_vec();
    let mut lambda = 0.5f64;
    let mut iterations = 0;
    let mut converged = false;
    while !converged && iterations < max_iterations {
        iterations += 1;
        let mut m_counts: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut matches = 0.0;
        for &(pattern, count) in histogram {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for ci in 0..m.len() {
                if include[ci] {
                    let l = level_of(pattern, ci) as usize;
                    pm *= m[ci][l];
                    pu *= u[ci][l];
                }
            }
            let p = pm / (pm + pu);
            matches += p * count;
            for (ci, mc) in m_counts.iter_mut().enumerate() {
                mc[level_of(pattern, ci) as usize] += p * count;
            }
        }
        let new_lambda = (matches / total).clamp(FLOOR, 1.0 - FLOOR);
        let mut change = (new_lambda - lambda).abs();
        lambda = new_lambda;
        for (ci, mc) in m_counts.iter().enumerate() {
            if !include[ci] || frozen[ci] {
                continue;
            }
            let non_null: f64 = mc[1..].iter().sum();
            if non_null <= 0.0 {
                continue;
            }
            let prior = if smooth { PRIOR_PAIRS } else { 0.0 };
            for l in 1..mc.len() {
                // A pseudo-count of PRIOR_PAIRS matching pairs drawn from the starting values
                // keeps a small file's estimates off 0 and 1; it vanishes on large files.
                let new = ((mc[l] + prior * initial[ci][l]) / (non_null + prior))
                    .clamp(FLOOR, 1.0 - FLOOR);
                change = change.max((new - m[ci][l]).abs());
                m[ci][l] = new;
            }
        }
        converged = change < 1e-6;
    }
    (lambda, iterations, converged)
}

/// One EM training session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// The blocking key whose pairs it trained on.
    pub key: String,
    /// Its candidate pairs.
    pub pairs: u64,
    /// The share of matches among them.
    pub lambda: f64,
    /// Iterations run.
    pub iterations: usize,
    /// Whether it converged.
    pub converged: bool,
}

/// The term-frequency adjustment of a core comparison whose two names share a shop's common
/// 字号 ([`Features::share_common_trade`]), in bits.
pub const COMMON_TRADE_BITS: f64 = -10.0;

/// The term-frequency adjustment of comparison `ci` at `level` for records `a` and `b`, in
/// bits: log2(Σtf² / tf(value)), positive for a rare shared value, negative for a common one.
/// Applied where the two records share the value (`company_core`: the 字号; a shop's common
/// 字号 gets [`COMMON_TRADE_BITS`]).
pub fn tf_adjustment(
    features: &Features,
    config: &Config,
    ci: usize,
    level: u8,
    a: usize,
    b: usize,
) -> f64 {
    let applies = match config.comparisons[ci].kind {
        Kind::CompanyCore => matches!(level, 1..=2),
        _ => level == 1,
    };
    if !applies {
        return 0.0;
    }
    // A shop's common 字号 (张记, 王氏, 老何) is shared by shops all over the country, far more
    // often than the file's own frequencies tell: in place of them, a fixed adjustment.
    if config.comparisons[ci].tf
        && config.comparisons[ci].kind == Kind::CompanyCore
        && features.share_common_trade(ci, a, b)
    {
        return COMMON_TRADE_BITS;
    }
    match features.tf_bits(ci, a) {
        Some(bits) if features.tf_shared(ci, a, b) => bits as f64,
        _ => 0.0,
    }
}

/// A pair's match weight.
pub fn weight(model: &Model, features: &Features, config: &Config, a: usize, b: usize) -> f64 {
    let pattern = features.pattern(config, a, b);
    weight_of(model, features, config, pattern, a, b)
}

/// A pair's match weight from its comparison vector.
pub fn weight_of(
    model: &Model,
    features: &Features,
    config: &Config,
    pattern: u64,
    a: usize,
    b: usize,
) -> f64 {
    let mut w = model.prior();
    // Of a group's positive weights only the largest counts. There are no more groups than
    // comparisons, so no allocation per pair.
    let mut largest = [0.0f64; super::compare::MAX_COMPARISONS];
    let explained = explained(config, pattern);
    for (ci, c) in config.comparisons.iter().enumerate() {
        let level = level_of(pattern, ci);
        let x = model.weight(ci, level) + tf_adjustment(features, config, ci, level, a, b);
        if x < 0.0 && explained & (1 << ci) != 0 {
            continue;
        }
        match c.group {
            Some(g) if x > 0.0 => largest[g] = largest[g].max(x),
            _ => w += x,
        }
    }
    w + largest.iter().sum::<f64>()
}

/// The comparisons (a bit each) whose disagreement another's agreement explains
/// ([`Comparison::explains`](super::config::Comparison::explains)).
fn explained(config: &Config, pattern: u64) -> u32 {
    let mut explained = 0;
    for (ci, c) in config.comparisons.iter().enumerate() {
        if !c.explains.is_empty() && level_of(pattern, ci) == 1 {
            explained |= c.explains.iter().fold(0, |m, &e| m | 1 << e);
        }
    }
    explained
}

/// Whether one comparison of a pair alone (one that may veto, and whose disagreement no other
/// comparison explains) weighs `thresholds.veto` bits or less.
pub fn vetoed(model: &Model, config: &Config, pattern: u64) -> bool {
    let explained = explained(config, pattern);
    (0..config.comparisons.len()).any(|ci| {
        config.comparisons[ci].veto & (1 << level_of(pattern, ci)) != 0
            && explained & (1 << ci) == 0
            && model.weight(ci, level_of(pattern, ci)) <= config.thresholds.veto
    })
}

/// The probability for a match weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// One line of an explanation.
#[derive(Debug, Clone)]
pub struct ExplainLine {
    /// The comparison's name.
    pub comparison: String,
    /// What it saw in the first record.
    pub a: String,
    /// What it saw in the second record.
    pub b: String,
    /// The level reached.
    pub level: String,
    /// m and u of that level.
    pub m: f64,
    /// u of that level.
    pub u: f64,
    /// The level's weight in bits.
    pub weight: f64,
    /// The term-frequency adjustment in bits.
    pub tf: f64,
    /// When the weight is not counted: the comparison of the same group whose larger positive
    /// weight counts instead.
    pub outweighed_by: Option<String>,
    /// When the (negative) weight is not counted: the comparison whose agreement explains it.
    pub explained_by: Option<String>,
}

/// Why a pair scored what it scored.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// One line per comparison.
    pub lines: Vec<ExplainLine>,
    /// The prior weight.
    pub prior: f64,
    /// The total weight.
    pub total: f64,
    /// The match probability.
    pub probability: f64,
}

/// Explains the score of records `a` and `b`.
pub fn explain(
    model: &Model,
    features: &Features,
    config: &Config,
    a: usize,
    b: usize,
) -> Explanation {
    let mut lines = Vec::new();
    let mut total = model.prior();
    // Per group, the comparison whose positive weight counts (the largest; the first of equals).
    let mut counted: Vec<Option<(usize, f64)>> = vec![None; config.groups.len()];
    let mut weights = Vec::with_capacity(config.comparisons.len());
    let pattern = features.pattern(config, a, b);
    let explainers: Vec<Option<String>> = (0..config.comparisons.len())
        .map(|ci| {
            config
                .comparisons
                .iter()
                .enumerate()
                .find(|(e, c)| c.explains.contains(&ci) && level_of(pattern, *e) == 1)
                .map(|(_, c)| c.name.clone())
        })
        .collect();
    for (ci, c) in config.comparisons.iter().enumerate() {
        let level = level_of(pattern, ci);
        let w = model.weight(ci, level);
        let tf = tf_adjustment(features, config, ci, level, a, b);
        if let Some(g) = c.group.filter(|_| w + tf > 0.0) {
            if counted[g].is_none_or(|(_, best)| w + tf > best) {
                counted[g] = Some((ci, w + tf));
            }
        }
        weights.push((level, w, tf));
    }
    for (ci, c) in config.comparisons.iter().enumerate() {
        let (level, w, tf) = weights[ci];
        let outweighed_by = c.group.and_then(|g| {
            let (best, _) = counted[g]?;
            (w + tf > 0.0 && best != ci).then(|| config.comparisons[best].name.clone())
        });
        let explained_by = explainers[ci].clone().filter(|_| w + tf < 0.0);
        if outweighed_by.is_none() && explained_by.is_none() {
            total += w + tf;
        }
        lines.push(ExplainLine {
            outweighed_by,
            explained_by,
            comparison: c.name.clone(),
            a: features.shown(ci, c.kind, a),
            b: features.shown(ci, c.kind, b),
            level: level_label(c, level),
            m: model.m[ci][level as usize],
            u: model.u[ci][level as usize],
            weight: w,
            tf,
        });
    }
    Explanation {
        lines,
        prior: model.prior(),
        total,
        probability: probability(total),
    }
}

/// The model as a table for people: comparison, level, m, u, weight.
pub fn describe(model: &Model, config: &Config) -> Vec<(String, String, f64, f64, f64)> {
    let mut out = Vec::new();
    for (ci, c) in config.comparisons.iter().enumerate() {
        for level in 1..model.m[ci].len() as u8 {
            out.push((
                c.name.clone(),
                level_label(c, level),
                model.m[ci][level as usize],
                model.u[ci][level as usize],
                model.weight(ci, level),
            ));
        }
    }
    out
}

/// The comparison vector of every candidate pair.
pub fn compare_pairs(features: &Features, config: &Config, pairs: &[(u32, u32)]) -> Vec<u64> {
    pairs
        .par_iter()
        .map(|&(a, b)| features.pattern(config, a as usize, b as usize))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiled_pairs_unpack_to_themselves_and_sort_by_tile_then_second_record() {
        let pairs = [
            (0, 1),
            (4095, 7),
            (4096, 3),
            (u32::MAX, 0),
            (5, u32::MAX),
            (8191, 2),
        ];
        for &(a, b) in &pairs {
            assert_eq!(unpack_tiled(pack_tiled(a, b)), (a as usize, b as usize));
        }
        let mut packed: Vec<u64> = pairs.iter().map(|&(a, b)| pack_tiled(a, b)).collect();
        packed.sort_unstable();
        let order: Vec<(u32, u32)> = packed
            .iter()
            .map(|&p| unpack_tiled(p))
            .map(|(a, b)| (a as u32 >> U_TILE_BITS, b as u32))
            .collect();
        let mut expected: Vec<(u32, u32)> =
            pairs.iter().map(|&(a, b)| (a >> U_TILE_BITS, b)).collect();
        expected.sort_unstable();
        assert_eq!(order, expected);
    }
}
