//! LXD's `api.Operation`: long work running in the background, as the library reports it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::nullable;

/// LXD's operation status codes, as [`Operation::status_code`] gives them.
pub mod operation_status {
    pub const RUNNING: i32 = 103;
    pub const CANCELLING: i32 = 104;
    pub const PENDING: i32 = 105;
    pub const SUCCESS: i32 = 200;
    pub const FAILURE: i32 = 400;
    pub const CANCELLED: i32 = 401;
}

/// LXD's `api.Operation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Operation {
    /// A UUID.
    pub id: String,
    /// "task" for everything the library runs.
    pub class: String,
    /// What it does, e.g. "Creating instance".
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    /// "Pending", "Running", "Cancelling", "Success", "Failure" or "Cancelled".
    pub status: String,
    /// See [`operation_status`].
    pub status_code: i32,
    /// The objects it works on, e.g. `{"instances": ["/1.0/instances/c1"]}`.
    #[serde(deserialize_with = "nullable")]
    pub resources: BTreeMap<String, Vec<String>>,
    /// Progress strings (`create_instance_from_image_unpack_progress` = "Unpack: 42%") and results
    /// (`fingerprint` of a built or imported image).
    #[serde(deserialize_with = "nullable")]
    pub metadata: BTreeMap<String, serde_json::Value>,
    pub may_cancel: bool,
    /// Why it failed; empty unless it did.
    pub err: String,
    pub location: String,
}

impl Default for Operation {
    fn default() -> Self {
        Operation {
            id: String::new(),
            class: "task".into(),
            description: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            status: "Pending".into(),
            status_code: operation_status::PENDING,
            resources: BTreeMap::new(),
            metadata: BTreeMap::new(),
            may_cancel: false,
            err: String::new(),
            location: "none".into(),
        }
    }
}

impl Operation {
    /// True once it has succeeded, failed or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.status_code >= operation_status::SUCCESS
    }

    /// A string entry of the metadata, e.g. a progress string or the `fingerprint` of an image.
    pub fn metadata_str(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(serde_json::Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lxd_document_parses() {
        let op: Operation = serde_json::from_str(
            r#"{"id":"6916c8a6-9b7d-4abd-90b3-aedf9b9c3e24","class":"task","description":"Creating instance",
                "created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:01Z","status":"Running",
                "status_code":103,"resources":{"instances":["/1.0/instances/c1"]},
                "metadata":{"create_instance_from_image_unpack_progress":"Unpack: 42%"},
                "may_cancel":true,"err":"","location":"none"}"#,
        )
        .unwrap();
        assert_eq!(op.status_code, operation_status::RUNNING);
        assert!(!op.is_finished());
        assert_eq!(op.resources["instances"], ["/1.0/instances/c1"]);
        assert_eq!(op.metadata_str("create_instance_from_image_unpack_progress"), Some("Unpack: 42%"));
        assert!(op.may_cancel);
    }

    // LXD writes null for empty maps.
    #[test]
    fn null_maps_parse_as_empty() {
        let op: Operation =
            serde_json::from_str(r#"{"id":"x","status_code":200,"resources":null,"metadata":null}"#).unwrap();
        assert!(op.resources.is_empty() && op.metadata.is_empty());
        assert!(op.is_finished());
        assert_eq!(op.class, "task");
    }
}
