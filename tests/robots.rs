//! Notices by 企业微信, 钉钉 and 飞书 robots and by SMS, against fake servers of each API on
//! loopback (`hookserver`) and a real SMTP server: 南阳 on the morning of 26 May reaches each
//! late county's group robot (calling out its liaison) and its leader by SMS, each once; across
//! two racing daemons and a SIGKILL; a wrong key or signing secret stops that robot alone and
//! leaves its messages pending with one clear error; a robot's 20 a minute spread over minutes.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{KillOnDrop, Workspace};
use crate::hookserver::{FakeRobot, HookServer, Received};
use crate::mailserver::MailServer;

/// The SMS account the fake gateway knows.
const SMS_ID: &str = "LTAI-duban-test";
const SMS_SECRET: &str = "sms-secret-never-shown";

/// The units of 南阳 with a liaison, as (name, number) from its contacts file (`u04` → 4).
fn counties(w: &Workspace) -> Vec<(String, u32)> {
    let text =
        std::fs::read_to_string(w.path().join("campaigns/nanyang-2017.contacts.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut out: Vec<(String, u32)> = table
        .iter()
        .filter(|(_, v)| v.get("liaison").is_some())
        .map(|(name, v)| {
            let email = v["email"].as_str().unwrap();
            let n = email[1..3].parse().unwrap();
            (name.clone(), n)
        })
        .collect();
    out.sort_by_key(|(_, n)| *n);
    out
}

/// The counties that owe the May statistics table (due 25 May): late on the 26th.
fn late(w: &Workspace) -> Vec<(String, u32)> {
    let plans = w.json(&[
        "schedule",
        w.campaign("nanyang-2017").to_str().unwrap(),
        "--deliverable",
        "统计表",
    ]);
    let owing: std::collections::HashSet<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["unit"].as_str().unwrap())
        .collect();
    let out: Vec<(String, u32)> = counties(w)
        .into_iter()
        .filter(|(name, _)| owing.contains(name.as_str()))
        .collect();
    assert!(out.len() >= 13, "南阳's counties and districts: {out:?}");
    out
}

/// A phone of unit `n`: the liaison's (`role` 1) or the leader's (2).
fn phone(n: u32, role: u32) -> String {
    format!("1{role}80000{n:04}")
}

/// 南阳 with the first rung by each county's 企业微信 robot (calling out its liaison) and by
/// SMS to its leader; every county with a robot of `channel` keyed `key-uNN` (secret `sec-uNN`
/// where the app signs). A claim lasts 4 seconds, so that a killed pass's are soon taken over.
fn office(hooks: &HookServer, smtp: &MailServer, channel: &str) -> Workspace {
    let w = Workspace::new(&["nanyang-2017"]);
    let campaign = w.campaign("nanyang-2017");
    let text = std::fs::read_to_string(&campaign).unwrap();
    let rung = format!("逾期 1天 通知 联络员 经 {channel}，分管领导 经 短信");
    let text = text.replacen("逾期 1天 通知 联络员\n", &format!("{rung}\n"), 1);
    assert!(text.contains(&rung));
    std::fs::write(&campaign, text).unwrap();
    let contacts = w.path().join("campaigns/nanyang-2017.contacts.toml");
    let mut text = std::fs::read_to_string(&contacts).unwrap();
    let mut robots = String::new();
    for (name, n) in counties(&w) {
        for (role, r) in [("leader", 2), ("liaison", 1)] {
            let from = format!("{role} = {{ email = \"u{n:02}-{role}@nanyang.example.org\" }}");
            let to = format!(
                "{role} = {{ email = \"u{n:02}-{role}@nanyang.example.org\", phone = \"{}\" }}",
                phone(n, r)
            );
            text = text.replace(&from, &to);
        }
        let secret = if channel == "企业微信" {
            String::new()
        } else {
            format!("secret = \"sec-u{n:02}\"\n")
        };
        robots.push_str(&format!(
            "[\"{name}督办群\"]\nchannel = \"{channel}\"\nkey = \"key-u{n:02}\"\n{secret}units = [\"{name}\"]\n\n"
        ));
    }
    std::fs::write(&contacts, text).unwrap();
    std::fs::write(w.path().join("robots.toml"), robots).unwrap();
    std::fs::write(w.path().join("sms-secret"), format!("{SMS_SECRET}\n")).unwrap();
    std::fs::write(
        w.path().join("duban.toml"),
        format!(
            "base_url = \"https://duban.example.gov.cn\"\n[mail]\nurl = \"{}\"\nfrom = \"督办 <duban@nanyang.example.org>\"\ntimeout_seconds = 2\nclaim_seconds = 4\n\
             [channels]\nrobots_file = \"robots.toml\"\nwecom_url = \"{hooks}\"\ndingtalk_url = \"{hooks}\"\nfeishu_url = \"{hooks}\"\ntimeout_seconds = 3\n\
             [sms]\nurl = \"{hooks}/sms\"\nkey_id = \"{SMS_ID}\"\nsecret_file = \"sms-secret\"\nsign_name = \"南阳市纪委\"\ntemplate = \"SMS_0001\"\n",
            smtp.url(),
            hooks = hooks.url()
        ),
    )
    .unwrap();
    w
}

/// The robots the fakes know: each county's, keyed and signed as `office` writes them.
fn fake_robots(w: &Workspace, signed: bool) -> Vec<FakeRobot> {
    counties(w)
        .into_iter()
        .map(|(_, n)| FakeRobot {
            key: format!("key-u{n:02}"),
            secret: signed.then(|| format!("sec-u{n:02}")),
        })
        .collect()
}

/// The fakes' messages of `channel`, counted by whom they went to.
fn counted(received: &[Received], channel: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for r in received.iter().filter(|r| r.channel == channel) {
        *out.entry(r.to.clone()).or_insert(0) += 1;
    }
    out
}

/// What the morning of 26 May must bring: one robot message per county that owes its May
/// table, calling out its liaison, and one SMS to its leader.
fn assert_each_county_once(w: &Workspace, received: &[Received], robot_channel: &str) {
    assert_each_county(w, received, robot_channel, 0);
}

/// As [`assert_each_county_once`], with up to `repeats` messages sent twice (those in flight
/// when a pass was killed: the app took them, the pass died before it could record so).
fn assert_each_county(w: &Workspace, received: &[Received], robot_channel: &str, repeats: usize) {
    let robots = counted(received, robot_channel);
    let sms = counted(received, "sms");
    let counties = late(w);
    for (name, n) in &counties {
        assert!(
            robots.contains_key(&format!("key-u{n:02}")),
            "{name}'s robot: {robots:?}"
        );
        assert!(
            sms.contains_key(&phone(*n, 2)),
            "{name}'s leader by SMS: {sms:?}"
        );
    }
    let repeated: usize = robots.values().chain(sms.values()).map(|n| n - 1).sum();
    assert!(
        repeated <= repeats,
        "at most {repeats} sent twice: {robots:?} {sms:?}"
    );
    assert_eq!(robots.len(), counties.len(), "{robots:?}");
    assert_eq!(sms.len(), counties.len(), "{sms:?}");
    for r in received.iter().filter(|r| r.channel == robot_channel) {
        assert!(r.text.contains("逾期"), "{}", r.text);
        // The way to the obligation's page, whole at the end.
        assert!(
            r.text
                .contains("\n\n办理入口：https://duban.example.gov.cn/o/nanyang-2017/"),
            "{}",
            r.text
        );
        if robot_channel != "feishu" {
            let n: u32 = r.to[5..].parse().unwrap();
            assert_eq!(r.mobiles, [phone(n, 1)], "the liaison is called out");
        }
    }
    for r in received.iter().filter(|r| r.channel == "sms") {
        let p: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(p["kind"], "催办", "{p}");
        assert!(p["summary"].as_str().unwrap().contains("逾期"), "{p}");
    }
}

#[test]
fn nanyang_on_26_may_reaches_each_late_county_by_its_robot_and_its_leader_by_sms_once() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "企业微信");
    hooks.add_robots(&fake_robots(&w, false));
    let out = w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    assert!(!out.contains("stopped"), "{out}");
    assert_each_county_once(&w, &hooks.received(), "wecom");
    // Again the same morning: nothing new.
    let again = w.ok(&["remind", "--as-of", "2017-05-26T09:30"]);
    assert!(again.contains("0 sent"), "{again}");
    assert_each_county_once(&w, &hooks.received(), "wecom");
    // The outbox names robots by name and phones by number, never a key or a secret.
    let outbox = w.ok(&["outbox", "--all"]);
    assert!(outbox.contains("wecom:宛城区督办群"), "{outbox}");
    assert!(
        !outbox.contains("key-u") && !outbox.contains(SMS_SECRET),
        "{outbox}"
    );
}

#[test]
fn a_wrong_signing_secret_stops_that_robot_alone_and_leaves_its_messages_pending() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "钉钉");
    let mut robots = fake_robots(&w, true);
    // 宛城区's robot was re-made in 钉钉: the secret in the robots file is the old one.
    let wancheng = counties(&w)
        .into_iter()
        .find(|(name, _)| name == "宛城区")
        .unwrap()
        .1;
    let key = format!("key-u{wancheng:02}");
    robots.iter_mut().find(|r| r.key == key).unwrap().secret = Some("sec-renewed".into());
    hooks.add_robots(&robots);
    let run = w.run(&["remind", "--as-of", "2017-05-26T09:00"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 0, "others were sent: {said}");
    assert_eq!(
        said.matches("钉钉 robot `宛城区督办群`: 310000").count(),
        2,
        "one error in the log and one in the summary: {said}"
    );
    assert!(!said.contains("sec-u") && !said.contains(&key), "{said}");
    let received = hooks.received();
    let robots_sent = counted(&received, "dingtalk");
    assert_eq!(robots_sent.get(&key), None);
    assert_eq!(robots_sent.len(), late(&w).len() - 1, "{robots_sent:?}");
    // Its message is pending, untried, with the reason.
    let outbox = w.json(&["outbox"]);
    let pending: Vec<&serde_json::Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["recipient"] == "dingtalk:宛城区督办群")
        .collect();
    assert_eq!(pending.len(), 1, "{outbox}");
    assert_eq!(pending[0]["state"], "pending");
    assert_eq!(pending[0]["attempts"], 0);
    // Fixed: the next pass sends it, once.
    let text = std::fs::read_to_string(w.path().join("robots.toml")).unwrap();
    std::fs::write(
        w.path().join("robots.toml"),
        text.replace(&format!("sec-u{wancheng:02}"), "sec-renewed"),
    )
    .unwrap();
    w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    assert_each_county_once(&w, &hooks.received(), "dingtalk");
}

#[test]
fn two_racing_daemons_and_a_sigkill_send_each_message_once() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "飞书");
    race(&w, &hooks);
}

/// The same two nodes on one PostgreSQL database.
#[test]
fn on_postgresql_two_racing_daemons_and_a_sigkill_send_each_message_once() {
    let Some(url) = crate::pgserver::database() else {
        return;
    };
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "钉钉");
    let settings = w.path().join("duban.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(&settings, format!("database = \"{url}\"\n{text}")).unwrap();
    race(&w, &hooks);
}

/// Two daemons racing on `w` from the start, the first killed (SIGKILL) in the middle of its
/// sending: every county's robot message and SMS arrive, at most the one in flight twice.
fn race(w: &Workspace, hooks: &HookServer) {
    let signed = !std::fs::read_to_string(w.path().join("robots.toml"))
        .unwrap()
        .contains("企业微信");
    hooks.add_robots(&fake_robots(w, signed));
    let channel = if std::fs::read_to_string(w.path().join("robots.toml"))
        .unwrap()
        .contains("飞书")
    {
        "feishu"
    } else {
        "dingtalk"
    };
    w.ok(&["sync", "--as-of", "2017-05-26T09:00"]);
    let daemon = |schedule: &str| {
        KillOnDrop::spawn(
            crate::common::process(w.path())
                .args([
                    "daemon",
                    "--as-of",
                    "2017-05-26T09:00",
                    "--schedule",
                    schedule,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )
    };
    // Both race from the start; the first is killed (SIGKILL) in the middle of its sending.
    hooks.delay(Duration::from_millis(40));
    let first = daemon("*/1 * * * * *");
    let second = daemon("*/2 * * * * *");
    let expected = 2 * late(w).len();
    let deadline = Instant::now() + Duration::from_secs(60);
    while hooks.received().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut first = first.into_inner();
    first.kill().unwrap();
    first.wait().unwrap();
    let before_kill = hooks.received().len();
    assert!(
        (5..expected).contains(&before_kill),
        "killed mid-pass ({before_kill} delivered)"
    );
    hooks.delay(Duration::ZERO);
    let deadline = Instant::now() + Duration::from_secs(90);
    let wanted = |r: &Received| r.channel == channel || r.channel == "sms";
    while hooks.received().iter().filter(|r| wanted(r)).count() < expected
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    // Anything sent twice would come shortly after.
    std::thread::sleep(Duration::from_secs(2));
    drop(second);
    assert_each_county(w, &hooks.received(), channel, 1);
}

/// 南阳 with one 企业微信 robot for the whole city and one message per item: more messages
/// for the robot than its 20 a minute. The app's minute is three seconds here.
fn one_city_robot(hooks: &HookServer, smtp: &MailServer) -> Workspace {
    let w = office(hooks, smtp, "企业微信");
    let settings = w.path().join("duban.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = text.replace("[channels]\n", "[channels]\none_per_item = true\n");
    std::fs::write(&settings, text).unwrap();
    let names: Vec<String> = counties(&w)
        .into_iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    std::fs::write(
        w.path().join("robots.toml"),
        format!(
            "[\"南阳市督办群\"]\nchannel = \"企业微信\"\nkey = \"key-city\"\nunits = [{}]\n",
            names.join(", ")
        ),
    )
    .unwrap();
    hooks.add_robots(&[FakeRobot {
        key: "key-city".into(),
        secret: None,
    }]);
    hooks.minute(Duration::from_secs(3));
    w
}

/// Messages the city's robot received.
fn city_robot(hooks: &HookServer) -> usize {
    counted(&hooks.received(), "wecom")
        .get("key-city")
        .copied()
        .unwrap_or(0)
}

/// One 企业微信 robot for the whole city, one message per item: its 20 a minute kept by scheduling
/// — twenty now, the rest a minute later, the summary saying when — and a second process that
/// meets the app's own limit holds its messages back, untried, rather than failing them.
#[test]
fn a_robots_twenty_a_minute_is_kept_by_scheduling_not_by_failing() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = one_city_robot(&hooks, &smtp);
    let late = late(&w).len();
    let first = w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    let held = late - 20;
    assert!(
        first.contains(&format!(
            "{held} held back by rate limits, the last at 2017-05-26 09:01"
        )),
        "{first}"
    );
    assert_eq!(city_robot(&hooks), 20);
    assert!(hooks.refused().is_empty(), "{:?}", hooks.refused());
    // Another process, a minute later by the rehearsal's clock but within the app's minute:
    // the app refuses (45009) and the messages wait again, not tried.
    let second = w.ok(&["remind", "--as-of", "2017-05-26T09:01"]);
    assert!(second.contains("0 sent"), "{second}");
    assert!(hooks.refused().iter().any(|r| r.contains("45009")));
    let outbox = w.json(&["outbox"]);
    let waiting: Vec<&serde_json::Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["recipient"] == "wecom:南阳市督办群")
        .collect();
    assert_eq!(waiting.len(), held, "{outbox}");
    assert!(waiting.iter().all(|m| m["attempts"] == 0), "{outbox}");
    std::thread::sleep(Duration::from_secs(3));
    w.ok(&["remind", "--as-of", "2017-05-26T09:02"]);
    assert_eq!(city_robot(&hooks), late, "every message once");
}

/// The daemon sends what a rate limit held back on its minute, not at its next scheduled pass
/// (here, never): a real minute's wait.
#[test]
fn the_daemon_sends_what_a_rate_limit_held_back_on_its_minute() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = one_city_robot(&hooks, &smtp);
    let late = late(&w).len();
    let _daemon = KillOnDrop::spawn(
        crate::common::process(w.path())
            .args([
                "daemon",
                "--as-of",
                "2017-05-26T09:00",
                "--schedule",
                "0 0 0 1 1 *",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    while city_robot(&hooks) < late && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        city_robot(&hooks),
        late,
        "every message, the last a minute later"
    );
    assert!(hooks.refused().is_empty(), "{:?}", hooks.refused());
}

/// The apps are down: nothing is lost — each message is retried later and sent once.
#[test]
fn an_outage_loses_nothing() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "企业微信");
    hooks.add_robots(&fake_robots(&w, false));
    hooks.set_down(true);
    let down = w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    assert!(hooks.received().is_empty());
    assert!(
        down.contains(&format!("{} to retry", 2 * late(&w).len())),
        "{down}"
    );
    hooks.set_down(false);
    w.ok(&["remind", "--as-of", "2017-05-26T11:00"]);
    assert_each_county_once(&w, &hooks.received(), "wecom");
}

/// `channels check` names each robot, whether it signs and what it carries, the SMS gateway
/// without its secret, and a unit a robot names that no campaign has; `--send` reaches the
/// unit by its robot and its people's phones.
#[test]
fn channels_check_names_each_robot_and_a_test_message_goes_by_each_channel() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "钉钉");
    hooks.add_robots(&fake_robots(&w, true));
    let robots = w.path().join("robots.toml");
    let mut text = std::fs::read_to_string(&robots).unwrap();
    text.push_str("[\"旧群\"]\nchannel = \"钉钉\"\nkey = \"key-old\"\nunits = [\"宛城\"]\n");
    std::fs::write(&robots, text).unwrap();
    w.ok(&["sync", "--as-of", "2017-05-26T08:00"]);
    let checked = w.run(&["channels", "check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(
        checked
            .stdout
            .contains("dingtalk: robot 宛城区督办群 — carries 宛城区, signed"),
        "{}",
        checked.stdout
    );
    assert!(
        checked.stdout.contains(&format!(
            "sms: {}/sms — key {SMS_ID}, signature 【南阳市纪委】, template SMS_0001",
            hooks.url()
        )),
        "{}",
        checked.stdout
    );
    assert!(
        checked.stderr.contains("names 宛城, which no campaign has")
            && checked.stderr.contains("宛城区"),
        "{}",
        checked.stderr
    );
    let shown = format!("{}{}", checked.stdout, checked.stderr);
    assert!(
        !shown.contains(SMS_SECRET) && !shown.contains("sec-u"),
        "{shown}"
    );
    assert!(hooks.received().is_empty(), "a check sends nothing");

    let sent = w.ok(&[
        "channels",
        "check",
        "--send",
        "宛城区",
        "--campaign",
        "nanyang-2017",
    ]);
    let received = hooks.received();
    let n = counties(&w)
        .into_iter()
        .find(|(name, _)| name == "宛城区")
        .unwrap()
        .1;
    let robot: Vec<&Received> = received
        .iter()
        .filter(|r| r.channel == "dingtalk")
        .collect();
    assert_eq!(robot.len(), 1, "{sent}");
    assert_eq!(robot[0].to, format!("key-u{n:02}"));
    assert!(robot[0].text.contains("测试消息"), "{}", robot[0].text);
    let mut phones: Vec<&str> = received
        .iter()
        .filter(|r| r.channel == "sms")
        .map(|r| r.to.as_str())
        .collect();
    phones.sort_unstable();
    assert_eq!(phones, [phone(n, 1), phone(n, 2)], "{sent}");
    assert!(
        sent.contains("dingtalk: a test message went to 宛城区督办群"),
        "{sent}"
    );
}

/// 一键催办 goes by the unit's channels: its mailboxes, its robot (calling out its liaison) and
/// its people's phones, once.
#[test]
fn a_chase_goes_by_the_units_robot_and_phones() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "企业微信");
    hooks.add_robots(&fake_robots(&w, false));
    let out = w.ok(&[
        "chase",
        "nanyang-2017",
        "宛城区",
        "统计表",
        "--as-of",
        "2017-05-26T10:00",
    ]);
    let n = counties(&w)
        .into_iter()
        .find(|(name, _)| name == "宛城区")
        .unwrap()
        .1;
    let received = hooks.received();
    let robot: Vec<&Received> = received.iter().filter(|r| r.channel == "wecom").collect();
    assert_eq!(robot.len(), 1, "{out}");
    assert_eq!(robot[0].to, format!("key-u{n:02}"));
    assert_eq!(robot[0].mobiles, [phone(n, 1)]);
    assert!(robot[0].text.contains("统计表"), "{}", robot[0].text);
    assert_eq!(counted(&received, "sms").len(), 2, "{out}");
    assert!(
        !smtp.messages().is_empty(),
        "and its mailboxes, as before: {out}"
    );
}

/// No mail server, robots and SMS set up: the mails wait, pending and untried, and the robots'
/// messages and the SMS go.
#[test]
fn without_a_mail_server_robots_and_sms_still_go() {
    let smtp = MailServer::start();
    let hooks = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&hooks, &smtp, "企业微信");
    hooks.add_robots(&fake_robots(&w, false));
    let settings = w.path().join("duban.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with(&format!("url = \"{}", smtp.url())))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&settings, text).unwrap();
    let out = w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    assert!(out.contains("no mail server is set up"), "{out}");
    assert_each_county_once(&w, &hooks.received(), "wecom");
    let outbox = w.json(&["outbox"]);
    let mails: Vec<&serde_json::Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["recipient"].as_str().unwrap().contains(':'))
        .collect();
    assert!(!mails.is_empty(), "{outbox}");
    assert!(
        mails
            .iter()
            .all(|m| m["state"] == "pending" && m["attempts"] == 0),
        "{outbox}"
    );
    assert!(smtp.messages().is_empty());
}

/// An app reached over TLS: its certificate not trusted, that robot stops as a refused key
/// does — pending, untried, the reason kept, SMS going on; trusted through `[channels]
/// ca_file`, its messages go.
#[test]
fn a_robot_whose_certificate_is_not_trusted_waits_until_its_authority_is_given() {
    let ca = crate::postgres_tls::authority("duban test robot authority");
    let (chain, key) = crate::postgres_tls::server_certificate(&ca);
    let smtp = MailServer::start();
    let sms = HookServer::start(&[], Some((SMS_ID, SMS_SECRET)));
    let w = office(&sms, &smtp, "企业微信");
    let hooks = HookServer::start_with_tls(&fake_robots(&w, false), None, (&chain, &key));
    let https = hooks.url().replace("http://127.0.0.1", "https://localhost");
    let settings = w.path().join("duban.toml");
    let text = std::fs::read_to_string(&settings).unwrap().replace(
        &format!("wecom_url = \"{}\"", sms.url()),
        &format!("wecom_url = \"{https}\""),
    );
    std::fs::write(&settings, &text).unwrap();
    let out = w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    assert!(out.contains("stopped: TLS"), "{out}");
    assert!(hooks.received().is_empty());
    assert_eq!(
        counted(&sms.received(), "sms").len(),
        late(&w).len(),
        "SMS went"
    );
    let outbox = w.json(&["outbox"]);
    let robots: Vec<&serde_json::Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["recipient"].as_str().unwrap().starts_with("wecom:"))
        .collect();
    assert_eq!(robots.len(), late(&w).len(), "{outbox}");
    assert!(robots.iter().all(|m| m["attempts"] == 0), "{outbox}");

    std::fs::write(w.path().join("robots-ca.pem"), ca.pem()).unwrap();
    std::fs::write(
        &settings,
        text.replace("[channels]\n", "[channels]\nca_file = \"robots-ca.pem\"\n"),
    )
    .unwrap();
    w.ok(&["remind", "--as-of", "2017-05-26T09:00"]);
    assert_eq!(counted(&hooks.received(), "wecom").len(), late(&w).len());
}
