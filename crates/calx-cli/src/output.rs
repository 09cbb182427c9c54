//! Machine-readable output (JSON, CSV, in SI units) and atomic file writes.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use calx_core::result::FlowsheetResult;

/// The converged flowsheet and its analyses as pretty JSON (SI units; f64 values round-trip
/// exactly): `{ "flowsheet": ..., "analyses": { NAME: ... } }`. Stream flows and make-up
/// materials are keyed by component name (`"flows": { "CaO": 0.27, ... }`), not by position.
pub(crate) fn json(
    result: &FlowsheetResult,
    analyses: &[calx_core::AnalysisOutput],
) -> Result<String, serde_json::Error> {
    let mut by_name = serde_json::Map::new();
    for a in analyses {
        by_name.insert(a.name.clone(), serde_json::from_str(&a.json)?);
    }
    let mut flowsheet = serde_json::to_value(result)?;
    let names: Vec<String> = result.components.iter().map(|c| c.name.clone()).collect();
    key_flows_by_component(&mut flowsheet, &names);
    serde_json::to_string_pretty(&serde_json::json!({ "flowsheet": flowsheet, "analyses": by_name }))
}

/// Replace each stream's positional `flows` array with an object keyed by component name, and
/// each make-up material's component index with its name.
fn key_flows_by_component(flowsheet: &mut serde_json::Value, names: &[String]) {
    use serde_json::Value;
    for s in flowsheet.get_mut("streams").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(flows) = s.pointer_mut("/stream/flows")
            && let Some(list) = flows.as_array()
        {
            let keyed: serde_json::Map<String, Value> = names.iter().cloned().zip(list.iter().cloned()).collect();
            *flows = Value::Object(keyed);
        }
    }
    for u in flowsheet.get_mut("units").and_then(Value::as_array_mut).into_iter().flatten() {
        for m in u.pointer_mut("/report/materials").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(c) = m.get_mut("component")
                && let Some(name) = c.as_u64().and_then(|i| names.get(i as usize))
            {
                *c = Value::String(name.clone());
            }
        }
    }
}

/// `streams.csv` (long format) and `units.csv`.
pub(crate) fn csv(result: &FlowsheetResult) -> Vec<(&'static str, String)> {
    let mut streams = String::from("stream,role,quantity,value,unit\n");
    for s in &result.streams {
        let role = format!("{:?}", s.role).to_lowercase();
        let _ = writeln!(streams, "{},{role},T,{},K", s.name, s.stream.temperature);
        let _ = writeln!(streams, "{},{role},P,{},Pa", s.name, s.stream.pressure);
        let _ = writeln!(streams, "{},{role},total,{},kg/s", s.name, s.stream.total_mass());
        for (c, w) in result.components.iter().zip(&s.stream.flows) {
            let _ = writeln!(streams, "{},{role},{},{w},kg/s", s.name, quote(&c.name));
        }
    }
    let mut units = String::from("unit,type,kind,name,value,unit_of_measure\n");
    for u in &result.units {
        for x in &u.report.utilities {
            let uom = if x.utility == calx_core::Utility::Water { "kg/s" } else { "W" };
            let _ = writeln!(
                units,
                "{},{},utility,{} ({}),{},{uom}",
                u.name,
                u.type_name,
                x.utility.name(),
                quote(&x.purpose),
                x.rate
            );
        }
        for m in &u.report.materials {
            let c = result.components.get(m.component).map_or("?", |c| c.name.as_str());
            let _ = writeln!(
                units,
                "{},{},material,{} ({}),{},kg/s",
                u.name,
                u.type_name,
                quote(c),
                quote(&m.purpose),
                m.rate
            );
        }
        for s in &u.report.sizes {
            let _ = writeln!(units, "{},{},size,{},{},{}", u.name, u.type_name, s.name, s.value, s.dimension);
        }
    }
    vec![("streams.csv", streams), ("units.csv", units)]
}

/// Quote a CSV field if it needs it.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Write a file so that readers see the old content or the new, never half of it: write a
/// temporary file in the same directory, flush it to disk, then rename it over the target.
pub(crate) fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(text.as_bytes())?;
    f.commit()
}

/// A file written in pieces (study samples, as they are computed) that appears under its
/// name only when complete: a temporary file in the same directory, renamed over the target
/// by [`AtomicFile::commit`]; dropped uncommitted (an error on the way), it is removed.
pub(crate) struct AtomicFile {
    path: std::path::PathBuf,
    tmp: std::path::PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Start writing `path` (its directory is created if needed).
    pub(crate) fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        Ok(AtomicFile { path: path.to_path_buf(), tmp, file: Some(file) })
    }

    /// Flush to disk and rename over the target.
    pub(crate) fn commit(mut self) -> std::io::Result<()> {
        let Some(file) = self.file.take() else { return Ok(()) };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
