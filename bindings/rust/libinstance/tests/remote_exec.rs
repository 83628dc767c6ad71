//! Exec and events on a Manager connected to a real instanced over HTTPS: the daemon's state
//! holds busybox (built before it starts), c1 is created and started through the connection,
//! exec output, stdin and exit codes travel over the exec websockets, and a lifecycle event made
//! on the daemon reaches a subscriber of the connected Manager.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{expect_error, TempDir};
use libinstance::api::{InstanceSource, InstancesPost, Remote};
use libinstance::{ErrorCode, EventFilter, EventType, ExecOptions, Manager, TerminalSize};
use serde_json::{json, Value};

fn instanced() -> PathBuf {
    if let Some(path) = std::env::var_os("INSTANCED") {
        return PathBuf::from(path);
    }
    let lib_dir =
        std::env::var_os("LIBINSTANCE_LIB_DIR").expect("LIBINSTANCE_LIB_DIR or INSTANCED must be set");
    PathBuf::from(lib_dir).join("../tools/instanced/instanced")
}

struct Daemon {
    child: Child,
    state: TempDir,
}

impl Daemon {
    fn start_with_busybox() -> Daemon {
        let state = TempDir::new("instanced-exec");
        std::fs::set_permissions(&state.0, std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
        Manager::open(Some(&state.0)).unwrap().build_image("busybox", Some("busybox")).unwrap();
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

    fn request(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
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
        (status, serde_json::from_str(payload).unwrap_or(Value::Null))
    }

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
        let _ = self.request("DELETE", "/1.0/instances/c1", None);
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
fn exec_and_events_over_a_connection() {
    let daemon = Daemon::start_with_busybox();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let https = json!({"config": {"core.https_address": format!("127.0.0.1:{port}")}});
    assert_eq!(daemon.request("PATCH", "/1.0", Some(https)).0, 200);
    let client_dir = TempDir::new("remote-exec-client");
    let local = Manager::open(Some(&client_dir.0)).unwrap();
    let remote = Remote {
        name: "srv".into(),
        url: format!("https://127.0.0.1:{port}"),
        protocol: "lxd".into(),
        ..Default::default()
    };
    local.add_remote_with_token(&remote, &daemon.token("rust-exec")).unwrap();
    let connected = local.connect_remote("srv").unwrap();

    let post = InstancesPost { name: "c1".into(), source: InstanceSource::image_alias("busybox"), ..Default::default() };
    let c1 = connected.create_instance(&post).unwrap();
    c1.start().unwrap();

    let result = c1.exec(&["sh", "-c", "echo out; echo err >&2; exit 6"], &ExecOptions::default()).unwrap();
    assert_eq!((result.exit_code, result.stdout.as_slice(), result.stderr.as_slice()), (6, &b"out\n"[..], &b"err\n"[..]));
    let payload = vec![b'y'; 200_000];
    let opts = ExecOptions { stdin: Some(payload.clone()), ..Default::default() };
    assert_eq!(c1.exec(&["cat"], &opts).unwrap().stdout, payload);
    let shown = c1.exec_terminal(&["stty", "size"], &ExecOptions::default(), TerminalSize { width: 90, height: 30 }).unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("30 90"), "{shown:?}");
    expect_error(connected.instance("nope").and_then(|i| i.exec(&["true"], &ExecOptions::default())), ErrorCode::NotFound, "");

    let (_subscription, events) = connected.events(&EventFilter::types(&[EventType::Lifecycle])).unwrap();
    let (status, doc) = daemon.request("PATCH", "/1.0/instances/c1", Some(json!({"config": {"user.seen": "yes"}})));
    assert_eq!(status, 200, "{doc}");
    let mut actions = Vec::new();
    while let Ok(event) = events.recv_timeout(Duration::from_secs(10)) {
        let action = event.lifecycle().map(|l| l.action).unwrap_or_default();
        actions.push(action.clone());
        if action == "instance-updated" {
            break;
        }
    }
    assert_eq!(actions.last().map(String::as_str), Some("instance-updated"), "{actions:?}");
    c1.delete(true).unwrap();
    assert_eq!(daemon.request("GET", "/1.0/instances/c1", None).0, 404);
}
