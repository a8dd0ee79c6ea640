//! The import graph of the library: each stage uses only the stages below it, so that the
//! language knows nothing of storage, the store nothing of mail, and no library module anything
//! of the command line; inside the store, the two engines never use each other. Read from the
//! sources, so a new `use` in the wrong direction fails here.

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
    // The drafter reads documents with the language and checks its drafts with the schedule;
    // only the command line drafts.
    &["draft"],
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

/// The Rust text of the files under `path` (comments left out), by file.
fn sources(path: &Path, out: &mut Vec<(String, String)>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            sources(&entry.unwrap().path(), out);
        }
        return;
    }
    if path.extension().is_none_or(|e| e != "rs") {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    let code: Vec<&str> = text
        .lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect();
    out.push((path.display().to_string(), code.join("\n")));
}

/// The names a piece of code uses: identifiers, and the paths they make (`a::b::c`).
fn names(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut path = String::new();
    let mut word = String::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.insert(word.clone());
            path.push_str(&word);
            word.clear();
        }
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            path.push_str("::");
            continue;
        }
        if !path.is_empty() {
            out.insert(std::mem::take(&mut path));
        }
    }
    out.insert(word);
    out.insert(path);
    out
}

/// The two storage engines sit side by side and never use one another: each takes only what
/// `store/` shares (the contract, common SQL, pure code), so that a third would be a new folder.
/// The SQLite engine's own names, which `store/` re-exports for its callers, count as its.
#[test]
fn the_storage_engines_never_use_each_other() {
    let store = crate::common::root().join("src/store");
    let engines: [(&str, &[&str]); 2] = [
        ("sqlite", &["postgres", "PgStore"]),
        (
            "postgres",
            &["sqlite", "rusqlite", "Store", "Options", "store::schema"],
        ),
    ];
    let mut wrong = Vec::new();
    for (engine, foreign) in engines {
        let mut files = Vec::new();
        sources(&store.join(engine), &mut files);
        assert!(files.len() >= 5, "the {engine} engine's files were found");
        for (file, code) in files {
            for name in names(&code) {
                let crosses = name.split("::").any(|segment| foreign.contains(&segment))
                    || foreign.iter().any(|f| f.contains("::") && name.contains(f));
                if crosses {
                    wrong.push(format!("{file} uses `{name}`"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "one engine uses the other: {wrong:#?}");
}
