//! `utfall_period(time)`: the label of the calendar period (`2026-Q3`, `FY2026`, `2026-W53`…)
//! that a timestamp or date falls in, in the workspace's time zone. Registered once; used to
//! group every KPI scan.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use arrow::datatypes::{DataType, Date32Type, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use utfall_model::period::{Calendar, Grain, Period};

/// The period of each row's time, as a label.
#[derive(Debug)]
pub struct PeriodUdf {
    name: String,
    grain: Grain,
    calendar: Calendar,
    zone_name: String,
    zone: TimeZone,
    signature: Signature,
}

impl PartialEq for PeriodUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.zone_name == other.zone_name
            && self.calendar == other.calendar
    }
}

impl Eq for PeriodUdf {}

impl Hash for PeriodUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.zone_name.hash(state);
    }
}

const EPOCH: Date = Date::constant(1970, 1, 1);

/// The local date of a UTC timestamp.
pub fn local_date(timestamp: Timestamp, zone: &TimeZone) -> Date {
    timestamp.to_zoned_datetime(zone.clone()).date()
}

/// The date of a number of days since 1970-01-01 (Arrow's `Date32`).
pub fn date_from_days(days: i32) -> Date {
    EPOCH.checked_add(i64::from(days).days()).unwrap_or(EPOCH)
}

/// Days since 1970-01-01 (Arrow's `Date32`).
pub fn days_since_epoch(date: Date) -> i32 {
    EPOCH.until(date).map(|s| s.get_days()).unwrap_or(0)
}

impl PeriodUdf {
    /// The period function of `grain` in `calendar`, in the time zone `zone` named `zone_name`.
    pub fn new(grain: Grain, calendar: Calendar, zone_name: &str, zone: TimeZone) -> PeriodUdf {
        PeriodUdf {
            name: format!("utfall_period_{}", grain.as_str()),
            grain,
            calendar,
            zone_name: zone_name.to_string(),
            zone,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for PeriodUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array: ArrayRef = match &args.args[0] {
            ColumnarValue::Array(array) => array.clone(),
            ColumnarValue::Scalar(scalar) => scalar.to_array_of_size(args.number_rows)?,
        };
        let mut out = StringBuilder::with_capacity(array.len(), array.len() * 8);
        // Rows come in any order but fall in few periods: keep every period met so far as a
        // sorted list of [start, end) ranges with its label, and find each value by binary search.
        let mut periods: Vec<(i64, i64, String)> = Vec::new();
        let find = |periods: &Vec<(i64, i64, String)>, x: i64| -> Option<usize> {
            let i = periods.partition_point(|p| p.1 <= x);
            (i < periods.len() && periods[i].0 <= x).then_some(i)
        };
        match array.data_type() {
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                let values = array.as_primitive::<TimestampMicrosecondType>();
                let midnight = |date: Date| -> Option<i64> {
                    self.zone
                        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
                        .ok()
                        .map(|t| t.as_microsecond())
                };
                for i in 0..values.len() {
                    if values.is_null(i) {
                        out.append_null();
                        continue;
                    }
                    let micros = values.value(i);
                    if let Some(k) = find(&periods, micros) {
                        out.append_value(&periods[k].2);
                        continue;
                    }
                    let Ok(timestamp) = Timestamp::from_microsecond(micros) else {
                        out.append_null();
                        continue;
                    };
                    let date = timestamp.to_zoned_datetime(self.zone.clone()).date();
                    let period = Period::containing(date, self.grain, &self.calendar);
                    let label = period.to_string();
                    out.append_value(&label);
                    if let (Some(start), Some(end)) = (
                        midnight(period.start(&self.calendar)),
                        midnight(period.end_exclusive(&self.calendar)),
                    ) && start <= micros
                        && micros < end
                    {
                        let at = periods.partition_point(|p| p.1 <= start);
                        periods.insert(at, (start, end, label));
                    }
                }
            }
            DataType::Date32 => {
                let values = array.as_primitive::<Date32Type>();
                for i in 0..values.len() {
                    if values.is_null(i) {
                        out.append_null();
                        continue;
                    }
                    let day = i64::from(values.value(i));
                    if let Some(k) = find(&periods, day) {
                        out.append_value(&periods[k].2);
                        continue;
                    }
                    let date = date_from_days(values.value(i));
                    let period = Period::containing(date, self.grain, &self.calendar);
                    let label = period.to_string();
                    out.append_value(&label);
                    let start = i64::from(days_since_epoch(period.start(&self.calendar)));
                    let end = i64::from(days_since_epoch(period.end_exclusive(&self.calendar)));
                    if start <= day && day < end {
                        let at = periods.partition_point(|p| p.1 <= start);
                        periods.insert(at, (start, end, label));
                    }
                }
            }
            other => return exec_err!("utfall_period takes a timestamp or a date, not {other}"),
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
