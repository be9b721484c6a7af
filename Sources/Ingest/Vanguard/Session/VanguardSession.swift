import CanonicalJSON
import Crypto
import Foundation
import Projections

/// A logged-in Vanguard UK Investor session, handed over as a JSON file
/// (`finsync connect vanguard --session FILE`). Login needs a browser and an SMS code,
/// so the person logs in themselves and exports what finsync needs:
///
/// ```json
/// {
///   "version": 1,
///   "base_url": "https://secure.vanguardinvestor.co.uk",
///   "account_id": "1234567",
///   "anti_forgery_token": "CfDJ8…",
///   "cookies": [{"name": ".AspNetCore.Session", "value": "…", "domain": "secure.vanguardinvestor.co.uk", "path": "/"}],
///   "sub_accounts": [
///     {"hierarchy_id": "1234567-ISA01", "name": "Stocks & Shares ISA", "wrapper": "ISA"},
///     {"hierarchy_id": "1234567-GIA01", "name": "General Account"}
///   ]
/// }
/// ```
///
/// - `base_url` is optional (default ``defaultBaseURL``).
/// - `anti_forgery_token` may be left out when a cookie named `XSRF-TOKEN` is present (its
///   value is used), so a Playwright `storageState` with `account_id` and `sub_accounts`
///   added works as is.
/// - `wrapper` is optional: ISA, GIA, SIPP, JISA, derived from the name when absent.
///
/// The file holds credentials: finsync keeps only its path and SHA-256, never copies it
/// into events, logs or errors, and ``description`` redacts it.
public struct VanguardSession: Sendable, CustomStringConvertible {
    public struct SubAccount: Sendable, Equatable {
        public var hierarchyID: String
        public var name: String
        /// `ISA`, `GIA`, `SIPP`, `JISA` or `UNKNOWN`.
        public var wrapper: String
    }

    public static let defaultBaseURL = "https://secure.vanguardinvestor.co.uk"

    public var baseURL: String
    public var accountID: String
    var cookies: [(name: String, value: String)]
    var antiForgeryToken: String
    public var subAccounts: [SubAccount]
    /// SHA-256 (hex) of the file's bytes: which session this is, without keeping it.
    public var fingerprint: String

    public var description: String { "VanguardSession(account: \(accountID), sub-accounts: \(subAccounts.count), cookies: <redacted>, token: <redacted>)" }

    /// Reads and validates a session file.
    public static func load(path: String) throws -> VanguardSession {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VanguardError(code: .invalidSession, connection: nil, endpoint: nil, status: nil, message: "cannot read the session file \(path)")
        }
        return try parse(Array(data))
    }

    /// Parses session JSON (see the type's documentation for the shape).
    public static func parse(_ bytes: [UInt8]) throws -> VanguardSession {
        func invalid(_ m: String) -> VanguardError { VanguardError(code: .invalidSession, connection: nil, endpoint: nil, status: nil, message: m) }
        guard let json = try? JSONValue.parse(bytes), json.object != nil else { throw invalid("the session file is not a JSON object") }
        guard let account = json["account_id"]?.string ?? json["account_id"]?.numberText, !account.isEmpty else {
            throw invalid("account_id is missing: the number in https://secure.vanguardinvestor.co.uk/en-GB/Customer/Home/<account_id>/…")
        }
        var cookies: [(String, String)] = []
        for (i, c) in (json["cookies"]?.array ?? []).enumerated() {
            guard let n = c["name"]?.string, let v = c["value"]?.string, !n.isEmpty else { throw invalid("cookies[\(i)] needs a name and a value") }
            cookies.append((n, v))
        }
        guard !cookies.isEmpty else { throw invalid("cookies is missing or empty: export the browser's cookies for secure.vanguardinvestor.co.uk") }
        guard let token = json["anti_forgery_token"]?.string ?? cookies.first(where: { $0.0 == "XSRF-TOKEN" })?.1, !token.isEmpty else {
            throw invalid("anti_forgery_token is missing (and there is no XSRF-TOKEN cookie)")
        }
        var subs: [SubAccount] = []
        for (i, s) in (json["sub_accounts"]?.array ?? []).enumerated() {
            guard let h = s["hierarchy_id"]?.string, !h.isEmpty else { throw invalid("sub_accounts[\(i)].hierarchy_id is missing") }
            guard h.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { throw invalid("sub_accounts[\(i)].hierarchy_id \"\(h)\" has characters other than letters, digits and '-'") }
            let name = s["name"]?.string ?? h
            let wrapper = s["wrapper"]?.string.map { $0.uppercased() } ?? Self.wrapper(forName: name)
            guard ["ISA", "GIA", "SIPP", "JISA", "UNKNOWN"].contains(wrapper) else { throw invalid("sub_accounts[\(i)].wrapper must be ISA, GIA, SIPP or JISA") }
            subs.append(SubAccount(hierarchyID: h, name: name, wrapper: wrapper))
        }
        guard !subs.isEmpty else { throw invalid("sub_accounts is missing or empty: list each {\"hierarchy_id\", \"name\"} (the ids in …/SubAccount/<hierarchy_id>/… URLs)") }
        var base = json["base_url"]?.string ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil else { throw invalid("base_url \"\(base)\" is not an http(s) URL") }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return VanguardSession(baseURL: base, accountID: account, cookies: cookies, antiForgeryToken: token, subAccounts: subs, fingerprint: digest)
    }

    /// ISA / GIA / SIPP / JISA from a sub-account's preferred name.
    public static func wrapper(forName name: String) -> String { VanguardWrapper.code(forName: name) }

    /// The `Cookie` request header.
    /// The values a ``SecretRedactor`` must remove: every cookie value, the anti-forgery token and the cookie header.
    public var secretValues: [String] { cookies.map(\.value) + [antiForgeryToken, cookieHeader] }

    var cookieHeader: String { cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }
}
