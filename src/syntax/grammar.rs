//! The pest parser generated from `grammar/wf.pest`.

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/wf.pest"]
pub struct WfParser;

/// Every keyword rule with its text, quoted for messages. Keyword rules are
/// the last rules of the grammar (see [`is_keyword`]).
pub(crate) const KEYWORDS: &[(Rule, &str)] = &[
    (Rule::k_workflow, "`workflow`"),
    (Rule::k_for, "`for`"),
    (Rule::k_centered, "`centered`"),
    (Rule::k_on, "`on`"),
    (Rule::k_property, "`property`"),
    (Rule::k_enroll, "`enroll`"),
    (Rule::k_when, "`when`"),
    (Rule::k_reenroll, "`reenroll`"),
    (Rule::k_goal, "`goal`"),
    (Rule::k_unenroll, "`unenroll`"),
    (Rule::k_in, "`in`"),
    (Rule::k_delay, "`delay`"),
    (Rule::k_until, "`until`"),
    (Rule::k_at, "`at`"),
    (Rule::k_date, "`date`"),
    (Rule::k_max, "`max`"),
    (Rule::k_if, "`if`"),
    (Rule::k_else, "`else`"),
    (Rule::k_branch, "`branch`"),
    (Rule::k_goto, "`goto`"),
    (Rule::k_webhook, "`webhook`"),
    (Rule::k_send, "`send`"),
    (Rule::k_email, "`email`"),
    (Rule::k_internal, "`internal`"),
    (Rule::k_sms, "`sms`"),
    (Rule::k_marketing, "`marketing`"),
    (Rule::k_notification, "`notification`"),
    (Rule::k_slack, "`slack`"),
    (Rule::k_to, "`to`"),
    (Rule::k_subject, "`subject`"),
    (Rule::k_body, "`body`"),
    (Rule::k_text, "`text`"),
    (Rule::k_owner, "`owner`"),
    (Rule::k_user, "`user`"),
    (Rule::k_users, "`users`"),
    (Rule::k_team, "`team`"),
    (Rule::k_number, "`number`"),
    (Rule::k_channel, "`channel`"),
    (Rule::k_create, "`create`"),
    (Rule::k_asana, "`asana`"),
    (Rule::k_task, "`task`"),
    (Rule::k_project, "`project`"),
    (Rule::k_due, "`due`"),
    (Rule::k_app, "`app`"),
    (Rule::k_action, "`action`"),
    (Rule::k_rotate, "`rotate`"),
    (Rule::k_among, "`among`"),
    (Rule::k_overwrite, "`overwrite`"),
    (Rule::k_set, "`set`"),
    (Rule::k_copy, "`copy`"),
    (Rule::k_append, "`append`"),
    (Rule::k_clear, "`clear`"),
    (Rule::k_increase, "`increase`"),
    (Rule::k_decrease, "`decrease`"),
    (Rule::k_by, "`by`"),
    (Rule::k_add, "`add`"),
    (Rule::k_remove, "`remove`"),
    (Rule::k_from, "`from`"),
    (Rule::k_list, "`list`"),
    (Rule::k_audience, "`audience`"),
    (Rule::k_opt, "`opt`"),
    (Rule::k_basis, "`basis`"),
    (Rule::k_explanation, "`explanation`"),
    (Rule::k_salesforce, "`salesforce`"),
    (Rule::k_campaign, "`campaign`"),
    (Rule::k_integration_user, "`integration_user`"),
    (Rule::k_or, "`or`"),
    (Rule::k_and, "`and`"),
    (Rule::k_not, "`not`"),
    (Rule::k_is, "`is`"),
    (Rule::k_known, "`known`"),
    (Rule::k_unknown, "`unknown`"),
    (Rule::k_contains, "`contains`"),
    (Rule::k_form, "`form`"),
    (Rule::k_submitted, "`submitted`"),
    (Rule::k_page, "`page`"),
    (Rule::k_viewed, "`viewed`"),
    (Rule::k_event, "`event`"),
    (Rule::k_test, "`test`"),
    (Rule::k_start, "`start`"),
    (Rule::k_with, "`with`"),
    (Rule::k_expect, "`expect`"),
    (Rule::k_error, "`error`"),
    (Rule::k_enrolled, "`enrolled`"),
    (Rule::k_finished, "`finished`"),
    (Rule::k_left, "`left`"),
    (Rule::k_unenrolled, "`unenrolled`"),
    (Rule::k_reached, "`reached`"),
    (Rule::k_took, "`took`"),
    (Rule::k_of, "`of`"),
    (Rule::k_ran, "`ran`"),
    (Rule::k_once, "`once`"),
    (Rule::k_twice, "`twice`"),
    (Rule::k_times, "`times`"),
    (Rule::k_within, "`within`"),
];

/// True for the keyword rules (`k_*`), which stand last in the grammar.
pub(crate) fn is_keyword(r: Rule) -> bool {
    r >= Rule::k_workflow && r != Rule::EOI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_table_matches_rule_names() {
        for &(r, quoted) in KEYWORDS {
            assert!(is_keyword(r), "{r:?}");
            assert_eq!(format!("{r:?}"), format!("k_{}", quoted.trim_matches('`')));
        }
        // every rule named k_* is a keyword, and no other
        let mut n = 0;
        for r in Rule::all_rules() {
            let name = format!("{r:?}");
            assert_eq!(is_keyword(*r), name.starts_with("k_"), "{name}");
            if name.starts_with("k_") {
                n += 1;
            }
        }
        assert_eq!(n, KEYWORDS.len());
    }
}
