//! Amounts and percentages as users type and read them: LPT (`LivepeerToken.decimals()`, 18) and
//! ETH (wei) amounts, and the contracts' percentage scales (`MathLib.PERC_DIVISOR`, 1e6, for
//! `rewardCut`, `feeShare` and the governor's shares; `MathLib.INFLATION_DIVISOR`, 1e9, for
//! inflation and the bonding rate).
//!
//! An amount is typed as `1.5` (in the unit the command expects), `1.5lpt` / `1.5 LPT`, `0.1eth`,
//! or raw wei with a `wei` suffix (`1000wei`).

use alloy::primitives::U256;

use crate::math::PERC_DIVISOR;

/// Decimals of LPT and ETH.
pub const DECIMALS: usize = 18;

/// The unit an amount was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Livepeer Token.
    Lpt,
    /// Ether.
    Eth,
}

impl Unit {
    /// Upper-case symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Lpt => "LPT",
            Self::Eth => "ETH",
        }
    }
}

/// An amount as typed: wei, and the unit it named (none for bare numbers and `wei`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// The value in wei (10^-18 units).
    pub wei: U256,
    /// The unit the user wrote, if any.
    pub unit: Option<Unit>,
}

impl std::str::FromStr for Amount {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let text = raw.trim().to_ascii_lowercase().replace('_', "");
        let (number, unit, is_wei) = if let Some(n) = text.strip_suffix("wei") {
            (n.trim(), None, true)
        } else if let Some(n) = text.strip_suffix("lpt") {
            (n.trim(), Some(Unit::Lpt), false)
        } else if let Some(n) = text.strip_suffix("eth") {
            (n.trim(), Some(Unit::Eth), false)
        } else {
            (text.as_str(), None, false)
        };
        let bad =
            || format!("`{raw}` is not an amount (write e.g. 1.5, 1.5lpt, 0.1eth or 1000wei)");
        if number.is_empty() {
            return Err(bad());
        }
        let wei = if is_wei {
            if !number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`{raw}`: a wei amount is a whole number"));
            }
            number.parse::<U256>().map_err(|_| bad())?
        } else {
            parse_decimal(number, DECIMALS).ok_or_else(bad)?
        };
        Ok(Self { wei, unit })
    }
}

impl Amount {
    /// The amount in wei of `expected`, rejecting an amount written in the other unit.
    pub fn of(&self, expected: Unit) -> Result<U256, String> {
        match self.unit {
            Some(unit) if unit != expected => Err(format!(
                "this amount is in {}, not {} (write e.g. 1.5{})",
                expected.symbol(),
                unit.symbol(),
                expected.symbol().to_ascii_lowercase()
            )),
            _ => Ok(self.wei),
        }
    }
}

/// `number` (digits with at most one `.`) scaled by 10^`decimals`; `None` if malformed, with more
/// fractional digits than `decimals`, or too large.
pub fn parse_decimal(number: &str, decimals: usize) -> Option<U256> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > decimals
    {
        return None;
    }
    let scale = U256::from(10).checked_pow(U256::from(decimals))?;
    let whole = if whole.is_empty() {
        U256::ZERO
    } else {
        whole.parse::<U256>().ok()?
    };
    let frac = if frac.is_empty() {
        U256::ZERO
    } else {
        let padded = format!("{frac:0<decimals$}");
        padded.parse::<U256>().ok()?
    };
    whole.checked_mul(scale)?.checked_add(frac)
}

/// `wei` as a decimal number of units, trailing zeros trimmed: `1500000000000000000` -> `1.5`.
pub fn format_units(wei: U256, decimals: usize) -> String {
    let scale = U256::from(10).pow(U256::from(decimals));
    let whole = wei / scale;
    let frac = wei % scale;
    if frac.is_zero() {
        return group(&whole.to_string());
    }
    let digits = format!("{:0>decimals$}", frac.to_string());
    format!(
        "{}.{}",
        group(&whole.to_string()),
        digits.trim_end_matches('0')
    )
}

/// Thousands separators for a string of digits.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `wei` as a number of 18-decimal units with exactly `shown` decimals (at most 18), truncated,
/// without grouping: `1500000000000000000` with 3 -> `1.500` (for columns of figures).
pub fn format_fixed(wei: U256, shown: usize) -> String {
    let scale = U256::from(10).pow(U256::from(DECIMALS));
    let (whole, frac) = (wei / scale, wei % scale);
    if shown == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0>DECIMALS$}");
    format!("{whole}.{}", &digits[..shown.min(DECIMALS)])
}

/// `1.5 LPT`.
pub fn lpt(wei: U256) -> String {
    format!("{} LPT", format_units(wei, DECIMALS))
}

/// `0.1 ETH`.
pub fn eth(wei: U256) -> String {
    format!("{} ETH", format_units(wei, DECIMALS))
}

/// A share in the protocol's 1e6 scale (rewardCut, feeShare) as a percentage: `250000` -> `25%`.
pub fn percent_1e6(value: U256) -> String {
    format!("{}%", format_units(value, 4))
}

/// A rate in the 1e9 scale (inflation, bonding rate) as a percentage: `220500` -> `0.02205%`.
pub fn percent_1e9(value: U256) -> String {
    format!("{}%", format_units(value, 7))
}

/// A percentage typed as `25`, `25%` or `12.5%` into the 1e6 scale (at most 4 decimals, at most
/// 100%).
pub fn parse_percent(raw: &str) -> Result<U256, String> {
    let number = raw.trim().trim_end_matches('%').trim();
    let value = parse_decimal(number, 4).ok_or_else(|| {
        format!("`{raw}` is not a percentage (write e.g. 25, 25% or 12.5%, at most 4 decimals)")
    })?;
    if value > U256::from(PERC_DIVISOR) {
        return Err(format!("`{raw}` is above 100%"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(s: &str) -> Result<Amount, String> {
        s.parse()
    }

    #[test]
    fn parses_every_accepted_form() {
        let e18 = U256::from(10).pow(U256::from(18));
        assert_eq!(
            amount("1.5").map(|a| a.wei),
            Ok(e18 * U256::from(15) / U256::from(10))
        );
        assert_eq!(amount("1.5lpt").map(|a| a.unit), Ok(Some(Unit::Lpt)));
        assert_eq!(
            amount("1.5 LPT").map(|a| a.wei),
            amount("1.5").map(|a| a.wei)
        );
        assert_eq!(amount("0.1eth").map(|a| a.unit), Ok(Some(Unit::Eth)));
        assert_eq!(amount("1000wei").map(|a| a.wei), Ok(U256::from(1000)));
        assert_eq!(amount(".5").map(|a| a.wei), Ok(e18 / U256::from(2)));
        assert_eq!(amount("1_000").map(|a| a.wei), Ok(e18 * U256::from(1000)));
        assert_eq!(
            amount("0.000000000000000001").map(|a| a.wei),
            Ok(U256::from(1))
        );
    }

    #[test]
    fn rejects_malformed_amounts() {
        for bad in [
            "",
            "lpt",
            "1.2.3",
            "-1",
            "1e18",
            "abc",
            "0.0000000000000000001",
            "1.5wei",
        ] {
            assert!(amount(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn unit_must_match_the_command() {
        let a = amount("1eth").unwrap_or_else(|_| unreachable!());
        assert!(a.of(Unit::Lpt).is_err());
        assert!(a.of(Unit::Eth).is_ok());
        let bare = amount("1").unwrap_or_else(|_| unreachable!());
        assert!(bare.of(Unit::Lpt).is_ok() && bare.of(Unit::Eth).is_ok());
    }

    #[test]
    fn formats_with_decimals_and_grouping() {
        let e18 = U256::from(10).pow(U256::from(18));
        assert_eq!(
            lpt(e18 * U256::from(1_234_567) + e18 / U256::from(4)),
            "1,234,567.25 LPT"
        );
        assert_eq!(eth(U256::from(1)), "0.000000000000000001 ETH");
        assert_eq!(lpt(U256::ZERO), "0 LPT");
        assert_eq!(percent_1e6(U256::from(250_000)), "25%");
        assert_eq!(percent_1e6(U256::from(1)), "0.0001%");
        assert_eq!(percent_1e9(U256::from(220_500)), "0.02205%");
    }

    #[test]
    fn fixed_decimals_truncate() {
        let e18 = U256::from(10).pow(U256::from(18));
        let x = e18 * U256::from(1_234) + e18 / U256::from(8); // 1234.125
        assert_eq!(format_fixed(x, 0), "1234");
        assert_eq!(format_fixed(x, 2), "1234.12");
        assert_eq!(format_fixed(x, 6), "1234.125000");
        assert_eq!(format_fixed(U256::from(1), 18), "0.000000000000000001");
        assert_eq!(format_fixed(U256::from(1), 30), "0.000000000000000001");
    }

    /// Random amounts of every magnitude, 0 and `U256::MAX` included: what is shown parses back to
    /// the same wei, and a fixed number of decimals truncates.
    #[test]
    fn formatting_round_trips_through_parsing() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(18);
        let mut values = vec![U256::ZERO, U256::from(1), U256::MAX];
        for _ in 0..2_000 {
            let bits = rng.gen_range(0..=256usize);
            values.push(U256::from_limbs(rng.r#gen::<[u64; 4]>()) >> (256 - bits));
        }
        for wei in values {
            let shown = format_units(wei, DECIMALS).replace(',', "");
            assert_eq!(parse_decimal(&shown, DECIMALS), Some(wei), "{shown}");
            let typed: Result<Amount, _> = format!("{shown} LPT").parse();
            assert_eq!(typed.map(|a| (a.wei, a.unit)), Ok((wei, Some(Unit::Lpt))));
            let typed: Result<Amount, _> = format!("{wei}wei").parse();
            assert_eq!(typed.map(|a| a.wei), Ok(wei));
            let k = rng.gen_range(0..=DECIMALS);
            let step = U256::from(10).pow(U256::from(DECIMALS - k));
            assert_eq!(
                parse_decimal(&format_fixed(wei, k), DECIMALS),
                Some(wei - wei % step),
                "{wei} with {k} decimals"
            );
        }
        for _ in 0..2_000 {
            let share = U256::from(rng.gen_range(0..=PERC_DIVISOR));
            assert_eq!(parse_percent(&percent_1e6(share)), Ok(share));
            let rate = U256::from(rng.r#gen::<u64>());
            let shown = percent_1e9(rate).replace(',', "");
            assert_eq!(
                parse_decimal(shown.trim_end_matches('%'), 7),
                Some(rate),
                "{shown}"
            );
        }
    }

    #[test]
    fn too_large_or_too_precise_amounts_are_refused() {
        let max = format_units(U256::MAX, DECIMALS).replace(',', "");
        assert!(
            parse_decimal(&format!("{max}1"), DECIMALS).is_none(),
            "above 2^256"
        );
        assert!(parse_decimal(&format!("1{max}"), DECIMALS).is_none());
        assert!(
            format!("{}1wei", U256::MAX).parse::<Amount>().is_err(),
            "wei above 2^256"
        );
        assert_eq!(parse_decimal("0.", DECIMALS), Some(U256::ZERO));
        assert!(parse_decimal(".", DECIMALS).is_none());
        assert!(parse_decimal("1.0000000000000000001", DECIMALS).is_none());
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("25"), Ok(U256::from(250_000)));
        assert_eq!(parse_percent("12.5%"), Ok(U256::from(125_000)));
        assert_eq!(parse_percent("100%"), Ok(U256::from(1_000_000)));
        assert!(parse_percent("100.01").is_err());
        assert!(parse_percent("1.00001").is_err());
        assert!(parse_percent("x").is_err());
    }
}
