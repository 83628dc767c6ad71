//! Connecting to a real instanced over HTTPS: the daemon is started on a state dir of its own,
//! listens on 127.0.0.1, makes a trust token over its unix socket; an embedded manager adds it
//! as a remote with that token, connects, and what the connected manager sees and does is checked
//! on the daemon's unix socket. A used-up or forged token is refused by the library.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{expect_error, TempDir};
use libinstance::api::{ProjectsPost, Remote};
use libinstance::{ErrorCode, Manager};
use serde_json::{json, Value};

/// The daemon of this build: `$INSTANCED`, else next to the library (`<build>/capi/..`).
fn instanced() -> PathBuf {
    if let Some(path) = std::env::var_os("INSTANCED") {
        return PathBuf::from(path);
    }
    let lib_dir =
        std::env::var_os("LIBINSTANCE_LIB_DIR").expect("LIBINSTANCE_LIB_DIR or INSTANCED must be set");
    PathBuf::from(lib_dir).join("../tools/instanced/instanced")
}

/// One instanced, stopped (SIGTERM, then waited for) when dropped, even when the test fails.
struct Daemon {
    child: Child,
    state: TempDir,
}

impl Daemon {
    fn start() -> Daemon {
        let state = TempDir::new("instanced");
        let child = Command::new(instanced())
            .arg("--state-dir")
            .arg(&state.0)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
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

    /// One request over the unix socket (Connection: close); the status and the JSON body.
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

    /// A trust token as `lxc config trust add` prints it: the token operation's metadata
    /// (name, fingerprint, addresses, secret, expiry) as base64 JSON.
    fn token(&self, name: &str) -> String {
        base64(self.token_doc(name).to_string().as_bytes())
    }

    fn token_doc(&self, name: &str) -> Value {
        let (status, doc) = self.request(
            "POST",
            "/1.0/certificates",
            Some(json!({"type": "client", "token": true, "name": name})),
        );
        assert_eq!(status, 202, "token request answered {doc}");
        let meta = &doc["metadata"]["metadata"];
        let token = json!({
            "client_name": name,
            "fingerprint": meta["fingerprint"],
            "addresses": meta["addresses"],
            "secret": meta["secret"],
            "expires_at": meta["expiresAt"],
        });
        token
    }

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn project_names(mgr: &Manager) -> Vec<String> {
    let mut names: Vec<String> = mgr.projects().unwrap().into_iter().map(|p| p.name).collect();
    names.sort();
    names
}

fn lxd_remote(name: &str, url: &str) -> Remote {
    Remote { name: name.into(), url: url.into(), protocol: "lxd".into(), ..Default::default() }
}

fn open_client(dir: &Path) -> Manager {
    Manager::open(Some(dir)).unwrap()
}

#[test]
fn connects_to_a_daemon_with_a_trust_token() {
    let daemon = Daemon::start();
    let port = free_port();
    let (status, doc) = daemon.request(
        "PATCH",
        "/1.0",
        Some(json!({"config": {"core.https_address": format!("127.0.0.1:{port}")}})),
    );
    assert_eq!(status, 200, "{doc}");
    let url = format!("https://127.0.0.1:{port}");

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
