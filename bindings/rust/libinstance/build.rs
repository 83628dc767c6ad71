//! Lets this crate's own test executables find libinstance.so at run time: libinstance-sys knows
//! the directory but its rpath link-arg does not reach dependents, so it is passed on as metadata.
//! (`rustc-link-arg-tests` would miss the unit tests of src/, hence the plain form; a library
//! crate is never linked itself, so it only reaches this package's tests and doctests.)

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_INSTANCE_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_INSTANCE_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
