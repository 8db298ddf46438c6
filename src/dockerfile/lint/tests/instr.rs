//! Instruction rules.
use super::check;

#[test]
fn instruction_rules() {
    check(&[
        (
            "DL3011",
            "FROM a:1\nEXPOSE 99999\n",
            2,
            "FROM a:1\nEXPOSE 80 443/tcp 8000-8010 ${PORT}\n",
        ),
        (
            "DL3020",
            "FROM a:1\nADD app.py /app/\n",
            2,
            "FROM a:1\nADD x.tar.gz /opt/\nADD https://x/y /y\n",
        ),
        (
            "DL3021",
            "FROM a:1\nCOPY a b /dest\n",
            2,
            "FROM a:1\nCOPY a b /dest/\nCOPY a /dest\n",
        ),
        (
            "DL3025",
            "FROM a:1\nCMD python app.py\n",
            2,
            "FROM a:1\nCMD [\"python\", \"app.py\"]\nHEALTHCHECK CMD [\"true\"]\n",
        ),
        (
            "DL3044",
            "FROM a:1\nENV A=1 B=$A\n",
            2,
            "FROM a:1\nENV A=1\nENV B=$A C=${A}\n",
        ),
        (
            "DL3045",
            "FROM a:1\nCOPY a.txt .\n",
            2,
            "FROM a:1 AS base\nWORKDIR /app\nCOPY a.txt .\nFROM base\nCOPY b.txt .\n",
        ),
        (
            "DL3048",
            "FROM a:1\nLABEL Version=1\n",
            2,
            "FROM a:1\nLABEL org.opencontainers.image.version=1\n",
        ),
        (
            "DL3064",
            "FROM a:1\nARG NPM_TOKEN\n",
            2,
            "FROM a:1\nENV GPG_KEY=ABC PUBLIC_KEY=x PATH=/x\nARG VERSION\n",
        ),
        (
            "DL3067",
            "FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /\n",
            3,
            "FROM a:1 AS b\nFROM c:1\nCOPY --from=b /out /app\n",
        ),
    ]);
}

#[test]
fn trusted_registries() {
    let config = super::LintConfig {
        trusted_registries: vec!["docker.io".into(), "*.example.com".into()],
        ..Default::default()
    };
    super::check_with(
        &[(
            "DL3026",
            "FROM quay.io/x/y:1\n",
            1,
            "FROM debian:12 AS a\nFROM registry.example.com/x:1\nFROM a\nCOPY --from=a /x /x\n",
        )],
        &config,
    );
}
