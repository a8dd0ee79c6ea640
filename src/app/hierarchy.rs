//! A campaign's units as a tree, by name: each unit's parent, its depth, its ancestor at a
//! level, and whether it stands under another. Read once per use case from the store's unit
//! tree, and shared by what checks a file's rows (a unit reports for itself and the units under
//! it) and what adds figures up (a row per parent or level).

use std::collections::HashMap;

use crate::values::Invalid;

/// The units of one campaign, by name, with their parents.
pub(super) struct Hierarchy<'t> {
    parents: HashMap<&'t str, Option<&'t str>>,
}

impl<'t> Hierarchy<'t> {
    /// The hierarchy of the store's unit tree.
    pub(super) fn new(tree: &'t [(String, Option<String>)]) -> Hierarchy<'t> {
        Hierarchy {
            parents: tree
                .iter()
                .map(|(n, p)| (n.as_str(), p.as_deref()))
                .collect(),
        }
    }

    /// Whether `unit` is one of the campaign's.
    pub(super) fn knows(&self, unit: &str) -> bool {
        self.parents.contains_key(unit)
    }

    /// The units' names, for suggestions.
    pub(super) fn names(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.parents.keys().copied()
    }

    /// The parent of `unit`, if it has one.
    pub(super) fn parent(&self, unit: &str) -> Option<&'t str> {
        self.parents.get(unit).copied().flatten()
    }

    /// The chain from `unit` up to the top, `unit` first (cut at a cycle's length).
    pub(super) fn chain<'u>(&self, unit: &'u str) -> Vec<&'u str>
    where
        't: 'u,
    {
        let mut chain = vec![unit];
        while let Some(parent) = self.parent(chain[chain.len() - 1]) {
            if chain.len() > self.parents.len() {
                break;
            }
            chain.push(parent);
        }
        chain
    }

    /// 1 for a unit without a parent.
    pub(super) fn depth(&self, unit: &str) -> usize {
        self.chain(unit).len()
    }

    /// The unit at depth `n` above `unit`, or `unit` itself if it is not that deep.
    pub(super) fn ancestor<'u>(&self, unit: &'u str, n: usize) -> &'u str
    where
        't: 'u,
    {
        let chain = self.chain(unit);
        chain[chain.len().saturating_sub(n)]
    }

    /// Why `unit` may not be reported for by `submitter` (it is unknown, or neither the
    /// submitter nor under it), as a problem at `at`.
    pub(super) fn outside(&self, submitter: &str, unit: &str, at: &str) -> Option<Invalid> {
        if !self.knows(unit) {
            let hint = crate::language::suggest::did_you_mean(unit, self.names())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Some(Invalid {
                zh: None,
                field: None,
                at: at.into(),
                message: format!("unknown unit `{unit}`{hint}"),
            });
        }
        if self.chain(unit).contains(&submitter) {
            return None;
        }
        Some(Invalid {
            zh: None,
            field: None,
            at: at.into(),
            message: format!("{unit} is not {submitter} nor one of its sub-units"),
        })
    }
}
