//! Single sampling plans for normal inspection from GB/T 2828.1-2012 (identical to
//! ISO 2859-1:1999): Table 1 gives the sample size code letter for a lot size and an
//! inspection level, Table 2-A the sample size of each code letter and, for each AQL, the
//! acceptance number Ac and rejection number Re, or an arrow.
//!
//! An arrow means "use the first sampling plan below (↓) or above (↑) the arrow" in the same
//! AQL column; the sample size then becomes that plan's. When it reaches or exceeds the lot
//! size, the whole lot is inspected.
//!
//! Only AQLs up to 10 are offered: the larger ones in the standard apply to nonconformities
//! per 100 items, and an audited record is either right or wrong (percent nonconforming).
//!
//! The tables are data, written out below as they are printed, so they can be checked cell by
//! cell against the standard. Two cells of Table 2-A point off the table (row A, AQL 10 and row
//! R, AQL 0.015); they are written as the arrow that leads to a plan.

use std::fmt;

use serde::Serialize;

/// The code letters, in order (I and O are not used).
pub const LETTERS: [char; 16] = [
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'Q', 'R',
];

/// Sample size of each code letter (Table 2-A).
pub const SAMPLE_SIZES: [usize; 16] = [
    2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000,
];

/// The AQL columns of Table 2-A offered here (percent nonconforming).
pub const AQLS: [f64; 16] = [
    0.010, 0.015, 0.025, 0.040, 0.065, 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5, 4.0, 6.5, 10.0,
];

/// Table 1: the largest lot size of each row, and the code letters of the levels in the order
/// S-1, S-2, S-3, S-4, I, II, III.
const TABLE_1: [(usize, &str); 15] = [
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1_200, "CCEFGJK"),
    (3_200, "CDEGHKL"),
    (10_000, "CDFGJLM"),
    (35_000, "CDFHKMN"),
    (150_000, "DEGJLNP"),
    (500_000, "DEGJMPQ"),
    (usize::MAX, "DEHKNQR"),
];

/// Table 2-A, normal inspection, single sampling: one row per code letter (A–R), one column
/// per AQL in [`AQLS`]. `Ac/Re`, or an arrow.
const TABLE_2A: [[&str; 16]; 16] = [
    /* A    2 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↓",
    ],
    /* B    3 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓",
    ],
    /* C    5 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2",
    ],
    /* D    8 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3",
    ],
    /* E   13 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4",
    ],
    /* F   20 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6",
    ],
    /* G   32 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8",
    ],
    /* H   50 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8",
        "10/11",
    ],
    /* J   80 */
    [
        "↓", "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11",
        "14/15",
    ],
    /* K  125 */
    [
        "↓", "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11",
        "14/15", "21/22",
    ],
    /* L  200 */
    [
        "↓", "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15",
        "21/22", "↑",
    ],
    /* M  315 */
    [
        "↓", "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15",
        "21/22", "↑", "↑",
    ],
    /* N  500 */
    [
        "↓", "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15", "21/22",
        "↑", "↑", "↑",
    ],
    /* P  800 */
    [
        "↓", "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15", "21/22", "↑",
        "↑", "↑", "↑",
    ],
    /* Q 1250 */
    [
        "0/1", "↑", "↓", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15", "21/22", "↑", "↑",
        "↑", "↑", "↑",
    ],
    /* R 2000 */
    [
        "↑", "↑", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15", "21/22", "↑", "↑", "↑", "↑",
        "↑", "↑",
    ],
];

/// An inspection level of Table 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Special level S-1 (smallest samples).
    S1,
    /// Special level S-2.
    S2,
    /// Special level S-3.
    S3,
    /// Special level S-4.
    S4,
    /// General level I.
    I,
    /// General level II, the default of the standard.
    II,
    /// General level III.
    III,
}

impl Level {
    /// Every level, in Table 1's column order.
    pub const ALL: [Level; 7] = [
        Level::S1,
        Level::S2,
        Level::S3,
        Level::S4,
        Level::I,
        Level::II,
        Level::III,
    ];

    /// The name the standard uses (`II`, `S-1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::S1 => "S-1",
            Level::S2 => "S-2",
            Level::S3 => "S-3",
            Level::S4 => "S-4",
            Level::I => "I",
            Level::II => "II",
            Level::III => "III",
        }
    }

    /// Parses `II`, `2`, `S-1`, `S1` (any case).
    pub fn parse(text: &str) -> Option<Level> {
        let t = text.trim().to_ascii_uppercase().replace(['-', ' '], "");
        Some(match t.as_str() {
            "S1" => Level::S1,
            "S2" => Level::S2,
            "S3" => Level::S3,
            "S4" => Level::S4,
            "I" | "1" => Level::I,
            "II" | "2" => Level::II,
            "III" | "3" => Level::III,
            _ => return None,
        })
    }

    fn column(self) -> usize {
        Level::ALL.iter().position(|&l| l == self).unwrap_or(5)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The code letter (index into [`LETTERS`]) for a lot size at a level (Table 1). Lots of 0
/// or 1 records are read from the first row (2 to 8).
pub fn code_letter(lot: usize, level: Level) -> usize {
    let row = TABLE_1
        .iter()
        .find(|(max, _)| lot <= *max)
        .map_or(TABLE_1[14].1, |(_, letters)| letters);
    let letter = row.as_bytes()[level.column()] as char;
    LETTERS.iter().position(|&l| l == letter).unwrap_or(0)
}

/// The column of an AQL in [`AQLS`], if it is one of them.
pub fn aql_column(aql: f64) -> Option<usize> {
    AQLS.iter()
        .position(|&a| (a - aql).abs() <= a * 1e-6 + 1e-12)
}

/// The AQLs offered, for messages: `0.010, 0.015, ..., 10`.
pub fn aql_list() -> String {
    AQLS.iter()
        .map(|a| format_aql(*a))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An AQL as the standard prints it (`0.010`, `0.65`, `1.0`, `10`).
pub fn format_aql(aql: f64) -> String {
    match aql_column(aql) {
        Some(c) => [
            "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65",
            "1.0", "1.5", "2.5", "4.0", "6.5", "10",
        ][c]
            .to_string(),
        None => format!("{aql}"),
    }
}

/// Which way the table sent the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrow {
    /// ↓: the first plan below (a larger sample).
    Down,
    /// ↑: the first plan above (a smaller sample).
    Up,
}

/// A single sampling plan for normal inspection, as the tables give it for one lot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AqlPlan {
    /// The acceptance quality limit, percent nonconforming.
    pub aql: f64,
    /// The inspection level.
    pub level: Level,
    /// The lot size (records in the population).
    pub lot: usize,
    /// The code letter Table 1 gives for the lot and level.
    pub letter: char,
    /// The plan's code letter after following an arrow (= `letter` without one).
    pub plan_letter: char,
    /// The arrow followed, if any.
    pub arrow: Option<Arrow>,
    /// The plan's sample size as printed in Table 2-A.
    pub table_size: usize,
    /// Acceptance number: the lot is accepted with at most this many wrong records.
    pub ac: usize,
    /// Rejection number: the lot is rejected with this many wrong records or more.
    pub re: usize,
    /// Whether the plan's sample size reaches the lot size, so every record is inspected.
    pub whole_lot: bool,
}

impl AqlPlan {
    /// The number of records to inspect: the table's sample size, or the whole lot.
    pub fn size(&self) -> usize {
        if self.whole_lot {
            self.lot
        } else {
            self.table_size
        }
    }
}

/// Looks up the plan for a lot of `lot` records at `level` and `aql` (one of [`AQLS`]).
pub fn plan(lot: usize, level: Level, aql: f64) -> Option<AqlPlan> {
    let column = aql_column(aql)?;
    let first = code_letter(lot, level);
    let mut row = first;
    let mut arrow = None;
    // Each arrow leads to a plan within a few rows (the table's diagonals guarantee it).
    for _ in 0..LETTERS.len() {
        let cell = TABLE_2A[row][column];
        match cell {
            "↓" => {
                arrow.get_or_insert(Arrow::Down);
                row = (row + 1).min(LETTERS.len() - 1);
            }
            "↑" => {
                arrow.get_or_insert(Arrow::Up);
                row = row.saturating_sub(1);
            }
            _ => {
                let (ac, re) = cell.split_once('/')?;
                let table_size = SAMPLE_SIZES[row];
                return Some(AqlPlan {
                    aql: AQLS[column],
                    level,
                    lot,
                    letter: LETTERS[first],
                    plan_letter: LETTERS[row],
                    arrow,
                    table_size,
                    ac: ac.parse().ok()?,
                    re: re.parse().ok()?,
                    whole_lot: table_size >= lot,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(lot: usize, level: Level) -> char {
        LETTERS[code_letter(lot, level)]
    }

    #[test]
    fn table_1_code_letters() {
        assert_eq!(letter(1201, Level::II), 'K');
        assert_eq!(letter(3200, Level::II), 'K');
        assert_eq!(letter(10_000, Level::II), 'L');
        assert_eq!(letter(10_001, Level::II), 'M');
        assert_eq!(letter(2, Level::II), 'A');
        assert_eq!(letter(500, Level::I), 'F');
        assert_eq!(letter(500, Level::III), 'J');
        assert_eq!(letter(1_000_000, Level::III), 'R');
        assert_eq!(letter(1_000_000, Level::II), 'Q');
        assert_eq!(letter(100, Level::S1), 'B');
        assert_eq!(letter(100, Level::S4), 'D');
        assert_eq!(letter(40_000, Level::S3), 'G');
        // Every level's letters grow with the lot, and III ≥ II ≥ I ≥ S-4 ≥ ... ≥ S-1.
        for (_, row) in TABLE_1 {
            assert!(row.as_bytes().windows(2).all(|w| w[0] <= w[1]), "{row}");
        }
        for c in 0..7 {
            assert!(TABLE_1
                .windows(2)
                .all(|w| w[0].1.as_bytes()[c] <= w[1].1.as_bytes()[c]));
        }
    }

    #[test]
    fn table_2a_known_entries() {
        let p = plan(2000, Level::II, 1.0).unwrap();
        assert_eq!(
            (p.letter, p.table_size, p.ac, p.re, p.arrow),
            ('K', 125, 3, 4, None)
        );
        let p = plan(10_000, Level::II, 2.5).unwrap();
        assert_eq!((p.letter, p.table_size, p.ac, p.re), ('L', 200, 10, 11));
        let p = plan(1000, Level::II, 2.5).unwrap();
        assert_eq!((p.letter, p.table_size, p.ac, p.re), ('J', 80, 5, 6));
        let p = plan(2000, Level::II, 0.65).unwrap();
        assert_eq!((p.table_size, p.ac, p.re), (125, 2, 3));
        let p = plan(20_000, Level::II, 0.65).unwrap();
        assert_eq!((p.letter, p.table_size, p.ac, p.re), ('M', 315, 5, 6));
        let p = plan(400, Level::II, 6.5).unwrap();
        assert_eq!((p.letter, p.table_size, p.ac, p.re), ('H', 50, 7, 8));
        let p = plan(2000, Level::II, 0.10).unwrap();
        assert_eq!((p.table_size, p.ac, p.re), (125, 0, 1));
        let p = plan(2000, Level::II, 10.0).unwrap();
        assert_eq!((p.table_size, p.ac, p.re), (125, 21, 22));
    }

    #[test]
    fn arrows_lead_to_the_next_plan_and_its_sample_size() {
        // H (n=50), AQL 0.65: ↓ to J, n=80, Ac 1 Re 2.
        let p = plan(400, Level::II, 0.65).unwrap();
        assert_eq!(
            (p.letter, p.plan_letter, p.arrow, p.table_size, p.ac, p.re),
            ('H', 'J', Some(Arrow::Down), 80, 1, 2)
        );
        // G (n=32), AQL 0.65: ↑ to F, n=20, Ac 0 Re 1 (the cell right of the 0/1 diagonal).
        let p = plan(200, Level::II, 0.65).unwrap();
        assert_eq!(
            (p.letter, p.plan_letter, p.arrow, p.table_size, p.ac, p.re),
            ('G', 'F', Some(Arrow::Up), 20, 0, 1)
        );
        // D (n=8), AQL 2.5: ↑ to C, n=5, 0/1; E (n=13), AQL 2.5: ↓ to F, n=20, 1/2.
        let p = plan(40, Level::II, 2.5).unwrap();
        assert_eq!((p.plan_letter, p.table_size, p.ac), ('C', 5, 0));
        let p = plan(60, Level::II, 2.5).unwrap();
        assert_eq!((p.plan_letter, p.table_size, p.ac, p.re), ('F', 20, 1, 2));
        // L (n=200), AQL 10: ↑ to K, n=125, 21/22.
        let p = plan(5000, Level::II, 10.0).unwrap();
        assert_eq!(
            (p.plan_letter, p.table_size, p.ac, p.re),
            ('K', 125, 21, 22)
        );
        // Small AQLs on small lots: ↓ a long way, and the sample exceeds the lot.
        let p = plan(500, Level::II, 0.10).unwrap();
        assert_eq!((p.plan_letter, p.table_size, p.ac, p.re), ('K', 125, 0, 1));
        let p = plan(100, Level::II, 0.010).unwrap();
        assert_eq!(
            (p.plan_letter, p.table_size, p.whole_lot, p.size()),
            ('Q', 1250, true, 100)
        );
        // R at 0.010 and 0.015 lead up to Q and P (0/1).
        let p = plan(1_000_000, Level::III, 0.010).unwrap();
        assert_eq!((p.plan_letter, p.table_size, p.ac), ('Q', 1250, 0));
        let p = plan(1_000_000, Level::III, 0.015).unwrap();
        assert_eq!((p.plan_letter, p.table_size, p.ac), ('P', 800, 0));
    }

    #[test]
    fn every_cell_resolves_to_a_plan() {
        for lot in [
            2, 9, 16, 26, 51, 91, 151, 281, 501, 1201, 3201, 10_001, 35_001, 150_001, 500_001,
        ] {
            for level in Level::ALL {
                for aql in AQLS {
                    let p = plan(lot, level, aql).unwrap();
                    assert_eq!(p.re, p.ac + 1);
                    assert_eq!(p.whole_lot, p.table_size >= lot);
                }
            }
        }
        assert!(plan(1000, Level::II, 2.0).is_none());
        assert_eq!(format_aql(0.4), "0.40");
        assert_eq!(Level::parse("s-3"), Some(Level::S3));
        assert_eq!(Level::parse("ii"), Some(Level::II));
        assert_eq!(Level::parse("IV"), None);
    }
}
