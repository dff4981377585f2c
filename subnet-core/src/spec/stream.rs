//! Streamed answers: a miner sends its answer in chunks (tokens, partial results) as
//! it produces them; the validator receives them over gRPC server streaming and
//! scores the whole sequence, knowing when the first chunk arrived.
//!
//! On the wire each chunk is one gRPC message holding the chunk type's JSON. Collected,
//! a streamed answer is the JSON array of its chunks, which is also what a unary
//! request for a streamed task returns.

use std::marker::PhantomData;

use bytes::Bytes;
use serde::Serialize;
use tokio::sync::mpsc;

use super::{encode_answer, HandleError};

/// Where a miner's handler writes the chunks of a streamed answer.
pub struct ChunkSink {
    tx: mpsc::Sender<Result<Bytes, tonic::Status>>,
}

impl ChunkSink {
    pub(crate) fn new(tx: mpsc::Sender<Result<Bytes, tonic::Status>>) -> Self {
        Self { tx }
    }

    /// Send one chunk; waits while the caller is behind, fails once it has gone.
    pub async fn send(&self, chunk: Vec<u8>) -> Result<(), HandleError> {
        self.tx.send(Ok(Bytes::from(chunk))).await.map_err(|_| HandleError::Miner("the caller went away".into()))
    }
}

/// The typed side of a [`ChunkSink`], as a `#[miner]` function takes it:
/// `async fn generate(task: Prompt, out: Chunks<Token>) -> Result<()>`.
pub struct Chunks<A> {
    sink: ChunkSink,
    _answer: PhantomData<fn(A)>,
}

impl<A: Serialize> Chunks<A> {
    /// Wrap a raw sink so the handler sends typed chunks.
    pub fn new(sink: ChunkSink) -> Self {
        Self { sink, _answer: PhantomData }
    }

    /// Encode one chunk as JSON and send it; fails once the caller has gone.
    pub async fn send(&self, chunk: A) -> Result<(), HandleError> {
        self.sink.send(encode_answer(&chunk)?).await
    }
}

/// Run a streaming handler to the end and return its chunks as one JSON array (the
/// unary form of a streamed answer).
pub async fn collect_chunks<F, Fut>(run: F) -> Result<Vec<u8>, HandleError>
where
    F: FnOnce(ChunkSink) -> Fut,
    Fut: std::future::Future<Output = Result<(), HandleError>>,
{
    let (tx, mut rx) = mpsc::channel(64);
    let producing = run(ChunkSink::new(tx));
    let mut chunks = Vec::new();
    // Drive the handler and drain its chunks together, so a long answer never blocks
    // on a full channel.
    tokio::pin!(producing);
    let mut done = None;
    loop {
        tokio::select! {
            biased;
            chunk = rx.recv() => match chunk {
                Some(Ok(c)) => chunks.push(c),
                Some(Err(status)) => return Err(HandleError::Miner(status.message().to_string())),
                None => break,
            },
            result = &mut producing, if done.is_none() => done = Some(result),
        }
    }
    match done {
        Some(result) => result?,
        None => producing.await?,
    }
    Ok(join_chunks(&chunks))
}

/// `[chunk,chunk,…]`: the chunks' JSON as one JSON array.
pub fn join_chunks(chunks: &[Bytes]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + chunks.iter().map(|c| c.len() + 1).sum::<usize>());
    out.push(b'[');
    for (i, c) in chunks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(c);
    }
    out.push(b']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunks_collect_into_a_json_array_in_order() {
        let bytes = collect_chunks(|sink| async move {
            let out = Chunks::<String>::new(sink);
            for word in ["a", "b", "c"].iter().cycle().take(200) {
                out.send(word.to_string()).await?;
            }
            Ok(())
        })
        .await
        .unwrap();
        let words: Vec<String> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(words.len(), 200);
        assert_eq!(&words[..4], ["a", "b", "c", "a"]);
        assert_eq!(collect_chunks(|_sink| async { Ok(()) }).await.unwrap(), b"[]");
        let failed = collect_chunks(|_sink| async { Err(HandleError::miner("model crashed")) }).await;
        assert_eq!(failed, Err(HandleError::Miner("model crashed".into())));
    }
}
