/// Errors with the names Subtensor gives them (`pallets/subtensor/src/macros/errors.rs`),
/// so a message from the local chain reads the same as one from the real network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
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
}
