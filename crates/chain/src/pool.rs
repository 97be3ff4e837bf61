//! Reads the BondingManager's sorted transcoder pool into a [`Pool`], and the other inputs of the
//! hints (`livepeer_protocol::pool`) the `*WithHint` calls take.

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
};
use livepeer_bindings::IBondingManager::IBondingManagerInstance;
use livepeer_protocol::pool::{BondChange, Pool};

use crate::ChainError;

/// Reads the pool: the list is walked with `getNextTranscoderInPool` (one request a member), the
/// stakes are then read concurrently.
pub async fn read_pool(bm: &IBondingManagerInstance<DynProvider>) -> Result<Pool, ChainError> {
    let size = bm.getTranscoderPoolSize().call().await?;
    let max_size = bm.getTranscoderPoolMaxSize().call().await?;
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let mut ids = Vec::with_capacity(size.min(1024));
    let mut id = bm.getFirstTranscoderInPool().call().await?;
    while id != Address::ZERO && ids.len() < size {
        ids.push(id);
        id = bm.getNextTranscoderInPool(id).call().await?;
    }
    let stakes = futures::future::try_join_all(
        ids.iter()
            .map(|id| async move { bm.transcoderTotalStake(*id).call().await }),
    )
    .await?;
    Ok(Pool::new(
        ids.into_iter().zip(stakes).collect(),
        usize::try_from(max_size).unwrap_or(usize::MAX),
    ))
}

/// The [`BondChange`] of a `bondWithHint(amount, to)` by `owner`, whose pending stake is `bonded`
/// and delegate `old_delegate` (callers read those for their own checks): the delegates' total
/// stakes and whether `to` is registered.
pub async fn read_bond_change(
    bm: &IBondingManagerInstance<DynProvider>,
    owner: Address,
    to: Address,
    amount: U256,
    bonded: U256,
    old_delegate: Address,
) -> Result<BondChange, ChainError> {
    let moving = !bonded.is_zero() && old_delegate != to;
    Ok(BondChange {
        owner,
        to,
        amount,
        bonded,
        old_delegate,
        old_delegate_stake: if moving {
            bm.transcoderTotalStake(old_delegate).call().await?
        } else {
            U256::ZERO
        },
        to_stake: bm.transcoderTotalStake(to).call().await?,
        to_registered: bm.isRegisteredTranscoder(to).call().await?,
    })
}
