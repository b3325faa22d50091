//! Text as a terminal may show it: names, titles and actors come from
//! whoever appended an event, and a terminal obeys what they carry (ESC
//! starts a control sequence that can retitle the window, hide or rewrite
//! lines, or plant an OSC 8 link; BEL rings; a bidi override reorders what
//! follows so that an id reads as another). Every human-readable
//! output of the command line goes through [`shown`] once (the text tables
//! of the views call it per cell too, so that columns stay aligned); JSON
//! for programs is left exact.
//!
//! What is shown escaped, as `\u` and four hex digits (ESC as `\u001B`,
//! JSON's spelling, so that the same text inside a JSON string still
//! decodes to the original character):
//! every C0 control but the line feed (tab and carriage return included:
//! they move the cursor), DEL, every C1 control (U+0080..U+009F, among them
//! the one-byte CSI), the bidi embeddings, overrides and isolates
//! (U+202A..U+202E, U+2066..U+2069), the bidi marks (U+200E, U+200F,
//! U+061C), and the line and paragraph separators (U+2028, U+2029).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a terminal could act on `c` rather than print it.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{9}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2028}' | '\u{2029}')
}

/// `text` with every character a terminal could act on shown escaped (ESC
/// as `\u001B`); borrowed unchanged when there is none (the usual case).
/// Applying it twice changes nothing more.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{:04X}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_shown_escaped_and_the_rest_is_kept() {
        let hostile =
            "Lab\u{1b}]0;owned\u{7}\u{1b}[2J\r\t\u{9b}31m x\u{202e}1000-WA\u{2066}\u{2069}";
        assert_eq!(
            shown(hostile),
            "Lab\\u001B]0;owned\\u0007\\u001B[2J\\u000D\\u0009\\u009B31m x\\u202E1000-WA\\u2066\\u2069"
        );
        let plain = "서울대학교 AI 연구실\nline two — «ok»";
        assert!(matches!(shown(plain), Cow::Borrowed(s) if s == plain));
        assert_eq!(shown(&shown(hostile)), shown(hostile));
    }

    #[test]
    fn the_escaped_form_decodes_back_inside_a_json_string() {
        let hostile = "a\u{1b}b\u{202e}c";
        let json = format!("\"{}\"", shown(hostile));
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), hostile);
    }
}
