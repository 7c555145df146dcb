//! The mapping between the kiosk's own types and the outside's: an ID card
//! to the session's applicant, an application to the hall's request and its
//! attachments, the hall's ticket to the session's.

use kiosk_core::{Applicant, Application, CardKind, Catalog, DeliveryMethod, Page, Text};
use kiosk_hall::{ApplicantBody, ApplicationRequest, Delivery, MaterialBody};
use kiosk_idcard::IdCard;

fn priority_of(p: &str) -> Option<kiosk_core::Priority> {
    match p {
        "appointment" => Some(kiosk_core::Priority::Appointment),
        "elderly" => Some(kiosk_core::Priority::Elderly),
        "disabled" => Some(kiosk_core::Priority::Disabled),
        _ => None,
    }
}

/// The hall's ticket as the session keeps it: the category named in every
/// language from the catalog (by its id; the hall's own name when the
/// catalog does not list it). The session sets the language.
pub fn queue_ticket(
    catalog: &Catalog,
    t: kiosk_hall::Ticket,
    appointment: Option<kiosk_core::Appointment>,
) -> kiosk_core::QueueTicket {
    let category = t
        .category_id
        .as_deref()
        .and_then(|id| catalog.queue.iter().find(|q| q.id == id))
        .or_else(|| catalog.queue.iter().find(|q| q.name.zh_cn == t.category))
        .map(|q| q.name.clone())
        .unwrap_or_else(|| Text::zh(t.category.clone()));
    kiosk_core::QueueTicket {
        number: t.number,
        category,
        people_ahead: t.people_ahead,
        // "YYYY-MM-DD HH:MM:SS" → to the minute.
        at: t.issued_at.get(..16).unwrap_or(&t.issued_at).to_string(),
        priority: priority_of(&t.priority),
        appointment,
        lang: kiosk_core::Lang::ZhCn,
    }
}

/// The appointment a check-in found: the item named from the catalog (by
/// id), or as the hall named it.
pub fn appointment_of(catalog: &Catalog, ci: &kiosk_hall::CheckIn) -> kiosk_core::Appointment {
    let item = ci
        .item_id
        .as_deref()
        .and_then(|id| catalog.item(id))
        .map(|i| i.name.clone())
        .unwrap_or_else(|| Text::zh(ci.item_name.clone()));
    kiosk_core::Appointment {
        item,
        slot: ci.slot.clone(),
    }
}

/// The applicant of a card; the photo is decoded when a licensed WLT decoder is
/// configured (and succeeds), otherwise the UI shows a placeholder.
pub fn applicant_of(
    c: &IdCard,
    wlt: Option<&std::sync::Mutex<kiosk_idcard::wlt::WltDecoder>>,
) -> Applicant {
    let photo = wlt
        .zip((!c.photo_wlt.is_empty()).then_some(()))
        .and_then(|(w, _)| {
            let d = w.lock().ok()?;
            match d.decode(&c.photo_wlt) {
                Ok(bmp) => Some(kiosk_core::Photo::new(bmp)),
                Err(e) => {
                    tracing::warn!(error = %e, "card photo not decoded");
                    None
                }
            }
        });
    Applicant {
        card: match c.card_type {
            kiosk_idcard::CardType::Resident => CardKind::Resident,
            kiosk_idcard::CardType::HkMacaoTaiwanPermit => CardKind::HkMacaoTaiwanPermit,
            kiosk_idcard::CardType::ForeignPermanentResident
            | kiosk_idcard::CardType::ForeignPermanentResident2023 => {
                CardKind::ForeignPermanentResident
            }
        },
        photo,
        name: c.name.clone(),
        gender: c.gender.clone(),
        nation: c.nation.clone(),
        birth: c.birth.clone(),
        address: c.address.clone(),
        id_number: c.id_number.clone(),
        authority: c.authority.clone(),
        valid_from: c.valid_from.clone(),
        valid_to: c.valid_to.clone(),
        // The holder's age is reckoned on the terminal's date of reading.
        read_on: kiosk_idcard::today_local(),
    }
}

/// The hall request and each material's pages of an application.
pub fn request_of(
    app: &Application,
    terminal_id: &str,
) -> (ApplicationRequest, Vec<(String, Vec<Page>)>) {
    let a = &app.applicant;
    let req = ApplicationRequest {
        terminal_id: terminal_id.to_string(),
        item_id: app.item_id.clone(),
        applicant: ApplicantBody {
            name: a.name.clone(),
            id_number: a.id_number.clone(),
            gender: a.gender.clone(),
            nation: a.nation.clone(),
            birth: a.birth.clone(),
            address: a.address.clone(),
        },
        fields: app.fields.clone(),
        materials: app
            .materials
            .iter()
            .map(|m| MaterialBody {
                id: m.id.clone(),
                name: m.name.clone(),
                pages: m.pages.len() as u32,
                from_card: m.from_card,
                deferred: m.deferred,
            })
            .collect(),
        delivery: match app.delivery {
            DeliveryMethod::Pickup => Delivery::Pickup,
            DeliveryMethod::Mail => Delivery::Mail,
        },
        mail_address: app.mail_address.clone(),
    };
    let pages = app
        .materials
        .iter()
        .filter(|m| !m.pages.is_empty())
        .map(|m| (m.id.clone(), m.pages.clone()))
        .collect();
    (req, pages)
}

/// What goes to the hall for each material: its pages as one PDF, attachment
/// page 0 (pages scanned at `dpi`). A page that is not a readable JPEG (it
/// cannot be, from the pipeline) makes that material go as its JPEG pages
/// 1..=n instead, so nothing is dropped.
pub fn attachments(
    materials: &[(String, Vec<Page>)],
    dpi: u32,
) -> Vec<(String, u32, zeroize::Zeroizing<Vec<u8>>)> {
    let mut out = Vec::new();
    for (id, pages) in materials {
        let pdf = pages
            .iter()
            .map(|p| kiosk_camera::PageJpeg::from_jpeg(p.jpeg().to_vec(), dpi))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
            .and_then(|j| kiosk_camera::pdf_from_pages(&j).map_err(|e| e.to_string()));
        match pdf {
            Ok(pdf) => out.push((id.clone(), 0, zeroize::Zeroizing::new(pdf))),
            Err(e) => {
                tracing::warn!(material = %id, error = %e, "pages not joined into a PDF; sent one by one");
                for (i, p) in pages.iter().enumerate() {
                    out.push((
                        id.clone(),
                        i as u32 + 1,
                        zeroize::Zeroizing::new(p.jpeg().to_vec()),
                    ));
                }
            }
        }
    }
    out
}
