//! What reports say: forms with fields, the files units fill in (CSV in UTF-8 or GBK, .xlsx,
//! JSON, `--value`), roll-ups up the unit hierarchy, targets with values, and the schema
//! upgrade that brought them — on SQLite, and the same scenarios on PostgreSQL.

mod bad_input;
mod ledgers;
pub mod rollup;
mod targets;
mod upgrade;

use crate::common::Workspace;

/// A workspace and the database its commands use: its SQLite file, or a PostgreSQL URL.
pub struct Office {
    pub w: Workspace,
    db: Vec<String>,
}

impl Office {
    /// On SQLite, with copies of the named seed campaigns.
    pub fn sqlite(campaigns: &[&str]) -> Office {
        Office {
            w: Workspace::new(campaigns),
            db: Vec::new(),
        }
    }

    /// On a new database of the test server (`None` when the suite is told to skip it).
    pub fn postgres(campaigns: &[&str]) -> Option<Office> {
        let url = crate::pgserver::database()?;
        Some(Office {
            w: Workspace::new(campaigns),
            db: vec!["--db".into(), url],
        })
    }

    /// The same workspace, on the PostgreSQL database `url`.
    pub fn on(self, url: &str) -> Office {
        Office {
            w: self.w,
            db: vec!["--db".into(), url.into()],
        }
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = args.to_vec();
        all.extend(self.db.iter().map(String::as_str));
        all
    }

    /// Runs `duban`, requiring exit 0.
    pub fn ok(&self, args: &[&str]) -> String {
        self.w.ok(&self.args(args))
    }

    /// Runs `duban`, requiring exit 2; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        self.w.fails(&self.args(args))
    }

    /// Runs `duban … --format json`.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        self.w.json(&self.args(args))
    }

    /// Runs `duban` and returns its exit code.
    pub fn code(&self, args: &[&str]) -> i32 {
        self.w.run(&self.args(args)).code
    }

    /// Writes `text` to `name` in the workspace and returns its path.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.w.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

/// The 南阳 统计表's columns, in the form's order, and a row of figures for unit number `i`.
pub const NANYANG_FIELDS: [&str; 9] = [
    "中省市转办线索数",
    "自查自纠问题线索数",
    "查处问题数",
    "约谈函询人数",
    "组织处理人数",
    "党纪处分人数",
    "政纪处分人数",
    "责任追究人数",
    "移送司法机关人数",
];

/// Figures that would pass a check an office may add: 查处 ≤ 转办 + 自查.
pub fn figures(i: usize) -> Vec<String> {
    let i = i as i64;
    [i + 3, i % 4, i + 1, i % 3, 1, i % 2, 0, i % 5, i % 2]
        .map(|n| n.to_string())
        .to_vec()
}

/// A CSV of one unit's figures, with a 填报单位 column.
pub fn csv(unit: &str, values: &[String]) -> String {
    format!(
        "填报单位,{}\n{unit},{}\n",
        NANYANG_FIELDS.join(","),
        values.join(",")
    )
}
