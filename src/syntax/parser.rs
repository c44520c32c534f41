//! pest pairs → AST.
//!
//! The grammar fixes the shape of the pairs, but nothing here trusts it:
//! every access goes through [`Kids`], and an unexpected shape becomes an
//! internal WF001 diagnostic ([`Bug`]) instead of a panic.
//!
//! Lexical checks that the grammar leaves open (string escapes,
//! `{{ tokens }}`, the `basis` name, labels where none may stand, settings
//! inside nested blocks) are reported here, precisely, without dropping the
//! rest of the workflow.

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::grammar::{is_keyword, Rule};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::source::{FileId, Span};

/// An AST builder's "cannot happen": the pairs had a shape the grammar does
/// not produce. Reported as an internal WF001 on `span`.
#[derive(Debug)]
pub(crate) struct Bug {
    pub span: Span,
    pub what: &'static str,
}

type R<T> = Result<T, Bug>;

pub(crate) struct Builder {
    pub file: FileId,
    /// Byte offset of the chunk being built in its file.
    pub offset: usize,
    pub diags: Vec<Diagnostic>,
}

/// The significant children of a pair (punctuation and newlines skipped),
/// consumed front to back without collecting them.
struct Kids<'i> {
    iter: std::iter::Peekable<Pairs<'i, Rule>>,
    /// Span of the parent (for internal errors).
    span: Span,
}

fn is_noise(r: Rule) -> bool {
    matches!(
        r,
        Rule::nl
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbracket
            | Rule::rbracket
            | Rule::lparen
            | Rule::rparen
            | Rule::comma
            | Rule::eq
            | Rule::EOI
    )
}

impl<'i> Kids<'i> {
    fn skip_noise(&mut self) {
        while self.iter.peek().is_some_and(|p| is_noise(p.as_rule())) {
            self.iter.next();
        }
    }

    fn peek(&mut self) -> Option<Rule> {
        self.skip_noise();
        self.iter.peek().map(|p| p.as_rule())
    }

    fn next(&mut self) -> R<Pair<'i, Rule>> {
        self.skip_noise();
        self.iter.next().ok_or(Bug {
            span: self.span,
            what: "a missing child",
        })
    }

    fn expect(&mut self, rule: Rule) -> R<Pair<'i, Rule>> {
        let span = self.span;
        let p = self.next()?;
        if p.as_rule() == rule {
            Ok(p)
        } else {
            Err(Bug {
                span,
                what: "an unexpected child",
            })
        }
    }

    /// Consume the next child when it is `rule`.
    fn eat(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek() == Some(rule) {
            self.iter.next()
        } else {
            None
        }
    }

    /// Skip keywords at the cursor.
    fn skip_keywords(&mut self) {
        while self.peek().is_some_and(is_keyword) {
            self.iter.next();
        }
    }

    /// Skip to the next child of `rule` (keywords in between are skipped).
    fn find(&mut self, rule: Rule) -> R<Pair<'i, Rule>> {
        self.skip_keywords();
        self.expect(rule)
    }

    /// The remaining significant children.
    fn rest(self) -> impl Iterator<Item = Pair<'i, Rule>> {
        self.iter.filter(|p| !is_noise(p.as_rule()))
    }
}

impl Builder {
    pub fn new(file: FileId, offset: usize) -> Builder {
        Builder {
            file,
            offset,
            diags: Vec::new(),
        }
    }

    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    pub(crate) fn at(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.offset + start, self.offset + end)
    }

    fn kids<'i>(&self, p: &Pair<'i, Rule>) -> Kids<'i> {
        Kids {
            iter: p.clone().into_inner().peekable(),
            span: self.span(p),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>, label: &str, help: Option<String>) {
        let mut d = Diagnostic::new(Code::WF001, message, Label::new(span, label));
        d.help = help;
        self.diags.push(d);
    }

    pub fn bug_diagnostic(b: &Bug) -> Diagnostic {
        Diagnostic::new(
            Code::WF001,
            format!("internal parser error: {} in the syntax tree", b.what),
            Label::new(b.span, "the parser could not read this"),
        )
        .with_note("this is a bug in wfc; please report it with the file")
    }

    /// Span of the leading keywords of a pair (`send internal email`,
    /// `add to list`, `delay until`), without a trailing connective such as
    /// `to` in `send internal email to owner` or `at` in `delay until date at`.
    fn keyword_span(&self, p: &Pair<'_, Rule>) -> Span {
        let mut first: Option<Span> = None;
        let mut last: Option<Span> = None;
        for k in p.clone().into_inner() {
            let r = k.as_rule();
            if !is_keyword(r) {
                break;
            }
            let s = self.span(&k);
            if first.is_none() {
                first = Some(s);
                last = Some(s);
            } else if !matches!(r, Rule::k_to | Rule::k_among | Rule::k_at | Rule::k_date) {
                last = Some(s);
            }
        }
        match (first, last) {
            (Some(a), Some(b)) => a.to(b),
            _ => {
                let s = self.span(p);
                Span::new(s.file, s.start as usize, s.start as usize)
            }
        }
    }

    // ------------------------------------------------------------ file

    /// Build every workflow of a `chunk` pair. A workflow whose pairs have an
    /// unexpected shape is dropped with an internal diagnostic.
    pub fn chunk(&mut self, p: Pair<'_, Rule>) -> Vec<Workflow> {
        let mut out = Vec::new();
        for w in p.into_inner() {
            if w.as_rule() == Rule::workflow {
                match self.workflow(w) {
                    Ok(wf) => out.push(wf),
                    Err(b) => self.diags.push(Builder::bug_diagnostic(&b)),
                }
            }
        }
        out
    }

    fn workflow(&mut self, p: Pair<'_, Rule>) -> R<Workflow> {
        let span = self.span(&p);
        let keyword = self.keyword_span(&p);
        let mut k = self.kids(&p);
        let name = self.string(k.find(Rule::string)?);
        let object = self.ident(&k.find(Rule::object_type)?);
        let centered = match k.eat(Rule::centering) {
            Some(c) => Some(self.centering(c)?),
            None => None,
        };
        let mut settings = Vec::new();
        let body = self.block(k.find(Rule::block)?, Some(&mut settings))?;
        Ok(Workflow {
            name,
            object,
            centered,
            settings,
            body,
            span,
            keyword,
        })
    }

    fn centering(&mut self, p: Pair<'_, Rule>) -> R<Centering> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        k.skip_keywords();
        let x = k.next()?;
        let kind = match x.as_rule() {
            Rule::prop_name => CenteringKind::Property(self.ident(&x)),
            Rule::date => CenteringKind::Date(self.date(&x)?),
            _ => return Err(self.bug(&x)),
        };
        Ok(Centering { kind, span })
    }

    fn bug(&self, p: &Pair<'_, Rule>) -> Bug {
        Bug {
            span: self.span(p),
            what: "an unexpected node",
        }
    }

    // ------------------------------------------------------------ blocks

    /// A block; `settings` is `Some` for a workflow's top-level body, where
    /// settings may stand. Elsewhere a setting is reported and dropped.
    fn block(&mut self, p: Pair<'_, Rule>, mut settings: Option<&mut Vec<Setting>>) -> R<Block> {
        let span = self.span(&p);
        let mut steps = Vec::new();
        for item in self.kids(&p).rest() {
            match item.as_rule() {
                Rule::stmt => steps.push(self.stmt(item)?),
                Rule::setting => {
                    let s = self.setting(item)?;
                    match settings.as_deref_mut() {
                        Some(v) => v.push(s),
                        None => {
                            let text = setting_name(&s.kind);
                            self.error(
                                s.keyword,
                                format!("`{text}` is a workflow setting and cannot stand inside a block"),
                                "setting inside a block",
                                Some(format!(
                                    "move `{text}` to the top level of the workflow, outside every `if` and `branch`"
                                )),
                            );
                        }
                    }
                }
                _ => return Err(self.bug(&item)),
            }
        }
        Ok(Block { steps, span })
    }

    fn setting(&mut self, p: Pair<'_, Rule>) -> R<Setting> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let inner = k.next()?;
        let keyword = self.keyword_span(&inner);
        let mut k = self.kids(&inner);
        let kind = match inner.as_rule() {
            Rule::set_enroll_when => {
                SettingKind::EnrollWhen(self.condition(k.find(Rule::condition)?)?)
            }
            Rule::set_enroll_on => SettingKind::EnrollOn(self.event(k.find(Rule::event)?)?),
            Rule::set_reenroll => SettingKind::Reenroll,
            Rule::set_goal => SettingKind::Goal(self.condition(k.find(Rule::condition)?)?),
            Rule::set_unenroll_when => {
                SettingKind::UnenrollWhen(self.condition(k.find(Rule::condition)?)?)
            }
            _ => return Err(self.bug(&inner)),
        };
        Ok(Setting {
            kind,
            span,
            keyword,
        })
    }

    fn stmt(&mut self, p: Pair<'_, Rule>) -> R<Step> {
        let mut k = self.kids(&p);
        let label = k.eat(Rule::label).map(|l| Box::new(self.ident(&l)));
        let step = k.expect(Rule::step)?;
        let mut sk = self.kids(&step);
        let inner = sk.next()?;
        let step = self.step(inner)?;
        if let Some(l) = &label {
            let what = match step.kind {
                StepKind::If { .. } => Some("if"),
                StepKind::Branch { .. } => Some("branch on"),
                StepKind::Goto(_) => Some("goto"),
                _ => None,
            };
            if let Some(what) = what {
                self.error(
                    l.span,
                    format!("a label cannot stand on `{what}`"),
                    "label not allowed here",
                    Some(if what == "goto" {
                        format!("remove `{}:`", crate::diagnostics::shorten(&l.name))
                    } else {
                        format!(
                            "remove `{}:` or put the label on a step inside the `{what}`",
                            crate::diagnostics::shorten(&l.name)
                        )
                    }),
                );
            }
        }
        Ok(Step { label, ..step })
    }

    fn step(&mut self, p: Pair<'_, Rule>) -> R<Step> {
        let span = self.span(&p);
        let keyword = self.keyword_span(&p);
        let mut k = self.kids(&p);
        let kind = match p.as_rule() {
            // ---- delays
            Rule::st_delay => StepKind::Delay(self.duration(&k.find(Rule::duration)?)?),
            Rule::st_delay_until_date => {
                k.skip_keywords();
                let offset = match k.eat(Rule::date_offset) {
                    Some(o) => Some(self.date_offset(o)?),
                    None => None,
                };
                k.skip_keywords();
                let time = match k.eat(Rule::time) {
                    Some(t) => Some(self.time(&t)?),
                    None => None,
                };
                StepKind::DelayUntilDate { offset, time }
            }
            Rule::st_delay_until_time => {
                k.skip_keywords();
                let mut days = Vec::new();
                if let Some(w) = k.eat(Rule::weekdays) {
                    for d in self.kids(&w).rest() {
                        days.push(self.weekday(&d)?);
                    }
                }
                k.skip_keywords();
                let time = match k.eat(Rule::time) {
                    Some(t) => Some(self.time(&t)?),
                    None => None,
                };
                StepKind::DelayUntilTime { days, time }
            }
            Rule::st_delay_until_event => {
                let event = self.event(k.find(Rule::event)?)?;
                k.skip_keywords();
                let max = match k.eat(Rule::duration) {
                    Some(d) => Some(self.duration(&d)?),
                    None => None,
                };
                StepKind::DelayUntilEvent { event, max }
            }
            // ---- flow
            Rule::st_if => {
                let mut arms = Vec::new();
                let condition = self.condition(k.find(Rule::condition)?)?;
                let block = self.block(k.expect(Rule::block)?, None)?;
                arms.push(IfArm {
                    condition,
                    span: keyword.to(block.span),
                    block,
                });
                let mut else_block = None;
                for e in k.rest() {
                    match e.as_rule() {
                        Rule::else_if => {
                            let espan = self.span(&e);
                            let mut ek = self.kids(&e);
                            let condition = self.condition(ek.find(Rule::condition)?)?;
                            let block = self.block(ek.expect(Rule::block)?, None)?;
                            arms.push(IfArm {
                                condition,
                                block,
                                span: espan,
                            });
                        }
                        Rule::else_block => {
                            else_block = Some(self.else_block(e)?);
                        }
                        _ => return Err(self.bug(&e)),
                    }
                }
                StepKind::If { arms, else_block }
            }
            Rule::st_branch => {
                let path = self.path(&k.find(Rule::path)?)?;
                let mut cases = Vec::new();
                let mut else_block = None;
                for c in k.rest() {
                    match c.as_rule() {
                        Rule::case => {
                            let cspan = self.span(&c);
                            let mut values = Vec::new();
                            let mut block = None;
                            for x in self.kids(&c).rest() {
                                match x.as_rule() {
                                    Rule::scalar => values.push(self.value(x)?),
                                    Rule::block => block = Some(self.block(x, None)?),
                                    _ => return Err(self.bug(&x)),
                                }
                            }
                            let block = block.ok_or(Bug {
                                span: cspan,
                                what: "a branch case without a block",
                            })?;
                            cases.push(BranchCase {
                                values,
                                block,
                                span: cspan,
                            });
                        }
                        Rule::else_block => else_block = Some(self.else_block(c)?),
                        _ => return Err(self.bug(&c)),
                    }
                }
                StepKind::Branch {
                    path,
                    cases,
                    else_block,
                }
            }
            Rule::st_goto => StepKind::Goto(self.ident(&k.find(Rule::label_ref)?)),
            Rule::st_enroll_in => StepKind::EnrollIn(self.string(k.find(Rule::string)?)),
            Rule::st_webhook => {
                let m = k.find(Rule::http_method)?;
                let method = if m.as_str() == "get" {
                    HttpMethod::Get
                } else {
                    HttpMethod::Post
                };
                StepKind::Webhook {
                    method,
                    url: self.string(k.find(Rule::string)?),
                }
            }
            // ---- communication
            Rule::st_send_email => StepKind::SendEmail(self.string(k.find(Rule::string)?)),
            Rule::st_send_internal_email | Rule::st_send_notification => {
                let to = self.recipients(k.find(Rule::recipients)?)?;
                let subject = self.string(k.find(Rule::string)?);
                let body = self.string(k.find(Rule::string)?);
                if p.as_rule() == Rule::st_send_internal_email {
                    StepKind::SendInternalEmail { to, subject, body }
                } else {
                    StepKind::SendNotification { to, subject, body }
                }
            }
            Rule::st_send_internal_sms => {
                let rs = k.find(Rule::sms_recipients)?;
                let mut to = Vec::new();
                for r in self.kids(&rs).rest() {
                    let rspan = self.span(&r);
                    let mut rk = self.kids(&r);
                    let first = rk.next()?;
                    let s = self.string(rk.find(Rule::string)?);
                    let kind = match first.as_rule() {
                        Rule::k_user => SmsRecipientKind::User(s),
                        Rule::k_number => SmsRecipientKind::Number(s),
                        _ => return Err(self.bug(&first)),
                    };
                    to.push(SmsRecipient { kind, span: rspan });
                }
                let text = self.string(k.find(Rule::string)?);
                StepKind::SendInternalSms { to, text }
            }
            Rule::st_send_internal_marketing_email => {
                let email = self.string(k.find(Rule::string)?);
                k.skip_keywords();
                let mut to = Vec::new();
                for r in k.rest() {
                    let mut rk = self.kids(&r);
                    rk.skip_keywords();
                    let x = rk.next()?;
                    to.push(match x.as_rule() {
                        Rule::string => MarketingRecipient::Address(self.string(x)),
                        Rule::prop_name => MarketingRecipient::Property(self.ident(&x)),
                        _ => return Err(self.bug(&x)),
                    });
                }
                StepKind::SendInternalMarketingEmail { email, to }
            }
            Rule::st_send_slack => {
                let t = k.find(Rule::slack_target)?;
                let mut tk = self.kids(&t);
                let first = tk.next()?;
                let s = self.string(tk.find(Rule::string)?);
                let target = match first.as_rule() {
                    Rule::k_channel => SlackTarget::Channel(s),
                    Rule::k_user => SlackTarget::User(s),
                    _ => return Err(self.bug(&first)),
                };
                StepKind::SendSlack {
                    target,
                    text: self.string(k.find(Rule::string)?),
                }
            }
            // ---- integrations, assignment, create
            Rule::st_create_slack_channel => {
                let name = self.string(k.find(Rule::string)?);
                let visibility = k.eat(Rule::visibility).map(|v| VisibilityLit {
                    value: if v.as_str() == "private" {
                        Visibility::Private
                    } else {
                        Visibility::Public
                    },
                    span: self.span(&v),
                });
                StepKind::CreateSlackChannel { name, visibility }
            }
            Rule::st_create_asana_task => StepKind::CreateAsanaTask {
                title: self.string(k.find(Rule::string)?),
                project: self.string(k.find(Rule::string)?),
            },
            Rule::st_create_task => {
                let title = self.string(k.find(Rule::string)?);
                k.skip_keywords();
                let due = match k.eat(Rule::duration) {
                    Some(d) => Some(self.duration(&d)?),
                    None => None,
                };
                let for_owner = k.eat(Rule::for_owner).map(|f| self.span(&f));
                StepKind::CreateTask {
                    title,
                    due,
                    for_owner,
                }
            }
            Rule::st_create_record => StepKind::CreateRecord {
                object: self.ident(&k.find(Rule::object_type)?),
                fields: self.record(k.expect(Rule::record)?)?,
            },
            Rule::st_app_action => {
                let app = self.string(k.find(Rule::string)?);
                let action = self.string(k.find(Rule::string)?);
                let fields = match k.eat(Rule::record) {
                    Some(r) => self.record(r)?,
                    None => Vec::new(),
                };
                StepKind::AppAction {
                    app,
                    action,
                    fields,
                }
            }
            Rule::st_rotate_owner => {
                k.skip_keywords();
                let a = k.next()?;
                let mut ak = self.kids(&a);
                let among = match a.as_rule() {
                    Rule::rotate_team => RotateAmong::Team(self.string(ak.find(Rule::string)?)),
                    Rule::rotate_users => {
                        ak.skip_keywords();
                        let mut users = Vec::new();
                        for s in ak.rest() {
                            users.push(self.string(s));
                        }
                        RotateAmong::Users(users)
                    }
                    _ => return Err(self.bug(&a)),
                };
                let overwrite = k.eat(Rule::k_overwrite).map(|o| self.span(&o));
                StepKind::RotateOwner { among, overwrite }
            }
            // ---- properties
            Rule::st_set => {
                let path = self.path(&k.find(Rule::path)?)?;
                let op = k.expect(Rule::assign_op)?;
                let value = self.value(k.expect(Rule::value)?)?;
                if op.as_str() == "+=" {
                    StepKind::Append { path, value }
                } else {
                    StepKind::Set { path, value }
                }
            }
            Rule::st_copy => {
                let from = self.path(&k.find(Rule::path)?)?;
                let to = self.path(&k.find(Rule::path)?)?;
                let append = k.eat(Rule::k_append).map(|a| self.span(&a));
                StepKind::Copy { from, to, append }
            }
            Rule::st_clear => StepKind::Clear(self.path(&k.find(Rule::path)?)?),
            Rule::st_increase | Rule::st_decrease => {
                let path = self.path(&k.find(Rule::path)?)?;
                let by = self.number(&k.find(Rule::number)?);
                if p.as_rule() == Rule::st_increase {
                    StepKind::Increase { path, by }
                } else {
                    StepKind::Decrease { path, by }
                }
            }
            // ---- contact only
            Rule::st_add_to_list => StepKind::AddToList(self.string(k.find(Rule::string)?)),
            Rule::st_add_to_audience => StepKind::AddToAudience(self.string(k.find(Rule::string)?)),
            Rule::st_remove_from_list => {
                StepKind::RemoveFromList(self.string(k.find(Rule::string)?))
            }
            Rule::st_remove_from_audience => {
                StepKind::RemoveFromAudience(self.string(k.find(Rule::string)?))
            }
            Rule::st_opt => {
                let dir = k.find(Rule::opt_dir)?;
                let status = if dir.as_str() == "out" {
                    SubscriptionStatus::OptOut
                } else {
                    SubscriptionStatus::OptIn
                };
                let subscription = self.string(k.expect(Rule::string)?);
                k.skip_keywords();
                let basis = match k.eat(Rule::basis) {
                    Some(b) => self.basis(&b),
                    None => None,
                };
                k.skip_keywords();
                let explanation = k.eat(Rule::string).map(|s| self.string(s));
                StepKind::Subscription {
                    status,
                    subscription,
                    basis,
                    explanation,
                }
            }
            Rule::st_salesforce_task => {
                let subject = self.string(k.find(Rule::string)?);
                let assignee = match k.eat(Rule::sf_assignee) {
                    Some(a) => {
                        let mut ak = self.kids(&a);
                        ak.expect(Rule::k_for)?;
                        let who = ak.next()?;
                        let value = match who.as_rule() {
                            Rule::k_owner => SalesforceAssignee::Owner,
                            Rule::k_integration_user => SalesforceAssignee::IntegrationUser,
                            _ => return Err(self.bug(&who)),
                        };
                        Some(SalesforceAssigneeLit {
                            value,
                            span: self.span(&a),
                        })
                    }
                    None => None,
                };
                StepKind::SalesforceTask { subject, assignee }
            }
            Rule::st_salesforce_campaign => {
                StepKind::SalesforceCampaign(self.string(k.find(Rule::string)?))
            }
            _ => return Err(self.bug(&p)),
        };
        Ok(Step {
            label: None,
            kind,
            span,
            keyword,
        })
    }

    fn else_block(&mut self, p: Pair<'_, Rule>) -> R<Block> {
        let mut k = self.kids(&p);
        self.block(k.find(Rule::block)?, None)
    }

    fn recipients(&mut self, p: Pair<'_, Rule>) -> R<Vec<Recipient>> {
        let mut out = Vec::new();
        for r in self.kids(&p).rest() {
            let span = self.span(&r);
            let mut k = self.kids(&r);
            let first = k.next()?;
            let kind = match first.as_rule() {
                Rule::k_owner => RecipientKind::Owner,
                Rule::k_user => RecipientKind::User(self.string(k.expect(Rule::string)?)),
                Rule::k_team => RecipientKind::Team(self.string(k.expect(Rule::string)?)),
                _ => return Err(self.bug(&first)),
            };
            out.push(Recipient { kind, span });
        }
        Ok(out)
    }

    fn record(&mut self, p: Pair<'_, Rule>) -> R<Vec<Field>> {
        let mut out = Vec::new();
        for f in self.kids(&p).rest() {
            let span = self.span(&f);
            let mut k = self.kids(&f);
            let key = self.ident(&k.expect(Rule::field_key)?);
            let value = self.value(k.expect(Rule::value)?)?;
            out.push(Field { key, value, span });
        }
        Ok(out)
    }

    fn date_offset(&mut self, p: Pair<'_, Rule>) -> R<DateOffset> {
        let mut k = self.kids(&p);
        let amount = self.duration(&k.expect(Rule::duration)?)?;
        let d = k.expect(Rule::offset_dir)?;
        Ok(DateOffset {
            amount,
            direction: if d.as_str() == "before" {
                OffsetDirection::Before
            } else {
                OffsetDirection::After
            },
            direction_span: self.span(&d),
        })
    }

    fn basis(&mut self, p: &Pair<'_, Rule>) -> Option<BasisLit> {
        let s = p.as_span();
        self.basis_at(p.as_str(), s.start(), s.end())
    }

    /// The basis name `name` at chunk-relative `start..end`.
    pub(crate) fn basis_at(&mut self, name: &str, start: usize, end: usize) -> Option<BasisLit> {
        let span = self.at(start, end);
        if let Some(&(value, _)) = Basis::ALL.iter().find(|(_, s)| *s == name) {
            return Some(BasisLit { value, span });
        }
        let names: Vec<&str> = Basis::ALL.iter().map(|(_, s)| *s).collect();
        let help = match super::errors::closest(name, &names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("write one of {}", super::errors::join_or(&names, true)),
        };
        self.error(
            span,
            format!("unknown basis `{}`", crate::diagnostics::shorten(name)),
            "unknown basis",
            Some(help),
        );
        None
    }

    // ------------------------------------------------------------ conditions

    fn condition(&mut self, p: Pair<'_, Rule>) -> R<Condition> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::condition | Rule::cond_and => {
                let is_or = p.as_rule() == Rule::condition;
                let mut ops = Vec::new();
                for c in self.kids(&p).rest() {
                    if !is_keyword(c.as_rule()) {
                        ops.push(self.condition(c)?);
                    }
                }
                if ops.len() == 1 {
                    if let Some(one) = ops.pop() {
                        return Ok(one);
                    }
                }
                if ops.is_empty() {
                    return Err(self.bug(&p));
                }
                let kind = if is_or {
                    ConditionKind::Or(ops)
                } else {
                    ConditionKind::And(ops)
                };
                Ok(Condition { kind, span })
            }
            Rule::cond_not => {
                let mut k = self.kids(&p);
                k.skip_keywords();
                let inner = self.condition(k.next()?)?;
                Ok(Condition {
                    kind: ConditionKind::Not(Box::new(inner)),
                    span,
                })
            }
            Rule::cond_group => {
                let mut k = self.kids(&p);
                let inner = self.condition(k.expect(Rule::condition)?)?;
                Ok(Condition {
                    kind: ConditionKind::Group(Box::new(inner)),
                    span,
                })
            }
            Rule::event => Ok(Condition {
                kind: ConditionKind::Event(self.event(p)?),
                span,
            }),
            Rule::predicate => {
                let mut k = self.kids(&p);
                let path = self.path(&k.expect(Rule::path)?)?;
                let cmp = k.expect(Rule::comparison)?;
                let mut ck = self.kids(&cmp);
                let op = ck.next()?;
                let op_span = self.span(&op);
                let kind = match op.as_rule() {
                    Rule::op_known | Rule::op_unknown => ConditionKind::Known {
                        path,
                        known: op.as_rule() == Rule::op_known,
                        op_span,
                    },
                    Rule::op_is | Rule::op_is_not | Rule::op_cmp => {
                        let op_kind = match op.as_rule() {
                            Rule::op_is => CompareOp::Is,
                            Rule::op_is_not => CompareOp::IsNot,
                            _ => match op.as_str() {
                                ">=" => CompareOp::Ge,
                                "<=" => CompareOp::Le,
                                ">" => CompareOp::Gt,
                                _ => CompareOp::Lt,
                            },
                        };
                        ConditionKind::Compare {
                            path,
                            op: op_kind,
                            op_span,
                            value: self.value(ck.expect(Rule::value)?)?,
                        }
                    }
                    Rule::op_in | Rule::op_not_in => ConditionKind::In {
                        path,
                        negated: op.as_rule() == Rule::op_not_in,
                        op_span,
                        values: self.list(ck.expect(Rule::list)?)?,
                    },
                    Rule::op_contains => ConditionKind::Contains {
                        path,
                        op_span,
                        text: self.string(ck.expect(Rule::string)?),
                    },
                    _ => return Err(self.bug(&op)),
                };
                Ok(Condition { kind, span })
            }
            _ => Err(self.bug(&p)),
        }
    }

    fn event(&mut self, p: Pair<'_, Rule>) -> R<Event> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let inner = k.next()?;
        let mut ik = self.kids(&inner);
        let name = self.string(ik.find(Rule::string)?);
        let kind = match inner.as_rule() {
            Rule::ev_form => EventKind::FormSubmitted(name),
            Rule::ev_page => EventKind::PageViewed(name),
            Rule::ev_custom => EventKind::Custom(name),
            Rule::ev_email => {
                let a = ik.expect(Rule::email_action)?;
                let action = match a.as_str() {
                    "opened" => EmailAction::Opened,
                    "clicked" => EmailAction::Clicked,
                    _ => EmailAction::Replied,
                };
                EventKind::Email { name, action }
            }
            _ => return Err(self.bug(&inner)),
        };
        Ok(Event { kind, span })
    }

    // ------------------------------------------------------------ values

    fn value(&mut self, p: Pair<'_, Rule>) -> R<Value> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let inner = k.next()?;
        let kind = match inner.as_rule() {
            Rule::string => ValueKind::String(self.string(inner)),
            Rule::number => ValueKind::Number(self.number(&inner)),
            Rule::boolean => ValueKind::Bool(inner.as_str() == "true"),
            Rule::date => ValueKind::Date(self.date(&inner)?),
            Rule::list => return self.list(inner),
            _ => return Err(self.bug(&inner)),
        };
        Ok(Value { kind, span })
    }

    fn list(&mut self, p: Pair<'_, Rule>) -> R<Value> {
        let span = self.span(&p);
        let mut items = Vec::new();
        for v in self.kids(&p).rest() {
            items.push(self.value(v)?);
        }
        Ok(Value {
            kind: ValueKind::List(items),
            span,
        })
    }

    fn path(&mut self, p: &Pair<'_, Rule>) -> R<Path> {
        let span = self.span(p);
        let mut idents: Vec<Ident> = p.clone().into_inner().map(|i| self.ident(&i)).collect();
        let property = idents.pop().ok_or(Bug {
            span,
            what: "an empty path",
        })?;
        Ok(Path {
            object: idents.pop().map(Box::new),
            property,
            span,
        })
    }

    fn ident(&self, p: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: Name::from(p.as_str()),
            span: self.span(p),
        }
    }

    fn number(&self, p: &Pair<'_, Rule>) -> NumberLit {
        let raw = p.as_str();
        NumberLit {
            value: raw.parse::<f64>().unwrap_or(f64::NAN),
            raw: Name::from(raw),
            span: self.span(p),
        }
    }

    fn date(&self, p: &Pair<'_, Rule>) -> R<DateLit> {
        let raw = p.as_str();
        let part = |r: std::ops::Range<usize>| raw.get(r).and_then(|s| s.parse::<u32>().ok());
        match (part(0..4), part(5..7), part(8..10)) {
            (Some(y), Some(m), Some(d)) => Ok(DateLit {
                year: y as i32,
                month: m,
                day: d,
                span: self.span(p),
            }),
            _ => Err(self.bug(p)),
        }
    }

    fn time(&self, p: &Pair<'_, Rule>) -> R<TimeLit> {
        let raw = p.as_str();
        let (h, m) = raw.split_once(':').ok_or_else(|| self.bug(p))?;
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(hour), Ok(minute)) => Ok(TimeLit {
                hour,
                minute,
                span: self.span(p),
            }),
            _ => Err(self.bug(p)),
        }
    }

    fn weekday(&self, p: &Pair<'_, Rule>) -> R<WeekdayLit> {
        let day = match p.as_str() {
            "monday" => Weekday::Monday,
            "tuesday" => Weekday::Tuesday,
            "wednesday" => Weekday::Wednesday,
            "thursday" => Weekday::Thursday,
            "friday" => Weekday::Friday,
            "saturday" => Weekday::Saturday,
            "sunday" => Weekday::Sunday,
            _ => return Err(self.bug(p)),
        };
        Ok(WeekdayLit {
            day,
            span: self.span(p),
        })
    }

    fn duration(&self, p: &Pair<'_, Rule>) -> R<Duration> {
        let span = self.span(p);
        let mut parts = Vec::new();
        for part in p.clone().into_inner() {
            let raw = part.as_str();
            let amount = raw
                .bytes()
                .take_while(u8::is_ascii_digit)
                .fold(0u64, |acc, d| {
                    acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                });
            let unit = match raw.bytes().last() {
                Some(b'd') => DurationUnit::Days,
                Some(b'h') => DurationUnit::Hours,
                Some(b'm') => DurationUnit::Minutes,
                _ => return Err(self.bug(&part)),
            };
            parts.push(DurationPart {
                amount,
                unit,
                span: self.span(&part),
            });
        }
        if parts.is_empty() {
            return Err(self.bug(p));
        }
        Ok(Duration { parts, span })
    }

    // ------------------------------------------------------------ strings

    /// Unescape a string literal and split it into text and `{{ tokens }}`.
    /// Bad escapes and malformed tokens are reported; the literal is still
    /// returned (with the bad piece kept as text) so nothing else is lost.
    pub(crate) fn string(&mut self, p: Pair<'_, Rule>) -> StrLit {
        self.string_at(p.as_str(), p.as_span().start())
    }

    /// [`Builder::string`] of the literal `whole` (quotes included) that
    /// starts at chunk-relative offset `start`.
    pub(crate) fn string_at(&mut self, whole: &str, start: usize) -> StrLit {
        let span = self.at(start, start + whole.len());
        let raw = whole
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(whole);
        if !raw.contains('\\') && !raw.contains("{{") {
            return StrLit {
                value: Name::from(raw),
                tokens: Box::default(),
                span,
            };
        }
        // File offset of raw[0] relative to the chunk.
        let base = start + 1;
        let mut value = String::with_capacity(raw.len());
        let mut tokens = Vec::new();
        let mut i = 0usize;
        while let Some(c) = raw.get(i..).and_then(|r| r.chars().next()) {
            if c == '\\' {
                let (ch, len) = self.escape(raw, i, base);
                if let Some(ch) = ch {
                    value.push(ch);
                }
                i += len;
            } else if raw.get(i..).is_some_and(|r| r.starts_with("{{")) {
                let (tok, len) = self.token(raw, i, base, value.len());
                value.push_str(raw.get(i..i + len).unwrap_or(""));
                tokens.extend(tok);
                i += len;
            } else {
                value.push(c);
                i += c.len_utf8();
            }
        }
        StrLit {
            value: Name::from(value),
            tokens: tokens.into_boxed_slice(),
            span,
        }
    }

    /// The escape starting at `raw[i]` (a backslash): its character (None
    /// when invalid, reported) and its length in bytes.
    fn escape(&mut self, raw: &str, i: usize, base: usize) -> (Option<char>, usize) {
        let rest = raw.get(i + 1..).unwrap_or("");
        let Some(n) = rest.chars().next() else {
            return (None, 1);
        };
        match n {
            '"' => (Some('"'), 2),
            '\\' => (Some('\\'), 2),
            'n' => (Some('\n'), 2),
            't' => (Some('\t'), 2),
            'u' => {
                // \u{X...}: 1 to 6 hex digits naming a Unicode scalar value
                let after = rest.get(1..).unwrap_or("");
                let close = after.find('}');
                let ok = after.starts_with('{')
                    && close.is_some_and(|c| {
                        let hex = after.get(1..c).unwrap_or("");
                        (1..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                if ok {
                    let c = close.unwrap_or(0);
                    let hex = after.get(1..c).unwrap_or("");
                    let len = 2 + c + 1;
                    match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => (Some(ch), len),
                        None => {
                            self.error(
                                self.at(base + i, base + i + len),
                                format!("`\\u{{{hex}}}` is not a Unicode character"),
                                "invalid unicode escape",
                                Some(
                                    "use a code point up to `10FFFF` outside `D800`–`DFFF`".into(),
                                ),
                            );
                            (None, len)
                        }
                    }
                } else {
                    self.error(
                        self.at(base + i, base + i + 2),
                        "malformed unicode escape",
                        "expected `\\u{XXXX}`",
                        Some("write the code point in hex between braces, e.g. `\\u{e9}`".into()),
                    );
                    (None, 2)
                }
            }
            other => {
                let len = 1 + other.len_utf8();
                let shown: String = other.escape_debug().collect();
                self.error(
                    self.at(base + i, base + i + len),
                    format!("unknown escape `\\{shown}` in string"),
                    "unknown escape",
                    Some(
                        "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{XXXX}`; write `\\\\` for a backslash"
                            .into(),
                    ),
                );
                (None, len)
            }
        }
    }

    /// The token starting at `raw[i]` (`{{`), which starts at byte
    /// `at_value` of the literal's value: the token when well-formed (else reported) and
    /// its length in bytes.
    fn token(
        &mut self,
        raw: &str,
        i: usize,
        base: usize,
        at_value: usize,
    ) -> (Option<TokenRef>, usize) {
        let rest = raw.get(i + 2..).unwrap_or("");
        let Some(close) = rest.find("}}") else {
            self.error(
                self.at(base + i, base + i + 2),
                "unclosed personalisation token",
                "`{{` without `}}`",
                Some("close the token: `{{ object.property }}`".into()),
            );
            return (None, 2);
        };
        let len = 2 + close + 2;
        let inner = rest.get(..close).unwrap_or("");
        let span = self.at(base + i, base + i + len);
        let lead = inner.len() - inner.trim_start_matches([' ', '\t']).len();
        let body = inner.trim_matches([' ', '\t']);
        let body_start = base + i + 2 + lead;
        let names: Vec<&str> = body.split('.').collect();
        let valid = |s: &str| {
            let mut b = s.bytes();
            b.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        };
        if names.len() > 2 || !names.iter().all(|n| valid(n)) {
            let shown: String = raw.get(i..i + len).unwrap_or("").escape_debug().collect();
            self.error(
                span,
                format!("malformed personalisation token `{}`", crate::diagnostics::shorten(&shown)),
                "expected `{{ object.property }}`",
                Some("write `{{ object.property }}` or `{{ property }}`, e.g. `{{ contact.firstname }}`".into()),
            );
            return (None, len);
        }
        let mut at = body_start;
        let mut idents = Vec::new();
        for n in &names {
            idents.push(Ident {
                name: Name::from(*n),
                span: self.at(at, at + n.len()),
            });
            at += n.len() + 1;
        }
        let property = match idents.pop() {
            Some(p) => p,
            None => return (None, len),
        };
        (
            Some(TokenRef {
                object: idents.pop(),
                property,
                span,
                value_range: at_value as u32..(at_value + len) as u32,
            }),
            len,
        )
    }
}

fn setting_name(k: &SettingKind) -> &'static str {
    match k {
        SettingKind::EnrollWhen(_) => "enroll when",
        SettingKind::EnrollOn(_) => "enroll on",
        SettingKind::Reenroll => "reenroll",
        SettingKind::Goal(_) => "goal",
        SettingKind::UnenrollWhen(_) => "unenroll when",
    }
}
