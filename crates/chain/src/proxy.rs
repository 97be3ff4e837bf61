//! A JSON-RPC proxy in front of a node that can be told to fail, for tests of the bots' outage
//! handling: every request refused (the node or the network down) or only `eth_call` and
//! `eth_estimateGas` reverting with empty data while heads keep coming (what the reward agent met
//! on the live contracts), or only transactions refused (a node that will not take them). HTTP
//! only.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU8, Ordering},
    },
};

use alloy::transports::http::reqwest;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode, body::Bytes, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::ChainError;

/// What the proxy does with requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// Forwards everything.
    Pass = 0,
    /// Answers every request with HTTP 503 (a transport failure to the client).
    Down = 1,
    /// Answers `eth_call` and `eth_estimateGas` with a JSON-RPC "execution reverted" error
    /// (empty revert data) and forwards the rest, batches included.
    RevertCalls = 2,
    /// Answers `eth_sendRawTransaction` and `eth_sendTransaction` with a JSON-RPC error
    /// ("transaction refused") and forwards the rest.
    RefuseSends = 3,
}

impl Fault {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Down,
            2 => Self::RevertCalls,
            3 => Self::RefuseSends,
            _ => Self::Pass,
        }
    }
}

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    fault: Arc<AtomicU8>,
    cancel: CancellationToken,
}

impl FaultProxy {
    /// Listens on a free local port and forwards to `upstream` (an `http://` URL).
    pub async fn start(upstream: &str) -> Result<Self, ChainError> {
        let io_err = |e: std::io::Error| ChainError::TestChain(format!("proxy: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(io_err)?;
        let addr = listener.local_addr().map_err(io_err)?;
        let fault = Arc::new(AtomicU8::new(Fault::Pass as u8));
        let cancel = CancellationToken::new();
        let client = reqwest::Client::new();
        let upstream = upstream.to_owned();
        let (state, token) = (fault.clone(), cancel.clone());
        tokio::spawn(async move {
            loop {
                let stream = tokio::select! {
                    _ = token.cancelled() => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => stream,
                        Err(_) => continue,
                    },
                };
                let (client, upstream, state) = (client.clone(), upstream.clone(), state.clone());
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let (client, upstream, state) =
                        (client.clone(), upstream.clone(), state.clone());
                    async move {
                        let fault = Fault::from_u8(state.load(Ordering::Relaxed));
                        Ok::<_, Infallible>(handle(req, fault, &client, &upstream).await)
                    }
                });
                let conn = token.clone();
                tokio::spawn(async move {
                    let serve =
                        http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn.cancelled() => {}
                        _ = serve => {}
                    }
                });
            }
        });
        Ok(Self {
            addr,
            fault,
            cancel,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets what happens to the next requests.
    pub fn set(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::Relaxed);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn reply(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn is_call(request: &Value) -> bool {
    matches!(
        request.get("method").and_then(Value::as_str),
        Some("eth_call" | "eth_estimateGas")
    )
}

fn is_send(request: &Value) -> bool {
    matches!(
        request.get("method").and_then(Value::as_str),
        Some("eth_sendRawTransaction" | "eth_sendTransaction")
    )
}

fn refused(request: &Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": request.get("id").cloned().unwrap_or(Value::Null),
        "error": { "code": -32000, "message": "transaction refused" },
    })
}

fn reverted(request: &Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": request.get("id").cloned().unwrap_or(Value::Null),
        "error": { "code": 3, "message": "execution reverted", "data": "0x" },
    })
}

async fn handle(
    req: Request<hyper::body::Incoming>,
    fault: Fault,
    client: &reqwest::Client,
    upstream: &str,
) -> Response<Full<Bytes>> {
    if fault == Fault::Down {
        return reply(StatusCode::SERVICE_UNAVAILABLE, b"proxy: down".to_vec());
    }
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return reply(StatusCode::BAD_REQUEST, Vec::new()),
    };
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if fault == Fault::RevertCalls && is_call(&request) {
        return reply(StatusCode::OK, reverted(&request).to_string().into_bytes());
    }
    if fault == Fault::RefuseSends && is_send(&request) {
        return reply(StatusCode::OK, refused(&request).to_string().into_bytes());
    }
    let forwarded = client
        .post(upstream)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await;
    let (status, bytes) = match forwarded {
        Ok(response) => {
            let status =
                StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            match response.bytes().await {
                Ok(bytes) => (status, bytes.to_vec()),
                Err(_) => return reply(StatusCode::BAD_GATEWAY, Vec::new()),
            }
        }
        Err(_) => return reply(StatusCode::BAD_GATEWAY, Vec::new()),
    };
    let Value::Array(requests) = &request else {
        return reply(status, bytes);
    };
    if fault != Fault::RevertCalls || !requests.iter().any(is_call) {
        return reply(status, bytes);
    }
    // A batch: the calls' answers become reverts, matched by id.
    let Ok(Value::Array(mut answers)) = serde_json::from_slice::<Value>(&bytes) else {
        return reply(status, bytes);
    };
    for call in requests.iter().filter(|r| is_call(r)) {
        if let Some(answer) = answers.iter_mut().find(|a| a.get("id") == call.get("id")) {
            *answer = reverted(call);
        }
    }
    reply(status, Value::Array(answers).to_string().into_bytes())
}
