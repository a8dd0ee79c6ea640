//! The campaign block: title, issuer, zone, period, holiday rule and the office.

use super::*;

impl Checker<'_> {
    pub(super) fn campaign_header<'f>(&mut self, file: &'f File) -> Option<&'f CampaignDecl> {
        let mut headers = file.items.iter().filter_map(|i| match i {
            TopItem::Campaign(c) => Some(c),
            _ => None,
        });
        let Some(first) = headers.next() else {
            if !self.broken.iter().any(|(_, k)| *k == "campaign") {
                self.error(Problem::MissingCampaign, Span::new(0, 0)).help =
                    Some("start the file with `campaign ID { … }` (or `专项整治 ID { … }`)".into());
            }
            return None;
        };
        for extra in headers {
            self.error(Problem::SecondCampaign, extra.id.span)
                .notes
                .push((first.id.span, "the first campaign block".into()));
        }
        self.check_name(&first.id, "campaign identifier");
        if first.id.node.chars().any(char::is_whitespace) {
            self.error(
                Problem::Invalid {
                    message: "a campaign identifier cannot contain spaces".into(),
                },
                first.id.span,
            )
            .help = Some("use `-` between words, as in `nanyang-2017`".into());
        }
        // The year a date written without one is most likely in: the campaign's own (its issue,
        // else its period's start, else the year its identifier ends with).
        let id_year = first
            .id
            .node
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok());
        let mut period_year = None;
        for stmt in &first.stmts {
            match &stmt.node {
                CampaignStmt::Issued(date) => self.year_hint = date.node.year,
                CampaignStmt::Period(window) => {
                    period_year = match &window.node {
                        Window::Until(d)
                        | Window::Span {
                            start: WindowStart::Date(d),
                            ..
                        } => d.node.year,
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        self.year_hint = self.year_hint.or(period_year).or(id_year);
        Some(first)
    }

    pub(super) fn campaign_attributes(
        &mut self,
        decl: &CampaignDecl,
        file: &File,
    ) -> Option<Campaign> {
        let mut seen = StatementSet::default();
        let mut title = decl.title.as_ref().map(|t| t.node.clone());
        let mut issuer = None;
        let mut doc = None;
        let mut issued = None;
        let mut zone = chrono_tz::Asia::Shanghai;
        let mut period = None;
        let mut shift = ShiftRule::Legal;
        let mut office = None;
        let mut supervisors = Vec::new();
        let mut contacts_file = None;
        let mut templates = None;
        let mut extensions = None;
        let mut extension_approver = None;
        let mut acknowledge = None;
        for stmt in &decl.stmts {
            let keyword = campaign_keyword(&stmt.node);
            if !seen.first(keyword, stmt.span, &mut self.diagnostics) {
                continue;
            }
            match &stmt.node {
                CampaignStmt::Title(t) => title = Some(t.node.clone()),
                CampaignStmt::Issuer(t) => issuer = Some(t.node.clone()),
                CampaignStmt::Doc(t) => doc = Some(t.node.clone()),
                CampaignStmt::Issued(d) => issued = self.date(d, DateUse::Point),
                CampaignStmt::Zone(z) => match z.node.parse::<Tz>() {
                    Ok(tz) => zone = tz,
                    Err(_) => {
                        self.error(
                            Problem::UnknownZone {
                                name: z.node.clone(),
                            },
                            z.span,
                        )
                        .help = Some(
                            "write an IANA zone such as `Asia/Shanghai` or `Asia/Urumqi`".into(),
                        )
                    }
                },
                CampaignStmt::Period(w) => period = Some(w),
                CampaignStmt::Holidays(rule) => shift = rule.node,
                CampaignStmt::Office(name) => office = self.unit_ref(name),
                CampaignStmt::Supervisors(names) => supervisors = self.units_of(names),
                CampaignStmt::Contacts(path) => contacts_file = Some(path.node.clone()),
                CampaignStmt::Templates(path) => templates = Some(path.node.clone()),
                CampaignStmt::Extensions(rule, approver) => {
                    extensions = Some(rule.node);
                    extension_approver = approver.clone();
                }
                CampaignStmt::Acknowledge(within) => acknowledge = Some(within.node),
                // Bound after the check, against the directory (`language::directory::bind`).
                CampaignStmt::Note(_) | CampaignStmt::Directory(_) => {}
            }
        }
        let explicit = period.and_then(|w| self.window(w, issued, None, None));
        // A campaign whose period lies in one year leaves no doubt which year `5月` or
        // `10月30日前` means; one that spans two does, and there the year must be written.
        self.campaign_year = explicit
            .filter(|(start, end)| start.year() == end.year())
            .map(|(start, _)| start.year());
        let (start, end) =
            self.phases_and_period(file, issued, explicit, decl.span, decl.id.span)?;
        for (unit, window) in std::mem::take(&mut self.pending_active) {
            self.units[unit].active = self.window(&window, issued, Some(start), Some((start, end)));
        }
        Some(Campaign {
            id: decl.id.node.clone(),
            title,
            issuer,
            doc,
            issued,
            zone,
            start,
            end,
            shift,
            office,
            supervisors,
            contacts_file,
            templates,
            units: Vec::new(),
            groups: Vec::new(),
            phases: Vec::new(),
            items: Vec::new(),
            deliverables: Vec::new(),
            policy: Policy::default(),
            forms: Vec::new(),
            scoring: None,
            directory: None,
            extensions,
            extension_approver,
            acknowledge,
        })
    }
}

pub(super) fn campaign_keyword(stmt: &CampaignStmt) -> &'static str {
    match stmt {
        CampaignStmt::Title(_) => "title",
        CampaignStmt::Issuer(_) => "issuer",
        CampaignStmt::Doc(_) => "doc",
        CampaignStmt::Issued(_) => "issued",
        CampaignStmt::Zone(_) => "zone",
        CampaignStmt::Period(_) => "period",
        CampaignStmt::Holidays(_) => "holidays",
        CampaignStmt::Office(_) => "office",
        CampaignStmt::Supervisors(_) => "supervisors",
        CampaignStmt::Contacts(_) => "contacts",
        CampaignStmt::Templates(_) => "templates",
        CampaignStmt::Directory(_) => "directory",
        CampaignStmt::Extensions(..) => "extended",
        CampaignStmt::Acknowledge(_) => "acknowledge",
        CampaignStmt::Note(_) => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn the_header_gives_the_campaigns_attributes() {
        let (c, d) = check_file(
            "campaign t \"标题\" {\n  issuer \"某办\"\n  doc \"某发〔2017〕1号\"\n  issued 2017-03-30\n  zone Asia/Urumqi\n  holidays 不顺延\n  office 甲\n}\nunit 甲\nphase 一 2017-04-01 .. 2017-05-31\n",
        );
        assert!(d.is_empty(), "{:?}", lines(&d));
        let c = c.unwrap();
        assert_eq!(
            (c.title.as_deref(), c.issuer.as_deref(), c.doc.as_deref()),
            (Some("标题"), Some("某办"), Some("某发〔2017〕1号"))
        );
        assert_eq!(c.zone, chrono_tz::Asia::Urumqi);
        assert_eq!(c.shift, ShiftRule::Strict);
        assert_eq!(c.office.map(|u| c.units[u].name.as_str()), Some("甲"));
        // Without `period`: from the issue date to the end of the last phase.
        assert_eq!((c.start, c.end), (date(2017, 3, 30), date(2017, 5, 31)));
    }

    #[test]
    fn a_file_holds_exactly_one_campaign() {
        let (c, d) = check_file("unit 甲\n");
        assert!(c.is_none());
        assert_eq!(
            lines(&d),
            [
                "error: this file has no `campaign` block (help: start the file with `campaign ID { … }` (or `专项整治 ID { … }`))"
            ]
        );
        let (_, d) = check_file(
            "campaign a {\n  period 2017-04-01 .. 2017-12-31\n}\ncampaign b {\n  period 2017-04-01 .. 2017-12-31\n}\n",
        );
        assert_eq!(
            lines(&d),
            ["error: a file holds one campaign, but this is a second `campaign` block"]
        );
    }

    #[test]
    fn an_unknown_zone_or_a_repeated_attribute_is_an_error() {
        let (_, d) = check_file(
            "campaign t {\n  period 2017-04-01 .. 2017-12-31\n  zone Asia/Beijing\n  zone UTC\n}\n",
        );
        let lines = lines(&d);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("error: unknown time zone `Asia/Beijing`")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("error: `zone` is given twice")),
            "{lines:?}"
        );
    }
}
