import Foundation

/// Day arithmetic for the fake (UTC days).
enum FakeDates {
    static func dayNumber(_ d: Date) -> Int { Int((d.timeIntervalSince1970 / 86_400).rounded(.down)) }
    static func day(_ d: Date) -> String { day(dayNumber(d)) }
    static func day(_ n: Int) -> String {
        let d = Date(timeIntervalSince1970: Double(n) * 86_400)
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        let x = c.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", x.year!, x.month!, x.day!)
    }
    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
    static func parse(_ day: String) -> Date {
        let p = day.split(separator: "-").compactMap { Int($0) }
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
    }
}
