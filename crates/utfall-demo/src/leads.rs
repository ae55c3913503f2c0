//! The leads: who they are, which company they work at, and the touchpoints that made them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;

use crate::company::{
    ACCOUNT_PREFIXES, ACCOUNT_SUFFIXES, EARLIER_TOUCH_CHANNELS, KNOWN_ACCOUNT_CHANCE,
};
use crate::{Rng, add_days};

/// A moment in the CRM: the day, the hour and the minute.
pub(crate) type Stamp = (Date, u8, u8);

/// `2026-06-15 09:05`.
pub(crate) fn stamp((date, hour, minute): Stamp) -> String {
    format!("{date} {hour:02}:{minute:02}")
}

/// A company in the CRM.
#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) employees: i64,
}

/// A lead: a contact in the CRM.
#[derive(Debug)]
pub(crate) struct Person {
    pub(crate) id: String,
    /// Index in `Leads::accounts`.
    pub(crate) account: usize,
    pub(crate) channel: &'static str,
    pub(crate) activity: Option<String>,
    pub(crate) created: Stamp,
}

/// A lead the market made today, before it has a name and a company.
#[derive(Debug)]
pub(crate) struct NewLead {
    pub(crate) channel: &'static str,
    pub(crate) activity: Option<String>,
    /// The kind of the touchpoint that made the lead.
    pub(crate) kind: &'static str,
    pub(crate) campaign: &'static str,
}

/// Every lead so far, their companies and their touchpoints.
#[derive(Debug)]
pub(crate) struct Leads {
    pub(crate) people: Vec<Person>,
    pub(crate) accounts: Vec<Account>,
    /// `exports/web/touchpoints.csv`.
    pub(crate) touch_rows: String,
    pub(crate) leads_by_channel: BTreeMap<&'static str, u64>,
}

impl Leads {
    pub(crate) fn new() -> Leads {
        Leads {
            people: Vec::new(),
            accounts: Vec::new(),
            touch_rows: String::from(
                "touch_time,person_id,account_id,channel,campaign,activity_id,kind\n",
            ),
            leads_by_channel: BTreeMap::new(),
        }
    }

    /// Adds a lead made on `date`: its company, the time, and the touchpoint that made it,
    /// sometimes after an earlier web session of another kind.
    pub(crate) fn add(&mut self, date: Date, lead: NewLead, rng: &mut Rng) {
        let account = self.account_for_new_lead(rng);
        let hour = rng.range(8, 17) as u8;
        let minute = rng.range(0, 59) as u8;
        let id = format!("p{}", self.people.len() + 1);
        *self.leads_by_channel.entry(lead.channel).or_default() += 1;
        if rng.chance(0.5) {
            self.add_earlier_touch(date, &id, account, rng);
        }
        let touch_minute = minute.saturating_sub(5);
        let _ = writeln!(
            self.touch_rows,
            "{date} {hour:02}:{touch_minute:02},{id},{},{},{},{},{}",
            self.accounts[account].id,
            lead.channel,
            lead.campaign,
            lead.activity.clone().unwrap_or_default(),
            lead.kind
        );
        self.people.push(Person {
            id,
            account,
            channel: lead.channel,
            activity: lead.activity,
            created: (date, hour, minute),
        });
    }

    /// A company already in the CRM, or a new one.
    fn account_for_new_lead(&mut self, rng: &mut Rng) -> usize {
        if !self.accounts.is_empty() && rng.chance(KNOWN_ACCOUNT_CHANCE) {
            return rng.range(0, self.accounts.len() as i64 - 1) as usize;
        }
        let n = self.accounts.len() + 1;
        let prefix = *rng.pick(ACCOUNT_PREFIXES);
        let suffix = *rng.pick(ACCOUNT_SUFFIXES);
        self.accounts.push(Account {
            id: format!("a{n}"),
            name: format!("{prefix}{suffix} {n} AB"),
            employees: rng.range(20, 2000),
        });
        self.accounts.len() - 1
    }

    /// A web session of another channel one to 25 days before the lead was made.
    fn add_earlier_touch(&mut self, date: Date, id: &str, account: usize, rng: &mut Rng) {
        let earlier = add_days(date, -rng.range(1, 25));
        let other = *rng.pick(EARLIER_TOUCH_CHANNELS);
        let hour = rng.range(8, 20);
        let minute = rng.range(0, 59);
        let _ = writeln!(
            self.touch_rows,
            "{earlier} {hour:02}:{minute:02},{id},{},{other},,,web_session",
            self.accounts[account].id
        );
    }
}
