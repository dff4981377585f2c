//! [`SubtensorClient`]: the [`Chain`] trait over a Subtensor node's JSON-RPC, built
//! on `subxt`'s dynamic API (calls, storage and runtime APIs by name, results read
//! by field name), so a runtime upgrade that keeps the names does not break it.
//!
//! What it uses of the chain (checked against opentensor/subtensor @ 14bc6f9f):
//! - calls `SubtensorModule::{burned_register, register_network, serve_axon,
//!   serve_axon_tls, add_stake, remove_stake, set_weights, commit_weights, reveal_weights,
//!   set_activity_cutoff_factor}` and `AdminUtils::sudo_set_*`;
//! - events `SubtensorModule::{NetworkAdded, NeuronRegistered}` for the results;
//! - runtime APIs `NeuronInfoRuntimeApi::get_neurons` and
//!   `SubnetInfoRuntimeApi::get_subnet_hyperparams_v3`;
//! - storage `System::Account` and `SubtensorModule::{BlockAtRegistration,
//!   NeuronCertificates}`;
//! - Subtensor's `ChargeTransactionPaymentWrapper` extension (a tip of 0), which
//!   subxt does not know by itself.

mod values;

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::ext::scale_value::{Composite, ValueDef};
use subxt::utils::{AccountId32, MultiSignature};
use subxt::{OnlineClient, SubstrateConfig};
use tokio::sync::watch;

use super::types::*;
use super::{Chain, ChainError, EpochSchedule};
use values::*;

type Config = SubstrateConfig;

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
        Ok(Self { api, rpc: raw, blocks, follower })
    }

    /// The subxt client, for chain calls the [`Chain`] trait does not cover.
    pub fn api(&self) -> &OnlineClient<Config> {
        &self.api
    }

    /// Sign, submit and wait for finalisation; the extrinsic's events.
    async fn submit(
        &self,
        signer: &dyn Signer,
        pallet: &str,
        call: &str,
        args: Vec<(&str, Value)>,
    ) -> Result<subxt::extrinsics::ExtrinsicEvents<Config>, ChainError> {
        let adapter = SignerAdapter::new(signer)?;
        let fields = Composite::named(args.into_iter().map(|(n, v)| (n.to_string(), v)));
        let payload = subxt::dynamic::tx(pallet, call, fields);
        let mut tx = self.api.tx().await.map_err(rpc)?;
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

    /// `Sudo::Key`; `None` on a chain without the Sudo pallet or key.
    async fn sudo_key(&self) -> Result<Option<AccountId>, ChainError> {
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let address = subxt::dynamic::storage::<(), Value>("Sudo", "Key");
        match at.storage().try_fetch(address, ()).await {
            Ok(Some(v)) => Ok(v.decode().ok().map(|v| bytes(&v)).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(AccountId)),
            Ok(None) => Ok(None),
            // No such storage item in this runtime's metadata.
            Err(e) if e.to_string().contains("not found") => Ok(None),
            Err(e) => Err(rpc(e)),
        }
    }

    /// A runtime API call by name, decoded dynamically.
    async fn runtime_api(&self, api: &str, method: &str, args: Vec<Value>) -> Result<Value, ChainError> {
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let payload = subxt::dynamic::runtime_api_call::<_, Value>(api, method, args);
        at.runtime_apis().call(payload).await.map_err(rpc)
    }

    /// Each UID's `BlockAtRegistration`, in one `state_queryStorageAt` round trip (keys
    /// built from the metadata's hashers).
    async fn registered_at(&self, netuid: NetUid, uids: &[u16]) -> Result<Vec<u64>, ChainError> {
        use codec::Decode;
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let address = subxt::dynamic::storage::<(Value, Value), Value>("SubtensorModule", "BlockAtRegistration");
        let entry = at.storage().entry(address).map_err(rpc)?;
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

fn u16s(values: &[u16]) -> Value {
    Value::unnamed_composite(values.iter().map(|v| u(*v)))
}

/// `serve_axon`'s arguments (`pallets/subtensor/src/macros/dispatches.rs`), which
/// `serve_axon_tls` extends with the certificate.
fn axon_args(netuid: NetUid, axon: &AxonInfo) -> Vec<(&'static str, Value)> {
    vec![
        ("netuid", u(netuid)),
        ("version", u(axon.version)),
        ("ip", u(axon.ip)),
        ("port", u(axon.port)),
        ("ip_type", u(axon.ip_type)),
        ("protocol", u(axon.protocol)),
        ("placeholder1", u(0u8)),
        ("placeholder2", u(0u8)),
    ]
}

fn account_value(a: &AccountId) -> Value {
    Value::from_bytes(a.0)
}

/// The first event `pallet::name` among `events`, as a dynamic value.
fn find_event(events: &subxt::extrinsics::ExtrinsicEvents<Config>, pallet: &str, name: &str) -> Result<Vec<Value>, ChainError> {
    for event in events.iter() {
        let event = event.map_err(rpc)?;
        if event.pallet_name() == pallet && event.event_name() == name {
            let fields: Composite<()> = event.decode_fields_unchecked_as().map_err(rpc)?;
            return Ok(fields.into_values().collect());
        }
    }
    Err(ChainError::Rpc(format!("the chain emitted no {pallet}::{name} event")))
}

/// The value of a hyperparameter setter's argument.
fn hyperparameter_args(netuid: NetUid, value: &Hyperparameter) -> Vec<(&'static str, Value)> {
    use Hyperparameter as H;
    let n = ("netuid", u(netuid));
    match value {
        H::Tempo(v) => vec![n, ("tempo", u(*v))],
        H::Kappa(v) => vec![n, ("kappa", u(*v))],
        H::ImmunityPeriod(v) => vec![n, ("immunity_period", u(*v))],
        H::MaxAllowedUids(v) => vec![n, ("max_allowed_uids", u(*v))],
        H::MaxAllowedValidators(v) => vec![n, ("max_allowed_validators", u(*v))],
        H::WeightsSetRateLimit(v) => vec![n, ("weights_set_rate_limit", u(*v))],
        H::WeightsVersionKey(v) => vec![n, ("weights_version_key", u(*v))],
        H::MinAllowedWeights(v) => vec![n, ("min_allowed_weights", u(*v))],
        H::MaxWeightLimit(v) => vec![n, ("max_weight_limit", u(*v))],
        H::CommitRevealWeightsEnabled(v) => vec![n, ("enabled", Value::bool(*v))],
        H::RevealPeriodEpochs(v) => vec![n, ("interval", u(*v))],
        H::ActivityCutoffFactorMilli(v) => vec![n, ("factor_milli", u(*v))],
        H::MinBurn(v) => vec![n, ("min_burn", u(*v))],
        H::MaxBurn(v) => vec![n, ("max_burn", u(*v))],
        H::BondsMovingAverage(v) => vec![n, ("bonds_moving_average", u(*v))],
        H::BondsPenalty(v) => vec![n, ("bonds_penalty", u(*v))],
        H::LiquidAlphaEnabled(v) => vec![n, ("enabled", Value::bool(*v))],
        H::AlphaValues { low, high } => vec![n, ("alpha_low", u(*low)), ("alpha_high", u(*high))],
        H::Yuma3Enabled(v) => vec![n, ("enabled", Value::bool(*v))],
        H::RegistrationAllowed(v) => vec![n, ("registration_allowed", Value::bool(*v))],
        H::MinNonImmuneUids(v) => vec![n, ("min", u(*v))],
        H::ServingRateLimit(v) => vec![n, ("serving_rate_limit", u(*v))],
        H::BurnHalfLife(v) => vec![n, ("burn_half_life", u(*v))],
        // U64F64 travels as its raw bits (`substrate_fixed::FixedU128 { bits }`).
        H::BurnIncreaseMult(v) => {
            vec![n, ("burn_increase_mult", Value::named_composite([("bits", Value::u128((v * (1u128 << 64) as f64) as u128))]))]
        }
    }
}

/// The (pallet, call) that sets a hyperparameter on Subtensor.
fn hyperparameter_call(value: &Hyperparameter) -> (&'static str, &'static str) {
    use Hyperparameter as H;
    match value {
        H::Tempo(_) => ("AdminUtils", "sudo_set_tempo"),
        H::Kappa(_) => ("AdminUtils", "sudo_set_kappa"),
        H::ImmunityPeriod(_) => ("AdminUtils", "sudo_set_immunity_period"),
        H::MaxAllowedUids(_) => ("AdminUtils", "sudo_set_max_allowed_uids"),
        H::MaxAllowedValidators(_) => ("AdminUtils", "sudo_set_max_allowed_validators"),
        H::WeightsSetRateLimit(_) => ("AdminUtils", "sudo_set_weights_set_rate_limit"),
        H::WeightsVersionKey(_) => ("AdminUtils", "sudo_set_weights_version_key"),
        H::MinAllowedWeights(_) => ("AdminUtils", "sudo_set_min_allowed_weights"),
        // Removed from Subtensor; the served localnet keeps it at its old index.
        H::MaxWeightLimit(_) => ("AdminUtils", "sudo_set_max_weight_limit"),
        H::CommitRevealWeightsEnabled(_) => ("AdminUtils", "sudo_set_commit_reveal_weights_enabled"),
        H::RevealPeriodEpochs(_) => ("AdminUtils", "sudo_set_commit_reveal_weights_interval"),
        H::ActivityCutoffFactorMilli(_) => ("SubtensorModule", "set_activity_cutoff_factor"),
        H::MinBurn(_) => ("AdminUtils", "sudo_set_min_burn"),
        H::MaxBurn(_) => ("AdminUtils", "sudo_set_max_burn"),
        H::BondsMovingAverage(_) => ("AdminUtils", "sudo_set_bonds_moving_average"),
        H::BondsPenalty(_) => ("AdminUtils", "sudo_set_bonds_penalty"),
        H::LiquidAlphaEnabled(_) => ("AdminUtils", "sudo_set_liquid_alpha_enabled"),
        H::AlphaValues { .. } => ("AdminUtils", "sudo_set_alpha_values"),
        H::Yuma3Enabled(_) => ("AdminUtils", "sudo_set_yuma3_enabled"),
        H::RegistrationAllowed(_) => ("AdminUtils", "sudo_set_network_registration_allowed"),
        H::MinNonImmuneUids(_) => ("AdminUtils", "sudo_set_min_non_immune_uids"),
        H::ServingRateLimit(_) => ("AdminUtils", "sudo_set_serving_rate_limit"),
        H::BurnHalfLife(_) => ("AdminUtils", "sudo_set_burn_half_life"),
        H::BurnIncreaseMult(_) => ("AdminUtils", "sudo_set_burn_increase_mult"),
    }
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

/// Hyperparameters from `get_subnet_hyperparams_v3`'s named list; names the chain
/// does not report keep the local chain's defaults.
fn hyperparameters_from(list: &Value) -> SubnetHyperparameters {
    let mut h = super::local::default_hyperparameters();
    for entry in items(list) {
        let name = String::from_utf8(field(entry, "name").map(bytes).unwrap_or_default()).unwrap_or_default();
        let Some((kind, inner)) = field(entry, "value").and_then(variant) else { continue };
        let Some(x) = inner.and_then(number) else { continue };
        let b = x != 0;
        match name.as_str() {
            "kappa" => h.kappa = x as u16,
            "immunity_period" => h.immunity_period = x as u16,
            "min_allowed_weights" => h.min_allowed_weights = x as u16,
            "max_weights_limit" => h.max_weight_limit = x as u16,
            "tempo" => h.tempo = x as u16,
            "weights_version" => h.weights_version_key = x as u64,
            "weights_rate_limit" => h.weights_set_rate_limit = x as u64,
            "activity_cutoff_factor" => h.activity_cutoff_factor_milli = x as u32,
            "registration_allowed" => h.registration_allowed = b,
            "min_burn" => h.min_burn = x as u64,
            "max_burn" => h.max_burn = x as u64,
            "burn_half_life" => h.burn_half_life = x as u16,
            "burn_increase_mult" if kind == "U64F64" => h.burn_increase_mult = x as f64 / (1u128 << 64) as f64,
            "bonds_moving_avg" => h.bonds_moving_average = x as u64,
            "serving_rate_limit" => h.serving_rate_limit = x as u64,
            "max_validators" => h.max_allowed_validators = x as u16,
            "commit_reveal_period" => h.reveal_period_epochs = x as u64,
            "commit_reveal_weights_enabled" => h.commit_reveal_enabled = b,
            "alpha_high" => h.alpha_high = x as u16,
            "alpha_low" => h.alpha_low = x as u16,
            "liquid_alpha_enabled" => h.liquid_alpha_enabled = b,
            "yuma_version" => h.yuma3_enabled = x >= 3,
            "max_allowed_uids" => h.max_allowed_uids = x as u16,
            "bonds_penalty" => h.bonds_penalty = x as u16,
            "min_non_immune_uids" => h.min_non_immune_uids = x as u16,
            _ => {}
        }
    }
    h
}

#[async_trait]
impl Chain for SubtensorClient {
    async fn block_number(&self) -> Result<u64, ChainError> {
        Ok(self.api.at_current_block().await.map_err(rpc)?.block_number())
    }

    fn subscribe_blocks(&self) -> watch::Receiver<u64> {
        self.blocks.subscribe()
    }

    async fn register_network(&self, coldkey: &dyn Signer, hotkey: AccountId) -> Result<NetUid, ChainError> {
        let events = self.submit(coldkey, "SubtensorModule", "register_network", vec![("hotkey", account_value(&hotkey))]).await?;
        let fields = find_event(&events, "SubtensorModule", "NetworkAdded")?;
        fields.first().and_then(number).map(|n| n as NetUid).ok_or_else(|| rpc("NetworkAdded without a netuid"))
    }

    async fn start_call(&self, owner: &dyn Signer, netuid: NetUid) -> Result<(), ChainError> {
        self.submit(owner, "SubtensorModule", "start_call", vec![("netuid", u(netuid))]).await.map(|_| ())
    }

    /// The subnet owner's signed call; from the sudo key, the call wrapped in
    /// `Sudo::sudo` (root), as Subtensor needs for its root-only setters.
    async fn set_hyperparameter(&self, signer: &dyn Signer, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError> {
        let (pallet, call) = hyperparameter_call(&value);
        let args = hyperparameter_args(netuid, &value);
        if self.sudo_key().await? != Some(signer.account_id()) {
            return self.submit(signer, pallet, call, args).await.map(|_| ());
        }
        let fields = Composite::named(args.into_iter().map(|(n, v)| (n.to_string(), v)));
        let inner = Value::unnamed_variant(pallet, [Value::variant(call, fields)]);
        let events = self.submit(signer, "Sudo", "sudo", vec![("call", inner)]).await?;
        // The sudo extrinsic succeeds whatever the wrapped call did; its outcome is here.
        let sudid = find_event(&events, "Sudo", "Sudid")?;
        match sudid.first().map(|r| &r.value) {
            Some(ValueDef::Variant(v)) if v.name == "Ok" => Ok(()),
            Some(ValueDef::Variant(v)) if v.name == "Err" => {
                let at = self.api.at_current_block().await.map_err(rpc)?;
                Err(dispatch_error_from(at.metadata_ref(), v.values.values().next()))
            }
            _ => Err(rpc("a Sudid event without a result")),
        }
    }

    async fn burned_register(&self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId) -> Result<u16, ChainError> {
        let events =
            self.submit(coldkey, "SubtensorModule", "burned_register", vec![("netuid", u(netuid)), ("hotkey", account_value(&hotkey))]).await?;
        let fields = find_event(&events, "SubtensorModule", "NeuronRegistered")?;
        fields.get(1).and_then(number).map(|n| n as u16).ok_or_else(|| rpc("NeuronRegistered without a uid"))
    }

    async fn serve_axon(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo) -> Result<(), ChainError> {
        self.submit(hotkey, "SubtensorModule", "serve_axon", axon_args(netuid, &axon)).await.map(|_| ())
    }

    /// Call 40, `serve_axon_tls`: `serve_axon`'s arguments then `certificate: Vec<u8>`
    /// (`pallets/subtensor/src/macros/dispatches.rs`).
    async fn serve_axon_tls(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo, certificate: &[u8]) -> Result<(), ChainError> {
        let mut args = axon_args(netuid, &axon);
        args.push(("certificate", Value::from_bytes(certificate)));
        self.submit(hotkey, "SubtensorModule", "serve_axon_tls", args).await.map(|_| ())
    }

    async fn add_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        let args = vec![("hotkey", account_value(&hotkey)), ("netuid", u(netuid)), ("amount_staked", u(amount))];
        self.submit(coldkey, "SubtensorModule", "add_stake", args).await.map(|_| ())
    }

    async fn remove_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        let args = vec![("hotkey", account_value(&hotkey)), ("netuid", u(netuid)), ("amount_unstaked", u(amount))];
        self.submit(coldkey, "SubtensorModule", "remove_stake", args).await.map(|_| ())
    }

    async fn set_weights(&self, hotkey: &dyn Signer, netuid: NetUid, uids: &[u16], values: &[u16], version_key: u64) -> Result<(), ChainError> {
        let args = vec![("netuid", u(netuid)), ("dests", u16s(uids)), ("weights", u16s(values)), ("version_key", u(version_key))];
        self.submit(hotkey, "SubtensorModule", "set_weights", args).await.map(|_| ())
    }

    async fn commit_weights(&self, hotkey: &dyn Signer, netuid: NetUid, hash: [u8; 32]) -> Result<(), ChainError> {
        let args = vec![("netuid", u(netuid)), ("commit_hash", Value::from_bytes(hash))];
        self.submit(hotkey, "SubtensorModule", "commit_weights", args).await.map(|_| ())
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
        let args = vec![("netuid", u(netuid)), ("uids", u16s(uids)), ("values", u16s(values)), ("salt", u16s(salt)), ("version_key", u(version_key))];
        self.submit(hotkey, "SubtensorModule", "reveal_weights", args).await.map(|_| ())
    }

    async fn metagraph(&self, netuid: NetUid) -> Result<Metagraph, ChainError> {
        let block = self.block_number().await?;
        let list = self.runtime_api("NeuronInfoRuntimeApi", "get_neurons", vec![u(netuid)]).await?;
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
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let address = subxt::dynamic::storage::<(Value, Value), Value>("SubtensorModule", "NeuronCertificates");
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

    async fn hyperparameters(&self, netuid: NetUid) -> Result<SubnetHyperparameters, ChainError> {
        let answer = self.runtime_api("SubnetInfoRuntimeApi", "get_subnet_hyperparams_v3", vec![u(netuid)]).await?;
        let list = option(&answer).ok_or(ChainError::SubnetNotExists)?;
        Ok(hyperparameters_from(list))
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
        let mut args = vec![("netuid", u(netuid))];
        let call = if mecid == 0 {
            "commit_timelocked_weights"
        } else {
            args.push(("mecid", u(mecid)));
            "commit_timelocked_mechanism_weights"
        };
        args.extend([("commit", Value::from_bytes(commit)), ("reveal_round", u(reveal_round)), ("commit_reveal_version", u(commit_reveal_version))]);
        self.submit(hotkey, "SubtensorModule", call, args).await.map(|_| ())
    }

    async fn timelock_context(&self, netuid: NetUid) -> Result<TimelockContext, ChainError> {
        let hyper = self.hyperparameters(netuid).await?;
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let block = at.block_number();
        let plain = |pallet: &'static str, entry: &'static str| subxt::dynamic::storage::<(), Value>(pallet, entry);
        let read = |v: Option<subxt::storage::StorageValue<'_, Value>>| v.map(|v| v.decode().map_err(rpc)).transpose();
        let version = read(at.storage().try_fetch(plain("SubtensorModule", "CommitRevealWeightsVersion"), ()).await.map_err(rpc)?)?;
        let config = read(at.storage().try_fetch(plain("Drand", "BeaconConfig"), ()).await.map_err(rpc)?)?
            .ok_or_else(|| ChainError::Rpc("Drand::BeaconConfig is not set on this chain".into()))?;
        let last_round = read(at.storage().try_fetch(plain("Drand", "LastStoredRound"), ()).await.map_err(rpc)?)?;
        // Newer runtimes schedule epochs from `LastEpochBlock`; finney 393 by the
        // block number (`(block + netuid + 1) % (tempo + 1) == 0`).
        let last_epoch = subxt::dynamic::storage::<(Value,), Value>("SubtensorModule", "LastEpochBlock");
        let last_epoch_block = match at.storage().try_fetch(last_epoch, (u(netuid),)).await {
            Ok(v) => Some(read(v)?.as_ref().and_then(number).unwrap_or(0) as u64),
            Err(e) if e.to_string().contains("not found") => None,
            Err(e) => return Err(rpc(e)),
        };
        let schedule = match last_epoch_block {
            Some(last_epoch_block) => EpochSchedule::FromLastEpoch { last_epoch_block },
            None => EpochSchedule::Legacy { netuid },
        };
        Ok(TimelockContext {
            commit_reveal_version: version.as_ref().and_then(number).unwrap_or(4) as u16,
            beacon_public_key: field(&config, "public_key").map(bytes).unwrap_or_default(),
            beacon_period_secs: field(&config, "period").and_then(number).unwrap_or(3) as u32,
            last_stored_round: last_round.as_ref().and_then(number).unwrap_or(0) as u64,
            block_time_secs: 12,
            blocks_until_reveal: schedule.blocks_until_reveal(block, hyper.tempo, hyper.reveal_period_epochs),
        })
    }

    async fn balance(&self, account_id: AccountId) -> Result<Balance, ChainError> {
        let at = self.api.at_current_block().await.map_err(rpc)?;
        let address = subxt::dynamic::storage::<(Value,), Value>("System", "Account");
        let Some(info) = at.storage().try_fetch(address, (account_value(&account_id),)).await.map_err(rpc)? else {
            return Ok(0);
        };
        let info = info.decode().map_err(rpc)?;
        let free = field(&info, "data").and_then(|d| field(d, "free")).and_then(number).unwrap_or(0);
        Ok(free.min(u64::MAX as u128) as u64)
    }
}
