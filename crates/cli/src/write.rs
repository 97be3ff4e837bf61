//! The write commands: pre-flight checks that say what to fix, a plan with the computed hints,
//! a confirmation summary (skipped by `--yes`), then each transaction simulated, sent and
//! confirmed through [`livepeer_chain::sender::TxSender`], and the receipts.

use std::{
    io::{BufRead as _, IsTerminal as _},
    time::Duration,
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use anyhow::{Context as _, anyhow, bail};
use livepeer_chain::{
    blocks::Head,
    pool::{read_bond_change, read_pool},
    sender::{FeePolicy, NoEvents, NonceMode, TxSender},
};
use livepeer_protocol::{
    Round,
    pool::{bond_hints, rebond_hint, transcoder_hint, unbond_hint},
    units::{Amount, Unit, eth, format_units, lpt, parse_percent, percent_1e6},
};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::{
    Ctx, Output,
    cli::{
        BondArgs, CommissionArgs, FundArgs, LockArg, RebondArgs, RewardCallerArgs, UnbondArgs,
        WithdrawFeesArgs,
    },
    explain::chain_error,
    output::kv,
    round_of,
};

/// One transaction of a plan.
#[derive(Debug, Clone)]
pub struct PlannedTx {
    /// The function called (`approve`, `bondWithHint`, ...).
    pub call: &'static str,
    /// The request (to, data, value).
    pub request: TransactionRequest,
}

/// What a write command will do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The command.
    pub action: &'static str,
    /// The sending account.
    pub from: Address,
    /// Summary lines: key, human value, JSON value.
    pub summary: Vec<(&'static str, String, Value)>,
    /// The transactions, sent in order.
    pub txs: Vec<PlannedTx>,
}

impl Plan {
    pub(crate) fn new(action: &'static str, from: Address) -> Self {
        Self {
            action,
            from,
            summary: Vec::new(),
            txs: Vec::new(),
        }
    }

    pub(crate) fn item(
        &mut self,
        key: &'static str,
        human: impl Into<String>,
        json: impl Into<Value>,
    ) {
        self.summary.push((key, human.into(), json.into()));
    }

    pub(crate) fn tx(&mut self, call: &'static str, request: TransactionRequest) {
        self.txs.push(PlannedTx { call, request });
    }

    fn details(&self) -> Value {
        let mut map = serde_json::Map::new();
        for (key, _, value) in &self.summary {
            map.insert(camel(key), value.clone());
        }
        Value::Object(map)
    }

    /// The confirmation summary.
    pub fn render(&self) -> String {
        let mut rows: Vec<(&str, String)> = vec![("from", self.from.to_string())];
        rows.extend(self.summary.iter().map(|(k, h, _)| (*k, h.clone())));
        let calls: Vec<&str> = self.txs.iter().map(|t| t.call).collect();
        rows.push(("transactions", calls.join(", then ")));
        format!("{}:\n{}", self.action, indent(&kv(&rows)))
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn camel(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == ' ' || c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn s(v: U256) -> String {
    v.to_string()
}

fn gwei(value: f64, flag: &str) -> anyhow::Result<u128> {
    if !value.is_finite() || value < 0.0 {
        bail!("{flag} must be a non-negative number of gwei");
    }
    Ok((value * 1e9).round() as u128)
}

/// Not paused and the round initialized: every BondingManager action needs both.
async fn running_round(ctx: &Ctx) -> anyhow::Result<Round> {
    not_paused(ctx).await?;
    let rm = &ctx.protocol.rounds_manager;
    let round = round_of(
        rm.currentRound().call().await?,
        "RoundsManager.currentRound()",
    )?;
    if !rm.currentRoundInitialized().call().await? {
        bail!(
            "round {round} is not initialized yet (anyone may call RoundsManager.initializeRound()); try again after it is"
        );
    }
    Ok(round)
}

async fn not_paused(ctx: &Ctx) -> anyhow::Result<()> {
    if ctx.protocol.controller.paused().call().await? {
        bail!("the protocol is paused: nothing can be sent until the owner unpauses it");
    }
    Ok(())
}

fn hint_text(prev: Address, next: Address) -> String {
    let name = |a: Address| {
        if a == Address::ZERO {
            "-".to_owned()
        } else {
            a.to_string()
        }
    };
    format!("prev {}, next {}", name(prev), name(next))
}

fn lpt_amount(amount: &Amount) -> anyhow::Result<U256> {
    amount.of(Unit::Lpt).map_err(|e| anyhow!(e))
}

fn eth_amount(amount: &Amount) -> anyhow::Result<U256> {
    amount.of(Unit::Eth).map_err(|e| anyhow!(e))
}

/// `bond`.
pub async fn bond(ctx: &Ctx, args: BondArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let amount = lpt_amount(&args.amount)?;
    let to = args.to;
    if to == Address::ZERO {
        bail!("--to is the zero address: give the orchestrator to delegate to");
    }
    let round = running_round(ctx).await?;
    let p = &ctx.protocol;
    let bm = &p.bonding_manager;
    let bonded = bm.pendingStake(me, round.to_u256()).call().await?;
    let old_delegate = bm.getDelegator(me).call().await?.delegateAddress;
    let moving = !bonded.is_zero() && old_delegate != to;
    if amount.is_zero() && !moving {
        bail!("the amount is 0 and there is no bond to move to {to}: give the LPT to bond");
    }
    let balance = p.token.balanceOf(me).call().await?;
    if balance < amount {
        bail!(
            "cannot bond {}: your LPT balance is only {}",
            lpt(amount),
            lpt(balance)
        );
    }
    if moving && bm.isRegisteredTranscoder(me).call().await? {
        bail!(
            "you are a registered orchestrator and can only bond to yourself (unbond everything first to delegate elsewhere)"
        );
    }
    let mut pool = read_pool(bm).await?;
    let change = read_bond_change(bm, me, to, amount, bonded, old_delegate).await?;
    let h = bond_hints(&mut pool, &change);

    let mut plan = Plan::new("bond", me);
    plan.item("amount", lpt(amount), s(amount));
    plan.item("to", to.to_string(), to.to_string());
    if moving {
        plan.item(
            "moves",
            format!("your bond of {} from {old_delegate}", lpt(bonded)),
            s(bonded),
        );
        plan.item(
            "old delegate hint",
            hint_text(h[0], h[1]),
            json!([h[0], h[1]]),
        );
    }
    plan.item(
        "new delegate hint",
        hint_text(h[2], h[3]),
        json!([h[2], h[3]]),
    );
    let allowance = p
        .token
        .allowance(me, p.addresses.bonding_manager)
        .call()
        .await?;
    if allowance < amount {
        plan.tx(
            "approve",
            p.token
                .approve(p.addresses.bonding_manager, amount)
                .into_transaction_request(),
        );
    }
    plan.tx(
        "bondWithHint",
        bm.bondWithHint(amount, to, h[0], h[1], h[2], h[3])
            .into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `unbond`. `all` unbonds the whole pending stake; if a reward lands between reading it and the
/// transaction (the orchestrator's own, or its delegate's), the account would keep a bond (an
/// orchestrator would stay registered with its commission), so the rest is unbonded in a second
/// transaction, without asking again.
pub async fn unbond(ctx: &Ctx, args: UnbondArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let all = args.amount.trim().eq_ignore_ascii_case("all");
    let typed = if all {
        None
    } else {
        let amount: Amount = args.amount.parse().map_err(|e: String| anyhow!(e))?;
        Some(lpt_amount(&amount)?)
    };
    let round = running_round(ctx).await?;
    let bm = &ctx.protocol.bonding_manager;
    let bonded = bm.pendingStake(me, round.to_u256()).call().await?;
    if bonded.is_zero() {
        bail!("{me} has nothing bonded");
    }
    let amount = typed.unwrap_or(bonded);
    if amount.is_zero() {
        bail!("the amount is 0: give the LPT to unbond, or `all`");
    }
    if amount > bonded {
        bail!("cannot unbond {}: only {} bonded", lpt(amount), lpt(bonded));
    }
    let plan = unbond_plan(ctx, me, round, amount, bonded).await?;
    if !all {
        return execute(ctx, signer, plan).await;
    }
    confirm(&plan, ctx.global.yes)?;
    let mut sent = send_plan(ctx, signer.clone(), &plan).await?;
    let mut rest_unbonded = U256::ZERO;
    // One reward per round can land in between; a second look covers a round boundary too.
    for _ in 0..2 {
        let round = running_round(ctx)
            .await
            .context("the unbond was mined but a bond is left")?;
        let rest = bm.pendingStake(me, round.to_u256()).call().await?;
        if rest.is_zero() {
            break;
        }
        eprintln!(
            "{} more were earned before the unbond was mined: unbonding them too",
            lpt(rest)
        );
        let rest_plan = unbond_plan(ctx, me, round, rest, rest).await?;
        let more = send_plan(ctx, signer.clone(), &rest_plan)
            .await
            .with_context(|| {
                format!(
                    "the unbond was mined but {} stay bonded: run `lpt unbond all` again",
                    lpt(rest)
                )
            })?;
        sent.extend(more);
        rest_unbonded += rest;
    }
    let mut out = receipts(&plan, sent);
    if !rest_unbonded.is_zero() {
        out.json["details"]["restUnbonded"] = s(rest_unbonded).into();
        out.human.push_str(&format!(
            "a reward landed before the unbond was mined: the remaining {} was unbonded in a second transaction\n",
            lpt(rest_unbonded)
        ));
    }
    Ok(out)
}

/// The plan of an `unbondWithHint(amount)` when `bonded` is the pending stake.
async fn unbond_plan(
    ctx: &Ctx,
    me: Address,
    round: Round,
    amount: U256,
    bonded: U256,
) -> anyhow::Result<Plan> {
    let bm = &ctx.protocol.bonding_manager;
    let d = bm.getDelegator(me).call().await?;
    if d.startRound > round {
        bail!(
            "your bond starts in round {} (current round {round}): unbond from then on",
            d.startRound
        );
    }
    let delegate = d.delegateAddress;
    let delegate_stake = bm.transcoderTotalStake(delegate).call().await?;
    let mut pool = read_pool(bm).await?;
    let h = unbond_hint(&mut pool, me, delegate, amount, bonded, delegate_stake);
    let withdraw_round = round.saturating_add(bm.unbondingPeriod().call().await?);

    let mut plan = Plan::new("unbond", me);
    plan.item("amount", lpt(amount), s(amount));
    plan.item("delegate", delegate.to_string(), delegate.to_string());
    plan.item(
        "lock",
        format!(
            "{} (withdrawable from round {withdraw_round})",
            d.nextUnbondingLockId
        ),
        s(d.nextUnbondingLockId),
    );
    plan.item(
        "withdraw round",
        withdraw_round.to_string(),
        withdraw_round.to_string(),
    );
    if delegate == me && amount == bonded {
        plan.item(
            "note",
            "you unbond your whole self-bond: you resign as an orchestrator",
            "resigns",
        );
    }
    plan.item("hint", hint_text(h.prev, h.next), json!([h.prev, h.next]));
    plan.tx(
        "unbondWithHint",
        bm.unbondWithHint(amount, h.prev, h.next)
            .into_transaction_request(),
    );
    Ok(plan)
}

async fn require_lock(ctx: &Ctx, me: Address, lock: u64) -> anyhow::Result<(U256, U256)> {
    let l = ctx
        .protocol
        .bonding_manager
        .getDelegatorUnbondingLock(me, U256::from(lock))
        .call()
        .await?;
    if l.withdrawRound.is_zero() {
        bail!(
            "{me} has no unbonding lock {lock} (never created, rebonded or withdrawn): see `lpt delegator`"
        );
    }
    Ok((l.amount, l.withdrawRound))
}

/// `rebond`.
pub async fn rebond(ctx: &Ctx, args: RebondArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let round = running_round(ctx).await?;
    let bm = &ctx.protocol.bonding_manager;
    let (amount, _) = require_lock(ctx, me, args.lock).await?;
    let d = bm.getDelegator(me).call().await?;
    let has_bond = !d.bondedAmount.is_zero();
    let delegate = match (has_bond, args.to) {
        (true, Some(to)) if to != d.delegateAddress => bail!(
            "you are bonded to {}: rebond returns the lock to your current delegate (omit --to)",
            d.delegateAddress
        ),
        (true, _) => d.delegateAddress,
        (false, Some(to)) if to == Address::ZERO => bail!("--to is the zero address"),
        (false, Some(to)) => to,
        (false, None) => bail!(
            "you have no bond: pass --to <orchestrator> to bond lock {} to",
            args.lock
        ),
    };
    let stake = bm.transcoderTotalStake(delegate).call().await?;
    let registered = bm.isRegisteredTranscoder(delegate).call().await?;
    let mut pool = read_pool(bm).await?;
    let h = rebond_hint(&mut pool, me, delegate, amount, stake, registered);
    let lock = U256::from(args.lock);

    let mut plan = Plan::new("rebond", me);
    plan.item("lock", args.lock.to_string(), args.lock);
    plan.item("amount", lpt(amount), s(amount));
    plan.item("delegate", delegate.to_string(), delegate.to_string());
    if !has_bond {
        plan.item(
            "bond starts",
            format!("round {}", round.next()),
            round.next().to_string(),
        );
    }
    plan.item("hint", hint_text(h.prev, h.next), json!([h.prev, h.next]));
    if has_bond {
        plan.tx(
            "rebondWithHint",
            bm.rebondWithHint(lock, h.prev, h.next)
                .into_transaction_request(),
        );
    } else {
        plan.tx(
            "rebondFromUnbondedWithHint",
            bm.rebondFromUnbondedWithHint(delegate, lock, h.prev, h.next)
                .into_transaction_request(),
        );
    }
    execute(ctx, signer, plan).await
}

/// `withdraw-stake`.
pub async fn withdraw_stake(ctx: &Ctx, args: LockArg) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let round = running_round(ctx).await?;
    let (amount, withdraw_round) = require_lock(ctx, me, args.lock).await?;
    // Checked here: the live contract's revert does not say from which round.
    if withdraw_round > round {
        bail!(
            "unbonding lock {} is withdrawable from round {withdraw_round} (current round {round})",
            args.lock
        );
    }
    let mut plan = Plan::new("withdraw-stake", me);
    plan.item("lock", args.lock.to_string(), args.lock);
    plan.item("amount", lpt(amount), s(amount));
    plan.item(
        "withdraw round",
        withdraw_round.to_string(),
        s(withdraw_round),
    );
    plan.tx(
        "withdrawStake",
        ctx.protocol
            .bonding_manager
            .withdrawStake(U256::from(args.lock))
            .into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `withdraw-fees`.
pub async fn withdraw_fees(ctx: &Ctx, args: WithdrawFeesArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let typed = args.amount.as_ref().map(eth_amount).transpose()?;
    let round = running_round(ctx).await?;
    let bm = &ctx.protocol.bonding_manager;
    let fees = bm.pendingFees(me, round.to_u256()).call().await?;
    if fees.is_zero() {
        bail!("{me} has no fees to withdraw");
    }
    let amount = typed.unwrap_or(fees);
    if amount.is_zero() {
        bail!("the amount is 0: give the ETH to withdraw, or omit it for all fees");
    }
    if amount > fees {
        bail!(
            "cannot withdraw {}: only {} in fees",
            eth(amount),
            eth(fees)
        );
    }
    let recipient = args.recipient.unwrap_or(me);
    if recipient == Address::ZERO {
        bail!("--recipient is the zero address");
    }
    let mut plan = Plan::new("withdraw-fees", me);
    plan.item("amount", eth(amount), s(amount));
    plan.item("recipient", recipient.to_string(), recipient.to_string());
    plan.tx(
        "withdrawFees",
        bm.withdrawFees(recipient, amount)
            .into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `claim`.
pub async fn claim(ctx: &Ctx) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let round = running_round(ctx).await?;
    let bm = &ctx.protocol.bonding_manager;
    let d = bm.getDelegator(me).call().await?;
    if d.bondedAmount.is_zero() {
        bail!("{me} has nothing bonded, so nothing to claim");
    }
    let stake = bm.pendingStake(me, round.to_u256()).call().await?;
    let fees = bm.pendingFees(me, round.to_u256()).call().await?;
    let mut plan = Plan::new("claim", me);
    plan.item(
        "rewards",
        lpt(stake.saturating_sub(d.bondedAmount)),
        s(stake.saturating_sub(d.bondedAmount)),
    );
    plan.item(
        "fees",
        eth(fees.saturating_sub(d.fees)),
        s(fees.saturating_sub(d.fees)),
    );
    plan.item("through round", round.to_string(), round.to_string());
    plan.tx(
        "claimEarnings",
        bm.claimEarnings(round.to_u256()).into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `set-commission`.
pub async fn set_commission(ctx: &Ctx, args: CommissionArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let reward_cut = parse_percent(&args.reward_cut).map_err(|e| anyhow!("--reward-cut: {e}"))?;
    let fee_share = parse_percent(&args.fee_share).map_err(|e| anyhow!("--fee-share: {e}"))?;
    let round = running_round(ctx).await?;
    let p = &ctx.protocol;
    let bm = &p.bonding_manager;
    if p.rounds_manager.currentRoundLocked().call().await? {
        bail!(
            "round {round} is locked (its last blocks): commission changes wait for the next round"
        );
    }
    if !bm.isRegisteredTranscoder(me).call().await? {
        bail!(
            "{me} is not a registered orchestrator: self-bond first (`lpt bond <amount> --to {me}`)"
        );
    }
    let stake = bm.transcoderTotalStake(me).call().await?;
    let mut pool = read_pool(bm).await?;
    let joins = pool.position(me).is_none();
    let h = transcoder_hint(&mut pool, me, stake);
    let mut plan = Plan::new("set-commission", me);
    plan.item("reward cut", percent_1e6(reward_cut), s(reward_cut));
    plan.item("fee share", percent_1e6(fee_share), s(fee_share));
    if joins {
        let text = if pool.position(me).is_some() {
            format!(
                "joins the pool from round {} ({})",
                round.next(),
                hint_text(h.prev, h.next)
            )
        } else {
            "the pool is full and your stake does not beat its last member: not active".to_owned()
        };
        plan.item("pool", text, json!([h.prev, h.next]));
    }
    plan.tx(
        "transcoderWithHint",
        bm.transcoderWithHint(reward_cut, fee_share, h.prev, h.next)
            .into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `set-reward-caller`.
pub async fn set_reward_caller(ctx: &Ctx, args: RewardCallerArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let caller = if args.caller.trim().eq_ignore_ascii_case("none") {
        Address::ZERO
    } else {
        args.caller
            .trim()
            .parse::<Address>()
            .map_err(|_| anyhow!("`{}` is not an address (or `none` to revoke)", args.caller))?
    };
    not_paused(ctx).await?;
    if !ctx.protocol.reward_caller_support().await?.is_supported() {
        bail!(
            "this deployment's BondingManager has no reward callers (LIP-118): nothing to set; call reward with the orchestrator's own key (run the reward agent with it)"
        );
    }
    let bm = &ctx.protocol.bonding_manager;
    let current = bm.transcoderToRewardCaller(me).call().await?;
    if current == caller {
        bail!(
            "the reward caller is already {}",
            if caller == Address::ZERO {
                "unset".to_owned()
            } else {
                caller.to_string()
            }
        );
    }
    let mut plan = Plan::new("set-reward-caller", me);
    let name = |a: Address| {
        if a == Address::ZERO {
            "none".to_owned()
        } else {
            a.to_string()
        }
    };
    plan.item("reward caller", name(caller), caller.to_string());
    plan.item("replaces", name(current), current.to_string());
    plan.tx(
        "setRewardCaller",
        bm.setRewardCaller(caller).into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `fund`.
pub async fn fund(ctx: &Ctx, args: FundArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let deposit = eth_amount(&args.deposit)?;
    let reserve = eth_amount(&args.reserve)?;
    let total = deposit + reserve;
    if total.is_zero() {
        bail!("nothing to fund: pass --deposit <eth> and/or --reserve <eth>");
    }
    not_paused(ctx).await?;
    let balance = ctx.provider().get_balance(me).await?;
    if balance <= total {
        bail!(
            "cannot fund {}: your ETH balance is only {} (gas too)",
            eth(total),
            eth(balance)
        );
    }
    let mut plan = Plan::new("fund", me);
    plan.item("deposit", eth(deposit), s(deposit));
    plan.item("reserve", eth(reserve), s(reserve));
    // The TicketBroker cancels a sender's unlock when the sender funds itself: say so first.
    if ctx
        .protocol
        .ticket_broker
        .isUnlockInProgress(me)
        .call()
        .await?
    {
        plan.item(
            "cancels unlock",
            "yes: funding your own account cancels your unlock in progress",
            true,
        );
    }
    plan.tx(
        "fundDepositAndReserve",
        ctx.protocol
            .ticket_broker
            .fundDepositAndReserve(deposit, reserve)
            .value(total)
            .into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `unlock`.
pub async fn unlock(ctx: &Ctx) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    not_paused(ctx).await?;
    let p = &ctx.protocol;
    let info = p.ticket_broker.getSenderInfo(me).call().await?;
    if info.sender_.deposit.is_zero() && info.reserve.fundsRemaining.is_zero() {
        bail!("{me} has no deposit or reserve to unlock");
    }
    if !info.sender_.withdrawRound.is_zero() {
        bail!(
            "an unlock is already in progress: withdrawable from round {}",
            info.sender_.withdrawRound
        );
    }
    let round = p.rounds_manager.currentRound().call().await?;
    let period = p.ticket_broker.unlockPeriod().call().await?;
    let mut plan = Plan::new("unlock", me);
    plan.item(
        "deposit",
        eth(info.sender_.deposit),
        s(info.sender_.deposit),
    );
    plan.item(
        "reserve",
        eth(info.reserve.fundsRemaining),
        s(info.reserve.fundsRemaining),
    );
    plan.item(
        "withdraw round",
        (round + period).to_string(),
        s(round + period),
    );
    plan.tx(
        "unlock",
        p.ticket_broker.unlock().into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

/// `withdraw`.
pub async fn withdraw(ctx: &Ctx) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    not_paused(ctx).await?;
    let p = &ctx.protocol;
    let info = p.ticket_broker.getSenderInfo(me).call().await?;
    let total = info.sender_.deposit + info.reserve.fundsRemaining;
    if total.is_zero() {
        bail!("{me} has no deposit or reserve to withdraw");
    }
    if info.sender_.withdrawRound.is_zero() {
        bail!("{me} has not started an unlock: run `lpt unlock` first");
    }
    // Checked here: the live contract's revert ("account is locked") does not say until when.
    let round = p.rounds_manager.currentRound().call().await?;
    if info.sender_.withdrawRound > round {
        bail!(
            "the unlock finishes in round {} (current round {round})",
            info.sender_.withdrawRound
        );
    }
    let mut plan = Plan::new("withdraw", me);
    plan.item(
        "deposit",
        eth(info.sender_.deposit),
        s(info.sender_.deposit),
    );
    plan.item(
        "reserve",
        eth(info.reserve.fundsRemaining),
        s(info.reserve.fundsRemaining),
    );
    plan.tx(
        "withdraw",
        p.ticket_broker.withdraw().into_transaction_request(),
    );
    execute(ctx, signer, plan).await
}

fn confirm(plan: &Plan, yes: bool) -> anyhow::Result<()> {
    eprint!("{}", plan.render());
    if yes {
        return Ok(());
    }
    let n = plan.txs.len();
    eprint!(
        "send {n} transaction{}? [y/N] ",
        if n == 1 { "" } else { "s" }
    );
    let mut answer = String::new();
    let stdin = std::io::stdin();
    stdin.lock().read_line(&mut answer)?;
    if !stdin.is_terminal() {
        eprintln!(); // the piped answer is not echoed: end the prompt line
    }
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        bail!("not sent: not confirmed (answer y, or pass --yes)")
    }
}

/// Confirms, then sends the plan's transactions one after the other.
pub(crate) async fn execute(
    ctx: &Ctx,
    signer: alloy::signers::local::PrivateKeySigner,
    plan: Plan,
) -> anyhow::Result<Output> {
    confirm(&plan, ctx.global.yes)?;
    let sent = send_plan(ctx, signer, &plan).await?;
    Ok(receipts(&plan, sent))
}

/// Sends the plan's transactions one after the other (no confirmation); their receipts as JSON.
async fn send_plan(
    ctx: &Ctx,
    signer: alloy::signers::local::PrivateKeySigner,
    plan: &Plan,
) -> anyhow::Result<Vec<Value>> {
    let policy = FeePolicy {
        max_fee_per_gas: gwei(ctx.global.max_fee_gwei, "--max-fee-gwei")?,
        priority_fee_per_gas: gwei(ctx.global.priority_fee_gwei, "--priority-fee-gwei")?,
        ..FeePolicy::default()
    };
    let provider = ctx.provider().clone();
    let sender = TxSender::new(provider.clone(), signer, policy)
        .await
        .map_err(chain_error)?;
    let first = latest_head(&provider)
        .await?
        .context("the node returned no latest block")?;
    let (head_tx, head_rx) = watch::channel(first);
    let cancel = CancellationToken::new();
    let poller = tokio::spawn({
        let cancel = cancel.clone();
        let provider = provider.clone();
        async move {
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                }
                if let Ok(Some(head)) = latest_head(&provider).await {
                    head_tx.send_if_modified(|v| {
                        let changed = v.number != head.number;
                        *v = head;
                        changed
                    });
                }
            }
        }
    });
    let result = send_all(&provider, &sender, plan, head_rx, &cancel).await;
    cancel.cancel();
    let _ = poller.await;
    result
}

/// The command's output: one line per mined transaction; the plan and receipts as JSON.
fn receipts(plan: &Plan, sent: Vec<Value>) -> Output {
    let mut human = String::new();
    for t in &sent {
        human.push_str(&format!(
            "{}: {} in block {} (gas {}, fee {})\n",
            t["call"].as_str().unwrap_or_default(),
            t["hash"].as_str().unwrap_or_default(),
            t["block"],
            format_units(U256::from(t["gasUsed"].as_u64().unwrap_or_default()), 0),
            eth(t["fee"]
                .as_str()
                .and_then(|f| f.parse().ok())
                .unwrap_or_default()),
        ));
    }
    let json = json!({
        "action": plan.action,
        "from": plan.from,
        "details": plan.details(),
        "transactions": sent,
    });
    Output { json, human }
}

/// The latest block's number and base fee.
async fn latest_head(provider: &alloy::providers::DynProvider) -> anyhow::Result<Option<Head>> {
    Ok(provider
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await?
        .map(|block| Head::from(&block.header)))
}

async fn send_all(
    provider: &alloy::providers::DynProvider,
    sender: &TxSender,
    plan: &Plan,
    heads: watch::Receiver<Head>,
    cancel: &CancellationToken,
) -> anyhow::Result<Vec<Value>> {
    let mut sent = Vec::new();
    for tx in &plan.txs {
        let base_fee = provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await?
            .and_then(|b| b.header.base_fee_per_gas)
            .map_or(0, u128::from);
        let confirmed = sender
            .send(
                tx.request.clone(),
                base_fee,
                NonceMode::Next,
                heads.clone(),
                cancel,
                &NoEvents,
            )
            .await
            .map_err(|err| {
                let done = if sent.is_empty() {
                    String::new()
                } else {
                    format!(" (after {} sent)", sent.len())
                };
                chain_error(err).context(format!("{}{done}", tx.call))
            })?;
        let r = &confirmed.receipt;
        let fee = U256::from(r.gas_used) * U256::from(r.effective_gas_price);
        sent.push(json!({
            "call": tx.call,
            "hash": r.transaction_hash,
            "block": r.block_number,
            "gasUsed": r.gas_used,
            "fee": s(fee),
            "status": if r.status() { "success" } else { "reverted" },
        }));
    }
    Ok(sent)
}
