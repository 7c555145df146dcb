//! What the citizen takes away on paper: the 受理回执 (application receipt),
//! the 一次性告知单 (one-time notice of everything missing, in one list) and
//! the 排队号票 (queue ticket), as [`Doc`]s for the thermal printer. Personal
//! data on them is masked already (the core builds them from masked values).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use kiosk_core::{
    DeliveryMethod, ItemKind, Lang, MaterialLine, MaterialState, Priority, Receipt, Text,
};
use kiosk_printer::doc::{Doc, Profile, Size};
use kiosk_printer::escpos::Align;
use kiosk_printer::raster::Font;

use crate::i18n::Tr;
use crate::messages as msg;

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

/// "2026年11月25日前" / "by 25 November 2026", or "3 个工作日内" when the
/// time cannot be read.
fn deadline(tr: Tr, at: &str, days: u32) -> String {
    match date_of(at) {
        Some(d) => {
            let d = add_working_days(d, days);
            tr.f("{}前", &[&msg::date(tr, d.year(), d.month(), d.day())])
        }
        None => tr.n("{n} 个工作日内", "{n} 个工作日内", days.into(), &[]),
    }
}

/// "欧*燕（4201**********0021）".
fn applicant_line(tr: Tr, name: &str, id: &str) -> String {
    tr.f("{}（{}）", &[&name, &id])
}

/// Lines of the receipt body, shared by the printed job and the screen, in
/// the receipt's language.
pub fn rows(r: &Receipt, tr: Tr) -> Vec<(String, String)> {
    let l = tr.0;
    let mut rows = vec![
        (tr.t("办理事项"), r.item_name.get(l).clone()),
        (tr.t("受理部门"), r.department.get(l).clone()),
        (
            tr.t("申请人"),
            applicant_line(tr, &r.applicant_masked, &r.id_masked),
        ),
        (tr.t("受理时间"), r.at.clone()),
    ];
    rows.push((
        tr.t("办理时限"),
        match r.kind {
            ItemKind::Instant => tr.t("即办件，当场办结"),
            ItemKind::Promised => tr.n(
                "承诺件，{n} 个工作日，{0}办结",
                "承诺件，{n} 个工作日，{0}办结",
                r.promised_days.into(),
                &[&deadline(tr, &r.at, r.promised_days)],
            ),
        },
    ));
    let sep = tr.t("、");
    let received: Vec<String> = r
        .materials
        .iter()
        .filter(|m| {
            !matches!(
                m.state,
                MaterialState::Deferred { .. } | MaterialState::Missing
            )
        })
        .map(|m| {
            tr.f(
                "{}（{}）",
                &[m.name.get(l), &msg::material_state(tr, m.state)],
            )
        })
        .collect();
    rows.push((tr.t("已收材料"), received.join(&sep)));
    let deferred: Vec<String> = r
        .materials
        .iter()
        .filter_map(|m| match m.state {
            MaterialState::Deferred { days } => Some(tr.f(
                "{}（请于{}补交）",
                &[m.name.get(l), &deadline(tr, &r.at, days)],
            )),
            _ => None,
        })
        .collect();
    if !deferred.is_empty() {
        rows.push((tr.t("容缺材料"), deferred.join(&sep)));
    }
    rows.push((tr.t("领取方式"), msg::delivery(tr, r.delivery)));
    rows
}

/// The 受理回执, in the language of the session it was accepted in.
pub fn receipt_doc(r: &Receipt, terminal_name: &str, progress_url: &str) -> Doc {
    let tr = Tr(r.lang);
    let mut doc = Doc::new()
        .key_separator(tr.t("："))
        .title(tr.t("受理回执"))
        .center(terminal_name)
        .gap(12)
        .center(if r.queued {
            tr.t("终端受理编号")
        } else {
            tr.t("申请编号")
        })
        .text(&r.reference, Size::Large, true, Align::Center);
    if r.queued {
        doc = doc.line(tr.t("网络恢复后将自动提交，无需再次办理。"));
    }
    doc = doc.rule();
    for (k, v) in rows(r, tr) {
        doc = doc.row(k, v);
    }
    if r.delivery == DeliveryMethod::Pickup {
        doc = doc.line(tr.t("办结后请凭本回执和身份证到窗口领取。"));
    }
    doc.rule()
        .qr(progress_url.replace("{no}", &r.reference))
        .center(tr.t("扫码或凭申请编号查询办理进度"))
}

/// Everything a citizen still has to bring or put right, in one list
/// (一次性告知: no second trip for something not said the first time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub item_name: Text,
    pub department: Text,
    pub applicant_masked: String,
    pub id_masked: String,
    pub at: String,
    /// Every material missing or deferred.
    pub missing: Vec<MaterialLine>,
    /// Where and how to hand them in.
    pub submit_to: String,
    pub phone: String,
    pub lang: Lang,
}

/// What to do about one missing or deferred material.
fn what_to_do(tr: Tr, m: &MaterialLine) -> String {
    let note = m.note.get(tr.0);
    match m.state {
        MaterialState::Deferred { days } if note.is_empty() => tr.n(
            "可容缺受理，请于受理后 {n} 个工作日内补交",
            "可容缺受理，请于受理后 {n} 个工作日内补交",
            days.into(),
            &[],
        ),
        MaterialState::Deferred { days } => tr.n(
            "可容缺受理，请于受理后 {n} 个工作日内补交（{0}）",
            "可容缺受理，请于受理后 {n} 个工作日内补交（{0}）",
            days.into(),
            &[note],
        ),
        _ if note.is_empty() => tr.t("请备齐后提交"),
        _ => tr.f("{}，请备齐后提交", &[note]),
    }
}

/// The 一次性告知单.
pub fn notice_doc(n: &Notice, terminal_name: &str) -> Doc {
    let tr = Tr(n.lang);
    let l = n.lang;
    let mut doc = Doc::new()
        .key_separator(tr.t("："))
        .title(tr.t("一次性告知单"))
        .center(terminal_name)
        .rule()
        .row(tr.t("办理事项"), n.item_name.get(l))
        .row(tr.t("受理部门"), n.department.get(l))
        .row(
            tr.t("申请人"),
            applicant_line(tr, &n.applicant_masked, &n.id_masked),
        )
        .row(tr.t("告知时间"), &n.at)
        .rule()
        .line(tr.n(
            "您的申请还需以下 {n} 项，请一次备齐：",
            "您的申请还需以下 {n} 项，请一次备齐：",
            n.missing.len() as u64,
            &[],
        ));
    for (i, m) in n.missing.iter().enumerate() {
        doc = doc.row(format!("{}. {}", i + 1, m.name.get(l)), what_to_do(tr, m));
    }
    doc.rule()
        .row(tr.t("提交方式"), &n.submit_to)
        .row(tr.t("咨询电话"), &n.phone)
        .line(tr.t("本告知单所列即为全部所需材料，备齐后即可办理。"))
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
            lang: n.lang,
        }
    }
}

/// The citizen's A4 copy of the application form (申请表（申请人留存）).
pub fn form_doc(f: &kiosk_core::FormCopy, terminal_name: &str) -> kiosk_cups::FormDoc {
    let (tr, l) = (Tr(f.lang), f.lang);
    let number = if f.queued {
        tr.f("终端受理编号 {}（网络恢复后自动提交）", &[&f.reference])
    } else {
        tr.f("申请编号 {}", &[&f.reference])
    };
    let mut doc = kiosk_cups::FormDoc::new(tr.f("{}申请表", &[f.item_name.get(l)]))
        .labels(kiosk_cups::DocLabels {
            continued: tr.t("（续）"),
            page_of: tr.t("第 {page} 页 / 共 {pages} 页"),
        })
        .subtitle(tr.f("{}　受理时间 {}", &[&number, &f.at]))
        .heading(tr.t("事项信息"))
        .field(tr.t("办理事项"), f.item_name.get(l))
        .field(tr.t("受理部门"), f.department.get(l))
        .field(tr.t("领取方式"), msg::delivery(tr, f.delivery))
        .heading(tr.t("申请人填报信息"));
    for (k, v) in &f.fields {
        doc = doc.field(k.get(l), v);
    }
    doc = doc.heading(tr.t("申请材料"));
    for m in &f.materials {
        doc = doc.field(m.name.get(l), msg::material_state(tr, m.state));
    }
    doc.paragraph(tr.t("本表为申请人留存联，由自助终端根据申请人提交的信息生成；为保护个人信息，证件号码、姓名、地址和电话已部分隐去。原始申请已电子提交至受理部门，无需再次提交纸质材料。"))
        .footer(tr.f("{} · 申请表（申请人留存）", &[&terminal_name]))
}

/// One 排队号票 as the hall's queue service issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSlip {
    pub number: String,
    pub category: String,
    pub people_ahead: u32,
    pub at: String,
    pub priority: Option<Priority>,
    pub hall_name: String,
    pub lang: Lang,
}

/// The 排队号票: the number as large as the paper allows.
pub fn ticket_doc(t: &TicketSlip, progress_url: &str) -> Doc {
    let tr = Tr(t.lang);
    let mut doc = Doc::new()
        .center(&t.hall_name)
        .text(&t.category, Size::Large, true, Align::Center)
        .text(&t.number, Size::Huge, true, Align::Center);
    if let Some(p) = t.priority {
        doc = doc.center(msg::priority(tr, p));
    }
    doc.center(msg::people_ahead(tr, t.people_ahead))
        .center(tr.f("取号时间 {}", &[&t.at]))
        .qr(progress_url.replace("{no}", &t.number))
        .center(tr.t("扫码查看叫号进度"))
        .center(tr.t("过号请重新取号"))
}

fn material(zh: &str, zh_tw: &str, en: &str, state: MaterialState) -> MaterialLine {
    MaterialLine {
        name: Text {
            zh_cn: zh.into(),
            zh_tw: Some(zh_tw.into()),
            en: Some(en.into()),
        },
        note: Text::zh(String::new()),
        state,
    }
}

fn sample_item() -> (Text, Text) {
    (
        Text {
            zh_cn: "城乡居民基本养老保险参保登记".into(),
            zh_tw: Some("城鄉居民基本養老保險參保登記".into()),
            en: Some("Enrolment in the residents' basic pension insurance".into()),
        },
        Text {
            zh_cn: "区人力资源和社会保障局".into(),
            zh_tw: Some("區人力資源和社會保障局".into()),
            en: Some("District Human Resources and Social Security Bureau".into()),
        },
    )
}

/// A fixed receipt in `lang` for `--sample`, golden files and the benchmark.
pub fn sample_receipt_in(lang: Lang) -> Receipt {
    let (item_name, department) = sample_item();
    Receipt {
        item_name,
        department,
        applicant_masked: "欧*燕".into(),
        id_masked: "4201**********0029".into(),
        reference: "ZW20261122000001".into(),
        queued: false,
        at: "2026-11-20 10:00:00".into(),
        materials: vec![
            material(
                "居民身份证",
                "居民身份證",
                "Resident Identity Card",
                MaterialState::FromCard,
            ),
            material(
                "参保登记表",
                "參保登記表",
                "Enrolment form",
                MaterialState::Pages(1),
            ),
            material(
                "银行卡复印件",
                "銀行卡影本",
                "Copy of bank card",
                MaterialState::Pages(2),
            ),
            material(
                "户口簿",
                "戶口簿",
                "Household register",
                MaterialState::Deferred { days: 5 },
            ),
        ],
        kind: ItemKind::Promised,
        promised_days: 3,
        delivery: DeliveryMethod::Pickup,
        lang,
    }
}

pub fn sample_receipt() -> Receipt {
    sample_receipt_in(Lang::ZhCn)
}

pub fn sample_notice_in(lang: Lang) -> Notice {
    let (item_name, department) = sample_item();
    let mut hukou = material(
        "户口簿",
        "戶口簿",
        "Household register",
        MaterialState::Missing,
    );
    hukou.note = Text {
        zh_cn: "首页及本人页原件，现场扫描后退还".into(),
        zh_tw: Some("首頁及本人頁正本，現場掃描後退還".into()),
        en: Some("The original front page and your own page; scanned here and handed back".into()),
    };
    let mut bank = material(
        "银行卡复印件",
        "銀行卡影本",
        "Copy of bank card",
        MaterialState::Deferred { days: 5 },
    );
    bank.note = Text {
        zh_cn: "正反面".into(),
        zh_tw: Some("正反面".into()),
        en: Some("Both sides".into()),
    };
    Notice {
        item_name,
        department,
        applicant_masked: "欧*燕".into(),
        id_masked: "4201**********0029".into(),
        at: "2026-11-20 10:00:00".into(),
        missing: vec![hukou, bank],
        submit_to: "自助终端补传，或到 3 号窗口提交".into(),
        phone: "027-12345".into(),
        lang,
    }
}

pub fn sample_notice() -> Notice {
    sample_notice_in(Lang::ZhCn)
}

pub fn sample_ticket_in(lang: Lang) -> TicketSlip {
    TicketSlip {
        number: "A023".into(),
        category: match lang {
            Lang::ZhCn => "社保医保",
            Lang::ZhTw => "社保醫保",
            Lang::En => "Social and medical insurance",
        }
        .into(),
        people_ahead: 7,
        at: "2026-11-20 10:00".into(),
        priority: None,
        hall_name: "汉南区政务服务中心".into(),
        lang,
    }
}

pub fn sample_ticket() -> TicketSlip {
    sample_ticket_in(Lang::ZhCn)
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
        let rows = rows(&sample_receipt(), Tr(Lang::ZhCn));
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
        let en = super::rows(&sample_receipt_in(Lang::En), Tr(Lang::En));
        let get = |k: &str| en.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone());
        assert_eq!(
            get("Documents to follow").as_deref(),
            Some("Household register (hand it in by 27 November 2026)")
        );
        assert_eq!(
            get("Time limit").as_deref(),
            Some("3 working days: ready by 25 November 2026")
        );
    }
}
