//! The two faces a report uses, shipped in the binary (Liberation Sans, SIL Open Font
//! Licence: `fonts/LICENSE-Liberation.txt`), and how wide a piece of text is in them.

use std::collections::HashMap;

pub(crate) const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
pub(crate) const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// Advance widths of one face, in em, for the characters met so far.
pub(crate) struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    cache: HashMap<char, f32>,
}

impl Metrics {
    /// `None` only if the shipped font were damaged, which a test rules out.
    pub(crate) fn new(data: &'static [u8]) -> Option<Self> {
        let face = ttf_parser::Face::parse(data, 0).ok()?;
        let units_per_em = f32::from(face.units_per_em());
        Some(Metrics {
            face,
            units_per_em,
            cache: HashMap::new(),
        })
    }

    /// Whether the face draws `c`; PDF/A forbids showing the missing-glyph box.
    pub(crate) fn covers(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    fn advance(&mut self, c: char) -> f32 {
        if let Some(w) = self.cache.get(&c) {
            return *w;
        }
        let units = self
            .face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('\u{FFFD}'))
            .and_then(|g| self.face.glyph_hor_advance(g))
            .map(f32::from)
            .unwrap_or(self.units_per_em / 2.0);
        let w = units / self.units_per_em;
        self.cache.insert(c, w);
        w
    }

    /// The width of `text` at `size` points (kerning ignored: wrapping keeps a margin).
    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }
}

/// Breaks `text` into lines no wider than `max` points: at spaces when it can, inside a word
/// when a word alone is wider than the line. Explicit line breaks are kept; other control
/// characters become spaces, characters the face cannot draw a `?`. Never returns an empty
/// list.
pub(crate) fn wrap(metrics: &mut Metrics, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let clean: String = paragraph
            .chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if metrics.covers(c) {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        let mut line = String::new();
        let mut line_width = 0.0;
        let space = metrics.width(" ", size);
        for word in clean.split_whitespace() {
            let word_width = metrics.width(word, size);
            if !line.is_empty() && line_width + space + word_width <= max {
                line.push(' ');
                line.push_str(word);
                line_width += space + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if word_width <= max {
                line.push_str(word);
                line_width = word_width;
                continue;
            }
            // A word wider than the line (an address, a hash, a URL): cut it where it must.
            line_width = 0.0;
            for c in word.chars() {
                let w = metrics.width(c.encode_utf8(&mut [0; 4]), size);
                if !line.is_empty() && line_width + w > max {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += w;
            }
        }
        lines.push(line);
    }
    // Blank lines at the end carry nothing.
    while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_faces_parse_and_cover_french() {
        for data in [REGULAR, BOLD] {
            let face = ttf_parser::Face::parse(data, 0).unwrap();
            for c in "àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ«»’–—€".chars()
            {
                assert!(face.glyph_index(c).is_some(), "{c} missing");
            }
        }
    }

    #[test]
    fn text_wraps_at_spaces_and_cuts_words_wider_than_the_line() {
        let mut m = Metrics::new(REGULAR).unwrap();
        let lines = wrap(&mut m, "Registre d'autorité de l'organisme", 10.0, 80.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(m.width(l, 10.0) <= 80.0, "{l}");
            assert!(!l.starts_with(' ') && !l.ends_with(' '));
        }
        assert_eq!(lines.join(" "), "Registre d'autorité de l'organisme");

        let long = "a".repeat(200);
        let lines = wrap(&mut m, &long, 10.0, 50.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.concat(), long);

        assert_eq!(wrap(&mut m, "un\ndeux", 10.0, 500.0), vec!["un", "deux"]);
        assert_eq!(wrap(&mut m, "", 10.0, 500.0), vec![""]);
        assert_eq!(wrap(&mut m, "a\tb\u{7}c", 10.0, 500.0), vec!["a b c"]);
        assert_eq!(wrap(&mut m, "李 🦀 é", 10.0, 500.0), vec!["? ? é"]);
    }
}
