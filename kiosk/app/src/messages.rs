//! The one place where typed facts from the core and the drivers become the
//! sentences a citizen reads. (The languages issue turns this module into the
//! gettext catalogs; until then it speaks Simplified Chinese.)

use kiosk_core::{CameraTrouble, PrintState, PrintTrouble, Slip};

/// What the screen says about the last print of the session ("" for none).
pub fn print_note(p: Option<PrintState>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    match p {
        PrintState::Printing(slip) => match slip {
            Slip::Receipt => "正在打印回执……",
            Slip::Notice => "正在打印一次性告知单……",
            Slip::Ticket => "正在打印号票……",
            Slip::Form => "正在打印申请表……",
        }
        .to_string(),
        PrintState::Printed(slip) => match slip {
            Slip::Receipt => "回执已打印，请从出纸口取走。",
            Slip::Notice => "一次性告知单已打印，请从出纸口取走。",
            Slip::Ticket => "请取走号票，留意叫号屏。",
            Slip::Form => "申请表已送往 A4 打印机，请在打印机出纸口取走。",
        }
        .to_string(),
        PrintState::Failed {
            slip,
            trouble,
            kept,
        } => print_failed(slip, trouble, kept),
    }
}

fn print_failed(slip: Slip, trouble: PrintTrouble, kept: bool) -> String {
    use PrintTrouble::*;
    match slip {
        Slip::Receipt => match (trouble, kept) {
            (NotFitted, _) => "本终端未配置凭条打印机，请凭申请编号到窗口领取回执".into(),
            (PaperOut, true) => {
                "打印机缺纸，回执已保存，工作人员装纸后将为您补打，也可凭申请编号到窗口领取".into()
            }
            (_, true) => {
                "打印机暂时故障，回执已保存，工作人员处理后将为您补打，也可凭申请编号到窗口领取"
                    .into()
            }
            (_, false) => "打印机暂不可用，请凭申请编号到窗口领取回执".into(),
        },
        Slip::Notice => match (trouble, kept) {
            (PaperOut, true) => {
                "打印机缺纸，告知单已保存，装纸后补打；您也可以拍照或记下屏幕上所列的材料".into()
            }
            _ => "打印机暂不可用，请拍照或记下屏幕上所列的材料".into(),
        },
        Slip::Ticket => match trouble {
            NotFitted => "本终端不能打印号票，请记下您的号码".into(),
            _ => "号票打印失败，请记下屏幕上的号码".into(),
        },
        Slip::Form => {
            let why = match trouble {
                NotFitted => return "本终端未配置 A4 打印机，请到窗口领取申请表".into(),
                Misconfigured => "A4 打印机设置有误，暂不能打印，请联系工作人员",
                Paused => "A4 打印机暂停服务，请到窗口领取纸质材料",
                Busy => "A4 打印机正忙或需要处理，请稍候或联系工作人员",
                Offline => "A4 打印机暂时无法连接，请到窗口领取纸质材料",
                PaperOut | CoverOpen | CutterError | Failed => {
                    "A4 打印机暂不可用，请到窗口领取纸质材料"
                }
            };
            if kept {
                format!("{why}。申请表已保存，打印机恢复后自动打印。")
            } else {
                why.into()
            }
        }
    }
}

/// What the materials screen says when the camera is in trouble.
pub fn camera_note(t: CameraTrouble) -> &'static str {
    match t {
        CameraTrouble::NotFitted => "本终端未配置高拍仪，请到窗口提交材料",
        CameraTrouble::NotFound => "未检测到高拍仪，请联系工作人员",
        CameraTrouble::Lost => "高拍仪连接中断，正在重新连接，请稍候再拍",
        CameraTrouble::Unavailable => "高拍仪暂不可用，请联系工作人员",
    }
}

/// What the citizen is told when the hall's queue service does not answer.
pub const QUEUE_DOWN: &str = "排队系统暂时无法连接，请到服务台人工取号";

/// The hall's refusal of a ticket, or its absence, for the queue screen.
pub fn hall_refusal(e: &kiosk_hall::HallError) -> String {
    match e {
        kiosk_hall::HallError::Rejected { message, .. } => {
            format!("暂时无法取号（{message}），请到服务台咨询")
        }
        _ => QUEUE_DOWN.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_print_outcome_has_words() {
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
        assert_eq!(print_note(None), "");
        for slip in slips {
            assert!(!print_note(Some(PrintState::Printing(slip))).is_empty());
            assert!(!print_note(Some(PrintState::Printed(slip))).is_empty());
            for trouble in troubles {
                for kept in [true, false] {
                    let s = print_note(Some(PrintState::Failed { slip, trouble, kept }));
                    assert!(!s.is_empty(), "{slip:?} {trouble:?} {kept}");
                }
            }
        }
        assert!(print_note(Some(PrintState::Failed {
            slip: Slip::Receipt,
            trouble: PrintTrouble::PaperOut,
            kept: true
        }))
        .contains("回执已保存"));
    }
}
