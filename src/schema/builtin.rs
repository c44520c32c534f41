//! The built-in standard schema (docs/schema.md): the five standard
//! object types, their properties (internal names, types, options), their
//! associations and the properties `create` must set.
//!
//! Exactly the listed properties: an extra one would make a misspelt name
//! that happens to be a real CRM property check clean.

use super::{ObjectDef, PropType, Schema};
use std::collections::BTreeMap;

/// Lifecycle stages shared by contact and company.
const LIFECYCLE: &[&str] = &[
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
];

const LEAD_STATUS: &[&str] = &[
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
];

const BUYING_ROLE: &[&str] = &[
    "BUDGET_HOLDER",
    "CHAMPION",
    "DECISION_MAKER",
    "END_USER",
    "EXECUTIVE_SPONSOR",
    "INFLUENCER",
    "LEGAL_AND_COMPLIANCE",
    "OTHER",
];

/// The CRM's industry list (the required minimum plus the common rest).
const INDUSTRY: &[&str] = &[
    "ACCOUNTING",
    "AIRLINES_AVIATION",
    "APPAREL_FASHION",
    "ARCHITECTURE_PLANNING",
    "AUTOMOTIVE",
    "BANKING",
    "BIOTECHNOLOGY",
    "BROADCAST_MEDIA",
    "BUILDING_MATERIALS",
    "CHEMICALS",
    "COMPUTER_HARDWARE",
    "COMPUTER_NETWORKING",
    "COMPUTER_SOFTWARE",
    "CONSTRUCTION",
    "CONSUMER_ELECTRONICS",
    "CONSUMER_GOODS",
    "CONSUMER_SERVICES",
    "EDUCATION_MANAGEMENT",
    "E_LEARNING",
    "ENTERTAINMENT",
    "ENVIRONMENTAL_SERVICES",
    "FINANCIAL_SERVICES",
    "FOOD_BEVERAGES",
    "GOVERNMENT_ADMINISTRATION",
    "HEALTH_WELLNESS_AND_FITNESS",
    "HIGHER_EDUCATION",
    "HOSPITAL_HEALTH_CARE",
    "HOSPITALITY",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "INSURANCE",
    "INTERNET",
    "INVESTMENT_MANAGEMENT",
    "LEGAL_SERVICES",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "MANAGEMENT_CONSULTING",
    "MARKETING_AND_ADVERTISING",
    "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
    "MEDICAL_DEVICES",
    "NONPROFIT_ORGANIZATION_MANAGEMENT",
    "OIL_ENERGY",
    "PHARMACEUTICALS",
    "REAL_ESTATE",
    "RETAIL",
    "TELECOMMUNICATIONS",
    "TRANSPORTATION_TRUCKING_RAILROAD",
    "UTILITIES",
    "WHOLESALE",
];

fn opts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn object(name: &str, props: Vec<(&str, PropType)>, required: &[&str]) -> ObjectDef {
    let properties: BTreeMap<String, PropType> =
        props.into_iter().map(|(n, t)| (n.to_string(), t)).collect();
    ObjectDef {
        name: name.to_string(),
        builtin: true,
        properties,
        required: required.iter().map(|s| s.to_string()).collect(),
    }
}

/// The five built-in object types in the order of domain.md.
pub const BUILTIN_OBJECTS: [&str; 5] = ["contact", "company", "deal", "ticket", "quote"];

/// The built-in standard schema.
pub fn schema() -> Schema {
    use PropType::*;
    let contact = object(
        "contact",
        vec![
            ("email", String),
            ("firstname", String),
            ("lastname", String),
            ("phone", String),
            ("jobtitle", String),
            ("company", String),
            ("city", String),
            ("country", String),
            ("lifecyclestage", Enum(opts(LIFECYCLE))),
            ("hs_lead_status", Enum(opts(LEAD_STATUS))),
            ("hs_buying_role", Multi(opts(BUYING_ROLE))),
            ("hubspotscore", Number),
            ("num_associated_deals", Number),
            ("hs_email_optout", Bool),
            ("createdate", Datetime),
            ("hubspot_owner_id", Owner),
        ],
        &[],
    );
    let company = object(
        "company",
        vec![
            ("name", String),
            ("domain", String),
            ("city", String),
            ("country", String),
            ("industry", Enum(opts(INDUSTRY))),
            (
                "type",
                Enum(opts(&[
                    "PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER",
                ])),
            ),
            ("lifecyclestage", Enum(opts(LIFECYCLE))),
            ("annualrevenue", Number),
            ("numberofemployees", Number),
            ("createdate", Datetime),
            ("hubspot_owner_id", Owner),
        ],
        &["name"],
    );
    let deal = object(
        "deal",
        vec![
            ("dealname", String),
            ("amount", Number),
            ("pipeline", Enum(opts(&["default"]))),
            (
                "dealstage",
                Enum(opts(&[
                    "appointmentscheduled",
                    "qualifiedtobuy",
                    "presentationscheduled",
                    "decisionmakerboughtin",
                    "contractsent",
                    "closedwon",
                    "closedlost",
                ])),
            ),
            ("dealtype", Enum(opts(&["newbusiness", "existingbusiness"]))),
            ("closedate", Date),
            ("createdate", Datetime),
            ("hubspot_owner_id", Owner),
        ],
        &["dealname", "pipeline", "dealstage"],
    );
    let ticket = object(
        "ticket",
        vec![
            ("subject", String),
            ("content", String),
            ("hs_pipeline", Enum(opts(&["0"]))),
            ("hs_pipeline_stage", Enum(opts(&["1", "2", "3", "4"]))),
            (
                "hs_ticket_priority",
                Enum(opts(&["LOW", "MEDIUM", "HIGH", "URGENT"])),
            ),
            ("createdate", Datetime),
            ("hubspot_owner_id", Owner),
        ],
        &["subject", "hs_pipeline", "hs_pipeline_stage"],
    );
    let quote = object(
        "quote",
        vec![
            ("hs_title", String),
            (
                "hs_status",
                Enum(opts(&[
                    "DRAFT",
                    "APPROVAL_NOT_NEEDED",
                    "PENDING_APPROVAL",
                    "APPROVED",
                    "REJECTED",
                ])),
            ),
            ("hs_quote_amount", Number),
            ("hs_expiration_date", Date),
            ("hubspot_owner_id", Owner),
        ],
        &[],
    );

    let mut schema = Schema::default();
    for o in [contact, company, deal, ticket, quote] {
        schema.objects.insert(o.name.clone(), o);
    }
    for (a, b) in [
        ("contact", "company"),
        ("contact", "deal"),
        ("contact", "ticket"),
        ("company", "deal"),
        ("company", "ticket"),
        ("deal", "ticket"),
        ("deal", "quote"),
        ("contact", "quote"),
    ] {
        schema.associate(a, b);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_properties_have_their_types() {
        let s = schema();
        assert_eq!(s.property("contact", "email"), Some(&PropType::String));
        assert_eq!(
            s.property("contact", "hubspotscore"),
            Some(&PropType::Number)
        );
        assert_eq!(
            s.property("contact", "hs_email_optout"),
            Some(&PropType::Bool)
        );
        assert_eq!(
            s.property("contact", "createdate"),
            Some(&PropType::Datetime)
        );
        assert_eq!(s.property("deal", "closedate"), Some(&PropType::Date));
        assert_eq!(
            s.property("quote", "hubspot_owner_id"),
            Some(&PropType::Owner)
        );
        assert!(matches!(
            s.property("contact", "hs_buying_role"),
            Some(PropType::Multi(o)) if o.len() == 8
        ));
        assert!(matches!(
            s.property("company", "industry"),
            Some(PropType::Enum(o)) if ["ACCOUNTING", "BANKING", "COMPUTER_SOFTWARE",
                "HOSPITAL_HEALTH_CARE", "INSURANCE", "RETAIL"].iter().all(|x| o.iter().any(|y| y == x))
        ));
    }

    #[test]
    fn associations_are_symmetric_and_exact() {
        let s = schema();
        assert!(s.associated("deal", "contact"));
        assert!(s.associated("quote", "deal"));
        assert!(s.associated("contact", "quote"));
        assert!(!s.associated("company", "quote"));
        assert!(!s.associated("ticket", "quote"));
        assert_eq!(
            s.associations_of("ticket"),
            vec!["company", "contact", "deal"]
        );
    }

    #[test]
    fn required_on_create() {
        let s = schema();
        assert_eq!(
            s.object("deal").map(|o| o.required.clone()),
            Some(vec![
                "dealname".to_string(),
                "pipeline".into(),
                "dealstage".into()
            ])
        );
        assert_eq!(
            s.object("company").map(|o| o.required.clone()),
            Some(vec!["name".to_string()])
        );
        assert_eq!(s.object("ticket").map(|o| o.required.len()), Some(3));
    }
}
