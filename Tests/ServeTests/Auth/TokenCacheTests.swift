import Foundation
@testable import Serve
import Synchronization
import Testing

/// ``TokenCache``: one check per token at a time, remembered for its time to live.
@Suite struct TokenCacheTests {
    /// Counts the checks and holds each until released.
    final class Checks: Sendable {
        let count = Atomic<Int>(0)
        let gate: AsyncStream<Void>
        let release: AsyncStream<Void>.Continuation

        init() { (gate, release) = AsyncStream.makeStream() }

        func check(_ answer: TokenScope?) async throws -> TokenScope? {
            count.wrappingAdd(1, ordering: .relaxed)
            for await _ in gate { break }
            return answer
        }
    }

    @Test func requestsArrivingDuringACheckWaitForItInsteadOfCheckingAgain() async throws {
        let cache = TokenCache(ttl: 60), checks = Checks()
        let scopes = try await withThrowingTaskGroup(of: TokenScope?.self) { group in
            for _ in 0..<16 { group.addTask { try await cache.scope(of: "fst_a") { try await checks.check(.write) } } }
            // Every other request has joined the one check under way before it is let go.
            while cache.waiting(for: "fst_a") < 15 { await Task.yield() }
            checks.release.yield()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(scopes.count == 16 && scopes.allSatisfy { $0 == .write })
        #expect(checks.count.load(ordering: .relaxed) == 1)
        // Remembered: no further check within the time to live, a refused token included.
        #expect(try await cache.scope(of: "fst_a") { Issue.record("checked again"); return nil } == .write)
    }

    @Test func aCheckExpiresAndAFailedCheckIsNotRemembered() async throws {
        let cache = TokenCache(ttl: 60)
        struct Down: Error {}
        await #expect(throws: Down.self) { try await cache.scope(of: "fst_b") { throw Down() } }
        #expect(try await cache.scope(of: "fst_b") { nil } == nil)
        #expect(try await cache.scope(of: "fst_b", now: Date().addingTimeInterval(120)) { .read } == .read, "checked again once expired")
    }
}
