//! `TransactionPaymentApi` (`pallet_transaction_payment`'s runtime API, implemented in
//! Subtensor's `runtime/src/lib.rs`): what an extrinsic would cost.
//!
//! The node charges no fees (see the node's module docs) and records no weights (its
//! events carry zero weight), so every answer says so: zero weight, the normal
//! dispatch class, partial fee 0; fee details with a zero inclusion fee and no tip
//! charged; weight and length cost 0. The answer does not depend on the extrinsic,
//! which only has to arrive as one (length-prefixed bytes).

use codec::{Decode, Encode, Input};
use scale_info::{Type, TypeInfo};

use crate::chain::local::LocalChain;
use crate::chain::node::metadata::SelfContainedExtrinsic;
use crate::chain::node::system::{DispatchClass, Weight};

/// An extrinsic as a runtime API argument: its bytes with their length prefix, as
/// the runtime's extrinsic (`fp_self_contained::UncheckedExtrinsic` around the generic
/// one) encodes, and described as that type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpaqueExtrinsic(pub Vec<u8>);

impl Decode for OpaqueExtrinsic {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let bytes = Vec::<u8>::decode(input)?;
        Ok(Self(bytes))
    }
}

impl Encode for OpaqueExtrinsic {
    fn encode_to<T: codec::Output + ?Sized>(&self, dest: &mut T) {
        self.0.encode_to(dest)
    }
}

impl TypeInfo for OpaqueExtrinsic {
    type Identity = SelfContainedExtrinsic;
    fn type_info() -> Type {
        SelfContainedExtrinsic::type_info()
    }
}

/// `RuntimeDispatchInfo<Balance, Weight>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RuntimeDispatchInfo {
    pub weight: Weight,
    pub class: DispatchClass,
    pub partial_fee: u64,
}

/// `InclusionFee<Balance>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InclusionFee {
    pub base_fee: u64,
    pub len_fee: u64,
    pub adjusted_weight_fee: u64,
}

/// `FeeDetails<Balance>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct FeeDetails {
    pub inclusion_fee: Option<InclusionFee>,
    pub tip: u64,
}

/// `query_info(uxt, len)`: zero weight, normal class, no fee.
pub fn query_info(_chain: &LocalChain, _uxt: &OpaqueExtrinsic, _len: u32) -> RuntimeDispatchInfo {
    RuntimeDispatchInfo { weight: Weight::default(), class: DispatchClass::Normal, partial_fee: 0 }
}

/// `query_fee_details(uxt, len)`: a zero inclusion fee (a signed extrinsic pays one
/// on the chain, here 0) and no tip charged.
pub fn query_fee_details(_chain: &LocalChain, _uxt: &OpaqueExtrinsic, _len: u32) -> FeeDetails {
    FeeDetails { inclusion_fee: Some(InclusionFee { base_fee: 0, len_fee: 0, adjusted_weight_fee: 0 }), tip: 0 }
}

/// `query_weight_to_fee(weight)`: 0.
pub fn weight_to_fee(_weight: Weight) -> u64 {
    0
}

/// `query_length_to_fee(length)`: 0.
pub fn length_to_fee(_length: u32) -> u64 {
    0
}
