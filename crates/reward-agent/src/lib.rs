//! The reward agent: calls `reward` every round for one or more orchestrators, a bot on the
//! engine ([`livepeer_chain::engine`]).
//!
//! Each new block the agent reads, in **one** `eth_call` ([`lens`]), the round, the Minter's
//! figures, each orchestrator's reward state and reward caller, the whole sorted pool with
//! stakes and the signers' balances. The pure [`step::step`] then decides, with the agent's
//! [`step::Memory`] threaded through it: per orchestrator, its [`decide::Standing`] (owed,
//! authorized: computed once, for the decision, the missed-round accounting and the metrics), and
//! the pure [`decide::decide`], which says whether to send `rewardWithHint` (own key) or
//! `rewardForTranscoderWithHint` (a reward caller's key, LIP-118), with hints computed from the
//! post-reward stake ([`livepeer_protocol::rewards::reward_amount`], treasury cut included, and
//! [`livepeer_protocol::pool::reward_hint`], which follow `SortedListLib` exactly). The engine
//! sends it on the signer's lane through the shared [`livepeer_chain::sender::TxSender`]
//! (simulation first, EIP-1559 under a cap, reorg-aware confirmation) and hands its outcome to the
//! next block's decision.
//!
//! - The chain is the only truth: the decision is re-taken every block, not on `NewRound`
//!   events, so a missed event or a restart never skips a round.
//! - One lane per signing account: orchestrators sharing a reward caller share its nonces, so
//!   while one's reward is in flight the others wait ([`decide::Decision::SignerBusy`]) and
//!   decide again, with fresh hints, once it has landed.
//! - Failures are retried within the round with a backoff (1, 2, 4, … blocks); the agent gives
//!   up only when the round ends. Every round that ends with a served orchestrator active and
//!   not rewarded counts in `reward_agent_missed_rounds_total`, whatever the cause, failed reads
//!   included ([`missed`]); `/health` turns 503 after `--max-failed-reads` failed reads in a row.
//! - A reward without a receipt for `--replace-after-blocks` is replaced
//!   ([`livepeer_chain::sender::NonceMode::ReplaceInFlight`], at the fee cap) with hints
//!   recomputed from the pool of that block; so is a transaction of the signer the agent does not
//!   follow (sent before a restart, or by a rival with the same key) that stays pending.
//! - A gas ceiling defers sending; an optional profitability guard skips rewards whose gas would
//!   cost more than a fraction of their value. Each is counted, and a lost authorization
//!   reported, once a round: the flags live in the memory the decision returns.
//!
//! Files: [`agent`] the set-up (connection, LIP-118, lanes, metrics server, engine); [`bot`] the
//! engine's bot (read, encoding, outcomes, metrics and logs); [`step`] the pure decision over
//! the memory; [`decide`] one orchestrator's decision; [`missed`] what a snapshot means for the
//! missed-round rule; [`lens`] the one-request read; [`config`] flags, environment and file;
//! [`metrics`] `/metrics`.

pub mod agent;
pub mod bot;
pub mod config;
pub mod decide;
pub mod lens;
pub mod metrics;
pub mod missed;
pub mod step;

pub use agent::{Agent, AgentError};
pub use livepeer_chain::server::init_tracing;
