import Foundation

/// The PSU headers finsync can send to Enable Banking's data endpoints, and which of them a
/// request gets (`../shared/providers/enablebanking.md` §8).
///
/// PSU headers tell the bank that the account holder is online; a request that carries them
/// is exempt from PSD2's background limit (about 4 calls a day per account). So they are
/// sent only when a person is present (an interactive `finsync sync` at a terminal, see
/// ``StepContext/personPresent``), never from a scheduled run: that would claim a person
/// who is not there. The values are configuration (`psu_ip_address`, `psu_user_agent` in
/// `[[enablebanking]]`); the address must be public (``PublicIPAddress``), because banks
/// refuse private ones with `ASPSP_ERROR`.
///
/// A bank's `required_psu_headers` (from `/aspsps`) are sent all or none: a partial set is
/// refused with `PSU_HEADER_NOT_PROVIDED`, so when finsync cannot send every required header
/// it sends none and the request is a background one.
public struct EnableBankingPSUHeaders: Sendable, Equatable {
    public static let ipAddressHeader = "Psu-Ip-Address"
    public static let userAgentHeader = "Psu-User-Agent"

    /// A public IPv4 or IPv6 address, trimmed.
    public var ipAddress: String?
    public var userAgent: String?

    public init(ipAddress: String? = nil, userAgent: String? = nil) {
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }

    /// Whether no header is configured.
    public var isEmpty: Bool { configured.isEmpty }

    /// The configured headers, in a fixed order.
    public var configured: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if let ipAddress { out.append((Self.ipAddressHeader, ipAddress)) }
        if let userAgent { out.append((Self.userAgentHeader, userAgent)) }
        return out
    }

    /// What one account's data requests carry, and why (for the run record).
    public struct Choice: Sendable {
        /// The headers to send: empty for a background request.
        public var headers: [(name: String, value: String)]
        /// Said in the step's notes.
        public var note: String?
        public var isPresent: Bool { !headers.isEmpty }
    }

    /// The headers for a request to a bank listing `required` PSU headers (nil when the bank
    /// list could not be read), when `personPresent` says whether someone is at the terminal.
    public func choose(personPresent: Bool, required: [String]?, bank: String) -> Choice {
        let needs = (required ?? []).filter { !$0.isEmpty }
        let requirement = needs.isEmpty ? "" : "\(bank) requires the PSU headers \(needs.joined(separator: ", ")); "
        guard personPresent else {
            guard !needs.isEmpty else { return Choice(headers: [], note: nil) }
            return Choice(headers: [], note: "\(requirement)none were sent because no person is present (a scheduled or API-started run is a background fetch), "
                                            + "so the bank's background limit (about 4 calls a day per account) applies")
        }
        guard !isEmpty else {
            guard !needs.isEmpty else { return Choice(headers: [], note: nil) }
            return Choice(headers: [], note: "\(requirement)a person is present but no psu_ip_address/psu_user_agent is configured in [[enablebanking]]; "
                                             + "sent as a background fetch (about 4 calls a day per account)")
        }
        let have = Set(configured.map { $0.name.lowercased() })
        let missing = needs.filter { !have.contains($0.lowercased()) }
        guard missing.isEmpty else {
            return Choice(headers: [], note: "\(requirement)finsync can send only \(configured.map(\.name).joined(separator: ", ")) (missing \(missing.joined(separator: ", "))), "
                                             + "and a partial set is refused (PSU_HEADER_NOT_PROVIDED), so none were sent: a background fetch (about 4 calls a day per account)")
        }
        return Choice(headers: configured, note: "a person is present: sent \(configured.map(\.name).joined(separator: ", ")), so the bank's background limit does not apply")
    }
}
