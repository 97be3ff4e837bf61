//! Rounds, as `RoundsManager.currentRound()` counts them.
//!
//! The contracts pass rounds as `uint256`, but a round is a block number divided by the round
//! length (`RoundsManager.currentRound`), so every real round fits in 64 bits. [`Round`] is that
//! number: converted once from a contract's `uint256` with [`Round::try_from`], which fails with
//! [`NotARound`] instead of saturating, then compared and stepped without overflow checks at
//! every use. It compares with `U256` both ways, so a round read from the chain can be checked
//! against the contracts' stored rounds (`lastRewardRound`, a ticket's `creationRound`) as the
//! contracts compare them. To pass one to a binding, `round.to_u256()` (or `.into()`):
//! `U256::from(round)` is ruint's own `from`, which does not take it.

use std::{cmp::Ordering, fmt, str::FromStr};

use alloy::primitives::U256;
use serde::{Deserialize, Serialize};

/// A protocol round. Serialized as a plain number (JSON `42`), displayed as one.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Round(u64);

/// A `uint256` that cannot be a round (above 2^64 - 1): a contract answered something that is not
/// a round, or a user typed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{value} is not a round (rounds are below 2^64)")]
pub struct NotARound {
    /// The value.
    pub value: U256,
}

impl Round {
    /// Round 0 (the contracts' "never": no reward yet, no unlock started).
    pub const ZERO: Self = Self(0);
    /// The largest round.
    pub const MAX: Self = Self(u64::MAX);

    /// Round `n`.
    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    /// The round's number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The round as the contracts take it.
    pub fn to_u256(self) -> U256 {
        U256::from(self.0)
    }

    /// The next round (saturating at [`Round::MAX`], which no chain reaches).
    #[must_use]
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }

    /// The previous round, `None` for round 0.
    pub const fn prev(self) -> Option<Self> {
        match self.0.checked_sub(1) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// `rounds` rounds later, `None` past [`Round::MAX`].
    pub const fn checked_add(self, rounds: u64) -> Option<Self> {
        match self.0.checked_add(rounds) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// `rounds` rounds later, at most [`Round::MAX`].
    #[must_use]
    pub const fn saturating_add(self, rounds: u64) -> Self {
        Self(self.0.saturating_add(rounds))
    }

    /// `rounds` rounds earlier, at least round 0.
    #[must_use]
    pub const fn saturating_sub(self, rounds: u64) -> Self {
        Self(self.0.saturating_sub(rounds))
    }

    /// Rounds from `earlier` to `self` (0 when `earlier` is not earlier).
    pub const fn since(self, earlier: Self) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Whether this is round 0.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl TryFrom<U256> for Round {
    type Error = NotARound;

    fn try_from(value: U256) -> Result<Self, NotARound> {
        u64::try_from(value)
            .map(Self)
            .map_err(|_| NotARound { value })
    }
}

impl From<u64> for Round {
    fn from(n: u64) -> Self {
        Self(n)
    }
}

impl From<Round> for u64 {
    fn from(round: Round) -> Self {
        round.0
    }
}

impl From<Round> for U256 {
    fn from(round: Round) -> Self {
        round.to_u256()
    }
}

impl PartialEq<U256> for Round {
    fn eq(&self, other: &U256) -> bool {
        self.to_u256() == *other
    }
}

impl PartialEq<Round> for U256 {
    fn eq(&self, other: &Round) -> bool {
        *self == other.to_u256()
    }
}

impl PartialOrd<U256> for Round {
    fn partial_cmp(&self, other: &U256) -> Option<Ordering> {
        self.to_u256().partial_cmp(other)
    }
}

impl PartialOrd<Round> for U256 {
    fn partial_cmp(&self, other: &Round) -> Option<Ordering> {
        self.partial_cmp(&other.to_u256())
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Round {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<u64>()
            .map(Self)
            .map_err(|_| format!("`{raw}` is not a round (write a whole number, e.g. 3512)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_from_uint256_without_saturating() {
        assert_eq!(Round::try_from(U256::from(42u64)), Ok(Round::new(42)));
        assert_eq!(Round::try_from(U256::from(u64::MAX)), Ok(Round::MAX));
        let above = U256::from(u64::MAX) + U256::from(1u64);
        assert_eq!(Round::try_from(above), Err(NotARound { value: above }));
        assert_eq!(
            NotARound { value: above }.to_string(),
            "18446744073709551616 is not a round (rounds are below 2^64)"
        );
        let seven: U256 = Round::new(7).into();
        assert_eq!(seven, U256::from(7u64));
    }

    #[test]
    fn steps_and_distances() {
        let r = Round::new(10);
        assert_eq!(r.next(), Round::new(11));
        assert_eq!(Round::MAX.next(), Round::MAX);
        assert_eq!(r.prev(), Some(Round::new(9)));
        assert_eq!(Round::ZERO.prev(), None);
        assert_eq!(r.checked_add(5), Some(Round::new(15)));
        assert_eq!(Round::MAX.checked_add(1), None);
        assert_eq!(Round::MAX.saturating_add(3), Round::MAX);
        assert_eq!(r.saturating_sub(3), Round::new(7));
        assert_eq!(r.saturating_sub(30), Round::ZERO);
        assert_eq!(r.since(Round::new(4)), 6);
        assert_eq!(Round::new(4).since(r), 0);
        assert!(Round::ZERO.is_zero() && !r.is_zero());
    }

    #[test]
    fn compares_with_uint256_both_ways() {
        let r = Round::new(10);
        assert!(r == U256::from(10u64) && U256::from(10u64) == r);
        assert!(r < U256::from(11u64) && U256::from(11u64) > r);
        assert!(r > U256::from(9u64) && U256::from(9u64) < r);
        assert!(
            r < U256::MAX,
            "a value that is no round is above every round"
        );
    }

    #[test]
    fn displays_parses_and_serializes_as_a_number() -> Result<(), serde_json::Error> {
        let r = Round::new(3512);
        assert_eq!(r.to_string(), "3512");
        assert_eq!(" 3512 ".parse::<Round>(), Ok(r));
        assert!("-1".parse::<Round>().is_err());
        assert!("3.5".parse::<Round>().is_err());
        assert!("18446744073709551616".parse::<Round>().is_err());
        assert_eq!(serde_json::to_string(&r)?, "3512");
        assert_eq!(serde_json::from_str::<Round>("3512")?, r);
        Ok(())
    }
}
