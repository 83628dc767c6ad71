//! Files on a real container: push/pull with owners seen from inside, stopped instances, trees,
//! bad paths, and symlinks that must not lead out of the container.

mod common;

use std::io::{Seek, SeekFrom, Write};

use common::{container, expect_error, manager, TempDir};
use libinstance::{ErrorCode, ExecOptions, FileOptions, StopOptions};

fn inside(inst: &libinstance::Instance, argv: &[&str]) -> String {
    let out = inst.exec(argv, &ExecOptions::default()).unwrap_or_else(|e| panic!("exec {argv:?}: {e:?}"));
    assert_eq!(out.exit_code, 0, "{argv:?}: {}", out.stderr_text());
    out.stdout_text()
}

#[test]
fn push_pull_owner_mode_and_errors() {
    let mgr = manager();
    let c = container(&mgr, "rs-files", true);

    let opts = FileOptions { uid: Some(1000), gid: Some(1001), mode: Some(0o640), create_parents: true };
    c.file_push_data("/srv/data/hello.txt", b"hello from rust\n", &opts).unwrap();
    assert_eq!(inside(&c, &["stat", "-c", "%u %g %a", "/srv/data/hello.txt"]), "1000 1001 640\n");
    assert_eq!(inside(&c, &["cat", "/srv/data/hello.txt"]), "hello from rust\n");

    // From an fd, streamed.
    let scratch = TempDir::new("rs-files-src");
    let mut src = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true)
        .open(scratch.join("big")).unwrap();
    src.write_all(&vec![b'x'; 3 << 20]).unwrap();
    src.seek(SeekFrom::Start(0)).unwrap();
    c.file_push("/root/big", &src, &FileOptions::default()).unwrap();
    assert_eq!(inside(&c, &["stat", "-c", "%s %u", "/root/big"]), format!("{} 0\n", 3 << 20));
    let back = c.file_read("/root/big").unwrap();
    assert_eq!(back.len(), 3 << 20);
    assert!(back.iter().all(|&b| b == b'x'));

    let info = c.file_stat("/srv/data/hello.txt").unwrap();
    assert_eq!((info.kind.as_str(), info.uid, info.gid, info.mode, info.size), ("file", 1000, 1001, 0o640, 16));
    c.file_symlink("/srv/link", "/srv/data/hello.txt", &FileOptions::default()).unwrap();
    let link = c.file_stat("/srv/link").unwrap();
    assert_eq!(link.kind, "symlink");
    assert_eq!(link.target.as_deref(), Some("/srv/data/hello.txt"));
    c.file_mkdir("/srv/empty", &FileOptions { mode: Some(0o700), ..Default::default() }).unwrap();
    let dir = c.file_stat("/srv").unwrap();
    assert_eq!(dir.kind, "directory");
    assert_eq!(dir.entries.unwrap(), vec!["data", "empty", "link"]);

    let e = expect_error(c.file_push_data("etc/relative", b"x", &FileOptions::default()), ErrorCode::InvalidArgument, "etc/relative");
    assert_eq!(e.key.as_deref(), Some("path"));
    expect_error(c.file_read("/srv/missing"), ErrorCode::NotFound, "/srv/missing");
    expect_error(c.file_push_data("/x", b"", &FileOptions { uid: Some(4_000_000_000), ..Default::default() }), ErrorCode::InvalidArgument, "uid");

    // A symlink made inside pointing at a host directory resolves inside the container.
    let host = TempDir::new("rs-files-host");
    std::fs::write(host.join("secret"), "HOST").unwrap();
    let host_dir = host.to_str().unwrap().to_string();
    inside(&c, &["ln", "-s", &host_dir, "/tmp/escape"]);
    expect_error(c.file_read("/tmp/escape/secret"), ErrorCode::NotFound, "/tmp/escape/secret");
    expect_error(c.file_push_data("/tmp/escape/planted", b"x", &FileOptions::default()), ErrorCode::NotFound, "/tmp/escape/planted");
    assert!(!host.join("planted").exists());

    // Trees, then the same on the stopped container.
    let tree = TempDir::new("rs-files-tree");
    std::fs::create_dir_all(tree.join("a/b")).unwrap();
    std::fs::write(tree.join("a/b/f"), "leaf").unwrap();
    c.file_push_tree(&tree, "/opt/tree", &FileOptions::default()).unwrap();
    assert_eq!(inside(&c, &["cat", "/opt/tree/a/b/f"]), "leaf");
    c.stop(StopOptions { force: true, ..Default::default() }).unwrap();
    let out = TempDir::new("rs-files-out");
    c.file_pull_tree("/opt/tree", &out.join("copy")).unwrap();
    assert_eq!(std::fs::read_to_string(out.join("copy/a/b/f")).unwrap(), "leaf");
    c.file_delete("/srv/link").unwrap();
    c.file_push_data("/root/offline", b"written while stopped", &FileOptions::default()).unwrap();
    c.start().unwrap();
    assert_eq!(inside(&c, &["cat", "/root/offline"]), "written while stopped");
    assert_eq!(inside(&c, &["stat", "-c", "%u", "/root/offline"]), "0\n");
    assert_eq!(inside(&c, &["sh", "-c", "ls /srv"]), "data\nempty\n");
}
