//! The exceptions a Python author meets, one class per kind of failure, all under
//! `SubnetError`; the message names what was wrong, as the Rust error does.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use subnet_core::net::CallError as RustCallError;

create_exception!(subnet_core, SubnetError, PyException, "Any failure of the subnet framework.");
create_exception!(subnet_core, WalletError, SubnetError, "A wallet or key file could not be read or decrypted (a wrong password, say).");
create_exception!(subnet_core, ChainError, SubnetError, "The chain could not be reached, or refused a call.");
create_exception!(subnet_core, MinerError, SubnetError, "The miner could not start (not registered, the port taken).");
create_exception!(
    subnet_core,
    ProtocolMismatch,
    SubnetError,
    "The Python protocol module does not match the subnet (regenerate it with `cargo xtask python`)."
);
create_exception!(subnet_core, CallError, SubnetError, "A query to a miner gave no answer.");
create_exception!(subnet_core, Timeout, CallError, "The miner did not answer in time.");
create_exception!(subnet_core, Refused, CallError, "The miner refused the request, or its handler failed (the reason is in the message).");
create_exception!(subnet_core, Unreachable, CallError, "The miner's address could not be reached, or it did not prove its hotkey.");
create_exception!(subnet_core, BadAnswer, CallError, "The miner's answer could not be read.");

/// Add the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SubnetError", py.get_type::<SubnetError>())?;
    m.add("WalletError", py.get_type::<WalletError>())?;
    m.add("ChainError", py.get_type::<ChainError>())?;
    m.add("MinerError", py.get_type::<MinerError>())?;
    m.add("ProtocolMismatch", py.get_type::<ProtocolMismatch>())?;
    m.add("CallError", py.get_type::<CallError>())?;
    m.add("Timeout", py.get_type::<Timeout>())?;
    m.add("Refused", py.get_type::<Refused>())?;
    m.add("Unreachable", py.get_type::<Unreachable>())?;
    m.add("BadAnswer", py.get_type::<BadAnswer>())?;
    Ok(())
}

/// The Python exception for a failed call.
pub(crate) fn call_error(e: RustCallError) -> PyErr {
    let message = e.to_string();
    match e {
        RustCallError::Timeout(_) => Timeout::new_err(message),
        RustCallError::Refused { .. } => Refused::new_err(message),
        RustCallError::Unreachable(_) => Unreachable::new_err(message),
        RustCallError::BadAnswer(_) => BadAnswer::new_err(message),
    }
}
