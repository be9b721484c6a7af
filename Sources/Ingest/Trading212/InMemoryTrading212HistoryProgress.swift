import Foundation

/// A per-process record (dry runs, tests).
public actor InMemoryTrading212HistoryProgress: Trading212HistoryProgress {
    private var complete: Set<String> = []

    public init() {}

    public func isComplete(connection: String, list: String) async throws -> Bool { complete.contains("\(connection)/\(list)") }

    public func markComplete(connection: String, list: String, at: Date) async throws { complete.insert("\(connection)/\(list)") }
}
