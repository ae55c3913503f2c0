//! Imports in the browser (editors): upload a file (streamed to disk within the limit, never
//! held whole in memory), see the dry run with the preset chosen or detected, confirm, see the
//! result. The import itself is the application layer's (`utfall_app::upload`), the CLI's.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Multipart, OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::io::AsyncWriteExt as _;
use utfall_app::upload::{self, Upload, UploadOptions};

use super::Context;
use crate::auth::Caller;
use crate::state::AppState;
use crate::view::{Layout, PageError, html, json as to_json};

/// The options of a dry run or an import, from a form or a query.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct OptionsForm {
    preset: Option<String>,
    currency: Option<String>,
    dates: Option<String>,
}

impl OptionsForm {
    fn options(&self) -> UploadOptions {
        let filled = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "auto")
                .map(str::to_string)
        };
        UploadOptions {
            preset: filled(&self.preset),
            currency: filled(&self.currency).map(|c| c.to_uppercase()),
            dates: filled(&self.dates),
        }
    }

    fn given(&self) -> bool {
        self.preset.is_some() || self.currency.is_some() || self.dates.is_some()
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct FormPage<'a> {
    layout: Layout<'a>,
    presets: Vec<(&'static str, &'static str)>,
    limit: String,
}

/// `GET /data/import`: the upload form.
pub(crate) async fn form(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let layout = context.layout(&state, &caller, "import-title", "data", &uri);
    html(
        FormPage {
            layout,
            presets: utfall_app::import::presets(),
            limit: mebibytes(state.upload_limit),
        }
        .render(),
    )
}

fn mebibytes(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

fn too_large(limit: u64) -> PageError {
    PageError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the file is larger than the upload limit of {}; nothing was written",
            mebibytes(limit)
        ),
        Some(
            "split the export (e.g. by month), or ask the administrator to raise UTFALL_UPLOAD_LIMIT_MB"
                .to_string(),
        ),
    )
}

/// Writes the file field to disk chunk by chunk; refuses (and removes it) past the limit.
async fn receive(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    limit: u64,
) -> Result<u64, PageError> {
    let broken =
        |e: &dyn std::fmt::Display| PageError::bad(format!("the upload broke off: {e}"), false);
    let mut file = tokio::fs::File::create(path).await.map_err(|e| {
        PageError::app(
            &utfall_app::AppError::internal("cannot write the upload").caused_by(e),
            false,
        )
    })?;
    let mut written = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e))? {
        written += chunk.len() as u64;
        if written > limit {
            return Err(too_large(limit));
        }
        file.write_all(&chunk).await.map_err(|e| broken(&e))?;
    }
    file.sync_all().await.map_err(|e| broken(&e))?;
    Ok(written)
}

/// `POST /data/import` (multipart): the CSRF token first, then the options, then the file.
pub(crate) async fn upload(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let limit = state.upload_limit;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + (64 << 10)) {
        return Err(too_large(limit));
    }
    let expected = caller
        .session
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    let id = crate::auth::random_token()[..32].to_string();
    let mut form = OptionsForm::default();
    let mut checked = false;
    let mut name = None;
    let result: Result<(), PageError> = async {
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|e| PageError::bad(format!("the upload is not a form: {e}"), false))?
        {
            let field_name = field.name().unwrap_or_default().to_string();
            if !checked {
                let token = if field_name == "csrf" { field.text().await.unwrap_or_default() } else { String::new() };
                if expected.is_empty() || !crate::auth::same(&token, &expected) {
                    return Err(PageError::refused(
                        StatusCode::FORBIDDEN,
                        "the form has expired or was not sent from here: reload the page and try again",
                        None,
                    ));
                }
                checked = true;
                continue;
            }
            match field_name.as_str() {
                "preset" => form.preset = field.text().await.ok(),
                "currency" => form.currency = field.text().await.ok(),
                "dates" => form.dates = field.text().await.ok(),
                "file" => {
                    let file_name = field.file_name().unwrap_or_default().to_string();
                    if file_name.is_empty() {
                        return Err(PageError::bad("choose a file to upload", false));
                    }
                    let part = upload::begin(&state.dir, &id).map_err(|e| PageError::app(&e, false))?;
                    let bytes = receive(&mut field, &part, limit).await?;
                    if bytes == 0 {
                        return Err(PageError::bad(format!("`{file_name}` is empty"), false));
                    }
                    name = Some(file_name);
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let Some(name) = name.filter(|_| result.is_ok()) else {
        upload::abort(&state.dir, &id);
        result?;
        return Err(PageError::bad("choose a file to upload", false));
    };
    let (dir, by, options) = (state.dir.clone(), caller.author(), form.options());
    let now = jiff::Timestamp::now();
    let (id_owned, name_owned) = (id.clone(), name.clone());
    let finished = tokio::task::spawn_blocking(move || {
        upload::finish(&dir, &id_owned, &name_owned, &by, now, options)
    })
    .await
    .map_err(|e| {
        PageError::app(
            &utfall_app::AppError::internal("the upload stopped").caused_by(e),
            false,
        )
    })?;
    if let Err(error) = finished {
        upload::abort(&state.dir, &id);
        return Err(PageError::app(&error, false));
    }
    crate::pages::audit(&state, &caller, "upload", &name, &format!("upload {id}")).await?;
    Ok(super::see_other(&format!("/data/import/{id}")))
}

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage<'a> {
    layout: Layout<'a>,
    upload: Upload,
    size: String,
    presets: Vec<(&'static str, &'static str)>,
    view: Option<utfall_app::upload::ImportView>,
    counts: Vec<(String, String, &'static str)>,
    done: bool,
    snapshot_note: String,
}

async fn load(state: &AppState, id: &str, form: &OptionsForm) -> Result<Upload, PageError> {
    let (dir, id, options, given) = (
        state.dir.clone(),
        id.to_string(),
        form.options(),
        form.given(),
    );
    tokio::task::spawn_blocking(move || {
        if given {
            upload::preview(&dir, &id, options)
        } else {
            upload::get(&dir, &id)
        }
    })
    .await
    .map_err(|e| {
        PageError::app(
            &utfall_app::AppError::internal("the dry run stopped").caused_by(e),
            false,
        )
    })?
    .map_err(|e| PageError::not_found(e.to_string(), false))
}

/// `GET /data/import/{id}`: the dry run (with other options when the query names them) or,
/// once confirmed, the result.
pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(form): Query<OptionsForm>,
    uri: OriginalUri,
) -> Result<Response, PageError> {
    let context = Context::of(&state, &caller, false).await?;
    let upload = load(&state, &id, &form).await?;
    let layout = context.layout(&state, &caller, "upload-title", "data", &uri);
    let fmt = &context.fmt;
    let done = upload.result.is_some();
    let view = upload.result.clone().or(upload.dry_run.clone());
    let n = |v: u64| fmt.number(Some(v as f64), 0);
    let counts = view.as_ref().map_or(Vec::new(), |v| {
        vec![
            ("count-read".to_string(), n(v.read), "read"),
            ("count-imported".to_string(), n(v.imported), "imported"),
            ("count-summed".to_string(), n(v.summed), "summed"),
            ("count-replaced".to_string(), n(v.replaced), "replaced"),
            ("count-identical".to_string(), n(v.identical), "identical"),
            ("count-conflicts".to_string(), n(v.conflicts), "conflicts"),
            ("count-rejected".to_string(), n(v.rejected), "rejected"),
            ("count-skipped".to_string(), n(v.skipped), "skipped"),
        ]
    });
    let size = fmt.number(Some(upload.bytes as f64 / 1024.0), 1) + " KiB";
    let snapshot_note = upload.snapshot_changed.map_or(String::new(), |n| {
        layout
            .t
            .count("upload-snapshot", usize::try_from(n).unwrap_or(usize::MAX))
    });
    html(
        UploadPage {
            layout,
            upload,
            size,
            presets: utfall_app::import::presets(),
            view,
            counts,
            done,
            snapshot_note,
        }
        .render(),
    )
}

/// `GET /api/uploads/{id}`: an upload, its dry run and its result.
pub(crate) async fn json(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let upload = load(&state, &id, &OptionsForm::default())
        .await
        .map_err(|e| PageError::not_found(e.message, true))?;
    Ok(to_json(&upload))
}

/// `POST /data/import/{id}`: imports the upload with the options of its dry run.
pub(crate) async fn confirm(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<OptionsForm>,
) -> Result<Response, PageError> {
    let before = load(&state, &id, &OptionsForm::default()).await?;
    let upload = upload::confirm(&state.dir, &id, form.options(), state.clock)
        .await
        .map_err(|e| PageError::app(&e, false))?;
    if before.result.is_none()
        && let Some(result) = &upload.result
    {
        let detail = format!(
            "{} with {}: {} read, {} imported, {} rejected{}",
            upload.name,
            result.preset,
            result.read,
            result.imported,
            result.rejected,
            if result.already_imported {
                " (imported before: nothing changed)"
            } else {
                ""
            }
        );
        crate::pages::audit(&state, &caller, "import", &upload.name, &detail).await?;
        state.changed().await;
    }
    Ok(super::see_other(&format!("/data/import/{id}")).into_response())
}
