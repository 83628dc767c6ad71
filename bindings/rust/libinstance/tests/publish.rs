//! Publishing a stopped instance as an image, and the debian builder's options.

mod common;

use common::{container, expect_error, manager};
use libinstance::api::{InstanceSnapshotsPost, InstanceSource, InstancesPost};
use libinstance::{BuildImageOptions, ErrorCode, ExecOptions, PublishOptions, StopOptions};

#[test]
fn publish_a_stopped_container_and_launch_it() {
    let mgr = manager();
    let src = container(&mgr, "rs-pub-src", true);
    src.exec(&["sh", "-c", "echo from-rust > /root/marker"], &ExecOptions::default()).unwrap();
    let before = mgr.images().unwrap().len();

    let mut opts = PublishOptions::new("rs-pub-src");
    opts.alias = Some("rs-pub-img".into());
    opts.compression = Some("xz".into());
    opts.properties.insert("description".into(), "from rust".into());
    expect_error(mgr.publish_image(&opts), ErrorCode::Conflict, "rs-pub-src");
    assert_eq!(mgr.images().unwrap().len(), before);
    src.stop(StopOptions { force: true, ..Default::default() }).unwrap();

    let op = mgr.publish_image_async(&opts).unwrap();
    op.wait(None).unwrap();
    let image = mgr.image("rs-pub-img").unwrap();
    assert_eq!(image.properties.get("description").map(String::as_str), Some("from rust"));
    assert_eq!(image.properties.get("os").map(String::as_str), Some("busybox"));

    let copy = {
        let mut post = InstancesPost::new("rs-pub-copy", InstanceSource::image_alias("rs-pub-img"));
        post.start = true;
        common::Guard(mgr.create_instance(&post).unwrap())
    };
    let out = copy.exec(&["cat", "/root/marker"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout, b"from-rust\n");

    let mut bad = PublishOptions::new("rs-pub-src");
    bad.compression = Some("lzop".into());
    expect_error(mgr.publish_image(&bad), ErrorCode::InvalidArgument, "lzop");
    expect_error(mgr.publish_image(&PublishOptions::new("rs-pub-src/snap0")), ErrorCode::NotFound, "snap0");
    drop(copy);
    mgr.delete_image("rs-pub-img").unwrap();
}

#[test]
fn publish_a_snapshot_of_a_running_container() {
    let mgr = manager();
    let src = container(&mgr, "rs-pubsnap-src", true);
    src.exec(&["sh", "-c", "echo at-snapshot > /root/marker"], &ExecOptions::default()).unwrap();
    src.snapshot(&InstanceSnapshotsPost::new("s0")).unwrap();
    src.exec(&["sh", "-c", "echo later > /root/marker"], &ExecOptions::default()).unwrap();

    let mut opts = PublishOptions::new("rs-pubsnap-src/s0");
    opts.alias = Some("rs-pubsnap-img".into());
    mgr.publish_image_async(&opts).unwrap().wait(None).unwrap();
    let copy = {
        let mut post = InstancesPost::new("rs-pubsnap-copy", InstanceSource::image_alias("rs-pubsnap-img"));
        post.start = true;
        common::Guard(mgr.create_instance(&post).unwrap())
    };
    let out = copy.exec(&["cat", "/root/marker"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout, b"at-snapshot\n");
    drop(copy);
    mgr.delete_image("rs-pubsnap-img").unwrap();
}

#[test]
fn debian_build_options_are_checked() {
    let mgr = manager();
    let opts = BuildImageOptions { variant: Some("huge".into()), ..Default::default() };
    let err = expect_error(mgr.build_image_with("debian", &opts), ErrorCode::InvalidArgument, "huge");
    assert_eq!(err.key.as_deref(), Some("variant"));
    let opts = BuildImageOptions { packages: vec!["ok".into(), "bad;pkg".into()], ..Default::default() };
    expect_error(mgr.build_image_with("debian", &opts), ErrorCode::InvalidArgument, "bad;pkg");
}
