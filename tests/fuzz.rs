//! The parser and checker never panic: random text, and the real campaigns mutated at random
//! (characters deleted, inserted from many scripts, lines dropped or doubled) go through parse,
//! check, compile and rendering of every diagnostic.

use proptest::prelude::*;

use duban::language::load_text;
use duban::schedule::{Calendar, compile};

use crate::common::{CAMPAIGNS, campaign};

fn run_everything(text: &str) -> String {
    let loaded = load_text(
        "fuzz.campaign",
        text,
        None,
        |_| Err(std::io::Error::other("no contacts in fuzzing").into()),
        &[],
    );
    let mut diagnostics = loaded.diagnostics.clone();
    if let Some(c) = &loaded.campaign {
        match compile(c, Calendar::official(), None) {
            Ok(schedule) => {
                diagnostics.extend(schedule.warnings.iter().cloned());
                for o in schedule.obligations().take(50) {
                    let _ = o.record();
                }
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    loaded.sources.render(&diagnostics, false)
}

/// Characters that matter to the grammar, and some from other scripts.
const PALETTE: &[char] = &[
    '{', '}', '"', '“', '”', ':', '：', ';', '；', '、', ',', '#', '\n', ' ', '.', '-', '>', '0',
    '1', '2', '9', '年', '月', '日', '前', '后', '至', '每', '底', '旬', '阶', '段', '报', '送',
    'a', 'z', 'é', 'ж', 'ع', '¤', '※', '\u{3000}', '\t', '\\', '\r', '𝄞',
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    DropLine(usize),
    DoubleLine(usize),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        match *edit {
            Edit::Delete(at) if !chars.is_empty() => {
                chars.remove(at % chars.len());
            }
            Edit::Insert(at, c) => chars.insert(at % (chars.len() + 1), c),
            Edit::DropLine(n) | Edit::DoubleLine(n) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.split('\n').collect();
                let i = n % lines.len();
                if matches!(edit, Edit::DropLine(_)) {
                    lines.remove(i);
                } else {
                    lines.insert(i, lines[i]);
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::Delete(_) => {}
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), prop::sample::select(PALETTE)).prop_map(|(a, c)| Edit::Insert(a, c)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DoubleLine),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}") {
        run_everything(&text);
    }

    #[test]
    fn random_grammar_characters_never_panic(chars in prop::collection::vec(prop::sample::select(PALETTE), 0..200)) {
        run_everything(&chars.into_iter().collect::<String>());
    }

    #[test]
    fn long_lines_never_panic_and_render_briefly(
        chars in prop::collection::vec(prop::sample::select(PALETTE), 2000..6000),
    ) {
        // One long line: every diagnostic on it quotes a window of it, and at most 20 are shown.
        let line: String = chars.into_iter().filter(|c| *c != '\n').collect();
        let rendered = run_everything(&format!("campaign c {{\n period 2017-01-01 .. 2017-12-31\n}}\n{line}\n"));
        prop_assert!(rendered.len() < 40_000, "{} bytes", rendered.len());
    }

    #[test]
    fn mutated_campaigns_never_panic(which in 0..4usize, edits in prop::collection::vec(edit(), 1..6)) {
        let text = std::fs::read_to_string(campaign(CAMPAIGNS[which])).unwrap();
        run_everything(&apply(&text, &edits));
    }
}

#[test]
fn pathological_inputs_end_in_diagnostics() {
    for text in [
        "{".repeat(100_000),
        "}".repeat(1000),
        "\"".repeat(1000),
        format!("campaign x {{\n period {}\n}}", "2017-01-01 .. ".repeat(500)),
        format!("group g {{ {} }}", "甲 ".repeat(20_000)),
        "report r {\n due every month by day 99999999999999999999\n}\n".to_string(),
        "campaign c {\n period 0001-01-01 .. 9999-12-31\n}\nunit a\nreport r {\n from a\n due every week by friday\n}\n".to_string(),
    ] {
        run_everything(&text);
    }
}

/// A 40 KB line of mistakes once took 52 s and wrote 240 MB of diagnostics; now each shows a
/// window of the line, and only the first 20 are shown.
#[test]
fn long_lines_of_mistakes_render_briefly() {
    let prelude = "campaign c {\n period 2017-01-01 .. 2017-12-31\n}\nunit 甲\n";
    let names: Vec<String> = (0..4000).map(|i| format!("单位{i}")).collect();
    for text in [
        format!(
            "{prelude}report r {{ from {} \n to 甲\n due 2017-05-01\n}}\n",
            names.join(" ")
        ),
        format!("{prelude}{}\n", "\"x\" ".repeat(10_000)),
        format!("{prelude}{}\n", "\"".repeat(9_999)),
        format!("{prelude}{}\n", "@ ".repeat(20_000)),
        format!(
            "{prelude}report r {{ from 甲\n to 甲\n due {}\n}}\n",
            "2017-05-01 ".repeat(4000)
        ),
    ] {
        let rendered = run_everything(&text);
        assert!(
            rendered.len() < 20_000,
            "{} bytes:\n{}",
            rendered.len(),
            &rendered[..2000.min(rendered.len())]
        );
        assert!(
            rendered
                .lines()
                .all(|l| unicode_width::UnicodeWidthStr::width(l) < 200),
            "{rendered}"
        );
    }
}

/// Found by `mutated_campaigns_never_panic` (kept in proptest-regressions/fuzz.txt too): two long
/// lines, each with a diagnostic, where a window cut for the first diagnostic was taken for the
/// second's, so that codespan's arithmetic underflowed. The edits are of the 千阳 file as it was
/// then, kept in `tests/fixtures/fuzz-qianyang-2023.campaign` (not in `campaigns/`, whose file
/// follows the document and changes).
#[test]
fn windows_of_one_diagnostic_never_capture_anothers_label() {
    use Edit::*;
    let text = std::fs::read_to_string(
        crate::common::root().join("tests/fixtures/fuzz-qianyang-2023.campaign"),
    )
    .unwrap();
    let edits = [
        DoubleLine(4702990348580431403),
        DoubleLine(12817564205970069406),
        Delete(48594580656),
        Delete(4664459047277157639),
    ];
    let rendered = run_everything(&apply(&text, &edits));
    assert!(
        rendered.contains("`cooperate` is given twice"),
        "{rendered}"
    );
}
