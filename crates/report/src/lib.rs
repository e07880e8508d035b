//! Printable reports as PDF files. A [`Report`] is a title, a few lines under it, then
//! headings, paragraphs and tables; [`render_pdf`] lays it out on A4 pages (text wrapped in its
//! columns, table headers repeated on each page, "Page n of N" in the footer) and writes a
//! tagged PDF that a screen reader reads in order, with table headers announced as such
//! (PDF/UA-1), fonts embedded so that it prints and archives the same everywhere (PDF/A-2b).
//!
//! Knows nothing of the domain, HTTP or SQL: the web layer and the command line build the
//! [`Report`] from what they read, in the reader's language.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod layout;
mod metrics;
mod model;
mod pdf;

pub use model::{Block, Cell, Column, Orientation, Produced, Report, Rgb, Table};
pub use pdf::render_pdf;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    /// More pages than a report may have; the caller should narrow what it asks for.
    #[error("the report would have more than {max} pages")]
    TooManyPages { max: usize },
    /// A table row does not have as many cells as the table has columns.
    #[error("row {row} of table «{caption}» has {cells} cells for {columns} columns")]
    RowWidth {
        caption: String,
        row: usize,
        cells: usize,
        columns: usize,
    },
    /// A table has no column.
    #[error("table «{caption}» has no column")]
    NoColumn { caption: String },
    /// The PDF writer refused the document (a rule of PDF/UA or PDF/A, or a limit of PDF).
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}
