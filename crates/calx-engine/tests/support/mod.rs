//! What the engine's small test flowsheets are made of: one component, quicklime, and a
//! feed of it.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::{Component, ComponentSet, ParamValue, Params, Phase};
use calx_engine::UnitDef;

/// A component set of CaO alone.
pub fn quicklime() -> Arc<ComponentSet> {
    Arc::new(ComponentSet::new(vec![Component::from_formula("CaO", "CaO", Phase::Solid).unwrap()]).unwrap())
}

/// The feed `lime`: 1 kg/s of CaO at 25 degC and 1 atm into stream `outlet`.
pub fn lime_feed(outlet: &str) -> UnitDef {
    let params = Params::new(BTreeMap::from([
        ("total".to_string(), ParamValue::Number(1.0)),
        ("composition".to_string(), ParamValue::Map(BTreeMap::from([("CaO".to_string(), ParamValue::Number(1.0))]))),
        ("T".to_string(), ParamValue::Number(298.15)),
        ("P".to_string(), ParamValue::Number(101325.0)),
    ]));
    UnitDef {
        name: "lime".into(),
        unit_type: Arc::new(calx_generic::Feed),
        params,
        inlets: vec![],
        outlets: vec![("out".into(), vec![outlet.into()])],
    }
}
