//! Pure computation of a prune preview: which images go and how many bytes that frees.
//!
//! It mirrors the engine's own rules: a prune skips images used by a container (in any state);
//! dangling-only prunes take untagged images, "all unused" tagged ones too. An image that other
//! images are built on goes only when all of them go (else a tagged one is only untagged), and a
//! used image with several tags loses all but one of them. Freed bytes
//! are counted per layer chain, so a layer shared with an image that stays is not counted.
use std::collections::{HashMap, HashSet};

use super::types::{HistoryEntry, ImageInfo, Inventory, PruneCandidate, PrunePlan, PruneScope};

/// What the plan needs to know about one image's layers.
#[derive(Debug, Clone, Default)]
pub struct ImageLayers {
    /// RootFS diff IDs, bottom first.
    pub layers: Vec<String>,
    /// Size of each layer, same order as `layers`.
    pub layer_sizes: Vec<u64>,
    /// IDs of the images this one was built on (its parent chain, nearest first).
    pub ancestors: Vec<String>,
}

/// The fully qualified form of a reference (`docker.io/library/busybox:1`), which the engine sorts by.
fn full_name(tag: &str) -> String {
    crate::registry::reference::Reference::parse_normalized(tag)
        .map_or_else(|_| tag.to_string(), |r| r.to_string())
}

const METADATA_INSTRUCTIONS: &[&str] = &[
    "ENV",
    "LABEL",
    "CMD",
    "ENTRYPOINT",
    "EXPOSE",
    "USER",
    "WORKDIR",
    "ARG",
    "VOLUME",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "ONBUILD",
    "MAINTAINER",
];

/// True when a history entry cannot have made a filesystem layer (metadata-only instruction).
pub fn is_metadata_only(created_by: &str) -> bool {
    if created_by.contains("#(nop)") {
        // Classic builder: `/bin/sh -c #(nop) COPY …` does make a layer, `#(nop)  ENV …` does not.
        let after = created_by.split("#(nop)").nth(1).unwrap_or("").trim_start();
        return !(after.starts_with("COPY") || after.starts_with("ADD"));
    }
    let first = created_by.split_whitespace().next().unwrap_or("");
    METADATA_INSTRUCTIONS.contains(&first)
}

/// Assigns a size to each RootFS layer from the history (oldest first).
///
/// The engine's history API marks no entry as "empty layer", but every entry with a size made a
/// layer, and the layer count is known: the remaining layers are taken from zero-size entries that
/// are not metadata-only, earliest first (their size is 0 either way).
pub fn layer_sizes(layers: &[String], history: &[HistoryEntry]) -> Vec<u64> {
    let sized = history.iter().filter(|h| h.size > 0).count();
    let mut zero_layers_needed = layers.len().saturating_sub(sized);
    let mut out = Vec::with_capacity(layers.len());
    for h in history {
        if out.len() == layers.len() {
            break;
        }
        if h.size > 0 {
            out.push(h.size);
        } else if zero_layers_needed > 0 && !is_metadata_only(&h.created_by) {
            out.push(0);
            zero_layers_needed -= 1;
        }
    }
    out.resize(layers.len(), 0);
    out
}

fn chain_keys(layers: &[String]) -> Vec<String> {
    let mut key = String::new();
    layers
        .iter()
        .map(|l| {
            key.push_str(l);
            key.push('|');
            key.clone()
        })
        .collect()
}

/// Computes the prune preview.
pub fn plan(
    scope: PruneScope,
    build_cache: bool,
    inventory: &Inventory,
    layers: &HashMap<String, ImageLayers>,
) -> PrunePlan {
    plan_filtered(scope, build_cache, inventory, layers, &HashSet::new())
}

/// Computes the prune preview when filters (`until`, `label`) leave the images in `excluded`
/// out: the engine does not touch them, as if they were not there to prune.
pub fn plan_filtered(
    scope: PruneScope,
    build_cache: bool,
    inventory: &Inventory,
    layers: &HashMap<String, ImageLayers>,
    excluded: &HashSet<String>,
) -> PrunePlan {
    let used: HashSet<&str> = inventory
        .containers
        .iter()
        .map(|c| c.image_id.as_str())
        .collect();
    let is_candidate = |image: &ImageInfo| {
        let dangling = image.repo_tags.is_empty();
        !used.contains(image.id.as_str())
            && !excluded.contains(&image.id)
            && (scope == PruneScope::AllUnused || dangling)
    };
    // An image goes when it is a candidate and every image built on it goes too: the engine
    // deletes childless images, and deleting a child also deletes untagged parents left childless.
    let mut goes: HashSet<&str> = HashSet::new();
    loop {
        let before = goes.len();
        for image in &inventory.images {
            if goes.contains(image.id.as_str()) || !is_candidate(image) {
                continue;
            }
            let descendants_go = inventory
                .images
                .iter()
                .filter(|d| {
                    layers
                        .get(&d.id)
                        .is_some_and(|l| l.ancestors.contains(&image.id))
                })
                .all(|d| goes.contains(d.id.as_str()));
            if descendants_go {
                goes.insert(image.id.as_str());
            }
        }
        if goes.len() == before {
            break;
        }
    }
    let mut deleted = Vec::new();
    let mut untagged: Vec<(&ImageInfo, Vec<String>)> = Vec::new();
    let mut kept = Vec::new();
    for image in &inventory.images {
        if goes.contains(image.id.as_str()) {
            deleted.push(image);
            continue;
        }
        kept.push(image);
        if scope == PruneScope::AllUnused && !image.repo_tags.is_empty() {
            if is_candidate(image) {
                // A tagged parent of an image that stays loses all its tags.
                untagged.push((image, image.repo_tags.clone()));
            } else if image.repo_tags.len() > 1 && used.contains(image.id.as_str()) {
                // A used image: the engine removes its tags in lexical order of the full
                // reference and only the last removal (which would delete it) is refused.
                let mut tags = image.repo_tags.clone();
                tags.sort_by_key(|t| full_name(t));
                tags.pop();
                untagged.push((image, tags));
            }
        }
    }
    let kept_chains: HashSet<String> = kept
        .iter()
        .filter_map(|i| layers.get(&i.id))
        .flat_map(|l| chain_keys(&l.layers))
        .collect();
    let mut counted: HashSet<String> = HashSet::new();
    let mut images = Vec::new();
    let mut total = 0;
    for image in deleted {
        let mut reclaim = 0;
        if let Some(l) = layers.get(&image.id) {
            for (key, size) in chain_keys(&l.layers).into_iter().zip(&l.layer_sizes) {
                if !kept_chains.contains(&key) && counted.insert(key) {
                    reclaim += size;
                }
            }
        }
        total += reclaim;
        images.push(PruneCandidate {
            id: image.id.clone(),
            repo_tags: image.repo_tags.clone(),
            reclaim,
            untag_only: false,
        });
    }
    images.extend(untagged.into_iter().map(|(image, tags)| PruneCandidate {
        id: image.id.clone(),
        repo_tags: tags,
        reclaim: 0,
        untag_only: true,
    }));
    PrunePlan {
        scope,
        build_cache,
        images,
        reclaim: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::types::{ContainerInfo, ImageInfo};

    fn img(id: &str, tags: &[&str]) -> ImageInfo {
        ImageInfo {
            id: id.into(),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: vec![],
            created: 0,
            size: 0,
        }
    }

    fn lay(layers: &[&str], sizes: &[u64], ancestors: &[&str]) -> ImageLayers {
        ImageLayers {
            layers: layers.iter().map(|l| l.to_string()).collect(),
            layer_sizes: sizes.to_vec(),
            ancestors: ancestors.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn container(image_id: &str) -> ContainerInfo {
        ContainerInfo {
            id: "c1".into(),
            name: "web".into(),
            image: image_id.into(),
            image_id: image_id.into(),
            state: "exited".into(),
            status: String::new(),
            ..Default::default()
        }
    }

    fn setup() -> (Inventory, HashMap<String, ImageLayers>) {
        let inv = Inventory {
            images: vec![
                img("base", &["busybox:1"]),
                img("app", &["app:1"]),
                img("old", &[]),
                img("used", &["used:1"]),
            ],
            containers: vec![container("used")],
        };
        let mut l = HashMap::new();
        l.insert("base".into(), lay(&["a"], &[100], &[]));
        l.insert("app".into(), lay(&["a", "b"], &[100, 20], &[]));
        l.insert("old".into(), lay(&["a", "c"], &[100, 7], &[]));
        l.insert("used".into(), lay(&["a", "d"], &[100, 5], &["base"]));
        (inv, l)
    }

    #[test]
    fn dangling_only_takes_untagged_unused_images() {
        let (inv, l) = setup();
        let p = plan(PruneScope::Dangling, false, &inv, &l);
        let ids: Vec<_> = p.images.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, vec!["old"]);
        // Layer "a" is shared with images that stay: only "c" is freed.
        assert_eq!(p.reclaim, 7);
    }

    #[test]
    fn all_unused_untags_parents_and_keeps_used() {
        let (inv, l) = setup();
        let p = plan(PruneScope::AllUnused, true, &inv, &l);
        let gone: Vec<_> = p
            .images
            .iter()
            .map(|c| (c.id.as_str(), c.untag_only))
            .collect();
        assert_eq!(gone, vec![("app", false), ("old", false), ("base", true)]);
        assert_eq!(p.reclaim, 27);
        assert!(p.build_cache);
    }

    #[test]
    fn a_parent_goes_when_all_its_children_go() {
        let inv = Inventory {
            images: vec![img("base", &["base:1"]), img("child", &["child:1"])],
            containers: vec![],
        };
        let mut l = HashMap::new();
        l.insert("base".into(), lay(&["a"], &[100], &[]));
        l.insert(
            "child".into(),
            lay(&["a", "b"], &[100, 10], &["mid", "base"]),
        );
        let p = plan(PruneScope::AllUnused, false, &inv, &l);
        let gone: Vec<_> = p
            .images
            .iter()
            .map(|c| (c.id.as_str(), c.untag_only))
            .collect();
        assert_eq!(gone, vec![("base", false), ("child", false)]);
        assert_eq!(p.reclaim, 110);
    }

    #[test]
    fn a_used_image_with_several_tags_keeps_only_the_last() {
        let inv = Inventory {
            images: vec![img("u", &["web:2", "web:1", "127.0.0.1:5000/web:1"])],
            containers: vec![container("u")],
        };
        let mut l = HashMap::new();
        l.insert("u".into(), lay(&["a"], &[100], &[]));
        let p = plan(PruneScope::AllUnused, false, &inv, &l);
        assert_eq!(p.images.len(), 1);
        assert!(p.images[0].untag_only);
        assert_eq!(p.images[0].repo_tags, vec!["127.0.0.1:5000/web:1", "web:1"]);
        assert_eq!(p.reclaim, 0);
        assert!(
            plan(PruneScope::Dangling, false, &inv, &l)
                .images
                .is_empty()
        );
    }

    #[test]
    fn shared_layers_among_deleted_images_count_once() {
        let inv = Inventory {
            images: vec![img("x", &[]), img("y", &[])],
            containers: vec![],
        };
        let mut l = HashMap::new();
        l.insert("x".into(), lay(&["a", "b"], &[50, 1], &[]));
        l.insert("y".into(), lay(&["a", "c"], &[50, 2], &[]));
        let p = plan(PruneScope::Dangling, false, &inv, &l);
        assert_eq!(p.reclaim, 53);
    }

    fn h(created_by: &str, size: u64) -> HistoryEntry {
        HistoryEntry {
            id: "<missing>".into(),
            created: 0,
            created_by: created_by.into(),
            size,
            comment: String::new(),
        }
    }

    #[test]
    fn layer_sizes_skip_metadata_entries() {
        let history = vec![
            h("/bin/sh -c #(nop) COPY file:abc in /bin/busybox ", 1_000),
            h("/bin/sh -c #(nop)  ENV A=b", 0),
            h("RUN /bin/sh -c true # buildkit", 0),
            h("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", 0),
            h("RUN /bin/sh -c echo hi > /x # buildkit", 3),
        ];
        let layers = vec!["l1".to_string(), "l2".to_string(), "l3".to_string()];
        assert_eq!(layer_sizes(&layers, &history), vec![1_000, 0, 3]);
    }
}
