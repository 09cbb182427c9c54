//! What the flowsheet diagram and the Sankey diagram share about the flowsheet's graph:
//! which edges close a recycle loop and are drawn going back.

/// For each edge `(from, to)` of a graph of `n` nodes numbered in declaration order, whether
/// it is a recycle: it runs against the declaration order (`to` is declared before `from`)
/// and lies on a cycle (`from` can be reached from `to`). People declare units in process
/// order, so these are the streams that return material upstream — the ones a reader calls
/// recycles, which the solver's tear streams need not be (in nested loops it may tear the
/// stream that enters both). Removing the marked edges leaves the graph acyclic: every cycle
/// has an edge that runs against any order. Self-loops and edges naming a node beyond `n`
/// are never marked.
pub(crate) fn recycles(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let valid = |&(a, b): &(usize, usize)| a < n && b < n && a != b;
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges.iter().filter(|e| valid(e)) {
        out[e.0].push(e.1);
    }
    // Whether `to` reaches `from`: a search per backward edge (plants have few of them).
    let reaches = |start: usize, goal: usize| {
        let mut seen = vec![false; n];
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(v) = stack.pop() {
            if v == goal {
                return true;
            }
            for &w in &out[v] {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        false
    };
    edges.iter().map(|e| valid(e) && e.1 < e.0 && reaches(e.1, e.0)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn recycles_run_upstream_on_a_cycle() {
        // mixer 0 -> slaker 1 -> classifier 2, classifier returns to the mixer; a feed
        // declared last runs "upstream" but on no cycle.
        let edges = [(0, 1), (1, 2), (2, 0), (2, 2), (0, 9), (3, 0)];
        assert_eq!(super::recycles(4, &edges), vec![false, false, true, false, false, false]);
        assert!(super::recycles(0, &[]).is_empty());
    }

    #[test]
    fn nested_loops_recycle_their_returns_not_the_shared_stream() {
        // flowsheets/nested-recycles.yaml: quicklime 0, fresh_water 1, water_tank 2, mixer 3,
        // slaker 4, classifier 5, thickener 6.
        let edges = [(1, 2), (6, 2), (2, 3), (0, 3), (5, 3), (3, 4), (4, 5), (5, 6)];
        let marked: Vec<usize> =
            super::recycles(7, &edges).iter().enumerate().filter(|(_, r)| **r).map(|(i, _)| i).collect();
        assert_eq!(marked, [1, 4], "water_return and lime_return");
    }
}
