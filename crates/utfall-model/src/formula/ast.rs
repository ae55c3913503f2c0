use crate::period::Grain;

/// A byte range inside the formula text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// The byte after the last.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A name with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// An arithmetic operator between two expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: division by zero gives no value.
    Div,
}

/// A reference to another KPI's value in another period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    /// `kpi[previous]`: the period before.
    Previous,
    /// `kpi[last_year]`: the same period one year earlier.
    LastYear,
    /// `kpi[-3]`: three periods back.
    Periods(i32),
}

/// An aggregate function over a table's rows in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(table)` counts rows; `count(table.column)` counts non-null values.
    Count,
    /// `count_distinct(table.column)`: distinct non-null values.
    CountDistinct,
    /// Entities whose *first* qualifying row falls in the period (e.g. new customers).
    CountNew,
    /// `sum(table.column)`.
    Sum,
    /// `avg(table.column)`.
    Avg,
    /// `min(table.column)`.
    Min,
    /// `max(table.column)`.
    Max,
}

impl AggFunc {
    /// The function a formula calls by this name: `count`, `sum`…
    pub fn from_name(name: &str) -> Option<AggFunc> {
        Some(match name {
            "count" => AggFunc::Count,
            "count_distinct" => AggFunc::CountDistinct,
            "count_new" => AggFunc::CountNew,
            "sum" => AggFunc::Sum,
            "avg" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            _ => return None,
        })
    }

    /// The function's name in formulas.
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::CountDistinct => "count_distinct",
            AggFunc::CountNew => "count_new",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
        }
    }

    /// Whether the function needs a numeric column.
    pub fn needs_numeric(self) -> bool {
        matches!(
            self,
            AggFunc::Sum | AggFunc::Avg | AggFunc::Min | AggFunc::Max
        )
    }
}

/// A value a filter compares a column with.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'paid_search'`: text in single quotes.
    Text(String),
    /// `1000`, `0.5`.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `$brand`, `$currency`: a workspace setting.
    Param(String),
}

/// A comparison in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A row filter inside an aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `a and b`.
    And(Box<Condition>, Box<Condition>),
    /// `a or b`.
    Or(Box<Condition>, Box<Condition>),
    /// `not a`.
    Not(Box<Condition>),
    /// `channel = 'events'`, `amount > 1000`.
    Compare {
        /// The column compared.
        column: ColumnName,
        /// How it is compared.
        op: CmpOp,
        /// What it is compared with.
        value: Literal,
        /// Where the value was written.
        value_span: Span,
    },
    /// `channel in ('events', 'webinar')`, or `not in`.
    In {
        /// The column tested.
        column: ColumnName,
        /// The values it may (or, negated, may not) take.
        values: Vec<Literal>,
        /// `not in` rather than `in`.
        negated: bool,
    },
    /// `source is null`, or `is not null`.
    IsNull {
        /// The column tested.
        column: ColumnName,
        /// `is not null` rather than `is null`.
        negated: bool,
    },
    /// A boolean column used as a condition.
    Column(ColumnName),
}

/// A column in a filter: `is_won` or `deals.is_won`.
pub type ColumnName = (Option<Ident>, Ident);

impl Condition {
    /// Every column the condition reads.
    pub fn columns(&self) -> Vec<&ColumnName> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a ColumnName>) {
        match self {
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.collect_columns(out);
                b.collect_columns(out);
            }
            Condition::Not(inner) => inner.collect_columns(out),
            Condition::Compare { column, .. }
            | Condition::In { column, .. }
            | Condition::IsNull { column, .. }
            | Condition::Column(column) => out.push(column),
        }
    }
}

/// `sum(deals.amount, where: …, time: closed_at)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// The aggregate function.
    pub func: AggFunc,
    /// The table it reads.
    pub table: Ident,
    /// `None` for `count(table)`.
    pub column: Option<Ident>,
    /// Which rows count (`where:`).
    pub filter: Option<Condition>,
    /// The time column that places a row in a period; the table's default when absent.
    pub time: Option<Ident>,
    /// The whole call in the formula text.
    pub span: Span,
}

/// Which periods a `cumulative(…)` adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CumulativeWindow {
    /// A trailing window of days ending with the period.
    Days(u32),
    /// Period-to-date: from the start of the enclosing grain (month, quarter, year, fiscal year).
    ToDate(Grain),
    /// Everything up to the end of the period.
    All,
}

/// `conversion(contacts.person_id, from: became_mql_at, to: became_sql_at, within: 90d)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The table the entities come from.
    pub table: Ident,
    /// The column that identifies an entity (a person, an account).
    pub entity: Ident,
    /// The time column of the first step (`from:`).
    pub from: Ident,
    /// The time column of the step converted to (`to:`).
    pub to: Ident,
    /// How many days after the first step the second counts (`within:`).
    pub within_days: u32,
    /// Which rows count (`where:`).
    pub filter: Option<Condition>,
    /// The whole call in the formula text.
    pub span: Span,
}

/// A KPI formula: arithmetic over aggregates, other KPIs and numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number: `100`, `0.25`.
    Number {
        /// The number.
        value: f64,
        /// Where it was written.
        span: Span,
    },
    /// Another KPI's value: `won_deals`, `won_deals[previous]`.
    Kpi {
        /// The KPI's id.
        id: Ident,
        /// Another period than the one computed, if any.
        offset: Option<Offset>,
        /// Where it was written.
        span: Span,
    },
    /// `-x`.
    Neg {
        /// The negated expression.
        inner: Box<Expr>,
        /// Where it was written.
        span: Span,
    },
    /// `a + b`, `a / b`…
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
        /// Where it was written.
        span: Span,
    },
    /// An aggregate over a table's rows: `sum(deals.amount, …)`.
    Aggregate(Aggregate),
    /// `cumulative(sum(spend.cost), to_date: year)`: an expression over a window of periods.
    Cumulative {
        /// The expression added up.
        inner: Box<Expr>,
        /// Which periods are added up.
        window: CumulativeWindow,
        /// Where it was written.
        span: Span,
    },
    /// The share of entities that take a second step after a first: `conversion(…)`.
    Conversion(Conversion),
}

/// The formula types of dbt MetricFlow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormulaKind {
    /// A single aggregate.
    Simple,
    /// One measure divided by another.
    Ratio,
    /// Any other arithmetic over measures, KPIs and numbers.
    Derived,
    /// A measure over a window of periods.
    Cumulative,
    /// The share of entities that move from one step to the next.
    Conversion,
}

impl FormulaKind {
    /// The kind's name: `simple`, `ratio`, `derived`, `cumulative` or `conversion`.
    pub fn as_str(self) -> &'static str {
        match self {
            FormulaKind::Simple => "simple",
            FormulaKind::Ratio => "ratio",
            FormulaKind::Derived => "derived",
            FormulaKind::Cumulative => "cumulative",
            FormulaKind::Conversion => "conversion",
        }
    }
}

impl Expr {
    /// Where the expression was written.
    pub fn span(&self) -> Span {
        match self {
            Expr::Number { span, .. }
            | Expr::Kpi { span, .. }
            | Expr::Neg { span, .. }
            | Expr::Binary { span, .. }
            | Expr::Cumulative { span, .. } => *span,
            Expr::Aggregate(aggregate) => aggregate.span,
            Expr::Conversion(conversion) => conversion.span,
        }
    }

    /// Which of MetricFlow's five kinds the formula is.
    pub fn kind(&self) -> FormulaKind {
        let is_measure =
            |expr: &Expr| matches!(expr, Expr::Aggregate(_) | Expr::Kpi { offset: None, .. });
        match self {
            Expr::Aggregate(_) => FormulaKind::Simple,
            Expr::Cumulative { .. } => FormulaKind::Cumulative,
            Expr::Conversion(_) => FormulaKind::Conversion,
            Expr::Binary {
                op: BinOp::Div,
                lhs,
                rhs,
                ..
            } if is_measure(lhs) && is_measure(rhs) => FormulaKind::Ratio,
            _ => FormulaKind::Derived,
        }
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::Neg { inner, .. } | Expr::Cumulative { inner, .. } => inner.walk(visit),
            Expr::Binary { lhs, rhs, .. } => {
                lhs.walk(visit);
                rhs.walk(visit);
            }
            Expr::Number { .. } | Expr::Kpi { .. } | Expr::Aggregate(_) | Expr::Conversion(_) => {}
        }
    }

    /// The KPIs this formula reads.
    pub fn kpi_refs(&self) -> Vec<&Ident> {
        let mut refs = Vec::new();
        self.walk(&mut |expr| {
            if let Expr::Kpi { id, .. } = expr {
                refs.push(id);
            }
        });
        refs
    }

    /// The tables this formula reads directly.
    pub fn tables(&self) -> Vec<&Ident> {
        let mut tables = Vec::new();
        self.walk(&mut |expr| match expr {
            Expr::Aggregate(aggregate) => tables.push(&aggregate.table),
            Expr::Conversion(conversion) => tables.push(&conversion.table),
            _ => {}
        });
        tables
    }
}
