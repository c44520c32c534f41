//! Names, words and values the generator writes: workflow names, emails,
//! lists, teams, strings with escapes and non-ASCII text.

pub(super) const FIRST_WORDS: &[&str] = &[
    "Benelux",
    "Enterprise",
    "Trial",
    "Renewal",
    "Onboarding",
    "Churn risk",
    "Upsell",
    "Webinar",
    "Nurture",
    "Re-engagement",
    "Partner",
    "Support",
    "Billing",
    "Event",
    "Pipeline",
    "Inbound",
    "Outbound",
    "Q3",
    "EMEA",
    "APAC",
    "Händler",
    "Café owners",
    "Large accounts",
    "SMB",
];
pub(super) const SECOND_WORDS: &[&str] = &[
    "follow-up",
    "lead nurture",
    "handover",
    "welcome series",
    "escalation",
    "reminder",
    "scoring",
    "routing",
    "clean-up",
    "alerts",
    "digest",
    "drip",
];
pub(super) const EMAILS: &[&str] = &[
    "Welcome #1",
    "Welcome #2",
    "Demo follow-up",
    "Pricing guide",
    "Case study: \\\"Acme\\\"",
    "Renewal notice",
    "Newsletter — June",
];
pub(super) const LISTS: &[&str] = &[
    "Hot leads",
    "Benelux prospects",
    "Webinar attendees",
    "Churned",
];
pub(super) const TEAMS: &[&str] = &["Sales NL", "Sales DE", "Support Tier 2", "Customer Success"];
pub(super) const USERS: &[&str] = &[
    "ana@example.com",
    "bo@example.com",
    "chris.d@example.co.uk",
    "dee+ops@example.org",
];
pub(super) const FORMS: &[&str] = &["Demo request", "Contact us", "Newsletter sign-up", "Trial"];
pub(super) const PAGES: &[&str] = &["/pricing", "/demo", "/docs/getting-started", "/careers"];
pub(super) const CUSTOM_EVENTS: &[&str] = &["Trial started", "Invoice paid", "Seat added"];
pub(super) const AUDIENCES: &[&str] = &["Retargeting", "Lookalike EU"];
pub(super) const SUBSCRIPTIONS: &[&str] = &["Newsletter", "Product updates", "One-to-one"];
pub(super) const BASES: &[&str] = &[
    "legitimate_interest_prospect",
    "legitimate_interest_client",
    "contract",
    "consent",
    "not_applicable",
];
pub(super) const CHANNELS: &[&str] = &["sales-alerts", "deals_won", "support-escalations", "ops"];
pub(super) const WORDS: &[&str] = &[
    "new", "lead", "is", "ready", "for", "a", "call", "please", "check", "the", "account", "today",
    "renewal", "due", "soon", "thanks", "größer", "déjà", "vu", "ASAP",
];
/// Escapes as written in the source.
pub(super) const ESCAPES: &[&str] = &[
    "\\\"quoted\\\"",
    "tab\\there",
    "line\\nbreak",
    "\\u{1F680}",
    "back\\\\slash",
];
pub(super) const STRING_VALUES: &[&str] = &[
    "Netherlands",
    "Belgium",
    "Germany",
    "France",
    "Amsterdam",
    "Berlin",
    "CEO",
    "CTO",
    "Head of Sales",
    "example.com",
];
pub(super) const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
pub(super) const APPS: &[(&str, &str)] = &[
    ("Zoom", "Create meeting"),
    ("Trello", "Create card"),
    ("Jira", "Create issue"),
];
