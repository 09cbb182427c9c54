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
