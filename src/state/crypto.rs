//! Sensitive values at rest: AES-256-GCM under a key derived from `WORKFORM_STATE_KEY`.
//!
//! - KDF: PBKDF2-HMAC-SHA256, [`PBKDF2_ITERATIONS`] rounds (OWASP's 2023 figure), over the
//!   passphrase and a random 16-byte salt that is created with the state's encryption and kept
//!   in its metadata. The iteration count is stored too, so it can be raised later.
//! - AEAD: AES-256-GCM (ring), a fresh random 96-bit nonce per value. The associated data
//!   binds each ciphertext to where it lives (`resource:<address>:<attribute>` or
//!   `output:<name>`), so a sealed value copied to another place fails to open.
//! - A sealed value is the JSON object `{"$sealed": "<base64 nonce ‖ ciphertext ‖ tag>"}`,
//!   stored in place of the plaintext value.
//! - A known plaintext sealed under the key (`check`) tells a wrong key from a damaged value
//!   at open time, before anything else is read.

use std::num::NonZeroU32;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The environment variable holding the passphrase.
pub const KEY_ENV: &str = "WORKFORM_STATE_KEY";

/// PBKDF2 rounds for new states.
pub const PBKDF2_ITERATIONS: u32 = 600_000;

const KDF_NAME: &str = "pbkdf2-hmac-sha256";
const AEAD_NAME: &str = "aes-256-gcm";
const SALT_LEN: usize = 16;
const CHECK_AAD: &str = "workform:key-check";
const CHECK_PLAINTEXT: &[u8] = b"workform state key check v1";
/// The single key of a sealed value's JSON object.
pub const SEALED_FIELD: &str = "$sealed";

/// How a state's key is derived and checked; stored in the state's metadata (no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CryptoMeta {
    pub kdf: String,
    pub iterations: u32,
    /// Base64.
    pub salt: String,
    pub aead: String,
    /// [`CHECK_PLAINTEXT`] sealed under the key, base64.
    pub check: String,
}

/// Why a key could not be used or a value could not be opened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CryptoError {
    #[error("the key does not open this state")]
    WrongKey,
    #[error("{0}")]
    Malformed(String),
    #[error("the system random number generator failed")]
    Random,
}

/// An unlocked key.
pub struct Cipher {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never show key material.
        f.write_str("Cipher(..)")
    }
}

impl Cipher {
    /// A new key for a state that was not encrypted yet: fresh salt, `iterations` KDF rounds
    /// (normally [`PBKDF2_ITERATIONS`]).
    pub fn create(passphrase: &str, iterations: u32) -> Result<(Cipher, CryptoMeta), CryptoError> {
        let rng = SystemRandom::new();
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt).map_err(|_| CryptoError::Random)?;
        let cipher = Cipher::derive(passphrase, &salt, iterations)?;
        let check = cipher.seal_bytes(CHECK_AAD, CHECK_PLAINTEXT)?;
        let meta = CryptoMeta {
            kdf: KDF_NAME.into(),
            iterations,
            salt: base64_encode(&salt),
            aead: AEAD_NAME.into(),
            check,
        };
        Ok((cipher, meta))
    }

    /// Derives the key recorded by `meta` from the passphrase and proves it is the right one.
    pub fn unlock(passphrase: &str, meta: &CryptoMeta) -> Result<Cipher, CryptoError> {
        if meta.kdf != KDF_NAME || meta.aead != AEAD_NAME {
            return Err(CryptoError::Malformed(format!(
                "unsupported encryption {} / {} (this workform knows {KDF_NAME} / {AEAD_NAME})",
                meta.kdf, meta.aead
            )));
        }
        let salt = base64_decode(&meta.salt)
            .ok_or_else(|| CryptoError::Malformed("the key salt is not base64".into()))?;
        let cipher = Cipher::derive(passphrase, &salt, meta.iterations)?;
        match cipher.open_bytes(CHECK_AAD, &meta.check) {
            Ok(plain) if plain == CHECK_PLAINTEXT => Ok(cipher),
            _ => Err(CryptoError::WrongKey),
        }
    }

    fn derive(passphrase: &str, salt: &[u8], iterations: u32) -> Result<Cipher, CryptoError> {
        let rounds = NonZeroU32::new(iterations)
            .ok_or_else(|| CryptoError::Malformed("zero KDF iterations".into()))?;
        let mut key = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            rounds,
            salt,
            passphrase.as_bytes(),
            &mut key,
        );
        let unbound = UnboundKey::new(&AES_256_GCM, &key)
            .map_err(|_| CryptoError::Malformed("bad key length".into()))?;
        key.fill(0);
        Ok(Cipher {
            key: LessSafeKey::new(unbound),
            rng: SystemRandom::new(),
        })
    }

    /// Encrypts bytes; returns base64 of nonce ‖ ciphertext ‖ tag.
    pub fn seal_bytes(&self, aad: &str, plaintext: &[u8]) -> Result<String, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut buf,
            )
            .map_err(|_| CryptoError::Malformed("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(base64_encode(&out))
    }

    /// Decrypts what [`Cipher::seal_bytes`] produced under the same associated data.
    pub fn open_bytes(&self, aad: &str, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let raw = base64_decode(sealed)
            .ok_or_else(|| CryptoError::Malformed("a sealed value is not base64".into()))?;
        if raw.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(CryptoError::Malformed("a sealed value is truncated".into()));
        }
        let (nonce, body) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| CryptoError::Malformed("bad nonce".into()))?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut body)
            .map_err(|_| CryptoError::WrongKey)?;
        Ok(plain.to_vec())
    }

    /// Replaces a JSON value with its sealed form.
    pub fn seal_value(&self, aad: &str, value: &Json) -> Result<Json, CryptoError> {
        let text = serde_json::to_vec(value).map_err(|e| CryptoError::Malformed(e.to_string()))?;
        let sealed = self.seal_bytes(aad, &text)?;
        Ok(serde_json::json!({ SEALED_FIELD: sealed }))
    }

    /// Opens a value produced by [`Cipher::seal_value`].
    pub fn open_value(&self, aad: &str, value: &Json) -> Result<Json, CryptoError> {
        let sealed = sealed_text(value)
            .ok_or_else(|| CryptoError::Malformed("not a sealed value".into()))?;
        let plain = self.open_bytes(aad, sealed)?;
        serde_json::from_slice(&plain)
            .map_err(|e| CryptoError::Malformed(format!("a decrypted value is not JSON: {e}")))
    }
}

/// The base64 text of a sealed value, if `value` is one.
pub fn sealed_text(value: &Json) -> Option<&str> {
    match value {
        Json::Object(map) if map.len() == 1 => map.get(SEALED_FIELD)?.as_str(),
        _ => None,
    }
}

/// Associated data for a resource attribute.
pub fn resource_aad(addr: &str, attribute: &str) -> String {
    format!("workform:v1:resource:{addr}:{attribute}")
}

/// Associated data for an output.
pub fn output_aad(name: &str) -> String {
    format!("workform:v1:output:{name}")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 with padding; `None` on anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            n = (n << 6) | v;
        }
        n <<= 6 * pad as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A low round count keeps unit tests fast; the format is the same.
    fn cipher(pass: &str) -> (Cipher, CryptoMeta) {
        Cipher::create(pass, 1_000).unwrap()
    }

    #[test]
    fn base64_round_trips() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64_encode(&data);
            assert_eq!(base64_decode(&text).unwrap(), data, "{text}");
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert!(base64_decode("Zm8").is_none());
        assert!(base64_decode("Z!8=").is_none());
    }

    #[test]
    fn values_round_trip_and_do_not_leak_plaintext() {
        let (c, _) = cipher("correct horse");
        let value = serde_json::json!("https://secret.example.com");
        let sealed = c.seal_value("a", &value).unwrap();
        assert!(!sealed.to_string().contains("secret.example"));
        assert_eq!(c.open_value("a", &sealed).unwrap(), value);
        // Same plaintext, different nonce.
        assert_ne!(c.seal_value("a", &value).unwrap(), sealed);
    }

    #[test]
    fn a_value_moved_elsewhere_or_tampered_with_does_not_open() {
        let (c, _) = cipher("pw");
        let sealed = c
            .seal_value("resource:x.y:value", &serde_json::json!("s"))
            .unwrap();
        assert_eq!(
            c.open_value("resource:x.z:value", &sealed),
            Err(CryptoError::WrongKey)
        );
        let mut raw = base64_decode(sealed_text(&sealed).unwrap()).unwrap();
        raw[NONCE_LEN] ^= 1;
        let tampered = serde_json::json!({ SEALED_FIELD: base64_encode(&raw) });
        assert_eq!(
            c.open_value("resource:x.y:value", &tampered),
            Err(CryptoError::WrongKey)
        );
    }

    #[test]
    fn the_right_passphrase_unlocks_and_a_wrong_one_is_told_apart() {
        let (c, meta) = cipher("right");
        let sealed = c.seal_value("a", &serde_json::json!(1)).unwrap();
        let again = Cipher::unlock("right", &meta).unwrap();
        assert_eq!(
            again.open_value("a", &sealed).unwrap(),
            serde_json::json!(1)
        );
        assert_eq!(
            Cipher::unlock("wrong", &meta).unwrap_err(),
            CryptoError::WrongKey
        );
        let text = serde_json::to_string(&meta).unwrap();
        assert!(!text.contains("right"));
    }
}
