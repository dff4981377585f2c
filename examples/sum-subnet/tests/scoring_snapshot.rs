//! The sum subnet's scoring and mechanism, pinned: review changes with `cargo insta review`.

use subnet_core::testing::ScoringTable;
use sum_subnet::sum::{Add, Subnet, Total};

#[test]
fn scoring_and_incentive() {
    let task = Add { a: 20, b: 22 };
    let table = ScoringTable::<Subnet>::new()
        .case("always-right", "Add", &task, &Total { value: 42 })
        .case("always-right", "Add", &Add { a: -5, b: 5 }, &Total { value: 0 })
        .case("half-right", "Add", &task, &Total { value: 42 })
        .case("half-right", "Add", &Add { a: -5, b: 5 }, &Total { value: 1 })
        .case("always-wrong", "Add", &task, &Total { value: 41 })
        .raw_case("garbage", "Add", &task, b"not json")
        .render(3);
    insta::assert_snapshot!(table);
}
