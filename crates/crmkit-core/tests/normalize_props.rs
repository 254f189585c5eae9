//! Properties of the normalisers: they never panic, and normalising twice equals once.

use crmkit_core::dates::Date;
use crmkit_core::normalize::{normalize, Context};
use crmkit_core::reference::Reference;
use crmkit_core::template::{Field, FieldType, Template};
use proptest::prelude::*;

fn field(kind: FieldType) -> Field {
    let mut field = Template::resolve("customer")
        .unwrap()
        .field("level")
        .unwrap()
        .clone();
    field.kind = kind;
    if kind != FieldType::Enum {
        field.values.clear();
    }
    if kind == FieldType::Money {
        field.unit = Some("万元".into());
    }
    field
}

/// Text that looks like what spreadsheets hold: digits, separators, CJK, full-width forms.
fn messy() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[0-9０-９ \\-./:()（）+年月日时分号万元¥,eE'@a-zA-Z＠北京华远有限公司星期六上午下午\u{200B}\u{3000}]{0,24}",
    )
    .unwrap()
}

static REFERENCE: std::sync::LazyLock<Reference> =
    std::sync::LazyLock::new(|| Reference::builtin().unwrap());

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn never_panics_and_is_idempotent(raw in prop_oneof![messy(), any::<String>()]) {
        let ctx = Context { reference: &REFERENCE, today: Date::new(2026, 11, 22).unwrap() };
        for kind in FieldType::ALL {
            let field = field(*kind);
            let once = normalize(&field, &raw, &ctx);
            if once.is_usable() {
                let twice = normalize(&field, &once.value, &ctx);
                prop_assert!(twice.is_usable(), "{kind}: {raw:?} → {:?} → {:?}", once.value, twice.problem);
                prop_assert_eq!(&twice.value, &once.value, "{}: {:?}", kind, raw);
            }
        }
    }
}
