//! The validator's kept connection to one miner: an HTTP/2 connection (hyper, driven
//! directly), opened on first use and re-opened when the miner closes it (its session
//! lifetime) or it fails. A request the closing connection never sent is retried once
//! on the new one, so a session ending costs no request.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tonic::body::Body;

use super::server::QUERY_PATH;
use super::tls::verifier::readable;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a connection to a miner could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct LinkError(String);

/// One miner's connection, shared by every request to it.
pub(crate) struct Link {
    addr: SocketAddr,
    /// The unary method's URI at this address, made once.
    query_uri: http::Uri,
    /// `None`: plaintext HTTP/2.
    tls: Option<TlsConnector>,
    connect_timeout: Duration,
    sender: Mutex<Option<SendRequest<Body>>>,
    /// Held while connecting, so concurrent first requests open one connection.
    connecting: tokio::sync::Mutex<()>,
}

impl Link {
    pub(crate) fn new(addr: SocketAddr, tls: Option<TlsConnector>, connect_timeout: Duration) -> Arc<Self> {
        let query_uri = http::Uri::try_from(format!("http://{addr}{QUERY_PATH}")).expect("a socket address and a path make a URI");
        Arc::new(Self { addr, query_uri, tls, connect_timeout, sender: Mutex::new(None), connecting: tokio::sync::Mutex::new(()) })
    }

    /// Where the unary method is, on this miner.
    pub(crate) fn query_uri(&self) -> &http::Uri {
        &self.query_uri
    }

    /// The open connection, if it still takes requests.
    fn current(&self) -> Option<SendRequest<Body>> {
        match &*self.sender.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(s) if !s.is_closed() => Some(s.clone()),
            _ => None,
        }
    }

    /// The open connection, or a new one.
    async fn sender(&self) -> Result<SendRequest<Body>, LinkError> {
        if let Some(s) = self.current() {
            return Ok(s);
        }
        let _connecting = self.connecting.lock().await;
        if let Some(s) = self.current() {
            return Ok(s); // another request connected meanwhile
        }
        let opened = tokio::time::timeout(self.connect_timeout, self.connect())
            .await
            .map_err(|_| LinkError(format!("connecting to {} timed out after {:?}", self.addr, self.connect_timeout)))?
            .map_err(|e| LinkError(e.to_string()))?;
        *self.sender.lock().unwrap_or_else(|e| e.into_inner()) = Some(opened.clone());
        Ok(opened)
    }

    async fn connect(&self) -> std::io::Result<SendRequest<Body>> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        match &self.tls {
            Some(tls) => http2(tls.connect(ServerName::IpAddress(self.addr.ip().into()), tcp).await.map_err(readable)?).await,
            None => http2(tcp).await,
        }
    }

    /// Forget the connection if it is closed, so the next request opens another.
    fn forget_closed(&self) {
        let mut sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        if sender.as_ref().is_some_and(|s| s.is_closed()) {
            *sender = None;
        }
    }

    pub(crate) async fn send(self: Arc<Self>, request: http::Request<Body>) -> Result<http::Response<Incoming>, BoxError> {
        let mut sender = self.sender().await?;
        let request = match sender.try_send_request(request).await {
            Ok(response) => return Ok(response),
            Err(mut e) => match e.take_message() {
                // Never sent (the connection was closing): once more on a new one.
                Some(request) => request,
                None => return Err(e.into_error().into()),
            },
        };
        self.forget_closed();
        let mut sender = self.sender().await?;
        Ok(sender.send_request(request).await?)
    }
}

/// An HTTP/2 connection over `io`, driven by its own task.
async fn http2<I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(io: I) -> std::io::Result<SendRequest<Body>> {
    let (sender, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        // Large windows: small requests never wait for WINDOW_UPDATE round trips.
        .initial_stream_window_size(1 << 20)
        .initial_connection_window_size(8 << 20)
        .handshake(TokioIo::new(io))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("connection to a miner ended: {e}");
        }
    });
    Ok(sender)
}

/// A [`Link`] as the service tonic's gRPC client calls.
#[derive(Clone)]
pub(crate) struct LinkService(pub(crate) Arc<Link>);

impl tower_service::Service<http::Request<Body>> for LinkService {
    type Response = http::Response<Incoming>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is the connection's, awaited in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(self.0.clone().send(request))
    }
}
