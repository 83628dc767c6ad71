//! Profiles, networks, storage volumes (with snapshots) and project writes through a Manager
//! connected to a real instanced over HTTPS: each change is checked on the daemon's unix socket
//! and is absent from the client's own state directory; the server's refusals keep their code.

mod common;

use std::process::Command;

use common::daemon::Daemon;
use common::expect_error;
use libinstance::api::{
    NetworksPost, ProfilePut, ProfilesPost, ProjectPut, ProjectsPost, StorageVolumeSnapshotsPost, StorageVolumesPost,
};
use libinstance::ErrorCode;

#[test]
fn profiles_networks_volumes_and_projects_on_a_connected_manager() {
    let daemon = Daemon::start("instanced-objects");
    let url = daemon.listen_https();
    let (_client_dir, local) = daemon.client(&url, "remote-objects-client", "rust-objects");
    let connected = local.connect_remote("srv").unwrap();
    let default = connected.project("default").unwrap();

    // Profiles: create, update with the ETag (a stale one is refused), rename, delete.
    let mut post = ProfilesPost::new("rs-web");
    post.config.insert("user.tier".into(), "front".into());
    default.create_profile(&post).unwrap();
    assert_eq!(daemon.request("GET", "/1.0/profiles/rs-web", None).1["metadata"]["config"]["user.tier"], "front");
    assert!(local.project("default").unwrap().profile("rs-web").is_err(), "made locally too");
    let (profile, etag) = default.profile_with_etag("rs-web").unwrap();
    let mut put = ProfilePut { description: "changed".into(), config: profile.config.clone(), devices: profile.devices };
    default.update_profile("rs-web", &put, Some(&etag)).unwrap();
    assert_eq!(daemon.request("GET", "/1.0/profiles/rs-web", None).1["metadata"]["description"], "changed");
    put.description = "stale".into();
    expect_error(default.update_profile("rs-web", &put, Some(&etag)), ErrorCode::Conflict, "");
    put.config.insert("limits.memory".into(), "lots".into());
    expect_error(default.update_profile("rs-web", &put, None), ErrorCode::InvalidArgument, "limits.memory");
    default.rename_profile("rs-web", "rs-site").unwrap();
    assert_eq!(daemon.status("/1.0/profiles/rs-web"), 404);
    default.delete_profile("rs-site").unwrap();
    assert_eq!(daemon.status("/1.0/profiles/rs-site"), 404);
    expect_error(default.profile("rs-site"), ErrorCode::NotFound, "");

    // Projects: create (the server's defaults read back), update, state, rename, delete.
    let mut post = ProjectsPost::new("rs-far");
    post.config.insert("limits.instances".into(), "2".into());
    let project = connected.create_project(&post).unwrap();
    assert_eq!(project.config.get("features.profiles").map(String::as_str), Some("true"));
    assert_eq!(connected.project_state("rs-far").unwrap().resources["instances"].limit, 2);
    let mut config = project.config.clone();
    config.insert("limits.instances".into(), "3".into());
    connected.update_project("rs-far", &ProjectPut { description: "far".into(), config }, None).unwrap();
    assert_eq!(daemon.request("GET", "/1.0/projects/rs-far", None).1["metadata"]["config"]["limits.instances"], "3");
    connected.rename_project("rs-far", "rs-near").unwrap();
    assert_eq!(daemon.status("/1.0/projects/rs-far"), 404);
    connected.delete_project("rs-near").unwrap();
    assert_eq!(daemon.status("/1.0/projects/rs-near"), 404);
    expect_error(connected.delete_project("default"), ErrorCode::InvalidArgument, "default");

    // Storage volumes and their snapshots on the server's first pool.
    let pool = connected.storage_pools().unwrap()[0].name.clone();
    let volume_path = format!("/1.0/storage-pools/{pool}/volumes/custom/rs-vol");
    let mut post = StorageVolumesPost::new("rs-vol");
    post.config.insert("user.a".into(), "1".into());
    let volume = default.create_storage_volume(&pool, &post).unwrap();
    assert_eq!(volume.config.get("user.a").map(String::as_str), Some("1"));
    assert_eq!(daemon.status(&volume_path), 200);
    let snapshot = default.create_storage_volume_snapshot(&pool, "rs-vol", &StorageVolumeSnapshotsPost::new("")).unwrap();
    assert!(snapshot.name.starts_with("snap"), "the server's name: {}", snapshot.name);
    assert_eq!(default.storage_volume_snapshots(&pool, "rs-vol").unwrap().len(), 1);
    default.rename_storage_volume_snapshot(&pool, "rs-vol", &snapshot.name, "kept").unwrap();
    assert_eq!(daemon.status(&format!("{volume_path}/snapshots/kept")), 200);
    default.delete_storage_volume_snapshot(&pool, "rs-vol", "kept").unwrap();
    assert_eq!(daemon.status(&format!("{volume_path}/snapshots/kept")), 404);
    default.rename_storage_volume(&pool, "rs-vol", "rs-vol2").unwrap();
    assert_eq!(daemon.status(&volume_path), 404);
    default.delete_storage_volume(&pool, "rs-vol2").unwrap();
    assert_eq!(daemon.status(&format!("{volume_path}2")), 404);

    // A bridge made on the server's host, its state, then gone.
    let _ = Command::new("ip").args(["link", "del", "rsbr-rmt"]).output();
    let mut post = NetworksPost::new("rsbr-rmt");
    post.config.insert("ipv4.address".into(), "10.126.0.1/24".into());
    post.config.insert("ipv6.address".into(), "none".into());
    let network = default.create_network(&post).unwrap();
    assert!(network.managed);
    let state = default.network_state("rsbr-rmt");
    let leases = default.network_leases("rsbr-rmt");
    default.delete_network("rsbr-rmt").unwrap();
    assert!(state.unwrap().addresses.iter().any(|a| a.address == "10.126.0.1"));
    assert!(leases.unwrap().is_empty());
    assert_eq!(daemon.status("/1.0/networks/rsbr-rmt"), 404);
}
