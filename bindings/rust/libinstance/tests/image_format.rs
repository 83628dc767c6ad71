//! The LXD image format through the safe API: split imports with LXD's fingerprint, export,
//! updates, aliases, settings, and a hostile archive refused.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::TempDir;
use libinstance::{ErrorCode, ImportImageOptions, Manager};

fn sh(dir: &Path, script: &str) {
    let status = Command::new("sh").arg("-ec").arg(script).current_dir(dir).status().expect("running sh");
    assert!(status.success(), "{script}");
}

fn sha256(dir: &Path, files: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(format!("cat {files} | sha256sum")).current_dir(dir).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

fn metadata(dir: &Path) {
    let arch = String::from_utf8(Command::new("uname").arg("-m").output().unwrap().stdout).unwrap();
    std::fs::write(dir.join("metadata.yaml"), format!("architecture: {}\ncreation_date: 1700000000\nproperties:\n  os: rust\n", arch.trim()))
        .unwrap();
}

#[test]
fn split_image_import_export_update_aliases() {
    let dir = TempDir::new("imgfmt");
    metadata(&dir);
    sh(&dir, "mkdir -p tree/etc && echo ID=rs > tree/etc/os-release && tar -cJf meta.tar.xz metadata.yaml && tar -C tree -czf rootfs.tar.gz .");
    let fp = sha256(&dir, "meta.tar.xz rootfs.tar.gz");
    let manager = Manager::open(Some(&dir.join("state"))).unwrap();
    let project = manager.default_project();
    let opts = ImportImageOptions {
        alias: Some("split".into()),
        rootfs_path: Some(dir.join("rootfs.tar.gz")),
        expected_fingerprint: Some(fp.clone()),
        properties: BTreeMap::from([("extra".to_string(), "yes".to_string())]),
        public: true,
        ..Default::default()
    };
    let image = project.import_image_with(&dir.join("meta.tar.xz"), &opts).unwrap();
    assert_eq!(image.fingerprint, fp);
    assert_eq!(image.properties.get("os").map(String::as_str), Some("rust"));
    assert_eq!(image.properties.get("extra").map(String::as_str), Some("yes"));
    assert!(image.public);

    std::fs::create_dir(dir.join("out")).unwrap();
    let export = project.export_image("split", Some(&dir.join("out"))).unwrap();
    assert_eq!(export.metadata_path, dir.join("out").join(format!("meta-{fp}.tar.xz")));
    assert_eq!(export.rootfs_path, dir.join("out").join(format!("{fp}.tar.gz")));
    assert_eq!(sha256(&dir, &format!("out/meta-{fp}.tar.xz out/{fp}.tar.gz")), fp);

    let updated = project
        .update_image("split", &BTreeMap::from([("k".to_string(), "v".to_string())]), false, true, Some("2031-01-01T00:00:00Z"))
        .unwrap();
    assert_eq!(updated.properties, BTreeMap::from([("k".to_string(), "v".to_string())]));
    assert!(updated.auto_update && !updated.public);
    assert_eq!(updated.expires_at, "2031-01-01T00:00:00Z");

    project.rename_alias("split", "renamed").unwrap();
    let aliases = project.aliases().unwrap();
    assert_eq!(aliases.len(), 1);
    assert_eq!(aliases[0].name, "renamed");
    assert_eq!(project.alias("renamed").unwrap().target, fp);
    let err = project.alias("split").unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    assert_eq!(manager.get_config("images.remote_cache_expiry").unwrap(), "10");
    manager.set_config("images.remote_cache_expiry", Some("4")).unwrap();
    assert_eq!(manager.config().unwrap().get("images.remote_cache_expiry").map(String::as_str), Some("4"));
    let err = manager.set_config("images.unpack_max_ratio", Some("many")).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert_eq!(err.key.as_deref(), Some("images.unpack_max_ratio"));
    assert!(manager.prune_images().unwrap().is_empty());
}

#[test]
fn hostile_image_is_refused_naming_the_entry() {
    let dir = TempDir::new("imghostile");
    metadata(&dir);
    sh(&dir, "mkdir rootfs && ln -s /etc rootfs/link && echo x > a && tar -cf evil.tar metadata.yaml rootfs && \
              tar -rf evil.tar --transform 's,^a$,rootfs/link/pwned-by-rust,' a");
    let manager = Manager::open(Some(&dir.join("state"))).unwrap();
    let err = manager.default_project().import_image_with(&dir.join("evil.tar"), &ImportImageOptions::default()).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert_eq!(err.key.as_deref(), Some("rootfs/link/pwned-by-rust"));
    assert!(err.message.contains("through the symlink \"rootfs/link\""), "{}", err.message);
    assert!(!Path::new("/etc/pwned-by-rust").exists());
    assert!(manager.default_project().images().unwrap().is_empty());
}
