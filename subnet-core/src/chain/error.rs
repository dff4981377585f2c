/// Errors with the names Subtensor gives them (`pallets/subtensor/src/macros/errors.rs`),
/// so a message from the local chain reads the same as one from the real network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ChainError {
    #[error("WeightVecNotEqualSize: uids and values have different lengths")]
    WeightVecNotEqualSize,
    #[error("SubnetNotExists: the subnet does not exist")]
    SubnetNotExists,
    #[error("UidsLengthExceedUidsInSubNet: more uids than neurons on the subnet")]
    UidsLengthExceedUidsInSubNet,
    #[error("HotKeyNotRegisteredInSubNet: the hotkey has no UID on this subnet")]
    HotKeyNotRegisteredInSubNet,
    #[error("NotEnoughStakeToSetWeights: the hotkey's stake is below the stake threshold")]
    NotEnoughStakeToSetWeights,
    #[error("IncorrectWeightVersionKey: the version key is older than the subnet's")]
    IncorrectWeightVersionKey,
    #[error("SettingWeightsTooFast: the weights rate limit has not elapsed")]
    SettingWeightsTooFast,
    #[error("NeuronNoValidatorPermit: only validators may set weights on other neurons")]
    NeuronNoValidatorPermit,
    #[error("DuplicateUids: a uid appears twice")]
    DuplicateUids,
    #[error("UidVecContainInvalidOne: a uid does not exist on the subnet")]
    UidVecContainInvalidOne,
    #[error("WeightVecLengthIsLow: fewer weights than min_allowed_weights")]
    WeightVecLengthIsLow,
    #[error("MaxWeightExceeded: a normalised weight is above max_weight_limit")]
    MaxWeightExceeded,
    #[error("HotKeyAlreadyRegisteredInSubNet: the hotkey already has a UID on this subnet")]
    HotKeyAlreadyRegisteredInSubNet,
    #[error("SubNetRegistrationDisabled: registration is off on this subnet")]
    SubNetRegistrationDisabled,
    #[error("NotEnoughBalanceToStake: the coldkey's free balance is too low")]
    NotEnoughBalanceToStake,
    #[error("NonAssociatedColdKey: the hotkey belongs to another coldkey")]
    NonAssociatedColdKey,
    #[error("NoNeuronIdAvailable: the subnet is full and no neuron can be pruned")]
    NoNeuronIdAvailable,
    #[error("HotKeyAccountNotExists: the hotkey is not known to the chain")]
    HotKeyAccountNotExists,
    #[error("NotEnoughStakeToWithdraw: the stake is lower than the amount to remove")]
    NotEnoughStakeToWithdraw,
    #[error("AmountTooLow: the amount is below the minimum stake")]
    AmountTooLow,
    #[error("SubtokenDisabled: the subnet's owner has not started it (start_call)")]
    SubtokenDisabled,
    #[error("FirstEmissionBlockNumberAlreadySet: the subnet is already started")]
    FirstEmissionBlockNumberAlreadySet,
    #[error("BadOrigin: only the subnet owner or sudo may do this")]
    BadOrigin,
    #[error("HotKeyNotRegisteredInNetwork: the hotkey has no UID on this subnet")]
    HotKeyNotRegisteredInNetwork,
    #[error("ServingRateLimitExceeded: the axon was served too recently")]
    ServingRateLimitExceeded,
    #[error("InvalidIpType: ip_type must be 4 or 6")]
    InvalidIpType,
    #[error("InvalidIpAddress: the address cannot be served (out of range, or localhost)")]
    InvalidIpAddress,
    #[error("InvalidPort: port 0 cannot be served")]
    InvalidPort,
    #[error("CommitRevealDisabled: commit-reveal is off on this subnet")]
    CommitRevealDisabled,
    #[error("CommitRevealEnabled: set_weights is not allowed while commit-reveal is on")]
    CommitRevealEnabled,
    #[error("CommittingWeightsTooFast: the weights rate limit has not elapsed since the last commit")]
    CommittingWeightsTooFast,
    #[error("TooManyUnrevealedCommits: at most 10 commits may wait for reveal")]
    TooManyUnrevealedCommits,
    #[error("NoWeightsCommitFound: no commit to reveal")]
    NoWeightsCommitFound,
    #[error("InvalidRevealCommitHashNotMatch: no commit has the hash of these weights")]
    InvalidRevealCommitHashNotMatch,
    #[error("RevealTooEarly: the reveal period has not started")]
    RevealTooEarly,
    #[error("ExpiredWeightCommit: the commit's reveal period is over")]
    ExpiredWeightCommit,
    #[error("InvalidValue: a hyperparameter value is out of range")]
    InvalidValue,

    // Errors a remote chain adds (chain::subtensor).
    /// A dispatch error this client has no variant for, by the names the runtime
    /// metadata gives (e.g. `SubtensorModule::SubtokenDisabled`).
    #[error("{pallet}::{error}: refused by the chain")]
    Module { pallet: String, error: String },
    /// The transaction pool refused the extrinsic before dispatch (bad signature,
    /// stale nonce, ...), with the node's message.
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
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
