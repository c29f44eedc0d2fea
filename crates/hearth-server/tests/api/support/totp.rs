//! What an authenticator app does with a two-factor secret: read its base32 key and show the
//! passcode of a time step.

use hearth_server::service::two_factor::passcode;

/// RFC 4648 base32 (upper case, no padding), as the enrolment page shows the key.
pub fn unbase32(text: &str) -> Vec<u8> {
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {text}"),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The passcode of `secret` `offset` 30-second steps from now.
pub fn totp_code(secret: &[u8], offset: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    format!("{:06}", passcode(secret, (now / 30 + offset) as u64))
}
