//! The OpenAPI 3.1 document of the JSON API, made from the route table: every `/api` route
//! is described, and a test checks that none is missing.

use serde_json::{Value, json};

use crate::routes::{Need, ROUTES};

/// One operation of the API.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `GET`.
    pub method: &'static str,
    /// The path, with `{name}` for a parameter.
    pub path: &'static str,
    /// What it answers.
    pub summary: &'static str,
    /// Its parameters: (name, where: `query` or `path`, JSON type, required).
    pub parameters: &'static [(&'static str, &'static str, &'static str, bool)],
    /// The schema of its 200 answer.
    pub schema: fn() -> Value,
}

const PERIOD: (&str, &str, &str, bool) = ("period", "query", "string", false);
const LANG: (&str, &str, &str, bool) = ("lang", "query", "string", false);

/// Every operation, in the route table's order.
pub fn operations() -> Vec<Operation> {
    let op = |path, summary, parameters, schema| Operation {
        method: "GET",
        path,
        summary,
        parameters,
        schema,
    };
    vec![
        op(
            "/api/me",
            "The person logged in, their role and their form token",
            &[LANG],
            crate::schemas::me,
        ),
        op(
            "/api/scorecard",
            "Every goal's KPIs in a period: value, target, status, previous period, last year (as `utfall scorecard --format json`)",
            &[PERIOD, LANG],
            crate::schemas::scorecard,
        ),
        op(
            "/api/goals",
            "The goal tree with statuses rolled up",
            &[PERIOD, LANG],
            crate::schemas::goals,
        ),
        op(
            "/api/kpi/{id}",
            "One KPI: its periods with last year, targets, status and forecast, the drivers of its latest change, its definition, versions and annotations",
            &[
                ("id", "path", "string", true),
                ("grain", "query", "string", false),
                ("window", "query", "integer", false),
                LANG,
            ],
            crate::schemas::kpi,
        ),
        op(
            "/api/attribution",
            "Every attribution model side by side (as `utfall attribution --format json`)",
            &[
                ("conversion", "query", "string", false),
                ("by", "query", "string", false),
                ("model", "query", "string", false),
                PERIOD,
                LANG,
            ],
            crate::schemas::attribution,
        ),
        op(
            "/api/mmm",
            "The saved mix model of a KPI and the state of a fit",
            &[("kpi", "query", "string", false), LANG],
            crate::schemas::mmm,
        ),
        op(
            "/api/mmm/plan",
            "A budget split by the saved mix model (as `utfall mmm optimize --format json`)",
            &[
                ("kpi", "query", "string", false),
                ("budget", "query", "number", true),
                PERIOD,
                ("bounds", "query", "string", false),
                LANG,
            ],
            crate::schemas::plan,
        ),
        op(
            "/api/reviews",
            "The reviews, newest first: period, status, when opened and closed",
            &[LANG],
            crate::schemas::reviews,
        ),
        op(
            "/api/reviews/{id}",
            "A review's document (a closed one exactly as frozen; as `utfall review show --format json`)",
            &[("id", "path", "string", true), LANG],
            crate::schemas::review,
        ),
        op(
            "/api/decisions",
            "The decision log, filtered by status, owner, action and follow-up day",
            &[
                ("status", "query", "string", false),
                ("owner", "query", "string", false),
                ("action", "query", "string", false),
                ("due", "query", "string", false),
                LANG,
            ],
            crate::schemas::decisions,
        ),
        op(
            "/api/activities",
            "The activity plan with cost, credit and lift",
            &[LANG],
            crate::schemas::activities,
        ),
        op(
            "/api/data",
            "The tables, the import log and the quarantine",
            &[LANG],
            crate::schemas::data,
        ),
        op(
            "/api/uploads/{id}",
            "An uploaded file: the presets that read it, its dry run and, once confirmed, its import (editors)",
            &[("id", "path", "string", true), LANG],
            crate::schemas::upload,
        ),
        op(
            "/api/audit",
            "The audit log, newest first: who changed what (admins)",
            &[("actor", "query", "string", false), LANG],
            crate::schemas::audit,
        ),
    ]
}

/// A period as the API reads it: `FY2026-Q2`, `FY2026`, `2026-Q3`, `2026-05`, `2026-W14`,
/// `2026`, a day `2026-03-31` or a range of days `2026-03-01..2026-03-31`.
const PERIOD_PATTERN: &str = concat!(
    r"^(FY(19|2[0-9])[0-9]{2}(-Q[1-4])?",
    r"|(19|2[0-9])[0-9]{2}(-(0[1-9]|1[0-2]|Q[1-4]|W(0[1-9]|[1-4][0-9]|5[0-3])))?",
    r"|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
    r"(\.\.[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?)$",
);

/// The schema of the parameter `name` (of JSON type `kind`) of the operation at `path`: the
/// values the handlers accept, with an example where a made-up value would find nothing.
fn parameter_schema(path: &str, name: &str, kind: &str) -> Value {
    use crate::schemas::{ATTRIBUTION_MODELS, CONVERSIONS, CREDITED, GRAINS};
    match name {
        "lang" => json!({ "type": "string", "enum": ["sv", "en"] }),
        "grain" => json!({ "type": "string", "enum": GRAINS }),
        "window" => json!({
            "type": "integer",
            "minimum": 1,
            "maximum": 400,
            "description": "How many periods, the latest last (a larger number counts as 400)"
        }),
        "budget" => json!({ "type": "number", "exclusiveMinimum": 0, "examples": [100000] }),
        "period" => json!({
            "type": "string",
            "pattern": PERIOD_PATTERN,
            "examples": ["FY2026-Q2", "2026-05"]
        }),
        "conversion" => json!({ "type": "string", "enum": CONVERSIONS }),
        "by" => json!({ "type": "string", "enum": CREDITED }),
        "model" => json!({ "type": "string", "enum": ATTRIBUTION_MODELS }),
        "bounds" => json!({ "type": "string", "examples": ["0.5,2"] }),
        "kpi" => json!({ "type": "string", "examples": ["leads"] }),
        "id" if path == "/api/kpi/{id}" => json!({ "type": "string", "examples": ["leads"] }),
        _ => json!({ "type": kind }),
    }
}

/// The document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for op in operations() {
        let route = ROUTES
            .iter()
            .find(|r| r.path == op.path && r.method == op.method);
        let parameters: Vec<Value> = op
            .parameters
            .iter()
            .map(|(name, place, kind, required)| {
                let schema = parameter_schema(op.path, name, kind);
                json!({ "name": name, "in": place, "required": required, "schema": schema })
            })
            .collect();
        let error = json!({ "$ref": "#/components/responses/Error" });
        let mut responses = json!({
            "200": { "description": "The result", "content": { "application/json": { "schema": (op.schema)() } } },
            "400": error.clone(),
            "404": error.clone(),
        });
        if let Some(route) = route.filter(|r| r.need != Need::Anyone) {
            // 401 without a session, 503 when the store cannot tell whose a session is; 403
            // only where a viewer is not enough.
            responses["401"] = error.clone();
            responses["503"] = error.clone();
            if route.need > Need::Viewer {
                responses["403"] = error;
            }
        }
        let operation = json!({
            "summary": op.summary,
            "operationId": op.path.trim_start_matches("/api/").replace(['/', '{', '}'], "_"),
            "parameters": parameters,
            "responses": responses,
            "security": [{ "session": [] }],
        });
        paths.insert(op.path.to_string(), json!({ "get": operation }));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Utfall",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Utfall's JSON API: the same documents as the command line's `--format json`. Log in at /login; the session cookie authenticates every call.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE } },
            "responses": {
                "Error": {
                    "description": "What went wrong and how to fix it",
                    "content": { "application/json": { "schema": {
                        "type": "object",
                        "required": ["error"],
                        "properties": { "error": { "type": "string" }, "hint": { "type": ["string", "null"] } }
                    } } }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_described_and_nothing_else() {
        let described: Vec<&str> = operations().iter().map(|o| o.path).collect();
        let routes: Vec<&str> = ROUTES
            .iter()
            .filter(|r| r.path.starts_with("/api/") && r.path != "/api/openapi.json")
            .map(|r| r.path)
            .collect();
        assert_eq!(described, routes);
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(
            doc["paths"].as_object().map(|p| p.len()),
            Some(routes.len())
        );
    }
}
