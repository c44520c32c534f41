//! Shared test support: proptest strategies that generate syntactically
//! valid `.wf` ASTs covering every construct of the language.
//!
//! Every span is `Span::default()` and there are no comments: print a
//! generated file with `wfc::fmt::format_file(&file, "")` to get its text.
//! Names come from small realistic pools (not keywords), so printed programs
//! parse; they need not pass the checker (unknown labels, WF405 durations,
//! ... are fine). Use [`erase_spans`] to compare ASTs modulo positions.

#![allow(dead_code)]

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use wfc::source::Span;
use wfc::syntax::ast::*;

fn sp() -> Span {
    Span::default()
}

pub fn ident_from(pool: &'static [&'static str]) -> impl Strategy<Value = Ident> {
    proptest::sample::select(pool).prop_map(|n| Ident {
        name: Name::from(n),
        span: sp(),
    })
}

pub const PROPERTIES: &[&str] = &[
    "firstname",
    "lifecyclestage",
    "hubspotscore",
    "country",
    "industry",
    "amount",
    "closedate",
    "hs_lead_status",
    "phone",
    "favourite_sport",
    "tags",
    "Custom_Prop2",
];
pub const OBJECTS: &[&str] = &["contact", "company", "deal", "ticket", "pets"];
pub const LABELS: &[&str] = &["notify", "done", "step_a", "retry", "escalate2"];

pub fn property() -> impl Strategy<Value = Ident> {
    ident_from(PROPERTIES)
}

pub fn path() -> impl Strategy<Value = Path> {
    (option::of(ident_from(OBJECTS)), property()).prop_map(|(object, property)| Path {
        object: object.map(Box::new),
        property,
        span: sp(),
    })
}

/// Text without braces (so it never looks like a token), with characters
/// that need escaping.
fn text_piece() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        8 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        2 => proptest::char::range('0', '9'),
        3 => Just(' '),
        1 => proptest::sample::select(vec![
            '"', '\\', '\n', '\t', '#', '.', ',', ':', '/', '@', '-', '_', '\'', 'é', '😀', '→',
            '\u{1}', '=', '[', ']', '(', ')', '+',
        ]),
    ];
    vec(chars, 0..12).prop_map(|cs| cs.into_iter().collect())
}

fn token() -> impl Strategy<Value = (String, TokenRef)> {
    (
        option::of(ident_from(&["contact", "company", "deal"])),
        property(),
        any::<bool>(),
    )
        .prop_map(|(object, property, spaced)| {
            let inner = match &object {
                Some(o) => format!("{}.{}", o.name, property.name),
                None => property.name.to_string(),
            };
            let text = if spaced {
                format!("{{{{ {inner} }}}}")
            } else {
                format!("{{{{{inner}}}}}")
            };
            (
                text,
                TokenRef {
                    object,
                    property,
                    span: sp(),
                    // set where the token lands in its literal
                    value_range: 0..0,
                },
            )
        })
}

/// A string literal; with `tokens`, it may hold `{{ object.property }}`.
pub fn str_lit_with(tokens: bool) -> BoxedStrategy<StrLit> {
    let piece = if tokens {
        prop_oneof![
            3 => text_piece().prop_map(|t| (t, None)),
            1 => token().prop_map(|(t, r)| (t, Some(r))),
        ]
        .boxed()
    } else {
        text_piece().prop_map(|t| (t, None)).boxed()
    };
    vec(piece, 0..4)
        .prop_map(|pieces| {
            let mut value = String::new();
            let mut tokens = Vec::new();
            for (text, tok) in pieces {
                let at = value.len() as u32;
                value.push_str(&text);
                if let Some(mut r) = tok {
                    r.value_range = at..value.len() as u32;
                    tokens.push(r);
                }
            }
            StrLit {
                value: Name::from(value),
                tokens: tokens.into_boxed_slice(),
                span: sp(),
            }
        })
        .boxed()
}

pub fn str_lit() -> BoxedStrategy<StrLit> {
    str_lit_with(true)
}

pub fn number() -> impl Strategy<Value = NumberLit> {
    prop_oneof![
        (-1000i64..100_000).prop_map(|n| n.to_string()),
        (-999i64..1000, 1u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
    ]
    .prop_map(|raw| NumberLit {
        value: raw.parse().unwrap_or(0.0),
        raw: Name::from(raw),
        span: sp(),
    })
}

pub fn date() -> impl Strategy<Value = DateLit> {
    (1000i32..=9999, 1u32..=12, 1u32..=31).prop_map(|(year, month, day)| DateLit {
        year,
        month,
        day,
        span: sp(),
    })
}

pub fn time() -> impl Strategy<Value = TimeLit> {
    (0u32..30, 0u32..100).prop_map(|(hour, minute)| TimeLit {
        hour,
        minute,
        span: sp(),
    })
}

pub fn duration() -> impl Strategy<Value = Duration> {
    let unit = prop_oneof![
        Just(DurationUnit::Days),
        Just(DurationUnit::Hours),
        Just(DurationUnit::Minutes)
    ];
    vec((0u64..2000, unit), 1..4).prop_map(|parts| Duration {
        parts: parts
            .into_iter()
            .map(|(amount, unit)| DurationPart {
                amount,
                unit,
                span: sp(),
            })
            .collect(),
        span: sp(),
    })
}

pub fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => str_lit().prop_map(ValueKind::String),
        2 => number().prop_map(ValueKind::Number),
        1 => any::<bool>().prop_map(ValueKind::Bool),
        1 => date().prop_map(ValueKind::Date),
    ]
    .prop_map(|kind| Value { kind, span: sp() })
    .boxed()
}

pub fn list() -> BoxedStrategy<Value> {
    vec(scalar(), 1..5)
        .prop_map(|items| Value {
            kind: ValueKind::List(items),
            span: sp(),
        })
        .boxed()
}

pub fn value() -> BoxedStrategy<Value> {
    prop_oneof![4 => scalar(), 1 => list()].boxed()
}

pub fn event() -> BoxedStrategy<Event> {
    let s = || str_lit_with(false);
    prop_oneof![
        s().prop_map(EventKind::FormSubmitted),
        s().prop_map(EventKind::PageViewed),
        (
            s(),
            prop_oneof![
                Just(EmailAction::Opened),
                Just(EmailAction::Clicked),
                Just(EmailAction::Replied)
            ]
        )
            .prop_map(|(name, action)| EventKind::Email { name, action }),
        s().prop_map(EventKind::Custom),
    ]
    .prop_map(|kind| Event { kind, span: sp() })
    .boxed()
}

fn cond(kind: ConditionKind) -> Condition {
    Condition { kind, span: sp() }
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    proptest::sample::select(vec![
        CompareOp::Is,
        CompareOp::IsNot,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ])
}

fn leaf_condition() -> BoxedStrategy<Condition> {
    prop_oneof![
        3 => (path(), compare_op(), scalar()).prop_map(|(path, op, value)| cond(
            ConditionKind::Compare { path, op, op_span: sp(), value }
        )),
        1 => (path(), any::<bool>(), list()).prop_map(|(path, negated, values)| cond(
            ConditionKind::In { path, negated, op_span: sp(), values }
        )),
        1 => (path(), str_lit()).prop_map(|(path, text)| cond(
            ConditionKind::Contains { path, op_span: sp(), text }
        )),
        1 => (path(), any::<bool>()).prop_map(|(path, known)| cond(
            ConditionKind::Known { path, known, op_span: sp() }
        )),
        1 => event().prop_map(|e| cond(ConditionKind::Event(e))),
    ]
    .boxed()
}

fn group(c: Condition) -> Condition {
    cond(ConditionKind::Group(Box::new(c)))
}

/// Wrap `c` in parentheses when it could not stand as an operand at this
/// place without changing how it parses.
fn operand(c: Condition, of_and: bool) -> Condition {
    match &c.kind {
        ConditionKind::Or(_) => group(c),
        ConditionKind::And(_) if of_and => group(c),
        _ => c,
    }
}

/// Conditions of every form, with the parenthesisation a parser keeps.
pub fn condition() -> BoxedStrategy<Condition> {
    leaf_condition()
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| match c.kind {
                    ConditionKind::Or(_) | ConditionKind::And(_) | ConditionKind::Not(_) =>
                        cond(ConditionKind::Not(Box::new(group(c)))),
                    _ => cond(ConditionKind::Not(Box::new(c))),
                }),
                inner.clone().prop_map(group),
                vec(inner.clone(), 2..4).prop_map(|cs| cond(ConditionKind::And(
                    cs.into_iter().map(|c| operand(c, true)).collect()
                ))),
                vec(inner, 2..4).prop_map(|cs| cond(ConditionKind::Or(
                    cs.into_iter()
                        .map(|c| match c.kind {
                            ConditionKind::Or(_) => group(c),
                            _ => c,
                        })
                        .collect()
                ))),
            ]
        })
        .boxed()
}

fn recipient() -> impl Strategy<Value = Recipient> {
    prop_oneof![
        Just(RecipientKind::Owner),
        str_lit_with(false).prop_map(RecipientKind::User),
        str_lit_with(false).prop_map(RecipientKind::Team),
    ]
    .prop_map(|kind| Recipient { kind, span: sp() })
}

fn field() -> impl Strategy<Value = Field> {
    (property(), value()).prop_map(|(key, value)| Field {
        key,
        value,
        span: sp(),
    })
}

fn weekday() -> impl Strategy<Value = WeekdayLit> {
    proptest::sample::select(vec![
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ])
    .prop_map(|day| WeekdayLit { day, span: sp() })
}

/// Every simple (non-branching) step kind.
pub fn simple_step_kind() -> BoxedStrategy<StepKind> {
    let s = str_lit;
    let s0 = || str_lit_with(false);
    let delays = prop_oneof![
        duration().prop_map(StepKind::Delay),
        (vec(weekday(), 1..4), option::of(time()))
            .prop_map(|(days, time)| StepKind::DelayUntilTime { days, time }),
        time().prop_map(|t| StepKind::DelayUntilTime {
            days: Vec::new(),
            time: Some(t)
        }),
        (event(), option::of(duration()))
            .prop_map(|(event, max)| StepKind::DelayUntilEvent { event, max }),
        (duration(), any::<bool>(), option::of(time())).prop_map(|(amount, before, time)| {
            StepKind::DelayUntilDate {
                offset: Some(DateOffset {
                    amount,
                    direction: if before {
                        OffsetDirection::Before
                    } else {
                        OffsetDirection::After
                    },
                    direction_span: sp(),
                }),
                time,
            }
        }),
        time().prop_map(|t| StepKind::DelayUntilDate {
            offset: None,
            time: Some(t)
        }),
    ];
    let flow = prop_oneof![
        ident_from(LABELS).prop_map(StepKind::Goto),
        s0().prop_map(StepKind::EnrollIn),
        (any::<bool>(), s0()).prop_map(|(post, url)| StepKind::Webhook {
            method: if post {
                HttpMethod::Post
            } else {
                HttpMethod::Get
            },
            url
        }),
    ];
    let comms = prop_oneof![
        (vec(recipient(), 1..4), s(), s())
            .prop_map(|(to, subject, body)| { StepKind::SendInternalEmail { to, subject, body } }),
        (
            vec(
                prop_oneof![
                    s0().prop_map(SmsRecipientKind::User),
                    s0().prop_map(SmsRecipientKind::Number)
                ]
                .prop_map(|kind| SmsRecipient { kind, span: sp() }),
                1..3
            ),
            s()
        )
            .prop_map(|(to, text)| StepKind::SendInternalSms { to, text }),
        (vec(recipient(), 1..4), s(), s())
            .prop_map(|(to, subject, body)| { StepKind::SendNotification { to, subject, body } }),
        s0().prop_map(StepKind::SendEmail),
        (
            s0(),
            vec(
                prop_oneof![
                    s0().prop_map(MarketingRecipient::Address),
                    property().prop_map(MarketingRecipient::Property)
                ],
                1..4
            )
        )
            .prop_map(|(email, to)| StepKind::SendInternalMarketingEmail { email, to }),
        (
            prop_oneof![
                s().prop_map(SlackTarget::Channel),
                s0().prop_map(SlackTarget::User)
            ],
            s()
        )
            .prop_map(|(target, text)| StepKind::SendSlack { target, text }),
    ];
    let integrations = prop_oneof![
        (
            s(),
            option::of(prop_oneof![
                Just(Visibility::Public),
                Just(Visibility::Private)
            ])
        )
            .prop_map(|(name, v)| StepKind::CreateSlackChannel {
                name,
                visibility: v.map(|value| VisibilityLit { value, span: sp() })
            }),
        (s(), s0()).prop_map(|(title, project)| StepKind::CreateAsanaTask { title, project }),
        (s0(), s0(), vec(field(), 0..4)).prop_map(|(app, action, fields)| {
            StepKind::AppAction {
                app,
                action,
                fields,
            }
        }),
        (
            prop_oneof![
                s0().prop_map(RotateAmong::Team),
                vec(s0(), 1..4).prop_map(RotateAmong::Users)
            ],
            any::<bool>()
        )
            .prop_map(|(among, ow)| StepKind::RotateOwner {
                among,
                overwrite: ow.then(sp)
            }),
        (ident_from(OBJECTS), vec(field(), 0..4))
            .prop_map(|(object, fields)| StepKind::CreateRecord { object, fields }),
        (s(), option::of(duration()), any::<bool>()).prop_map(|(title, due, fo)| {
            StepKind::CreateTask {
                title,
                due,
                for_owner: fo.then(sp),
            }
        }),
    ];
    let props = prop_oneof![
        (path(), value()).prop_map(|(path, value)| StepKind::Set { path, value }),
        (path(), value()).prop_map(|(path, value)| StepKind::Append { path, value }),
        (path(), path(), any::<bool>()).prop_map(|(from, to, a)| StepKind::Copy {
            from,
            to,
            append: a.then(sp)
        }),
        path().prop_map(StepKind::Clear),
        (path(), number()).prop_map(|(path, by)| StepKind::Increase { path, by }),
        (path(), number()).prop_map(|(path, by)| StepKind::Decrease { path, by }),
    ];
    let contact = prop_oneof![
        s0().prop_map(StepKind::AddToList),
        s0().prop_map(StepKind::RemoveFromList),
        s0().prop_map(StepKind::AddToAudience),
        s0().prop_map(StepKind::RemoveFromAudience),
        (
            any::<bool>(),
            s0(),
            option::of(proptest::sample::select(Basis::ALL.to_vec())),
            option::of(s())
        )
            .prop_map(|(optin, subscription, basis, explanation)| {
                StepKind::Subscription {
                    status: if optin {
                        SubscriptionStatus::OptIn
                    } else {
                        SubscriptionStatus::OptOut
                    },
                    subscription,
                    basis: basis.map(|(value, _)| BasisLit { value, span: sp() }),
                    explanation,
                }
            }),
        (
            s(),
            option::of(prop_oneof![
                Just(SalesforceAssignee::Owner),
                Just(SalesforceAssignee::IntegrationUser)
            ])
        )
            .prop_map(|(subject, a)| StepKind::SalesforceTask {
                subject,
                assignee: a.map(|value| SalesforceAssigneeLit { value, span: sp() })
            }),
        s0().prop_map(StepKind::SalesforceCampaign),
    ];
    prop_oneof![delays, flow, comms, integrations, props, contact].boxed()
}

fn block_of(steps: Vec<Step>) -> Block {
    Block { steps, span: sp() }
}

/// A step of any kind; `depth` bounds the nesting of if/branch.
pub fn step(depth: u32) -> BoxedStrategy<Step> {
    let simple = (option::of(ident_from(LABELS)), simple_step_kind()).prop_map(|(label, kind)| {
        // goto takes no label
        let label = if matches!(kind, StepKind::Goto(_)) {
            None
        } else {
            label
        };
        Step {
            label: label.map(Box::new),
            kind,
            span: sp(),
            keyword: sp(),
        }
    });
    if depth == 0 {
        return simple.boxed();
    }
    let inner = || vec(step(depth - 1), 0..4).prop_map(block_of);
    let if_step =
        (vec((condition(), inner()), 1..4), option::of(inner())).prop_map(|(arms, else_block)| {
            StepKind::If {
                arms: arms
                    .into_iter()
                    .map(|(condition, block)| IfArm {
                        condition,
                        block,
                        span: sp(),
                    })
                    .collect(),
                else_block,
            }
        });
    let branch = (
        path(),
        vec((vec(scalar(), 1..4), inner()), 1..4),
        option::of(inner()),
    )
        .prop_map(|(path, cases, else_block)| StepKind::Branch {
            path,
            cases: cases
                .into_iter()
                .map(|(values, block)| BranchCase {
                    values,
                    block,
                    span: sp(),
                })
                .collect(),
            else_block,
        });
    let compound = prop_oneof![if_step, branch].prop_map(|kind| Step {
        label: None,
        kind,
        span: sp(),
        keyword: sp(),
    });
    prop_oneof![4 => simple, 1 => compound].boxed()
}

pub fn setting() -> BoxedStrategy<Setting> {
    prop_oneof![
        condition().prop_map(SettingKind::EnrollWhen),
        event().prop_map(SettingKind::EnrollOn),
        Just(SettingKind::Reenroll),
        condition().prop_map(SettingKind::Goal),
        condition().prop_map(SettingKind::UnenrollWhen),
    ]
    .prop_map(|kind| Setting {
        kind,
        span: sp(),
        keyword: sp(),
    })
    .boxed()
}

pub fn workflow() -> BoxedStrategy<Workflow> {
    (
        str_lit_with(false),
        ident_from(OBJECTS),
        option::of(prop_oneof![
            date().prop_map(CenteringKind::Date),
            property().prop_map(CenteringKind::Property)
        ]),
        vec(setting(), 0..4),
        vec(step(2), 0..6),
    )
        .prop_map(|(name, object, centered, settings, steps)| Workflow {
            name,
            object,
            centered: centered.map(|kind| Centering { kind, span: sp() }),
            settings,
            body: block_of(steps),
            span: sp(),
            keyword: sp(),
            has_syntax_error: false,
        })
        .boxed()
}

pub fn source_file() -> BoxedStrategy<SourceFile> {
    vec(workflow(), 1..4)
        .prop_map(|workflows| SourceFile {
            file: 0,
            workflows,
            comments: Vec::new(),
            unnamed_broken_workflow: false,
            tests: Vec::new(),
        })
        .boxed()
}

/// The `Debug` text of a value with every `Span { .. }` blanked out, for
/// comparing ASTs modulo positions (a `Some(span)` flag stays visible).
pub fn erase_spans<T: std::fmt::Debug>(x: &T) -> String {
    let s = format!("{x:#?}");
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------ go-to programs

/// Placeholder labels of [`goto_source_file`], renamed after generation:
/// labelled steps get `l0`, `l1`, ... in source order and `goto tK` the
/// K-th label (modulo their number), so labels are unique and go-tos hit.
const FLOW_LABELS: &[&str] = &["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];

fn ident(name: &str) -> Ident {
    Ident {
        name: Name::from(name),
        span: sp(),
    }
}

fn plain_step(label: Option<Ident>, kind: StepKind) -> Step {
    Step {
        label: label.map(Box::new),
        kind,
        span: sp(),
        keyword: sp(),
    }
}

/// `delay <n>d` or `set firstname = "x"`, optionally labelled: steps that
/// check clean in a contact workflow.
fn flow_simple_step() -> BoxedStrategy<Step> {
    let delay = (1u64..30).prop_map(|amount| {
        StepKind::Delay(Duration {
            parts: vec![DurationPart {
                amount,
                unit: DurationUnit::Days,
                span: sp(),
            }],
            span: sp(),
        })
    });
    let set = Just(StepKind::Set {
        path: Path {
            object: None,
            property: ident("firstname"),
            span: sp(),
        },
        value: Value {
            kind: ValueKind::String(StrLit {
                value: Name::from("x"),
                tokens: Box::default(),
                span: sp(),
            }),
            span: sp(),
        },
    });
    (option::of(ident_from(FLOW_LABELS)), prop_oneof![delay, set])
        .prop_map(|(label, kind)| plain_step(label, kind))
        .boxed()
}

/// A block of [`goto_source_file`]: steps, often ended by a `goto`.
fn flow_block(depth: u32) -> BoxedStrategy<Block> {
    (
        vec(flow_step(depth), 0..3),
        option::weighted(0.6, ident_from(FLOW_LABELS)),
    )
        .prop_map(|(mut steps, goto)| {
            if let Some(label) = goto {
                steps.push(plain_step(None, StepKind::Goto(label)));
            }
            block_of(steps)
        })
        .boxed()
}

fn flow_step(depth: u32) -> BoxedStrategy<Step> {
    if depth == 0 {
        return flow_simple_step();
    }
    let score = |n: u32| Condition {
        kind: ConditionKind::Compare {
            path: Path {
                object: None,
                property: ident("hubspotscore"),
                span: sp(),
            },
            op: CompareOp::Gt,
            op_span: sp(),
            value: Value {
                kind: ValueKind::Number(NumberLit {
                    value: f64::from(n),
                    raw: Name::from(n.to_string()),
                    span: sp(),
                }),
                span: sp(),
            },
        },
        span: sp(),
    };
    let if_step = (
        vec((0u32..100, flow_block(depth - 1)), 1..3),
        option::of(flow_block(depth - 1)),
    )
        .prop_map(move |(arms, else_block)| StepKind::If {
            arms: arms
                .into_iter()
                .map(|(n, block)| IfArm {
                    condition: score(n),
                    block,
                    span: sp(),
                })
                .collect(),
            else_block,
        });
    const STAGES: [&str; 3] = ["lead", "customer", "subscriber"];
    let branch = (
        vec(flow_block(depth - 1), 1..4),
        option::of(flow_block(depth - 1)),
    )
        .prop_map(|(blocks, else_block)| StepKind::Branch {
            path: Path {
                object: None,
                property: ident("lifecyclestage"),
                span: sp(),
            },
            cases: blocks
                .into_iter()
                .zip(STAGES)
                .map(|(block, stage)| BranchCase {
                    values: vec![Value {
                        kind: ValueKind::String(StrLit {
                            value: Name::from(stage),
                            tokens: Box::default(),
                            span: sp(),
                        }),
                        span: sp(),
                    }],
                    block,
                    span: sp(),
                })
                .collect(),
            else_block,
        });
    let compound = prop_oneof![if_step, branch].prop_map(|kind| plain_step(None, kind));
    prop_oneof![2 => flow_simple_step(), 1 => compound].boxed()
}

/// Contact workflows of delays, `set`s and nested `if`/`branch on` paths
/// with labels and go-tos (sideways, backwards, out of their branch, and
/// in loops): everything but the go-tos and labels checks clean, so many of
/// these programs check clean and many others are WF402–WF403, WF104–WF105.
pub fn goto_source_file() -> BoxedStrategy<SourceFile> {
    vec(vec(flow_step(3), 1..5), 1..3)
        .prop_map(|bodies| SourceFile {
            file: 0,
            workflows: bodies
                .into_iter()
                .enumerate()
                .map(|(i, mut steps)| {
                    let mut labels = 0;
                    number_labels(&mut steps, &mut labels);
                    resolve_gotos(&mut steps, labels);
                    (i, steps)
                })
                .map(|(i, steps)| Workflow {
                    name: StrLit {
                        value: Name::from(format!("Flow {i}")),
                        tokens: Box::default(),
                        span: sp(),
                    },
                    object: ident("contact"),
                    centered: None,
                    settings: Vec::new(),
                    body: block_of(steps),
                    span: sp(),
                    keyword: sp(),
                    has_syntax_error: false,
                })
                .collect(),
            comments: Vec::new(),
            unnamed_broken_workflow: false,
            tests: Vec::new(),
        })
        .boxed()
}

/// Name the labelled steps `l0`, `l1`, ... in source order.
fn number_labels(steps: &mut [Step], n: &mut usize) {
    for s in steps {
        if let Some(l) = &mut s.label {
            l.name = Name::from(format!("l{n}"));
            *n += 1;
        }
        for b in inner_blocks(&mut s.kind) {
            number_labels(&mut b.steps, n);
        }
    }
}

/// `goto tK` → `goto l(K mod labels)`.
fn resolve_gotos(steps: &mut [Step], labels: usize) {
    for s in steps {
        if let StepKind::Goto(l) = &mut s.kind {
            let k: usize = l.name.trim_start_matches('t').parse().unwrap_or(0);
            l.name = Name::from(format!("l{}", k % labels.max(1)));
        }
        for b in inner_blocks(&mut s.kind) {
            resolve_gotos(&mut b.steps, labels);
        }
    }
}

fn inner_blocks(kind: &mut StepKind) -> Vec<&mut Block> {
    match kind {
        StepKind::If { arms, else_block } => arms
            .iter_mut()
            .map(|a| &mut a.block)
            .chain(else_block.as_mut())
            .collect(),
        StepKind::Branch {
            cases, else_block, ..
        } => cases
            .iter_mut()
            .map(|c| &mut c.block)
            .chain(else_block.as_mut())
            .collect(),
        _ => Vec::new(),
    }
}
