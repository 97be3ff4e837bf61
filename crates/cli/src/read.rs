//! The read commands.

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use livepeer_chain::pool::read_pool;
use livepeer_protocol::{
    rewards::bonding_rate,
    ticket::SenderFunds,
    units::{eth, lpt, percent_1e6, percent_1e9},
};
use serde_json::json;

use crate::{
    Ctx, Output,
    output::{kv, table},
    round_of,
};

fn s(v: U256) -> String {
    v.to_string()
}

/// `status`.
pub async fn status(ctx: &Ctx) -> anyhow::Result<Output> {
    let p = &ctx.protocol;
    let block = ctx.provider().get_block_number().await?;
    let chain_id = ctx.provider().get_chain_id().await?;
    let round = p.rounds_manager.currentRound().call().await?;
    let initialized = p.rounds_manager.currentRoundInitialized().call().await?;
    let locked = p.rounds_manager.currentRoundLocked().call().await?;
    let length = p.rounds_manager.roundLength().call().await?;
    let start = p.rounds_manager.currentRoundStartBlock().call().await?;
    let paused = p.controller.paused().call().await?;
    let inflation = p.minter.inflation().call().await?;
    let target = p.minter.targetBondingRate().call().await?;
    let mintable = p.minter.currentMintableTokens().call().await?;
    let minted = p.minter.currentMintedTokens().call().await?;
    let active = p
        .bonding_manager
        .currentRoundTotalActiveStake()
        .call()
        .await?;
    let next_active = p.bonding_manager.nextRoundTotalActiveStake().call().await?;
    let total_bonded = p.bonding_manager.getTotalBonded().call().await?;
    let supply = p.token.totalSupply().call().await?;
    let pool_size = p.bonding_manager.getTranscoderPoolSize().call().await?;
    let pool_max = p.bonding_manager.getTranscoderPoolMaxSize().call().await?;
    let next_round_block = start + length;
    let blocks_left = next_round_block.saturating_sub(U256::from(block));
    let bonding_rate = bonding_rate(active, supply);
    let json = json!({
        "chainId": chain_id,
        "block": block,
        "controller": p.addresses.controller,
        "paused": paused,
        "round": s(round),
        "initialized": initialized,
        "locked": locked,
        "roundLength": s(length),
        "roundStartBlock": s(start),
        "nextRoundBlock": s(next_round_block),
        "blocksToNextRound": s(blocks_left),
        "inflation": s(inflation),
        "targetBondingRate": s(target),
        "bondingRate": s(bonding_rate),
        "mintable": s(mintable),
        "minted": s(minted),
        "totalActiveStake": s(active),
        "nextRoundTotalActiveStake": s(next_active),
        "totalBonded": s(total_bonded),
        "totalSupply": s(supply),
        "poolSize": s(pool_size),
        "poolMaxSize": s(pool_max),
    });
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let human = kv(&[
        ("chain", format!("{chain_id} (block {block})")),
        ("controller", p.addresses.controller.to_string()),
        ("paused", yes_no(paused)),
        ("round", round.to_string()),
        ("initialized", yes_no(initialized)),
        ("locked", yes_no(locked)),
        (
            "next round",
            format!("in {blocks_left} blocks (block {next_round_block}, round length {length})"),
        ),
        ("inflation", format!("{} per round", percent_1e9(inflation))),
        (
            "mintable",
            format!("{} ({} minted)", lpt(mintable), lpt(minted)),
        ),
        ("total active stake", lpt(active)),
        ("next round stake", lpt(next_active)),
        ("total bonded", lpt(total_bonded)),
        ("total supply", lpt(supply)),
        (
            "bonding rate",
            format!(
                "{} (target {})",
                percent_1e9(bonding_rate),
                percent_1e9(target)
            ),
        ),
        ("pool", format!("{pool_size} of {pool_max}")),
    ]);
    Ok(Output { json, human })
}

/// `pool`.
pub async fn pool(ctx: &Ctx) -> anyhow::Result<Output> {
    let bm = &ctx.protocol.bonding_manager;
    let snapshot = read_pool(bm).await?;
    let mut rows = Vec::new();
    let mut items = Vec::new();
    // One request per member and field, all in flight together (the live pool has 100 members).
    let details =
        futures::future::try_join_all(snapshot.entries().iter().map(|(id, _)| async move {
            let t = bm.getTranscoder(*id).call().await?;
            let active = bm.isActiveTranscoder(*id).call().await?;
            Ok::<_, alloy::contract::Error>((t, active))
        }))
        .await?;
    for (i, ((id, stake), (t, active))) in snapshot.entries().iter().zip(details).enumerate() {
        items.push(json!({
            "rank": i + 1,
            "address": id,
            "stake": s(*stake),
            "rewardCut": s(t.rewardCut),
            "feeShare": s(t.feeShare),
            "lastRewardRound": s(t.lastRewardRound),
            "activationRound": s(t.activationRound),
            "active": active,
        }));
        rows.push(vec![
            (i + 1).to_string(),
            id.to_string(),
            lpt(*stake),
            percent_1e6(t.rewardCut),
            percent_1e6(t.feeShare),
            t.lastRewardRound.to_string(),
            if active {
                "yes".into()
            } else {
                format!("from round {}", t.activationRound)
            },
        ]);
    }
    let json = json!({ "maxSize": snapshot.max_size(), "transcoders": items });
    let human = if rows.is_empty() {
        format!("the pool is empty (room for {})\n", snapshot.max_size())
    } else {
        table(
            &[
                "#",
                "address",
                "stake",
                "reward cut",
                "fee share",
                "last reward",
                "active",
            ],
            &rows,
        )
    };
    Ok(Output { json, human })
}

fn delegator_status(code: u8) -> &'static str {
    match code {
        0 => "pending",
        1 => "bonded",
        2 => "unbonded",
        _ => "unknown",
    }
}

/// `delegator <addr>`.
pub async fn delegator(ctx: &Ctx, addr: Address) -> anyhow::Result<Output> {
    let p = &ctx.protocol;
    let bm = &p.bonding_manager;
    let round = p.rounds_manager.currentRound().call().await?;
    let d = bm.getDelegator(addr).call().await?;
    let status = bm.delegatorStatus(addr).call().await?;
    let pending_stake = bm.pendingStake(addr, round).call().await?;
    let pending_fees = bm.pendingFees(addr, round).call().await?;
    let balance = p.token.balanceOf(addr).call().await?;
    let eth_balance = ctx.provider().get_balance(addr).await?;
    let mut locks = Vec::new();
    let mut rows = Vec::new();
    let mut id = U256::ZERO;
    while id < d.nextUnbondingLockId {
        let lock = bm.getDelegatorUnbondingLock(addr, id).call().await?;
        if !lock.withdrawRound.is_zero() {
            let withdrawable = lock.withdrawRound <= round;
            locks.push(json!({
                "id": s(id),
                "amount": s(lock.amount),
                "withdrawRound": s(lock.withdrawRound),
                "withdrawable": withdrawable,
            }));
            rows.push(vec![
                id.to_string(),
                lpt(lock.amount),
                lock.withdrawRound.to_string(),
                if withdrawable {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]);
        }
        id += U256::from(1);
    }
    let json = json!({
        "address": addr,
        "status": delegator_status(status),
        "round": s(round),
        "bonded": s(d.bondedAmount),
        "pendingStake": s(pending_stake),
        "pendingFees": s(pending_fees),
        "delegate": d.delegateAddress,
        "startRound": s(d.startRound),
        "lastClaimRound": s(d.lastClaimRound),
        "lptBalance": s(balance),
        "ethBalance": s(eth_balance),
        "unbondingLocks": locks,
    });
    let mut human = kv(&[
        ("address", addr.to_string()),
        ("status", delegator_status(status).to_owned()),
        ("bonded", lpt(d.bondedAmount)),
        ("pending stake", lpt(pending_stake)),
        ("pending fees", eth(pending_fees)),
        ("delegate", d.delegateAddress.to_string()),
        ("start round", d.startRound.to_string()),
        ("last claim round", d.lastClaimRound.to_string()),
        ("LPT balance", lpt(balance)),
        ("ETH balance", eth(eth_balance)),
    ]);
    if rows.is_empty() {
        human.push_str("no unbonding locks\n");
    } else {
        human.push_str(&format!("\nunbonding locks (current round {round}):\n"));
        human.push_str(&table(
            &["lock", "amount", "withdraw round", "withdrawable"],
            &rows,
        ));
    }
    Ok(Output { json, human })
}

/// `orchestrator <addr>`.
pub async fn orchestrator(ctx: &Ctx, addr: Address) -> anyhow::Result<Output> {
    let p = &ctx.protocol;
    let bm = &p.bonding_manager;
    let t = bm.getTranscoder(addr).call().await?;
    let registered = bm.isRegisteredTranscoder(addr).call().await?;
    let active = bm.isActiveTranscoder(addr).call().await?;
    let stake = bm.transcoderTotalStake(addr).call().await?;
    let d = bm.getDelegator(addr).call().await?;
    // A deployment without LIP-118 has no `transcoderToRewardCaller` (it reverts): say so.
    let caller = if p.reward_caller_support().await?.is_supported() {
        Some(bm.transcoderToRewardCaller(addr).call().await?)
    } else {
        None
    };
    let uri = p.service_registry.getServiceURI(addr).call().await?;
    let json = json!({
        "address": addr,
        "registered": registered,
        "active": active,
        "totalStake": s(stake),
        "selfBond": s(if d.delegateAddress == addr { d.bondedAmount } else { U256::ZERO }),
        "rewardCut": s(t.rewardCut),
        "feeShare": s(t.feeShare),
        "lastRewardRound": s(t.lastRewardRound),
        "activationRound": s(t.activationRound),
        "deactivationRound": s(t.deactivationRound),
        "rewardCaller": caller,
        "rewardCallerSupported": caller.is_some(),
        "serviceUri": uri,
    });
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let human = kv(&[
        ("address", addr.to_string()),
        ("registered", yes_no(registered)),
        ("active", yes_no(active)),
        ("total stake", lpt(stake)),
        ("reward cut", percent_1e6(t.rewardCut)),
        ("fee share", percent_1e6(t.feeShare)),
        ("last reward round", t.lastRewardRound.to_string()),
        ("activation round", t.activationRound.to_string()),
        (
            "deactivation round",
            if t.deactivationRound >= U256::from(u64::MAX) {
                "never".into()
            } else {
                t.deactivationRound.to_string()
            },
        ),
        (
            "reward caller",
            match caller {
                None => "not supported by this deployment".into(),
                Some(Address::ZERO) => "none".into(),
                Some(caller) => caller.to_string(),
            },
        ),
        (
            "service URI",
            if uri.is_empty() { "none".into() } else { uri },
        ),
    ]);
    Ok(Output { json, human })
}

/// `sender <addr> [--recipient <o>]`.
pub async fn sender(
    ctx: &Ctx,
    addr: Address,
    recipient: Option<Address>,
) -> anyhow::Result<Output> {
    let p = &ctx.protocol;
    let tb = &p.ticket_broker;
    let round = round_of(
        p.rounds_manager.currentRound().call().await?,
        "RoundsManager.currentRound()",
    )?;
    let info = tb.getSenderInfo(addr).call().await?;
    let eth_balance = ctx.provider().get_balance(addr).await?;
    let withdraw_round = info.sender_.withdrawRound;
    let state = if withdraw_round.is_zero() {
        "locked".to_owned()
    } else if withdraw_round > round {
        "unlocking".to_owned()
    } else {
        "unlocked".to_owned()
    };
    let mut json = json!({
        "address": addr,
        "round": round.to_string(),
        "deposit": s(info.sender_.deposit),
        "reserve": s(info.reserve.fundsRemaining),
        "reserveClaimedThisRound": s(info.reserve.claimedInCurrentRound),
        "state": state,
        "withdrawRound": s(withdraw_round),
        "ethBalance": s(eth_balance),
    });
    let state_text = match state.as_str() {
        "locked" => "locked (no unlock started)".to_owned(),
        "unlocking" => {
            format!("unlocking: withdrawable from round {withdraw_round} (current {round})")
        }
        _ => format!("unlocked since round {withdraw_round}: withdrawable now"),
    };
    let mut rows = vec![
        ("address", addr.to_string()),
        ("deposit", eth(info.sender_.deposit)),
        ("reserve", eth(info.reserve.fundsRemaining)),
        (
            "claimed this round",
            eth(info.reserve.claimedInCurrentRound),
        ),
    ];
    if let Some(recipient) = recipient {
        let claimable_reserve = tb.claimableReserve(addr, recipient).call().await?;
        let payable = SenderFunds {
            deposit: info.sender_.deposit,
            reserve: info.reserve.fundsRemaining,
            withdraw_round,
            claimable_reserve,
        }
        .payable_now(round);
        json["recipient"] = json!(recipient);
        json["claimableReserve"] = json!(s(claimable_reserve));
        json["payableNow"] = json!(s(payable));
        rows.push(("recipient", recipient.to_string()));
        rows.push(("claimable reserve", eth(claimable_reserve)));
        rows.push((
            "payable now",
            format!(
                "{} (the most one ticket to the recipient is paid now; a higher face value is deferred)",
                eth(payable)
            ),
        ));
    }
    rows.push(("state", state_text));
    rows.push(("ETH balance", eth(eth_balance)));
    let human = kv(&rows);
    Ok(Output { json, human })
}
