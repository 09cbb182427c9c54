//! The C ABI between the Calx host and unit-operation plugin libraries.
//!
//! Rust has no stable ABI, so nothing Rust-specific crosses the library boundary. A plugin
//! exports ONE symbol, [`ENTRY_SYMBOL`] (`calx_plugin_entry_v1`), of type [`EntryFn`]. It
//! returns a [`PluginHeader`] by value: [`MAGIC`], the ABI major/minor version the plugin
//! was built against, and a pointer to an append-only [`PluginTable`] of `extern "C"`
//! functions whose first field is its own size. The host checks magic and major version
//! BEFORE it reads the table, and reads a table field only if the recorded size covers it.
//!
//! Two kinds of data cross:
//! - **once, as JSON messages** (`serde_json` with exact float round-trip) of the types in
//!   [`wire`], which this crate owns and which ARE the format: the [`wire::Manifest`] at
//!   load time, a [`wire::UnitConfigMessage`] (type name, parameters, connections, the
//!   component set) when a unit is created, and a [`wire::UnitError`] when a unit refuses
//!   its configuration or fails;
//! - **per call, flat `#[repr(C)]` data**: a [`CalcCall`] with inlet and outlet streams as
//!   `f64` arrays (per stream: the component flows in kg/s, then T in K, then P in Pa) and
//!   a [`ReportSink`] of host callbacks through which the plugin hands over utilities
//!   (as the `UTILITY_*` codes), materials, size figures and notes, borrowing its strings
//!   for the duration of the call.
//!
//! This crate depends on no other Calx crate: it is the boundary, and calx-core's types
//! may change without changing it. `calx-plugin-sdk` converts calx-core to wire types for
//! what a plugin sends (descriptors, unit errors) and back for what it receives (the unit
//! configuration); `calx-plugin-host` does the opposite directions. Each side converts only
//! what it sends or receives, with exhaustive destructuring, so a calx-core change that
//! would alter a message fails to compile in one of them.
//!
//! Memory: every [`Buffer`] is owned by the side that allocated it. Buffers the plugin
//! returns (manifest, error messages) are released by the host through
//! [`PluginTable::free_buffer`]; the host never frees plugin memory itself, and the plugin
//! never keeps pointers into host memory after a call returns. Libraries are never unloaded.
//!
//! ABI 1.1 appended five functions (`analysis_create`, `analysis_run`, `analysis_destroy`,
//! `analysis_figures`, `analysis_set_number`) and the analysis messages: a library may export analysis types beside unit types. Each
//! run sends a [`wire::AnalysisRequest`] (the converged flowsheet as a read-only view) and
//! receives a [`wire::AnalysisResult`], both JSON; a figures-only run (every sample of a
//! study) takes the flat path of [`FiguresCall`] instead, where the view's structure crosses
//! as JSON only when it changes and its numbers as one `f64` array; a 1.0 library (table of
//! [`TABLE_SIZE_V1_0`] bytes, manifest without `analyses`) still loads, with units only.
//!
//! Rules for changing this file: a new function is appended to [`PluginTable`] and bumps
//! [`ABI_MINOR`]; any other change (reordering, changing a signature or a `#[repr(C)]`
//! struct) bumps [`ABI_MAJOR`] and the entry symbol's suffix. The JSON messages have their
//! own rules, in [`wire`].

#![allow(unsafe_code)]

pub mod wire;

use std::ffi::c_void;

/// `"CALXPLUG"` as a big-endian u64: the first field of every header.
pub const MAGIC: u64 = u64::from_be_bytes(*b"CALXPLUG");
/// ABI major version: a plugin with another major version is refused.
pub const ABI_MAJOR: u32 = 1;
/// ABI minor version: grows when functions are appended to [`PluginTable`].
pub const ABI_MINOR: u32 = 1;
/// The one symbol a plugin library exports. It is also the library's Calx plugin marker: the
/// host reads the file's exported symbols (ELF `.dynsym`, Mach-O exports, PE export
/// directory) and hands only a library exporting this name to the dynamic loader.
pub const ENTRY_SYMBOL: &str = "calx_plugin_entry_v1";

/// The entry point's type: returns the header by value. It must not panic (the SDK's
/// version cannot: it only builds the struct).
pub type EntryFn = extern "C" fn() -> PluginHeader;

/// What the entry point returns.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PluginHeader {
    /// Always [`MAGIC`].
    pub magic: u64,
    /// [`ABI_MAJOR`] the plugin was built with.
    pub abi_major: u32,
    /// [`ABI_MINOR`] the plugin was built with.
    pub abi_minor: u32,
    /// The function table (static in the plugin). Read only after the version check.
    pub table: *const PluginTable,
    /// Opaque plugin context passed back to `manifest` and `create`.
    pub plugin: *const c_void,
}

/// Status returned by every table function.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    /// Success.
    pub const OK: Status = Status(0);
    /// The unit refused its configuration or failed to calculate; the error buffer holds
    /// a JSON [`wire::UnitError`].
    pub const UNIT_ERROR: Status = Status(1);
    /// The plugin panicked; the error buffer holds the panic message (UTF-8).
    pub const PANIC: Status = Status(2);
    /// Anything else (a malformed message, a size mismatch); the error buffer holds UTF-8.
    pub const ERROR: Status = Status(3);
    /// An analysis refused its configuration or failed (ABI 1.1); the error buffer holds a
    /// JSON [`wire::AnalysisError`].
    pub const ANALYSIS_ERROR: Status = Status(4);
    /// The analysis does not hold the layout the numbers of a [`FiguresCall`] follow (ABI
    /// 1.1); the host calls again with the layout.
    pub const STALE_LAYOUT: Status = Status(5);
}

/// Bytes allocated by one side and freed only by that side.
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    /// Start (null when empty).
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
    /// Allocated capacity (for the owner's deallocation).
    pub cap: usize,
}

impl Buffer {
    /// An empty buffer (nothing to free).
    pub const EMPTY: Buffer = Buffer { ptr: std::ptr::null_mut(), len: 0, cap: 0 };

    /// Hand a vector over as a buffer; only [`Buffer::into_vec`] in the SAME library may
    /// take it back.
    pub fn from_vec(v: Vec<u8>) -> Buffer {
        let mut v = std::mem::ManuallyDrop::new(v);
        Buffer { ptr: v.as_mut_ptr(), len: v.len(), cap: v.capacity() }
    }

    /// Take back a buffer made by [`Buffer::from_vec`] in this same library.
    ///
    /// # Safety
    /// `self` must come from `from_vec` in this library and not have been taken back.
    pub unsafe fn into_vec(self) -> Vec<u8> {
        if self.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: per the contract, ptr/len/cap describe a live Vec<u8> of this allocator.
        unsafe { Vec::from_raw_parts(self.ptr, self.len, self.cap) }
    }

    /// The bytes, borrowed.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes (or be null).
    pub unsafe fn as_slice(&self) -> &[u8] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: per the contract.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Host callbacks receiving a calculation's report items. `ctx` is [`ReportSink::ctx`];
/// strings are UTF-8 (pointer, length), borrowed for the duration of the callback only.
#[repr(C)]
pub struct ReportSink {
    /// Host context (its `UnitReport`).
    pub ctx: *mut c_void,
    /// A utility use: `utility` is one of [`UTILITY_ELECTRICITY`], [`UTILITY_HEATING`],
    /// [`UTILITY_COOLING`], [`UTILITY_WATER`].
    pub utility: extern "C" fn(ctx: *mut c_void, utility: u32, purpose: *const u8, purpose_len: usize, rate: f64),
    /// Material drawn from outside the flowsheet: component index and kg/s.
    pub material: extern "C" fn(ctx: *mut c_void, purpose: *const u8, purpose_len: usize, component: usize, rate: f64),
    /// A size figure: value in SI and its dimension's six exponents
    /// (mass, length, time, temperature, amount, money).
    pub size: extern "C" fn(ctx: *mut c_void, name: *const u8, name_len: usize, value: f64, dimension: *const i8),
    /// A note.
    pub note: extern "C" fn(ctx: *mut c_void, text: *const u8, text_len: usize),
}

/// One calculation, all flat data.
#[repr(C)]
pub struct CalcCall {
    /// Components per stream; each stream occupies `n_components + 2` values.
    pub n_components: usize,
    /// Inlet streams, flattened in port order: `n_inlets * (n_components + 2)` values.
    pub inlets: *const f64,
    /// Number of inlet streams.
    pub n_inlets: usize,
    /// Outlet streams, same layout; arrive as the host's current outlet values and must be
    /// fully overwritten.
    pub outlets: *mut f64,
    /// Number of outlet streams.
    pub n_outlets: usize,
    /// Where report items go.
    pub report: *const ReportSink,
}

/// One figures-only run of an analysis on the flat path (ABI 1.1). The converged flowsheet's
/// structure (names, roles, endpoints, utility purposes, closures' quantities, the earlier
/// analyses' metric names: its *layout*) stays the same from sample to sample of a study, so it
/// crosses as a JSON [`wire::AnalysisRequest`] only when it changes, numbered by
/// `layout_generation`; every call passes the numbers, flat, in the order
/// [`wire::FlowsheetView::numbers`] defines. The metrics come back through [`FiguresSink`]:
/// as JSON (names, units, values) when their names or units differ from those of
/// `metrics_generation`, else as values only.
#[repr(C)]
pub struct FiguresCall {
    /// Generation of the layout the numbers follow.
    pub layout_generation: u64,
    /// A JSON [`wire::AnalysisRequest`] holding the layout (and the components), or null when
    /// the analysis holds layout `layout_generation` from an earlier call.
    pub layout: *const u8,
    /// Bytes of `layout`.
    pub layout_len: usize,
    /// The numbers of the view, in [`wire::FlowsheetView::numbers`] order.
    pub values: *const f64,
    /// How many.
    pub n_values: usize,
    /// The generation of metric names and units the host holds (0: none).
    pub metrics_generation: u64,
}

/// Where an analysis's figures go on the flat path. `ctx` is [`FiguresSink::ctx`]; data are
/// borrowed for the duration of the callback. The analysis calls exactly one of the two.
#[repr(C)]
pub struct FiguresSink {
    /// Host context.
    pub ctx: *mut c_void,
    /// Metric names or units changed: a JSON list of [`wire::Metric`] (values included),
    /// with the generation that now names them.
    pub metrics: extern "C" fn(ctx: *mut c_void, generation: u64, json: *const u8, json_len: usize),
    /// The metric values, in the order of the names of `generation` (the host's).
    pub values: extern "C" fn(ctx: *mut c_void, generation: u64, values: *const f64, n_values: usize),
}

/// Severity of a log message sent through [`LogFn`]: 0 error, 1 warn, 2 info, 3 debug, 4 trace.
pub type LogLevel = u32;

/// Host logging callback: level, target (the plugin's provider name) and message, UTF-8.
pub type LogFn =
    extern "C" fn(level: LogLevel, target: *const u8, target_len: usize, message: *const u8, message_len: usize);

/// The function table. Append-only: `size` tells the reader which fields exist.
#[repr(C)]
pub struct PluginTable {
    /// `size_of::<PluginTable>()` as compiled into the plugin.
    pub size: usize,
    /// Release a buffer the plugin returned.
    pub free_buffer: extern "C" fn(buffer: Buffer),
    /// Write the JSON [`wire::Manifest`] into `out`.
    pub manifest: extern "C" fn(plugin: *const c_void, out: *mut Buffer) -> Status,
    /// Create a unit from a JSON [`wire::UnitConfigMessage`]; on success `*unit` is its handle.
    /// On failure `error` receives the message (see [`Status`]).
    pub create: extern "C" fn(
        plugin: *const c_void,
        config: *const u8,
        config_len: usize,
        unit: *mut *mut c_void,
        error: *mut Buffer,
    ) -> Status,
    /// Calculate a unit; on failure `error` receives the message.
    pub calculate: extern "C" fn(unit: *const c_void, call: *const CalcCall, error: *mut Buffer) -> Status,
    /// Destroy a unit handle.
    pub destroy: extern "C" fn(unit: *mut c_void),
    /// Install the host's logging callback (process-wide for this library).
    pub set_logger: extern "C" fn(logger: LogFn),
    /// ABI 1.1: create an analysis from a JSON [`wire::AnalysisConfigMessage`]; on success
    /// `*analysis` is its handle. On failure `error` receives the message (see [`Status`]).
    pub analysis_create: extern "C" fn(
        plugin: *const c_void,
        config: *const u8,
        config_len: usize,
        analysis: *mut *mut c_void,
        error: *mut Buffer,
    ) -> Status,
    /// ABI 1.1: run an analysis on a JSON [`wire::AnalysisRequest`]; on success `out`
    /// receives a JSON [`wire::AnalysisResult`], on failure `error` the message.
    pub analysis_run: extern "C" fn(
        analysis: *const c_void,
        request: *const u8,
        request_len: usize,
        out: *mut Buffer,
        error: *mut Buffer,
    ) -> Status,
    /// ABI 1.1: destroy an analysis handle.
    pub analysis_destroy: extern "C" fn(analysis: *mut c_void),
    /// ABI 1.1: an analysis's figures on the flat path (what every sample of a study asks
    /// for): see [`FiguresCall`]. [`Status::STALE_LAYOUT`] asks the host to send the layout.
    pub analysis_figures: extern "C" fn(
        analysis: *const c_void,
        call: *const FiguresCall,
        sink: *const FiguresSink,
        error: *mut Buffer,
    ) -> Status,
    /// ABI 1.1: take a new value of one numeric parameter in place, or (`value` null) give it
    /// back the value the analysis was created with, from a JSON [`wire::SetNumberMessage`]
    /// (what a study does for every sample instead of creating the analysis again); `*taken`
    /// is 1 when the analysis took it, 0 when it cannot. The host calls it only on an
    /// analysis no other thread uses.
    pub analysis_set_number: extern "C" fn(
        analysis: *mut c_void,
        request: *const u8,
        request_len: usize,
        taken: *mut u8,
        error: *mut Buffer,
    ) -> Status,
}

/// Smallest table a host of this major version accepts (every v1.0 field): a 1.0 plugin
/// provides unit types only.
pub const TABLE_SIZE_V1_0: usize = std::mem::offset_of!(PluginTable, analysis_create);
/// Smallest table that provides analyses (every v1.1 field).
pub const TABLE_SIZE_V1_1: usize = std::mem::size_of::<PluginTable>();

// The header and table only hold function pointers and pointers to static data.
// SAFETY: a table is immutable static data in the plugin; its function pointers may be
// called from any thread (the SDK's entry points are thread-safe).
unsafe impl Sync for PluginTable {}

/// [`ReportSink::utility`] code of electric power (W).
pub const UTILITY_ELECTRICITY: u32 = 0;
/// [`ReportSink::utility`] code of heat supplied to the process (W).
pub const UTILITY_HEATING: u32 = 1;
/// [`ReportSink::utility`] code of heat removed from the process (W).
pub const UTILITY_COOLING: u32 = 2;
/// [`ReportSink::utility`] code of water consumed outside the modelled streams (kg/s).
pub const UTILITY_WATER: u32 = 3;
