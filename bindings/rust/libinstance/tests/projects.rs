//! Projects through the safe API, against the real library: create/list/get with ETag, update
//! (stale ETag, bad key), rename and delete (refused while not empty, and for `default`), their
//! lifecycle events; isolation of instances and images between projects; a limit
//! (limits.instances) and its state; a restriction (restricted=true refusing privileged
//! containers directly, on update and through a profile); an unknown project. Stopped
//! containers only. The tests share one state dir, each with projects of its own.

mod common;

use std::time::Duration;

use common::{expect_error, manager, Guard, IMAGE};
use libinstance::api::{
    DeviceMap, InstancePut, InstanceSource, InstancesPost, ProfilePut, ProfilesPost, ProjectPut, ProjectsPost,
};
use libinstance::{Error, ErrorCode, EventFilter, EventType, Manager};

/// A project's own `default` profile has no devices, so instances there bring a root disk.
fn root_disk() -> DeviceMap {
    let disk = [("type", "disk"), ("path", "/"), ("pool", "default")];
    DeviceMap::from([(
        "root".to_string(),
        disk.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    )])
}

/// A project using the default project's images (so the shared busybox image is there), with
/// more config; deleted again when the guard drops.
fn project_sharing_images(mgr: &Manager, name: &str, config: &[(&str, &str)]) -> ProjectGuard {
    let mut post = ProjectsPost::new(name);
    post.config.insert("features.images".into(), "false".into());
    for (key, value) in config {
        post.config.insert(key.to_string(), value.to_string());
    }
    mgr.create_project(&post).unwrap_or_else(|e| panic!("creating project {name}: {e:?}"));
    ProjectGuard(name.to_string())
}

/// Deletes its project when dropped; declare it before the guards of the instances inside.
struct ProjectGuard(String);

impl Drop for ProjectGuard {
    fn drop(&mut self) {
        match manager().delete_project(&self.0) {
            Ok(()) => {}
            Err(e) if e.code == ErrorCode::NotFound => {}
            Err(e) => eprintln!("cleaning up project {}: {e:?}", self.0),
        }
    }
}

/// A stopped busybox container `name` in `project`, with a root disk of its own.
fn container_in(mgr: &Manager, project: &str, name: &str) -> Guard {
    try_container_in(mgr, project, name, &[]).unwrap_or_else(|e| panic!("creating {project}/{name}: {e:?}"))
}

fn try_container_in(
    mgr: &Manager,
    project: &str,
    name: &str,
    config: &[(&str, &str)],
) -> Result<Guard, Error> {
    let mut post = InstancesPost::new(name, InstanceSource::image_alias(IMAGE));
    post.devices = root_disk();
    for (key, value) in config {
        post.config.insert(key.to_string(), value.to_string());
    }
    Ok(Guard(mgr.project(project)?.create_instance(&post)?))
}

#[track_caller]
fn assert_key(err: &Error, key: &str) {
    assert_eq!(err.key.as_deref(), Some(key), "wrong key in {err:?}");
}

#[test]
fn projects_crud_etag_and_refusals() {
    let mgr = manager();
    let filter = EventFilter { all_projects: true, ..EventFilter::types(&[EventType::Lifecycle]) };
    let (subscription, events) = mgr.events(&filter).unwrap();

    let mut post = ProjectsPost::new("rs-crud");
    post.description = "first".into();
    post.config.insert("features.images".into(), "false".into());
    post.config.insert("user.owner".into(), "rust".into());
    let _guard = ProjectGuard("rs-crud".into());
    let created = mgr.create_project(&post).unwrap();
    assert_eq!(created.name, "rs-crud");
    assert_eq!(created.description, "first");
    // Unset features get LXD's defaults, stored in config.
    for (feature, value) in
        [("images", "false"), ("profiles", "true"), ("storage.volumes", "true"), ("networks", "false")]
    {
        assert_eq!(
            created.config[&format!("features.{feature}")],
            value,
            "features.{feature} in {created:?}"
        );
    }
    assert_eq!(created.config["user.owner"], "rust");
    // Its own (empty) default profile is what it holds.
    assert_eq!(created.used_by, vec!["/1.0/profiles/default?project=rs-crud".to_string()]);
    let own_default = mgr.project("rs-crud").unwrap().profile("default").unwrap();
    assert!(own_default.devices.is_empty(), "{own_default:?}");

    assert_key(&expect_error(mgr.create_project(&post), ErrorCode::AlreadyExists, "rs-crud"), "name");
    assert_key(
        &expect_error(
            mgr.create_project(&ProjectsPost::new("bad/name")),
            ErrorCode::InvalidArgument,
            "bad/name",
        ),
        "name",
    );
    let mut unknown_key = ProjectsPost::new("rs-crud-bad");
    unknown_key.config.insert("limits.bogus".into(), "1".into());
    assert_key(
        &expect_error(mgr.create_project(&unknown_key), ErrorCode::InvalidArgument, "limits.bogus"),
        "config.limits.bogus",
    );
    let mut bad_value = ProjectsPost::new("rs-crud-bad");
    bad_value.config.insert("limits.instances".into(), "many".into());
    assert_key(
        &expect_error(mgr.create_project(&bad_value), ErrorCode::InvalidArgument, "many"),
        "config.limits.instances",
    );
    expect_error(mgr.project_info("rs-crud-bad"), ErrorCode::NotFound, "rs-crud-bad");

    let names: Vec<String> = mgr.projects().unwrap().into_iter().map(|p| p.name).collect();
    assert!(names.contains(&"default".to_string()) && names.contains(&"rs-crud".to_string()), "{names:?}");
    assert_eq!(mgr.project_info("rs-crud").unwrap(), created);

    // Update with the ETag; the same ETag again is stale; a bad key changes nothing.
    let (info, etag) = mgr.project_info_with_etag("rs-crud").unwrap();
    let mut put = info.put();
    put.description = "second".into();
    put.config.insert("user.owner".into(), "still rust".into());
    mgr.update_project("rs-crud", &put, Some(&etag)).unwrap();
    assert_key(
        &expect_error(mgr.update_project("rs-crud", &put, Some(&etag)), ErrorCode::Conflict, "rs-crud"),
        "etag",
    );
    let mut worse = put.clone();
    worse.config.insert("restricted".into(), "perhaps".into());
    assert_key(
        &expect_error(mgr.update_project("rs-crud", &worse, None), ErrorCode::InvalidArgument, "perhaps"),
        "config.restricted",
    );
    let (after, new_etag) = mgr.project_info_with_etag("rs-crud").unwrap();
    assert_eq!(after.put(), put);
    assert_ne!(new_etag, etag);

    // Not empty: rename, delete and a feature change are refused, naming what it holds.
    let inst = container_in(&mgr, "rs-crud", "crud1");
    assert!(mgr
        .project_info("rs-crud")
        .unwrap()
        .used_by
        .contains(&"/1.0/instances/crud1?project=rs-crud".to_string()));
    assert_key(
        &expect_error(mgr.rename_project("rs-crud", "rs-crud2"), ErrorCode::Conflict, "crud1"),
        "name",
    );
    assert_key(&expect_error(mgr.delete_project("rs-crud"), ErrorCode::Conflict, "crud1"), "name");
    let mut own_images = put.clone();
    own_images.config.insert("features.images".into(), "true".into());
    let err = expect_error(mgr.update_project("rs-crud", &own_images, None), ErrorCode::Conflict, "crud1");
    assert_key(&err, "config.features.images");
    drop(inst);

    // Empty again: renamed and deleted.
    mgr.rename_project("rs-crud", "rs-crud2").unwrap();
    let _guard2 = ProjectGuard("rs-crud2".into());
    assert_key(&expect_error(mgr.project_info("rs-crud"), ErrorCode::NotFound, "rs-crud"), "name");
    assert_eq!(mgr.project_info("rs-crud2").unwrap().description, "second");
    mgr.delete_project("rs-crud2").unwrap();
    expect_error(mgr.project_info("rs-crud2"), ErrorCode::NotFound, "rs-crud2");
    assert!(!mgr.projects().unwrap().iter().any(|p| p.name.starts_with("rs-crud")));

    // The default project stays, with its features fixed.
    assert_key(
        &expect_error(mgr.rename_project("default", "other"), ErrorCode::InvalidArgument, "default"),
        "name",
    );
    assert_key(&expect_error(mgr.delete_project("default"), ErrorCode::InvalidArgument, "default"), "name");
    let mut default_put = mgr.project_info("default").unwrap().put();
    default_put.config.insert("features.images".into(), "false".into());
    let err = expect_error(
        mgr.update_project("default", &default_put, None),
        ErrorCode::InvalidArgument,
        "default",
    );
    assert_key(&err, "config.features.images");
    assert_eq!(mgr.project_info("default").unwrap().config["features.images"], "true");

    // Each change was announced, with the project's API URL as the source.
    // (Other tests' events interleave; the first four of ours are all there should be.)
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let Ok(event) = events.recv_timeout(Duration::from_secs(5)) else { break };
        if let Some(lc) = event.lifecycle().filter(|lc| lc.action.starts_with("project-")) {
            if lc.source.starts_with("/1.0/projects/rs-crud") {
                seen.push((lc.action, lc.source));
            }
        }
    }
    drop(subscription);
    let expected = [
        ("project-created", "/1.0/projects/rs-crud"),
        ("project-updated", "/1.0/projects/rs-crud"),
        ("project-renamed", "/1.0/projects/rs-crud2"),
        ("project-deleted", "/1.0/projects/rs-crud2"),
    ];
    assert_eq!(seen, expected.map(|(a, s)| (a.to_string(), s.to_string())));
}

#[test]
fn instances_are_isolated_and_images_shared_only_without_features_images() {
    let mgr = manager();
    let _a = project_sharing_images(&mgr, "rs-iso-a", &[]);
    let _b = project_sharing_images(&mgr, "rs-iso-b", &[]);
    let only_a = container_in(&mgr, "rs-iso-a", "only-a");
    let same_a = container_in(&mgr, "rs-iso-a", "same");
    let same_b = container_in(&mgr, "rs-iso-b", "same");
    let (a, b) = (mgr.project("rs-iso-a").unwrap(), mgr.project("rs-iso-b").unwrap());

    expect_error(b.instance("only-a"), ErrorCode::NotFound, "only-a");
    expect_error(mgr.instance("only-a"), ErrorCode::NotFound, "only-a");
    let names = |p: &libinstance::Project| -> Vec<String> {
        p.instances(false).unwrap().into_iter().map(|i| i.name).collect()
    };
    assert_eq!(names(&a), vec!["only-a", "same"]);
    assert_eq!(names(&b), vec!["same"]);
    assert!(!names(&mgr.default_project()).contains(&"same".to_string()));
    assert_eq!(same_a.info().unwrap().project, "rs-iso-a");
    assert_eq!(same_b.info().unwrap().project, "rs-iso-b");
    assert_eq!(b.instance("same").unwrap().project(), "rs-iso-b");

    // The same name is two instances: deleting one leaves the other.
    drop(same_a);
    expect_error(a.instance("same"), ErrorCode::NotFound, "same");
    assert_eq!(b.instance("same").unwrap().info().unwrap().name, "same");
    drop(only_a);

    // features.images=false: the default project's images, visible and usable.
    let shared = mgr.image(IMAGE).unwrap();
    assert_eq!(a.image(IMAGE).unwrap().fingerprint, shared.fingerprint);

    // features.images=true: images of its own, none to begin with.
    let mut own = ProjectsPost::new("rs-iso-own");
    own.config.insert("features.images".into(), "true".into());
    mgr.create_project(&own).unwrap();
    let _own = ProjectGuard("rs-iso-own".into());
    let own_project = mgr.project("rs-iso-own").unwrap();
    assert!(own_project.images().unwrap().is_empty());
    expect_error(own_project.image(IMAGE), ErrorCode::NotFound, IMAGE);
    expect_error(
        try_container_in(&mgr, "rs-iso-own", "needs-image", &[]).map(drop),
        ErrorCode::NotFound,
        IMAGE,
    );
    drop(same_b);
}

#[test]
fn limits_instances_refuses_the_second_and_shows_in_state() {
    let mgr = manager();
    let _p = project_sharing_images(&mgr, "rs-limit", &[("limits.instances", "1")]);
    let state = mgr.project_state("rs-limit").unwrap();
    assert_eq!(state.resources["instances"].limit, 1);
    assert_eq!(state.resources["instances"].usage, 0);

    let _first = container_in(&mgr, "rs-limit", "lim1");
    let err = expect_error(
        try_container_in(&mgr, "rs-limit", "lim2", &[]).map(drop),
        ErrorCode::InvalidArgument,
        "limits.instances",
    );
    assert_key(&err, "limits.instances");
    expect_error(mgr.project("rs-limit").unwrap().instance("lim2"), ErrorCode::NotFound, "lim2");

    let state = mgr.project_state("rs-limit").unwrap();
    assert_eq!(state.resources["instances"].usage, 1);
    assert_eq!(state.resources["containers"].usage, 1);
    assert_eq!(state.resources["containers"].limit, -1);
    assert_eq!(state.resources["virtual-machines"].usage, 0);

    // A limit below what is in use is refused, naming the limit; the old one stays.
    let mut put: ProjectPut = mgr.project_info("rs-limit").unwrap().put();
    put.config.insert("limits.instances".into(), "0".into());
    let err = expect_error(
        mgr.update_project("rs-limit", &put, None),
        ErrorCode::InvalidArgument,
        "limits.instances",
    );
    assert_key(&err, "config.limits.instances");
    assert_eq!(mgr.project_state("rs-limit").unwrap().resources["instances"].limit, 1);
}

#[test]
fn restricted_project_refuses_privileged_containers() {
    let mgr = manager();
    let _p = project_sharing_images(&mgr, "rs-restricted", &[("restricted", "true")]);
    let project = mgr.project("rs-restricted").unwrap();

    // Directly on create.
    let err = expect_error(
        try_container_in(&mgr, "rs-restricted", "priv", &[("security.privileged", "true")]).map(drop),
        ErrorCode::PermissionDenied,
        "privileged containers",
    );
    assert_key(&err, "config.security.privileged");
    expect_error(project.instance("priv"), ErrorCode::NotFound, "priv");

    // On update: the unprivileged container stays so.
    let inst = container_in(&mgr, "rs-restricted", "unpriv");
    let mut put = InstancePut::of(&inst.info().unwrap());
    put.config.insert("security.privileged".into(), "true".into());
    let err = expect_error(inst.update(&put, None), ErrorCode::PermissionDenied, "privileged containers");
    assert_key(&err, "config.security.privileged");
    assert!(!inst.info().unwrap().expanded_config.contains_key("security.privileged"));

    // Through a profile: neither created with it nor changed to it.
    let mut privileged = ProfilesPost::new("priv");
    privileged.config.insert("security.privileged".into(), "true".into());
    let err = expect_error(
        project.create_profile(&privileged),
        ErrorCode::PermissionDenied,
        "privileged containers",
    );
    assert_key(&err, "config.security.privileged");
    expect_error(project.profile("priv"), ErrorCode::NotFound, "priv");
    project.create_profile(&ProfilesPost::new("plain")).unwrap();
    let mut to_privileged: ProfilePut = project.profile("plain").unwrap().put();
    to_privileged.config.insert("security.privileged".into(), "true".into());
    let err = expect_error(
        project.update_profile("plain", &to_privileged, None),
        ErrorCode::PermissionDenied,
        "privileged containers",
    );
    assert_key(&err, "config.security.privileged");
    assert!(project.profile("plain").unwrap().config.is_empty());

    // Unrestricted, the same container is fine: the refusal was the project's.
    drop(inst);
    project.delete_profile("plain").unwrap();
    let mut open = mgr.project_info("rs-restricted").unwrap().put();
    open.config.insert("restricted".into(), "false".into());
    mgr.update_project("rs-restricted", &open, None).unwrap();
    let _priv = try_container_in(&mgr, "rs-restricted", "priv", &[("security.privileged", "true")]).unwrap();
}

#[test]
fn unknown_project_is_not_found() {
    let mgr = manager();
    let nowhere = mgr.project("rs-nowhere").unwrap();
    assert_key(&expect_error(nowhere.instances(false), ErrorCode::NotFound, "rs-nowhere"), "project");
    assert_key(&expect_error(nowhere.instance("x"), ErrorCode::NotFound, "rs-nowhere"), "project");
    assert_key(
        &expect_error(
            try_container_in(&mgr, "rs-nowhere", "x", &[]).map(drop),
            ErrorCode::NotFound,
            "rs-nowhere",
        ),
        "project",
    );
    assert_key(&expect_error(nowhere.profiles(), ErrorCode::NotFound, "rs-nowhere"), "project");
    assert_key(&expect_error(mgr.project_info("rs-nowhere"), ErrorCode::NotFound, "rs-nowhere"), "name");
    assert_key(&expect_error(mgr.project_state("rs-nowhere"), ErrorCode::NotFound, "rs-nowhere"), "name");
    assert_key(&expect_error(mgr.delete_project("rs-nowhere"), ErrorCode::NotFound, "rs-nowhere"), "name");
    expect_error(
        mgr.update_project("rs-nowhere", &ProjectPut::default(), None),
        ErrorCode::NotFound,
        "rs-nowhere",
    );
}
