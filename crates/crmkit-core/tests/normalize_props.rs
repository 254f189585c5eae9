//! Properties of the normalisers: they never panic, and normalising twice equals once.

use crmkit_core::dates::Date;
use crmkit_core::normalize::{normalize, normalize_owned, Context};
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

/// Values that are, or are close to, canonical: the quick path's territory.
fn near_canonical() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex("1[3-9][0-9]{9}").unwrap(),
        proptest::string::string_regex(
            "(19|20|21)[0-9]{2}-[01][0-9]-[0-3][0-9]( [0-2][0-9]:[0-6][0-9])?"
        )
        .unwrap(),
        proptest::string::string_regex("[a-z0-9.]{1,8}@[a-z]{1,6}\\.(com|cn|c)").unwrap(),
        proptest::string::string_regex("(北京|（北京）)?华远(软件)?(有限公司|\\.|。)?").unwrap(),
        proptest::string::string_regex(
            "[0-9-]{0,8}华远[0-9a-z]{0,8}(科技)?(有限公司|集团|厂)?(（已注销）|注销)?"
        )
        .unwrap(),
        // Credit codes: valid ones, and 18 characters of the charset (mostly a wrong check).
        Just("91350100M000100Y43".to_string()),
        Just("91110108MA01A8B98K".to_string()),
        proptest::string::string_regex("[1-9ANY][1-9][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}").unwrap(),
        Just("制造业".to_string()),
        Just("VIP".to_string()),
        Just("null".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn never_panics_and_is_idempotent(raw in prop_oneof![messy(), near_canonical(), any::<String>()]) {
        let simplified = raw.len() % 2 == 0;
        let ctx = Context {
            reference: &REFERENCE,
            today: Date::new(2026, 11, 22).unwrap(),
            simplified,
        };
        for kind in FieldType::ALL {
            let field = field(*kind);
            let once = normalize(&field, &raw, &ctx);
            // The quick path for canonical values agrees with the full normaliser.
            let full = normalize_owned(&field, &raw, &ctx);
            prop_assert_eq!(&once.value, &full.value, "{}: {:?}", kind, raw);
            prop_assert_eq!(&once.steps, &full.steps, "{}: {:?}", kind, raw);
            prop_assert_eq!(&once.problem, &full.problem, "{}: {:?}", kind, raw);
            if once.is_usable() {
                let twice = normalize(&field, &once.value, &ctx);
                prop_assert!(twice.is_usable(), "{kind}: {raw:?} → {:?} → {:?}", once.value, twice.problem);
                prop_assert_eq!(&twice.value, &once.value, "{}: {:?}", kind, raw);
            }
        }
    }
}

/// A space before trailing punctuation goes with it, so normalising twice equals once (found
/// by the property above: "华+a ," became "华+a ", which a second pass trimmed to a short name).
#[test]
fn trailing_punctuation_takes_the_space_before_it() {
    let ctx = Context {
        reference: &REFERENCE,
        today: Date::new(2026, 11, 22).unwrap(),
        simplified: false,
    };
    let field = field(FieldType::CompanyName);
    for raw in ["华+a ,", "北京华远有限公司 。", "华远软件 ， "] {
        let once = normalize(&field, raw, &ctx);
        assert_eq!(once.value.trim_end(), once.value, "{raw:?}");
        let twice = normalize(&field, &once.value, &ctx);
        assert_eq!(twice.value, once.value, "{raw:?}");
        assert_eq!(twice.problem, once.problem, "{raw:?}");
    }
    assert_eq!(
        normalize(&field, "北京华远有限公司 。", &ctx).value,
        "北京华远有限公司"
    );
}
