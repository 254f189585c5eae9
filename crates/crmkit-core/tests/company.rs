//! Match keys for company names: one table of names with the key each must give, the region
//! comparisons dedupe relies on, and properties (never panics, idempotent on `normalized`).

use std::sync::LazyLock;

use crmkit_core::company::{
    canonical_name, company_key, compare_regions, form_class, CompanyKey, Region, RegionMatch,
    Regions,
};
use proptest::prelude::*;

static REGIONS: LazyLock<Regions> = LazyLock::new(|| Regions::builtin().unwrap());

fn key(name: &str) -> CompanyKey {
    company_key(name, &REGIONS)
}

/// `""` → none, `北京` → a province, `广东/深圳` → a city in a province.
fn region(text: &str) -> Option<Region> {
    if text.is_empty() {
        return None;
    }
    let (province, city) = match text.split_once('/') {
        Some((p, c)) => (p, Some(c.to_string())),
        None => (text, None),
    };
    Some(Region {
        province: province.to_string(),
        city,
    })
}

fn some(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// name, region, core, trade, form, branch.
#[rustfmt::skip]
const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
    // One company, every way of writing its region.
    ("北京华远软件科技有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("北京市华远软件科技有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("华远软件科技(北京)有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("华远软件科技（北京）有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("华远软件科技【北京】有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("华远软件科技有限公司(北京)", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("华远（北京市）软件科技有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("(北京)华远软件科技有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("北京华远软件科技有限责任公司", "北京", "华远软件科技", "华远", "有限责任公司", ""),
    // Traditional characters, widths, spaces, punctuation.
    ("華遠軟件科技(北京)有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    // fast2s alone gives 渖阳 for 瀋陽; the city is 沈阳.
    ("瀋陽潤石貨運有限公司", "辽宁/沈阳", "润石货运", "润石", "有限公司", ""),
    ("北京 華遠 軟體科技 有限公司", "北京", "华远软体科技", "华远软体", "有限公司", ""),
    ("北京·华远软件科技有限公司。", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("北京华远ＩＴ科技有限公司", "北京", "华远it科技", "华远it", "有限公司", ""),
    ("上海\u{3000}华远软件科技有限公司", "上海", "华远软件科技", "华远", "有限公司", ""),
    // Provinces and cities.
    ("广东省深圳市华远科技有限公司", "广东/深圳", "华远科技", "华远", "有限公司", ""),
    ("广东深圳华远科技有限公司", "广东/深圳", "华远科技", "华远", "有限公司", ""),
    ("深圳市华远科技有限公司", "广东/深圳", "华远科技", "华远", "有限公司", ""),
    ("深圳华远科技有限公司", "广东/深圳", "华远科技", "华远", "有限公司", ""),
    ("广东华远科技有限公司", "广东", "华远科技", "华远", "有限公司", ""),
    ("广东省华远科技有限公司", "广东", "华远科技", "华远", "有限公司", ""),
    ("华远（深圳）科技有限公司", "广东/深圳", "华远科技", "华远", "有限公司", ""),
    ("内蒙古自治区华远实业有限公司", "内蒙古", "华远实业", "华远", "有限公司", ""),
    ("内蒙古包头华远实业有限公司", "内蒙古/包头", "华远实业", "华远", "有限公司", ""),
    ("广西壮族自治区南宁市华远贸易有限公司", "广西/南宁", "华远贸易", "华远", "有限公司", ""),
    ("新疆维吾尔自治区华远物流有限公司", "新疆", "华远物流", "华远", "有限公司", ""),
    ("香港特别行政区华远国际贸易有限公司", "香港", "华远国际贸易", "华远", "有限公司", ""),
    ("华远国际(香港)有限公司", "香港", "华远国际", "华远", "有限公司", ""),
    ("延边朝鲜族自治州华远食品有限公司", "吉林/延边", "华远食品", "华远", "有限公司", ""),
    ("延边州华远食品有限公司", "吉林/延边", "华远食品", "华远", "有限公司", ""),
    ("大兴安岭地区华远林业有限公司", "黑龙江/大兴安岭", "华远林业", "华远林业", "有限公司", ""),
    // Names that are also words.
    ("吉林华远化纤有限公司", "吉林", "华远化纤", "华远化纤", "有限公司", ""),
    ("吉林市华远化纤有限公司", "吉林/吉林", "华远化纤", "华远化纤", "有限公司", ""),
    ("吉林省吉林市华远化纤有限公司", "吉林/吉林", "华远化纤", "华远化纤", "有限公司", ""),
    ("海南华远旅游有限公司", "海南", "华远旅游", "华远", "有限公司", ""),
    ("青海海南州华远牧业有限公司", "青海/海南", "华远牧业", "华远牧业", "有限公司", ""),
    ("长春华远汽车有限公司", "吉林/长春", "华远汽车", "华远", "有限公司", ""),
    ("长城汽车股份有限公司", "", "长城汽车", "长城", "股份有限公司", ""),
    ("白城华远农业有限公司", "吉林/白城", "华远农业", "华远", "有限公司", ""),
    ("中山华远科技有限公司", "广东/中山", "华远科技", "华远", "有限公司", ""),
    ("阿里巴巴（中国）有限公司", "", "阿里巴巴", "阿里巴巴", "有限公司", ""),
    ("阿里云计算有限公司", "", "阿里云计算", "阿里云计算", "有限公司", ""),
    ("腾讯科技（深圳）有限公司", "广东/深圳", "腾讯科技", "腾讯", "有限公司", ""),
    ("深圳顺丰泰森控股（集团）有限公司", "广东/深圳", "顺丰泰森控股", "顺丰泰森", "集团有限公司", ""),
    ("西藏阿里华远商贸有限公司", "西藏/阿里", "华远商贸", "华远", "有限公司", ""),
    ("三明治餐饮管理有限公司", "", "三明治餐饮管理", "三明治", "有限公司", ""),
    ("北京有限公司", "", "北京", "北京", "有限公司", ""),
    ("北京华有限公司", "", "北京华", "北京华", "有限公司", ""),
    // Districts and zones after the city.
    ("北京市海淀区华远软件科技有限公司", "北京", "华远软件科技", "华远", "有限公司", ""),
    ("上海市浦东新区华远物流有限公司", "上海", "华远物流", "华远", "有限公司", ""),
    ("深圳市南山区华远科技有限公司", "广东/深圳", "华远科技", "华远", "有限公司", ""),
    ("苏州工业园区华远电子有限公司", "江苏/苏州", "华远电子", "华远", "有限公司", ""),
    ("保定市涞水县华远建材有限公司", "河北/保定", "华远建材", "华远", "有限公司", ""),
    ("北京华远区块链科技有限公司", "北京", "华远区块链科技", "华远区块链", "有限公司", ""),
    ("北京东方社区服务有限公司", "北京", "东方社区服务", "东方社区", "有限公司", ""),
    ("深圳华远园区管理有限公司", "广东/深圳", "华远园区管理", "华远园区", "有限公司", ""),
    ("北京华远区域物流有限公司", "北京", "华远区域物流", "华远区域", "有限公司", ""),
    ("苏州华远新区开发有限公司", "江苏/苏州", "华远新区开发", "华远新区", "有限公司", ""),
    ("上海市浦东新区华远开发有限公司", "上海", "华远开发", "华远", "有限公司", ""),
    ("北京市海淀区科技有限公司", "北京", "海淀区科技", "海淀区", "有限公司", ""),
    ("广东省广州市天河区华远贸易有限公司", "广东/广州", "华远贸易", "华远", "有限公司", ""),
    // Forms, longest first.
    ("华远软件股份有限公司", "", "华远软件", "华远", "股份有限公司", ""),
    ("华远集团有限公司", "", "华远", "华远", "集团有限公司", ""),
    ("华远集团股份有限公司", "", "华远", "华远", "集团股份有限公司", ""),
    ("华远（集团）有限公司", "", "华远", "华远", "集团有限公司", ""),
    ("华远集团(北京)有限公司", "北京", "华远", "华远", "集团有限公司", ""),
    ("华远集团", "", "华远", "华远", "集团", ""),
    ("中国华远集团有限公司", "", "中国华远", "中国华远", "集团有限公司", ""),
    ("华远公司", "", "华远", "华远", "公司", ""),
    ("华远创业投资合伙企业（有限合伙）", "", "华远创业投资", "华远", "合伙企业(有限合伙)", ""),
    ("华远投资中心(有限合伙)", "", "华远投资中心", "华远投资中心", "(有限合伙)", ""),
    ("北京华远律师事务所(普通合伙)", "北京", "华远律师", "华远律师", "事务所(普通合伙)", ""),
    ("华远个人独资企业", "", "华远", "华远", "个人独资企业", ""),
    ("华远设计工作室", "", "华远设计", "华远", "工作室", ""),
    ("华远五金商行", "", "华远五金", "华远", "商行", ""),
    ("华远建材经营部", "", "华远建材", "华远", "经营部", ""),
    ("华远家电维修服务部", "", "华远家电维修", "华远", "服务部", ""),
    ("华远机械厂", "", "华远机械", "华远", "厂", ""),
    ("有限公司", "", "", "", "有限公司", ""),
    // Branches.
    ("北京华远软件科技有限公司上海分公司", "北京", "华远软件科技", "华远", "有限公司", "上海分公司"),
    ("北京华远软件科技有限公司上海市分公司", "北京", "华远软件科技", "华远", "有限公司", "上海分公司"),
    ("华远科技有限公司第一分公司", "", "华远科技", "华远", "有限公司", "第一分公司"),
    ("华远科技有限公司分公司", "", "华远科技", "华远", "有限公司", "分公司"),
    ("华远科技上海分公司", "", "华远科技", "华远", "", "上海分公司"),
    // A national brand's branch (rules/reference/brands.toml): the brand and the branch's place
    // in pinyin, the place's region, the brand's form however written.
    ("招商银行股份有限公司深圳分行", "广东/深圳", "招商银行·shenzhen", "招商银行", "股份有限公司", "shenzhen"),
    ("招商银行北京分行", "北京", "招商银行·beijing", "招商银行", "股份有限公司", "beijing"),
    ("华远超市朝阳分店", "", "华远超市", "华远", "", "朝阳分店"),
    ("华远商贸有限公司广州办事处", "", "华远商贸", "华远", "有限公司", "广州办事处"),
    ("华远证券股份有限公司北京营业部", "", "华远证券", "华远证券", "股份有限公司", "北京营业部"),
    ("华远电器有限公司售后服务部", "", "华远电器", "华远", "有限公司", "售后服务部"),
    ("华远机械厂一分厂", "", "华远机械", "华远", "厂", "一分厂"),
    // A shop after the company's form, or in brackets of its own; on its own 店 is a form.
    ("宁波华远医药股份有限公司科苑路店", "浙江/宁波", "华远医药", "华远", "股份有限公司", "科苑路店"),
    ("常州市华远商贸有限公司(体育西路店)", "江苏/常州", "华远商贸", "华远", "有限公司", "体育西路店"),
    ("华远医药（枫林路店）", "", "华远医药", "华远", "", "枫林路店"),
    ("张记面店", "", "张记面", "张记面", "店", ""),
    // A user's remark in brackets at the end is not part of the name.
    ("华远科技有限公司（老客户）", "", "华远科技", "华远", "有限公司", ""),
    ("常州市华远商贸有限公司体育西路店(已合作)", "江苏/常州", "华远商贸", "华远", "有限公司", "体育西路店"),
    ("华远科技有限公司(停用)(重复)", "", "华远科技", "华远", "有限公司", ""),
    ("华远科技有限公司(原华远软件)", "", "华远科技", "华远", "有限公司", ""),
    ("华远科技有限公司（勿删）", "", "华远科技", "华远", "有限公司", ""),
    ("华远科技有限公司广州分公司（续约）", "", "华远科技", "华远", "有限公司", "广州分公司"),
    ("华远科技有限公司广州分公司（2023展会）", "", "华远科技", "华远", "有限公司", "广州分公司"),
    ("华远科技有限公司婺城区分公司（华东区）", "", "华远科技", "华远", "有限公司", "婺城区分公司"),
    ("华远科技有限公司（待核实）", "", "华远科技", "华远", "有限公司", ""),
    // A district named like a city elsewhere (中山区 in 大连, 朝阳区 in 北京) is a district.
    ("中山区老邓图文印刷部", "", "老邓图文印刷部", "老邓图文印刷部", "", ""),
    ("朝阳区华远科技有限公司", "", "华远科技", "华远", "有限公司", ""),
    ("中山华远科技有限公司", "广东/中山", "华远科技", "华远", "有限公司", ""),
    ("华远农业合作社", "", "华远农业", "华远", "合作社", ""),
    ("华远科技有限公司(北京)", "北京", "华远科技", "华远", "有限公司", ""),
    ("华远(总店)", "", "华远", "华远", "", ""),
    ("中国人寿保险股份有限公司北京市分公司海淀支公司", "", "中国人寿保险", "中国人寿", "股份有限公司", "北京市分公司海淀支公司"),
    ("华远（北京）科技有限公司上海分公司", "北京", "华远科技", "华远", "有限公司", "上海分公司"),
    ("北京市海淀区華遠軟件科技有限公司上海分公司", "北京", "华远软件科技", "华远", "有限公司", "上海分公司"),
    // Latin names, digits.
    ("Siemens (China) Co., Ltd.", "", "siemens", "siemens", "ltd", ""),
    ("SIEMENS LIMITED", "", "siemens", "siemens", "ltd", ""),
    ("Apple Inc.", "", "apple", "apple", "inc", ""),
    ("Huawei Technologies Co., Ltd.", "", "huaweitechnologies", "huawei", "ltd", ""),
    ("Tencent Holdings Limited", "", "tencentholdings", "tencent", "ltd", ""),
    ("Robert Bosch GmbH", "", "robertbosch", "robertbosch", "gmbh", ""),
    ("IBM中国有限公司", "", "ibm中国", "ibm中国", "有限公司", ""),
    ("58同城信息技术有限公司", "", "58同城信息技术", "58同城", "有限公司", ""),
    ("北京360安全科技股份有限公司", "北京", "360安全科技", "360安全", "股份有限公司", ""),
    // Odd brackets.
    ("华远(国际)贸易有限公司", "", "华远国际贸易", "华远", "有限公司", ""),
    ("深圳华远(香港)贸易有限公司", "广东/深圳", "华远香港贸易", "华远香港", "有限公司", ""),
    // A bracketed mainland region elsewhere than the leading one: the company is there, and
    // the leading place name is part of its name.
    ("北京同仁堂(亳州)药业有限责任公司", "安徽/亳州", "北京同仁堂药业", "北京同仁堂", "有限责任公司", ""),
    ("青海广告（厦门）有限公司", "福建/厦门", "青海广告", "青海", "有限公司", ""),
    ("厦门青海广告有限公司", "福建/厦门", "青海广告", "青海", "有限公司", ""),
    ("华远((北京)科技有限公司", "北京", "华远科技", "华远", "有限公司", ""),
    ("华远)科技有限公司", "", "华远科技", "华远", "有限公司", ""),
    ("华远科技()有限公司", "", "华远科技", "华远", "有限公司", ""),
    // Trade keeps two characters.
    ("华科技有限公司", "", "华科技", "华科技", "有限公司", ""),
    ("华电子商务有限公司", "", "华电子商务", "华电子", "有限公司", ""),
    ("", "", "", "", "", ""),
    ("  ", "", "", "", "", ""),
];

#[test]
fn company_keys_of_a_table_of_names() {
    let mut failures = Vec::new();
    for &(name, reg, core, trade, form, branch) in CASES {
        let k = key(name);
        let got = (
            k.region.clone(),
            k.core.as_str(),
            k.trade.as_str(),
            k.form.clone(),
            k.branch.clone(),
        );
        let want = (region(reg), core, trade, some(form), some(branch));
        // The database's key, worked out alone, is the key's canonical spelling.
        assert_eq!(canonical_name(name, &REGIONS), k.canonical(), "{name}");
        if got != want {
            failures.push(format!("{name}\n    got  {got:?}\n    want {want:?}"));
        }
    }
    assert!(CASES.len() >= 60);
    assert!(
        failures.is_empty(),
        "{} of {} names:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn company_spellings_share_region_and_core() {
    let names = [
        "北京华远软件科技有限公司",
        "华远软件科技(北京)有限公司",
        "华远软件科技（北京）有限公司",
        "北京市华远软件科技有限公司",
        "華遠軟件科技(北京)有限公司",
        "北京市海淀区华远软件科技有限公司",
    ];
    let first = key(names[0]);
    for name in names {
        let k = key(name);
        assert_eq!((&k.region, &k.core), (&first.region, &first.core), "{name}");
        assert_eq!(k.canonical(), "北京华远软件科技有限公司", "{name}");
    }
}

#[test]
fn company_region_comparisons() {
    let cmp = |a: &str, b: &str| compare_regions(key(a).region.as_ref(), key(b).region.as_ref());
    assert_eq!(
        cmp("北京华远软件科技有限公司", "上海华远软件科技有限公司"),
        RegionMatch::Different
    );
    assert_eq!(cmp("广东省深圳市华远", "深圳华远"), RegionMatch::Same);
    assert_eq!(cmp("广东华远", "深圳华远"), RegionMatch::Compatible);
    assert_eq!(cmp("深圳华远", "广东华远"), RegionMatch::Compatible);
    assert_eq!(cmp("深圳华远", "广州华远"), RegionMatch::Different);
    assert_eq!(cmp("深圳华远", "华远科技"), RegionMatch::Missing);
    assert_eq!(cmp("华远科技", "华远科技"), RegionMatch::Missing);
    assert_eq!(cmp("海南华远", "青海海南州华远"), RegionMatch::Different);
    assert_eq!(cmp("吉林华远", "吉林市华远"), RegionMatch::Compatible);
}

#[test]
fn company_form_classes() {
    assert_eq!(form_class("有限责任公司"), form_class("有限公司"));
    assert_eq!(form_class("集团有限责任公司"), "集团有限公司");
    assert_eq!(form_class("合伙企业(有限合伙)"), "合伙企业");
    assert_eq!(form_class("(普通合伙)"), "合伙企业");
    assert_ne!(form_class("股份有限公司"), form_class("有限公司"));
    assert_eq!(
        key("北京华远软件科技有限责任公司").form_class(),
        key("华远软件科技(北京)有限公司").form_class()
    );
    assert_eq!(key("华远").form_class(), None);
}

#[test]
fn company_regions_read_alone() {
    let r = |text: &str| REGIONS.region(text);
    assert_eq!(r("广东省深圳市"), region("广东/深圳"));
    assert_eq!(r("深圳"), region("广东/深圳"));
    assert_eq!(r("（北京）"), region("北京"));
    assert_eq!(r("北京市海淀区"), region("北京"));
    assert_eq!(r("華東"), None);
    assert_eq!(r(""), None);
}

/// Names made of the parts crmkit reads, in any order, with noise.
fn name_like() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[北京市上海广东省深圳吉林海南华遠远軟软件科技有限责任公司股份集团分办事处()（）【】 ·.,a-zA-Z0-9区县中国]{0,30}",
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn company_key_never_panics_and_is_idempotent(raw in prop_oneof![name_like(), any::<String>()]) {
        let first = key(&raw);
        let again = key(&first.normalized);
        prop_assert_eq!(&again, &first);
        prop_assert_eq!(canonical_name(&raw, &REGIONS), first.canonical());
        prop_assert!(first.core.is_empty() || first.core.chars().count() >= first.trade.chars().count());
        prop_assert!(!first.core.contains(['(', ')']));
    }
}
