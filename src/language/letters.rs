//! The formal documents a rung of the overdue ladder issues (督办单): a numbered 提醒函, 督办函
//! or 约谈通知书, or the 蓝/黄/红 督办单 of offices that grade them by colour — written in the
//! campaign as `逾期 3天 通知 分管领导 发 督办函` (`issue supervision-letter`).

use serde::{Deserialize, Serialize};

/// A kind of formal document the ladder issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LetterKind {
    /// 提醒函: the first, mildest.
    Reminder,
    /// 蓝色督办单.
    Blue,
    /// 督办函.
    Supervision,
    /// 黄色督办单.
    Yellow,
    /// 红色督办单.
    Red,
    /// 约谈通知书.
    Interview,
}

impl LetterKind {
    /// Every kind, mildest first.
    pub const ALL: [LetterKind; 6] = [
        LetterKind::Reminder,
        LetterKind::Blue,
        LetterKind::Supervision,
        LetterKind::Yellow,
        LetterKind::Red,
        LetterKind::Interview,
    ];

    /// Its name, as the document is headed and numbered (`督办函〔2017〕3号`).
    pub fn zh(self) -> &'static str {
        match self {
            LetterKind::Reminder => "提醒函",
            LetterKind::Blue => "蓝色督办单",
            LetterKind::Supervision => "督办函",
            LetterKind::Yellow => "黄色督办单",
            LetterKind::Red => "红色督办单",
            LetterKind::Interview => "约谈通知书",
        }
    }

    /// Its English word in the campaign language (`issue supervision-letter`).
    pub fn en(self) -> &'static str {
        match self {
            LetterKind::Reminder => "reminder-letter",
            LetterKind::Blue => "blue-notice",
            LetterKind::Supervision => "supervision-letter",
            LetterKind::Yellow => "yellow-notice",
            LetterKind::Red => "red-notice",
            LetterKind::Interview => "interview-notice",
        }
    }

    /// The kind a word of the grammar's `letter_kind` names.
    pub fn from_word(word: &str) -> Option<LetterKind> {
        Some(match word {
            "约谈通知" | "约谈通知书" => LetterKind::Interview,
            "蓝色督办函" | "蓝色督办单" | "蓝单" => LetterKind::Blue,
            "黄色督办函" | "黄色督办单" | "黄单" => LetterKind::Yellow,
            "红色督办函" | "红色督办单" | "红单" => LetterKind::Red,
            other => {
                return LetterKind::ALL
                    .into_iter()
                    .find(|k| k.zh() == other || k.en() == other);
            }
        })
    }

    /// The word the store keeps.
    pub fn as_str(self) -> &'static str {
        self.en()
    }

    /// What a letter of this kind asks of the unit, in its body.
    pub fn asks(self) -> &'static str {
        match self {
            LetterKind::Reminder => "请抓紧办理，尽快报送。",
            LetterKind::Blue | LetterKind::Supervision => {
                "请高度重视，立即组织办理，并于收到本函后3个工作日内报送，同时书面说明逾期原因。"
            }
            LetterKind::Yellow => {
                "请主要负责同志亲自过问，立即组织办理，并于收到本单后2个工作日内报送，同时书面说明逾期原因和整改措施。"
            }
            LetterKind::Red => {
                "请主要负责同志亲自督办，立即办理报送，并书面报告逾期原因、责任人员和整改措施；逾期仍未办结的，将予以通报并约谈。"
            }
            LetterKind::Interview => {
                "经研究，决定对你单位有关负责同志进行约谈。请接到本通知后与督办单位联系确定约谈时间，并准备书面情况说明。"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_names_and_the_store_word() {
        for kind in LetterKind::ALL {
            assert_eq!(LetterKind::from_word(kind.zh()), Some(kind));
            assert_eq!(LetterKind::from_word(kind.en()), Some(kind));
            assert_eq!(LetterKind::from_word(kind.as_str()), Some(kind));
        }
        assert_eq!(
            LetterKind::from_word("约谈通知"),
            Some(LetterKind::Interview)
        );
        assert_eq!(LetterKind::from_word("黄单"), Some(LetterKind::Yellow));
        assert_eq!(LetterKind::from_word("通知"), None);
        assert!(LetterKind::Reminder < LetterKind::Red, "mildest first");
    }
}
