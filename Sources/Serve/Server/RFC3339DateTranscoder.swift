import Foundation
import OpenAPIRuntime
import Postgres

/// The API's `date-time` values: RFC 3339 in UTC with microseconds (`2026-11-30T21:04:05.123456Z`),
/// as PostgreSQL keeps them.
///
/// Formatting goes through ``PostgresTimestamp/iso8601(_:)``, the hand-written formatter the
/// projections use, rather than the runtime's default `ISO8601DateFormatter`: that one
/// formats through ICU under a lock shared by every request, and a transactions page has a
/// date on every row. Parsing accepts what ``PostgresTimestamp/parseStrict(_:)`` accepts.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) -> String { PostgresTimestamp.iso8601(date) }

    func decode(_ text: String) throws -> Date {
        guard let date = PostgresTimestamp.parseStrict(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(text.prefix(40)) is not a date-time; expected e.g. \(PostgresTimestamp.acceptedInputForms)"))
        }
        return date
    }
}
