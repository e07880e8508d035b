//! TOTP and recovery codes, with the vetted `totp-rs` crate computing the codes (RFC 6238) and
//! `qrcode` drawing the enrolment QR code. Which code to accept is the domain's rule
//! (`rempart_domain::mfa`).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use rempart_domain::mfa::{matching_step, normalize_recovery_code, STEP_SECONDS};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::AppError;

const ISSUER: &str = "Rempart";

/// A new secret of 160 bits (RFC 4226 §4 recommends it), base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => String::new(),
    }
}

fn totp(secret: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|e| AppError::internal(format!("{e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|e| AppError::internal(format!("{e:?}")))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn provisioning_url(secret: &str, account: &str) -> Result<String, AppError> {
    Ok(totp(secret, account)?.get_url())
}

/// The QR code of `url`, as an SVG element to embed in the page.
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration: the SVG goes inside an HTML page.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    })
}

/// The step of the code `code` for `secret` at `unix_seconds`, unless used already.
pub fn check_code(
    secret: &str,
    account: &str,
    unix_seconds: u64,
    last_step: Option<u64>,
    code: &str,
) -> Result<Option<u64>, AppError> {
    let totp = totp(secret, account)?;
    Ok(matching_step(unix_seconds, last_step, code, |step| {
        totp.generate(step * STEP_SECONDS)
    }))
}

/// Ten recovery codes of 24 characters from a 32-letter alphabet (120 bits each, above the
/// 112 bits under which ASVS 6.5.2 asks for a salted, stretched hash), grouped by six for
/// reading, and their SHA-256 for storage.
pub fn new_recovery_codes() -> Vec<(String, String)> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            // 256 is a multiple of 32: every byte maps to a letter without bias.
            let mut bytes = [0u8; 24];
            OsRng.fill_bytes(&mut bytes);
            let raw: String = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            let shown = raw
                .as_bytes()
                .chunks(6)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            (shown, recovery_hash(&raw))
        })
        .collect()
}

/// How a recovery code is stored: random codes need no stretching, only hiding.
pub fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalize_recovery_code(code).as_bytes()))
}

pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B and RFC 4226 appendix D, from `shared/data/otp`.
    // REQ AUTH-04
    #[test]
    fn the_rfc_vectors_are_reproduced() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/otp/rfc4226_rfc6238_vectors.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let data: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut checked = 0;
        let totp_data = &data["totp_rfc6238"];
        for v in totp_data["vectors"].as_array().unwrap() {
            for (mode, algorithm) in [
                ("SHA1", Algorithm::SHA1),
                ("SHA256", Algorithm::SHA256),
                ("SHA512", Algorithm::SHA512),
            ] {
                let seed = totp_data["seeds_ascii"][mode].as_str().unwrap();
                let totp = TOTP::new_unchecked(
                    algorithm,
                    8,
                    0,
                    30,
                    seed.as_bytes().to_vec(),
                    None,
                    String::new(),
                );
                assert_eq!(
                    totp.generate(v["time"].as_u64().unwrap()),
                    v[mode].as_str().unwrap(),
                    "{mode} at {}",
                    v["time"]
                );
                checked += 1;
            }
        }
        // HOTP is TOTP with a one-second step and the counter as the time.
        let hotp = &data["hotp_rfc4226"];
        let seed = hotp["secret_ascii"].as_str().unwrap();
        for (counter, expected) in hotp["values"].as_object().unwrap() {
            let totp = TOTP::new_unchecked(
                Algorithm::SHA1,
                6,
                0,
                1,
                seed.as_bytes().to_vec(),
                None,
                String::new(),
            );
            assert_eq!(
                totp.generate(counter.parse().unwrap()),
                expected.as_str().unwrap()
            );
            checked += 1;
        }
        assert!(checked >= 28, "{checked}");
    }

    #[test]
    fn codes_are_accepted_once_and_recovery_codes_are_hashed() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let now = 1_800_000_000;
        let code = totp(&secret, "a@b.ca").unwrap().generate(now);
        let step = check_code(&secret, "a@b.ca", now, None, &code).unwrap();
        assert_eq!(step, Some(now / 30));
        assert_eq!(
            check_code(&secret, "a@b.ca", now, step, &code).unwrap(),
            None
        );
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let (shown, hash) = &codes[0];
        assert_eq!(recovery_hash(&shown.to_uppercase()), *hash);
        assert!(provisioning_url(&secret, "a@b.ca")
            .unwrap()
            .starts_with("otpauth://totp/Rempart:"));
        assert!(qr_svg("otpauth://totp/x").unwrap().starts_with("<svg"));
    }
}
