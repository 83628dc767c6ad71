//! Profiles through the safe API: create/list/get with ETag, update (stale ETag, bad value naming
//! the key and changing nothing), an instance following its profiles (ordered, live change,
//! rename), delete refused while used and for "default". Its own state dir.

mod common;

use common::{expect_error, TempDir};
use libinstance::api::{InstancePut, InstanceSource, InstancesPost, ProfilesPost};
use libinstance::{ErrorCode, ExecOptions, Manager};
use std::os::unix::fs::PermissionsExt;

#[test]
fn profiles_crud_and_instances_following_them() {
    let dir = TempDir::new("profiles");
    std::fs::set_permissions(&*dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    let mgr = Manager::open(Some(dir.0.as_path())).unwrap();
    mgr.build_image("busybox", Some("busybox")).unwrap();
    let project = mgr.default_project();

    let mut post = ProfilesPost::new("rp1");
    post.config.insert("user.who".into(), "rp1".into());
    post.config.insert("environment.RS_PROF".into(), "one".into());
    let created = project.create_profile(&post).unwrap();
    assert_eq!(created.name, "rp1");
    assert!(created.used_by.is_empty());
    expect_error(project.create_profile(&post), ErrorCode::AlreadyExists, "rp1");
    let mut bad = ProfilesPost::new("rp2");
    bad.config.insert("boot.autostart".into(), "maybe".into());
    let err = expect_error(project.create_profile(&bad), ErrorCode::InvalidArgument, "maybe");
    assert_eq!(err.key.as_deref(), Some("config.boot.autostart"));
    expect_error(project.profile("rp2"), ErrorCode::NotFound, "rp2");
    let names: Vec<String> = project.profiles().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, vec!["default".to_string(), "rp1".to_string()]);
    let mut post2 = ProfilesPost::new("rp2");
    post2.config.insert("user.who".into(), "rp2".into());
    project.create_profile(&post2).unwrap();

    // Update with the ETag; a stale one and a bad value are refused, nothing changed.
    let (p, etag) = project.profile_with_etag("rp1").unwrap();
    let mut put = p.put();
    put.description = "changed".into();
    project.update_profile("rp1", &put, Some(&etag)).unwrap();
    expect_error(project.update_profile("rp1", &put, Some(&etag)), ErrorCode::Conflict, "rp1");
    let mut worse = put.clone();
    worse.config.insert("limits.processes".into(), "lots".into());
    let err = expect_error(project.update_profile("rp1", &worse, None), ErrorCode::InvalidArgument, "lots");
    assert_eq!(err.key.as_deref(), Some("config.limits.processes"));
    assert_eq!(project.profile("rp1").unwrap().put(), put);

    // An instance applying default, rp1, rp2: later profiles win; a change reaches it live.
    let mut ipost = InstancesPost::new("rsprof1", InstanceSource::image_alias("busybox"));
    ipost.start = true;
    ipost.profiles = Some(vec!["default".into(), "rp1".into(), "rp2".into()]);
    let inst = mgr.create_instance(&ipost).unwrap();
    assert_eq!(inst.info().unwrap().expanded_config["user.who"], "rp2");
    let echo = |inst: &libinstance::Instance| {
        inst.exec(&["sh", "-c", "echo $RS_PROF"], &ExecOptions::default()).unwrap().stdout_text()
    };
    assert_eq!(echo(&inst), "one\n");
    put.config.insert("environment.RS_PROF".into(), "two".into());
    project.update_profile("rp1", &put, None).unwrap();
    assert_eq!(echo(&inst), "two\n");
    assert_eq!(project.profile("rp1").unwrap().used_by, vec!["/1.0/instances/rsprof1".to_string()]);

    // Reordering the instance's profiles through its own update.
    let mut iput = InstancePut::of(&inst.info().unwrap());
    iput.profiles = vec!["default".into(), "rp2".into(), "rp1".into()];
    inst.update(&iput, None).unwrap();
    assert_eq!(inst.info().unwrap().expanded_config["user.who"], "rp1");

    expect_error(project.delete_profile("rp1"), ErrorCode::Conflict, "rsprof1");
    project.rename_profile("rp1", "rp1b").unwrap();
    assert_eq!(inst.info().unwrap().profiles, vec!["default", "rp2", "rp1b"]);
    expect_error(project.rename_profile("default", "x"), ErrorCode::InvalidArgument, "default");
    expect_error(project.delete_profile("default"), ErrorCode::InvalidArgument, "default");

    // Taking the root disk away from the instance is refused, naming it.
    let mut def = project.profile("default").unwrap().put();
    def.devices.clear();
    expect_error(project.update_profile("default", &def, None), ErrorCode::InvalidArgument, "rsprof1");
    assert!(project.profile("default").unwrap().devices.contains_key("root"));

    inst.delete(true).unwrap();
    project.delete_profile("rp1b").unwrap();
    project.delete_profile("rp2").unwrap();
    expect_error(project.profile("rp1b"), ErrorCode::NotFound, "rp1b");
}
