//! The channels a notice can go by: mail, the group robots of 企业微信, 钉钉 and 飞书, and SMS.
//! An address in the outbox says its channel by a prefix (`wecom:宛城区督办群`,
//! `sms:13800000000`); a mail address has none, as it always had.

use std::fmt;

/// A way of reaching people.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// 邮件.
    Mail,
    /// A 企业微信 (or 政务微信) group robot.
    Wecom,
    /// A 钉钉 custom robot.
    Dingtalk,
    /// A 飞书 custom bot.
    Feishu,
    /// 短信, through a cloud SMS gateway.
    Sms,
}

impl Channel {
    /// Every channel, mail first.
    pub const ALL: [Channel; 5] = [
        Channel::Mail,
        Channel::Wecom,
        Channel::Dingtalk,
        Channel::Feishu,
        Channel::Sms,
    ];

    /// The English word, as addresses and settings name it.
    pub fn word(self) -> &'static str {
        match self {
            Channel::Mail => "mail",
            Channel::Wecom => "wecom",
            Channel::Dingtalk => "dingtalk",
            Channel::Feishu => "feishu",
            Channel::Sms => "sms",
        }
    }

    /// Its Chinese name, as people know it.
    pub fn zh(self) -> &'static str {
        match self {
            Channel::Mail => "邮件",
            Channel::Wecom => "企业微信",
            Channel::Dingtalk => "钉钉",
            Channel::Feishu => "飞书",
            Channel::Sms => "短信",
        }
    }

    /// A channel by either of its names (or 政务微信 for 企业微信, 浙政钉 for 钉钉).
    pub fn named(word: &str) -> Option<Channel> {
        Some(match word {
            "mail" | "email" | "邮件" | "邮箱" => Channel::Mail,
            "wecom" | "企业微信" | "政务微信" => Channel::Wecom,
            "dingtalk" | "钉钉" | "浙政钉" => Channel::Dingtalk,
            "feishu" | "lark" | "飞书" => Channel::Feishu,
            "sms" | "短信" => Channel::Sms,
            _ => return None,
        })
    }

    /// Whether it is a group robot, addressed by the robot's name.
    pub fn robot(self) -> bool {
        matches!(self, Channel::Wecom | Channel::Dingtalk | Channel::Feishu)
    }

    /// The outbox address of `target` on this channel: a mail address as it is, others with
    /// their channel's prefix.
    pub fn address(self, target: &str) -> String {
        match self {
            Channel::Mail => target.to_string(),
            other => format!("{}:{target}", other.word()),
        }
    }

    /// The channel of an outbox address and what it names on it (the robot, the number, the
    /// mailbox). A mail address cannot begin with a channel's prefix: `:` is not allowed
    /// unquoted before its `@`.
    pub fn of(address: &str) -> (Channel, &str) {
        if let Some((word, rest)) = address.split_once(':')
            && let Some(channel) = Channel::named(word).filter(|c| *c != Channel::Mail)
            && word.is_ascii()
        {
            return (channel, rest);
        }
        (Channel::Mail, address)
    }
}

/// A phone number as SMS gateways and robots' @ take it: its digits, without the spaces and
/// dashes people write (`138 0000 0001`, `138-0000-0001`) or China's country code (`+86`,
/// `0086`).
pub fn mobile(written: &str) -> String {
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    let national = if written.trim_start().starts_with('+') {
        digits.strip_prefix("86")
    } else {
        digits.strip_prefix("0086")
    };
    national.unwrap_or(&digits).to_string()
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_say_their_channel_and_mail_keeps_its_own() {
        for channel in Channel::ALL {
            let address = channel.address("宛城区督办群");
            assert_eq!(Channel::of(&address), (channel, "宛城区督办群"));
            assert_eq!(Channel::named(channel.word()), Some(channel));
            assert_eq!(Channel::named(channel.zh()), Some(channel));
        }
        assert_eq!(
            Channel::of("lisi@example.org"),
            (Channel::Mail, "lisi@example.org")
        );
        // A Chinese prefix is not an address's channel: only the words duban writes are.
        assert_eq!(Channel::of("短信:1").0, Channel::Mail);
    }

    #[test]
    fn a_mobile_is_its_digits_without_the_country_code() {
        for written in [
            "13800000001",
            "138 0000 0001",
            "138-0000-0001",
            "+86 138 0000 0001",
            "008613800000001",
        ] {
            assert_eq!(mobile(written), "13800000001", "{written}");
        }
        assert_eq!(mobile("0377-63398128"), "037763398128");
    }
}
