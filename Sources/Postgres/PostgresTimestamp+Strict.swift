import Foundation

extension PostgresTimestamp {
    /// The forms a person may type for a point in time, for messages that refuse one.
    public static let acceptedInputForms = "2024-03-03, 2024-03-03T12:00:00Z, 2024-03-03 12:00:00+01:00"

    /// Parses a timestamp a person typed, refusing what ``parse(_:)`` (made for the
    /// server's own well-formed output) would read leniently: the whole text must be
    /// `YYYY-MM-DD[(T| )HH:MM:SS[.fraction]][Z|±HH[[:]MM]]` (a missing zone is UTC) and every
    /// field in range (month 1–12, the month's days, 00:00:00–23:59:59, offsets to ±15:59),
    /// so `2026-13-45` or a 20-digit number is not quietly taken as some other date.
    public static func parseStrict(_ text: String) -> Date? {
        let u = Array(text.utf8)
        func num(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= u.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard (48...57).contains(u[i]) else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u.count >= 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var i = 10
        if i < u.count, u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: " ") {
            guard u.count >= i + 9, u[i + 3] == UInt8(ascii: ":"), u[i + 6] == UInt8(ascii: ":"),
                  let h = num(i + 1, 2), let m = num(i + 4, 2), let s = num(i + 7, 2), h < 24, m < 60, s < 60 else { return nil }
            i += 9
            if i < u.count, u[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < u.count, (48...57).contains(u[i]) { i += 1 }
                guard i > start else { return nil }
            }
        }
        if i < u.count {
            if u[i] == UInt8(ascii: "Z") {
                i += 1
            } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
                guard let oh = num(i + 1, 2), oh < 16 else { return nil }
                i += 3
                if i < u.count, u[i] == UInt8(ascii: ":") { i += 1 }
                if i < u.count {
                    guard let om = num(i, 2), om < 60 else { return nil }
                    i += 2
                }
            } else {
                return nil
            }
        }
        guard i == u.count else { return nil }
        return parse(text)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
