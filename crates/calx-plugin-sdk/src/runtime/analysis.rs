//! The plugin side of analyses (ABI 1.1): create an analysis from its JSON configuration,
//! run it on a JSON request (the flowsheet view, rebuilt here as a calx-core
//! `FlowsheetResult`), destroy it. Every entry point catches panics, as the unit ones do.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use calx_core::{Analysis, ComponentSet};
use calx_plugin_abi::wire::{AnalysisConfigMessage, AnalysisRequest, RunMode};
use calx_plugin_abi::{Buffer, Status};

use super::{Fail, guarded};
use crate::Plugin;
use crate::convert::analysis::{analysis_output_to_wire, metrics_to_wire, view_from_wire};
use crate::convert::{component_set_from_wire, params_from_wire};

/// An analysis created for the host, with the components the host sent with its first run.
struct PluginAnalysis {
    analysis: Box<dyn Analysis>,
    components: Mutex<Option<Arc<ComponentSet>>>,
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
        let analysis_type = plugin
            .analysis_types()
            .iter()
            .find(|t| t.descriptor().type_name == msg.type_name)
            .ok_or_else(|| Fail::Other(format!("{} has no analysis type `{}`", plugin.provider(), msg.type_name)))?;
        let created = analysis_type.create(&msg.name, &params_from_wire(&msg.params)).map_err(Fail::Unit)?;
        let boxed = Box::new(PluginAnalysis { analysis: created, components: Mutex::new(None) });
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
