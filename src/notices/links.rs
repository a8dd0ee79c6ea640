//! Links in messages that act without signing in: 签收 by the link in a notice. A link names
//! one obligation and carries a signature of it with the records' own secret (`secrets`, made
//! with the records), so that it does one thing — acknowledge that obligation — for whoever
//! holds the message, signs nobody in, and cannot be made for another obligation. It works
//! once: the obligation is acknowledged once.

use hmac::{KeyInit as _, Mac as _};

/// The signature of the obligation (campaign, deliverable, unit, period — `""` for a
/// one-off) under `secret`: 32 hex digits of an HMAC-SHA256.
pub fn ack_mac(
    secret: &str,
    campaign: &str,
    deliverable: &str,
    unit: &str,
    period: &str,
) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(
        format!("ack\u{1f}{campaign}\u{1f}{deliverable}\u{1f}{unit}\u{1f}{period}").as_bytes(),
    );
    mac.finalize()
        .into_bytes()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The link that acknowledges the obligation, on the pages at `portal`:
/// `PORTAL/ack/CAMPAIGN/DELIVERABLE/UNIT/PERIOD/MAC` (`-` for no period).
pub fn ack_link(
    portal: &str,
    secret: &str,
    campaign: &str,
    deliverable: &str,
    unit: &str,
    period: &str,
) -> String {
    let segment =
        |s: &str| percent_encoding::utf8_percent_encode(s, super::hooks::UNRESERVED).to_string();
    format!(
        "{}/ack/{}/{}/{}/{}/{}",
        portal.trim_end_matches('/'),
        segment(campaign),
        segment(deliverable),
        segment(unit),
        segment(if period.is_empty() { "-" } else { period }),
        ack_mac(secret, campaign, deliverable, unit, period)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_signs_its_own_obligation_only() {
        let mac = ack_mac("s", "nanyang-2017", "统计表", "宛城区", "2017-05");
        assert_eq!(mac.len(), 32);
        assert_ne!(
            mac,
            ack_mac("s", "nanyang-2017", "统计表", "卧龙区", "2017-05")
        );
        assert_ne!(
            mac,
            ack_mac("s", "nanyang-2017", "统计表", "宛城区", "2017-06")
        );
        assert_ne!(
            mac,
            ack_mac("t", "nanyang-2017", "统计表", "宛城区", "2017-05")
        );
        let link = ack_link(
            "https://d.example/",
            "s",
            "nanyang-2017",
            "统计表",
            "宛城区",
            "",
        );
        assert!(
            link.starts_with("https://d.example/ack/nanyang-2017/%E7%BB%9F"),
            "{link}"
        );
        assert!(link.contains("/-/"), "{link}");
    }
}
