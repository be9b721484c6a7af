import Foundation

/// A cell's number format (`numFmtId` and, for ids from 164 up, its `formatCode`), used to
/// show a stored number the way Excel (and the export's CSV) writes it: `1,550.0000`,
/// `(3.00)`, `£12.50`, or a serial day number as `dd/mm/yyyy`.
///
/// Only what a transactions listing uses is rendered: digit placeholders (`0 # ?`), the
/// decimal point, thousands separators, `%`, literal text and currency (`"£"`, `[$£-809]`),
/// and positive;negative;zero sections. Anything else (fractions, scientific) is written as
/// Excel's General format would write it.
struct XLSXNumberFormat: Sendable, Equatable {
    /// The format code (`General` for id 0).
    var code: String
    /// Whether the format shows a date or time, so the number is a serial day number.
    var isDate: Bool

    /// The built-in formats of ECMA-376 Part 1, 18.8.30, that are not dates.
    static let builtIn: [Int: String] = [
        0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
        37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 48: "##0.0E+0", 49: "@",
    ]
    /// Built-in ids whose (locale-dependent) formats are dates or times.
    static let builtInDates: Set<Int> = Set(14...22).union(27...36).union(45...47).union(50...58)

    /// The format of `numFmtId` `id`, given the workbook's own `<numFmt>` codes.
    init(id: Int, custom: [Int: String]) {
        if let code = custom[id] {
            self.code = code
            self.isDate = Self.builtInDates.contains(id) || Self.looksLikeDate(code)
        } else {
            self.code = Self.builtIn[id] ?? "General"
            self.isDate = Self.builtInDates.contains(id)
        }
    }

    /// Whether a format code has day, month, year, hour or second tokens outside quoted
    /// text, escapes and `[…]` (colours, locales; `[h]` elapsed hours count).
    static func looksLikeDate(_ code: String) -> Bool {
        if code.caseInsensitiveCompare("General") == .orderedSame { return false }
        var quoted = false, bracket = "", inBracket = false, escaped = false
        for ch in code {
            if escaped { escaped = false; continue }
            if quoted { if ch == "\"" { quoted = false }; continue }
            if inBracket {
                if ch == "]" {
                    inBracket = false
                    if ["h", "hh", "m", "mm", "s", "ss"].contains(bracket.lowercased()) { return true }
                } else { bracket.append(ch) }
                continue
            }
            switch ch {
            case "\"": quoted = true
            case "\\", "_", "*": escaped = true
            case "[": inBracket = true; bracket = ""
            case "d", "D", "m", "M", "y", "Y", "h", "H", "s", "S": return true
            default: break
            }
        }
        return false
    }

    /// The text Excel shows for the stored number `value` (the text of `<v>`).
    /// - Parameter date1904: the workbook's date system, for date formats.
    /// - Returns: `value` itself when it is not a number this format can show.
    func render(_ value: String, date1904: Bool) -> String {
        if isDate {
            guard let serial = Double(value), let text = SpreadsheetDate.text(serial: serial, date1904: date1904) else { return value }
            return text
        }
        guard let number = Self.decimal(value) else { return value }
        let sections = Self.sections(code)
        let negative = number < 0
        var section = sections[0], sign = negative ? "-" : ""
        if negative, sections.count >= 2 { section = sections[1]; sign = "" } else if number == 0, sections.count >= 3 { section = sections[2] }
        let magnitude = negative ? -number : number
        guard let shown = Self.apply(section, to: magnitude) else { return (negative ? "-" : "") + Self.general(magnitude) }
        return sign + shown
    }

    /// A plain or scientific decimal literal (`-1.5E-3`) as a `Decimal`; nil for anything
    /// else or an exponent beyond ±60 (left as text, for the row validator to refuse).
    static func decimal(_ text: String) -> Decimal? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var mantissa = Substring(t), exponent = 0
        if let e = t.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(t[t.index(after: e)...]), abs(x) <= 60 else { return nil }
            mantissa = t[..<e]
            exponent = x
        }
        var body = mantissa
        if body.hasPrefix("-") || body.hasPrefix("+") { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), parts.contains(where: { !$0.isEmpty }),
              let m = Decimal(string: String(mantissa), locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        return exponent == 0 ? m : Decimal(sign: m < 0 ? .minus : .plus, exponent: exponent, significand: m < 0 ? -m : m)
    }

    /// `value` as Excel's General format writes it: at most 15 significant digits, no
    /// trailing zeros, never in exponent notation.
    static func general(_ value: Decimal) -> String {
        guard value != 0 else { return "0" }
        let magnitude = value < 0 ? -value : value
        var digitsBeforePoint = 0, probe = magnitude
        while probe >= 1 { probe /= 10; digitsBeforePoint += 1 }
        var leadingZeros = 0
        if digitsBeforePoint == 0 { probe = magnitude; while probe < Decimal(sign: .plus, exponent: -1, significand: 1) { probe *= 10; leadingZeros += 1 } }
        var v = value, r = Decimal()
        NSDecimalRound(&r, &v, max(0, 15 - digitsBeforePoint + leadingZeros), .plain)
        return "\(r)"
    }

    /// The `;`-separated sections of a code (quoted text, escapes and brackets kept whole).
    static func sections(_ code: String) -> [String] {
        var out: [String] = [], current = "", quoted = false, escaped = false, bracket = false
        for ch in code {
            if escaped { escaped = false; current.append(ch); continue }
            if quoted { if ch == "\"" { quoted = false }; current.append(ch); continue }
            if bracket { if ch == "]" { bracket = false }; current.append(ch); continue }
            switch ch {
            case "\"": quoted = true; current.append(ch)
            case "\\": escaped = true; current.append(ch)
            case "[": bracket = true; current.append(ch)
            case ";": out.append(current); current = ""
            default: current.append(ch)
            }
        }
        out.append(current)
        return out
    }

    /// One section applied to a non-negative number; nil when the section is General or
    /// uses what is not rendered here (exponents, fractions).
    static func apply(_ section: String, to magnitude: Decimal) -> String? {
        var prefix = "", suffix = "", placeholdersSeen = false, afterPoint = false, grouping = false, percent = false
        var minInteger = 0, minDecimals = 0, maxDecimals = 0
        var chars = Array(section)[...]
        func literal(_ s: String) { if placeholdersSeen { suffix += s } else { prefix += s } }
        while let ch = chars.popFirst() {
            switch ch {
            case "\"":
                var s = ""
                while let c = chars.popFirst(), c != "\"" { s.append(c) }
                literal(s)
            case "\\": if let c = chars.popFirst() { literal(String(c)) }
            case "_", "*": _ = chars.popFirst()
            case "[":
                var s = ""
                while let c = chars.popFirst(), c != "]" { s.append(c) }
                if s.hasPrefix("$") { literal(String(s.dropFirst().prefix { $0 != "-" })) }
            case "0", "#", "?":
                if placeholdersSeen && !suffix.isEmpty { return nil }  // digits after literal text: a fraction or similar
                placeholdersSeen = true
                if afterPoint { maxDecimals += 1; if ch == "0" { minDecimals += 1 } } else if ch == "0" { minInteger += 1 }
            case ".": if placeholdersSeen || chars.first.map({ "0#?".contains($0) }) == true { afterPoint = true; placeholdersSeen = true } else { literal(".") }
            case ",": if placeholdersSeen && !afterPoint && chars.first.map({ "0#?".contains($0) }) == true { grouping = true }
            case "%": percent = true; literal("%")
            case "E", "e", "/": if placeholdersSeen { return nil } else { literal(String(ch)) }
            case "@": return nil
            default:
                if section.lowercased().contains("general") { return nil }
                literal(String(ch))
            }
        }
        guard placeholdersSeen else { return nil }
        var v = percent ? magnitude * 100 : magnitude, r = Decimal()
        NSDecimalRound(&r, &v, maxDecimals, .plain)
        let plain = "\(r)"
        let pieces = plain.split(separator: ".", omittingEmptySubsequences: false)
        var integer = String(pieces[0]), fraction = pieces.count > 1 ? String(pieces[1]) : ""
        while fraction.count < minDecimals { fraction += "0" }
        while integer.count < max(1, minInteger) { integer = "0" + integer }
        if grouping {
            var grouped = ""
            for (i, c) in integer.enumerated() {
                if i > 0 && (integer.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(c)
            }
            integer = grouped
        }
        let number = fraction.isEmpty ? integer : integer + "." + fraction
        return (prefix + number + suffix).trimmingCharacters(in: .whitespaces)
    }
}
