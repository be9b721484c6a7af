import Clocks
import EventLog
import Foundation
import Logging
import Postgres

/// Runs a sync: for every selected connection of every provider, runs its steps, appending
/// through the event log (or a dry-run sink), and records the run in `ingest.runs`.
///
/// - One run at a time: a PostgreSQL advisory lock; a second run is recorded as `skipped`.
/// - A failing step never stops the others; the run ends `succeeded`, `partially_failed`
///   (some step failed) or `failed` (every step failed).
/// - Every step has a deadline (``stepDeadline``): a step that does not end in time is
///   cancelled and recorded `failed`, and the run goes on (and releases its lock).
/// - Step errors, notes, warnings and the run message are cleaned of every secret the
///   providers are configured with (``Provider/secrets()``, ``SecretRedactor``) before they
///   are stored in `ingest.run_steps`, reported through `progress` or logged.
/// - Events carry the run id as correlation id. A run killed halfway leaves its record
///   `running` (the next run marks it failed) and everything it appended; re-running
///   appends only what is missing, because every event has a content key.
public struct SyncRunner: Sendable {
    /// What to run.
    public struct Options: Sendable {
        public var trigger: RunRecord.Trigger
        public var dryRun: Bool
        /// Only this provider (by ``Provider/name``).
        public var provider: String?
        /// Only this connection id.
        public var connection: String?
        /// Whether the account holder started this run at a terminal and is there (see
        /// ``StepContext/personPresent``). Ignored for a scheduled run: a schedule is by
        /// definition a background fetch.
        public var personPresent: Bool

        public init(trigger: RunRecord.Trigger = .manual, dryRun: Bool = false, provider: String? = nil, connection: String? = nil, personPresent: Bool = false) {
            self.trigger = trigger
            self.personPresent = personPresent
            self.dryRun = dryRun
            self.provider = provider
            self.connection = connection
        }
    }

    public let connection: PostgresConnection
    public let providers: [any Provider]
    /// Called after the appends of a (non-dry) run, e.g. to run the projections. It returns
    /// what the person should know of the result (e.g. events the projections parked), which
    /// makes the run partially failed with that message, or nil when all is well.
    public let afterAppend: (@Sendable () async throws -> String?)?
    /// Time: the runs' and steps' start and end, and what steps read as now.
    public let clock: any FinsyncClock
    public let logger: Logger
    /// The sink used for real runs (defaults to the event log on `connection`).
    public let sink: any EventSink
    /// How long one step may take before it is cancelled and recorded failed. Generous by
    /// default: a first Trading212 sync walks years of history at the API's pace.
    public let stepDeadline: Duration
    public static let defaultStepDeadline: Duration = .seconds(30 * 60)

    public init(connection: PostgresConnection, providers: [any Provider], sink: (any EventSink)? = nil, afterAppend: (@Sendable () async throws -> String?)? = nil,
                stepDeadline: Duration = SyncRunner.defaultStepDeadline,
                clock: any FinsyncClock = SystemClock(), logger: Logger = Logger(label: "finsync.ingest")) {
        self.connection = connection
        self.providers = providers
        self.stepDeadline = stepDeadline
        self.sink = sink ?? EventLog(connection: connection)
        self.afterAppend = afterAppend
        self.clock = clock
        self.logger = logger
    }

    /// Runs once and returns the finished record (status `skipped` when another run holds the lock).
    public func run(_ options: Options = Options(), progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws -> RunRecord {
        let store = RunStore(connection: connection)
        let runID = UUIDv7.make()
        var run = RunRecord(runID: runID, trigger: options.trigger, status: .running, dryRun: options.dryRun,
                            providerFilter: options.provider, connectionFilter: options.connection, startedAt: clock.date)

        guard try await store.tryLock() else {
            run.status = .skipped
            run.finishedAt = clock.date
            run.message = "another sync run is in progress; this one did nothing"
            try await store.insert(run)
            progress(.runStarted(run))
            progress(.runFinished(run))
            return run
        }
        do {
            let abandoned = try await store.markAbandoned()
            if abandoned > 0 { logger.warning("marked \(abandoned) abandoned run(s) as failed") }
            try await store.insert(run)
            progress(.runStarted(run))
            run = try await execute(run, options: options, store: store, progress: progress)
            try await store.finish(run)
            try await store.unlock()
        } catch is CancellationError {
            // Shutdown requested: record it (what was appended stays; the next run completes it).
            run.status = .failed
            run.finishedAt = clock.date
            run.message = "cancelled (shutdown requested) before finishing; the next run completes it"
            try? await store.finish(run)
            try? await store.unlock()
            throw CancellationError()
        } catch {
            // Leave the lock to die with the session if the database is gone; release it otherwise.
            try? await store.unlock()
            throw error
        }
        progress(.runFinished(run))
        return run
    }

    private func execute(_ initial: RunRecord, options: Options, store: RunStore, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> RunRecord {
        var run = initial
        let baseSink: any EventSink = options.dryRun ? DryRunSink(connection: connection) : sink
        var quotas: any QuotaBook = PostgresQuotaBook(connection: connection)
        var cursors: any CursorBook = PostgresCursorBook(connection: connection)
        if options.dryRun {
            quotas = ReadOnlyQuotaBook(base: quotas)
            cursors = ReadOnlyCursorBook(base: cursors)
        }
        var stepNo = 0
        var logger = self.logger
        logger[metadataKey: "run_id"] = "\(run.runID.uuidString.lowercased())"
        let redactor = await SecretRedactor.of(providers)
        let warn: @Sendable (String) -> Void = { progress(.warning(redactor.redact($0))) }

        /// Stores a step (cleaned of secrets) and returns what was stored.
        @discardableResult
        func record(_ raw: StepRecord) async throws -> StepRecord {
            var step = raw
            step.label = redactor.redact(step.label)
            step.notes = step.notes.map(redactor.redact)
            step.error = redactor.redact(step.error)
            try await store.upsertStep(step, runID: run.runID)
            return step
        }

        for provider in providers where options.provider == nil || options.provider == provider.name {
            let connections: [ProviderConnection]
            do {
                connections = try await provider.connections()
            } catch {
                stepNo += 1
                let step = try await record(StepRecord(stepNo: stepNo, provider: provider.name, connectionID: "*", key: "connections", label: "\(provider.name): list connections",
                                                       status: .failed, startedAt: clock.date, finishedAt: clock.date, error: "listing \(provider.name) connections failed: \(error)"))
                progress(.stepFinished(step))
                run.steps.append(step)
                continue
            }
            for conn in connections where options.connection == nil || options.connection == conn.id {
                if conn.expiresSoon(now: clock.date), let expiresAt = conn.expiresAt {
                    warn("\(provider.name) connection \(conn.id) (\(conn.displayName)): consent expires \(ISO8601DateFormatter().string(from: expiresAt)); reconnect before then")
                }
                let steps: [SyncStep]
                do {
                    steps = try await provider.steps(for: conn)
                } catch {
                    stepNo += 1
                    let step = try await record(StepRecord(stepNo: stepNo, provider: provider.name, connectionID: conn.id, key: "connection", label: "\(provider.name) \(conn.displayName)",
                                                           status: .failed, startedAt: clock.date, finishedAt: clock.date, error: "\(error)"))
                    progress(.stepFinished(step))
                    run.steps.append(step)
                    continue
                }
                for s in steps {
                    try Task.checkCancellation()
                    stepNo += 1
                    var step = try await record(StepRecord(stepNo: stepNo, provider: provider.name, connectionID: conn.id, key: s.key, label: s.label, status: .running, startedAt: clock.date))
                    progress(.stepStarted(step))
                    let counting = CountingSink(base: baseSink)
                    let context = StepContext(runID: run.runID, sink: counting, quotas: quotas, cursors: cursors, dryRun: options.dryRun, clock: clock, logger: logger,
                                              personPresent: options.personPresent && options.trigger != .scheduled)
                    do {
                        let body = s.body
                        let outcome = try await withDeadline(stepDeadline) { try await body(context) }
                        step.status = outcome.status
                        step.quota = outcome.quota
                        step.notes = outcome.notes
                        step.error = outcome.error
                    } catch is CancellationError {
                        step.status = .failed
                        step.error = "cancelled (shutdown requested); re-run to finish"
                    } catch let e as DeadlineExceeded {
                        step.status = .failed
                        step.error = "step \(e) (\(s.label)); it was stopped, the next run picks up what it missed"
                    } catch {
                        step.status = .failed
                        step.error = "\(error)"
                    }
                    step.eventsAppended = counting.appended
                    step.duplicatesSkipped = counting.duplicates
                    step.finishedAt = clock.date
                    step = try await record(step)
                    progress(.stepFinished(step))
                    run.steps.append(step)
                    // Reported through `progress` and the run record (the CLI prints both);
                    // at debug level so a failing step is not printed twice.
                    if step.status == .failed { logger.debug("step \(step.label) failed: \(step.error ?? "")") }
                }
            }
        }

        run.eventsAppended = run.steps.reduce(0) { $0 + $1.eventsAppended }
        run.duplicatesSkipped = run.steps.reduce(0) { $0 + $1.duplicatesSkipped }
        let failed = run.steps.filter { $0.status == .failed }.count
        let partial = run.steps.filter { $0.status == .partiallyFailed }.count
        if !run.steps.isEmpty && failed == run.steps.count {
            run.status = .failed
        } else if failed > 0 || partial > 0 {
            run.status = .partiallyFailed
        } else {
            run.status = .succeeded
        }
        if run.steps.isEmpty {
            run.message = options.provider != nil || options.connection != nil ? "nothing to sync: no connection matches the filter" : "nothing to sync: no connections found"
        }
        if !options.dryRun, let afterAppend {
            do {
                if let problem = try await afterAppend() {
                    run.status = run.status == .failed ? .failed : .partiallyFailed
                    let message: String = redactor.redact([run.message, problem].compactMap { $0 }.joined(separator: "; "))
                    run.message = message
                }
            } catch {
                run.status = run.status == .failed ? .failed : .partiallyFailed
                let message: String = redactor.redact("events were appended, but the after-append hook (projections) failed: \(error)")
                run.message = message
            }
        }
        run.finishedAt = clock.date
        return run
    }
}
