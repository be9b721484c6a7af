import Foundation

/// Remembers which history lists of a connection were walked to their end at least once.
///
/// Incremental runs stop at the first stored item only for lists marked complete: items
/// come newest first, so after an interrupted first run the stored items are the newest
/// ones and stopping at them would never fetch the older pages.
public protocol Trading212HistoryProgress: Sendable {
    func isComplete(connection: String, list: String) async throws -> Bool
    func markComplete(connection: String, list: String, at: Date) async throws
}
