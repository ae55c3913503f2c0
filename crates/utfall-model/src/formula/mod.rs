//! The KPI formula language: a small grammar of our own, parsed into an AST with source spans.
//!
//! A formula is never SQL. It is parsed here, validated against the table catalog and the
//! other KPIs by [`crate::check`], and compiled to query plans by the engine.
//!
//! ```text
//! sum(deals.amount, where: is_won and currency = 'SEK', time: closed_at)      -- simple
//! won_revenue / won_deals                                                     -- ratio
//! won_revenue / won_revenue[last_year] - 1                                    -- derived
//! cumulative(sum(spend.cost), to_date: fiscal_year)                           -- cumulative
//! conversion(contacts.person_id, from: became_mql_at, to: became_sql_at, within: 90d)
//! ```

mod ast;
mod lexer;
mod parser;

pub use ast::{
    AggFunc, Aggregate, BinOp, CmpOp, Condition, Conversion, CumulativeWindow, Expr, FormulaKind,
    Ident, Literal, Offset, Span,
};
pub use parser::{ParseError, parse};
