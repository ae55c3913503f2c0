//! `utfall user`: people and their roles.

use std::io::BufRead as _;
use std::process::ExitCode;

use super::{block_on, memory};
use crate::cli::UserCommand;
use crate::output::emit_table;

/// The first line of stdin (a password; never echoed or logged).
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn run(command: UserCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        match command {
            UserCommand::Add {
                id,
                name,
                email,
                role,
                password_stdin,
                at,
            } => {
                let (_, store) = memory(&at).await?;
                let password = password_stdin.then(password_from_stdin).transpose()?;
                let user = utfall_app::memory::add_user(
                    &store,
                    &id,
                    &name,
                    email.as_deref(),
                    &role,
                    password.as_deref(),
                )
                .await?;
                eprintln!(
                    "added {} ({}) as {}",
                    user.id,
                    user.name,
                    user.role.as_str()
                );
            }
            UserCommand::List { at } => {
                let (_, store) = memory(&at).await?;
                let users = utfall_app::memory::users(&store).await?;
                emit_table(
                    at.format,
                    &users,
                    &utfall_app::present::memory::users(&users),
                )?;
            }
            UserCommand::SetRole { id, role, at } => {
                let (_, store) = memory(&at).await?;
                utfall_app::memory::set_role(&store, &id, &role).await?;
                eprintln!("{id} is now {role}");
            }
            UserCommand::ResetPassword { id, at } => {
                let (_, store) = memory(&at).await?;
                utfall_app::memory::reset_password(&store, &id, &password_from_stdin()?).await?;
                eprintln!("set a new password for {id}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
