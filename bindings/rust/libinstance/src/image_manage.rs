//! The LXD image format beyond unified imports: split and verified imports, updates, export,
//! aliases, expiry of cached images, and the manager's settings.

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::path::{Path, PathBuf};

use libinstance_sys as sys;
use serde::Deserialize;
use serde_json::json;

use crate::api;
use crate::error::{check, Result};
use crate::manager::{Manager, Project};
use crate::operation::Operation;
use crate::strings::{c_path, c_string, c_string_opt, owned_json, owned_string, ptr_or_null};

/// Options of [`Project::import_image_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportImageOptions {
    /// Alias to give the image.
    pub alias: Option<String>,
    /// A split image's rootfs (tarball or squashfs); the path given is then its metadata tarball.
    pub rootfs_path: Option<PathBuf>,
    /// Refuse the image (InvalidArgument, key `expected_fingerprint`) unless it has this fingerprint.
    pub expected_fingerprint: Option<String>,
    /// Set over metadata.yaml's properties.
    pub properties: BTreeMap<String, String>,
    pub public: bool,
    pub auto_update: bool,
    /// Pulled implicitly: removed after `images.remote_cache_expiry` days unused.
    pub cached: bool,
    /// Decompression-bomb limits; 0 takes the manager's settings.
    pub max_unpack_ratio: u64,
    pub max_unpack_bytes: u64,
}

/// Where [`Project::export_image`] wrote an image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ImageExport {
    /// The unified tarball, or a split image's metadata tarball.
    pub metadata_path: PathBuf,
    /// A split image's rootfs file; empty for a unified image.
    #[serde(default)]
    pub rootfs_path: PathBuf,
}

/// LXD's `api.ImagesAliasesEntry`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ImageAliasEntry {
    pub name: String,
    pub description: String,
    /// The image's fingerprint.
    pub target: String,
    #[serde(rename = "type")]
    pub alias_type: String,
}

pub(crate) fn with_import_opts<T>(
    path: &Path,
    opts: &ImportImageOptions,
    call: impl FnOnce(*const c_char, &sys::li_image_import_opts) -> Result<T>,
) -> Result<T> {
    let path = c_path("path", path)?;
    let alias = c_string_opt("alias", opts.alias.as_deref())?;
    let rootfs = opts.rootfs_path.as_deref().map(|p| c_path("rootfs_path", p)).transpose()?;
    let expected = c_string_opt("expected_fingerprint", opts.expected_fingerprint.as_deref())?;
    let properties = if opts.properties.is_empty() {
        None
    } else {
        Some(c_string("properties", &serde_json::to_string(&opts.properties).unwrap_or_default())?)
    };
    let raw = sys::li_image_import_opts {
        version: sys::LI_IMAGE_IMPORT_OPTS_VERSION,
        alias: ptr_or_null(&alias),
        rootfs_path: ptr_or_null(&rootfs),
        expected_fingerprint: ptr_or_null(&expected),
        properties_json: ptr_or_null(&properties),
        public_: opts.public as i32,
        auto_update: opts.auto_update as i32,
        cached: opts.cached as i32,
        max_unpack_ratio: opts.max_unpack_ratio as _,
        max_unpack_bytes: opts.max_unpack_bytes as _,
    };
    call(path.as_ptr(), &raw)
}

impl Project<'_> {
    /// Imports a unified tarball or (with `rootfs_path`) a split image, with LXD's fingerprint;
    /// hostile or broken archives are InvalidArgument naming the entry, the store unchanged.
    pub fn import_image_with(&self, path: &Path, opts: &ImportImageOptions) -> Result<api::Image> {
        with_import_opts(path, opts, |path, raw| {
            owned_json("Image", |out, err| unsafe { sys::li_image_import(out, self.mgr(), self.name_ptr(), path, raw, err) })
        })
    }

    /// [`Project::import_image_with`] as a cancellable operation (metadata `fingerprint`).
    pub fn import_image_with_async(&self, path: &Path, opts: &ImportImageOptions) -> Result<Operation> {
        with_import_opts(path, opts, |path, raw| {
            Operation::from_call(|out, err| unsafe {
                sys::li_image_import_async(out, self.mgr(), self.name_ptr(), path, raw, err)
            })
        })
    }

    /// Replaces properties, public, auto_update and expires_at (LXD's PUT); "image-updated".
    pub fn update_image(
        &self,
        reference: &str,
        properties: &BTreeMap<String, String>,
        public: bool,
        auto_update: bool,
        expires_at: Option<&str>,
    ) -> Result<api::Image> {
        let reference = c_string("image", reference)?;
        let doc = json!({"properties": properties, "public": public, "auto_update": auto_update,
                         "expires_at": expires_at.unwrap_or("")});
        let doc = c_string("put", &doc.to_string())?;
        owned_json("Image", |out, err| unsafe {
            sys::li_image_update_json(out, self.mgr(), self.name_ptr(), reference.as_ptr(), doc.as_ptr(), err)
        })
    }

    /// Writes the image's stored files unchanged, named as `lxc image export` does (see the C
    /// header's li_image_export); `None` is the current directory.
    pub fn export_image(&self, reference: &str, target: Option<&Path>) -> Result<ImageExport> {
        let reference = c_string("image", reference)?;
        let target = target.map(|t| c_path("target", t)).transpose()?;
        owned_json("export", |out, err| unsafe {
            sys::li_image_export(out, self.mgr(), self.name_ptr(), reference.as_ptr(), ptr_or_null(&target), err)
        })
    }

    /// [`Project::export_image`] as a cancellable operation (metadata `metadata_path`, `rootfs_path`).
    pub fn export_image_async(&self, reference: &str, target: Option<&Path>) -> Result<Operation> {
        let reference = c_string("image", reference)?;
        let target = target.map(|t| c_path("target", t)).transpose()?;
        Operation::from_call(|out, err| unsafe {
            sys::li_image_export_async(out, self.mgr(), self.name_ptr(), reference.as_ptr(), ptr_or_null(&target), err)
        })
    }

    /// Renames an alias ("image-alias-renamed").
    pub fn rename_alias(&self, alias: &str, new_name: &str) -> Result<()> {
        let alias = c_string("alias", alias)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe {
            sys::li_image_alias_rename(self.mgr(), self.name_ptr(), alias.as_ptr(), new_name.as_ptr(), err)
        })
    }

    /// Points an alias at another image and sets its description.
    pub fn update_alias(&self, alias: &str, image: &str, description: &str) -> Result<()> {
        let alias = c_string("alias", alias)?;
        let image = c_string("image", image)?;
        let description = c_string("description", description)?;
        check(|err| unsafe {
            sys::li_image_alias_update(self.mgr(), self.name_ptr(), alias.as_ptr(), image.as_ptr(), description.as_ptr(), err)
        })
    }

    /// Every alias of the project, by name.
    pub fn aliases(&self) -> Result<Vec<ImageAliasEntry>> {
        owned_json("aliases", |out, err| unsafe { sys::li_image_alias_list_json(out, self.mgr(), self.name_ptr(), err) })
    }

    /// One alias; NotFound naming it.
    pub fn alias(&self, alias: &str) -> Result<ImageAliasEntry> {
        let alias = c_string("alias", alias)?;
        owned_json("alias", |out, err| unsafe {
            sys::li_image_alias_get_json(out, self.mgr(), self.name_ptr(), alias.as_ptr(), err)
        })
    }
}

impl Manager {
    /// Removes cached images unused for `images.remote_cache_expiry` days; their fingerprints.
    pub fn prune_images(&self) -> Result<Vec<String>> {
        owned_json("fingerprints", |out, err| unsafe { sys::li_images_prune(out, self.as_ptr(), err) })
    }

    /// The settings that are set (LXD's server config).
    pub fn config(&self) -> Result<BTreeMap<String, String>> {
        owned_json("config", |out, err| unsafe { sys::li_manager_config_json(out, self.as_ptr(), err) })
    }

    /// One setting, or its default when unset.
    pub fn get_config(&self, key: &str) -> Result<String> {
        let key = c_string("key", key)?;
        owned_string(|out, err| unsafe { sys::li_manager_config_get(out, self.as_ptr(), key.as_ptr(), err) })
    }

    /// Sets a setting; `None` unsets it.
    pub fn set_config(&self, key: &str, value: Option<&str>) -> Result<()> {
        let key = c_string("key", key)?;
        let value = c_string_opt("value", value)?;
        check(|err| unsafe { sys::li_manager_config_set(self.as_ptr(), key.as_ptr(), ptr_or_null(&value), err) })
    }
}
