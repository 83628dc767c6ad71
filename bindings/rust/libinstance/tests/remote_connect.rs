//! Connecting to a real instanced over HTTPS: the daemon is started on a state dir of its own,
//! listens on 127.0.0.1, makes a trust token over its unix socket; an embedded manager adds it
//! as a remote with that token, connects, and what the connected manager sees and does is checked
//! on the daemon's unix socket. A used-up or forged token is refused by the library.

mod common;

use common::daemon::{base64, lxd_remote, Daemon};
use common::{expect_error, TempDir};
use libinstance::api::{ProjectsPost, Remote};
use libinstance::{ErrorCode, Manager};
use serde_json::json;

/// The daemon's project names, read on its unix socket.
trait ProjectNames {
    fn project_names(&self) -> Vec<String>;
}

impl ProjectNames for Daemon {
    fn project_names(&self) -> Vec<String> {
        let (status, doc) = self.request("GET", "/1.0/projects", None);
        assert_eq!(status, 200, "{doc}");
        let mut names: Vec<String> = doc["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().rsplit('/').next().unwrap().to_string())
            .collect();
        names.sort();
        names
    }
}

fn project_names(mgr: &Manager) -> Vec<String> {
    let mut names: Vec<String> = mgr.projects().unwrap().into_iter().map(|p| p.name).collect();
    names.sort();
    names
}

fn open_client(dir: &std::path::Path) -> Manager {
    Manager::open(Some(dir)).unwrap()
}

#[test]
fn connects_to_a_daemon_with_a_trust_token() {
    let daemon = Daemon::start("instanced");
    let url = daemon.listen_https();

    let client_dir = TempDir::new("remote-client");
    let local = open_client(&client_dir.0);
    let token = daemon.token("rust-client");
    local.add_remote_with_token(&lxd_remote("srv", &url), &token).unwrap();
    let remote = local.remote("srv").unwrap();
    assert_eq!((remote.protocol.as_str(), remote.url.as_str()), ("lxd", url.as_str()));
    assert!(remote.certificate.contains("BEGIN CERTIFICATE"), "the server's certificate is pinned");

    let connected = local.connect_remote("srv").unwrap();
    assert_eq!(project_names(&connected), daemon.project_names());
    // A server setting made through the connection lands on the daemon, not in the local dir.
    let local_before = local.get_config("images.remote_cache_expiry").unwrap();
    connected.set_config("images.remote_cache_expiry", Some("7")).unwrap();
    let (_, server) = daemon.request("GET", "/1.0", None);
    assert_eq!(server["metadata"]["config"]["images.remote_cache_expiry"], "7");
    assert_eq!(connected.get_config("images.remote_cache_expiry").unwrap(), "7");
    assert_eq!(local.get_config("images.remote_cache_expiry").unwrap(), local_before);
    assert_ne!(local_before, "7");
    assert_eq!(connected.instances(false).unwrap().len(), 0);
    // A project made through the connection lands on the daemon only.
    let post = ProjectsPost { name: "rs-remote".into(), ..Default::default() };
    connected.create_project(&post).unwrap();
    assert_eq!(daemon.request("GET", "/1.0/projects/rs-remote", None).0, 200);
    assert!(!project_names(&local).contains(&"rs-remote".to_string()));
    drop(connected);

    // Another client (its own state dir and certificate): a token is used once, a forged secret
    // is refused, and nothing is added for either.
    let other_dir = TempDir::new("remote-other");
    let other = open_client(&other_dir.0);
    let refused = |name: &str, token: &str, code: ErrorCode| {
        expect_error(other.add_remote_with_token(&lxd_remote(name, &url), token), code, "token");
        assert!(other.remotes().unwrap().iter().all(|r| r.name != name), "{name} was added");
    };
    refused("again", &token, ErrorCode::PermissionDenied);
    let mut forged = daemon.token_doc("forged");
    forged["secret"] = json!("00".repeat(32));
    refused("forged", &base64(forged.to_string().as_bytes()), ErrorCode::PermissionDenied);
    refused("junk", "not-a-token", ErrorCode::InvalidArgument);
    // Without a trusted certificate a remote added plainly cannot connect.
    other
        .add_remote(&Remote { certificate: remote.certificate.clone(), ..lxd_remote("plain", &url) })
        .unwrap();
    expect_error(
        other.connect_remote("plain").and_then(|m| m.projects()),
        ErrorCode::PermissionDenied,
        "trust",
    );
    expect_error(local.connect_remote("missing"), ErrorCode::NotFound, "missing");
}
