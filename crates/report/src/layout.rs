//! Lays a [`Report`] out on pages: where each line of text and each box goes, and which
//! logical element (heading, paragraph, table cell…) each line belongs to. Drawing comes
//! after, once the number of pages is known for the footers.

use crate::metrics::{wrap, Metrics, BOLD, REGULAR};
use crate::model::{Block, Orientation, Report, Rgb, Table};
use crate::ReportError;

/// A report may not run longer than this: a register of 5,000 designations takes about 150.
pub(crate) const MAX_PAGES: usize = 3000;

const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
const MARGIN: f32 = 42.0;
const FOOTER_SPACE: f32 = 30.0;
const TITLE_SIZE: f32 = 16.0;
const HEADING_SIZE: f32 = 12.5;
const BODY_SIZE: f32 = 9.5;
const TABLE_SIZE: f32 = 8.5;
const FOOTER_SIZE: f32 = 7.5;
const LEADING: f32 = 1.3;
const PAD: f32 = 3.0;
pub(crate) const INK: Rgb = Rgb(0, 0, 0);
const MUTED: Rgb = Rgb(70, 70, 70);
const HEADER_FILL: Rgb = Rgb(228, 228, 228);
const RULE: Rgb = Rgb(120, 120, 120);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// What a run of drawn text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// Part of the logical element with this index.
    Node(usize),
    /// Not part of the content: the footer, a repeated table header.
    Pagination,
    PageNumber,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// One line of text; `y` is its baseline, from the top of the page.
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        color: Rgb,
        text: String,
        owner: Owner,
    },
    /// A box: a cell's background, a rule. Always drawn as layout, outside the content.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<Rgb>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Title,
    Heading,
    Paragraph,
    Table,
    Caption,
    Head,
    Body,
    Row,
    ColumnHeader,
    RowHeader,
    Cell,
}

/// A logical element; `text` is a heading's text, `at` where its first line was drawn (page
/// index and top), for the document's outline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub text: String,
    pub children: Vec<Child>,
    pub at: Option<(usize, f32)>,
}

/// A node's children in reading order: other nodes, and its own lines of text as drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Child {
    Node(usize),
    Line,
}

pub(crate) struct Layout {
    pub width: f32,
    pub height: f32,
    pub pages: Vec<Vec<Item>>,
    pub nodes: Vec<Node>,
    /// The top-level nodes, in reading order.
    pub roots: Vec<usize>,
}

struct Cursor {
    regular: Metrics,
    bold: Metrics,
    width: f32,
    height: f32,
    y: f32,
    pages: Vec<Vec<Item>>,
    nodes: Vec<Node>,
    roots: Vec<usize>,
}

impl Cursor {
    fn metrics(&mut self, face: Face) -> &mut Metrics {
        match face {
            Face::Regular => &mut self.regular,
            Face::Bold => &mut self.bold,
        }
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN - FOOTER_SPACE
    }

    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }

    fn new_page(&mut self) -> Result<(), ReportError> {
        if self.pages.len() >= MAX_PAGES {
            return Err(ReportError::TooManyPages { max: MAX_PAGES });
        }
        self.pages.push(Vec::new());
        self.y = MARGIN;
        Ok(())
    }

    /// Starts a new page unless `h` points still fit on this one.
    fn ensure(&mut self, h: f32) -> Result<(), ReportError> {
        if self.y + h > self.bottom() && self.y > MARGIN {
            self.new_page()?;
        }
        Ok(())
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    fn node(&mut self, kind: Kind, text: &str, parent: Option<usize>) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind,
            text: text.to_owned(),
            children: Vec::new(),
            at: None,
        });
        match parent {
            Some(p) => self.nodes[p].children.push(Child::Node(id)),
            None => self.roots.push(id),
        }
        id
    }

    /// Places a line of text at (`x`, baseline `y`) and counts it as its owner's.
    fn line(&mut self, owner: Owner, (x, y): (f32, f32), style: (f32, Face, Rgb), text: String) {
        let (size, face, color) = style;
        if let Owner::Node(n) = owner {
            let page = self.pages.len().saturating_sub(1);
            let node = &mut self.nodes[n];
            node.children.push(Child::Line);
            node.at.get_or_insert((page, y - size));
        }
        self.push(Item::Text {
            x,
            y,
            size,
            face,
            color,
            text,
            owner,
        });
    }

    /// A block of text across the page's width, page breaks between its lines allowed.
    fn text_block(
        &mut self,
        node: usize,
        text: &str,
        size: f32,
        face: Face,
        color: Rgb,
    ) -> Result<(), ReportError> {
        let max = self.content_width();
        let lines = wrap(self.metrics(face), text, size, max);
        let lh = size * LEADING;
        for l in lines {
            self.ensure(lh)?;
            let y = self.y + size;
            if !l.is_empty() {
                self.line(Owner::Node(node), (MARGIN, y), (size, face, color), l);
            }
            self.y += lh;
        }
        Ok(())
    }

    fn table(&mut self, table: &Table) -> Result<(), ReportError> {
        let columns = table.columns.len();
        if columns == 0 {
            return Err(ReportError::NoColumn {
                caption: table.caption.clone(),
            });
        }
        for (i, row) in table.rows.iter().enumerate() {
            if row.len() != columns {
                return Err(ReportError::RowWidth {
                    caption: table.caption.clone(),
                    row: i + 1,
                    cells: row.len(),
                    columns,
                });
            }
        }
        let total: f32 = table
            .columns
            .iter()
            .map(|c| {
                if c.weight.is_finite() && c.weight > 0.0 {
                    c.weight
                } else {
                    1.0
                }
            })
            .sum();
        let mut xs = Vec::with_capacity(columns);
        let mut widths = Vec::with_capacity(columns);
        let mut x = MARGIN;
        for c in &table.columns {
            let weight = if c.weight.is_finite() && c.weight > 0.0 {
                c.weight
            } else {
                1.0
            };
            let w = self.content_width() * weight / total;
            xs.push(x);
            widths.push(w);
            x += w;
        }
        let lh = TABLE_SIZE * LEADING;
        let inner = |w: f32| (w - 2.0 * PAD).max(TABLE_SIZE);

        let header: Vec<Vec<String>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| wrap(&mut self.bold, &c.title, TABLE_SIZE, inner(*w)))
            .collect();
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * PAD;

        let table_node = self.node(Kind::Table, "", None);
        let caption = self.node(Kind::Caption, "", Some(table_node));
        let full = self.content_width();
        let caption_lines = wrap(&mut self.bold, &table.caption, BODY_SIZE, full);
        // The most lines a row may have and still fit on a page under the caption and the
        // header (the first row) or the header alone (the others).
        let caption_h = caption_lines.len() as f32 * BODY_SIZE * LEADING + 2.0;
        let room = self.bottom() - MARGIN - header_h - caption_h;
        let max_lines = (((room - 2.0 * PAD) / lh).floor() as usize).max(1);
        // Every row's lines first: the first row's height decides whether the table starts
        // on this page.
        let mut laid: Vec<Vec<Vec<String>>> = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let mut cells: Vec<Vec<String>> = Vec::with_capacity(columns);
            for (i, cell) in row.iter().enumerate() {
                let face = if table.row_headers && i == 0 {
                    Face::Bold
                } else {
                    Face::Regular
                };
                let text = if cell.text.trim().is_empty() {
                    "—"
                } else {
                    cell.text.as_str()
                };
                let mut lines = wrap(self.metrics(face), text, TABLE_SIZE, inner(widths[i]));
                if lines.len() > max_lines {
                    lines.truncate(max_lines);
                    if let Some(last) = lines.last_mut() {
                        last.push('…');
                    }
                }
                cells.push(lines);
            }
            laid.push(cells);
        }
        let first_row = laid
            .first()
            .map_or(1, |cells| cells.iter().map(Vec::len).max().unwrap_or(1))
            as f32
            * lh
            + 2.0 * PAD;
        // Caption, header and at least the first row together.
        self.ensure(caption_lines.len() as f32 * BODY_SIZE * LEADING + header_h + first_row)?;
        self.text_block(caption, &table.caption, BODY_SIZE, Face::Bold, INK)?;
        self.y += 2.0;

        let head = self.node(Kind::Head, "", Some(table_node));
        let head_row = self.node(Kind::Row, "", Some(head));
        let header_cells: Vec<usize> = (0..columns)
            .map(|_| self.node(Kind::ColumnHeader, "", Some(head_row)))
            .collect();
        self.header_row(&header, &xs, &widths, header_h, Some(&header_cells));

        let body = self.node(Kind::Body, "", Some(table_node));
        for (row, cells) in table.rows.iter().zip(laid) {
            let row_h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * PAD;
            if self.y + row_h > self.bottom() {
                self.new_page()?;
                self.header_row(&header, &xs, &widths, header_h, None);
            }
            let row_node = self.node(Kind::Row, "", Some(body));
            for (i, lines) in cells.into_iter().enumerate() {
                let header_cell = table.row_headers && i == 0;
                let kind = if header_cell {
                    Kind::RowHeader
                } else {
                    Kind::Cell
                };
                let cell_node = self.node(kind, "", Some(row_node));
                let fill = row[i].fill;
                self.push(Item::Rect {
                    x: xs[i],
                    y: self.y,
                    w: widths[i],
                    h: row_h,
                    fill,
                    stroke: Some(RULE),
                });
                let color = fill.map(Rgb::text_over).unwrap_or(INK);
                let face = if header_cell {
                    Face::Bold
                } else {
                    Face::Regular
                };
                for (k, l) in lines.into_iter().enumerate() {
                    let y = self.y + PAD + k as f32 * lh + TABLE_SIZE;
                    let at = (xs[i] + PAD, y);
                    self.line(Owner::Node(cell_node), at, (TABLE_SIZE, face, color), l);
                }
            }
            self.y += row_h;
        }
        self.y += 10.0;
        Ok(())
    }

    /// The header row: in the content the first time (`cells`), as pagination after a break.
    fn header_row(
        &mut self,
        header: &[Vec<String>],
        xs: &[f32],
        widths: &[f32],
        h: f32,
        cells: Option<&[usize]>,
    ) {
        let lh = TABLE_SIZE * LEADING;
        for (i, lines) in header.iter().enumerate() {
            self.push(Item::Rect {
                x: xs[i],
                y: self.y,
                w: widths[i],
                h,
                fill: Some(HEADER_FILL),
                stroke: Some(RULE),
            });
            let owner = match cells {
                Some(cells) => Owner::Node(cells[i]),
                None => Owner::Pagination,
            };
            for (k, l) in lines.iter().enumerate() {
                if l.is_empty() {
                    continue;
                }
                let y = self.y + PAD + k as f32 * lh + TABLE_SIZE;
                let at = (xs[i] + PAD, y);
                self.line(owner, at, (TABLE_SIZE, Face::Bold, INK), l.clone());
            }
        }
        self.y += h;
    }

    /// "Title … Page n of N" at the foot of every page, outside the content.
    fn footers(&mut self, title: &str, label: &str) {
        let total = self.pages.len();
        let y = self.height - MARGIN + FOOTER_SIZE;
        let room = self.content_width() * 0.7;
        let title_lines = wrap(&mut self.regular, title, FOOTER_SIZE, room);
        let short_title = match title_lines.as_slice() {
            [one] => one.clone(),
            [first, ..] => format!("{first}…"),
            [] => String::new(),
        };
        for n in 0..total {
            let text = label
                .replace("{page}", &(n + 1).to_string())
                .replace("{pages}", &total.to_string());
            let w = self.regular.width(&text, FOOTER_SIZE);
            let right = self.width - MARGIN - w;
            let page = &mut self.pages[n];
            page.push(Item::Rect {
                x: MARGIN,
                y: y - FOOTER_SIZE - 4.0,
                w: self.width - 2.0 * MARGIN,
                h: 0.0,
                fill: None,
                stroke: Some(RULE),
            });
            if !short_title.is_empty() {
                page.push(Item::Text {
                    x: MARGIN,
                    y,
                    size: FOOTER_SIZE,
                    face: Face::Regular,
                    color: MUTED,
                    text: short_title.clone(),
                    owner: Owner::Pagination,
                });
            }
            page.push(Item::Text {
                x: right,
                y,
                size: FOOTER_SIZE,
                face: Face::Regular,
                color: MUTED,
                text,
                owner: Owner::PageNumber,
            });
        }
    }
}

pub(crate) fn lay_out(report: &Report) -> Result<Layout, ReportError> {
    let (width, height) = match report.orientation {
        Orientation::Portrait => (A4_SHORT, A4_LONG),
        Orientation::Landscape => (A4_LONG, A4_SHORT),
    };
    let damaged = || ReportError::Pdf("embedded font".into());
    let mut c = Cursor {
        regular: Metrics::new(REGULAR).ok_or_else(damaged)?,
        bold: Metrics::new(BOLD).ok_or_else(damaged)?,
        width,
        height,
        y: MARGIN,
        pages: Vec::new(),
        nodes: Vec::new(),
        roots: Vec::new(),
    };
    c.new_page()?;
    let title = c.node(Kind::Title, report.title(), None);
    c.text_block(title, report.title(), TITLE_SIZE, Face::Bold, INK)?;
    c.y += 2.0;
    for line in &report.subtitle {
        let p = c.node(Kind::Paragraph, "", None);
        c.text_block(p, line, BODY_SIZE, Face::Regular, MUTED)?;
    }
    c.y += 8.0;
    for block in &report.blocks {
        match block {
            Block::Heading(text) => {
                // Kept with what follows it.
                c.ensure(HEADING_SIZE * LEADING + 6.0 + 3.0 * BODY_SIZE * LEADING)?;
                c.y += 6.0;
                let h = c.node(Kind::Heading, text, None);
                c.text_block(h, text, HEADING_SIZE, Face::Bold, INK)?;
                c.y += 3.0;
            }
            Block::Paragraph(text) => {
                let p = c.node(Kind::Paragraph, "", None);
                c.text_block(p, text, BODY_SIZE, Face::Regular, INK)?;
                c.y += 5.0;
            }
            Block::Table(table) => c.table(table)?,
        }
    }
    c.footers(report.title(), &report.page_label);
    Ok(Layout {
        width,
        height,
        pages: c.pages,
        nodes: c.nodes,
        roots: c.roots,
    })
}
