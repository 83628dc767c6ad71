//! Profiles of a project: create, list, get (with ETag), update, rename, delete.
//!
//! A change is checked against every instance using the profile (e.g. it must keep a root disk);
//! a refusal names the instance and changes nothing. Running instances get a change live.

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Project;
use crate::strings::{c_string, c_string_opt, owned_json, owned_json_with_etag, ptr_or_null};

impl Project<'_> {
    /// Creates a profile. InvalidArgument naming the bad field or key ("name", "config.<key>",
    /// "devices.<name>[.<key>]"); AlreadyExists.
    pub fn create_profile(&self, post: &api::ProfilesPost) -> Result<api::Profile> {
        let json = c_string("profiles_post_json", &serde_json::to_string(post).expect("serialising ProfilesPost"))?;
        owned_json("Profile", |out, err| unsafe {
            sys::li_profile_create_json(out, self.mgr(), self.name_ptr(), json.as_ptr(), err)
        })
    }

    /// The project's profiles, by name.
    pub fn profiles(&self) -> Result<Vec<api::Profile>> {
        owned_json("Profile list", |out, err| unsafe { sys::li_profile_list_json(out, self.mgr(), self.name_ptr(), err) })
    }

    /// One profile; NotFound when unknown.
    pub fn profile(&self, name: &str) -> Result<api::Profile> {
        Ok(self.profile_with_etag(name)?.0)
    }

    /// One profile with its ETag, for [`Project::update_profile`]'s `if_match`.
    pub fn profile_with_etag(&self, name: &str) -> Result<(api::Profile, String)> {
        let name = c_string("name", name)?;
        owned_json_with_etag("Profile", |json, etag, err| unsafe {
            sys::li_profile_get_json(json, etag, self.mgr(), self.name_ptr(), name.as_ptr(), err)
        })
    }

    /// Replaces description, config and devices. With `if_match`, Conflict when the profile
    /// changed since that ETag was read.
    pub fn update_profile(&self, name: &str, put: &api::ProfilePut, if_match: Option<&str>) -> Result<()> {
        let name = c_string("name", name)?;
        let json = c_string("profile_put_json", &serde_json::to_string(put).expect("serialising ProfilePut"))?;
        let tag = c_string_opt("if_match", if_match)?;
        check(|err| unsafe {
            sys::li_profile_update_json(self.mgr(), self.name_ptr(), name.as_ptr(), json.as_ptr(), ptr_or_null(&tag), err)
        })
    }

    /// Renames a profile (its instances follow); InvalidArgument for "default", AlreadyExists.
    pub fn rename_profile(&self, name: &str, new_name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe { sys::li_profile_rename(self.mgr(), self.name_ptr(), name.as_ptr(), new_name.as_ptr(), err) })
    }

    /// Deletes a profile; InvalidArgument for "default", Conflict (naming them) while instances use it.
    pub fn delete_profile(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_profile_delete(self.mgr(), self.name_ptr(), name.as_ptr(), err) })
    }
}
