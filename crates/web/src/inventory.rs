//! The inventory as a spreadsheet (ASSET-03), for the pages and the command line alike:
//! export of a filtered list as CSV or XLSX, import with its report in the reader's language.

use rempart_domain::asset::{AssetKind, HostingKind, Identifier};
use rempart_domain::language::Language;
use rempart_interchange::inventory::{self, headers, hosting_label, kind_label};
use rempart_interchange::table::{self, Format, Limits, ReadError};
use rempart_storage::assets::{self, Asset, AssetFilter, AssetSort};
use rempart_storage::inventory_import::{self, ImportMode, ImportOptions, ImportRow};
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use rempart_storage::{AuditContext, Store};
use serde::Serialize;

use crate::error::AppError;
use crate::i18n::{field_message, t, t_args};

/// At most this many assets in one export.
pub const EXPORT_LIMIT: i64 = 100_000;

fn yes(b: bool) -> String {
    if b { "oui" } else { "non" }.to_owned()
}

/// One asset as a row of the export, in [`inventory::COLUMNS`]' order.
fn row(asset: &Asset, identifiers: &[Identifier]) -> Vec<String> {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    vec![
        asset.org_slug.clone(),
        asset.name.clone(),
        AssetKind::parse("kind", &asset.kind)
            .map(kind_label)
            .unwrap_or_default()
            .to_owned(),
        asset.holder_email.clone(),
        asset.description.clone(),
        HostingKind::parse("hosting", &asset.hosting)
            .map(hosting_label)
            .unwrap_or_default()
            .to_owned(),
        asset.hosting_provider.clone(),
        asset.hosting_locations.join("; "),
        yes(asset.outside_quebec),
        yes(asset.personal_info),
        yes(asset.sensitive_info),
        asset.end_of_support.clone().unwrap_or_default(),
        asset.retention_rule.clone(),
        identifiers
            .iter()
            .map(Identifier::to_tagged)
            .collect::<Vec<_>>()
            .join("; "),
        opt(asset.availability),
        opt(asset.integrity),
        opt(asset.confidentiality),
        asset.review_due.clone().unwrap_or_default(),
    ]
}

/// The assets matching `filter`, as a file of `format`, with its content type and name.
pub async fn export(
    store: &Store,
    scope: Scope,
    filter: &AssetFilter,
    format: Format,
) -> Result<(Vec<u8>, &'static str, &'static str), AppError> {
    let page = assets::list(
        store,
        scope,
        filter,
        crate::time::today(),
        &PageRequest {
            limit: EXPORT_LIMIT,
            offset: 0,
            sort: AssetSort::Organization,
            descending: false,
        },
    )
    .await?;
    let identifiers = assets::identifiers_in_scope(store, scope).await?;
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|a| row(a, identifiers.get(&a.id).map(Vec::as_slice).unwrap_or(&[])))
        .collect();
    match format {
        Format::Csv => Ok((
            table::write_csv(&headers(), &rows).map_err(AppError::internal)?,
            "text/csv; charset=utf-8",
            "actifs.csv",
        )),
        Format::Xlsx => Ok((
            table::write_xlsx("Actifs", &headers(), &rows).map_err(AppError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "actifs.xlsx",
        )),
    }
}

/// One fault of an import, said in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    pub line: usize,
    pub column: String,
    pub code: String,
    pub message: String,
}

/// What an import did, or would have done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub written: bool,
    /// A fault of the whole file (too large, unreadable): nothing was read.
    pub file_error: Option<String>,
    pub faults: Vec<Fault>,
}

fn read_error_message(lang: Language, e: &ReadError) -> String {
    let (line, column, max) = match *e {
        ReadError::TooLarge(max) => (0, 0, max as u64),
        ReadError::TooLargeUnzipped(max) => (0, 0, max),
        ReadError::TooManyRows(max) => (0, 0, max as u64),
        ReadError::TooManyColumns { line, max } => (line, 0, max as u64),
        ReadError::CellTooLong { line, column, max } => (line, column, max as u64),
        ReadError::Csv { line, .. } => (line, 0, 0),
        ReadError::CellError { line, column } => (line, column, 0),
        ReadError::Empty | ReadError::Xlsx(_) => (0, 0, 0),
    };
    t_args(
        lang,
        e.code(),
        &[
            ("line", (line as u64).into()),
            ("column", (column as u64).into()),
            ("max", max.into()),
        ],
    )
}

/// The column a field is shown under: its French header, or its key in English.
fn column_of(lang: Language, field: &str) -> String {
    let key = match field {
        "org_id" => "unit",
        "holder_id" => "holder",
        other => other,
    };
    match inventory::COLUMNS.iter().find(|c| c.key == key) {
        Some(c) if lang == Language::Fr => c.french.to_owned(),
        Some(c) => c.key.to_owned(),
        None => key.to_owned(),
    }
}

/// Reads a file and imports its rows in one transaction. A fault never half-writes: in
/// all-or-nothing mode any fault leaves the store untouched.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    store: &Store,
    context: AuditContext,
    scope: Scope,
    bytes: &[u8],
    format: Option<Format>,
    mode: ImportMode,
    within: Option<i64>,
    default_unit: Option<String>,
    lang: Language,
) -> Result<ImportSummary, AppError> {
    let format = format.unwrap_or_else(|| Format::detect(bytes));
    let table = match table::read(bytes, format, Limits::default()) {
        Ok(t) => t,
        Err(e) => {
            return Ok(ImportSummary {
                file_error: Some(read_error_message(lang, &e)),
                ..ImportSummary::default()
            })
        }
    };
    let (records, row_errors) = inventory::records(&table);
    let mut faults: Vec<Fault> = row_errors
        .iter()
        .map(|e| Fault {
            line: e.line,
            column: if lang == Language::Fr {
                e.column.to_owned()
            } else {
                inventory::COLUMNS
                    .iter()
                    .find(|c| c.french == e.column)
                    .map_or(e.column, |c| c.key)
                    .to_owned()
            },
            code: e.code.to_owned(),
            message: field_message(lang, e.code, e.limit),
        })
        .collect();
    let rows: Vec<ImportRow> = records
        .into_iter()
        .map(|r| ImportRow {
            line: r.line,
            unit: r.unit,
            holder_email: r.holder_email,
            draft: r.draft,
        })
        .collect();
    let mut w = store.write(context).await?;
    let report = inventory_import::import(
        &mut w,
        scope,
        rows,
        &ImportOptions {
            mode,
            within,
            default_unit,
            earlier_faults: faults.len(),
        },
    )
    .await?;
    if report.written {
        w.commit().await?;
    }
    faults.extend(report.faults.iter().map(|f| Fault {
        line: f.line,
        column: column_of(lang, &f.field),
        code: f.code.to_owned(),
        message: field_message(lang, f.code, f.limit),
    }));
    faults.sort_by_key(|f| f.line);
    Ok(ImportSummary {
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        written: report.written,
        file_error: None,
        faults,
    })
}

/// A short account of an import for people, in their language.
pub fn summary_text(lang: Language, s: &ImportSummary) -> String {
    if let Some(e) = &s.file_error {
        return e.clone();
    }
    let counts = t_args(
        lang,
        "import-summary",
        &[
            ("created", (s.created as u64).into()),
            ("updated", (s.updated as u64).into()),
            ("unchanged", (s.unchanged as u64).into()),
            ("faults", (s.faults.len() as u64).into()),
        ],
    );
    if !s.faults.is_empty() && !s.written {
        format!("{counts} {}", t(lang, "import-nothing-written"))
    } else {
        counts
    }
}
