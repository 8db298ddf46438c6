//! A registry whose catalog never ends (a `Link: rel="next"` on every page, up to 100,000 names
//! a page): listings stop at their budget with a cursor to read on, report progress, and stop
//! requesting pages when cancelled or replaced. Bounded in time and memory.

mod registry_support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dockhand::engine::registry::{RegistryRequest, Requests};
use dockhand::engine::{EngineEvent, Sink};
use dockhand::registry::client::{CatalogLimits, MAX_CATALOG_NAMES, MAX_CATALOG_PAGES};
use dockhand::registry::{ClientOptions, RegistryClient, RegistryEntry};
use registry_support::fake::EndlessCatalog;

fn client(addr: &str) -> RegistryClient {
    RegistryClient::new(addr, ClientOptions::default()).expect("client")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn huge_pages_are_cut_at_the_name_budget_with_a_cursor_after_the_last_name() {
    let fake = EndlessCatalog::start(100_000, Duration::ZERO);
    let started = Instant::now();
    let c = client(&fake.addr);
    let mut seen = Vec::new();
    let chunk = rt()
        .block_on(c.catalog_chunk(None, CatalogLimits::default(), &mut |n| seen.push(n)))
        .expect("first chunk");
    assert_eq!(chunk.names.len(), MAX_CATALOG_NAMES);
    assert_eq!(chunk.pages, 1);
    assert_eq!(seen, vec![MAX_CATALOG_NAMES]);
    assert_eq!(chunk.names.last().map(String::as_str), Some("r000009999"));
    let cursor = chunk.more.expect("more available");
    assert!(
        cursor.as_str().contains("last=r000009999"),
        "{}",
        cursor.as_str()
    );
    // Reading on continues right after the last name.
    let next = rt()
        .block_on(c.catalog_chunk(Some(&cursor), CatalogLimits::default(), &mut |_| {}))
        .expect("second chunk");
    assert_eq!(next.names[0], "r000010000");
    assert_eq!(fake.pages.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The plain listing is the first chunk: bounded too.
    assert_eq!(
        rt().block_on(c.catalog()).expect("catalog").len(),
        MAX_CATALOG_NAMES
    );
    let peak = peak_rss_kib();
    eprintln!(
        "three 10,000-name chunks of 100,000-name pages: {:?}, peak RSS {peak} KiB",
        started.elapsed()
    );
    assert!(peak < 300 * 1024, "peak RSS {peak} KiB");
}

/// The process's peak resident set (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn endless_small_pages_stop_at_the_page_budget() {
    let fake = EndlessCatalog::start(100, Duration::ZERO);
    let c = client(&fake.addr);
    let mut seen = Vec::new();
    let chunk = rt()
        .block_on(c.catalog_chunk(None, CatalogLimits::default(), &mut |n| seen.push(n)))
        .expect("chunk");
    assert_eq!(chunk.pages, MAX_CATALOG_PAGES);
    assert_eq!(chunk.names.len(), 100 * MAX_CATALOG_PAGES);
    assert_eq!(seen.len(), MAX_CATALOG_PAGES);
    assert_eq!(seen.last(), Some(&chunk.names.len()));
    assert_eq!(fake.pages.load(Ordering::SeqCst), MAX_CATALOG_PAGES);
    let cursor = chunk.more.expect("more available");
    let next = rt()
        .block_on(c.catalog_chunk(
            Some(&cursor),
            CatalogLimits {
                max_names: 150,
                max_pages: 5,
            },
            &mut |_| {},
        ))
        .expect("next");
    assert_eq!(next.names.len(), 150);
    assert_eq!(next.names[0], format!("r{:09}", 100 * MAX_CATALOG_PAGES));
}

fn browse_entry(addr: &str) -> RegistryEntry {
    RegistryEntry {
        name: "endless".into(),
        url: addr.to_string(),
        insecure: true,
    }
}

/// Waits until the fake has served `n` pages (slow pages: 100 ms each).
fn wait_pages(fake: &EndlessCatalog, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.pages.load(Ordering::SeqCst) < n {
        assert!(Instant::now() < deadline, "the request never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_no_more_pages(fake: &EndlessCatalog) {
    std::thread::sleep(Duration::from_millis(300));
    let stopped_at = fake.pages.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        fake.pages.load(Ordering::SeqCst),
        stopped_at,
        "pages kept coming"
    );
    assert!(stopped_at < MAX_CATALOG_PAGES);
}

#[test]
fn cancelling_or_replacing_a_browse_stops_the_page_requests() {
    let runtime = rt();
    let _guard = runtime.enter();
    let replies = Arc::new(Mutex::new(Vec::new()));
    let r = replies.clone();
    let sink: Sink = Arc::new(move |ev: EngineEvent| r.lock().unwrap().push(format!("{ev:?}")));
    let requests = Requests::default();

    let fake = EndlessCatalog::start(100, Duration::from_millis(100));
    requests.start(
        None,
        RegistryRequest::Catalog(browse_entry(&fake.addr)),
        sink.clone(),
    );
    wait_pages(&fake, 2);
    requests.cancel_browse();
    assert_no_more_pages(&fake);

    // A newer browse request replaces the older one.
    let fake = EndlessCatalog::start(100, Duration::from_millis(100));
    let other = EndlessCatalog::start(100, Duration::ZERO);
    requests.start(
        None,
        RegistryRequest::Catalog(browse_entry(&fake.addr)),
        sink.clone(),
    );
    wait_pages(&fake, 2);
    // A clone (the disconnected worker's handle) replaces it just the same.
    requests.clone().start(
        None,
        RegistryRequest::Tags {
            registry: browse_entry(&other.addr),
            repository: "r".into(),
        },
        sink,
    );
    assert_no_more_pages(&fake);
    // Only the replacing request answered (its tags list is a 404 on the fake).
    let got = replies.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("Tags"), "{got:?}");
}
