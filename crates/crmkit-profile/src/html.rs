//! The HTML report: one self-contained file (inline CSS, inline SVG bar charts; no scripts, no
//! fonts, images or links to load) that opens offline and can be sent by e-mail. Every value
//! from the data is escaped; values that are personal data were masked by the profile.

use std::fmt::Write;

use crate::clusters::ClusterSizes;
use crate::profile::{Bucket, ColumnProfile, Profile, SCORE_FORMULA};
use crate::thresholds::{percent, Alert};

/// Bars in a length chart before neighbouring lengths are merged into ranges.
const MAX_BARS: usize = 24;

/// Characters of a chart label before it is cut with `…`.
const LABEL_CHARS: usize = 18;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1f2933;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d9e2ec;padding-bottom:4px}h3{font-size:16px;margin:0 0 6px}
.meta{color:#52606d;font-size:13px;margin:2px 0}
.score{font-size:40px;font-weight:700;margin:12px 0 0}.score small{font-size:14px;font-weight:400;color:#52606d}
.formula{color:#52606d;font-size:12px}
.alerts{background:#fde8e8;border:1px solid #e12d39;border-radius:6px;padding:8px 16px;margin:12px 0}
.alerts h2{border:0;color:#ab091e;margin:6px 0}.ok{background:#e3f9e5;border:1px solid #31b237;border-radius:6px;padding:8px 16px;margin:12px 0}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d9e2ec;padding:4px 8px;text-align:right}th{background:#f0f4f8}td.l,th.l{text-align:left}
.bad{color:#cf1124;font-weight:600}.up{color:#207227}.down{color:#cf1124}
.col{border:1px solid #d9e2ec;border-radius:6px;padding:12px;margin:14px 0}
.sides{display:flex;gap:16px;flex-wrap:wrap}.side{flex:1;min-width:380px}.side h4{margin:4px 0;color:#52606d;font-size:13px}
.charts{display:flex;gap:12px;flex-wrap:wrap}
svg.chart{background:#fafbfc;border:1px solid #eef2f6;border-radius:4px}
svg text{font-size:11px;fill:#1f2933}svg text.t{font-size:12px;font-weight:600}
";

/// Renders the report. `before` is the earlier file shown side by side with deltas, `clusters`
/// the dedupe cluster sizes, `alerts` the breached thresholds (from [`crate::check`]).
pub fn render_html(
    profile: &Profile,
    before: Option<&Profile>,
    clusters: Option<&ClusterSizes>,
    alerts: &[Alert],
) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!(
        "数据质量画像 · {} ({}) · {}",
        profile.title,
        profile.template,
        file_name(&profile.file)
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<h1>数据质量画像: {} ({})</h1>",
        esc(&profile.title),
        esc(&profile.template)
    );
    meta(&mut h, "文件", profile);
    if let Some(b) = before {
        meta(&mut h, "对比 (之前)", b);
    }
    let _ = write!(
        h,
        "<p class=\"score\" id=\"score\">总分 {}",
        percent(profile.score)
    );
    if let Some(b) = before {
        let _ = write!(
            h,
            " <small>之前 {} ({})</small>",
            percent(b.score),
            delta(profile.score - b.score)
        );
    }
    let _ = write!(h, "</p>\n<p class=\"formula\">{}</p>\n", esc(SCORE_FORMULA));
    if !profile.missing_required.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"bad\">缺少必填列: {} (未做校验, 有效率未知)</p>",
            esc(&profile.missing_required.join(", "))
        );
    }

    if alerts.is_empty() {
        h.push_str("<p class=\"ok\" id=\"alerts\">所有阈值均满足</p>\n");
    } else {
        let _ = write!(
            h,
            "<section class=\"alerts\" id=\"alerts\">\n<h2>告警 {} 条</h2>\n<ul>\n",
            alerts.len()
        );
        for a in alerts {
            let _ = writeln!(h, "<li>{}</li>", esc(&a.message));
        }
        h.push_str("</ul>\n</section>\n");
    }

    summary(&mut h, profile, before, alerts);
    if let Some(c) = clusters {
        cluster_section(&mut h, c);
    }

    h.push_str("<h2>各列详情</h2>\n");
    let absent: Vec<&str> = profile
        .columns
        .iter()
        .filter(|c| c.input_header.is_none() && !c.required)
        .map(|c| c.header.as_str())
        .collect();
    if !absent.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"meta\">输入中没有的选填列: {}</p>",
            esc(&absent.join(", "))
        );
    }
    for column in &profile.columns {
        if column.input_header.is_none() && !column.required {
            continue;
        }
        let earlier = before.and_then(|b| b.columns.iter().find(|c| c.key == column.key));
        let _ = write!(
            h,
            "<section class=\"col\" id=\"col-{}\">\n<h3>{}</h3>\n",
            esc(&column.key),
            esc(&column_title(column))
        );
        match earlier {
            Some(earlier) => {
                h.push_str("<div class=\"sides\">\n<div class=\"side before\">\n<h4>之前</h4>\n");
                column_body(&mut h, earlier, before.map_or(0, |b| b.rows));
                h.push_str("</div>\n<div class=\"side after\">\n<h4>之后</h4>\n");
                column_body(&mut h, column, profile.rows);
                h.push_str("</div>\n</div>\n");
            }
            None => column_body(&mut h, column, profile.rows),
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn meta(h: &mut String, label: &str, p: &Profile) {
    let sheet = p
        .sheet
        .as_ref()
        .map(|s| format!(" [{s}]"))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<p class=\"meta\">{label}: {}{} · 数据 {} 行</p>",
        esc(&p.file),
        esc(&sheet),
        p.rows
    );
}

fn column_title(c: &ColumnProfile) -> String {
    let mut t = format!("{} ({}, {}", c.header, c.key, c.kind);
    if c.required {
        t.push_str(", 必填");
    }
    t.push(')');
    match (&c.letter, &c.input_header) {
        (Some(letter), Some(input)) if input != &c.header => {
            let _ = write!(t, " · 输入 {letter} 列 \"{input}\"");
        }
        (Some(letter), _) => {
            let _ = write!(t, " · 输入 {letter} 列");
        }
        _ => t.push_str(" · 输入中没有这一列"),
    }
    t
}

fn opt_percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), percent)
}

/// `+5.0`, `−2.5`, `±0`: a difference of shares in percentage points.
fn delta(d: f64) -> String {
    let p = d * 100.0;
    if p.abs() < 0.05 {
        "±0".to_string()
    } else if p > 0.0 {
        format!("<span class=\"up\">+{p:.1}</span>")
    } else {
        format!("<span class=\"down\">−{:.1}</span>", -p)
    }
}

fn count_delta(now: usize, was: usize) -> String {
    match now.cmp(&was) {
        std::cmp::Ordering::Equal => "±0".to_string(),
        std::cmp::Ordering::Greater => format!("+{}", now - was),
        std::cmp::Ordering::Less => format!("−{}", was - now),
    }
}

fn summary(h: &mut String, p: &Profile, before: Option<&Profile>, alerts: &[Alert]) {
    h.push_str("<h2>字段概览</h2>\n<table id=\"summary\">\n<tr><th class=\"l\">列</th><th class=\"l\">字段</th><th class=\"l\">类型</th><th>完整率</th><th>有效率</th><th>唯一率</th><th>非空</th><th>空</th><th>无效</th><th>不同值</th><th>重复</th>");
    if before.is_some() {
        h.push_str("<th>完整率 Δ</th><th>有效率 Δ</th><th>不同值 Δ</th><th>重复 Δ</th>");
    }
    h.push_str("</tr>\n");
    for c in &p.columns {
        let breached = |metric: &str| {
            alerts
                .iter()
                .any(|a| a.key.as_deref() == Some(&c.key) && a.metric == metric)
        };
        let cell = |metric: &str, text: String| {
            if breached(metric) {
                format!("<td class=\"bad\">{text}</td>")
            } else {
                format!("<td>{text}</td>")
            }
        };
        let present = c.input_header.is_some();
        let _ = write!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}{}</td><td class=\"l\">{}</td>{}{}{}",
            esc(c.letter.as_deref().unwrap_or("—")),
            esc(&c.header),
            if c.required { " *" } else { "" },
            esc(&c.kind),
            cell(
                "completeness",
                if present {
                    percent(c.completeness)
                } else {
                    "缺列".into()
                }
            ),
            cell("validity", opt_percent(c.validity)),
            cell("uniqueness", opt_percent(c.uniqueness)),
        );
        let _ = write!(
            h,
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            c.filled, c.empty, c.invalid, c.distinct, c.duplicates
        );
        if let Some(b) = before {
            match b.columns.iter().find(|x| x.key == c.key) {
                Some(x) => {
                    let validity = match (c.validity, x.validity) {
                        (Some(now), Some(was)) => delta(now - was),
                        _ => "—".into(),
                    };
                    let _ = write!(
                        h,
                        "<td>{}</td><td>{validity}</td><td>{}</td><td>{}</td>",
                        delta(c.completeness - x.completeness),
                        count_delta(c.distinct, x.distinct),
                        count_delta(c.duplicates, x.duplicates)
                    );
                }
                None => h.push_str("<td>—</td><td>—</td><td>—</td><td>—</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<p class=\"formula\">* 必填字段。完整率 = 非空 / 行数; 有效率 = 非空且无错误 / 非空; 唯一率 = 不同值 / 非空; 重复 = 非空 − 不同值。红色: 低于阈值。</p>\n");
}

fn cluster_section(h: &mut String, c: &ClusterSizes) {
    let _ = write!(
        h,
        "<h2>去重结果: 簇大小分布</h2>\n<section id=\"clusters\">\n<p class=\"meta\">{} · 记录 {} 条, 实体 {} 个, 在多于 1 条的簇中的记录 {} 条</p>\n",
        esc(&c.file),
        c.records,
        c.entities,
        c.duplicate_records
    );
    let bars: Vec<(String, usize)> = c
        .sizes
        .iter()
        .map(|b| (format!("{} 条", b.size), b.count))
        .collect();
    h.push_str(&bar_chart("clusters", "簇大小 (每个实体的记录数)", &bars));
    h.push_str("<table><tr><th>簇大小</th><th>实体数</th><th>记录数</th></tr>\n");
    for b in &c.sizes {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            b.size,
            b.count,
            b.size * b.count
        );
    }
    h.push_str("</table>\n</section>\n");
}

fn column_body(h: &mut String, c: &ColumnProfile, rows: usize) {
    if c.input_header.is_none() {
        h.push_str("<p class=\"bad\">输入中没有这一列</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"meta nums\">行 {rows} · 非空 {} · 空 {} · 完整率 {} · 有效率 {} (无效 {}) · 不同值 {} · 重复 {} (涉及 {} 行) · 唯一率 {} · 形态 {} 种</p>",
        c.filled,
        c.empty,
        percent(c.completeness),
        opt_percent(c.validity),
        c.invalid,
        c.distinct,
        c.duplicates,
        c.duplicated_rows,
        opt_percent(c.uniqueness),
        c.distinct_patterns
    );
    if let Some(d) = &c.dates {
        let _ = writeln!(
            h,
            "<p class=\"meta dates\">日期范围: {} 至 {} · 可解析 {} · 无法解析 {}</p>",
            esc(d.min.as_deref().unwrap_or("—")),
            esc(d.max.as_deref().unwrap_or("—")),
            d.parsed,
            d.unparsed
        );
    }
    if c.filled == 0 {
        return;
    }
    h.push_str("<div class=\"charts\">\n");
    let top: Vec<(String, usize)> = c
        .top_values
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    h.push_str(&bar_chart("top", "最常见的值", &top));
    let lengths = length_bars(&c.lengths);
    h.push_str(&bar_chart("lengths", "长度分布 (字符数)", &lengths));
    let patterns: Vec<(String, usize)> = c
        .patterns
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    h.push_str(&bar_chart(
        "patterns",
        "形态分布 (9 数字, a 字母, 汉 汉字)",
        &patterns,
    ));
    if let Some(digits) = &c.digit_counts {
        let bars: Vec<(String, usize)> = digits
            .iter()
            .map(|b| (format!("{} 位", b.size), b.count))
            .collect();
        h.push_str(&bar_chart("digits", "数字位数分布", &bars));
    }
    h.push_str("</div>\n");
}

/// Length buckets as bars; more than [`MAX_BARS`] lengths are merged into equal ranges.
fn length_bars(lengths: &[Bucket]) -> Vec<(String, usize)> {
    if lengths.len() <= MAX_BARS {
        return lengths
            .iter()
            .map(|b| (b.size.to_string(), b.count))
            .collect();
    }
    let min = lengths.first().map_or(0, |b| b.size);
    let max = lengths.last().map_or(0, |b| b.size);
    let width = (max - min) / MAX_BARS + 1;
    let mut bars: Vec<(String, usize)> = Vec::new();
    let mut current: Option<(usize, usize)> = None; // (range start, count)
    for b in lengths {
        let start = min + (b.size - min) / width * width;
        match &mut current {
            Some((s, n)) if *s == start => *n += b.count,
            _ => {
                if let Some((s, n)) = current.take() {
                    bars.push((format!("{s}–{}", s + width - 1), n));
                }
                current = Some((start, b.count));
            }
        }
    }
    if let Some((s, n)) = current {
        bars.push((format!("{s}–{}", s + width - 1), n));
    }
    bars
}

/// A horizontal bar chart as inline SVG: one bar per item, label on the left, count on the
/// right, bars scaled to the largest count.
fn bar_chart(kind: &str, title: &str, items: &[(String, usize)]) -> String {
    const WIDTH: usize = 380;
    const LABEL: usize = 140;
    const BAR: usize = 170;
    const ROW: usize = 18;
    let height = 26 + ROW * items.len().max(1);
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" data-chart=\"{kind}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">\n<text class=\"t\" x=\"6\" y=\"15\">{}</text>\n",
        esc(title),
        esc(title)
    );
    if items.is_empty() {
        s.push_str("<text x=\"6\" y=\"36\">(无)</text>\n");
    }
    for (i, (label, n)) in items.iter().enumerate() {
        let y = 24 + i * ROW;
        let w = (n * BAR).div_ceil(max).max(1);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#3e7bfa\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\">{n}</text>",
            LABEL - 6,
            y + 12,
            esc(&cut(label)),
            LABEL,
            y + 2,
            ROW - 4,
            esc(label),
            LABEL + w + 4,
            y + 12,
        );
    }
    s.push_str("</svg>\n");
    s
}

fn cut(label: &str) -> String {
    // Spaces matter in shapes (`999 9999 9999`); show them as they are, never collapsed.
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let mut t: String = label.chars().take(LABEL_CHARS - 1).collect();
        t.push('…');
        t
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Escapes text for HTML content and attribute values; control characters become `�`.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{esc, length_bars};
    use crate::profile::Bucket;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn many_lengths_merge_into_ranges() {
        let lengths: Vec<Bucket> = (1..=100).map(|size| Bucket { size, count: 1 }).collect();
        let bars = length_bars(&lengths);
        assert!(bars.len() <= super::MAX_BARS);
        assert_eq!(bars.iter().map(|b| b.1).sum::<usize>(), 100);
        assert_eq!(bars[0].0, "1–5");
    }
}
