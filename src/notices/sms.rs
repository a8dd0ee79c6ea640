//! SMS through a cloud gateway of the common shape (阿里云短信 `SendSms`, which provincial
//! gateways copy): a signature name, a template code, template parameters, the request signed
//! with the AccessKey (HMAC-SHA1 over the sorted parameters). The gateway's address is a
//! setting, so that a province's own gateway can be used.
//!
//! An SMS carries no free text: the office registers a template with the gateway, and duban
//! fills its variables — `${kind}` (催办, 催报, 约谈 …), `${title}` (the campaign) and
//! `${summary}` (1项已逾期、2项即将到期), each cut to the 35 characters gateways allow a
//! variable. The outbox keeps them as the message's body (JSON).

use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};

use super::hooks::{self, Answer};
use super::send::SendError;

/// How to reach the gateway, with its secret.
#[derive(Clone)]
pub struct SmsSettings {
    /// The gateway's address (`https://dysmsapi.aliyuncs.com`).
    pub url: String,
    /// The AccessKey's id.
    pub key_id: String,
    /// The AccessKey's secret.
    pub secret: String,
    /// The signature name registered with the gateway (【南阳市纪委】).
    pub sign_name: String,
    /// The template's code.
    pub template: String,
    /// The region the API is called in.
    pub region: String,
}

/// Never the secret.
impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url)
            .field("key_id", &self.key_id)
            .field("sign_name", &self.sign_name)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

/// The template's variables for a notice whose subject is `subject` (【催办】标题：…) and
/// whose items are `summary` (1项已逾期、2项即将到期).
pub fn parameters(subject: &str, summary: &str) -> String {
    let short = |s: &str| {
        let s = s.trim();
        if s.chars().count() <= 35 {
            s.to_string()
        } else {
            format!("{}…", s.chars().take(34).collect::<String>())
        }
    };
    let (kind, rest) = match subject.strip_prefix('【').and_then(|s| s.split_once('】')) {
        Some((kind, rest)) => (kind, rest),
        None => ("督办", subject),
    };
    let title = rest.split_once('：').map_or(rest, |(t, _)| t);
    serde_json::json!({"kind": short(kind), "title": short(title), "summary": short(summary)})
        .to_string()
}

/// Sends through the gateway.
pub struct Sms {
    agent: ureq::Agent,
    settings: SmsSettings,
    /// The zone whose midnight a per-number daily cap resets at.
    zone: chrono_tz::Tz,
}

impl Sms {
    /// A gateway reached through `agent`.
    pub fn new(agent: ureq::Agent, settings: SmsSettings, zone: chrono_tz::Tz) -> Sms {
        Sms {
            agent,
            settings,
            zone,
        }
    }

    /// Sends the template with `parameters` (JSON) to `phone`.
    pub fn send(&self, phone: &str, parameters: &str) -> Result<String, SendError> {
        let now = chrono::Utc::now();
        let nonce = format!(
            "{}-{}",
            now.timestamp_nanos_opt().unwrap_or(0),
            std::process::id()
        );
        let timestamp = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let body = signed_form(&self.settings, phone, parameters, &timestamp, &nonce);
        let answer = hooks::post(
            &self.agent,
            &self.settings.url,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        )?;
        self.read(&answer, now)
    }

    /// What the gateway answered, by its codes.
    fn read(
        &self,
        answer: &Answer,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, SendError> {
        let parsed: Option<serde_json::Value> = serde_json::from_str(&answer.body).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        };
        let code = field("Code");
        let said = format!("短信 gateway: {code} {}", field("Message"));
        if answer.status == 200 && code == "OK" {
            return Ok(format!("OK {}", field("BizId")));
        }
        Err(match code.as_str() {
            "" if answer.status >= 500 => {
                SendError::Transient(format!("短信 gateway: HTTP {}", answer.status))
            }
            "" => {
                SendError::Transient(format!("短信 gateway: HTTP {} with no code", answer.status))
            }
            // The AccessKey, the signature or the account: no message goes until the settings
            // are fixed.
            "InvalidAccessKeyId.NotFound"
            | "InvalidAccessKeyId.Inactive"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
            | "isv.SMS_SIGNATURE_ILLEGAL"
            | "isv.SMS_TEMPLATE_ILLEGAL"
            | "isv.ACCOUNT_NOT_EXISTS"
            | "isv.ACCOUNT_ABNORMAL"
            | "isv.AMOUNT_NOT_ENOUGH"
            | "Forbidden.RAM" => SendError::Login(said),
            // A number's daily cap: tomorrow.
            "isv.DAY_LIMIT_CONTROL" => SendError::Throttled(said, until_midnight(now, self.zone)),
            // The number's per-minute or per-hour caps, or the account's rate.
            "isv.BUSINESS_LIMIT_CONTROL" => SendError::Throttled(said, Duration::from_secs(3600)),
            "Throttling.User" | "Throttling" => SendError::Throttled(said, Duration::from_secs(60)),
            "isv.MOBILE_NUMBER_ILLEGAL"
            | "isv.TEMPLATE_MISSING_PARAMETERS"
            | "isv.INVALID_PARAMETERS"
            | "isv.PARAM_LENGTH_LIMIT"
            | "isv.BLACK_KEY_CONTROL_LIMIT" => SendError::Permanent(said),
            _ => SendError::Transient(said),
        })
    }
}

/// How long until the next midnight in `zone`, when a number's daily count starts again.
fn until_midnight(now: chrono::DateTime<chrono::Utc>, zone: chrono_tz::Tz) -> Duration {
    let local = now.with_timezone(&zone);
    let next = local
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 5, 0))
        .map(|t| crate::clock::Instant::Local(t).in_zone(zone));
    next.map_or(Duration::from_secs(86_400), |t| {
        Duration::from_secs(u64::try_from((t - now).num_seconds().max(60)).unwrap_or(86_400))
    })
}

/// RFC 3986 encoding, as the gateway signs: only letters, digits and `-_.~` stay.
fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, hooks::UNRESERVED).to_string()
}

/// The request's form, with its `Signature`.
pub fn signed_form(
    settings: &SmsSettings,
    phone: &str,
    parameters: &str,
    timestamp: &str,
    nonce: &str,
) -> String {
    let mut fields = [
        ("AccessKeyId", settings.key_id.as_str()),
        ("Action", "SendSms"),
        ("Format", "JSON"),
        ("PhoneNumbers", phone),
        ("RegionId", settings.region.as_str()),
        ("SignName", settings.sign_name.as_str()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", settings.template.as_str()),
        ("TemplateParam", parameters),
        ("Timestamp", timestamp),
        ("Version", "2017-05-25"),
    ];
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let query = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let signature = sign(&settings.secret, &query);
    format!("{query}&Signature={}", encode(&signature))
}

/// The signature of a sorted, encoded query: base64(HMAC-SHA1(secret + "&",
/// "POST&%2F&" + encode(query))).
pub fn sign(secret: &str, query: &str) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("POST&{}&{}", encode("/"), encode(query)).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_come_from_the_subject() {
        let p: serde_json::Value = serde_json::from_str(&parameters(
            "【催办】违规吃喝专项整治：1项已逾期、1项即将到期",
            "1项已逾期、1项即将到期",
        ))
        .unwrap();
        assert_eq!(p["kind"], "催办");
        assert_eq!(p["title"], "违规吃喝专项整治");
        assert_eq!(p["summary"], "1项已逾期、1项即将到期");
        let long = parameters(&format!("【催报】{}", "统".repeat(50)), "1项即将到期");
        let p: serde_json::Value = serde_json::from_str(&long).unwrap();
        assert_eq!(p["title"].as_str().unwrap().chars().count(), 35);
    }

    #[test]
    fn the_signature_is_the_gateways() {
        // Computed independently (Python's hmac and urllib.parse.quote(safe='-_.~')).
        assert_eq!(
            sign("testsecret", "A=1&B=%E5%8D%97"),
            "2MSKwNHmfzzYKlFcNRgkr9zIfoU="
        );
    }
}
