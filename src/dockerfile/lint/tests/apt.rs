//! apt and RUN rules.
use super::check;

#[test]
fn apt_rules() {
    check(&[
        (
            "DL3008",
            "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n",
            2,
            "FROM a:1\nRUN apt-get install -y --no-install-recommends curl=1 ./x.deb\nRUN apt install curl\nRUN sudo apt-get install curl\n",
        ),
        (
            "DL3009",
            "FROM a:1\nRUN apt-get update && apt-get install -y b=1\n",
            2,
            "FROM a:1 AS build\nRUN apt-get update\nFROM b:1\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
        ),
        (
            "DL3014",
            "FROM a:1\nRUN apt-get install curl=1\n",
            2,
            "FROM a:1\nRUN apt-get -qq install curl=1\nRUN apt-get install --yes curl=1\nRUN apt install curl\n",
        ),
        (
            "DL3015",
            "FROM a:1\nRUN apt-get install -y curl=1\n",
            2,
            "FROM a:1\nRUN apt-get install -y --no-install-recommends curl=1\nRUN apt install -y curl\n",
        ),
        (
            "DL3027",
            "FROM a:1\nRUN apt install -y curl\n",
            2,
            "FROM a:1\nRUN apt-get install -y curl\n",
        ),
        (
            "DH3001",
            "FROM a:1\nRUN apt-get update\n",
            2,
            "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
        ),
        (
            "DH1002",
            "FROM node:20\nCOPY . /app\nRUN npm ci\n",
            2,
            "FROM node:20\nCOPY package.json /app/\nRUN npm ci\nCOPY . /app\n",
        ),
    ]);
}

#[test]
fn other_run_rules() {
    check(&[
        (
            "DL3001",
            "FROM a:1\nRUN service nginx start\n",
            2,
            "FROM a:1\nRUN echo service\n",
        ),
        (
            "DL3003",
            "FROM a:1\nRUN cd /x && make\n",
            2,
            "FROM a:1\nWORKDIR /x\nRUN make\n",
        ),
        (
            "DL3004",
            "FROM a:1\nRUN sudo make install\n",
            2,
            "FROM a:1\nRUN make install\n",
        ),
        (
            "DL3010",
            "FROM a:1\nCOPY x.tar.gz /tmp/\nRUN tar -xzf /tmp/x.tar.gz\n",
            2,
            "FROM a:1\nADD x.tar.gz /opt/\nCOPY y.tar.gz /tmp/\n",
        ),
        (
            "DL3046",
            "FROM a:1\nRUN useradd -u 1000000 app\n",
            2,
            "FROM a:1\nRUN useradd -l -u 1000000 app && useradd -u 1000 b\n",
        ),
        (
            "DL3047",
            "FROM a:1\nRUN wget http://x/y\n",
            2,
            "FROM a:1\nRUN wget -q http://x/y && wget -nv http://x && wget --progress=dot:giga x\n",
        ),
        (
            "DL3059",
            "FROM a:1\nRUN a\nRUN b\n",
            3,
            "FROM a:1\nRUN a && b\nRUN c\nRUN --mount=type=cache,target=/x d\n",
        ),
        (
            "DL4001",
            "FROM a:1\nRUN curl -O x\nRUN wget -q y\n",
            3,
            "FROM a:1\nRUN curl -O x\nFROM b:1\nRUN wget -q y\n",
        ),
        (
            "DL4005",
            "FROM a:1\nRUN ln -sf /bin/bash /bin/sh\n",
            2,
            "FROM a:1\nRUN ln -s /a /b\n",
        ),
        (
            "DL4006",
            "FROM a:1\nRUN curl x | tar -x\n",
            2,
            "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | tar -x\nRUN a || b\n",
        ),
    ]);
}

#[test]
fn apt_findings_on_real_world_lines() {
    // `apt install` is DL3027 only; DL3008/DL3014/DL3015 are about apt-get (as in hadolint).
    let got = super::found(
        "FROM a:1\nRUN apt update && apt install -y curl\n",
        &Default::default(),
    );
    let codes: Vec<&str> = got.iter().map(|(c, _)| *c).collect();
    assert!(codes.contains(&"DL3027"), "{codes:?}");
    for c in ["DL3008", "DL3014", "DL3015"] {
        assert!(!codes.contains(&c), "{c} in {codes:?}");
    }
    // A later step cleaning the lists does not shrink the update's layer: hadolint still reports it.
    let got = super::found(
        "FROM a:1\nRUN apt-get update\nRUN rm -rf /var/lib/apt/lists/*\n",
        &Default::default(),
    );
    assert!(got.contains(&("DL3009", 2)), "{got:?}");
}
