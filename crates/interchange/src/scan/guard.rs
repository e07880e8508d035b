//! Byte guards under the parsers: they see every byte before the parser buffers it, so a text
//! too long is refused before it costs memory, and they know the line and column reached.

use std::io::{self, BufRead, Read};

/// A place in the file: lines and columns from 1, columns in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: u64,
    pub column: u64,
}

impl Default for Place {
    fn default() -> Self {
        Place { line: 1, column: 1 }
    }
}

impl Place {
    /// The place after `bytes`: counted with `memchr`, not byte by byte, since every byte of a
    /// report passes here.
    fn advance(&mut self, bytes: &[u8]) {
        let newlines = memchr::memchr_iter(b'\n', bytes).count();
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += newlines as u64;
                self.column = (bytes.len() - last) as u64;
            }
            None => self.column += bytes.len() as u64,
        }
    }
}

const BUFFER: usize = 64 * 1024;

/// A buffered reader for XML that refuses more than `max_run` bytes in a row without a `<`:
/// a text node or a tag (attributes included) longer than that. Its [`XmlGuard::place`] is
/// where the parser has read up to.
pub struct XmlGuard<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    run: usize,
    max_run: usize,
    consumed: Place,
    /// Set when the guard refused the input: where the refused run began.
    pub tripped: Option<Place>,
    run_start: Place,
    scanned: Place,
}

impl<R: Read> XmlGuard<R> {
    pub fn new(inner: R, max_run: usize) -> Self {
        XmlGuard {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            filled: 0,
            run: 0,
            max_run,
            consumed: Place::default(),
            tripped: None,
            run_start: Place::default(),
            scanned: Place::default(),
        }
    }

    pub fn place(&self) -> Place {
        self.consumed
    }
}

impl<R: Read> Read for XmlGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for XmlGuard<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.tripped.is_some() {
            return Err(io::Error::other("text too long"));
        }
        if self.pos >= self.filled {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            // The run since the last `<`, chunk by chunk, found with `memchr`.
            let chunk = &self.buf[..n];
            let mut place = self.scanned;
            let mut segment = 0;
            for at in memchr::memchr_iter(b'<', chunk) {
                if self.run + (at - segment) > self.max_run {
                    self.tripped = Some(self.run_start);
                    return Err(io::Error::other("text too long"));
                }
                place.advance(&chunk[segment..at]);
                self.run_start = place;
                place.advance(&chunk[at..at + 1]);
                self.run = 0;
                segment = at + 1;
            }
            let tail = &chunk[segment..];
            if self.run + tail.len() > self.max_run {
                self.tripped = Some(self.run_start);
                return Err(io::Error::other("text too long"));
            }
            self.run += tail.len();
            place.advance(tail);
            self.scanned = place;
            self.pos = 0;
            self.filled = n;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        let end = (self.pos + amount).min(self.filled);
        self.consumed.advance(&self.buf[self.pos..end]);
        self.pos = end;
    }
}

/// A reader for JSON that refuses a string (key or value) longer than `max_string` bytes as
/// written, escapes included, and knows the place of the string it refused.
pub struct JsonGuard<R> {
    inner: R,
    in_string: bool,
    escaped: bool,
    run: usize,
    max_string: usize,
    place: Place,
    string_start: Place,
    pub tripped: Option<Place>,
}

impl<R: BufRead> JsonGuard<R> {
    pub fn new(inner: R, max_string: usize) -> Self {
        JsonGuard {
            inner,
            in_string: false,
            escaped: false,
            run: 0,
            max_string,
            place: Place::default(),
            string_start: Place::default(),
            tripped: None,
        }
    }
}

impl<R: BufRead> Read for JsonGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.tripped.is_some() {
            return Err(io::Error::other("string too long"));
        }
        let available = self.inner.fill_buf()?;
        let n = available.len().min(out.len());
        for (i, &b) in available[..n].iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    // The closing quote ends the string; it is not part of its length.
                    self.in_string = false;
                    self.place.advance(std::slice::from_ref(&b));
                    continue;
                }
                self.run += 1;
                if self.run > self.max_string {
                    self.tripped = Some(self.string_start);
                    // What came before the string is handed over; the string is not.
                    out[..i].copy_from_slice(&available[..i]);
                    self.inner.consume(i);
                    return if i == 0 {
                        Err(io::Error::other("string too long"))
                    } else {
                        Ok(i)
                    };
                }
            } else if b == b'"' {
                self.in_string = true;
                self.run = 0;
                self.string_start = self.place;
            }
            self.place.advance(std::slice::from_ref(&b));
        }
        out[..n].copy_from_slice(&available[..n]);
        self.inner.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_guard_refuses_a_long_text_and_says_where_it_began() {
        let mut xml = b"<a>\n<b>".to_vec();
        xml.extend(std::iter::repeat_n(b'x', 200));
        xml.extend(b"</b></a>");
        let mut guard = XmlGuard::new(&xml[..], 100);
        let mut all = Vec::new();
        assert!(guard.read_to_end(&mut all).is_err());
        assert_eq!(guard.tripped, Some(Place { line: 2, column: 1 }));

        let mut guard = XmlGuard::new(&xml[..], 300);
        let mut all = Vec::new();
        guard.read_to_end(&mut all).unwrap();
        assert_eq!(all, xml);
        assert_eq!(
            guard.place(),
            Place {
                line: 2,
                column: 212
            }
        );
    }

    #[test]
    fn the_json_guard_counts_strings_only() {
        let json = format!(
            "{{\n \"k\": \"{}\", \"n\": {} }}",
            "\\\"".repeat(30),
            "1".repeat(500)
        );
        let mut guard = JsonGuard::new(json.as_bytes(), 100);
        let mut all = Vec::new();
        guard.read_to_end(&mut all).unwrap();
        assert_eq!(all, json.as_bytes());

        let mut guard = JsonGuard::new(json.as_bytes(), 40);
        let mut all = Vec::new();
        assert!(guard.read_to_end(&mut all).is_err());
        assert_eq!(guard.tripped, Some(Place { line: 2, column: 7 }));

        // A string of exactly the limit passes.
        let mut guard = JsonGuard::new(&b"{\"Target\": 1}"[..], 6);
        let mut all = Vec::new();
        guard.read_to_end(&mut all).unwrap();
    }
}
