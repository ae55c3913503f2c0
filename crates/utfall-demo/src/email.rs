//! The monthly newsletter, as Mailchimp's campaign report exports it.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::{Rng, Timeline, us_number};

const HEADER: &str = "Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft Bounces,Hard Bounces,Total Bounces,Times Forwarded,Forwarded Opens,Unique Opens,Open Rate,Total Opens,Unique Clicks,Click Rate,Total Clicks,Unsubscribes,Abuse Complaints,Times Liked on Facebook,Folder Id,Unique Id\n";

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The newsletter goes out on this day of the month.
const SEND_DAY: i8 = 6;

/// `exports/email/mailchimp.csv`: one send a month to a list that grows 1.5 % a month.
pub(crate) fn mailchimp(timeline: &Timeline, rng: &mut Rng) -> String {
    let mut csv = String::from(HEADER);
    let mut list: f64 = 4000.0;
    for &(year, month) in &timeline.months() {
        let Ok(date) = Date::new(year, month, SEND_DAY) else {
            continue;
        };
        if !timeline.contains(date) {
            continue;
        }
        list *= 1.015;
        write_send(&mut csv, date, list.round() as i64, rng);
    }
    csv
}

fn write_send(csv: &mut String, date: Date, sent: i64, rng: &mut Rng) {
    let (year, month) = (date.year(), date.month());
    let delivered = (sent as f64 * 0.98).round() as i64;
    let opens = (delivered as f64 * (0.28 + 0.04 * rng.uniform())).round() as i64;
    let clicks = (delivered as f64 * (0.035 + 0.015 * rng.uniform())).round() as i64;
    let bounces = sent - delivered;
    let soft = bounces / 2;
    let _ = writeln!(
        csv,
        "Nyhetsbrev {year}-{month:02},Nyheter från Nordkraft,Nyhetsbrev,\"{} 6, {year} 08:00 am\",{:?},\"{}\",{delivered},{soft},{},{bounces},0,0,{opens},{:.2}%,{},{clicks},{:.2}%,{},{},0,0,,nl{year}{month:02}",
        MONTH_NAMES[(month - 1) as usize],
        date.weekday(),
        us_number(sent as f64, 0),
        bounces - soft,
        100.0 * opens as f64 / delivered.max(1) as f64,
        opens + opens / 3,
        100.0 * clicks as f64 / delivered.max(1) as f64,
        clicks + clicks / 2,
        (delivered / 400).max(1),
    );
}
