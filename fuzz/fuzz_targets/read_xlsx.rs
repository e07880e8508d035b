//! Any bytes read as XLSX, with a small decompressed-size limit so that zip bombs are cheap
//! to refuse: a table or a named error, never a panic, never past the limits; a table read
//! is then mapped to inventory records, which must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_interchange::inventory;
use rempart_interchange::table::{self, Format, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_unzipped_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    };
    if let Ok(t) = table::read(data, Format::Xlsx, limits) {
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
