//! A concurrent walk over a dependency graph: a node starts when all of its dependencies
//! have succeeded; a failure skips its dependents while independent branches finish.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use tokio::task::JoinSet;

/// How a node ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Not run because a dependency failed or was skipped.
    Skipped,
}

/// Runs `run` over `deps`' keys (every node must be a key; dependencies outside the key
/// set are ignored) with at most `parallelism` in flight. `run` returns whether the node
/// succeeded.
pub async fn walk<K, F, Fut>(
    deps: BTreeMap<K, BTreeSet<K>>,
    parallelism: usize,
    run: F,
) -> BTreeMap<K, Outcome>
where
    K: Clone + Ord + Send + 'static,
    F: Fn(K) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let parallelism = parallelism.max(1);
    let mut waiting: BTreeMap<K, BTreeSet<K>> = deps
        .iter()
        .map(|(k, ds)| {
            let ds: BTreeSet<K> = ds
                .iter()
                .filter(|d| deps.contains_key(*d))
                .cloned()
                .collect();
            (k.clone(), ds)
        })
        .collect();
    let mut dependents: BTreeMap<K, Vec<K>> = BTreeMap::new();
    for (k, ds) in &waiting {
        for d in ds {
            dependents.entry(d.clone()).or_default().push(k.clone());
        }
    }
    let mut ready: BTreeSet<K> = waiting
        .iter()
        .filter(|(_, ds)| ds.is_empty())
        .map(|(k, _)| k.clone())
        .collect();
    for k in &ready {
        waiting.remove(k);
    }
    let mut outcomes = BTreeMap::new();
    let mut running: JoinSet<(K, bool)> = JoinSet::new();

    loop {
        while running.len() < parallelism {
            let Some(k) = ready.pop_first() else { break };
            let fut = run(k.clone());
            running.spawn(async move { (k, fut.await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        // A panicking task is a bug in workform; surface it rather than hide it.
        let (k, ok) = joined.expect("apply task panicked");
        outcomes.insert(
            k.clone(),
            if ok {
                Outcome::Succeeded
            } else {
                Outcome::Failed
            },
        );
        if ok {
            for dependent in dependents.get(&k).cloned().unwrap_or_default() {
                if let Some(ds) = waiting.get_mut(&dependent) {
                    ds.remove(&k);
                    if ds.is_empty() {
                        waiting.remove(&dependent);
                        ready.insert(dependent);
                    }
                }
            }
        } else {
            skip_dependents(&k, &dependents, &mut waiting, &mut outcomes);
        }
    }
    // Anything still waiting depended on something that never succeeded.
    for (k, _) in waiting {
        outcomes.entry(k).or_insert(Outcome::Skipped);
    }
    outcomes
}

fn skip_dependents<K: Clone + Ord>(
    failed: &K,
    dependents: &BTreeMap<K, Vec<K>>,
    waiting: &mut BTreeMap<K, BTreeSet<K>>,
    outcomes: &mut BTreeMap<K, Outcome>,
) {
    let mut stack = dependents.get(failed).cloned().unwrap_or_default();
    while let Some(k) = stack.pop() {
        if waiting.remove(&k).is_some() {
            outcomes.insert(k.clone(), Outcome::Skipped);
            stack.extend(dependents.get(&k).cloned().unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn graph(edges: &[(u32, &[u32])]) -> BTreeMap<u32, BTreeSet<u32>> {
        edges
            .iter()
            .map(|(k, ds)| (*k, ds.iter().copied().collect()))
            .collect()
    }

    #[tokio::test]
    async fn dependencies_run_first() {
        let order = Arc::new(Mutex::new(Vec::new()));
        let g = graph(&[(1, &[]), (2, &[1]), (3, &[2]), (4, &[1])]);
        let o = order.clone();
        let outcomes = walk(g, 4, move |k| {
            let o = o.clone();
            async move {
                o.lock().unwrap().push(k);
                true
            }
        })
        .await;
        assert!(outcomes.values().all(|o| *o == Outcome::Succeeded));
        let order = order.lock().unwrap();
        let pos = |k| order.iter().position(|x| *x == k).unwrap();
        assert!(pos(1) < pos(2) && pos(2) < pos(3) && pos(1) < pos(4));
    }

    #[tokio::test]
    async fn a_failure_skips_dependents_but_not_independent_branches() {
        let g = graph(&[(1, &[]), (2, &[1]), (3, &[2]), (4, &[])]);
        let outcomes = walk(g, 2, |k| async move { k != 1 }).await;
        assert_eq!(outcomes[&1], Outcome::Failed);
        assert_eq!(outcomes[&2], Outcome::Skipped);
        assert_eq!(outcomes[&3], Outcome::Skipped);
        assert_eq!(outcomes[&4], Outcome::Succeeded);
    }

    #[tokio::test]
    async fn parallelism_bounds_the_number_in_flight() {
        let in_flight = Arc::new(Mutex::new((0usize, 0usize)));
        let g: BTreeMap<u32, BTreeSet<u32>> = (0..20).map(|k| (k, BTreeSet::new())).collect();
        let f = in_flight.clone();
        walk(g, 3, move |_| {
            let f = f.clone();
            async move {
                {
                    let mut g = f.lock().unwrap();
                    g.0 += 1;
                    g.1 = g.1.max(g.0);
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                f.lock().unwrap().0 -= 1;
                true
            }
        })
        .await;
        assert_eq!(in_flight.lock().unwrap().1, 3);
    }
}
