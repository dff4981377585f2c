//! `subnet_core._native`: the framework's Rust code for Python. The Python package
//! `subnet_core` (in `python/`) wraps it: typed tasks and answers, sync or async
//! handlers, the command line of a Python miner.
//!
//! Every call that waits on the network or the chain releases the GIL and runs on a
//! tokio runtime of Rust threads ([`runtime`]); Python handlers run on tokio's blocking
//! threads, each taking the GIL only while Python code runs.

mod chain;
mod client;
mod errors;
mod miner;
mod runtime;
mod wallet;

use pyo3::prelude::*;

/// The fingerprint of a protocol description (JSON), as the Rust subnet computes it.
#[pyfunction]
fn protocol_fingerprint(protocol_json: &str) -> PyResult<String> {
    subnet_core::spec::fingerprint_of_json(protocol_json)
        .map_err(|e| errors::ProtocolMismatch::new_err(format!("the protocol description is not JSON: {e}")))
}

/// The native half of the `subnet_core` Python package.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<wallet::Wallet>()?;
    m.add_class::<chain::Chain>()?;
    m.add_class::<miner::Miner>()?;
    m.add_class::<client::Client>()?;
    m.add_function(wrap_pyfunction!(chain::connect, m)?)?;
    m.add_function(wrap_pyfunction!(miner::serve, m)?)?;
    m.add_function(wrap_pyfunction!(miner::run_miner, m)?)?;
    m.add_function(wrap_pyfunction!(protocol_fingerprint, m)?)?;
    errors::register(m)
}
