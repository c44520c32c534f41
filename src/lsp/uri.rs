//! `file://` URIs ⇄ paths (Unix-style; percent-encoding as editors send it).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The local path of a `file:` URI; `None` for other schemes.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file:///p` (empty host) or `file://localhost/p`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = percent_decode(rest)?;
    let decoded = String::from_utf8(bytes).ok()?;
    // `file:///C:/x` on Windows.
    let trimmed = if decoded.len() > 2 && decoded.as_bytes()[2] == b':' && cfg!(windows) {
        &decoded[1..]
    } else {
        &decoded
    };
    Some(PathBuf::from(trimmed))
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let s = path.to_str()?;
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' if cfg!(windows) => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_spaces_and_non_ascii() {
        let p = Path::new("/tmp/my project/é😀/a b.wf");
        let uri = from_path(p).unwrap();
        assert!(uri.as_str().starts_with("file:///tmp/my%20project/%C3%A9"));
        assert_eq!(to_path(&uri).unwrap(), p);
    }

    #[test]
    fn editor_spellings() {
        let u = Uri::from_str("file://localhost/x/y.wf").unwrap();
        assert_eq!(to_path(&u).unwrap(), Path::new("/x/y.wf"));
        let u = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(to_path(&u), None);
        let u =
            Uri::from_str("file:///x/%ZZ").unwrap_or_else(|_| from_path(Path::new("/x")).unwrap());
        let _ = to_path(&u); // never panics
    }
}
