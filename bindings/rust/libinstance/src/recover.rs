//! Disaster recovery (`lxd recover`): the storage pools are scanned for instances and custom
//! volumes the database lacks, which are then imported from the backup.yaml each keeps.

use libinstance_sys as sys;
use serde::{Deserialize, Serialize};

use crate::api;
use crate::error::Result;
use crate::manager::Manager;
use crate::strings::{c_string, owned_json};

/// A volume found on a pool that the database does not know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RecoverVolume {
    pub pool: String,
    pub project: String,
    /// "container", "virtual-machine" or "custom".
    #[serde(rename = "type")]
    pub volume_type: String,
    pub name: String,
    pub snapshot_count: i64,
}

/// What a scan found (or an import brought back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RecoverResult {
    /// Pools found on disk that the database did not know.
    pub unknown_pools: Vec<String>,
    pub unknown_volumes: Vec<RecoverVolume>,
    /// Why some volumes cannot be imported yet (a missing profile, pool or volume).
    pub dependency_errors: Vec<String>,
}

#[derive(Serialize)]
struct RecoverOptions<'a> {
    pools: &'a [api::StoragePoolsPost],
}

impl Manager {
    /// Scans the pools the database knows, those found under the state directory and `pools`
    /// for instances and custom volumes it lacks. Changes nothing. InvalidArgument naming a bad
    /// field of `pools` (e.g. "pools[0].driver").
    pub fn recover_validate(&self, pools: &[api::StoragePoolsPost]) -> Result<RecoverResult> {
        let options = c_string(
            "options_json",
            &serde_json::to_string(&RecoverOptions { pools }).expect("serialising options"),
        )?;
        owned_json("recover result", |out, err| unsafe {
            sys::li_manager_recover_validate(out, self.as_ptr(), options.as_ptr(), err)
        })
    }

    /// Scans as [`Manager::recover_validate`] does, then recreates the records of the unknown
    /// pools, instances (with their snapshots) and custom volumes (with theirs). InvalidArgument
    /// (key "dependencies") while dependency errors remain; returns what it imported.
    pub fn recover_import(&self, pools: &[api::StoragePoolsPost]) -> Result<RecoverResult> {
        let options = c_string(
            "options_json",
            &serde_json::to_string(&RecoverOptions { pools }).expect("serialising options"),
        )?;
        owned_json("recover result", |out, err| unsafe {
            sys::li_manager_recover_import(out, self.as_ptr(), options.as_ptr(), err)
        })
    }
}
