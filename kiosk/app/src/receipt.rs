//! What the citizen takes away on paper: the 受理回执 (application receipt),
//! the 一次性告知单 (one-time notice of everything missing, in one list) and
//! the 排队号票 (queue ticket), as [`Doc`]s for the thermal printer. Personal
//! data on them is masked already (the core builds them from masked values).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use kiosk_core::{DeliveryMethod, ItemKind, Receipt};
use kiosk_printer::doc::{Doc, Profile, Size};
use kiosk_printer::escpos::Align;
use kiosk_printer::raster::Font;

/// Where a QR on a slip points: `{no}` is replaced by the application or ticket number.
pub const DEFAULT_PROGRESS_URL: &str = "https://zwfw.example.gov.cn/progress?no={no}";

/// How this terminal's slips are printed: the printer's profile and where the
/// QR codes point.
#[derive(Debug, Clone)]
pub struct Slips {
    pub profile: Profile,
    pub progress_url: String,
}

impl Slips {
    /// The job's bytes: drawn with the bundled fonts (loaded once, on first use).
    /// `Err` names what is missing, for the log; the citizen is told the printer
    /// is unavailable.
    pub fn encode(&self, doc: &Doc) -> Result<Vec<u8>, String> {
        let font = Font::shared()?;
        Ok(kiosk_printer::doc::encode(doc, &self.profile, &font))
    }
}

/// The date `n` working days after `from` (Saturdays and Sundays skipped;
/// public holidays are not known to the terminal, so the hall's date rules).
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

fn date_of(at: &str) -> Option<NaiveDate> {
    NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.date())
}

/// "2026年11月25日前", or "3 个工作日内" when the time cannot be read.
fn deadline(at: &str, days: u32) -> String {
    match date_of(at) {
        Some(d) => format!("{}前", add_working_days(d, days).format("%Y年%m月%d日")),
        None => format!("{days} 个工作日内"),
    }
}

/// Lines of the receipt body, shared by the printed job and the screen.
pub fn rows(r: &Receipt) -> Vec<(String, String)> {
    let mut rows = vec![
        ("办理事项".to_string(), r.item_name.clone()),
        ("受理部门".to_string(), r.department.clone()),
        (
            "申请人".to_string(),
            format!("{}（{}）", r.applicant_masked, r.id_masked),
        ),
        ("受理时间".to_string(), r.at.clone()),
    ];
    rows.push((
        "办理时限".to_string(),
        match r.kind {
            ItemKind::Instant => "即办件，当场办结".to_string(),
            ItemKind::Promised => format!(
                "承诺件，{} 个工作日，{}办结",
                r.promised_days,
                deadline(&r.at, r.promised_days)
            ),
        },
    ));
    rows.push(("已收材料".to_string(), r.received.join("、")));
    if !r.deferred.is_empty() {
        let list: Vec<String> = r
            .deferred
            .iter()
            .map(|(m, d)| format!("{m}（请于{}补交）", deadline(&r.at, *d)))
            .collect();
        rows.push(("容缺材料".to_string(), list.join("、")));
    }
    rows.push(("领取方式".to_string(), r.delivery.label().to_string()));
    rows
}

/// The 受理回执.
pub fn receipt_doc(r: &Receipt, terminal_name: &str, progress_url: &str) -> Doc {
    let mut doc = Doc::new()
        .title("受理回执")
        .center(terminal_name)
        .gap(12)
        .center(if r.queued {
            "终端受理编号"
        } else {
            "申请编号"
        })
        .text(&r.reference, Size::Large, true, Align::Center);
    if r.queued {
        doc = doc.line("网络恢复后将自动提交，无需再次办理。");
    }
    doc = doc.rule();
    for (k, v) in rows(r) {
        doc = doc.row(k, v);
    }
    if r.delivery == DeliveryMethod::Pickup {
        doc = doc.line("办结后请凭本回执和身份证到窗口领取。");
    }
    doc.rule()
        .qr(progress_url.replace("{no}", &r.reference))
        .center("扫码或凭申请编号查询办理进度")
}

/// Everything a citizen still has to bring or put right, in one list
/// (一次性告知: no second trip for something not said the first time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub item_name: String,
    pub department: String,
    pub applicant_masked: String,
    pub id_masked: String,
    pub at: String,
    /// (material or problem, what to do about it).
    pub missing: Vec<(String, String)>,
    /// Where and how to hand them in.
    pub submit_to: String,
    pub phone: String,
}

/// The 一次性告知单.
pub fn notice_doc(n: &Notice, terminal_name: &str) -> Doc {
    let mut doc = Doc::new()
        .title("一次性告知单")
        .center(terminal_name)
        .rule()
        .row("办理事项", &n.item_name)
        .row("受理部门", &n.department)
        .row(
            "申请人",
            format!("{}（{}）", n.applicant_masked, n.id_masked),
        )
        .row("告知时间", &n.at)
        .rule()
        .line(format!(
            "您的申请还需以下 {} 项，请一次备齐：",
            n.missing.len()
        ));
    for (i, (what, how)) in n.missing.iter().enumerate() {
        doc = doc.row(format!("{}. {what}", i + 1), how);
    }
    doc.rule()
        .row("提交方式", &n.submit_to)
        .row("咨询电话", &n.phone)
        .line("本告知单所列即为全部所需材料，备齐后即可办理。")
}

impl Notice {
    /// The printed notice of what the session found missing, stamped `at`,
    /// with the terminal's hand-in place and enquiry line.
    pub fn from_core(
        n: &kiosk_core::MissingNotice,
        at: String,
        submit_to: &str,
        phone: &str,
    ) -> Notice {
        Notice {
            item_name: n.item_name.clone(),
            department: n.department.clone(),
            applicant_masked: n.applicant_masked.clone(),
            id_masked: n.id_masked.clone(),
            at,
            missing: n.missing.clone(),
            submit_to: submit_to.to_string(),
            phone: phone.to_string(),
        }
    }
}

/// The citizen's A4 copy of the application form (申请表（申请人留存）).
pub fn form_doc(f: &kiosk_core::FormCopy, terminal_name: &str) -> kiosk_cups::FormDoc {
    let number = if f.queued {
        format!("终端受理编号 {}（网络恢复后自动提交）", f.reference)
    } else {
        format!("申请编号 {}", f.reference)
    };
    let mut doc = kiosk_cups::FormDoc::new(format!("{}申请表", f.item_name))
        .subtitle(format!("{number}　受理时间 {}", f.at))
        .heading("事项信息")
        .field("办理事项", &f.item_name)
        .field("受理部门", &f.department)
        .field("领取方式", f.delivery.label())
        .heading("申请人填报信息");
    for (k, v) in &f.fields {
        doc = doc.field(k, v);
    }
    doc = doc.heading("申请材料");
    for (k, v) in &f.materials {
        doc = doc.field(k, v);
    }
    doc.paragraph("本表为申请人留存联，由自助终端根据申请人提交的信息生成；为保护个人信息，证件号码、姓名、地址和电话已部分隐去。原始申请已电子提交至受理部门，无需再次提交纸质材料。")
        .footer(format!("{terminal_name} · 申请表（申请人留存）"))
}

/// One 排队号票 as the hall's queue service issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSlip {
    pub number: String,
    pub category: String,
    pub people_ahead: u32,
    pub at: String,
    /// Priority reason shown on the ticket (预约, 长者, …), if any.
    pub priority: Option<String>,
    pub hall_name: String,
}

/// The 排队号票: the number as large as the paper allows.
pub fn ticket_doc(t: &TicketSlip, progress_url: &str) -> Doc {
    let mut doc = Doc::new()
        .center(&t.hall_name)
        .text(&t.category, Size::Large, true, Align::Center)
        .text(&t.number, Size::Huge, true, Align::Center);
    if let Some(p) = &t.priority {
        doc = doc.center(format!("【{p}优先】"));
    }
    doc.center(format!("您前面还有 {} 人等候", t.people_ahead))
        .center(format!("取号时间 {}", t.at))
        .qr(progress_url.replace("{no}", &t.number))
        .center("扫码查看叫号进度")
        .center("过号请重新取号")
}

/// A fixed receipt for `--sample`, golden files and the benchmark.
pub fn sample_receipt() -> Receipt {
    Receipt {
        item_name: "城乡居民基本养老保险参保登记".into(),
        department: "区人力资源和社会保障局".into(),
        applicant_masked: "欧*燕".into(),
        id_masked: "4201**********0029".into(),
        reference: "ZW20261122000001".into(),
        queued: false,
        at: "2026-11-20 10:00:00".into(),
        received: vec![
            "居民身份证（读卡核验）".into(),
            "参保登记表".into(),
            "银行卡复印件".into(),
        ],
        deferred: vec![("户口簿".into(), 5)],
        kind: ItemKind::Promised,
        promised_days: 3,
        delivery: DeliveryMethod::Pickup,
    }
}

pub fn sample_notice() -> Notice {
    Notice {
        item_name: "城乡居民基本养老保险参保登记".into(),
        department: "区人力资源和社会保障局".into(),
        applicant_masked: "欧*燕".into(),
        id_masked: "4201**********0029".into(),
        at: "2026-11-20 10:00:00".into(),
        missing: vec![
            ("户口簿".into(), "首页及本人页原件，现场扫描后退还".into()),
            ("银行卡复印件".into(), "拍摄不清晰，请重新提供".into()),
        ],
        submit_to: "自助终端补传，或到 3 号窗口提交".into(),
        phone: "027-12345".into(),
    }
}

pub fn sample_ticket() -> TicketSlip {
    TicketSlip {
        number: "A023".into(),
        category: "社保医保".into(),
        people_ahead: 7,
        at: "2026-11-20 10:00".into(),
        priority: None,
        hall_name: "汉南区政务服务中心".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_weekends() {
        let fri = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(
            add_working_days(fri, 1),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(
            add_working_days(fri, 5),
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
        );
        assert_eq!(add_working_days(fri, 0), fri);
    }

    #[test]
    fn receipt_rows_name_deadlines_as_dates() {
        let rows = rows(&sample_receipt());
        let get = |k: &str| rows.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone());
        assert_eq!(
            get("办理时限").as_deref(),
            Some("承诺件，3 个工作日，2026年11月25日前办结")
        );
        assert_eq!(
            get("容缺材料").as_deref(),
            Some("户口簿（请于2026年11月27日前补交）")
        );
        assert_eq!(
            get("申请人").as_deref(),
            Some("欧*燕（4201**********0029）")
        );
    }
}
