//! The consistency check at the end of a run: every round initialized, every active
//! orchestrator rewarded every round, LPT and ETH conservation, every winning ticket redeemed.

use alloy::{
    eips::BlockId,
    primitives::{Address, B256, U256},
    providers::Provider,
};
use anyhow::Result;
use livepeer_bindings::{IBondingManager, ITicketBroker};
use livepeer_protocol::units::format_fixed;

use crate::{
    economy::{Delegator, Orchestrator},
    net::Net,
    report::RoundRow,
};

/// Runs every check at block `b_final` (the run started after block `b0`, with LPT supply
/// `supply0`), prints one line each; `Ok(true)` when all passed.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn check(
    net: &Net,
    orchs: &[Orchestrator],
    dels: &[Delegator],
    broadcaster: Address,
    rows: &[RoundRow],
    winners: &[B256],
    unredeemed: usize,
    b0: u64,
    b_final: u64,
    supply0: U256,
) -> Result<bool> {
    let p = &net.p;
    let at = BlockId::number(b_final);
    let round = p.rounds_manager.currentRound().block(at).call().await?;
    let mut results: Vec<(bool, String)> = Vec::new();

    // Every round initialized.
    let missing: Vec<u64> = rows
        .iter()
        .filter(|r| !r.initialized)
        .map(|r| r.round.get())
        .collect();
    results.push((
        missing.is_empty(),
        format!(
            "every round initialized ({} rounds; missing {missing:?})",
            rows.len()
        ),
    ));

    // Every active orchestrator rewarded every round.
    let mut unrewarded = Vec::new();
    for r in rows {
        for (i, (active, reward)) in r.active.iter().zip(&r.rewards).enumerate() {
            if *active && reward.is_none() {
                unrewarded.push(format!("O{i}@{}", r.round));
            }
        }
    }
    let active_count: usize = rows
        .iter()
        .map(|r| r.active.iter().filter(|a| **a).count())
        .sum();
    results.push((
        unrewarded.is_empty() && active_count > 0,
        format!(
            "every active orchestrator rewarded every round ({active_count} orchestrator-rounds; missing {unrewarded:?})"
        ),
    ));

    // Per round: the Minter's minted = rewards + treasury cut.
    let bad_rounds: Vec<u64> = rows
        .iter()
        .filter(|r| r.minted != r.rewards.iter().flatten().copied().sum::<U256>() + r.treasury)
        .map(|r| r.round.get())
        .collect();
    results.push((
        bad_rounds.is_empty(),
        format!("minted per round = Σ Reward + TreasuryReward (mismatch in {bad_rounds:?})"),
    ));

    // LPT: supply = supply before the run + everything minted since.
    let bma = p.addresses.bonding_manager;
    let minted: U256 = net
        .logs::<IBondingManager::Reward>(bma, b0 + 1, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .sum::<U256>()
        + net
            .logs::<IBondingManager::TreasuryReward>(bma, b0 + 1, b_final)
            .await?
            .iter()
            .map(|e| e.amount)
            .sum::<U256>();
    let supply = p.token.totalSupply().block(at).call().await?;
    results.push((
        supply == supply0 + minted,
        format!(
            "LPT: supply {} = supply before the run {} + Σ minted {}",
            format_fixed(supply, 6),
            format_fixed(supply0, 6),
            format_fixed(minted, 6)
        ),
    ));

    // LPT: the Minter holds every bonded and unbonding token.
    let mut owed = U256::ZERO;
    let stakers: Vec<Address> = orchs
        .iter()
        .map(|o| o.signer.address())
        .chain(dels.iter().map(|d| d.signer.address()))
        .collect();
    let bm = &p.bonding_manager;
    for a in &stakers {
        owed += bm.pendingStake(*a, round).block(at).call().await?;
        let d = bm.getDelegator(*a).block(at).call().await?;
        for lock in 0..d.nextUnbondingLockId.to::<u64>() {
            owed += bm
                .getDelegatorUnbondingLock(*a, U256::from(lock))
                .block(at)
                .call()
                .await?
                .amount;
        }
    }
    let minter_lpt = p
        .token
        .balanceOf(p.addresses.minter)
        .block(at)
        .call()
        .await?;
    // Earnings are computed with truncating fixed-point factors, so the Minter may keep a few
    // wei per account and round that nobody is owed; anything more was credited to nobody.
    let dust = U256::from(4 * stakers.len() as u64 * (rows.len() as u64 + 2));
    results.push((
        minter_lpt >= owed && minter_lpt - owed <= dust,
        format!(
            "LPT: Minter {} = bonded + unbonding {} up to rounding (uncredited {} wei, at most {dust})",
            format_fixed(minter_lpt, 6),
            format_fixed(owed, 6),
            minter_lpt.saturating_sub(owed)
        ),
    ));

    // ETH, as flows over the whole chain (events): what was funded, paid out on tickets,
    // withdrawn by the broadcaster and withdrawn as fees.
    let tba = p.addresses.ticket_broker;
    let sum = |v: Vec<U256>| v.into_iter().sum::<U256>();
    let funded = sum(net
        .logs::<ITicketBroker::DepositFunded>(tba, 0, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .collect())
        + sum(net
            .logs::<ITicketBroker::ReserveFunded>(tba, 0, b_final)
            .await?
            .iter()
            .map(|e| e.amount)
            .collect());
    let paid = sum(net
        .logs::<ITicketBroker::WinningTicketTransfer>(tba, 0, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .collect())
        + sum(net
            .logs::<ITicketBroker::ReserveClaimed>(tba, 0, b_final)
            .await?
            .iter()
            .map(|e| e.amount)
            .collect());
    let withdrawn = sum(net
        .logs::<ITicketBroker::Withdrawal>(tba, 0, b_final)
        .await?
        .iter()
        .map(|e| e.deposit + e.reserve)
        .collect());
    let fees_withdrawn = sum(net
        .logs::<IBondingManager::WithdrawFees>(bma, 0, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .collect());
    let info = p
        .ticket_broker
        .getSenderInfo(broadcaster)
        .block(at)
        .call()
        .await?;
    let held = info.sender_.deposit + info.reserve.fundsRemaining;
    let minter_eth = net
        .provider
        .get_balance(p.addresses.minter)
        .block_id(at)
        .await?;
    results.push((
        minter_eth + fees_withdrawn + withdrawn == funded,
        format!(
            "ETH: Minter {} = funded {} - withdrawn {} - fees withdrawn {}",
            format_fixed(minter_eth, 6),
            format_fixed(funded, 6),
            format_fixed(withdrawn, 6),
            format_fixed(fees_withdrawn, 6)
        ),
    ));
    results.push((
        held + paid + withdrawn == funded,
        format!(
            "ETH: deposit + reserve left {} = funded {} - paid on tickets {} - withdrawn {}",
            format_fixed(held, 6),
            format_fixed(funded, 6),
            format_fixed(paid, 6),
            format_fixed(withdrawn, 6)
        ),
    ));
    // Every account's unwithdrawn fees are backed, exactly up to rounding (as for LPT).
    let mut fees = U256::ZERO;
    for a in &stakers {
        fees += bm.pendingFees(*a, round).block(at).call().await?;
    }
    results.push((
        minter_eth >= held + fees && minter_eth - (held + fees) <= dust,
        format!(
            "ETH: Minter {} = deposit + reserve {} + unwithdrawn fees {} up to rounding (uncredited {} wei, at most {dust})",
            format_fixed(minter_eth, 6),
            format_fixed(held, 6),
            format_fixed(fees, 6),
            minter_eth.saturating_sub(held + fees)
        ),
    ));

    // Tickets: every winning ticket redeemed.
    results.push((
        unredeemed == 0,
        format!(
            "every winning ticket redeemed ({} won, {unredeemed} not redeemed)",
            winners.len()
        ),
    ));

    println!("consistency check (at block {b_final}, round {round}):");
    let mut ok = true;
    for (pass, what) in &results {
        ok &= pass;
        println!("  [{}] {what}", if *pass { "ok" } else { "FAIL" });
    }
    println!(
        "consistency check: {}",
        if ok { "PASSED" } else { "FAILED" }
    );
    Ok(ok)
}
