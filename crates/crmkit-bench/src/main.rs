//! `crmkit-bench`: the tools behind `bench/run.sh`.
//!
//! - `gen-csv PATH ROWS`: a realistic 12-column customer CSV (UTF-8, ~190 bytes a row), messy
//!   the way exports are: about a third of the phones, dates, levels, industries and e-mails need
//!   a repair, and 3–4% of rows hold a value no repair can fix.
//! - `gen-xlsx PATH ROWS`: the same table as an .xlsx, phones as numbers, dates as date cells.
//! - `calamine PATH`: calamine's own bare read of the first sheet (the baseline).
//! - `crmkit-read PATH`: crmkit's read of the same file (open, render cells, find the header,
//!   map onto the customer template), without writing output.
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
    let usage = "usage: crmkit-bench gen-csv PATH ROWS | gen-xlsx PATH ROWS | calamine PATH | crmkit-read PATH";
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
        _ => return Err(usage.into()),
    }
    Ok(())
}
