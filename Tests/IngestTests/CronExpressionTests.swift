import Foundation
import Ingest
import Testing

@Suite("Cron expressions and next-run times")
struct CronExpressionTests {
    static func date(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }
    let utc = TimeZone(identifier: "UTC")!
    let london = TimeZone(identifier: "Europe/London")!
    let newYork = TimeZone(identifier: "America/New_York")!

    func next(_ cron: String, _ after: String, _ tz: TimeZone) throws -> Date? {
        try CronExpression(cron).next(after: Self.date(after), in: tz)
    }

    @Test func dailyDefaultAtFourInUTC() throws {
        #expect(try next("0 4 * * *", "2026-01-01T05:00:00Z", utc) == Self.date("2026-01-02T04:00:00Z"))
        #expect(try next("0 4 * * *", "2026-01-01T03:59:59Z", utc) == Self.date("2026-01-01T04:00:00Z"))
        // Strictly after: exactly at a run time gives the next one.
        #expect(try next("0 4 * * *", "2026-01-01T04:00:00Z", utc) == Self.date("2026-01-02T04:00:00Z"))
        #expect(CronExpression.daily.source == "0 4 * * *")
    }

    @Test func dailyAtFourFollowsLondonSummerTime() throws {
        // Winter: 04:00 GMT; summer: 04:00 BST = 03:00 UTC.
        #expect(try next("0 4 * * *", "2026-01-10T12:00:00Z", london) == Self.date("2026-01-11T04:00:00Z"))
        #expect(try next("0 4 * * *", "2026-03-28T12:00:00Z", london) == Self.date("2026-03-29T03:00:00Z"))
        #expect(try next("0 4 * * *", "2026-10-24T12:00:00Z", london) == Self.date("2026-10-25T04:00:00Z"))
    }

    @Test func springForwardGapRunsRightAfterTheGap() throws {
        // London 2026-03-29: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist → 02:30 BST (01:30Z).
        #expect(try next("30 1 * * *", "2026-03-28T12:00:00Z", london) == Self.date("2026-03-29T01:30:00Z"))
        #expect(try next("30 1 * * *", "2026-03-29T01:30:00Z", london) == Self.date("2026-03-30T00:30:00Z"))
        // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 → 03:30 EDT (07:30Z).
        #expect(try next("30 2 * * *", "2026-03-07T12:00:00Z", newYork) == Self.date("2026-03-08T07:30:00Z"))
        // Every 15 minutes across the gap: no run is invented twice, none is lost.
        let times = try CronExpression("*/15 * * * *").upcoming(after: Self.date("2026-03-29T00:40:00Z"), in: london, count: 5)
        #expect(times == ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z", "2026-03-29T01:30:00Z", "2026-03-29T01:45:00Z"].map(Self.date))
    }

    @Test func fallBackOverlapRunsOnce() throws {
        // London 2026-10-25: 01:00–02:00 happens twice (BST then GMT); 01:30 runs at the first.
        #expect(try next("30 1 * * *", "2026-10-24T12:00:00Z", london) == Self.date("2026-10-25T00:30:00Z"))
        #expect(try next("30 1 * * *", "2026-10-25T00:30:00Z", london) == Self.date("2026-10-26T01:30:00Z"))
        // Hourly across the overlap: each wall-clock hour once.
        let hourly = try CronExpression("0 * * * *").upcoming(after: Self.date("2026-10-24T23:30:00Z"), in: london, count: 3)
        // 01:00 BST (00:00Z) runs; the repeated 01:00 GMT (01:00Z) does not; 02:00 GMT does.
        #expect(hourly == ["2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"].map(Self.date))
    }

    @Test func fieldsRangesStepsListsAndNames() throws {
        // 2026-06-01 is a Monday. Weekdays 09:00 in Q1 only.
        #expect(try next("0 9 * JAN-MAR MON-FRI", "2026-06-01T00:00:00Z", utc) == Self.date("2027-01-01T09:00:00Z"))
        #expect(try next("0 9 * JAN-MAR MON-FRI", "2027-01-01T09:00:00Z", utc) == Self.date("2027-01-04T09:00:00Z"))
        #expect(try next("5,35 */6 * * *", "2026-06-01T06:06:00Z", utc) == Self.date("2026-06-01T06:35:00Z"))
        #expect(try next("0 0 * * 7", "2026-06-01T00:00:00Z", utc) == Self.date("2026-06-07T00:00:00Z"))
        #expect(try next("0-10/5 8 * * *", "2026-06-01T08:06:00Z", utc) == Self.date("2026-06-01T08:10:00Z"))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothRestricted() throws {
        // "the 1st, or any Monday": after Tue 2 June the next is Mon 8 June.
        #expect(try next("0 12 1 * MON", "2026-06-02T13:00:00Z", utc) == Self.date("2026-06-08T12:00:00Z"))
        // Only the day of month restricted: 1st of the month.
        #expect(try next("0 12 1 * *", "2026-06-02T13:00:00Z", utc) == Self.date("2026-07-01T12:00:00Z"))
    }

    @Test func rareAndImpossibleDates() throws {
        #expect(try next("0 0 29 2 *", "2026-03-01T00:00:00Z", utc) == Self.date("2028-02-29T00:00:00Z"))
        #expect(try next("0 0 31 4 *", "2026-01-01T00:00:00Z", utc) == nil)
        #expect(try next("0 0 31 * *", "2026-04-01T00:00:00Z", utc) == Self.date("2026-05-31T00:00:00Z"))
    }

    @Test(arguments: ["60 * * * *", "* * *", "5-1 * * * *", "*/0 * * * *", "0 4 * * FOO", "0 24 * * *", "0 4 0 * *", "0 4 * 13 *", "1,,2 * * * *", "a b c d e f"])
    func invalidExpressionsAreRejectedWithTheField(_ expr: String) throws {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(expr) }
    }

    @Test func parseErrorNamesTheField() {
        do {
            _ = try CronExpression("0 25 * * *")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("hour"))
            #expect("\(error)".contains("25"))
        }
    }
}
