//! ESC/POS byte builders. Constants from the Epson ESC/POS command reference
//! (and the GB18030 Chinese-mode commands `FS &` / `FS .` common to Chinese printers).

/// Builds one job.
#[derive(Debug, Default, Clone)]
pub struct Job {
    buf: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left = 0,
    Center = 1,
    Right = 2,
}

impl Job {
    /// `ESC @` — initialise the printer; then `FS &` — select Chinese (GB18030) mode.
    pub fn new() -> Self {
        Job {
            buf: vec![0x1b, 0x40, 0x1c, 0x26],
        }
    }
    /// `ESC a n`.
    pub fn align(mut self, a: Align) -> Self {
        self.buf.extend([0x1b, 0x61, a as u8]);
        self
    }
    /// `GS ! n` — width and height multipliers 1..=8.
    pub fn size(mut self, w: u8, h: u8) -> Self {
        let w = w.clamp(1, 8) - 1;
        let h = h.clamp(1, 8) - 1;
        self.buf.extend([0x1d, 0x21, (w << 4) | h]);
        self
    }
    /// `ESC E n` — emphasis on/off.
    pub fn bold(mut self, on: bool) -> Self {
        self.buf.extend([0x1b, 0x45, on as u8]);
        self
    }
    /// Text in GB18030 followed by LF. Characters GB18030 cannot hold become `?`
    /// (raster text with the bundled font removes that limit later).
    pub fn line(mut self, text: &str) -> Self {
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        self.buf.extend(bytes.iter().filter(|&&b| b != b'\n'));
        self.buf.push(b'\n');
        self
    }
    /// `ESC d n` — print and feed n lines.
    pub fn feed(mut self, n: u8) -> Self {
        self.buf.extend([0x1b, 0x64, n]);
        self
    }
    /// `GS V 66 0` — feed to the cutter and cut (partial cut).
    pub fn cut(mut self) -> Self {
        self.buf.extend([0x1d, 0x56, 0x42, 0x00]);
        self
    }
    pub fn bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Decodes the text of a job built here (for tests and the simulator's text view).
pub fn text_of(job: &[u8]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < job.len() {
        match job[i] {
            0x1b | 0x1d if i + 1 < job.len() => {
                i += match (job[i], job[i + 1]) {
                    (0x1b, 0x40) => 2,
                    (0x1d, 0x56) => 4,
                    _ => 3,
                };
            }
            0x1c => i += 2,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    encoding_rs::GB18030.decode(&out).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_exact_bytes() {
        let job = Job::new()
            .align(Align::Center)
            .size(2, 2)
            .bold(true)
            .line("回执")
            .feed(3)
            .cut()
            .bytes();
        assert_eq!(
            job,
            vec![
                0x1b, 0x40, // ESC @ init
                0x1c, 0x26, // FS & Chinese mode
                0x1b, 0x61, 0x01, // ESC a 1 centre
                0x1d, 0x21, 0x11, // GS ! double width, double height
                0x1b, 0x45, 0x01, // ESC E 1 bold
                0xbb, 0xd8, 0xd6, 0xb4, b'\n', // 回执 in GB18030
                0x1b, 0x64, 0x03, // ESC d 3
                0x1d, 0x56, 0x42, 0x00, // GS V 66 0 cut
            ]
        );
        assert_eq!(text_of(&job), "回执\n");
    }
}
