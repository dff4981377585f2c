//! [`ChainError`]: why the chain refused a call, by the names Subtensor gives its errors.

/// Errors with the names Subtensor gives them (`pallets/subtensor/src/macros/errors.rs`),
/// so a message from the local chain reads the same as one from the real network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ChainError {
    /// `WeightVecNotEqualSize`: uids and values have different lengths.
    #[error("WeightVecNotEqualSize: uids and values have different lengths")]
    WeightVecNotEqualSize,
    /// `SubnetNotExists`: the subnet does not exist.
    #[error("SubnetNotExists: the subnet does not exist")]
    SubnetNotExists,
    /// `UidsLengthExceedUidsInSubNet`: more uids than neurons on the subnet.
    #[error("UidsLengthExceedUidsInSubNet: more uids than neurons on the subnet")]
    UidsLengthExceedUidsInSubNet,
    /// `HotKeyNotRegisteredInSubNet`: the hotkey has no UID on this subnet.
    #[error("HotKeyNotRegisteredInSubNet: the hotkey has no UID on this subnet")]
    HotKeyNotRegisteredInSubNet,
    /// `NotEnoughStakeToSetWeights`: the hotkey's stake is below the stake threshold.
    #[error("NotEnoughStakeToSetWeights: the hotkey's stake is below the stake threshold")]
    NotEnoughStakeToSetWeights,
    /// `IncorrectWeightVersionKey`: the version key is older than the subnet's.
    #[error("IncorrectWeightVersionKey: the version key is older than the subnet's")]
    IncorrectWeightVersionKey,
    /// `SettingWeightsTooFast`: the weights rate limit has not elapsed.
    #[error("SettingWeightsTooFast: the weights rate limit has not elapsed")]
    SettingWeightsTooFast,
    /// `NeuronNoValidatorPermit`: only validators may set weights on other neurons.
    #[error("NeuronNoValidatorPermit: only validators may set weights on other neurons")]
    NeuronNoValidatorPermit,
    /// `DuplicateUids`: a uid appears twice.
    #[error("DuplicateUids: a uid appears twice")]
    DuplicateUids,
    /// `UidVecContainInvalidOne`: a uid does not exist on the subnet.
    #[error("UidVecContainInvalidOne: a uid does not exist on the subnet")]
    UidVecContainInvalidOne,
    /// `WeightVecLengthIsLow`: fewer weights than `MinAllowedWeights`.
    #[error("WeightVecLengthIsLow: fewer weights than min_allowed_weights")]
    WeightVecLengthIsLow,
    /// `MaxWeightExceeded`: a normalised weight is above `MaxWeightsLimit`.
    #[error("MaxWeightExceeded: a normalised weight is above max_weight_limit")]
    MaxWeightExceeded,
    /// `HotKeyAlreadyRegisteredInSubNet`: the hotkey already has a UID on this subnet.
    #[error("HotKeyAlreadyRegisteredInSubNet: the hotkey already has a UID on this subnet")]
    HotKeyAlreadyRegisteredInSubNet,
    /// `SubNetRegistrationDisabled`: registration is off on this subnet.
    #[error("SubNetRegistrationDisabled: registration is off on this subnet")]
    SubNetRegistrationDisabled,
    /// `NotEnoughBalanceToStake`: the coldkey's free balance is too low.
    #[error("NotEnoughBalanceToStake: the coldkey's free balance is too low")]
    NotEnoughBalanceToStake,
    /// `NonAssociatedColdKey`: the hotkey belongs to another coldkey.
    #[error("NonAssociatedColdKey: the hotkey belongs to another coldkey")]
    NonAssociatedColdKey,
    /// `NoNeuronIdAvailable`: the subnet is full and no neuron can be pruned.
    #[error("NoNeuronIdAvailable: the subnet is full and no neuron can be pruned")]
    NoNeuronIdAvailable,
    /// `HotKeyAccountNotExists`: the hotkey is not known to the chain.
    #[error("HotKeyAccountNotExists: the hotkey is not known to the chain")]
    HotKeyAccountNotExists,
    /// `NotEnoughStakeToWithdraw`: the stake is lower than the amount to remove.
    #[error("NotEnoughStakeToWithdraw: the stake is lower than the amount to remove")]
    NotEnoughStakeToWithdraw,
    /// `AmountTooLow`: the amount is below the minimum stake.
    #[error("AmountTooLow: the amount is below the minimum stake")]
    AmountTooLow,
    /// `SubtokenDisabled`: the subnet's owner has not started it (`start_call`).
    #[error("SubtokenDisabled: the subnet's owner has not started it (start_call)")]
    SubtokenDisabled,
    /// `FirstEmissionBlockNumberAlreadySet`: the subnet is already started.
    #[error("FirstEmissionBlockNumberAlreadySet: the subnet is already started")]
    FirstEmissionBlockNumberAlreadySet,
    /// `BadOrigin`: only the subnet owner or sudo may do this.
    #[error("BadOrigin: only the subnet owner or sudo may do this")]
    BadOrigin,
    /// `HotKeyNotRegisteredInNetwork`: the hotkey has no UID on this subnet.
    #[error("HotKeyNotRegisteredInNetwork: the hotkey has no UID on this subnet")]
    HotKeyNotRegisteredInNetwork,
    /// `ServingRateLimitExceeded`: the axon was served too recently.
    #[error("ServingRateLimitExceeded: the axon was served too recently")]
    ServingRateLimitExceeded,
    /// `InvalidIpType`: `ip_type` must be 4 or 6.
    #[error("InvalidIpType: ip_type must be 4 or 6")]
    InvalidIpType,
    /// `InvalidIpAddress`: the address cannot be served (out of range, or localhost).
    #[error("InvalidIpAddress: the address cannot be served (out of range, or localhost)")]
    InvalidIpAddress,
    /// `InvalidPort`: port 0 cannot be served.
    #[error("InvalidPort: port 0 cannot be served")]
    InvalidPort,
    /// `CommitRevealDisabled`: commit-reveal is off on this subnet.
    #[error("CommitRevealDisabled: commit-reveal is off on this subnet")]
    CommitRevealDisabled,
    /// `CommitRevealEnabled`: `set_weights` is not allowed while commit-reveal is on.
    #[error("CommitRevealEnabled: set_weights is not allowed while commit-reveal is on")]
    CommitRevealEnabled,
    /// `CommittingWeightsTooFast`: the weights rate limit has not elapsed since the last commit.
    #[error("CommittingWeightsTooFast: the weights rate limit has not elapsed since the last commit")]
    CommittingWeightsTooFast,
    /// `TooManyUnrevealedCommits`: at most 10 commits may wait for reveal.
    #[error("TooManyUnrevealedCommits: at most 10 commits may wait for reveal")]
    TooManyUnrevealedCommits,
    /// `IncorrectCommitRevealVersion`: the client's commit-reveal version is not the
    /// chain's `CommitRevealWeightsVersion`.
    #[error("IncorrectCommitRevealVersion: the commit-reveal version is not the chain's CommitRevealWeightsVersion")]
    IncorrectCommitRevealVersion,
    /// `NoWeightsCommitFound`: no commit to reveal.
    #[error("NoWeightsCommitFound: no commit to reveal")]
    NoWeightsCommitFound,
    /// `InvalidRevealCommitHashNotMatch`: no commit has the hash of these weights.
    #[error("InvalidRevealCommitHashNotMatch: no commit has the hash of these weights")]
    InvalidRevealCommitHashNotMatch,
    /// `RevealTooEarly`: the reveal period has not started.
    #[error("RevealTooEarly: the reveal period has not started")]
    RevealTooEarly,
    /// `ExpiredWeightCommit`: the commit's reveal period is over.
    #[error("ExpiredWeightCommit: the commit's reveal period is over")]
    ExpiredWeightCommit,
    /// `InvalidValue`: a hyperparameter value is out of range.
    #[error("InvalidValue: a hyperparameter value is out of range")]
    InvalidValue,
    /// `MechanismDoesNotExist`: the subnet has no mechanism with this id.
    #[error("MechanismDoesNotExist: the subnet has no mechanism with this id")]
    MechanismDoesNotExist,
    /// `TooManyUIDsPerMechanism`: `max_allowed_uids` times the mechanism count would
    /// exceed 256.
    #[error("TooManyUIDsPerMechanism: max allowed UIDs times the mechanism count exceeds 256")]
    TooManyUIDsPerMechanism,
    /// `SlippageTooHigh`: the limit price does not allow the whole amount (and partial
    /// execution is off).
    #[error("SlippageTooHigh: the limit price does not allow the whole amount")]
    SlippageTooHigh,
    /// `RegistrationPriceLimitExceeded`: the registration burn is above the limit price.
    #[error("RegistrationPriceLimitExceeded: the registration burn is above the limit price")]
    RegistrationPriceLimitExceeded,
    /// `InsufficientLiquidity`: the pool cannot pay out the swap.
    #[error("InsufficientLiquidity: the pool cannot pay out the swap")]
    InsufficientLiquidity,
    /// `SubnetLimitReached`: the subnet limit is reached and no subnet can be pruned.
    #[error("SubnetLimitReached: the subnet limit is reached and every subnet is immune")]
    SubnetLimitReached,
    /// `CannotAffordLockCost`: the coldkey cannot pay the network lock cost.
    #[error("CannotAffordLockCost: the coldkey cannot pay the network lock cost")]
    CannotAffordLockCost,
    /// `DelegateTakeTooLow`: the take is below the minimum or not a decrease.
    #[error("DelegateTakeTooLow: the take is below the minimum, or not lower than the current one")]
    DelegateTakeTooLow,
    /// `DelegateTakeTooHigh`: the take is above the maximum or not an increase.
    #[error("DelegateTakeTooHigh: the take is above the maximum, or not higher than the current one")]
    DelegateTakeTooHigh,
    /// `DelegateTxRateLimitExceeded`: the take was raised too recently.
    #[error("DelegateTxRateLimitExceeded: the take was changed too recently")]
    DelegateTxRateLimitExceeded,

    // FRAME's own dispatch errors (`sp_runtime::DispatchError`), which balance
    // transfers fail with (`fungible::Mutate::transfer`).
    /// `Token::FundsUnavailable`: the free balance cannot cover the amount.
    #[error("FundsUnavailable: the free balance cannot cover the amount")]
    FundsUnavailable,
    /// `Token::NotExpendable`: the transfer would take a kept-alive account below the
    /// existential deposit.
    #[error("NotExpendable: the account would fall below the existential deposit")]
    NotExpendable,
    /// `Token::BelowMinimum`: the receiving account would hold less than the existential
    /// deposit.
    #[error("BelowMinimum: the receiving account would hold less than the existential deposit")]
    BelowMinimum,
    /// `CannotLookup`: an address other than an account id (`MultiAddress::Id`).
    #[error("CannotLookup: only an account id (MultiAddress::Id) names an account")]
    CannotLookup,

    // Errors a remote chain adds (chain::subtensor).
    /// A dispatch error this client has no variant for, by the names the runtime
    /// metadata gives (e.g. `SubtensorModule::SubtokenDisabled`).
    #[error("{pallet}::{error}: refused by the chain")]
    Module {
        /// The pallet's name in the metadata (e.g. `SubtensorModule`).
        pallet: String,
        /// The error's name in that pallet.
        error: String,
    },
    /// The transaction pool refused the extrinsic before dispatch (bad signature,
    /// stale nonce, ...), with the node's message.
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// The chain's runtime has no such call, storage item or runtime API (e.g. finney at
    /// spec 393 has no `SubtensorModule::set_activity_cutoff_factor`, added at 423).
    #[error("{what} is not in this chain's runtime (spec version {spec_version})")]
    NotInRuntime {
        /// What the client needed, as `Pallet::item` or `Api::method`.
        what: String,
        /// The runtime's spec version.
        spec_version: u32,
    },
    /// The node could not be reached, or answered something this client cannot read.
    #[error("chain RPC: {0}")]
    Rpc(String),
    /// A remote chain needs a signature, and this signer only names an account.
    #[error("the signer for {0} has no secret key; a remote chain needs signed extrinsics")]
    CannotSign(String),
}

impl ChainError {
    /// The variant whose chain name is `name` (e.g. `"SettingWeightsTooFast"`),
    /// for errors read back from a remote chain.
    pub fn from_chain_name(name: &str) -> Option<ChainError> {
        // Unit variants serialise as their names, which are the chain's names.
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// The chain's name of this error, for unit variants (`None` for the remote-only ones).
    pub fn chain_name(&self) -> Option<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => Some(name),
            _ => None,
        }
    }
}
