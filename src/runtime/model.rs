//! Input and output files of a run: records (`--records`, `--state`) and
//! input events (`--events`), all JSON Lines.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::plan::Event;
use crate::schema::Schema;

/// One CRM record. Associations are kept symmetric and sorted by id.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub object: String,
    pub properties: Map<String, Value>,
    /// Object type → ids of the associated records of that type.
    pub associations: BTreeMap<String, BTreeSet<String>>,
    /// Activity events the record has had so far (for event conditions).
    pub activity: Vec<(DateTime<Utc>, Event)>,
}

impl Record {
    pub fn new(id: impl Into<String>, object: impl Into<String>) -> Record {
        Record {
            id: id.into(),
            object: object.into(),
            properties: Map::new(),
            associations: BTreeMap::new(),
            activity: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordLine {
    id: String,
    object: String,
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    associations: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
struct RecordOut<'a> {
    id: &'a str,
    object: &'a str,
    properties: &'a Map<String, Value>,
    associations: &'a BTreeMap<String, BTreeSet<String>>,
}

/// A problem in an input file: which line and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn err(line: usize, message: impl Into<String>) -> InputError {
    InputError {
        line,
        message: message.into(),
    }
}

/// Parse a records file (JSON Lines; blank lines are skipped). Associations
/// written on either side are made symmetric; an association to an id that
/// is not in the file is kept (and written back to `--state`) but never
/// matches anything at run time.
pub fn parse_records(text: &str) -> Result<Vec<Record>, InputError> {
    parse_records_in(text, None)
}

/// [`parse_records`], and with a schema every record's object type must be
/// one of its types (properties it does not know are kept as they are).
pub fn parse_records_in(text: &str, schema: Option<&Schema>) -> Result<Vec<Record>, InputError> {
    let mut records: Vec<Record> = Vec::new();
    let mut raw_assocs: Vec<BTreeMap<String, Vec<String>>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let r: RecordLine =
            serde_json::from_str(line).map_err(|e| err(line_no, format!("invalid record: {e}")))?;
        if r.id.is_empty() {
            return Err(err(line_no, "record id is empty"));
        }
        if r.object.is_empty() {
            return Err(err(line_no, "record object type is empty"));
        }
        if let Some(schema) = schema {
            // Tasks are records a run creates (`create task`): a state file
            // holding them can be fed back.
            if r.object != "task" && schema.object(&r.object).is_none() {
                let known = schema.objects.keys().map(String::as_str);
                let hint = match crate::diagnostics::suggest(&r.object, known) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                return Err(err(
                    line_no,
                    format!(
                        "record `{}` has unknown object type `{}`{hint}",
                        r.id,
                        crate::diagnostics::shorten(&r.object)
                    ),
                ));
            }
        }
        if index.insert(r.id.clone(), records.len()).is_some() {
            return Err(err(line_no, format!("duplicate record id `{}`", r.id)));
        }
        let mut rec = Record::new(r.id, r.object);
        rec.properties = r.properties;
        records.push(rec);
        raw_assocs.push(r.associations);
    }
    for (i, assocs) in raw_assocs.into_iter().enumerate() {
        for (object, ids) in assocs {
            for id in ids {
                match index.get(&id).copied() {
                    Some(j) if j != i => {
                        let (this_obj, this_id) =
                            (records[i].object.clone(), records[i].id.clone());
                        let other_obj = records[j].object.clone();
                        records[i]
                            .associations
                            .entry(other_obj)
                            .or_default()
                            .insert(id);
                        records[j]
                            .associations
                            .entry(this_obj)
                            .or_default()
                            .insert(this_id);
                    }
                    Some(_) => {} // a record associated with itself: ignored
                    None => {
                        records[i]
                            .associations
                            .entry(object.clone())
                            .or_default()
                            .insert(id);
                    }
                }
            }
        }
    }
    Ok(records)
}

/// Write records as JSON Lines, sorted by object type, then id.
pub fn write_state(records: &[Record], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut order: Vec<&Record> = records.iter().collect();
    order.sort_by(|a, b| (&a.object, &a.id).cmp(&(&b.object, &b.id)));
    for r in order {
        let line = RecordOut {
            id: &r.id,
            object: &r.object,
            properties: &r.properties,
            associations: &r.associations,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// What an input event does.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A property change (`null` clears a property).
    Set(Map<String, Value>),
    /// An activity: form submission, page view, email engagement, custom event.
    Activity(Event),
    /// Manual enrollment in the named workflow.
    Enroll(String),
}

/// One line of the `--events` file.
#[derive(Clone, Debug, PartialEq)]
pub struct InputEvent {
    pub at: DateTime<Utc>,
    pub record: String,
    pub kind: EventKind,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine {
    at: String,
    record: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    properties: Option<Map<String, Value>>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    workflow: Option<String>,
}

/// Parse an RFC 3339 time into UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Format a time as RFC 3339 in UTC with a `Z` (seconds always shown,
/// fractions only when present).
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Parse an events file (JSON Lines, any order). The result keeps file order;
/// the engine orders by time, stably.
pub fn parse_events(text: &str) -> Result<Vec<InputEvent>, InputError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let e: EventLine =
            serde_json::from_str(line).map_err(|e| err(line_no, format!("invalid event: {e}")))?;
        let at = parse_time(&e.at).ok_or_else(|| {
            err(
                line_no,
                format!(
                    "invalid time `{}` (expected RFC 3339, e.g. 2026-03-02T08:00:00Z)",
                    e.at
                ),
            )
        })?;
        let need = |field: Option<String>, what: &str| {
            field.ok_or_else(|| {
                err(
                    line_no,
                    format!("event of type `{}` needs `{what}`", e.kind),
                )
            })
        };
        let kind = match e.kind.as_str() {
            "set" => EventKind::Set(
                e.properties
                    .clone()
                    .ok_or_else(|| err(line_no, "event of type `set` needs `properties`"))?,
            ),
            "form_submitted" => EventKind::Activity(Event::FormSubmitted {
                name: need(e.name.clone(), "name")?,
            }),
            "page_viewed" => EventKind::Activity(Event::PageViewed {
                url: need(e.url.clone(), "url")?,
            }),
            "email_opened" => EventKind::Activity(Event::EmailOpened {
                name: need(e.name.clone(), "name")?,
            }),
            "email_clicked" => EventKind::Activity(Event::EmailClicked {
                name: need(e.name.clone(), "name")?,
            }),
            "email_replied" => EventKind::Activity(Event::EmailReplied {
                name: need(e.name.clone(), "name")?,
            }),
            "custom" => EventKind::Activity(Event::Custom {
                name: need(e.name.clone(), "name")?,
            }),
            "enroll" => EventKind::Enroll(need(e.workflow.clone(), "workflow")?),
            other => {
                return Err(err(
                    line_no,
                    format!(
                        "unknown event type `{other}` (expected set, form_submitted, page_viewed, \
                         email_opened, email_clicked, email_replied, custom or enroll)"
                    ),
                ))
            }
        };
        out.push(InputEvent {
            at,
            record: e.record,
            kind,
        });
    }
    Ok(out)
}
