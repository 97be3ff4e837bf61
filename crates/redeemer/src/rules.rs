//! The rules that judge one pending ticket in a pass: expiry, the hold of its parameters, the
//! underfunded snapshot, every rule of [`check_ticket`], the sender's funds ([`payable_amount`],
//! with what earlier tickets of the pass already took), a simulation and profitability.
//!
//! [`Judge::judge`] is pure: given what has been read ([`Pass`], and of the ticket `used` and its
//! simulation), it gives the [`Verdict`], or the one fact it [`Need`]s next. The read asks it
//! until it has a verdict for every pending ticket, reading only what the rules ask for (an
//! expired ticket costs only `usedTickets`, an underfunded one whose funds did not change costs
//! only the funds); [`crate::decide`] judges again with the same facts and the same memory, and acts.

use std::collections::HashMap;

use alloy::primitives::{Address, B256, U256};
use livepeer_bindings::ITicketBroker::ITicketBrokerErrors;
use livepeer_chain::revert::RevertReason;
use livepeer_protocol::{
    Round,
    ticket::{
        ChainState, SenderFunds, TicketError, check_ticket, is_last_round, is_live, payable_amount,
    },
};

use crate::{
    chain::{Rounds, describe, is_insufficient_funds},
    queue::QueuedTicket,
};

/// What a pass read: the chain's values every ticket shares, and the per-sender and per-round
/// values read once for the tickets that needed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pass {
    /// The rounds.
    pub rounds: Rounds,
    /// The gas price (wei).
    pub gas_price: u128,
    /// The sending account's balance (wei), for its gauge.
    pub balance: U256,
    /// The (L1) block, read only when a pending ticket is held until some block.
    pub l1_block: Option<u64>,
    /// Each (sender, recipient)'s funds, as read.
    pub funds: HashMap<(Address, Address), SenderFunds>,
    /// `blockHashForRound` of each creation round read.
    pub block_hashes: HashMap<U256, B256>,
    /// Every pending ticket, in queue order, with what was read of it.
    pub tickets: Vec<Checked>,
}

/// A pending ticket as the pass read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The ticket as queued.
    pub ticket: QueuedTicket,
    /// `usedTickets(hash)`, if the rules needed it.
    pub used: Option<bool>,
    /// A simulation of its `redeemWinningTicket`, if the rules needed it.
    pub simulation: Option<Simulation>,
}

/// What a simulation of a redemption (`eth_estimateGas` on the latest block) said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Simulation {
    /// It would succeed, with this gas.
    Gas(u64),
    /// It would revert.
    Reverts(RevertReason),
    /// It could not be run (the RPC error).
    Failed(String),
}

/// The next fact a ticket's judgment needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The funds of `sender` for `recipient` ([`Pass::funds`]).
    Funds {
        /// The ticket's sender.
        sender: Address,
        /// The ticket's recipient.
        recipient: Address,
    },
    /// `blockHashForRound(round)` ([`Pass::block_hashes`]).
    BlockHash(U256),
    /// `usedTickets(hash)` of the ticket.
    Used,
    /// A simulation of the ticket's redemption.
    Simulation,
}

/// What to do with a ticket after checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Redeemable now, with this single-call gas estimate.
    Ready {
        /// The estimate.
        gas: u64,
    },
    /// Already used on chain.
    Redeemed,
    /// Not redeemable yet, for this reason.
    Defer(String),
    /// The sender's funds do not cover the face value: wait until they change (`funds`, as
    /// read) or a new round starts.
    Underfunded {
        /// Why.
        reason: String,
        /// The funds as read.
        funds: SenderFunds,
    },
    /// Never redeemable, for this reason.
    Dead(String),
}

/// A judgment: the verdict, or the fact needed to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The verdict.
    Verdict(Verdict),
    /// Read this, then ask again.
    Need(Need),
}

/// Why an underfunded ticket was last deferred: the sender's funds as read then and the round.
/// It is checked again only when either differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Underfunded {
    /// The funds as read.
    pub funds: SenderFunds,
    /// The round.
    pub round: Round,
}

/// Judges the pending tickets of one pass in order: the funds each ticket judged ready takes are
/// no longer there for the next ones.
#[derive(Debug)]
pub struct Judge<'a> {
    underfunded: &'a HashMap<B256, Underfunded>,
    min_profit_percent: u64,
    /// Each sender's funds left after the tickets judged ready so far.
    left: HashMap<(Address, Address), SenderFunds>,
}

impl<'a> Judge<'a> {
    /// A judge remembering `underfunded` deferrals, asking `min_profit_percent` of the gas cost.
    pub fn new(underfunded: &'a HashMap<B256, Underfunded>, min_profit_percent: u64) -> Self {
        Self {
            underfunded,
            min_profit_percent,
            left: HashMap::new(),
        }
    }

    /// Applies every rule to one pending ticket (see the module docs).
    pub fn judge(
        &mut self,
        pass: &Pass,
        queued: &QueuedTicket,
        used: Option<bool>,
        simulation: Option<&Simulation>,
    ) -> Step {
        let rounds = &pass.rounds;
        let ticket = &queued.signed.ticket;
        let aux = ticket.aux().ok();
        // Expiry first: an expired ticket is dead even while the round waits for initialization,
        // unless it was used (redeemed before a restart, or by a rival): then nothing was lost.
        if let Some(aux) = &aux
            && !is_live(
                aux.creation_round,
                rounds.ticket_validity_period,
                rounds.current,
            )
        {
            match used {
                None => return Step::Need(Need::Used),
                Some(true) => return Step::Verdict(Verdict::Redeemed),
                Some(false) => {}
            }
            return dead(TicketError::TicketExpired {
                creation_round: aux.creation_round,
                current_round: rounds.current,
            });
        }
        if let (Some(until), Some(block)) = (queued.hold_until_block, pass.l1_block)
            && block < until
        {
            return defer(format!(
                "held until block {until}: its recipientRand still validates tickets (block {block})"
            ));
        }
        let key = (ticket.sender, ticket.recipient);
        let need_funds = Step::Need(Need::Funds {
            sender: key.0,
            recipient: key.1,
        });
        // An underfunded ticket is looked at again only when its sender's funds changed or a new
        // round started (the funds only, no other read).
        if let Some(before) = self.underfunded.get(&queued.hash) {
            let Some(now) = pass.funds.get(&key) else {
                return need_funds;
            };
            if before.funds == *now && before.round == rounds.current {
                return Step::Verdict(Verdict::Underfunded {
                    reason: queued.last_error.clone().unwrap_or_default(),
                    funds: *now,
                });
            }
        }
        let recorded_block_hash = match &aux {
            Some(aux) => match pass.block_hashes.get(&aux.creation_round) {
                Some(hash) => *hash,
                None => return Step::Need(Need::BlockHash(aux.creation_round)),
            },
            None => B256::ZERO,
        };
        let Some(used) = used else {
            return Step::Need(Need::Used);
        };
        let state = ChainState {
            current_round: rounds.current,
            last_initialized_round: rounds.last_initialized,
            ticket_validity_period: rounds.ticket_validity_period,
            recorded_block_hash,
            used,
        };
        match check_ticket(&queued.signed, &state) {
            Ok(_) => {}
            Err(TicketError::TicketUsed { .. }) => return Step::Verdict(Verdict::Redeemed),
            Err(e @ TicketError::UnknownCreationRound { creation_round })
                if creation_round > rounds.current =>
            {
                return defer(e.to_string_named());
            }
            Err(e) if e.is_permanent() => return dead(e),
            Err(e) => return defer(e.to_string_named()),
        }

        let Some(read) = pass.funds.get(&key).copied() else {
            return need_funds;
        };
        let available = self.left.get(&key).copied().unwrap_or(read);
        // In its last round a ticket is paid what the sender has, not all or nothing.
        let last_round = aux.as_ref().is_some_and(|aux| {
            is_last_round(
                aux.creation_round,
                rounds.ticket_validity_period,
                rounds.current,
            )
        });
        let amount = match payable_amount(
            ticket.face_value,
            ticket.sender,
            ticket.recipient,
            &available,
            rounds.current,
            last_round,
        ) {
            Ok(amount) => amount,
            // Short only because of tickets made ready earlier this pass: no snapshot (if their
            // transaction fails, the funds on chain do not change, yet this one may be payable).
            Err(e @ TicketError::InsufficientFunds { .. }) if available != read => {
                return defer(e.to_string_named());
            }
            Err(e @ TicketError::InsufficientFunds { .. }) => {
                return Step::Verdict(Verdict::Underfunded {
                    reason: e.to_string_named(),
                    funds: read,
                });
            }
            Err(e) => return defer(e.to_string_named()),
        };

        let gas = match simulation {
            None => return Step::Need(Need::Simulation),
            Some(Simulation::Gas(gas)) => *gas,
            Some(Simulation::Reverts(revert)) if is_insufficient_funds(revert) => {
                return Step::Verdict(Verdict::Underfunded {
                    reason: format!(
                        "InsufficientFunds: simulation reverts with {}",
                        describe(revert)
                    ),
                    funds: read,
                });
            }
            Some(Simulation::Reverts(revert)) => return Step::Verdict(classify(revert)),
            Some(Simulation::Failed(err)) => return defer(format!("simulation failed: {err}")),
        };
        let cost = U256::from(gas) * U256::from(pass.gas_price);
        if amount * U256::from(100u64) < cost * U256::from(self.min_profit_percent) {
            // The recorded reason leaves out the gas price so it stays the same from pass to pass
            // (an unchanged reason is not journaled again).
            return defer(format!(
                "unprofitable: pays {amount} wei, under {}% of the gas cost",
                self.min_profit_percent
            ));
        }
        self.left.insert(key, debit(available, amount));
        Step::Verdict(Verdict::Ready { gas })
    }
}

fn defer(reason: String) -> Step {
    Step::Verdict(Verdict::Defer(reason))
}

fn dead(error: TicketError) -> Step {
    Step::Verdict(Verdict::Dead(error.to_string_named()))
}

/// What a simulated revert means for the ticket.
pub fn classify(revert: &RevertReason) -> Verdict {
    use ITicketBrokerErrors as E;
    match revert {
        RevertReason::TicketBroker(E::TicketUsed(_)) => Verdict::Redeemed,
        RevertReason::TicketBroker(
            E::ZeroRecipient(_)
            | E::ZeroSender(_)
            | E::InvalidAuxDataLength(_)
            | E::CreationRoundBlockHashMismatch(_)
            | E::TicketExpired(_)
            | E::RecipientRandMismatch(_)
            | E::InvalidSignature(_)
            | E::TicketDidNotWin(_),
        ) => Verdict::Dead(format!("simulation reverts with {}", describe(revert))),
        _ => Verdict::Defer(format!("simulation reverts with {}", describe(revert))),
    }
}

/// `funds` after paying `amount` as `_debitSender` does: the deposit first, then the reserve slice.
pub fn debit(mut funds: SenderFunds, amount: U256) -> SenderFunds {
    if amount <= funds.deposit {
        funds.deposit -= amount;
    } else {
        let from_reserve = amount - funds.deposit;
        funds.deposit = U256::ZERO;
        funds.reserve = funds.reserve.saturating_sub(from_reserve);
        funds.claimable_reserve = funds.claimable_reserve.saturating_sub(from_reserve);
    }
    funds
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn debit_takes_deposit_then_reserve() {
        let f = SenderFunds {
            deposit: U256::from(10u64),
            reserve: U256::from(100u64),
            withdraw_round: U256::ZERO,
            claimable_reserve: U256::from(50u64),
        };
        let after = debit(f, U256::from(4u64));
        assert_eq!(after.deposit, U256::from(6u64));
        assert_eq!(after.reserve, U256::from(100u64));
        let after = debit(f, U256::from(30u64));
        assert_eq!(after.deposit, U256::ZERO);
        assert_eq!(after.reserve, U256::from(80u64));
        assert_eq!(after.claimable_reserve, U256::from(30u64));
    }

    #[test]
    fn reverts_are_classified() {
        use livepeer_bindings::{IManager, ITicketBroker};
        let dead = classify(&RevertReason::TicketBroker(
            ITicketBrokerErrors::TicketDidNotWin(ITicketBroker::TicketDidNotWin {}),
        ));
        assert!(matches!(dead, Verdict::Dead(r) if r.contains("TicketDidNotWin")));
        let used = classify(&RevertReason::TicketBroker(
            ITicketBrokerErrors::TicketUsed(ITicketBroker::TicketUsed {
                ticketHash: B256::ZERO,
            }),
        ));
        assert!(matches!(used, Verdict::Redeemed));
        let wait = classify(&RevertReason::Manager(
            IManager::IManagerErrors::SystemPaused(IManager::SystemPaused {}),
        ));
        assert!(matches!(wait, Verdict::Defer(r) if r.contains("SystemPaused")));
    }

    /// Round 1 (initialized) at block 10 (the next starts at block 100), tickets valid 3 rounds,
    /// its block hash `BLOCK_HASH`, gas price 1.
    pub(crate) fn pass() -> Pass {
        Pass {
            rounds: Rounds {
                current: Round::new(1),
                last_initialized: Round::new(1),
                ticket_validity_period: U256::from(3u64),
                head: 10,
                next_round_start: U256::from(100u64),
            },
            gas_price: 1,
            block_hashes: [(U256::from(1u64), BLOCK_HASH)].into(),
            ..Pass::default()
        }
    }

    /// The block hash recorded for round 1.
    pub(crate) const BLOCK_HASH: B256 = B256::repeat_byte(0xbb);

    /// The sender of the tickets of key `key`.
    pub(crate) fn sender(key: u8) -> Address {
        signer(key).address()
    }

    fn signer(key: u8) -> alloy::signers::local::PrivateKeySigner {
        alloy::signers::local::PrivateKeySigner::from_bytes(&B256::repeat_byte(key))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// A valid winning ticket of round 1 worth `face_value` wei from the sender of key `key`,
    /// pending in a queue.
    pub(crate) fn winning(key: u8, face_value: u64) -> QueuedTicket {
        use livepeer_protocol::ticket::{AuxData, SignedTicket, Ticket, recipient_rand_hash};
        let rand = U256::from(face_value) + U256::from(key);
        let ticket = Ticket {
            recipient: Address::repeat_byte(0xee),
            sender: sender(key),
            face_value: U256::from(face_value),
            win_prob: U256::MAX,
            sender_nonce: U256::from(face_value),
            recipient_rand_hash: recipient_rand_hash(rand),
            aux_data: AuxData {
                creation_round: U256::from(1u64),
                creation_round_block_hash: BLOCK_HASH,
            }
            .encode(),
        };
        let signature = ticket
            .sign_sync(&signer(key))
            .unwrap_or_else(|e| unreachable!("{e}"));
        crate::queue::tests_support::queued(SignedTicket {
            ticket,
            signature,
            recipient_rand: rand,
        })
    }

    pub(crate) fn funds(deposit: u64) -> SenderFunds {
        SenderFunds {
            deposit: U256::from(deposit),
            ..SenderFunds::default()
        }
    }

    /// Asks `judge` about `t` answering the ticket's needs (unused; `simulation`); the needs
    /// asked, in order, and the verdict.
    fn ask(
        judge: &mut Judge<'_>,
        pass: &Pass,
        t: &QueuedTicket,
        simulation: Simulation,
    ) -> (Vec<Need>, Verdict) {
        let (mut used, mut sim, mut needs) = (None, None, Vec::new());
        loop {
            match judge.judge(pass, t, used, sim.as_ref()) {
                Step::Verdict(v) => return (needs, v),
                Step::Need(need) => {
                    needs.push(need);
                    match need {
                        Need::Used => used = Some(false),
                        Need::Simulation => sim = Some(simulation.clone()),
                        Need::Funds { .. } | Need::BlockHash(_) => {
                            unreachable!("{need:?} is in the pass")
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_payable_ticket_is_ready_and_its_amount_is_not_there_for_the_next() {
        let sender = sender(7);
        let (a, b) = (winning(7, 60), winning(7, 50));
        let mut pass = pass();
        pass.funds
            .insert((sender, a.signed.ticket.recipient), funds(100));
        let none = HashMap::new();
        let mut judge = Judge::new(&none, 100);
        let (needs, verdict) = ask(&mut judge, &pass, &a, Simulation::Gas(40));
        assert_eq!(needs, [Need::Used, Need::Simulation]);
        assert_eq!(verdict, Verdict::Ready { gas: 40 });
        // 40 wei left: the second waits, without a snapshot (the chain still shows 100).
        let (_, verdict) = ask(&mut judge, &pass, &b, Simulation::Gas(40));
        assert!(
            matches!(&verdict, Verdict::Defer(r) if r.starts_with("InsufficientFunds")),
            "{verdict:?}"
        );
    }

    #[test]
    fn the_funds_on_chain_short_of_the_face_value_make_a_snapshot_and_no_simulation() {
        let sender = sender(7);
        let t = winning(7, 60);
        let key = (sender, t.signed.ticket.recipient);
        let mut pass = pass();
        pass.funds.insert(key, funds(59));
        let none = HashMap::new();
        let (needs, verdict) = ask(&mut Judge::new(&none, 100), &pass, &t, Simulation::Gas(1));
        assert_eq!(needs, [Need::Used], "no simulation");
        assert!(
            matches!(&verdict, Verdict::Underfunded { reason, funds: f }
                if reason.starts_with("InsufficientFunds") && reason.contains("at most 59 wei")
                    && *f == funds(59)),
            "{verdict:?}"
        );
        // Remembered: with the same funds and round only the funds are looked at.
        let mut t = t;
        t.last_error = Some("InsufficientFunds: x".into());
        let memory = [(
            t.hash,
            Underfunded {
                funds: funds(59),
                round: Round::new(1),
            },
        )]
        .into();
        let mut bare = pass.clone();
        bare.funds.clear();
        let mut judge = Judge::new(&memory, 100);
        assert_eq!(
            judge.judge(&bare, &t, None, None),
            Step::Need(Need::Funds {
                sender,
                recipient: key.1
            })
        );
        assert_eq!(
            judge.judge(&pass, &t, None, None),
            Step::Verdict(Verdict::Underfunded {
                reason: "InsufficientFunds: x".into(),
                funds: funds(59)
            })
        );
        // Funds changed: judged in full again.
        pass.funds.insert(key, funds(60));
        let (needs, verdict) = ask(&mut judge, &pass, &t, Simulation::Gas(1));
        assert_eq!(needs, [Need::Used, Need::Simulation]);
        assert_eq!(verdict, Verdict::Ready { gas: 1 });
    }

    #[test]
    fn expired_held_and_unprofitable_tickets_wait_or_die_without_reads() {
        let sender = sender(7);
        let mut t = winning(7, 60);
        let mut pass = pass();
        let none = HashMap::new();
        // Held: no read at all.
        t.hold_until_block = Some(10);
        pass.l1_block = Some(9);
        let step = Judge::new(&none, 100).judge(&pass, &t, None, None);
        assert!(
            matches!(&step, Step::Verdict(Verdict::Defer(r)) if r.starts_with("held until block 10")),
            "{step:?}"
        );
        // Expired (round 4 with validity 3 from round 1): dead, even while held, once it is
        // known unused; used (redeemed before a restart, or by a rival), it is not lost.
        pass.rounds.current = Round::new(4);
        let step = Judge::new(&none, 100).judge(&pass, &t, None, None);
        assert_eq!(step, Step::Need(Need::Used));
        let step = Judge::new(&none, 100).judge(&pass, &t, Some(false), None);
        assert!(
            matches!(&step, Step::Verdict(Verdict::Dead(r)) if r.starts_with("TicketExpired")),
            "{step:?}"
        );
        let step = Judge::new(&none, 100).judge(&pass, &t, Some(true), None);
        assert_eq!(step, Step::Verdict(Verdict::Redeemed));
        // Unprofitable: the gas costs more than the ticket pays.
        pass.rounds.current = Round::new(1);
        pass.l1_block = Some(10);
        pass.gas_price = 2;
        pass.funds
            .insert((sender, t.signed.ticket.recipient), funds(1_000));
        let (_, verdict) = ask(&mut Judge::new(&none, 100), &pass, &t, Simulation::Gas(31));
        assert_eq!(
            verdict,
            Verdict::Defer("unprofitable: pays 60 wei, under 100% of the gas cost".into())
        );
        let (_, verdict) = ask(&mut Judge::new(&none, 0), &pass, &t, Simulation::Gas(31));
        assert_eq!(verdict, Verdict::Ready { gas: 31 }, "0%: always");
    }
}
