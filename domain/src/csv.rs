//! The one CSV writer of every report (RFC 4180): CRLF line ends; a field holding a comma,
//! a double quote, CR or LF is enclosed in double quotes with each double quote doubled.
//! Text is written as it is (UTF-8, Thai intact); amounts are given as exact decimal text by
//! the caller. Spreadsheet programs detect UTF-8 only with a byte-order mark, so one can be
//! asked for ([`UTF8_BOM`]) at the very start of a download.

use std::borrow::Cow;

/// The UTF-8 byte-order mark, for spreadsheet users (Excel reads Thai text correctly only
/// with it).
pub const UTF8_BOM: &str = "\u{feff}";

/// The media type of every CSV download.
pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// One field, quoted when it must be.
pub fn field(text: &str) -> Cow<'_, str> {
    if text.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

/// Appends one record (fields and the CRLF) to `out`.
pub fn push_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, text) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(text.as_ref()));
    }
    out.push_str("\r\n");
}

/// One record as a string.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = String::new();
    push_record(&mut out, fields);
    out
}

/// A whole document: optional BOM, the header, then the rows.
pub fn document<S: AsRef<str>>(bom: bool, header: &[&str], rows: impl IntoIterator<Item = Vec<S>>) -> String {
    let mut out = String::new();
    if bom {
        out.push_str(UTF8_BOM);
    }
    push_record(&mut out, header);
    for row in rows {
        push_record(&mut out, &row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_rfc_4180_requires() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("a\r\nb"), "\"a\r\nb\"");
        assert_eq!(field("กรมทดสอบ"), "กรมทดสอบ", "Thai text is written as it is");
    }

    #[test]
    fn documents_have_a_header_crlf_and_an_optional_bom() {
        let rows = vec![vec!["กรม, ทดสอบ".to_owned(), "1234.50".to_owned()]];
        let plain = document(false, &["agency_name", "amount"], rows.clone());
        assert_eq!(plain, "agency_name,amount\r\n\"กรม, ทดสอบ\",1234.50\r\n");
        let with_bom = document(true, &["agency_name", "amount"], rows);
        assert_eq!(with_bom.as_bytes()[..3], [0xEF, 0xBB, 0xBF]);
        assert_eq!(&with_bom[3..], plain);
    }
}
