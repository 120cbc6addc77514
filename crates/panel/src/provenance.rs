//! Provenance of everything the toolkit publishes: toolkit version, the
//! SHA-256 of the study file and of every data file, and the seed.

use std::io::Read;
use std::path::Path;

use crate::Study;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    /// The file, as named.
    pub path: String,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// Where a result comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The toolkit's version.
    pub toolkit_version: String,
    /// The study file.
    pub study: FileHash,
    /// Every data file.
    pub data: Vec<FileHash>,
    /// Seed of random streams (bootstrap), when used.
    pub seed: Option<u64>,
}

impl FileHash {
    /// A file named `path` and its SHA-256 (lowercase hex), streamed.
    pub fn of(path: &Path) -> std::io::Result<FileHash> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(FileHash {
            path: path.display().to_string(),
            sha256: hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
    }
}

/// The provenance of results computed from `study`.
pub fn provenance(study: &Study, seed: Option<u64>) -> std::io::Result<Provenance> {
    Ok(Provenance {
        toolkit_version: env!("CARGO_PKG_VERSION").to_string(),
        study: FileHash::of(&study.path)?,
        data: study
            .data
            .files
            .iter()
            .map(|p| FileHash::of(p))
            .collect::<Result<_, _>>()?,
        seed,
    })
}
