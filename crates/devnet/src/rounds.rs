//! The rounds after the set-up: each waits for the keeper's initialization, sends the
//! broadcaster's tickets and waits for the round's last block, reporting rewards as they land and
//! letting one delegator act once they have; at the end the redeemer gets time to cash the last
//! winners.

use std::{
    fmt::Write as _,
    io::Write as _,
    path::Path,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{B256, Bytes, U256},
    signers::local::PrivateKeySigner,
};
use anyhow::{Result, ensure};
use livepeer_bindings::IBondingManager;
use livepeer_protocol::{
    Round,
    ticket::{AuxData, SignedTicket, Ticket, generate_recipient_rand, recipient_rand_hash},
    units::format_fixed,
};

use crate::{
    Args,
    bots::{Bot, check_bots},
    checks::check,
    economy::{Delegator, Orchestrator, eth_milli},
    governance::Grant,
    net::Net,
    report::{print_table, read_row},
};

/// Drives rounds `setup_round + 1 ..= setup_round + args.rounds`, then prints the table and runs
/// the consistency check; `Ok(true)` when it passed.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn drive(
    net: &Net,
    args: &Args,
    orchs: &[Orchestrator],
    dels: &[Delegator],
    broadcaster: &PrivateKeySigner,
    inbox: &Path,
    bots: &mut [Bot],
    grant: &mut Grant,
    setup_round: Round,
    b0: u64,
    supply0: U256,
) -> Result<bool> {
    let first = setup_round.next();
    let last = setup_round.saturating_add(args.rounds);
    let block_secs = args.block_time;
    // Generous: a round takes round_length blocks; allow three rounds for anything to happen.
    let round_timeout = Duration::from_secs(3 * net.round_length * block_secs + 30);
    let win_prob = U256::MAX / U256::from(3);
    let face_value = eth_milli(10);
    let mut nonce = 0u64;
    let mut winners: Vec<B256> = Vec::new();
    let mut rows = Vec::new();
    let mut last_unbond: Option<(usize, U256)> = None;
    let mut delegate_of: Vec<usize> = dels.iter().map(|d| d.first_delegate).collect();

    for r in (first.get()..=last.get()).map(Round::new) {
        // Wait for the keeper to initialize round r.
        let deadline = Instant::now() + round_timeout;
        while net.last_initialized().await? < r {
            check_bots(bots)?;
            ensure!(
                Instant::now() < deadline,
                "round {r} not initialized in time"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let start = net
            .p
            .rounds_manager
            .currentRoundStartBlock()
            .call()
            .await?
            .to::<u64>();
        println!(
            "round {r}: initialized (round starts at block {start}, now {})",
            net.block().await?
        );

        // Tickets: the broadcaster pays every orchestrator.
        let block_hash = net
            .p
            .rounds_manager
            .blockHashForRound(r.to_u256())
            .call()
            .await?;
        let aux = AuxData {
            creation_round: r.to_u256(),
            creation_round_block_hash: block_hash,
        }
        .encode();
        let first_winner = winners.len();
        let lines = pay_orchestrators(
            orchs,
            broadcaster,
            &aux,
            args.tickets_per_round,
            win_prob,
            face_value,
            &mut nonce,
            &mut winners,
        )?;
        let won = (winners.len() - first_winner) as u64;
        append(inbox, &lines)?;
        println!(
            "round {r}: broadcaster sent {} tickets, {won} winning (to the redeemer's inbox)",
            args.tickets_per_round * orchs.len() as u64
        );

        // Wait for the round's last block, reporting rewards as they land. One delegator acts
        // once every orchestrator has been rewarded and the round's winning tickets redeemed:
        // acting earlier settles its earnings before them, and a pool's earnings that arrive
        // after a delegator's claim in the same round are credited to nobody (LIP-36;
        // docs/delegators.md). So the consistency check can require exact accounts.
        let end = start + net.round_length - 1;
        let deadline = Instant::now() + round_timeout;
        let mut seen = 0usize;
        let mut action = None;
        let mut governed = false;
        loop {
            let head = net.block().await?;
            let rewards = net
                .logs::<IBondingManager::Reward>(
                    net.p.addresses.bonding_manager,
                    start,
                    head.min(end),
                )
                .await?;
            if rewards.len() > seen {
                seen = rewards.len();
                println!(
                    "round {r}: block {head}: {seen}/{} orchestrators rewarded",
                    orchs.len()
                );
            }
            let settled = seen >= orchs.len() && all_used(net, &winners[first_winner..]).await?;
            if action.is_none() && (settled || head + 2 >= end) {
                let done = delegator_acts(
                    net,
                    orchs,
                    dels,
                    r.since(first) as usize,
                    &mut last_unbond,
                    &mut delegate_of,
                )
                .await?;
                println!("round {r}: {done}");
                action = Some(done);
                continue;
            }
            // The treasury grant's next step, at the same point (every reward in, so the
            // orchestrators' keys are free and the Treasury's balance stays put this round).
            if settled && !governed {
                governed = true;
                if let Some(done) = grant.step(net, orchs, dels).await? {
                    println!("round {r}: governance: {done}");
                }
                continue;
            }
            if head >= end {
                break;
            }
            check_bots(bots)?;
            ensure!(Instant::now() < deadline, "round {r} did not end in time");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let mut row = read_row(net, orchs, r, start, end).await?;
        row.won = won;
        row.action = action.unwrap_or_default();
        println!(
            "round {r}: done: minted {} LPT, {} redeemed, fees {} ETH",
            format_fixed(row.minted, 2),
            row.redeemed,
            format_fixed(row.fees, 3)
        );
        rows.push(row);
    }

    // Let the redeemer cash the last round's winners (valid for ticketValidityPeriod rounds).
    let deadline = Instant::now() + round_timeout;
    let mut pending = winners.len();
    while Instant::now() < deadline {
        pending = 0;
        for h in &winners {
            if !net.p.ticket_broker.usedTickets(*h).call().await? {
                pending += 1;
            }
        }
        if pending == 0 {
            break;
        }
        check_bots(bots)?;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let b_final = net.block().await?;

    print_table(&rows, orchs.len());
    check(
        net,
        orchs,
        dels,
        broadcaster.address(),
        &rows,
        &winners,
        pending,
        b0,
        b_final,
        supply0,
    )
    .await
}

/// The round's delegator action, in turn: the `i`-th round after the set-up unbonds a fifth of a
/// delegator's bond, rebonds the previous unbonding lock, or moves a delegator to the next
/// orchestrator. Returns the table's description of it.
async fn delegator_acts(
    net: &Net,
    orchs: &[Orchestrator],
    dels: &[Delegator],
    i: usize,
    last_unbond: &mut Option<(usize, U256)>,
    delegate_of: &mut [usize],
) -> Result<String> {
    Ok(match i % 3 {
        0 => {
            let j = (i / 3) % dels.len();
            let a = dels[j].signer.address();
            let d = net.p.bonding_manager.getDelegator(a).call().await?;
            let amount = d.bondedAmount / U256::from(5);
            net.send(
                "unbond",
                net.p
                    .bonding_manager
                    .unbond(amount)
                    .from(a)
                    .into_transaction_request(),
            )
            .await?;
            *last_unbond = Some((j, d.nextUnbondingLockId));
            format!("D{j} unbonds {} LPT", format_fixed(amount, 0))
        }
        1 => match last_unbond.take() {
            Some((j, lock)) => {
                let a = dels[j].signer.address();
                net.send(
                    "rebond",
                    net.p
                        .bonding_manager
                        .rebond(lock)
                        .from(a)
                        .into_transaction_request(),
                )
                .await?;
                format!("D{j} rebonds lock {lock}")
            }
            None => "none".into(),
        },
        _ if orchs.len() < 2 => "none (one orchestrator: nowhere to move)".into(),
        _ => {
            let j = (i / 3 + 1) % dels.len();
            let a = dels[j].signer.address();
            let to = (delegate_of[j] + 1) % orchs.len();
            net.send(
                "redelegate",
                net.p
                    .bonding_manager
                    .bond(U256::ZERO, orchs[to].signer.address())
                    .from(a)
                    .into_transaction_request(),
            )
            .await?;
            let from = delegate_of[j];
            delegate_of[j] = to;
            format!("D{j} moves its stake O{from} -> O{to}")
        }
    })
}

/// Whether every ticket of `hashes` was redeemed.
async fn all_used(net: &Net, hashes: &[B256]) -> Result<bool> {
    for h in hashes {
        if !net.p.ticket_broker.usedTickets(*h).call().await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The broadcaster's tickets of one round (`aux`: its auxData): `per_orchestrator` to each
/// orchestrator, each with a fresh secret per orchestrator and round. The winners' hashes go to
/// `winners`; returns them as inbox lines (one SignedTicket of JSON each).
#[allow(clippy::too_many_arguments)]
pub(crate) fn pay_orchestrators(
    orchs: &[Orchestrator],
    broadcaster: &PrivateKeySigner,
    aux: &Bytes,
    per_orchestrator: u64,
    win_prob: U256,
    face_value: U256,
    nonce: &mut u64,
    winners: &mut Vec<B256>,
) -> Result<String> {
    let mut lines = String::new();
    for o in orchs {
        // The orchestrator's secret for this round, its hash handed to the broadcaster.
        let rand = generate_recipient_rand()?;
        let rand_hash = recipient_rand_hash(rand);
        for _ in 0..per_orchestrator {
            *nonce += 1;
            let ticket = Ticket {
                recipient: o.signer.address(),
                sender: broadcaster.address(),
                face_value,
                win_prob,
                sender_nonce: U256::from(*nonce),
                recipient_rand_hash: rand_hash,
                aux_data: aux.clone(),
            };
            let signature = ticket.sign_sync(broadcaster)?;
            let signed = SignedTicket {
                ticket,
                signature,
                recipient_rand: rand,
            };
            if signed.is_winning() {
                winners.push(signed.ticket.hash());
                writeln!(lines, "{}", serde_json::to_string(&signed)?)?;
            }
        }
    }
    Ok(lines)
}

/// Appends `lines` to the redeemer's inbox.
pub(crate) fn append(inbox: &Path, lines: &str) -> Result<()> {
    std::fs::OpenOptions::new()
        .append(true)
        .open(inbox)?
        .write_all(lines.as_bytes())?;
    Ok(())
}
