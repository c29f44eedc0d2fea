//! Reading one Gogs row: keys are matched case-insensitively (as Go's decoder does), each read
//! names every spelling a Gogs release used, and a missing or mistyped value reads as Go's zero
//! value, as Gogs itself would have loaded it.

use serde_json::{Map, Value};

pub type Row = Map<String, Value>;

#[derive(Clone, Copy)]
pub struct G<'a>(pub &'a Row);

impl<'a> G<'a> {
    /// The first value under any of `names` for which `accept` holds: exact spellings first, then
    /// case-insensitive ones (a webhook row has both `Events`, a string, and `events`, an object).
    fn find(&self, names: &[&str], accept: impl Fn(&Value) -> bool) -> Option<&'a Value> {
        for name in names {
            if let Some(v) = self.0.get(*name).filter(|v| accept(v)) {
                return Some(v);
            }
        }
        self.0.iter().find(|(k, v)| names.iter().any(|n| n.eq_ignore_ascii_case(k)) && accept(v)).map(|(_, v)| v)
    }

    pub fn int(&self, names: &[&str]) -> i64 {
        match self.find(names, |v| v.is_number() || v.is_boolean() || v.is_string()) {
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).unwrap_or(0),
            Some(Value::Bool(b)) => i64::from(*b),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        }
    }

    pub fn id(&self) -> i64 {
        self.int(&["ID"])
    }

    pub fn str(&self, names: &[&str]) -> String {
        match self.find(names, |v| v.is_string() || v.is_number()) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    pub fn bool(&self, names: &[&str]) -> bool {
        match self.find(names, |v| v.is_boolean() || v.is_number()) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// Whether the row has a non-empty string under any of `names`.
    pub fn has_str(&self, names: &[&str]) -> bool {
        matches!(self.find(names, Value::is_string), Some(Value::String(s)) if !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Row {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn reads_any_spelling_and_defaults_to_zero() {
        let r =
            row(json!({"ID": 7, "Uid": 3, "Name": "x", "IsActive": true, "Events": "{}", "events": {"push": true}}));
        let g = G(&r);
        assert_eq!(g.id(), 7);
        assert_eq!(g.int(&["UID"]), 3, "Go matches keys case-insensitively");
        assert_eq!(g.int(&["Missing"]), 0);
        assert_eq!(g.str(&["name"]), "x");
        assert_eq!(g.str(&["Events"]), "{}", "the string, not the promoted object");
        assert!(g.bool(&["IsActive"]));
        assert!(!g.bool(&["IsAdmin"]));
        assert!(g.has_str(&["Name"]) && !g.has_str(&["Other"]));
    }

    #[test]
    fn tolerates_mistyped_values() {
        let r = row(json!({"A": "12", "B": 1, "C": null, "D": 1.0}));
        let g = G(&r);
        assert_eq!(g.int(&["A"]), 12);
        assert!(g.bool(&["B"]));
        assert_eq!(g.str(&["C"]), "");
        assert_eq!(g.int(&["D"]), 1);
    }
}
