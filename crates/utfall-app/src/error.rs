//! One error type for every use case: what went wrong, what caused it, what to do about it,
//! and whether it is the user's to fix (exit 1, HTTP 4xx) or ours (exit 2, HTTP 5xx).

use std::fmt;

/// Whose mistake an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input, arguments, definitions or data: the message says what to fix.
    User,
    /// A fault of ours or of the machine (I/O, a bug): the message is for a bug report.
    Internal,
}

/// An error of a use case, with its causes and a hint.
#[derive(Debug)]
pub struct AppError {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl AppError {
    /// A mistake of the user's.
    pub fn user(message: impl Into<String>) -> AppError {
        AppError {
            kind: ErrorKind::User,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// A fault of ours.
    pub fn internal(message: impl Into<String>) -> AppError {
        AppError {
            kind: ErrorKind::Internal,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// Adds what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> AppError {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the error that caused it (shown as `caused by:`).
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> AppError {
        self.source = Some(Box::new(source));
        self
    }

    /// Whose mistake it is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the user can fix it.
    pub fn is_user(&self) -> bool {
        self.kind == ErrorKind::User
    }

    /// What to do about it, if known.
    pub fn hint_text(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The message without causes.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A failed file operation: `failed to {verb} `{path}``, caused by the I/O error (internal).
pub(crate) fn io_error(
    verb: &str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> AppError {
    let message = format!("failed to {verb} `{}`", path.display());
    move |error| AppError::internal(message).caused_by(error)
}

impl From<utfall_engine::EngineError> for AppError {
    fn from(error: utfall_engine::EngineError) -> AppError {
        use utfall_engine::EngineError as E;
        let message = error.to_string();
        match &error {
            E::MixedCurrencies { .. } => AppError::user(message).hint(
                "import exchange rates (`utfall import --preset fx-rates eurofxref-hist.csv`, the ECB's reference rates) so that amounts are converted, or filter the formula to one currency, e.g. `where: currency = 'SEK'`",
            ),
            E::MissingRate { .. } => AppError::user(message),
            E::NoSuchColumn { column, .. } => AppError::user(message).hint(format!(
                "split by a column every table the KPI reads has (not `{column}`), e.g. channel, campaign_id, platform, source"
            )),
            E::UnknownKpi(_)
            | E::NotComputable(_)
            | E::Formula { .. }
            | E::Unsupported(_)
            | E::DependsOnItself(_)
            | E::UnknownTable(_)
            | E::MixedGrains
            | E::TimeZone(_) => AppError::user(message).hint("run `utfall check` on the workspace"),
            _ => AppError::internal("the query engine failed").caused_by(error),
        }
    }
}

impl From<utfall_model::workspace::LoadError> for AppError {
    fn from(error: utfall_model::workspace::LoadError) -> AppError {
        AppError::user("cannot read the workspace").caused_by(error)
    }
}

impl From<utfall_model::workspace::UnknownKpi> for AppError {
    fn from(error: utfall_model::workspace::UnknownKpi) -> AppError {
        let hint = match &error.did_you_mean {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                "`utfall kpi tree` lists the KPIs; `utfall kpi add` adds from the library".into()
            }
        };
        AppError::user(error.to_string()).hint(hint)
    }
}

impl From<utfall_model::period::PeriodParseError> for AppError {
    fn from(error: utfall_model::period::PeriodParseError) -> AppError {
        AppError::user(error.to_string())
    }
}

impl From<utfall_ingest::store::StoreError> for AppError {
    fn from(error: utfall_ingest::store::StoreError) -> AppError {
        AppError::internal("the workspace's data folder cannot be used").caused_by(error)
    }
}

impl From<utfall_mmm::MmmError> for AppError {
    /// Data and settings are the user's to fix; a failing sampler is ours.
    fn from(error: utfall_mmm::MmmError) -> AppError {
        use utfall_mmm::MmmError as E;
        match &error {
            E::Data(_) | E::Settings(_) => AppError::user(error.to_string()),
            E::Sampler(_) => {
                AppError::internal("the mix model could not be fitted").caused_by(error)
            }
        }
    }
}

impl From<utfall_store::StoreError> for AppError {
    /// A missing row or a refused request is the user's; a database that fails is not.
    fn from(error: utfall_store::StoreError) -> AppError {
        if error.is_user_error() {
            let hint = error.hint().map(str::to_string);
            let e = AppError::user(error.to_string());
            match hint {
                Some(h) => e.hint(h),
                None => e,
            }
        } else {
            let connect = matches!(error, utfall_store::StoreError::Connect { .. });
            let e = AppError::internal("the metadata store failed").caused_by(error);
            if connect {
                e.hint("check `store` in utfall.toml or UTFALL_DATABASE_URL; without either the store is .utfall/meta.sqlite")
            } else {
                e
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_sampler_is_internal_and_keeps_its_cause() {
        let error = AppError::from(utfall_mmm::MmmError::Sampler("divergent".into()));
        assert_eq!(error.kind(), ErrorKind::Internal);
        let cause = std::error::Error::source(&error).unwrap().to_string();
        assert_eq!(cause, "the sampler failed: divergent");
        let error = AppError::from(utfall_mmm::MmmError::Data("no rows".into()));
        assert_eq!(error.kind(), ErrorKind::User);
    }

    #[test]
    fn engine_errors_are_classified() {
        use utfall_engine::EngineError;
        let missing = AppError::from(EngineError::NoSuchColumn {
            table: "spend".into(),
            column: "colour".into(),
        });
        assert!(missing.is_user());
        assert_eq!(missing.message(), "table `spend` has no column `colour`");
        let io = std::io::Error::other("disk on fire");
        let failed = AppError::from(EngineError::DataFusion(io.into()));
        assert_eq!(failed.kind(), ErrorKind::Internal);
        assert!(std::error::Error::source(&failed).is_some());
    }
}
