//! Reading dynamic (`scale_value`) results by field name, so a Subtensor runtime that
//! adds or reorders fields does not break decoding.

use subxt::ext::scale_value::{Composite, Primitive, Value, ValueDef};

use crate::chain::AccountId;

/// The field `name` of a composite (or `None`).
pub(super) fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match &v.value {
        ValueDef::Composite(Composite::Named(fields)) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        _ => None,
    }
}

/// The first number found, looking through newtypes, `Compact` and fixed-point
/// `{ bits }` wrappers.
pub(super) fn number(v: &Value) -> Option<u128> {
    match &v.value {
        ValueDef::Primitive(Primitive::U128(n)) => Some(*n),
        ValueDef::Primitive(Primitive::I128(n)) => u128::try_from(*n).ok(),
        ValueDef::Primitive(Primitive::Bool(b)) => Some(*b as u128),
        ValueDef::Composite(c) => c.values().next().and_then(number),
        ValueDef::Variant(var) => var.values.values().next().and_then(number),
        _ => None,
    }
}

pub(super) fn flag(v: &Value) -> Option<bool> {
    match &v.value {
        ValueDef::Primitive(Primitive::Bool(b)) => Some(*b),
        ValueDef::Composite(c) => c.values().next().and_then(flag),
        _ => None,
    }
}

/// Every byte of a (possibly nested) byte array or sequence.
pub(super) fn bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    collect_bytes(v, &mut out);
    out
}

fn collect_bytes(v: &Value, out: &mut Vec<u8>) {
    match &v.value {
        ValueDef::Primitive(Primitive::U128(n)) => out.push(*n as u8),
        ValueDef::Composite(c) => c.values().for_each(|x| collect_bytes(x, out)),
        _ => {}
    }
}

pub(super) fn account(v: &Value) -> Option<AccountId> {
    bytes(v).try_into().ok().map(AccountId)
}

/// The items of a sequence (or unnamed composite).
pub(super) fn items(v: &Value) -> Vec<&Value> {
    match &v.value {
        ValueDef::Composite(c) => c.values().collect(),
        _ => vec![],
    }
}

/// `Some(x)` → `x`; `None` → `None`.
pub(super) fn option(v: &Value) -> Option<&Value> {
    match &v.value {
        ValueDef::Variant(var) if var.name == "Some" => var.values.values().next(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_through_wrappers() {
        let v = Value::unnamed_composite([Value::unnamed_composite([Value::u128(7)])]);
        assert_eq!(number(&v), Some(7));
        let named = Value::named_composite([("bits", Value::u128(1 << 64))]);
        assert_eq!(number(&named), Some(1 << 64));
        let acct = Value::unnamed_composite([Value::unnamed_composite((0..32).map(Value::u128))]);
        assert_eq!(account(&acct).unwrap().0[31], 31);
        assert_eq!(option(&Value::unnamed_variant("None", [])), None);
    }
}
