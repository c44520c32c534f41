//! Action steps: one of every kind, valid for the workflow's object type.

use std::fmt::Write as _;

use super::schema::{creatable, options, props, Ty};
use super::words::*;
use super::{Gen, Wf};

impl Gen {
    pub(super) fn action(&mut self, wf: &Wf) {
        let contact = wf.object == "contact";
        loop {
            let roll = self.rng.below(100);
            match roll {
                // Property edits: the most common steps.
                0..=17 => {
                    let Some((prefix, p, ty)) =
                        self.path_of(wf, |t| !matches!(t, Ty::Datetime | Ty::Owner))
                    else {
                        continue;
                    };
                    let v = self.value_for(wf, ty);
                    let _ = write!(self.out, "set {prefix}{p} = {v}");
                }
                18..=20 => {
                    let Some((prefix, p, ty)) = self.path_of(wf, |t| matches!(t, Ty::Multi(_)))
                    else {
                        continue;
                    };
                    let v = self.value_for(wf, ty);
                    let _ = write!(self.out, "set {prefix}{p} += {v}");
                }
                21..=23 => {
                    // string ← anything; number ← number; enum ← string.
                    let (sp, s, sty) = self.any_path(wf, |t| !matches!(t, Ty::Multi(_)));
                    let want = match sty {
                        Ty::Num => |t: Ty| t == Ty::Num || t == Ty::Str,
                        Ty::Str => |t: Ty| t == Ty::Str || matches!(t, Ty::Enum(_)),
                        _ => |t: Ty| t == Ty::Str,
                    };
                    let (tp, t, _) = self.any_path(wf, want);
                    let _ = write!(self.out, "copy {sp}{s} to {tp}{t}");
                }
                24..=25 => {
                    let (prefix, p, _) =
                        self.any_path(wf, |t| !matches!(t, Ty::Owner | Ty::Datetime));
                    let _ = write!(self.out, "clear {prefix}{p}");
                }
                26..=28 => {
                    let nums: Vec<&str> = props(wf.object)
                        .iter()
                        .filter(|(_, t)| *t == Ty::Num)
                        .map(|(p, _)| *p)
                        .collect();
                    if nums.is_empty() {
                        continue;
                    }
                    let p = *self.rng.pick(&nums);
                    let verb = *self.rng.pick(&["increase", "decrease"]);
                    let _ = write!(self.out, "{verb} {p} by {}", self.rng.range(1, 50));
                }
                // Communication.
                29..=36 => {
                    let to = self.recipients();
                    let s = self.text(wf, 3);
                    let words = self.rng.range(4, 16);
                    let b = self.text(wf, words);
                    let _ = write!(
                        self.out,
                        "send internal email to {to} subject \"{s}\" body \"{b}\""
                    );
                }
                37..=38 => {
                    let n = self.rng.range(1, 2);
                    let mut to = Vec::new();
                    for _ in 0..n {
                        if self.rng.chance(50) {
                            to.push(format!("user \"{}\"", self.rng.pick(USERS)));
                        } else {
                            to.push(format!("number \"{}\"", self.phone()));
                        }
                    }
                    let t = self.text(wf, 6);
                    let _ = write!(
                        self.out,
                        "send internal sms to {} text \"{t}\"",
                        to.join(", ")
                    );
                }
                39..=41 => {
                    let to = self.recipients();
                    let s = self.text(wf, 3);
                    let b = self.text(wf, 8);
                    let _ = write!(
                        self.out,
                        "send notification to {to} subject \"{s}\" body \"{b}\""
                    );
                }
                42..=49 => {
                    if !contact {
                        continue;
                    }
                    let _ = write!(self.out, "send email \"{}\"", self.rng.pick(EMAILS));
                }
                50..=51 => {
                    if !contact {
                        continue;
                    }
                    let _ = write!(
                        self.out,
                        "send internal marketing email \"{}\" to \"{}\", property email",
                        self.rng.pick(EMAILS),
                        self.rng.pick(USERS)
                    );
                }
                52..=54 => {
                    let t = self.text(wf, 6);
                    if self.rng.chance(60) {
                        let _ = write!(
                            self.out,
                            "send slack to channel \"{}\" text \"{t}\"",
                            self.rng.pick(CHANNELS)
                        );
                    } else {
                        let _ = write!(
                            self.out,
                            "send slack to user \"{}\" text \"{t}\"",
                            self.rng.pick(USERS)
                        );
                    }
                }
                // Integrations, assignment, create.
                55..=56 => {
                    if !matches!(wf.object, "company" | "deal") {
                        continue;
                    }
                    let _ = write!(
                        self.out,
                        "create slack channel \"{}-{}\"",
                        self.rng.pick(CHANNELS),
                        self.rng.range(1, 999)
                    );
                    match self.rng.below(3) {
                        0 => self.out.push_str(" private"),
                        1 => self.out.push_str(" public"),
                        _ => {}
                    }
                }
                57 => {
                    let t = self.text(wf, 4);
                    let _ = write!(
                        self.out,
                        "create asana task \"{t}\" in project \"{}\"",
                        self.rng.pick(&["Onboarding", "Renewals", "Escalations"])
                    );
                }
                58 => {
                    let &(app, act) = self.rng.pick(APPS);
                    let _ = write!(self.out, "app \"{app}\" action \"{act}\" {{ ");
                    let topic = self.text(wf, 3);
                    let _ = write!(
                        self.out,
                        "topic = \"{topic}\", duration = {}, notify = true }}",
                        self.rng.range(15, 90)
                    );
                }
                59..=61 => {
                    if self.rng.chance(60) {
                        let _ = write!(
                            self.out,
                            "rotate owner among team \"{}\"",
                            self.rng.pick(TEAMS)
                        );
                    } else {
                        let _ = write!(
                            self.out,
                            "rotate owner among users \"{}\", \"{}\"",
                            USERS[0],
                            self.rng.pick(&USERS[1..])
                        );
                    }
                    if self.rng.chance(30) {
                        self.out.push_str(" overwrite");
                    }
                }
                62..=64 => self.create_record(wf),
                65..=67 => {
                    let t = self.text(wf, 4);
                    let _ = write!(self.out, "create task \"{t}\"");
                    if self.rng.chance(60) {
                        self.out.push_str(" due ");
                        self.duration();
                    }
                    if self.rng.chance(50) {
                        self.out.push_str(" for owner");
                    }
                }
                68..=69 => {
                    let same: Vec<&String> = self
                        .names
                        .iter()
                        .filter(|(_, o)| *o == wf.object)
                        .map(|(n, _)| n)
                        .collect();
                    if same.is_empty() {
                        continue;
                    }
                    let target = (*self.rng.pick(&same)).clone();
                    let _ = write!(self.out, "enroll in \"{target}\"");
                }
                70 => {
                    let m = *self.rng.pick(&["post", "get"]);
                    let _ = write!(
                        self.out,
                        "webhook {m} \"https://hooks.example.com/wf/{}\"",
                        self.rng.range(1, 9999)
                    );
                }
                // Contact only.
                71..=78 => {
                    if !contact {
                        continue;
                    }
                    let verb = *self
                        .rng
                        .pick(&["add to list", "add to list", "remove from list"]);
                    let _ = write!(self.out, "{verb} \"{}\"", self.rng.pick(LISTS));
                }
                79..=80 => {
                    if !contact {
                        continue;
                    }
                    let verb = *self.rng.pick(&["add to audience", "remove from audience"]);
                    let _ = write!(self.out, "{verb} \"{}\"", self.rng.pick(AUDIENCES));
                }
                81..=83 => {
                    if !contact {
                        continue;
                    }
                    let verb = *self.rng.pick(&["opt in", "opt out"]);
                    let _ = write!(self.out, "{verb} \"{}\"", self.rng.pick(SUBSCRIPTIONS));
                    if self.rng.chance(60) {
                        let _ = write!(self.out, " basis {}", self.rng.pick(BASES));
                    }
                    if self.rng.chance(40) {
                        let e = self.text(wf, 5);
                        let _ = write!(self.out, " explanation \"{e}\"");
                    }
                }
                84..=85 => {
                    if !contact {
                        continue;
                    }
                    let s = self.text(wf, 4);
                    let _ = write!(self.out, "salesforce task \"{s}\"");
                    match self.rng.below(3) {
                        0 => self.out.push_str(" for owner"),
                        1 => self.out.push_str(" for integration_user"),
                        _ => {}
                    }
                }
                86 => {
                    if !contact {
                        continue;
                    }
                    let _ = write!(
                        self.out,
                        "salesforce campaign \"{}\"",
                        self.rng.pick(&["Spring promo", "EMEA webinar"])
                    );
                }
                _ => {
                    // More of the common ones.
                    let (prefix, p, ty) = self.any_path(wf, |t| matches!(t, Ty::Enum(_)));
                    let v = self.value_for(wf, ty);
                    let _ = write!(self.out, "set {prefix}{p} = {v}");
                }
            }
            return;
        }
    }

    fn create_record(&mut self, wf: &Wf) {
        let object = *self.rng.pick(creatable(wf.object));
        let mut fields: Vec<(String, String)> = Vec::new();
        match object {
            "company" => {
                let n = self.text(wf, 2);
                fields.push(("name".into(), format!("\"{n}\"")));
                if self.rng.chance(50) {
                    let i = format!("\"{}\"", self.rng.pick(options("company", "industry")));
                    fields.push(("industry".into(), i));
                }
            }
            "deal" => {
                let n = self.text(wf, 3);
                fields.push(("dealname".into(), format!("\"{n}\"")));
                let p = format!("\"{}\"", self.rng.pick(options("deal", "pipeline")));
                fields.push(("pipeline".into(), p));
                let s = format!("\"{}\"", self.rng.pick(options("deal", "dealstage")));
                fields.push(("dealstage".into(), s));
                if self.rng.chance(60) {
                    fields.push(("amount".into(), format!("{}", self.rng.range(100, 90_000))));
                }
                if self.rng.chance(30) {
                    let d = self.date();
                    fields.push(("closedate".into(), d));
                }
            }
            _ => {
                let s = self.text(wf, 4);
                fields.push(("subject".into(), format!("\"{s}\"")));
                let p = format!("\"{}\"", self.rng.pick(options("ticket", "hs_pipeline")));
                fields.push(("hs_pipeline".into(), p));
                let st = format!(
                    "\"{}\"",
                    self.rng.pick(options("ticket", "hs_pipeline_stage"))
                );
                fields.push(("hs_pipeline_stage".into(), st));
                if self.rng.chance(50) {
                    let p = format!(
                        "\"{}\"",
                        self.rng.pick(options("ticket", "hs_ticket_priority"))
                    );
                    fields.push(("hs_ticket_priority".into(), p));
                }
            }
        }
        let _ = write!(self.out, "create {object} {{");
        if self.rng.chance(50) {
            // One line, comma separated.
            for (i, (k, v)) in fields.iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                let _ = write!(self.out, "{sep}{k} = {v}");
            }
            self.out.push_str(" }");
        } else {
            // One field a line, trailing comma sometimes.
            let trailing = self.rng.chance(50);
            self.out.push('\n');
            let n = fields.len();
            for (i, (k, v)) in fields.iter().enumerate() {
                let comma = if i + 1 < n || trailing { "," } else { "" };
                let _ = writeln!(self.out, "      {k} = {v}{comma}");
            }
            self.out.push_str("    }");
        }
    }
}
