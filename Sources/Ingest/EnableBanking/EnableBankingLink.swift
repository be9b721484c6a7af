import CanonicalJSON
import Foundation

/// One linked bank: the session `finsync connect enablebanking` obtained, and its accounts.
public struct EnableBankingLink: Sendable, Hashable {
    /// One account of the session, with the key finsync keeps for it across re-authorisations.
    public struct Account: Sendable, Hashable {
        /// finsync's account key (stable across sessions): streams are `enablebanking/account/<key>/…`.
        public var key: String
        /// The uid valid for this session only.
        public var uid: String?
        public var identificationHash: String?
        public var iban: String?
        /// The `AccountResource` as `POST /sessions` gave it.
        public var resource: JSONValue

        public init(key: String, uid: String?, identificationHash: String?, iban: String?, resource: JSONValue) {
            self.key = key
            self.uid = uid
            self.identificationHash = identificationHash
            self.iban = iban
            self.resource = resource
        }
    }

    public var connection: String
    public var application: String
    public var bankName: String
    public var bankCountry: String
    public var sessionID: String
    public var validUntil: Date?
    public var linkedAt: Date
    /// `active`, or `reconnect` once the session ended (expired, revoked, closed).
    public var status: String
    public var message: String
    public var accounts: [Account]

    public init(connection: String, application: String, bankName: String, bankCountry: String, sessionID: String, validUntil: Date?, linkedAt: Date,
                status: String = "active", message: String = "", accounts: [Account]) {
        self.connection = connection
        self.application = application
        self.bankName = bankName
        self.bankCountry = bankCountry
        self.sessionID = sessionID
        self.validUntil = validUntil
        self.linkedAt = linkedAt
        self.status = status
        self.message = message
        self.accounts = accounts
    }

    /// `Nordea (FI)`: how messages name the bank.
    public var bankLabel: String { "\(bankName) (\(bankCountry))" }

    /// The command that links this bank again.
    public var reconnectCommand: String {
        "finsync connect enablebanking --bank \"\(bankName)\" --country \(bankCountry) --name \(connection)"
    }

    /// The accounts as stored (`[{key, uid, identification_hash, iban, account}]`).
    public var accountsJSON: JSONValue {
        .array(accounts.map { a in
            .object(["key": .string(a.key), "uid": a.uid.map { JSONValue.string($0) } ?? .null, "identification_hash": a.identificationHash.map { JSONValue.string($0) } ?? .null,
                     "iban": a.iban.map { JSONValue.string($0) } ?? .null, "account": a.resource])
        })
    }

    /// The accounts read back from ``accountsJSON``.
    public static func accounts(from json: JSONValue) -> [Account] {
        (json.array ?? []).compactMap { j in
            guard let key = j["key"]?.string else { return nil }
            return Account(key: key, uid: j["uid"]?.string, identificationHash: j["identification_hash"]?.string, iban: j["iban"]?.string, resource: j["account"] ?? .object([:]))
        }
    }
}
