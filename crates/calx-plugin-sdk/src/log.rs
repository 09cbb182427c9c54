//! Plugin logging. A plugin's own `tracing` events never reach the host's subscriber when it
//! is loaded dynamically (the library has its own copy of tracing's globals), so messages go
//! through a callback the host installs at load time. When the plugin is linked statically
//! (no callback installed) they go to `tracing` directly.
//!
//! ```text
//! calx_plugin_sdk::log::debug(module_path!(), &format!("cut size {d50} m"));
//! ```

use std::sync::Mutex;

use calx_plugin_abi::LogFn;

static LOGGER: Mutex<Option<LogFn>> = Mutex::new(None);

/// Severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error = 0,
    /// Something looks wrong.
    Warn = 1,
    /// Progress.
    Info = 2,
    /// Detail.
    Debug = 3,
    /// Every step.
    Trace = 4,
}

pub(crate) fn install(logger: LogFn) {
    *LOGGER.lock().unwrap_or_else(|e| e.into_inner()) = Some(logger);
}

/// Emit a message with `target` (usually `module_path!()`).
pub fn emit(level: Level, target: &str, message: &str) {
    let logger = *LOGGER.lock().unwrap_or_else(|e| e.into_inner());
    match logger {
        Some(f) => f(level as u32, target.as_ptr(), target.len(), message.as_ptr(), message.len()),
        None => match level {
            Level::Error => tracing::error!(target: "calx_plugin", plugin = target, "{message}"),
            Level::Warn => tracing::warn!(target: "calx_plugin", plugin = target, "{message}"),
            Level::Info => tracing::info!(target: "calx_plugin", plugin = target, "{message}"),
            Level::Debug => tracing::debug!(target: "calx_plugin", plugin = target, "{message}"),
            Level::Trace => tracing::trace!(target: "calx_plugin", plugin = target, "{message}"),
        },
    }
}

/// A warning.
pub fn warn(target: &str, message: &str) {
    emit(Level::Warn, target, message);
}

/// An informational message.
pub fn info(target: &str, message: &str) {
    emit(Level::Info, target, message);
}

/// A debug message.
pub fn debug(target: &str, message: &str) {
    emit(Level::Debug, target, message);
}
