//! {{subnet_name}}'s scoring and mechanism, pinned: review changes with `cargo insta review`.

use {{crate_name}}::{{crate_name}}::{Prompt, Subnet, Token};
use {{crate_name}}::reference;
use subnet_core::testing::ScoringTable;

fn tokens(words: &[String]) -> Vec<Token> {
    words.iter().map(|w| Token { text: w.clone() }).collect()
}

#[test]
fn scoring_and_incentive() {
    let prompt = Prompt { text: "the".into(), max_tokens: 6 };
    let right = reference().continue_text("the", 6);
    let mut half = right.clone();
    half.truncate(3);
    let mut padded = right.clone();
    padded.extend(["and".to_string(), "more".to_string()]);
    let table = ScoringTable::<Subnet>::new()
        .case("reference", "Prompt", &prompt, &tokens(&right))
        .case("half", "Prompt", &prompt, &tokens(&half))
        .case("rambling", "Prompt", &prompt, &tokens(&padded))
        .case("silent", "Prompt", &prompt, &tokens(&[]))
        .raw_case("garbage", "Prompt", &prompt, br#"[{"text":1}]"#)
        .render(3);
    insta::assert_snapshot!(table);
}
