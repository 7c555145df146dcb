//! The 受理回执 (application receipt) as ESC/POS bytes. Personal data on it is
//! masked already (the core builds the receipt from masked values).

use kiosk_core::{ItemKind, Receipt};
use kiosk_printer::escpos::{Align, Job};

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
            ItemKind::Promised => format!("承诺件，{} 个工作日内办结", r.promised_days),
        },
    ));
    rows.push(("已收材料".to_string(), r.received.join("、")));
    if !r.deferred.is_empty() {
        let list: Vec<String> = r
            .deferred
            .iter()
            .map(|(m, d)| format!("{m}（请于 {d} 个工作日内补交）"))
            .collect();
        rows.push(("容缺材料".to_string(), list.join("、")));
    }
    rows.push(("领取方式".to_string(), r.delivery.label().to_string()));
    rows
}

pub fn escpos(r: &Receipt, terminal_name: &str) -> Vec<u8> {
    let mut job = Job::new()
        .align(Align::Center)
        .size(2, 2)
        .bold(true)
        .line("受理回执")
        .size(1, 1)
        .bold(false)
        .line(terminal_name)
        .feed(1)
        .line(if r.queued {
            "终端受理编号"
        } else {
            "申请编号"
        })
        .size(2, 2)
        .bold(true)
        .line(&r.reference)
        .size(1, 1)
        .bold(false)
        .align(Align::Left);
    if r.queued {
        job = job.line("网络恢复后将自动提交，无需再次办理。");
    }
    for (k, v) in rows(r) {
        job = job.line(&format!("{k}：{v}"));
    }
    job.feed(1)
        .align(Align::Center)
        .line("凭申请编号可在自助终端或网上查询进度")
        .feed(4)
        .cut()
        .bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::DeliveryMethod;

    fn receipt() -> Receipt {
        Receipt {
            item_name: "城乡居民基本养老保险参保登记".into(),
            department: "区人力资源和社会保障局".into(),
            applicant_masked: "欧*燕".into(),
            id_masked: "4201**********0021".into(),
            reference: "ZW20261122000001".into(),
            queued: false,
            at: "2026-11-22 10:00:00".into(),
            received: vec!["居民身份证（读卡核验）".into()],
            deferred: vec![("户口簿".into(), 5)],
            kind: ItemKind::Instant,
            promised_days: 0,
            delivery: DeliveryMethod::Pickup,
        }
    }

    #[test]
    fn receipt_names_number_masked_applicant_and_deferred_materials() {
        let text = kiosk_printer::escpos::text_of(&escpos(&receipt(), "1 号终端"));
        assert!(text.contains("ZW20261122000001"));
        assert!(text.contains("申请人：欧*燕（4201**********0021）"));
        assert!(text.contains("容缺材料：户口簿（请于 5 个工作日内补交）"));
        assert!(!text.contains("欧阳燕"));
    }
}
