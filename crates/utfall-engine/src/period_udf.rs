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

pub fn date_from_days(days: i32) -> Date {
    EPOCH.checked_add(i64::from(days).days()).unwrap_or(EPOCH)
}

impl PeriodUdf {
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

    fn label(&self, date: Date) -> String {
        Period::containing(date, self.grain, &self.calendar).to_string()
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
        match array.data_type() {
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                let values = array.as_primitive::<TimestampMicrosecondType>();
                // Rows come roughly in time order: remember the last local day and its label.
                let mut cached: Option<(i64, i64, String)> = None;
                for i in 0..values.len() {
                    if values.is_null(i) {
                        out.append_null();
                        continue;
                    }
                    let micros = values.value(i);
                    if let Some((start, end, label)) = &cached
                        && (*start..*end).contains(&micros)
                    {
                        out.append_value(label);
                        continue;
                    }
                    let Ok(timestamp) = Timestamp::from_microsecond(micros) else {
                        out.append_null();
                        continue;
                    };
                    let zoned = timestamp.to_zoned_datetime(self.zone.clone());
                    let date = zoned.date();
                    let label = self.label(date);
                    let day_start = zoned
                        .start_of_day()
                        .map_or(micros, |z| z.timestamp().as_microsecond());
                    let day_end = zoned
                        .start_of_day()
                        .and_then(|z| z.tomorrow())
                        .map_or(micros + 1, |z| z.timestamp().as_microsecond());
                    out.append_value(&label);
                    cached = Some((day_start, day_end, label));
                }
            }
            DataType::Date32 => {
                let values = array.as_primitive::<Date32Type>();
                for i in 0..values.len() {
                    if values.is_null(i) {
                        out.append_null();
                    } else {
                        out.append_value(self.label(date_from_days(values.value(i))));
                    }
                }
            }
            other => return exec_err!("utfall_period takes a timestamp or a date, not {other}"),
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
