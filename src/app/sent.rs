//! What an obligation's last submission said — its figures, who sent it and who signed it — as
//! whoever decides on it reads it first: the reviewer's queue shows it in each row, the
//! obligation's page above its forms, so that nobody accepts or returns a report unseen.

use super::rights::rights;
use super::{AppError, Office};
use crate::clock::Instant;
use crate::store::{Backend, HistoryEvent, Key, User, WorkItem};

/// The last submission of an obligation, as its history recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// When it was sent (RFC 3339 in the campaign's zone, as the history gives it).
    pub at: String,
    /// Who sent it, if recorded.
    pub by: Option<String>,
    /// Its figures: each field with its value as people read it.
    pub values: Vec<(String, String)>,
    /// Who signed it: each role with the name signed.
    pub signed: Vec<(String, String)>,
}

impl Sent {
    /// The last submission of `history` (a replacement counts as one), if any. A replacement
    /// that carries no figures or no signatures leaves those of the submission before it
    /// standing, as the ledger does.
    pub fn last(history: &[HistoryEvent]) -> Option<Sent> {
        let sent: Vec<&HistoryEvent> = history
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "submitted" | "updated"))
            .collect();
        let latest = sent.last()?;
        let values = sent
            .iter()
            .rev()
            .find(|e| !e.values.is_empty())
            .map(|e| {
                e.values
                    .iter()
                    .map(|v| (v.field.clone(), v.display()))
                    .collect()
            })
            .unwrap_or_default();
        let signed = sent
            .iter()
            .rev()
            .map(|e| signatures(e))
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        Some(Sent {
            at: latest.at.clone(),
            by: latest.by.clone(),
            values,
            signed,
        })
    }
}

/// Who signed `event` (a submission's): each role with the name signed, in the order given.
pub fn signatures(event: &HistoryEvent) -> Vec<(String, String)> {
    event
        .data
        .get("signatures")
        .and_then(|s| s.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|s| {
                    let name = s.get("name")?.as_str()?;
                    let role = s.get("role")?.as_str()?;
                    Some((role.to_string(), name.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Office {
    /// What was last sent for `item` as it stood at `as_of`, if `who` may see the obligation
    /// (asked of [`rights`], as every page asks); none if nothing was sent.
    pub fn sent_last(
        &self,
        store: &dyn Backend,
        who: &User,
        item: &WorkItem,
        as_of: Instant,
    ) -> Result<Option<Sent>, AppError> {
        if !rights(store, who, item)?.see {
            return Err(AppError::Forbidden {
                what: item.unit.clone(),
            });
        }
        let key = Key {
            campaign: &item.campaign,
            deliverable: &item.deliverable,
            unit: &item.unit,
            period: (!item.period.is_empty()).then_some(item.period.as_str()),
        };
        let (_, history) = store.history(&key, as_of)?;
        Ok(Sent::last(&history))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        kind: &str,
        by: &str,
        values: &[(&str, f64)],
        signed: &[(&str, &str)],
    ) -> HistoryEvent {
        HistoryEvent {
            kind: kind.into(),
            at: "2023-07-14T10:00:00+08:00".into(),
            recorded_at: "2023-07-14T10:00:00+08:00".into(),
            backfilled: false,
            by: Some(by.into()),
            reason: None,
            note: None,
            data: serde_json::json!({
                "signatures": signed
                    .iter()
                    .map(|(role, name)| serde_json::json!({ "role": role, "name": name }))
                    .collect::<Vec<_>>(),
            }),
            files: Vec::new(),
            values: values
                .iter()
                .map(|(field, n)| crate::values::FieldValue {
                    field: (*field).into(),
                    number: Some(*n),
                    text: None,
                    shared: None,
                    reused_from: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_last_submission_keeps_what_a_bare_replacement_left_standing() {
        let cases: [(&str, Vec<HistoryEvent>, Option<Sent>); 4] = [
            ("nothing sent", vec![], None),
            (
                "one submission",
                vec![event(
                    "submitted",
                    "张三",
                    &[("查处问题数", 4.0)],
                    &[("村书记", "张明")],
                )],
                Some(Sent {
                    at: "2023-07-14T10:00:00+08:00".into(),
                    by: Some("张三".into()),
                    values: vec![("查处问题数".into(), "4".into())],
                    signed: vec![("村书记".into(), "张明".into())],
                }),
            ),
            (
                "a replacement without figures or signatures",
                vec![
                    event(
                        "submitted",
                        "张三",
                        &[("查处问题数", 4.0)],
                        &[("村书记", "张明")],
                    ),
                    event("updated", "李四", &[], &[]),
                ],
                Some(Sent {
                    at: "2023-07-14T10:00:00+08:00".into(),
                    by: Some("李四".into()),
                    values: vec![("查处问题数".into(), "4".into())],
                    signed: vec![("村书记".into(), "张明".into())],
                }),
            ),
            (
                "a return is not a submission",
                vec![event("returned", "主任", &[], &[])],
                None,
            ),
        ];
        for (case, history, want) in cases {
            assert_eq!(Sent::last(&history), want, "{case}");
        }
    }
}
