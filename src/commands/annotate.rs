//! `utfall annotate`: dated notes on a KPI, a goal or everything.

use std::process::ExitCode;

use utfall_app::memory::{AnnotateRequest, author};
use utfall_app::present::memory as present;

use super::{block_on, memory};
use crate::cli::AnnotateCommand;
use crate::output::{emit, emit_table};

pub fn run(command: AnnotateCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        match command {
            AnnotateCommand::Add {
                text,
                on,
                until,
                kpi,
                goal,
                author: who,
                at,
            } => {
                let (session, store) = memory(&at).await?;
                let request = AnnotateRequest {
                    kpi,
                    goal,
                    on,
                    until,
                    text,
                    author: author(who.as_deref()),
                };
                let id = utfall_app::memory::add_annotation(&session, &store, &request).await?;
                emit(
                    at.format,
                    &utfall_app::wire::Created { id },
                    &["id"],
                    &[vec![id.to_string()]],
                )?;
            }
            AnnotateCommand::List { kpi, from, to, at } => {
                let (session, store) = memory(&at).await?;
                let notes =
                    utfall_app::memory::annotations(&session, &store, kpi.as_deref(), from, to)
                        .await?;
                emit_table(at.format, &notes, &present::annotations(&notes))?;
            }
            AnnotateCommand::Remove { id, at } => {
                let (_, store) = memory(&at).await?;
                utfall_app::memory::remove_annotation(&store, id).await?;
                eprintln!("removed annotation {id}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
