//! Test helpers: where the fixtures are, and the golden comparison that
//! `cohort verify` and the analyses share.
#![deny(missing_docs)]

use std::path::PathBuf;

pub mod golden;

/// The workspace root (the folder with `fixtures/`).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|p| p.join("fixtures").is_dir())
        .map(PathBuf::from)
        .unwrap_or(here)
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    workspace_root().join("fixtures").join(rel)
}
