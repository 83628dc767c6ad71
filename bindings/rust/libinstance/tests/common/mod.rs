//! What the integration tests share: one state directory and Manager per test binary (the
//! directory is exclusively locked, so tests in one process share the Manager rather than open
//! their own), the busybox image built once into it, and guards that delete containers even
//! when an assertion fails.
#![allow(dead_code)]

pub mod big_image;
pub mod daemon;
pub mod exec_signal;

use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libinstance::{api, Error, ErrorCode, Instance, Manager};

/// The busybox image's alias in the shared state directory.
pub const IMAGE: &str = "busybox";

struct Fixture {
    manager: Arc<Manager>,
    dir: PathBuf,
}

static FIXTURE: Mutex<Option<Fixture>> = Mutex::new(None);

extern "C" {
    // libc's atexit: libtest has no after-all hook, and statics are never dropped.
    fn atexit(callback: extern "C" fn()) -> c_int;
}

/// Closes the shared Manager (releasing the lock) and removes its directory at process exit.
extern "C" fn teardown() {
    let fixture = FIXTURE.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(Fixture { manager, dir }) = fixture {
        drop(manager);
        if std::env::var_os("LIBINSTANCE_TEST_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// A fresh, empty directory for this process under the system temp dir.
pub fn fresh_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("libinstance-rs-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a test state dir");
    dir
}

/// A [`fresh_dir`] removed when dropped, even when the test fails.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        TempDir(fresh_dir(tag))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("LIBINSTANCE_TEST_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// The process-wide Manager, on a temporary state dir holding the busybox image.
pub fn manager() -> Arc<Manager> {
    let mut fixture = FIXTURE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = fixture.as_ref() {
        return f.manager.clone();
    }
    let dir = fresh_dir("state");
    let manager = Manager::open(Some(&dir)).unwrap_or_else(|e| panic!("opening {dir:?}: {e:?}"));
    manager.build_image("busybox", Some(IMAGE)).unwrap_or_else(|e| panic!("building busybox: {e:?}"));
    let manager = Arc::new(manager);
    unsafe { atexit(teardown) };
    *fixture = Some(Fixture { manager: manager.clone(), dir });
    manager
}

/// The shared state dir.
pub fn state_dir() -> PathBuf {
    manager().state_dir()
}

/// Deletes its instance (forcefully) when dropped, so a failing test leaves no container behind.
pub struct Guard(pub Instance);

impl Drop for Guard {
    fn drop(&mut self) {
        match self.0.delete(true) {
            Ok(()) => {}
            Err(e) if e.code == ErrorCode::NotFound => {}
            Err(e) => eprintln!("cleaning up {}: {e:?}", self.0.name()),
        }
    }
}

impl std::ops::Deref for Guard {
    type Target = Instance;
    fn deref(&self) -> &Instance {
        &self.0
    }
}

/// A btrfs pool on a loop file in the shared state dir, deleted when dropped (declare it before
/// the guards of the instances and volumes on it, so that they drop first).
pub struct PoolGuard(pub &'static str);

impl PoolGuard {
    pub fn btrfs(name: &'static str) -> PoolGuard {
        let mut post = api::StoragePoolsPost::new(name, "btrfs");
        post.config.insert("size".into(), "512MiB".into());
        manager().create_storage_pool(&post).unwrap_or_else(|e| panic!("creating pool {name}: {e:?}"));
        PoolGuard(name)
    }
}

impl Drop for PoolGuard {
    fn drop(&mut self) {
        if let Err(e) = manager().delete_storage_pool(self.0) {
            eprintln!("cleaning up pool {}: {e:?}", self.0);
        }
    }
}

/// Creates a busybox container `name`, started when `start`, deleted when the guard drops.
pub fn container(manager: &Manager, name: &str, start: bool) -> Guard {
    let mut post = api::InstancesPost::new(name, api::InstanceSource::image_alias(IMAGE));
    post.start = start;
    let inst = manager.create_instance(&post).unwrap_or_else(|e| panic!("creating {name}: {e:?}"));
    Guard(inst)
}

/// Asserts `result` failed with `code` and a message naming `value`, and returns the error.
#[track_caller]
pub fn expect_error<T: std::fmt::Debug>(result: Result<T, Error>, code: ErrorCode, value: &str) -> Error {
    let err = match result {
        Ok(v) => panic!("expected {code:?} naming {value:?}, got Ok({v:?})"),
        Err(e) => e,
    };
    assert_eq!(err.code, code, "wrong code in {err:?}");
    assert!(err.message.contains(value), "message {:?} does not name {value:?}", err.message);
    assert_eq!(err.to_string(), err.message);
    err
}

/// Every path below `dir` whose file name contains `needle`.
pub fn paths_named(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().contains(needle) {
            found.push(path.clone());
        }
        // Do not descend into root filesystems: they are large and never hold instance names.
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir && entry.file_name() != "rootfs" {
            found.extend(paths_named(&path, needle));
        }
    }
    found
}

/// Polls `done` every 20 ms until it holds or `timeout` passes; true when it held.
pub fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Counts its drops: proves a closure holding it was dropped, and only once.
pub struct DropCounter(pub Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
