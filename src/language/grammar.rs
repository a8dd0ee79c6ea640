//! The pest parser generated from `grammar/campaign.pest`. Only `parse.rs` uses it.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/campaign.pest"]
pub(crate) struct CampaignParser;
