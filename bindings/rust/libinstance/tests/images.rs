//! Images on their own state dir (this binary is its own process), since deleting images would
//! disturb the containers of the other tests.

mod common;

use common::{expect_error, TempDir};
use libinstance::api::{InstanceSource, InstancesPost};
use libinstance::{BuildImageOptions, ErrorCode, ExecOptions, Manager};

#[test]
fn build_alias_export_import_delete() {
    // Declared first, so it is removed last: after the manager and its containers.
    let dir = TempDir::new("images");
    let mgr = Manager::open(Some(&dir)).unwrap();
    assert!(mgr.images().unwrap().is_empty());

    let tarball = dir.join("busybox.tar.xz");
    let opts = BuildImageOptions { alias: Some("bb".into()), output_path: Some(tarball.clone()), ..Default::default() };
    let built = mgr.build_image_with("busybox", &opts).unwrap();
    assert_eq!(built.fingerprint.len(), 64, "{built:?}");
    assert_eq!(built.aliases.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["bb"]);
    assert!(built.size > 0);
    assert!(tarball.metadata().map(|m| m.len() > 0).unwrap_or(false), "no tarball at {tarball:?}");

    // Found by alias, full fingerprint and prefix.
    assert_eq!(mgr.image("bb").unwrap().fingerprint, built.fingerprint);
    assert_eq!(mgr.image(&built.fingerprint).unwrap().fingerprint, built.fingerprint);
    assert_eq!(mgr.image(&built.fingerprint[..8]).unwrap().fingerprint, built.fingerprint);
    assert_eq!(mgr.images().unwrap().len(), 1);

    mgr.create_alias("bb2", "bb", Some("second name")).unwrap();
    let image = mgr.image("bb2").unwrap();
    assert_eq!(image.fingerprint, built.fingerprint);
    assert!(image.aliases.iter().any(|a| a.name == "bb2" && a.description == "second name"), "{image:?}");
    expect_error(mgr.create_alias("bb2", "bb", None), ErrorCode::AlreadyExists, "bb2");
    expect_error(mgr.create_alias("bb3", "no-such-image", None), ErrorCode::NotFound, "no-such-image");
    mgr.delete_alias("bb2").unwrap();
    expect_error(mgr.image("bb2"), ErrorCode::NotFound, "bb2");
    expect_error(mgr.delete_alias("bb2"), ErrorCode::NotFound, "bb2");
    assert_eq!(mgr.image("bb").unwrap().fingerprint, built.fingerprint);

    // The same tarball again is the same image.
    expect_error(mgr.import_image(&tarball, None), ErrorCode::AlreadyExists, &built.fingerprint[..12]);

    mgr.delete_image("bb").unwrap();
    assert!(mgr.images().unwrap().is_empty());
    expect_error(mgr.image("bb"), ErrorCode::NotFound, "bb");
    expect_error(mgr.delete_image("bb"), ErrorCode::NotFound, "bb");

    // Re-imported, the image works for a container.
    let imported = mgr.import_image(&tarball, Some("imported")).unwrap();
    assert_eq!(imported.aliases.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["imported"]);
    let mut post = InstancesPost::new("rs-imported", InstanceSource::image_alias("imported"));
    post.start = true;
    let c = common::Guard(mgr.create_instance(&post).unwrap());
    let out = c.exec(&["cat", "/etc/hostname"], &ExecOptions::default()).unwrap();
    assert_eq!(out.exit_code, 0, "stderr: {}", out.stderr_text());
    drop(c);
    expect_error(mgr.instance("rs-imported"), ErrorCode::NotFound, "rs-imported");

    let missing = dir.join("missing.tar.xz");
    expect_error(mgr.import_image(&missing, None), ErrorCode::NotFound, "missing.tar.xz");
    expect_error(mgr.build_image("no-such-builder", None), ErrorCode::NotSupported, "no-such-builder");
}
