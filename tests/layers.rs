//! The import graph of the library: each stage uses only the stages below it, so that the
//! language knows nothing of storage, the store nothing of mail, and no library module anything
//! of the command line. Read from the sources, so a new `use` in the wrong direction fails here.

use std::collections::BTreeSet;
use std::path::Path;

/// The library's top-level modules, lowest first. A module may use modules of a lower layer
/// (and its own), never of the same or a higher one.
const LAYERS: &[&[&str]] = &[
    &["vocabulary", "fsio", "clock"],
    &["language"],
    &["schedule"],
    &["values"],
    &["ledger"],
    &["store"],
    &["notices"],
    &["config", "workspace", "daemon"],
    &["reports"],
    &["documents"],
    &["app"],
    &["web"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The `crate::X` modules named in the Rust files under `path`.
fn used_modules(path: &Path, out: &mut BTreeSet<String>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            used_modules(&entry.unwrap().path(), out);
        }
        return;
    }
    if path.extension().is_none_or(|e| e != "rs") {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    for (i, _) in text.match_indices("crate::") {
        let name: String = text[i + "crate::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
}

#[test]
fn every_module_uses_only_the_stages_below_it() {
    let src = crate::common::root().join("src");
    let mut wrong = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if matches!(stem.as_str(), "lib" | "main") {
            continue;
        }
        let layer = layer_of(&stem).unwrap_or_else(|| panic!("`{stem}` has no layer in LAYERS"));
        seen += 1;
        let mut used = BTreeSet::new();
        used_modules(&path, &mut used);
        for module in used {
            let Some(other) = layer_of(&module) else {
                continue;
            };
            if module != stem && other >= layer {
                wrong.push(format!("{stem} uses {module}"));
            }
        }
    }
    assert!(seen >= 10, "the sources were found ({seen} modules)");
    assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
}
