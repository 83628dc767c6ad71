//! An instance's configuration through the safe API: PUT with ETag, key-level config, devices,
//! on stopped and running containers; refused changes name the key and change nothing.

mod common;

use std::time::Duration;

use common::{container, expect_error, manager};
use libinstance::api::{self, status, ConfigMap};
use libinstance::{ErrorCode, ExecOptions};

fn name(stem: &str) -> String {
    // Host-wide unique: liblxc names cgroups after the container.
    format!("rs{}-{stem}", std::process::id())
}

fn map(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The writable configuration plus what profiles expand it to: what a refused change must keep.
fn snapshot(inst: &libinstance::Instance) -> (api::InstancePut, ConfigMap, api::DeviceMap) {
    let info = inst.info().unwrap();
    (api::InstancePut::of(&info), info.expanded_config, info.expanded_devices)
}

#[test]
fn key_level_config_and_devices() {
    let mgr = manager();
    let c = container(&mgr, &name("cfg"), false);

    assert_eq!(c.get_config("user.color").unwrap(), None);
    c.set_config("user.color", "blue").unwrap();
    assert_eq!(c.get_config("user.color").unwrap().as_deref(), Some("blue"));
    c.set_configs(&map(&[("user.a", "1"), ("limits.memory", "128MiB"), ("user.color", "")])).unwrap();
    assert_eq!(c.get_config("user.color").unwrap(), None, "\"\" unsets");
    assert_eq!(c.info().unwrap().expanded_config.get("limits.memory").map(String::as_str), Some("128MiB"));
    c.unset_config("user.a").unwrap();
    assert_eq!(c.get_config("user.a").unwrap(), None);
    expect_error(c.unset_config("user.a"), ErrorCode::NotFound, "user.a");

    let src = common::TempDir::new("cfg-src");
    let disk = map(&[("type", "disk"), ("source", src.to_str().unwrap()), ("path", "/mnt/src")]);
    c.add_device("src", &disk).unwrap();
    assert_eq!(c.info().unwrap().devices["src"]["path"], "/mnt/src");
    expect_error(c.add_device("src", &disk), ErrorCode::AlreadyExists, "src");
    let mut ro = disk.clone();
    ro.insert("readonly".into(), "true".into());
    c.set_device("src", &ro).unwrap();
    assert_eq!(c.info().unwrap().devices["src"]["readonly"], "true");
    c.remove_device("src").unwrap();
    assert!(!c.info().unwrap().devices.contains_key("src"));
    expect_error(c.remove_device("src"), ErrorCode::NotFound, "src");

    // Bad input: the key is named, the value quoted, nothing changes.
    let before = snapshot(&c);
    let tag = c.etag().unwrap();
    let err = expect_error(c.set_config("limits.memory", "lots"), ErrorCode::InvalidArgument, "lots");
    assert_eq!(err.key.as_deref(), Some("config.limits.memory"));
    let err = expect_error(
        c.set_configs(&map(&[("user.ok", "1"), ("limits.cpu", "many")])),
        ErrorCode::InvalidArgument,
        "many",
    );
    assert_eq!(err.key.as_deref(), Some("config.limits.cpu"));
    let err = expect_error(
        c.add_device("bad", &map(&[("type", "disk"), ("source", "/tmp"), ("path", "/mnt"), ("readonly", "perhaps")])),
        ErrorCode::InvalidArgument,
        "perhaps",
    );
    assert_eq!(err.key.as_deref(), Some("devices.bad.readonly"));
    let err = expect_error(c.set_config("user.nul", "a\0b"), ErrorCode::InvalidArgument, "value");
    assert_eq!(err.key.as_deref(), Some("value"));
    assert_eq!(snapshot(&c), before);
    assert_eq!(c.etag().unwrap(), tag);
}

#[test]
fn put_with_etag_and_volatile_keys() {
    let mgr = manager();
    let c = container(&mgr, &name("put"), false);

    let info = c.info().unwrap();
    let tag = c.etag().unwrap();
    let mut put = api::InstancePut::of(&info);
    assert!(put.config.keys().any(|k| k.starts_with("volatile.")), "volatile keys: {:?}", put.config);
    // Sent back unchanged (volatile keys included): accepted, nothing changes.
    c.update(&put, Some(&tag)).unwrap();
    assert_eq!(c.etag().unwrap(), tag);

    put.description = "from rust".into();
    put.config.insert("user.put".into(), "1".into());
    c.update(&put, Some(&tag)).unwrap();
    let info = c.info().unwrap();
    assert_eq!(info.description, "from rust");
    assert_eq!(info.config["user.put"], "1");
    let new_tag = c.etag().unwrap();
    assert_ne!(new_tag, tag);

    // A stale ETag: Conflict, nothing changes.
    put.description = "lost".into();
    expect_error(c.update(&put, Some(&tag)), ErrorCode::Conflict, "ETag");
    assert_eq!(c.info().unwrap().description, "from rust");

    // Changing a volatile key is refused, naming it.
    let (key, _) = put.config.iter().find(|(k, _)| k.starts_with("volatile.")).map(|(k, v)| (k.clone(), v.clone())).unwrap();
    let mut bad = put.clone();
    bad.config.insert(key.clone(), "changed".into());
    let err = expect_error(c.update(&bad, None), ErrorCode::InvalidArgument, &key);
    assert_eq!(err.key, Some(format!("config.{key}")));

    // As an operation; a failure is the operation's.
    let mut next = api::InstancePut::of(&c.info().unwrap());
    next.config.insert("user.async".into(), "yes".into());
    c.update_async(&next, Some(&new_tag)).unwrap().wait(Some(Duration::from_secs(60))).unwrap();
    assert_eq!(c.get_config("user.async").unwrap().as_deref(), Some("yes"));
    next.config.insert("limits.memory".into(), "lots".into());
    let op = c.update_async(&next, None).unwrap();
    let err = expect_error(op.wait(Some(Duration::from_secs(60))), ErrorCode::InvalidArgument, "lots");
    assert_eq!(err.key.as_deref(), Some("config.limits.memory"));
    assert_eq!(c.get_config("limits.memory").unwrap(), None);
}

#[test]
fn running_container_applies_live_keys() {
    let mgr = manager();
    let c = container(&mgr, &name("live"), true);
    c.set_configs(&map(&[("environment.RS_GREETING", "hi-from-config"), ("user.live", "1")])).unwrap();
    let out = c.exec(&["sh", "-c", "echo $RS_GREETING"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout_text(), "hi-from-config\n");
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    let before = snapshot(&c);
    expect_error(c.set_config("limits.processes", "none"), ErrorCode::InvalidArgument, "none");
    assert_eq!(snapshot(&c), before);
}
