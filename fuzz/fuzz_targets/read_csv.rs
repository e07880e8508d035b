//! Any bytes read as CSV: a table or a named error, never a panic, never past the limits;
//! a table read is then mapped to inventory records, which must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_interchange::inventory;
use rempart_interchange::table::{self, Format, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(t) = table::read(data, Format::Csv, limits) {
        assert!(t.rows.len() <= limits.max_rows + 1);
        assert!(t.headers.len() <= limits.max_columns);
        for row in &t.rows {
            assert!(row.cells.len() <= limits.max_columns);
            assert!(row
                .cells
                .iter()
                .all(|c| c.chars().count() <= limits.max_cell_chars));
        }
        let _ = inventory::records(&t);
    }
});
