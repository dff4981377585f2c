//! The served runtime's pallets: the calls, events and errors a subnet uses, with
//! Subtensor's pallet indices, call indices, argument names and types, and variant
//! positions (opentensor/subtensor @ 14bc6f9f: `runtime/src/lib.rs`
//! `construct_runtime!`, `pallets/subtensor/src/macros/{dispatches,events,errors}.rs`,
//! `pallets/admin-utils/src/lib.rs`; `Balances` is polkadot-sdk's `pallet_balances`),
//! and their dispatch to the [`LocalChain`].
//!
//! Only what the `Chain` trait needs is declared; everything else a real runtime has
//! is absent from the metadata, so a client asking for it gets "not found".

#![allow(non_camel_case_types)]

use codec::{Decode, Encode};
use scale_info::build::{Fields, Variants};
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};

use super::metadata::MultiAddress;
use super::runtime_api::types::U64F64;
use super::system::{DispatchError, DispatchEventInfo, ModuleError, SystemEvent, TokenError};
use crate::chain::local::{LocalChain, Preservation, Transferred};
use crate::chain::{AccountId, AxonInfo, ChainError, Hyperparameter, Origin};

/// `sp_core::crypto::AccountId32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AccountId32(pub [u8; 32]);

/// `primitive_types::H256`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct H256(pub [u8; 32]);

/// `subtensor_runtime_common::NetUid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct NetUid(pub u16);

/// `subtensor_runtime_common::MechId`: a mechanism of a subnet (0 is the main one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct MechId(pub u8);

/// `subtensor_runtime_common::NetUidStorageIndex`: `mecid * 4096 + netuid`
/// (`pallets/subtensor/src/subnets/mechanism.rs`, `get_mechanism_storage_index`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct NetUidStorageIndex(pub u16);

/// `subtensor_runtime_common::TaoBalance` (rao).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TaoBalance(pub u64);

/// `subtensor_runtime_common::AlphaBalance` (alpha rao).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AlphaBalance(pub u64);

/// `pallet_balances`' `T::Balance`, which Subtensor sets to `TaoBalance` (rao): a call's
/// field written with this name carries it as its type name, as the real metadata does.
pub type Balance = u64;

/// `TypeInfo` under the type's path in Substrate/Subtensor, which clients use to pick
/// their codecs (Python's scalecodec reads `sp_core::crypto::AccountId32` as SS58).
macro_rules! newtype_info {
    ($($ty:ident($inner:ty) in $module:literal;)*) => {$(
        impl TypeInfo for $ty {
            type Identity = Self;
            fn type_info() -> Type {
                Type::builder().path(Path::new(stringify!($ty), $module)).composite(Fields::unnamed().field(|f| f.ty::<$inner>()))
            }
        }
    )*};
}

newtype_info! {
    AccountId32([u8; 32]) in "sp_core::crypto";
    H256([u8; 32]) in "primitive_types";
}

/// `TypeInfo` of the inner primitive itself: Subtensor's numeric newtypes declare
/// their metadata so (`common/src/lib.rs`, `common/src/currency.rs`:
/// `type Identity = <u16 as TypeInfo>::Identity`), and clients see a plain `u16` /
/// `u64` / `u8` named by the field's type name (`NetUid`, `TaoBalance`, `MechId`).
macro_rules! transparent_info {
    ($($ty:ident($inner:ty);)*) => {$(
        impl TypeInfo for $ty {
            type Identity = <$inner as TypeInfo>::Identity;
            fn type_info() -> Type {
                <$inner as TypeInfo>::type_info()
            }
        }
    )*};
}

transparent_info! {
    NetUid(u16);
    MechId(u8);
    NetUidStorageIndex(u16);
    TaoBalance(u64);
    AlphaBalance(u64);
}

impl NetUidStorageIndex {
    /// The storage index of mechanism `mecid` of subnet `netuid` (Subtensor's
    /// `GLOBAL_MAX_SUBNET_COUNT` is 4096).
    pub fn of(netuid: NetUid, mecid: MechId) -> Self {
        Self((mecid.0 as u16).saturating_mul(4096).saturating_add(netuid.0))
    }
}

/// `frame_system::Call`: only `remark` (index 0), a call with no effect, useful to
/// measure the node itself.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SystemCall {
    #[codec(index = 0)]
    remark { remark: Vec<u8> },
}

/// `pallet_subtensor::Call`, the subnet calls, at their `call_index`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SubtensorCall {
    #[codec(index = 0)]
    set_weights { netuid: NetUid, dests: Vec<u16>, weights: Vec<u16>, version_key: u64 },
    #[codec(index = 2)]
    add_stake { hotkey: AccountId32, netuid: NetUid, amount_staked: TaoBalance },
    #[codec(index = 3)]
    remove_stake { hotkey: AccountId32, netuid: NetUid, amount_unstaked: AlphaBalance },
    #[codec(index = 4)]
    serve_axon { netuid: NetUid, version: u32, ip: u128, port: u16, ip_type: u8, protocol: u8, placeholder1: u8, placeholder2: u8 },
    #[codec(index = 7)]
    burned_register { netuid: NetUid, hotkey: AccountId32 },
    #[codec(index = 40)]
    serve_axon_tls {
        netuid: NetUid,
        version: u32,
        ip: u128,
        port: u16,
        ip_type: u8,
        protocol: u8,
        placeholder1: u8,
        placeholder2: u8,
        certificate: Vec<u8>,
    },
    #[codec(index = 59)]
    register_network { hotkey: AccountId32 },
    #[codec(index = 88)]
    add_stake_limit { hotkey: AccountId32, netuid: NetUid, amount_staked: TaoBalance, limit_price: TaoBalance, allow_partial: bool },
    #[codec(index = 89)]
    remove_stake_limit { hotkey: AccountId32, netuid: NetUid, amount_unstaked: AlphaBalance, limit_price: TaoBalance, allow_partial: bool },
    #[codec(index = 92)]
    start_call { netuid: NetUid },
    #[codec(index = 96)]
    commit_weights { netuid: NetUid, commit_hash: H256 },
    #[codec(index = 97)]
    reveal_weights { netuid: NetUid, uids: Vec<u16>, values: Vec<u16>, salt: Vec<u16>, version_key: u64 },
    #[codec(index = 113)]
    commit_timelocked_weights { netuid: NetUid, commit: BoundedBytes, reveal_round: u64, commit_reveal_version: u16 },
    #[codec(index = 115)]
    commit_mechanism_weights { netuid: NetUid, mecid: MechId, commit_hash: H256 },
    #[codec(index = 116)]
    reveal_mechanism_weights { netuid: NetUid, mecid: MechId, uids: Vec<u16>, values: Vec<u16>, salt: Vec<u16>, version_key: u64 },
    #[codec(index = 118)]
    commit_timelocked_mechanism_weights { netuid: NetUid, mecid: MechId, commit: BoundedBytes, reveal_round: u64, commit_reveal_version: u16 },
    #[codec(index = 119)]
    set_mechanism_weights { netuid: NetUid, mecid: MechId, dests: Vec<u16>, weights: Vec<u16>, version_key: u64 },
    #[codec(index = 134)]
    register_limit { netuid: NetUid, hotkey: AccountId32, limit_price: u64 },
    #[codec(index = 140)]
    set_activity_cutoff_factor { netuid: NetUid, factor_milli: u32 },
}

/// `BoundedVec<u8, ConstU32<N>>`, as `bounded_collections` describes it (the bound is
/// not in the metadata): the bytes `MevShield::submit_encrypted` carries (8192) and a
/// `NeuronCertificate`'s public key (64).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BoundedBytes(pub Vec<u8>);

impl TypeInfo for BoundedBytes {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("BoundedVec", "bounded_collections::bounded_vec"))
            .type_params(vec![TypeParameter::new("T", Some(meta_type::<u8>())), TypeParameter::new("S", None)])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>().type_name("Vec<T>")))
    }
}

/// `pallet_shield::Call`: `submit_encrypted` (call index 1), an extrinsic encrypted to
/// the author's key (see [`super::shield`]).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum ShieldCall {
    #[codec(index = 1)]
    submit_encrypted { ciphertext: BoundedBytes },
}

/// `pallet_balances::Call`: the transfers, at their `call_index`; `value` is
/// `#[pallet::compact] T::Balance`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum BalancesCall {
    #[codec(index = 0)]
    transfer_allow_death {
        dest: MultiAddress,
        #[codec(compact)]
        value: Balance,
    },
    #[codec(index = 3)]
    transfer_keep_alive {
        dest: MultiAddress,
        #[codec(compact)]
        value: Balance,
    },
    #[codec(index = 4)]
    transfer_all { dest: MultiAddress, keep_alive: bool },
}

/// `pallet_admin_utils::Call`: the hyperparameter setters, at their `call_index`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum AdminCall {
    #[codec(index = 3)]
    sudo_set_serving_rate_limit { netuid: NetUid, serving_rate_limit: u64 },
    #[codec(index = 6)]
    sudo_set_weights_version_key { netuid: NetUid, weights_version_key: u64 },
    #[codec(index = 7)]
    sudo_set_weights_set_rate_limit { netuid: NetUid, weights_set_rate_limit: u64 },
    /// Removed from Subtensor (the limit is now fixed); kept at its former index so
    /// local tests can still vary it. A client gets "call not found" on the real chain.
    #[codec(index = 8)]
    sudo_set_max_weight_limit { netuid: NetUid, max_weight_limit: u16 },
    #[codec(index = 13)]
    sudo_set_immunity_period { netuid: NetUid, immunity_period: u16 },
    #[codec(index = 14)]
    sudo_set_min_allowed_weights { netuid: NetUid, min_allowed_weights: u16 },
    #[codec(index = 15)]
    sudo_set_max_allowed_uids { netuid: NetUid, max_allowed_uids: u16 },
    #[codec(index = 16)]
    sudo_set_kappa { netuid: NetUid, kappa: u16 },
    #[codec(index = 19)]
    sudo_set_network_registration_allowed { netuid: NetUid, registration_allowed: bool },
    #[codec(index = 22)]
    sudo_set_min_burn { netuid: NetUid, min_burn: TaoBalance },
    #[codec(index = 23)]
    sudo_set_max_burn { netuid: NetUid, max_burn: TaoBalance },
    #[codec(index = 25)]
    sudo_set_max_allowed_validators { netuid: NetUid, max_allowed_validators: u16 },
    #[codec(index = 26)]
    sudo_set_bonds_moving_average { netuid: NetUid, bonds_moving_average: u64 },
    #[codec(index = 30)]
    sudo_set_tempo { netuid: NetUid, tempo: u16 },
    #[codec(index = 49)]
    sudo_set_commit_reveal_weights_enabled { netuid: NetUid, enabled: bool },
    #[codec(index = 50)]
    sudo_set_liquid_alpha_enabled { netuid: NetUid, enabled: bool },
    #[codec(index = 51)]
    sudo_set_alpha_values { netuid: NetUid, alpha_low: u16, alpha_high: u16 },
    #[codec(index = 57)]
    sudo_set_commit_reveal_weights_interval { netuid: NetUid, interval: u64 },
    #[codec(index = 60)]
    sudo_set_bonds_penalty { netuid: NetUid, bonds_penalty: u16 },
    #[codec(index = 69)]
    sudo_set_yuma3_enabled { netuid: NetUid, enabled: bool },
    #[codec(index = 71)]
    sudo_set_commit_reveal_version { version: u16 },
    #[codec(index = 76)]
    sudo_set_mechanism_count { netuid: NetUid, mechanism_count: MechId },
    #[codec(index = 77)]
    sudo_set_mechanism_emission_split { netuid: NetUid, maybe_split: Option<Vec<u16>> },
    #[codec(index = 84)]
    sudo_set_min_non_immune_uids { netuid: NetUid, min: u16 },
    #[codec(index = 89)]
    sudo_set_burn_half_life { netuid: NetUid, burn_half_life: u16 },
    #[codec(index = 90)]
    sudo_set_burn_increase_mult { netuid: NetUid, burn_increase_mult: U64F64 },
}

/// `pallet_sudo::Call`: `sudo` (index 0) dispatches the wrapped call as root when the
/// sudo key signs it.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SudoCall {
    #[codec(index = 0)]
    sudo { call: Box<RuntimeCall> },
}

/// `RuntimeCall`, at Subtensor's pallet indices.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeCall {
    #[codec(index = 0)]
    System(SystemCall),
    #[codec(index = 5)]
    Balances(BalancesCall),
    #[codec(index = 7)]
    SubtensorModule(SubtensorCall),
    #[codec(index = 12)]
    Sudo(SudoCall),
    #[codec(index = 19)]
    AdminUtils(AdminCall),
    #[codec(index = 30)]
    MevShield(ShieldCall),
}

/// `Balances`' index in Subtensor's `construct_runtime!`.
pub const BALANCES_PALLET_INDEX: u8 = 5;
/// `SubtensorModule`'s index in Subtensor's `construct_runtime!`.
pub const SUBTENSOR_PALLET_INDEX: u8 = 7;
/// `Sudo`'s index in Subtensor's `construct_runtime!`.
pub const SUDO_PALLET_INDEX: u8 = 12;
/// `MevShield`'s index in Subtensor's `construct_runtime!`.
pub const SHIELD_PALLET_INDEX: u8 = 30;
/// `AdminUtils`' index in Subtensor's `construct_runtime!`.
pub const ADMIN_UTILS_PALLET_INDEX: u8 = 19;

/// `pallet_sudo::Event`: `Sudid` (index 0) carries the wrapped call's own result; the
/// `sudo` extrinsic itself succeeds whatever it is.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SudoEvent {
    #[codec(index = 0)]
    Sudid { sudo_result: Result<(), DispatchError> },
}

/// `pallet_balances::Event`: the events a transfer deposits, at their positions in
/// the enum (`Endowed` 0, `DustLost` 1, `Transfer` 2).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum BalancesEvent {
    #[codec(index = 0)]
    Endowed { account: AccountId32, free_balance: Balance },
    #[codec(index = 1)]
    DustLost { account: AccountId32, amount: Balance },
    #[codec(index = 2)]
    Transfer { from: AccountId32, to: AccountId32, amount: Balance },
}

/// `pallet_shield::Event`: `EncryptedSubmitted` (0), the carrier accepted; `id` is
/// BlakeTwo256 of `(who, ciphertext)` encoded.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum ShieldEvent {
    #[codec(index = 0)]
    EncryptedSubmitted { id: H256, who: AccountId32 },
}

/// `pallet_subtensor::Event`: the subnet events, at their positions in the enum.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum SubtensorEvent {
    #[codec(index = 0)]
    NetworkAdded(NetUid, u16),
    #[codec(index = 2)]
    StakeAdded(AccountId32, AccountId32, TaoBalance, AlphaBalance, NetUid, u64),
    #[codec(index = 3)]
    StakeRemoved(AccountId32, AccountId32, TaoBalance, AlphaBalance, NetUid, u64),
    #[codec(index = 5)]
    WeightsSet(NetUidStorageIndex, u16),
    #[codec(index = 6)]
    NeuronRegistered(NetUid, u16, AccountId32),
    #[codec(index = 28)]
    AxonServed(NetUid, AccountId32),
    #[codec(index = 85)]
    WeightsCommitted(AccountId32, NetUidStorageIndex, H256),
    #[codec(index = 86)]
    WeightsRevealed(AccountId32, NetUidStorageIndex, H256),
    #[codec(index = 95)]
    FirstEmissionBlockNumberSet(NetUid, u64),
    #[codec(index = 107)]
    TimelockedWeightsCommitted(AccountId32, NetUidStorageIndex, H256, u64),
    #[codec(index = 108)]
    TimelockedWeightsRevealed(NetUidStorageIndex, AccountId32),
}

/// `RuntimeEvent`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeEvent {
    #[codec(index = 0)]
    System(SystemEvent),
    #[codec(index = 5)]
    Balances(BalancesEvent),
    #[codec(index = 7)]
    SubtensorModule(SubtensorEvent),
    #[codec(index = 12)]
    Sudo(SudoEvent),
    #[codec(index = 30)]
    MevShield(ShieldEvent),
}

/// `pallet_subtensor::Error`, every variant in order: a module error's index is the
/// position here, so the list is complete even where the local chain never fails so.
pub const SUBTENSOR_ERRORS: &[&str] = &[
    "RootNetworkDoesNotExist",
    "InvalidIpType",
    "InvalidIpAddress",
    "InvalidPort",
    "HotKeyNotRegisteredInSubNet",
    "HotKeyAccountNotExists",
    "HotKeyNotRegisteredInNetwork",
    "NonAssociatedColdKey",
    "NotEnoughStake",
    "NotEnoughStakeToWithdraw",
    "NotEnoughStakeToSetWeights",
    "NotEnoughStakeToSetChildkeys",
    "NotEnoughBalanceToStake",
    "BalanceWithdrawalError",
    "ZeroBalanceAfterWithdrawn",
    "NeuronNoValidatorPermit",
    "WeightVecNotEqualSize",
    "DuplicateUids",
    "UidVecContainInvalidOne",
    "WeightVecLengthIsLow",
    "TooManyRegistrationsThisBlock",
    "HotKeyAlreadyRegisteredInSubNet",
    "NewHotKeyIsSameWithOld",
    "NewHotKeyNotCleanForRootSwap",
    "InvalidWorkBlock",
    "InvalidDifficulty",
    "InvalidSeal",
    "MaxWeightExceeded",
    "HotKeyAlreadyDelegate",
    "SettingWeightsTooFast",
    "IncorrectWeightVersionKey",
    "ServingRateLimitExceeded",
    "UidsLengthExceedUidsInSubNet",
    "NetworkTxRateLimitExceeded",
    "DelegateTxRateLimitExceeded",
    "HotKeySetTxRateLimitExceeded",
    "StakingRateLimitExceeded",
    "SubNetRegistrationDisabled",
    "TooManyRegistrationsThisInterval",
    "TransactorAccountShouldBeHotKey",
    "FaucetDisabled",
    "NotSubnetOwner",
    "RegistrationNotPermittedOnRootSubnet",
    "StakeTooLowForRoot",
    "AllNetworksInImmunity",
    "NotEnoughBalanceToPaySwapHotKey",
    "NotRootSubnet",
    "CanNotSetRootNetworkWeights",
    "NoNeuronIdAvailable",
    "DelegateTakeTooLow",
    "DelegateTakeTooHigh",
    "NoWeightsCommitFound",
    "InvalidRevealCommitHashNotMatch",
    "CommitRevealEnabled",
    "CommitRevealDisabled",
    "LiquidAlphaDisabled",
    "AlphaHighTooLow",
    "AlphaLowOutOfRange",
    "ColdKeyAlreadyAssociated",
    "NotEnoughBalanceToPaySwapColdKey",
    "InvalidChild",
    "DuplicateChild",
    "ProportionOverflow",
    "TooManyChildren",
    "TxRateLimitExceeded",
    "ColdkeySwapAnnouncementNotFound",
    "ColdkeySwapTooEarly",
    "ColdkeySwapReannouncedTooEarly",
    "AnnouncedColdkeyHashDoesNotMatch",
    "ColdkeySwapAlreadyDisputed",
    "NewColdKeyIsHotkey",
    "InvalidChildkeyTake",
    "TxChildkeyTakeRateLimitExceeded",
    "InvalidIdentity",
    "MechanismDoesNotExist",
    "StakeUnavailable",
    "SubnetNotExists",
    "TooManyUnrevealedCommits",
    "ExpiredWeightCommit",
    "RevealTooEarly",
    "InputLengthsUnequal",
    "CommittingWeightsTooFast",
    "AmountTooLow",
    "InsufficientLiquidity",
    "SlippageTooHigh",
    "TransferDisallowed",
    "ActivityCutoffTooLow",
    "CallDisabled",
    "FirstEmissionBlockNumberAlreadySet",
    "NeedWaitingMoreBlocksToStarCall",
    "NotEnoughAlphaOutToRecycle",
    "CannotBurnOrRecycleOnRootSubnet",
    "UnableToRecoverPublicKey",
    "InvalidRecoveredPublicKey",
    "SubtokenDisabled",
    "HotKeySwapOnSubnetIntervalNotPassed",
    "SameNetuid",
    "InsufficientBalance",
    "InvalidLeaseBeneficiary",
    "LeaseCannotEndInThePast",
    "LeaseNetuidNotFound",
    "LeaseDoesNotExist",
    "LeaseHasNoEndBlock",
    "LeaseHasNotEnded",
    "Overflow",
    "BeneficiaryDoesNotOwnHotkey",
    "ExpectedBeneficiaryOrigin",
    "AdminActionProhibitedDuringWeightsWindow",
    "SymbolDoesNotExist",
    "SymbolAlreadyInUse",
    "IncorrectCommitRevealVersion",
    "InvalidRevealRound",
    "RevealPeriodTooLarge",
    "RevealPeriodTooSmall",
    "InvalidValue",
    "SubnetLimitReached",
    "CannotAffordLockCost",
    "EvmKeyAssociateRateLimitExceeded",
    "SameAutoStakeHotkeyAlreadySet",
    "UidMapCouldNotBeCleared",
    "TrimmingWouldExceedMaxImmunePercentage",
    "ChildParentInconsistency",
    "InvalidNumRootClaim",
    "InvalidRootClaimThreshold",
    "InvalidSubnetNumber",
    "TooManyUIDsPerMechanism",
    "VotingPowerTrackingNotEnabled",
    "InvalidVotingPowerEmaAlpha",
    "Deprecated",
    "AddStakeBurnRateLimitExceeded",
    "ColdkeySwapAnnounced",
    "ColdkeySwapDisputed",
    "ColdkeySwapClearTooEarly",
    "DisabledTemporarily",
    "RegistrationPriceLimitExceeded",
    "LockHotkeyMismatch",
    "InsufficientStakeForLock",
    "NoExistingLock",
    "ActiveLockExists",
    "CannotUseSystemAccount",
    "UnlockAmountTooHigh",
    "TempoOutOfBounds",
    "ActivityCutoffFactorMilliOutOfBounds",
    "EpochTriggerAlreadyPending",
    "AutoEpochAlreadyImminent",
    "DynamicTempoBlockedByCommitReveal",
    "AccountRejectsLockedAlpha",
];

/// `pallet_balances::Error`, in order. The transfers fail with FRAME's `Token` errors
/// (`fungible::Mutate`), not these; they are listed for the error indices.
pub const BALANCES_ERRORS: &[&str] = &[
    "VestingBalance",
    "LiquidityRestrictions",
    "InsufficientBalance",
    "ExistentialDeposit",
    "Expendability",
    "ExistingVestingSchedule",
    "DeadAccount",
    "TooManyReserves",
    "TooManyHolds",
    "TooManyFreezes",
    "IssuanceDeactivated",
    "DeltaZero",
];

/// `pallet_sudo::Error`, in order.
pub const SUDO_ERRORS: &[&str] = &["RequireSudo"];

/// `pallet_admin_utils::Error`, in order.
pub const ADMIN_UTILS_ERRORS: &[&str] = &[
    "SubnetDoesNotExist",
    "MaxValidatorsLargerThanMaxUIds",
    "MaxAllowedUIdsLessThanCurrentUIds",
    "BondsMovingAverageMaxReached",
    "NegativeSigmoidSteepness",
    "ValueNotInBounds",
    "MinAllowedUidsGreaterThanCurrentUids",
    "MinAllowedUidsGreaterThanMaxAllowedUids",
    "MaxAllowedUidsLessThanMinAllowedUids",
    "MaxAllowedUidsGreaterThanDefaultMaxAllowedUids",
    "InvalidValue",
    "NotPermittedOnRootSubnet",
    "POWRegistrationDisabled",
    "Deprecated",
];

/// A pallet's `Error` enum as metadata describes it: unit variants named in order.
pub struct ErrorEnum<const PALLET: u8>;

impl<const PALLET: u8> TypeInfo for ErrorEnum<PALLET> {
    type Identity = Self;
    fn type_info() -> Type {
        let (names, path) = match PALLET {
            BALANCES_PALLET_INDEX => (BALANCES_ERRORS, "pallet_balances::pallet"),
            SUBTENSOR_PALLET_INDEX => (SUBTENSOR_ERRORS, "pallet_subtensor::pallet"),
            SUDO_PALLET_INDEX => (SUDO_ERRORS, "pallet_sudo::pallet"),
            _ => (ADMIN_UTILS_ERRORS, "pallet_admin_utils::pallet"),
        };
        let mut variants = Variants::new();
        for (index, name) in names.iter().enumerate() {
            variants = variants.variant(*name, |v| v.index(index as u8).fields(Fields::unit()).docs_always(&[error_doc(name)]));
        }
        Type::builder().path(Path::new("Error", path)).variant(variants)
    }
}

/// A module error's one-line description in the metadata. Clients show it, and
/// bittensor 10's `format_error_message` names the error only when it has one
/// ("UnknownError" otherwise): the local chain's own wording where it raises the
/// error, else the name in words ("RootNetworkDoesNotExist" → "Root network does not
/// exist").
fn error_doc(name: &'static str) -> &'static str {
    // Metadata docs are `&'static str`: each text is made once.
    static DOCS: std::sync::OnceLock<std::sync::Mutex<std::collections::BTreeMap<&'static str, &'static str>>> = std::sync::OnceLock::new();
    let docs = DOCS.get_or_init(Default::default);
    let mut docs = docs.lock().unwrap_or_else(|e| e.into_inner());
    docs.entry(name).or_insert_with(|| {
        let text = match ChainError::from_chain_name(name) {
            Some(e) => {
                let message = e.to_string();
                let text = message.split_once(": ").map_or(message.as_str(), |(_, t)| t);
                let mut chars = text.chars();
                chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
            }
            None => {
                let mut words = String::new();
                for (i, c) in name.char_indices() {
                    if i > 0 && c.is_uppercase() {
                        words.push(' ');
                        words.extend(c.to_lowercase());
                    } else {
                        words.push(c);
                    }
                }
                words
            }
        };
        Box::leak(format!("{text}.").into_boxed_str())
    })
}

/// The dispatch error the chain reports for a local chain error: the module error
/// with Subtensor's index for that name (`BadOrigin` is FRAME's own).
pub fn dispatch_error(error: &ChainError) -> DispatchError {
    match error {
        ChainError::BadOrigin => return DispatchError::BadOrigin,
        ChainError::CannotLookup => return DispatchError::CannotLookup,
        ChainError::FundsUnavailable => return DispatchError::Token(TokenError::FundsUnavailable),
        ChainError::NotExpendable => return DispatchError::Token(TokenError::NotExpendable),
        ChainError::BelowMinimum => return DispatchError::Token(TokenError::BelowMinimum),
        _ => {}
    }
    if let ChainError::Module { pallet, error } = error {
        if pallet == "Sudo" {
            if let Some(i) = SUDO_ERRORS.iter().position(|n| n == error) {
                return DispatchError::Module(ModuleError { index: SUDO_PALLET_INDEX, error: [i as u8, 0, 0, 0] });
            }
        }
    }
    let name = error.chain_name().unwrap_or_default();
    match SUBTENSOR_ERRORS.iter().position(|n| *n == name) {
        Some(i) => DispatchError::Module(ModuleError { index: SUBTENSOR_PALLET_INDEX, error: [i as u8, 0, 0, 0] }),
        None => DispatchError::Other,
    }
}

/// Dispatch `call` signed by `who`; the events it deposits, ending with
/// `ExtrinsicSuccess` or `ExtrinsicFailed` as FRAME's `Executive` does.
pub fn dispatch(chain: &mut LocalChain, who: AccountId, call: RuntimeCall) -> Vec<RuntimeEvent> {
    let mut info = DispatchEventInfo::normal();
    // The node charges no fees; the events still say which calls Subtensor exempts
    // (`serve_axon_tls`: `Pays::No` in `macros/dispatches.rs`).
    if matches!(call, RuntimeCall::SubtensorModule(SubtensorCall::serve_axon_tls { .. })) {
        info.pays_fee = super::system::Pays::No;
    }
    match apply(chain, who, call) {
        Ok(mut events) => {
            events.push(RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { dispatch_info: info }));
            events
        }
        Err(e) => vec![RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error: dispatch_error(&e), dispatch_info: info })],
    }
}

/// The event a block's initialisation reports for what the chain did on its own.
pub fn block_event(e: &crate::chain::local::BlockEvent) -> RuntimeEvent {
    use crate::chain::local::BlockEvent as B;
    match e {
        B::TimelockedWeightsRevealed { netuid, mecid, who } => RuntimeEvent::SubtensorModule(SubtensorEvent::TimelockedWeightsRevealed(
            NetUidStorageIndex::of(NetUid(*netuid), MechId(*mecid)),
            AccountId32(who.0),
        )),
    }
}

fn event(e: SubtensorEvent) -> Vec<RuntimeEvent> {
    vec![RuntimeEvent::SubtensorModule(e)]
}

fn apply(chain: &mut LocalChain, who: AccountId, call: RuntimeCall) -> Result<Vec<RuntimeEvent>, ChainError> {
    use SubtensorCall as S;
    let signer = &who;
    match call {
        RuntimeCall::System(SystemCall::remark { .. }) => Ok(vec![]),
        RuntimeCall::Balances(call) => {
            let (dest, done) = match call {
                BalancesCall::transfer_allow_death { dest, value } => {
                    let dest = lookup(dest)?;
                    (dest, chain.transfer(signer, dest, value, Preservation::Expendable)?)
                }
                BalancesCall::transfer_keep_alive { dest, value } => {
                    let dest = lookup(dest)?;
                    (dest, chain.transfer(signer, dest, value, Preservation::Preserve)?)
                }
                BalancesCall::transfer_all { dest, keep_alive } => {
                    let dest = lookup(dest)?;
                    (dest, chain.transfer_all(signer, dest, keep_alive)?)
                }
            };
            Ok(transfer_events(who, dest, done))
        }
        RuntimeCall::SubtensorModule(call) => match call {
            S::set_weights { netuid, dests, weights, version_key } => {
                chain.set_weights(signer, netuid.0, &dests, &weights, version_key)?;
                let uid = uid_of(chain, netuid.0, &who);
                Ok(event(SubtensorEvent::WeightsSet(NetUidStorageIndex(netuid.0), uid)))
            }
            S::add_stake { hotkey, netuid, amount_staked } => {
                chain.add_stake(signer, AccountId(hotkey.0), netuid.0, amount_staked.0)?;
                Ok(event(SubtensorEvent::StakeAdded(
                    AccountId32(who.0),
                    hotkey,
                    amount_staked,
                    AlphaBalance(amount_staked.0), // stable mechanism: 1 TAO buys 1 alpha
                    netuid,
                    0,
                )))
            }
            S::remove_stake { hotkey, netuid, amount_unstaked } => {
                chain.remove_stake(signer, AccountId(hotkey.0), netuid.0, amount_unstaked.0)?;
                Ok(event(SubtensorEvent::StakeRemoved(AccountId32(who.0), hotkey, TaoBalance(amount_unstaked.0), amount_unstaked, netuid, 0)))
            }
            S::serve_axon { netuid, version, ip, port, ip_type, protocol, .. } => {
                let axon = AxonInfo { block: 0, version, ip, port, ip_type, protocol };
                chain.serve_axon(signer, netuid.0, axon)?;
                Ok(event(SubtensorEvent::AxonServed(netuid, AccountId32(who.0))))
            }
            S::serve_axon_tls { netuid, version, ip, port, ip_type, protocol, certificate, .. } => {
                let axon = AxonInfo { block: 0, version, ip, port, ip_type, protocol };
                chain.serve_axon_tls(signer, netuid.0, axon, &certificate)?;
                Ok(event(SubtensorEvent::AxonServed(netuid, AccountId32(who.0))))
            }
            S::burned_register { netuid, hotkey } => {
                let uid = chain.burned_register(signer, netuid.0, AccountId(hotkey.0))?;
                Ok(event(SubtensorEvent::NeuronRegistered(netuid, uid, hotkey)))
            }
            S::register_network { hotkey } => {
                let netuid = chain.register_network(signer, AccountId(hotkey.0))?;
                Ok(event(SubtensorEvent::NetworkAdded(NetUid(netuid), 0)))
            }
            S::set_mechanism_weights { netuid, mecid, dests, weights, version_key } => {
                chain.set_mechanism_weights(signer, netuid.0, mecid.0, &dests, &weights, version_key)?;
                let uid = uid_of(chain, netuid.0, &who);
                Ok(event(SubtensorEvent::WeightsSet(NetUidStorageIndex::of(netuid, mecid), uid)))
            }
            S::commit_mechanism_weights { netuid, mecid, commit_hash } => {
                chain.commit_mechanism_weights(signer, netuid.0, mecid.0, commit_hash.0)?;
                Ok(event(SubtensorEvent::WeightsCommitted(AccountId32(who.0), NetUidStorageIndex::of(netuid, mecid), commit_hash)))
            }
            S::reveal_mechanism_weights { netuid, mecid, uids, values, salt, version_key } => {
                chain.reveal_mechanism_weights(signer, netuid.0, mecid.0, &uids, &values, &salt, version_key)?;
                let index = NetUidStorageIndex::of(netuid, mecid);
                let hash = crate::chain::local::commit_hash(&who, index.0, &uids, &values, &salt, version_key);
                Ok(event(SubtensorEvent::WeightsRevealed(AccountId32(who.0), index, H256(hash))))
            }
            S::add_stake_limit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
                let staked = chain.add_stake_limit(signer, AccountId(hotkey.0), netuid.0, amount_staked.0, limit_price.0, allow_partial)?;
                // Stable mechanism: 1 TAO buys 1 alpha.
                Ok(event(SubtensorEvent::StakeAdded(AccountId32(who.0), hotkey, TaoBalance(staked), AlphaBalance(staked), netuid, 0)))
            }
            S::remove_stake_limit { hotkey, netuid, amount_unstaked, limit_price, allow_partial } => {
                let unstaked = chain.remove_stake_limit(signer, AccountId(hotkey.0), netuid.0, amount_unstaked.0, limit_price.0, allow_partial)?;
                Ok(event(SubtensorEvent::StakeRemoved(AccountId32(who.0), hotkey, TaoBalance(unstaked), AlphaBalance(unstaked), netuid, 0)))
            }
            S::register_limit { netuid, hotkey, limit_price } => {
                let uid = chain.register_limit(signer, netuid.0, AccountId(hotkey.0), limit_price)?;
                Ok(event(SubtensorEvent::NeuronRegistered(netuid, uid, hotkey)))
            }
            S::commit_weights { netuid, commit_hash } => {
                chain.commit_weights(signer, netuid.0, commit_hash.0)?;
                Ok(event(SubtensorEvent::WeightsCommitted(AccountId32(who.0), NetUidStorageIndex(netuid.0), commit_hash)))
            }
            S::reveal_weights { netuid, uids, values, salt, version_key } => {
                chain.reveal_weights(signer, netuid.0, &uids, &values, &salt, version_key)?;
                let hash = crate::chain::local::commit_hash(&who, netuid.0, &uids, &values, &salt, version_key);
                Ok(event(SubtensorEvent::WeightsRevealed(AccountId32(who.0), NetUidStorageIndex(netuid.0), H256(hash))))
            }
            S::start_call { netuid } => {
                chain.start_call(signer, netuid.0)?;
                let first = chain.subnet(netuid.0).ok().and_then(|s| s.first_emission_block).unwrap_or(0);
                Ok(event(SubtensorEvent::FirstEmissionBlockNumberSet(netuid, first)))
            }
            S::commit_timelocked_weights { netuid, commit, reveal_round, commit_reveal_version } => {
                let hash = chain.commit_timelocked_weights(signer, netuid.0, 0, &commit.0, reveal_round, commit_reveal_version)?;
                Ok(event(SubtensorEvent::TimelockedWeightsCommitted(AccountId32(who.0), NetUidStorageIndex(netuid.0), H256(hash), reveal_round)))
            }
            S::commit_timelocked_mechanism_weights { netuid, mecid, commit, reveal_round, commit_reveal_version } => {
                let hash = chain.commit_timelocked_weights(signer, netuid.0, mecid.0, &commit.0, reveal_round, commit_reveal_version)?;
                let index = NetUidStorageIndex::of(netuid, mecid);
                Ok(event(SubtensorEvent::TimelockedWeightsCommitted(AccountId32(who.0), index, H256(hash), reveal_round)))
            }
            S::set_activity_cutoff_factor { netuid, factor_milli } => {
                let value = Hyperparameter::ActivityCutoffFactorMilli(factor_milli);
                chain.set_hyperparameter_as(Origin::Signed(who), netuid.0, value)?;
                Ok(vec![])
            }
        },
        // A signed admin call is the signer's, even the sudo key's: root needs `Sudo::sudo`.
        RuntimeCall::AdminUtils(call) => {
            let (netuid, value) = admin_hyperparameter(call)?;
            chain.set_hyperparameter_as(Origin::Signed(who), netuid, value)?;
            Ok(vec![])
        }
        // pallet_shield: the carrier only records its submission; the block author
        // decrypts the ciphertext and includes the inner extrinsic (node/mod.rs).
        RuntimeCall::MevShield(ShieldCall::submit_encrypted { ciphertext }) => {
            let id = sp_crypto_hashing::blake2_256(&(AccountId32(who.0), &ciphertext).encode());
            Ok(vec![RuntimeEvent::MevShield(ShieldEvent::EncryptedSubmitted { id: H256(id), who: AccountId32(who.0) })])
        }
        RuntimeCall::Sudo(SudoCall::sudo { call }) => {
            // pallet_sudo: only the key may; the wrapped call runs as root and its
            // outcome goes into `Sudid`, the extrinsic succeeds either way.
            if who != chain.sudo_key() {
                return Err(ChainError::Module { pallet: "Sudo".into(), error: "RequireSudo".into() });
            }
            let sudo_result = apply_root(chain, *call).map_err(|e| dispatch_error(&e));
            Ok(vec![RuntimeEvent::Sudo(SudoEvent::Sudid { sudo_result })])
        }
    }
}

/// A call dispatched as root: the admin setters (and `set_activity_cutoff_factor`,
/// `ensure_subnet_owner_or_root`); a remark; the other subnet calls need a signed
/// origin.
fn apply_root(chain: &mut LocalChain, call: RuntimeCall) -> Result<(), ChainError> {
    match call {
        RuntimeCall::AdminUtils(AdminCall::sudo_set_commit_reveal_version { version }) => {
            chain.set_commit_reveal_version(version);
            Ok(())
        }
        RuntimeCall::AdminUtils(call) => {
            let (netuid, value) = admin_hyperparameter(call)?;
            chain.set_hyperparameter_as(Origin::Root, netuid, value)
        }
        RuntimeCall::SubtensorModule(SubtensorCall::set_activity_cutoff_factor { netuid, factor_milli }) => {
            chain.set_hyperparameter_as(Origin::Root, netuid.0, Hyperparameter::ActivityCutoffFactorMilli(factor_milli))
        }
        RuntimeCall::System(SystemCall::remark { .. }) => Ok(()),
        _ => Err(ChainError::BadOrigin),
    }
}

/// `AccountIdLookup`, Subtensor's `Lookup`: only `MultiAddress::Id` names an account.
fn lookup(address: MultiAddress) -> Result<AccountId, ChainError> {
    match address {
        MultiAddress::Id(id) => Ok(AccountId(id.0)),
        _ => Err(ChainError::CannotLookup),
    }
}

/// The events of a successful transfer, in `pallet_balances`' order: the sender's
/// `DustLost` when it was reaped, the receiver's `Endowed` when it was created, then
/// `Transfer` (none for a transfer to oneself, which returns before them).
fn transfer_events(from: AccountId, to: AccountId, done: Transferred) -> Vec<RuntimeEvent> {
    if done.to_self {
        return vec![];
    }
    let mut events = vec![];
    if let Some(amount) = done.dust_lost {
        events.push(BalancesEvent::DustLost { account: AccountId32(from.0), amount });
    }
    if let Some(free_balance) = done.endowed {
        events.push(BalancesEvent::Endowed { account: AccountId32(to.0), free_balance });
    }
    events.push(BalancesEvent::Transfer { from: AccountId32(from.0), to: AccountId32(to.0), amount: done.amount });
    events.into_iter().map(RuntimeEvent::Balances).collect()
}

fn uid_of(chain: &LocalChain, netuid: u16, hotkey: &AccountId) -> u16 {
    chain.subnet(netuid).ok().and_then(|s| s.keys.iter().position(|k| k == hotkey)).map(|u| u as u16).unwrap_or(u16::MAX)
}

/// The subnet hyperparameter an AdminUtils setter changes; the global setters are
/// dispatched before this (`BadOrigin` if one gets here).
fn admin_hyperparameter(call: AdminCall) -> Result<(u16, Hyperparameter), ChainError> {
    use AdminCall as A;
    use Hyperparameter as H;
    Ok(match call {
        A::sudo_set_serving_rate_limit { netuid, serving_rate_limit } => (netuid.0, H::ServingRateLimit(serving_rate_limit)),
        A::sudo_set_weights_version_key { netuid, weights_version_key } => (netuid.0, H::WeightsVersionKey(weights_version_key)),
        A::sudo_set_weights_set_rate_limit { netuid, weights_set_rate_limit } => (netuid.0, H::WeightsSetRateLimit(weights_set_rate_limit)),
        A::sudo_set_max_weight_limit { netuid, max_weight_limit } => (netuid.0, H::MaxWeightLimit(max_weight_limit)),
        A::sudo_set_immunity_period { netuid, immunity_period } => (netuid.0, H::ImmunityPeriod(immunity_period)),
        A::sudo_set_min_allowed_weights { netuid, min_allowed_weights } => (netuid.0, H::MinAllowedWeights(min_allowed_weights)),
        A::sudo_set_max_allowed_uids { netuid, max_allowed_uids } => (netuid.0, H::MaxAllowedUids(max_allowed_uids)),
        A::sudo_set_kappa { netuid, kappa } => (netuid.0, H::Kappa(kappa)),
        A::sudo_set_network_registration_allowed { netuid, registration_allowed } => (netuid.0, H::RegistrationAllowed(registration_allowed)),
        A::sudo_set_min_burn { netuid, min_burn } => (netuid.0, H::MinBurn(min_burn.0)),
        A::sudo_set_max_burn { netuid, max_burn } => (netuid.0, H::MaxBurn(max_burn.0)),
        A::sudo_set_max_allowed_validators { netuid, max_allowed_validators } => (netuid.0, H::MaxAllowedValidators(max_allowed_validators)),
        A::sudo_set_bonds_moving_average { netuid, bonds_moving_average } => (netuid.0, H::BondsMovingAverage(bonds_moving_average)),
        A::sudo_set_tempo { netuid, tempo } => (netuid.0, H::Tempo(tempo)),
        A::sudo_set_commit_reveal_weights_enabled { netuid, enabled } => (netuid.0, H::CommitRevealWeightsEnabled(enabled)),
        A::sudo_set_liquid_alpha_enabled { netuid, enabled } => (netuid.0, H::LiquidAlphaEnabled(enabled)),
        A::sudo_set_alpha_values { netuid, alpha_low, alpha_high } => (netuid.0, H::AlphaValues { low: alpha_low, high: alpha_high }),
        A::sudo_set_commit_reveal_weights_interval { netuid, interval } => (netuid.0, H::RevealPeriodEpochs(interval)),
        A::sudo_set_bonds_penalty { netuid, bonds_penalty } => (netuid.0, H::BondsPenalty(bonds_penalty)),
        A::sudo_set_yuma3_enabled { netuid, enabled } => (netuid.0, H::Yuma3Enabled(enabled)),
        A::sudo_set_min_non_immune_uids { netuid, min } => (netuid.0, H::MinNonImmuneUids(min)),
        A::sudo_set_burn_half_life { netuid, burn_half_life } => (netuid.0, H::BurnHalfLife(burn_half_life)),
        A::sudo_set_burn_increase_mult { netuid, burn_increase_mult } => {
            (netuid.0, H::BurnIncreaseMult(burn_increase_mult.bits as f64 / (1u128 << 64) as f64))
        }
        A::sudo_set_mechanism_count { netuid, mechanism_count } => (netuid.0, H::MechanismCount(mechanism_count.0)),
        A::sudo_set_mechanism_emission_split { netuid, maybe_split } => (netuid.0, H::MechanismEmissionSplit(maybe_split)),
        A::sudo_set_commit_reveal_version { .. } => return Err(ChainError::BadOrigin),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_local_chain_error_has_a_subtensor_index() {
        // Each unit ChainError names a Subtensor error (BadOrigin is FRAME's).
        let names = [
            "WeightVecNotEqualSize",
            "SubnetNotExists",
            "UidsLengthExceedUidsInSubNet",
            "HotKeyNotRegisteredInSubNet",
            "NotEnoughStakeToSetWeights",
            "IncorrectWeightVersionKey",
            "SettingWeightsTooFast",
            "NeuronNoValidatorPermit",
            "DuplicateUids",
            "UidVecContainInvalidOne",
            "WeightVecLengthIsLow",
            "MaxWeightExceeded",
            "HotKeyAlreadyRegisteredInSubNet",
            "SubNetRegistrationDisabled",
            "NotEnoughBalanceToStake",
            "NonAssociatedColdKey",
            "NoNeuronIdAvailable",
            "HotKeyAccountNotExists",
            "NotEnoughStakeToWithdraw",
            "AmountTooLow",
            "BadOrigin",
            "HotKeyNotRegisteredInNetwork",
            "ServingRateLimitExceeded",
            "InvalidIpType",
            "InvalidIpAddress",
            "InvalidPort",
            "CommitRevealDisabled",
            "CommitRevealEnabled",
            "CommittingWeightsTooFast",
            "TooManyUnrevealedCommits",
            "NoWeightsCommitFound",
            "InvalidRevealCommitHashNotMatch",
            "RevealTooEarly",
            "ExpiredWeightCommit",
            "InvalidValue",
            "MechanismDoesNotExist",
            "SlippageTooHigh",
            "RegistrationPriceLimitExceeded",
        ];
        for name in names {
            let e = ChainError::from_chain_name(name).expect(name);
            assert_eq!(e.chain_name().as_deref(), Some(name));
            let d = dispatch_error(&e);
            assert_ne!(d, DispatchError::Other, "{e:?} has no Subtensor index");
        }
    }

    #[test]
    fn every_module_error_has_a_description() {
        assert_eq!(error_doc("SettingWeightsTooFast"), "The weights rate limit has not elapsed.");
        assert_eq!(error_doc("RootNetworkDoesNotExist"), "Root network does not exist.");
        for name in SUBTENSOR_ERRORS.iter().chain(BALANCES_ERRORS).chain(SUDO_ERRORS).chain(ADMIN_UTILS_ERRORS) {
            assert!(error_doc(name).len() > 1, "{name}");
        }
    }

    #[test]
    fn transfer_errors_are_frames_own() {
        // `fungible::Mutate::transfer` fails with `DispatchError::Token` (index 7), the
        // lookup of a non-`Id` address with `CannotLookup` (index 1).
        let token = |e| dispatch_error(&e).encode();
        assert_eq!(token(ChainError::FundsUnavailable), [7, 0]);
        assert_eq!(token(ChainError::BelowMinimum), [7, 2]);
        assert_eq!(token(ChainError::NotExpendable), [7, 8]);
        assert_eq!(token(ChainError::CannotLookup), [1]);
    }

    #[test]
    fn new_calls_encode_at_subtensor_and_substrate_indices() {
        let weights = RuntimeCall::SubtensorModule(SubtensorCall::set_mechanism_weights {
            netuid: NetUid(2),
            mecid: MechId(0),
            dests: vec![1],
            weights: vec![9],
            version_key: 0,
        });
        // pallet 7, call 119, netuid u16, mecid u8, then the vectors.
        assert_eq!(&weights.encode()[..5], &[7, 119, 2, 0, 0]);
        let transfer = RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(AccountId32([3; 32])), value: 1 << 30 });
        let bytes = transfer.encode();
        // pallet 5, call 3, MultiAddress::Id, 32 bytes, then the value as a compact.
        assert_eq!(&bytes[..3], &[5, 3, 0]);
        assert_eq!(&bytes[35..], &codec::Compact(1u64 << 30).encode()[..]);
        assert_eq!(RuntimeCall::decode(&mut &bytes[..]).unwrap(), transfer);
        assert_eq!(NetUidStorageIndex::of(NetUid(3), MechId(2)), NetUidStorageIndex(8195));
        let tls = RuntimeCall::SubtensorModule(SubtensorCall::serve_axon_tls {
            netuid: NetUid(1),
            version: 0,
            ip: 0,
            port: 8091,
            ip_type: 4,
            protocol: 0,
            placeholder1: 0,
            placeholder2: 0,
            certificate: vec![1; 33],
        });
        let bytes = tls.encode();
        // pallet 7, call 40, serve_axon's fields (2 + 4 + 16 + 2 + 4 bytes), then the
        // certificate as a Vec<u8> (compact length 33, then the bytes).
        assert_eq!(&bytes[..3], &[7, 40, 1]);
        assert_eq!(&bytes[30..32], &[33 << 2, 1]);
        assert_eq!(bytes.len(), 30 + 1 + 33);
        assert_eq!(RuntimeCall::decode(&mut &bytes[..]).unwrap(), tls);
    }

    #[test]
    fn call_encoding_follows_subtensor_indices() {
        let call = RuntimeCall::SubtensorModule(SubtensorCall::burned_register { netuid: NetUid(3), hotkey: AccountId32([9; 32]) });
        let bytes = call.encode();
        assert_eq!(&bytes[..4], &[7, 7, 3, 0]);
        assert_eq!(RuntimeCall::decode(&mut &bytes[..]).unwrap(), call);
    }
}
