//! Property values: emptiness, comparison, rendering, and conditions.
//!
//! Rules (language reference, "Conditions"):
//! - a comparison with an empty property (missing, `null`, `""`, `[]`) is
//!   false, except `is not`, `not in` and `is unknown`, which are true;
//! - on an `object.prop` path the condition holds when **any** associated
//!   record of that type satisfies it; a record with no associated record of
//!   that type is judged as one empty value;
//! - an event holds when the record has had it at or before now.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value as Json;

use super::model::{parse_time, Record};
use super::store::{RecId, Store};
use crate::plan::{CompareOp, Condition, Event, PropertyRef, Template, TemplatePart, Value};

/// True for a missing value, `null`, `""`, `[]` and `{}`.
pub fn is_empty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => true,
        Some(Json::String(s)) => s.is_empty(),
        Some(Json::Array(a)) => a.is_empty(),
        Some(Json::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// A value as text (tokens, channel names, copies into string properties).
pub fn to_text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::Array(a) => a.iter().map(to_text).collect::<Vec<_>>().join(";"),
        Json::Object(_) => v.to_string(),
    }
}

fn as_number(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Temporal {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

fn as_temporal(v: &Json) -> Option<Temporal> {
    let s = v.as_str()?;
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(Temporal::Date);
    }
    parse_time(s).map(Temporal::Instant)
}

fn cmp_temporal(a: Temporal, b: Temporal, tz: Tz) -> Ordering {
    let date = |t: Temporal| match t {
        Temporal::Date(d) => d,
        Temporal::Instant(i) => super::time::local_date(tz, i),
    };
    match (a, b) {
        (Temporal::Instant(x), Temporal::Instant(y)) => x.cmp(&y),
        _ => date(a).cmp(&date(b)),
    }
}

/// Equality of a (non-empty) property value and a literal.
pub fn equals(v: &Json, lit: &Json, tz: Tz) -> bool {
    match (v, lit) {
        (Json::Array(items), Json::Array(wanted)) => {
            let mut a: Vec<String> = items.iter().map(to_text).collect();
            let mut b: Vec<String> = wanted.iter().map(to_text).collect();
            a.sort();
            a.dedup();
            b.sort();
            b.dedup();
            a == b
        }
        (Json::Array(items), _) => items.iter().any(|i| equals(i, lit, tz)),
        (_, Json::Array(wanted)) => wanted.iter().any(|w| equals(v, w, tz)),
        (_, Json::Number(_)) => match (as_number(v), as_number(lit)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        (Json::Number(_), Json::String(_)) => match (as_number(v), as_number(lit)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        (Json::String(a), Json::String(b)) => {
            if a == b {
                return true;
            }
            match (as_temporal(v), as_temporal(lit)) {
                (Some(x), Some(y)) => cmp_temporal(x, y, tz) == Ordering::Equal,
                _ => false,
            }
        }
        // Booleans too: `true` matches `true` and the text `"true"`, and
        // nothing else's text is `"true"` or `"false"`.
        _ => to_text(v) == to_text(lit),
    }
}

/// Order of a (non-empty) property value against a literal, when both are
/// numbers or both are dates/datetimes; anything else is not ordered (the
/// checker allows `>` and friends on number, date and datetime properties
/// only, so a text here is a value that is not what its property says).
fn order(v: &Json, lit: &Json, tz: Tz) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (as_number(v), as_number(lit)) {
        if matches!(lit, Json::Number(_)) || matches!(v, Json::Number(_)) {
            return a.partial_cmp(&b);
        }
    }
    let (x, y) = (as_temporal(v)?, as_temporal(lit)?);
    Some(cmp_temporal(x, y, tz))
}

fn compare_one(v: Option<&Json>, op: CompareOp, lit: &Json, tz: Tz) -> bool {
    let Some(v) = v.filter(|v| !is_empty(Some(v))) else {
        return op == CompareOp::IsNot;
    };
    match op {
        CompareOp::Is => equals(v, lit, tz),
        CompareOp::IsNot => !equals(v, lit, tz),
        CompareOp::Gt => order(v, lit, tz) == Some(Ordering::Greater),
        CompareOp::Ge => matches!(order(v, lit, tz), Some(Ordering::Greater | Ordering::Equal)),
        CompareOp::Lt => order(v, lit, tz) == Some(Ordering::Less),
        CompareOp::Le => matches!(order(v, lit, tz), Some(Ordering::Less | Ordering::Equal)),
    }
}

/// Whether an activity event matches an event pattern (page URLs exactly).
pub fn event_matches(pattern: &Event, happened: &Event) -> bool {
    pattern == happened
}

/// Evaluates conditions, tokens and literal values against the store.
pub struct Eval<'a, S: Store> {
    pub store: &'a S,
    pub tz: Tz,
}

impl<'a, S: Store> Eval<'a, S> {
    /// The records a property path reads: the record itself, or every
    /// associated record of the type (sorted by id).
    pub fn targets(&self, rec: RecId, object: Option<&str>) -> Vec<RecId> {
        let r = self.store.record(rec);
        match object {
            None => vec![rec],
            Some(o) if o == r.object => vec![rec],
            Some(o) => associated(self.store, r, o),
        }
    }

    /// Whether `f` holds for any value the path reads: the record's own
    /// value, or each associated record's (one empty value when there is
    /// no associated record). No allocation for the record's own value.
    fn any_value(
        &self,
        rec: RecId,
        p: &PropertyRef,
        mut f: impl FnMut(Option<&Json>) -> bool,
    ) -> bool {
        let r = self.store.record(rec);
        match p.object.as_deref() {
            Some(o) if o != r.object => {
                let targets = associated(self.store, r, o);
                if targets.is_empty() {
                    return f(None);
                }
                targets
                    .into_iter()
                    .any(|t| f(self.store.record(t).properties.get(&p.property)))
            }
            _ => f(r.properties.get(&p.property)),
        }
    }

    pub fn condition(&self, rec: RecId, c: &Condition) -> bool {
        match c {
            Condition::And { all } => all.iter().all(|c| self.condition(rec, c)),
            Condition::Or { any } => any.iter().any(|c| self.condition(rec, c)),
            Condition::Not { condition } => !self.condition(rec, condition),
            Condition::Compare {
                property,
                cmp,
                value,
            } => {
                let lit = self.literal(rec, value);
                self.any_value(rec, property, |v| compare_one(v, *cmp, &lit, self.tz))
            }
            Condition::In {
                property,
                negated,
                values,
            } => {
                let lits: Vec<Json> = values.iter().map(|v| self.literal(rec, v)).collect();
                self.any_value(rec, property, |v| {
                    if is_empty(v) {
                        return *negated;
                    }
                    let v = v.unwrap_or(&Json::Null);
                    lits.iter().any(|l| equals(v, l, self.tz)) != *negated
                })
            }
            Condition::Contains { property, text } => {
                let needle = text.to_lowercase();
                self.any_value(rec, property, |v| match v {
                    Some(Json::Array(items)) => items
                        .iter()
                        .any(|i| to_text(i).to_lowercase().contains(&needle)),
                    Some(v) if !is_empty(Some(v)) => to_text(v).to_lowercase().contains(&needle),
                    _ => false,
                })
            }
            Condition::Known { property, known } => {
                self.any_value(rec, property, |v| is_empty(v) != *known)
            }
            Condition::Event { event } => self
                .store
                .record(rec)
                .activity
                .iter()
                .any(|(_, e)| event_matches(event, e)),
        }
    }

    /// Fill in a template's tokens: the enrolled record's properties, or the
    /// first associated record (by id) of the token's type; empty when none.
    pub fn render(&self, rec: RecId, t: &Template) -> String {
        let mut out = String::new();
        for part in &t.0 {
            match part {
                TemplatePart::Text(s) => out.push_str(s),
                TemplatePart::Token { object, property } => {
                    let first = self.targets(rec, Some(object)).into_iter().next();
                    if let Some(v) =
                        first.and_then(|r| self.store.record(r).properties.get(property))
                    {
                        out.push_str(&to_text(v));
                    }
                }
            }
        }
        out
    }

    /// A plan literal as a JSON value (templates rendered).
    pub fn literal(&self, rec: RecId, v: &Value) -> Json {
        match v {
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(s.clone()),
            Value::Template { template } => Json::String(self.render(rec, template)),
            Value::List(items) => Json::Array(items.iter().map(|i| self.literal(rec, i)).collect()),
        }
    }
}

/// Existing records of type `object` associated with `r`, sorted by id.
pub fn associated<S: Store>(store: &S, r: &Record, object: &str) -> Vec<RecId> {
    match r.associations.get(object) {
        None => Vec::new(),
        Some(ids) => ids
            .iter()
            .filter_map(|id| store.find(id))
            .filter(|&i| store.record(i).object == object)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::store::MemStore;
    use serde_json::json;

    const UTC: Tz = chrono_tz::UTC;

    /// A store holding one contact, `c1`, with these properties.
    fn one_contact(properties: Json) -> (MemStore, RecId) {
        let mut c1 = Record::new("c1", "contact");
        if let Json::Object(map) = properties {
            c1.properties.extend(map);
        }
        let store = MemStore::new(vec![c1]);
        let rec = store.find("c1").expect("c1 is in the store");
        (store, rec)
    }

    /// docs/runtime.md, "Conditions": numbers compare numerically, numeric
    /// strings too (on either side).
    #[test]
    fn numbers_compare_numerically() {
        assert!(equals(&json!(20), &json!(20), UTC));
        assert!(equals(&json!(20.0), &json!(20), UTC));
        assert!(equals(&json!("20"), &json!(20), UTC));
        assert!(equals(&json!(" 20.0 "), &json!(20), UTC));
        assert!(equals(&json!(20), &json!("20.0"), UTC));
        assert!(!equals(&json!(21), &json!(20), UTC));
        assert!(!equals(&json!("twenty"), &json!(20), UTC));
    }

    /// docs/runtime.md, "Conditions": empty is missing, `null`, `""`, `[]`
    /// (and `{}`); anything else, `0` and `false` included, is a value.
    #[test]
    fn empty_values() {
        assert!(is_empty(None));
        assert!(is_empty(Some(&json!(null))));
        assert!(is_empty(Some(&json!(""))));
        assert!(is_empty(Some(&json!([]))));
        assert!(is_empty(Some(&json!({}))));
        assert!(!is_empty(Some(&json!(" "))));
        assert!(!is_empty(Some(&json!(["A"]))));
        assert!(!is_empty(Some(&json!({"a": 1}))));
        assert!(!is_empty(Some(&json!(0))));
        assert!(!is_empty(Some(&json!(false))));
    }

    /// docs/runtime.md, "Conditions": dates and datetimes compare as dates
    /// in the account's zone, unless both are datetimes (then as instants,
    /// whatever offset each is written with).
    #[test]
    fn dates_and_datetimes() {
        let ny: Tz = chrono_tz::America::New_York;
        // The same instant written with two offsets.
        assert!(equals(
            &json!("2024-01-05T10:00:00Z"),
            &json!("2024-01-05T11:00:00+01:00"),
            UTC
        ));
        // Two instants of one day are not equal, and are ordered.
        let (morning, noon) = (json!("2024-01-05T09:00:00Z"), json!("2024-01-05T12:00:00Z"));
        assert!(!equals(&morning, &noon, UTC));
        assert!(compare_one(Some(&morning), CompareOp::Lt, &noon, UTC));
        assert!(!compare_one(Some(&morning), CompareOp::Ge, &noon, UTC));
        assert!(compare_one(Some(&noon), CompareOp::Gt, &morning, UTC));
        // A datetime against a date: its local date in the account's zone
        // (03:00 UTC on the 6th is the evening of the 5th in New York).
        let late = json!("2024-01-06T03:00:00Z");
        assert!(equals(&late, &json!("2024-01-05"), ny));
        assert!(!equals(&late, &json!("2024-01-05"), UTC));
        assert!(equals(&late, &json!("2024-01-06"), UTC));
        assert!(compare_one(
            Some(&late),
            CompareOp::Lt,
            &json!("2024-01-06"),
            ny
        ));
        assert!(compare_one(
            Some(&late),
            CompareOp::Le,
            &json!("2024-01-05"),
            ny
        ));
        assert!(!compare_one(
            Some(&late),
            CompareOp::Lt,
            &json!("2024-01-06"),
            UTC
        ));
        // Two dates.
        assert!(compare_one(
            Some(&json!("2024-01-05")),
            CompareOp::Gt,
            &json!("2023-12-31"),
            UTC
        ));
        assert!(!equals(&json!("2024-01-05"), &json!("2024-01-06"), UTC));
    }

    /// A text that is neither a number nor a date (a date property holding
    /// `"soon"`) is not ordered against anything: `>`, `>=`, `<`, `<=` are
    /// all false, as they are for an empty value.
    #[test]
    fn a_text_is_not_ordered() {
        for op in [CompareOp::Gt, CompareOp::Ge, CompareOp::Lt, CompareOp::Le] {
            assert!(!compare_one(
                Some(&json!("soon")),
                op,
                &json!("2024-01-05"),
                UTC
            ));
            assert!(!compare_one(
                Some(&json!("2024-01-05")),
                op,
                &json!("soon"),
                UTC
            ));
            assert!(!compare_one(Some(&json!("many")), op, &json!(5), UTC));
            assert!(!compare_one(None, op, &json!(5), UTC));
        }
        assert!(compare_one(
            Some(&json!("20")),
            CompareOp::Gt,
            &json!(5),
            UTC
        ));
    }

    /// docs/runtime.md, "Conditions": on a multiple-checkbox value,
    /// `is "X"` means "holds X" and `is [..]` is set equality (order and
    /// repeats aside); a single value against a list holds when it is one
    /// of the list's items.
    #[test]
    fn lists_compare_as_sets() {
        let ab = json!(["A", "B"]);
        assert!(equals(&ab, &json!(["B", "A"]), UTC));
        assert!(equals(&json!(["A", "B", "A"]), &json!(["B", "A"]), UTC));
        assert!(!equals(&ab, &json!(["A"]), UTC));
        assert!(!equals(&ab, &json!(["A", "C"]), UTC));
        assert!(!equals(&ab, &json!(["A", "B", "C"]), UTC));
        assert!(equals(&ab, &json!("A"), UTC));
        assert!(equals(&ab, &json!("B"), UTC));
        assert!(!equals(&ab, &json!("C"), UTC));
        assert!(equals(&json!("B"), &ab, UTC));
        assert!(!equals(&json!("C"), &ab, UTC));
    }

    /// docs/runtime.md, "Conditions": strings other than numbers and dates
    /// compare exactly (case and spaces count).
    #[test]
    fn strings_compare_exactly() {
        assert!(equals(&json!("Gent"), &json!("Gent"), UTC));
        assert!(!equals(&json!("Gent"), &json!("gent"), UTC));
        assert!(!equals(&json!("Gent "), &json!("Gent"), UTC));
        assert!(!equals(&json!(true), &json!("yes"), UTC));
    }

    /// `and`, `or` and `not` combine conditions as their names say.
    #[test]
    fn and_or_not() {
        let (store, rec) = one_contact(json!({"city": "Gent"}));
        let eval = Eval {
            store: &store,
            tz: UTC,
        };
        let city = |name: &str| {
            json!({
                "op": "compare",
                "property": {"object": null, "property": "city"},
                "cmp": "is",
                "value": name,
            })
        };
        let holds = |c: Json| -> bool {
            let c: Condition = serde_json::from_value(c).expect("a condition");
            eval.condition(rec, &c)
        };
        assert!(holds(city("Gent")));
        assert!(!holds(json!({"op": "not", "condition": city("Gent")})));
        assert!(holds(json!({"op": "not", "condition": city("Brugge")})));
        assert!(!holds(
            json!({"op": "and", "all": [city("Gent"), city("Brugge")]})
        ));
        assert!(holds(
            json!({"op": "or", "any": [city("Gent"), city("Brugge")]})
        ));
        assert!(!holds(
            json!({"op": "or", "any": [city("Ieper"), city("Brugge")]})
        ));
    }

    /// docs/runtime.md, "Conditions": a `bool` property written as the text
    /// `"true"` or `"false"` (how CRM exports often carry booleans) is that
    /// boolean.
    #[test]
    fn boolean_text_is_the_boolean() {
        assert!(equals(&json!(true), &json!(true), UTC));
        assert!(equals(&json!("true"), &json!(true), UTC));
        assert!(equals(&json!("false"), &json!(false), UTC));
        assert!(!equals(&json!("true"), &json!(false), UTC));
        assert!(!equals(&json!("yes"), &json!(true), UTC));
        assert!(!equals(&json!("yes"), &json!(false), UTC));
        assert!(!equals(&json!("False"), &json!(false), UTC));
    }

    /// docs/language.md, "path": in a workflow for `T`, `T.prop` is the
    /// enrolled record's own `prop` — also in a plan that spells the type
    /// out (codegen writes `object: null` for it).
    #[test]
    fn a_path_naming_the_records_own_type_reads_the_record() {
        let (store, rec) = one_contact(json!({"firstname": "Ana"}));
        let eval = Eval {
            store: &store,
            tz: UTC,
        };
        let cond = |object: Option<&str>, name: &str| -> Condition {
            serde_json::from_value(json!({
                "op": "compare",
                "property": {"object": object, "property": "firstname"},
                "cmp": "is",
                "value": name,
            }))
            .expect("a compare condition")
        };
        assert!(eval.condition(rec, &cond(Some("contact"), "Ana")));
        assert!(eval.condition(rec, &cond(None, "Ana")));
        assert!(!eval.condition(rec, &cond(Some("contact"), "Bo")));
        // Another type: the contact has no company, judged as one empty value.
        assert!(!eval.condition(rec, &cond(Some("company"), "Ana")));
    }

    /// docs/runtime.md, "Conditions": `contains` is case-insensitive, on a
    /// text value and on each item of a list; an empty value contains
    /// nothing.
    #[test]
    fn contains_is_case_insensitive_and_false_when_empty() {
        let (store, rec) = one_contact(json!({
            "city": "Gent",
            "hubspotscore": 1250,
            "hs_buying_role": ["CHAMPION", "END_USER"],
            "jobtitle": "",
        }));
        let eval = Eval {
            store: &store,
            tz: UTC,
        };
        let contains = |property: &str, text: &str| -> bool {
            let c: Condition = serde_json::from_value(json!({
                "op": "contains",
                "property": {"object": null, "property": property},
                "text": text,
            }))
            .expect("a contains condition");
            eval.condition(rec, &c)
        };
        assert!(contains("city", "gen"));
        assert!(contains("city", "ENT"));
        assert!(!contains("city", "brugge"));
        assert!(contains("hubspotscore", "25"));
        assert!(contains("hs_buying_role", "user"));
        assert!(!contains("hs_buying_role", "budget"));
        assert!(!contains("jobtitle", "a"));
        assert!(!contains("country", "a"));
        // Each item of a list on its own, not the items joined.
        assert!(!contains("hs_buying_role", "n;e"));
        // An empty value contains nothing, not even the empty text.
        assert!(!contains("jobtitle", ""));
        assert!(!contains("country", ""));
        assert!(contains("city", ""));
    }
}
