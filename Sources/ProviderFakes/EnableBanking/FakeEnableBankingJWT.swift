import _CryptoExtras
import CanonicalJSON
import Crypto
import Foundation

/// How the fake checks a request's JWT, as Enable Banking does: RS256 signed with the key
/// whose public half is registered for the `kid`, `iss` `enablebanking.com`, `aud`
/// `api.enablebanking.com`, `exp` in the future and at most 24 hours ahead.
struct FakeEnableBankingJWT {
    let applicationID: String
    let publicKey: _RSA.Signing.PublicKey

    /// Why `authorization` is refused, or nil when it is accepted.
    func problem(_ authorization: String?, now: Date) -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return "no bearer token" }
        let parts = authorization.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), let claims = Self.json(parts[1]), let signature = Self.bytes(parts[2]) else { return "not a JWT" }
        guard header["alg"]?.string == "RS256" else { return "alg is not RS256" }
        guard header["kid"]?.string == applicationID else { return "unknown kid" }
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        guard publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5) else { return "bad signature" }
        guard claims["iss"]?.string == "enablebanking.com" else { return "wrong iss" }
        guard claims["aud"]?.string == "api.enablebanking.com" else { return "wrong aud" }
        guard let exp = claims["exp"]?.int, claims["iat"]?.int != nil else { return "no exp/iat" }
        let left = TimeInterval(exp) - now.timeIntervalSince1970
        guard left > 0 else { return "expired" }
        guard left <= 86_400 else { return "exp more than 24 hours ahead" }
        return nil
    }

    static func bytes(_ s: Substring) -> [UInt8]? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t).map { Array($0) }
    }

    static func json(_ s: Substring) -> JSONValue? { bytes(s).flatMap { try? JSONValue.parse($0) } }
}
