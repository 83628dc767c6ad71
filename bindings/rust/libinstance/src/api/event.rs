//! LXD's `api.Event` and the typed views of its three kinds of metadata.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Operation;

/// LXD's `api.Event`: what a subscription delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    /// "lifecycle", "operation" or "logging" (see [`crate::EventType`]).
    #[serde(rename = "type")]
    pub event_type: String,
    /// RFC 3339.
    pub timestamp: String,
    pub project: String,
    pub location: String,
    /// Depends on the type: see [`Event::lifecycle`], [`Event::operation`], [`Event::logging`].
    pub metadata: serde_json::Value,
}

impl Default for Event {
    fn default() -> Self {
        Event {
            event_type: String::new(),
            timestamp: String::new(),
            project: "default".into(),
            location: "none".into(),
            metadata: serde_json::Value::Null,
        }
    }
}

impl Event {
    fn metadata_as<T: DeserializeOwned>(&self, event_type: &str) -> Option<T> {
        if self.event_type != event_type {
            return None;
        }
        serde_json::from_value(self.metadata.clone()).ok()
    }

    /// The metadata of a lifecycle event; None for the other types.
    pub fn lifecycle(&self) -> Option<LifecycleEvent> {
        self.metadata_as("lifecycle")
    }

    /// The operation an operation event reports (one per status change and progress update).
    pub fn operation(&self) -> Option<Operation> {
        self.metadata_as("operation")
    }

    /// The record of a logging event.
    pub fn logging(&self) -> Option<LoggingEvent> {
        self.metadata_as("logging")
    }
}

/// LXD's `api.EventLifecycle`: an object was created, started, deleted...
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LifecycleEvent {
    /// e.g. "instance-created", "instance-started", "image-deleted", "image-alias-created".
    pub action: String,
    /// The object's API path, e.g. "/1.0/instances/c1" (with "?project=p" outside `default`).
    pub source: String,
    pub context: serde_json::Value,
    /// Who asked; null in-process.
    pub requestor: serde_json::Value,
}

/// LXD's `api.EventLogging`: one log record of the library.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggingEvent {
    pub message: String,
    /// "debug", "info", "warn" or "error".
    pub level: String,
    /// e.g. {"instance": "c1", "project": "default"}.
    pub context: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_views_match_the_type() {
        let event: Event = serde_json::from_str(
            r#"{"type":"lifecycle","timestamp":"2024-01-01T00:00:00Z","project":"default","location":"none",
                "metadata":{"action":"instance-created","source":"/1.0/instances/c1","context":{},"requestor":null}}"#,
        )
        .unwrap();
        let lifecycle = event.lifecycle().expect("a lifecycle event");
        assert_eq!(lifecycle.action, "instance-created");
        assert_eq!(lifecycle.source, "/1.0/instances/c1");
        assert!(event.operation().is_none());
        assert!(event.logging().is_none());
    }

    #[test]
    fn operation_event_carries_the_operation() {
        let event: Event = serde_json::from_str(
            r#"{"type":"operation","metadata":{"id":"abc","status":"Success","status_code":200}}"#,
        )
        .unwrap();
        let op = event.operation().unwrap();
        assert_eq!((op.id.as_str(), op.status_code), ("abc", 200));
        assert_eq!(event.project, "default");
    }
}
