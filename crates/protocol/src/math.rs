//! Fixed-point percentages: `contracts/libraries/MathLib.sol` (`percPoints`, `percOf`), whose
//! truncation order is part of the economics. `None` where the contract's checked arithmetic
//! would revert (overflow, division by zero).

use alloy::primitives::{U256, uint};

/// 100% for `rewardCut`, `feeShare`, `roundLockAmount` and the governor's quota and quorum
/// (`MathLib.PERC_DIVISOR`, 1e6).
pub const PERC_DIVISOR: u64 = 1_000_000;

/// 100% for `inflation`, `inflationChange`, `targetBondingRate` and the stake fraction of
/// `Minter.createReward` (`MathLib.INFLATION_DIVISOR`, 1e9).
pub const INFLATION_DIVISOR: u64 = 1_000_000_000;

/// 1.0 for the cumulative reward and fee factors and the treasury reward cut rate
/// (`MathLib.PRECISE_DIVISOR`, 1e27).
pub const PRECISE_DIVISOR: U256 = uint!(1_000_000_000_000_000_000_000_000_000_U256);

/// `MathLib.percPoints(n, d, divisor)`: `n / d` as points of `divisor`, truncated.
pub fn perc_points(n: U256, d: U256, divisor: U256) -> Option<U256> {
    n.checked_mul(divisor)?.checked_div(d)
}

/// `MathLib.percOf(a, n, d, divisor)`: `a * (n / d)` with the ratio truncated to points of
/// `divisor` first.
pub fn perc_of_ratio(a: U256, n: U256, d: U256, divisor: U256) -> Option<U256> {
    a.checked_mul(perc_points(n, d, divisor)?)?
        .checked_div(divisor)
}

/// `MathLib.percOf(a, p, divisor)`: `a * p / divisor`, truncated.
pub fn perc_of(a: U256, p: U256, divisor: U256) -> Option<U256> {
    a.checked_mul(p)?.checked_div(divisor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precise_divisor_is_1e27() {
        assert_eq!(PRECISE_DIVISOR, U256::from(10u64).pow(U256::from(27u64)));
    }

    #[test]
    fn the_ratio_is_truncated_first() {
        let u = |n: u64| U256::from(n);
        // percPoints(1, 3, 1e9) = 333333333; 10 * 333333333 / 1e9 = 3 (not 3.33).
        assert_eq!(
            perc_points(u(1), u(3), u(INFLATION_DIVISOR)),
            Some(u(333_333_333))
        );
        assert_eq!(
            perc_of_ratio(u(10), u(1), u(3), u(INFLATION_DIVISOR)),
            Some(u(3))
        );
        // 7 * (2/3) at 1e6 points: 7 * 666666 / 1e6 = 4, where 7 * 2 / 3 = 4.67.
        assert_eq!(perc_of_ratio(u(7), u(2), u(3), u(PERC_DIVISOR)), Some(u(4)));
        assert_eq!(perc_of(u(1_000), u(250_000), u(PERC_DIVISOR)), Some(u(250)));
    }

    #[test]
    fn none_where_the_contract_reverts() {
        let u = |n: u64| U256::from(n);
        assert_eq!(perc_points(u(1), U256::ZERO, u(PERC_DIVISOR)), None);
        assert_eq!(perc_of(U256::MAX, u(2), u(PERC_DIVISOR)), None);
        assert_eq!(perc_of_ratio(U256::MAX, u(1), u(1), u(PERC_DIVISOR)), None);
    }
}
