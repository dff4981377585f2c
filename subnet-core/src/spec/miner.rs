//! [`MinerSpec`]: the miner side of a subnet (answer one request, whole or streamed).

use async_trait::async_trait;

use super::{ChunkSink, HandleError, RequestContext};

/// A miner's result type: any error that displays.
pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// The miner side: answer one request.
#[async_trait]
pub trait MinerSpec: Send + Sync {
    /// Answer one request: `payload` is an encoded [`Envelope`](super::Envelope), the result
    /// the answer's JSON.
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> std::result::Result<Vec<u8>, HandleError>;

    /// Answer in chunks, for a streaming request. By default the whole answer is one
    /// chunk; subnets with streamed tasks send each chunk as it is made.
    async fn handle_stream(&self, ctx: &RequestContext, payload: &[u8], sink: ChunkSink) -> std::result::Result<(), HandleError> {
        let answer = self.handle(ctx, payload).await?;
        sink.send(answer).await
    }
}
