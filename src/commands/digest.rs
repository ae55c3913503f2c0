//! `utfall digest`: digests and alerts by e-mail.

use std::process::ExitCode;

use super::{block_on, memory};
use crate::cli::DigestCommand;
use crate::output::emit_table;
use utfall_app::digest;

pub fn run(command: DigestCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        match command {
            DigestCommand::Run { at } => {
                let (session, store) = memory(&at).await?;
                let clock = utfall_app::Clock::from_option(at.today);
                let mailer = digest::mailer(&session)?;
                let report = digest::run_due(&session, &store, &mailer, clock).await?;
                emit_table(at.format, &report, &report.table())?;
                eprintln!("{}", report.summary());
                // A failed message is tried again by the next run.
                return Ok(ExitCode::from(u8::from(!report.failed.is_empty())));
            }
            DigestCommand::Subscribe { user, kind, at } => {
                let (_, store) = memory(&at).await?;
                eprintln!("{}", digest::subscribe(&store, &user, &kind).await?);
            }
            DigestCommand::Unsubscribe { user, kind, at } => {
                let (_, store) = memory(&at).await?;
                eprintln!("{}", digest::unsubscribe(&store, &user, &kind).await?);
            }
            DigestCommand::List { at } => {
                let (_, store) = memory(&at).await?;
                let (lines, table) = digest::list(&store).await?;
                emit_table(at.format, &lines, &table)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
