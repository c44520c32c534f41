//! The built-in schema as the generator reads it (`wfc::schema::builtin`),
//! and the generator's own choices about object types.

use std::sync::OnceLock;

use wfc::schema::{builtin, PropType};

/// A property's type as the generator needs it (from the built-in schema).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Str,
    Num,
    Bool,
    Date,
    Datetime,
    Enum(&'static [&'static str]),
    Multi(&'static [&'static str]),
    Owner,
}

pub(super) type Props = &'static [(&'static str, Ty)];

/// The built-in schema (`wfc::schema::builtin`), read once: per object type,
/// its properties with their types and options, and its associated types.
struct Tables {
    objects: Vec<(&'static str, Props, &'static [&'static str])>,
}

/// The tables live as long as the process: they are built once and never
/// change, and `'static` lets the generator hand out names while it writes.
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
        let leak_all = |v: &[String]| -> &'static [&'static str] {
            Box::leak(
                v.iter()
                    .map(|s| leak(s))
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
            )
        };
        let schema = builtin::schema();
        let objects = builtin::BUILTIN_OBJECTS
            .iter()
            .filter_map(|&name| {
                let def = schema.object(name)?;
                let props: Vec<(&'static str, Ty)> = def
                    .properties
                    .iter()
                    .map(|(p, t)| {
                        let ty = match t {
                            PropType::String => Ty::Str,
                            PropType::Number => Ty::Num,
                            PropType::Bool => Ty::Bool,
                            PropType::Date => Ty::Date,
                            PropType::Datetime => Ty::Datetime,
                            PropType::Enum(o) => Ty::Enum(leak_all(o)),
                            PropType::Multi(o) => Ty::Multi(leak_all(o)),
                            PropType::Owner => Ty::Owner,
                        };
                        (leak(p), ty)
                    })
                    .collect();
                let associated: Vec<String> = schema
                    .associations_of(name)
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                let props: Props = Box::leak(props.into_boxed_slice());
                Some((name, props, leak_all(&associated)))
            })
            .collect();
        Tables { objects }
    })
}

pub(super) fn props(object: &str) -> Props {
    tables()
        .objects
        .iter()
        .find(|o| o.0 == object)
        .map_or(&[], |o| o.1)
}

pub(super) fn associated(object: &str) -> &'static [&'static str] {
    tables()
        .objects
        .iter()
        .find(|o| o.0 == object)
        .map_or(&[], |o| o.2)
}

/// The options of an enumeration property of the built-in schema.
pub(super) fn options(object: &str, property: &str) -> &'static [&'static str] {
    props(object)
        .iter()
        .find_map(|(p, t)| match t {
            Ty::Enum(o) | Ty::Multi(o) if *p == property => Some(*o),
            _ => None,
        })
        .unwrap_or(&[])
}

/// Object types with their weight among workflows (contact-heavy, like real
/// accounts).
pub(super) const OBJECTS: &[(&str, usize)] = &[
    ("contact", 50),
    ("company", 15),
    ("deal", 20),
    ("ticket", 10),
    ("quote", 5),
];

/// Types a workflow on `object` may `create` (associated, and with their
/// required properties known here).
pub(super) fn creatable(object: &str) -> &'static [&'static str] {
    match object {
        "contact" => &["company", "deal", "ticket"],
        "company" => &["deal", "ticket"],
        "deal" => &["company", "ticket"],
        "ticket" => &["company", "deal"],
        _ => &["deal"],
    }
}
