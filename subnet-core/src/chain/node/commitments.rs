//! `pallet_commitments` (index 18) as far as readers need it: its storage items are
//! declared with Subtensor's types so clients (bittensor 11's metagraph) can query
//! them, and they are empty: the local chain keeps no commitments.

use scale_info::build::{Fields, Variants};
use scale_info::{Path, Type, TypeInfo};

/// `pallet_commitments::types::Data`: `None`, `Raw0`..`Raw128` (a byte array of
/// that length), four 32-byte hashes, `TimelockEncrypted`, `ResetBondsFlag`,
/// `BigRaw` (finney's metadata, spec 393). Only `None` is held here (nothing is
/// ever committed); the type describes them all.
#[derive(codec::Encode)]
pub enum Data {
    /// No data.
    None,
}

impl TypeInfo for Data {
    type Identity = Self;
    fn type_info() -> Type {
        let mut variants = Variants::new().variant("None", |v| v.index(0));
        // `RawN([u8; N])` at index N + 1.
        macro_rules! raw {
            ($($n:literal)*) => {$(
                variants = variants.variant(concat!("Raw", $n), |v| v.index($n + 1).fields(Fields::unnamed().field(|f| f.ty::<[u8; $n]>())));
            )*};
        }
        raw!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127 128);
        for (index, name) in [(130, "BlakeTwo256"), (131, "Sha256"), (132, "Keccak256"), (133, "ShaThree256")] {
            variants = variants.variant(name, |v| v.index(index).fields(Fields::unnamed().field(|f| f.ty::<[u8; 32]>())));
        }
        variants = variants
            .variant("TimelockEncrypted", |v| {
                v.index(134)
                    .fields(Fields::named().field(|f| f.ty::<BoundedVec<u8>>().name("encrypted")).field(|f| f.ty::<u64>().name("reveal_round")))
            })
            .variant("ResetBondsFlag", |v| v.index(135))
            .variant("BigRaw", |v| v.index(136).fields(Fields::unnamed().field(|f| f.ty::<BoundedVec<u8>>())));
        Type::builder().path(Path::new("Data", "pallet_commitments::types")).variant(variants)
    }
}

/// `bounded_collections::bounded_vec::BoundedVec<T, S>`: a `Vec<T>` with a bound the
/// encoding does not carry.
#[derive(codec::Encode)]
pub struct BoundedVec<T>(pub Vec<T>);

impl<T: TypeInfo + 'static> TypeInfo for BoundedVec<T> {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("BoundedVec", "bounded_collections::bounded_vec"))
            .type_params(vec![scale_info::TypeParameter::new("T", Some(scale_info::meta_type::<T>()))])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<T>>()))
    }
}

// `pallet_commitments::types::CommitmentInfo { fields: BoundedVec<Data, _> }`.
#[allow(missing_docs)]
#[derive(codec::Encode, TypeInfo)]
pub struct CommitmentInfo {
    fields: BoundedVec<Data>,
}

// `pallet_commitments::types::Registration { deposit, block, info }`.
#[allow(missing_docs)]
#[derive(codec::Encode, TypeInfo)]
pub struct Registration {
    deposit: u64,
    block: u32,
    info: CommitmentInfo,
}
