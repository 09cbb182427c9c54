//! The diagram of a flowsheet as written, before it is solved: its units (feeds as
//! terminals) and streams, named but without flows. A notebook shows it for a loaded
//! flowsheet; once solved, the report's diagram (`sections::plant`) carries the flows.

use crate::diagram::{self, Edge, Graph, Node, NodeKind};

/// The diagram of `project`'s flowsheet as written, as standalone SVG: a box per unit
/// (name and type), a green terminal per feed, an orange one per stream that leaves the
/// plant, and an arrow per stream.
pub fn structure_svg(project: &calx::Project) -> String {
    diagram::draw(&structure(project), "flowsheet-structure").svg
}

/// The graph the diagram draws: nodes in declaration order, then the leaving streams.
fn structure(project: &calx::Project) -> Graph {
    let units = &project.model().def.units;
    let mut g = Graph::default();
    for u in units {
        let type_name = u.unit_type.descriptor().type_name;
        let (kind, detail) =
            if type_name == "feed" { (NodeKind::Feed, String::new()) } else { (NodeKind::Unit, type_name) };
        g.nodes.push(Node { name: u.name.clone(), detail, kind });
    }
    for (from, u) in units.iter().enumerate() {
        for stream in u.outlets.iter().flat_map(|(_, streams)| streams) {
            let into = units.iter().position(|v| v.inlets.iter().any(|(_, streams)| streams.contains(stream)));
            let to = into.unwrap_or_else(|| {
                g.nodes.push(Node { name: stream.clone(), detail: String::new(), kind: NodeKind::Product });
                g.nodes.len() - 1
            });
            g.edges.push(Edge { from, to, name: stream.clone(), flow: String::new(), tear: false });
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_plant_as_written_has_every_unit_and_stream() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flowsheets/kigam-cfbc-2022.yaml");
        let project = calx::Project::load(&root, &calx::LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let result = project.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"));
        let g = structure(&project);
        // The same nodes and edges as the solved plant's diagram, without flows.
        let units: Vec<&str> = result.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(g.nodes.iter().take(units.len()).map(|n| n.name.as_str()).collect::<Vec<_>>(), units);
        assert_eq!(g.edges.len(), result.streams.len());
        for e in &g.edges {
            let s = result.stream(&e.name).unwrap_or_else(|| panic!("{}", e.name));
            assert_eq!(s.source.as_ref().map(|x| x.unit.as_str()), Some(g.nodes[e.from].name.as_str()), "{}", e.name);
            match &s.destination {
                Some(d) => assert_eq!(g.nodes[e.to].name, d.unit, "{}", e.name),
                None => {
                    assert_eq!((g.nodes[e.to].kind, g.nodes[e.to].name.as_str()), (NodeKind::Product, e.name.as_str()))
                }
            }
            assert!(e.flow.is_empty());
        }
        let svg = structure_svg(&project);
        assert!(
            svg.starts_with("<svg") && svg.contains("carbonation") && svg.contains("solve for their flows"),
            "{svg}"
        );
    }
}
