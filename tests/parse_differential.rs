//! The fast parser (`syntax::parse`) against the reference pest path
//! (`syntax::parse_with_pest`): identical AST (spans included) and identical
//! diagnostics on every `.wf` file of the repository, generated corpora,
//! proptest-generated programs, and deterministic mutations of all of them
//! (which exercise the fall-back to pest on errors and near misses).

mod gen;

use std::path::Path;

use proptest::prelude::*;
use wfc::fmt::format_file;
use wfc::source::SourceMap;

mod common;
use common::wf_files;

/// Both parsers on `text`; panics (with the input) on any difference.
#[track_caller]
fn same(name: &str, text: &str) {
    if let Err(e) = compare(name, text) {
        panic!("{e}");
    }
}

fn compare(name: &str, text: &str) -> Result<(), String> {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text.to_string());
    let fast = wfc::syntax::parse(&sources, id);
    let pest = wfc::syntax::parse_with_pest(&sources, id);
    if fast.0 != pest.0 {
        // locate the first differing workflow for a readable message
        let i = fast
            .0
            .workflows
            .iter()
            .zip(&pest.0.workflows)
            .position(|(a, b)| a != b);
        let detail = match i {
            Some(i) => first_difference(
                &format!("{:#?}", fast.0.workflows.get(i)),
                &format!("{:#?}", pest.0.workflows.get(i)),
            ),
            None => format!(
                "{} workflows (fast) vs {} (pest), or comments differ",
                fast.0.workflows.len(),
                pest.0.workflows.len()
            ),
        };
        return Err(format!("{name}: ASTs differ on\n{text}\n{detail}"));
    }
    if fast.1 != pest.1 {
        return Err(format!(
            "{name}: diagnostics differ on\n{text}\nfast: {:#?}\npest: {:#?}",
            fast.1, pest.1
        ));
    }
    Ok(())
}

/// The lines around the first difference of two Debug dumps.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    let from = i.saturating_sub(12);
    format!(
        "fast:\n{}\npest:\n{}",
        la[from..(i + 3).min(la.len())].join("\n"),
        lb[from..(i + 3).min(lb.len())].join("\n")
    )
}

fn repo_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for d in [
        "examples",
        "tests/check",
        "tests/syntax_errors",
        "tests/runtime",
    ] {
        wf_files(&root.join(d), &mut paths);
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

#[test]
fn repository_files_parse_the_same() {
    let files = repo_files();
    assert!(files.len() > 100, "only {} .wf files found", files.len());
    for (name, text) in &files {
        same(name, text);
    }
}

#[test]
fn generated_corpora_parse_the_same() {
    for seed in [1u64, 7, 2026, 99_991] {
        let text = wfc_dev::corpus::generate(seed, 200_000);
        same(&format!("corpus seed {seed}"), &text);
    }
    for (name, text) in wfc_dev::corpus::generate_files(5, 6, 20_000) {
        same(&name, &text);
    }
}

/// A small deterministic PRNG (xorshift), so mutations are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Snippets that make near misses: keywords used as names, tokens split or
/// glued, stray punctuation, comments and line breaks in odd places.
const PIECES: &[&str] = &[
    " ",
    "\n",
    "\t",
    "\r\n",
    "#c\n",
    " # c",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ".",
    "=",
    "+=",
    ">",
    ">=",
    "<",
    "\"",
    "\\",
    "\\q",
    "{{",
    "}}",
    "{{ x.y }}",
    "{{ a b }}",
    "not ",
    "is ",
    "in ",
    "and ",
    "or ",
    "else ",
    "if ",
    "set ",
    "delay ",
    "until ",
    "date ",
    "at ",
    "7d ",
    "2d4h",
    "1h 30m",
    "9:00",
    "2026-05-01",
    "-3",
    "1.5",
    "true",
    "x",
    "_",
    "é",
    "goal ",
    "enroll ",
    "when ",
    "on ",
    "known",
    "unknown",
    "before ",
    "after ",
    "max ",
    "label: ",
    "basis consent",
    "basis nope",
    "for owner",
    "overwrite",
    "append",
    "public",
    "email ",
    "form ",
    "page ",
    "event ",
    "workflow \"W\" for contact {\n",
    "\u{FEFF}",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(4) {
            0 => {
                // delete a few bytes
                let mut end = (at + 1 + rng.below(6)).min(s.len());
                while !s.is_char_boundary(end) {
                    end += 1;
                }
                s.replace_range(at..end, "");
            }
            1 => {
                // duplicate the current line
                let ls = s[..at].rfind('\n').map_or(0, |i| i + 1);
                let le = s[at..].find('\n').map_or(s.len(), |i| at + i);
                let line = format!("{}\n", &s[ls..le]);
                s.insert_str(ls, &line);
            }
            _ => {
                let piece = PIECES[rng.below(PIECES.len())];
                s.insert_str(at, piece);
            }
        }
    }
    s
}

#[test]
fn mutated_files_parse_the_same() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut inputs = repo_files();
    inputs.push(("corpus".into(), wfc_dev::corpus::generate(3, 30_000)));
    let mut failures = Vec::new();
    for (name, text) in &inputs {
        // smaller files get as many mutations; the corpus a few more
        let n = if text.len() > 10_000 { 60 } else { 25 };
        for k in 0..n {
            let m = mutate(text, &mut rng);
            if let Err(e) = compare(&format!("{name} mutation {k}"), &m) {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} divergences; first:\n{}",
        failures.len(),
        failures[0]
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    })]

    /// Programs generated over the whole AST, printed, parse the same.
    #[test]
    fn generated_programs_parse_the_same(file in gen::source_file()) {
        let text = format_file(&file, "");
        prop_assert!(compare("g.wf", &text).is_ok(), "{}", compare("g.wf", &text).err().unwrap_or_default());
    }

    /// ... and so do their mutations.
    #[test]
    fn mutated_generated_programs_parse_the_same(file in gen::source_file(), seed in 1u64..u64::MAX) {
        let text = format_file(&file, "");
        let mut rng = Rng(seed);
        for _ in 0..5 {
            let m = mutate(&text, &mut rng);
            let r = compare("m.wf", &m);
            prop_assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
        }
    }
}

// ------------------------------------------------------------ regressions
// Inputs where the two paths once diverged (from the tests above and the
// `parse_differential` fuzz target).

#[test]
fn regressions() {
    let cases: &[&str] = &[
        // centering span: from `centered` to the date
        "workflow \"\" for contact {}\n\nworkflow \"\" for contact centered on 1000-01-01 {}\n",
        // an `or` whose last operand is alone in its `cond_and`: pest's pair
        // ends after the whitespace (and comment) that follows it
        "workflow \"W\" for contact {\n  if a is \"\" or b is \"\" {}\n  goal a is 1 or b is 2   # c\n}\n",
        "workflow \"W\" for contact {\n  enroll when a is 1 \t\n  if (a is 1 or b is 2 ) { }\n}\n",
        // a setting whose condition is an `and` chain with no `or`: the
        // `condition` pair ends after the whitespace (and comment) that
        // follows (found by mutated_generated_programs_parse_the_same)
        "workflow \"W\" for contact {\n  enroll when a is 1 and (b is 2)\t\n  goal a is 1 and b is 2 # c\n  unenroll when a is 1 and not b is 2 \n}\n",
        // steps ending in an optional that is absent end after the whitespace
        "workflow \"W\" for contact {\n  copy a to b  # c\n  create task \"t\" due 2d  \n  if a is 1 { } \n}\n",
        // `reenroll` is the keyword alone in both: its `!":"` no longer
        // skips the whitespace and comment after it in pest (found by
        // mutated_generated_programs_parse_the_same)
        "workflow \"W\" for deal {\n  reenroll # c\n\n  reenroll \t\n  send email \"\"\n}\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        same(&format!("regression {i}"), text);
    }
}
