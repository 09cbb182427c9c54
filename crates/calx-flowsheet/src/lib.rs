//! calx-flowsheet (being written).
