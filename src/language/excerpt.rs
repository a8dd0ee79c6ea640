//! Short excerpts of long lines. A diagnostic quotes the line it points into; a line of 40,000
//! characters quoted by each of a thousand diagnostics would be gigabytes of output. A line
//! longer than [`WIDE`] characters is shown as a window of it around the mistake, marked `…` at
//! each cut, while the line and column in the heading stay those of the original.

use std::collections::HashMap;
use std::ops::Range;

use codespan_reporting::files::{Error, Files};

/// The longest line quoted whole, in terminal columns.
pub const WIDE: usize = 120;

/// Columns kept before the mistake in a window.
const BEFORE: usize = 40;

/// What marks a cut.
const MARK: &str = "…";

/// A file's text with windows of its long lines appended, as codespan reads it.
pub struct Excerpts<'a> {
    name: &'a str,
    /// The original text, then the windows.
    text: String,
    original: usize,
    starts: Vec<usize>,
    windows: Vec<Window>,
    /// The window each long line is shown through, in the diagnostic being rendered.
    active: HashMap<usize, usize>,
}

/// A cut-out of one long line.
struct Window {
    line: usize,
    /// Where it is in `text` (after the leading mark, if any).
    start: usize,
    end: usize,
    /// The bytes of the original it shows.
    from: usize,
    to: usize,
    /// Characters of the line before it.
    chars_before: usize,
}

impl<'a> Excerpts<'a> {
    /// The excerpts of `text`, none taken yet.
    pub fn new(name: &'a str, text: &str) -> Excerpts<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Excerpts {
            name,
            text: text.to_string(),
            original: text.len(),
            starts,
            windows: Vec::new(),
            active: HashMap::new(),
        }
    }

    /// Starts a new diagnostic: no line is windowed yet.
    pub fn reset(&mut self) {
        self.active.clear();
    }

    /// `range` of the original as the diagnostic should point at it: itself on a short line;
    /// on a long one, inside the line's window (made around it if the line has none yet in
    /// this diagnostic). `None` when it falls outside the window another label chose.
    pub fn place(&mut self, range: Range<usize>) -> Option<Range<usize>> {
        let line = self.line_of(range.start);
        let last = self.line_of(range.end.max(range.start));
        if !(line..=last).any(|l| self.is_wide(l)) {
            return Some(range);
        }
        if !self.is_wide(line) {
            // A label that runs on into a long line is cut to its own line: codespan reads
            // every line a label touches, and a long one is shown only through its window.
            let (_, to) = self.original_line(line);
            return Some(range.start..range.end.min(to).max(range.start));
        }
        let index = match self.active.get(&line) {
            Some(&i) => i,
            None => {
                let i = self.cut(line, range.start);
                self.active.insert(line, i);
                i
            }
        };
        let w = &self.windows[index];
        if range.start < w.from || range.start > w.to {
            return None;
        }
        let start = w.start + (range.start - w.from);
        let end = w.start + (range.end.clamp(range.start, w.to) - w.from);
        Some(start..end)
    }

    /// Appends a window of `line` that shows byte `at` with some context before it.
    fn cut(&mut self, line: usize, at: usize) -> usize {
        let (from, to) = self.original_line(line);
        let chars: Vec<(usize, char)> = self.text[from..to].char_indices().collect();
        let at_char = chars.partition_point(|(i, _)| from + i < at);
        // Measured in columns, as a terminal shows them: a Chinese character takes two.
        let width = |c: &(usize, char)| unicode_width::UnicodeWidthChar::width(c.1).unwrap_or(0);
        let mut first = at_char;
        let mut before = 0;
        while first > 0 && before + width(&chars[first - 1]) <= BEFORE {
            first -= 1;
            before += width(&chars[first]);
        }
        let mut last = first;
        let mut shown = 0;
        while last < chars.len() && shown + width(&chars[last]) <= WIDE {
            shown += width(&chars[last]);
            last += 1;
        }
        let byte = |c: usize| chars.get(c).map_or(to, |(i, _)| from + i);
        let (w_from, w_to) = (byte(first), byte(last));
        self.text.push('\n');
        if first > 0 {
            self.text.push_str(MARK);
        }
        let start = self.text.len();
        let piece = self.text[w_from..w_to].to_string();
        self.text.push_str(&piece);
        let end = self.text.len();
        if last < chars.len() {
            self.text.push_str(MARK);
        }
        self.windows.push(Window {
            line,
            start,
            end,
            from: w_from,
            to: w_to,
            chars_before: first,
        });
        self.windows.len() - 1
    }

    /// Whether an original line is too wide to quote whole.
    fn is_wide(&self, line: usize) -> bool {
        let (from, to) = self.original_line(line);
        unicode_width::UnicodeWidthStr::width(&self.text[from..to]) > WIDE
    }

    /// The line (0-based) of an original byte.
    fn line_of(&self, byte: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= byte)
            .saturating_sub(1)
    }

    /// The bytes of an original line, without its line break.
    fn original_line(&self, line: usize) -> (usize, usize) {
        let from = self.starts[line];
        let to = self
            .starts
            .get(line + 1)
            .map_or(self.original, |next| next - 1);
        (from, to.max(from))
    }

    /// The active window of `line`, if it is shown through one.
    fn window_of(&self, line: usize) -> Option<&Window> {
        self.active.get(&line).map(|&i| &self.windows[i])
    }
}

impl<'f> Files<'f> for Excerpts<'_> {
    type FileId = ();
    type Name = &'f str;
    type Source = &'f str;

    fn name(&'f self, (): ()) -> Result<&'f str, Error> {
        Ok(self.name)
    }

    fn source(&'f self, (): ()) -> Result<&'f str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'f self, (): (), byte_index: usize) -> Result<usize, Error> {
        if byte_index > self.original {
            // The window the byte is in, exactly (a label is only ever placed inside one);
            // the windows this diagnostic shows first.
            let inside = |w: &&Window| (w.start..=w.end).contains(&byte_index);
            let active = self.active.values().map(|&i| &self.windows[i]).find(inside);
            if let Some(w) = active.or_else(|| self.windows.iter().find(inside)) {
                return Ok(w.line);
            }
        }
        Ok(self.line_of(byte_index.min(self.original)))
    }

    fn column_number(
        &'f self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        if let Some(w) = self.window_of(line_index)
            && byte_index >= w.start
        {
            let shown = self.text[w.start..byte_index.min(w.end)].chars().count();
            return Ok(w.chars_before + shown + 1);
        }
        let (from, _) = self.original_line(line_index);
        let to = byte_index.clamp(from, self.original);
        Ok(self.text[from..to].chars().count() + 1)
    }

    fn line_range(&'f self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        if let Some(w) = self.window_of(line_index) {
            let marked = if w.chars_before > 0 { MARK.len() } else { 0 };
            let tail = if self.text[w.end..].starts_with(MARK) {
                MARK.len()
            } else {
                0
            };
            return Ok(w.start - marked..w.end + tail);
        }
        if line_index >= self.starts.len() {
            return Err(Error::LineTooLarge {
                given: line_index,
                max: self.starts.len() - 1,
            });
        }
        let (from, to) = self.original_line(line_index);
        let with_break = if to < self.original { to + 1 } else { to };
        Ok(from..with_break)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_mistake() {
        let line = format!("{}错误{}", "甲".repeat(1000), "乙".repeat(1000));
        let text = format!("first\n{line}\nlast\n");
        let at = text.find("错误").unwrap();
        let mut excerpts = Excerpts::new("f", &text);
        let placed = excerpts.place(at..at + "错误".len()).unwrap();
        assert_eq!(&excerpts.text[placed.clone()], "错误");
        assert_eq!(excerpts.line_index((), placed.start).unwrap(), 1);
        assert_eq!(excerpts.column_number((), 1, placed.start).unwrap(), 1001);
        let shown = excerpts.line_range((), 1).unwrap();
        let shown = &excerpts.text[shown];
        assert!(shown.starts_with(MARK) && shown.ends_with(MARK), "{shown}");
        assert!(unicode_width::UnicodeWidthStr::width(shown) <= WIDE + 2);
        // A short line is its own excerpt; a label running on into the long line is cut.
        assert_eq!(excerpts.place(0..5), Some(0..5));
        assert_eq!(excerpts.place(0..text.len() - 1), Some(0..5));
    }
}
