//! Projects (LXD's `api.ProjectsPost`, `api.ProjectPut`, `api.Project` and `api.ProjectState`).
//!
//! [`Project`] here is the document; the handle for project-scoped calls is
//! [`crate::Project`], from [`crate::Manager::project`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{nullable, ConfigMap};

/// What creating a project takes. Features left out get LXD's defaults (`features.images`,
/// `features.profiles`, `features.storage.volumes` "true"; `features.networks` "false").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectsPost {
    pub name: String,
    pub description: String,
    /// `features.*`, `limits.*`, `restricted[.*]` and `user.*` keys.
    pub config: ConfigMap,
}

impl ProjectsPost {
    /// A project called `name` with the default features, no limits and no restrictions.
    pub fn new(name: impl Into<String>) -> Self {
        ProjectsPost { name: name.into(), ..Default::default() }
    }
}

/// A project's writable fields (PUT replaces them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectPut {
    pub description: String,
    pub config: ConfigMap,
}

/// A project, with its features filled into `config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    pub name: String,
    pub description: String,
    #[serde(deserialize_with = "nullable")]
    pub config: ConfigMap,
    /// API URLs of what lives in the project: instances, images, profiles, custom volumes and
    /// networks ("?project=NAME" appended outside the default project).
    #[serde(deserialize_with = "nullable")]
    pub used_by: Vec<String>,
}

impl Project {
    /// The writable fields, to change and send back with [`crate::Manager::update_project`].
    pub fn put(&self) -> ProjectPut {
        ProjectPut { description: self.description.clone(), config: self.config.clone() }
    }
}

/// One resource of a project: what is in use against its limit. LXD's Go type has no JSON tags,
/// hence the capitalised field names on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectStateResource {
    /// The limit; -1 when there is none.
    #[serde(rename = "Limit")]
    pub limit: i64,
    /// What the project uses now (bytes for memory and disk).
    #[serde(rename = "Usage")]
    pub usage: i64,
}

impl Default for ProjectStateResource {
    fn default() -> Self {
        ProjectStateResource { limit: -1, usage: 0 }
    }
}

/// What a project uses against its limits, by resource: "instances", "containers",
/// "virtual-machines", "cpu", "memory", "processes", "disk" and "networks".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectState {
    #[serde(deserialize_with = "nullable")]
    pub resources: BTreeMap<String, ProjectStateResource>,
}

#[cfg(test)]
mod tests {
    use super::*;

    // The resource fields are capitalised on the wire; a missing limit means none.
    #[test]
    fn project_state_reads_lxd_field_names() {
        let state: ProjectState =
            serde_json::from_str(r#"{"resources":{"instances":{"Limit":5,"Usage":2},"cpu":{"Usage":0}}}"#)
                .unwrap();
        assert_eq!(state.resources["instances"], ProjectStateResource { limit: 5, usage: 2 });
        assert_eq!(state.resources["cpu"].limit, -1);
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(json["resources"]["instances"], serde_json::json!({"Limit": 5, "Usage": 2}));
    }

    #[test]
    fn project_tolerates_null_lists() {
        let project: Project = serde_json::from_str(r#"{"name":"p1","config":null,"used_by":null}"#).unwrap();
        assert_eq!(project.name, "p1");
        assert!(project.config.is_empty() && project.used_by.is_empty());
    }
}
