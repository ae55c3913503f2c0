//! Swedish public holidays 1995–2044, embedded (`data/holidays_se.csv`, see `data/README.md`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::Date;

/// Every Swedish public holiday with its English name.
pub fn swedish() -> &'static BTreeMap<Date, &'static str> {
    static HOLIDAYS: OnceLock<BTreeMap<Date, &'static str>> = OnceLock::new();
    HOLIDAYS.get_or_init(|| {
        include_str!("../data/holidays_se.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut fields = line.split(',');
                let date = fields.next()?.trim_matches('"').parse().ok()?;
                let name = fields.next()?.trim_matches('"');
                Some((date, name))
            })
            .collect()
    })
}

/// How many holidays fall in `[from, from + days)`.
pub fn count_in(from: Date, days: i64) -> usize {
    let Ok(to) = from.checked_add(jiff::Span::new().days(days)) else {
        return 0;
    };
    swedish().range(from..to).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midsummer_and_christmas_are_there() {
        let h = swedish();
        assert_eq!(h[&jiff::civil::date(2026, 6, 19)], "Midsummer Eve");
        assert!(h.contains_key(&jiff::civil::date(2026, 12, 25)));
        // Week 52 of 2026 (Mon 21 Dec – Sun 27 Dec): Christmas Eve, Christmas Day, Boxing Day
        assert_eq!(count_in(jiff::civil::date(2026, 12, 21), 7), 3);
    }
}
