use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use kiosk_device::DeviceStatus;

use crate::card::IdCard;

/// What the reader tells the kiosk.
#[derive(Debug, Clone)]
pub enum ReaderEvent {
    /// A card was placed and read; sent once per placement.
    CardPresented(IdCard),
    CardRemoved,
    /// A card was placed but could not be read.
    ReadFailed(ReadError),
    Status(DeviceStatus),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("card fixture {path}: {reason}")]
    Fixture { path: String, reason: String },
    #[error("the card has expired")]
    Expired,
}

impl ReadError {
    /// The sentence a citizen sees.
    pub fn citizen_message(&self) -> &'static str {
        match self {
            ReadError::Fixture { .. } => "读卡失败，请将身份证重新放在感应区",
            ReadError::Expired => "该证件已过有效期，请到窗口办理",
        }
    }
}

/// The simulated reader: a card "is placed" `present_after` after polling starts.
#[derive(Debug, Clone)]
pub struct SimReaderConfig {
    /// A JSON file holding one [`IdCard`].
    pub card_file: PathBuf,
    pub present_after: Duration,
    /// Today's date (`YYYYMMDD`) for the expiry check; `None` skips it.
    pub today: Option<String>,
}

enum Cmd {
    Start,
    Stop,
    Shutdown,
}

/// The handle the kiosk holds. Cheap to clone; the worker thread ends when the
/// last handle is dropped.
#[derive(Clone)]
pub struct IdCardReader {
    inner: Arc<Inner>,
}

struct Inner {
    cmd: mpsc::Sender<Cmd>,
    status: Arc<Mutex<DeviceStatus>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.cmd.send(Cmd::Shutdown);
    }
}

impl IdCardReader {
    /// Starts a simulated reader whose events go to `on_event` (called on the
    /// reader's own thread).
    pub fn simulated(
        cfg: SimReaderConfig,
        on_event: impl Fn(ReaderEvent) + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(DeviceStatus::Ready));
        let st = status.clone();
        thread::Builder::new()
            .name("idcard-sim".into())
            .spawn(move || sim_worker(cfg, rx, st, on_event))
            .expect("spawning a thread");
        IdCardReader {
            inner: Arc::new(Inner { cmd: tx, status }),
        }
    }

    /// Begin looking for a card (the identify screen is up).
    pub fn start(&self) {
        let _ = self.inner.cmd.send(Cmd::Start);
    }
    /// Stop looking; a card still on the reader is forgotten.
    pub fn stop(&self) {
        let _ = self.inner.cmd.send(Cmd::Stop);
    }
    pub fn status(&self) -> DeviceStatus {
        self.inner
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or(DeviceStatus::Offline("driver thread failed".into()))
    }
}

fn load_card(path: &Path) -> Result<IdCard, ReadError> {
    let err = |reason: String| ReadError::Fixture {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

fn sim_worker(
    cfg: SimReaderConfig,
    rx: mpsc::Receiver<Cmd>,
    status: Arc<Mutex<DeviceStatus>>,
    on_event: impl Fn(ReaderEvent),
) {
    let set = |s: DeviceStatus| {
        if let Ok(mut g) = status.lock() {
            *g = s;
        }
    };
    loop {
        // Idle: wait for Start.
        match rx.recv() {
            Ok(Cmd::Start) => {}
            Ok(Cmd::Stop) => continue,
            Ok(Cmd::Shutdown) | Err(_) => return,
        }
        set(DeviceStatus::Busy);
        // Polling: a card appears after the configured time unless stopped first.
        match rx.recv_timeout(cfg.present_after) {
            Err(RecvTimeoutError::Timeout) => {
                let ev = match load_card(&cfg.card_file) {
                    Ok(card) if cfg.today.as_deref().is_some_and(|t| card.expired_on(t)) => {
                        ReaderEvent::ReadFailed(ReadError::Expired)
                    }
                    Ok(card) => ReaderEvent::CardPresented(card),
                    Err(e) => {
                        tracing::warn!(error = %e, "simulated card could not be read");
                        ReaderEvent::ReadFailed(e)
                    }
                };
                on_event(ev);
                // Wait until the kiosk stops polling: the card is taken away then.
                loop {
                    match rx.recv() {
                        Ok(Cmd::Stop) => break,
                        Ok(Cmd::Start) => continue,
                        Ok(Cmd::Shutdown) | Err(_) => return,
                    }
                }
                on_event(ReaderEvent::CardRemoved);
            }
            Ok(Cmd::Stop) | Ok(Cmd::Start) => {}
            Ok(Cmd::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
        }
        set(DeviceStatus::Ready);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CardType;

    fn fixture(dir: &Path, valid_to: &str) -> PathBuf {
        let p = dir.join("card.json");
        let card = IdCard {
            card_type: CardType::Resident,
            name: "欧阳燕".into(),
            gender: "女".into(),
            nation: "汉".into(),
            birth: "19580312".into(),
            address: "湖北省武汉市".into(),
            id_number: "420113195803120021".into(),
            authority: "武汉市公安局".into(),
            valid_from: "20180312".into(),
            valid_to: valid_to.into(),
        };
        std::fs::write(&p, serde_json::to_string(&card).unwrap()).unwrap();
        p
    }

    fn run(card_file: PathBuf, today: Option<&str>) -> Vec<ReaderEvent> {
        let (tx, rx) = mpsc::channel();
        let r = IdCardReader::simulated(
            SimReaderConfig {
                card_file,
                present_after: Duration::from_millis(20),
                today: today.map(Into::into),
            },
            move |e| {
                let _ = tx.send(e);
            },
        );
        r.start();
        let first = rx.recv_timeout(Duration::from_secs(5)).expect("an event");
        r.stop();
        let second = rx.recv_timeout(Duration::from_secs(5)).expect("removal");
        vec![first, second]
    }

    #[test]
    fn presents_the_fixture_card_once_then_reports_removal() {
        let dir = std::env::temp_dir().join(format!("idcard-sim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ev = run(fixture(&dir, "长期"), Some("20261122"));
        assert!(
            matches!(&ev[0], ReaderEvent::CardPresented(c) if c.name == "欧阳燕"),
            "{ev:?}"
        );
        assert!(matches!(ev[1], ReaderEvent::CardRemoved));
    }

    #[test]
    fn expired_card_is_reported_as_such() {
        let dir = std::env::temp_dir().join(format!("idcard-sim-exp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ev = run(fixture(&dir, "20200101"), Some("20261122"));
        assert!(
            matches!(ev[0], ReaderEvent::ReadFailed(ReadError::Expired)),
            "{ev:?}"
        );
    }

    #[test]
    fn unreadable_fixture_is_a_read_failure_not_a_panic() {
        let ev = run(PathBuf::from("/nonexistent/card.json"), None);
        match &ev[0] {
            ReaderEvent::ReadFailed(e) => {
                assert_eq!(e.citizen_message(), "读卡失败，请将身份证重新放在感应区")
            }
            other => panic!("{other:?}"),
        }
    }
}
