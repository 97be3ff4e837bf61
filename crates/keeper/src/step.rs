//! What the keeper does at one block: the engine's pure `decide` (see
//! [`livepeer_chain::engine`]), a function of the block's read, the outcome of the keeper's
//! last transaction and the keeper's [`Memory`], which it threads through and returns. The turn
//! order itself is [`crate::decide`].

use livepeer_chain::{engine::Read, missed::RoundDuty};
use livepeer_protocol::Round;

use crate::decide::{Decision, RoundState, TurnConfig, decide};

/// What the keeper remembers from one block to the next. Nothing of it matters across a
/// restart: the chain says whether the round is initialized, and the account's nonces whether
/// a transaction is pending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// `lastInitializedRound` as last known: read, or made so by our confirmed transaction.
    pub last_initialized: Round,
    /// The block at which a pending transaction of this account that the keeper is not
    /// following (sent before a restart, or by a rival with the same key) was first seen.
    pub pending_since: Option<u64>,
    /// Rounds that ended uninitialized.
    pub duty: RoundDuty,
}

/// What the keeper does (and logs) at a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The round is initialized; `newly`: it became so since the last read, and not by our
    /// transaction.
    Idle {
        /// The round initialized by someone else since the last read.
        newly: Option<Round>,
    },
    /// Not this keeper's turn yet.
    Wait {
        /// The current round.
        round: Round,
        /// The first block of this keeper's turn.
        turn_block: u64,
    },
    /// This keeper's turn, but the base fee is above the ceiling.
    Defer {
        /// The current round.
        round: Round,
        /// The base fee seen.
        base_fee: u128,
        /// The ceiling.
        ceiling: u128,
    },
    /// Send `initializeRound()`.
    Initialize {
        /// The round.
        round: Round,
        /// Its first block.
        round_start: u64,
        /// The first block of the round after it.
        next_round_start: u64,
        /// Blocks since its first block.
        blocks_into_round: u64,
        /// Replace the pending transaction seen since this block (at the fee cap), rather than
        /// wait for it.
        replacing_since: Option<u64>,
    },
    /// A round ended uninitialized ([`RoundDuty`]).
    Missed {
        /// The round.
        round: Round,
        /// The keeper could not read the chain at this block.
        reads_failing: bool,
    },
}

/// What became of a transaction of the keeper, as the next block's decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Confirmed: `round` is initialized.
    Initialized {
        /// The round.
        round: Round,
    },
    /// Not sent: another transaction of this account is pending.
    AlreadyPending,
    /// Anything else (a simulation or on-chain revert, an RPC failure): read again.
    Failed,
}

/// The keeper's decision at block `head`: `landed` are the outcomes of its transactions that
/// ended since the last block, `read` the round state at `head`. A pending transaction not ours
/// is replaced once it has been pending `replace_after_blocks` blocks.
pub fn step(
    head: u64,
    landed: &[Outcome],
    read: Read<'_, RoundState>,
    memory: Memory,
    turn: &TurnConfig,
    replace_after_blocks: u64,
) -> (Vec<Action>, Memory) {
    let mut memory = memory;
    let mut actions = Vec::new();
    for outcome in landed {
        match *outcome {
            Outcome::Initialized { round } => {
                memory.duty.done(round);
                memory.last_initialized = memory.last_initialized.max(round);
            }
            Outcome::AlreadyPending => {
                memory.pending_since.get_or_insert(head);
            }
            Outcome::Failed => {}
        }
    }
    let seen = read.state().map(|state| {
        let previously = memory.last_initialized;
        memory.last_initialized = state.last_initialized_round;
        let action = match decide(state, turn) {
            Decision::Idle => {
                memory.pending_since = None;
                let newly = state.last_initialized_round > previously && !previously.is_zero();
                Action::Idle {
                    newly: newly.then_some(state.last_initialized_round),
                }
            }
            Decision::Wait { turn_block } => Action::Wait {
                round: state.current_round,
                turn_block,
            },
            Decision::Defer { base_fee, ceiling } => Action::Defer {
                round: state.current_round,
                base_fee,
                ceiling,
            },
            Decision::Initialize { round } => Action::Initialize {
                round,
                round_start: state.round_start_block,
                next_round_start: state.round_start_block.saturating_add(state.round_length),
                blocks_into_round: state.blocks_into_round(),
                replacing_since: memory
                    .pending_since
                    .filter(|since| head >= since.saturating_add(replace_after_blocks)),
            },
        };
        actions.push(action);
        state.observation()
    });
    let reads_failing = matches!(read, Read::Failed(_));
    for round in memory.duty.advance(head, seen.as_ref()) {
        actions.push(Action::Missed {
            round,
            reads_failing,
        });
    }
    (actions, memory)
}

#[cfg(test)]
mod tests {
    use alloy::primitives::Address;
    use livepeer_chain::ChainError;

    use super::*;
    use crate::decide::tests::state;

    const ME: Address = Address::with_last_byte(1);

    fn initialized(block: u64) -> RoundState {
        RoundState {
            last_initialized_round: Round::new(5),
            ..state(block)
        }
    }

    /// This keeper alone: its turn is every block.
    fn turn() -> TurnConfig {
        TurnConfig {
            me: ME,
            keepers: vec![ME],
            turn_delay_blocks: 2,
            gas_ceiling: None,
        }
    }

    fn at(
        block: u64,
        landed: &[Outcome],
        read: Option<&RoundState>,
        memory: Memory,
    ) -> (Vec<Action>, Memory) {
        let read = read.map_or(Read::Skipped, Read::Done);
        step(block, landed, read, memory, &turn(), 3)
    }

    /// The actions of a fresh keeper with `turn` reading round 5 in its first block.
    fn first_block(turn: &TurnConfig) -> Vec<Action> {
        step(
            100,
            &[],
            Read::Done(&state(100)),
            Memory::default(),
            turn,
            3,
        )
        .0
    }

    fn initialize(block: u64, replacing_since: Option<u64>) -> Action {
        Action::Initialize {
            round: Round::new(5),
            round_start: 100,
            next_round_start: 120,
            blocks_into_round: block - 100,
            replacing_since,
        }
    }

    #[test]
    fn the_round_is_initialized_once_and_our_confirmation_needs_no_read() {
        let (actions, memory) = at(100, &[], Some(&state(100)), Memory::default());
        assert_eq!(actions, [initialize(100, None)]);
        assert_eq!(memory.last_initialized, Round::new(4));
        // Confirmed at 101: the engine skips the read; nothing to do, nothing missed.
        let (actions, memory) = at(
            101,
            &[Outcome::Initialized {
                round: Round::new(5),
            }],
            None,
            memory,
        );
        assert!(actions.is_empty(), "{actions:?}");
        assert_eq!(memory.last_initialized, Round::new(5));
        assert!(!memory.duty.owed(), "done in round 5");
        // The next read shows it initialized: idle, and not "by someone else".
        let (actions, _) = at(102, &[], Some(&initialized(102)), memory);
        assert_eq!(actions, [Action::Idle { newly: None }]);
    }

    #[test]
    fn a_round_initialized_by_someone_else_is_told_once() {
        let (_, memory) = at(100, &[], Some(&state(100)), Memory::default());
        let (actions, memory) = at(101, &[], Some(&initialized(101)), memory);
        assert_eq!(
            actions,
            [Action::Idle {
                newly: Some(Round::new(5))
            }]
        );
        let (actions, _) = at(102, &[], Some(&initialized(102)), memory);
        assert_eq!(actions, [Action::Idle { newly: None }]);
        // Nothing is told at the first read of a fresh start.
        let (actions, _) = at(102, &[], Some(&initialized(102)), Memory::default());
        assert_eq!(actions, [Action::Idle { newly: None }]);
    }

    #[test]
    fn a_pending_transaction_not_ours_is_waited_for_then_replaced() {
        let (_, memory) = at(100, &[], Some(&state(100)), Memory::default());
        // Our attempt found the account's nonce taken: waited for from block 101 on.
        let (actions, memory) = at(101, &[Outcome::AlreadyPending], Some(&state(101)), memory);
        assert_eq!(memory.pending_since, Some(101));
        assert_eq!(actions, [initialize(101, None)], "not stuck long enough");
        let (actions, memory) = at(103, &[Outcome::AlreadyPending], Some(&state(103)), memory);
        assert_eq!(memory.pending_since, Some(101), "the first sighting counts");
        assert_eq!(actions, [initialize(103, None)]);
        let (actions, memory) = at(104, &[Outcome::AlreadyPending], Some(&state(104)), memory);
        assert_eq!(
            actions,
            [initialize(104, Some(101))],
            "replaced after 3 blocks"
        );
        // Once the round shows initialized the pending transaction is forgotten.
        let (_, memory) = at(105, &[], Some(&initialized(105)), memory);
        assert_eq!(memory.pending_since, None);
    }

    #[test]
    fn the_turn_order_and_the_ceiling_become_actions() {
        let other = Address::with_last_byte(2);
        let mut config = turn();
        config.keepers = vec![ME, other];
        let rank = crate::decide::turn_rank(Round::new(5), ME, &config.keepers);
        let expected = match rank {
            0 => initialize(100, None),
            _ => Action::Wait {
                round: Round::new(5),
                turn_block: 102,
            },
        };
        assert_eq!(first_block(&config), [expected]);
        let mut config = turn();
        config.gas_ceiling = Some(999);
        assert_eq!(
            first_block(&config),
            [Action::Defer {
                round: Round::new(5),
                base_fee: 1_000,
                ceiling: 999
            }]
        );
    }

    #[test]
    fn rounds_that_end_uninitialized_are_missed_failed_reads_included() {
        let failure = ChainError::Build("injected".into());
        let (_, memory) = at(100, &[], Some(&state(100)), Memory::default());
        // Our transaction failed and every read since fails: round 5 ends at block 120.
        let (actions, memory) = step(
            101,
            &[Outcome::Failed],
            Read::Failed(&failure),
            memory,
            &turn(),
            3,
        );
        assert!(actions.is_empty(), "{actions:?}");
        let (actions, memory) = step(120, &[], Read::Failed(&failure), memory, &turn(), 3);
        assert_eq!(
            actions,
            [Action::Missed {
                round: Round::new(5),
                reads_failing: true
            }]
        );
        // Round 6 is read, owed and ends at 140 while the read is skipped (a transaction in
        // flight): missed, and not for a failing read.
        let round6 = RoundState {
            block: 121,
            current_round: Round::new(6),
            round_start_block: 120,
            ..state(121)
        };
        let (_, memory) = at(121, &[], Some(&round6), memory);
        let (actions, _) = at(140, &[], None, memory);
        assert_eq!(
            actions,
            [Action::Missed {
                round: Round::new(6),
                reads_failing: false
            }]
        );
    }
}
