import CanonicalJSON
import EventLog
import Clocks
import Foundation
import Logging

/// Extracts one Trading212 connection (one API key = one account) into events.
///
/// Entry point: ``run(runID:)``. It asks, in order, for the account money, the positions,
/// the order / dividend / cash-transaction history and the metadata of every instrument
/// held or traded, and appends through the ``EventSink`` (so `--dry-run` works):
///
/// | what | event | kind |
/// |---|---|---|
/// | `/equity/account/summary` (404 → legacy `/equity/account/cash` + `/equity/account/info`) | `trading212.account.observed` | snapshot |
/// | `/equity/positions` (404 → legacy `/equity/portfolio`) | `trading212.positions.observed` | snapshot |
/// | history orders, dividends, transactions (`nextPagePath` pagination) | `trading212.{order,dividend,transaction}.observed` | item |
/// | `/equity/metadata/instruments` (cached a day) | `trading212.instrument.observed` | snapshot per ticker |
/// | how it went | `connection.health.observed` | snapshot |
///
/// History is newest first; a run appends page by page. Once a list has been walked to
/// its end (``Trading212HistoryProgress``), later runs stop at the first page holding an
/// item that was already stored; until then they walk it all (stored items are skipped by
/// content key), so an interrupted first run is completed by the next. A missing scope (403) skips that
/// endpoint, syncs the rest and marks the connection `auth_required` naming the scope; a
/// rejected key (401) stops the step. Provider problems come back in the
/// ``ExtractorOutcome``; only sink (database) failures are thrown.
public struct Trading212Extractor: Sendable {
    /// Knobs with production defaults.
    public struct Options: Sendable {
        /// Stop each completely walked history list at the first page with an already
        /// stored item. `false` walks the whole history every time.
        public var incremental = true
        /// Items per history page (Trading212 allows at most 50).
        public var pageLimit = 50
        /// How old the cached instrument list may be.
        public var instrumentCacheMaxAge: TimeInterval = 24 * 3600
        /// Guard against a provider that never ends its `nextPagePath` chain.
        public var maxPages = 10_000
        public init() {}
    }

    public let configuration: Trading212Configuration
    let client: Trading212Client
    let sink: any EventSink
    let cache: any Trading212InstrumentCache
    let progress: any Trading212HistoryProgress
    let clock: any FinsyncClock
    let options: Options
    let logger: Logger

    /// - Parameters:
    ///   - configuration: the `[[trading212]]` entry.
    ///   - credentials: read with ``Trading212Configuration/credentials(environment:)``.
    ///   - transport: how requests are made (deadline, connect timeout, no redirects).
    ///   - sink: the event log, or a recording sink for dry runs.
    ///   - instrumentCache: ``PostgresTrading212InstrumentCache`` in production.
    ///   - historyProgress: ``PostgresTrading212HistoryProgress`` in production.
    ///   - clock: time and sleeping for rate-limit waits (inject a manual clock in tests).
    public init(configuration: Trading212Configuration, credentials: Trading212Credentials, transport: ProviderHTTPTransport = ProviderHTTPTransport(),
                sink: any EventSink, instrumentCache: any Trading212InstrumentCache, historyProgress: any Trading212HistoryProgress,
                clock: any FinsyncClock = SystemClock(), options: Options = Options(),
                logger: Logger = Logger(label: "finsync.trading212")) {
        self.configuration = configuration
        self.client = Trading212Client(connection: configuration.name, baseURL: configuration.baseURL, credentials: credentials,
                                       transport: transport, clock: clock, logger: logger)
        self.sink = sink
        self.cache = instrumentCache
        self.progress = historyProgress
        self.clock = clock
        self.options = options
        self.logger = logger
    }

    var conn: String { configuration.connectionID }

    /// Runs the whole extraction for this connection; `runID` becomes every event's
    /// correlation id and is stored in metadata.
    public func run(runID: UUID) async throws -> ExtractorOutcome {
        var outcome = ExtractorOutcome(step: "trading212/\(conn)")
        var missingScopes: [String] = []
        var failure: Trading212Error?
        var tickers = Set<String>()
        var legacy = false
        var partsSynced = 0

        /// Runs one part; 403 → note the scope and go on; 401 → stop; else record the error and go on.
        func part(_ body: () async throws -> Void) async throws -> Bool {
            do { try await body(); partsSynced += 1; return true } catch let e as Trading212Error {
                switch e.code {
                case .missingScope:
                    missingScopes.append(e.scope ?? "unknown")
                    outcome.warnings.append(e.description)
                    return true
                case .unauthorized:
                    failure = e
                    return false
                default:
                    if failure == nil { failure = e }
                    outcome.warnings.append(e.description)
                    return true
                }
            }
        }

        var go = try await part { legacy = try await account(runID: runID, outcome: &outcome) }
        if go { go = try await part { tickers.formUnion(try await positions(legacy: legacy, runID: runID, outcome: &outcome)) } }
        for kind in Trading212HistoryKind.allCases where go {
            go = try await part { tickers.formUnion(try await history(kind, legacy: legacy, runID: runID, outcome: &outcome)) }
        }
        if go { go = try await part { try await instruments(tickers, runID: runID, outcome: &outcome) } }

        let health: ConnectionHealthSnapshot
        if let failure, failure.code == .unauthorized {
            health = .init(provider: "trading212", connectionID: conn, status: .authRequired,
                           message: "Trading212 rejected the API key of connection \(configuration.name): \(failure.message). The sync stopped there.")
            outcome.error = failure.description
        } else if !missingScopes.isEmpty {
            let scopes = Array(Set(missingScopes)).sorted()
            health = .init(provider: "trading212", connectionID: conn, status: .authRequired,
                           message: "The API key of connection \(configuration.name) lacks the scope\(scopes.count == 1 ? "" : "s") \(scopes.joined(separator: ", ")); enable \(scopes.count == 1 ? "it" : "them") for the key in Trading212 (Settings → API) or create a key that has \(scopes.count == 1 ? "it" : "them"). Everything else was synced.")
            outcome.error = "missing scope: " + scopes.joined(separator: ", ")
        } else if let failure {
            health = .init(provider: "trading212", connectionID: conn, status: .error, message: failure.description)
            outcome.error = failure.description
        } else {
            health = .init(provider: "trading212", connectionID: conn, status: .active, message: "Trading212 connection \(configuration.name) is working.")
        }
        outcome.connectionStatus = health.status.rawValue
        outcome.partial = outcome.error != nil && failure?.code != .unauthorized && partsSynced > 0
        outcome.record(try await health.record(in: sink, stamp: RunStamp(runID: runID)))
        return outcome
    }

    // MARK: Parts

    /// Account money; returns true when only the legacy API answered.
    func account(runID: UUID, outcome: inout ExtractorOutcome) async throws -> Bool {
        let payload: JSONValue, legacy: Bool
        var endpoint = "/api/v0/equity/account/summary"
        do {
            payload = ["api": "summary", "summary": try await client.get(endpoint)]
            legacy = false
        } catch let e as Trading212Error where e.code == .notFound {
            outcome.warnings.append("\(configuration.name): /equity/account/summary is not available; using the legacy /equity/account/cash and /equity/account/info")
            let cash = try await client.get("/api/v0/equity/account/cash")
            let info = try await client.get("/api/v0/equity/account/info")
            endpoint = "/api/v0/equity/account/cash"
            payload = ["api": "legacy", "cash": cash, "info": info]
            legacy = true
        }
        let event = RunStamp(runID: runID).event(EventCatalog.trading212AccountObserved.latest, payload, endpoint: endpoint)
        outcome.record(try await sink.appendSnapshot(event, to: StreamName.trading212(conn, .account), ignoring: []))
        return legacy
    }

    /// Positions (the generation the account answered in first); returns the tickers held.
    func positions(legacy: Bool, runID: UUID, outcome: inout ExtractorOutcome) async throws -> Set<String> {
        let current = ("/api/v0/equity/positions", "positions"), old = ("/api/v0/equity/portfolio", "portfolio")
        var (endpoint, api) = legacy ? old : current
        let list: JSONValue
        do { list = try await client.get(endpoint) } catch let e as Trading212Error where e.code == .notFound {
            (endpoint, api) = legacy ? current : old
            list = try await client.get(endpoint)
        }
        guard let all = list.array else { throw malformed(endpoint, "expected an array of positions") }
        // Checked with the projections' normaliser first: a position they would refuse is
        // named in the step's error and left out of the stored answer.
        var items: [JSONValue] = []
        for (i, item) in all.enumerated() {
            if let problem = Trading212Normalisation.problem(position: item) {
                outcome.refused.append("\(configuration.name): GET \(endpoint) position \(i)\(Self.ticker(of: item).map { " (\($0))" } ?? ""): \(problem)")
            } else {
                items.append(item)
            }
        }
        let event = RunStamp(runID: runID).event(EventCatalog.trading212PositionsObserved.latest, ["api": .string(api), "positions": .array(items)], endpoint: endpoint)
        outcome.record(try await sink.appendSnapshot(event, to: StreamName.trading212(conn, .positions), ignoring: []))
        return Set(items.compactMap(Self.ticker(of:)))
    }

    /// One history list, page by page; returns the tickers it mentions.
    func history(_ kind: Trading212HistoryKind, legacy: Bool, runID: UUID, outcome: inout ExtractorOutcome) async throws -> Set<String> {
        let stream = StreamName.trading212(conn, kind.streamPart)
        var base = legacy ? kind.legacyPath : kind.currentPath
        var first: JSONValue
        do { first = try await client.get("\(base)?limit=\(options.pageLimit)") } catch let e as Trading212Error where e.code == .notFound && kind.legacyPath != kind.currentPath {
            base = legacy ? kind.currentPath : kind.legacyPath
            first = try await client.get("\(base)?limit=\(options.pageLimit)")
        }
        var page = first, path = "\(base)?limit=\(options.pageLimit)"
        var tickers = Set<String>(), seenPaths: Set<String> = [path], pages = 0
        let stopAtStored = options.incremental ? try await progress.isComplete(connection: conn, list: kind.rawValue) : false
        while true {
            pages += 1
            guard let all = page["items"]?.array else { throw malformed(path, "expected {\"items\": [...], \"nextPagePath\": ...}") }
            // Each item is checked with the projections' normalisers first: one they would
            // refuse is named in the step's error and not stored; the others are.
            var items: [JSONValue] = []
            for (i, item) in all.enumerated() {
                if let problem = Trading212Normalisation.problem(item, kind: kind) {
                    let name = item["reference"]?.string.map { "reference \($0)" } ?? item["id"]?.numberText.map { "id \($0)" } ?? "item \(i)"
                    outcome.refused.append("\(configuration.name): GET \(path.split(separator: "?").first ?? "") \(name): \(problem)")
                } else {
                    items.append(item)
                }
            }
            let events = items.map { item in
                RunStamp(runID: runID).event(kind.eventType, item, endpoint: path, occurredAt: Self.occurredAt(of: item, kind: kind))
            }
            tickers.formUnion(items.compactMap(Self.ticker(of:)))
            let result = events.isEmpty ? nil : try await sink.append(events, to: stream)
            if let result { outcome.record(result) }
            if stopAtStored, let result, result.duplicates.contains(where: { $0.existingPosition != nil }) {
                logger.debug("reached already stored history", metadata: ["stream": "\(stream)", "pages": "\(pages)"])
                break
            }
            guard let next = page["nextPagePath"], let nextPath = next.string else {
                if let next = page["nextPagePath"], !next.isNull { throw malformed(path, "nextPagePath is neither a string nor null") }
                try await progress.markComplete(connection: conn, list: kind.rawValue, at: clock.date)
                break
            }
            guard seenPaths.insert(nextPath).inserted, pages < options.maxPages else {
                throw malformed(path, "nextPagePath repeats an earlier page (\(Trading212Client.endpoint(of: nextPath))); stopping to avoid a loop")
            }
            path = nextPath.hasPrefix("/") ? nextPath : "/" + nextPath
            page = try await client.get(path)
        }
        return tickers
    }

    /// Metadata of the instruments held or traded, from the day-old cache or the API.
    func instruments(_ tickers: Set<String>, runID: UUID, outcome: inout ExtractorOutcome) async throws {
        guard !tickers.isEmpty else { return }
        let endpoint = "/api/v0/equity/metadata/instruments"
        let list: JSONValue
        if let cached = try await cache.load(baseURL: configuration.baseURL, notBefore: clock.date.addingTimeInterval(-options.instrumentCacheMaxAge)) {
            list = cached
        } else {
            list = try await client.get(endpoint)
            guard list.array != nil else { throw malformed(endpoint, "expected an array of instruments") }
            try await cache.store(baseURL: configuration.baseURL, instruments: list, fetchedAt: clock.date)
        }
        var byTicker: [String: JSONValue] = [:]
        for i in list.array ?? [] { if let t = i["ticker"]?.string { byTicker[t] = i } }
        for ticker in tickers.sorted() {
            guard let instrument = byTicker[ticker] else {
                outcome.warnings.append("\(configuration.name): instrument \(ticker) is not in Trading212's instrument list")
                continue
            }
            let event = RunStamp(runID: runID).event(EventCatalog.trading212InstrumentObserved.latest, instrument, endpoint: endpoint)
            outcome.record(try await sink.appendSnapshot(event, to: StreamName.trading212Instrument(ticker), ignoring: []))
        }
    }

    // MARK: Item facts

    /// The ticker of a position, order (either generation) or dividend.
    static func ticker(of item: JSONValue) -> String? {
        item["ticker"]?.string ?? item["instrument"]?["ticker"]?.string ?? item["order"]?["ticker"]?.string ?? item["order"]?["instrument"]?["ticker"]?.string
    }

    /// Provider time of a history item.
    static func occurredAt(of item: JSONValue, kind: Trading212HistoryKind) -> Date? {
        switch kind {
        case .orders:
            return ExtractorTimestamp.parse(item["fill"]?["filledAt"]?.string ?? item["order"]?["createdAt"]?.string
                                           ?? item["dateExecuted"]?.string ?? item["dateCreated"]?.string)
        case .dividends: return ExtractorTimestamp.parse(item["paidOn"]?.string)
        case .transactions: return ExtractorTimestamp.parse(item["dateTime"]?.string)
        }
    }

    func malformed(_ path: String, _ message: String) -> Trading212Error {
        Trading212Error(code: .malformedResponse, connection: configuration.name, endpoint: Trading212Client.endpoint(of: path), status: 200, scope: nil, message: message)
    }
}
