//! The fault suite's harness: one home for every fault the bots are tested against, a chain to
//! inject them on, the bots' binaries as child processes, and the scenario each fault runs for
//! any bot.
//!
//! - [`anvil::Anvil`]: mining and one method per fault, on any anvil (the matrix's and the
//!   soak's).
//! - [`net::FaultNet`]: a test's anvil, started from a state saved once per test process (the
//!   protocol deployed by `script/Deploy.s.sol`, 10-block rounds, an active orchestrator, a funded
//!   broadcaster), automine off: the test mines, block by block.
//! - [`process::BotProcess`]: a bot binary run by its documented flags, its log kept, its
//!   `/metrics` and `/health` read, killed with SIGKILL or stopped with SIGTERM, restarted, or
//!   doubled by a rival with the same configuration.
//! - [`scenario::run`]: what each [`Fault`] does to a bot that implements [`scenario::Duty`] (how
//!   to start it, make its duty due and see it done), and the checks every bot must pass: the
//!   duty done after the fault, by exactly one successful transaction.
//!
//! The soak (`livepeer-soak`, crates/devnet) injects the same faults at random into the three
//! bots running together.
//!
//! # The faults
//!
//! Each is defined by what the harness does; the bot is judged by the chain and by what it shows
//! an operator (its metrics and logs).
//!
//! | fault | what the harness does |
//! |---|---|
//! | [`Fault::Outage`] | The bot has two RPC URLs, each a [`crate::proxy::FaultProxy`] in front of the node. The first answers HTTP 503 to everything while a duty falls due: the bot fails over to the second. Then both do while the next duty falls due and its last block passes (a full outage): the bot counts failed reads, `/health` turns 503, and the duty counts as missed once the node answers again. |
//! | [`Fault::Reorg`] | The bot's transaction is mined, then, before it reaches the bot's confirmation depth (`--confirmations 2`), the block holding it is replaced by an empty one ([`anvil::Anvil::reorg_out`], `anvil_reorg` of depth 1). The transaction is in neither the chain nor the pool. |
//! | [`Fault::BaseFeeSpike`] | While the bot's transaction waits in the pool, the next block's base fee is set to four times its `maxFeePerGas`; mining that block evicts it from the pool ([`anvil::Anvil::spike_evict`]; anvil drops transactions that can no longer pay the base fee). |
//! | [`Fault::Stuck`] | The bot's transaction stays in the pool, valid and able to pay, but every block is filled by a better-paying transaction of another account ([`anvil::Anvil::mine_congested`]) for longer than `--replace-after-blocks`; then blocks have room again. |
//! | [`Fault::NonceGap`] | A transaction of the bot's key with nonce n+1 sits in the pool while n, the account's next nonce, is missing ([`anvil::Anvil::nonce_gap`]: another tool of the operator sent it). |
//! | [`Fault::CrashAfterSend`] | The bot is killed (SIGKILL) as soon as its transaction is in the pool, before it is mined, and started again with the same configuration. |
//! | [`Fault::Rival`] | A second instance of the same bot runs with the same key and configuration (its own metrics address; for the redeemer the same state directory and inbox). |
//! | [`Fault::GasAboveCeiling`] | The base fee is held above the bot's ceiling ([`anvil::Anvil::set_base_fee`]) while a duty falls due, then falls back. The ceiling is `--gas-ceiling-gwei` for the keeper and the reward agent; the redeemer has none, so its fee cap `--max-fee-gwei` stands in. |
//!
//! # The matrix
//!
//! Every cell is a test of the bot's own crate, driving its real binary
//! (`crates/<bot>/tests/faults.rs`); each asserts the duty done, exactly one successful
//! transaction for it, and what the operator sees, listed under the bot.
//!
//! | fault | keeper (`livepeer-keeper`) | reward agent (`livepeer-reward-agent`) | redeemer (`livepeer-redeemer`) |
//! |---|---|---|---|
//! | RPC outage and failover | `keeper_survives_an_rpc_outage_and_fails_over` | `reward_agent_survives_an_rpc_outage_and_fails_over` | `redeemer_survives_an_rpc_outage_and_fails_over` |
//! | reorg dropping a sent transaction | `keeper_sends_again_after_a_reorg_drops_its_transaction` | `reward_agent_sends_again_after_a_reorg_drops_its_transaction` | `redeemer_sends_again_after_a_reorg_drops_its_transaction` |
//! | eviction by a base-fee spike | `keeper_replaces_a_transaction_evicted_by_a_base_fee_spike` | `reward_agent_replaces_a_transaction_evicted_by_a_base_fee_spike` | `redeemer_replaces_a_transaction_evicted_by_a_base_fee_spike` |
//! | stuck transaction | `keeper_replaces_a_stuck_transaction` | `reward_agent_replaces_a_stuck_transaction` | `redeemer_replaces_a_stuck_transaction` |
//! | nonce gap | `keeper_closes_a_nonce_gap` | `reward_agent_closes_a_nonce_gap` | `redeemer_closes_a_nonce_gap` |
//! | crash right after sending | `keeper_restarted_after_a_crash_sends_no_duplicate` | `reward_agent_restarted_after_a_crash_sends_no_duplicate` | `redeemer_restarted_after_a_crash_sends_no_duplicate` |
//! | rival with the same key | `keeper_and_a_rival_with_the_same_key_send_one_transaction` | `reward_agent_and_a_rival_with_the_same_key_send_one_transaction` | `redeemer_and_a_rival_with_the_same_key_send_one_transaction` |
//! | gas above the ceiling | `keeper_waits_while_gas_is_above_the_ceiling` | `reward_agent_waits_while_gas_is_above_the_ceiling` | `redeemer_waits_while_gas_is_above_its_fee_cap` |
//!
//! The keeper's in-process scenarios (`crates/keeper/tests/scenarios.rs`) add what a binary
//! would not: several keepers taking turns, the first keeper down, `--dry-run`, reads failing
//! while heads arrive.

pub mod anvil;
pub mod net;
pub mod process;
pub mod scenario;

/// The faults of the suite (definitions in the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// RPC outage and failover.
    Outage,
    /// A reorg dropping a sent transaction.
    Reorg,
    /// Eviction by a base-fee spike.
    BaseFeeSpike,
    /// A stuck transaction.
    Stuck,
    /// A nonce gap.
    NonceGap,
    /// A crash right after sending.
    CrashAfterSend,
    /// A rival bot with the same key.
    Rival,
    /// Gas above the ceiling.
    GasAboveCeiling,
}

impl Fault {
    /// Every fault, in the order of the matrix.
    pub const ALL: [Fault; 8] = [
        Fault::Outage,
        Fault::Reorg,
        Fault::BaseFeeSpike,
        Fault::Stuck,
        Fault::NonceGap,
        Fault::CrashAfterSend,
        Fault::Rival,
        Fault::GasAboveCeiling,
    ];

    /// A short name (reports, logs).
    pub fn name(self) -> &'static str {
        match self {
            Fault::Outage => "outage",
            Fault::Reorg => "reorg",
            Fault::BaseFeeSpike => "base-fee-spike",
            Fault::Stuck => "stuck",
            Fault::NonceGap => "nonce-gap",
            Fault::CrashAfterSend => "crash-after-send",
            Fault::Rival => "rival",
            Fault::GasAboveCeiling => "gas-above-ceiling",
        }
    }
}

/// A harness failure (the scenario could not run, or the bot failed it).
pub(crate) fn fail(message: impl Into<String>) -> crate::ChainError {
    crate::ChainError::TestChain(message.into())
}
