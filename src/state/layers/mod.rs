//! The layers pane: the selected image's history (one row per step), its config, and the
//! details view of a step.
use super::effect::{Effect, Msg};
use super::pane::{Cx, Pane};
use super::widgets::scroll::Viewport;
use super::widgets::text_view::TextView;
use crate::action::{Action, ImagesAction, ListAction};
use crate::engine::{Command, EngineEvent, HistoryEntry, ImageDetails};

/// What the layers pane shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayersPane {
    /// The image whose layers are shown or loading.
    pub image_id: Option<String>,
    /// Tags the image had when its details were asked for.
    tag_count: usize,
    /// Details were asked for and have not arrived.
    pending: bool,
    /// Its details, once loaded.
    pub details: Option<ImageDetails>,
    /// Loading failed.
    pub error: Option<String>,
    /// Cursor over history entries and the rows on screen.
    pub view: Viewport,
    /// The open details view (a step's instruction, or the image config).
    pub dialog: Option<TextView>,
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

/// Instructions that only change the image config: their history steps never make a layer.
const METADATA_ONLY: [&str; 13] = [
    "ENV",
    "CMD",
    "LABEL",
    "EXPOSE",
    "ENTRYPOINT",
    "USER",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "VOLUME",
    "MAINTAINER",
];

/// The layer number (1-based, bottom first: the numbering the explorer and `dockhand analyze`
/// use) of each history step, None for a metadata-only step. `layers` is the image's layer
/// count. A step with bytes makes a layer and a config-only instruction never does; a step
/// with no bytes (RUN, COPY, ADD, WORKDIR) made a layer when its diff was not empty, which only
/// the count can tell: None when it leaves them undecided.
pub fn layer_numbers(history: &[HistoryEntry], layers: usize) -> Option<Vec<Option<usize>>> {
    #[derive(PartialEq)]
    enum Kind {
        Layer,
        Meta,
        Maybe,
    }
    let kinds: Vec<Kind> = history
        .iter()
        .map(|h| {
            let clean = clean_instruction(&h.created_by);
            let word = clean.split_whitespace().next().unwrap_or("");
            if h.size > 0 {
                Kind::Layer
            } else if METADATA_ONLY.contains(&word.to_ascii_uppercase().as_str()) {
                Kind::Meta
            } else {
                Kind::Maybe
            }
        })
        .collect();
    let of = |kind: Kind| kinds.iter().filter(|k| **k == kind).count();
    // An empty step made a layer when its diff was not an empty archive (a new directory does,
    // `RUN true` does not): only a count of none or all of them settles which.
    let made = match layers.checked_sub(of(Kind::Layer))? {
        0 => vec![Kind::Layer],
        n if n == of(Kind::Maybe) => vec![Kind::Layer, Kind::Maybe],
        _ => return None,
    };
    let mut next = 0;
    Some(
        kinds
            .iter()
            .map(|k| {
                let layer = made.contains(k);
                layer.then(|| {
                    next += 1;
                    next
                })
            })
            .collect(),
    )
}

impl LayersPane {
    /// The layer number of each step (see [`layer_numbers`]).
    pub fn numbers(&self) -> Option<Vec<Option<usize>>> {
        let d = self.details.as_ref()?;
        layer_numbers(&d.history, d.layers.len())
    }

    /// Follows the images pane's selection `(id, tag count)`: asks for the details of another
    /// image, or again for the same image when its tags changed.
    pub fn follow(&mut self, selected: Option<(String, usize)>) -> Vec<Effect> {
        let Some((id, tags)) = selected else {
            if self.image_id.is_some() {
                *self = LayersPane::default();
            }
            return vec![];
        };
        let same = self.image_id.as_deref() == Some(id.as_str());
        let retag = same && !self.pending && self.details.is_some() && self.tag_count != tags;
        if same && !retag {
            return vec![];
        }
        if !same {
            *self = LayersPane {
                image_id: Some(id.clone()),
                view: Viewport {
                    height: self.view.height,
                    ..Viewport::default()
                },
                ..LayersPane::default()
            };
        }
        self.pending = true;
        self.tag_count = tags;
        vec![Effect::Engine(Command::Details { image_id: id })]
    }

    /// History `created_by` lines of `image` with the step to start at, for the explorer.
    pub fn history_for(&self, image: &str, from_cursor: bool) -> Option<(Vec<String>, usize)> {
        if self.image_id.as_deref() != Some(image) {
            return None;
        }
        let h = self.entries();
        if h.is_empty() {
            return None;
        }
        let lines = h.iter().map(|e| e.created_by.clone()).collect();
        let cursor = if from_cursor {
            self.view.cursor
        } else {
            h.len() - 1
        };
        Some((lines, cursor))
    }

    /// Opens the image config view.
    pub fn show_config(&mut self, title: String) {
        self.dialog = Some(TextView::new(title, self.config_lines()));
    }

    fn show_step(&mut self) {
        let Some(h) = self.entries().get(self.view.cursor) else {
            return;
        };
        let sanitize = crate::util::sanitize::sanitize;
        let step = self.view.cursor + 1;
        let steps = self.entries().len();
        let title = match self
            .numbers()
            .map(|n| n.get(self.view.cursor).copied().flatten())
        {
            Some(Some(layer)) => format!("Layer {layer} (step {step} of {steps})"),
            Some(None) => format!("Step {step} of {steps}: metadata only, no layer"),
            None => format!("Step {step} of {steps}"),
        };
        let lines = vec![
            format!("Created by:  {}", sanitize(&h.created_by)),
            format!("Size:        {}", crate::util::text::bytes(h.size)),
            format!("Image ID:    {}", h.id),
            format!("Comment:     {}", sanitize(&h.comment)),
        ];
        self.dialog = Some(TextView::new(title, lines));
    }

    /// History entries, oldest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        self.details.as_ref().map_or(&[], |d| d.history.as_slice())
    }

    /// The largest layer, for bars.
    pub fn max_size(&self) -> u64 {
        self.entries().iter().map(|h| h.size).max().unwrap_or(0)
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

impl Pane for LayersPane {
    fn on_key(&mut self, key: &crossterm::event::KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let dialog = self.dialog.as_mut()?;
        if dialog.on_key(cx.keymap, key) == super::widgets::outcome::Outcome::Close {
            self.dialog = None;
        }
        Some(vec![])
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let page = self.view.page();
        match action {
            Action::List(ListAction::Up) => self.view.move_by(-1),
            Action::List(ListAction::Down) => self.view.move_by(1),
            Action::List(ListAction::PageUp) => self.view.move_by(-page),
            Action::List(ListAction::PageDown) => self.view.move_by(page),
            Action::List(ListAction::Top) => self.view.select(0),
            Action::List(ListAction::Bottom) => self.view.select(usize::MAX),
            Action::List(ListAction::Details) => self.show_step(),
            Action::Images(ImagesAction::OpenExplorer) => {
                return Some(vec![Effect::Msg(Msg::OpenExplorer { from_layers: true })]);
            }
            Action::Images(ImagesAction::Tag) => {
                return Some(vec![Effect::Msg(Msg::Tag)]);
            }
            _ => return None,
        }
        Some(vec![])
    }

    fn on_engine(&mut self, event: &EngineEvent, _cx: &Cx<'_>) -> Vec<Effect> {
        if let EngineEvent::Details { image_id, result } = event
            && self.image_id.as_deref() == Some(image_id.as_str())
        {
            self.pending = false;
            match result {
                Ok(d) => {
                    self.details = Some((**d).clone());
                    self.error = None;
                    self.view.set_len(self.entries().len());
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        vec![]
    }

    fn set_viewport(&mut self, rows: usize) {
        self.view.set_height(rows);
    }

    fn set_dialog_rows(&mut self, rows: usize) {
        if let Some(d) = &mut self.dialog {
            d.set_height(rows);
        }
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::{clean_instruction, layer_numbers};
    use crate::engine::HistoryEntry;

    fn step(created_by: &str, size: u64) -> HistoryEntry {
        HistoryEntry {
            id: "<missing>".into(),
            created: 0,
            created_by: created_by.into(),
            size,
            comment: String::new(),
        }
    }

    #[test]
    fn steps_are_numbered_by_layer_and_metadata_steps_have_none() {
        let steps = [
            step("/bin/sh -c #(nop) ADD file:1 in / ", 5_000),
            step("/bin/sh -c #(nop)  ENV A=1", 0),
            step("/bin/sh -c true", 0),
            step("/bin/sh -c #(nop) WORKDIR /app", 0),
            step("/bin/sh -c #(nop)  CMD [\"sh\"]", 0),
            step("/bin/sh -c #(nop) COPY file:2 in /app ", 10),
        ];
        // Both empty steps made layers (a directory each), or neither did.
        assert_eq!(
            layer_numbers(&steps, 4),
            Some(vec![Some(1), None, Some(2), Some(3), None, Some(4)])
        );
        assert_eq!(
            layer_numbers(&steps, 2),
            Some(vec![Some(1), None, None, None, None, Some(2)])
        );
        // One of the two: the WORKDIR's new directory or `true`? Unknown, so no numbers.
        assert_eq!(layer_numbers(&steps, 3), None);
        // A count the steps cannot explain: no numbers rather than wrong ones.
        assert_eq!(layer_numbers(&steps, 5), None);
        assert_eq!(layer_numbers(&steps, 1), None);
    }

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
