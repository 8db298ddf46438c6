//! Vertex names captured from dockerd 20.10's BuildKit (`docker build --progress=plain`) mapped
//! to the lines of the Dockerfiles that produced them.
use super::*;
use crate::dockerfile::parse;

/// The multi-stage file the names below were captured from.
const MULTI: &str = "# syntax check none
ARG BASE=dh-busybox:1
FROM ${BASE} AS build
ARG MSG=hi
WORKDIR /w
RUN --mount=type=cache,target=/cache echo $MSG > /w/a && ls /cache
COPY --chmod=0751 app.txt /w/app.txt
RUN --mount=type=secret,id=tok cat /run/secrets/tok | wc -c > /w/toklen

FROM dh-busybox:1
RUN echo other > /o

FROM scratch AS final
COPY --from=build /w /w
COPY --from=1 /o /o
ENV X=1
";

fn line(origin: Origin) -> Option<(usize, usize)> {
    match origin {
        Origin::Step(s) => Some((s.start_line, s.end_line)),
        _ => None,
    }
}

#[test]
fn multi_stage_names_map_to_their_lines() {
    let file = parse(MULTI);
    let st = stages(&file);
    let at = |name: &str| line(locate(&file, &st, name));
    assert_eq!(at("[build 2/5] WORKDIR /w"), Some((5, 5)));
    assert_eq!(
        at("[build 3/5] RUN --mount=type=cache,target=/cache echo hi > /w/a && ls /cache"),
        Some((6, 6))
    );
    assert_eq!(
        at("[build 4/5] COPY --chmod=0751 app.txt /w/app.txt"),
        Some((7, 7))
    );
    assert_eq!(
        at("[build 5/5] RUN --mount=type=secret,id=tok cat /run/secrets/tok | wc -c > /w/toklen"),
        Some((8, 8))
    );
    assert_eq!(
        at("[build 1/5] FROM docker.io/library/dh-busybox:1"),
        Some((3, 3))
    );
    assert_eq!(
        at("[stage-1 1/2] FROM docker.io/library/dh-busybox:1"),
        Some((10, 10))
    );
    assert_eq!(at("[stage-1 2/2] RUN echo other > /o"), Some((11, 11)));
    // FROM scratch makes no vertex: the final stage counts its two COPYs.
    assert_eq!(at("[final 1/2] COPY --from=build /w /w"), Some((14, 14)));
    assert_eq!(at("[final 2/2] COPY --from=1 /o /o"), Some((15, 15)));
    // A count that does not fit the file (edited since) maps nowhere rather than to a wrong line.
    assert_eq!(at("[build 2/6] WORKDIR /w"), None);
    assert_eq!(at("[build 3/5] COPY x y"), None);
    assert_eq!(at("[nosuch 1/1] RUN x"), None);
}

#[test]
fn internal_vertices() {
    let file = parse(MULTI);
    let st = stages(&file);
    assert_eq!(
        locate(
            &file,
            &st,
            "[internal] load build definition from Dockerfile"
        ),
        Origin::Definition
    );
    assert_eq!(
        locate(&file, &st, "[internal] load .dockerignore"),
        Origin::Dockerignore
    );
    assert_eq!(
        locate(&file, &st, "[internal] load build context"),
        Origin::Context
    );
    assert_eq!(
        locate(
            &file,
            &st,
            "[internal] load metadata for docker.io/library/dh-busybox:1"
        ),
        Origin::BaseImage {
            image: "docker.io/library/dh-busybox:1".into(),
            lines: vec![3, 10]
        }
    );
    assert_eq!(locate(&file, &st, "exporting to image"), Origin::Other);
}

#[test]
fn one_stage_names_have_no_label() {
    let src = "FROM dh-busybox:1\nRUN echo a\nRUN \\\n  false\n";
    let file = parse(src);
    let st = stages(&file);
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].label, None);
    let at = |name: &str| line(locate(&file, &st, name));
    assert_eq!(
        at("[1/3] FROM docker.io/library/dh-busybox:1"),
        Some((1, 1))
    );
    assert_eq!(at("[2/3] RUN echo a"), Some((2, 2)));
    assert_eq!(at("[3/3] RUN false"), Some((3, 4)));
    assert_eq!(at("[stage-1 3/3] RUN false"), None);
    assert_eq!(at("[build 3/3] RUN false"), None);
}

#[test]
fn a_one_stage_file_labelled_stage_0_maps_too() {
    // Captured from dockerd 20.10 building with a build argument.
    let src = "FROM dh-busybox:1\nARG N\nRUN --mount=type=cache,target=/cache,id=c-1 echo $N >> /cache/log && cp /cache/log /seen\n";
    let file = parse(src);
    let st = stages(&file);
    let name = "[stage-0 2/2] RUN --mount=type=cache,target=/cache,id=c-22053-1-d75c794f40 echo two >> /cache/log && cp /cache/log /seen";
    assert_eq!(line(locate(&file, &st, name)), Some((3, 3)));
    assert_eq!(
        line(locate(
            &file,
            &st,
            "[stage-0 1/2] FROM docker.io/library/dh-busybox:1"
        )),
        Some((1, 1))
    );
}

#[test]
fn names_parse_with_platform_prefix() {
    assert_eq!(
        parse_name("[linux/amd64 build 2/3] RUN make"),
        VertexName::Step(StepName {
            platform: Some("linux/amd64".into()),
            stage: Some("build".into()),
            index: 2,
            total: 3,
            text: "RUN make".into()
        })
    );
    assert_eq!(parse_name("[4/3] RUN x"), VertexName::Other);
    assert_eq!(parse_name("[a b 1/2] RUN x"), VertexName::Other);
    assert_eq!(parse_name("exporting to image"), VertexName::Other);
}

#[test]
fn substitution_and_image_names() {
    let vars = vec![
        ("A".to_string(), "x".to_string()),
        ("B".to_string(), "y".to_string()),
    ];
    assert_eq!(substitute("$A-${B}-${A:-z}-$C-$", &vars), "x-y-x--$");
    assert_eq!(
        normalize_image("docker.io/library/busybox"),
        "busybox:latest"
    );
    assert_eq!(normalize_image("team/app:1"), "team/app:1");
}
