//! A Prometheus text-format endpoint (`GET /metrics`) for miners and validators.
//!
//! The scrape protocol needs only a tiny HTTP/1.1 responder, so none is pulled in:
//! a request head of at most 8 KiB, read within 5 s, answered and closed.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Renders the current metrics as Prometheus text.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

/// Builds Prometheus text: `# HELP`, `# TYPE`, then samples.
#[derive(Default)]
pub struct Exposition(String);

impl Exposition {
    /// An empty exposition.
    pub fn new() -> Self {
        Self::default()
    }

    /// One metric with its samples: `(labels, value)`, labels as `key="value"` pairs.
    pub fn metric(&mut self, name: &str, kind: &str, help: &str, samples: &[(&[(&str, String)], f64)]) -> &mut Self {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))).collect();
            let labels = if labels.is_empty() { String::new() } else { format!("{{{}}}", labels.join(",")) };
            let _ = writeln!(self.0, "{name}{labels} {value}");
        }
        self
    }

    /// The text built so far; the exposition is left empty for the next scrape.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

/// Serve `render` at `http://addr/metrics` until the returned task is aborted.
pub async fn serve(addr: SocketAddr, render: Render) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let render = render.clone();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(5), answer(stream, render)).await;
            });
        }
    });
    Ok((local, task))
}

async fn answer(mut stream: tokio::net::TcpStream, render: Render) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > 8 * 1024 {
            return Ok(()); // closed early, or a head too large to be a scrape
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let (status, body) = if line.starts_with(b"GET /metrics ") || line.starts_with(b"GET /metrics?") {
        ("200 OK", render())
    } else {
        ("404 Not Found", "try /metrics\n".to_string())
    };
    let response =
        format!("HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The response, or what arrived of it before the server hung up.
    async fn get(addr: SocketAddr, request: &[u8]) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _ = s.write_all(request).await;
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn scrapes_get_the_text_and_anything_else_a_404() {
        let render: Render = Arc::new(|| {
            Exposition::new()
                .metric("subnet_requests_total", "counter", "Requests by outcome.", &[(&[("outcome", "served".into())], 3.0)])
                .metric("subnet_up", "gauge", "Always 1.", &[(&[], 1.0)])
                .finish()
        });
        let (addr, task) = serve("127.0.0.1:0".parse().unwrap(), render).await.unwrap();
        let ok = get(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.contains("# TYPE subnet_requests_total counter\nsubnet_requests_total{outcome=\"served\"} 3\n"), "{ok}");
        assert!(ok.contains("\nsubnet_up 1\n"), "{ok}");
        assert!(get(addr, b"GET / HTTP/1.1\r\n\r\n").await.starts_with("HTTP/1.1 404"));
        // A head that never ends, or is too long, is dropped without an answer.
        assert_eq!(get(addr, &vec![b'a'; 9000]).await, "");
        assert!(get(addr, b"GET /metrics HTTP/1.1\r\n\r\n").await.contains("200 OK"), "still serving");
        task.abort();
    }
}
