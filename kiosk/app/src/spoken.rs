//! How numbers are said aloud, the way a clerk at the counter says them, in
//! each of the terminal's languages. The voice prompts (the voice-assist issue)
//! put every number through here instead of leaving it to the engine, which
//! reads "A032" as "A thirty-two" and a phone number as one huge amount.
//!
//! - codes (application and ticket numbers): digit by digit, letters named as
//!   letters ("A032" → "A 零 三 二", "A zero three two");
//! - phone numbers: digit by digit in the usual 3-4-4 groups, with the
//!   Mandarin counter's 幺 for 1 in Simplified Chinese;
//! - dates as dates (the year digit by digit in Chinese: 二〇二六年十二月一日),
//!   times as times, amounts in 元/角/分 or yuan and fen.

use kiosk_core::Lang;

const ZH_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
const EN_DIGITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn digit(d: u32, lang: Lang, phone: bool) -> &'static str {
    match lang {
        // 幺 (yāo) for 1 is how numbers are read out over the counter and on the
        // phone in the mainland; Taiwan and Hong Kong usage keeps 一.
        Lang::ZhCn if phone && d == 1 => "幺",
        Lang::ZhCn | Lang::ZhTw => ZH_DIGITS[d as usize],
        Lang::En => EN_DIGITS[d as usize],
    }
}

/// An application or ticket number, one sign at a time: digits as digits,
/// letters as upper-case letters (the engines name a lone capital letter),
/// anything else (dashes, spaces) as a short pause.
pub fn code(s: &str, lang: Lang) -> String {
    let mut out: Vec<String> = Vec::new();
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            out.push(digit(d, lang, false).to_string());
        } else if c.is_ascii_alphabetic() {
            out.push(c.to_ascii_uppercase().to_string());
        } else if !c.is_whitespace() && out.last().is_some_and(|l| l != ",") {
            out.push(",".into());
        }
    }
    while out.last().is_some_and(|l| l == ",") {
        out.pop();
    }
    out.join(" ").replace(" ,", ",")
}

/// A phone number, digit by digit; an 11-digit mobile number in its 3-4-4
/// groups, with a pause between groups.
pub fn phone(s: &str, lang: Lang) -> String {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    let groups: Vec<&[u32]> = if digits.len() == 11 {
        vec![&digits[..3], &digits[3..7], &digits[7..]]
    } else {
        vec![&digits[..]]
    };
    let sep = match lang {
        Lang::En => " ",
        Lang::ZhCn | Lang::ZhTw => "",
    };
    let pause = match lang {
        Lang::En => ", ",
        Lang::ZhCn | Lang::ZhTw => "，",
    };
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|d| digit(*d, lang, true))
                .collect::<Vec<_>>()
                .join(sep)
        })
        .collect::<Vec<_>>()
        .join(pause)
}

/// A whole number in Chinese numerals as it is said (12 → 十二, 105 → 一百零五,
/// 110 → 一百一十, 20026 → 二万零二十六), up to 99 999 999.
pub fn zh_number(n: u64) -> String {
    if n == 0 {
        return ZH_DIGITS[0].into();
    }
    if n >= 100_000_000 {
        // Beyond 亿 nobody needs it said as a quantity: digit by digit.
        return n
            .to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(|d| ZH_DIGITS[d as usize])
            .collect();
    }
    let (wan, rest) = (n / 10_000, n % 10_000);
    let mut out = String::new();
    if wan > 0 {
        out.push_str(&below_10000(wan, false));
        out.push('万');
        if rest > 0 && rest < 1000 {
            out.push('零');
        }
    }
    if rest > 0 {
        out.push_str(&below_10000(rest, wan > 0));
    }
    out
}

/// 1 ..= 9999; `inner` when a higher unit precedes (then 10 is 一十, not 十).
fn below_10000(n: u64, inner: bool) -> String {
    const UNITS: [(u64, &str); 4] = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut zero = false;
    let mut started = false;
    for (unit, name) in UNITS {
        let d = (n / unit) % 10;
        if d == 0 {
            zero = started;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        // "十二", not "一十二", at the start of the number.
        if !(unit == 10 && d == 1 && !started && !inner) {
            out.push_str(ZH_DIGITS[d as usize]);
        }
        out.push_str(name);
        started = true;
    }
    out
}

/// A date (`year`, `month` 1–12, `day`) as it is said.
pub fn date(year: u32, month: u32, day: u32, lang: Lang) -> String {
    match lang {
        Lang::ZhCn | Lang::ZhTw => {
            // The year digit by digit, with 〇 for zero as in written dates.
            let y: String = year
                .to_string()
                .chars()
                .filter_map(|c| c.to_digit(10))
                .map(|d| if d == 0 { "〇" } else { ZH_DIGITS[d as usize] })
                .collect();
            format!(
                "{y}年{}月{}日",
                zh_number(month as u64),
                zh_number(day as u64)
            )
        }
        Lang::En => {
            let m = EN_MONTHS
                .get((month as usize).wrapping_sub(1))
                .copied()
                .unwrap_or("");
            format!("{day} {m} {year}")
        }
    }
}

/// A time of day (24-hour) as it is said.
pub fn time(hour: u32, minute: u32, lang: Lang) -> String {
    match lang {
        Lang::ZhCn | Lang::ZhTw => match minute {
            0 => format!("{}点整", zh_number(hour as u64)),
            1..=9 => format!(
                "{}点零{}分",
                zh_number(hour as u64),
                zh_number(minute as u64)
            ),
            _ => format!("{}点{}分", zh_number(hour as u64), zh_number(minute as u64)),
        },
        Lang::En => match minute {
            0 => format!("{hour} o'clock"),
            1..=9 => format!("{hour} oh {minute}"),
            _ => format!("{hour} {minute}"),
        },
    }
}

/// `YYYY-MM-DD` or `YYYYMMDD`, optionally followed by ` HH:MM[:SS]`, as it
/// is said; `None` if it is not such a date.
pub fn timestamp(s: &str, lang: Lang) -> Option<String> {
    let (d, t) = match s.trim().split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (s.trim(), None),
    };
    let digits: String = d.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 || d.chars().any(|c| !c.is_ascii_digit() && c != '-') {
        return None;
    }
    let (y, m, dd) = (
        digits[..4].parse().ok()?,
        digits[4..6].parse().ok()?,
        digits[6..].parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
        return None;
    }
    let mut out = date(y, m, dd, lang);
    if let Some(t) = t {
        let mut parts = t.split(':');
        let h: u32 = parts.next()?.parse().ok()?;
        let mi: u32 = parts.next()?.parse().ok()?;
        if h > 23 || mi > 59 {
            return None;
        }
        out.push_str(match lang {
            Lang::En => ", ",
            Lang::ZhCn | Lang::ZhTw => "",
        });
        out.push_str(&time(h, mi, lang));
    }
    Some(out)
}

/// An amount of money in fen (1/100 yuan) as it is said: 元/角/分, or yuan and fen.
pub fn amount(fen: u64, lang: Lang) -> String {
    let (yuan, jiao, f) = (fen / 100, (fen / 10) % 10, fen % 10);
    match lang {
        Lang::ZhCn | Lang::ZhTw => {
            if fen == 0 {
                return "零元".into();
            }
            let mut out = String::new();
            if yuan > 0 {
                out.push_str(&zh_number(yuan));
                out.push('元');
            }
            if jiao > 0 {
                out.push_str(ZH_DIGITS[jiao as usize]);
                out.push('角');
            } else if f > 0 && yuan > 0 {
                out.push('零');
            }
            if f > 0 {
                out.push_str(ZH_DIGITS[f as usize]);
                out.push('分');
            }
            out
        }
        Lang::En => {
            let cents = fen % 100;
            match (yuan, cents) {
                (0, c) => format!("{c} fen"),
                (y, 0) => format!("{y} yuan"),
                (y, c) => format!("{y} yuan {c} fen"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lang::*;

    #[test]
    fn codes_are_said_digit_by_digit_with_letters_named() {
        assert_eq!(code("A032", ZhCn), "A 零 三 二");
        assert_eq!(code("A032", ZhTw), "A 零 三 二");
        assert_eq!(code("A032", En), "A zero three two");
        assert_eq!(code("b002", ZhCn), "B 零 零 二");
        assert_eq!(code("ZW2026", En), "Z W two zero two six");
        // Separators are a pause, never a word; none at the ends.
        assert_eq!(code("T1-0007", ZhCn), "T 一, 零 零 零 七");
        assert_eq!(code("-12-", En), "one two");
        assert_eq!(code("", En), "");
    }

    #[test]
    fn phone_numbers_are_said_digit_by_digit_in_groups() {
        assert_eq!(phone("13800138000", ZhCn), "幺三八，零零幺三，八零零零");
        assert_eq!(phone("13800138000", ZhTw), "一三八，零零一三，八零零零");
        assert_eq!(
            phone("138 0013 8000", En),
            "one three eight, zero zero one three, eight zero zero zero"
        );
        // A landline: one group.
        assert_eq!(phone("027-12345", ZhCn), "零二七幺二三四五");
        assert_eq!(phone("12345", En), "one two three four five");
    }

    #[test]
    fn chinese_numbers_are_said_as_quantities() {
        let cases = [
            (0, "零"),
            (5, "五"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1005, "一千零五"),
            (1050, "一千零五十"),
            (10000, "一万"),
            (10010, "一万零一十"),
            (20026, "二万零二十六"),
            (120000, "十二万"),
            (123456, "十二万三千四百五十六"),
        ];
        for (n, said) in cases {
            assert_eq!(zh_number(n), said, "{n}");
        }
    }

    #[test]
    fn dates_and_times_are_said_as_dates_and_times() {
        assert_eq!(date(2026, 12, 1, ZhCn), "二〇二六年十二月一日");
        assert_eq!(date(2026, 12, 1, ZhTw), "二〇二六年十二月一日");
        assert_eq!(date(2026, 12, 1, En), "1 December 2026");
        assert_eq!(time(10, 5, ZhCn), "十点零五分");
        assert_eq!(time(10, 30, ZhTw), "十点三十分");
        assert_eq!(time(9, 0, ZhCn), "九点整");
        assert_eq!(time(10, 5, En), "10 oh 5");
        assert_eq!(time(14, 30, En), "14 30");
        assert_eq!(
            timestamp("2026-11-22 10:30:00", ZhCn).as_deref(),
            Some("二〇二六年十一月二十二日十点三十分")
        );
        assert_eq!(
            timestamp("2026-11-22 10:30", En).as_deref(),
            Some("22 November 2026, 10 30")
        );
        assert_eq!(
            timestamp("20261201", ZhTw).as_deref(),
            Some("二〇二六年十二月一日")
        );
        assert_eq!(timestamp("2026-13-01", ZhCn), None);
        assert_eq!(timestamp("A032", En), None);
        assert_eq!(timestamp("2026-11-22 25:00", En), None);
    }

    #[test]
    fn amounts_are_said_as_amounts() {
        assert_eq!(amount(12050, ZhCn), "一百二十元五角");
        assert_eq!(amount(1205, ZhCn), "十二元零五分");
        assert_eq!(amount(1200, ZhTw), "十二元");
        assert_eq!(amount(55, ZhCn), "五角五分");
        assert_eq!(amount(0, ZhCn), "零元");
        assert_eq!(amount(12050, En), "120 yuan 50 fen");
        assert_eq!(amount(100, En), "1 yuan");
        assert_eq!(amount(5, En), "5 fen");
    }
}
