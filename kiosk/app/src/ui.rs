//! The one place where core state becomes Slint properties ([`render`]) and Slint
//! callbacks become core events ([`wire`]). No business rule lives here or in the
//! .slint files: what is allowed comes from the session.

use std::rc::Rc;

use kiosk_core::{
    CardField, DeliveryMethod, DisplayMode, Event, FieldKind, Lang, QueuePhase, Rating, Screen,
    Session, SubmitState,
};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use crate::controller::Controller;
use crate::i18n::Tr;
use crate::messages as msg;
use crate::messages::MaterialStatus;
use crate::*;

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

/// A Slint string (not a translation: the words come translated from `messages`).
fn ss(v: impl AsRef<str>) -> SharedString {
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

/// Items per home page and the columns they take: fewer, larger tiles in the
/// elderly and high-contrast modes; wider rows in landscape.
pub fn home_grid(m: DisplayMode, landscape: bool) -> (usize, usize) {
    match (m, landscape) {
        (DisplayMode::Normal, false) => (8, 2),
        (DisplayMode::Normal, true) => (6, 3),
        (DisplayMode::Elderly | DisplayMode::Contrast, false) => (4, 1),
        (DisplayMode::Elderly | DisplayMode::Contrast, true) => (4, 2),
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
    let w = Rc::downgrade(c);
    app.on_set_language(move |code| {
        if let (Some(c), Some(l)) = (w.upgrade(), Lang::from_code(&code)) {
            c.dispatch(Event::SetLanguage(l))
        }
    });
    app.on_dismiss_offer(on(|| Event::DismissOffer));
    app.on_dismiss_elderly_offer(on(|| Event::DismissElderlyOffer));

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
    let tr = Tr(s.lang());
    ui.global::<Theme>().set_mode(mode_index(s.mode()));
    let app = ui.global::<AppState>();
    let screen = s.screen();
    app.set_screen(ss(screen.name()));
    app.set_terminal_name(ss(c.view.terminal_name.borrow().get(s.lang())));
    app.set_language(ss(s.lang().code()));
    let langs: Vec<LanguageChoice> = s
        .languages()
        .iter()
        .map(|l| {
            let (short, name) = msg::endonym(*l);
            LanguageChoice {
                code: ss(l.code()),
                short: ss(short),
                name: ss(name),
            }
        })
        .collect();
    app.set_languages(model(langs));
    match s.language_offer() {
        Some(l) => {
            let (text, accept, dismiss) = msg::language_offer(l);
            app.set_offer(ss(l.code()));
            app.set_offer_text(ss(text));
            app.set_offer_accept(ss(accept));
            app.set_offer_dismiss(ss(dismiss));
        }
        None => app.set_offer(ss("")),
    }
    let elderly = s.elderly_offer();
    app.set_elderly_offer(elderly);
    if elderly {
        let from = s.elderly_offer_age().unwrap_or(60);
        let (text, accept, dismiss) = msg::elderly_offer(tr, from);
        app.set_elderly_offer_text(ss(text));
        app.set_elderly_offer_accept(ss(accept));
        app.set_elderly_offer_dismiss(ss(dismiss));
    }
    app.set_countdown(s.idle_warning().map_or(0, |n| n as i32));
    app.set_can_back(s.can_go_back());
    app.set_can_cancel(screen != Screen::Home && screen != Screen::Submitting);
    app.set_cancel_label(ss(msg::cancel_label(tr, screen)));
    app.set_next_label(ss(msg::next_label(tr, screen)));
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
        Screen::Identify => ui.global::<IdentifyAdapter>().set_error(ss(s
            .card_error()
            .map(|e| msg::card_trouble(tr, e))
            .unwrap_or_default())),
        Screen::Form => render_form(c, s),
        Screen::Materials => render_materials(c, s),
        Screen::Delivery => render_delivery(ui, s),
        Screen::Review => render_review(ui, s),
        Screen::Submitting => {
            let err = match s.submit_state() {
                SubmitState::Failed(e) => msg::submit_trouble(tr, e),
                _ => String::new(),
            };
            ui.global::<SubmittingAdapter>().set_error(ss(err));
        }
        Screen::Receipt => render_receipt(c, s),
        Screen::Evaluation => {
            let levels: Vec<SharedString> = Rating::ALL
                .iter()
                .map(|r| ss(msg::rating(tr, *r)))
                .collect();
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
            id: ss(&k.id),
            name: ss(k.name.get(s.lang())),
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
    q.set_phase(ss(phase));
    let tr = Tr(s.lang());
    if let QueuePhase::Failed(e) = s.queue() {
        q.set_message(ss(msg::ticket_trouble(tr, *e)));
    }
    if let QueuePhase::Issued(tk) = s.queue() {
        q.set_number(ss(&tk.number));
        q.set_category(ss(tk.category.get(s.lang())));
        q.set_ahead(ss(msg::people_ahead(tr, tk.people_ahead)));
        q.set_priority(ss(tk
            .priority
            .map(|p| msg::priority(tr, p))
            .unwrap_or_default()));
        q.set_appointment(ss(tk
            .appointment
            .as_ref()
            .map(|a| format!("{} {}", a.item.get(s.lang()), a.slot))
            .unwrap_or_default()));
    }
    q.set_printer_note(ss(msg::print_note(tr, s.print_state())));
}

fn render_home(c: &Controller, s: &Session) {
    c.ui.global::<HomeAdapter>()
        .set_queue(!s.catalog().queue.is_empty());
    let (per, columns) = home_grid(s.mode(), c.view.landscape.get());
    let tr = Tr(s.lang());
    let items = &s.catalog().items;
    let pages = items.len().div_ceil(per).max(1);
    let page = c.view.home_page.get().min(pages - 1);
    let rows: Vec<ItemRow> = items
        .iter()
        .skip(page * per)
        .take(per)
        .map(|i| ItemRow {
            id: ss(&i.id),
            name: ss(i.name.get(s.lang())),
            department: ss(i.department.get(s.lang())),
            kind: ss(msg::kind_short(tr, i.kind, i.promised_days)),
        })
        .collect();
    let h = c.ui.global::<HomeAdapter>();
    h.set_items(model(rows));
    h.set_page(page as i32);
    h.set_pages(pages as i32);
    h.set_columns(columns as i32);
}

fn render_guide(ui: &KioskWindow, s: &Session) {
    let Some(item) = s.item() else { return };
    let (l, tr) = (s.lang(), Tr(s.lang()));
    let g = ui.global::<GuideAdapter>();
    g.set_name(ss(item.name.get(l)));
    g.set_department(ss(item.department.get(l)));
    g.set_kind(ss(msg::kind_long(tr, item.kind, item.promised_days)));
    g.set_fee(ss(item.fee.get(l)));
    g.set_legal_basis(ss(item.legal_basis.get(l)));
    g.set_delivery(ss(msg::deliveries(tr, &item.delivery)));
    g.set_conditions(model(item.conditions.get(l).iter().map(ss).collect()));
    let mut lines = Vec::new();
    for m in &item.materials {
        lines.push(GuideLine {
            text: ss(format!("· {}", m.name.get(l))),
            style: ss("name"),
        });
        let tag = msg::guide_tag(tr, m.from_card, m.tolerated, m.required);
        let note = m.note.get(l);
        if !tag.is_empty() {
            lines.push(GuideLine {
                text: ss(tr.f("【{}】{}", &[&tag, note])),
                style: ss("tag"),
            });
        } else if !note.is_empty() {
            lines.push(GuideLine {
                text: ss(note),
                style: ss("note"),
            });
        }
    }
    g.set_material_lines(model(lines));
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
    form.set_holder(ss(applicant.map(|a| a.name.as_str()).unwrap_or("")));
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
    let (l, tr) = (s.lang(), Tr(s.lang()));
    let rows: Vec<FieldRow> = item
        .fields
        .iter()
        .map(|f| {
            let value = s.field(&f.key).unwrap_or("");
            let shown = match (f.source, f.kind) {
                (Some(CardField::Birth), _) => msg::birth_date(tr, value),
                // A choice's value is its zh-CN option: show the option as
                // this language writes it.
                (_, FieldKind::Choice) => f
                    .options
                    .values()
                    .iter()
                    .position(|v| v == value)
                    .and_then(|i| f.options.shown(l).get(i))
                    .cloned()
                    .unwrap_or_else(|| value.to_string()),
                _ => value.to_string(),
            };
            let label = f.label.get(l);
            FieldRow {
                key: ss(&f.key),
                label: ss(label),
                value: ss(if f.kind == FieldKind::Choice {
                    value.to_string()
                } else {
                    shown
                }),
                kind: ss(match f.kind {
                    FieldKind::Text => "text",
                    FieldKind::Phone => "phone",
                    FieldKind::Choice => "choice",
                }),
                from_card: f.source.is_some(),
                error: ss(s
                    .field_error(&f.key)
                    .map(|e| msg::field_error(tr, e, label, f.kind == FieldKind::Choice))
                    .unwrap_or_default()),
                options: model(f.options.shown(l).iter().map(ss).collect()),
                values: model(f.options.values().iter().map(ss).collect()),
            }
        })
        .collect();
    let pick = |keep: &dyn Fn(&FieldRow) -> bool| -> ModelRc<FieldRow> {
        model(rows.iter().filter(|r| keep(r)).cloned().collect())
    };
    let form = ui.global::<FormAdapter>();
    form.set_card_fields(pick(&|r| r.from_card));
    form.set_entry_fields(pick(&|r| !r.from_card));
    form.set_choice_fields(pick(&|r| !r.from_card && r.kind == "choice"));
    form.set_typed_fields(pick(&|r| !r.from_card && r.kind != "choice"));
}

/// Thumbnails are 240–300 px wide: twice that keeps them sharp at n/8 scales.
const THUMBNAIL_SIDE: u32 = 640;
/// The frame whose corners are dragged fills most of the screen's width.
const CORNER_FRAME_SIDE: u32 = 1400;

fn render_materials(c: &Controller, s: &Session) {
    let Some(item) = s.item() else { return };
    let (l, tr) = (s.lang(), Tr(s.lang()));
    let rows = item
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let pages = s.pages(i).len();
            let status = if m.from_card {
                if s.applicant().is_some() {
                    MaterialStatus::CardChecked
                } else {
                    MaterialStatus::CardWaiting
                }
            } else if pages > 0 {
                MaterialStatus::Pages(pages as u32)
            } else if s.skipped(i) {
                MaterialStatus::Later
            } else if !m.required {
                MaterialStatus::Optional
            } else {
                MaterialStatus::ToPhotograph
            };
            MaterialRow {
                name: ss(m.name.get(l)),
                note: ss(m.note.get(l)),
                status: ss(msg::material_status(tr, status)),
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
    m.set_error(ss(match (s.capture_error(), s.no_page_found()) {
        (Some(e), _) => msg::capture_trouble(tr, e),
        (None, true) => msg::no_page(tr),
        (None, false) => String::new(),
    }));
    m.set_capturing(s.capturing());
    m.set_can_print_notice(s.can_print_notice());
    m.set_printer_note(ss(msg::print_note(tr, s.print_state())));
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
            m.set_corner_outline(ss(outline_path(&a.corners)));
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
    let (trouble, tr) = c.with_session(|s| (s.camera_trouble(), Tr(s.lang())));
    match (trouble, c.view.preview.borrow().as_ref()) {
        (None, Some((img, w, h, outline))) => {
            m.set_preview(img.clone());
            m.set_preview_w(*w as i32);
            m.set_preview_h(*h as i32);
            m.set_outline(ss(outline.as_ref().map(outline_path).unwrap_or_default()));
            m.set_preview_error(ss(""));
        }
        (trouble, _) => {
            m.set_preview(Image::default());
            m.set_preview_w(0);
            m.set_outline(ss(""));
            m.set_preview_error(ss(trouble
                .map(|e| msg::camera_note(tr, e))
                .unwrap_or_default()));
        }
    }
}

fn render_delivery(ui: &KioskWindow, s: &Session) {
    let Some(item) = s.item() else { return };
    let tr = Tr(s.lang());
    let address = s.applicant().map(|a| a.address.clone()).unwrap_or_default();
    let rows = item
        .delivery
        .iter()
        .map(|d| DeliveryRow {
            key: ss(match d {
                DeliveryMethod::Pickup => "pickup",
                DeliveryMethod::Mail => "mail",
            }),
            label: ss(msg::delivery(tr, *d)),
            detail: ss(msg::delivery_detail(tr, *d, &address)),
            selected: s.delivery() == Some(*d),
        })
        .collect();
    ui.global::<DeliveryAdapter>().set_options(model(rows));
}

fn render_review(ui: &KioskWindow, s: &Session) {
    let Some(item) = s.item() else { return };
    let (l, tr) = (s.lang(), Tr(s.lang()));
    let mut rows = vec![KeyValue {
        key: ss(tr.t("办理事项")),
        value: ss(item.name.get(l)),
    }];
    for f in &item.fields {
        let v = s.field(&f.key).unwrap_or("");
        // The review screen may be seen by the next person in line: mask the ID number.
        let v = match (f.source, f.kind) {
            (Some(CardField::IdNumber), _) => kiosk_core::applicant::mask_id(v),
            (Some(CardField::Birth), _) => msg::birth_date(tr, v),
            (_, FieldKind::Choice) => f
                .options
                .values()
                .iter()
                .position(|o| o == v)
                .and_then(|i| f.options.shown(l).get(i))
                .cloned()
                .unwrap_or_else(|| v.to_string()),
            _ => v.to_string(),
        };
        rows.push(KeyValue {
            key: ss(f.label.get(l)),
            value: ss(v),
        });
    }
    for (i, m) in item.materials.iter().enumerate() {
        let state = if m.from_card {
            kiosk_core::MaterialState::FromCard
        } else if !s.pages(i).is_empty() {
            kiosk_core::MaterialState::Pages(s.pages(i).len() as u32)
        } else if s.skipped(i) {
            kiosk_core::MaterialState::Deferred {
                days: m.tolerance_days,
            }
        } else {
            kiosk_core::MaterialState::Missing
        };
        rows.push(KeyValue {
            key: ss(m.name.get(l)),
            value: ss(msg::material_state(tr, state)),
        });
    }
    if let Some(d) = s.delivery() {
        rows.push(KeyValue {
            key: ss(tr.t("领取方式")),
            value: ss(msg::delivery(tr, d)),
        });
    }
    ui.global::<ReviewAdapter>().set_rows(model(rows));
}

fn render_receipt(c: &Controller, s: &Session) {
    let Some(r) = s.receipt() else { return };
    let a = c.ui.global::<ReceiptAdapter>();
    a.set_reference(ss(&r.reference));
    a.set_queued(r.queued);
    let rows = crate::receipt::rows(r, Tr(s.lang()))
        .into_iter()
        .map(|(k, v)| KeyValue {
            key: ss(k),
            value: ss(v),
        })
        .collect();
    a.set_rows(model(rows));
    a.set_printer_note(ss(msg::print_note(Tr(s.lang()), s.print_state())));
    a.set_can_print_form(c.view.a4_fitted.get() && s.can_print_form());
}
