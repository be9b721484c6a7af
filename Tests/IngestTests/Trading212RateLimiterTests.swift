import Foundation
@testable import Ingest
import Testing

/// No reported Trading212 window can hold a sync for longer than the longest documented one.
@Suite("Trading212RateLimiter")
struct Trading212RateLimiterTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func limiter(resetIn seconds: TimeInterval) async -> Trading212RateLimiter {
        let l = Trading212RateLimiter()
        await l.update(endpoint: "/api/v0/equity/history/orders", headers: [
            ("x-ratelimit-limit", "6"), ("x-ratelimit-period", "60"), ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", String(Int(now.timeIntervalSince1970 + seconds))),
        ])
        return l
    }

    @Test func anExhaustedWindowIsWaitedOutUntilItsReset() async {
        let l = await limiter(resetIn: 20)
        #expect(await l.earliestStart(for: "/api/v0/equity/history/orders", now: now) == now.addingTimeInterval(20))
    }

    @Test func aResetBeyondTheLongestWindowIsCappedToIt() async {
        let l = await limiter(resetIn: 10 * 365 * 86_400)
        let cap = now.addingTimeInterval(Trading212RateLimiter.longestWindow)
        #expect(await l.earliestStart(for: "/api/v0/equity/history/orders", now: now) == cap)
        #expect(await l.reset(for: "/api/v0/equity/history/orders", now: now) == cap)
    }
}
