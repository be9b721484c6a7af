import Foundation
import Postgres

/// Incremental-sync cursors kept between runs (e.g. an account's last booked date).
///
/// A cursor is only advanced after the events it covers were appended, so a run killed in
/// between re-fetches a little (content keys drop the repeats) and never skips.
public protocol CursorBook: Sendable {
    func value(provider: String, subject: String, name: String) async throws -> String?
    func set(_ value: String, provider: String, subject: String, name: String) async throws
}
