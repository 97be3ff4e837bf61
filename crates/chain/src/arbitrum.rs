//! Arbitrum's two block numbers. Its contracts see `block.number` as (about) the L1 block number,
//! so round start blocks and ticket expiries are L1 blocks, while logs and state are addressed by
//! L2 block. Elsewhere (anvil, L1) the two are the same number.

use crate::ChainError;
use alloy::{
    eips::BlockNumberOrTag,
    providers::{DynProvider, Provider},
};

/// The `block.number` contracts saw in `block`: the header's `l1BlockNumber` on Arbitrum, the
/// block's own number elsewhere.
pub async fn contract_block_number(
    provider: &DynProvider,
    block: BlockNumberOrTag,
) -> Result<u64, ChainError> {
    let header: serde_json::Value = provider
        .raw_request("eth_getBlockByNumber".into(), (block, false))
        .await?;
    let number = header
        .get("l1BlockNumber")
        .or_else(|| header.get("number"))
        .and_then(|v| v.as_str())
        .and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok());
    number.ok_or_else(|| ChainError::UnexpectedAnswer {
        call: "eth_getBlockByNumber",
        reason: format!("block {block} has no number: {header}"),
    })
}

/// The first block at or before `latest` in which contracts saw a `block.number` of at least
/// `seen` (`latest` if none): `seen` itself where the two numbers agree, else a binary search of
/// headers (about 30 requests on Arbitrum One).
pub async fn first_block_seeing(
    provider: &DynProvider,
    seen: u64,
    latest: u64,
) -> Result<u64, ChainError> {
    let latest_seen = contract_block_number(provider, latest.into()).await?;
    if latest_seen == latest {
        return Ok(seen.min(latest));
    }
    first_at_least(0, latest, seen, async |block| {
        contract_block_number(provider, block.into()).await
    })
    .await
}

/// The first block in `lo..=hi` whose `number_seen` is at least `target` (`hi` if none), for
/// `number_seen` non-decreasing in the block.
pub async fn first_at_least<E>(
    mut lo: u64,
    mut hi: u64,
    target: u64,
    number_seen: impl AsyncFn(u64) -> Result<u64, E>,
) -> Result<u64, E> {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if number_seen(mid).await? >= target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Arbitrum-like chain: four L2 blocks per L1 block, from L1 block 1,000.
    async fn l1_of(block: u64) -> Result<u64, ()> {
        Ok(1_000 + block / 4)
    }

    #[tokio::test]
    async fn finds_the_first_l2_block_of_an_l1_block() {
        assert_eq!(first_at_least(0, 10_000, 1_010, l1_of).await, Ok(40));
        assert_eq!(first_at_least(0, 10_000, 1_000, l1_of).await, Ok(0));
        // Before the first block, or after the last: the ends of the range.
        assert_eq!(first_at_least(0, 10_000, 5, l1_of).await, Ok(0));
        assert_eq!(
            first_at_least(0, 10_000, 9_999_999, l1_of).await,
            Ok(10_000)
        );
    }

    #[tokio::test]
    async fn stops_at_the_first_failed_read() {
        let failing = async |_block: u64| -> Result<u64, &'static str> { Err("no header") };
        assert_eq!(first_at_least(0, 100, 7, failing).await, Err("no header"));
    }
}
