//! The action catalog as plain data (docs/rules.md): for every step kind,
//! its keyword, a one-line description, the workflow object types it may
//! appear in, the tier it needs and the integration it needs; and the value
//! rules both the checker and the runtime apply (Slack channel names).
//!
//! The checker reads it for WF201 (types), WF301 (tiers), WF303
//! (integrations) and WF501; the language server for hover and completion;
//! the runtime for the channel rule. It knows no stage: the AST maps a step
//! to its row ([`crate::syntax::ast::StepKind::step_id`]).

use crate::schema::{Hub, Tier};

/// Workflow object types where a step may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Types {
    /// Every object type, custom ones included.
    All,
    /// Only these object types.
    Only(&'static [&'static str]),
}

impl Types {
    pub fn allows(self, object: &str) -> bool {
        match self {
            Types::All => true,
            Types::Only(list) => list.contains(&object),
        }
    }
}

/// The minimum subscription a step needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierNeed {
    /// No tier beyond what every workflow needs.
    None,
    /// This hub at this tier or above.
    Hub(Hub, Tier),
    /// Any hub at this tier or above.
    AnyHub(Tier),
    /// `create <object>`: by the created type (see [`create_tier`]).
    ByCreatedObject,
    /// Property edits: by the edited type (see [`edit_tier`]).
    ByEditedObject,
}

/// The integration a step needs connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integration {
    None,
    /// A named integration (`slack`, `asana`, `salesforce`).
    Named(&'static str),
    /// `app "<name>"`: the integration named by the app, lower-cased.
    App,
}

/// Identifies a step kind (one per [`StepKind`] variant; `Set` and `Append`
/// share "set property value", both delay-until-date forms share one entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepId {
    Delay,
    DelayUntilTime,
    DelayUntilEvent,
    DelayUntilDate,
    If,
    Branch,
    Goto,
    EnrollIn,
    Webhook,
    SendInternalEmail,
    SendInternalSms,
    SendNotification,
    SendEmail,
    SendInternalMarketingEmail,
    SendSlack,
    CreateSlackChannel,
    CreateAsanaTask,
    AppAction,
    RotateOwner,
    CreateRecord,
    CreateTask,
    Set,
    Append,
    Copy,
    Clear,
    Increase,
    Decrease,
    AddToList,
    RemoveFromList,
    AddToAudience,
    RemoveFromAudience,
    Subscription,
    SalesforceTask,
    SalesforceCampaign,
}

/// One row of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepInfo {
    pub id: StepId,
    /// The keyword(s) as written in `.wf`.
    pub keyword: &'static str,
    /// One line: what the step does.
    pub description: &'static str,
    pub types: Types,
    pub tier: TierNeed,
    pub integration: Integration,
}

const CONTACT: Types = Types::Only(&["contact"]);

const fn row(
    id: StepId,
    keyword: &'static str,
    description: &'static str,
    types: Types,
    tier: TierNeed,
    integration: Integration,
) -> StepInfo {
    StepInfo {
        id,
        keyword,
        description,
        types,
        tier,
        integration,
    }
}

use Integration as I;
use StepId as S;
use TierNeed as T;

/// Every step kind, in the order of docs/rules.md.
pub const STEPS: &[StepInfo] = &[
    row(
        S::Delay,
        "delay",
        "wait a set amount of time (days, hours, minutes) before the next step",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::DelayUntilTime,
        "delay until",
        "wait until one of the given weekdays and/or a time of day, in the account's time zone",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::DelayUntilEvent,
        "delay until",
        "wait until the record has the event, optionally at most `max` long",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::DelayUntilDate,
        "delay until",
        "date-centred workflows: wait until an offset before or after the centre date",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::If,
        "if",
        "if/then branch: the first path whose condition holds, else the `else` path",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::Branch,
        "branch on",
        "value branch: the path listing the property's value, else the `else` path",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::Goto,
        "goto",
        "go to a labelled step in another path of an enclosing branch",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::EnrollIn,
        "enroll in",
        "enroll the record in another workflow of the same object type",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::Webhook,
        "webhook",
        "send the enrolled record as JSON to an https URL",
        Types::All,
        T::AnyHub(Tier::Enterprise),
        I::None,
    ),
    row(
        S::SendInternalEmail,
        "send internal email",
        "email users, teams and/or the record's owner",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::SendInternalSms,
        "send internal sms",
        "text a user or a phone number (at most 1,000 texts a month)",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::SendNotification,
        "send notification",
        "send an in-app notification to users and/or teams",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::SendEmail,
        "send email",
        "send an automated marketing email to the record's contacts",
        Types::All,
        T::Hub(Hub::Marketing, Tier::Professional),
        I::None,
    ),
    row(
        S::SendInternalMarketingEmail,
        "send internal marketing email",
        "send an automated email to given addresses or an address stored in a contact property",
        CONTACT,
        T::None,
        I::None,
    ),
    row(
        S::SendSlack,
        "send slack",
        "notify a channel or a user of the connected Slack workspace",
        Types::All,
        T::None,
        I::Named("slack"),
    ),
    row(
        S::CreateSlackChannel,
        "create slack channel",
        "create a Slack channel for the record (the record needs an owner)",
        Types::Only(&["company", "deal"]),
        T::None,
        I::Named("slack"),
    ),
    row(
        S::CreateAsanaTask,
        "create asana task",
        "create a task in a connected Asana project",
        Types::All,
        T::None,
        I::Named("asana"),
    ),
    row(
        S::AppAction,
        "app",
        "run an action of a connected app",
        Types::All,
        T::None,
        I::App,
    ),
    row(
        S::RotateOwner,
        "rotate owner",
        "assign the record to the next owner among a team or users",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::CreateRecord,
        "create",
        "create a record associated with the enrolled record",
        Types::All,
        T::ByCreatedObject,
        I::None,
    ),
    row(
        S::CreateTask,
        "create task",
        "create a task associated with the enrolled record",
        Types::All,
        T::None,
        I::None,
    ),
    row(
        S::Set,
        "set",
        "set a property of the record or of every associated record of a type",
        Types::All,
        T::ByEditedObject,
        I::None,
    ),
    row(
        S::Append,
        "set +=",
        "append values to a multiple-checkbox property",
        Types::All,
        T::ByEditedObject,
        I::None,
    ),
    row(
        S::Copy,
        "copy",
        "copy a property value to another property",
        Types::All,
        T::ByEditedObject,
        I::None,
    ),
    row(
        S::Clear,
        "clear",
        "empty a property",
        Types::All,
        T::ByEditedObject,
        I::None,
    ),
    row(
        S::Increase,
        "increase",
        "add to a number property of the enrolled record",
        Types::All,
        T::ByEditedObject,
        I::None,
    ),
    row(
        S::Decrease,
        "decrease",
        "subtract from a number property of the enrolled record",
        Types::All,
        T::ByEditedObject,
        I::None,
    ),
    row(
        S::AddToList,
        "add to list",
        "add the contact to a static list",
        CONTACT,
        T::Hub(Hub::Marketing, Tier::Professional),
        I::None,
    ),
    row(
        S::RemoveFromList,
        "remove from list",
        "remove the contact from a static list",
        CONTACT,
        T::Hub(Hub::Marketing, Tier::Professional),
        I::None,
    ),
    row(
        S::AddToAudience,
        "add to audience",
        "add the contact to an ads audience (created when missing)",
        CONTACT,
        T::None,
        I::None,
    ),
    row(
        S::RemoveFromAudience,
        "remove from audience",
        "remove the contact from an ads audience created by workflows",
        CONTACT,
        T::None,
        I::None,
    ),
    row(
        S::Subscription,
        "opt in / opt out",
        "manage the contact's subscription status",
        CONTACT,
        T::None,
        I::None,
    ),
    row(
        S::SalesforceTask,
        "salesforce task",
        "create a Salesforce task for the contact's owner or the integration user",
        CONTACT,
        T::None,
        I::Named("salesforce"),
    ),
    row(
        S::SalesforceCampaign,
        "salesforce campaign",
        "set the contact's Salesforce campaign",
        CONTACT,
        T::None,
        I::Named("salesforce"),
    ),
];

/// The catalog row of a step id.
pub fn info(id: StepId) -> &'static StepInfo {
    // Every id has exactly one row (tested below); the fallback is never used.
    STEPS.iter().find(|r| r.id == id).unwrap_or(&STEPS[0])
}

/// What `create <object>` needs: `None` for company, the hub tier for deal
/// and ticket, any hub at enterprise for a custom object. `contact` and
/// `quote` cannot be created (WF201), so they need nothing here.
pub fn create_tier(object: &str, builtin: bool) -> TierNeed {
    match object {
        "deal" => T::Hub(Hub::Sales, Tier::Professional),
        "ticket" => T::Hub(Hub::Service, Tier::Professional),
        _ if !builtin => T::AnyHub(Tier::Enterprise),
        _ => T::None,
    }
}

/// Object types `create` may make besides custom objects.
pub const CREATABLE_BUILTINS: [&str; 3] = ["company", "deal", "ticket"];

/// What editing a property of `object` needs (set, append, copy target,
/// clear, increase, decrease). Custom objects need nothing beyond what the
/// workflow itself needs.
pub fn edit_tier(object: &str) -> TierNeed {
    match object {
        "deal" => T::Hub(Hub::Sales, Tier::Professional),
        "quote" => T::Hub(Hub::Sales, Tier::Enterprise),
        "ticket" => T::Hub(Hub::Service, Tier::Professional),
        _ => T::None,
    }
}

/// What any workflow on a custom object needs.
pub const CUSTOM_OBJECT_WORKFLOW: TierNeed = T::AnyHub(Tier::Enterprise);

/// Longest Slack channel name, in characters.
pub const MAX_SLACK_CHANNEL: usize = 80;

/// Whether `c` may appear in a Slack channel name: lowercase ASCII letters,
/// digits, `-` and `_`.
pub fn slack_channel_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// Why a whole Slack channel name is invalid, if it is: the rule of
/// `create slack channel`. The checker applies it to literal names (WF501),
/// the runtime to the name a run renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelProblem {
    Empty,
    /// More than [`MAX_SLACK_CHANNEL`] characters (the count).
    TooLong(usize),
    /// The first character that is not allowed.
    BadChar(char),
}

/// The first problem of a channel name: a bad character, then its length.
pub fn slack_channel_problem(name: &str) -> Option<ChannelProblem> {
    if let Some(c) = name.chars().find(|c| !slack_channel_char(*c)) {
        return Some(ChannelProblem::BadChar(c));
    }
    match name.chars().count() {
        0 => Some(ChannelProblem::Empty),
        n if n > MAX_SLACK_CHANNEL => Some(ChannelProblem::TooLong(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_exactly_one_row() {
        for r in STEPS {
            assert_eq!(
                STEPS.iter().filter(|x| x.id == r.id).count(),
                1,
                "{:?}",
                r.id
            );
            assert_eq!(info(r.id).id, r.id);
        }
        assert_eq!(STEPS.len(), 34);
    }

    #[test]
    fn contact_only_rows() {
        let contact_only: Vec<StepId> = STEPS
            .iter()
            .filter(|r| r.types == CONTACT)
            .map(|r| r.id)
            .collect();
        assert_eq!(contact_only.len(), 8);
        assert!(!info(S::CreateSlackChannel).types.allows("contact"));
        assert!(info(S::CreateSlackChannel).types.allows("deal"));
        assert!(info(S::Webhook).types.allows("pets"));
    }

    #[test]
    fn slack_channel_rule() {
        assert_eq!(slack_channel_problem("sales-nl_2"), None);
        assert_eq!(slack_channel_problem(""), Some(ChannelProblem::Empty));
        assert_eq!(slack_channel_problem(&"a".repeat(80)), None);
        assert_eq!(
            slack_channel_problem(&"a".repeat(81)),
            Some(ChannelProblem::TooLong(81))
        );
        assert_eq!(
            slack_channel_problem("Sales"),
            Some(ChannelProblem::BadChar('S'))
        );
    }
}
