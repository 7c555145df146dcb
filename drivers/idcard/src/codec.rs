//! GA 467 SAM frames: pure encode/decode, no I/O (fuzzed in `fuzz/`).
//!
//! A frame on the wire (commands and replies alike):
//!
//! ```text
//! AA AA AA 96 69 | LEN (2 bytes, big-endian) | BODY … | CHK
//! ```
//!
//! `LEN` counts everything after itself, the checksum included; `CHK` is the XOR
//! of the two length bytes and the body (the preamble is not covered). A command
//! body is `CMD PARA [data]`; a reply body is `SW1 SW2 SW3 [data]`.
//!
//! Public sources these constants were checked against (frame layout, command
//! codes, sample frames, read-reply layout):
//! - the serial protocol notes in the CSDN article "android串口通信——身份证识别器"
//!   (blog.csdn.net/qiwenmingshiwo/article/details/50698927): preamble, LEN
//!   semantics for commands and replies, XOR checksum without the preamble,
//!   20 01 / 20 02 / 30 01 / 30 10 with their replies, 115200 baud default;
//! - `heavyii/cardreader` (Java, `com.dlrc.idcard.IdReader`): the find, no-card
//!   and select frames used in the tests below;
//! - a vendor command table quoted in `DeviceConstants.java` of a public Android
//!   kiosk project (same frame description, "AAAAAA9669050800009001000400" read
//!   reply head);
//! - Qt/C++ readers calling 11 FF (SAM status, `AA AA AA 96 69 00 03 11 FF ED`)
//!   and 10 FF (reset) as ordinary frames.
//! The reset command (10 FF) appears in those C++ sources with a status reply;
//! the SW3 meanings beyond 0x90/0x9F/0x80/0x81/0x41/0x40 are kept raw
//! ([`Status::Other`]).

use std::fmt;

/// The five bytes every frame starts with.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// Largest `LEN` accepted. The longest legitimate reply, text + photo +
/// fingerprint (30 10), is 3 + 6 + 256 + 1024 + 1024 + 1 = 2314 bytes; anything
/// much longer is line noise that happened to look like a header.
pub const MAX_LEN: usize = 4096;

/// Shortest `LEN`: a command is `CMD PARA CHK`.
pub const MIN_LEN: usize = 3;

/// Commands of the SAM (CMD, PARA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// 复位 SAM (10 FF). The SAM answers with its status (sources agree that the
    /// reply is an ordinary status frame, 0x90 when the SAM is healthy).
    ResetSam,
    /// SAM 状态检测 (11 FF).
    SamStatus,
    /// 读 SAM 管理信息 / SAM_ID (12 FF).
    SamId,
    /// 寻找证/卡 (20 01).
    FindCard,
    /// 选取证/卡 (20 02).
    SelectCard,
    /// 读机读文字信息和相片信息 (30 01).
    ReadText,
    /// 读机读文字、相片和指纹信息 (30 10).
    ReadTextFingerprint,
    /// 读最新住址信息 / 追加住址 (30 03).
    ReadAppendedAddress,
}

impl Command {
    pub const ALL: [Command; 8] = [
        Command::ResetSam,
        Command::SamStatus,
        Command::SamId,
        Command::FindCard,
        Command::SelectCard,
        Command::ReadText,
        Command::ReadTextFingerprint,
        Command::ReadAppendedAddress,
    ];

    pub fn code(self) -> [u8; 2] {
        match self {
            Command::ResetSam => [0x10, 0xFF],
            Command::SamStatus => [0x11, 0xFF],
            Command::SamId => [0x12, 0xFF],
            Command::FindCard => [0x20, 0x01],
            Command::SelectCard => [0x20, 0x02],
            Command::ReadText => [0x30, 0x01],
            Command::ReadTextFingerprint => [0x30, 0x10],
            Command::ReadAppendedAddress => [0x30, 0x03],
        }
    }

    pub fn from_code(code: [u8; 2]) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// SW3 of a reply, typed. SW1 SW2 are kept raw in [`Reply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0x90: 操作成功.
    Success,
    /// 0x9F: 寻找证/卡成功.
    FindOk,
    /// 0x80: 寻找证/卡失败 (no card in the field).
    NoCard,
    /// 0x81: 选取证/卡失败.
    SelectFailed,
    /// 0x41: 读证/卡操作失败.
    ReadFailed,
    /// 0x40: 无法识别的卡类型.
    UnknownCardType,
    /// Any other SW3 (checksum/length/command errors reported by the SAM,
    /// authentication failures, 0x91 "no content" for an empty appended address…).
    Other(u8),
}

impl Status {
    pub fn from_sw3(b: u8) -> Status {
        match b {
            0x90 => Status::Success,
            0x9F => Status::FindOk,
            0x80 => Status::NoCard,
            0x81 => Status::SelectFailed,
            0x41 => Status::ReadFailed,
            0x40 => Status::UnknownCardType,
            other => Status::Other(other),
        }
    }

    pub fn sw3(self) -> u8 {
        match self {
            Status::Success => 0x90,
            Status::FindOk => 0x9F,
            Status::NoCard => 0x80,
            Status::SelectFailed => 0x81,
            Status::ReadFailed => 0x41,
            Status::UnknownCardType => 0x40,
            Status::Other(b) => b,
        }
    }
}

/// XOR over `bytes` (the length bytes and the body).
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |a, b| a ^ b)
}

/// Wraps `body` in a frame: preamble, length, body, checksum.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let len = body.len() + 1;
    assert!(len <= 0xFFFF, "a GA 467 frame body fits a 16-bit length");
    let mut out = Vec::with_capacity(PREAMBLE.len() + 2 + len);
    out.extend_from_slice(&PREAMBLE);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(body);
    out.push(checksum(&out[PREAMBLE.len()..]));
    out
}

/// The bytes of a command frame.
pub fn encode_command(cmd: Command) -> Vec<u8> {
    frame(&cmd.code())
}

/// The bytes of a reply frame (what a reader, or the simulator, sends).
pub fn encode_reply(status: Status, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(3 + data.len());
    body.extend_from_slice(&[0x00, 0x00, status.sw3()]);
    body.extend_from_slice(data);
    frame(&body)
}

/// Something wrong with the byte stream (the decoder has already resynchronised).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame checksum {got:#04x} does not match {expected:#04x}")]
    BadChecksum { expected: u8, got: u8 },
    #[error("frame length {0} is outside {MIN_LEN}..={MAX_LEN}")]
    BadLength(usize),
}

/// Reassembles frames from a byte stream, however it is split or merged.
///
/// Length-driven: bytes before a preamble are skipped (and counted), a frame is
/// complete when `LEN` bytes have followed the header, a bad checksum or an
/// impossible length drops one byte and searches again, so one corrupt frame
/// never swallows the good frame behind it.
#[derive(Default)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    skipped: usize,
}

impl fmt::Debug for FrameDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The buffer may hold card data: only its size is shown.
        f.debug_struct("FrameDecoder")
            .field("buffered", &self.buf.len())
            .field("skipped", &self.skipped)
            .finish()
    }
}

impl Drop for FrameDecoder {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.buf);
    }
}

impl FrameDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes dropped so far while looking for a preamble.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Forgets everything buffered (after a timeout, stale bytes must not be
    /// taken for the next reply).
    pub fn clear(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.buf);
        self.buf.clear();
    }

    fn drop_front(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf[..n].fill(0);
        self.buf.drain(..n);
    }

    /// The next complete frame's body (checksum stripped), an error for a corrupt
    /// frame, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        loop {
            // Find a preamble; keep a tail that may be the start of one.
            match find(&self.buf, &PREAMBLE) {
                Some(0) => {}
                Some(i) => {
                    self.skipped += i;
                    self.drop_front(i);
                }
                None => {
                    let keep = partial_suffix(&self.buf, &PREAMBLE);
                    let drop = self.buf.len() - keep;
                    self.skipped += drop;
                    self.drop_front(drop);
                    return None;
                }
            }
            let head = PREAMBLE.len() + 2;
            if self.buf.len() < head {
                return None;
            }
            let len = u16::from_be_bytes([self.buf[5], self.buf[6]]) as usize;
            if !(MIN_LEN..=MAX_LEN).contains(&len) {
                self.skipped += 1;
                self.drop_front(1);
                return Some(Err(FrameError::BadLength(len)));
            }
            if self.buf.len() < head + len {
                return None;
            }
            let expected = checksum(&self.buf[5..head + len - 1]);
            let got = self.buf[head + len - 1];
            if expected != got {
                self.skipped += 1;
                self.drop_front(1);
                return Some(Err(FrameError::BadChecksum { expected, got }));
            }
            let body = self.buf[head..head + len - 1].to_vec();
            self.drop_front(head + len);
            return Some(Ok(body));
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Length of the longest suffix of `hay` that is a proper prefix of `needle`.
fn partial_suffix(hay: &[u8], needle: &[u8]) -> usize {
    (1..needle.len())
        .rev()
        .find(|&k| hay.len() >= k && hay[hay.len() - k..] == needle[..k])
        .unwrap_or(0)
}

/// A decoded reply.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    pub sw1: u8,
    pub sw2: u8,
    pub status: Status,
    pub data: Vec<u8>,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `data` may be card text or a photo: size only.
        f.debug_struct("Reply")
            .field("sw1", &self.sw1)
            .field("sw2", &self.sw2)
            .field("status", &self.status)
            .field("data_len", &self.data.len())
            .finish()
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

/// Problems inside a well-framed reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("reply body of {0} bytes is shorter than its status words")]
    NoStatus(usize),
    #[error("read reply of {got} bytes, the lengths inside announce {want}")]
    Truncated { want: usize, got: usize },
    #[error("text block of {0} bytes (expected 256)")]
    TextSize(usize),
}

/// Splits a reply body into status words and data.
pub fn parse_reply(mut body: Vec<u8>) -> Result<Reply, PayloadError> {
    if body.len() < 3 {
        return Err(PayloadError::NoStatus(body.len()));
    }
    let (sw1, sw2, sw3) = (body[0], body[1], body[2]);
    body.drain(..3);
    Ok(Reply {
        sw1,
        sw2,
        status: Status::from_sw3(sw3),
        data: std::mem::take(&mut body),
    })
}

/// Parses a command frame body (for the simulator's side).
pub fn parse_command(body: &[u8]) -> Option<Command> {
    (body.len() >= 2)
        .then(|| Command::from_code([body[0], body[1]]))
        .flatten()
}

/// The raw blocks of a card read (30 01 / 30 10). Zeroised on drop.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct CardBlocks {
    /// 256 bytes of UCS-2LE text.
    pub text: Vec<u8>,
    /// The WLT-compressed photo (1024 bytes), decodable only by a licensed library.
    pub photo: Vec<u8>,
    /// Fingerprint template data (30 10 only; may be empty).
    pub fingerprint: Option<Vec<u8>>,
}

impl fmt::Debug for CardBlocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardBlocks")
            .field(
                "text",
                &format_args!("<{} bytes redacted>", self.text.len()),
            )
            .field(
                "photo",
                &format_args!("<{} bytes redacted>", self.photo.len()),
            )
            .field(
                "fingerprint",
                &self
                    .fingerprint
                    .as_ref()
                    .map(|f| format!("<{} bytes redacted>", f.len())),
            )
            .finish()
    }
}

/// Parses the data of a read reply: `text_len photo_len [fp_len] text photo [fp]`,
/// lengths 2 bytes big-endian.
pub fn parse_read(data: &[u8], with_fingerprint: bool) -> Result<CardBlocks, PayloadError> {
    let nlen = if with_fingerprint { 6 } else { 4 };
    if data.len() < nlen {
        return Err(PayloadError::Truncated {
            want: nlen,
            got: data.len(),
        });
    }
    let be = |i: usize| u16::from_be_bytes([data[i], data[i + 1]]) as usize;
    let (tl, pl) = (be(0), be(2));
    let fl = if with_fingerprint { be(4) } else { 0 };
    let want = nlen + tl + pl + fl;
    if data.len() < want {
        return Err(PayloadError::Truncated {
            want,
            got: data.len(),
        });
    }
    if tl != 256 {
        return Err(PayloadError::TextSize(tl));
    }
    let text = data[nlen..nlen + tl].to_vec();
    let photo = data[nlen + tl..nlen + tl + pl].to_vec();
    let fingerprint = with_fingerprint.then(|| data[nlen + tl + pl..want].to_vec());
    Ok(CardBlocks {
        text,
        photo,
        fingerprint,
    })
}

/// The data of a read reply (simulator side; inverse of [`parse_read`]).
pub fn encode_read(blocks: &CardBlocks) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(blocks.text.len() as u16).to_be_bytes());
    out.extend_from_slice(&(blocks.photo.len() as u16).to_be_bytes());
    if let Some(fp) = &blocks.fingerprint {
        out.extend_from_slice(&(fp.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(&blocks.text);
    out.extend_from_slice(&blocks.photo);
    if let Some(fp) = &blocks.fingerprint {
        out.extend_from_slice(fp);
    }
    out
}

/// The SAM ID as readers print it: `05.01-20101010-0000012345-1234567890`, from
/// the 16 data bytes of the 12 FF reply: byte 0 and byte 2 in hex, then three
/// little-endian u32 (bytes 4–7 unpadded, 8–11 and 12–15 padded to 10 digits).
/// (One public source, a vendor serial-reader implementation; bytes 1 and 3 unused.)
pub fn format_sam_id(data: &[u8]) -> Option<String> {
    if data.len() < 16 {
        return None;
    }
    let u32le = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    Some(format!(
        "{:02x}.{:02x}-{}-{:010}-{:010}",
        data[0],
        data[2],
        u32le(4),
        u32le(8),
        u32le(12)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn decode_all(bytes: &[u8]) -> Vec<Result<Vec<u8>, FrameError>> {
        let mut d = FrameDecoder::new();
        d.push(bytes);
        std::iter::from_fn(|| d.next_frame()).collect()
    }

    #[test]
    fn public_reply_frames_decode() {
        // Find card OK, no card, select OK: frames printed by the protocol sources.
        let find_ok = decode_all(&hex("AAAAAA9669000800009F0000000097"));
        let r = parse_reply(find_ok[0].clone().unwrap()).unwrap();
        assert_eq!(r.status, Status::FindOk);
        assert_eq!(r.data, vec![0, 0, 0, 0]);

        let none = decode_all(&hex("AAAAAA9669000400008084"));
        assert_eq!(
            parse_reply(none[0].clone().unwrap()).unwrap().status,
            Status::NoCard
        );

        let sel = decode_all(&hex("AAAAAA9669000C00009000000000000000009C"));
        let r = parse_reply(sel[0].clone().unwrap()).unwrap();
        assert_eq!(r.status, Status::Success);
        assert_eq!(r.data.len(), 8);
    }

    #[test]
    fn command_frames_are_byte_exact() {
        assert_eq!(
            encode_command(Command::FindCard),
            hex("AAAAAA96690003200122")
        );
        assert_eq!(
            encode_command(Command::SelectCard),
            hex("AAAAAA96690003200221")
        );
        assert_eq!(
            encode_command(Command::ReadText),
            hex("AAAAAA96690003300132")
        );
        assert_eq!(
            encode_command(Command::ReadTextFingerprint),
            hex("AAAAAA96690003301023")
        );
        assert_eq!(
            encode_command(Command::ReadAppendedAddress),
            hex("AAAAAA96690003300330")
        );
        assert_eq!(
            encode_command(Command::SamStatus),
            hex("AAAAAA9669000311FFED")
        );
        assert_eq!(encode_command(Command::SamId), hex("AAAAAA9669000312FFEE"));
        assert_eq!(
            encode_command(Command::ResetSam),
            hex("AAAAAA9669000310FFEC")
        );
        // And the replies we encode are the public ones.
        assert_eq!(
            encode_reply(Status::NoCard, &[]),
            hex("AAAAAA9669000400008084")
        );
        assert_eq!(
            encode_reply(Status::FindOk, &[0; 4]),
            hex("AAAAAA9669000800009F0000000097")
        );
        assert_eq!(
            encode_reply(Status::Success, &[0; 8]),
            hex("AAAAAA9669000C00009000000000000000009C")
        );
    }

    #[test]
    fn bad_checksum_is_rejected_and_the_next_frame_still_decodes() {
        let mut bytes = hex("AAAAAA9669000400008085"); // checksum off by one
        bytes.extend(hex("AAAAAA9669000400008084"));
        let out = decode_all(&bytes);
        assert_eq!(
            out[0],
            Err(FrameError::BadChecksum {
                expected: 0x84,
                got: 0x85
            })
        );
        assert_eq!(out.last().unwrap().as_ref().unwrap(), &hex("000080"));
    }

    #[test]
    fn garbage_before_a_header_is_skipped_and_counted() {
        let mut bytes = vec![0x00, 0xAA, 0x96, 0xAA, 0xAA, 0x13];
        bytes.extend(hex("AAAAAA9669000400008084"));
        let mut d = FrameDecoder::new();
        d.push(&bytes);
        assert_eq!(d.next_frame(), Some(Ok(hex("000080"))));
        assert_eq!(d.skipped(), 6);
        assert_eq!(d.next_frame(), None);
    }

    #[test]
    fn impossible_length_resynchronises() {
        let mut bytes = hex("AAAAAA9669FFFF");
        bytes.extend(hex("AAAAAA9669000400008084"));
        let out = decode_all(&bytes);
        assert_eq!(out[0], Err(FrameError::BadLength(0xFFFF)));
        assert_eq!(out[1], Ok(hex("000080")));
    }

    #[test]
    fn a_frame_split_anywhere_waits_for_the_rest() {
        let bytes = hex("AAAAAA9669000C00009000000000000000009C");
        for cut in 0..bytes.len() {
            let mut d = FrameDecoder::new();
            d.push(&bytes[..cut]);
            assert_eq!(d.next_frame(), None, "cut at {cut}");
            d.push(&bytes[cut..]);
            assert!(matches!(d.next_frame(), Some(Ok(_))), "cut at {cut}");
        }
    }

    #[test]
    fn read_reply_round_trips_with_and_without_fingerprint() {
        let blocks = CardBlocks {
            text: vec![0x20; 256],
            photo: (0..1024).map(|i| i as u8).collect(),
            fingerprint: None,
        };
        let data = encode_read(&blocks);
        assert_eq!(&data[..4], &[0x01, 0x00, 0x04, 0x00]);
        assert_eq!(parse_read(&data, false).unwrap(), blocks);
        // Whole reply frame length: 3 SW + 4 + 256 + 1024 + checksum = 0x0508.
        let f = encode_reply(Status::Success, &data);
        assert_eq!(&f[5..7], &[0x05, 0x08]);

        let mut with_fp = blocks.clone();
        with_fp.fingerprint = Some(vec![7; 1024]);
        let data = encode_read(&with_fp);
        assert_eq!(&data[..6], &[0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
        assert_eq!(parse_read(&data, true).unwrap(), with_fp);
        assert_eq!(
            parse_read(&data[..600], true),
            Err(PayloadError::Truncated {
                want: 2310,
                got: 600
            })
        );
    }

    #[test]
    fn sam_id_formats_like_vendor_tools() {
        let mut d = Vec::new();
        d.extend(5u16.to_le_bytes());
        d.extend(1u16.to_le_bytes());
        d.extend(20101010u32.to_le_bytes());
        d.extend(12345u32.to_le_bytes());
        d.extend(1234567890u32.to_le_bytes());
        assert_eq!(
            format_sam_id(&d).unwrap(),
            "05.01-20101010-0000012345-1234567890"
        );
        assert_eq!(format_sam_id(&d[..15]), None);
    }

    #[test]
    fn status_words_are_typed() {
        for (b, s) in [
            (0x90, Status::Success),
            (0x9F, Status::FindOk),
            (0x80, Status::NoCard),
            (0x81, Status::SelectFailed),
            (0x41, Status::ReadFailed),
            (0x40, Status::UnknownCardType),
            (0x31, Status::Other(0x31)),
        ] {
            assert_eq!(Status::from_sw3(b), s);
            assert_eq!(s.sw3(), b);
        }
    }
}
