//! The open state directory, and the images and instances of its projects.

use std::ffi::{c_char, CString};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::instance::Instance;
use crate::operation::Operation;
use crate::strings::{borrowed_str, c_path, c_string, c_string_opt, owned_json, ptr_or_null};

/// One open state directory, holding its exclusive lock. Thread-safe; share it with `Arc`.
///
/// The methods here act on the `default` project; [`Manager::project`] scopes them to another.
/// The directory stays open until the manager and every [`Instance`] from it are dropped.
#[derive(Debug)]
pub struct Manager {
    raw: NonNull<sys::li_manager>,
}

// The C ABI documents every handle as safe to use from several threads at once.
unsafe impl Send for Manager {}
unsafe impl Sync for Manager {}

impl Drop for Manager {
    fn drop(&mut self) {
        // We own the handle and free it exactly once.
        unsafe { sys::li_manager_free(self.raw.as_ptr()) };
    }
}

/// Options of [`Project::build_image_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildImageOptions {
    /// Alias to give the image.
    pub alias: Option<String>,
    /// Also write the LXD unified tarball here.
    pub output_path: Option<PathBuf>,
    /// debian builder: the release (default `bookworm`).
    pub release: Option<String>,
    /// debian builder: the debootstrap variant (`minbase` by default, `buildd`, `default`).
    pub variant: Option<String>,
    /// debian builder: the mirror (default the host's Debian mirror, else deb.debian.org).
    pub mirror: Option<String>,
    /// debian builder: extra packages.
    pub packages: Vec<String>,
    /// debian builder: the init package (default `systemd-sysv`).
    pub init: Option<String>,
    /// debian builder: the build cache (default `$LIBINSTANCE_CACHE_DIR`, else `<state>/cache`).
    pub cache_dir: Option<PathBuf>,
}

impl Manager {
    /// Opens (creating on first use) a state directory and takes its exclusive lock.
    ///
    /// `None` means `$LIBINSTANCE_DIR`, else `/var/lib/libinstance`. Busy when another manager
    /// (in this process or another) holds the directory.
    pub fn open(state_dir: Option<&Path>) -> Result<Manager> {
        let dir = state_dir.map(|d| c_path("state_dir", d)).transpose()?;
        let mut raw: *mut sys::li_manager = ptr::null_mut();
        check(|err| unsafe { sys::li_manager_open(&mut raw, ptr_or_null(&dir), err) })?;
        Ok(Manager { raw: NonNull::new(raw).expect("libinstance returned a NULL manager on success") })
    }

    /// Takes ownership of a manager handle the C library returned on success (never NULL).
    pub(crate) fn from_raw(raw: *mut sys::li_manager) -> Manager {
        Manager { raw: NonNull::new(raw).expect("libinstance returned a NULL manager on success") }
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::li_manager {
        self.raw.as_ptr()
    }

    /// The absolute state directory.
    pub fn state_dir(&self) -> PathBuf {
        // Borrowed from the handle, copied before &self ends.
        PathBuf::from(unsafe { borrowed_str(sys::li_manager_state_dir(self.raw.as_ptr())) })
    }

    /// The images and instances of project `name` (`""` is the default project).
    pub fn project(&self, name: &str) -> Result<Project<'_>> {
        Ok(Project { manager: self, name: Some(c_string("project", name)?) })
    }

    /// The default project.
    pub fn default_project(&self) -> Project<'_> {
        Project { manager: self, name: None }
    }

    /// Builds an image with the named builder (`"busybox"`, `"debian"`, or `"debian-vm"`: a
    /// virtual-machine image), optionally aliased.
    pub fn build_image(&self, builder: &str, alias: Option<&str>) -> Result<api::Image> {
        self.default_project().build_image(builder, alias)
    }

    /// Builds an image with more options.
    pub fn build_image_with(&self, builder: &str, opts: &BuildImageOptions) -> Result<api::Image> {
        self.default_project().build_image_with(builder, opts)
    }

    /// [`Manager::build_image`] as an operation; its metadata has `fingerprint` on success.
    pub fn build_image_async(&self, builder: &str, alias: Option<&str>) -> Result<Operation> {
        self.default_project().build_image_async(builder, alias)
    }

    /// [`Manager::build_image_with`] as an operation.
    pub fn build_image_with_async(&self, builder: &str, opts: &BuildImageOptions) -> Result<Operation> {
        self.default_project().build_image_with_async(builder, opts)
    }

    /// Imports an LXD unified image tarball; AlreadyExists if it is present.
    pub fn import_image(&self, path: &Path, alias: Option<&str>) -> Result<api::Image> {
        self.default_project().import_image(path, alias)
    }

    /// [`Manager::import_image`] as a cancellable operation; its metadata has `fingerprint` on success.
    pub fn import_image_async(&self, path: &Path, alias: Option<&str>) -> Result<Operation> {
        self.default_project().import_image_async(path, alias)
    }

    /// All images.
    pub fn images(&self) -> Result<Vec<api::Image>> {
        self.default_project().images()
    }

    /// One image by alias, fingerprint or unique fingerprint prefix.
    pub fn image(&self, reference: &str) -> Result<api::Image> {
        self.default_project().image(reference)
    }

    /// Deletes an image and its aliases.
    pub fn delete_image(&self, reference: &str) -> Result<()> {
        self.default_project().delete_image(reference)
    }

    /// Points a new alias at an image.
    pub fn create_alias(&self, alias: &str, image: &str, description: Option<&str>) -> Result<()> {
        self.default_project().create_alias(alias, image, description)
    }

    /// Removes an alias (the image stays).
    pub fn delete_alias(&self, alias: &str) -> Result<()> {
        self.default_project().delete_alias(alias)
    }

    /// Creates an instance; nothing is left behind when it fails.
    pub fn create_instance(&self, post: &api::InstancesPost) -> Result<Instance> {
        self.default_project().create_instance(post)
    }

    /// [`Manager::create_instance`] as an operation, cancellable while the image is unpacked.
    /// Errors in `post` itself are reported at once, by this call.
    pub fn create_instance_async(&self, post: &api::InstancesPost) -> Result<Operation> {
        self.default_project().create_instance_async(post)
    }

    /// An existing instance; NotFound if there is none.
    pub fn instance(&self, name: &str) -> Result<Instance> {
        self.default_project().instance(name)
    }

    /// All instances, with their live state when `with_state`.
    pub fn instances(&self, with_state: bool) -> Result<Vec<api::Instance>> {
        self.default_project().instances(with_state)
    }
}

/// The images and instances of one project of a [`Manager`].
#[derive(Debug, Clone)]
pub struct Project<'m> {
    manager: &'m Manager,
    /// None: the default project (NULL in the C ABI).
    name: Option<CString>,
}

impl Project<'_> {
    /// The project's name; "" for the default project.
    pub fn name(&self) -> &str {
        self.name.as_deref().and_then(|n| n.to_str().ok()).unwrap_or("")
    }

    pub(crate) fn mgr(&self) -> *mut sys::li_manager {
        self.manager.as_ptr()
    }

    pub(crate) fn name_ptr(&self) -> *const std::ffi::c_char {
        ptr_or_null(&self.name)
    }

    /// Builds an image with the named builder (`"busybox"`, `"debian"`, or `"debian-vm"`: a
    /// virtual-machine image), optionally aliased.
    pub fn build_image(&self, builder: &str, alias: Option<&str>) -> Result<api::Image> {
        self.build_image_with(
            builder,
            &BuildImageOptions { alias: alias.map(String::from), ..Default::default() },
        )
    }

    /// Builds an image, optionally aliased and also written out as a unified tarball.
    pub fn build_image_with(&self, builder: &str, opts: &BuildImageOptions) -> Result<api::Image> {
        with_build_opts(builder, opts, |builder, raw| {
            owned_json("Image", |out, err| unsafe {
                sys::li_image_build(out, self.mgr(), self.name_ptr(), builder, raw, err)
            })
        })
    }

    /// [`Project::build_image`] as an operation; its metadata has `fingerprint` on success.
    pub fn build_image_async(&self, builder: &str, alias: Option<&str>) -> Result<Operation> {
        self.build_image_with_async(
            builder,
            &BuildImageOptions { alias: alias.map(String::from), ..Default::default() },
        )
    }

    /// [`Project::build_image_with`] as a cancellable operation.
    pub fn build_image_with_async(&self, builder: &str, opts: &BuildImageOptions) -> Result<Operation> {
        with_build_opts(builder, opts, |builder, raw| {
            Operation::from_call(|out, err| unsafe {
                sys::li_image_build_async(out, self.mgr(), self.name_ptr(), builder, raw, err)
            })
        })
    }

    /// Imports an LXD unified image tarball; AlreadyExists if it is present.
    pub fn import_image(&self, path: &Path, alias: Option<&str>) -> Result<api::Image> {
        with_import_opts(path, alias, |path, raw| {
            owned_json("Image", |out, err| unsafe {
                sys::li_image_import(out, self.mgr(), self.name_ptr(), path, raw, err)
            })
        })
    }

    /// [`Project::import_image`] as a cancellable operation; its metadata has `fingerprint` on
    /// success.
    pub fn import_image_async(&self, path: &Path, alias: Option<&str>) -> Result<Operation> {
        with_import_opts(path, alias, |path, raw| {
            Operation::from_call(|out, err| unsafe {
                sys::li_image_import_async(out, self.mgr(), self.name_ptr(), path, raw, err)
            })
        })
    }

    /// All images.
    pub fn images(&self) -> Result<Vec<api::Image>> {
        owned_json("Image list", |out, err| unsafe {
            sys::li_image_list_json(out, self.mgr(), self.name_ptr(), err)
        })
    }

    /// One image by alias, fingerprint or unique fingerprint prefix.
    pub fn image(&self, reference: &str) -> Result<api::Image> {
        let reference = c_string("image", reference)?;
        owned_json("Image", |out, err| unsafe {
            sys::li_image_get_json(out, self.mgr(), self.name_ptr(), reference.as_ptr(), err)
        })
    }

    /// Deletes an image and its aliases.
    pub fn delete_image(&self, reference: &str) -> Result<()> {
        let reference = c_string("image", reference)?;
        check(|err| unsafe { sys::li_image_delete(self.mgr(), self.name_ptr(), reference.as_ptr(), err) })
    }

    /// Points a new alias at an image (by alias or fingerprint prefix).
    pub fn create_alias(&self, alias: &str, image: &str, description: Option<&str>) -> Result<()> {
        let alias = c_string("alias", alias)?;
        let image = c_string("image", image)?;
        let description = c_string_opt("description", description)?;
        check(|err| unsafe {
            sys::li_image_alias_create(
                self.mgr(),
                self.name_ptr(),
                alias.as_ptr(),
                image.as_ptr(),
                ptr_or_null(&description),
                err,
            )
        })
    }

    /// Removes an alias (the image stays).
    pub fn delete_alias(&self, alias: &str) -> Result<()> {
        let alias = c_string("alias", alias)?;
        check(|err| unsafe { sys::li_image_alias_delete(self.mgr(), self.name_ptr(), alias.as_ptr(), err) })
    }

    /// Creates an instance (and starts it when `post.start`); nothing is left behind when it fails.
    pub fn create_instance(&self, post: &api::InstancesPost) -> Result<Instance> {
        let json = instances_post_json(post)?;
        let mut raw: *mut sys::li_instance = ptr::null_mut();
        check(|err| unsafe {
            sys::li_instance_create_json(&mut raw, self.mgr(), self.name_ptr(), json.as_ptr(), err)
        })?;
        Ok(Instance::from_raw(raw))
    }

    /// [`Project::create_instance`] as an operation, cancellable while the image is unpacked
    /// (then nothing is left behind). Errors in `post` itself are reported at once, by this call.
    pub fn create_instance_async(&self, post: &api::InstancesPost) -> Result<Operation> {
        let json = instances_post_json(post)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_create_json_async(out, self.mgr(), self.name_ptr(), json.as_ptr(), err)
        })
    }

    /// An existing instance; NotFound if there is none.
    pub fn instance(&self, name: &str) -> Result<Instance> {
        let name = c_string("name", name)?;
        let mut raw: *mut sys::li_instance = ptr::null_mut();
        check(|err| unsafe {
            sys::li_instance_get(&mut raw, self.mgr(), self.name_ptr(), name.as_ptr(), err)
        })?;
        Ok(Instance::from_raw(raw))
    }

    /// All instances, with their live state when `with_state`.
    pub fn instances(&self, with_state: bool) -> Result<Vec<api::Instance>> {
        let flags = if with_state { sys::LI_LIST_WITH_STATE } else { sys::LI_LIST_DEFAULT };
        owned_json("Instance list", |out, err| unsafe {
            sys::li_instance_list_json(out, self.mgr(), self.name_ptr(), flags, err)
        })
    }
}

fn instances_post_json(post: &api::InstancesPost) -> Result<CString> {
    // Serialising plain strings and maps cannot fail.
    let json = serde_json::to_string(post).expect("serialising InstancesPost");
    c_string("InstancesPost", &json)
}

/// Runs `call` with the C builder name and build options; their strings live across the call.
fn with_build_opts<T>(
    builder: &str,
    opts: &BuildImageOptions,
    call: impl FnOnce(*const c_char, &sys::li_image_build_opts) -> Result<T>,
) -> Result<T> {
    let builder = c_string("builder", builder)?;
    let alias = c_string_opt("alias", opts.alias.as_deref())?;
    let output = opts.output_path.as_deref().map(|p| c_path("output_path", p)).transpose()?;
    let release = c_string_opt("release", opts.release.as_deref())?;
    let variant = c_string_opt("variant", opts.variant.as_deref())?;
    let mirror = c_string_opt("mirror", opts.mirror.as_deref())?;
    let init = c_string_opt("init", opts.init.as_deref())?;
    let cache_dir = opts.cache_dir.as_deref().map(|p| c_path("cache_dir", p)).transpose()?;
    let packages = opts.packages.iter().map(|p| c_string("packages", p)).collect::<Result<Vec<_>>>()?;
    // A NULL-terminated array of the package names, alive across the call.
    let mut package_ptrs: Vec<*const c_char> = packages.iter().map(|p| p.as_ptr()).collect();
    package_ptrs.push(ptr::null());
    let raw = sys::li_image_build_opts {
        version: sys::LI_IMAGE_BUILD_OPTS_VERSION,
        alias: ptr_or_null(&alias),
        output_path: ptr_or_null(&output),
        release: ptr_or_null(&release),
        variant: ptr_or_null(&variant),
        mirror: ptr_or_null(&mirror),
        packages: if packages.is_empty() { ptr::null() } else { package_ptrs.as_ptr() },
        init: ptr_or_null(&init),
        cache_dir: ptr_or_null(&cache_dir),
    };
    call(builder.as_ptr(), &raw)
}

/// Runs `call` with the C path and import options; their strings live across the call.
fn with_import_opts<T>(
    path: &Path,
    alias: Option<&str>,
    call: impl FnOnce(*const c_char, &sys::li_image_import_opts) -> Result<T>,
) -> Result<T> {
    let opts =
        crate::image_manage::ImportImageOptions { alias: alias.map(String::from), ..Default::default() };
    crate::image_manage::with_import_opts(path, &opts, call)
}
