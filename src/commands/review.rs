//! `utfall review` and `utfall decide`: the review cycle — open, follow up, decide, close,
//! export — and the decision log.

use std::process::ExitCode;

use utfall_app::review::{self, OutcomeRequest, ReviewMeta, ReviewSource};
use utfall_app::{Clock, Session};

use super::{block_on, lang_locale, memory};
use crate::cli::{DecideArgs, Format, Lang, ReviewArgs, ReviewCommand};
use crate::output::{print_json, print_stdout};

pub fn run(args: ReviewArgs, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    let Some(command) = args.command else {
        return log(&args.at, lang);
    };
    block_on(async {
        let (session, store) = memory(&args.at).await?;
        let locale = session.locale(lang_locale(lang));
        let who = |given: &Option<String>| utfall_app::memory::author(given.as_deref());
        let shown = match command {
            ReviewCommand::Open(open) => {
                let period = open.period.parse()?;
                let meta = ReviewMeta {
                    id: open.id.unwrap_or_else(|| review::default_id(period)),
                    period,
                    held_on: open.date,
                    participants: open.participants,
                    notes: open.notes,
                };
                ReviewSource::Live(Box::new(review::open(&session, &store, &meta).await?))
            }
            ReviewCommand::Show { id, live: true } => {
                let shown = review::show(&session, &store, &id).await?;
                let live = review::live_values(&session, shown.review()).await?;
                if args.at.format == Format::Json {
                    return print_json(&live).map(|()| ExitCode::SUCCESS);
                }
                let document = review::document_with_live(shown.review(), Some(&live), locale);
                return print_stdout(&review::markdown(&document)).map(|()| ExitCode::SUCCESS);
            }
            ReviewCommand::Show { id, .. } => review::show(&session, &store, &id).await?,
            ReviewCommand::Close { id, by } => {
                let closed = review::close(&session, &store, &id, &who(&by)).await?;
                eprintln!("closed `{id}`: its numbers are frozen");
                closed
            }
            ReviewCommand::Export { id, to } => {
                let source = review::show(&session, &store, &id).await?;
                review::export(&source, &to, locale)?;
                eprintln!("wrote {}", to.display());
                return Ok(ExitCode::SUCCESS);
            }
            ReviewCommand::List => {
                let reviews = review::list(&session, &store).await?;
                if args.at.format == Format::Json {
                    print_json(&reviews)?;
                } else {
                    print_stdout(&crate::output::lines(&review::list_lines(&reviews)))?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            ReviewCommand::Outcome {
                decision,
                verdict,
                note,
                by,
            } => {
                let request = OutcomeRequest {
                    decision: decision.clone(),
                    verdict,
                    note,
                    by: who(&by),
                };
                review::record_outcome(&store, &request).await?;
                eprintln!("recorded the outcome of `{decision}`");
                return Ok(ExitCode::SUCCESS);
            }
            ReviewCommand::Toml { to } => {
                let text = review::decisions_toml(&store).await?;
                match to {
                    Some(path) => utfall_app::definitions::write_atomically(&path, &text)?,
                    None => print_stdout(&text)?,
                }
                return Ok(ExitCode::SUCCESS);
            }
        };
        match args.at.format {
            Format::Json => print_stdout(&format!("{}\n", shown.json()?))?,
            _ => {
                let document = review::document(shown.review(), locale);
                print_stdout(&review::markdown(&document))?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn decide(args: DecideArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let (session, store) = memory(&args.at).await?;
        let request = args.request(utfall_app::memory::author(args.by.as_deref()));
        review::decide(&session, &store, &request).await?;
        eprintln!("recorded the decision `{}`", args.id);
        Ok(ExitCode::SUCCESS)
    })
}

/// The decision log of `reviews.toml`.
fn log(at: &crate::cli::Where, lang: Option<Lang>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let session = Session::open(&at.dir, Clock::from_option(at.today)).await?;
        let locale = session.locale(lang_locale(lang));
        let reviews = review::follow_ups(&session).await?;
        if at.format == Format::Json {
            let items: Vec<_> = reviews.iter().flat_map(|r| &r.decisions).collect();
            print_json(&items)?;
            return Ok(ExitCode::SUCCESS);
        }
        let text = review::log::text(&reviews, session.today(), &session.currency, locale);
        print_stdout(&text)?;
        Ok(ExitCode::SUCCESS)
    })
}
