//! The validator's kept connection to one miner: an HTTP/2 connection (the `h2` crate,
//! driven directly: a request opens its stream from the caller's own task, with no
//! dispatch task between), opened on first use and re-opened when the miner closes it
//! (its session lifetime) or it fails. A request the closing connection refused before
//! sending anything is retried once on the new one, so a session ending costs no
//! request.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use h2::client::{ResponseFuture, SendRequest};
use h2::{RecvStream, SendStream};
use http::HeaderMap;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;

use super::server::QUERY_PATH;
use super::tls::verifier::readable;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a connection to a miner could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct LinkError(pub(crate) String);

/// An open connection: its request handle, and whether its driver has ended.
#[derive(Clone)]
struct Open {
    sender: SendRequest<Bytes>,
    closed: Arc<AtomicBool>,
}

/// One miner's connection, shared by every request to it.
pub(crate) struct Link {
    addr: SocketAddr,
    /// The unary method's URI at this address, made once.
    query_uri: http::Uri,
    /// `None`: plaintext HTTP/2.
    tls: Option<TlsConnector>,
    connect_timeout: Duration,
    open: Mutex<Option<Open>>,
    /// Held while connecting, so concurrent first requests open one connection.
    connecting: tokio::sync::Mutex<()>,
}

impl Link {
    pub(crate) fn new(addr: SocketAddr, tls: Option<TlsConnector>, connect_timeout: Duration) -> Arc<Self> {
        let query_uri = http::Uri::try_from(format!("http://{addr}{QUERY_PATH}")).expect("a socket address and a path make a URI");
        Arc::new(Self { addr, query_uri, tls, connect_timeout, open: Mutex::new(None), connecting: tokio::sync::Mutex::new(()) })
    }

    /// Where the unary method is, on this miner.
    pub(crate) fn query_uri(&self) -> &http::Uri {
        &self.query_uri
    }

    /// The open connection, if its driver still runs.
    fn current(&self) -> Option<Open> {
        match &*self.open.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(o) if !o.closed.load(Ordering::Acquire) => Some(o.clone()),
            _ => None,
        }
    }

    /// The open connection, or a new one.
    async fn connection(&self) -> Result<Open, LinkError> {
        if let Some(o) = self.current() {
            return Ok(o);
        }
        let _connecting = self.connecting.lock().await;
        if let Some(o) = self.current() {
            return Ok(o); // another request connected meanwhile
        }
        let opened = tokio::time::timeout(self.connect_timeout, self.connect())
            .await
            .map_err(|_| LinkError(format!("connecting to {} timed out after {:?}", self.addr, self.connect_timeout)))?
            .map_err(|e| LinkError(e.to_string()))?;
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = Some(opened.clone());
        Ok(opened)
    }

    async fn connect(&self) -> std::io::Result<Open> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        match &self.tls {
            Some(tls) => http2(tls.connect(ServerName::IpAddress(self.addr.ip().into()), tcp).await.map_err(readable)?).await,
            None => http2(tcp).await,
        }
    }

    /// Forget `stale` if it is still the connection kept, so the next request opens
    /// another.
    fn forget(&self, stale: &Open) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.as_ref().is_some_and(|o| Arc::ptr_eq(&o.closed, &stale.closed)) {
            *open = None;
        }
    }

    /// Open a request stream with `headers` on `uri`; the body follows on the returned
    /// stream. A connection that refuses new streams (closing) is replaced once.
    pub(crate) async fn open_stream(&self, uri: &http::Uri, headers: &HeaderMap) -> Result<(ResponseFuture, SendStream<Bytes>), LinkError> {
        let mut retried = false;
        loop {
            let open = self.connection().await?;
            let attempt = async {
                let mut ready = open.sender.clone().ready().await?;
                let mut request = http::Request::new(());
                *request.method_mut() = http::Method::POST;
                *request.uri_mut() = uri.clone();
                *request.headers_mut() = headers.clone();
                ready.send_request(request, false)
            };
            match attempt.await {
                Ok(opened) => return Ok(opened),
                // Nothing was sent: a closing connection (GOAWAY) or a dead one.
                Err(e) if !retried => {
                    tracing::debug!("a miner connection refused a new request ({e}); reconnecting");
                    self.forget(&open);
                    retried = true;
                }
                Err(e) => return Err(LinkError(e.to_string())),
            }
        }
    }

    /// Send a whole request (headers, then `body` ending the stream) and wait for the
    /// response head; its body streams behind.
    pub(crate) async fn request(&self, uri: &http::Uri, headers: &HeaderMap, body: Bytes) -> Result<http::Response<H2Body>, LinkError> {
        let (response, mut send) = self.open_stream(uri, headers).await?;
        send.send_data(body, true).map_err(|e| LinkError(e.to_string()))?;
        let response = response.await.map_err(|e| LinkError(e.to_string()))?;
        Ok(response.map(H2Body::new))
    }
}

/// An HTTP/2 connection over `io`, driven by its own task.
async fn http2<I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(io: I) -> std::io::Result<Open> {
    let (sender, connection) = h2::client::Builder::new()
        // Large windows: small requests never wait for WINDOW_UPDATE round trips.
        .initial_window_size(1 << 20)
        .initial_connection_window_size(8 << 20)
        .handshake::<_, Bytes>(io)
        .await
        .map_err(std::io::Error::other)?;
    let closed = Arc::new(AtomicBool::new(false));
    let flag = closed.clone();
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("connection to a miner ended: {e}");
        }
        flag.store(true, Ordering::Release);
    });
    Ok(Open { sender, closed })
}

/// A response body from `h2`, as an `http_body::Body` (and its flow-control window
/// given back as it is read).
pub(crate) struct H2Body {
    recv: RecvStream,
    data_done: bool,
}

impl H2Body {
    pub(crate) fn new(recv: RecvStream) -> Self {
        Self { recv, data_done: false }
    }
}

impl Body for H2Body {
    type Data = Bytes;
    type Error = h2::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, h2::Error>>> {
        if !self.data_done {
            match std::task::ready!(self.recv.poll_data(cx)) {
                Some(Ok(data)) => {
                    let _ = self.recv.flow_control().release_capacity(data.len());
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => self.data_done = true,
            }
        }
        match std::task::ready!(self.recv.poll_trailers(cx)) {
            Ok(Some(trailers)) => Poll::Ready(Some(Ok(Frame::trailers(trailers)))),
            Ok(None) => Poll::Ready(None),
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.recv.is_end_stream()
    }
}

/// A [`Link`] as the service tonic's gRPC client calls (the streaming method).
#[derive(Clone)]
pub(crate) struct LinkService(pub(crate) Arc<Link>);

impl tower_service::Service<http::Request<tonic::body::Body>> for LinkService {
    type Response = http::Response<H2Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is the connection's, awaited in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let link = self.0.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            // A streaming call's request is one message: send it whole.
            let body = body.collect().await?.to_bytes();
            Ok(link.request(&parts.uri, &parts.headers, body).await?)
        })
    }
}
