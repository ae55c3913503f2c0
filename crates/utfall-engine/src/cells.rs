//! A batch's columns decoded once into plain values: text, seconds since the epoch, numbers.
//! Each column is cast as a whole (one Arrow kernel call a column and batch, not a call a
//! cell); a missing column reads as all nulls.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Date32Type, Float64Type, TimeUnit, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;

/// The column's cells as text (`None` for a null, an empty text or a missing column).
pub(crate) fn texts(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
    let rows = batch.num_rows();
    let Some(array) = batch.column_by_name(column) else {
        return vec![None; rows];
    };
    let Ok(cast) = arrow::compute::cast(array, &DataType::Utf8) else {
        return vec![None; rows];
    };
    let strings = cast.as_string::<i32>();
    (0..rows)
        .map(|row| {
            (strings.is_valid(row) && !strings.value(row).is_empty())
                .then(|| strings.value(row).to_string())
        })
        .collect()
}

/// The column's cells as seconds since the epoch, from timestamps (µs) or dates (`None` for a
/// null, another type or a missing column).
pub(crate) fn seconds(batch: &RecordBatch, column: &str) -> Vec<Option<i64>> {
    let rows = batch.num_rows();
    let Some(array) = batch.column_by_name(column) else {
        return vec![None; rows];
    };
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let values = array.as_primitive::<TimestampMicrosecondType>();
            (0..rows)
                .map(|row| values.is_valid(row).then(|| values.value(row) / 1_000_000))
                .collect()
        }
        DataType::Date32 => {
            let values = array.as_primitive::<Date32Type>();
            (0..rows)
                .map(|row| {
                    values
                        .is_valid(row)
                        .then(|| i64::from(values.value(row)) * 86_400)
                })
                .collect()
        }
        _ => vec![None; rows],
    }
}

/// The column's cells as numbers (`None` for a null, a value that is no number or a missing
/// column).
pub(crate) fn numbers(batch: &RecordBatch, column: &str) -> Vec<Option<f64>> {
    let rows = batch.num_rows();
    let Some(array) = batch.column_by_name(column) else {
        return vec![None; rows];
    };
    let Ok(cast) = arrow::compute::cast(array, &DataType::Float64) else {
        return vec![None; rows];
    };
    let values = cast.as_primitive::<Float64Type>();
    (0..rows)
        .map(|row| values.is_valid(row).then(|| values.value(row)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Date32Array, Int64Array, StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    fn batch() -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
            Field::new("at", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("day", DataType::Date32, true),
        ]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec![Some("a"), Some(""), None])),
                Arc::new(Int64Array::from(vec![Some(3), None, Some(-2)])),
                // 1.5 s, 86 400 s, null.
                Arc::new(TimestampMicrosecondArray::from(vec![
                    Some(1_500_000),
                    Some(86_400_000_000),
                    None,
                ])),
                // 1970-01-02, null, 1969-12-31.
                Arc::new(Date32Array::from(vec![Some(1), None, Some(-1)])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn columns_decode_with_nulls_empty_texts_and_missing_columns() {
        let batch = batch();
        assert_eq!(
            texts(&batch, "name"),
            vec![Some("a".to_string()), None, None]
        );
        assert_eq!(
            texts(&batch, "n"),
            vec![Some("3".to_string()), None, Some("-2".to_string())]
        );
        assert_eq!(numbers(&batch, "n"), vec![Some(3.0), None, Some(-2.0)]);
        // Whole seconds, truncated toward zero like the engine's other readers.
        assert_eq!(seconds(&batch, "at"), vec![Some(1), Some(86_400), None]);
        assert_eq!(
            seconds(&batch, "day"),
            vec![Some(86_400), None, Some(-86_400)]
        );
        assert_eq!(seconds(&batch, "name"), vec![None, None, None]);
        assert_eq!(texts(&batch, "absent"), vec![None, None, None]);
        assert_eq!(numbers(&batch, "name"), vec![None, None, None]);
    }
}
