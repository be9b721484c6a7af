import CanonicalJSON
import Foundation

/// What a ``FakeEnableBankingServer`` serves: banks (ASPSPs) with their accounts,
/// transactions and quirks. Dates of transactions are day offsets from the fake's today.
public struct FakeEnableBankingScenario: Sendable {
    public struct Transaction: Sendable {
        /// Days before today of the booking date (value and transaction dates follow it).
        public var daysAgo: Int
        public var amount: String
        public var indicator: String?
        public var status: String
        public var entryReference: String?
        public var counterparty: String?
        public var text: String?
        /// A pending item without any date.
        public var undated: Bool

        public init(daysAgo: Int, amount: String, indicator: String?, status: String = "BOOK", entryReference: String?, counterparty: String? = nil, text: String? = nil, undated: Bool = false) {
            self.daysAgo = daysAgo
            self.amount = amount
            self.indicator = indicator
            self.status = status
            self.entryReference = entryReference
            self.counterparty = counterparty
            self.text = text
            self.undated = undated
        }
    }

    public struct Account: Sendable {
        public var identificationHash: String
        public var iban: String?
        public var name: String?
        public var currency: String
        public var cashAccountType: String
        public var balances: [(type: String, amount: String)]
        public var transactions: [Transaction]

        public init(identificationHash: String, iban: String?, name: String?, currency: String = "EUR", cashAccountType: String = "CACC",
                    balances: [(type: String, amount: String)], transactions: [Transaction]) {
            self.identificationHash = identificationHash
            self.iban = iban
            self.name = name
            self.currency = currency
            self.cashAccountType = cashAccountType
            self.balances = balances
            self.transactions = transactions
        }
    }

    public struct Bank: Sendable {
        public var name: String
        public var country: String
        /// Seconds; `POST /auth` refuses a `valid_until` this far ahead or further.
        public var maximumConsentValidity: Int
        public var requiredPSUHeaders: [String]
        public var accounts: [Account]
        /// Items per transactions page.
        public var pageSize: Int
        /// Trade Republic: the continuation key leads to the same page with the same key, forever.
        public var repeatsContinuationKey: Bool
        /// Background (no PSU headers) requests per account, endpoint and UTC day; nil = unlimited.
        public var dailyLimit: Int?
        /// HVB: a private `Psu-Ip-Address` is answered 400 `ASPSP_ERROR`.
        public var refusesPrivatePSUAddress: Bool

        public init(name: String, country: String, maximumConsentValidity: Int = 15_552_000, requiredPSUHeaders: [String] = [], accounts: [Account],
                    pageSize: Int = 2, repeatsContinuationKey: Bool = false, dailyLimit: Int? = nil, refusesPrivatePSUAddress: Bool = false) {
            self.name = name
            self.country = country
            self.maximumConsentValidity = maximumConsentValidity
            self.requiredPSUHeaders = requiredPSUHeaders
            self.accounts = accounts
            self.pageSize = pageSize
            self.repeatsContinuationKey = repeatsContinuationKey
            self.dailyLimit = dailyLimit
            self.refusesPrivatePSUAddress = refusesPrivatePSUAddress
        }
    }

    public var applicationID: String
    public var publicKeyPEM: String
    public var redirectURLs: [String]
    public var banks: [Bank]
    /// Days of history served outside the grace window after authorisation.
    public var maxDaysAfterGrace = 90
    /// Seconds after authorisation during which any period (up to two years) is served.
    public var graceSeconds: TimeInterval = 180

    public init(applicationID: String, publicKeyPEM: String, redirectURLs: [String], banks: [Bank]) {
        self.applicationID = applicationID
        self.publicKeyPEM = publicKeyPEM
        self.redirectURLs = redirectURLs
        self.banks = banks
    }

    /// Nordea (FI): two accounts, entry references, a DBIT whose amount is also signed,
    /// pending items; Trade Republic (DE): no ids at all, identical twins, a continuation key
    /// that repeats forever; Monzo (GB): requires PSU headers, allows 4 background calls a day
    /// per account and endpoint, and refuses a private `Psu-Ip-Address`.
    public static func standard(applicationID: String, publicKeyPEM: String, redirectURLs: [String] = ["https://127.0.0.1:8765/callback"]) -> FakeEnableBankingScenario {
        let nordeaCurrent = Account(identificationHash: "WwpbCiJhY2NvdW50IiwKWwpbCiJpYmFuIiwKIkZJMDQ1NTIzMTE1MjQ1MzU0NyIKXQpdCl0KXQ==",
                                    iban: "FI0455231152453547", name: "Current Account",
                                    balances: [("CLAV", "1184.56"), ("CLBD", "1234.56"), ("XPCD", "1200.00")],
                                    transactions: [
                                        .init(daysAgo: 200, amount: "100", indicator: "CRDT", entryReference: "5561990600", counterparty: "Old Employer", text: "Old salary"),
                                        .init(daysAgo: 40, amount: "25.99", indicator: "DBIT", entryReference: "5561990681", counterparty: "Grocery Store Oy", text: "CARD PURCHASE GROCERY STORE"),
                                        .init(daysAgo: 20, amount: "2500.00", indicator: "CRDT", entryReference: "5561990702", counterparty: "Employer Ltd", text: "Salary May"),
                                        .init(daysAgo: 10, amount: "-12.50", indicator: "DBIT", entryReference: "5561990750", counterparty: "Cafe Aalto", text: "Coffee"),
                                        .init(daysAgo: 3, amount: "7.25", indicator: "DBIT", entryReference: "5561990801", counterparty: "Kiosk", text: "Snacks"),
                                        .init(daysAgo: 0, amount: "7.50", indicator: "DBIT", status: "PDNG", entryReference: "P-1", counterparty: nil, text: "Card payment, not yet booked", undated: true),
                                    ])
        let nordeaSavings = Account(identificationHash: "SAVINGS-HASH-NORDEA-0001", iban: "FI2112345600000785", name: nil, cashAccountType: "SVGS",
                                    balances: [("ITBD", "5000.00"), ("CLBD", "4990.00")],
                                    transactions: [.init(daysAgo: 5, amount: "50.00", indicator: "CRDT", entryReference: "S-1", counterparty: "Current Account", text: "Saving")])
        let tradeRepublic = Account(identificationHash: "TRADE-REPUBLIC-HASH-0001", iban: "DE89370400440532013000", name: "Cash",
                                    balances: [("ITAV", "300.00")],
                                    transactions: [
                                        .init(daysAgo: 6, amount: "3.10", indicator: "DBIT", entryReference: nil, counterparty: "Bakery", text: "Coffee"),
                                        .init(daysAgo: 6, amount: "3.10", indicator: "DBIT", entryReference: nil, counterparty: "Bakery", text: "Coffee"),
                                        .init(daysAgo: 4, amount: "1000", indicator: "CRDT", entryReference: nil, counterparty: "Me", text: "Top-up"),
                                    ])
        let monzo = Account(identificationHash: "MONZO-HASH-0001", iban: "GB33BUKB20201555555555", name: "Personal", currency: "GBP",
                            balances: [("ITBD", "42.00")], transactions: [.init(daysAgo: 2, amount: "4.20", indicator: "DBIT", entryReference: "m-1", counterparty: "Pret", text: "Lunch")])
        return FakeEnableBankingScenario(applicationID: applicationID, publicKeyPEM: publicKeyPEM, redirectURLs: redirectURLs, banks: [
            Bank(name: "Nordea", country: "FI", accounts: [nordeaCurrent, nordeaSavings]),
            Bank(name: "Trade Republic", country: "DE", maximumConsentValidity: 7_776_000, accounts: [tradeRepublic], pageSize: 10, repeatsContinuationKey: true),
            Bank(name: "Monzo", country: "GB", requiredPSUHeaders: ["Psu-Ip-Address", "Psu-User-Agent"], accounts: [monzo], dailyLimit: 4, refusesPrivatePSUAddress: true),
        ])
    }
}
