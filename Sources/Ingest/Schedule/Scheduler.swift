import Clocks
import Foundation
import Logging
import ServiceLifecycle

/// The long-running `finsync schedule` process: runs the sync at each time of a cron
/// expression, one run after another (never overlapping: the next time is computed after
/// the previous run returns, and the run itself also holds the database lock).
///
/// A `Service`: under a `ServiceGroup` it stops on SIGTERM/SIGINT — while waiting it
/// stops at once; during a run the run is cancelled between steps (the current step
/// finishes or is recorded as cancelled) and the process exits.
public struct Scheduler: Service {
    public let cron: CronExpression
    public let timeZone: TimeZone
    public let clock: any FinsyncClock
    public let logger: Logger
    /// One sync run. Errors are logged; the schedule goes on.
    public let runOnce: @Sendable () async throws -> Void
    /// Called with each next run time (for logs and tests).
    public let onNextRun: @Sendable (Date) -> Void

    public init(cron: CronExpression, timeZone: TimeZone, clock: any FinsyncClock = SystemClock(), logger: Logger = Logger(label: "finsync.schedule"),
                onNextRun: @escaping @Sendable (Date) -> Void = { _ in }, runOnce: @escaping @Sendable () async throws -> Void) {
        self.cron = cron
        self.timeZone = timeZone
        self.clock = clock
        self.logger = logger
        self.onNextRun = onNextRun
        self.runOnce = runOnce
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.loop()
        }
    }

    /// The loop without ServiceLifecycle (ends when the task is cancelled).
    public func loop() async throws {
        while !Task.isCancelled {
            guard let next = cron.next(after: clock.date, in: timeZone) else {
                logger.error("cron expression \(cron) never matches; the scheduler stops")
                return
            }
            onNextRun(next)
            logger.info("next sync at \(Scheduler.format(next, in: timeZone)) (\(cron), \(timeZone.identifier))")
            do {
                try await clock.sleep(untilDate: next)
            } catch is CancellationError {
                logger.info("shutting down while waiting; no run in progress")
                return
            }
            do {
                try await runOnce()
            } catch is CancellationError {
                logger.info("shut down during a run; the next run completes it")
                return
            } catch {
                logger.error("scheduled sync failed: \(error)")
            }
        }
    }

    static func format(_ date: Date, in tz: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = tz
        f.dateFormat = "yyyy-MM-dd HH:mm:ss ZZZZZ"
        return f.string(from: date)
    }
}
