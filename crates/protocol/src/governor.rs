//! Governance: the rules of `LivepeerGovernor` (OpenZeppelin's `Governor` with Livepeer's
//! counting) and of the Treasury (OpenZeppelin's `TimelockController`) that clients reproduce.
//!
//! | rule | contract | here |
//! |---|---|---|
//! | vote support codes | `castVote` (`GovernorCountingSimple` / Livepeer's overridable counting) | [`Support`] |
//! | proposal states and the `expectedStates` bitmap | `IGovernor.state`, `GovernorUnexpectedProposalState` | [`ProposalState`], [`expected_states`] |
//! | quorum and quota | `_quorumReached`, `_voteSucceeded` (`MathLib.percOf`, 1e6) | [`Tally`] |
//! | the description hash and the Treasury operation's salt | `GovernorTimelockControl._timelockSalt` | [`description_hash`], [`timelock_salt`], [`timelock_salts`] |
//!
//! Timepoints are rounds (BondingVotes' clock). A proposal created in round `c` has its snapshot
//! at `c + votingDelay` (votes as of the end of that round) and its deadline at
//! `snapshot + votingPeriod`: voting is open from round `snapshot + 1` through round `deadline`.

use std::str::FromStr;

use alloy::primitives::{Address, B256, U256, keccak256};

use crate::math::PERC_DIVISOR;

/// A vote's support, with OpenZeppelin's (bravo) codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// 0.
    Against,
    /// 1.
    For,
    /// 2.
    Abstain,
}

impl Support {
    /// The code `castVote` takes.
    pub const fn code(self) -> u8 {
        match self {
            Self::Against => 0,
            Self::For => 1,
            Self::Abstain => 2,
        }
    }

    /// The support of a code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Against),
            1 => Some(Self::For),
            2 => Some(Self::Abstain),
            _ => None,
        }
    }

    /// `for`, `against` or `abstain`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Against => "against",
            Self::For => "for",
            Self::Abstain => "abstain",
        }
    }
}

impl FromStr for Support {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "for" | "yes" => Ok(Self::For),
            "against" | "no" => Ok(Self::Against),
            "abstain" => Ok(Self::Abstain),
            _ => Err(format!(
                "`{raw}` is not a vote: write for, against or abstain"
            )),
        }
    }
}

/// The name of a vote code as the events carry it (`support 7` for a code that is none).
pub fn support_name(code: u8) -> String {
    Support::from_code(code).map_or_else(|| format!("support {code}"), |s| s.name().to_owned())
}

/// OpenZeppelin's `IGovernor.ProposalState`, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalState {
    /// Created; voting opens after the snapshot round.
    Pending,
    /// Voting is open.
    Active,
    /// Canceled by its proposer.
    Canceled,
    /// Voting closed without quorum or without enough `for` votes.
    Defeated,
    /// Voting closed and it passed: it can be queued.
    Succeeded,
    /// Queued in the Treasury: executable once the delay is over.
    Queued,
    /// Not executed in time.
    Expired,
    /// Executed.
    Executed,
}

impl ProposalState {
    /// Every state, by code.
    pub const ALL: [Self; 8] = [
        Self::Pending,
        Self::Active,
        Self::Canceled,
        Self::Defeated,
        Self::Succeeded,
        Self::Queued,
        Self::Expired,
        Self::Executed,
    ];

    /// The state of a code, if it is one.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }

    /// OpenZeppelin's name (`Pending`, `Active`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Active => "Active",
            Self::Canceled => "Canceled",
            Self::Defeated => "Defeated",
            Self::Succeeded => "Succeeded",
            Self::Queued => "Queued",
            Self::Expired => "Expired",
            Self::Executed => "Executed",
        }
    }
}

/// The name of a state code (`state 9` for a code that is none).
pub fn state_name(code: u8) -> String {
    ProposalState::from_code(code).map_or_else(|| format!("state {code}"), |s| s.name().to_owned())
}

/// The states of OpenZeppelin's `expectedStates` bitmap (bit `i` = state `i`).
pub fn expected_states(bitmap: B256) -> Vec<&'static str> {
    let bits = U256::from_be_bytes(bitmap.0);
    ProposalState::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| bits.bit(*i))
        .map(|(_, s)| s.name())
        .collect()
}

/// A proposal's votes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Against.
    pub against: U256,
    /// For.
    pub for_votes: U256,
    /// Abstain.
    pub abstain: U256,
}

impl Tally {
    /// For + against + abstain (what quorum counts).
    pub fn total(&self) -> U256 {
        self.for_votes + self.against + self.abstain
    }

    /// `part` as a share of all votes, over 1e6 (0 when nobody voted).
    pub fn share(&self, part: U256) -> U256 {
        share(part, self.total())
    }

    /// Quorum counts all three: for + against + abstain ≥ quorum.
    pub fn quorum_reached(&self, quorum: U256) -> bool {
        self.total() >= quorum
    }

    /// The governor's rule: `for >= percOf(for + against, quota)` (quota over 1e6, truncated;
    /// abstain ignored).
    pub fn passing(&self, quota: U256) -> bool {
        self.for_votes >= (self.for_votes + self.against) * quota / U256::from(PERC_DIVISOR)
    }
}

/// `part / total` over 1e6, truncated (0 for an empty total).
pub fn share(part: U256, total: U256) -> U256 {
    if total.is_zero() {
        U256::ZERO
    } else {
        part * U256::from(PERC_DIVISOR) / total
    }
}

/// One vote as the counting sees it: the voter's weight and delegate at the proposal snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    /// Who voted.
    pub voter: Address,
    /// Its support code ([`Support::code`]).
    pub support: u8,
    /// `getPastVotes(voter, snapshot)`.
    pub weight: U256,
    /// `delegatedAt(voter, snapshot)`: the voter itself for a transcoder.
    pub delegate: Address,
}

/// `LivepeerGovernor`'s overridable counting: the tally `[against, for, abstain]` of `ballots`, in
/// any order: a self-delegated voter (a transcoder) counts its weight less the weights of its
/// delegators who voted themselves; every other voter counts its full weight (so a delegator's
/// stake moves from its transcoder's side to its own). A delegator whose delegate was not
/// self-delegated at the snapshot takes nothing from it: that weight never included its stake.
pub fn overridable_tally(ballots: &[Ballot]) -> [U256; 3] {
    let mut tally = [U256::ZERO; 3];
    for b in ballots {
        let weight = if b.delegate == b.voter {
            let overridden: U256 = ballots
                .iter()
                .filter(|c| c.voter != b.voter && c.delegate == b.voter)
                .map(|c| c.weight)
                .sum();
            b.weight.saturating_sub(overridden)
        } else {
            b.weight
        };
        tally[usize::from(b.support.min(2))] += weight;
    }
    tally
}

/// `GovernorVotesQuorumFraction.quorum(snapshot)`: `numerator / denominator` of the votes' total
/// supply at the snapshot, truncated (`None` for a zero denominator or an overflow).
pub fn quorum(total_supply: U256, numerator: U256, denominator: U256) -> Option<U256> {
    total_supply
        .checked_mul(numerator)?
        .checked_div(denominator)
}

/// `keccak256(description)`, what queue and execute take.
pub fn description_hash(description: &str) -> B256 {
    keccak256(description.as_bytes())
}

/// OpenZeppelin 5's `GovernorTimelockControl` salt of a proposal's Treasury operation (ours):
/// `bytes20(governor) ^ descriptionHash` (the address in the high 20 bytes).
pub fn timelock_salt(governor: Address, description_hash: B256) -> B256 {
    let mut salt = description_hash;
    for (byte, g) in salt.0.iter_mut().zip(governor.0.iter()) {
        *byte ^= g;
    }
    salt
}

/// The salts a proposal's Treasury operation may be scheduled with: OpenZeppelin 5's (ours, see
/// [`timelock_salt`]), then 4.x's (the live governor), which is the description hash itself.
pub fn timelock_salts(governor: Address, description_hash: B256) -> [B256; 2] {
    [timelock_salt(governor, description_hash), description_hash]
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{address, b256};

    use super::*;

    fn e18(n: u64) -> U256 {
        U256::from(n) * U256::from(10).pow(U256::from(18))
    }

    #[test]
    fn support_parses_words_and_codes_round_trip() {
        for (text, support, code) in [
            ("for", Support::For, 1),
            ("FOR", Support::For, 1),
            (" against ", Support::Against, 0),
            ("abstain", Support::Abstain, 2),
            ("yes", Support::For, 1),
            ("no", Support::Against, 0),
        ] {
            assert_eq!(text.parse::<Support>(), Ok(support), "{text}");
            assert_eq!(support.code(), code);
            assert_eq!(Support::from_code(code), Some(support));
        }
        let err = "maybe".parse::<Support>().err().unwrap_or_default();
        assert_eq!(err, "`maybe` is not a vote: write for, against or abstain");
        assert!("1".parse::<Support>().is_err(), "codes are not typed");
        assert_eq!(support_name(2), "abstain");
        assert_eq!(support_name(7), "support 7");
    }

    #[test]
    fn state_names_follow_openzeppelin_order() {
        let names: Vec<String> = (0..8).map(state_name).collect();
        assert_eq!(
            names,
            [
                "Pending",
                "Active",
                "Canceled",
                "Defeated",
                "Succeeded",
                "Queued",
                "Expired",
                "Executed"
            ]
        );
        assert_eq!(state_name(8), "state 8");
        // Succeeded | Queued, as OZ encodes the states `execute` accepts.
        let bitmap = B256::from(U256::from((1u64 << 4) | (1u64 << 5)));
        assert_eq!(expected_states(bitmap), ["Succeeded", "Queued"]);
        assert!(expected_states(B256::ZERO).is_empty());
    }

    #[test]
    fn tally_quorum_and_quota() {
        let t = Tally {
            against: e18(400),
            for_votes: e18(600),
            abstain: e18(1000),
        };
        assert_eq!(t.total(), e18(2000));
        assert_eq!(t.share(t.for_votes), U256::from(300_000), "30%");
        assert!(t.quorum_reached(e18(2000)));
        assert!(!t.quorum_reached(e18(2000) + U256::from(1)));
        // 600 of 1000 for/against: passes a 50% and a 60% quota, not 60.0001%.
        assert!(t.passing(U256::from(500_000)));
        assert!(t.passing(U256::from(600_000)));
        assert!(!t.passing(U256::from(600_001)));
        // Nobody voted: passing by the rule (0 >= 0), but no quorum.
        let none = Tally::default();
        assert!(none.passing(U256::from(500_000)));
        assert!(!none.quorum_reached(U256::from(1)));
        assert_eq!(none.share(U256::ZERO), U256::ZERO);
    }

    #[test]
    fn timelock_salt_xors_the_governor_into_the_high_bytes() {
        let governor = address!("ffffffffffffffffffffffffffffffffffffffff");
        let hash = b256!("00000000000000000000000000000000000000000000000000000000000000aa");
        assert_eq!(
            timelock_salt(governor, hash),
            b256!("ffffffffffffffffffffffffffffffffffffffff0000000000000000000000aa")
        );
        assert_eq!(
            timelock_salts(governor, hash),
            [timelock_salt(governor, hash), hash],
            "OpenZeppelin 5's salt first, then 4.x's (the live governor)"
        );
        assert_eq!(
            description_hash("x"),
            keccak256(b"x"),
            "the governor hashes the description's bytes"
        );
    }
    fn addr(n: u8) -> Address {
        Address::with_last_byte(n)
    }

    fn ballot(voter: u8, support: Support, weight: u64, delegate: u8) -> Ballot {
        Ballot {
            voter: addr(voter),
            support: support.code(),
            weight: e18(weight),
            delegate: addr(delegate),
        }
    }

    #[test]
    fn delegator_override_moves_its_stake_to_its_side() {
        // O1 (135 incl. D0's 10) against, O2 (165) and O3 (220) for; D0 on O1 votes for.
        let ballots = [
            ballot(1, Support::Against, 135, 1),
            ballot(2, Support::For, 165, 2),
            ballot(3, Support::For, 220, 3),
            ballot(10, Support::For, 10, 1),
        ];
        assert_eq!(
            overridable_tally(&ballots),
            [e18(125), e18(395), U256::ZERO],
            "D0's 10 move from against to for"
        );
        // Whoever votes first: the same tally.
        let mut reversed = ballots.clone();
        reversed.reverse();
        assert_eq!(
            overridable_tally(&reversed),
            overridable_tally(&ballots),
            "order"
        );
    }

    #[test]
    fn override_on_the_same_side_changes_nothing() {
        let alone = [ballot(1, Support::For, 135, 1)];
        let both = [
            ballot(1, Support::For, 135, 1),
            ballot(10, Support::For, 10, 1),
        ];
        assert_eq!(
            overridable_tally(&alone),
            overridable_tally(&both),
            "same side"
        );
    }

    #[test]
    fn delegator_of_a_silent_or_non_transcoder_counts_in_full() {
        // D0's transcoder did not vote: D0's weight counts, nothing taken from anyone.
        assert_eq!(
            overridable_tally(&[
                ballot(10, Support::Against, 10, 1),
                ballot(2, Support::For, 165, 2)
            ]),
            [e18(10), e18(165), U256::ZERO]
        );
        // D0 is bonded to 5, which was itself bonded to 6 at the snapshot (not a transcoder):
        // 5's weight never held D0's stake, so both count in full.
        assert_eq!(
            overridable_tally(&[
                ballot(10, Support::For, 10, 5),
                ballot(5, Support::Against, 0, 6)
            ]),
            [U256::ZERO, e18(10), U256::ZERO]
        );
        // Abstentions are counted apart.
        assert_eq!(
            overridable_tally(&[
                ballot(1, Support::Abstain, 135, 1),
                ballot(10, Support::Against, 10, 1)
            ]),
            [e18(10), U256::ZERO, e18(125)]
        );
    }

    #[test]
    fn quorum_is_a_truncated_fraction_of_the_supply() {
        assert_eq!(
            quorum(e18(1_000), U256::from(333_300), U256::from(PERC_DIVISOR)),
            Some(U256::from(333_300_000_000_000_000_000u128))
        );
        assert_eq!(
            quorum(U256::from(7), U256::from(1), U256::from(3)),
            Some(U256::from(2))
        );
        assert_eq!(quorum(U256::from(7), U256::from(1), U256::ZERO), None);
    }
}
