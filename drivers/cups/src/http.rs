//! The little HTTP/1.1 IPP needs (RFC 8010 §4: IPP over HTTP POST with
//! `Content-Type: application/ipp`): one request, one response, then the
//! connection is closed. Responses with `Content-Length`, chunked
//! (RFC 9112 §7.1) or ended by closing are read; `1xx` interim responses are
//! skipped. Generic over [`BufRead`] so tests feed byte slices.

use std::io::{BufRead, Read, Write};

/// Larger answers are refused: a printer's full attribute list is ~10 KiB.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// A header line or chunk-size line longer than this is refused.
const MAX_LINE: usize = 8 * 1024;
const MAX_HEADERS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("malformed HTTP reply: {0}")]
    Malformed(String),
    #[error("HTTP reply larger than {MAX_BODY} bytes")]
    TooLarge,
}

fn malformed(s: impl Into<String>) -> HttpError {
    HttpError::Malformed(s.into())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub code: u16,
    pub reason: String,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Writes `POST path` with an IPP body.
pub fn write_ipp_post(
    w: &mut impl Write,
    host: &str,
    path: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/ipp\r\n\
         Content-Length: {}\r\nConnection: close\r\nUser-Agent: kiosk-cups\r\n\r\n",
        body.len()
    );
    w.write_all(head.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

/// One line without its CRLF (a bare LF is accepted, as RFC 9112 §2.2 allows).
fn line(r: &mut impl BufRead) -> Result<String, HttpError> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Err(malformed("connection closed before the reply was complete"));
    }
    if buf.last() != Some(&b'\n') {
        return Err(if buf.len() > MAX_LINE {
            malformed("header line too long")
        } else {
            malformed("connection closed inside a header line")
        });
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf).map_err(|_| malformed("header line is not text"))
}

/// Reads one whole response; interim `1xx` responses are skipped.
pub fn read_response(r: &mut impl BufRead) -> Result<HttpResponse, HttpError> {
    loop {
        let status = line(r)?;
        let mut parts = status.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        if !version.starts_with("HTTP/1.") {
            return Err(malformed(format!("status line {status:?}")));
        }
        let code: u16 = parts
            .next()
            .and_then(|c| c.parse().ok())
            .filter(|c| (100..1000).contains(c))
            .ok_or_else(|| malformed(format!("status line {status:?}")))?;
        let reason = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let l = line(r)?;
            if l.is_empty() {
                break;
            }
            if headers.len() >= MAX_HEADERS {
                return Err(malformed("too many header lines"));
            }
            let (n, v) = l
                .split_once(':')
                .ok_or_else(|| malformed(format!("header line {l:?}")))?;
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
        if (100..200).contains(&code) {
            continue;
        }
        let mut resp = HttpResponse {
            code,
            reason,
            headers,
            body: Vec::new(),
        };
        let chunked = resp
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            resp.body = read_chunked(r)?;
        } else if let Some(len) = resp.header("content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| malformed(format!("Content-Length {len:?}")))?;
            if len > MAX_BODY {
                return Err(HttpError::TooLarge);
            }
            resp.body = vec![0; len];
            r.read_exact(&mut resp.body).map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    malformed(format!("body shorter than its Content-Length {len}"))
                } else {
                    HttpError::Io(e)
                }
            })?;
        } else if code != 204 && code != 304 {
            // No length: the body runs to the end of the connection.
            r.by_ref()
                .take(MAX_BODY as u64 + 1)
                .read_to_end(&mut resp.body)?;
            if resp.body.len() > MAX_BODY {
                return Err(HttpError::TooLarge);
            }
        }
        return Ok(resp);
    }
}

fn read_chunked(r: &mut impl BufRead) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    loop {
        let l = line(r)?;
        let size = l.split(';').next().unwrap_or("").trim();
        let n =
            usize::from_str_radix(size, 16).map_err(|_| malformed(format!("chunk size {l:?}")))?;
        if n == 0 {
            // Trailer fields until the empty line.
            while !line(r)?.is_empty() {}
            return Ok(body);
        }
        if body.len().saturating_add(n) > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
        let start = body.len();
        body.resize(start + n, 0);
        r.read_exact(&mut body[start..]).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                malformed("connection closed inside a chunk")
            } else {
                HttpError::Io(e)
            }
        })?;
        if !line(r)?.is_empty() {
            return Err(malformed("chunk not followed by CRLF"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_replies_never_panic(b in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = read(&b);
            let mut framed = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            framed.extend_from_slice(&b);
            let _ = read(&framed);
        }
    }

    fn read(b: &[u8]) -> Result<HttpResponse, HttpError> {
        read_response(&mut std::io::BufReader::new(b))
    }

    #[test]
    fn writes_a_post_with_the_ipp_content_type_and_length() {
        let mut out = Vec::new();
        write_ipp_post(&mut out, "127.0.0.1:631", "/printers/q", b"\x01\x01").unwrap();
        assert_eq!(
            out,
            b"POST /printers/q HTTP/1.1\r\nHost: 127.0.0.1:631\r\n\
              Content-Type: application/ipp\r\nContent-Length: 2\r\n\
              Connection: close\r\nUser-Agent: kiosk-cups\r\n\r\n\x01\x01"
        );
    }

    #[test]
    fn reads_a_content_length_body() {
        let r = read(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: application/ipp\r\n\r\nabcEXTRA")
            .unwrap();
        assert_eq!((r.code, r.reason.as_str()), (200, "OK"));
        assert_eq!(r.body, b"abc");
        assert_eq!(r.header("content-type"), Some("application/ipp"));
    }

    #[test]
    fn reads_a_chunked_body_after_a_100_continue() {
        let r = read(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              3\r\nabc\r\na;ext=1\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.body, b"abc0123456789");
    }

    #[test]
    fn reads_to_the_end_without_a_length() {
        let r = read(b"HTTP/1.0 200 OK\nContent-Type: application/ipp\n\nrest").unwrap();
        assert_eq!(r.body, b"rest");
    }

    #[test]
    fn every_truncation_of_a_framed_reply_is_an_error() {
        for reply in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"[..],
            &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"[..],
        ] {
            assert!(read(reply).is_ok());
            for n in 0..reply.len() {
                assert!(read(&reply[..n]).is_err(), "{n} bytes of {reply:?}");
            }
        }
    }

    #[test]
    fn garbage_and_oversize_are_refused() {
        assert!(read(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(read(b"HTTP/1.1 abc OK\r\n\r\n").is_err());
        assert!(read(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n").is_err());
        assert!(read(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").is_err());
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n"),
            Err(HttpError::TooLarge)
        ));
        assert!(matches!(
            read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFF\r\n"),
            Err(HttpError::TooLarge)
        ));
        let long = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_LINE * 2));
        assert!(read(long.as_bytes()).is_err());
    }
}
