//! The plugin side of analyses (ABI 1.1): create an analysis from its JSON configuration,
//! run it on a JSON request (the flowsheet view, rebuilt here as a calx-core
//! `FlowsheetResult`), destroy it. Every entry point catches panics, as the unit ones do.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use calx_core::result::FlowsheetResult;
use calx_core::{Analysis, AnalysisOutput, ComponentSet, Metric};
use calx_plugin_abi::wire::{AnalysisConfigMessage, AnalysisRequest, RunMode, SetNumberMessage};
use calx_plugin_abi::{Buffer, FiguresCall, FiguresSink, Status};

use super::{Fail, guarded};
use crate::Plugin;
use crate::convert::analysis::{
    analysis_output_to_wire, metric_to_wire, metrics_to_wire, read_numbers, view_from_wire,
};
use crate::convert::{component_set_from_wire, params_from_wire};

/// An analysis created for the host, with the components the host sent with its first run
/// and the state of the flat figures path.
struct PluginAnalysis {
    analysis: Box<dyn Analysis>,
    components: Mutex<Option<Arc<ComponentSet>>>,
    flat: Mutex<Flat>,
}

/// The flat path's state: the result and earlier outputs rebuilt from the last layout (the
/// numbers of each call are written over them), and the metric names and units last sent.
#[derive(Default)]
struct Flat {
    layout_generation: u64,
    rebuilt: Option<(FlowsheetResult, Vec<AnalysisOutput>)>,
    metrics_generation: u64,
    names: Vec<(String, String)>,
    /// The metric values handed over, kept across calls.
    values: Vec<f64>,
}

pub(super) extern "C" fn create(
    plugin: *const c_void,
    config: *const u8,
    config_len: usize,
    analysis: *mut *mut c_void,
    error: *mut Buffer,
) -> Status {
    guarded(error, || {
        // SAFETY: our own `&'static Plugin`, and `config_len` readable bytes from the host.
        let (plugin, bytes) = unsafe { (&*plugin.cast::<Plugin>(), std::slice::from_raw_parts(config, config_len)) };
        let msg: AnalysisConfigMessage =
            serde_json::from_slice(bytes).map_err(|e| Fail::Other(format!("analysis configuration: {e}")))?;
        let analysis_type =
            plugin.analysis_types().iter().find(|t| t.descriptor().type_name == msg.type_name).ok_or_else(|| {
                Fail::Other(format!("{} has no analysis type `{}`", plugin.provider(), msg.type_name))
            })?;
        let created = analysis_type.create(&msg.name, &params_from_wire(&msg.params)).map_err(Fail::Unit)?;
        let boxed = Box::new(PluginAnalysis {
            analysis: created,
            components: Mutex::new(None),
            flat: Mutex::new(Flat::default()),
        });
        // SAFETY: the host passes a valid, writable handle slot.
        unsafe { analysis.write(Box::into_raw(boxed).cast()) };
        Ok(())
    })
}

pub(super) extern "C" fn destroy(analysis: *mut c_void) {
    if !analysis.is_null() {
        // SAFETY: a handle from `create`, destroyed once by the host.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(analysis.cast::<PluginAnalysis>()) })));
    }
}

pub(super) extern "C" fn run(
    analysis: *const c_void,
    request: *const u8,
    request_len: usize,
    out: *mut Buffer,
    error: *mut Buffer,
) -> Status {
    guarded(error, || {
        // SAFETY: a live handle from `create` and `request_len` readable bytes from the host.
        let (analysis, bytes) =
            unsafe { (&*analysis.cast::<PluginAnalysis>(), std::slice::from_raw_parts(request, request_len)) };
        let request: AnalysisRequest =
            serde_json::from_slice(bytes).map_err(|e| Fail::Other(format!("analysis request: {e}")))?;
        let components = components(analysis, request.components.as_deref())?;
        let (result, earlier) = view_from_wire(&request.view, &components);
        let sent = match request.mode {
            RunMode::Figures => {
                let metrics = analysis.analysis.figures(&result, &earlier).map_err(Fail::Analysis)?;
                finite(&metrics)?;
                metrics_to_wire(&metrics)
            }
            RunMode::Report => {
                let output = analysis.analysis.report(&result, &earlier).map_err(Fail::Analysis)?;
                finite(&output.metrics)?;
                analysis_output_to_wire(&output).map_err(|e| Fail::Other(e.to_string()))?
            }
        };
        let json = serde_json::to_vec(&sent).map_err(|e| Fail::Other(format!("analysis result: {e}")))?;
        // SAFETY: the host passes a valid, writable Buffer slot.
        unsafe { out.write(Buffer::from_vec(json)) };
        Ok(())
    })
}

/// JSON has no NaN or infinity (serde writes `null`): a metric that is not finite is said
/// so here, by name, rather than arriving as a malformed message.
fn finite(metrics: &[calx_core::Metric]) -> Result<(), Fail> {
    match metrics.iter().find(|m| !m.value.is_finite()) {
        Some(m) => Err(Fail::Analysis(calx_core::AnalysisError::NotFinite { metric: m.name.clone(), value: m.value })),
        None => Ok(()),
    }
}

/// The components of this run: those sent with it (kept for the next runs), or those kept.
fn components(
    analysis: &PluginAnalysis,
    sent: Option<&[calx_plugin_abi::wire::ComponentData]>,
) -> Result<Arc<ComponentSet>, Fail> {
    let mut kept = analysis.components.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(list) = sent {
        let set = Arc::new(component_set_from_wire(list).map_err(|e| Fail::Other(e.to_string()))?);
        *kept = Some(set);
    }
    kept.clone().ok_or_else(|| Fail::Other("the host sent no components before the first run".into()))
}

/// Why the flat path did not run: the host must send the layout, or it failed.
enum FlatFail {
    Stale,
    Fail(Fail),
}

impl From<Fail> for FlatFail {
    fn from(f: Fail) -> FlatFail {
        FlatFail::Fail(f)
    }
}

pub(super) extern "C" fn figures(
    analysis: *const c_void,
    call: *const FiguresCall,
    sink: *const FiguresSink,
    error: *mut Buffer,
) -> Status {
    let mut stale = false;
    let status = guarded(error, || {
        // SAFETY: a live handle from `create`, and a call and sink valid for this call.
        let (analysis, call, sink) = unsafe { (&*analysis.cast::<PluginAnalysis>(), &*call, &*sink) };
        match flat_figures(analysis, call, sink) {
            Ok(()) => Ok(()),
            Err(FlatFail::Stale) => {
                stale = true;
                Ok(())
            }
            Err(FlatFail::Fail(f)) => Err(f),
        }
    });
    if stale { Status::STALE_LAYOUT } else { status }
}

fn flat_figures(analysis: &PluginAnalysis, call: &FiguresCall, sink: &FiguresSink) -> Result<(), FlatFail> {
    let mut flat = analysis.flat.lock().unwrap_or_else(|e| e.into_inner());
    if !call.layout.is_null() {
        // SAFETY: `layout_len` readable bytes from the host for the duration of the call.
        let bytes = unsafe { std::slice::from_raw_parts(call.layout, call.layout_len) };
        let request: AnalysisRequest =
            serde_json::from_slice(bytes).map_err(|e| Fail::Other(format!("analysis layout: {e}")))?;
        let components = components(analysis, request.components.as_deref())?;
        flat.rebuilt = Some(view_from_wire(&request.view, &components));
        flat.layout_generation = call.layout_generation;
    } else if flat.layout_generation != call.layout_generation || flat.rebuilt.is_none() {
        return Err(FlatFail::Stale);
    }
    let values = if call.n_values == 0 {
        &[][..]
    } else {
        // SAFETY: `n_values` readable numbers from the host for the duration of the call.
        unsafe { std::slice::from_raw_parts(call.values, call.n_values) }
    };
    let Flat { rebuilt, metrics_generation, names, values: sent, .. } = &mut *flat;
    let Some((result, earlier)) = rebuilt.as_mut() else { return Err(FlatFail::Stale) };
    read_numbers(result, earlier, values).map_err(|expected| {
        Fail::Other(format!("the host sent {} numbers for a layout of {expected}", values.len()))
    })?;
    let metrics = analysis.analysis.figures(result, earlier).map_err(Fail::Analysis)?;
    finite(&metrics)?;
    let same = metrics.len() == names.len()
        && metrics.iter().zip(names.iter()).all(|(m, (n, u))| m.name == *n && m.unit == *u);
    if !same {
        *metrics_generation += 1;
        *names = metrics.iter().map(|m| (m.name.clone(), m.unit.clone())).collect();
    }
    if *metrics_generation == call.metrics_generation {
        sent.clear();
        sent.extend(metrics.iter().map(|m| m.value));
        (sink.values)(sink.ctx, *metrics_generation, sent.as_ptr(), sent.len());
    } else {
        send_metrics(sink, *metrics_generation, &metrics)?;
    }
    Ok(())
}

fn send_metrics(sink: &FiguresSink, generation: u64, metrics: &[Metric]) -> Result<(), Fail> {
    let wire: Vec<_> = metrics.iter().map(metric_to_wire).collect();
    let json = serde_json::to_vec(&wire).map_err(|e| Fail::Other(format!("metrics: {e}")))?;
    (sink.metrics)(sink.ctx, generation, json.as_ptr(), json.len());
    Ok(())
}

pub(super) extern "C" fn set_number(
    analysis: *mut c_void,
    request: *const u8,
    request_len: usize,
    taken: *mut u8,
    error: *mut Buffer,
) -> Status {
    guarded(error, || {
        // SAFETY: a live handle from `create` that the host uses from this thread only for
        // the duration of the call (it holds the proxy mutably), `request_len` readable bytes
        // and a writable flag.
        let (analysis, bytes) =
            unsafe { (&mut *analysis.cast::<PluginAnalysis>(), std::slice::from_raw_parts(request, request_len)) };
        let msg: SetNumberMessage =
            serde_json::from_slice(bytes).map_err(|e| Fail::Other(format!("set number: {e}")))?;
        let a = &mut analysis.analysis;
        let took = match msg.value {
            Some(value) => a.set_number(&msg.param, msg.key.as_deref(), value, &msg.unit),
            None => a.reset_number(&msg.param, msg.key.as_deref()),
        }
        .map_err(Fail::Analysis)?;
        // SAFETY: the host passes a writable flag.
        unsafe { taken.write(u8::from(took)) };
        Ok(())
    })
}
