import Foundation
import Postgres

/// A point of the log: a position, or everything recorded at or before a time.
public enum ReplayPoint: Sendable, Hashable, CustomStringConvertible {
    case position(Int64)
    case recordedAtOrBefore(Date)

    /// Parses `12345` as a position, anything else as an ISO-8601 timestamp
    /// (`2024-03-03`, `2024-03-03T12:00:00Z`, `2024-03-03 12:00:00+01`).
    public init(parsing text: String) throws {
        if let p = Int64(text), p >= 0 { self = .position(p); return }
        let t = text.count == 10 ? text + "T23:59:59.999999Z" : text
        guard let d = PostgresTimestamp.parse(t) else {
            throw ReplayError(code: .invalidPoint, message: "\(text) is neither a position nor an ISO-8601 timestamp (e.g. 2024-03-03T12:00:00Z)")
        }
        self = .recordedAtOrBefore(d)
    }

    /// The position this point stands for (clamped to the head for positions beyond it is an error).
    public func resolve(session s: PostgresSession) throws -> Int64 {
        let head = try s.query("SELECT last_position FROM eventlog.head")[0].int64(0) ?? 0
        switch self {
        case .position(let p):
            guard p <= head else { throw ReplayError(code: .invalidPoint, message: "position \(p) is beyond the head of the log (\(head))") }
            return p
        case .recordedAtOrBefore(let d):
            return try s.query("SELECT coalesce(max(position), 0) FROM eventlog.events WHERE recorded_at <= $1", [PostgresParameter(d)])[0].int64(0) ?? 0
        }
    }

    public var description: String {
        switch self {
        case .position(let p): return "position \(p)"
        case .recordedAtOrBefore(let d): return "recorded at or before \(PostgresTimestamp.iso8601(d))"
        }
    }
}
