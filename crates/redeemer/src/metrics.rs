//! The redeemer's Prometheus metrics (`redeemer_*`) and `/health`, served by
//! `livepeer_chain::server` (`--metrics-addr`).
//!
//! The queue's state (tickets by status, waiting and dead ones by reason) is copied after every
//! pass; the counters count what this process did. A ticket that expired unredeemed is the
//! redeemer's missed round: `redeemer_tickets_expired_total` and its face value, whatever kept it
//! from being redeemed (no funds, unprofitable, failed transactions, chain reads failing).

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{Arc, Mutex, MutexGuard, OnceLock},
    time::Duration,
};

use alloy::primitives::U256;
use livepeer_chain::{
    counter::RequestCounter,
    health::{DEFAULT_MAX_FAILED_READS, ReadHealth},
    server::Exporter,
};

use livepeer_protocol::ticket::is_last_round;

use crate::{
    chain::Rounds,
    max_float::MaxFloats,
    queue::{QueuedTicket, TicketStatus},
};

/// The label of a recorded reason: the contract error's name (`TicketExpired`, `NoFunds`, …),
/// or one of `unprofitable`, `send_failed`, `tx_failed`, `max_attempts`, `revert`, `held`, `other`.
pub fn reason_label(reason: &str) -> String {
    fn identifier(text: &str) -> &str {
        let end = text
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(text.len());
        &text[..end]
    }
    let fixed = [
        ("simulation reverts with revert", "revert"),
        ("unprofitable", "unprofitable"),
        ("sending failed", "send_failed"),
        ("gave up after", "max_attempts"),
        ("transaction ", "tx_failed"),
        ("not redeemed by batch", "tx_failed"),
        ("held until block", "held"),
    ];
    if let Some((_, label)) = fixed.iter().find(|(prefix, _)| reason.starts_with(prefix)) {
        return (*label).to_owned();
    }
    let rest = reason
        .strip_prefix("simulation reverts with ")
        .unwrap_or(reason);
    let name = identifier(rest);
    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// Whether a dead ticket's reason is its expiry.
pub fn is_expiry(reason: &str) -> bool {
    reason_label(reason) == "TicketExpired"
}

/// The queue by status, and its waiting and dead tickets by reason label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// `pending`, `in_flight`, `redeemed`, `dead` (every status present, zero included).
    pub by_status: BTreeMap<&'static str, u64>,
    /// Pending tickets with a recorded reason (waiting for funds, the round, profit, a retry).
    pub waiting: BTreeMap<String, u64>,
    /// Dead tickets by reason.
    pub dead: BTreeMap<String, u64>,
    /// Pending tickets deferred because the sender's funds do not cover their face value
    /// (`InsufficientFunds`).
    pub deferred: u64,
    /// Their face value (wei).
    pub deferred_face_value: U256,
    /// Pending tickets in their last redeemable round (as of the last pass's `rounds`): not
    /// redeemed by its end, they expire.
    pub last_round: u64,
    /// Their face value (wei).
    pub last_round_face_value: U256,
}

impl QueueCounts {
    /// Counts `tickets`; those in their last round only once `rounds` are known (after a pass).
    pub fn of(tickets: &[QueuedTicket], rounds: Option<&Rounds>) -> Self {
        let mut counts = Self::default();
        for status in ["pending", "in_flight", "redeemed", "dead"] {
            counts.by_status.insert(status, 0);
        }
        for t in tickets {
            let status = match &t.status {
                TicketStatus::Pending => {
                    let in_last_round =
                        rounds
                            .zip(t.signed.ticket.aux().ok())
                            .is_some_and(|(r, aux)| {
                                is_last_round(
                                    aux.creation_round,
                                    r.ticket_validity_period,
                                    r.current,
                                )
                            });
                    if in_last_round {
                        counts.last_round += 1;
                        counts.last_round_face_value = counts
                            .last_round_face_value
                            .saturating_add(t.signed.ticket.face_value);
                    }
                    if let Some(reason) = &t.last_error {
                        let label = reason_label(reason);
                        if label == "InsufficientFunds" {
                            counts.deferred += 1;
                            counts.deferred_face_value = counts
                                .deferred_face_value
                                .saturating_add(t.signed.ticket.face_value);
                        }
                        *counts.waiting.entry(label).or_default() += 1;
                    }
                    "pending"
                }
                TicketStatus::InFlight { .. } => "in_flight",
                TicketStatus::Redeemed { .. } => "redeemed",
                TicketStatus::Dead { reason } => {
                    *counts.dead.entry(reason_label(reason)).or_default() += 1;
                    "dead"
                }
            };
            *counts.by_status.entry(status).or_default() += 1;
        }
        counts
    }
}

/// Counters of this process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Passes that completed.
    pub passes: u64,
    /// Passes abandoned because a chain read failed.
    pub read_errors: u64,
    /// Tickets taken into the queue (inbox or API).
    pub queued: u64,
    /// Tickets found redeemed (by our transaction or already used).
    pub redeemed: u64,
    /// Their face value (wei).
    pub face_value_redeemed: U256,
    /// Tickets that expired unredeemed.
    pub expired: u64,
    /// Their face value (wei): fees lost.
    pub face_value_expired: U256,
    /// Tickets marked dead, expired ones included.
    pub dead: u64,
    /// Redemption transactions broadcast.
    pub txs_sent: u64,
    /// Replacements of stuck redemption transactions broadcast (higher fees, same nonce).
    pub txs_replaced: u64,
    /// Gas used by mined redemption transactions.
    pub gas_used: u64,
    /// Wei spent on that gas.
    pub gas_spent_wei: u128,
    /// Tickets accepted by the gRPC service (durable in the intake).
    pub grpc_accepted: u64,
    /// Tickets the gRPC service refused, by reason (`malformed`, `foreign_recipient`, `invalid`).
    pub grpc_refused: BTreeMap<String, u64>,
    /// Failed reads of senders' funds for max float.
    pub max_float_read_errors: u64,
}

/// Every metric of the redeemer. Shared behind an `Arc`.
#[derive(Debug)]
pub struct RedeemerMetrics {
    inner: Mutex<(Counters, QueueCounts)>,
    /// Max float per watched sender, when the gRPC service runs.
    max_floats: OnceLock<Arc<MaxFloats>>,
    /// The sending account's balance (wei), as of the last pass that read it.
    signer_balance: Mutex<Option<U256>>,
    /// Each pass, ok or failed on a chain read, for `/health`.
    pub health: ReadHealth,
    /// JSON-RPC traffic.
    pub rpc: RequestCounter,
}

impl Default for RedeemerMetrics {
    fn default() -> Self {
        Self::new(RequestCounter::new(), DEFAULT_MAX_FAILED_READS)
    }
}

impl RedeemerMetrics {
    /// Zeroed metrics reading RPC traffic from `rpc`; `/health` turns 503 after
    /// `max_failed_reads` passes in a row failed on chain reads.
    pub fn new(rpc: RequestCounter, max_failed_reads: u32) -> Self {
        Self {
            inner: Mutex::new((Counters::default(), QueueCounts::of(&[], None))),
            max_floats: OnceLock::new(),
            signer_balance: Mutex::new(None),
            health: ReadHealth::new(max_failed_reads),
            rpc,
        }
    }

    fn lock(&self) -> MutexGuard<'_, (Counters, QueueCounts)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Updates the counters.
    pub fn count(&self, update: impl FnOnce(&mut Counters)) {
        update(&mut self.lock().0);
    }

    /// A copy of the counters.
    pub fn counters(&self) -> Counters {
        self.lock().0.clone()
    }

    /// Counts a ticket the gRPC service refused.
    pub fn refused(&self, reason: &str) {
        *self
            .lock()
            .0
            .grpc_refused
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// Exports each watched sender's max float from `floats` (once; later calls are ignored).
    pub fn watch_max_floats(&self, floats: Arc<MaxFloats>) {
        let _ = self.max_floats.set(floats);
    }

    /// Copies the queue's state (`rounds`: the last pass's, for the tickets in their last round).
    pub fn set_queue(&self, tickets: &[QueuedTicket], rounds: Option<&Rounds>) {
        self.lock().1 = QueueCounts::of(tickets, rounds);
    }

    /// Records the sending account's balance.
    pub fn set_signer_balance(&self, wei: U256) {
        *self
            .signer_balance
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(wei);
    }

    /// The sending account's balance, once a pass has read it.
    pub fn signer_balance(&self) -> Option<U256> {
        *self
            .signer_balance
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the queue's state, as of the last pass.
    pub fn queue(&self) -> QueueCounts {
        self.lock().1.clone()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let (c, q) = self.lock().clone();
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, String)>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let single = |value: String| vec![(String::new(), value)];
        let labelled = |key: &str, map: &BTreeMap<String, u64>| {
            map.iter()
                .map(|(label, n)| (format!("{{{key}=\"{label}\"}}"), n.to_string()))
                .collect::<Vec<_>>()
        };
        family(
            "redeemer_tickets",
            "gauge",
            "Tickets in the queue by status.",
            q.by_status
                .iter()
                .map(|(s, n)| (format!("{{status=\"{s}\"}}"), n.to_string()))
                .collect(),
        );
        family(
            "redeemer_tickets_waiting",
            "gauge",
            "Pending tickets by the reason they wait (deferred or retried).",
            labelled("reason", &q.waiting),
        );
        family(
            "redeemer_tickets_dead",
            "gauge",
            "Dead tickets in the queue by reason.",
            labelled("reason", &q.dead),
        );
        family(
            "redeemer_tickets_deferred",
            "gauge",
            "Pending tickets deferred because the sender's deposit and reserve slice do not cover their face value.",
            single(q.deferred.to_string()),
        );
        family(
            "redeemer_deferred_face_value_wei",
            "gauge",
            "Face value of the deferred tickets (wei).",
            single(q.deferred_face_value.to_string()),
        );
        family(
            "redeemer_tickets_last_round",
            "gauge",
            "Pending tickets in their last redeemable round: unredeemed when it ends, they expire (alert on it).",
            single(q.last_round.to_string()),
        );
        family(
            "redeemer_last_round_face_value_wei",
            "gauge",
            "Face value of the pending tickets in their last redeemable round (wei).",
            single(q.last_round_face_value.to_string()),
        );
        family(
            "redeemer_grpc_tickets_refused_total",
            "counter",
            "Tickets the gRPC service refused, by reason.",
            labelled("reason", &c.grpc_refused),
        );
        if let Some(floats) = self.max_floats.get() {
            family(
                "redeemer_max_float_wei",
                "gauge",
                "Max float of each watched sender (wei), as served to the node.",
                floats
                    .values()
                    .into_iter()
                    .map(|(sender, v)| (format!("{{sender=\"{sender}\"}}"), v.to_string()))
                    .collect(),
            );
        }
        let counters: [(&str, &str, String); 14] = [
            (
                "redeemer_grpc_tickets_accepted_total",
                "Tickets accepted by the gRPC service (durable in the intake).",
                c.grpc_accepted.to_string(),
            ),
            (
                "redeemer_max_float_read_errors_total",
                "Failed reads of senders' funds for max float.",
                c.max_float_read_errors.to_string(),
            ),
            (
                "redeemer_passes_total",
                "Passes completed.",
                c.passes.to_string(),
            ),
            (
                "redeemer_read_errors_total",
                "Passes abandoned because a chain read failed.",
                c.read_errors.to_string(),
            ),
            (
                "redeemer_tickets_queued_total",
                "Tickets taken into the queue.",
                c.queued.to_string(),
            ),
            (
                "redeemer_tickets_redeemed_total",
                "Tickets redeemed (or found used).",
                c.redeemed.to_string(),
            ),
            (
                "redeemer_face_value_redeemed_wei_total",
                "Face value of the tickets redeemed (wei); one settled short in its last round counts its face value.",
                c.face_value_redeemed.to_string(),
            ),
            (
                "redeemer_tickets_expired_total",
                "Tickets that expired unredeemed, whatever the cause.",
                c.expired.to_string(),
            ),
            (
                "redeemer_expired_face_value_wei_total",
                "Face value of the tickets that expired unredeemed (wei).",
                c.face_value_expired.to_string(),
            ),
            (
                "redeemer_tickets_dead_total",
                "Tickets marked dead (expired ones included).",
                c.dead.to_string(),
            ),
            (
                "redeemer_txs_sent_total",
                "Redemption transactions broadcast.",
                c.txs_sent.to_string(),
            ),
            (
                "redeemer_txs_replaced_total",
                "Replacements of stuck redemption transactions broadcast.",
                c.txs_replaced.to_string(),
            ),
            (
                "redeemer_gas_used_total",
                "Gas used by mined redemption transactions.",
                c.gas_used.to_string(),
            ),
            (
                "redeemer_gas_spent_wei_total",
                "Wei spent on gas by mined redemption transactions.",
                c.gas_spent_wei.to_string(),
            ),
        ];
        for (name, help, value) in counters {
            family(name, "counter", help, single(value));
        }
        family(
            "redeemer_consecutive_failed_reads",
            "gauge",
            "Passes in a row that failed on chain reads (/health is 503 from --max-failed-reads).",
            single(self.health.consecutive_failed().to_string()),
        );
        if let Some(balance) = self.signer_balance() {
            family(
                "redeemer_signer_balance_wei",
                "gauge",
                "Balance of the sending account (ETH for gas), as of the last pass.",
                single(balance.to_string()),
            );
        }
        family(
            "redeemer_rpc_requests_total",
            "counter",
            "JSON-RPC requests sent (a batch counts once).",
            single(self.rpc.requests().to_string()),
        );
        out
    }
}

impl Exporter for RedeemerMetrics {
    fn render(&self) -> String {
        RedeemerMetrics::render(self)
    }

    fn health(&self, max_age: Duration) -> Result<(), String> {
        self.health.verdict(max_age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_get_short_labels() {
        let cases = [
            (
                "TicketExpired: ticket of round 3 expired (current round 5)",
                "TicketExpired",
            ),
            (
                "NoFunds: sender 0x1 has no deposit and no reserve",
                "NoFunds",
            ),
            (
                "simulation reverts with TicketDidNotWin(TicketDidNotWin)",
                "TicketDidNotWin",
            ),
            ("simulation reverts with revert 0x", "revert"),
            (
                "unprofitable: pays 1 wei, under 100% of the gas cost",
                "unprofitable",
            ),
            ("sending failed: connection refused", "send_failed"),
            (
                "transaction 0xab reverted (now reverts with x)",
                "tx_failed",
            ),
            ("not redeemed by batch transaction 0xab", "tx_failed"),
            (
                "gave up after 5 failed attempts; last: transaction 0xab reverted",
                "max_attempts",
            ),
            ("something else", "other"),
            (
                "InsufficientFunds: 0x1 can pay 0x2 at most 7 wei now, below the face value 9",
                "InsufficientFunds",
            ),
            (
                "InsufficientFunds: simulation reverts with revert \"sender deposit and reserve insufficient to cover ticket face value\"",
                "InsufficientFunds",
            ),
        ];
        for (reason, label) in cases {
            assert_eq!(reason_label(reason), label, "{reason}");
        }
        assert!(is_expiry("TicketExpired: x"));
        assert!(is_expiry(
            "simulation reverts with TicketExpired(TicketExpired { creationRound: 1 })"
        ));
        assert!(!is_expiry("NoFunds: x"));
    }

    #[test]
    fn every_status_is_rendered_from_the_start() {
        let metrics = RedeemerMetrics::default();
        let text = metrics.render();
        for line in [
            "redeemer_tickets{status=\"pending\"} 0",
            "redeemer_tickets{status=\"dead\"} 0",
            "redeemer_tickets_expired_total 0",
            "redeemer_read_errors_total 0",
            "redeemer_consecutive_failed_reads 0",
            "redeemer_tickets_deferred 0",
            "redeemer_deferred_face_value_wei 0",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        metrics.count(|c| {
            c.expired += 1;
            c.face_value_expired += U256::from(7u64);
        });
        let text = metrics.render();
        assert!(
            text.contains("redeemer_expired_face_value_wei_total 7\n"),
            "{text}"
        );
        assert!(
            metrics.health(Duration::from_secs(60)).is_err(),
            "no pass yet"
        );
    }

    #[test]
    fn deferred_tickets_are_counted_with_their_face_value() {
        use alloy::primitives::{Address, B256, Bytes};
        use livepeer_protocol::ticket::{AuxData, SignedTicket, Ticket};
        let queued = |nonce: u64, face: u64, status: TicketStatus, why: Option<&str>| {
            let signed = SignedTicket {
                ticket: Ticket {
                    recipient: Address::repeat_byte(1),
                    sender: Address::repeat_byte(2),
                    face_value: U256::from(face),
                    win_prob: U256::MAX,
                    sender_nonce: U256::from(nonce),
                    recipient_rand_hash: B256::ZERO,
                    aux_data: AuxData {
                        creation_round: U256::from(1u64),
                        creation_round_block_hash: B256::ZERO,
                    }
                    .encode(),
                },
                signature: Bytes::new(),
                recipient_rand: U256::ZERO,
            };
            QueuedTicket {
                hash: signed.ticket.hash(),
                signed,
                status,
                attempts: 0,
                last_error: why.map(str::to_owned),
                hold_until_block: None,
            }
        };
        let short = Some("InsufficientFunds: x");
        let tickets = [
            queued(1, 100, TicketStatus::Pending, short),
            queued(2, 50, TicketStatus::Pending, short),
            queued(3, 7, TicketStatus::Pending, Some("NoFunds: x")),
            // Not pending any more: not deferred.
            queued(4, 1000, TicketStatus::in_flight(B256::ZERO), short),
        ];
        let metrics = RedeemerMetrics::default();
        metrics.set_queue(&tickets, None);
        let text = metrics.render();
        assert!(text.contains("redeemer_tickets_deferred 2\n"), "{text}");
        assert!(
            text.contains("redeemer_tickets_last_round 0\n"),
            "no rounds known before a pass: {text}"
        );
        // Created in round 1, valid for 2 rounds: round 2 is their last. Only pending ones count.
        let rounds = |current: u64| Rounds {
            current: livepeer_protocol::Round::new(current),
            last_initialized: livepeer_protocol::Round::new(current),
            ticket_validity_period: U256::from(2u64),
            head: 0,
            next_round_start: U256::from(100u64),
        };
        metrics.set_queue(&tickets, Some(&rounds(2)));
        let text = metrics.render();
        assert!(text.contains("redeemer_tickets_last_round 3\n"), "{text}");
        assert!(
            text.contains("redeemer_last_round_face_value_wei 157\n"),
            "{text}"
        );
        metrics.set_queue(&tickets, Some(&rounds(1)));
        assert!(
            metrics.render().contains("redeemer_tickets_last_round 0\n"),
            "round 1 is not their last"
        );
        assert!(
            text.contains("redeemer_deferred_face_value_wei 150\n"),
            "{text}"
        );
        assert!(
            text.contains("redeemer_tickets_waiting{reason=\"InsufficientFunds\"} 2\n"),
            "{text}"
        );
    }
}
