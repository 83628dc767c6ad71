//! Image servers (remotes) and copying images from them (LXD's `api.ImagesPost`).

use serde::{Deserialize, Serialize};

use super::ImageAlias;

/// An image server known to the state directory (lxc's remotes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Remote {
    pub name: String,
    /// `https://host[:port][/path]`.
    pub url: String,
    /// "simplestreams", the only protocol spoken so far.
    pub protocol: String,
    pub public: bool,
    /// PEM certificate to trust for this server instead of the system CAs; empty: the system CAs.
    pub certificate: String,
}

impl Default for Remote {
    fn default() -> Self {
        Remote {
            name: String::new(),
            url: String::new(),
            protocol: "simplestreams".into(),
            public: true,
            certificate: String::new(),
        }
    }
}

impl Remote {
    /// A simplestreams remote verified against the system CAs.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        Remote { name: name.into(), url: url.into(), ..Default::default() }
    }
}

/// Where an image comes from: LXD's `api.ImagesPostSource` (type "image", mode "pull").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageSource {
    /// A server URL, or the name of a remote.
    pub server: String,
    pub protocol: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alias: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// PEM to trust; empty: the remote's, else the system CAs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub certificate: String,
}

impl Default for ImageSource {
    fn default() -> Self {
        ImageSource {
            server: String::new(),
            protocol: "simplestreams".into(),
            alias: String::new(),
            fingerprint: String::new(),
            certificate: String::new(),
        }
    }
}

/// LXD's `api.ImagesPost` for a copy from an image server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImagesPost {
    pub source: ImageSource,
    /// Local aliases to create.
    pub aliases: Vec<ImageAlias>,
    pub public: bool,
    /// Follow the source: [`crate::Project::refresh_image`] replaces it by newer versions.
    pub auto_update: bool,
    /// Take the server's own aliases (lxc's `--copy-aliases`; not in LXD's body).
    pub copy_aliases: bool,
}

impl ImagesPost {
    /// The image `alias` (or fingerprint) of `server` (a URL or a remote's name).
    pub fn from_server(server: impl Into<String>, alias: impl Into<String>) -> Self {
        ImagesPost {
            source: ImageSource { server: server.into(), alias: alias.into(), ..Default::default() },
            ..Default::default()
        }
    }
}
