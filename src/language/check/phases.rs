//! Phases and windows: the dates each phase and the campaign period resolve to.

use super::*;

impl Checker<'_> {
    /// Resolves phase windows and the campaign period, which may depend on each other: a phase
    /// `throughout` needs the campaign's dates, and a campaign without `period` spans its phases.
    pub(super) fn phases_and_period(
        &mut self,
        file: &File,
        issued: Option<NaiveDate>,
        explicit: Option<(NaiveDate, NaiveDate)>,
        header: Span,
        id_span: Span,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let decls: Vec<&PhaseDecl> = file
            .items
            .iter()
            .filter_map(|i| match i {
                TopItem::Phase(p) => Some(p),
                _ => None,
            })
            .collect();
        // First pass: windows that need no campaign end.
        let fallback_start = explicit.map(|p| p.0).or(issued);
        let mut resolved: Vec<Option<(NaiveDate, NaiveDate)>> = Vec::new();
        let mut open_ended: Vec<Option<NaiveDate>> = Vec::new();
        let mut previous_end = None;
        for decl in &decls {
            // `2011年1月1日起` with no end: the phase runs until the file gives it one.
            if let Window::Span {
                start,
                end: None,
                open: true,
            } = &decl.window.node
            {
                open_ended.push(self.window_start(start, issued));
                resolved.push(None);
                continue;
            }
            open_ended.push(None);
            let needs_campaign = window_needs_campaign(&decl.window.node);
            let window = if needs_campaign && explicit.is_none() {
                None
            } else {
                let start_after = previous_end.or(fallback_start);
                self.window(&decl.window, issued, start_after, explicit)
            };
            // An end-only phase starts after the previous phase of the sequence; phases that
            // run throughout the campaign are not part of the sequence.
            if let Some((_, end)) = window
                && !matches!(decl.window.node, Window::Throughout)
            {
                previous_end = end.succ_opt();
            }
            resolved.push(window);
        }
        let period = match explicit {
            Some(p) => p,
            None => {
                let starts = resolved.iter().flatten().map(|w| w.0);
                let starts = starts
                    .chain(open_ended.iter().flatten().copied())
                    .chain(issued);
                let ends = resolved.iter().flatten().map(|w| w.1);
                match (starts.min(), ends.max()) {
                    (Some(s), Some(e)) => (s, e),
                    _ => {
                        if let Some(d) =
                            self.missing("the campaign".into(), "period", header, id_span)
                        {
                            d.help =
                                Some("add `period 2017-04-01 .. 2017-12-31` (or `期间 …`)".into());
                        }
                        return None;
                    }
                }
            }
        };
        // Second pass: phases that needed the campaign's dates.
        for (decl, window) in decls.iter().zip(resolved.iter_mut()) {
            if window.is_none() && window_needs_campaign(&decl.window.node) && explicit.is_none() {
                *window = self.window(&decl.window, issued, Some(period.0), Some(period));
            }
        }
        for ((decl, window), open) in decls.iter().zip(resolved).zip(open_ended) {
            self.check_name(&decl.name, "phase name");
            if let Some(&first) = self.phase_index.get(&decl.name.node) {
                let first_span = self.phases[first].span;
                self.duplicate(NameKind::Phase, &decl.name, first_span);
                continue;
            }
            let (start, end) = match (open, window) {
                (Some(start), _) => (start, None),
                (None, Some((start, end))) => (start, Some(end)),
                (None, None) => (period.0, Some(period.1)),
            };
            // An open-ended phase that starts after the campaign is outside it too.
            let outside = start < period.0 || start > period.1 || end.is_some_and(|e| e > period.1);
            if explicit.is_some() && outside {
                self.diagnostics.push(Diagnostic::warning(
                    Problem::PhaseOutsideCampaign {
                        name: decl.name.node.clone(),
                        start: start.to_string(),
                        end: end.map_or_else(|| "—".into(), |e| e.to_string()),
                        campaign_start: period.0.to_string(),
                        campaign_end: period.1.to_string(),
                    },
                    decl.window.span,
                ));
            }
            self.phase_index
                .insert(decl.name.node.clone(), self.phases.len());
            self.phases.push(Phase {
                name: decl.name.node.clone(),
                start,
                end,
                span: decl.name.span,
            });
        }
        Some(period)
    }

    /// The dates of a window. `start_after` is where an end-only window starts; `campaign` the
    /// campaign's dates, where known.
    pub(super) fn window(
        &mut self,
        window: &Spanned<Window>,
        issued: Option<NaiveDate>,
        start_after: Option<NaiveDate>,
        campaign: Option<(NaiveDate, NaiveDate)>,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let (start, end) = match &window.node {
            Window::Throughout => return campaign,
            Window::Until(end) => {
                let end = self.date(end, DateUse::End)?;
                let Some(start) = start_after else {
                    self.error(
                        Problem::DateForm {
                            message:
                                "this window gives only its end, and nothing says where it starts"
                                    .into(),
                        },
                        window.span,
                    )
                    .help = Some(
                        "give the campaign an `issued` date or a `period`, or write the start"
                            .into(),
                    );
                    return None;
                };
                (start, end)
            }
            Window::Span { start, end, open } => {
                let first = self.window_start(start, issued)?;
                let last = match (end, start) {
                    (Some(end), _) => self.date(end, DateUse::End)?,
                    (None, _) if *open => campaign.map(|c| c.1)?,
                    // `2004年12月中旬` alone is the whole of it (11th–20th), as `5月` is the
                    // whole month; only a day written alone is one day.
                    (None, WindowStart::Date(d)) if !matches!(d.node.day, DayPart::Day(_)) => {
                        self.date(d, DateUse::End)?
                    }
                    (None, _) => first,
                };
                (first, last)
            }
        };
        if end < start {
            self.error(
                Problem::WindowReversed {
                    start: start.to_string(),
                    end: end.to_string(),
                },
                window.span,
            );
            return None;
        }
        Some((start, end))
    }
}

impl Checker<'_> {
    /// The first day of a window that gives its start.
    fn window_start(
        &mut self,
        start: &WindowStart,
        issued: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        match start {
            WindowStart::Issue(span) => {
                if issued.is_none() {
                    self.error(
                        Problem::DateForm {
                            message: "`issue` / `即日` needs the campaign's `issued` date".into(),
                        },
                        *span,
                    );
                }
                issued
            }
            WindowStart::Date(d) => self.date(d, DateUse::Start),
        }
    }
}

pub(super) fn window_needs_campaign(window: &Window) -> bool {
    matches!(
        window,
        Window::Throughout
            | Window::Span {
                end: None,
                open: true,
                ..
            }
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn windows(body: &str) -> Vec<(String, NaiveDate, Option<NaiveDate>)> {
        campaign(body)
            .phases
            .into_iter()
            .map(|p| (p.name, p.start, p.end))
            .collect()
    }

    #[test]
    fn end_only_phases_follow_each_other_from_the_campaigns_start() {
        assert_eq!(
            windows(
                "phase 一 until 2017-05-31\nphase 二 until 2017-08-31\nphase 全程 throughout\n"
            ),
            [
                ("一".into(), date(2017, 4, 1), Some(date(2017, 5, 31))),
                ("二".into(), date(2017, 6, 1), Some(date(2017, 8, 31))),
                ("全程".into(), date(2017, 4, 1), Some(date(2017, 12, 31))),
            ]
        );
    }

    #[test]
    fn a_phase_from_a_day_on_has_no_end() {
        assert_eq!(
            windows("阶段 长效管理 2017年10月1日起\n"),
            [("长效管理".into(), date(2017, 10, 1), None)]
        );
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_an_error() {
        assert_eq!(
            problems("phase p 2017-05-31 .. 2017-04-01\n"),
            ["error: this window ends (2017-04-01) before it starts (2017-05-31)"]
        );
    }

    #[test]
    fn a_phase_past_the_campaign_is_a_warning() {
        let (campaign, diagnostics) = check_body("phase p 2017-11-01 .. 2018-01-31\n");
        assert!(campaign.is_some(), "a warning keeps the campaign");
        let lines = lines(&diagnostics);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("warning: "), "{lines:?}");
        assert!(lines[0].contains("2018-01-31"), "{lines:?}");
    }
}
