//! go-livepeer's Ticket Redemption Service, `net.TicketRedeemer`, over gRPC with TLS: the service
//! an orchestrator's `-redeemerAddr` points at.
//!
//! - `QueueTicket`: a ticket for another recipient is refused with `PERMISSION_DENIED`; one that
//!   cannot be a ticket (a field of the wrong size, a part missing) or fails an offline rule (bad
//!   signature, not winning, wrong `recipientRand`) with `INVALID_ARGUMENT` and a message naming
//!   the field or rule. An accepted ticket is in the [`crate::intake`] file, fsynced, before the
//!   answer; the redeemer is woken to take it.
//! - `MaxFloat`: the sender's [`crate::max_float`] now (its funds read if not watched yet).
//! - `MonitorMaxFloat`: a new value each time it changes (a ticket queued or closed, funds changed,
//!   a new round); nothing until the first change.

use std::{net::SocketAddr, pin::Pin, sync::Arc, time::Duration};

use alloy::primitives::Address;
use livepeer_protocol::ticket::check_offline;
use tokio::{net::TcpListener, sync::Notify, task::JoinHandle};
use tokio_stream::{Stream, StreamExt, wrappers::BroadcastStream, wrappers::TcpListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::{
    Request, Response, Status,
    transport::{Identity, Server, ServerTlsConfig},
};

use crate::{
    intake::{HandedOver, Intake},
    max_float::{FundsReader, MaxFloats},
    metrics::RedeemerMetrics,
    proto::{
        self, MaxFloatReq, MaxFloatUpdate, QueueTicketRes,
        ticket_redeemer_server::{TicketRedeemer, TicketRedeemerServer},
    },
    tls::TlsPair,
    wire,
};

/// The service state shared by every connection.
#[derive(Debug, Clone)]
pub struct TicketService {
    recipient: Address,
    intake: Intake,
    floats: Arc<MaxFloats>,
    reader: FundsReader,
    wake: Arc<Notify>,
    metrics: Arc<RedeemerMetrics>,
}

impl TicketService {
    /// A service taking tickets for `recipient` into `intake`, waking `wake` for each.
    pub fn new(
        recipient: Address,
        intake: Intake,
        floats: Arc<MaxFloats>,
        reader: FundsReader,
        wake: Arc<Notify>,
        metrics: Arc<RedeemerMetrics>,
    ) -> Self {
        Self {
            recipient,
            intake,
            floats,
            reader,
            wake,
            metrics,
        }
    }

    fn refuse(&self, status: Status, reason: &'static str) -> Status {
        self.metrics.refused(reason);
        tracing::warn!(message = status.message(), reason, "ticket refused");
        status
    }

    /// Reads `sender`'s funds now if nobody watches it yet.
    async fn ensure_funds(&self, sender: Address) -> Result<(), Status> {
        if self.floats.value(sender).is_some() {
            return Ok(());
        }
        self.floats
            .refresh(&self.reader, Some(&[sender]))
            .await
            .map_err(|e| {
                self.metrics.count(|c| c.max_float_read_errors += 1);
                Status::unavailable(format!("reading the sender's funds failed: {e}"))
            })
    }
}

fn sender_of(req: &MaxFloatReq) -> Result<Address, Status> {
    wire::address("MaxFloatReq.sender", &req.sender)
        .map_err(|e| Status::invalid_argument(e.to_string()))
}

type UpdateStream = Pin<Box<dyn Stream<Item = Result<MaxFloatUpdate, Status>> + Send>>;

#[tonic::async_trait]
impl TicketRedeemer for TicketService {
    async fn queue_ticket(
        &self,
        request: Request<proto::Ticket>,
    ) -> Result<Response<QueueTicketRes>, Status> {
        let malformed = |e: wire::FieldError| {
            self.refuse(
                Status::invalid_argument(format!("malformed ticket: {e}")),
                "malformed",
            )
        };
        let signed = wire::signed_ticket(request.get_ref()).map_err(malformed)?;
        let params_expiration_block =
            wire::params_expiration_block(request.get_ref()).map_err(malformed)?;
        let ticket = &signed.ticket;
        if ticket.recipient != self.recipient {
            return Err(self.refuse(
                Status::permission_denied(format!(
                    "invalid ticket recipient {}, expected {}",
                    ticket.recipient, self.recipient
                )),
                "foreign_recipient",
            ));
        }
        if let Err(e) = check_offline(&signed) {
            return Err(self.refuse(
                Status::invalid_argument(format!("invalid ticket: {}", e.to_string_named())),
                "invalid",
            ));
        }
        let handed = HandedOver {
            signed: signed.clone(),
            params_expiration_block,
        };
        self.intake.append(&handed).await.map_err(|e| {
            tracing::error!(%e, "a ticket could not be made durable");
            Status::internal(format!("the ticket could not be stored: {e}"))
        })?;
        self.floats
            .accepted(ticket.hash(), ticket.sender, ticket.face_value);
        self.metrics.count(|c| c.grpc_accepted += 1);
        self.wake.notify_one();
        Ok(Response::new(QueueTicketRes {}))
    }

    async fn max_float(
        &self,
        request: Request<MaxFloatReq>,
    ) -> Result<Response<MaxFloatUpdate>, Status> {
        let sender = sender_of(request.get_ref())?;
        self.ensure_funds(sender).await?;
        let value = self
            .floats
            .value(sender)
            .ok_or_else(|| Status::unavailable("the sender's funds are not known yet"))?;
        Ok(Response::new(MaxFloatUpdate {
            max_float: wire::uint_bytes(value),
        }))
    }

    type MonitorMaxFloatStream = UpdateStream;

    async fn monitor_max_float(
        &self,
        request: Request<MaxFloatReq>,
    ) -> Result<Response<Self::MonitorMaxFloatStream>, Status> {
        let sender = sender_of(request.get_ref())?;
        // The current value first, so that only changes from here on are sent.
        self.ensure_funds(sender).await?;
        let updates = self.floats.subscribe(sender);
        // A subscriber that fell behind skips to newer values.
        let stream = BroadcastStream::new(updates).filter_map(|value| {
            value.ok().map(|v| {
                Ok(MaxFloatUpdate {
                    max_float: wire::uint_bytes(v),
                })
            })
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// A gRPC serving failure.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TLS identity was refused.
    #[error("TLS configuration: {0}")]
    Tls(#[from] tonic::transport::Error),
}

/// Serves `service` at `addr` with TLS until `cancel`; returns the bound address (`addr` may have
/// port 0) and the server task.
pub async fn serve(
    addr: SocketAddr,
    tls: &TlsPair,
    service: TicketService,
    cancel: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<Result<(), tonic::transport::Error>>), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    let identity = Identity::from_pem(&tls.cert_pem, &tls.key_pem);
    let router = Server::builder()
        .tls_config(ServerTlsConfig::new().identity(identity))?
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .add_service(TicketRedeemerServer::new(service));
    let incoming = TcpListenerStream::new(listener);
    let task =
        tokio::spawn(router.serve_with_incoming_shutdown(incoming, cancel.cancelled_owned()));
    Ok((bound, task))
}

/// Keeps the watched senders' funds fresh: all of them every `interval`, and a sender at once
/// when one of its tickets closed. A failed read is counted (`redeemer_max_float_read_errors_total`)
/// and retried at the next turn.
pub async fn refresh_max_floats(
    floats: Arc<MaxFloats>,
    reader: FundsReader,
    interval: Duration,
    metrics: Arc<RedeemerMetrics>,
    cancel: CancellationToken,
) {
    loop {
        let only = tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(interval) => None,
            stale = floats.stale() => Some(stale),
        };
        if let Err(err) = floats.refresh(&reader, only.as_deref()).await {
            metrics.count(|c| c.max_float_read_errors += 1);
            tracing::warn!(%err, "reading the senders' funds for max float failed");
        }
    }
}
