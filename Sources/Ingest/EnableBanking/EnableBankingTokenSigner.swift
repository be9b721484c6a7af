import _CryptoExtras
import Crypto
import Foundation

/// Signs the JWT every Enable Banking request carries (there is no token endpoint): RS256
/// (RSASSA-PKCS1-v1_5 with SHA-256, swift-crypto's `_RSA`), header
/// `{"typ":"JWT","alg":"RS256","kid":<application id>}`, claims `iss` `enablebanking.com`,
/// `aud` `api.enablebanking.com`, `iat` now and `exp` one hour later.
///
/// A token is reused until ``renewBefore`` of its end, so a sync signs about once an hour.
/// The private key and the tokens are secrets: ``secrets()`` lists the current token so
/// clients can redact it; errors name the key file, never its content.
public actor EnableBankingTokenSigner {
    public static let issuer = "enablebanking.com"
    public static let audience = "api.enablebanking.com"

    public nonisolated let applicationID: String
    private let key: _RSA.Signing.PrivateKey
    /// How long a token is valid (the vendor samples, Actual and Firefly all use one hour;
    /// the API refuses more than 24 hours).
    public nonisolated let lifetime: TimeInterval
    /// A token is replaced once less than this is left of it.
    public nonisolated let renewBefore: TimeInterval
    private var current: (token: String, expiresAt: Date)?
    private var signed = 0

    /// - Throws: ``ConfigurationProblem`` when `pem` is not an RSA private key of at least 2048 bits.
    public init(applicationID: String, privateKeyPEM pem: String, keyDescription: String = "the private key",
                lifetime: TimeInterval = 3600, renewBefore: TimeInterval = 300) throws {
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw ConfigurationProblem(key: "private_key_file",
                                                  message: "\(keyDescription) is not an RSA private key (PEM, at least 2048 bits) as downloaded from the Enable Banking control panel")
        }
        self.applicationID = applicationID
        self.lifetime = lifetime
        self.renewBefore = renewBefore
    }

    /// The token to send at `now`: the current one while more than ``renewBefore`` of it is left, else a new one.
    public func token(now: Date) throws -> String {
        if let current, current.expiresAt.timeIntervalSince(now) > renewBefore { return current.token }
        let iat = Int(now.timeIntervalSince1970.rounded(.down))
        let exp = iat + Int(lifetime)
        let header = #"{"alg":"RS256","kid":"\#(Self.escape(applicationID))","typ":"JWT"}"#
        let claims = #"{"aud":"\#(Self.audience)","exp":\#(exp),"iat":\#(iat),"iss":"\#(Self.issuer)"}"#
        let input = Self.base64URL(Array(header.utf8)) + "." + Self.base64URL(Array(claims.utf8))
        let signature = try key.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5)
        let token = input + "." + Self.base64URL(Array(signature.rawRepresentation))
        current = (token, Date(timeIntervalSince1970: TimeInterval(exp)))
        signed += 1
        return token
    }

    /// Forgets the current token (after the API refused it), so the next call signs a new one.
    public func invalidate() { current = nil }

    /// How many tokens were signed so far (reuse is observable in tests).
    public func signedCount() -> Int { signed }

    /// The current token, if any: a secret to redact from whatever a provider answers.
    public func secrets() -> [String] { current.map { [$0.token] } ?? [] }

    /// Base64url without padding (RFC 7515).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
