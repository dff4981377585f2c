//! The wire form of a request: `{"task": "<TaskName>", "body": <task JSON>}`; an answer
//! is the answer type's JSON. Bad bytes give a [`HandleError`], never a panic.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::HandleError;

/// A decoded request: the task's name and its still-undecoded JSON body.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// The task's name, which picks the miner function that answers it.
    pub task: String,
    body: serde_json::Value,
}

#[derive(Serialize)]
struct EnvelopeRef<'a, T> {
    task: &'a str,
    body: &'a T,
}

impl Envelope {
    /// Encode `body` as a request for the task named `task`.
    pub fn encode<T: Serialize>(task: &str, body: &T) -> Vec<u8> {
        serde_json::to_vec(&EnvelopeRef { task, body }).expect("task types serialise")
    }

    /// Decode a request; bytes that are not an envelope give [`HandleError::BadRequest`].
    pub fn decode(bytes: &[u8]) -> Result<Self, HandleError> {
        serde_json::from_slice(bytes).map_err(|e| HandleError::BadRequest(e.to_string()))
    }

    /// Just the task name of an encoded envelope (the body is skipped, not parsed).
    pub fn task_name(bytes: &[u8]) -> Option<String> {
        #[derive(Deserialize)]
        struct Name {
            task: String,
        }
        serde_json::from_slice::<Name>(bytes).ok().map(|n| n.task)
    }

    /// Decode the body as the task type `T`; a mismatch gives [`HandleError::BadRequest`].
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, HandleError> {
        T::deserialize(&self.body).map_err(|e| HandleError::BadRequest(format!("task {:?}: {e}", self.task)))
    }
}

/// Encode a miner's answer as its JSON wire form.
pub fn encode_answer<T: Serialize>(answer: &T) -> Result<Vec<u8>, HandleError> {
    serde_json::to_vec(answer).map_err(|e| HandleError::Encode(e.to_string()))
}

/// Decode a miner's answer from its JSON wire form (the validator side).
pub fn decode_answer<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(bytes)
}
