//! Bad inputs: each must fail with its specific code and a message naming the offending value,
//! and leave nothing behind.

mod common;

use common::{container, expect_error, manager, paths_named};
use libinstance::api::{InstanceSource, InstancesPost, ProjectsPost};
use libinstance::{ErrorCode, ExecOptions, Manager};

#[test]
fn unknown_image_is_not_found_and_leaves_nothing() {
    let mgr = manager();
    let post = InstancesPost::new("rs-orphan", InstanceSource::image_alias("no-such-image"));
    expect_error(mgr.create_instance(&post), ErrorCode::NotFound, "no-such-image");

    expect_error(mgr.instance("rs-orphan"), ErrorCode::NotFound, "rs-orphan");
    assert!(mgr.instances(false).unwrap().iter().all(|i| i.name != "rs-orphan"));
    let left = paths_named(&mgr.state_dir(), "rs-orphan");
    assert!(left.is_empty(), "a failed create left {left:?}");
    expect_error(mgr.image("no-such-image"), ErrorCode::NotFound, "no-such-image");
}

#[test]
fn duplicate_instance_is_already_exists() {
    let mgr = manager();
    let _first = container(&mgr, "rs-dup", false);
    let post = InstancesPost::new("rs-dup", InstanceSource::image_alias(common::IMAGE));
    expect_error(mgr.create_instance(&post), ErrorCode::AlreadyExists, "rs-dup");
    // The refused duplicate did not disturb the original.
    assert_eq!(mgr.instances(false).unwrap().iter().filter(|i| i.name == "rs-dup").count(), 1);
}

#[test]
fn invalid_names_are_invalid_argument() {
    let mgr = manager();
    for name in ["../x", "a b", "", "-lead"] {
        let post = InstancesPost::new(name, InstanceSource::image_alias(common::IMAGE));
        let err = expect_error(mgr.create_instance(&post), ErrorCode::InvalidArgument, name);
        assert_eq!(err.key.as_deref(), Some("name"), "{err:?}");
        if !name.is_empty() {
            assert!(paths_named(&mgr.state_dir(), name).is_empty(), "{name:?} left files behind");
        }
    }
    // A lookup by a name no instance can have simply finds nothing.
    expect_error(mgr.instance("../x"), ErrorCode::NotFound, "../x");
}

#[test]
fn missing_instance_is_not_found() {
    let mgr = manager();
    let err = expect_error(mgr.instance("rs-missing"), ErrorCode::NotFound, "rs-missing");
    assert_eq!(err.key.as_deref(), Some("name")); // what is missing: the instance named

    assert_eq!(err.errno, None);
}

// The state directory is exclusively locked: a second opener, even in this process, gets Busy.
#[test]
fn second_manager_is_busy() {
    let mgr = manager();
    let dir = mgr.state_dir();
    let err = Manager::open(Some(&dir)).expect_err("a second Manager on a locked dir");
    assert_eq!(err.code, ErrorCode::Busy, "{err:?}");
    assert!(err.message.contains(&*dir.to_string_lossy()), "message {:?} names no dir", err.message);
    // The first manager is unaffected.
    mgr.instances(false).unwrap();
}

// Strings with NUL bytes cannot cross the C boundary; they are refused before it, naming the value.
#[test]
fn nul_bytes_are_refused_on_the_rust_side() {
    let mgr = manager();
    let err = expect_error(mgr.instance("bad\0name"), ErrorCode::InvalidArgument, "bad\\0name");
    assert_eq!(err.key.as_deref(), Some("name"));

    let c = container(&mgr, "rs-nul", true);
    let err =
        expect_error(c.exec(&["echo", "a\0b"], &ExecOptions::default()), ErrorCode::InvalidArgument, "a\\0b");
    assert_eq!(err.key.as_deref(), Some("argv"));
    let opts = ExecOptions { env: vec![("A=B".into(), "c".into())], ..Default::default() };
    let err = expect_error(c.exec(&["true"], &opts), ErrorCode::InvalidArgument, "A=B");
    assert_eq!(err.key.as_deref(), Some("env"));
}

// Images and instances belong to a project: another project (with images of its own, the
// default for a new one) sees none of the default one's.
#[test]
fn projects_scope_images_and_instances() {
    let mgr = manager();
    let _c = container(&mgr, "rs-scoped", false);
    mgr.create_project(&ProjectsPost::new("rs-other")).unwrap();
    let other = mgr.project("rs-other").unwrap();
    assert_eq!(other.name(), "rs-other");
    assert!(other.instances(false).unwrap().iter().all(|i| i.name != "rs-scoped"));
    expect_error(other.instance("rs-scoped"), ErrorCode::NotFound, "rs-scoped");
    expect_error(other.image(common::IMAGE), ErrorCode::NotFound, common::IMAGE);
    let post = InstancesPost::new("rs-elsewhere", InstanceSource::image_alias(common::IMAGE));
    expect_error(other.create_instance(&post), ErrorCode::NotFound, common::IMAGE);

    // The default project, by its name or as "", is the one the Manager methods use.
    let default = mgr.project("default").unwrap();
    assert!(default.instance("rs-scoped").is_ok());
    assert!(default.images().unwrap().iter().any(|i| i.aliases.iter().any(|a| a.name == common::IMAGE)));
    assert!(mgr.project("").unwrap().instance("rs-scoped").is_ok());
    assert_eq!(mgr.default_project().name(), "");
    mgr.delete_project("rs-other").unwrap();
}

#[test]
fn error_display_and_source() {
    let mgr = manager();
    let err = mgr.instance("rs-display").unwrap_err();
    let boxed: Box<dyn std::error::Error> = Box::new(err.clone());
    assert_eq!(boxed.to_string(), err.message);
    assert_eq!(err.code.to_string(), "NotFound");
    assert_eq!(ErrorCode::from_raw(err.code.as_raw()), err.code);
}
