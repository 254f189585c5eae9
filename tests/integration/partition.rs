//! `crmkit dedupe --partition-size N` and `[dedupe] partition_size`: partitions give exactly
//! the clusters of one pass when both score with the same model; every row stays accounted for;
//! loaded records keep their golden ids; bad sizes are refused with the flag or key named.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::dedupe::{column_map, pairwise, synthetic};
use crate::util::{col, crmkit, crmkit_in, files_in, read_csv, root};

/// Each row's cluster as the first row (file:row, in input order) of that cluster: two
/// clusterings are the same partition of the rows exactly when these maps are equal.
fn partition_of(path: &Path) -> HashMap<String, String> {
    let (h, rows) = read_csv(path);
    let key = |r: &[String]| format!("{}:{}", col(&h, r, "file"), col(&h, r, "row"));
    let mut first: HashMap<String, String> = HashMap::new();
    let mut order: Vec<&Vec<String>> = rows.iter().collect();
    order.sort_by_key(|r| {
        (
            col(&h, r, "file").to_string(),
            col(&h, r, "row").parse::<u32>().unwrap(),
        )
    });
    for r in &order {
        first
            .entry(col(&h, r, "cluster").to_string())
            .or_insert_with(|| key(r));
    }
    let out: HashMap<String, String> = rows
        .iter()
        .map(|r| (key(r), first[col(&h, r, "cluster")].clone()))
        .collect();
    assert_eq!(out.len(), rows.len(), "one line per input row");
    out
}

/// Per row (file:row): cluster size, score and the best match, which do not depend on ids.
fn scores_of(path: &Path) -> HashMap<String, (String, String, String, String)> {
    let (h, rows) = read_csv(path);
    rows.iter()
        .map(|r| {
            (
                format!("{}:{}", col(&h, r, "file"), col(&h, r, "row")),
                (
                    col(&h, r, "cluster_size").to_string(),
                    col(&h, r, "score").to_string(),
                    col(&h, r, "match_file").to_string(),
                    col(&h, r, "match_row").to_string(),
                ),
            )
        })
        .collect()
}

/// A golden file without its ids: header, and rows sorted.
fn golden_without_ids(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let (h, rows) = read_csv(path);
    let id = h.iter().position(|c| c == "golden_id").unwrap();
    let mut rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut r| {
            r.remove(id);
            r
        })
        .collect();
    rows.sort();
    (h, rows)
}

/// The pairwise F1 of a clusters file against the generator's truth (rows of the one input).
fn f1(clusters: &Path, truth: &Path) -> f64 {
    let predicted = column_map(clusters, "row", "cluster");
    let truth = column_map(truth, "row", "entity");
    let (p, r, f1) = pairwise(&predicted, &truth);
    eprintln!("precision {p:.4} recall {r:.4} f1 {f1:.4}");
    f1
}

#[test]
fn partitions_give_the_clusters_of_one_pass_with_the_same_model() {
    let (dir, input) = synthetic("4000", "11");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--clusters",
        &out("whole.csv"),
        "--golden",
        &out("whole_golden.csv"),
        "--save-model",
        &out("model.json"),
    ])
    .code(0);
    let before = files_in(dir.path());
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--partition-size",
        "400",
        "--model",
        &out("model.json"),
        "--clusters",
        &out("parts.csv"),
        "--golden",
        &out("parts_golden.csv"),
    ])
    .code(0)
    .stderr_has("个连通分量")
    .stderr_has("分区 1/")
    .stderr_has("上限 --partition-size 400")
    .stderr_has("使用")
    .stderr_has("同一电话");
    // Nothing left behind but the two outputs (the partitions' files are gone).
    let mut expected = before.clone();
    expected.extend(["parts.csv".to_string(), "parts_golden.csv".to_string()]);
    expected.sort();
    assert_eq!(files_in(dir.path()), expected);

    let whole = partition_of(Path::new(&out("whole.csv")));
    let parts = partition_of(Path::new(&out("parts.csv")));
    assert_eq!(whole.len(), 4000);
    let differ = whole.keys().filter(|k| whole[*k] != parts[*k]).count();
    assert_eq!(differ, 0, "rows whose cluster differs");
    assert_eq!(
        scores_of(Path::new(&out("whole.csv"))),
        scores_of(Path::new(&out("parts.csv"))),
        "every row's best match and score"
    );
    // The golden records are the same records (ids aside), with the same columns.
    assert_eq!(
        golden_without_ids(Path::new(&out("whole_golden.csv"))),
        golden_without_ids(Path::new(&out("parts_golden.csv")))
    );
    let (h, golden) = read_csv(Path::new(&out("parts_golden.csv")));
    let mut ids: Vec<&str> = golden.iter().map(|g| col(&h, g, "golden_id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        golden.len(),
        "golden ids unique across partitions"
    );
    let truth = dir.path().join("customers.truth.csv");
    assert!(f1(Path::new(&out("parts.csv")), &truth) >= 0.99);

    // Without --golden only the compared fields are cleaned: the same clusters, byte for byte.
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--partition-size",
        "400",
        "--model",
        &out("model.json"),
        "--clusters",
        &out("parts_only.csv"),
    ])
    .code(0)
    .stderr_has("参与比较的字段有错误值");
    assert_eq!(
        std::fs::read(out("parts_only.csv")).unwrap(),
        std::fs::read(out("parts.csv")).unwrap()
    );
}

#[test]
fn a_model_trained_once_on_a_sample_scores_every_partition() {
    let (dir, input) = synthetic("4000", "17");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // The sample: whole components drawn at random, up to 2,500 of the 4,000 records.
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--partition-size",
        "300",
        "--sample-size",
        "2500",
        "--save-model",
        &out("sample_model.json"),
        "--clusters",
        &out("parts.csv"),
    ])
    .code(0)
    .stderr_has("条记录的样本");
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(out("sample_model.json")).unwrap()).unwrap();
    assert!(model["lambda"].as_f64().unwrap() > 0.0);
    // One pass with that model: the same clusters.
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--model",
        &out("sample_model.json"),
        "--clusters",
        &out("whole.csv"),
    ])
    .code(0);
    assert_eq!(
        partition_of(Path::new(&out("whole.csv"))),
        partition_of(Path::new(&out("parts.csv")))
    );
    let truth = dir.path().join("customers.truth.csv");
    assert!(f1(Path::new(&out("parts.csv")), &truth) >= 0.99);
}

#[test]
fn loaded_records_keep_their_ids_in_partitions() {
    // Last week's golden file, then this week's rows partitioned against it.
    let (dir, input) = synthetic("3000", "21");
    let text = std::fs::read_to_string(&input).unwrap();
    let mut lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header = lines.remove(0);
    let old = dir.path().join("old.csv");
    let new = dir.path().join("new.csv");
    std::fs::write(
        &old,
        format!("{header}\r\n{}\r\n", lines[..2000].join("\r\n")),
    )
    .unwrap();
    std::fs::write(
        &new,
        format!(
            "\u{FEFF}{}\r\n{}\r\n",
            header.trim_start_matches('\u{FEFF}'),
            lines[2000..].join("\r\n")
        ),
    )
    .unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    crmkit(&[
        "dedupe",
        old.to_str().unwrap(),
        "-t",
        "customer",
        "--clusters",
        &out("old_clusters.csv"),
        "--golden",
        &out("golden.csv"),
        "--save-model",
        &out("model.json"),
    ])
    .code(0);
    let run = |clusters: &str, extra: &[&str]| {
        let mut args = vec![
            "dedupe",
            new.to_str().unwrap(),
            "-t",
            "customer",
            "--against",
        ];
        let golden = out("golden.csv");
        let model = out("model.json");
        let clusters = out(clusters);
        args.extend_from_slice(&[&golden, "--model", &model, "--clusters", &clusters]);
        args.extend_from_slice(extra);
        crmkit(&args).code(0).stderr_has("增量");
    };
    run("whole.csv", &[]);
    run("parts.csv", &["--partition-size", "250"]);
    let (h, whole) = read_csv(Path::new(&out("whole.csv")));
    let (_, parts) = read_csv(Path::new(&out("parts.csv")));
    assert_eq!(whole.len(), parts.len());
    assert_eq!(
        partition_of(Path::new(&out("whole.csv"))),
        partition_of(Path::new(&out("parts.csv")))
    );
    // A cluster holding a loaded record has that record's golden id in both runs; loaded
    // records never share a cluster.
    let ids = |rows: &[Vec<String>]| -> HashMap<String, String> {
        rows.iter()
            .map(|r| {
                (
                    format!("{}:{}", col(&h, r, "file"), col(&h, r, "row")),
                    col(&h, r, "cluster").to_string(),
                )
            })
            .collect()
    };
    let (w, p) = (ids(&whole), ids(&parts));
    let (golden_h, golden) = read_csv(Path::new(&out("golden.csv")));
    let loaded: Vec<&str> = golden
        .iter()
        .map(|g| col(&golden_h, g, "golden_id"))
        .collect();
    let mut attached = 0;
    for (row, id) in &w {
        if loaded.contains(&id.as_str()) {
            assert_eq!(&p[row], id, "{row} keeps golden id {id}");
            attached += usize::from(row.starts_with("new.csv:"));
        }
    }
    assert!(
        attached > 50,
        "new rows attached to loaded ones: {attached}"
    );
    let mut in_golden: Vec<&String> = p
        .iter()
        .filter(|(row, _)| row.starts_with("golden.csv:"))
        .map(|(_, id)| id)
        .collect();
    let n = in_golden.len();
    in_golden.sort_unstable();
    in_golden.dedup();
    assert_eq!(in_golden.len(), n, "loaded records stay apart");
}

#[test]
fn bad_partition_sizes_and_models_are_refused() {
    let (dir, input) = synthetic("300", "2");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let clusters = out("c.csv");
    let base = ["dedupe", input.as_str(), "-t", "customer", "--clusters"];
    for bad in ["abc", "-5", "1.5"] {
        let mut args = base.to_vec();
        args.extend_from_slice(&[&clusters, "--partition-size", bad]);
        crmkit(&args).code(2).stderr_has("--partition-size");
    }
    // Partitions append to .csv outputs only.
    let xlsx = out("c.xlsx");
    let mut args = base.to_vec();
    args.extend_from_slice(&[&xlsx, "--partition-size", "100"]);
    crmkit(&args)
        .code(2)
        .stderr_has("--partition-size")
        .stderr_has(".csv");
    // A model that is not one, or one of other rules.
    let model = out("model.json");
    std::fs::write(&model, "{\"m\": [[1.0, 0.5]]}").unwrap();
    let mut args = base.to_vec();
    args.extend_from_slice(&[&clusters, "--model", &model]);
    crmkit(&args).code(2).stderr_has("model.json");
    std::fs::write(
        &model,
        "{\"m\": [[1.0, 0.5]], \"u\": [[1.0, 0.5]], \"lambda\": 0.5, \"iterations\": 1, \"converged\": true, \"u_pairs\": 1, \"sessions\": []}",
    )
    .unwrap();
    crmkit(&args)
        .code(2)
        .stderr_has("model.json")
        .stderr_has("同一份去重规则");
    // A model of these rules with a level more in one comparison (an earlier crmkit's).
    let mut train = base.to_vec();
    let trained = out("trained.csv");
    train.extend_from_slice(&[&trained, "--save-model", &model]);
    crmkit(&train).code(0);
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    for table in ["m", "u"] {
        json[table][1].as_array_mut().unwrap().push(0.001.into());
    }
    std::fs::write(&model, json.to_string()).unwrap();
    crmkit(&args)
        .code(2)
        .stderr_has("model.json")
        .stderr_has("个水平")
        .stderr_has("--save-model");
    assert!(!Path::new(&clusters).exists(), "nothing written");
}

/// A copy of `fixtures/demo` in a temporary directory (runs write beside the pipeline file).
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("fixtures/demo")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && !name.starts_with("demo.db") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// The run report of the latest run.
fn last_report(dir: &Path) -> Value {
    let mut runs: Vec<_> = std::fs::read_dir(dir.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    runs.sort();
    serde_json::from_str(&std::fs::read_to_string(runs.last().unwrap().join("run.json")).unwrap())
        .unwrap()
}

fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap()
}

#[test]
fn the_pipeline_partitions_dedupe_and_loads_the_same() {
    let one = demo();
    crmkit_in(one.path(), &["run", "pipeline.toml"]).code(0);
    let whole = last_report(one.path());

    let dir = demo();
    let pipeline = dir.path().join("pipeline.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        text.replace(
            "against_database = true",
            "against_database = true\npartition_size = 4",
        ),
    )
    .unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(0)
        .stderr_has("结果: 完成");
    let r = last_report(dir.path());
    let counts = &step(&r, "dedupe")["counts"];
    assert_eq!(counts["partition_size"], 4);
    assert!(counts["partitions"].as_u64().unwrap() >= 2, "{counts}");
    assert!(
        counts["partition_records_max"].as_u64().unwrap() <= 4
            || counts["oversize_components"].as_u64().unwrap() > 0,
        "{counts}"
    );
    assert!(counts["components"].as_u64().unwrap() >= counts["partitions"].as_u64().unwrap());
    let before = &step(&whole, "dedupe")["counts"];
    for key in ["records", "candidate_pairs", "golden_records", "merged"] {
        assert_eq!(counts[key], before[key], "{key}: {counts} vs {before}");
    }
    assert_eq!(
        r["reconciliation"]["customer"], whole["reconciliation"]["customer"],
        "every row accounted for as in one pass"
    );

    // A size that is not a count of records stops before anything runs.
    std::fs::write(
        &pipeline,
        text.replace(
            "against_database = true",
            "against_database = true\npartition_size = -4",
        ),
    )
    .unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(2)
        .stderr_has("dedupe.partition_size")
        .stderr_has("pipeline.toml");
}
