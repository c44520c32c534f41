//! The step and setting keywords an author types, and what hover says about
//! each action.
//!
//! [`action_doc`] is the one place hover reads action facts from; it is a
//! summary of `shared/domain.md`'s action catalog until the checker's public
//! catalog lands, then it becomes a lookup there (one edit).

/// What hover shows for an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionDoc {
    pub title: &'static str,
    pub what: &'static str,
    /// The workflow object types where the action may appear.
    pub types: &'static str,
    /// The subscription (and integration) it needs.
    pub tier: &'static str,
}

/// A keyword phrase that starts a step or a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword {
    /// As typed: `send internal email`.
    pub phrase: &'static str,
    /// What completion inserts (the phrase and what always follows).
    pub insert: &'static str,
    pub setting: bool,
}

const fn step(phrase: &'static str, insert: &'static str) -> Keyword {
    Keyword {
        phrase,
        insert,
        setting: false,
    }
}

const fn setting(phrase: &'static str, insert: &'static str) -> Keyword {
    Keyword {
        phrase,
        insert,
        setting: true,
    }
}

/// Every step and setting keyword, longest phrases first within a family so
/// that prefix matching finds the most specific one.
pub const KEYWORDS: &[Keyword] = &[
    setting("enroll when", "enroll when "),
    setting("enroll on", "enroll on "),
    setting("reenroll", "reenroll"),
    setting("goal", "goal "),
    setting("unenroll when", "unenroll when "),
    step("delay until", "delay until "),
    step("delay", "delay "),
    step("if", "if "),
    step("branch on", "branch on "),
    step("goto", "goto "),
    step("enroll in", "enroll in \""),
    step("webhook post", "webhook post \"https://"),
    step("webhook get", "webhook get \"https://"),
    step(
        "send internal marketing email",
        "send internal marketing email \"",
    ),
    step("send internal email", "send internal email to "),
    step("send internal sms", "send internal sms to "),
    step("send notification", "send notification to "),
    step("send email", "send email \""),
    step("send slack", "send slack to "),
    step("create slack channel", "create slack channel \""),
    step("create asana task", "create asana task \""),
    step("create task", "create task \""),
    step("create", "create "),
    step("app", "app \""),
    step("rotate owner among", "rotate owner among "),
    step("set", "set "),
    step("copy", "copy "),
    step("clear", "clear "),
    step("increase", "increase "),
    step("decrease", "decrease "),
    step("add to list", "add to list \""),
    step("remove from list", "remove from list \""),
    step("add to audience", "add to audience \""),
    step("remove from audience", "remove from audience \""),
    step("opt in", "opt in \""),
    step("opt out", "opt out \""),
    step("salesforce task", "salesforce task \""),
    step("salesforce campaign", "salesforce campaign \""),
];

/// The longest keyword phrase that `words` (the identifiers a step starts
/// with) begins with, and how many words it spans.
pub fn match_keyword(words: &[&str]) -> Option<(&'static Keyword, usize)> {
    let mut best: Option<(&'static Keyword, usize)> = None;
    for k in KEYWORDS {
        let n = k.phrase.split(' ').count();
        if words.len() >= n
            && k.phrase.split(' ').zip(words).all(|(a, b)| a == *b)
            && best.is_none_or(|(_, m)| n > m)
        {
            best = Some((k, n));
        }
    }
    best
}

/// Hover facts about the action or setting named by `phrase`.
pub fn action_doc(phrase: &str) -> Option<ActionDoc> {
    const ALL: &str = "all";
    const NONE: &str = "none (any account that can run workflows)";
    let d = |title, what, types, tier| {
        Some(ActionDoc {
            title,
            what,
            types,
            tier,
        })
    };
    match phrase {
        "delay" | "delay until" => d(
            "delay",
            "Holds the record: for a set time (`delay 2d 4h`), until a day or time of day in the account's time zone (`delay until tuesday at 11:00`), until an event happens (`delay until form \"X\" submitted max 7d`), or, in a date-centred workflow, until a time relative to the centre date.",
            ALL,
            NONE,
        ),
        "if" => d(
            "if/then branch",
            "Routes each record down the first path whose condition it meets, else down the `else` (\"none met\") path. Steps after the branch run after whichever path was taken.",
            ALL,
            NONE,
        ),
        "branch on" => d(
            "value branch",
            "Routes each record by the value of one property: one path per listed value, `else` for the rest.",
            ALL,
            NONE,
        ),
        "goto" => d(
            "go to other action",
            "Jumps to a labelled step. Only as the last step of a path of an if/then or value branch, and only to a step in a different path of a branch that encloses it (so a workflow can never loop).",
            ALL,
            NONE,
        ),
        "enroll in" => d(
            "enroll in another workflow",
            "Enrolls the record in another workflow, which must be of the same object type. A record already enrolled there is not enrolled again (an error in its history) and goes on.",
            ALL,
            NONE,
        ),
        "webhook post" | "webhook get" => d(
            "trigger a webhook",
            "Sends the enrolled record, as JSON, to an absolute `https` URL.",
            ALL,
            "any hub at enterprise",
        ),
        "send internal email" => d(
            "send internal email",
            "Emails users, teams and/or the record's owner. Tokens `{{ object.property }}` of the workflow's object and its associated types are filled in.",
            ALL,
            NONE,
        ),
        "send internal sms" => d(
            "send internal SMS",
            "Texts users or phone numbers; at most 1,000 texts a calendar month per account. The record waits until the text is sent or failed, at most 72 hours.",
            ALL,
            NONE,
        ),
        "send notification" => d(
            "send in-app notification",
            "Sends an in-app notification to users and/or teams.",
            ALL,
            NONE,
        ),
        "send email" => d(
            "send email",
            "Sends an existing automated marketing email to the contacts associated with the record (for a contact workflow: the contact). From a non-contact workflow it reaches at most 100 associated contacts.",
            ALL,
            "marketing professional",
        ),
        "send internal marketing email" => d(
            "send internal marketing email",
            "Sends an existing automated email to given addresses or to an address stored in a contact property.",
            "contact",
            NONE,
        ),
        "send slack" => d(
            "send Slack notification",
            "Posts to a channel or a user of the connected Slack workspace.",
            ALL,
            "Slack connected",
        ),
        "create slack channel" => d(
            "create Slack channel",
            "Creates a channel (at most 80 characters of lowercase letters, digits, `-` and `_`), public by default; a private one is visible only to the record's owner. The record must have an owner.",
            "company, deal",
            "Slack connected",
        ),
        "create asana task" => d(
            "create Asana task",
            "Creates a task in a connected Asana project.",
            ALL,
            "Asana connected",
        ),
        "app" => d(
            "app action",
            "Runs an action provided by a connected app.",
            ALL,
            "the app connected",
        ),
        "rotate owner among" => d(
            "rotate record to owner",
            "Assigns the record to the next owner, evenly, among the given users or a team's members. Without `overwrite`, records that already have an owner are skipped.",
            ALL,
            NONE,
        ),
        "create" => d(
            "create record",
            "Creates a record of the given type and associates it with the enrolled record. Properties set must exist on the created type; required ones must be set. A custom object needs an association with the workflow's object type.",
            ALL,
            "company: none · deal: sales professional · ticket: service professional · custom object: any hub at enterprise",
        ),
        "create task" => d(
            "create task",
            "Creates a task associated with the enrolled record.",
            ALL,
            NONE,
        ),
        "set" | "copy" | "clear" | "increase" | "decrease" => d(
            match phrase {
                "set" => "set property value",
                "copy" => "copy property value",
                "clear" => "clear property value",
                "increase" => "increase property value",
                _ => "decrease property value",
            },
            match phrase {
                "set" => "Sets a property of the enrolled record, or of every associated record of a type (`company.city`). `+=` appends to a multiple-checkbox property.",
                "copy" => "Copies a value between compatible properties; a target on an associated type updates every associated record of that type.",
                "clear" => "Empties the property on the record or on every associated record of that type.",
                _ => "Changes a number property of the enrolled record (an empty value counts as 0).",
            },
            ALL,
            "by the edited object: contact, company none · deal: sales professional · quote: sales enterprise · ticket: service professional",
        ),
        "add to list" | "remove from list" => d(
            "static list membership",
            "Adds the contact to, or removes it from, a static list.",
            "contact",
            "marketing professional",
        ),
        "add to audience" | "remove from audience" => d(
            "ads audience membership",
            "Adds the contact to an ads audience (created by the workflow tool when missing), or removes it from one the workflow tool created.",
            "contact",
            NONE,
        ),
        "opt in" | "opt out" => d(
            "manage subscription status",
            "Opts the contact in to or out of a subscription type, with an optional legal basis and explanation.",
            "contact",
            NONE,
        ),
        "salesforce task" => d(
            "create Salesforce task",
            "Creates a Salesforce task for the contact's owner or the integration user.",
            "contact",
            "Salesforce connected",
        ),
        "salesforce campaign" => d(
            "set Salesforce campaign",
            "Adds the contact to a Salesforce campaign.",
            "contact",
            "Salesforce connected",
        ),
        "enroll when" => d(
            "filter trigger",
            "Enrolls records that meet the condition. With several `enroll` lines, a record that meets any of them is enrolled.",
            ALL,
            NONE,
        ),
        "enroll on" => d(
            "event trigger",
            "Enrolls records when the event happens.",
            ALL,
            NONE,
        ),
        "reenroll" => d(
            "re-enrollment",
            "Records may enroll again when they meet a trigger again.",
            ALL,
            NONE,
        ),
        "goal" => d(
            "goal",
            "A record that meets the condition leaves the workflow (goal met); one that meets it already is not enrolled.",
            ALL,
            NONE,
        ),
        "unenroll when" => d(
            "unenrollment",
            "A record that meets the condition leaves the workflow; one that meets it already is not enrolled.",
            ALL,
            NONE,
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_has_a_doc() {
        for k in KEYWORDS {
            assert!(action_doc(k.phrase).is_some(), "{}", k.phrase);
            assert!(k.insert.starts_with(k.phrase), "{}", k.phrase);
        }
    }

    #[test]
    fn longest_phrase_wins() {
        let (k, n) = match_keyword(&["send", "internal", "marketing", "email"]).unwrap();
        assert_eq!((k.phrase, n), ("send internal marketing email", 4));
        let (k, n) = match_keyword(&["send", "internal", "email", "to"]).unwrap();
        assert_eq!((k.phrase, n), ("send internal email", 3));
        let (k, _) = match_keyword(&["create", "deal"]).unwrap();
        assert_eq!(k.phrase, "create");
        assert!(match_keyword(&["frobnicate"]).is_none());
    }
}
