//! Mermaid and Graphviz dot writers.

use std::fmt::Write as _;

use super::label::{full_lines, wrap_all, EDGE_LABEL_CHARS};
use super::{Diagram, EdgeStyle, Shape};

/// Mermaid text inside a quoted label: entity codes for the characters
/// mermaid would read as syntax or markup.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One mermaid `flowchart`: a diagram on its own, or a subgraph per
/// workflow when there are several.
pub fn mermaid(diagrams: &[Diagram]) -> String {
    let several = diagrams.len() > 1;
    // A visible title: the workflow's name and object for one diagram (a
    // subgraph's own label names each workflow when there are several).
    let mut out = match diagrams {
        [d] => format!(
            "---\ntitle: \"{}\"\n---\nflowchart TD\n",
            d.title.replace(['"', '\n', '\r'], "'")
        ),
        _ => String::from("flowchart TD\n"),
    };
    for (wi, d) in diagrams.iter().enumerate() {
        let prefix = format!("w{}_", wi + 1);
        let ind = if several { "    " } else { "  " };
        if several {
            let _ = writeln!(
                out,
                "  subgraph w{}[\"{}\"]",
                wi + 1,
                mermaid_escape(&d.title)
            );
            // Without it a subgraph inherits nothing and mermaid lays its
            // steps out side by side: an unreadable strip.
            out.push_str("    direction TB\n");
        } else {
            let _ = writeln!(out, "  %% {}", d.title.replace('\n', " "));
        }
        for n in &d.nodes {
            let text: Vec<String> = full_lines(&n.full)
                .iter()
                .map(|l| mermaid_escape(l))
                .collect();
            let label = text.join("<br/>");
            let id = format!("{prefix}{}", n.id);
            let (open, close, class) = match n.shape {
                Shape::Trigger => ("([\"", "\"])", "trigger"),
                Shape::Settings => (">\"", "\"]", "settings"),
                Shape::Action => ("[\"", "\"]", "action"),
                Shape::Delay => ("{{\"", "\"}}", "delay"),
                Shape::Branch => ("{\"", "\"}", "branch"),
                Shape::Goto => ("[/\"", "\"/]", "goto"),
                Shape::Join => ("((\"", "\"))", "join"),
                Shape::End => ("(((\"", "\")))", "finish"),
            };
            let label = if label.is_empty() {
                " ".to_string()
            } else {
                label
            };
            let _ = writeln!(out, "{ind}{id}{open}{label}{close}:::{class}");
        }
        for e in &d.edges {
            let (Some(from), Some(to)) = (d.nodes.get(e.from), d.nodes.get(e.to)) else {
                continue;
            };
            let arrow = match e.style {
                EdgeStyle::Normal => "-->",
                EdgeStyle::Goto => "-.->",
                EdgeStyle::Timeout => "==>",
            };
            let label = e
                .label
                .as_deref()
                .map(|l| {
                    let lines: Vec<String> = wrap_all(l, EDGE_LABEL_CHARS)
                        .iter()
                        .map(|l| mermaid_escape(l))
                        .collect();
                    format!("|\"{}\"|", lines.join("<br/>"))
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{ind}{prefix}{} {arrow}{label} {prefix}{}",
                from.id, to.id
            );
        }
        if several {
            out.push_str("  end\n");
        }
    }
    // Several workflows: mermaid puts unlinked subgraphs side by side, one
    // wide row. Invisible links stack them in a grid instead: about
    // sqrt(n) columns, each a chain of subgraphs one below the other.
    if several {
        let columns = (1..).find(|c| c * c >= diagrams.len()).unwrap_or(1);
        for i in 1 + columns..=diagrams.len() {
            let _ = writeln!(out, "  w{} ~~~ w{i}", i - columns);
        }
    }
    out.push_str(concat!(
        "  classDef trigger fill:#dbeafe,stroke:#1d4ed8\n",
        "  classDef settings fill:#f3f4f6,stroke:#6b7280\n",
        "  classDef action fill:#ffffff,stroke:#374151\n",
        "  classDef delay fill:#fef3c7,stroke:#b45309\n",
        "  classDef branch fill:#ede9fe,stroke:#6d28d9\n",
        "  classDef goto fill:#fce7f3,stroke:#be185d\n",
        "  classDef join fill:#9ca3af,stroke:#4b5563\n",
        "  classDef finish fill:#dcfce7,stroke:#15803d\n",
    ));
    out
}

/// A Graphviz quoted string.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One Graphviz `digraph`; several workflows are one cluster each.
pub fn dot(diagrams: &[Diagram]) -> String {
    let mut out = String::from("digraph workflows {\n");
    out.push_str("  rankdir=TB;\n");
    out.push_str(
        "  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=\"#ffffff\"];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let several = diagrams.len() > 1;
    for (wi, d) in diagrams.iter().enumerate() {
        let prefix = format!("w{}_", wi + 1);
        let ind = if several { "    " } else { "  " };
        if several {
            let _ = writeln!(out, "  subgraph cluster_{} {{", wi + 1);
        }
        let _ = writeln!(out, "{ind}label={};", dot_quote(&d.title));
        let _ = writeln!(out, "{ind}labelloc=t;");
        let _ = writeln!(out, "{ind}fontsize=16;");
        for n in &d.nodes {
            let label = full_lines(&n.full)
                .iter()
                .map(|l| {
                    let q = dot_quote(l);
                    q[1..q.len() - 1].to_string()
                })
                .collect::<Vec<_>>()
                .join("\\n");
            let attrs = match n.shape {
                Shape::Trigger => "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"",
                Shape::Settings => "shape=note, fillcolor=\"#f3f4f6\"",
                Shape::Action => "shape=box",
                Shape::Delay => "shape=hexagon, fillcolor=\"#fef3c7\"",
                Shape::Branch => "shape=diamond, fillcolor=\"#ede9fe\"",
                Shape::Goto => "shape=cds, fillcolor=\"#fce7f3\"",
                Shape::Join => "shape=point, width=0.12",
                Shape::End => "shape=doublecircle, fillcolor=\"#dcfce7\"",
            };
            let _ = writeln!(
                out,
                "{ind}{} [{attrs}, label=\"{label}\"];",
                dot_quote(&format!("{prefix}{}", n.id))
            );
        }
        for e in &d.edges {
            let (Some(from), Some(to)) = (d.nodes.get(e.from), d.nodes.get(e.to)) else {
                continue;
            };
            let mut attrs = Vec::new();
            if let Some(l) = &e.label {
                // Wrapped, never cut: `\n` between lines.
                let lines: Vec<String> = wrap_all(l, EDGE_LABEL_CHARS)
                    .iter()
                    .map(|l| {
                        let q = dot_quote(l);
                        q[1..q.len() - 1].to_string()
                    })
                    .collect();
                attrs.push(format!("label=\"{}\"", lines.join("\\n")));
            }
            match e.style {
                EdgeStyle::Normal => {}
                EdgeStyle::Goto => {
                    attrs.push("style=dashed, color=\"#be185d\", constraint=false".into())
                }
                EdgeStyle::Timeout => attrs.push("style=bold, color=\"#b45309\"".into()),
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            };
            let _ = writeln!(
                out,
                "{ind}{} -> {}{attrs};",
                dot_quote(&format!("{prefix}{}", from.id)),
                dot_quote(&format!("{prefix}{}", to.id))
            );
        }
        if several {
            out.push_str("  }\n");
        }
    }
    out.push_str("}\n");
    out
}
