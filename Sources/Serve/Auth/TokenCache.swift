import Foundation
import Synchronization

/// Checked tokens remembered for a few seconds, so a client polling the API costs one
/// database look-up per token per ``ttl`` rather than one per request. A revoked token
/// therefore keeps working for at most ``ttl``.
final class TokenCache: Sendable {
    let ttl: TimeInterval
    private let entries = Mutex<[String: (scope: TokenScope?, until: Date)]>([:])

    init(ttl: TimeInterval = 5) { self.ttl = ttl }

    /// `.some(scope)` when known (nil scope: known to be refused), nil when not cached.
    func lookup(_ token: String, now: Date = Date()) -> TokenScope?? {
        entries.withLock { e in
            guard let hit = e[token], hit.until > now else { return nil }
            return .some(hit.scope)
        }
    }

    func store(_ token: String, scope: TokenScope?, now: Date = Date()) {
        entries.withLock { e in
            if e.count > 10_000 { e = e.filter { $0.value.until > now } }
            if e.count > 10_000 { e.removeAll() }  // a flood of made-up tokens: start afresh
            e[token] = (scope, now.addingTimeInterval(ttl))
        }
    }
}
