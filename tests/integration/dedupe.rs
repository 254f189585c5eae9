//! `crmkit dedupe`: accuracy on generated and held-out data, the outputs, review decisions,
//! explanations, incremental runs and bad input.

use std::collections::HashMap;
use std::path::Path;

use crate::util::{col, crmkit, fixture, read_csv};

/// Pairwise precision, recall and F1 of predicted clusters against true entities, both keyed
/// by spreadsheet row. Counted through the contingency table, not by listing pairs.
fn pairwise(predicted: &HashMap<String, String>, truth: &HashMap<String, String>) -> (f64, f64, f64) {
    assert_eq!(
        predicted.len(),
        truth.len(),
        "clusters.csv must have one line per input row"
    );
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut by_pred: HashMap<&str, u64> = HashMap::new();
    let mut by_true: HashMap<&str, u64> = HashMap::new();
    let mut both: HashMap<(&str, &str), u64> = HashMap::new();
    for (row, p) in predicted {
        let t = truth.get(row).unwrap_or_else(|| panic!("row {row} not in truth"));
        *by_pred.entry(p).or_default() += 1;
        *by_true.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    let predicted_pairs: u64 = by_pred.values().map(|&n| pairs(n)).sum();
    let true_pairs: u64 = by_true.values().map(|&n| pairs(n)).sum();
    let correct: u64 = both.values().map(|&n| pairs(n)).sum();
    let precision = correct as f64 / predicted_pairs.max(1) as f64;
    let recall = correct as f64 / true_pairs.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    (precision, recall, f1)
}

fn column_map(path: &Path, key: &str, value: &str) -> HashMap<String, String> {
    let (header, rows) = read_csv(path);
    rows.iter()
        .map(|r| (col(&header, r, key).to_string(), col(&header, r, value).to_string()))
        .collect()
}

fn clusters(path: &Path) -> HashMap<String, String> {
    column_map(path, "row", "cluster")
}

#[test]
fn pairwise_counts_pairs() {
    let m = |v: &[(&str, &str)]| -> HashMap<String, String> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    // Truth {2,3,4} {5}; predicted {2,3} {4,5}: 1 of 2 predicted pairs right, 1 of 3 true found.
    let truth = m(&[("2", "a"), ("3", "a"), ("4", "a"), ("5", "b")]);
    let pred = m(&[("2", "x"), ("3", "x"), ("4", "y"), ("5", "y")]);
    let (p, r, f) = pairwise(&pred, &truth);
    assert!((p - 0.5).abs() < 1e-9 && (r - 1.0 / 3.0).abs() < 1e-9);
    assert!((f - 0.4).abs() < 1e-9);
}

#[test]
fn synthetic_file_is_deduplicated_accurately() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    let input = input.to_str().unwrap();
    crmkit(&["synth", "-o", input, "--rows", "4000", "--seed", "11"]).code(0);
    let out = dir.path().join("clusters.csv");
    crmkit(&[
        "dedupe",
        input,
        "--template",
        "customer",
        "--clusters",
        out.to_str().unwrap(),
    ])
    .code(0)
    .stderr_has("候选对")
    .stderr_has("同一电话");
    let truth = column_map(&dir.path().join("customers.truth.csv"), "row", "entity");
    let (p, r, f1) = pairwise(&clusters(&out), &truth);
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn held_out_set_is_deduplicated_accurately() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.csv");
    crmkit(&[
        "dedupe",
        &fixture("dedupe/holdout/customers.csv"),
        "--template",
        "customer",
        "--clusters",
        out.to_str().unwrap(),
    ])
    .code(0);
    let truth = column_map(
        Path::new(&fixture("dedupe/holdout/customers.truth.csv")),
        "row",
        "entity",
    );
    let (p, r, f1) = pairwise(&clusters(&out), &truth);
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}
