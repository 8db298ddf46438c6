//! Content digests (`algorithm:hex`), validated the way `opencontainers/go-digest` does.

use std::fmt;
use std::str::FromStr;

/// Why a digest string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The text does not have the `algorithm:hex` shape.
    #[error("invalid digest format: {reason}")]
    Format {
        /// What is wrong, in words.
        reason: String,
    },
    /// The algorithm is well formed but not one of sha256, sha384, sha512.
    #[error("unsupported digest algorithm {algorithm:?} (expected sha256, sha384 or sha512)")]
    Unsupported {
        /// The algorithm that was given.
        algorithm: String,
    },
    /// The hex part has the wrong length for its algorithm.
    #[error("invalid digest length: {algorithm} needs {expected} hex characters, got {found}")]
    Length {
        /// The algorithm that was given.
        algorithm: String,
        /// How many hex characters that algorithm needs.
        expected: usize,
        /// How many were given.
        found: usize,
    },
}

/// A validated content digest such as `sha256:3f4d…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: String,
    hex: String,
}

/// Hex length of each supported algorithm.
fn expected_hex_len(algorithm: &str) -> Option<usize> {
    match algorithm {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    }
}

/// Checks the algorithm grammar `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*`.
/// Returns the byte offset of the first offending character on failure.
pub(crate) fn check_algorithm_grammar(algorithm: &str) -> Result<(), usize> {
    if algorithm.is_empty() {
        return Err(0);
    }
    let mut need_letter = true;
    for (i, c) in algorithm.char_indices() {
        if need_letter {
            if !c.is_ascii_alphabetic() {
                return Err(i);
            }
            need_letter = false;
        } else if matches!(c, '-' | '_' | '+' | '.') {
            need_letter = true;
        } else if !c.is_ascii_alphanumeric() {
            return Err(i);
        }
    }
    if need_letter {
        return Err(algorithm.len());
    }
    Ok(())
}

impl Digest {
    /// Parses and validates `algorithm:hex`.
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let Some((algorithm, hex)) = s.split_once(':') else {
            return Err(DigestError::Format {
                reason: format!("{s:?} has no ':' between algorithm and hex"),
            });
        };
        if let Err(pos) = check_algorithm_grammar(algorithm) {
            return Err(DigestError::Format {
                reason: format!("bad algorithm {algorithm:?} at character {}", pos + 1),
            });
        }
        let Some(expected) = expected_hex_len(algorithm) else {
            return Err(DigestError::Unsupported {
                algorithm: algorithm.to_string(),
            });
        };
        if hex.len() != expected {
            return Err(DigestError::Length {
                algorithm: algorithm.to_string(),
                expected,
                found: hex.len(),
            });
        }
        if let Some((i, c)) = hex
            .char_indices()
            .find(|(_, c)| !matches!(c, '0'..='9' | 'a'..='f'))
        {
            return Err(DigestError::Format {
                reason: format!(
                    "character {c:?} at position {} of the hex part is not a lowercase hex digit",
                    i + 1
                ),
            });
        }
        Ok(Self {
            algorithm: algorithm.to_string(),
            hex: hex.to_string(),
        })
    }

    /// Builds the sha256 digest of `data`.
    pub fn sha256_of(data: &[u8]) -> Self {
        use sha2::Digest as _;
        let sum = sha2::Sha256::digest(data);
        let mut hex = String::with_capacity(64);
        for b in sum {
            hex.push_str(&format!("{b:02x}"));
        }
        Self {
            algorithm: "sha256".to_string(),
            hex,
        }
    }

    /// The algorithm, e.g. `sha256`.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The hex-encoded value.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The first 12 hex characters, as Docker shows short IDs.
    pub fn short(&self) -> &str {
        &self.hex[..self.hex.len().min(12)]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FF: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    #[test]
    fn parses_supported_algorithms() {
        let d = Digest::parse(&format!("sha256:{FF}")).unwrap();
        assert_eq!(d.algorithm(), "sha256");
        assert_eq!(d.hex(), FF);
        assert_eq!(d.short(), "ffffffffffff");
        assert_eq!(d.to_string(), format!("sha256:{FF}"));
        let long = "f".repeat(128);
        assert!(Digest::parse(&format!("sha512:{long}")).is_ok());
        assert!(Digest::parse(&format!("sha384:{}", "a".repeat(96))).is_ok());
    }

    #[test]
    fn rejects_bad_digests_with_reasons() {
        assert_eq!(
            Digest::parse("sha256:abc"),
            Err(DigestError::Length {
                algorithm: "sha256".into(),
                expected: 64,
                found: 3
            })
        );
        assert!(matches!(
            Digest::parse(&format!("md5:{FF}")),
            Err(DigestError::Unsupported { .. })
        ));
        assert!(matches!(
            Digest::parse(&format!("sha256:{}", FF.to_uppercase())),
            Err(DigestError::Format { .. })
        ));
        assert!(matches!(
            Digest::parse("nocolon"),
            Err(DigestError::Format { .. })
        ));
        assert!(matches!(
            Digest::parse(&format!("1sha:{FF}")),
            Err(DigestError::Format { .. })
        ));
        let msg = Digest::parse("sha256:abc").unwrap_err().to_string();
        assert!(msg.contains("invalid digest length"), "{msg}");
    }

    #[test]
    fn sha256_of_known_vector() {
        assert_eq!(
            Digest::sha256_of(b"abc").to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn algorithm_grammar() {
        assert!(check_algorithm_grammar("sha256").is_ok());
        assert!(check_algorithm_grammar("sha256+b64u").is_ok());
        assert_eq!(check_algorithm_grammar("sha-"), Err(4));
        assert_eq!(check_algorithm_grammar("-sha"), Err(0));
        assert_eq!(check_algorithm_grammar(""), Err(0));
    }

    #[test]
    fn serde_round_trip() {
        let d = Digest::parse(&format!("sha256:{FF}")).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        let back: Digest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert!(serde_json::from_str::<Digest>("\"sha256:1\"").is_err());
    }
}
