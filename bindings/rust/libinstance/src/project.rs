//! Projects of a state directory: create, list, get (with ETag), update, rename, delete and state.
//!
//! These manage the projects themselves, so they live on [`Manager`]; the images, instances,
//! profiles and networks inside one are reached through the [`crate::Project`] handle of
//! [`Manager::project`]. Everywhere else an unknown project is NotFound with key "project"; a
//! limit exceeded is InvalidArgument whose key is the limit ("limits.instances"); a restriction
//! broken is PermissionDenied whose key names the field ("config.security.privileged").

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Manager;
use crate::strings::{c_string, c_string_opt, owned_json, owned_json_with_etag, ptr_or_null};

impl Manager {
    /// Creates a project (with its own empty `default` profile when `features.profiles` is
    /// true). InvalidArgument naming the field ("name", "config.<key>"); AlreadyExists (key
    /// "name").
    pub fn create_project(&self, post: &api::ProjectsPost) -> Result<api::Project> {
        let json =
            c_string("projects_post_json", &serde_json::to_string(post).expect("serialising ProjectsPost"))?;
        owned_json("Project", |out, err| unsafe {
            sys::li_project_create_json(out, self.as_ptr(), json.as_ptr(), err)
        })
    }

    /// Every project, `default` included, by name.
    pub fn projects(&self) -> Result<Vec<api::Project>> {
        owned_json("Project list", |out, err| unsafe { sys::li_project_list_json(out, self.as_ptr(), err) })
    }

    /// One project's document; NotFound (key "name") when unknown. (The handle for calls inside
    /// a project is [`Manager::project`].)
    pub fn project_info(&self, name: &str) -> Result<api::Project> {
        Ok(self.project_info_with_etag(name)?.0)
    }

    /// One project's document with its ETag, for [`Manager::update_project`]'s `if_match`.
    pub fn project_info_with_etag(&self, name: &str) -> Result<(api::Project, String)> {
        let name = c_string("name", name)?;
        owned_json_with_etag("Project", |json, etag, err| unsafe {
            sys::li_project_get_json(json, etag, self.as_ptr(), name.as_ptr(), err)
        })
    }

    /// Replaces description and config; nothing changes when refused. With `if_match`, Conflict
    /// (key "etag") when the project changed since that ETag was read. InvalidArgument
    /// ("config.<key>") for a bad key or value, a feature change on `default` or a limit below
    /// the current use; Conflict ("config.features.<f>") for a feature change on a project that
    /// is not empty; PermissionDenied when what the project holds breaks a new restriction.
    pub fn update_project(&self, name: &str, put: &api::ProjectPut, if_match: Option<&str>) -> Result<()> {
        let name = c_string("name", name)?;
        let json =
            c_string("project_put_json", &serde_json::to_string(put).expect("serialising ProjectPut"))?;
        let tag = c_string_opt("if_match", if_match)?;
        check(|err| unsafe {
            sys::li_project_update_json(self.as_ptr(), name.as_ptr(), json.as_ptr(), ptr_or_null(&tag), err)
        })
    }

    /// Renames an empty project. InvalidArgument for `default` (key "name") or a bad new name
    /// (key "new_name"); AlreadyExists (key "new_name"); Conflict (key "name") when not empty.
    pub fn rename_project(&self, name: &str, new_name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe { sys::li_project_rename(self.as_ptr(), name.as_ptr(), new_name.as_ptr(), err) })
    }

    /// Deletes an empty project (its own `default` profile goes with it). InvalidArgument (key
    /// "name") for `default`; Conflict (key "name") when not empty, the message naming what
    /// remains.
    pub fn delete_project(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_project_delete(self.as_ptr(), name.as_ptr(), err) })
    }

    /// What the project uses against each of its limits (LXD's `/1.0/projects/NAME/state`).
    pub fn project_state(&self, name: &str) -> Result<api::ProjectState> {
        let name = c_string("name", name)?;
        owned_json("ProjectState", |out, err| unsafe {
            sys::li_project_state_json(out, self.as_ptr(), name.as_ptr(), err)
        })
    }
}
