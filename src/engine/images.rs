//! Image operations against the engine, converting bollard's models into the app's own types.
use std::collections::HashMap;

use bollard::Docker;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListImagesOptionsBuilder, PruneImagesOptionsBuilder,
    RemoveImageOptionsBuilder, TagImageOptionsBuilder,
};

use super::error::EngineError;
use super::prune::{self, ImageLayers};
use super::types::{
    HistoryEntry, ImageDetails, ImageInfo, Inventory, PrunePlan, PruneReport, PruneScope, Removed,
};

fn size(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Lists images (top-level, like `docker images`) and all containers.
pub async fn inventory(docker: &Docker) -> Result<Inventory, EngineError> {
    let images_opts = ListImagesOptionsBuilder::default().all(false).build();
    let containers_opts = ListContainersOptionsBuilder::default().all(true).build();
    let (images, containers) = tokio::try_join!(
        docker.list_images(Some(images_opts)),
        docker.list_containers(Some(containers_opts))
    )?;
    let images = images
        .into_iter()
        .map(|i| ImageInfo {
            id: i.id,
            repo_tags: i
                .repo_tags
                .into_iter()
                .filter(|t| t != "<none>:<none>")
                .collect(),
            repo_digests: i
                .repo_digests
                .into_iter()
                .filter(|t| t != "<none>@<none>")
                .collect(),
            created: i.created,
            size: size(i.size),
        })
        .collect();
    let containers = containers
        .into_iter()
        .map(super::containers::container_from_summary)
        .collect();
    let containers = super::containers::with_times(docker, containers).await;
    Ok(Inventory { images, containers })
}

/// Inspects an image and reads its history.
pub async fn details(docker: &Docker, id: &str) -> Result<ImageDetails, EngineError> {
    let (inspect, history) = tokio::try_join!(docker.inspect_image(id), docker.image_history(id))?;
    let config = inspect.config.unwrap_or_default();
    let mut labels: Vec<(String, String)> = config.labels.unwrap_or_default().into_iter().collect();
    labels.sort();
    let mut platform = format!(
        "{}/{}",
        inspect.os.unwrap_or_default(),
        inspect.architecture.unwrap_or_default()
    );
    if let Some(v) = inspect.variant.filter(|v| !v.is_empty()) {
        platform = format!("{platform}/{v}");
    }
    let mut history: Vec<HistoryEntry> = history
        .into_iter()
        .map(|h| HistoryEntry {
            id: h.id,
            created: h.created,
            created_by: h.created_by,
            size: size(h.size),
            comment: h.comment,
        })
        .collect();
    // The engine lists newest first; the app shows the build order, oldest first.
    history.reverse();
    Ok(ImageDetails {
        id: inspect.id.unwrap_or_else(|| id.to_string()),
        repo_tags: inspect.repo_tags.unwrap_or_default(),
        repo_digests: inspect.repo_digests.unwrap_or_default(),
        created: inspect.created.map(|c| c.to_string()).unwrap_or_default(),
        platform,
        size: size(inspect.size.unwrap_or(0)),
        entrypoint: config.entrypoint.unwrap_or_default(),
        cmd: config.cmd.unwrap_or_default(),
        env: config.env.unwrap_or_default(),
        exposed_ports: config.exposed_ports.unwrap_or_default(),
        labels,
        working_dir: config.working_dir.unwrap_or_default(),
        user: config.user.unwrap_or_default(),
        layers: inspect.root_fs.and_then(|r| r.layers).unwrap_or_default(),
        history,
    })
}

/// Splits `repo[:tag]` into repository and tag, defaulting the tag to `latest`.
/// The colon of a registry port (`host:5000/x`) is not a tag separator.
pub fn split_tag(reference: &str) -> (&str, &str) {
    let name_start = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[name_start..].rfind(':') {
        Some(i) => (
            &reference[..name_start + i],
            &reference[name_start + i + 1..],
        ),
        None => (reference, "latest"),
    }
}

/// Adds the tag `target` to the image `source`.
pub async fn tag(docker: &Docker, source: &str, target: &str) -> Result<String, EngineError> {
    if target.contains('@') {
        return Err(EngineError::Invalid(
            "a tag cannot be a digest reference".into(),
        ));
    }
    let (repo, tag) = split_tag(target);
    let opts = TagImageOptionsBuilder::default()
        .repo(repo)
        .tag(tag)
        .build();
    docker.tag_image(source, Some(opts)).await?;
    Ok(format!("added tag {repo}:{tag}"))
}

/// Removes each target (a reference or an ID); untagging the last tag deletes the image.
pub async fn remove(
    docker: &Docker,
    targets: &[String],
    force: bool,
) -> Result<String, EngineError> {
    let known = image_ids(docker).await?;
    let mut items = Vec::new();
    for target in targets {
        let opts = RemoveImageOptionsBuilder::default().force(force).build();
        let done = docker
            .remove_image(target, Some(opts), None)
            .await
            .map_err(|e| match EngineError::from(e) {
                EngineError::Api { status, message } => EngineError::Api {
                    status,
                    message: format!("{target}: {message}"),
                },
                other => other,
            })?;
        items.extend(done);
    }
    let removed = sort_deleted(&items, &known);
    Ok(format!(
        "removed {}: {}",
        targets.join(", "),
        removed.summary()
    ))
}

/// The image IDs the engine has: the top-level ones (what `docker images` lists) and the
/// intermediate ones (untagged parents of built images), which tell deleted images apart from
/// deleted layers (see [`sort_deleted`]).
#[derive(Debug, Clone, Default)]
pub struct KnownImages {
    /// Top-level images.
    pub top: std::collections::HashSet<String>,
    /// Every image, intermediate ones included.
    pub all: std::collections::HashSet<String>,
}

/// Lists [`KnownImages`].
pub async fn image_ids(docker: &Docker) -> Result<KnownImages, EngineError> {
    let ids = |all: bool| async move {
        let opts = ListImagesOptionsBuilder::default().all(all).build();
        docker
            .list_images(Some(opts))
            .await
            .map(|l| l.into_iter().map(|i| i.id).collect())
    };
    let (top, all) = tokio::try_join!(ids(false), ids(true))?;
    Ok(KnownImages { top, all })
}

/// Sorts the engine's deletion records: a deleted top-level image, a deleted intermediate one,
/// or (any other ID) a deleted layer.
pub fn sort_deleted(
    items: &[bollard::models::ImageDeleteResponseItem],
    known: &KnownImages,
) -> Removed {
    let mut removed = Removed::default();
    for item in items {
        if let Some(u) = &item.untagged {
            removed.untagged.push(u.clone());
        }
        match &item.deleted {
            Some(id) if known.top.contains(id) => removed.images.push(id.clone()),
            Some(id) if known.all.contains(id) => removed.intermediate += 1,
            Some(_) => removed.layers += 1,
            None => {}
        }
    }
    removed
}

/// Works out what a prune would remove and how many bytes it would free.
pub async fn prune_plan(
    docker: &Docker,
    scope: PruneScope,
    build_cache: bool,
) -> Result<PrunePlan, EngineError> {
    let inventory = inventory(docker).await?;
    prune_plan_for(docker, scope, build_cache, &inventory, &Default::default()).await
}

/// Works out what a prune would remove given `inventory` (e.g. without the containers a system
/// prune removes first) and the images that filters leave out.
pub async fn prune_plan_for(
    docker: &Docker,
    scope: PruneScope,
    build_cache: bool,
    inventory: &Inventory,
    excluded: &std::collections::HashSet<String>,
) -> Result<PrunePlan, EngineError> {
    let all_opts = ListImagesOptionsBuilder::default().all(true).build();
    let all_images = docker.list_images(Some(all_opts)).await?;
    let parent_of: HashMap<&str, &str> = all_images
        .iter()
        .filter(|i| !i.parent_id.is_empty())
        .map(|i| (i.id.as_str(), i.parent_id.as_str()))
        .collect();
    let ancestors = |id: &str| {
        let mut out = Vec::new();
        let mut cur = id;
        while let Some(p) = parent_of.get(cur) {
            if out.iter().any(|a: &String| a == p) {
                break;
            }
            out.push((*p).to_string());
            cur = p;
        }
        out
    };
    let mut layers: HashMap<String, ImageLayers> = HashMap::new();
    for image in &inventory.images {
        let d = details(docker, &image.id).await?;
        layers.insert(
            image.id.clone(),
            ImageLayers {
                ancestors: ancestors(&image.id),
                layer_sizes: prune::layer_sizes(&d.layers, &d.history),
                layers: d.layers,
            },
        );
    }
    Ok(prune::plan_filtered(
        scope,
        build_cache,
        inventory,
        &layers,
        excluded,
    ))
}

/// Prunes images (and build cache when asked), reporting what the engine actually reclaimed.
pub async fn prune(
    docker: &Docker,
    scope: PruneScope,
    build_cache: bool,
) -> Result<PruneReport, EngineError> {
    let mut filters = HashMap::new();
    let dangling = match scope {
        PruneScope::Dangling => "true",
        PruneScope::AllUnused => "false",
    };
    filters.insert("dangling", vec![dangling]);
    let opts = PruneImagesOptionsBuilder::default()
        .filters(&filters)
        .build();
    let known = image_ids(docker).await?;
    let res = docker.prune_images(Some(opts)).await?;
    let items = res.images_deleted.clone().unwrap_or_default();
    let removed = sort_deleted(&items, &known);
    let deleted = res
        .images_deleted
        .unwrap_or_default()
        .into_iter()
        .flat_map(|d| {
            d.untagged
                .map(|u| format!("untagged {u}"))
                .into_iter()
                .chain(d.deleted.map(|d| format!("deleted {d}")))
        })
        .collect();
    let build_cache_reclaimed = if build_cache {
        let opts = bollard::query_parameters::PruneBuildOptionsBuilder::default()
            .all(scope == PruneScope::AllUnused)
            .build();
        let r = docker.prune_build(Some(opts)).await?;
        Some(size(r.space_reclaimed.unwrap_or(0)))
    } else {
        None
    };
    Ok(PruneReport {
        deleted,
        reclaimed: size(res.space_reclaimed.unwrap_or(0)),
        build_cache_reclaimed,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::split_tag;

    #[test]
    fn deleted_images_and_layers_are_told_apart() {
        use bollard::models::ImageDeleteResponseItem as Item;
        let item = |u: Option<&str>, d: Option<&str>| Item {
            untagged: u.map(Into::into),
            deleted: d.map(Into::into),
        };
        let top: std::collections::HashSet<String> = ["sha256:img1", "sha256:img2"]
            .map(String::from)
            .into_iter()
            .collect();
        let mut all = top.clone();
        all.insert("sha256:parent".into());
        let images = super::KnownImages { top, all };
        let removed = super::sort_deleted(
            &[
                item(Some("a:1"), None),
                item(None, Some("sha256:img1")),
                item(None, Some("sha256:layer1")),
                item(None, Some("sha256:layer2")),
                item(None, Some("sha256:img2")),
                item(None, Some("sha256:parent")),
            ],
            &images,
        );
        assert_eq!(removed.images, vec!["sha256:img1", "sha256:img2"]);
        assert_eq!((removed.intermediate, removed.layers), (1, 2));
        assert_eq!(
            removed.summary(),
            "2 images (1 intermediate image, 2 layers), 1 tag untagged"
        );
        let one = super::sort_deleted(
            &[
                item(None, Some("sha256:img1")),
                item(None, Some("sha256:l")),
            ],
            &images,
        );
        assert_eq!(one.summary(), "1 image (1 layer)");
    }

    #[test]
    fn splits_tags_but_not_ports() {
        assert_eq!(split_tag("busybox"), ("busybox", "latest"));
        assert_eq!(split_tag("busybox:1.36"), ("busybox", "1.36"));
        assert_eq!(
            split_tag("localhost:5000/x/y"),
            ("localhost:5000/x/y", "latest")
        );
        assert_eq!(
            split_tag("localhost:5000/x/y:v2"),
            ("localhost:5000/x/y", "v2")
        );
    }
}
