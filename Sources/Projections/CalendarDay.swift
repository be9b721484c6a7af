import CanonicalJSON
import Foundation
import Postgres

/// Calendar days and provider timestamps, checked in Swift before they reach SQL.
///
/// Providers send dates as `YYYY-MM-DD` and date-times in a handful of ISO 8601 shapes.
/// A string that merely looks like one (`2026-02-30`, `2026-01-01Tnoon`) must not reach a
/// `date` or `timestamptz` column: PostgreSQL would refuse it in the middle of a COPY and
/// stop the fold. So every such value is read through this type, which accepts only days
/// that exist (years 1–9999) and times PostgreSQL reads the same way.
public enum CalendarDay {
    /// Days since 1970-01-01 of a `YYYY-MM-DD` prefix (a date, or the date part of a
    /// date-time), or nil when it is not a day that exists.
    public static func day(_ text: some StringProtocol) -> Int? {
        let u = Array(text.utf8.prefix(10))
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let y = number(u[0..<4]), let m = number(u[5..<7]), let d = number(u[8..<10]),
              isValid(year: y, month: m, day: d) else { return nil }
        return PostgresTimestamp.days(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` for a day number.
    public static func text(_ day: Int) -> String {
        let (y, m, d) = PostgresTimestamp.civil(fromDays: day)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The day of an instant (UTC).
    public static func day(of date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// Whether the date exists in the proleptic Gregorian calendar (years 1–9999).
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// The `YYYY-MM-DD` date of a JSON date or date-time string whose date part exists;
    /// nil for anything else (absent, not a string, not a date, a day that does not exist).
    public static func date(_ v: JSONValue?) -> String? {
        guard let s = v?.string, day(s) != nil else { return nil }
        return s.utf8.count == 10 ? s : String(s.prefix(10))
    }

    /// A provider date-time as PostgreSQL `timestamptz` text, or nil when it is not one.
    ///
    /// Accepted: `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, optional
    /// `:SS` and fraction, and an optional zone (`Z`, `±HH`, `±HHMM`, `±HH:MM`). Zone-less
    /// values (some banks send them) are taken as UTC.
    public static func timestamp(_ v: JSONValue?) -> String? {
        guard let s = v?.string, day(s) != nil else { return nil }
        let u = Array(s.utf8)
        if u.count == 10 { return s }
        var i = 10
        guard u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        func two(_ max: Int) -> Bool {
            guard i + 2 <= u.count, let n = number(u[i..<(i + 2)]), n <= max else { return false }
            i += 2
            return true
        }
        guard two(23), i < u.count, u[i] == UInt8(ascii: ":"), { i += 1; return true }(), two(59) else { return nil }
        if i < u.count, u[i] == UInt8(ascii: ":") {
            i += 1
            guard two(59) else { return nil }
            if i < u.count, u[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < u.count, isDigit(u[i]) { i += 1 }
                guard i > start, i - start <= 9 else { return nil }
            }
        }
        if i == u.count { return s + "Z" }
        if u[i] == UInt8(ascii: "Z") { return i + 1 == u.count ? s : nil }
        guard u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard two(15) else { return nil }
        if i == u.count { return s }
        if u[i] == UInt8(ascii: ":") { i += 1 }
        guard two(59), i == u.count else { return nil }
        return s
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var n = 0
        for c in digits {
            guard isDigit(c) else { return nil }
            n = n * 10 + Int(c - 48)
        }
        return n
    }
}
