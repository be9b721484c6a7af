import Foundation
import HTTPTypes
import Ingest
import OpenAPIRuntime
import Postgres
import Projections

/// Connections, runs, status and the two actions.
extension APIHandlers {
    func listConnections(_ input: Operations.ListConnections.Input) async throws -> Operations.ListConnections.Output {
        let now = Date()
        let items = try await pool.session { s in
            var quotas: [String: [Components.Schemas.AccountQuota]] = [:]
            for r in try s.query("""
                SELECT a.connection_id, q.subject, q.scope, q.quota_limit, q.remaining, q.next_allowed_at
                FROM accounts a JOIN ingest.quotas q ON q.provider = a.provider AND q.subject = a.provider_account_id
                WHERE a.connection_id IS NOT NULL ORDER BY q.subject, q.scope
                """).rows {
                guard let c = r.optionalUUID(0) else { continue }
                quotas[c, default: []].append(.init(account: try r.decode(String.self, 1), scope: try r.decode(String.self, 2), limit: r.int(3), remaining: r.int(4), nextAllowedAt: r.date(5)))
            }
            return try s.query("""
                SELECT id, provider, provider_connection_id, institution_id, status, expires_at, last_synced_at, last_error
                FROM connections ORDER BY provider, provider_connection_id
                """).rows.map { r in
                let id = try r.requiredUUID(0), status = try r.decode(String.self, 4), expires = r.date(5)
                return Components.Schemas.Connection(
                    id: id, provider: try r.decode(String.self, 1), providerConnectionId: try r.decode(String.self, 2), institutionId: r.optionalUUID(3),
                    status: status, statusText: Self.words(status), consentExpiresAt: expires,
                    consentDaysLeft: expires.map { Int(($0.timeIntervalSince(now) / 86_400).rounded(.down)) },
                    lastSyncedAt: r.date(6), lastError: r.string(7), quotas: quotas[id] ?? [])
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    /// A connection's status (the `connections` table's words) as a sentence.
    static func words(_ status: String) -> String {
        switch status {
        case "active": return "linked; syncing"
        case "expired": return "consent expired: reconnect"
        case "rejected": return "consent was rejected: reconnect"
        case "suspended": return "suspended by the provider: reconnect"
        case "error": return "in error: see last_error"
        case "pending": return "waiting for the person to finish giving consent"
        case "auth_required": return "needs the person to authorise again"
        default: return status
        }
    }

    func createConnection(_ input: Operations.CreateConnection.Input) async throws -> Operations.CreateConnection.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("body", "send a JSON object with institution_id") }
        if body.provider == .enablebanking { return try await createEnableBankingConnection(body) }
        guard let consent else {
            throw APIProblem(.notConfigured, status: .conflict, title: "GoCardless is not configured",
                             detail: "add a [gocardless] table to finsync.toml (and its secrets) and restart `finsync serve`")
        }
        let institution = (body.institutionId ?? "").trimmingCharacters(in: .whitespaces)
        guard !institution.isEmpty, institution.count <= 128, institution.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw APIProblem.badParameter("institution_id", "institution_id must be a GoCardless institution id such as SANDBOXFINANCE_SFIN0000")
        }
        let redirect = body.redirectUrl ?? "http://localhost:8000/finsync/linked"
        guard let url = URL(string: redirect), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw APIProblem.badParameter("redirect_url", "redirect_url must be an http(s) URL")
        }
        let access = try Parameters.limit(body.accessDays, name: "access_days", default: 90, max: 730)
        let history = try Parameters.limit(body.historyDays, name: "history_days", default: 90, max: 730)
        let c = try await consent.start(institution: institution, redirect: redirect, accessDays: access, historyDays: history)
        guard let requisition = c.requisitionID, let link = c.link else {
            throw APIProblem(.providerFailed, status: .badGateway, title: "GoCardless failed", detail: "GoCardless created no requisition link for \(institution)")
        }
        return .created(.init(body: .json(.init(provider: "gocardless", requisitionId: requisition, agreementId: c.agreementID, institutionId: institution, link: link,
                                               accessDays: c.accessDays, historyDays: c.historyDays))))
    }

    func listRuns(_ input: Operations.ListRuns.Input) async throws -> Operations.ListRuns.Output {
        let limit = try Parameters.limit(input.query.limit, default: 20)
        let runs = try await RunStore(connection: pool.connection).recent(limit: limit)
        return .ok(.init(body: .json(.init(items: runs.map { Self.run($0, steps: false) }))))
    }

    func getRun(_ input: Operations.GetRun.Input) async throws -> Operations.GetRun.Output {
        let id = try Parameters.id(input.path.id)
        guard let run = try await RunStore(connection: pool.connection).run(id.uuidString.lowercased()) else { throw APIProblem.notFound("run", input.path.id) }
        return .ok(.init(body: .json(Self.run(run, steps: true))))
    }

    static func run(_ r: RunRecord, steps: Bool) -> Components.Schemas.Run {
        Components.Schemas.Run(
            id: r.runID.uuidString.lowercased(), trigger: r.trigger.rawValue, status: r.status.rawValue, dryRun: r.dryRun,
            providerFilter: r.providerFilter, connectionFilter: r.connectionFilter, startedAt: r.startedAt, finishedAt: r.finishedAt,
            eventsAppended: r.eventsAppended, duplicatesSkipped: r.duplicatesSkipped, message: r.message,
            steps: steps ? r.steps.map { s in
                Components.Schemas.RunStep(stepNo: s.stepNo, provider: s.provider, connectionId: s.connectionID, key: s.key, label: s.label,
                                           status: s.status.rawValue, startedAt: s.startedAt, finishedAt: s.finishedAt, eventsAppended: s.eventsAppended,
                                           duplicatesSkipped: s.duplicatesSkipped,
                                           quotas: s.quota.map { .init(account: $0.subject, scope: $0.scope, limit: $0.limit, remaining: $0.remaining, nextAllowedAt: $0.nextAllowedAt) },
                                           notes: s.notes, error: s.error)
            } : nil)
    }

    func getStatus(_ input: Operations.GetStatus.Input) async throws -> Operations.GetStatus.Output {
        let status = try await ProjectionRunner(connection: pool.connection).status(ProjectionCatalog.liveTargets)
        let head = status.first?.head ?? 0
        // Seconds between the newest event and the newest event each projection applied.
        let positions = Array(Set(status.map(\.position) + [head]))
        let recorded = try await pool.session { s in
            Dictionary(try s.query("SELECT position, recorded_at FROM eventlog.events WHERE position = ANY($1::bigint[])",
                                   [.textArray(positions.map { String($0) })]).rows.compactMap { r in r.int64(0).flatMap { p in r.date(1).map { (p, $0) } } },
                       uniquingKeysWith: { a, _ in a })
        }
        let projections = status.map { p in
            Components.Schemas.ProjectionState(
                projection: p.projection, schema: p.schema, codeVersion: p.codeVersion, storedVersion: p.storedVersion, position: p.position, lag: p.lag,
                lagSeconds: p.lag == 0 ? 0 : recorded[head].map { h in max(0, h.timeIntervalSince(recorded[p.position] ?? .distantPast)) }.map { min($0, 1e12) },
                needsRebuild: p.needsRebuild, lastError: p.lastError, parkedEvents: p.parked.count)
        }
        return .ok(.init(body: .json(.init(logHead: head, projections: projections))))
    }

    func startSync(_ input: Operations.StartSync.Input) async throws -> Operations.StartSync.Output {
        guard let sync else {
            throw APIProblem(.notConfigured, status: .conflict, title: "Sync is not available", detail: "this server was started without sync runs")
        }
        switch try await sync.launch() {
        case .started(let id):
            let text = id.uuidString.lowercased()
            return .accepted(.init(body: .json(.init(runId: text, status: "running"))))
        case .busy(let running):
            throw APIProblem(.syncInProgress, status: .conflict, title: "A sync run is in progress",
                             detail: running.map { "run \($0.uuidString.lowercased()) is in progress; follow it at /v1/runs/\($0.uuidString.lowercased())" }
                                 ?? "another sync run holds the lock", runID: running)
        }
    }
}
