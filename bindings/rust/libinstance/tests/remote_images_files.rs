//! Images and instance files through a Manager connected to a real instanced over HTTPS: an
//! image built locally is imported into the daemon, aliased, edited, exported and deleted there;
//! a stopped instance made from it gets files pushed, read and removed. Each outcome is checked
//! on the daemon's unix socket; the embedded manager's own store stays empty.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::{expect_error, TempDir};
use libinstance::api::{InstanceSource, InstancesPost, Remote};
use libinstance::{ErrorCode, FileOptions, Manager};
use serde_json::{json, Value};

fn instanced() -> PathBuf {
    if let Some(path) = std::env::var_os("INSTANCED") {
        return PathBuf::from(path);
    }
    let lib_dir =
        std::env::var_os("LIBINSTANCE_LIB_DIR").expect("LIBINSTANCE_LIB_DIR or INSTANCED must be set");
    PathBuf::from(lib_dir).join("../tools/instanced/instanced")
}

/// One instanced, stopped when dropped (even when the test fails).
struct Daemon {
    child: Child,
    state: TempDir,
}

impl Daemon {
    fn start() -> Daemon {
        let state = TempDir::new("instanced-img");
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
        (status, serde_json::from_str(payload).unwrap_or(Value::String(payload.to_string())))
    }

    fn token(&self, name: &str) -> String {
        let (status, doc) = self.request(
            "POST",
            "/1.0/certificates",
            Some(json!({"type": "client", "token": true, "name": name})),
        );
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
fn images_and_files_on_a_connected_manager() {
    let daemon = Daemon::start();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (status, doc) = daemon.request(
        "PATCH",
        "/1.0",
        Some(json!({"config": {"core.https_address": format!("127.0.0.1:{port}")}})),
    );
    assert_eq!(status, 200, "{doc}");
    let client_dir = TempDir::new("remote-img-client");
    let local = Manager::open(Some(&client_dir.0)).unwrap();
    let remote = Remote {
        name: "srv".into(),
        url: format!("https://127.0.0.1:{port}"),
        protocol: "lxd".into(),
        ..Default::default()
    };
    local.add_remote_with_token(&remote, &daemon.token("rs-img")).unwrap();
    let connected = local.connect_remote("srv").unwrap();

    // An image built locally, exported, removed locally and imported into the daemon.
    let built = local.build_image("busybox", None).unwrap();
    let out = TempDir::new("remote-img-export");
    let exported = local.default_project().export_image(&built.fingerprint, Some(&out.0)).unwrap();
    local.delete_image(&built.fingerprint).unwrap();
    let image = connected.import_image(&exported.metadata_path, Some("bb")).unwrap();
    assert_eq!(image.fingerprint, built.fingerprint);
    let (status, doc) = daemon.request("GET", "/1.0/images/aliases/bb", None);
    assert_eq!(status, 200);
    assert_eq!(doc["metadata"]["target"], image.fingerprint.as_str());
    assert_eq!(connected.images().unwrap().len(), 1);
    assert!(local.images().unwrap().is_empty());
    assert_eq!(connected.image("bb").unwrap().fingerprint, image.fingerprint);
    expect_error(connected.image("no-such-image"), ErrorCode::NotFound, "no-such-image");

    connected.create_alias("bb2", "bb", Some("second")).unwrap();
    let project = connected.default_project();
    assert_eq!(project.alias("bb2").unwrap().description, "second");
    project.rename_alias("bb2", "bb3").unwrap();
    assert_eq!(daemon.request("GET", "/1.0/images/aliases/bb2", None).0, 404);
    connected.delete_alias("bb3").unwrap();
    expect_error(connected.delete_alias("bb3"), ErrorCode::NotFound, "bb3");

    let mut properties = BTreeMap::new();
    properties.insert("description".to_string(), "edited remotely".to_string());
    project.update_image("bb", &properties, false, false, None).unwrap();
    let (_, doc) = daemon.request("GET", &format!("/1.0/images/{}", image.fingerprint), None);
    assert_eq!(doc["metadata"]["properties"]["description"], "edited remotely");
    let again = TempDir::new("remote-img-export2");
    let export = project.export_image("bb", Some(&again.0)).unwrap();
    assert_eq!(std::fs::read(&export.metadata_path).unwrap(), std::fs::read(&exported.metadata_path).unwrap());

    // Files of a stopped instance made on the daemon.
    let post = InstancesPost { name: "c1".into(), source: InstanceSource::image_alias("bb"), ..Default::default() };
    let c1 = connected.create_instance(&post).unwrap();
    let opts = FileOptions { mode: Some(0o600), create_parents: true, ..Default::default() };
    c1.file_push_data("/root/sub/hello.txt", b"hello from rust\n", &opts).unwrap();
    let (status, body) = daemon.request("GET", "/1.0/instances/c1/files?path=/root/sub/hello.txt", None);
    assert_eq!((status, body), (200, Value::String("hello from rust\n".into())));
    assert_eq!(c1.file_read("/root/sub/hello.txt").unwrap(), b"hello from rust\n");
    let info = c1.file_stat("/root/sub/hello.txt").unwrap();
    assert_eq!((info.kind.as_str(), info.mode, info.size), ("file", 0o600, 16));
    c1.file_delete("/root/sub/hello.txt").unwrap();
    expect_error(c1.file_stat("/root/sub/hello.txt"), ErrorCode::NotFound, "");
    expect_error(c1.file_stat("relative"), ErrorCode::InvalidArgument, "path");
    c1.delete(true).unwrap();
    connected.delete_image("bb").unwrap();
    assert_eq!(daemon.request("GET", &format!("/1.0/images/{}", image.fingerprint), None).0, 404);
}
