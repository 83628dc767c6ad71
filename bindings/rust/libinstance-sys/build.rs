//! Generates the FFI from libinstance.h and links libinstance.so.
//!
//! Where the library is: `LIBINSTANCE_LIB_DIR` (a build tree's `capi/`, as the meson test sets it),
//! else pkg-config's `libinstance`. Where the header is: `LIBINSTANCE_INCLUDE_DIR`, else the
//! source tree's `include/` when this crate sits in it, else pkg-config's include directories.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "libinstance.h";

fn main() {
    println!("cargo:rerun-if-env-changed=LIBINSTANCE_LIB_DIR");
    println!("cargo:rerun-if-env-changed=LIBINSTANCE_INCLUDE_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    let lib_dirs = match env::var_os("LIBINSTANCE_LIB_DIR") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => pkg_config(&["--libs-only-L"], "-L")
            .unwrap_or_else(|why| panic!("libinstance not found: set LIBINSTANCE_LIB_DIR ({why})")),
    };
    for dir in &lib_dirs {
        println!("cargo:rustc-link-search=native={}", dir.display());
        // Our own tests run straight from the build tree; dependents get the directory through
        // DEP_INSTANCE_LIB_DIR and set their own rpath (link-arg does not propagate).
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
    if let Some(dir) = lib_dirs.first() {
        println!("cargo:lib_dir={}", dir.display());
    }
    println!("cargo:rustc-link-lib=dylib=instance");

    let header = find_header();
    println!("cargo:rerun-if-changed={}", header.display());
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .allowlist_function("li_.*")
        .allowlist_type("li_.*")
        .allowlist_var("LI_.*")
        // The C enums are open-ended (append-only), so constants, not Rust enums.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .generate_comments(true)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        .generate()
        .expect("bindgen failed on libinstance.h");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("bindings.rs");
    bindings.write_to_file(&out).expect("writing bindings.rs");
}

fn find_header() -> PathBuf {
    if let Some(dir) = env::var_os("LIBINSTANCE_INCLUDE_DIR") {
        return Path::new(&dir).join(HEADER);
    }
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../include").join(HEADER);
    if in_tree.exists() {
        return in_tree;
    }
    let dirs = pkg_config(&["--cflags-only-I"], "-I")
        .unwrap_or_else(|why| panic!("{HEADER} not found: set LIBINSTANCE_INCLUDE_DIR ({why})"));
    dirs.into_iter()
        .map(|dir| dir.join(HEADER))
        .chain(std::iter::once(PathBuf::from("/usr/include").join(HEADER)))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{HEADER} not found: set LIBINSTANCE_INCLUDE_DIR"))
}

/// The directories pkg-config prints for libinstance with `flag`, each prefixed by `prefix`.
fn pkg_config(flag: &[&str], prefix: &str) -> Result<Vec<PathBuf>, String> {
    let output = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(flag)
        .arg("libinstance")
        .output()
        .map_err(|e| format!("running pkg-config: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|word| word.strip_prefix(prefix))
        .map(PathBuf::from)
        .collect())
}
