//! ALSA playback of 16-bit mono samples, through `libasound.so.2` loaded at
//! run time: `snd_pcm_open` on the configured PCM name, `snd_pcm_set_params`,
//! then blocking `snd_pcm_writei` (an underrun is recovered, not fatal).

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr, CString};

use crate::SpeechError;

/// The library's file name (the run-time package `libasound2`).
pub const LIBRARY: &str = "libasound.so.2";

const SND_PCM_STREAM_PLAYBACK: c_int = 0;
const SND_PCM_FORMAT_S16_LE: c_int = 2;
const SND_PCM_ACCESS_RW_INTERLEAVED: c_int = 3;

struct Api {
    open: unsafe extern "C" fn(*mut *mut c_void, *const c_char, c_int, c_int) -> c_int,
    set_params:
        unsafe extern "C" fn(*mut c_void, c_int, c_int, c_uint, c_uint, c_int, c_uint) -> c_int,
    writei: unsafe extern "C" fn(*mut c_void, *const c_void, c_ulong) -> c_long,
    recover: unsafe extern "C" fn(*mut c_void, c_int, c_int) -> c_int,
    drain: unsafe extern "C" fn(*mut c_void) -> c_int,
    prepare: unsafe extern "C" fn(*mut c_void) -> c_int,
    drop: unsafe extern "C" fn(*mut c_void) -> c_int,
    close: unsafe extern "C" fn(*mut c_void) -> c_int,
    strerror: unsafe extern "C" fn(c_int) -> *const c_char,
}

/// An open playback PCM.
pub struct Pcm {
    api: Api,
    pcm: *mut c_void,
    device: String,
    _lib: libloading::Library,
}

// The PCM handle is used by one thread at a time (`&mut self`).
unsafe impl Send for Pcm {}

impl Pcm {
    /// Opens `device` (`default`, `plughw:1,0`, `null`, `file:FILE=x.wav,FORMAT=wav`)
    /// for mono 16-bit playback at `rate` Hz, with about `latency_ms` of buffer.
    pub fn open(device: &str, rate: u32, latency_ms: u32) -> Result<Pcm, SpeechError> {
        // SAFETY: loading a C library whose initialisers have no preconditions.
        let lib = unsafe { libloading::Library::new(LIBRARY) }
            .map_err(|e| SpeechError::NoAlsa(e.to_string()))?;
        macro_rules! sym {
            ($name:literal) => {{
                // SAFETY: the symbol has the C signature of asoundlib.h.
                *unsafe { lib.get($name) }.map_err(|e| SpeechError::NoAlsa(e.to_string()))?
            }};
        }
        let api = Api {
            open: sym!(b"snd_pcm_open\0"),
            set_params: sym!(b"snd_pcm_set_params\0"),
            writei: sym!(b"snd_pcm_writei\0"),
            recover: sym!(b"snd_pcm_recover\0"),
            drain: sym!(b"snd_pcm_drain\0"),
            prepare: sym!(b"snd_pcm_prepare\0"),
            drop: sym!(b"snd_pcm_drop\0"),
            close: sym!(b"snd_pcm_close\0"),
            strerror: sym!(b"snd_strerror\0"),
        };
        let name = CString::new(device).map_err(|_| SpeechError::NoAudioDevice {
            device: device.into(),
            reason: "the name has a NUL in it".into(),
        })?;
        let mut pcm = std::ptr::null_mut();
        // SAFETY: out-pointer and NUL-terminated name valid for the call.
        let r = unsafe { (api.open)(&mut pcm, name.as_ptr(), SND_PCM_STREAM_PLAYBACK, 0) };
        let fail = |api: &Api, r: c_int| SpeechError::NoAudioDevice {
            device: device.into(),
            reason: describe(api, r),
        };
        if r < 0 {
            return Err(fail(&api, r));
        }
        // SAFETY: `pcm` was just opened.
        let r = unsafe {
            (api.set_params)(
                pcm,
                SND_PCM_FORMAT_S16_LE,
                SND_PCM_ACCESS_RW_INTERLEAVED,
                1,
                rate,
                1,
                latency_ms.max(10) * 1000,
            )
        };
        if r < 0 {
            let e = fail(&api, r);
            // SAFETY: closing what we opened.
            unsafe { (api.close)(pcm) };
            return Err(e);
        }
        Ok(Pcm {
            api,
            pcm,
            device: device.into(),
            _lib: lib,
        })
    }

    /// The PCM name it was opened with.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Plays `samples`, blocking until ALSA has taken them all.
    pub fn write(&mut self, mut samples: &[i16]) -> Result<(), SpeechError> {
        while !samples.is_empty() {
            // SAFETY: `samples` is valid for `len` frames of one channel.
            let n = unsafe {
                (self.api.writei)(
                    self.pcm,
                    samples.as_ptr() as *const c_void,
                    samples.len() as c_ulong,
                )
            };
            if n < 0 {
                // An underrun (the synthesiser was slower than the sound) or
                // a suspend: recovered; anything else is an error.
                // SAFETY: plain call on our handle.
                let r = unsafe { (self.api.recover)(self.pcm, n as c_int, 1) };
                if r < 0 {
                    return Err(SpeechError::Audio(describe(&self.api, r)));
                }
                continue;
            }
            samples = &samples[(n as usize).min(samples.len())..];
        }
        Ok(())
    }

    /// Waits until everything written has been played; ready for more after.
    pub fn drain(&mut self) {
        // SAFETY: plain calls on our handle (drain leaves it set up, not
        // prepared: prepare it for the next write).
        unsafe {
            (self.api.drain)(self.pcm);
            (self.api.prepare)(self.pcm);
        }
    }

    /// Stops at once, dropping what was written and not played yet; ready
    /// for more after.
    pub fn stop(&mut self) {
        // SAFETY: as in `drain`.
        unsafe {
            (self.api.drop)(self.pcm);
            (self.api.prepare)(self.pcm);
        }
    }
}

impl Drop for Pcm {
    fn drop(&mut self) {
        // SAFETY: closing what we opened, once.
        unsafe { (self.api.close)(self.pcm) };
    }
}

fn describe(api: &Api, r: c_int) -> String {
    // SAFETY: snd_strerror returns a static string.
    unsafe {
        let s = (api.strerror)(r);
        if s.is_null() {
            format!("error {r}")
        } else {
            CStr::from_ptr(s).to_string_lossy().into_owned()
        }
    }
}
