//! Unit tests of description reading and of the builder prune preview.
use super::*;

#[test]
fn descriptions_name_their_instruction() {
    let run = origin("mount / from exec /bin/sh -c dd if=/dev/zero of=/big bs=1k count=300");
    assert_eq!(
        run.instruction().as_deref(),
        Some("RUN dd if=/dev/zero of=/big bs=1k count=300")
    );
    assert_eq!(
        origin("mount / from exec /bin/busybox --install -s /bin").instruction(),
        Some("RUN /bin/busybox --install -s /bin".into())
    );
    assert_eq!(
        origin("[stage-1 2/3] RUN make -j4"),
        CacheOrigin::Step {
            stage: "stage-1 2/3".into(),
            instruction: "RUN make -j4".into()
        }
    );
    assert_eq!(
        origin("cached mount /root/.cache from exec /bin/sh -c go build ./...").instruction(),
        Some("RUN --mount=type=cache,target=/root/.cache go build ./...".into())
    );
    assert_eq!(origin("fileop target"), CacheOrigin::Copy);
    assert_eq!(
        origin("local source for context"),
        CacheOrigin::Context {
            name: "context".into()
        }
    );
    assert_eq!(origin("local source for dockerfile").instruction(), None);
    assert_eq!(
        origin("pulled from docker.io/library/alpine:3@sha256:ab").instruction(),
        Some("FROM docker.io/library/alpine:3@sha256:ab".into())
    );
    assert_eq!(
        origin("git snapshot for https://example.invalid/r.git#main"),
        CacheOrigin::Git {
            remote: "https://example.invalid/r.git#main".into()
        }
    );
    assert_eq!(
        origin("from local "),
        CacheOrigin::Other("from local".into())
    );
}

fn t(s: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(1_800_000_000 + s, 0)
}

fn rec(id: &str, parent: &str, kind: &str, size: u64, last: i64, count: u64) -> BuildCacheRecord {
    BuildCacheRecord {
        id: id.into(),
        parents: if parent.is_empty() {
            vec![]
        } else {
            vec![parent.into()]
        },
        kind: kind.into(),
        size,
        last_used_at: t(last),
        usage_count: count,
        ..Default::default()
    }
}

fn ids(p: &BuildCachePlan) -> Vec<&str> {
    p.records.iter().map(|r| r.id.as_str()).collect()
}

fn fixture() -> Vec<BuildCacheRecord> {
    let mut shared = rec("base", "", "regular", 1000, 0, 3);
    shared.shared = true;
    let mut busy = rec("busy", "mid", "regular", 5, 50, 1);
    busy.in_use = true;
    vec![
        shared,
        rec("mid", "base", "regular", 100, 10, 1),
        busy,
        rec("top", "base", "regular", 20, 20, 2),
        rec("leaf", "top", "regular", 3, 30, 1),
        rec("ctx", "", "source.local", 40, 15, 1),
        rec("fe", "", "frontend", 7, 5, 1),
    ]
}

#[test]
fn prune_all_unravels_chains_but_keeps_what_is_in_use() {
    let now = t(100).unwrap();
    let opts = BuilderPruneOptions {
        all: true,
        ..Default::default()
    };
    let p = plan(&fixture(), &opts, now);
    // Round 1: childless and unused; round 2: `top` once `leaf` went. `mid` holds `busy`.
    assert_eq!(ids(&p), vec!["leaf", "ctx", "fe", "top"]);
    assert_eq!(p.reclaim, Reclaim::Exact(70));
}

#[test]
fn prune_without_all_spares_shared_internal_and_frontend_records() {
    let now = t(100).unwrap();
    let p = plan(&fixture(), &BuilderPruneOptions::default(), now);
    assert_eq!(ids(&p), vec!["leaf", "ctx", "top"]);
    assert_eq!(p.reclaim, Reclaim::Exact(63));
}

#[test]
fn until_keeps_recently_used_records() {
    let now = t(100).unwrap();
    let opts = BuilderPruneOptions {
        all: true,
        until: Some(Duration::from_secs(75)),
        ..Default::default()
    };
    // Cut-off at t=25: `leaf` (30) was used since, and `top` still has `leaf`.
    let p = plan(&fixture(), &opts, now);
    assert_eq!(ids(&p), vec!["ctx", "fe"]);
}

#[test]
fn keep_storage_deletes_least_used_first_and_says_up_to() {
    let now = t(100).unwrap();
    let opts = BuilderPruneOptions {
        all: true,
        keep_storage: Some(150),
        ..Default::default()
    };
    // Total 175 (the shared record is not counted). `fe` (oldest use) goes first: 168; then
    // `ctx` (used before `leaf`): 128, below the budget, so the rounds stop. At most the whole
    // cascade (70) goes.
    let p = plan(&fixture(), &opts, now);
    assert_eq!(p.expected, Some(47));
    assert_eq!(p.reclaim, Reclaim::UpTo(70));
    assert_eq!(ids(&p), vec!["fe", "ctx", "leaf", "top"]);
    assert!(p.records.iter().all(|r| !r.certain));
    let nothing = BuilderPruneOptions {
        keep_storage: Some(176),
        all: true,
        ..Default::default()
    };
    assert_eq!(plan(&fixture(), &nothing, now).expected, Some(0));
}

#[test]
fn queries_follow_the_api_version() {
    let opts = BuilderPruneOptions {
        all: true,
        until: Some(Duration::from_secs(86_400)),
        keep_storage: Some(5),
    };
    let q = prune_query(&opts, (1, 41));
    assert!(q.starts_with("?all=1&keep-storage=5&filters=%7B%22until"));
    assert!(q.contains("86400s"));
    assert!(prune_query(&opts, (1, 48)).contains("reserved-space=5"));
    assert_eq!(prune_query(&BuilderPruneOptions::default(), (1, 41)), "");
}
