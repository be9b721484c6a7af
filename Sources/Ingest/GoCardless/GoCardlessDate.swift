import Foundation

/// The date and time formats GoCardless uses, parsed without surprises.
enum GoCardlessDate {
    static let utc = UTCDay.calendar

    /// `2024-12-27T21:34:20.658531Z` (any fraction, `Z`, `±hh:mm` or no zone = UTC) or `YYYY-MM-DD`.
    static func parse(_ s: String) -> Date? {
        let chars = Array(s)
        guard chars.count >= 10, let y = Int(String(chars[0..<4])), let m = Int(String(chars[5..<7])), let d = Int(String(chars[8..<10])) else { return nil }
        var comps = DateComponents(year: y, month: m, day: d, hour: 0, minute: 0, second: 0)
        var offset = 0
        if chars.count >= 19, let h = Int(String(chars[11..<13])), let mi = Int(String(chars[14..<16])), let se = Int(String(chars[17..<19])) {
            comps.hour = h; comps.minute = mi; comps.second = se
            var i = 19
            var frac = 0.0, scale = 0.1
            if i < chars.count, chars[i] == "." {
                i += 1
                while i < chars.count, let digit = chars[i].wholeNumberValue { frac += Double(digit) * scale; scale /= 10; i += 1 }
            }
            if i < chars.count, chars[i] == "+" || chars[i] == "-", chars.count >= i + 6, let oh = Int(String(chars[(i + 1)..<(i + 3)])), let om = Int(String(chars[(i + 4)..<(i + 6)])) {
                offset = (oh * 3600 + om * 60) * (chars[i] == "-" ? -1 : 1)
            }
            return utc.date(from: comps).map { $0.addingTimeInterval(frac - Double(offset)) }
        }
        return utc.date(from: comps)
    }

    /// `YYYY-MM-DD` of `date` in UTC.
    static func day(_ date: Date) -> String { UTCDay.string(date) }

    static func day(_ s: String, minusDays n: Int) -> String? {
        parse(s).map { day($0.addingTimeInterval(-Double(n) * 86_400)) }
    }
}
