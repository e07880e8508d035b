//! What a report says, before it is laid out.

/// A colour, for a cell's background (a heat map's cells, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Relative luminance (WCAG 2.1), to pick black or white text over a background.
    pub fn luminance(self) -> f32 {
        fn channel(c: u8) -> f32 {
            let c = f32::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// Black or white, whichever contrasts more with this colour as a background.
    pub fn text_over(self) -> Rgb {
        let l = self.luminance();
        // Contrast with black: (l + 0.05) / 0.05; with white: 1.05 / (l + 0.05).
        if (l + 0.05) * (l + 0.05) >= 0.0525 {
            Rgb(0, 0, 0)
        } else {
            Rgb(255, 255, 255)
        }
    }
}

/// Page orientation: wide tables read better across the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

/// When a report was produced, in UTC (the document's properties; PDF/A requires it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Produced {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The document's title: the first heading, and the title a reader's window shows.
    pub title: String,
    /// Lines under the title: who it is for, when it was produced.
    pub subtitle: Vec<String>,
    /// The language of the text, as a BCP 47 tag (`fr-CA`, `en-CA`).
    pub language: String,
    /// The footer's page label, with `{page}` and `{pages}` in it: `Page {page} de {pages}`.
    pub page_label: String,
    /// Who produced it, for the document's properties.
    pub creator: String,
    pub produced: Produced,
    pub orientation: Orientation,
    pub blocks: Vec<Block>,
}

impl Report {
    /// The title, or the product's name when none was given: a PDF must have one.
    pub(crate) fn title(&self) -> &str {
        if self.title.trim().is_empty() {
            "Rempart"
        } else {
            &self.title
        }
    }
}

/// One part of the report, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading (second level: the title is the first).
    Heading(String),
    /// A paragraph; line breaks in the text are kept.
    Paragraph(String),
    Table(Table),
}

/// A table: its header row repeats at the top of each page it runs onto.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Says what the table holds; printed above it and read first.
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The first cell of each row names the row (a heat map's likelihood level, say).
    pub row_headers: bool,
}

/// A column: its header and its share of the page's width, relative to the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub weight: f32,
}

impl Column {
    pub fn new(title: impl Into<String>, weight: f32) -> Self {
        Column {
            title: title.into(),
            weight,
        }
    }
}

/// A cell's text, and its background if it has one. The text alone must carry the meaning:
/// colour only repeats it (WCAG 1.4.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    pub fill: Option<Rgb>,
}

impl Cell {
    pub fn filled(text: impl Into<String>, fill: Rgb) -> Self {
        Cell {
            text: text.into(),
            fill: Some(fill),
        }
    }
}

impl<T: Into<String>> From<T> for Cell {
    fn from(text: T) -> Self {
        Cell {
            text: text.into(),
            fill: None,
        }
    }
}
