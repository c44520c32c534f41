use super::*;

#[test]
fn same_seed_same_text_and_size_reached() {
    let a = generate(7, 50_000);
    let b = generate(7, 50_000);
    assert_eq!(a, b);
    assert!(a.len() >= 50_000);
    assert_ne!(a, generate(8, 50_000));
}

#[test]
fn covers_every_construct() {
    let text = generate(1, 400_000);
    for needle in [
        "centered on",
        "enroll when",
        "enroll on",
        "reenroll",
        "goal ",
        "unenroll when",
        "delay until",
        " max ",
        " else if ",
        " else {",
        "branch on",
        "goto ",
        "enroll in",
        "webhook ",
        "send internal email",
        "send internal sms",
        "send notification",
        "send email",
        "send internal marketing email",
        "send slack to channel",
        "send slack to user",
        "create slack channel",
        "create asana task",
        "app \"",
        "rotate owner among team",
        "rotate owner among users",
        "create company",
        "create deal",
        "create ticket",
        "create task",
        "set ",
        "+= ",
        "copy ",
        "clear ",
        "increase ",
        "decrease ",
        "add to list",
        "remove from list",
        "add to audience",
        "remove from audience",
        "opt in",
        "opt out",
        "salesforce task",
        "salesforce campaign",
        "{{",
        " not ",
        " in [",
        "contains",
        "is known",
        "for company",
        "for deal",
        "for ticket",
        "for quote",
    ] {
        assert!(text.contains(needle), "corpus never contains {needle:?}");
    }
}
