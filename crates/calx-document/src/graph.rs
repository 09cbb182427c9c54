//! What the flowsheet diagram and the Sankey diagram share about the flowsheet's graph:
//! which edges close a recycle loop and are drawn going back.

/// For each edge `(from, to, tear)` of a graph of `n` nodes, whether it closes a cycle: the
/// solver's tear streams first, then every edge that reaches back to a node on the current
/// path of a depth-first walk in declaration order. Removing the marked edges leaves the
/// graph acyclic. Self-loops and edges naming a node beyond `n` are never marked.
pub(crate) fn recycles(n: usize, edges: &[(usize, usize, bool)]) -> Vec<bool> {
    let valid = |&(a, b, _): &(usize, usize, bool)| a < n && b < n && a != b;
    let mut back: Vec<bool> = edges.iter().map(|e| e.2 && valid(e)).collect();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        if !back[i] && valid(e) {
            out[e.0].push(i);
        }
    }
    // Iterative walk; state 0 = not seen, 1 = on the path, 2 = done.
    let mut state = vec![0u8; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        let mut stack = vec![(start, 0usize)];
        while let Some((v, k)) = stack.pop() {
            let Some(&ei) = out[v].get(k) else {
                state[v] = 2;
                continue;
            };
            stack.push((v, k + 1));
            let w = edges[ei].1;
            match state[w] {
                0 => {
                    state[w] = 1;
                    stack.push((w, 0));
                }
                1 => back[ei] = true,
                _ => {}
            }
        }
    }
    back
}

#[cfg(test)]
mod tests {
    #[test]
    fn tears_first_then_the_edges_a_walk_finds_going_back() {
        // a -> b -> c -> a, and b -> a torn: only c -> a remains to break.
        let edges = [(0, 1, false), (1, 2, false), (2, 0, false), (1, 0, true), (2, 2, false), (0, 9, false)];
        assert_eq!(super::recycles(3, &edges), vec![false, false, true, true, false, false]);
        assert!(super::recycles(0, &[]).is_empty());
    }
}
