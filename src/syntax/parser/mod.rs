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
//!
//! Files: this one holds the walk over files, blocks, settings and steps;
//! [`steps`] the step kinds, [`conditions`] conditions and events,
//! [`literals`] values, lexical items and string literals.

mod conditions;
mod literals;
mod steps;
mod testitems;

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
    /// The test items of the chunk (see [`Builder::chunk`]).
    pub tests: Vec<TestItem>,
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
            tests: Vec::new(),
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

    /// WF001: an internal parser error (a bug).
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
            // `in`/`out` of `opt in`/`opt out` is part of the phrase
            if !is_keyword(r) && r != Rule::opt_dir {
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
                let before = self.diags.len();
                match self.workflow(w) {
                    Ok(mut wf) => {
                        // a bad escape, token or label is a syntax error too
                        wf.has_syntax_error = self.diags.len() > before;
                        out.push(wf);
                    }
                    Err(b) => self.diags.push(Builder::bug_diagnostic(&b)),
                }
            } else if w.as_rule() == Rule::test_item {
                let before = self.diags.len();
                match self.test_item(w) {
                    Ok(mut t) => {
                        t.has_syntax_error = self.diags.len() > before;
                        self.tests.push(t);
                    }
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
            has_syntax_error: false,
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
    ///
    /// WF001: a setting inside a nested block.
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

    /// WF001: a label on `if`, `branch on` or `goto`.
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
        let rule = p.as_rule();
        let kind = match rule {
            Rule::st_delay => StepKind::Delay(self.duration(&k.find(Rule::duration)?)?),
            Rule::st_delay_until_date => self.st_delay_until_date(&mut k)?,
            Rule::st_delay_until_time => self.st_delay_until_time(&mut k)?,
            Rule::st_delay_until_event => self.st_delay_until_event(&mut k)?,
            Rule::st_if => self.st_if(k, keyword)?,
            Rule::st_branch => self.st_branch(k)?,
            Rule::st_goto => StepKind::Goto(self.ident(&k.find(Rule::label_ref)?)),
            Rule::st_enroll_in => StepKind::EnrollIn(self.string(k.find(Rule::string)?)),
            Rule::st_webhook => self.st_webhook(&mut k)?,
            Rule::st_send_email => StepKind::SendEmail(self.string(k.find(Rule::string)?)),
            Rule::st_send_internal_email | Rule::st_send_notification => {
                self.st_send_to_users(&mut k, rule)?
            }
            Rule::st_send_internal_sms => self.st_send_internal_sms(&mut k)?,
            Rule::st_send_internal_marketing_email => self.st_send_internal_marketing_email(k)?,
            Rule::st_send_slack => self.st_send_slack(&mut k)?,
            Rule::st_create_slack_channel => self.st_create_slack_channel(&mut k)?,
            Rule::st_create_asana_task => StepKind::CreateAsanaTask {
                title: self.string(k.find(Rule::string)?),
                project: self.string(k.find(Rule::string)?),
            },
            Rule::st_create_task => self.st_create_task(&mut k)?,
            Rule::st_create_record => StepKind::CreateRecord {
                object: self.ident(&k.find(Rule::object_type)?),
                fields: self.record(k.expect(Rule::record)?)?,
            },
            Rule::st_app_action => self.st_app_action(&mut k)?,
            Rule::st_rotate_owner => self.st_rotate_owner(&mut k)?,
            Rule::st_set => self.st_set(&mut k)?,
            Rule::st_copy => self.st_copy(&mut k)?,
            Rule::st_clear => StepKind::Clear(self.path(&k.find(Rule::path)?)?),
            Rule::st_increase | Rule::st_decrease => self.st_change_by(&mut k, rule)?,
            Rule::st_add_to_list => StepKind::AddToList(self.string(k.find(Rule::string)?)),
            Rule::st_add_to_audience => StepKind::AddToAudience(self.string(k.find(Rule::string)?)),
            Rule::st_remove_from_list => {
                StepKind::RemoveFromList(self.string(k.find(Rule::string)?))
            }
            Rule::st_remove_from_audience => {
                StepKind::RemoveFromAudience(self.string(k.find(Rule::string)?))
            }
            Rule::st_opt => self.st_opt(&mut k)?,
            Rule::st_salesforce_task => self.st_salesforce_task(&mut k)?,
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
    ///
    /// WF001: an unknown `basis` name.
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
