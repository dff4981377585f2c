//! [`HandleError`]: why a miner could not answer a request, whatever the transport.

/// Why a miner could not answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HandleError {
    /// The bytes are not a `{"task", "body"}` envelope, or the body is not the task's type.
    #[error("the request is not a valid envelope: {0}")]
    BadRequest(String),
    /// The envelope names a task this subnet does not declare.
    #[error("this subnet has no task named {0:?}")]
    UnknownTask(String),
    /// The author's miner function returned an error (its message).
    #[error("the miner failed: {0}")]
    Miner(String),
    /// The miner's answer failed to serialise to JSON.
    #[error("the answer could not be encoded: {0}")]
    Encode(String),
}

impl HandleError {
    /// Wrap a miner's own error.
    pub fn miner(e: impl std::fmt::Display) -> Self {
        HandleError::Miner(e.to_string())
    }
}
