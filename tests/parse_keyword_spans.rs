//! The keyword span of every step kind (the primary span of the
//! diagnostics about the step as a whole) starts at its first keyword and
//! covers its whole keyword phrase: `opt in`, not `opt`; `send internal
//! email`, not `send`. Both parsers agree (tests/parse_differential.rs).

use wfc::source::SourceMap;
use wfc::syntax::{parse, parse_with_pest};

/// (step, its keyword phrase); one line per step kind of the language.
const CASES: &[(&str, &str)] = &[
    ("delay 2d", "delay"),
    ("delay until date", "delay until"),
    ("delay until 1d before date at 9:00", "delay until"),
    ("delay until monday, friday at 9:00", "delay until"),
    ("delay until 9:00", "delay until"),
    ("delay until form \"F\" submitted max 2d", "delay until"),
    ("if hubspotscore > 1 {\n  delay 1d\n}", "if"),
    (
        "branch on lifecyclestage {\n  \"lead\" {\n    delay 1d\n  }\n}",
        "branch on",
    ),
    ("goto somewhere", "goto"),
    ("enroll in \"Other\"", "enroll in"),
    ("webhook post \"https://example.com\"", "webhook"),
    ("send email \"Welcome\"", "send email"),
    (
        "send internal email to owner subject \"S\" body \"B\"",
        "send internal email",
    ),
    (
        "send internal sms to user \"a@b.co\" text \"T\"",
        "send internal sms",
    ),
    (
        "send internal marketing email \"E\" to \"a@b.co\"",
        "send internal marketing email",
    ),
    (
        "send notification to owner subject \"S\" body \"B\"",
        "send notification",
    ),
    ("send slack to channel \"sales\" text \"T\"", "send slack"),
    (
        "create slack channel \"deals\" private",
        "create slack channel",
    ),
    (
        "create asana task \"T\" in project \"P\"",
        "create asana task",
    ),
    ("create task \"T\" due 2d for owner", "create task"),
    ("create company { name = \"A\" }", "create"),
    ("app \"Zoom\" action \"Meet\" {}", "app"),
    (
        "rotate owner among team \"Sales\" overwrite",
        "rotate owner",
    ),
    ("set firstname = \"A\"", "set"),
    ("set tags += \"a\"", "set"),
    ("copy firstname to lastname append", "copy"),
    ("clear firstname", "clear"),
    ("increase hubspotscore by 1", "increase"),
    ("decrease hubspotscore by 1", "decrease"),
    ("add to list \"L\"", "add to list"),
    ("add to audience \"A\"", "add to audience"),
    ("remove from list \"L\"", "remove from list"),
    ("remove from audience \"A\"", "remove from audience"),
    (
        "opt in \"News\" basis consent explanation \"asked\"",
        "opt in",
    ),
    ("opt out \"News\"", "opt out"),
    ("opt  in \"News\"", "opt  in"),
    ("salesforce task \"Call\" for owner", "salesforce task"),
    ("salesforce campaign \"C\"", "salesforce campaign"),
];

#[test]
fn every_step_kind_has_its_whole_keyword_phrase_as_keyword_span() {
    let mut kinds = std::collections::HashSet::new();
    for &(step, phrase) in CASES {
        let text = format!("workflow \"T\" for contact {{\n  x: {step}\n}}\n");
        let mut sources = SourceMap::new();
        let id = sources.add("t.wf", text.clone());
        for (which, (file, _)) in [
            ("fast", parse(&sources, id)),
            ("pest", parse_with_pest(&sources, id)),
        ] {
            let w = file.workflows.first().expect("a workflow");
            let st = w.body.steps.first().expect("a step");
            let k = st.keyword;
            let got = &text[k.start as usize..k.end as usize];
            assert_eq!(got, phrase, "{which}: keyword span of `{step}`");
            // the step (without its label) starts at its first keyword
            assert_eq!(st.span.start, k.start, "{which}: step span of `{step}`");
            kinds.insert(std::mem::discriminant(&st.kind));
        }
    }
    // every variant of `StepKind` is covered
    assert_eq!(kinds.len(), STEP_KINDS, "step kinds covered");
}

/// The number of variants of `StepKind`.
const STEP_KINDS: usize = 34;
