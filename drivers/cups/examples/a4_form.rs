//! Renders a sample two-page application form (申请表) to a PDF and, when a
//! queue is given, prints it through CUPS and waits for the job.
//!
//!     cargo run -p kiosk-cups --example a4_form -- out.pdf [ipp://127.0.0.1:631/printers/kiosk-a4]

use std::time::Duration;

use kiosk_cups::{render_form_pdf, CupsPrinter, FormDoc};

/// The form the tests print too: long enough for two pages.
fn sample() -> FormDoc {
    let mut doc = FormDoc::new("居住证申领申请表")
        .subtitle("申请编号 HN-2026-000123 · 2026年11月23日")
        .heading("一、申请人信息")
        .field("姓名", "张三")
        .field("性别", "男")
        .field("公民身份号码", "110101199001011234")
        .field("户籍地址", "北京市东城区东华门街道某某胡同 12 号")
        .field(
            "居住地址",
            "海南省海口市美兰区海甸岛某某路 88 号 3 栋 1201 室",
        )
        .field("联系电话", "138 0000 0000")
        .heading("二、申请事项");
    for i in 1..=30 {
        doc = doc.field(
            format!("材料 {i}"),
            format!("第 {i} 份证明材料：房屋租赁合同及物业缴费凭证（复印件）"),
        );
    }
    doc.heading("三、承诺")
        .paragraph(
            "本人承诺：以上所填信息及提交的材料均真实、有效，如有虚假，\
             愿承担相应的法律责任。本人同意相关部门依法核查上述信息。",
        )
        .footer("海南省政务服务中心 · 自助服务终端 T-07")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "a4_form.pdf".into());
    let pdf = render_form_pdf(&sample())?;
    std::fs::write(&out, &pdf)?;
    println!("{out}: {} bytes", pdf.len());
    if let Some(uri) = args.next() {
        let printer = CupsPrinter::new(&uri)?;
        println!("status: {:?}", printer.status()?.condition());
        let id = printer.print_pdf("申请表 HN-2026-000123", &pdf)?;
        let done = printer.wait_for_job(id, Duration::from_secs(30))?;
        println!("job {id}: {:?}", done.state);
    }
    Ok(())
}
