//! Statements and guidance as readable text: the parts' prose with each parameter insertion
//! replaced by its placeholder (the rules are in the module's documentation). The text is
//! written within a byte budget, and each placeholder is computed once per parameter, so a
//! document cannot make the rendering quadratic in its size.

use std::collections::HashMap;

use super::{prop, Param, Part, MAX_PLACEHOLDER_CHARS};

/// Every parameter of a catalogue by id, with those a profile set in place of the
/// catalogue's. Ids are unique in an OSCAL document; were one repeated, the first is kept.
pub(super) struct ParamIndex<'a> {
    base: HashMap<&'a str, &'a Param>,
    overrides: HashMap<String, Param>,
}

impl<'a> ParamIndex<'a> {
    pub(super) fn new(params: impl Iterator<Item = &'a Param>) -> Self {
        let mut base = HashMap::new();
        for p in params {
            base.entry(p.id.as_str()).or_insert(p);
        }
        ParamIndex {
            base,
            overrides: HashMap::new(),
        }
    }

    pub(super) fn with_overrides(mut self, overrides: HashMap<String, Param>) -> Self {
        self.overrides = overrides;
        self
    }

    pub(super) fn get(&self, id: &str) -> Option<&Param> {
        self.overrides
            .get(id)
            .or_else(|| self.base.get(id).copied())
    }
}

/// Where rendered text goes: a placeholder, cut at its length, or a record's text, within
/// the budget left for the whole catalogue.
trait Sink {
    fn put(&mut self, s: &str);
    fn full(&self) -> bool;
}

#[derive(Default)]
struct Short {
    text: String,
    chars: usize,
    cut: bool,
}

impl Sink for Short {
    fn put(&mut self, s: &str) {
        if self.cut {
            return;
        }
        for c in s.chars() {
            // One character is kept for the `…`.
            if self.chars + 1 >= MAX_PLACEHOLDER_CHARS {
                self.cut = true;
                return;
            }
            self.text.push(c);
            self.chars += 1;
        }
    }

    fn full(&self) -> bool {
        self.cut
    }
}

impl Short {
    fn finish(mut self) -> String {
        if self.cut {
            self.text.push('…');
        }
        self.text
    }
}

struct Budget<'b> {
    text: String,
    room: &'b mut usize,
    over: bool,
}

impl Sink for Budget<'_> {
    fn put(&mut self, s: &str) {
        if self.over {
            return;
        }
        if s.len() > *self.room {
            self.over = true;
            return;
        }
        *self.room -= s.len();
        self.text.push_str(s);
    }

    fn full(&self) -> bool {
        self.over
    }
}

impl Budget<'_> {
    fn finish(self) -> Option<String> {
        (!self.over).then_some(self.text)
    }
}

/// The parameter id of an insertion's inside (`insert: param, ac-1_prm_1`); `None` for
/// anything else, which is then left as written.
fn param_ref(inner: &str) -> Option<&str> {
    let rest = inner.trim().strip_prefix("insert")?.trim_start();
    let (kind, id) = rest.strip_prefix(':')?.split_once(',')?;
    let id = id.trim();
    (kind.trim() == "param" && !id.is_empty()).then_some(id)
}

/// Writes `text` to `out`, each parameter insertion written by `insert`.
fn scan<S: Sink>(text: &str, out: &mut S, mut insert: impl FnMut(&str, &mut S)) {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if out.full() {
            return;
        }
        // `rest[start..]` begins with `{{`, so `}}` is found at 2 or later.
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.put(&rest[..start]);
        let whole = &rest[start..start + len + 2];
        match param_ref(&whole[2..len]) {
            Some(id) => insert(id, out),
            None => out.put(whole),
        }
        rest = &rest[start + len + 2..];
    }
    out.put(rest);
}

/// An insertion inside a selection's choice: the parameter's values, label or id, never
/// its own choices (which could name the first parameter again).
fn inner_placeholder(index: &ParamIndex, id: &str, out: &mut Short) {
    match index.get(id) {
        Some(p) if !p.values.is_empty() => {
            out.put("[Valeur : ");
            // Value by value: a cut placeholder stops copying, however long the values.
            for (i, value) in p.values.iter().enumerate() {
                if out.full() {
                    break;
                }
                if i > 0 {
                    out.put(", ");
                }
                out.put(value);
            }
        }
        Some(p) => {
            out.put("[Affectation : ");
            out.put(p.label.as_deref().unwrap_or(&p.id));
        }
        None => {
            out.put("[Affectation : ");
            out.put(id);
        }
    }
    out.put("]");
}

pub(super) struct Renderer<'a> {
    index: ParamIndex<'a>,
    placeholders: HashMap<String, String>,
}

impl<'a> Renderer<'a> {
    pub(super) fn new(index: ParamIndex<'a>) -> Self {
        Renderer {
            index,
            placeholders: HashMap::new(),
        }
    }

    fn placeholder(&mut self, id: &str) -> &str {
        if !self.placeholders.contains_key(id) {
            let text = self.build(id);
            self.placeholders.insert(id.to_owned(), text);
        }
        self.placeholders.get(id).map_or("", String::as_str)
    }

    fn build(&self, id: &str) -> String {
        let mut out = Short::default();
        match self.index.get(id) {
            Some(p) if p.values.is_empty() && p.select.is_some() => {
                let select = p.select.as_ref();
                let many = select.and_then(|s| s.how_many.as_deref()) == Some("one-or-more");
                out.put(if many {
                    "[Sélection (un ou plusieurs) : "
                } else {
                    "[Sélection : "
                });
                for (i, choice) in select.iter().flat_map(|s| &s.choice).enumerate() {
                    if out.full() {
                        break;
                    }
                    if i > 0 {
                        out.put(" ; ");
                    }
                    scan(choice.trim(), &mut out, |inner, out| {
                        inner_placeholder(&self.index, inner, out)
                    });
                }
                out.put("]");
            }
            _ => inner_placeholder(&self.index, id, &mut out),
        }
        out.finish()
    }

    fn prose<S: Sink>(&mut self, text: &str, out: &mut S) {
        scan(text.trim(), out, |id, out| out.put(self.placeholder(id)));
    }

    /// The statement parts: their own prose, then each item on its line, its label first,
    /// indented by two spaces a level. `None` when the budget ran out.
    pub(super) fn statement(&mut self, parts: &[Part], room: &mut usize) -> Option<String> {
        let mut out = Budget {
            text: String::new(),
            room,
            over: false,
        };
        for part in parts.iter().filter(|p| p.name == "statement") {
            if let Some(prose) = part.prose.as_deref().filter(|p| !p.trim().is_empty()) {
                if !out.text.is_empty() {
                    out.put("\n");
                }
                self.prose(prose, &mut out);
            }
            self.items(&part.parts, 0, &mut out);
        }
        out.finish()
    }

    fn items(&mut self, parts: &[Part], level: usize, out: &mut Budget) {
        for part in parts {
            let label = prop(&part.props, "label").map(str::trim).unwrap_or("");
            let prose = part.prose.as_deref().map(str::trim).unwrap_or("");
            if !label.is_empty() || !prose.is_empty() {
                if !out.text.is_empty() {
                    out.put("\n");
                }
                out.put(&"  ".repeat(level));
                out.put(label);
                if !label.is_empty() && !prose.is_empty() {
                    out.put(" ");
                }
                self.prose(prose, out);
            }
            // Nesting is bounded by serde_json's recursion limit.
            self.items(&part.parts, level + 1, out);
        }
    }

    /// The prose of the guidance parts and of the parts inside them, a blank line between.
    pub(super) fn guidance(&mut self, parts: &[Part], room: &mut usize) -> Option<String> {
        let mut out = Budget {
            text: String::new(),
            room,
            over: false,
        };
        for part in parts.iter().filter(|p| p.name == "guidance") {
            self.all_prose(part, &mut out);
        }
        out.finish()
    }

    fn all_prose(&mut self, part: &Part, out: &mut Budget) {
        if let Some(prose) = part.prose.as_deref().filter(|p| !p.trim().is_empty()) {
            if !out.text.is_empty() {
                out.put("\n\n");
            }
            self.prose(prose, out);
        }
        for p in &part.parts {
            self.all_prose(p, out);
        }
    }
}
