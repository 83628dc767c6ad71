//! disk and unix-char devices on real containers: a host directory bind mounted read-only and
//! shifted (host root's files are the container root's), a host character device usable inside,
//! bad values refused naming the key, and a missing required source failing the start.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};

use common::{expect_error, manager, Guard, TempDir, IMAGE};
use libinstance::api::{self, status};
use libinstance::{ErrorCode, ExecOptions, StopOptions};

fn post_with(name: &str, devices: &[(&str, &[(&str, &str)])]) -> api::InstancesPost {
    let mut post = api::InstancesPost::new(name, api::InstanceSource::image_alias(IMAGE));
    for (dev, keys) in devices {
        post.devices.insert(dev.to_string(), keys.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    }
    post
}

fn sh(c: &libinstance::Instance, script: &str) -> libinstance::ExecResult {
    c.exec(&["sh", "-c", script], &ExecOptions::default()).unwrap()
}

/// A host directory (mode 0755) holding a root-owned "hello".
fn host_dir() -> TempDir {
    let dir = TempDir::new("devsrc");
    std::fs::set_permissions(&*dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("hello"), "from-host\n").unwrap();
    std::fs::set_permissions(dir.join("hello"), std::fs::Permissions::from_mode(0o644)).unwrap();
    dir
}

#[test]
fn disk_and_unix_char_devices() {
    let src = host_dir();
    let source = src.to_str().unwrap();
    let mut post = post_with(
        "rs-dev",
        &[
            ("data", &[("type", "disk"), ("source", source), ("path", "/mnt/data"), ("readonly", "true")]),
            ("shifted", &[("type", "disk"), ("source", source), ("path", "/mnt/shifted"), ("shift", "true")]),
            ("z", &[("type", "unix-char"), ("source", "/dev/zero"), ("path", "/dev/myzero")]),
        ],
    );
    post.start = true;
    let c = Guard(manager().create_instance(&post).unwrap());
    assert_eq!(sh(&c, "cat /mnt/data/hello").stdout_text(), "from-host\n");
    assert!(sh(&c, "touch /mnt/data/new 2>&1").stdout_text().contains("Read-only file system"));
    assert!(!src.join("new").exists());
    assert_eq!(sh(&c, "stat -c %u /mnt/data/hello").stdout_text(), "65534\n");
    assert_eq!(sh(&c, "stat -c %u /mnt/shifted/hello").stdout_text(), "0\n");
    assert_eq!(sh(&c, "echo in > /mnt/shifted/made").exit_code, 0);
    assert_eq!(std::fs::metadata(src.join("made")).unwrap().uid(), 0);
    assert_eq!(sh(&c, "head -c 10 /dev/myzero | wc -c").stdout_text().trim(), "10");
    c.stop(StopOptions { force: true, timeout: None }).unwrap();
}

#[test]
fn bad_device_values_are_refused() {
    let mgr = manager();
    let cases: [(&[(&str, &str)], &str, &str); 3] = [
        (&[("type", "disk"), ("source", "/srv"), ("path", "/mnt"), ("shift", "sometimes")], "devices.d.shift", "sometimes"),
        (&[("type", "unix-block"), ("major", "8")], "devices.d.path", "path"),
        (&[("type", "gpu"), ("pci", "nowhere")], "devices.d.pci", "nowhere"),
    ];
    for (device, key, word) in cases {
        let post = post_with("rs-baddev", &[("d", device)]);
        let err = expect_error(mgr.create_instance(&post), ErrorCode::InvalidArgument, word);
        assert_eq!(err.key.as_deref(), Some(key));
        assert!(mgr.instance("rs-baddev").is_err());
    }
}

#[test]
fn missing_required_source_fails_the_start() {
    let post = post_with("rs-devmiss", &[("m", &[("type", "disk"), ("source", "/nonexistent-li-rs"), ("path", "/mnt/m")])]);
    let c = Guard(manager().create_instance(&post).unwrap());
    let err = expect_error(c.start(), ErrorCode::NotFound, "/nonexistent-li-rs");
    assert!(err.message.contains("device \"m\""), "{err:?}");
    assert_eq!(c.status_code().unwrap(), status::STOPPED);
}

#[test]
fn disk_hot_plug_and_unplug() {
    let src = host_dir();
    let mut post = post_with("rs-devhot", &[]);
    post.start = true;
    let c = Guard(manager().create_instance(&post).unwrap());
    let disk: api::ConfigMap = [("type", "disk"), ("source", src.to_str().unwrap()), ("path", "/mnt/hot")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    c.add_device("data", &disk).unwrap();
    assert_eq!(sh(&c, "cat /mnt/hot/hello").stdout_text(), "from-host\n");
    assert!(c.info().unwrap().devices.contains_key("data"));
    c.remove_device("data").unwrap();
    assert_ne!(sh(&c, "test -e /mnt/hot/hello").exit_code, 0);
    assert!(!c.info().unwrap().devices.contains_key("data"));

    let mut missing = disk.clone();
    missing.insert("source".into(), "/nonexistent-li-rs".into());
    let err = expect_error(c.add_device("m", &missing), ErrorCode::NotFound, "/nonexistent-li-rs");
    assert!(err.message.contains("device \"m\""), "{err:?}");
    assert!(!c.info().unwrap().devices.contains_key("m"));
    c.stop(StopOptions { force: true, timeout: None }).unwrap();
}
