//! `utfall db`: the metadata store's operations.

use std::process::ExitCode;

use super::{block_on, memory};
use crate::cli::DbCommand;
use crate::output::{emit, print_json};

pub fn run(command: DbCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        let (report, format) = match command {
            DbCommand::Export { at } => {
                let (_, store) = memory(&at).await?;
                print_json(&utfall_app::memory::export(&store).await?)?;
                return Ok(ExitCode::SUCCESS);
            }
            DbCommand::Migrate { at } => (
                utfall_app::memory::migrate(&memory(&at).await?.1).await?,
                at.format,
            ),
            DbCommand::Backup { file, at } => (
                utfall_app::memory::backup(&memory(&at).await?.1, &file).await?,
                at.format,
            ),
            DbCommand::Copy { to, at } => (
                utfall_app::memory::copy(&memory(&at).await?.1, &to).await?,
                at.format,
            ),
        };
        let row = vec![
            report.store.clone(),
            report.migrations.to_string(),
            report.rows.to_string(),
        ];
        emit(format, &report, &["store", "migrations", "rows"], &[row])?;
        Ok(ExitCode::SUCCESS)
    })
}
