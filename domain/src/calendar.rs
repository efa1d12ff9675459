//! Thai calendar practice: months are Asia/Bangkok calendar months, and the government
//! fiscal year runs 1 October – 30 September, named by the year in which it ends
//! (fiscal year 2027 = 1 Oct 2026 – 30 Sep 2027; B.E. 2570).
//!
//! Asia/Bangkok is UTC+7 all year (no daylight saving since 1920), so a fixed offset is
//! exact and needs no time-zone database.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// UTC+7, checked at compile time.
const BANGKOK: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

pub fn bangkok() -> FixedOffset {
    BANGKOK
}

/// A calendar month in Asia/Bangkok.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month; expected YYYY-MM, e.g. 2026-12")]
pub struct InvalidMonth(pub String);

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Self, InvalidMonth> {
        if (1..=12).contains(&month) && (1900..=9999).contains(&year) {
            Ok(Month { year, month })
        } else {
            Err(InvalidMonth(format!("{year}-{month:02}")))
        }
    }

    /// The Bangkok month an instant falls in: 23:30 UTC on 31 January is already
    /// 06:30 on 1 February in Bangkok.
    pub fn containing(instant: DateTime<Utc>) -> Self {
        let local = instant.with_timezone(&bangkok());
        Month { year: local.year(), month: local.month() }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(self) -> Self {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// 00:00 Bangkok on the first day, as a UTC instant (17:00 UTC the day before).
    pub fn start(self) -> DateTime<Utc> {
        let first =
            NaiveDate::from_ymd_opt(self.year, self.month, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
        bangkok().from_local_datetime(&first).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    /// The start of the next month: months are half-open intervals `[start, end)`.
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    pub fn contains(self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.end()
    }

    /// Minutes in the month (Bangkok has no DST, so days are 1,440 minutes).
    pub fn minutes(self) -> i64 {
        (self.end() - self.start()).num_minutes()
    }

    pub fn fiscal_year(self) -> FiscalYear {
        if self.month >= 10 { FiscalYear(self.year + 1) } else { FiscalYear(self.year) }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = InvalidMonth;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidMonth(s.to_owned());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        // Digits only: `str::parse` would also take a sign (`+123-01`).
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || m.len() != 2 || !digits(y) || !digits(m) {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Month::new(year, month).map_err(|_| bad())
    }
}

/// A Thai government fiscal year, named by the Gregorian year it ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(pub i32);

impl FiscalYear {
    pub fn containing(instant: DateTime<Utc>) -> Self {
        Month::containing(instant).fiscal_year()
    }

    /// 1 October of the previous year, 00:00 Bangkok.
    pub fn first_month(self) -> Month {
        Month { year: self.0 - 1, month: 10 }
    }

    pub fn start(self) -> DateTime<Utc> {
        self.first_month().start()
    }

    pub fn end(self) -> DateTime<Utc> {
        FiscalYear(self.0 + 1).start()
    }

    /// The year in the Buddhist Era, as Thai documents write it (2027 → 2570).
    pub fn buddhist_era(self) -> i32 {
        self.0 + 543
    }

    /// The months of the year from October through `through`, inclusive: 1 in October, 12 in
    /// September; 0 before the year starts and 12 after it ends.
    pub fn months_elapsed(self, through: Month) -> u32 {
        if through < self.first_month() {
            return 0;
        }
        let months = (through.year() - self.first_month().year()) * 12 + through.month() as i32 - 10 + 1;
        months.clamp(0, 12) as u32
    }

    /// The last month, September.
    pub fn last_month(self) -> Month {
        Month { year: self.0, month: 9 }
    }

    /// As Thai documents label it beside the Gregorian year: `FY 2027 (B.E. 2570)`.
    pub fn label(self) -> String {
        format!("FY {} (B.E. {})", self.0, self.buddhist_era())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a fiscal year; expected the Gregorian year it ends in, e.g. 2027 (B.E. 2570)")]
pub struct InvalidFiscalYear(pub String);

/// The Gregorian year (`2027`); a Buddhist-era year (`2570`) is refused with a hint, since
/// the two cannot be told apart safely in one field.
impl FromStr for FiscalYear {
    type Err = InvalidFiscalYear;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<i32>() {
            Ok(year) if (1901..=2400).contains(&year) && s.bytes().all(|b| b.is_ascii_digit()) => Ok(FiscalYear(year)),
            _ => Err(InvalidFiscalYear(s.to_owned())),
        }
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn late_utc_evening_on_the_last_day_is_next_month_in_bangkok() {
        assert_eq!(Month::containing(utc(2026, 1, 31, 23, 30)), Month::new(2026, 2).unwrap());
        assert_eq!(Month::containing(utc(2026, 1, 31, 16, 59)), Month::new(2026, 1).unwrap());
        assert_eq!(Month::containing(utc(2026, 1, 31, 17, 0)), Month::new(2026, 2).unwrap());
        assert_eq!(Month::containing(utc(2026, 12, 31, 17, 0)), Month::new(2027, 1).unwrap());
    }

    #[test]
    fn month_bounds_are_bangkok_midnights() {
        let feb = Month::new(2028, 2).unwrap();
        assert_eq!(feb.start(), utc(2028, 1, 31, 17, 0));
        assert_eq!(feb.end(), utc(2028, 2, 29, 17, 0));
        assert_eq!(feb.minutes(), 29 * 1440, "2028 is a leap year");
        assert!(feb.contains(feb.start()));
        assert!(!feb.contains(feb.end()));
    }

    #[test]
    fn fiscal_year_runs_october_to_september() {
        assert_eq!(Month::new(2026, 9).unwrap().fiscal_year(), FiscalYear(2026));
        assert_eq!(Month::new(2026, 10).unwrap().fiscal_year(), FiscalYear(2027));
        assert_eq!(FiscalYear(2027).start(), utc(2026, 9, 30, 17, 0));
        assert_eq!(FiscalYear::containing(utc(2026, 9, 30, 17, 0)), FiscalYear(2027));
        assert_eq!(FiscalYear::containing(utc(2026, 9, 30, 16, 59)), FiscalYear(2026));
        assert_eq!(FiscalYear(2027).buddhist_era(), 2570);
    }

    #[test]
    fn gsi_13_3_fiscal_year_boundary_is_bangkok_midnight_on_1_october() {
        // 30 September 23:59 Bangkok is still FY 2026; a minute later FY 2027 (B.E. 2570).
        assert_eq!(FiscalYear::containing(utc(2026, 9, 30, 16, 59)), FiscalYear(2026));
        assert_eq!(FiscalYear::containing(utc(2026, 9, 30, 17, 0)), FiscalYear(2027));
        assert_eq!(FiscalYear(2027).first_month(), Month::new(2026, 10).unwrap());
        assert_eq!(FiscalYear(2027).last_month(), Month::new(2027, 9).unwrap());
        assert_eq!(FiscalYear(2027).end(), utc(2027, 9, 30, 17, 0));
        assert_eq!(FiscalYear(2027).label(), "FY 2027 (B.E. 2570)");
        assert_eq!(FiscalYear(2027).months_elapsed(Month::new(2026, 9).unwrap()), 0);
        assert_eq!(FiscalYear(2027).months_elapsed(Month::new(2026, 10).unwrap()), 1);
        assert_eq!(FiscalYear(2027).months_elapsed(Month::new(2027, 3).unwrap()), 6);
        assert_eq!(FiscalYear(2027).months_elapsed(Month::new(2027, 9).unwrap()), 12);
        assert_eq!(FiscalYear(2027).months_elapsed(Month::new(2028, 1).unwrap()), 12);
        assert_eq!("2027".parse::<FiscalYear>().unwrap(), FiscalYear(2027));
        assert!("2570".parse::<FiscalYear>().is_err(), "B.E. years are refused, not misread");
        assert!("27".parse::<FiscalYear>().is_err());
    }

    #[test]
    fn parses_months() {
        assert_eq!("2026-12".parse::<Month>().unwrap().to_string(), "2026-12");
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", "", "2026-00"] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        assert_eq!(Month::new(2026, 12).unwrap().next(), Month::new(2027, 1).unwrap());
        assert_eq!(Month::new(2027, 1).unwrap().previous(), Month::new(2026, 12).unwrap());
    }
}
