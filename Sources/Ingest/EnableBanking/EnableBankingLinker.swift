import Clocks
import CanonicalJSON
import Foundation

/// Linking a bank (`finsync connect enablebanking`): start authorisation, then exchange the
/// redirect's code for a session and store it as a link, giving each account the key it
/// already had (``EnableBankingAccountIdentity``).
///
/// The consent asked for is shorter than the bank's `maximum_consent_validity` by at least
/// an hour: asking for exactly the maximum is refused by some banks ("ASPSP does not
/// support consent validity more than … seconds in the future").
public struct EnableBankingLinker: Sendable {
    /// What `start` gives: the link to open, and what `finish` needs to check the redirect.
    public struct Started: Sendable, Hashable {
        public var url: String
        public var authorizationID: String
        public var state: String
        public var validUntil: Date
        public var bankName: String
        public var bankCountry: String
        /// Said when the days asked for were shortened.
        public var note: String?
    }

    public let application: EnableBankingProvider.Application
    public let store: any EnableBankingLinkStore
    public let clock: any FinsyncClock
    /// Days of consent asked for when none are given.
    public static let defaultDays = 180
    /// Kept between the consent asked for and the bank's maximum.
    public static let margin: TimeInterval = 3600

    public init(application: EnableBankingProvider.Application, store: any EnableBankingLinkStore, clock: any FinsyncClock = SystemClock()) {
        self.application = application
        self.store = store
        self.clock = clock
    }

    /// The banks of a country as `/aspsps` lists them.
    public func banks(country: String) async throws -> [JSONValue] { try await application.client.aspsps(country: country) }

    /// `POST /auth` for `bank` in `country` (names compared case-insensitively).
    ///
    /// The `state` sent (and echoed on the redirect) names the bank, country and connection
    /// with a random nonce, so `finsync connect enablebanking --finish URL` can finish a
    /// linking started by another process.
    public func start(bank: String, country: String, days: Int?, connection: String? = nil) async throws -> Started {
        let cc = country.uppercased()
        let banks = try await application.client.aspsps(country: cc)
        guard let found = banks.first(where: { $0["name"]?.string?.lowercased() == bank.lowercased() }), let name = found["name"]?.string else {
            let known = banks.compactMap { $0["name"]?.string }.sorted().prefix(20).joined(separator: ", ")
            throw EnableBankingError(code: .notFound, endpoint: "GET /aspsps", bank: "\(bank) (\(cc))",
                                     message: "no bank named \"\(bank)\" in \(cc); run `finsync institutions --provider enablebanking --country \(cc)` (e.g. \(known))")
        }
        let maximum = found["maximum_consent_validity"]?.int.map { TimeInterval($0) }
        let asked = TimeInterval(days ?? Self.defaultDays) * 86_400
        var seconds = asked, note: String? = nil
        if let maximum, asked > maximum - Self.margin {
            seconds = max(Self.margin, maximum - Self.margin)
            note = "\(name) allows at most \(Int(maximum / 86_400)) days of consent; asking for \(String(format: "%.1f", seconds / 86_400)) days"
        }
        let validUntil = clock.date.addingTimeInterval(seconds)
        let state = Self.state(bank: name, country: cc, connection: (connection ?? Self.defaultConnectionName(bank: name, country: cc)).lowercased())
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let body: JSONValue = .object([
            "access": .object(["valid_until": .string(f.string(from: validUntil)), "balances": true, "transactions": true]),
            "aspsp": .object(["name": .string(name), "country": .string(cc)]),
            "state": .string(state), "redirect_url": .string(application.configuration.redirectURL), "psu_type": "personal",
        ])
        let r = try await application.client.startAuthorization(body, bank: "\(name) (\(cc))")
        return Started(url: r["url"]?.string ?? "", authorizationID: r["authorization_id"]?.string ?? "", state: state, validUntil: validUntil,
                       bankName: name, bankCountry: cc, note: note)
    }

    /// Exchanges the code in `redirect` (the URL the bank sent the browser to) for a session
    /// and stores the link as `connection`.
    /// - Parameter expectedState: the state this process sent, when it started the linking
    ///   (a redirect for another attempt is refused).
    /// - Parameter expectedConnection: the connection the caller means to finish (the API's
    ///   `/v1/connections/{connection}/finish`): a redirect naming another is refused.
    public func finish(redirect: String, expectedState: String? = nil, expectedConnection: String? = nil) async throws -> EnableBankingLink {
        guard let items = URLComponents(string: redirect.trimmingCharacters(in: .whitespacesAndNewlines))?.queryItems else {
            throw EnableBankingError(code: .invalidRequest, endpoint: "redirect", message: "the redirect URL has no query (expected ?code=…&state=…)")
        }
        func value(_ n: String) -> String? { items.first { $0.name == n }?.value }
        guard let stateText = value("state"), let started = Self.parseState(stateText) else {
            throw EnableBankingError(code: .invalidRequest, endpoint: "redirect", message: "the redirect URL has no state finsync sent; paste the whole URL the bank redirected to")
        }
        let bank = "\(started.bank) (\(started.country))"
        if let error = value("error") {
            throw EnableBankingError(code: .invalidRequest, endpoint: "redirect", bank: bank, message: "the bank answered \(error): \(value("error_description") ?? "no description"); start linking again")
        }
        if let expectedConnection, started.connection != expectedConnection {
            throw EnableBankingError(code: .invalidRequest, endpoint: "redirect", bank: bank,
                                     message: "the redirect is for connection \(started.connection), not \(expectedConnection)")
        }
        if let expectedState, stateText != expectedState {
            throw EnableBankingError(code: .invalidRequest, endpoint: "redirect", bank: bank, message: "the redirect's state does not match this linking attempt; start linking again")
        }
        guard let code = value("code"), !code.isEmpty else {
            throw EnableBankingError(code: .invalidRequest, endpoint: "redirect", bank: bank, message: "the redirect URL has no code")
        }
        let session = try await application.client.createSession(code: code)
        let known = try await store.all().flatMap(\.accounts)
        let accounts = EnableBankingAccountIdentity.assign(session["accounts"]?.array ?? [], known: known)
        let link = EnableBankingLink(connection: started.connection, application: application.configuration.name, bankName: started.bank, bankCountry: started.country,
                                     sessionID: session["session_id"]?.string ?? "", validUntil: ExtractorTimestamp.parse(session["access"]?["valid_until"]?.string),
                                     linkedAt: clock.date, accounts: accounts)
        try await store.save(link)
        return link
    }

    /// `state`: base64url of `{"b": bank, "c": country, "n": connection, "r": nonce}`.
    static func state(bank: String, country: String, connection: String) -> String {
        let j: JSONValue = .object(["b": .string(bank), "c": .string(country), "n": .string(connection), "r": .string(UUID().uuidString.lowercased())])
        return EnableBankingTokenSigner.base64URL(j.canonicalBytes)
    }

    static func parseState(_ s: String) -> (bank: String, country: String, connection: String)? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        guard let d = Data(base64Encoded: t), let j = try? JSONValue.parse(Array(d)),
              let b = j["b"]?.string, let c = j["c"]?.string, let n = j["n"]?.string, !n.isEmpty else { return nil }
        return (b, c, n)
    }

    /// The connection a linking attempt's `state` names (what `finish` will store).
    public static func connectionName(state: String) -> String? { parseState(state)?.connection }

    /// The default connection name for a bank: `nordea-fi`.
    public static func defaultConnectionName(bank: String, country: String) -> String {
        let slug = bank.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(slug).split(separator: "-").joined(separator: "-") + "-" + country.lowercased()
    }
}
