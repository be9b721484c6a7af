import Foundation

/// A standard 5-field cron expression (`minute hour day-of-month month day-of-week`) and
/// its next run times in an IANA time zone.
///
/// Fields accept `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month
/// names `JAN`…`DEC` and day names `SUN`…`SAT` (`0` and `7` are Sunday). As in Vixie cron,
/// when both day fields are restricted a day matches if *either* does.
///
/// Daylight-saving time: a wall-clock time that does not exist (the spring-forward gap)
/// runs at the same offset after the gap (01:30 in a 01:00→02:00 gap runs at 02:30); a
/// wall-clock time that occurs twice (fall-back overlap) runs once, at its first occurrence.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let domRestricted: Bool
    let dowRestricted: Bool

    /// The default schedule: daily at 04:00.
    public static let daily = try! CronExpression("0 4 * * *")

    public struct ParseError: Error, Sendable, CustomStringConvertible, Hashable {
        public var expression: String
        public var reason: String
        public var description: String { "invalid cron expression \"\(expression)\": \(reason)" }
    }

    public init(_ source: String) throws {
        self.source = source
        let fields = source.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { throw ParseError(expression: source, reason: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)") }
        let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        minutes = try CronExpression.field(fields[0], "minute", 0...59, names: [:], source)
        hours = try CronExpression.field(fields[1], "hour", 0...23, names: [:], source)
        daysOfMonth = try CronExpression.field(fields[2], "day-of-month", 1...31, names: [:], source)
        months = try CronExpression.field(fields[3], "month", 1...12, names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) }), source)
        let dow = try CronExpression.field(fields[4], "day-of-week", 0...7, names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) }), source)
        daysOfWeek = Set(dow.map { $0 == 7 ? 0 : $0 })
        domRestricted = !fields[2].hasPrefix("*")
        dowRestricted = !fields[4].hasPrefix("*")
    }

    public var description: String { source }

    private static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String: Int], _ source: String) throws -> Set<Int> {
        func fail(_ why: String) -> ParseError { ParseError(expression: source, reason: "\(name) field \"\(text)\": \(why)") }
        func value(_ s: String) throws -> Int {
            if let n = names[s.uppercased()] { return n }
            guard let v = Int(s) else { throw fail("\"\(s)\" is not a number") }
            guard range.contains(v) else { throw fail("\(v) is outside \(range.lowerBound)-\(range.upperBound)") }
            return v
        }
        var out = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw fail("empty list element") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw fail("more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s > 0 else { throw fail("step \"\(pieces[1])\" must be a positive number") }
                step = s
            }
            let lo: Int, hi: Int
            if pieces[0] == "*" {
                (lo, hi) = (range.lowerBound, range.upperBound)
            } else if pieces[0].contains("-") {
                let ends = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard ends.count == 2 else { throw fail("malformed range") }
                (lo, hi) = (try value(ends[0]), try value(ends[1]))
                guard lo <= hi else { throw fail("range \(lo)-\(hi) is reversed") }
            } else {
                lo = try value(pieces[0])
                hi = pieces.count == 2 ? range.upperBound : lo
            }
            out.formUnion(stride(from: lo, through: hi, by: step))
        }
        return out
    }

    func matches(year: Int, month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dom = daysOfMonth.contains(day), dow = daysOfWeek.contains(weekday)
        if domRestricted && dowRestricted { return dom || dow }
        return dom && dow
    }

    /// The first run time strictly after `date`, in `timeZone`; `nil` if none within 8 years
    /// (e.g. `0 0 30 2 *`).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let start = cal.dateComponents([.year, .month, .day], from: date)
        // A Gregorian calendar always gives the components it is asked for.
        guard let year = start.year, let month = start.month, let day = start.day else { return nil }
        var dayNumber = PlainDate.days(year: year, month: month, day: day) - 1
        for _ in 0..<(366 * 8 + 2) {
            // A gap-shifted time of one day may land after the next day's first run: look at two days.
            var best: Date?
            for d in [dayNumber, dayNumber + 1] {
                for t in candidates(onDay: d, in: timeZone) where t > date {
                    if best.map({ t < $0 }) ?? true { best = t }
                }
            }
            if let best { return best }
            dayNumber += 1
        }
        return nil
    }

    private func candidates(onDay dayNumber: Int, in tz: TimeZone) -> [Date] {
        let (y, m, d) = PlainDate.civil(dayNumber)
        guard matches(year: y, month: m, day: d, weekday: PlainDate.weekday(dayNumber)) else { return [] }
        var out: [Date] = []
        for h in hours.sorted() {
            for mi in minutes.sorted() {
                let wall = Double(dayNumber) * 86_400 + Double(h * 3600 + mi * 60)
                out.append(CronExpression.instant(wallSeconds: wall, in: tz))
            }
        }
        return out
    }

    /// The instant whose wall-clock time in `tz` is `wallSeconds` (seconds since 1970-01-01
    /// 00:00 *local*): the earliest if it occurs twice; shifted forward past the gap if never.
    static func instant(wallSeconds w: Double, in tz: TimeZone) -> Date {
        let before = tz.secondsFromGMT(for: Date(timeIntervalSince1970: w - 86_400))
        let after = tz.secondsFromGMT(for: Date(timeIntervalSince1970: w + 86_400))
        let valid = Set([before, after]).map { o in Date(timeIntervalSince1970: w - Double(o)) }
            .filter { Double(tz.secondsFromGMT(for: $0)) == w - $0.timeIntervalSince1970 }
        if let first = valid.min() { return first }
        // In a gap: use the offset from before the transition, which lands after the gap.
        return Date(timeIntervalSince1970: w - Double(before))
    }

    /// The next `count` run times after `date`.
    public func upcoming(after date: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        var out: [Date] = []
        var t = date
        while out.count < count, let n = next(after: t, in: timeZone) { out.append(n); t = n }
        return out
    }
}
