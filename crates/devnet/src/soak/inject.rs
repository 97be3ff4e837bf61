//! The soak's faults: at most one a round, on one bot, both drawn at random, injected with the
//! fault suite's harness (`livepeer_chain::faults`: [`Anvil`]'s fault methods, the bots'
//! processes and proxies) as the fault suite defines them.
//!
//! | fault | when, in the soak |
//! |---|---|
//! | outage | the bot's first URL down for the whole round; half the time its second one too, for three blocks |
//! | reorg | the block that mined the bot's transaction replaced by an empty one |
//! | base-fee spike | the bot's transaction evicted by a base fee four times its max fee |
//! | stuck | four blocks filled by a better-paying transaction while the bot's waits |
//! | nonce gap | a transaction of the bot's key with the nonce after its next, at the round's start |
//! | crash after send | the bot killed (SIGKILL) once its transaction is in the pool, and restarted |
//! | rival | a second instance of the bot, same key and flags, for the round |
//! | gas above the ceiling | the base fee held at 20 gwei for the round's first three blocks (every bot's ceiling or fee cap is 1 gwei) |
//!
//! [`Anvil`]: livepeer_chain::faults::anvil::Anvil

use std::time::Duration;

use anyhow::Result;
use livepeer_chain::{faults::Fault, proxy::Fault as ProxyFault};
use rand::{Rng, rngs::StdRng};

use super::{KEEPER, Soak};

/// The base fee of the gas fault, and after it.
const HIGH_BASE_FEE: u128 = 20_000_000_000;
const LOW_BASE_FEE: u128 = 10_000_000;
/// Blocks of a full outage, and of the gas fault.
const SPAN: u64 = 3;
/// Congested blocks of the stuck fault.
const CONGESTED_BLOCKS: u64 = 4;
/// How long the end of a round waits for a transaction a fault waits for (the redeemer passes
/// every second).
const LATE: Duration = Duration::from_secs(3);

/// One round's fault.
#[derive(Debug, Clone)]
pub(crate) struct Injection {
    /// The round.
    pub(crate) round: u64,
    /// The bot it targets (an index into [`super::BOTS`]).
    pub(crate) bot: usize,
    /// The fault.
    pub(crate) fault: Fault,
    /// Whether it happened: a fault on the bot's transaction needs one sent in the round.
    pub(crate) applied: bool,
    /// An outage's full part starts at this block of the round.
    full_outage_from: Option<u64>,
    /// The head it struck at, counted from the round's first block.
    struck_at: Option<u64>,
    /// The blocks it mined or emptied reach into the next round (it struck at the round's last
    /// blocks, or after them: the redeemer sends on its own clock).
    pub(crate) spilled: bool,
}

impl Injection {
    /// With probability `rate`, a fault on a bot for `round`.
    pub(crate) fn draw(rng: &mut StdRng, rate: f64, round: u64, round_length: u64) -> Option<Self> {
        if !rng.gen_bool(rate) {
            return None;
        }
        let bot = rng.gen_range(0..super::BOTS.len());
        let fault = Fault::ALL[rng.gen_range(0..Fault::ALL.len())];
        let full_outage_from = (fault == Fault::Outage && rng.gen_bool(0.5))
            .then(|| rng.gen_range(0..round_length - SPAN));
        Some(Self {
            round,
            bot,
            fault,
            applied: false,
            full_outage_from,
            struck_at: None,
            spilled: false,
        })
    }

    /// Whether the fault, by what it is, keeps `round`'s `NewRound` out of the block after the
    /// round's first. In its own round: the gas hold on any bot (the base fee is everyone's; the
    /// keeper defers by design), congestion from the round's first block on any bot (the blocks
    /// are full for everyone), or on the keeper a reorg or eviction of its transaction, or both
    /// its URLs down from the round's first block; a nonce gap, a crash, a rival or one URL down
    /// must not delay it. In the next round, when it spilled there: a reorg, a base-fee spike or
    /// congestion of its first blocks, whoever the target.
    pub(crate) fn delays_initialization_of(&self, round: u64) -> bool {
        if round == self.round + 1 {
            return self.spilled
                && matches!(
                    self.fault,
                    Fault::Reorg | Fault::BaseFeeSpike | Fault::Stuck
                );
        }
        if round != self.round {
            return false;
        }
        match self.fault {
            Fault::GasAboveCeiling => true,
            Fault::Stuck if self.struck_at == Some(0) => true,
            _ if self.bot != KEEPER => false,
            Fault::Reorg | Fault::BaseFeeSpike | Fault::Stuck => self.applied,
            Fault::Outage => self.full_outage_from == Some(0),
            _ => false,
        }
    }

    /// Whether it strikes the bot's transaction (once one is in the pool).
    fn hits_a_transaction(&self) -> bool {
        matches!(
            self.fault,
            Fault::Reorg | Fault::BaseFeeSpike | Fault::Stuck | Fault::CrashAfterSend
        )
    }
}

impl Soak {
    /// The part of the fault that starts with the round.
    pub(crate) async fn begin(&mut self, injection: &mut Option<Injection>) -> Result<()> {
        let Some(i) = injection.as_mut() else {
            return Ok(());
        };
        match i.fault {
            Fault::Outage => self.set_proxies(i.bot, ProxyFault::Down, ProxyFault::Pass),
            Fault::Rival => self.twin = Some(self.bots[i.bot].process.twin()?),
            Fault::NonceGap => {
                self.anvil.nonce_gap(self.bots[i.bot].account).await?;
            }
            _ => {}
        }
        i.applied = !i.hits_a_transaction();
        Ok(())
    }

    /// Before mining `block`: the gas fault's high base fee, an outage's full part.
    pub(crate) async fn timed(
        &mut self,
        injection: &mut Option<Injection>,
        block: u64,
    ) -> Result<()> {
        let Some(i) = injection.as_ref() else {
            return Ok(());
        };
        let k = block.saturating_sub(self.start_of(i.round));
        match (i.fault, i.full_outage_from) {
            (Fault::GasAboveCeiling, _) if k < SPAN => {
                self.anvil.set_base_fee(HIGH_BASE_FEE).await?
            }
            (Fault::GasAboveCeiling, _) if k == SPAN => {
                self.anvil.set_base_fee(LOW_BASE_FEE).await?
            }
            (Fault::Outage, Some(from)) if k == from => {
                self.set_proxies(i.bot, ProxyFault::Down, ProxyFault::Down)
            }
            (Fault::Outage, Some(from)) if k == from + SPAN => {
                self.set_proxies(i.bot, ProxyFault::Down, ProxyFault::Pass)
            }
            _ => {}
        }
        Ok(())
    }

    /// A fault on the bot's transaction, once one is in the pool; true when it struck.
    pub(crate) async fn strike(&mut self, injection: &mut Option<Injection>) -> Result<bool> {
        let Some(i) = injection.as_mut() else {
            return Ok(false);
        };
        if i.applied || !i.hits_a_transaction() {
            return Ok(false);
        }
        let Some((hit, _)) = self.anvil.in_pool(self.bots[i.bot].account).await? else {
            return Ok(false);
        };
        i.applied = true;
        i.struck_at = Some(
            self.net
                .block()
                .await?
                .saturating_sub(self.start_of(i.round)),
        );
        let bot = i.bot;
        match i.fault {
            Fault::Reorg => {
                let head = self.anvil.mine(1).await?;
                self.handled(head).await?;
                // Once the bot saw it mined, if it does soon; a reorg all the same.
                let seen = self.bots[bot]
                    .process
                    .wait_log(
                        &hit.to_string(),
                        "transaction mined",
                        Duration::from_secs(5),
                    )
                    .await;
                // Not in the head block (replaced meanwhile): nothing reorged.
                let reorged = self.anvil.reorg_out(hit).await;
                i.applied = reorged.is_ok();
                if let Err(e) = seen.and(reorged) {
                    println!("round {}: reorg on the {}: {e}", i.round, super::BOTS[bot]);
                }
            }
            Fault::BaseFeeSpike => {
                // Already mined or replaced meanwhile: no eviction.
                let evicted = self.anvil.spike_evict(hit).await;
                i.applied = evicted.is_ok();
                if let Err(e) = evicted {
                    println!("round {}: spike on the {}: {e}", i.round, super::BOTS[bot]);
                }
                let head = self.net.block().await?;
                self.handled(head).await?;
            }
            Fault::Stuck => {
                for _ in 0..CONGESTED_BLOCKS {
                    let head = self.anvil.mine_congested(self.congestion).await?;
                    self.handled(head).await?;
                }
                self.anvil.relieve().await?;
            }
            Fault::CrashAfterSend => {
                let process = &mut self.bots[bot].process;
                self.peak_kib[bot] = self.peak_kib[bot].max(process.peak_memory_kib());
                process.kill()?;
                process.restart()?;
                let head = self.net.block().await?;
                let (key, target) = match self.bots[bot].processed {
                    Some(key) => (key, head as f64),
                    None => ("redeemer_passes_total", 1.0),
                };
                self.bots[bot]
                    .process
                    .wait_for(key, target, Duration::from_secs(60))
                    .await?;
            }
            _ => {}
        }
        i.spilled = self.net.block().await? >= self.start_of(i.round + 1);
        Ok(true)
    }

    /// Gives a fault still waiting for the bot's transaction up to [`LATE`] more.
    pub(crate) async fn strike_late(&mut self, injection: &mut Option<Injection>) -> Result<()> {
        let deadline = tokio::time::Instant::now() + LATE;
        while injection
            .as_ref()
            .is_some_and(|i| !i.applied && i.hits_a_transaction())
            && tokio::time::Instant::now() < deadline
        {
            if !self.strike(injection).await? {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(())
    }

    /// Ends the round's fault.
    pub(crate) async fn end(&mut self, injection: &mut Option<Injection>) -> Result<()> {
        let Some(i) = injection.as_ref() else {
            return Ok(());
        };
        match i.fault {
            Fault::Outage => self.set_proxies(i.bot, ProxyFault::Pass, ProxyFault::Pass),
            Fault::Rival => {
                if let Some(mut twin) = self.twin.take() {
                    self.peak_kib[i.bot] = self.peak_kib[i.bot].max(twin.peak_memory_kib());
                    twin.terminate().await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(bot: usize, fault: Fault, applied: bool, full_outage_from: Option<u64>) -> Injection {
        Injection {
            round: 1,
            bot,
            fault,
            applied,
            full_outage_from,
            struck_at: Some(0),
            spilled: false,
        }
    }

    impl Injection {
        fn delays_initialization(&self) -> bool {
            self.delays_initialization_of(self.round)
        }
    }

    #[test]
    fn only_faults_that_must_delay_the_keeper_excuse_a_late_round() {
        // The gas hold raises everyone's base fee, whichever bot it was drawn for.
        for bot in 0..super::super::BOTS.len() {
            assert!(on(bot, Fault::GasAboveCeiling, true, None).delays_initialization());
        }
        for fault in [Fault::Reorg, Fault::BaseFeeSpike, Fault::Stuck] {
            assert!(on(KEEPER, fault, true, None).delays_initialization());
            // Drawn but never struck: the keeper's transaction was not touched.
            let mut drawn = on(KEEPER, fault, false, None);
            drawn.struck_at = None;
            assert!(!drawn.delays_initialization());
        }
        // On another bot: a reorg or eviction of its transaction spares the keeper's; congestion
        // from the round's first block fills the blocks for everyone, later on it does not.
        assert!(!on(1, Fault::Reorg, true, None).delays_initialization());
        assert!(!on(1, Fault::BaseFeeSpike, true, None).delays_initialization());
        let mut congested = on(2, Fault::Stuck, true, None);
        assert!(congested.delays_initialization());
        congested.struck_at = Some(3);
        assert!(!congested.delays_initialization());
        assert!(on(KEEPER, Fault::Outage, true, Some(0)).delays_initialization());
        // One URL down, or both only after the keeper sent: failover must keep the first block.
        assert!(!on(KEEPER, Fault::Outage, true, None).delays_initialization());
        assert!(!on(KEEPER, Fault::Outage, true, Some(1)).delays_initialization());
        for fault in [Fault::NonceGap, Fault::CrashAfterSend, Fault::Rival] {
            assert!(!on(KEEPER, fault, true, None).delays_initialization());
        }
    }

    #[test]
    fn a_fault_that_spilled_into_the_next_round_excuses_it_only_if_it_mines_there() {
        for (fault, delays) in [
            (Fault::Stuck, true),
            (Fault::Reorg, true),
            (Fault::BaseFeeSpike, true),
            (Fault::CrashAfterSend, false),
        ] {
            let mut late = on(2, fault, true, None);
            assert!(!late.delays_initialization_of(2), "{fault:?} not spilled");
            late.spilled = true;
            assert_eq!(late.delays_initialization_of(2), delays, "{fault:?}");
            assert!(!late.delays_initialization_of(3), "{fault:?} two rounds on");
        }
    }
}
