use super::*;
use proptest::prelude::*;

const RLO: char = '\u{202E}';
const RLE: char = '\u{202B}';
const LRI: char = '\u{2066}';

#[test]
fn names_are_trimmed_and_composed() {
    // "Zoë" with a combining diaeresis becomes the single composed character.
    let decomposed = "  Zoe\u{0308} Okafor ";
    assert_eq!(name("name", decomposed, 120).unwrap(), "Zo\u{00EB} Okafor");
}

#[test]
fn names_in_every_un_language_pass() {
    for text in [
        "Amina Wanjiru",
        "Chen Wei 陈伟",
        "Олена Коваль",
        "José Ñúñez",
        "François d'Arc",
        "فاطمة الزهراء",
        // Persian writes some words with a zero-width non-joiner; emoji sequences need ZWJ.
        "می\u{200C}خواهم",
        "Ana 👩\u{200D}💻",
    ] {
        assert_eq!(name("name", text, 120).as_deref(), Ok(text), "{text:?}");
    }
}

#[test]
fn names_refuse_controls_bidi_and_invisible_characters() {
    let refused = [
        ("Amina\u{0000}", "a control character"),
        ("\u{1b}[31mAdmin\u{1b}[0m", "a control character"),
        ("Ami\tna", "a control character"),
        ("Secretariat\nBot", "a control character"),
        ("Mode\u{0085}rator", "a control character"),
        ("\u{202E}animA", "a bidi control character"),
        ("Amina\u{2067}", "a bidi control character"),
        ("Amina\u{2028}Wanjiru", "a line break"),
        ("Ami\u{200B}na", "an invisible format character"),
        ("Amina\u{200F}", "an invisible format character"),
        ("\u{FEFF}Amina", "an invisible format character"),
    ];
    for (text, kind) in refused {
        match name("name", text, 120) {
            Err(TextError::Forbidden { kind: found, .. }) => assert_eq!(found, kind, "{text:?}"),
            other => panic!("{text:?} gave {other:?}"),
        }
    }
}

#[test]
fn names_of_only_invisible_characters_are_empty() {
    for text in [
        "",
        "   ",
        "\u{200C}\u{200D}",
        "\u{3164}",
        "\u{115F}\u{1160}",
        "\u{2800}\u{2800}",
        "\u{0301}",
    ] {
        assert_eq!(
            name("name", text, 120),
            Err(TextError::Empty { what: "name" }),
            "{text:?}"
        );
    }
}

#[test]
fn the_length_of_a_name_is_counted_after_composition() {
    // 120 decomposed "é" are 240 characters but 120 once composed.
    let text = "e\u{0301}".repeat(120);
    assert_eq!(name("name", &text, 120).unwrap().chars().count(), 120);
    assert_eq!(
        name("name", &"é".repeat(121), 120),
        Err(TextError::TooLong {
            what: "name",
            chars: 121,
            max: 120
        })
    );
}

#[test]
fn prose_refuses_nul_and_ansi_escapes_but_keeps_tabs_and_line_breaks() {
    assert!(matches!(
        clean_prose("statement", "We agree.\u{0000}"),
        Err(TextError::Forbidden {
            found: '\u{0000}',
            ..
        })
    ));
    assert!(matches!(
        clean_prose("statement", "\u{1b}[2J cleared"),
        Err(TextError::Forbidden {
            found: '\u{1b}',
            ..
        })
    ));
    assert_eq!(
        clean_prose("statement", "one\r\ntwo\rthree\n\tfour").unwrap(),
        "one\ntwo\nthree\n\tfour"
    );
}

#[test]
fn an_override_is_closed_at_the_end_of_its_line() {
    let text = format!("I support {RLO}lasoporp{RLO} the\nnext line");
    assert_eq!(
        clean_prose("statement", &text).unwrap(),
        format!("I support {RLO}lasoporp{RLO} the{PDF}{PDF}\nnext line")
    );
    assert_eq!(
        clean_prose("statement", &format!("end {RLO}")).unwrap(),
        format!("end {RLO}{PDF}")
    );
}

#[test]
fn closers_without_openers_are_removed_and_nesting_is_respected() {
    assert_eq!(
        clean_prose("statement", &format!("a{PDF}b{PDI}c")).unwrap(),
        "abc"
    );
    // A PDF never closes an isolate; a PDI closes the embeddings opened inside its isolate.
    assert_eq!(
        clean_prose("statement", &format!("{LRI}x{PDF}y{RLE}z{PDI}w")).unwrap(),
        format!("{LRI}xy{RLE}z{PDF}{PDI}w")
    );
    // Well-formed mixed-direction prose is kept as written.
    let kept = format!("The {LRI}HLPF 2026{PDI} report says {RLE}مرحبا{PDF}.");
    assert_eq!(clean_prose("statement", &kept).unwrap(), kept);
}

#[test]
fn nesting_deeper_than_the_limit_is_dropped() {
    let deep = format!(
        "{}x{}",
        RLE.to_string().repeat(MAX_BIDI_DEPTH + 3),
        PDF.to_string().repeat(MAX_BIDI_DEPTH + 3)
    );
    let kept = format!(
        "{}x{}",
        RLE.to_string().repeat(MAX_BIDI_DEPTH),
        PDF.to_string().repeat(MAX_BIDI_DEPTH)
    );
    assert_eq!(clean_prose("statement", &deep).unwrap(), kept);
}

#[test]
fn prose_of_only_invisible_characters_is_empty() {
    let text = clean_prose("statement", "\u{200B}\u{200B} \n\t").unwrap();
    assert_eq!(
        check_length("statement", &text, 1, 100),
        Err(TextError::Empty { what: "statement" })
    );
    assert_eq!(check_length("description", "", 0, 100), Ok(()));
}

#[test]
fn commands_are_cleaned_field_by_field() {
    use baraza_proto::ids::LanguageTag;
    let post = RoomCommand::PostStatement {
        text: format!("Cafe\u{0301} {RLO}x"),
        lang: LanguageTag::new("en").unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    match clean_command(&post).unwrap() {
        RoomCommand::PostStatement { text, .. } => {
            assert_eq!(text, format!("Caf\u{00E9} {RLO}x{PDF}"));
        }
        other => panic!("{other:?}"),
    }
    let title = RoomCommand::AddAgendaItem(baraza_proto::roundtable::AddAgendaItem {
        title: format!("{RLO}Opening"),
        speaking_time_ms: None,
    });
    assert!(matches!(
        clean_command(&title),
        Err(TextError::Forbidden { what: "title", .. })
    ));
}

/// Checks that on every line each closer matches an opener and nothing stays open.
fn balanced(text: &str) -> bool {
    let mut stack: Vec<bool> = Vec::new(); // true: isolate
    for c in text.chars() {
        match c {
            c if EMBEDDINGS.contains(&c) => stack.push(false),
            c if ISOLATES.contains(&c) => stack.push(true),
            PDF if stack.last() == Some(&false) => {
                stack.pop();
            }
            PDI if stack.last() == Some(&true) => {
                stack.pop();
            }
            PDF | PDI => return false,
            '\n' | '\u{2029}' if !stack.is_empty() => return false,
            _ => {}
        }
        if stack.len() > MAX_BIDI_DEPTH {
            return false;
        }
    }
    stack.is_empty()
}

fn without_bidi(text: &str) -> String {
    text.chars()
        .filter(|&c| !is_bidi_control(c))
        .nfc()
        .collect()
}

/// Text built mostly from the characters that matter here.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\u{202A}"),
        Just("\u{202B}"),
        Just("\u{202C}"),
        Just("\u{202D}"),
        Just("\u{202E}"),
        Just("\u{2066}"),
        Just("\u{2067}"),
        Just("\u{2068}"),
        Just("\u{2069}"),
        Just("\n"),
        Just("\u{2029}"),
        Just("\r\n"),
        Just("e\u{0301}"),
        Just("\u{200B}"),
        Just("مرحبا"),
        Just("abc "),
    ];
    prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn cleaned_prose_is_balanced_and_stable(text in tricky_text()) {
        let clean = clean_prose("statement", &text).unwrap();
        prop_assert!(balanced(&clean), "{clean:?}");
        prop_assert_eq!(clean_prose("statement", &clean).unwrap(), clean.clone());
    }

    #[test]
    fn neutralising_only_adds_or_removes_bidi_controls(text in tricky_text()) {
        let clean = clean_prose("statement", &text).unwrap();
        let expected = text.replace("\r\n", "\n");
        prop_assert_eq!(without_bidi(&clean), without_bidi(&expected));
    }

    #[test]
    fn prose_without_controls_is_only_normalised(text in "[^\\p{Cc}\\p{Cf}]{0,80}") {
        prop_assert_eq!(clean_prose("statement", &text).unwrap(), text.nfc().collect::<String>());
    }

    #[test]
    fn any_text_cleans_to_allowed_characters_or_is_refused(text in any::<String>()) {
        if let Ok(clean) = clean_prose("statement", &text) {
            prop_assert!(!clean.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            prop_assert!(balanced(&clean));
        }
        if let Ok(clean) = clean_name("name", &text) {
            prop_assert!(clean.chars().all(|c| forbidden_in_name(c).is_none()));
            prop_assert_eq!(clean_name("name", &clean).unwrap(), clean.clone());
        }
    }
}
