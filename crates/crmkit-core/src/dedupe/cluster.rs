//! Clustering: connected components over the pairs at or above the match threshold, then, in
//! every component of three or more records, a constrained rebuild so that A~B and B~C do not
//! drag A and C together when A and C are evidently different: the component's links are
//! added strongest first, and a link is refused when it would put in one cluster two records
//! whose own pair scores below `split_below` (or that a reviewer said differ, or that are two
//! records already loaded).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rayon::prelude::*;

use super::config::Config;
use super::records::Records;

/// A scored candidate pair.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    /// First record (a < b).
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Match weight in bits.
    pub weight: f32,
    /// Whether one comparison alone contradicts the match (a level weighing `veto` bits or
    /// less: two valid credit codes that differ, a head office and its branch).
    pub veto: bool,
}

/// A reviewer's answer for a pair of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constraint {
    /// First record.
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Same entity (true) or not.
    pub same: bool,
}

/// Components larger than this are split with the candidate pairs' scores only, not every
/// pair's.
const FULL_PAIRS_UP_TO: usize = 1500;

/// The clustering of all records.
#[derive(Debug)]
pub struct Clustering {
    /// The cluster (golden) id of every record.
    pub cluster: Vec<u64>,
    /// Every record's best-scoring candidate pair: (other record, weight).
    pub best: Vec<Option<(u32, f32)>>,
    /// Links at or above the match threshold that clustering refused (weak bridges split).
    pub split: Vec<Scored>,
    /// Components that were rebuilt because they held three or more records.
    pub rebuilt: usize,
}

/// Union–find over record indices, by size with path halving.
pub(crate) struct UnionFind {
    parent: Vec<u32>,
    pub(crate) size: Vec<u32>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    pub(crate) fn union(&mut self, a: u32, b: u32) -> u32 {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        a
    }
}

/// Clusters the records. `score(a, b)` gives the match weight of any pair and whether it is
/// vetoed (used inside components for pairs that were not candidates).
pub fn cluster(
    records: &Records,
    config: &Config,
    scored: &[Scored],
    constraints: &[Constraint],
    score: &(dyn Fn(usize, usize) -> (f64, bool) + Sync),
) -> Clustering {
    let n = records.len();
    let to_weight = |p: f64| (p / (1.0 - p)).log2();
    let matched = to_weight(config.thresholds.matched);
    let split_below = to_weight(config.thresholds.split_below);

    let mut best: Vec<Option<(u32, f32)>> = vec![None; n];
    for s in scored {
        for (x, y) in [(s.a, s.b), (s.b, s.a)] {
            match best[x as usize] {
                Some((_, w)) if w >= s.weight => {}
                _ => best[x as usize] = Some((y, s.weight)),
            }
        }
    }

    let key = |a: u32, b: u32| (a.min(b), a.max(b));
    let cannot: HashSet<(u32, u32)> = constraints
        .iter()
        .filter(|c| !c.same)
        .map(|c| key(c.a, c.b))
        .collect();
    let mut edges: Vec<Scored> = scored
        .iter()
        .copied()
        .filter(|s| s.weight as f64 >= matched && !s.veto && !cannot.contains(&key(s.a, s.b)))
        .collect();
    for c in constraints.iter().filter(|c| c.same) {
        edges.push(Scored {
            a: c.a.min(c.b),
            b: c.a.max(c.b),
            weight: f32::INFINITY,
            veto: false,
        });
    }

    let mut uf = UnionFind::new(n);
    for e in &edges {
        uf.union(e.a, e.b);
    }
    let mut members: HashMap<u32, Vec<u32>> = HashMap::default();
    for i in 0..n as u32 {
        let root = uf.find(i);
        if uf.size[root as usize] >= 3 {
            members.entry(root).or_default().push(i);
        }
    }
    let mut component_edges: HashMap<u32, Vec<Scored>> = HashMap::default();
    for e in &edges {
        let root = uf.find(e.a);
        if members.contains_key(&root) {
            component_edges.entry(root).or_default().push(*e);
        }
    }
    let candidate_weight: HashMap<(u32, u32), (f32, bool)> = if members.is_empty() {
        HashMap::default()
    } else {
        let inside: HashSet<u32> = members.values().flatten().copied().collect();
        scored
            .iter()
            .filter(|s| inside.contains(&s.a))
            .map(|s| ((s.a, s.b), (s.weight, s.veto)))
            .collect()
    };
    let existing = |i: u32| records.golden_id[i as usize].is_some();

    // Rebuild every component of three or more, in parallel.
    let components: Vec<(Vec<u32>, Vec<Scored>)> = members
        .into_iter()
        .map(|(root, m)| (m, component_edges.remove(&root).unwrap_or_default()))
        .collect();
    let rebuilt = components.len();
    // Per component: (record, its group's representative) and the links refused.
    type Rebuilt = (Vec<(u32, u32)>, Vec<Scored>);
    let results: Vec<Rebuilt> = components
        .into_par_iter()
        .map(|(members, mut links)| {
            let index: HashMap<u32, usize> =
                members.iter().enumerate().map(|(i, &m)| (m, i)).collect();
            // For every member, the members it must not share a cluster with.
            let mut apart: Vec<Vec<u32>> = vec![Vec::new(); members.len()];
            let mut mark = |x: u32, y: u32| {
                apart[index[&x]].push(index[&y] as u32);
                apart[index[&y]].push(index[&x] as u32);
            };
            if members.len() <= FULL_PAIRS_UP_TO {
                for (i, &a) in members.iter().enumerate() {
                    for &b in &members[i + 1..] {
                        let k = key(a, b);
                        let (w, veto) = match candidate_weight.get(&k) {
                            Some(&(w, veto)) => (w as f64, veto),
                            None => score(k.0 as usize, k.1 as usize),
                        };
                        if w < split_below
                            || veto
                            || cannot.contains(&k)
                            || (existing(a) && existing(b))
                        {
                            mark(a, b);
                        }
                    }
                }
            } else {
                let set: HashSet<u32> = members.iter().copied().collect();
                for (&(a, b), &(w, veto)) in &candidate_weight {
                    if set.contains(&a) && set.contains(&b) && ((w as f64) < split_below || veto) {
                        mark(a, b);
                    }
                }
                for &(a, b) in &cannot {
                    if set.contains(&a) && set.contains(&b) {
                        mark(a, b);
                    }
                }
                let loaded: Vec<u32> = members.iter().copied().filter(|&m| existing(m)).collect();
                for (i, &a) in loaded.iter().enumerate() {
                    for &b in &loaded[i + 1..] {
                        mark(a, b);
                    }
                }
            }
            links.sort_by(|x, y| {
                y.weight
                    .total_cmp(&x.weight)
                    .then(x.a.cmp(&y.a))
                    .then(x.b.cmp(&y.b))
            });
            let mut local = UnionFind::new(members.len());
            let mut groups: Vec<Vec<u32>> = (0..members.len() as u32).map(|i| vec![i]).collect();
            let mut refused = Vec::new();
            for link in links {
                let (x, y) = (
                    local.find(index[&link.a] as u32),
                    local.find(index[&link.b] as u32),
                );
                if x == y {
                    continue;
                }
                let (small, other) = if groups[x as usize].len() <= groups[y as usize].len() {
                    (x, y)
                } else {
                    (y, x)
                };
                let conflict = groups[small as usize]
                    .iter()
                    .any(|&p| apart[p as usize].iter().any(|&q| local.find(q) == other));
                if conflict {
                    refused.push(link);
                    continue;
                }
                let root = local.union(x, y);
                let gone = if root == x { y } else { x };
                let moved = std::mem::take(&mut groups[gone as usize]);
                groups[root as usize].extend(moved);
            }
            let assignment = members
                .iter()
                .enumerate()
                .map(|(i, &m)| (m, members[local.find(i as u32) as usize]))
                .collect();
            (assignment, refused)
        })
        .collect();

    // Final representative per record: the global root, or the rebuilt group's first member.
    let mut representative: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    let mut split = Vec::new();
    for (assignment, refused) in results {
        for (m, r) in assignment {
            representative[m as usize] = r;
        }
        split.extend(refused);
    }

    // Ids: a cluster holding a loaded record keeps its golden id; new clusters are numbered
    // after the largest existing id, in order of their first record.
    // By representative (a record index).
    let mut ids: Vec<Option<u64>> = vec![None; n];
    for (id, &r) in records.golden_id.iter().zip(&representative) {
        if id.is_some() && ids[r as usize].is_none() {
            ids[r as usize] = *id;
        }
    }
    let mut next = records
        .golden_id
        .iter()
        .flatten()
        .max()
        .copied()
        .unwrap_or(0)
        + 1;
    let cluster = representative
        .iter()
        .map(|&r| {
            *ids[r as usize].get_or_insert_with(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    split.sort_by_key(|x| (x.a, x.b));
    Clustering {
        cluster,
        best,
        split,
        rebuilt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::config::Config;
    use crate::dedupe::records::{RecordRef, SourceFile};
    use crate::template::Template;

    fn records(n: usize, existing: &[usize]) -> Records {
        let template = Template::resolve("customer").unwrap();
        Records {
            template,
            sources: vec![SourceFile {
                path: "a.csv".into(),
                name: "a.csv".into(),
                sheet: None,
                existing: false,
                origin: None,
            }],
            refs: (0..n)
                .map(|i| RecordRef {
                    source: 0,
                    row: i as u32 + 2,
                })
                .collect(),
            values: vec![csv::StringRecord::new(); n],
            invalid: vec![0; n],
            golden_id: (0..n)
                .map(|i| existing.contains(&i).then_some(100 + i as u64))
                .collect(),
        }
    }

    fn link(a: u32, b: u32, weight: f32) -> Scored {
        Scored {
            a,
            b,
            weight,
            veto: false,
        }
    }

    fn config() -> Config {
        Config::builtin(&Template::resolve("customer").unwrap())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn a_weak_bridge_does_not_drag_two_different_records_together() {
        // 0~1 strongly, 1~2 just above the threshold, but 0 and 2 are clearly different.
        let r = records(3, &[]);
        let pairs = [link(0, 1, 20.0), link(1, 2, 6.0)];
        let score = |a: usize, b: usize| {
            if (a, b) == (0, 2) {
                (-30.0, false)
            } else {
                (0.0, false)
            }
        };
        let c = cluster(&r, &config(), &pairs, &[], &score);
        assert_eq!(c.cluster[0], c.cluster[1]);
        assert_ne!(c.cluster[1], c.cluster[2]);
        assert_eq!(c.split.len(), 1);
        assert_eq!((c.split[0].a, c.split[0].b), (1, 2));
    }

    #[test]
    fn three_records_of_one_entity_stay_together() {
        let r = records(3, &[]);
        let pairs = [link(0, 1, 20.0), link(1, 2, 15.0)];
        let c = cluster(&r, &config(), &pairs, &[], &|_, _| (2.0, false));
        assert!(c.cluster.iter().all(|&x| x == c.cluster[0]));
        assert!(c.split.is_empty());
    }

    #[test]
    fn a_vetoed_pair_is_never_linked_whatever_its_weight() {
        let r = records(2, &[]);
        let mut pair = link(0, 1, 25.0);
        pair.veto = true;
        let c = cluster(&r, &config(), &[pair], &[], &|_, _| (25.0, true));
        assert_ne!(c.cluster[0], c.cluster[1]);
        assert_eq!(
            c.best[0],
            Some((1, 25.0)),
            "the best match is still reported"
        );
    }

    #[test]
    fn decisions_override_scores() {
        let r = records(4, &[]);
        let pairs = [link(0, 1, 20.0), link(2, 3, -20.0)];
        let decisions = [
            Constraint {
                a: 0,
                b: 1,
                same: false,
            },
            Constraint {
                a: 3,
                b: 2,
                same: true,
            },
        ];
        let c = cluster(&r, &config(), &pairs, &decisions, &|_, _| (0.0, false));
        assert_ne!(c.cluster[0], c.cluster[1]);
        assert_eq!(c.cluster[2], c.cluster[3]);
    }

    #[test]
    fn loaded_records_keep_their_ids_and_stay_apart() {
        // 0 and 2 were loaded before (ids 100, 102); 1 matches both strongly.
        let r = records(4, &[0, 2]);
        let pairs = [link(0, 1, 20.0), link(1, 2, 18.0)];
        let c = cluster(&r, &config(), &pairs, &[], &|_, _| (0.0, false));
        assert_eq!(c.cluster[0], 100);
        assert_eq!(
            c.cluster[1], 100,
            "the new record joins its strongest known match"
        );
        assert_eq!(c.cluster[2], 102);
        assert_eq!(
            c.cluster[3], 103,
            "new clusters are numbered after the largest known id"
        );
    }
}
