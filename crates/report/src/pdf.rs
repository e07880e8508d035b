//! Draws a laid-out report with krilla, and builds the tag tree that gives it its reading
//! order and structure: title, headings, paragraphs, tables with their header cells.

use std::collections::VecDeque;
use std::num::NonZeroU16;

use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node as TagNode, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::layout::{lay_out, Child, Face, Item, Kind, Layout, Owner};
use crate::metrics::{BOLD, REGULAR};
use crate::model::{Report, Rgb};
use crate::ReportError;

/// Writes the report as a PDF file, checked at export against PDF/UA-1 (accessibility) and
/// PDF/A-2a (archiving): a document that breaks either is refused rather than written.
pub fn render_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let layout = lay_out(report)?;
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .with_archival_validator(Archival::A2_A)
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let damaged = || ReportError::Pdf("embedded font".into());
    let regular = Font::new(REGULAR.into(), 0).ok_or_else(damaged)?;
    let bold = Font::new(BOLD.into(), 0).ok_or_else(damaged)?;

    // The lines each node owns, in the order they were drawn.
    let mut lines: Vec<VecDeque<Identifier>> = vec![VecDeque::new(); layout.nodes.len()];
    for items in &layout.pages {
        let settings = PageSettings::from_wh(layout.width, layout.height)
            .ok_or_else(|| ReportError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for item in items {
            draw(&mut surface, item, &regular, &bold, &mut lines);
        }
        surface.finish();
        page.finish();
    }

    let mut tree = TagTree::new().with_lang(Some(report.language.clone()));
    for &root in &layout.roots {
        if let Some(node) = tag_node(&layout, root, &mut lines) {
            tree.push(node);
        }
    }
    document.set_tag_tree(tree);
    document.set_outline(outline(&layout));
    let p = report.produced;
    document.set_metadata(
        Metadata::new()
            .title(report.title().to_owned())
            .creation_date(
                DateTime::new(p.year)
                    .month(p.month.clamp(1, 12))
                    .day(p.day.clamp(1, 31))
                    .hour(p.hour.min(23))
                    .minute(p.minute.min(59))
                    .second(p.second.min(59))
                    .utc_offset_hour(0)
                    .utc_offset_minute(0),
            )
            .language(report.language.clone())
            .creator(report.creator.clone())
            .producer("Rempart".to_owned()),
    );
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

/// The headings as bookmarks: the title first, each section under it.
fn outline(layout: &Layout) -> Outline {
    let mut outline = Outline::new();
    let mut top: Option<OutlineNode> = None;
    for node in &layout.nodes {
        let Some((page, y)) = node.at else { continue };
        let entry = || {
            OutlineNode::new(
                node.text.clone(),
                XyzDestination::new(page, Point::from_xy(0.0, y)),
            )
        };
        match node.kind {
            Kind::Title => {
                if let Some(done) = top.take() {
                    outline.push_child(done);
                }
                top = Some(entry().with_open(true));
            }
            Kind::Heading => match top.as_mut() {
                Some(t) => t.push_child(entry()),
                None => outline.push_child(entry()),
            },
            _ => {}
        }
    }
    if let Some(done) = top {
        outline.push_child(done);
    }
    outline
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn draw(
    surface: &mut Surface,
    item: &Item,
    regular: &Font,
    bold: &Font,
    lines: &mut [VecDeque<Identifier>],
) {
    match item {
        Item::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let mut pb = PathBuilder::new();
            if *h > 0.0 {
                if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                    pb.push_rect(rect);
                }
            } else {
                pb.move_to(*x, *y);
                pb.line_to(x + w, *y);
            }
            let Some(path) = pb.finish() else { return };
            surface.start_tagged(ContentTag::Artifact(Artifact::new(
                ArtifactType::Layout,
                None,
            )));
            surface.set_fill(fill.map(|f| Fill {
                paint: color(f).into(),
                ..Fill::default()
            }));
            surface.set_stroke(stroke.map(|s| Stroke {
                paint: color(s).into(),
                width: 0.5,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
            surface.end_tagged();
        }
        Item::Text {
            x,
            y,
            size,
            face,
            color: c,
            text,
            owner,
        } => {
            let tag = match owner {
                Owner::Node(_) => ContentTag::Span(SpanTag::empty()),
                Owner::Pagination => {
                    ContentTag::Artifact(Artifact::new(ArtifactType::PaginationOther, None))
                }
                Owner::PageNumber => {
                    ContentTag::Artifact(Artifact::new(ArtifactType::PageNumber, None))
                }
            };
            let id = surface.start_tagged(tag);
            surface.set_fill(Some(Fill {
                paint: color(*c).into(),
                ..Fill::default()
            }));
            let font = match face {
                Face::Regular => regular.clone(),
                Face::Bold => bold.clone(),
            };
            surface.draw_text(
                Point::from_xy(*x, *y),
                font,
                *size,
                text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            if let Owner::Node(n) = owner {
                if let Some(queue) = lines.get_mut(*n) {
                    queue.push_back(id);
                }
            }
        }
    }
}

/// The tag group of a node and everything under it; `None` when nothing was drawn for it.
fn tag_node(layout: &Layout, index: usize, lines: &mut [VecDeque<Identifier>]) -> Option<TagNode> {
    let node = layout.nodes.get(index)?;
    let kind: TagKind = match node.kind {
        Kind::Title => Tag::Hn(NonZeroU16::MIN, Some(node.text.clone())).into(),
        Kind::Heading => Tag::Hn(NonZeroU16::MIN.saturating_add(1), Some(node.text.clone())).into(),
        Kind::Paragraph => Tag::P.into(),
        Kind::Table => Tag::Table.into(),
        Kind::Caption => Tag::Caption.into(),
        Kind::Head => Tag::THead.into(),
        Kind::Body => Tag::TBody.into(),
        Kind::Row => Tag::TR.into(),
        Kind::ColumnHeader => Tag::TH(TableHeaderScope::Column).into(),
        Kind::RowHeader => Tag::TH(TableHeaderScope::Row).into(),
        Kind::Cell => Tag::TD.into(),
    };
    let mut group = TagGroup::new(kind);
    let mut empty = true;
    for child in &node.children {
        match child {
            Child::Node(c) => {
                if let Some(n) = tag_node(layout, *c, lines) {
                    group.push(n);
                    empty = false;
                }
            }
            Child::Line => {
                if let Some(id) = lines.get_mut(index).and_then(VecDeque::pop_front) {
                    group.push(id);
                    empty = false;
                }
            }
        }
    }
    (!empty).then_some(TagNode::Group(group))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, Cell, Column, Orientation, Table};

    fn report(rows: usize) -> Report {
        Report {
            title: "Registre d'autorité — Ministère de l'Exemple".into(),
            subtitle: vec!["Produit le 2026-12-04 à 10 h 00".into()],
            language: "fr-CA".into(),
            page_label: "Page {page} de {pages}".into(),
            creator: "Rempart".into(),
            produced: crate::Produced {
                year: 2026,
                month: 12,
                day: 4,
                hour: 15,
                minute: 0,
                second: 0,
            },
            orientation: Orientation::Landscape,
            blocks: vec![
                Block::Heading("Désignations".into()),
                Block::Paragraph("Les désignations en vigueur.".into()),
                Block::Table(Table {
                    caption: "Désignations en vigueur".into(),
                    columns: vec![Column::new("Personne", 2.0), Column::new("Rôle", 1.0)],
                    rows: (0..rows)
                        .map(|i| vec![Cell::from(format!("Personne {i}")), Cell::from("CSIO")])
                        .collect(),
                    row_headers: false,
                }),
                Block::Table(Table {
                    caption: "Carte".into(),
                    columns: vec![Column::new("", 1.0), Column::new("Faible", 1.0)],
                    rows: vec![vec![
                        Cell::from("Élevée"),
                        Cell::filled("3", Rgb(200, 30, 30)),
                    ]],
                    row_headers: true,
                }),
            ],
        }
    }

    #[test]
    fn a_report_is_a_tagged_archivable_pdf_with_numbered_pages() {
        let pdf = render_pdf(&report(200)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1."));
        let layout = lay_out(&report(200)).unwrap();
        assert!(layout.pages.len() >= 5, "{} pages", layout.pages.len());
        // Every page carries its number out of the total.
        let total = layout.pages.len();
        for (n, page) in layout.pages.iter().enumerate() {
            let label = format!("Page {} de {total}", n + 1);
            assert!(page.iter().any(|i| matches!(i,
                Item::Text { text, owner: Owner::PageNumber, .. } if *text == label)));
        }
        // Pages after the first repeat the table's header, outside the content.
        assert!(layout.pages[2].iter().any(|i| matches!(i,
            Item::Text { text, owner: Owner::Pagination, .. } if text == "Personne")));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/StructTreeRoot"));
        assert!(text.contains("/MarkInfo"));
        assert!(text.contains("pdfuaid"));
        assert!(text.contains("pdfaid"));
    }

    #[test]
    fn text_over_a_fill_keeps_its_contrast() {
        assert_eq!(Rgb(200, 30, 30).text_over(), Rgb(255, 255, 255));
        assert_eq!(Rgb(255, 230, 100).text_over(), Rgb(0, 0, 0));
    }

    #[test]
    fn tables_with_rows_of_the_wrong_width_or_no_column_are_refused() {
        let mut r = report(1);
        if let Block::Table(t) = &mut r.blocks[2] {
            t.rows.push(vec![Cell::from("seule")]);
        }
        assert!(matches!(
            render_pdf(&r),
            Err(ReportError::RowWidth {
                row: 2,
                cells: 1,
                columns: 2,
                ..
            })
        ));
        let mut r = report(1);
        r.blocks = vec![Block::Table(Table::default())];
        assert!(matches!(render_pdf(&r), Err(ReportError::NoColumn { .. })));
    }

    #[test]
    fn a_cell_longer_than_a_page_is_cut_and_marked() {
        let mut r = report(0);
        if let Block::Table(t) = &mut r.blocks[2] {
            t.rows
                .push(vec![Cell::from("mot ".repeat(20_000)), Cell::from("x")]);
        }
        let layout = lay_out(&r).unwrap();
        assert!(layout.pages.len() <= 3);
        assert!(layout.pages.iter().flatten().any(|i| matches!(i,
            Item::Text { text, .. } if text.ends_with('…'))));
        render_pdf(&r).unwrap();
    }

    #[test]
    fn a_table_never_starts_with_its_header_alone_at_the_foot_of_a_page() {
        // A paragraph that leaves a few lines of room, then a table whose first row is tall.
        for filler in [40usize, 44, 48, 52, 56] {
            let mut r = report(0);
            r.blocks = vec![
                Block::Paragraph(
                    (0..filler)
                        .map(|i| format!("Ligne {i}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Block::Table(Table {
                    caption: "Tableau".into(),
                    columns: vec![Column::new("Colonne", 1.0), Column::new("Autre", 1.0)],
                    rows: vec![vec![Cell::from("mot ".repeat(300)), Cell::from("x")]],
                    row_headers: false,
                }),
            ];
            let layout = lay_out(&r).unwrap();
            let page_of = |kind: Kind| {
                layout.pages.iter().position(|items| {
                    items.iter().any(|i| {
                        matches!(i, Item::Text { owner: Owner::Node(n), .. }
                            if layout.nodes[*n].kind == kind)
                    })
                })
            };
            assert_eq!(
                page_of(Kind::ColumnHeader),
                page_of(Kind::Cell),
                "filler {filler}"
            );
        }
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn any_text_makes_a_pdf_or_a_named_error(
                title in any::<String>(),
                cells in proptest::collection::vec(any::<String>(), 0..30),
                width in 0.0f32..5.0,
            ) {
                let r = Report {
                    title: title.clone(),
                    language: "fr-CA".into(),
                    page_label: "{page}/{pages}".into(),
                    blocks: vec![
                        Block::Paragraph(title),
                        Block::Table(Table {
                            caption: String::new(),
                            columns: vec![Column::new("a", width), Column::new("b", 1.0)],
                            rows: cells.chunks(2).filter(|c| c.len() == 2)
                                .map(|c| c.iter().map(Cell::from).collect()).collect(),
                            row_headers: true,
                        }),
                    ],
                    ..Report::default()
                };
                let pdf = render_pdf(&r);
                prop_assert!(pdf.is_ok(), "{:?}", pdf.err());
            }
        }
    }
}
