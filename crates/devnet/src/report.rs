//! The per-round report: one [`RoundRow`] read at each round's last block, and the table
//! printed at the end.

use alloy::{eips::BlockId, primitives::U256};
use anyhow::Result;
use livepeer_bindings::{IBondingManager, IRoundsManager, ITicketBroker};

use livepeer_protocol::{Round, units::format_fixed};

use crate::{economy::Orchestrator, net::Net};

/// One round's figures, read when the round's last block is mined.
#[derive(Debug, Default, Clone)]
pub(crate) struct RoundRow {
    pub(crate) round: Round,
    pub(crate) initialized: bool,
    pub(crate) inflation: U256,
    pub(crate) mintable: U256,
    pub(crate) minted: U256,
    pub(crate) rewards: Vec<Option<U256>>,
    pub(crate) active: Vec<bool>,
    pub(crate) treasury: U256,
    pub(crate) won: u64,
    pub(crate) redeemed: u64,
    pub(crate) fees: U256,
    pub(crate) active_stake: U256,
    pub(crate) bonded: U256,
    pub(crate) supply: U256,
    pub(crate) action: String,
}

/// The figures of round `r` (blocks `start..=end`), read at its last block.
pub(crate) async fn read_row(
    net: &Net,
    orchs: &[Orchestrator],
    r: Round,
    start: u64,
    end: u64,
) -> Result<RoundRow> {
    let at = BlockId::number(end);
    let p = &net.p;
    let rm = &p.rounds_manager;
    let minter = &p.minter;
    let bm = &p.bonding_manager;
    let rewards = net
        .logs::<IBondingManager::Reward>(p.addresses.bonding_manager, start, end)
        .await?;
    let treasury = net
        .logs::<IBondingManager::TreasuryReward>(p.addresses.bonding_manager, start, end)
        .await?;
    let redeemed = net
        .logs::<ITicketBroker::WinningTicketRedeemed>(p.addresses.ticket_broker, start, end)
        .await?;
    let transfers = net
        .logs::<ITicketBroker::WinningTicketTransfer>(p.addresses.ticket_broker, start, end)
        .await?;
    let new_round = net
        .logs::<IRoundsManager::NewRound>(p.addresses.rounds_manager, start, end)
        .await?;
    let mut row = RoundRow {
        round: r,
        initialized: rm.lastInitializedRound().block(at).call().await? >= r
            && new_round.iter().any(|e| e.round == r),
        inflation: minter.inflation().block(at).call().await?,
        mintable: minter.currentMintableTokens().block(at).call().await?,
        minted: minter.currentMintedTokens().block(at).call().await?,
        treasury: treasury.iter().map(|e| e.amount).sum(),
        redeemed: redeemed.len() as u64,
        fees: transfers.iter().map(|e| e.amount).sum(),
        active_stake: bm.currentRoundTotalActiveStake().block(at).call().await?,
        bonded: bm.getTotalBonded().block(at).call().await?,
        supply: p.token.totalSupply().block(at).call().await?,
        ..RoundRow::default()
    };
    for o in orchs {
        let a = o.signer.address();
        let amounts: Vec<U256> = rewards
            .iter()
            .filter(|e| e.transcoder == a)
            .map(|e| e.amount)
            .collect();
        row.rewards.push(if amounts.is_empty() {
            None
        } else {
            Some(amounts.iter().copied().sum())
        });
        row.active
            .push(bm.isActiveTranscoder(a).block(at).call().await?);
    }
    Ok(row)
}

/// Bonding rate in percent with two decimals.
pub(crate) fn rate(bonded: U256, supply: U256) -> String {
    if supply.is_zero() {
        return "-".into();
    }
    let bp = bonded * U256::from(10_000) / supply;
    format!("{}.{:02}%", bp / U256::from(100), bp % U256::from(100))
}

/// Prints the per-round table of `rows` for `n` orchestrators.
pub(crate) fn print_table(rows: &[RoundRow], n: usize) {
    let mut header = format!(
        "{:>5} {:>9} {:>10} {:>10}",
        "round", "inflation", "mintable", "minted"
    );
    for i in 0..n {
        header.push_str(&format!(" {:>10}", format!("reward O{i}")));
    }
    header.push_str(&format!(
        " {:>8} {:>9} {:>8} {:>12} {:>8}  {}",
        "treasury", "won/redm", "fees", "active stake", "bonding", "delegator action"
    ));
    println!();
    println!("per-round table (LPT amounts; fees in ETH)");
    println!("{header}");
    for r in rows {
        let mut line = format!(
            "{:>5} {:>8.4}% {:>10} {:>10}",
            r.round,
            r.inflation.to::<u64>() as f64 / 10_000_000.0,
            format_fixed(r.mintable, 2),
            format_fixed(r.minted, 2)
        );
        for reward in &r.rewards {
            line.push_str(&format!(
                " {:>10}",
                reward.map_or_else(|| "-".to_string(), |a| format_fixed(a, 2))
            ));
        }
        line.push_str(&format!(
            " {:>8} {:>9} {:>8} {:>12} {:>8}  {}",
            format_fixed(r.treasury, 2),
            format!("{}/{}", r.won, r.redeemed),
            format_fixed(r.fees, 3),
            format_fixed(r.active_stake, 0),
            rate(r.bonded, r.supply),
            r.action
        ));
        println!("{line}");
    }
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::economy::lpt;

    #[test]
    fn units_and_rates_format() {
        assert_eq!(
            format_fixed(lpt(12) + U256::from(345) * U256::from(10u64.pow(13)), 3),
            "12.003"
        );
        assert_eq!(format_fixed(lpt(7), 0), "7");
        assert_eq!(rate(U256::from(1), U256::from(4)), "25.00%");
        assert_eq!(rate(U256::from(1), U256::ZERO), "-");
    }
}
