//! {{subnet_name}}'s scoring and mechanism, pinned: review changes with `cargo insta review`.

use subnet_core::testing::ScoringTable;
use {{crate_name}}::{{crate_name}}::{Answer, Square, Subnet};

#[test]
fn scoring_and_incentive() {
    let table = ScoringTable::<Subnet>::new()
        .case("always-right", "Square", &Square { x: 12 }, &Answer { y: 144 })
        .case("always-right", "Square", &Square { x: -3 }, &Answer { y: 9 })
        .case("half-right", "Square", &Square { x: 12 }, &Answer { y: 144 })
        .case("half-right", "Square", &Square { x: -3 }, &Answer { y: -9 })
        .case("always-wrong", "Square", &Square { x: 12 }, &Answer { y: 24 })
        .raw_case("garbage", "Square", &Square { x: 12 }, b"not json")
        .render(3);
    insta::assert_snapshot!(table);
}
