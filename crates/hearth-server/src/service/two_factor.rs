//! Two-factor authentication with TOTP (RFC 6238: HMAC-SHA1, six digits, 30-second steps, as
//! Gogs and Gitea have it): enrolment, passcode checks that take each step once (a passcode
//! works once), one-time recovery codes, and removal.
//!
//! The secret is sealed with the server's secret key; recovery codes are kept as keyed hashes.

use hearth_store::two_factor;
use hearth_store::users::UserRow;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

const SEAL_PURPOSE: &str = "two-factor secret";
const ENROLMENT_PURPOSE: &str = "two-factor enrolment";
const RECOVERY_PURPOSE: &str = "two-factor recovery code";
const STEP_SECS: i64 = 30;
/// Steps either side of now a passcode may come from (clock drift between phone and server).
const WINDOW: i64 = 1;
const RECOVERY_CODES: usize = 10;

/// An enrolment begun: the secret to show (QR code and text) and the sealed form the
/// confirmation carries back, bound to the user.
pub struct Enrolment {
    /// Base32, as authenticator apps take it typed in.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code as inline SVG.
    pub svg: String,
    pub token: String,
}

/// The six-digit passcode of `secret` for time step `step`.
pub fn passcode(secret: &[u8], step: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as hmac::KeyInit>::new_from_slice(secret).expect("any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let at = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]);
    bin % 1_000_000
}

/// RFC 4648 base32, upper case, no padding.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn enrolment_purpose(user_id: i64) -> String {
    format!("{ENROLMENT_PURPOSE} {user_id}")
}

/// A new secret for `user`, not stored until [`enroll`] sees a passcode from it.
pub fn begin(state: &AppState, user: &UserRow) -> ServiceResult<Enrolment> {
    let mut secret = [0u8; 20];
    rand::fill(&mut secret);
    enrolment_of(state, user, &secret)
}

/// The enrolment page again for the secret a refused confirmation carried.
pub fn resume(state: &AppState, user: &UserRow, token: &str) -> ServiceResult<Enrolment> {
    let secret = state.secret.open(&enrolment_purpose(user.id), token).ok_or(ServiceError::NotFound)?;
    enrolment_of(state, user, &secret)
}

fn enrolment_of(state: &AppState, user: &UserRow, secret: &[u8]) -> ServiceResult<Enrolment> {
    let text = base32(secret);
    let issuer = issuer(state);
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let uri = format!(
        "otpauth://totp/{}:{}?secret={text}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(&issuer),
        enc(&user.name),
        enc(&issuer)
    );
    let code =
        qrcode::QrCode::new(uri.as_bytes()).map_err(|e| ServiceError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Inline in the page: no XML declaration.
    let svg = match svg.find("<svg") {
        Some(at) => svg[at..].to_string(),
        None => svg,
    };
    Ok(Enrolment { secret: text, uri, svg, token: state.secret.seal(&enrolment_purpose(user.id), secret) })
}

/// The name authenticator apps file the account under: the site's host.
fn issuer(state: &AppState) -> String {
    let url = &state.links.external_url;
    let host = url.split("://").nth(1).unwrap_or(url).trim_end_matches('/');
    host.split('/').next().unwrap_or(host).to_string()
}

/// A passcode as typed: digits only, spaces and dashes ignored.
fn parse_passcode(text: &str) -> Option<u32> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// The step among now ± [`WINDOW`] whose passcode is `code`, newest first.
fn matching_step(secret: &[u8], code: u32, now: i64) -> Option<i64> {
    let current = now.div_euclid(STEP_SECS);
    (current - WINDOW..=current + WINDOW).rev().find(|&step| step >= 0 && passcode(secret, step as u64) == code)
}

/// Confirm an enrolment begun by [`begin`] with a passcode from its secret: the user is enrolled
/// (replacing an earlier enrolment) and gets recovery codes, shown this once.
pub async fn enroll(state: &AppState, user: &UserRow, token: &str, typed: &str) -> ServiceResult<Vec<String>> {
    let secret = state.secret.open(&enrolment_purpose(user.id), token).ok_or(ServiceError::NotFound)?;
    let now = now_unix();
    let step = parse_passcode(typed)
        .and_then(|code| matching_step(&secret, code, now))
        .ok_or_else(|| ServiceError::Invalid("The passcode is not the one your app shows now.".into()))?;
    let (codes, hashes) = new_recovery_codes(state, user.id);
    let sealed = state.secret.seal(SEAL_PURPOSE, &secret);
    let mut tx = state.db.begin().await?;
    two_factor::enroll(tx.conn(), user.id, &sealed, now, &hashes).await?;
    // The confirming passcode is used up too.
    two_factor::take_step(tx.conn(), user.id, step).await?;
    tx.commit().await?;
    Ok(codes)
}

pub async fn is_enrolled(state: &AppState, user_id: i64) -> ServiceResult<bool> {
    let mut h = state.db.acquire().await?;
    Ok(two_factor::get(h.conn(), user_id).await?.is_some())
}

/// Recovery codes left, when enrolled.
pub async fn status(state: &AppState, user_id: i64) -> ServiceResult<Option<i64>> {
    let mut h = state.db.acquire().await?;
    if two_factor::get(h.conn(), user_id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(two_factor::recovery_left(h.conn(), user_id).await?))
}

/// What checking a passcode found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The account has no second factor.
    NotEnrolled,
    Accepted,
    /// Wrong, malformed, outside the window, or already used.
    Refused,
}

/// Check `typed` against `user_id`'s secret, taking its time step (a passcode works once).
pub async fn check(state: &AppState, user_id: i64, typed: &str) -> ServiceResult<Check> {
    let mut h = state.db.acquire().await?;
    let Some(row) = two_factor::get(h.conn(), user_id).await? else { return Ok(Check::NotEnrolled) };
    let Some(code) = parse_passcode(typed) else { return Ok(Check::Refused) };
    let secret = state.secret.open(SEAL_PURPOSE, &row.secret).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "the two-factor secret of user {user_id} does not open with this server's secret key"
        ))
    })?;
    let Some(step) = matching_step(&secret, code, now_unix()) else { return Ok(Check::Refused) };
    if step <= row.last_step || !two_factor::take_step(h.conn(), user_id, step).await? {
        return Ok(Check::Refused);
    }
    Ok(Check::Accepted)
}

fn recovery_hash(state: &AppState, user_id: i64, code: &str) -> String {
    let normal: String = code.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    state.secret.mac(RECOVERY_PURPOSE, format!("{user_id}:{normal}").as_bytes())
}

fn new_recovery_codes(state: &AppState, user_id: i64) -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut raw = [0u8; 10];
            rand::fill(&mut raw);
            let chars: String = raw.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect();
    let hashes = codes.iter().map(|c| recovery_hash(state, user_id, c)).collect();
    (codes, hashes)
}

/// Use one of `user_id`'s recovery codes (in place of a passcode); whether it was a live one.
pub async fn use_recovery_code(state: &AppState, user_id: i64, code: &str) -> ServiceResult<bool> {
    if code.trim().is_empty() {
        return Ok(false);
    }
    let mut h = state.db.acquire().await?;
    Ok(two_factor::take_recovery(h.conn(), user_id, &recovery_hash(state, user_id, code)).await?)
}

/// New recovery codes for an enrolled user (the old ones stop working).
pub async fn regenerate_recovery_codes(state: &AppState, user_id: i64) -> ServiceResult<Vec<String>> {
    let (codes, hashes) = new_recovery_codes(state, user_id);
    let mut tx = state.db.begin().await?;
    if two_factor::get(tx.conn(), user_id).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    two_factor::replace_recovery(tx.conn(), user_id, &hashes).await?;
    tx.commit().await?;
    Ok(codes)
}

/// End `user_id`'s enrolment (by the user, or by a site administrator); whether there was one.
pub async fn disable(state: &AppState, user_id: i64) -> ServiceResult<bool> {
    let mut tx = state.db.begin().await?;
    let done = two_factor::delete(tx.conn(), user_id).await?;
    tx.commit().await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B (SHA-1 key "12345678901234567890"), last six of its eight digits.
        let key = b"12345678901234567890";
        for (time, expected) in
            [(59u64, 287_082), (1_111_111_109, 81_804), (1_234_567_890, 5_924), (2_000_000_000, 279_037)]
        {
            assert_eq!(passcode(key, time / 30), expected, "T = {time}");
        }
    }

    #[test]
    fn base32_as_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(&[0u8; 20]).len(), 32);
    }

    #[test]
    fn passcodes_as_typed() {
        assert_eq!(parse_passcode("123 456"), Some(123_456));
        assert_eq!(parse_passcode("012345"), Some(12_345));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(parse_passcode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_window_is_one_step_either_side() {
        let key = b"12345678901234567890";
        let now = 1_000_000_020; // step 33,333,334
        let step = now / 30;
        for (offset, found) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = passcode(key, (step + offset) as u64);
            assert_eq!(matching_step(key, code, now).is_some(), found, "offset {offset}");
        }
    }
}
