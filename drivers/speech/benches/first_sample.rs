//! `cargo bench -p kiosk-speech`: from asking the speaker to say a prompt to
//! its first sample written to ALSA (the `null` PCM, as on a terminal whose
//! card takes sound at once), median and worst of 20 per voice; and the same
//! for starting `espeak-ng` as a process writing a WAV to stdout (the peer:
//! how a shell-script kiosk would do it), to its first byte of sound.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kiosk_speech::{Speaker, SpeakerConfig, Utterance};

const RUNS: usize = 20;

fn median(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], *v.last().unwrap())
}

fn main() {
    let s = Speaker::open(SpeakerConfig {
        device: "null".into(),
        ..SpeakerConfig::default()
    })
    .expect("espeak-ng and ALSA");
    println!("speaker: {}", s.describe());
    for (voice, text) in [
        (
            "cmn-latn-pinyin",
            "请放置身份证。读卡区在屏幕下方，请将身份证平放在读卡区上。",
        ),
        (
            "yue",
            "請放置身份證。讀卡區在屏幕下方，請將身份證平放在讀卡區上。",
        ),
        (
            "en",
            "Please place your ID card on the reader below the screen.",
        ),
    ] {
        let mut lat = Vec::new();
        for _ in 0..RUNS {
            let asked = Instant::now();
            let id = s.say(Utterance {
                text: text.into(),
                voice: voice.into(),
                rate: 150,
            });
            loop {
                if let Some((i, at)) = s.last_started() {
                    if i == id {
                        lat.push(at - asked);
                        break;
                    }
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            while s.is_speaking() {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let (m, w) = median(lat);
        println!("speaker {voice:<16} first sample to ALSA: median {:.1} ms, worst {:.1} ms ({RUNS} runs)", m.as_secs_f64() * 1e3, w.as_secs_f64() * 1e3);

        let mut lat = Vec::new();
        for _ in 0..RUNS {
            let asked = Instant::now();
            let mut child = Command::new("espeak-ng")
                .args(["-v", voice, "-s", "150", "--stdout", text])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("espeak-ng");
            let mut out = child.stdout.take().unwrap();
            // The WAV header is 44 bytes; the first sample is after it.
            let mut buf = [0u8; 46];
            out.read_exact(&mut buf).expect("sound");
            lat.push(asked.elapsed());
            let _ = child.kill();
            let _ = child.wait();
        }
        let (m, w) = median(lat);
        println!("process {voice:<16} first sample on stdout: median {:.1} ms, worst {:.1} ms ({RUNS} runs)", m.as_secs_f64() * 1e3, w.as_secs_f64() * 1e3);
    }
}
