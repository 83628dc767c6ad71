//! Profiles, networks, storage volumes (with snapshots) and project writes through a Manager
//! connected to a real instanced over HTTPS: each change is checked on the daemon's unix socket
//! and is absent from the client's own state directory; the server's refusals keep their code.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::{expect_error, TempDir};
use libinstance::api::{
    NetworksPost, ProfilePut, ProfilesPost, Remote, ProjectPut, ProjectsPost, StorageVolumeSnapshotsPost,
    StorageVolumesPost,
};
use libinstance::{ErrorCode, Manager};
use serde_json::{json, Value};

fn instanced() -> PathBuf {
    if let Some(path) = std::env::var_os("INSTANCED") {
        return PathBuf::from(path);
    }
    let lib_dir =
        std::env::var_os("LIBINSTANCE_LIB_DIR").expect("LIBINSTANCE_LIB_DIR or INSTANCED must be set");
    PathBuf::from(lib_dir).join("../tools/instanced/instanced")
}

/// One instanced on a state dir of its own, and a one-request-per-connection client of its socket.
struct Daemon {
    child: Child,
    state: TempDir,
}

impl Daemon {
    fn start() -> Daemon {
        let state = TempDir::new("instanced-objects");
        let child = Command::new(instanced())
            .arg("--state-dir")
            .arg(&state.0)
            .stdout(Stdio::null())
            .spawn()
            .expect("starting instanced");
        let daemon = Daemon { child, state };
        let ready = Command::new(instanced())
            .args(["waitready", "--timeout", "30", "--state-dir"])
            .arg(&daemon.state.0)
            .status()
            .unwrap();
        assert!(ready.success(), "instanced did not become ready");
        daemon
    }

    fn request(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut sock = UnixStream::connect(self.state.0.join("unix.socket")).unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        sock.write_all(head.as_bytes()).unwrap();
        sock.write_all(body.as_bytes()).unwrap();
        let mut answer = String::new();
        sock.read_to_string(&mut answer).unwrap();
        let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("an HTTP status line");
        let payload = answer.split_once("\r\n\r\n").map(|(_, p)| p).unwrap_or("");
        (status, serde_json::from_str(payload).unwrap_or(Value::Null))
    }

    fn status(&self, path: &str) -> u16 {
        self.request("GET", path, None).0
    }

    /// A trust token, as `lxc config trust add` encodes it.
    fn token(&self, name: &str) -> String {
        let (status, doc) =
            self.request("POST", "/1.0/certificates", Some(json!({"type": "client", "token": true, "name": name})));
        assert_eq!(status, 202, "token request answered {doc}");
        let meta = &doc["metadata"]["metadata"];
        let token = json!({"client_name": name, "fingerprint": meta["fingerprint"], "addresses": meta["addresses"],
                           "secret": meta["secret"], "expires_at": meta["expiresAt"]});
        base64(token.to_string().as_bytes())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        unsafe { libc_kill(self.child.id() as i32, 15) };
        let _ = self.child.wait();
    }
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

fn base64(data: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[test]
fn profiles_networks_volumes_and_projects_on_a_connected_manager() {
    let daemon = Daemon::start();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (status, doc) = daemon.request(
        "PATCH",
        "/1.0",
        Some(json!({"config": {"core.https_address": format!("127.0.0.1:{port}")}})),
    );
    assert_eq!(status, 200, "{doc}");
    let url = format!("https://127.0.0.1:{port}");
    let client_dir = TempDir::new("remote-objects-client");
    let local = Manager::open(Some(&client_dir.0)).unwrap();
    let remote = Remote { name: "srv".into(), url: url.clone(), protocol: "lxd".into(), ..Default::default() };
    local.add_remote_with_token(&remote, &daemon.token("rust-objects")).unwrap();
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
