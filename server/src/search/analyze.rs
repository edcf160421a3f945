//! How text becomes search terms, the same way for what is indexed and what is asked, in the
//! six UN languages.
//!
//! - Everything is NFKC-normalised and lower-cased; Latin, Cyrillic and Greek letters lose their
//!   accents (`é` finds `e`; `ё` finds `е`).
//! - Arabic loses its short vowels and other marks (harakat, shadda, sukun, the superscript
//!   alef) and the tatweel, and the forms of alef (`أ إ آ ٱ`) become `ا`, `ى` becomes `ي`
//!   and `ة` becomes `ه`, so a word is found however fully it was vowelled or spelled.
//! - Chinese (and Japanese and Korean) is written without spaces: a run of such characters is
//!   indexed as its overlapping pairs (`土地改革` as `土地 地改 改革`), and a single character as
//!   itself. A query made the same way matches as a phrase, so a two-character word is found
//!   wherever it stands in a sentence, without a dictionary.
//! - Anything else that is not a letter or a digit separates words.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The terms of `text`, in order (a phrase query keeps that order).
pub fn terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut word = String::new();
    let mut ideographs: Vec<char> = Vec::new();
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if is_ideographic(c) {
            flush_word(&mut word, &mut terms);
            ideographs.push(c);
            continue;
        }
        flush_ideographs(&mut ideographs, &mut terms);
        if let Some(c) = fold(c) {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush_word(&mut word, &mut terms);
            }
        }
    }
    flush_word(&mut word, &mut terms);
    flush_ideographs(&mut ideographs, &mut terms);
    terms
}

/// A character as it is indexed; `None` for marks that are dropped inside a word.
fn fold(c: char) -> Option<char> {
    match c {
        // Arabic harakat, shadda, sukun, maddah and hamza marks, superscript alef; tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => None,
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ى' => Some('ي'),
        'ة' => Some('ه'),
        c if c.is_ascii() => Some(c),
        c => {
            // Accents: decompose and keep the base letter.
            let mut base = None;
            for part in std::iter::once(c).nfd() {
                if !is_combining_mark(part) {
                    base.get_or_insert(part);
                }
            }
            base.or(Some(c)).filter(|b| !is_combining_mark(*b))
        }
    }
}

fn flush_word(word: &mut String, terms: &mut Vec<String>) {
    if !word.is_empty() {
        terms.push(std::mem::take(word));
    }
}

fn flush_ideographs(run: &mut Vec<char>, terms: &mut Vec<String>) {
    match run.len() {
        0 => {}
        1 => terms.push(run[0].to_string()),
        _ => terms.extend(run.windows(2).map(|pair| pair.iter().collect())),
    }
    run.clear();
}

/// Han, kana and Hangul: scripts written without spaces between words.
fn is_ideographic(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

#[cfg(test)]
mod tests {
    use super::terms;

    #[test]
    fn latin_words_are_lower_cased_and_lose_their_accents() {
        assert_eq!(
            terms("Réforme AGRAIRE, sécurité foncière!"),
            ["reforme", "agraire", "securite", "fonciere"]
        );
        assert_eq!(terms("Land-tenure 2030"), ["land", "tenure", "2030"]);
    }

    #[test]
    fn cyrillic_is_folded_like_latin() {
        assert_eq!(terms("Ёлка Земельная"), ["елка", "земельная"]);
    }

    #[test]
    fn arabic_is_found_with_or_without_its_vowels() {
        let plain = terms("الأراضي الزراعية");
        assert_eq!(plain, ["الاراضي", "الزراعيه"]);
        assert_eq!(
            terms("الأَرَاضِي الزِّرَاعِيَّة"),
            plain,
            "harakat and shadda dropped"
        );
        assert_eq!(terms("الاراضـــي"), ["الاراضي"], "tatweel dropped");
    }

    #[test]
    fn chinese_runs_become_overlapping_pairs() {
        assert_eq!(terms("土地改革"), ["土地", "地改", "改革"]);
        assert_eq!(terms("土地"), ["土地"]);
        assert_eq!(terms("水"), ["水"]);
        assert_eq!(
            terms("支持土地改革。Land"),
            ["支持", "持土", "土地", "地改", "改革", "land"]
        );
    }

    #[test]
    fn full_width_forms_are_normalised() {
        assert_eq!(terms("ＬＡＮＤ"), ["land"]);
    }
}
