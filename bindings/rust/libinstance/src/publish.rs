//! Publishing a stopped instance, or a snapshot, as a new image (LXD's `ImagesPost` with an
//! instance or snapshot source).

use std::collections::BTreeMap;

use libinstance_sys as sys;
use serde_json::json;

use crate::api;
use crate::error::Result;
use crate::manager::{Manager, Project};
use crate::operation::Operation;
use crate::strings::{c_string, owned_json};

/// What [`Project::publish_image`] makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishOptions {
    /// The source instance, which must be stopped (Conflict otherwise), or one of its snapshots
    /// as `"c1/snap0"` (the instance may run).
    pub instance: String,
    /// Alias to give the new image.
    pub alias: Option<String>,
    /// Properties set over the source image's.
    pub properties: BTreeMap<String, String>,
    /// `gzip` (when `None`), `xz`, `zstd`, `bzip2` or `none`.
    pub compression: Option<String>,
    /// Whether the image is public.
    pub public: bool,
    /// RFC 3339 expiry time.
    pub expires_at: Option<String>,
}

impl PublishOptions {
    /// Options publishing `instance` with the defaults.
    pub fn new(instance: &str) -> PublishOptions {
        PublishOptions { instance: instance.to_string(), ..Default::default() }
    }

    fn request_json(&self) -> Result<std::ffi::CString> {
        let kind = if self.instance.contains('/') { "snapshot" } else { "instance" };
        let mut doc = json!({
            "source": {"type": kind, "name": self.instance},
            "properties": self.properties,
            "public": self.public,
        });
        if let Some(a) = &self.alias {
            doc["aliases"] = json!([{ "name": a }]);
        }
        if let Some(c) = &self.compression {
            doc["compression_algorithm"] = json!(c);
        }
        if let Some(e) = &self.expires_at {
            doc["expires_at"] = json!(e);
        }
        c_string("ImagesPost", &doc.to_string())
    }
}

impl Project<'_> {
    /// Publishes a stopped instance or a snapshot (`"c1/snap0"`) as a new image (unified tarball)
    /// and returns it.
    pub fn publish_image(&self, opts: &PublishOptions) -> Result<api::Image> {
        let request = opts.request_json()?;
        owned_json("Image", |out, err| unsafe {
            sys::li_image_publish(out, self.mgr(), self.name_ptr(), request.as_ptr(), err)
        })
    }

    /// [`Project::publish_image`] as a cancellable operation (progress
    /// `create_image_from_container_pack_progress`); its metadata has `fingerprint` on success.
    pub fn publish_image_async(&self, opts: &PublishOptions) -> Result<Operation> {
        let request = opts.request_json()?;
        Operation::from_call(|out, err| unsafe {
            sys::li_image_publish_async(out, self.mgr(), self.name_ptr(), request.as_ptr(), err)
        })
    }
}

impl Manager {
    /// [`Project::publish_image`] in the default project.
    pub fn publish_image(&self, opts: &PublishOptions) -> Result<api::Image> {
        self.default_project().publish_image(opts)
    }

    /// [`Project::publish_image_async`] in the default project.
    pub fn publish_image_async(&self, opts: &PublishOptions) -> Result<Operation> {
        self.default_project().publish_image_async(opts)
    }
}
