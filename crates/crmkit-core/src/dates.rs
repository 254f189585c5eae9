//! Dates and date-times as Chinese CRM exports write them, normalised to `YYYY-MM-DD` and `HH:MM`
//! in China Standard Time (UTC+8).
//!
//! [`parse`] takes one cell's text (already NFKC-normalised, so full-width digits and punctuation
//! are half-width, and trimmed; inner spaces are fine) and returns the [`Date`] plus the [`Time`]
//! if one was written, or a [`DateProblem`] whose [`DateProblem::message`] is a one-sentence
//! Chinese explanation for the person who has to fix the cell.
//!
//! Dates accepted (any of them may be followed by a time):
//!
//! - year first: `2024-06-15`, `2024-6-5`, `2024/06/15`, `2024.6.15` (one separator, used twice;
//!   spaces around it are fine);
//! - Chinese: `2024年6月15日`, `2024年06月15号`, `2024 年 6 月 15 日`, `2024年6月15`, optionally
//!   with a weekday (`星期六`, `周六`, `礼拜天`, `(周六)`);
//! - compact: `20240615` (year 1900–2100), `20240615143000`, and with a space before a four- or
//!   six-digit time, `20240615 1430` and `20240615 143000`; twelve digits with no space
//!   (`202406151430`) are not accepted;
//! - Excel serial numbers written as text: `45458`, `45458.604166667`, only when the whole part
//!   is 1–2958465 and the date falls in 1950–2100 (otherwise the number is most likely not a
//!   date). Which date system the workbook uses is not in the text: pass it with
//!   [`parse_with`] (plain [`parse`] assumes the 1900 system);
//! - ISO date-times: `2024-06-15T14:30:00`, optionally with a UTC offset after it (see below);
//! - year last: `15/06/2024`, `06/15/2024`, `6/6/2024` (also with `-` or `.`). When both the
//!   day-first and the month-first reading are real and different dates (`06/05/2024`) the
//!   answer is [`DateProblem::Ambiguous`];
//! - English month names, three letters or full, any case: `15-Jun-2024`, `Jun 15 2024`,
//!   `June 15th, 2024`, `2024-Jun-15`, optionally after an English weekday (`Sat, Jun 15 2024`),
//!   and Java's `Date.toString()`, `Sat Jun 15 14:30:00 CST 2024`, where `CST` is China Standard
//!   Time (UTC+8), as a Java runtime in China writes it (any other zone name is
//!   [`DateProblem::Unrecognised`], except `UTC` and `GMT` with or without an offset).
//!
//! A weekday written with the date, in Chinese or English, before or after it or after the time,
//! must be the date's real weekday (`2024年6月15日 星期一` is [`DateProblem::WeekdayMismatch`]:
//! 2024-06-15 is a Saturday); it is then dropped.
//!
//! Times accepted after a date (separated by spaces, `T`, a comma, or nothing after `日`):
//! `14:30`, `9:05`, `14:30:59`, `14:30:00.000` (fraction dropped), `14时30分`, `14时`,
//! `14点30分`, `14点30`, `14点半`, `14时30分15秒`, `2:30 PM`, `2:30pm`, `2 p.m.`, and the Chinese
//! prefixes `上午`/`早上`/`凌晨` (like AM, so `上午 12:05` is 00:05 as Chinese Windows writes it),
//! `下午`/`傍晚` (like PM), `晚上` (like PM, but `晚上12点` is midnight, i.e. 24:00, which is
//! rejected) and `中午` (11 and 12 as written, 1–3 in the afternoon).
//!
//! Time zones: the result is always in China Standard Time (UTC+8). A time written without an
//! offset is taken as already being in it and kept as written. A time with an offset directly
//! after it, `Z`, `+08:00`, `+0800`, `+08`, `-05:00`, ` UTC`, ` GMT`, ` GMT+8`, ` UTC+08:00` (or
//! Java's ` CST`, see above), is converted to UTC+8, moving the date across midnight, a month end
//! or a year end when needed: `2024-06-15T06:30:00Z` is 2024-06-15 14:30,
//! `2024-06-14T16:00:00.000Z` is 2024-06-15 00:00, `2024-06-15T02:30:00-05:00` is
//! 2024-06-15 15:30, `2024-12-31T20:00:00Z` is 2025-01-01 04:00; seconds are kept. Offsets
//! must lie within ±14:00 with minutes below 60, otherwise the text is
//! [`DateProblem::Unrecognised`]. A minus sign right after `HH:MM` (no seconds, no `T` before the
//! time) is read as a time range, not an offset, so `2024-06-15 09:00-11:00` is
//! [`DateProblem::Unrecognised`] (`2024-06-15T09:00-05:00` and `2024-06-15 09:00:00-05:00` are
//! offsets). A weekday is checked against the date as written, before any conversion.
//!
//! Rejected on purpose: two-digit years (`24-6-15`, `15-Jun-24`: the century is a guess, so
//! [`DateProblem::TwoDigitYear`]); `24:00` (it is the next day's 00:00, so
//! [`DateProblem::InvalidTime`]); a date without a day (`2024-06`), a time without a date
//! (`14:30`), relative words (`明天`), Chinese numerals (`二〇二四年六月十五日`), numbers
//! separated only by spaces or underscores (`2024 06 15`), and Unix timestamps (`1718433000`:
//! indistinguishable from an ID, and the time zone is unknown), all
//! [`DateProblem::Unrecognised`]; so are four-digit times after anything but a compact date
//! (`2024-06-15 1430`).
//!
//! Nothing here panics, whatever the input.

use std::fmt;

/// A calendar date (proleptic Gregorian), year 1 to 9999.
///
/// [`Date::new`] only builds real dates. The fields are public for matching; a `Date` put
/// together by hand may be impossible, in which case the methods give meaningless (but never
/// panicking) answers. The derived ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, 1 to 9999.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, 1 to 28, 29, 30 or 31.
    pub day: u32,
}

/// A time of day, 00:00:00 to 23:59:59.
///
/// It is displayed as `HH:MM`: seconds are dropped, so a caller that writes the display form
/// should log a change whenever [`Time::second`] is not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// The hour, 0 to 23.
    pub hour: u32,
    /// The minute, 0 to 59.
    pub minute: u32,
    /// The second, 0 to 59. Kept from the input, dropped by `Display`.
    pub second: u32,
}

/// Which date system an Excel workbook uses; it decides which day a serial number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExcelEpoch {
    /// The 1900 system, Excel's default: serial 1 is 1900-01-01 (and serial 60 is the
    /// 1900-02-29 that never was).
    #[default]
    Y1900,
    /// The 1904 system of old Mac workbooks: serial 0 is 1904-01-01, 1462 days after the
    /// 1900 system.
    Y1904,
}

/// Why a text is not an acceptable date or date-time.
///
/// Not `Copy` (since [`DateProblem::WeekdayMismatch`] holds the weekday as written): clone it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DateProblem {
    /// Not a date in any accepted form (`明天`, `2024-06`, `abc`, `2024-06-15abc`).
    Unrecognised,
    /// A year-last date where day-first and month-first are both real dates (`06/05/2024`).
    Ambiguous {
        /// The day-first reading (`06/05/2024` → 2024-05-06).
        day_first: Date,
        /// The month-first reading (`06/05/2024` → 2024-06-05).
        month_first: Date,
    },
    /// Well-formed but no such day (`2024-02-30`, `2023-13-01`), with the numbers as written.
    /// (Also a real date-time whose conversion to UTC+8 leaves years 1–9999,
    /// `9999-12-31T20:00:00Z`, with the numbers of the converted date.)
    InvalidDate {
        /// The year as written.
        year: i32,
        /// The month as written.
        month: u32,
        /// The day as written.
        day: u32,
    },
    /// Well-formed but no such time (`25:00`, `14:61`, `24:00`, `13:00 AM`). The hour is in
    /// 24-hour form when AM/PM could be applied (`晚上12点` is reported as 24:00); a bad second
    /// (`14:30:60`) is reported with its hour and minute.
    InvalidTime {
        /// The hour.
        hour: u32,
        /// The minute as written.
        minute: u32,
    },
    /// The year has two digits (`24-6-15`, `6/15/24`), so the century would be a guess.
    TwoDigitYear,
    /// A real date written with a weekday that is not its weekday (`2024年6月15日 星期一`:
    /// 2024-06-15 is a Saturday), so either the date or the weekday is wrong.
    WeekdayMismatch {
        /// The date as written (its weekday is the real one).
        date: Date,
        /// The weekday as written, without brackets: `星期一`, `周一`, `礼拜天`, or English with
        /// the first letter capitalised, `Mon`, `Monday`.
        written: String,
    },
}

/// Parses a date, and the time if one was written after it, assuming Excel's 1900 date system
/// for serial numbers. Same as [`parse_with`] with [`ExcelEpoch::Y1900`].
pub fn parse(text: &str) -> Result<(Date, Option<Time>), DateProblem> {
    parse_with(text, ExcelEpoch::Y1900)
}

/// Parses a date, and the time if one was written after it (`None` when none was; a written
/// `00:00` is `Some`), reading
/// serial numbers in the given Excel date system. See the module documentation for the forms.
///
/// The text should already be NFKC-normalised and trimmed; surrounding whitespace is ignored
/// anyway. A time written with a UTC offset is converted to China Standard Time (UTC+8), which
/// may change the date. Problems are reported in this order: the shape
/// ([`DateProblem::Unrecognised`]), the year ([`DateProblem::TwoDigitYear`]), the date
/// ([`DateProblem::InvalidDate`], [`DateProblem::Ambiguous`]), the weekday
/// ([`DateProblem::WeekdayMismatch`]), then the time ([`DateProblem::InvalidTime`]).
pub fn parse_with(text: &str, epoch: ExcelEpoch) -> Result<(Date, Option<Time>), DateProblem> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_LEN {
        return Err(DateProblem::Unrecognised);
    }
    if let Some(result) = excel_serial_text(text, epoch) {
        return result;
    }
    let toks = tokenize(text);
    let written = structure(&toks).ok_or(DateProblem::Unrecognised)?;
    let date = resolve_date(written.date)?;
    // The weekday goes with the date as written, before any change of time zone.
    check_weekdays(date, &written.weekdays)?;
    let Some(raw_time) = written.time else {
        return Ok((date, None));
    };
    let time = resolve_time(raw_time)?;
    match raw_time.offset {
        Some(offset) => to_china_time(date, time, offset),
        None => Ok((date, Some(time))),
    }
}

/// Longer texts are not dates; the limit keeps the work per cell small.
const MAX_LEN: usize = 200;

/// The range of years a bare serial number or eight digits must fall in to count as a date.
const SERIAL_YEARS: std::ops::RangeInclusive<i32> = 1950..=2100;
const COMPACT_YEARS: std::ops::RangeInclusive<u32> = 1900..=2100;

/// The largest serial Excel accepts: 9999-12-31 in the 1900 system.
const MAX_SERIAL: u32 = 2_958_465;

/// China Standard Time, the zone of every result, in minutes east of UTC.
const CHINA_OFFSET: i32 = 8 * 60;

/// The largest UTC offset accepted, ±14:00, in minutes.
const MAX_OFFSET: u32 = 14 * 60;

/// Weekday names as the messages write them, Sunday first (index 0).
const CHINESE_WEEKDAYS: [&str; 7] = [
    "星期日",
    "星期一",
    "星期二",
    "星期三",
    "星期四",
    "星期五",
    "星期六",
];

impl Date {
    /// The date, if `year`-`month`-`day` exists (year 1–9999, leap years included).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The date of an Excel serial number; the fraction (the time of day) is ignored.
    ///
    /// In the 1900 system (`date1904 == false`) serial 1 is 1900-01-01 and serial 60, Excel's
    /// phantom 1900-02-29, gives `None`, as do serials below 1. In the 1904 system serial 0 is
    /// 1904-01-01. Serials past 9999-12-31, negative ones, NaN and infinities give `None`.
    pub fn from_excel_serial(serial: f64, date1904: bool) -> Option<Date> {
        // Also false for NaN and the infinities.
        if !(0.0..3_000_000.0).contains(&serial) {
            return None;
        }
        // In range, so the cast is exact after floor().
        let whole = serial.floor() as i64;
        let base = if date1904 {
            days_from_civil(1904, 1, 1)
        } else {
            match whole {
                ..=0 | 60 => return None,
                // Before the phantom day, serial 1 is 1900-01-01.
                1..=59 => days_from_civil(1899, 12, 31),
                _ => days_from_civil(1899, 12, 30),
            }
        };
        Date::from_days_since_epoch(base + whole)
    }

    /// Days since 1970-01-01 (negative before it): a plain number to compare or subtract.
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
    }

    /// The date `days` days after 1970-01-01, if it falls in years 1–9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let min = days_from_civil(1, 1, 1);
        let max = days_from_civil(9999, 12, 31);
        if !(min..=max).contains(&days) {
            return None;
        }
        let (year, month, day) = civil_from_days(days);
        Date::new(
            i32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        )
    }

    /// Today's date from the system clock, in China Standard Time (UTC+8).
    pub fn today() -> Date {
        // China Standard Time (UTC+8): the day the people using crmkit are living in.
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + 8 * 3600;
        Date::from_days_since_epoch((seconds / 86_400) as i64).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        })
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

/// `YYYY-MM-DD`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Time {
    /// The time, if `hour` is 0–23 and `minute` and `second` are 0–59.
    pub fn new(hour: u32, minute: u32, second: u32) -> Option<Time> {
        (hour < 24 && minute < 60 && second < 60).then_some(Time {
            hour,
            minute,
            second,
        })
    }
}

/// `HH:MM`; the seconds are dropped (the caller logs a change when they were not zero).
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl ExcelEpoch {
    /// The epoch for a workbook's `date1904` flag.
    pub fn from_date1904(date1904: bool) -> ExcelEpoch {
        if date1904 {
            ExcelEpoch::Y1904
        } else {
            ExcelEpoch::Y1900
        }
    }
}

impl DateProblem {
    /// One Chinese sentence naming `field`, what is wrong, the expected format and an example,
    /// e.g. `下次跟进时间 日期不存在: 2024年2月30日; 应为 YYYY-MM-DD HH:MM (例如 2024-06-15 14:30)`.
    /// `with_time` says whether the field takes a date-time (`YYYY-MM-DD HH:MM`) or a date.
    pub fn message(&self, field: &str, with_time: bool) -> String {
        let (format, example) = if with_time {
            ("YYYY-MM-DD HH:MM", "2024-06-15 14:30")
        } else {
            ("YYYY-MM-DD", "2024-06-15")
        };
        let expected = format!("应为 {format} (例如 {example})");
        match self {
            DateProblem::Unrecognised => {
                let what = if with_time { "日期时间" } else { "日期" };
                format!("{field} 无法识别为{what}; {expected}")
            }
            DateProblem::Ambiguous {
                day_first,
                month_first,
            } => format!(
                "{field} 日期有歧义: 可能是 {day_first} 也可能是 {month_first}, 请改为 {format} \
                 (例如 {example})"
            ),
            DateProblem::InvalidDate { year, month, day } => {
                format!("{field} 日期不存在: {year}年{month}月{day}日; {expected}")
            }
            DateProblem::InvalidTime { hour, minute } => format!(
                "{field} 时间不存在: {hour:02}:{minute:02} (小时应为 00-23, 分钟应为 00-59); \
                 {expected}"
            ),
            DateProblem::TwoDigitYear => {
                format!("{field} 年份只有两位, 无法确定是哪个世纪; {expected}")
            }
            DateProblem::WeekdayMismatch { date, written } => {
                let real = CHINESE_WEEKDAYS[weekday_of(*date)];
                // An English weekday gets its Chinese name too, so the clash is plain to see.
                let written = match english_weekday(&written.to_ascii_lowercase()) {
                    Some(index) => format!(" {written} ({})", CHINESE_WEEKDAYS[index]),
                    None => written.clone(),
                };
                format!("{field} {date} 是{real}, 但写的是{written}; 请核对日期, {expected}")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (Howard Hinnant's civil-from-days algorithms), all in i64 so that no
// input, however odd, overflows.

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9).rem_euclid(12);
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day of the week, 0 for Sunday to 6 for Saturday (1970-01-01 was a Thursday).
fn weekday_of(date: Date) -> usize {
    usize::try_from((date.days_since_epoch() + 4).rem_euclid(7)).unwrap_or(0)
}

/// The first weekday written that is not the date's.
fn check_weekdays(date: Date, weekdays: &[WrittenWeekday]) -> Result<(), DateProblem> {
    let real = weekday_of(date);
    match weekdays.iter().find(|written| written.index != real) {
        Some(written) => Err(DateProblem::WeekdayMismatch {
            date,
            written: written.text.clone(),
        }),
        None => Ok(()),
    }
}

/// `date` `time` at UTC`offset` (minutes east), as a date and time in UTC+8.
fn to_china_time(date: Date, time: Time, offset: i32) -> Result<(Date, Option<Time>), DateProblem> {
    let seconds = i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second)
        + i64::from(CHINA_OFFSET - offset) * 60;
    let days = date.days_since_epoch() + seconds.div_euclid(86_400);
    let seconds = u32::try_from(seconds.rem_euclid(86_400)).unwrap_or(0);
    let time = Time {
        hour: seconds / 3600,
        minute: seconds / 60 % 60,
        second: seconds % 60,
    };
    match Date::from_days_since_epoch(days) {
        Some(date) => Ok((date, Some(time))),
        // Only next to years 1 and 9999.
        None => {
            let (year, month, day) = civil_from_days(days);
            Err(DateProblem::InvalidDate {
                year: i32::try_from(year).unwrap_or(i32::MAX),
                month: u32::try_from(month).unwrap_or(0),
                day: u32::try_from(day).unwrap_or(0),
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Excel serials written as text.

/// `Some` when the text is a bare number (`45458`, `45458.6`): digits only, so it is either a
/// serial in range or not a date at all. `None` when the text has another shape.
fn excel_serial_text(
    text: &str,
    epoch: ExcelEpoch,
) -> Option<Result<(Date, Option<Time>), DateProblem>> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // Eight digits and more are compact dates or nothing; see `compact_date`.
    if whole.len() > 7 || !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return None;
    }
    Some(serial_date(whole, text, epoch).ok_or(DateProblem::Unrecognised))
}

fn serial_date(whole: &str, text: &str, epoch: ExcelEpoch) -> Option<(Date, Option<Time>)> {
    let serial = value(whole);
    if !(1..=MAX_SERIAL).contains(&serial) {
        return None;
    }
    let fraction = text.parse::<f64>().ok()?.fract();
    let mut date = Date::from_excel_serial(f64::from(serial), epoch == ExcelEpoch::Y1904)?;
    // Round to the second: 14:30 is often stored as 14:29:59.999.
    let mut seconds = (fraction * 86_400.0).round() as u32;
    if seconds >= 86_400 {
        date = Date::from_days_since_epoch(date.days_since_epoch() + 1)?;
        seconds = 0;
    }
    if !SERIAL_YEARS.contains(&date.year) {
        return None;
    }
    let time = (seconds > 0).then_some(Time {
        hour: seconds / 3600,
        minute: seconds / 60 % 60,
        second: seconds % 60,
    });
    Some((date, time))
}

// ---------------------------------------------------------------------------------------------
// Tokens and the little parser over them.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A run of ASCII digits, as written.
    Num(String),
    /// A run of ASCII letters, lower-cased.
    Word(String),
    /// A run of whitespace.
    Space,
    /// Any other character.
    Sym(char),
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut digits = String::from(c);
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            toks.push(Tok::Num(digits));
        } else if c.is_ascii_alphabetic() {
            let mut word = String::from(c.to_ascii_lowercase());
            while let Some(l) = chars.next_if(char::is_ascii_alphabetic) {
                word.push(l.to_ascii_lowercase());
            }
            toks.push(Tok::Word(word));
        } else if c.is_whitespace() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            toks.push(Tok::Space);
        } else {
            toks.push(Tok::Sym(c));
        }
    }
    toks
}

/// The value of a run of ASCII digits, saturating (callers bound the length anyway).
fn value(digits: &str) -> u32 {
    digits.bytes().fold(0u32, |acc, b| {
        acc.saturating_mul(10)
            .saturating_add(u32::from(b.wrapping_sub(b'0') % 10))
    })
}

/// A weekday written with the date.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WrittenWeekday {
    /// 0 for Sunday to 6 for Saturday.
    index: usize,
    /// As written, without brackets: `星期一`, `周一`, `Mon` (English capitalised).
    text: String,
}

struct Parser<'t> {
    toks: &'t [Tok],
    pos: usize,
    /// The weekdays read so far; [`Parser::attempt`] drops those of a failed attempt.
    weekdays: Vec<WrittenWeekday>,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.toks.get(self.pos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Runs `f`; if it fails, puts the position (and the weekdays read) back where they were.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.pos;
        let weekdays = self.weekdays.len();
        let result = f(self);
        if result.is_none() {
            self.pos = start;
            self.weekdays.truncate(weekdays);
        }
        result
    }

    /// Whether the token just before the current one is the `T` of an ISO date-time.
    fn after_t(&self) -> bool {
        let previous = self.pos.checked_sub(1).and_then(|i| self.toks.get(i));
        matches!(previous, Some(Tok::Word(word)) if word == "t")
    }

    fn spaces(&mut self) {
        while self.peek() == Some(&Tok::Space) {
            self.pos += 1;
        }
    }

    fn sym(&mut self, c: char) -> bool {
        let found = self.peek() == Some(&Tok::Sym(c));
        if found {
            self.pos += 1;
        }
        found
    }

    fn sym_of(&mut self, set: &str) -> Option<char> {
        match self.peek() {
            Some(Tok::Sym(c)) if set.contains(*c) => {
                self.pos += 1;
                Some(*c)
            }
            _ => None,
        }
    }

    /// A sequence of symbols, e.g. `星期`.
    fn text(&mut self, text: &str) -> bool {
        self.attempt(|p| text.chars().all(|c| p.sym(c)).then_some(()))
            .is_some()
    }

    /// A run of digits whose length is in `min..=max`.
    fn digits(&mut self, min: usize, max: usize) -> Option<&'t str> {
        match self.peek() {
            Some(Tok::Num(digits)) if (min..=max).contains(&digits.len()) => {
                self.pos += 1;
                Some(digits)
            }
            _ => None,
        }
    }

    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        self.digits(min, max).map(value)
    }

    fn word(&mut self) -> Option<&'t str> {
        match self.peek() {
            Some(Tok::Word(word)) => {
                self.pos += 1;
                Some(word)
            }
            _ => None,
        }
    }

    fn word_is(&mut self, expected: &str) -> bool {
        self.attempt(|p| (p.word()? == expected).then_some(()))
            .is_some()
    }
}

/// A date as written, before checking the calendar.
#[derive(Debug, Clone, Copy)]
enum RawDate {
    Ymd(u32, u32, u32),
    /// `a/b/yyyy`: day-first or month-first.
    YearLast {
        a: u32,
        b: u32,
        year: u32,
    },
    TwoDigitYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    None,
    Am,
    Pm,
    /// 中午.
    Noon,
    /// 晚上: like PM, but 12 is midnight.
    Evening,
}

/// A time as written, before checking the clock.
#[derive(Debug, Clone, Copy)]
struct RawTime {
    hour: u32,
    minute: u32,
    second: u32,
    meridiem: Meridiem,
    /// The UTC offset written after the time, in minutes east of UTC.
    offset: Option<i32>,
}

/// Everything the text says, before checking the calendar and the clock.
struct Written {
    date: RawDate,
    time: Option<RawTime>,
    weekdays: Vec<WrittenWeekday>,
}

type DateForm = fn(&mut Parser<'_>) -> Option<RawDate>;

/// The shape of the whole text: a date, maybe a time and weekdays, nothing else.
fn structure(toks: &[Tok]) -> Option<Written> {
    let compact = match toks {
        [Tok::Num(digits)] if digits.len() == 14 => Some((digits.get(..8)?, digits.get(8..)?)),
        [Tok::Num(date), Tok::Space, Tok::Num(time)]
            if date.len() == 8 && matches!(time.len(), 4 | 6) =>
        {
            Some((date.as_str(), time.as_str()))
        }
        _ => None,
    };
    if let Some((date, time)) = compact {
        let (date, time) = compact_date_time(date, time)?;
        return Some(Written {
            date,
            time: Some(time),
            weekdays: Vec::new(),
        });
    }
    let forms: [DateForm; 6] = [
        numeric_date,
        chinese_date,
        compact_date,
        month_name_first,
        day_then_month_name,
        year_then_month_name,
    ];
    let mut p = Parser {
        toks,
        pos: 0,
        weekdays: Vec::new(),
    };
    weekday_before(&mut p);
    let start = p.pos;
    let found = p.attempt(month_day_time_year).or_else(|| {
        forms.iter().find_map(|form| {
            p.pos = start;
            p.attempt(|p| {
                let date = form(p)?;
                let time = rest(p)?;
                Some((date, time))
            })
        })
    });
    let (date, time) = found?;
    Some(Written {
        date,
        time,
        weekdays: p.weekdays,
    })
}

/// Everything after the date: weekday, time, weekday, end.
fn rest(p: &mut Parser<'_>) -> Option<Option<RawTime>> {
    weekday_after(p);
    let time = p.attempt(|p| {
        if !p.word_is("t") {
            p.spaces();
            p.sym(',');
            p.spaces();
        }
        time(p)
    });
    if time.is_some() {
        weekday_after(p);
    }
    p.spaces();
    p.at_end().then_some(time)
}

/// `20240615143000`, `20240615 1430`, `20240615 143000`: eight digits of date and four or six
/// of time.
fn compact_date_time(date: &str, time: &str) -> Option<(RawDate, RawTime)> {
    let part = |digits: &str, range: std::ops::Range<usize>| digits.get(range).map(value);
    let year = part(date, 0..4)?;
    if !COMPACT_YEARS.contains(&year) {
        return None;
    }
    let date = RawDate::Ymd(year, part(date, 4..6)?, part(date, 6..8)?);
    let time = RawTime {
        hour: part(time, 0..2)?,
        minute: part(time, 2..4)?,
        second: part(time, 4..6).unwrap_or(0),
        meridiem: Meridiem::None,
        offset: None,
    };
    Some((date, time))
}

/// `2024-06-15`, `15/06/2024`, `24-6-15`: three numbers, one separator used twice.
fn numeric_date(p: &mut Parser<'_>) -> Option<RawDate> {
    let first = p.digits(1, 4)?;
    p.spaces();
    let sep = p.sym_of("-/.")?;
    p.spaces();
    let middle = p.num(1, 2)?;
    p.spaces();
    if !p.sym(sep) {
        return None;
    }
    p.spaces();
    let last = p.digits(1, 4)?;
    match (first.len(), last.len()) {
        (4, 1..=2) => Some(RawDate::Ymd(value(first), middle, value(last))),
        (1..=2, 4) => Some(RawDate::YearLast {
            a: value(first),
            b: middle,
            year: value(last),
        }),
        (1..=2, 1..=2) => Some(RawDate::TwoDigitYear),
        _ => None,
    }
}

/// `2024年6月15日`, `2024 年 06 月 15 号`, `24年6月15日`.
fn chinese_date(p: &mut Parser<'_>) -> Option<RawDate> {
    let year = p.digits(2, 4)?;
    p.spaces();
    p.sym_of("年")?;
    p.spaces();
    let month = p.num(1, 2)?;
    p.spaces();
    p.sym_of("月")?;
    p.spaces();
    let day = p.num(1, 2)?;
    p.attempt(|p| {
        p.spaces();
        p.sym_of("日号號")
    });
    match year.len() {
        4 => Some(RawDate::Ymd(value(year), month, day)),
        2 => Some(RawDate::TwoDigitYear),
        _ => None,
    }
}

/// `20240615`, years 1900–2100 only.
fn compact_date(p: &mut Parser<'_>) -> Option<RawDate> {
    let digits = p.digits(8, 8)?;
    let part = |range: std::ops::Range<usize>| digits.get(range).map(value);
    let year = part(0..4)?;
    COMPACT_YEARS
        .contains(&year)
        .then_some(RawDate::Ymd(year, part(4..6)?, part(6..8)?))
}

fn month_from_word(word: &str) -> Option<u32> {
    const MONTHS: [(&str, &str); 12] = [
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may", "may"),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ];
    let index = MONTHS.iter().position(|(short, full)| {
        word == *short || word == *full || (*short == "sep" && word == "sept")
    })?;
    u32::try_from(index + 1).ok()
}

/// `Jun`, `June`, `JUN.`.
fn month_name(p: &mut Parser<'_>) -> Option<u32> {
    let month = month_from_word(p.word()?)?;
    p.sym('.');
    Some(month)
}

/// Between the parts of an English date: spaces and at most one of `-/.,`.
fn english_separator(p: &mut Parser<'_>) {
    p.spaces();
    p.sym_of("-/.,");
    p.spaces();
}

/// `15`, `15th`, `1st`.
fn english_day(p: &mut Parser<'_>) -> Option<u32> {
    let day = p.num(1, 2)?;
    p.attempt(|p| p.word().filter(|w| ["st", "nd", "rd", "th"].contains(w)));
    Some(day)
}

/// The year of an English date; two digits make the whole date a [`RawDate::TwoDigitYear`].
fn english_year(p: &mut Parser<'_>) -> Option<Option<u32>> {
    let year = p.digits(2, 4)?;
    match year.len() {
        4 => Some(Some(value(year))),
        2 => Some(None),
        _ => None,
    }
}

fn english_date(year: Option<u32>, month: u32, day: u32) -> RawDate {
    match year {
        Some(year) => RawDate::Ymd(year, month, day),
        None => RawDate::TwoDigitYear,
    }
}

/// `Sat Jun 15 14:30:00 CST 2024` (Java's `Date.toString()`, after the weekday) and
/// `Sat Jun 15 14:30:00 2024` (C's `asctime`): the time sits inside the date. `CST` is China
/// Standard Time, UTC+8; `UTC`, `GMT` and `GMT+08:00` are read by [`colon_time`]; any other
/// zone name fails. The whole text, up to the end.
fn month_day_time_year(p: &mut Parser<'_>) -> Option<(RawDate, Option<RawTime>)> {
    let month = month_name(p)?;
    p.spaces();
    let day = p.num(1, 2)?;
    p.spaces();
    let mut time = colon_time(p, None)?;
    p.spaces();
    if time.offset.is_none() && p.word_is("cst") {
        time.offset = Some(CHINA_OFFSET);
        p.spaces();
    }
    let year = p.num(4, 4)?;
    p.spaces();
    p.at_end()
        .then_some((RawDate::Ymd(year, month, day), Some(time)))
}

/// `Jun 15 2024`, `June 15th, 2024`, `Jun-15-2024`.
fn month_name_first(p: &mut Parser<'_>) -> Option<RawDate> {
    let month = month_name(p)?;
    english_separator(p);
    let day = english_day(p)?;
    english_separator(p);
    let year = english_year(p)?;
    Some(english_date(year, month, day))
}

/// `15-Jun-2024`, `15 June 2024`, `15-Jun-24`.
fn day_then_month_name(p: &mut Parser<'_>) -> Option<RawDate> {
    let day = english_day(p)?;
    english_separator(p);
    let month = month_name(p)?;
    english_separator(p);
    let year = english_year(p)?;
    Some(english_date(year, month, day))
}

/// `2024-Jun-15`, `2024 June 15`.
fn year_then_month_name(p: &mut Parser<'_>) -> Option<RawDate> {
    let year = p.num(4, 4)?;
    english_separator(p);
    let month = month_name(p)?;
    english_separator(p);
    let day = english_day(p)?;
    Some(RawDate::Ymd(year, month, day))
}

/// The weekday (0 for Sunday) of a lower-case English name: `sat`, `saturday`, `thurs`.
fn english_weekday(word: &str) -> Option<usize> {
    const ENGLISH: [(&str, usize); 17] = [
        ("sun", 0),
        ("sunday", 0),
        ("mon", 1),
        ("monday", 1),
        ("tue", 2),
        ("tues", 2),
        ("tuesday", 2),
        ("wed", 3),
        ("wednesday", 3),
        ("thu", 4),
        ("thur", 4),
        ("thurs", 4),
        ("thursday", 4),
        ("fri", 5),
        ("friday", 5),
        ("sat", 6),
        ("saturday", 6),
    ];
    ENGLISH
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, index)| *index)
}

/// `星期六`, `周日`, `礼拜天`, `Sat`, `Saturday`.
fn weekday(p: &mut Parser<'_>) -> Option<WrittenWeekday> {
    const PREFIXES: [&str; 5] = ["星期", "礼拜", "禮拜", "周", "週"];
    let chinese = p.attempt(|p| {
        let prefix = PREFIXES.into_iter().find(|prefix| p.text(prefix))?;
        let day = p.sym_of("日天一二三四五六")?;
        let index = match day {
            '日' | '天' => 0,
            _ => "一二三四五六".chars().position(|c| c == day)? + 1,
        };
        Some(WrittenWeekday {
            index,
            text: format!("{prefix}{day}"),
        })
    });
    chinese.or_else(|| {
        p.attempt(|p| {
            let word = p.word()?;
            let index = english_weekday(word)?;
            p.sym('.');
            let mut text = word.to_string();
            if let Some(first) = text.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            Some(WrittenWeekday { index, text })
        })
    })
}

/// A weekday after the date or time: ` 星期六`, `(周六)`, `, Saturday`.
fn weekday_after(p: &mut Parser<'_>) {
    p.attempt(|p| {
        p.spaces();
        p.sym(',');
        p.spaces();
        let paren = p.sym('(');
        p.spaces();
        let written = weekday(p)?;
        p.spaces();
        (!paren || p.sym(')')).then_some(())?;
        p.weekdays.push(written);
        Some(())
    });
}

/// A weekday before the date: `Sat, `, `星期六 `.
fn weekday_before(p: &mut Parser<'_>) {
    p.attempt(|p| {
        let written = weekday(p)?;
        p.sym(',');
        p.spaces();
        p.weekdays.push(written);
        Some(())
    });
}

fn chinese_meridiem(p: &mut Parser<'_>) -> Option<Meridiem> {
    const PREFIXES: [(&str, Meridiem); 10] = [
        ("上午", Meridiem::Am),
        ("早上", Meridiem::Am),
        ("早晨", Meridiem::Am),
        ("凌晨", Meridiem::Am),
        ("中午", Meridiem::Noon),
        ("下午", Meridiem::Pm),
        ("傍晚", Meridiem::Pm),
        ("晚上", Meridiem::Evening),
        ("夜里", Meridiem::Evening),
        ("夜间", Meridiem::Evening),
    ];
    PREFIXES
        .iter()
        .find_map(|(text, meridiem)| p.text(text).then_some(*meridiem))
}

/// `am`, `PM`, `a.m.`, `p.m`.
fn english_meridiem(p: &mut Parser<'_>) -> Option<Meridiem> {
    p.attempt(|p| {
        let meridiem = match p.word()? {
            "am" => Meridiem::Am,
            "pm" => Meridiem::Pm,
            letter @ ("a" | "p") => {
                if !(p.sym('.') && p.word_is("m")) {
                    return None;
                }
                p.sym('.');
                if letter == "a" {
                    Meridiem::Am
                } else {
                    Meridiem::Pm
                }
            }
            _ => return None,
        };
        Some(meridiem)
    })
}

/// `14:30`, `下午 2:30:00`, `2:30 PM`, `14点半`, `2 pm`, `14:30:00+08:00`.
fn time(p: &mut Parser<'_>) -> Option<RawTime> {
    let prefix = chinese_meridiem(p);
    if prefix.is_some() {
        p.spaces();
    }
    if let Some(time) = p.attempt(|p| colon_time(p, prefix)) {
        return Some(time);
    }
    if let Some((hour, minute, second)) = p.attempt(chinese_time) {
        return Some(RawTime {
            hour,
            minute,
            second,
            meridiem: prefix.unwrap_or(Meridiem::None),
            offset: None,
        });
    }
    if prefix.is_some() {
        return None;
    }
    // `2 PM`: an hour alone needs AM/PM.
    let hour = p.num(1, 2)?;
    p.spaces();
    let meridiem = english_meridiem(p)?;
    Some(RawTime {
        hour,
        minute: 0,
        second: 0,
        meridiem,
        offset: None,
    })
}

/// `14:30`, `14:30:59`, `14:30:00.000`, then AM/PM or a UTC offset.
fn colon_time(p: &mut Parser<'_>, prefix: Option<Meridiem>) -> Option<RawTime> {
    let after_t = p.after_t();
    let hour = p.num(1, 2)?;
    p.sym_of(":")?;
    let minute = p.num(2, 2)?;
    let second = p.attempt(|p| {
        p.sym_of(":")?;
        let second = p.num(2, 2)?;
        // Fractions of a second are dropped.
        p.attempt(|p| {
            p.sym_of(".")?;
            p.digits(1, usize::MAX)
        });
        Some(second)
    });
    let meridiem = match prefix {
        Some(meridiem) => meridiem,
        None => p
            .attempt(|p| {
                p.spaces();
                english_meridiem(p)
            })
            .unwrap_or(Meridiem::None),
    };
    // `09:00-11:00` is a time range; `T09:00-05:00` and `09:00:00-05:00` have an offset.
    let offset = (meridiem == Meridiem::None)
        .then(|| zone(p, after_t || second.is_some()))
        .flatten();
    Some(RawTime {
        hour,
        minute,
        second: second.unwrap_or(0),
        meridiem,
        offset,
    })
}

/// `14时`, `14时30分`, `14点30`, `14点半`, `9点整`, `3点钟`, `14时30分15秒`.
fn chinese_time(p: &mut Parser<'_>) -> Option<(u32, u32, u32)> {
    let hour = p.num(1, 2)?;
    p.sym_of("时時点點")?;
    if p.sym('半') {
        return Some((hour, 30, 0));
    }
    if p.sym('整') {
        return Some((hour, 0, 0));
    }
    let Some(minute) = p.num(1, 2) else {
        p.sym_of("钟鐘");
        return Some((hour, 0, 0));
    };
    if !p.sym('分') {
        return Some((hour, minute, 0));
    }
    let second = p
        .attempt(|p| {
            let second = p.num(1, 2)?;
            p.sym('秒').then_some(second)
        })
        .unwrap_or(0);
    Some((hour, minute, second))
}

/// A UTC offset after the time, in minutes east of UTC: `Z`, `+08:00`, `+0800`, `-05`, ` UTC`,
/// ` GMT+8`, ` UTC-05:00`. A bare offset starting with `-` only when `minus` allows it.
fn zone(p: &mut Parser<'_>, minus: bool) -> Option<i32> {
    p.attempt(|p| {
        p.spaces();
        if p.word_is("z") {
            return Some(0);
        }
        if p.word_is("utc") || p.word_is("gmt") {
            return Some(p.attempt(offset).unwrap_or(0));
        }
        if !minus && p.peek() == Some(&Tok::Sym('-')) {
            return None;
        }
        offset(p)
    })
}

/// `+08:00`, `+0800`, `+8`, `-05`: within ±14:00, minutes below 60.
fn offset(p: &mut Parser<'_>) -> Option<i32> {
    let sign = if p.sym_of("+-")? == '-' { -1 } else { 1 };
    let digits = p.digits(1, 4)?;
    let (hours, minutes) = match digits.len() {
        1 | 2 => {
            let minutes = p.attempt(|p| {
                p.sym_of(":")?;
                p.num(2, 2)
            });
            (value(digits), minutes.unwrap_or(0))
        }
        4 => (digits.get(..2).map(value)?, digits.get(2..).map(value)?),
        _ => return None,
    };
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MAX_OFFSET {
        return None;
    }
    Some(sign * i32::try_from(total).ok()?)
}

fn resolve_date(raw: RawDate) -> Result<Date, DateProblem> {
    let checked = |year: u32, month: u32, day: u32| {
        let year = i32::try_from(year).unwrap_or(i32::MAX);
        Date::new(year, month, day).ok_or(DateProblem::InvalidDate { year, month, day })
    };
    match raw {
        RawDate::TwoDigitYear => Err(DateProblem::TwoDigitYear),
        RawDate::Ymd(year, month, day) => checked(year, month, day),
        RawDate::YearLast { a, b, year } => match (checked(year, b, a), checked(year, a, b)) {
            (Ok(day_first), Ok(month_first)) if day_first == month_first => Ok(day_first),
            (Ok(day_first), Ok(month_first)) => Err(DateProblem::Ambiguous {
                day_first,
                month_first,
            }),
            (Ok(date), Err(_)) | (Err(_), Ok(date)) => Ok(date),
            // Neither exists: report the reading whose month at least is a month.
            (Err(day_first), Err(month_first)) => {
                if (1..=12).contains(&a) && !(1..=12).contains(&b) {
                    Err(month_first)
                } else {
                    Err(day_first)
                }
            }
        },
    }
}

fn resolve_time(raw: RawTime) -> Result<Time, DateProblem> {
    let RawTime {
        hour,
        minute,
        second,
        meridiem,
        offset: _,
    } = raw;
    let hour24 = match (meridiem, hour) {
        (Meridiem::None, _) => Some(hour),
        (Meridiem::Am, 12) => Some(0),
        (Meridiem::Am, 0..=11) => Some(hour),
        (Meridiem::Noon, 11 | 12) => Some(hour),
        (Meridiem::Noon, 1..=3) => Some(hour + 12),
        (Meridiem::Pm | Meridiem::Evening, 1..=11) => Some(hour + 12),
        (Meridiem::Pm, 12) => Some(12),
        (Meridiem::Evening, 12) => Some(24),
        (Meridiem::Pm | Meridiem::Evening, 13..=23) => Some(hour),
        _ => None,
    };
    hour24
        .and_then(|h| Time::new(h, minute, second))
        .ok_or(DateProblem::InvalidTime {
            hour: hour24.unwrap_or(hour),
            minute,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact rendering of a result, for table-driven tests.
    fn render(result: Result<(Date, Option<Time>), DateProblem>) -> String {
        match result {
            Ok((date, None)) => date.to_string(),
            Ok((date, Some(t))) => {
                format!("{date} {t}:{:02}", t.second)
            }
            Err(DateProblem::Unrecognised) => "unrecognised".to_string(),
            Err(DateProblem::Ambiguous {
                day_first,
                month_first,
            }) => format!("ambiguous {day_first} {month_first}"),
            Err(DateProblem::InvalidDate { year, month, day }) => {
                format!("invalid date {year}-{month}-{day}")
            }
            Err(DateProblem::InvalidTime { hour, minute }) => {
                format!("invalid time {hour}:{minute}")
            }
            Err(DateProblem::TwoDigitYear) => "two-digit year".to_string(),
            Err(DateProblem::WeekdayMismatch { date, written }) => {
                format!("weekday {date} {written}")
            }
        }
    }

    const U: &str = "unrecognised";
    const D: &str = "2024-06-15";
    const DT: &str = "2024-06-15 14:30:00";

    const CASES: &[(&str, &str)] = &[
        // Year first, numeric.
        ("2024-06-15", D),
        ("2024-6-5", "2024-06-05"),
        ("2024/06/15", D),
        ("2024/6/15", D),
        ("2024.6.15", D),
        ("2024.06.15", D),
        ("2024 - 06 - 15", D),
        ("  2024-06-15  ", D),
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31", "9999-12-31"),
        ("2024_06_15", U),
        ("2024 06 15", U),
        ("2024-06/15", U),
        ("2024-006-15", U),
        ("202-06-15", U),
        ("20240-06-15", U),
        ("2024-06-150", U),
        ("2024-06-15-", U),
        ("2024--06-15", U),
        // Chinese.
        ("2024年6月15日", D),
        ("2024年06月15号", D),
        ("2024年6月15號", D),
        ("2024年6月15日 星期六", D),
        ("2024年6月15日星期六", D),
        ("2024年6月15日 周六", D),
        ("2024年6月15日(周六)", D),
        ("2024年6月16日 (星期天)", "2024-06-16"),
        ("2024年6月16日 (星期日)", "2024-06-16"),
        ("2024年6月16日 礼拜天", "2024-06-16"),
        ("2024年6月16日 週日", "2024-06-16"),
        ("2024年6月15日 礼拜六", D),
        ("星期六 2024年6月15日", D),
        ("2024年6月15日 星期一", "weekday 2024-06-15 星期一"),
        ("2024年6月15日星期五", "weekday 2024-06-15 星期五"),
        ("2024年6月15日 周日", "weekday 2024-06-15 周日"),
        ("2024年6月15日(周一)", "weekday 2024-06-15 周一"),
        ("2024年6月15日 (星期天)", "weekday 2024-06-15 星期天"),
        ("2024年6月15日 禮拜三", "weekday 2024-06-15 禮拜三"),
        ("星期一 2024年6月15日", "weekday 2024-06-15 星期一"),
        ("2024-06-15 周六", D),
        ("2024-06-15 周五", "weekday 2024-06-15 周五"),
        ("2024年6月15日 星期一 14:30", "weekday 2024-06-15 星期一"),
        ("2024年6月15日 14:30 星期一", "weekday 2024-06-15 星期一"),
        (
            "2024年6月15日 星期六 14:30 星期日",
            "weekday 2024-06-15 星期日",
        ),
        // The weekday goes with the date as written, not the converted one.
        ("2024-06-15 周六 20:00:00Z", "2024-06-16 04:00:00"),
        ("2024-06-15 周日 20:00:00Z", "weekday 2024-06-15 周日"),
        // The date is checked first.
        ("2024年2月30日 星期五", "invalid date 2024-2-30"),
        ("06/05/2024 (周一)", "ambiguous 2024-05-06 2024-06-05"),
        ("2024年6月15日 星期一 25:00", "weekday 2024-06-15 星期一"),
        ("2024 年 6 月 15 日", D),
        ("2024年6月15", D),
        ("2024年6月", U),
        ("2024年6月15日 星期", U),
        ("2024年6月15日 (周六", U),
        ("24年6月15日", "two-digit year"),
        ("二〇二四年六月十五日", U),
        ("2024年2月30日", "invalid date 2024-2-30"),
        // Compact digits.
        ("20240615", D),
        ("19000101", "1900-01-01"),
        ("21001231", "2100-12-31"),
        ("20240230", "invalid date 2024-2-30"),
        ("20241301", "invalid date 2024-13-1"),
        ("30000101", U),
        ("18991231", U),
        ("202406151430", U),
        ("2024061514300", U),
        ("20240615 1430", DT),
        ("20240615 0905", "2024-06-15 09:05:00"),
        ("20240615 0000", "2024-06-15 00:00:00"),
        ("20240615 2359", "2024-06-15 23:59:00"),
        ("20240615  1430", DT),
        ("20240615 143000", DT),
        ("20240615 143059", "2024-06-15 14:30:59"),
        ("20240615 2400", "invalid time 24:0"),
        ("20240615 2530", "invalid time 25:30"),
        ("20240615 1460", "invalid time 14:60"),
        ("20240615 143060", "invalid time 14:30"),
        ("20240230 1430", "invalid date 2024-2-30"),
        ("18991231 1430", U),
        ("20240615 930", U),
        ("20240615 14300", U),
        ("20240615 1430000", U),
        ("20240615 14", U),
        ("20240615 1430 PM", U),
        ("20240615 1430Z", U),
        ("20240615T1430", U),
        ("2024-06-15 1430", U),
        ("2024/06/15 143000", U),
        ("20240615143000", DT),
        ("20240615143059", "2024-06-15 14:30:59"),
        ("20240615250000", "invalid time 25:0"),
        ("20240615 14:30", DT),
        ("123456789", U),
        // Excel serials (1900 system).
        ("45458", D),
        ("45458.604166667", DT),
        ("45458.5", "2024-06-15 12:00:00"),
        ("45458.0", D),
        ("45458.99999999", "2024-06-16"),
        ("18264", "1950-01-01"),
        ("18263", U),
        ("73415", "2100-12-31"),
        ("73416", U),
        ("60", U),
        ("1", U),
        ("0", U),
        ("2024", U),
        ("2958465", U),
        ("2958466", U),
        ("45458.", U),
        (".5", U),
        ("45458.6.1", U),
        ("-45458", U),
        ("45458e0", U),
        // ISO date-times.
        ("2024-06-15T14:30:00", DT),
        ("2024-06-15t14:30:00", DT),
        ("2024-06-15T14:30", DT),
        ("2024-06-15T14:30:00Z", "2024-06-15 22:30:00"),
        ("2024-06-15T14:30:00+08:00", DT),
        ("2024-06-15T14:30:00-05:00", "2024-06-16 03:30:00"),
        ("2024-06-15T14:30:00+0800", DT),
        ("2024-06-15T14:30:00.123+08:00", DT),
        ("2024-06-15 14:30:00 +08:00", DT),
        ("2024-06-15 14:30:00 UTC", "2024-06-15 22:30:00"),
        ("2024-06-15 14:30 GMT+8", DT),
        ("2024-06-15 14:30:00.000", DT),
        ("2024-06-15 14:30:00+25:00", U),
        ("2024-06-15 14:30:00+08:0", U),
        // UTC offsets: converted to China Standard Time (UTC+8).
        ("2024-06-15T06:30:00Z", DT),
        ("2024-06-15T06:30:00.000Z", DT),
        ("2024-06-14T16:00:00.000Z", "2024-06-15 00:00:00"),
        ("2024-06-15T02:30:00-05:00", "2024-06-15 15:30:00"),
        ("2024-06-15T06:30:45Z", "2024-06-15 14:30:45"),
        ("2024-06-15T06:30:00+0000", DT),
        ("2024-06-15T06:30:00+00", DT),
        ("2024-06-15T14:30+08:00", DT),
        ("2024-06-15T15:30:00+0900", DT),
        ("2024-06-15T12:00:00+05:30", "2024-06-15 14:30:00"),
        ("2024-06-15T14:30:00+14:00", "2024-06-15 08:30:00"),
        ("2024-06-15T14:30:00-14:00", "2024-06-16 12:30:00"),
        ("2024-06-15T14:30:00+14:01", U),
        ("2024-06-15T14:30:00+14:30", U),
        ("2024-06-15T14:30:00-15:00", U),
        ("2024-06-15T14:30:00+08:60", U),
        ("2024-06-15T14:30:00+0860", U),
        ("2024-06-15T14:30:00+800", U),
        // Across midnight, forwards and backwards.
        ("2024-06-15T20:00:00Z", "2024-06-16 04:00:00"),
        ("2024-06-15T16:00:00Z", "2024-06-16 00:00:00"),
        ("2024-06-15T15:59:59Z", "2024-06-15 23:59:59"),
        ("2024-06-15T01:00:00+09:00", "2024-06-15 00:00:00"),
        ("2024-06-15T00:30:00+09:00", "2024-06-14 23:30:00"),
        ("2024-06-15T03:00:00+14:00", "2024-06-14 21:00:00"),
        ("2024-06-15T22:00:00-05:00", "2024-06-16 11:00:00"),
        // Across a month end, a year end and a leap day.
        ("2024-12-31T20:00:00Z", "2025-01-01 04:00:00"),
        ("2025-01-01T05:00:00+14:00", "2024-12-31 23:00:00"),
        ("2024-06-30T23:00:00Z", "2024-07-01 07:00:00"),
        ("2024-03-01T00:30:00+09:00", "2024-02-29 23:30:00"),
        ("2023-02-28T18:00:00Z", "2023-03-01 02:00:00"),
        ("2024-02-28T18:00:00Z", "2024-02-29 02:00:00"),
        ("9999-12-31T20:00:00Z", "invalid date 10000-1-1"),
        ("0001-01-01T00:00:00+09:00", "invalid date 0-12-31"),
        // Other spellings of an offset.
        ("2024-06-15 06:30:00 UTC", DT),
        ("2024-06-15 06:30 UTC", DT),
        ("2024-06-15 06:30 GMT", DT),
        ("2024-06-15 14:30 UTC+8", DT),
        ("2024-06-15 01:30 UTC-05:00", DT),
        ("2024-06-15 06:30 Z", DT),
        ("2024-06-15 14:30:00 +08:00", DT),
        ("2024-06-15 01:30:00 -0500", DT),
        ("Sat, 15 Jun 2024 06:30:00 GMT", DT),
        ("Sat, 15 Jun 2024 22:30:00 -0800", "2024-06-16 14:30:00"),
        ("2024-06-15 14:30 GMT+25", U),
        // The time zone is checked before the conversion, which needs a real time.
        ("2024-06-15T24:00:00Z", "invalid time 24:0"),
        ("2024-02-30T20:00:00Z", "invalid date 2024-2-30"),
        // A minus right after HH:MM is a time range, not an offset.
        ("2024-06-15 09:00-11:00", U),
        ("2024-06-15 09:00 -11:00", U),
        ("2024-06-15T09:00-05:00", "2024-06-15 22:00:00"),
        ("2024-06-15 09:00:00-05:00", "2024-06-15 22:00:00"),
        ("2024-06-15 09:00+08:00", "2024-06-15 09:00:00"),
        // No offset: kept as written, whatever the AM/PM.
        ("2024-06-15 2:30 PM", DT),
        ("2024-06-15 2:30 PM Z", U),
        ("2024-06-15T", U),
        ("2024-06-15 T14:30", U),
        // Year last.
        ("15/06/2024", D),
        ("06/15/2024", D),
        ("6/15/2024", D),
        ("06/05/2024", "ambiguous 2024-05-06 2024-06-05"),
        ("6/6/2024", "2024-06-06"),
        ("15-06-2024", D),
        ("15.06.2024", D),
        ("06.05.2024", "ambiguous 2024-05-06 2024-06-05"),
        ("06-05-2024 14:30", "ambiguous 2024-05-06 2024-06-05"),
        ("15/06/2024 14:30", DT),
        ("31/02/2024", "invalid date 2024-2-31"),
        ("02/30/2024", "invalid date 2024-2-30"),
        ("31/04/2024", "invalid date 2024-4-31"),
        ("13/13/2024", "invalid date 2024-13-13"),
        ("00/00/0000", "invalid date 0-0-0"),
        // Two-digit years.
        ("24-6-15", "two-digit year"),
        ("6/15/24", "two-digit year"),
        ("15.06.24", "two-digit year"),
        ("15-Jun-24", "two-digit year"),
        ("Jun 15, 24", "two-digit year"),
        ("24-6-15 14:30", "two-digit year"),
        // Times.
        ("2024-06-15 14:30", DT),
        ("2024-06-15  14:30", DT),
        ("2024-06-15 14:30:00", DT),
        ("2024-06-15 14:30:59", "2024-06-15 14:30:59"),
        ("2024-06-15 9:05", "2024-06-15 09:05:00"),
        ("2024-06-15 09:05", "2024-06-15 09:05:00"),
        ("2024-06-15 00:00", "2024-06-15 00:00:00"),
        ("2024-06-15 23:59:59", "2024-06-15 23:59:59"),
        ("2024-06-15 14时30分", DT),
        ("2024-06-15 14时", "2024-06-15 14:00:00"),
        ("2024-06-15 14点30分", DT),
        ("2024-06-15 14点30", DT),
        ("2024-06-15 14点半", DT),
        ("2024-06-15 9点整", "2024-06-15 09:00:00"),
        ("2024-06-15 下午3点钟", "2024-06-15 15:00:00"),
        ("2024-06-15 14时30分15秒", "2024-06-15 14:30:15"),
        ("2024-06-15 上午9点", "2024-06-15 09:00:00"),
        ("2024-06-15 上午9:30", "2024-06-15 09:30:00"),
        ("2024-06-15 下午2点", "2024-06-15 14:00:00"),
        ("2024-06-15 下午2:30", DT),
        ("2024-06-15 晚上8点", "2024-06-15 20:00:00"),
        ("2024-06-15 中午12点", "2024-06-15 12:00:00"),
        ("2024-06-15 中午1点", "2024-06-15 13:00:00"),
        ("2024-06-15 凌晨2点", "2024-06-15 02:00:00"),
        ("2024-06-15 下午14点", "2024-06-15 14:00:00"),
        ("2024/6/15 下午 2:30:00", DT),
        ("2024/6/15 上午 12:05:00", "2024-06-15 00:05:00"),
        ("2024/6/15 下午 12:05:00", "2024-06-15 12:05:00"),
        ("2024-06-15 2:30 PM", DT),
        ("2024-06-15 2:30pm", DT),
        ("2024-06-15 2:30 p.m.", DT),
        ("2024-06-15 10:00 AM", "2024-06-15 10:00:00"),
        ("2024-06-15 12:00 AM", "2024-06-15 00:00:00"),
        ("2024-06-15 12:30 PM", "2024-06-15 12:30:00"),
        ("2024-06-15 2 PM", "2024-06-15 14:00:00"),
        ("2024-06-15 14:30 PM", DT),
        ("2024-06-15 2:30:00 PM", DT),
        ("2024-06-15 24:00", "invalid time 24:0"),
        ("2024-06-15 25:00", "invalid time 25:0"),
        ("2024-06-15 14:60", "invalid time 14:60"),
        ("2024-06-15 14:30:60", "invalid time 14:30"),
        ("2024-06-15 13:00 AM", "invalid time 13:0"),
        ("2024-06-15 0:30 PM", "invalid time 0:30"),
        ("2024-06-15 晚上12点", "invalid time 24:0"),
        ("2024-06-15 上午14点", "invalid time 14:0"),
        ("2024-06-15 25时", "invalid time 25:0"),
        ("2024年6月15日14:30", DT),
        ("2024年6月15日 14:30", DT),
        ("2024年6月15日下午2点半", DT),
        ("2024年6月15日 星期六 14:30", DT),
        ("2024年6月15日 14:30 星期六", DT),
        ("2024-06-15 14", U),
        ("2024-06-15 14:3", U),
        ("2024-06-15 14:300", U),
        ("2024-06-15 114:30", U),
        ("2024-06-15 下午", U),
        ("2024-06-15 下午2:30 PM", U),
        ("2024-06-15 14:30 - 15:30", U),
        ("2024-02-30 25:00", "invalid date 2024-2-30"),
        // English month names.
        ("15-Jun-2024", D),
        ("15-JUN-2024", D),
        ("Jun 15 2024", D),
        ("jun 15 2024", D),
        ("June 15, 2024", D),
        ("Jun. 15th, 2024", D),
        ("15 June 2024", D),
        ("15th June, 2024", D),
        ("2024-Jun-15", D),
        ("2024 June 15", D),
        ("Sept 5, 2024", "2024-09-05"),
        ("1 Jan 2024", "2024-01-01"),
        ("Dec 31 2024", "2024-12-31"),
        ("Sat, Jun 15 2024", D),
        ("Saturday, 15 June 2024", D),
        ("SAT, JUN 15 2024", D),
        ("Sat. Jun 15 2024", D),
        ("Mon, Jun 15 2024", "weekday 2024-06-15 Mon"),
        ("MONDAY, 15 June 2024", "weekday 2024-06-15 Monday"),
        ("Jun 15 2024, Friday", "weekday 2024-06-15 Friday"),
        ("Thurs, Feb 29 2024", "2024-02-29"),
        ("Thu, 1 Jan 1970", "1970-01-01"),
        ("Sat, 1 Jan 2000", "2000-01-01"),
        ("Fri, 1 Jan 2000", "weekday 2000-01-01 Fri"),
        ("Sat, Jun 15 2024 14:30", DT),
        ("Sun, Jun 15 2024 14:30", "weekday 2024-06-15 Sun"),
        ("15-Jun-2024 14:30", DT),
        ("Jun 15, 2024, 2:30 PM", DT),
        ("31-Jun-2024", "invalid date 2024-6-31"),
        ("June 2024", U),
        ("June 15", U),
        ("Juno 15 2024", U),
        ("Jun 15 14:30", U),
        ("Sat Jun 15 14:30:00 CST 2024", DT),
        ("Sat Jun 15 14:30:00 2024", DT),
        ("Jun 15 14:30:00 GMT+08:00 2024", DT),
        ("Sat Jun 15 06:30:00 GMT 2024", DT),
        ("Sat Jun 15 06:30:00 UTC 2024", DT),
        ("Sat Jun 15 20:00:00 GMT 2024", "2024-06-16 04:00:00"),
        ("Sat Jun 15 01:30:00 GMT-05:00 2024", DT),
        ("Sat Jun 15 14:30:00 cst 2024", DT),
        ("Sat Jun 15 23:59:59 CST 2024", "2024-06-15 23:59:59"),
        ("Mon Jun 15 14:30:00 CST 2024", "weekday 2024-06-15 Mon"),
        ("Sat Jun 15 14:30:00 PDT 2024", U),
        ("Sat Jun 15 14:30:00 CST CST 2024", U),
        ("Sat Jun 15 14:30:00 GMT CST 2024", U),
        ("Sat Jun 31 14:30:00 CST 2024", "invalid date 2024-6-31"),
        ("Sat Jun 15 14:30:00 CST", U),
        ("Sat Jun 15 14:30:00 CST 24", U),
        ("1718433000", U),
        ("1718433000000", U),
        // Not dates at all.
        ("", U),
        ("   ", U),
        ("明天", U),
        ("2024", U),
        ("2024-06", U),
        ("abc", U),
        ("2024-06-15abc", U),
        ("2024-06-15 abc", U),
        ("14:30", U),
        ("下午2点", U),
        ("星期六", U),
        ("N/A", U),
        ("-", U),
        ("2024-06-15 2024-06-16", U),
        // Impossible dates, numbers as written.
        ("2024-02-30", "invalid date 2024-2-30"),
        ("2023-02-29", "invalid date 2023-2-29"),
        ("2024-13-01", "invalid date 2024-13-1"),
        ("2024-00-10", "invalid date 2024-0-10"),
        ("2024-06-00", "invalid date 2024-6-0"),
        ("2024-04-31", "invalid date 2024-4-31"),
        ("2024-06-99", "invalid date 2024-6-99"),
        ("0000-00-00 00:00:00", "invalid date 0-0-0"),
        // Leap years.
        ("2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29"),
        ("1600-02-29", "1600-02-29"),
        ("1900-02-29", "invalid date 1900-2-29"),
        ("2100-02-29", "invalid date 2100-2-29"),
        ("2023-02-28", "2023-02-28"),
        ("29/02/2024", "2024-02-29"),
        ("29/02/2023", "invalid date 2023-2-29"),
    ];

    #[test]
    fn table() {
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|(input, expected)| {
                let got = render(parse(input));
                (got != *expected).then(|| format!("{input:?}: expected {expected}, got {got}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(CASES.len() >= 80);
    }

    #[test]
    fn date_new_checks_the_calendar() {
        assert_eq!(
            Date::new(2024, 6, 15),
            Some(Date {
                year: 2024,
                month: 6,
                day: 15
            })
        );
        for (year, leap) in [
            (2000, true),
            (1900, false),
            (2100, false),
            (2024, true),
            (2023, false),
        ] {
            assert_eq!(Date::new(year, 2, 29).is_some(), leap, "{year}");
            assert!(Date::new(year, 2, 28).is_some());
            assert!(Date::new(year, 2, 30).is_none());
        }
        assert!(Date::new(2024, 4, 31).is_none());
        assert!(Date::new(2024, 12, 31).is_some());
        assert!(Date::new(2024, 0, 1).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert!(Date::new(2024, 1, 0).is_none());
        assert!(Date::new(0, 1, 1).is_none());
        assert!(Date::new(10_000, 1, 1).is_none());
        assert!(Date::new(-1, 1, 1).is_none());
        assert!(Date::new(i32::MIN, u32::MAX, u32::MAX).is_none());
    }

    #[test]
    fn time_new_checks_the_clock() {
        assert!(Time::new(0, 0, 0).is_some());
        assert!(Time::new(23, 59, 59).is_some());
        assert!(Time::new(24, 0, 0).is_none());
        assert!(Time::new(14, 60, 0).is_none());
        assert!(Time::new(14, 0, 60).is_none());
    }

    #[test]
    fn display() {
        let date = Date::new(2024, 6, 5).unwrap();
        assert_eq!(date.to_string(), "2024-06-05");
        assert_eq!(Date::new(1, 1, 1).unwrap().to_string(), "0001-01-01");
        assert_eq!(Time::new(9, 5, 0).unwrap().to_string(), "09:05");
        assert_eq!(Time::new(14, 30, 59).unwrap().to_string(), "14:30");
        // Hand-made nonsense displays without panicking.
        let odd = Date {
            year: i32::MIN,
            month: u32::MAX,
            day: 0,
        };
        assert!(!odd.to_string().is_empty());
        let _ = odd.days_since_epoch();
    }

    #[test]
    fn excel_serials() {
        let june15 = Date::new(2024, 6, 15).unwrap();
        assert_eq!(Date::from_excel_serial(45458.0, false), Some(june15));
        assert_eq!(
            Date::from_excel_serial(45458.604166667, false),
            Some(june15)
        );
        assert_eq!(
            Date::from_excel_serial(45458.0 - 1462.0, true),
            Some(june15)
        );
        assert_eq!(Date::from_excel_serial(1.0, false), Date::new(1900, 1, 1));
        assert_eq!(Date::from_excel_serial(59.0, false), Date::new(1900, 2, 28));
        assert_eq!(Date::from_excel_serial(60.0, false), None);
        assert_eq!(Date::from_excel_serial(61.0, false), Date::new(1900, 3, 1));
        assert_eq!(Date::from_excel_serial(0.0, false), None);
        assert_eq!(Date::from_excel_serial(0.5, false), None);
        assert_eq!(Date::from_excel_serial(0.0, true), Date::new(1904, 1, 1));
        assert_eq!(
            Date::from_excel_serial(2_958_465.0, false),
            Date::new(9999, 12, 31)
        );
        assert_eq!(Date::from_excel_serial(2_958_466.0, false), None);
        assert_eq!(
            Date::from_excel_serial(25569.0, false),
            Date::new(1970, 1, 1)
        );
        for bad in [
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -0.5,
        ] {
            assert_eq!(Date::from_excel_serial(bad, false), None, "{bad}");
            assert_eq!(Date::from_excel_serial(bad, true), None, "{bad}");
        }

        let in_1904 = |text| render(parse_with(text, ExcelEpoch::Y1904));
        assert_eq!(in_1904("43996"), D);
        assert_eq!(in_1904("43996.604166667"), DT);
        assert_eq!(in_1904("45458"), "2028-06-16");
        assert_eq!(in_1904("2024-06-15"), D);
        assert_eq!(ExcelEpoch::from_date1904(true), ExcelEpoch::Y1904);
        assert_eq!(ExcelEpoch::from_date1904(false), ExcelEpoch::Y1900);
        assert_eq!(ExcelEpoch::default(), ExcelEpoch::Y1900);
        assert_eq!(parse("45458"), parse_with("45458", ExcelEpoch::Y1900));
    }

    #[test]
    fn days_since_epoch_round_trips() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(1970, 1, 2).unwrap().days_since_epoch(), 1);
        assert_eq!(Date::new(1969, 12, 31).unwrap().days_since_epoch(), -1);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        let first = Date::new(1, 1, 1).unwrap().days_since_epoch();
        let last = Date::new(9999, 12, 31).unwrap().days_since_epoch();
        assert_eq!(Date::from_days_since_epoch(first - 1), None);
        assert_eq!(Date::from_days_since_epoch(last + 1), None);
        assert_eq!(Date::from_days_since_epoch(i64::MIN), None);
        assert_eq!(Date::from_days_since_epoch(i64::MAX), None);
        // Every day in range, consecutively.
        let mut previous = Date::from_days_since_epoch(first).unwrap();
        assert_eq!(previous, Date::new(1, 1, 1).unwrap());
        for days in first + 1..=last {
            let date = Date::from_days_since_epoch(days).unwrap();
            assert_eq!(date.days_since_epoch(), days);
            assert!(date > previous);
            previous = date;
        }
        assert_eq!(previous, Date::new(9999, 12, 31).unwrap());
    }

    #[test]
    fn messages() {
        let invalid = DateProblem::InvalidDate {
            year: 2024,
            month: 2,
            day: 30,
        };
        assert_eq!(
            invalid.message("下次跟进时间", true),
            "下次跟进时间 日期不存在: 2024年2月30日; 应为 YYYY-MM-DD HH:MM (例如 2024-06-15 14:30)"
        );
        assert_eq!(
            parse("06/05/2024").unwrap_err().message("生日", false),
            "生日 日期有歧义: 可能是 2024-05-06 也可能是 2024-06-05, 请改为 YYYY-MM-DD (例如 2024-06-15)"
        );
        assert_eq!(
            DateProblem::Unrecognised.message("生日", false),
            "生日 无法识别为日期; 应为 YYYY-MM-DD (例如 2024-06-15)"
        );
        assert_eq!(
            DateProblem::InvalidTime {
                hour: 25,
                minute: 0
            }
            .message("下次跟进时间", true),
            "下次跟进时间 时间不存在: 25:00 (小时应为 00-23, 分钟应为 00-59); 应为 YYYY-MM-DD HH:MM \
             (例如 2024-06-15 14:30)"
        );
        assert_eq!(
            DateProblem::TwoDigitYear.message("签约日期", false),
            "签约日期 年份只有两位, 无法确定是哪个世纪; 应为 YYYY-MM-DD (例如 2024-06-15)"
        );
        assert_eq!(
            parse("2024年6月15日 星期一")
                .unwrap_err()
                .message("下次跟进时间", false),
            "下次跟进时间 2024-06-15 是星期六, 但写的是星期一; 请核对日期, 应为 YYYY-MM-DD \
             (例如 2024-06-15)"
        );
        assert_eq!(
            parse("2024年6月16日(周一) 14:30")
                .unwrap_err()
                .message("下次跟进时间", true),
            "下次跟进时间 2024-06-16 是星期日, 但写的是周一; 请核对日期, 应为 YYYY-MM-DD HH:MM \
             (例如 2024-06-15 14:30)"
        );
        assert_eq!(
            parse("Mon, Jun 15 2024")
                .unwrap_err()
                .message("生日", false),
            "生日 2024-06-15 是星期六, 但写的是 Mon (星期一); 请核对日期, 应为 YYYY-MM-DD \
             (例如 2024-06-15)"
        );
        let every = [
            DateProblem::Unrecognised,
            parse("06/05/2024").unwrap_err(),
            invalid,
            DateProblem::InvalidTime {
                hour: 14,
                minute: 60,
            },
            DateProblem::TwoDigitYear,
            parse("2024年6月15日 星期一").unwrap_err(),
            parse("Thursday, 15 June 2024").unwrap_err(),
        ];
        for problem in every {
            for with_time in [false, true] {
                let message = problem.message("字段", with_time);
                assert!(message.starts_with("字段 "), "{message}");
                assert!(!message.contains('\n'), "{message}");
                let format = if with_time {
                    "YYYY-MM-DD HH:MM (例如 2024-06-15 14:30)"
                } else {
                    "YYYY-MM-DD (例如 2024-06-15)"
                };
                assert!(message.ends_with(format), "{message}");
            }
        }
    }

    #[test]
    fn weekdays_of_known_dates() {
        let known = [
            ((1970, 1, 1), 4),
            ((2000, 1, 1), 6),
            ((2024, 2, 29), 4),
            ((2024, 6, 15), 6),
            ((2024, 6, 16), 0),
            ((1900, 1, 1), 1),
            ((2001, 9, 11), 2),
            ((1949, 10, 1), 6),
            ((2100, 12, 31), 5),
            ((1, 1, 1), 1),
            ((9999, 12, 31), 5),
        ];
        for ((year, month, day), weekday) in known {
            let date = Date::new(year, month, day).unwrap();
            assert_eq!(weekday_of(date), weekday, "{date}");
        }
        // Hand-made nonsense gets some weekday without panicking.
        let odd = Date {
            year: i32::MIN,
            month: u32::MAX,
            day: u32::MAX,
        };
        assert!(weekday_of(odd) < 7);
        let message = DateProblem::WeekdayMismatch {
            date: odd,
            written: String::new(),
        }
        .message("字段", true);
        assert!(message.starts_with("字段 "));
    }

    #[test]
    fn random_weekdays_are_checked() {
        const ENGLISH: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        let mut rng = Rng(0x5151_7A7A_0F0F_3C3C);
        for _ in 0..2000 {
            let date = rng.date(1..=9999);
            let real = weekday_of(date);
            let Date { year, month, day } = date;
            let short = &MONTHS[usize::try_from(month - 1).unwrap()][..3];
            for index in 0..7 {
                let forms = [
                    (
                        format!("{year:04}年{month}月{day}日 星期{}", WEEKDAYS[index]),
                        format!("星期{}", WEEKDAYS[index]),
                    ),
                    (
                        format!("{date} (周{})", WEEKDAYS[index]),
                        format!("周{}", WEEKDAYS[index]),
                    ),
                    (
                        format!("{}, {day} {short} {year:04}", ENGLISH[index]),
                        ENGLISH[index].to_string(),
                    ),
                ];
                for (text, written) in forms {
                    let expected = if index == real {
                        Ok((date, None))
                    } else {
                        Err(DateProblem::WeekdayMismatch { date, written })
                    };
                    assert_eq!(parse(&text), expected, "{text}");
                }
            }
        }
    }

    #[test]
    fn random_offsets_convert_to_china_time() {
        let mut rng = Rng(0x0FF5_E7C0_FFEE_1234);
        for _ in 0..5000 {
            let date = rng.date(1900..=2100);
            let hour = u32::try_from(rng.below(24)).unwrap();
            let minute = u32::try_from(rng.below(60)).unwrap();
            let second = u32::try_from(rng.below(60)).unwrap();
            // Whole minutes east of UTC, -14:00 to +14:00.
            let offset = i64::try_from(rng.below(1681)).unwrap() - 840;
            let sign = if offset < 0 { '-' } else { '+' };
            let (oh, om) = (offset.abs() / 60, offset.abs() % 60);
            // The instant in seconds since 1970-01-01 00:00 UTC, then seen from UTC+8.
            let utc = date.days_since_epoch() * 86_400
                + i64::from(hour * 3600 + minute * 60 + second)
                - offset * 60;
            let china = utc + 8 * 3600;
            let want_date = Date::from_days_since_epoch(china.div_euclid(86_400)).unwrap();
            let rest = u32::try_from(china.rem_euclid(86_400)).unwrap();
            let want_time = Time::new(rest / 3600, rest / 60 % 60, rest % 60).unwrap();
            let texts = [
                format!("{date}T{hour:02}:{minute:02}:{second:02}{sign}{oh:02}:{om:02}"),
                format!("{date}T{hour:02}:{minute:02}:{second:02}.5{sign}{oh:02}{om:02}"),
                format!("{date} {hour}:{minute:02}:{second:02} GMT{sign}{oh}:{om:02}"),
            ];
            for text in texts {
                assert_eq!(parse(&text), Ok((want_date, Some(want_time))), "{text}");
            }
            if offset == 0 {
                let text = format!("{date}T{hour:02}:{minute:02}:{second:02}Z");
                assert_eq!(parse(&text), Ok((want_date, Some(want_time))), "{text}");
            }
        }
    }

    /// A small deterministic generator (xorshift64*), so the tests need nothing beyond std.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn date(&mut self, years: std::ops::RangeInclusive<i32>) -> Date {
            let first = Date::new(*years.start(), 1, 1).unwrap().days_since_epoch();
            let last = Date::new(*years.end(), 12, 31).unwrap().days_since_epoch();
            let span = u64::try_from(last - first + 1).unwrap();
            let offset = i64::try_from(self.below(span)).unwrap();
            Date::from_days_since_epoch(first + offset).unwrap()
        }
    }

    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const WEEKDAYS: [&str; 7] = ["日", "一", "二", "三", "四", "五", "六"];

    /// Every accepted spelling of `date` that is not ambiguous.
    fn spellings(date: Date) -> Vec<String> {
        let Date { year, month, day } = date;
        let full = MONTHS[usize::try_from(month - 1).unwrap()];
        let short = &full[..3];
        let weekday =
            WEEKDAYS[usize::try_from((date.days_since_epoch() + 4).rem_euclid(7)).unwrap()];
        let mut forms = vec![
            format!("{year:04}-{month:02}-{day:02}"),
            format!("{year:04}-{month}-{day}"),
            format!("{year:04}/{month:02}/{day:02}"),
            format!("{year:04}/{month}/{day}"),
            format!("{year:04}.{month}.{day}"),
            format!("{year:04}年{month}月{day}日"),
            format!("{year:04}年{month:02}月{day:02}号"),
            format!("{year:04} 年 {month} 月 {day} 日"),
            format!("{year:04}年{month}月{day}日 星期{weekday}"),
            format!("{year:04}年{month}月{day}日(周{weekday})"),
            format!("{day}-{short}-{year:04}"),
            format!("{short} {day} {year:04}"),
            format!("{full} {day}, {year:04}"),
            format!("{day} {full} {year:04}"),
            format!("{year:04}-{}-{day:02}", short.to_uppercase()),
        ];
        if COMPACT_YEARS.contains(&u32::try_from(year).unwrap()) {
            forms.push(format!("{year:04}{month:02}{day:02}"));
        }
        if day > 12 || day == month {
            forms.push(format!("{day:02}/{month:02}/{year:04}"));
            forms.push(format!("{day}.{month}.{year:04}"));
            forms.push(format!("{month}/{day}/{year:04}"));
            forms.push(format!("{month:02}-{day:02}-{year:04}"));
        }
        forms
    }

    #[test]
    fn every_spelling_of_random_dates_parses_back() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let date = rng.date(1..=9999);
            // Idempotence: the normal form parses back to itself.
            let normal = date.to_string();
            assert_eq!(parse(&normal), Ok((date, None)), "{normal}");
            for form in spellings(date) {
                assert_eq!(parse(&form), Ok((date, None)), "{form}");
            }
            if date.day <= 12 && date.day != date.month {
                let text = format!("{}/{}/{:04}", date.day, date.month, date.year);
                let swapped = Date::new(date.year, date.day, date.month).unwrap();
                assert_eq!(
                    parse(&text),
                    Err(DateProblem::Ambiguous {
                        day_first: date,
                        month_first: swapped
                    }),
                    "{text}"
                );
            }
            let two_digit = format!("{}-{}-{:02}", date.day, date.month, date.year % 100);
            assert_eq!(parse(&two_digit), Err(DateProblem::TwoDigitYear));
        }
    }

    #[test]
    fn random_date_times_parse_back() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        for _ in 0..3000 {
            let date = rng.date(1900..=2100);
            let hour = u32::try_from(rng.below(24)).unwrap();
            let minute = u32::try_from(rng.below(60)).unwrap();
            let second = u32::try_from(rng.below(60)).unwrap();
            let time = Time::new(hour, minute, second).unwrap();
            let whole = Time::new(hour, minute, 0).unwrap();
            let (h12, am_pm, chinese) = match hour {
                0 => (12, "AM", "上午"),
                1..=11 => (hour, "AM", "上午"),
                12 => (12, "PM", "下午"),
                _ => (hour - 12, "PM", "下午"),
            };
            let Date { year, month, day } = date;
            let with_seconds = [
                format!("{date} {hour:02}:{minute:02}:{second:02}"),
                format!("{date}T{hour:02}:{minute:02}:{second:02}+08:00"),
                format!("{date} {hour}:{minute:02}:{second:02}.250"),
                format!("{year}{month:02}{day:02}{hour:02}{minute:02}{second:02}"),
                format!("{year}/{month}/{day} {chinese} {h12}:{minute:02}:{second:02}"),
                format!("{year}年{month}月{day}日{hour}时{minute}分{second}秒"),
                format!("{date} {h12}:{minute:02}:{second:02} {am_pm}"),
            ];
            for text in with_seconds {
                assert_eq!(parse(&text), Ok((date, Some(time))), "{text}");
            }
            let without_seconds = [
                format!("{date} {hour:02}:{minute:02}"),
                format!("{year}年{month}月{day}日 {hour}点{minute}分"),
                format!(
                    "{day}-{}-{year} {h12}:{minute:02}{}",
                    &MONTHS[usize::try_from(month - 1).unwrap()][..3],
                    am_pm.to_lowercase()
                ),
            ];
            for text in without_seconds {
                assert_eq!(parse(&text), Ok((date, Some(whole))), "{text}");
            }
            assert_eq!(parse(&format!("{date} {time}")), Ok((date, Some(whole))));
        }
    }

    #[test]
    fn random_serials_parse_back() {
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        let base_1900 = Date::new(1899, 12, 30).unwrap().days_since_epoch();
        let base_1904 = Date::new(1904, 1, 1).unwrap().days_since_epoch();
        for _ in 0..3000 {
            let date = rng.date(1950..=2100);
            let serial = date.days_since_epoch() - base_1900;
            assert_eq!(parse(&serial.to_string()), Ok((date, None)), "{serial}");
            let serial_1904 = date.days_since_epoch() - base_1904;
            assert_eq!(serial - serial_1904, 1462);
            assert_eq!(
                parse_with(&serial_1904.to_string(), ExcelEpoch::Y1904),
                Ok((date, None))
            );
            let minutes = u32::try_from(rng.below(1440)).unwrap();
            let fraction = f64::from(minutes) / 1440.0;
            let digits = format!("{fraction:.9}");
            let text = format!("{serial}.{}", digits.strip_prefix("0.").unwrap_or("0"));
            let expected = (minutes > 0).then(|| Time::new(minutes / 60, minutes % 60, 0).unwrap());
            if fraction > 0.0 {
                assert_eq!(parse(&text), Ok((date, expected)), "{text}");
            }
        }
    }

    #[test]
    fn never_panics() {
        const PIECES: &[&str] = &[
            "0",
            "1",
            "2",
            "9",
            "12",
            "15",
            "24",
            "60",
            "2024",
            "45458",
            "20240615",
            "-",
            "/",
            ".",
            ":",
            " ",
            "  ",
            "T",
            "t",
            "Z",
            "+",
            "08:00",
            "年",
            "月",
            "日",
            "号",
            "时",
            "点",
            "分",
            "秒",
            "半",
            "整",
            "钟",
            "上午",
            "下午",
            "晚上",
            "中午",
            "星期",
            "周",
            "六",
            "(",
            ")",
            ",",
            "Jun",
            "june",
            "sept",
            "st",
            "th",
            "am",
            "PM",
            "a.m.",
            "p",
            "m",
            "UTC",
            "GMT",
            "Sat",
            "é",
            "😀",
            "\u{0}",
            "\u{200b}",
            "\u{3000}",
            "\u{fffd}",
            "٣",
            "߀",
            "9999",
            "99999999999999999999",
            "e",
            "E",
            "🇨🇳",
            "\u{301}",
        ];
        let mut rng = Rng(0xFEED_FACE_1234_5678);
        let mut inputs: Vec<String> = Vec::new();
        for _ in 0..30_000 {
            let length = rng.below(12);
            let mut text = String::new();
            for _ in 0..length {
                if rng.below(5) == 0 {
                    let code = u32::try_from(rng.below(0x11_0000)).unwrap();
                    text.push(char::from_u32(code).unwrap_or('?'));
                } else {
                    let index = usize::try_from(rng.below(PIECES.len() as u64)).unwrap();
                    text.push_str(PIECES[index]);
                }
            }
            inputs.push(text);
        }
        // Mangled versions of good inputs: every prefix, and one character replaced.
        for (good, _) in CASES {
            let chars: Vec<char> = good.chars().collect();
            for cut in 0..=chars.len() {
                inputs.push(chars[..cut].iter().collect());
                inputs.push(chars[cut..].iter().collect());
                let mut replaced = chars.clone();
                if cut < replaced.len() {
                    let index = usize::try_from(rng.below(PIECES.len() as u64)).unwrap();
                    replaced[cut] = PIECES[index].chars().next().unwrap_or('x');
                    inputs.push(replaced.iter().collect());
                }
            }
        }
        inputs.push("1".repeat(10_000));
        inputs.push("2024-".repeat(1_000));
        inputs.push("年".repeat(1_000));
        inputs.push(format!("2024-06-15 {}", "9".repeat(150)));
        inputs.push("99999999999999".into());
        inputs.push("99999999".into());
        inputs.push("9999999.999999999999999999".into());
        for text in &inputs {
            for epoch in [ExcelEpoch::Y1900, ExcelEpoch::Y1904] {
                match parse_with(text, epoch) {
                    Ok((date, time)) => {
                        // Whatever is accepted is a real date and time.
                        assert!(
                            Date::new(date.year, date.month, date.day).is_some(),
                            "{text:?}"
                        );
                        if let Some(t) = time {
                            assert!(Time::new(t.hour, t.minute, t.second).is_some(), "{text:?}");
                        }
                    }
                    Err(problem) => {
                        assert!(problem.message("字段", true).starts_with("字段"));
                    }
                }
            }
        }
    }
}
