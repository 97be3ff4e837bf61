//! Max float: how much a broadcaster may owe the recipient in tickets not yet redeemed, the value
//! go-livepeer's node asks the redemption service for before it accepts more work.
//!
//! Formula (go-livepeer's): `reserveAlloc = (fundsRemaining + claimedInCurrentRound) /
//! transcoderPoolSize - claimedReserve(sender, recipient)` (zero when the pool is empty), minus the
//! face value of the sender's pending tickets unless its deposit is at least three times that
//! pending amount. A ticket is *pending* from the moment `QueueTicket` (or the inbox) hands it over
//! until it is redeemed or dead: queued, deferred for lack of funds and in flight alike. Unlike
//! go-livepeer, a negative result is reported as zero (its wire form cannot carry a sign).
//!
//! [`MaxFloats`] keeps the pending tickets and each watched sender's funds, sends every new value
//! to the sender's subscribers (a [`broadcast`] channel, so no change is skipped) and
//! [`MaxFloats::refresh`] re-reads the funds.

use std::{
    collections::{HashMap, HashSet},
    sync::{Mutex, MutexGuard},
};

use alloy::{
    primitives::{Address, B256, U256},
    providers::DynProvider,
};
use futures::future::try_join_all;
use livepeer_bindings::{IBondingManager, ITicketBroker};
use livepeer_protocol::ticket::reserve_slice;
use tokio::sync::{Notify, broadcast};

/// Values a slow subscriber may fall behind by before it skips to newer ones.
const CHANNEL_CAPACITY: usize = 64;

use crate::queue::{QueuedTicket, TicketStatus};

/// The deposit must be this many times the pending amount for the pending amount to be ignored.
pub const MIN_DEPOSIT_PENDING_RATIO: u64 = 3;

/// The chain values max float depends on, for one sender and this recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FloatFunds {
    /// `getSenderInfo(sender).sender.deposit`.
    pub deposit: U256,
    /// `getSenderInfo(sender).reserve.fundsRemaining`.
    pub funds_remaining: U256,
    /// `getSenderInfo(sender).reserve.claimedInCurrentRound`.
    pub claimed_in_current_round: U256,
    /// `claimedReserve(sender, recipient)`.
    pub claimed_reserve: U256,
    /// `BondingManager.getTranscoderPoolSize()`.
    pub pool_size: U256,
}

/// The recipient's share of the sender's reserve still unclaimed this round: the TicketBroker's
/// slice ([`reserve_slice`]) over the live pool size, as go-livepeer divides it, minus what the
/// recipient claimed this round.
pub fn reserve_alloc(funds: &FloatFunds) -> U256 {
    reserve_slice(
        funds.funds_remaining,
        funds.claimed_in_current_round,
        funds.pool_size,
    )
    .saturating_sub(funds.claimed_reserve)
}

/// Max float of a sender with `funds` and `pending` face value in unredeemed tickets.
pub fn max_float(funds: &FloatFunds, pending: U256) -> U256 {
    let alloc = reserve_alloc(funds);
    if !pending.is_zero()
        && funds.deposit >= pending.saturating_mul(U256::from(MIN_DEPOSIT_PENDING_RATIO))
    {
        return alloc;
    }
    alloc.saturating_sub(pending)
}

/// Reads [`FloatFunds`] from the chain.
#[derive(Debug, Clone)]
pub struct FundsReader {
    ticket_broker: ITicketBroker::ITicketBrokerInstance<DynProvider>,
    bonding_manager: IBondingManager::IBondingManagerInstance<DynProvider>,
    recipient: Address,
}

impl FundsReader {
    /// A reader of `recipient`'s view of each sender.
    pub fn new(
        provider: DynProvider,
        ticket_broker: Address,
        bonding_manager: Address,
        recipient: Address,
    ) -> Self {
        Self {
            ticket_broker: ITicketBroker::new(ticket_broker, provider.clone()),
            bonding_manager: IBondingManager::new(bonding_manager, provider),
            recipient,
        }
    }

    /// The transcoder pool size.
    pub async fn pool_size(&self) -> Result<U256, alloy::contract::Error> {
        self.bonding_manager.getTranscoderPoolSize().call().await
    }

    /// `sender`'s funds, with `pool_size` read once for all senders.
    pub async fn funds(
        &self,
        sender: Address,
        pool_size: U256,
    ) -> Result<FloatFunds, alloy::contract::Error> {
        let info = self.ticket_broker.getSenderInfo(sender);
        let claimed = self.ticket_broker.claimedReserve(sender, self.recipient);
        let (info, claimed_reserve) = tokio::try_join!(info.call(), claimed.call())?;
        Ok(FloatFunds {
            deposit: info.sender_.deposit,
            funds_remaining: info.reserve.fundsRemaining,
            claimed_in_current_round: info.reserve.claimedInCurrentRound,
            claimed_reserve,
            pool_size,
        })
    }
}

#[derive(Debug, Default)]
struct Ledger {
    /// Pending tickets: hash → (sender, face value).
    pending: HashMap<B256, (Address, U256)>,
    /// Tickets accepted by the intake but not seen in the queue yet.
    accepted: HashSet<B256>,
    /// Last funds read per watched sender.
    funds: HashMap<Address, FloatFunds>,
    /// One channel per watched sender, with the last value sent on it.
    channels: HashMap<Address, Channel>,
    /// Senders with a redemption being sent or in flight: funds read now may already show the
    /// redemption while its tickets still count as pending, so nothing is sent for them until
    /// the redemption resolves.
    in_flight: HashSet<Address>,
}

#[derive(Debug)]
struct Channel {
    last: Option<U256>,
    tx: broadcast::Sender<U256>,
}

impl Channel {
    fn new() -> Self {
        Self {
            last: None,
            tx: broadcast::Sender::new(CHANNEL_CAPACITY),
        }
    }
}

impl Ledger {
    fn pending_of(&self, sender: Address) -> U256 {
        self.pending
            .values()
            .filter(|(s, _)| *s == sender)
            .fold(U256::ZERO, |sum, (_, face)| sum.saturating_add(*face))
    }

    fn value(&self, sender: Address) -> Option<U256> {
        self.funds
            .get(&sender)
            .map(|funds| max_float(funds, self.pending_of(sender)))
    }

    /// Sends `sender`'s value if it changed (not while a redemption of it is in flight).
    fn publish(&mut self, sender: Address) {
        if self.in_flight.contains(&sender) {
            return;
        }
        let Some(value) = self.value(sender) else {
            return;
        };
        let channel = self.channels.entry(sender).or_insert_with(Channel::new);
        if channel.last != Some(value) {
            channel.last = Some(value);
            // No subscriber is not an error: the value is kept for the next one.
            let _ = channel.tx.send(value);
        }
    }
}

/// Pending tickets and funds of every watched sender (see the module docs).
#[derive(Debug, Default)]
pub struct MaxFloats {
    ledger: Mutex<Ledger>,
    /// Wakes the refresher: a sender's funds should be read again now.
    stale: Notify,
    stale_senders: Mutex<HashSet<Address>>,
}

impl MaxFloats {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // A panic while holding the lock cannot leave the ledger half-updated in a way that
        // matters more than stopping; keep serving.
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A ticket accepted by the intake (durable, maybe not in the queue yet): pending from now.
    pub fn accepted(&self, hash: B256, sender: Address, face_value: U256) {
        let mut ledger = self.ledger();
        if ledger.pending.contains_key(&hash) {
            return;
        }
        ledger.pending.insert(hash, (sender, face_value));
        ledger.accepted.insert(hash);
        ledger.publish(sender);
    }

    /// The queue as it stands now: its open tickets are pending, its closed ones are not. A sender
    /// whose pending amount fell (a ticket redeemed or dead) gets its funds read again before its
    /// new value is sent, so a redemption is never shown without what it claimed.
    pub fn queue_changed(&self, tickets: &[QueuedTicket]) {
        let mut ledger = self.ledger();
        let mut pending: HashMap<B256, (Address, U256)> = HashMap::new();
        let mut seen = HashSet::new();
        let mut in_flight = HashSet::new();
        for t in tickets {
            seen.insert(t.hash);
            if t.status.is_open() {
                pending.insert(t.hash, (t.signed.ticket.sender, t.signed.ticket.face_value));
            }
            if matches!(t.status, TicketStatus::InFlight { .. }) {
                in_flight.insert(t.signed.ticket.sender);
            }
        }
        let landed: Vec<Address> = ledger.in_flight.difference(&in_flight).copied().collect();
        ledger.in_flight = in_flight;
        ledger.accepted.retain(|h| !seen.contains(h));
        for hash in ledger.accepted.clone() {
            if let Some(entry) = ledger.pending.get(&hash).copied() {
                pending.insert(hash, entry);
            }
        }
        let closed: HashSet<Address> = ledger
            .pending
            .iter()
            .filter(|(h, _)| !pending.contains_key(*h))
            .map(|(_, (sender, _))| *sender)
            .collect();
        let opened: HashSet<Address> = pending
            .iter()
            .filter(|(h, _)| !ledger.pending.contains_key(*h))
            .map(|(_, (sender, _))| *sender)
            .collect();
        ledger.pending = pending;
        let to_publish: HashSet<Address> = opened.into_iter().chain(landed).collect();
        for sender in to_publish.difference(&closed) {
            ledger.publish(*sender);
        }
        drop(ledger);
        if !closed.is_empty() {
            self.mark_stale(closed);
        }
    }

    fn mark_stale(&self, senders: impl IntoIterator<Item = Address>) {
        self.stale_senders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(senders);
        self.stale.notify_one();
    }

    /// Redemptions of `senders`' tickets are about to be sent: hold their values until the queue
    /// shows them resolved.
    pub fn sending(&self, senders: impl IntoIterator<Item = Address>) {
        self.ledger().in_flight.extend(senders);
    }

    /// Records funds read for `sender` and sends its value if it changed.
    pub fn set_funds(&self, sender: Address, funds: FloatFunds) {
        let mut ledger = self.ledger();
        ledger.funds.insert(sender, funds);
        ledger.publish(sender);
    }

    /// `sender`'s current value, if its funds were read.
    pub fn value(&self, sender: Address) -> Option<U256> {
        self.ledger().value(sender)
    }

    /// The face value of `sender`'s pending tickets.
    pub fn pending(&self, sender: Address) -> U256 {
        self.ledger().pending_of(sender)
    }

    /// Every watched sender and its value (for metrics).
    pub fn values(&self) -> Vec<(Address, U256)> {
        let ledger = self.ledger();
        let mut values: Vec<(Address, U256)> = ledger
            .funds
            .keys()
            .filter_map(|s| ledger.value(*s).map(|v| (*s, v)))
            .collect();
        values.sort();
        values
    }

    /// A receiver of each new value of `sender`'s max float; the sender is watched (its funds
    /// refreshed) while someone listens.
    pub fn subscribe(&self, sender: Address) -> broadcast::Receiver<U256> {
        let mut ledger = self.ledger();
        ledger
            .channels
            .entry(sender)
            .or_insert_with(Channel::new)
            .tx
            .subscribe()
    }

    /// Senders whose funds to read: those with pending tickets or a channel.
    fn watched(&self) -> Vec<Address> {
        let mut ledger = self.ledger();
        // Forget senders nobody listens to and who owe nothing.
        let owing: HashSet<Address> = ledger.pending.values().map(|(s, _)| *s).collect();
        ledger
            .channels
            .retain(|s, ch| ch.tx.receiver_count() > 0 || owing.contains(s));
        let channels: HashSet<Address> = ledger.channels.keys().copied().collect();
        ledger
            .funds
            .retain(|s, _| channels.contains(s) || owing.contains(s));
        let mut all: Vec<Address> = owing.union(&channels).copied().collect();
        all.sort();
        all
    }

    /// Reads the funds of every watched sender (or only `only`) and publishes the changes.
    pub async fn refresh(
        &self,
        reader: &FundsReader,
        only: Option<&[Address]>,
    ) -> Result<(), alloy::contract::Error> {
        let senders = match only {
            Some(s) => s.to_vec(),
            None => self.watched(),
        };
        if senders.is_empty() {
            return Ok(());
        }
        let pool_size = reader.pool_size().await?;
        let funds = try_join_all(senders.iter().map(|s| reader.funds(*s, pool_size))).await?;
        for (sender, funds) in senders.into_iter().zip(funds) {
            self.set_funds(sender, funds);
        }
        Ok(())
    }

    /// Waits until some sender was marked stale (a ticket of it closed) and returns those senders.
    pub async fn stale(&self) -> Vec<Address> {
        loop {
            let senders: Vec<Address> = self
                .stale_senders
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .drain()
                .collect();
            if !senders.is_empty() {
                return senders;
            }
            self.stale.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funds(
        deposit: u64,
        remaining: u64,
        claimed_round: u64,
        claimed: u64,
        pool: u64,
    ) -> FloatFunds {
        FloatFunds {
            deposit: U256::from(deposit),
            funds_remaining: U256::from(remaining),
            claimed_in_current_round: U256::from(claimed_round),
            claimed_reserve: U256::from(claimed),
            pool_size: U256::from(pool),
        }
    }

    #[test]
    fn reserve_alloc_is_the_pool_share_minus_what_was_claimed() {
        assert_eq!(
            reserve_alloc(&funds(0, 900, 100, 50, 4)),
            U256::from(200u64)
        );
        assert_eq!(reserve_alloc(&funds(0, 900, 100, 0, 0)), U256::ZERO);
        // Claimed more than the share (the pool grew): zero, not an underflow.
        assert_eq!(reserve_alloc(&funds(0, 100, 0, 80, 2)), U256::ZERO);
    }

    #[test]
    fn pending_counts_unless_the_deposit_covers_three_times_it() {
        let f = funds(299, 1_000, 0, 0, 1);
        assert_eq!(max_float(&f, U256::ZERO), U256::from(1_000u64));
        assert_eq!(max_float(&f, U256::from(100u64)), U256::from(900u64));
        let f = funds(300, 1_000, 0, 0, 1);
        assert_eq!(max_float(&f, U256::from(100u64)), U256::from(1_000u64));
        // More pending than the allocation: zero.
        assert_eq!(
            max_float(&funds(0, 10, 0, 0, 1), U256::from(11u64)),
            U256::ZERO
        );
    }

    #[test]
    fn accepted_tickets_count_once_and_leave_when_the_queue_closes_them() {
        let floats = MaxFloats::new();
        let sender = Address::repeat_byte(1);
        let mut rx = floats.subscribe(sender);
        floats.set_funds(sender, funds(0, 1_000, 0, 0, 1));
        assert_eq!(rx.try_recv().ok(), Some(U256::from(1_000u64)));
        let hash = B256::repeat_byte(9);
        floats.accepted(hash, sender, U256::from(10u64));
        floats.accepted(hash, sender, U256::from(10u64));
        assert_eq!(rx.try_recv().ok(), Some(U256::from(990u64)));
        assert!(rx.try_recv().is_err(), "the duplicate changed nothing");
        assert_eq!(floats.pending(sender), U256::from(10u64));
        // The queue does not hold it yet: it stays pending.
        floats.queue_changed(&[]);
        assert_eq!(floats.pending(sender), U256::from(10u64));
    }

    #[tokio::test]
    async fn a_closed_ticket_is_published_only_with_fresh_funds() {
        let floats = MaxFloats::new();
        let sender = Address::repeat_byte(1);
        let mut rx = floats.subscribe(sender);
        floats.set_funds(sender, funds(0, 1_000, 0, 0, 1));
        let signed = crate::queue::tests_support::ticket(sender, 10);
        let mut queued = crate::queue::tests_support::queued(signed);
        floats.queue_changed(std::slice::from_ref(&queued));
        assert_eq!(floats.pending(sender), U256::from(10u64));
        while rx.try_recv().is_ok() {}
        queued.status = crate::queue::TicketStatus::Redeemed { tx: None };
        floats.queue_changed(std::slice::from_ref(&queued));
        assert_eq!(floats.pending(sender), U256::ZERO);
        assert!(
            rx.try_recv().is_err(),
            "nothing sent before the funds are read again"
        );
        assert_eq!(floats.stale().await, vec![sender]);
        // The redemption took 5 wei of the reserve.
        floats.set_funds(sender, funds(0, 995, 5, 5, 1));
        assert_eq!(rx.try_recv().ok(), Some(U256::from(995u64)));
    }

    #[test]
    fn funds_read_while_a_redemption_is_in_flight_are_not_sent_until_it_resolves() {
        let floats = MaxFloats::new();
        let sender = Address::repeat_byte(1);
        let mut rx = floats.subscribe(sender);
        floats.set_funds(sender, funds(0, 1_000, 0, 0, 1));
        let mut queued =
            crate::queue::tests_support::queued(crate::queue::tests_support::ticket(sender, 10));
        floats.queue_changed(std::slice::from_ref(&queued));
        while rx.try_recv().is_ok() {}
        floats.sending([sender]);
        // Mined already: the chain shows the claim while the ticket is still pending here.
        floats.set_funds(sender, funds(0, 990, 10, 10, 1));
        assert!(rx.try_recv().is_err(), "no value counting the ticket twice");
        // The node dropped it: pending again, and the held value goes out.
        queued.status = crate::queue::TicketStatus::Pending;
        floats.queue_changed(std::slice::from_ref(&queued));
        assert_eq!(rx.try_recv().ok(), Some(U256::from(980u64)));
    }
}
