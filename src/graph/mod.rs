//! The dependency graph of a configuration: variables, locals, resources and outputs,
//! with an edge from each object to everything its expressions refer to.

pub mod walk;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::addr::ResourceAddr;
use crate::config::{Config, Diagnostic, Diagnostics, Expr, Span, Subject};

/// A configuration object that can be referred to or that refers to others.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Var(String),
    Local(String),
    Resource(ResourceAddr),
    Output(String),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Var(n) => write!(f, "var.{n}"),
            Node::Local(n) => write!(f, "local.{n}"),
            Node::Resource(a) => write!(f, "{a}"),
            Node::Output(n) => write!(f, "output.{n}"),
        }
    }
}

/// The graph; an edge `a → b` means `a` depends on `b`.
pub struct ConfigGraph {
    graph: StableDiGraph<Node, ()>,
    index: HashMap<Node, NodeIndex>,
    /// Deferrable references (a data table's relation to another table) left out of the
    /// graph because they would close a cycle: `(from, to)`. The applier creates `from`
    /// without them and adds them in a second pass once `to` exists.
    deferred: BTreeSet<(ResourceAddr, ResourceAddr)>,
}

impl ConfigGraph {
    /// Builds the graph, checking that every reference names something declared and that
    /// there is no cycle. All problems are reported together.
    pub fn build(config: &Config) -> Result<ConfigGraph, Diagnostics> {
        let mut g = ConfigGraph {
            graph: StableDiGraph::new(),
            index: HashMap::new(),
            deferred: BTreeSet::new(),
        };
        let mut spans: HashMap<Node, Span> = HashMap::new();
        for v in &config.variables {
            g.add(Node::Var(v.name.clone()));
            spans.insert(Node::Var(v.name.clone()), v.span);
        }
        for l in &config.locals {
            g.add(Node::Local(l.name.clone()));
            spans.insert(Node::Local(l.name.clone()), l.span);
        }
        for r in &config.resources {
            g.add(Node::Resource(r.addr.clone()));
            spans.insert(Node::Resource(r.addr.clone()), r.span);
        }
        for o in &config.outputs {
            g.add(Node::Output(o.name.clone()));
            spans.insert(Node::Output(o.name.clone()), o.span);
        }

        let mut diags = Diagnostics::default();
        // Variable validations are evaluated while resolving variables (they may read any
        // `var.*`, as in Terraform 1.9+), not as part of the graph walk.
        for l in &config.locals {
            g.link_refs(
                config,
                &Node::Local(l.name.clone()),
                &l.expr,
                false,
                &mut diags,
            );
        }
        let mut deferrable = Vec::new();
        for r in &config.resources {
            let node = Node::Resource(r.addr.clone());
            let (hard, soft) = split_deferrable(r);
            for expr in hard {
                g.link_refs(config, &node, expr, false, &mut diags);
            }
            deferrable.extend(soft.into_iter().map(|e| (node.clone(), e)));
            for (dep, span) in &r.depends_on {
                g.link(
                    config,
                    &node,
                    &Node::Resource(dep.clone()),
                    *span,
                    &mut diags,
                );
            }
        }
        for o in &config.outputs {
            let node = Node::Output(o.name.clone());
            g.link_refs(config, &node, &o.value, false, &mut diags);
            for (dep, span) in &o.depends_on {
                g.link(
                    config,
                    &node,
                    &Node::Resource(dep.clone()),
                    *span,
                    &mut diags,
                );
            }
        }
        g.check_cycles(config, &spans, &mut diags);
        // Deferrable references go in last, each only if it closes no cycle.
        for (from, expr) in deferrable {
            for reference in expr.references() {
                let Subject::Resource(to) = &reference.subject else {
                    g.link_refs_single(config, &from, &reference, &mut diags);
                    continue;
                };
                let to_node = Node::Resource(to.clone());
                let (Some(&from_ix), Some(&to_ix)) = (g.index.get(&from), g.index.get(&to_node))
                else {
                    g.link_refs_single(config, &from, &reference, &mut diags);
                    continue;
                };
                if from_ix == to_ix
                    || petgraph::algo::has_path_connecting(&g.graph, to_ix, from_ix, None)
                {
                    if let Node::Resource(from_addr) = &from {
                        g.deferred.insert((from_addr.clone(), to.clone()));
                    }
                } else if g.graph.find_edge(from_ix, to_ix).is_none() {
                    g.graph.add_edge(from_ix, to_ix, ());
                }
            }
        }
        if diags.is_empty() { Ok(g) } else { Err(diags) }
    }

    /// Links one reference found in a deferrable expression that is not a resource.
    fn link_refs_single(
        &mut self,
        config: &Config,
        from: &Node,
        reference: &crate::config::Reference,
        diags: &mut Diagnostics,
    ) {
        let target = match &reference.subject {
            Subject::Var(n) => Node::Var(n.clone()),
            Subject::Local(n) => Node::Local(n.clone()),
            Subject::Resource(a) => Node::Resource(a.clone()),
            Subject::Each | Subject::CountIndex | Subject::Path | Subject::SelfRef => return,
        };
        if &target != from {
            self.link(config, from, &target, reference.span, diags);
        }
    }

    /// References left out to break a cycle (see `deferred`).
    pub fn deferred(&self) -> &BTreeSet<(ResourceAddr, ResourceAddr)> {
        &self.deferred
    }

    fn add(&mut self, node: Node) {
        if !self.index.contains_key(&node) {
            let ix = self.graph.add_node(node.clone());
            self.index.insert(node, ix);
        }
    }

    fn link_refs(
        &mut self,
        config: &Config,
        from: &Node,
        expr: &Expr,
        only_self: bool,
        diags: &mut Diagnostics,
    ) {
        for reference in expr.references() {
            let target = match &reference.subject {
                Subject::Var(n) => Node::Var(n.clone()),
                Subject::Local(n) => Node::Local(n.clone()),
                Subject::Resource(a) => Node::Resource(a.clone()),
                Subject::Each | Subject::CountIndex | Subject::Path | Subject::SelfRef => continue,
            };
            if only_self && &target != from {
                diags.push(
                    Diagnostic::error("Invalid reference in variable validation").at(
                        &config.sources,
                        reference.span,
                        "a validation may only refer to the variable itself",
                    ),
                );
                continue;
            }
            if &target == from && !only_self {
                diags.push(
                    Diagnostic::error(format!("Self-referential block: {from} refers to itself"))
                        .at(&config.sources, reference.span, "refers to its own block"),
                );
                continue;
            }
            if &target != from {
                self.link(config, from, &target, reference.span, diags);
            }
        }
    }

    fn link(
        &mut self,
        config: &Config,
        from: &Node,
        to: &Node,
        span: Span,
        diags: &mut Diagnostics,
    ) {
        let Some(&to_ix) = self.index.get(to) else {
            let what = match to {
                Node::Var(n) => format!(
                    "Reference to undeclared input variable: no variable \"{n}\" is declared"
                ),
                Node::Local(n) => {
                    format!("Reference to undeclared local value: no local \"{n}\" is declared")
                }
                Node::Resource(a) => {
                    format!("Reference to undeclared resource: no {a} is declared")
                }
                Node::Output(n) => format!("Reference to undeclared output {n}"),
            };
            diags.push(Diagnostic::error(what).at(&config.sources, span, "not declared"));
            return;
        };
        let from_ix = self.index[from];
        if self.graph.find_edge(from_ix, to_ix).is_none() {
            self.graph.add_edge(from_ix, to_ix, ());
        }
    }

    /// Reports every cycle (strongly connected component of more than one node), naming
    /// each member and pointing at each member's block.
    fn check_cycles(&self, config: &Config, spans: &HashMap<Node, Span>, diags: &mut Diagnostics) {
        for component in tarjan_scc(&self.graph) {
            if component.len() < 2 {
                continue;
            }
            let mut members: Vec<&Node> = component.iter().map(|ix| &self.graph[*ix]).collect();
            members.sort();
            let names: Vec<String> = members.iter().map(|n| n.to_string()).collect();
            let mut diag = Diagnostic::error(format!("Cycle: {}", names.join(", ")));
            if let Some(span) = members.first().and_then(|n| spans.get(*n)) {
                diag = diag.at(&config.sources, *span, "part of a dependency cycle");
            }
            let locations: Vec<String> = members
                .iter()
                .filter_map(|n| {
                    spans
                        .get(*n)
                        .map(|s| format!("{n} ({})", config.sources.location(*s)))
                })
                .collect();
            diags.push(diag.with_help(format!(
                "each of these refers, directly or indirectly, to the next: {}. Break the loop by removing one reference.",
                locations.join(" → ")
            )));
        }
    }

    /// Every node, dependencies before dependents, ties broken by name (deterministic).
    pub fn order(&self) -> Vec<Node> {
        let mut pending: BTreeMap<&Node, usize> = BTreeMap::new();
        let mut ready: BTreeSet<&Node> = BTreeSet::new();
        for ix in self.graph.node_indices() {
            let deps = self.graph.edges_directed(ix, Direction::Outgoing).count();
            if deps == 0 {
                ready.insert(&self.graph[ix]);
            } else {
                pending.insert(&self.graph[ix], deps);
            }
        }
        let mut out = Vec::with_capacity(self.graph.node_count());
        while let Some(node) = ready.pop_first() {
            out.push(node.clone());
            let ix = self.index[node];
            for edge in self.graph.edges_directed(ix, Direction::Incoming) {
                let dependent = &self.graph[edge.source()];
                if let Some(count) = pending.get_mut(dependent) {
                    *count -= 1;
                    if *count == 0 {
                        pending.remove(dependent);
                        ready.insert(dependent);
                    }
                }
            }
        }
        out
    }

    /// The direct dependencies of a node.
    pub fn dependencies(&self, node: &Node) -> Vec<Node> {
        let Some(&ix) = self.index.get(node) else {
            return Vec::new();
        };
        let mut deps: Vec<Node> = self
            .graph
            .edges_directed(ix, Direction::Outgoing)
            .map(|e| self.graph[e.target()].clone())
            .collect();
        deps.sort();
        deps
    }

    /// The resources a node depends on, directly or through locals and variables.
    pub fn resource_dependencies(&self, node: &Node) -> BTreeSet<ResourceAddr> {
        let mut out = BTreeSet::new();
        let mut stack = self.dependencies(node);
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            match &n {
                Node::Resource(a) => {
                    out.insert(a.clone());
                }
                _ => stack.extend(self.dependencies(&n)),
            }
        }
        out
    }

    /// DOT text for `workform graph` (resources only, edges from dependent to dependency).
    pub fn to_dot(&self) -> String {
        let mut out = String::from(
            "digraph G {\n  rankdir = \"RL\";\n  node [shape = rect, fontname = \"sans-serif\"];\n",
        );
        for node in self.order() {
            if let Node::Resource(a) = &node {
                out.push_str(&format!("  \"{a}\" [label=\"{a}\"];\n"));
                for dep in self.resource_dependencies(&node) {
                    out.push_str(&format!("  \"{a}\" -> \"{dep}\";\n"));
                }
            }
        }
        out.push_str("}\n");
        out
    }
}

/// A resource block's expressions split into ordinary ones and those inside blocks the
/// schema marks `deferrable` (their references may be applied in a second pass).
fn split_deferrable(r: &crate::config::ResourceConfig) -> (Vec<&Expr>, Vec<&Expr>) {
    let mut hard: Vec<&Expr> = Vec::new();
    let mut soft: Vec<&Expr> = Vec::new();
    hard.extend(r.count.iter());
    hard.extend(r.for_each.iter());
    let blocks = crate::schema::resource(&r.addr.type_name).map(|s| &s.blocks);
    split_body(&r.body, blocks, &mut hard, &mut soft);
    (hard, soft)
}

fn split_body<'a>(
    body: &'a crate::config::Body,
    blocks: Option<&BTreeMap<String, crate::schema::BlockSchema>>,
    hard: &mut Vec<&'a Expr>,
    soft: &mut Vec<&'a Expr>,
) {
    hard.extend(body.attributes.iter().map(|a| &a.expr));
    for b in &body.blocks {
        let schema = blocks.and_then(|bs| bs.get(&b.type_name));
        if schema.is_some_and(|s| s.deferrable) {
            collect_body_exprs(&b.body, soft);
        } else {
            split_body(&b.body, schema.map(|s| &s.blocks), hard, soft);
        }
    }
}

/// Every expression of a resource block, nested blocks and meta-arguments included.
pub fn resource_exprs(r: &crate::config::ResourceConfig) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    out.extend(r.count.iter());
    out.extend(r.for_each.iter());
    collect_body_exprs(&r.body, &mut out);
    out
}

fn collect_body_exprs<'a>(body: &'a crate::config::Body, out: &mut Vec<&'a Expr>) {
    for a in &body.attributes {
        out.push(&a.expr);
    }
    for b in &body.blocks {
        collect_body_exprs(&b.body, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Config {
        crate::config::load_files(
            std::path::Path::new("."),
            vec![("main.wf.hcl".into(), text.into())],
        )
        .unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn references_order_dependencies_first() {
        let config = load(
            r#"
locals { name = "x" }
resource "workato_folder" "child" {
  name      = local.name
  folder_id = workato_project.p.folder_id
}
resource "workato_project" "p" { name = "p" }
output "id" { value = workato_folder.child.id }
"#,
        );
        let g = ConfigGraph::build(&config).unwrap();
        let order = g.order();
        let pos = |n: &Node| order.iter().position(|x| x == n).unwrap();
        let project = Node::Resource(ResourceAddr::managed("workato_project", "p"));
        let child = Node::Resource(ResourceAddr::managed("workato_folder", "child"));
        assert!(pos(&project) < pos(&child));
        assert!(pos(&Node::Local("name".into())) < pos(&child));
        assert!(pos(&child) < pos(&Node::Output("id".into())));
        assert_eq!(
            g.resource_dependencies(&Node::Output("id".into())),
            [ResourceAddr::managed("workato_folder", "child")].into()
        );
    }

    #[test]
    fn a_cycle_names_every_member() {
        let config = load(
            r#"
resource "workato_folder" "a" {
  name      = "a"
  folder_id = workato_folder.b.id
}
resource "workato_folder" "b" {
  name      = "b"
  folder_id = local.c
}
locals { c = workato_folder.a.id }
"#,
        );
        let err = ConfigGraph::build(&config).err().expect("a cycle");
        let text = format!(
            "{:?}",
            err.0.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        );
        for member in ["workato_folder.a", "workato_folder.b", "local.c"] {
            assert!(text.contains(member), "{member} missing from {text}");
        }
    }

    #[test]
    fn undeclared_references_are_reported_together() {
        let text = r#"
resource "workato_folder" "a" {
  name      = var.nope
  folder_id = workato_project.missing.id
}
"#;
        // The loader or the graph may catch them; either way both are reported at once.
        let errors = match crate::config::load_files(
            std::path::Path::new("."),
            vec![("main.wf.hcl".into(), text.into())],
        ) {
            Err(d) => d,
            Ok(config) => ConfigGraph::build(&config).err().expect("errors"),
        };
        let text: Vec<String> = errors.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(errors.0.len(), 2, "{text:?}");
    }

    #[test]
    fn depends_on_adds_an_edge() {
        let config = load(
            r#"
resource "workato_project" "p" { name = "p" }
resource "workato_project" "q" {
  name       = "q"
  depends_on = [workato_project.p]
}
"#,
        );
        let g = ConfigGraph::build(&config).unwrap();
        let q = Node::Resource(ResourceAddr::managed("workato_project", "q"));
        assert_eq!(
            g.dependencies(&q),
            vec![Node::Resource(ResourceAddr::managed(
                "workato_project",
                "p"
            ))]
        );
    }
}
