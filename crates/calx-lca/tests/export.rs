//! `calx lca export --format olca` of the KIGAM 2022 reference plant
//! (`flowsheets/kigam-cfbc-2022.yaml`): the zip's entities, one per `FOLDER/ID.json` named by
//! its id, listed in an insta snapshot, and the functional-unit process taking one operation of
//! every unit. (The Python tests, crates/calx-python/tests/test_lca_export.py, read the same
//! export with the olca-schema package and compute its scores.)

use std::path::Path;

/// The entries of a zip archive written with stored entries (as the olca export is):
/// (name, data), read from the local file headers.
fn stored_entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([zip[i], zip[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    while zip[at..at + 4] == [0x50, 0x4b, 0x03, 0x04] {
        assert_eq!(u16_at(at + 8), 0, "stored");
        let (size, name_len, extra) = (u32_at(at + 18), u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8(zip[at + 30..at + 30 + name_len].to_vec()).expect("a UTF-8 name");
        let start = at + 30 + name_len + extra;
        out.push((name, zip[start..start + size].to_vec()));
        at = start + size;
    }
    out
}

#[test]
fn the_olca_export_of_the_reference_plant_lists_its_entities_and_links_its_units() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flowsheets/kigam-cfbc-2022.yaml");
    let zip = calx::lca_export(&path, &calx::LoadOptions::default(), None, calx::LcaExportFormat::Olca)
        .unwrap_or_else(|e| panic!("{e}"));
    let entries = stored_entries(&zip);
    assert_eq!(entries[0], ("olca-schema.json".to_string(), b"{\"version\": 2}".to_vec()));
    let entities: Vec<serde_json::Value> = entries[1..]
        .iter()
        .map(|(name, data)| {
            let v: serde_json::Value = serde_json::from_slice(data).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(format!("{}.json", v["@id"].as_str().expect("an id")), name.rsplit('/').next().unwrap());
            v
        })
        .collect();
    let listing: Vec<String> = entries[1..]
        .iter()
        .zip(&entities)
        .map(|((name, _), v)| format!("{} {} {}", name.split('/').next().unwrap(), v["@type"], v["name"]))
        .collect();
    insta::assert_snapshot!("olca_export_listing", listing.join("\n"));
    // The functional-unit process takes one operation of each unit; a unit process, the
    // electricity of its report per functional unit, linked to the background process.
    let root_process = entities
        .iter()
        .find(|v| {
            v["@type"] == "Process"
                && v["exchanges"][0]["flow"]["name"].as_str().unwrap().ends_with("of stream `product`")
        })
        .expect("the functional-unit process");
    let exchanges: Vec<String> = root_process["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{} {} {}", x["isInput"], x["amount"], x["flow"]["name"]))
        .collect();
    insta::assert_snapshot!("olca_export_functional_unit_process", exchanges.join("\n"));
}

mod hand_built {
    //! A hand-built kiln (1 kg/s of lime, 100 kW of electricity, CO2 and CH4 generated) over a
    //! background with a loop (the grid needs upkeep, upkeep needs the grid): both exports hold
    //! a unit process with its direct emissions and the loop's linked providers, and the system
    //! they describe scores what Calx computed and what the hand computation below gives.

    use std::sync::Arc;

    use calx_core::result::{
        Endpoint, EnergyBalance, FlowsheetResult, SolverReport, StreamResult, StreamRole, UnitResult,
    };
    use calx_core::{Component, ComponentSet, Phase, Stream, UnitReport, Utility};
    use calx_lca::{Background, Database, ExportInfo, FunctionalUnit, LcaConfig, Mapping, assess_with};
    use nalgebra::{DMatrix, DVector};
    use serde_json::Value;

    /// IPCC AR6 WG1 (2021) Table 7.15: GWP100 of CH4 (fossil).
    const CH4_GWP100: f64 = 29.8;
    /// The kiln's generated gases, kg/s, and its electricity, W.
    const CO2: f64 = 0.44;
    const CH4: f64 = 0.001;
    const POWER: f64 = 1e5;

    fn kiln() -> FlowsheetResult {
        let comps = vec![
            Component::from_formula("CaCO3", "CaCO3", Phase::Solid).unwrap(),
            Component::from_formula("CaO", "CaO", Phase::Solid).unwrap(),
            Component::from_formula("CO2", "CO2", Phase::Gas).unwrap(),
            Component::from_formula("CH4", "CH4", Phase::Gas).unwrap(),
        ];
        let set = Arc::new(ComponentSet::new(comps).unwrap());
        let stream = |flows: &[(usize, f64)]| {
            let mut s = Stream::empty(4);
            for &(i, w) in flows {
                s.flows[i] = w;
            }
            s
        };
        let end = |unit: &str, port: &str| Some(Endpoint { unit: unit.into(), port: port.into() });
        let mut report = UnitReport::default();
        report.utility(Utility::Electricity, "drive", POWER);
        let result = |name: &str, role, source, destination, s| StreamResult {
            name: String::from(name),
            role,
            source,
            destination,
            stream: s,
            aqueous: None,
        };
        FlowsheetResult {
            name: "kiln".into(),
            components: set,
            streams: vec![
                result(
                    "limestone",
                    StreamRole::Feed,
                    end("limestone", "out"),
                    end("kiln", "feed"),
                    stream(&[(0, 1.0)]),
                ),
                result("product", StreamRole::Product, end("kiln", "solids"), None, stream(&[(1, 1.0)])),
                result("kiln_gas", StreamRole::Product, end("kiln", "gas"), None, stream(&[(2, CO2), (3, CH4)])),
            ],
            units: vec![UnitResult {
                name: "kiln".into(),
                type_name: "test".into(),
                report,
                balance: vec![],
                energy: EnergyBalance::NotApplicable,
            }],
            balance: vec![],
            energy: EnergyBalance::NotApplicable,
            solver: SolverReport::default(),
        }
    }

    fn background() -> Background {
        let mut db = Database::builtin();
        db.extend_from(
            "process | grid | 1 kWh | a grid that needs upkeep | [U] test\n\
             emission | grid | CO2, fossil | 0.4 kg\ninput | grid | upkeep | 0.01 t\n\
             process | upkeep | 1 t | grid upkeep | [U] test\n\
             input | upkeep | grid | 20 kWh\nemission | upkeep | CH4, fossil | 1 kg\n",
            "test",
        )
        .unwrap();
        let mut config = LcaConfig::new(FunctionalUnit::tonne_of("product"));
        config.utilities.insert(Utility::Electricity, Mapping::to("grid"));
        config.streams.insert("limestone".into(), Mapping::excluded("outside this test's boundary"));
        Background::new(db, config).unwrap()
    }

    /// A linear system in the export's terms: products (rows) made or used by processes
    /// (columns), elementary flows emitted, and the factors of one category.
    #[derive(Default)]
    struct System {
        products: Vec<String>,
        flows: Vec<String>,
        /// (product, process, amount): + made, - used.
        a: Vec<(usize, usize, f64)>,
        b: Vec<(usize, usize, f64)>,
        factors: Vec<(String, f64)>,
    }

    impl System {
        fn index(list: &mut Vec<String>, name: &str) -> usize {
            list.iter().position(|x| x == name).unwrap_or_else(|| {
                list.push(name.to_string());
                list.len() - 1
            })
        }

        /// The score of one unit of `root`'s product: A s = f, h = c . (B s).
        fn score(&self, root: usize) -> f64 {
            let n = self.products.len();
            let mut a = DMatrix::<f64>::zeros(n, n);
            for &(i, j, x) in &self.a {
                a[(i, j)] += x;
            }
            let mut f = DVector::<f64>::zeros(n);
            f[root] = 1.0;
            let s = a.lu().solve(&f).expect("a productive system");
            let mut g = vec![0.0; self.flows.len()];
            for &(i, j, x) in &self.b {
                g[i] += x * s[j];
            }
            self.factors
                .iter()
                .map(|(flow, cf)| cf * self.flows.iter().position(|x| x == flow).map_or(0.0, |i| g[i]))
                .sum()
        }
    }

    /// bw2data's `JsonSanitizer` decoding of a dict's entries.
    fn entries(v: &Value) -> Vec<(&Value, &Value)> {
        assert_eq!(v["__dict__"], true, "{v}");
        v["keys"].as_array().unwrap().iter().zip(v["values"].as_array().unwrap()).collect()
    }
    fn field<'v>(v: &'v Value, key: &str) -> &'v Value {
        entries(v).into_iter().find(|(k, _)| *k == key).map(|(_, x)| x).unwrap_or(&Value::Null)
    }
    fn code(key: &Value) -> String {
        key["data"][1].as_str().unwrap().to_string()
    }

    fn brightway_system(json: &str, category: &str) -> (System, usize) {
        let objects: Vec<Value> = serde_json::from_str(json).unwrap();
        let mut s = System::default();
        let processes = field(&objects[1], "data");
        for (_, activity) in entries(processes) {
            let j = System::index(&mut s.products, field(activity, "code").as_str().unwrap());
            for x in field(activity, "exchanges").as_array().unwrap() {
                let (input, amount) = (code(field(x, "input")), field(x, "amount").as_f64().unwrap());
                match field(x, "type").as_str().unwrap() {
                    "production" => s.a.push((System::index(&mut s.products, &input), j, amount)),
                    "technosphere" => s.a.push((System::index(&mut s.products, &input), j, -amount)),
                    "biosphere" => s.b.push((System::index(&mut s.flows, &input), j, amount)),
                    other => panic!("exchange type {other}"),
                }
            }
        }
        let method =
            objects[2..].iter().find(|m| field(m, "name")["data"][1] == category).expect("a method per category");
        for pair in field(method, "data").as_array().unwrap() {
            s.factors.push((code(&pair["data"][0]), pair["data"][1].as_f64().unwrap()));
        }
        let root = s.products.iter().position(|p| p == calx_lca::export::BRIGHTWAY_FUNCTIONAL_UNIT).unwrap();
        (s, root)
    }

    fn olca_system(zip: &[u8], category: &str) -> (System, usize) {
        let entities: Vec<Value> =
            super::stored_entries(zip)[1..].iter().map(|(_, d)| serde_json::from_slice(d).unwrap()).collect();
        let of = |t: &'static str| entities.iter().filter(move |v| v["@type"] == t);
        let mut s = System::default();
        for p in of("Process") {
            let product = p["exchanges"][0]["flow"]["@id"].as_str().unwrap();
            let j = System::index(&mut s.products, product);
            for x in p["exchanges"].as_array().unwrap() {
                let (flow, amount) = (x["flow"]["@id"].as_str().unwrap(), x["amount"].as_f64().unwrap());
                let input = x["isInput"] == true;
                let elementary =
                    of("Flow").any(|f| f["@id"].as_str() == Some(flow) && f["flowType"] == "ELEMENTARY_FLOW");
                if elementary {
                    s.b.push((System::index(&mut s.flows, flow), j, if input { -amount } else { amount }));
                } else {
                    s.a.push((System::index(&mut s.products, flow), j, if input { -amount } else { amount }));
                }
            }
        }
        let c = of("ImpactCategory").find(|c| c["name"] == category).expect("the category");
        for f in c["impactFactors"].as_array().unwrap() {
            s.factors.push((f["flow"]["@id"].as_str().unwrap().to_string(), f["value"].as_f64().unwrap()));
        }
        let system = of("ProductSystem").next().expect("a product system");
        let root_process = of("Process").find(|p| p["@id"] == system["refProcess"]["@id"]).unwrap();
        let root = System::index(&mut s.products, root_process["exchanges"][0]["flow"]["@id"].as_str().unwrap());
        (s, root)
    }

    #[test]
    fn both_exports_of_a_kiln_over_a_looped_background_score_as_calx_and_by_hand() {
        let (result, background) = (kiln(), background());
        let assessed = assess_with(&result, &background).unwrap();
        let info = ExportInfo { calx_version: "test".into(), analysis: "lca".into() };
        let json = calx_lca::brightway_package(&assessed, &background, &info).unwrap();
        let zip = calx_lca::olca_zip(&assessed, &background, &info).unwrap();
        // By hand, per t of product (1000 s): the grid's loop makes 1/(1 - 0.01 x 20) = 1.25 kWh
        // and 0.0125 t of upkeep per kWh delivered, so 0.4 x 1.25 = 0.5 kg CO2 and 0.0125 kg
        // CH4 per kWh; 100 kW x 1000 s = 27.78 kWh; direct 440 kg CO2 and 1 kg CH4.
        let kwh = POWER * 1000.0 / 3.6e6;
        let hand = kwh * (0.5 + 0.0125 * CH4_GWP100) + 1000.0 * (CO2 + CH4 * CH4_GWP100);
        let calx = assessed.emissions.per_functional_unit;
        assert!((calx - hand).abs() <= 1e-9 * hand, "Calx {calx} against {hand} by hand");
        for category in ["GWP100 (IPCC AR6)", "GWP20 (IPCC AR6)", "GWP100 (IPCC AR5)"] {
            let expected =
                assessed.categories.iter().find(|c| c.name == category).unwrap().emissions.per_functional_unit;
            let (bw, root) = brightway_system(&json, category);
            let got = bw.score(root);
            assert!((got - expected).abs() <= 1e-12 * expected, "Brightway {category}: {got} against {expected}");
            let (olca, root) = olca_system(&zip, category);
            let got = olca.score(root);
            assert!((got - expected).abs() <= 1e-12 * expected, "openLCA {category}: {got} against {expected}");
        }
        // The unit process holds the direct emissions as elementary flows.
        assert!(json.contains("\"CH4, fossil\"") && json.contains("direct"), "direct emissions exported");
    }
}
