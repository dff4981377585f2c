//! The one tokio runtime of the extension: Rust threads that run the transport and the
//! chain client while Python goes on (or waits with the GIL released).

use std::future::Future;
use std::sync::OnceLock;

use pyo3::prelude::*;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

/// The runtime, started on first use.
pub(crate) fn get() -> &'static tokio::runtime::Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("subnet-core").build().expect("the OS gives threads to a new runtime")
    })
}

/// Run `work` to completion with the GIL released.
pub(crate) fn block_on<F>(py: Python<'_>, work: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    py.detach(|| get().block_on(work))
}
