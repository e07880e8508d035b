//! Rules for files people open in spreadsheets: a cell that begins like a formula is written
//! so that the spreadsheet shows it as text instead of running it (CSV injection, OWASP).

use std::borrow::Cow;

/// Prefixes with an apostrophe a cell that a spreadsheet would read as a formula: one that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return. Numbers such as `-12` are
/// left alone: they are values, not formulas. The import strips the apostrophe back
/// ([`unneutralize`]), so an export imports back unchanged.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralize`] for cells read back from a file Rempart wrote.
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_as_text_and_read_back() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let safe = neutralize(formula);
            assert!(safe.starts_with('\''), "{formula:?}");
            assert_eq!(unneutralize(&safe), formula);
        }
        for value in ["-12", "+3.5", "Système de paie", "", "a=b", "'déjà"] {
            assert_eq!(neutralize(value), value);
            assert_eq!(unneutralize(&neutralize(value)), value);
        }
    }
}
