//! Value shaping: multiple-checkbox items, number arithmetic and copies
//! converted to the target property's type.

use serde_json::Value as Json;

use crate::runtime::model::format_time;
use crate::runtime::time;
use crate::runtime::values::{is_empty, to_text};
use crate::schema::PropType;

/// The items of a multiple-checkbox value (an array, or `;`-separated text).
pub(super) fn multi_items(v: &Json) -> Vec<Json> {
    match v {
        Json::Array(a) => a.iter().filter(|i| !is_empty(Some(i))).cloned().collect(),
        Json::String(s) if s.is_empty() => Vec::new(),
        Json::String(s) => s.split(';').map(|p| Json::String(p.to_string())).collect(),
        Json::Null => Vec::new(),
        other => vec![Json::String(to_text(other))],
    }
}

/// `cur + sign * by` (empty counts as 0); integers stay integers.
pub(super) fn add_number(cur: Option<&Json>, by: &serde_json::Number, sign: i64) -> Option<Json> {
    let cur = match cur {
        None => Json::from(0),
        Some(v) if is_empty(Some(v)) => Json::from(0),
        Some(Json::String(s)) => serde_json::from_str::<serde_json::Number>(s.trim())
            .ok()
            .map(Json::Number)?,
        Some(v @ Json::Number(_)) => v.clone(),
        Some(_) => return None,
    };
    let Json::Number(cur) = cur else { return None };
    if let (Some(a), Some(b)) = (cur.as_i64(), by.as_i64()) {
        if let Some(r) = b.checked_mul(sign).and_then(|b| a.checked_add(b)) {
            return Some(Json::from(r));
        }
    }
    let r = cur.as_f64()? + by.as_f64()? * sign as f64;
    serde_json::Number::from_f64(r).map(Json::Number)
}

/// Convert a copied value to the target property's type.
pub(super) fn convert(v: &Json, ty: Option<&PropType>, tz: chrono_tz::Tz) -> Result<Json, String> {
    let text = to_text(v);
    match ty {
        None | Some(PropType::Owner) => Ok(v.clone()),
        Some(PropType::String) => Ok(Json::String(text)),
        Some(PropType::Number) => match v {
            Json::Number(_) => Ok(v.clone()),
            _ => serde_json::from_str::<serde_json::Number>(text.trim())
                .map(Json::Number)
                .map_err(|_| format!("`{text}` is not a number")),
        },
        Some(PropType::Bool) => match v {
            Json::Bool(_) => Ok(v.clone()),
            _ if text == "true" || text == "false" => Ok(Json::Bool(text == "true")),
            _ => Err(format!("`{text}` is not a boolean")),
        },
        Some(PropType::Date) => {
            if chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok() {
                Ok(Json::String(text))
            } else if let Some(t) = crate::runtime::model::parse_time(&text) {
                Ok(Json::String(
                    time::local_date(tz, t).format("%Y-%m-%d").to_string(),
                ))
            } else {
                Err(format!("`{text}` is not a date"))
            }
        }
        Some(PropType::Datetime) => {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(Json::String(format_time(time::resolve_local(
                    tz,
                    d.and_time(chrono::NaiveTime::MIN),
                ))))
            } else if let Some(t) = crate::runtime::model::parse_time(&text) {
                Ok(Json::String(format_time(t)))
            } else {
                Err(format!("`{text}` is not a date or time"))
            }
        }
        Some(PropType::Enum(options)) => {
            if options.contains(&text) {
                Ok(Json::String(text))
            } else {
                Err(format!("`{text}` is not an option of the target property"))
            }
        }
        Some(PropType::Multi(options)) => {
            let items = multi_items(v);
            for i in &items {
                let t = to_text(i);
                if !options.contains(&t) {
                    return Err(format!("`{t}` is not an option of the target property"));
                }
            }
            Ok(Json::Array(items))
        }
    }
}
