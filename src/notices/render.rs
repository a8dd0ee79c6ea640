//! Notices → mails. Notices for the same mailbox (in one campaign) become one digest: a county
//! liaison with three reports due gets one mail, and the supervising office one mail listing
//! every late unit. Mails are rendered from templates (Chinese by default, in `templates/`); a
//! campaign can point at a folder of its own with `templates "folder"`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use minijinja::Environment;
use serde::Serialize;

use super::plan::{Audience, Candidate, Kind, Notice};
use crate::schedule::Period;

/// What templates know about a campaign.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CampaignInfo {
    /// Identifier.
    pub id: String,
    /// Title, or the identifier.
    pub name: String,
    /// 《title》（doc） — what the mail says it is acting on.
    pub basis: String,
    /// The document number, or the title.
    pub doc_or_title: String,
    /// The office (主办单位), or the issuer.
    pub office: String,
    /// The office's phone.
    pub office_phone: Option<String>,
    /// The campaign's own templates folder.
    #[serde(skip)]
    pub templates: Option<String>,
}

impl From<&crate::store::CampaignRow> for CampaignInfo {
    fn from(row: &crate::store::CampaignRow) -> CampaignInfo {
        let name = row.title.clone().unwrap_or_else(|| row.key.clone());
        let basis = match &row.doc {
            Some(doc) => format!("《{name}》（{doc}）"),
            None => format!("《{name}》"),
        };
        CampaignInfo {
            id: row.key.clone(),
            name,
            basis,
            doc_or_title: row
                .doc
                .clone()
                .or_else(|| row.title.clone())
                .unwrap_or_default(),
            office: row
                .office
                .clone()
                .or_else(|| row.issuer.clone())
                .unwrap_or_default(),
            office_phone: row.office_phone.clone(),
            templates: row.templates.clone(),
        }
    }
}

/// Notices for one mailbox.
#[derive(Clone, Debug)]
pub struct Digest {
    /// The campaign's row.
    pub campaign_id: i64,
    /// The mailbox.
    pub address: String,
    /// Whom it reaches.
    pub name: String,
    /// The unit's own reports, or others'.
    pub audience: Audience,
    /// Indices into the planner's notices.
    pub notices: Vec<usize>,
}

/// As [`digests`], each digest to a robot or a phone split into one per item when
/// `one_per_item` says so (mail keeps its digests).
pub fn digests_for(
    notices: &[Notice],
    candidates: &[Candidate],
    one_per_item: bool,
) -> Vec<Digest> {
    let all = digests(notices, candidates);
    if !one_per_item {
        return all;
    }
    all.into_iter()
        .flat_map(|d| {
            if crate::vocabulary::Channel::of(&d.address).0 == crate::vocabulary::Channel::Mail {
                return vec![d];
            }
            d.notices
                .iter()
                .map(|&i| Digest {
                    notices: vec![i],
                    ..d.clone()
                })
                .collect()
        })
        .collect()
}

/// Groups notices into one digest per (campaign, audience, mailbox), in a stable order. A
/// robot that carries several units gets one per unit of their own notices: each is greeted,
/// and linked, as its unit's.
pub fn digests(notices: &[Notice], candidates: &[Candidate]) -> Vec<Digest> {
    let mut groups: BTreeMap<(i64, String, Audience, Option<&str>), Digest> = BTreeMap::new();
    for (index, notice) in notices.iter().enumerate() {
        let c = &candidates[notice.candidate];
        let shared_robot = notice.to.audience == Audience::Unit
            && crate::vocabulary::Channel::of(&notice.to.address).0.robot();
        let key = (
            c.campaign_id,
            notice.to.address.clone(),
            notice.to.audience,
            shared_robot.then_some(&*c.unit),
        );
        groups
            .entry(key)
            .or_insert_with(|| Digest {
                campaign_id: c.campaign_id,
                address: notice.to.address.clone(),
                name: notice.to.name.clone(),
                audience: notice.to.audience,
                notices: Vec::new(),
            })
            .notices
            .push(index);
    }
    groups.into_values().collect()
}

/// The finished mail of `digest` for the outbox: its text, a Message-ID unique to it, and the
/// key of every notice it carries.
pub fn outbox_mail(
    digest: &Digest,
    rendered: Rendered,
    notices: &[Notice],
    candidates: &[Candidate],
    now: i64,
    domain: &str,
) -> crate::store::OutboxMail {
    let keys = digest
        .notices
        .iter()
        .map(|&i| {
            let notice = &notices[i];
            let c = &candidates[notice.candidate];
            crate::store::NoticeKey {
                obligation_id: c.obligation_id,
                stage: notice.stage.label(),
                due_date: c.due_date.to_string(),
                recipient: notice.to.address.clone(),
                role: notice.to.role.clone(),
                send_at: notice.stage.send_at.timestamp(),
            }
        })
        .collect();
    crate::store::OutboxMail {
        campaign_id: digest.campaign_id,
        recipient: digest.address.clone(),
        subject: rendered.subject,
        body: rendered.body,
        message_id: message_id(digest, now, domain),
        notices: keys,
        attachment: None,
        not_before: None,
    }
}

/// A Message-ID unique to this digest, stable across its retries.
fn message_id(digest: &Digest, now: i64, domain: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(digest.campaign_id.to_le_bytes());
    hasher.update(digest.address.as_bytes());
    hasher.update(now.to_le_bytes());
    for n in &digest.notices {
        hasher.update(n.to_le_bytes());
    }
    hasher.update(std::process::id().to_le_bytes());
    let hash = short_hex(&hasher.finalize());
    format!("<duban.{now}.{hash}@{domain}>")
}

/// The first twelve bytes of a digest in hex: an id short enough for a header, long enough
/// never to repeat among the outbox's.
pub(super) fn short_hex(digest: &[u8]) -> String {
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// A rendered mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// Plain text.
    pub body: String,
}

/// A template that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("mail template {name}: {problem}")]
pub struct TemplateError {
    /// Which template.
    pub name: String,
    /// What is wrong.
    pub problem: TemplateProblem,
}

/// What is wrong with a mail template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateProblem {
    /// The file cannot be read (not there, not a regular file, too long, not UTF-8).
    #[error("{0}")]
    Unreadable(std::io::Error),
    /// The file is a symbolic link out of its campaign's templates folder.
    #[error("it leads outside the templates folder")]
    Outside,
    /// minijinja refuses it, or it fails to render.
    #[error("{0}")]
    Template(minijinja::Error),
}

const NAMES: [&str; 4] = [
    "unit.subject",
    "unit.body",
    "escalation.subject",
    "escalation.body",
];

/// The mail templates of a campaign.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// duban's own templates.
    pub fn builtin() -> Templates {
        let mut env = Environment::new();
        let sources = [
            include_str!("../../templates/unit.subject.j2"),
            include_str!("../../templates/unit.body.j2"),
            include_str!("../../templates/escalation.subject.j2"),
            include_str!("../../templates/escalation.body.j2"),
        ];
        for (name, source) in NAMES.iter().zip(sources) {
            // The shipped templates are compiled by a test; a failure here cannot happen.
            let _ = env.add_template(name, source);
        }
        Templates { env }
    }

    /// duban's templates, with those of `folder` (`unit.subject.j2` …) in their place.
    pub fn with_folder(folder: &Path) -> Result<Templates, TemplateError> {
        let mut templates = Templates::builtin();
        for name in NAMES {
            let path = folder.join(format!("{name}.j2"));
            if !path.exists() {
                continue;
            }
            let source = read_template(folder, &path).map_err(|problem| TemplateError {
                name: path.display().to_string(),
                problem,
            })?;
            templates
                .env
                .add_template_owned(name.to_string(), source)
                .map_err(|e| TemplateError {
                    name: path.display().to_string(),
                    problem: TemplateProblem::Template(e),
                })?;
        }
        Ok(templates)
    }

    /// Renders one digest as of `t`, with what `looked_up` finds.
    pub fn render(
        &self,
        digest: &Digest,
        notices: &[Notice],
        candidates: &[Candidate],
        campaign: &CampaignInfo,
        looked_up: &LookUps<'_>,
        t: DateTime<Utc>,
    ) -> Result<Rendered, TemplateError> {
        let LookUps { contact_of, ack } = looked_up;
        let first = &candidates[notices[digest.notices[0]].candidate];
        let today = t.with_timezone(&first.zone).date_naive();
        let mut items: Vec<Item> = digest
            .notices
            .iter()
            .map(|&i| Item::new(&notices[i], &candidates[notices[i].candidate], today, ack))
            .collect();
        // Units in the campaign's order, each unit's items by deadline.
        items.sort_by(|a, b| {
            (a.unit_order, &a.due_date, &a.name, &a.period).cmp(&(
                b.unit_order,
                &b.due_date,
                &b.name,
                &b.period,
            ))
        });
        let kind = items.iter().map(|i| i.kind).max().unwrap_or(Kind::Reminder);
        let group =
            |items: &[Item]| unit_groups(items, &|unit| contact_of(digest.campaign_id, unit));
        // One section per kind, the most serious first: a mail that carries overdue reports and
        // reports still to come says which is which, each in its own words.
        let mut kinds: Vec<Kind> = items.iter().map(|i| i.kind).collect();
        kinds.sort_unstable_by(|a, b| b.cmp(a));
        kinds.dedup();
        let sections = kinds
            .into_iter()
            .map(|kind| {
                let items: Vec<Item> = items.iter().filter(|i| i.kind == kind).cloned().collect();
                Section {
                    kind,
                    units: group(&items),
                    items,
                }
            })
            .collect();
        let reviews = items.iter().any(|i| i.review_of.is_some());
        let context = Context {
            reviews,
            campaign,
            recipient: Recipient {
                name: digest.name.clone(),
                address: digest.address.clone(),
            },
            kind,
            units: group(&items),
            items,
            sections,
            as_of_zh: zh_date(today, None),
        };
        let prefix = match digest.audience {
            Audience::Unit => "unit",
            Audience::Supervisor => "escalation",
        };
        let render = |name: String| -> Result<String, TemplateError> {
            let error = |e: minijinja::Error| TemplateError {
                name: name.clone(),
                problem: TemplateProblem::Template(e),
            };
            self.env
                .get_template(&name)
                .map_err(error)?
                .render(minijinja::value::Serde(&context))
                .map_err(error)
        };
        let subject = render(format!("{prefix}.subject"))?;
        let body = render(format!("{prefix}.body"))?;
        Ok(Rendered {
            subject: one_line(&subject),
            body: body.trim_end().to_string() + "\n",
        })
    }
}

/// What a template is given.
#[derive(Serialize)]
struct Context<'a> {
    campaign: &'a CampaignInfo,
    recipient: Recipient,
    /// The most serious kind in the mail: what its subject leads with. Each item keeps its own.
    kind: Kind,
    items: Vec<Item>,
    units: Vec<UnitGroup>,
    /// The items by kind, the most serious first; one section unless the mail mixes kinds.
    sections: Vec<Section>,
    /// Whether any item is a review the recipient owes, not a report.
    reviews: bool,
    as_of_zh: String,
}

/// The items of one kind in a mail, and their units.
#[derive(Serialize)]
struct Section {
    kind: Kind,
    items: Vec<Item>,
    units: Vec<UnitGroup>,
}

/// `items` (sorted by unit) grouped by unit, each with whom to call there.
fn unit_groups(items: &[Item], contact_of: &dyn Fn(&str) -> Option<String>) -> Vec<UnitGroup> {
    let mut units: Vec<UnitGroup> = Vec::new();
    for item in items {
        match units.last_mut() {
            Some(group) if *group.name == *item.unit => group.items.push(item.clone()),
            _ => units.push(UnitGroup {
                name: item.unit.to_string(),
                contact: contact_of(&item.unit),
                items: vec![item.clone()],
            }),
        }
    }
    units
}

/// What a mail looks up beside its items: a unit's contact line (campaign, unit), and the link
/// that acknowledges an item (签收), where there is one.
pub struct LookUps<'a> {
    /// The contact line of a unit of a campaign.
    pub contact_of: &'a dyn Fn(i64, &str) -> Option<String>,
    /// The 签收 link of an item.
    pub ack: &'a dyn Fn(&Candidate) -> Option<String>,
}

#[derive(Serialize)]
struct Recipient {
    name: String,
    address: String,
}

#[derive(Clone, Serialize)]
struct UnitGroup {
    name: String,
    contact: Option<String>,
    items: Vec<Item>,
}

/// One obligation as a mail lists it.
#[derive(Clone, Serialize)]
struct Item {
    name: Arc<str>,
    deliverable: Arc<str>,
    unit: Arc<str>,
    period: Option<Arc<str>>,
    period_zh: Option<String>,
    due_date: String,
    due_zh: String,
    /// The last day on time, when a rest day moved it past the stated date (民法典 第二百零三条).
    last_day_zh: Option<String>,
    days_left: i64,
    days_overdue: i64,
    kind: Kind,
    stage: String,
    to: String,
    form: Option<Arc<str>>,
    returned: bool,
    /// For a value below target: the value reported (`12%`).
    value: Option<String>,
    /// For a value below target: the threshold (`不低于50%`).
    threshold: Option<String>,
    /// For a review owed: the unit whose report waits for it (`unit` is the reviewer).
    review_of: Option<Arc<str>>,
    /// The link that acknowledges it (签收), where its report asks for that and the pages'
    /// address is known.
    ack: Option<String>,
    #[serde(skip)]
    unit_order: i64,
}

impl Item {
    fn new(
        notice: &Notice,
        c: &Candidate,
        today: NaiveDate,
        ack: &dyn Fn(&Candidate) -> Option<String>,
    ) -> Item {
        Item {
            name: c.title.clone().unwrap_or_else(|| c.deliverable.clone()),
            deliverable: c.deliverable.clone(),
            unit: c.unit.clone(),
            period_zh: c.period.as_deref().map(period_zh),
            period: c.period.clone(),
            due_date: c.due_date.to_string(),
            due_zh: zh_date(c.due_date, Some(today.year())),
            last_day_zh: (c.on_time_until > c.due_date)
                .then(|| zh_date(c.on_time_until, Some(today.year()))),
            days_left: (c.due_date - today).num_days(),
            days_overdue: (today - c.on_time_until).num_days(),
            kind: notice.stage.kind,
            stage: notice.stage.label(),
            to: c.to.join("、"),
            form: c.form.clone(),
            returned: c.returned,
            value: c.below.as_ref().map(|b| {
                let unit = b.threshold.unit.as_deref().unwrap_or("");
                format!("{}{unit}", crate::language::form::num(b.value))
            }),
            threshold: c.below.as_ref().map(|b| {
                let unit = b.threshold.unit.as_deref().unwrap_or("");
                let word = if b.threshold.at_least {
                    "不低于"
                } else {
                    "不高于"
                };
                format!(
                    "{word}{}{unit}",
                    crate::language::form::num(b.threshold.value)
                )
            }),
            review_of: c.review_of.clone(),
            ack: ack(c),
            unit_order: c.unit_order,
        }
    }
}

/// `2017-05` → `2017年5月`, `2017-Q2` → `2017年第二季度`, `2017` → `2017年度`.
pub fn period_zh(period: &str) -> String {
    const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];
    match Period::parse(period) {
        Some(Period::Month { year, month }) => format!("{year}年{month}月"),
        Some(Period::Quarter { year, quarter }) => {
            format!(
                "{year}年第{}季度",
                QUARTERS[(quarter as usize).clamp(1, 4) - 1]
            )
        }
        Some(Period::Year(year)) => format!("{year}年度"),
        Some(Period::Week { year, week }) => format!("{year}年第{week}周"),
        Some(Period::HalfMonth { year, month, half }) => {
            format!(
                "{year}年{month}月{}",
                if half == 1 { "上半月" } else { "下半月" }
            )
        }
        Some(Period::HalfYear { year, half }) => {
            format!("{year}年{}", if half == 1 { "上半年" } else { "下半年" })
        }
        Some(Period::Date(date)) => zh_date(date, None),
        _ => period.to_string(),
    }
}

/// `5月25日`, with the year when it is not `this_year`'s.
pub fn zh_date(date: NaiveDate, this_year: Option<i32>) -> String {
    if this_year == Some(date.year()) {
        format!("{}月{}日", date.month(), date.day())
    } else {
        format!("{}年{}月{}日", date.year(), date.month(), date.day())
    }
}

/// A subject is one line of printable text, whatever a template or a name holds.
fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A template file of `folder`: a regular file of limited size that does not lead out of the
/// folder through a symbolic link.
fn read_template(folder: &Path, path: &Path) -> Result<String, TemplateProblem> {
    let real = std::fs::canonicalize(path).map_err(TemplateProblem::Unreadable)?;
    let folder = std::fs::canonicalize(folder).map_err(TemplateProblem::Unreadable)?;
    if !real.starts_with(&folder) {
        return Err(TemplateProblem::Outside);
    }
    crate::fsio::read_text(&real, crate::fsio::limits::TEMPLATE)
        .map_err(TemplateProblem::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_dates_in_chinese() {
        assert_eq!(period_zh("2017-05"), "2017年5月");
        assert_eq!(period_zh("2017-Q2"), "2017年第二季度");
        assert_eq!(period_zh("2017"), "2017年度");
        assert_eq!(period_zh("2025-W23"), "2025年第23周");
        assert_eq!(period_zh("2023-04-30"), "2023年4月30日");
        assert_eq!(period_zh("2017-05-H1"), "2017年5月上半月");
        assert_eq!(period_zh("2017-H2"), "2017年下半年");
        assert_eq!(period_zh("自查自纠"), "自查自纠");
        let d = NaiveDate::from_ymd_opt(2018, 1, 25).unwrap();
        assert_eq!(zh_date(d, Some(2017)), "2018年1月25日");
        assert_eq!(zh_date(d, Some(2018)), "1月25日");
    }

    #[test]
    fn subjects_cannot_carry_new_lines() {
        assert_eq!(one_line("【催报】a\r\nBcc: x@y\n"), "【催报】a Bcc: x@y");
    }

    #[test]
    fn builtin_templates_compile() {
        let templates = Templates::builtin();
        for name in NAMES {
            assert!(templates.env.get_template(name).is_ok(), "{name}");
        }
    }
}
