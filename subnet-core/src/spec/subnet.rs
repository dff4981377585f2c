//! [`SubnetSpec`]: what every subnet declares (name, version, miner, judge, incentive
//! mechanism, access rules, protocol); `#[subnet]` generates its implementation.

use super::{AccessRules, JudgeSpec, MinerSpec, Protocol};
use crate::incentive::Incentive;

/// What every subnet declares.
pub trait SubnetSpec {
    /// The subnet's name, used in logs, the protocol description and the CLI.
    const NAME: &'static str;
    /// The protocol version, submitted as the weights version key.
    const VERSION: u64;
    /// The miner side `#[subnet]` generates from the `#[miner]` functions.
    type Miner: MinerSpec + 'static;
    /// The validator side `#[subnet]` generates from the `#[judge]` functions.
    type Judge: JudgeSpec + 'static;
    /// How scores become weights (`#[incentive]`, or the default).
    fn mechanism() -> Incentive;
    /// Who the miners serve, and how much (blacklist, rate limit, concurrency).
    fn access() -> AccessRules;
    /// The wire protocol, described for clients in other languages.
    fn protocol() -> Protocol;
    /// A miner, its `#[miner_state]` built (once, at start-up).
    fn miner() -> Self::Miner;
    /// A validator's judge, its `#[validator_state]` built.
    fn judge() -> Self::Judge;
}
