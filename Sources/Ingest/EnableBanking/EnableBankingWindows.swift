import Foundation
import Projections

/// Date windows for `GET /accounts/{uid}/transactions`: both ends are inclusive, so a
/// window of 90 days is `date_to − 89 … date_to` (`today − 90 … today` is 91 days, and
/// banks refuse it with `WRONG_TRANSACTIONS_PERIOD`).
public enum EnableBankingWindows {
    /// The most days a bank serves outside the first minutes after consent.
    public static let maxDays = 90

    /// `from…to` (day numbers, inclusive) cut into consecutive windows of at most `maxDays`
    /// days each, newest first; empty when `from > to`.
    public static func split(from: Int, to: Int, maxDays: Int = maxDays) -> [(from: String, to: String)] {
        var out: [(String, String)] = []
        var end = to
        while end >= from {
            let start = max(from, end - maxDays + 1)
            out.append((CalendarDay.text(start), CalendarDay.text(end)))
            end = start - 1
        }
        return out
    }

    /// The number of days `from…to` covers, counting both ends.
    public static func inclusiveDays(from: String, to: String) -> Int? {
        guard let a = CalendarDay.day(from), let b = CalendarDay.day(to) else { return nil }
        return b - a + 1
    }
}
