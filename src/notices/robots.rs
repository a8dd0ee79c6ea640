//! The office's robots: the group robots of 企业微信, 钉钉 and 飞书 that notices go to, each by
//! its name, with the units whose notices it carries.
//!
//! A robot's webhook key is its address and its password at once (whoever has it can post to
//! the group), and a 钉钉 or 飞书 robot also has a signing secret; so robots are kept in a
//! secrets file of their own (`[channels] robots_file`, `DUBAN_ROBOTS_FILE`, or `robots.toml`
//! among systemd's credentials), never in a campaign or the records. The outbox names a robot
//! by its name only (`wecom:宛城区督办群`).
//!
//! ```toml
//! ["宛城区督办群"]
//! channel = "企业微信"          # 企业微信 (政务微信), 钉钉 or 飞书
//! key = "693a91f6-…"            # 企业微信: the key= of the webhook; 钉钉: its access_token;
//!                               # 飞书: the last part of the webhook's address
//! secret = "SEC…"               # 钉钉 and 飞书: the signing secret, if the robot signs
//! units = ["宛城区"]            # whose notices it carries
//! ```

use std::collections::HashMap;
use std::fmt;

use crate::vocabulary::Channel;

/// One robot, with its secrets.
#[derive(Clone)]
pub struct Robot {
    /// Its name, as the outbox and logs name it.
    pub name: String,
    /// Its app.
    pub channel: Channel,
    /// The webhook's key, token or hook id.
    pub(super) key: String,
    /// The signing secret, if the robot signs.
    pub(super) secret: Option<String>,
    /// The units whose notices it carries.
    pub units: Vec<String>,
}

/// Never the key or the secret: only whether they are there.
impl fmt::Debug for Robot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Robot")
            .field("name", &self.name)
            .field("channel", &self.channel)
            .field("signed", &self.secret.is_some())
            .field("units", &self.units)
            .finish_non_exhaustive()
    }
}

impl Robot {
    /// Whether it signs its requests.
    pub fn signed(&self) -> bool {
        self.secret.is_some()
    }
}

/// The robots file is unusable. No message quotes the file's text: a line of it may hold a key.
#[derive(Debug, thiserror::Error)]
pub enum RobotsError {
    /// The file cannot be read.
    #[error("cannot read the robots file {}: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not TOML.
    #[error("the robots file is not valid TOML at line {line}")]
    Syntax {
        /// Where.
        line: usize,
    },
    /// A robot lacks something or has something wrong.
    #[error("robot `{robot}` in the robots file: {problem}")]
    Robot {
        /// Which.
        robot: String,
        /// What is wrong.
        problem: String,
    },
}

/// Every robot of the office, by name.
#[derive(Clone, Debug, Default)]
pub struct RobotBook {
    robots: Vec<Robot>,
}

impl RobotBook {
    /// Reads the robots file's text.
    pub fn parse(text: &str) -> Result<RobotBook, RobotsError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e.span().map_or(0, |s| s.start);
            RobotsError::Syntax {
                line: text[..at.min(text.len())].matches('\n').count() + 1,
            }
        })?;
        let mut robots = Vec::new();
        for (name, value) in table {
            let bad = |problem: &str| RobotsError::Robot {
                robot: name.clone(),
                problem: problem.to_string(),
            };
            let toml::Value::Table(fields) = value else {
                return Err(bad(
                    "write it as a table: [\"name\"] with channel, key and units",
                ));
            };
            let text = |field: &str| match fields.get(field) {
                None => Ok(None),
                Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim())),
                Some(_) => Err(bad(&format!("`{field}` must be text"))),
            };
            for field in fields.keys() {
                if !["channel", "key", "secret", "units"].contains(&field.as_str()) {
                    return Err(bad(&format!(
                        "unknown field `{field}` (a robot has channel, key, secret and units)"
                    )));
                }
            }
            let channel =
                text("channel")?.ok_or_else(|| bad("no `channel` (企业微信, 钉钉 or 飞书)"))?;
            let channel = Channel::named(channel)
                .filter(|c| c.robot())
                .ok_or_else(|| bad("`channel` must be 企业微信, 钉钉 or 飞书"))?;
            let key = text("key")?.ok_or_else(|| bad("no `key`"))?.to_string();
            let secret = text("secret")?.map(str::to_string);
            if channel == Channel::Wecom && secret.is_some() {
                return Err(bad("a 企业微信 robot does not sign: leave `secret` out"));
            }
            let units = match fields.get("units") {
                Some(toml::Value::Array(list)) => list
                    .iter()
                    .map(|u| u.as_str().map(str::trim).map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad("`units` must be a list of unit names"))?,
                None => Vec::new(),
                Some(_) => return Err(bad("`units` must be a list of unit names")),
            };
            if name.contains(':') || name.trim().is_empty() {
                return Err(bad("a robot's name may not be empty or hold `:`"));
            }
            robots.push(Robot {
                name,
                channel,
                key,
                secret,
                units,
            });
        }
        Ok(RobotBook { robots })
    }

    /// Reads the robots file at `path`.
    pub fn read(path: &std::path::Path) -> Result<RobotBook, RobotsError> {
        let text =
            crate::fsio::read_text(path, crate::fsio::limits::SETTINGS).map_err(|source| {
                RobotsError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        RobotBook::parse(&text)
    }

    /// The robot `name` of `channel`.
    pub fn get(&self, channel: Channel, name: &str) -> Option<&Robot> {
        self.robots
            .iter()
            .find(|r| r.channel == channel && r.name == name)
    }

    /// Every robot, in the file's order.
    pub fn robots(&self) -> &[Robot] {
        &self.robots
    }

    /// Which robots carry which unit's notices: what the planner reads.
    pub fn routes(&self) -> Routes {
        let mut by_unit: HashMap<String, Vec<(Channel, String)>> = HashMap::new();
        for robot in &self.robots {
            for unit in &robot.units {
                by_unit
                    .entry(unit.clone())
                    .or_default()
                    .push((robot.channel, robot.name.clone()));
            }
        }
        Routes {
            by_unit,
            one_per_item: false,
            portal: None,
        }
    }
}

/// Which robot of each app carries a unit's notices (names only, no secret), and whether
/// robots and SMS get one message per item rather than one digest per campaign.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Routes {
    by_unit: HashMap<String, Vec<(Channel, String)>>,
    /// One message per item on channels other than mail.
    pub one_per_item: bool,
    /// Where people reach the pages (`base_url`), for the link a robot message ends with.
    pub portal: Option<String>,
}

impl Routes {
    /// The robot of `channel` that carries `unit`'s notices, if there is one.
    pub fn robot(&self, unit: &str, channel: Channel) -> Option<&str> {
        self.by_unit
            .get(unit)?
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, name)| name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_book_names_robots_and_their_units_and_never_shows_a_key() {
        let book = RobotBook::parse(
            "[\"宛城区督办群\"]\nchannel = \"企业微信\"\nkey = \"k-secret-1\"\nunits = [\"宛城区\", \"卧龙区\"]\n\
             [\"市纪委群\"]\nchannel = \"dingtalk\"\nkey = \"t\"\nsecret = \"SECabc\"\nunits = [\"市纪委\"]\n",
        )
        .unwrap();
        let routes = book.routes();
        assert_eq!(routes.robot("卧龙区", Channel::Wecom), Some("宛城区督办群"));
        assert_eq!(routes.robot("卧龙区", Channel::Dingtalk), None);
        assert!(book.get(Channel::Dingtalk, "市纪委群").unwrap().signed());
        let shown = format!("{book:?}");
        assert!(
            !shown.contains("k-secret-1") && !shown.contains("SECabc"),
            "{shown}"
        );
    }

    #[test]
    fn errors_say_where_without_quoting_the_file() {
        let e =
            RobotBook::parse("[\"a\"]\nchannel = \"企业微信\"\nkey = \"k-secret-2\n").unwrap_err();
        assert!(matches!(e, RobotsError::Syntax { line: 3 }), "{e}");
        assert!(!e.to_string().contains("k-secret-2"));
        let e = RobotBook::parse("[\"a\"]\nchannel = \"微博\"\nkey = \"k\"\n").unwrap_err();
        assert!(e.to_string().contains("企业微信, 钉钉 or 飞书"), "{e}");
        let e = RobotBook::parse("[\"a\"]\nchannel = \"企业微信\"\nkey = \"k\"\nsecret = \"s\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("does not sign"), "{e}");
    }
}
