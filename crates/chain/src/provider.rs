//! One JSON-RPC client over several URLs, with failover, retries and a request counter.
//!
//! The transport stack, outermost first:
//!
//! 1. [`RetryBackoffLayer`]: retries rate-limited requests and transport failures (connection
//!    refused, timeouts, HTTP errors) with exponential backoff; JSON-RPC error responses such
//!    as reverts are returned at once.
//! 2. [`FailoverService`]: requests go to the current URL; a transport failure moves on to the
//!    next URL in order, within the same request.
//! 3. [`CountingLayer`] around each URL's transport: counts every request on the wire (see
//!    [`RequestCounter`]).

use std::time::Duration;

use alloy::{
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::client::{BuiltInConnectionString, ClientBuilder},
    transports::{
        BoxTransport, IntoBoxTransport, RpcError, TransportError,
        http::{Http, reqwest},
        layers::{RateLimitRetryPolicy, RetryBackoffLayer},
        utils::guess_local_url,
    },
};
use tower::Layer;
use url::Url;

use crate::{
    ChainError,
    counter::{CountingLayer, RequestCounter},
    failover::FailoverService,
};

/// Where and how to reach the chain.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// RPC URLs (`http(s)://` or `ws(s)://`), tried in score order.
    pub urls: Vec<String>,
    /// Retries of a failed request before giving up.
    pub max_retries: u32,
    /// First backoff between retries, in milliseconds (doubles each retry).
    pub initial_backoff_ms: u64,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
}

impl RpcConfig {
    /// A configuration for `urls` with default retries (5, from 200 ms) and a 10 s timeout.
    pub fn new(urls: Vec<String>) -> Self {
        Self {
            urls,
            max_retries: 5,
            initial_backoff_ms: 200,
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// A connected client.
#[derive(Debug, Clone)]
pub struct Rpc {
    /// The provider every read and write goes through.
    pub provider: DynProvider,
    /// Counts the provider's requests.
    pub counter: RequestCounter,
    /// The first WebSocket URL, used by [`crate::blocks::BlockStream`] to subscribe to heads.
    pub ws_url: Option<Url>,
}

fn parse_url(raw: &str) -> Result<Url, ChainError> {
    let url = Url::parse(raw).map_err(|err| ChainError::InvalidUrl {
        url: raw.to_owned(),
        reason: err.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" | "ws" | "wss" => Ok(url),
        other => Err(ChainError::InvalidUrl {
            url: raw.to_owned(),
            reason: format!("unsupported scheme `{other}` (use http, https, ws or wss)"),
        }),
    }
}

/// Connects to every URL of `config` and builds the layered provider (URLs in failover order).
///
/// WebSocket URLs are connected at once (the socket reconnects by itself afterwards); a WebSocket
/// URL that cannot be reached is skipped with a warning as long as another URL remains.
pub async fn connect(config: &RpcConfig, counter: RequestCounter) -> Result<Rpc, ChainError> {
    if config.urls.is_empty() {
        return Err(ChainError::NoRpcUrl);
    }
    let http_client = reqwest::Client::builder()
        .timeout(config.request_timeout)
        .build()
        .map_err(|err| ChainError::InvalidUrl {
            url: config.urls.join(","),
            reason: err.to_string(),
        })?;
    let mut transports: Vec<BoxTransport> = Vec::new();
    let mut ws_url = None;
    let mut last_error = None;
    for raw in &config.urls {
        let url = parse_url(raw)?;
        if url.scheme().starts_with("ws") {
            match BuiltInConnectionString::Ws(url.clone(), None)
                .connect_boxed()
                .await
            {
                Ok(transport) => {
                    ws_url.get_or_insert(url);
                    transports.push(transport);
                }
                Err(err) => {
                    tracing::warn!(url = %redact(&url), %err, "WebSocket RPC unreachable, skipped");
                    last_error = Some(err);
                }
            }
        } else {
            transports.push(Http::with_client(http_client.clone(), url).into_box_transport());
        }
    }
    if transports.is_empty() {
        return Err(last_error.map_or(ChainError::NoRpcUrl, ChainError::Rpc));
    }
    let is_local = config.urls.iter().all(guess_local_url);
    let policy = RateLimitRetryPolicy::default()
        .or(|err: &TransportError| matches!(err, RpcError::Transport(_)));
    let counting = CountingLayer::new(counter.clone());
    let transports = transports
        .into_iter()
        .map(|t| counting.layer(t).into_box_transport())
        .collect();
    let client = ClientBuilder::default()
        .layer(RetryBackoffLayer::new_with_policy(
            config.max_retries,
            config.initial_backoff_ms,
            u64::MAX,
            policy,
        ))
        .transport(FailoverService::new(transports), is_local);
    let provider = ProviderBuilder::new().connect_client(client).erased();
    Ok(Rpc {
        provider,
        counter,
        ws_url,
    })
}

/// The URL without credentials, path or query (API keys often live there), for logs.
pub fn redact(url: &Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or("?"),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_scheme() {
        assert!(matches!(
            parse_url("ftp://x"),
            Err(ChainError::InvalidUrl { .. })
        ));
        assert!(parse_url("ws://127.0.0.1:8545").is_ok());
    }

    #[test]
    fn redact_hides_path_and_credentials() {
        let url = Url::parse("https://user:pw@rpc.example:8443/v2/SECRETKEY?x=1")
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(redact(&url), "https://rpc.example:8443");
    }

    #[tokio::test]
    async fn empty_url_list_is_an_error() {
        let err = connect(&RpcConfig::new(vec![]), RequestCounter::new()).await;
        assert!(matches!(err, Err(ChainError::NoRpcUrl)));
    }
}
