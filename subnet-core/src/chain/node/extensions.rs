//! Subtensor's transaction extensions as the metadata declares them
//! (`runtime/src/lib.rs` `TxExtension`), in the runtime's order, each with its own
//! type. Python signers (scalecodec, async-substrate-interface, bittensor 11) match
//! extensions by identifier and encode each from its type, so identifier, type and
//! order must be the real node's. The bytes they describe are decoded in
//! [`super::extrinsic`].

use codec::Compact;
use frame_metadata::v15::SignedExtensionMetadata;
use scale_info::build::{Fields, Variants};
use scale_info::{meta_type, Path, Type, TypeInfo};

use super::pallets::H256;

/// Extensions with no explicit data: a composite with no fields (FRAME's
/// `PhantomData` structs), one type each, named as in the runtime.
macro_rules! marker_extensions {
    ($($name:ident),* $(,)?) => {$(
        // No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
        #[allow(missing_docs)]
        #[derive(TypeInfo)]
        pub struct $name;
    )*};
}

marker_extensions!(CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckWeight);
marker_extensions!(SudoTransactionExtension, CheckShieldedTxValidity, SubtensorTransactionExtension, DrandPriority);

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

// `CheckMortality<T>(Era)`.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub struct CheckMortality(#[allow(dead_code)] Era);

// `CheckNonce<T>(#[codec(compact)] T::Nonce)`.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub struct CheckNonce(#[allow(dead_code)] Compact<u32>);

// `pallet_transaction_payment::ChargeTransactionPayment<T>(#[codec(compact)] Balance)`.
// Subtensor wraps it (`ChargeTransactionPaymentWrapper`) but declares the inner
// extension's identifier and type (`transaction_payment_wrapper.rs`: `IDENTIFIER`
// and `metadata()` forward to the inner one); the bytes are the same.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub struct ChargeTransactionPayment(#[allow(dead_code)] Compact<u64>);

// `frame_metadata_hash_extension::Mode`.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub enum Mode {
    Disabled,
    Enabled,
}

// `frame_metadata_hash_extension::CheckMetadataHash<T> { mode: Mode }`.
#[allow(missing_docs)]
#[derive(TypeInfo)]
pub struct CheckMetadataHash {
    #[allow(dead_code)]
    mode: Mode,
}

/// The explicit data of every extension, in order: V14's `Extra` type parameter.
pub type Extra = (
    CheckNonZeroSender,
    CheckSpecVersion,
    CheckTxVersion,
    CheckGenesis,
    CheckMortality,
    CheckNonce,
    CheckWeight,
    ChargeTransactionPayment,
    SudoTransactionExtension,
    CheckShieldedTxValidity,
    SubtensorTransactionExtension,
    DrandPriority,
    CheckMetadataHash,
);

fn extension<E: TypeInfo + 'static, I: TypeInfo + 'static>(identifier: &'static str) -> SignedExtensionMetadata {
    SignedExtensionMetadata { identifier, ty: meta_type::<E>(), additional_signed: meta_type::<I>() }
}

/// The extensions in the runtime's order: identifier, explicit type (in the
/// extrinsic) and implicit type (only signed). Must match [`Extra`] and
/// [`super::extrinsic`]'s decoding.
pub fn metadata() -> Vec<SignedExtensionMetadata> {
    vec![
        extension::<CheckNonZeroSender, ()>("CheckNonZeroSender"),
        extension::<CheckSpecVersion, u32>("CheckSpecVersion"),
        extension::<CheckTxVersion, u32>("CheckTxVersion"),
        extension::<CheckGenesis, H256>("CheckGenesis"),
        extension::<CheckMortality, H256>("CheckMortality"),
        extension::<CheckNonce, ()>("CheckNonce"),
        extension::<CheckWeight, ()>("CheckWeight"),
        extension::<ChargeTransactionPayment, ()>("ChargeTransactionPayment"),
        extension::<SudoTransactionExtension, ()>("SudoTransactionExtension"),
        extension::<CheckShieldedTxValidity, ()>("CheckShieldedTxValidity"),
        extension::<SubtensorTransactionExtension, ()>("SubtensorTransactionExtension"),
        extension::<DrandPriority, ()>("DrandPriority"),
        // The implicit metadata hash is a bare `Option<[u8; 32]>` (`CheckMetadataHash::Implicit`).
        extension::<CheckMetadataHash, Option<[u8; 32]>>("CheckMetadataHash"),
    ]
}
