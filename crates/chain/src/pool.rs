//! Reads the BondingManager's sorted transcoder pool into a [`Pool`], whose hints
//! (`livepeer_protocol::pool`) the `*WithHint` calls take.

use alloy::{primitives::Address, providers::DynProvider};
use livepeer_bindings::IBondingManager::IBondingManagerInstance;
use livepeer_protocol::pool::Pool;

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
