//! The `/metrics` and `/health` HTTP endpoints every bot serves (hyper, HTTP/1.1 only).

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Duration};

use http_body_util::Full;
use hyper::{Request, Response, StatusCode, body::Bytes, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What the server exposes: a Prometheus text exposition and a health verdict.
pub trait Exporter: Send + Sync + 'static {
    /// The Prometheus text exposition served at `/metrics`.
    fn render(&self) -> String;
    /// `Ok` for `/health` to answer 200, or why not (answered with 503, the reason as the body):
    /// typically [`crate::health::ReadHealth::verdict`].
    fn health(&self, max_age: Duration) -> Result<(), String>;
}

/// Binds `addr` and serves until `cancel` fires. Returns the bound address (port 0 picks one).
pub async fn serve<E: Exporter>(
    addr: SocketAddr,
    exporter: Arc<E>,
    health_max_age: Duration,
    cancel: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                _ = cancel.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        tracing::warn!(%err, "metrics accept failed");
                        continue;
                    }
                },
            };
            let exporter = exporter.clone();
            let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                let exporter = exporter.clone();
                async move {
                    Ok::<_, Infallible>(respond(
                        req.uri().path(),
                        exporter.as_ref(),
                        health_max_age,
                    ))
                }
            });
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(bound)
}

fn respond<E: Exporter>(
    path: &str,
    exporter: &E,
    health_max_age: Duration,
) -> Response<Full<Bytes>> {
    let (status, body) = match path {
        "/metrics" => (StatusCode::OK, exporter.render()),
        "/health" => match exporter.health(health_max_age) {
            Ok(()) => (StatusCode::OK, "ok\n".to_owned()),
            Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n")),
        },
        _ => (StatusCode::NOT_FOUND, "not found\n".to_owned()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}

/// Installs the `tracing` subscriber (`RUST_LOG` filter, default `info`), as text or JSON lines.
pub fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(bool);

    impl Exporter for Fixed {
        fn render(&self) -> String {
            "x 1\n".into()
        }
        fn health(&self, _max_age: Duration) -> Result<(), String> {
            if self.0 { Ok(()) } else { Err("broken".into()) }
        }
    }

    #[tokio::test]
    async fn routes() {
        let age = Duration::from_secs(1);
        assert_eq!(
            respond("/metrics", &Fixed(true), age).status(),
            StatusCode::OK
        );
        assert_eq!(
            respond("/health", &Fixed(true), age).status(),
            StatusCode::OK
        );
        let unhealthy = respond("/health", &Fixed(false), age);
        assert_eq!(unhealthy.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = http_body_util::BodyExt::collect(unhealthy.into_body())
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        assert_eq!(body, Bytes::from("broken\n"), "the reason is the body");
        assert_eq!(
            respond("/nope", &Fixed(true), age).status(),
            StatusCode::NOT_FOUND
        );
    }
}
