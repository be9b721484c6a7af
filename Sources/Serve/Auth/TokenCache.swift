import Foundation
import Synchronization

/// Checked tokens remembered for a few seconds, so a client polling the API costs one
/// database look-up per token per ``ttl`` rather than one per request. A revoked token
/// therefore keeps working for at most ``ttl``.
///
/// One check per token at a time: when an entry expires under load, the requests that find
/// it expired wait for the one check already under way instead of each running their own —
/// sixteen concurrent requests used to send sixteen `UPDATE`s of the same token row, which
/// queue on its row lock and commit (and flush) one after another.
final class TokenCache: Sendable {
    let ttl: TimeInterval

    private enum Entry {
        /// The scope (nil: known to be refused) and until when it holds.
        case known(TokenScope?, until: Date)
        /// A check under way, and how many requests wait for it besides the one that started it.
        case checking(Task<TokenScope?, any Error>, joined: Int)
    }

    private let entries = Mutex<[String: Entry]>([:])

    init(ttl: TimeInterval = 5) { self.ttl = ttl }

    /// The scope of `token` (nil: unknown or revoked): remembered, else from the check under
    /// way, else from `check` (whose error is passed on to every request waiting for it, and
    /// remembers nothing).
    func scope(of token: String, now: Date = Date(), check: @escaping @Sendable () async throws -> TokenScope?) async throws -> TokenScope? {
        enum Step { case done(TokenScope?), wait(Task<TokenScope?, any Error>), start(Task<TokenScope?, any Error>) }
        let step: Step = entries.withLock { e in
            switch e[token] {
            case .known(let scope, let until)? where until > now:
                return .done(scope)
            case .checking(let task, let joined)?:
                e[token] = .checking(task, joined: joined + 1)
                return .wait(task)
            default:
                if e.count > 10_000 { e = e.filter { if case .known(_, let until) = $0.value { until > now } else { true } } }
                if e.count > 10_000 { e.removeAll() }  // a flood of made-up tokens: start afresh
                let task = Task { try await check() }
                e[token] = .checking(task, joined: 0)
                return .start(task)
            }
        }
        switch step {
        case .done(let scope):
            return scope
        case .wait(let task):
            return try await task.value
        case .start(let task):
            do {
                let scope = try await task.value
                entries.withLock { $0[token] = .known(scope, until: now.addingTimeInterval(ttl)) }
                return scope
            } catch {
                entries.withLock { _ = $0.removeValue(forKey: token) }
                throw error
            }
        }
    }

    /// How many requests wait for the check of `token` under way besides the one that started
    /// it (0 when none is under way).
    func waiting(for token: String) -> Int {
        entries.withLock { e in
            if case .checking(_, let joined)? = e[token] { return joined }
            return 0
        }
    }
}
