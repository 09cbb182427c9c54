//! Study samples as Apache Parquet (`samples.parquet`), beside `samples.csv` with the same
//! columns: `sample` (UInt64), `status` (`ok` / `failed`), one Float64 column per parameter
//! in the study's units, one nullable Float64 column per metric (null when the sample
//! failed), and `error` (null when it did not). Written batch by batch, in row groups of at
//! most [`ROW_GROUP`] rows, so memory stays bounded; the file appears only when complete.
//!
//! Written with the `parquet` crate's column writers rather than through Arrow arrays, whose
//! crates took two fifths of a clean release build's compile time for four kinds of flat
//! column. The schema is the one Arrow's writer derives for these columns (`INT64
//! (INTEGER(64,false))`, `BYTE_ARRAY (STRING)`, `DOUBLE`; required, or optional where null
//! is possible, root `arrow_schema`), so readers see the same types; the only difference
//! is the `ARROW:schema` footer entry it no longer writes, which readers rebuild from these
//! types. Uncompressed, as before.

use std::sync::Arc;

use calx_study::{SampleRow, StudyDef};
use parquet::basic::{LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DataType, DoubleType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::types::Type;

use crate::files::AtomicFile;
use crate::study_manifest::{FileRecord, Recorded};

/// Rows per Parquet row group (what the writer buffers before it writes).
const ROW_GROUP: usize = 16_384;

/// Why `samples.parquet` could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SamplesError {
    /// Creating or committing the file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Encoding or writing the Parquet data.
    #[error(transparent)]
    Parquet(#[from] ParquetError),
}

/// A `samples.parquet` being written (its size and SHA-256 recorded as it goes, for a
/// shard's manifest).
pub(crate) struct ParquetSamples {
    writer: SerializedFileWriter<Recorded<AtomicFile>>,
    /// The row group being filled.
    rows: Rows,
}

/// The rows of one row group, column by column, as the column writers take them.
struct Rows {
    sample: Vec<i64>,
    status: Vec<ByteArray>,
    parameters: Vec<Vec<f64>>,
    metrics: Vec<Nullable<f64>>,
    error: Nullable<ByteArray>,
}

/// An optional column: the values that are not null, and one definition level per row
/// (1: a value, 0: null).
struct Nullable<T> {
    values: Vec<T>,
    levels: Vec<i16>,
}

impl<T> Nullable<T> {
    fn new() -> Nullable<T> {
        Nullable { values: Vec::new(), levels: Vec::new() }
    }

    fn push(&mut self, value: Option<T>) {
        self.levels.push(i16::from(value.is_some()));
        self.values.extend(value);
    }

    fn clear(&mut self) {
        self.values.clear();
        self.levels.clear();
    }
}

impl ParquetSamples {
    /// Start the file with the study's columns.
    pub(crate) fn create(file: AtomicFile, def: &StudyDef) -> Result<ParquetSamples, SamplesError> {
        let column = |name: &str, physical, logical, repetition| {
            Type::primitive_type_builder(name, physical)
                .with_logical_type(logical)
                .with_repetition(repetition)
                .build()
                .map(Arc::new)
        };
        let string = Some(LogicalType::String);
        let mut fields = vec![
            column(
                "sample",
                PhysicalType::INT64,
                Some(LogicalType::Integer { bit_width: 64, is_signed: false }),
                Repetition::REQUIRED,
            )?,
            column("status", PhysicalType::BYTE_ARRAY, string.clone(), Repetition::REQUIRED)?,
        ];
        for p in &def.parameters {
            fields.push(column(p.path.as_str(), PhysicalType::DOUBLE, None, Repetition::REQUIRED)?);
        }
        for m in &def.metrics {
            fields.push(column(m.as_str(), PhysicalType::DOUBLE, None, Repetition::OPTIONAL)?);
        }
        fields.push(column("error", PhysicalType::BYTE_ARRAY, string, Repetition::OPTIONAL)?);
        // The root name Arrow's writer gives the schema.
        let schema = Arc::new(Type::group_type_builder("arrow_schema").with_fields(fields).build()?);
        let writer = SerializedFileWriter::new(Recorded::new(file), schema, Arc::new(WriterProperties::default()))?;
        let rows = Rows {
            sample: Vec::new(),
            status: Vec::new(),
            parameters: vec![Vec::new(); def.parameters.len()],
            metrics: (0..def.metrics.len()).map(|_| Nullable::new()).collect(),
            error: Nullable::new(),
        };
        Ok(ParquetSamples { writer, rows })
    }

    /// Append samples (in index order).
    pub(crate) fn write<'a>(&mut self, samples: impl IntoIterator<Item = SampleRow<'a>>) -> Result<(), SamplesError> {
        let (ok, failed) = (ByteArray::from("ok"), ByteArray::from("failed"));
        for s in samples {
            let rows = &mut self.rows;
            // UInt64 is stored as INT64 holding the same bits.
            rows.sample.push(s.index as u64 as i64);
            rows.status.push(if s.outcome.is_ok() { ok.clone() } else { failed.clone() });
            for (j, column) in rows.parameters.iter_mut().enumerate() {
                column.push(s.values.get(j).copied().unwrap_or(f64::NAN));
            }
            for (k, column) in rows.metrics.iter_mut().enumerate() {
                column.push(s.outcome.ok().and_then(|m| m.get(k).copied()));
            }
            rows.error.push(s.outcome.err().map(ByteArray::from));
            if rows.sample.len() == ROW_GROUP {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Write the rows held as one row group.
    fn flush(&mut self) -> Result<(), SamplesError> {
        let rows = &mut self.rows;
        if rows.sample.is_empty() {
            return Ok(());
        }
        let mut group = self.writer.next_row_group()?;
        write_column::<Int64Type>(&mut group, &rows.sample, None)?;
        write_column::<ByteArrayType>(&mut group, &rows.status, None)?;
        for column in &rows.parameters {
            write_column::<DoubleType>(&mut group, column, None)?;
        }
        for column in &rows.metrics {
            write_column::<DoubleType>(&mut group, &column.values, Some(&column.levels))?;
        }
        write_column::<ByteArrayType>(&mut group, &rows.error.values, Some(&rows.error.levels))?;
        group.close()?;
        rows.sample.clear();
        rows.status.clear();
        rows.parameters.iter_mut().for_each(Vec::clear);
        rows.metrics.iter_mut().for_each(Nullable::clear);
        rows.error.clear();
        Ok(())
    }

    /// Write the last row group and the footer; the file is complete, for its output set to
    /// put in place, with its record.
    pub(crate) fn finish(mut self) -> Result<(AtomicFile, FileRecord), SamplesError> {
        self.flush()?;
        Ok(self.writer.into_inner()?.finish())
    }
}

/// Write the next column of `group`: `values` (the non-null ones), with definition levels
/// if the column is optional.
fn write_column<T: DataType>(
    group: &mut SerializedRowGroupWriter<'_, Recorded<AtomicFile>>,
    values: &[T::T],
    levels: Option<&[i16]>,
) -> Result<(), ParquetError> {
    let mut column =
        group.next_column()?.ok_or_else(|| ParquetError::General("more columns than the schema".into()))?;
    column.typed::<T>().write_batch(values, levels, None)?;
    column.close()
}
