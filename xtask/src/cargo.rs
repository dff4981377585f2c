//! The nested `cargo` that xtask starts, with the environment `cargo run` injected
//! into xtask removed, so that nested builds see what a plain `cargo build` sees.
//!
//! `cargo run -p xtask` sets `CARGO_MANIFEST_DIR`, `CARGO_PKG_*` and friends for
//! xtask itself. Passed on, they reach build scripts: `ring`'s declares
//! `rerun-if-env-changed=CARGO_MANIFEST_DIR` (and reads `CARGO_PKG_*`), so it reran,
//! and `ring`, `rustls`, `jsonrpsee`, `subnet-core` and everything above them
//! rebuilt on every `cargo xtask test`, although nothing had changed.

use std::process::Command;

/// Variables `cargo run` (and `cargo test`) set for the program they start, not the
/// user's configuration: the user's own `CARGO_HOME`, `CARGO_TARGET_DIR`,
/// `CARGO_BUILD_*`, `CARGO_PROFILE_*`, `CARGO_TERM_*`, `RUSTFLAGS`, … stay.
const INJECTED: &[&str] = &[
    "CARGO",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "CARGO_MAKEFLAGS",
    "OUT_DIR",
];
/// Families of injected variables: package metadata, test binaries' paths, build
/// scripts' view of the target.
const INJECTED_PREFIXES: &[&str] = &["CARGO_PKG_", "CARGO_BIN_EXE_", "CARGO_CFG_", "CARGO_FEATURE_"];

/// Whether `cargo run` put this variable there for xtask (so it must not reach the
/// nested build).
fn injected(name: &str) -> bool {
    INJECTED.contains(&name) || INJECTED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// `cargo` (the one running xtask, else the one on `PATH`) with the injected
/// variables removed.
pub(crate) fn command() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    scrub(&mut cmd);
    cmd
}

/// Remove the injected variables from a program that runs cargo itself (maturin).
pub(crate) fn scrub(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(injected) {
            cmd.env_remove(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::injected;

    #[test]
    fn removes_what_cargo_run_injects_and_keeps_the_users_configuration() {
        for name in ["CARGO", "CARGO_MANIFEST_DIR", "CARGO_PKG_VERSION", "CARGO_PKG_NAME", "CARGO_CRATE_NAME", "CARGO_PRIMARY_PACKAGE"] {
            assert!(injected(name), "{name}");
        }
        for name in ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_BUILD_JOBS", "CARGO_PROFILE_DEV_OPT_LEVEL", "CARGO_TERM_COLOR", "RUSTFLAGS", "PATH"] {
            assert!(!injected(name), "{name}");
        }
    }
}
