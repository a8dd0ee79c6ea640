//! Every trait of the contract implemented for each engine by forwarding to its own methods:
//! written once, as a macro, and kept apart from the traits so that they read on their own.

use super::*;

/// Implements the contract for a backend whose inherent methods have the contract's names.
macro_rules! contract {
    ($backend:ty) => {
        impl Campaigns for $backend {
            fn recorded_source(&self, path: &str) -> Result<Option<Recorded>, StoreError> {
                <$backend>::recorded_source(self, path)
            }
            fn record_stat(&mut self, path: &str, stat: &str) -> Result<(), StoreError> {
                <$backend>::record_stat(self, path, stat)
            }
            fn sync(
                &mut self,
                schedule: &Schedule<'_>,
                source: &Source,
                now: i64,
            ) -> Result<SyncReport, StoreError> {
                <$backend>::sync(self, schedule, source, now)
            }
            fn policies(&self) -> Result<Vec<Policy>, StoreError> {
                <$backend>::policies(self)
            }
            fn deliverable_policies(
                &self,
                campaign: &str,
            ) -> Result<Vec<(String, Policy)>, StoreError> {
                <$backend>::deliverable_policies(self, campaign)
            }
            fn policy_times(&self) -> Result<Vec<(Tz, u32, u32)>, StoreError> {
                <$backend>::policy_times(self)
            }
            fn campaign_zone(&self, key: &str) -> Result<Tz, StoreError> {
                <$backend>::campaign_zone(self, key)
            }
            fn templates_folders(&self) -> Result<Vec<String>, StoreError> {
                <$backend>::templates_folders(self)
            }
        }

        impl Ledger for $backend {
            fn apply_all(
                &mut self,
                actions: &[(Key<'_>, Action)],
                meta: Meta,
            ) -> Result<Vec<Change>, StoreError> {
                <$backend>::apply_all(self, actions, meta)
            }
            fn history(
                &self,
                key: &Key<'_>,
                as_of: Instant,
            ) -> Result<(Status, Vec<HistoryEvent>), StoreError> {
                <$backend>::history(self, key, as_of)
            }
            fn import(
                &mut self,
                rows: &mut dyn Iterator<Item = Result<ImportRow, BadRow>>,
                batch: &ImportBatch<'_>,
            ) -> Result<ImportReport, ImportError> {
                <$backend>::import(self, rows, batch)
            }
        }

        impl Queries for $backend {
            fn overdue_each(
                &self,
                filter: &Filter,
                as_of: Instant,
                by_deliverable: bool,
                visit: &mut dyn FnMut(OverdueRow) -> Result<(), StoreError>,
            ) -> Result<(), StoreError> {
                <$backend>::overdue_each(self, filter, as_of, by_deliverable, visit)
            }
            fn due_within(
                &self,
                filter: &Filter,
                as_of: Instant,
                window: Window,
            ) -> Result<Vec<DueRow>, StoreError> {
                <$backend>::due_within(self, filter, as_of, window)
            }
            fn status(
                &self,
                filter: &Filter,
                as_of: Instant,
            ) -> Result<Vec<StatusRow>, StoreError> {
                <$backend>::status(self, filter, as_of)
            }
            fn acted_after(&self, campaign_id: i64, as_of: Instant) -> Result<Overlay, StoreError> {
                <$backend>::acted_after(self, campaign_id, as_of)
            }
            fn standing_duties(&self, filter: &Filter) -> Result<Vec<StandingDuty>, StoreError> {
                <$backend>::standing_duties(self, filter)
            }
            fn unit_work(&self, unit: &str) -> Result<Vec<WorkItem>, StoreError> {
                <$backend>::unit_work(self, unit)
            }
            fn sub_units(&self, unit: &str) -> Result<Vec<String>, StoreError> {
                <$backend>::sub_units(self, unit)
            }
            fn review_queue(
                &self,
                reviewer: &str,
                since: i64,
            ) -> Result<Vec<WorkItem>, StoreError> {
                <$backend>::review_queue(self, reviewer, since)
            }
        }

        impl Outbox for $backend {
            fn plan_input(
                &self,
                window: (i64, i64),
                written_since: i64,
                as_of: Instant,
            ) -> Result<PlanInput, StoreError> {
                <$backend>::plan_input(self, window, written_since, as_of)
            }
            fn preview_input(
                &self,
                campaigns: &[String],
                window: (i64, i64),
                current: bool,
            ) -> Result<(Vec<Candidate>, Directory), StoreError> {
                <$backend>::preview_input(self, campaigns, window, current)
            }
            fn last_pass(&self) -> Result<Option<i64>, StoreError> {
                <$backend>::last_pass(self)
            }
            fn queue(
                &mut self,
                mails: &[OutboxMail],
                now: i64,
            ) -> Result<(usize, usize), StoreError> {
                <$backend>::queue(self, mails, now)
            }
            fn claim_mail(
                &mut self,
                now: i64,
                claim: &Claim,
            ) -> Result<Option<PendingMail>, StoreError> {
                <$backend>::claim_mail(self, now, claim)
            }
            fn mark_sent(
                &mut self,
                id: i64,
                claim: &Claim,
                reply: &str,
                now: i64,
            ) -> Result<(), StoreError> {
                <$backend>::mark_sent(self, id, claim, reply, now)
            }
            fn mark_failed(
                &mut self,
                id: i64,
                claim: &Claim,
                error: &str,
                retry_at: Option<i64>,
            ) -> Result<(), StoreError> {
                <$backend>::mark_failed(self, id, claim, error, retry_at)
            }
            fn release_mail(
                &mut self,
                id: i64,
                claim: &Claim,
                error: Option<&str>,
            ) -> Result<(), StoreError> {
                <$backend>::release_mail(self, id, claim, error)
            }
            fn outbox(&self, all: bool) -> Result<Vec<OutboxRow>, StoreError> {
                <$backend>::outbox(self, all)
            }
            fn retry(&mut self, ids: &[i64]) -> Result<usize, StoreError> {
                <$backend>::retry(self, ids)
            }
        }

        impl Contents for $backend {
            fn describe(&self, campaign: &str, deliverable: &str) -> Result<Described, StoreError> {
                <$backend>::describe(self, campaign, deliverable)
            }
            fn periods(&self, id: i64) -> Result<Vec<String>, StoreError> {
                <$backend>::periods(self, id)
            }
            fn groups(&self, campaign_id: i64) -> Result<Vec<(String, Vec<String>)>, StoreError> {
                <$backend>::groups(self, campaign_id)
            }
            fn standings(&self, id: i64, period: &str) -> Result<Vec<Standing>, StoreError> {
                <$backend>::standings(self, id, period)
            }
            fn sums(
                &self,
                id: i64,
                period: &str,
                up: usize,
                then: Option<i64>,
            ) -> Result<Vec<Sum>, StoreError> {
                <$backend>::sums(self, id, period, up, then)
            }
            fn target_values(
                &self,
                campaign: &str,
                then: Option<i64>,
            ) -> Result<Vec<TargetValue>, StoreError> {
                <$backend>::target_values(self, campaign, then)
            }
            fn shared_value(
                &self,
                field: &str,
                key: &str,
                unit: &str,
                period: &str,
            ) -> Result<Option<FieldValue>, StoreError> {
                <$backend>::shared_value(self, field, key, unit, period)
            }
            fn unit_tree(
                &self,
                campaign_id: i64,
            ) -> Result<Vec<(String, Option<String>)>, StoreError> {
                <$backend>::unit_tree(self, campaign_id)
            }
            fn add_rows(
                &mut self,
                key: &Key<'_>,
                rows: &[NewRow],
                meta: Meta,
            ) -> Result<Vec<Change>, StoreError> {
                <$backend>::add_rows(self, key, rows, meta)
            }
            fn ledger_rows(&self, deliverable_id: i64) -> Result<Vec<LedgerRow>, StoreError> {
                <$backend>::ledger_rows(self, deliverable_id)
            }
        }

        impl Accounts for $backend {
            fn add_user(&mut self, new: &NewUser<'_>) -> Result<(), StoreError> {
                <$backend>::add_user(self, new)
            }
            fn users(&self) -> Result<Vec<User>, StoreError> {
                <$backend>::users(self)
            }
            fn count_attempt(
                &mut self,
                client: &str,
                account: &str,
                now: i64,
                throttle: &Throttle,
            ) -> Result<Turn, StoreError> {
                <$backend>::count_attempt(self, client, account, now, throttle)
            }
            fn wrong_password(
                &mut self,
                account: &str,
                client: &str,
                at: i64,
            ) -> Result<(), StoreError> {
                <$backend>::wrong_password(self, account, client, at)
            }
            fn signed_in(
                &mut self,
                client: &str,
                account: &str,
            ) -> Result<Option<FailedSignIns>, StoreError> {
                <$backend>::signed_in(self, client, account)
            }
            fn unit_contacts(&self) -> Result<Vec<(String, String, Vec<Contact>)>, StoreError> {
                <$backend>::unit_contacts(self)
            }
            fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
                <$backend>::user(self, name)
            }
            fn set_password(
                &mut self,
                token: &str,
                password: &str,
                now: i64,
            ) -> Result<Option<String>, StoreError> {
                <$backend>::set_password(self, token, password, now)
            }
            fn open_session(
                &mut self,
                token: &str,
                name: &str,
                csrf: &str,
                now: i64,
                expires_at: i64,
            ) -> Result<(), StoreError> {
                <$backend>::open_session(self, token, name, csrf, now, expires_at)
            }
            fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, StoreError> {
                <$backend>::session(self, token, now)
            }
            fn close_session(&mut self, token: &str) -> Result<(), StoreError> {
                <$backend>::close_session(self, token)
            }
            fn unit_names(&self) -> Result<Vec<String>, StoreError> {
                <$backend>::unit_names(self)
            }
            fn set_disabled(&mut self, name: &str, at: Option<i64>) -> Result<bool, StoreError> {
                <$backend>::set_disabled(self, name, at)
            }
            fn reset_user(
                &mut self,
                name: &str,
                token: &str,
                expires_at: i64,
            ) -> Result<bool, StoreError> {
                <$backend>::reset_user(self, name, token, expires_at)
            }
            fn add_token(&mut self, new: &NewToken<'_>) -> Result<(), StoreError> {
                <$backend>::add_token(self, new)
            }
            fn token(&self, token: &str) -> Result<Option<ApiToken>, StoreError> {
                <$backend>::token(self, token)
            }
            fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
                <$backend>::tokens(self)
            }
            fn revoke_token(&mut self, id: i64, at: i64) -> Result<bool, StoreError> {
                <$backend>::revoke_token(self, id, at)
            }
            fn token_used(&mut self, id: i64, at: i64) -> Result<(), StoreError> {
                <$backend>::token_used(self, id, at)
            }
        }

        impl Assessment for $backend {
            fn campaign_header(&self, key: &str) -> Result<CampaignHeader, StoreError> {
                <$backend>::campaign_header(self, key)
            }
            fn assessed(
                &self,
                campaign_id: i64,
                from: &str,
                to: &str,
                at: i64,
            ) -> Result<Vec<Assessed>, StoreError> {
                <$backend>::assessed(self, campaign_id, from, to, at)
            }
            fn record_interview(&mut self, interview: &NewInterview<'_>) -> Result<(), StoreError> {
                <$backend>::record_interview(self, interview)
            }
            fn interviews(&self, campaign_id: i64) -> Result<Vec<Interview>, StoreError> {
                <$backend>::interviews(self, campaign_id)
            }
            fn reported(
                &self,
                campaign_id: i64,
                from: i64,
                to: i64,
            ) -> Result<Vec<Reported>, StoreError> {
                <$backend>::reported(self, campaign_id, from, to)
            }
        }

        impl Files for $backend {
            fn file_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
                <$backend>::file_content(self, sha256)
            }
            fn file_source(&self, sha256: &str) -> Result<Option<FileSource>, StoreError> {
                <$backend>::file_source(self, sha256)
            }
            fn file_piece(
                &self,
                sha256: &str,
                offset: u64,
                len: usize,
            ) -> Result<Vec<u8>, StoreError> {
                <$backend>::file_piece(self, sha256, offset, len)
            }
        }
    };
}

contract!(Store);
contract!(PgStore);
