use super::ast::*;
use super::lexer::{Tok, lex};
use crate::period::Grain;

/// A formula that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where in the formula text, in bytes.
    pub span: Span,
    /// What to say under the marker.
    pub label: String,
    /// What to write instead, if the parser can tell.
    pub hint: Option<String>,
}

/// Parses a KPI formula.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let tokens = lex(text)?;
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser.expr()?;
    parser.expect_eof()?;
    Ok(expr)
}

struct Parser {
    tokens: Vec<(Tok, Span)>,
    pos: usize,
}

const AGG_NAMES: &str = "`count`, `count_distinct`, `count_new`, `sum`, `avg`, `min`, `max`, `cumulative` or `conversion`";

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].0
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.tokens[(self.pos + n).min(self.tokens.len() - 1)].0
    }

    fn span(&self) -> Span {
        self.tokens[self.pos].1
    }

    fn prev_span(&self) -> Span {
        self.tokens[self.pos.saturating_sub(1)].1
    }

    fn bump(&mut self) -> (Tok, Span) {
        let token = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == tok {
            self.bump();
            true
        } else {
            false
        }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        let found = self.peek().describe();
        ParseError {
            message: format!("expected {expected}, found {found}"),
            span: self.span(),
            label: format!("expected {expected}"),
            hint: None,
        }
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<Span, ParseError> {
        if self.peek() == &tok {
            Ok(self.bump().1)
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn expect_eof(&mut self) -> Result<(), ParseError> {
        if self.peek() == &Tok::Eof {
            return Ok(());
        }
        let mut error = self.unexpected("an operator or the end of the formula");
        if let Tok::Ident(word) = self.peek()
            && matches!(word.as_str(), "where" | "and" | "or")
        {
            error.hint = Some(
                "filters go inside the aggregate: `sum(deals.amount, where: is_won)`".to_string(),
            );
        }
        Err(error)
    }

    fn ident(&mut self, expected: &str) -> Result<Ident, ParseError> {
        match self.peek().clone() {
            Tok::Ident(name) => {
                let span = self.bump().1;
                Ok(Ident { name, span })
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.term()?;
            let span = lhs.span().to(rhs.span());
            lhs = Expr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                span,
            };
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.factor()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.factor()?;
            let span = lhs.span().to(rhs.span());
            lhs = Expr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                span,
            };
        }
    }

    fn factor(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::Number(value) => {
                let span = self.bump().1;
                Ok(Expr::Number { value, span })
            }
            Tok::Minus => {
                let start = self.bump().1;
                let inner = self.factor()?;
                let span = start.to(inner.span());
                Ok(Expr::Neg {
                    inner: Box::new(inner),
                    span,
                })
            }
            Tok::LParen => {
                self.bump();
                let inner = self.expr()?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(inner)
            }
            Tok::Ident(_) if self.peek_at(1) == &Tok::LParen => self.call(),
            Tok::Ident(_) if self.peek_at(1) == &Tok::Dot => {
                let mut error = self.unexpected("a KPI id or an aggregate");
                let table = self.ident("a table")?;
                error.span = table.span.to(self.span());
                error.message = format!(
                    "a column cannot stand alone in a formula: `{}.…`",
                    table.name
                );
                error.label = "wrap this in an aggregate".to_string();
                error.hint = Some(format!(
                    "write e.g. `sum({}.column)` or `count({})`",
                    table.name, table.name
                ));
                Err(error)
            }
            Tok::Ident(_) => {
                let id = self.ident("a KPI id")?;
                let offset = if self.eat(&Tok::LBracket) {
                    Some(self.offset()?)
                } else {
                    None
                };
                let span = id.span.to(self.prev_span());
                Ok(Expr::Kpi { id, offset, span })
            }
            _ => {
                let mut error = self.unexpected("a number, a KPI id or an aggregate");
                if matches!(self.peek(), Tok::Eof) {
                    error.hint = Some("the formula ends too early".to_string());
                }
                Err(error)
            }
        }
    }

    fn offset(&mut self) -> Result<Offset, ParseError> {
        let offset = match self.peek().clone() {
            Tok::Ident(word) if word == "previous" => Offset::Previous,
            Tok::Ident(word) if word == "last_year" => Offset::LastYear,
            Tok::Minus => {
                self.bump();
                match self.peek().clone() {
                    Tok::Number(n) if n.fract() == 0.0 && (1.0..=1000.0).contains(&n) => {
                        Offset::Periods(-(n as i32))
                    }
                    _ => return Err(self.unexpected("a whole number of periods")),
                }
            }
            _ => {
                let mut error = self.unexpected("`previous`, `last_year` or `-N`");
                error.hint = Some("`won_revenue[previous]` is the period before; `[last_year]` the same period a year earlier".to_string());
                return Err(error);
            }
        };
        self.bump();
        self.expect(Tok::RBracket, "`]`")?;
        Ok(offset)
    }

    fn call(&mut self) -> Result<Expr, ParseError> {
        let name = self.ident("a function")?;
        self.expect(Tok::LParen, "`(`")?;
        match name.name.as_str() {
            "cumulative" => self.cumulative(name.span),
            "conversion" => self.conversion(name.span),
            other => match AggFunc::from_name(other) {
                Some(func) => self.aggregate(func, name.span).map(Expr::Aggregate),
                None => Err(ParseError {
                    message: format!("unknown function `{other}`"),
                    span: name.span,
                    label: "not a function".to_string(),
                    hint: Some(format!("the functions are {AGG_NAMES}")),
                }),
            },
        }
    }

    /// Parses `, name: value` pairs until `)`, calling `arg` for each name.
    fn named_args(
        &mut self,
        mut arg: impl FnMut(&mut Self, Ident) -> Result<(), ParseError>,
    ) -> Result<Span, ParseError> {
        loop {
            if let Some(close) = self.eat_close() {
                return Ok(close);
            }
            self.expect(Tok::Comma, "`,` or `)`")?;
            let key = self.ident("an argument name")?;
            self.expect(Tok::Colon, "`:` after the argument name")?;
            arg(self, key)?;
        }
    }

    fn eat_close(&mut self) -> Option<Span> {
        if self.peek() == &Tok::RParen {
            Some(self.bump().1)
        } else {
            None
        }
    }

    fn unknown_argument(key: &Ident, allowed: &str) -> ParseError {
        ParseError {
            message: format!("unknown argument `{}`", key.name),
            span: key.span,
            label: "not an argument here".to_string(),
            hint: Some(format!("the arguments are {allowed}")),
        }
    }

    fn duplicate_argument(key: &Ident) -> ParseError {
        ParseError {
            message: format!("argument `{}` is given twice", key.name),
            span: key.span,
            label: "given again here".to_string(),
            hint: None,
        }
    }

    fn aggregate(&mut self, func: AggFunc, start: Span) -> Result<Aggregate, ParseError> {
        let table = self.ident("a table name")?;
        let column = if self.eat(&Tok::Dot) {
            Some(self.ident("a column name")?)
        } else {
            None
        };
        if column.is_none() && func != AggFunc::Count {
            let mut error = self.unexpected("`.` and a column");
            error.span = table.span;
            error.message = format!("`{}` needs a column, not a whole table", func.name());
            error.label = "a table without a column".to_string();
            error.hint = Some(format!("write `{}({}.column)`", func.name(), table.name));
            return Err(error);
        }
        let mut filter = None;
        let mut time = None;
        let end = self.named_args(|parser, key| {
            match key.name.as_str() {
                "where" if filter.is_none() => filter = Some(parser.condition()?),
                "time" if time.is_none() => time = Some(parser.ident("a time column")?),
                "where" | "time" => return Err(Self::duplicate_argument(&key)),
                _ => return Err(Self::unknown_argument(&key, "`where:` and `time:`")),
            }
            Ok(())
        })?;
        Ok(Aggregate {
            func,
            table,
            column,
            filter,
            time,
            span: start.to(end),
        })
    }

    fn cumulative(&mut self, start: Span) -> Result<Expr, ParseError> {
        let inner = self.expr()?;
        if !matches!(inner, Expr::Aggregate(_) | Expr::Kpi { offset: None, .. }) {
            return Err(ParseError {
                message: "`cumulative` accumulates one aggregate or one KPI".to_string(),
                span: inner.span(),
                label: "not an aggregate or a KPI".to_string(),
                hint: Some("write e.g. `cumulative(sum(spend.cost), to_date: year)`".to_string()),
            });
        }
        let mut window = None;
        let end = self.named_args(|parser, key| {
            if window.is_some() {
                return Err(Self::duplicate_argument(&key));
            }
            match key.name.as_str() {
                "window" => match parser.peek().clone() {
                    Tok::Days(days) if days > 0 => {
                        parser.bump();
                        window = Some(CumulativeWindow::Days(days));
                    }
                    Tok::Ident(word) if word == "all" => {
                        parser.bump();
                        window = Some(CumulativeWindow::All);
                    }
                    _ => return Err(parser.unexpected("a window like `90d`, `12w` or `all`")),
                },
                "to_date" => {
                    let grain = parser.ident("a grain")?;
                    match grain.name.parse::<Grain>() {
                        Ok(g) if g != Grain::Day => window = Some(CumulativeWindow::ToDate(g)),
                        _ => {
                            return Err(ParseError {
                                message: format!("`{}` is not a grain to accumulate over", grain.name),
                                span: grain.span,
                                label: "not a grain".to_string(),
                                hint: Some("use `week`, `month`, `quarter`, `year`, `fiscal_quarter` or `fiscal_year`".to_string()),
                            });
                        }
                    }
                }
                _ => return Err(Self::unknown_argument(&key, "`window:` or `to_date:`")),
            }
            Ok(())
        })?;
        let span = start.to(end);
        let window = window.ok_or_else(|| ParseError {
            message: "`cumulative` needs a `window:` or `to_date:`".to_string(),
            span,
            label: "no window".to_string(),
            hint: Some(
                "add `window: 90d` for a trailing window or `to_date: year` for year-to-date"
                    .to_string(),
            ),
        })?;
        Ok(Expr::Cumulative {
            inner: Box::new(inner),
            window,
            span,
        })
    }

    fn conversion(&mut self, start: Span) -> Result<Expr, ParseError> {
        let table = self.ident("a table name")?;
        self.expect(Tok::Dot, "`.` and the entity column")?;
        let entity = self.ident("the entity column")?;
        let (mut from, mut to, mut within, mut filter) = (None, None, None, None);
        let end = self.named_args(|parser, key| {
            match key.name.as_str() {
                "from" if from.is_none() => {
                    from = Some(parser.ident("the base event's time column")?)
                }
                "to" if to.is_none() => {
                    to = Some(parser.ident("the conversion event's time column")?)
                }
                "within" if within.is_none() => match parser.peek().clone() {
                    Tok::Days(days) if days > 0 => {
                        parser.bump();
                        within = Some(days);
                    }
                    _ => return Err(parser.unexpected("a window like `90d`")),
                },
                "where" if filter.is_none() => filter = Some(parser.condition()?),
                "from" | "to" | "within" | "where" => return Err(Self::duplicate_argument(&key)),
                _ => {
                    return Err(Self::unknown_argument(
                        &key,
                        "`from:`, `to:`, `within:` and `where:`",
                    ));
                }
            }
            Ok(())
        })?;
        let span = start.to(end);
        let missing = |what: &str| {
            ParseError {
            message: format!("`conversion` needs `{what}:`"),
            span,
            label: format!("no `{what}:`"),
            hint: Some("write `conversion(contacts.person_id, from: became_mql_at, to: became_sql_at, within: 90d)`".to_string()),
        }
        };
        Ok(Expr::Conversion(Conversion {
            table,
            entity,
            from: from.ok_or_else(|| missing("from"))?,
            to: to.ok_or_else(|| missing("to"))?,
            within_days: within.ok_or_else(|| missing("within"))?,
            filter,
            span,
        }))
    }

    fn condition(&mut self) -> Result<Condition, ParseError> {
        let mut lhs = self.condition_and()?;
        while self.eat_word("or") {
            let rhs = self.condition_and()?;
            lhs = Condition::Or(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn condition_and(&mut self) -> Result<Condition, ParseError> {
        let mut lhs = self.condition_atom()?;
        while self.eat_word("and") {
            let rhs = self.condition_atom()?;
            lhs = Condition::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Tok::Ident(w) if w == word) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn column_name(&mut self) -> Result<ColumnName, ParseError> {
        let first = self.ident("a column")?;
        if self.eat(&Tok::Dot) {
            let column = self.ident("a column")?;
            Ok((Some(first), column))
        } else {
            Ok((None, first))
        }
    }

    fn condition_atom(&mut self) -> Result<Condition, ParseError> {
        if self.eat_word("not") {
            return Ok(Condition::Not(Box::new(self.condition_atom()?)));
        }
        if self.eat(&Tok::LParen) {
            let inner = self.condition()?;
            self.expect(Tok::RParen, "`)`")?;
            return Ok(inner);
        }
        let column = self.column_name()?;
        if self.eat_word("is") {
            let negated = self.eat_word("not");
            if !self.eat_word("null") {
                return Err(self.unexpected("`null`"));
            }
            return Ok(Condition::IsNull { column, negated });
        }
        let negated_in = if matches!(self.peek(), Tok::Ident(w) if w == "not")
            && matches!(self.peek_at(1), Tok::Ident(w) if w == "in")
        {
            self.bump();
            true
        } else {
            false
        };
        if self.eat_word("in") {
            self.expect(Tok::LParen, "`(` and a list of values")?;
            let mut values = vec![self.literal()?.0];
            while self.eat(&Tok::Comma) {
                values.push(self.literal()?.0);
            }
            self.expect(Tok::RParen, "`,` or `)`")?;
            return Ok(Condition::In {
                column,
                values,
                negated: negated_in,
            });
        }
        let op = match self.peek() {
            Tok::Eq => CmpOp::Eq,
            Tok::Ne => CmpOp::Ne,
            Tok::Lt => CmpOp::Lt,
            Tok::Le => CmpOp::Le,
            Tok::Gt => CmpOp::Gt,
            Tok::Ge => CmpOp::Ge,
            _ => return Ok(Condition::Column(column)),
        };
        self.bump();
        let (value, value_span) = self.literal()?;
        Ok(Condition::Compare {
            column,
            op,
            value,
            value_span,
        })
    }

    fn literal(&mut self) -> Result<(Literal, Span), ParseError> {
        let negative = self.eat(&Tok::Minus);
        let literal = match self.peek().clone() {
            Tok::Number(n) => Literal::Number(if negative { -n } else { n }),
            Tok::Text(text) if !negative => Literal::Text(text),
            Tok::Param(name) if !negative => Literal::Param(name),
            Tok::Ident(word) if !negative && word == "true" => Literal::Bool(true),
            Tok::Ident(word) if !negative && word == "false" => Literal::Bool(false),
            Tok::Ident(word) if !negative => {
                let mut error =
                    self.unexpected("a value ('text', a number, true, false or a $setting)");
                error.hint = Some(format!("put text in quotes: '{word}'"));
                return Err(error);
            }
            _ => {
                return Err(
                    self.unexpected("a value ('text', a number, true, false or a $setting)")
                );
            }
        };
        let span = self.bump().1;
        Ok((literal, span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_five_kinds() {
        let cases = [
            (
                "sum(deals.amount, where: is_won, time: closed_at)",
                FormulaKind::Simple,
            ),
            ("won_revenue / won_deals", FormulaKind::Ratio),
            (
                "count(deals, where: is_won) / count(deals, where: is_closed)",
                FormulaKind::Ratio,
            ),
            (
                "won_revenue / won_revenue[last_year] - 1",
                FormulaKind::Derived,
            ),
            ("100 * (a - b) / c", FormulaKind::Derived),
            (
                "cumulative(sum(spend.cost), to_date: fiscal_year)",
                FormulaKind::Cumulative,
            ),
            ("cumulative(leads, window: 12w)", FormulaKind::Cumulative),
            (
                "conversion(contacts.person_id, from: became_mql_at, to: became_sql_at, within: 90d)",
                FormulaKind::Conversion,
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(parse(text).unwrap().kind(), kind, "{text}");
        }
    }

    #[test]
    fn aggregate_with_filter_and_spans() {
        let text = "sum(deals.amount, where: is_won and currency in ('SEK', 'EUR') and not source is null, time: closed_at)";
        let Expr::Aggregate(aggregate) = parse(text).unwrap() else {
            panic!("not an aggregate")
        };
        assert_eq!(aggregate.func, AggFunc::Sum);
        assert_eq!(aggregate.table.name, "deals");
        let column = aggregate.column.unwrap();
        assert_eq!(&text[column.span.start..column.span.end], "amount");
        let time = aggregate.time.unwrap();
        assert_eq!(&text[time.span.start..time.span.end], "closed_at");
        let columns: Vec<&str> = aggregate
            .filter
            .as_ref()
            .unwrap()
            .columns()
            .iter()
            .map(|c| c.1.name.as_str())
            .collect();
        assert_eq!(columns, ["is_won", "currency", "source"]);
        assert_eq!(aggregate.span, Span::new(0, text.len()));
    }

    #[test]
    fn precedence_and_offsets() {
        let expr = parse("a + b * c[previous] - d[-2]").unwrap();
        let Expr::Binary {
            op: BinOp::Sub,
            lhs,
            rhs,
            ..
        } = expr
        else {
            panic!()
        };
        assert!(matches!(
            *rhs,
            Expr::Kpi {
                offset: Some(Offset::Periods(-2)),
                ..
            }
        ));
        let Expr::Binary {
            op: BinOp::Add,
            rhs: product,
            ..
        } = *lhs
        else {
            panic!()
        };
        let Expr::Binary {
            op: BinOp::Mul,
            rhs: c,
            ..
        } = *product
        else {
            panic!()
        };
        assert!(matches!(
            *c,
            Expr::Kpi {
                offset: Some(Offset::Previous),
                ..
            }
        ));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases = [
            ("sum(deals.amount", 16, "expected `,` or `)`"),
            ("sum(deals)", 4, "needs a column"),
            ("summ(deals.amount)", 0, "unknown function"),
            ("a + * b", 4, "expected a number"),
            ("sum(deals.amount, wher: x)", 18, "unknown argument"),
            ("count(deals, where: stage = won)", 28, "expected a value"),
            ("leads[yesterday]", 6, "expected `previous`"),
            ("deals.amount", 0, "cannot stand alone"),
            ("sum(deals.amount) where is_won", 18, "expected an operator"),
            ("count(deals, where: stage = 'won)", 28, "unterminated"),
            ("cumulative(leads)", 0, "needs a `window:`"),
            ("leads # 2", 6, "unexpected character"),
        ];
        for (text, at, message) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.message.contains(message), "{text}: {}", error.message);
            assert_eq!(error.span.start, at, "{text}: {error:?}");
        }
    }
}
