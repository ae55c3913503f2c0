//! The JSON Schemas of the API's answers: the shapes of `utfall_app::wire` and the views, as
//! they serialise. Objects name their required fields and types; extra fields are allowed, so
//! a field added later does not break a client. A field is nullable only where the answer can
//! really be `null` (an `Option`, or a float that can be NaN); closed vocabularies are enums.
//! `tests/api/run.sh` checks real answers against these schemas.

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
fn count() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}
fn one_of(names: &[&str]) -> Value {
    json!({ "type": "string", "enum": names })
}
fn one_of_or_null(names: &[&str]) -> Value {
    let mut names: Vec<Value> = names.iter().map(|name| json!(name)).collect();
    names.push(Value::Null);
    json!({ "type": ["string", "null"], "enum": names })
}
fn always_null() -> Value {
    json!({ "type": "null" })
}
/// An object whose keys are names (of channels, controls, parameters…) and values `values`.
fn map_of(values: Value) -> Value {
    json!({ "type": "object", "additionalProperties": values })
}
/// `schema`, an [`object`], with fields that only some answers have.
fn with_optional(mut schema: Value, fields: &[(&str, Value)]) -> Value {
    for (name, field) in fields {
        schema["properties"][*name] = field.clone();
    }
    schema
}

/// The units of a KPI (`utfall_model::kinds::Unit`).
pub(crate) const UNITS: &[&str] = &[
    "count", "currency", "ratio", "percent", "score", "days", "number",
];
/// The grains a KPI's periods can have (`utfall_model::period::Grain::ALL_NAMED`).
pub(crate) const GRAINS: &[&str] = &[
    "day",
    "week",
    "month",
    "quarter",
    "fiscal_quarter",
    "year",
    "fiscal_year",
];
/// What counts as a conversion in attribution.
pub(crate) const CONVERSIONS: &[&str] = &[
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "pipeline",
    "won_deals",
];
/// What attribution credits.
pub(crate) const CREDITED: &[&str] = &["channel", "campaign", "activity"];
/// The attribution models the API compares (each answer has all of them).
pub(crate) const ATTRIBUTION_MODELS: &[&str] = &[
    "first",
    "last",
    "linear",
    "time_decay",
    "position",
    "markov",
    "shapley",
];
const TARGET_KINDS: &[&str] = &["reach", "above", "below"];

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
        ("depth", count()),
        ("name", text()),
        ("unit", one_of(UNITS)),
        ("value", num_or_null()),
        ("previous", num_or_null()),
        ("last_year", num_or_null()),
        ("target", num_or_null()),
        ("target_kind", one_of_or_null(TARGET_KINDS)),
        ("progress", num_or_null()),
        ("status", status()),
        ("forecast", forecast()),
        // A split is asked for on the command line (`--by`), never by the API.
        ("by", always_null()),
    ]);
    object(&[
        ("workspace", text()),
        ("period", text()),
        ("running", boolean()),
        (
            "day_of_period",
            json!({ "type": ["integer", "null"], "minimum": 1 }),
        ),
        ("days_in_period", json!({ "type": "integer", "minimum": 1 })),
        ("previous", text()),
        ("last_year", text()),
        ("split_by", always_null()),
        ("kpis", list(kpi)),
    ])
}

/// `/api/goals`.
pub(crate) fn goals() -> Value {
    let node = object(&[
        ("kpi", text()),
        ("name", text()),
        ("depth", count()),
        ("parent", text_or_null()),
        (
            "relation",
            one_of_or_null(&["sum", "product", "ratio", "influence"]),
        ),
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
        ("scope", one_of(&["kpi", "goal", "all"])),
        ("scope_id", text_or_null()),
        ("starts_on", text()),
        ("ends_on", text_or_null()),
        ("body", text()),
        ("author", text()),
        (
            "kind",
            one_of(&["note", "import", "definition", "activity", "decision"]),
        ),
        ("source_ref", text_or_null()),
        ("created_at", text()),
    ])
}

/// Why a KPI changed from the period before: down its tree, and by the values that moved it
/// (`utfall_app::wire::Explanation`).
fn explanation() -> Value {
    let line = object(&[
        ("kpi", text()),
        ("depth", count()),
        ("before", num_or_null()),
        ("after", num_or_null()),
        ("change", num_or_null()),
        ("contribution", num_or_null()),
        ("method", text_or_null()),
    ]);
    let residual = object(&[("kpi", text()), ("residual", num())]);
    let moved = object(&[
        ("value", text()),
        ("before", num_or_null()),
        ("after", num_or_null()),
        ("change", num()),
    ]);
    let movers = object(&[
        ("kpi", text()),
        ("dimension", text()),
        ("values", list(moved)),
    ]);
    nullable(object(&[
        ("kpi", text()),
        ("period", text()),
        ("vs", text()),
        ("lines", list(line)),
        ("unexplained", list(residual)),
        ("movers", list(movers)),
    ]))
}

/// `/api/kpi/{id}`.
pub(crate) fn kpi() -> Value {
    let target = nullable(object(&[
        ("kind", one_of(TARGET_KINDS)),
        ("value", num()),
        ("low", num_or_null()),
        ("high", num_or_null()),
        (
            "amber",
            json!({ "type": "array", "items": num(), "minItems": 2, "maxItems": 2 }),
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
        ("direction", one_of(&["higher", "lower", "neutral"])),
        ("goal", text_or_null()),
        ("parent", text_or_null()),
        ("children", list(text())),
    ]);
    let version = object(&[
        ("kpi_id", text()),
        ("version", integer()),
        ("hash", text()),
        ("definition", text()),
        ("first_seen", text()),
        ("last_seen", text()),
    ]);
    object(&[
        ("kpi", text()),
        ("name", text()),
        ("unit", one_of(UNITS)),
        ("currency", text()),
        ("grain", one_of(GRAINS)),
        ("values", list(point)),
        ("explanation", explanation()),
        ("unexplained", text_or_null()),
        ("definition", definition),
        ("versions", list(version)),
        ("annotations", list(annotation())),
    ])
}

/// `/api/attribution`.
pub(crate) fn attribution() -> Value {
    // The data-driven models (Markov, Shapley) add a bootstrap interval.
    let credit = with_optional(
        object(&[("conversions", num()), ("value", num())]),
        &[(
            "conversions_interval",
            json!({ "type": "array", "items": num(), "minItems": 2, "maxItems": 2 }),
        )],
    );
    let models: Vec<(&str, Value)> = ATTRIBUTION_MODELS
        .iter()
        .map(|model| (*model, credit.clone()))
        .collect();
    // The row's key is named by what is credited: `channel`, `campaign` or `activity`.
    let keys: Vec<(&str, Value)> = CREDITED.iter().map(|key| (*key, text())).collect();
    let mut row = with_optional(
        object(&[("cost", num_or_null()), ("models", object(&models))]),
        &keys,
    );
    row["anyOf"] = CREDITED
        .iter()
        .map(|key| json!({ "required": [key] }))
        .collect();
    let counted = object(&[("conversions", count()), ("value", num())]);
    with_optional(
        object(&[
            ("conversion", one_of(CONVERSIONS)),
            ("conversions", num()),
            ("value", num()),
            ("journeys_with_touches", count()),
            ("value_with_touches", num()),
            ("marketing_sourced", counted.clone()),
            ("marketing_influenced", counted),
            ("lookback_days", integer()),
            ("rows", list(row)),
        ]),
        // The Markov chain's removal effect per key, when there are any.
        &[("removal_effects", map_of(num()))],
    )
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
        ("adstock", map_of(interval())),
        ("saturation", map_of(interval())),
        ("beta", interval()),
        ("adstock_weights", list(num())),
        ("identifiable", boolean()),
        ("notes", list(text())),
    ]);
    // R-hat and ESS are NaN, sent as `null`, when a chain is too short to tell.
    let parameter = object(&[
        ("name", text()),
        ("mean", num()),
        ("sd", num()),
        ("hdi_3%", num()),
        ("hdi_97%", num()),
        ("r_hat", num_or_null()),
        ("ess_bulk", num_or_null()),
    ]);
    let diagnostics = object(&[
        ("chains", count()),
        ("draws", count()),
        ("tune", count()),
        ("divergences", count()),
        ("max_r_hat", num()),
        ("min_ess_bulk", num_or_null()),
        ("sampling_seconds", num()),
        ("gradient_evaluations", count()),
        ("converged", boolean()),
    ]);
    let fit = object(&[
        ("rows", count()),
        ("r2", num()),
        ("mape", num()),
        ("nrmse", num()),
    ]);
    let period = object(&[
        ("date", text()),
        ("observed", num()),
        ("fitted", num()),
        ("baseline", num()),
        ("channels", list(num())),
        ("controls", list(num())),
        ("seasonality", num()),
    ]);
    let point = object(&[("spend", num()), ("contribution", interval())]);
    let curve = object(&[
        ("channel", text()),
        ("current_spend", num()),
        ("points", list(point)),
    ]);
    let report = nullable(object(&[
        ("method", one_of(&["bayes"])),
        ("channels", list(channel)),
        ("controls", map_of(interval())),
        ("baseline_total", interval()),
        ("parameters", list(parameter)),
        ("diagnostics", diagnostics),
        ("fit_train", fit.clone()),
        ("fit_test", nullable(fit)),
        ("decomposition", list(period)),
        ("response_curves", list(curve)),
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
    // The unit is the KPI's, empty while no fit is saved.
    let mut units = UNITS.to_vec();
    units.push("");
    object(&[
        ("kpi", text()),
        ("unit", one_of(&units)),
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
        ("advice", one_of(&["more", "less", "keep"])),
        ("marginal_roas", num()),
        ("at_bound", boolean()),
        ("contribution_current", interval()),
        ("contribution_optimal", interval()),
    ]);
    object(&[
        ("budget_per_period", num()),
        ("periods", json!({ "type": "integer", "minimum": 1 })),
        ("channels", list(allocation)),
        ("lambda", num()),
        ("uplift", interval()),
        ("expected_outcome", interval()),
        ("kkt_max_gap", num()),
    ])
}

/// `/api/activities`.
pub(crate) fn activities() -> Value {
    let lift = nullable(object(&[
        ("activity", text()),
        ("name", text()),
        ("start", text()),
        ("end", text()),
        ("kpi", text()),
        (
            "effect",
            object(&[("mean", num()), ("low", num()), ("high", num())]),
        ),
        ("probability_positive", num()),
        ("overlapping", list(text())),
    ]));
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
        ("lift", lift),
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
        ("rows", count()),
        ("time_column", text_or_null()),
        ("first", text_or_null()),
        ("last", text_or_null()),
    ]);
    let import = with_optional(
        object(&[
            ("id", text()),
            ("file", text()),
            ("sha256", text()),
            ("preset", text()),
            ("tables", list(text())),
            ("read", count()),
            ("imported", count()),
            ("duplicates", count()),
            ("rejected", count()),
            // The quarantine file, when a record was rejected.
            ("quarantine", text_or_null()),
            ("at", text()),
        ]),
        // The file's size, in bytes, in imports logged since it was recorded.
        &[("size", count())],
    );
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

/// `/api/audit`.
pub(crate) fn audit() -> Value {
    list(object(&[
        ("id", integer()),
        ("at", text()),
        ("actor", text()),
        ("action", text()),
        ("object", text()),
        ("detail", text()),
    ]))
}

/// `/api/uploads/{id}`.
pub(crate) fn upload() -> Value {
    let pair =
        json!({ "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 });
    let rejection = json!({ "type": "array", "prefixItems": [count(), text(), text()], "minItems": 3, "maxItems": 3 });
    let view = object(&[
        ("preset", text()),
        ("format", text()),
        ("encoding", text()),
        ("delimiter", text()),
        ("decimal_comma", boolean()),
        ("day_first", boolean()),
        ("tables", list(text())),
        ("mapping", list(pair)),
        ("preview", list(list(text()))),
        ("read", count()),
        ("imported", count()),
        ("replaced", count()),
        ("summed", count()),
        ("identical", count()),
        ("conflicts", count()),
        ("rejected", count()),
        ("skipped", count()),
        ("rejections", list(rejection)),
        ("quarantine", text_or_null()),
        ("already_imported", boolean()),
        ("notes", list(text())),
        ("warnings", list(text())),
        ("unmapped", list(text())),
    ]);
    object(&[
        ("id", text()),
        ("name", text()),
        ("bytes", count()),
        ("by", text()),
        ("at", text()),
        (
            "options",
            object(&[
                ("preset", text_or_null()),
                ("currency", text_or_null()),
                ("dates", text_or_null()),
            ]),
        ),
        (
            "detected",
            list(object(&[
                ("preset", text()),
                ("read", count()),
                ("imported", count()),
                ("mapped", count()),
                ("already_imported", boolean()),
            ])),
        ),
        ("dry_run", nullable(view.clone())),
        ("result", nullable(view)),
        (
            "snapshot_changed",
            json!({ "type": ["integer", "null"], "minimum": 0 }),
        ),
        ("problem", text_or_null()),
    ])
}
