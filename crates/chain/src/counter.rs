//! A transport layer that counts JSON-RPC traffic (used by the benchmarks and the metrics).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
};

use alloy::{
    rpc::json_rpc::{RequestPacket, ResponsePacket},
    transports::{TransportError, TransportFut},
};
use tower::{Layer, Service};

/// Shared counters of JSON-RPC traffic. Cheap to clone; every clone sees the same numbers.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    inner: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    requests: AtomicU64,
    calls: AtomicU64,
    errors: AtomicU64,
}

impl RequestCounter {
    /// A new counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// HTTP requests / WebSocket messages sent (a JSON-RPC batch counts once).
    pub fn requests(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// JSON-RPC method calls sent (each call of a batch counts).
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    /// Requests that failed at the transport level (connection refused, timeout, HTTP error).
    pub fn errors(&self) -> u64 {
        self.inner.errors.load(Ordering::Relaxed)
    }

    /// Counts one error outside the transport (for callers that detect failures themselves).
    pub fn record_error(&self) {
        self.inner.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// A [`tower::Layer`] that counts every request passing through it into a [`RequestCounter`].
#[derive(Debug, Clone)]
pub struct CountingLayer {
    counter: RequestCounter,
}

impl CountingLayer {
    /// A layer counting into `counter`.
    pub fn new(counter: RequestCounter) -> Self {
        Self { counter }
    }
}

impl<S> Layer<S> for CountingLayer {
    type Service = CountingService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CountingService {
            inner,
            counter: self.counter.clone(),
        }
    }
}

/// The service built by [`CountingLayer`].
#[derive(Debug, Clone)]
pub struct CountingService<S> {
    inner: S,
    counter: RequestCounter,
}

impl<S> Service<RequestPacket> for CountingService<S>
where
    S: Service<
            RequestPacket,
            Response = ResponsePacket,
            Error = TransportError,
            Future = TransportFut<'static>,
        > + Send
        + Clone
        + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: RequestPacket) -> Self::Future {
        let calls = match &request {
            RequestPacket::Single(_) => 1,
            RequestPacket::Batch(batch) => batch.len() as u64,
        };
        self.counter.inner.requests.fetch_add(1, Ordering::Relaxed);
        self.counter.inner.calls.fetch_add(calls, Ordering::Relaxed);
        let counter = self.counter.clone();
        let fut = self.inner.call(request);
        Box::pin(async move {
            let result = fut.await;
            if result.is_err() {
                counter.inner.errors.fetch_add(1, Ordering::Relaxed);
            }
            result
        })
    }
}
