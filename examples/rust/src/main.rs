//! Launches a busybox container, runs `uname -a` in it, prints the output and deletes it; the
//! lifecycle events of the container go to stderr.
//!
//! Usage: libinstance-example [STATE_DIR]   (default: $LIBINSTANCE_DIR, else /var/lib/libinstance)

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use libinstance::api::{InstanceSource, InstancesPost};
use libinstance::{ErrorCode, EventFilter, EventType, ExecOptions, Manager};

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

    let (subscription, events) = manager.events(&EventFilter::types(&[EventType::Lifecycle]))?;

    // Created in the background; the operation reports how it went.
    let mut post = InstancesPost::new("rust-example", InstanceSource::image_alias("busybox"));
    post.start = true;
    manager.create_instance_async(&post)?.wait(Some(Duration::from_secs(120)))?;
    let instance = manager.instance("rust-example")?;

    let result = instance.exec(&["uname", "-a"], &ExecOptions::default());
    // Delete even when exec failed, so no container is left behind.
    instance.delete(true)?;
    let output = result?;

    // Events arrive on the subscription's own thread: read them up to the container's deletion.
    while let Ok(event) = events.recv_timeout(Duration::from_secs(10)) {
        let Some(lifecycle) = event.lifecycle() else { continue };
        eprintln!("event: {} {}", lifecycle.action, lifecycle.source);
        if lifecycle.action == "instance-deleted" && lifecycle.source == "/1.0/instances/rust-example" {
            break;
        }
    }
    drop(subscription);

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
