//! The pow subnet's scoring and mechanism, pinned: review changes with `cargo insta review`.

use pow_subnet::pow_subnet::{Puzzle, Solution, Subnet};
use pow_subnet::work;
use subnet_core::testing::ScoringTable;

#[test]
fn scoring_and_incentive() {
    let puzzle = Puzzle { challenge: [42; 32], difficulty: 8 };
    let good = (0..).find(|n| work(&puzzle.challenge, *n) >= 8).unwrap();
    let bad = (0..).find(|n| work(&puzzle.challenge, *n) < 8).unwrap();
    let impossible = Puzzle { challenge: [42; 32], difficulty: 200 };
    let table = ScoringTable::<Subnet>::new()
        .case("solver", "Puzzle", &puzzle, &Solution { nonce: good })
        .case("cheater", "Puzzle", &puzzle, &Solution { nonce: bad })
        .case("half", "Puzzle", &puzzle, &Solution { nonce: good })
        .case("half", "Puzzle", &puzzle, &Solution { nonce: bad })
        .case("overflow", "Puzzle", &impossible, &Solution { nonce: good })
        .raw_case("garbage", "Puzzle", &puzzle, br#"{"nonce":"x"}"#)
        .render(3);
    insta::assert_snapshot!(table);
}
