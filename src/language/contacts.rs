//! Contacts kept outside the campaign text, so that the campaign file can be shared without
//! personal data. A TOML file with one table per unit:
//!
//! ```toml
//! ["宛城区"]
//! email = "wancheng@example.org"
//! leader = { name = "张三", email = "zhangsan@example.org", phone = "0377-1234567" }
//! liaison = { name = "李四", email = "lisi@example.org" }
//! ```

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::ast::{ContactRole, Span};
use super::diagnostic::{Diagnostic, Problem};

/// The contacts of one unit, as the file gives them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitContacts {
    /// The unit's mailbox.
    pub email: Option<Spanned<String>>,
    /// The unit's phone.
    pub phone: Option<String>,
    /// The leader in charge (分管领导).
    pub leader: Option<Person>,
    /// The liaison (联络员).
    pub liaison: Option<Person>,
    /// Other contacts (联系人).
    #[serde(default)]
    pub contact: Vec<Person>,
}

impl UnitContacts {
    /// The people, each with its role.
    pub fn people(&self) -> impl Iterator<Item = (ContactRole, &Person)> {
        self.leader
            .iter()
            .map(|p| (ContactRole::Leader, p))
            .chain(self.liaison.iter().map(|p| (ContactRole::Liaison, p)))
            .chain(self.contact.iter().map(|p| (ContactRole::Contact, p)))
    }
}

/// A contact person.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Their name.
    pub name: Option<String>,
    /// Their mailbox.
    pub email: Option<Spanned<String>>,
    /// Their phone.
    pub phone: Option<String>,
}

/// A parsed contacts file: unit name (with where it is written) → contacts.
#[derive(Clone, Debug, Default)]
pub struct ContactBook {
    /// Which file of the diagnostics' sources it is.
    pub file: usize,
    /// Entries, by unit name.
    pub units: Vec<(String, Span, UnitContacts)>,
    /// Whether it is the office's address book (from `duban.toml`) rather than the campaign's
    /// own: it names units of other campaigns too, which are not worth a warning.
    pub shared: bool,
}

impl ContactBook {
    /// Parses `text`, which diagnostics will call file number `file`.
    ///
    /// A national campaign's file holds tens of thousands of units, and the TOML parser keeps a
    /// whole document tree in memory at thirty times the text's size; so the file is parsed a
    /// slice of units at a time. Any slice that does not stand alone (a parse error, or a unit
    /// whose tables straddle two slices) sends the whole file through the parser in one piece,
    /// which gives the exact result or error.
    pub fn parse(text: &str, file: usize) -> Result<ContactBook, Box<Diagnostic>> {
        let units = match in_slices(text) {
            Some(units) => units,
            None => whole(text, file)?,
        };
        Ok(ContactBook {
            file,
            units,
            shared: false,
        })
    }
}

/// A unit's entry: its name, where the name is written, its contacts.
type Entry = (String, Span, UnitContacts);

/// The entries of `text` parsed a slice at a time, by name; none if a slice does not stand
/// alone.
fn in_slices(text: &str) -> Option<Vec<Entry>> {
    let mut units = Vec::new();
    let mut seen = HashSet::new();
    for (offset, slice) in slices(text) {
        for (name, contacts) in parse_table(slice).ok()? {
            if !seen.insert(name.get_ref().clone()) {
                return None;
            }
            units.push(entry(name, contacts, offset));
        }
    }
    units.sort_by(|a, b| a.0.cmp(&b.0));
    Some(units)
}

/// The entries of `text` parsed in one piece, by name, or the parser's exact error.
fn whole(text: &str, file: usize) -> Result<Vec<Entry>, Box<Diagnostic>> {
    let table = parse_table(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Diagnostic::error(
            Problem::ContactsFile {
                path: String::new(),
                message: e.message().to_string(),
            },
            Span::new(span.start, span.end),
        )
        .in_file(file)
    })?;
    Ok(table
        .into_iter()
        .map(|(name, contacts)| entry(name, contacts, 0))
        .collect())
}

/// An entry of a slice that starts `offset` bytes into the file.
fn entry(name: Spanned<String>, mut contacts: UnitContacts, offset: usize) -> Entry {
    let span = name.span();
    if offset > 0 {
        contacts.shift_spans(offset);
    }
    let span = Span::new(span.start + offset, span.end + offset);
    (name.into_inner(), span, contacts)
}

fn parse_table(text: &str) -> Result<BTreeMap<Spanned<String>, UnitContacts>, toml::de::Error> {
    toml::from_str(text)
}

/// How much text one slice holds at least: small enough that the parser's tree stays a few MiB.
const SLICE_BYTES: usize = 64 * 1024;

/// Cuts `text` into slices of whole units, each with its byte offset: a slice ends before a line
/// that opens a top-level table (`[` but not `[[`) once it holds [`SLICE_BYTES`].
fn slices(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let mut end = start;
        for line in text[start..].split_inclusive('\n') {
            let opens_table = line.starts_with('[') && !line.starts_with("[[");
            if end - start >= SLICE_BYTES && opens_table {
                break;
            }
            end += line.len();
        }
        let slice = (start, &text[start..end]);
        start = end;
        Some(slice)
    })
}

impl UnitContacts {
    fn shift_spans(&mut self, offset: usize) {
        shift(&mut self.email, offset);
        for person in self
            .leader
            .iter_mut()
            .chain(&mut self.liaison)
            .chain(&mut self.contact)
        {
            shift(&mut person.email, offset);
        }
    }
}

fn shift(value: &mut Option<Spanned<String>>, offset: usize) {
    if let Some(v) = value.take() {
        let span = v.span();
        *value = Some(Spanned::new(
            span.start + offset..span.end + offset,
            v.into_inner(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_with_spans() {
        let text = "[\"宛城区\"]\nemail = \"a@example.org\"\nliaison = { name = \"李四\", email = \"l@example.org\" }\n";
        let book = ContactBook::parse(text, 1).unwrap();
        let (name, span, contacts) = &book.units[0];
        assert_eq!(name, "宛城区");
        assert_eq!(&text[span.start..span.end], "\"宛城区\"");
        assert_eq!(contacts.people().count(), 1);
    }

    #[test]
    fn errors_point_into_the_file() {
        let d = ContactBook::parse("[\"宛城区\"]\nemial = \"x\"\n", 1).unwrap_err();
        assert_eq!(d.file, 1);
        assert!(d.span.start > 0);
    }

    fn many_units(n: usize) -> String {
        (0..n)
            .map(|i| format!("[\"村{i:05}\"]\nliaison = {{ email = \"v{i}@example.org\" }}\n"))
            .collect()
    }

    #[test]
    fn a_large_file_parses_in_slices_to_the_same_book() {
        let text = many_units(5000);
        assert!(slices(&text).count() > 2);
        let sliced = ContactBook::parse(&text, 1).unwrap();
        let whole = whole(&text, 1).unwrap();
        assert_eq!(sliced.units.len(), 5000);
        for (a, b) in sliced.units.iter().zip(&whole) {
            assert_eq!((&a.0, a.1), (&b.0, b.1));
            let (ea, eb) = (a.2.liaison.as_ref().unwrap(), b.2.liaison.as_ref().unwrap());
            assert_eq!(
                ea.email.as_ref().unwrap().span(),
                eb.email.as_ref().unwrap().span()
            );
        }
        let (name, span, contacts) = sliced.units.last().unwrap();
        assert_eq!(&text[span.start..span.end], format!("\"{name}\""));
        let email = contacts.liaison.as_ref().unwrap().email.as_ref().unwrap();
        assert_eq!(&text[email.span()], "\"v4999@example.org\"");
    }

    #[test]
    fn a_unit_split_across_slices_or_an_error_late_in_the_file_reads_as_one_piece() {
        let mut text = many_units(3000);
        text.push_str("[\"村00001\".leader]\nemail = \"boss@example.org\"\n");
        let book = ContactBook::parse(&text, 1).unwrap();
        assert_eq!(book.units.len(), 3000);
        assert!(book.units[1].2.leader.is_some());

        let mut bad = many_units(3000);
        bad.push_str("[\"村00001\"]\nemail = \"again@example.org\"\n");
        let d = ContactBook::parse(&bad, 1).unwrap_err();
        assert!(d.span.start > bad.len() - 60, "{:?}", d.span);
    }
}
