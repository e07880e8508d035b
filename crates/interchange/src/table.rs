//! Tables read from and written to the files people exchange: CSV as French spreadsheets
//! write it (UTF-8 with or without a byte-order mark, or Windows-1252; `;`, `,` or tab) and
//! XLSX. Reading is bounded whatever the file: its size, its decompressed size, rows,
//! columns and cell lengths all have limits, and an over-limit file is refused with the
//! limit named, never read into memory first.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use rempart_domain::export::neutralize;

/// How much a file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    /// The most a zipped (XLSX) file may expand to, all parts together.
    pub max_unzipped_bytes: u64,
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cell_chars: usize,
}

impl Default for Limits {
    /// Room for 100,000 assets with long descriptions; a file past these is a mistake or an
    /// attack.
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_unzipped_bytes: 256 * 1024 * 1024,
            max_rows: 100_000,
            max_columns: 64,
            max_cell_chars: 10_000,
        }
    }
}

/// One row read, with the line people see in their spreadsheet (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The cell of `row` under the header at `column`, empty when the row is short.
    pub fn cell<'a>(&self, row: &'a Row, column: usize) -> &'a str {
        row.cells.get(column).map(String::as_str).unwrap_or("")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// An XLSX file is a zip archive; anything else is read as CSV.
    pub fn detect(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }

    pub fn parse(value: &str) -> Option<Format> {
        match value.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Why a file could not be read. The messages are French: the command line prints them as
/// they are, the web layer uses [`ReadError::code`] and the numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("le fichier est vide")]
    Empty,
    #[error("le fichier dépasse {0} octets")]
    TooLarge(usize),
    #[error("le fichier décompressé dépasserait {0} octets")]
    TooLargeUnzipped(u64),
    #[error("le fichier compte plus de {0} lignes de données")]
    TooManyRows(usize),
    #[error("la ligne {line} compte plus de {max} colonnes")]
    TooManyColumns { line: usize, max: usize },
    #[error("ligne {line}, colonne {column} : la cellule dépasse {max} caractères")]
    CellTooLong {
        line: usize,
        column: usize,
        max: usize,
    },
    #[error("ligne {line} : CSV illisible ({message})")]
    Csv { line: usize, message: String },
    #[error("ligne {line}, colonne {column} : la cellule contient une erreur de formule")]
    CellError { line: usize, column: usize },
    #[error("fichier XLSX illisible ({0})")]
    Xlsx(String),
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "import-empty",
            ReadError::TooLarge(_) | ReadError::TooLargeUnzipped(_) => "import-too-large",
            ReadError::TooManyRows(_) => "import-too-many-rows",
            ReadError::TooManyColumns { .. } => "import-too-many-columns",
            ReadError::CellTooLong { .. } => "import-cell-too-long",
            ReadError::Csv { .. } => "import-csv",
            ReadError::CellError { .. } => "import-cell-error",
            ReadError::Xlsx(_) => "import-xlsx",
        }
    }
}

/// Reads the first sheet (XLSX) or the file (CSV) as a header row and data rows; blank rows
/// are skipped.
pub fn read(bytes: &[u8], format: Format, limits: Limits) -> Result<Table, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge(limits.max_bytes));
    }
    let mut rows = match format {
        Format::Csv => read_csv(bytes, limits)?,
        Format::Xlsx => read_xlsx(bytes, limits)?,
    };
    rows.retain(|r| r.cells.iter().any(|c| !c.trim().is_empty()));
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    let header = rows.remove(0);
    Ok(Table {
        headers: header.cells.iter().map(|h| h.trim().to_owned()).collect(),
        rows,
    })
}

/// UTF-8 (a byte-order mark is dropped), else Windows-1252, the encoding of spreadsheets
/// saved as "CSV" on French Windows.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator of the header line: whichever of `;`, tab and `,` it holds most of,
/// outside quotes (`;` wins ties: French spreadsheets use it because `,` is the decimal mark).
fn separator(text: &str) -> u8 {
    let mut counts = [(b';', 0usize), (b'\t', 0), (b',', 0)];
    let mut quoted = false;
    for c in text.bytes().take_while(|c| *c != b'\n') {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in counts.iter_mut() {
                if *sep == c {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(sep, n)| (*n, *sep == b';'))
        .map(|(sep, _)| *sep)
        .unwrap_or(b';')
}

fn check_cells(line: usize, cells: &[String], limits: Limits) -> Result<(), ReadError> {
    if cells.len() > limits.max_columns {
        return Err(ReadError::TooManyColumns {
            line,
            max: limits.max_columns,
        });
    }
    for (i, cell) in cells.iter().enumerate() {
        if cell.chars().count() > limits.max_cell_chars {
            return Err(ReadError::CellTooLong {
                line,
                column: i + 1,
                max: limits.max_cell_chars,
            });
        }
    }
    Ok(())
}

fn read_csv(bytes: &[u8], limits: Limits) -> Result<Vec<Row>, ReadError> {
    // Line endings as `\n` only: the reader counts lines by them, and a Windows file's `\r\n`
    // would otherwise shift every line number people are told about.
    let text = decode(bytes).replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(line);
                return Err(ReadError::Csv {
                    line,
                    message: e.to_string().chars().take(200).collect(),
                });
            }
        }
        let line = record.position().map(|p| p.line() as usize).unwrap_or(line);
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        check_cells(line, &cells, limits)?;
        if rows.len() > limits.max_rows {
            return Err(ReadError::TooManyRows(limits.max_rows));
        }
        rows.push(Row { line, cells });
    }
    Ok(rows)
}

/// Decompresses every part of the archive once, counting, before the XLSX reader sees it: a
/// zip bomb is refused by what it really expands to, not by the sizes it claims.
fn check_unzipped(bytes: &[u8], limits: Limits) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Xlsx(e.to_string().chars().take(200).collect()))?;
    if archive.len() > 10_000 {
        return Err(ReadError::Xlsx("trop de parties dans l'archive".to_owned()));
    }
    let mut total: u64 = 0;
    let mut buffer = [0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut part = archive
            .by_index(i)
            .map_err(|e| ReadError::Xlsx(e.to_string().chars().take(200).collect()))?;
        loop {
            let n = part
                .read(&mut buffer)
                .map_err(|e| ReadError::Xlsx(e.to_string().chars().take(200).collect()))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits.max_unzipped_bytes {
                return Err(ReadError::TooLargeUnzipped(limits.max_unzipped_bytes));
            }
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: Limits) -> Result<Vec<Row>, ReadError> {
    check_unzipped(bytes, limits)?;
    let xlsx_error =
        |e: calamine::XlsxError| ReadError::Xlsx(e.to_string().chars().take(200).collect());
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err(ReadError::Empty);
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(xlsx_error)?;
    // Cells come row by row; the sheet's declared dimensions are not trusted (a cell at the
    // last row and column of a sheet must not make us allocate the whole grid).
    let mut rows: Vec<Row> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        let line = r + 1;
        if c >= limits.max_columns {
            return Err(ReadError::TooManyColumns {
                line,
                max: limits.max_columns,
            });
        }
        if r > limits.max_rows {
            return Err(ReadError::TooManyRows(limits.max_rows));
        }
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => (*s).to_owned(),
            DataRef::Int(n) => n.to_string(),
            DataRef::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", *f as i64)
                } else {
                    f.to_string()
                }
            }
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => match d.as_datetime() {
                Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
                Some(dt) => dt.to_string(),
                None => d.as_f64().to_string(),
            },
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::Error(_) => {
                return Err(ReadError::CellError {
                    line,
                    column: c + 1,
                })
            }
        };
        if text.chars().count() > limits.max_cell_chars {
            return Err(ReadError::CellTooLong {
                line,
                column: c + 1,
                max: limits.max_cell_chars,
            });
        }
        if rows.last().is_none_or(|last| last.line != line) {
            rows.push(Row {
                line,
                cells: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            if row.cells.len() <= c {
                row.cells.resize(c + 1, String::new());
            }
            row.cells[c] = text;
        }
    }
    Ok(rows)
}

/// CSV for French spreadsheets: UTF-8 with a byte-order mark, `;` between cells, every cell
/// that would run as a formula written as text.
pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(row.iter().map(|c| neutralize(c).into_owned()))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// XLSX with every cell written as a string: a spreadsheet never reads it as a formula.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, cell)?;
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &[u8]) -> Result<Table, ReadError> {
        read(bytes, Format::detect(bytes), Limits::default())
    }

    #[test]
    fn french_csv_in_its_encodings_and_separators() {
        let expected = Table {
            headers: vec!["nom".into(), "unité".into()],
            rows: vec![Row {
                line: 2,
                cells: vec!["Système de paie".into(), "Finances; budget".into()],
            }],
        };
        // UTF-8 with a BOM and `;`.
        let utf8 = "\u{feff}nom;unité\nSystème de paie;\"Finances; budget\"\n";
        assert_eq!(table(utf8.as_bytes()), Ok(expected.clone()));
        // Windows-1252 and `;` with CRLF.
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252
            .encode("nom;unité\r\nSystème de paie;\"Finances; budget\"\r\n");
        assert_eq!(table(&cp1252), Ok(expected.clone()));
        // Commas, blank lines skipped, line numbers kept.
        let commas = "nom,unité\n\n,\nSystème de paie,\"Finances; budget\"\n";
        let t = table(commas.as_bytes()).unwrap();
        assert_eq!(t.rows[0].line, 4);
        assert_eq!(t.rows[0].cells, expected.rows[0].cells);
        // Decimal commas stay in their cell when `;` separates.
        let decimals = "a;b\n1,5;2,25\n";
        assert_eq!(
            table(decimals.as_bytes()).unwrap().rows[0].cells,
            ["1,5", "2,25"]
        );
    }

    #[test]
    fn limits_are_named_and_nothing_is_read_past_them() {
        let small = Limits {
            max_bytes: 1000,
            max_rows: 2,
            max_columns: 3,
            max_cell_chars: 5,
            ..Limits::default()
        };
        let read_small = |text: &str| read(text.as_bytes(), Format::Csv, small);
        assert_eq!(
            read_small(&"x".repeat(1001)),
            Err(ReadError::TooLarge(1000))
        );
        assert_eq!(
            read_small("a\n1\n2\n3\n4\n"),
            Err(ReadError::TooManyRows(2))
        );
        assert_eq!(
            read_small("a;b;c;d\n"),
            Err(ReadError::TooManyColumns { line: 1, max: 3 })
        );
        assert_eq!(
            read_small("a;b\n1;123456\n"),
            Err(ReadError::CellTooLong {
                line: 2,
                column: 2,
                max: 5
            })
        );
        assert_eq!(read_small(""), Err(ReadError::Empty));
        assert_eq!(read_small(";;\n \n"), Err(ReadError::Empty));
        // An unterminated quote swallows the rest of the file into one cell: refused by the
        // cell limit, not read without end.
        assert_eq!(
            read_small("a\n\"unterminated\nb\nc\n"),
            Err(ReadError::CellTooLong {
                line: 2,
                column: 1,
                max: 5
            })
        );
    }

    #[test]
    fn xlsx_round_trips_and_hostile_archives_are_refused() {
        let rows = vec![
            vec!["Système de paie".to_owned(), "=1+1".to_owned()],
            vec![String::new(), "2027-06-30".to_owned()],
        ];
        let bytes = write_xlsx("Actifs", &["nom", "formule"], &rows).unwrap();
        assert_eq!(Format::detect(&bytes), Format::Xlsx);
        let t = table(&bytes).unwrap();
        assert_eq!(t.headers, ["nom", "formule"]);
        assert_eq!(t.rows[0].cells, rows[0]);
        assert_eq!(t.rows[1].cells, rows[1]);
        // A zip that expands past the limit is refused by what it expands to.
        let tight = Limits {
            max_unzipped_bytes: 1000,
            ..Limits::default()
        };
        assert_eq!(
            read(&bytes, Format::Xlsx, tight),
            Err(ReadError::TooLargeUnzipped(1000))
        );
        // Not a zip at all, though it says XLSX.
        assert!(matches!(
            read(b"PK\x03\x04garbage", Format::Xlsx, Limits::default()),
            Err(ReadError::Xlsx(_))
        ));
        // CSV written for spreadsheets reads back the same, formulas as text.
        let csv = write_csv(&["nom", "formule"], &rows).unwrap();
        let back = table(&csv).unwrap();
        assert_eq!(back.rows[0].cells[1], "'=1+1");
        assert_eq!(
            rempart_domain::export::unneutralize(&back.rows[0].cells[1]),
            "=1+1"
        );
    }
}

/// Property-based fuzzing of the readers, run with the test suite: any bytes, and valid files
/// damaged at random, give a table or a named error, never a panic, and never more than the
/// limits allow. (`fuzz/` holds the coverage-guided targets for longer runs.)
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    fn small() -> Limits {
        Limits {
            max_bytes: 64 * 1024,
            max_unzipped_bytes: 1024 * 1024,
            max_rows: 200,
            max_columns: 16,
            max_cell_chars: 300,
        }
    }

    fn within_limits(table: &Table, limits: Limits) {
        assert!(table.rows.len() <= limits.max_rows + 1);
        assert!(table.headers.len() <= limits.max_columns);
        for row in &table.rows {
            assert!(row.cells.len() <= limits.max_columns);
            assert!(row
                .cells
                .iter()
                .all(|c| c.chars().count() <= limits.max_cell_chars));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_bytes_as_csv(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            if let Ok(t) = read(&bytes, Format::Csv, small()) {
                within_limits(&t, small());
            }
        }

        #[test]
        fn csv_like_text(text in "[a-zé;,\"\\t\\r\\n=+@' 0-9-]{0,2000}") {
            if let Ok(t) = read(text.as_bytes(), Format::Csv, small()) {
                within_limits(&t, small());
            }
        }

        #[test]
        fn any_bytes_as_xlsx(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let mut data = b"PK\x03\x04".to_vec();
            data.extend(bytes);
            if let Ok(t) = read(&data, Format::Xlsx, small()) {
                within_limits(&t, small());
            }
        }

        #[test]
        fn damaged_xlsx(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let rows: Vec<Vec<String>> = (0..20)
                .map(|i| vec![format!("actif {i}"), "=SUM(A1)".to_owned(), "2027-06-30".to_owned()])
                .collect();
            let mut bytes = write_xlsx("Actifs", &["nom", "formule", "date"], &rows).unwrap();
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= value | 1;
            }
            if let Ok(t) = read(&bytes, Format::Xlsx, small()) {
                within_limits(&t, small());
            }
        }
    }
}
