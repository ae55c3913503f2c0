//! The JSON Schemas of the API's answers: the shapes of `utfall_app::wire` and the views, as
//! they serialise. Objects name their required fields and types; extra fields are allowed, so
//! a field added later does not break a client.

use serde_json::{Value, json};

fn num() -> Value {
    json!({ "type": "number" })
}
fn num_or_null() -> Value {
    json!({ "type": ["number", "null"] })
}
fn text() -> Value {
    json!({ "type": "string" })
}
fn text_or_null() -> Value {
    json!({ "type": ["string", "null"] })
}
fn boolean() -> Value {
    json!({ "type": "boolean" })
}
fn integer() -> Value {
    json!({ "type": "integer" })
}
fn list(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}
fn object(fields: &[(&str, Value)]) -> Value {
    let properties: serde_json::Map<String, Value> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let required: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    json!({ "type": "object", "required": required, "properties": properties })
}
fn nullable(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}
fn status() -> Value {
    json!({ "type": "string", "enum": ["on_track", "at_risk", "off_track", "no_target", "no_data"] })
}
fn forecast() -> Value {
    nullable(object(&[("value", num()), ("method", text())]))
}
fn interval() -> Value {
    object(&[("mean", num()), ("hdi_3%", num()), ("hdi_97%", num())])
}

/// `/api/me`.
pub(crate) fn me() -> Value {
    object(&[
        ("id", text()),
        ("name", text()),
        ("email", text_or_null()),
        (
            "role",
            json!({ "type": "string", "enum": ["viewer", "editor", "admin"] }),
        ),
        (
            "language",
            json!({ "type": "string", "enum": ["sv", "en"] }),
        ),
        ("csrf", text()),
    ])
}

/// `/api/scorecard`.
pub(crate) fn scorecard() -> Value {
    let kpi = object(&[
        ("goal", text()),
        ("goal_name", text()),
        ("kpi", text()),
        ("depth", integer()),
        ("name", text()),
        ("unit", text()),
        ("value", num_or_null()),
        ("previous", num_or_null()),
        ("last_year", num_or_null()),
        ("target", num_or_null()),
        ("target_kind", text_or_null()),
        ("progress", num_or_null()),
        ("status", status()),
        ("forecast", forecast()),
        ("by", json!({ "type": ["array", "null"] })),
    ]);
    object(&[
        ("workspace", text()),
        ("period", text()),
        ("running", boolean()),
        ("day_of_period", json!({ "type": ["integer", "null"] })),
        ("days_in_period", integer()),
        ("previous", text()),
        ("last_year", text()),
        ("split_by", text_or_null()),
        ("kpis", list(kpi)),
    ])
}

/// `/api/goals`.
pub(crate) fn goals() -> Value {
    let node = object(&[
        ("kpi", text()),
        ("name", text()),
        ("depth", integer()),
        ("parent", text_or_null()),
        ("relation", text_or_null()),
        ("status", status()),
        ("rolled_up", status()),
        ("value", num_or_null()),
        ("target", num_or_null()),
        ("owners", list(text())),
        ("departments", list(text())),
    ]);
    let goal = object(&[
        ("goal", text()),
        ("name", text()),
        ("description", text_or_null()),
        ("period", text_or_null()),
        ("parent", text_or_null()),
        ("owners", list(text())),
        ("departments", list(text())),
        ("status", status()),
        ("kpis", list(node)),
    ]);
    object(&[
        ("period", text()),
        ("running", boolean()),
        ("goals", list(goal)),
    ])
}

fn annotation() -> Value {
    object(&[
        ("id", integer()),
        ("scope", text()),
        ("scope_id", text_or_null()),
        ("starts_on", text()),
        ("ends_on", text_or_null()),
        ("body", text()),
        ("author", text()),
        ("kind", text()),
    ])
}

/// `/api/kpi/{id}`.
pub(crate) fn kpi() -> Value {
    let target = nullable(object(&[
        ("kind", text()),
        ("value", num()),
        ("low", num_or_null()),
        ("high", num_or_null()),
        (
            "amber",
            json!({ "type": ["array", "null"], "items": { "type": "number" } }),
        ),
    ]));
    let point = object(&[
        ("period", text()),
        ("value", num_or_null()),
        ("last_year", num_or_null()),
        ("running", boolean()),
        ("target", target),
        ("status", status()),
        ("forecast", forecast()),
    ]);
    let definition = object(&[
        ("description", text_or_null()),
        ("purpose", text_or_null()),
        ("formula", text_or_null()),
        ("owners", list(text())),
        ("departments", list(text())),
        ("sources", list(text())),
        ("method", text_or_null()),
        ("direction", text()),
        ("goal", text_or_null()),
        ("parent", text_or_null()),
        ("children", list(text())),
    ]);
    let version = object(&[
        ("kpi_id", text()),
        ("version", integer()),
        ("hash", text()),
        ("definition", text()),
    ]);
    object(&[
        ("kpi", text()),
        ("name", text()),
        ("unit", text()),
        ("currency", text()),
        ("grain", text()),
        ("values", list(point)),
        ("explanation", json!({ "type": ["object", "null"] })),
        ("unexplained", text_or_null()),
        ("definition", definition),
        ("versions", list(version)),
        ("annotations", list(annotation())),
    ])
}

/// `/api/attribution`.
pub(crate) fn attribution() -> Value {
    let credit = json!({
        "type": "object",
        "required": ["conversions", "value"],
        "properties": {
            "conversions": num(),
            "value": num(),
            "conversions_interval": { "type": "array", "items": num(), "minItems": 2, "maxItems": 2 }
        }
    });
    let row = json!({
        "type": "object",
        "required": ["cost", "models"],
        "properties": {
            "cost": num_or_null(),
            "models": { "type": "object", "additionalProperties": credit }
        }
    });
    let counted = object(&[("conversions", integer()), ("value", num())]);
    object(&[
        ("conversion", text()),
        ("conversions", num()),
        ("value", num()),
        ("journeys_with_touches", integer()),
        ("value_with_touches", num()),
        ("marketing_sourced", counted.clone()),
        ("marketing_influenced", counted),
        ("lookback_days", integer()),
        ("rows", list(row)),
    ])
}

/// `/api/mmm`.
pub(crate) fn mmm() -> Value {
    let channel = object(&[
        ("name", text()),
        ("spend_total", num()),
        ("contribution_total", interval()),
        ("contribution_share", num()),
        ("roas", interval()),
        ("mroas", interval()),
        ("identifiable", boolean()),
    ]);
    let report = nullable(object(&[
        ("method", text()),
        ("channels", list(channel)),
        ("diagnostics", json!({ "type": "object" })),
        ("decomposition", list(json!({ "type": "object" }))),
        ("response_curves", list(json!({ "type": "object" }))),
    ]));
    let job = nullable(object(&[
        ("kpi", text()),
        ("started", text()),
        (
            "state",
            json!({ "type": "string", "enum": ["running", "done", "failed"] }),
        ),
        ("seconds", num()),
        ("error", text_or_null()),
    ]));
    object(&[
        ("kpi", text()),
        ("unit", text()),
        ("fitting", job),
        ("report", report),
    ])
}

/// `/api/mmm/plan`.
pub(crate) fn plan() -> Value {
    let allocation = object(&[
        ("channel", text()),
        ("current", num()),
        ("lower", num()),
        ("upper", num()),
        ("optimal", num()),
        ("advice", text()),
        ("marginal_roas", num()),
        ("at_bound", boolean()),
    ]);
    object(&[
        ("budget_per_period", num()),
        ("periods", integer()),
        ("channels", list(allocation)),
        ("uplift", interval()),
        ("expected_outcome", interval()),
    ])
}

/// `/api/activities`.
pub(crate) fn activities() -> Value {
    let line = object(&[
        ("activity", text()),
        ("name", text()),
        ("kind", text_or_null()),
        ("channel", text_or_null()),
        ("start", text()),
        ("end", text_or_null()),
        ("owner", text_or_null()),
        ("planned", num_or_null()),
        ("actual", num_or_null()),
        ("leads", num_or_null()),
        ("won_deals", num_or_null()),
        ("revenue", num_or_null()),
        ("lift", json!({ "type": ["object", "null"] })),
        (
            "verdict",
            json!({ "type": ["string", "null"], "enum": ["worked", "did_not_work", "unclear", null] }),
        ),
    ]);
    object(&[("currency", text()), ("activities", list(line))])
}

/// `/api/data`.
pub(crate) fn data() -> Value {
    let table = object(&[
        ("table", text()),
        ("rows", integer()),
        ("time_column", text_or_null()),
        ("first", text_or_null()),
        ("last", text_or_null()),
    ]);
    let import = object(&[
        ("id", text()),
        ("file", text()),
        ("preset", text()),
        ("tables", list(text())),
        ("read", integer()),
        ("imported", integer()),
        ("duplicates", integer()),
        ("rejected", integer()),
        ("at", text()),
    ]);
    let rejected = object(&[
        ("file", text()),
        ("line", text()),
        ("column", text()),
        ("reason", text()),
        ("record", text()),
    ]);
    object(&[
        ("tables", list(table)),
        ("imports", list(import)),
        ("quarantine", list(rejected)),
    ])
}

/// `/api/reviews`.
pub(crate) fn reviews() -> Value {
    list(object(&[
        ("id", text()),
        ("period", text()),
        (
            "status",
            json!({ "type": "string", "enum": ["open", "closed"] }),
        ),
        ("held_on", text_or_null()),
        ("opened_at", text()),
        ("closed_at", text_or_null()),
        ("closed_by", text_or_null()),
    ]))
}

/// `/api/reviews/{id}`.
pub(crate) fn review() -> Value {
    object(&[
        ("version", integer()),
        ("id", text()),
        ("workspace", text()),
        ("period", text()),
        ("status", text()),
        ("scorecard", list(json!({ "type": "object" }))),
        ("movers", list(json!({ "type": "object" }))),
        ("follow_ups", list(json!({ "type": "object" }))),
        ("suggestions", list(json!({ "type": "object" }))),
        ("decisions", list(json!({ "type": "object" }))),
    ])
}

/// `/api/decisions`.
pub(crate) fn decisions() -> Value {
    list(object(&[
        ("id", text()),
        ("review_id", text_or_null()),
        (
            "action",
            json!({ "type": "string", "enum": ["stop", "start", "continue", "more", "less"] }),
        ),
        ("kpis", list(text())),
        ("decided_on", text()),
        ("follow_up", text_or_null()),
        ("status", text()),
        ("outcome", json!({ "type": ["object", "null"] })),
    ]))
}
