//! The reward agent: calls `reward` every round for one or more orchestrators.
//!
//! Each new block the agent reads, in **one** `eth_call` ([`lens`]), the round, the Minter's
//! figures, each orchestrator's reward state and reward caller, and the whole sorted pool with
//! stakes. The pure [`decide::decide`] then says, per orchestrator, whether to send
//! `rewardWithHint` (own key) or `rewardForTranscoderWithHint` (a reward caller's key, LIP-118),
//! with hints computed from the post-reward stake ([`livepeer_protocol::rewards::reward_amount`],
//! treasury cut included, and [`livepeer_protocol::pool::reward_hint`], which follow
//! `SortedListLib` exactly).
//!
//! - The chain is the only truth: the decision is re-taken every block, not on `NewRound`
//!   events, so a missed event or a restart never skips a round.
//! - Failures are retried within the round with a backoff (1, 2, 4, … blocks); the agent gives
//!   up only when the round ends. Every round that ends with a served orchestrator active and
//!   not rewarded counts in `reward_agent_missed_rounds_total`, whatever the cause, failed reads
//!   included ([`missed`]); `/health` turns 503 after `--max-failed-reads` failed reads in a row.
//! - A reward without a receipt for `--replace-after-blocks` is replaced with hints recomputed
//!   from the pool of that block.
//! - A gas ceiling defers sending; an optional profitability guard skips rewards whose gas would
//!   cost more than a fraction of their value.

pub mod agent;
pub mod config;
pub mod decide;
pub mod lens;
pub mod metrics;
pub mod missed;

pub use agent::{Agent, AgentError};
pub use livepeer_chain::server::init_tracing;
