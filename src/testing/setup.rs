//! A test's records, inputs and moments → the runtime's input.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value as Json};

use crate::driver::Compilation;
use crate::runtime::{self, InputEvent, Program, Record};
use crate::syntax::ast::{self, TestLineKind, When};

pub(crate) struct Context<'a> {
    pub comp: &'a Compilation,
    pub programs: &'a [Program],
}

/// What a test runs on.
pub(crate) struct Prepared {
    pub start: DateTime<Utc>,
    pub records: Vec<Record>,
    pub events: Vec<InputEvent>,
}

/// The default start of a test: 2026-01-01 at 00:00 in the account's time zone.
pub(crate) fn default_start(tz: chrono_tz::Tz) -> DateTime<Utc> {
    local(tz, 2026, 1, 1, 0, 0).unwrap_or_else(runtime::default_start)
}

/// A wall-clock time in `tz` (a time skipped by a daylight-saving change:
/// the first instant after the gap; an ambiguous one: the earlier instant).
fn local(tz: chrono_tz::Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<DateTime<Utc>> {
    let naive = NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(h, min, 0)?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => {
            // in a gap: step forward a minute at a time (gaps are short)
            (1..=180).find_map(|k| {
                tz.from_local_datetime(&(naive + Duration::minutes(k)))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            })
        }
    }
}

/// The start of a test.
pub(crate) fn start_of(cx: &Context<'_>, t: &ast::TestItem) -> Result<DateTime<Utc>, String> {
    let tz = cx.comp.env.account.timezone;
    for line in &t.lines {
        if let TestLineKind::Start { date, time } = &line.kind {
            let (h, m) = time.as_ref().map_or((0, 0), |t| (t.hour, t.minute));
            return local(tz, date.year, date.month, date.day, h, m)
                .ok_or_else(|| "the start is not a valid date and time".to_string());
        }
    }
    Ok(default_start(tz))
}

/// The instant of a moment of the test.
pub(crate) fn instant(
    cx: &Context<'_>,
    start: DateTime<Utc>,
    when: &When,
) -> Result<DateTime<Utc>, String> {
    match when {
        When::After(d) => Ok(after(start, d)),
        When::On { date, time, .. } => {
            let (h, m) = time.as_ref().map_or((0, 0), |t| (t.hour, t.minute));
            local(
                cx.comp.env.account.timezone,
                date.year,
                date.month,
                date.day,
                h,
                m,
            )
            .ok_or_else(|| "a moment of the test is not a valid date and time".to_string())
        }
    }
}

/// `start` plus a duration as written.
pub(crate) fn after(start: DateTime<Utc>, d: &ast::Duration) -> DateTime<Utc> {
    let minutes = i64::try_from(d.total_minutes()).unwrap_or(i64::MAX / 120_000);
    start + Duration::minutes(minutes.min(1_000 * 24 * 60))
}

/// A literal as the JSON value a records or events file would hold.
pub(crate) fn json_value(v: &ast::Value) -> Json {
    match &v.kind {
        ast::ValueKind::String(s) => Json::String(s.value.to_string()),
        ast::ValueKind::Number(n) => {
            if n.value.fract() == 0.0 && n.value.abs() < 9.0e15 {
                json!(n.value as i64)
            } else {
                json!(n.value)
            }
        }
        ast::ValueKind::Bool(b) => Json::Bool(*b),
        ast::ValueKind::Date(d) => {
            Json::String(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
        }
        ast::ValueKind::List(items) => Json::Array(items.iter().map(json_value).collect()),
    }
}

fn fields_json(fields: &[ast::Field]) -> Map<String, Json> {
    fields
        .iter()
        .map(|f| (f.key.name.to_string(), json_value(&f.value)))
        .collect()
}

/// The records and the input events of a test, through the same readers as
/// `wfc run`'s files (so values are converted exactly as there).
pub(crate) fn prepare(cx: &Context<'_>, t: &ast::TestItem) -> Result<Prepared, String> {
    let start = start_of(cx, t)?;
    let mut record_lines = String::new();
    let mut event_lines = String::new();
    for line in &t.lines {
        let at = match &line.when {
            Some(w) => instant(cx, start, w)?,
            None => start,
        };
        let at_text = runtime::model::format_time(at);
        let ev = match &line.kind {
            TestLineKind::Record {
                object,
                id,
                fields,
                with,
            } => {
                let mut assoc: std::collections::BTreeMap<String, Vec<String>> =
                    std::collections::BTreeMap::new();
                for w in with {
                    let other = t.lines.iter().find_map(|l| match &l.kind {
                        TestLineKind::Record { object, id, .. } if id.name == w.name => {
                            Some(object.name.to_string())
                        }
                        _ => None,
                    });
                    if let Some(o) = other {
                        assoc.entry(o).or_default().push(w.name.to_string());
                    }
                }
                let rec = json!({
                    "id": id.name.as_str(),
                    "object": object.name.as_str(),
                    "properties": fields_json(fields),
                    "associations": assoc,
                });
                record_lines.push_str(&rec.to_string());
                record_lines.push('\n');
                None
            }
            TestLineKind::Set { record, fields } => Some(json!({
                "at": at_text, "record": record.name.as_str(), "type": "set",
                "properties": fields_json(fields),
            })),
            TestLineKind::Enroll { record, workflow } => Some(json!({
                "at": at_text, "record": record.name.as_str(), "type": "enroll",
                "workflow": workflow.value.as_str(),
            })),
            TestLineKind::Event { event, record } => {
                let r = record.name.as_str();
                Some(match &event.kind {
                    ast::EventKind::FormSubmitted(n) => {
                        json!({"at": at_text, "record": r, "type": "form_submitted", "name": n.value.as_str()})
                    }
                    ast::EventKind::PageViewed(u) => {
                        json!({"at": at_text, "record": r, "type": "page_viewed", "url": u.value.as_str()})
                    }
                    ast::EventKind::Email { name, action } => {
                        let ty = match action {
                            ast::EmailAction::Opened => "email_opened",
                            ast::EmailAction::Clicked => "email_clicked",
                            ast::EmailAction::Replied => "email_replied",
                        };
                        json!({"at": at_text, "record": r, "type": ty, "name": name.value.as_str()})
                    }
                    ast::EventKind::Custom(n) => {
                        json!({"at": at_text, "record": r, "type": "custom", "name": n.value.as_str()})
                    }
                })
            }
            TestLineKind::Start { .. } | TestLineKind::Expect(_) => None,
        };
        if let Some(ev) = ev {
            event_lines.push_str(&ev.to_string());
            event_lines.push('\n');
        }
    }
    let records = runtime::parse_records_in(&record_lines, Some(&cx.comp.env.schema))
        .map_err(|e| format!("the test's records: {e}"))?;
    let events =
        runtime::parse_events(&event_lines).map_err(|e| format!("the test's inputs: {e}"))?;
    Ok(Prepared {
        start,
        records,
        events,
    })
}
