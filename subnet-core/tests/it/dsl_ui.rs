//! Misusing `#[subnet]` is a compile error that points at the author's code.
//! The expected messages live next to each case in `tests/ui/*.stderr`.
//!
//! Few cases on purpose: each compiles a crate. They prove that the macro's spans
//! reach rustc's output (`bad_arguments`, `missing_score`,
//! `streaming_miner_returns_an_answer`), that the module emitted along with the errors
//! adds no follow-on error (`streamed_answer_scored_whole`: its miner still sends
//! serde-able chunks), and cover errors rustc itself reports on the generated code
//! (`non_serde_task`, `unknown_incentive_option`). Every message of the macro is
//! tested in-process, far faster, in `subnet-macros/src/tests.rs`.

#[test]
fn dsl_misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
