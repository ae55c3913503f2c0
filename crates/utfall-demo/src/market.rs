//! The market, day by day: budgets with flighting, adstock and saturation, the ad platforms'
//! daily reports, and the leads that spend, the brand and the events bring. A channel whose
//! spend a decision stopped is also followed as planned, so that the leads the stop cost are
//! known.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;

use crate::company::{
    AdReport, BASELINE, CHANNELS, ChannelSpec, FAIR_AFTERMATH_LEADS_PER_DAY, FAIR_LEADS_PER_DAY,
    LINKEDIN_SHARE, SEARCH_BRAND_SHARE, SEARCH_CAMPAIGNS, SHOCK_DAYS, SHOCK_DEMAND, SHOCK_START,
    WEBINAR_LEADS,
};
use crate::history::History;
use crate::leads::{Leads, NewLead};
use crate::plan::{ActivityPlan, Booking};
use crate::{Rng, Timeline, add_days, cents, money, us_number};

/// The ad platforms' campaign reports, as each platform exports them.
#[derive(Debug)]
pub(crate) struct AdReports {
    /// `exports/ads/google-ads.csv`.
    pub(crate) google: String,
    /// `exports/ads/linkedin.csv`.
    pub(crate) linkedin: String,
    /// `exports/ads/meta.csv`.
    pub(crate) meta: String,
}

impl AdReports {
    fn new() -> AdReports {
        AdReports {
            google: String::from(
                "Campaign performance report\n\"All time\"\nDay,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions\n",
            ),
            linkedin: String::from(
                "Campaign Performance Report (in UTC)\n\"Report Start: all time\"\nStart Date (in UTC),Campaign Name,Campaign ID,Total Spent,Currency,Impressions,Clicks,Conversions\n",
            ),
            meta: String::from(
                "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (SEK),Impressions,Link clicks,Results\n",
            ),
        }
    }

    fn record(&mut self, report: AdReport, date: Date, budget: f64) {
        match report {
            AdReport::GoogleAds => self.record_search(date, budget),
            AdReport::LinkedInAndMeta => self.record_social(date, budget),
            AdReport::BookedMonthly => {}
        }
    }

    /// The brand campaign takes its share of the day's budget, the generic campaign the rest.
    fn record_search(&mut self, date: Date, budget: f64) {
        let brand = money(budget * SEARCH_BRAND_SHARE);
        let generic = money(budget - brand);
        for ((name, id), cost) in SEARCH_CAMPAIGNS.into_iter().zip([brand, generic]) {
            let clicks = (cost / 11.0).round();
            let _ = writeln!(
                self.google,
                "{date},{name},{id},SEK,\"{}\",\"{}\",{},{:.1}",
                us_number(cost, 2),
                us_number(clicks * 24.0, 0),
                clicks,
                clicks * 0.04
            );
        }
    }

    /// LinkedIn takes its share of the day's social budget, Meta the rest.
    fn record_social(&mut self, date: Date, budget: f64) {
        let li = money(budget * LINKEDIN_SHARE);
        let fb = money(budget - li);
        let us_date = format!("{:02}/{:02}/{}", date.month(), date.day(), date.year());
        let _ = writeln!(
            self.linkedin,
            "{us_date},ABM Norden,5550101,{li:.2},SEK,{},{},{}",
            (li * 9.0).round(),
            (li / 28.0).round(),
            (li / 900.0).round()
        );
        let _ = writeln!(
            self.meta,
            "{date},{date},Varumärke Norden,2384001,{fb:.2},{},{},{}",
            (fb * 30.0).round(),
            (fb / 9.0).round(),
            (fb / 400.0).round()
        );
    }

    fn finish(&mut self) {
        let _ = writeln!(self.google, "Total: Campaigns,,,,,,,");
    }
}

/// What the market did, day by day.
#[derive(Debug)]
pub(crate) struct Market {
    pub(crate) ads: AdReports,
    /// Each channel's spend in öre, as the daily budgets drove it.
    spend_cents: BTreeMap<&'static str, i64>,
    /// The ad platforms' daily costs, as their reports book them.
    pub(crate) ad_bookings: Vec<Booking>,
    adstock: Vec<f64>,
    brand_pressure: f64,
    /// Adstock and brand pressure as they would have been without the decisions' stops.
    planned_adstock: Vec<f64>,
    planned_brand_pressure: f64,
    /// By day: the leads that stopped spend would have brought, as drawn and in expectation.
    pub(crate) lost_leads: BTreeMap<Date, (u64, f64)>,
    /// The brand's pressure at the end of each day: spend builds it, time wears it down.
    pub(crate) brand_by_day: Vec<f64>,
    /// Each day's saturation per channel of `CHANNELS`: paid sessions follow the spend.
    saturation_by_day: Vec<[f64; CHANNELS.len()]>,
    /// The first day of the competitor's campaign.
    pub(crate) competitor_start: Date,
}

/// A day of the market: its date, its season and the share of demand left.
#[derive(Debug, Clone, Copy)]
struct Day {
    date: Date,
    season: f64,
    demand: f64,
}

/// Runs the market over the timeline: spend and the leads it buys, baseline leads, and the
/// leads of fairs and webinars.
pub(crate) fn simulate(
    timeline: &Timeline,
    seed: u64,
    plan: &ActivityPlan,
    history: &History,
    rng: &mut Rng,
) -> (Market, Leads) {
    let mut market = Market::new(timeline);
    let mut leads = Leads::new();
    // Fairs so far: their leads keep coming for a few weeks.
    let mut fairs_so_far: Vec<(Date, String)> = Vec::new();
    for &date in &timeline.days {
        let day = Day {
            date,
            season: timeline.season(date),
            demand: market.demand(date),
        };
        let mut lost = (0, 0.0);
        let mut new_leads = market.spend_day(seed, day, history, &mut lost, rng);
        market.baseline_leads(&mut new_leads, day, &mut lost, rng);
        if lost.1 > 0.0 {
            market.lost_leads.insert(date, lost);
        }
        if let Some(id) = plan.fairs.get(&date) {
            fairs_so_far.push((date, id.clone()));
        }
        fair_leads(&mut new_leads, date, &fairs_so_far, rng);
        if let Some(id) = plan.webinars.get(&date) {
            for _ in 0..rng.poisson(WEBINAR_LEADS) {
                new_leads.push(event_lead(id, "webinar_attended"));
            }
        }
        for lead in new_leads {
            leads.add(date, lead, rng);
        }
    }
    market.ads.finish();
    (market, leads)
}

impl Market {
    fn new(timeline: &Timeline) -> Market {
        Market {
            ads: AdReports::new(),
            spend_cents: BTreeMap::new(),
            ad_bookings: Vec::new(),
            adstock: vec![0.0; CHANNELS.len()],
            brand_pressure: 0.0,
            planned_adstock: vec![0.0; CHANNELS.len()],
            planned_brand_pressure: 0.0,
            lost_leads: BTreeMap::new(),
            brand_by_day: Vec::with_capacity(timeline.days.len()),
            saturation_by_day: Vec::with_capacity(timeline.days.len()),
            competitor_start: Date::new(timeline.start.year() + 1, SHOCK_START.0, SHOCK_START.1)
                .unwrap_or(timeline.start),
        }
    }

    /// The share of demand left on `date`: less while the competitor's campaign runs.
    fn demand(&self, date: Date) -> f64 {
        let shock =
            self.competitor_start <= date && date < add_days(self.competitor_start, SHOCK_DAYS);
        if shock { SHOCK_DEMAND } else { 1.0 }
    }

    /// Each channel's budget for the day (none once a decision stopped it), its adstock and
    /// saturation, its ad reports and the leads it brings; then the brand's pressure. `lost`
    /// adds up the leads the stopped spend would have brought.
    fn spend_day(
        &mut self,
        seed: u64,
        Day {
            date,
            season,
            demand,
        }: Day,
        history: &History,
        lost: &mut (u64, f64),
        rng: &mut Rng,
    ) -> Vec<NewLead> {
        let mut new_leads = Vec::new();
        let mut saturation_today = [0.0; CHANNELS.len()];
        for (index, spec) in CHANNELS.iter().enumerate() {
            let planned = money(
                spec.daily_budget
                    * flighting(seed, index, date)
                    * (0.55 + 0.45 * season)
                    * (0.85 + 0.3 * rng.uniform()),
            );
            let runs = history.channel_runs(spec.channel, date);
            let budget = if runs { planned } else { 0.0 };
            *self.spend_cents.entry(spec.channel).or_default() += cents(budget);
            self.adstock[index] = budget + spec.alpha * self.adstock[index];
            self.planned_adstock[index] = planned + spec.alpha * self.planned_adstock[index];
            let saturation = hill(self.adstock[index], spec.half_saturation);
            saturation_today[index] = saturation;
            self.brand_pressure += budget / 1_000_000.0;
            self.planned_brand_pressure += planned / 1_000_000.0;
            if runs {
                self.ads.record(spec.report, date, budget);
                if spec.report != AdReport::BookedMonthly {
                    self.ad_bookings.push(Booking {
                        date,
                        channel: spec.channel,
                        activity: String::new(),
                        cents: cents(budget),
                    });
                }
            }
            let rate = spec.max_leads * saturation * season * demand;
            let planned_rate = spec.max_leads
                * hill(self.planned_adstock[index], spec.half_saturation)
                * season
                * demand;
            for _ in 0..draw_leads(rate, planned_rate, lost, rng) {
                new_leads.push(channel_lead(spec));
            }
        }
        self.saturation_by_day.push(saturation_today);
        self.brand_pressure *= 0.998;
        self.planned_brand_pressure *= 0.998;
        self.brand_by_day.push(self.brand_pressure);
        new_leads
    }

    /// Leads that no spend buys; the brand lifts them (less once a decision stopped spend).
    fn baseline_leads(
        &self,
        new_leads: &mut Vec<NewLead>,
        Day { season, demand, .. }: Day,
        lost: &mut (u64, f64),
        rng: &mut Rng,
    ) {
        for &(channel, rate) in BASELINE {
            let base = rate * season * demand;
            let actual = base * (1.0 + 0.3 * self.brand_pressure);
            let planned = base * (1.0 + 0.3 * self.planned_brand_pressure);
            for _ in 0..draw_leads(actual, planned, lost, rng) {
                new_leads.push(NewLead {
                    channel,
                    activity: None,
                    kind: "web_session",
                    campaign: "",
                });
            }
        }
    }

    /// The saturation of `channel`'s adstocked spend on the day with this index, if it is a
    /// channel with spend.
    pub(crate) fn saturation(&self, day_index: usize, channel: &str) -> Option<f64> {
        let index = CHANNELS.iter().position(|c| c.channel == channel)?;
        Some(self.saturation_by_day[day_index][index])
    }

    /// The spend per channel in öre as the books have it: the ad platforms' daily costs, and
    /// the plan's costs for the channels booked monthly (their daily budgets above were only
    /// drivers of the effect, not booked as spend).
    pub(crate) fn booked_spend(
        &self,
        plan_spend_cents: &BTreeMap<&'static str, i64>,
    ) -> BTreeMap<&'static str, i64> {
        let mut spend_cents = self.spend_cents.clone();
        for spec in CHANNELS {
            if spec.report == AdReport::BookedMonthly {
                spend_cents.remove(spec.channel);
            }
        }
        for (channel, cents) in plan_spend_cents {
            *spend_cents.entry(channel).or_default() += cents;
        }
        spend_cents
    }
}

/// The Hill curve with shape 1.
fn hill(adstock: f64, half_saturation: f64) -> f64 {
    adstock / (adstock + half_saturation)
}

/// Poisson(`rate`) leads. Where a decision lowered the rate from `planned`, they are drawn as
/// Poisson(`planned`) thinned to `rate`, and the leads thinned away are added to `lost` (as
/// drawn, and `planned − rate` in expectation); otherwise the draw is the plain one.
fn draw_leads(rate: f64, planned: f64, lost: &mut (u64, f64), rng: &mut Rng) -> u64 {
    if planned <= rate {
        return rng.poisson(rate);
    }
    let all = rng.poisson(planned);
    let kept = (0..all).filter(|_| rng.chance(rate / planned)).count() as u64;
    lost.0 += all - kept;
    lost.1 += planned - rate;
    kept
}

/// Budgets move month by month, as a marketing department shifts money between channels and
/// campaigns: a factor in [0.45, 1.55] per channel and month, fixed by the seed.
fn flighting(seed: u64, channel: usize, date: Date) -> f64 {
    let month = i64::from(date.year()) * 12 + i64::from(date.month());
    let mut rng = Rng::new(
        seed ^ (channel as u64).wrapping_mul(0x51_7CC1_B727_220A)
            ^ (month as u64).wrapping_mul(0x2545_F491_4F6C_DD1D),
    );
    0.45 + 1.1 * rng.uniform()
}

fn channel_lead(spec: &ChannelSpec) -> NewLead {
    NewLead {
        channel: spec.channel,
        activity: None,
        kind: spec.touch_kind,
        campaign: spec.campaign,
    }
}

fn event_lead(activity: &str, kind: &'static str) -> NewLead {
    NewLead {
        channel: "events",
        activity: Some(activity.to_string()),
        kind,
        campaign: "",
    }
}

/// Leads from the fairs: many in a fair's three days, a few for two and a half weeks after.
fn fair_leads(
    new_leads: &mut Vec<NewLead>,
    date: Date,
    fairs_so_far: &[(Date, String)],
    rng: &mut Rng,
) {
    for (fair_date, id) in fairs_so_far {
        let since = fair_date.until(date).map(|s| s.get_days()).unwrap_or(99);
        let rate = if (0..3).contains(&since) {
            FAIR_LEADS_PER_DAY
        } else if (3..21).contains(&since) {
            FAIR_AFTERMATH_LEADS_PER_DAY
        } else {
            continue;
        };
        for _ in 0..rng.poisson(rate) {
            new_leads.push(event_lead(id, "event_attended"));
        }
    }
}
