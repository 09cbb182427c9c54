//! Mutations that keep an input close to the language it is written in: whole lines deleted,
//! duplicated, swapped, re-indented or spliced in from another input; numbers replaced by
//! the values that break arithmetic (0, negatives, 1e308, 1e-320, NaN, infinity, huge counts);
//! words replaced by other words of the corpus (unit names, stream names, keys); and a few
//! plain byte flips, inserts, deletes and truncations for the parser.

/// A small deterministic generator (xorshift64*): a run depends on its seed alone.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value; zero is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 for `n` = 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
}

/// Values that break arithmetic, as they may be written in a file.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "1e308",
    "-1e308",
    "1e-320",
    "1e-9",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "18446744073709551617",
    "4294967297",
    "0.5",
    "100",
    "1e15",
    "-273.15",
    "2e5",
    "1,000,000",
    ".",
    "1e",
];

/// Words that start or end a number.
fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E' | ',')
}

/// The spans of numbers in a line: runs that start with a digit (or a sign before one).
fn number_spans(line: &str) -> Vec<(usize, usize)> {
    let b: Vec<char> = line.chars().collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == ')'));
        if starts {
            let start = if i > 0 && b[i - 1] == '-' { i - 1 } else { i };
            let mut j = i;
            while j < b.len() && is_number_char(b[j]) {
                j += 1;
            }
            spans.push((start, j));
            i = j;
        } else {
            i += 1;
        }
    }
    spans
}

/// The identifier-like words of a text: the dictionary for word replacement.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '(' | ')' | '/' | '%')))
        .filter(|w| w.len() > 1 && w.chars().next().is_some_and(char::is_alphabetic))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One random mutation of `text`; `other` is another input of the corpus (for splicing) and
/// `dictionary` the corpus's words.
pub fn mutate(text: &str, other: &str, dictionary: &[String], rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    let at = rng.below(n);
    match rng.below(11) {
        0 => {
            lines.remove(at);
        }
        1 => lines.insert(at, lines[at].clone()),
        2 => lines.swap(at, rng.below(n)),
        3 | 4 => replace_number(&mut lines[at], rng),
        5 | 6 => replace_word(&mut lines[at], dictionary, rng),
        7 => {
            let shift = rng.below(2) == 0;
            let line = &mut lines[at];
            if shift {
                line.insert_str(0, "  ");
            } else if line.starts_with("  ") {
                line.replace_range(..2, "");
            }
        }
        8 => {
            let donor: Vec<&str> = other.lines().collect();
            if !donor.is_empty() {
                let from = rng.below(donor.len());
                let count = 1 + rng.below(4.min(donor.len() - from));
                for (k, l) in donor[from..from + count].iter().enumerate() {
                    lines.insert((at + k).min(lines.len()), l.to_string());
                }
            }
        }
        9 => return bytes(text, rng),
        _ => {
            let cut = rng.below(text.len() + 1);
            let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            return text[..cut].to_string();
        }
    }
    lines.join("\n") + "\n"
}

fn replace_number(line: &mut String, rng: &mut Rng) {
    let spans = number_spans(line);
    if spans.is_empty() {
        return;
    }
    let (a, b) = spans[rng.below(spans.len())];
    let chars: Vec<char> = line.chars().collect();
    let value = NUMBERS[rng.below(NUMBERS.len())];
    *line = chars[..a].iter().collect::<String>() + value + &chars[b..].iter().collect::<String>();
}

fn replace_word(line: &mut String, dictionary: &[String], rng: &mut Rng) {
    let here = words(line);
    if here.is_empty() || dictionary.is_empty() {
        return;
    }
    let old = &here[rng.below(here.len())];
    let new = &dictionary[rng.below(dictionary.len())];
    *line = line.replacen(old.as_str(), new, 1);
}

/// A byte-level change: flip, insert or delete one character.
fn bytes(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len() + 1);
    const SPECIAL: &[char] =
        &[':', '{', '}', '[', ']', ',', '"', '\'', '#', '-', '&', '*', '!', '|', '>', '\t', '\0', 'é'];
    match rng.below(3) {
        0 if at < chars.len() => chars[at] = SPECIAL[rng.below(SPECIAL.len())],
        1 => chars.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
        _ if at < chars.len() => {
            chars.remove(at);
        }
        _ => {}
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_where_they_are_written() {
        let line = "flows: { CaO: 16,000 t/yr, Ca(OH)2: -1.5e3 }";
        let found: Vec<String> =
            number_spans(line).iter().map(|&(a, b)| line.chars().skip(a).take(b - a).collect()).collect();
        assert_eq!(found, ["16,000", "-1.5e3"], "the 2 of Ca(OH)2 is part of a formula");
        assert!(number_spans("name: H2O").is_empty(), "digits inside words are not numbers");
    }

    #[test]
    fn mutations_are_deterministic_in_the_seed() {
        let text = "a: 1\nb: [x, y]\nc: { d: 2.5 t/h }\n";
        let dict = words(text);
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|_| mutate(text, "e: 3\n", &dict, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(7).iter().any(|m| m != text), "mutations change the text");
    }
}
