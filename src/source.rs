//! Source files, byte spans, and line/column lookup.
//!
//! Every file handed to the compiler (`.wf` sources and `wf.toml`) gets a
//! [`FileId`] in one [`SourceMap`]. Each file's line-start table is computed
//! once when it is added; lookups are a binary search.

use std::ops::Range;

/// Index of a file in a [`SourceMap`].
pub type FileId = u32;

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// A 1-based line and column. `column` counts Unicode scalar values;
/// `column_utf16` counts UTF-16 code units (for the language server), 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
    pub column_utf16: u32,
}

#[derive(Clone, Debug)]
pub struct SourceText {
    /// The name as given (a path relative to where wfc was run, or `<stdin>`).
    pub name: String,
    pub text: String,
    /// The file's size on disk when `text` is only its beginning (see
    /// [`crate::driver::SourceInput::size`]).
    pub size: Option<u64>,
    line_starts: Vec<u32>,
}

impl SourceText {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceText {
        let text = text.into();
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        SourceText {
            name: name.into(),
            text,
            size: None,
            line_starts,
        }
    }

    /// Clamp a byte offset into the text and onto a char boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let prefix = &self.text[start..offset];
        LineCol {
            line: line as u32 + 1,
            column: prefix.chars().count() as u32 + 1,
            column_utf16: prefix.encode_utf16().count() as u32,
        }
    }

    /// Byte offset of a 0-based line and UTF-16 column (for the language
    /// server); clamped to the line.
    pub fn offset_of_utf16(&self, line: u32, col_utf16: u32) -> usize {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return self.text.len();
        };
        let start = start as usize;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        let mut units = 0u32;
        for (i, ch) in self.text[start..end].char_indices() {
            if units >= col_utf16 || ch == '\n' {
                return start + i;
            }
            units += ch.len_utf16() as u32;
        }
        end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based index of the line holding byte `offset` (clamped to the text).
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len()) as u32;
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of a 0-based line, its `\n` included; a line past the last
    /// is the empty range at the end of the text.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let len = self.text.len();
        let at = |i: usize| self.line_starts.get(i).map_or(len, |&s| s as usize);
        at(line)..at(line + 1)
    }
}

/// All files of one compilation.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceText>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceText::new(name, text));
        (self.files.len() - 1) as FileId
    }

    /// Record that file `id` is the beginning of a file of `size` bytes.
    pub fn set_size(&mut self, id: FileId, size: u64) {
        if let Some(f) = self.files.get_mut(id as usize) {
            f.size = Some(size);
        }
    }

    pub fn get(&self, id: FileId) -> Option<&SourceText> {
        self.files.get(id as usize)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.text.as_str()).unwrap_or("")
    }

    pub fn snippet(&self, span: Span) -> &str {
        let text = self.text(span.file);
        let f = self.get(span.file);
        match f {
            Some(f) => {
                let s = f.clamp(span.start as usize);
                let e = f.clamp(span.end as usize).max(s);
                &text[s..e]
            }
            None => "",
        }
    }

    pub fn line_col(&self, id: FileId, offset: usize) -> LineCol {
        match self.get(id) {
            Some(f) => f.line_col(offset),
            None => LineCol {
                line: 1,
                column: 1,
                column_utf16: 0,
            },
        }
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceText)> {
        self.files.iter().enumerate().map(|(i, f)| (i as FileId, f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_utf16() {
        let f = SourceText::new("a.wf", "ab\nxé😀z\n");
        assert_eq!(
            f.line_col(0),
            LineCol {
                line: 1,
                column: 1,
                column_utf16: 0
            }
        );
        let z = "ab\nxé😀".len();
        assert_eq!(
            f.line_col(z),
            LineCol {
                line: 2,
                column: 4,
                column_utf16: 4
            }
        );
        assert_eq!(f.offset_of_utf16(1, 4), z);
        // past the end is clamped, never a panic
        assert_eq!(f.line_col(10_000).line, 3);
    }
}
