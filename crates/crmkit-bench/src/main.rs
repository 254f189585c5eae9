//! `crmkit-bench`: the tools behind `bench/run.sh`.
//!
//! - `gen-csv PATH ROWS`: a realistic 12-column customer CSV (UTF-8, ~190 bytes a row), messy
//!   the way exports are: about a third of the phones, dates, levels, industries and e-mails need
//!   a repair, and 3–4% of rows hold a value no repair can fix.
//! - `gen-xlsx PATH ROWS`: the same table as an .xlsx, phones as numbers, dates as date cells.
//! - `calamine PATH`: calamine's own bare read of the first sheet (the baseline).
//! - `crmkit-read PATH`: crmkit's read of the same file (open, render cells, find the header,
//!   map onto the customer template), without writing output.
//! - `company-keys N|PATH`: company match keys (`company::company_key`) for N generated names in
//!   the ways people write them (region leading or bracketed, districts, traditional
//!   characters, branches, Latin names), or for the 客户名称 column (else the first) of a CSV.
//!   Prints `names=N seconds=S names_per_s=R peak_rss_mb=M`; only the keys are timed.
//!
//! - `gen-followups CUSTOMERS.csv ROWS PATH`: a follow-up CSV of ROWS visits to the customers
//!   of a customer CSV, each naming its customer as that file writes it (so references go
//!   through dedupe's aliases), with distinct times per salesperson.
//!
//! Each timing command prints `rows=N seconds=S rows_per_s=R peak_rss_mb=M` on one line.

use std::io::BufWriter;
use std::path::Path;
use std::time::Instant;

use calamine::{open_workbook_auto, Reader};

const HEADER: [&str; 12] = [
    "客户编号",
    "客户名称",
    "联系人",
    "职位",
    "联系电话",
    "电子邮箱",
    "所属行业",
    "客户等级",
    "年采购额(万元)",
    "跟进状态",
    "下次跟进时间",
    "地址",
];
const REGIONS: [&str; 8] = [
    "北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京",
];
const CORES: [&str; 12] = [
    "华远", "腾飞", "天河", "恒信", "中科", "新创", "博远", "瑞丰", "鼎盛", "宏达", "金桥", "星辰",
];
const TRADES: [&str; 6] = ["软件科技", "电子", "物流", "贸易", "机械制造", "信息技术"];
const FORMS: [&str; 3] = ["有限公司", "股份有限公司", "有限责任公司"];
const SURNAMES: [&str; 10] = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN: [&str; 10] = ["伟", "娜", "强", "静", "洋", "敏", "磊", "军", "芳", "杰"];
const TITLES: [&str; 6] = [
    "总经理",
    "采购经理",
    "销售总监",
    "财务主管",
    "技术负责人",
    "行政",
];
const INDUSTRIES: [&str; 5] = [
    "制造业",
    "信息传输、软件和信息技术服务业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "建筑业",
];
const LEVELS: [&str; 3] = ["VIP", "重点", "普通"];
const STATUSES: [&str; 5] = ["初步接洽", "需求分析", "方案报价", "合同签订", "成交"];
const PREFIXES: [u64; 8] = [138, 139, 150, 186, 177, 199, 135, 158];

/// A small deterministic generator (xorshift64*), so every run writes the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

struct Customer {
    code: String,
    name: String,
    contact: String,
    title: &'static str,
    mobile: u64,
    email: String,
    industry: &'static str,
    purchase: f64,
    status: &'static str,
    /// Days since 2024-01-01 and minutes into the day.
    next: (u32, u32),
    address: String,
}

/// The level the purchase amount implies (VIP ≥ 50万, 重点 10–50万, 普通 < 10万).
fn level_for(purchase: f64) -> &'static str {
    if purchase >= 50.0 {
        LEVELS[0]
    } else if purchase >= 10.0 {
        LEVELS[1]
    } else {
        LEVELS[2]
    }
}

/// Writes a value the way a messy export does, for a share of rows: the cleaning work a real
/// file needs (separators and +86 on phones, other date forms, synonyms, codes for industries,
/// upper-case e-mails) and a few values no repair can fix.
fn messy(rng: &mut Rng, c: &Customer) -> [String; 5] {
    let m = c.mobile.to_string();
    let mobile = match rng.next() % 100 {
        0..=69 => m.clone(),
        70..=79 => format!("{} {} {}", &m[..3], &m[3..7], &m[7..]),
        80..=89 => format!("+86-{m}"),
        90..=97 => format!("{m}.0"),
        _ => m[..10].to_string(), // a digit lost: unrepairable
    };
    let when = date_text(c.next.0, c.next.1);
    let date = match rng.next() % 100 {
        0..=59 => when.clone(),
        60..=79 => when.replace('-', "/"),
        80..=94 => {
            let (d, t) = when.split_once(' ').unwrap_or((&when, "00:00"));
            let parts: Vec<&str> = d.split('-').collect();
            let (h, mi) = t.split_once(':').unwrap_or(("0", "0"));
            format!("{}年{}月{}日 {}时{}分", parts[0], parts[1], parts[2], h, mi)
        }
        95..=98 => when[..10].to_string(), // no time: unrepairable for a date-time field
        _ => when.replace("-0", "/").replacen('-', "/", 1),
    };
    let level = match rng.next() % 10 {
        0 => format!("{}客户", level_for(c.purchase)),
        _ => level_for(c.purchase).to_string(),
    };
    let industry = match rng.next() % 10 {
        0 => "C".to_string(),
        _ => c.industry.to_string(),
    };
    let email = match rng.next() % 10 {
        0 => c.email.to_uppercase(),
        _ => c.email.clone(),
    };
    [mobile, date, level, industry, email]
}

fn customer(rng: &mut Rng, i: u64) -> Customer {
    let region = rng.pick(&REGIONS);
    let core = rng.pick(&CORES);
    let mobile = PREFIXES[(rng.next() % 8) as usize] * 100_000_000 + rng.next() % 100_000_000;
    Customer {
        code: format!("KH{i:07}"),
        name: format!("{region}{core}{}{}", rng.pick(&TRADES), rng.pick(&FORMS)),
        contact: format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN)),
        title: rng.pick(&TITLES),
        mobile,
        email: format!("user{i}@example{}.com", rng.next() % 1000),
        industry: rng.pick(&INDUSTRIES),
        purchase: (rng.next() % 1_000) as f64 / 10.0,
        status: rng.pick(&STATUSES),
        next: (
            (rng.next() % 700) as u32,
            (8 * 60 + (rng.next() % 600)) as u32 / 30 * 30,
        ),
        address: format!("{region}市{}路{}号", rng.pick(&CORES), rng.next() % 999 + 1),
    }
}

fn date_text(days: u32, minutes: u32) -> String {
    let mut y = 2024u32;
    let mut d = days;
    loop {
        let len = if y.is_multiple_of(4) { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let months = [
        31,
        if y.is_multiple_of(4) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!(
        "{y}-{:02}-{:02} {:02}:{:02}",
        m + 1,
        d + 1,
        minutes / 60,
        minutes % 60
    )
}

fn gen_csv(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(path)?,
    ));
    out.write_record(HEADER)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..rows {
        let c = customer(&mut rng, i);
        let [mobile, date, level, industry, email] = messy(&mut rng, &c);
        out.write_record([
            c.code.as_str(),
            &c.name,
            &c.contact,
            c.title,
            &mobile,
            &email,
            &industry,
            &level,
            &c.purchase.to_string(),
            c.status,
            &date,
            &c.address,
        ])?;
    }
    out.flush()
}

fn gen_xlsx(path: &Path, rows: u64) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let datetime = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    for (col, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *h)?;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..rows {
        let c = customer(&mut rng, i);
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &c.code)?;
        sheet.write_string(r, 1, &c.name)?;
        sheet.write_string(r, 2, &c.contact)?;
        sheet.write_string(r, 3, c.title)?;
        sheet.write_number(r, 4, c.mobile as f64)?;
        sheet.write_string(r, 5, &c.email)?;
        sheet.write_string(r, 6, c.industry)?;
        sheet.write_string(r, 7, level_for(c.purchase))?;
        sheet.write_number(r, 8, c.purchase)?;
        sheet.write_string(r, 9, c.status)?;
        // Excel serial of 2024-01-01 is 45292.
        let serial = 45292.0 + c.next.0 as f64 + c.next.1 as f64 / 1440.0;
        sheet.write_number_with_format(r, 10, serial, &datetime)?;
        sheet.write_string(r, 11, &c.address)?;
    }
    workbook.save(path)
}

/// Company names written the many ways exports write them, deterministically.
fn company_names(count: usize) -> Vec<String> {
    const PLACES: [(&str, &str); 6] = [
        ("广东省", "深圳市"),
        ("江苏省", "苏州市"),
        ("浙江省", "杭州市"),
        ("四川省", "成都市"),
        ("湖北省", "武汉市"),
        ("山东省", "青岛市"),
    ];
    const DISTRICTS: [&str; 4] = ["海淀区", "朝阳区", "浦东新区", "南山区"];
    const TRADITIONAL: [&str; 4] = ["華遠軟件科技", "騰飛電子", "恆信貿易", "鼎盛機械製造"];
    const BRANCHES: [&str; 4] = ["上海分公司", "第一分公司", "广州办事处", "北京营业部"];
    const LATIN: [&str; 3] = [
        "Siemens (China) Co., Ltd.",
        "Huayuan Software Technology Co., Ltd.",
        "Apple Inc.",
    ];
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    (0..count)
        .map(|_| {
            let region = rng.pick(&REGIONS);
            let core = rng.pick(&CORES);
            let trade = rng.pick(&TRADES);
            let form = rng.pick(&FORMS);
            match rng.next() % 100 {
                0..=34 => format!("{region}{core}{trade}{form}"),
                35..=49 => format!("{core}{trade}（{region}）{form}"),
                50..=59 => format!("{region}市{core}{trade}{form}"),
                60..=67 => {
                    let (province, city) = PLACES[(rng.next() % 6) as usize];
                    format!("{province}{city}{core}{trade}{form}")
                }
                68..=75 => format!("{region}市{}{core}{trade}{form}", rng.pick(&DISTRICTS)),
                76..=81 => format!("{}({region}){form}", rng.pick(&TRADITIONAL)),
                82..=89 => format!("{region}{core}{trade}{form}{}", rng.pick(&BRANCHES)),
                90..=94 => format!("{core}{trade}集团有限公司"),
                _ => rng.pick(&LATIN).to_string(),
            }
        })
        .collect()
}

/// Follow-ups of the customers of `customers` (their names as written there).
fn gen_followups(
    customers: &Path,
    rows: usize,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    const METHODS: [&str; 6] = ["电话", "拜访", "微信", "邮件", "视频会议", "其他"];
    const SUMMARIES: [&str; 6] = [
        "介绍产品方案",
        "确认需求清单",
        "发送报价单",
        "商务谈判",
        "合同条款沟通",
        "售后回访",
    ];
    let names: Vec<String> = company_names_from(customers)?
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .collect();
    if names.is_empty() {
        return Err(format!("{}: no 客户名称", customers.display()).into());
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    out.write_all(
        "\u{FEFF}客户名称,跟进人,跟进时间,跟进方式,沟通内容摘要,客户反馈/需求,下一步计划\n"
            .as_bytes(),
    )?;
    for i in 0..rows {
        let name = &names[(rng.next() % names.len() as u64) as usize];
        let person = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
        // Distinct per row: minute i after 2024-01-01 00:00, so no two rows share a key
        // (1,000,000 rows end in late 2025, before any "today" a date rule checks against).
        let minutes = i as u64;
        let (y, m, d) = civil(19_723 + (minutes / 1440) as i64);
        let minute_of_day = minutes % 1440;
        writeln!(
            out,
            "\"{}\",{person},{y:04}-{m:02}-{d:02} {:02}:{:02},{},{},,",
            name.replace('"', "\"\""),
            minute_of_day / 60,
            minute_of_day % 60,
            rng.pick(&METHODS),
            rng.pick(&SUMMARIES),
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Days since 1970-01-01 → (year, month, day).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The 客户名称 column of a CSV (else its first column).
fn company_names_from(path: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let column = reader
        .headers()?
        .iter()
        .position(|h| h.trim_start_matches('\u{FEFF}') == "客户名称")
        .unwrap_or(0);
    let mut names = Vec::new();
    for record in reader.records() {
        names.push(record?.get(column).unwrap_or("").to_string());
    }
    Ok(names)
}

fn company_keys(source: &str) -> Result<(), Box<dyn std::error::Error>> {
    let names = match source.parse::<usize>() {
        Ok(count) => company_names(count),
        Err(_) => company_names_from(Path::new(source))?,
    };
    let regions = crmkit_core::company::Regions::builtin()?;
    // Warm the lazily built tables, so the timing is of the keys alone.
    crmkit_core::company::company_key("華遠(北京)有限公司", &regions);
    let started = Instant::now();
    let cpu_started = thread_cpu_seconds();
    let mut with_region = 0usize;
    for name in &names {
        let key = crmkit_core::company::company_key(name, &regions);
        with_region += usize::from(key.region.is_some());
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds() - cpu_started;
    println!(
        "names={} seconds={seconds:.3} names_per_s={:.0} cpu_seconds={cpu:.2} names_per_cpu_s={:.0} \
         peak_rss_mb={:.0} with_region={with_region}",
        names.len(),
        names.len() as f64 / seconds,
        names.len() as f64 / cpu,
        peak_rss_mb()
    );
    Ok(())
}

/// CPU time of this thread (user + system), from /proc (Linux), in steps of 10 ms: on a shared
/// machine the wall clock also counts time other processes had the core.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses: utime and stime are the
            // 12th and 13th of them.
            let rest = &s[s.rfind(')')? + 2..];
            let mut fields = rest.split_whitespace().skip(11);
            let user: f64 = fields.next()?.parse().ok()?;
            let system: f64 = fields.next()?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn report(rows: usize, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "rows={rows} seconds={seconds:.3} rows_per_s={:.0} peak_rss_mb={:.0}",
        rows as f64 / seconds,
        peak_rss_mb()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: crmkit-bench gen-csv PATH ROWS | gen-xlsx PATH ROWS | calamine PATH | crmkit-read PATH | company-keys N|PATH | gen-followups CUSTOMERS.csv ROWS PATH";
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["gen-csv", path, rows] => gen_csv(Path::new(path), rows.parse()?)?,
        ["gen-xlsx", path, rows] => gen_xlsx(Path::new(path), rows.parse()?)?,
        ["calamine", path] => {
            let started = Instant::now();
            let mut workbook = open_workbook_auto(path)?;
            let first = workbook.sheet_names()[0].clone();
            let range = workbook.worksheet_range(&first)?;
            let rows = range.height();
            report(rows.saturating_sub(1), started);
        }
        ["crmkit-read", path] => {
            let started = Instant::now();
            let template = crmkit_core::template::Template::resolve("customer")?;
            let imported = crmkit_core::import::import(
                Path::new(path),
                &template,
                &crmkit_core::import::ImportOptions::default(),
            )?;
            report(imported.rows.len(), started);
        }
        ["company-keys", source] => company_keys(source)?,
        ["gen-followups", customers, rows, path] => {
            gen_followups(Path::new(customers), rows.parse()?, Path::new(path))?
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
