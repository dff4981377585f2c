//! The wire form of a request: `{"task": "<TaskName>", "body": <task JSON>}`; an answer
//! is the answer type's JSON. Bad bytes give a [`HandleError`], never a panic.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::HandleError;

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub task: String,
    body: serde_json::Value,
}

#[derive(Serialize)]
struct EnvelopeRef<'a, T> {
    task: &'a str,
    body: &'a T,
}

impl Envelope {
    pub fn encode<T: Serialize>(task: &str, body: &T) -> Vec<u8> {
        serde_json::to_vec(&EnvelopeRef { task, body }).expect("task types serialise")
    }

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

    pub fn body<T: DeserializeOwned>(&self) -> Result<T, HandleError> {
        T::deserialize(&self.body).map_err(|e| HandleError::BadRequest(format!("task {:?}: {e}", self.task)))
    }
}

pub fn encode_answer<T: Serialize>(answer: &T) -> Result<Vec<u8>, HandleError> {
    serde_json::to_vec(answer).map_err(|e| HandleError::Encode(e.to_string()))
}

pub fn decode_answer<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(bytes)
}
