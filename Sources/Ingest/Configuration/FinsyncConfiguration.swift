import Foundation
import TOMLKit

/// `finsync.toml` plus the environment.
///
/// ```toml
/// database_url = "postgresql://…"          # --database-url and DATABASE_URL override
/// owner_database_url = "postgresql://…"    # for `finsync migrate`; FINSYNC_OWNER_DATABASE_URL overrides
/// [schedule]
/// cron = "0 4 * * *"
/// timezone = "Europe/London"
/// [gocardless]
/// base_url = "https://bankaccountdata.gocardless.com/api/v2"
/// secret_id_env = "GOCARDLESS_SECRET_ID"    # or secret_id_file
/// secret_key_env = "GOCARDLESS_SECRET_KEY"  # or secret_key_file
/// [[trading212]]                           # one per API key (see Trading212Configuration)
/// name = "ISA"
/// api_key_env = "T212_ISA_KEY"              # or api_key_file; api_secret_env / api_secret_file optional
/// [notify]                                 # see NotifyConfiguration
/// webhooks = ["https://hooks.example.com/finsync", { url = "https://ntfy.sh/TOPIC", format = "text" }]
/// ```
/// Secrets are never in the file: only the name of an environment variable or a file
/// holding them. Vanguard needs no table: its connections are the session files handed
/// over with `finsync connect vanguard --session FILE` (stored in the database).
/// A table or key this version does not know is a problem (a misspelt `[gocardles]` would
/// otherwise be silently ignored and sync nothing). Which database is used is decided by
/// ``FinsyncSettings`` (flag › environment › file › libpq defaults), nowhere else.
public struct FinsyncConfiguration: Sendable {
    public struct Schedule: Sendable, Hashable {
        public var cron: String = "0 4 * * *"
        public var timezone: String = "UTC"
        public init() {}
    }

    public struct GoCardless: Sendable, Hashable {
        public var baseURL: String = GoCardlessClient.defaultBaseURL
        public var secretIDEnv: String?
        public var secretIDFile: String?
        public var secretKeyEnv: String?
        public var secretKeyFile: String?
        public var overlapDays: Int = 7
        public var detailsRefreshDays: Int = 30
        public init() {}
    }

    /// `[server]`: where `finsync serve` listens and who may read `/metrics`.
    public struct Server: Sendable, Hashable {
        /// Who may read `/metrics`.
        public enum MetricsAccess: String, Sendable, Hashable, CaseIterable {
            /// Any API token (the default).
            case token
            /// No token needed (e.g. a Prometheus on the same host).
            case `public`
            /// Not served.
            case off
        }
        public var bind: String = "127.0.0.1"
        public var port: Int = 8080
        public var metrics: MetricsAccess = .token
        public init() {}
    }

    /// The file read, if any.
    public var path: String?
    /// `database_url` from the file (``FinsyncSettings`` decides what wins).
    public var databaseURL: String?
    /// `owner_database_url` from the file (``FinsyncSettings`` decides what wins).
    public var ownerDatabaseURL: String?
    public var schedule = Schedule()
    public var server = Server()
    /// `nil` when the file has no `[gocardless]` table.
    public var gocardless: GoCardless?
    /// The valid `[[trading212]]` entries (invalid ones are in ``readProblems``).
    public var trading212: [Trading212Configuration] = []
    /// Where each valid entry (by connection id) is in the file's `[[trading212]]` array, so
    /// problems found later are keyed like the ones found while reading.
    var trading212Index: [String: Int] = [:]
    /// `[notify]`: the webhooks told when a run fails or a connection needs the person.
    public var notify = NotifyConfiguration()
    /// The valid `[[enablebanking]]` applications (invalid ones are in ``readProblems``).
    public var enablebanking: [EnableBankingConfiguration] = []
    /// Problems found while reading (types, unknown keys, secrets in the file); see ``validate(environment:)``.
    public var readProblems: [ConfigurationProblem] = []
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The file to read: `explicit` (`--config`), else `FINSYNC_CONFIG`, else `./finsync.toml` if it exists.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit { return explicit }
        if let e = environment[FinsyncSettings.configPathVariable], !e.isEmpty { return e }
        return FileManager.default.fileExists(atPath: "finsync.toml") ? "finsync.toml" : nil
    }

    /// Reads the configuration (defaults when `path` is nil). Throws only when the file
    /// cannot be read at all; everything else is collected in ``readProblems``.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FinsyncConfiguration {
        var c = FinsyncConfiguration(environment: environment)
        c.path = path
        guard let path else { return c }
        try c.parse(try readFile(path))
        return c
    }

    /// The file's text, or an error saying in plain words why it cannot be had (a missing
    /// file, a directory, no permission, not UTF-8) rather than a Foundation error code.
    static func readFile(_ path: String) throws -> String {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(path: path, problems: [ConfigurationProblem(key: "(file)", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("\(path) does not exist (give the finsync.toml file with --config or FINSYNC_CONFIG)")
        }
        if isDirectory.boolValue { throw failure("\(path) is a directory; give the finsync.toml file itself (e.g. \(path)/finsync.toml)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("\(path) cannot be read (check its permissions)") }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("\(path) is not UTF-8 text") }
        return text
    }

    /// Reads TOML text (for tests and `load`).
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FinsyncConfiguration {
        var c = FinsyncConfiguration(environment: environment)
        try c.parse(text)
        return c
    }

    private mutating func parse(_ text: String) throws {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            readProblems.append(ConfigurationProblem(key: "(file)", message: "\(path ?? "the file") is not valid TOML at line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)"))
            return
        }
        var problems: [ConfigurationProblem] = []
        func string(_ t: TOMLTable, _ key: String, _ full: String) -> String? {
            guard let v = t[key] else { return nil }
            guard let s = v.string else { problems.append(.init(key: full, message: "must be a string")); return nil }
            return s
        }
        func int(_ t: TOMLTable, _ key: String, _ full: String) -> Int? {
            guard let v = t[key] else { return nil }
            guard let i = v.int else { problems.append(.init(key: full, message: "must be an integer")); return nil }
            return i
        }
        for key in table.keys {
            switch key {
            case "database_url":
                databaseURL = string(table, key, key)
            case "owner_database_url":
                ownerDatabaseURL = string(table, key, key)
            case "schedule":
                guard let t = table[key]?.table else { problems.append(.init(key: key, message: "must be a table ([schedule])")); continue }
                for k in t.keys where !["cron", "timezone"].contains(k) { problems.append(.init(key: "schedule.\(k)", message: "unknown key (expected cron, timezone)")) }
                if let s = string(t, "cron", "schedule.cron") { schedule.cron = s }
                if let s = string(t, "timezone", "schedule.timezone") { schedule.timezone = s }
            case "gocardless":
                guard let t = table[key]?.table else { problems.append(.init(key: key, message: "must be a table ([gocardless])")); continue }
                var g = GoCardless()
                let known = ["base_url", "secret_id_env", "secret_id_file", "secret_key_env", "secret_key_file", "overlap_days", "details_refresh_days"]
                for k in t.keys where !known.contains(k) {
                    if ["secret_id", "secret_key", "access", "refresh", "token"].contains(k) {
                        problems.append(.init(key: "gocardless.\(k)", message: "secrets must not be in the file; name an environment variable (\(k)_env) or a file (\(k)_file) instead"))
                    } else {
                        problems.append(.init(key: "gocardless.\(k)", message: "unknown key (expected one of \(known.joined(separator: ", ")))"))
                    }
                }
                if let s = string(t, "base_url", "gocardless.base_url") { g.baseURL = s }
                g.secretIDEnv = string(t, "secret_id_env", "gocardless.secret_id_env")
                g.secretIDFile = string(t, "secret_id_file", "gocardless.secret_id_file")
                g.secretKeyEnv = string(t, "secret_key_env", "gocardless.secret_key_env")
                g.secretKeyFile = string(t, "secret_key_file", "gocardless.secret_key_file")
                if let i = int(t, "overlap_days", "gocardless.overlap_days") { g.overlapDays = i }
                if let i = int(t, "details_refresh_days", "gocardless.details_refresh_days") { g.detailsRefreshDays = i }
                gocardless = g
            case "trading212":
                let (configurations, indexes, t212Problems) = Trading212Configuration.parseCollectingProblems(from: table)
                trading212 = configurations
                trading212Index = indexes
                problems += t212Problems.map { ConfigurationProblem(key: $0.key, message: $0.message) }
            case "notify":
                if let value = table[key] { notify = NotifyConfiguration.parse(value, problems: &problems) }
            case "enablebanking":
                let (configurations, ebProblems) = EnableBankingConfiguration.parseCollectingProblems(from: table)
                enablebanking = configurations
                problems += ebProblems
            case "server":
                guard let t = table[key]?.table else { problems.append(.init(key: key, message: "must be a table ([server])")); continue }
                for k in t.keys where !["bind", "port", "metrics"].contains(k) { problems.append(.init(key: "server.\(k)", message: "unknown key (expected bind, port, metrics)")) }
                if let s = string(t, "bind", "server.bind") { server.bind = s }
                if let i = int(t, "port", "server.port") { server.port = i }
                if let s = string(t, "metrics", "server.metrics") {
                    if let m = Server.MetricsAccess(rawValue: s) { server.metrics = m } else {
                        problems.append(.init(key: "server.metrics", message: "must be one of \(Server.MetricsAccess.allCases.map(\.rawValue).joined(separator: ", "))"))
                    }
                }
            case "vanguard":
                problems.append(.init(key: key, message: "Vanguard has no table: hand over a session with `finsync connect vanguard --session FILE`"))
            default:
                problems.append(Self.unknownTopLevel(key, isTable: table[key]?.table != nil || table[key]?.array != nil))
            }
        }
        readProblems.append(contentsOf: problems)
    }

    /// The top-level keys and tables this version reads.
    public static let knownTopLevelKeys = ["database_url", "owner_database_url", "schedule", "gocardless", "trading212", "notify", "enablebanking", "server"]

    /// An unknown top-level key or table, with the known name it is closest to when it looks
    /// like a misspelling (`[gocardles]`).
    static func unknownTopLevel(_ key: String, isTable: Bool) -> ConfigurationProblem {
        let what = isTable ? "unknown table [\(key)]" : "unknown top-level key"
        let close = knownTopLevelKeys.map { ($0, EditDistance.between($0, key)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
        let hint = close.map { "did you mean \(isTable ? "[\($0)]" : $0)?" } ?? "expected one of \(knownTopLevelKeys.joined(separator: ", "))"
        return ConfigurationProblem(key: key, message: "\(what); \(hint)")
    }

    /// Every problem of the file, each named by its key: what was read plus checks of
    /// values and of the environment variables and files named for secrets. (The database
    /// URLs are checked where they are resolved: ``FinsyncSettings``.)
    public func validate() -> [ConfigurationProblem] {
        var problems = readProblems
        do { _ = try CronExpression(schedule.cron) } catch {
            problems.append(.init(key: "schedule.cron", message: "\(error)"))
        }
        if TimeZone(identifier: schedule.timezone) == nil {
            problems.append(.init(key: "schedule.timezone", message: "\"\(schedule.timezone)\" is not an IANA time zone (e.g. Europe/London, UTC)"))
        }
        if !(1...65_535).contains(server.port) { problems.append(.init(key: "server.port", message: "must be between 1 and 65535")) }
        if server.bind.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(.init(key: "server.bind", message: "must be an address to listen on, e.g. 127.0.0.1")) }
        if let g = gocardless {
            if let u = URL(string: g.baseURL), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil {
                if ProviderURLPolicy.isPlainHTTPOffLoopback(u) {
                    problems.append(.init(key: "gocardless.base_url", message: ProviderURLPolicy.plainHTTPProblem(carrying: "secrets")))
                }
            } else {
                problems.append(.init(key: "gocardless.base_url", message: "\"\(g.baseURL)\" is not an http(s) URL"))
            }
            if !(0...90).contains(g.overlapDays) { problems.append(.init(key: "gocardless.overlap_days", message: "must be between 0 and 90")) }
            if !(1...365).contains(g.detailsRefreshDays) { problems.append(.init(key: "gocardless.details_refresh_days", message: "must be between 1 and 365")) }
            problems += secretProblems(name: "secret_id", env: g.secretIDEnv, file: g.secretIDFile)
            problems += secretProblems(name: "secret_key", env: g.secretKeyEnv, file: g.secretKeyFile)
        }
        problems += trading212Problems()
        for (i, e) in enablebanking.enumerated() { problems += e.environmentProblems(index: i) }
        return problems
    }

    /// Per valid `[[trading212]]` entry: plain http off loopback, and secrets that cannot be
    /// read, keyed `trading212[i].api_key_env` (the index in the file).
    private func trading212Problems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        for (n, c) in trading212.enumerated() {
            let prefix = "trading212[\(trading212Index[c.connectionID] ?? n)]"
            if let u = URL(string: c.baseURL), ProviderURLPolicy.isPlainHTTPOffLoopback(u) {
                problems.append(.init(key: "\(prefix).base_url", message: ProviderURLPolicy.plainHTTPProblem(carrying: "the API key")))
            }
            for (key, source) in [("api_key", Optional(c.apiKey)), ("api_secret", c.apiSecret)] {
                switch source {
                case .environment(let v)?:
                    if (environment[v] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        problems.append(.init(key: "\(prefix).\(key)_env", message: "environment variable \(v) is not set or empty"))
                    }
                case .file(let f)?:
                    guard let data = FileManager.default.contents(atPath: f) else { problems.append(.init(key: "\(prefix).\(key)_file", message: "cannot read \(f)")); continue }
                    if String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        problems.append(.init(key: "\(prefix).\(key)_file", message: "\(f) is empty"))
                    }
                case nil: break
                }
            }
        }
        return problems
    }

    private func secretProblems(name: String, env: String?, file: String?) -> [ConfigurationProblem] {
        switch (env, file) {
        case (nil, nil):
            return [.init(key: "gocardless.\(name)_env", message: "set \(name)_env (an environment variable name) or \(name)_file (a file path)")]
        case (_?, _?):
            return [.init(key: "gocardless.\(name)_env", message: "set only one of \(name)_env and \(name)_file")]
        case (let e?, nil):
            if (environment[e] ?? "").isEmpty { return [.init(key: "gocardless.\(name)_env", message: "environment variable \(e) is not set or empty")] }
        case (nil, let f?):
            guard let data = FileManager.default.contents(atPath: f) else { return [.init(key: "gocardless.\(name)_file", message: "cannot read \(f)")] }
            if String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return [.init(key: "gocardless.\(name)_file", message: "\(f) is empty")]
            }
        }
        return []
    }

    /// The GoCardless secrets, read from the environment variables or files the file names.
    public func gocardlessCredentials() throws -> GoCardlessCredentials {
        guard let g = gocardless else { throw ConfigurationError(path: path, problems: [.init(key: "gocardless", message: "no [gocardless] table")]) }
        func read(_ name: String, _ env: String?, _ file: String?) throws -> String {
            if let env, let v = environment[env], !v.isEmpty { return v.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let file, let d = FileManager.default.contents(atPath: file) {
                let v = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if !v.isEmpty { return v }
            }
            throw ConfigurationError(path: path, problems: secretProblems(name: name, env: env, file: file))
        }
        return GoCardlessCredentials(secretID: try read("secret_id", g.secretIDEnv, g.secretIDFile), secretKey: try read("secret_key", g.secretKeyEnv, g.secretKeyFile))
    }

    public var cronExpression: CronExpression { (try? CronExpression(schedule.cron)) ?? .daily }
    public var timeZone: TimeZone { TimeZone(identifier: schedule.timezone) ?? TimeZone(identifier: "UTC")! }
}
