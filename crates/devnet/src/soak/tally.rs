//! The soak's figures, read from the chain at the end (what stayed after every reorg): one pass
//! over the receipts of every block of the run.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    time::Duration,
};

use alloy::{
    primitives::{Address, B256},
    providers::Provider,
    sol_types::SolEvent,
};
use anyhow::Result;
use livepeer_bindings::{IBondingManager, IRoundsManager, ITicketBroker};
use serde_json::{Value, json};

use super::{BOTS, Soak, SoakArgs, inject::Injection};

/// What the soak measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    rounds: u64,
    /// Rounds whose `NewRound` is in the block after their first (the earliest a transaction
    /// sent on seeing the round's first block can land).
    first_block: u64,
    initialized: u64,
    /// The same over the rounds whose faults allowed it ([`Injection::delays_initialization_of`]).
    allowed: u64,
    allowed_first_block: u64,
    /// Rounds not initialized in their first block.
    late: Vec<Late>,
    orchestrator_rounds: u64,
    rewarded: u64,
    tickets: u64,
    redeemed: u64,
    /// Successful transactions of a bot's account to the protocol that did no duty (no
    /// `NewRound`, `Reward` or `WinningTicketRedeemed`) in an initialized round: the duty was
    /// done already.
    duplicates: u64,
    /// The same before their round's initialization (a redemption a fault pushed past its
    /// round's end): they could do nothing yet, and their tickets wait for the next pass.
    early: u64,
    /// Reverted transactions of a bot's account to the protocol.
    reverted: u64,
    /// Per bot and fault: drawn, and applied.
    faults: BTreeMap<(usize, &'static str), (u64, u64)>,
    stalls: u64,
    peak_kib: [u64; 3],
    /// The duplicate and reverted transactions: `(round, from, hash, what)`.
    odd: Vec<(u64, Address, B256, &'static str)>,
}

/// A round not initialized in its first block.
#[derive(Debug, Clone)]
struct Late {
    round: u64,
    /// Its `NewRound`'s block, counted from the round's first; `None`: never initialized.
    after: Option<u64>,
    /// The fault that touched the round: the bot (an index into [`BOTS`]), its name and the
    /// round it was drawn for (the one before, when it spilled over).
    fault: Option<(usize, &'static str, u64)>,
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "— (0/0)".into();
    }
    format!(
        "{:.1}% ({part}/{whole})",
        part as f64 * 100.0 / whole as f64
    )
}

impl Figures {
    /// Reads the chain from the first soak round to the head.
    pub(crate) async fn read(soak: &Soak, last: u64, plans: &[Injection]) -> Result<Self> {
        let a = soak.net.p.addresses;
        let contracts = [a.rounds_manager, a.bonding_manager, a.ticket_broker];
        let accounts: HashSet<Address> = soak
            .bots
            .iter()
            .map(|b| b.account)
            .chain(soak.orchs.iter().map(|o| o.signer.address()))
            .collect();
        let duty_events: [B256; 3] = [
            IRoundsManager::NewRound::SIGNATURE_HASH,
            IBondingManager::Reward::SIGNATURE_HASH,
            ITicketBroker::WinningTicketRedeemed::SIGNATURE_HASH,
        ];
        let mut f = Figures {
            rounds: last - soak.first_round + 1,
            stalls: soak.stalls,
            peak_kib: soak.peak_kib,
            ..Figures::default()
        };
        let mut initialized_at: HashMap<u64, u64> = HashMap::new();
        let mut rewarded: HashSet<(Address, u64)> = HashSet::new();
        let head = soak.net.block().await?;
        for block in soak.start_of(soak.first_round)..=head {
            let receipts = soak
                .net
                .provider
                .get_block_receipts(block.into())
                .await?
                .unwrap_or_default();
            for r in &receipts {
                let logs = r.inner.logs();
                for log in logs {
                    let topics = log.topics();
                    match (topics.first(), topics.get(1)) {
                        (Some(t), Some(round))
                            if *t == IRoundsManager::NewRound::SIGNATURE_HASH
                                && log.address() == a.rounds_manager =>
                        {
                            let round =
                                u64::try_from(alloy::primitives::U256::from_be_bytes(round.0))?;
                            initialized_at.entry(round).or_insert(block);
                        }
                        (Some(t), Some(transcoder))
                            if *t == IBondingManager::Reward::SIGNATURE_HASH
                                && log.address() == a.bonding_manager =>
                        {
                            let transcoder = Address::from_word(*transcoder);
                            rewarded.insert((transcoder, soak.round_of(block)));
                        }
                        _ => {}
                    }
                }
                let ours =
                    accounts.contains(&r.from) && r.to.is_some_and(|to| contracts.contains(&to));
                if !ours {
                    continue;
                }
                let round = soak.round_of(block);
                if !r.status() {
                    f.reverted += 1;
                    f.odd.push((round, r.from, r.transaction_hash, "reverted"));
                } else if !logs
                    .iter()
                    .any(|l| l.topics().first().is_some_and(|t| duty_events.contains(t)))
                {
                    if initialized_at.contains_key(&round) {
                        f.duplicates += 1;
                        f.odd.push((round, r.from, r.transaction_hash, "duplicate"));
                    } else {
                        f.early += 1;
                        let what = "before its round's initialization, a no-op";
                        f.odd.push((round, r.from, r.transaction_hash, what));
                    }
                }
            }
        }
        for round in soak.first_round..=last {
            let at = initialized_at.get(&round).copied();
            let first = at == Some(soak.start_of(round) + 1);
            // The round's own fault, or one of the round before that spilled into it.
            let touching = plans
                .iter()
                .filter(|p| p.round == round || (p.spilled && p.round + 1 == round));
            f.initialized += u64::from(at.is_some());
            f.first_block += u64::from(first);
            if !touching.clone().any(|p| p.delays_initialization_of(round)) {
                f.allowed += 1;
                f.allowed_first_block += u64::from(first);
            }
            if !first {
                let after = at.map(|b| b - soak.start_of(round));
                let fault = touching
                    .clone()
                    .find(|p| p.delays_initialization_of(round))
                    .or(touching.clone().next());
                f.late.push(Late {
                    round,
                    after,
                    fault: fault.map(|p| (p.bot, p.fault.name(), p.round)),
                });
            }
            for o in &soak.orchs {
                f.orchestrator_rounds += 1;
                f.rewarded += u64::from(rewarded.contains(&(o.signer.address(), round)));
            }
        }
        for (_, hash) in &soak.tickets {
            f.tickets += 1;
            f.redeemed += u64::from(soak.net.p.ticket_broker.usedTickets(*hash).call().await?);
        }
        for p in plans {
            let e = f.faults.entry((p.bot, p.fault.name())).or_default();
            e.0 += 1;
            e.1 += u64::from(p.applied);
        }
        Ok(f)
    }

    /// Every orchestrator-round rewarded, every ticket redeemed, no duplicate.
    pub(crate) fn hard_goals_met(&self) -> bool {
        self.rewarded == self.orchestrator_rounds
            && self.redeemed == self.tickets
            && self.duplicates == 0
    }

    fn faults_line(&self) -> (u64, u64) {
        self.faults
            .values()
            .fold((0, 0), |(d, a), (drawn, applied)| (d + drawn, a + applied))
    }

    fn peak_mib(&self) -> String {
        self.peak_kib
            .iter()
            .map(|k| format!("{:.1}", *k as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The report on stdout.
    pub(crate) fn print(&self, took: Duration) {
        println!("\nfaults injected (drawn / applied: a fault on a transaction needs one sent):");
        for ((bot, fault), (drawn, applied)) in &self.faults {
            println!("  {:<13} {fault:<18} {drawn:>4} / {applied}", BOTS[*bot]);
        }
        let (drawn, applied) = self.faults_line();
        println!("  total {drawn} drawn, {applied} applied");
        for (round, from, hash, what) in &self.odd {
            println!("  {what} transaction in round {round} from {from}: {hash}");
        }
        for late in &self.late {
            let at = late
                .after
                .map_or("never".into(), |k| format!("at its first block + {k}"));
            let by = late.fault.map_or("no fault".into(), |(bot, name, drawn)| {
                let from = if drawn == late.round {
                    String::new()
                } else {
                    format!(", spilled over from round {drawn}")
                };
                format!("{name} on the {}{from}", BOTS[bot])
            });
            println!("  round {} initialized {at} ({by})", late.round);
        }
        println!(
            "\nsoak: {} rounds in {:.0} s",
            self.rounds,
            took.as_secs_f64()
        );
        println!(
            "  rounds initialized in their first block, where the round's fault allowed it: {} (goal ≥ 99%)",
            pct(self.allowed_first_block, self.allowed)
        );
        println!(
            "  … in all rounds (faults that delay it by design included): {}; initialized at all: {}",
            pct(self.first_block, self.rounds),
            pct(self.initialized, self.rounds)
        );
        println!(
            "  orchestrator-rounds rewarded: {} (goal 100%)",
            pct(self.rewarded, self.orchestrator_rounds)
        );
        println!(
            "  winning tickets redeemed: {} (goal 100%)",
            pct(self.redeemed, self.tickets)
        );
        println!(
            "  duplicate successful transactions: {} (goal 0); reverted bot transactions: {}; no-ops before their round's initialization: {}",
            self.duplicates, self.reverted, self.early
        );
        println!(
            "  peak memory (MiB) keeper / reward agent / redeemer: {}",
            self.peak_mib()
        );
        println!("  blocks a bot took over 10 s to handle: {}", self.stalls);
        println!(
            "soak: {}",
            if self.hard_goals_met() {
                "PASSED"
            } else {
                "FAILED"
            }
        );
    }

    /// The BENCHMARKS.md section (`script/bench/report.js`).
    pub(crate) fn section(&self, args: &SoakArgs, took: Duration) -> Value {
        let (drawn, applied) = self.faults_line();
        json!({
            "title": "Soak (livepeer-soak, make soak)",
            "note": format!(
                "{} rounds of 10 blocks on anvil with the keeper, the reward agent ({} orchestrators) and the redeemer running as processes, each behind two fault proxies; a fault in {:.0}% of the rounds, on one bot, drawn at random (seed {}): {drawn} drawn, {applied} applied (a fault on a transaction needs one sent in the round). Figures read from the chain at the end. Not part of make test (its quick mode is).",
                self.rounds, args.orchestrators, args.fault_rate * 100.0, args.seed
            ),
            "rows": [
                {"metric": "rounds initialized in their first block (NewRound at start + 1), where the round's fault allowed it", "value": pct(self.allowed_first_block, self.allowed), "goal": "≥ 99%"},
                {"metric": "… in all rounds, with the faults that delay it by design (a gas hold; a reorg, eviction, congestion or full outage on the keeper)", "value": pct(self.first_block, self.rounds), "goal": "—"},
                {"metric": "rounds initialized at all", "value": pct(self.initialized, self.rounds), "goal": "100%"},
                {"metric": "orchestrator-rounds rewarded", "value": pct(self.rewarded, self.orchestrator_rounds), "goal": "100%"},
                {"metric": "winning tickets redeemed", "value": pct(self.redeemed, self.tickets), "goal": "100%"},
                {"metric": "duplicate successful transactions", "value": self.duplicates, "goal": "0"},
                {"metric": "reverted bot transactions", "value": self.reverted, "goal": "—"},
                {"metric": "successful bot transactions that did nothing, landed before their round's initialization", "value": self.early, "goal": "—"},
                {"metric": "peak memory, MiB (keeper / reward agent / redeemer)", "value": self.peak_mib(), "goal": "—"},
                {"metric": "wall time (s)", "value": took.as_secs(), "goal": "—"},
            ],
        })
    }
}
