import CanonicalJSON
import Foundation

/// Where the (large, slowly changing) instrument list is kept between runs.
public protocol Trading212InstrumentCache: Sendable {
    /// The cached list for `baseURL` if fetched at or after `notBefore`.
    func load(baseURL: String, notBefore: Date) async throws -> JSONValue?
    /// Replaces the cached list for `baseURL`.
    func store(baseURL: String, instruments: JSONValue, fetchedAt: Date) async throws
}
