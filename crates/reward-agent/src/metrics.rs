//! Prometheus metrics (text exposition, no registry dependency), per orchestrator, and health.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use alloy::primitives::{Address, U256};
use livepeer_chain::{counter::RequestCounter, health::ReadHealth, server::Exporter};
use livepeer_protocol::Round;

/// One orchestrator's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrchestratorMetrics {
    /// Last round the orchestrator was rewarded in (by us or anyone), from the chain.
    pub last_rewarded_round: Round,
    /// Reward (LPT wei, after the treasury cut) of our last confirmed reward transaction.
    pub last_reward_amount: U256,
    /// Reward transactions confirmed.
    pub rewards_confirmed: u64,
    /// Reward transactions broadcast (first attempts and replacements).
    pub txs_sent: u64,
    /// Gas used by our confirmed reward transactions.
    pub gas_used: u64,
    /// Wei spent on gas by our confirmed reward transactions.
    pub gas_spent_wei: u128,
    /// Failed attempts (simulation reverts, on-chain reverts, RPC errors).
    pub failures: u64,
    /// Rounds skipped (so far) by the profitability guard, counted once per round.
    pub skipped_unprofitable: u64,
    /// Rounds in which sending was deferred by the gas ceiling, counted once per round.
    pub gas_deferrals: u64,
    /// Rounds that ended while the orchestrator was active and not rewarded, whatever the cause
    /// (failed reads included).
    pub missed_rounds: u64,
    /// 1 when our key may reward for it (own key, or the authorized reward caller), 0 when not.
    pub authorized: u64,
}

/// Every metric of the agent. Shared behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    inner: Mutex<Inner>,
    /// JSON-RPC traffic.
    pub rpc: RequestCounter,
    /// Each block's read, ok or failed, for `/health`.
    pub health: ReadHealth,
}

/// The mutable part of [`Metrics`].
#[derive(Debug, Default)]
pub struct Inner {
    /// Latest block seen.
    pub head_block: u64,
    /// Latest block fully handled: read, decided, and any reward handed to its sender.
    pub processed_block: u64,
    /// `currentRound()` at the latest read.
    pub current_round: Round,
    /// Chain reads that failed: a head that could not be fetched, or a snapshot read that failed.
    pub read_errors: u64,
    /// Per orchestrator.
    pub orchestrators: BTreeMap<Address, OrchestratorMetrics>,
    /// ETH balance of each signing account.
    pub signer_balances: BTreeMap<Address, U256>,
}

impl Metrics {
    /// Empty metrics reading RPC traffic from `rpc`; `/health` turns 503 after
    /// `max_failed_reads` consecutive failed reads.
    pub fn new(rpc: RequestCounter, max_failed_reads: u32) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            rpc,
            health: ReadHealth::new(max_failed_reads),
        }
    }

    /// Locks the figures (a poisoned lock is recovered: metrics are never worth a panic).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Updates one orchestrator's figures.
    pub fn orchestrator(&self, address: Address, update: impl FnOnce(&mut OrchestratorMetrics)) {
        update(self.lock().orchestrators.entry(address).or_default());
    }

    /// A copy of one orchestrator's figures.
    pub fn get(&self, address: Address) -> OrchestratorMetrics {
        self.lock()
            .orchestrators
            .get(&address)
            .cloned()
            .unwrap_or_default()
    }

    /// Counts a failed chain read (`reward_agent_read_errors_total`; the engine marks it for
    /// `/health`); returns the consecutive failures, this one included.
    pub fn count_failed_read(&self) -> u32 {
        self.lock().read_errors += 1;
        self.health.consecutive_failed()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let inner = self.lock();
        let mut out = String::new();
        let single = |value: String| vec![(String::new(), value)];
        family(
            &mut out,
            "reward_agent_head_block",
            "gauge",
            "Latest block seen.",
            single(inner.head_block.to_string()),
        );
        family(
            &mut out,
            "reward_agent_processed_block",
            "gauge",
            "Latest block fully handled (read, decided, rewards handed to the senders).",
            single(inner.processed_block.to_string()),
        );
        family(
            &mut out,
            "reward_agent_current_round",
            "gauge",
            "RoundsManager.currentRound().",
            single(inner.current_round.to_string()),
        );
        family(
            &mut out,
            "reward_agent_read_errors_total",
            "counter",
            "Chain reads that failed (head or snapshot).",
            single(inner.read_errors.to_string()),
        );
        family(
            &mut out,
            "reward_agent_consecutive_failed_reads",
            "gauge",
            "Failed chain reads since the last successful one (/health is 503 from --max-failed-reads).",
            single(self.health.consecutive_failed().to_string()),
        );
        family(
            &mut out,
            "reward_agent_rpc_requests_total",
            "counter",
            "JSON-RPC requests sent (a batch counts once).",
            single(self.rpc.requests().to_string()),
        );
        type Field = fn(&OrchestratorMetrics) -> String;
        let per: [(&str, &str, &str, Field); 11] = [
            (
                "reward_agent_last_rewarded_round",
                "gauge",
                "Last round the orchestrator was rewarded in.",
                |m| m.last_rewarded_round.to_string(),
            ),
            (
                "reward_agent_last_reward_amount_wei",
                "gauge",
                "LPT (wei) of our last confirmed reward, after the treasury cut.",
                |m| m.last_reward_amount.to_string(),
            ),
            (
                "reward_agent_rewards_total",
                "counter",
                "Reward transactions confirmed.",
                |m| m.rewards_confirmed.to_string(),
            ),
            (
                "reward_agent_txs_sent_total",
                "counter",
                "Reward transactions broadcast, replacements included.",
                |m| m.txs_sent.to_string(),
            ),
            (
                "reward_agent_gas_used_total",
                "counter",
                "Gas used by confirmed reward transactions.",
                |m| m.gas_used.to_string(),
            ),
            (
                "reward_agent_gas_spent_wei_total",
                "counter",
                "Wei spent on gas by confirmed reward transactions.",
                |m| m.gas_spent_wei.to_string(),
            ),
            (
                "reward_agent_failures_total",
                "counter",
                "Failed reward attempts (simulation revert, on-chain revert, RPC error).",
                |m| m.failures.to_string(),
            ),
            (
                "reward_agent_skipped_unprofitable_total",
                "counter",
                "Rounds skipped by the profitability guard.",
                |m| m.skipped_unprofitable.to_string(),
            ),
            (
                "reward_agent_gas_deferrals_total",
                "counter",
                "Rounds in which the gas ceiling deferred sending.",
                |m| m.gas_deferrals.to_string(),
            ),
            (
                "reward_agent_missed_rounds_total",
                "counter",
                "Rounds that ended with the orchestrator active and not rewarded, whatever the cause (failed reads included).",
                |m| m.missed_rounds.to_string(),
            ),
            (
                "reward_agent_authorized",
                "gauge",
                "1 if our key may call reward for the orchestrator (own key or authorized reward caller).",
                |m| m.authorized.to_string(),
            ),
        ];
        for (name, kind, help, field) in per {
            let samples = inner
                .orchestrators
                .iter()
                .map(|(a, m)| (format!("{{orchestrator=\"{a}\"}}"), field(m)))
                .collect();
            family(&mut out, name, kind, help, samples);
        }
        let balances = inner
            .signer_balances
            .iter()
            .map(|(a, b)| (format!("{{signer=\"{a}\"}}"), b.to_string()))
            .collect();
        family(
            &mut out,
            "reward_agent_signer_balance_wei",
            "gauge",
            "ETH balance of each signing account.",
            balances,
        );
        out
    }
}

/// Writes one metric family: its `# HELP` and `# TYPE` lines, then `(labels, value)` samples.
fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: Vec<(String, String)>) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

impl Exporter for Metrics {
    fn render(&self) -> String {
        Metrics::render(self)
    }

    fn health(&self, max_age: Duration) -> Result<(), String> {
        self.health.verdict(max_age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_labelled_samples_under_their_headers() {
        let metrics = Metrics::new(RequestCounter::new(), 2);
        let a = Address::with_last_byte(1);
        metrics.orchestrator(a, |m| {
            m.last_rewarded_round = Round::new(7);
            m.skipped_unprofitable = 2;
        });
        metrics.lock().signer_balances.insert(a, U256::from(5));
        metrics.lock().processed_block = 42;
        let text = metrics.render();
        assert!(
            text.contains(
                "# TYPE reward_agent_processed_block gauge\nreward_agent_processed_block 42\n"
            ),
            "{text}"
        );
        let expected = format!(
            "# TYPE reward_agent_last_rewarded_round gauge\nreward_agent_last_rewarded_round{{orchestrator=\"{a}\"}} 7\n"
        );
        assert!(text.contains(&expected), "{text}");
        assert!(text.contains(&format!(
            "reward_agent_skipped_unprofitable_total{{orchestrator=\"{a}\"}} 2"
        )));
        assert!(text.contains(&format!(
            "reward_agent_signer_balance_wei{{signer=\"{a}\"}} 5"
        )));
        let minute = Duration::from_secs(60);
        assert!(metrics.health(minute).is_err(), "nothing read yet");
        metrics.health.ok();
        assert_eq!(metrics.health(minute), Ok(()));
        // The engine marks each failed read for /health, the bot counts it.
        for _ in 0..2 {
            metrics.health.failed();
        }
        assert_eq!(metrics.count_failed_read(), 2);
        metrics.count_failed_read();
        assert_eq!(
            metrics.health(minute),
            Err("2 consecutive failed chain reads (limit 2)".to_owned())
        );
        let text = metrics.render();
        assert!(
            text.contains("reward_agent_read_errors_total 2\n"),
            "{text}"
        );
        assert!(
            text.contains("reward_agent_consecutive_failed_reads 2\n"),
            "{text}"
        );
    }
}
