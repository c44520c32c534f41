//! The abstract syntax tree of a `.wf` file: plain data, every node with its span.
//!
//! This is the contract between the parser and every later stage (checker,
//! codegen, formatter, language server). It holds no references into the
//! source text; spans are byte ranges into the file named by [`Span::file`].
//! Values are kept as written (durations as parts, dates as numbers that may
//! be impossible, times that may be out of range): the checker judges them.

use crate::source::Span;

/// Text the AST holds (names, literal values, numbers as written): stored
/// inline up to 24 bytes, so most identifiers, numbers and short literals
/// allocate nothing (a big file holds hundreds of thousands of them).
/// Derefs to `str`.
pub type Name = compact_str::CompactString;

/// One parsed `.wf` file.
#[derive(Clone, PartialEq)]
pub struct SourceFile {
    pub file: crate::source::FileId,
    pub workflows: Vec<Workflow>,
    /// The `test "<name>" for "<workflow>" { ... }` items, in source order
    /// (run by `wfc test`, ignored by `wfc build`).
    pub tests: Vec<TestItem>,
    /// Every `#` comment of the file in source order (for the formatter).
    pub comments: Vec<Comment>,
    /// Some workflow of this file is so broken that not even its name
    /// could be read (`workflow "<name>"`): the checker then reports no
    /// WF103 in the project, as the missing workflow may be this one.
    pub unnamed_broken_workflow: bool,
}

/// `tests` is printed only when the file has some, so the debug print of a
/// file without tests reads as it always did.
impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("SourceFile");
        d.field("file", &self.file)
            .field("workflows", &self.workflows);
        if !self.tests.is_empty() {
            d.field("tests", &self.tests);
        }
        d.field("comments", &self.comments)
            .field("unnamed_broken_workflow", &self.unnamed_broken_workflow)
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// Text after the `#`, without the line break.
    pub text: String,
    pub span: Span,
}

/// An identifier (property, label, object type, ...) with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

/// `workflow "<name>" for <object> [centered on ...] { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Workflow {
    pub name: StrLit,
    pub object: Ident,
    pub centered: Option<Centering>,
    /// Settings in source order (they may stand anywhere at the top level).
    pub settings: Vec<Setting>,
    /// The top-level steps.
    pub body: Block,
    /// From `workflow` to the closing `}`.
    pub span: Span,
    /// The `workflow` keyword.
    pub keyword: Span,
    /// The workflow has a syntax error (WF001): the broken steps are left
    /// out, or everything after its header when no step could be recovered.
    /// The checker reports no WF104 in it (the labels of the broken steps
    /// do not exist).
    pub has_syntax_error: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Centering {
    pub kind: CenteringKind,
    /// From `centered` to the end of the date or property.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CenteringKind {
    /// `centered on 2026-05-01`
    Date(DateLit),
    /// `centered on property closedate`
    Property(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub kind: SettingKind,
    /// The whole setting line.
    pub span: Span,
    /// The leading keywords (`enroll when`, `reenroll`, `goal`, ...).
    pub keyword: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SettingKind {
    EnrollWhen(Condition),
    EnrollOn(Event),
    Reenroll,
    Goal(Condition),
    UnenrollWhen(Condition),
}

/// `{ step* }`. The top-level body of a workflow is a block too (its span is
/// the workflow's braces).
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub steps: Vec<Step>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Boxed: few steps carry a label, and every step would pay its size.
    pub label: Option<Box<Ident>>,
    pub kind: StepKind,
    /// The step without its label.
    pub span: Span,
    /// The keyword(s) naming the step: `delay`, `send internal email`,
    /// `create slack channel`, `if`, `set`, ... Diagnostics about the step
    /// as a whole (WF201, WF301, WF403, ...) point here.
    pub keyword: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    // ---- delays
    /// `delay 2d 4h`
    Delay(Duration),
    /// `delay until tuesday, thursday at 11:00` · `delay until 9:00` · `delay until friday`
    DelayUntilTime {
        days: Vec<WeekdayLit>,
        time: Option<TimeLit>,
    },
    /// `delay until <event> [max <duration>]`
    DelayUntilEvent {
        event: Event,
        max: Option<Duration>,
    },
    /// `delay until 7d before date [at 9:00]` · `delay until date at 8:00`
    DelayUntilDate {
        offset: Option<DateOffset>,
        time: Option<TimeLit>,
    },

    // ---- flow
    /// `if c { } else if c { } else { }`
    If {
        arms: Vec<IfArm>,
        else_block: Option<Block>,
    },
    /// `branch on <path> { "A" { } "B", "C" { } else { } }`
    Branch {
        path: Path,
        cases: Vec<BranchCase>,
        else_block: Option<Block>,
    },
    /// `goto <label>`
    Goto(Ident),
    /// `enroll in "<workflow>"`
    EnrollIn(StrLit),
    /// `webhook post "<url>"`
    Webhook {
        method: HttpMethod,
        url: StrLit,
    },

    // ---- communication
    SendInternalEmail {
        to: Vec<Recipient>,
        subject: StrLit,
        body: StrLit,
    },
    SendInternalSms {
        to: Vec<SmsRecipient>,
        text: StrLit,
    },
    SendNotification {
        to: Vec<Recipient>,
        subject: StrLit,
        body: StrLit,
    },
    /// `send email "<name>"`
    SendEmail(StrLit),
    /// `send internal marketing email "<email>" to "<address>", property <ident>`
    SendInternalMarketingEmail {
        email: StrLit,
        to: Vec<MarketingRecipient>,
    },
    /// `send slack to channel "<name>" text "<t>"` · `send slack to user "<email>" text "<t>"`
    SendSlack {
        target: SlackTarget,
        text: StrLit,
    },

    // ---- integrations, assignment, create
    /// `create slack channel "<name>" [public | private]`
    CreateSlackChannel {
        name: StrLit,
        visibility: Option<VisibilityLit>,
    },
    /// `create asana task "<title>" in project "<project>"`
    CreateAsanaTask {
        title: StrLit,
        project: StrLit,
    },
    /// `app "<app>" action "<action>" { key = value ... }`
    AppAction {
        app: StrLit,
        action: StrLit,
        fields: Vec<Field>,
    },
    /// `rotate owner among team "<t>" [overwrite]` · `rotate owner among users "a", "b" [overwrite]`
    RotateOwner {
        among: RotateAmong,
        /// Span of the `overwrite` keyword when present.
        overwrite: Option<Span>,
    },
    /// `create <object> { prop = value ... }`
    CreateRecord {
        object: Ident,
        fields: Vec<Field>,
    },
    /// `create task "<title>" [due <duration>] [for owner]`
    CreateTask {
        title: StrLit,
        due: Option<Duration>,
        /// Span of `for owner` when present.
        for_owner: Option<Span>,
    },

    // ---- properties
    /// `set <path> = <value>`
    Set {
        path: Path,
        value: Value,
    },
    /// `set <path> += <value or list>`
    Append {
        path: Path,
        value: Value,
    },
    /// `copy <path> to <path> [append]`
    Copy {
        from: Path,
        to: Path,
        append: Option<Span>,
    },
    /// `clear <path>`
    Clear(Path),
    /// `increase <path> by <n>`
    Increase {
        path: Path,
        by: NumberLit,
    },
    /// `decrease <path> by <n>`
    Decrease {
        path: Path,
        by: NumberLit,
    },

    // ---- contact only
    AddToList(StrLit),
    RemoveFromList(StrLit),
    AddToAudience(StrLit),
    RemoveFromAudience(StrLit),
    /// `opt in "<sub>" [basis <b>] [explanation "<t>"]` / `opt out ...`
    Subscription {
        status: SubscriptionStatus,
        subscription: StrLit,
        basis: Option<BasisLit>,
        explanation: Option<StrLit>,
    },
    /// `salesforce task "<subject>" [for owner | for integration_user]`
    SalesforceTask {
        subject: StrLit,
        assignee: Option<SalesforceAssigneeLit>,
    },
    /// `salesforce campaign "<campaign>"`
    SalesforceCampaign(StrLit),
}

/// Visit every step of a block and its nested blocks.
pub fn for_each_step<'b>(block: &'b Block, f: &mut dyn FnMut(&'b Step)) {
    for s in &block.steps {
        f(s);
        match &s.kind {
            StepKind::If { arms, else_block } => {
                for a in arms {
                    for_each_step(&a.block, f);
                }
                if let Some(b) = else_block {
                    for_each_step(b, f);
                }
            }
            StepKind::Branch {
                cases, else_block, ..
            } => {
                for c in cases {
                    for_each_step(&c.block, f);
                }
                if let Some(b) = else_block {
                    for_each_step(b, f);
                }
            }
            _ => {}
        }
    }
}

impl StepKind {
    /// The step's row in the action catalog.
    pub fn step_id(&self) -> crate::catalog::StepId {
        use crate::catalog::StepId as S;
        match self {
            StepKind::Delay(_) => S::Delay,
            StepKind::DelayUntilTime { .. } => S::DelayUntilTime,
            StepKind::DelayUntilEvent { .. } => S::DelayUntilEvent,
            StepKind::DelayUntilDate { .. } => S::DelayUntilDate,
            StepKind::If { .. } => S::If,
            StepKind::Branch { .. } => S::Branch,
            StepKind::Goto(_) => S::Goto,
            StepKind::EnrollIn(_) => S::EnrollIn,
            StepKind::Webhook { .. } => S::Webhook,
            StepKind::SendInternalEmail { .. } => S::SendInternalEmail,
            StepKind::SendInternalSms { .. } => S::SendInternalSms,
            StepKind::SendNotification { .. } => S::SendNotification,
            StepKind::SendEmail(_) => S::SendEmail,
            StepKind::SendInternalMarketingEmail { .. } => S::SendInternalMarketingEmail,
            StepKind::SendSlack { .. } => S::SendSlack,
            StepKind::CreateSlackChannel { .. } => S::CreateSlackChannel,
            StepKind::CreateAsanaTask { .. } => S::CreateAsanaTask,
            StepKind::AppAction { .. } => S::AppAction,
            StepKind::RotateOwner { .. } => S::RotateOwner,
            StepKind::CreateRecord { .. } => S::CreateRecord,
            StepKind::CreateTask { .. } => S::CreateTask,
            StepKind::Set { .. } => S::Set,
            StepKind::Append { .. } => S::Append,
            StepKind::Copy { .. } => S::Copy,
            StepKind::Clear(_) => S::Clear,
            StepKind::Increase { .. } => S::Increase,
            StepKind::Decrease { .. } => S::Decrease,
            StepKind::AddToList(_) => S::AddToList,
            StepKind::RemoveFromList(_) => S::RemoveFromList,
            StepKind::AddToAudience(_) => S::AddToAudience,
            StepKind::RemoveFromAudience(_) => S::RemoveFromAudience,
            StepKind::Subscription { .. } => S::Subscription,
            StepKind::SalesforceTask { .. } => S::SalesforceTask,
            StepKind::SalesforceCampaign(_) => S::SalesforceCampaign,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfArm {
    pub condition: Condition,
    pub block: Block,
    /// From `if` / `else if` to the closing `}`.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BranchCase {
    /// One or more values: `"B", "C" { ... }`.
    pub values: Vec<Value>,
    pub block: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DateOffset {
    pub amount: Duration,
    pub direction: OffsetDirection,
    /// The `before` / `after` keyword.
    pub direction_span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetDirection {
    Before,
    After,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Recipient {
    pub kind: RecipientKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RecipientKind {
    Owner,
    User(StrLit),
    Team(StrLit),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SmsRecipient {
    pub kind: SmsRecipientKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SmsRecipientKind {
    User(StrLit),
    Number(StrLit),
}

#[derive(Clone, Debug, PartialEq)]
pub enum MarketingRecipient {
    Address(StrLit),
    /// `property <ident>`; the span of the ident is in the ident.
    Property(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SlackTarget {
    Channel(StrLit),
    User(StrLit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VisibilityLit {
    pub value: Visibility,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RotateAmong {
    Team(StrLit),
    Users(Vec<StrLit>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionStatus {
    OptIn,
    OptOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    LegitimateInterestProspect,
    LegitimateInterestClient,
    Contract,
    Consent,
    NotApplicable,
}

impl Basis {
    pub const ALL: [(Basis, &'static str); 5] = [
        (
            Basis::LegitimateInterestProspect,
            "legitimate_interest_prospect",
        ),
        (
            Basis::LegitimateInterestClient,
            "legitimate_interest_client",
        ),
        (Basis::Contract, "contract"),
        (Basis::Consent, "consent"),
        (Basis::NotApplicable, "not_applicable"),
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::LegitimateInterestProspect => "legitimate_interest_prospect",
            Basis::LegitimateInterestClient => "legitimate_interest_client",
            Basis::Contract => "contract",
            Basis::Consent => "consent",
            Basis::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BasisLit {
    pub value: Basis,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SalesforceAssignee {
    Owner,
    IntegrationUser,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SalesforceAssigneeLit {
    pub value: SalesforceAssignee,
    pub span: Span,
}

/// `key = value` inside a record literal (`create`, `app ... action`).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: Ident,
    pub value: Value,
    pub span: Span,
}

/// `prop` (the enrolled record) or `object.prop` (every associated record of
/// that type).
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// Boxed: most paths name a property of the enrolled record, and paths
    /// sit inside most steps and conditions.
    pub object: Option<Box<Ident>>,
    pub property: Ident,
    pub span: Span,
}

// ---------------------------------------------------------------- conditions

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub kind: ConditionKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConditionKind {
    /// `a or b or c` (two or more operands, flattened).
    Or(Vec<Condition>),
    /// `a and b and c` (two or more operands, flattened).
    And(Vec<Condition>),
    Not(Box<Condition>),
    /// `( c )`, kept so that printing reproduces the source's grouping.
    Group(Box<Condition>),
    /// `<path> is|is not|>|>=|<|<= <value>`
    Compare {
        path: Path,
        op: CompareOp,
        op_span: Span,
        value: Value,
    },
    /// `<path> in [..]` / `<path> not in [..]`; `values` is a `Value::List`.
    In {
        path: Path,
        negated: bool,
        op_span: Span,
        values: Value,
    },
    /// `<path> contains "<text>"`
    Contains {
        path: Path,
        op_span: Span,
        text: StrLit,
    },
    /// `<path> is known` / `<path> is unknown`
    Known {
        path: Path,
        known: bool,
        op_span: Span,
    },
    Event(Event),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Is,
    IsNot,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Is => "is",
            CompareOp::IsNot => "is not",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// `form "<name>" submitted`
    FormSubmitted(StrLit),
    /// `page "<url>" viewed`
    PageViewed(StrLit),
    /// `email "<name>" opened|clicked|replied`
    Email { name: StrLit, action: EmailAction },
    /// `event "<name>"`
    Custom(StrLit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailAction {
    Opened,
    Clicked,
    Replied,
}

// ---------------------------------------------------------------- values

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    String(StrLit),
    Number(NumberLit),
    Bool(bool),
    Date(DateLit),
    List(Vec<Value>),
}

/// A string literal, unescaped, with its `{{ object.property }}` tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    /// The unescaped contents (tokens included verbatim as `{{ ... }}` text).
    pub value: Name,
    /// The well-formed tokens in source order, each with its place in
    /// `value`; empty for most literals. The rest of `value` is text
    /// (see [`StrLit::parts`]).
    pub tokens: Box<[TokenRef]>,
    /// Including the quotes.
    pub span: Span,
}

impl StrLit {
    /// The literal as text and tokens in order: the text between tokens as
    /// one piece each (never empty), the tokens as parsed.
    pub fn parts(&self) -> impl Iterator<Item = StrPart<'_>> + '_ {
        let mut at = 0usize;
        let mut tokens = self.tokens.iter().peekable();
        std::iter::from_fn(move || {
            let until = tokens
                .peek()
                .map_or(self.value.len(), |t| t.value_range.start as usize);
            if at < until {
                let text = self.value.get(at..until).unwrap_or("");
                at = until;
                return Some(StrPart::Text(text));
            }
            let t = tokens.next()?;
            at = t.value_range.end as usize;
            Some(StrPart::Token(t))
        })
    }

    /// Whether the literal holds at least one `{{ ... }}` token.
    pub fn has_tokens(&self) -> bool {
        !self.tokens.is_empty()
    }
}

/// A piece of a [`StrLit`], see [`StrLit::parts`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StrPart<'a> {
    Text(&'a str),
    Token(&'a TokenRef),
}

/// `{{ object.property }}` (or `{{ property }}`: the workflow's own object).
#[derive(Clone, Debug, PartialEq)]
pub struct TokenRef {
    pub object: Option<Ident>,
    pub property: Ident,
    /// From `{{` to `}}`.
    pub span: Span,
    /// Where the token's text (`{{` to `}}`) lies in [`StrLit::value`].
    pub value_range: std::ops::Range<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NumberLit {
    pub value: f64,
    /// As written (`12.5`, `-3`).
    pub raw: Name,
    pub span: Span,
}

/// `YYYY-MM-DD` as written; may be impossible (checked: WF406).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateLit {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub span: Span,
}

/// `H:MM` / `HH:MM` as written; may be out of range (checked: WF406).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeLit {
    pub hour: u32,
    pub minute: u32,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekdayLit {
    pub day: Weekday,
    pub span: Span,
}

/// A duration as written: parts in source order, possibly repeated or out of
/// order (checked: WF405).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duration {
    pub parts: Vec<DurationPart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationPart {
    /// Saturates at `u64::MAX` for absurdly long digit strings.
    pub amount: u64,
    pub unit: DurationUnit,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DurationUnit {
    Days,
    Hours,
    Minutes,
}

impl Duration {
    /// Total length in minutes (saturating).
    pub fn total_minutes(&self) -> u64 {
        self.parts.iter().fold(0u64, |acc, p| {
            let per = match p.unit {
                DurationUnit::Days => 24 * 60,
                DurationUnit::Hours => 60,
                DurationUnit::Minutes => 1,
            };
            acc.saturating_add(p.amount.saturating_mul(per))
        })
    }
}

// ---------------------------------------------------------------- tests

/// `test "<name>" for "<workflow>" { <lines> }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestItem {
    pub name: StrLit,
    /// The workflow under test: the default of every expectation.
    pub workflow: StrLit,
    pub lines: Vec<TestLine>,
    /// From `test` to the closing `}`.
    pub span: Span,
    /// The `test` keyword.
    pub keyword: Span,
    /// The test has a syntax error (WF001): it is not run.
    pub has_syntax_error: bool,
}

/// One line of a test, optionally at a moment (`at 2d:` / `on 2026-03-05 at 9:00:`).
#[derive(Clone, Debug, PartialEq)]
pub struct TestLine {
    pub when: Option<When>,
    pub kind: TestLineKind,
    pub span: Span,
}

/// A moment of a test: an offset from its start, or an instant in the
/// account's time zone.
#[derive(Clone, Debug, PartialEq)]
pub enum When {
    After(Duration),
    On {
        date: DateLit,
        time: Option<TimeLit>,
        span: Span,
    },
}

impl When {
    pub fn span(&self) -> Span {
        match self {
            When::After(d) => d.span,
            When::On { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestLineKind {
    /// `start 2026-03-02 [at 9:00]`
    Start {
        date: DateLit,
        time: Option<TimeLit>,
    },
    /// `contact c1 { firstname = "Ana" } [with co1, d1]`
    Record {
        object: Ident,
        id: Ident,
        fields: Vec<Field>,
        with: Vec<Ident>,
    },
    /// `set c1 { hubspotscore = 80 }`
    Set { record: Ident, fields: Vec<Field> },
    /// `form "Demo request" submitted by c1`
    Event { event: Event, record: Ident },
    /// `enroll c1 in "<workflow>"`
    Enroll { record: Ident, workflow: StrLit },
    /// `expect ...`
    Expect(Expectation),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The record the expectation is about (`None`: `expect error`, any record).
    pub record: Option<Ident>,
    pub kind: ExpectKind,
    /// The whole line after `expect`.
    pub span: Span,
    /// The `expect` keyword.
    pub keyword: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// `expect c1: <condition>`
    Condition(Condition),
    /// `expect c1 [not] enrolled|finished|left by goal|unenrolled [in "W"] [within 2d]`
    Enrollment {
        negated: bool,
        fact: Fact,
        fact_span: Span,
        workflow: Option<StrLit>,
        within: Option<Duration>,
    },
    /// `expect c1 [not] reached <label> [in "W"] [within 2d]`
    Reached {
        negated: bool,
        label: Ident,
        workflow: Option<StrLit>,
        within: Option<Duration>,
    },
    /// `expect c1 took "<path>" [of branch N] [in "W"]`
    Took {
        path: StrLit,
        branch: Option<NumberLit>,
        workflow: Option<StrLit>,
    },
    /// `expect c1 [not] ran <step> [once|twice|N times] [at 1d | within 1d] [in "W"]`
    Ran {
        negated: bool,
        step: Box<Step>,
        times: Option<Times>,
        at: Option<Duration>,
        within: Option<Duration>,
        workflow: Option<StrLit>,
    },
    /// `expect [c1] error ["<text in the reason>"]`
    Error { reason: Option<StrLit> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    Enrolled,
    Finished,
    LeftByGoal,
    Unenrolled,
}

impl Fact {
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Enrolled => "enrolled",
            Fact::Finished => "finished",
            Fact::LeftByGoal => "left by goal",
            Fact::Unenrolled => "unenrolled",
        }
    }
}

/// `once`, `twice`, `<n> times`.
#[derive(Clone, Debug, PartialEq)]
pub struct Times {
    pub count: u64,
    /// As written (`once`, `twice`, `3 times`).
    pub text: Name,
    pub span: Span,
}

/// The branches of a workflow body (`if` and `branch on` steps) in pre-order,
/// the order `of branch N` counts them in (from 1) and the order of their
/// plan nodes.
pub fn branches(block: &Block) -> Vec<&Step> {
    let mut out = Vec::new();
    for_each_step(block, &mut |s| {
        if matches!(s.kind, StepKind::If { .. } | StepKind::Branch { .. }) {
            out.push(s);
        }
    });
    out
}

/// The names of a branch's paths as the history reports them: `"if"`,
/// `"else if 1"`, ... and `"else"` for an `if`; each case value and
/// `"else"` for a `branch on`. Every branch has an `else` path (a missing
/// `else` is an empty one). Empty for any other step.
pub fn branch_paths(kind: &StepKind) -> Vec<String> {
    match kind {
        StepKind::If { arms, .. } => {
            let mut out: Vec<String> = (0..arms.len())
                .map(|i| {
                    if i == 0 {
                        "if".to_string()
                    } else {
                        format!("else if {i}")
                    }
                })
                .collect();
            out.push("else".to_string());
            out
        }
        StepKind::Branch { cases, .. } => {
            let mut out: Vec<String> = cases
                .iter()
                .flat_map(|c| c.values.iter().map(value_text))
                .collect();
            out.push("else".to_string());
            out
        }
        _ => Vec::new(),
    }
}

/// A scalar value as text (a string's contents, a number as written).
pub fn value_text(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => s.value.to_string(),
        ValueKind::Number(n) => n.raw.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Date(d) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
        ValueKind::List(items) => items.iter().map(value_text).collect::<Vec<_>>().join(";"),
    }
}
