//! The card photo arrives WLT-compressed (1024 bytes). Only the licensed vendor
//! library can decode it, so none is bundled: the terminal's configuration may
//! name one (`devices.idcard.wlt_decoder`), loaded here at run time with
//! `libloading` (`dlopen` underneath). Without one the UI shows a placeholder.
//!
//! Expected C interface (the one the common Linux vendor libraries export, e.g.
//! `libwlt2bmp.so`):
//!
//! ```c
//! /* wlt: the 1024-byte WLT block; bmp: a buffer of at least 38862 bytes that
//!  * receives a 102x126 24-bit BMP; save_file: 0 (do not write wlt.bmp to disk).
//!  * Returns 1 on success. */
//! int unpack(char *wlt, char *bmp, int save_file);
//! ```
//!
//! Public headers disagree on the details: some libraries write a whole BMP
//! (38862 bytes, handled here), others raw 102×126 BGR (38556 bytes) and expect
//! a vendor-specific third argument (602/603, 158/159) instead of 0. Such a
//! library is refused here (the result is not a BMP) rather than guessed at;
//! supporting one means adding its argument and pixel layout from its own manual.

use std::ffi::{c_char, c_int};
use std::path::Path;

/// Size of the BMP the decoder writes: 102 × 126 pixels, 24-bit, rows padded to
/// 4 bytes (308 × 126), plus the 54-byte header.
pub const BMP_LEN: usize = 54 + 308 * 126;

type Unpack = unsafe extern "C" fn(*mut c_char, *mut c_char, c_int) -> c_int;

#[derive(Debug, thiserror::Error)]
pub enum WltError {
    #[error("cannot load the WLT decoder {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("the WLT decoder {0} has no `unpack` function")]
    Symbol(String),
    #[error("the photo block is {0} bytes, not 1024")]
    Size(usize),
    #[error("the WLT decoder refused the photo (returned {0})")]
    Refused(i32),
    #[error("the WLT decoder's output is not a BMP (a raw-pixel library needs its own adapter)")]
    NotBmp,
}

/// A loaded decoder library. Not `Sync`: vendor libraries are not known to be
/// re-entrant, so one thread uses it at a time.
pub struct WltDecoder {
    unpack: Unpack,
    path: String,
    _not_sync: std::marker::PhantomData<std::cell::Cell<()>>,
    // Declared last: dropped (dlclose) after the function pointer above.
    _lib: libloading::Library,
}

impl WltDecoder {
    pub fn load(path: &Path) -> Result<Self, WltError> {
        let shown = path.display().to_string();
        // SAFETY: loading runs the library's initialisers; the terminal's
        // configuration names a vendor library a technician installed.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| WltError::Load {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        // SAFETY: the documented signature of the vendor function (module docs).
        let unpack: Unpack = unsafe { lib.get::<Unpack>(b"unpack\0") }
            .map(|s| *s)
            .map_err(|_| WltError::Symbol(shown.clone()))?;
        Ok(WltDecoder {
            unpack,
            path: shown,
            _not_sync: std::marker::PhantomData,
            _lib: lib,
        })
    }

    /// Decodes a WLT block into BMP bytes.
    pub fn decode(&self, wlt: &[u8]) -> Result<Vec<u8>, WltError> {
        if wlt.len() != 1024 {
            return Err(WltError::Size(wlt.len()));
        }
        let mut src = wlt.to_vec();
        // Generous output room: some libraries write a little past the BMP.
        let mut bmp = vec![0u8; BMP_LEN + 1024];
        // SAFETY: both buffers are valid and as large as the interface requires;
        // the library stays loaded while `self` lives.
        let rc = unsafe { (self.unpack)(src.as_mut_ptr().cast(), bmp.as_mut_ptr().cast(), 0) };
        zeroize::Zeroize::zeroize(&mut src);
        if rc != 1 {
            zeroize::Zeroize::zeroize(&mut bmp);
            return Err(WltError::Refused(rc));
        }
        if &bmp[..2] != b"BM" {
            zeroize::Zeroize::zeroize(&mut bmp);
            return Err(WltError::NotBmp);
        }
        bmp.truncate(BMP_LEN);
        Ok(bmp)
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_a_clear_error() {
        let e = WltDecoder::load(Path::new("/nonexistent/libwlt2bmp.so"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("/nonexistent/libwlt2bmp.so"), "{e}");
    }

    #[test]
    fn a_library_without_unpack_is_refused() {
        // libc is loadable and certainly has no `unpack`.
        match WltDecoder::load(Path::new("libc.so.6")) {
            Err(WltError::Symbol(p)) => assert_eq!(p, "libc.so.6"),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("libc has no unpack"),
        }
    }
}
