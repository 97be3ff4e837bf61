//! `pool` (the sorted-list simulation and every `*WithHint` hint) against the BondingManager: a
//! random sequence of bonds (new, more, moved), unbonds (partial, whole, a transcoder resigning),
//! rebonds (to the bond, from unbonded), `transcoderWithHint` joins and rewards, with 13
//! transcoders for 10 places (evictions) and stakes that often tie. After every call the pool
//! read from the chain is the simulated one, stakes included, and the changed member sits
//! between the neighbours its hint named.

use alloy::{
    primitives::{Address, U256},
    rpc::types::TransactionRequest,
};
use anyhow::{Context as _, Result, bail, ensure};
use livepeer_chain::pool::{read_bond_change, read_pool};
use livepeer_protocol::pool::{
    Hint, Pool, bond_hints, rebond_hint, reward_hint, transcoder_hint, unbond_hint,
};
use livepeer_reward_agent::lens::{lens_input, read_snapshot, reward_estimate};
use rand::{Rng, rngs::StdRng};

use super::{
    net::{Net, revert_name},
    stake,
};

/// Transcoders (more than the pool's 10 places) and delegators.
const TRANSCODERS: usize = 13;
const DELEGATORS: usize = 8;

/// What a run covered: calls compared, by kind, and calls the contract refused (skipped).
#[derive(Debug, Default)]
pub struct Covered {
    /// `bondWithHint`, of which moving a bond.
    pub bonds: usize,
    /// Bonds moved to another delegate.
    pub moves: usize,
    /// `unbondWithHint`, of which resignations.
    pub unbonds: usize,
    /// Transcoders unbonding their whole self-bond.
    pub resignations: usize,
    /// `rebondWithHint` and `rebondFromUnbondedWithHint`.
    pub rebonds: usize,
    /// `transcoderWithHint` by a registered non-member.
    pub joins: usize,
    /// `rewardWithHint`.
    pub rewards: usize,
    /// Members evicted from a full pool by a call.
    pub evictions: usize,
    /// Calls the contract refused (not compared), by revert.
    pub refused: std::collections::BTreeMap<String, usize>,
}

/// Asserts the pool read from the chain is the simulated one, in order and stakes.
pub fn assert_pool(chain: &Pool, simulated: &Pool) -> Result<()> {
    ensure!(
        chain.entries() == simulated.entries(),
        "pool on chain {:?}\n   simulated {:?}",
        chain.entries(),
        simulated.entries()
    );
    Ok(())
}

/// `(prev, next)` of `id` in `pool` (zero for head / tail), `None` if not a member.
pub fn neighbours(pool: &Pool, id: Address) -> Option<(Address, Address)> {
    let at = pool.position(id)?;
    let member = |i: Option<usize>| {
        i.and_then(|i| pool.entries().get(i))
            .map_or(Address::ZERO, |(m, _)| *m)
    };
    Some((member(at.checked_sub(1)), member(Some(at + 1))))
}

struct Actors {
    transcoders: Vec<Address>,
    delegators: Vec<Address>,
    /// Unbonding locks not rebonded yet: `(owner, lock id)`.
    locks: Vec<(Address, U256)>,
}

/// `steps` random calls from a fresh state.
pub async fn run(net: &Net, rng: &mut StdRng, steps: usize) -> Result<Covered> {
    let mut actors = Actors {
        transcoders: Vec::new(),
        delegators: Vec::new(),
        locks: Vec::new(),
    };
    for i in 0..TRANSCODERS {
        let t = net.account("pool-t", i).await?;
        net.give_lpt(t, U256::from(10u64).pow(U256::from(23u64)))
            .await?;
        actors.transcoders.push(t);
    }
    for i in 0..DELEGATORS {
        let d = net.account("pool-d", i).await?;
        net.give_lpt(d, U256::from(10u64).pow(U256::from(23u64)))
            .await?;
        actors.delegators.push(d);
    }
    let mut covered = Covered::default();
    // Every transcoder registers first: three more than the pool holds, so the last ones evict
    // or stay out.
    for &t in &actors.transcoders {
        bond_to(net, rng, t, t, &mut covered)
            .await
            .with_context(|| format!("{t} registering"))?;
    }
    for step in 0..steps {
        let op = rng.gen_range(0..100);
        let outcome = match op {
            0..35 => bond(net, rng, &actors, &mut covered).await,
            35..55 => unbond(net, rng, &mut actors, &mut covered).await,
            55..70 => rebond(net, rng, &mut actors, &mut covered).await,
            70..78 => join(net, rng, &actors, &mut covered).await,
            78..93 => reward(net, rng, &actors, &mut covered).await,
            _ => net.next_round().await.map(drop),
        };
        outcome.with_context(|| format!("pool step {step} (op {op})"))?;
    }
    Ok(covered)
}

/// A call and what the simulation says it does: `simulated` is `before` changed by the call, and
/// `id` (the member whose key changes last) goes between `hint`'s members.
struct Expect {
    before: Pool,
    simulated: Pool,
    id: Address,
    hint: Hint,
}

/// Sends `tx` from `from` and compares: the pool after it is the simulated one, `id` sits between
/// `hint`'s members (or is out of the pool with a zero hint). `false` when the contract refused.
async fn check(
    net: &Net,
    from: Address,
    tx: TransactionRequest,
    expect: Expect,
    covered: &mut Covered,
) -> Result<bool> {
    if let Err(reason) = net.try_send(from, tx).await? {
        *covered.refused.entry(revert_name(&reason)).or_default() += 1;
        return Ok(false);
    }
    let Expect {
        before,
        simulated,
        id,
        hint,
    } = expect;
    let after = read_pool(&net.p.bonding_manager).await?;
    assert_pool(&after, &simulated)?;
    match neighbours(&after, id) {
        Some(n) => ensure!(n == (hint.prev, hint.next), "{id} at {n:?}, hint {hint:?}"),
        None => ensure!(
            hint == Hint::default(),
            "{id} out of the pool, hint {hint:?}"
        ),
    }
    covered.evictions += before
        .entries()
        .iter()
        .filter(|(m, _)| after.position(*m).is_none() && *m != id)
        .count();
    Ok(true)
}

/// A random bond: a transcoder's self-bond, or a delegator's bond (new, more, or moved).
async fn bond(net: &Net, rng: &mut StdRng, a: &Actors, covered: &mut Covered) -> Result<()> {
    let (owner, to) = if rng.gen_bool(0.4) {
        let t = a.transcoders[rng.gen_range(0..TRANSCODERS)];
        (t, t)
    } else {
        let d = a.delegators[rng.gen_range(0..DELEGATORS)];
        (d, a.transcoders[rng.gen_range(0..TRANSCODERS)])
    };
    bond_to(net, rng, owner, to, covered).await
}

async fn bond_to(
    net: &Net,
    rng: &mut StdRng,
    owner: Address,
    to: Address,
    covered: &mut Covered,
) -> Result<()> {
    let bm = &net.p.bonding_manager;
    net.initialize().await?;
    let round = net.round().await?;
    let bonded = bm.pendingStake(owner, round.to_u256()).call().await?;
    let old_delegate = bm.getDelegator(owner).call().await?.delegateAddress;
    let moving = !bonded.is_zero() && old_delegate != to;
    let amount = if moving && rng.gen_bool(0.5) {
        U256::ZERO
    } else {
        stake(rng)
    };
    let before = read_pool(bm).await?;
    let mut simulated = before.clone();
    let change = read_bond_change(bm, owner, to, amount, bonded, old_delegate).await?;
    let h = bond_hints(&mut simulated, &change);
    let tx = bm
        .bondWithHint(amount, to, h[0], h[1], h[2], h[3])
        .into_transaction_request();
    let hint = Hint {
        prev: h[2],
        next: h[3],
    };
    if check(
        net,
        owner,
        tx,
        Expect {
            before,
            simulated,
            id: to,
            hint,
        },
        covered,
    )
    .await?
    {
        covered.bonds += 1;
        covered.moves += usize::from(moving);
    }
    Ok(())
}

async fn unbond(net: &Net, rng: &mut StdRng, a: &mut Actors, covered: &mut Covered) -> Result<()> {
    let bm = &net.p.bonding_manager;
    let all: Vec<Address> = a.transcoders.iter().chain(&a.delegators).copied().collect();
    let who = all[rng.gen_range(0..all.len())];
    net.initialize().await?;
    let round = net.round().await?;
    let d = bm.getDelegator(who).call().await?;
    let bonded = bm.pendingStake(who, round.to_u256()).call().await?;
    if bonded.is_zero() || d.startRound > round {
        return Ok(());
    }
    let amount = if rng.gen_bool(0.3) {
        bonded
    } else {
        U256::from(rng.gen_range(1..=100u64)) * bonded / U256::from(100u64)
    };
    let delegate = d.delegateAddress;
    let delegate_stake = bm.transcoderTotalStake(delegate).call().await?;
    let before = read_pool(bm).await?;
    let mut simulated = before.clone();
    let hint = unbond_hint(
        &mut simulated,
        who,
        delegate,
        amount,
        bonded,
        delegate_stake,
    );
    let lock = d.nextUnbondingLockId;
    let tx = bm
        .unbondWithHint(amount, hint.prev, hint.next)
        .into_transaction_request();
    let resigns = delegate == who && amount == bonded;
    let id = if resigns { who } else { delegate };
    if check(
        net,
        who,
        tx,
        Expect {
            before,
            simulated,
            id,
            hint,
        },
        covered,
    )
    .await?
    {
        covered.unbonds += 1;
        covered.resignations += usize::from(resigns);
        a.locks.push((who, lock));
    }
    Ok(())
}

async fn rebond(net: &Net, rng: &mut StdRng, a: &mut Actors, covered: &mut Covered) -> Result<()> {
    if a.locks.is_empty() {
        return Ok(());
    }
    let bm = &net.p.bonding_manager;
    let (who, lock) = a.locks.swap_remove(rng.gen_range(0..a.locks.len()));
    net.initialize().await?;
    let l = bm.getDelegatorUnbondingLock(who, lock).call().await?;
    if l.amount.is_zero() {
        return Ok(());
    }
    let d = bm.getDelegator(who).call().await?;
    let bonded = !d.bondedAmount.is_zero();
    let delegate = if bonded {
        d.delegateAddress
    } else if a.transcoders.contains(&who) {
        who
    } else {
        a.transcoders[rng.gen_range(0..TRANSCODERS)]
    };
    let stake = bm.transcoderTotalStake(delegate).call().await?;
    let registered = bm.isRegisteredTranscoder(delegate).call().await?;
    let before = read_pool(bm).await?;
    let mut simulated = before.clone();
    let hint = rebond_hint(&mut simulated, who, delegate, l.amount, stake, registered);
    let tx = if bonded {
        bm.rebondWithHint(lock, hint.prev, hint.next)
            .into_transaction_request()
    } else {
        bm.rebondFromUnbondedWithHint(delegate, lock, hint.prev, hint.next)
            .into_transaction_request()
    };
    if check(
        net,
        who,
        tx,
        Expect {
            before,
            simulated,
            id: delegate,
            hint,
        },
        covered,
    )
    .await?
    {
        covered.rebonds += 1;
    }
    Ok(())
}

async fn join(net: &Net, rng: &mut StdRng, a: &Actors, covered: &mut Covered) -> Result<()> {
    let bm = &net.p.bonding_manager;
    net.initialize().await?;
    if net.p.rounds_manager.currentRoundLocked().call().await? {
        return Ok(());
    }
    let before = read_pool(bm).await?;
    let mut outside = Vec::new();
    for t in &a.transcoders {
        if before.position(*t).is_none() && bm.isRegisteredTranscoder(*t).call().await? {
            outside.push(*t);
        }
    }
    if outside.is_empty() {
        return Ok(());
    }
    let t = outside[rng.gen_range(0..outside.len())];
    let mut simulated = before.clone();
    let hint = transcoder_hint(&mut simulated, t, bm.transcoderTotalStake(t).call().await?);
    let tx = bm
        .transcoderWithHint(
            U256::from(100_000u64),
            U256::from(500_000u64),
            hint.prev,
            hint.next,
        )
        .into_transaction_request();
    if check(
        net,
        t,
        tx,
        Expect {
            before,
            simulated,
            id: t,
            hint,
        },
        covered,
    )
    .await?
    {
        covered.joins += 1;
    }
    Ok(())
}

async fn reward(net: &Net, rng: &mut StdRng, a: &Actors, covered: &mut Covered) -> Result<()> {
    let bm = &net.p.bonding_manager;
    net.initialize().await?;
    let round = net.round().await?;
    let t = a.transcoders[rng.gen_range(0..TRANSCODERS)];
    if !bm.isActiveTranscoder(t).call().await?
        || bm.getTranscoder(t).call().await?.lastRewardRound == round
    {
        return Ok(());
    }
    let support = net.p.reward_caller_support().await?;
    let input = lens_input(net.controller, support, &[t], &[]);
    let s = read_snapshot(&net.provider, &input, net.block().await?).await?;
    let Some(estimate) = reward_estimate(&s, &s.orchestrators[0]) else {
        bail!("{t} is active but its reward would revert");
    };
    let before = read_pool(bm).await?;
    let mut simulated = before.clone();
    let registered = bm.isRegisteredTranscoder(t).call().await?;
    let hint = reward_hint(&mut simulated, t, estimate.new_stake, registered);
    let tx = bm
        .rewardWithHint(hint.prev, hint.next)
        .into_transaction_request();
    if check(
        net,
        t,
        tx,
        Expect {
            before,
            simulated,
            id: t,
            hint,
        },
        covered,
    )
    .await?
    {
        covered.rewards += 1;
    }
    Ok(())
}
