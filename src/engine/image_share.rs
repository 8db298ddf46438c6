//! Per-image shared and unique bytes, computed the way the engine does for `docker system df`:
//! a layer (identified by its chain: the layer and all below it) counts as shared when more than
//! one image holds it; an image's unique bytes are its size minus its shared bytes.
//!
//! Engines that report `SharedSize` are taken at their word; this fills it in where one is left
//! out (`-1`), from each image's layers and history.
use std::collections::HashMap;

use bollard::Docker;

use super::EngineError;
use super::disk_types::DiskImage;
use super::prune::{ImageLayers, layer_sizes};

/// `(shared, unique)` bytes of each image, keyed by image ID.
pub fn shared_sizes(layers: &HashMap<String, ImageLayers>) -> HashMap<String, (u64, u64)> {
    let chains = |l: &ImageLayers| -> Vec<(String, u64)> {
        let mut key = String::new();
        l.layers
            .iter()
            .zip(&l.layer_sizes)
            .map(|(layer, size)| {
                key.push_str(layer);
                key.push('|');
                (key.clone(), *size)
            })
            .collect()
    };
    let mut refs: HashMap<String, usize> = HashMap::new();
    for l in layers.values() {
        for (key, _) in chains(l) {
            *refs.entry(key).or_default() += 1;
        }
    }
    layers
        .iter()
        .map(|(id, l)| {
            let (mut shared, mut total) = (0, 0);
            for (key, size) in chains(l) {
                total += size;
                if refs.get(&key).is_some_and(|n| *n > 1) {
                    shared += size;
                }
            }
            (id.clone(), (shared, total - shared))
        })
        .collect()
}

/// Reads every image's layers and their sizes (inspect + history).
pub async fn image_layers(
    docker: &Docker,
    ids: &[String],
) -> Result<HashMap<String, ImageLayers>, EngineError> {
    let mut out = HashMap::new();
    for id in ids {
        let d = super::images::details(docker, id).await?;
        out.insert(
            id.clone(),
            ImageLayers {
                layer_sizes: layer_sizes(&d.layers, &d.history),
                layers: d.layers,
                ancestors: Vec::new(),
            },
        );
    }
    Ok(out)
}

/// Fills in `shared_size` and `unique_size` of images the engine did not report them for.
pub async fn fill_shared_sizes(
    docker: &Docker,
    images: &mut [DiskImage],
) -> Result<(), EngineError> {
    if images.iter().all(|i| i.shared_size.is_some()) {
        return Ok(());
    }
    let ids: Vec<String> = images.iter().map(|i| i.id.clone()).collect();
    let sizes = shared_sizes(&image_layers(docker, &ids).await?);
    for image in images.iter_mut().filter(|i| i.shared_size.is_none()) {
        if let Some((shared, unique)) = sizes.get(&image.id) {
            image.shared_size = Some(*shared);
            image.unique_size = Some(*unique);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lay(layers: &[&str], sizes: &[u64]) -> ImageLayers {
        ImageLayers {
            layers: layers.iter().map(|l| l.to_string()).collect(),
            layer_sizes: sizes.to_vec(),
            ancestors: vec![],
        }
    }

    #[test]
    fn shared_layers_are_counted_per_chain() {
        let mut m = HashMap::new();
        m.insert("base".to_string(), lay(&["a"], &[100]));
        m.insert("app".to_string(), lay(&["a", "b"], &[100, 20]));
        m.insert("alone".to_string(), lay(&["c", "b"], &[5, 20]));
        let s = shared_sizes(&m);
        assert_eq!(s["base"], (100, 0));
        assert_eq!(s["app"], (100, 20));
        // Same diff `b` on another base is another chain: not shared.
        assert_eq!(s["alone"], (0, 25));
    }
}
