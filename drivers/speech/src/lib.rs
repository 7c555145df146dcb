//! Speech output for the voice-assist mode: text in, sound out.
//!
//! - [`espeak`]: the espeak-ng synthesiser, loaded at run time
//!   (`libespeak-ng.so.1`), in its synchronous mode: samples come back to us;
//! - [`alsa`]: ALSA playback of those samples (`libasound.so.2`, also loaded
//!   at run time), any PCM name the configuration gives (`default`, `plughw:1`,
//!   or ALSA's own `null` and `file:FILE=…,FORMAT=wav` devices, which the
//!   tests and the latency benchmark play into);
//! - [`wav`]: the same samples into a WAV file (`kiosk --speech DIR`);
//! - [`worker`]: [`Speaker`], the one thread that owns both.
//!
//! The words are the app's: this crate never chooses what is said.

pub mod alsa;
pub mod espeak;
pub mod wav;
pub mod worker;

pub use worker::{Speaker, SpeakerConfig, Utterance};

/// Why the terminal cannot speak (said in the health report and by
/// `kiosk device status` as "speech: unavailable (…)").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpeechError {
    #[error("espeak-ng is not installed ({0})")]
    NoEngine(String),
    #[error("espeak-ng could not start ({0})")]
    EngineFailed(String),
    #[error("no voice {0:?} in espeak-ng")]
    NoVoice(String),
    #[error("the ALSA library is not installed ({0})")]
    NoAlsa(String),
    #[error("no audio device {device:?}: {reason}")]
    NoAudioDevice { device: String, reason: String },
    #[error("audio output failed: {0}")]
    Audio(String),
    #[error("{0}")]
    Io(String),
}
