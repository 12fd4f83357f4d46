//! Text from outside (a name typed at the login prompt, what an SSH client sets, a line
//! of an imported file) made safe to print on an admin's terminal or to open in a
//! spreadsheet.

use std::borrow::Cow;
use std::fmt::Write;

/// What a terminal obeys, or what hides or reorders text on screen: C0 and C1 controls
/// and DEL, bidirectional marks, embeddings, overrides and isolates, zero-width
/// characters, the byte-order mark, line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `text` with each unsafe character written out as `\u{1b}`: seen, not obeyed.
pub fn escaped(text: &str) -> Cow<'_, str> {
    let plain = |text: &str| text.bytes().all(|b| (b' '..=b'~').contains(&b));
    if plain(text) || !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CSV field that a spreadsheet will not run as a formula (OWASP's rule): one that
/// begins with `=`, `+`, `-` or `@` gets a leading apostrophe, unless it is a number.
/// Unsafe characters are escaped as on screen.
pub fn csv_field(text: &str) -> Cow<'_, str> {
    let field = escaped(text);
    let formula = field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err();
    if formula {
        Cow::Owned(format!("'{field}"))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_terminal_would_obey_is_shown_instead() {
        assert_eq!(escaped("\u{1b}]0;owned\u{7}"), "\\u{1b}]0;owned\\u{7}");
        assert_eq!(escaped("a\u{9b}2J"), "a\\u{9b}2J", "C1 CSI");
        assert_eq!(escaped("admin\u{202e}nimda"), "admin\\u{202e}nimda");
        assert_eq!(escaped("bo\u{200b}ss"), "bo\\u{200b}ss");
        assert_eq!(escaped("tab\there"), "tab\\u{9}here");
        assert!(matches!(escaped("Hantz123"), Cow::Borrowed(_)));
        assert_eq!(escaped("Jérôme Lafortune"), "Jérôme Lafortune");
    }

    #[test]
    fn a_csv_field_never_starts_a_formula() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_field("+1+cmd"), "'+1+cmd");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2.5"), "-2.5", "a number stays a number");
        assert_eq!(csv_field("clerk"), "clerk");
        assert_eq!(csv_field("2026-12-01T10:00:00Z"), "2026-12-01T10:00:00Z");
    }
}
