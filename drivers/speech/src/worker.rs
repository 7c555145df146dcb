//! [`Speaker`]: the one thread that owns espeak-ng and the ALSA PCM. The app
//! sends it what to say; a new utterance or [`Speaker::stop`] cuts the one
//! being spoken (between two buffers of `buffer_ms`, and ALSA drops what it
//! had queued), so two prompts never talk over each other.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

use crate::alsa::Pcm;
use crate::espeak::Espeak;
use crate::SpeechError;

/// How the speaker is set up (from the terminal's configuration).
#[derive(Debug, Clone)]
pub struct SpeakerConfig {
    /// ALSA PCM name (`default`, `plughw:1,0`, `null`, `file:FILE=…,FORMAT=wav`).
    pub device: String,
    /// Sound per buffer handed from the synthesiser to ALSA.
    pub buffer_ms: u32,
    /// ALSA's buffer (how much sound is queued ahead).
    pub latency_ms: u32,
}

impl Default for SpeakerConfig {
    fn default() -> Self {
        SpeakerConfig {
            device: "default".into(),
            buffer_ms: 40,
            latency_ms: 120,
        }
    }
}

/// One thing to say.
#[derive(Debug, Clone)]
pub struct Utterance {
    pub text: String,
    /// espeak-ng voice name.
    pub voice: String,
    /// Words per minute.
    pub rate: u32,
}

enum Cmd {
    Say(u64, Utterance),
    Shutdown,
}

struct Shared {
    /// The newest utterance asked for; anything older stops.
    current: AtomicU64,
    speaking: AtomicBool,
    /// 0 ..= 100, applied to the samples.
    volume: AtomicU8,
    /// When the first sample of each utterance was written to ALSA.
    started: Mutex<Option<(u64, Instant)>>,
}

/// The handle the app holds; the thread ends when it is dropped.
pub struct Speaker {
    tx: mpsc::Sender<Cmd>,
    shared: Arc<Shared>,
    next: AtomicU64,
    description: String,
}

impl Speaker {
    /// Loads espeak-ng and opens the PCM on the speaker's own thread; an
    /// error says why the terminal stays silent.
    pub fn open(cfg: SpeakerConfig) -> Result<Speaker, SpeechError> {
        let shared = Arc::new(Shared {
            current: AtomicU64::new(0),
            speaking: AtomicBool::new(false),
            volume: AtomicU8::new(100),
            started: Mutex::new(None),
        });
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let sh = shared.clone();
        thread::Builder::new()
            .name("speech".into())
            .spawn(move || {
                let opened = Espeak::load(cfg.buffer_ms).and_then(|e| {
                    let pcm = Pcm::open(&cfg.device, e.sample_rate(), cfg.latency_ms)?;
                    Ok((e, pcm))
                });
                match opened {
                    Ok((e, pcm)) => {
                        let _ = ready_tx.send(Ok(format!(
                            "espeak-ng {} on ALSA {:?}",
                            e.version(),
                            pcm.device()
                        )));
                        run(e, pcm, rx, sh);
                    }
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                    }
                }
            })
            .map_err(|e| SpeechError::Io(format!("the speech thread could not start: {e}")))?;
        let description = ready_rx
            .recv()
            .map_err(|_| SpeechError::EngineFailed("the speech thread ended".into()))??;
        Ok(Speaker {
            tx,
            shared,
            next: AtomicU64::new(1),
            description,
        })
    }

    /// What speaks, for the health report ("espeak-ng 1.51 on ALSA \"default\"").
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Says `u`, cutting whatever is being said. Returns its number.
    pub fn say(&self, u: Utterance) -> u64 {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        self.shared.current.store(id, Ordering::SeqCst);
        self.shared.speaking.store(true, Ordering::SeqCst);
        let _ = self.tx.send(Cmd::Say(id, u));
        id
    }

    /// Stops at once.
    pub fn stop(&self) {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        self.shared.current.store(id, Ordering::SeqCst);
        self.shared.speaking.store(false, Ordering::SeqCst);
    }

    pub fn is_speaking(&self) -> bool {
        self.shared.speaking.load(Ordering::SeqCst)
    }

    /// 0 ..= 100.
    pub fn set_volume(&self, percent: u8) {
        self.shared.volume.store(percent.min(100), Ordering::SeqCst);
    }

    /// The number of the newest utterance whose sound has started, and when
    /// its first sample went to ALSA (the latency benchmark reads this).
    pub fn last_started(&self) -> Option<(u64, Instant)> {
        *self
            .shared
            .started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.stop();
        let _ = self.tx.send(Cmd::Shutdown);
    }
}

fn run(mut e: Espeak, mut pcm: Pcm, rx: mpsc::Receiver<Cmd>, sh: Arc<Shared>) {
    while let Ok(cmd) = rx.recv() {
        let (id, u) = match cmd {
            Cmd::Say(id, u) => (id, u),
            Cmd::Shutdown => return,
        };
        // Only the newest: anything asked for since replaces this one.
        if sh.current.load(Ordering::SeqCst) != id {
            continue;
        }
        if let Err(err) = e.set_voice(&u.voice) {
            tracing::warn!(error = %err, "speech: voice not available");
            let _ = sh
                .current
                .compare_exchange(id, id, Ordering::SeqCst, Ordering::SeqCst)
                .map(|_| sh.speaking.store(false, Ordering::SeqCst));
            continue;
        }
        e.set_rate(u.rate);
        let mut first = true;
        let mut failed = None;
        let mut buf = Vec::new();
        let r = e.synth(&u.text, &mut |samples| {
            if sh.current.load(Ordering::SeqCst) != id {
                return false;
            }
            let v = sh.volume.load(Ordering::SeqCst) as i32;
            buf.clear();
            buf.extend(samples.iter().map(|s| ((*s as i32 * v) / 100) as i16));
            if let Err(err) = pcm.write(&buf) {
                failed = Some(err);
                return false;
            }
            if first {
                first = false;
                *sh.started.lock().unwrap_or_else(|p| p.into_inner()) = Some((id, Instant::now()));
            }
            true
        });
        if sh.current.load(Ordering::SeqCst) == id {
            pcm.drain();
        } else {
            // Cut: what ALSA had queued is not played.
            pcm.stop();
        }
        // Still the newest: nothing is being said now (a newer one keeps
        // `speaking` as `say` set it).
        if sh.current.load(Ordering::SeqCst) == id {
            sh.speaking.store(false, Ordering::SeqCst);
        }
        if let Err(err) = r {
            tracing::warn!(error = %err, "speech: synthesis failed");
        }
        if let Some(err) = failed {
            tracing::warn!(error = %err, "speech: audio output failed");
        }
    }
}
