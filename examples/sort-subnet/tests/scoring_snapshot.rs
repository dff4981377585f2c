//! The sort subnet's scoring and mechanism, pinned: review changes with `cargo insta review`.

use sort_subnet::sort::{Sorted, Subnet, Unsorted};
use subnet_core::testing::ScoringTable;

#[test]
fn scoring_and_incentive() {
    let task = Unsorted { items: vec![5, -2, 9, 0, 3] };
    let table = ScoringTable::<Subnet>::new()
        .case("sorter", "Unsorted", &task, &Sorted { items: vec![-2, 0, 3, 5, 9] })
        .case("almost", "Unsorted", &task, &Sorted { items: vec![-2, 3, 0, 5, 9] })
        .case("lazy", "Unsorted", &task, &Sorted { items: vec![5, -2, 9, 0, 3] })
        .case("cheater", "Unsorted", &task, &Sorted { items: vec![1, 2, 3, 4, 5] })
        .raw_case("garbage", "Unsorted", &task, b"[]")
        .render(3);
    insta::assert_snapshot!(table);
}
