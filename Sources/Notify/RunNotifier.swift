import Clocks
import EventLog
import Foundation
import Ingest
import Logging
import Postgres

/// Tells the `[notify]` webhooks what a person should know after a sync run — the one entry
/// point every runner uses (`finsync sync`, `finsync schedule`, and the service).
///
/// ``notify(after:)`` sends:
/// - `run_failed` / `run_partially_failed` when the run did, naming its failing steps;
/// - per connection the run touched, from its latest `connection.health.observed`:
///   `consent_expiring` (within ``expiryWarningDays``), `consent_expired`, or
///   `connection_needs_attention` (`auth_required`: consent not completed, session or key
///   rejected; `suspended`) — each at most once a UTC day per connection (``NoticeLedger``).
///
/// Dry runs and runs skipped for another in progress tell nothing. Every text is cleaned by
/// the ``SecretRedactor`` first. A webhook that fails is retried (``WebhookRetry``), then
/// logged by its key and host; nothing here ever fails the run (``notify(after:)`` does not
/// throw).
public struct RunNotifier: Sendable {
    public static let expiryWarningDays = 7
    /// A webhook must answer within this (connecting, headers and body).
    public static let requestDeadline: Duration = .seconds(10)

    public let webhooks: [NotifyConfiguration.Webhook]
    let connection: PostgresConnection
    let redactor: SecretRedactor
    let transport: ProviderHTTPTransport
    let retry: WebhookRetry
    let clock: any FinsyncClock
    let logger: Logger

    /// - Parameters:
    ///   - webhooks: `[notify] webhooks` (``FinsyncConfiguration/notify``).
    ///   - connection: where the connections' health and the once-a-day ledger are read.
    ///   - redactor: every configured secret (``SecretRedactor/of(_:)`` of the run's providers).
    public init(webhooks: [NotifyConfiguration.Webhook], connection: PostgresConnection, redactor: SecretRedactor,
                transport: ProviderHTTPTransport = ProviderHTTPTransport(limits: .init(requestDeadline: RunNotifier.requestDeadline)),
                retry: WebhookRetry = WebhookRetry(), clock: any FinsyncClock = SystemClock(), logger: Logger = Logger(label: "finsync.notify")) {
        self.webhooks = webhooks
        self.connection = connection
        self.redactor = redactor
        self.transport = transport
        self.retry = retry
        self.clock = clock
        self.logger = logger
    }

    /// What was told: one delivery per notice and webhook, and the notices held back by the
    /// once-a-day rule.
    public struct Report: Sendable, Hashable {
        public var deliveries: [WebhookSender.Delivery] = []
        public var toldAlreadyToday: [Notice] = []
    }

    /// Tells the webhooks what `run` means for a person. Never throws: a failing webhook or
    /// database is logged (without secrets) and the run stands as it is.
    @discardableResult
    public func notify(after run: RunRecord) async -> Report {
        var report = Report()
        guard !webhooks.isEmpty, !run.dryRun, run.status != .skipped else { return report }
        let notices: [Notice]
        do { notices = try await self.notices(after: run) } catch {
            logger.warning("notifications for run \(run.runID.uuidString.lowercased()) not sent: \(redactor.redact("\(error)"))")
            return report
        }
        let ledger = NoticeLedger(connection: connection)
        let day = UTCDay.string(clock.date)
        let senders = webhooks.enumerated().map { i, w in
            WebhookSender(webhook: w, key: "notify.webhooks[\(i)]", transport: transport, retry: retry, clock: clock)
        }
        for notice in notices {
            do {
                if notice.kind.isDaily, let provider = notice.provider, let id = notice.connectionID {
                    guard try await ledger.claim(notice.kind, provider: provider, connectionID: id, day: day) else {
                        report.toldAlreadyToday.append(notice)
                        continue
                    }
                    let deliveries = try await deliver(notice, senders)
                    report.deliveries += deliveries
                    if !deliveries.contains(where: \.accepted) { try await ledger.release(notice.kind, provider: provider, connectionID: id, day: day) }
                } else {
                    report.deliveries += try await deliver(notice, senders)
                }
            } catch is CancellationError {
                return report
            } catch {
                logger.warning("notification \(notice.kind.rawValue) not sent: \(redactor.redact("\(error)"))")
            }
        }
        return report
    }

    /// Posts `notice` to every webhook; logs each one that did not take it.
    func deliver(_ notice: Notice, _ senders: [WebhookSender]) async throws -> [WebhookSender.Delivery] {
        var out: [WebhookSender.Delivery] = []
        for sender in senders {
            let d = try await sender.send(notice)
            if let error = d.error { logger.warning("notification \(notice.kind.rawValue) not delivered: \(redactor.redact(error))") }
            out.append(d)
        }
        return out
    }

    /// What `run` means for a person, before the once-a-day rule, cleaned of secrets: the
    /// run's own failure first, then each connection it touched, in step order.
    public func notices(after run: RunRecord) async throws -> [Notice] {
        let now = clock.date
        var out: [Notice] = []
        if let notice = Self.runNotice(run, at: now) { out.append(notice) }
        var seen = Set<String>()
        let log = EventLog(connection: connection)
        for step in run.steps where step.connectionID != "*" && seen.insert("\(step.provider)\u{0}\(step.connectionID)").inserted {
            let events = try await log.readStream(ConnectionHealthSnapshot.stream(provider: step.provider, connectionID: step.connectionID))
            guard let last = events.last, let health = ConnectionHealthSnapshot(payload: try last.json()) else { continue }
            if let notice = Self.connectionNotice(health, runID: run.runID, at: now) { out.append(notice) }
        }
        return out.map { $0.redacted(by: redactor) }
    }

    /// `run_failed` / `run_partially_failed`, naming up to three failing steps; nil otherwise.
    static func runNotice(_ run: RunRecord, at now: Date) -> Notice? {
        let id = run.runID.uuidString.lowercased()
        let failing = run.steps.filter { $0.status == .failed || $0.status == .partiallyFailed }
        var said = failing.prefix(3).map { "\($0.label): \($0.error ?? $0.status.rawValue)" }
        if failing.count > 3 { said.append("and \(failing.count - 3) more") }
        if let message = run.message { said.append(message) }
        let details = said.isEmpty ? "" : " — " + said.joined(separator: "; ")
        let count = "\(failing.count) of \(run.steps.count) step\(run.steps.count == 1 ? "" : "s")"
        switch run.status {
        case .failed:
            return Notice(kind: .runFailed, title: "finsync: sync failed",
                          message: "sync run \(id) failed (\(count) failed)\(details). See `finsync runs show \(id)`.", at: now, runID: run.runID)
        case .partiallyFailed:
            return Notice(kind: .runPartiallyFailed, title: "finsync: sync partially failed",
                          message: "sync run \(id) partially failed (\(count) did not complete)\(details). See `finsync runs show \(id)`.", at: now, runID: run.runID)
        case .succeeded, .skipped, .running:
            return nil
        }
    }

    /// What a connection's health asks of the person, if anything.
    static func connectionNotice(_ h: ConnectionHealthSnapshot, runID: UUID, at now: Date) -> Notice? {
        let name = "\(h.provider) connection \(h.connectionID)"
        let day = h.expiresAt.map(UTCDay.string)
        func notice(_ kind: Notice.Kind, _ title: String, _ message: String) -> Notice {
            Notice(kind: kind, title: title, message: message, at: now, runID: runID, provider: h.provider, connectionID: h.connectionID, expiresAt: h.expiresAt)
        }
        switch h.status {
        case .expired:
            return notice(.consentExpired, "finsync: consent expired", "\(name): the consent expired\(day.map { " on \($0)" } ?? ""): \(h.message)")
        case .active:
            guard let expiresAt = h.expiresAt, let day else { return nil }
            if expiresAt <= now {
                return notice(.consentExpired, "finsync: consent expired", "\(name): the consent expired on \(day): \(h.message)")
            }
            guard ProviderConnection.expiresSoon(expiresAt, health: h.status, now: now, within: expiryWarningDays) else { return nil }
            let days = Int((expiresAt.timeIntervalSince(now) / 86_400).rounded(.down))
            let when = days == 0 ? "today" : "in \(days) day\(days == 1 ? "" : "s")"
            return notice(.consentExpiring, "finsync: consent expires \(when)", "\(name): the consent expires on \(day) (\(when)): \(h.message)")
        case .authRequired, .suspended:
            return notice(.connectionNeedsAttention, "finsync: a connection needs you", "\(name) needs you (\(h.status.rawValue)): \(h.message)")
        case .error:
            return nil
        }
    }
}
