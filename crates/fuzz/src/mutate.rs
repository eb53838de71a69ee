//! The mutator: byte and line edits, interesting values, and splices from other seed files,
//! all drawn from one SplitMix64 seed so that a run is reproducible.

use sim_cluster::rng::Rng;

/// Numbers that break naive code: sign, the edges of the integer types and of the
/// integers a double holds exactly, and beyond.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "255",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
];

/// Other values that break naive code (besides [`NUMBERS`]): float extremes, quotes,
/// separators, control and bidi characters, TOML and JSON structure.
const TOKENS: &[&str] = &[
    "1e309",
    "-0",
    "nan",
    "inf",
    "true",
    "null",
    "\"\"",
    "\"",
    "'",
    "\\",
    "\\u0000",
    "\\u202e",
    "\\n",
    "\u{202E}",
    "\u{0}",
    "\u{1B}[2J",
    "\n",
    "\r\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    ":",
    "[[step]]\n",
    "[[fault]]\n",
    "version = 2\n",
    "\"version\": 2,",
    "\"extra\": 1,",
    "9999h",
    "0ms",
    "10000000h",
    "C:\\",
    "E:\\x",
    "every-node",
    "standby",
    "active",
    "ssc-node1",
    "ssc-node2",
    "crash",
    "restart-request",
    "install-module",
    "move-group",
    "\"kind\":\"intent\"",
    "\"at_ms\":18446744073709551615",
    "\"op\":18446744073709551615",
    "\"step\":4294967295",
];

/// Mutates `input` with one to four edits, taking splices from `others`.
pub fn mutate(rng: &mut Rng, input: &[u8], others: &[&[u8]]) -> Vec<u8> {
    let mut data = input.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        match rng.below(11) {
            0 => flip_bit(rng, &mut data),
            1 => insert_token(rng, &mut data),
            2 => replace_number(rng, &mut data),
            3 => delete_range(rng, &mut data),
            4 => duplicate_range(rng, &mut data),
            5 => delete_line(rng, &mut data),
            6 => duplicate_line(rng, &mut data),
            7 => swap_lines(rng, &mut data),
            8 | 9 => splice(rng, &mut data, others),
            _ => truncate(rng, &mut data),
        }
    }
    data
}

fn at(rng: &mut Rng, len: usize) -> usize {
    if len == 0 { 0 } else { rng.below(len as u64 + 1) as usize }
}

fn flip_bit(rng: &mut Rng, data: &mut [u8]) {
    if !data.is_empty() {
        let i = rng.below(data.len() as u64) as usize;
        data[i] ^= 1 << rng.below(8);
    }
}

/// Inserts one of the numbers or other tokens.
fn insert_token(rng: &mut Rng, data: &mut Vec<u8>) {
    let pick = rng.below((NUMBERS.len() + TOKENS.len()) as u64) as usize;
    let token = NUMBERS.get(pick).copied().unwrap_or_else(|| TOKENS[pick - NUMBERS.len()]);
    let i = at(rng, data.len());
    data.splice(i..i, token.bytes());
}

/// Replaces a run of digits with an interesting number.
fn replace_number(rng: &mut Rng, data: &mut Vec<u8>) {
    let digits: Vec<usize> = (0..data.len()).filter(|&i| data[i].is_ascii_digit()).collect();
    if digits.is_empty() {
        return insert_token(rng, data);
    }
    let start = digits[rng.below(digits.len() as u64) as usize];
    let end = (start..data.len()).find(|&i| !data[i].is_ascii_digit()).unwrap_or(data.len());
    let number = NUMBERS[rng.below(NUMBERS.len() as u64) as usize];
    data.splice(start..end, number.bytes());
}

fn delete_range(rng: &mut Rng, data: &mut Vec<u8>) {
    let start = at(rng, data.len());
    let len = (1 + rng.below(16) as usize).min(data.len() - start);
    data.drain(start..start + len);
}

fn duplicate_range(rng: &mut Rng, data: &mut Vec<u8>) {
    let start = at(rng, data.len());
    let len = (1 + rng.below(64) as usize).min(data.len() - start);
    let chunk: Vec<u8> = data[start..start + len].to_vec();
    let to = at(rng, data.len());
    data.splice(to..to, chunk);
}

/// Byte ranges of the lines of `data`, each with its line break.
fn lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < data.len() {
        out.push((start, data.len()));
    }
    out
}

fn delete_line(rng: &mut Rng, data: &mut Vec<u8>) {
    let lines = lines(data);
    if !lines.is_empty() {
        let (start, end) = lines[rng.below(lines.len() as u64) as usize];
        data.drain(start..end);
    }
}

fn duplicate_line(rng: &mut Rng, data: &mut Vec<u8>) {
    let lines = lines(data);
    if !lines.is_empty() {
        let (start, end) = lines[rng.below(lines.len() as u64) as usize];
        let line = data[start..end].to_vec();
        let (to, _) = lines[rng.below(lines.len() as u64) as usize];
        data.splice(to..to, line);
    }
}

fn swap_lines(rng: &mut Rng, data: &mut Vec<u8>) {
    let lines = lines(data);
    if lines.len() >= 2 {
        let i = rng.below(lines.len() as u64 - 1) as usize;
        let (a, b) = (lines[i], lines[i + 1]);
        let mut swapped = data[b.0..b.1].to_vec();
        if !swapped.ends_with(b"\n") {
            swapped.push(b'\n');
        }
        swapped.extend_from_slice(&data[a.0..a.1]);
        data.splice(a.0..b.1, swapped);
    }
}

/// Inserts a few lines of another seed file at a line boundary.
fn splice(rng: &mut Rng, data: &mut Vec<u8>, others: &[&[u8]]) {
    if others.is_empty() {
        return duplicate_line(rng, data);
    }
    let other = others[rng.below(others.len() as u64) as usize];
    let other_lines = lines(other);
    if other_lines.is_empty() {
        return;
    }
    let from = rng.below(other_lines.len() as u64) as usize;
    let count = (1 + rng.below(8) as usize).min(other_lines.len() - from);
    let chunk = &other[other_lines[from].0..other_lines[from + count - 1].1];
    let own = lines(data);
    let to = if own.is_empty() { 0 } else { own[rng.below(own.len() as u64) as usize].0 };
    data.splice(to..to, chunk.iter().copied());
}

fn truncate(rng: &mut Rng, data: &mut Vec<u8>) {
    let keep = at(rng, data.len());
    data.truncate(keep);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_mutants() {
        let input = b"a = 1\nb = \"two\"\n[[step]]\nid = \"x\"\n";
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|_| mutate(&mut rng, input, &[b"c = 3\n"])).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert!(run(7).iter().any(|m| m.as_slice() != input.as_slice()));
    }
}
