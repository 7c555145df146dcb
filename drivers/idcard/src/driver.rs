//! The GA 467 driver: commands over a [`Transport`], replies checked for
//! plausibility, a whole card read (find → select → read) with bounded time.

use std::io;
use std::time::{Duration, Instant};

use crate::card::IdCard;
use crate::codec::{
    encode_command, format_sam_id, parse_read, parse_reply, Command, FrameDecoder, FrameError,
    PayloadError, Reply, Status,
};
use crate::text::{decode_text, TextError};
use crate::transport::Transport;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    /// The link is gone (unplugged, port closed): the reader goes `Offline`.
    #[error("reader link {0}")]
    Link(String),
    #[error("no reply to {0:?} in time")]
    Timeout(Command),
    #[error("corrupt reply to {cmd:?}: {err}")]
    Frame { cmd: Command, err: FrameError },
    #[error("malformed reply to {cmd:?}: {err}")]
    Payload { cmd: Command, err: PayloadError },
    #[error("{cmd:?} answered {status:?}")]
    Status { cmd: Command, status: Status },
    #[error("card text: {0}")]
    Text(TextError),
    #[error("the card has expired (valid to {0})")]
    Expired(String),
}

impl DriverError {
    pub fn is_link(&self) -> bool {
        matches!(self, DriverError::Link(_))
    }

    /// The sentence a technician sees.
    pub fn technician_message(&self) -> String {
        match self {
            DriverError::Link(m) => {
                format!("reader link lost: {m} (check the cable, the port and the power)")
            }
            DriverError::Timeout(c) => {
                format!("the reader did not answer {c:?} (check the baud rate and the port)")
            }
            other => other.to_string(),
        }
    }
}

fn link(e: io::Error) -> DriverError {
    DriverError::Link(e.to_string())
}

/// How long to wait for each reply.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Status, SAM, find and select replies (short frames).
    pub short: Duration,
    /// Read replies (1295 bytes: 1.35 s of wire time alone at 9600 baud).
    pub read: Duration,
}

impl Timeouts {
    /// Wire time of `bytes` at `baud` (10 bits per byte, 8N1) plus a margin for
    /// the SAM's own work.
    pub fn for_baud(baud: u32) -> Timeouts {
        let wire = |bytes: u64| Duration::from_micros(bytes * 10 * 1_000_000 / baud as u64);
        Timeouts {
            short: wire(64) + Duration::from_millis(500),
            read: wire(2400) + Duration::from_millis(1500),
        }
    }
}

/// One reader on one transport.
pub struct Ga467 {
    t: Box<dyn Transport>,
    dec: FrameDecoder,
    pub timeouts: Timeouts,
    /// Frames skipped as stale or implausible (for tests and diagnostics).
    pub stale_frames: u64,
}

/// Whether `reply` can be the answer to `cmd` (a late reply to an earlier command
/// can land in front of the one we wait for).
fn plausible(cmd: Command, r: &Reply) -> bool {
    use Status::*;
    match cmd {
        Command::FindCard => matches!(r.status, FindOk | NoCard | Other(_)) && r.data.len() <= 4,
        Command::SelectCard => {
            matches!(r.status, Success | SelectFailed | Other(_))
                && (r.data.len() == 8 || r.data.is_empty())
        }
        Command::ReadText | Command::ReadTextFingerprint => {
            (r.status == Success && r.data.len() >= 4 + 256)
                || (!matches!(r.status, Success | FindOk | NoCard) && r.data.len() <= 8)
        }
        Command::ReadAppendedAddress => !matches!(r.status, FindOk | NoCard) && r.data.len() <= 80,
        Command::SamId => {
            (r.status == Success && r.data.len() == 16)
                || (r.status != Success && r.data.len() <= 16)
        }
        Command::SamStatus | Command::ResetSam => {
            !matches!(r.status, FindOk | NoCard) && r.data.is_empty()
        }
    }
}

impl Ga467 {
    pub fn new(t: Box<dyn Transport>, timeouts: Timeouts) -> Self {
        Ga467 {
            t,
            dec: FrameDecoder::new(),
            timeouts,
            stale_frames: 0,
        }
    }

    pub fn describe(&self) -> String {
        self.t.describe()
    }

    /// Sends `cmd` and waits for its reply (bounded by the timeouts).
    pub fn transact(&mut self, cmd: Command) -> Result<Reply, DriverError> {
        let timeout = match cmd {
            Command::ReadText | Command::ReadTextFingerprint => self.timeouts.read,
            _ => self.timeouts.short,
        };
        self.t.send(&encode_command(cmd)).map_err(link)?;
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 2048];
        loop {
            while let Some(frame) = self.dec.next_frame() {
                match frame {
                    Ok(body) => match parse_reply(body) {
                        Ok(r) if plausible(cmd, &r) => return Ok(r),
                        Ok(r) => {
                            self.stale_frames += 1;
                            tracing::debug!(?cmd, ?r, "skipping a stale or implausible frame");
                        }
                        Err(err) => return Err(DriverError::Payload { cmd, err }),
                    },
                    Err(err @ FrameError::BadChecksum { .. }) => {
                        tracing::warn!(?cmd, %err, "corrupt reply");
                        self.resync();
                        return Err(DriverError::Frame { cmd, err });
                    }
                    Err(err) => tracing::debug!(?cmd, %err, "noise on the line"),
                }
            }
            let n = self.t.recv(&mut buf, deadline).map_err(link)?;
            if n == 0 {
                self.resync();
                return Err(DriverError::Timeout(cmd));
            }
            self.dec.push(&buf[..n]);
            buf[..n].fill(0);
        }
    }

    /// After an error: nothing buffered may be taken for the next reply.
    fn resync(&mut self) {
        self.dec.clear();
        let _ = self.t.discard_input();
    }

    /// Like [`transact`](Self::transact), once more after a corrupt reply or a timeout.
    fn transact_retry(&mut self, cmd: Command) -> Result<Reply, DriverError> {
        match self.transact(cmd) {
            Err(DriverError::Frame { .. } | DriverError::Timeout(_)) => self.transact(cmd),
            other => other,
        }
    }

    /// SAM status (11 FF): `Ok(())` when the security module is healthy.
    pub fn sam_status(&mut self) -> Result<(), DriverError> {
        let r = self.transact_retry(Command::SamStatus)?;
        match r.status {
            Status::Success => Ok(()),
            status => Err(DriverError::Status {
                cmd: Command::SamStatus,
                status,
            }),
        }
    }

    /// SAM ID (12 FF), formatted as vendor tools print it.
    pub fn sam_id(&mut self) -> Result<String, DriverError> {
        let cmd = Command::SamId;
        let r = self.transact_retry(cmd)?;
        if r.status != Status::Success {
            return Err(DriverError::Status {
                cmd,
                status: r.status,
            });
        }
        format_sam_id(&r.data).ok_or(DriverError::Payload {
            cmd,
            err: PayloadError::Truncated {
                want: 16,
                got: r.data.len(),
            },
        })
    }

    /// Find card (20 01): whether a card is in the field.
    pub fn find_card(&mut self) -> Result<bool, DriverError> {
        let cmd = Command::FindCard;
        let r = self.transact(cmd)?;
        match r.status {
            Status::FindOk => Ok(true),
            Status::NoCard => Ok(false),
            status => Err(DriverError::Status { cmd, status }),
        }
    }

    pub fn select_card(&mut self) -> Result<(), DriverError> {
        let cmd = Command::SelectCard;
        let r = self.transact_retry(cmd)?;
        match r.status {
            Status::Success => Ok(()),
            status => Err(DriverError::Status { cmd, status }),
        }
    }

    /// Read text + photo (30 01), or + fingerprint (30 10), and decode the text.
    pub fn read(&mut self, fingerprint: bool) -> Result<IdCard, DriverError> {
        let cmd = if fingerprint {
            Command::ReadTextFingerprint
        } else {
            Command::ReadText
        };
        let r = self.transact_retry(cmd)?;
        if r.status != Status::Success {
            return Err(DriverError::Status {
                cmd,
                status: r.status,
            });
        }
        let blocks =
            parse_read(&r.data, fingerprint).map_err(|err| DriverError::Payload { cmd, err })?;
        let mut card = decode_text(&blocks.text).map_err(DriverError::Text)?;
        card.photo_wlt = blocks.photo.clone();
        Ok(card)
    }

    /// 追加住址 (30 03): the newer address some cards carry; `None` when the card
    /// has none (SW3 0x91, "no content", in the sources).
    pub fn appended_address(&mut self) -> Result<Option<String>, DriverError> {
        let cmd = Command::ReadAppendedAddress;
        let r = self.transact_retry(cmd)?;
        match r.status {
            Status::Success => {
                let units: Vec<u16> = r
                    .data
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                let s = String::from_utf16(&units).map_err(|_| {
                    DriverError::Text(TextError::Encoding {
                        field: "appended_address",
                    })
                })?;
                let s = s.trim_end_matches([' ', '\0']).to_string();
                Ok((!s.is_empty()).then_some(s))
            }
            Status::Other(0x91) => Ok(None),
            status => Err(DriverError::Status { cmd, status }),
        }
    }

    /// A whole read of the card in the field: find, select, read. `Ok(None)`
    /// when there is no card. `today` (`YYYYMMDD`) turns an expired card into
    /// [`DriverError::Expired`].
    pub fn read_card(
        &mut self,
        fingerprint: bool,
        today: Option<&str>,
    ) -> Result<Option<IdCard>, DriverError> {
        if !self.find_card()? {
            return Ok(None);
        }
        self.select_card()?;
        let card = self.read(fingerprint)?;
        if let Some(t) = today {
            if card.expired_on(t) {
                return Err(DriverError::Expired(card.valid_to.clone()));
            }
        }
        Ok(Some(card))
    }
}
