//! Stream-table rows of aqueous properties (pH, ionic strength, dissolved carbon and calcium,
//! saturation indices), shared by the text tables and the report.

use calx_core::aqueous::AqueousProperties;
use calx_core::result::StreamResult;

use crate::format::sig;

/// Saturation indices shown: minerals within this many log units of saturation in at least
/// one stream of the table (further ones are far from forming or dissolving).
const SI_SHOWN_WITHIN: f64 = 4.0;

/// Rows (label, one cell per stream) for `streams`; none when no stream has aqueous
/// properties.
pub(crate) fn rows(streams: &[StreamResult]) -> Vec<(String, Vec<String>)> {
    if streams.iter().all(|s| s.aqueous.is_none()) {
        return Vec::new();
    }
    let cell = |f: &dyn Fn(&AqueousProperties) -> String| -> Vec<String> {
        streams.iter().map(|s| s.aqueous.as_ref().map_or("-".into(), f)).collect()
    };
    let mut rows = vec![
        ("pH".to_string(), cell(&|a| format!("{:.2}", a.ph))),
        ("ionic strength [mol/kg]".to_string(), cell(&|a| sig(a.ionic_strength, 3))),
        ("DIC [mmol/kg]".to_string(), cell(&|a| sig(1e3 * a.dissolved_inorganic_carbon, 3))),
    ];
    for element in ["Ca", "Mg"] {
        if streams.iter().any(|s| s.aqueous.as_ref().is_some_and(|a| a.dissolved(element).is_some())) {
            rows.push((
                format!("dissolved {element} [mmol/kg]"),
                cell(&|a| a.dissolved(element).map_or("-".into(), |m| sig(1e3 * m, 3))),
            ));
        }
    }
    for mineral in minerals_near_saturation(streams) {
        rows.push((format!("SI {mineral}"), cell(&|a| a.saturation_index(&mineral).map_or("-".into(), two_decimals))));
    }
    if streams.iter().any(|s| s.aqueous.as_ref().is_some_and(|a| a.warning.is_some())) {
        rows.push((
            "activity model".into(),
            cell(&|a| if a.warning.is_some() { "beyond its range".into() } else { "ok".into() }),
        ));
    }
    rows
}

/// A saturation index to two decimals, without the "-0.00" of a mineral a hair below
/// saturation (the solver's 1e-11 are not news).
fn two_decimals(si: f64) -> String {
    format!("{:.2}", (si * 100.0).round() / 100.0 + 0.0)
}

/// Minerals near saturation in some stream, in the order the first stream lists them.
fn minerals_near_saturation(streams: &[StreamResult]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in streams.iter().filter_map(|s| s.aqueous.as_ref()) {
        for (m, si) in &a.saturation_indices {
            if si.abs() <= SI_SHOWN_WITHIN && !out.contains(m) {
                out.push(m.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use calx_core::Stream;
    use calx_core::aqueous::{ActivityModel, AqueousProperties};
    use calx_core::result::{StreamResult, StreamRole};

    use super::rows;

    fn stream(aqueous: Option<AqueousProperties>) -> StreamResult {
        StreamResult {
            name: "s".into(),
            role: StreamRole::Internal,
            source: None,
            destination: None,
            stream: Stream::empty(1),
            aqueous,
        }
    }

    fn props(si: &[(&str, f64)], warning: Option<&str>) -> AqueousProperties {
        AqueousProperties {
            ph: 12.4636,
            ionic_strength: 0.0524,
            dissolved_inorganic_carbon: 0.0,
            alkalinity: 0.04,
            dissolved: vec![("Ca".into(), 0.0204)],
            saturation_indices: si.iter().map(|(m, x)| (m.to_string(), *x)).collect(),
            activity_model: ActivityModel::ExtendedDebyeHuckel,
            warning: warning.map(str::to_string),
        }
    }

    #[test]
    fn no_rows_without_aqueous_properties() {
        assert!(rows(&[stream(None), stream(None)]).is_empty());
    }

    #[test]
    fn rows_show_ph_dissolved_calcium_and_minerals_near_saturation_only() {
        let a = props(&[("Portlandite", -1e-12), ("Lime", -9.77), ("Calcite", 3.5)], None);
        let r = rows(&[stream(Some(a)), stream(None)]);
        let labels: Vec<&str> = r.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "pH",
                "ionic strength [mol/kg]",
                "DIC [mmol/kg]",
                "dissolved Ca [mmol/kg]",
                "SI Portlandite",
                "SI Calcite"
            ]
        );
        assert_eq!(r[0].1, ["12.46", "-"]);
        assert_eq!(r[3].1[0], "20.4");
        assert_eq!(r[4].1[0], "0.00", "a hair below saturation is not -0.00");
    }

    #[test]
    fn a_stream_beyond_the_activity_model_is_flagged() {
        let beyond = props(&[], Some("beyond"));
        let r = rows(&[stream(Some(props(&[], None))), stream(Some(beyond))]);
        let flag = r.iter().find(|(l, _)| l == "activity model").expect("a flag row");
        assert_eq!(flag.1, ["ok", "beyond its range"]);
    }
}
