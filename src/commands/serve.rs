//! `utfall serve`: the web app on a workspace (and after `utfall demo`).

use std::process::ExitCode;

/// Serves `dir` until Ctrl-C; prints the address and, on the first run, the admin's password.
pub fn serve(
    dir: &std::path::Path,
    bind: std::net::SocketAddr,
    today: Option<jiff::civil::Date>,
) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        let clock = utfall_app::Clock::from_option(today);
        let config = utfall_server::Config::from_env(dir.to_path_buf(), bind, clock);
        let bound = utfall_server::bind(&config).await?;
        eprintln!(
            "the web app is at http://{}/ (Ctrl-C stops it)",
            bound.address
        );
        if let Some((id, password)) = utfall_server::first_admin(&bound.state().store).await? {
            eprintln!(
                "log in as `{id}` with the one-time password {password} (shown once; `utfall user reset-password {id}` sets another)"
            );
        }
        bound.serve().await?;
        Ok(ExitCode::SUCCESS)
    })
}
