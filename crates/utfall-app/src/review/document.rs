//! A review laid out as a document, in Swedish or English: the words and the locale's number
//! formats are chosen here, once, and every rendering (Markdown, HTML, PDF, XLSX) shows them.

use utfall_model::kinds::Unit;
use utfall_model::locale::Locale;
use utfall_report::{Block, Cell, Currency, Document, NumberKind, Section, Table};

use super::build::estimate_text;
use super::{FollowUp, Mover, Review};

fn currency_code(code: &str) -> Currency {
    let bytes = code.as_bytes();
    let mut out = *b"SEK";
    if bytes.len() == 3 {
        out.copy_from_slice(bytes);
    }
    Currency(out)
}

fn unit(text: &str) -> Unit {
    Unit::parse(text).unwrap_or(Unit::Number)
}

/// A value cell in the KPI's unit.
fn value(u: Unit, v: Option<f64>, currency: &str, l: Locale) -> Cell {
    let text = u.format(v, currency, l);
    let Some(v) = v else {
        return Cell::text(text);
    };
    let kind = match u {
        Unit::Count => NumberKind::Count,
        Unit::Currency => NumberKind::Money(currency_code(currency)),
        Unit::Ratio => NumberKind::Percent,
        Unit::Percent | Unit::Score => NumberKind::Decimal(1),
        Unit::Days | Unit::Number => NumberKind::Decimal(2),
    };
    Cell::number(text, v, kind)
}

/// A change cell: points for a ratio, else relative.
fn change(u: Unit, v: Option<f64>, base: Option<f64>, l: Locale) -> Cell {
    let text = u.format_change(v, base, l);
    match (v, base) {
        (Some(v), Some(b)) if u == Unit::Ratio => {
            Cell::number(text, (v - b) * 100.0, NumberKind::Points)
        }
        (Some(v), Some(b)) if b != 0.0 => {
            Cell::number(text, (v - b) / b.abs(), NumberKind::Percent)
        }
        _ => Cell::text(text),
    }
}

fn status_text(status: &str, l: Locale) -> &'static str {
    match status {
        "on_track" => l.say("i fas", "on track"),
        "at_risk" => l.say("risk", "at risk"),
        "off_track" => l.say("efter plan", "off track"),
        "no_target" => l.say("inget mål", "no target"),
        _ => l.say("inga data", "no data"),
    }
}

fn verdict_text(verdict: &str, l: Locale) -> &'static str {
    match verdict {
        "worked" => l.say("fungerade", "worked"),
        "did_not_work" => l.say("fungerade inte", "did not work"),
        _ => l.say("för tidigt att säga", "too early to tell"),
    }
}

fn action_text(action: &str, l: Locale) -> &'static str {
    match action {
        "stop" => l.say("sluta", "stop"),
        "start" => l.say("börja", "start"),
        "continue" => l.say("fortsätt", "continue"),
        "more" => l.say("mer", "more"),
        "less" => l.say("mindre", "less"),
        _ => l.say("titta på", "look at"),
    }
}

/// The review as a document in `locale`.
pub fn document(review: &Review, l: Locale) -> Document {
    document_with_live(review, None, l)
}

/// The review as a document, with today's values beside a closed review's when given.
pub fn document_with_live(
    review: &Review,
    live: Option<&[super::LiveValue]>,
    l: Locale,
) -> Document {
    let currency = review.currency.as_str();
    let status = if let Some(closed) = &review.closed {
        format!(
            "{} {} {} {}{}",
            l.say("Stängd", "Closed"),
            closed.at.get(..10).unwrap_or(&closed.at),
            l.say("av", "by"),
            closed.by,
            closed
                .snapshot
                .map(|s| format!(
                    "; {} {s}",
                    l.say(
                        "siffrorna låsta vid ögonblicksbild",
                        "numbers pinned to snapshot"
                    )
                ))
                .unwrap_or_default()
        )
    } else {
        l.say(
            "Öppen: siffrorna räknas om tills granskningen stängs.",
            "Open: the numbers are recomputed until the review is closed.",
        )
        .to_string()
    };
    let mut overview = vec![Block::Paragraph(status)];
    if let Some(day) = &review.held_on {
        overview.push(Block::Paragraph(format!(
            "{} {day}{}",
            l.say("Möte", "Meeting"),
            if review.participants.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} {}",
                    l.say("deltagare:", "participants:"),
                    review.participants.join(", ")
                )
            }
        )));
    }
    if let Some(notes) = &review.notes {
        overview.push(Block::Paragraph(notes.clone()));
    }
    let counts = ["on_track", "at_risk", "off_track", "no_target", "no_data"]
        .iter()
        .filter_map(|s| {
            let n = review.scorecard.iter().filter(|r| r.status == *s).count();
            (n > 0).then(|| format!("{n} {}", status_text(s, l)))
        })
        .collect::<Vec<_>>()
        .join(", ");
    overview.push(Block::Paragraph(format!(
        "{} {}: {counts}.",
        review.scorecard.len(),
        l.say("KPI:er", "KPIs")
    )));
    if !review.gaps.is_empty() {
        overview.push(Block::List(
            review.gaps.iter().map(|g| g.get(l).to_string()).collect(),
        ));
    }
    let mut sections = vec![Section {
        heading: l.say("Översikt", "Overview").into(),
        blocks: overview,
    }];
    sections.push(scorecard(review, l));
    if let Some(live) = live {
        sections.push(live_section(review, live, l));
    }
    sections.push(movers(review, l));
    sections.push(findings(review, l));
    sections.push(follow_up(review, l));
    sections.push(Section {
        heading: l.say("Förslag", "Suggestions").into(),
        blocks: if review.suggestions.is_empty() {
            vec![Block::Paragraph(
                l.say("Inga förslag ur analysen.", "No suggestions from the analysis.")
                    .into(),
            )]
        } else {
            vec![
                Block::Paragraph(
                    l.say(
                        "Förslag ur analysen, med sitt underlag. Det är förslag, inte beslut.",
                        "Suggestions from the analysis, with their evidence. They are suggestions, not decisions.",
                    )
                    .into(),
                ),
                Block::List(
                    review
                        .suggestions
                        .iter()
                        .map(|s| {
                            format!(
                                "{} ({}): {} — {}",
                                l.say("FÖRSLAG", "SUGGESTION"),
                                action_text(&s.action, l),
                                s.text.get(l),
                                s.evidence.get(l)
                            )
                        })
                        .collect(),
                ),
            ]
        },
    });
    sections.push(decisions(review, l));
    let _ = currency;
    Document {
        title: format!(
            "{} {} — {}",
            l.say("Granskning", "Review"),
            review.period,
            review.workspace
        ),
        subtitle: format!(
            "{} {} – {}; {} {}",
            review.period,
            review.first_day,
            review.last_day,
            l.say("beräknad per", "as of"),
            review.as_of
        ),
        lang: l.say("sv", "en").into(),
        sections,
    }
}

fn scorecard(review: &Review, l: Locale) -> Section {
    let currency = review.currency.as_str();
    let headers = vec![
        "KPI".to_string(),
        l.say("Värde", "Value").into(),
        l.say("Målvärde", "Target").into(),
        "Status".into(),
        review.previous.clone(),
        l.say("Förändring", "Change").into(),
        review.last_year.clone(),
        l.say("Mot i fjol", "vs last year").into(),
    ];
    let mut rows = Vec::new();
    let mut goal: Option<&str> = None;
    for r in &review.scorecard {
        if goal != Some(r.goal.as_str()) {
            goal = Some(r.goal.as_str());
            let mut row = vec![Cell::text(r.goal_name.get(l))];
            row.extend((1..headers.len()).map(|_| Cell::text("")));
            rows.push(row);
        }
        let u = unit(&r.unit);
        rows.push(vec![
            Cell::text(r.name.get(l)).indented(r.depth.min(7) as u8 + 1),
            value(u, r.value, currency, l),
            value(u, r.target, currency, l),
            Cell::text(status_text(&r.status, l)),
            value(u, r.previous, currency, l),
            change(u, r.value, r.previous, l),
            value(u, r.last_year, currency, l),
            change(u, r.value, r.last_year, l),
        ]);
    }
    Section {
        heading: l.say("Målkort", "Scorecard").into(),
        blocks: vec![Block::Table(Table {
            name: l.say("Målkort", "Scorecard").into(),
            headers,
            rows,
        })],
    }
}

fn live_section(review: &Review, live: &[super::LiveValue], l: Locale) -> Section {
    let currency = review.currency.as_str();
    let rows = review
        .scorecard
        .iter()
        .zip(live)
        .map(|(r, v)| {
            let u = unit(&r.unit);
            vec![
                Cell::text(r.name.get(l)),
                value(u, v.reported, currency, l),
                value(u, v.live, currency, l),
                change(u, v.live, v.reported, l),
            ]
        })
        .collect();
    Section {
        heading: l.say("Rapporterat och i dag", "Reported and today").into(),
        blocks: vec![
            Block::Paragraph(
                l.say(
                    "Granskningens siffror är låsta; i dag räknas de om med dagens data och definitioner.",
                    "The review's numbers are frozen; today they compute from today's data and definitions.",
                )
                .into(),
            ),
            Block::Table(Table {
                name: l.say("I dag", "Today").into(),
                headers: vec![
                    "KPI".into(),
                    l.say("Rapporterat", "Reported").into(),
                    l.say("I dag", "Today").into(),
                    l.say("Skillnad", "Difference").into(),
                ],
                rows,
            }),
        ],
    }
}

fn mover_blocks(m: &Mover, n: usize, currency: &str, l: Locale) -> Vec<Block> {
    let u = unit(&m.unit);
    let why = match m.reason.as_str() {
        "target" => l.say("längst från målet", "furthest short of target"),
        _ => l.say("rörde sig mest", "moved most"),
    };
    let mut blocks = vec![Block::Paragraph(format!(
        "{}: {} → {} ({}; {why})",
        m.name.get(l),
        u.format(Some(m.before), currency, l),
        u.format(Some(m.after), currency, l),
        u.format_change(Some(m.after), Some(m.before), l),
    ))];
    if !m.drivers.is_empty() {
        let mut rows: Vec<Vec<Cell>> = m
            .drivers
            .iter()
            .map(|d| {
                let du = unit(&d.unit);
                vec![
                    Cell::text(d.name.get(l)),
                    value(du, d.before, currency, l),
                    value(du, d.after, currency, l),
                    value(u, Some(d.contribution), currency, l),
                ]
            })
            .collect();
        rows.push(vec![
            Cell::text(l.say("Rest (oförklarat)", "Residual (unexplained)")),
            Cell::text(""),
            Cell::text(""),
            value(u, Some(m.residual), currency, l),
        ]);
        rows.push(vec![
            Cell::text(l.say("Förändring", "Change")),
            value(u, Some(m.before), currency, l),
            value(u, Some(m.after), currency, l),
            value(u, Some(m.change), currency, l),
        ]);
        blocks.push(Block::Table(Table {
            name: format!("{} {n}", l.say("Drivare", "Drivers")),
            headers: vec![
                l.say("Drivare", "Driver").into(),
                l.say("Före", "Before").into(),
                l.say("Efter", "After").into(),
                l.say("Bidrag", "Contribution").into(),
            ],
            rows,
        }));
    }
    if let Some(dimension) = &m.dimension
        && !m.moved.is_empty()
    {
        blocks.push(Block::List(
            m.moved
                .iter()
                .map(|v| {
                    format!(
                        "{dimension} {}: {} → {}",
                        v.value,
                        u.format(v.before, currency, l),
                        u.format(v.after, currency, l)
                    )
                })
                .collect(),
        ));
    }
    blocks
}

fn movers(review: &Review, l: Locale) -> Section {
    let mut blocks = Vec::new();
    if review.movers.is_empty() {
        blocks.push(Block::Paragraph(
            l.say("Inga KPI:er rörde sig.", "No KPI moved.").into(),
        ));
    }
    for (i, m) in review.movers.iter().enumerate() {
        blocks.extend(mover_blocks(m, i + 1, &review.currency, l));
    }
    Section {
        heading: l.say("Det som rörde sig", "Movers").into(),
        blocks,
    }
}

fn findings(review: &Review, l: Locale) -> Section {
    let currency = review.currency.as_str();
    let mut blocks = Vec::new();
    if let Some(a) = &review.attribution {
        blocks.push(Block::Paragraph(format!(
            "{}: {} {}, {}. {}",
            l.say("Pipeline i perioden", "Pipeline in the period"),
            a.conversions,
            l.say("affärer", "deals"),
            l.money(a.value, currency, 0),
            l.say(
                "Affärer tillskrivna kanaler av flera modeller sida vid sida; intervall 90 % (bootstrap).",
                "Deals credited to channels by several models side by side; 90 % bootstrap intervals.",
            )
        )));
        let mut headers = vec![
            l.say("Kanal", "Channel").to_string(),
            l.say("Kostnad", "Cost").into(),
        ];
        headers.extend(a.models.iter().cloned());
        let rows = a
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::text(&r.channel),
                    value(Unit::Currency, r.cost, currency, l),
                ];
                for c in &r.credits {
                    let text = match c.interval {
                        Some((lo, hi)) => format!(
                            "{} ({}–{})",
                            l.number(c.conversions, 1),
                            l.number(lo, 1),
                            l.number(hi, 1)
                        ),
                        None => l.number(c.conversions, 1),
                    };
                    row.push(Cell::number(text, c.conversions, NumberKind::Decimal(1)));
                }
                row
            })
            .collect();
        blocks.push(Block::Table(Table {
            name: l.say("Attribution", "Attribution").into(),
            headers,
            rows,
        }));
    }
    if let Some(mix) = &review.mix {
        blocks.push(Block::Paragraph(format!(
            "{} {} ({}). {}",
            l.say("Mixmodell för", "Mix model of"),
            mix.kpi,
            mix.method,
            l.say(
                "Intervall 94 %. Kanaler som data inte identifierar är markerade.",
                "94 % intervals. Channels the data does not identify are marked.",
            )
        )));
        let rows = mix
            .channels
            .iter()
            .map(|c| {
                vec![
                    Cell::text(&c.channel),
                    value(Unit::Currency, Some(c.spend), currency, l),
                    Cell::number(
                        estimate_text(&c.contribution, Unit::Number, currency, l),
                        c.contribution.mean,
                        NumberKind::Decimal(1),
                    ),
                    Cell::number(l.percent(c.share, 1), c.share, NumberKind::Percent),
                    Cell::number(
                        estimate_text(&c.mroas, Unit::Number, currency, l),
                        c.mroas.mean,
                        NumberKind::Decimal(2),
                    ),
                    Cell::text(if c.identifiable {
                        l.say("ja", "yes")
                    } else {
                        l.say("nej", "no")
                    }),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            name: l.say("Mixmodell", "Mix model").into(),
            headers: vec![
                l.say("Kanal", "Channel").into(),
                l.say("Spenderat", "Spend").into(),
                l.say("Bidrag", "Contribution").into(),
                l.say("Andel", "Share").into(),
                l.say("Marginalavkastning", "Marginal return").into(),
                l.say("Identifierad", "Identified").into(),
            ],
            rows,
        }));
    }
    if !review.lifts.is_empty() {
        let rows = review
            .lifts
            .iter()
            .map(|x| {
                vec![
                    Cell::text(&x.name),
                    Cell::text(&x.start),
                    Cell::text(&x.end),
                    Cell::number(
                        estimate_text(&x.effect, Unit::Number, currency, l),
                        x.effect.mean,
                        NumberKind::Decimal(1),
                    ),
                    Cell::number(
                        l.percent(x.probability_positive, 0),
                        x.probability_positive,
                        NumberKind::Percent,
                    ),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            name: "Lift".into(),
            headers: vec![
                l.say("Aktivitet", "Activity").into(),
                l.say("Start", "Start").into(),
                l.say("Slut", "End").into(),
                l.say("Effekt på leads", "Effect on leads").into(),
                "P(>0)".into(),
            ],
            rows,
        }));
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(
            l.say(
                "Inga fynd kunde beräknas.",
                "No findings could be computed.",
            )
            .into(),
        ));
    }
    Section {
        heading: l.say("Fynd", "Findings").into(),
        blocks,
    }
}

fn follow_up_paragraph(f: &FollowUp, currency: &str, l: Locale) -> Block {
    let mut parts = vec![format!(
        "{} ({} {}{}): {}",
        f.decision,
        action_text(&f.action, l),
        f.subject,
        f.owner
            .as_ref()
            .map(|o| format!(", {o}"))
            .unwrap_or_default(),
        f.why.get(l)
    )];
    for k in &f.kpis {
        let u = unit(&k.unit);
        parts.push(format!(
            "{}: {} {} → {} {}{}",
            k.name.get(l),
            u.format(k.at_decision, currency, l),
            k.decided_period,
            u.format(k.now, currency, l),
            k.now_period,
            k.target
                .map(|t| format!(
                    " ({} {})",
                    l.say("mål", "target"),
                    u.format(Some(t), currency, l)
                ))
                .unwrap_or_default()
        ));
    }
    if let Some(c) = &f.channel {
        parts.push(format!(
            "{} {}: {} {} → {}{}",
            c.channel,
            l.say("kostnad", "spend"),
            l.say(
                &format!("{} dagar före/efter", c.days),
                &format!("{} days before/after", c.days)
            ),
            l.money(c.spend_before, currency, 0),
            l.money(c.spend_after, currency, 0),
            match (c.leads_before, c.leads_after) {
                (Some(b), Some(a)) => format!("; leads {} → {}", l.number(b, 0), l.number(a, 0)),
                _ => String::new(),
            }
        ));
    }
    if let Some(x) = &f.lift {
        parts.push(format!(
            "lift {}: {}",
            x.name,
            estimate_text(&x.effect, Unit::Number, currency, l)
        ));
    }
    match &f.outcome {
        Some(o) => parts.push(format!(
            "{}: {}{} ({})",
            l.say("Utfall registrerat", "Outcome recorded"),
            verdict_text(&o.verdict, l),
            o.note
                .as_ref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default(),
            o.by
        )),
        None if f.overdue => parts.push(
            l.say(
                "FÖRSENAD: uppföljningsdagen har passerat utan registrerat utfall.",
                "OVERDUE: the follow-up date has passed with no outcome recorded.",
            )
            .into(),
        ),
        None => {}
    }
    let parts: Vec<&str> = parts.iter().map(|p| p.trim_end_matches('.')).collect();
    Block::Paragraph(format!("{}.", parts.join(". ")))
}

fn follow_up(review: &Review, l: Locale) -> Section {
    let currency = review.currency.as_str();
    if review.follow_ups.is_empty() {
        return Section {
            heading: l
                .say("Uppföljning av beslut", "Follow-up of decisions")
                .into(),
            blocks: vec![Block::Paragraph(
                l.say(
                    "Inga tidigare beslut har uppföljning i perioden.",
                    "No earlier decision is due for follow-up.",
                )
                .into(),
            )],
        };
    }
    let rows = review
        .follow_ups
        .iter()
        .map(|f| {
            let (effect, p) = match &f.effect {
                Some(m) => (
                    Cell::number(
                        estimate_text(&m.effect, unit(&m.unit), currency, l),
                        m.effect.mean,
                        NumberKind::Decimal(1),
                    ),
                    Cell::number(
                        l.percent(m.probability_expected, 0),
                        m.probability_expected,
                        NumberKind::Percent,
                    ),
                ),
                None => (Cell::text("–"), Cell::text("–")),
            };
            vec![
                Cell::text(&f.decision),
                Cell::text(action_text(&f.action, l)),
                Cell::text(&f.subject),
                Cell::text(&f.decided_on),
                Cell::text(&f.follow_up),
                effect,
                p,
                Cell::text(verdict_text(&f.verdict, l)),
            ]
        })
        .collect();
    let mut blocks = vec![Block::Table(Table {
        name: l.say("Uppföljning", "Follow-up").into(),
        headers: vec![
            l.say("Beslut", "Decision").into(),
            l.say("Åtgärd", "Action").into(),
            l.say("Gäller", "About").into(),
            l.say("Beslutat", "Decided").into(),
            l.say("Uppföljning", "Follow-up").into(),
            l.say("Effekt (94 %)", "Effect (94 %)").into(),
            l.say("P(väntad riktning)", "P(expected way)").into(),
            l.say("Bedömning", "Verdict").into(),
        ],
        rows,
    })];
    for f in &review.follow_ups {
        blocks.push(follow_up_paragraph(f, currency, l));
    }
    Section {
        heading: l
            .say("Uppföljning av beslut", "Follow-up of decisions")
            .into(),
        blocks,
    }
}

fn decisions(review: &Review, l: Locale) -> Section {
    let heading = l.say("Beslut", "Decisions").to_string();
    if review.decisions.is_empty() {
        return Section {
            heading,
            blocks: vec![Block::Paragraph(
                l.say(
                    "Inga beslut är registrerade ännu: `utfall decide`.",
                    "No decisions are recorded yet: `utfall decide`.",
                )
                .into(),
            )],
        };
    }
    let rows = review
        .decisions
        .iter()
        .map(|d| {
            vec![
                Cell::text(&d.id),
                Cell::text(action_text(&d.action, l)),
                Cell::text(&d.subject),
                Cell::text(d.effect.clone().unwrap_or_else(|| "–".into())),
                Cell::text(d.owner.clone().unwrap_or_else(|| "–".into())),
                Cell::text(d.follow_up.clone().unwrap_or_else(|| "–".into())),
                Cell::text(d.rationale.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Section {
        heading,
        blocks: vec![Block::Table(Table {
            name: l.say("Beslut", "Decisions").into(),
            headers: vec![
                "Id".into(),
                l.say("Åtgärd", "Action").into(),
                l.say("Gäller", "About").into(),
                l.say("Förväntad effekt", "Expected effect").into(),
                l.say("Ansvarig", "Owner").into(),
                l.say("Uppföljning", "Follow-up").into(),
                l.say("Varför", "Why").into(),
            ],
            rows,
        })],
    }
}
