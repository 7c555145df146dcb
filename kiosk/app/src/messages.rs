//! The one place where typed facts from the core and the drivers become the
//! sentences a citizen reads (and, with voice, hears): each through the
//! gettext catalogs (`i18n`), in the session's language. Screens' fixed
//! labels are `@tr` in the .slint files; everything composed from values is
//! here. Message ids are the Simplified Chinese text.

use kiosk_core::{
    CameraTrouble, CaptureTrouble, CardTrouble, DeliveryMethod, FieldError, ItemKind, Lang,
    MaterialState, PrintState, PrintTrouble, Priority, Rating, Screen, Slip, SubmitTrouble,
    TicketTrouble,
};

use crate::i18n::Tr;

/// Each offered language's own name: (code, short, whole), the same whatever
/// the screen's language (so a citizen finds their own).
pub fn endonym(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::ZhCn => ("简", "简体中文"),
        Lang::ZhTw => ("繁", "繁體中文"),
        Lang::En => ("EN", "English"),
    }
}

/// The offer shown after a permit or foreign resident card is read, in the
/// offered language itself (the citizen may not read the current one):
/// (question, accept, dismiss).
pub fn language_offer(offered: Lang) -> (String, String, String) {
    let tr = Tr(offered);
    (tr.t("要改用简体中文吗？"), tr.t("切换"), tr.t("不用了"))
}

/// The 长辈模式 offer to a card holder of `from` years or more: text,
/// accept, dismiss.
pub fn elderly_offer(tr: Tr, from: u32) -> (String, String, String) {
    (
        tr.f(
            "您已年满 {} 周岁，可以改用长辈模式：字更大，按钮更大，每屏内容更少。",
            &[&from],
        ),
        tr.t("改用长辈模式"),
        tr.t("不用了"),
    )
}

/// The main button of the bottom bar on `screen`.
pub fn next_label(tr: Tr, screen: Screen) -> String {
    match screen {
        Screen::Guide => tr.t("开始办理"),
        Screen::Review => tr.t("确认提交"),
        Screen::Receipt => tr.t("完成"),
        _ => tr.t("下一步"),
    }
}

pub fn cancel_label(tr: Tr, screen: Screen) -> String {
    if matches!(screen, Screen::Receipt | Screen::Evaluation) {
        tr.t("返回首页")
    } else {
        tr.t("取消办理")
    }
}

/// The tile line "即办件" / "承诺件 5 个工作日".
pub fn kind_short(tr: Tr, kind: ItemKind, days: u32) -> String {
    match kind {
        ItemKind::Instant => tr.t("即办件"),
        ItemKind::Promised => tr.n(
            "承诺件 {n} 个工作日",
            "承诺件 {n} 个工作日",
            days.into(),
            &[],
        ),
    }
}

/// The guide's line on the kind of item and its time limit.
pub fn kind_long(tr: Tr, kind: ItemKind, days: u32) -> String {
    match kind {
        ItemKind::Instant => tr.t("即办件：材料齐全，当场办结"),
        ItemKind::Promised => tr.n(
            "承诺件：受理后 {n} 个工作日内办结",
            "承诺件：受理后 {n} 个工作日内办结",
            days.into(),
            &[],
        ),
    }
}

pub fn delivery(tr: Tr, d: DeliveryMethod) -> String {
    match d {
        DeliveryMethod::Pickup => tr.t("窗口领取"),
        DeliveryMethod::Mail => tr.t("免费邮寄（政务快递）"),
    }
}

/// The guide's list of ways to get the result ("窗口领取，或免费邮寄…").
pub fn deliveries(tr: Tr, ds: &[DeliveryMethod]) -> String {
    let parts: Vec<String> = ds.iter().map(|d| delivery(tr, *d)).collect();
    parts.join(&tr.t("，或"))
}

pub fn delivery_detail(tr: Tr, d: DeliveryMethod, address: &str) -> String {
    match d {
        DeliveryMethod::Pickup => tr.t("办结后凭回执到政务服务中心综合窗口领取"),
        DeliveryMethod::Mail => tr.f("免费寄到身份证地址：{}", &[&address]),
    }
}

/// A material's tag in the guide.
pub fn guide_tag(tr: Tr, from_card: bool, tolerated: bool, required: bool) -> String {
    if from_card {
        tr.t("读卡免交")
    } else if tolerated {
        tr.t("可容缺")
    } else if !required {
        tr.t("选交")
    } else {
        String::new()
    }
}

/// How a material stands on the materials screen.
pub enum MaterialStatus {
    CardChecked,
    CardWaiting,
    Pages(u32),
    Later,
    Optional,
    ToPhotograph,
}

pub fn material_status(tr: Tr, s: MaterialStatus) -> String {
    match s {
        MaterialStatus::CardChecked => tr.t("已核验"),
        MaterialStatus::CardWaiting => tr.t("待读卡"),
        MaterialStatus::Pages(n) => tr.n("已拍 {n} 页", "已拍 {n} 页", n.into(), &[]),
        MaterialStatus::Later => tr.t("以后补交"),
        MaterialStatus::Optional => tr.t("选交"),
        MaterialStatus::ToPhotograph => tr.t("待拍摄"),
    }
}

/// How a material stands on the review screen, the receipt and the A4 copy.
pub fn material_state(tr: Tr, s: MaterialState) -> String {
    match s {
        MaterialState::FromCard => tr.t("读卡核验"),
        MaterialState::Pages(n) => tr.n("{n} 页", "{n} 页", n.into(), &[]),
        MaterialState::Deferred { days } => tr.n(
            "容缺，{n} 个工作日内补交",
            "容缺，{n} 个工作日内补交",
            days.into(),
            &[],
        ),
        MaterialState::Missing => tr.t("未提交"),
    }
}

pub fn field_error(tr: Tr, e: FieldError, label: &str, choice: bool) -> String {
    match (e, choice) {
        (FieldError::Missing, true) => tr.f("请选择{}", &[&label]),
        (FieldError::Missing, false) => tr.f("请填写{}", &[&label]),
        (FieldError::BadPhone, _) => tr.t("请输入以 1 开头的 11 位手机号码"),
    }
}

pub fn card_trouble(tr: Tr, t: CardTrouble) -> String {
    match t {
        CardTrouble::NotFitted => tr.t("本终端未配置身份证阅读器，请到窗口办理"),
        CardTrouble::ReaderOffline => tr.t("身份证阅读器暂时无法使用，请到窗口办理或稍后再试"),
        CardTrouble::Expired => tr.t("该证件已过有效期，请到窗口办理"),
        CardTrouble::UnknownCard => {
            tr.t("无法识别该证件，请放置居民身份证、港澳台居民居住证或外国人永久居留身份证")
        }
        CardTrouble::Unreadable => tr.t("读卡失败，请将证件拿起后重新平放在感应区"),
    }
}

/// What the materials screen says when the camera is in trouble.
pub fn camera_note(tr: Tr, t: CameraTrouble) -> String {
    match t {
        CameraTrouble::NotFitted => tr.t("本终端未配置高拍仪，请到窗口提交材料"),
        CameraTrouble::NotFound => tr.t("未检测到高拍仪，请联系工作人员"),
        CameraTrouble::Lost => tr.t("高拍仪连接中断，正在重新连接，请稍候再拍"),
        CameraTrouble::Unavailable => tr.t("高拍仪暂不可用，请联系工作人员"),
    }
}

pub fn capture_trouble(tr: Tr, t: CaptureTrouble) -> String {
    match t {
        CaptureTrouble::Camera(c) => camera_note(tr, c),
        CaptureTrouble::Incomplete => tr.t("拍摄的图像不完整，请重新拍摄"),
        CaptureTrouble::BadCorners => tr.t("四个角没有围成一页材料，请重新拖动"),
    }
}

/// Said over the frame when no page outline was found in it.
pub fn no_page(tr: Tr) -> String {
    tr.t("未能找到材料边缘，请拖动四个角对准材料")
}

pub fn submit_trouble(tr: Tr, t: SubmitTrouble) -> String {
    let why = match t {
        SubmitTrouble::StorageFull => tr.t("本机存储空间已满，申请未能保存"),
        SubmitTrouble::StorageFailed => tr.t("本机存储出现故障，申请未能保存"),
    };
    tr.f("{}。您的申请尚未受理，请重新提交，或到窗口办理。", &[&why])
}

pub fn ticket_trouble(tr: Tr, t: TicketTrouble) -> String {
    match t {
        TicketTrouble::NoAppointment => tr.t("未查询到您今天的预约，可直接选择业务类别取号"),
        TicketTrouble::HallDown => tr.t("排队系统暂时无法连接，请到服务台人工取号"),
        TicketTrouble::Refused => tr.t("暂时无法取号，请到服务台咨询"),
    }
}

pub fn people_ahead(tr: Tr, n: u32) -> String {
    tr.n(
        "您前面还有 {n} 人等候",
        "您前面还有 {n} 人等候",
        n.into(),
        &[],
    )
}

/// The priority line of a ticket ("【预约优先】", "【绿色通道】").
pub fn priority(tr: Tr, p: Priority) -> String {
    match p {
        Priority::Appointment => tr.t("【预约优先】"),
        Priority::Elderly | Priority::Disabled => tr.t("【绿色通道】"),
    }
}

pub fn rating(tr: Tr, r: Rating) -> String {
    match r {
        Rating::VerySatisfied => tr.t("非常满意"),
        Rating::Satisfied => tr.t("满意"),
        Rating::Fair => tr.t("基本满意"),
        Rating::Dissatisfied => tr.t("不满意"),
        Rating::VeryDissatisfied => tr.t("非常不满意"),
    }
}

/// A birth date `YYYYMMDD` as the citizen reads it.
pub fn birth_date(tr: Tr, yyyymmdd: &str) -> String {
    if yyyymmdd.len() != 8 || !yyyymmdd.bytes().all(|b| b.is_ascii_digit()) {
        return yyyymmdd.to_string();
    }
    let (y, m, d) = (&yyyymmdd[..4], &yyyymmdd[4..6], &yyyymmdd[6..]);
    let month: u32 = m.parse().unwrap_or(0);
    let day: u32 = d.parse().unwrap_or(0);
    date(tr, y.parse().unwrap_or(0), month, day)
}

/// A date as it is written in `tr`'s language: 2026年11月25日 / 25 November 2026.
pub fn date(tr: Tr, y: i32, m: u32, d: u32) -> String {
    match tr.0 {
        Lang::En => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            let name = MONTHS
                .get(m.wrapping_sub(1) as usize)
                .copied()
                .unwrap_or("");
            format!("{d} {name} {y}")
        }
        Lang::ZhCn | Lang::ZhTw => format!("{y}年{m}月{d}日"),
    }
}

/// What the screen says about the last print of the session ("" for none).
pub fn print_note(tr: Tr, p: Option<PrintState>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    match p {
        PrintState::Printing(slip) => match slip {
            Slip::Receipt => tr.t("正在打印回执……"),
            Slip::Notice => tr.t("正在打印一次性告知单……"),
            Slip::Ticket => tr.t("正在打印号票……"),
            Slip::Form => tr.t("正在打印申请表……"),
        },
        PrintState::Printed(slip) => match slip {
            Slip::Receipt => tr.t("回执已打印，请从出纸口取走。"),
            Slip::Notice => tr.t("一次性告知单已打印，请从出纸口取走。"),
            Slip::Ticket => tr.t("请取走号票，留意叫号屏。"),
            Slip::Form => tr.t("申请表已送往 A4 打印机，请在打印机出纸口取走。"),
        },
        PrintState::Failed {
            slip,
            trouble,
            kept,
        } => print_failed(tr, slip, trouble, kept),
    }
}

fn print_failed(tr: Tr, slip: Slip, trouble: PrintTrouble, kept: bool) -> String {
    use PrintTrouble::*;
    match slip {
        Slip::Receipt => match (trouble, kept) {
            (NotFitted, _) => tr.t("本终端未配置凭条打印机，请凭申请编号到窗口领取回执"),
            (PaperOut, true) => {
                tr.t("打印机缺纸，回执已保存，工作人员装纸后将为您补打，也可凭申请编号到窗口领取")
            }
            (_, true) => tr.t(
                "打印机暂时故障，回执已保存，工作人员处理后将为您补打，也可凭申请编号到窗口领取",
            ),
            (_, false) => tr.t("打印机暂不可用，请凭申请编号到窗口领取回执"),
        },
        Slip::Notice => match (trouble, kept) {
            (PaperOut, true) => {
                tr.t("打印机缺纸，告知单已保存，装纸后补打；您也可以拍照或记下屏幕上所列的材料")
            }
            _ => tr.t("打印机暂不可用，请拍照或记下屏幕上所列的材料"),
        },
        Slip::Ticket => match trouble {
            NotFitted => tr.t("本终端不能打印号票，请记下您的号码"),
            _ => tr.t("号票打印失败，请记下屏幕上的号码"),
        },
        Slip::Form => {
            let why = match trouble {
                NotFitted => return tr.t("本终端未配置 A4 打印机，请到窗口领取申请表"),
                Misconfigured => tr.t("A4 打印机设置有误，暂不能打印，请联系工作人员"),
                Paused => tr.t("A4 打印机暂停服务，请到窗口领取纸质材料"),
                Busy => tr.t("A4 打印机正忙或需要处理，请稍候或联系工作人员"),
                Offline => tr.t("A4 打印机暂时无法连接，请到窗口领取纸质材料"),
                PaperOut | CoverOpen | CutterError | Failed => {
                    tr.t("A4 打印机暂不可用，请到窗口领取纸质材料")
                }
            };
            if kept {
                tr.f("{}。申请表已保存，打印机恢复后自动打印。", &[&why])
            } else {
                why
            }
        }
    }
}

/// The device families as staff name them (health view, `kiosk device status`).
pub fn device_name(tr: Tr, k: kiosk_device::DeviceKind) -> String {
    use kiosk_device::DeviceKind::*;
    match k {
        IdCardReader => tr.t("身份证阅读器"),
        Camera => tr.t("高拍仪"),
        Printer => tr.t("凭条打印机"),
        A4Printer => tr.t("A4 打印机"),
        TicketDispenser => tr.t("排队取号机"),
    }
}

/// A device's state for staff: "正常", "离线：…" (the detail is the driver's
/// own technician text).
pub fn device_status(tr: Tr, s: &kiosk_device::DeviceStatus) -> String {
    use kiosk_device::DeviceStatus::*;
    match s {
        Ready => tr.t("正常"),
        Busy => tr.t("工作中"),
        Warning(d) => tr.f("提醒：{}", &[d]),
        NeedsAttention(d) => tr.f("需处理：{}", &[d]),
        Offline(d) => tr.f("离线：{}", &[d]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_print_outcome_has_words_in_every_language() {
        let slips = [Slip::Receipt, Slip::Notice, Slip::Ticket, Slip::Form];
        let troubles = [
            PrintTrouble::PaperOut,
            PrintTrouble::CoverOpen,
            PrintTrouble::CutterError,
            PrintTrouble::Offline,
            PrintTrouble::NotFitted,
            PrintTrouble::Misconfigured,
            PrintTrouble::Paused,
            PrintTrouble::Busy,
            PrintTrouble::Failed,
        ];
        for lang in Lang::ALL {
            let tr = Tr(lang);
            assert_eq!(print_note(tr, None), "");
            for slip in slips {
                assert!(!print_note(tr, Some(PrintState::Printing(slip))).is_empty());
                assert!(!print_note(tr, Some(PrintState::Printed(slip))).is_empty());
                for trouble in troubles {
                    for kept in [true, false] {
                        let s = print_note(
                            tr,
                            Some(PrintState::Failed {
                                slip,
                                trouble,
                                kept,
                            }),
                        );
                        assert!(!s.is_empty(), "{slip:?} {trouble:?} {kept}");
                    }
                }
            }
        }
        assert!(print_note(
            Tr(Lang::ZhCn),
            Some(PrintState::Failed {
                slip: Slip::Receipt,
                trouble: PrintTrouble::PaperOut,
                kept: true
            })
        )
        .contains("回执已保存"));
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        assert_eq!(birth_date(Tr(Lang::ZhCn), "19580312"), "1958年3月12日");
        assert_eq!(birth_date(Tr(Lang::ZhTw), "19580312"), "1958年3月12日");
        assert_eq!(birth_date(Tr(Lang::En), "19580312"), "12 March 1958");
        assert_eq!(birth_date(Tr(Lang::En), "1958"), "1958");
    }
}
