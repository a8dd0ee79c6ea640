//! Contacts kept outside the campaign text, so that the campaign file can be shared without
//! personal data. A TOML file with one table per unit:
//!
//! ```toml
//! ["宛城区"]
//! email = "wancheng@example.org"
//! leader = { name = "张三", email = "zhangsan@example.org", phone = "0377-1234567" }
//! liaison = { name = "李四", email = "lisi@example.org" }
//! ```

use std::collections::BTreeMap;

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
}

impl ContactBook {
    /// Parses `text`, which diagnostics will call file number `file`.
    pub fn parse(text: &str, file: usize) -> Result<ContactBook, Box<Diagnostic>> {
        let table: BTreeMap<Spanned<String>, UnitContacts> = toml::from_str(text).map_err(|e| {
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
        let units = table
            .into_iter()
            .map(|(name, contacts)| {
                let span = name.span();
                (name.into_inner(), Span::new(span.start, span.end), contacts)
            })
            .collect();
        Ok(ContactBook { file, units })
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
}
