//! OpenSSH public-key parsing (an `authorized_keys`-style line or an RFC 4716 block), validation of
//! the key blob, and SHA-256 fingerprints as `ssh-keygen -lf` prints them.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedKey {
    pub algorithm: String,
    /// The key line as stored: `type base64 [comment]`.
    pub content: String,
    /// `SHA256:<base64 without padding>`.
    pub fingerprint: String,
}

const RSA_MIN_BITS: usize = 1024;

/// Parse and validate one public key.
pub fn parse(input: &str) -> Result<ParsedKey, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("empty key".into());
    }
    let (declared, b64, comment) = if input.starts_with("---- BEGIN SSH2 PUBLIC KEY ----") {
        parse_rfc4716(input)?
    } else {
        parse_openssh_line(input)?
    };
    let blob = STANDARD.decode(b64.as_bytes()).map_err(|_| "key data is not valid base64".to_string())?;
    let algorithm = validate_blob(&blob)?;
    if let Some(declared) = declared
        && declared != algorithm
    {
        return Err(format!("key type {declared} does not match key data ({algorithm})"));
    }
    let mut content = format!("{algorithm} {}", STANDARD.encode(&blob));
    if !comment.is_empty() {
        content.push(' ');
        content.push_str(&comment);
    }
    let fingerprint = format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&blob)));
    Ok(ParsedKey { algorithm, content, fingerprint })
}

fn parse_openssh_line(input: &str) -> Result<(Option<String>, String, String), String> {
    let lines: Vec<&str> = input.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    if lines.len() != 1 {
        return Err("exactly one key is expected".into());
    }
    let mut words = lines[0].split_whitespace();
    let first = words.next().unwrap_or_default();
    if is_known_algorithm(first) || first == "ssh-dss" {
        let b64 = words.next().ok_or("key data is missing")?;
        let comment = words.collect::<Vec<_>>().join(" ");
        Ok((Some(first.to_string()), b64.to_string(), comment))
    } else {
        // The type is optional: a bare base64 blob (with an optional comment).
        let comment = words.collect::<Vec<_>>().join(" ");
        Ok((None, first.to_string(), comment))
    }
}

fn parse_rfc4716(input: &str) -> Result<(Option<String>, String, String), String> {
    let mut lines = input.lines().map(str::trim);
    lines.next();
    let mut b64 = String::new();
    let mut comment = String::new();
    let mut ended = false;
    let mut continued_header = false;
    for line in lines.by_ref() {
        if line == "---- END SSH2 PUBLIC KEY ----" {
            ended = true;
            break;
        }
        if continued_header {
            continued_header = line.ends_with('\\');
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("comment") {
                comment = value.trim().trim_matches('"').to_string();
            }
            continued_header = line.ends_with('\\');
            continue;
        }
        b64.push_str(line);
    }
    if !ended {
        return Err("unterminated SSH2 public key block".into());
    }
    if lines.any(|l| !l.is_empty()) {
        return Err("exactly one key is expected".into());
    }
    Ok((None, b64, comment))
}

fn is_known_algorithm(s: &str) -> bool {
    matches!(
        s,
        "ssh-rsa"
            | "ssh-ed25519"
            | "ecdsa-sha2-nistp256"
            | "ecdsa-sha2-nistp384"
            | "ecdsa-sha2-nistp521"
            | "sk-ssh-ed25519@openssh.com"
            | "sk-ecdsa-sha2-nistp256@openssh.com"
    )
}

/// Reader over the SSH wire encoding (RFC 4251 strings and mpints).
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn string(&mut self) -> Result<&'a [u8], String> {
        if self.0.len() < 4 {
            return Err("truncated key data".into());
        }
        let len = u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]]) as usize;
        let rest = &self.0[4..];
        if rest.len() < len {
            return Err("truncated key data".into());
        }
        let (s, tail) = rest.split_at(len);
        self.0 = tail;
        Ok(s)
    }
}

/// Check the blob's structure; returns its algorithm name.
fn validate_blob(blob: &[u8]) -> Result<String, String> {
    let mut w = Wire(blob);
    let algorithm = std::str::from_utf8(w.string()?).map_err(|_| "invalid key type".to_string())?.to_string();
    match algorithm.as_str() {
        "ssh-rsa" => {
            let e = w.string()?;
            let n = w.string()?;
            let n = strip_leading_zeros(n);
            if e.is_empty() || n.is_empty() {
                return Err("invalid RSA key".into());
            }
            let bits = (n.len() - 1) * 8 + (8 - n[0].leading_zeros() as usize);
            if bits < RSA_MIN_BITS {
                return Err(format!("RSA key of {bits} bits is too small (minimum {RSA_MIN_BITS})"));
            }
        }
        "ssh-ed25519" => {
            if w.string()?.len() != 32 {
                return Err("invalid ed25519 key".into());
            }
        }
        "sk-ssh-ed25519@openssh.com" => {
            if w.string()?.len() != 32 {
                return Err("invalid ed25519-sk key".into());
            }
            w.string()?;
        }
        "ecdsa-sha2-nistp256"
        | "ecdsa-sha2-nistp384"
        | "ecdsa-sha2-nistp521"
        | "sk-ecdsa-sha2-nistp256@openssh.com" => {
            let curve = w.string()?;
            let (expected_curve, coord) = match algorithm.as_str() {
                "ecdsa-sha2-nistp384" => (&b"nistp384"[..], 48),
                "ecdsa-sha2-nistp521" => (&b"nistp521"[..], 66),
                _ => (&b"nistp256"[..], 32),
            };
            let point = w.string()?;
            if curve != expected_curve || point.len() != 1 + 2 * coord || point[0] != 4 {
                return Err("invalid ECDSA key".into());
            }
            if algorithm.starts_with("sk-") {
                w.string()?;
            }
        }
        "ssh-dss" => return Err("DSA keys are not allowed".into()),
        other => return Err(format!("unsupported key type {other}")),
    }
    if !w.0.is_empty() {
        return Err("trailing data after the key".into());
    }
    Ok(algorithm)
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Generated with ssh-keygen -t ed25519 for these tests.
    const ED25519: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKxlSGBrn0ptiSFu9u7JC9JXyvUJBVKhlH0NeN0fJNUE test@hearth";

    fn ed25519_blob(byte: u8) -> String {
        let mut blob = Vec::new();
        blob.extend_from_slice(&11u32.to_be_bytes());
        blob.extend_from_slice(b"ssh-ed25519");
        blob.extend_from_slice(&32u32.to_be_bytes());
        blob.extend_from_slice(&[byte; 32]);
        STANDARD.encode(blob)
    }

    #[test]
    fn openssh_line() {
        let k = parse(ED25519).unwrap();
        assert_eq!(k.algorithm, "ssh-ed25519");
        assert_eq!(k.content, ED25519);
        assert!(k.fingerprint.starts_with("SHA256:"));
        assert_eq!(k.fingerprint.len(), 7 + 43);
    }

    #[test]
    fn type_is_optional_and_must_match() {
        let b64 = ed25519_blob(7);
        assert_eq!(parse(&b64).unwrap().content, format!("ssh-ed25519 {b64}"));
        assert!(parse(&format!("ssh-rsa {b64}")).is_err());
    }

    #[test]
    fn rfc4716_block() {
        let b64 = ed25519_blob(9);
        let block = format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"my key\"\n{}\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            &b64[..30],
            &b64[30..]
        );
        let k = parse(&block).unwrap();
        assert_eq!(k.content, format!("ssh-ed25519 {b64} my key"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "ssh-ed25519", "ssh-ed25519 !!!!", "ssh-ed25519 AAAA", "hello world"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let two = format!("{ED25519}\n{ED25519}");
        assert!(parse(&two).is_err());
        let mut blob = Vec::new();
        blob.extend_from_slice(&7u32.to_be_bytes());
        blob.extend_from_slice(b"ssh-dss");
        assert!(parse(&format!("ssh-dss {}", STANDARD.encode(&blob))).unwrap_err().contains("DSA"));
    }
}
