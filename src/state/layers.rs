//! The layers pane's state: the selected image's history and config.
use crate::engine::{HistoryEntry, ImageDetails};

/// What the layers pane shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayersState {
    /// The image whose layers are shown or loading.
    pub image_id: Option<String>,
    /// Its details, once loaded.
    pub details: Option<ImageDetails>,
    /// Loading failed.
    pub error: Option<String>,
    /// Cursor over history entries.
    pub cursor: usize,
    /// First visible row.
    pub offset: usize,
}

/// Cleans a history `created_by` for display: drops the classic builder's `/bin/sh -c #(nop)`
/// prefix, turns `/bin/sh -c cmd` into `RUN cmd` and BuildKit's `# buildkit` suffix away.
pub fn clean_instruction(created_by: &str) -> String {
    let s = created_by.trim();
    let s = s.strip_suffix("# buildkit").unwrap_or(s).trim_end();
    let out = if let Some(rest) = s.strip_prefix("/bin/sh -c #(nop)") {
        rest.trim().to_string()
    } else if let Some(rest) = s.strip_prefix("/bin/sh -c ") {
        format!("RUN {}", rest.trim())
    } else if let Some(rest) = s.strip_prefix("|") {
        // BuildKit records build args as `|N A=b B=c /bin/sh -c cmd`.
        let cmd = rest.split_once("/bin/sh -c ").map_or(rest, |(_, c)| c);
        format!("RUN {}", cmd.trim())
    } else {
        s.to_string()
    };
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl LayersState {
    /// Starts showing `image_id` (details arrive later).
    pub fn load(&mut self, image_id: &str) {
        *self = LayersState {
            image_id: Some(image_id.to_string()),
            ..LayersState::default()
        };
    }

    /// History entries, oldest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        self.details.as_ref().map_or(&[], |d| d.history.as_slice())
    }

    /// The largest layer, for bars.
    pub fn max_size(&self) -> u64 {
        self.entries().iter().map(|h| h.size).max().unwrap_or(0)
    }

    /// Moves the cursor.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.entries().len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// Lines for the image config view.
    pub fn config_lines(&self) -> Vec<String> {
        let Some(d) = &self.details else {
            return vec!["(details are still loading)".into()];
        };
        let list = |v: &[String]| {
            if v.is_empty() {
                "—".to_string()
            } else {
                serde_json::to_string(v).unwrap_or_default()
            }
        };
        let mut out = vec![
            format!("ID:           {}", d.id),
            format!(
                "Tags:         {}",
                if d.repo_tags.is_empty() {
                    "—".into()
                } else {
                    d.repo_tags.join(", ")
                }
            ),
            format!(
                "Digests:      {}",
                if d.repo_digests.is_empty() {
                    "—".into()
                } else {
                    d.repo_digests.join(", ")
                }
            ),
            format!("Created:      {}", d.created),
            format!("Platform:     {}", d.platform),
            format!("Size:         {}", crate::util::text::bytes(d.size)),
            format!("Entrypoint:   {}", list(&d.entrypoint)),
            format!("Cmd:          {}", list(&d.cmd)),
            format!(
                "WorkingDir:   {}",
                if d.working_dir.is_empty() {
                    "—"
                } else {
                    &d.working_dir
                }
            ),
            format!(
                "User:         {}",
                if d.user.is_empty() {
                    "— (root)"
                } else {
                    &d.user
                }
            ),
            format!(
                "ExposedPorts: {}",
                if d.exposed_ports.is_empty() {
                    "—".into()
                } else {
                    d.exposed_ports.join(", ")
                }
            ),
            "Env:".to_string(),
        ];
        out.extend(d.env.iter().map(|e| format!("  {e}")));
        out.push("Labels:".into());
        out.extend(d.labels.iter().map(|(k, v)| format!("  {k}={v}")));
        out.push(format!("RootFS layers ({}):", d.layers.len()));
        out.extend(d.layers.iter().map(|l| format!("  {l}")));
        out.iter()
            .map(|l| crate::util::sanitize::sanitize(l))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::clean_instruction;

    #[test]
    fn cleans_builder_prefixes() {
        assert_eq!(
            clean_instruction("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]"),
            "CMD [\"/bin/sh\"]"
        );
        assert_eq!(
            clean_instruction("/bin/sh -c #(nop) COPY file:0b1c in /bin/busybox "),
            "COPY file:0b1c in /bin/busybox"
        );
        assert_eq!(
            clean_instruction("/bin/sh -c echo hi >  /x"),
            "RUN echo hi > /x"
        );
        assert_eq!(
            clean_instruction("RUN /bin/sh -c apk add x # buildkit"),
            "RUN /bin/sh -c apk add x"
        );
        assert_eq!(clean_instruction("|2 A=1 B=2 /bin/sh -c make"), "RUN make");
    }
}
