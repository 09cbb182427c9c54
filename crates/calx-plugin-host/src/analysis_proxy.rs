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
use calx_core::{Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, ComponentSet, Metric, Params};
use calx_core::unit::UnitError;
use calx_plugin_abi::wire::{self, AnalysisRequest, RunMode};
use calx_plugin_abi::{Buffer, Status};

use crate::convert::analysis::{analysis_config_to_wire, analysis_output_from_wire, flowsheet_view};
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
        Ok(output)
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

impl Analysis for ProxyAnalysis {
    fn figures(&self, result: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        Ok(self.run(RunMode::Figures, result, earlier)?.metrics)
    }

    fn report(&self, result: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        self.run(RunMode::Report, result, earlier)
    }
}
