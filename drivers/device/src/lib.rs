//! The small status vocabulary every device driver of the terminal reports in.
//!
//! Each driver reduces its own raw status (SAM status words, ESC/POS `DLE EOT`
//! bytes, V4L2 errors) to one [`DeviceStatus`]; the kiosk shows it in the health
//! view and maps it to a sentence for the citizen or technician.

pub mod durable;
pub mod transport;

use std::fmt;

/// The device families of the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    IdCardReader,
    Camera,
    Printer,
    /// The A4 printer behind CUPS (forms, certificates).
    A4Printer,
    TicketDispenser,
}

impl DeviceKind {
    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::IdCardReader => "身份证阅读器",
            DeviceKind::Camera => "高拍仪",
            DeviceKind::Printer => "凭条打印机",
            DeviceKind::A4Printer => "A4 打印机",
            DeviceKind::TicketDispenser => "排队取号机",
        }
    }
}

/// What a device is doing, as far as the kiosk needs to know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum DeviceStatus {
    /// Opened and answering; ready for work.
    Ready,
    /// Working on a command.
    Busy,
    /// Answering, but needs attention soon (paper near end).
    Warning(String),
    /// Answering, but cannot work until a person acts (paper out, cover open).
    NeedsAttention(String),
    /// Not answering: unplugged, powered off, wrong port. The driver keeps trying.
    Offline(String),
}

impl DeviceStatus {
    pub fn is_usable(&self) -> bool {
        matches!(
            self,
            DeviceStatus::Ready | DeviceStatus::Busy | DeviceStatus::Warning(_)
        )
    }
    /// A sentence for the health view (Chinese, as the staff read it).
    pub fn describe(&self) -> String {
        match self {
            DeviceStatus::Ready => "正常".into(),
            DeviceStatus::Busy => "工作中".into(),
            DeviceStatus::Warning(s) => format!("提醒：{s}"),
            DeviceStatus::NeedsAttention(s) => format!("需处理：{s}"),
            DeviceStatus::Offline(s) => format!("离线：{s}"),
        }
    }
}

impl fmt::Display for DeviceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answering_devices_are_usable() {
        assert!(DeviceStatus::Ready.is_usable());
        assert!(DeviceStatus::Warning("纸将尽".into()).is_usable());
        assert!(!DeviceStatus::NeedsAttention("缺纸".into()).is_usable());
        assert!(!DeviceStatus::Offline("未连接".into()).is_usable());
        assert_eq!(
            DeviceStatus::Offline("串口未找到".into()).to_string(),
            "离线：串口未找到"
        );
    }
}
