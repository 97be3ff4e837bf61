//! New block heads: pushed over a WebSocket subscription when a `ws(s)://` URL is configured,
//! polled with `eth_getBlockByNumber("latest")` otherwise (or after the subscription ends).

use std::{pin::Pin, time::Duration};

use alloy::{
    eips::BlockNumberOrTag,
    providers::{DynProvider, Provider, ProviderBuilder, WsConnect},
    rpc::types::Header,
};
use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::{ChainError, provider::Rpc};

/// What the bots need of a block head.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Head {
    /// Block number.
    pub number: u64,
    /// Base fee per gas (wei); zero on chains without EIP-1559.
    pub base_fee: u128,
}

impl From<&Header> for Head {
    fn from(header: &Header) -> Self {
        Self {
            number: header.number,
            base_fee: header.base_fee_per_gas.map_or(0, u128::from),
        }
    }
}

type HeaderStream = Pin<Box<dyn Stream<Item = Header> + Send>>;

/// A stream of new heads. Skipped numbers are possible (polling, bursts); a number is never
/// yielded twice in a row.
pub struct BlockStream {
    provider: DynProvider,
    subscription: Option<(DynProvider, HeaderStream)>,
    interval: Duration,
    last: Option<u64>,
    /// When the next poll is due: kept when a call is dropped while it waits (a tick between
    /// heads), so ticks coming as often as the interval never starve the polls.
    due: Option<tokio::time::Instant>,
}

impl std::fmt::Debug for BlockStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockStream")
            .field("subscribed", &self.subscription.is_some())
            .field("interval", &self.interval)
            .field("last", &self.last)
            .finish()
    }
}

impl BlockStream {
    /// Subscribes over `rpc.ws_url` when there is one (falling back to polling if the
    /// subscription fails), polls every `interval` otherwise.
    pub async fn new(rpc: &Rpc, interval: Duration) -> Self {
        let mut subscription = None;
        if let Some(url) = &rpc.ws_url {
            match subscribe(url.as_str()).await {
                Ok(sub) => subscription = Some(sub),
                Err(err) => tracing::warn!(%err, "head subscription failed; polling instead"),
            }
        }
        Self {
            provider: rpc.provider.clone(),
            subscription,
            interval,
            last: None,
            due: None,
        }
    }

    /// Whether heads arrive over a subscription.
    pub fn is_subscribed(&self) -> bool {
        self.subscription.is_some()
    }

    /// The next new head, an RPC error (the caller decides whether to go on), or `None` once
    /// `cancel` fires. Cancel-safe: a call dropped while it waits keeps the poll's schedule.
    pub async fn next(&mut self, cancel: &CancellationToken) -> Option<Result<Head, ChainError>> {
        loop {
            // The first head is always read, so a fresh start acts without waiting for a block.
            if let (Some((_, stream)), Some(_)) = (&mut self.subscription, self.last) {
                tokio::select! {
                    _ = cancel.cancelled() => return None,
                    item = stream.next() => match item {
                        Some(header) => {
                            let head = Head::from(&header);
                            if self.last != Some(head.number) {
                                self.last = Some(head.number);
                                return Some(Ok(head));
                            }
                            continue;
                        }
                        None => {
                            tracing::warn!("head subscription ended; polling instead");
                            self.subscription = None;
                        }
                    }
                }
            }
            if self.last.is_some() {
                let interval = self.interval;
                let due = *self
                    .due
                    .get_or_insert_with(|| tokio::time::Instant::now() + interval);
                tokio::select! {
                    _ = cancel.cancelled() => return None,
                    _ = tokio::time::sleep_until(due) => {}
                }
            }
            let block = tokio::select! {
                _ = cancel.cancelled() => return None,
                block = self.provider.get_block_by_number(BlockNumberOrTag::Latest) => block,
            };
            self.due = None;
            match block {
                Ok(Some(block)) => {
                    let head = Head::from(&block.header);
                    if self.last != Some(head.number) {
                        self.last = Some(head.number);
                        return Some(Ok(head));
                    }
                }
                Ok(None) => {}
                Err(err) => {
                    // Make the next attempt wait an interval too.
                    self.last.get_or_insert(0);
                    return Some(Err(ChainError::Rpc(err)));
                }
            }
        }
    }
}

async fn subscribe(url: &str) -> Result<(DynProvider, HeaderStream), ChainError> {
    let provider = ProviderBuilder::new()
        .connect_ws(WsConnect::new(url))
        .await?
        .erased();
    let stream = provider.subscribe_blocks().await?.into_stream();
    Ok((provider, Box::pin(stream)))
}
