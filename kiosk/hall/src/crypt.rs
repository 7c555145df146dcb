//! Encryption at rest for the outbox: XChaCha20-Poly1305 with a random nonce per
//! blob, the key in a 0600 file beside the database. This keeps personal data
//! unreadable in a copied database or a disk image taken without the key file; a
//! terminal with a TPM or keyring should keep the key there instead.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub fn open_or_create(key_file: &Path) -> std::io::Result<Self> {
        let key: Zeroizing<Vec<u8>> = match std::fs::read(key_file) {
            Ok(k) if k.len() == 32 => Zeroizing::new(k),
            Ok(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: key file is not 32 bytes", key_file.display()),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut k = Zeroizing::new(vec![0u8; 32]);
                rand::rngs::OsRng.fill_bytes(&mut k);
                // Written beside, flushed, then linked into place: a power cut
                // never leaves a short key (which would lock the outbox away),
                // and a key that appeared meanwhile is never replaced.
                if kiosk_device::durable::create_new(key_file, &k, 0o600)? {
                    k
                } else {
                    return Self::open_or_create(key_file);
                }
            }
            Err(e) => return Err(e),
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&key)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad key length"))?;
        Ok(Sealer { cipher })
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce cannot fail for in-memory buffers.
        out.extend(
            self.cipher
                .encrypt(XNonce::from_slice(&nonce), plain)
                .unwrap_or_default(),
        );
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, body) = sealed.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .ok()
            .map(Zeroizing::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        let s = Sealer::open_or_create(&key).unwrap();
        let sealed = s.seal("欧阳燕".as_bytes());
        assert!(!sealed.windows(3).any(|w| w == &"欧".as_bytes()[..3]));
        assert_eq!(&s.open(&sealed).unwrap()[..], "欧阳燕".as_bytes());
        let again = Sealer::open_or_create(&key).unwrap();
        assert!(again.open(&sealed).is_some(), "the same key file opens it");
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert!(s.open(&bad).is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
