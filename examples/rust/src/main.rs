//! Launches a busybox container, runs `uname -a` in it, prints the output and deletes it.
//!
//! Usage: libinstance-example [STATE_DIR]   (default: $LIBINSTANCE_DIR, else /var/lib/libinstance)

use std::path::PathBuf;
use std::process::ExitCode;

use libinstance::api::{InstanceSource, InstancesPost};
use libinstance::{ErrorCode, ExecOptions, Manager};

fn run() -> libinstance::Result<i32> {
    let state_dir = std::env::args_os().nth(1).map(PathBuf::from);
    let manager = Manager::open(state_dir.as_deref())?;

    // Build the image on first use only.
    match manager.image("busybox") {
        Ok(_) => {}
        Err(e) if e.code == ErrorCode::NotFound => {
            manager.build_image("busybox", Some("busybox"))?;
        }
        Err(e) => return Err(e),
    }

    let mut post = InstancesPost::new("rust-example", InstanceSource::image_alias("busybox"));
    post.start = true;
    let instance = manager.create_instance(&post)?;

    let result = instance.exec(&["uname", "-a"], &ExecOptions::default());
    // Delete even when exec failed, so no container is left behind.
    instance.delete(true)?;
    let output = result?;

    print!("{}", output.stdout_text());
    eprint!("{}", output.stderr_text());
    Ok(output.exit_code)
}

fn main() -> ExitCode {
    match run() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => {
            eprintln!("uname exited with {code}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e} ({:?})", e.code);
            ExitCode::FAILURE
        }
    }
}
