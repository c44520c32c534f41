//! Hover on each kind of name.

use super::*;

/// Hover on each kind: action keywords (facts from the checker's catalog),
/// properties, workflow names in `enroll in`, labels in `goto`.
#[test]
fn hover_on_each_kind() {
    let text = r#"workflow "Deals 😀" for deal {
  create slack channel "deals"
  set dealstage = "closedwon"
  if amount > 100 {
    big: delay until closedate
  } else {
    goto big
  }
}
workflow "Contacts" for contact {
  add to list "Hot"
  send email "Welcome"
  set company.industry = "ACCOUNTING"
  delay until form "Demo" submitted max 2d
  enroll in "Deals 😀"
}
"#;
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-hover/h.wf";
    s.initialize();
    s.open(uri, text);
    let mut hover = |needle: &str, shift: usize| {
        let (l, c) = find(text, needle, shift);
        let h = s.result("textDocument/hover", doc_pos(uri, l, c));
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let h = hover("create slack channel", 8);
    assert!(h.contains("object types: company, deal"), "{h}");
    assert!(h.contains("slack integration"), "{h}");
    let h = hover("add to list", 0);
    assert!(h.contains("object types: contact"), "{h}");
    assert!(h.contains("needs: marketing professional"), "{h}");
    let h = hover("set dealstage", 1);
    assert!(h.contains("deal: sales professional"), "{h}");
    // The parsed step picks the `delay until` form.
    let h = hover("delay until form", 1);
    assert!(h.contains("until the record has the event"), "{h}");
    // A property: its object, type and options.
    let h = hover("dealstage", 3);
    assert!(
        h.contains("property of `deal`") && h.contains("closedwon"),
        "{h}"
    );
    let h = hover("company.industry", 10);
    assert!(
        h.contains("property of `company`") && h.contains("ACCOUNTING"),
        "{h}"
    );
    // A workflow name in `enroll in`: object type and file.
    let h = hover("enroll in \"Deals", 12);
    assert!(
        h.contains("for `deal`") && h.contains("`h.wf` line 1"),
        "{h}"
    );
    // A label in `goto`: the labelled step.
    let h = hover("goto big", 6);
    assert!(
        h.contains("big: delay until closedate") && h.contains("line 5"),
        "{h}"
    );
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
