//! Seeded fuzzing of the parsers that read hostile input: the Dockerfile parser and linter, the
//! layer archive reader, and the registry's JSON (catalog, tags, manifests, index, config).
//! Real seeds (tests/fixtures, archives and documents built here) are mutated by a tiny
//! xorshift PRNG; every input must give a result or a clear error — no panic, bounded output,
//! bounded time per input. Each target runs a fixed number of cases (a few seconds); set
//! `DH_FUZZ_SEED` to explore another sequence.
use std::io::{Read, Write};
use std::net::TcpListener;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dockhand::layers::{Limits, analyze_reader_with};
use dockhand::registry::{ClientOptions, RegistryClient};

/// xorshift64*: tiny, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(salt: u64) -> Self {
        let seed = std::env::var("DH_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0x5eed_d0c4_4a4d);
        Rng((seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One to four mutations: flip, set an interesting byte, insert a token, delete, duplicate,
/// truncate, or splice in part of another seed.
fn mutate(rng: &mut Rng, input: &[u8], tokens: &[&[u8]], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                const BYTES: [u8; 10] = [0, 0xff, 0x7f, b'0', b'9', b' ', b'\n', b'"', b'\\', 0x80];
                let i = at.min(v.len() - 1);
                v[i] = BYTES[rng.below(BYTES.len())];
            }
            2 => {
                let t = tokens[rng.below(tokens.len())];
                v.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(v.len());
                v.drain(at..end);
            }
            4 => {
                let end = (at + rng.below(256)).min(v.len());
                let copy = v[at..end].to_vec();
                v.splice(at..at, copy);
            }
            5 => v.truncate(at),
            _ => {
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(512)).min(other.len());
                v.splice(at..at, other[from..end].iter().copied());
            }
        }
    }
    v
}

/// Runs `case` on `input`, turning a panic or a slow input into a failure that shows it.
fn run_case(target: &str, n: usize, input: &[u8], case: impl FnOnce()) {
    let started = Instant::now();
    if catch_unwind(AssertUnwindSafe(case)).is_err() {
        let shown = String::from_utf8_lossy(&input[..input.len().min(2000)]);
        panic!(
            "{target} case {n} panicked on {} bytes: {shown:?}",
            input.len()
        );
    }
    let took = started.elapsed();
    if took > Duration::from_millis(200) {
        eprintln!("{target} case {n}: {took:?} for {} bytes", input.len());
        if let Some(dir) = std::env::var_os("DH_FUZZ_DUMP") {
            let _ = std::fs::write(
                std::path::Path::new(&dir).join(format!("{target}-{n}")),
                input,
            );
        }
    }
    assert!(
        took < Duration::from_secs(3),
        "{target} case {n} took {took:?}"
    );
}

fn budget(target: &str, started: Instant) {
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "{target}: {took:?} in all");
    eprintln!("{target}: {took:?}");
}

// ---------------------------------------------------------------- Dockerfile parser + linter

const DOCKERFILE_TOKENS: &[&[u8]] = &[
    b"FROM ",
    b"RUN ",
    b"COPY ",
    b"ADD ",
    b"ENV ",
    b"ARG ",
    b"LABEL ",
    b"USER ",
    b"WORKDIR ",
    b"ONBUILD ",
    b"HEALTHCHECK ",
    b"SHELL ",
    b"CMD ",
    b"ENTRYPOINT ",
    b"EXPOSE ",
    b"STOPSIGNAL ",
    b"\\\n",
    b"`\n",
    b"\r\n",
    b"\n\n",
    b"<<EOF\n",
    b"<<-'EOF'\n",
    b"\nEOF\n",
    b"${",
    b"}",
    b"$",
    b"${A:-${B:+x}}",
    b"--mount=type=cache,target=/x ",
    b"--from=",
    b"AS ",
    b"[\"",
    b"\"]",
    b"# syntax=docker/dockerfile:1\n",
    b"# escape=`\n",
    b"# check=skip=all\n",
    b"\t",
    b"\xe2\x80\xae",
    b"\x1b[2J",
    b"=",
    b"'",
    b"\"",
    b" && ",
    b"apt-get install -y ",
    b"\xff",
    b"\0",
];

fn dockerfile_seeds() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .map(|p| std::fs::read(p).expect("read fixture"))
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 20, "fixtures missing: {}", seeds.len());
    seeds
}

fn check_dockerfile(src: &str) {
    let file = dockhand::dockerfile::parse(src);
    let diags = dockhand::dockerfile::lint(&file);
    let lines = src.lines().count() + 1;
    // Bounded output: a few findings per line at most, each pointing into the file.
    assert!(
        diags.len() <= 16 * lines,
        "{} findings for {lines} lines",
        diags.len()
    );
    for d in &diags {
        assert!(
            d.line <= lines + 1,
            "{} points at line {} of {lines}",
            d.code,
            d.line
        );
        assert!(!d.message.is_empty() && d.message.len() < 4 * src.len() + 2000);
    }
    assert!(file.errors.len() <= lines + 1);
    for e in &file.errors {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn dockerfile_parser_and_linter_survive_mutations() {
    let seeds = dockerfile_seeds();
    let mut rng = Rng::new(1);
    let started = Instant::now();
    // The seeds themselves, then mutants, then pathological shapes.
    let mut inputs: Vec<Vec<u8>> = seeds.clone();
    for _ in 0..4000 {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        inputs.push(mutate(&mut rng, a, DOCKERFILE_TOKENS, b));
    }
    inputs.push(b"RUN a \\\n".repeat(20_000));
    inputs.push(b"FROM a\nRUN <<EOF\n".repeat(2_000));
    inputs.push(format!("FROM a\nENV A={}\n", "${A}".repeat(50_000)).into_bytes());
    inputs.push(format!("FROM a\nRUN [{}]\n", "\"x\",".repeat(50_000)).into_bytes());
    // One huge unknown "instruction": once 4 s for 100 kB (a suggestion table per keyword).
    inputs.push(b"\\".repeat(1_000_000));
    inputs.push(b"X".repeat(1_000_000));
    for (n, input) in inputs.iter().enumerate() {
        let src = String::from_utf8_lossy(input);
        run_case("dockerfile", n, input, || check_dockerfile(&src));
    }
    budget("dockerfile", started);
}

// ---------------------------------------------------------------- layer archives

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(if name.ends_with('/') {
            tar::EntryType::Directory
        } else {
            tar::EntryType::Regular
        });
        b.append_data(&mut h, name, *data).expect("append");
    }
    b.into_inner().expect("tar")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fn docker_save(layers: &[Vec<u8>]) -> Vec<u8> {
    let n = layers.len();
    let config = format!(
        r#"{{"rootfs":{{"type":"layers","diff_ids":[{}]}},"history":[{}]}}"#,
        (0..n)
            .map(|i| format!("\"sha256:{i:064}\""))
            .collect::<Vec<_>>()
            .join(","),
        (0..n)
            .map(|i| format!("{{\"created_by\":\"RUN {i}\"}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let manifest = format!(
        r#"[{{"Config":"c.json","RepoTags":["f:1"],"Layers":[{}]}}]"#,
        (0..n)
            .map(|i| format!("\"l{i}/layer.tar\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let names: Vec<String> = (0..n).map(|i| format!("l{i}/layer.tar")).collect();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("c.json", config.as_bytes()),
        ("manifest.json", manifest.as_bytes()),
    ];
    for (name, l) in names.iter().zip(layers) {
        files.push((name, l));
    }
    tar_of(&files)
}

fn oci_layout(layers: &[Vec<u8>]) -> Vec<u8> {
    use sha2::Digest;
    let hex = |b: &[u8]| format!("{:x}", sha2::Sha256::digest(b));
    let config =
        br#"{"rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"ADD x"}]}"#;
    let layer_descs: Vec<String> = layers
        .iter()
        .map(|l| format!(r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{}","size":{}}}"#, hex(l), l.len()))
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{}}},"layers":[{}]}}"#,
        hex(config),
        config.len(),
        layer_descs.join(",")
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
        hex(manifest.as_bytes()),
        manifest.len()
    );
    let mut blobs: Vec<(String, Vec<u8>)> = vec![
        (format!("blobs/sha256/{}", hex(config)), config.to_vec()),
        (
            format!("blobs/sha256/{}", hex(manifest.as_bytes())),
            manifest.into_bytes(),
        ),
    ];
    for l in layers {
        blobs.push((format!("blobs/sha256/{}", hex(l)), l.clone()));
    }
    let mut files: Vec<(&str, &[u8])> = vec![
        ("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#),
        ("index.json", index.as_bytes()),
    ];
    for (n, d) in &blobs {
        files.push((n, d));
    }
    tar_of(&files)
}

fn archive_seeds() -> Vec<Vec<u8>> {
    let base = tar_of(&[("etc/", b""), ("etc/a", b"hello"), ("bin/sh", b"#!")]);
    let upper = tar_of(&[
        ("etc/", b""),
        ("etc/a", b"hello world"),
        ("etc/.wh.b", b""),
        (".wh..wh..opq", b""),
    ]);
    vec![
        docker_save(&[base.clone(), upper.clone()]),
        docker_save(&[gzip(&base), upper.clone()]),
        oci_layout(&[gzip(&base), gzip(&upper)]),
        base,
    ]
}

const ARCHIVE_TOKENS: &[&[u8]] = &[
    b"../../",
    b"/",
    b".wh.",
    b".wh..wh..opq",
    b"manifest.json",
    b"index.json",
    b"\x1f\x8b\x08",
    b"\x28\xb5\x2f\xfd",
    b"77777777777",
    b"\0\0\0\0",
    b"ustar\0",
    b"{",
    b"[",
    b"null",
    b"blobs/sha256/",
];

#[test]
fn layer_archives_survive_mutations() {
    let seeds = archive_seeds();
    let mut rng = Rng::new(2);
    let limits = Limits {
        max_entry_size: 64 << 20,
        max_json_bytes: 1 << 20,
        max_entries: 100_000,
        max_name_bytes: 8 << 20,
        gzip_floor_bytes: 16 << 20,
        gzip_max_ratio: 100,
        max_layers: 64,
    };
    let started = Instant::now();
    let mut outcomes = [0usize; 2];
    for n in 0..2000 {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        let input = if n < seeds.len() {
            seeds[n].clone()
        } else {
            mutate(&mut rng, a, ARCHIVE_TOKENS, b)
        };
        let limits = limits.clone();
        run_case("archive", n, &input, || {
            let cancel = AtomicBool::new(false);
            match analyze_reader_with(&input[..], limits, &mut |_| {}, &cancel) {
                Ok(a) => {
                    outcomes[0] += 1;
                    let f = &a.figures;
                    assert!(!f.efficiency.is_nan() && !f.user_wasted_percent.is_nan());
                    let entries: usize = a.layers.iter().map(|l| l.entries.len()).sum();
                    assert!(entries <= 100_000);
                }
                Err(e) => {
                    outcomes[1] += 1;
                    let msg = e.to_string();
                    assert!(!msg.is_empty() && msg.len() < 4096, "{msg}");
                }
            }
        });
    }
    // The seeds parse; most mutants are refused, some still parse.
    assert!(outcomes[0] >= 3 && outcomes[1] > 0, "{outcomes:?}");
    // Bounded memory: the limits above hold (the peak of the whole test process).
    let peak_kib: u64 = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    assert!(peak_kib < 1024 * 1024, "peak RSS {peak_kib} KiB");
    budget("archive", started);
}

// ---------------------------------------------------------------- registry JSON

/// A registry on loopback that answers every request with the document set for its path kind.
struct JsonRegistry {
    addr: String,
    docs: Arc<Mutex<[Vec<u8>; 4]>>,
}

const CATALOG: usize = 0;
const TAGS: usize = 1;
const MANIFEST: usize = 2;
const BLOB: usize = 3;

impl JsonRegistry {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let docs: Arc<Mutex<[Vec<u8>; 4]>> = Arc::default();
        let shared = docs.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut s) = conn else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let which = if path.starts_with("/v2/_catalog") {
                    Some(CATALOG)
                } else if path.contains("/tags/list") {
                    Some(TAGS)
                } else if path.contains("/manifests/") {
                    Some(MANIFEST)
                } else if path.contains("/blobs/") {
                    Some(BLOB)
                } else {
                    None
                };
                let body = match which {
                    Some(i) => shared.lock().expect("docs")[i].clone(),
                    None => b"{}".to_vec(),
                };
                let ctype = if which == Some(MANIFEST) {
                    "application/vnd.oci.image.manifest.v1+json"
                } else {
                    "application/json"
                };
                let _ = s.write_all(format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nDocker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n\r\n",
                    body.len()
                ).as_bytes());
                let _ = s.write_all(&body);
            }
        });
        Self { addr, docs }
    }
}

const JSON_TOKENS: &[&[u8]] = &[
    b"null",
    b"[]",
    b"{}",
    b"1e999",
    b"-1",
    b"18446744073709551616",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b",",
    b":",
    b"\"",
    b"true",
    b"\"schemaVersion\":1,",
    b"\"manifests\":[],",
    b"\"layers\":null,",
    b"\"sha256:zz\"",
    b"\"platform\":{\"os\":1},",
    b"\x1b]0;x\x07",
];

fn registry_seeds() -> [Vec<u8>; 4] {
    let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
    [
        br#"{"repositories":["a","b/c","d"]}"#.to_vec(),
        br#"{"name":"a","tags":["1","latest","v2.0"]}"#.to_vec(),
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":10}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":20}}]}}"#,
            d('a'), d('b')
        ).into_bytes(),
        br#"{"created":"2024-01-01T00:00:00Z","os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec(),
    ]
}

fn index_seed() -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":5,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
        "c".repeat(64)
    ).into_bytes()
}

#[test]
fn registry_json_survives_mutations() {
    let reg = JsonRegistry::start();
    let client = RegistryClient::new(
        &reg.addr,
        ClientOptions {
            timeout: Duration::from_secs(5),
            ..ClientOptions::default()
        },
    )
    .expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let seeds = registry_seeds();
    let index = index_seed();
    let mut rng = Rng::new(3);
    let started = Instant::now();
    for n in 0..600 {
        let mut docs = seeds.clone();
        if n % 3 == 0 {
            docs[MANIFEST] = index.clone();
        }
        if n >= 2 {
            for (i, doc) in docs.iter_mut().enumerate() {
                let other = &seeds[(i + 1) % 4];
                *doc = mutate(&mut rng, doc, JSON_TOKENS, other);
            }
        }
        *reg.docs.lock().expect("docs") = docs.clone();
        let input = docs.concat();
        run_case("registry", n, &input, || {
            rt.block_on(async {
                let check = |r: Result<usize, dockhand::registry::RegistryError>| {
                    if let Err(e) = r {
                        let msg = e.to_string();
                        assert!(!msg.is_empty() && msg.len() < 8192, "{msg}");
                    }
                };
                check(client.catalog().await.map(|v| v.len()));
                check(client.tags("a").await.map(|v| v.len()));
                let m = client.manifest("a", "1").await;
                if n < 2 {
                    assert!(m.is_ok(), "seed manifest: {m:?}");
                }
                check(m.map(|m| m.size as usize));
            })
        });
    }
    budget("registry", started);
}
