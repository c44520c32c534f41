//! The catalog of diagnostic codes. Codes are a public contract: never reuse
//! one for another meaning.

use super::Severity;

macro_rules! codes {
    ($( $code:ident => $sev:ident, $summary:literal; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $code, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$code, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Code::$code => stringify!($code), )* }
            }

            pub fn severity(self) -> Severity {
                match self { $( Code::$code => Severity::$sev, )* }
            }

            /// One line: when the code is reported.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$code => $summary, )* }
            }

            /// The long explanation printed by `wfc explain`.
            pub fn explanation(self) -> &'static str {
                match self {
                    $( Code::$code => include_str!(concat!("../../docs/codes/", stringify!($code), ".md")), )*
                }
            }
        }
    };
}

codes! {
    WF001 => Error, "syntax error";
    WF002 => Error, "source cannot be read as a program: not UTF-8, over the size limit, or nested deeper than the limit";
    WF003 => Error, "too many diagnostics in one file: the rest are counted, not listed";
    WF010 => Error, "invalid wf.toml";
    WF101 => Error, "unknown property on that object type, or a path through an object type that is not associated";
    WF102 => Error, "unknown object type";
    WF103 => Error, "unknown workflow in `enroll in`";
    WF104 => Error, "unknown label in `goto`";
    WF105 => Error, "duplicate label in a workflow";
    WF106 => Error, "duplicate workflow name";
    WF107 => Error, "unknown account resource";
    WF108 => Error, "a test names a record it does not declare, or declares one twice";
    WF109 => Error, "a test expectation that can never match: another object type, a branch or path the workflow does not have, or `ran` on a step that is not an action";
    WF201 => Error, "action not available for this workflow's object type";
    WF202 => Error, "`enroll in` a workflow of another object type";
    WF203 => Error, "value or comparison of the wrong type for the property";
    WF204 => Error, "`increase`/`decrease` on a non-number property, or on an associated object";
    WF205 => Error, "append on a property that is not multiple-checkbox";
    WF206 => Error, "`copy` between incompatible property types";
    WF207 => Error, "create a custom object that has no association with the workflow's object type";
    WF208 => Error, "personalisation token of an unknown or unassociated object type, or of an unknown property";
    WF209 => Error, "`create` is missing a property that the object type requires";
    WF210 => Error, "a value listed twice in one `branch on`";
    WF301 => Error, "action needs a hub tier the account lacks";
    WF302 => Error, "editing properties of this object type needs a hub tier the account lacks";
    WF303 => Error, "the integration the action needs is not connected";
    WF304 => Error, "no hub at professional or above: the account cannot run workflows";
    WF401 => Error, "`goto` outside an if/then or value branch";
    WF402 => Error, "`goto` target not in a different path of an enclosing branch";
    WF403 => Error, "steps after `goto` in the same block can never run";
    WF404 => Error, "delay form not allowed here, or date centring on a non-contact workflow";
    WF405 => Error, "invalid duration";
    WF406 => Error, "invalid time of day or date, or a weekday listed twice";
    WF501 => Error, "invalid Slack channel name";
    WF502 => Error, "invalid webhook URL";
    WF503 => Error, "invalid phone number or email address literal";
    WF901 => Warning, "`send email` from a non-contact workflow reaches at most 100 associated contacts";
    WF902 => Warning, "webhook over plain `http`";
    WF903 => Warning, "a delay until an event without `max`, followed by more steps";
}

impl std::str::FromStr for Code {
    type Err = ();
    fn from_str(s: &str) -> Result<Code, ()> {
        let s = s.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
