//! One accepted connection served over HTTP/2 (the `h2` crate, driven directly): each
//! request runs as its own task with the connection's identity, its answer written
//! straight to its stream; the connection is closed gracefully when its session
//! lifetime ends or the server shuts down.

use std::time::Duration;

use bytes::Bytes;
use h2::server::SendResponse;
use http::{HeaderMap, HeaderValue};
use tokio::sync::watch;
use tonic::Status;

use super::framing::frame;
use super::link::H2Body;
use super::listener::Conn;
use super::server::{MinerServer, QUERY_PATH, QUERY_STREAM_PATH};

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

/// Serve `conn` until the caller closes it, its lifetime ends, or `shutdown` turns true.
pub(crate) async fn serve(conn: Conn, server: MinerServer, limits: Http2Limits, mut shutdown: watch::Receiver<bool>) {
    let info = conn.info().clone();
    let handshake = h2::server::Builder::new()
        .max_header_list_size(limits.max_header_list)
        .max_concurrent_streams(limits.max_concurrent_streams)
        // Large windows: small requests never wait for WINDOW_UPDATE round trips.
        .initial_window_size(1 << 20)
        .initial_connection_window_size(8 << 20)
        .handshake::<_, Bytes>(conn);
    let mut connection = match tokio::time::timeout(Duration::from_secs(10), handshake).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return tracing::debug!("not an HTTP/2 client: {e}"),
        Err(_) => return tracing::debug!("no HTTP/2 preface in time"),
    };
    let lifetime = tokio::time::sleep(limits.lifetime);
    tokio::pin!(lifetime);
    let mut closing: Option<tokio::time::Instant> = None;
    loop {
        let grace = async {
            match closing {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            next = connection.accept() => match next {
                Some(Ok((request, respond))) => {
                    let (server, info) = (server.clone(), info.clone());
                    tokio::spawn(async move {
                        let (mut parts, body) = request.into_parts();
                        parts.extensions.insert(info);
                        respond_to(server, http::Request::from_parts(parts, H2Body::new(body)), respond).await;
                    });
                }
                Some(Err(e)) => return tracing::debug!("connection ended: {e}"),
                None => return,
            },
            _ = &mut lifetime, if closing.is_none() => {
                // GOAWAY: no new requests; running ones finish (within the grace period).
                connection.graceful_shutdown();
                closing = Some(tokio::time::Instant::now() + CLOSE_GRACE);
            }
            _ = shutdown.wait_for(|stop| *stop), if closing.is_none() => {
                connection.graceful_shutdown();
                closing = Some(tokio::time::Instant::now() + CLOSE_GRACE);
            }
            _ = grace => return,
        }
    }
}

/// Serve one request and write its answer, refusal or chunks to its stream.
async fn respond_to(server: MinerServer, request: http::Request<H2Body>, mut respond: SendResponse<Bytes>) {
    match request.uri().path() {
        QUERY_PATH => match server.unary(request).await {
            Ok(answer) => write_answer(&mut respond, &answer),
            Err(status) => write_status(&mut respond, &status),
        },
        QUERY_STREAM_PATH => match server.stream(request).await {
            Ok(mut chunks) => {
                let Ok(mut stream) = respond.send_response(grpc_head(), false) else { return };
                let mut end = Status::ok("");
                while let Some(chunk) = chunks.recv().await {
                    match chunk {
                        Ok(chunk) if stream.send_data(frame(&chunk), false).is_ok() => {}
                        Ok(_) => return, // the caller reset the stream
                        Err(status) => {
                            end = status;
                            break;
                        }
                    }
                }
                let _ = stream.send_trailers(status_headers(&end));
            }
            Err(status) => write_status(&mut respond, &status),
        },
        other => write_status(&mut respond, &Status::unimplemented(format!("no method {other}"))),
    }
}

fn grpc_head() -> http::Response<()> {
    let mut head = http::Response::new(());
    head.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    head
}

fn status_headers(status: &Status) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(3);
    if status.add_header(&mut headers).is_err() {
        headers.insert("grpc-status", HeaderValue::from_static("13"));
    }
    headers
}

/// A successful unary answer: HEADERS, DATA, trailers `grpc-status: 0`.
fn write_answer(respond: &mut SendResponse<Bytes>, answer: &[u8]) {
    if let Ok(mut stream) = respond.send_response(grpc_head(), false) {
        let mut trailers = HeaderMap::with_capacity(1);
        trailers.insert("grpc-status", HeaderValue::from_static("0"));
        let _ = stream.send_data(frame(answer), false).and_then(|()| stream.send_trailers(trailers));
    }
}

/// A refusal: a trailers-only response (the status in the one HEADERS frame).
fn write_status(respond: &mut SendResponse<Bytes>, status: &Status) {
    let mut head = grpc_head();
    head.headers_mut().extend(status_headers(status));
    let _ = respond.send_response(head, true);
}
