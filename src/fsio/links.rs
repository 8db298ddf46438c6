//! Build line links kept across restarts: for a Dockerfile, the image its last build made and
//! which Dockerfile line made each layer, with a hash of the text that was built. Stored in
//! `$XDG_STATE_HOME/dockhand/links/` (0700) under a hash of the Dockerfile's canonical path.
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// What a build linked: the image, its layers' Dockerfile lines, and the text built.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildLinks {
    /// [`text_hash`] of the Dockerfile the lines refer to.
    pub text_hash: String,
    /// The built image's ID.
    pub image: String,
    /// (short layer ID, 1-based Dockerfile line) per step.
    pub layers: Vec<(String, usize)>,
}

/// SHA-256 of the text's lines joined by `\n` (line endings and a final newline do not count).
pub fn text_hash<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(line.as_bytes());
    }
    format!("{:x}", h.finalize())
}

/// `$XDG_STATE_HOME/dockhand/links` (absolute only), else `~/.local/state/dockhand/links`.
pub fn default_links_dir() -> Option<PathBuf> {
    super::default_recovery_dir().and_then(|d| d.parent().map(|p| p.join("links")))
}

/// The directory of build links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStore {
    dir: PathBuf,
}

impl LinkStore {
    /// The store in `dir` (created 0700 on the first write).
    pub fn at(dir: PathBuf) -> Self {
        LinkStore { dir }
    }

    fn file(&self, dockerfile: &Path) -> PathBuf {
        let canonical = std::fs::canonicalize(dockerfile).unwrap_or_else(|_| dockerfile.into());
        let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
        self.dir.join(format!("{digest:x}.json"))
    }

    /// Keeps `links` for `dockerfile`, replacing earlier ones (written whole, then renamed).
    pub fn write(&self, dockerfile: &Path, links: &BuildLinks) -> Result<(), String> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let file = self.file(dockerfile);
        let tmp = file.with_extension("json.tmp");
        let text = serde_json::to_string(links).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &file))
            .map_err(|e| format!("cannot write {}: {e}", file.display()))
    }

    /// The links kept for `dockerfile` when they were made from exactly `lines`.
    pub fn read<'a>(
        &self,
        dockerfile: &Path,
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Option<BuildLinks> {
        let text = std::fs::read_to_string(self.file(dockerfile)).ok()?;
        let links: BuildLinks = serde_json::from_str(&text).ok()?;
        (links.text_hash == text_hash(lines)).then_some(links)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_come_back_only_for_the_text_that_was_built() {
        let dir = tempfile::tempdir().unwrap();
        let store = LinkStore::at(dir.path().join("links"));
        let dockerfile = dir.path().join("Dockerfile");
        let text = "FROM scratch\nCOPY a /a\n";
        std::fs::write(&dockerfile, text).unwrap();
        let links = BuildLinks {
            text_hash: text_hash(text.lines()),
            image: "sha256:abc".into(),
            layers: vec![("1234".into(), 2)],
        };
        store.write(&dockerfile, &links).unwrap();
        assert_eq!(store.read(&dockerfile, text.lines()), Some(links.clone()));
        assert_eq!(
            store.read(&dockerfile, "FROM scratch\nCOPY b /b".lines()),
            None
        );
        assert_eq!(store.read(&dir.path().join("other"), text.lines()), None);
        store.write(&dockerfile, &links).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path().join("links")).unwrap().count(),
            1
        );
    }
}
