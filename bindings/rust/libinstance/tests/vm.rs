//! A real virtual machine through Rust (TCG where KVM is unusable): launched from the debian-vm
//! image (cached in $LIBINSTANCE_CACHE_DIR), its state, a command and files through the guest
//! agent, a graceful stop and the delete; a container image as a VM's source is refused.

mod common;

use std::time::{Duration, Instant};

use common::{expect_error, manager, state_dir, Guard};
use libinstance::{api, BuildImageOptions, ErrorCode, ExecOptions, FileOptions, StopOptions};

fn vm_post(name: &str, alias: &str) -> api::InstancesPost {
    let mut post = api::InstancesPost::new(name, api::InstanceSource::image_alias(alias));
    post.instance_type = "virtual-machine".into();
    post.config.insert("limits.memory".into(), "256MiB".into());
    post
}

#[test]
fn vm_launch_exec_files_stop_delete() {
    let mgr = manager();
    let opts = BuildImageOptions {
        alias: Some("rs-vm".into()),
        cache_dir: std::env::var_os("LIBINSTANCE_CACHE_DIR").map(Into::into),
        ..Default::default()
    };
    mgr.build_image_with("debian-vm", &opts).unwrap();
    let mut post = vm_post("rs-vm1", "rs-vm");
    post.start = true;
    let vm = Guard(mgr.create_instance(&post).unwrap());
    let listed = mgr.instances(false).unwrap();
    assert_eq!(listed.iter().find(|i| i.name == "rs-vm1").unwrap().instance_type, "virtual-machine");
    let state = vm.state().unwrap();
    assert_eq!(state.status, "Running");
    assert!(state.accelerator == "tcg" || state.accelerator == "kvm", "{}", state.accelerator);

    // The first command waits for the guest to boot and its agent to answer.
    let started = Instant::now();
    let out = vm.exec(&["uname", "-r"], &ExecOptions::default()).unwrap();
    eprintln!("exec ready after {:?}", started.elapsed());
    assert_eq!(out.exit_code, 0);
    assert!(out.stdout_text().trim_end().ends_with("-amd64"), "{}", out.stdout_text());
    assert_eq!(vm.exec(&["sh", "-c", "exit 3"], &ExecOptions::default()).unwrap().exit_code, 3);

    vm.file_push_data("/root/rs.txt", b"hello vm from rust\n", &FileOptions { mode: Some(0o640), ..Default::default() })
        .unwrap();
    assert_eq!(vm.file_read("/root/rs.txt").unwrap(), b"hello vm from rust\n");
    assert_eq!(vm.file_stat("/root/rs.txt").unwrap().mode, 0o640);

    // ACPI shutdown: the guest powers off on its own.
    vm.stop(StopOptions { force: false, timeout: Some(Duration::from_secs(60)) }).unwrap();
    assert_eq!(vm.state().unwrap().status, "Stopped");
    expect_error(vm.exec(&["true"], &ExecOptions::default()), ErrorCode::Conflict, "");
    vm.delete(false).unwrap();
    expect_error(mgr.instance("rs-vm1"), ErrorCode::NotFound, "rs-vm1");
    assert!(!state_dir().join("storage-pools/default/containers/rs-vm1").exists());
}

#[test]
fn container_image_as_vm_source_is_refused() {
    let mgr = manager();
    let err = expect_error(mgr.create_instance(&vm_post("rs-vm-bad", "busybox")), ErrorCode::InvalidArgument, "");
    assert_eq!(err.key.as_deref(), Some("source"));
    expect_error(mgr.instance("rs-vm-bad"), ErrorCode::NotFound, "rs-vm-bad");
    assert!(!state_dir().join("storage-pools/default/containers/rs-vm-bad").exists());
}
