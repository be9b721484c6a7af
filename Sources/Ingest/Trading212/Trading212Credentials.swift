import Foundation

/// A Trading212 API key and optional secret. Printing it never shows either.
public struct Trading212Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var apiKey: String
    public var apiSecret: String?

    public init(apiKey: String, apiSecret: String? = nil) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    /// `Basic base64(key:secret)` when a secret is configured (the current scheme), else
    /// the bare key (the legacy scheme; no `Bearer`).
    public var authorizationHeader: String {
        guard let apiSecret else { return apiKey }
        return "Basic " + Data("\(apiKey):\(apiSecret)".utf8).base64EncodedString()
    }

    /// The values a ``SecretRedactor`` must remove: the key, the secret and the header built from them.
    public var secretValues: [String] { [apiKey, apiSecret, apiSecret == nil ? nil : authorizationHeader].compactMap { $0 } }

    public var description: String { apiSecret == nil ? "Trading212Credentials(key: <redacted>)" : "Trading212Credentials(key: <redacted>, secret: <redacted>)" }
    public var debugDescription: String { description }
}
