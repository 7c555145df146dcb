//! The citizen's session: one value, changed only by [`Session::handle`].
//!
//! Path: Home → Guide → Identify → Form → Materials → Delivery → Review → Submitting
//! → Receipt → Evaluation → Home. "Back" steps one screen back before submission;
//! "Cancel" wipes the session and returns Home from anywhere. After
//! `idle_timeout` without a touch the session is wiped; during the last
//! `idle_warning` a countdown is shown. While an application is being submitted the
//! idle clock stands still (the submission is durable in the outbox either way).
//!
//! Invariants:
//! - at most one [`Effect::Submit`] per application, however often "submit" is pressed;
//! - every path back to Home that ends a citizen's session emits [`Effect::WipeSession`]
//!   and drops the applicant and pages held here.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::applicant::{Applicant, CardKind, Page};
use crate::catalog::{CardField, Catalog, DeliveryMethod, FieldKind, ItemKind, ServiceItem, Text};
use crate::lang::Lang;

/// Milliseconds on a monotonic clock; only differences matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Millis(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Guide,
    Identify,
    Form,
    Materials,
    Delivery,
    Review,
    Submitting,
    Receipt,
    Evaluation,
    /// 排队取号 — a queue ticket, or appointment check-in with the ID card.
    Queue,
}

impl Screen {
    pub const ALL: [Screen; 11] = [
        Screen::Home,
        Screen::Guide,
        Screen::Identify,
        Screen::Form,
        Screen::Materials,
        Screen::Delivery,
        Screen::Review,
        Screen::Submitting,
        Screen::Receipt,
        Screen::Evaluation,
        Screen::Queue,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Screen::Home => "home",
            Screen::Guide => "guide",
            Screen::Identify => "identify",
            Screen::Form => "form",
            Screen::Materials => "materials",
            Screen::Delivery => "delivery",
            Screen::Review => "review",
            Screen::Submitting => "submitting",
            Screen::Receipt => "receipt",
            Screen::Evaluation => "evaluation",
            Screen::Queue => "queue",
        }
    }
}

/// 普通 / 长辈模式 / 高对比度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisplayMode {
    #[default]
    Normal,
    Elderly,
    Contrast,
}

/// 好差评 — the five levels of the national evaluation system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    VerySatisfied = 5,
    Satisfied = 4,
    Fair = 3,
    Dissatisfied = 2,
    VeryDissatisfied = 1,
}

impl Rating {
    pub const ALL: [Rating; 5] = [
        Rating::VerySatisfied,
        Rating::Satisfied,
        Rating::Fair,
        Rating::Dissatisfied,
        Rating::VeryDissatisfied,
    ];
    pub fn score(self) -> u8 {
        self as u8
    }
}

/// A paper the terminal prints for the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slip {
    /// 受理回执 (receipt printer).
    Receipt,
    /// 一次性告知单 (receipt printer).
    Notice,
    /// 排队号票 (ticket dispenser).
    Ticket,
    /// The A4 copy of the application form (A4 printer).
    Form,
}

/// Why a printer did not print, as far as the citizen and the screen need to
/// know (the drivers' own states reduced; the app words them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrintTrouble {
    PaperOut,
    CoverOpen,
    CutterError,
    /// Not answering: unplugged, powered off, or unreachable on the network.
    Offline,
    /// This terminal has no such printer.
    NotFitted,
    /// The printer's settings are wrong (a technician must look).
    Misconfigured,
    /// The queue is paused or refuses jobs.
    Paused,
    /// Busy or waiting for someone to act, past the time a citizen waits.
    Busy,
    /// Anything else (the slip could not even be drawn or stored).
    Failed,
}

/// Where the last print asked for in this session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintState {
    Printing(Slip),
    Printed(Slip),
    /// Not printed; `kept` when the terminal keeps the job and prints it by
    /// itself once the printer is back.
    Failed {
        slip: Slip,
        trouble: PrintTrouble,
        kept: bool,
    },
}

/// Why a card on the reader gave no applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardTrouble {
    /// This terminal has no reader.
    NotFitted,
    /// The reader does not answer (unplugged, powered off).
    ReaderOffline,
    /// The card's validity has ended.
    Expired,
    /// Not a card this reader knows (not an ID card, permit or foreign resident card).
    UnknownCard,
    /// Read badly (moved, dirty, half on the reader): try again.
    Unreadable,
}

/// Why a photographed page did not come out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptureTrouble {
    /// The camera itself.
    Camera(CameraTrouble),
    /// The picture came out torn or incomplete: take it again.
    Incomplete,
    /// The dragged corners do not outline a page.
    BadCorners,
}

/// Why no queue ticket came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketTrouble {
    /// Check-in: no appointment today for this card.
    NoAppointment,
    /// The hall's queue service does not answer.
    HallDown,
    /// The hall answered but refused (the category is closed, for one).
    Refused,
}

/// Why an application could not even be stored (nothing was accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmitTrouble {
    /// The terminal's disk is full.
    StorageFull,
    /// Any other failure to store it durably.
    StorageFailed,
}

/// What is wrong with a form field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldError {
    /// Required and empty (a choice not made).
    Missing,
    /// Not a mainland mobile number (11 digits starting with 1).
    BadPhone,
}

/// How one material of an application stands (for the receipt, the notice
/// and the A4 copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaterialState {
    /// 零证明: satisfied by the card read.
    FromCard,
    /// Photographed: this many pages.
    Pages(u32),
    /// 容缺: to be supplied within `days` working days.
    Deferred { days: u32 },
    /// Required and not yet supplied.
    Missing,
}

/// One material and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialLine {
    pub name: Text,
    /// The guide's note (原件/复印件, which pages).
    pub note: Text,
    pub state: MaterialState,
}

/// Why a ticket is called ahead of others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    /// A booked appointment checked in.
    Appointment,
    /// 绿色通道 for the elderly.
    Elderly,
    /// 绿色通道 for the disabled.
    Disabled,
}

/// The appointment a check-in found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// The booked item: its name in every language (from the catalog), or the
    /// hall's own name for an item this terminal does not list.
    pub item: Text,
    /// The time slot, like "10:00-10:30".
    pub slot: String,
}

/// What is wrong with the document camera, when something is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CameraTrouble {
    /// This terminal has no camera.
    NotFitted,
    /// No camera at the configured place (unplugged).
    NotFound,
    /// It went away while in use; it is being reconnected.
    Lost,
    /// It is there but gives no usable picture (or does not answer).
    Unavailable,
}

#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub idle_timeout: u64,
    pub idle_warning: u64,
    /// In elderly mode (适老化: enough time), both are longer; twice by default.
    pub elderly_idle_timeout: u64,
    pub elderly_idle_warning: u64,
    pub default_mode: DisplayMode,
    /// The language a session starts in (and goes back to when it ends).
    pub default_lang: Lang,
    /// The languages the citizen may switch to (the default among them).
    pub languages: Vec<Lang>,
    /// From this age (on the card, on the day it is read) the citizen is
    /// offered 长辈模式; `None` never offers it.
    pub elderly_offer_age: Option<u32>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_timeout: 120_000,
            idle_warning: 20_000,
            elderly_idle_timeout: 240_000,
            elderly_idle_warning: 40_000,
            default_mode: DisplayMode::Normal,
            default_lang: Lang::ZhCn,
            languages: Lang::ALL.to_vec(),
            elderly_offer_age: Some(60),
        }
    }
}

/// A queue ticket as the hall issued it (no personal data on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueTicket {
    pub number: String,
    /// The category's name in every language (from the catalog's `[[queue]]`).
    pub category: Text,
    pub people_ahead: u32,
    pub at: String,
    /// Why it is called early, if it is.
    pub priority: Option<Priority>,
    /// The appointment checked in.
    pub appointment: Option<Appointment>,
    /// The language the ticket is printed in.
    pub lang: Lang,
}

/// Where the queue screen is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum QueuePhase {
    /// Choosing a category (or check-in).
    #[default]
    Choose,
    /// Asking the hall for a ticket.
    Taking,
    /// Check-in: waiting for the ID card on the reader.
    WaitingForCard,
    /// Check-in: asking the hall for today's appointment.
    CheckingIn,
    Issued(QueueTicket),
    /// The hall had no appointment, or could not be reached: said plainly.
    Failed(TicketTrouble),
}

/// What happens to the citizen: UI intents, device events, hall replies, time.
#[derive(Debug, Clone)]
pub enum Event {
    /// Time passes; `handle`'s `now` says how far.
    Tick,
    /// A touch anywhere that is not otherwise an intent (keeps the session alive).
    Touch,
    ChoseItem(String),
    /// "开始办理" on the guide.
    StartApplying,
    /// "下一步" on the current screen.
    Next,
    Back,
    Cancel,
    SetMode(DisplayMode),
    /// The language button in the header (or an offer accepted).
    SetLanguage(Lang),
    /// "不用了" on a language offer.
    DismissOffer,
    /// "不用了" on the 长辈模式 offer (accepting it is `SetMode(Elderly)`).
    DismissElderlyOffer,
    CardRead(Applicant),
    CardFailed(CardTrouble),
    FieldEdited {
        key: String,
        value: String,
    },
    SelectMaterial(usize),
    /// "拍照" for the selected material.
    CapturePage,
    /// A scanned page (found, straightened and cleaned by the pipeline).
    PageCaptured(Page),
    /// No page outline in the frame: the citizen drags the four corners.
    PageNeedsCorners {
        frame: Page,
        width: u32,
        height: u32,
    },
    /// A corner dragged to (`x`, `y`) in frame pixels; 0 = top-left, clockwise.
    MoveCorner {
        corner: usize,
        x: f32,
        y: f32,
    },
    /// "确定" under the dragged corners.
    ConfirmCorners,
    /// "取消" under the dragged corners: the frame is dropped.
    CancelCorners,
    /// "重拍" under a page: the next capture replaces it.
    RetakePage(usize),
    CaptureFailed(CaptureTrouble),
    DeletePage {
        material: usize,
        page: usize,
    },
    /// 容缺: skip a tolerated material for now (toggles).
    ToggleSkip(usize),
    ChoseDelivery(DeliveryMethod),
    /// "确认提交" on the review screen.
    Submit,
    /// The hall accepted the application.
    SubmitAccepted {
        application_no: String,
        at: String,
    },
    /// The hall could not be reached; the application is safe in the outbox and
    /// will be sent by itself. `local_ref` is the terminal's own reference.
    SubmitQueued {
        local_ref: String,
        at: String,
    },
    /// The application could not even be stored: nothing was accepted.
    SubmitFailed(SubmitTrouble),
    Rate(Rating),
    /// "完成" on the receipt, evaluation or queue screen.
    Finish,
    /// "排队取号" on Home.
    OpenQueue,
    /// A category chosen on the queue screen (its catalog id).
    TakeTicket(String),
    /// "预约签到" on the queue screen: the ID card is read next.
    StartCheckIn,
    TicketIssued(QueueTicket),
    /// No ticket, and why.
    TicketFailed(TicketTrouble),
    /// "打印一次性告知单" on the materials screen: everything still missing, on paper.
    PrintNotice,
    /// "打印申请表（A4）" on the receipt screen: the citizen's copy of the form.
    PrintForm,
    /// A slip asked for came out of the printer.
    Printed(Slip),
    /// A slip asked for did not print (paper out, cover open, …).
    PrintFailed {
        slip: Slip,
        trouble: PrintTrouble,
        kept: bool,
    },
    /// The document camera's state changed: `Some` trouble, or `None` when
    /// it works (again). Device news, not a citizen's touch.
    CameraState(Option<CameraTrouble>),
}

/// What the app must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    ShowScreen(Screen),
    StartCardReader,
    StopCardReader,
    CapturePage {
        material_id: String,
    },
    /// Straighten `frame` along the citizen's corners (clockwise from top-left,
    /// frame pixels); the result comes back as `PageCaptured` or `CaptureFailed`.
    WarpPage {
        material_id: String,
        frame: Page,
        corners: [[f32; 2]; 4],
    },
    Submit(Application),
    PrintReceipt(Receipt),
    SendEvaluation {
        reference: String,
        rating: Rating,
    },
    IdleWarning {
        seconds_left: u32,
    },
    IdleWarningCleared,
    ModeChanged(DisplayMode),
    /// The session's language changed: every screen and slip follows it.
    LanguageChanged(Lang),
    /// Drop every trace of the citizen: pages, card data, caches.
    WipeSession,
    /// Ask the hall for a ticket in `category`.
    TakeTicket {
        category: String,
        priority: String,
    },
    /// Ask the hall for today's appointment of this card (预约签到).
    CheckIn(Applicant),
    PrintTicket(QueueTicket),
    /// Print the 一次性告知单 on the receipt printer.
    PrintNotice(MissingNotice),
    /// Print the citizen's copy of the application form on the A4 printer.
    PrintForm(FormCopy),
}

/// 一次性告知单 — everything the citizen still has to bring, in one list.
/// Personal data here is already masked. The executor adds the time and where
/// to hand the materials in (terminal settings, not the session's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingNotice {
    pub item_name: Text,
    pub department: Text,
    pub applicant_masked: String,
    pub id_masked: String,
    /// Every material missing or deferred, in the guide's order.
    pub missing: Vec<MaterialLine>,
    pub lang: Lang,
}

/// The citizen's copy of the application form (申请表), for the A4 printer.
/// Personal data is masked as on the receipt: the paper may be left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormCopy {
    pub item_name: Text,
    pub department: Text,
    pub reference: String,
    pub queued: bool,
    pub at: String,
    /// (label, value) of every form field, masked where personal.
    pub fields: Vec<(Text, String)>,
    /// Every material and how it was supplied.
    pub materials: Vec<MaterialLine>,
    pub delivery: DeliveryMethod,
    pub lang: Lang,
}

/// An application ready to leave the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub item_id: String,
    /// The item's name in Simplified Chinese (what the hall files it under).
    pub item_name: String,
    pub applicant: Applicant,
    pub fields: BTreeMap<String, String>,
    pub materials: Vec<SubmittedMaterial>,
    pub delivery: DeliveryMethod,
    /// Mailing address for 政务快递 (the card address unless changed).
    pub mail_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedMaterial {
    pub id: String,
    /// In Simplified Chinese, as the hall files it.
    pub name: String,
    pub pages: Vec<Page>,
    /// Satisfied by the ID card read (零证明).
    pub from_card: bool,
    /// 容缺: to be supplied within `tolerance_days`.
    pub deferred: bool,
    pub tolerance_days: u32,
}

/// 受理回执 — what the printed receipt says. Personal data here is already masked.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub item_name: Text,
    pub department: Text,
    pub applicant_masked: String,
    pub id_masked: String,
    /// The hall's application number, or the terminal's reference while queued.
    pub reference: String,
    pub queued: bool,
    pub at: String,
    /// Every material received (from the card or photographed) or deferred
    /// (容缺), in the guide's order.
    pub materials: Vec<MaterialLine>,
    pub kind: ItemKind,
    pub promised_days: u32,
    pub delivery: DeliveryMethod,
    /// The language it is printed in (the session's, when it was accepted).
    pub lang: Lang,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SubmitState {
    NotYet,
    InFlight,
    Failed(SubmitTrouble),
    Done { reference: String, queued: bool },
}

/// A frame in which no page was found, with the corners the citizen drags.
#[derive(Debug, Clone, PartialEq)]
pub struct CornerAdjust {
    pub frame: Page,
    pub width: u32,
    pub height: u32,
    /// Clockwise from top-left, in frame pixels.
    pub corners: [[f32; 2]; 4],
}

impl CornerAdjust {
    /// Starts with an outline inset 10 % from the frame's edges.
    fn new(frame: Page, width: u32, height: u32) -> Self {
        let (w, h) = (width as f32, height as f32);
        let (l, t, r, b) = (0.1 * w, 0.1 * h, 0.9 * w, 0.9 * h);
        CornerAdjust {
            frame,
            width,
            height,
            corners: [[l, t], [r, t], [r, b], [l, b]],
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Supplied {
    pages: Vec<Page>,
    skipped: bool,
}

#[derive(Debug, Clone)]
struct Draft {
    item: usize,
    applicant: Option<Applicant>,
    card_error: Option<CardTrouble>,
    fields: BTreeMap<String, String>,
    field_errors: BTreeMap<String, FieldError>,
    materials: Vec<Supplied>,
    selected_material: usize,
    capture_error: Option<CaptureTrouble>,
    /// The last capture found no page: the corners are dragged by hand.
    no_page: bool,
    capturing: bool,
    /// No page found in the last frame: its corners being dragged.
    adjust: Option<CornerAdjust>,
    /// The page of the selected material the capture under way replaces.
    retake: Option<usize>,
    delivery: Option<DeliveryMethod>,
    submit: SubmitState,
    receipt: Option<Receipt>,
    /// The A4 copy was asked for (once per application: paper is not wasted).
    form_printed: bool,
}

/// One citizen's session.
pub struct Session {
    catalog: Arc<Catalog>,
    cfg: SessionConfig,
    screen: Screen,
    mode: DisplayMode,
    last_activity: Millis,
    warning: Option<u32>,
    draft: Option<Draft>,
    next_page: u64,
    queue: QueuePhase,
    /// The last print asked for in this session.
    print: Option<PrintState>,
    /// The camera's trouble (the device's, not the citizen's: kept across sessions).
    camera: Option<CameraTrouble>,
    lang: Lang,
    /// A language offered to the citizen after their card was read (a
    /// permit holder is offered 繁體, a foreign resident English).
    offer: Option<Lang>,
    /// 长辈模式 offered after a card showed the age for it.
    elderly_offer: bool,
}

impl Session {
    pub fn new(catalog: Arc<Catalog>, cfg: SessionConfig, now: Millis) -> Self {
        Session {
            catalog,
            screen: Screen::Home,
            mode: cfg.default_mode,
            last_activity: now,
            warning: None,
            draft: None,
            next_page: 1,
            queue: QueuePhase::Choose,
            print: None,
            camera: None,
            lang: cfg.default_lang,
            offer: None,
            elderly_offer: false,
            cfg,
        }
    }

    // ---- read side -------------------------------------------------------

    pub fn screen(&self) -> Screen {
        self.screen
    }
    pub fn mode(&self) -> DisplayMode {
        self.mode
    }
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
    /// Seconds left before the idle wipe, while the warning is up.
    pub fn idle_warning(&self) -> Option<u32> {
        self.warning
    }
    pub fn item(&self) -> Option<&ServiceItem> {
        self.draft.as_ref().map(|d| &self.catalog.items[d.item])
    }
    pub fn applicant(&self) -> Option<&Applicant> {
        self.draft.as_ref()?.applicant.as_ref()
    }
    pub fn card_error(&self) -> Option<CardTrouble> {
        self.draft.as_ref()?.card_error
    }
    /// The session's language.
    pub fn lang(&self) -> Lang {
        self.lang
    }
    /// The languages the citizen may switch to.
    pub fn languages(&self) -> &[Lang] {
        &self.cfg.languages
    }
    /// A language offered after the card was read, if any.
    pub fn language_offer(&self) -> Option<Lang> {
        self.offer
    }
    /// Whether 长辈模式 is offered (the card showed the age for it).
    pub fn elderly_offer(&self) -> bool {
        self.elderly_offer
    }
    /// From what age 长辈模式 is offered.
    pub fn elderly_offer_age(&self) -> Option<u32> {
        self.cfg.elderly_offer_age
    }
    pub fn field(&self, key: &str) -> Option<&str> {
        self.draft.as_ref()?.fields.get(key).map(String::as_str)
    }
    pub fn field_error(&self, key: &str) -> Option<FieldError> {
        self.draft.as_ref()?.field_errors.get(key).copied()
    }
    pub fn pages(&self, material: usize) -> &[Page] {
        self.draft
            .as_ref()
            .and_then(|d| d.materials.get(material))
            .map(|m| m.pages.as_slice())
            .unwrap_or(&[])
    }
    pub fn skipped(&self, material: usize) -> bool {
        self.draft
            .as_ref()
            .and_then(|d| d.materials.get(material))
            .is_some_and(|m| m.skipped)
    }
    pub fn material_satisfied(&self, material: usize) -> bool {
        self.draft
            .as_ref()
            .is_some_and(|d| self.satisfied(d, material))
    }
    pub fn selected_material(&self) -> usize {
        self.draft.as_ref().map_or(0, |d| d.selected_material)
    }
    pub fn capture_error(&self) -> Option<CaptureTrouble> {
        self.draft.as_ref()?.capture_error
    }
    /// Whether the frame being adjusted is there because no page was found
    /// (rather than a failed warp of dragged corners).
    pub fn no_page_found(&self) -> bool {
        self.draft
            .as_ref()
            .is_some_and(|d| d.no_page && d.adjust.is_some())
    }
    pub fn capturing(&self) -> bool {
        self.draft.as_ref().is_some_and(|d| d.capturing)
    }
    /// The frame whose corners the citizen is dragging, if any.
    pub fn adjusting(&self) -> Option<&CornerAdjust> {
        self.draft.as_ref()?.adjust.as_ref()
    }
    /// The page (of the selected material) the capture under way replaces.
    pub fn retaking(&self) -> Option<usize> {
        self.draft.as_ref()?.retake
    }
    /// Whether the live camera preview is on screen: the materials screen, a
    /// material to photograph, no corners being dragged.
    pub fn wants_preview(&self) -> bool {
        self.screen == Screen::Materials
            && self.draft.as_ref().is_some_and(|d| {
                d.adjust.is_none()
                    && self.catalog.items[d.item]
                        .materials
                        .get(d.selected_material)
                        .is_some_and(|m| !m.from_card)
            })
    }
    pub fn delivery(&self) -> Option<DeliveryMethod> {
        self.draft.as_ref()?.delivery
    }
    pub fn submit_state(&self) -> SubmitState {
        self.draft
            .as_ref()
            .map_or(SubmitState::NotYet, |d| d.submit.clone())
    }
    /// Where the queue screen is.
    pub fn queue(&self) -> &QueuePhase {
        &self.queue
    }
    /// The last print asked for in this session, and how it went.
    pub fn print_state(&self) -> Option<PrintState> {
        self.print
    }
    /// What is wrong with the document camera, if anything.
    pub fn camera_trouble(&self) -> Option<CameraTrouble> {
        self.camera
    }

    /// Whether the materials screen offers the 一次性告知单: some required
    /// material is still missing or deferred (容缺).
    pub fn can_print_notice(&self) -> bool {
        self.screen == Screen::Materials
            && self
                .draft
                .as_ref()
                .is_some_and(|d| !self.missing_list(d).is_empty())
    }
    /// Whether the receipt screen still offers the A4 copy of the form.
    pub fn can_print_form(&self) -> bool {
        self.screen == Screen::Receipt
            && self
                .draft
                .as_ref()
                .is_some_and(|d| d.receipt.is_some() && !d.form_printed)
    }

    pub fn receipt(&self) -> Option<&Receipt> {
        self.draft.as_ref()?.receipt.as_ref()
    }
    /// Whether "下一步" would move on from the current screen.
    pub fn can_advance(&self) -> bool {
        let Some(d) = &self.draft else { return false };
        match self.screen {
            Screen::Form => self.form_errors(d).is_empty(),
            Screen::Materials => d.adjust.is_none() && !d.capturing && self.materials_done(d),
            Screen::Delivery => d.delivery.is_some(),
            Screen::Guide | Screen::Review | Screen::Receipt => true,
            _ => false,
        }
    }
    pub fn can_go_back(&self) -> bool {
        matches!(
            self.screen,
            Screen::Guide
                | Screen::Identify
                | Screen::Form
                | Screen::Materials
                | Screen::Delivery
                | Screen::Review
        )
    }

    // ---- write side ------------------------------------------------------

    /// The only way the session changes.
    pub fn handle(&mut self, now: Millis, event: Event) -> Vec<Effect> {
        let mut fx = Vec::new();
        // Device news is not a citizen's touch: it neither keeps the session
        // alive nor dismisses the idle warning.
        let device_news = matches!(
            event,
            Event::Printed(_) | Event::PrintFailed { .. } | Event::CameraState(_)
        );
        if !matches!(event, Event::Tick) && !device_news {
            self.last_activity = now;
            if self.warning.take().is_some() {
                fx.push(Effect::IdleWarningCleared);
            }
        }
        match event {
            Event::Tick => self.tick(now, &mut fx),
            Event::Touch => {}
            Event::SetMode(m) => {
                self.elderly_offer = false;
                if m != self.mode {
                    self.mode = m;
                    fx.push(Effect::ModeChanged(m));
                }
            }
            Event::SetLanguage(l) => {
                self.offer = None;
                if l != self.lang && self.cfg.languages.contains(&l) {
                    self.lang = l;
                    fx.push(Effect::LanguageChanged(l));
                }
            }
            Event::DismissOffer => self.offer = None,
            Event::DismissElderlyOffer => self.elderly_offer = false,
            Event::Cancel => self.wipe(&mut fx),
            Event::Back => self.back(&mut fx),
            Event::ChoseItem(id) => {
                if self.screen == Screen::Home {
                    if let Some(idx) = self.catalog.items.iter().position(|i| i.id == id) {
                        self.draft = Some(self.new_draft(idx));
                        self.go(Screen::Guide, &mut fx);
                    }
                }
            }
            Event::StartApplying => {
                if self.screen == Screen::Guide {
                    self.go(Screen::Identify, &mut fx);
                }
            }
            Event::CardRead(applicant)
                if self.screen == Screen::Queue && self.queue == QueuePhase::WaitingForCard =>
            {
                self.offer_language_for(applicant.card);
                self.offer_elderly_for(&applicant);
                self.queue = QueuePhase::CheckingIn;
                fx.push(Effect::StopCardReader);
                fx.push(Effect::CheckIn(applicant));
            }
            Event::CardFailed(t)
                if self.screen == Screen::Queue && self.queue == QueuePhase::WaitingForCard =>
            {
                // The reader's trouble, said on the queue screen as "no ticket".
                self.queue = QueuePhase::Failed(match t {
                    CardTrouble::NotFitted | CardTrouble::ReaderOffline => TicketTrouble::HallDown,
                    _ => TicketTrouble::NoAppointment,
                });
                fx.push(Effect::StopCardReader);
            }
            Event::OpenQueue => {
                if self.screen == Screen::Home {
                    self.queue = QueuePhase::Choose;
                    self.go(Screen::Queue, &mut fx);
                }
            }
            Event::TakeTicket(category) => {
                if self.screen == Screen::Queue
                    && matches!(self.queue, QueuePhase::Choose | QueuePhase::Failed(_))
                    && self.catalog.queue.iter().any(|q| q.id == category)
                {
                    self.queue = QueuePhase::Taking;
                    fx.push(Effect::TakeTicket {
                        category,
                        priority: "normal".into(),
                    });
                }
            }
            Event::StartCheckIn => {
                if self.screen == Screen::Queue
                    && matches!(self.queue, QueuePhase::Choose | QueuePhase::Failed(_))
                {
                    self.queue = QueuePhase::WaitingForCard;
                    fx.push(Effect::StartCardReader);
                }
            }
            Event::TicketIssued(mut t) => {
                if self.screen == Screen::Queue
                    && matches!(self.queue, QueuePhase::Taking | QueuePhase::CheckingIn)
                {
                    t.lang = self.lang;
                    self.queue = QueuePhase::Issued(t.clone());
                    self.print = Some(PrintState::Printing(Slip::Ticket));
                    fx.push(Effect::PrintTicket(t));
                }
            }
            Event::TicketFailed(t) => {
                if self.screen == Screen::Queue
                    && matches!(self.queue, QueuePhase::Taking | QueuePhase::CheckingIn)
                {
                    self.queue = QueuePhase::Failed(t);
                }
            }
            Event::CardRead(applicant) => {
                if self.screen == Screen::Identify && self.draft.is_some() {
                    self.offer_language_for(applicant.card);
                    self.offer_elderly_for(&applicant);
                }
                if let (Screen::Identify, Some(d)) = (self.screen, self.draft.as_mut()) {
                    let item = &self.catalog.items[d.item];
                    for f in &item.fields {
                        if let Some(src) = f.source {
                            d.fields.insert(f.key.clone(), card_value(&applicant, src));
                        }
                    }
                    d.applicant = Some(applicant);
                    d.card_error = None;
                    self.go(Screen::Form, &mut fx);
                }
            }
            Event::CardFailed(t) => {
                if self.screen == Screen::Identify {
                    if let Some(d) = self.draft.as_mut() {
                        d.card_error = Some(t);
                    }
                }
            }
            Event::FieldEdited { key, value } => {
                if let (Screen::Form, Some(d)) = (self.screen, self.draft.as_mut()) {
                    let item = &self.catalog.items[d.item];
                    // Fields filled from the card are read-only: the card is the proof.
                    if let Some(f) = item.fields.iter().find(|f| f.key == key) {
                        if f.source.is_none() {
                            let value = match f.kind {
                                FieldKind::Phone => value
                                    .chars()
                                    .filter(char::is_ascii_digit)
                                    .take(11)
                                    .collect(),
                                FieldKind::Choice if !f.options.values().contains(&value) => {
                                    return fx
                                }
                                _ => value,
                            };
                            d.field_errors.remove(&key);
                            d.fields.insert(key, value);
                        }
                    }
                }
            }
            Event::Next => self.next(&mut fx),
            Event::SelectMaterial(i) => {
                if let (Screen::Materials, Some(d)) = (self.screen, self.draft.as_mut()) {
                    // A frame in hand belongs to the selected material.
                    if i < d.materials.len() && !d.capturing && d.adjust.is_none() {
                        d.selected_material = i;
                        d.capture_error = None;
                    }
                }
            }
            Event::CapturePage => {
                if let (Screen::Materials, Some(d)) = (self.screen, self.draft.as_mut()) {
                    let item = &self.catalog.items[d.item];
                    if let Some(m) = item.materials.get(d.selected_material) {
                        if !m.from_card && !d.capturing && d.adjust.is_none() {
                            d.capturing = true;
                            d.capture_error = None;
                            d.retake = None;
                            fx.push(Effect::CapturePage {
                                material_id: m.id.clone(),
                            });
                        }
                    }
                }
            }
            Event::RetakePage(p) => {
                if let (Screen::Materials, Some(d)) = (self.screen, self.draft.as_mut()) {
                    let item = &self.catalog.items[d.item];
                    let sel = d.selected_material;
                    if let Some(m) = item.materials.get(sel) {
                        if !d.capturing && d.adjust.is_none() && p < d.materials[sel].pages.len() {
                            d.capturing = true;
                            d.capture_error = None;
                            d.retake = Some(p);
                            fx.push(Effect::CapturePage {
                                material_id: m.id.clone(),
                            });
                        }
                    }
                }
            }
            Event::PageNeedsCorners {
                frame,
                width,
                height,
            } => {
                if let Some(d) = self.draft.as_mut() {
                    if d.capturing && width > 0 && height > 0 {
                        d.capturing = false;
                        d.capture_error = None;
                        d.no_page = true;
                        // Its own id, so the UI knows a new frame from the last one.
                        let frame = Page::new(self.next_page, frame.jpeg().to_vec());
                        self.next_page += 1;
                        d.adjust = Some(CornerAdjust::new(frame, width, height));
                    }
                }
            }
            Event::MoveCorner { corner, x, y } => {
                if let Some(a) = self.draft.as_mut().and_then(|d| d.adjust.as_mut()) {
                    if corner < 4 && x.is_finite() && y.is_finite() {
                        a.corners[corner] =
                            [x.clamp(0.0, a.width as f32), y.clamp(0.0, a.height as f32)];
                    }
                }
            }
            Event::ConfirmCorners => {
                if let Some(d) = self.draft.as_mut() {
                    if let (Some(a), false) = (&d.adjust, d.capturing) {
                        let item = &self.catalog.items[d.item];
                        d.capturing = true;
                        d.capture_error = None;
                        fx.push(Effect::WarpPage {
                            material_id: item.materials[d.selected_material].id.clone(),
                            frame: a.frame.clone(),
                            corners: a.corners,
                        });
                    }
                }
            }
            Event::CancelCorners => {
                if let Some(d) = self.draft.as_mut() {
                    if !d.capturing && d.adjust.take().is_some() {
                        d.capture_error = None;
                        d.retake = None;
                    }
                }
            }
            Event::PageCaptured(page) => {
                if let Some(d) = self.draft.as_mut() {
                    if d.capturing {
                        d.capturing = false;
                        d.adjust = None;
                        let m = &mut d.materials[d.selected_material];
                        m.skipped = false;
                        let page = Page::new(self.next_page, page.jpeg().to_vec());
                        self.next_page += 1;
                        match d.retake.take() {
                            Some(i) if i < m.pages.len() => m.pages[i] = page,
                            _ => m.pages.push(page),
                        }
                    }
                }
            }
            Event::CaptureFailed(t) => {
                if let Some(d) = self.draft.as_mut() {
                    d.capturing = false;
                    d.capture_error = Some(t);
                    d.no_page = false;
                    // A failed warp leaves the corners to drag again; otherwise
                    // the next press is a fresh capture.
                    if d.adjust.is_none() {
                        d.retake = None;
                    }
                }
            }
            Event::DeletePage { material, page } => {
                if let (Screen::Materials, Some(d)) = (self.screen, self.draft.as_mut()) {
                    if d.capturing || d.adjust.is_some() {
                        return fx;
                    }
                    if let Some(m) = d.materials.get_mut(material) {
                        if page < m.pages.len() {
                            m.pages.remove(page);
                        }
                    }
                }
            }
            Event::ToggleSkip(i) => {
                if let (Screen::Materials, Some(d)) = (self.screen, self.draft.as_mut()) {
                    let item = &self.catalog.items[d.item];
                    if item.materials.get(i).is_some_and(|m| m.tolerated) {
                        let m = &mut d.materials[i];
                        m.skipped = !m.skipped && m.pages.is_empty();
                    }
                }
            }
            Event::ChoseDelivery(method) => {
                if let (Screen::Delivery, Some(d)) = (self.screen, self.draft.as_mut()) {
                    if self.catalog.items[d.item].delivery.contains(&method) {
                        d.delivery = Some(method);
                    }
                }
            }
            Event::Submit => self.submit(&mut fx),
            Event::SubmitAccepted { application_no, at } => {
                self.submitted(application_no, at, false, &mut fx)
            }
            Event::SubmitQueued { local_ref, at } => self.submitted(local_ref, at, true, &mut fx),
            Event::SubmitFailed(t) => {
                if self.screen == Screen::Submitting {
                    if let Some(d) = self.draft.as_mut() {
                        d.submit = SubmitState::Failed(t);
                    }
                }
            }
            Event::Rate(rating) => {
                if self.screen == Screen::Evaluation {
                    if let Some(reference) = self.receipt().map(|r| r.reference.clone()) {
                        fx.push(Effect::SendEvaluation { reference, rating });
                    }
                    self.wipe(&mut fx);
                }
            }
            Event::PrintNotice => {
                if let Some(n) = self.notice() {
                    self.print = Some(PrintState::Printing(Slip::Notice));
                    fx.push(Effect::PrintNotice(n));
                }
            }
            Event::PrintForm => {
                if self.can_print_form() {
                    if let Some(f) = self.form_copy() {
                        if let Some(d) = self.draft.as_mut() {
                            d.form_printed = true;
                        }
                        self.print = Some(PrintState::Printing(Slip::Form));
                        fx.push(Effect::PrintForm(f));
                    }
                }
            }
            Event::Printed(slip) => {
                // Only the print this session is waiting for: a late answer
                // for a session already wiped says nothing to the next citizen.
                if self.print == Some(PrintState::Printing(slip)) {
                    self.print = Some(PrintState::Printed(slip));
                }
            }
            Event::PrintFailed {
                slip,
                trouble,
                kept,
            } => {
                if self.print == Some(PrintState::Printing(slip)) {
                    self.print = Some(PrintState::Failed {
                        slip,
                        trouble,
                        kept,
                    });
                }
            }
            Event::CameraState(t) => self.camera = t,
            Event::Finish => match self.screen {
                Screen::Receipt => self.go(Screen::Evaluation, &mut fx),
                Screen::Evaluation | Screen::Queue => self.wipe(&mut fx),
                _ => {}
            },
        }
        fx
    }

    fn new_draft(&self, item: usize) -> Draft {
        let it = &self.catalog.items[item];
        let mut fields = BTreeMap::new();
        for f in &it.fields {
            fields.insert(f.key.clone(), String::new());
        }
        Draft {
            item,
            applicant: None,
            card_error: None,
            fields,
            field_errors: BTreeMap::new(),
            materials: vec![Supplied::default(); it.materials.len()],
            selected_material: 0,
            capture_error: None,
            no_page: false,
            capturing: false,
            adjust: None,
            retake: None,
            // With only one way to get the result there is nothing to choose.
            delivery: (it.delivery.len() == 1).then(|| it.delivery[0]),
            submit: SubmitState::NotYet,
            receipt: None,
            form_printed: false,
        }
    }

    fn tick(&mut self, now: Millis, fx: &mut Vec<Effect>) {
        if self.screen == Screen::Submitting && matches!(self.submit_state(), SubmitState::InFlight)
        {
            // The clock stands still while the hall answers.
            self.last_activity = now;
            return;
        }
        let idle = now.0.saturating_sub(self.last_activity.0);
        let (timeout, warning) = self.idle_limits();
        if self.screen == Screen::Home {
            // Nobody is being served; just put the terminal back to its default look.
            if idle >= timeout {
                if self.mode != self.cfg.default_mode {
                    self.mode = self.cfg.default_mode;
                    fx.push(Effect::ModeChanged(self.mode));
                }
                self.reset_language(fx);
            }
            return;
        }
        if idle >= timeout {
            self.wipe(fx);
            return;
        }
        let warn_from = timeout.saturating_sub(warning);
        if idle >= warn_from {
            let left_ms = timeout - idle;
            let secs = left_ms.div_ceil(1000) as u32;
            if self.warning != Some(secs) {
                self.warning = Some(secs);
                fx.push(Effect::IdleWarning { seconds_left: secs });
            }
        }
    }

    /// The idle timeout and its warning, in ms, for the mode the session is in.
    fn idle_limits(&self) -> (u64, u64) {
        match self.mode {
            DisplayMode::Elderly => (self.cfg.elderly_idle_timeout, self.cfg.elderly_idle_warning),
            _ => (self.cfg.idle_timeout, self.cfg.idle_warning),
        }
    }

    fn go(&mut self, to: Screen, fx: &mut Vec<Effect>) {
        let from = self.screen;
        if from == to {
            return;
        }
        if from == Screen::Identify {
            fx.push(Effect::StopCardReader);
        }
        if to == Screen::Identify {
            if let Some(d) = self.draft.as_mut() {
                d.card_error = None;
            }
            fx.push(Effect::StartCardReader);
        }
        self.screen = to;
        fx.push(Effect::ShowScreen(to));
    }

    fn wipe(&mut self, fx: &mut Vec<Effect>) {
        if self.screen == Screen::Identify
            || (self.screen == Screen::Queue && self.queue == QueuePhase::WaitingForCard)
        {
            fx.push(Effect::StopCardReader);
        }
        // A check-in read the card: that counts as a citizen's session to wipe.
        let had_card = self.screen == Screen::Queue && self.queue != QueuePhase::Choose;
        self.queue = QueuePhase::Choose;
        let had_session = self.draft.take().is_some() || had_card;
        self.warning = None;
        self.print = None;
        self.reset_language(fx);
        if self.mode != self.cfg.default_mode {
            self.mode = self.cfg.default_mode;
            fx.push(Effect::ModeChanged(self.mode));
        }
        if had_session {
            fx.push(Effect::WipeSession);
        }
        if self.screen != Screen::Home {
            self.screen = Screen::Home;
            fx.push(Effect::ShowScreen(Screen::Home));
        }
    }

    /// Back to the terminal's language, offers withdrawn (a session ends).
    fn reset_language(&mut self, fx: &mut Vec<Effect>) {
        self.offer = None;
        self.elderly_offer = false;
        if self.lang != self.cfg.default_lang {
            self.lang = self.cfg.default_lang;
            fx.push(Effect::LanguageChanged(self.lang));
        }
    }

    /// Offers the card holder the language their card suggests, unless the
    /// session speaks it already or the terminal does not offer it; never
    /// switches by itself.
    fn offer_language_for(&mut self, card: CardKind) {
        let suggested = match card {
            CardKind::Resident => None,
            CardKind::HkMacaoTaiwanPermit => Some(Lang::ZhTw),
            CardKind::ForeignPermanentResident => Some(Lang::En),
        };
        self.offer = suggested.filter(|l| *l != self.lang && self.cfg.languages.contains(l));
    }

    /// Offers 长辈模式 to a card holder of the age for it (on the day the card
    /// was read), unless the session is in it already or in high contrast
    /// (which has the same large sizes); never switches by itself.
    fn offer_elderly_for(&mut self, a: &Applicant) {
        self.elderly_offer = self.mode == DisplayMode::Normal
            && self
                .cfg
                .elderly_offer_age
                .zip(a.age())
                .is_some_and(|(from, age)| age >= from);
    }

    fn back(&mut self, fx: &mut Vec<Effect>) {
        if self.screen == Screen::Queue {
            match self.queue {
                QueuePhase::Choose | QueuePhase::Issued(_) => self.wipe(fx),
                QueuePhase::WaitingForCard => {
                    fx.push(Effect::StopCardReader);
                    self.queue = QueuePhase::Choose;
                }
                QueuePhase::Failed(_) => self.queue = QueuePhase::Choose,
                // The hall is being asked; its answer decides.
                QueuePhase::Taking | QueuePhase::CheckingIn => {}
            }
            return;
        }
        if self.screen == Screen::Materials {
            if let Some(d) = self.draft.as_mut() {
                if d.capturing {
                    return;
                }
                if d.adjust.take().is_some() {
                    d.capture_error = None;
                    d.retake = None;
                    return;
                }
            }
        }
        let to = match self.screen {
            Screen::Guide => {
                self.draft = None;
                fx.push(Effect::WipeSession);
                Screen::Home
            }
            Screen::Identify => Screen::Guide,
            Screen::Form => {
                // Going back to the reader means reading the card again: forget this one.
                if let Some(d) = self.draft.as_mut() {
                    d.applicant = None;
                    let item = &self.catalog.items[d.item];
                    for f in item.fields.iter().filter(|f| f.source.is_some()) {
                        d.fields.insert(f.key.clone(), String::new());
                    }
                }
                Screen::Identify
            }
            Screen::Materials => Screen::Form,
            Screen::Delivery => Screen::Materials,
            Screen::Review => Screen::Delivery,
            _ => return,
        };
        self.go(to, fx);
    }

    fn next(&mut self, fx: &mut Vec<Effect>) {
        let Some(d) = self.draft.as_ref() else { return };
        match self.screen {
            Screen::Guide => self.go(Screen::Identify, fx),
            Screen::Form => {
                let errors = self.form_errors(d);
                let ok = errors.is_empty();
                if let Some(d) = self.draft.as_mut() {
                    d.field_errors = errors;
                }
                if ok {
                    self.go(Screen::Materials, fx);
                    // Open on the first material that still needs the citizen (the
                    // ID card, read already, usually does not).
                    self.select_first_missing();
                }
            }
            Screen::Materials => {
                if d.capturing || d.adjust.is_some() {
                    return;
                }
                if self.materials_done(d) {
                    self.go(Screen::Delivery, fx);
                } else {
                    self.select_first_missing();
                }
            }
            Screen::Delivery => {
                if d.delivery.is_some() {
                    self.go(Screen::Review, fx);
                }
            }
            Screen::Review => self.submit(fx),
            Screen::Receipt => self.go(Screen::Evaluation, fx),
            _ => {}
        }
    }

    fn form_errors(&self, d: &Draft) -> BTreeMap<String, FieldError> {
        let item = &self.catalog.items[d.item];
        let mut errors = BTreeMap::new();
        for f in &item.fields {
            let v = d.fields.get(&f.key).map(String::as_str).unwrap_or("");
            if v.trim().is_empty() {
                if f.required {
                    errors.insert(f.key.clone(), FieldError::Missing);
                }
                continue;
            }
            if f.kind == FieldKind::Phone && !valid_mobile(v) {
                errors.insert(f.key.clone(), FieldError::BadPhone);
            }
        }
        errors
    }

    fn satisfied(&self, d: &Draft, i: usize) -> bool {
        let spec = &self.catalog.items[d.item].materials[i];
        let st = &d.materials[i];
        !spec.required
            || (spec.from_card && d.applicant.is_some())
            || !st.pages.is_empty()
            || (spec.tolerated && st.skipped)
    }

    /// Points the materials screen at the first material still missing.
    fn select_first_missing(&mut self) {
        let Some(d) = self.draft.as_ref() else { return };
        let first = (0..d.materials.len()).find(|&i| !self.satisfied(d, i));
        if let (Some(i), Some(d)) = (first, self.draft.as_mut()) {
            d.selected_material = i;
        }
    }

    /// Every required material not yet supplied, and every 容缺 one deferred.
    fn missing_list(&self, d: &Draft) -> Vec<MaterialLine> {
        let item = &self.catalog.items[d.item];
        item.materials
            .iter()
            .zip(&d.materials)
            .enumerate()
            .filter_map(|(i, (spec, st))| {
                let state = if spec.tolerated && st.skipped && st.pages.is_empty() {
                    MaterialState::Deferred {
                        days: spec.tolerance_days,
                    }
                } else if !self.satisfied(d, i) {
                    MaterialState::Missing
                } else {
                    return None;
                };
                Some(MaterialLine {
                    name: spec.name.clone(),
                    note: spec.note.clone(),
                    state,
                })
            })
            .collect()
    }

    fn notice(&self) -> Option<MissingNotice> {
        if self.screen != Screen::Materials {
            return None;
        }
        let d = self.draft.as_ref()?;
        let applicant = d.applicant.as_ref()?;
        let missing = self.missing_list(d);
        if missing.is_empty() {
            return None;
        }
        let item = &self.catalog.items[d.item];
        Some(MissingNotice {
            item_name: item.name.clone(),
            department: item.department.clone(),
            applicant_masked: applicant.masked_name(),
            id_masked: applicant.masked_id(),
            missing,
            lang: self.lang,
        })
    }

    fn form_copy(&self) -> Option<FormCopy> {
        let d = self.draft.as_ref()?;
        let r = d.receipt.as_ref()?;
        let item = &self.catalog.items[d.item];
        let fields = item
            .fields
            .iter()
            .map(|f| {
                let v = d.fields.get(&f.key).map(String::as_str).unwrap_or("");
                (f.label.clone(), masked_field(f, v))
            })
            .collect();
        // The receipt's own typed lines: no sentence is parsed back.
        let materials = r.materials.clone();
        Some(FormCopy {
            item_name: r.item_name.clone(),
            department: r.department.clone(),
            reference: r.reference.clone(),
            queued: r.queued,
            at: r.at.clone(),
            fields,
            materials,
            delivery: r.delivery,
            lang: self.lang,
        })
    }

    fn materials_done(&self, d: &Draft) -> bool {
        (0..d.materials.len()).all(|i| self.satisfied(d, i))
    }

    fn submit(&mut self, fx: &mut Vec<Effect>) {
        let Some(d) = self.draft.as_ref() else { return };
        // Review → Submitting, or a retry after a failed store; never twice in flight.
        let retry = self.screen == Screen::Submitting && matches!(d.submit, SubmitState::Failed(_));
        if self.screen != Screen::Review && !retry {
            return;
        }
        let item = &self.catalog.items[d.item];
        let (Some(applicant), Some(delivery)) = (d.applicant.clone(), d.delivery) else {
            return;
        };
        let materials = item
            .materials
            .iter()
            .zip(&d.materials)
            .map(|(spec, st)| SubmittedMaterial {
                id: spec.id.clone(),
                name: spec.name.zh_cn.clone(),
                pages: st.pages.clone(),
                from_card: spec.from_card,
                deferred: spec.tolerated && st.skipped && st.pages.is_empty(),
                tolerance_days: spec.tolerance_days,
            })
            .collect();
        let app = Application {
            item_id: item.id.clone(),
            item_name: item.name.zh_cn.clone(),
            mail_address: (delivery == DeliveryMethod::Mail).then(|| applicant.address.clone()),
            applicant,
            fields: d.fields.clone(),
            materials,
            delivery,
        };
        if let Some(d) = self.draft.as_mut() {
            d.submit = SubmitState::InFlight;
        }
        fx.push(Effect::Submit(app));
        self.go(Screen::Submitting, fx);
    }

    fn submitted(&mut self, reference: String, at: String, queued: bool, fx: &mut Vec<Effect>) {
        if self.screen != Screen::Submitting {
            return;
        }
        let Some(d) = self.draft.as_mut() else { return };
        if d.submit != SubmitState::InFlight {
            return;
        }
        let item = &self.catalog.items[d.item];
        let Some(applicant) = d.applicant.as_ref() else {
            return;
        };
        let materials: Vec<MaterialLine> = item
            .materials
            .iter()
            .zip(&d.materials)
            .filter_map(|(spec, st)| {
                let state = if spec.from_card {
                    MaterialState::FromCard
                } else if !st.pages.is_empty() {
                    MaterialState::Pages(st.pages.len() as u32)
                } else if spec.tolerated && st.skipped {
                    MaterialState::Deferred {
                        days: spec.tolerance_days,
                    }
                } else {
                    return None;
                };
                Some(MaterialLine {
                    name: spec.name.clone(),
                    note: spec.note.clone(),
                    state,
                })
            })
            .collect();
        let receipt = Receipt {
            item_name: item.name.clone(),
            department: item.department.clone(),
            applicant_masked: applicant.masked_name(),
            id_masked: applicant.masked_id(),
            reference: reference.clone(),
            queued,
            at,
            materials,
            kind: item.kind,
            promised_days: item.promised_days,
            delivery: d.delivery.unwrap_or(DeliveryMethod::Pickup),
            lang: self.lang,
        };
        d.submit = SubmitState::Done { reference, queued };
        // Pages and card data have left for the outbox; the session keeps only the receipt.
        for m in &mut d.materials {
            m.pages.clear();
        }
        d.receipt = Some(receipt.clone());
        self.print = Some(PrintState::Printing(Slip::Receipt));
        fx.push(Effect::PrintReceipt(receipt));
        self.go(Screen::Receipt, fx);
    }
}

fn card_value(a: &Applicant, f: CardField) -> String {
    match f {
        CardField::Name => a.name.clone(),
        CardField::Gender => a.gender.clone(),
        CardField::Nation => a.nation.clone(),
        CardField::Birth => a.birth.clone(),
        CardField::Address => a.address.clone(),
        CardField::IdNumber => a.id_number.clone(),
    }
}

/// A form value as it may appear on paper: the ID number, name, address and
/// phone masked, the rest as entered.
fn masked_field(f: &crate::catalog::FieldSpec, v: &str) -> String {
    use crate::applicant::{mask_id, mask_name};
    match (f.source, f.kind) {
        (Some(CardField::IdNumber), _) => mask_id(v),
        (Some(CardField::Name), _) => mask_name(v),
        (Some(CardField::Address), _) => {
            let keep: String = v.chars().take(6).collect();
            if v.chars().count() > 6 {
                format!("{keep}****")
            } else {
                keep
            }
        }
        (_, FieldKind::Phone) if v.len() == 11 => format!("{}****{}", &v[..3], &v[7..]),
        _ => v.to_string(),
    }
}

fn valid_mobile(v: &str) -> bool {
    v.len() == 11 && v.starts_with('1') && v.bytes().all(|b| b.is_ascii_digit())
}
