//! The client's whole chain surface ([`surface`]) against real finney metadata at spec
//! 393 (`tests/data/finney-393/finney.scale`), offline: each call is encoded with the
//! client's own builders, each storage key encoded, each runtime API's arguments
//! encoded and the fields the client reads found in its output type, each event found.
//! Every difference is listed (`cargo test -p subnet-core --lib finney -- --nocapture`
//! prints them) and must be one the client handles, named in [`HANDLED`]; a new drift
//! fails the test, and so does a [`HANDLED`] entry that no longer happens.

use std::collections::BTreeSet;
use std::sync::Arc;

use scale_info::{form::PortableForm, PortableRegistry, TypeDef};
use subxt::client::{OfflineClient, OfflineClientAtBlock};
use subxt::config::substrate::SpecVersionForRange;
use subxt::dynamic::Value;
use subxt::{Metadata, SubstrateConfig};

use subxt::ext::scale_value::{Composite, ValueDef};

use super::surface::{self, Call, RuntimeApiMethod, StorageItem};
use super::values::{account, field, items, number, option};
use super::{has_call, has_runtime_api, has_storage, hyperparameters_from, hyperparams_method, neuron_from, require_call};
use crate::chain::types::{AccountId, AxonInfo, Hyperparameter};
use crate::chain::ChainError;

const FINNEY: &[u8] = include_bytes!("../../../tests/data/finney-393/finney.scale");
const FINNEY_SPEC: u32 = 393;

/// A difference the client handles, and how. `item` is the difference's item exactly.
struct Handled {
    item: &'static str,
    how: &'static str,
}

/// Every difference between what the client uses and finney 393, with what the client
/// does about it (the closing note of issue #14 lists these).
const HANDLED: &[Handled] = &[
    Handled {
        item: "storage SubtensorModule::LastEpochBlock",
        how: "the stateful epoch scheduler came at spec 423 (d30a76f38): without it timelock_context predicts the reveal \
              epoch from finney 393's block-number schedule (epoch (block + netuid + 1) / (tempo + 1), as bittensor-drand 1.x)",
    },
    Handled {
        item: "storage SubtensorModule::PendingEpochAt",
        how: "read only with LastEpochBlock (the stateful scheduler, spec 423); absent with it",
    },
    Handled {
        item: "storage SubtensorModule::SubnetEpochIndex",
        how: "read only with LastEpochBlock (the stateful scheduler, spec 423); absent with it",
    },
    Handled {
        item: "call SubtensorModule::set_activity_cutoff_factor",
        how: "added at spec 423 (d30a76f38); on an older runtime set_hyperparameter(ActivityCutoffFactorMilli) fails \
              with ChainError::NotInRuntime naming the spec version (finney 393 keeps ActivityCutoff in blocks, set \
              by root only)",
    },
    Handled { item: "call AdminUtils::sudo_set_burn_half_life", how: "added at spec 397 (28997eb41): ChainError::NotInRuntime on older runtimes" },
    Handled {
        item: "call AdminUtils::sudo_set_burn_increase_mult",
        how: "added at spec 397 (28997eb41): ChainError::NotInRuntime on older runtimes",
    },
    Handled {
        item: "call AdminUtils::sudo_set_max_weight_limit",
        how: "removed from Subtensor at spec 334 (be7c2d467); only the served localnet keeps it: ChainError::NotInRuntime \
              on finney",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams_v3",
        how: "added at spec 413 (668181bc2): hyperparameters() calls the newest of v3, v2, v1 the metadata declares \
              (v2 on finney 393), read by the field names v3 gives its entries",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams_v2 lacks activity_cutoff_factor",
        how: "before spec 423 the cutoff is kept in blocks: the factor is read back from activity_cutoff * 1000 / tempo",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams lacks activity_cutoff_factor",
        how: "as for v2: the factor is read back from activity_cutoff * 1000 / tempo",
    },
    Handled {
        item: "storage SubtensorModule::BurnHalfLife",
        how: "added at spec 397 (28997eb41); read only when the hyperparameters answer lacks burn_half_life: absent, the \
              burn does not decay by half-lives (burn_half_life 0)",
    },
    Handled {
        item: "storage SubtensorModule::BurnIncreaseMult",
        how: "added at spec 397 (28997eb41); read only when the hyperparameters answer lacks burn_increase_mult: absent, \
              the burn grows by no factor per registration (1.0; the older AdjustmentInterval rule is not modelled)",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams_v2 lacks burn_half_life, and there is no storage BurnHalfLife",
        how: "burn_half_life 0 (no decay), as the runtime has no such rule",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams_v2 lacks burn_increase_mult, and there is no storage BurnIncreaseMult",
        how: "burn_increase_mult 1.0, as the runtime has no such rule",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams lacks burn_half_life, and there is no storage BurnHalfLife",
        how: "as for v2: burn_half_life 0",
    },
    Handled {
        item: "runtime API SubnetInfoRuntimeApi::get_subnet_hyperparams lacks burn_increase_mult, and there is no storage BurnIncreaseMult",
        how: "as for v2: burn_increase_mult 1.0",
    },
];

fn finney() -> Metadata {
    Metadata::decode_from(FINNEY).expect("the vendored finney metadata decodes")
}

/// An offline subxt client at finney's metadata, for encoding as the online one does.
fn offline(metadata: Arc<Metadata>) -> OfflineClientAtBlock<SubstrateConfig> {
    let config = SubstrateConfig::builder()
        .set_metadata_for_spec_versions([(FINNEY_SPEC, metadata)])
        .set_spec_version_for_block_ranges([SpecVersionForRange { block_range: 0..u64::MAX, spec_version: FINNEY_SPEC, transaction_version: 1 }])
        .build();
    OfflineClient::new_with_config(config).at_block(0u64).expect("a client at block 0")
}

/// One realistic example of every call the client can make (every [`Call`] kind, every
/// hyperparameter setter, and a setter wrapped in `Sudo::sudo`).
fn example_calls() -> Vec<Call> {
    let hotkey = AccountId([9; 32]);
    let axon = AxonInfo { block: 0, version: 900, ip: u32::from_be_bytes([203, 0, 113, 7]) as u128, port: 8091, ip_type: 4, protocol: 4 };
    let (uids, values, salt) = (vec![0, 1, 5], vec![65535, 1200, 7], vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let commit = vec![0xAB; 400];
    let mut calls = vec![
        Call::RegisterNetwork { hotkey },
        Call::Start { netuid: 12 },
        Call::BurnedRegister { netuid: 12, hotkey },
        Call::ServeAxon { netuid: 12, axon },
        Call::ServeAxonTls { netuid: 12, axon, certificate: [vec![1u8], vec![0x5A; 32]].concat() },
        Call::AddStake { hotkey, netuid: 12, amount: 5_000_000_000 },
        Call::RemoveStake { hotkey, netuid: 12, amount: 1_000_000_000 },
        Call::SetWeights { netuid: 12, uids: uids.clone(), values: values.clone(), version_key: 2_013 },
        Call::CommitWeights { netuid: 12, hash: [0x11; 32] },
        Call::RevealWeights { netuid: 12, uids: uids.clone(), values: values.clone(), salt: salt.clone(), version_key: 2_013 },
        Call::SetMechanismWeights { netuid: 12, mecid: 1, uids: uids.clone(), values: values.clone(), version_key: 2_013 },
        Call::CommitMechanismWeights { netuid: 12, mecid: 1, hash: [0x22; 32] },
        Call::RevealMechanismWeights { netuid: 12, mecid: 1, uids, values, salt, version_key: 2_013 },
        Call::CommitTimelockedWeights { netuid: 12, commit: commit.clone(), reveal_round: 5_000_123, commit_reveal_version: 4 },
        Call::CommitTimelockedMechanismWeights { netuid: 12, mecid: 1, commit, reveal_round: 5_000_123, commit_reveal_version: 4 },
        Call::Sudo(Box::new(Call::SetHyperparameter { netuid: 12, value: Hyperparameter::Tempo(360) })),
    ];
    calls.extend(example_hyperparameters().into_iter().map(|value| Call::SetHyperparameter { netuid: 12, value }));
    calls
}

fn example_hyperparameters() -> Vec<Hyperparameter> {
    use Hyperparameter as H;
    vec![
        H::Tempo(360),
        H::Kappa(32767),
        H::ImmunityPeriod(5000),
        H::MaxAllowedUids(256),
        H::MaxAllowedValidators(64),
        H::WeightsSetRateLimit(100),
        H::WeightsVersionKey(2_013),
        H::MinAllowedWeights(1),
        H::MaxWeightLimit(65535),
        H::CommitRevealWeightsEnabled(true),
        H::RevealPeriodEpochs(1),
        H::ActivityCutoffFactorMilli(13_889),
        H::MinBurn(500_000),
        H::MaxBurn(100_000_000_000),
        H::BondsMovingAverage(900_000),
        H::BondsPenalty(65535),
        H::LiquidAlphaEnabled(false),
        H::AlphaValues { low: 45875, high: 58982 },
        H::Yuma3Enabled(true),
        H::RegistrationAllowed(true),
        H::MinNonImmuneUids(10),
        H::ServingRateLimit(50),
        H::BurnHalfLife(360),
        H::BurnIncreaseMult(1.26),
        H::MechanismCount(2),
        H::MechanismEmissionSplit(Some(vec![13_107, 52_428])),
    ]
}

/// Look through what does not change the fields a reader sees: sequences, arrays,
/// compacts, `Option`, and single-field newtypes.
fn look_through(types: &PortableRegistry, mut id: u32) -> u32 {
    for _ in 0..16 {
        let Some(ty) = types.resolve(id) else { return id };
        id = match &ty.type_def {
            TypeDef::Sequence(s) => s.type_param.id,
            TypeDef::Array(a) => a.type_param.id,
            TypeDef::Compact(c) => c.type_param.id,
            TypeDef::Variant(v) if ty.path.ident().as_deref() == Some("Option") => {
                match v.variants.iter().find(|x| x.name == "Some").and_then(|x| x.fields.first()) {
                    Some(f) => f.ty.id,
                    None => return id,
                }
            }
            TypeDef::Composite(c) if c.fields.len() == 1 && c.fields[0].name.is_none() => c.fields[0].ty.id,
            _ => return id,
        };
    }
    id
}

/// The type at `path` (`a.b`: field `b` of field `a`) inside type `id`, if every field exists.
fn field_type(types: &PortableRegistry, id: u32, path: &str) -> Option<u32> {
    let mut id = id;
    for name in path.split('.') {
        let ty = types.resolve(look_through(types, id))?;
        let TypeDef::Composite(c) = &ty.type_def else { return None };
        id = c.fields.iter().find(|f: &&scale_info::Field<PortableForm>| f.name.as_deref() == Some(name))?.ty.id;
    }
    Some(id)
}

/// The differences between the client's surface and `metadata`, each as one line
/// (`what item: detail`), found by encoding with the client's own builders.
fn differences(metadata: Metadata) -> Vec<String> {
    let metadata = Arc::new(metadata);
    let client = offline(metadata.clone());
    let metadata = &*metadata;
    let types = metadata.types();
    let mut out = Vec::new();

    // Calls: absent, or present and encoding with the client's arguments.
    let mut missing = BTreeSet::new();
    for call in example_calls() {
        let (pallet, name) = call.name();
        if !has_call(metadata, pallet, name) {
            missing.insert(format!("call {pallet}::{name}"));
            continue;
        }
        if let Err(e) = client.tx().call_data(&call.payload()) {
            out.push(format!("call {pallet}::{name} does not encode: {e}"));
        }
    }
    out.extend(missing);

    // Storage: absent, or its key encodes and the fields read exist.
    for item in surface::STORAGE {
        let what = format!("storage {}::{}", item.pallet, item.name);
        if !has_storage(metadata, item) {
            out.push(what);
            continue;
        }
        match storage_key(&client, item) {
            Ok(key) if key.len() >= 32 => {}
            Ok(key) => out.push(format!("{what} key is {} bytes", key.len())),
            Err(e) => out.push(format!("{what} key does not encode: {e}")),
        }
        let value_ty = metadata.pallet_by_name(item.pallet).and_then(|p| p.storage()).and_then(|s| s.entry_by_name(item.name)).map(|e| e.value_ty());
        for read in item.reads {
            if value_ty.and_then(|ty| field_type(types, ty, read)).is_none() {
                out.push(format!("{what} lacks {read}"));
            }
        }
    }

    // Runtime APIs: absent, or the arguments encode and the fields read exist.
    for method in surface::RUNTIME_APIS {
        let what = format!("runtime API {}::{}", method.api, method.method);
        if !has_runtime_api(metadata, method) {
            out.push(what);
            continue;
        }
        if let Err(e) = client.runtime_apis().encode_args(method.payload((method.example_args)())) {
            out.push(format!("{what} arguments do not encode: {e}"));
        }
        let output = output_ty(metadata, method);
        for read in method.reads {
            if field_type(types, output, read).is_none() {
                out.push(format!("{what} lacks {read}"));
            }
        }
        // v1 and v2 carry the hyperparameters as fields named like v3's entries.
        if method.method != surface::HYPERPARAMS_V3.method && method.method.starts_with("get_subnet_hyperparams") {
            for (name, _) in surface::HYPERPARAMETER_FIELDS {
                if field_type(types, output, name).is_some() {
                    continue;
                }
                // The client reads it from storage instead, when the runtime has the item.
                match surface::HYPERPARAMETER_STORAGE.iter().find(|f| f.name == *name) {
                    Some(f) if has_storage(metadata, &f.item) => {}
                    Some(f) => out.push(format!("{what} lacks {name}, and there is no storage {}", f.item.name)),
                    None => out.push(format!("{what} lacks {name}")),
                }
            }
            if field_type(types, output, surface::ACTIVITY_CUTOFF_BLOCKS).is_none() {
                out.push(format!("{what} lacks {}", surface::ACTIVITY_CUTOFF_BLOCKS));
            }
        }
    }

    // Events: present, with the fields the client reads by position.
    for event in surface::EVENTS {
        let what = format!("event {}::{}", event.pallet, event.name);
        let variant = metadata.pallet_by_name(event.pallet).and_then(|p| p.event_variants()).and_then(|vs| vs.iter().find(|v| v.name == event.name));
        match variant {
            None => out.push(what),
            Some(v) => {
                if let Some(i) = event.reads_at.iter().find(|i| **i >= v.fields.len()) {
                    out.push(format!("{what} has no field {i}"));
                }
            }
        }
    }
    out
}

fn storage_key(client: &OfflineClientAtBlock<SubstrateConfig>, item: &StorageItem) -> Result<Vec<u8>, String> {
    let entry = client.storage().entry(item.address::<Vec<Value>>()).map_err(|e| e.to_string())?;
    entry.fetch_key((item.example_key)()).map_err(|e| e.to_string())
}

fn output_ty(metadata: &Metadata, method: &RuntimeApiMethod) -> u32 {
    metadata.runtime_api_trait_by_name(method.api).and_then(|a| a.method_by_name(method.method)).map(|m| m.output_ty()).expect("checked present")
}

/// A value of type `id` with a small distinct number in each numeric leaf (counted by
/// `next`): what a runtime could answer, to decode as the client reads it.
fn sample(types: &PortableRegistry, id: u32, next: &mut u128) -> Value {
    use scale_info::TypeDefPrimitive as P;
    let fields = |fields: &[scale_info::Field<PortableForm>], next: &mut u128| -> Composite<()> {
        if fields.iter().all(|f| f.name.is_some()) && !fields.is_empty() {
            Composite::named(fields.iter().map(|f| (f.name.clone().unwrap_or_default(), sample(types, f.ty.id, next))))
        } else {
            Composite::unnamed(fields.iter().map(|f| sample(types, f.ty.id, next)))
        }
    };
    let ty = types.resolve(id).expect("a type of the registry");
    match &ty.type_def {
        TypeDef::Composite(c) => Value { value: ValueDef::Composite(fields(&c.fields, next)), context: () },
        // `Some` for options; otherwise the first variant.
        TypeDef::Variant(v) => {
            let chosen = v.variants.iter().find(|x| x.name == "Some").or(v.variants.first()).expect("an enum with variants");
            Value::variant(chosen.name.clone(), fields(&chosen.fields, next))
        }
        TypeDef::Sequence(s) => Value::unnamed_composite([sample(types, s.type_param.id, next)]),
        TypeDef::Array(a) => Value::unnamed_composite((0..a.len).map(|_| sample(types, a.type_param.id, next)).collect::<Vec<_>>()),
        TypeDef::Tuple(t) => Value::unnamed_composite(t.fields.iter().map(|f| sample(types, f.id, next)).collect::<Vec<_>>()),
        TypeDef::Compact(c) => sample(types, c.type_param.id, next),
        TypeDef::BitSequence(_) => Value::bit_sequence(Default::default()),
        TypeDef::Primitive(p) => {
            *next += 1;
            let n = *next % 200 + 1;
            match p {
                P::Bool => Value::bool(true),
                P::Str => Value::string("x"),
                P::Char => Value::char('x'),
                P::I8 | P::I16 | P::I32 | P::I64 | P::I128 | P::I256 => Value::i128(n as i128),
                _ => Value::u128(n),
            }
        }
    }
}

/// `sample` of type `id`, encoded with finney's types and decoded back as the client
/// decodes answers (so the client sees finney's layout, field names and all).
fn answer_of(metadata: &Metadata, id: u32) -> (Value, Value) {
    use subxt::ext::scale_value::scale;
    let types = metadata.types();
    let given = sample(types, id, &mut 0);
    let mut bytes = Vec::new();
    scale::encode_as_type(&given, id, types, &mut bytes).expect("the sample encodes as its own type");
    let decoded = scale::decode_as_type(&mut &bytes[..], id, types).expect("and decodes").remove_context();
    (given, decoded)
}

#[test]
fn finneys_hyperparameters_v2_answer_is_read_by_name() {
    let metadata = finney();
    let method = hyperparams_method(&metadata).expect("finney has a hyperparameters API");
    let (given, answer) = answer_of(&metadata, output_ty(&metadata, method));
    let inner = option(&answer).expect("Some");
    let (h, read) = hyperparameters_from(inner);
    // Every name the client knows that finney's type carries is read, and only those.
    let carried: BTreeSet<String> = surface::HYPERPARAMETER_FIELDS
        .iter()
        .filter(|(name, _)| field_type(metadata.types(), output_ty(&metadata, method), name).is_some())
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(read, carried);
    assert!(read.len() >= 18, "{read:?}");
    let given = option(&given).unwrap();
    let n = |name: &str| field(given, name).and_then(number).unwrap();
    assert_eq!(u128::from(h.tempo), n("tempo"));
    assert_eq!(u128::from(h.kappa), n("kappa"));
    assert_eq!(u128::from(h.max_allowed_validators), n("max_validators"));
    assert_eq!(u128::from(h.weights_set_rate_limit), n("weights_rate_limit"));
    assert_eq!(u128::from(h.reveal_period_epochs), n("commit_reveal_period"));
    // Finney 393 gives the cutoff in blocks: the factor is read back from it.
    assert_eq!(u128::from(h.activity_cutoff_factor_milli), n("activity_cutoff") * 1000 / n("tempo"));
}

#[test]
fn finneys_neuron_info_is_read_by_name() {
    let metadata = finney();
    let (given, answer) = answer_of(&metadata, output_ty(&metadata, &surface::GET_NEURONS));
    let rows = items(&answer);
    assert_eq!(rows.len(), 1);
    let neuron = neuron_from(rows[0], 77).expect("a NeuronInfo with hotkey and coldkey");
    let given = items(&given)[0];
    let n = |name: &str| field(given, name).and_then(number).unwrap();
    assert_eq!(u128::from(neuron.uid), n("uid"));
    assert_eq!(u128::from(neuron.trust), n("trust"));
    assert_eq!(u128::from(neuron.last_update), n("last_update"));
    assert_eq!(neuron.hotkey, account(field(given, "hotkey").unwrap()).unwrap());
    assert_eq!(u128::from(neuron.axon.expect("a served axon").port), field(field(given, "axon_info").unwrap(), "port").and_then(number).unwrap());
    assert_eq!(neuron.weights.len(), 1);
    assert_eq!(neuron.registered_at, 77);
}

#[test]
fn every_call_storage_item_and_runtime_api_the_client_uses_is_finneys_or_handled() {
    let found = differences(finney());
    println!("The client's surface against finney at spec {FINNEY_SPEC}: {} differences", found.len());
    for d in &found {
        let how = HANDLED.iter().find(|h| h.item == d).map(|h| h.how).unwrap_or("NOT HANDLED");
        println!("- {d}\n    {how}");
    }
    let unhandled: Vec<&String> = found.iter().filter(|d| !HANDLED.iter().any(|h| h.item == d.as_str())).collect();
    let stale: Vec<&str> = HANDLED.iter().filter(|h| !found.iter().any(|d| d == h.item)).map(|h| h.item).collect();
    assert!(
        unhandled.is_empty() && stale.is_empty(),
        "differences from finney {FINNEY_SPEC} the client does not handle (add a fallback or a clear error, then \
         list it in HANDLED): {unhandled:#?}\nHANDLED entries that no longer happen: {stale:#?}"
    );
}

#[test]
fn the_examples_cover_every_call_and_setter_the_client_builds() {
    let calls = example_calls();
    let kinds: BTreeSet<usize> = calls.iter().map(Call::kind).collect();
    assert_eq!(kinds, (0..surface::CALL_KINDS).collect(), "an example of every Call kind");
    let setters: BTreeSet<usize> = example_hyperparameters().iter().map(surface::hyperparameter_kind).collect();
    assert_eq!(setters, (0..surface::HYPERPARAMETER_KINDS).collect(), "an example of every hyperparameter setter");
}

#[test]
fn what_finney_lacks_gets_a_fallback_or_a_clear_error() {
    let metadata = finney();
    // The hyperparameters come from v2, the newest finney 393 declares.
    assert_eq!(hyperparams_method(&metadata).map(|m| m.method), Some("get_subnet_hyperparams_v2"));
    // A setter finney lacks is refused before encoding, naming the runtime's spec version.
    let call = Call::SetHyperparameter { netuid: 1, value: Hyperparameter::ActivityCutoffFactorMilli(2000) };
    let err = require_call(&metadata, FINNEY_SPEC, &call).unwrap_err();
    assert_eq!(err, ChainError::NotInRuntime { what: "SubtensorModule::set_activity_cutoff_factor".into(), spec_version: FINNEY_SPEC });
    assert!(err.to_string().contains("spec version 393"), "{err}");
    // Wrapped in Sudo::sudo it is refused all the same; a call finney has passes.
    assert!(require_call(&metadata, FINNEY_SPEC, &Call::Sudo(Box::new(call))).is_err());
    assert!(require_call(&metadata, FINNEY_SPEC, &Call::Start { netuid: 1 }).is_ok());
}

#[test]
fn a_new_drift_is_found() {
    use codec::Decode;
    use subxt::ext::frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
    // Finney without `commit_timelocked_weights`: the check names it, and it is not handled.
    let mut prefixed = RuntimeMetadataPrefixed::decode(&mut &FINNEY[..]).unwrap();
    let RuntimeMetadata::V16(m) = &mut prefixed.1 else { panic!("finney.scale is metadata V16") };
    for ty in m.types.types.iter_mut() {
        if ty.ty.path.segments.iter().any(|s| s == "pallet_subtensor") && ty.ty.path.ident().as_deref() == Some("Call") {
            if let TypeDef::Variant(v) = &mut ty.ty.type_def {
                v.variants.retain(|x| x.name != "commit_timelocked_weights");
            }
        }
    }
    let RuntimeMetadata::V16(m) = prefixed.1 else { unreachable!("matched above") };
    let found = differences(Metadata::from_v16(m).unwrap());
    let drift = "call SubtensorModule::commit_timelocked_weights";
    assert!(found.iter().any(|d| d == drift), "{found:#?}");
    assert!(!HANDLED.iter().any(|h| h.item == drift));
}

#[test]
fn the_client_names_the_chain_only_through_the_surface() {
    // What is checked above is what the client sends only if the client builds nothing
    // by name elsewhere.
    let client = include_str!("mod.rs");
    for needle in
        ["dynamic::tx", "dynamic::storage", "runtime_api_call", "\"SubtensorModule\"", "\"AdminUtils\"", "\"Sudo\"", "\"System\"", "\"Drand\""]
    {
        assert!(!client.contains(needle), "subtensor/mod.rs names {needle}: declare it in surface.rs");
    }
}
