//! One parse test per construct of the language: each asserts the AST's
//! shape through a compact S-expression sketch (and spans where they matter).

use wfc::source::{SourceMap, Span};
use wfc::syntax::ast::*;
use wfc::syntax::{self, parse};

// ---------------------------------------------------------------- helpers

fn parse_text(text: &str) -> (SourceMap, SourceFile, Vec<String>) {
    let mut sources = SourceMap::new();
    let id = sources.add("t.wf", text);
    let (file, diags) = parse(&sources, id);
    let diags = diags
        .iter()
        .map(|d| {
            let lc = sources.line_col(id, d.primary.span.start as usize);
            format!(
                "{} {}:{} {}",
                d.code.as_str(),
                lc.line,
                lc.column,
                d.message
            )
        })
        .collect();
    (sources, file, diags)
}

/// Parse a file that must be free of syntax errors.
fn parse_ok(text: &str) -> (SourceMap, SourceFile) {
    let (sources, file, diags) = parse_text(text);
    assert!(diags.is_empty(), "unexpected diagnostics: {diags:#?}");
    (sources, file)
}

/// Wrap `body` in a contact workflow and sketch its steps, one a line.
fn steps(body: &str) -> String {
    let text = format!("workflow \"T\" for contact {{\n{body}\n}}\n");
    let (_, file) = parse_ok(&text);
    assert_eq!(file.workflows.len(), 1);
    file.workflows[0]
        .body
        .steps
        .iter()
        .map(step)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sketch of the single step of `body`.
fn one(body: &str) -> String {
    let s = steps(body);
    assert!(!s.contains('\n'), "more than one step: {s}");
    s
}

/// Wrap `body` in a contact workflow and sketch its settings.
fn settings(body: &str) -> Vec<String> {
    let text = format!("workflow \"T\" for contact {{\n{body}\n}}\n");
    let (_, file) = parse_ok(&text);
    file.workflows[0].settings.iter().map(setting).collect()
}

fn cond_of(c: &str) -> String {
    let s = settings(&format!("enroll when {c}"));
    assert_eq!(s.len(), 1);
    s[0].trim_start_matches("(enroll-when ")
        .strip_suffix(')')
        .unwrap()
        .to_string()
}

fn dur(d: &Duration) -> String {
    d.parts
        .iter()
        .map(|p| {
            let u = match p.unit {
                DurationUnit::Days => "d",
                DurationUnit::Hours => "h",
                DurationUnit::Minutes => "m",
            };
            format!("{}{u}", p.amount)
        })
        .collect::<Vec<_>>()
        .join("+")
}

fn s(x: &StrLit) -> String {
    format!("{:?}", x.value)
}

fn path(p: &Path) -> String {
    match &p.object {
        Some(o) => format!("{}.{}", o.name, p.property.name),
        None => p.property.name.to_string(),
    }
}

fn value(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(x) => s(x),
        ValueKind::Number(n) => n.raw.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Date(d) => format!("date:{:04}-{:02}-{:02}", d.year, d.month, d.day),
        ValueKind::List(items) => format!(
            "[{}]",
            items.iter().map(value).collect::<Vec<_>>().join(" ")
        ),
    }
}

fn time(t: &TimeLit) -> String {
    format!("{}:{:02}", t.hour, t.minute)
}

fn block(b: &Block) -> String {
    format!(
        "{{{}}}",
        b.steps.iter().map(step).collect::<Vec<_>>().join("; ")
    )
}

fn event(e: &Event) -> String {
    match &e.kind {
        EventKind::FormSubmitted(n) => format!("(form {})", s(n)),
        EventKind::PageViewed(n) => format!("(page {})", s(n)),
        EventKind::Email { name, action } => format!("(email {} {action:?})", s(name)),
        EventKind::Custom(n) => format!("(event {})", s(n)),
    }
}

fn cond(c: &Condition) -> String {
    let list = |cs: &[Condition]| cs.iter().map(cond).collect::<Vec<_>>().join(" ");
    match &c.kind {
        ConditionKind::Or(cs) => format!("(or {})", list(cs)),
        ConditionKind::And(cs) => format!("(and {})", list(cs)),
        ConditionKind::Not(x) => format!("(not {})", cond(x)),
        ConditionKind::Group(x) => format!("(group {})", cond(x)),
        ConditionKind::Compare {
            path: p,
            op,
            value: v,
            ..
        } => format!("({} {} {})", op.as_str(), path(p), value(v)),
        ConditionKind::In {
            path: p,
            negated,
            values,
            ..
        } => format!(
            "({} {} {})",
            if *negated { "not-in" } else { "in" },
            path(p),
            value(values)
        ),
        ConditionKind::Contains { path: p, text, .. } => {
            format!("(contains {} {})", path(p), s(text))
        }
        ConditionKind::Known { path: p, known, .. } => {
            format!("({} {})", if *known { "known" } else { "unknown" }, path(p))
        }
        ConditionKind::Event(e) => event(e),
    }
}

fn setting(x: &Setting) -> String {
    match &x.kind {
        SettingKind::EnrollWhen(c) => format!("(enroll-when {})", cond(c)),
        SettingKind::EnrollOn(e) => format!("(enroll-on {})", event(e)),
        SettingKind::Reenroll => "(reenroll)".into(),
        SettingKind::Goal(c) => format!("(goal {})", cond(c)),
        SettingKind::UnenrollWhen(c) => format!("(unenroll-when {})", cond(c)),
    }
}

fn recipients(rs: &[Recipient]) -> String {
    rs.iter()
        .map(|r| match &r.kind {
            RecipientKind::Owner => "owner".to_string(),
            RecipientKind::User(u) => format!("user:{}", s(u)),
            RecipientKind::Team(t) => format!("team:{}", s(t)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fields(fs: &[Field]) -> String {
    fs.iter()
        .map(|f| format!("{}={}", f.key.name, value(&f.value)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn step(st: &Step) -> String {
    let body = match &st.kind {
        StepKind::Delay(d) => format!("(delay {})", dur(d)),
        StepKind::DelayUntilTime { days, time: t } => format!(
            "(until-time [{}] {})",
            days.iter()
                .map(|d| d.day.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            t.as_ref().map(time).unwrap_or("-".into())
        ),
        StepKind::DelayUntilEvent { event: e, max } => format!(
            "(until-event {} max={})",
            event(e),
            max.as_ref().map(dur).unwrap_or("-".into())
        ),
        StepKind::DelayUntilDate { offset, time: t } => format!(
            "(until-date {} {})",
            offset
                .as_ref()
                .map(|o| format!("{}-{:?}", dur(&o.amount), o.direction))
                .unwrap_or("-".into()),
            t.as_ref().map(time).unwrap_or("-".into())
        ),
        StepKind::If { arms, else_block } => {
            let mut out = "(if".to_string();
            for a in arms {
                out.push_str(&format!(" {} {}", cond(&a.condition), block(&a.block)));
            }
            if let Some(e) = else_block {
                out.push_str(&format!(" else {}", block(e)));
            }
            out + ")"
        }
        StepKind::Branch {
            path: p,
            cases,
            else_block,
        } => {
            let mut out = format!("(branch {}", path(p));
            for c in cases {
                let vs: Vec<String> = c.values.iter().map(value).collect();
                out.push_str(&format!(" [{}] {}", vs.join(" "), block(&c.block)));
            }
            if let Some(e) = else_block {
                out.push_str(&format!(" else {}", block(e)));
            }
            out + ")"
        }
        StepKind::Goto(l) => format!("(goto {})", l.name),
        StepKind::EnrollIn(w) => format!("(enroll-in {})", s(w)),
        StepKind::Webhook { method, url } => format!("(webhook {method:?} {})", s(url)),
        StepKind::SendInternalEmail { to, subject, body } => format!(
            "(internal-email [{}] {} {})",
            recipients(to),
            s(subject),
            s(body)
        ),
        StepKind::SendInternalSms { to, text } => format!(
            "(internal-sms [{}] {})",
            to.iter()
                .map(|r| match &r.kind {
                    SmsRecipientKind::User(u) => format!("user:{}", s(u)),
                    SmsRecipientKind::Number(n) => format!("number:{}", s(n)),
                })
                .collect::<Vec<_>>()
                .join(" "),
            s(text)
        ),
        StepKind::SendNotification { to, subject, body } => format!(
            "(notification [{}] {} {})",
            recipients(to),
            s(subject),
            s(body)
        ),
        StepKind::SendEmail(e) => format!("(send-email {})", s(e)),
        StepKind::SendInternalMarketingEmail { email, to } => format!(
            "(marketing-email {} [{}])",
            s(email),
            to.iter()
                .map(|r| match r {
                    MarketingRecipient::Address(a) => s(a),
                    MarketingRecipient::Property(p) => format!("property:{}", p.name),
                })
                .collect::<Vec<_>>()
                .join(" ")
        ),
        StepKind::SendSlack { target, text } => match target {
            SlackTarget::Channel(c) => format!("(slack channel:{} {})", s(c), s(text)),
            SlackTarget::User(u) => format!("(slack user:{} {})", s(u), s(text)),
        },
        StepKind::CreateSlackChannel { name, visibility } => format!(
            "(slack-channel {} {})",
            s(name),
            visibility
                .as_ref()
                .map(|v| format!("{:?}", v.value))
                .unwrap_or("-".into())
        ),
        StepKind::CreateAsanaTask { title, project } => {
            format!("(asana-task {} {})", s(title), s(project))
        }
        StepKind::AppAction {
            app,
            action,
            fields: f,
        } => format!("(app {} {} {{{}}})", s(app), s(action), fields(f)),
        StepKind::RotateOwner { among, overwrite } => format!(
            "(rotate {} overwrite={})",
            match among {
                RotateAmong::Team(t) => format!("team:{}", s(t)),
                RotateAmong::Users(us) =>
                    format!("users:[{}]", us.iter().map(s).collect::<Vec<_>>().join(" ")),
            },
            overwrite.is_some()
        ),
        StepKind::CreateRecord { object, fields: f } => {
            format!("(create {} {{{}}})", object.name, fields(f))
        }
        StepKind::CreateTask {
            title,
            due,
            for_owner,
        } => format!(
            "(task {} due={} for-owner={})",
            s(title),
            due.as_ref().map(dur).unwrap_or("-".into()),
            for_owner.is_some()
        ),
        StepKind::Set { path: p, value: v } => format!("(set {} {})", path(p), value(v)),
        StepKind::Append { path: p, value: v } => format!("(append {} {})", path(p), value(v)),
        StepKind::Copy { from, to, append } => format!(
            "(copy {} {} append={})",
            path(from),
            path(to),
            append.is_some()
        ),
        StepKind::Clear(p) => format!("(clear {})", path(p)),
        StepKind::Increase { path: p, by } => format!("(increase {} {})", path(p), by.raw),
        StepKind::Decrease { path: p, by } => format!("(decrease {} {})", path(p), by.raw),
        StepKind::AddToList(l) => format!("(add-list {})", s(l)),
        StepKind::RemoveFromList(l) => format!("(remove-list {})", s(l)),
        StepKind::AddToAudience(a) => format!("(add-audience {})", s(a)),
        StepKind::RemoveFromAudience(a) => format!("(remove-audience {})", s(a)),
        StepKind::Subscription {
            status,
            subscription,
            basis,
            explanation,
        } => format!(
            "({status:?} {} basis={} explanation={})",
            s(subscription),
            basis.as_ref().map(|b| b.value.as_str()).unwrap_or("-"),
            explanation.as_ref().map(s).unwrap_or("-".into())
        ),
        StepKind::SalesforceTask { subject, assignee } => format!(
            "(sf-task {} {})",
            s(subject),
            assignee
                .as_ref()
                .map(|a| format!("{:?}", a.value))
                .unwrap_or("-".into())
        ),
        StepKind::SalesforceCampaign(c) => format!("(sf-campaign {})", s(c)),
    };
    match &st.label {
        Some(l) => format!("{}: {body}", l.name),
        None => body,
    }
}

fn snip(sources: &SourceMap, span: Span) -> &str {
    sources.snippet(span)
}

// ---------------------------------------------------------------- workflows

#[test]
fn workflow_header_and_spans() {
    let text = "# intro\nworkflow \"Lead nurture\" for contact {\n  send email \"W\"\n}\n";
    let (src, file) = parse_ok(text);
    let w = &file.workflows[0];
    assert_eq!(w.name.value, "Lead nurture");
    assert_eq!(snip(&src, w.name.span), "\"Lead nurture\"");
    assert_eq!(w.object.name, "contact");
    assert_eq!(snip(&src, w.object.span), "contact");
    assert!(w.centered.is_none());
    assert_eq!(snip(&src, w.keyword), "workflow");
    assert!(snip(&src, w.span).starts_with("workflow \"Lead"));
    assert!(snip(&src, w.span).ends_with('}'));
    assert_eq!(snip(&src, w.body.span), "{\n  send email \"W\"\n}");
    assert_eq!(w.body.span.file, file.file);
}

#[test]
fn several_workflows_in_one_file() {
    let (_, file) = parse_ok(
        "workflow \"A\" for contact {}\nworkflow \"B\" for deal {\n}\n\n\nworkflow \"C\" for pets { delay 1d }",
    );
    let names: Vec<_> = file
        .workflows
        .iter()
        .map(|w| w.name.value.as_str())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert_eq!(file.workflows[2].object.name, "pets");
    assert_eq!(file.workflows[2].body.steps.len(), 1);
    assert!(file.workflows[0].body.steps.is_empty());
}

#[test]
fn centered_on_date_and_property() {
    let (src, file) = parse_ok(
        "workflow \"A\" for contact centered on 2026-05-01 {}\nworkflow \"B\" for contact centered on property closedate {}\n",
    );
    let a = file.workflows[0].centered.as_ref().unwrap();
    match &a.kind {
        CenteringKind::Date(d) => assert_eq!((d.year, d.month, d.day), (2026, 5, 1)),
        k => panic!("{k:?}"),
    }
    assert_eq!(snip(&src, a.span), "centered on 2026-05-01");
    let b = file.workflows[1].centered.as_ref().unwrap();
    match &b.kind {
        CenteringKind::Property(p) => assert_eq!(snip(&src, p.span), "closedate"),
        k => panic!("{k:?}"),
    }
    assert_eq!(snip(&src, b.span), "centered on property closedate");
}

#[test]
fn settings_in_source_order_anywhere_at_top_level() {
    let body = "enroll when lifecyclestage is \"lead\"\ndelay 1d\nenroll on form \"Demo\" submitted\nreenroll\ngoal lifecyclestage is \"customer\"\nunenroll when hs_lead_status is \"BAD\"";
    assert_eq!(
        settings(body),
        [
            "(enroll-when (is lifecyclestage \"lead\"))",
            "(enroll-on (form \"Demo\"))",
            "(reenroll)",
            "(goal (is lifecyclestage \"customer\"))",
            "(unenroll-when (is hs_lead_status \"BAD\"))",
        ]
    );
    assert_eq!(steps(body), "(delay 1d)");
}

#[test]
fn setting_keyword_and_line_spans() {
    let text = "workflow \"T\" for contact {\n  enroll when x is 1\n  unenroll  when y is 2\n  reenroll\n}";
    let (src, file) = parse_ok(text);
    let s = &file.workflows[0].settings;
    assert_eq!(snip(&src, s[0].keyword), "enroll when");
    assert_eq!(snip(&src, s[0].span), "enroll when x is 1");
    assert_eq!(snip(&src, s[1].keyword), "unenroll  when");
    assert_eq!(snip(&src, s[2].keyword), "reenroll");
    assert_eq!(snip(&src, s[2].span), "reenroll");
}

#[test]
fn the_taste_example_of_the_reference() {
    let text = r#"# Nurture new leads from the Benelux.
workflow "Benelux lead nurture" for contact {
  enroll when lifecyclestage is "lead" and country in ["Netherlands", "Belgium"]
  enroll on form "Demo request" submitted
  reenroll
  goal lifecyclestage is "customer"

  delay 1d
  send email "Welcome #1"
  delay until tuesday, thursday at 11:00

  if company.industry is "ACCOUNTING" {
    set hs_lead_status = "OPEN"
    rotate owner among team "Sales NL"
    notify: send internal email to owner subject "New accountant lead" body "{{ contact.firstname }} is in."
  } else if hubspotscore >= 50 {
    add to list "Hot leads"
    goto notify
  } else {
    delay until page "/pricing" viewed max 7d
    increase hubspotscore by 10
  }
}
"#;
    let (_, file) = parse_ok(text);
    let w = &file.workflows[0];
    assert_eq!(w.settings.len(), 4);
    let sketch: Vec<String> = w.body.steps.iter().map(step).collect();
    assert_eq!(
        sketch,
        [
            "(delay 1d)",
            "(send-email \"Welcome #1\")",
            "(until-time [tuesday thursday] 11:00)",
            "(if (is company.industry \"ACCOUNTING\") {(set hs_lead_status \"OPEN\"); \
             (rotate team:\"Sales NL\" overwrite=false); \
             notify: (internal-email [owner] \"New accountant lead\" \"{{ contact.firstname }} is in.\")} \
             (>= hubspotscore 50) {(add-list \"Hot leads\"); (goto notify)} \
             else {(until-event (page \"/pricing\") max=7d); (increase hubspotscore 10)})",
        ]
    );
    assert_eq!(file.comments.len(), 1);
    assert_eq!(
        file.comments[0].text,
        " Nurture new leads from the Benelux."
    );
}

// ---------------------------------------------------------------- delays

#[test]
fn delay_for_a_set_time() {
    assert_eq!(one("delay 2d"), "(delay 2d)");
    assert_eq!(one("delay 2d 4h"), "(delay 2d+4h)");
    assert_eq!(one("delay 4h 30m"), "(delay 4h+30m)");
    assert_eq!(one("delay 4h30m"), "(delay 4h+30m)");
    assert_eq!(one("delay 1d2h3m"), "(delay 1d+2h+3m)");
}

#[test]
fn durations_keep_parts_as_written() {
    // repeated and out-of-order units are the checker's WF405, not syntax errors
    assert_eq!(one("delay 30m 4h"), "(delay 30m+4h)");
    assert_eq!(one("delay 1d 1d"), "(delay 1d+1d)");
    assert_eq!(one("delay 0m"), "(delay 0m)");
    // an absurd amount saturates instead of failing
    assert_eq!(
        one("delay 99999999999999999999999999d"),
        format!("(delay {}d)", u64::MAX)
    );
}

#[test]
fn duration_part_spans() {
    let (src, file) = parse_ok("workflow \"T\" for contact {\n delay 4h 30m\n}");
    let StepKind::Delay(d) = &file.workflows[0].body.steps[0].kind else {
        panic!()
    };
    assert_eq!(snip(&src, d.span), "4h 30m");
    assert_eq!(snip(&src, d.parts[1].span), "30m");
    assert_eq!(d.total_minutes(), 270);
}

#[test]
fn delay_until_days_and_times() {
    assert_eq!(one("delay until 9:00"), "(until-time [] 9:00)");
    assert_eq!(one("delay until friday"), "(until-time [friday] -)");
    assert_eq!(
        one("delay until tuesday, thursday at 11:00"),
        "(until-time [tuesday thursday] 11:00)"
    );
    assert_eq!(
        one("delay until monday,sunday,monday"),
        "(until-time [monday sunday monday] -)"
    );
    // out-of-range times are WF406 later, not syntax errors
    assert_eq!(one("delay until 25:00"), "(until-time [] 25:00)");
    assert_eq!(one("delay until 9:75"), "(until-time [] 9:75)");
    assert_eq!(one("delay until 09:05"), "(until-time [] 9:05)");
}

#[test]
fn delay_until_event() {
    assert_eq!(
        one("delay until form \"F\" submitted"),
        "(until-event (form \"F\") max=-)"
    );
    assert_eq!(
        one("delay until email \"E\" clicked max 3d 12h"),
        "(until-event (email \"E\" Clicked) max=3d+12h)"
    );
    assert_eq!(
        one("delay until event \"Signed up\" max 1h"),
        "(until-event (event \"Signed up\") max=1h)"
    );
}

#[test]
fn delay_until_centre_date() {
    assert_eq!(
        one("delay until 7d before date at 9:00"),
        "(until-date 7d-Before 9:00)"
    );
    assert_eq!(one("delay until 1d after date"), "(until-date 1d-After -)");
    assert_eq!(
        one("delay until 1d 4h after date"),
        "(until-date 1d+4h-After -)"
    );
    assert_eq!(one("delay until date at 8:00"), "(until-date - 8:00)");
    assert_eq!(one("delay until date"), "(until-date - -)");
}

#[test]
fn delay_keyword_spans() {
    let text = "workflow \"T\" for contact {\n delay 1d\n delay until   friday\n delay until date at 9:00\n delay until 1d after date\n delay until form \"F\" submitted\n}";
    let (src, file) = parse_ok(text);
    let st = &file.workflows[0].body.steps;
    assert_eq!(snip(&src, st[0].keyword), "delay");
    assert_eq!(snip(&src, st[0].span), "delay 1d");
    assert_eq!(snip(&src, st[1].keyword), "delay until");
    assert_eq!(snip(&src, st[2].keyword), "delay until");
    assert_eq!(snip(&src, st[2].span), "delay until date at 9:00");
    assert_eq!(snip(&src, st[3].keyword), "delay until");
    assert_eq!(snip(&src, st[4].keyword), "delay until");
}

// ---------------------------------------------------------------- flow

#[test]
fn if_else_if_else() {
    assert_eq!(
        one("if a is 1 {\n delay 1d\n} else if b is 2 {\n} else {\n delay 2d\n delay 3d\n}"),
        "(if (is a 1) {(delay 1d)} (is b 2) {} else {(delay 2d); (delay 3d)})"
    );
    assert_eq!(one("if a is 1 {}"), "(if (is a 1) {})");
}

#[test]
fn else_on_the_next_line() {
    assert_eq!(
        one("if a is 1 {\n}\nelse if b is 2 {\n}\n\nelse {\n delay 1d\n}"),
        "(if (is a 1) {} (is b 2) {} else {(delay 1d)})"
    );
}

#[test]
fn comments_and_blank_lines_between_a_brace_and_else() {
    assert_eq!(
        one("if a is 1 {\n} # end of then\n\n# the other case\nelse {\n}"),
        "(if (is a 1) {} else {})"
    );
}

#[test]
fn one_line_blocks() {
    assert_eq!(
        one("if a is 1 { delay 1d } else { send email \"X\" }"),
        "(if (is a 1) {(delay 1d)} else {(send-email \"X\")})"
    );
}

#[test]
fn if_arm_spans() {
    let text = "workflow \"T\" for contact {\n if a is 1 {\n }  else if b is 2 { delay 1d }\n}";
    let (src, file) = parse_ok(text);
    let st = &file.workflows[0].body.steps[0];
    assert_eq!(snip(&src, st.keyword), "if");
    let StepKind::If { arms, .. } = &st.kind else {
        panic!()
    };
    assert_eq!(snip(&src, arms[0].span), "if a is 1 {\n }");
    assert_eq!(snip(&src, arms[1].span), "else if b is 2 { delay 1d }");
    assert_eq!(snip(&src, arms[1].block.span), "{ delay 1d }");
    assert_eq!(snip(&src, arms[1].condition.span), "b is 2");
}

#[test]
fn branch_on_values() {
    assert_eq!(
        one("branch on company.type {\n  \"A\" { enroll in \"X\" }\n  \"B\", \"C\" {\n    set x = 1\n  }\n  else {}\n}"),
        "(branch company.type [\"A\"] {(enroll-in \"X\")} [\"B\" \"C\"] {(set x 1)} else {})"
    );
    assert_eq!(
        one("branch on n { 1 {} 2, 3 {} true { delay 1d } }"),
        "(branch n [1] {} [2 3] {} [true] {(delay 1d)})"
    );
    assert_eq!(one("branch on n {\n}"), "(branch n)");
    assert_eq!(
        one("branch on d {\n 2026-01-01 {}\n} "),
        "(branch d [date:2026-01-01] {})"
    );
}

#[test]
fn branch_spans() {
    let text = "workflow \"T\" for contact {\n branch on x {\n  \"A\", \"B\" { delay 1d }\n }\n}";
    let (src, file) = parse_ok(text);
    let st = &file.workflows[0].body.steps[0];
    assert_eq!(snip(&src, st.keyword), "branch on");
    let StepKind::Branch { cases, path, .. } = &st.kind else {
        panic!()
    };
    assert_eq!(snip(&src, path.span), "x");
    assert_eq!(snip(&src, cases[0].span), "\"A\", \"B\" { delay 1d }");
    assert_eq!(snip(&src, cases[0].values[1].span), "\"B\"");
}

#[test]
fn goto_enroll_in_webhook() {
    assert_eq!(
        steps("if a is 1 {\n goto x\n} else {\n x: delay 1d\n}\nenroll in \"Other workflow\"\nwebhook post \"https://h.example/a\"\nwebhook get \"http://h\""),
        "(if (is a 1) {(goto x)} else {x: (delay 1d)})\n(enroll-in \"Other workflow\")\n(webhook Post \"https://h.example/a\")\n(webhook Get \"http://h\")"
    );
}

#[test]
fn labels_and_their_spans() {
    let text = "workflow \"T\" for contact {\n notify:  send email \"X\"\n send_2 : delay 1d\n}";
    let (src, file) = parse_ok(text);
    let st = &file.workflows[0].body.steps;
    let l = st[0].label.as_ref().unwrap();
    assert_eq!(l.name, "notify");
    assert_eq!(snip(&src, l.span), "notify");
    // the step's span and keyword exclude the label
    assert_eq!(snip(&src, st[0].span), "send email \"X\"");
    assert_eq!(snip(&src, st[0].keyword), "send email");
    assert_eq!(st[1].label.as_ref().unwrap().name, "send_2");
}

#[test]
fn keywords_are_only_reserved_where_needed() {
    assert_eq!(
        steps("notify: set date = 2026-01-01\nowner: set owner = \"x\"\nset type = \"A\"\ndelay: clear delay\nset contact.if = true\nif date is known { set not = 1 }"),
        "notify: (set date date:2026-01-01)\nowner: (set owner \"x\")\n(set type \"A\")\ndelay: (clear delay)\n(set contact.if true)\n(if (known date) {(set not 1)})"
    );
    assert_eq!(
        cond_of("form is \"x\" and email is \"a\" or event > 1 and not not is 2"),
        "(or (and (is form \"x\") (is email \"a\")) (and (> event 1) (not (is not 2))))"
    );
    // `create task {` is a record of a custom object named `task`
    assert_eq!(one("create task { a = 1 }"), "(create task {a=1})");
    let (_, file) = parse_ok("workflow \"W\" for workflow {\n}");
    assert_eq!(file.workflows[0].object.name, "workflow");
}

// ---------------------------------------------------------------- communication

#[test]
fn communication_steps() {
    assert_eq!(
        steps(concat!(
            "send internal email to owner, user \"a@b.co\", team \"T\" subject \"S\" body \"B\"\n",
            "send internal sms to user \"a@b.co\", number \"+31 6 1234 5678\" text \"hi\"\n",
            "send notification to team \"T\" subject \"s\" body \"b\"\n",
            "send email \"Welcome #1\"\n",
            "send internal marketing email \"M\" to \"a@b.co\", property email, property other\n",
            "send slack to channel \"general\" text \"t\"\n",
            "send slack to user \"a@b.co\" text \"t\"",
        )),
        concat!(
            "(internal-email [owner user:\"a@b.co\" team:\"T\"] \"S\" \"B\")\n",
            "(internal-sms [user:\"a@b.co\" number:\"+31 6 1234 5678\"] \"hi\")\n",
            "(notification [team:\"T\"] \"s\" \"b\")\n",
            "(send-email \"Welcome #1\")\n",
            "(marketing-email \"M\" [\"a@b.co\" property:email property:other])\n",
            "(slack channel:\"general\" \"t\")\n",
            "(slack user:\"a@b.co\" \"t\")",
        )
    );
}

#[test]
fn communication_keyword_spans() {
    let text = "workflow \"T\" for contact {\n send internal marketing email \"M\" to \"a@b.co\"\n send notification to owner subject \"s\" body \"b\"\n add to list \"L\"\n send internal email to owner subject \"s\" body \"b\"\n send slack to user \"u@x.io\" text \"t\"\n}";
    let (src, file) = parse_ok(text);
    let st = &file.workflows[0].body.steps;
    assert_eq!(snip(&src, st[0].keyword), "send internal marketing email");
    assert_eq!(snip(&src, st[1].keyword), "send notification");
    assert_eq!(snip(&src, st[2].keyword), "add to list");
    assert_eq!(snip(&src, st[3].keyword), "send internal email");
    assert_eq!(snip(&src, st[4].keyword), "send slack");
    let StepKind::SendNotification { to, .. } = &st[1].kind else {
        panic!()
    };
    assert_eq!(snip(&src, to[0].span), "owner");
}

// ---------------------------------------------------------------- integrations

#[test]
fn integration_assignment_and_create_steps() {
    assert_eq!(
        steps(concat!(
            "create slack channel \"deals\" private\n",
            "create slack channel \"deals\" public\n",
            "create slack channel \"deals\"\n",
            "create asana task \"T\" in project \"P\"\n",
            "app \"Zapier\" action \"Run\" { a = 1, b = \"x\" }\n",
            "app \"Zapier\" action \"Noop\" {}\n",
            "rotate owner among team \"Sales NL\" overwrite\n",
            "rotate owner among users \"a@b.co\", \"c@d.co\"\n",
            "create deal { dealname = \"D\", amount = 5 }\n",
            "create task \"Call\" due 2d for owner\n",
            "create task \"Call\" for owner\n",
            "create task \"Call\"",
        )),
        concat!(
            "(slack-channel \"deals\" Private)\n",
            "(slack-channel \"deals\" Public)\n",
            "(slack-channel \"deals\" -)\n",
            "(asana-task \"T\" \"P\")\n",
            "(app \"Zapier\" \"Run\" {a=1 b=\"x\"})\n",
            "(app \"Zapier\" \"Noop\" {})\n",
            "(rotate team:\"Sales NL\" overwrite=true)\n",
            "(rotate users:[\"a@b.co\" \"c@d.co\"] overwrite=false)\n",
            "(create deal {dealname=\"D\" amount=5})\n",
            "(task \"Call\" due=2d for-owner=true)\n",
            "(task \"Call\" due=- for-owner=true)\n",
            "(task \"Call\" due=- for-owner=false)",
        )
    );
}

#[test]
fn record_literals_span_lines() {
    assert_eq!(
        one("create deal {\n  dealname = \"D\"\n  amount = 5,\n\n  tags = [\"a\",\n   \"b\"]\n  closedate = 2026-02-30,\n}"),
        "(create deal {dealname=\"D\" amount=5 tags=[\"a\" \"b\"] closedate=date:2026-02-30})"
    );
    assert_eq!(one("create deal {}"), "(create deal {})");
    assert_eq!(
        one("app \"A\" action \"B\" {\n x = true # a comment\n}"),
        "(app \"A\" \"B\" {x=true})"
    );
}

#[test]
fn create_spans() {
    let text = "workflow \"T\" for contact {\n create task \"C\" due 1d for  owner\n rotate owner among team \"T\" overwrite\n create deal { a = 1 }\n}";
    let (src, file) = parse_ok(text);
    let st = &file.workflows[0].body.steps;
    let StepKind::CreateTask { for_owner, .. } = &st[0].kind else {
        panic!()
    };
    assert_eq!(snip(&src, for_owner.unwrap()), "for  owner");
    assert_eq!(snip(&src, st[0].keyword), "create task");
    let StepKind::RotateOwner { overwrite, .. } = &st[1].kind else {
        panic!()
    };
    assert_eq!(snip(&src, overwrite.unwrap()), "overwrite");
    assert_eq!(snip(&src, st[1].keyword), "rotate owner");
    let StepKind::CreateRecord { fields, object } = &st[2].kind else {
        panic!()
    };
    assert_eq!(snip(&src, object.span), "deal");
    assert_eq!(snip(&src, fields[0].span), "a = 1");
    assert_eq!(snip(&src, fields[0].key.span), "a");
    assert_eq!(snip(&src, st[2].keyword), "create");
}

// ---------------------------------------------------------------- properties

#[test]
fn property_steps() {
    assert_eq!(
        steps(concat!(
            "set hs_lead_status = \"OPEN\"\n",
            "set company.name = \"X\"\n",
            "set tags = [\"a\", \"b\"]\n",
            "set tags += \"c\"\n",
            "set tags += [\"d\"]\n",
            "set score = -3\n",
            "set ratio = 12.5\n",
            "set flag = false\n",
            "set closedate = 2026-12-31\n",
            "copy company.name to name\n",
            "copy name to deal.name append\n",
            "clear company.phone\n",
            "increase hubspotscore by 10\n",
            "decrease hubspotscore by 2.5",
        )),
        concat!(
            "(set hs_lead_status \"OPEN\")\n",
            "(set company.name \"X\")\n",
            "(set tags [\"a\" \"b\"])\n",
            "(append tags \"c\")\n",
            "(append tags [\"d\"])\n",
            "(set score -3)\n",
            "(set ratio 12.5)\n",
            "(set flag false)\n",
            "(set closedate date:2026-12-31)\n",
            "(copy company.name name append=false)\n",
            "(copy name deal.name append=true)\n",
            "(clear company.phone)\n",
            "(increase hubspotscore 10)\n",
            "(decrease hubspotscore 2.5)",
        )
    );
}

#[test]
fn numbers_and_paths_keep_raw_text_and_spans() {
    let text = "workflow \"T\" for contact {\n set company.score = -12.50\n}";
    let (src, file) = parse_ok(text);
    let StepKind::Set { path, value } = &file.workflows[0].body.steps[0].kind else {
        panic!()
    };
    assert_eq!(snip(&src, path.span), "company.score");
    assert_eq!(snip(&src, path.object.as_ref().unwrap().span), "company");
    assert_eq!(snip(&src, path.property.span), "score");
    let ValueKind::Number(n) = &value.kind else {
        panic!()
    };
    assert_eq!(n.raw, "-12.50");
    assert_eq!(n.value, -12.5);
    assert_eq!(snip(&src, n.span), "-12.50");
}

// ---------------------------------------------------------------- contact only

#[test]
fn contact_only_steps() {
    assert_eq!(
        steps(concat!(
            "add to list \"L\"\n",
            "remove from list \"L\"\n",
            "add to audience \"A\"\n",
            "remove from audience \"A\"\n",
            "opt in \"News\" basis consent explanation \"asked\"\n",
            "opt out \"News\"\n",
            "opt in \"News\" explanation \"e\"\n",
            "opt out \"News\" basis legitimate_interest_prospect\n",
            "salesforce task \"S\" for integration_user\n",
            "salesforce task \"S\" for owner\n",
            "salesforce task \"S\"\n",
            "salesforce campaign \"C\"",
        )),
        concat!(
            "(add-list \"L\")\n",
            "(remove-list \"L\")\n",
            "(add-audience \"A\")\n",
            "(remove-audience \"A\")\n",
            "(OptIn \"News\" basis=consent explanation=\"asked\")\n",
            "(OptOut \"News\" basis=- explanation=-)\n",
            "(OptIn \"News\" basis=- explanation=\"e\")\n",
            "(OptOut \"News\" basis=legitimate_interest_prospect explanation=-)\n",
            "(sf-task \"S\" IntegrationUser)\n",
            "(sf-task \"S\" Owner)\n",
            "(sf-task \"S\" -)\n",
            "(sf-campaign \"C\")",
        )
    );
}

#[test]
fn every_basis_parses() {
    for (b, name) in Basis::ALL {
        let s = one(&format!("opt in \"N\" basis {name}"));
        assert_eq!(
            s,
            format!("(OptIn \"N\" basis={} explanation=-)", b.as_str())
        );
    }
}

// ---------------------------------------------------------------- conditions

#[test]
fn comparisons() {
    assert_eq!(cond_of("a is \"x\""), "(is a \"x\")");
    assert_eq!(cond_of("a is not \"x\""), "(is not a \"x\")");
    assert_eq!(cond_of("a > 1"), "(> a 1)");
    assert_eq!(cond_of("a >= 1"), "(>= a 1)");
    assert_eq!(cond_of("a < -1.5"), "(< a -1.5)");
    assert_eq!(cond_of("a<=2026-01-01"), "(<= a date:2026-01-01)");
    assert_eq!(cond_of("a in [1, 2]"), "(in a [1 2])");
    assert_eq!(cond_of("a not in [\"x\"]"), "(not-in a [\"x\"])");
    assert_eq!(cond_of("a in []"), "(in a [])");
    assert_eq!(cond_of("a contains \"x\""), "(contains a \"x\")");
    assert_eq!(cond_of("a is known"), "(known a)");
    assert_eq!(cond_of("company.a is unknown"), "(unknown company.a)");
    assert_eq!(cond_of("a is true"), "(is a true)");
    assert_eq!(cond_of("a is [1, 2]"), "(is a [1 2])");
}

#[test]
fn events_in_conditions() {
    assert_eq!(cond_of("form \"F\" submitted"), "(form \"F\")");
    assert_eq!(cond_of("page \"/p\" viewed"), "(page \"/p\")");
    assert_eq!(cond_of("email \"E\" opened"), "(email \"E\" Opened)");
    assert_eq!(cond_of("email \"E\" replied"), "(email \"E\" Replied)");
    assert_eq!(cond_of("event \"X\""), "(event \"X\")");
    assert_eq!(
        settings("enroll on page \"/pricing\" viewed"),
        ["(enroll-on (page \"/pricing\"))"]
    );
}

#[test]
fn precedence_not_and_or() {
    assert_eq!(
        cond_of("a is 1 or b is 2 and c is 3"),
        "(or (is a 1) (and (is b 2) (is c 3)))"
    );
    assert_eq!(
        cond_of("a is 1 and b is 2 or c is 3"),
        "(or (and (is a 1) (is b 2)) (is c 3))"
    );
    assert_eq!(
        cond_of("not a is 1 and b is 2"),
        "(and (not (is a 1)) (is b 2))"
    );
    assert_eq!(
        cond_of("not (a is 1 or b is 2)"),
        "(not (group (or (is a 1) (is b 2))))"
    );
    assert_eq!(
        cond_of("(a is 1 or b is 2) and c is 3"),
        "(and (group (or (is a 1) (is b 2))) (is c 3))"
    );
    assert_eq!(
        cond_of("a is 1 or b is 2 or c is 3"),
        "(or (is a 1) (is b 2) (is c 3))"
    );
    assert_eq!(cond_of("not not a is 1"), "(not (not (is a 1)))");
    assert_eq!(cond_of("not form \"F\" submitted"), "(not (form \"F\"))");
}

#[test]
fn condition_spans() {
    let text = "workflow \"T\" for contact {\n goal (a is not 1)  and  b not in [1]\n}";
    let (src, file) = parse_ok(text);
    let SettingKind::Goal(c) = &file.workflows[0].settings[0].kind else {
        panic!()
    };
    assert_eq!(snip(&src, c.span), "(a is not 1)  and  b not in [1]");
    let ConditionKind::And(ops) = &c.kind else {
        panic!()
    };
    assert_eq!(snip(&src, ops[0].span), "(a is not 1)");
    let ConditionKind::Group(inner) = &ops[0].kind else {
        panic!()
    };
    let ConditionKind::Compare { op_span, .. } = &inner.kind else {
        panic!()
    };
    assert_eq!(snip(&src, *op_span), "is not");
    let ConditionKind::In {
        op_span, values, ..
    } = &ops[1].kind
    else {
        panic!()
    };
    assert_eq!(snip(&src, *op_span), "not in");
    assert_eq!(snip(&src, values.span), "[1]");
}

// ---------------------------------------------------------------- values

#[test]
fn lists_span_lines_with_commas_and_newlines() {
    assert_eq!(
        cond_of("a in [\n  \"x\",\n  \"y\"\n  \"z\",\n]"),
        "(in a [\"x\" \"y\" \"z\"])"
    );
    assert_eq!(cond_of("a in [1,2,]"), "(in a [1 2])");
    assert_eq!(
        cond_of("a in [ # comment\n 1 # one\n , 2 ]"),
        "(in a [1 2])"
    );
}

#[test]
fn dates_are_kept_as_written() {
    assert_eq!(cond_of("d is 2026-02-30"), "(is d date:2026-02-30)");
    assert_eq!(cond_of("d is 0000-00-00"), "(is d date:0000-00-00)");
}

#[test]
fn strings_with_escapes() {
    let (_, file) =
        parse_ok("workflow \"a \\\"q\\\" b\\\\c\\nd\\te\\u{e9}\\u{1F600}\" for contact {}");
    assert_eq!(
        file.workflows[0].name.value,
        "a \"q\" b\\c\nd\te\u{e9}\u{1F600}"
    );
    assert_eq!(
        file.workflows[0].name.parts().collect::<Vec<_>>(),
        [StrPart::Text("a \"q\" b\\c\nd\te\u{e9}\u{1F600}")]
    );
    assert!(file.workflows[0].name.tokens.is_empty());
}

#[test]
fn strings_may_span_lines() {
    assert_eq!(
        one("send email \"two\nlines\""),
        "(send-email \"two\\nlines\")"
    );
}

#[test]
fn strings_split_into_tokens_with_file_spans() {
    let text = "workflow \"T\" for contact {\n send email \"\\\"Hi\\\" {{contact.firstname}}, {{  company.name }}{{ email }}!\"\n}";
    let (src, file) = parse_ok(text);
    let StepKind::SendEmail(s) = &file.workflows[0].body.steps[0].kind else {
        panic!()
    };
    assert_eq!(
        s.value,
        "\"Hi\" {{contact.firstname}}, {{  company.name }}{{ email }}!"
    );
    let parts: Vec<StrPart> = s.parts().collect();
    assert_eq!(parts.len(), 6);
    assert_eq!(s.tokens.len(), 3);
    assert_eq!(parts[0], StrPart::Text("\"Hi\" "));
    let StrPart::Token(t) = parts[1] else {
        panic!()
    };
    assert_eq!(snip(&src, t.span), "{{contact.firstname}}");
    assert_eq!(snip(&src, t.object.as_ref().unwrap().span), "contact");
    assert_eq!(t.property.name, "firstname");
    assert_eq!(snip(&src, t.property.span), "firstname");
    assert_eq!(
        &s.value[t.value_range.start as usize..t.value_range.end as usize],
        "{{contact.firstname}}"
    );
    assert_eq!(parts[2], StrPart::Text(", "));
    let StrPart::Token(t) = parts[3] else {
        panic!()
    };
    assert_eq!(snip(&src, t.span), "{{  company.name }}");
    assert_eq!(snip(&src, t.property.span), "name");
    let StrPart::Token(t) = parts[4] else {
        panic!()
    };
    assert!(t.object.is_none());
    assert_eq!(snip(&src, t.property.span), "email");
    assert_eq!(
        &s.value[t.value_range.start as usize..t.value_range.end as usize],
        "{{ email }}"
    );
    assert_eq!(parts[5], StrPart::Text("!"));
}

#[test]
fn token_spans_after_multibyte_text_and_escapes() {
    let text = "workflow \"T\" for contact {\n send email \"é\\u{e9}\\n{{ x }}\"\n}";
    let (src, file) = parse_ok(text);
    let StepKind::SendEmail(s) = &file.workflows[0].body.steps[0].kind else {
        panic!()
    };
    let parts: Vec<StrPart> = s.parts().collect();
    let StrPart::Token(t) = parts[1] else {
        panic!()
    };
    assert_eq!(snip(&src, t.span), "{{ x }}");
    assert_eq!(snip(&src, t.property.span), "x");
    assert_eq!(parts[0], StrPart::Text("éé\n"));
    assert_eq!(parts.len(), 2);
}

#[test]
fn single_braces_in_strings_are_text() {
    assert_eq!(
        one("send email \"{ a } }} {x}\""),
        "(send-email \"{ a } }} {x}\")"
    );
}

// ---------------------------------------------------------------- layout

#[test]
fn comments_are_collected_with_spans() {
    let text = "# one\nworkflow \"T\" for contact { # two\n  delay 1d # three\n  send email \"# not a comment\"\n}\n#four\r\n";
    let (src, file) = parse_ok(text);
    let texts: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [" one", " two", " three", "four"]);
    assert_eq!(snip(&src, file.comments[2].span), "# three");
    assert_eq!(snip(&src, file.comments[3].span), "#four");
}

#[test]
fn blank_lines_crlf_and_indentation_do_not_matter() {
    let text = "\r\n\r\nworkflow \"T\" for contact {\r\n\r\n\tdelay 1d\r\n\r\n\tif a is 1 {\r\n\t}\r\n\telse {\r\n\t}\r\n}\r\n";
    let (_, file) = parse_ok(text);
    let s: Vec<String> = file.workflows[0].body.steps.iter().map(step).collect();
    assert_eq!(s, ["(delay 1d)", "(if (is a 1) {} else {})"]);
}

#[test]
fn byte_order_mark_and_tabs() {
    let (_, file) = parse_ok("\u{FEFF}workflow\t\"T\"\tfor\tcontact\t{\n\tdelay\t1d\t2h\n}");
    assert_eq!(step(&file.workflows[0].body.steps[0]), "(delay 1d+2h)");
}

#[test]
fn workflows_may_follow_on_the_same_line() {
    let (_, file) =
        parse_ok("workflow \"A\" for contact {} workflow \"B\" for contact { delay 1d }");
    assert_eq!(file.workflows.len(), 2);
}

#[test]
fn nesting_up_to_the_limit_parses() {
    // MAX_NESTING levels in total: the workflow body plus nested ifs
    let depth = syntax::MAX_NESTING - 1;
    let mut body = String::new();
    for _ in 0..depth {
        body.push_str("if a is 1 {\n");
    }
    body.push_str("delay 1d\n");
    for _ in 0..depth {
        body.push_str("}\n");
    }
    let text = format!("workflow \"T\" for contact {{\n{body}}}\n");
    let (_, file) = parse_ok(&text);
    let mut b = &file.workflows[0].body;
    let mut levels = 0;
    while let Some(StepKind::If { arms, .. }) = b.steps.first().map(|s| &s.kind) {
        b = &arms[0].block;
        levels += 1;
    }
    assert_eq!(levels, depth);

    let c = format!(
        "{}a is 1{}",
        "(".repeat(syntax::MAX_NESTING - 1),
        ")".repeat(syntax::MAX_NESTING - 1)
    );
    assert!(cond_of(&c).starts_with("(group (group"));
}
