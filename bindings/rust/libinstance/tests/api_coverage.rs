//! Every function the C ABI exports (capi/libinstance.map) is bound by the safe API: adding one to
//! the map without a Rust binding fails here.

use std::path::{Path, PathBuf};

fn exported_symbols(map: &str) -> Vec<String> {
    let mut symbols = Vec::new();
    let mut in_global = false;
    for line in map.lines() {
        let line = line.split("/*").next().unwrap_or("").trim();
        match line {
            "global:" => in_global = true,
            "local:" => in_global = false,
            _ if in_global => {
                if let Some(name) = line.strip_suffix(';') {
                    symbols.push(name.trim().to_string());
                }
            }
            _ => {}
        }
    }
    symbols
}

fn rust_sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// True when `path` appears as a whole path (called or passed as a function pointer).
fn uses(sources: &str, path: &str) -> bool {
    sources.match_indices(path).any(|(at, _)| {
        let next = sources[at + path.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn every_exported_function_is_bound() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let map_path = crate_dir.join("../../../capi/libinstance.map");
    let map = std::fs::read_to_string(&map_path).unwrap_or_else(|e| {
        panic!("the version script {map_path:?} (this test runs in the source tree): {e}")
    });
    let symbols = exported_symbols(&map);
    assert!(symbols.len() > 30, "too few symbols parsed from {map_path:?}: {symbols:?}");

    let mut sources = String::new();
    rust_sources(&crate_dir.join("src"), &mut sources);
    let unbound: Vec<_> = symbols.iter().filter(|s| !uses(&sources, &format!("sys::{s}"))).collect();
    assert!(unbound.is_empty(), "exported but not bound by the libinstance crate: {unbound:?}");
}
