//! FRAME-level types of the served node, SCALE-encoded exactly as a Substrate runtime
//! encodes them: headers, `System::Account`, event records, dispatch errors.
//!
//! Type paths matter where clients look types up by path (subxt finds the dispatch
//! error by `sp_runtime::DispatchError`), so those carry a hand-written `TypeInfo`.

use std::borrow::Cow;

use codec::{Compact, Decode, Encode};
use scale_info::build::{Fields, Variants};
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};

use super::pallets::H256;

/// A block or extrinsic hash (`H256`, blake2-256).
pub type Hash = [u8; 32];

/// `sp_runtime::generic::Header<u32, BlakeTwo256>`.
#[allow(missing_docs)] // the fields are Substrate's
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Header {
    pub parent_hash: Hash,
    #[codec(compact)]
    pub number: u32,
    pub state_root: Hash,
    pub extrinsics_root: Hash,
    /// `Digest { logs: Vec<DigestItem> }` (the same bytes: a struct of one field);
    /// this node seals no digest items.
    pub digest: Vec<DigestItem>,
}

/// Described as Substrate describes it (`sp_runtime::generic::header`): the hashes are
/// `H256` (`Hash::Output`) and the digest the `Digest` struct; the bytes are the fields'.
impl TypeInfo for Header {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("Header", "sp_runtime::generic::header"))
            .type_params(vec![TypeParameter::new("Number", Some(meta_type::<u32>())), TypeParameter::new("Hash", None)])
            .composite(
                Fields::named()
                    .field(|f| f.ty::<H256>().name("parent_hash").type_name("Hash::Output"))
                    .field(|f| f.compact::<u32>().name("number").type_name("Number"))
                    .field(|f| f.ty::<H256>().name("state_root").type_name("Hash::Output"))
                    .field(|f| f.ty::<H256>().name("extrinsics_root").type_name("Hash::Output"))
                    .field(|f| f.ty::<Digest>().name("digest").type_name("Digest")),
            )
    }
}

/// `sp_runtime::generic::Digest { logs: Vec<DigestItem> }`, described only: the
/// header holds its one field.
struct Digest;

impl TypeInfo for Digest {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("Digest", "sp_runtime::generic::digest"))
            .composite(Fields::named().field(|f| f.ty::<Vec<DigestItem>>().name("logs").type_name("Vec<DigestItem>")))
    }
}

/// `sp_runtime::generic::DigestItem`, at Substrate's indices (`sp_runtime::generic::digest`,
/// `DigestItemType`); the engine id is 4 bytes (`ConsensusEngineId`).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DigestItem {
    #[codec(index = 6)]
    PreRuntime([u8; 4], Vec<u8>),
    #[codec(index = 4)]
    Consensus([u8; 4], Vec<u8>),
    #[codec(index = 5)]
    Seal([u8; 4], Vec<u8>),
    #[codec(index = 0)]
    Other(Vec<u8>),
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

impl Header {
    /// The block hash: BlakeTwo256 of the SCALE header, as every Substrate chain.
    pub fn hash(&self) -> Hash {
        sp_crypto_hashing::blake2_256(&self.encode())
    }

    /// The JSON a Substrate node returns from `chain_getHeader`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "parentHash": hex0x(&self.parent_hash),
            "number": format!("0x{:x}", self.number),
            "stateRoot": hex0x(&self.state_root),
            "extrinsicsRoot": hex0x(&self.extrinsics_root),
            // Each log as the hex of its SCALE encoding, as Substrate's RPC writes them.
            "digest": { "logs": self.digest.iter().map(|item| hex0x(&item.encode())).collect::<Vec<_>>() },
        })
    }
}

/// `0x`-prefixed lower-case hex, as JSON-RPC carries bytes.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// `pallet_balances::AccountData<u64>` (Subtensor's balance is a u64 in rao). Its
/// default is FRAME's: zero balances, the new-logic flag.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountData {
    pub free: u64,
    pub reserved: u64,
    pub frozen: u64,
    pub flags: ExtraFlags,
}

/// `pallet_balances::types::ExtraFlags(u128)`; its default has the new-logic bit, set
/// on every account since the balances migration (`pallet_balances` `impl Default for
/// ExtraFlags`).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ExtraFlags(pub u128);

impl Default for ExtraFlags {
    fn default() -> Self {
        Self(NEW_LOGIC_FLAG)
    }
}

/// `frame_system::AccountInfo<u32, AccountData>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountInfo {
    pub nonce: u32,
    pub consumers: u32,
    pub providers: u32,
    pub sufficients: u32,
    pub data: AccountData,
}

/// `AccountData.flags`' new-logic bit (`ExtraFlags`), set on every current account.
pub const NEW_LOGIC_FLAG: u128 = 1 << 127;

/// `sp_weights::Weight`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Weight {
    #[codec(compact)]
    pub ref_time: u64,
    #[codec(compact)]
    pub proof_size: u64,
}

// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DispatchClass {
    Normal,
    Operational,
    Mandatory,
}

// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Pays {
    Yes,
    No,
}

// `frame_system::DispatchEventInfo` (`frame/system/src/lib.rs`; finney 393 declares it
// there), as the current `System` events carry it.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DispatchEventInfo {
    pub weight: Weight,
    pub class: DispatchClass,
    pub pays_fee: Pays,
}

impl DispatchEventInfo {
    /// What a normal, fee-paying extrinsic's events carry (zero weight: no weights here).
    pub fn normal() -> Self {
        Self { weight: Weight::default(), class: DispatchClass::Normal, pays_fee: Pays::Yes }
    }
}

/// `sp_runtime::ModuleError`: the pallet's index and the error's variant index
/// (then 3 bytes the runtime leaves zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ModuleError {
    /// The pallet's index in the runtime.
    pub index: u8,
    /// The error's variant index in its pallet, then three zero bytes.
    pub error: [u8; 4],
}

impl TypeInfo for ModuleError {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder().path(Path::new("ModuleError", "sp_runtime")).composite(
            Fields::named()
                .field(|f| f.ty::<u8>().name("index").type_name("u8"))
                .field(|f| f.ty::<[u8; 4]>().name("error").type_name("[u8; MAX_MODULE_ERROR_ENCODED_SIZE]")),
        )
    }
}

/// `sp_runtime::DispatchError`, the variants clients know by name and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum DispatchError {
    /// Any other error.
    Other,
    /// An address could not be looked up.
    CannotLookup,
    /// The origin may not make this call.
    BadOrigin,
    /// A pallet's own error (e.g. `SubtensorModule::SettingWeightsTooFast`).
    Module(ModuleError),
    /// A fungible-token rule refused the call (e.g. a balance transfer).
    #[codec(index = 7)]
    Token(TokenError),
}

/// `sp_runtime::TokenError`, in order: why a fungible operation failed.
#[allow(missing_docs)] // the variants are Substrate's names, described in its docs
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum TokenError {
    FundsUnavailable,
    OnlyProvider,
    BelowMinimum,
    CannotCreate,
    UnknownAsset,
    Frozen,
    Unsupported,
    CannotCreateHold,
    NotExpendable,
    Blocked,
}

impl TypeInfo for TokenError {
    type Identity = Self;
    fn type_info() -> Type {
        #[rustfmt::skip]
        let names = [
            "FundsUnavailable", "OnlyProvider", "BelowMinimum", "CannotCreate", "UnknownAsset", "Frozen", "Unsupported",
            "CannotCreateHold", "NotExpendable", "Blocked",
        ];
        unit_enum("TokenError", "sp_runtime", &names)
    }
}

/// `sp_arithmetic::ArithmeticError`, described only (the node never raises it).
struct ArithmeticError;

impl TypeInfo for ArithmeticError {
    type Identity = Self;
    fn type_info() -> Type {
        unit_enum("ArithmeticError", "sp_arithmetic", &["Underflow", "Overflow", "DivisionByZero"])
    }
}

/// `sp_runtime::TransactionalError`, described only.
struct TransactionalError;

impl TypeInfo for TransactionalError {
    type Identity = Self;
    fn type_info() -> Type {
        unit_enum("TransactionalError", "sp_runtime", &["LimitReached", "NoLayer"])
    }
}

/// `sp_runtime::proving_trie::TrieError`, described only.
struct TrieError;

impl TypeInfo for TrieError {
    type Identity = Self;
    fn type_info() -> Type {
        #[rustfmt::skip]
        let names = [
            "InvalidStateRoot", "IncompleteDatabase", "ValueAtIncompleteKey", "DecoderError", "InvalidHash", "DuplicateKey",
            "ExtraneousNode", "ExtraneousValue", "ExtraneousHashReference", "InvalidChildReference", "ValueMismatch",
            "IncompleteProof", "RootMismatch", "DecodeError",
        ];
        unit_enum("TrieError", "sp_runtime::proving_trie", &names)
    }
}

/// An enum of unit variants at indices 0, 1, … under `module::name`.
fn unit_enum(name: &'static str, module: &'static str, names: &[&'static str]) -> Type {
    let mut variants = Variants::new();
    for (i, variant) in names.iter().enumerate() {
        variants = variants.variant(*variant, |v| v.index(i as u8));
    }
    Type::builder().path(Path::new(name, module)).variant(variants)
}

impl TypeInfo for DispatchError {
    type Identity = Self;
    fn type_info() -> Type {
        // All of Substrate's variants are described, so that clients decode any
        // error; the node raises only those of the Rust enum.
        Type::builder().path(Path::new("DispatchError", "sp_runtime")).variant(
            Variants::new()
                .variant("Other", |v| v.index(0))
                .variant("CannotLookup", |v| v.index(1))
                .variant("BadOrigin", |v| v.index(2))
                .variant("Module", |v| v.index(3).fields(Fields::unnamed().field(|f| f.ty::<ModuleError>().type_name("ModuleError"))))
                .variant("ConsumerRemaining", |v| v.index(4))
                .variant("NoProviders", |v| v.index(5))
                .variant("TooManyConsumers", |v| v.index(6))
                .variant("Token", |v| v.index(7).fields(Fields::unnamed().field(|f| f.ty::<TokenError>().type_name("TokenError"))))
                .variant("Arithmetic", |v| v.index(8).fields(Fields::unnamed().field(|f| f.ty::<ArithmeticError>().type_name("ArithmeticError"))))
                .variant("Transactional", |v| {
                    v.index(9).fields(Fields::unnamed().field(|f| f.ty::<TransactionalError>().type_name("TransactionalError")))
                })
                .variant("Exhausted", |v| v.index(10))
                .variant("Corruption", |v| v.index(11))
                .variant("Unavailable", |v| v.index(12))
                .variant("RootNotAllowed", |v| v.index(13))
                .variant("Trie", |v| v.index(14).fields(Fields::unnamed().field(|f| f.ty::<TrieError>().type_name("TrieError")))),
        )
    }
}

/// `frame_system::Event`: the two events every extrinsic ends with, at their
/// positions in FRAME's enum (0 and 1).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SystemEvent {
    ExtrinsicSuccess { dispatch_info: DispatchEventInfo },
    ExtrinsicFailed { dispatch_error: DispatchError, dispatch_info: DispatchEventInfo },
}

/// `frame_system::Phase`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Phase {
    ApplyExtrinsic(u32),
    Finalization,
    Initialization,
}

/// `frame_system::EventRecord<RuntimeEvent, H256>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct EventRecord<E> {
    pub phase: Phase,
    pub event: E,
    pub topics: Vec<H256>,
}

/// `sp_version::RuntimeVersion`, as `Core_version` returns it.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Encode, TypeInfo)]
pub struct RuntimeVersion {
    // `Cow<'static, _>` as in `sp_version` (scale-info describes it as the newtype `Cow(T)`).
    pub spec_name: Cow<'static, str>,
    pub impl_name: Cow<'static, str>,
    pub authoring_version: u32,
    pub spec_version: u32,
    pub impl_version: u32,
    pub apis: Cow<'static, [([u8; 8], u32)]>,
    pub transaction_version: u32,
    pub system_version: u8,
}

impl RuntimeVersion {
    /// The JSON of `state_getRuntimeVersion`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "specName": self.spec_name,
            "implName": self.impl_name,
            "authoringVersion": self.authoring_version,
            "specVersion": self.spec_version,
            "implVersion": self.impl_version,
            "apis": self.apis.iter().map(|(id, v)| serde_json::json!([hex0x(id), v])).collect::<Vec<_>>(),
            "transactionVersion": self.transaction_version,
            "systemVersion": self.system_version,
            "stateVersion": self.system_version,
        })
    }
}

/// `sp_core::OpaqueMetadata`: what `Metadata_metadata` and `Metadata_metadata_at_version`
/// return, the prefixed metadata as a SCALE `Vec<u8>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct OpaqueMetadata(pub Vec<u8>);

/// The 8-byte id of a runtime API: the first bytes of blake2_64... as Substrate's
/// `sp_api::runtime_decl_for_*::ID`, which is `blake2_64(trait name)`.
pub fn api_id(name: &str) -> [u8; 8] {
    sp_crypto_hashing::blake2_64(name.as_bytes())
}

/// A `Compact<u32>` length prefix followed by the bytes: SCALE's `Vec<u8>`.
pub fn encode_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Compact(bytes.len() as u32).encode();
    out.extend_from_slice(bytes);
    out
}
