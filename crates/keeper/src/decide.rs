//! The keeper's decision: a pure function of chain state, testable without a node.
//!
//! # Turn order
//!
//! Several keepers coordinate without talking to each other. For round `r`, every keeper in
//! the configured set `K` (`--keepers`, the same list for everyone) gets the score
//! `keccak256(uint256(r) ‖ address)` (32-byte big-endian round, then the 20-byte address);
//! sorting scores ascending gives each keeper a rank `k` in `0..n` (`n = |K|`). Blocks of the
//! round are cut into windows of `d = turn_delay_blocks` blocks; window `w` (blocks
//! `start + w·d .. start + (w+1)·d`) belongs to the keeper of rank `w mod n`. A keeper acts only
//! in its own windows, so rank 0 sends in the round's first block, rank 1 takes over `d` blocks
//! later if the round is still uninitialized, and so on, cycling. At any block exactly one
//! keeper of the set may send, even after a stall or when every keeper starts mid-round. Ranks
//! rotate every round, so the gas cost is shared. A keeper outside the set is a backup of last
//! resort: it acts at any block once `n·d` blocks of the round have passed. Everyone stops as
//! soon as `lastInitializedRound == currentRound`.

use alloy::primitives::{Address, B256, keccak256};
use livepeer_chain::missed::Observation;
use livepeer_protocol::Round;

/// The on-chain facts a decision depends on, read at one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundState {
    /// The block the state was read at.
    pub block: u64,
    /// `RoundsManager.currentRound()`.
    pub current_round: Round,
    /// `RoundsManager.lastInitializedRound()`.
    pub last_initialized_round: Round,
    /// `RoundsManager.currentRoundStartBlock()`.
    pub round_start_block: u64,
    /// `RoundsManager.roundLength()`.
    pub round_length: u64,
    /// The block's base fee per gas (wei).
    pub base_fee: u128,
}

impl RoundState {
    /// Whether the current round still needs `initializeRound()`.
    pub fn needs_initialization(&self) -> bool {
        self.current_round > self.last_initialized_round
    }

    /// Blocks since the current round started (0 in its first block).
    pub fn blocks_into_round(&self) -> u64 {
        self.block.saturating_sub(self.round_start_block)
    }

    /// The keeper's duty as [`livepeer_chain::missed`] counts it: every round must be
    /// initialized, by this keeper or anyone, so a round never read is owed too.
    pub fn observation(&self) -> Observation {
        Observation {
            round: self.current_round,
            round_start: self.round_start_block,
            round_length: self.round_length,
            owed: self.needs_initialization(),
            last_done: self.last_initialized_round,
            owed_unseen: true,
        }
    }
}

/// This keeper's place among its peers and its gas policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnConfig {
    /// This keeper's sending address.
    pub me: Address,
    /// Every keeper of the coordinated set (may include `me`; order irrelevant).
    pub keepers: Vec<Address>,
    /// Blocks each keeper waits after the previous one's turn began.
    pub turn_delay_blocks: u64,
    /// Base fee (wei) above which sending is deferred; `None` for no ceiling.
    pub gas_ceiling: Option<u128>,
}

/// What to do at this block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The round is initialized: nothing to do.
    Idle,
    /// Not this keeper's turn yet; it begins at block `turn_block`.
    Wait {
        /// First block at which this keeper acts.
        turn_block: u64,
    },
    /// This keeper's turn, but the base fee is above the ceiling: wait and alert.
    Defer {
        /// The base fee seen.
        base_fee: u128,
        /// The configured ceiling.
        ceiling: u128,
    },
    /// Send `initializeRound()` for `round`.
    Initialize {
        /// The round to initialize.
        round: Round,
    },
}

/// Rank of `me` for `round` (0 acts first). See the module docs for the scheme.
pub fn turn_rank(round: Round, me: Address, keepers: &[Address]) -> u64 {
    let score = |keeper: &Address| -> B256 {
        let mut preimage = [0u8; 52];
        preimage[..32].copy_from_slice(&round.to_u256().to_be_bytes::<32>());
        preimage[32..].copy_from_slice(keeper.as_slice());
        keccak256(preimage)
    };
    let mut set: Vec<Address> = keepers.to_vec();
    set.sort();
    set.dedup();
    if !set.contains(&me) {
        return set.len() as u64;
    }
    let mine = score(&me);
    set.iter().filter(|k| score(k) < mine).count() as u64
}

/// The first block at or after `state.block` at which `me` may act in `state`'s round.
pub fn turn_block(state: &RoundState, turn: &TurnConfig) -> u64 {
    let mut set: Vec<Address> = turn.keepers.clone();
    set.sort();
    set.dedup();
    let n = set.len() as u64;
    let d = turn.turn_delay_blocks.max(1);
    let rank = turn_rank(state.current_round, turn.me, &set);
    let start = state.round_start_block;
    let block = state.block.max(start);
    if rank >= n {
        // Outside the set (or an empty set): after every member had a window.
        return block.max(start.saturating_add(n.saturating_mul(d)));
    }
    let cycle = n.saturating_mul(d);
    let offset = (block - start) % cycle;
    let window = rank * d;
    if offset >= window && offset < window + d {
        block
    } else if offset < window {
        block + (window - offset)
    } else {
        block + (cycle - offset) + window
    }
}

/// Decides what to do at `state`'s block.
pub fn decide(state: &RoundState, turn: &TurnConfig) -> Decision {
    if !state.needs_initialization() {
        return Decision::Idle;
    }
    let turn_block = turn_block(state, turn);
    if state.block != turn_block {
        return Decision::Wait { turn_block };
    }
    if let Some(ceiling) = turn.gas_ceiling
        && state.base_fee > ceiling
    {
        return Decision::Defer {
            base_fee: state.base_fee,
            ceiling,
        };
    }
    Decision::Initialize {
        round: state.current_round,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloy::primitives::{U256, address};

    const A: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    const B: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    const C: Address = address!("0x90F79bf6EB2c4f870365E785982E1f101E93b906");

    /// Round 5 (blocks 100..120, 20 blocks) uninitialized at `block`, base fee 1000 wei.
    pub(crate) fn state(block: u64) -> RoundState {
        RoundState {
            block,
            current_round: Round::new(5),
            last_initialized_round: Round::new(4),
            round_start_block: 100,
            round_length: 20,
            base_fee: 1_000,
        }
    }

    fn turn(me: Address) -> TurnConfig {
        TurnConfig {
            me,
            keepers: vec![A, B, C],
            turn_delay_blocks: 3,
            gas_ceiling: None,
        }
    }

    #[test]
    fn initialized_round_is_idle_whatever_the_turn() {
        let mut s = state(150);
        s.last_initialized_round = Round::new(5);
        for me in [A, B, C] {
            assert_eq!(decide(&s, &turn(me)), Decision::Idle);
        }
    }

    #[test]
    fn ranks_are_a_permutation_every_round() {
        for round in 0..200 {
            let mut ranks: Vec<u64> = [A, B, C]
                .iter()
                .map(|me| turn_rank(Round::new(round), *me, &[C, A, B]))
                .collect();
            ranks.sort();
            assert_eq!(ranks, vec![0, 1, 2], "round {round}");
        }
    }

    #[test]
    fn rank_ignores_list_order_and_duplicates() {
        for round in 0..50 {
            assert_eq!(
                turn_rank(Round::new(round), B, &[A, B, C]),
                turn_rank(Round::new(round), B, &[C, B, A, B])
            );
        }
    }

    #[test]
    fn first_rank_rotates_between_keepers() {
        let mut firsts = std::collections::HashSet::new();
        for round in 0..30 {
            let first = [A, B, C]
                .into_iter()
                .find(|me| turn_rank(Round::new(round), *me, &[A, B, C]) == 0);
            firsts.insert(first);
        }
        assert_eq!(firsts.len(), 3, "every keeper goes first in some round");
    }

    #[test]
    fn rank_matches_the_documented_hash() {
        // keccak256(uint256(5) ‖ address), smaller first.
        let score = |a: Address| {
            let mut p = U256::from(5u64).to_be_bytes::<32>().to_vec();
            p.extend_from_slice(a.as_slice());
            keccak256(p)
        };
        let mut sorted = [A, B, C];
        sorted.sort_by_key(|a| score(*a));
        for (rank, who) in sorted.iter().enumerate() {
            assert_eq!(turn_rank(Round::new(5), *who, &[A, B, C]), rank as u64);
        }
    }

    #[test]
    fn only_the_first_keeper_acts_in_the_first_block() {
        let acting: Vec<Address> = [A, B, C]
            .into_iter()
            .filter(|me| {
                decide(&state(100), &turn(*me))
                    == Decision::Initialize {
                        round: Round::new(5),
                    }
            })
            .collect();
        assert_eq!(acting.len(), 1);
    }

    #[test]
    fn later_ranks_act_after_their_delay() {
        for me in [A, B, C] {
            let rank = turn_rank(Round::new(5), me, &[A, B, C]);
            let t = turn(me);
            let start = 100 + rank * 3;
            if rank > 0 {
                assert_eq!(
                    decide(&state(start - 1), &t),
                    Decision::Wait { turn_block: start }
                );
            }
            for block in start..start + 3 {
                assert_eq!(
                    decide(&state(block), &t),
                    Decision::Initialize {
                        round: Round::new(5)
                    }
                );
            }
            // Its next window comes a full cycle (3 keepers × 3 blocks) later.
            assert_eq!(
                decide(&state(start + 3), &t),
                Decision::Wait {
                    turn_block: start + 9
                }
            );
            assert_eq!(
                decide(&state(start + 9), &t),
                Decision::Initialize {
                    round: Round::new(5)
                }
            );
        }
    }

    #[test]
    fn exactly_one_keeper_may_act_at_every_block() {
        for block in 100..200 {
            let acting = [A, B, C]
                .into_iter()
                .filter(|me| {
                    matches!(
                        decide(&state(block), &turn(*me)),
                        Decision::Initialize { .. }
                    )
                })
                .count();
            assert_eq!(acting, 1, "block {block}");
        }
    }

    #[test]
    fn gas_above_ceiling_defers_and_at_ceiling_sends() {
        let first = [A, B, C]
            .into_iter()
            .find(|me| turn_rank(Round::new(5), *me, &[A, B, C]) == 0)
            .unwrap_or(A);
        let mut t = turn(first);
        t.gas_ceiling = Some(999);
        assert_eq!(
            decide(&state(100), &t),
            Decision::Defer {
                base_fee: 1_000,
                ceiling: 999
            }
        );
        t.gas_ceiling = Some(1_000);
        assert_eq!(
            decide(&state(100), &t),
            Decision::Initialize {
                round: Round::new(5)
            }
        );
    }

    #[test]
    fn skipped_rounds_still_initialize_the_current_one() {
        let s = RoundState {
            last_initialized_round: Round::new(1),
            ..state(100)
        };
        let acting = [A, B, C]
            .into_iter()
            .filter(|me| {
                decide(&s, &turn(*me))
                    == Decision::Initialize {
                        round: Round::new(5),
                    }
            })
            .count();
        assert_eq!(acting, 1);
    }

    #[test]
    fn a_round_that_ends_uninitialized_is_missed_whoever_should_have_sent() {
        use livepeer_chain::missed::RoundDuty;
        let mut duty = RoundDuty::default();
        // Round 5 (blocks 100..120) read uninitialized, then initialized by another keeper.
        assert!(
            duty.advance(100, Some(&state(100).observation()))
                .is_empty()
        );
        let initialized = RoundState {
            last_initialized_round: Round::new(5),
            ..state(101)
        };
        assert!(
            duty.advance(101, Some(&initialized.observation()))
                .is_empty()
        );
        // Round 6 is never initialized; the reads fail from block 125 on, heads still arrive.
        let round6 = RoundState {
            block: 120,
            current_round: Round::new(6),
            round_start_block: 120,
            ..initialized
        };
        assert!(duty.advance(120, Some(&round6.observation())).is_empty());
        assert!(duty.advance(125, None).is_empty());
        assert_eq!(
            duty.advance(140, None),
            vec![Round::new(6)],
            "round 6 ended uninitialized"
        );
        assert_eq!(
            duty.advance(160, None),
            vec![Round::new(7)],
            "round 7 passed unread: never seen initialized"
        );
    }

    #[test]
    fn round_start_arithmetic_never_underflows() {
        let s = RoundState {
            block: 3,
            round_start_block: 10,
            ..state(0)
        };
        assert_eq!(s.blocks_into_round(), 0);
    }
}
