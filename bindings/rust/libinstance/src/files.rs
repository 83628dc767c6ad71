//! Files inside an instance, running or stopped (LXD's /1.0/instances/NAME/files).
//!
//! Paths are absolute inside the instance and resolved as if its root were `/`, so a symlink in
//! the instance never leads out of it. Content streams through file descriptors in chunks.

use std::os::fd::AsRawFd;
use std::path::Path;

use serde::Deserialize;

use libinstance_sys as sys;

use crate::error::{check, Result};
use crate::instance::Instance;
use crate::strings::{c_path, c_string, owned_json};

/// Owner, mode and parents of what the file calls create; `None` keeps an existing file's value,
/// else root and 0644 (files) or 0755 (directories).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileOptions {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub mode: Option<u32>,
    /// Create missing parent directories.
    pub create_parents: bool,
}

impl FileOptions {
    fn raw(&self) -> sys::li_file_opts {
        sys::li_file_opts {
            version: sys::LI_FILE_OPTS_VERSION,
            uid: self.uid.map_or(-1, i64::from),
            gid: self.gid.map_or(-1, i64::from),
            // Larger than 07777 is refused by the library (key "mode").
            mode: self.mode.map_or(-1, |m| i32::try_from(m).unwrap_or(i32::MAX)),
            create_parents: i32::from(self.create_parents),
        }
    }
}

/// One path inside an instance, as LXD's X-LXD-type/uid/gid/mode headers describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FileInfo {
    /// "file", "directory" or "symlink".
    #[serde(rename = "type")]
    pub kind: String,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    #[serde(default)]
    pub size: u64,
    /// A symlink's target.
    #[serde(default)]
    pub target: Option<String>,
    /// A directory's entry names, sorted.
    #[serde(default)]
    pub entries: Option<Vec<String>>,
}

impl Instance {
    /// Writes `path` from `src`, read to its end (not closed); atomic (temporary file renamed).
    pub fn file_push(&self, path: &str, src: &impl AsRawFd, opts: &FileOptions) -> Result<()> {
        let p = c_string("path", path)?;
        let raw = opts.raw();
        check(|err| unsafe { sys::li_instance_file_push(self.as_ptr(), p.as_ptr(), src.as_raw_fd(), &raw, err) })
    }

    /// Writes `path` from bytes.
    pub fn file_push_data(&self, path: &str, data: &[u8], opts: &FileOptions) -> Result<()> {
        let p = c_string("path", path)?;
        let raw = opts.raw();
        check(|err| unsafe {
            sys::li_instance_file_push_data(self.as_ptr(), p.as_ptr(), data.as_ptr().cast(), data.len(), &raw, err)
        })
    }

    /// Streams the regular file at `path` into `dst` and describes it; a directory or a symlink
    /// is only described. Device nodes and fifos are NotSupported.
    pub fn file_pull(&self, path: &str, dst: &impl AsRawFd) -> Result<FileInfo> {
        let p = c_string("path", path)?;
        owned_json("file info", |out, err| unsafe {
            sys::li_instance_file_pull(out, self.as_ptr(), p.as_ptr(), dst.as_raw_fd(), err)
        })
    }

    /// The content of a regular file, in memory.
    pub fn file_read(&self, path: &str) -> Result<Vec<u8>> {
        let (read, write) = std::io::pipe().map_err(|e| crate::Error::invalid("path", e.to_string()))?;
        let reader = std::thread::spawn(move || {
            let mut read = read;
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut read, &mut buf).map(|_| buf)
        });
        let pulled = self.file_pull(path, &write);
        drop(write);
        let data = reader.join().expect("the pipe reader panicked");
        pulled?;
        data.map_err(|e| crate::Error::invalid("path", e.to_string()))
    }

    /// Describes `path` (a directory's entries, a symlink's target) without reading content.
    pub fn file_stat(&self, path: &str) -> Result<FileInfo> {
        let p = c_string("path", path)?;
        owned_json("file info", |out, err| unsafe {
            sys::li_instance_file_stat_json(out, self.as_ptr(), p.as_ptr(), err)
        })
    }

    /// Removes a file, a symlink or an empty directory.
    pub fn file_delete(&self, path: &str) -> Result<()> {
        let p = c_string("path", path)?;
        check(|err| unsafe { sys::li_instance_file_delete(self.as_ptr(), p.as_ptr(), err) })
    }

    /// Creates a directory; AlreadyExists unless `create_parents`.
    pub fn file_mkdir(&self, path: &str, opts: &FileOptions) -> Result<()> {
        let p = c_string("path", path)?;
        let raw = opts.raw();
        check(|err| unsafe { sys::li_instance_file_mkdir(self.as_ptr(), p.as_ptr(), &raw, err) })
    }

    /// Creates a symlink at `path` pointing to `target`.
    pub fn file_symlink(&self, path: &str, target: &str, opts: &FileOptions) -> Result<()> {
        let p = c_string("path", path)?;
        let t = c_string("target", target)?;
        let raw = opts.raw();
        check(|err| unsafe { sys::li_instance_file_symlink(self.as_ptr(), p.as_ptr(), t.as_ptr(), &raw, err) })
    }

    /// Copies the host directory `source`'s content into `path` (created), keeping modes and
    /// owners unless `opts` sets them.
    pub fn file_push_tree(&self, source: &Path, path: &str, opts: &FileOptions) -> Result<()> {
        let s = c_path("source", source)?;
        let p = c_string("path", path)?;
        let raw = opts.raw();
        check(|err| unsafe { sys::li_instance_file_push_tree(self.as_ptr(), s.as_ptr(), p.as_ptr(), &raw, err) })
    }

    /// Copies `path` (a directory's content, or a file) to the host path `target`, keeping modes.
    pub fn file_pull_tree(&self, path: &str, target: &Path) -> Result<()> {
        let p = c_string("path", path)?;
        let t = c_path("target", target)?;
        check(|err| unsafe { sys::li_instance_file_pull_tree(self.as_ptr(), p.as_ptr(), t.as_ptr(), err) })
    }
}
