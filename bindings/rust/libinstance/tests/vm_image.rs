//! The debian-vm builder through Rust: a virtual-machine image (metadata with the kernel and
//! initrd, and a qcow2 disk). Real: the kernel package comes through apt, cached in
//! $LIBINSTANCE_CACHE_DIR when set (else the state directory's cache).

mod common;

use common::{expect_error, manager};
use libinstance::{BuildImageOptions, ErrorCode};

#[test]
fn debian_vm_builds_a_virtual_machine_image() {
    let mgr = manager();
    let opts = BuildImageOptions {
        alias: Some("rs-debian-vm".into()),
        cache_dir: std::env::var_os("LIBINSTANCE_CACHE_DIR").map(Into::into),
        ..Default::default()
    };
    let img = mgr.build_image_with("debian-vm", &opts).unwrap();
    assert_eq!(img.image_type, "virtual-machine");
    assert_eq!(img.properties.get("variant").map(String::as_str), Some("vm-busybox"));
    assert_eq!(mgr.image("rs-debian-vm").unwrap().image_type, "virtual-machine");
    assert!(mgr.images().unwrap().iter().any(|i| i.fingerprint == img.fingerprint && i.image_type == "virtual-machine"));
    mgr.delete_image(&img.fingerprint).unwrap();

    let bad = BuildImageOptions { release: Some("no-such-release".into()), ..Default::default() };
    let err = expect_error(mgr.build_image_with("debian-vm", &bad), ErrorCode::InvalidArgument, "no-such-release");
    assert_eq!(err.key.as_deref(), Some("release"));
}
