//! One accepted connection served over HTTP/2 (hyper, driven directly: no per-request
//! layers beyond the miner's own service): its requests carry the connection's
//! identity, and it is closed gracefully when its session lifetime ends or the server
//! shuts down.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::watch;

use super::listener::{Conn, ConnInfo};
use super::server::MinerServer;

/// How long requests still running when a connection is closed may take to finish.
const CLOSE_GRACE: Duration = Duration::from_secs(15);

/// HTTP/2 settings of a miner's connections.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Http2Limits {
    /// Largest header block a request may send (the signed header is ~250 bytes).
    pub(crate) max_header_list: u32,
    /// Streams a caller may have open at once.
    pub(crate) max_concurrent_streams: u32,
    /// The connection lasts at most this long.
    pub(crate) lifetime: Duration,
}

/// The miner's service for one connection: each request gets the connection's
/// identity, then goes to the shared [`MinerServer`].
struct ConnService {
    server: MinerServer,
    info: ConnInfo,
}

impl hyper::service::Service<http::Request<Incoming>> for ConnService {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, mut request: http::Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(self.info.clone());
        self.server.handle(request)
    }
}

/// Serve `conn` until the caller closes it, its lifetime ends, or `shutdown` turns true.
pub(crate) async fn serve(conn: Conn, server: MinerServer, limits: Http2Limits, mut shutdown: watch::Receiver<bool>) {
    let info = conn.info().clone();
    let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    builder
        .max_header_list_size(limits.max_header_list)
        .max_concurrent_streams(limits.max_concurrent_streams)
        // Large windows: small requests never wait for WINDOW_UPDATE round trips.
        .initial_stream_window_size(1 << 20)
        .initial_connection_window_size(8 << 20)
        .auto_date_header(false);
    let connection = builder.serve_connection(TokioIo::new(conn), ConnService { server, info });
    tokio::pin!(connection);
    let closing = tokio::select! {
        _ = &mut connection => return,
        _ = tokio::time::sleep(limits.lifetime) => "session lifetime",
        _ = shutdown.wait_for(|stop| *stop) => "shutdown",
    };
    tracing::debug!("closing a connection: {closing}");
    // GOAWAY: no new requests; running ones finish (within the grace period).
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(CLOSE_GRACE, connection).await;
}
