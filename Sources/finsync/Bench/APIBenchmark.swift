import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections
import Serve

/// `finsync bench api`: fold a generated household log, serve it with `finsync serve`, and
/// drive three routes with wrk's concurrent keep-alive clients; the baseline is the same
/// statements issued straight through libpq on one connection, in the same run.
struct APIBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "Benchmark the HTTP API (wrk) against the same queries through libpq.")

    @OptionGroup var database: SettingsOptions
    @Option(help: "Number of events to generate (1,000,000 is ten years of the generated household).") var events = 1_000_000
    @Option(help: "Seconds of load per route.") var seconds = 10
    @Option(help: "Concurrent keep-alive connections.") var connections = 16
    @Option(help: "Measured runs per route, taken in turn across the routes; each figure is the median of its runs.") var runs = 3
    @Option(help: "Scratch database to (re)create on the same server.") var scratchDatabase = "finsync_bench_api"
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        try NumericOption.require("--events", events, atLeast: 1)
        try NumericOption.require("--seconds", seconds, atLeast: 1)
        try NumericOption.require("--connections", connections, atLeast: 1)
        try NumericOption.require("--runs", runs, atLeast: 1)
    }

    struct Route {
        var name: String
        var path: String
        var statement: (sql: String, parameters: [PostgresParameter])
    }

    func run() async throws {
        guard let wrk = WrkLoad.locate() else { throw IngestCommandError("wrk is not installed: run `ops/install.sh --bench` (Debian's wrk package)") }
        let settings = try database.resolve()
        let (config, conn, log, filled) = try await BenchLog.scratch(scratchDatabase, settings: settings, events: events, quiet: json)
        defer { conn.close() }
        if !json { print("folding them into the projections…") }
        let workers = try await PostgresConnection.connect(config, count: 3)
        defer { workers.forEach { $0.close() } }
        let results = try await ProjectionRunner(connection: conn, dictionaries: log.dictionaries, workers: workers).catchUp(ProjectionCatalog.liveTargets)
        guard results.allSatisfy({ $0.outcome == .caughtUp }) else { throw ValidationError("the fold did not complete: \(results.map { "\($0.projection): \($0.outcome)" })") }
        // Measured in a steady state: without this, autovacuum's first pass over the freshly
        // written million-row tables ran during the page measurements (a core of its own on
        // this two-core machine) and moved their p99 by 10–20 ms from run to run.
        if !json { print("vacuuming and analysing the scratch database…") }
        try await BenchDatabase.vacuum(scratchDatabase, server: settings.database.configuration, owner: settings.ownerDatabase.configuration)
        let (token, _) = try await TokenStore(connection: conn).create(name: "bench", scope: .read)

        // The routes: the accounts, a first filtered page, and a page 90% down the same cursor chain.
        let deep = try await conn.withSession { s -> TransactionCursor? in
            let n = try s.query("SELECT count(*) FROM transactions WHERE status = 'booked'")[0].int(0) ?? 0
            let r = try s.query("""
                SELECT (\(UnifiedProjection.transactionSortDay))::text, id FROM transactions WHERE status = 'booked'
                ORDER BY \(UnifiedProjection.transactionSortDay) DESC, id DESC OFFSET $1 LIMIT 1
                """, [PostgresParameter(n * 9 / 10)])
            return r.count == 1 ? r[0].string(0).flatMap { d in r[0].uuid(1).map { TransactionCursor(day: d, id: $0) } } : nil
        }
        guard let deep else { throw ValidationError("the generated log has no booked transactions") }
        let routes = [
            Route(name: "accounts", path: "/v1/accounts", statement: ("\(AccountQuery.select) \(AccountQuery.order)", [])),
            Route(name: "transactions_first_page", path: "/v1/transactions?limit=100&status=booked",
                  statement: TransactionQuery(status: "booked", limit: 100).statement),
            Route(name: "transactions_deep_page", path: "/v1/transactions?limit=100&status=booked&cursor=\(deep.encoded)",
                  statement: TransactionQuery(status: "booked", after: deep, limit: 100).statement),
        ]

        let server = try ServeSubprocess.start(databaseURL: config.connectionString)
        defer { server.stop() }
        if !json { print("serving on port \(server.port); \(connections) connections, \(seconds) s per route") }
        let load = WrkLoad(threads: 2, connections: connections, seconds: seconds)
        for route in routes { _ = try load.run(wrk, url: "http://127.0.0.1:\(server.port)\(route.path)", token: token) }  // warm-up
        // Runs taken in turn across the routes, so a passing disturbance on this shared
        // two-core machine (a checkpoint's writes, another process) lands on one run of
        // each route rather than on every run of one; the medians are reported.
        var runsByRoute: [[Run]] = Array(repeating: [], count: routes.count)
        for _ in 0..<runs {
            for (i, route) in routes.enumerated() {
                let cpuBefore = server.cpuSeconds()
                let f = try load.run(wrk, url: "http://127.0.0.1:\(server.port)\(route.path)", token: token)
                // The server's own CPU time per answer: unlike requests/s, it does not move with
                // whatever else the machine's two cores are doing.
                runsByRoute[i].append(Run(figures: f, cpuMilliseconds: f.requests > 0 ? (server.cpuSeconds() - cpuBefore) * 1000 / Double(f.requests) : 0))
            }
        }
        var figures: [(Route, Summary, Double)] = []
        for (i, route) in routes.enumerated() {
            figures.append((route, Summary(runsByRoute[i]), try await Self.baseline(route.statement, on: conn, seconds: Double(seconds))))
        }
        let rss = server.residentMiB()

        var perRoute: [String: JSONValue] = [:]
        for (route, f, base) in figures {
            perRoute[route.name] = [
                "server_cpu_ms_per_request": .number(String(format: "%.3f", f.cpuMilliseconds)),
                "path": .string(route.path),
                "rps": .number(String(format: "%.0f", f.requestsPerSecond)),
                "p50_ms": .number(String(format: "%.2f", f.p50Milliseconds)),
                "p99_ms": .number(String(format: "%.2f", f.p99Milliseconds)),
                "p99_ms_runs": .array(f.p99Runs.map { .number(String(format: "%.2f", $0)) }),
                "non_2xx": .number(String(f.non2xx)),
                "sql_baseline_rps": .number(String(format: "%.0f", base)),
            ]
        }
        let result: JSONValue = .object([
            "events": .number(String(filled.events)),
            "connections": .number(String(connections)),
            "seconds_per_route": .number(String(seconds)),
            "runs_per_route": .number(String(runs)),
            "server_rss_mb": .number(String(format: "%.1f", rss)),
            "routes": .object(perRoute),
            "sched_autogroup": SchedulerAutogroup.enabled.map { .bool($0) } ?? .null,
        ])
        if json { print(result.canonicalString); return }
        print("events: \(filled.events); server RSS at the end: \(String(format: "%.1f", rss)) MiB")
        print("medians of \(runs) run(s) per route:")
        for (route, f, base) in figures {
            print("  \(route.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%7.0f", f.requestsPerSecond)) req/s  p50 \(String(format: "%6.2f", f.p50Milliseconds)) ms  p99 \(String(format: "%6.2f", f.p99Milliseconds)) ms (runs: \(f.p99Runs.map { String(format: "%.1f", $0) }.joined(separator: " / ")))  server CPU \(String(format: "%.2f", f.cpuMilliseconds)) ms/request  (libpq, one connection: \(String(format: "%.0f", base)) queries/s)\(f.non2xx > 0 ? "  \(f.non2xx) non-2xx!" : "")")
        }
        if SchedulerAutogroup.enabled == true { print(SchedulerAutogroup.note) }
    }

    /// One measured run of a route.
    struct Run {
        var figures: WrkLoad.Figures
        var cpuMilliseconds: Double
    }

    /// A route's runs: the median of each figure (taken separately), every run's p99, and
    /// the non-2xx answers of all runs.
    struct Summary {
        var requestsPerSecond, p50Milliseconds, p99Milliseconds, cpuMilliseconds: Double
        var p99Runs: [Double]
        var non2xx: Int

        init(_ runs: [Run]) {
            func median(_ values: [Double]) -> Double {
                let v = values.sorted()
                guard !v.isEmpty else { return 0 }
                return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            }
            requestsPerSecond = median(runs.map(\.figures.requestsPerSecond))
            p50Milliseconds = median(runs.map(\.figures.p50Milliseconds))
            p99Milliseconds = median(runs.map(\.figures.p99Milliseconds))
            cpuMilliseconds = median(runs.map(\.cpuMilliseconds))
            p99Runs = runs.map(\.figures.p99Milliseconds)
            non2xx = runs.reduce(0) { $0 + $1.figures.non2xx }
        }
    }

    /// Queries per second of `statement` issued back to back on one libpq connection for `seconds`,
    /// prepared once as the server prepares it.
    static func baseline(_ statement: (sql: String, parameters: [PostgresParameter]), on conn: PostgresConnection, seconds: Double) async throws -> Double {
        try await conn.withSession { s in
            let clock = ContinuousClock(), start = clock.now
            var n = 0
            while (clock.now - start) < .seconds(seconds) {
                _ = try s.query(statement.sql, statement.parameters, prepare: true)
                n += 1
            }
            return Double(n) / ((clock.now - start) / .seconds(1))
        }
    }
}

/// `finsync serve` (this same executable) as a child process on an ephemeral port.
struct ServeSubprocess {
    let process: Process
    let port: Int

    static func start(databaseURL: String) throws -> ServeSubprocess {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["serve", "--no-schedule", "--no-follow", "--port", "0", "--database-url", databaseURL]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var text = ""
        while p.isRunning {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("finsync serve: listening on http://") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return ServeSubprocess(process: p, port: port)
            }
        }
        throw IngestCommandError("finsync serve did not start: \(text)")
    }

    /// CPU time (user and system) the server has used so far, in seconds.
    func cpuSeconds() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return 0 }
        // After the command name: state is field 3, utime and stime are fields 14 and 15.
        let fields = s[s.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The server's resident memory now (MiB).
    func residentMiB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return 0
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}
