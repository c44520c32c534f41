//! Deployments as the engine takes them: the bundle decoder's result, with
//! its failures as API errors (422, nothing applied).

use serde_json::Value;

use super::api::ApiError;
use crate::schema::Environment;

pub use crate::bundle::Deployment;

/// A bundle, a plan or an array of plans, with `prune` / `enroll_existing`.
pub fn decode(body: &Value) -> Result<Deployment, ApiError> {
    crate::bundle::decode_deployment(body).map_err(|m| ApiError::new(422, "invalid_plan", m))
}

/// The environment stored with a deployment.
pub fn environment(v: &Value) -> Result<Environment, String> {
    crate::bundle::environment_from_json(v)
}

pub fn environment_json(e: &Environment) -> Value {
    crate::bundle::environment_to_json(e)
}
