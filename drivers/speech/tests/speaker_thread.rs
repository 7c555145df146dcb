//! The speaker thread on the real espeak-ng and ALSA, playing into ALSA's
//! `file:` PCM (raw samples, measured by the file's growth while the PCM is
//! open; a WAV once it is closed, checked by soxi): it says what it is given, a
//! newer utterance or a stop cuts the one under way, and it tells when the
//! first sample went out. One speaker per process (espeak-ng is global).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kiosk_speech::{Speaker, SpeakerConfig, SpeechError, Utterance};

/// Seconds of 16-bit mono 22 050 Hz sound played into the raw file so far.
fn seconds(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 2.0 / 22050.0)
}

fn wait_silent(s: &Speaker) {
    let end = Instant::now() + Duration::from_secs(30);
    while s.is_speaking() {
        assert!(Instant::now() < end, "still speaking after 30 s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn say(text: &str) -> Utterance {
    Utterance {
        text: text.into(),
        voice: "cmn-latn-pinyin".into(),
        rate: 175,
    }
}

#[test]
fn the_speaker_says_cuts_and_reports_its_first_sample() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.raw");
    let s = Speaker::open(SpeakerConfig {
        device: format!("file:FILE={},FORMAT=raw", out.display()),
        ..SpeakerConfig::default()
    })
    .expect("espeak-ng and ALSA are installed");
    assert!(s.describe().starts_with("espeak-ng "), "{}", s.describe());
    assert!(
        matches!(
            Speaker::open(SpeakerConfig::default()),
            Err(SpeechError::EngineFailed(_))
        ),
        "one speaker per process"
    );

    // A whole sentence.
    let asked = Instant::now();
    let id = s.say(say("请放置身份证"));
    assert!(s.is_speaking());
    wait_silent(&s);
    let (started_id, at) = s.last_started().expect("sound went out");
    assert_eq!(started_id, id);
    assert!(at >= asked);
    let whole = seconds(&out);
    assert!((0.8..5.0).contains(&whole), "{whole} s");

    // A new prompt replaces the one under way (never both at once): the
    // second's first sample is the newest start, and of the long text little
    // or nothing is played. (ALSA's null device takes sound as fast as it is
    // made, so the cut is asked for at once; the engine's own test cuts a
    // synthesis between two buffers.)
    let long = "请把材料平放在高拍仪下方，逐页拍摄。标可容缺的材料可以以后补交。材料没带齐？打印一张告知单，列明还需准备的全部材料。";
    let before = seconds(&out);
    s.say(say(long));
    let second = s.say(say("正在读卡"));
    wait_silent(&s);
    assert_eq!(s.last_started().unwrap().0, second);
    let played = seconds(&out) - before;
    assert!(
        played < 6.0,
        "{played} s: the ~15 s text was cut for the short one"
    );

    // Stop is at once.
    s.say(say(long));
    s.stop();
    assert!(!s.is_speaking());
    std::thread::sleep(Duration::from_millis(300));
    assert!(!s.is_speaking());

    // Volume 0 still plays (silence), and the voice can change.
    s.set_volume(0);
    s.say(Utterance {
        text: "Reading your card".into(),
        voice: "en".into(),
        rate: 150,
    });
    wait_silent(&s);
    drop(s);
    // What was played is real sound: sox reads the raw file as such.
    let stat = Command::new("sox")
        .args([
            "-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1",
        ])
        .arg(&out)
        .args(["-n", "stat"])
        .output()
        .expect("sox");
    let report = String::from_utf8_lossy(&stat.stderr);
    let max: f64 = report
        .lines()
        .find(|l| l.starts_with("Maximum amplitude"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("sox stat: {report}"));
    assert!(max > 0.05, "played sound peaks at {max}");
}
