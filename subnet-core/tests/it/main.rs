//! subnet-core's integration tests in one binary (each test binary links the whole
//! library again): a module per area, shared helpers in `support`.

// A test binary exports nothing: `pub` in these modules (and in the code `#[subnet]`
// generates for them) is reachable only inside it.
#![allow(unreachable_pub)]

mod chain_conformance;
mod chain_handle;
mod cli;
mod dsl_state;
mod dsl_ui;
mod economy;
mod example_scenarios;
mod finney_metadata;
mod keys_wallet;
mod local_chain;
mod local_chain_fuzz;
mod local_timelock;
mod mechanisms;
mod miner_serve;
mod net_tls;
mod net_transport;
mod node_calls;
mod node_runtime_api;
mod round_scoring;
mod runtime_upgrade;
mod served_node;
mod streaming;
mod subtensor_scenarios;
mod support;
mod validator_loop;
mod yuma_regression;
