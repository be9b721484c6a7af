import Foundation
import TOMLKit

/// One Trading212 connection: one API key, so one account (an ISA and an Invest account
/// are two connections).
///
/// ```toml
/// [[trading212]]
/// name = "ISA"
/// base_url = "https://live.trading212.com"
/// api_key_env = "T212_ISA_KEY"          # or api_key_file = "/run/secrets/t212_isa_key"
/// api_secret_env = "T212_ISA_SECRET"    # optional (or api_secret_file): HTTP Basic when present
/// ```
///
/// The file names where the secrets are, never the secrets; ``credentials(environment:)``
/// reads them when a run starts.
public struct Trading212Configuration: Sendable, Equatable {
    /// Where a secret comes from.
    public enum SecretSource: Sendable, Equatable {
        case environment(String)
        case file(String)
    }

    public static let liveBaseURL = "https://live.trading212.com"
    public static let demoBaseURL = "https://demo.trading212.com"

    /// The connection's name as configured (`ISA`); streams use ``connectionID``.
    public var name: String
    /// Host of the API, without `/api/v0` (a trailing `/api/v0` is accepted and removed).
    public var baseURL: String
    public var apiKey: SecretSource
    public var apiSecret: SecretSource?

    public init(name: String, baseURL: String = Trading212Configuration.liveBaseURL, apiKey: SecretSource, apiSecret: SecretSource? = nil) {
        self.name = name
        self.baseURL = Self.normalise(baseURL)
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    /// The lower-cased name used in stream ids (`trading212/<conn>/…`).
    public var connectionID: String { name.lowercased() }

    static func normalise(_ url: String) -> String {
        var u = url.trimmingCharacters(in: .whitespaces)
        while u.hasSuffix("/") { u.removeLast() }
        if u.hasSuffix("/api/v0") { u.removeLast("/api/v0".count) }
        return u
    }

    // MARK: Parsing

    /// Every `[[trading212]]` table that is valid (with its index in the file), and every
    /// problem found, each naming its key (`trading212[1].api_key_env`): one per invalid
    /// table (its first bad key) and one per repeated name. `finsync config check` reports
    /// them all at once.
    public static func parseCollectingProblems(from root: TOMLTable) -> (configurations: [Trading212Configuration], indexes: [String: Int], problems: [Trading212ConfigurationError]) {
        guard let value = root["trading212"] else { return ([], [:], []) }
        guard let array = value.array else {
            return ([], [:], [Trading212ConfigurationError(code: .invalidValue, key: "trading212", message: "must be an array of tables: write each connection as [[trading212]]")])
        }
        var out: [Trading212Configuration] = [], indexes: [String: Int] = [:], problems: [Trading212ConfigurationError] = []
        var names = Set<String>()
        for (i, element) in array.enumerated() {
            guard let t = element.table else {
                problems.append(Trading212ConfigurationError(code: .invalidValue, key: "trading212[\(i)]", message: "must be a table with name, base_url and api_key_env"))
                continue
            }
            var fields: [String: String] = [:], typed = true
            for key in t.keys.sorted() {
                guard let s = t[key]?.string else {
                    problems.append(Trading212ConfigurationError(code: .invalidValue, key: "trading212[\(i)].\(key)", message: "must be a string"))
                    typed = false
                    continue
                }
                fields[key] = s
            }
            // Names are checked first, valid table or not, so a repeated name is always reported.
            if let name = fields["name"], !name.isEmpty, !names.insert(name.lowercased()).inserted {
                problems.append(Trading212ConfigurationError(code: .duplicateName, key: "trading212[\(i)].name", message: "connection name \"\(name)\" is used twice (names are compared case-insensitively)"))
                continue
            }
            guard typed else { continue }
            do {
                let c = try parse(table: fields, keyPrefix: "trading212[\(i)]")
                indexes[c.connectionID] = i
                out.append(c)
            } catch let e as Trading212ConfigurationError {
                problems.append(e)
            } catch {
                problems.append(Trading212ConfigurationError(code: .invalidValue, key: "trading212[\(i)]", message: "\(error)"))
            }
        }
        return (out, indexes, problems)
    }

    /// Every `[[trading212]]` table of a parsed config file (none → empty).
    /// - Throws: ``Trading212ConfigurationError`` naming the first bad key.
    public static func parseAll(from root: TOMLTable) throws -> [Trading212Configuration] {
        guard let value = root["trading212"] else { return [] }
        guard let array = value.array else {
            throw Trading212ConfigurationError(code: .invalidValue, key: "trading212", message: "must be an array of tables: write each connection as [[trading212]]")
        }
        var tables: [[String: String]] = []
        for (i, element) in array.enumerated() {
            guard let t = element.table else {
                throw Trading212ConfigurationError(code: .invalidValue, key: "trading212[\(i)]", message: "must be a table with name, base_url and api_key_env")
            }
            var fields: [String: String] = [:]
            for key in t.keys {
                guard let s = t[key]?.string else {
                    throw Trading212ConfigurationError(code: .invalidValue, key: "trading212[\(i)].\(key)", message: "must be a string")
                }
                fields[key] = s
            }
            tables.append(fields)
        }
        return try parseAll(tables: tables)
    }

    /// The same validation from already-decoded string tables (one per connection).
    public static func parseAll(tables: [[String: String]]) throws -> [Trading212Configuration] {
        var out: [Trading212Configuration] = []
        var names = Set<String>()
        for (i, t) in tables.enumerated() {
            let c = try parse(table: t, keyPrefix: "trading212[\(i)]")
            guard names.insert(c.connectionID).inserted else {
                throw Trading212ConfigurationError(code: .duplicateName, key: "trading212[\(i)].name", message: "connection name \"\(c.name)\" is used twice (names are compared case-insensitively)")
            }
            out.append(c)
        }
        return out
    }

    static let knownKeys: Set<String> = ["name", "base_url", "api_key_env", "api_key_file", "api_secret_env", "api_secret_file"]

    /// Validates one table. `keyPrefix` is how errors name it (`trading212[0]`).
    public static func parse(table t: [String: String], keyPrefix: String) throws -> Trading212Configuration {
        func fail(_ key: String, _ code: Trading212ConfigurationError.Code, _ message: String) -> Trading212ConfigurationError {
            Trading212ConfigurationError(code: code, key: "\(keyPrefix).\(key)", message: message)
        }
        if let unknown = t.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            if ["api_key", "api_secret", "key", "secret"].contains(unknown) {
                throw fail(unknown, .invalidValue, "secrets must not be in the file; name an environment variable (\(unknown)_env) or a file (\(unknown)_file) instead")
            }
            throw fail(unknown, .invalidValue, "unknown key; expected one of \(knownKeys.sorted().joined(separator: ", "))")
        }
        guard let name = t["name"], !name.isEmpty else { throw fail("name", .missingKey, "every [[trading212]] connection needs a name, e.g. name = \"ISA\"") }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw fail("name", .invalidValue, "\"\(name)\" may only contain letters, digits, '-' and '_' (it becomes part of stream ids)")
        }
        let base = t["base_url"] ?? liveBaseURL
        guard let url = URL(string: normalise(base)), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw fail("base_url", .invalidValue, "\"\(base)\" is not an http(s) URL; use \(liveBaseURL) or \(demoBaseURL)")
        }
        guard let key = try secret(t, env: "api_key_env", file: "api_key_file", required: true, fail: fail) else {
            throw fail("api_key_env", .missingKey, "say where the API key is: api_key_env or api_key_file")
        }
        let secret = try secret(t, env: "api_secret_env", file: "api_secret_file", required: false, fail: fail)
        return Trading212Configuration(name: name, baseURL: base, apiKey: key, apiSecret: secret)
    }

    private static func secret(_ t: [String: String], env: String, file: String, required: Bool,
                               fail: (String, Trading212ConfigurationError.Code, String) -> Trading212ConfigurationError) throws -> SecretSource? {
        switch (t[env], t[file]) {
        case (let e?, nil):
            guard !e.isEmpty else { throw fail(env, .invalidValue, "names no environment variable") }
            return .environment(e)
        case (nil, let f?):
            guard !f.isEmpty else { throw fail(file, .invalidValue, "names no file") }
            return .file(f)
        case (_?, _?): throw fail(env, .invalidValue, "set either \(env) or \(file), not both")
        case (nil, nil):
            if required { throw fail(env, .missingKey, "say where the API key is: \(env) = \"T212_ISA_KEY\" (an environment variable) or \(file)") }
            return nil
        }
    }

    // MARK: Secrets

    /// Reads the key (and secret) from where the configuration says.
    /// - Throws: ``Trading212ConfigurationError`` `.missingSecret` naming the variable or file, never its value.
    public func credentials(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Trading212Credentials {
        let key = try Self.read(apiKey, environment: environment, keyName: "api_key", connection: name)
        let secret = try apiSecret.map { try Self.read($0, environment: environment, keyName: "api_secret", connection: name) }
        return Trading212Credentials(apiKey: key, apiSecret: secret)
    }

    static func read(_ source: SecretSource, environment: [String: String], keyName: String, connection: String) throws -> String {
        switch source {
        case .environment(let variable):
            guard let v = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
                throw Trading212ConfigurationError(code: .missingSecret, key: "trading212.\(connection).\(keyName)_env", message: "environment variable \(variable) is not set or empty")
            }
            return v
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path),
                  let v = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
                throw Trading212ConfigurationError(code: .missingSecret, key: "trading212.\(connection).\(keyName)_file", message: "cannot read a non-empty secret from \(path)")
            }
            return v
        }
    }
}
