//! The registry pane: registries (Docker Hub first), Hub search, and a private registry's
//! repositories → tags → manifest. Pure: changes return the engine commands to send.
use crossterm::event::{KeyCode, KeyEvent};

use super::images::rows::ImageRow;
use super::widgets::input::TextInput;
use crate::engine::Command;
use crate::engine::registry::{
    ManifestView, RegistryReply, RegistryRequest, SearchHit, SearchQuery,
};
use crate::registry::credentials::auth_key;
use crate::registry::known::{KnownRegistries, Origin, merge};
use crate::registry::{Reference, RegistryEntry};
use search::parse_search;

/// Where the pane is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Choosing a registry.
    #[default]
    Registries,
    /// Docker Hub search results.
    Search,
    /// A registry's repositories.
    Repositories,
    /// A repository's tags.
    Tags,
    /// A tag's manifest.
    Manifest,
}

/// Something loaded from the engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Load<T> {
    /// Not asked for.
    #[default]
    Idle,
    /// Asked for, waiting.
    Loading,
    /// Here.
    Ready(T),
    /// Failed, with the reason.
    Failed(String),
}

impl<T> Load<T> {
    /// The value when ready.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(v) => Some(v),
            _ => None,
        }
    }
}

/// The registry pane's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryState {
    /// Registries, Docker Hub first.
    pub registries: Vec<RegistryEntry>,
    /// Where each registry (same index) was found; empty for Docker Hub alone.
    pub origins: Vec<Vec<Origin>>,
    /// Address ranges the engine trusts over plain HTTP.
    pub trusted_ranges: Vec<String>,
    /// Why the engine's registry settings could not be read.
    pub known_error: Option<String>,
    /// The registries file was asked for.
    pub config_requested: bool,
    /// Why the registries file could not be read.
    pub config_error: Option<String>,
    /// Selected registry.
    pub selected: usize,
    /// Current view.
    pub view: View,
    /// The search box (Hub) or repository prompt (private registry) being typed.
    pub input: Option<TextInput>,
    /// Why the typed search is invalid.
    pub input_error: Option<String>,
    /// The last search sent.
    pub query: Option<SearchQuery>,
    /// Hub search results.
    pub hits: Load<Vec<SearchHit>>,
    /// Repositories of the selected registry.
    pub repos: Load<Vec<String>>,
    /// The open repository.
    pub repository: Option<String>,
    /// Its tags.
    pub tags: Load<Vec<String>>,
    /// The open tag.
    pub tag: Option<String>,
    /// Its manifest.
    pub manifest: Load<Box<ManifestView>>,
    /// Cursors of the registries, search, repositories and tags lists; manifest scroll.
    pub cursors: [usize; 5],
}

impl Default for RegistryState {
    fn default() -> Self {
        RegistryState {
            registries: vec![RegistryEntry::docker_hub()],
            origins: vec![vec![]],
            trusted_ranges: vec![],
            known_error: None,
            config_requested: false,
            config_error: None,
            selected: 0,
            view: View::Registries,
            input: None,
            input_error: None,
            query: None,
            hits: Load::Idle,
            repos: Load::Idle,
            repository: None,
            tags: Load::Idle,
            tag: None,
            manifest: Load::Idle,
            cursors: [0; 5],
        }
    }
}

/// `host[:port]` of a registry address (scheme and trailing slash dropped).
pub fn registry_host(url: &str) -> &str {
    let url = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    url.trim_end_matches('/')
}

/// The size of the local image named `reference` (compared after normalisation), if any.
pub fn local_size(rows: &[ImageRow], reference: &str) -> Option<u64> {
    let wanted = Reference::parse_normalized(reference).ok()?.to_string();
    rows.iter()
        .filter_map(|r| Some((r.reference.as_deref()?, r.size)))
        .find(|(name, _)| Reference::parse_normalized(name).is_ok_and(|n| n.to_string() == wanted))
        .map(|(_, size)| size)
}

impl RegistryState {
    fn index(&self) -> usize {
        self.view as usize
    }

    /// The cursor of the current view.
    pub fn cursor(&self) -> usize {
        self.cursors[self.index()]
    }

    /// The selected registry.
    pub fn entry(&self) -> Option<&RegistryEntry> {
        self.registries.get(self.selected)
    }

    fn len(&self) -> usize {
        match self.view {
            View::Registries => self.registries.len(),
            View::Search => self.hits.ready().map_or(0, Vec::len),
            View::Repositories => self.repos.ready().map_or(0, Vec::len),
            View::Tags => self.tags.ready().map_or(0, Vec::len),
            View::Manifest => usize::MAX / 4,
        }
    }

    /// Moves the cursor of the current view.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.len().saturating_sub(1);
        let i = self.index();
        self.cursors[i] = self.cursors[i].saturating_add_signed(delta).min(last);
        if self.view == View::Registries {
            self.selected = self.cursors[i];
        }
    }

    /// The commands that load the registries file the first time the pane is shown.
    pub fn on_focus(&mut self) -> Vec<Command> {
        if self.config_requested {
            return vec![];
        }
        self.config_requested = true;
        vec![
            Command::Registry(RegistryRequest::LoadConfig),
            Command::Registry(RegistryRequest::Known),
        ]
    }

    /// The engine (re)connected: what it trusts is asked again once the pane has been shown.
    pub fn on_connected(&mut self) -> Vec<Command> {
        if self.config_requested {
            vec![Command::Registry(RegistryRequest::Known)]
        } else {
            vec![]
        }
    }

    /// Where the registry at `i` was found.
    pub fn origins_of(&self, i: usize) -> &[Origin] {
        self.origins.get(i).map_or(&[], Vec::as_slice)
    }

    /// Lists `entry` from the registries file: replaces a row with the same address (keeping
    /// where else it was found), else appends it. Returns its row.
    fn put_file_entry(&mut self, entry: RegistryEntry) -> usize {
        self.origins.resize(self.registries.len(), vec![]);
        let key = auth_key(&entry.url);
        let i = match self.registries.iter().position(|e| auth_key(&e.url) == key) {
            Some(i) => {
                self.registries[i] = entry;
                i
            }
            None => {
                self.registries.push(entry);
                self.origins.push(vec![]);
                self.registries.len() - 1
            }
        };
        if !self.origins[i].contains(&Origin::File) {
            self.origins[i].push(Origin::File);
            self.origins[i].sort();
        }
        i
    }

    /// Lists what the engine and Docker config know, replacing what an earlier answer found.
    fn put_known(&mut self, known: KnownRegistries) {
        self.origins.resize(self.registries.len(), vec![]);
        let chosen = self.entry().map(|e| auth_key(&e.url));
        let listed: Vec<_> = self
            .registries
            .iter()
            .cloned()
            .zip(self.origins.iter().cloned())
            .enumerate()
            .filter(|(i, (_, o))| *i == 0 || o.contains(&Origin::File))
            .map(|(_, (e, o))| {
                let file: Vec<Origin> = o.into_iter().filter(|o| *o == Origin::File).collect();
                (e, file)
            })
            .collect();
        let (registries, origins) = merge(&listed, &known.registries).into_iter().unzip();
        self.registries = registries;
        self.origins = origins;
        self.trusted_ranges = known.insecure_cidrs;
        self.known_error = known.engine_error;
        let last = self.registries.len().saturating_sub(1);
        self.selected = chosen
            .and_then(|key| self.registries.iter().position(|e| auth_key(&e.url) == key))
            .unwrap_or(self.selected.min(last));
        self.cursors[0] = self.selected;
    }

    /// Adds a registry typed at the prompt and selects it.
    pub fn add(&mut self, entry: RegistryEntry) {
        self.selected = self.put_file_entry(entry);
        self.cursors[0] = self.selected;
        self.view = View::Registries;
    }

    /// Enter: opens the selected registry, repository or tag.
    pub fn open(&mut self) -> Vec<Command> {
        let Some(entry) = self.entry().cloned() else {
            return vec![];
        };
        match self.view {
            View::Registries if entry.is_docker_hub() => {
                self.view = View::Search;
                if self.hits == Load::Idle {
                    self.start_input();
                }
                vec![]
            }
            View::Registries => {
                self.view = View::Repositories;
                self.repos = Load::Loading;
                self.repository = None;
                self.cursors[View::Repositories as usize] = 0;
                vec![Command::Registry(RegistryRequest::Catalog(entry))]
            }
            View::Search => {
                self.start_input();
                vec![]
            }
            View::Repositories => {
                let Some(repo) = self
                    .repos
                    .ready()
                    .and_then(|r| r.get(self.cursor()))
                    .cloned()
                else {
                    return vec![];
                };
                self.open_repository(entry, repo)
            }
            View::Tags => {
                let Some(tag) = self
                    .tags
                    .ready()
                    .and_then(|t| t.get(self.cursor()))
                    .cloned()
                else {
                    return vec![];
                };
                self.view = View::Manifest;
                self.tag = Some(tag.clone());
                self.manifest = Load::Loading;
                self.cursors[View::Manifest as usize] = 0;
                vec![Command::Registry(RegistryRequest::Manifest {
                    registry: entry,
                    repository: self.repository.clone().unwrap_or_default(),
                    tag,
                })]
            }
            View::Manifest => vec![],
        }
    }

    fn open_repository(&mut self, entry: RegistryEntry, repo: String) -> Vec<Command> {
        self.view = View::Tags;
        self.repository = Some(repo.clone());
        self.tags = Load::Loading;
        self.cursors[View::Tags as usize] = 0;
        vec![Command::Registry(RegistryRequest::Tags {
            registry: entry,
            repository: repo,
        })]
    }

    /// `/`: the search box on Docker Hub, a repository prompt elsewhere.
    pub fn start_input(&mut self) {
        if self.view == View::Registries {
            if self.entry().is_some_and(RegistryEntry::is_docker_hub) {
                self.view = View::Search;
            } else {
                self.view = View::Repositories;
            }
        }
        let text = match (&self.view, &self.query) {
            (View::Search, Some(_)) | (View::Search, None) => {
                self.query.as_ref().map(query_text).unwrap_or_default()
            }
            _ => String::new(),
        };
        self.input = Some(TextInput::with(&text));
        self.input_error = None;
    }

    /// A key while the input is open.
    pub fn on_input_key(&mut self, key: &KeyEvent) -> Vec<Command> {
        let Some(input) = &mut self.input else {
            return vec![];
        };
        match key.code {
            KeyCode::Esc => {
                self.input = None;
                self.input_error = None;
                if self.view == View::Search && self.hits == Load::Idle {
                    self.view = View::Registries;
                }
            }
            KeyCode::Enter => {
                let text = input.text.trim().to_string();
                if self.view == View::Search {
                    match parse_search(&text) {
                        Ok(q) => {
                            self.input = None;
                            self.input_error = None;
                            self.hits = Load::Loading;
                            self.cursors[View::Search as usize] = 0;
                            self.query = Some(q.clone());
                            return vec![Command::Registry(RegistryRequest::Search(q))];
                        }
                        Err(e) => self.input_error = Some(e),
                    }
                } else if text.is_empty() {
                    self.input_error = Some("type a repository, e.g. team/app".into());
                } else if let Some(entry) = self.entry().cloned() {
                    self.input = None;
                    self.input_error = None;
                    return self.open_repository(entry, text);
                }
            }
            _ => {
                input.handle(key);
                self.input_error = None;
            }
        }
        vec![]
    }

    /// Esc: one level up.
    pub fn back(&mut self) {
        self.view = match self.view {
            View::Registries | View::Search | View::Repositories => View::Registries,
            View::Tags => View::Repositories,
            View::Manifest => View::Tags,
        };
    }

    /// The reference the selected search hit, tag or manifest would be pulled as.
    pub fn pull_target(&self) -> Option<String> {
        let entry = self.entry()?;
        match self.view {
            View::Search => self
                .hits
                .ready()?
                .get(self.cursor())
                .map(|h| h.name.clone()),
            View::Tags | View::Manifest => {
                let tag = match self.view {
                    View::Tags => self.tags.ready()?.get(self.cursor())?.clone(),
                    _ => self.tag.clone()?,
                };
                let repo = self.repository.as_deref()?;
                Some(format!("{}/{repo}:{tag}", registry_host(&entry.url)))
            }
            View::Registries | View::Repositories => None,
        }
    }

    /// Applies a registry reply; returns a status message when one is due.
    pub fn on_reply(&mut self, reply: RegistryReply) -> Option<Result<String, String>> {
        let current = self.entry().map(|e| e.url.clone()).unwrap_or_default();
        match reply {
            RegistryReply::Config(Ok(list)) => {
                for entry in list {
                    if !entry.is_docker_hub() {
                        self.put_file_entry(entry);
                    }
                }
            }
            RegistryReply::Config(Err(e)) => {
                self.config_error = Some(e.clone());
                return Some(Err(format!("registries file: {e}")));
            }
            RegistryReply::Search { query, result } => {
                if self.query.as_ref() == Some(&query) {
                    self.hits = load(result);
                }
            }
            RegistryReply::Catalog { registry, result } => {
                if registry == current && self.repos == Load::Loading {
                    self.repos = load(result);
                }
            }
            RegistryReply::Tags {
                registry,
                repository,
                result,
            } => {
                if registry == current && self.repository.as_deref() == Some(&repository) {
                    self.tags = load(result);
                }
            }
            RegistryReply::Manifest {
                registry,
                repository,
                tag,
                result,
            } => {
                if registry == current
                    && self.repository.as_deref() == Some(&repository)
                    && self.tag.as_deref() == Some(&tag)
                {
                    self.manifest = load(result);
                }
            }
            RegistryReply::Login { result, .. } => return Some(result),
            RegistryReply::Saved(result) => {
                return Some(result.map(|path| format!("registry saved in {path}")));
            }
            RegistryReply::Known(known) => self.put_known(known),
        }
        None
    }
}

fn load<T>(result: Result<T, String>) -> Load<T> {
    match result {
        Ok(v) => Load::Ready(v),
        Err(e) => Load::Failed(e),
    }
}

/// The search box text that gives `q` back.
pub fn query_text(q: &SearchQuery) -> String {
    let mut parts = vec![q.term.clone()];
    if let Some(s) = q.stars {
        parts.push(format!("stars>={s}"));
    }
    if q.official {
        parts.push("is-official".into());
    }
    if let Some(a) = q.automated {
        parts.push(format!("is-automated={a}"));
    }
    if let Some(l) = q.limit {
        parts.push(format!("--limit {l}"));
    }
    parts.join(" ")
}

pub mod dialogs;
pub mod pane;
pub mod search;

pub use pane::RegistryPane;

#[cfg(test)]
mod tests;
