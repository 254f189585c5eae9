//! Accuracy of the normalisers on labelled messy values: `fixtures/values/*.csv` (the set the
//! normalisers were built against) and `fixtures/holdout/*.csv` (an independent set labelled from
//! the text alone, by someone who had not seen the code or the first set).
//!
//! Each row gives an input and either the canonical value a correct normaliser must produce, or
//! `!error` / `!ambiguous` for a value no safe repair can fix. Every file must come out right:
//! repairs recovered, unrepairable values flagged, good values left alone.

use std::path::PathBuf;

use crmkit_core::dates::Date;
use crmkit_core::normalize::{normalize, Context};
use crmkit_core::reference::Reference;
use crmkit_core::template::{Field, FieldType, Template};

fn field(kind: FieldType, unit: Option<&str>) -> Field {
    Field {
        key: "f".into(),
        header: "字段".into(),
        aliases: vec![],
        kind,
        required: false,
        unique: false,
        values: vec![],
        unit: unit.map(String::from),
        max_length: None,
        guide: String::new(),
        example: String::new(),
    }
}

/// The labelled sets.
const SETS: [&str; 2] = ["values", "holdout"];

/// Runs one labelled file; returns (rows, failures described).
fn run(set: &str, file: &str, pick: &impl Fn(&csv::StringRecord) -> Field) -> (usize, Vec<String>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(set)
        .join(file);
    let reference = Reference::builtin().unwrap();
    let ctx = Context {
        reference: &reference,
        today: Date::today(),
        simplified: false,
    };
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let input = headers.iter().position(|h| h == "input").unwrap();
    let expected = headers.iter().position(|h| h == "expected").unwrap();
    let mut failures = Vec::new();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        let field = pick(&record);
        let outcome = normalize(&field, &record[input], &ctx);
        let want = &record[expected];
        let ok = match (want, &outcome.problem) {
            ("!error", Some(_)) => !outcome.is_usable(),
            ("!ambiguous", Some(p)) => p.rule == "date_ambiguous",
            // A warning keeps the canonical value.
            (w, _) if w != "!error" && w != "!ambiguous" => {
                outcome.is_usable() && outcome.value == w
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{set}/{file}: {:?} → {:?} {:?}, expected {want:?}",
                &record[input],
                outcome.value,
                outcome
                    .problem
                    .as_ref()
                    .map(|p| (p.rule, p.message.as_str()))
            ));
        }
    }
    (rows, failures)
}

fn check(file: &str, pick: impl Fn(&csv::StringRecord) -> Field) {
    for set in SETS {
        let (rows, failures) = run(set, file, &pick);
        assert!(rows > 0, "{set}/{file} is empty");
        assert!(
            failures.is_empty(),
            "{} of {rows} wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[test]
fn mobile() {
    check("mobile.csv", |_| field(FieldType::Mobile, None));
}

#[test]
fn landline() {
    check("landline.csv", |_| field(FieldType::Landline, None));
}

#[test]
fn email() {
    check("email.csv", |_| field(FieldType::Email, None));
}

#[test]
fn date() {
    check("date.csv", |_| field(FieldType::Date, None));
}

#[test]
fn datetime() {
    check("datetime.csv", |_| field(FieldType::Datetime, None));
}

#[test]
fn money() {
    check("money.csv", |r| field(FieldType::Money, Some(&r[1])));
}

#[test]
fn enum_level() {
    let customer = Template::resolve("customer").unwrap();
    let level = customer.field("level").unwrap().clone();
    check("enum_level.csv", move |_| level.clone());
}

#[test]
fn industry() {
    check("industry.csv", |_| field(FieldType::Industry, None));
}

#[test]
fn company_name() {
    check("company_name.csv", |_| field(FieldType::CompanyName, None));
}

#[test]
fn credit_code() {
    check("credit_code.csv", |_| field(FieldType::CreditCode, None));
}

#[test]
fn id_card() {
    check("id_card.csv", |_| field(FieldType::IdCard, None));
}

#[test]
fn text() {
    check("text.csv", |_| field(FieldType::Text, None));
}

#[test]
fn traditional_company_names_on_request() {
    let reference = Reference::builtin().unwrap();
    let mut ctx = Context {
        reference: &reference,
        today: Date::today(),
        simplified: true,
    };
    let company = field(FieldType::CompanyName, None);
    let out = normalize(&company, "華遠軟件科技(北京)有限公司", &ctx);
    assert_eq!(out.value, "华远软件科技（北京）有限公司");
    assert_eq!(out.steps, ["traditional_to_simplified", "company_name"]);
    ctx.simplified = false;
    let out = normalize(&company, "華遠軟件科技有限公司", &ctx);
    assert_eq!(out.value, "華遠軟件科技有限公司", "kept unless asked");
}
