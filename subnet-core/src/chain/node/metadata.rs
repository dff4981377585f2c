//! Runtime metadata (V14 and V15) of the served node, built from the Rust types with
//! `scale-info` and `frame-metadata`: pallets at Subtensor's indices with their
//! calls, events, errors and the storage items this node answers; the extrinsic
//! format with Subtensor's transaction extensions (`runtime/src/lib.rs`
//! `TxExtension`, identifiers from each extension's `IDENTIFIER`); the runtime APIs.

use codec::{Compact, Decode, Encode};
use frame_metadata::v14::{StorageEntryModifier, StorageEntryType, StorageHasher};
use frame_metadata::v15::{
    CustomMetadata, ExtrinsicMetadata, OuterEnums, PalletCallMetadata, PalletErrorMetadata, PalletEventMetadata, PalletMetadata,
    PalletStorageMetadata, RuntimeMetadataV15, SignedExtensionMetadata, StorageEntryMetadata,
};
use frame_metadata::RuntimeMetadataPrefixed;
use scale_info::build::{Fields, Variants};
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};

use super::pallets::{
    AccountId32, AdminCall, ErrorEnum, NetUid, RuntimeCall, RuntimeEvent, SubtensorCall, SubtensorEvent, SudoCall, SudoEvent,
    ADMIN_UTILS_PALLET_INDEX, H256, SUBTENSOR_PALLET_INDEX, SUDO_PALLET_INDEX,
};
use super::system::{AccountInfo, EventRecord, SystemEvent};

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
];

/// `sp_runtime::MultiAddress<AccountId32, ()>` (Subtensor's `Address`).
#[derive(Clone, Debug, Encode, Decode)]
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

/// An extension with no explicit data.
#[derive(TypeInfo)]
pub struct Empty;

/// `CheckNonce(#[codec(compact)] u32)`.
#[derive(TypeInfo)]
pub struct CheckNonce(#[allow(dead_code)] Compact<u32>);

/// `pallet_transaction_payment::ChargeTransactionPayment(#[codec(compact)] Balance)`.
#[derive(TypeInfo)]
pub struct ChargeTransactionPayment(#[allow(dead_code)] Compact<u64>);

/// Subtensor's wrapper around it (`runtime/src/transaction_payment_wrapper.rs`).
#[derive(TypeInfo)]
pub struct ChargeTransactionPaymentWrapper {
    #[allow(dead_code)]
    inner: ChargeTransactionPayment,
}

/// `sp_runtime::generic::Era`, described as Substrate describes it: `Immortal` (byte
/// 0), then `Mortal1` … `Mortal255`, each with one more byte (two bytes for a mortal
/// era: its first byte names the variant).
pub struct Era;

impl TypeInfo for Era {
    type Identity = Self;
    fn type_info() -> Type {
        // Metadata names are `&'static str`: the 255 names are made once.
        static MORTAL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
        let names = MORTAL.get_or_init(|| (1..=255).map(|i| &*format!("Mortal{i}").leak()).collect());
        let mut variants = Variants::new().variant("Immortal", |v| v.index(0));
        for (i, name) in (1..=255u8).zip(names) {
            variants = variants.variant(*name, |v| v.index(i).fields(Fields::unnamed().field(|f| f.ty::<u8>())));
        }
        Type::builder().path(Path::new("Era", "sp_runtime::generic::era")).variant(variants)
    }
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

// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub enum Mode {
    Disabled,
    Enabled,
}

// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub struct CheckMetadataHash {
    #[allow(dead_code)]
    mode: Mode,
}

/// `RuntimeError`, the outer error enum.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub enum RuntimeError {
    #[codec(index = 7)]
    SubtensorModule(ErrorEnum<SUBTENSOR_PALLET_INDEX>),
    #[codec(index = 12)]
    Sudo(ErrorEnum<SUDO_PALLET_INDEX>),
    #[codec(index = 19)]
    AdminUtils(ErrorEnum<ADMIN_UTILS_PALLET_INDEX>),
}

/// The explicit data of every transaction extension, in order: V14's `Extra`.
type Extra = (Empty, Empty, Empty, Empty, Era, CheckNonce, Empty, ChargeTransactionPaymentWrapper, Empty, Empty, Empty, Empty, CheckMetadataHash);

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
                TypeParameter::new("Extra", Some(meta_type::<Extra>())),
            ])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

/// `sp_runtime::generic::Block<Header, UncheckedExtrinsic>`.
#[derive(TypeInfo)]
pub struct Block {
    #[allow(dead_code)]
    header: super::system::Header,
    #[allow(dead_code)]
    extrinsics: Vec<UncheckedExtrinsic>,
}

/// The runtime type itself.
#[derive(TypeInfo)]
pub struct Runtime;

fn extension<E: TypeInfo + 'static, I: TypeInfo + 'static>(identifier: &'static str) -> SignedExtensionMetadata {
    SignedExtensionMetadata { identifier, ty: meta_type::<E>(), additional_signed: meta_type::<I>() }
}

/// Subtensor's `TxExtension`, in order. Explicit data travels in the extrinsic;
/// implicit data is only signed. Must match [`super::extrinsic`]'s decoding.
fn transaction_extensions() -> Vec<SignedExtensionMetadata> {
    vec![
        extension::<Empty, ()>("CheckNonZeroSender"),
        extension::<Empty, u32>("CheckSpecVersion"),
        extension::<Empty, u32>("CheckTxVersion"),
        extension::<Empty, H256>("CheckGenesis"),
        extension::<Era, H256>("CheckMortality"),
        extension::<CheckNonce, ()>("CheckNonce"),
        extension::<Empty, ()>("CheckWeight"),
        extension::<ChargeTransactionPaymentWrapper, ()>("ChargeTransactionPaymentWrapper"),
        extension::<Empty, ()>("SudoTransactionExtension"),
        extension::<Empty, ()>("CheckShieldedTxValidity"),
        extension::<Empty, ()>("SubtensorTransactionExtension"),
        extension::<Empty, ()>("DrandPriority"),
        extension::<CheckMetadataHash, Option<H256>>("CheckMetadataHash"),
    ]
}

fn plain<T: TypeInfo + 'static>(name: &'static str, default: Vec<u8>) -> StorageEntryMetadata {
    StorageEntryMetadata { name, modifier: StorageEntryModifier::Default, ty: StorageEntryType::Plain(meta_type::<T>()), default, docs: vec![] }
}

fn map<K: TypeInfo + 'static, V: TypeInfo + 'static>(name: &'static str, hashers: Vec<StorageHasher>, default: Vec<u8>) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier: StorageEntryModifier::Default,
        ty: StorageEntryType::Map { hashers, key: meta_type::<K>(), value: meta_type::<V>() },
        default,
        docs: vec![],
    }
}

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
        signed_extensions: transaction_extensions()
            .into_iter()
            .map(|e| frame_metadata::v14::SignedExtensionMetadata { identifier: e.identifier, ty: e.ty, additional_signed: e.additional_signed })
            .collect(),
    };
    frame_metadata::v14::RuntimeMetadataV14::new(pallets, extrinsic, meta_type::<Runtime>()).into()
}

fn pallets() -> Vec<PalletMetadata> {
    let system = PalletMetadata {
        storage: Some(PalletStorageMetadata {
            prefix: "System",
            entries: vec![
                map::<AccountId32, AccountInfo>("Account", vec![StorageHasher::Blake2_128Concat], AccountInfo::default().encode()),
                plain::<u32>("Number", 0u32.encode()),
                plain::<Vec<EventRecord<RuntimeEvent>>>("Events", Vec::<u8>::new().encode()),
            ],
        }),
        calls: Some(PalletCallMetadata { ty: meta_type::<super::pallets::SystemCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<SystemEvent>() }),
        ..pallet("System", 0)
    };
    let balances = pallet("Balances", 5);
    let subtensor = PalletMetadata {
        storage: Some(PalletStorageMetadata {
            prefix: "SubtensorModule",
            entries: vec![
                map::<(NetUid, u16), u64>("BlockAtRegistration", vec![StorageHasher::Identity, StorageHasher::Identity], 0u64.encode()),
                map::<NetUid, bool>("NetworksAdded", vec![StorageHasher::Identity], false.encode()),
            ],
        }),
        calls: Some(PalletCallMetadata { ty: meta_type::<SubtensorCall>() }),
        event: Some(PalletEventMetadata { ty: meta_type::<SubtensorEvent>() }),
        error: Some(PalletErrorMetadata { ty: meta_type::<ErrorEnum<SUBTENSOR_PALLET_INDEX>>() }),
        ..pallet("SubtensorModule", SUBTENSOR_PALLET_INDEX)
    };
    let sudo = PalletMetadata {
        storage: Some(PalletStorageMetadata {
            prefix: "Sudo",
            entries: vec![StorageEntryMetadata {
                name: "Key",
                modifier: StorageEntryModifier::Optional,
                ty: StorageEntryType::Plain(meta_type::<AccountId32>()),
                default: Option::<AccountId32>::None.encode(),
                docs: vec![],
            }],
        }),
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
    vec![system, balances, subtensor, sudo, admin]
}

/// Metadata V15, what `Metadata_metadata_at_version(15)` answers (subxt asks for it).
pub fn build() -> RuntimeMetadataPrefixed {
    let apis = super::runtime_api::declarations();
    let extrinsic = ExtrinsicMetadata {
        version: 4,
        address_ty: meta_type::<MultiAddress>(),
        call_ty: meta_type::<RuntimeCall>(),
        signature_ty: meta_type::<MultiSignature>(),
        extra_ty: meta_type::<()>(),
        signed_extensions: transaction_extensions(),
    };
    let outer_enums = OuterEnums {
        call_enum_ty: meta_type::<RuntimeCall>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    };
    let metadata =
        RuntimeMetadataV15::new(pallets(), extrinsic, meta_type::<Runtime>(), apis, outer_enums, CustomMetadata { map: Default::default() });
    metadata.into()
}
