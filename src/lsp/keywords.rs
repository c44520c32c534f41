//! The step and setting keywords as an author types them (syntax only):
//! what completion inserts and which step of the checker's catalog
//! ([`crate::catalog::STEPS`]) each one names. Hover reads what a
//! step does, its object types and its tier from that catalog, never from
//! here.

use crate::catalog::StepId;

/// What a keyword phrase starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// A step: its row in the checker's catalog (for `delay until` and
    /// `set`, the first of the rows the phrase may start; hover uses the
    /// parsed step when there is one).
    Step(StepId),
    /// A workflow setting (triggers, goal, re-enrollment): no object-type or
    /// tier rule applies to these.
    Setting {
        title: &'static str,
        what: &'static str,
    },
}

/// A keyword phrase that starts a step or a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword {
    /// As typed: `send internal email`.
    pub phrase: &'static str,
    /// What completion inserts (the phrase and what always follows).
    pub insert: &'static str,
    pub meaning: Meaning,
}

impl Keyword {
    pub fn is_setting(&self) -> bool {
        matches!(self.meaning, Meaning::Setting { .. })
    }
}

const fn step(phrase: &'static str, insert: &'static str, id: StepId) -> Keyword {
    Keyword {
        phrase,
        insert,
        meaning: Meaning::Step(id),
    }
}

const fn setting(
    phrase: &'static str,
    insert: &'static str,
    title: &'static str,
    what: &'static str,
) -> Keyword {
    Keyword {
        phrase,
        insert,
        meaning: Meaning::Setting { title, what },
    }
}

use StepId as S;

/// Every step and setting keyword, longest phrases first within a family so
/// that prefix matching finds the most specific one.
pub const KEYWORDS: &[Keyword] = &[
    setting(
        "enroll when",
        "enroll when ",
        "filter trigger",
        "Enrolls records that meet the condition. With several `enroll` lines, a record that meets any of them is enrolled.",
    ),
    setting(
        "enroll on",
        "enroll on ",
        "event trigger",
        "Enrolls records when the event happens.",
    ),
    setting(
        "reenroll",
        "reenroll",
        "re-enrollment",
        "Records may enroll again when they meet a trigger again.",
    ),
    setting(
        "goal",
        "goal ",
        "goal",
        "A record that meets the condition leaves the workflow (goal met); one that meets it already is not enrolled.",
    ),
    setting(
        "unenroll when",
        "unenroll when ",
        "unenrollment",
        "A record that meets the condition leaves the workflow; one that meets it already is not enrolled.",
    ),
    step("delay until", "delay until ", S::DelayUntilTime),
    step("delay", "delay ", S::Delay),
    step("if", "if ", S::If),
    step("branch on", "branch on ", S::Branch),
    step("goto", "goto ", S::Goto),
    step("enroll in", "enroll in \"", S::EnrollIn),
    step("webhook post", "webhook post \"https://", S::Webhook),
    step("webhook get", "webhook get \"https://", S::Webhook),
    step("send internal marketing email", "send internal marketing email \"", S::SendInternalMarketingEmail),
    step("send internal email", "send internal email to ", S::SendInternalEmail),
    step("send internal sms", "send internal sms to ", S::SendInternalSms),
    step("send notification", "send notification to ", S::SendNotification),
    step("send email", "send email \"", S::SendEmail),
    step("send slack", "send slack to ", S::SendSlack),
    step("create slack channel", "create slack channel \"", S::CreateSlackChannel),
    step("create asana task", "create asana task \"", S::CreateAsanaTask),
    step("create task", "create task \"", S::CreateTask),
    step("create", "create ", S::CreateRecord),
    step("app", "app \"", S::AppAction),
    step("rotate owner among", "rotate owner among ", S::RotateOwner),
    step("set", "set ", S::Set),
    step("copy", "copy ", S::Copy),
    step("clear", "clear ", S::Clear),
    step("increase", "increase ", S::Increase),
    step("decrease", "decrease ", S::Decrease),
    step("add to list", "add to list \"", S::AddToList),
    step("remove from list", "remove from list \"", S::RemoveFromList),
    step("add to audience", "add to audience \"", S::AddToAudience),
    step("remove from audience", "remove from audience \"", S::RemoveFromAudience),
    step("opt in", "opt in \"", S::Subscription),
    step("opt out", "opt out \"", S::Subscription),
    step("salesforce task", "salesforce task \"", S::SalesforceTask),
    step("salesforce campaign", "salesforce campaign \"", S::SalesforceCampaign),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_inserts_itself_and_every_step_has_a_keyword() {
        for k in KEYWORDS {
            assert!(k.insert.starts_with(k.phrase), "{}", k.phrase);
        }
        // Steps only the parser tells apart (`delay until` forms, `set +=`)
        // share a phrase; every other catalog row has one.
        let shared = [S::DelayUntilEvent, S::DelayUntilDate, S::Append];
        for row in crate::catalog::STEPS {
            let named = KEYWORDS.iter().any(|k| k.meaning == Meaning::Step(row.id));
            assert_eq!(named, !shared.contains(&row.id), "{:?}", row.id);
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
