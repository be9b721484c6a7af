import CanonicalJSON
import Postgres

extension ProjectedEvent {
    /// A required top-level string field of the payload.
    public func string(_ key: String) throws -> String {
        guard let s = json[key]?.string, !s.isEmpty else { throw ProjectionError.malformed(self, "\(key) is missing or not a string") }
        return s
    }

    /// A required string field of the payload, by path.
    public func string(_ path: String...) throws -> String {
        var v: JSONValue? = json
        for p in path { v = v?[p] }
        guard let s = v?.string, !s.isEmpty else { throw ProjectionError.malformed(self, "\(path.joined(separator: ".")) is missing or not a string") }
        return s
    }
}

/// Provider timestamp strings as PostgreSQL `timestamptz` text. Zone-less values (some
/// banks send them) are taken as UTC; anything unparseable becomes NULL.
enum ProviderTimestamp {
    static func text(_ v: JSONValue?) -> String? {
        guard let s = v?.string, s.utf8.count >= 10, GoCardlessTransaction.date(v) != nil else { return nil }
        if s.utf8.count == 10 { return s }
        let time = s.dropFirst(10)
        if time.hasSuffix("Z") || time.contains("+") || time.dropFirst(1).contains("-") { return s }
        return s + "Z"
    }
}

extension JSONValue {
    /// A non-blank string, or nil.
    var nonBlank: String? { GoCardlessTransaction.nonBlank(string) }

    /// A `text[]` literal of the array's strings.
    var textArrayLiteral: String? {
        guard let a = array else { return nil }
        return "{" + a.compactMap(\.string).map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    var intText: String? { int.map(String.init) }
}
