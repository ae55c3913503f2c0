//! The funnel: lead → MQL → SQL → opportunity → won or lost, and the CRM's exports of
//! contacts, companies and deals.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;
use utfall_model::period::{Calendar, Grain, Period};

use crate::company::{
    CHANNELS, EVENTS_QUALITY, FIRST_NAMES, HUBSPOT_OFFLINE_SOURCE, HUBSPOT_SOURCES, LAST_NAMES,
    LEAD_TO_MQL, MQL_TO_SQL, OUTBOUND_CHANCE, SQL_TO_OPPORTUNITY, WIN_RATE,
};
use crate::leads::{Account, Leads, Person, Stamp, stamp};
use crate::{Rng, add_days, money};

/// A deal in the CRM.
#[derive(Debug)]
pub(crate) struct Deal {
    pub(crate) id: String,
    /// The deal's source: the contact's channel, or `sales_outbound`.
    pub(crate) source: &'static str,
    pub(crate) account: usize,
    /// Index in `Leads::people`.
    pub(crate) person: usize,
    pub(crate) created: Stamp,
    /// When it was won or lost, if it has closed by the last day.
    pub(crate) closed: Option<Stamp>,
    pub(crate) won: bool,
    pub(crate) amount: f64,
}

/// The stages a lead reached by the last day.
#[derive(Debug, Clone, Copy)]
struct Stages {
    mql: Option<Stamp>,
    sql: Option<Stamp>,
    opportunity: Option<Stamp>,
}

impl Stages {
    fn draw(created: Stamp, end: Date, rng: &mut Rng) -> Stages {
        let mql = advance(Some(created), LEAD_TO_MQL, (1, 15), end, rng);
        let sql = advance(mql, MQL_TO_SQL, (3, 30), end, rng);
        let opportunity = advance(sql, SQL_TO_OPPORTUNITY, (2, 20), end, rng);
        Stages {
            mql,
            sql,
            opportunity,
        }
    }
}

/// The next stage, reached with chance `p` a number of days in `days` after `from`, if that
/// is by `end`.
fn advance(
    from: Option<Stamp>,
    p: f64,
    days: (i64, i64),
    end: Date,
    rng: &mut Rng,
) -> Option<Stamp> {
    let from = from?;
    if !rng.chance(p) {
        return None;
    }
    Some(step(rng, from, days)).filter(|stage| stage.0 <= end)
}

/// A working hour some days after `from`.
fn step(rng: &mut Rng, from: Stamp, (low, high): (i64, i64)) -> Stamp {
    (
        add_days(from.0, rng.range(low, high)),
        rng.range(8, 17) as u8,
        rng.range(0, 59) as u8,
    )
}

/// Multiplier on the chance that a deal from `channel` is won.
fn deal_quality(channel: &str) -> f64 {
    CHANNELS.iter().find(|c| c.channel == channel).map_or(
        if channel == "events" {
            EVENTS_QUALITY
        } else {
            1.0
        },
        |c| c.quality,
    )
}

fn hubspot_source(channel: &str) -> &'static str {
    HUBSPOT_SOURCES
        .iter()
        .find(|(c, _)| *c == channel)
        .map_or(HUBSPOT_OFFLINE_SOURCE, |(_, source)| source)
}

/// The funnel's outcome.
#[derive(Debug)]
pub(crate) struct Funnel {
    /// `exports/hubspot/contacts.csv`.
    pub(crate) contacts: String,
    pub(crate) deals: Vec<Deal>,
    /// The days the leads that became MQLs did, in the order of the leads.
    pub(crate) mql_days: Vec<Date>,
    /// Channel → (won deals, won revenue in öre).
    pub(crate) deal_truth: BTreeMap<&'static str, (u64, i64)>,
}

impl Funnel {
    /// Takes every lead through the funnel, in the order they came.
    pub(crate) fn run(leads: &Leads, end: Date, rng: &mut Rng) -> Funnel {
        let mut funnel = Funnel {
            contacts: String::from(
                "Record ID,First Name,Last Name,Email,Create Date,Lifecycle Stage,Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Became an Opportunity Date,Became a Customer Date,Original Source,Associated Company ID\n",
            ),
            deals: Vec::new(),
            mql_days: Vec::new(),
            deal_truth: BTreeMap::new(),
        };
        for (index, person) in leads.people.iter().enumerate() {
            let stages = Stages::draw(person.created, end, rng);
            funnel.mql_days.extend(stages.mql.map(|mql| mql.0));
            let customer = stages.opportunity.and_then(|created| {
                funnel.add_deal(index, person, created, &leads.accounts, end, rng)
            });
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(LAST_NAMES);
            funnel.add_contact(
                index,
                person,
                (first, last),
                &stages,
                customer,
                &leads.accounts,
            );
        }
        funnel
    }

    /// The deal of an opportunity; when it was won, if it was won by the last day.
    fn add_deal(
        &mut self,
        index: usize,
        person: &Person,
        created: Stamp,
        accounts: &[Account],
        end: Date,
        rng: &mut Rng,
    ) -> Option<Stamp> {
        let close = step(rng, created, (20, 120));
        let won = rng.chance(WIN_RATE * deal_quality(person.channel));
        let size = accounts[person.account].employees as f64;
        let amount = money(rng.lognormal(90_000.0 * (size / 300.0).powf(0.3), 0.5)).round();
        let closed = (close.0 <= end).then_some(close);
        let won = won && closed.is_some();
        if won {
            let entry = self.deal_truth.entry(person.channel).or_default();
            entry.0 += 1;
            entry.1 += (amount * 100.0) as i64;
        }
        let source = if rng.chance(OUTBOUND_CHANCE) {
            "sales_outbound"
        } else {
            person.channel
        };
        self.deals.push(Deal {
            id: format!("d{}", self.deals.len() + 1),
            source,
            account: person.account,
            person: index,
            created,
            closed,
            won,
            amount,
        });
        if won { closed } else { None }
    }

    fn add_contact(
        &mut self,
        index: usize,
        person: &Person,
        (first, last): (&str, &str),
        stages: &Stages,
        customer: Option<Stamp>,
        accounts: &[Account],
    ) {
        let stage = if customer.is_some() {
            "Customer"
        } else if stages.opportunity.is_some() {
            "Opportunity"
        } else if stages.sql.is_some() {
            "Sales Qualified Lead"
        } else if stages.mql.is_some() {
            "Marketing Qualified Lead"
        } else {
            "Lead"
        };
        let opt = |s: Option<Stamp>| s.map(stamp).unwrap_or_default();
        let _ = writeln!(
            self.contacts,
            "{},{first},{last},{}.{}{}@example.se,{},{stage},{},{},{},{},{},{},{}",
            person.id,
            first.to_lowercase(),
            last.to_lowercase(),
            index,
            stamp(person.created),
            stamp(person.created),
            opt(stages.mql),
            opt(stages.sql),
            opt(stages.opportunity),
            opt(customer),
            hubspot_source(person.channel),
            accounts[person.account].id,
        );
    }

    /// `exports/hubspot/deals.csv`.
    pub(crate) fn deals_csv(&self, leads: &Leads) -> String {
        let mut csv = String::from(
            "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Pipeline,Deal source,Associated Company ID,Associated Contact ID\n",
        );
        for deal in &self.deals {
            let stage = match (deal.closed, deal.won) {
                (Some(_), true) => "Closed Won",
                (Some(_), false) => "Closed Lost",
                (None, _) => "Contract Sent",
            };
            let _ = writeln!(
                csv,
                "{},Avtal {},{stage},{:.0},{},{},Försäljning,{},{},{}",
                deal.id,
                leads.accounts[deal.account].name,
                deal.amount,
                stamp(deal.created),
                deal.closed.map(stamp).unwrap_or_default(),
                deal.source,
                leads.accounts[deal.account].id,
                leads.people[deal.person].id
            );
        }
        csv
    }

    /// Won revenue in öre by the calendar quarter the deals closed in.
    pub(crate) fn won_revenue_by_quarter(&self, calendar: &Calendar) -> BTreeMap<String, i64> {
        let mut by_quarter: BTreeMap<String, i64> = BTreeMap::new();
        for deal in &self.deals {
            if let (Some(closed), true) = (deal.closed, deal.won) {
                *by_quarter
                    .entry(Period::containing(closed.0, Grain::Quarter, calendar).to_string())
                    .or_default() += (deal.amount * 100.0) as i64;
            }
        }
        by_quarter
    }
}

/// `exports/hubspot/companies.csv`.
pub(crate) fn companies_csv(accounts: &[Account]) -> String {
    let mut csv = String::from(
        "Record ID,Company name,Company Domain Name,Industry,Country/Region,Number of Employees\n",
    );
    for account in accounts {
        let domain = account
            .name
            .to_lowercase()
            .replace(' ', "")
            .replace(['å', 'ä'], "a")
            .replace('ö', "o");
        let _ = writeln!(
            csv,
            "{},{},{domain}.se,Tillverkning,Sweden,{}",
            account.id, account.name, account.employees
        );
    }
    csv
}
