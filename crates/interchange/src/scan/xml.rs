//! The XML readers' common ground: `quick-xml` events through an [`XmlGuard`], simplified to
//! start tags with their attributes, end tags and text (entity and character references
//! resolved, CDATA kept), with the element path and the faults mapped to [`ScanError`]s that
//! name their place.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::guard::XmlGuard;
use super::{ScanError, ScanLimits};

pub(crate) enum Node {
    Start {
        name: String,
        attributes: Vec<(String, String)>,
    },
    /// An element ends (an empty element gives a start and an end).
    End {
        name: String,
    },
    Text(String),
    Eof,
}

enum Piece {
    Text(String),
    /// White space only, kept in `XmlEvents::blank`.
    Blank,
    Markup(Node, bool),
    Skip,
}

pub(crate) struct XmlEvents<R: Read> {
    reader: Reader<XmlGuard<R>>,
    buf: Vec<u8>,
    /// Local names of the open elements, the root first.
    pub(crate) path: Vec<String>,
    /// The end of an empty element, given after its start.
    pending_end: bool,
    /// Markup read right after a text, given after it.
    stashed: Option<(Node, bool)>,
    /// White space read since the last markup, while no other text came.
    blank: String,
    limits: ScanLimits,
}

pub(crate) fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

impl<R: Read> XmlEvents<R> {
    pub(crate) fn new(inner: R, limits: &ScanLimits) -> Self {
        let mut reader = Reader::from_reader(XmlGuard::new(inner, limits.max_text_bytes));
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        XmlEvents {
            reader,
            buf: Vec::with_capacity(8 * 1024),
            path: Vec::new(),
            pending_end: false,
            stashed: None,
            blank: String::new(),
            limits: *limits,
        }
    }

    fn place(&self) -> (u64, u64) {
        let p = self.reader.get_ref().place();
        (p.line, p.column)
    }

    /// The path of the open elements, as an error names it: `ReportHost/ReportItem`.
    pub(crate) fn where_(&self) -> String {
        self.path.join("/")
    }

    pub(crate) fn syntax(&self, message: impl Into<String>) -> ScanError {
        let (line, column) = self.place();
        ScanError::Syntax {
            line,
            column,
            message: message.into(),
        }
    }

    fn fault(&self, error: quick_xml::Error) -> ScanError {
        if let Some(p) = self.reader.get_ref().tripped {
            return ScanError::TextTooLong {
                line: p.line,
                column: p.column,
                limit: self.limits.max_text_bytes,
            };
        }
        match error {
            quick_xml::Error::Io(e) => ScanError::Io(e.to_string()),
            other => self.syntax(other.to_string()),
        }
    }

    pub(crate) fn next(&mut self) -> Result<Node, ScanError> {
        if std::mem::take(&mut self.pending_end) {
            let name = self.path.pop().unwrap_or_default();
            return Ok(Node::End { name });
        }
        if let Some((node, empty)) = self.stashed.take() {
            return self.give(node, empty);
        }
        // Text comes in pieces (text, references, CDATA), joined until the next markup. White
        // space alone between two tags is most of a report's text events: it is kept in a
        // reused buffer and dropped when markup follows, so that it costs no allocation.
        let mut text: Option<String> = None;
        self.blank.clear();
        loop {
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let piece = self.piece(&mut buf);
            self.buf = buf;
            match piece? {
                Piece::Text(t) => {
                    let joined = match text.as_mut() {
                        Some(joined) => {
                            joined.push_str(&t);
                            joined
                        }
                        // Most texts come in one piece: kept as read, no copy.
                        None if self.blank.is_empty() => text.insert(t),
                        None => {
                            let joined = text.insert(std::mem::take(&mut self.blank));
                            joined.push_str(&t);
                            joined
                        }
                    };
                    if joined.len() > self.limits.max_text_bytes {
                        // The guard bounds each run between markup; references join runs.
                        let (line, column) = self.place();
                        return Err(ScanError::TextTooLong {
                            line,
                            column,
                            limit: self.limits.max_text_bytes,
                        });
                    }
                }
                Piece::Blank => {
                    // Within a text already begun, white space is part of it.
                    if let Some(joined) = text.as_mut() {
                        joined.push_str(&self.blank);
                        self.blank.clear();
                    }
                }
                Piece::Skip => {}
                Piece::Markup(node, empty) => {
                    if let Some(t) = text.take() {
                        // The markup just read is given on the next call, after its text.
                        self.stashed = Some((node, empty));
                        return Ok(Node::Text(t));
                    }
                    return self.give(node, empty);
                }
            }
        }
    }

    /// Reads one event and makes it owned.
    fn piece(&mut self, buf: &mut Vec<u8>) -> Result<Piece, ScanError> {
        let event = match self.reader.read_event_into(buf) {
            Ok(e) => e,
            Err(e) => return Err(self.fault(e)),
        };
        Ok(match event {
            Event::Text(t) => {
                let decoded = t.decode().map_err(|e| self.syntax(e.to_string()))?;
                if decoded.bytes().all(|b| b.is_ascii_whitespace()) {
                    self.blank.push_str(&decoded);
                    Piece::Blank
                } else {
                    Piece::Text(decoded.into_owned())
                }
            }
            Event::CData(c) => Piece::Text(
                c.decode()
                    .map_err(|e| self.syntax(e.to_string()))?
                    .into_owned(),
            ),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => Piece::Text(c.to_string()),
                Ok(None) => {
                    let name = r.decode().map_err(|e| self.syntax(e.to_string()))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => Piece::Text(s.to_owned()),
                        None => return Err(self.syntax(format!("entité inconnue « &{name}; »"))),
                    }
                }
                Err(e) => return Err(self.syntax(e.to_string())),
            },
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => Piece::Skip,
            Event::DocType(_) => {
                let (line, column) = self.place();
                return Err(ScanError::DocType { line, column });
            }
            other => {
                let (node, empty) = self.markup(other)?;
                Piece::Markup(node, empty)
            }
        })
    }

    /// Gives a node, keeping the path in step: the path is that of the node given.
    fn give(&mut self, node: Node, empty: bool) -> Result<Node, ScanError> {
        match &node {
            Node::Start { name, .. } => {
                if self.path.len() >= self.limits.max_depth {
                    let (line, column) = self.place();
                    return Err(ScanError::TooDeep {
                        line,
                        column,
                        limit: self.limits.max_depth,
                    });
                }
                self.path.push(name.clone());
                self.pending_end = empty;
            }
            Node::End { .. } => {
                // The end's name is the open element's (the reader checks end names): the
                // path gives it, so an end costs no allocation.
                let name = self.path.pop().unwrap_or_default();
                return Ok(Node::End { name });
            }
            Node::Eof => {
                if !self.path.is_empty() {
                    return Err(self.syntax(format!(
                        "fin de fichier inattendue, élément « {} » non fermé",
                        self.path.last().map(String::as_str).unwrap_or_default()
                    )));
                }
            }
            Node::Text(_) => {}
        }
        Ok(node)
    }

    fn markup(&self, event: Event<'_>) -> Result<(Node, bool), ScanError> {
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let mut attributes = Vec::new();
                for a in start.attributes() {
                    let a = a.map_err(|e| self.syntax(e.to_string()))?;
                    let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                    let value = a
                        .decode_and_unescape_value(self.reader.decoder())
                        .map_err(|e| self.syntax(e.to_string()))?
                        .into_owned();
                    attributes.push((key, value));
                }
                Ok((Node::Start { name, attributes }, empty))
            }
            // Named from the path when given (see `give`).
            Event::End(_) => Ok((
                Node::End {
                    name: String::new(),
                },
                false,
            )),
            Event::Eof => Ok((Node::Eof, false)),
            _ => Err(self.syntax("contenu XML inattendu")),
        }
    }
}
