//! A real instanced for the remote-Manager tests: started on a state dir of its own, reachable on
//! its unix socket (one request per connection) and, once `listen_https` is called, over HTTPS on
//! 127.0.0.1; stopped when dropped, even when the test fails.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use libinstance::api::Remote;
use libinstance::Manager;
use serde_json::{json, Value};

use super::TempDir;

/// The daemon of this build: `$INSTANCED`, else next to the library (`<build>/capi/..`).
pub fn instanced() -> PathBuf {
    if let Some(path) = std::env::var_os("INSTANCED") {
        return PathBuf::from(path);
    }
    let lib_dir =
        std::env::var_os("LIBINSTANCE_LIB_DIR").expect("LIBINSTANCE_LIB_DIR or INSTANCED must be set");
    PathBuf::from(lib_dir).join("../tools/instanced/instanced")
}

/// One instanced, stopped (SIGTERM, then waited for) when dropped.
pub struct Daemon {
    child: Child,
    pub state: TempDir,
}

impl Daemon {
    /// A daemon on an empty state dir named after `tag`.
    pub fn start(tag: &str) -> Daemon {
        Daemon::start_on(TempDir::new(tag))
    }

    /// A daemon whose state already holds the busybox image (built before it starts, since the
    /// state dir is locked while it runs); the dir is opened up (0711) for the containers' users.
    pub fn start_with_busybox(tag: &str) -> Daemon {
        let state = TempDir::new(tag);
        std::fs::set_permissions(&state.0, std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
        Manager::open(Some(&state.0)).unwrap().build_image("busybox", Some("busybox")).unwrap();
        Daemon::start_on(state)
    }

    fn start_on(state: TempDir) -> Daemon {
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

    /// One request over the unix socket (Connection: close); the status and the JSON body (a
    /// body that is not JSON, such as a file's content, comes back as a JSON string).
    pub fn request(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut sock = UnixStream::connect(self.state.0.join("unix.socket")).unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        sock.write_all(head.as_bytes()).unwrap();
        sock.write_all(body.as_bytes()).unwrap();
        let mut answer = Vec::new();
        sock.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).to_string();
        let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("an HTTP status line");
        let payload = answer.split_once("\r\n\r\n").map(|(_, p)| p).unwrap_or("");
        (status, serde_json::from_str(payload).unwrap_or(Value::String(payload.to_string())))
    }

    /// The status of a GET of `path`.
    pub fn status(&self, path: &str) -> u16 {
        self.request("GET", path, None).0
    }

    /// Sets core.https_address to a free port on 127.0.0.1; the daemon's https URL.
    pub fn listen_https(&self) -> String {
        let port = free_port();
        let (status, doc) = self.request(
            "PATCH",
            "/1.0",
            Some(json!({"config": {"core.https_address": format!("127.0.0.1:{port}")}})),
        );
        assert_eq!(status, 200, "{doc}");
        format!("https://127.0.0.1:{port}")
    }

    /// A trust token as `lxc config trust add` prints it: the token operation's metadata
    /// (name, fingerprint, addresses, secret, expiry) as base64 JSON.
    pub fn token(&self, name: &str) -> String {
        base64(self.token_doc(name).to_string().as_bytes())
    }

    /// The token's JSON before encoding (tests forge tokens by editing it).
    pub fn token_doc(&self, name: &str) -> Value {
        let (status, doc) =
            self.request("POST", "/1.0/certificates", Some(json!({"type": "client", "token": true, "name": name})));
        assert_eq!(status, 202, "token request answered {doc}");
        let meta = &doc["metadata"]["metadata"];
        json!({
            "client_name": name,
            "fingerprint": meta["fingerprint"],
            "addresses": meta["addresses"],
            "secret": meta["secret"],
            "expires_at": meta["expiresAt"],
        })
    }

    /// An embedded Manager on a fresh dir named after `tag`, with this daemon (listening at
    /// `url`) added as remote "srv" through a token issued to `client_name`.
    pub fn client(&self, url: &str, tag: &str, client_name: &str) -> (TempDir, Manager) {
        let dir = TempDir::new(tag);
        let local = Manager::open(Some(&dir.0)).unwrap();
        local.add_remote_with_token(&lxd_remote("srv", url), &self.token(client_name)).unwrap();
        (dir, local)
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

/// A remote of the lxd protocol named `name` at `url`.
pub fn lxd_remote(name: &str, url: &str) -> Remote {
    Remote { name: name.into(), url: url.into(), protocol: "lxd".into(), ..Default::default() }
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Standard base64 with padding (the tests need no crate for it).
pub fn base64(data: &[u8]) -> String {
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
