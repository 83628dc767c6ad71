//! Managed networks through the safe API, on the mock network driver (it validates as the bridge
//! driver does and makes nothing on the host): create with a generated subnet, get with ETag,
//! list, update (stale ETag, bad config naming the key and changing nothing), unknown type,
//! rename, delete refused while a profile uses it, state and leases, and `Manager::init` with its
//! idempotence. Each test has its own state directory: `init` changes the default profile.

mod common;

use std::sync::Once;

use common::{expect_error, TempDir};
use libinstance::api::{NetworksPost, ProfilesPost};
use libinstance::{ErrorCode, InitOptions, Manager};

/// A Manager on its own directory with `LIBINSTANCE_NETWORK_DRIVER=mock`. Every test of this binary
/// opens through here, so the variable is set once, before any Manager exists and while no other
/// test thread can be reading the environment.
fn mock_manager(tag: &str) -> (TempDir, Manager) {
    static MOCK: Once = Once::new();
    MOCK.call_once(|| std::env::set_var("LIBINSTANCE_NETWORK_DRIVER", "mock"));
    let dir = TempDir::new(tag);
    let mgr = Manager::open(Some(dir.0.as_path())).unwrap();
    (dir, mgr)
}

/// An interface name (at most 15 characters) unique to this process.
fn net_name(what: &str) -> String {
    format!("rn{}{what}", std::process::id() % 1_000_000)
}

#[test]
fn networks_crud_etag_bad_input_rename_state_leases_delete() {
    let (_dir, mgr) = mock_manager("networks");
    let project = mgr.default_project();
    let (n, renamed) = (net_name("a"), net_name("b"));

    let mut post = NetworksPost::new(&n);
    post.description = "rust".into();
    post.config.insert("ipv4.address".into(), "auto".into());
    post.config.insert("ipv4.nat".into(), "true".into());
    post.config.insert("ipv6.address".into(), "none".into());
    let created = project.create_network(&post).unwrap();
    assert_eq!(created.name, n);
    assert!(created.managed);
    assert_eq!(created.network_type, "bridge");
    // "auto" becomes the chosen subnet: an address with a prefix.
    let v4 = created.config["ipv4.address"].clone();
    assert_ne!(v4, "auto");
    assert!(v4.contains('/'), "ipv4.address {v4:?} has no prefix");
    assert_eq!(created.config["ipv6.address"], "none");

    expect_error(project.create_network(&post), ErrorCode::AlreadyExists, &n);
    let mut warp = NetworksPost::new("rnx1");
    warp.network_type = "warp".into();
    let err = expect_error(project.create_network(&warp), ErrorCode::NotSupported, "warp");
    assert_eq!(err.key.as_deref(), Some("type"));
    let mut bad = NetworksPost::new("rnx1");
    bad.config.insert("ipv4.address".into(), "banana".into());
    let err = expect_error(project.create_network(&bad), ErrorCode::InvalidArgument, "banana");
    assert_eq!(err.key.as_deref(), Some("config.ipv4.address"));
    let mut unknown = NetworksPost::new("rnx1");
    unknown.config.insert("ipv4.frobnicate".into(), "1".into());
    let err = expect_error(project.create_network(&unknown), ErrorCode::InvalidArgument, "ipv4.frobnicate");
    assert_eq!(err.key.as_deref(), Some("config.ipv4.frobnicate"));
    let err = expect_error(project.network("rnx1"), ErrorCode::NotFound, "rnx1");
    assert_eq!(err.key.as_deref(), Some("name"));

    // Get with its ETag; the list shows it managed.
    let (got, etag) = project.network_with_etag(&n).unwrap();
    assert_eq!(got, created);
    assert!(!etag.is_empty());
    let listed = project.networks().unwrap();
    let mine = listed.iter().find(|x| x.name == n).expect("the network is listed");
    assert!(mine.managed);
    assert_eq!(mine.config["ipv4.address"], v4);
    assert!(!listed.iter().any(|x| x.name == "rnx1"), "a refused create left a network behind");

    // Update with the ETag; a stale one and a bad value are refused and change nothing.
    let mut put = got.put();
    put.description = "changed".into();
    put.config.insert("ipv4.nat".into(), "false".into());
    project.update_network(&n, &put, Some(&etag)).unwrap();
    let err = expect_error(project.update_network(&n, &put, Some(&etag)), ErrorCode::Conflict, &n);
    assert_eq!(err.key.as_deref(), Some("etag"));
    let mut worse = put.clone();
    worse.config.insert("bridge.mtu".into(), "tall".into());
    let err = expect_error(project.update_network(&n, &worse, None), ErrorCode::InvalidArgument, "tall");
    assert_eq!(err.key.as_deref(), Some("config.bridge.mtu"));
    let (after, new_etag) = project.network_with_etag(&n).unwrap();
    assert_eq!(after.put(), put);
    assert_ne!(new_etag, etag);

    // State (made up by the mock from the config) and leases (none yet).
    let state = project.network_state(&n).unwrap();
    assert_eq!(state.addresses.len(), 1, "{state:?}");
    assert_eq!(state.addresses[0].family, "inet");
    assert_eq!(format!("{}/{}", state.addresses[0].address, state.addresses[0].netmask), v4);
    assert_eq!(state.state, "up");
    assert!(state.bridge.is_some(), "a bridge's state has its bridge section");
    assert_eq!(project.network_leases(&n).unwrap(), vec![]);

    // Rename; the old name is gone.
    project.rename_network(&n, &renamed).unwrap();
    expect_error(project.network(&n), ErrorCode::NotFound, &n);
    assert_eq!(project.network(&renamed).unwrap().config["ipv4.address"], v4);

    // A profile using it keeps it: delete and rename refused naming the profile.
    let mut ppost = ProfilesPost::new("netuser");
    ppost.devices.insert(
        "eth0".into(),
        [("type", "nic"), ("network", renamed.as_str()), ("name", "eth0")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    project.create_profile(&ppost).unwrap();
    assert_eq!(project.network(&renamed).unwrap().used_by, vec!["/1.0/profiles/netuser".to_string()]);
    let err = expect_error(project.delete_network(&renamed), ErrorCode::Busy, "netuser");
    assert_eq!(err.key.as_deref(), Some("name"));
    let err = expect_error(project.rename_network(&renamed, &n), ErrorCode::Busy, &renamed);
    assert_eq!(err.key.as_deref(), Some("name"));
    project.delete_profile("netuser").unwrap();

    project.delete_network(&renamed).unwrap();
    expect_error(project.network(&renamed), ErrorCode::NotFound, &renamed);
    assert!(!project.networks().unwrap().iter().any(|x| x.name == renamed));
    expect_error(project.delete_network(&renamed), ErrorCode::NotFound, &renamed);
}

#[test]
fn init_creates_a_nated_bridge_and_eth0_once() {
    let (_dir, mgr) = mock_manager("netinit");
    let project = mgr.default_project();
    let n = net_name("i");

    // Bad options are refused naming the option, and change nothing.
    let bad = InitOptions { network_name: n.clone(), ipv4_address: "banana".into(), ..Default::default() };
    let err = expect_error(mgr.init(&bad), ErrorCode::InvalidArgument, "banana");
    assert_eq!(err.key.as_deref(), Some("ipv4_address"));
    let empty = InitOptions { network_name: n.clone(), ipv6_address: String::new(), ..Default::default() };
    let err = mgr.init(&empty).unwrap_err();
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("ipv6_address")));
    expect_error(project.network(&n), ErrorCode::NotFound, &n);
    assert!(!project.profile("default").unwrap().devices.contains_key("eth0"));

    let opts = InitOptions { network_name: n.clone(), ipv6_address: "none".into(), ..Default::default() };
    let first = mgr.init(&opts).unwrap();
    assert!(first.network_created && first.profile_nic_added, "{first:?}");
    assert_eq!(first.network_name, n);
    let net = project.network(&n).unwrap();
    assert!(net.managed);
    assert_eq!(net.config["ipv4.nat"], "true");
    assert_ne!(net.config["ipv4.address"], "auto");
    assert_eq!(net.config["ipv6.address"], "none");
    assert_eq!(net.used_by, vec!["/1.0/profiles/default".to_string()]);
    let eth0 = project.profile("default").unwrap().devices["eth0"].clone();
    assert_eq!(eth0.get("type").map(String::as_str), Some("nic"));
    assert_eq!(eth0.get("network"), Some(&n));
    assert_eq!(eth0.get("name").map(String::as_str), Some("eth0"));

    // Again: nothing new, the same network reported.
    let second = mgr.init(&opts).unwrap();
    assert!(!second.network_created && !second.profile_nic_added, "{second:?}");
    assert_eq!(second.network_name, n);

    // The default profile's eth0 keeps the network.
    let err = expect_error(project.delete_network(&n), ErrorCode::Busy, "default");
    assert_eq!(err.key.as_deref(), Some("name"));
    assert!(project.network(&n).unwrap().managed);
}

#[test]
fn network_names_with_nul_are_refused_before_the_call() {
    let (_dir, mgr) = mock_manager("netnul");
    let project = mgr.default_project();
    let err = expect_error(project.network("a\0b"), ErrorCode::InvalidArgument, "NUL");
    assert_eq!(err.key.as_deref(), Some("name"));
    let err = expect_error(project.rename_network("a", "b\0"), ErrorCode::InvalidArgument, "NUL");
    assert_eq!(err.key.as_deref(), Some("new_name"));
}
