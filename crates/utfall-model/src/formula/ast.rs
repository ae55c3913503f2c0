use crate::period::Grain;

/// A byte range inside the formula text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

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
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(table)` counts rows; `count(table.column)` counts non-null values.
    Count,
    CountDistinct,
    /// Entities whose *first* qualifying row falls in the period (e.g. new customers).
    CountNew,
    Sum,
    Avg,
    Min,
    Max,
}

impl AggFunc {
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

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    /// `$brand`, `$currency`: a workspace setting.
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A row filter inside an aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare {
        column: ColumnName,
        op: CmpOp,
        value: Literal,
        value_span: Span,
    },
    In {
        column: ColumnName,
        values: Vec<Literal>,
        negated: bool,
    },
    IsNull {
        column: ColumnName,
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
    pub func: AggFunc,
    pub table: Ident,
    /// `None` for `count(table)`.
    pub column: Option<Ident>,
    pub filter: Option<Condition>,
    /// The time column that places a row in a period; the table's default when absent.
    pub time: Option<Ident>,
    pub span: Span,
}

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
    pub table: Ident,
    pub entity: Ident,
    pub from: Ident,
    pub to: Ident,
    pub within_days: u32,
    pub filter: Option<Condition>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number {
        value: f64,
        span: Span,
    },
    Kpi {
        id: Ident,
        offset: Option<Offset>,
        span: Span,
    },
    Neg {
        inner: Box<Expr>,
        span: Span,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    Aggregate(Aggregate),
    Cumulative {
        inner: Box<Expr>,
        window: CumulativeWindow,
        span: Span,
    },
    Conversion(Conversion),
}

/// The formula types of dbt MetricFlow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormulaKind {
    Simple,
    Ratio,
    Derived,
    Cumulative,
    Conversion,
}

impl FormulaKind {
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
