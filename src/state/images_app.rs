//! The images pane's dialogs (tag, remove) and the details view of the focused pane.

use super::dialog::{self, Dialog, RemoveTarget};
use super::input::TextInput;
use super::{AppState, Level, Pane};

impl AppState {
    pub(super) fn open_tag(&mut self) {
        let Some(row) = self.images.selected() else {
            return self.say(Level::Info, "no image selected");
        };
        let suggestion = row.reference.as_deref().map_or(String::new(), |r| {
            format!("{}:", crate::engine::images::split_tag(r).0)
        });
        self.dialog = Some(Dialog::Tag {
            source: row.id.clone(),
            source_label: row.label(),
            error: dialog::validate_tag(&suggestion),
            input: TextInput::with(&suggestion),
        });
    }

    pub(super) fn open_remove(&mut self) {
        let targets: Vec<RemoveTarget> = self
            .images
            .targets()
            .into_iter()
            .map(|r| RemoveTarget {
                key: r.key(),
                label: r.label(),
                used_by: r.used_by.clone(),
                other_tags: r.tag_count.saturating_sub(1),
            })
            .collect();
        if targets.is_empty() {
            return self.say(Level::Info, "no image selected");
        }
        self.dialog = Some(Dialog::Remove {
            targets,
            force_step: false,
        });
    }

    pub(super) fn open_details(&mut self) {
        let (title, lines) = match self.focus {
            Pane::Explorer => return,
            Pane::Images => {
                let title = self
                    .images
                    .selected()
                    .map_or("Image".to_string(), |r| r.label());
                (title, self.layers.config_lines())
            }
            Pane::Jobs => {
                let Some(job) = self.jobs.selected() else {
                    return;
                };
                let mut lines = vec![format!("{} — {:?}", job.kind, job.status)];
                lines.extend(job.log.iter().map(|l| crate::util::sanitize::sanitize(l)));
                (format!("Job {}", job.id), lines)
            }
            Pane::Registry => return,
            Pane::Layers => {
                let Some(h) = self.layers.entries().get(self.layers.cursor) else {
                    return;
                };
                let lines = vec![
                    format!(
                        "Created by:  {}",
                        crate::util::sanitize::sanitize(&h.created_by)
                    ),
                    format!("Size:        {}", crate::util::text::bytes(h.size)),
                    format!("Image ID:    {}", h.id),
                    format!(
                        "Comment:     {}",
                        crate::util::sanitize::sanitize(&h.comment)
                    ),
                ];
                (format!("Layer {}", self.layers.cursor + 1), lines)
            }
            Pane::Editor => return,
            Pane::Containers => return,
        };
        self.dialog = Some(Dialog::Text {
            title,
            lines,
            scroll: 0,
        });
    }
}
