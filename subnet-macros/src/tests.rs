//! In-process tests of what `#[subnet]` reports for wrong input: each message and the
//! author's code its span covers (FRAME's `assert_pallet_parse_error!`), far faster
//! than compiling a crate per case. `subnet-core/tests/ui` keeps a few cases that prove
//! the spans reach rustc's output, and those whose errors come from rustc itself.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use crate::parse::Marker;

/// Every error `#[subnet(attr)]` on `item` reports: its message, and the source text
/// its span covers ("" for the macro's own call site).
fn errors(attr: &str, item: &str) -> Vec<(String, String)> {
    let attr: TokenStream = attr.parse().expect("attribute tokens");
    let item: TokenStream = item.parse().expect("item tokens");
    let Err(failed) = crate::define(attr, item) else { panic!("expected errors, the subnet is valid") };
    failed.errors.into_iter().map(|e| (e.to_string(), e.span().source_text().unwrap_or_default())).collect()
}

/// `assert_subnet_errors!(attr, item, [(message, span text), …])`.
macro_rules! assert_subnet_errors {
    ($attr:expr, $item:expr, [$(($message:expr, $at:expr)),* $(,)?]) => {
        assert_eq!(errors($attr, $item), vec![$(($message.to_string(), $at.to_string())),*]);
    };
}

/// A valid subnet around `body`: the lines a case does not replace.
fn module(body: &str) -> String {
    format!("mod s {{ use super::*; {body} }}")
}

const TASK: &str = "#[task] pub struct Add { pub a: i64 } #[answer] pub struct Total { pub value: i64 }";
const CHALLENGE: &str = "#[challenge] fn make(_rng: &mut Rng) -> Add { Add { a: 1 } }";
const MINER: &str = "#[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a }) }";
const SCORE: &str = "#[score] fn score(_t: &Add, _a: &Total) -> f64 { 1.0 }";
const INCENTIVE: &str = "#[incentive] const M: Incentive = Incentive::moving_average(0.1);";
const ARGS: &str = "name = \"s\", version = 1";

const SCORE_USAGE: &str = "a #[score] function is `fn score(task: &MyTask, answer: &MyAnswer) -> f64` (optionally a third argument, \
                           `&MinerContext`), scores a streamed answer: `fn score(task: &MyTask, chunks: &[MyChunk]) -> f64`, \
                           or scores a round: `fn rank(task: &MyTask, answers: &[Answered<MyAnswer>]) -> Vec<f64>`";

#[test]
fn a_valid_subnet_has_no_error() {
    let item = module(&[TASK, CHALLENGE, MINER, SCORE, INCENTIVE].join(" "));
    assert!(crate::define(ARGS.parse().unwrap(), item.parse().unwrap()).is_ok());
}

#[test]
fn errors_are_collected_with_spans() {
    let item = "mod bad {
        #[task] pub struct Add { pub a: i64 }
        #[answer] pub struct Total { pub value: i64 }
        #[miner] fn solve(task: Add) -> Result<Total> { todo!() }
        #[miner] async fn again(task: Add) -> Result<Total> { todo!() }
    }";
    assert_subnet_errors!(
        ARGS,
        item,
        [
            ("a #[miner] function must be `async fn`", "fn"),
            ("task `Add` already has a miner, `solve`: one miner per task", "again"),
            ("task `Add` has no #[score] function", "Add"),
            ("task `Add` has no #[challenge] function", "Add"),
            ("a subnet declares its incentive mechanism: `#[incentive] const MECHANISM: Incentive = …;`", "bad"),
        ]
    );
}

#[test]
fn bad_arguments() {
    assert_subnet_errors!(
        "nme = \"s\", version = \"one\"",
        &module(&[TASK, CHALLENGE, MINER, SCORE, INCENTIVE].join(" ")),
        [("unknown argument: #[subnet] takes `name` and `version`", "nme"), ("version is an integer: `version = 1`", "\"one\""),]
    );
}

#[test]
fn missing_arguments() {
    let item = module(&[TASK, CHALLENGE, MINER, SCORE, INCENTIVE].join(" "));
    assert_subnet_errors!("version = 1", &item, [("#[subnet] needs a name: `#[subnet(name = \"my-subnet\", version = 1)]`", "")]);
    assert_subnet_errors!("name = \"s\"", &item, [("#[subnet] needs a version: `#[subnet(name = \"my-subnet\", version = 1)]`", "")]);
    assert_subnet_errors!("name", &item, [("expected `name = \"…\"` or `version = N`", "name")]);
}

#[test]
fn not_a_module() {
    assert_subnet_errors!(ARGS, "struct S;", [("#[subnet] goes on a module: `mod my_subnet { … }`", "struct")]);
    assert_subnet_errors!(ARGS, "mod s;", [("#[subnet] needs the module's items inline: `mod my_subnet { … }`", "mod s;")]);
}

#[test]
fn access_on_a_function() {
    let access = "#[access] fn rules() -> AccessRules { AccessRules::validators_only() }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, SCORE, INCENTIVE, access].join(" ")),
        [("#[access] goes on a const: `const ACCESS: AccessRules = AccessRules::validators_only();`", "#[access]")]
    );
}

#[test]
fn markers_on_the_wrong_item() {
    let items = "#[task] fn t() {} #[miner] struct M; #[incentive] static I: u8 = 0;";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, SCORE, INCENTIVE, items].join(" ")),
        [
            ("#[task] goes on a struct or an enum", "#[task]"),
            ("#[miner] goes on a function", "#[miner]"),
            ("#[incentive] goes on a const: `const MECHANISM: Incentive = Incentive::moving_average(0.1);`", "#[incentive]"),
        ]
    );
}

#[test]
fn missing_score() {
    assert_subnet_errors!(ARGS, &module(&[TASK, CHALLENGE, MINER, INCENTIVE].join(" ")), [("task `Add` has no #[score] function", "Add")]);
}

#[test]
fn no_task_and_two_incentives() {
    let item = module(&[CHALLENGE, INCENTIVE, "#[incentive] const N: Incentive = Incentive::moving_average(0.2);"].join(" "));
    assert_subnet_errors!(
        ARGS,
        &item,
        [
            ("a #[challenge] function returns a #[task] type", "-> Add"),
            ("a subnet declares at least one #[task] type", "s"),
            ("only one #[incentive] per subnet", "N"),
        ]
    );
}

#[test]
fn sync_miner() {
    let miner = "#[miner] fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a }) }";
    assert_subnet_errors!(ARGS, &module(&[TASK, CHALLENGE, miner, SCORE, INCENTIVE].join(" ")), [("a #[miner] function must be `async fn`", "fn")]);
}

#[test]
fn two_miners() {
    let again = "#[miner] async fn solve_again(task: Add) -> Result<Total> { Ok(Total { value: task.a }) }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, again, SCORE, INCENTIVE].join(" ")),
        [("task `Add` already has a miner, `solve`: one miner per task", "solve_again")]
    );
}

#[test]
fn bad_miner_arguments() {
    let miner = "#[miner] async fn solve(&self, n: u8) -> Result<Total> { todo!() }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, miner, SCORE, INCENTIVE].join(" ")),
        [
            ("a #[miner] function is a free function, without `self`", "&self"),
            (
                "a #[miner] argument is the #[task] (by value), `&` the #[miner_state] type, `&RequestContext`, \
             or `Chunks<A>` (A an #[answer] type) to stream the answer",
                "u8"
            ),
            ("a #[miner] function takes one #[task] argument: `async fn solve(task: MyTask)`", "&self, n: u8"),
            ("task `Add` has no #[miner] function", "Add"),
        ]
    );
}

#[test]
fn streaming_miner_returns_an_answer() {
    let item = "mod s {
        #[task] pub struct Prompt { pub text: String }
        #[answer] pub struct Token { pub text: String }
        #[challenge] fn make(_rng: &mut Rng) -> Prompt { Prompt { text: \"hi\".into() } }
        #[miner] async fn generate(task: Prompt, out: Chunks<Token>) -> Result<Token> { Ok(Token { text: task.text }) }
        #[score] fn score(_t: &Prompt, _a: &[Token]) -> f64 { 1.0 }
        #[incentive] const M: Incentive = Incentive::moving_average(0.1);
    }";
    assert_subnet_errors!(
        ARGS,
        item,
        [
            ("a streaming #[miner] takes one `Chunks<A>` and returns `Result<()>`", "-> Result<Token>"),
            ("task `Prompt` has no #[miner] function", "Prompt"),
        ]
    );
}

#[test]
fn streamed_answer_scored_whole() {
    let item = "mod s {
        #[task] pub struct Prompt { pub text: String }
        #[answer] pub struct Token { pub text: String }
        #[challenge] fn make(_rng: &mut Rng) -> Prompt { Prompt { text: \"hi\".into() } }
        #[miner] async fn generate(task: Prompt, out: Chunks<Token>) -> Result<()> { Ok(()) }
        #[score] fn score(_t: &Prompt, _a: &Token) -> f64 { 1.0 }
        #[incentive] const M: Incentive = Incentive::moving_average(0.1);
    }";
    assert_subnet_errors!(
        ARGS,
        item,
        [("`generate` streams its answer: score the chunks, `fn score(task: &Prompt, chunks: &[Token]) -> f64`", "score")]
    );
}

#[test]
fn chunks_scored_for_a_whole_answer() {
    let score = "#[score] fn score(_t: &Add, _a: &[Total]) -> f64 { 1.0 }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, score, INCENTIVE].join(" ")),
        [("`score` scores chunks, but `solve` does not stream: take `&Total`, or stream with `Chunks<Total>`", "score")]
    );
}

#[test]
fn score_of_another_answer() {
    let other = "#[answer] pub struct Other { pub value: i64 } #[score] fn score(_t: &Add, _a: &Other) -> f64 { 1.0 }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, other, INCENTIVE].join(" ")),
        [("`solve` answers task `Add` with `Total`, not `Other`", "Other")]
    );
}

#[test]
fn wrong_round_score() {
    let score = "#[score] fn rank(_t: &Add, answers: &[Answered<Total>]) -> f64 { answers.len() as f64 }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, score, INCENTIVE].join(" ")),
        [(SCORE_USAGE, "fn rank(_t: &Add, answers: &[Answered<Total>]) -> f64"), ("task `Add` has no #[score] function", "Add"),]
    );
}

#[test]
fn wrong_score_signature() {
    let score = "#[score] fn score(_t: Add, _a: &Total) -> bool { true }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, score, INCENTIVE].join(" ")),
        [(SCORE_USAGE, "fn score(_t: Add, _a: &Total) -> bool"), ("task `Add` has no #[score] function", "Add"),]
    );
}

#[test]
fn two_scores_for_a_task() {
    let again = "#[score] fn again(_t: &Add, _a: &Total) -> f64 { 0.0 }";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, SCORE, again, INCENTIVE].join(" ")),
        [("task `Add` already has a #[score] function", "again")]
    );
}

#[test]
fn bad_challenge_and_states() {
    let items = "pub struct Data; \
                 #[validator_state] fn load(n: u8) -> Data { Data } \
                 #[miner_state] fn a() -> Data { Data } #[miner_state] fn b() -> Data { Data } \
                 #[challenge] fn other(data: &mut Data) -> Add { Add { a: 1 } } \
                 #[access] const A: AccessRules = AccessRules::validators_only(); \
                 #[access] const B: AccessRules = AccessRules::validators_only();";
    assert_subnet_errors!(
        ARGS,
        &module(&[TASK, CHALLENGE, MINER, SCORE, INCENTIVE, items].join(" ")),
        [
            ("a #[validator_state] function is `fn load() -> MyState`, called once at start-up", "fn load(n: u8) -> Data"),
            ("a #[challenge] argument is `&mut Rng` or `&mut` the #[validator_state] type", "data: &mut Data"),
            ("only one #[miner_state] per subnet", "b"),
            ("only one #[access] per subnet", "B"),
        ]
    );
}

#[test]
fn markers_are_a_typed_grammar() {
    let marker = |tokens: TokenStream| syn::parse2::<Marker>(tokens).map_err(|e| e.to_string());
    assert_eq!(marker(quote!(validator_state)), Ok(Marker::ValidatorState));
    let unknown = marker(quote!(tsak)).expect_err("not a marker");
    for expected in ["`task`", "`answer`", "`miner`", "`challenge`", "`score`", "`incentive`", "`access`", "`miner_state`"] {
        assert!(unknown.contains(expected), "{unknown}");
    }
}

#[test]
fn other_attributes_stay_on_their_items() {
    let item = "mod s {
        /// The task.
        #[task] #[derive(Debug)] pub struct Add { pub a: i64 }
        #[answer] pub struct Total { pub value: i64 }
        #[challenge] fn make(_rng: &mut Rng) -> Add { Add { a: 1 } }
        #[allow(clippy::unused_async)] #[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a }) }
        #[score] fn score(_t: &Add, _a: &Total) -> f64 { 1.0 }
        #[incentive] const M: Incentive = Incentive::moving_average(0.1);
    }";
    let Ok(def) = crate::define(ARGS.parse().unwrap(), item.parse().unwrap()) else { panic!("valid subnet") };
    let module = def.module.into_token_stream().to_string();
    for kept in ["doc = \" The task.\"", "derive (Debug)", "allow (clippy :: unused_async)"] {
        assert!(module.contains(kept), "{kept} in {module}");
    }
    for marker in ["# [task]", "# [miner]", "# [score]", "# [incentive]"] {
        assert!(!module.contains(marker), "{marker} in {module}");
    }
}

#[test]
fn on_errors_the_module_still_comes_out() {
    let item = module(&[TASK, CHALLENGE, MINER, INCENTIVE].join(" "));
    let Err(failed) = crate::define(ARGS.parse().unwrap(), item.parse().unwrap()) else { panic!("no score") };
    let out = crate::expand::module_with_errors(failed.authored, failed.errors).to_string();
    assert!(out.contains("async fn solve"), "{out}");
    // Still serde-able: code using the types as the framework does gets no follow-on error.
    assert!(out.contains("serde :: Serialize"), "{out}");
    assert!(!out.contains("# [miner]"), "{out}");
    assert!(out.contains("compile_error"), "{out}");
}
