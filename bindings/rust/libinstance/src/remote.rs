//! Remotes: image servers (simplestreams over HTTPS), copying images from them and refreshing images
//! copied before; daemons ("lxd" remotes: instanced or LXD) added with a trust token and connected to.

use std::ffi::CString;

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::{Manager, Project};
use crate::operation::Operation;
use crate::strings::{c_string, owned_json};

fn remote_json(remote: &api::Remote) -> Result<CString> {
    // Serialising plain strings cannot fail.
    c_string("remote", &serde_json::to_string(remote).expect("serialising Remote"))
}

fn images_post_json(post: &api::ImagesPost) -> Result<CString> {
    c_string("ImagesPost", &serde_json::to_string(post).expect("serialising ImagesPost"))
}

impl Manager {
    /// Adds a remote. InvalidArgument naming `name`, `url`, `protocol` or `certificate`;
    /// AlreadyExists when the name is taken.
    pub fn add_remote(&self, remote: &api::Remote) -> Result<()> {
        let json = remote_json(remote)?;
        check(|err| unsafe { sys::li_remote_add(self.as_ptr(), json.as_ptr(), err) })
    }

    /// Adds an "lxd" remote (instanced or LXD) with a trust token made on it (`lxc config trust
    /// add`), as `lxc remote add NAME TOKEN` does: the server must present the token's certificate
    /// fingerprint before the secret is sent; it then trusts this state directory's client
    /// certificate, and its own certificate is pinned in the remote. An empty `remote.url` means
    /// the token's first address; `protocol` and `public` are ignored. InvalidArgument naming
    /// `token` for a token that does not decode; PermissionDenied naming `token` for a fingerprint
    /// mismatch or a token the server refuses (used, cancelled, forged).
    pub fn add_remote_with_token(&self, remote: &api::Remote, token: &str) -> Result<()> {
        let json = remote_json(remote)?;
        let token = c_string("token", token)?;
        check(|err| unsafe {
            sys::li_remote_add_with_token(self.as_ptr(), json.as_ptr(), token.as_ptr(), err)
        })
    }

    /// A manager connected to the "lxd" remote `name`: its calls go to the daemon over the LXD
    /// REST API (instances, their config and snapshots, projects, operations, server config; the
    /// rest fails with NotSupported). InvalidArgument naming `name` for an image server;
    /// PermissionDenied when the daemon does not trust this client.
    pub fn connect_remote(&self, name: &str) -> Result<Manager> {
        let name = c_string("name", name)?;
        let mut raw: *mut sys::li_manager = std::ptr::null_mut();
        check(|err| unsafe { sys::li_remote_connect(&mut raw, self.as_ptr(), name.as_ptr(), err) })?;
        Ok(Manager::from_raw(raw))
    }

    /// All remotes.
    pub fn remotes(&self) -> Result<Vec<api::Remote>> {
        owned_json("Remote list", |out, err| unsafe { sys::li_remote_list_json(out, self.as_ptr(), err) })
    }

    /// One remote; NotFound when unknown.
    pub fn remote(&self, name: &str) -> Result<api::Remote> {
        let name = c_string("name", name)?;
        owned_json("Remote", |out, err| unsafe {
            sys::li_remote_get_json(out, self.as_ptr(), name.as_ptr(), err)
        })
    }

    /// Removes a remote (images copied from it stay).
    pub fn remove_remote(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_remote_remove(self.as_ptr(), name.as_ptr(), err) })
    }

    /// Renames a remote.
    pub fn rename_remote(&self, name: &str, new_name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe { sys::li_remote_rename(self.as_ptr(), name.as_ptr(), new_name.as_ptr(), err) })
    }

    /// The images a remote offers for this host's architecture (newest version of each product).
    pub fn remote_images(&self, remote: &str) -> Result<Vec<api::Image>> {
        let remote = c_string("remote", remote)?;
        owned_json("Image list", |out, err| unsafe {
            sys::li_remote_image_list_json(out, self.as_ptr(), remote.as_ptr(), err)
        })
    }

    /// Copies an image from an image server into the default project; see
    /// [`Project::copy_image_from_remote`].
    pub fn copy_image_from_remote(&self, post: &api::ImagesPost) -> Result<api::Image> {
        self.default_project().copy_image_from_remote(post)
    }

    /// [`Manager::copy_image_from_remote`] as a cancellable operation.
    pub fn copy_image_from_remote_async(&self, post: &api::ImagesPost) -> Result<Operation> {
        self.default_project().copy_image_from_remote_async(post)
    }

    /// Refreshes an image of the default project; see [`Project::refresh_image`].
    pub fn refresh_image(&self, reference: &str) -> Result<api::Image> {
        self.default_project().refresh_image(reference)
    }

    /// [`Manager::refresh_image`] as an operation (metadata `fingerprint`, `refreshed`).
    pub fn refresh_image_async(&self, reference: &str) -> Result<Operation> {
        self.default_project().refresh_image_async(reference)
    }
}

impl Project<'_> {
    /// Copies an image from an image server: every downloaded file is checked against the
    /// server's sha256 before anything is stored. An image already present only gets the aliases.
    pub fn copy_image_from_remote(&self, post: &api::ImagesPost) -> Result<api::Image> {
        let json = images_post_json(post)?;
        owned_json("Image", |out, err| unsafe {
            sys::li_image_copy_from_remote(out, self.mgr(), self.name_ptr(), json.as_ptr(), err)
        })
    }

    /// [`Project::copy_image_from_remote`] as a cancellable operation: progress in metadata
    /// `download_progress` ("rootfs: 45% (1.20MB/s)"), `fingerprint` on success.
    pub fn copy_image_from_remote_async(&self, post: &api::ImagesPost) -> Result<Operation> {
        let json = images_post_json(post)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_image_copy_from_remote_async(out, self.mgr(), self.name_ptr(), json.as_ptr(), err)
        })
    }

    /// Replaces an image copied from a server by the server's newer version of its alias, when
    /// there is one (aliases move over). Returns the current image.
    pub fn refresh_image(&self, reference: &str) -> Result<api::Image> {
        let reference = c_string("image", reference)?;
        owned_json("Image", |out, err| unsafe {
            sys::li_image_refresh(out, self.mgr(), self.name_ptr(), reference.as_ptr(), err)
        })
    }

    /// [`Project::refresh_image`] as an operation (metadata `fingerprint` and `refreshed`).
    pub fn refresh_image_async(&self, reference: &str) -> Result<Operation> {
        let reference = c_string("image", reference)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_image_refresh_async(out, self.mgr(), self.name_ptr(), reference.as_ptr(), err)
        })
    }
}
