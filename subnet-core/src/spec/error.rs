//! [`HandleError`]: why a miner could not answer a request, whatever the transport.

/// Why a miner could not answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HandleError {
    #[error("the request is not a valid envelope: {0}")]
    BadRequest(String),
    #[error("this subnet has no task named {0:?}")]
    UnknownTask(String),
    #[error("the miner failed: {0}")]
    Miner(String),
    #[error("the answer could not be encoded: {0}")]
    Encode(String),
}

impl HandleError {
    /// Wrap a miner's own error.
    pub fn miner(e: impl std::fmt::Display) -> Self {
        HandleError::Miner(e.to_string())
    }
}
