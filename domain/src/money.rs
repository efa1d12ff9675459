//! Exact money and quantities. Never floats.
//!
//! - [`Money`]: an amount in Thai baht as an integer number of satang (1/100 THB), the
//!   unit invoices are paid in. Negative amounts are credits and decreases.
//! - [`UnitPrice`]: THB per unit of a metric, an exact decimal with up to 6 decimal places
//!   (per-hour and per-GB prices are fractions of a satang).
//! - [`Quantity`]: an amount of a metric, an exact decimal with up to 6 decimal places.
//!
//! Rounding rule (one, everywhere): a charge is `quantity × unit price`, computed exactly,
//! then rounded once to the satang, half away from zero (0.005 THB → 0.01 THB). Totals
//! are sums of already-rounded lines, so a statement adds up to its lines.

use std::fmt;
use std::ops::{Add, Neg, Sub};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

pub const MAX_DECIMAL_PLACES: u32 = 6;

/// An amount in THB, in satang.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("`{0}` is not a decimal number")]
    NotANumber(String),
    #[error("`{0}` has more than {1} decimal places")]
    TooPrecise(String, u32),
    #[error("`{0}` must not be negative")]
    Negative(String),
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_satang(satang: i64) -> Self {
        Money(satang)
    }

    pub const fn satang(self) -> i64 {
        self.0
    }

    /// Parses `"1234.5"`, `"-10.25"`, `"7"`: at most two decimal places.
    pub fn parse(raw: &str) -> Result<Self, MoneyError> {
        let d = parse_decimal(raw, 2)?;
        Self::from_decimal_exact(d).ok_or(MoneyError::Overflow)
    }

    fn from_decimal_exact(d: Decimal) -> Option<Self> {
        let satang = d.checked_mul(Decimal::ONE_HUNDRED)?;
        i64::try_from(satang.trunc()).ok().map(Money)
    }

    /// Rounds an exact THB amount to the satang, half away from zero.
    pub fn round_from_baht(baht: Decimal) -> Result<Self, MoneyError> {
        let rounded = baht.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        Self::from_decimal_exact(rounded).ok_or(MoneyError::Overflow)
    }

    pub fn to_baht(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Sums amounts; `None` on overflow.
    pub fn sum<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Option<Money> {
        amounts.into_iter().try_fold(Money::ZERO, |acc, m| acc.checked_add(*m))
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// Adding two amounts that overflow i64 satang (92 trillion THB) is a bug, not input.
impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

/// Always two decimal places: `1234.50`, `-0.05`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

fn parse_decimal(raw: &str, max_dp: u32) -> Result<Decimal, MoneyError> {
    let s = raw.trim();
    // Plain decimal notation only: no exponent, no underscores, no leading '+'.
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && s.chars().filter(|&c| c == '.').count() <= 1
        && s.rfind('-').is_none_or(|i| i == 0);
    if !plain {
        return Err(MoneyError::NotANumber(raw.to_owned()));
    }
    let d = Decimal::from_str_exact(s).map_err(|_| MoneyError::NotANumber(raw.to_owned()))?;
    if d.normalize().scale() > max_dp {
        return Err(MoneyError::TooPrecise(raw.to_owned(), max_dp));
    }
    Ok(d.normalize())
}

/// THB per unit; not negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitPrice(Decimal);

impl UnitPrice {
    pub fn parse(raw: &str) -> Result<Self, MoneyError> {
        let d = parse_decimal(raw, MAX_DECIMAL_PLACES)?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative(raw.to_owned()));
        }
        Ok(UnitPrice(d))
    }

    pub fn from_decimal(d: Decimal) -> Result<Self, MoneyError> {
        Self::parse(&d.to_string())
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for UnitPrice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

/// An amount of a metric (Mbps, vCPU-hours, GB-months, kWh…). May be negative only where
/// a caller allows it (usage corrections); resource sizes use [`Quantity::parse_non_negative`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(Decimal);

impl Quantity {
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);

    pub fn parse(raw: &str) -> Result<Self, MoneyError> {
        parse_decimal(raw, MAX_DECIMAL_PLACES).map(Quantity)
    }

    pub fn parse_non_negative(raw: &str) -> Result<Self, MoneyError> {
        let q = Self::parse(raw)?;
        if q.0.is_sign_negative() && !q.0.is_zero() {
            return Err(MoneyError::Negative(raw.to_owned()));
        }
        Ok(q)
    }

    pub fn from_decimal(d: Decimal) -> Result<Self, MoneyError> {
        Self::parse(&d.to_string())
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.0.checked_add(other.0).map(|d| Quantity(d.normalize()))
    }

    pub fn checked_sub(self, other: Quantity) -> Option<Quantity> {
        self.0.checked_sub(other.0).map(|d| Quantity(d.normalize()))
    }

    /// The quantity in millionths of a unit: exact, since a quantity has at most six decimal
    /// places, so storage can sum quantities as integers. `None` beyond the `i64` range.
    pub fn to_micros(self) -> Option<i64> {
        let micros = self.0.checked_mul(Decimal::from(1_000_000))?;
        i64::try_from(micros.trunc()).ok()
    }

    pub fn from_micros(micros: i64) -> Self {
        Quantity(Decimal::new(micros, MAX_DECIMAL_PLACES).normalize())
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

/// `quantity × unit_price`, exact, rounded once to the satang (half away from zero).
pub fn charge(quantity: Quantity, unit_price: UnitPrice) -> Result<Money, MoneyError> {
    let exact = quantity.0.checked_mul(unit_price.0).ok_or(MoneyError::Overflow)?;
    Money::round_from_baht(exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_and_prints_exactly() {
        assert_eq!(Money::parse("1234.5").unwrap().satang(), 123_450);
        assert_eq!(Money::parse("-0.05").unwrap().to_string(), "-0.05");
        assert_eq!(Money::parse("7").unwrap().to_string(), "7.00");
        assert_eq!(Money::parse("0.10").unwrap().satang(), 10);
        for bad in ["", "1.234", "1e3", "+5", "1,000", "abc", "1.2.3", "5-"] {
            assert!(Money::parse(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn unit_prices_allow_six_places_and_refuse_negatives() {
        assert_eq!(UnitPrice::parse("0.000125").unwrap().to_string(), "0.000125");
        assert_eq!(UnitPrice::parse("12.50").unwrap().to_string(), "12.5");
        assert!(matches!(UnitPrice::parse("0.0000001"), Err(MoneyError::TooPrecise(..))));
        assert!(matches!(UnitPrice::parse("-1"), Err(MoneyError::Negative(_))));
    }

    #[test]
    fn charge_rounds_once_half_away_from_zero() {
        let q = |s| Quantity::parse(s).unwrap();
        let p = |s| UnitPrice::parse(s).unwrap();
        // 3 × 0.335 = 1.005 → 1.01
        assert_eq!(charge(q("3"), p("0.335")).unwrap(), Money::from_satang(101));
        // 3 × 0.3349 = 1.0047 → 1.00
        assert_eq!(charge(q("3"), p("0.3349")).unwrap(), Money::from_satang(100));
        // corrections round symmetrically: -1.005 → -1.01
        assert_eq!(charge(q("-3"), p("0.335")).unwrap(), Money::from_satang(-101));
        // 1000 Mbps-month × 0.1 THB is exact
        assert_eq!(charge(q("1000"), p("0.1")).unwrap(), Money::parse("100").unwrap());
    }

    #[test]
    fn quantities_convert_exactly_to_and_from_micros() {
        let q = |s| Quantity::parse(s).unwrap();
        assert_eq!(q("1.000125").to_micros(), Some(1_000_125));
        assert_eq!(q("-2.5").to_micros(), Some(-2_500_000));
        assert_eq!(Quantity::from_micros(1_000_125), q("1.000125"));
        assert_eq!(Quantity::from_micros(-2_500_000).to_string(), "-2.5");
        assert_eq!(Quantity::from_micros(0), Quantity::ZERO);
        assert_eq!(q("10000000000000").to_micros(), None, "beyond i64 micros");
    }

    #[test]
    fn sums_detect_overflow() {
        let big = Money::from_satang(i64::MAX);
        assert_eq!(Money::sum(&[big, Money::from_satang(1)]), None);
        assert_eq!(Money::sum(&[Money::from_satang(1), Money::from_satang(2)]), Some(Money::from_satang(3)));
    }
}
