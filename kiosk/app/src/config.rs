//! Terminal configuration: parsing, checking and the messages a technician reads.
//!
//! Every problem is reported as `file:line: key: problem`. Unknown keys are errors
//! (a misspelt key must not silently fall back to a default). Relative paths resolve
//! against the folder of the file that names them.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kiosk_core::{Catalog, DisplayMode};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub terminal: TerminalSection,
    #[serde(default)]
    pub display: DisplaySection,
    #[serde(default)]
    pub session: SessionSection,
    pub hall: HallSection,
    #[serde(default)]
    pub devices: DevicesSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalSection {
    pub id: String,
    /// The terminal's name in the header and on every slip.
    pub name: ConfigText,
    pub catalog: PathBuf,
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// Where the citizen hands in what the 一次性告知单 lists.
    #[serde(default = "default_submit_to")]
    pub submit_to: ConfigText,
    /// The enquiry line printed on the 一次性告知单.
    #[serde(default = "default_phone")]
    pub phone: ConfigText,
    /// The languages a citizen may switch to (`zh-CN`, `zh-TW`, `en`).
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// The language every session starts in (one of `languages`).
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_languages() -> Vec<String> {
    kiosk_core::Lang::ALL
        .iter()
        .map(|l| l.code().to_string())
        .collect()
}
fn default_language() -> String {
    "zh-CN".into()
}

fn default_submit_to() -> ConfigText {
    ConfigText(kiosk_core::Localized {
        zh_cn: "备齐后可在本终端补传，或到综合受理窗口提交".into(),
        zh_tw: Some("備齊後可在本終端機補傳，或到綜合受理櫃檯提交".into()),
        en: Some(
            "Upload them at this kiosk when you have them, or hand them in at the main counter"
                .into(),
        ),
    })
}
fn default_phone() -> ConfigText {
    ConfigText(kiosk_core::Localized {
        zh_cn: "12345（政务服务便民热线）".into(),
        zh_tw: Some("12345（政務服務便民熱線）".into()),
        en: Some("12345 (government service hotline)".into()),
    })
}

/// A text of the terminal's configuration: one string for every language, or
/// one per language (`name.zh-CN = "…"`, `name.en = "…"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigText(pub kiosk_core::Localized<String>);

impl ConfigText {
    pub fn get(&self, lang: kiosk_core::Lang) -> &str {
        self.0.get(lang)
    }
}

impl<'de> Deserialize<'de> for ConfigText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Same(String),
            Each(kiosk_core::Localized<String>),
        }
        match Either::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a string, or one string per language (key.zh-CN = \"…\", key.en = \"…\")",
            )
        })? {
            Either::Same(s) => Ok(ConfigText(kiosk_core::Localized {
                zh_tw: Some(s.clone()),
                en: Some(s.clone()),
                zh_cn: s,
            })),
            Either::Each(l) => Ok(ConfigText(l)),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    Portrait,
    Landscape,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ModeName {
    Normal,
    Elderly,
    Contrast,
}

impl From<ModeName> for DisplayMode {
    fn from(m: ModeName) -> Self {
        match m {
            ModeName::Normal => DisplayMode::Normal,
            ModeName::Elderly => DisplayMode::Elderly,
            ModeName::Contrast => DisplayMode::Contrast,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplaySection {
    #[serde(default = "d_orientation")]
    pub orientation: Orientation,
    /// Long and short side of the screen in pixels; orientation decides which is width.
    #[serde(default = "d_long")]
    pub long_side: u32,
    #[serde(default = "d_short")]
    pub short_side: u32,
    #[serde(default)]
    pub fullscreen: bool,
    #[serde(default = "d_mode")]
    pub default_mode: ModeName,
    /// From this age on the card 长辈模式 is offered after the card is read
    /// (one tap to accept); 0 never offers it.
    #[serde(default = "d_elderly_age")]
    pub elderly_offer_age: u32,
}

fn d_elderly_age() -> u32 {
    60
}

fn d_orientation() -> Orientation {
    Orientation::Portrait
}
fn d_long() -> u32 {
    1920
}
fn d_short() -> u32 {
    1080
}
fn d_mode() -> ModeName {
    ModeName::Normal
}

impl Default for DisplaySection {
    fn default() -> Self {
        DisplaySection {
            orientation: d_orientation(),
            long_side: d_long(),
            short_side: d_short(),
            fullscreen: false,
            default_mode: d_mode(),
            elderly_offer_age: d_elderly_age(),
        }
    }
}

impl DisplaySection {
    pub fn size(&self) -> (u32, u32) {
        match self.orientation {
            Orientation::Portrait => (self.short_side, self.long_side),
            Orientation::Landscape => (self.long_side, self.short_side),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSection {
    #[serde(default = "d_idle")]
    pub idle_timeout_secs: u64,
    #[serde(default = "d_warn")]
    pub idle_warning_secs: u64,
    /// In elderly mode (适老化: enough time); twice the above when absent.
    #[serde(default)]
    pub elderly_idle_timeout_secs: Option<u64>,
    #[serde(default)]
    pub elderly_idle_warning_secs: Option<u64>,
}

impl SessionSection {
    pub fn elderly_timeout(&self) -> u64 {
        self.elderly_idle_timeout_secs
            .unwrap_or(self.idle_timeout_secs * 2)
    }
    /// Twice the normal warning when absent, and never under 20 s.
    pub fn elderly_warning(&self) -> u64 {
        self.elderly_idle_warning_secs.unwrap_or_else(|| {
            (self.idle_warning_secs * 2)
                .max(20)
                .min(self.elderly_timeout().saturating_sub(1))
        })
    }
}

fn d_idle() -> u64 {
    120
}
fn d_warn() -> u64 {
    20
}

impl Default for SessionSection {
    fn default() -> Self {
        SessionSection {
            idle_timeout_secs: d_idle(),
            idle_warning_secs: d_warn(),
            elderly_idle_timeout_secs: None,
            elderly_idle_warning_secs: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HallSection {
    /// `embedded` runs the reference hall in this process; otherwise the hall's base URL.
    pub url: String,
    /// Address of the embedded hall.
    #[serde(default = "d_listen")]
    pub listen: String,
    #[serde(default = "d_timeout")]
    pub timeout_secs: u64,
    #[serde(default = "d_retry")]
    pub retry_secs: u64,
}

fn d_listen() -> String {
    "127.0.0.1:0".into()
}
fn d_timeout() -> u64 {
    8
}
fn d_retry() -> u64 {
    15
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeviceMode {
    Simulated,
    None,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DevicesSection {
    #[serde(default)]
    pub idcard: IdCardSection,
    #[serde(default)]
    pub camera: CameraSection,
    #[serde(default)]
    pub printer: PrinterSection,
    #[serde(default)]
    pub ticket: TicketSection,
    #[serde(default)]
    pub a4: A4Section,
}

/// The A4 printer: a CUPS queue reached over IPP.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum A4Kind {
    Cups,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct A4Section {
    pub kind: A4Kind,
    /// The queue, like "ipp://127.0.0.1:631/printers/kiosk-a4".
    #[serde(default)]
    pub uri: Option<String>,
}

impl Default for A4Section {
    fn default() -> Self {
        A4Section {
            kind: A4Kind::None,
            uri: None,
        }
    }
}

/// The receipt printer.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PrinterKind {
    /// Jobs become files in a spool folder (the demo).
    Simulated,
    /// An ESC/POS printer on TCP (raw port 9100) with status and a reprint queue.
    Tcp,
    /// On a serial port (`port`, `baud`).
    Serial,
    /// On USB bulk endpoints (`usb_vid`, `usb_pid`, `usb_interface`, `usb_ep_out`, `usb_ep_in`).
    Usb,
    /// A write-only device file (`device`, like /dev/usb/lp0): no status.
    File,
    None,
}

/// How the terminal reaches its ID-card reader.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IdCardKind {
    /// The GA 467 simulator on a pseudo-terminal, read through the real serial driver.
    Simulated,
    /// A reader on a serial port (`port`, `baud`).
    Serial,
    /// A reader on USB bulk endpoints (`usb_vid`, `usb_pid`, `usb_interface`,
    /// `usb_ep_out`, `usb_ep_in`).
    Usb,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdCardSection {
    pub kind: IdCardKind,
    /// Serial device of a real reader (`/dev/ttyUSB0`).
    #[serde(default)]
    pub port: Option<PathBuf>,
    #[serde(default = "d_baud")]
    pub baud: u32,
    /// USB reader: vendor and product id, interface, bulk endpoints.
    #[serde(default)]
    pub usb_vid: Option<u16>,
    #[serde(default)]
    pub usb_pid: Option<u16>,
    #[serde(default)]
    pub usb_interface: u8,
    #[serde(default = "d_ep_out")]
    pub usb_ep_out: u8,
    #[serde(default = "d_ep_in")]
    pub usb_ep_in: u8,
    #[serde(default = "d_poll")]
    pub poll_ms: u64,
    /// Read the fingerprint block too (30 10).
    #[serde(default)]
    pub fingerprint: bool,
    /// A licensed WLT photo decoder library (see drivers/idcard/src/wlt.rs).
    #[serde(default)]
    pub wlt_decoder: Option<PathBuf>,
    /// Simulated reader: the card fixture it presents.
    #[serde(default)]
    pub card: Option<PathBuf>,
    /// Simulated reader: how long after polling starts the card is "placed".
    #[serde(default = "d_present")]
    pub present_after_ms: u64,
}

fn d_present() -> u64 {
    1500
}
fn d_baud() -> u32 {
    115200
}
fn d_poll() -> u64 {
    300
}
fn d_ep_out() -> u8 {
    0x02
}
fn d_ep_in() -> u8 {
    0x81
}

impl Default for IdCardSection {
    fn default() -> Self {
        IdCardSection {
            kind: IdCardKind::None,
            port: None,
            baud: d_baud(),
            usb_vid: None,
            usb_pid: None,
            usb_interface: 0,
            usb_ep_out: d_ep_out(),
            usb_ep_in: d_ep_in(),
            poll_ms: d_poll(),
            fingerprint: false,
            wlt_decoder: None,
            card: None,
            present_after_ms: d_present(),
        }
    }
}

/// The document camera (高拍仪).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CameraKind {
    /// Frames from an image folder (`folder`).
    Simulated,
    /// A UVC camera through V4L2.
    V4l2,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraSection {
    pub kind: CameraKind,
    #[serde(default)]
    pub folder: Option<PathBuf>,
    /// V4L2: the /dev/videoN node; the first capture device when absent.
    #[serde(default)]
    pub device: Option<PathBuf>,
    /// V4L2: the still size asked for (the nearest the camera offers is used).
    #[serde(default = "d_cam_w")]
    pub width: u32,
    #[serde(default = "d_cam_h")]
    pub height: u32,
    /// V4L2: "mjpeg" (default) or "yuyv".
    #[serde(default = "d_cam_format")]
    pub format: kiosk_camera::v4l2::PixelFormat,
    /// The live preview's size on screen (frames are scaled to fit).
    #[serde(default = "d_prev_w")]
    pub preview_width: u32,
    #[serde(default = "d_prev_h")]
    pub preview_height: u32,
    /// Scans: 200 dpi by default, 300 for fine print (50..=600).
    #[serde(default = "d_dpi")]
    pub dpi: u32,
    /// Scans: JPEG quality, 1..=100.
    #[serde(default = "d_quality")]
    pub quality: u8,
}

fn d_cam_w() -> u32 {
    4000
}
fn d_cam_h() -> u32 {
    3000
}
fn d_cam_format() -> kiosk_camera::v4l2::PixelFormat {
    kiosk_camera::v4l2::PixelFormat::Mjpeg
}
fn d_prev_w() -> u32 {
    640
}
fn d_prev_h() -> u32 {
    480
}
fn d_dpi() -> u32 {
    200
}
fn d_quality() -> u8 {
    85
}

impl CameraSection {
    /// The pipeline's options for material pages.
    pub fn scan_options(&self) -> kiosk_camera::ScanOptions {
        kiosk_camera::ScanOptions {
            dpi: self.dpi,
            target: kiosk_camera::Target::A4,
            jpeg_quality: self.quality,
        }
    }

    pub fn capture_config(
        &self,
        resolve: impl Fn(&Path) -> PathBuf,
    ) -> kiosk_camera::v4l2::CaptureConfig {
        kiosk_camera::v4l2::CaptureConfig {
            device: self.device.as_deref().map(resolve),
            width: self.width,
            height: self.height,
            format: self.format,
            preview_width: self.preview_width,
            preview_height: self.preview_height,
        }
    }
}

impl Default for CameraSection {
    fn default() -> Self {
        CameraSection {
            kind: CameraKind::None,
            folder: None,
            device: None,
            width: d_cam_w(),
            height: d_cam_h(),
            format: d_cam_format(),
            preview_width: d_prev_w(),
            preview_height: d_prev_h(),
            dpi: d_dpi(),
            quality: d_quality(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSection {
    pub kind: PrinterKind,
    /// Where the simulated printer puts its paper; default `<data>/spool`.
    #[serde(default)]
    pub spool: Option<PathBuf>,
    /// Network printer ("tcp"): address of its raw port, like "192.168.1.50:9100".
    #[serde(default)]
    pub addr: Option<String>,
    /// Serial printer: its port and speed.
    #[serde(default)]
    pub port: Option<PathBuf>,
    #[serde(default = "d_printer_baud")]
    pub baud: u32,
    /// USB printer: vendor and product id, interface, bulk endpoints.
    #[serde(default)]
    pub usb_vid: Option<u16>,
    #[serde(default)]
    pub usb_pid: Option<u16>,
    #[serde(default)]
    pub usb_interface: u8,
    #[serde(default = "d_printer_ep_out")]
    pub usb_ep_out: u8,
    #[serde(default = "d_ep_in")]
    pub usb_ep_in: u8,
    /// Device-file printer ("file").
    #[serde(default)]
    pub device: Option<PathBuf>,
    /// Paper width in mm: 58 (384 dots) or 80 (576 dots).
    #[serde(default = "default_paper_mm")]
    pub paper_mm: u32,
    /// "raster" (bundled font, any character) or "gb18030" (printer's own font).
    #[serde(default = "default_text_mode")]
    pub text: kiosk_printer::doc::TextMode,
    /// "raster" or "native" (GS ( k).
    #[serde(default = "default_qr_mode")]
    pub qr: kiosk_printer::doc::QrMode,
    /// What the QR on receipts and tickets points to; `{no}` becomes the number.
    #[serde(default = "default_progress_url")]
    pub progress_url: String,
}

fn d_printer_baud() -> u32 {
    9600
}
fn d_printer_ep_out() -> u8 {
    0x01
}
fn default_paper_mm() -> u32 {
    80
}
fn default_text_mode() -> kiosk_printer::doc::TextMode {
    kiosk_printer::doc::TextMode::Raster
}
fn default_qr_mode() -> kiosk_printer::doc::QrMode {
    kiosk_printer::doc::QrMode::Raster
}
fn default_progress_url() -> String {
    crate::receipt::DEFAULT_PROGRESS_URL.to_string()
}

impl PrinterSection {
    /// The printer's profile; the paper width is checked by `config check`.
    pub fn profile(&self) -> kiosk_printer::doc::Profile {
        kiosk_printer::doc::Profile {
            dots: kiosk_printer::doc::Profile::dots_for_paper(self.paper_mm).unwrap_or(576),
            text: self.text,
            qr: self.qr,
        }
    }
}

impl Default for PrinterSection {
    fn default() -> Self {
        PrinterSection {
            kind: PrinterKind::None,
            spool: None,
            addr: None,
            port: None,
            baud: d_printer_baud(),
            usb_vid: None,
            usb_pid: None,
            usb_interface: 0,
            usb_ep_out: d_printer_ep_out(),
            usb_ep_in: d_ep_in(),
            device: None,
            paper_mm: default_paper_mm(),
            text: default_text_mode(),
            qr: default_qr_mode(),
            progress_url: default_progress_url(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketSection {
    pub kind: DeviceMode,
}

impl Default for TicketSection {
    fn default() -> Self {
        TicketSection {
            kind: DeviceMode::None,
        }
    }
}

/// A checked configuration with every path made absolute.
#[derive(Debug, Clone)]
pub struct Config {
    pub file: PathBuf,
    pub raw: RawConfig,
    pub catalog: Catalog,
    pub data_dir: PathBuf,
}

/// One problem in a configuration or catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.key, self.problem
        )
    }
}

#[derive(Debug, Clone)]
pub struct ConfigErrors(pub Vec<Problem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Loads and checks a terminal configuration. `data_override` is the global `--data`.
pub fn load(file: &Path, data_override: Option<&Path>) -> Result<Config, ConfigErrors> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| {
        ConfigErrors(vec![Problem {
            file: shown.clone(),
            line: 0,
            key: "-".into(),
            problem: format!("cannot read the file: {e}"),
        }])
    })?;
    let raw: RawConfig = parse_toml(&shown, &text).map_err(|p| ConfigErrors(vec![p]))?;
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    let lines = KeyLines::new(&text);
    let mut problems = Vec::new();
    let mut bad = |key: &str, problem: String| {
        problems.push(Problem {
            file: shown.clone(),
            line: lines.line_of(key),
            key: key.to_string(),
            problem,
        })
    };

    let t = &raw.terminal;
    if t.id.is_empty() || !t.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bad(
            "terminal.id",
            format!("{:?} must be letters, digits and '-' only, not empty", t.id),
        );
    }
    if t.name.0.is_blank() {
        bad("terminal.name", "must not be empty".into());
    }
    let known = || {
        kiosk_core::Lang::ALL
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for l in &t.languages {
        if kiosk_core::Lang::from_code(l).is_none() {
            bad(
                "terminal.languages",
                format!("{l:?} is not a language of the terminal ({})", known()),
            );
        }
    }
    if t.languages.is_empty() {
        bad("terminal.languages", "offer at least one language".into());
    }
    match kiosk_core::Lang::from_code(&t.language) {
        None => bad(
            "terminal.language",
            format!(
                "{:?} is not a language of the terminal ({})",
                t.language,
                known()
            ),
        ),
        Some(_) if !t.languages.contains(&t.language) => bad(
            "terminal.language",
            format!("{:?} is not among terminal.languages", t.language),
        ),
        Some(_) => {}
    }
    let d = &raw.display;
    for (key, v) in [
        ("display.long_side", d.long_side),
        ("display.short_side", d.short_side),
    ] {
        if !(240..=7680).contains(&v) {
            bad(key, format!("{v} is outside 240..=7680 pixels"));
        }
    }
    if d.short_side > d.long_side {
        bad(
            "display.short_side",
            format!("{} is longer than long_side {}", d.short_side, d.long_side),
        );
    }
    if d.elderly_offer_age != 0 && !(40..=100).contains(&d.elderly_offer_age) {
        bad(
            "display.elderly_offer_age",
            format!(
                "{} is not an age to offer 长辈模式 from (40 ..= 100, or 0 for never)",
                d.elderly_offer_age
            ),
        );
    }
    let s = &raw.session;
    if s.idle_timeout_secs < 15 {
        bad(
            "session.idle_timeout_secs",
            format!(
                "{} s is too short for a citizen to read a screen (at least 15)",
                s.idle_timeout_secs
            ),
        );
    }
    if s.idle_warning_secs == 0 || s.idle_warning_secs >= s.idle_timeout_secs {
        bad(
            "session.idle_warning_secs",
            format!(
                "{} must be at least 1 and less than idle_timeout_secs ({})",
                s.idle_warning_secs, s.idle_timeout_secs
            ),
        );
    }
    // The elderly limits are checked where they are written (their defaults
    // follow from valid normal limits).
    let (et, ew) = (s.elderly_timeout(), s.elderly_warning());
    if s.elderly_idle_timeout_secs.is_some() && et < s.idle_timeout_secs {
        bad(
            "session.elderly_idle_timeout_secs",
            format!(
                "{et} s is shorter than idle_timeout_secs ({}): elderly mode gives more time, not less",
                s.idle_timeout_secs
            ),
        );
    }
    if s.elderly_idle_warning_secs.is_some() && (ew < 20 || ew >= et) {
        bad(
            "session.elderly_idle_warning_secs",
            format!("{ew} must be at least 20 (time to ask for more) and less than the elderly timeout ({et})"),
        );
    }
    let h = &raw.hall;
    if h.url != "embedded" && !(h.url.starts_with("https://") || h.url.starts_with("http://")) {
        bad(
            "hall.url",
            format!("{:?} must be \"embedded\" or an http(s):// URL", h.url),
        );
    }
    if h.url == "embedded" && h.listen.parse::<SocketAddr>().is_err() {
        bad(
            "hall.listen",
            format!("{:?} is not an address like 127.0.0.1:8080", h.listen),
        );
    }
    if h.timeout_secs == 0 {
        bad("hall.timeout_secs", "must be at least 1".into());
    }
    if h.retry_secs == 0 {
        bad("hall.retry_secs", "must be at least 1".into());
    }
    let dev = &raw.devices;
    // GA 467 readers run at one of the five rates the SAM's own baud command sets.
    if !kiosk_idcard::transport::BAUDS.contains(&dev.idcard.baud) {
        bad(
            "devices.idcard.baud",
            format!(
                "{} is not one of 9600, 19200, 38400, 57600, 115200",
                dev.idcard.baud
            ),
        );
    }
    if !(20..=5000).contains(&dev.idcard.poll_ms) {
        bad(
            "devices.idcard.poll_ms",
            format!("{} is outside 20..=5000 ms", dev.idcard.poll_ms),
        );
    }
    if kiosk_printer::doc::Profile::dots_for_paper(dev.printer.paper_mm).is_none() {
        bad(
            "devices.printer.paper_mm",
            format!("{} is not 58 or 80", dev.printer.paper_mm),
        );
    }
    if !dev.printer.progress_url.contains("{no}") {
        bad(
            "devices.printer.progress_url",
            "needs {no} where the number goes".into(),
        );
    }
    if dev.printer.kind == PrinterKind::Tcp {
        match &dev.printer.addr {
            None => bad(
                "devices.printer.addr",
                "a network printer needs its address (like 192.168.1.50:9100)".into(),
            ),
            Some(a) if a.parse::<SocketAddr>().is_err() => bad(
                "devices.printer.addr",
                format!("{a:?} is not an address like 192.168.1.50:9100"),
            ),
            _ => {}
        }
    }
    if dev.idcard.kind == IdCardKind::Usb {
        let i = &dev.idcard;
        check_usb(
            "devices.idcard",
            "reader",
            (i.usb_vid, i.usb_pid, i.usb_ep_out, i.usb_ep_in),
            &mut bad,
        );
    }
    if dev.a4.kind == A4Kind::Cups {
        match dev.a4.uri.as_deref() {
            None => bad(
                "devices.a4.uri",
                "a CUPS printer needs its queue (like ipp://127.0.0.1:631/printers/kiosk-a4)"
                    .into(),
            ),
            Some(u) => {
                if let Err(e) = kiosk_cups::CupsPrinter::new(u) {
                    bad("devices.a4.uri", e.to_string());
                }
            }
        }
    }
    let pr = &dev.printer;
    match pr.kind {
        PrinterKind::Usb => {
            check_usb(
                "devices.printer",
                "printer",
                (pr.usb_vid, pr.usb_pid, pr.usb_ep_out, pr.usb_ep_in),
                &mut bad,
            );
        }
        PrinterKind::Serial => {
            if pr.port.is_none() {
                bad(
                    "devices.printer.port",
                    "a serial printer needs its port (like /dev/ttyS1)".into(),
                );
            }
            // Printers run at whatever their DIP switches say; any rate the
            // serial transport can set is accepted.
            if !kiosk_device::transport::baud_ok(pr.baud) {
                bad(
                    "devices.printer.baud",
                    format!(
                        "{} is not a serial baud rate (50 to {})",
                        pr.baud,
                        kiosk_device::transport::MAX_BAUD
                    ),
                );
            }
        }
        PrinterKind::File if pr.device.is_none() => {
            bad(
                "devices.printer.device",
                "a device-file printer needs its device (like /dev/usb/lp0)".into(),
            );
        }
        _ => {}
    }
    if dev.idcard.kind == IdCardKind::Serial && dev.idcard.port.is_none() {
        bad(
            "devices.idcard.port",
            "a serial reader needs its port (like /dev/ttyUSB0)".into(),
        );
    }
    if let Some(p) = &dev.idcard.wlt_decoder {
        if !base.join(p).is_file() {
            bad(
                "devices.idcard.wlt_decoder",
                format!("{} does not exist", base.join(p).display()),
            );
        }
    }
    if dev.idcard.kind == IdCardKind::Simulated {
        match &dev.idcard.card {
            None => bad(
                "devices.idcard.card",
                "a simulated reader needs a card fixture file".into(),
            ),
            Some(p) if !base.join(p).is_file() => bad(
                "devices.idcard.card",
                format!("{} does not exist", base.join(p).display()),
            ),
            _ => {}
        }
    }
    let cam = &dev.camera;
    if !(50..=600).contains(&cam.dpi) {
        bad(
            "devices.camera.dpi",
            format!(
                "{} is outside 50..=600 (200 is usual, 300 for fine print)",
                cam.dpi
            ),
        );
    }
    if !(1..=100).contains(&cam.quality) {
        bad(
            "devices.camera.quality",
            format!("{} is outside 1..=100", cam.quality),
        );
    }
    for (key, v, lo, hi) in [
        ("devices.camera.width", cam.width, 160, 10_000),
        ("devices.camera.height", cam.height, 120, 10_000),
        ("devices.camera.preview_width", cam.preview_width, 160, 1920),
        (
            "devices.camera.preview_height",
            cam.preview_height,
            120,
            1920,
        ),
    ] {
        if !(lo..=hi).contains(&v) {
            bad(key, format!("{v} is outside {lo}..={hi} pixels"));
        }
    }
    if cam.kind == CameraKind::V4l2 {
        if let Some(d) = &cam.device {
            if !d.starts_with("/dev/") {
                bad(
                    "devices.camera.device",
                    format!("{} is not a device node like /dev/video0", d.display()),
                );
            }
        }
    }
    if dev.camera.kind == CameraKind::Simulated {
        match &dev.camera.folder {
            None => bad(
                "devices.camera.folder",
                "a simulated camera needs an image folder".into(),
            ),
            Some(p) if !base.join(p).is_dir() => bad(
                "devices.camera.folder",
                format!("{} is not a folder", base.join(p).display()),
            ),
            _ => {}
        }
    }

    let catalog_path = base.join(&t.catalog);
    let catalog = match std::fs::read_to_string(&catalog_path) {
        Err(e) => {
            bad(
                "terminal.catalog",
                format!("cannot read {}: {e}", catalog_path.display()),
            );
            None
        }
        Ok(ctext) => {
            let shown = catalog_path.display().to_string();
            let c = check_catalog(&shown, &ctext, &mut problems);
            // Every text in each language the terminal offers.
            if let Some(c) = &c {
                let langs: Vec<kiosk_core::Lang> = t
                    .languages
                    .iter()
                    .filter_map(|l| kiosk_core::Lang::from_code(l))
                    .collect();
                let lines = KeyLines::new(&ctext);
                for p in c.missing_languages(&langs) {
                    problems.push(Problem {
                        file: shown.clone(),
                        line: lines.line_of(&p.key),
                        key: p.key,
                        problem: p.problem,
                    });
                }
            }
            c
        }
    };
    let catalog = match catalog {
        Some(c) if problems.is_empty() => c,
        _ => return Err(ConfigErrors(problems)),
    };
    let data_dir = match (data_override, &t.data_dir) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(d)) => base.join(d),
        (None, None) => base.join("../data"),
    };
    Ok(Config {
        file: file.to_path_buf(),
        raw,
        catalog,
        data_dir,
    })
}

/// Parses and checks a catalog file on its own.
pub fn check_catalog(file: &str, text: &str, problems: &mut Vec<Problem>) -> Option<Catalog> {
    match parse_toml::<Catalog>(file, text) {
        Err(p) => {
            problems.push(p);
            None
        }
        Ok(c) => {
            let lines = KeyLines::new(text);
            let before = problems.len();
            for p in c.problems() {
                problems.push(Problem {
                    file: file.to_string(),
                    line: lines.line_of(&p.key),
                    key: p.key,
                    problem: p.problem,
                });
            }
            (problems.len() == before).then_some(c)
        }
    }
}

impl Config {
    pub fn resolve(&self, p: &Path) -> PathBuf {
        let base = self.file.parent().unwrap_or(Path::new("."));
        if base.as_os_str().is_empty() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    }
    pub fn session_config(&self) -> kiosk_core::SessionConfig {
        let t = &self.raw.terminal;
        kiosk_core::SessionConfig {
            idle_timeout: self.raw.session.idle_timeout_secs * 1000,
            idle_warning: self.raw.session.idle_warning_secs * 1000,
            elderly_idle_timeout: self.raw.session.elderly_timeout() * 1000,
            elderly_idle_warning: self.raw.session.elderly_warning() * 1000,
            elderly_offer_age: Some(self.raw.display.elderly_offer_age).filter(|a| *a > 0),
            default_mode: self.raw.display.default_mode.into(),
            default_lang: kiosk_core::Lang::from_code(&t.language).unwrap_or_default(),
            languages: t
                .languages
                .iter()
                .filter_map(|l| kiosk_core::Lang::from_code(l))
                .collect(),
        }
    }
}

/// Deserialises TOML, turning the first error into a located [`Problem`].
fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, Problem> {
    let de = toml::de::Deserializer::new(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line = inner
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let msg = inner.message().trim().to_string();
        // serde reports an unknown key at its parent; name the key itself.
        let (key, problem) = if let Some(rest) = msg.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or("");
            // serde_path_to_error already ends the path with the unknown key itself.
            let key = if path == "." || path.is_empty() {
                name.to_string()
            } else if path == name || path.ends_with(&format!(".{name}")) {
                path.clone()
            } else {
                format!("{path}.{name}")
            };
            let expected = rest.split_once(", expected ").map(|x| x.1).unwrap_or("");
            (key, format!("unknown key (expected {expected})"))
        } else if let Some(rest) = msg.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("");
            let key = if path == "." || path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            (key, "required key is missing".to_string())
        } else {
            if path == "." || path.is_empty() {
                // A syntax error: the parser knows no key, but the line does.
                let key = line
                    .and_then(|l| key_on_line(text, l))
                    .unwrap_or_else(|| "-".to_string());
                (key, format!("TOML syntax error: {msg}"))
            } else {
                (path.clone(), msg)
            }
        };
        let line = line.unwrap_or_else(|| KeyLines::new(text).line_of(&key));
        Problem {
            file: file.to_string(),
            line,
            key,
            problem,
        }
    })
}

/// The dotted key written on line `line` (1-based), from the table header above it.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let mut table = String::new();
    for (i, l) in text.lines().enumerate().take(line) {
        let l = l.trim();
        if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
        if i + 1 == line {
            let (k, _) = l.split_once('=')?;
            let k = k.trim().trim_matches('"');
            if k.is_empty() || k.starts_with('#') {
                return None;
            }
            return Some(if table.is_empty() {
                k.to_string()
            } else {
                format!("{table}.{k}")
            });
        }
    }
    None
}

/// Where each dotted key (with array indices, `item[2].fields[0].kind`) stands in a TOML text.
struct KeyLines {
    at: HashMap<String, usize>,
}

impl KeyLines {
    fn new(text: &str) -> Self {
        let mut at = HashMap::new();
        let mut counters: HashMap<String, usize> = HashMap::new();
        let mut prefix = String::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
                let (parent, last) = Self::split_header(name.trim(), &counters);
                let array = if parent.is_empty() {
                    last.to_string()
                } else {
                    format!("{parent}.{last}")
                };
                let idx = counters
                    .entry(array.clone())
                    .and_modify(|i| *i += 1)
                    .or_insert(0);
                prefix = format!("{array}[{idx}]");
                at.entry(array).or_insert(n + 1);
                at.insert(prefix.clone(), n + 1);
            } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
                let (parent, last) = Self::split_header(name.trim(), &counters);
                prefix = if parent.is_empty() {
                    last.to_string()
                } else {
                    format!("{parent}.{last}")
                };
                at.insert(prefix.clone(), n + 1);
            } else if let Some((k, _)) = line.split_once('=') {
                let k = k.trim().trim_matches('"');
                let key = if prefix.is_empty() {
                    k.to_string()
                } else {
                    format!("{prefix}.{k}")
                };
                // A dotted key (`name.zh-CN`) also places its parent (`name`),
                // where a missing language is reported.
                let mut parent = key.as_str();
                while let Some(i) = parent.rfind('.') {
                    parent = &parent[..i];
                    if parent.len() <= prefix.len() {
                        break;
                    }
                    at.entry(parent.to_string()).or_insert(n + 1);
                }
                at.entry(key).or_insert(n + 1);
            }
        }
        KeyLines { at }
    }

    /// `item.fields` → (`item[3]`, `fields`) using the current index of each array table.
    fn split_header<'a>(name: &'a str, counters: &HashMap<String, usize>) -> (String, &'a str) {
        let parts: Vec<&str> = name.split('.').map(str::trim).collect();
        let mut parent = String::new();
        for p in &parts[..parts.len() - 1] {
            if !parent.is_empty() {
                parent.push('.');
            }
            parent.push_str(p);
            if let Some(i) = counters.get(&parent) {
                parent = format!("{parent}[{i}]");
            }
        }
        (parent, parts[parts.len() - 1])
    }

    /// The line of `key`, or of its nearest enclosing table; 1 when nothing matches.
    fn line_of(&self, key: &str) -> usize {
        let mut k = key.to_string();
        loop {
            if let Some(l) = self.at.get(&k) {
                return *l;
            }
            match k.rfind(['.', '[']) {
                Some(i) => k.truncate(i),
                None => return 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_follow_arrays_of_tables() {
        let t = "[[item]]\nid = \"a\"\n[[item.fields]]\nkey = \"x\"\n[[item]]\nid = \"b\"\n[[item.fields]]\nkey = \"y\"\n[[item.fields]]\nkind = \"z\"\n";
        let k = KeyLines::new(t);
        assert_eq!(k.line_of("item[1].id"), 6);
        assert_eq!(k.line_of("item[1].fields[1].kind"), 10);
        assert_eq!(k.line_of("item[0].fields[0].options"), 3);
    }
}

/// Vendor and product id present, endpoints pointing the right way.
fn check_usb(
    section: &str,
    what: &str,
    (vid, pid, ep_out, ep_in): (Option<u16>, Option<u16>, u8, u8),
    bad: &mut impl FnMut(&str, String),
) {
    if vid.is_none() {
        bad(
            &format!("{section}.usb_vid"),
            format!("a USB {what} needs its vendor id (like 0x0400)"),
        );
    }
    if pid.is_none() {
        bad(
            &format!("{section}.usb_pid"),
            format!("a USB {what} needs its product id (like 0xc35a)"),
        );
    }
    if ep_in & 0x80 == 0 {
        bad(
            &format!("{section}.usb_ep_in"),
            format!("{ep_in:#04x} is not an IN endpoint (bit 7 set, like 0x81)"),
        );
    }
    if ep_out & 0x80 != 0 {
        bad(
            &format!("{section}.usb_ep_out"),
            format!("{ep_out:#04x} is not an OUT endpoint (bit 7 clear, like 0x02)"),
        );
    }
}
