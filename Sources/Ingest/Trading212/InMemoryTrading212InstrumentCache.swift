import CanonicalJSON
import Foundation

/// A per-process cache (dry runs, tests).
public actor InMemoryTrading212InstrumentCache: Trading212InstrumentCache {
    private var entries: [String: (Date, JSONValue)] = [:]

    public init() {}

    public func load(baseURL: String, notBefore: Date) async throws -> JSONValue? {
        guard let (at, v) = entries[baseURL], at >= notBefore else { return nil }
        return v
    }

    public func store(baseURL: String, instruments: JSONValue, fetchedAt: Date) async throws {
        entries[baseURL] = (fetchedAt, instruments)
    }
}
