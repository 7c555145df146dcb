//! The real espeak-ng and the real ALSA library (scripts/setup-debian.sh
//! installs espeak-ng, libasound2 and sox). ALSA plays into its own `file:`
//! PCM (a WAV file) and `null` PCM, so no sound card is needed; every WAV is
//! checked by sox's `soxi`, not by a reader of our own.

use std::path::Path;
use std::process::Command;

use kiosk_speech::{alsa::Pcm, espeak::Espeak, wav, SpeechError};

fn soxi(flag: &str, path: &Path) -> String {
    let out = Command::new("soxi")
        .arg(flag)
        .arg(path)
        .output()
        .expect("soxi (sox) is installed by scripts/setup-debian.sh");
    assert!(
        out.status.success(),
        "soxi {flag} {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn seconds(path: &Path) -> f64 {
    soxi("-D", path).parse().expect("a duration")
}

/// espeak-ng keeps global state: one engine per process, so one test walks
/// through everything that needs it.
#[test]
fn espeak_speaks_each_language_streams_its_samples_and_can_be_stopped() {
    let mut e = Espeak::load(50).expect("espeak-ng is installed");
    assert_eq!(e.sample_rate(), 22050);
    assert!(!e.version().is_empty());
    assert!(
        matches!(Espeak::load(50), Err(SpeechError::EngineFailed(_))),
        "a second engine in one process is refused"
    );

    let dir = tempfile::tempdir().unwrap();
    // One short prompt per language and voice: plausible lengths, real WAVs.
    for (voice, text, min, max) in [
        ("cmn-latn-pinyin", "请放置身份证", 0.8, 5.0),
        ("yue", "請放置身份證", 0.8, 5.0),
        ("en", "Please place your ID card on the reader", 1.0, 6.0),
    ] {
        e.set_voice(voice).unwrap();
        let samples = e.synth_to_vec(text).unwrap();
        let path = dir.path().join(format!("{voice}.wav"));
        wav::write(
            std::fs::File::create(&path).unwrap(),
            e.sample_rate(),
            &samples,
        )
        .unwrap();
        assert_eq!(soxi("-r", &path), "22050");
        assert_eq!(soxi("-c", &path), "1");
        assert_eq!(soxi("-b", &path), "16");
        let s = seconds(&path);
        assert!((min..max).contains(&s), "{voice}: {s} s for {text:?}");
        assert!(
            samples.iter().any(|x| x.unsigned_abs() > 1000),
            "{voice}: not silence"
        );
    }
    assert!(matches!(
        e.set_voice("no-such-voice"),
        Err(SpeechError::NoVoice(_))
    ));

    // A long text comes in many buffers (the first sound does not wait for
    // the last sentence), and the sink can stop it after the first.
    e.set_voice("cmn-latn-pinyin").unwrap();
    let long = "请把材料平放在高拍仪下方，逐页拍摄。标可容缺的材料可以以后补交。材料没带齐？打印一张告知单，列明还需准备的全部材料。";
    let mut calls = 0;
    let mut total = 0;
    e.synth(long, &mut |s| {
        calls += 1;
        total += s.len();
        true
    })
    .unwrap();
    assert!(calls > 10, "{calls} buffers for {total} samples");
    let mut kept = 0;
    e.synth(long, &mut |s| {
        kept += s.len();
        false
    })
    .unwrap();
    assert!(
        kept > 0 && kept * 10 < total,
        "stopped after {kept} of {total} samples"
    );

    // A slower rate makes the same text longer.
    e.set_rate(175);
    let normal = e.synth_to_vec("请放置身份证").unwrap().len();
    e.set_rate(120);
    let slow = e.synth_to_vec("请放置身份证").unwrap().len();
    assert!(slow > normal, "{slow} samples at 120 wpm, {normal} at 175");
}

#[test]
fn alsa_plays_into_its_file_device_and_names_a_missing_device() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("played.wav");
    // Half a second of a 440 Hz tone through ALSA's own file plugin.
    let tone: Vec<i16> = (0..11025)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 22050.0).sin() * 8000.0) as i16)
        .collect();
    {
        let mut pcm = Pcm::open(
            &format!("file:FILE={},FORMAT=wav", out.display()),
            22050,
            100,
        )
        .expect("ALSA's file PCM");
        pcm.write(&tone).unwrap();
        pcm.drain();
    }
    let s = seconds(&out);
    assert!((0.45..0.55).contains(&s), "{s} s played");
    assert_eq!(soxi("-r", &out), "22050");

    let mut null = Pcm::open("null", 22050, 100).expect("ALSA's null PCM");
    null.write(&tone).unwrap();
    null.stop();

    match Pcm::open("hw:97,0", 22050, 100) {
        Err(SpeechError::NoAudioDevice { device, reason }) => {
            assert_eq!(device, "hw:97,0");
            assert!(!reason.is_empty());
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("there is no card 97"),
    }
}

#[test]
fn wav_header_is_what_sox_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.wav");
    wav::write(
        std::fs::File::create(&path).unwrap(),
        16000,
        &vec![0i16; 8000],
    )
    .unwrap();
    assert_eq!(soxi("-r", &path), "16000");
    assert_eq!(soxi("-s", &path), "8000");
    assert!((seconds(&path) - 0.5).abs() < 1e-6);
}
