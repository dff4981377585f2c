//! The node's JSON-RPC server: the legacy Substrate methods subxt's legacy backend
//! and Polkadot tools call (`system_*`, `chain_*`, `state_*`, `author_*`,
//! `rpc_methods`), plus `dev_newBlock` to seal blocks by hand (as chopsticks offers).
//!
//! `rpc_methods` lists no `chainHead_v1_*`/`archive_v1_*`, so subxt's combined
//! backend picks its legacy backend.

use std::net::SocketAddr;
use std::sync::Arc;

use jsonrpsee::server::{PendingSubscriptionSink, RpcModule, Server, ServerHandle, SubscriptionMessage};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde_json::{json, Value};

use super::extrinsic::TxError;
use super::ledger::StateError;
use super::system::{hex0x, Hash, Header};
use super::LocalNode;
use crate::chain::AccountId;

/// A node serving on a socket until stopped (or dropped with the runtime).
pub struct RunningNode {
    /// The node served.
    pub node: LocalNode,
    /// The address its JSON-RPC server listens on.
    pub addr: SocketAddr,
    handle: ServerHandle,
    producer: Option<tokio::task::JoinHandle<()>>,
}

impl RunningNode {
    /// `ws://addr`, what clients connect to.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Stop serving and producing blocks, and wait for the server to close.
    pub async fn stop(self) {
        if let Some(p) = &self.producer {
            p.abort();
        }
        let _ = self.handle.stop();
        self.handle.clone().stopped().await;
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        if let Some(p) = &self.producer {
            p.abort();
        }
    }
}

const LEGACY_METHODS: &[&str] = &[
    "rpc_methods",
    "system_chain",
    "system_name",
    "system_version",
    "system_chainType",
    "system_properties",
    "system_health",
    "system_accountNextIndex",
    "chain_getBlockHash",
    "chain_getHead",
    "chain_getHeader",
    "chain_getBlock",
    "chain_getFinalizedHead",
    "chain_getFinalisedHead",
    "chain_subscribeNewHeads",
    "chain_unsubscribeNewHeads",
    "chain_subscribeAllHeads",
    "chain_unsubscribeAllHeads",
    "chain_subscribeFinalizedHeads",
    "chain_unsubscribeFinalizedHeads",
    "state_getRuntimeVersion",
    "state_subscribeRuntimeVersion",
    "state_unsubscribeRuntimeVersion",
    "state_getMetadata",
    "state_call",
    "state_getStorage",
    "state_queryStorageAt",
    "state_getKeysPaged",
    "state_getKeys",
    "author_submitExtrinsic",
    "author_submitAndWatchExtrinsic",
    "author_unwatchExtrinsic",
    "author_pendingExtrinsics",
    "dev_newBlock",
    "account_nextIndex",
    "state_getStorageAt",
    "state_getKeysPagedAt",
    "chain_getRuntimeVersion",
    "chain_subscribeRuntimeVersion",
    "chain_unsubscribeRuntimeVersion",
];

/// `(alias, method)`: the other names Substrate gives these methods.
const ALIASES: &[(&str, &str)] = &[
    ("account_nextIndex", "system_accountNextIndex"),
    ("state_getStorageAt", "state_getStorage"),
    ("state_getKeysPagedAt", "state_getKeysPaged"),
    ("chain_getRuntimeVersion", "state_getRuntimeVersion"),
    ("chain_subscribeRuntimeVersion", "state_subscribeRuntimeVersion"),
    ("chain_unsubscribeRuntimeVersion", "state_unsubscribeRuntimeVersion"),
];

impl LocalNode {
    /// Serve JSON-RPC over WebSocket and HTTP on `addr` (port 0 picks a free port);
    /// starts the block producer in timed mode.
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<RunningNode> {
        let config = jsonrpsee::server::ServerConfig::builder().max_connections(1024).max_response_body_size(64 << 20).build();
        let server = Server::builder().set_config(config).build(addr).await?;
        let addr = server.local_addr()?;
        let handle = server.start(rpc_module(self.clone()));
        let producer = self.spawn_block_producer();
        tracing::info!(%addr, mode = ?self.mode(), "local chain serving JSON-RPC");
        Ok(RunningNode { node: self, addr, handle, producer })
    }
}

fn invalid_params(why: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(-32602, format!("Invalid params: {why}"), None::<()>)
}

fn parse_hex(s: &str) -> Result<Vec<u8>, ErrorObjectOwned> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| invalid_params(format!("hex: {e}")))
}

fn parse_hash(s: &str) -> Result<Hash, ErrorObjectOwned> {
    parse_hex(s)?.try_into().map_err(|_| invalid_params("a block hash is 32 bytes"))
}

/// An optional block hash parameter at `position`.
fn opt_hash(params: &Params, position: usize) -> Result<Option<Hash>, ErrorObjectOwned> {
    let values: Vec<Value> = params.parse().unwrap_or_default();
    match values.get(position) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_hash(s).map(Some),
        Some(other) => Err(invalid_params(format!("expected a block hash, got {other}"))),
    }
}

fn string_param(params: &Params, position: usize) -> Result<String, ErrorObjectOwned> {
    let values: Vec<Value> = params.parse().map_err(invalid_params)?;
    match values.get(position) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(invalid_params(format!("parameter {position} must be a string"))),
    }
}

fn unknown_block() -> ErrorObjectOwned {
    ErrorObjectOwned::owned(4003, "Client error: UnknownBlock: block not found", None::<()>)
}

/// Substrate's answers for a block it does not know, or whose state it pruned.
fn state_error(e: StateError) -> ErrorObjectOwned {
    match e {
        StateError::UnknownBlock => unknown_block(),
        StateError::Discarded => ErrorObjectOwned::owned(4003, "Client error: State already discarded for the block", None::<()>),
    }
}

fn tx_error(e: TxError) -> ErrorObjectOwned {
    let (code, message, data) = e.rpc_error();
    ErrorObjectOwned::owned(code, message, if data.is_empty() { None } else { Some(data) })
}

fn to_message(value: &Value) -> SubscriptionMessage {
    serde_json::value::to_raw_value(value).expect("JSON values serialise").into()
}

fn rpc_module(node: LocalNode) -> RpcModule<LocalNode> {
    let mut m = RpcModule::new(node);
    let methods: Vec<&str> = LEGACY_METHODS.to_vec();
    m.register_method("rpc_methods", move |_, _, _| json!({ "version": 1, "methods": methods })).expect("unique method");
    m.register_method("system_chain", |_, _, _| "Bittensor (local)").expect("unique");
    m.register_method("system_name", |_, _, _| "subnet-core localnet").expect("unique");
    m.register_method("system_version", |_, _, _| env!("CARGO_PKG_VERSION")).expect("unique");
    // `sc_chain_spec::ChainType`: a dev chain, as Subtensor's localnet spec declares.
    m.register_method("system_chainType", |_, _, _| "Development").expect("unique");
    m.register_method("system_properties", |_, _, _| {
        // Subtensor's chain spec properties.
        json!({ "ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO" })
    })
    .expect("unique");
    m.register_method("system_health", |_, _, _| json!({ "peers": 0, "isSyncing": false, "shouldHavePeers": false })).expect("unique");
    m.register_method("system_accountNextIndex", |params, node, _| -> Result<u32, ErrorObjectOwned> {
        let who = string_param(&params, 0)?;
        let account = crate::keys::PublicKey::from_ss58(&who)
            .or_else(|_| crate::keys::PublicKey::from_hex(&who))
            .map_err(|e| invalid_params(format!("account: {e}")))?;
        Ok(node.lock().ledger.next_nonce(&AccountId(account.0)))
    })
    .expect("unique");
    // Substrate registers the same method under its older name too (Python clients use it).

    m.register_method("chain_getBlockHash", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let values: Vec<Value> = params.parse().unwrap_or_default();
        let state = node.lock();
        let number = match values.first() {
            None | Some(Value::Null) => return Ok(json!(hex0x(&state.ledger.best().hash))),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| invalid_params("block number"))?,
            Some(Value::String(s)) => u64::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|_| invalid_params("block number"))?,
            Some(other) => return Err(invalid_params(format!("block number, got {other}"))),
        };
        // A node started from a chain already at block N has no blocks before N: its
        // first block is its genesis, and block 0 names it (clients sign over the
        // genesis hash they fetch as block 0).
        let block = if number == 0 { state.ledger.genesis.as_ref() } else { state.ledger.by_number(number) };
        Ok(block.map(|b| json!(hex0x(&b.hash))).unwrap_or(Value::Null))
    })
    .expect("unique");
    m.register_method("chain_getHead", |_, node, _| hex0x(&node.lock().ledger.best().hash)).expect("unique");
    m.register_method("chain_getFinalizedHead", |_, node, _| hex0x(&node.lock().ledger.best().hash)).expect("unique");
    m.register_method("chain_getFinalisedHead", |_, node, _| hex0x(&node.lock().ledger.best().hash)).expect("unique");
    m.register_method("chain_getHeader", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let at = opt_hash(&params, 0)?;
        let state = node.lock();
        Ok(state.ledger.at(at.as_ref()).map(|b| b.header.to_json()).unwrap_or(Value::Null))
    })
    .expect("unique");
    m.register_method("chain_getBlock", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let at = opt_hash(&params, 0)?;
        let state = node.lock();
        Ok(state
            .ledger
            .at(at.as_ref())
            .map(|b| {
                json!({
                    "block": {
                        "header": b.header.to_json(),
                        "extrinsics": b.extrinsics.iter().map(|x| hex0x(x)).collect::<Vec<_>>(),
                    },
                    "justifications": null,
                })
            })
            .unwrap_or(Value::Null))
    })
    .expect("unique");
    for (sub, notif, unsub) in [
        ("chain_subscribeNewHeads", "chain_newHead", "chain_unsubscribeNewHeads"),
        ("chain_subscribeAllHeads", "chain_allHead", "chain_unsubscribeAllHeads"),
        ("chain_subscribeFinalizedHeads", "chain_finalizedHead", "chain_unsubscribeFinalizedHeads"),
    ] {
        m.register_subscription(sub, notif, unsub, |_, pending, node, _| async move {
            follow_heads(pending, node).await;
        })
        .expect("unique");
    }

    m.register_method("state_getRuntimeVersion", |params, node, _| runtime_of(node, &params).map(|r| r.version.to_json())).expect("unique");
    m.register_subscription(
        "state_subscribeRuntimeVersion",
        "state_runtimeVersion",
        "state_unsubscribeRuntimeVersion",
        |_, pending, node, _| async move {
            follow_runtime_version(pending, node).await;
        },
    )
    .expect("unique");
    // The metadata bytes themselves (the runtime API's `OpaqueMetadata` unwrapped), as
    // Substrate's `state_getMetadata` answers.
    m.register_method("state_getMetadata", |params, node, _| runtime_of(node, &params).map(|r| hex0x(r.metadata_bytes()))).expect("unique");
    m.register_method("state_call", |params, node, _| -> Result<String, ErrorObjectOwned> {
        let method = string_param(&params, 0)?;
        let data = parse_hex(&string_param(&params, 1)?)?;
        let (block, at) = node.state_at(opt_hash(&params, 2)?.as_ref()).map_err(state_error)?;
        super::runtime_api::call(&node.runtime_at(block.number()), &at, &method, &data)
            .map(|bytes| hex0x(&bytes))
            .map_err(|e| ErrorObjectOwned::owned(4003, format!("Client error: Execution failed: {e}"), None::<()>))
    })
    .expect("unique");
    m.register_method("state_queryStorageAt", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let values: Vec<Value> = params.parse().map_err(invalid_params)?;
        let Some(Value::Array(keys)) = values.first() else {
            return Err(invalid_params("expected an array of storage keys"));
        };
        let keys = keys
            .iter()
            .map(|k| k.as_str().ok_or_else(|| invalid_params("a storage key is a hex string")).and_then(parse_hex))
            .collect::<Result<Vec<_>, _>>()?;
        let at = opt_hash(&params, 1)?;
        let (block, state) = node.state_at(at.as_ref()).map_err(state_error)?;
        let changes: Vec<Value> =
            super::storage::get_many(&state, &block, &keys).into_iter().map(|(k, v)| json!([hex0x(&k), v.map(|v| hex0x(&v))])).collect();
        Ok(json!([{ "block": hex0x(&block.hash), "changes": changes }]))
    })
    .expect("unique");
    m.register_method("state_getStorage", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let key = parse_hex(&string_param(&params, 0)?)?;
        let at = opt_hash(&params, 1)?;
        let (block, state) = node.state_at(at.as_ref()).map_err(state_error)?;
        Ok(super::storage::get(&state, &block, &key).map(|v| json!(hex0x(&v))).unwrap_or(Value::Null))
    })
    .expect("unique");
    m.register_method("state_getKeysPaged", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let values: Vec<Value> = params.parse().map_err(invalid_params)?;
        let prefix = match values.first() {
            Some(Value::String(s)) => parse_hex(s)?,
            None | Some(Value::Null) => vec![],
            _ => return Err(invalid_params("prefix")),
        };
        let count = values.get(1).and_then(Value::as_u64).ok_or_else(|| invalid_params("count"))?;
        if count > 1000 {
            // Substrate's own limit (STORAGE_KEYS_PAGED_MAX_COUNT).
            return Err(invalid_params("count exceeds maximum value. value: 1000"));
        }
        let start = match values.get(2) {
            Some(Value::String(s)) => Some(parse_hex(s)?),
            _ => None,
        };
        let at = opt_hash(&params, 3)?;
        let (block, state) = node.state_at(at.as_ref()).map_err(state_error)?;
        let keys = super::storage::keys_paged(&state, &block, &prefix, count as usize, start.as_deref());
        Ok(json!(keys.iter().map(|k| hex0x(k)).collect::<Vec<_>>()))
    })
    .expect("unique");

    // Substrate's older, unpaged form (deprecated there, still served; async-substrate-
    // interface's `query_map(fully_exhaust=True)` uses it): every key under a prefix.
    m.register_method("state_getKeys", |params, node, _| -> Result<Value, ErrorObjectOwned> {
        let prefix = parse_hex(&string_param(&params, 0)?)?;
        let at = opt_hash(&params, 1)?;
        let (block, state) = node.state_at(at.as_ref()).map_err(state_error)?;
        let keys = super::storage::keys_paged(&state, &block, &prefix, usize::MAX, None);
        Ok(json!(keys.iter().map(|k| hex0x(k)).collect::<Vec<_>>()))
    })
    .expect("unique");

    m.register_method("author_submitExtrinsic", |params, node, _| -> Result<String, ErrorObjectOwned> {
        let bytes = parse_hex(&string_param(&params, 0)?)?;
        let (hash, _) = node.submit(&bytes).map_err(tx_error)?;
        Ok(hex0x(&hash))
    })
    .expect("unique");
    m.register_method("author_pendingExtrinsics", |_, node, _| node.lock().ledger.pool.iter().map(|p| hex0x(&p.bytes)).collect::<Vec<_>>())
        .expect("unique");
    m.register_subscription(
        "author_submitAndWatchExtrinsic",
        "author_extrinsicUpdate",
        "author_unwatchExtrinsic",
        |params, pending, node, _| async move {
            let bytes = match string_param(&params, 0).and_then(|s| parse_hex(&s)) {
                Ok(b) => b,
                Err(e) => return pending.reject(e).await,
            };
            let included = match node.submit(&bytes) {
                Ok((_, rx)) => rx,
                Err(e) => return pending.reject(tx_error(e)).await,
            };
            let Ok(sink) = pending.accept().await else { return };
            let _ = sink.send(to_message(&json!("ready"))).await;
            match included.await {
                Ok(block) => {
                    let _ = sink.send(to_message(&json!({ "inBlock": hex0x(&block) }))).await;
                    // Instant finality: the including block is final when sealed.
                    let _ = sink.send(to_message(&json!({ "finalized": hex0x(&block) }))).await;
                }
                Err(_) => {
                    let _ = sink.send(to_message(&json!("dropped"))).await;
                }
            }
        },
    )
    .expect("unique");

    m.register_method("dev_newBlock", |params, node, _| -> Result<String, ErrorObjectOwned> {
        // chopsticks' shape: dev_newBlock({ count }) ; a bare number is accepted too.
        let values: Vec<Value> = params.parse().unwrap_or_default();
        let count = match values.first() {
            None | Some(Value::Null) => 1,
            Some(Value::Number(n)) => n.as_u64().unwrap_or(1),
            Some(Value::Object(o)) => o.get("count").and_then(Value::as_u64).unwrap_or(1),
            Some(other) => return Err(invalid_params(format!("expected {{ count }}, got {other}"))),
        };
        if count == 0 || count > 100_000 {
            return Err(invalid_params("count must be within 1..=100000"));
        }
        Ok(hex0x(&node.seal_blocks(count)))
    })
    .expect("unique");
    // Substrate serves these methods under older names too (`aliases` in sc-rpc-api);
    // Python's substrate-interface calls `state_getStorageAt` and `account_nextIndex`.
    for (alias, method) in ALIASES {
        m.register_alias(alias, method).expect("unique");
    }
    m
}

/// New heads, starting with the current best as Substrate does.
/// The runtime of the block the first parameter names (the best block when absent).
fn runtime_of(node: &LocalNode, params: &Params) -> Result<Arc<super::runtime_api::RuntimeInfo>, ErrorObjectOwned> {
    let number = match opt_hash(params, 0)? {
        None => node.lock().ledger.best().number(),
        Some(hash) => node.lock().ledger.by_hash(&hash).map(|b| b.number()).ok_or_else(|| invalid_params("unknown block hash"))?,
    };
    Ok(node.runtime_at(number))
}

/// The runtime version now, then again each time a new block runs another one.
async fn follow_runtime_version(pending: PendingSubscriptionSink, node: Arc<LocalNode>) {
    let mut heads = node.subscribe_heads();
    let mut sent = node.runtime().version.clone();
    let Ok(sink) = pending.accept().await else { return };
    if sink.send(to_message(&sent.to_json())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            head = heads.recv() => match head {
                Ok(h) => {
                    let version = node.runtime_at(h.number as u64).version.clone();
                    if version.spec_version != sent.spec_version {
                        if sink.send(to_message(&version.to_json())).await.is_err() {
                            return;
                        }
                        sent = version;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            },
        }
    }
}

async fn follow_heads(pending: PendingSubscriptionSink, node: Arc<LocalNode>) {
    let mut heads = node.subscribe_heads();
    let best: Header = node.lock().ledger.best().header.clone();
    let Ok(sink) = pending.accept().await else { return };
    if sink.send(to_message(&best.to_json())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            head = heads.recv() => match head {
                Ok(h) => {
                    if sink.send(to_message(&h.to_json())).await.is_err() {
                        return;
                    }
                }
                // A slow subscriber skips heads it missed; clients fill gaps by number.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            },
        }
    }
}
