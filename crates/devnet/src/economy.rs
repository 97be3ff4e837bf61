//! The devnet's economy: deterministic dev accounts (orchestrators with different stakes and
//! commissions, delegators spread over them, one broadcaster) and their set-up on chain.

use alloy::{
    primitives::{Address, U256, keccak256},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context as _, Result};

use livepeer_protocol::units::format_fixed;

use crate::net::Net;

pub(crate) const E18: u64 = 1_000_000_000_000_000_000;

pub(crate) fn lpt(n: u64) -> U256 {
    U256::from(n) * U256::from(E18)
}

pub(crate) fn eth_milli(n: u64) -> U256 {
    U256::from(n) * U256::from(E18 / 1000)
}

/// A deterministic dev key for `role` #`i` (public: for a devnet only).
pub(crate) fn dev_signer(role: &str, i: usize) -> Result<PrivateKeySigner> {
    let key = keccak256(format!("livepeer-devnet/{role}/{i}"));
    PrivateKeySigner::from_bytes(&key).context("deriving a dev key")
}

pub(crate) struct Orchestrator {
    pub(crate) signer: PrivateKeySigner,
    pub(crate) stake: U256,
    pub(crate) reward_cut: U256,
    pub(crate) fee_share: U256,
}

pub(crate) struct Delegator {
    pub(crate) signer: PrivateKeySigner,
    pub(crate) stake: U256,
    pub(crate) first_delegate: usize,
}

pub(crate) fn orchestrators(n: usize) -> Result<Vec<Orchestrator>> {
    (0..n)
        .map(|i| {
            let i64 = i as u64;
            Ok(Orchestrator {
                signer: dev_signer("orchestrator", i)?,
                stake: lpt(100_000 + 50_000 * i64),
                // 10%, 25%, 40%, … of rewards kept; 50%, 60%, … of fees shared.
                reward_cut: U256::from((100_000 + 150_000 * i64) % 1_000_000),
                fee_share: U256::from((500_000 + 100_000 * i64) % 1_000_000),
            })
        })
        .collect()
}

pub(crate) fn delegators(m: usize, n: usize) -> Result<Vec<Delegator>> {
    (0..m)
        .map(|j| {
            Ok(Delegator {
                signer: dev_signer("delegator", j)?,
                stake: lpt(10_000 + 5_000 * j as u64),
                first_delegate: j % n,
            })
        })
        .collect()
}

/// Sets the economy up (automine: every transaction mined at once): ETH for every account
/// (`bot_accounts` too), the orchestrators' self-bonds and commissions, the delegators' bonds and
/// the broadcaster's deposit and reserve. Ends with the round initialized.
pub(crate) async fn set_up(
    net: &Net,
    orchs: &[Orchestrator],
    dels: &[Delegator],
    broadcaster: &PrivateKeySigner,
    bot_accounts: &[Address],
) -> Result<()> {
    println!(
        "set-up: {} orchestrators, {} delegators, 1 broadcaster",
        orchs.len(),
        dels.len()
    );
    let everyone: Vec<Address> = orchs
        .iter()
        .map(|o| o.signer.address())
        .chain(dels.iter().map(|d| d.signer.address()))
        .chain([broadcaster.address()])
        .chain(bot_accounts.iter().copied())
        .collect();
    for a in &everyone {
        net.rpc(
            "anvil_setBalance",
            serde_json::json!([a, format!("{:#x}", lpt(1_000))]),
        )
        .await?;
    }
    let bm = net.p.addresses.bonding_manager;
    net.prepare_round().await?;
    for (i, o) in orchs.iter().enumerate() {
        let a = o.signer.address();
        let t = &net.p.token;
        net.send(
            "LPT transfer",
            t.transfer(a, o.stake)
                .from(net.deployer)
                .into_transaction_request(),
        )
        .await?;
        net.send(
            "approve",
            t.approve(bm, o.stake).from(a).into_transaction_request(),
        )
        .await?;
        net.prepare_round().await?;
        let b = &net.p.bonding_manager;
        net.send(
            "bond (self)",
            b.bond(o.stake, a).from(a).into_transaction_request(),
        )
        .await?;
        net.prepare_round().await?;
        net.send(
            "transcoder",
            b.transcoder(o.reward_cut, o.fee_share)
                .from(a)
                .into_transaction_request(),
        )
        .await?;
        println!(
            "  orchestrator O{i} {a}: {} LPT self-bonded, reward cut {}%, fee share {}%",
            format_fixed(o.stake, 0),
            o.reward_cut / U256::from(10_000),
            o.fee_share / U256::from(10_000)
        );
    }
    for (j, d) in dels.iter().enumerate() {
        let a = d.signer.address();
        let to = orchs[d.first_delegate].signer.address();
        let t = &net.p.token;
        net.send(
            "LPT transfer",
            t.transfer(a, d.stake)
                .from(net.deployer)
                .into_transaction_request(),
        )
        .await?;
        net.send(
            "approve",
            t.approve(bm, d.stake).from(a).into_transaction_request(),
        )
        .await?;
        net.prepare_round().await?;
        net.send(
            "bond",
            net.p
                .bonding_manager
                .bond(d.stake, to)
                .from(a)
                .into_transaction_request(),
        )
        .await?;
        println!(
            "  delegator D{j} {a}: {} LPT bonded to O{}",
            format_fixed(d.stake, 0),
            d.first_delegate
        );
    }
    let deposit = U256::from(10) * U256::from(E18);
    let reserve = U256::from(5) * U256::from(E18);
    net.send(
        "fundDepositAndReserve",
        net.p
            .ticket_broker
            .fundDepositAndReserve(deposit, reserve)
            .value(deposit + reserve)
            .from(broadcaster.address())
            .into_transaction_request(),
    )
    .await?;
    println!(
        "  broadcaster {}: deposit {} ETH, reserve {} ETH",
        broadcaster.address(),
        format_fixed(deposit, 0),
        format_fixed(reserve, 0)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn economy_has_distinct_commissions_and_stakes() -> Result<()> {
        let o = orchestrators(3)?;
        assert_ne!(o[0].reward_cut, o[1].reward_cut, "commissions differ");
        assert_ne!(o[0].stake, o[2].stake, "stakes differ");
        assert_ne!(
            o[0].signer.address(),
            o[1].signer.address(),
            "distinct accounts"
        );
        let d = delegators(4, 3)?;
        assert_eq!(d[3].first_delegate, 0, "delegators spread round-robin");
        Ok(())
    }
}
