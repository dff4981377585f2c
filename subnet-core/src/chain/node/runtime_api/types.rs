//! SCALE types several runtime APIs share: Subtensor's axon, prometheus and identity
//! records (`pallets/subtensor/src/lib.rs`), and `substrate_fixed` numbers described
//! as the runtime describes them (`FixedI64<Frac>` … with a `bits` field and a
//! `substrate_typenum` fraction), so clients decode them to `{bits}` as on finney.
//!
//! `NetUid`, `MechId`, `TaoBalance` and `AlphaBalance` are transparent in Subtensor's
//! metadata (`common/src/lib.rs`, `common/src/currency.rs`: their `TypeInfo` is the
//! inner integer's), so the runtime-API types here use `u16`, `u8` and `u64`.

use std::marker::PhantomData;

use codec::{Compact, Decode, Encode};
use scale_info::build::Fields;
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};

use crate::chain::local::LocalChain;

/// `pallet_subtensor::AxonInfo` (`Axons`).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AxonInfo {
    pub block: u64,
    pub version: u32,
    pub ip: u128,
    pub port: u16,
    pub ip_type: u8,
    pub protocol: u8,
    pub placeholder1: u8,
    pub placeholder2: u8,
}

impl AxonInfo {
    /// Chain: `get_axon_info`: the served axon, or the default (all zero) record.
    pub(crate) fn of(chain: &LocalChain, netuid: u16, hotkey: &crate::chain::AccountId) -> Self {
        let axon = chain.subnet(netuid).ok().and_then(|s| s.axons.get(hotkey).copied()).unwrap_or_default();
        Self {
            block: axon.block,
            version: axon.version,
            ip: axon.ip,
            port: axon.port,
            ip_type: axon.ip_type,
            protocol: axon.protocol,
            placeholder1: 0,
            placeholder2: 0,
        }
    }
}

/// `pallet_subtensor::PrometheusInfo`: the local chain serves no prometheus
/// endpoints, so every record is the default (all zero).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PrometheusInfo {
    pub block: u64,
    pub version: u32,
    pub ip: u128,
    pub port: u16,
    pub ip_type: u8,
}

/// `pallet_subtensor::SubnetIdentityV3` (`SubnetIdentitiesV3`): the local chain
/// keeps none, so it only appears as `None`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetIdentityV3 {
    pub subnet_name: Vec<u8>,
    pub github_repo: Vec<u8>,
    pub subnet_contact: Vec<u8>,
    pub subnet_url: Vec<u8>,
    pub discord: Vec<u8>,
    pub description: Vec<u8>,
    pub logo_url: Vec<u8>,
    pub additional: Vec<u8>,
}

/// `pallet_subtensor::ChainIdentityV2` (`IdentitiesV2`, by coldkey): none locally.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ChainIdentityV2 {
    pub name: Vec<u8>,
    pub url: Vec<u8>,
    pub github_repo: Vec<u8>,
    pub image: Vec<u8>,
    pub discord: Vec<u8>,
    pub description: Vec<u8>,
    pub additional: Vec<u8>,
}

/// Bytes as `Vec<Compact<u8>>`, how the metagraph and dynamic info carry names and
/// symbols.
pub(crate) fn compact_bytes(bytes: &[u8]) -> Vec<Compact<u8>> {
    bytes.iter().map(|b| Compact(*b)).collect()
}

// ---------------------------------------------------------------- typenum

/// `substrate_typenum::uint::UTerm`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UTerm;
/// `substrate_typenum::bit::B0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct B0;
/// `substrate_typenum::bit::B1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct B1;
/// `substrate_typenum::uint::UInt<U, B>`: the binary number `U` followed by bit `B`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UInt<U, B>(PhantomData<(U, B)>);

macro_rules! unit_type_info {
    ($($ty:ident in $module:literal;)*) => {$(
        impl TypeInfo for $ty {
            type Identity = Self;
            fn type_info() -> Type {
                Type::builder().path(Path::new(stringify!($ty), $module)).composite(Fields::unit())
            }
        }
    )*};
}

unit_type_info! {
    UTerm in "substrate_typenum::uint";
    B0 in "substrate_typenum::bit";
    B1 in "substrate_typenum::bit";
}

impl<U: TypeInfo + 'static, B: TypeInfo + 'static> TypeInfo for UInt<U, B> {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UInt", "substrate_typenum::uint"))
            .type_params(vec![TypeParameter::new("U", Some(meta_type::<U>())), TypeParameter::new("B", Some(meta_type::<B>()))])
            .composite(Fields::named().field(|f| f.ty::<U>().name("msb").type_name("U")).field(|f| f.ty::<B>().name("lsb").type_name("B")))
    }
}

/// `typenum::U32` (binary 100000).
pub type U32 = UInt<UInt<UInt<UInt<UInt<UInt<UTerm, B1>, B0>, B0>, B0>, B0>, B0>;
/// `typenum::U64` (binary 1000000).
pub type U64 = UInt<U32, B0>;

// ---------------------------------------------------------------- fixed point

macro_rules! fixed {
    ($($name:ident($bits:ty);)*) => {$(
        #[doc = concat!("`substrate_fixed::", stringify!($name), "<Frac>`: a fixed-point number as its raw bits (`Frac` fractional bits).")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
        pub struct $name<Frac> {
            /// The raw bits: the value times 2^Frac.
            pub bits: $bits,
            #[codec(skip)]
            frac: PhantomData<Frac>,
        }

        impl<Frac> $name<Frac> {
            /// The number whose raw bits are `bits`.
            pub const fn from_bits(bits: $bits) -> Self {
                Self { bits, frac: PhantomData }
            }
        }

        impl<Frac: TypeInfo + 'static> TypeInfo for $name<Frac> {
            type Identity = Self;
            fn type_info() -> Type {
                Type::builder()
                    .path(Path::new(stringify!($name), "substrate_fixed"))
                    .type_params(vec![TypeParameter::new("Frac", Some(meta_type::<Frac>()))])
                    .composite(Fields::named().field(|f| f.ty::<$bits>().name("bits").type_name(stringify!($bits))))
            }
        }
    )*};
}

fixed! {
    FixedI64(i64);
    FixedI128(i128);
    FixedU128(u128);
}

/// `substrate_fixed::types::I32F32`.
pub type I32F32 = FixedI64<U32>;
/// `substrate_fixed::types::I96F32`.
pub type I96F32 = FixedI128<U32>;
/// `substrate_fixed::types::U64F64`.
pub type U64F64 = FixedU128<U64>;

/// 1.0 as an `I96F32` (the local chain's alpha price).
pub const I96F32_ONE: I96F32 = I96F32::from_bits(1 << 32);
/// 1.0 as a `U64F64`.
pub const U64F64_ONE: U64F64 = U64F64::from_bits(1 << 64);
