//! Stopped VMs through Rust's generic calls, no guest booted (init from the debian-vm image,
//! cached in $LIBINSTANCE_CACHE_DIR): published as a virtual-machine image that a VM inits from;
//! exported and imported under another name (same type, same disk size); copied; snapshotted.
//! A custom block volume is reported back as block, a VM takes it as a disk device and a
//! container refuses it naming the device's source.

mod common;

use std::path::PathBuf;

use common::{container, expect_error, manager, state_dir, Guard, TempDir};
use libinstance::api::{InstanceSnapshotsPost, InstanceSource, InstancesPost, StorageVolumesPost};
use libinstance::{
    BackupExportOptions, BackupImportOptions, BuildImageOptions, ErrorCode, Manager, PublishOptions,
};

fn build_vm_image(mgr: &Manager) {
    let opts = BuildImageOptions {
        alias: Some("rs-vmpb".into()),
        cache_dir: std::env::var_os("LIBINSTANCE_CACHE_DIR").map(Into::into),
        ..Default::default()
    };
    assert_eq!(mgr.build_image_with("debian-vm", &opts).unwrap().image_type, "virtual-machine");
}

/// A stopped VM (init, not launch) from an image alias.
fn init_vm(mgr: &Manager, name: &str, alias: &str) -> Guard {
    let mut post = InstancesPost::new(name, InstanceSource::image_alias(alias));
    post.instance_type = "virtual-machine".into();
    post.config.insert("limits.memory".into(), "256MiB".into());
    Guard(mgr.create_instance(&post).unwrap_or_else(|e| panic!("creating {name}: {e:?}")))
}

fn volume_dir(name: &str) -> PathBuf {
    state_dir().join("storage-pools/default/containers").join(name)
}

fn root_img_size(name: &str) -> u64 {
    let disk = volume_dir(name).join("root.img");
    std::fs::metadata(&disk).unwrap_or_else(|e| panic!("{disk:?}: {e}")).len()
}

#[track_caller]
fn assert_stopped_vm(vm: &Guard) {
    let info = vm.info().unwrap();
    assert_eq!(info.instance_type, "virtual-machine");
    assert_eq!(info.status, "Stopped");
    assert!(volume_dir(vm.name()).join("root.img").is_file(), "{} has no root.img", vm.name());
}

#[test]
fn stopped_vm_publishes_as_a_vm_image_and_a_vm_inits_from_it() {
    let mgr = manager();
    build_vm_image(&mgr);
    let vm = init_vm(&mgr, "rs-vmpb-pub", "rs-vmpb");
    assert_stopped_vm(&vm);

    let mut opts = PublishOptions::new("rs-vmpb-pub");
    opts.alias = Some("rs-vmpb-pub-img".into());
    let img = mgr.publish_image(&opts).unwrap();
    assert_eq!(img.image_type, "virtual-machine");
    let got = mgr.image("rs-vmpb-pub-img").unwrap();
    assert_eq!(got.image_type, "virtual-machine");
    assert_eq!(got.fingerprint, img.fingerprint);

    let child = init_vm(&mgr, "rs-vmpb-child", "rs-vmpb-pub-img");
    assert_stopped_vm(&child);
    assert_eq!(root_img_size("rs-vmpb-child"), root_img_size("rs-vmpb-pub"));
    drop(child);
    mgr.delete_image("rs-vmpb-pub-img").unwrap();
}

#[test]
fn stopped_vm_snapshots_exports_imports_and_copies() {
    let mgr = manager();
    build_vm_image(&mgr);
    let vm = init_vm(&mgr, "rs-vmpb-bk", "rs-vmpb");
    let size = root_img_size("rs-vmpb-bk");

    // A snapshot of the stopped VM, with its own copy of the disk.
    vm.snapshot(&InstanceSnapshotsPost::new("s0")).unwrap();
    let snaps = vm.snapshots().unwrap();
    assert_eq!(snaps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["s0"]);
    let snap_disk = state_dir().join("storage-pools/default/containers-snapshots/rs-vmpb-bk/s0/root.img");
    assert!(snap_disk.is_file(), "{snap_disk:?}");

    // Exported and imported under another name: type, disk size and snapshot kept.
    let dir = TempDir::new("rs-vm-backup");
    let file = dir.join("vm.tar.gz");
    vm.export_backup(&file, &BackupExportOptions::default()).unwrap();
    let opts = BackupImportOptions { name: "rs-vmpb-imp".into(), ..Default::default() };
    let back = Guard(mgr.import_backup(&file, &opts).unwrap());
    assert_stopped_vm(&back);
    assert_eq!(root_img_size("rs-vmpb-imp"), size);
    assert_eq!(back.snapshots().unwrap().len(), 1);

    // A copy.
    let copy = Guard(
        mgr.create_instance(&InstancesPost::new("rs-vmpb-copy", InstanceSource::copy("rs-vmpb-bk"))).unwrap(),
    );
    assert_stopped_vm(&copy);
    assert_eq!(root_img_size("rs-vmpb-copy"), size);
    drop(copy);
    drop(back);
    drop(vm);
    assert!(!volume_dir("rs-vmpb-bk").exists());
    assert!(!snap_disk.exists());
}

#[test]
fn block_volume_is_block_a_vm_takes_it_a_container_refuses_it() {
    let mgr = manager();
    build_vm_image(&mgr);
    let project = mgr.default_project();
    let mut post = StorageVolumesPost::new("rs-blk");
    post.content_type = "block".into();
    post.config.insert("size".into(), "64MiB".into());
    let vol = project.create_storage_volume("default", &post).unwrap();
    assert_eq!(vol.content_type, "block");
    let got = project.storage_volume("default", "custom", "rs-blk").unwrap();
    assert_eq!(got.content_type, "block");
    assert_eq!(got.config.get("size").map(String::as_str), Some("64MiB"));
    let disk = state_dir().join("storage-pools/default/custom/rs-blk/root.img");
    assert_eq!(std::fs::metadata(&disk).unwrap().len(), 64 << 20);

    let dev: libinstance::api::ConfigMap = [("type", "disk"), ("pool", "default"), ("source", "rs-blk")]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let vm = init_vm(&mgr, "rs-vmpb-blk", "rs-vmpb");
    vm.add_device("data", &dev).unwrap();
    assert_eq!(vm.info().unwrap().devices["data"]["source"], "rs-blk");
    let used_by = project.storage_volume("default", "custom", "rs-blk").unwrap().used_by;
    assert!(used_by.iter().any(|u| u.ends_with("/rs-vmpb-blk")), "{used_by:?}");

    // A container refuses it naming the device's source; it keeps no such device.
    let ct = container(&mgr, "rs-vmpb-ct", false);
    let mut ct_dev = dev.clone();
    ct_dev.insert("path".into(), "/mnt".into());
    let err = expect_error(ct.add_device("b", &ct_dev), ErrorCode::InvalidArgument, "block volume");
    assert_eq!(err.key.as_deref(), Some("devices.b.source"));
    assert!(err.message.contains("virtual machine"), "{}", err.message);
    assert!(!ct.info().unwrap().devices.contains_key("b"));
    // Nor is a container created with it.
    let mut ct_post = InstancesPost::new("rs-vmpb-ct2", InstanceSource::image_alias("busybox"));
    ct_post.devices.insert("b".into(), ct_dev);
    let err = expect_error(mgr.create_instance(&ct_post), ErrorCode::InvalidArgument, "block volume");
    assert_eq!(err.key.as_deref(), Some("devices.b.source"));
    expect_error(mgr.instance("rs-vmpb-ct2"), ErrorCode::NotFound, "rs-vmpb-ct2");
    assert_eq!(std::fs::metadata(&disk).unwrap().len(), 64 << 20);

    drop(ct);
    drop(vm);
    project.delete_storage_volume("default", "rs-blk").unwrap();
    assert!(!disk.exists());
}
