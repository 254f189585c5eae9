//! `crmkit dedupe`: accuracy on generated and held-out data, the outputs, review decisions,
//! explanations, incremental runs and bad input.

use std::collections::HashMap;
use std::path::Path;

use crate::util::{col, crmkit, fixture, read_csv};

/// Pairwise precision, recall and F1 of predicted clusters against true entities, both keyed
/// by spreadsheet row. Counted through the contingency table, not by listing pairs.
pub(crate) fn pairwise(
    predicted: &HashMap<String, String>,
    truth: &HashMap<String, String>,
) -> (f64, f64, f64) {
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
        let t = truth
            .get(row)
            .unwrap_or_else(|| panic!("row {row} not in truth"));
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

/// Two columns of a CSV file (with or without a BOM) as a map.
pub(crate) fn column_map(path: &Path, key: &str, value: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (k, v) = (at(key), at(value));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[k].to_string(), r[v].to_string())
        })
        .collect()
}

fn clusters(path: &Path) -> HashMap<String, String> {
    column_map(path, "row", "cluster")
}

#[test]
fn pairwise_counts_pairs() {
    let m = |v: &[(&str, &str)]| -> HashMap<String, String> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
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

/// Pairwise (precision, recall, F1) of `crmkit dedupe` on a labelled set in fixtures/`set`.
fn held_out_scores(set: &str) -> (f64, f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.csv");
    crmkit(&[
        "dedupe",
        &fixture(&format!("{set}/customers.csv")),
        "--template",
        "customer",
        "--clusters",
        out.to_str().unwrap(),
    ])
    .code(0);
    let truth = column_map(
        Path::new(&fixture(&format!("{set}/customers.truth.csv"))),
        "row",
        "entity",
    );
    pairwise(&clusters(&out), &truth)
}

#[test]
fn held_out_set_is_deduplicated_accurately() {
    let (p, r, f1) = held_out_scores("dedupe/holdout");
    // The issue's target is 0.99; this set (made independently, with many head office /
    // branch / same-字号 look-alikes and typo'd names sharing nothing else) is at 0.982 today
    // (0.957 before the same 字号 in another business counted as another core, a bracketed
    // branch was read as one, and names were blocked by their region as well as their city
    // column); 0.987 since a 字号 with no character in common weighs against a match and the
    // contact fields count as one fact. The floor keeps it from sliding back.
    assert!(f1 >= 0.983, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn a_clusters_only_run_clusters_exactly_as_a_full_run() {
    // Without --golden or --review only the compared fields are cleaned; the clusters, scores
    // and matches must not change.
    let (dir, input) = synthetic("3000", "5");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--clusters",
        &out("only.csv"),
    ])
    .code(0)
    .stderr_has("参与比较的字段有错误值");
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--clusters",
        &out("full.csv"),
        "--golden",
        &out("golden.csv"),
    ])
    .code(0)
    .stderr_has("行有错误值");
    let only = std::fs::read(out("only.csv")).unwrap();
    assert_eq!(only, std::fs::read(out("full.csv")).unwrap());
    assert!(only.len() > 3000 * 10);
}

#[test]
fn second_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout2: made by someone who saw neither crmkit's code nor the first
    // set. Its first, blind run scored F1 0.9292 (precision 0.8788, recall 0.9857); after
    // changes made on the first set alone, 0.9453 (0.9021, 0.9928); 0.9546 on 2026-11-23 after
    // changes made on the sets 1 to 3 (its false pairs were looked at by kind); 0.9793 on
    // 2026-11-23, later (groups and their members, businesses one character apart); 0.9867 on
    // 2026-11-23, last (one 字号 in two trades, mistyped forms); 0.9946 (0.9938, 0.9955) on
    // 2026-11-24 once addresses are compared. The floor catches a regression.
    let (p, r, f1) = held_out_scores("dedupe/holdout2");
    assert!(f1 >= 0.993, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn third_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout3: made on 2026-11-23 by someone who saw neither crmkit's code nor
    // the other sets. Its first, blind run scored F1 0.9622 (precision 0.9320, recall 0.9944);
    // the target is 0.99. Its false pairs were looked at by kind on 2026-11-23 (it is no longer
    // blind); 0.9776 since then, 0.9843 after the group and business levels, 0.9873 after the
    // trade sectors and mistyped forms, 0.9894 after names' notes and districts, 0.9915
    // (0.9844, 0.9986) on 2026-11-24 once addresses are compared. The floor catches a regression.
    let (p, r, f1) = held_out_scores("dedupe/holdout3");
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn fourth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout4: made on 2026-11-23 by a helper who read only the templates,
    // the validation rules and the reference data. Its first, blind run (commit 18690be) scored
    // F1 0.9781 (precision 0.9643, recall 0.9923); 0.9787 (0.9655, 0.9923) after changes made
    // on the other sets. Later that day its false pairs were read (it is a development set now,
    // holdout5 the blind one): 0.9930 (0.9923, 0.9936) after one 字号 in two trades (the same
    // boss's companies) and mistyped forms (有限公同, 有恨公司).
    let (p, r, f1) = held_out_scores("dedupe/holdout4");
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn fifth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout5: made on 2026-11-23 by a helper who read only the templates,
    // the validation rules and the reference data. Its first, blind run (commit 6ad76c6) scored
    // F1 0.9664 (precision 0.9486, recall 0.9849); Splink 0.8991 on the same file. Then its
    // false pairs were read (it is a development set now): 0.9797 (0.9745, 0.9849) after
    // districts, kinds of legal person and shops' trades; 0.9788 with mistyped districts taken
    // for one; 0.9819 once an English name and a Chinese one are not compared by characters;
    // 0.9840 (0.9730, 0.9951) on 2026-11-23 once a shop named by its district (奥兴大药房（开福店）)
    // is that district's shop.
    let (p, r, f1) = held_out_scores("dedupe/holdout5");
    assert!(f1 >= 0.98, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn sixth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout6: made on 2026-11-23 by a helper who read only the templates,
    // the validation rules and the reference data. Its first, blind run (commit 68730b3) scored
    // F1 0.9628 (precision 0.9812, recall 0.9450); Splink 0.9384; the code of the session's
    // start (2052ec0) 0.9630. Its lost pairs were then read: renamed companies that changed
    // trade, so 行业不同 weighs −14 bits instead of −19.9 (0.9668), and districts mistyped
    // (天心区 / 夭心区) are one (0.9670); 0.9744 once an English name and a Chinese one are not
    // compared by characters; 0.9831 (0.9898, 0.9765) on 2026-11-23 after notes after a form
    // or a branch, districts before a branch marker and shops named by their district. Most of
    // what it still misses is one 字号 in two trades, which this set calls one customer.
    // 0.9867 (0.9886, 0.9849) on 2026-11-24 once addresses are compared.
    let (p, r, f1) = held_out_scores("dedupe/holdout6");
    assert!(f1 >= 0.985, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn seventh_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout7: made on 2026-11-23 by a helper who read only the templates,
    // the validation rules and the reference data. Its first, blind run (commit 86a5eb3) scored
    // F1 0.9557 (precision 0.9526, recall 0.9587); Splink 0.8539; the code of the session's
    // start (2052ec0) 0.9543. Its errors were read on 2026-11-23 (a development set now):
    // 0.9610 once an English name and a Chinese one are not compared by characters; 0.9648
    // (0.9581, 0.9716) on 2026-11-23 after notes typed after a form were cut. Most of
    // its false pairs (60 of 111) are a company and its successor with the same name, contact
    // and mobile, which this set calls two customers and holdout8 one (a renamed company).
    // 0.9713 (0.9617, 0.9811) on 2026-11-24 once addresses are compared: a renamed company keeps
    // its address, a successor or a contact's new employer is elsewhere.
    let (p, r, f1) = held_out_scores("dedupe/holdout7");
    assert!(f1 >= 0.97, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn eighth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout8: made on 2026-11-23 by a helper who read only the templates,
    // the validation rules and the reference data. Its first, blind run (the clusters of
    // 2b63400: F1 0.9809, precision 0.9796, recall 0.9822; Splink 0.8398) and its second, blind
    // too, after English and Chinese names stopped being compared by characters (0.9829:
    // 0.9797, 0.9861); later blind runs 0.9833, 0.9837, 0.9844 (c752a5c). Then its missed
    // pairs were read (a development set now): 0.9881 (0.9807, 0.9956) after districts named
    // like a city (中山区), more bracketed remarks and shops named by their district; 0.9905
    // (0.9820, 0.9991) on 2026-11-24 once addresses are compared.
    let (p, r, f1) = held_out_scores("dedupe/holdout8");
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn ninth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout9: made on 2026-11-24 by a helper who read only the templates,
    // the validation rules and the reference data, told that one customer is one legal person
    // (a renamed company is one, a successor or a sister company another). Its first, blind run
    // (commit 634a21e) scored F1 0.9632 (precision 0.9653, recall 0.9610); Splink 0.8776. Then
    // its false pairs were read (a development set now): most were one owner's companies with
    // one phone, contact and address and two 字号s in two trades; 0.9713 (0.9848, 0.9581) once
    // two trades under two 字号s count as two businesses too; 0.9837 (0.9856, 0.9818) once one
    // contact in one city makes a candidate pair (东莞裕翔 / 东莞玉翔 with another phone).
    let (p, r, f1) = held_out_scores("dedupe/holdout9");
    assert!(f1 >= 0.98, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn tenth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout10: made on 2026-11-24 by a helper who read only the templates,
    // the validation rules and the reference data, with one customer = one legal person. Its
    // first, blind run (commit f8246e0) scored F1 0.9941 (precision 0.9956, recall 0.9926);
    // Splink 0.8990. Only the scores have been looked at: no pair, no kind. Keep it so; the
    // floor catches a regression.
    let (p, r, f1) = held_out_scores("dedupe/holdout10");
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn eleventh_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout11: made on 2026-11-24 by a helper who read only the templates,
    // the validation rules and the reference data, with one customer = one legal person. Its
    // first, blind run (dedupe code of 0cbf32f) scored F1 0.9603 (precision 0.9590, recall
    // 0.9617); Splink 0.8369. Then it was read (a development set now): 0.9633 with 联络处 and
    // 营销中心 as branch markers, 0.9669 with credit codes that fail their check compared for
    // equality, 0.9700 with one code explaining a renamed or moved company's name and region,
    // 0.9757 with shops' common 字号s (老何, 王记) counting 10 bits less, 0.9853 (precision
    // 0.9971, recall 0.9738) with codes whose last check character is right compared as valid
    // ones (its generator's 1,510 codes fail only the organisation-code check; its successor
    // companies are told apart by them).
    let (p, r, f1) = held_out_scores("dedupe/holdout11");
    assert!(f1 >= 0.985, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twelfth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout12: made on 2026-11-24 by a helper under the same reading rules
    // and convention. Its first, blind run (dedupe code of 20f199b) scored F1 0.9588
    // (precision 0.9845, recall 0.9343); Splink 0.8155. Then it was read (a development set
    // now): 0.9623 with former names and moves read from the remarks. Most of what it still
    // misses is a trade-show card's brand (翔森 XIANGSEN) with the legal name's contact and
    // mobile, which a contact who changed jobs shows as well.
    let (p, r, f1) = held_out_scores("dedupe/holdout12");
    assert!(f1 >= 0.965, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirteenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout13: made on 2026-11-24 by a helper under the same reading rules
    // and convention, with 40 kinds of look-alikes. Its first, blind run (dedupe code of
    // 193eb6b) scored F1 0.8967 (precision 0.8672, recall 0.9284); Splink 0.7134. Then it was
    // read (a development set now): 0.9016 with a company's trade union (工会, 工会委员会) read
    // as a unit of its own and 批发部, 经销部 as an individual business's forms; 0.9114
    // (precision 0.8953, recall 0.9280) with a fund's series and an institution's ordinal
    // (思纳二期 / 思纳四期, 第十二中学 / 第十四中学) telling two apart; 0.9109 once two 字号s a
    // character apart before one business (耀创智商贸 / 耀创商贸) are no longer read as one
    // 字号 with a typo after it (the clusters shift: 10 wrong pairs fewer, 13 others more;
    // seven other sets gain); 0.9207 with what holdout14 showed (individual business vs
    // company a veto, affiliates, chain stores, forms of address). Most of what it still
    // merges wrongly is a holding company and its operating company, an individual business
    // and its owner's company, or sister companies, at one address or with one contact.
    let (p, r, f1) = held_out_scores("dedupe/holdout13");
    assert!(f1 >= 0.925, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn fourteenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout14: made on 2026-11-24 by a helper under the same reading rules
    // and convention, realistic rather than adversarial (a mid-size firm's sheet from five
    // systems, 15.6% of customers in a look-alike family). Its first, blind run (dedupe code of
    // 17aace0) scored F1 0.9870 (precision 0.9814, recall 0.9927); Splink 0.8034. Then it was
    // read (a development set now): 0.9924 (precision 0.9921, recall 0.9927) with an
    // individual business and its owner's company kept apart (a veto), an institution's
    // affiliate (…学院资产经营有限公司, …局信息中心) no longer its abbreviation, a chain's stores
    // (禾川便利店南门店) read as branches, a department or a contact typed after the name
    // (…分公司-采购中心, 捷乐检测-郭经理) dropped, and 陈总 compared by its surname alone. What it
    // still merges wrongly is mostly sister companies of one owner (same mobile, same address).
    let (p, r, f1) = held_out_scores("dedupe/holdout14");
    assert!(f1 >= 0.99, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn fifteenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout15: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a laboratory supplier's sheet (hospitals and their departments,
    // universities and their research groups under their real short names: 省人医, 南医大,
    // 苏大附二院). Its first, blind run (dedupe code of e9a831a) scored F1 0.9682 (precision
    // 0.9915, recall 0.9460); Splink 0.8569. Then it was read (a development set now): 0.9708
    // with departments after an institution's name dropped, a province-only name taking its
    // city from the columns, and an institution's short name read as its abbreviation. Most
    // of what it still misses is a short name, an English name or a department's row with
    // nothing but the name to tie it.
    let (p, r, f1) = held_out_scores("dedupe/holdout15");
    assert!(f1 >= 0.97, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn sixteenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout16: made on 2026-11-24 by a helper under the same reading rules
    // and convention, an industrial automation supplier's sheet. Its first, blind run (dedupe
    // code of 57d0da0) scored F1 0.9846 (precision 0.9943, recall 0.9750); Splink 0.8940. Then
    // it was read (a development set now): 0.9853 once a Latin name is compared with a Chinese
    // one through the pinyin of its 字号. Most of what it still misses is an English name, a
    // 字号 typed one character off with another contact, or a renamed company.
    let (p, r, f1) = held_out_scores("dedupe/holdout16");
    assert!(f1 >= 0.985, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn seventeenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout17: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a commercial-kitchen supplier's sheet (restaurant chains and their
    // stores, canteens, 个体工商户). Its first, blind run (dedupe code of a273b41) scored F1
    // 0.9721 (precision 0.9793, recall 0.9650); Splink 0.8945. Then it was read (a development
    // set now): 0.9790 once a hotel and the company running it, written out, are two
    // businesses, a shop registered as a 馆 is an individual business, and a central kitchen,
    // a canteen or a warehouse after the name is a department. Most of what it still misses
    // is a chain's store written as the brand and its district (九益烧烤（瑶海区店）), which
    // this set counts as the company itself and other sets as a store of its own.
    let (p, r, f1) = held_out_scores("dedupe/holdout17");
    assert!(f1 >= 0.98, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn eighteenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout18: made on 2026-11-24 by a helper under the same reading rules
    // and convention, an agricultural-inputs distributor's sheet (农资店, 农民专业合作社 and
    // their 联合社, 家庭农场, 供销社). Its first, blind run (dedupe code of 9edd0a2) scored F1
    // 0.9688 (precision 0.9736, recall 0.9640); Splink 0.8853. Then it was read (a development
    // set now): 0.9781 once a family farm and a union of co-operatives are forms of their own
    // kinds and a county-level city after its city is a district. Most of what it still misses
    // is a branch written short as 字号, county and 分公司 (正亿夏津分公司) and a town's
    // station under another name (城关镇农技站 / 无极县城关镇农业综合服务站).
    let (p, r, f1) = held_out_scores("dedupe/holdout18");
    assert!(f1 >= 0.975, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn nineteenth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout19: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a building-materials supplier's sheet (state-owned contractors and
    // their 工程局, 分公司 and 项目部, developers and their project companies, dealers). Its
    // first, blind run (dedupe code of 1e62968) scored F1 0.9025 (precision 0.9532, recall
    // 0.8570); Splink 0.7365. Then it was read (a development set now): 0.9466 once a
    // project's site office (…项目部) is read as its company, with its own contacts. Most of
    // what it still misses is a state-owned group's abbreviations (十一局一公司 / 中铁十一局
    // 集团第一工程有限公司, 湖北工建 / 湖北省工业建筑集团有限公司) and short names alone.
    let (p, r, f1) = held_out_scores("dedupe/holdout19");
    assert!(f1 >= 0.94, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twentieth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout20: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a pharmaceutical distributor's sheet (hospitals and their 院区 or
    // registered 分院, 卫生院 and 社区卫生服务中心, clinics, pharmacy chains and their stores,
    // wholesalers, 疾控 and 卫健局). Its first, blind run (dedupe code of 2193407) scored F1
    // 0.9076 (precision 0.9680, recall 0.8542); Splink 0.7783. Then it was read (a
    // development set now): 0.9225 once a county's hospital is one with and without its 县
    // (资中中医院 / 资中县中医院); 0.9345 once hospitals as people call them are written out
    // (正安县医院, 西双版纳二医院, 云县人医, 红塔妇保院). Most of what it still misses is
    // pharmacies' store names and a university hospital's short names (泸医中医院).
    let (p, r, f1) = held_out_scores("dedupe/holdout20");
    assert!(f1 >= 0.93, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_first_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout21: made on 2026-11-24 by a helper under the same reading rules
    // and convention, an auto-parts and lubricants distributor's sheet (dealer groups and
    // their 4S stores, repair shops, 汽配城 stalls, transport and bus companies and their
    // 分公司 and 车队, driving schools). Its first, blind run (dedupe code of 2193407) scored
    // F1 0.9340 (precision 0.9607, recall 0.9088); Splink 0.7837. Then it was read (a
    // development set now): 0.9587 once a fleet's units (…第二车队, …保修厂) are its company's,
    // industry words written short read short (驾校, 公交, 危运, 汽修) and a shop of a district
    // written whole is left to the other fields. Most of what it still misses is a 4S store's
    // short name by group and brand (大同平畅福田 for …大同福田分公司) and same-name repair
    // shops of one city.
    let (p, r, f1) = held_out_scores("dedupe/holdout21");
    assert!(f1 >= 0.955, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_second_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout22: made on 2026-11-24 by a helper under the same reading rules
    // and convention, an education-equipment supplier's sheet (public schools and
    // kindergartens by ordinal and district, 民办 schools of a public school's brand, 附属
    // schools, education bureaus and their 装备中心, training companies, dealers). Its first,
    // blind run (dedupe code of 4ed8fc7) scored F1 0.9324 (precision 0.9498, recall 0.9156);
    // Splink 0.7650. What was read from holdout24 took it to 0.9404 unread (附 begins an
    // affiliate); then it was read (a development set now): 0.9590 once a former name must
    // agree on the county, a county's bureaus are its county's, 第8 is 第八 and 弟一 第一, a
    // short name's full name in brackets is read, and (分部) and (校本部) are the school.
    let (p, r, f1) = held_out_scores("dedupe/holdout22");
    assert!(f1 >= 0.955, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_third_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout23: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a freight forwarder's sheet (factories and their trading companies,
    // Hong Kong sister companies written in English, e-commerce sellers, chains and their
    // 分公司, customs brokers, business-centre neighbours). Its first, blind run (dedupe code
    // of 4ed8fc7) scored F1 0.9308 (precision 0.9226, recall 0.9391); Splink 0.6227. Then it
    // was read (a development set now): 0.9565 once two Latin names need four in five shared
    // bigrams to be alike, English industry words tell a business, two districts are told
    // apart by their characters and a chain's 分公司 and 店 of one place are one. Most of what
    // it still misses is Hong Kong companies of like names and a factory (厂) and the company
    // of its name.
    let (p, r, f1) = held_out_scores("dedupe/holdout23");
    assert!(f1 >= 0.955, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_fourth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout24: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a facility-services company's sheet (developers and their project
    // companies, 物业 companies and their 分公司 and 服务中心, 业主委员会, hotels and their
    // 酒店管理 companies, parks' 管委会, hospitals' and schools' 后勤). Its first, blind run
    // (dedupe code of 07c3039) scored F1 0.9145 (precision 0.9539, recall 0.8783); Splink
    // 0.7045; the code of 4ed8fc7 scored 0.9143. Then it was read (a development set now):
    // 0.9694 once a site's name that names no company (翠湖花园物业服务中心) says nothing of
    // a company's, a place after the trade is its branch (同盈物业南昌), a front desk and a
    // sales office are units, 附 begins an affiliate, a 15-digit 税号 holds its organisation
    // code, and a keeper's name (任桂睿（个体保洁）) names no company.
    let (p, r, f1) = held_out_scores("dedupe/holdout24");
    assert!(f1 >= 0.965, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_fifth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout25: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a distributed-solar and storage company's sheet (factories and their
    // plants, a group's project companies one per county, 供电公司 of province, city and
    // county, 村委会 and 村股份经济合作社, co-operatives, 个体 installers). Its first, blind run
    // (dedupe code of 9f51975) scored F1 0.8856 (precision 0.8571, recall 0.9160); Splink
    // 0.8069. Read on 2026-11-24 after that run (the grid's branches, villages' two legal
    // persons, counties in brackets, callers' notes, kinds of institution): 0.9456.
    let (p, r, f1) = held_out_scores("dedupe/holdout25");
    assert!(f1 >= 0.94, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_sixth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout26: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a labour-outsourcing company's sheet (manufacturers and their plants,
    // a Taiwanese group's plants in several cities, logistics companies' 分公司, chains' own
    // stores and 个体 franchisees, 人力资源 companies of like 字号, vocational schools,
    // 街道 job centres, 个体 labour brokers). Its first, blind run (dedupe code of f9205f6)
    // scored F1 0.9642 (precision 0.9784, recall 0.9504); Splink 0.6560; the code of b50e5ec
    // scored 0.9618. Only the scores have been looked at; the floor catches a regression.
    let (p, r, f1) = held_out_scores("dedupe/holdout26");
    assert!(f1 >= 0.96, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_seventh_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout27: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a water-treatment and environmental-engineering company's sheet (水务
    // groups with their 分公司 and 子公司, 污水处理厂 of several legal persons in one city,
    // 生态环境局 with their 分局 and 监测站, parks' 管委会 and companies, factories and their
    // 分厂, hospitals and their registered 分院, 个体 farms and co-operatives). Its first,
    // blind run (dedupe code of b8b9f91) scored F1 0.8969 (precision 0.9409, recall 0.8569);
    // Splink 0.7245; the code of b50e5ec scored 0.8961. Read late in the twentieth session (a
    // development set now): 0.9020. The floor catches a regression.
    let (p, r, f1) = held_out_scores("dedupe/holdout27");
    assert!(f1 >= 0.90, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_eighth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout28: made on 2026-11-24 by a helper under the same reading rules
    // and convention, an IT systems integrator's sheet (government bodies and their offices,
    // banks' 分行 and 支行, insurers' 中心支公司 and 支公司, telecom operators' city and county
    // 分公司, universities and their 附属医院, software companies, 个体 computer shops). Its
    // first, blind run (dedupe code of a602df1) scored F1 0.8661 (precision 0.9443, recall
    // 0.7999); Splink 0.7458; the code of b50e5ec scored 0.8544. Read in the twentieth
    // session (a development set now): 0.9525 once national brands' branches are read whole
    // and a government's bureaus by their short names.
    let (p, r, f1) = held_out_scores("dedupe/holdout28");
    assert!(f1 >= 0.95, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn twenty_ninth_held_out_set_is_deduplicated_no_worse_than_after_it_was_read() {
    // fixtures/dedupe/holdout29: made on 2026-11-24 by a helper under the same reading rules
    // and convention, an elevator maintenance company's sheet (property companies and their
    // 分公司 and 管理处, developers and their 项目公司, 业主委员会, hotels, malls, hospitals,
    // inspection institutes, elevator brands' branches). Its first, blind run (dedupe code of
    // 6416e23) scored F1 0.7917 (precision 0.9607, recall 0.6733); Splink 0.7130; the code of
    // b50e5ec scored 0.7654. Read in the twentieth session (a development set now): 0.8769
    // once a property company's estate offices, an estate's own rows and a service call's
    // notes are read.
    let (p, r, f1) = held_out_scores("dedupe/holdout29");
    assert!(f1 >= 0.875, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirtieth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout30: made on 2026-11-24 by a helper under the same reading rules
    // and convention, a liquor distributor's sheet (烟酒店 and other 个体工商户 under their
    // signboards or keepers' names, a shop's old and new owner, chains and their 门店,
    // restaurants and their 分店, 团购 buyers, 供销社). Its first, blind run (dedupe code of
    // 7ae462b) scored F1 0.9182 (precision 0.9340, recall 0.9029); Splink 0.7907; the code of
    // b50e5ec scored 0.9119. Read from 2026-11-25 on (a development set since): 0.9367 once
    // delivery notes, street-named stores and liquor wholesalers' trade words are read.
    let (p, r, f1) = held_out_scores("dedupe/holdout30");
    assert!(f1 >= 0.93, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_first_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout31: made on 2026-11-25 by a helper under the same reading rules
    // and convention, a construction machinery rental company's sheet (central SOE bureaus,
    // their subsidiaries, 分公司 and 项目经理部, county builders, labour subcontractors and
    // their foremen, 城投 companies, rental peers, individual operators). Its first, blind run
    // (dedupe code of 6e19bab) scored F1 0.8755 (precision 0.9404, recall 0.8190); Splink
    // 0.7694; the code of b50e5ec scored 0.8707, of 9db52d2 0.8765. Read late in the same
    // session (a development set since): 0.8968 once a site before its company, a site alone
    // and a 工地 are read.
    let (p, r, f1) = held_out_scores("dedupe/holdout31");
    assert!(f1 >= 0.90, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_second_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout32: made on 2026-11-25 by a helper under the same reading rules
    // and convention, an industrial-gas distributor's sheet (plants and their workshops,
    // welding shops, hospitals and clinics, universities and their labs, food and drink makers,
    // peer gas dealers, foreign-invested companies, SOE groups with subsidiaries and branches,
    // unregistered welders). Its first, blind run (dedupe code of 366a6d0) scored F1 0.8504
    // (precision 0.9782, recall 0.7521); Splink 0.7146; the code of 5103333, where the session
    // started, 0.8477. Read in the same session (a development set since): 0.8832 once notes
    // after a branch, units after a form, people after or as a name, departments behind a
    // separator and county-level places before a name are read.
    let (p, r, f1) = held_out_scores("dedupe/holdout32");
    assert!(f1 >= 0.88, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_third_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout33: made on 2026-11-25 by a helper under the same reading rules
    // and convention, a Dongguan printing and packaging company's sheet (brand owners and their
    // groups, e-commerce shops and the companies behind them, restaurant chains and
    // franchisees, schools, ad agencies ordering for clients, peer printers, Hong Kong and
    // Taiwan companies, individual businesses). Its first, blind run (dedupe code of 61fdb62)
    // scored F1 0.9082 (precision 0.9627, recall 0.8596); Splink 0.7141; the code of 5103333,
    // where the session started, 0.9032. Read in the same session (a development set since):
    // 0.9262 once job names, order states, online shops and factories' products are read.
    let (p, r, f1) = held_out_scores("dedupe/holdout33");
    assert!(f1 >= 0.92, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_fourth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout34: made on 2026-11-25 by a helper under the same reading rules
    // and convention, an office-equipment and managed-print dealer's sheet in the south-west
    // (5,359 rows, 2,099 customers, 7,158 true pairs, 667 look-alike pairs in 59 kinds). Its
    // first, blind run (dedupe code of 9b4a854, where the session started) scored F1 0.9365
    // (precision 0.9759, recall 0.9001); Splink 0.6088; the code of 5103333 0.9347.
    let (p, r, f1) = held_out_scores("dedupe/holdout34");
    assert!(f1 >= 0.93, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_fifth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout35: made on 2026-11-25 by a helper under the same reading rules
    // and convention, a Wuhan HVAC and clean-room engineering company's sheet (5,459 rows,
    // 2,016 customers, 9,782 true pairs, 689 look-alike pairs in 59 kinds). Its first, blind
    // run (dedupe code of 4d50bf0) scored F1 0.9167 (precision 0.9786, recall 0.8622); Splink
    // 0.7454; the code of 9b4a854, where the session started, 0.9149; of 5103333 0.9248.
    let (p, r, f1) = held_out_scores("dedupe/holdout35");
    assert!(f1 >= 0.91, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_sixth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout36: made on 2026-11-25 by a helper under the same reading rules
    // and convention, a Zhengzhou fresh-food and canteen-supply company's sheet (5,539 rows,
    // 2,007 customers, 9,688 true pairs, 696 look-alike pairs in 70 kinds). Its first, blind
    // run (dedupe code of 0a08205) scored F1 0.8447 (precision 0.9637, recall 0.7518); Splink
    // 0.7568; the code of 9b4a854, where the session started, the same; of 5103333 0.8419.
    let (p, r, f1) = held_out_scores("dedupe/holdout36");
    assert!(f1 >= 0.84, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_seventh_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout37: made on 2026-11-25 by a helper under the same reading rules
    // and convention, a Changsha vehicle-telematics company's sheet (5,431 rows, 2,073
    // customers, 9,970 true pairs, 616 look-alike pairs in 51 kinds). Its first, blind run
    // (dedupe code of 6fbe6a4) scored F1 0.9201 (precision 0.9608, recall 0.8827); Splink
    // 0.7311; the code of 9b4a854, where the session started, 0.9205; of 5103333 0.9250.
    let (p, r, f1) = held_out_scores("dedupe/holdout37");
    assert!(f1 >= 0.91, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

#[test]
fn thirty_eighth_held_out_set_is_deduplicated_no_worse_than_its_blind_run() {
    // fixtures/dedupe/holdout38: made on 2026-11-25 by a helper under the same reading rules
    // and convention, a Hefei dental laboratory's and supplier's sheet (5,384 rows, 2,048
    // customers, 10,540 true pairs, 665 look-alike pairs in 54 kinds). Its first, blind run
    // (dedupe code of ebad806) scored F1 0.9020 (precision 0.9351, recall 0.8712); Splink
    // 0.8153; the code of 9b4a854, where the session started, the same; of 5103333 0.9038.
    let (p, r, f1) = held_out_scores("dedupe/holdout38");
    assert!(f1 >= 0.90, "precision {p:.4} recall {r:.4} f1 {f1:.4}");
}

/// A generated file in a temporary directory: (dir, input path).
pub(crate) fn synthetic(rows: &str, seed: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir
        .path()
        .join("customers.csv")
        .to_str()
        .unwrap()
        .to_string();
    crmkit(&["synth", "-o", &input, "--rows", rows, "--seed", seed]).code(0);
    (dir, input)
}

#[test]
fn outputs_account_for_every_row() {
    let (dir, input) = synthetic("1500", "3");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--clusters",
        &out("clusters.csv"),
        "--golden",
        &out("golden.csv"),
        "--review",
        &out("review.xlsx"),
    ])
    .code(0)
    .stderr_has("已写出");
    let (header, rows) = read_csv(Path::new(&out("clusters.csv")));
    assert_eq!(rows.len(), 1500, "one line per input row");
    for name in [
        "file",
        "row",
        "cluster",
        "cluster_size",
        "score",
        "match_row",
    ] {
        assert!(
            header.iter().any(|h| h == name),
            "clusters.csv lacks {name}"
        );
    }
    let clusters: std::collections::HashSet<&str> =
        rows.iter().map(|r| col(&header, r, "cluster")).collect();
    // Golden: one line per cluster, every source row listed once, alternates kept.
    let (gh, golden) = read_csv(Path::new(&out("golden.csv")));
    assert_eq!(golden.len(), clusters.len());
    let sources: usize = golden
        .iter()
        .map(|g| col(&gh, g, "记录数").parse::<usize>().unwrap())
        .sum();
    assert_eq!(sources, 1500);
    assert!(gh.iter().any(|h| h == "客户名称(其他值)"), "{gh:?}");
    assert!(golden
        .iter()
        .any(|g| !col(&gh, g, "客户名称(其他值)").is_empty()));
    assert!(Path::new(&out("review.xlsx")).exists());
}

#[test]
fn decisions_join_and_split_pairs() {
    let (dir, input) = synthetic("1500", "5");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["dedupe", input.as_str(), "-t", "customer", "--clusters"];
        let clusters = out("clusters.csv");
        args.push(&clusters);
        args.extend_from_slice(extra);
        crmkit(&args).code(0);
        clusters_of(&out("clusters.csv"))
    };
    let before = run(&[]);
    // Two rows in one cluster: say they differ. Two rows apart: say they are the same.
    let (header, rows) = read_csv(Path::new(&out("clusters.csv")));
    let together = rows
        .iter()
        .find(|r| col(&header, r, "cluster_size") == "2")
        .unwrap();
    let row_a = col(&header, together, "row").to_string();
    let row_b = col(&header, together, "match_row").to_string();
    let single: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| col(&header, r, "cluster_size") == "1")
        .take(2)
        .collect();
    let (row_c, row_d) = (
        col(&header, single[0], "row").to_string(),
        col(&header, single[1], "row").to_string(),
    );
    assert_eq!(before[&row_a], before[&row_b]);
    assert_ne!(before[&row_c], before[&row_d]);
    let decisions = out("decisions.csv");
    std::fs::write(
        &decisions,
        format!(
            "A行,B行,是否同一客户\ncustomers.csv:{row_a},customers.csv:{row_b},否\ncustomers.csv:{row_c},customers.csv:{row_d},是\n"
        ),
    )
    .unwrap();
    let after = run(&["--decisions", &decisions]);
    assert_ne!(after[&row_a], after[&row_b], "否 splits the pair");
    assert_eq!(after[&row_c], after[&row_d], "是 joins the pair");
}

fn clusters_of(path: &str) -> HashMap<String, String> {
    clusters(Path::new(path))
}

#[test]
fn explain_shows_each_comparison() {
    let (_dir, input) = synthetic("800", "9");
    crmkit(&[
        "dedupe", "explain", &input, "-t", "customer", "--a", "2", "--b", "3",
    ])
    .code(0)
    .stdout_has("核心名称")
    .stdout_has("分支机构")
    .stdout_has("合计")
    .stdout_has("匹配概率");
    crmkit(&[
        "dedupe", "explain", &input, "-t", "customer", "--a", "1", "--b", "3",
    ])
    .code(2)
    .stderr_has("第 1 行不是数据行");
    crmkit(&[
        "dedupe", "explain", &input, "-t", "customer", "--a", "x.csv:2", "--b", "3",
    ])
    .code(2)
    .stderr_has("没有名为 x.csv 的输入文件");
}

/// Two companies whose names share no character, with one agent's name, mobile and e-mail on
/// both: the agent's three agreements are one fact, and the names say two companies. Before
/// the `联系方式` group and the `字号用字` comparison they scored +38.7 bits and merged; now
/// they are kept apart (at most a pair to review).
#[test]
fn a_shared_agent_does_not_merge_two_companies() {
    let (_dir, input) = synthetic("800", "9");
    let agent = [
        ("联系人", "周艳涵"),
        ("联系电话", "13803994327"),
        ("电子邮箱", "zhouyanhan1993@foxmail.com"),
        ("城市", "广州市"),
    ];
    let first = append_rows(
        &input,
        &[
            &[&agent[..], &[("客户名称", "广州禾环检测技术有限公司")]].concat(),
            &[&agent[..], &[("客户名称", "广州乾航五金制品有限公司")]].concat(),
        ],
    );
    let (a, b) = (first.to_string(), (first + 1).to_string());
    crmkit(&[
        "dedupe", "explain", &input, "-t", "customer", "--a", &a, "--b", &b,
    ])
    .code(0)
    .stdout_has("字号没有一个相同的字")
    .stdout_has("同组只计最大的正权重")
    .stdout_lacks("自动合并");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.csv");
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--clusters",
        out.to_str().unwrap(),
    ])
    .code(0);
    let clusters = clusters(&out);
    assert_ne!(clusters[&a], clusters[&b]);
}

/// A form of address (陈总) is any person of the surname: two leads of two companies in one
/// city, both from 陈总, are not one customer for it, and 陈总 is no other surname's 王立冰.
#[test]
fn a_form_of_address_is_not_a_name() {
    let (_dir, input) = synthetic("800", "9");
    let lead = |name: &'static str, contact: &'static str, phone: &'static str| {
        [
            ("客户名称", name),
            ("联系人", contact),
            ("联系电话", phone),
            ("城市", "成都市"),
        ]
    };
    let first = append_rows(
        &input,
        &[
            &lead("旺星餐馆", "陈总", "18377112555"),
            &lead("成都市旺展泵业有限公司", "陈总", "18599607874"),
            &lead("成都市旺展泵业有限公司", "王立冰", "18599607874"),
        ],
    );
    let row = |i: usize| (first + i).to_string();
    crmkit(&[
        "dedupe",
        "explain",
        &input,
        "-t",
        "customer",
        "--a",
        &row(0),
        "--b",
        &row(1),
    ])
    .code(0)
    .stdout_has("同姓的称呼")
    .stdout_lacks("完全相同")
    .stdout_lacks("自动合并");
    let run = crmkit(&[
        "dedupe",
        "explain",
        &input,
        "-t",
        "customer",
        "--a",
        &row(1),
        "--b",
        &row(2),
    ]);
    run.code(0);
    let contact = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("联系人"))
        .unwrap();
    assert!(
        contact.contains("不同") && !contact.contains("称呼"),
        "{contact}"
    );
}

/// Appends `rows` (header → value; other columns empty) to the CSV file `input`; the
/// spreadsheet row of the first.
fn append_rows(input: &str, rows: &[&[(&str, &str)]]) -> usize {
    let text = std::fs::read_to_string(input).unwrap();
    let header = text.lines().next().unwrap().trim_start_matches('\u{FEFF}');
    let columns: Vec<&str> = header.split(',').collect();
    let mut out = text.trim_end().to_string();
    for row in rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|&c| row.iter().find(|(h, _)| *h == c).map_or("", |(_, v)| *v))
            .collect();
        out.push_str("\r\n");
        out.push_str(&cells.join(","));
    }
    out.push_str("\r\n");
    std::fs::write(input, out).unwrap();
    text.trim_end().lines().count() + 1
}

/// A credit code that fails its check is not compared as a valid one. Two rows carrying it
/// verbatim (case, spaces aside) share it: a company renamed (遵义翔奥建材 → 遵义远威建材) with a
/// code whose organisation-code check character is wrong in both systems. When its own (last)
/// check character is right, no single character of it was mistyped, so another code is
/// another legal person (不同); a code whose last check character is wrong may be a typo of
/// the other and says nothing (缺失).
#[test]
fn a_credit_code_mistyped_the_same_way_twice_is_one_code() {
    let (_dir, input) = synthetic("800", "9");
    let row = |code: &str, name: &str, contact: &str, phone: &str| {
        [
            ("客户名称", name.to_string()),
            ("统一社会信用代码", code.to_string()),
            ("联系人", contact.to_string()),
            ("联系电话", phone.to_string()),
            ("城市", "遵义市".to_string()),
        ]
    };
    let rows = [
        // The organisation code's check character is wrong, the last one right.
        row(
            "91520303MA0W0KU0WW",
            "遵义翔奥建材有限公司",
            "马新",
            "15685241397",
        ),
        row(
            "91520303 ma0w0ku0ww",
            "遵义远威建材有限公司",
            "罗倩桂",
            "13969150209",
        ),
        // Valid.
        row(
            "91110108MA01A8B98L",
            "遵义翔奥建材有限公司",
            "马新",
            "15685241397",
        ),
        // The first with one character mistyped: its last check character is wrong.
        row(
            "91520303MA0W0KU1WW",
            "遵义翔奥建材有限公司",
            "马新",
            "15685241397",
        ),
    ];
    let rows: Vec<Vec<(&str, &str)>> = rows
        .iter()
        .map(|r| r.iter().map(|(h, v)| (*h, v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
    let first = append_rows(&input, &rows);
    let row = |i: usize| (first + i).to_string();
    let credit_code_line = |a: usize, b: usize| {
        let run = crmkit(&[
            "dedupe",
            "explain",
            &input,
            "-t",
            "customer",
            "--a",
            &row(a),
            "--b",
            &row(b),
        ]);
        run.code(0);
        let line = run
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with("统一社会信用代码"))
            .unwrap_or_else(|| panic!("no credit code line:\n{}", run.stdout))
            .to_string();
        assert!(!line.contains("91520303"), "shown unmasked: {line}");
        line
    };
    let same = credit_code_line(0, 1);
    assert!(same.contains("915***********u0ww"), "{same}");
    assert!(same.contains("相同") && !same.contains("缺失"), "{same}");
    let other = credit_code_line(0, 2);
    assert!(other.contains("不同"), "{other}");
    let typo = credit_code_line(0, 3);
    assert!(typo.contains("缺失") && !typo.contains("不同"), "{typo}");
}

/// One credit code on both rows is one legal person: a company renamed (北京翔永纺织 → 北京久辰纺织)
/// merges although its 字号, contact, phone and e-mail all changed; the name's disagreement is
/// not counted (the code explains it), the contact's still is.
#[test]
fn a_renamed_company_merges_through_its_credit_code() {
    let (_dir, input) = synthetic("800", "9");
    let first = append_rows(
        &input,
        &[
            &[
                ("客户名称", "北京翔永纺织有限公司"),
                ("统一社会信用代码", "91110104413575515K"),
                ("联系人", "赵洋桂"),
                ("联系电话", "13300987254"),
                ("电子邮箱", "2798788164@qq.com"),
            ],
            &[
                ("客户名称", "北京久辰纺织有限公司"),
                ("统一社会信用代码", "91110104413575515K"),
                ("联系人", "赵杰"),
                ("联系电话", "15122282548"),
                ("电子邮箱", "zhao.jie@126.com"),
            ],
        ],
    );
    let (a, b) = (first.to_string(), (first + 1).to_string());
    let run = crmkit(&[
        "dedupe", "explain", &input, "-t", "customer", "--a", &a, "--b", &b,
    ]);
    run.code(0)
        .stdout_has("字号没有一个相同的字")
        .stdout_has("不计: 统一社会信用代码相同")
        .stdout_has("自动合并");
    let contact = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("联系人"))
        .unwrap();
    assert!(!contact.contains("不计"), "{contact}");
}

/// A company that moved and took its new city into its name (上海顺芯… → 兰州顺芯…) is one
/// company when a remark says so: 原名 and the old name, or that it moved (2020年迁至兰州). The
/// region the names disagree on is then explained, as a credit code explains it. Without such a
/// remark, two cities in two names keep two companies apart.
#[test]
fn a_company_that_moved_is_found_through_its_remarks() {
    for (remark, one) in [
        ("原名上海顺芯机械制造有限公司（已迁址）", true),
        ("2020年迁至兰州", true),
        ("付款周期较长", false),
    ] {
        let (dir, input) = synthetic("800", "9");
        let first = append_rows(
            &input,
            &[
                &[
                    ("客户名称", "兰州顺芯机械制造有限公司"),
                    ("联系人", "何超新"),
                    ("联系电话", "15541635850"),
                    ("电子邮箱", "hechaoxin84@qq.com"),
                    ("备注", remark),
                ],
                &[
                    ("客户名称", "上海顺芯机械制造有限公司"),
                    ("联系人", "何超新"),
                    ("联系电话", "155-4163-5850"),
                    ("省份", "上海市"),
                    ("地址", "上海市长宁区和平路976号创新工业园5号厂房"),
                ],
            ],
        );
        let (a, b) = (first.to_string(), (first + 1).to_string());
        let run = crmkit(&[
            "dedupe", "explain", &input, "-t", "customer", "--a", &a, "--b", &b,
        ]);
        run.code(0).stdout_has("地区不同");
        let clusters = dir.path().join("clusters.csv");
        let clusters = clusters.to_str().unwrap();
        crmkit(&["dedupe", &input, "-t", "customer", "--clusters", clusters]).code(0);
        let clusters = clusters_of(clusters);
        if one {
            run.stdout_has("一方备注中的原名是另一方的名称")
                .stdout_has("不计: 曾用名");
            assert_eq!(clusters[&a], clusters[&b], "{remark}");
        } else {
            run.stdout_lacks("一方备注中的原名");
            assert_ne!(clusters[&a], clusters[&b], "{remark}");
        }
    }
}

/// Two shops of a common shop 字号 (老何: 老 and a surname) in one city, with other contacts,
/// phones and addresses, are two owners' shops: the shared name counts 10 bits less than the
/// file's own frequency would say. A rarer 字号 in the same rows keeps its frequency's weight.
#[test]
fn a_common_shop_name_counts_for_little() {
    for (trade, common) in [("老何", true), ("华岳", false)] {
        let (_dir, input) = synthetic("800", "9");
        let first = append_rows(
            &input,
            &[
                &[
                    ("客户名称", &format!("{trade}广告门市部")),
                    ("联系人", "孙晴军"),
                    ("联系电话", "15680681372"),
                    ("省份", "黑龙江省"),
                    ("城市", "哈尔滨市"),
                    ("地址", "道里区金融街804号"),
                ],
                &[
                    ("客户名称", &format!("道里区{trade}广告经营部")),
                    ("联系人", "韩辉永"),
                    ("联系电话", "19572671058"),
                    ("省份", "黑龙江省"),
                    ("城市", "哈尔滨市"),
                    ("地址", "道里区天府大道1113号"),
                ],
            ],
        );
        let (a, b) = (first.to_string(), (first + 1).to_string());
        let run = crmkit(&[
            "dedupe", "explain", &input, "-t", "customer", "--a", &a, "--b", &b,
        ]);
        run.code(0);
        if common {
            run.stdout_has("常见店名字号").stdout_has("不是同一客户");
        } else {
            run.stdout_lacks("常见店名字号");
        }
    }
}

/// Two companies of one 字号 in one city, their industry words one character apart, with other
/// contacts and phones (天津元御数字科技 / 天津元御数据科技): the address decides. At two addresses
/// they are two companies; at one address, written two ways (天津市…437#…), they go to review.
#[test]
fn the_address_tells_two_look_alike_companies_from_one() {
    for (second, verdict) in [
        ("滨海新区南京路249号科技园E座9层", "不是同一客户"),
        ("天津市南开区发展大道437#4号楼706", "进入人工复核"),
    ] {
        let (_dir, input) = synthetic("800", "9");
        let first = append_rows(
            &input,
            &[
                &[
                    ("客户名称", "天津元御数字科技有限公司"),
                    ("联系人", "吕文金"),
                    ("联系电话", "19385841572"),
                    ("城市", "天津市"),
                    ("地址", "南开区发展大道437号4号楼706室"),
                ],
                &[
                    ("客户名称", "天津元御数据科技有限公司"),
                    ("联系人", "吴宏辉"),
                    ("联系电话", "13233240108"),
                    ("城市", "天津市"),
                    ("地址", second),
                ],
            ],
        );
        let (a, b) = (first.to_string(), (first + 1).to_string());
        crmkit(&[
            "dedupe", "explain", &input, "-t", "customer", "--a", &a, "--b", &b,
        ])
        .code(0)
        .stdout_has(if verdict == "不是同一客户" {
            "地址不同"
        } else {
            "同一地址"
        })
        .stdout_has(verdict);
    }
}

#[test]
fn a_weekly_batch_attaches_to_existing_customers() {
    // Split one generated file: the first rows were loaded last week (golden file), the rest
    // arrive now. Rows of companies already known must take those companies' golden ids.
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
    let truth = column_map(&dir.path().join("customers.truth.csv"), "row", "entity");
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
    ])
    .code(0);
    crmkit(&[
        "dedupe",
        new.to_str().unwrap(),
        "-t",
        "customer",
        "--against",
        &out("golden.csv"),
        "--clusters",
        &out("new_clusters.csv"),
    ])
    .code(0)
    .stderr_has("增量");
    // Entity → golden id of last week's cluster.
    let old_clusters = clusters(Path::new(&out("old_clusters.csv")));
    let mut known: HashMap<&str, &str> = HashMap::new();
    for (row, cluster) in &old_clusters {
        known.insert(truth[row].as_str(), cluster.as_str());
    }
    let (h, rows) = read_csv(Path::new(&out("new_clusters.csv")));
    let (mut expected, mut attached) = (0, 0);
    for r in rows.iter().filter(|r| col(&h, r, "file") == "new.csv") {
        // new.csv row n is row n + 2000 of the original file.
        let original = (col(&h, r, "row").parse::<usize>().unwrap() + 2000).to_string();
        if let Some(id) = known.get(truth[&original].as_str()) {
            expected += 1;
            attached += usize::from(col(&h, r, "cluster") == *id);
        }
    }
    assert!(
        expected > 50,
        "the split must leave known companies in the new batch"
    );
    assert!(
        attached as f64 >= 0.95 * expected as f64,
        "{attached} of {expected} rows of known companies attached"
    );
    // Golden records of last week are never merged with each other.
    let golden_rows = rows.iter().filter(|r| col(&h, r, "file") == "golden.csv");
    let mut ids: Vec<&str> = golden_rows.map(|r| col(&h, r, "cluster")).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

#[test]
fn bad_input_is_refused_before_anything_is_written() {
    let (dir, input) = synthetic("300", "2");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // A rules file with a mistake names the file and the key.
    let rules = out("bad.toml");
    std::fs::write(
        &rules,
        "[thresholds]\nmatch = 0.9\nreview = 0.5\n[blocking]\n[[blocking.keys]]\nname = \"x\"\nkey = \"value(mobile)\"\n[[comparisons]]\nname = \"名称\"\nfield = \"customer_name\"\nkind = \"fuzzy\"\n",
    )
    .unwrap();
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--rules",
        &rules,
        "--clusters",
        &out("c.csv"),
    ])
    .code(2)
    .stderr_has("bad.toml")
    .stderr_has("comparisons[0].kind");
    assert!(!Path::new(&out("c.csv")).exists());
    // A review sheet must be a workbook.
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--clusters",
        &out("c.csv"),
        "--review",
        &out("r.csv"),
    ])
    .code(2);
    assert!(!Path::new(&out("c.csv")).exists());
    // --against needs a golden file.
    crmkit(&[
        "dedupe",
        &input,
        "-t",
        "customer",
        "--against",
        &input,
        "--clusters",
        &out("c.csv"),
    ])
    .code(2)
    .stderr_has("golden_id");
    // The output may not overwrite the input.
    crmkit(&["dedupe", &input, "-t", "customer", "--clusters", &input]).code(2);
    // A missing input.
    crmkit(&[
        "dedupe",
        &out("nope.csv"),
        "-t",
        "customer",
        "--clusters",
        &out("c.csv"),
    ])
    .code(2);
}

#[test]
fn a_rules_directorys_brands_are_read_and_a_bad_list_refused() {
    // rules/reference/brands.toml: a rules directory may bring its own list of national
    // brands. One that gives a brand's short name to two brands is refused, naming the file
    // and the entry, before anything is written.
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    std::fs::create_dir(&reference).unwrap();
    let builtin =
        std::fs::read_to_string(crate::util::root().join("rules/reference/brands.toml")).unwrap();
    let input = fixture("dedupe/holdout28/customers.csv");
    let clusters = dir.path().join("c.csv");
    let run = |text: &str| {
        std::fs::write(reference.join("brands.toml"), text).unwrap();
        crmkit(&[
            "dedupe",
            &input,
            "-t",
            "customer",
            "--rules-dir",
            dir.path().to_str().unwrap(),
            "--clusters",
            clusters.to_str().unwrap(),
        ])
    };
    let clashing = builtin.replace(
        r#"aliases = ["中国银行", "中行"]"#,
        r#"aliases = ["中国银行", "农行"]"#,
    );
    assert_ne!(clashing, builtin);
    run(&clashing)
        .code(2)
        .stderr_has("brands.toml")
        .stderr_has("brands[2].aliases[1]")
        .stderr_has("农行");
    assert!(!clusters.exists());
    // The built-in list, copied, is read as the built-in one.
    run(&builtin).code(0);
    assert!(clusters.exists());
}

#[test]
fn a_users_own_template_is_deduplicated_with_its_own_rules() {
    // A person register (surname, given name, birth date, phone, address), hand-made with its
    // truth: the rules file names comparisons and blocking keys on the template's own fields.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.csv");
    crmkit(&[
        "dedupe",
        &fixture("dedupe/person/register.csv"),
        "--template",
        &fixture("dedupe/person/register.toml"),
        "--rules",
        &fixture("dedupe/person/dedupe.toml"),
        "--clusters",
        out.to_str().unwrap(),
    ])
    .code(0)
    .stderr_has("姓 + 出生年");
    let truth = column_map(
        Path::new(&fixture("dedupe/person/register.truth.csv")),
        "row",
        "entity",
    );
    let (p, r, f1) = pairwise(&clusters(&out), &truth);
    assert!(
        r >= 0.99 && f1 >= 0.9,
        "precision {p:.4} recall {r:.4} f1 {f1:.4}"
    );
}
