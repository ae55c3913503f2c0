//! `utfall sql`: read-only SQL over the workspace's tables.

use std::process::ExitCode;

use utfall_app::series::sql;
use utfall_app::{Clock, Session};

use super::block_on;
use crate::cli::{Format, SqlArgs};
use crate::output::{print_json, print_stdout, table, write_csv};

pub fn run(args: SqlArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let session = Session::open(&args.dir, Clock::System).await?;
        let result = sql(&session, &args.query).await?;
        if result.columns.is_empty() {
            print_stdout("(no rows)\n")?;
            return Ok(ExitCode::SUCCESS);
        }
        let headers: Vec<&str> = result.columns.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = result
            .rows
            .iter()
            .map(|row| row.iter().map(|c| c.text.clone()).collect())
            .collect();
        match args.format {
            Format::Table => print_stdout(&table(&headers, &rows))?,
            Format::Csv => write_csv(&headers, &rows)?,
            // JSON keeps types: numbers as numbers, booleans as booleans, nulls as null.
            Format::Json => print_json(&utfall_app::wire::Rows {
                columns: &result.columns,
                rows: &result.rows,
            })?,
        }
        Ok(ExitCode::SUCCESS)
    })
}
