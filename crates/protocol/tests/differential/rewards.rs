//! `rewards::reward_amount` + `active_stake` (fed by the RewardLens, as the reward agent feeds
//! them) and `pool::reward_hint` against `rewardWithHint`: for random stakes, delegations,
//! commissions, treasury cut rates and stake changes in the reward round, every orchestrator's
//! predicted reward equals the `Reward` event, the treasury's cut equals `TreasuryReward`, and the
//! pool after each reward is the simulated one, the orchestrator between its hinted neighbours.

use alloy::{
    primitives::{Address, U256},
    rpc::types::TransactionReceipt,
};
use anyhow::{Context as _, Result, ensure};
use livepeer_bindings::IBondingManager;
use livepeer_chain::pool::read_pool;
use livepeer_protocol::{math::PRECISE_DIVISOR, pool::reward_hint};
use livepeer_reward_agent::lens::{
    lens_input, pool, read_snapshot, reward_estimate, snapshot_round,
};
use rand::{Rng, rngs::StdRng, seq::SliceRandom};

use super::{
    net::Net,
    pool::{assert_pool, neighbours},
    stake,
};

/// What a run covered.
#[derive(Debug, Default)]
pub struct Covered {
    /// Rewards compared.
    pub rewards: usize,
    /// Of which minted on the current round's pool (stake changed this round).
    pub on_round_pool: usize,
    /// Of which with a zero treasury cut rate.
    pub no_cut: usize,
    /// All of it to the treasury.
    pub full_cut: usize,
}

/// `cases` independent rounds of rewards, each from a fresh state.
pub async fn run(net: &Net, rng: &mut StdRng, cases: usize) -> Result<Covered> {
    let mut covered = Covered::default();
    let support = net.p.reward_caller_support().await?;
    for case in 0..cases {
        let base = net.snapshot().await?;
        one_round(net, rng, case, support, &mut covered)
            .await
            .with_context(|| format!("reward case {case}"))?;
        net.revert(base).await?;
    }
    Ok(covered)
}

async fn one_round(
    net: &Net,
    rng: &mut StdRng,
    case: usize,
    support: livepeer_chain::protocol::RewardCallerSupport,
    covered: &mut Covered,
) -> Result<()> {
    let bm = &net.p.bonding_manager;
    let n = rng.gen_range(2..=5);
    let mut orchestrators = Vec::new();
    for i in 0..n {
        let o = net.account(&format!("reward-o{case}"), i).await?;
        let amount = stake(rng);
        net.give_lpt(o, amount.saturating_mul(U256::from(2)))
            .await?;
        orchestrators.push((o, amount));
    }
    let mut delegators = Vec::new();
    for i in 0..rng.gen_range(0..=3) {
        let d = net.account(&format!("reward-d{case}"), i).await?;
        let amount = stake(rng);
        net.give_lpt(d, amount).await?;
        delegators.push((d, amount));
    }
    // A round of its own for the set-up (at most 14 transactions, before the lock).
    net.next_round().await?;
    let rate = match case % 4 {
        0 => U256::ZERO,
        1 => PRECISE_DIVISOR,
        2 => PRECISE_DIVISOR / U256::from(10),
        _ => U256::from(rng.r#gen::<u128>()) % PRECISE_DIVISOR,
    };
    net.send(
        net.owner,
        bm.setTreasuryRewardCutRate(rate).into_transaction_request(),
    )
    .await?;
    for &(o, amount) in &orchestrators {
        net.send(o, bm.bond(amount, o).into_transaction_request())
            .await?;
        let cut = U256::from(rng.gen_range(0..=1_000_000u64));
        let share = U256::from(rng.gen_range(0..=1_000_000u64));
        net.send(o, bm.transcoder(cut, share).into_transaction_request())
            .await?;
    }
    for &(d, amount) in &delegators {
        let (to, _) = orchestrators[rng.gen_range(0..n)];
        net.send(d, bm.bond(amount, to).into_transaction_request())
            .await?;
    }
    // The stakes count from this round on; the cut rate set above applies from it too.
    let round = net.next_round().await?;
    for &(o, amount) in &orchestrators {
        if rng.gen_bool(0.3) {
            // A change this round: reward() mints on the stake the round started with.
            net.send(o, bm.bond(amount, o).into_transaction_request())
                .await?;
        }
    }

    let addresses: Vec<Address> = orchestrators.iter().map(|(o, _)| *o).collect();
    let input = lens_input(net.controller, support, &addresses, &[]);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    for i in order {
        let o = addresses[i];
        let block = net.block().await?;
        let s = read_snapshot(&net.provider, &input, block).await?;
        ensure!(snapshot_round(&s) == round, "the lens reads round {round}");
        let lens = &s.orchestrators[i];
        let predicted =
            reward_estimate(&s, lens).context("the prediction says reward() reverts")?;
        let mut simulated = pool(&s);
        let hint = reward_hint(&mut simulated, o, predicted.new_stake, true);
        let receipt = net
            .send(
                o,
                bm.rewardWithHint(hint.prev, hint.next)
                    .into_transaction_request(),
            )
            .await?;
        let (reward, treasury) = amounts(&receipt, o);
        ensure!(
            reward == predicted.reward,
            "{o}: Reward {reward}, predicted {} ({predicted:?}, rate {rate})",
            predicted.reward
        );
        ensure!(
            treasury == predicted.treasury,
            "{o}: TreasuryReward {treasury}, predicted {}",
            predicted.treasury
        );
        let after = read_pool(bm).await?;
        assert_pool(&after, &simulated).context("pool after reward")?;
        ensure!(
            neighbours(&after, o) == Some((hint.prev, hint.next)),
            "{o} is not between its hints {hint:?}"
        );
        covered.rewards += 1;
        covered.on_round_pool += usize::from(lens.lastActiveStakeUpdateRound > round);
        covered.no_cut += usize::from(rate.is_zero());
        covered.full_cut += usize::from(rate == PRECISE_DIVISOR);
    }
    Ok(())
}

/// The `Reward` and `TreasuryReward` amounts of `o`'s reward (0 when there is no event).
fn amounts(receipt: &TransactionReceipt, o: Address) -> (U256, U256) {
    let mut reward = U256::ZERO;
    let mut treasury = U256::ZERO;
    for log in receipt.inner.logs() {
        if let Ok(e) = log.log_decode::<IBondingManager::Reward>()
            && e.inner.data.transcoder == o
        {
            reward = e.inner.data.amount;
        }
        if let Ok(e) = log.log_decode::<IBondingManager::TreasuryReward>()
            && e.inner.data.transcoder == o
        {
            treasury = e.inner.data.amount;
        }
    }
    (reward, treasury)
}
