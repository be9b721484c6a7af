import Clocks
import Foundation
import Ingest
import ProviderFakes
import Synchronization
import Testing

@Suite("The scheduler")
struct SchedulerTests {
    @Test func runsAtEachCronTimeInTheTimeZoneAndNeverOverlaps() async throws {
        let london = TimeZone(identifier: "Europe/London")!
        let clock = ManualClock(CronExpressionTests.date("2026-03-27T12:00:00Z"))
        let running = Mutex(0), maxRunning = Mutex(0)
        let runs = Mutex<[Date]>([])
        let scheduler = Scheduler(cron: .daily, timeZone: london, clock: clock) {
            let n = running.withLock { $0 += 1; return $0 }
            maxRunning.withLock { $0 = max($0, n) }
            runs.withLock { $0.append(clock.date) }
            // The second run takes 30 hours: the run time it overlaps is skipped, not run concurrently.
            if runs.withLock({ $0.count }) == 2 { clock.advance(by: 30 * 3600) }
            await Task.yield()
            running.withLock { $0 -= 1 }
            if runs.withLock({ $0.count }) == 4 { throw CancellationError() }
        }
        try await scheduler.loop()
        #expect(runs.withLock { $0 } == ["2026-03-28T04:00:00Z", "2026-03-29T03:00:00Z", "2026-03-31T03:00:00Z", "2026-04-01T03:00:00Z"].map(CronExpressionTests.date))
        #expect(maxRunning.withLock { $0 } == 1)
        #expect(clock.sleeps.count == 4)
    }

    @Test func aFailingRunDoesNotStopTheSchedule() async throws {
        let clock = ManualClock(CronExpressionTests.date("2026-01-01T00:00:00Z"))
        let count = Mutex(0)
        struct Boom: Error {}
        let scheduler = Scheduler(cron: try CronExpression("0 */12 * * *"), timeZone: TimeZone(identifier: "UTC")!, clock: clock) {
            let n = count.withLock { $0 += 1; return $0 }
            if n == 3 { throw CancellationError() }
            throw Boom()
        }
        try await scheduler.loop()
        #expect(count.withLock { $0 } == 3)
        // Runs at 12:00, 00:00 and 12:00: strictly after the start, every 12 hours.
        #expect(clock.date == CronExpressionTests.date("2026-01-02T12:00:00Z"))
    }

    @Test func cancellationWhileWaitingStopsCleanly() async throws {
        let clock = ManualClock(CronExpressionTests.date("2026-01-01T00:00:00Z"))
        let ran = Mutex(false)
        let task = Task {
            try await Scheduler(cron: .daily, timeZone: TimeZone(identifier: "UTC")!, clock: clock) { ran.withLock { $0 = true } }.loop()
        }
        task.cancel()
        try await task.value
        #expect(ran.withLock { $0 } == false)
    }

    @Test func scheduledRunsAreRecordedAsScheduled() async throws {
        try await SyncHarness.with { h in
            let clock = ManualClock(h.scenario.now())
            let count = Mutex(0)
            let runner = h.runner()
            let scheduler = Scheduler(cron: try CronExpression("*/30 * * * *"), timeZone: TimeZone(identifier: "Europe/London")!, clock: clock) {
                _ = try await runner.run(.init(trigger: .scheduled, connection: GoCardlessScenario.DefaultIDs.monzoRequisition))
                if count.withLock({ $0 += 1; return $0 }) == 2 { throw CancellationError() }
            }
            try await scheduler.loop()
            let runs = try await RunStore(connection: h.connection).recent()
            #expect(runs.count == 2)
            #expect(runs.allSatisfy { $0.trigger == .scheduled })
            #expect(runs.map(\.status) == [.succeeded, .succeeded])
            #expect(runs[0].eventsAppended == 0)
            #expect(runs[1].eventsAppended > 0)
        }
    }
}
