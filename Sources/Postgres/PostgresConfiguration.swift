import Foundation

/// Where and how to connect: a `postgresql://` URI or a libpq conninfo string.
///
/// An empty string leaves everything to libpq's own `PG*` environment variables (`PGHOST`,
/// `PGPORT`, `PGDATABASE`, …) and defaults. Which string a command uses is decided once,
/// by `FinsyncSettings` (module Ingest): this type does not read the environment.
public struct PostgresConfiguration: Sendable, Hashable {
    /// The conninfo or URI handed to libpq.
    public var connectionString: String

    public init(_ connectionString: String) {
        self.connectionString = connectionString
    }

    /// The same target as a URI or conninfo, with any password replaced by `***`,
    /// for logs and error messages.
    public var redacted: String {
        var s = connectionString
        // URI form: scheme://user:password@host
        if let schemeEnd = s.range(of: "://"), let at = s.range(of: "@", range: schemeEnd.upperBound..<s.endIndex) {
            let userInfo = s[schemeEnd.upperBound..<at.lowerBound]
            if let colon = userInfo.firstIndex(of: ":") {
                s.replaceSubrange(s.index(after: colon)..<at.lowerBound, with: "***")
            }
        }
        // password=... in a query string or conninfo
        if let r = s.range(of: #"password=[^&\s]*"#, options: .regularExpression) {
            s.replaceSubrange(r, with: "password=***")
        }
        return s
    }
}
