//! Runtime metadata (V14 and V15) of the served node, built from the Rust types with
//! `scale-info` and `frame-metadata`: pallets at Subtensor's indices with their
//! calls, events, errors and the storage items this node answers; the extrinsic
//! format with Subtensor's transaction extensions (`runtime/src/lib.rs`
//! `TxExtension`, identifiers from each extension's `IDENTIFIER`); the runtime APIs.

use codec::{Decode, Encode};
use frame_metadata::v15::{
    CustomMetadata, ExtrinsicMetadata, OuterEnums, PalletCallMetadata, PalletConstantMetadata, PalletErrorMetadata, PalletEventMetadata,
    PalletMetadata, RuntimeMetadataV15,
};
use frame_metadata::RuntimeMetadataPrefixed;
use scale_info::build::{Fields, Variants};
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};

use super::pallets::{
    AccountId32, AdminCall, ErrorEnum, RuntimeCall, RuntimeEvent, SubtensorCall, SubtensorEvent, SudoCall, SudoEvent, ADMIN_UTILS_PALLET_INDEX,
    BALANCES_PALLET_INDEX, SUBTENSOR_PALLET_INDEX, SUDO_PALLET_INDEX,
};
use super::storage;
use super::system::SystemEvent;

/// Runtime APIs and their versions, as `Core_version` lists them (Subtensor's
/// `impl_runtime_apis!`; `SubnetInfoRuntimeApi` is at `api_version(2)`).
pub const RUNTIME_APIS: &[(&str, u32)] = &[
    ("Core", 5),
    ("Metadata", 2),
    ("AccountNonceApi", 1),
    ("TransactionPaymentApi", 4),
    ("DelegateInfoRuntimeApi", 1),
    ("NeuronInfoRuntimeApi", 1),
    ("SubnetInfoRuntimeApi", 2),
    ("StakeInfoRuntimeApi", 1),
    ("SubnetRegistrationRuntimeApi", 1),
    ("SwapRuntimeApi", 1),
    ("BetaBasketRuntimeApi", 1),
];

/// `sp_runtime::MultiAddress<AccountId32, ()>` (Subtensor's `Address`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum MultiAddress {
    /// An account id, the only form Subtensor's signers use.
    #[codec(index = 0)]
    Id(AccountId32),
    /// Raw address bytes (decoded, never accepted as a signer).
    #[codec(index = 2)]
    Raw(Vec<u8>),
    /// A 32-byte address (decoded, never accepted as a signer).
    #[codec(index = 3)]
    Address32([u8; 32]),
    /// A 20-byte address (decoded, never accepted as a signer).
    #[codec(index = 4)]
    Address20([u8; 20]),
}

/// `sp_runtime::MultiSignature`.
#[derive(Clone, Debug, Encode, Decode)]
pub enum MultiSignature {
    /// An ed25519 signature.
    Ed25519([u8; 64]),
    /// An sr25519 signature, what Bittensor wallets make.
    Sr25519([u8; 64]),
    /// An ECDSA signature (65 bytes, with recovery id).
    Ecdsa([u8; 65]),
}

impl TypeInfo for MultiAddress {
    type Identity = Self;
    fn type_info() -> Type {
        let variants = Variants::new()
            .variant("Id", |v| v.index(0).fields(Fields::unnamed().field(|f| f.ty::<AccountId32>())))
            .variant("Index", |v| v.index(1).fields(Fields::unnamed().field(|f| f.compact::<()>())))
            .variant("Raw", |v| v.index(2).fields(Fields::unnamed().field(|f| f.ty::<Vec<u8>>())))
            .variant("Address32", |v| v.index(3).fields(Fields::unnamed().field(|f| f.ty::<[u8; 32]>())))
            .variant("Address20", |v| v.index(4).fields(Fields::unnamed().field(|f| f.ty::<[u8; 20]>())));
        Type::builder()
            .path(Path::new("MultiAddress", "sp_runtime::multiaddress"))
            .type_params(vec![
                TypeParameter::new("AccountId", Some(meta_type::<AccountId32>())),
                TypeParameter::new("AccountIndex", Some(meta_type::<()>())),
            ])
            .variant(variants)
    }
}

impl TypeInfo for MultiSignature {
    type Identity = Self;
    fn type_info() -> Type {
        let variants = Variants::new()
            .variant("Ed25519", |v| v.index(0).fields(Fields::unnamed().field(|f| f.ty::<[u8; 64]>())))
            .variant("Sr25519", |v| v.index(1).fields(Fields::unnamed().field(|f| f.ty::<[u8; 64]>())))
            .variant("Ecdsa", |v| v.index(2).fields(Fields::unnamed().field(|f| f.ty::<[u8; 65]>())));
        Type::builder().path(Path::new("MultiSignature", "sp_runtime")).variant(variants)
    }
}

/// `RuntimeError`, the outer error enum.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub enum RuntimeError {
    #[codec(index = 5)]
    Balances(ErrorEnum<BALANCES_PALLET_INDEX>),
    #[codec(index = 7)]
    SubtensorModule(ErrorEnum<SUBTENSOR_PALLET_INDEX>),
    #[codec(index = 12)]
    Sudo(ErrorEnum<SUDO_PALLET_INDEX>),
    #[codec(index = 19)]
    AdminUtils(ErrorEnum<ADMIN_UTILS_PALLET_INDEX>),
}

/// `sp_runtime::generic::UncheckedExtrinsic<Address, Call, Signature, Extra>`: V14
/// names the extrinsic's parts only through these type parameters.
pub struct UncheckedExtrinsic;

impl TypeInfo for UncheckedExtrinsic {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", "sp_runtime::generic::unchecked_extrinsic"))
            .type_params(vec![
                TypeParameter::new("Address", Some(meta_type::<MultiAddress>())),
                TypeParameter::new("Call", Some(meta_type::<RuntimeCall>())),
                TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
                TypeParameter::new("Extra", Some(meta_type::<super::extensions::Extra>())),
            ])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

/// Subtensor's runtime extrinsic, Frontier's `fp_self_contained::UncheckedExtrinsic`
/// around the generic one (`runtime/src/lib.rs` `UncheckedExtrinsic`): the same bytes.
pub struct SelfContainedExtrinsic;

impl TypeInfo for SelfContainedExtrinsic {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", "fp_self_contained::unchecked_extrinsic"))
            .type_params(vec![
                TypeParameter::new("Address", Some(meta_type::<MultiAddress>())),
                TypeParameter::new("Call", Some(meta_type::<RuntimeCall>())),
                TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
                TypeParameter::new("Extension", Some(meta_type::<super::extensions::Extra>())),
            ])
            .composite(
                Fields::unnamed()
                    .field(|f| f.ty::<UncheckedExtrinsic>().type_name("generic::UncheckedExtrinsic<Address, Call, Signature, Extension>")),
            )
    }
}

/// `sp_runtime::generic::Block<Header, UncheckedExtrinsic>`.
#[derive(TypeInfo)]
pub struct Block {
    #[allow(dead_code)]
    header: super::system::Header,
    #[allow(dead_code)]
    extrinsics: Vec<SelfContainedExtrinsic>,
}

/// The runtime type itself.
#[derive(TypeInfo)]
pub struct Runtime;

fn pallet(name: &'static str, index: u8) -> PalletMetadata {
    PalletMetadata { name, storage: None, calls: None, event: None, constants: vec![], error: None, index, docs: vec![] }
}

/// Metadata V14, what `state_getMetadata` and `Metadata_metadata` answer on a
/// Substrate node: V15's pallets without their docs, no runtime APIs or outer enums.
pub fn build_v14() -> RuntimeMetadataPrefixed {
    let pallets = pallets()
        .into_iter()
        .map(|p| frame_metadata::v14::PalletMetadata {
            name: p.name,
            storage: p.storage,
            calls: p.calls,
            event: p.event,
            constants: p.constants,
            error: p.error,
            index: p.index,
        })
        .collect();
    let extrinsic = frame_metadata::v14::ExtrinsicMetadata {
        ty: meta_type::<UncheckedExtrinsic>(),
        version: 4,
        signed_extensions: super::extensions::metadata()
            .into_iter()
            .map(|e| frame_metadata::v14::SignedExtensionMetadata { identifier: e.identifier, ty: e.ty, additional_signed: e.additional_signed })
            .collect(),
    };
    let mut metadata = frame_metadata::v14::RuntimeMetadataV14::new(pallets, extrinsic, meta_type::<Runtime>());
    super::type_paths::rewrite(&mut metadata.types);
    metadata.into()
}

fn pallets() -> Vec<PalletMetadata> {
    let system = PalletMetadata {
        storage: storage::pallet_metadata("System"),
        calls: Some(PalletCallMetadata { ty: meta_type::<super::pallets::SystemCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<SystemEvent>() }),
        ..pallet("System", 0)
    };
    let balances = PalletMetadata {
        storage: storage::pallet_metadata("Balances"),
        calls: Some(PalletCallMetadata { ty: meta_type::<super::pallets::BalancesCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<super::pallets::BalancesEvent>() }),
        constants: vec![PalletConstantMetadata {
            name: "ExistentialDeposit",
            ty: meta_type::<super::pallets::TaoBalance>(),
            value: crate::chain::local::EXISTENTIAL_DEPOSIT.encode(),
            docs: vec![],
        }],
        error: Some(PalletErrorMetadata { ty: meta_type::<ErrorEnum<BALANCES_PALLET_INDEX>>() }),
        ..pallet("Balances", BALANCES_PALLET_INDEX)
    };
    let subtensor = PalletMetadata {
        storage: storage::pallet_metadata("SubtensorModule"),
        calls: Some(PalletCallMetadata { ty: meta_type::<SubtensorCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<SubtensorEvent>() }),
        error: Some(PalletErrorMetadata { ty: meta_type::<ErrorEnum<SUBTENSOR_PALLET_INDEX>>() }),
        ..pallet("SubtensorModule", SUBTENSOR_PALLET_INDEX)
    };
    let sudo = PalletMetadata {
        storage: storage::pallet_metadata("Sudo"),
        calls: Some(PalletCallMetadata { ty: meta_type::<SudoCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<SudoEvent>() }),
        error: Some(PalletErrorMetadata { ty: meta_type::<ErrorEnum<SUDO_PALLET_INDEX>>() }),
        ..pallet("Sudo", SUDO_PALLET_INDEX)
    };
    let admin = PalletMetadata {
        calls: Some(PalletCallMetadata { ty: meta_type::<AdminCall>() }),
        error: Some(PalletErrorMetadata { ty: meta_type::<ErrorEnum<ADMIN_UTILS_PALLET_INDEX>>() }),
        ..pallet("AdminUtils", ADMIN_UTILS_PALLET_INDEX)
    };
    // Aura's slot is the block time: 250 ms, Subtensor's fast-blocks localnet (what
    // tools use to estimate waits; this node's `--blocks` may differ).
    let aura = PalletMetadata {
        constants: vec![PalletConstantMetadata { name: "SlotDuration", ty: meta_type::<u64>(), value: AURA_SLOT_DURATION_MS.encode(), docs: vec![] }],
        ..pallet("Aura", 3)
    };
    let commitments = PalletMetadata { storage: storage::pallet_metadata("Commitments"), ..pallet("Commitments", 18) };
    let shield = PalletMetadata {
        storage: storage::pallet_metadata("MevShield"),
        calls: Some(PalletCallMetadata { ty: meta_type::<super::pallets::ShieldCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<super::pallets::ShieldEvent>() }),
        ..pallet("MevShield", super::pallets::SHIELD_PALLET_INDEX)
    };
    let drand = PalletMetadata { storage: storage::pallet_metadata("Drand"), ..pallet("Drand", super::drand::DRAND_PALLET_INDEX) };
    vec![system, aura, balances, subtensor, sudo, commitments, admin, drand, shield]
}

/// `Aura::SlotDuration`, milliseconds.
pub const AURA_SLOT_DURATION_MS: u64 = 250;

/// Metadata V15, what `Metadata_metadata_at_version(15)` answers (subxt asks for it).
pub fn build() -> RuntimeMetadataPrefixed {
    let apis = super::runtime_api::declarations();
    let extrinsic = ExtrinsicMetadata {
        version: 4,
        address_ty: meta_type::<MultiAddress>(),
        call_ty: meta_type::<RuntimeCall>(),
        signature_ty: meta_type::<MultiSignature>(),
        extra_ty: meta_type::<()>(),
        signed_extensions: super::extensions::metadata(),
    };
    let outer_enums = OuterEnums {
        call_enum_ty: meta_type::<RuntimeCall>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    };
    let mut metadata =
        RuntimeMetadataV15::new(pallets(), extrinsic, meta_type::<Runtime>(), apis, outer_enums, CustomMetadata { map: Default::default() });
    super::type_paths::rewrite(&mut metadata.types);
    metadata.into()
}

/// The `spec_version` this node serves. Python clients (scalecodec,
/// async-substrate-interface, bittensor 11) cache metadata on disk by genesis hash
/// and spec version, and a fresh localnet always has the same genesis hash; so the
/// spec version changes with every change to the served metadata. Subtensor's
/// spec (425) times 1000 plus a local revision: above every real runtime's.
pub const SPEC_VERSION: u32 = 425_000 + 22;

/// The digest of the metadata [`SPEC_VERSION`] was given to (blake2-256 of the V14
/// and V15 metadata, first 8 bytes, hex); the test below fails when they disagree.
pub const METADATA_DIGEST: &str = "9add47de8d779196";

/// The digest [`METADATA_DIGEST`] pins, of the metadata as built now.
pub fn metadata_digest() -> String {
    let mut bytes = build_v14().encode();
    bytes.extend_from_slice(&build().encode());
    hex::encode(&sp_crypto_hashing::blake2_256(&bytes)[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_version_changes_with_the_metadata() {
        let digest = metadata_digest();
        assert_eq!(
            digest,
            METADATA_DIGEST,
            "the served metadata changed: set SPEC_VERSION to 425_000 + {} and METADATA_DIGEST to \"{digest}\" \
             (clients cache metadata by spec version)",
            SPEC_VERSION - 425_000 + 1
        );
    }
}
