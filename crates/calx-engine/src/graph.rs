//! The flowsheet graph: units are nodes, streams are edges. Validation of connections,
//! strongly connected components in calculation order, and tear-stream selection.
//!
//! Tear selection: for each recycle (a strongly connected component of more than one unit,
//! or a unit feeding itself) we look for the fewest streams whose removal leaves the
//! component acyclic. Components in process flowsheets are small, so we enumerate tear sets
//! of increasing size exactly, trying streams that close a loop in a depth-first walk from
//! the loop's entry first (they are the recycle streams an engineer would tear). The search
//! is bounded by work, not by time ([`TEAR_SEARCH_WORK`] units and streams visited per block,
//! so the choice never depends on the machine): if it would exceed that, the heuristic is
//! exactly those back edges, which always break every cycle but may be more than the fewest.
//! Each block records which it got ([`TearSelection`]: given, minimum or heuristic), and the
//! heuristic is also logged as a warning.
//!
//! A calculator that reads results adds ordering edges (from the unit giving the value to
//! the unit it sets). One that closes a cycle (both ends in one strongly connected component)
//! is always torn: the parameter it sets becomes a tear variable of that block, beside the
//! tear streams chosen as above for the streams alone (none when only the calculator's edge
//! closes the loop).
//!
//! Everything here is linear in the flowsheet's size (one acyclicity check visits each unit
//! and stream of its block once) apart from the bounded search: a 10,000-unit flowsheet of
//! any shape is sequenced in well under a second (`cargo bench -p calx-engine --bench
//! topology`).

use std::collections::BTreeMap;

use calx_core::UnitDescriptor;
use calx_core::result::TearSelection;
use calx_core::unit::{Connections, PortDirection};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::calculate::{After, Edge};
use crate::def::UnitDef;
use crate::error::BuildError;

/// A stream in the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamInfo {
    pub name: String,
    /// (unit index, port name)
    pub source: Option<(usize, String)>,
    pub destination: Option<(usize, String)>,
}

/// One step of the calculation sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Block {
    /// A unit outside any recycle.
    Single(usize),
    /// A recycle loop: units in calculation order (with the tears cut), tear streams, how
    /// they were chosen, and the calculators (indices, sorted) whose reads close a loop here:
    /// the parameters they set are tear variables too.
    Loop { units: Vec<usize>, tears: Vec<usize>, selection: TearSelection, calculators: Vec<usize> },
}

/// Connections resolved to indices, plus the calculation sequence.
#[derive(Clone, Debug)]
pub(crate) struct Topology {
    pub streams: Vec<StreamInfo>,
    pub stream_index: BTreeMap<String, usize>,
    pub inlets: Vec<Vec<usize>>,
    pub outlets: Vec<Vec<usize>>,
    pub connections: Vec<Connections>,
    pub blocks: Vec<Block>,
}

/// Resolve connections against the descriptors and collect every problem.
pub(crate) fn build_topology(
    units: &[UnitDef],
    descriptors: &[UnitDescriptor],
    pinned_tears: &[String],
    calculators: &[Edge],
    errors: &mut Vec<BuildError>,
) -> Option<Topology> {
    let mut seen = BTreeMap::new();
    for u in units {
        if seen.insert(u.name.as_str(), ()).is_some() {
            errors.push(BuildError::DuplicateUnit { unit: u.name.clone() });
        }
    }
    let mut connections = Vec::with_capacity(units.len());
    for (u, d) in units.iter().zip(descriptors) {
        connections.push(resolve_ports(u, d, errors));
    }

    // Streams are numbered by producing unit and port, so feeds (declared first) come first
    // and the rest follow the process; streams nobody produces come last.
    let mut streams: Vec<StreamInfo> = Vec::new();
    let mut stream_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut intern = |name: &str, streams: &mut Vec<StreamInfo>| -> usize {
        *stream_index.entry(name.to_string()).or_insert_with(|| {
            streams.push(StreamInfo { name: name.to_string(), source: None, destination: None });
            streams.len() - 1
        })
    };
    let mut outlets = vec![Vec::new(); units.len()];
    for (ui, c) in connections.iter().enumerate() {
        for (port, names) in &c.outlets {
            for n in names {
                let s = intern(n, &mut streams);
                outlets[ui].push(s);
                let here = (ui, port.clone());
                match &streams[s].source {
                    Some((u0, p0)) => errors.push(BuildError::TwoSources {
                        stream: n.clone(),
                        first: format!("{}.{}", units[*u0].name, p0),
                        second: format!("{}.{}", units[ui].name, port),
                    }),
                    None => streams[s].source = Some(here),
                }
            }
        }
    }
    let mut inlets = vec![Vec::new(); units.len()];
    for (ui, c) in connections.iter().enumerate() {
        for (port, names) in &c.inlets {
            for n in names {
                let s = intern(n, &mut streams);
                inlets[ui].push(s);
                match &streams[s].destination {
                    Some((u0, p0)) => errors.push(BuildError::TwoDestinations {
                        stream: n.clone(),
                        first: format!("{}.{}", units[*u0].name, p0),
                        second: format!("{}.{}", units[ui].name, port),
                    }),
                    None => streams[s].destination = Some((ui, port.clone())),
                }
            }
        }
    }
    for s in &streams {
        if let (None, Some((u, _))) = (&s.source, &s.destination) {
            errors.push(BuildError::NoSource { stream: s.name.clone(), unit: units[*u].name.clone() });
        }
    }
    let mut pinned = Vec::new();
    for t in pinned_tears {
        match stream_index.get(t) {
            Some(&s) => pinned.push(s),
            None => errors.push(BuildError::Tear { stream: t.clone(), reason: "no such stream".into() }),
        }
    }
    if !errors.is_empty() {
        return None;
    }
    // A calculator reading a stream waits for the stream's producer (a stream that does not
    // exist is reported with the calculator's other names).
    let extra: Vec<(usize, usize, usize)> = calculators
        .iter()
        .filter_map(|e| {
            let from = match &e.after {
                After::Unit(u) => Some(*u),
                After::Stream(name) => {
                    stream_index.get(name).and_then(|&s| streams[s].source.as_ref()).map(|(u, _)| *u)
                }
            };
            from.map(|from| (from, e.set, e.index))
        })
        .collect();
    let blocks = sequence(units.len(), &streams, &pinned, &extra, errors)?;
    Some(Topology { streams, stream_index, inlets, outlets, connections, blocks })
}

fn resolve_ports(u: &UnitDef, d: &UnitDescriptor, errors: &mut Vec<BuildError>) -> Connections {
    let mut c = Connections::default();
    for (direction, given) in [(PortDirection::In, &u.inlets), (PortDirection::Out, &u.outlets)] {
        let declared: Vec<_> = d.ports.iter().filter(|p| p.direction == direction).collect();
        for (port, _) in given {
            if !declared.iter().any(|p| &p.name == port) {
                let allowed = declared.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
                errors.push(BuildError::UnknownPort {
                    unit: u.name.clone(),
                    type_name: d.type_name.clone(),
                    port: port.clone(),
                    allowed: if allowed.is_empty() { "(none)".into() } else { allowed },
                });
            }
        }
        for p in declared {
            let streams: Vec<String> =
                given.iter().filter(|(n, _)| n == &p.name).flat_map(|(_, s)| s.iter().cloned()).collect();
            if streams.is_empty() && !p.optional {
                errors.push(BuildError::MissingPort {
                    unit: u.name.clone(),
                    type_name: d.type_name.clone(),
                    port: p.name.clone(),
                });
            }
            if streams.len() > 1 && !p.multiple {
                errors.push(BuildError::PortTakesOne {
                    unit: u.name.clone(),
                    port: p.name.clone(),
                    count: streams.len(),
                });
            }
            let list = match direction {
                PortDirection::In => &mut c.inlets,
                PortDirection::Out => &mut c.outlets,
            };
            list.push((p.name.clone(), streams));
        }
    }
    c
}

/// Units in calculation order: blocks of single units and recycle loops with their tears.
/// `calculators` are extra ordering edges (from, to, calculator index); one inside a strongly
/// connected component closes a loop and is torn (its parameter becomes a tear variable).
fn sequence(
    n_units: usize,
    streams: &[StreamInfo],
    pinned: &[usize],
    calculators: &[(usize, usize, usize)],
    errors: &mut Vec<BuildError>,
) -> Option<Vec<Block>> {
    let mut g: DiGraph<usize, usize> = DiGraph::with_capacity(n_units, streams.len());
    let nodes: Vec<NodeIndex> = (0..n_units).map(|u| g.add_node(u)).collect();
    for (si, s) in streams.iter().enumerate() {
        if let (Some((a, _)), Some((b, _))) = (&s.source, &s.destination) {
            g.add_edge(nodes[*a], nodes[*b], si);
        }
    }
    for &(from, to, _) in calculators {
        g.add_edge(nodes[from], nodes[to], usize::MAX);
    }
    // Kosaraju rather than Tarjan: petgraph's Tarjan recurses once per unit along a path and
    // overflowed a test thread's stack on a 20,000-unit flowsheet; Kosaraju is iterative.
    let sccs = declaration_order(&g, kosaraju_scc(&g));
    // Every stream inside a component, grouped by component in one pass over the streams (in
    // stream order), so the work is linear in the flowsheet's size however many components.
    let mut comp_of = vec![0usize; n_units];
    for (c, scc) in sccs.iter().enumerate() {
        for n in scc {
            comp_of[g[*n]] = c;
        }
    }
    let mut inner: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); sccs.len()];
    for (si, s) in streams.iter().enumerate() {
        if let (Some((a, _)), Some((b, _))) = (&s.source, &s.destination)
            && comp_of[*a] == comp_of[*b]
        {
            inner[comp_of[*a]].push((si, *a, *b));
        }
    }
    let mut closing: Vec<Vec<usize>> = vec![Vec::new(); sccs.len()];
    for &(from, to, calc) in calculators {
        if comp_of[from] == comp_of[to] {
            closing[comp_of[from]].push(calc);
        }
    }
    for c in &mut closing {
        c.sort_unstable();
        c.dedup();
    }
    let mut pin_of: Vec<Option<usize>> = vec![None; streams.len()];
    let mut used_pins = vec![false; pinned.len()];
    for (i, &s) in pinned.iter().enumerate() {
        if pin_of[s].is_some() {
            used_pins[i] = true; // reported here, not again as outside every loop
            errors.push(BuildError::Tear { stream: streams[s].name.clone(), reason: "is listed twice".into() });
        } else {
            pin_of[s] = Some(i);
        }
    }
    let mut blocks = Vec::with_capacity(sccs.len());
    let mut local = vec![usize::MAX; n_units];
    for ((scc, edges), calculators) in sccs.iter().zip(inner).zip(closing) {
        let mut members: Vec<usize> = scc.iter().map(|n| g[*n]).collect();
        members.sort_unstable();
        if members.len() == 1 && edges.is_empty() && calculators.is_empty() {
            blocks.push(Block::Single(members[0]));
            continue;
        }
        let graph = LoopGraph::new(members, &edges, &mut local);
        // Pinned tears of this block, in the order the flowsheet lists them.
        let mut pinned_here: Vec<(usize, usize)> =
            edges.iter().enumerate().filter_map(|(e, &(s, _, _))| pin_of[s].map(|i| (i, e))).collect();
        pinned_here.sort_unstable();
        let pins: Vec<usize> = pinned_here.iter().map(|&(_, e)| e).collect();
        for &(i, _) in &pinned_here {
            used_pins[i] = true;
        }
        let (torn, selection) = if pins.is_empty() {
            graph.choose_tears()
        } else if graph.is_acyclic(&graph.mask(&pins)) {
            (pins, TearSelection::Given)
        } else {
            errors.push(BuildError::Tear {
                stream: pins.iter().map(|&e| streams[edges[e].0].name.clone()).collect::<Vec<_>>().join(", "),
                reason:
                    "these tear streams do not break every loop they sit in; add another tear or leave tears to Calx"
                        .into(),
            });
            continue;
        };
        let units = graph.order(&graph.mask(&torn))?;
        let tears: Vec<usize> = torn.iter().map(|&e| edges[e].0).collect();
        blocks.push(Block::Loop { units, tears, selection, calculators });
    }
    for (i, used) in used_pins.iter().enumerate() {
        if !used {
            errors.push(BuildError::Tear {
                stream: streams[pinned[i]].name.clone(),
                reason: "is not part of any recycle loop, so it cannot be torn".into(),
            });
        }
    }
    if errors.is_empty() { Some(blocks) } else { None }
}

/// Strongly connected components in a topological order that, among components free to go
/// next, takes the one holding the earliest-declared unit (the SCC algorithm's own order is a
/// valid but arbitrary topological order; users expect their declaration order where it is
/// free).
fn declaration_order(g: &DiGraph<usize, usize>, sccs: Vec<Vec<NodeIndex>>) -> Vec<Vec<NodeIndex>> {
    let mut comp_of = vec![0usize; g.node_count()];
    for (c, scc) in sccs.iter().enumerate() {
        for n in scc {
            comp_of[n.index()] = c;
        }
    }
    let first: Vec<usize> = sccs.iter().map(|scc| scc.iter().map(|n| g[*n]).min().unwrap_or(0)).collect();
    let mut indegree = vec![0usize; sccs.len()];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); sccs.len()];
    for e in g.edge_indices() {
        if let Some((a, b)) = g.edge_endpoints(e) {
            let (ca, cb) = (comp_of[a.index()], comp_of[b.index()]);
            if ca != cb {
                next[ca].push(cb);
                indegree[cb] += 1;
            }
        }
    }
    let mut ready: std::collections::BTreeSet<(usize, usize)> =
        (0..sccs.len()).filter(|&c| indegree[c] == 0).map(|c| (first[c], c)).collect();
    let mut order = Vec::with_capacity(sccs.len());
    while let Some((_, c)) = ready.pop_first() {
        order.push(c);
        for &d in &next[c] {
            indegree[d] -= 1;
            if indegree[d] == 0 {
                ready.insert((first[d], d));
            }
        }
    }
    let mut sccs: Vec<Option<Vec<NodeIndex>>> = sccs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|c| sccs[c].take()).collect()
}

/// Work the exhaustive tear search may do per recycle block, counted as units plus streams
/// visited by its acyclicity checks (each check visits at most all of them once). 2e7 keeps
/// the search under about 50 ms in an optimised build, and still allows the 200,000 candidate
/// sets the search was first given on loops of up to 100 units and streams, more on smaller
/// ones; on larger loops it proves the minimum whenever it can within the same work.
pub(crate) const TEAR_SEARCH_WORK: usize = 20_000_000;

/// One recycle block (a strongly connected component) with local indices: units `0..n` in
/// unit order (`members[i]` is the flowsheet's unit), edges in stream order.
struct LoopGraph {
    members: Vec<usize>,
    /// (local source, local destination) per edge.
    ends: Vec<(usize, usize)>,
    /// Edges leaving each local unit, in stream order.
    out: Vec<Vec<usize>>,
}

impl LoopGraph {
    /// `edges` are (stream, source unit, destination unit), all inside `members` (sorted);
    /// `local` is scratch of one entry per flowsheet unit.
    fn new(members: Vec<usize>, edges: &[(usize, usize, usize)], local: &mut [usize]) -> LoopGraph {
        for (i, &u) in members.iter().enumerate() {
            local[u] = i;
        }
        let ends: Vec<(usize, usize)> = edges.iter().map(|&(_, a, b)| (local[a], local[b])).collect();
        let mut out = vec![Vec::new(); members.len()];
        for (e, &(a, _)) in ends.iter().enumerate() {
            out[a].push(e);
        }
        LoopGraph { members, ends, out }
    }

    /// The edges in `torn` as a mask over all edges.
    fn mask(&self, torn: &[usize]) -> Vec<bool> {
        let mut mask = vec![false; self.ends.len()];
        for &e in torn {
            mask[e] = true;
        }
        mask
    }

    /// Whether the block has no cycle once the `torn` edges are cut (Kahn's algorithm).
    fn is_acyclic(&self, torn: &[bool]) -> bool {
        let mut indegree = vec![0usize; self.members.len()];
        for (e, &(_, b)) in self.ends.iter().enumerate() {
            if !torn[e] {
                indegree[b] += 1;
            }
        }
        let mut ready: Vec<usize> = (0..self.members.len()).filter(|&i| indegree[i] == 0).collect();
        let mut done = 0;
        while let Some(i) = ready.pop() {
            done += 1;
            for &e in &self.out[i] {
                if !torn[e] {
                    let b = self.ends[e].1;
                    indegree[b] -= 1;
                    if indegree[b] == 0 {
                        ready.push(b);
                    }
                }
            }
        }
        done == self.members.len()
    }

    /// Units in calculation order once the `torn` edges are cut, ties broken by unit index so
    /// the order is deterministic; `None` if a cycle remains.
    fn order(&self, torn: &[bool]) -> Option<Vec<usize>> {
        let mut indegree = vec![0usize; self.members.len()];
        for (e, &(_, b)) in self.ends.iter().enumerate() {
            if !torn[e] {
                indegree[b] += 1;
            }
        }
        let mut ready: std::collections::BTreeSet<usize> =
            (0..self.members.len()).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(self.members.len());
        while let Some(i) = ready.pop_first() {
            order.push(self.members[i]);
            for &e in &self.out[i] {
                if !torn[e] {
                    let b = self.ends[e].1;
                    indegree[b] -= 1;
                    if indegree[b] == 0 {
                        ready.insert(b);
                    }
                }
            }
        }
        (order.len() == self.members.len()).then_some(order)
    }

    /// Fewest tears (edge indices) that make the block acyclic, and how they were found (see
    /// the module doc): candidate sets of increasing size, back edges first, until one breaks
    /// every cycle; the back edges themselves when no smaller set does (then they are a
    /// minimum too) or when the search would exceed [`TEAR_SEARCH_WORK`].
    fn choose_tears(&self) -> (Vec<usize>, TearSelection) {
        let back = self.back_edges();
        let mut is_back = self.mask(&back);
        let mut candidates: Vec<usize> = back.clone();
        candidates.extend((0..self.ends.len()).filter(|&e| !is_back[e]));
        is_back.fill(false);
        let mut torn = is_back;
        let cost = self.members.len() + self.ends.len();
        let mut work = 0usize;
        for k in 1..back.len() {
            let mut combo: Vec<usize> = (0..k).collect();
            loop {
                work += cost;
                if work > TEAR_SEARCH_WORK {
                    tracing::warn!(
                        units = self.members.len(),
                        streams = self.ends.len(),
                        tears = back.len(),
                        "recycle block too large to search for the fewest tear streams; tearing the streams that \
                         close a loop in a depth-first walk instead (pin tears with `solver.tears` to choose them)"
                    );
                    return (back, TearSelection::Heuristic);
                }
                for &i in &combo {
                    torn[candidates[i]] = true;
                }
                let acyclic = self.is_acyclic(&torn);
                for &i in &combo {
                    torn[candidates[i]] = false;
                }
                if acyclic {
                    return (combo.iter().map(|&i| candidates[i]).collect(), TearSelection::Minimum);
                }
                if !next_combination(&mut combo, candidates.len()) {
                    break;
                }
            }
        }
        (back, TearSelection::Minimum)
    }

    /// Edges that close a cycle in a depth-first walk that starts from the block's entry (the
    /// lowest-numbered unit, which in a flowsheet is declared first) and follows outlets in
    /// stream order; sorted. Cutting them leaves the walk's tree and forward edges: acyclic.
    fn back_edges(&self) -> Vec<usize> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut mark = vec![Mark::New; self.members.len()];
        let mut back = Vec::new();
        for start in 0..self.members.len() {
            if mark[start] != Mark::New {
                continue;
            }
            // Iterative DFS: (node, position in its outlet list).
            let mut stack = vec![(start, 0usize)];
            mark[start] = Mark::Active;
            while let Some((node, next)) = stack.last_mut() {
                let node = *node;
                match self.out[node].get(*next) {
                    Some(&e) => {
                        *next += 1;
                        let j = self.ends[e].1;
                        match mark[j] {
                            Mark::New => {
                                mark[j] = Mark::Active;
                                stack.push((j, 0));
                            }
                            Mark::Active => back.push(e),
                            Mark::Done => {}
                        }
                    }
                    None => {
                        mark[node] = Mark::Done;
                        stack.pop();
                    }
                }
            }
        }
        back.sort_unstable();
        back
    }
}

/// Advance `combo` (sorted indices into 0..n) to the next k-combination.
fn next_combination(combo: &mut [usize], n: usize) -> bool {
    let k = combo.len();
    for i in (0..k).rev() {
        if combo[i] < n - k + i {
            combo[i] += 1;
            for j in i + 1..k {
                combo[j] = combo[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, from: Option<usize>, to: Option<usize>) -> StreamInfo {
        StreamInfo {
            name: name.into(),
            source: from.map(|u| (u, "out".into())),
            destination: to.map(|u| (u, "in".into())),
        }
    }

    #[test]
    fn a_simple_recycle_tears_the_recycle_stream() {
        // feed(0) -> mixer(1) -> reactor(2) -> separator(3) -> product; separator -> mixer
        let streams = vec![
            info("feed", Some(0), Some(1)),
            info("mixed", Some(1), Some(2)),
            info("reacted", Some(2), Some(3)),
            info("product", Some(3), None),
            info("recycle", Some(3), Some(1)),
        ];
        let mut errors = Vec::new();
        let blocks = sequence(4, &streams, &[], &[], &mut errors).unwrap();
        assert_eq!(blocks[0], Block::Single(0));
        assert_eq!(
            blocks[1],
            Block::Loop {
                units: vec![1, 2, 3],
                tears: vec![4],
                selection: TearSelection::Minimum,
                calculators: vec![]
            }
        );
    }

    #[test]
    fn nested_loops_need_two_tears_and_pins_are_honoured() {
        // 0 -> 1 -> 2 -> 3, inner recycle 2 -> 1 (s3), outer recycle 3 -> 0 (s4)
        let streams = vec![
            info("a", Some(0), Some(1)),
            info("b", Some(1), Some(2)),
            info("c", Some(2), Some(3)),
            info("inner", Some(2), Some(1)),
            info("outer", Some(3), Some(0)),
        ];
        let mut errors = Vec::new();
        // Fewest tears: `b` lies on both loops, so tearing it alone breaks both.
        let blocks = sequence(4, &streams, &[], &[], &mut errors).unwrap();
        assert_eq!(
            blocks,
            vec![Block::Loop {
                units: vec![2, 3, 0, 1],
                tears: vec![1],
                selection: TearSelection::Minimum,
                calculators: vec![]
            }]
        );
        // A user may pin the two recycle streams instead.
        let blocks = sequence(4, &streams, &[3, 4], &[], &mut errors).unwrap();
        assert_eq!(
            blocks,
            vec![Block::Loop {
                units: vec![0, 1, 2, 3],
                tears: vec![3, 4],
                selection: TearSelection::Given,
                calculators: vec![]
            }]
        );
        // Tearing only `inner` leaves the outer loop closed: an error.
        assert!(sequence(4, &streams, &[3], &[], &mut errors).is_none());
        assert!(matches!(errors[0], BuildError::Tear { .. }));
    }

    #[test]
    fn a_calculator_edge_that_closes_a_loop_is_torn() {
        // feed(0) -> mixer(1); calculator 3 sets the feed from the mixer's outlet.
        let streams = vec![info("feed", Some(0), Some(1)), info("mixed", Some(1), None)];
        let mut errors = Vec::new();
        let blocks = sequence(2, &streams, &[], &[(1, 0, 3), (1, 0, 3)], &mut errors).unwrap();
        assert_eq!(
            blocks,
            vec![Block::Loop {
                units: vec![0, 1],
                tears: vec![],
                selection: TearSelection::Minimum,
                calculators: vec![3]
            }]
        );
        // Feed-forward, the same edge is only an order.
        let blocks = sequence(2, &streams, &[], &[(0, 1, 3)], &mut errors).unwrap();
        assert_eq!(blocks, vec![Block::Single(0), Block::Single(1)]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_tear_listed_twice_is_an_error() {
        let streams = vec![info("a", Some(0), Some(1)), info("back", Some(1), Some(0))];
        let mut errors = Vec::new();
        assert!(sequence(2, &streams, &[1, 1], &[], &mut errors).is_none());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].to_string(), "tear stream `back`: is listed twice");
    }

    #[test]
    fn a_pin_outside_any_loop_is_an_error() {
        let streams = vec![info("a", Some(0), Some(1))];
        let mut errors = Vec::new();
        assert!(sequence(2, &streams, &[0], &[], &mut errors).is_none());
        assert!(errors[0].to_string().contains("not part of any recycle"));
    }

    #[test]
    fn combinations_enumerate_in_order() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(all.len(), 6);
        assert_eq!(all.last().unwrap(), &vec![2, 3]);
    }
}
