//! The miner's accept loop: each TCP connection is handed to its own task that tells
//! TLS from plaintext by the first byte and runs the TLS handshake, bounded in time and
//! in number, so a slow or hostile client never holds up the next one. Plaintext
//! connections are served too, only so that their requests can be refused with a typed
//! reason (`tls_required`) rather than a dropped socket, or, where the miner allows
//! it, authenticated by per-request signatures.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::server::ServerStats;
use super::tls::binding::checked_hotkey;
use super::tls::verifier::readable;

/// The first byte of a TLS record carrying a handshake message (a ClientHello).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// What the server knows of a connection, attached to each of its requests.
#[derive(Clone, Debug)]
pub(crate) struct ConnInfo {
    /// Whether the connection is TLS.
    pub(crate) tls: bool,
    /// The hotkey the caller proved in the handshake (TLS with a client certificate).
    pub(crate) caller: Option<[u8; 32]>,
}

/// An accepted connection, TLS or plaintext.
pub(crate) struct Conn {
    io: Io,
    info: ConnInfo,
}

enum Io {
    Tls(Box<TlsStream<TcpStream>>),
    Plain(TcpStream),
}

/// Limits of the handshake stage.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HandshakeLimits {
    /// The longest a client may take to complete its handshake.
    pub(crate) timeout: Duration,
    /// Handshakes running at once; further connections wait in the kernel's backlog.
    pub(crate) concurrent: usize,
}

/// Accept connections on `listener` until the returned stream is dropped.
pub(crate) fn incoming(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    limits: HandshakeLimits,
    stats: Arc<ServerStats>,
) -> tokio_stream::wrappers::ReceiverStream<Conn> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(limits.concurrent.max(1)));
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            let (tcp, remote) = tokio::select! {
                _ = tx.closed() => return,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, do not spin.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let (tx, acceptor, stats) = (tx.clone(), acceptor.clone(), stats.clone());
            tokio::spawn(async move {
                let _slot = slot;
                match tokio::time::timeout(limits.timeout, establish(tcp, acceptor)).await {
                    Ok(Ok(conn)) => {
                        stats.connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let _ = tx.send(conn).await;
                    }
                    Ok(Err(e)) => tracing::debug!(%remote, "connection refused at the handshake: {e}"),
                    Err(_) => tracing::debug!(%remote, "handshake timed out"),
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// Tell TLS from plaintext and, for TLS, run the handshake and read the caller's hotkey.
async fn establish(tcp: TcpStream, acceptor: TlsAcceptor) -> io::Result<Conn> {
    tcp.set_nodelay(true)?;
    let mut first = [0u8; 1];
    if tcp.peek(&mut first).await? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed before sending anything"));
    }
    if first[0] != TLS_HANDSHAKE_RECORD {
        return Ok(Conn { io: Io::Plain(tcp), info: ConnInfo { tls: false, caller: None } });
    }
    let tls = acceptor.accept(tcp).await.map_err(readable)?;
    // The verifier checked the certificate in the handshake (binding signature,
    // expiry); read the hotkey it proves once, here, rather than on every request.
    let caller = match tls.get_ref().1.peer_certificates() {
        Some([cert]) => {
            Some(checked_hotkey(cert).ok_or_else(|| io::Error::new(io::ErrorKind::PermissionDenied, "the caller's certificate names no hotkey"))?)
        }
        _ => None,
    };
    Ok(Conn { io: Io::Tls(Box::new(tls)), info: ConnInfo { tls: true, caller } })
}

impl Conn {
    /// What the server knows of the connection.
    pub(crate) fn info(&self) -> &ConnInfo {
        &self.info
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Io::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Io::Plain(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().io {
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Io::Plain(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().io {
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
            Io::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.io {
            Io::Tls(s) => s.is_write_vectored(),
            Io::Plain(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Io::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Io::Plain(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Io::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Io::Plain(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
