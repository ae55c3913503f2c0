//! Nordkraft AB in tables: its channels and what they cost and bring, its fairs and monthly
//! costs, the names in its CRM and the traffic on its web site.

/// Which ad platform's report a channel's daily spend appears in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdReport {
    /// Google Ads: a brand and a generic search campaign.
    GoogleAds,
    /// LinkedIn and Meta: the social budget split between them.
    LinkedInAndMeta,
    /// No daily report: the channel's costs are booked monthly in the activity plan.
    BookedMonthly,
}

/// A paid or owned channel of the process.
#[derive(Debug)]
pub(crate) struct ChannelSpec {
    pub(crate) channel: &'static str,
    /// Daily budget at full season (SEK).
    pub(crate) daily_budget: f64,
    /// Geometric adstock carry-over.
    pub(crate) alpha: f64,
    /// Half-saturation of the Hill curve, in adstocked SEK per day.
    pub(crate) half_saturation: f64,
    /// Leads per day at saturation.
    pub(crate) max_leads: f64,
    /// Multiplier on the chance that this channel's deals are won.
    pub(crate) quality: f64,
    /// The kind of touchpoint that makes a lead.
    pub(crate) touch_kind: &'static str,
    /// The campaign a lead's touchpoint names.
    pub(crate) campaign: &'static str,
    /// Where the daily spend is reported.
    pub(crate) report: AdReport,
}

pub(crate) const CHANNELS: &[ChannelSpec] = &[
    ChannelSpec {
        channel: "paid_search",
        daily_budget: 2200.0,
        alpha: 0.3,
        half_saturation: 4000.0,
        max_leads: 3.2,
        quality: 1.0,
        touch_kind: "ad_click",
        campaign: "Sök | Generisk",
        report: AdReport::GoogleAds,
    },
    ChannelSpec {
        channel: "paid_social",
        daily_budget: 1500.0,
        alpha: 0.5,
        half_saturation: 3500.0,
        max_leads: 1.6,
        quality: 0.8,
        touch_kind: "ad_click",
        campaign: "ABM Norden",
        report: AdReport::LinkedInAndMeta,
    },
    ChannelSpec {
        channel: "email",
        daily_budget: 120.0,
        alpha: 0.2,
        half_saturation: 150.0,
        max_leads: 0.7,
        quality: 1.0,
        touch_kind: "email_click",
        campaign: "Nyhetsbrev",
        report: AdReport::BookedMonthly,
    },
    ChannelSpec {
        channel: "print",
        daily_budget: 250.0,
        alpha: 0.7,
        half_saturation: 1500.0,
        max_leads: 0.25,
        quality: 1.0,
        touch_kind: "other",
        campaign: "Annonser Ny Teknik",
        report: AdReport::BookedMonthly,
    },
];

/// Baseline leads per day that no spend buys.
pub(crate) const BASELINE: &[(&str, f64)] =
    &[("organic_search", 1.4), ("direct", 0.7), ("referral", 0.25)];

/// How the paid-search budget splits between the Google Ads campaigns: the brand campaign
/// takes this share, the generic campaign the rest.
pub(crate) const SEARCH_BRAND_SHARE: f64 = 0.35;
/// Google Ads campaigns (name, id): brand first, then generic.
pub(crate) const SEARCH_CAMPAIGNS: [(&str, &str); 2] =
    [("Sök | Varumärke", "11001"), ("Sök | Generisk", "11002")];
/// The share of the paid-social budget that goes to LinkedIn; Meta gets the rest.
pub(crate) const LINKEDIN_SHARE: f64 = 0.7;

/// An external shock: a competitor's campaign takes a quarter of the demand for six weeks in
/// the spring of the second year, from this month and day.
pub(crate) const SHOCK_START: (i8, i8) = (3, 20);
pub(crate) const SHOCK_DAYS: i64 = 42;
pub(crate) const SHOCK_DEMAND: f64 = 0.75;

/// A trade fair the company exhibits at every year.
#[derive(Debug)]
pub(crate) struct Fair {
    pub(crate) month: i8,
    pub(crate) day: i8,
    pub(crate) name: &'static str,
}

pub(crate) const FAIRS: &[Fair] = &[
    Fair {
        month: 3,
        day: 12,
        name: "Elmia Subcontractor vår",
    },
    Fair {
        month: 10,
        day: 8,
        name: "Underhållsmässan",
    },
];
/// A fair's cost: this much plus up to `FAIR_COST_SPREAD`.
pub(crate) const FAIR_COST: f64 = 220_000.0;
pub(crate) const FAIR_COST_SPREAD: f64 = 60_000.0;
/// Leads per day during a fair's first three days, then for the next two and a half weeks.
pub(crate) const FAIR_LEADS_PER_DAY: f64 = 14.0;
pub(crate) const FAIR_AFTERMATH_LEADS_PER_DAY: f64 = 0.8;

/// The monthly webinar: on this day of every month but July.
pub(crate) const WEBINAR_DAY: i8 = 15;
pub(crate) const WEBINAR_PAUSE_MONTH: i8 = 7;
/// A webinar's cost: this much plus up to `WEBINAR_COST_SPREAD`.
pub(crate) const WEBINAR_COST: f64 = 6_000.0;
pub(crate) const WEBINAR_COST_SPREAD: f64 = 2_000.0;
/// Leads a webinar brings on its day.
pub(crate) const WEBINAR_LEADS: f64 = 9.0;

/// A cost booked on the first of each month in the activity plan.
#[derive(Debug)]
pub(crate) struct MonthlyCost {
    pub(crate) channel: &'static str,
    pub(crate) kind: &'static str,
    /// Budget per month (SEK); the cost varies ±10 % around it.
    pub(crate) budget: f64,
    pub(crate) name: &'static str,
}

pub(crate) const MONTHLY_COSTS: &[MonthlyCost] = &[
    MonthlyCost {
        channel: "email",
        kind: "email",
        budget: 3_600.0,
        name: "Nyhetsbrev",
    },
    MonthlyCost {
        channel: "print",
        kind: "print",
        budget: 7_500.0,
        name: "Annonser Ny Teknik",
    },
    MonthlyCost {
        channel: "organic_search",
        kind: "content",
        budget: 12_000.0,
        name: "Innehåll och SEO",
    },
    MonthlyCost {
        channel: "pr",
        kind: "pr",
        budget: 5_000.0,
        name: "PR-byrå",
    },
];

/// A review is held this many days after the end of the quarter it follows up.
pub(crate) const REVIEW_DELAY_DAYS: i64 = 9;
/// A decision is followed up this many days after it was taken.
pub(crate) const FOLLOW_UP_DAYS: i64 = 70;
/// `more_content`: the content budget's multiplier from the first month after the decision.
pub(crate) const MORE_CONTENT_FACTOR: f64 = 1.6;

/// Company names are a prefix, a suffix and a number.
pub(crate) const ACCOUNT_PREFIXES: &[&str] = &[
    "Norr", "Väst", "Stål", "Berg", "Skog", "Sjö", "Fjäll", "Älv", "Ljus", "Kraft",
];
pub(crate) const ACCOUNT_SUFFIXES: &[&str] = &[
    "teknik",
    "industri",
    "verken",
    "gruppen",
    "system",
    "produkter",
];
/// The chance that a new lead works at a company already in the CRM.
pub(crate) const KNOWN_ACCOUNT_CHANCE: f64 = 0.35;

/// Channels of the earlier web session that half the leads had before the touch that made them.
pub(crate) const EARLIER_TOUCH_CHANNELS: &[&str] = &[
    "organic_search",
    "direct",
    "paid_social",
    "email",
    "referral",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Anna", "Erik", "Maja", "Johan", "Sara", "Lars", "Karin", "Per", "Eva", "Nils", "Ida", "Olof",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
];

/// The funnel's conversion rates.
pub(crate) const LEAD_TO_MQL: f64 = 0.5;
pub(crate) const MQL_TO_SQL: f64 = 0.55;
pub(crate) const SQL_TO_OPPORTUNITY: f64 = 0.6;
pub(crate) const WIN_RATE: f64 = 0.32;
/// Multiplier on the win rate of deals from events (fairs and webinars).
pub(crate) const EVENTS_QUALITY: f64 = 1.3;
/// The chance that sales books a deal as its own (outbound), whatever the contact's origin.
pub(crate) const OUTBOUND_CHANCE: f64 = 0.2;

/// HubSpot's "Original Source" for a channel; anything else is offline.
pub(crate) const HUBSPOT_SOURCES: &[(&str, &str)] = &[
    ("organic_search", "Organic Search"),
    ("paid_search", "Paid Search"),
    ("paid_social", "Paid Social"),
    ("email", "Email Marketing"),
    ("referral", "Referrals"),
    ("direct", "Direct Traffic"),
];
pub(crate) const HUBSPOT_OFFLINE_SOURCE: &str = "Offline Sources";

/// How GA4 records where a session came from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Traffic {
    /// No collected traffic source.
    Direct,
    /// A tagged source, medium and campaign; `gclid` if the click came from Google Ads.
    Tagged { campaign: &'static str, gclid: bool },
}

/// A source of web sessions.
#[derive(Debug)]
pub(crate) struct WebChannel {
    pub(crate) channel: &'static str,
    pub(crate) source: &'static str,
    pub(crate) medium: &'static str,
    /// Sessions per day at full season, before scaling.
    pub(crate) sessions_per_day: f64,
    /// Whether the sessions follow the saturation of the channel's adstocked spend.
    pub(crate) follows_spend: bool,
    pub(crate) traffic: Traffic,
}

pub(crate) const WEB_CHANNELS: &[WebChannel] = &[
    WebChannel {
        channel: "organic_search",
        source: "google",
        medium: "organic",
        sessions_per_day: 22.0,
        follows_spend: false,
        traffic: Traffic::Tagged {
            campaign: "(organic)",
            gclid: false,
        },
    },
    WebChannel {
        channel: "direct",
        source: "(direct)",
        medium: "(none)",
        sessions_per_day: 10.0,
        follows_spend: false,
        traffic: Traffic::Direct,
    },
    WebChannel {
        channel: "paid_search",
        source: "google",
        medium: "cpc",
        sessions_per_day: 9.0,
        follows_spend: true,
        traffic: Traffic::Tagged {
            campaign: "Sök | Generisk",
            gclid: true,
        },
    },
    WebChannel {
        channel: "paid_social",
        source: "linkedin",
        medium: "paid_social",
        sessions_per_day: 4.0,
        follows_spend: true,
        traffic: Traffic::Tagged {
            campaign: "ABM Norden",
            gclid: false,
        },
    },
    WebChannel {
        channel: "email",
        source: "newsletter",
        medium: "email",
        sessions_per_day: 2.0,
        follows_spend: false,
        traffic: Traffic::Tagged {
            campaign: "(organic)",
            gclid: false,
        },
    },
];
/// Clicks at saturation of the adstocked spend, as a multiple of the base rate.
pub(crate) const SPEND_DRIVEN_CLICKS: f64 = 2.5;
/// The chance that a web session ends in a lead form.
pub(crate) const WEB_CONVERSION_CHANCE: f64 = 0.03;
