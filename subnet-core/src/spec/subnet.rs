//! [`SubnetSpec`]: what every subnet declares (name, version, miner, judge, incentive
//! mechanism, access rules, protocol); `#[subnet]` generates its implementation.

use super::{AccessRules, JudgeSpec, MinerSpec, Protocol};
use crate::incentive::Incentive;

/// What every subnet declares.
pub trait SubnetSpec {
    const NAME: &'static str;
    /// The protocol version, submitted as the weights version key.
    const VERSION: u64;
    type Miner: MinerSpec + 'static;
    type Judge: JudgeSpec + 'static;
    fn mechanism() -> Incentive;
    /// Who the miners serve, and how much (blacklist, rate limit, concurrency).
    fn access() -> AccessRules;
    fn protocol() -> Protocol;
    /// A miner, its `#[miner_state]` built (once, at start-up).
    fn miner() -> Self::Miner;
    /// A validator's judge, its `#[validator_state]` built.
    fn judge() -> Self::Judge;
}
