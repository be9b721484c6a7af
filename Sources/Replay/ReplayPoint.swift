import Foundation
import Postgres

/// A point of the log: a position, or everything recorded at or before a time.
public enum ReplayPoint: Sendable, Hashable, CustomStringConvertible {
    case position(Int64)
    case recordedAtOrBefore(Date)

    /// Parses digits as a position, anything else as an ISO-8601 timestamp (`2024-03-03`
    /// meaning the end of that day, `2024-03-03T12:00:00Z`, `2024-03-03 12:00:00+01`);
    /// refuses a position beyond Int64 and a date or time out of range (`2026-13-45`),
    /// saying what is accepted.
    public init(parsing text: String) throws {
        let accepted = "a log position (0 to \(Int64.max)) or an ISO-8601 time such as \(PostgresTimestamp.acceptedInputForms)"
        if !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) {
            guard let p = Int64(text) else { throw ReplayError(code: .invalidPoint, message: "\(text) is too large for a log position; give \(accepted)") }
            self = .position(p)
            return
        }
        let t = text.count == 10 ? text + "T23:59:59.999999Z" : text
        guard let d = PostgresTimestamp.parseStrict(t) else {
            throw ReplayError(code: .invalidPoint, message: "\(text) is neither a log position nor a valid ISO-8601 time; give \(accepted)")
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
