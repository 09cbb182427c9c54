//! The plugin side of the ABI: the function table every SDK-built library exports. Every
//! `extern "C"` function here catches panics (a panic escaping an `extern "C"` function
//! aborts the process) and reports them as [`Status::PANIC`] with the panic message.

use std::any::Any;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use calx_core::unit::{UnitConfig, UnitError, UnitOperation, UnitReport};
use calx_core::{ComponentSet, Stream};
use calx_plugin_abi::wire::UnitConfigMessage;
use calx_plugin_abi::{Buffer, CalcCall, LogFn, PluginTable, ReportSink, Status};

use crate::Plugin;
use crate::convert::{
    component_set_from_wire, connections_from_wire, params_from_wire, unit_error_to_wire, utility_code,
};

/// The table of every SDK-built plugin.
pub(crate) static TABLE: PluginTable = PluginTable {
    size: std::mem::size_of::<PluginTable>(),
    free_buffer,
    manifest,
    create,
    calculate,
    destroy,
    set_logger,
    analysis_create: analysis::create,
    analysis_run: analysis::run,
    analysis_destroy: analysis::destroy,
    analysis_figures: analysis::figures,
    analysis_set_number: analysis::set_number,
};

mod analysis;

/// The same functions behind a table that says it is ABI 1.0's (no analysis functions): what
/// a library built before analyses existed hands the host. For the host's compatibility
/// test only.
pub(crate) static TABLE_V1_0: PluginTable = PluginTable { size: calx_plugin_abi::TABLE_SIZE_V1_0, ..TABLE };

/// Why an entry point failed.
enum Fail {
    Unit(UnitError),
    Analysis(calx_core::AnalysisError),
    Other(String),
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// Run `f`, catching panics; failures are written into `error` (when not null).
fn guarded(error: *mut Buffer, f: impl FnOnce() -> Result<(), Fail>) -> Status {
    let (status, message) = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return Status::OK,
        Ok(Err(Fail::Unit(e))) => (
            Status::UNIT_ERROR,
            serde_json::to_vec(&unit_error_to_wire(&e)).unwrap_or_else(|_| e.to_string().into_bytes()),
        ),
        Ok(Err(Fail::Analysis(e))) => (
            Status::ANALYSIS_ERROR,
            serde_json::to_vec(&crate::convert::analysis::analysis_error_to_wire(&e))
                .unwrap_or_else(|_| e.to_string().into_bytes()),
        ),
        Ok(Err(Fail::Other(m))) => (Status::ERROR, m.into_bytes()),
        Err(payload) => (Status::PANIC, panic_message(payload.as_ref()).into_bytes()),
    };
    if !error.is_null() {
        // SAFETY: the host passes a valid, writable Buffer slot (or null).
        unsafe { error.write(Buffer::from_vec(message)) };
    }
    status
}

extern "C" fn free_buffer(buffer: Buffer) {
    // SAFETY: the host only returns buffers this library handed out, once each.
    let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { buffer.into_vec() })));
}

extern "C" fn set_logger(logger: LogFn) {
    let _ = catch_unwind(|| crate::log::install(logger));
}

extern "C" fn manifest(plugin: *const c_void, out: *mut Buffer) -> Status {
    guarded(out, || {
        // SAFETY: `plugin` is the pointer our own header handed out: a `&'static Plugin`.
        let plugin = unsafe { &*plugin.cast::<Plugin>() };
        let json = serde_json::to_vec(&plugin.manifest()).map_err(|e| Fail::Other(e.to_string()))?;
        // SAFETY: the host passes a valid, writable Buffer slot.
        unsafe { out.write(Buffer::from_vec(json)) };
        Ok(())
    })
}

/// A unit created for the host, with scratch streams reused across calls.
struct PluginUnit {
    op: Box<dyn UnitOperation>,
    n_components: usize,
    n_inlets: usize,
    n_outlets: usize,
    scratch: Mutex<Scratch>,
}

struct Scratch {
    inlets: Vec<Stream>,
    outlets: Vec<Stream>,
    report: UnitReport,
}

extern "C" fn create(
    plugin: *const c_void,
    config: *const u8,
    config_len: usize,
    unit: *mut *mut c_void,
    error: *mut Buffer,
) -> Status {
    guarded(error, || {
        // SAFETY: our own `&'static Plugin`, and `config_len` readable bytes from the host.
        let (plugin, bytes) = unsafe { (&*plugin.cast::<Plugin>(), std::slice::from_raw_parts(config, config_len)) };
        let msg: UnitConfigMessage =
            serde_json::from_slice(bytes).map_err(|e| Fail::Other(format!("unit configuration: {e}")))?;
        let unit_type = plugin
            .types()
            .iter()
            .find(|t| t.descriptor().type_name == msg.type_name)
            .ok_or_else(|| Fail::Other(format!("{} has no unit type `{}`", plugin.provider(), msg.type_name)))?;
        let set: Arc<ComponentSet> =
            Arc::new(component_set_from_wire(&msg.components).map_err(|e| Fail::Other(e.to_string()))?);
        let (params, connections) = (params_from_wire(&msg.params), connections_from_wire(&msg.connections));
        let cfg = UnitConfig { name: &msg.name, components: &set, params: &params, connections: &connections };
        let op = unit_type.create(&cfg).map_err(Fail::Unit)?;
        let n = set.len();
        let (n_inlets, n_outlets) = (connections.inlet_count(), connections.outlet_count());
        let boxed = Box::new(PluginUnit {
            op,
            n_components: n,
            n_inlets,
            n_outlets,
            scratch: Mutex::new(Scratch {
                inlets: vec![Stream::empty(n); n_inlets],
                outlets: vec![Stream::empty(n); n_outlets],
                report: UnitReport::default(),
            }),
        });
        // SAFETY: the host passes a valid, writable handle slot.
        unsafe { unit.write(Box::into_raw(boxed).cast()) };
        Ok(())
    })
}

extern "C" fn destroy(unit: *mut c_void) {
    if !unit.is_null() {
        // SAFETY: a handle from `create`, destroyed once by the host.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(unit.cast::<PluginUnit>()) })));
    }
}

fn read_stream(s: &mut Stream, values: &[f64]) {
    let n = values.len() - 2;
    s.flows.clear();
    s.flows.extend_from_slice(&values[..n]);
    s.temperature = values[n];
    s.pressure = values[n + 1];
}

extern "C" fn calculate(unit: *const c_void, call: *const CalcCall, error: *mut Buffer) -> Status {
    guarded(error, || {
        // SAFETY: a live handle from `create` and a CalcCall valid for this call.
        let (unit, call) = unsafe { (&*unit.cast::<PluginUnit>(), &*call) };
        if call.n_components != unit.n_components || call.n_inlets != unit.n_inlets || call.n_outlets != unit.n_outlets
        {
            return Err(Fail::Other(format!(
                "stream layout mismatch: {} components, {} inlets, {} outlets expected; the host sent {}, {}, {}",
                unit.n_components, unit.n_inlets, unit.n_outlets, call.n_components, call.n_inlets, call.n_outlets
            )));
        }
        let stride = unit.n_components + 2;
        // SAFETY: the host passes n_inlets * stride readable and n_outlets * stride writable
        // values, not aliased, for the duration of the call.
        let (inlets, outlets, sink) = unsafe {
            (
                slice(call.inlets, call.n_inlets * stride),
                slice_mut(call.outlets, call.n_outlets * stride),
                &*call.report,
            )
        };
        let mut guard = unit.scratch.lock().unwrap_or_else(|e| e.into_inner());
        let scratch = &mut *guard;
        for (s, v) in scratch.inlets.iter_mut().zip(inlets.chunks_exact(stride)) {
            read_stream(s, v);
        }
        scratch.report.clear();
        unit.op.calculate(&scratch.inlets, &mut scratch.outlets, &mut scratch.report).map_err(Fail::Unit)?;
        refuse_warm_materials(&scratch.report).map_err(Fail::Unit)?;
        refuse_work(&scratch.report).map_err(Fail::Unit)?;
        for (i, (s, v)) in scratch.outlets.iter().zip(outlets.chunks_exact_mut(stride)).enumerate() {
            if s.flows.len() != unit.n_components {
                return Err(Fail::Other(format!(
                    "outlet {i} has {} flows, expected {}",
                    s.flows.len(),
                    unit.n_components
                )));
            }
            v[..unit.n_components].copy_from_slice(&s.flows);
            v[unit.n_components] = s.temperature;
            v[unit.n_components + 1] = s.pressure;
        }
        forward(&scratch.report, sink);
        Ok(())
    })
}

/// ABI v1 hands make-up material over without a temperature, and the host takes it as
/// entering at 25 degC: material at any other temperature would enter the energy balance
/// wrongly, so it is an error rather than a silent change.
fn refuse_warm_materials(report: &UnitReport) -> Result<(), UnitError> {
    match report.materials.iter().find(|m| m.temperature != calx_core::stream::STANDARD_TEMPERATURE) {
        Some(m) => Err(UnitError::Calculation(format!(
            "make-up material `{}` enters at {} K, but plugin ABI v1 carries make-up material at 25 degC only \
             (report it with `UnitReport::material`)",
            m.purpose, m.temperature
        ))),
        None => Ok(()),
    }
}

/// ABI v1 has no callback for shaft work: a plugin unit that declared it would reach the
/// host without it and fail the energy balance for a reason it could not see, so it is an
/// error here, naming the cause.
fn refuse_work(report: &UnitReport) -> Result<(), UnitError> {
    match report.work.first() {
        Some(w) => Err(UnitError::Calculation(format!(
            "shaft work `{}` cannot be handed over: plugin ABI v1 carries no shaft work (only built-in units declare it)",
            w.purpose
        ))),
        None => Ok(()),
    }
}

/// Hand the report's items to the host, borrowing their strings for each callback.
fn forward(report: &UnitReport, sink: &ReportSink) {
    for u in &report.utilities {
        (sink.utility)(sink.ctx, utility_code(u.utility), u.purpose.as_ptr(), u.purpose.len(), u.rate);
    }
    for m in &report.materials {
        (sink.material)(sink.ctx, m.purpose.as_ptr(), m.purpose.len(), m.component, m.rate);
    }
    for s in &report.sizes {
        let d = s.dimension;
        let exps = [d.mass, d.length, d.time, d.temperature, d.amount, d.money];
        (sink.size)(sink.ctx, s.name.as_ptr(), s.name.len(), s.value, exps.as_ptr());
    }
    for n in &report.notes {
        (sink.note)(sink.ctx, n.as_ptr(), n.len());
    }
}

/// # Safety
/// `ptr` must point to `len` readable values (or `len` be 0).
unsafe fn slice<'a>(ptr: *const f64, len: usize) -> &'a [f64] {
    if len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(ptr, len) } }
}

/// # Safety
/// `ptr` must point to `len` writable, unaliased values (or `len` be 0).
unsafe fn slice_mut<'a>(ptr: *mut f64, len: usize) -> &'a mut [f64] {
    if len == 0 { &mut [] } else { unsafe { std::slice::from_raw_parts_mut(ptr, len) } }
}
