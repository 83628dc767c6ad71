//! A large image (~300 MB of random data, which no compression shrinks) whose unpacking takes
//! long enough to cancel, written as an LXD unified tarball with tar(1).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Bytes of random data in the image's root filesystem.
pub const RANDOM_BYTES: u64 = 300 << 20;

/// Writes `<dir>/big.tar` (metadata.yaml and rootfs/ with the random data) and returns its path.
pub fn write_big_image(dir: &Path) -> PathBuf {
    let tree = dir.join("tree");
    let rootfs = tree.join("rootfs");
    for sub in ["bin", "etc", "data"] {
        std::fs::create_dir_all(rootfs.join(sub)).unwrap();
    }
    std::fs::write(
        tree.join("metadata.yaml"),
        format!(
            "architecture: {}\ncreation_date: 1700000000\nproperties:\n  os: random\n  description: big random image\n",
            std::env::consts::ARCH
        ),
    )
    .unwrap();
    std::fs::write(rootfs.join("etc/hostname"), "big\n").unwrap();
    let mut random = File::open("/dev/urandom").unwrap().take(RANDOM_BYTES);
    let mut out = File::create(rootfs.join("data/random.bin")).unwrap();
    let copied = std::io::copy(&mut random, &mut out).unwrap();
    assert_eq!(copied, RANDOM_BYTES);
    out.flush().unwrap();
    drop(out);

    let tarball = dir.join("big.tar");
    let status = Command::new("tar")
        .arg("--numeric-owner")
        .arg("-cf")
        .arg(&tarball)
        .arg("-C")
        .arg(&tree)
        .args(["metadata.yaml", "rootfs"])
        .status()
        .expect("running tar");
    assert!(status.success(), "tar failed: {status}");
    // Only the tarball is needed; the tree would double the disk space used.
    std::fs::remove_dir_all(&tree).unwrap();
    tarball
}
