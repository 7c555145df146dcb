//! The one place where core state becomes Slint properties ([`render`]) and Slint
//! callbacks become core events ([`wire`]). No business rule lives here or in the
//! .slint files: what is allowed comes from the session.

use std::rc::Rc;

use kiosk_core::{
    CardField, DeliveryMethod, DisplayMode, Event, FieldKind, ItemKind, QueuePhase, Rating, Screen,
    Session, SubmitState,
};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use crate::controller::Controller;
use crate::*;

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

fn t(v: impl AsRef<str>) -> SharedString {
    SharedString::from(v.as_ref())
}

pub fn mode_index(m: DisplayMode) -> i32 {
    match m {
        DisplayMode::Normal => 0,
        DisplayMode::Elderly => 1,
        DisplayMode::Contrast => 2,
    }
}

fn mode_of(i: i32) -> DisplayMode {
    match i {
        1 => DisplayMode::Elderly,
        2 => DisplayMode::Contrast,
        _ => DisplayMode::Normal,
    }
}

/// Items per home page: fewer, larger tiles in the elderly and high-contrast modes.
pub fn home_page_size(m: DisplayMode) -> usize {
    match m {
        DisplayMode::Normal => 8,
        DisplayMode::Elderly | DisplayMode::Contrast => 4,
    }
}

/// Connects every Slint callback to a core event.
pub fn wire(c: &Rc<Controller>) {
    let ui = &c.ui;
    let weak = Rc::downgrade(c);
    let on = move |ev: fn() -> Event| {
        let w = weak.clone();
        move || {
            if let Some(c) = w.upgrade() {
                c.dispatch(ev())
            }
        }
    };
    let app = ui.global::<AppState>();
    app.on_back(on(|| Event::Back));
    app.on_cancel(on(|| Event::Cancel));
    app.on_next(on(|| Event::Next));
    app.on_touched(on(|| Event::Touch));
    let w = Rc::downgrade(c);
    app.on_set_mode(move |m| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::SetMode(mode_of(m)))
        }
    });

    ui.global::<HomeAdapter>()
        .on_open_queue(on(|| Event::OpenQueue));
    let q = ui.global::<QueueAdapter>();
    let w = Rc::downgrade(c);
    q.on_take(move |id| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::TakeTicket(id.to_string()))
        }
    });
    q.on_check_in(on(|| Event::StartCheckIn));
    q.on_finish(on(|| Event::Finish));

    let w = Rc::downgrade(c);
    ui.global::<HomeAdapter>().on_choose(move |id| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::ChoseItem(id.to_string()))
        }
    });
    let w = Rc::downgrade(c);
    ui.global::<HomeAdapter>().on_page_to(move |p| {
        if let Some(c) = w.upgrade() {
            c.view.home_page.set(p.max(0) as usize);
            c.dispatch(Event::Touch);
        }
    });

    let w = Rc::downgrade(c);
    ui.global::<FormAdapter>().on_choose(move |key, value| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::FieldEdited {
                key: key.to_string(),
                value: value.to_string(),
            })
        }
    });
    let w = Rc::downgrade(c);
    ui.global::<FormAdapter>().on_keypad(move |key, k| {
        if let Some(c) = w.upgrade() {
            let mut v = c.with_session(|s| s.field(&key).unwrap_or("").to_string());
            match k.as_str() {
                "del" => {
                    v.pop();
                }
                "clear" => v.clear(),
                d => v.push_str(d),
            }
            c.dispatch(Event::FieldEdited {
                key: key.to_string(),
                value: v,
            })
        }
    });

    let m = ui.global::<MaterialsAdapter>();
    let w = Rc::downgrade(c);
    m.on_select(move |i| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::SelectMaterial(i.max(0) as usize))
        }
    });
    m.on_capture(on(|| Event::CapturePage));
    m.on_print_notice(on(|| Event::PrintNotice));
    ui.global::<ReceiptAdapter>()
        .on_print_form(on(|| Event::PrintForm));
    let w = Rc::downgrade(c);
    m.on_delete_page(move |p| {
        if let Some(c) = w.upgrade() {
            let material = c.with_session(|s| s.selected_material());
            c.dispatch(Event::DeletePage {
                material,
                page: p.max(0) as usize,
            })
        }
    });
    let w = Rc::downgrade(c);
    m.on_retake(move |p| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::RetakePage(p.max(0) as usize))
        }
    });
    let w = Rc::downgrade(c);
    m.on_move_corner(move |i, x, y| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::MoveCorner {
                corner: i.max(0) as usize,
                x,
                y,
            })
        }
    });
    m.on_confirm_corners(on(|| Event::ConfirmCorners));
    m.on_cancel_corners(on(|| Event::CancelCorners));
    let w = Rc::downgrade(c);
    m.on_toggle_skip(move |i| {
        if let Some(c) = w.upgrade() {
            c.dispatch(Event::ToggleSkip(i.max(0) as usize))
        }
    });

    let w = Rc::downgrade(c);
    ui.global::<DeliveryAdapter>().on_choose(move |k| {
        if let Some(c) = w.upgrade() {
            let method = if k == "mail" {
                DeliveryMethod::Mail
            } else {
                DeliveryMethod::Pickup
            };
            c.dispatch(Event::ChoseDelivery(method))
        }
    });
    ui.global::<SubmittingAdapter>()
        .on_retry(on(|| Event::Submit));
    let w = Rc::downgrade(c);
    ui.global::<EvaluationAdapter>().on_rate(move |score| {
        if let Some(c) = w.upgrade() {
            let rating = Rating::ALL.into_iter().find(|r| r.score() as i32 == score);
            if let Some(r) = rating {
                c.dispatch(Event::Rate(r))
            }
        }
    });
}

/// Maps the whole session onto the UI.
pub fn render(c: &Controller, s: &Session) {
    let ui = &c.ui;
    ui.global::<Theme>().set_mode(mode_index(s.mode()));
    let app = ui.global::<AppState>();
    let screen = s.screen();
    app.set_screen(t(screen.name()));
    app.set_countdown(s.idle_warning().map_or(0, |n| n as i32));
    app.set_can_back(s.can_go_back());
    app.set_can_cancel(screen != Screen::Home && screen != Screen::Submitting);
    app.set_cancel_label(t(
        if matches!(screen, Screen::Receipt | Screen::Evaluation) {
            "返回首页"
        } else {
            "取消办理"
        },
    ));
    let next_label = match screen {
        Screen::Guide => "开始办理",
        Screen::Review => "确认提交",
        Screen::Receipt => "完成",
        _ => "下一步",
    };
    app.set_next_label(t(next_label));
    app.set_show_next(matches!(
        screen,
        Screen::Guide
            | Screen::Form
            | Screen::Materials
            | Screen::Delivery
            | Screen::Review
            | Screen::Receipt
    ));
    // The form shows its own errors on "next", so the button stays pressable there.
    app.set_can_next(screen == Screen::Form || s.can_advance());

    match screen {
        Screen::Home => render_home(c, s),
        Screen::Guide => render_guide(ui, s),
        Screen::Identify => ui
            .global::<IdentifyAdapter>()
            .set_error(t(s.card_error().unwrap_or(""))),
        Screen::Form => render_form(c, s),
        Screen::Materials => render_materials(c, s),
        Screen::Delivery => render_delivery(ui, s),
        Screen::Review => render_review(ui, s),
        Screen::Submitting => {
            let err = match s.submit_state() {
                SubmitState::Failed(m) => {
                    format!("{m}。您的申请尚未受理，请重新提交，或到窗口办理。")
                }
                _ => String::new(),
            };
            ui.global::<SubmittingAdapter>().set_error(t(err));
        }
        Screen::Receipt => render_receipt(c, s),
        Screen::Evaluation => {
            let levels: Vec<SharedString> = Rating::ALL.iter().map(|r| t(r.label())).collect();
            ui.global::<EvaluationAdapter>().set_levels(model(levels));
        }
        Screen::Queue => render_queue(c, s),
    }
}

fn render_queue(c: &Controller, s: &Session) {
    let q = c.ui.global::<QueueAdapter>();
    let rows: Vec<QueueCategoryRow> = s
        .catalog()
        .queue
        .iter()
        .map(|k| QueueCategoryRow {
            id: t(&k.id),
            name: t(&k.name),
        })
        .collect();
    q.set_categories(model(rows));
    let phase = match s.queue() {
        QueuePhase::Choose => "choose",
        QueuePhase::Taking => "taking",
        QueuePhase::WaitingForCard => "card",
        QueuePhase::CheckingIn => "checking",
        QueuePhase::Issued(_) => "issued",
        QueuePhase::Failed(_) => "failed",
    };
    q.set_phase(t(phase));
    if let QueuePhase::Failed(m) = s.queue() {
        q.set_message(t(m));
    }
    if let QueuePhase::Issued(tk) = s.queue() {
        q.set_number(t(&tk.number));
        q.set_category(t(&tk.category));
        q.set_ahead(t(format!("您前面还有 {} 人等候", tk.people_ahead)));
        q.set_priority(t(tk.priority.as_deref().unwrap_or("")));
        q.set_appointment(t(tk.appointment.as_deref().unwrap_or("")));
    }
    q.set_printer_note(t(crate::messages::print_note(s.print_state())));
}

fn kind_text(kind: ItemKind, days: u32) -> String {
    match kind {
        ItemKind::Instant => "即办件".into(),
        ItemKind::Promised => format!("承诺件 {days} 个工作日"),
    }
}

fn render_home(c: &Controller, s: &Session) {
    c.ui.global::<HomeAdapter>()
        .set_queue(!s.catalog().queue.is_empty());
    let per = home_page_size(s.mode());
    let items = &s.catalog().items;
    let pages = items.len().div_ceil(per).max(1);
    let page = c.view.home_page.get().min(pages - 1);
    let rows: Vec<ItemRow> = items
        .iter()
        .skip(page * per)
        .take(per)
        .map(|i| ItemRow {
            id: t(&i.id),
            name: t(&i.name),
            department: t(&i.department),
            kind: t(kind_text(i.kind, i.promised_days)),
        })
        .collect();
    let h = c.ui.global::<HomeAdapter>();
    h.set_items(model(rows));
    h.set_page(page as i32);
    h.set_pages(pages as i32);
    h.set_columns(if s.mode() == DisplayMode::Normal {
        2
    } else {
        1
    });
}

fn render_guide(ui: &KioskWindow, s: &Session) {
    let Some(item) = s.item() else { return };
    let g = ui.global::<GuideAdapter>();
    g.set_name(t(&item.name));
    g.set_department(t(&item.department));
    g.set_kind(t(match item.kind {
        ItemKind::Instant => "即办件：材料齐全，当场办结".to_string(),
        ItemKind::Promised => format!("承诺件：受理后 {} 个工作日内办结", item.promised_days),
    }));
    g.set_fee(t(&item.fee));
    g.set_legal_basis(t(&item.legal_basis));
    g.set_delivery(t(item
        .delivery
        .iter()
        .map(|d| d.label())
        .collect::<Vec<_>>()
        .join("，或")));
    g.set_conditions(model(item.conditions.iter().map(t).collect()));
    let mats = item
        .materials
        .iter()
        .map(|m| GuideMaterial {
            name: t(&m.name),
            note: t(&m.note),
            tag: t(if m.from_card {
                "读卡免交"
            } else if m.tolerated {
                "可容缺"
            } else if !m.required {
                "选交"
            } else {
                ""
            }),
        })
        .collect();
    g.set_materials(model(mats));
}

/// A decoded card photo as a Slint image; `None` when there is none or it is not a picture.
fn photo_image(p: &kiosk_core::Photo) -> Option<Image> {
    let img = image::load_from_memory(p.bytes()).ok()?.to_rgba8();
    let (w, h) = img.dimensions();
    let buf = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(img.as_raw(), w, h);
    Some(Image::from_rgba8(buf))
}

fn render_form(c: &Controller, s: &Session) {
    let ui = &c.ui;
    let Some(item) = s.item() else { return };
    let form = ui.global::<FormAdapter>();
    let applicant = s.applicant();
    form.set_holder(t(applicant.map(|a| a.name.as_str()).unwrap_or("")));
    // Decoded once per card, not on every render of the form.
    let image = applicant.and_then(|a| a.photo.as_ref()).and_then(|p| {
        let mut cache = c.view.photo.borrow_mut();
        match cache.as_ref() {
            Some((seen, img)) if seen.same(p) => img.clone(),
            _ => {
                let img = photo_image(p);
                *cache = Some((p.clone(), img.clone()));
                img
            }
        }
    });
    match image {
        Some(img) => {
            form.set_photo(img);
            form.set_has_photo(true);
        }
        None => form.set_has_photo(false),
    }
    let rows = item
        .fields
        .iter()
        .map(|f| {
            let value = s.field(&f.key).unwrap_or("");
            let shown = match f.source {
                Some(CardField::Birth) if value.len() == 8 => {
                    format!(
                        "{}年{}月{}日",
                        &value[..4],
                        value[4..6].trim_start_matches('0'),
                        value[6..].trim_start_matches('0')
                    )
                }
                _ => value.to_string(),
            };
            FieldRow {
                key: t(&f.key),
                label: t(&f.label),
                value: t(shown),
                kind: t(match f.kind {
                    FieldKind::Text => "text",
                    FieldKind::Phone => "phone",
                    FieldKind::Choice => "choice",
                }),
                from_card: f.source.is_some(),
                error: t(s.field_error(&f.key).unwrap_or("")),
                options: model(f.options.iter().map(t).collect()),
            }
        })
        .collect();
    ui.global::<FormAdapter>().set_fields(model(rows));
}

/// Thumbnails are 240–300 px wide: twice that keeps them sharp at n/8 scales.
const THUMBNAIL_SIDE: u32 = 640;
/// The frame whose corners are dragged fills most of the screen's width.
const CORNER_FRAME_SIDE: u32 = 1400;

fn render_materials(c: &Controller, s: &Session) {
    let Some(item) = s.item() else { return };
    let rows = item
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let pages = s.pages(i).len();
            let status = if m.from_card {
                if s.applicant().is_some() {
                    "已核验".to_string()
                } else {
                    "待读卡".to_string()
                }
            } else if pages > 0 {
                format!("已拍 {pages} 页")
            } else if s.skipped(i) {
                "以后补交".to_string()
            } else if !m.required {
                "选交".to_string()
            } else {
                "待拍摄".to_string()
            };
            MaterialRow {
                name: t(&m.name),
                note: t(&m.note),
                status: t(status),
                satisfied: s.material_satisfied(i),
                tolerated: m.tolerated,
                skipped: s.skipped(i),
                from_card: m.from_card,
                pages: pages as i32,
            }
        })
        .collect();
    let sel = s.selected_material();
    // Decoded off the UI thread; a picture still on its way shows empty.
    let thumbs: Vec<Image> = s
        .pages(sel)
        .iter()
        .map(|p| c.picture(p, THUMBNAIL_SIDE))
        .collect();
    let m = c.ui.global::<MaterialsAdapter>();
    m.set_materials(model(rows));
    m.set_selected(sel as i32);
    m.set_thumbnails(model(thumbs));
    m.set_error(t(s.capture_error().unwrap_or("")));
    m.set_capturing(s.capturing());
    m.set_can_print_notice(s.can_print_notice());
    m.set_printer_note(t(crate::messages::print_note(s.print_state())));
    m.set_retaking(s.retaking().map_or(-1, |p| p as i32));
    match s.adjusting() {
        Some(a) => {
            m.set_frame(c.picture(&a.frame, CORNER_FRAME_SIDE));
            m.set_frame_w(a.width as f32);
            m.set_frame_h(a.height as f32);
            let pts: Vec<CornerPoint> = a
                .corners
                .iter()
                .map(|p| CornerPoint { x: p[0], y: p[1] })
                .collect();
            m.set_corners(model(pts));
            m.set_corner_outline(t(outline_path(&a.corners)));
            m.set_adjusting(true);
        }
        None => {
            m.set_adjusting(false);
            m.set_frame(Image::default());
        }
    }
    render_preview(c);
}

/// SVG path commands for a closed quadrilateral (frame pixels).
pub fn outline_path(q: &[[f32; 2]; 4]) -> String {
    format!(
        "M {:.1} {:.1} L {:.1} {:.1} L {:.1} {:.1} L {:.1} {:.1} Z",
        q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
    )
}

/// The live preview (or the camera's trouble, as the session knows it) onto
/// the materials screen.
pub fn render_preview(c: &Controller) {
    let m = c.ui.global::<MaterialsAdapter>();
    let trouble = c.with_session(|s| s.camera_trouble());
    match (trouble, c.view.preview.borrow().as_ref()) {
        (None, Some((img, w, h, outline))) => {
            m.set_preview(img.clone());
            m.set_preview_w(*w as i32);
            m.set_preview_h(*h as i32);
            m.set_outline(t(outline.as_ref().map(outline_path).unwrap_or_default()));
            m.set_preview_error(t(""));
        }
        (trouble, _) => {
            m.set_preview(Image::default());
            m.set_preview_w(0);
            m.set_outline(t(""));
            m.set_preview_error(t(trouble.map_or("", crate::messages::camera_note)));
        }
    }
}

fn render_delivery(ui: &KioskWindow, s: &Session) {
    let Some(item) = s.item() else { return };
    let address = s.applicant().map(|a| a.address.clone()).unwrap_or_default();
    let rows = item
        .delivery
        .iter()
        .map(|d| DeliveryRow {
            key: t(match d {
                DeliveryMethod::Pickup => "pickup",
                DeliveryMethod::Mail => "mail",
            }),
            label: t(d.label()),
            detail: t(match d {
                DeliveryMethod::Pickup => "办结后凭回执到政务服务中心综合窗口领取".to_string(),
                DeliveryMethod::Mail => format!("免费寄到身份证地址：{address}"),
            }),
            selected: s.delivery() == Some(*d),
        })
        .collect();
    ui.global::<DeliveryAdapter>().set_options(model(rows));
}

fn render_review(ui: &KioskWindow, s: &Session) {
    let Some(item) = s.item() else { return };
    let mut rows = vec![KeyValue {
        key: t("办理事项"),
        value: t(&item.name),
    }];
    for f in &item.fields {
        let v = s.field(&f.key).unwrap_or("");
        // The review screen may be seen by the next person in line: mask the ID number.
        let v = if f.source == Some(CardField::IdNumber) {
            kiosk_core::applicant::mask_id(v)
        } else {
            v.to_string()
        };
        rows.push(KeyValue {
            key: t(&f.label),
            value: t(v),
        });
    }
    for (i, m) in item.materials.iter().enumerate() {
        let state = if m.from_card {
            "读卡核验".to_string()
        } else if !s.pages(i).is_empty() {
            format!("{} 页", s.pages(i).len())
        } else if s.skipped(i) {
            format!("容缺，{} 个工作日内补交", m.tolerance_days)
        } else {
            "未提交".to_string()
        };
        rows.push(KeyValue {
            key: t(&m.name),
            value: t(state),
        });
    }
    if let Some(d) = s.delivery() {
        rows.push(KeyValue {
            key: t("领取方式"),
            value: t(d.label()),
        });
    }
    ui.global::<ReviewAdapter>().set_rows(model(rows));
}

fn render_receipt(c: &Controller, s: &Session) {
    let Some(r) = s.receipt() else { return };
    let a = c.ui.global::<ReceiptAdapter>();
    a.set_reference(t(&r.reference));
    a.set_queued(r.queued);
    let rows = crate::receipt::rows(r)
        .into_iter()
        .map(|(k, v)| KeyValue {
            key: t(k),
            value: t(v),
        })
        .collect();
    a.set_rows(model(rows));
    a.set_printer_note(t(crate::messages::print_note(s.print_state())));
    a.set_can_print_form(c.view.a4_fitted.get() && s.can_print_form());
}
