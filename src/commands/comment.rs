//! `utfall comment`: threaded comments on a KPI's value for a period.

use std::process::ExitCode;

use utfall_app::memory::{CommentRequest, author};
use utfall_app::present::memory as present;

use super::{block_on, memory};
use crate::cli::CommentCommand;
use crate::output::{emit, emit_table};

pub fn run(command: CommentCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        match command {
            CommentCommand::Add {
                kpi,
                period,
                text,
                reply_to,
                author: who,
                at,
            } => {
                let (session, store) = memory(&at).await?;
                let period = period.parse()?;
                let request = CommentRequest {
                    kpi,
                    period,
                    reply_to,
                    text,
                    author: author(who.as_deref()),
                };
                let id = utfall_app::memory::comment(&session, &store, &request).await?;
                emit(
                    at.format,
                    &utfall_app::wire::Created { id },
                    &["id"],
                    &[vec![id.to_string()]],
                )?;
            }
            CommentCommand::List { kpi, period, at } => {
                let (session, store) = memory(&at).await?;
                let period = period.as_deref().map(str::parse).transpose()?;
                let comments = utfall_app::memory::comments(&session, &store, &kpi, period).await?;
                emit_table(at.format, &comments, &present::comments(&comments))?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
