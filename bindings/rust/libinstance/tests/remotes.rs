//! Remotes and images from a simplestreams server this test serves itself on 127.0.0.1 over TLS
//! (tests/support/simplestreams_server.py with a self-signed certificate). Its own state dir:
//! this binary is its own process.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{expect_error, TempDir};
use libinstance::api::{ImageAlias, ImagesPost, InstanceSource, InstancesPost, Remote};
use libinstance::{BuildImageOptions, ErrorCode, ExecOptions, Manager, StopOptions};

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/support/simplestreams_server.py")
}

struct Server {
    child: Child,
    root: PathBuf,
    image: PathBuf,
    url: String,
    certificate: String,
}

impl Server {
    fn start(work: &Path) -> Server {
        let root = work.join("srv");
        std::fs::create_dir_all(&root).unwrap();
        let image = work.join("busybox.tar.gz");
        let builder = Manager::open(Some(&work.join("builder"))).unwrap();
        let opts = BuildImageOptions { alias: None, output_path: Some(image.clone()), ..Default::default() };
        builder.build_image_with("busybox", &opts).unwrap();
        drop(builder);
        let mut child = Command::new("python3")
            .arg(script())
            .args(["serve", "--root"])
            .arg(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the simplestreams server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&line).expect("the server's first line");
        Server {
            child,
            root,
            image,
            url: doc["url"].as_str().unwrap().to_string(),
            certificate: doc["certificate"].as_str().unwrap().to_string(),
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("python3").arg(script()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn add(&self, product: &str, aliases: &str, version: &str, layout: &str) -> String {
        let root = self.root.to_str().unwrap();
        let image = self.image.to_str().unwrap();
        self.run(&[
            "add",
            "--root",
            root,
            "--image",
            image,
            "--product",
            product,
            "--aliases",
            aliases,
            "--version",
            version,
            "--layout",
            layout,
        ])
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take()); // the server stops when its stdin closes
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn no_downloads_left(mgr: &Manager) -> bool {
    std::fs::read_dir(mgr.state_dir().join("images"))
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().starts_with("download-"))
}

#[test]
fn remotes_images_pull_launch_verify_cancel_refresh() {
    let dir = TempDir::new("remotes");
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o711)).unwrap();
    let server = Server::start(&dir.0);
    let unified = server.add("bb-unified", "bbu,busybox-unified", "20260101_00:00", "unified");
    let split = server.add("bb-split", "bbs", "20260101_00:00", "split");
    let mgr = Manager::open(Some(&dir.0.join("state"))).unwrap();

    // Remotes: validation, then one trusting the server's self-signed certificate.
    let err = expect_error(
        mgr.add_remote(&Remote::new("bad:name", &server.url)),
        ErrorCode::InvalidArgument,
        "bad:name",
    );
    assert_eq!(err.key.as_deref(), Some("name"));
    let err =
        expect_error(mgr.add_remote(&Remote::new("x", "ftp://x")), ErrorCode::InvalidArgument, "ftp://x");
    assert_eq!(err.key.as_deref(), Some("url"));
    assert!(mgr.remotes().unwrap().is_empty());
    mgr.add_remote(&Remote { certificate: server.certificate.clone(), ..Remote::new("srv0", &server.url) })
        .unwrap();
    mgr.rename_remote("srv0", "srv").unwrap();
    assert_eq!(mgr.remote("srv").unwrap().url, server.url);
    expect_error(mgr.remote("srv0"), ErrorCode::NotFound, "srv0");

    // The server's images.
    let images = mgr.remote_images("srv").unwrap();
    assert_eq!(images.len(), 2, "{images:?}");
    let bbu = images.iter().find(|i| i.fingerprint == unified).expect("the unified image");
    assert!(bbu.aliases.iter().any(|a| a.name == "bbu"), "{bbu:?}");
    assert!(images.iter().any(|i| i.fingerprint == split && i.aliases.iter().any(|a| a.name == "bbs")));

    // Pull both layouts by alias.
    let mut post = ImagesPost::from_server("srv", "bbu");
    post.aliases = vec![ImageAlias { name: "mine".into(), description: String::new() }];
    let op = mgr.copy_image_from_remote_async(&post).unwrap();
    op.wait(None).unwrap();
    let info = op.info().unwrap();
    assert_eq!(info.metadata["fingerprint"], unified.as_str());
    assert!(info.metadata["download_progress"].as_str().unwrap().starts_with("rootfs: 100% ("), "{info:?}");
    assert_eq!(mgr.image("mine").unwrap().fingerprint, unified);
    assert_eq!(
        mgr.copy_image_from_remote(&ImagesPost::from_server("srv", "bbs")).unwrap().fingerprint,
        split
    );
    assert!(no_downloads_left(&mgr));

    // Launch from the server (an image not present yet is pulled, cached) and run something.
    mgr.delete_image(&split).unwrap();
    let mut launch = InstancesPost::new("rs-remote", InstanceSource::remote_image("srv", "bbs"));
    launch.start = true;
    let c = mgr.create_instance(&launch).unwrap();
    let out = c.exec(&["echo", "from the server"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout_text(), "from the server\n");
    assert!(mgr.image(&split).unwrap().cached);
    c.stop(StopOptions { force: true, ..Default::default() }).unwrap();
    c.delete(false).unwrap();

    // A certificate the client does not trust.
    mgr.add_remote(&Remote::new("untrusted", &server.url)).unwrap();
    expect_error(mgr.remote_images("untrusted"), ErrorCode::PermissionDenied, &server.url);

    // A cancelled pull leaves nothing behind.
    mgr.delete_image(&unified).unwrap();
    let before = mgr.images().unwrap();
    std::fs::File::create(server.root.join(".throttle")).unwrap().write_all(b"100000").unwrap();
    let op = mgr.copy_image_from_remote_async(&ImagesPost::from_server("srv", "bbu")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let p =
            op.info().unwrap().metadata.get("download_progress").and_then(|v| v.as_str().map(String::from));
        if p.is_some_and(|p| p.starts_with("rootfs: ") && !p.starts_with("rootfs: 0%")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    op.cancel().unwrap();
    expect_error(op.wait(None), ErrorCode::Cancelled, "cancel");
    assert_eq!(mgr.images().unwrap(), before);
    assert!(no_downloads_left(&mgr));
    std::fs::remove_file(server.root.join(".throttle")).unwrap();

    // Refresh follows a newer version; a corrupted file is refused.
    let mut follow = ImagesPost::from_server("srv", "bbu");
    follow.aliases = vec![ImageAlias { name: "follow".into(), description: String::new() }];
    follow.auto_update = true;
    assert_eq!(mgr.copy_image_from_remote(&follow).unwrap().fingerprint, unified);
    assert_eq!(mgr.refresh_image("follow").unwrap().fingerprint, unified);
    let newer = server.add("bb-unified", "bbu", "20260102_00:00", "unified");
    let now = mgr.refresh_image("follow").unwrap();
    assert_eq!(now.fingerprint, newer);
    expect_error(mgr.image(&unified), ErrorCode::NotFound, &unified[..12]);

    server.add("bb-unified", "bbu", "20260103_00:00", "unified");
    server.run(&["corrupt", "--root", server.root.to_str().unwrap(), "--product", "bb-unified"]);
    let err = expect_error(mgr.refresh_image("follow"), ErrorCode::InvalidArgument, "sha256 mismatch");
    assert_eq!(err.key.as_deref(), Some("sha256"));
    assert_eq!(mgr.image("follow").unwrap().fingerprint, newer);
    assert!(no_downloads_left(&mgr));
}

#[test]
fn image_auto_update_refreshes_past_the_interval_and_reports_it() {
    let dir = TempDir::new("remotes-autoupd");
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o711)).unwrap();
    let server = Server::start(&dir.0);
    let old = server.add("bb-unified", "bbu", "20260101_00:00", "unified");
    let mgr = Manager::open(Some(&dir.0.join("state"))).unwrap();
    mgr.add_remote(&Remote { certificate: server.certificate.clone(), ..Remote::new("srv", &server.url) })
        .unwrap();
    let mut post = ImagesPost::from_server("srv", "bbu");
    post.aliases = vec![ImageAlias { name: "auto".into(), description: String::new() }];
    post.auto_update = true;
    assert_eq!(mgr.copy_image_from_remote(&post).unwrap().fingerprint, old);

    // The state directory's first look only starts the clock.
    let t0 = SystemTime::now();
    let first = mgr.run_image_auto_update(Some(t0)).unwrap();
    assert!(!first.ran, "{first:?}");
    let newer = server.add("bb-unified", "bbu", "20260102_00:00", "unified");
    assert_ne!(newer, old);

    // Past images.auto_update_interval (6 hours by default).
    let run = mgr.run_image_auto_update(Some(t0 + Duration::from_secs(7 * 3600))).unwrap();
    assert!(run.ran);
    assert!(run.failed.is_empty(), "{run:?}");
    assert_eq!(run.refreshed.len(), 1, "{run:?}");
    let r = &run.refreshed[0];
    assert_eq!(
        (r.project.as_str(), r.old_fingerprint.as_str(), r.new_fingerprint.as_str()),
        ("default", old.as_str(), newer.as_str())
    );
    assert_eq!(r.aliases, vec!["auto".to_string()]);
    assert_eq!(mgr.image("auto").unwrap().fingerprint, newer);
    // Within the interval of that pass, and now: nothing due.
    assert!(!mgr.run_image_auto_update(Some(t0 + Duration::from_secs(8 * 3600))).unwrap().ran);
    assert!(!mgr.run_image_auto_update(None).unwrap().ran);

    // Before 1970: the library refuses it, naming now_unix; the epoch itself would mean "now".
    let err = expect_error(
        mgr.run_image_auto_update(Some(UNIX_EPOCH - Duration::from_secs(3600))),
        ErrorCode::InvalidArgument,
        "now_unix",
    );
    assert_eq!(err.key.as_deref(), Some("now_unix"));
    let err = expect_error(mgr.run_image_auto_update(Some(UNIX_EPOCH)), ErrorCode::InvalidArgument, "epoch");
    assert_eq!(err.key.as_deref(), Some("now_unix"));
}
