//! Study variants over a changed plant, shared by the `sample_cost` example and the `study`
//! benchmark (each includes this file), so that both measure the same study.

use std::path::Path;

/// The reference study over the plant whose carbonator is rate-based (`mode: rate`: one
/// stirred tank of 1 h, shrinking core under reaction control, k = 1.2 1/h for both
/// hydroxides, about the paper's 70 % conversion); the carbonation conversion parameter gives
/// way to the Ca(OH)2 rate constant. Returns the study's text and the plant's.
pub fn rate_carbonator(root: &Path) -> (String, String) {
    let read = |file: &str| std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let (study, plant) = (read("flowsheets/kigam-cfbc-2022-uncertainty.yaml"), read("flowsheets/kigam-cfbc-2022.yaml"));
    let conversions = "conversion: { Ca(OH)2: 0.69993224932249, Mg(OH)2: 0.70144628099174 }";
    assert!(plant.contains(conversions), "the reference carbonator's conversions changed: update this variant");
    let rate = "mode: rate\n      rate_law: shrinking_core_reaction\n      rate_constant: { Ca(OH)2: 1.2 1/h, Mg(OH)2: 1.2 1/h }\n      residence_time: 1 h";
    let study = study.replace(
        "  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: { type: triangular, low: 0.6, mode: 0.69993224932249, high: 0.9 }",
        "  - path: units.carbonation.rate_constant.Ca(OH)2\n    unit: 1/h\n    distribution: { type: triangular, low: 0.8, mode: 1.2, high: 2 }",
    );
    assert!(study.contains("rate_constant") && !study.contains("carbonation.conversion"), "variant made");
    (study, plant.replace(conversions, rate))
}
