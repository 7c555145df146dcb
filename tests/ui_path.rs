//! The Slint UI driven the way a citizen (or a screen reader) drives it: by the
//! accessible labels of what is on screen, through `i-slint-backend-testing`.
//! Devices and the hall are replaced by a fake executor that answers effects the
//! way the real runtime does (through the controller's message channel), so this
//! tests the UI, its bindings and the controller; `tests/e2e.rs` does the real parts.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::mpsc::Sender;
use std::sync::Arc;

use kiosk::controller::{Controller, Executor, Msg};
use kiosk::{KioskWindow, Theme};
use kiosk_core::{
    Applicant, Catalog, DisplayMode, Effect, Event, Millis, Page, Session, SessionConfig, Slip,
};
use kiosk_tests::UiDriver;
use slint::ComponentHandle;

const CATALOG: &str = include_str!("../config/catalog.toml");

/// The shipped test card (the one fixture every test reads).
fn applicant() -> Applicant {
    serde_json::from_str(include_str!("../assets/sim/idcard/ouyang-yan.json")).unwrap()
}

/// Answers effects like the runtime would, and remembers what it was asked.
struct Fake {
    tx: Sender<Msg>,
    log: Rc<RefCell<Vec<String>>>,
    /// The day the fake card is read on ("" unknown: no age, no offer).
    read_on: Rc<RefCell<String>>,
}

impl Executor for Fake {
    fn perform(&self, e: &Effect) {
        let send = |ev| self.tx.send(Msg::Session(ev)).unwrap();
        match e {
            Effect::StartCardReader => {
                self.log.borrow_mut().push("card-reader".into());
                let mut a = applicant();
                a.read_on = self.read_on.borrow().clone();
                send(Event::CardRead(a));
            }
            Effect::CapturePage { .. } => {
                self.log.borrow_mut().push("capture".into());
                let jpeg = std::fs::read(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../assets/sim/camera/page-01.jpg"
                ))
                .unwrap();
                send(Event::PageCaptured(Page::new(1, jpeg)));
            }
            Effect::Submit(app) => {
                self.log
                    .borrow_mut()
                    .push(format!("submit {}", app.item_id));
                send(Event::SubmitAccepted {
                    application_no: "ZW20261122000042".into(),
                    at: "2026-11-22 10:30:00".into(),
                });
            }
            Effect::PrintReceipt(r) => {
                self.log.borrow_mut().push(format!("print {}", r.reference));
                // What the paper says, in the receipt's language.
                let doc = kiosk::receipt::receipt_doc(r, "kiosk", "https://x/{no}");
                let text: Vec<String> = doc.blocks.iter().map(|b| format!("{b:?}")).collect();
                self.log
                    .borrow_mut()
                    .push(format!("receipt {:?}: {}", r.lang, text.join(" ")));
                send(Event::Printed(Slip::Receipt));
            }
            Effect::SendEvaluation { rating, .. } => self
                .log
                .borrow_mut()
                .push(format!("rate {}", rating.score())),
            Effect::WipeSession => self.log.borrow_mut().push("wipe".into()),
            _ => {}
        }
    }
}

struct Kiosk {
    ui: UiDriver,
    log: Rc<RefCell<Vec<String>>>,
    read_on: Rc<RefCell<String>>,
}

impl std::ops::Deref for Kiosk {
    type Target = UiDriver;
    fn deref(&self) -> &UiDriver {
        &self.ui
    }
}

impl Kiosk {
    fn new() -> Kiosk {
        kiosk_tests::init_headless();
        let catalog: Catalog = toml::from_str(CATALOG).unwrap();
        let ui = KioskWindow::new().unwrap();
        ui.show().unwrap();
        let clock = Rc::new(Cell::new(1_000u64));
        let log = Rc::new(RefCell::new(Vec::new()));
        let session = Session::new(
            Arc::new(catalog),
            SessionConfig {
                idle_timeout: 120_000,
                idle_warning: 20_000,
                default_mode: DisplayMode::Normal,
                ..SessionConfig::default()
            },
            Millis(clock.get()),
        );
        let (ck, lg) = (clock.clone(), log.clone());
        let read_on = Rc::new(RefCell::new(String::new()));
        let ro = read_on.clone();
        let c = Controller::new(ui, session, Box::new(move || Millis(ck.get())), move |tx| {
            Box::new(Fake {
                tx,
                log: lg,
                read_on: ro,
            })
        });
        let mut ui = UiDriver::new(c);
        // Two seconds pass between presses, as with a person.
        ui.before_press = Box::new(move || clock.set(clock.get() + 2_000));
        Kiosk { ui, log, read_on }
    }
}

#[test]
fn a_citizen_presses_through_one_application() {
    let k = Kiosk::new();
    assert_eq!(k.shown(), "home");
    // Every item of the catalog is offered, and nothing else is pressable on home
    // besides the mode toggles: no dead buttons.
    assert_eq!(k.buttons("城乡居民基本养老保险参保登记").len(), 1);

    k.press("城乡居民基本养老保险参保登记");
    assert_eq!(k.shown(), "guide");
    k.press("开始办理");
    // The reader starts, the (fake) card is read, the form is filled from it.
    assert_eq!(k.shown(), "form", "labels: {:?}", k.labels());
    assert_eq!(
        k.find("姓名：欧阳燕").len(),
        1,
        "name filled from the card: {:?}",
        k.labels()
    );
    assert_eq!(k.find("公民身份号码：420113195803120021").len(), 1);

    // Without a phone number and a grade, "next" shows what is missing and stays.
    k.press("下一步");
    assert_eq!(k.shown(), "form");
    for d in "13800138000".chars() {
        k.press(&format!("联系电话 {d}"));
    }
    assert_eq!(k.find("联系电话：13800138000").len(), 1);
    k.press("缴费档次（元/年） 300");
    k.press("下一步");
    assert_eq!(k.shown(), "materials");

    k.press("拍照 户口簿");
    assert_eq!(
        k.c.with_session(|s| s.pages(1).len()),
        1,
        "one page of 户口簿 captured"
    );
    assert_eq!(k.find("第 1 页").len(), 1, "the thumbnail is shown");
    k.press("下一步");
    assert_eq!(k.shown(), "delivery");
    k.press("窗口领取");
    k.press("下一步");
    assert_eq!(k.shown(), "review");
    k.press("确认提交");
    assert_eq!(k.shown(), "receipt");
    assert_eq!(
        k.find("申请编号 ZW20261122000042").len(),
        1,
        "{:?}",
        k.labels()
    );
    k.press("完成");
    assert_eq!(k.shown(), "evaluation");
    k.press("满意");
    assert_eq!(k.shown(), "home");
    assert!(
        k.c.with_session(|s| s.applicant().is_none()),
        "the session is wiped"
    );

    let log = k.log.borrow();
    assert_eq!(
        log.iter()
            .filter(|l| !l.starts_with("wipe") && !l.starts_with("receipt "))
            .cloned()
            .collect::<Vec<_>>(),
        vec![
            "card-reader".to_string(),
            "capture".into(),
            "submit pension-enroll".into(),
            "print ZW20261122000042".into(),
            "rate 4".into(),
        ]
    );
}

#[test]
fn back_and_cancel_are_on_every_screen_of_the_path() {
    let k = Kiosk::new();
    k.press("城乡居民基本养老保险参保登记");
    k.press("返回上一步");
    assert_eq!(k.shown(), "home");
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    assert_eq!(k.shown(), "form");
    k.press("取消办理");
    assert_eq!(k.shown(), "home");
    assert!(
        k.c.with_session(|s| s.applicant().is_none()),
        "cancel wipes the card data"
    );
}

#[test]
fn elderly_mode_from_the_home_screen_has_large_text_and_fewer_items() {
    let k = Kiosk::new();
    let items = [
        "城乡居民基本养老保险参保登记",
        "老年人优待证办理",
        "生育登记",
        "居住证签注",
        "残疾人证新办",
        "失业登记",
        "城乡居民基本医疗保险参保登记",
        "最低生活保障申请",
    ];
    let on_screen = |k: &Kiosk| items.iter().filter(|i| k.buttons(i).len() == 1).count();
    assert_eq!(on_screen(&k), 8, "labels: {:?}", k.labels());

    k.press("长辈模式");
    let theme = k.c.ui.global::<Theme>();
    assert_eq!(theme.get_mode(), 1);
    assert!(
        theme.get_font_body() >= 40.0,
        "body text {} px",
        theme.get_font_body()
    );
    assert!(
        theme.get_target() >= 120.0,
        "targets {} px",
        theme.get_target()
    );
    assert_eq!(on_screen(&k), 4, "four large tiles per page");
    k.press("下一页");
    assert_eq!(on_screen(&k), 4);
    assert_eq!(k.buttons("最低生活保障申请").len(), 1);

    // The toggle is on every screen and the mode lasts through the session.
    k.press("最低生活保障申请");
    assert_eq!(k.shown(), "guide");
    assert_eq!(
        k.buttons("标准模式").len(),
        1,
        "the toggle reads 标准模式 while elderly mode is on"
    );
    assert_eq!(theme.get_mode(), 1);
    k.press("高对比度");
    assert_eq!(theme.get_mode(), 2);
}

fn luminance(c: slint::Color) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())
}

/// WCAG 2 contrast ratio.
fn contrast(a: slint::Color, b: slint::Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn theme_text_contrast_is_at_least_7_to_1_in_elderly_and_high_contrast_and_4_5_otherwise() {
    kiosk_tests::init_headless();
    let ui = KioskWindow::new().unwrap();
    let th = ui.global::<Theme>();
    for (mode, min) in [(0, 4.5), (1, 7.0), (2, 7.0)] {
        th.set_mode(mode);
        let pairs = [
            ("text on background", th.get_text(), th.get_background()),
            ("text on surface", th.get_text(), th.get_surface()),
            (
                "muted on background",
                th.get_text_muted(),
                th.get_background(),
            ),
            ("muted on surface", th.get_text_muted(), th.get_surface()),
            (
                "on-primary on primary",
                th.get_on_primary(),
                th.get_primary(),
            ),
            (
                "on-secondary on secondary",
                th.get_on_secondary(),
                th.get_secondary(),
            ),
            ("on-header on header", th.get_on_header(), th.get_header()),
            ("on-danger on danger", th.get_on_danger(), th.get_danger()),
            ("danger on surface", th.get_danger(), th.get_surface()),
            ("ok on surface", th.get_ok(), th.get_surface()),
            (
                "primary text on background",
                th.get_primary(),
                th.get_background(),
            ),
            (
                "on-disabled on disabled",
                th.get_on_disabled(),
                th.get_disabled(),
            ),
        ];
        for (what, fg, bg) in pairs {
            let r = contrast(fg, bg);
            assert!(r >= min, "mode {mode}: {what} is {r:.2}:1, needs {min}:1");
        }
    }
    // Sanity of the measure itself: black on white is 21:1.
    assert!(
        (contrast(
            slint::Color::from_rgb_u8(0, 0, 0),
            slint::Color::from_rgb_u8(255, 255, 255)
        ) - 21.0)
            .abs()
            < 0.01
    );
}

/// 适老化: in elderly mode (and high contrast, which shares its sizes) every
/// touch target is at least 120 px high and body text at least 40 px, computed
/// from the theme every screen takes its sizes from.
#[test]
fn elderly_sizes_are_at_least_120_px_targets_and_40_px_body_text() {
    kiosk_tests::init_headless();
    let ui = KioskWindow::new().unwrap();
    let th = ui.global::<Theme>();
    for landscape in [false, true] {
        th.set_landscape(landscape);
        for mode in [1, 2] {
            th.set_mode(mode);
            assert!(th.get_large(), "mode {mode} uses the large sizes");
            assert!(
                th.get_target() >= 120.0,
                "mode {mode}: target {} px",
                th.get_target()
            );
            assert!(
                th.get_font_body() >= 40.0,
                "mode {mode}: body {} px",
                th.get_font_body()
            );
            assert!(th.get_font_title() > th.get_font_body());
            assert!(th.get_font_huge() > th.get_font_title());
        }
        th.set_mode(0);
        assert!(!th.get_large());
        assert!(
            th.get_target() < 120.0,
            "normal mode keeps the smaller targets"
        );
    }
}

/// The fixture (born 12 March 1958) read on 1 December 2026 is 68: 长辈模式 is
/// offered on the form, in the session's language, and one tap switches.
#[test]
fn a_card_holder_of_60_is_offered_elderly_mode_and_one_tap_switches() {
    let k = Kiosk::new();
    *k.read_on.borrow_mut() = "20261201".into();
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    assert_eq!(k.shown(), "form");
    assert_eq!(
        k.c.ui.global::<Theme>().get_mode(),
        0,
        "never switched by itself"
    );
    assert_eq!(
        k.buttons("改用长辈模式").len(),
        1,
        "labels: {:?}",
        k.labels()
    );
    assert_eq!(
        k.find("您已年满 60 周岁，可以改用长辈模式：字更大，按钮更大，每屏内容更少。")
            .len(),
        1
    );
    k.press("改用长辈模式");
    assert_eq!(k.c.ui.global::<Theme>().get_mode(), 1);
    assert!(
        k.buttons("改用长辈模式").is_empty(),
        "the offer goes once taken"
    );
    assert_eq!(k.shown(), "form", "still on the same screen");

    // In English, the same offer in English; "No, thanks" leaves the mode.
    let k = Kiosk::new();
    *k.read_on.borrow_mut() = "20261201".into();
    k.press("English");
    k.press("Enrolment in the residents' basic pension insurance");
    k.press("Start");
    assert_eq!(k.shown(), "form");
    assert_eq!(
        k.buttons("Use large text").len(),
        1,
        "labels: {:?}",
        k.labels()
    );
    k.press("No, thanks");
    assert_eq!(k.c.ui.global::<Theme>().get_mode(), 0);
    assert!(k.buttons("Use large text").is_empty(), "dismissed");
    assert_eq!(
        k.buttons("Large text").len(),
        1,
        "the mode toggle is still there"
    );

    // Without the date of reading there is no age, and no offer.
    let k = Kiosk::new();
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    assert!(k.buttons("改用长辈模式").is_empty());
}

#[test]
fn the_card_photo_shows_when_decoded_and_a_placeholder_otherwise() {
    let k = Kiosk::new();
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    let form = k.c.ui.global::<kiosk::FormAdapter>();
    assert!(!form.get_has_photo(), "no decoder: placeholder");
    assert_eq!(k.find("证件照：本终端未配置授权解码库，不显示").len(), 1);
    // Again, with a card whose photo a (licensed) decoder turned into a BMP; it
    // arrives before the fake reader's photo-less card.
    k.press("取消办理");
    k.press("城乡居民基本养老保险参保登记");
    k.c.dispatch(Event::StartApplying);
    let mut bmp = Vec::new();
    image::RgbImage::from_pixel(102, 126, image::Rgb([200, 180, 160]))
        .write_to(&mut std::io::Cursor::new(&mut bmp), image::ImageFormat::Bmp)
        .unwrap();
    let mut a = applicant();
    a.photo = Some(kiosk_core::Photo::new(bmp));
    k.c.dispatch(Event::CardRead(a));
    assert_eq!(k.shown(), "form");
    assert!(form.get_has_photo());
    let size = form.get_photo().size();
    assert_eq!((size.width, size.height), (102, 126));
    assert_eq!(k.find("证件照").len(), 1);
}

/// Han characters in a label (what an English screen must not show, but for
/// the citizen's own card data).
fn han(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF))
}

/// The citizen's own card data, or a language's name in itself (the 简 / 繁 /
/// EN switch is the same in every language).
fn card_data(label: &str) -> bool {
    if ["简", "繁", "简体中文", "繁體中文"].contains(&label) {
        return true;
    }
    let a = applicant();
    [
        a.name.as_str(),
        a.address.as_str(),
        a.gender.as_str(),
        a.nation.as_str(),
    ]
    .iter()
    .any(|d| label.contains(d))
        || label.contains("欧*燕")
}

#[test]
fn a_citizen_switches_to_english_on_the_form_and_finishes_in_english_with_an_english_receipt() {
    let k = Kiosk::new();
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    assert_eq!(k.shown(), "form");
    // The language button: one tap, the whole screen at once.
    k.press("English");
    assert_eq!(k.c.with_session(|s| s.lang()), kiosk_core::Lang::En);
    assert!(
        k.find("Check your application").len() == 1,
        "{:?}",
        k.labels()
    );
    assert_eq!(k.find("Name: 欧阳燕").len(), 1, "{:?}", k.labels());
    let chinese: Vec<String> = k
        .labels()
        .into_iter()
        .filter(|l| han(l) && !card_data(l))
        .collect();
    assert!(
        chinese.is_empty(),
        "Chinese left on the English form: {chinese:?}"
    );
    for d in "13800138000".chars() {
        k.press(&format!("Contact phone {d}"));
    }
    k.press("Contribution level (CNY per year) 500");
    k.press("Next");
    assert_eq!(k.shown(), "materials");
    k.press("Photograph Household register");
    assert_eq!(k.find("Page 1").len(), 1, "{:?}", k.labels());
    k.press("Next");
    assert_eq!(k.shown(), "delivery");
    k.press("Collect at the counter");
    k.press("Next");
    assert_eq!(k.shown(), "review");
    let chinese: Vec<String> = k
        .labels()
        .into_iter()
        .filter(|l| han(l) && !card_data(l))
        .collect();
    assert!(
        chinese.is_empty(),
        "Chinese left on the English review: {chinese:?}"
    );
    k.press("Submit");
    assert_eq!(k.shown(), "receipt");
    assert_eq!(
        k.find("Application number ZW20261122000042").len(),
        1,
        "{:?}",
        k.labels()
    );
    assert!(!k.find("Application accepted").is_empty());
    // The receipt on paper is in English too.
    let log = k.log.borrow().clone();
    let paper = log
        .iter()
        .find(|l| l.starts_with("receipt "))
        .expect("a receipt printed");
    assert!(paper.starts_with("receipt En:"), "{paper}");
    assert!(
        paper.contains("Enrolment in the residents' basic pension insurance"),
        "{paper}"
    );
    assert!(paper.contains("Household register (1 page)"), "{paper}");
    assert!(!paper.contains("办理"), "{paper}");
    k.press("Done");
    k.press("Satisfied");
    // The session ended: back to the terminal's language.
    assert_eq!(k.shown(), "home");
    assert_eq!(k.c.with_session(|s| s.lang()), kiosk_core::Lang::ZhCn);
    assert_eq!(k.buttons("城乡居民基本养老保险参保登记").len(), 1);
}

#[test]
fn a_permit_holder_finishes_in_traditional_chinese() {
    let k = Kiosk::new();
    k.press("繁體中文");
    assert_eq!(k.shown(), "home");
    k.press("城鄉居民基本養老保險參保登記");
    k.press("開始辦理");
    assert_eq!(k.shown(), "form", "{:?}", k.labels());
    assert_eq!(k.find("核對申請資料").len(), 1, "{:?}", k.labels());
    for d in "13800138000".chars() {
        k.press(&format!("聯絡電話 {d}"));
    }
    k.press("繳費檔次（元／年） 300");
    k.press("下一步");
    k.press("拍照 戶口簿");
    k.press("下一步");
    k.press("櫃檯領取");
    k.press("下一步");
    k.press("確認提交");
    assert_eq!(k.shown(), "receipt");
    assert!(!k.find("申請已受理").is_empty(), "{:?}", k.labels());
    let log = k.log.borrow().clone();
    let paper = log.iter().find(|l| l.starts_with("receipt ")).unwrap();
    assert!(paper.starts_with("receipt ZhTw:"), "{paper}");
    assert!(
        paper.contains("受理回執") && paper.contains("戶口簿（1 頁）"),
        "{paper}"
    );
}

#[test]
fn every_english_screen_shows_no_chinese_but_the_citizens_own_card_data() {
    let k = Kiosk::new();
    k.press("English");
    let mut seen = Vec::new();
    let mut look = |k: &Kiosk| {
        seen.push(k.shown());
        let left: Vec<String> = k
            .labels()
            .into_iter()
            .filter(|l| han(l) && !card_data(l))
            .collect();
        assert!(left.is_empty(), "screen {}: {left:?}", k.shown());
    };
    look(&k);
    k.press("Enrolment in the residents' basic pension insurance");
    look(&k);
    k.press("Start");
    look(&k);
    k.press("Next");
    look(&k); // the form's errors
    for d in "13800138000".chars() {
        k.press(&format!("Contact phone {d}"));
    }
    k.press("Contribution level (CNY per year) 200");
    k.press("Next");
    look(&k);
    k.press("Photograph Household register");
    look(&k);
    k.press("Next");
    look(&k);
    k.press("Next");
    look(&k);
    k.press("Submit");
    look(&k);
    k.press("Done");
    look(&k);
    k.press("Very satisfied");
    k.press("English");
    k.press("Take a queue number");
    look(&k);
    assert_eq!(
        seen,
        [
            "home",
            "guide",
            "form",
            "form",
            "materials",
            "materials",
            "delivery",
            "review",
            "receipt",
            "evaluation",
            "queue"
        ]
    );
    // Nothing the screens asked the Rust side for was missing from a catalog.
    let misses: Vec<_> = kiosk::i18n::misses()
        .into_iter()
        .filter(|(_, id)| !id.starts_with("目录里没有的话"))
        .collect();
    assert_eq!(misses, vec![]);
}

#[test]
fn a_message_missing_from_a_catalog_is_shown_in_simplified_chinese_and_logged_once() {
    let tr = kiosk::i18n::Tr(kiosk_core::Lang::En);
    // Not in any catalog: the id itself, which is the zh-CN text, never a key.
    assert_eq!(tr.f("目录里没有的话 {}", &[&7]), "目录里没有的话 7");
    assert_eq!(tr.t("目录里没有的话 {}"), "目录里没有的话 ");
    let misses: Vec<_> = kiosk::i18n::misses()
        .into_iter()
        .filter(|(_, id)| id.starts_with("目录里没有的话"))
        .collect();
    assert_eq!(
        misses,
        vec![(kiosk_core::Lang::En, "目录里没有的话 {}")],
        "recorded once"
    );
}
