//! A display table (header and formatted cells), its CSV form, and the
//! display of a protected count table.

use cohort_results::ProtectedTable;

use crate::write::ReportError;

/// A simple table: header and rows of already formatted cells.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn csv(&self, name: &str) -> Result<Vec<u8>, ReportError> {
        let err = |e: csv::Error| ReportError::Csv {
            name: name.to_string(),
            message: e.to_string(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).map_err(err)?;
        for r in &self.rows {
            w.write_record(r).map_err(err)?;
        }
        w.into_inner().map_err(|e| ReportError::Csv {
            name: name.to_string(),
            message: e.to_string(),
        })
    }
}

/// A protected count table as displayed: its cells, row totals and a
/// total row.
pub(crate) fn protected(t: &ProtectedTable) -> Table {
    let totals = t.total.is_some();
    let mut header = vec![String::new()];
    header.extend(t.columns.iter().cloned());
    if totals {
        header.push("total".into());
    }
    let mut rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .zip(&t.cells)
        .enumerate()
        .map(|(i, (label, cells))| {
            let mut r = vec![label.clone()];
            r.extend(cells.iter().map(|c| c.to_string()));
            if let Some(total) = t.row_totals.get(i) {
                r.push(total.to_string());
            }
            r
        })
        .collect();
    if let (true, Some(total)) = (t.rows.len() > 1, &t.total) {
        let mut r = vec!["total".to_string()];
        r.extend(t.column_totals.iter().map(|c| c.to_string()));
        r.push(total.to_string());
        rows.push(r);
    }
    Table { header, rows }
}
