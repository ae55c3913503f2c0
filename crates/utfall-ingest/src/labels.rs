//! The header labels each preset knows, per target column, in order of preference: the
//! vendors' UI labels in English, Swedish and other languages their exports are seen in, and
//! their API field names. Labels are compared after [`crate::preset::normalise`]: lower case,
//! `_` read as a space, a trailing `(SEK)` taken as the column's currency.

use utfall_model::kinds::Preset;

/// (target column, labels, required)
pub type Labels = (&'static str, &'static [&'static str], bool);

/// The labels of HubSpot's contacts (export labels and CRM v3 property names).
pub const HUBSPOT_CONTACTS: &[Labels] = &[
    (
        "person_id",
        &[
            "record id - contact",
            "record id",
            "contact id",
            "contact record id",
            "post-id - kontakt",
            "post-id",
            "kontakt-id",
            "hs object id",
            "vid",
            "id",
            "canonical-vid",
        ],
        true,
    ),
    (
        "account_id",
        &[
            "associated company id",
            "associated company ids",
            "associated company ids (primary)",
            "record id - company",
            "company id",
            "associerat företags-id",
            "post-id - företag",
            "företags-id",
            "associatedcompanyid",
            "associations.companies",
            "companies",
        ],
        false,
    ),
    (
        "email",
        &["email", "e-post", "e-postadress", "email address", "e-mail"],
        false,
    ),
    (
        "created_at",
        &[
            "create date",
            "createdate",
            "skapat datum",
            "skapandedatum",
            "created at",
            "createdat",
            "create date - contact",
        ],
        true,
    ),
    (
        "became_lead_at",
        &[
            "became a lead date",
            "hs lifecyclestage lead date",
            "blev ett lead datum",
            "datum blev lead",
            "date entered \"lead (lifecycle stage pipeline)\"",
        ],
        false,
    ),
    (
        "became_mql_at",
        &[
            "became a marketing qualified lead date",
            "hs lifecyclestage marketingqualifiedlead date",
            "blev ett marknadskvalificerat lead datum",
            "datum blev mql",
            "date entered \"marketing qualified lead (lifecycle stage pipeline)\"",
        ],
        false,
    ),
    (
        "became_sql_at",
        &[
            "became a sales qualified lead date",
            "hs lifecyclestage salesqualifiedlead date",
            "blev ett säljkvalificerat lead datum",
            "datum blev sql",
            "date entered \"sales qualified lead (lifecycle stage pipeline)\"",
        ],
        false,
    ),
    (
        "became_opportunity_at",
        &[
            "became an opportunity date",
            "hs lifecyclestage opportunity date",
            "blev en affärsmöjlighet datum",
            "datum blev affärsmöjlighet",
            "date entered \"opportunity (lifecycle stage pipeline)\"",
        ],
        false,
    ),
    (
        "became_customer_at",
        &[
            "became a customer date",
            "hs lifecyclestage customer date",
            "blev en kund datum",
            "datum blev kund",
            "date entered \"customer (lifecycle stage pipeline)\"",
        ],
        false,
    ),
    (
        "original_source",
        &[
            "original source",
            "original traffic source",
            "hs analytics source",
            "ursprunglig källa",
            "originalkälla",
            "original source type",
        ],
        false,
    ),
    (
        "latest_source",
        &[
            "latest source",
            "latest traffic source",
            "hs latest source",
            "senaste källa",
        ],
        false,
    ),
];

/// The labels of HubSpot's companies.
pub const HUBSPOT_COMPANIES: &[Labels] = &[
    (
        "account_id",
        &[
            "record id - company",
            "record id",
            "company id",
            "post-id - företag",
            "post-id",
            "företags-id",
            "hs object id",
            "id",
        ],
        true,
    ),
    (
        "name",
        &["company name", "name", "företagsnamn", "namn", "company"],
        true,
    ),
    (
        "domain",
        &[
            "company domain name",
            "domain",
            "webbplatsens domän",
            "domän",
            "domännamn",
            "website url",
            "website",
        ],
        false,
    ),
    ("industry", &["industry", "bransch"], false),
    (
        "country",
        &["country/region", "country", "land/region", "land"],
        false,
    ),
    (
        "employees",
        &[
            "number of employees",
            "numberofemployees",
            "antal anställda",
            "employees",
        ],
        false,
    ),
];

/// The labels of HubSpot's deals.
pub const HUBSPOT_DEALS: &[Labels] = &[
    (
        "deal_id",
        &[
            "record id - deal",
            "record id",
            "deal id",
            "post-id - affär",
            "post-id",
            "affärs-id",
            "hs object id",
            "id",
            "dealid",
        ],
        true,
    ),
    (
        "account_id",
        &[
            "associated company id",
            "associated company ids",
            "associated company ids (primary)",
            "record id - company",
            "company id",
            "associerat företags-id",
            "företags-id",
            "associations.companies",
            "companies",
            "associations.associatedcompanyids",
        ],
        false,
    ),
    (
        "primary_person_id",
        &[
            "associated contact id",
            "contact id",
            "associerat kontakt-id",
            "kontakt-id",
        ],
        false,
    ),
    (
        "contact_ids",
        &[
            "associated contact ids",
            "associated contact ids (primary)",
            "record id - contact",
            "associations.contacts",
            "contacts",
            "associerade kontakt-id:n",
            "associerade kontakt-id",
            "associations.associatedvids",
        ],
        false,
    ),
    (
        "created_at",
        &[
            "create date",
            "createdate",
            "skapat datum",
            "skapandedatum",
            "createdat",
            "created at",
        ],
        true,
    ),
    (
        "closed_at",
        &[
            "close date",
            "closedate",
            "closed date",
            "stängningsdatum",
            "slutdatum",
        ],
        false,
    ),
    (
        "stage",
        &[
            "deal stage",
            "dealstage",
            "stage",
            "affärsstadium",
            "affärsfas",
        ],
        true,
    ),
    (
        "amount",
        &[
            "amount",
            "belopp",
            "amount in company currency",
            "belopp i företagets valuta",
            "amount in home currency",
        ],
        false,
    ),
    (
        "currency",
        &["currency", "deal currency code", "valuta"],
        false,
    ),
    ("pipeline", &["pipeline"], false),
    (
        "source",
        &[
            "original source",
            "original traffic source",
            "deal source",
            "hs analytics source",
            "ursprunglig källa",
            "källa",
        ],
        false,
    ),
    (
        "campaign_id",
        &["campaign", "hs campaign", "kampanj"],
        false,
    ),
    (
        "owner",
        &["deal owner", "hubspot owner id", "affärsägare", "ägare"],
        false,
    ),
    (
        "is_won",
        &["is closed won", "hs is closed won", "är stängd vunnen"],
        false,
    ),
    (
        "is_closed",
        &[
            "is closed",
            "hs is closed",
            "är stängd",
            "is deal closed?",
            "is deal closed",
        ],
        false,
    ),
    ("probability", &["deal probability", "probability"], false),
];

/// The labels of Google Ads' campaign reports and API fields.
pub const GOOGLE_ADS: &[Labels] = &[
    (
        "date",
        &[
            "day",
            "date",
            "segments.date",
            "dag",
            "datum",
            "tag",
            "jour",
            "día",
            "dia",
            "giorno",
        ],
        true,
    ),
    (
        "campaign_name",
        &[
            "campaign",
            "campaign name",
            "campaign.name",
            "kampanj",
            "kampanjnamn",
            "kampagne",
            "campagne",
            "campaña",
            "campagna",
        ],
        true,
    ),
    (
        "campaign_id",
        &["campaign id", "campaign.id", "kampanj-id", "kampagnen-id"],
        false,
    ),
    (
        "cost",
        &[
            "cost", "kostnad", "kosten", "coût", "coste", "costo", "spend",
        ],
        false,
    ),
    (
        "cost_micros",
        &["metrics.cost micros", "cost micros", "metrics.costmicros"],
        false,
    ),
    (
        "currency",
        &[
            "currency code",
            "currency",
            "customer.currency code",
            "customer.currencycode",
            "valutakod",
            "valuta",
            "währungscode",
            "währung",
            "code de la devise",
            "devise",
        ],
        false,
    ),
    (
        "impressions",
        &[
            "impr.",
            "impressions",
            "metrics.impressions",
            "visn.",
            "visningar",
            "impr",
            "impressionen",
            "impressões",
        ],
        false,
    ),
    (
        "clicks",
        &[
            "clicks",
            "metrics.clicks",
            "klick",
            "klicks",
            "clics",
            "clic",
        ],
        false,
    ),
    (
        "platform_conversions",
        &[
            "conversions",
            "metrics.conversions",
            "konverteringar",
            "konv.",
            "conv.",
            "conversiones",
        ],
        false,
    ),
];

/// The labels of Meta Ads Manager's exports and Insights API fields.
pub const META_ADS: &[Labels] = &[
    (
        "date",
        &[
            "reporting starts",
            "day",
            "date start",
            "date",
            "rapporteringen startar",
            "rapportering startar",
            "dag",
            "berichtsbeginn",
            "début des rapports",
            "inicio del informe",
            "berichtsstart",
            "início dos relatórios",
            "día",
            "tag",
            "jour",
        ],
        true,
    ),
    (
        "date_end",
        &[
            "reporting ends",
            "date stop",
            "rapporteringen slutar",
            "rapportering slutar",
            "berichtsende",
            "fin des rapports",
            "fin del informe",
            "término dos relatórios",
        ],
        false,
    ),
    (
        "campaign_name",
        &[
            "campaign name",
            "campaign",
            "kampanjnamn",
            "kampagnenname",
            "nom de la campagne",
            "nombre de la campaña",
            "name der kampagne",
            "nome da campanha",
        ],
        true,
    ),
    (
        "campaign_id",
        &["campaign id", "kampanj-id", "kampagnen-id"],
        false,
    ),
    (
        "cost",
        &[
            "amount spent",
            "spend",
            "spenderat belopp",
            "använt belopp",
            "spent",
            "ausgegebener betrag",
            "montant dépensé",
            "importe gastado",
            "valor usado",
        ],
        true,
    ),
    (
        "currency",
        &[
            "currency",
            "account currency",
            "valuta",
            "währung",
            "devise",
        ],
        false,
    ),
    (
        "impressions",
        &[
            "impressions",
            "visningar",
            "impressionen",
            "impresiones",
            "impressões",
        ],
        false,
    ),
    (
        "clicks",
        &[
            "link clicks",
            "inline link clicks",
            "clicks (all)",
            "clicks",
            "länkklick",
            "klick (alla)",
            "link-klicks",
            "clics sur un lien",
            "clics en el enlace",
            "cliques no link",
            "klicks (alle)",
            "clics (todos)",
        ],
        false,
    ),
    (
        "platform_conversions",
        &[
            "results",
            "resultat",
            "actions.lead",
            "actions.offsite conversion.fb pixel lead",
            "actions.onsite conversion.lead grouped",
            "leads",
            "ergebnisse",
            "résultats",
            "resultados",
        ],
        false,
    ),
    (
        "result_indicator",
        &[
            "result indicator",
            "resultatindikator",
            "ergebnisindikator",
            "indicateur de résultat",
            "indicador de resultado",
            "indicador de resultados",
        ],
        false,
    ),
];

/// The labels of LinkedIn Campaign Manager's exports and adAnalytics API fields.
pub const LINKEDIN_ADS: &[Labels] = &[
    (
        "date",
        &[
            "start date (in utc)",
            "date",
            "start date",
            "startdatum (i utc)",
            "datum",
            "daterange.start",
            "day",
            "begindatum (in utc)",
        ],
        true,
    ),
    (
        "date_end",
        &[
            "end date (in utc)",
            "end date",
            "slutdatum (i utc)",
            "daterange.end",
            "einddatum (in utc)",
        ],
        false,
    ),
    (
        "campaign_name",
        &[
            "ad set name",
            "naam van advertentieset",
            "campaign name",
            "campaign",
            "kampanjnamn",
            "campagnenaam",
        ],
        false,
    ),
    (
        "campaign_id",
        &[
            "ad set id",
            "advertentieset-id",
            "campaign id",
            "kampanj-id",
            "pivotvalues",
            "pivotvalue",
            "campaign",
            "campagne-id",
        ],
        false,
    ),
    (
        "cost",
        &[
            "total spent",
            "amount spent",
            "costinlocalcurrency",
            "costinusd",
            "spent",
            "totalt spenderat",
            "cost",
            "totaal besteed",
        ],
        true,
    ),
    ("currency", &["currency", "valuta"], false),
    (
        "impressions",
        &["impressions", "visningar", "weergaven", "vertoningen"],
        false,
    ),
    ("clicks", &["clicks", "klick", "klikken"], false),
    (
        "platform_conversions",
        &[
            "conversions",
            "externalwebsiteconversions",
            "konverteringar",
            "conversies",
        ],
        false,
    ),
];

/// The labels of Mailchimp's campaign report export.
pub const MAILCHIMP: &[Labels] = &[
    (
        "send_id",
        &["unique id", "campaign id", "id", "web id"],
        false,
    ),
    (
        "sent_at",
        &[
            "send date",
            "send time",
            "sent",
            "sent at",
            "skickat",
            "delivery date/time",
        ],
        true,
    ),
    (
        "name",
        &[
            "title",
            "campaign title",
            "campaign name",
            "subject",
            "subject line",
        ],
        true,
    ),
    (
        "n_sent",
        &[
            "total recipients",
            "emails sent",
            "recipients",
            "recipient count",
        ],
        false,
    ),
    (
        "n_delivered",
        &["successful deliveries", "delivered"],
        false,
    ),
    (
        "n_opens_unique",
        &[
            "recipients who opened",
            "opens.unique opens",
            "unique opens",
            "opens",
        ],
        false,
    ),
    (
        "n_clicks_unique",
        &[
            "recipients who clicked",
            "clicks.unique subscriber clicks",
            "unique clicks",
            "unique subscriber clicks",
            "subscriber clicks",
            "clicks",
        ],
        false,
    ),
    (
        "n_unsubscribes",
        &["unsubscribes", "unsubscribed", "total unsubs"],
        false,
    ),
    ("n_bounces", &["total bounces", "bounces"], false),
    (
        "bounces_hard",
        &["hard bounces", "bounces.hard bounces"],
        false,
    ),
    (
        "bounces_soft",
        &["soft bounces", "bounces.soft bounces"],
        false,
    ),
    ("bounces_syntax", &["bounces.syntax errors"], false),
];

/// The labels of HubSpot's marketing e-mail export.
pub const HUBSPOT_EMAIL: &[Labels] = &[
    (
        "send_id",
        &["email id", "id", "record id", "e-post-id"],
        true,
    ),
    (
        "sent_at",
        &[
            "send date",
            "publish date",
            "sent at",
            "skickat datum",
            "publiceringsdatum",
            "publishdate",
        ],
        true,
    ),
    (
        "name",
        &["email name", "name", "subject", "e-postnamn", "namn"],
        true,
    ),
    (
        "n_sent",
        &["sent", "skickade", "stats.counters.sent"],
        false,
    ),
    (
        "n_delivered",
        &["delivered", "levererade", "stats.counters.delivered"],
        false,
    ),
    (
        "n_opens_unique",
        &["opened", "unique opens", "öppnade", "stats.counters.open"],
        false,
    ),
    (
        "n_clicks_unique",
        &[
            "clicked",
            "unique clicks",
            "klickade",
            "stats.counters.click",
        ],
        false,
    ),
    (
        "n_unsubscribes",
        &[
            "unsubscribed",
            "avregistrerade",
            "stats.counters.unsubscribed",
        ],
        false,
    ),
    (
        "n_bounces",
        &["bounced", "studsade", "stats.counters.bounce"],
        false,
    ),
];

/// The labels of the activity plan (a spreadsheet of activities and their costs).
pub const ACTIVITIES: &[Labels] = &[
    (
        "activity_id",
        &[
            "activity id",
            "id",
            "aktivitets-id",
            "aktivitet-id",
            "campaignid",
            "campaign id",
            "kampanj-id",
            "kampanjid",
        ],
        true,
    ),
    (
        "name",
        &[
            "name",
            "activity",
            "namn",
            "aktivitet",
            "campaign name",
            "kampanjnamn",
            "campaign",
            "kampanj",
            "title",
        ],
        true,
    ),
    (
        "kind",
        &[
            "kind",
            "type",
            "typ",
            "slag",
            "activity type",
            "campaign type",
            "aktivitetstyp",
            "kampanjtyp",
        ],
        true,
    ),
    (
        "channel",
        &["channel", "kanal", "platform", "plattform", "medium"],
        true,
    ),
    (
        "start_date",
        &[
            "start date",
            "start",
            "startdatum",
            "från",
            "from",
            "launch date",
            "date",
            "datum",
        ],
        true,
    ),
    (
        "end_date",
        &["end date", "end", "slutdatum", "slut", "till", "to"],
        false,
    ),
    (
        "budget",
        &["budget", "planned budget", "planerad budget"],
        false,
    ),
    (
        "cost",
        &[
            "cost",
            "actual cost",
            "kostnad",
            "utfall",
            "faktisk kostnad",
            "spend",
            "actual spend",
        ],
        false,
    ),
    ("currency", &["currency", "valuta"], false),
    (
        "owner",
        &["owner", "ansvarig", "ägare", "responsible"],
        false,
    ),
    ("department", &["department", "avdelning"], false),
    ("utm_campaign", &["utm campaign", "utm-kampanj"], false),
    (
        "parent_id",
        &["parent id", "parent", "förälder", "huvudaktivitet"],
        false,
    ),
];

/// The labels of Salesforce's opportunities (reports and REST query fields).
pub const SALESFORCE_OPPORTUNITIES: &[Labels] = &[
    (
        "deal_id",
        &[
            "opportunity id",
            "id",
            "opportunity id (18)",
            "affärsmöjlighets-id",
            "opportunity id (15)",
        ],
        false,
    ),
    (
        "opportunity_name",
        &["opportunity name", "name", "affärsmöjlighetens namn"],
        false,
    ),
    (
        "account_id",
        &["account id", "accountid", "konto-id", "account.id"],
        false,
    ),
    ("account_name", &["account name", "kontonamn"], false),
    (
        "primary_person_id",
        &[
            "contact id",
            "contactid",
            "kontakt-id",
            "opportunitycontactroles.records.primary.contactid",
            "opportunitycontactroles.primary.contactid",
        ],
        false,
    ),
    (
        "created_at",
        &["created date", "createddate", "skapat datum", "create date"],
        true,
    ),
    (
        "closed_at",
        &["close date", "closedate", "stängningsdatum"],
        false,
    ),
    (
        "stage",
        &["stage", "stagename", "fas", "stadium", "opportunity stage"],
        true,
    ),
    ("amount", &["amount", "belopp"], false),
    (
        "currency",
        &[
            "opportunity currency",
            "amount currency",
            "currencyisocode",
            "valuta",
            "currency",
        ],
        false,
    ),
    (
        "pipeline",
        &["opportunity record type", "recordtype.name", "posttyp"],
        false,
    ),
    ("source", &["lead source", "leadsource", "leadkälla"], false),
    (
        "campaign_id",
        &[
            "primary campaign source",
            "campaignid",
            "campaign.name",
            "primär kampanjkälla",
        ],
        false,
    ),
    (
        "owner",
        &[
            "opportunity owner",
            "owner.name",
            "ownerid",
            "affärsmöjlighetsägare",
        ],
        false,
    ),
    ("is_won", &["won", "iswon", "vunnen"], false),
    ("is_closed", &["closed", "isclosed", "stängd"], false),
];

/// The labels of Salesforce's leads.
pub const SALESFORCE_LEADS: &[Labels] = &[
    ("person_id", &["lead id", "id", "lead-id"], false),
    (
        "converted_contact_id",
        &[
            "converted contact id",
            "convertedcontactid",
            "konverterat kontakt-id",
        ],
        false,
    ),
    (
        "account_id",
        &[
            "converted account id",
            "convertedaccountid",
            "konverterat konto-id",
        ],
        false,
    ),
    ("first_name", &["first name", "firstname", "förnamn"], false),
    ("last_name", &["last name", "lastname", "efternamn"], false),
    (
        "company",
        &["company / account", "company", "företag"],
        false,
    ),
    ("email", &["email", "e-post", "e-postadress"], false),
    (
        "created_at",
        &["create date", "created date", "createddate", "skapat datum"],
        true,
    ),
    (
        "became_mql_at",
        &["mql date", "mql date c", "mql-datum"],
        false,
    ),
    (
        "became_sql_at",
        &["sql date", "sql date c", "sql-datum"],
        false,
    ),
    (
        "became_opportunity_at",
        &["converted date", "converteddate", "konverteringsdatum"],
        false,
    ),
    (
        "original_source",
        &["lead source", "leadsource", "leadkälla"],
        false,
    ),
];

/// The labels of Salesforce's campaign members.
pub const SALESFORCE_CAMPAIGN_MEMBERS: &[Labels] = &[
    (
        "contact_id",
        &["contact id", "contactid", "kontakt-id"],
        false,
    ),
    ("lead_id", &["lead id", "leadid", "lead-id"], false),
    (
        "campaign",
        &[
            "campaign name",
            "campaign.name",
            "kampanjnamn",
            "campaign",
            "campaignid",
            "campaign id",
        ],
        true,
    ),
    (
        "campaign_type",
        &["campaign type", "campaign.type", "kampanjtyp"],
        false,
    ),
    (
        "responded_at",
        &[
            "first responded date",
            "firstrespondeddate",
            "första svarsdatum",
        ],
        false,
    ),
    (
        "created_at",
        &[
            "created date",
            "createddate",
            "member created date",
            "skapat datum",
        ],
        true,
    ),
];

/// The labels of Pipedrive's deals.
pub const PIPEDRIVE_DEALS: &[Labels] = &[
    ("deal_id", &["deal - id", "id", "affär - id"], true),
    (
        "account_id",
        &[
            "deal - organization id",
            "organization - id",
            "org id",
            "deal - organization",
            "affär - organisation",
        ],
        false,
    ),
    (
        "primary_person_id",
        &[
            "deal - contact person id",
            "person - id",
            "person id",
            "deal - contact person",
            "affär - kontaktperson",
        ],
        false,
    ),
    (
        "created_at",
        &[
            "deal - deal created",
            "add time",
            "deal created",
            "affär - affär skapad",
        ],
        true,
    ),
    (
        "closed_at",
        &[
            "deal - deal closed on",
            "close time",
            "deal closed on",
            "affär - affär stängd den",
        ],
        false,
    ),
    (
        "won_at",
        &["deal - won time", "won time", "affär - vunnen tid"],
        false,
    ),
    (
        "lost_at",
        &["deal - lost time", "lost time", "affär - förlorad tid"],
        false,
    ),
    (
        "status",
        &["deal - status", "status", "affär - status"],
        true,
    ),
    (
        "stage",
        &["deal - stage", "stage id", "stage", "affär - steg"],
        false,
    ),
    ("amount", &["deal - value", "value", "affär - värde"], false),
    (
        "currency",
        &[
            "deal - currency",
            "currency",
            "affär - valuta",
            "deal - currency of value",
        ],
        false,
    ),
    (
        "pipeline",
        &[
            "deal - pipeline",
            "pipeline id",
            "pipeline",
            "affär - pipeline",
        ],
        false,
    ),
    (
        "source",
        &[
            "deal - source channel",
            "origin",
            "channel",
            "deal - source origin",
        ],
        false,
    ),
    (
        "owner",
        &[
            "deal - owner",
            "user id",
            "owner name",
            "affär - ägare",
            "creator user id",
        ],
        false,
    ),
];

/// The labels of form submissions with the GA client id.
pub const FORM_SUBMISSIONS: &[Labels] = &[
    (
        "person_id",
        &[
            "contact id",
            "record id",
            "kontakt-id",
            "hs object id",
            "person id",
            "lead id",
        ],
        true,
    ),
    (
        "anonymous_id",
        &[
            "ga client id",
            "google analytics client id",
            "client id",
            "ga",
            "anonymous id",
            "user pseudo id",
        ],
        true,
    ),
    (
        "linked_at",
        &[
            "conversion date",
            "submitted at",
            "submission date",
            "konverteringsdatum",
            "inskickad",
            "timestamp",
            "submit date (utc)",
            "submit date",
        ],
        true,
    ),
];

/// The labels of survey answers in the long format (one answer a row).
pub const SURVEY: &[Labels] = &[
    ("survey_id", &["survey id", "survey", "undersökning"], true),
    ("wave", &["wave", "våg", "omgång"], false),
    (
        "response_time",
        &[
            "response time",
            "responded at",
            "svarstid",
            "datum",
            "submitted at",
            "timestamp",
            "date",
        ],
        true,
    ),
    (
        "respondent_id",
        &[
            "respondent id",
            "respondent",
            "respondent-id",
            "svarande",
            "response id",
        ],
        true,
    ),
    ("weight", &["weight", "vikt"], false),
    ("question", &["question", "fråga"], true),
    ("brand", &["brand", "varumärke"], false),
    (
        "answer_numeric",
        &["answer numeric", "value", "svar (tal)", "värde", "score"],
        false,
    ),
    (
        "answer_text",
        &["answer text", "answer", "svar", "svar (text)"],
        false,
    ),
];

/// The labels and main table of a preset (`None` for presets not read by labels).
pub fn of(preset: Preset) -> Option<(&'static [Labels], &'static str)> {
    Some(match preset {
        Preset::HubspotContacts => (HUBSPOT_CONTACTS, "contacts"),
        Preset::HubspotCompanies => (HUBSPOT_COMPANIES, "accounts"),
        Preset::HubspotDeals => (HUBSPOT_DEALS, "deals"),
        Preset::GoogleAds => (GOOGLE_ADS, "spend"),
        Preset::MetaAds => (META_ADS, "spend"),
        Preset::LinkedinAds => (LINKEDIN_ADS, "spend"),
        Preset::Activities => (ACTIVITIES, "activities"),
        Preset::Survey => (SURVEY, "survey_responses"),
        Preset::Mailchimp => (MAILCHIMP, "email_sends"),
        Preset::HubspotEmail => (HUBSPOT_EMAIL, "email_sends"),
        Preset::SalesforceOpportunities => (SALESFORCE_OPPORTUNITIES, "deals"),
        Preset::SalesforceLeads => (SALESFORCE_LEADS, "contacts"),
        Preset::SalesforceCampaignMembers => (SALESFORCE_CAMPAIGN_MEMBERS, "touchpoints"),
        Preset::PipedriveDeals => (PIPEDRIVE_DEALS, "deals"),
        Preset::FormSubmissions => (FORM_SUBMISSIONS, "identities"),
        // Read by their own readers (events, reports, rates) or by the mapping.
        Preset::Ga4Bigquery | Preset::Ga4DataApi | Preset::FxRates | Preset::Generic => {
            return None;
        }
    })
}

/// How to get a column into the export, in the vendor's own words, when a required one is
/// missing.
pub fn how_to_add(preset: Preset, target: &str) -> Option<&'static str> {
    Some(match (preset, target) {
        (Preset::GoogleAds, "date") => {
            "in Google Ads, open Campaigns, choose Segment → Time → Day, pick the date range and download again (or add the `Day` column in a report under Reports)"
        }
        (Preset::GoogleAds, "campaign_name") => "add the `Campaign` column to the report",
        (Preset::MetaAds, "date") => {
            "in Ads Manager, choose Reports → Breakdown → By time → Day before Export, so that each row has `Reporting starts`"
        }
        (Preset::MetaAds, "cost") => "add `Amount spent` under Columns → Customize columns",
        (Preset::MetaAds, "campaign_name") => {
            "export at the campaign, ad set or ad level with the `Campaign name` column"
        }
        (Preset::LinkedinAds, "date") => {
            "in Campaign Manager, choose Export → Campaign performance with Time breakdown: Daily"
        }
        (Preset::LinkedinAds, "campaign_id") | (Preset::LinkedinAds, "campaign_name") => {
            "request adAnalytics with `pivot=CAMPAIGN` (`pivots=List(CAMPAIGN)`), or export Campaign performance from Campaign Manager"
        }
        (Preset::HubspotDeals, "stage") => {
            "add the `Deal Stage` column to the export (API: request `properties=dealstage,amount,closedate,pipeline`)"
        }
        (Preset::HubspotDeals, "created_at") => "add the `Create Date` column to the export",
        (Preset::HubspotContacts, "created_at") => "add the `Create Date` column to the export",
        (Preset::HubspotCompanies, "name") => {
            "add the `Company name` column to the export (API: request `properties=name,domain,industry,country`)"
        }
        (
            Preset::HubspotContacts | Preset::HubspotCompanies | Preset::HubspotDeals,
            "person_id" | "account_id" | "deal_id",
        ) => "export from HubSpot with `Record ID` (it is in every export unless removed)",
        (Preset::SalesforceOpportunities, "stage") => "add the `Stage` column to the report",
        (Preset::SalesforceOpportunities, "created_at") => {
            "add the `Created Date` column to the report"
        }
        (Preset::SalesforceLeads, "created_at") => "add the `Create Date` column to the report",
        (Preset::PipedriveDeals, "status") => "export deals with the `Deal - Status` column",
        (Preset::Mailchimp, "sent_at") => "export the campaign report with `Send Date`",
        (Preset::Survey, _) => {
            "export the responses in the tool's default CSV layout (Qualtrics: Data & Analysis → Export → CSV with choice text; SurveyMonkey: Analyze → Save as → All individual responses, CSV)"
        }
        (Preset::Activities, _) => {
            "give the plan a header row with an id, name, kind, channel and start date column (see `docs/import.md`)"
        }
        _ => return None,
    })
}
