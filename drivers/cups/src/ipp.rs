//! The Internet Printing Protocol message codec: pure functions from typed
//! requests to bytes and from bytes to typed responses (no sockets).
//!
//! Sources: RFC 8010 "IPP/1.1: Encoding and Transport" (the byte layout,
//! §3.1–§3.5) and RFC 8011 "IPP/1.1: Model and Semantics" (operation ids,
//! status codes, enum values).
//!
//! Why a codec of our own and not libcups or a general IPP crate: the kiosk
//! needs six operations (Print-Job, Get-Job-Attributes, Get-Jobs,
//! Get-Printer-Attributes, Pause-/Resume-Printer) sent over the same small
//! blocking HTTP client as the rest of this crate, with no C library to link
//! and a decoder that keeps value tags it does not know instead of failing.
//! It is checked against a real CUPS on loopback (`tests/cups_loopback.rs`),
//! on every truncation of real CUPS answers and on random bytes.
//!
//! Invariants: [`Response::decode`] never panics; every malformed message is an
//! [`Err`] naming what was wrong and at which byte. Value tags this codec does
//! not know are kept as [`Value::Other`] with their raw bytes, so a newer
//! server's extensions do not make its whole answer unreadable.

use std::fmt;

/// IPP version sent in requests: 1.1, the version every IPP printer and CUPS
/// must accept (RFC 8011 §4.1.8).
pub const VERSION: (u8, u8) = (1, 1);

/// Operation ids (RFC 8011 §5.4.15, the `operations-supported` enum; CUPS
/// implements all of these).
pub mod op {
    /// RFC 8011 §4.2.1.
    pub const PRINT_JOB: u16 = 0x0002;
    /// RFC 8011 §4.3.4.
    pub const GET_JOB_ATTRIBUTES: u16 = 0x0009;
    /// RFC 8011 §4.2.6.
    pub const GET_JOBS: u16 = 0x000A;
    /// RFC 8011 §4.2.5.
    pub const GET_PRINTER_ATTRIBUTES: u16 = 0x000B;
    /// RFC 8011 §4.2.7.
    pub const PAUSE_PRINTER: u16 = 0x0010;
    /// RFC 8011 §4.2.8.
    pub const RESUME_PRINTER: u16 = 0x0011;
}

/// Delimiter (group) tags, RFC 8010 §3.5.1.
pub mod group {
    pub const OPERATION: u8 = 0x01;
    pub const JOB: u8 = 0x02;
    pub const END: u8 = 0x03;
    pub const PRINTER: u8 = 0x04;
    pub const UNSUPPORTED: u8 = 0x05;
}

/// Value tags, RFC 8010 §3.5.2.
pub mod tag {
    // Out-of-band values (no value bytes).
    pub const UNSUPPORTED: u8 = 0x10;
    pub const UNKNOWN: u8 = 0x12;
    pub const NO_VALUE: u8 = 0x13;
    // Integer types.
    pub const INTEGER: u8 = 0x21;
    pub const BOOLEAN: u8 = 0x22;
    pub const ENUM: u8 = 0x23;
    // Octet-string types.
    pub const OCTET_STRING: u8 = 0x30;
    pub const DATE_TIME: u8 = 0x31;
    pub const RESOLUTION: u8 = 0x32;
    pub const RANGE_OF_INTEGER: u8 = 0x33;
    pub const BEG_COLLECTION: u8 = 0x34;
    pub const TEXT_WITH_LANGUAGE: u8 = 0x35;
    pub const NAME_WITH_LANGUAGE: u8 = 0x36;
    pub const END_COLLECTION: u8 = 0x37;
    // Character-string types.
    pub const TEXT: u8 = 0x41;
    pub const NAME: u8 = 0x42;
    pub const KEYWORD: u8 = 0x44;
    pub const URI: u8 = 0x45;
    pub const URI_SCHEME: u8 = 0x46;
    pub const CHARSET: u8 = 0x47;
    pub const NATURAL_LANGUAGE: u8 = 0x48;
    pub const MIME_MEDIA_TYPE: u8 = 0x49;
    pub const MEMBER_ATTR_NAME: u8 = 0x4A;
    /// Extension: the next four value bytes say the real tag (§3.5.2).
    pub const EXTENSION: u8 = 0x7F;
}

/// Status codes, RFC 8011 §4.1.6 and Appendix B.
pub mod status {
    pub const SUCCESSFUL_OK: u16 = 0x0000;
    pub const SUCCESSFUL_OK_IGNORED_OR_SUBSTITUTED: u16 = 0x0001;
    pub const SUCCESSFUL_OK_CONFLICTING: u16 = 0x0002;
    pub const CLIENT_ERROR_BAD_REQUEST: u16 = 0x0400;
    pub const CLIENT_ERROR_FORBIDDEN: u16 = 0x0401;
    pub const CLIENT_ERROR_NOT_AUTHENTICATED: u16 = 0x0402;
    pub const CLIENT_ERROR_NOT_AUTHORIZED: u16 = 0x0403;
    pub const CLIENT_ERROR_NOT_POSSIBLE: u16 = 0x0404;
    pub const CLIENT_ERROR_NOT_FOUND: u16 = 0x0406;
    pub const CLIENT_ERROR_GONE: u16 = 0x0407;
    pub const CLIENT_ERROR_REQUEST_ENTITY_TOO_LARGE: u16 = 0x0408;
    pub const CLIENT_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED: u16 = 0x040A;
    pub const SERVER_ERROR_INTERNAL_ERROR: u16 = 0x0500;
    pub const SERVER_ERROR_OPERATION_NOT_SUPPORTED: u16 = 0x0501;
    pub const SERVER_ERROR_SERVICE_UNAVAILABLE: u16 = 0x0502;
    pub const SERVER_ERROR_NOT_ACCEPTING_JOBS: u16 = 0x0506;
    pub const SERVER_ERROR_BUSY: u16 = 0x0507;
    pub const SERVER_ERROR_JOB_CANCELED: u16 = 0x0508;

    /// The keyword RFC 8011 gives a status code, for logs.
    pub fn name(code: u16) -> &'static str {
        match code {
            SUCCESSFUL_OK => "successful-ok",
            SUCCESSFUL_OK_IGNORED_OR_SUBSTITUTED => {
                "successful-ok-ignored-or-substituted-attributes"
            }
            SUCCESSFUL_OK_CONFLICTING => "successful-ok-conflicting-attributes",
            CLIENT_ERROR_BAD_REQUEST => "client-error-bad-request",
            CLIENT_ERROR_FORBIDDEN => "client-error-forbidden",
            CLIENT_ERROR_NOT_AUTHENTICATED => "client-error-not-authenticated",
            CLIENT_ERROR_NOT_AUTHORIZED => "client-error-not-authorized",
            CLIENT_ERROR_NOT_POSSIBLE => "client-error-not-possible",
            CLIENT_ERROR_NOT_FOUND => "client-error-not-found",
            CLIENT_ERROR_GONE => "client-error-gone",
            CLIENT_ERROR_REQUEST_ENTITY_TOO_LARGE => "client-error-request-entity-too-large",
            CLIENT_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED => {
                "client-error-document-format-not-supported"
            }
            SERVER_ERROR_INTERNAL_ERROR => "server-error-internal-error",
            SERVER_ERROR_OPERATION_NOT_SUPPORTED => "server-error-operation-not-supported",
            SERVER_ERROR_SERVICE_UNAVAILABLE => "server-error-service-unavailable",
            SERVER_ERROR_NOT_ACCEPTING_JOBS => "server-error-not-accepting-jobs",
            SERVER_ERROR_BUSY => "server-error-busy",
            SERVER_ERROR_JOB_CANCELED => "server-error-job-canceled",
            _ => match code >> 8 {
                // §4.1.6: the high byte is the class.
                0x00 => "successful-(other)",
                0x04 => "client-error-(other)",
                0x05 => "server-error-(other)",
                _ => "(unknown status)",
            },
        }
    }

    /// RFC 8011 §4.1.6: 0x0000–0x00FF are the successful codes.
    pub fn is_success(code: u16) -> bool {
        code <= 0x00FF
    }
}

/// `printer-state` enum values, RFC 8011 §5.4.11.
pub mod printer_state {
    pub const IDLE: i32 = 3;
    pub const PROCESSING: i32 = 4;
    pub const STOPPED: i32 = 5;
}

/// `job-state` enum values, RFC 8011 §5.3.7.
pub mod job_state {
    pub const PENDING: i32 = 3;
    pub const PENDING_HELD: i32 = 4;
    pub const PROCESSING: i32 = 5;
    pub const PROCESSING_STOPPED: i32 = 6;
    pub const CANCELED: i32 = 7;
    pub const ABORTED: i32 = 8;
    pub const COMPLETED: i32 = 9;
}

/// Nested collections deeper than this are refused (a malicious answer must not
/// exhaust the stack). CUPS's deepest (`media-col`) nests two levels.
const MAX_COLLECTION_DEPTH: usize = 16;

/// `dateTime`: RFC 2579 DateAndTime, 11 octets (RFC 8010 §3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub deci_seconds: u8,
    /// `b'+'` or `b'-'`: direction from UTC.
    pub utc_direction: u8,
    pub utc_hours: u8,
    pub utc_minutes: u8,
}

/// One attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Integer(i32),
    Boolean(bool),
    Enum(i32),
    OctetString(Vec<u8>),
    DateTime(DateTime),
    /// Cross-feed, feed, units (3 = dots per inch, 4 = per cm).
    Resolution {
        cross_feed: i32,
        feed: i32,
        units: i8,
    },
    RangeOfInteger(i32, i32),
    TextWithLanguage {
        language: String,
        text: String,
    },
    NameWithLanguage {
        language: String,
        name: String,
    },
    Text(String),
    Name(String),
    Keyword(String),
    Uri(String),
    UriScheme(String),
    Charset(String),
    NaturalLanguage(String),
    MimeMediaType(String),
    /// `unsupported`, `unknown` or `no-value` (RFC 8010 §3.5.2): the tag alone.
    OutOfBand(u8),
    /// A collection's members in order (RFC 8010 §3.1.6).
    Collection(Vec<Attribute>),
    /// A tag this codec does not decode, with its value bytes as sent.
    Other {
        tag: u8,
        bytes: Vec<u8>,
    },
}

impl Value {
    /// The text of any string-like value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s)
            | Value::Name(s)
            | Value::Keyword(s)
            | Value::Uri(s)
            | Value::UriScheme(s)
            | Value::Charset(s)
            | Value::NaturalLanguage(s)
            | Value::MimeMediaType(s) => Some(s),
            Value::TextWithLanguage { text: s, .. } | Value::NameWithLanguage { name: s, .. } => {
                Some(s)
            }
            _ => None,
        }
    }

    /// The number of an integer or enum value.
    pub fn as_int(&self) -> Option<i32> {
        match self {
            Value::Integer(n) | Value::Enum(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The tag this value is written with.
    pub fn tag(&self) -> u8 {
        match self {
            Value::Integer(_) => tag::INTEGER,
            Value::Boolean(_) => tag::BOOLEAN,
            Value::Enum(_) => tag::ENUM,
            Value::OctetString(_) => tag::OCTET_STRING,
            Value::DateTime(_) => tag::DATE_TIME,
            Value::Resolution { .. } => tag::RESOLUTION,
            Value::RangeOfInteger(..) => tag::RANGE_OF_INTEGER,
            Value::TextWithLanguage { .. } => tag::TEXT_WITH_LANGUAGE,
            Value::NameWithLanguage { .. } => tag::NAME_WITH_LANGUAGE,
            Value::Text(_) => tag::TEXT,
            Value::Name(_) => tag::NAME,
            Value::Keyword(_) => tag::KEYWORD,
            Value::Uri(_) => tag::URI,
            Value::UriScheme(_) => tag::URI_SCHEME,
            Value::Charset(_) => tag::CHARSET,
            Value::NaturalLanguage(_) => tag::NATURAL_LANGUAGE,
            Value::MimeMediaType(_) => tag::MIME_MEDIA_TYPE,
            Value::OutOfBand(t) => *t,
            Value::Collection(_) => tag::BEG_COLLECTION,
            Value::Other { tag, .. } => *tag,
        }
    }
}

/// One attribute: a name and one or more values (RFC 8010 §3.1.4–§3.1.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<Value>,
}

impl Attribute {
    pub fn new(name: impl Into<String>, value: Value) -> Self {
        Attribute {
            name: name.into(),
            values: vec![value],
        }
    }
}

/// One attribute group: its delimiter tag and its attributes in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub tag: u8,
    pub attributes: Vec<Attribute>,
}

impl Group {
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// An IPP request (RFC 8010 §3.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub version: (u8, u8),
    pub operation: u16,
    pub request_id: u32,
    pub groups: Vec<Group>,
    /// Document data after the end-of-attributes tag (Print-Job).
    pub data: Vec<u8>,
}

/// An IPP response (RFC 8010 §3.1.1: the same layout, status-code in place of
/// operation-id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub version: (u8, u8),
    pub status: u16,
    pub request_id: u32,
    pub groups: Vec<Group>,
    pub data: Vec<u8>,
}

/// What was wrong with a message, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("message ends at byte {at} inside {what}")]
    Truncated { at: usize, what: &'static str },
    #[error("byte {at}: {what}")]
    Invalid { at: usize, what: String },
}

fn invalid(at: usize, what: impl Into<String>) -> DecodeError {
    DecodeError::Invalid {
        at,
        what: what.into(),
    }
}

impl Request {
    /// A request with the operation attributes every request starts with, in
    /// the order RFC 8011 §4.1.4 requires: `attributes-charset`,
    /// `attributes-natural-language`, then the target `printer-uri`.
    pub fn new(operation: u16, request_id: u32, printer_uri: &str) -> Self {
        Request {
            version: VERSION,
            operation,
            request_id,
            groups: vec![Group {
                tag: group::OPERATION,
                attributes: vec![
                    Attribute::new("attributes-charset", Value::Charset("utf-8".into())),
                    Attribute::new(
                        "attributes-natural-language",
                        Value::NaturalLanguage("en".into()),
                    ),
                    Attribute::new("printer-uri", Value::Uri(printer_uri.into())),
                ],
            }],
            data: Vec::new(),
        }
    }

    /// Adds an attribute to the operation group.
    pub fn operation_attr(mut self, name: &str, value: Value) -> Self {
        if let Some(g) = self.groups.iter_mut().find(|g| g.tag == group::OPERATION) {
            g.attributes.push(Attribute::new(name, value));
        }
        self
    }

    fn requested(self, attrs: &[&str]) -> Self {
        if attrs.is_empty() {
            return self;
        }
        let mut r = self;
        if let Some(g) = r.groups.iter_mut().find(|g| g.tag == group::OPERATION) {
            g.attributes.push(Attribute {
                name: "requested-attributes".into(),
                values: attrs.iter().map(|a| Value::Keyword((*a).into())).collect(),
            });
        }
        r
    }

    /// Print-Job (RFC 8011 §4.2.1) of one PDF document.
    pub fn print_job(
        request_id: u32,
        printer_uri: &str,
        user: &str,
        job_name: &str,
        pdf: &[u8],
    ) -> Self {
        let mut r = Request::new(op::PRINT_JOB, request_id, printer_uri)
            .operation_attr("requesting-user-name", Value::Name(user.into()))
            .operation_attr("job-name", Value::Name(job_name.into()))
            .operation_attr(
                "document-format",
                Value::MimeMediaType("application/pdf".into()),
            );
        r.data = pdf.to_vec();
        r
    }

    /// Get-Printer-Attributes (RFC 8011 §4.2.5); `attrs` empty asks for all.
    pub fn get_printer_attributes(request_id: u32, printer_uri: &str, attrs: &[&str]) -> Self {
        Request::new(op::GET_PRINTER_ATTRIBUTES, request_id, printer_uri).requested(attrs)
    }

    /// Get-Job-Attributes (RFC 8011 §4.3.4), the job named by printer-uri and
    /// job-id (§4.1.5).
    pub fn get_job_attributes(
        request_id: u32,
        printer_uri: &str,
        job_id: i32,
        attrs: &[&str],
    ) -> Self {
        Request::new(op::GET_JOB_ATTRIBUTES, request_id, printer_uri)
            .operation_attr("job-id", Value::Integer(job_id))
            .requested(attrs)
    }

    /// Get-Jobs (RFC 8011 §4.2.6); `which` is `completed` or `not-completed`.
    pub fn get_jobs(request_id: u32, printer_uri: &str, which: &str, attrs: &[&str]) -> Self {
        Request::new(op::GET_JOBS, request_id, printer_uri)
            .operation_attr("which-jobs", Value::Keyword(which.into()))
            .requested(attrs)
    }

    /// Pause-Printer / Resume-Printer (RFC 8011 §4.2.7, §4.2.8).
    pub fn set_paused(request_id: u32, printer_uri: &str, user: &str, paused: bool) -> Self {
        let op = if paused {
            op::PAUSE_PRINTER
        } else {
            op::RESUME_PRINTER
        };
        Request::new(op, request_id, printer_uri)
            .operation_attr("requesting-user-name", Value::Name(user.into()))
    }

    /// The request as sent on the wire (RFC 8010 §3.1.1).
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(256 + self.data.len());
        b.push(self.version.0);
        b.push(self.version.1);
        b.extend_from_slice(&self.operation.to_be_bytes());
        b.extend_from_slice(&self.request_id.to_be_bytes());
        encode_groups(&mut b, &self.groups);
        b.extend_from_slice(&self.data);
        b
    }
}

fn encode_groups(b: &mut Vec<u8>, groups: &[Group]) {
    for g in groups {
        b.push(g.tag);
        for a in &g.attributes {
            encode_attribute(b, &a.name, &a.values);
        }
    }
    b.push(group::END);
}

/// Writes one tag, name-length, name, value-length, value (RFC 8010 §3.1.4);
/// additional values repeat it with an empty name (§3.1.5).
fn encode_attribute(b: &mut Vec<u8>, name: &str, values: &[Value]) {
    for (i, v) in values.iter().enumerate() {
        let n = if i == 0 { name } else { "" };
        encode_value(b, n, v);
    }
}

fn put_field(b: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths are two octets (RFC 8010 §3.1.4); longer values are cut at the
    // limit rather than written with a wrong length.
    let n = bytes.len().min(u16::MAX as usize);
    b.extend_from_slice(&(n as u16).to_be_bytes());
    b.extend_from_slice(&bytes[..n]);
}

fn encode_value(b: &mut Vec<u8>, name: &str, v: &Value) {
    if let Value::Collection(members) = v {
        // §3.1.6: begCollection (empty value), per member a memberAttrName
        // whose value is the member's name and the member's values with empty
        // names, then endCollection with empty name and value.
        b.push(tag::BEG_COLLECTION);
        put_field(b, name.as_bytes());
        put_field(b, &[]);
        for m in members {
            b.push(tag::MEMBER_ATTR_NAME);
            put_field(b, &[]);
            put_field(b, m.name.as_bytes());
            for mv in &m.values {
                encode_value(b, "", mv);
            }
        }
        b.push(tag::END_COLLECTION);
        put_field(b, &[]);
        put_field(b, &[]);
        return;
    }
    b.push(v.tag());
    put_field(b, name.as_bytes());
    let bytes: Vec<u8> = match v {
        Value::Integer(n) | Value::Enum(n) => n.to_be_bytes().to_vec(),
        Value::Boolean(x) => vec![u8::from(*x)],
        Value::OctetString(o) => o.clone(),
        Value::DateTime(d) => {
            let mut o = d.year.to_be_bytes().to_vec();
            o.extend_from_slice(&[
                d.month,
                d.day,
                d.hour,
                d.minute,
                d.second,
                d.deci_seconds,
                d.utc_direction,
                d.utc_hours,
                d.utc_minutes,
            ]);
            o
        }
        Value::Resolution {
            cross_feed,
            feed,
            units,
        } => {
            let mut o = cross_feed.to_be_bytes().to_vec();
            o.extend_from_slice(&feed.to_be_bytes());
            o.push(*units as u8);
            o
        }
        Value::RangeOfInteger(lo, hi) => {
            let mut o = lo.to_be_bytes().to_vec();
            o.extend_from_slice(&hi.to_be_bytes());
            o
        }
        Value::TextWithLanguage {
            language: l,
            text: s,
        }
        | Value::NameWithLanguage {
            language: l,
            name: s,
        } => {
            // §3.9: a two-octet length and the language, then the same for
            // the text.
            let mut o = Vec::new();
            put_field(&mut o, l.as_bytes());
            put_field(&mut o, s.as_bytes());
            o
        }
        Value::OutOfBand(_) => Vec::new(),
        Value::Other { bytes, .. } => bytes.clone(),
        Value::Collection(_) => Vec::new(),
        other => other.as_str().unwrap_or("").as_bytes().to_vec(),
    };
    put_field(b, &bytes);
}

/// A cursor that never indexes past the end.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let v = *self
            .b
            .get(self.at)
            .ok_or(DecodeError::Truncated { at: self.at, what })?;
        self.at += 1;
        Ok(v)
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let s = self.take(2, what)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let s = self.take(4, what)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or(DecodeError::Truncated {
                at: self.b.len(),
                what,
            })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn rest(&self) -> &'a [u8] {
        &self.b[self.at.min(self.b.len())..]
    }
}

/// One raw tag-name-value field.
struct Field<'a> {
    at: usize,
    tag: u8,
    name: &'a [u8],
    value: &'a [u8],
}

fn read_field<'a>(r: &mut Reader<'a>, tag: u8, at: usize) -> Result<Field<'a>, DecodeError> {
    let nlen = r.u16("name-length")? as usize;
    let name = r.take(nlen, "name")?;
    let vlen = r.u16("value-length")? as usize;
    let value = r.take(vlen, "value")?;
    Ok(Field {
        at,
        tag,
        name,
        value,
    })
}

fn text(b: &[u8]) -> String {
    // Servers answer in the charset we asked for (utf-8); a stray byte in a
    // message must not make the whole answer unreadable.
    String::from_utf8_lossy(b).into_owned()
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn fixed(f: &Field<'_>, n: usize, what: &str) -> Result<(), DecodeError> {
    if f.value.len() != n {
        return Err(invalid(
            f.at,
            format!("{what} value of {} bytes (must be {n})", f.value.len()),
        ));
    }
    Ok(())
}

/// Decodes the value of a non-collection field.
fn scalar(f: &Field<'_>) -> Result<Value, DecodeError> {
    let v = f.value;
    Ok(match f.tag {
        tag::UNSUPPORTED | tag::UNKNOWN | tag::NO_VALUE => Value::OutOfBand(f.tag),
        tag::INTEGER => {
            fixed(f, 4, "integer")?;
            Value::Integer(be_i32(v))
        }
        tag::ENUM => {
            fixed(f, 4, "enum")?;
            Value::Enum(be_i32(v))
        }
        tag::BOOLEAN => {
            fixed(f, 1, "boolean")?;
            match v[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                x => return Err(invalid(f.at, format!("boolean value {x:#04x}"))),
            }
        }
        tag::OCTET_STRING => Value::OctetString(v.to_vec()),
        tag::DATE_TIME => {
            fixed(f, 11, "dateTime")?;
            Value::DateTime(DateTime {
                year: u16::from_be_bytes([v[0], v[1]]),
                month: v[2],
                day: v[3],
                hour: v[4],
                minute: v[5],
                second: v[6],
                deci_seconds: v[7],
                utc_direction: v[8],
                utc_hours: v[9],
                utc_minutes: v[10],
            })
        }
        tag::RESOLUTION => {
            fixed(f, 9, "resolution")?;
            Value::Resolution {
                cross_feed: be_i32(&v[0..4]),
                feed: be_i32(&v[4..8]),
                units: v[8] as i8,
            }
        }
        tag::RANGE_OF_INTEGER => {
            fixed(f, 8, "rangeOfInteger")?;
            Value::RangeOfInteger(be_i32(&v[0..4]), be_i32(&v[4..8]))
        }
        tag::TEXT_WITH_LANGUAGE | tag::NAME_WITH_LANGUAGE => {
            let mut r = Reader { b: v, at: 0 };
            let ll = r
                .u16("language length")
                .map_err(|_| invalid(f.at, "text/nameWithLanguage shorter than its lengths"))?
                as usize;
            let lang = r
                .take(ll, "language")
                .map_err(|_| invalid(f.at, "text/nameWithLanguage language overruns value"))?;
            let tl = r
                .u16("text length")
                .map_err(|_| invalid(f.at, "text/nameWithLanguage without text length"))?
                as usize;
            let s = r
                .take(tl, "text")
                .map_err(|_| invalid(f.at, "text/nameWithLanguage text overruns value"))?;
            if r.at != v.len() {
                return Err(invalid(f.at, "text/nameWithLanguage has trailing bytes"));
            }
            if f.tag == tag::TEXT_WITH_LANGUAGE {
                Value::TextWithLanguage {
                    language: text(lang),
                    text: text(s),
                }
            } else {
                Value::NameWithLanguage {
                    language: text(lang),
                    name: text(s),
                }
            }
        }
        tag::TEXT => Value::Text(text(v)),
        tag::NAME => Value::Name(text(v)),
        tag::KEYWORD => Value::Keyword(text(v)),
        tag::URI => Value::Uri(text(v)),
        tag::URI_SCHEME => Value::UriScheme(text(v)),
        tag::CHARSET => Value::Charset(text(v)),
        tag::NATURAL_LANGUAGE => Value::NaturalLanguage(text(v)),
        tag::MIME_MEDIA_TYPE => Value::MimeMediaType(text(v)),
        tag::END_COLLECTION | tag::MEMBER_ATTR_NAME => {
            return Err(invalid(
                f.at,
                format!("tag {:#04x} outside a collection", f.tag),
            ))
        }
        other => Value::Other {
            tag: other,
            bytes: v.to_vec(),
        },
    })
}

/// Reads a field's value; a begCollection reads the whole collection.
fn value(r: &mut Reader<'_>, f: &Field<'_>, depth: usize) -> Result<Value, DecodeError> {
    if f.tag != tag::BEG_COLLECTION {
        return scalar(f);
    }
    if depth >= MAX_COLLECTION_DEPTH {
        return Err(invalid(f.at, "collections nested too deep"));
    }
    if !f.value.is_empty() {
        return Err(invalid(f.at, "begCollection with a value"));
    }
    let mut members: Vec<Attribute> = Vec::new();
    loop {
        let at = r.at;
        let t = r.u8("collection member tag")?;
        if t < 0x10 {
            return Err(invalid(at, "attribute group ends inside a collection"));
        }
        let g = read_field(r, t, at)?;
        if !g.name.is_empty() {
            return Err(invalid(at, "collection member field with a name"));
        }
        match t {
            tag::END_COLLECTION => {
                if !g.value.is_empty() {
                    return Err(invalid(at, "endCollection with a value"));
                }
                return Ok(Value::Collection(members));
            }
            tag::MEMBER_ATTR_NAME => {
                if g.value.is_empty() {
                    return Err(invalid(at, "memberAttrName without a name"));
                }
                members.push(Attribute {
                    name: text(g.value),
                    values: Vec::new(),
                });
            }
            _ => {
                let v = value(r, &g, depth + 1)?;
                match members.last_mut() {
                    Some(m) => m.values.push(v),
                    None => return Err(invalid(at, "collection value before any member name")),
                }
            }
        }
    }
}

impl Response {
    /// Decodes a whole response body. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Response, DecodeError> {
        let mut r = Reader { b: bytes, at: 0 };
        let major = r.u8("version-number")?;
        let minor = r.u8("version-number")?;
        if major == 0 || major > 2 {
            return Err(invalid(0, format!("IPP version {major}.{minor}")));
        }
        let status = r.u16("status-code")?;
        let request_id = r.u32("request-id")?;
        let mut groups: Vec<Group> = Vec::new();
        loop {
            let at = r.at;
            let t = r.u8("attribute group or end-of-attributes tag")?;
            if t == group::END {
                break;
            }
            if t < 0x10 {
                // §3.5.1: 0x00 is reserved; 0x06–0x0F are delimiter tags for
                // future groups, kept as groups.
                if t == 0x00 {
                    return Err(invalid(at, "reserved delimiter tag 0x00"));
                }
                groups.push(Group {
                    tag: t,
                    attributes: Vec::new(),
                });
                continue;
            }
            let f = read_field(&mut r, t, at)?;
            let v = value(&mut r, &f, 0)?;
            let Some(g) = groups.last_mut() else {
                return Err(invalid(at, "attribute before any group tag"));
            };
            if f.name.is_empty() {
                match g.attributes.last_mut() {
                    Some(a) => a.values.push(v),
                    None => return Err(invalid(at, "additional value without an attribute")),
                }
            } else {
                g.attributes.push(Attribute {
                    name: text(f.name),
                    values: vec![v],
                });
            }
        }
        Ok(Response {
            version: (major, minor),
            status,
            request_id,
            groups,
            data: r.rest().to_vec(),
        })
    }

    /// The response as bytes (for the simulator side and round-trip tests).
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![self.version.0, self.version.1];
        b.extend_from_slice(&self.status.to_be_bytes());
        b.extend_from_slice(&self.request_id.to_be_bytes());
        encode_groups(&mut b, &self.groups);
        b.extend_from_slice(&self.data);
        b
    }

    /// The first attribute of that name in a group with that tag.
    pub fn attr(&self, group_tag: u8, name: &str) -> Option<&Attribute> {
        self.groups
            .iter()
            .filter(|g| g.tag == group_tag)
            .find_map(|g| g.get(name))
    }

    /// The first value of that attribute in a group with that tag.
    pub fn value(&self, group_tag: u8, name: &str) -> Option<&Value> {
        self.attr(group_tag, name).and_then(|a| a.values.first())
    }

    /// `status-message` of the operation group, or "".
    pub fn status_message(&self) -> &str {
        self.value(group::OPERATION, "status-message")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn is_success(&self) -> bool {
        status::is_success(self.status)
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:04x})", status::name(self.status), self.status)?;
        let m = self.status_message();
        if !m.is_empty() {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A real CUPS 2.4.2 answer to Get-Printer-Attributes asking for the four
    /// state attributes of the test queue (captured from the loopback server
    /// of scripts/cups-test-server.sh with curl).
    const REAL_STATE: &[u8] = include_bytes!("../tests/data/gpa-state.bin");
    /// The same server's answer to Get-Printer-Attributes for all attributes
    /// (collections, ranges, resolutions, dateTimes...).
    const REAL_ALL: &[u8] = include_bytes!("../tests/data/gpa-all.bin");

    #[test]
    fn encodes_get_printer_attributes_byte_for_byte() {
        let r = Request::get_printer_attributes(
            7,
            "ipp://h/printers/q",
            &["printer-state", "printer-state-reasons"],
        );
        let mut want: Vec<u8> = vec![
            0x01, 0x01, // version-number 1.1 (RFC 8010 §3.1.1)
            0x00, 0x0B, // operation-id Get-Printer-Attributes (RFC 8011 §4.2.5)
            0x00, 0x00, 0x00, 0x07, // request-id 7
            0x01, // operation-attributes-tag (§3.5.1)
            0x47, // charset (§3.5.2)
            0x00, 0x12, // name-length 18
        ];
        want.extend_from_slice(b"attributes-charset");
        want.extend_from_slice(&[0x00, 0x05]); // value-length 5
        want.extend_from_slice(b"utf-8");
        want.extend_from_slice(&[0x48, 0x00, 0x1B]); // naturalLanguage, name-length 27
        want.extend_from_slice(b"attributes-natural-language");
        want.extend_from_slice(&[0x00, 0x02]); // value-length 2
        want.extend_from_slice(b"en");
        want.extend_from_slice(&[0x45, 0x00, 0x0B]); // uri, name-length 11
        want.extend_from_slice(b"printer-uri");
        want.extend_from_slice(&[0x00, 0x12]); // value-length 18
        want.extend_from_slice(b"ipp://h/printers/q");
        want.extend_from_slice(&[0x44, 0x00, 0x14]); // keyword, name-length 20
        want.extend_from_slice(b"requested-attributes");
        want.extend_from_slice(&[0x00, 0x0D]); // value-length 13
        want.extend_from_slice(b"printer-state");
        want.extend_from_slice(&[0x44, 0x00, 0x00]); // keyword, name-length 0: additional value (§3.1.5)
        want.extend_from_slice(&[0x00, 0x15]); // value-length 21
        want.extend_from_slice(b"printer-state-reasons");
        want.push(0x03); // end-of-attributes-tag
        assert_eq!(r.encode(), want);
    }

    #[test]
    fn encodes_print_job_with_the_document_after_the_attributes() {
        let r = Request::print_job(1, "ipp://h/p", "kiosk", "证明", b"%PDF-1.4");
        let b = r.encode();
        assert_eq!(&b[..8], &[0x01, 0x01, 0x00, 0x02, 0, 0, 0, 1]); // 1.1, Print-Job, id 1
        let mut tail: Vec<u8> = vec![0x42, 0x00, 0x14]; // nameWithoutLanguage, name-length 20
        tail.extend_from_slice(b"requesting-user-name");
        tail.extend_from_slice(&[0x00, 0x05]); // value-length 5
        tail.extend_from_slice(b"kiosk");
        tail.extend_from_slice(&[0x42, 0x00, 0x08]); // nameWithoutLanguage, name-length 8
        tail.extend_from_slice(b"job-name");
        tail.extend_from_slice(&[0x00, 0x06]); // value-length 6: two UTF-8 characters
        tail.extend_from_slice("证明".as_bytes());
        tail.extend_from_slice(&[0x49, 0x00, 0x0F]); // mimeMediaType, name-length 15
        tail.extend_from_slice(b"document-format");
        tail.extend_from_slice(&[0x00, 0x0F]); // value-length 15
        tail.extend_from_slice(b"application/pdf");
        tail.push(0x03); // end-of-attributes-tag
        tail.extend_from_slice(b"%PDF-1.4"); // document data (§3.1.1)
        assert!(b.ends_with(&tail), "{b:02x?}");
    }

    #[test]
    fn encodes_get_job_attributes_with_the_job_id_as_integer() {
        let b = Request::get_job_attributes(3, "ipp://h/p", 258, &[]).encode();
        assert_eq!(&b[2..4], &[0x00, 0x09]); // Get-Job-Attributes (RFC 8011 §4.3.4)
        let mut tail: Vec<u8> = vec![0x21, 0x00, 0x06]; // integer, name-length 6
        tail.extend_from_slice(b"job-id");
        tail.extend_from_slice(&[0x00, 0x04, 0x00, 0x00, 0x01, 0x02]); // length 4, 258
        tail.push(0x03);
        assert!(b.ends_with(&tail));
        let b = Request::get_jobs(4, "ipp://h/p", "completed", &[]).encode();
        assert_eq!(&b[2..4], &[0x00, 0x0A]); // Get-Jobs (RFC 8011 §4.2.6)
    }

    #[test]
    fn decodes_a_real_cups_state_answer() {
        let r = Response::decode(REAL_STATE).unwrap();
        assert_eq!(r.version, (1, 1));
        assert_eq!(r.status, status::SUCCESSFUL_OK);
        assert_eq!(r.request_id, 2);
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[0].tag, group::OPERATION);
        assert_eq!(
            r.value(group::OPERATION, "attributes-charset"),
            Some(&Value::Charset("utf-8".into()))
        );
        assert_eq!(
            r.value(group::PRINTER, "printer-state"),
            Some(&Value::Enum(printer_state::IDLE))
        );
        assert_eq!(
            r.value(group::PRINTER, "printer-is-accepting-jobs"),
            Some(&Value::Boolean(true))
        );
        assert_eq!(
            r.value(group::PRINTER, "printer-state-reasons"),
            Some(&Value::Keyword("none".into()))
        );
        assert_eq!(
            r.value(group::PRINTER, "printer-state-message"),
            Some(&Value::Text(String::new()))
        );
        assert!(r.data.is_empty());
        // Re-encoding gives the same bytes: nothing was dropped.
        assert_eq!(r.encode(), REAL_STATE);
    }

    #[test]
    fn decodes_every_value_kind_of_a_full_real_answer() {
        let r = Response::decode(REAL_ALL).unwrap();
        assert!(r.is_success());
        let p = r.groups.iter().find(|g| g.tag == group::PRINTER).unwrap();
        assert!(p.attributes.len() > 50, "{}", p.attributes.len());
        assert_eq!(
            p.get("printer-name").unwrap().values[0],
            Value::Name("kiosk-a4".into())
        );
        assert!(matches!(
            p.get("printer-current-time").unwrap().values[0],
            Value::DateTime(_)
        ));
        let ops: Vec<i32> = p
            .get("operations-supported")
            .unwrap()
            .values
            .iter()
            .filter_map(Value::as_int)
            .collect();
        assert!(ops.contains(&(op::PRINT_JOB as i32)));
        assert!(ops.contains(&(op::GET_PRINTER_ATTRIBUTES as i32)));
        assert!(p
            .attributes
            .iter()
            .flat_map(|a| &a.values)
            .any(|v| matches!(v, Value::RangeOfInteger(..))));
        assert_eq!(r.encode(), REAL_ALL);
    }

    #[test]
    fn every_truncation_of_real_answers_is_an_error() {
        for real in [REAL_STATE, REAL_ALL] {
            for n in 0..real.len() {
                assert!(
                    Response::decode(&real[..n]).is_err(),
                    "a prefix of {n} bytes decoded"
                );
            }
        }
    }

    fn header() -> Vec<u8> {
        vec![1, 1, 0, 0, 0, 0, 0, 1]
    }

    fn field(tag: u8, name: &str, value: &[u8]) -> Vec<u8> {
        let mut b = vec![tag];
        b.extend_from_slice(&(name.len() as u16).to_be_bytes());
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(&(value.len() as u16).to_be_bytes());
        b.extend_from_slice(value);
        b
    }

    fn msg(parts: &[&[u8]]) -> Vec<u8> {
        let mut b = header();
        for p in parts {
            b.extend_from_slice(p);
        }
        b
    }

    #[test]
    fn malformed_answers_are_errors_that_say_why() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                msg(&[&[0x04], &field(0x21, "n", &[0, 1]), &[3]]),
                "integer value of 2",
            ),
            (
                msg(&[&[0x04], &field(0x22, "b", &[2]), &[3]]),
                "boolean value",
            ),
            (
                msg(&[&field(0x21, "n", &[0, 0, 0, 1]), &[3]]),
                "before any group",
            ),
            (
                msg(&[&[0x04], &field(0x21, "", &[0, 0, 0, 1]), &[3]]),
                "without an attribute",
            ),
            (
                msg(&[&[0x04], &field(0x31, "d", &[0; 10]), &[3]]),
                "dateTime",
            ),
            (msg(&[&[0x00], &[3]]), "reserved"),
            (
                msg(&[&[0x04], &field(0x37, "x", &[]), &[3]]),
                "outside a collection",
            ),
            (
                msg(&[
                    &[0x04],
                    &field(0x34, "c", &[]),
                    &field(0x21, "", &[0, 0, 0, 1]),
                    &[3],
                ]),
                "before any member",
            ),
            (
                msg(&[&[0x04], &field(0x34, "c", &[]), &[3]]),
                "group ends inside",
            ),
            (
                msg(&[&[0x04], &field(0x35, "t", &[0, 5, b'e']), &[3]]),
                "WithLanguage",
            ),
            (vec![9, 9, 0, 0, 0, 0, 0, 1, 3], "IPP version"),
            (msg(&[&[0x04]]), "ends at byte"),
        ];
        for (bytes, why) in cases {
            let e = Response::decode(&bytes).unwrap_err().to_string();
            assert!(e.contains(why), "{e:?} should say {why:?}");
        }
    }

    #[test]
    fn deeply_nested_collections_are_refused_not_recursed() {
        let mut b = msg(&[&[0x04], &field(0x34, "c", &[])]);
        for _ in 0..10_000 {
            b.extend_from_slice(&field(0x4A, "", b"m"));
            b.extend_from_slice(&field(0x34, "", &[]));
        }
        let e = Response::decode(&b).unwrap_err().to_string();
        assert!(e.contains("nested too deep"), "{e}");
    }

    #[test]
    fn decodes_a_collection_as_rfc_8010_lays_it_out() {
        // media-col { media-size { x-dimension 21000 } media-type "plain" }
        // in the layout of RFC 8010 §3.1.6 (member names as memberAttrName
        // values, member values with empty names).
        let b = msg(&[
            &[0x04],
            &field(0x34, "media-col", &[]),   // begCollection
            &field(0x4A, "", b"media-size"),  // memberAttrName
            &field(0x34, "", &[]),            // nested begCollection
            &field(0x4A, "", b"x-dimension"), // memberAttrName
            &field(0x21, "", &[0x00, 0x00, 0x52, 0x08]), // integer 21000
            &field(0x37, "", &[]),            // endCollection (media-size)
            &field(0x4A, "", b"media-type"),  // memberAttrName
            &field(0x44, "", b"plain"),       // keyword
            &field(0x37, "", &[]),            // endCollection (media-col)
            &[0x03],
        ]);
        let r = Response::decode(&b).unwrap();
        assert_eq!(
            r.value(group::PRINTER, "media-col"),
            Some(&Value::Collection(vec![
                Attribute::new(
                    "media-size",
                    Value::Collection(vec![Attribute::new("x-dimension", Value::Integer(21000))])
                ),
                Attribute::new("media-type", Value::Keyword("plain".into())),
            ]))
        );
        assert_eq!(r.encode(), b);
    }

    #[test]
    fn unknown_tags_are_kept_raw_and_written_back() {
        let b = msg(&[
            &[0x04],
            &field(0x5F, "vendor-thing", &[1, 2, 3]),
            &[0x0A], // a future group tag (§3.5.1)
            &field(0x13, "nothing", &[]),
            &[3],
        ]);
        let r = Response::decode(&b).unwrap();
        assert_eq!(
            r.value(group::PRINTER, "vendor-thing"),
            Some(&Value::Other {
                tag: 0x5F,
                bytes: vec![1, 2, 3]
            })
        );
        assert_eq!(r.value(0x0A, "nothing"), Some(&Value::OutOfBand(0x13)));
        assert_eq!(r.encode(), b);
    }

    #[test]
    fn every_value_kind_round_trips() {
        let values = vec![
            Value::Integer(-5),
            Value::Boolean(false),
            Value::Enum(9),
            Value::OctetString(vec![0, 255]),
            Value::DateTime(DateTime {
                year: 2026,
                month: 11,
                day: 23,
                hour: 4,
                minute: 5,
                second: 6,
                deci_seconds: 7,
                utc_direction: b'+',
                utc_hours: 8,
                utc_minutes: 0,
            }),
            Value::Resolution {
                cross_feed: 200,
                feed: 200,
                units: 3,
            },
            Value::RangeOfInteger(1, 99),
            Value::TextWithLanguage {
                language: "zh-cn".into(),
                text: "缺纸".into(),
            },
            Value::NameWithLanguage {
                language: "en".into(),
                name: "n".into(),
            },
            Value::Text("t".into()),
            Value::Name("n".into()),
            Value::Keyword("k".into()),
            Value::Uri("ipp://x/".into()),
            Value::UriScheme("ipp".into()),
            Value::Charset("utf-8".into()),
            Value::NaturalLanguage("zh-cn".into()),
            Value::MimeMediaType("application/pdf".into()),
            Value::OutOfBand(tag::NO_VALUE),
            Value::Collection(vec![
                Attribute::new("x-dimension", Value::Integer(21000)),
                Attribute {
                    name: "inner".into(),
                    values: vec![Value::Collection(vec![Attribute::new(
                        "k",
                        Value::Keyword("v".into()),
                    )])],
                },
            ]),
            Value::Other {
                tag: 0x5F,
                bytes: vec![4],
            },
        ];
        let resp = Response {
            version: (2, 0),
            status: status::CLIENT_ERROR_NOT_FOUND,
            request_id: 42,
            groups: vec![Group {
                tag: group::JOB,
                attributes: vec![Attribute {
                    name: "all".into(),
                    values,
                }],
            }],
            data: b"trailing".to_vec(),
        };
        assert_eq!(Response::decode(&resp.encode()).unwrap(), resp);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Response::decode(&b);
        }

        #[test]
        fn a_real_answer_with_bytes_changed_never_panics(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)
        ) {
            let mut b = REAL_STATE.to_vec();
            for (at, v) in edits {
                let i = at % b.len();
                b[i] = v;
            }
            if let Ok(r) = Response::decode(&b) {
                // Whatever decodes re-encodes to something that decodes the same.
                prop_assert_eq!(Response::decode(&r.encode()).ok(), Some(r));
            }
        }
    }
}
