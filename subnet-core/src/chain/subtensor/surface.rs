//! Everything the client asks of a Subtensor runtime, in one place: each call it signs
//! (with the builder of its arguments), each storage item, runtime API method and
//! event it reads, and the field names it reads them by. The client builds its
//! requests only from here (a test keeps `mod.rs` free of pallet names), so the
//! offline check against real finney metadata (`finney_check.rs`) checks exactly what
//! the client sends.
//!
//! Argument names and shapes are Subtensor's at 14bc6f9f
//! (`pallets/subtensor/src/macros/dispatches.rs`, `pallets/admin-utils/src/lib.rs`,
//! storage in `pallets/subtensor/src/lib.rs` and `pallets/drand/src/lib.rs`).
//!
//! The example keys, the read lists and the kind numbers are read by the finney check
//! only; the mechanism and timelocked calls and the Drand, Tempo and reveal-period
//! items are declared for the timelocked commit-reveal the client is getting, so they
//! are checked against finney before they are used.
#![cfg_attr(not(test), allow(dead_code))]

use subxt::dynamic::Value;
use subxt::ext::scale_value::Composite;

use crate::chain::types::{AccountId, AxonInfo, Balance, Hyperparameter, NetUid, SubnetHyperparameters};

/// A call the client signs, with its arguments.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Call {
    /// `SubtensorModule::register_network(hotkey)`.
    RegisterNetwork { hotkey: AccountId },
    /// `SubtensorModule::start_call(netuid)`.
    Start { netuid: NetUid },
    /// `SubtensorModule::burned_register(netuid, hotkey)`.
    BurnedRegister { netuid: NetUid, hotkey: AccountId },
    /// `SubtensorModule::serve_axon(netuid, version, ip, port, ip_type, protocol, placeholder1, placeholder2)`.
    ServeAxon { netuid: NetUid, axon: AxonInfo },
    /// `SubtensorModule::serve_axon_tls`: `serve_axon`'s arguments then `certificate: Vec<u8>`.
    ServeAxonTls { netuid: NetUid, axon: AxonInfo, certificate: Vec<u8> },
    /// `SubtensorModule::add_stake(hotkey, netuid, amount_staked)`.
    AddStake { hotkey: AccountId, netuid: NetUid, amount: Balance },
    /// `SubtensorModule::remove_stake(hotkey, netuid, amount_unstaked)`.
    RemoveStake { hotkey: AccountId, netuid: NetUid, amount: Balance },
    /// `SubtensorModule::set_weights(netuid, dests, weights, version_key)`.
    SetWeights { netuid: NetUid, uids: Vec<u16>, values: Vec<u16>, version_key: u64 },
    /// `SubtensorModule::commit_weights(netuid, commit_hash: H256)`.
    CommitWeights { netuid: NetUid, hash: [u8; 32] },
    /// `SubtensorModule::reveal_weights(netuid, uids, values, salt, version_key)`.
    RevealWeights { netuid: NetUid, uids: Vec<u16>, values: Vec<u16>, salt: Vec<u16>, version_key: u64 },
    /// `SubtensorModule::set_mechanism_weights(netuid, mecid: MechId (u8), dests, weights, version_key)`.
    SetMechanismWeights { netuid: NetUid, mecid: u8, uids: Vec<u16>, values: Vec<u16>, version_key: u64 },
    /// `SubtensorModule::commit_mechanism_weights(netuid, mecid, commit_hash)`.
    CommitMechanismWeights { netuid: NetUid, mecid: u8, hash: [u8; 32] },
    /// `SubtensorModule::reveal_mechanism_weights(netuid, mecid, uids, values, salt, version_key)`.
    RevealMechanismWeights { netuid: NetUid, mecid: u8, uids: Vec<u16>, values: Vec<u16>, salt: Vec<u16>, version_key: u64 },
    /// `SubtensorModule::commit_timelocked_weights(netuid, commit: BoundedVec<u8>, reveal_round, commit_reveal_version)`.
    CommitTimelockedWeights { netuid: NetUid, commit: Vec<u8>, reveal_round: u64, commit_reveal_version: u16 },
    /// `SubtensorModule::commit_timelocked_mechanism_weights(netuid, mecid, commit, reveal_round, commit_reveal_version)`.
    CommitTimelockedMechanismWeights { netuid: NetUid, mecid: u8, commit: Vec<u8>, reveal_round: u64, commit_reveal_version: u16 },
    /// A hyperparameter setter ([`hyperparameter_call`] names it).
    SetHyperparameter { netuid: NetUid, value: Hyperparameter },
    /// `Sudo::sudo(call)`: the inner call dispatched as root.
    Sudo(Box<Call>),
}

/// How many kinds of [`Call`] there are: [`Call::kind`] numbers them `0..CALL_KINDS`,
/// and the finney check requires an example of each.
pub(crate) const CALL_KINDS: usize = 17;

impl Call {
    /// The (pallet, call) this is in the runtime's metadata.
    pub(crate) fn name(&self) -> (&'static str, &'static str) {
        const S: &str = "SubtensorModule";
        match self {
            Call::RegisterNetwork { .. } => (S, "register_network"),
            Call::Start { .. } => (S, "start_call"),
            Call::BurnedRegister { .. } => (S, "burned_register"),
            Call::ServeAxon { .. } => (S, "serve_axon"),
            Call::ServeAxonTls { .. } => (S, "serve_axon_tls"),
            Call::AddStake { .. } => (S, "add_stake"),
            Call::RemoveStake { .. } => (S, "remove_stake"),
            Call::SetWeights { .. } => (S, "set_weights"),
            Call::CommitWeights { .. } => (S, "commit_weights"),
            Call::RevealWeights { .. } => (S, "reveal_weights"),
            Call::SetMechanismWeights { .. } => (S, "set_mechanism_weights"),
            Call::CommitMechanismWeights { .. } => (S, "commit_mechanism_weights"),
            Call::RevealMechanismWeights { .. } => (S, "reveal_mechanism_weights"),
            Call::CommitTimelockedWeights { .. } => (S, "commit_timelocked_weights"),
            Call::CommitTimelockedMechanismWeights { .. } => (S, "commit_timelocked_mechanism_weights"),
            Call::SetHyperparameter { value, .. } => hyperparameter_call(value),
            Call::Sudo(_) => ("Sudo", "sudo"),
        }
    }

    /// This call's kind, `0..CALL_KINDS` (exhaustive, so a new variant needs a number).
    pub(crate) fn kind(&self) -> usize {
        match self {
            Call::RegisterNetwork { .. } => 0,
            Call::Start { .. } => 1,
            Call::BurnedRegister { .. } => 2,
            Call::ServeAxon { .. } => 3,
            Call::ServeAxonTls { .. } => 4,
            Call::AddStake { .. } => 5,
            Call::RemoveStake { .. } => 6,
            Call::SetWeights { .. } => 7,
            Call::CommitWeights { .. } => 8,
            Call::RevealWeights { .. } => 9,
            Call::SetMechanismWeights { .. } => 10,
            Call::CommitMechanismWeights { .. } => 11,
            Call::RevealMechanismWeights { .. } => 12,
            Call::CommitTimelockedWeights { .. } => 13,
            Call::CommitTimelockedMechanismWeights { .. } => 14,
            Call::SetHyperparameter { .. } => 15,
            Call::Sudo(_) => 16,
        }
    }

    /// The named arguments, as the call declares them.
    pub(crate) fn args(&self) -> Vec<(&'static str, Value)> {
        match self {
            Call::RegisterNetwork { hotkey } => vec![("hotkey", account(hotkey))],
            Call::Start { netuid } => vec![("netuid", u(*netuid))],
            Call::BurnedRegister { netuid, hotkey } => vec![("netuid", u(*netuid)), ("hotkey", account(hotkey))],
            Call::ServeAxon { netuid, axon } => axon_args(*netuid, axon),
            Call::ServeAxonTls { netuid, axon, certificate } => {
                let mut args = axon_args(*netuid, axon);
                args.push(("certificate", Value::from_bytes(certificate)));
                args
            }
            Call::AddStake { hotkey, netuid, amount } => vec![("hotkey", account(hotkey)), ("netuid", u(*netuid)), ("amount_staked", u(*amount))],
            Call::RemoveStake { hotkey, netuid, amount } => {
                vec![("hotkey", account(hotkey)), ("netuid", u(*netuid)), ("amount_unstaked", u(*amount))]
            }
            Call::SetWeights { netuid, uids, values, version_key } => {
                vec![("netuid", u(*netuid)), ("dests", u16s(uids)), ("weights", u16s(values)), ("version_key", u(*version_key))]
            }
            Call::CommitWeights { netuid, hash } => vec![("netuid", u(*netuid)), ("commit_hash", Value::from_bytes(hash))],
            Call::RevealWeights { netuid, uids, values, salt, version_key } => {
                vec![("netuid", u(*netuid)), ("uids", u16s(uids)), ("values", u16s(values)), ("salt", u16s(salt)), ("version_key", u(*version_key))]
            }
            Call::SetMechanismWeights { netuid, mecid, uids, values, version_key } => {
                vec![("netuid", u(*netuid)), ("mecid", u(*mecid)), ("dests", u16s(uids)), ("weights", u16s(values)), ("version_key", u(*version_key))]
            }
            Call::CommitMechanismWeights { netuid, mecid, hash } => {
                vec![("netuid", u(*netuid)), ("mecid", u(*mecid)), ("commit_hash", Value::from_bytes(hash))]
            }
            Call::RevealMechanismWeights { netuid, mecid, uids, values, salt, version_key } => vec![
                ("netuid", u(*netuid)),
                ("mecid", u(*mecid)),
                ("uids", u16s(uids)),
                ("values", u16s(values)),
                ("salt", u16s(salt)),
                ("version_key", u(*version_key)),
            ],
            Call::CommitTimelockedWeights { netuid, commit, reveal_round, commit_reveal_version } => vec![
                ("netuid", u(*netuid)),
                ("commit", Value::from_bytes(commit)),
                ("reveal_round", u(*reveal_round)),
                ("commit_reveal_version", u(*commit_reveal_version)),
            ],
            Call::CommitTimelockedMechanismWeights { netuid, mecid, commit, reveal_round, commit_reveal_version } => vec![
                ("netuid", u(*netuid)),
                ("mecid", u(*mecid)),
                ("commit", Value::from_bytes(commit)),
                ("reveal_round", u(*reveal_round)),
                ("commit_reveal_version", u(*commit_reveal_version)),
            ],
            Call::SetHyperparameter { netuid, value } => hyperparameter_args(*netuid, value),
            // `RuntimeCall` is `Pallet(PalletCall)`: the pallet variant wraps the call variant.
            Call::Sudo(inner) => {
                let (pallet, call) = inner.name();
                vec![("call", Value::unnamed_variant(pallet, [Value::variant(call, inner.fields())]))]
            }
        }
    }

    /// The arguments as subxt's dynamic call fields.
    pub(crate) fn fields(&self) -> Composite<()> {
        Composite::named(self.args().into_iter().map(|(n, v)| (n.to_string(), v)))
    }

    /// subxt's dynamic payload for this call.
    pub(crate) fn payload(&self) -> subxt::transactions::DynamicPayload<Composite<()>> {
        let (pallet, call) = self.name();
        subxt::dynamic::tx(pallet, call, self.fields())
    }
}

fn u(n: impl Into<u128>) -> Value {
    Value::u128(n.into())
}

fn u16s(values: &[u16]) -> Value {
    Value::unnamed_composite(values.iter().map(|v| u(*v)))
}

/// An `AccountId32` as its 32 bytes.
pub(crate) fn account(a: &AccountId) -> Value {
    Value::from_bytes(a.0)
}

/// `serve_axon`'s arguments, which `serve_axon_tls` extends with the certificate.
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

/// The (pallet, call) that sets a hyperparameter on Subtensor.
pub(crate) fn hyperparameter_call(value: &Hyperparameter) -> (&'static str, &'static str) {
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
        H::MechanismCount(_) => ("AdminUtils", "sudo_set_mechanism_count"),
        H::MechanismEmissionSplit(_) => ("AdminUtils", "sudo_set_mechanism_emission_split"),
    }
}

/// How many [`Hyperparameter`] setters there are; [`hyperparameter_kind`] numbers them.
pub(crate) const HYPERPARAMETER_KINDS: usize = 26;

/// A setter's number, `0..HYPERPARAMETER_KINDS` (exhaustive, so a new one needs a number
/// and the finney check an example).
pub(crate) fn hyperparameter_kind(value: &Hyperparameter) -> usize {
    use Hyperparameter as H;
    match value {
        H::Tempo(_) => 0,
        H::Kappa(_) => 1,
        H::ImmunityPeriod(_) => 2,
        H::MaxAllowedUids(_) => 3,
        H::MaxAllowedValidators(_) => 4,
        H::WeightsSetRateLimit(_) => 5,
        H::WeightsVersionKey(_) => 6,
        H::MinAllowedWeights(_) => 7,
        H::MaxWeightLimit(_) => 8,
        H::CommitRevealWeightsEnabled(_) => 9,
        H::RevealPeriodEpochs(_) => 10,
        H::ActivityCutoffFactorMilli(_) => 11,
        H::MinBurn(_) => 12,
        H::MaxBurn(_) => 13,
        H::BondsMovingAverage(_) => 14,
        H::BondsPenalty(_) => 15,
        H::LiquidAlphaEnabled(_) => 16,
        H::AlphaValues { .. } => 17,
        H::Yuma3Enabled(_) => 18,
        H::RegistrationAllowed(_) => 19,
        H::MinNonImmuneUids(_) => 20,
        H::ServingRateLimit(_) => 21,
        H::BurnHalfLife(_) => 22,
        H::BurnIncreaseMult(_) => 23,
        H::MechanismCount(_) => 24,
        H::MechanismEmissionSplit(_) => 25,
    }
}

/// A hyperparameter setter's arguments.
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
        H::MechanismCount(v) => vec![n, ("mechanism_count", u(*v))],
        H::MechanismEmissionSplit(split) => {
            let split = match split {
                Some(parts) => Value::unnamed_variant("Some", [Value::unnamed_composite(parts.iter().map(|p| u(*p)))]),
                None => Value::unnamed_variant("None", []),
            };
            vec![n, ("maybe_split", split)]
        }
    }
}

/// A storage item the client reads, and the fields of its value it reads by name
/// (`a.b` looks into `a`; sequences, options and compacts are looked through).
#[derive(Clone, Copy, Debug)]
pub(crate) struct StorageItem {
    pub(crate) pallet: &'static str,
    pub(crate) name: &'static str,
    /// Realistic key parts, for the offline check to encode a key with.
    pub(crate) example_key: fn() -> Vec<Value>,
    pub(crate) reads: &'static [&'static str],
}

impl StorageItem {
    /// subxt's dynamic address of this item, with `K` its key parts.
    pub(crate) fn address<K: subxt::ext::frame_decode::helpers::IntoEncodableValues>(&self) -> subxt::storage::DynamicAddress<K, Value> {
        subxt::dynamic::storage::<K, Value>(self.pallet, self.name)
    }
}

const EXAMPLE_ACCOUNT: [u8; 32] = [7; 32];

/// `System::Account`: the free balance (`AccountInfo.data.free`).
pub(crate) const SYSTEM_ACCOUNT: StorageItem =
    StorageItem { pallet: "System", name: "Account", example_key: || vec![Value::from_bytes(EXAMPLE_ACCOUNT)], reads: &["data.free"] };
/// `Sudo::Key`: who may call `Sudo::sudo` (absent on finney's metadata: no Sudo pallet).
pub(crate) const SUDO_KEY: StorageItem = StorageItem { pallet: "Sudo", name: "Key", example_key: Vec::new, reads: &[] };
/// `SubtensorModule::BlockAtRegistration(netuid, uid) -> u64`.
pub(crate) const BLOCK_AT_REGISTRATION: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "BlockAtRegistration", example_key: || vec![u(1u16), u(3u16)], reads: &[] };
/// `SubtensorModule::NeuronCertificates(netuid, hotkey) -> NeuronCertificate`.
pub(crate) const NEURON_CERTIFICATES: StorageItem = StorageItem {
    pallet: "SubtensorModule",
    name: "NeuronCertificates",
    example_key: || vec![u(1u16), Value::from_bytes(EXAMPLE_ACCOUNT)],
    reads: &["public_key", "algorithm"],
};
/// `Drand::BeaconConfig`: the beacon's public key, genesis time and period.
pub(crate) const DRAND_BEACON_CONFIG: StorageItem =
    StorageItem { pallet: "Drand", name: "BeaconConfig", example_key: Vec::new, reads: &["public_key", "period", "genesis_time"] };
/// `Drand::LastStoredRound -> RoundNumber (u64)`.
pub(crate) const DRAND_LAST_STORED_ROUND: StorageItem = StorageItem { pallet: "Drand", name: "LastStoredRound", example_key: Vec::new, reads: &[] };
/// `Drand::Pulses(round) -> Pulse`.
pub(crate) const DRAND_PULSES: StorageItem =
    StorageItem { pallet: "Drand", name: "Pulses", example_key: || vec![u(4_000_000u64)], reads: &["round", "signature"] };
/// `SubtensorModule::CommitRevealWeightsVersion -> u16` (4 on finney: timelocked commits).
pub(crate) const COMMIT_REVEAL_WEIGHTS_VERSION: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "CommitRevealWeightsVersion", example_key: Vec::new, reads: &[] };
/// `SubtensorModule::MechanismCountCurrent(netuid) -> MechId (u8)`.
pub(crate) const MECHANISM_COUNT_CURRENT: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "MechanismCountCurrent", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::TimelockedWeightCommits(NetUidStorageIndex (u16), epoch (u64))`.
pub(crate) const TIMELOCKED_WEIGHT_COMMITS: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "TimelockedWeightCommits", example_key: || vec![u(1u16), u(42u64)], reads: &[] };
/// `SubtensorModule::Tempo(netuid) -> u16`.
pub(crate) const TEMPO: StorageItem = StorageItem { pallet: "SubtensorModule", name: "Tempo", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::RevealPeriodEpochs(netuid) -> u64`.
pub(crate) const REVEAL_PERIOD_EPOCHS: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "RevealPeriodEpochs", example_key: || vec![u(1u16)], reads: &[] };

/// `SubtensorModule::LastEpochBlock(netuid) -> u64`: the stateful epoch scheduler
/// (spec 423 on), with the three items after it.
pub(crate) const LAST_EPOCH_BLOCK: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "LastEpochBlock", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::PendingEpochAt(netuid) -> u64`: an owner-triggered epoch's block, 0 for none.
pub(crate) const PENDING_EPOCH_AT: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "PendingEpochAt", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::SubnetEpochIndex(netuid) -> u64`: epochs run so far.
pub(crate) const SUBNET_EPOCH_INDEX: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "SubnetEpochIndex", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::BlocksSinceLastStep(netuid) -> u64`.
pub(crate) const BLOCKS_SINCE_LAST_STEP: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "BlocksSinceLastStep", example_key: || vec![u(1u16)], reads: &[] };

/// `SubtensorModule::MaxAllowedUids(netuid) -> u16`.
pub(crate) const MAX_ALLOWED_UIDS: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "MaxAllowedUids", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::BondsPenalty(netuid) -> u16`.
pub(crate) const BONDS_PENALTY: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "BondsPenalty", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::MinNonImmuneUids(netuid) -> u16`.
pub(crate) const MIN_NON_IMMUNE_UIDS: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "MinNonImmuneUids", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::BurnHalfLife(netuid) -> u16` (spec 397 on).
pub(crate) const BURN_HALF_LIFE: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "BurnHalfLife", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::BurnIncreaseMult(netuid) -> U64F64` (spec 397 on).
pub(crate) const BURN_INCREASE_MULT: StorageItem =
    StorageItem { pallet: "SubtensorModule", name: "BurnIncreaseMult", example_key: || vec![u(1u16)], reads: &[] };
/// `SubtensorModule::Yuma3On(netuid) -> bool`.
pub(crate) const YUMA3_ON: StorageItem = StorageItem { pallet: "SubtensorModule", name: "Yuma3On", example_key: || vec![u(1u16)], reads: &[] };

/// Every storage item the client reads.
pub(crate) const STORAGE: &[StorageItem] = &[
    SYSTEM_ACCOUNT,
    SUDO_KEY,
    BLOCK_AT_REGISTRATION,
    NEURON_CERTIFICATES,
    DRAND_BEACON_CONFIG,
    DRAND_LAST_STORED_ROUND,
    DRAND_PULSES,
    COMMIT_REVEAL_WEIGHTS_VERSION,
    MECHANISM_COUNT_CURRENT,
    TIMELOCKED_WEIGHT_COMMITS,
    TEMPO,
    REVEAL_PERIOD_EPOCHS,
    LAST_EPOCH_BLOCK,
    PENDING_EPOCH_AT,
    SUBNET_EPOCH_INDEX,
    BLOCKS_SINCE_LAST_STEP,
    MAX_ALLOWED_UIDS,
    BONDS_PENALTY,
    MIN_NON_IMMUNE_UIDS,
    BURN_HALF_LIFE,
    BURN_INCREASE_MULT,
    YUMA3_ON,
];

/// A runtime API method the client calls, and the fields of its answer it reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuntimeApiMethod {
    pub(crate) api: &'static str,
    pub(crate) method: &'static str,
    /// Realistic arguments, for the offline check to encode.
    pub(crate) example_args: fn() -> Vec<Value>,
    pub(crate) reads: &'static [&'static str],
}

impl RuntimeApiMethod {
    /// subxt's dynamic payload for this method with `args`.
    pub(crate) fn payload(&self, args: Vec<Value>) -> subxt::runtime_apis::DynamicPayload<Vec<Value>, Value> {
        subxt::dynamic::runtime_api_call::<_, Value>(self.api, self.method, args)
    }
}

/// `NeuronInfoRuntimeApi::get_neurons(netuid) -> Vec<NeuronInfo>`, read by `neuron_from`.
pub(crate) const GET_NEURONS: RuntimeApiMethod = RuntimeApiMethod {
    api: "NeuronInfoRuntimeApi",
    method: "get_neurons",
    example_args: || vec![u(1u16)],
    reads: &[
        "uid",
        "hotkey",
        "coldkey",
        "stake",
        "active",
        "validator_permit",
        "last_update",
        "axon_info.block",
        "axon_info.version",
        "axon_info.ip",
        "axon_info.port",
        "axon_info.ip_type",
        "axon_info.protocol",
        "rank",
        "trust",
        "consensus",
        "validator_trust",
        "incentive",
        "dividends",
        "emission",
        "weights",
        "bonds",
    ],
};
/// `SubnetInfoRuntimeApi::get_subnet_hyperparams_v3(netuid) -> Option<Vec<HyperparamEntry>>`
/// (spec 413 on): named, tagged values.
pub(crate) const HYPERPARAMS_V3: RuntimeApiMethod =
    RuntimeApiMethod { api: "SubnetInfoRuntimeApi", method: "get_subnet_hyperparams_v3", example_args: || vec![u(1u16)], reads: &["name", "value"] };
/// `get_subnet_hyperparams_v2(netuid) -> Option<SubnetHyperparamsV2>`: one field per
/// hyperparameter, named as v3 names its entries.
pub(crate) const HYPERPARAMS_V2: RuntimeApiMethod =
    RuntimeApiMethod { api: "SubnetInfoRuntimeApi", method: "get_subnet_hyperparams_v2", example_args: || vec![u(1u16)], reads: &[] };
/// `get_subnet_hyperparams(netuid) -> Option<SubnetHyperparams>`, the oldest form.
pub(crate) const HYPERPARAMS_V1: RuntimeApiMethod =
    RuntimeApiMethod { api: "SubnetInfoRuntimeApi", method: "get_subnet_hyperparams", example_args: || vec![u(1u16)], reads: &[] };

/// The hyperparameter methods, newest first: the client calls the first one the
/// runtime's metadata has.
pub(crate) static HYPERPARAMS_NEWEST_FIRST: [RuntimeApiMethod; 3] = [HYPERPARAMS_V3, HYPERPARAMS_V2, HYPERPARAMS_V1];

/// Every runtime API method the client calls.
pub(crate) const RUNTIME_APIS: &[RuntimeApiMethod] = &[GET_NEURONS, HYPERPARAMS_V3, HYPERPARAMS_V2, HYPERPARAMS_V1];

/// An event the client reads, and which of its fields (by position) it reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    pub(crate) pallet: &'static str,
    pub(crate) name: &'static str,
    /// Fields read by position (events are read unnamed).
    pub(crate) reads_at: &'static [usize],
}

/// `NetworkAdded(netuid, mechanism)`: the new subnet's netuid, first.
pub(crate) const NETWORK_ADDED: Event = Event { pallet: "SubtensorModule", name: "NetworkAdded", reads_at: &[0] };
/// `NeuronRegistered(netuid, uid, hotkey)`: the uid, second.
pub(crate) const NEURON_REGISTERED: Event = Event { pallet: "SubtensorModule", name: "NeuronRegistered", reads_at: &[1] };
/// `Sudo::Sudid { sudo_result }`: the wrapped call's outcome, first.
pub(crate) const SUDID: Event = Event { pallet: "Sudo", name: "Sudid", reads_at: &[0] };

/// Every event the client reads.
pub(crate) const EVENTS: &[Event] = &[NETWORK_ADDED, NEURON_REGISTERED, SUDID];

/// Puts a number read from the chain into its field.
pub(crate) type SetHyperparameter = fn(&mut SubnetHyperparameters, u128);

/// How each hyperparameter the client reads lands in [`SubnetHyperparameters`], by the
/// name v3 gives its entry and v1/v2 their field (the same names), from the entry's
/// number. `activity_cutoff_factor` is v3's; older runtimes give `activity_cutoff` in
/// blocks, which [`ACTIVITY_CUTOFF_BLOCKS`] turns back into a factor.
pub(crate) const HYPERPARAMETER_FIELDS: &[(&str, SetHyperparameter)] = &[
    ("kappa", |h, x| h.kappa = x as u16),
    ("immunity_period", |h, x| h.immunity_period = x as u16),
    ("min_allowed_weights", |h, x| h.min_allowed_weights = x as u16),
    ("max_weights_limit", |h, x| h.max_weight_limit = x as u16),
    ("tempo", |h, x| h.tempo = x as u16),
    ("weights_version", |h, x| h.weights_version_key = x as u64),
    ("weights_rate_limit", |h, x| h.weights_set_rate_limit = x as u64),
    ("activity_cutoff_factor", |h, x| h.activity_cutoff_factor_milli = x as u32),
    ("registration_allowed", |h, x| h.registration_allowed = x != 0),
    ("min_burn", |h, x| h.min_burn = x as u64),
    ("max_burn", |h, x| h.max_burn = x as u64),
    ("burn_half_life", |h, x| h.burn_half_life = x as u16),
    // A U64F64's raw bits.
    ("burn_increase_mult", |h, x| h.burn_increase_mult = x as f64 / (1u128 << 64) as f64),
    ("bonds_moving_avg", |h, x| h.bonds_moving_average = x as u64),
    ("serving_rate_limit", |h, x| h.serving_rate_limit = x as u64),
    ("max_validators", |h, x| h.max_allowed_validators = x as u16),
    ("commit_reveal_period", |h, x| h.reveal_period_epochs = x as u64),
    ("commit_reveal_weights_enabled", |h, x| h.commit_reveal_enabled = x != 0),
    ("alpha_high", |h, x| h.alpha_high = x as u16),
    ("alpha_low", |h, x| h.alpha_low = x as u16),
    ("liquid_alpha_enabled", |h, x| h.liquid_alpha_enabled = x != 0),
    ("yuma_version", |h, x| h.yuma3_enabled = x >= 3),
    ("max_allowed_uids", |h, x| h.max_allowed_uids = x as u16),
    ("bonds_penalty", |h, x| h.bonds_penalty = x as u16),
    ("min_non_immune_uids", |h, x| h.min_non_immune_uids = x as u16),
];

/// The name of the activity cutoff in blocks (v1, v2 and v3 all carry it).
pub(crate) const ACTIVITY_CUTOFF_BLOCKS: &str = "activity_cutoff";

/// A hyperparameter an older answer (v1, v2) lacks, read from the storage item the
/// runtime keeps it in (a map by netuid), when the runtime has that item.
pub(crate) struct HyperparameterStorage {
    /// The name in [`HYPERPARAMETER_FIELDS`] it stands for.
    pub(crate) name: &'static str,
    pub(crate) item: StorageItem,
    pub(crate) set: SetHyperparameter,
    /// What a runtime without the item means (it predates the rule), if not the default.
    pub(crate) absent: Option<fn(&mut SubnetHyperparameters)>,
}

/// The storage fallbacks, for the names finney 393's v2 does not carry.
pub(crate) const HYPERPARAMETER_STORAGE: &[HyperparameterStorage] = &[
    HyperparameterStorage { name: "max_allowed_uids", item: MAX_ALLOWED_UIDS, set: |h, x| h.max_allowed_uids = x as u16, absent: None },
    HyperparameterStorage { name: "bonds_penalty", item: BONDS_PENALTY, set: |h, x| h.bonds_penalty = x as u16, absent: None },
    HyperparameterStorage { name: "min_non_immune_uids", item: MIN_NON_IMMUNE_UIDS, set: |h, x| h.min_non_immune_uids = x as u16, absent: None },
    // Before spec 397 (28997eb41) the burn did not decay by half-lives nor grow by a
    // factor per registration (it followed `AdjustmentInterval`, which is not modelled):
    // no decay (0) and a factor of 1.
    HyperparameterStorage {
        name: "burn_half_life",
        item: BURN_HALF_LIFE,
        set: |h, x| h.burn_half_life = x as u16,
        absent: Some(|h| h.burn_half_life = 0),
    },
    // A U64F64's raw bits.
    HyperparameterStorage {
        name: "burn_increase_mult",
        item: BURN_INCREASE_MULT,
        set: |h, x| h.burn_increase_mult = x as f64 / (1u128 << 64) as f64,
        absent: Some(|h| h.burn_increase_mult = 1.0),
    },
    // v1 has no `yuma_version`; the flag behind it is `Yuma3On`.
    HyperparameterStorage { name: "yuma_version", item: YUMA3_ON, set: |h, x| h.yuma3_enabled = x != 0, absent: None },
];
