#!/usr/bin/env python3
"""Writes tests/fixtures/lint-corpus/*.Dockerfile: realistic Dockerfiles composed from the patterns
found in official images and popular projects (apt/apk/yum/dnf/zypper/pip/npm/yarn/gem/go installs,
multi-stage builds, heredocs, ARG before FROM, ONBUILD, healthchecks, labels, shells, the escape
directive), good and bad variants mixed, so that every DL rule fires several times. Deterministic
(seeded); the output is committed. Run: python3 tests/lint_corpus_gen.py"""

import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "lint-corpus")

BASES = {
    "debian": ["debian:bookworm-slim", "debian:12", "debian", "debian:latest", "ubuntu:22.04", "ubuntu:24.04", "ubuntu", "buildpack-deps:bookworm"],
    "alpine": ["alpine:3.19", "alpine:3.20", "alpine", "alpine:latest"],
    "centos": ["centos:7", "rockylinux:9", "amazonlinux:2"],
    "fedora": ["fedora:40", "registry.fedoraproject.org/fedora:39", "redhat/ubi9-minimal:9.4"],
    "suse": ["opensuse/leap:15.6", "opensuse/tumbleweed"],
    "python": ["python:3.12-slim", "python:3.11", "python:3.12-alpine", "python"],
    "node": ["node:20-bookworm-slim", "node:20-alpine", "node:lts", "node"],
    "go": ["golang:1.22", "golang:1.22-alpine", "golang"],
    "ruby": ["ruby:3.3-slim", "ruby:3.2"],
    "java": ["eclipse-temurin:21-jdk", "maven:3.9-eclipse-temurin-21", "openjdk:17"],
}

APT = [
    "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n        ca-certificates=20230311 \\\n        curl=7.88.1-10+deb12u5 \\\n    && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get install -y git",
    "RUN apt-get update && apt-get install git curl",
    "RUN apt-get install -y --no-install-recommends build-essential",
    "RUN apt-get update\nRUN apt-get install -y --no-install-recommends tzdata && rm -rf /var/lib/apt/lists/*",
    "RUN apt update && apt install -y vim-tiny",
    "RUN sudo apt-get update && sudo apt-get install -y gosu",
    "RUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y --no-install-recommends gnupg dirmngr wget; \\\n    rm -rf /var/lib/apt/lists/*",
    "RUN DEBIAN_FRONTEND=noninteractive apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends locales && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get -y install -t bookworm-backports --no-install-recommends golang && apt-get clean && rm -rf /var/lib/apt/lists/*",
    "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y --no-install-recommends gcc",
    "RUN apt-get update && apt-get install -y --no-install-recommends ./pkg.deb && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update -qq && apt-get install -qq -y --no-install-recommends $PACKAGES && rm -rf /var/lib/apt/lists/*",
    "RUN if [ \"$DEBUG\" = 1 ]; then apt-get update && apt-get install -y --no-install-recommends strace; fi",
    "RUN apt-get update && apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold nginx=1.22.1-9 && rm -rf /var/lib/apt/lists/*",
    "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /tmp/*",
]
APK = [
    "RUN apk add --no-cache ca-certificates tzdata",
    "RUN apk add --no-cache bash=5.2.26-r0 curl=8.9.1-r1",
    "RUN apk update && apk add git",
    "RUN apk add --update --virtual .build-deps gcc musl-dev && pip install cryptography==42.0.5 && apk del .build-deps",
    "RUN apk add --no-cache --virtual .run-deps libpq~=16",
    "RUN --mount=type=cache,target=/var/cache/apk apk add openssl",
    "RUN apk --no-cache add su-exec 'tini>0.19'",
    "RUN apk add ./local-package.apk",
]
YUM = [
    "RUN yum install -y httpd && yum clean all",
    "RUN yum install httpd-2.4.6 && yum clean all",
    "RUN yum -y install epel-release && yum -y install nginx-1.20.1 && yum clean all && rm -rf /var/cache/yum/*",
    "RUN yum install -y gcc make",
    "RUN yum clean all && yum install -y wget",
    "RUN yum install -y https://example.com/pkg-1.0.rpm && yum clean all",
    "RUN yum -y module install nodejs:18 && yum clean all",
    "RUN yum install -y openssl-${OPENSSL_VERSION} && yum clean all",
]
DNF = [
    "RUN dnf install -y python3-3.12.1 && dnf clean all",
    "RUN dnf install python3 && dnf clean all",
    "RUN dnf -y install gcc",
    "RUN microdnf install -y shadow-utils && microdnf clean all",
    "RUN microdnf install tar gzip",
    "RUN dnf -y upgrade && dnf clean all",
    "RUN dnf -y group install 'Development Tools' && dnf clean all",
    "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y git-2.45.2",
]
ZYPPER = [
    "RUN zypper install -y curl && zypper clean",
    "RUN zypper --non-interactive install git=2.43.0 && zypper clean -a",
    "RUN zypper install vim",
    "RUN zypper refresh && zypper dist-upgrade -y && zypper clean",
    "RUN zypper -n in 'gcc>=13' make && zypper cc",
    "RUN zypper rm -y man",
]
PIP = [
    "RUN pip install --no-cache-dir -r requirements.txt",
    "RUN pip install -r requirements.txt",
    "RUN pip install flask",
    "RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0",
    "RUN pip3 install --upgrade pip setuptools wheel",
    "RUN python -m pip install --no-cache-dir 'requests>=2.31'",
    "RUN python3 -m pip install poetry",
    "RUN pip install --no-cache-dir .",
    "RUN pip install --no-cache-dir git+https://github.com/org/repo.git@v1.2.0",
    "RUN pip install --no-cache-dir -c constraints.txt numpy",
    "RUN --mount=type=cache,target=/root/.cache/pip pip install uvicorn==0.30.1",
    "RUN PIP_NO_CACHE_DIR=1 pip install django==5.0.6",
    "RUN pipx install black",
    "RUN pip install --no-cache-dir --index-url https://pypi.org/simple wheel==0.43.0 ./dist/app-1.0-py3-none-any.whl",
]
NPM = [
    "RUN npm ci --omit=dev",
    "RUN npm install",
    "RUN npm install -g npm@10.8.1",
    "RUN npm install -g typescript",
    "RUN npm install --loglevel warn express@4.19.2 @types/node@20.14.2",
    "RUN npm install @angular/cli",
    "RUN npm install git+https://github.com/org/lib.git#v1.0.0 ./local-lib",
    "RUN yarn install --frozen-lockfile && yarn cache clean",
    "RUN yarn install --frozen-lockfile",
    "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install",
    "RUN yarn cache clean && yarn install",
]
GEM = [
    "RUN gem install bundler:2.5.11",
    "RUN gem install rails",
    "RUN gem install -v 7.1.3 rails",
    "RUN gem install --no-document nokogiri --version=1.16.5",
    "RUN bundle install --jobs 4",
    "RUN gem i rake",
]
GO = [
    "RUN go install github.com/go-delve/delve/cmd/dlv@v1.22.1",
    "RUN go install github.com/air-verse/air@latest",
    "RUN go install golang.org/x/tools/gopls",
    "RUN go mod download",
    "RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app",
    "RUN go get example.com/lib",
    "RUN go run github.com/swaggo/swag/cmd/swag@v1.16.3 init",
    "RUN go install ./...",
]
MISC_RUN = [
    "RUN cd /app && make",
    "RUN useradd -u 1000 -m app",
    "RUN useradd -u 1000000 app",
    "RUN useradd -l -u 1000000 app",
    "RUN groupadd -r app && useradd -r -g app app",
    "RUN wget https://example.com/tool.tar.gz",
    "RUN wget -q https://example.com/tool.tar.gz && tar -xzf tool.tar.gz && rm tool.tar.gz",
    "RUN wget --progress=dot:giga -O /tmp/x.zip https://example.com/x.zip",
    "RUN curl -fsSL https://example.com/install.sh | sh",
    "RUN curl -fsSL https://example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg",
    "RUN ln -sf /bin/bash /bin/sh",
    "RUN service nginx start",
    "RUN ps aux && top -bn1 | head",
    "RUN mkdir -p /app/data && chown -R app:app /app",
    "RUN echo $HOME && ls -la",
    "RUN chmod +x /usr/local/bin/entrypoint.sh",
    "RUN sudo chown app /app",
    "RUN [\"/bin/sh\", \"-c\", \"echo exec form\"]",
    "RUN set -o pipefail && curl -fsSL https://example.com | tar -xz",
    "RUN ssh-keyscan github.com >> /root/.ssh/known_hosts",
    "RUN git clone https://github.com/org/repo.git /src && cd /src && git checkout v1.0",
    "RUN mount -t tmpfs none /mnt || true",
    "RUN curl -fsSLO https://example.com/a.tgz && wget -q https://example.com/b.tgz",
    "COPY vendor.tar.gz /tmp/\nRUN tar -xzf /tmp/vendor.tar.gz -C /opt && rm /tmp/vendor.tar.gz",
    "COPY dist.zip /tmp/dist.zip\nRUN unzip /tmp/dist.zip -d /srv",
    "RUN wget -nv https://example.com/x.tar.xz",
    "RUN echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list",
]
HEREDOC = [
    "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends jq\nrm -rf /var/lib/apt/lists/*\nEOF\n",
    "RUN <<EOF\napk add --no-cache jq\nEOF\n",
    "COPY <<EOF /etc/app.conf\nkey=value\nEOF\n",
    "RUN <<-EOT bash\n\techo \"hello\" | tee /hello\nEOT\n",
]
GENERIC = [
    "ENV LANG=C.UTF-8",
    "ENV PATH=/opt/app/bin:$PATH",
    "ENV APP_HOME=/app APP_DATA=$APP_HOME/data",
    "ENV NODE_ENV=production",
    "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
    "ENV DB_PASSWORD=changeme",
    "ENV GITHUB_TOKEN=\"\"",
    "ARG NPM_TOKEN",
    "ARG VERSION=1.0.0",
    "ARG API_KEY",
    "ARG PUBLIC_KEY_URL",
    "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
    "ENV PIP_NO_CACHE_DIR=1",
    "LABEL maintainer=\"dev@example.com\"",
    "LABEL org.opencontainers.image.source=\"https://github.com/org/repo\" org.opencontainers.image.licenses=\"MIT\"",
    "LABEL Version=1.0",
    "LABEL com.docker.extension=x",
    "LABEL my..label=bad",
    "LABEL description=\"an app\"",
    "MAINTAINER John Doe <john@example.com>",
    "WORKDIR /app",
    "WORKDIR app",
    "WORKDIR $HOME/src",
    "WORKDIR \"/srv/www\"",
    "EXPOSE 8080",
    "EXPOSE 80/tcp 443/tcp",
    "EXPOSE 99999",
    "EXPOSE 8000-8010",
    "EXPOSE 65536/udp",
    "COPY . .",
    "COPY . /app",
    "COPY requirements.txt .",
    "COPY package.json package-lock.json ./",
    "COPY package.json yarn.lock /app",
    "COPY --chown=app:app src/ /app/src/",
    "COPY app.tar.gz /tmp/",
    "COPY config.yml settings/",
    "ADD app.py /app/",
    "ADD https://example.com/file.txt /tmp/file.txt",
    "ADD rootfs.tar.xz /",
    "ADD --chown=app:app . /app",
    "USER app",
    "USER root",
    "USER 1000:1000",
    "USER node",
    "USER ${APP_UID}",
    "VOLUME /data",
    "STOPSIGNAL SIGTERM",
    "HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1",
    "HEALTHCHECK CMD [\"wget\", \"-q\", \"--spider\", \"http://localhost:8080/health\"]",
    "HEALTHCHECK NONE",
    "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
    "SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]",
    "SHELL [\"/bin/sh\", \"-c\"]",
    "ONBUILD COPY . /app",
    "ONBUILD RUN apt-get install -y foo",
    "ONBUILD RUN pip install -r requirements.txt",
    "ONBUILD ONBUILD RUN echo nested",
    "ONBUILD RUN npm install",
    "ONBUILD RUN sudo make install",
]
ENDS = [
    "CMD [\"python\", \"app.py\"]",
    "CMD python app.py",
    "ENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]\nCMD [\"serve\"]",
    "ENTRYPOINT /docker-entrypoint.sh",
    "CMD [\"node\", \"server.js\"]\nCMD [\"npm\", \"start\"]",
    "ENTRYPOINT [\"tini\", \"--\"]\nENTRYPOINT [\"/app\"]",
    "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
    "ENTRYPOINT [\"java\", \"-jar\", \"/app/app.jar\"]",
    "CMD exec gunicorn app:app",
    "",
]
POOLS = {
    "debian": APT, "alpine": APK, "centos": YUM, "fedora": DNF, "suse": ZYPPER,
    "python": PIP + APT[:4], "node": NPM + APT[:3], "go": GO + APK[:2], "ruby": GEM + APT[:3],
    "java": APT[:6] + ["RUN mvn -B dependency:go-offline", "RUN ./mvnw -B package -DskipTests"],
}


def stage(rng, kind, name, prev_names, final):
    base = rng.choice(BASES[kind])
    if prev_names and rng.random() < 0.3:
        base = rng.choice(prev_names)
    platform = ""
    r = rng.random()
    if r < 0.08:
        platform = "--platform=$BUILDPLATFORM "
    elif r < 0.12:
        platform = "--platform=linux/amd64 "
    elif r < 0.15:
        platform = "--platform=$TARGETPLATFORM "
    alias = f" AS {name}" if name else ""
    lines = [f"FROM {platform}{base}{alias}"]
    body = []
    pool = POOLS[kind]
    for _ in range(rng.randint(2, 6)):
        body.append(rng.choice(pool))
    for _ in range(rng.randint(1, 5)):
        body.append(rng.choice(GENERIC))
    for _ in range(rng.randint(0, 2)):
        body.append(rng.choice(MISC_RUN))
    if rng.random() < 0.2:
        body.append(rng.choice(HEREDOC))
    if prev_names and rng.random() < 0.7:
        src = rng.choice(prev_names + ["0", "builder", "nginx:1.27"])
        dest = rng.choice(["/usr/local/bin/", "/app/", "/", "app/", "."])
        srcpath = rng.choice(["/out/app", "/go/bin/app", "/", "/app/dist"])
        body.append(f"COPY --from={src} {srcpath} {dest}")
    rng.shuffle(body)
    lines += body
    if final:
        lines.append(rng.choice(ENDS))
    elif name and rng.random() < 0.2:
        lines.append(f"COPY --from={name} /x /x")
    return lines


def dockerfile(rng, i):
    head = []
    r = rng.random()
    if r < 0.1:
        head.append("# syntax=docker/dockerfile:1")
    elif r < 0.14:
        head.append("# escape=`")
    if rng.random() < 0.2:
        head.append("ARG BASE_TAG=12")
    if rng.random() < 0.05:
        head.append("ENV EARLY=1")
    if rng.random() < 0.15:
        head.append(rng.choice(["# hadolint ignore=DL3008", "# hadolint global ignore=DL3059", "# hadolint ignore=DL3006,DL3007"]))
    kinds = list(BASES)
    n = rng.choice([1, 1, 1, 2, 2, 3])
    names = []
    out = head[:]
    for s in range(n):
        final = s == n - 1
        name = None if final and rng.random() < 0.6 else rng.choice(["builder", "build", "deps", "base", f"stage{s}", "scratch", "context", "test", "builder"])
        if name in names:
            name = name if rng.random() < 0.5 else f"{name}{s}"
        kind = rng.choice(kinds)
        block = stage(rng, kind, name, names, final)
        if rng.random() < 0.15 and len(block) > 2:
            block.insert(rng.randint(1, len(block) - 1), "# hadolint ignore=" + rng.choice(["DL3008", "DL3013,DL3042", "DL3059", "DL3003"]))
        out += block
        out.append("")
        if name:
            names.append(name)
    text = "\n".join(out).rstrip("\n") + "\n"
    if "# escape=`" in head:
        text = text.replace("\\\n", "`\n")
    return text


LABELS = [
    "LABEL author=\"Jane\" url=\"https://example.com\" created=\"2024-05-01T10:00:00Z\"",
    "LABEL license=\"MIT\" revision=\"4f3c2a1\" version=\"1.2.3\" email=\"ops@example.com\"",
    "LABEL url=\"not a url\" created=\"yesterday\"",
    "LABEL license=\"Apache-2.0\" revision=\"zzz\" version=\"v1\"",
    "LABEL email=\"nobody\" author=\"\"",
    "LABEL extra=1",
    "LABEL license=\"Proprietary-Thing\"",
]
REGISTRY_BASES = ["docker.io/library/debian:12", "registry.example.com/team/app:1.0", "quay.io/prometheus/busybox:1.36", "debian:12", "ghcr.io/org/tool:2", "mirror.example.com/alpine:3.20"]
CONFIG = """# Configuration for the configured part of the corpus (run with --config).
override:
  info:
    - DL1001
    - DL3057
trustedRegistries:
  - docker.io
  - "*.example.com"
label-schema:
  author: text
  url: url
  created: rfc3339
  license: spdx
  revision: hash
  version: semver
  email: email
strict-labels: true
"""


def configured(rng):
    out = []
    names = []
    for s in range(rng.choice([1, 2, 2, 3])):
        if rng.random() < 0.3:
            out.append("# hadolint ignore=DL3006")
        name = rng.choice(["build", "deps", "final", None])
        alias = f" AS {name}" if name else ""
        base = rng.choice(REGISTRY_BASES + names) if names else rng.choice(REGISTRY_BASES)
        out.append(f"FROM {base}{alias}")
        for _ in range(rng.randint(0, 3)):
            out.append(rng.choice(LABELS))
        if rng.random() < 0.4:
            out.append(rng.choice(["HEALTHCHECK CMD [\"true\"]", "HEALTHCHECK NONE"]))
        if names and rng.random() < 0.5:
            out.append(f"COPY --from={rng.choice(names + ['gcr.io/distroless/base:nonroot', 'registry.example.com/x:1'])} /a /a")
        out.append("RUN echo ok")
        out.append("")
        if name:
            names.append(name)
    return "\n".join(out).rstrip("\n") + "\n"


def main():
    rng = random.Random(20261202)
    os.makedirs(OUT, exist_ok=True)
    for d in [OUT, os.path.join(OUT, "configured")]:
        for old in os.listdir(d) if os.path.isdir(d) else []:
            if old.endswith(".Dockerfile"):
                os.remove(os.path.join(d, old))
    for i in range(180):
        with open(os.path.join(OUT, f"{i:03d}.Dockerfile"), "w") as f:
            f.write(dockerfile(rng, i))
    conf = os.path.join(OUT, "configured")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "hadolint.yaml"), "w") as f:
        f.write(CONFIG)
    for i in range(40):
        with open(os.path.join(conf, f"{i:03d}.Dockerfile"), "w") as f:
            f.write(configured(rng))


if __name__ == "__main__":
    main()
