//! Why a miner's server refused or failed a request, as a typed gRPC status.
//!
//! Each refusal has a gRPC code and a stable reason token, sent in the `subnet-reject`
//! response metadata so clients (in any language) can tell them apart without parsing
//! messages:
//!
//! | reason | code | when |
//! |---|---|---|
//! | `tls_required` | UNAUTHENTICATED | a plaintext connection, to a miner that serves TLS sessions only |
//! | `client_certificate_required` | UNAUTHENTICATED | TLS without a client certificate, to a miner that serves sessions only |
//! | `missing_metadata` | INVALID_ARGUMENT | a session request without `subnet-netuid` / `subnet-version` |
//! | `missing_header`, `malformed_header` | UNAUTHENTICATED | signed mode: no or unreadable `subnet-auth-bin` |
//! | `bad_signature`, `body_hash_mismatch` | UNAUTHENTICATED | the proof does not hold |
//! | `stale_nonce`, `replay` | UNAUTHENTICATED | outside the clock window, or seen before |
//! | `wrong_target`, `wrong_subnet` | FAILED_PRECONDITION | addressed to another hotkey or subnet |
//! | `incompatible_version` | FAILED_PRECONDITION | the subnet's protocol version differs |
//! | `protocol_mismatch` | FAILED_PRECONDITION | the caller names another protocol fingerprint (`subnet-protocol`) |
//! | `not_registered`, `no_validator_permit`, `stake_too_low`, `blacklisted` | PERMISSION_DENIED | the blacklist policy |
//! | `rate_limited` | RESOURCE_EXHAUSTED | the caller's token bucket is empty |
//! | `overloaded` | UNAVAILABLE | the server is saturated and the caller's stake too low to queue |
//! | `bad_request`, `unknown_task` | INVALID_ARGUMENT, UNIMPLEMENTED | the miner could not read the task |
//! | `miner_failed`, `handler_panicked` | INTERNAL | the handler returned an error or panicked |
//! | `handler_timeout` | DEADLINE_EXCEEDED | the handler overran its deadline |
//!
//! An oversized message is refused by tonic itself with OUT_OF_RANGE before decoding.

use tonic::metadata::MetadataValue;
use tonic::{Code, Status};

use super::auth::AuthError;
use crate::spec::HandleError;

/// The response metadata key carrying the reason token.
pub const REJECT_METADATA: &str = "subnet-reject";

/// Why a miner's server refused or failed a request; becomes a gRPC status carrying a
/// reason token (see the module table).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Rejection {
    /// A plaintext connection, and this miner serves TLS sessions only.
    #[error("this miner serves TLS only: connect with TLS and a hotkey certificate")]
    TlsRequired,
    /// A TLS connection without a client certificate, and this miner does not accept
    /// signed requests instead.
    #[error("present a hotkey certificate in the TLS handshake: this miner does not accept per-request signatures")]
    ClientCertificateRequired,
    /// A session request lacks a metadata entry (its key), or it is not a number.
    #[error("the request lacks a valid `{0}` metadata entry")]
    MissingMetadata(&'static str),
    /// The request has no `subnet-auth-bin` header.
    #[error("the request carries no signed header")]
    MissingHeader,
    /// The signed header failed a check.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The caller's hotkey is not registered on the subnet (access rule).
    #[error("the caller is not registered on this subnet")]
    NotRegistered,
    /// The caller has no validator permit (access rule).
    #[error("the caller has no validator permit")]
    NoValidatorPermit,
    /// The caller's stake is below the access rule's minimum.
    #[error("the caller's stake {stake} is below the minimum {min}")]
    StakeTooLow {
        /// The caller's stake on the subnet, rao.
        stake: u64,
        /// The minimum the access rules ask, rao.
        min: u64,
    },
    /// The operator denied this hotkey.
    #[error("the caller is blacklisted")]
    Blacklisted,
    /// The caller was built from another protocol description of the subnet.
    #[error(
        "this miner speaks protocol {ours} of the subnet and the caller {theirs}: one side runs an outdated build \
         (a Python miner: regenerate its protocol module with the subnet's `cargo xtask python`)"
    )]
    ProtocolMismatch {
        /// The miner's fingerprint.
        ours: String,
        /// The caller's.
        theirs: String,
    },
    /// The caller is over its per-second rate limit.
    #[error("too many requests from this caller")]
    RateLimited,
    /// Every slot is busy and the queue is full of callers with more stake (or a caller
    /// with more stake took this one's place in the queue).
    #[error("the miner is saturated")]
    Overloaded,
    /// The miner's handler returned an error.
    #[error(transparent)]
    Handler(#[from] HandleError),
    /// The miner's handler panicked.
    #[error("the handler panicked")]
    HandlerPanicked,
    /// The handler ran past its timeout (milliseconds allowed).
    #[error("the handler did not answer within {0} ms")]
    HandlerTimeout(u64),
}

impl Rejection {
    /// The stable reason token (see the module table).
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::TlsRequired => "tls_required",
            Rejection::ClientCertificateRequired => "client_certificate_required",
            Rejection::MissingMetadata(_) => "missing_metadata",
            Rejection::MissingHeader => "missing_header",
            Rejection::Auth(a) => match a {
                AuthError::Malformed(_) => "malformed_header",
                AuthError::WrongTarget => "wrong_target",
                AuthError::IncompatibleVersion { .. } => "incompatible_version",
                AuthError::WrongSubnet { .. } => "wrong_subnet",
                AuthError::StaleNonce { .. } => "stale_nonce",
                AuthError::BodyHashMismatch => "body_hash_mismatch",
                AuthError::BadSignature => "bad_signature",
                AuthError::Replay => "replay",
            },
            Rejection::NotRegistered => "not_registered",
            Rejection::NoValidatorPermit => "no_validator_permit",
            Rejection::StakeTooLow { .. } => "stake_too_low",
            Rejection::Blacklisted => "blacklisted",
            Rejection::ProtocolMismatch { .. } => "protocol_mismatch",
            Rejection::RateLimited => "rate_limited",
            Rejection::Overloaded => "overloaded",
            Rejection::Handler(h) => match h {
                HandleError::BadRequest(_) => "bad_request",
                HandleError::UnknownTask(_) => "unknown_task",
                HandleError::Miner(_) | HandleError::Encode(_) => "miner_failed",
            },
            Rejection::HandlerPanicked => "handler_panicked",
            Rejection::HandlerTimeout(_) => "handler_timeout",
        }
    }

    /// The gRPC status code the client sees (see the module table).
    pub fn code(&self) -> Code {
        match self {
            Rejection::MissingHeader | Rejection::TlsRequired | Rejection::ClientCertificateRequired => Code::Unauthenticated,
            Rejection::MissingMetadata(_) => Code::InvalidArgument,
            Rejection::Auth(a) => match a {
                AuthError::WrongTarget | AuthError::IncompatibleVersion { .. } | AuthError::WrongSubnet { .. } => Code::FailedPrecondition,
                _ => Code::Unauthenticated,
            },
            Rejection::NotRegistered | Rejection::NoValidatorPermit | Rejection::StakeTooLow { .. } | Rejection::Blacklisted => {
                Code::PermissionDenied
            }
            Rejection::ProtocolMismatch { .. } => Code::FailedPrecondition,
            Rejection::RateLimited => Code::ResourceExhausted,
            Rejection::Overloaded => Code::Unavailable,
            Rejection::Handler(HandleError::BadRequest(_)) => Code::InvalidArgument,
            Rejection::Handler(HandleError::UnknownTask(_)) => Code::Unimplemented,
            Rejection::Handler(_) | Rejection::HandlerPanicked => Code::Internal,
            Rejection::HandlerTimeout(_) => Code::DeadlineExceeded,
        }
    }

    /// The gRPC status sent to the caller: code, message, and the reason token in
    /// `subnet-reject` metadata.
    pub fn into_status(self) -> Status {
        let mut status = Status::new(self.code(), self.to_string());
        status.metadata_mut().insert(REJECT_METADATA, MetadataValue::from_static(self.reason()));
        status
    }
}

/// The reason token of a status from a miner, when it carries one.
pub fn reason_of(status: &Status) -> Option<&str> {
    status.metadata().get(REJECT_METADATA).and_then(|v| v.to_str().ok())
}
