//! The JSON plan (`wfplan/1`): one per workflow. This is the contract between
//! the compiler (codegen) and its consumers (runtime, `wfc graph`, external
//! engines). `schemas/plan.schema.json` is generated from these types.
//!
//! Conventions:
//! - node ids (`n1`, `n2`, ...) number the steps in pre-order (a branch
//!   before its paths, paths in source order); they do not depend on source
//!   positions, so formatting a file leaves them unchanged.
//! - every edge is explicit: `next` is the node that runs after this one
//!   (`null`: the workflow finishes); a branch's paths each name their first
//!   node (an empty path names the join node, the step after the branch).
//! - durations are whole minutes.
//! - a [`PropertyRef`] with `object: null` is the enrolled record; with an
//!   object type, every associated record of that type.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const PLAN_FORMAT: &str = "wfplan/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Always `"wfplan/1"`.
    pub format: String,
    pub name: String,
    /// Object type of the enrolled records (`contact`, `deal`, a custom object...).
    pub object: String,
    /// Date centring (contact workflows only).
    #[serde(default)]
    pub centered_on: Option<Centering>,
    /// Enrollment triggers: a record meeting any of them is enrolled.
    /// Empty: manual enrollment (or by another workflow) only.
    pub triggers: Vec<Trigger>,
    pub reenroll: bool,
    /// Goal criteria: a record meeting any of them leaves the workflow.
    pub goals: Vec<Condition>,
    /// Unenrollment criteria: a record meeting any of them leaves the workflow.
    pub unenroll: Vec<Condition>,
    /// First node, `null` for a workflow without steps.
    pub start: Option<String>,
    pub nodes: Vec<Node>,
    pub source: SourceLocation,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceLocation {
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in Unicode characters.
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Centering {
    /// A fixed calendar date, `YYYY-MM-DD`.
    Date(String),
    /// A date or datetime property of the enrolled record.
    Property(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    Filter { condition: Condition },
    Event { event: Event },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
// no deny_unknown_fields: serde does not support it together with flatten
pub struct Node {
    pub id: String,
    /// The step's label in the source, if any.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(flatten)]
    pub action: Action,
    /// The node that runs next; `null` when the workflow finishes here.
    /// Always `null` for `branch_if`, `branch_value` and `goto` (their
    /// edges are in the action).
    pub next: Option<String>,
    pub source: SourceLocation,
}

/// The node's kind (serialised as `"kind"`) and its fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    // ---- delays
    Delay {
        minutes: u64,
    },
    DelayUntilTime {
        /// Lower-case weekday names; empty: any day.
        days: Vec<String>,
        /// `HH:MM`, 24-hour; `null`: 00:00 of the next matching day.
        time: Option<String>,
    },
    DelayUntilEvent {
        event: Event,
        /// Maximum wait in minutes; `null`: wait forever.
        max_minutes: Option<u64>,
        /// Where a record goes when `max_minutes` passes without the event.
        timeout_next: Option<String>,
    },
    DelayUntilDate {
        /// Offset from 00:00 of the centre date in the account time zone
        /// (negative: before).
        offset_minutes: i64,
        /// `HH:MM` when an `at` time is given (then the offset is whole days).
        time: Option<String>,
    },
    // ---- flow
    BranchIf {
        cases: Vec<IfCase>,
        /// First node of the "none met" path (the join node for an empty path).
        else_next: Option<String>,
    },
    BranchValue {
        property: PropertyRef,
        cases: Vec<ValueCase>,
        else_next: Option<String>,
    },
    Goto {
        /// The target node id.
        target: String,
        /// The target's label as written. Serialised as `target_label`: a
        /// plain `label` would collide with the node's own `label` field
        /// (the action is flattened into the node).
        #[serde(rename = "target_label")]
        label: String,
    },
    EnrollInWorkflow {
        workflow: String,
    },
    Webhook {
        method: HttpMethod,
        url: String,
    },
    // ---- communication
    SendInternalEmail {
        to: Vec<Recipient>,
        subject: Template,
        body: Template,
    },
    SendInternalSms {
        to: Vec<SmsRecipient>,
        text: Template,
    },
    SendNotification {
        to: Vec<Recipient>,
        subject: Template,
        body: Template,
    },
    SendEmail {
        email: String,
    },
    SendInternalMarketingEmail {
        email: String,
        to: Vec<MarketingRecipient>,
    },
    SendSlack {
        to: SlackTarget,
        text: Template,
    },
    // ---- integrations, assignment, create
    CreateSlackChannel {
        name: Template,
        private: bool,
    },
    CreateAsanaTask {
        title: Template,
        project: String,
    },
    AppAction {
        app: String,
        action: String,
        fields: Vec<Field>,
    },
    RotateOwner {
        /// A team name (members from the manifest), or `null` with `users`.
        team: Option<String>,
        users: Vec<String>,
        overwrite: bool,
    },
    CreateRecord {
        object: String,
        properties: Vec<Field>,
    },
    CreateTask {
        title: Template,
        due_minutes: Option<u64>,
        for_owner: bool,
    },
    // ---- properties
    SetProperty {
        target: PropertyRef,
        value: Value,
    },
    AppendProperty {
        target: PropertyRef,
        value: Value,
    },
    CopyProperty {
        /// Serialised as `from`: a plain `source` would collide with the
        /// node's own `source` location (the action is flattened into the
        /// node).
        #[serde(rename = "from")]
        source: PropertyRef,
        target: PropertyRef,
        append: bool,
    },
    ClearProperty {
        target: PropertyRef,
    },
    IncreaseProperty {
        target: PropertyRef,
        by: serde_json::Number,
    },
    DecreaseProperty {
        target: PropertyRef,
        by: serde_json::Number,
    },
    // ---- contact only
    AddToList {
        list: String,
    },
    RemoveFromList {
        list: String,
    },
    AddToAudience {
        audience: String,
    },
    RemoveFromAudience {
        audience: String,
    },
    SetSubscription {
        subscription: String,
        status: SubscriptionStatus,
        basis: Option<String>,
        explanation: Option<Template>,
    },
    SalesforceTask {
        subject: Template,
        /// `owner` or `integration_user`; `null` when not given.
        assignee: Option<String>,
    },
    SalesforceCampaign {
        campaign: String,
    },
}

impl Action {
    /// The node kind as serialised (`"set_property"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Delay { .. } => "delay",
            Action::DelayUntilTime { .. } => "delay_until_time",
            Action::DelayUntilEvent { .. } => "delay_until_event",
            Action::DelayUntilDate { .. } => "delay_until_date",
            Action::BranchIf { .. } => "branch_if",
            Action::BranchValue { .. } => "branch_value",
            Action::Goto { .. } => "goto",
            Action::EnrollInWorkflow { .. } => "enroll_in_workflow",
            Action::Webhook { .. } => "webhook",
            Action::SendInternalEmail { .. } => "send_internal_email",
            Action::SendInternalSms { .. } => "send_internal_sms",
            Action::SendNotification { .. } => "send_notification",
            Action::SendEmail { .. } => "send_email",
            Action::SendInternalMarketingEmail { .. } => "send_internal_marketing_email",
            Action::SendSlack { .. } => "send_slack",
            Action::CreateSlackChannel { .. } => "create_slack_channel",
            Action::CreateAsanaTask { .. } => "create_asana_task",
            Action::AppAction { .. } => "app_action",
            Action::RotateOwner { .. } => "rotate_owner",
            Action::CreateRecord { .. } => "create_record",
            Action::CreateTask { .. } => "create_task",
            Action::SetProperty { .. } => "set_property",
            Action::AppendProperty { .. } => "append_property",
            Action::CopyProperty { .. } => "copy_property",
            Action::ClearProperty { .. } => "clear_property",
            Action::IncreaseProperty { .. } => "increase_property",
            Action::DecreaseProperty { .. } => "decrease_property",
            Action::AddToList { .. } => "add_to_list",
            Action::RemoveFromList { .. } => "remove_from_list",
            Action::AddToAudience { .. } => "add_to_audience",
            Action::RemoveFromAudience { .. } => "remove_from_audience",
            Action::SetSubscription { .. } => "set_subscription",
            Action::SalesforceTask { .. } => "salesforce_task",
            Action::SalesforceCampaign { .. } => "salesforce_campaign",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IfCase {
    /// `"if"`, `"else if 1"`, `"else if 2"`, ... (as in the history).
    pub path: String,
    pub condition: Condition,
    /// First node of this path (the join node for an empty path).
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueCase {
    pub values: Vec<Value>,
    pub next: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Owner,
    User(String),
    Team(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmsRecipient {
    User(String),
    Number(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarketingRecipient {
    Address(String),
    Property(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlackTarget {
    Channel(Template),
    User(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    OptedIn,
    OptedOut,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub property: String,
    pub value: Value,
}

/// A property of the enrolled record (`object: null`) or of every associated
/// record of `object`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertyRef {
    pub object: Option<String>,
    pub property: String,
}

/// A text with personalisation tokens, as a list of parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Template(pub Vec<TemplatePart>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplatePart {
    Text(String),
    /// `{{ object.property }}`; `object` is always filled in (the workflow's
    /// object type for a bare `{{ property }}`).
    Token {
        object: String,
        property: String,
    },
}

/// A literal value. Dates are `"YYYY-MM-DD"` strings; a string holding
/// tokens is `{"template": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Template { template: Template },
    List(Vec<Value>),
}

/// A condition tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    And {
        all: Vec<Condition>,
    },
    Or {
        any: Vec<Condition>,
    },
    Not {
        condition: Box<Condition>,
    },
    Compare {
        property: PropertyRef,
        cmp: CompareOp,
        value: Value,
    },
    In {
        property: PropertyRef,
        negated: bool,
        values: Vec<Value>,
    },
    Contains {
        property: PropertyRef,
        text: String,
    },
    Known {
        property: PropertyRef,
        known: bool,
    },
    Event {
        event: Event,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    Is,
    IsNot,
    Gt,
    Ge,
    Lt,
    Le,
}

/// An event, named as in `wfc run --events` files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    FormSubmitted { name: String },
    PageViewed { url: String },
    EmailOpened { name: String },
    EmailClicked { name: String },
    EmailReplied { name: String },
    Custom { name: String },
}
