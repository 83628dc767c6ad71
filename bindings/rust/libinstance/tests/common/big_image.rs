//! A large image (300 MiB of random data, which no compression shrinks) whose unpacking takes
//! long enough to cancel, written as an LXD unified tarball with tar(1). The data is split into
//! many files because the library checks for cancellation (and reports progress) between entries.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files of random data in the image's root filesystem, and the size of each.
pub const RANDOM_FILES: usize = 300;
pub const FILE_BYTES: u64 = 1 << 20;

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
    let mut random = File::open("/dev/urandom").unwrap();
    for n in 0..RANDOM_FILES {
        let mut out = File::create(rootfs.join(format!("data/random-{n:03}.bin"))).unwrap();
        let copied = std::io::copy(&mut (&mut random).take(FILE_BYTES), &mut out).unwrap();
        assert_eq!(copied, FILE_BYTES);
        out.flush().unwrap();
    }

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
