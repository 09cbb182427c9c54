//! Study samples as Apache Parquet (`samples.parquet`), beside `samples.csv` with the same
//! columns: `sample` (UInt64), `status` (`ok` / `failed`), one Float64 column per parameter
//! in the study's units, one nullable Float64 column per metric (null when the sample
//! failed), and `error` (null when it did not). Written batch by batch, in row groups of at
//! most [`ROW_GROUP`] rows, so memory stays bounded; the file appears only when complete.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use calx_study::{Sample, StudyDef};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use crate::files::AtomicFile;

/// Rows per Parquet row group (what the writer buffers before it writes).
const ROW_GROUP: usize = 16_384;

/// A `samples.parquet` being written.
pub(crate) struct ParquetSamples {
    writer: ArrowWriter<AtomicFile>,
    schema: SchemaRef,
    parameters: usize,
    metrics: usize,
}

impl ParquetSamples {
    /// Start the file with the study's columns.
    pub(crate) fn create(file: AtomicFile, def: &StudyDef) -> Result<ParquetSamples, String> {
        let mut fields =
            vec![Field::new("sample", DataType::UInt64, false), Field::new("status", DataType::Utf8, false)];
        fields.extend(def.parameters.iter().map(|p| Field::new(p.path.as_str(), DataType::Float64, false)));
        fields.extend(def.metrics.iter().map(|m| Field::new(m.as_str(), DataType::Float64, true)));
        fields.push(Field::new("error", DataType::Utf8, true));
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder().set_max_row_group_size(ROW_GROUP).build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| e.to_string())?;
        Ok(ParquetSamples { writer, schema, parameters: def.parameters.len(), metrics: def.metrics.len() })
    }

    /// Append samples (in index order).
    pub(crate) fn write(&mut self, samples: &[Sample]) -> Result<(), String> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(samples.iter().map(|s| s.index as u64))),
            Arc::new(StringArray::from_iter_values(
                samples.iter().map(|s| if s.outcome.is_ok() { "ok" } else { "failed" }),
            )),
        ];
        for j in 0..self.parameters {
            columns.push(Arc::new(Float64Array::from_iter_values(
                samples.iter().map(|s| s.values.get(j).copied().unwrap_or(f64::NAN)),
            )));
        }
        for k in 0..self.metrics {
            columns.push(Arc::new(
                samples
                    .iter()
                    .map(|s| s.outcome.as_ref().ok().and_then(|m| m.get(k).copied()))
                    .collect::<Float64Array>(),
            ));
        }
        columns.push(Arc::new(
            samples.iter().map(|s| s.outcome.as_ref().err().map(String::as_str)).collect::<StringArray>(),
        ));
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| e.to_string())?;
        self.writer.write(&batch).map_err(|e| e.to_string())
    }

    /// Write the footer; the file is complete, for its output set to put in place.
    pub(crate) fn finish(self) -> Result<AtomicFile, String> {
        self.writer.into_inner().map_err(|e| e.to_string())
    }
}
