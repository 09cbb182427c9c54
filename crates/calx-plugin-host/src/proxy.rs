//! Host-side proxies: a loaded unit type and its configured units, calling through the
//! plugin's function table. Per call only flat `f64` arrays cross; report items come back
//! through the callbacks at the bottom of this file.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use calx_core::Stream;
use calx_core::dimension::Dimension;
use calx_core::unit::{UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType};
use calx_plugin_abi::wire;
use calx_plugin_abi::{Buffer, CalcCall, PluginTable, ReportSink, Status};

use crate::convert::{unit_config_to_wire, unit_error_from_wire, utility_from_code};

/// A loaded library's table and context, and its file name for messages.
#[derive(Clone)]
pub(crate) struct PluginRef {
    pub(crate) table: &'static PluginTable,
    pub(crate) ctx: *const c_void,
    pub(crate) file: String,
}

// SAFETY: `ctx` points to the plugin's immutable static `Plugin` (its lazily built type list
// is behind a OnceLock); the SDK's entry points are thread-safe.
unsafe impl Send for PluginRef {}
// SAFETY: as above.
unsafe impl Sync for PluginRef {}

/// Copy a plugin buffer's bytes and hand the buffer back to the plugin to free.
pub(crate) fn take(table: &PluginTable, buffer: Buffer) -> Vec<u8> {
    // SAFETY: the plugin wrote a valid buffer (or left it empty).
    let bytes = unsafe { buffer.as_slice() }.to_vec();
    if !buffer.ptr.is_null() {
        (table.free_buffer)(buffer);
    }
    bytes
}

impl PluginRef {
    /// Turn a failed status and its message into a `UnitError` naming the file and type.
    fn error(&self, type_name: &str, status: Status, message: Vec<u8>) -> UnitError {
        let text = String::from_utf8_lossy(&message).into_owned();
        match status {
            Status::UNIT_ERROR => {
                serde_json::from_slice::<wire::UnitError>(&message).map(unit_error_from_wire).unwrap_or_else(|_| {
                    UnitError::Calculation(format!("plugin {}, unit type `{type_name}`: {text}", self.file))
                })
            }
            Status::PANIC => {
                UnitError::Calculation(format!("plugin {} panicked in unit type `{type_name}`: {text}", self.file))
            }
            _ => UnitError::Calculation(format!("plugin {}, unit type `{type_name}`: {text}", self.file)),
        }
    }
}

/// A unit type provided by a loaded library.
pub(crate) struct ProxyType {
    plugin: PluginRef,
    descriptor: UnitDescriptor,
}

impl ProxyType {
    pub(crate) fn new(plugin: PluginRef, descriptor: UnitDescriptor) -> ProxyType {
        ProxyType { plugin, descriptor }
    }
}

impl UnitType for ProxyType {
    fn descriptor(&self) -> UnitDescriptor {
        self.descriptor.clone()
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let type_name = &self.descriptor.type_name;
        let msg = unit_config_to_wire(type_name, config);
        let bytes = serde_json::to_vec(&msg).map_err(|e| UnitError::Calculation(e.to_string()))?;
        let mut handle: *mut c_void = std::ptr::null_mut();
        let mut error = Buffer::EMPTY;
        let status = (self.plugin.table.create)(self.plugin.ctx, bytes.as_ptr(), bytes.len(), &mut handle, &mut error);
        let message = take(self.plugin.table, error);
        if status != Status::OK || handle.is_null() {
            return Err(self.plugin.error(type_name, status, message));
        }
        let n = config.components.len();
        let (n_in, n_out) = (config.connections.inlet_count(), config.connections.outlet_count());
        Ok(Box::new(ProxyUnit {
            plugin: self.plugin.clone(),
            type_name: type_name.clone(),
            handle,
            n_components: n,
            scratch: Mutex::new((vec![0.0; n_in * (n + 2)], vec![0.0; n_out * (n + 2)])),
        }))
    }
}

/// A configured unit living in a loaded library.
struct ProxyUnit {
    plugin: PluginRef,
    type_name: String,
    handle: *mut c_void,
    n_components: usize,
    /// Flat inlet and outlet buffers, reused across calls.
    scratch: Mutex<(Vec<f64>, Vec<f64>)>,
}

// SAFETY: the handle is a `Box<PluginUnit>` in the plugin, whose operation is
// `Send + Sync` and whose scratch space is behind a mutex.
unsafe impl Send for ProxyUnit {}
// SAFETY: as above.
unsafe impl Sync for ProxyUnit {}

impl Drop for ProxyUnit {
    fn drop(&mut self) {
        (self.plugin.table.destroy)(self.handle);
    }
}

fn flatten(streams: &[Stream], n: usize, out: &mut [f64]) {
    for (s, v) in streams.iter().zip(out.chunks_exact_mut(n + 2)) {
        let k = s.flows.len().min(n);
        v[..k].copy_from_slice(&s.flows[..k]);
        v[n] = s.temperature;
        v[n + 1] = s.pressure;
    }
}

impl UnitOperation for ProxyUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let n = self.n_components;
        let stride = n + 2;
        let mut guard = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        let (flat_in, flat_out) = &mut *guard;
        if flat_in.len() != inlets.len() * stride || flat_out.len() != outlets.len() * stride {
            return Err(UnitError::Calculation(format!(
                "plugin {}, unit type `{}`: called with {} inlets and {} outlets, created with {} and {}",
                self.plugin.file,
                self.type_name,
                inlets.len(),
                outlets.len(),
                flat_in.len() / stride,
                flat_out.len() / stride
            )));
        }
        // Outlets are outputs only: a unit overwrites them entirely, so nothing is sent in.
        flatten(inlets, n, flat_in);
        let sink = ReportSink { ctx: (report as *mut UnitReport).cast(), utility, material, size, note };
        let call = CalcCall {
            n_components: n,
            inlets: flat_in.as_ptr(),
            n_inlets: inlets.len(),
            outlets: flat_out.as_mut_ptr(),
            n_outlets: outlets.len(),
            report: &sink,
        };
        let mut error = Buffer::EMPTY;
        let status = (self.plugin.table.calculate)(self.handle, &call, &mut error);
        if status != Status::OK {
            let message = take(self.plugin.table, error);
            return Err(self.plugin.error(&self.type_name, status, message));
        }
        for (s, v) in outlets.iter_mut().zip(flat_out.chunks_exact(stride)) {
            s.flows.clear();
            s.flows.extend_from_slice(&v[..n]);
            s.temperature = v[n];
            s.pressure = v[n + 1];
        }
        Ok(())
    }
}

/// # Safety
/// `ptr` must point to `len` bytes readable for the duration of the callback.
unsafe fn text(ptr: *const u8, len: usize) -> String {
    if ptr.is_null() || len == 0 {
        return String::new();
    }
    // SAFETY: per the callback contract.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr, len) }).into_owned()
}

/// Run a callback body on the host's report without letting a panic unwind into the plugin.
fn with_report(ctx: *mut c_void, f: impl FnOnce(&mut UnitReport)) {
    // SAFETY: `ctx` is the `&mut UnitReport` the host passed for this call only.
    let report = unsafe { &mut *ctx.cast::<UnitReport>() };
    let _ = catch_unwind(AssertUnwindSafe(|| f(report)));
}

extern "C" fn utility(ctx: *mut c_void, code: u32, purpose: *const u8, purpose_len: usize, rate: f64) {
    // SAFETY: strings are borrowed for the duration of the callback.
    let purpose = unsafe { text(purpose, purpose_len) };
    with_report(ctx, |r| match utility_from_code(code) {
        Some(u) => r.utilities.push(calx_core::UtilityUse { utility: u, purpose: purpose.into(), rate }),
        // An unknown utility cannot be accounted for; keep it visible rather than drop it.
        None => r.note(format!("plugin reported unknown utility code {code} ({purpose}: {rate})")),
    });
}

extern "C" fn material(ctx: *mut c_void, purpose: *const u8, purpose_len: usize, component: usize, rate: f64) {
    // SAFETY: as above.
    let purpose = unsafe { text(purpose, purpose_len) };
    // ABI v1 carries no temperature: plugin make-up material enters at 25 degC (the SDK
    // refuses any other).
    with_report(ctx, |r| r.material(purpose, component, rate));
}

extern "C" fn size(ctx: *mut c_void, name: *const u8, name_len: usize, value: f64, dimension: *const i8) {
    // SAFETY: `dimension` points to six exponents for the duration of the callback.
    let (name, d) = unsafe { (text(name, name_len), std::slice::from_raw_parts(dimension, 6)) };
    let dimension = Dimension { mass: d[0], length: d[1], time: d[2], temperature: d[3], amount: d[4], money: d[5] };
    with_report(ctx, |r| r.sizes.push(calx_core::SizeFigure { name: name.into(), value, dimension }));
}

extern "C" fn note(ctx: *mut c_void, ptr: *const u8, len: usize) {
    // SAFETY: as above.
    let t = unsafe { text(ptr, len) };
    with_report(ctx, |r| r.notes.push(t));
}

/// The logging callback installed in every loaded library: messages become host `tracing`
/// events with target `calx_plugin` and the plugin's module path as a field.
pub(crate) extern "C" fn host_log(
    level: u32,
    target: *const u8,
    target_len: usize,
    message: *const u8,
    message_len: usize,
) {
    // SAFETY: strings are borrowed for the duration of the callback.
    let (target, message) = unsafe { (text(target, target_len), text(message, message_len)) };
    let _ = catch_unwind(|| match level {
        0 => tracing::error!(target: "calx_plugin", plugin = %target, "{message}"),
        1 => tracing::warn!(target: "calx_plugin", plugin = %target, "{message}"),
        2 => tracing::info!(target: "calx_plugin", plugin = %target, "{message}"),
        3 => tracing::debug!(target: "calx_plugin", plugin = %target, "{message}"),
        _ => tracing::trace!(target: "calx_plugin", plugin = %target, "{message}"),
    });
}
