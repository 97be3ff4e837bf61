//! Prometheus metrics (text exposition format, no registry dependency) and health.

use std::{
    fmt::Write,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use alloy::primitives::U256;
use livepeer_chain::{counter::RequestCounter, health::ReadHealth};

/// Every metric the keeper exports. Shared behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    /// Latest block seen.
    pub head_block: AtomicU64,
    /// Latest block fully handled (state read, decision taken, any transaction broadcast).
    pub processed_block: AtomicU64,
    /// `currentRound()` at the latest read.
    pub current_round: AtomicU64,
    /// `lastInitializedRound()` at the latest read.
    pub last_initialized_round: AtomicU64,
    /// Blocks from the start of the last initialized round to its initialization.
    pub init_delay_blocks: AtomicU64,
    /// `initializeRound` transactions broadcast (first attempts).
    pub txs_sent: AtomicU64,
    /// Transactions confirmed successfully.
    pub txs_confirmed: AtomicU64,
    /// Transactions mined but reverted.
    pub txs_reverted: AtomicU64,
    /// Replacements broadcast (fee bumps).
    pub txs_replaced: AtomicU64,
    /// Transactions removed by a reorg and rebroadcast.
    pub txs_reorged: AtomicU64,
    /// Simulations that reverted (nothing sent), e.g. someone else initialized first.
    pub simulation_reverts: AtomicU64,
    /// Gas used by confirmed transactions.
    pub gas_used: AtomicU64,
    /// Wei spent on gas by confirmed transactions (saturating).
    pub gas_spent_wei: AtomicU64,
    /// 1 while sending is deferred because the base fee is above the ceiling.
    pub gas_above_ceiling: AtomicU64,
    /// Blocks at which sending was deferred by the ceiling.
    pub gas_deferrals: AtomicU64,
    /// Decisions to send skipped because of `--dry-run`.
    pub dry_run_skips: AtomicU64,
    /// RPC failures seen by the keeper loop: failed reads and failed sends.
    pub rpc_errors: AtomicU64,
    /// Failed chain reads: a head that could not be fetched, or a round state read that failed.
    pub read_errors: AtomicU64,
    /// Rounds that ended uninitialized (by us or anyone), failed reads included.
    pub rounds_missed: AtomicU64,
    /// Each block's read, ok or failed, for `/health`.
    pub health: ReadHealth,
    signer_balance: Mutex<U256>,
    /// JSON-RPC traffic.
    pub rpc: RequestCounter,
}

impl Metrics {
    /// Zeroed metrics reading RPC traffic from `rpc`; `/health` turns 503 after
    /// `max_failed_reads` consecutive failed reads.
    pub fn new(rpc: RequestCounter, max_failed_reads: u32) -> Self {
        Self {
            head_block: AtomicU64::new(0),
            processed_block: AtomicU64::new(0),
            current_round: AtomicU64::new(0),
            last_initialized_round: AtomicU64::new(0),
            init_delay_blocks: AtomicU64::new(0),
            txs_sent: AtomicU64::new(0),
            txs_confirmed: AtomicU64::new(0),
            txs_reverted: AtomicU64::new(0),
            txs_replaced: AtomicU64::new(0),
            txs_reorged: AtomicU64::new(0),
            simulation_reverts: AtomicU64::new(0),
            gas_used: AtomicU64::new(0),
            gas_spent_wei: AtomicU64::new(0),
            gas_above_ceiling: AtomicU64::new(0),
            gas_deferrals: AtomicU64::new(0),
            dry_run_skips: AtomicU64::new(0),
            rpc_errors: AtomicU64::new(0),
            read_errors: AtomicU64::new(0),
            rounds_missed: AtomicU64::new(0),
            health: ReadHealth::new(max_failed_reads),
            signer_balance: Mutex::new(U256::ZERO),
            rpc,
        }
    }

    /// Reads a counter or gauge.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Increments a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds to a counter.
    pub fn add(counter: &AtomicU64, value: u64) {
        counter.fetch_add(value, Ordering::Relaxed);
    }

    /// Sets a gauge.
    pub fn set(gauge: &AtomicU64, value: u64) {
        gauge.store(value, Ordering::Relaxed);
    }

    /// Records the signer's balance.
    pub fn set_balance(&self, wei: U256) {
        if let Ok(mut b) = self.signer_balance.lock() {
            *b = wei;
        }
    }

    /// Marks a successful chain read (for `/health`).
    pub fn mark_ok(&self) {
        self.health.ok();
    }

    /// Counts a failed chain read (`keeper_read_errors_total`, `keeper_rpc_errors_total`; the
    /// engine marks it for `/health`).
    pub fn count_failed_read(&self) {
        Self::inc(&self.rpc_errors);
        Self::inc(&self.read_errors);
    }

    /// `Ok` when healthy (see [`ReadHealth::verdict`]), otherwise why not.
    pub fn health(&self, max_age: Duration) -> Result<(), String> {
        self.health.verdict(max_age)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        let g = |c: &AtomicU64| Self::get(c).to_string();
        metric(
            "keeper_head_block",
            "gauge",
            "Latest block seen.",
            g(&self.head_block),
        );
        metric(
            "keeper_processed_block",
            "gauge",
            "Latest block fully handled (state read, decision taken, any transaction out).",
            g(&self.processed_block),
        );
        metric(
            "keeper_current_round",
            "gauge",
            "RoundsManager.currentRound().",
            g(&self.current_round),
        );
        metric(
            "keeper_last_initialized_round",
            "gauge",
            "RoundsManager.lastInitializedRound().",
            g(&self.last_initialized_round),
        );
        metric(
            "keeper_round_init_delay_blocks",
            "gauge",
            "Blocks from the start of the last initialized round to its initialization.",
            g(&self.init_delay_blocks),
        );
        metric(
            "keeper_txs_sent_total",
            "counter",
            "initializeRound transactions broadcast.",
            g(&self.txs_sent),
        );
        metric(
            "keeper_txs_confirmed_total",
            "counter",
            "Transactions confirmed.",
            g(&self.txs_confirmed),
        );
        metric(
            "keeper_txs_reverted_total",
            "counter",
            "Transactions mined but reverted.",
            g(&self.txs_reverted),
        );
        metric(
            "keeper_txs_replaced_total",
            "counter",
            "Fee-bumped replacements broadcast.",
            g(&self.txs_replaced),
        );
        metric(
            "keeper_txs_reorged_total",
            "counter",
            "Transactions dropped by a reorg and rebroadcast.",
            g(&self.txs_reorged),
        );
        metric(
            "keeper_simulation_reverts_total",
            "counter",
            "Simulations that reverted, so nothing was sent.",
            g(&self.simulation_reverts),
        );
        metric(
            "keeper_gas_used_total",
            "counter",
            "Gas used by confirmed transactions.",
            g(&self.gas_used),
        );
        metric(
            "keeper_gas_spent_wei_total",
            "counter",
            "Wei spent on gas.",
            g(&self.gas_spent_wei),
        );
        metric(
            "keeper_gas_above_ceiling",
            "gauge",
            "1 while sending is deferred because the base fee is above the ceiling (alert on it).",
            g(&self.gas_above_ceiling),
        );
        metric(
            "keeper_gas_deferrals_total",
            "counter",
            "Blocks at which sending was deferred.",
            g(&self.gas_deferrals),
        );
        metric(
            "keeper_dry_run_skips_total",
            "counter",
            "Sends skipped by --dry-run.",
            g(&self.dry_run_skips),
        );
        metric(
            "keeper_rpc_errors_total",
            "counter",
            "RPC failures seen by the keeper loop (failed reads and failed sends).",
            g(&self.rpc_errors),
        );
        metric(
            "keeper_read_errors_total",
            "counter",
            "Failed chain reads (head or round state).",
            g(&self.read_errors),
        );
        metric(
            "keeper_consecutive_failed_reads",
            "gauge",
            "Failed chain reads since the last successful one (/health is 503 from --max-failed-reads).",
            self.health.consecutive_failed().to_string(),
        );
        metric(
            "keeper_rounds_missed_total",
            "counter",
            "Rounds that ended uninitialized (by us or anyone), failed reads included.",
            g(&self.rounds_missed),
        );
        metric(
            "keeper_rpc_requests_total",
            "counter",
            "JSON-RPC requests sent (a batch counts once).",
            self.rpc.requests().to_string(),
        );
        metric(
            "keeper_rpc_transport_errors_total",
            "counter",
            "JSON-RPC requests failed at the transport.",
            self.rpc.errors().to_string(),
        );
        let balance = self
            .signer_balance
            .lock()
            .map(|b| b.to_string())
            .unwrap_or_default();
        metric(
            "keeper_signer_balance_wei",
            "gauge",
            "Balance of the signing account.",
            balance,
        );
        out
    }
}

impl livepeer_chain::server::Exporter for Metrics {
    fn render(&self) -> String {
        Metrics::render(self)
    }

    fn health(&self, max_age: Duration) -> Result<(), String> {
        Metrics::health(self, max_age)
    }
}
