//! Contacts: thousands of units each with their own, and the office's file for campaigns that name none.

use crate::common::Workspace;

#[test]
fn a_listing_of_thousands_of_units_gives_each_its_own_contacts() {
    // Past a thousand units, a listing reads all of a campaign's units at once instead of one
    // by one: both ways must name every unit with its own liaison.
    let w = Workspace::new(&[]);
    let villages: Vec<String> = (1..=1500).map(|n| format!("村{n:04}")).collect();
    let campaign = format!(
        "campaign many \"many villages\" {{\n  period 2025-01-01 .. 2025-03-31\n  \
         contacts \"many.contacts.toml\"\n}}\nunit 乡政府 {{ email \"town@example.org\" }}\n\
         group 各村 {{\n  {}\n}}\nreport 月报 {{\n  from 各村\n  to 乡政府\n  \
         due every month by day 25\n  first 2025-01\n  last 2025-03\n}}\n",
        villages.join(" ")
    );
    let contacts: String = villages
        .iter()
        .map(|v| format!("[\"{v}\"]\nliaison = {{ email = \"{v}@example.org\" }}\n"))
        .collect();
    std::fs::write(w.path().join("campaigns/many.campaign"), campaign).unwrap();
    std::fs::write(w.path().join("campaigns/many.contacts.toml"), contacts).unwrap();
    let out = w.ok(&["overdue", "--as-of", "2025-02-01", "--format", "csv"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 1500);
    for (row, village) in rows.iter().zip(&villages) {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[2], village, "{row}");
        assert_eq!(fields[10], format!("{village}@example.org"), "{row}");
    }
    let out = w.ok(&[
        "due",
        "--within",
        "30d",
        "--as-of",
        "2025-02-01",
        "--format",
        "csv",
    ]);
    assert_eq!(out.lines().count(), 1501);
}

#[test]
fn the_offices_contacts_file_serves_campaigns_that_name_none() {
    let w = Workspace::new(&[]);
    std::fs::write(
        w.path().join("campaigns/small.campaign"),
        "campaign small \"small\" {\n  period 2025-01-01 .. 2025-03-31\n}\n\
         unit 乡政府 { email \"town@example.org\" }\nunit 甲村\nunit 乙村\n\
         report 月报 {\n  from 甲村 乙村\n  to 乡政府\n  due 2025-01-25\n}\n",
    )
    .unwrap();
    let book = |email: &str| {
        format!(
            "[\"甲村\"]\nliaison = {{ email = \"{email}\" }}\n\
             [\"别的村\"]\nliaison = {{ email = \"other@example.org\" }}\n"
        )
    };
    std::fs::write(w.path().join("office.toml"), book("jia@example.org")).unwrap();
    std::fs::write(w.path().join("duban.toml"), "contacts = \"office.toml\"\n").unwrap();
    let liaison_of_jia = || {
        let out = w.ok(&["overdue", "--as-of", "2025-02-01", "--format", "csv"]);
        let row = out
            .lines()
            .find(|l| l.contains(",甲村,"))
            .unwrap()
            .to_string();
        row.split(',').nth(10).unwrap().to_string()
    };

    // A unit of another campaign in the office's book is not worth a warning.
    let run = w.run(&["check", "campaigns"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(liaison_of_jia(), "jia@example.org");

    // An edited book, and a configuration without it, reach the store at the next command.
    std::fs::write(w.path().join("office.toml"), book("jia2@example.org")).unwrap();
    assert_eq!(liaison_of_jia(), "jia2@example.org");
    std::fs::write(w.path().join("duban.toml"), "").unwrap();
    assert_eq!(liaison_of_jia(), "");
}
