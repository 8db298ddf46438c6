//! Bounded listings: catalog and tag pages are read up to a budget of names and pages per
//! request, keeping at most that many names in memory even when one page holds far more, and a
//! catalog request that stops early hands back a cursor to continue on demand.
use serde::Deserialize;
use serde::de::{IgnoredAny, SeqAccess, Visitor};

/// Most repository names one catalog request collects.
pub const MAX_CATALOG_NAMES: usize = 10_000;
/// Most catalog pages one request reads.
pub const MAX_CATALOG_PAGES: usize = 20;
/// Most tags read for one repository (a bigger list is an error that says so).
pub const MAX_TAGS: usize = 100_000;
/// Most tag pages read for one repository.
pub const MAX_TAG_PAGES: usize = 1_000;

/// Budget of one catalog request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogLimits {
    /// Names to collect before stopping.
    pub max_names: usize,
    /// Pages to read before stopping.
    pub max_pages: usize,
}

impl Default for CatalogLimits {
    fn default() -> Self {
        Self {
            max_names: MAX_CATALOG_NAMES,
            max_pages: MAX_CATALOG_PAGES,
        }
    }
}

/// Where a catalog listing continues: the address of its next page on the same registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogCursor(pub(crate) String);

impl CatalogCursor {
    /// The next page's path and query (for display or logging).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Part of a registry's catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogChunk {
    /// Repository names, in the registry's order.
    pub names: Vec<String>,
    /// `Some` when the registry has more: pass it to continue after `names`.
    pub more: Option<CatalogCursor>,
    /// Pages read.
    pub pages: usize,
}

/// The names of one list page (`repositories` or `tags`), keeping the first
/// [`MAX_CATALOG_NAMES`] and [`MAX_TAGS`] of them respectively and only counting the rest.
#[derive(Debug, Default)]
pub(crate) struct CappedNames<const CAP: usize> {
    /// The names kept.
    pub names: Vec<String>,
    /// How many the page listed.
    pub total: usize,
}

impl<'de, const CAP: usize> Deserialize<'de> for CappedNames<CAP> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const C: usize>;
        impl<'de, const C: usize> Visitor<'de> for V<C> {
            type Value = CappedNames<C>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = CappedNames::<C>::default();
                loop {
                    let more = if out.names.len() < C {
                        seq.next_element::<String>()?.map(|s| out.names.push(s))
                    } else {
                        seq.next_element::<IgnoredAny>()?.map(|_| ())
                    };
                    if more.is_none() {
                        return Ok(out);
                    }
                    out.total += 1;
                }
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(CappedNames::default())
            }
        }
        d.deserialize_any(V::<CAP>)
    }
}

#[derive(Deserialize)]
pub(crate) struct CatalogPage {
    #[serde(default)]
    pub repositories: CappedNames<MAX_CATALOG_NAMES>,
}

#[derive(Deserialize)]
pub(crate) struct TagsPage {
    #[serde(default)]
    pub tags: CappedNames<MAX_TAGS>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_at_most_the_cap_and_counts_the_rest() {
        let names: Vec<String> = (0..MAX_CATALOG_NAMES + 5)
            .map(|i| format!("r{i}"))
            .collect();
        let body = serde_json::json!({ "repositories": names }).to_string();
        let page: CatalogPage = serde_json::from_str(&body).unwrap();
        assert_eq!(page.repositories.names.len(), MAX_CATALOG_NAMES);
        assert_eq!(page.repositories.total, MAX_CATALOG_NAMES + 5);
        assert_eq!(page.repositories.names[0], "r0");
    }

    #[test]
    fn null_missing_and_wrong_types() {
        let page: CatalogPage = serde_json::from_str(r#"{"repositories": null}"#).unwrap();
        assert_eq!(page.repositories.total, 0);
        let page: TagsPage = serde_json::from_str(r#"{"name": "x"}"#).unwrap();
        assert!(page.tags.names.is_empty());
        assert!(serde_json::from_str::<CatalogPage>(r#"{"repositories": [1]}"#).is_err());
        assert!(serde_json::from_str::<CatalogPage>(r#"{"repositories": "a"}"#).is_err());
    }
}
