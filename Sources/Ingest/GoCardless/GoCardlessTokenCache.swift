import CanonicalJSON
import Foundation

/// The access/refresh token pair of one process, reused across requests.
///
/// `/token/new/` allows ~100 calls an hour, so a token is minted once, refreshed with
/// `/token/refresh/` before it expires, and re-minted only when the refresh token is gone
/// or refused. Concurrent callers share one in-flight request.
actor GoCardlessTokenCache {
    struct Token: Sendable {
        var value: String
        var expiresAt: Date
    }

    private var access: Token?
    private var refresh: Token?
    private var inFlight: Task<String, any Error>?
    /// Counts for tests and diagnostics.
    private(set) var minted = 0
    private(set) var refreshed = 0

    /// A valid access token, obtained with `mint` / `renew` when needed.
    func accessToken(now: Date, mint: @escaping @Sendable () async throws -> (access: Token, refresh: Token),
                     renew: @escaping @Sendable (String) async throws -> Token) async throws -> String {
        if let access, access.expiresAt.timeIntervalSince(now) > 60 { return access.value }
        if let inFlight { return try await inFlight.value }
        let refreshToken = refresh.flatMap { $0.expiresAt.timeIntervalSince(now) > 60 ? $0.value : nil }
        let task = Task<String, any Error> {
            if let refreshToken, let renewed = try? await renew(refreshToken) {
                self.store(access: renewed, refresh: nil, minted: false)
                return renewed.value
            }
            let pair = try await mint()
            self.store(access: pair.access, refresh: pair.refresh, minted: true)
            return pair.access.value
        }
        inFlight = task
        defer { inFlight = nil }
        return try await task.value
    }

    private func store(access: Token, refresh: Token?, minted: Bool) {
        self.access = access
        if let refresh { self.refresh = refresh }
        if minted { self.minted += 1 } else { self.refreshed += 1 }
    }

    /// Forgets `token` after the server refused it (401 "Invalid token").
    func invalidate(_ token: String) {
        if access?.value == token { access = nil }
    }

    func counts() -> (minted: Int, refreshed: Int) { (minted, refreshed) }

    /// The `exp` claim of a JWT, if it is one.
    static func expiry(ofJWT jwt: String) -> Date? {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var b64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let claims = try? JSONValue.parse(Array(data)), let exp = claims["exp"]?.decimal else { return nil }
        return Date(timeIntervalSince1970: NSDecimalNumber(decimal: exp).doubleValue)
    }
}
