//! Expansion snapshots: what `#[subnet]` generates for each kind of subnet.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand;

fn expand_str(attr: TokenStream, item: TokenStream) -> String {
    let Ok(def) = crate::define(attr, item) else { panic!("valid subnet") };
    let file: syn::File = syn::parse2(expand(&def)).expect("expansion parses");
    prettyplease::unparse(&file)
}

#[test]
fn sum_subnet_expansion() {
    let out = expand_str(
        quote!(name = "sum", version = 1),
        quote! {
            pub mod sum {
                use super::*;
                #[task] pub struct Add { pub a: i64, pub b: i64 }
                #[answer] pub struct Total { pub value: i64 }
                #[challenge] fn make(rng: &mut Rng) -> Add { Add { a: rng.gen_range(0..99), b: 1 } }
                #[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a + task.b }) }
                #[score] fn score(task: &Add, answer: &Total) -> f64 { (answer.value == task.a + task.b) as u8 as f64 }
                #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1).power(2.0);
            }
        },
    );
    insta::assert_snapshot!(out);
}

#[test]
fn stateful_subnet_expansion() {
    let out = expand_str(
        quote!(name = "lookup", version = 3),
        quote! {
            pub mod lookup {
                use super::*;
                pub struct Model { pub table: Vec<u64> }
                pub struct Dataset { pub next: u64 }
                #[task] pub struct Query { pub key: u64 }
                #[answer] pub struct Value { pub value: u64 }
                #[miner_state] fn load_model() -> Model { Model { table: vec![1, 2, 3] } }
                #[validator_state] fn load_dataset() -> Dataset { Dataset { next: 0 } }
                #[challenge] fn make(data: &mut Dataset, rng: &mut Rng) -> Query { data.next += 1; Query { key: data.next % 3 } }
                #[miner] async fn look_up(ctx: &RequestContext, model: &Model, task: Query) -> Result<Value> {
                    Ok(Value { value: model.table[task.key as usize] })
                }
                #[score] fn score(task: &Query, answer: &Value, miner: &MinerContext) -> f64 { 1.0 }
                #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
                #[access] const ACCESS: AccessRules = AccessRules::validators_only().min_stake_tao(1_000);
            }
        },
    );
    insta::assert_snapshot!(out);
}

#[test]
fn round_scored_subnet_expansion() {
    let out = expand_str(
        quote!(name = "guess", version = 2),
        quote! {
            pub mod guess {
                use super::*;
                #[task] pub struct Target { pub secret: u32 }
                #[answer] pub struct Guess { pub value: u32 }
                #[challenge] fn make(rng: &mut Rng) -> Target { Target { secret: rng.gen_range(0..100) } }
                #[miner] async fn guess(task: Target) -> Result<Guess> { Ok(Guess { value: task.secret }) }
                #[score] fn rank(task: &Target, answers: &[Answered<Guess>]) -> Vec<f64> {
                    answers.iter().map(|a| (a.answer.value == task.secret) as u8 as f64).collect()
                }
                #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
            }
        },
    );
    insta::assert_snapshot!(out);
}

#[test]
fn streamed_subnet_expansion() {
    let out = expand_str(
        quote!(name = "echo", version = 1),
        quote! {
            pub mod echo {
                use super::*;
                #[task] pub struct Prompt { pub words: Vec<String> }
                #[answer] pub struct Token { pub text: String }
                #[challenge] fn make(rng: &mut Rng) -> Prompt { Prompt { words: vec!["a".into(); rng.gen_range(1..4)] } }
                #[miner] async fn generate(task: Prompt, out: Chunks<Token>) -> Result<()> {
                    for w in task.words { out.send(Token { text: w }).await?; }
                    Ok(())
                }
                #[score] fn score(task: &Prompt, tokens: &[Token], miner: &MinerContext) -> f64 {
                    (tokens.len() == task.words.len()) as u8 as f64
                }
                #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
            }
        },
    );
    insta::assert_snapshot!(out);
}
