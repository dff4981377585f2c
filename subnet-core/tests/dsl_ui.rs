//! Misusing `#[subnet]` is a compile error that points at the author's code.
//! The expected messages live next to each case in `tests/ui/*.stderr`.

#[test]
fn dsl_misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
