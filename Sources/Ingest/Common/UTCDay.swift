import Foundation

/// The calendar day of an instant in UTC, as `YYYY-MM-DD`: how finsync names a day to
/// providers (GoCardless date windows) and to people (consent expiry, notifications).
public enum UTCDay {
    /// The Gregorian calendar in UTC.
    public static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(secondsFromGMT: 0) ?? c.timeZone
        return c
    }()

    /// `YYYY-MM-DD` of `date` in UTC.
    public static func string(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
