//! [`Protocol`]: a subnet's wire protocol described as data (tasks, answer types,
//! streaming), so clients in other languages can call its miners.

use serde::Serialize;

/// A description of a subnet's protocol that clients in other languages can use.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Protocol {
    /// The subnet's name (`SubnetSpec::NAME`).
    pub name: String,
    /// The protocol version (`SubnetSpec::VERSION`, the weights version key on the chain).
    pub version: u64,
    /// Requests are `{"task": <name>, "body": <task as JSON>}`; answers are the answer
    /// type as JSON.
    pub encoding: &'static str,
    /// One entry per task the miners answer.
    pub tasks: Vec<TaskProtocol>,
}

/// One task of a [`Protocol`]: its name, its answer type, whether it streams.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskProtocol {
    /// The task's name, as sent in the envelope's `task` field.
    pub task: String,
    /// The answer type, or for a streamed task the type of each chunk.
    pub answer: String,
    /// Answered by `QueryStream`, one chunk per message (a unary `Query` gets the
    /// chunks as one JSON array).
    pub streamed: bool,
}

/// The protocol description as JSON.
pub fn protocol_json(p: &Protocol) -> String {
    serde_json::to_string(p).expect("plain data serialises")
}

impl Protocol {
    /// `tasks`: (task, answer or chunk type, streamed).
    pub fn new(name: &str, version: u64, tasks: &[(&str, &str, bool)]) -> Self {
        Self {
            name: name.to_string(),
            version,
            encoding: "json",
            tasks: tasks.iter().map(|(t, a, s)| TaskProtocol { task: t.to_string(), answer: a.to_string(), streamed: *s }).collect(),
        }
    }
}
