//! Lets this crate's tests find libinstance.so at run time: libinstance-sys knows the
//! directory but its rpath link-arg does not reach dependents, so it is passed on as metadata.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_INSTANCE_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_INSTANCE_LIB_DIR") {
        println!("cargo:rustc-link-arg-tests=-Wl,-rpath,{dir}");
    }
}
