//! The checker: every rule of docs/rules.md over the AST, against the
//! [`Environment`](crate::schema::Environment).
//!
//! One module per rule family, each diagnostic built in exactly one function
//! named by its code (`grep -rn wf101 src/check` finds the constructor,
//! `grep -rn WF101 src/check` the deciding function):
//! - `resolve`: names (WF101–WF107)
//! - `typing`: types and object-type rules (WF201–WF207, WF209, WF210)
//! - `tokens`: personalisation tokens `{{ object.prop }}` (WF208)
//! - `tiers`: subscription tiers and integrations (WF301–WF304)
//! - `flow`: go-to, go-to cycles, dead steps, delays, durations, times and
//!   dates (WF401–WF406)
//! - `literals`: literal values (WF501–WF503)
//! - `warnings`: WF901–WF903
//! - `testitems`: the `test` items (WF108, WF109, and the codes above for
//!   the workflow text they mirror)
//!
//! Imports between these files go one way (`typing` → `resolve`, `tiers`;
//! `flow` → `resolve`; `literals` → `warnings`); each diagnostic's deciding
//! function carries its code in its doc comment (`grep -rn WF403 src`).
//!
//! This module walks the workflows and calls the rules; `docs/rules.md`
//! states every rule precisely.

mod flow;
mod literals;
mod resolve;
mod testitems;
mod tiers;
mod tokens;
mod typing;
mod warnings;

use crate::catalog;
use crate::diagnostics::{distance_within, suggest, Applicability, Code, Diagnostic, Fix};
use crate::schema::{Environment, PropType};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{self, for_each_step, StepKind};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// Check every file together (workflow names and `enroll in` resolve across
/// all of them). Returns every diagnostic, unsorted.
pub fn check(files: &[ast::SourceFile], env: &Environment, sources: &SourceMap) -> Vec<Diagnostic> {
    check_capped(files, env, sources, usize::MAX).0
}

/// [`check`] keeping, per file, only the `keep` diagnostics that come first
/// in [`crate::diagnostics::sort`] order (ties in the order they were
/// found), and counting the others: `(file, errors, warnings)` left out.
/// A report that lists the first N per file needs only N + 1 of them; a
/// 16 MiB file with a million errors then holds a few hundred diagnostics
/// in memory, not a million.
pub fn check_capped(
    files: &[ast::SourceFile],
    env: &Environment,
    sources: &SourceMap,
    keep: usize,
) -> (Vec<Diagnostic>, Vec<(FileId, usize, usize)>) {
    let mut cx = Checker::new(env, sources);
    cx.diags.keep = keep;
    cx.tiers_apply = tiers::account(&mut cx);
    for file in files {
        cx.unnamed_broken_workflow |= file.unnamed_broken_workflow;
        for wf in &file.workflows {
            resolve::workflow_name(&mut cx, wf);
            for_each_step(&wf.body, &mut |s| {
                if let StepKind::AddToAudience(a) = &s.kind {
                    cx.audiences_created.insert(a.value.to_string());
                }
            });
        }
    }
    cx.resources = resolve::ResourceIndex::new(env);
    for file in files {
        cx.suggested.set(0);
        for wf in &file.workflows {
            cx.workflow(wf);
        }
    }
    // Tests, once every workflow is known (the first of each name).
    let mut by_name: BTreeMap<&str, &ast::Workflow> = BTreeMap::new();
    for file in files {
        for wf in &file.workflows {
            by_name.entry(wf.name.value.as_str()).or_insert(wf);
        }
    }
    for file in files {
        cx.suggested.set(0);
        for t in &file.tests {
            if !t.has_syntax_error {
                testitems::test(&mut cx, t, &by_name);
            }
        }
    }
    cx.diags.finish()
}

/// The checker's diagnostics, at most `keep` per file (see [`check_capped`]).
pub(crate) struct Kept {
    keep: usize,
    /// Order of arrival, the tie-breaker of the sort.
    seq: usize,
    files: BTreeMap<FileId, KeptFile>,
}

#[derive(Default)]
struct KeptFile {
    /// A max-heap: the last in sort order is dropped first.
    heap: BinaryHeap<ByOrder>,
    errors_dropped: usize,
    warnings_dropped: usize,
}

struct ByOrder(Diagnostic, usize);

impl ByOrder {
    fn key(&self) -> (FileId, u32, Code, u32, usize) {
        let s = self.0.primary.span;
        (s.file, s.start, self.0.code, s.end, self.1)
    }
}

impl PartialEq for ByOrder {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for ByOrder {}
impl PartialOrd for ByOrder {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ByOrder {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl Kept {
    fn new() -> Kept {
        Kept {
            keep: usize::MAX,
            seq: 0,
            files: BTreeMap::new(),
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.seq += 1;
        let f = self.files.entry(d.primary.span.file).or_default();
        f.heap.push(ByOrder(d, self.seq));
        if f.heap.len() > self.keep {
            if let Some(ByOrder(dropped, _)) = f.heap.pop() {
                if dropped.is_error() {
                    f.errors_dropped += 1;
                } else {
                    f.warnings_dropped += 1;
                }
            }
        }
    }

    /// The kept diagnostics in sort order (ties in order of arrival), and
    /// the counts of those left out per file.
    fn finish(self) -> (Vec<Diagnostic>, Vec<(FileId, usize, usize)>) {
        let mut out = Vec::new();
        let mut dropped = Vec::new();
        for (file, f) in self.files {
            if f.errors_dropped + f.warnings_dropped > 0 {
                dropped.push((file, f.errors_dropped, f.warnings_dropped));
            }
            out.extend(f.heap.into_sorted_vec().into_iter().map(|b| b.0));
        }
        (out, dropped)
    }
}

/// Most did-you-mean suggestions computed per file. Each compares a name
/// with every candidate; the report keeps only the first
/// [`crate::driver::MAX_DIAGNOSTICS_PER_FILE`] diagnostics of a file, so a
/// file with 40,000 unknown names against 40,000 workflows need not pay
/// for 1.6 billion comparisons. Diagnostics past this many get no `help`.
pub(crate) const MAX_SUGGESTIONS_PER_FILE: usize = 1000;

/// A workflow as seen from other workflows (`enroll in`).
pub(crate) struct WorkflowInfo {
    /// The declared object type name (possibly unknown).
    pub object: String,
    pub known_object: bool,
    /// The name where it is first declared (secondary label of WF106).
    pub name_span: Span,
}

pub(crate) struct Checker<'a> {
    pub env: &'a Environment,
    #[allow(dead_code)]
    pub sources: &'a SourceMap,
    pub diags: Kept,
    /// First declaration of each workflow name.
    pub workflows: BTreeMap<String, WorkflowInfo>,
    /// False when WF304 was reported (then WF301–WF303 are not).
    pub tiers_apply: bool,
    /// Audiences that some `add to audience` creates.
    pub audiences_created: BTreeSet<String>,
    /// The declared resources, indexed once (WF107).
    pub resources: resolve::ResourceIndex<'a>,
    /// Did-you-mean suggestions computed in the current file.
    pub suggested: std::cell::Cell<usize>,
    /// Some workflow's name could not be read (syntax error): no WF103.
    pub unnamed_broken_workflow: bool,
    /// The last did-you-mean, turned into a fix when the next diagnostic
    /// pushed carries its help (see [`Checker::attach_fix`]).
    pending_fix: std::cell::RefCell<Option<PendingFix>>,
}

/// A did-you-mean waiting for its diagnostic.
struct PendingFix {
    help: String,
    name: String,
    candidate: String,
    applicability: Applicability,
}

/// Where a step sits: the enclosing branch paths, outermost first, each as
/// (branch step id, path index). The branch step id is the byte offset of
/// the `if`/`branch` step, unique in its file.
pub(crate) type Ancestry = Vec<(u32, usize)>;

pub(crate) struct LabelInfo {
    pub ancestry: Ancestry,
    /// Where the label is first defined (secondary label of WF105).
    pub span: Span,
}

/// Per-workflow context.
pub(crate) struct Wf<'a> {
    /// The workflow's name (`enroll in` never suggests it, WF103).
    pub name: &'a str,
    /// The workflow's object type, when it is known.
    pub object: Option<&'a str>,
    /// Centred on a date (even when the centring itself is reported).
    pub centred: bool,
    pub labels: BTreeMap<String, LabelInfo>,
    /// Steps were left out for a syntax error: their labels may be missing.
    pub has_syntax_error: bool,
}

impl<'a> Checker<'a> {
    fn new(env: &'a Environment, sources: &'a SourceMap) -> Checker<'a> {
        Checker {
            env,
            sources,
            diags: Kept::new(),
            workflows: BTreeMap::new(),
            tiers_apply: true,
            audiences_created: BTreeSet::new(),
            resources: resolve::ResourceIndex::default(),
            suggested: std::cell::Cell::new(0),
            unnamed_broken_workflow: false,
            pending_fix: std::cell::RefCell::new(None),
        }
    }

    /// `did you mean `x`?` when a candidate is within edit distance 2, for
    /// the first [`MAX_SUGGESTIONS_PER_FILE`] unknown names of a file.
    pub fn did_you_mean<'c>(
        &self,
        name: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Option<String> {
        let n = self.suggested.get();
        if n >= MAX_SUGGESTIONS_PER_FILE {
            return None;
        }
        self.suggested.set(n + 1);
        let (candidate, applicability) = suggestion(name, candidates)?;
        let help = format!("did you mean `{candidate}`?");
        *self.pending_fix.borrow_mut() = Some(PendingFix {
            help: help.clone(),
            name: name.to_string(),
            candidate: candidate.to_string(),
            applicability,
        });
        Some(help)
    }

    /// Give `d` the fix of the last did-you-mean when `d` carries its help
    /// and its primary span holds the name (bare, or inside quotes).
    fn attach_fix(&self, mut d: Diagnostic) -> Diagnostic {
        let Some(p) = self.pending_fix.borrow_mut().take() else {
            return d;
        };
        if d.help.as_deref() != Some(p.help.as_str()) {
            return d;
        }
        let span = d.primary.span;
        let text = self.sources.snippet(span);
        // WF303 names an app by its trimmed, lower-cased text (`app
        // "Zoon"` is `zoon`): the whole quoted text is replaced. A text
        // with an escape never matches a name (it has more backslashes).
        let same = |inner: &str| {
            if d.code == Code::WF303 {
                inner.trim().to_lowercase() == p.name
            } else {
                inner == p.name
            }
        };
        let at = if text == p.name {
            Some(span)
        } else if text.len() >= 2
            && text.starts_with('"')
            && text.ends_with('"')
            && same(&text[1..text.len() - 1])
            && !p.candidate.contains(['"', '\\', '{', '}', '\n', '\r'])
        {
            Some(Span::new(
                span.file,
                span.start as usize + 1,
                span.end as usize - 1,
            ))
        } else {
            None
        };
        if let Some(at) = at {
            let title = format!(
                "replace `{}` with `{}`",
                crate::diagnostics::shorten(self.sources.snippet(at)),
                crate::diagnostics::shorten(&p.candidate)
            );
            d.fixes
                .push(Fix::replace(title, p.applicability, at, p.candidate));
        }
        d
    }

    pub fn push(&mut self, d: Diagnostic) {
        let d = self.attach_fix(d);
        self.diags.push(d);
    }

    /// Push a WF101, WF102 or WF107 (a name the manifest could declare),
    /// unless the manifest had errors: then WF010 is the only report of
    /// that root cause. Every other code is still reported.
    /// (WF107 needs no test here: after a WF010 no resource kind is
    /// declared, so none is checked.)
    pub fn push_name(&mut self, d: Diagnostic) {
        let d = self.attach_fix(d);
        if !self.env.manifest_failed {
            self.diags.push(d);
        }
    }

    fn workflow(&mut self, w: &'a ast::Workflow) {
        if w.has_syntax_error && w.object.name.is_empty() {
            // only `workflow "<name>"` could be read: nothing to check
            return;
        }
        let object = resolve::workflow_object(self, w);
        if let Some(o) = object {
            tiers::workflow_object(self, o, &w.object);
        }
        let mut wf = Wf {
            name: w.name.value.as_str(),
            object,
            centred: w.centered.is_some(),
            labels: BTreeMap::new(),
            has_syntax_error: w.has_syntax_error,
        };
        if let Some(c) = &w.centered {
            flow::centring(self, &wf, c);
            match &c.kind {
                ast::CenteringKind::Date(d) => flow::date(self, d),
                ast::CenteringKind::Property(p) => {
                    let path = ast::Path {
                        object: None,
                        property: p.clone(),
                        span: p.span,
                    };
                    if let Some(r) = resolve::path(self, &wf, &path) {
                        typing::centring_property(self, p, r.ty);
                    }
                }
            }
        }
        for s in &w.settings {
            match &s.kind {
                ast::SettingKind::EnrollWhen(c)
                | ast::SettingKind::Goal(c)
                | ast::SettingKind::UnenrollWhen(c) => self.condition(&wf, c),
                ast::SettingKind::EnrollOn(e) => self.event(&wf, e),
                ast::SettingKind::Reenroll => {}
            }
        }
        let mut ancestry = Vec::new();
        resolve::collect_labels(self, &mut wf, &w.body, &mut ancestry);
        self.block(&wf, &w.body, &mut ancestry, false);
        flow::goto_cycles(self, &wf, &w.body);
    }

    /// `followed`: whether some step runs after this block ends (the steps
    /// after the enclosing branches).
    fn block(
        &mut self,
        wf: &Wf<'a>,
        block: &'a ast::Block,
        ancestry: &mut Ancestry,
        followed: bool,
    ) {
        let n = block.steps.len();
        let mut dead = flow::DeadSteps::default();
        for (i, step) in block.steps.iter().enumerate() {
            let step_followed = i + 1 < n || followed;
            if let StepKind::Goto(label) = &step.kind {
                flow::goto(self, wf, step, label, ancestry);
                dead.after_goto(self, &block.steps, i, ancestry);
                continue;
            }
            self.step(wf, step, ancestry, step_followed);
        }
    }

    fn step(&mut self, wf: &Wf<'a>, step: &'a ast::Step, ancestry: &mut Ancestry, followed: bool) {
        let info = catalog::info(step.kind.step_id());
        let available = wf
            .object
            .is_none_or(|obj| typing::available(self, step, info, obj));
        if !available {
            // One root cause: a step that cannot exist in this workflow gets
            // WF201 only (its names and tokens refer to another object type).
            return;
        }
        tiers::step(self, step, info);
        for s in step_strings(&step.kind) {
            tokens::string(self, wf, s);
        }
        let id = step.span.start;
        match &step.kind {
            StepKind::Delay(d) => {
                flow::delay_form(self, wf, step);
                flow::duration(self, d, None);
            }
            StepKind::DelayUntilTime { days, time } => {
                flow::delay_form(self, wf, step);
                flow::weekdays(self, days);
                if let Some(t) = time {
                    flow::time(self, t);
                }
            }
            StepKind::DelayUntilEvent { event, max } => {
                flow::delay_form(self, wf, step);
                self.event(wf, event);
                match max {
                    Some(m) => flow::duration(self, m, None),
                    None => warnings::wait_forever(self, step, followed),
                }
            }
            StepKind::DelayUntilDate { offset, time } => {
                flow::delay_form(self, wf, step);
                if let Some(o) = offset {
                    flow::duration(self, &o.amount, Some(time.is_some()));
                }
                if let Some(t) = time {
                    flow::time(self, t);
                }
            }
            StepKind::If { arms, else_block } => {
                let paths = arms.len() + usize::from(else_block.is_some());
                for (i, arm) in arms.iter().enumerate() {
                    self.condition(wf, &arm.condition);
                    ancestry.push((id, i));
                    self.block(wf, &arm.block, ancestry, followed);
                    ancestry.pop();
                }
                if let Some(b) = else_block {
                    ancestry.push((id, paths - 1));
                    self.block(wf, b, ancestry, followed);
                    ancestry.pop();
                }
            }
            StepKind::Branch {
                path,
                cases,
                else_block,
            } => {
                let resolved = resolve::path(self, wf, path);
                let mut seen = typing::SeenValues::default();
                for case in cases {
                    for v in &case.values {
                        self.value_literals(wf, v);
                        if let Some(r) = &resolved {
                            typing::value(self, &path.property.name, r.ty, v, false);
                        }
                        typing::duplicate_branch_value(self, &mut seen, v);
                    }
                }
                for (i, case) in cases.iter().enumerate() {
                    ancestry.push((id, i));
                    self.block(wf, &case.block, ancestry, followed);
                    ancestry.pop();
                }
                if let Some(b) = else_block {
                    ancestry.push((id, cases.len()));
                    self.block(wf, b, ancestry, followed);
                    ancestry.pop();
                }
            }
            StepKind::Goto(_) => {}
            StepKind::EnrollIn(name) => typing::enroll_in(self, wf, name),
            StepKind::Webhook { url, .. } => literals::webhook(self, url),
            StepKind::SendInternalEmail { to, .. } | StepKind::SendNotification { to, .. } => {
                for r in to {
                    match &r.kind {
                        ast::RecipientKind::Owner => {}
                        ast::RecipientKind::User(u) => {
                            if literals::email(self, u) {
                                resolve::resource(self, resolve::Resource::User, u);
                            }
                        }
                        ast::RecipientKind::Team(t) => {
                            resolve::resource(self, resolve::Resource::Team, t)
                        }
                    }
                }
            }
            StepKind::SendInternalSms { to, .. } => {
                for r in to {
                    match &r.kind {
                        ast::SmsRecipientKind::User(u) => {
                            if literals::email(self, u) {
                                resolve::resource(self, resolve::Resource::User, u);
                            }
                        }
                        ast::SmsRecipientKind::Number(n) => literals::phone(self, n),
                    }
                }
            }
            StepKind::SendEmail(name) => {
                resolve::resource(self, resolve::Resource::Email, name);
                warnings::send_email_reach(self, wf, step);
            }
            StepKind::SendInternalMarketingEmail { email, to } => {
                resolve::resource(self, resolve::Resource::Email, email);
                for r in to {
                    match r {
                        ast::MarketingRecipient::Address(a) => {
                            literals::email(self, a);
                        }
                        ast::MarketingRecipient::Property(p) => {
                            let path = ast::Path {
                                object: None,
                                property: p.clone(),
                                span: p.span,
                            };
                            if let Some(r) = resolve::path(self, wf, &path) {
                                typing::address_property(self, p, r.ty);
                            }
                        }
                    }
                }
            }
            StepKind::SendSlack { target, .. } => {
                if let ast::SlackTarget::User(u) = target {
                    literals::email(self, u);
                }
            }
            StepKind::CreateSlackChannel { name, .. } => literals::slack_channel(self, name),
            StepKind::CreateAsanaTask { .. } => {}
            StepKind::AppAction { fields, .. } => {
                for f in fields {
                    self.value_literals(wf, &f.value);
                }
            }
            StepKind::RotateOwner { among, .. } => match among {
                ast::RotateAmong::Team(t) => resolve::resource(self, resolve::Resource::Team, t),
                ast::RotateAmong::Users(us) => {
                    for u in us {
                        if literals::email(self, u) {
                            resolve::resource(self, resolve::Resource::User, u);
                        }
                    }
                }
            },
            StepKind::CreateRecord { object, fields } => {
                for f in fields {
                    self.value_literals(wf, &f.value);
                }
                typing::create(self, wf, step, object, fields);
            }
            StepKind::CreateTask { due, .. } => {
                if let Some(d) = due {
                    flow::duration(self, d, None);
                }
            }
            StepKind::Set { path, value } => {
                self.value_literals(wf, value);
                if let Some(r) = resolve::path(self, wf, path) {
                    tiers::edit(self, r.object, path);
                    typing::value(self, &path.property.name, r.ty, value, true);
                }
            }
            StepKind::Append { path, value } => {
                self.value_literals(wf, value);
                if let Some(r) = resolve::path(self, wf, path) {
                    tiers::edit(self, r.object, path);
                    if typing::append_target(self, &path.property, r.ty, None) {
                        typing::value(self, &path.property.name, r.ty, value, true);
                    }
                }
            }
            StepKind::Copy { from, to, append } => {
                let source = resolve::path(self, wf, from);
                let target = resolve::path(self, wf, to);
                if let Some(t) = &target {
                    tiers::edit(self, t.object, to);
                    if let Some(a) = append {
                        typing::append_target(self, &to.property, t.ty, Some(*a));
                    }
                }
                if let (Some(s), Some(t)) = (&source, &target) {
                    typing::copy(self, from, s.ty, to, t.ty);
                }
            }
            StepKind::Clear(path) => {
                if let Some(r) = resolve::path(self, wf, path) {
                    tiers::edit(self, r.object, path);
                }
            }
            StepKind::Increase { path, .. } | StepKind::Decrease { path, .. } => {
                if let Some(r) = resolve::path(self, wf, path) {
                    tiers::edit(self, r.object, path);
                    typing::number_only(self, step, path, &r);
                }
            }
            StepKind::AddToList(l) | StepKind::RemoveFromList(l) => {
                resolve::resource(self, resolve::Resource::List, l)
            }
            StepKind::AddToAudience(_) => {}
            StepKind::RemoveFromAudience(a) => {
                resolve::resource(self, resolve::Resource::Audience, a)
            }
            StepKind::Subscription { subscription, .. } => {
                resolve::resource(self, resolve::Resource::Subscription, subscription)
            }
            StepKind::SalesforceTask { .. } | StepKind::SalesforceCampaign(_) => {}
        }
    }

    /// Tokens and dates inside a value (WF208, WF406).
    fn value_literals(&mut self, wf: &Wf<'a>, v: &ast::Value) {
        match &v.kind {
            ast::ValueKind::String(s) => tokens::string(self, wf, s),
            ast::ValueKind::Date(d) => flow::date(self, d),
            ast::ValueKind::List(items) => {
                for i in items {
                    self.value_literals(wf, i);
                }
            }
            ast::ValueKind::Number(_) | ast::ValueKind::Bool(_) => {}
        }
    }

    fn condition(&mut self, wf: &Wf<'a>, c: &ast::Condition) {
        use ast::ConditionKind as C;
        match &c.kind {
            C::Or(cs) | C::And(cs) => {
                for c in cs {
                    self.condition(wf, c);
                }
            }
            C::Not(c) | C::Group(c) => self.condition(wf, c),
            C::Compare {
                path,
                op,
                op_span,
                value,
            } => {
                self.value_literals(wf, value);
                if let Some(r) = resolve::path(self, wf, path) {
                    typing::compare(self, path, r.ty, *op, *op_span, value);
                }
            }
            C::In { path, values, .. } => {
                self.value_literals(wf, values);
                if let Some(r) = resolve::path(self, wf, path) {
                    typing::value_in(self, path, r.ty, values);
                }
            }
            C::Contains {
                path,
                op_span,
                text,
            } => {
                tokens::string(self, wf, text);
                if let Some(r) = resolve::path(self, wf, path) {
                    typing::contains(self, path, r.ty, *op_span, text);
                }
            }
            C::Known { path, .. } => {
                resolve::path(self, wf, path);
            }
            C::Event(e) => self.event(wf, e),
        }
    }

    fn event(&mut self, wf: &Wf<'a>, e: &ast::Event) {
        match &e.kind {
            ast::EventKind::FormSubmitted(f) => {
                tokens::string(self, wf, f);
                resolve::resource(self, resolve::Resource::Form, f);
            }
            ast::EventKind::PageViewed(p) => tokens::string(self, wf, p),
            ast::EventKind::Email { name, .. } => {
                tokens::string(self, wf, name);
                resolve::resource(self, resolve::Resource::Email, name);
            }
            ast::EventKind::Custom(n) => tokens::string(self, wf, n),
        }
    }
}

/// A resolved property path.
pub(crate) struct Resolved<'e> {
    /// The object type holding the property.
    pub object: &'e str,
    pub ty: &'e PropType,
    /// True for `object.prop` on another type than the workflow's.
    pub associated: bool,
}

/// Every string literal held directly by a step (not inside its blocks,
/// conditions or values, which are visited separately).
fn step_strings(kind: &StepKind) -> Vec<&ast::StrLit> {
    match kind {
        StepKind::EnrollIn(s)
        | StepKind::SendEmail(s)
        | StepKind::AddToList(s)
        | StepKind::RemoveFromList(s)
        | StepKind::AddToAudience(s)
        | StepKind::RemoveFromAudience(s)
        | StepKind::SalesforceCampaign(s) => vec![s],
        StepKind::Webhook { url, .. } => vec![url],
        StepKind::SendInternalEmail { to, subject, body }
        | StepKind::SendNotification { to, subject, body } => {
            let mut v: Vec<&ast::StrLit> = to
                .iter()
                .filter_map(|r| match &r.kind {
                    ast::RecipientKind::User(s) | ast::RecipientKind::Team(s) => Some(s),
                    ast::RecipientKind::Owner => None,
                })
                .collect();
            v.push(subject);
            v.push(body);
            v
        }
        StepKind::SendInternalSms { to, text } => {
            let mut v: Vec<&ast::StrLit> = to
                .iter()
                .map(|r| match &r.kind {
                    ast::SmsRecipientKind::User(s) | ast::SmsRecipientKind::Number(s) => s,
                })
                .collect();
            v.push(text);
            v
        }
        StepKind::SendInternalMarketingEmail { email, to } => {
            let mut v = vec![email];
            v.extend(to.iter().filter_map(|r| match r {
                ast::MarketingRecipient::Address(s) => Some(s),
                ast::MarketingRecipient::Property(_) => None,
            }));
            v
        }
        StepKind::SendSlack { target, text } => match target {
            ast::SlackTarget::Channel(s) | ast::SlackTarget::User(s) => vec![s, text],
        },
        StepKind::CreateSlackChannel { name, .. } => vec![name],
        StepKind::CreateAsanaTask { title, project } => vec![title, project],
        StepKind::AppAction { app, action, .. } => vec![app, action],
        StepKind::RotateOwner { among, .. } => match among {
            ast::RotateAmong::Team(t) => vec![t],
            ast::RotateAmong::Users(us) => us.iter().collect(),
        },
        StepKind::CreateTask { title, .. } => vec![title],
        StepKind::Subscription {
            subscription,
            explanation,
            ..
        } => {
            let mut v = vec![subscription];
            v.extend(explanation.iter());
            v
        }
        StepKind::SalesforceTask { subject, .. } => vec![subject],
        StepKind::Delay(_)
        | StepKind::DelayUntilTime { .. }
        | StepKind::DelayUntilEvent { .. }
        | StepKind::DelayUntilDate { .. }
        | StepKind::If { .. }
        | StepKind::Branch { .. }
        | StepKind::Goto(_)
        | StepKind::CreateRecord { .. }
        | StepKind::Set { .. }
        | StepKind::Append { .. }
        | StepKind::Copy { .. }
        | StepKind::Clear(_)
        | StepKind::Increase { .. }
        | StepKind::Decrease { .. } => Vec::new(),
    }
}

/// Whether a string holds a `{{ }}` token.
pub(crate) fn has_tokens(s: &ast::StrLit) -> bool {
    s.has_tokens()
}

/// `did you mean `x`?` when a candidate differs only in case (`"open"` for
/// `OPEN`: compared case-insensitively first), else when one is within edit
/// distance 2. Never suggests `name` itself.
#[cfg(test)]
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    suggestion(name, candidates).map(|(s, _)| format!("did you mean `{s}`?"))
}

/// The candidate a did-you-mean names, and whether replacing the name with
/// it is safe: it is the only close candidate (edit distance 2 or a case
/// difference), differs by one edit or only in case, and not in a digit.
pub(crate) fn suggestion<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<(&'c str, Applicability)> {
    let candidates: Vec<&str> = candidates.into_iter().filter(|c| *c != name).collect();
    // No allocation per candidate: a file may ask about thousands of them.
    let same_case = |c: &str| {
        c.len() == name.len()
            && c.chars()
                .flat_map(char::to_lowercase)
                .eq(name.chars().flat_map(char::to_lowercase))
    };
    let same_but_case = candidates.iter().copied().find(|c| same_case(c));
    let pick = same_but_case.or_else(|| suggest(name, candidates.iter().copied()))?;
    let near = same_case(pick) || distance_within(name, pick, 1).is_some();
    let close = candidates
        .iter()
        .filter(|c| same_case(c) || distance_within(name, c, 2).is_some())
        .take(2)
        .count();
    // A name that differs in a number ("Welcome #2" for "Welcome #1", "Tier
    // 3" for "Tier 2") names another thing: never replaced without asking.
    let numbers = |s: &str| {
        s.chars()
            .filter(char::is_ascii_digit)
            .collect::<Vec<char>>()
    };
    let same_numbers = numbers(name) == numbers(pick);
    let applicability = if near && close == 1 && same_numbers {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Some((pick, applicability))
}

#[cfg(test)]
mod tests {
    use super::{did_you_mean, suggestion, ByOrder, Kept};
    use crate::diagnostics::{Applicability, Code, Diagnostic, Label};
    use crate::source::Span;

    fn at(file: u32, start: usize, code: Code) -> Diagnostic {
        Diagnostic::new(code, "m", Label::new(Span::new(file, start, start + 1), ""))
    }

    /// The cap keeps, per file, the diagnostics first in position order
    /// whatever order they arrive in, and counts the rest by severity.
    #[test]
    fn a_capped_report_keeps_the_first_per_file_and_counts_the_rest() {
        for order in [
            [50, 10, 40, 20, 30],
            [10, 20, 30, 40, 50],
            [50, 40, 30, 20, 10],
        ] {
            let mut kept = Kept::new();
            kept.keep = 2;
            for start in order {
                let code = if start == 40 {
                    Code::WF901
                } else {
                    Code::WF101
                };
                kept.push(at(0, start, code));
                kept.push(at(1, start + 1, Code::WF101));
                kept.push(at(2, start, Code::WF901));
            }
            kept.push(at(3, 5, Code::WF101));
            let (out, dropped) = kept.finish();
            let starts: Vec<(u32, u32)> = out
                .iter()
                .map(|d| (d.primary.span.file, d.primary.span.start))
                .collect();
            assert_eq!(
                starts,
                [(0, 10), (0, 20), (1, 11), (1, 21), (2, 10), (2, 20), (3, 5)],
                "{order:?}"
            );
            // a file with nothing left out is not listed
            assert_eq!(dropped, [(0, 2, 1), (1, 3, 0), (2, 0, 3)], "{order:?}");
        }
        // ties (same place, same code) go by arrival: the first one stays
        let mut kept = Kept::new();
        kept.keep = 1;
        for message in ["first", "second", "third"] {
            let mut d = at(0, 10, Code::WF101);
            d.message = message.into();
            kept.push(d);
        }
        let (out, dropped) = kept.finish();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].message, "first");
        assert_eq!(dropped, [(0, 2, 0)]);
    }

    /// `Ord` and `Eq` of the heap's entries agree (the heap's contract):
    /// equal only with the same position, code and arrival.
    #[test]
    fn heap_entries_are_equal_only_when_their_keys_are() {
        let a = ByOrder(at(0, 10, Code::WF101), 1);
        assert!(a == ByOrder(at(0, 10, Code::WF101), 1));
        assert!(a != ByOrder(at(0, 10, Code::WF101), 2));
        assert!(a != ByOrder(at(0, 12, Code::WF101), 1));
        assert_eq!(
            a.partial_cmp(&ByOrder(at(0, 12, Code::WF101), 1)),
            Some(std::cmp::Ordering::Less)
        );
    }

    #[test]
    fn a_fix_is_safe_only_for_one_near_candidate_with_the_same_numbers() {
        let safe = |n: &str, c: &[&'static str]| suggestion(n, c.iter().copied()).map(|s| s.1);
        assert_eq!(safe("firstnme", &["firstname"]), Some(Applicability::Safe));
        assert_eq!(safe("open", &["OPEN"]), Some(Applicability::Safe));
        // two close candidates, or two edits away: unsafe
        assert_eq!(safe("nme", &["name", "nmae"]), Some(Applicability::Unsafe));
        assert_eq!(safe("frstnme", &["firstname"]), Some(Applicability::Unsafe));
        // another number names another email or tier: unsafe
        assert_eq!(
            safe("Welcome #2", &["Welcome #1"]),
            Some(Applicability::Unsafe)
        );
        assert_eq!(safe("Tier 3", &["Tier 2"]), Some(Applicability::Unsafe));
    }

    #[test]
    fn did_you_mean_prefers_a_case_only_difference() {
        let opts = ["NEW", "OPEN", "OPEN_DEAL"];
        assert_eq!(
            did_you_mean("open", opts).as_deref(),
            Some("did you mean `OPEN`?")
        );
        assert_eq!(
            did_you_mean("LEAD", ["lead", "lean"]).as_deref(),
            Some("did you mean `lead`?")
        );
        assert_eq!(
            did_you_mean("Lead", ["lead"]).as_deref(),
            Some("did you mean `lead`?")
        );
    }

    #[test]
    fn did_you_mean_never_names_the_name_itself() {
        assert_eq!(did_you_mean("Nurture", ["Nurture"]), None);
        assert_eq!(did_you_mean("x", ["zzzzzz"]), None);
    }
}
