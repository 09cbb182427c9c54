//! Host-side proxies of plugin analyses (ABI 1.1): a loaded analysis type and its configured
//! analyses, calling through the plugin's function table. A run sends the converged
//! flowsheet as a JSON `wire::AnalysisRequest` (the components only with the first run; of
//! the analyses that ran before, those of the types it declares it `reads`) and
//! reads a JSON `wire::AnalysisResult`, whose metrics are checked here — named, once each,
//! with a unit, finite — so that no plugin's figure reaches a study, a later analysis or the
//! report unchecked. Every failure names the library file and the analysis type.

use std::ffi::c_void;
use std::sync::{Arc, Mutex};

use calx_core::result::FlowsheetResult;
use calx_core::unit::UnitError;
use calx_core::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, ComponentSet, Metric, MetricWriter,
    Params,
};
use calx_plugin_abi::wire::{self, AnalysisRequest, RunMode};
use calx_plugin_abi::{Buffer, FiguresCall, FiguresSink, Status};

use crate::convert::analysis::{
    analysis_config_to_wire, analysis_output_from_wire, flowsheet_view, metric_from_wire, same_layout, write_numbers,
};
use crate::convert::{component_to_wire, unit_error_from_wire};
use crate::proxy::{PluginRef, take};

/// A plugin analysis's failure, naming the library file and the analysis type.
#[derive(Debug, thiserror::Error)]
pub enum PluginAnalysisError {
    /// The analysis panicked (the panic was caught in the library).
    #[error("plugin {file} panicked in analysis type `{type_name}`: {message}")]
    Panicked {
        /// Library file.
        file: String,
        /// Analysis type.
        type_name: String,
        /// The panic message.
        message: String,
    },
    /// The analysis failed, or returned what the host refuses.
    #[error("plugin {file}, analysis type `{type_name}`: {message}")]
    Failed {
        /// Library file.
        file: String,
        /// Analysis type.
        type_name: String,
        /// What went wrong.
        message: String,
    },
}

/// An analysis type provided by a loaded library.
pub(crate) struct ProxyAnalysisType {
    plugin: PluginRef,
    descriptor: AnalysisDescriptor,
}

impl ProxyAnalysisType {
    pub(crate) fn new(plugin: PluginRef, descriptor: AnalysisDescriptor) -> ProxyAnalysisType {
        ProxyAnalysisType { plugin, descriptor }
    }
}

impl AnalysisType for ProxyAnalysisType {
    fn descriptor(&self) -> AnalysisDescriptor {
        self.descriptor.clone()
    }

    fn create(&self, name: &str, params: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        let type_name = &self.descriptor.type_name;
        let msg = analysis_config_to_wire(type_name, name, params);
        let bytes = serde_json::to_vec(&msg).map_err(|e| UnitError::Calculation(e.to_string()))?;
        let mut handle: *mut c_void = std::ptr::null_mut();
        let mut error = Buffer::EMPTY;
        let table = self.plugin.table;
        let status = (table.analysis_create)(self.plugin.ctx, bytes.as_ptr(), bytes.len(), &mut handle, &mut error);
        let message = take(table, error);
        if status == Status::UNIT_ERROR
            && let Ok(e) = serde_json::from_slice::<wire::UnitError>(&message)
        {
            return Err(unit_error_from_wire(e));
        }
        if status != Status::OK || handle.is_null() {
            let e = failure(&self.plugin, type_name, status, &message);
            return Err(UnitError::Calculation(e.to_string()));
        }
        Ok(Box::new(ProxyAnalysis {
            plugin: self.plugin.clone(),
            type_name: type_name.clone(),
            name: name.to_string(),
            reads: self.descriptor.reads.clone(),
            handle,
            sent: Mutex::new(None),
            flat: Mutex::new(HostFlat::default()),
        }))
    }
}

/// A failed call's status and message as an error naming the file and type.
fn failure(plugin: &PluginRef, type_name: &str, status: Status, message: &[u8]) -> AnalysisError {
    let text = String::from_utf8_lossy(message).into_owned();
    let (file, type_name) = (plugin.file.clone(), type_name.to_string());
    if status == Status::ANALYSIS_ERROR
        && let Ok(e) = serde_json::from_slice::<wire::AnalysisError>(message)
    {
        return match e {
            wire::AnalysisError::Parameter { param, message } => AnalysisError::Parameter { param, message },
            wire::AnalysisError::Missing(m) => {
                AnalysisError::Missing(format!("plugin {file}, analysis type `{type_name}`: {m}"))
            }
            wire::AnalysisError::Failed(message) => {
                AnalysisError::failed(PluginAnalysisError::Failed { file, type_name, message })
            }
        };
    }
    if status == Status::PANIC {
        return AnalysisError::failed(PluginAnalysisError::Panicked { file, type_name, message: text });
    }
    AnalysisError::failed(PluginAnalysisError::Failed { file, type_name, message: text })
}

/// A configured analysis living in a loaded library.
struct ProxyAnalysis {
    plugin: PluginRef,
    type_name: String,
    name: String,
    /// The analysis types it reads: their outputs are in the view it is sent.
    reads: Vec<String>,
    handle: *mut c_void,
    /// The component set the library has (sent with an earlier run), if any.
    sent: Mutex<Option<Arc<ComponentSet>>>,
    /// The flat figures path's layout and metric names.
    flat: Mutex<HostFlat>,
}

/// What the host holds of the flat path: the last layout sent (its generation, the view it
/// was sent as, the components) and the metric names and units of the last generation the
/// library sent.
#[derive(Default)]
struct HostFlat {
    layout: Option<(u64, wire::FlowsheetView, Arc<ComponentSet>)>,
    generations: u64,
    /// The latest metric generations with their names and units, newest last: values of a
    /// generation another thread has just superseded still find their names.
    metrics: Vec<(u64, Vec<(String, String)>)>,
}

/// How many metric generations the host keeps.
const KEPT_GENERATIONS: usize = 4;

impl HostFlat {
    fn known(&self) -> u64 {
        self.metrics.last().map_or(0, |(g, _)| *g)
    }
}

/// What the library handed to the [`FiguresSink`] during one call: metrics as JSON, or the
/// generation of the values in `numbers`.
#[derive(Default)]
struct Received {
    metrics: Option<(u64, Vec<u8>)>,
    values: Option<u64>,
    numbers: Vec<f64>,
}

thread_local! {
    /// The numbers of the view sent on the flat path, kept per thread across samples.
    static NUMBERS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

extern "C" fn receive_metrics(ctx: *mut c_void, generation: u64, json: *const u8, len: usize) {
    // SAFETY: `ctx` is the `Received` of this call; `len` readable bytes for this callback.
    let (received, json) = unsafe { (&mut *ctx.cast::<Received>(), slice(json, len)) };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        received.metrics = Some((generation, json.to_vec()));
    }));
}

extern "C" fn receive_values(ctx: *mut c_void, generation: u64, values: *const f64, len: usize) {
    // SAFETY: as above, `len` readable numbers.
    let (received, values) = unsafe { (&mut *ctx.cast::<Received>(), slice(values, len)) };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        received.values = Some(generation);
        received.numbers.clear();
        received.numbers.extend_from_slice(values);
    }));
}

/// # Safety
/// `ptr` must point to `len` readable values (or `len` be 0).
unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 || ptr.is_null() { &[] } else { unsafe { std::slice::from_raw_parts(ptr, len) } }
}

// SAFETY: the handle is a `Box<PluginAnalysis>` in the plugin, whose analysis is
// `Send + Sync` and whose kept components are behind a mutex.
unsafe impl Send for ProxyAnalysis {}
// SAFETY: as above.
unsafe impl Sync for ProxyAnalysis {}

impl Drop for ProxyAnalysis {
    fn drop(&mut self) {
        (self.plugin.table.analysis_destroy)(self.handle);
    }
}

impl ProxyAnalysis {
    /// One run: the request sent, the result read and its metrics checked.
    fn run(
        &self,
        mode: RunMode,
        result: &FlowsheetResult,
        earlier: &[AnalysisOutput],
    ) -> Result<AnalysisOutput, AnalysisError> {
        let known = self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let send_components = !known.is_some_and(|k| Arc::ptr_eq(&k, &result.components) || *k == *result.components);
        let request = AnalysisRequest {
            mode,
            components: send_components.then(|| result.components.iter().map(component_to_wire).collect()),
            // Only the analyses it reads: the ones the host runs before it (any other may
            // run after it), and a smaller message for every sample of a study.
            view: flowsheet_view(result, earlier.iter().filter(|a| self.reads.contains(&a.type_name))),
        };
        let bytes = serde_json::to_vec(&request).map_err(|e| self.refused(format!("request: {e}")))?;
        let (mut out, mut error) = (Buffer::EMPTY, Buffer::EMPTY);
        let table = self.plugin.table;
        let status = (table.analysis_run)(self.handle, bytes.as_ptr(), bytes.len(), &mut out, &mut error);
        let (out, message) = (take(table, out), take(table, error));
        if status != Status::OK {
            return Err(failure(&self.plugin, &self.type_name, status, &message));
        }
        if send_components {
            *self.sent.lock().unwrap_or_else(|e| e.into_inner()) = Some(result.components.clone());
        }
        let received: wire::AnalysisResult =
            serde_json::from_slice(&out).map_err(|e| self.refused(format!("malformed result: {e}")))?;
        let output = analysis_output_from_wire(&self.name, &self.type_name, received)
            .map_err(|e| self.refused(e.to_string()))?;
        self.check(&output.metrics)?;
        self.check_drawings(&output)?;
        Ok(output)
    }

    /// The layout message of a flowsheet: a figures request with the components and the view.
    fn layout_request(&self, result: &FlowsheetResult, read: &[&AnalysisOutput]) -> (wire::FlowsheetView, Vec<u8>) {
        let view = flowsheet_view(result, read.iter().copied());
        let request = AnalysisRequest {
            mode: RunMode::Figures,
            components: Some(result.components.iter().map(component_to_wire).collect()),
            view,
        };
        // Serializing plain data with string keys cannot fail.
        let bytes = serde_json::to_vec(&request).unwrap_or_default();
        (request.view, bytes)
    }

    /// The figures on the flat path, written over `out`: the layout only when it changed,
    /// the numbers always (in a buffer each thread keeps), the metrics' names written into
    /// `out` only where they changed.
    fn flat_figures(
        &self,
        result: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
    ) -> Result<(), AnalysisError> {
        let read = || earlier.iter().filter(|a| self.reads.contains(&a.type_name));
        let (generation, mut layout, known) = {
            let mut flat = self.flat.lock().unwrap_or_else(|e| e.into_inner());
            let kept = flat.layout.as_ref().filter(|(_, view, components)| {
                (Arc::ptr_eq(components, &result.components) || **components == *result.components)
                    && same_layout(view, result, read())
            });
            match kept {
                Some((generation, _, _)) => (*generation, None, flat.known()),
                None => {
                    flat.generations += 1;
                    let (view, bytes) = self.layout_request(result, &read().collect::<Vec<_>>());
                    flat.layout = Some((flat.generations, view, result.components.clone()));
                    (flat.generations, Some(bytes), flat.known())
                }
            }
        };
        let mut received = Received::default();
        NUMBERS.with_borrow_mut(|numbers| -> Result<(), AnalysisError> {
            write_numbers(result, read(), numbers);
            for attempt in 0..2 {
                let sink = FiguresSink {
                    ctx: (&mut received as *mut Received).cast(),
                    metrics: receive_metrics,
                    values: receive_values,
                };
                let call = FiguresCall {
                    layout_generation: generation,
                    layout: layout.as_ref().map_or(std::ptr::null(), |b| b.as_ptr()),
                    layout_len: layout.as_ref().map_or(0, Vec::len),
                    values: numbers.as_ptr(),
                    n_values: numbers.len(),
                    metrics_generation: known,
                };
                let mut error = Buffer::EMPTY;
                let status = (self.plugin.table.analysis_figures)(self.handle, &call, &sink, &mut error);
                let message = take(self.plugin.table, error);
                match status {
                    Status::OK => return Ok(()),
                    // Another thread's newer layout reached the library first: send ours.
                    Status::STALE_LAYOUT if attempt == 0 => {
                        layout = Some(self.layout_request(result, &read().collect::<Vec<_>>()).1);
                    }
                    _ => return Err(failure(&self.plugin, &self.type_name, status, &message)),
                }
            }
            Err(self.refused("asked twice for the layout it was sent".into()))
        })?;
        self.received_metrics(received, out)?;
        self.check(out)
    }

    /// The metrics the library handed over, written over `out`: with their names, or values
    /// under names held.
    fn received_metrics(&self, received: Received, out: &mut Vec<Metric>) -> Result<(), AnalysisError> {
        let mut flat = self.flat.lock().unwrap_or_else(|e| e.into_inner());
        let mut w = MetricWriter::new(out);
        match received {
            Received { metrics: Some((generation, json)), .. } => {
                let list: Vec<wire::Metric> =
                    serde_json::from_slice(&json).map_err(|e| self.refused(format!("malformed metrics: {e}")))?;
                if generation > flat.known() {
                    flat.metrics.push((generation, list.iter().map(|m| (m.name.clone(), m.unit.clone())).collect()));
                    let excess = flat.metrics.len().saturating_sub(KEPT_GENERATIONS);
                    flat.metrics.drain(..excess);
                }
                list.into_iter().map(metric_from_wire).for_each(|m| w.put(&m.name, m.value, &m.unit));
                Ok(())
            }
            Received { values: Some(generation), numbers, .. } => {
                let names = flat.metrics.iter().find(|(g, names)| *g == generation && names.len() == numbers.len());
                let Some((_, names)) = names else {
                    return Err(self.refused(format!(
                        "handed over values of metric generation {generation}, whose names the host does not hold"
                    )));
                };
                names.iter().zip(numbers).for_each(|((name, unit), value)| w.put(name, value, unit));
                Ok(())
            }
            Received { .. } => Err(self.refused("handed over no metrics".into())),
        }
    }

    /// A parameter set in place (`value`) or reset (`None`) in the library; whether it took it.
    /// `&mut self`: no other thread uses this analysis meanwhile, as the ABI requires.
    fn send_number(
        &mut self,
        param: &str,
        key: Option<&str>,
        value: Option<f64>,
        unit: &str,
    ) -> Result<bool, AnalysisError> {
        let msg = wire::SetNumberMessage { param: param.into(), key: key.map(Into::into), value, unit: unit.into() };
        let bytes = serde_json::to_vec(&msg).map_err(|e| self.refused(format!("set number: {e}")))?;
        let (mut taken, mut error) = (0u8, Buffer::EMPTY);
        let status =
            (self.plugin.table.analysis_set_number)(self.handle, bytes.as_ptr(), bytes.len(), &mut taken, &mut error);
        let message = take(self.plugin.table, error);
        if status != Status::OK {
            return Err(failure(&self.plugin, &self.type_name, status, &message));
        }
        Ok(taken == 1)
    }

    fn refused(&self, message: String) -> AnalysisError {
        AnalysisError::failed(PluginAnalysisError::Failed {
            file: self.plugin.file.clone(),
            type_name: self.type_name.clone(),
            message,
        })
    }

    /// Every metric named, once, with a unit, and finite.
    fn check(&self, metrics: &[Metric]) -> Result<(), AnalysisError> {
        for (i, m) in metrics.iter().enumerate() {
            let name = m.name.escape_debug();
            let problem = if m.name.is_empty() {
                Some(format!("metric {} has no name", i + 1))
            } else if metrics[..i].iter().any(|e| e.name == m.name) {
                Some(format!("metric `{name}` is returned twice"))
            } else if m.unit.trim().is_empty() {
                Some(format!("metric `{name}` has no unit (a plain number's unit is `1`)"))
            } else if !m.value.is_finite() {
                Some(format!("metric `{name}` is {}: a number no one should read", m.value))
            } else {
                None
            };
            if let Some(p) = problem {
                return Err(self.refused(p));
            }
        }
        Ok(())
    }
}

impl ProxyAnalysis {
    /// Every drawing of the report part safe to put in a report that opens offline.
    fn check_drawings(&self, output: &AnalysisOutput) -> Result<(), AnalysisError> {
        let blocks = output.report.iter().flat_map(|part| &part.blocks);
        for block in blocks {
            if let calx_core::report::Block::Drawing(d) = block
                && let Some(why) = d.unsafe_content()
            {
                let id = d.id.escape_debug();
                return Err(self.refused(format!("report drawing `{id}` is refused: {why}")));
            }
        }
        Ok(())
    }
}

impl Analysis for ProxyAnalysis {
    fn figures(&self, result: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        let mut out = Vec::new();
        self.flat_figures(result, earlier, &mut out)?;
        Ok(out)
    }

    fn figures_into(
        &self,
        result: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
    ) -> Result<(), AnalysisError> {
        self.flat_figures(result, earlier, out)
    }

    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64, unit: &str) -> Result<bool, AnalysisError> {
        self.send_number(param, key, Some(value), unit)
    }

    fn reset_number(&mut self, param: &str, key: Option<&str>) -> Result<bool, AnalysisError> {
        self.send_number(param, key, None, "")
    }

    fn report(&self, result: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        self.run(RunMode::Report, result, earlier)
    }
}
