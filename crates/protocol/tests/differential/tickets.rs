//! The ticket rules against `redeemWinningTicket`: for random deposits, reserves, face values,
//! unlocks, creation rounds (the last redeemable one included) and tickets redeemed twice, what
//! `check_ticket` + `payable_amount` predict (the amount, or the error) is what the contract pays
//! (`WinningTicketTransfer`) or reverts with; and `claimable_reserve` equals the TicketBroker's
//! `claimableReserve` view after each redemption (ours: the live fixture hides the pool size the
//! slice divides by).

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context as _, Result, ensure};
use livepeer_bindings::ITicketBroker;
use livepeer_chain::testchain::Flavor;
use livepeer_protocol::ticket::{
    AuxData, ChainState, SenderFunds, SignedTicket, Ticket, check_ticket, claimable_reserve,
    is_last_round, payable_amount, recipient_rand_hash,
};
use rand::{Rng, rngs::StdRng};

use super::net::{Net, revert_name};

/// What a run covered.
#[derive(Debug, Default)]
pub struct Covered {
    /// Redemptions compared.
    pub tickets: usize,
    /// Of which paid in full / paid what was left in the ticket's last round.
    pub paid: usize,
    /// Paid less than the face value (last round).
    pub partial: usize,
    /// Reverts, by our error name.
    pub reverts: std::collections::BTreeMap<String, usize>,
    /// `claimableReserve` views compared with `claimable_reserve`.
    pub slices: usize,
}

/// ETH amounts that make every branch likely: zero, dust, about the face values, plenty.
fn wei(rng: &mut StdRng) -> U256 {
    let milli = U256::from(10u64).pow(U256::from(15u64));
    match rng.gen_range(0..5) {
        0 => U256::ZERO,
        1 => U256::from(rng.gen_range(1..1_000u64)),
        2 => milli * U256::from(rng.gen_range(1..=10u64)),
        3 => U256::from(rng.gen_range(1..=10_000_000u64)) * U256::from(1_000_000_000u64),
        _ => milli * U256::from(rng.gen_range(10..=1_000u64)),
    }
}

/// `cases` senders, each from the state after the set-up (two active recipients).
pub async fn run(net: &Net, rng: &mut StdRng, cases: usize) -> Result<Covered> {
    let bm = &net.p.bonding_manager;
    let mut recipients = Vec::new();
    for i in 0..2 {
        let r = net.account("ticket-r", i).await?;
        let amount = U256::from(10u64).pow(U256::from(21u64));
        net.give_lpt(r, amount).await?;
        recipients.push(r);
    }
    net.next_round().await?;
    for &r in &recipients {
        net.send(
            r,
            bm.bond(U256::from(10u64).pow(U256::from(21u64)), r)
                .into_transaction_request(),
        )
        .await?;
    }
    // Active from the next round; one more so the previous round has a block hash too.
    net.next_round().await?;
    net.next_round().await?;
    let mut covered = Covered::default();
    for case in 0..cases {
        let base = net.snapshot().await?;
        one_sender(net, rng, case, &recipients, &mut covered)
            .await
            .with_context(|| format!("ticket case {case}"))?;
        net.revert(base).await?;
    }
    Ok(covered)
}

async fn one_sender(
    net: &Net,
    rng: &mut StdRng,
    case: usize,
    recipients: &[Address],
    covered: &mut Covered,
) -> Result<()> {
    let tb = &net.p.ticket_broker;
    let key = PrivateKeySigner::from_bytes(&B256::from(rng.r#gen::<[u8; 32]>()))?;
    let sender = key.address();
    net.set_eth(sender, U256::from(10u64).pow(U256::from(22u64)))
        .await?;
    let (deposit, reserve) = (wei(rng), wei(rng));
    if !(deposit + reserve).is_zero() {
        net.send(
            sender,
            tb.fundDepositAndReserve(deposit, reserve)
                .value(deposit + reserve)
                .into_transaction_request(),
        )
        .await?;
    }
    // Every fifth sender unlocks and waits out the unlock period (its funds pay nothing any
    // more); every fifth unlocks only (they still pay).
    if !(deposit + reserve).is_zero() && case % 5 < 2 {
        net.send(sender, tb.unlock().into_transaction_request())
            .await?;
        if case.is_multiple_of(5) {
            let period = tb.unlockPeriod().call().await?;
            for _ in 0..u64::try_from(period)? {
                net.next_round().await?;
            }
        }
    }
    net.initialize().await?;
    for nonce in 0..rng.gen_range(1..=4u64) {
        let recipient = recipients[rng.gen_range(0..recipients.len())];
        let round = net.round().await?.to_u256();
        let creation = match rng.gen_range(0..10) {
            0 => round - U256::from(2u64),     // expired
            1 => round + U256::from(3u64),     // no block hash yet
            2..=4 => round - U256::from(1u64), // its last round
            _ => round,
        };
        let mut block_hash = net.block_hash(creation).await?;
        if rng.gen_bool(0.05) {
            block_hash = B256::repeat_byte(0x5a);
        }
        let rand = U256::from(rng.r#gen::<u128>());
        let ticket = Ticket {
            recipient,
            sender,
            face_value: match rng.gen_range(0..3) {
                0 => wei(rng),
                1 => deposit,
                _ => deposit + wei(rng),
            },
            win_prob: U256::MAX,
            sender_nonce: U256::from(nonce),
            recipient_rand_hash: recipient_rand_hash(rand),
            aux_data: AuxData {
                creation_round: creation,
                creation_round_block_hash: block_hash,
            }
            .encode(),
        };
        let signed = SignedTicket {
            signature: ticket.sign_sync(&key)?,
            ticket,
            recipient_rand: rand,
        };
        redeem(net, &signed, covered).await?;
        if rng.gen_bool(0.1) {
            // The same ticket again: used.
            redeem(net, &signed, covered).await?;
        }
    }
    Ok(())
}

/// Predicts, redeems (or simulates the revert) and compares; then the reserve slice.
async fn redeem(net: &Net, signed: &SignedTicket, covered: &mut Covered) -> Result<()> {
    let (tb, rm) = (&net.p.ticket_broker, &net.p.rounds_manager);
    let t = &signed.ticket;
    net.initialize().await?;
    let round = net.round().await?;
    let validity = tb.ticketValidityPeriod().call().await?;
    let chain = ChainState {
        current_round: round,
        last_initialized_round: livepeer_protocol::Round::try_from(
            rm.lastInitializedRound().call().await?,
        )?,
        ticket_validity_period: validity,
        recorded_block_hash: match t.aux() {
            Ok(aux) => net.block_hash(aux.creation_round).await?,
            Err(_) => B256::ZERO,
        },
        used: tb.usedTickets(t.hash()).call().await?,
    };
    let info = tb.getSenderInfo(t.sender).call().await?;
    let funds = SenderFunds {
        deposit: info.sender_.deposit,
        reserve: info.reserve.fundsRemaining,
        withdraw_round: info.sender_.withdrawRound,
        claimable_reserve: tb.claimableReserve(t.sender, t.recipient).call().await?,
    };
    let predicted = check_ticket(signed, &chain).and_then(|aux| {
        let last = is_last_round(aux.creation_round, validity, round);
        payable_amount(t.face_value, t.sender, t.recipient, &funds, round, last)
    });
    let call = tb
        .redeemWinningTicket(
            ITicketBroker::Ticket::from(t.clone()),
            signed.signature.clone(),
            signed.recipient_rand,
        )
        .into_transaction_request();
    let outcome = net.try_send(t.recipient, call).await?;
    match (&predicted, &outcome) {
        (Ok(amount), Ok(receipt)) => {
            let paid = receipt
                .inner
                .logs()
                .iter()
                .find_map(|log| {
                    log.log_decode::<ITicketBroker::WinningTicketTransfer>()
                        .ok()
                        .map(|e| e.inner.data.amount)
                })
                .context("no WinningTicketTransfer")?;
            ensure!(
                paid == *amount,
                "paid {paid}, predicted {amount} ({funds:?}, face {})",
                t.face_value
            );
            covered.paid += 1;
            covered.partial += usize::from(paid < t.face_value);
        }
        (Err(e), Err(reason)) => {
            let name = revert_name(reason);
            ensure!(
                e.contract_name() == name,
                "reverted {name}, predicted {e} ({funds:?}, face {})",
                t.face_value
            );
            *covered.reverts.entry(name).or_default() += 1;
        }
        (predicted, outcome) => anyhow::bail!(
            "predicted {predicted:?}, the contract {} ({funds:?}, face {}, {chain:?})",
            match outcome {
                Ok(_) => "paid".to_owned(),
                Err(reason) => revert_name(reason),
            },
            t.face_value
        ),
    }
    covered.tickets += 1;
    if net.flavor == Flavor::Ours {
        let bm = &net.p.bonding_manager;
        let info = tb.getSenderInfo(t.sender).call().await?;
        let mirrored = claimable_reserve(
            info.reserve.fundsRemaining,
            info.reserve.claimedInCurrentRound,
            bm.currentRoundActivePoolSize().call().await?,
            tb.claimedReserve(t.sender, t.recipient).call().await?,
            bm.isActiveTranscoder(t.recipient).call().await?,
        );
        let view = tb.claimableReserve(t.sender, t.recipient).call().await?;
        ensure!(
            mirrored == view,
            "claimableReserve {view}, mirrored {mirrored}"
        );
        covered.slices += 1;
    }
    Ok(())
}
