//! Images and instance files through a Manager connected to a real instanced over HTTPS: an
//! image built locally is imported into the daemon, aliased, edited, exported and deleted there;
//! a stopped instance made from it gets files pushed, read and removed. Each outcome is checked
//! on the daemon's unix socket; the embedded manager's own store stays empty.

mod common;

use std::collections::BTreeMap;

use common::daemon::Daemon;
use common::{expect_error, TempDir};
use libinstance::api::{InstanceSource, InstancesPost};
use libinstance::{ErrorCode, FileOptions};
use serde_json::Value;

#[test]
fn images_and_files_on_a_connected_manager() {
    let daemon = Daemon::start("instanced-img");
    let url = daemon.listen_https();
    let (_client_dir, local) = daemon.client(&url, "remote-img-client", "rs-img");
    let connected = local.connect_remote("srv").unwrap();

    // An image built locally, exported, removed locally and imported into the daemon.
    let built = local.build_image("busybox", None).unwrap();
    let out = TempDir::new("remote-img-export");
    let exported = local.default_project().export_image(&built.fingerprint, Some(&out.0)).unwrap();
    local.delete_image(&built.fingerprint).unwrap();
    let image = connected.import_image(&exported.metadata_path, Some("bb")).unwrap();
    assert_eq!(image.fingerprint, built.fingerprint);
    let (status, doc) = daemon.request("GET", "/1.0/images/aliases/bb", None);
    assert_eq!(status, 200);
    assert_eq!(doc["metadata"]["target"], image.fingerprint.as_str());
    assert_eq!(connected.images().unwrap().len(), 1);
    assert!(local.images().unwrap().is_empty());
    assert_eq!(connected.image("bb").unwrap().fingerprint, image.fingerprint);
    expect_error(connected.image("no-such-image"), ErrorCode::NotFound, "no-such-image");

    connected.create_alias("bb2", "bb", Some("second")).unwrap();
    let project = connected.default_project();
    assert_eq!(project.alias("bb2").unwrap().description, "second");
    project.rename_alias("bb2", "bb3").unwrap();
    assert_eq!(daemon.request("GET", "/1.0/images/aliases/bb2", None).0, 404);
    connected.delete_alias("bb3").unwrap();
    expect_error(connected.delete_alias("bb3"), ErrorCode::NotFound, "bb3");

    let mut properties = BTreeMap::new();
    properties.insert("description".to_string(), "edited remotely".to_string());
    project.update_image("bb", &properties, false, false, None).unwrap();
    let (_, doc) = daemon.request("GET", &format!("/1.0/images/{}", image.fingerprint), None);
    assert_eq!(doc["metadata"]["properties"]["description"], "edited remotely");
    let again = TempDir::new("remote-img-export2");
    let export = project.export_image("bb", Some(&again.0)).unwrap();
    assert_eq!(std::fs::read(&export.metadata_path).unwrap(), std::fs::read(&exported.metadata_path).unwrap());

    // Files of a stopped instance made on the daemon.
    let post = InstancesPost { name: "c1".into(), source: InstanceSource::image_alias("bb"), ..Default::default() };
    let c1 = connected.create_instance(&post).unwrap();
    let opts = FileOptions { mode: Some(0o600), create_parents: true, ..Default::default() };
    c1.file_push_data("/root/sub/hello.txt", b"hello from rust\n", &opts).unwrap();
    let (status, body) = daemon.request("GET", "/1.0/instances/c1/files?path=/root/sub/hello.txt", None);
    assert_eq!((status, body), (200, Value::String("hello from rust\n".into())));
    assert_eq!(c1.file_read("/root/sub/hello.txt").unwrap(), b"hello from rust\n");
    let info = c1.file_stat("/root/sub/hello.txt").unwrap();
    assert_eq!((info.kind.as_str(), info.mode, info.size), ("file", 0o600, 16));
    c1.file_delete("/root/sub/hello.txt").unwrap();
    expect_error(c1.file_stat("/root/sub/hello.txt"), ErrorCode::NotFound, "");
    expect_error(c1.file_stat("relative"), ErrorCode::InvalidArgument, "path");
    c1.delete(true).unwrap();
    connected.delete_image("bb").unwrap();
    assert_eq!(daemon.request("GET", &format!("/1.0/images/{}", image.fingerprint), None).0, 404);
}
