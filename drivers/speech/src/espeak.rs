//! espeak-ng, loaded at run time and used in its synchronous mode: `synth`
//! returns only when the text is spoken, handing the samples to the caller's
//! sink as they are made (the first ones after the first clause, not after the
//! whole text), and the sink may stop it between two buffers.
//!
//! espeak-ng keeps global state: one [`Espeak`] per process (a second `load`
//! is refused), used from one thread at a time (`&mut self`).
//!
//! Voices: espeak-ng 1.51 (Debian 12) reads Chinese characters with its `cmn`
//! voice as pinyin *spelled in English* ("请" → "qing three"); its
//! `cmn-latn-pinyin` voice reads them right, so that is the Mandarin voice to
//! configure. `yue` (Cantonese) and `en` read correctly.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::SpeechError;

const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
const POS_CHARACTER: c_int = 1;
const ESPEAK_CHARS_UTF8: c_uint = 1;
const ESPEAK_ENDPAUSE: c_uint = 0x1000;
const ESPEAK_INITIALIZE_DONT_EXIT: c_int = 0x8000;
const ESPEAK_RATE: c_int = 1;
const EE_OK: c_int = 0;

type SynthCallback = unsafe extern "C" fn(*mut i16, c_int, *mut c_void) -> c_int;

/// The library's file name (the run-time package `libespeak-ng1`).
pub const LIBRARY: &str = "libespeak-ng.so.1";

static LOADED: AtomicBool = AtomicBool::new(false);

/// The caller's sink, lifetime erased for the C callback (see `synth`).
type SinkPtr = *mut (dyn FnMut(&[i16]) -> bool + 'static);

thread_local! {
    /// Where the samples of the synthesis under way go (the callback has no
    /// context pointer of its own; synchronous mode calls it on our thread).
    static SINK: RefCell<Option<SinkPtr>> = const { RefCell::new(None) };
}

unsafe extern "C" fn on_samples(wav: *mut i16, n: c_int, _events: *mut c_void) -> c_int {
    if wav.is_null() || n <= 0 {
        return 0;
    }
    // SAFETY: espeak-ng hands `n` samples at `wav`, valid for this call.
    let samples = unsafe { std::slice::from_raw_parts(wav, n as usize) };
    let go_on = SINK.with(|s| match *s.borrow() {
        // SAFETY: set by `synth` for the duration of espeak_Synth, on this thread.
        Some(sink) => unsafe { (*sink)(samples) },
        None => true,
    });
    if go_on {
        0
    } else {
        1
    }
}

/// espeak-ng, loaded and initialised.
pub struct Espeak {
    rate: u32,
    version: String,
    voice: Option<String>,
    set_voice: unsafe extern "C" fn(*const c_char) -> c_int,
    set_parameter: unsafe extern "C" fn(c_int, c_int, c_int) -> c_int,
    synth: unsafe extern "C" fn(
        *const c_void,
        usize,
        c_uint,
        c_int,
        c_uint,
        c_uint,
        *mut c_uint,
        *mut c_void,
    ) -> c_int,
    // Kept last: the functions above point into it.
    _lib: libloading::Library,
}

// The library is used from one thread at a time (`&mut self`); moving the
// handle to the worker thread that owns it is fine.
unsafe impl Send for Espeak {}

impl Espeak {
    /// Loads `libespeak-ng.so.1` and initialises it for synchronous synthesis
    /// with the default voice data. `buffer_ms` is how much sound each call of
    /// the sink carries (smaller: the first sound sooner).
    pub fn load(buffer_ms: u32) -> Result<Espeak, SpeechError> {
        if LOADED.swap(true, Ordering::SeqCst) {
            return Err(SpeechError::EngineFailed(
                "espeak-ng is already loaded in this process".into(),
            ));
        }
        let r = Self::load_inner(buffer_ms);
        if r.is_err() {
            LOADED.store(false, Ordering::SeqCst);
        }
        r
    }

    fn load_inner(buffer_ms: u32) -> Result<Espeak, SpeechError> {
        // SAFETY: loading a C library whose initialisers have no preconditions.
        let lib = unsafe { libloading::Library::new(LIBRARY) }
            .map_err(|e| SpeechError::NoEngine(e.to_string()))?;
        macro_rules! sym {
            ($name:literal, $t:ty) => {{
                // SAFETY: the symbol has this C signature in speak_lib.h.
                let s: libloading::Symbol<$t> =
                    unsafe { lib.get($name) }.map_err(|e| SpeechError::NoEngine(e.to_string()))?;
                *s
            }};
        }
        let initialize = sym!(
            b"espeak_Initialize\0",
            unsafe extern "C" fn(c_int, c_int, *const c_char, c_int) -> c_int
        );
        let set_callback = sym!(
            b"espeak_SetSynthCallback\0",
            unsafe extern "C" fn(SynthCallback)
        );
        let info = sym!(
            b"espeak_Info\0",
            unsafe extern "C" fn(*mut *const c_char) -> *const c_char
        );
        let set_voice = sym!(
            b"espeak_SetVoiceByName\0",
            unsafe extern "C" fn(*const c_char) -> c_int
        );
        let set_parameter = sym!(
            b"espeak_SetParameter\0",
            unsafe extern "C" fn(c_int, c_int, c_int) -> c_int
        );
        let synth = sym!(
            b"espeak_Synth\0",
            unsafe extern "C" fn(
                *const c_void,
                usize,
                c_uint,
                c_int,
                c_uint,
                c_uint,
                *mut c_uint,
                *mut c_void,
            ) -> c_int
        );
        // SAFETY: plain calls into the library; DONT_EXIT keeps a missing
        // voice data folder from ending the whole kiosk.
        let rate = unsafe {
            initialize(
                AUDIO_OUTPUT_SYNCHRONOUS,
                buffer_ms.clamp(10, 1000) as c_int,
                std::ptr::null(),
                ESPEAK_INITIALIZE_DONT_EXIT,
            )
        };
        if rate <= 0 {
            return Err(SpeechError::EngineFailed(
                "espeak_Initialize failed (is espeak-ng-data installed?)".into(),
            ));
        }
        // SAFETY: the callback is a plain function valid for the process.
        unsafe { set_callback(on_samples) };
        // SAFETY: espeak_Info returns a static string.
        let version = unsafe {
            let v = info(std::ptr::null_mut());
            if v.is_null() {
                String::new()
            } else {
                CStr::from_ptr(v).to_string_lossy().into_owned()
            }
        };
        Ok(Espeak {
            rate: rate as u32,
            version,
            voice: None,
            set_voice,
            set_parameter,
            synth,
            _lib: lib,
        })
    }

    /// Samples per second of what `synth` makes (22 050 for espeak-ng).
    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// The library's version ("1.51").
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Selects a voice by name (`cmn-latn-pinyin`, `yue`, `en`); kept until
    /// another is selected (switching loads its dictionary: do it when the
    /// language changes, not before every sentence).
    pub fn set_voice(&mut self, name: &str) -> Result<(), SpeechError> {
        if self.voice.as_deref() == Some(name) {
            return Ok(());
        }
        let c = CString::new(name).map_err(|_| SpeechError::NoVoice(name.into()))?;
        // SAFETY: a NUL-terminated string valid for the call.
        if unsafe { (self.set_voice)(c.as_ptr()) } != EE_OK {
            return Err(SpeechError::NoVoice(name.into()));
        }
        self.voice = Some(name.into());
        Ok(())
    }

    /// Speaking rate in words per minute (80 ..= 450; 175 is espeak's normal).
    pub fn set_rate(&mut self, wpm: u32) {
        // SAFETY: a plain parameter call.
        unsafe { (self.set_parameter)(ESPEAK_RATE, wpm.clamp(80, 450) as c_int, 0) };
    }

    /// Speaks `text` (UTF-8) with the current voice, handing the samples to
    /// `sink` as they are made; `sink` returns `false` to stop. Returns once
    /// the text is spoken or stopped.
    pub fn synth(
        &mut self,
        text: &str,
        sink: &mut dyn FnMut(&[i16]) -> bool,
    ) -> Result<(), SpeechError> {
        // With every NUL replaced, CString::new cannot fail.
        let c = CString::new(text.replace('\0', " ")).unwrap_or_default();
        // SAFETY: the sink outlives the espeak_Synth call below, which is the
        // only time the callback can run (synchronous mode), on this thread;
        // the pointer is cleared before this function returns.
        let sink: *mut (dyn FnMut(&[i16]) -> bool + '_) = sink;
        let sink: SinkPtr = unsafe { std::mem::transmute(sink) };
        SINK.with(|s| *s.borrow_mut() = Some(sink));
        let bytes = c.as_bytes_with_nul();
        // SAFETY: a NUL-terminated UTF-8 buffer of `bytes.len()` bytes.
        let r = unsafe {
            (self.synth)(
                bytes.as_ptr() as *const c_void,
                bytes.len(),
                0,
                POS_CHARACTER,
                0,
                ESPEAK_CHARS_UTF8 | ESPEAK_ENDPAUSE,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        SINK.with(|s| *s.borrow_mut() = None);
        if r != EE_OK {
            return Err(SpeechError::EngineFailed(format!(
                "espeak_Synth returned {r}"
            )));
        }
        Ok(())
    }

    /// Speaks `text` into memory (for `kiosk --speech DIR`).
    pub fn synth_to_vec(&mut self, text: &str) -> Result<Vec<i16>, SpeechError> {
        let mut all = Vec::new();
        self.synth(text, &mut |s| {
            all.extend_from_slice(s);
            true
        })?;
        Ok(all)
    }
}
