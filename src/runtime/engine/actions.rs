//! Actions: what each non-flow step does to the records and the effects.

use std::borrow::Cow;

use chrono::{Datelike, Duration};
use serde_json::{json, Map, Value as Json};

use super::convert::{add_number, convert, multi_items};
use super::{Done, Engine};
use super::{AUDIENCES, EMAIL_RECIPIENT_LIMIT, LISTS, OWNER, SMS_MONTHLY_LIMIT, SUBSCRIPTIONS};
use crate::plan::{
    Action, MarketingRecipient, PropertyRef, Recipient, SlackTarget, SmsRecipient,
    SubscriptionStatus,
};
use crate::runtime::model::{format_time, Record};
use crate::runtime::store::{Counter, Detail, RecId, Store};
use crate::runtime::values::{associated, is_empty, to_text};
use crate::schema::PropType;

impl<'p, S: Store> Engine<'p, S> {
    pub(super) fn owner_of(&self, rec: RecId) -> Option<String> {
        let v = self.store.record(rec).properties.get(OWNER);
        if is_empty(v) {
            None
        } else {
            v.map(to_text)
        }
    }

    pub(super) fn prop_type(&self, object: &str, prop: &str) -> Option<&'p PropType> {
        self.env.schema.property(object, prop)
    }

    /// Write a property (`None` or `null` clears it), shaping
    /// multiple-checkbox values as arrays.
    pub(super) fn write(&mut self, rec: RecId, prop: &str, value: Option<Json>) {
        let env = self.env;
        let ty = env.schema.property(&self.store.record(rec).object, prop);
        let value = match (value.filter(|v| !v.is_null()), ty) {
            (Some(v), Some(PropType::Multi(_))) => Some(Json::Array(multi_items(&v))),
            (v, _) => v,
        };
        let props = &mut self.store.record_mut(rec).properties;
        match value {
            Some(v) => match props.get_mut(prop) {
                Some(slot) => *slot = v,
                None => {
                    props.insert(prop.to_string(), v);
                }
            },
            None => {
                props.shift_remove(prop);
            }
        }
    }

    pub(super) fn path_text(p: &PropertyRef) -> Cow<'_, str> {
        match &p.object {
            Some(o) => Cow::Owned(format!("{o}.{}", p.property)),
            None => Cow::Borrowed(&p.property),
        }
    }

    pub(super) fn ids(&self, recs: &[RecId]) -> Vec<String> {
        recs.iter()
            .map(|&r| self.store.record(r).id.clone())
            .collect()
    }

    pub(super) fn record_ids(&self, recs: &[RecId]) -> Json {
        Json::Array(self.ids(recs).into_iter().map(Json::String).collect())
    }

    pub(super) fn recipients(&self, rec: RecId, to: &[Recipient]) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        let mut missing_owner = false;
        for r in to {
            match r {
                Recipient::Owner => match self.owner_of(rec) {
                    Some(o) => out.push(o),
                    None => missing_owner = true,
                },
                Recipient::User(u) => out.push(u.clone()),
                Recipient::Team(t) => {
                    match self.env.resources.teams.as_ref().and_then(|m| m.get(t)) {
                        Some(members) if !members.is_empty() => out.extend(members.iter().cloned()),
                        _ => out.push(format!("team:{t}")),
                    }
                }
            }
        }
        if out.is_empty() && missing_owner {
            return Err("record has no owner".to_string());
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| seen.insert(r.clone()));
        Ok(out)
    }

    /// Create a record associated (both ways) with `rec`; its id is
    /// `<object>-<n>`, n counting from 1 per type, skipping ids in use.
    pub(super) fn create(
        &mut self,
        rec: RecId,
        object: &str,
        properties: Map<String, Json>,
    ) -> RecId {
        let counter = self.store.counter(Counter::Created(object.to_string()));
        let mut n = *counter;
        let id = loop {
            n += 1;
            let id = format!("{object}-{n}");
            if self.store.find(&id).is_none() {
                break id;
            }
        };
        *self.store.counter(Counter::Created(object.to_string())) = n;
        let (owner_id, owner_obj) = {
            let r = self.store.record(rec);
            (r.id.clone(), r.object.clone())
        };
        let mut new = Record::new(id.clone(), object);
        new.associations
            .entry(owner_obj)
            .or_default()
            .insert(owner_id);
        let new_id = self.store.insert_record(new);
        for (k, v) in properties {
            self.write(new_id, &k, Some(v));
        }
        self.store
            .record_mut(rec)
            .associations
            .entry(object.to_string())
            .or_default()
            .insert(id);
        new_id
    }

    /// Execute one action (not a delay or flow step), dispatching by family.
    pub(super) fn act(
        &mut self,
        wf: usize,
        rec: RecId,
        node: usize,
        action: &'p Action,
    ) -> Done<'p> {
        match action {
            Action::SendInternalEmail { .. }
            | Action::SendNotification { .. }
            | Action::SendInternalSms { .. }
            | Action::SendEmail { .. }
            | Action::SendInternalMarketingEmail { .. }
            | Action::SendSlack { .. } => self.notify(wf, rec, action),
            Action::Webhook { .. }
            | Action::CreateSlackChannel { .. }
            | Action::CreateAsanaTask { .. }
            | Action::AppAction { .. }
            | Action::SalesforceTask { .. }
            | Action::SalesforceCampaign { .. } => self.integrate(rec, action),
            Action::RotateOwner {
                team,
                users,
                overwrite,
            } => self.rotate_owner(wf, rec, node, team.as_deref(), users, *overwrite),
            Action::CreateRecord { .. } | Action::CreateTask { .. } => {
                self.create_from(rec, action)
            }
            Action::SetProperty { .. }
            | Action::AppendProperty { .. }
            | Action::CopyProperty { .. }
            | Action::ClearProperty { .. }
            | Action::IncreaseProperty { .. }
            | Action::DecreaseProperty { .. } => self.edit_property(rec, action),
            Action::AddToList { .. }
            | Action::RemoveFromList { .. }
            | Action::AddToAudience { .. }
            | Action::RemoveFromAudience { .. }
            | Action::SetSubscription { .. } => self.membership(rec, action),
            // Delays and flow are handled by `step`.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    /// Messages to users, contacts and Slack.
    fn notify(&mut self, wf: usize, rec: RecId, action: &'p Action) -> Done<'p> {
        let now = self.now();
        let workflow_object = self.programs[wf].plan.object.as_str();
        match action {
            Action::SendInternalEmail { to, subject, body }
            | Action::SendNotification { to, subject, body } => match self.recipients(rec, to) {
                Err(reason) => Done::Err(reason),
                Ok(to) => {
                    let ev = self.eval();
                    Done::Ok(
                        Detail::Json(
                            json!({ "to": to, "subject": ev.render(rec, subject), "body": ev.render(rec, body) }),
                        ),
                        vec![],
                    )
                }
            },
            Action::SendInternalSms { to, text } => {
                let mut to: Vec<String> = to
                    .iter()
                    .map(|r| match r {
                        SmsRecipient::User(u) => u.clone(),
                        SmsRecipient::Number(n) => n.clone(),
                    })
                    .collect();
                let mut seen = std::collections::HashSet::new();
                to.retain(|r| seen.insert(r.clone()));
                // One text per recipient; a step that would pass the limit
                // sends none (one text refused means the month is full).
                let texts = to.len() as u64;
                let month = now.year() * 12 + now.month0() as i32;
                let sent = self.store.counter(Counter::Sms(month));
                if *sent + texts > SMS_MONTHLY_LIMIT {
                    return Done::Err(if *sent >= SMS_MONTHLY_LIMIT {
                        "SMS monthly limit reached (1,000 texts per calendar month)".to_string()
                    } else {
                        format!(
                            "SMS monthly limit reached: {texts} texts would pass 1,000 texts this calendar month ({} sent)",
                            *sent
                        )
                    });
                }
                *sent += texts;
                let text = self.eval().render(rec, text);
                Done::Ok(
                    Detail::Json(json!({ "to": to, "text": text, "status": "sent" })),
                    vec![],
                )
            }
            Action::SendEmail { email } => {
                let recipients: Vec<RecId> = if workflow_object == "contact" {
                    vec![rec]
                } else {
                    let r = self.store.record(rec);
                    let mut all = associated(&self.store, r, "contact");
                    all.truncate(EMAIL_RECIPIENT_LIMIT);
                    all
                };
                Done::Ok(
                    Detail::Email {
                        email,
                        recipients: self.ids(&recipients),
                    },
                    vec![],
                )
            }
            Action::SendInternalMarketingEmail { email, to } => {
                let props = &self.store.record(rec).properties;
                let to: Vec<String> = to
                    .iter()
                    .filter_map(|t| match t {
                        MarketingRecipient::Address(a) => Some(a.clone()),
                        MarketingRecipient::Property(p) => {
                            props.get(p).filter(|v| !is_empty(Some(v))).map(to_text)
                        }
                    })
                    .collect();
                Done::Ok(Detail::Json(json!({ "email": email, "to": to })), vec![])
            }
            Action::SendSlack { to, text } => {
                let ev = self.eval();
                let text = ev.render(rec, text);
                let detail = match to {
                    SlackTarget::Channel(c) => {
                        json!({ "channel": ev.render(rec, c), "text": text })
                    }
                    SlackTarget::User(u) => json!({ "user": u, "text": text }),
                };
                Done::Ok(Detail::Json(detail), vec![])
            }
            // Not reached: `act` dispatches by family.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    /// Webhooks and the connected apps (Slack channels, Asana, app actions, Salesforce).
    fn integrate(&mut self, rec: RecId, action: &'p Action) -> Done<'p> {
        match action {
            Action::Webhook { method, url } => {
                let r = self.store.record(rec);
                let body = json!({
                    "id": r.id,
                    "object": r.object,
                    "properties": r.properties,
                    "associations": r.associations,
                });
                Done::Ok(
                    Detail::Json(json!({ "method": method, "url": url, "body": body })),
                    vec![],
                )
            }
            Action::CreateSlackChannel { name, private } => {
                let Some(owner) = self.owner_of(rec) else {
                    return Done::Err("record has no owner".to_string());
                };
                let name = self.eval().render(rec, name);
                if let Err(why) = check_channel_name(&name) {
                    return Done::Err(if name.is_empty() {
                        "invalid Slack channel name: it is empty".to_string()
                    } else {
                        format!("invalid Slack channel name `{name}`: {why}")
                    });
                }
                Done::Ok(
                    Detail::Json(json!({ "name": name, "private": private, "owner": owner })),
                    vec![],
                )
            }
            Action::CreateAsanaTask { title, project } => {
                let title = self.eval().render(rec, title);
                Done::Ok(
                    Detail::Json(json!({ "title": title, "project": project })),
                    vec![],
                )
            }
            Action::AppAction {
                app,
                action,
                fields,
            } => {
                let ev = self.eval();
                let mut f = Map::new();
                for field in fields {
                    f.insert(field.property.clone(), ev.literal(rec, &field.value));
                }
                Done::Ok(
                    Detail::Json(json!({ "app": app, "action": action, "fields": f })),
                    vec![],
                )
            }
            Action::SalesforceTask { subject, assignee } => {
                let subject = self.eval().render(rec, subject);
                Done::Ok(
                    Detail::Json(json!({ "subject": subject, "assignee": assignee })),
                    vec![],
                )
            }
            Action::SalesforceCampaign { campaign } => {
                Done::Ok(Detail::Json(json!({ "campaign": campaign })), vec![])
            }
            // Not reached: `act` dispatches by family.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    /// Rotate the record's owner among a team's members or a list of users.
    fn rotate_owner(
        &mut self,
        wf: usize,
        rec: RecId,
        node: usize,
        team: Option<&str>,
        users: &[String],
        overwrite: bool,
    ) -> Done<'p> {
        let members: Vec<String> = match team {
            Some(t) => match self.env.resources.teams.as_ref().and_then(|m| m.get(t)) {
                Some(m) if !m.is_empty() => m.clone(),
                _ => return Done::Err(format!("team `{t}` has no declared members")),
            },
            None => users.to_vec(),
        };
        if members.is_empty() {
            return Done::Err("no users to rotate among".to_string());
        }
        if let Some(current) = self.owner_of(rec) {
            if !overwrite {
                return Done::Ok(
                    Detail::Json(json!({ "skipped": true, "owner": current })),
                    vec![],
                );
            }
        }
        let pos = self.store.counter(Counter::Rotation(wf, node));
        let owner = members[(*pos as usize) % members.len()].clone();
        *pos += 1;
        self.write(rec, OWNER, Some(Json::String(owner.clone())));
        Done::Ok(Detail::Json(json!({ "owner": owner })), vec![rec])
    }

    /// Create a record or a task associated with the enrolled record.
    fn create_from(&mut self, rec: RecId, action: &'p Action) -> Done<'p> {
        let now = self.now();
        match action {
            Action::CreateRecord { object, properties } => {
                let mut props = Map::new();
                {
                    let ev = self.eval();
                    for f in properties {
                        props.insert(f.property.clone(), ev.literal(rec, &f.value));
                    }
                }
                let new = self.create(rec, object, props);
                let r = self.store.record(new);
                Done::Ok(
                    Detail::Json(
                        json!({ "object": object, "id": r.id, "properties": r.properties }),
                    ),
                    vec![new],
                )
            }
            Action::CreateTask {
                title,
                due_minutes,
                for_owner,
            } => {
                let mut props = Map::new();
                props.insert("title".into(), Json::String(self.eval().render(rec, title)));
                if let Some(due) = due_minutes
                    .and_then(|m| i64::try_from(m).ok())
                    .and_then(Duration::try_minutes)
                    .and_then(|d| now.checked_add_signed(d))
                {
                    props.insert("due".into(), Json::String(format_time(due)));
                }
                if *for_owner {
                    if let Some(o) = self.owner_of(rec) {
                        props.insert(OWNER.into(), Json::String(o));
                    }
                }
                let new = self.create(rec, "task", props);
                let r = self.store.record(new);
                Done::Ok(
                    Detail::Json(json!({ "id": r.id, "properties": r.properties })),
                    vec![new],
                )
            }
            // Not reached: `act` dispatches by family.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    /// Set, append, copy, clear, increase or decrease a property.
    fn edit_property(&mut self, rec: RecId, action: &'p Action) -> Done<'p> {
        let tz = self.env.account.timezone;
        match action {
            Action::SetProperty { target, value } | Action::AppendProperty { target, value } => {
                let append = matches!(action, Action::AppendProperty { .. });
                let (targets, lit) = {
                    let ev = self.eval();
                    (
                        ev.targets(rec, target.object.as_deref()),
                        ev.literal(rec, value),
                    )
                };
                for &t in &targets {
                    let v = if append {
                        let mut items = self
                            .store
                            .record(t)
                            .properties
                            .get(&target.property)
                            .map(multi_items)
                            .unwrap_or_default();
                        for i in multi_items(&lit) {
                            if !items.contains(&i) {
                                items.push(i);
                            }
                        }
                        Json::Array(items)
                    } else {
                        lit.clone()
                    };
                    self.write(t, &target.property, Some(v));
                }
                let records = target.object.as_ref().map(|_| self.ids(&targets));
                Done::Ok(
                    Detail::Property {
                        property: Self::path_text(target),
                        value: lit,
                        records,
                    },
                    targets,
                )
            }
            Action::CopyProperty {
                source,
                target,
                append,
            } => self.copy(rec, source, target, *append, tz),
            Action::ClearProperty { target } => {
                let targets = self.eval().targets(rec, target.object.as_deref());
                for &t in &targets {
                    self.write(t, &target.property, None);
                }
                let mut detail = json!({ "property": Self::path_text(target) });
                if target.object.is_some() {
                    detail["records"] = self.record_ids(&targets);
                }
                Done::Ok(Detail::Json(detail), targets)
            }
            Action::IncreaseProperty { target, by } | Action::DecreaseProperty { target, by } => {
                let sign = if matches!(action, Action::IncreaseProperty { .. }) {
                    1
                } else {
                    -1
                };
                let targets = self.eval().targets(rec, target.object.as_deref());
                let mut values = Vec::new();
                for &t in &targets {
                    let cur = self
                        .store
                        .record(t)
                        .properties
                        .get(&target.property)
                        .cloned();
                    let Some(new) = add_number(cur.as_ref(), by, sign) else {
                        let text = cur.as_ref().map(to_text).unwrap_or_default();
                        let numeric = matches!(cur, Some(Json::Number(_)))
                            || serde_json::from_str::<serde_json::Number>(text.trim()).is_ok();
                        // A plan file may hold any `by`: `1e308 + 1e308` is
                        // not a JSON number either, but the value was one.
                        return Done::Err(if numeric {
                            format!(
                                "property `{}` would go out of range: `{}` {} {by}",
                                target.property,
                                crate::diagnostics::shorten(&text),
                                if sign < 0 { "-" } else { "+" }
                            )
                        } else {
                            format!(
                                "property `{}` holds `{}`, not a number",
                                target.property,
                                crate::diagnostics::shorten(&text)
                            )
                        });
                    };
                    values.push((t, new));
                }
                let shown = values.first().map(|(_, v)| v.clone()).unwrap_or(Json::Null);
                for (t, v) in values {
                    self.write(t, &target.property, Some(v));
                }
                Done::Ok(
                    Detail::Number {
                        property: Self::path_text(target),
                        by,
                        value: shown,
                    },
                    targets,
                )
            }
            // Not reached: `act` dispatches by family.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    /// Lists, audiences and subscription status, kept on the record.
    fn membership(&mut self, rec: RecId, action: &'p Action) -> Done<'p> {
        match action {
            Action::AddToList { list } => self.set_member(rec, LISTS, list, true, "list"),
            Action::RemoveFromList { list } => self.set_member(rec, LISTS, list, false, "list"),
            Action::AddToAudience { audience } => {
                self.set_member(rec, AUDIENCES, audience, true, "audience")
            }
            Action::RemoveFromAudience { audience } => {
                self.set_member(rec, AUDIENCES, audience, false, "audience")
            }
            Action::SetSubscription {
                subscription,
                status,
                basis,
                explanation,
            } => {
                let status = match status {
                    SubscriptionStatus::OptedIn => "opted_in",
                    SubscriptionStatus::OptedOut => "opted_out",
                };
                let explanation = explanation.as_ref().map(|t| self.eval().render(rec, t));
                let props = &mut self.store.record_mut(rec).properties;
                let subs = props
                    .entry(SUBSCRIPTIONS.to_string())
                    .or_insert_with(|| Json::Object(Map::new()));
                if !subs.is_object() {
                    *subs = Json::Object(Map::new());
                }
                if let Some(map) = subs.as_object_mut() {
                    map.insert(subscription.clone(), Json::String(status.to_string()));
                }
                Done::Ok(
                    Detail::Json(
                        json!({ "subscription": subscription, "status": status, "basis": basis, "explanation": explanation }),
                    ),
                    vec![rec],
                )
            }
            // Not reached: `act` dispatches by family.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    pub(super) fn set_member(
        &mut self,
        rec: RecId,
        prop: &str,
        name: &'p str,
        add: bool,
        what: &'static str,
    ) -> Done<'p> {
        let props = &mut self.store.record_mut(rec).properties;
        let is_name = |i: &Json| i.as_str() == Some(name);
        match props.get_mut(prop) {
            Some(Json::Array(items)) => {
                if !add {
                    items.retain(|i| !is_name(i));
                } else if !items.iter().any(is_name) {
                    items.push(Json::String(name.to_string()));
                }
            }
            Some(other) => {
                let mut items = multi_items(other);
                items.retain(|i| !is_name(i));
                if add {
                    items.push(Json::String(name.to_string()));
                }
                *other = Json::Array(items);
            }
            None if add => {
                props.insert(
                    prop.to_string(),
                    Json::Array(vec![Json::String(name.to_string())]),
                );
            }
            None => {}
        }
        Done::Ok(Detail::Named(what, name), vec![rec])
    }

    pub(super) fn copy(
        &mut self,
        rec: RecId,
        source: &PropertyRef,
        target: &PropertyRef,
        append: bool,
        tz: chrono_tz::Tz,
    ) -> Done<'p> {
        let (value, targets, target_object) = {
            let ev = self.eval();
            let sources = ev.targets(rec, source.object.as_deref());
            let Some(&from) = sources.first() else {
                return Done::Err(format!(
                    "no associated {} record to copy `{}` from",
                    source.object.as_deref().unwrap_or("?"),
                    source.property
                ));
            };
            let value = self
                .store
                .record(from)
                .properties
                .get(&source.property)
                .cloned();
            let targets = ev.targets(rec, target.object.as_deref());
            let object = target
                .object
                .clone()
                .unwrap_or_else(|| self.store.record(rec).object.clone());
            (value, targets, object)
        };
        let converted = match value.filter(|v| !is_empty(Some(v))) {
            None => None,
            Some(v) => match convert(&v, self.prop_type(&target_object, &target.property), tz) {
                Ok(v) => Some(v),
                Err(reason) => {
                    return Done::Err(format!("cannot copy into `{}`: {reason}", target.property))
                }
            },
        };
        for &t in &targets {
            let v = match (&converted, append) {
                (Some(v), true) => {
                    let mut items = self
                        .store
                        .record(t)
                        .properties
                        .get(&target.property)
                        .map(multi_items)
                        .unwrap_or_default();
                    for i in multi_items(v) {
                        if !items.contains(&i) {
                            items.push(i);
                        }
                    }
                    Some(Json::Array(items))
                }
                (None, true) => continue,
                (v, false) => v.clone(),
            };
            self.write(t, &target.property, v);
        }
        let mut detail = json!({
            "source": Self::path_text(source),
            "target": Self::path_text(target),
            "value": converted,
        });
        if target.object.is_some() {
            detail["records"] = self.record_ids(&targets);
        }
        Done::Ok(Detail::Json(detail), targets)
    }
}

/// The one property an action changes on the records it reports as
/// changed; `None` when it may change more (created records, associations).
pub(super) fn changed_property(a: &Action) -> Option<&str> {
    match a {
        Action::SetProperty { target, .. }
        | Action::AppendProperty { target, .. }
        | Action::CopyProperty { target, .. }
        | Action::ClearProperty { target }
        | Action::IncreaseProperty { target, .. }
        | Action::DecreaseProperty { target, .. } => Some(&target.property),
        Action::RotateOwner { .. } => Some(OWNER),
        Action::AddToList { .. } | Action::RemoveFromList { .. } => Some(LISTS),
        Action::AddToAudience { .. } | Action::RemoveFromAudience { .. } => Some(AUDIENCES),
        Action::SetSubscription { .. } => Some(SUBSCRIPTIONS),
        _ => None,
    }
}

/// [`is_external`] by the action's `kind` name.
pub(crate) fn is_external_kind(kind: &str) -> bool {
    matches!(
        kind,
        "webhook"
            | "send_internal_email"
            | "send_internal_sms"
            | "send_notification"
            | "send_email"
            | "send_internal_marketing_email"
            | "send_slack"
            | "create_slack_channel"
            | "create_asana_task"
            | "app_action"
            | "salesforce_task"
            | "salesforce_campaign"
    )
}

pub(super) fn is_external(a: &Action) -> bool {
    matches!(
        a,
        Action::Webhook { .. }
            | Action::SendInternalEmail { .. }
            | Action::SendInternalSms { .. }
            | Action::SendNotification { .. }
            | Action::SendEmail { .. }
            | Action::SendInternalMarketingEmail { .. }
            | Action::SendSlack { .. }
            | Action::CreateSlackChannel { .. }
            | Action::CreateAsanaTask { .. }
            | Action::AppAction { .. }
            | Action::SalesforceTask { .. }
            | Action::SalesforceCampaign { .. }
    )
}

/// The catalog's Slack channel rule, as a run reports it.
pub(super) fn check_channel_name(name: &str) -> Result<(), String> {
    use crate::catalog::{slack_channel_problem, ChannelProblem, MAX_SLACK_CHANNEL};
    match slack_channel_problem(name) {
        None => Ok(()),
        Some(ChannelProblem::Empty) => Err("it is empty".into()),
        Some(ChannelProblem::TooLong(n)) => Err(format!(
            "{n} characters, at most {MAX_SLACK_CHANNEL} allowed"
        )),
        Some(ChannelProblem::BadChar(c)) => Err(format!(
            "`{c}` is not allowed (only lowercase letters, digits, `-` and `_`)"
        )),
    }
}
