//! The inventory's spreadsheet (ASSET-03): its columns, and how a row becomes an asset draft.
//! Headers are matched in French or English, whatever their case and accents; values take
//! the codes or the French labels; dates `AAAA-MM-JJ` or `JJ/MM/AAAA`; yes/no as `oui`,
//! `non`, `vrai`, `faux`, `x`, `1`, `0`. Every fault of every row is reported, with its line
//! and column.

use chrono::NaiveDate;
use rempart_domain::asset::{AssetDraft, AssetKind, HostingKind};
use rempart_domain::export::unneutralize;

use crate::table::{Row, Table};

/// One column: its key (English, as in the API) and its French header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub french: &'static str,
    /// An import needs it.
    pub required: bool,
    /// Written by exports for reading; ignored on import (only the holder classifies).
    pub export_only: bool,
}

const fn col(key: &'static str, french: &'static str, required: bool, export_only: bool) -> Column {
    Column {
        key,
        french,
        required,
        export_only,
    }
}

pub const COLUMNS: [Column; 18] = [
    // Empty or absent: the organization the import is made for.
    col("unit", "unité", false, false),
    col("name", "nom", true, false),
    col("kind", "type", true, false),
    col("holder", "détenteur", true, false),
    col("description", "description", false, false),
    col("hosting", "hébergement", true, false),
    col("hosting_provider", "fournisseur", false, false),
    col("hosting_locations", "lieux d'hébergement", false, false),
    col("outside_quebec", "hors Québec", false, false),
    col("personal_info", "renseignements personnels", false, false),
    col("sensitive_info", "renseignements sensibles", false, false),
    col("end_of_support", "fin du soutien", false, false),
    col("retention_rule", "règle de conservation", false, false),
    col("identifiers", "identifiants", false, false),
    col("availability", "disponibilité", false, true),
    col("integrity", "intégrité", false, true),
    col("confidentiality", "confidentialité", false, true),
    col("review_due", "révision prévue", false, true),
];

/// French headers of an export, in order.
pub fn headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.french).collect()
}

/// Lowercased, accents and punctuation dropped: how headers and labels are compared.
fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

const KIND_LABELS: [(AssetKind, &str); 6] = [
    (AssetKind::InformationBank, "banque d'information"),
    (AssetKind::InformationSystem, "système d'information"),
    (AssetKind::TelecomNetwork, "réseau de télécommunication"),
    (
        AssetKind::TechnologicalInfrastructure,
        "infrastructure technologique",
    ),
    (
        AssetKind::MedicalEquipmentComponent,
        "composante informatique d'équipement médical",
    ),
    (AssetKind::PaperMedia, "support papier"),
];

const HOSTING_LABELS: [(HostingKind, &str); 4] = [
    (
        HostingKind::OwnDataCentre,
        "centre de traitement de l'organisation",
    ),
    (HostingKind::GovernmentCloud, "infonuagique gouvernementale"),
    (HostingKind::ExternalCloud, "infonuagique externe"),
    (HostingKind::Premises, "locaux de l'organisation"),
];

/// The French label of a kind, as exports write it.
pub fn kind_label(kind: AssetKind) -> &'static str {
    KIND_LABELS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, l)| l)
}

pub fn hosting_label(hosting: HostingKind) -> &'static str {
    HOSTING_LABELS
        .iter()
        .find(|(h, _)| *h == hosting)
        .map_or("", |(_, l)| l)
}

/// A fault in one row (or, line 1, in the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    /// The column's French header.
    pub column: &'static str,
    /// A message key (the domain's field error codes, or `import-…`).
    pub code: &'static str,
    pub limit: Option<u64>,
}

/// One row ready for the store: the draft, with the unit and holder still to be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRecord {
    pub line: usize,
    pub unit: String,
    pub holder_email: String,
    pub draft: AssetDraft,
}

/// Where each known column sits in this file.
fn positions(table: &Table) -> Result<Vec<Option<usize>>, Vec<RowError>> {
    let folded: Vec<String> = table.headers.iter().map(|h| fold(h)).collect();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for column in COLUMNS {
        let at = folded
            .iter()
            .position(|h| *h == fold(column.french) || *h == fold(column.key));
        if at.is_none() && column.required {
            errors.push(RowError {
                line: 1,
                column: column.french,
                code: "import-missing-column",
                limit: None,
            });
        }
        out.push(at);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn yes_no(value: &str) -> Option<bool> {
    match fold(value).as_str() {
        "" | "non" | "no" | "faux" | "false" | "0" => Some(false),
        "oui" | "yes" | "vrai" | "true" | "1" | "x" => Some(true),
        _ => None,
    }
}

fn date(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return Some(String::new());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()
        .map(|d| d.to_string())
        // Left for the domain to refuse, with its own message.
        .or_else(|| Some(value.to_owned()))
}

fn code_or_label<T: Copy>(
    value: &str,
    codes: &[(T, &str)],
    code_of: fn(T) -> &'static str,
) -> String {
    let folded = fold(value);
    codes
        .iter()
        .find(|(v, label)| fold(label) == folded || fold(code_of(*v)) == folded)
        .map(|(v, _)| code_of(*v).to_owned())
        .unwrap_or_else(|| value.trim().to_owned())
}

/// Reads every row of an inventory sheet. `Err` holds every fault found; a row with a fault
/// gives no record, the others are still read (for the row-by-row mode).
pub fn records(table: &Table) -> (Vec<AssetRecord>, Vec<RowError>) {
    let positions = match positions(table) {
        Ok(p) => p,
        Err(errors) => return (Vec::new(), errors),
    };
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for row in &table.rows {
        match record(table, &positions, row) {
            Ok(r) => records.push(r),
            Err(mut e) => errors.append(&mut e),
        }
    }
    (records, errors)
}

fn record(
    table: &Table,
    positions: &[Option<usize>],
    row: &Row,
) -> Result<AssetRecord, Vec<RowError>> {
    let get = |key: &str| -> String {
        COLUMNS
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| positions[i])
            .map(|p| unneutralize(table.cell(row, p)).to_owned())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let fault = |key: &str, code: &'static str, limit: Option<u64>| RowError {
        line: row.line,
        column: COLUMNS
            .iter()
            .find(|c| c.key == key)
            .map_or("", |c| c.french),
        code,
        limit,
    };
    let mut flag = |key: &str| match yes_no(&get(key)) {
        Some(b) => b,
        None => {
            errors.push(fault(key, "import-yes-no", None));
            false
        }
    };
    let outside_quebec = flag("outside_quebec");
    let personal_info = flag("personal_info");
    let sensitive_info = flag("sensitive_info");
    // An empty unit means the organization the import is made for.
    let unit = get("unit").trim().to_owned();
    let holder_email = get("holder").trim().to_lowercase();
    if holder_email.is_empty() {
        errors.push(fault("holder", "error-required", None));
    }
    let draft = AssetDraft {
        // Found by the store from the unit and the holder; 1 stands in so that the draft's
        // own checks run on the rest.
        org_id: 1,
        kind: code_or_label(&get("kind"), &KIND_LABELS, AssetKind::as_str),
        name: get("name"),
        description: get("description"),
        holder_id: 1,
        hosting: code_or_label(&get("hosting"), &HOSTING_LABELS, HostingKind::as_str),
        hosting_provider: get("hosting_provider"),
        hosting_locations: get("hosting_locations"),
        outside_quebec,
        personal_info,
        sensitive_info,
        end_of_support: date(&get("end_of_support")).unwrap_or_default(),
        retention_rule: get("retention_rule"),
        identifiers: get("identifiers"),
    };
    if let Err(problems) = draft.parse() {
        for e in problems.0 {
            let key = match e.field.as_str() {
                "org_id" => "unit",
                "holder_id" => "holder",
                other => other,
            };
            errors.push(fault(key, e.code, e.limit));
        }
    }
    if errors.is_empty() {
        Ok(AssetRecord {
            line: row.line,
            unit,
            holder_email,
            draft,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{read, Format, Limits};

    fn table(text: &str) -> Table {
        read(text.as_bytes(), Format::Csv, Limits::default()).unwrap()
    }

    // REQ ASSET-03
    #[test]
    fn headers_and_values_are_read_in_french_or_as_codes() {
        let t = table(
            "Unité;NOM;Type;Détenteur;Hebergement;Hors Quebec;Fin du soutien;Identifiants\n\
             mfr-ti;Paie;Système d'information;Marie@Ex.qc.ca;infonuagique externe;oui;30/06/2027;srv-01; \n\
             mfr-ti;Réseau;telecom_network;m@ex.qc.ca;own_data_centre;;2027-01-31;10.0.0.0/8\n",
        );
        let (found, errors) = records(&t);
        // The external cloud needs a provider and places: named on line 2.
        assert_eq!(
            errors,
            [RowError {
                line: 2,
                column: "fournisseur",
                code: "error-required",
                limit: None
            }]
        );
        assert_eq!(found.len(), 1);
        let r = &found[0];
        assert_eq!(r.line, 3);
        assert_eq!(r.unit, "mfr-ti");
        assert_eq!(r.draft.kind, "telecom_network");
        assert_eq!(r.draft.end_of_support, "2027-01-31");
        let t = table(
            "unité;nom;type;détenteur;hébergement;hors québec;fin du soutien\n\
             mfr-ti;Paie;Système d'information;marie@ex.qc.ca;infonuagique gouvernementale;x;30/06/2027\n",
        );
        let (found, errors) = records(&t);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(found[0].draft.hosting, "government_cloud");
        assert!(found[0].draft.outside_quebec);
        assert_eq!(found[0].draft.end_of_support, "2027-06-30");
        assert_eq!(found[0].holder_email, "marie@ex.qc.ca");
    }

    // REQ ASSET-03
    #[test]
    fn every_fault_is_named_with_its_line_and_column() {
        let missing = table("nom;type\nPaie;x\n");
        let (_, errors) = records(&missing);
        let columns: Vec<&str> = errors.iter().map(|e| e.column).collect();
        assert_eq!(columns, ["détenteur", "hébergement"]);
        assert!(errors
            .iter()
            .all(|e| e.line == 1 && e.code == "import-missing-column"));
        let t = table(
            "unité;nom;type;détenteur;hébergement;renseignements personnels;fin du soutien\n\
             ;Paie;serveur;;own_data_centre;peut-être;2027-02-30\n\
             u;'=HYPERLINK(\"x\");information_system;a@b.qc.ca;premises;non;\n",
        );
        let (found, errors) = records(&t);
        let faults: Vec<(usize, &str, &str)> =
            errors.iter().map(|e| (e.line, e.column, e.code)).collect();
        assert_eq!(
            faults,
            [
                (2, "renseignements personnels", "import-yes-no"),
                (2, "détenteur", "error-required"),
                (2, "type", "error-choice"),
                (2, "fin du soutien", "error-date"),
            ]
        );
        // A neutralized cell from an export reads back as what was typed.
        assert_eq!(found[0].draft.name, "=HYPERLINK(\"x\")");
    }
}
