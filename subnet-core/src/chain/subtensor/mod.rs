//! [`SubtensorClient`]: the [`Chain`] trait over a Subtensor node's JSON-RPC, built
//! on `subxt`'s dynamic API (calls, storage and runtime APIs by name, results read
//! by field name), so a runtime upgrade that keeps the names does not break it.
//!
//! What it uses of the chain is listed in `surface.rs` (calls with their argument
//! builders, storage items, runtime API methods, events), which a test checks against
//! real finney metadata; and Subtensor's `ChargeTransactionPaymentWrapper` extension (a
//! tip of 0), which subxt does not know by itself.
//!
//! Runtime upgrades: every request is made at the latest finalized block, and subxt
//! reads that block's spec version (`Core_version`) and fetches the metadata of a spec
//! version it has not seen, so after an upgrade the client encodes and decodes with the
//! new metadata without a restart. Where the runtime lacks something the client uses,
//! it falls back (hyperparameters: v3, then v2, then v1) or says so
//! ([`ChainError::NotInRuntime`], with the spec version).

#[cfg(test)]
mod finney_check;
mod surface;
mod values;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::ext::scale_value::{Composite, ValueDef};
use subxt::utils::{AccountId32, MultiSignature};
use subxt::{OnlineClient, SubstrateConfig};
use tokio::sync::watch;

use super::types::*;
use super::{Chain, ChainError};
use surface::{Call, RuntimeApiMethod};
use values::*;

type Config = SubstrateConfig;

/// Seconds per block on finney (`MILLISECS_PER_BLOCK`, 12000 in production).
const BLOCK_TIME_SECS: u64 = 12;
type AtBlock = subxt::client::OnlineClientAtBlock<Config>;

/// Where a node is: Bittensor's named networks, or any `ws://`/`wss://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Network {
    /// Bittensor's main network (`wss://entrypoint-finney.opentensor.ai:443`).
    Finney,
    /// Bittensor's test network (`wss://test.finney.opentensor.ai:443`).
    Test,
    /// A node on this machine (`ws://127.0.0.1:9944`), e.g. a localnet or `subnet-core`'s served chain.
    Local,
    /// Any node, by its `ws://` or `wss://` URL.
    Url(String),
}

impl Network {
    /// `finney`, `test`, `local`, or a URL (as `--subtensor.network` takes them).
    pub fn parse(s: &str) -> Result<Network, String> {
        match s {
            "finney" | "main" | "mainnet" => Ok(Network::Finney),
            "test" | "testnet" => Ok(Network::Test),
            "local" => Ok(Network::Local),
            url if url.starts_with("ws://") || url.starts_with("wss://") => Ok(Network::Url(url.to_string())),
            other => Err(format!("unknown network {other:?}: use finney, test, local or a ws:// URL")),
        }
    }

    /// The endpoint Bittensor's SDK uses for each named network.
    pub fn url(&self) -> &str {
        match self {
            Network::Finney => "wss://entrypoint-finney.opentensor.ai:443",
            Network::Test => "wss://test.finney.opentensor.ai:443",
            Network::Local => "ws://127.0.0.1:9944",
            Network::Url(u) => u,
        }
    }
}

/// A Subtensor node, through subxt.
pub struct SubtensorClient {
    api: OnlineClient<Config>,
    /// The same connection, for the legacy methods subxt does not wrap (batched reads).
    rpc: subxt::rpcs::RpcClient,
    blocks: watch::Sender<u64>,
    follower: tokio::task::JoinHandle<()>,
    /// The spec version of the last block read, to log runtime upgrades.
    spec_version: AtomicU32,
}

impl Drop for SubtensorClient {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

fn rpc(e: impl std::fmt::Display) -> ChainError {
    ChainError::Rpc(e.to_string())
}

impl SubtensorClient {
    /// Connect (reconnecting with exponential backoff if the connection drops) and
    /// start following finalized blocks.
    pub async fn connect(network: &Network) -> Result<Self, ChainError> {
        use subxt::rpcs::client::reconnecting_rpc_client::{ExponentialBackoff, RpcClient};
        // One plain attempt first, so an unreachable endpoint fails at once instead
        // of after the reconnect policy's retries.
        let probe = tokio::time::timeout(Duration::from_secs(15), subxt::rpcs::RpcClient::from_insecure_url(network.url()));
        match probe.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(ChainError::Rpc(format!("cannot connect to {}: {e}", network.url()))),
            Err(_) => return Err(ChainError::Rpc(format!("cannot connect to {}: timed out", network.url()))),
        }
        let client = RpcClient::builder()
            .retry_policy(ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(10)).take(10))
            .build(network.url().to_string())
            .await
            .map_err(|e| ChainError::Rpc(format!("cannot connect to {}: {e}", network.url())))?;
        let raw = subxt::rpcs::RpcClient::new(client.clone());
        let api = OnlineClient::<Config>::from_rpc_client(client).await.map_err(rpc)?;
        let head = api.at_current_block().await.map_err(rpc)?.block_number();
        let (blocks, _) = watch::channel(head);
        let follower = tokio::spawn(follow_blocks(api.clone(), blocks.clone()));
        tracing::info!(url = network.url(), head, "connected to chain");
        Ok(Self { api, rpc: raw, blocks, follower, spec_version: AtomicU32::new(0) })
    }

    /// The subxt client, for chain calls the [`Chain`] trait does not cover.
    pub fn api(&self) -> &OnlineClient<Config> {
        &self.api
    }

    /// The latest finalized block, with the metadata of its runtime (subxt fetches it
    /// the first time it sees a spec version, so an upgrade is picked up here).
    async fn at(&self) -> Result<AtBlock, ChainError> {
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let before = self.spec_version.swap(at.spec_version(), Ordering::Relaxed);
        if before != 0 && before != at.spec_version() {
            tracing::info!(from = before, to = at.spec_version(), block = at.block_number(), "runtime upgraded: using its metadata");
        }
        Ok(at)
    }

    /// Sign, submit and wait for finalisation; the extrinsic's events.
    async fn submit(&self, signer: &dyn Signer, call: &Call) -> Result<subxt::extrinsics::ExtrinsicEvents<Config>, ChainError> {
        let adapter = SignerAdapter::new(signer)?;
        let at = self.at().await?;
        require_call(at.metadata_ref(), at.spec_version(), call)?;
        let payload = call.payload();
        let mut tx = at.tx();
        // Subtensor's fee extension is its own; give it the zero tip explicitly, and
        // fall back to the stock extensions on a chain without it.
        let wrapped = DefaultExtrinsicParamsBuilder::<Config>::new()
            .custom_extension("ChargeTransactionPaymentWrapper", Value::named_composite([("inner", Value::unnamed_composite([Value::u128(0)]))]))
            .build();
        let progress = match tx.sign_and_submit_then_watch(&payload, &adapter, wrapped).await {
            Err(subxt::error::ExtrinsicError::Params(_)) => {
                let plain = DefaultExtrinsicParamsBuilder::<Config>::new().build();
                tx.sign_and_submit_then_watch(&payload, &adapter, plain).await
            }
            other => other,
        }
        .map_err(submission_error)?;
        progress.wait_for_finalized_success().await.map_err(outcome_error)
    }

    /// `Sudo::Key`; `None` on a chain without the Sudo pallet or key (finney has it,
    /// with a key that is not ours).
    async fn sudo_key(&self) -> Result<Option<AccountId>, ChainError> {
        let at = self.at().await?;
        if !has_storage(at.metadata_ref(), &surface::SUDO_KEY) {
            return Ok(None);
        }
        let value = at.storage().try_fetch(surface::SUDO_KEY.address::<()>(), ()).await.map_err(rpc)?;
        Ok(value.and_then(|v| v.decode().ok()).map(|v| bytes(&v)).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(AccountId))
    }

    /// A storage value (its default when nothing is stored), decoded dynamically.
    async fn fetch(&self, at: &AtBlock, item: &surface::StorageItem, keys: Vec<Value>) -> Result<Value, ChainError> {
        let value = at.storage().fetch(item.address::<Vec<Value>>(), keys).await.map_err(rpc)?;
        value.decode().map_err(rpc)
    }

    /// A runtime API method, decoded dynamically; [`ChainError::NotInRuntime`] if this
    /// block's runtime does not declare it.
    async fn runtime_api(&self, at: &AtBlock, method: &RuntimeApiMethod, args: Vec<Value>) -> Result<Value, ChainError> {
        if !has_runtime_api(at.metadata_ref(), method) {
            return Err(not_in_runtime(at, format!("{}::{}", method.api, method.method)));
        }
        at.runtime_apis().call(method.payload(args)).await.map_err(rpc)
    }

    /// Each UID's `BlockAtRegistration`, in one `state_queryStorageAt` round trip (keys
    /// built from the metadata's hashers).
    async fn registered_at(&self, netuid: NetUid, uids: &[u16]) -> Result<Vec<u64>, ChainError> {
        use codec::Decode;
        let at = self.at().await?;
        let entry = at.storage().entry(surface::BLOCK_AT_REGISTRATION.address::<(Value, Value)>()).map_err(rpc)?;
        let keys = uids
            .iter()
            .map(|uid| entry.fetch_key((u(netuid), u(*uid))).map(|k| format!("0x{}", hex::encode(k))))
            .collect::<Result<Vec<_>, _>>()
            .map_err(rpc)?;
        let params = subxt::rpcs::rpc_params![keys.clone(), format!("0x{}", hex::encode(at.block_hash()))];
        let sets: serde_json::Value = self.rpc.request("state_queryStorageAt", params).await.map_err(rpc)?;
        let mut found = std::collections::HashMap::new();
        for change in sets.as_array().into_iter().flatten().flat_map(|set| set["changes"].as_array().into_iter().flatten()) {
            if let (Some(key), Some(value)) = (change[0].as_str(), change[1].as_str()) {
                found.insert(key.to_string(), value.to_string());
            }
        }
        // Subtensor's `BlockAtRegistration` is a `u64` with default 0 (ValueQuery).
        keys.iter()
            .map(|k| match found.get(k) {
                None => Ok(0),
                Some(v) => {
                    let bytes = hex::decode(v.trim_start_matches("0x")).map_err(rpc)?;
                    u64::decode(&mut &bytes[..]).map_err(rpc)
                }
            })
            .collect()
    }
}

/// Keep `blocks` at the latest finalized block; resubscribe (with backoff) if the
/// stream ends.
async fn follow_blocks(api: OnlineClient<Config>, blocks: watch::Sender<u64>) {
    let mut delay = Duration::from_millis(100);
    loop {
        match api.stream_blocks().await {
            Ok(mut stream) => {
                delay = Duration::from_millis(100);
                while let Some(block) = stream.next().await {
                    match block {
                        Ok(b) => {
                            blocks.send_replace(b.number());
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "block stream error");
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot subscribe to blocks"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Our [`Signer`] as subxt's: sr25519 in a `MultiSignature`.
struct SignerAdapter<'a> {
    signer: &'a dyn Signer,
    account: AccountId32,
}

impl<'a> SignerAdapter<'a> {
    fn new(signer: &'a dyn Signer) -> Result<Self, ChainError> {
        let account = signer.account_id();
        if signer.sign_extrinsic(b"probe").is_none() {
            return Err(ChainError::CannotSign(account.ss58()));
        }
        Ok(Self { signer, account: AccountId32(account.0) })
    }
}

impl subxt::transactions::Signer<Config> for SignerAdapter<'_> {
    fn account_id(&self) -> AccountId32 {
        self.account
    }
    fn sign(&self, payload: &[u8]) -> MultiSignature {
        MultiSignature::Sr25519(self.signer.sign_extrinsic(payload).expect("checked in SignerAdapter::new"))
    }
}

/// The pool refused it, or the node could not be reached.
fn submission_error(e: subxt::error::ExtrinsicError) -> ChainError {
    let text = e.to_string();
    if text.contains("Invalid Transaction") || text.contains("1010") || text.contains("1014") {
        ChainError::InvalidTransaction(text)
    } else {
        ChainError::Rpc(text)
    }
}

/// A dispatch error back to the chain's error name.
fn outcome_error(e: subxt::error::TransactionFinalizedSuccessError) -> ChainError {
    use subxt::error::{DispatchError, TransactionEventsError, TransactionFinalizedSuccessError as F};
    match e {
        F::SuccessError(TransactionEventsError::ExtrinsicFailed(DispatchError::BadOrigin)) => ChainError::BadOrigin,
        F::SuccessError(TransactionEventsError::ExtrinsicFailed(DispatchError::Module(m))) => match m.details() {
            Ok(d) => module_error(d.pallet.name(), &d.variant.name),
            Err(e) => ChainError::Rpc(format!("undecodable module error: {e}")),
        },
        other => ChainError::Rpc(other.to_string()),
    }
}

/// A pallet's error by name: ours where we know it, else named as the chain names it.
fn module_error(pallet: &str, name: &str) -> ChainError {
    ChainError::from_chain_name(name).unwrap_or(ChainError::Module { pallet: pallet.to_string(), error: name.to_string() })
}

/// A `DispatchError` read from an event, back to the chain's error name.
fn dispatch_error_from(metadata: &subxt::Metadata, error: Option<&Value>) -> ChainError {
    let Some(ValueDef::Variant(v)) = error.map(|e| &e.value) else {
        return rpc("an undecodable dispatch error");
    };
    match v.name.as_str() {
        "BadOrigin" => ChainError::BadOrigin,
        "Module" => {
            let module = v.values.values().next();
            let index = module.and_then(|m| field(m, "index")).and_then(number).unwrap_or(u128::MAX);
            let code = module.and_then(|m| field(m, "error")).map(bytes).and_then(|b| b.first().copied());
            let pallet = u8::try_from(index).ok().and_then(|i| metadata.pallet_by_error_index(i));
            match (pallet, code) {
                (Some(p), Some(code)) => match p.error_variant_by_index(code) {
                    Some(variant) => module_error(p.name(), &variant.name),
                    None => rpc(format!("unknown error {code} of pallet {}", p.name())),
                },
                _ => rpc(format!("unknown module error (pallet {index})")),
            }
        }
        other => rpc(format!("dispatch error {other}")),
    }
}

fn u(n: impl Into<u128>) -> Value {
    Value::u128(n.into())
}

/// `what` is not in the runtime at `at`.
fn not_in_runtime(at: &AtBlock, what: String) -> ChainError {
    ChainError::NotInRuntime { what, spec_version: at.spec_version() }
}

/// The call (and a call `Sudo::sudo` wraps) is in the runtime (`metadata`, at
/// `spec_version`): a clear error naming the spec version, not subxt's encoding error.
fn require_call(metadata: &subxt::Metadata, spec_version: u32, call: &Call) -> Result<(), ChainError> {
    let (pallet, name) = call.name();
    if !has_call(metadata, pallet, name) {
        return Err(ChainError::NotInRuntime { what: format!("{pallet}::{name}"), spec_version });
    }
    match call {
        Call::Sudo(inner) => require_call(metadata, spec_version, inner),
        _ => Ok(()),
    }
}

/// The newest hyperparameter API the runtime declares: decided from its metadata, so
/// an error from the node is never mistaken for a missing method.
fn hyperparams_method(metadata: &subxt::Metadata) -> Option<&'static RuntimeApiMethod> {
    surface::HYPERPARAMS_NEWEST_FIRST.iter().find(|m| has_runtime_api(metadata, m))
}

fn has_call(metadata: &subxt::Metadata, pallet: &str, call: &str) -> bool {
    metadata.pallet_by_name(pallet).and_then(|p| p.call_variant_by_name(call)).is_some()
}

fn has_storage(metadata: &subxt::Metadata, item: &surface::StorageItem) -> bool {
    metadata.pallet_by_name(item.pallet).and_then(|p| p.storage()).and_then(|s| s.entry_by_name(item.name)).is_some()
}

fn has_runtime_api(metadata: &subxt::Metadata, method: &RuntimeApiMethod) -> bool {
    metadata.runtime_api_trait_by_name(method.api).and_then(|api| api.method_by_name(method.method)).is_some()
}

/// The first event `event` among `events`, as a dynamic value.
fn find_event(events: &subxt::extrinsics::ExtrinsicEvents<Config>, event: &surface::Event) -> Result<Vec<Value>, ChainError> {
    for found in events.iter() {
        let found = found.map_err(rpc)?;
        if found.pallet_name() == event.pallet && found.event_name() == event.name {
            let fields: Composite<()> = found.decode_fields_unchecked_as().map_err(rpc)?;
            return Ok(fields.into_values().collect());
        }
    }
    Err(ChainError::Rpc(format!("the chain emitted no {}::{} event", event.pallet, event.name)))
}

fn neuron_from(v: &Value, registered_at: u64) -> Option<NeuronInfo> {
    let n16 = |name: &str| field(v, name).and_then(number).unwrap_or(0) as u16;
    let n64 = |name: &str| field(v, name).and_then(number).unwrap_or(0) as u64;
    let pairs = |name: &str| -> Vec<(u16, u16)> {
        field(v, name)
            .map(items)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                let xs = items(p);
                Some((number(xs.first()?)? as u16, number(xs.get(1)?)? as u16))
            })
            .collect()
    };
    let axon = field(v, "axon_info").map(|a| {
        let get = |name: &str| field(a, name).and_then(number).unwrap_or(0);
        AxonInfo {
            block: get("block") as u64,
            version: get("version") as u32,
            ip: get("ip"),
            port: get("port") as u16,
            ip_type: get("ip_type") as u8,
            protocol: get("protocol") as u8,
        }
    });
    let stake: u128 =
        field(v, "stake").map(items).unwrap_or_default().into_iter().filter_map(|pair| items(pair).get(1).and_then(|x| number(x))).sum();
    Some(NeuronInfo {
        uid: n16("uid"),
        hotkey: account(field(v, "hotkey")?)?,
        coldkey: account(field(v, "coldkey")?)?,
        stake: stake.min(u64::MAX as u128) as u64,
        active: field(v, "active").and_then(flag).unwrap_or(false),
        validator_permit: field(v, "validator_permit").and_then(flag).unwrap_or(false),
        last_update: n64("last_update"),
        registered_at,
        // An axon never served is all zeros on chain.
        axon: axon.filter(|a| a.ip != 0 || a.port != 0 || a.block != 0),
        rank: n16("rank"),
        trust: n16("trust"),
        consensus: n16("consensus"),
        validator_trust: n16("validator_trust"),
        incentive: n16("incentive"),
        dividends: n16("dividends"),
        emission: n64("emission"),
        weights: pairs("weights"),
        bonds: pairs("bonds"),
    })
}

/// A `NeuronCertificate { public_key, algorithm }` read by field name.
fn certificate_from(v: &Value) -> Option<NeuronCertificate> {
    let algorithm = u8::try_from(field(v, "algorithm").and_then(number)?).ok()?;
    Some(NeuronCertificate { algorithm, public_key: bytes(field(v, "public_key")?) })
}

/// Hyperparameters from any of the three runtime APIs: v3's list of named entries, or
/// v1/v2's struct whose field names are v3's entry names. Names the chain does not
/// report keep the local chain's defaults.
fn hyperparameters_from(answer: &Value) -> (SubnetHyperparameters, std::collections::BTreeSet<String>) {
    let named: Vec<(String, &Value)> = match &answer.value {
        ValueDef::Composite(Composite::Named(fields)) => fields.iter().map(|(n, v)| (n.clone(), v)).collect(),
        _ => items(answer)
            .into_iter()
            .filter_map(|entry| {
                let name = String::from_utf8(field(entry, "name").map(bytes)?).ok()?;
                // v3's `HyperparamValue` is a tagged value; its number is inside.
                Some((name, field(entry, "value")?))
            })
            .collect(),
    };
    let mut h = super::local::default_hyperparameters();
    let mut read = std::collections::BTreeSet::new();
    let mut cutoff_blocks = None;
    for (name, value) in &named {
        let Some(x) = number(value) else { continue };
        if name == surface::ACTIVITY_CUTOFF_BLOCKS {
            cutoff_blocks = Some(x);
        }
        if let Some((_, set)) = surface::HYPERPARAMETER_FIELDS.iter().find(|(n, _)| n == name) {
            read.insert(name.clone());
            set(&mut h, x);
        }
    }
    // Before spec 423 the chain kept the cutoff in blocks (`ActivityCutoff`), which is
    // `factor_milli * tempo / 1000` after it (`get_activity_cutoff_blocks`).
    if let (false, Some(blocks)) = (read.contains("activity_cutoff_factor"), cutoff_blocks) {
        h.activity_cutoff_factor_milli = (blocks * 1000 / u128::from(h.tempo.max(1))).min(u32::MAX as u128) as u32;
    }
    (h, read)
}

#[async_trait]
impl Chain for SubtensorClient {
    async fn block_number(&self) -> Result<u64, ChainError> {
        Ok(self.at().await?.block_number())
    }

    fn subscribe_blocks(&self) -> watch::Receiver<u64> {
        self.blocks.subscribe()
    }

    async fn register_network(&self, coldkey: &dyn Signer, hotkey: AccountId) -> Result<NetUid, ChainError> {
        let events = self.submit(coldkey, &Call::RegisterNetwork { hotkey }).await?;
        let fields = find_event(&events, &surface::NETWORK_ADDED)?;
        fields.first().and_then(number).map(|n| n as NetUid).ok_or_else(|| rpc("NetworkAdded without a netuid"))
    }

    async fn start_call(&self, owner: &dyn Signer, netuid: NetUid) -> Result<(), ChainError> {
        self.submit(owner, &Call::Start { netuid }).await.map(|_| ())
    }

    /// The subnet owner's signed call; from the sudo key, the call wrapped in
    /// `Sudo::sudo` (root), as Subtensor needs for its root-only setters.
    async fn set_hyperparameter(&self, signer: &dyn Signer, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError> {
        let call = Call::SetHyperparameter { netuid, value };
        if self.sudo_key().await? != Some(signer.account_id()) {
            return self.submit(signer, &call).await.map(|_| ());
        }
        let events = self.submit(signer, &Call::Sudo(Box::new(call))).await?;
        // The sudo extrinsic succeeds whatever the wrapped call did; its outcome is here.
        let sudid = find_event(&events, &surface::SUDID)?;
        match sudid.first().map(|r| &r.value) {
            Some(ValueDef::Variant(v)) if v.name == "Ok" => Ok(()),
            Some(ValueDef::Variant(v)) if v.name == "Err" => {
                let at = self.at().await?;
                Err(dispatch_error_from(at.metadata_ref(), v.values.values().next()))
            }
            _ => Err(rpc("a Sudid event without a result")),
        }
    }

    async fn burned_register(&self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId) -> Result<u16, ChainError> {
        let events = self.submit(coldkey, &Call::BurnedRegister { netuid, hotkey }).await?;
        let fields = find_event(&events, &surface::NEURON_REGISTERED)?;
        fields.get(1).and_then(number).map(|n| n as u16).ok_or_else(|| rpc("NeuronRegistered without a uid"))
    }

    async fn serve_axon(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo) -> Result<(), ChainError> {
        self.submit(hotkey, &Call::ServeAxon { netuid, axon }).await.map(|_| ())
    }

    /// Call 40, `serve_axon_tls`: `serve_axon`'s arguments then `certificate: Vec<u8>`
    /// (`pallets/subtensor/src/macros/dispatches.rs`).
    async fn serve_axon_tls(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo, certificate: &[u8]) -> Result<(), ChainError> {
        self.submit(hotkey, &Call::ServeAxonTls { netuid, axon, certificate: certificate.to_vec() }).await.map(|_| ())
    }

    async fn add_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        self.submit(coldkey, &Call::AddStake { hotkey, netuid, amount }).await.map(|_| ())
    }

    async fn remove_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        self.submit(coldkey, &Call::RemoveStake { hotkey, netuid, amount }).await.map(|_| ())
    }

    async fn set_weights(&self, hotkey: &dyn Signer, netuid: NetUid, uids: &[u16], values: &[u16], version_key: u64) -> Result<(), ChainError> {
        let call = Call::SetWeights { netuid, uids: uids.to_vec(), values: values.to_vec(), version_key };
        self.submit(hotkey, &call).await.map(|_| ())
    }

    async fn commit_weights(&self, hotkey: &dyn Signer, netuid: NetUid, hash: [u8; 32]) -> Result<(), ChainError> {
        self.submit(hotkey, &Call::CommitWeights { netuid, hash }).await.map(|_| ())
    }

    async fn reveal_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        let call = Call::RevealWeights { netuid, uids: uids.to_vec(), values: values.to_vec(), salt: salt.to_vec(), version_key };
        self.submit(hotkey, &call).await.map(|_| ())
    }

    /// `MechanismCountCurrent`, or 1 on a runtime that predates mechanisms.
    async fn mechanism_count(&self, netuid: NetUid) -> Result<u8, ChainError> {
        let at = self.at().await?;
        if !has_storage(at.metadata_ref(), &surface::MECHANISM_COUNT_CURRENT) {
            return Ok(1);
        }
        let count = self.fetch(&at, &surface::MECHANISM_COUNT_CURRENT, vec![u(netuid)]).await?;
        Ok(number(&count).map_or(1, |c| c.clamp(1, u8::MAX as u128) as u8))
    }

    // Mechanism 0 goes through the plain calls, which every runtime has.
    async fn set_mechanism_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        if mecid == 0 {
            return self.set_weights(hotkey, netuid, uids, values, version_key).await;
        }
        let call = Call::SetMechanismWeights { netuid, mecid, uids: uids.to_vec(), values: values.to_vec(), version_key };
        self.submit(hotkey, &call).await.map(|_| ())
    }

    async fn commit_mechanism_weights(&self, hotkey: &dyn Signer, netuid: NetUid, mecid: u8, hash: [u8; 32]) -> Result<(), ChainError> {
        if mecid == 0 {
            return self.commit_weights(hotkey, netuid, hash).await;
        }
        self.submit(hotkey, &Call::CommitMechanismWeights { netuid, mecid, hash }).await.map(|_| ())
    }

    async fn reveal_mechanism_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        if mecid == 0 {
            return self.reveal_weights(hotkey, netuid, uids, values, salt, version_key).await;
        }
        let call = Call::RevealMechanismWeights { netuid, mecid, uids: uids.to_vec(), values: values.to_vec(), salt: salt.to_vec(), version_key };
        self.submit(hotkey, &call).await.map(|_| ())
    }

    async fn metagraph(&self, netuid: NetUid) -> Result<Metagraph, ChainError> {
        let at = self.at().await?;
        let block = at.block_number();
        let list = self.runtime_api(&at, &surface::GET_NEURONS, vec![u(netuid)]).await?;
        let rows = items(&list);
        if rows.is_empty() {
            // get_neurons answers [] for a subnet that does not exist.
            self.hyperparameters(netuid).await?;
        }
        let uids: Vec<u16> = rows.iter().map(|v| field(v, "uid").and_then(number).unwrap_or(0) as u16).collect();
        let registered = self.registered_at(netuid, &uids).await?;
        let mut neurons = Vec::with_capacity(rows.len());
        for (row, at) in rows.iter().zip(registered) {
            neurons.push(neuron_from(row, at).ok_or_else(|| rpc("a NeuronInfo without hotkey or coldkey"))?);
        }
        Ok(Metagraph { netuid, block, neurons })
    }

    /// `NeuronCertificates` under the netuid (the double map's first key, `Identity`),
    /// each hotkey read back from its `Blake2_128Concat` key part.
    async fn neuron_certificates(&self, netuid: NetUid) -> Result<HashMap<AccountId, NeuronCertificate>, ChainError> {
        let at = self.at().await?;
        let address = surface::NEURON_CERTIFICATES.address::<(Value, Value)>();
        let mut entries = at.storage().iter(address, (u(netuid),)).await.map_err(rpc)?;
        let mut out = HashMap::new();
        while let Some(entry) = entries.next().await {
            let entry = entry.map_err(rpc)?;
            // The key ends with the hotkey itself (Blake2_128Concat keeps it after its hash).
            let key = entry.key_bytes();
            let hotkey = key.len().checked_sub(32).and_then(|i| <[u8; 32]>::try_from(&key[i..]).ok()).map(AccountId);
            let value = entry.value().decode().map_err(rpc)?;
            let certificate = certificate_from(&value);
            match (hotkey, certificate) {
                (Some(h), Some(c)) => out.insert(h, c),
                _ => return Err(rpc("an undecodable NeuronCertificates entry")),
            };
        }
        if out.is_empty() {
            // Nothing stored reads the same as no subnet: tell them apart as `metagraph` does.
            self.hyperparameters(netuid).await?;
        }
        Ok(out)
    }

    /// The newest of the hyperparameter APIs this block's runtime declares (finney at
    /// spec 393 has v2 and v1, not v3), read by the names they share.
    async fn hyperparameters(&self, netuid: NetUid) -> Result<SubnetHyperparameters, ChainError> {
        let at = self.at().await?;
        let method = hyperparams_method(at.metadata_ref())
            .ok_or_else(|| not_in_runtime(&at, "SubnetInfoRuntimeApi::get_subnet_hyperparams (any version)".into()))?;
        let answer = self.runtime_api(&at, method, vec![u(netuid)]).await?;
        let found = option(&answer).ok_or(ChainError::SubnetNotExists)?;
        let (mut h, read) = hyperparameters_from(found);
        // What an older answer lacks, from the storage the runtime keeps it in.
        for fallback in surface::HYPERPARAMETER_STORAGE.iter().filter(|f| !read.contains(f.name)) {
            if has_storage(at.metadata_ref(), &fallback.item) {
                let value = at.storage().fetch(fallback.item.address::<(Value,)>(), (u(netuid),)).await.map_err(rpc)?;
                if let Some(x) = number(&value.decode().map_err(rpc)?) {
                    (fallback.set)(&mut h, x);
                }
            } else if let Some(absent) = fallback.absent {
                absent(&mut h);
            }
        }
        Ok(h)
    }

    async fn commit_timelocked_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        commit: &[u8],
        reveal_round: u64,
        commit_reveal_version: u16,
    ) -> Result<(), ChainError> {
        let commit = commit.to_vec();
        let call = if mecid == 0 {
            Call::CommitTimelockedWeights { netuid, commit, reveal_round, commit_reveal_version }
        } else {
            Call::CommitTimelockedMechanismWeights { netuid, mecid, commit, reveal_round, commit_reveal_version }
        };
        self.submit(hotkey, &call).await.map(|_| ())
    }

    /// The drand beacon and round from `pallet_drand`, the commit-reveal version, and
    /// the reveal epoch's first block: predicted from the stateful epoch scheduler's
    /// storage where the runtime has it (`LastEpochBlock`, …), else from finney 393's
    /// block-number schedule.
    async fn timelock_context(&self, netuid: NetUid) -> Result<TimelockContext, ChainError> {
        let hyper = self.hyperparameters(netuid).await?;
        let at = self.at().await?;
        let block = at.block_number();
        if !has_storage(at.metadata_ref(), &surface::DRAND_BEACON_CONFIG) {
            return Err(not_in_runtime(&at, "Drand::BeaconConfig".into()));
        }
        let config = self.fetch(&at, &surface::DRAND_BEACON_CONFIG, vec![]).await?;
        let round = self.fetch(&at, &surface::DRAND_LAST_STORED_ROUND, vec![]).await?;
        // Absent on a runtime without timelocked commits: version 0, hash commits.
        let version = if has_storage(at.metadata_ref(), &surface::COMMIT_REVEAL_WEIGHTS_VERSION) {
            number(&self.fetch(&at, &surface::COMMIT_REVEAL_WEIGHTS_VERSION, vec![]).await?).unwrap_or(0)
        } else {
            0
        };
        let first_reveal_block = if has_storage(at.metadata_ref(), &surface::LAST_EPOCH_BLOCK) {
            let at = &at;
            let read = |item| async move { self.fetch(at, item, vec![u(netuid)]).await.map(|v| number(&v).unwrap_or(0) as u64) };
            let schedule = crate::drand::reveal_round::EpochSchedule {
                last_epoch_block: read(&surface::LAST_EPOCH_BLOCK).await?,
                pending_epoch_at: read(&surface::PENDING_EPOCH_AT).await?,
                subnet_epoch_index: read(&surface::SUBNET_EPOCH_INDEX).await?,
                tempo: hyper.tempo,
                blocks_since_last_step: read(&surface::BLOCKS_SINCE_LAST_STEP).await?,
                current_block: block,
            };
            crate::drand::reveal_round::first_reveal_block(&schedule, hyper.reveal_period_epochs).map_err(|e| ChainError::Rpc(e.to_string()))?
        } else {
            crate::drand::reveal_round::legacy_first_reveal_block(hyper.tempo, netuid, block, hyper.reveal_period_epochs)
        };
        Ok(TimelockContext {
            commit_reveal_version: version as u16,
            beacon_public_key: field(&config, "public_key").map(bytes).unwrap_or_default(),
            beacon_period_secs: field(&config, "period").and_then(number).unwrap_or(3) as u32,
            last_stored_round: number(&round).unwrap_or(0) as u64,
            block_time_secs: BLOCK_TIME_SECS,
            block,
            first_reveal_block,
        })
    }

    async fn balance(&self, account_id: AccountId) -> Result<Balance, ChainError> {
        let at = self.at().await?;
        let address = surface::SYSTEM_ACCOUNT.address::<(Value,)>();
        let Some(info) = at.storage().try_fetch(address, (surface::account(&account_id),)).await.map_err(rpc)? else {
            return Ok(0);
        };
        let info = info.decode().map_err(rpc)?;
        let free = field(&info, "data").and_then(|d| field(d, "free")).and_then(number).unwrap_or(0);
        Ok(free.min(u64::MAX as u128) as u64)
    }
}
