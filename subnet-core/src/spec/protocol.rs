//! [`Protocol`]: a subnet's wire protocol described as data (tasks, answer types, their
//! JSON fields, streaming), so clients and miners in other languages can speak it, and
//! its [`fingerprint`](Protocol::fingerprint), which changes whenever any of that does.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AccessRules;

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
    /// The task and answer types, in declaration order, with their JSON fields.
    pub types: Vec<TypeProtocol>,
    /// Who the subnet's miners serve (`#[access]`): a miner in another language applies
    /// the same rules. Left out of the JSON when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessRules>,
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

/// A `#[task]` or `#[answer]` type: a struct's JSON fields, or `None` for a type whose
/// JSON shape is not a plain object of named fields (an enum, a tuple struct).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeProtocol {
    /// The type's name (the `task` / `answer` names of [`TaskProtocol`]).
    pub name: String,
    /// The fields in declaration order, or `None` when the shape is not described.
    pub fields: Option<Vec<FieldProtocol>>,
}

/// One field of a [`TypeProtocol`]: its JSON name and its Rust type as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldProtocol {
    /// The field's key in the JSON object.
    pub name: String,
    /// The Rust type as the declaration spells it, without spaces (`Vec<String>`,
    /// `Option<u64>`), for generators to map to their language's types.
    #[serde(rename = "type")]
    pub ty: String,
}

/// A type's fields as `#[subnet]` passes them: (field, Rust type), or `None`.
pub type DeclaredFields<'a> = Option<&'a [(&'a str, &'a str)]>;

/// The protocol description as JSON, with its fingerprint.
pub fn protocol_json(p: &Protocol) -> String {
    /// The description's own fields in declaration order, then its fingerprint.
    #[derive(Serialize)]
    struct Described<'a> {
        #[serde(flatten)]
        protocol: &'a Protocol,
        fingerprint: String,
    }
    serde_json::to_string(&Described { protocol: p, fingerprint: p.fingerprint() }).expect("plain data serialises")
}

/// The fingerprint of a protocol description given as JSON (its `fingerprint` key, if
/// any, left out): what [`Protocol::fingerprint`] gives for the protocol it describes,
/// so another language's copy of the description can be checked against the subnet's.
pub fn fingerprint_of_json(json: &str) -> Result<String, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_str(json)?;
    if let serde_json::Value::Object(map) = &mut value {
        map.remove("fingerprint");
    }
    Ok(fingerprint_of_value(&value))
}

/// SHA-256 of the canonical JSON (keys sorted, no spaces), first 16 hex digits: the
/// same value whatever order a language's JSON library keeps keys in.
fn fingerprint_of_value(value: &serde_json::Value) -> String {
    let mut canonical = String::new();
    write_canonical(value, &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    hex::encode(&digest[..8])
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

impl Protocol {
    /// `tasks`: (task, answer or chunk type, streamed).
    pub fn new(name: &str, version: u64, tasks: &[(&str, &str, bool)]) -> Self {
        Self {
            name: name.to_string(),
            version,
            encoding: "json",
            tasks: tasks.iter().map(|(t, a, s)| TaskProtocol { task: t.to_string(), answer: a.to_string(), streamed: *s }).collect(),
            types: Vec::new(),
            access: None,
        }
    }

    /// With the subnet's access rules, so miners in other languages serve as its own do.
    pub fn with_access(mut self, access: AccessRules) -> Self {
        self.access = Some(access);
        self
    }

    /// With the task and answer types' fields: (type, its fields or `None`).
    pub fn with_types(mut self, types: &[(&str, DeclaredFields<'_>)]) -> Self {
        self.types = types
            .iter()
            .map(|(name, fields)| TypeProtocol {
                name: name.to_string(),
                fields: fields.map(|fs| fs.iter().map(|(f, t)| FieldProtocol { name: f.to_string(), ty: t.to_string() }).collect()),
            })
            .collect();
        self
    }

    /// A short hash of the whole description (names, version, tasks, fields and their
    /// types, access rules): a miner built for another protocol has another fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint_of_value(&serde_json::to_value(self).expect("plain data serialises"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum() -> Protocol {
        Protocol::new("sum", 1, &[("Add", "Total", false)])
            .with_types(&[("Add", Some(&[("a", "i64"), ("b", "i64")])), ("Total", Some(&[("value", "i64")]))])
    }

    #[test]
    fn the_json_carries_fields_and_a_fingerprint_that_its_own_text_reproduces() {
        let json = protocol_json(&sum());
        assert!(json.contains(r#"{"name":"Add","fields":[{"name":"a","type":"i64"},{"name":"b","type":"i64"}]}"#), "{json}");
        assert!(json.contains(&format!(r#""fingerprint":"{}""#, sum().fingerprint())), "{json}");
        assert_eq!(fingerprint_of_json(&json).unwrap(), sum().fingerprint());
        // Key order does not matter: a reordered copy has the same fingerprint.
        let reordered = r#"{"version":1,"name":"sum","encoding":"json","types":[{"fields":[{"type":"i64","name":"a"},{"name":"b","type":"i64"}],"name":"Add"},{"name":"Total","fields":[{"name":"value","type":"i64"}]}],"tasks":[{"streamed":false,"task":"Add","answer":"Total"}]}"#;
        assert_eq!(fingerprint_of_json(reordered).unwrap(), sum().fingerprint());
    }

    #[test]
    fn access_rules_are_described_and_read_back() {
        let rules = AccessRules::validators_only().min_stake_tao(2).rate_limit(7.5, 12).max_concurrent(3);
        let json = protocol_json(&sum().with_access(rules));
        assert!(
            json.contains(r#""access":{"require_registered":true,"require_validator_permit":true,"min_stake":2000000000,"rate_limit":[7.5,12],"max_concurrent":3}"#),
            "{json}"
        );
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::from_value::<AccessRules>(value["access"].clone()).unwrap(), rules);
        assert!(!protocol_json(&sum()).contains("access"), "no rules given, none described");
    }

    #[test]
    fn any_change_of_the_protocol_changes_the_fingerprint() {
        let base = sum().fingerprint();
        let field_type = Protocol::new("sum", 1, &[("Add", "Total", false)])
            .with_types(&[("Add", Some(&[("a", "i64"), ("b", "u64")])), ("Total", Some(&[("value", "i64")]))]);
        let version = Protocol { version: 2, ..sum() };
        let streamed = Protocol { tasks: vec![TaskProtocol { streamed: true, ..sum().tasks[0].clone() }], ..sum() };
        let access = sum().with_access(AccessRules::validators_only());
        let other_access = sum().with_access(AccessRules::validators_only().min_stake_tao(1));
        assert_ne!(access.fingerprint(), other_access.fingerprint());
        for other in [field_type, version, streamed, access] {
            assert_ne!(other.fingerprint(), base);
        }
        assert!(fingerprint_of_json("not json").is_err());
    }
}
