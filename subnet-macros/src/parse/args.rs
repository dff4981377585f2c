//! `#[subnet(name = "...", version = N)]`: the macro's own arguments.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Lit, Meta, Token};

use crate::ctxt::Ctxt;

/// The argument names, as typed constants (serde_derive's `symbol.rs`).
const NAME: &str = "name";
const VERSION: &str = "version";

/// The subnet's name and version: its identity on the chain and in the protocol.
pub(super) struct Args {
    pub name: String,
    pub version: u64,
}

/// Read the arguments. Every problem goes to `cx`; a missing one defaults, the errors
/// stop the expansion anyway.
pub(super) fn parse(cx: &Ctxt, attr: TokenStream) -> Args {
    let mut found_errors = false;
    let mut error = |span: Span, message: &dyn std::fmt::Display| {
        found_errors = true;
        cx.error(span, message);
    };
    let (mut name, mut version) = (None, None);
    match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr) {
        Ok(args) => {
            for arg in &args {
                let Meta::NameValue(nv) = arg else {
                    error(arg.span(), &"expected `name = \"…\"` or `version = N`");
                    continue;
                };
                let lit = match &nv.value {
                    Expr::Lit(l) => Some(&l.lit),
                    _ => None,
                };
                let key = nv.path.get_ident().map(|i| i.to_string());
                match (key.as_deref(), lit) {
                    (Some(NAME), Some(Lit::Str(s))) => name = Some(s.value()),
                    (Some(VERSION), Some(Lit::Int(i))) => match i.base10_parse::<u64>() {
                        Ok(v) => version = Some(v),
                        Err(e) => error(i.span(), &e),
                    },
                    (Some(NAME), _) => error(nv.value.span(), &"name is a string: `name = \"my-subnet\"`"),
                    (Some(VERSION), _) => error(nv.value.span(), &"version is an integer: `version = 1`"),
                    _ => error(nv.path.span(), &"unknown argument: #[subnet] takes `name` and `version`"),
                }
            }
        }
        Err(e) => {
            found_errors = true;
            cx.syn_error(e);
        }
    }
    // Only when the arguments are otherwise right: a misspelt `nme` already says why.
    let usage = "`#[subnet(name = \"my-subnet\", version = 1)]`";
    if name.is_none() && !found_errors {
        cx.error(Span::call_site(), format!("#[subnet] needs a name: {usage}"));
        found_errors = true;
    }
    if version.is_none() && !found_errors {
        cx.error(Span::call_site(), format!("#[subnet] needs a version: {usage}"));
    }
    Args { name: name.unwrap_or_default(), version: version.unwrap_or_default() }
}
