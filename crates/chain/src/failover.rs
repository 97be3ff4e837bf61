//! Failover across several RPC transports, in the configured order.
//!
//! Requests go to the current transport; a transport-level failure (connection refused,
//! timeout, HTTP error) moves on to the next one, within the same request, and the first that
//! answers becomes current. JSON-RPC error responses (reverts, bad params) are answers, not
//! failures, and are returned as they are. When every transport fails, the last error is
//! returned and the retry layer above backs off and tries again.
//!
//! (alloy's `FallbackLayer` with one active transport does not fail over: an unused transport
//! and a failing one both score zero, and the failing one keeps its place.)

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
};

use alloy::{
    rpc::json_rpc::{RequestPacket, ResponsePacket},
    transports::{BoxTransport, RpcError, TransportError, TransportErrorKind, TransportFut},
};
use tower::Service;

/// A transport that fails over between `transports` (see the module docs).
#[derive(Debug, Clone)]
pub struct FailoverService {
    transports: Arc<Vec<BoxTransport>>,
    current: Arc<AtomicUsize>,
}

impl FailoverService {
    /// Fails over between `transports`, starting with the first.
    pub fn new(transports: Vec<BoxTransport>) -> Self {
        Self {
            transports: Arc::new(transports),
            current: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Index of the transport requests currently go to.
    pub fn current(&self) -> usize {
        self.current.load(Ordering::Relaxed)
    }
}

impl Service<RequestPacket> for FailoverService {
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: RequestPacket) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let n = this.transports.len();
            let start = this.current.load(Ordering::Relaxed);
            let mut last_error = None;
            for i in 0..n {
                let index = (start + i) % n;
                let mut transport = this.transports[index].clone();
                match transport.call(request.clone()).await {
                    Ok(response) => {
                        if i > 0 {
                            this.current.store(index, Ordering::Relaxed);
                            tracing::warn!(from = start, to = index, "RPC failover");
                        }
                        return Ok(response);
                    }
                    Err(err @ RpcError::Transport(_)) => last_error = Some(err),
                    Err(err) => return Err(err),
                }
            }
            Err(last_error
                .unwrap_or_else(|| TransportErrorKind::custom_str("no RPC transport configured")))
        })
    }
}
