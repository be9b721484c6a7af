import CanonicalJSON
import EventCatalog
import Foundation

/// A generated history of a UK household's money, day by day, as provider observations:
/// GoCardless booked transactions, pending sets and balances for several bank accounts,
/// and Trading212 account summaries, positions, orders and dividends.
///
/// Payload shapes follow the public record of each API (`shared/providers/`): amounts
/// as strings with two decimals, transactions sometimes without `transactionId`, GBX
/// instruments priced in pence, `0E-10` quantities. Deterministic for a given seed.
/// With the defaults, about 270 events a day: 1,000,000 events is ten years.
public struct HouseholdLog: Sequence, Sendable {
    public var seed: UInt64
    public var startDay: Int
    public var bankAccounts: Int
    public var transactionsPerAccountPerDay: Int

    public init(seed: UInt64 = 42, start: String = "2015-01-01", bankAccounts: Int = 8, transactionsPerAccountPerDay: Int = 42) {
        self.seed = seed
        let parts = start.split(separator: "-").compactMap { Int($0) }
        startDay = Int((DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: parts[0], month: parts[1], day: parts[2]).date!.timeIntervalSince1970 / 86_400).rounded())
        self.bankAccounts = bankAccounts
        self.transactionsPerAccountPerDay = transactionsPerAccountPerDay
    }

    public func makeIterator() -> Iterator { Iterator(log: self) }

    /// The account ids the log uses (UUIDs, as GoCardless issues them).
    public func accountIDs() -> [String] {
        var r = SampleRandom(seed: seed ^ 0xACC0)
        return (0..<bankAccounts).map { _ in Self.uuid(&r) }
    }

    static func uuid(_ r: inout SampleRandom) -> String {
        "\(r.hex(8))-\(r.hex(4))-4\(r.hex(3))-a\(r.hex(3))-\(r.hex(12))"
    }

    public struct Iterator: IteratorProtocol {
        let log: HouseholdLog
        var random: SampleRandom
        var day: Int
        var buffer: [SampleEvent] = []
        var index = 0
        var accounts: [Account]
        var portfolio: [Holding]
        var pending: [[JSONValue]]

        struct Account {
            var id: String
            var iban: String
            var balance: Int  // pence
            var sequence: Int
            var kind: Int  // 0 current, 1 credit card, 2 savings
        }

        struct Holding {
            var ticker: String, name: String, isin: String, currency: String
            var quantity: Double, averagePrice: Double, price: Double
        }

        init(log: HouseholdLog) {
            self.log = log
            random = SampleRandom(seed: log.seed)
            day = log.startDay
            var r = random
            accounts = log.accountIDs().enumerated().map { i, id in
                Account(id: id, iban: "GB\(r.int(10...99))MONZ0400\(r.int(1000_0000...9999_9999))\(r.int(10...99))", balance: r.int(50_000...900_000), sequence: 0, kind: i % 4 == 1 ? 1 : (i % 4 == 3 ? 2 : 0))
            }
            random = r
            portfolio = HouseholdLog.instruments.map { Holding(ticker: $0.0, name: $0.1, isin: $0.2, currency: $0.3, quantity: 0, averagePrice: $0.4, price: $0.4) }
            pending = Array(repeating: [], count: log.bankAccounts)
        }

        public mutating func next() -> SampleEvent? {
            while index >= buffer.count {
                buffer.removeAll(keepingCapacity: true)
                index = 0
                generateDay()
                day += 1
            }
            defer { index += 1 }
            return buffer[index]
        }

        mutating func generateDay() {
            let date = SampleCalendar.string(days: day)
            let at = SampleCalendar.date(days: day).addingTimeInterval(4 * 3600)
            for a in accounts.indices {
                let account = accounts[a].id
                // Yesterday's pending card payments book today; identical items stay distinct.
                var seen: [String: Int] = [:]
                let n = accounts[a].kind == 2 ? (random.chance(0.2) ? 1 : 0) : random.int(Swift.max(0, log.transactionsPerAccountPerDay - 8)...(log.transactionsPerAccountPerDay + 8))
                for _ in 0..<n {
                    let item = bookedTransaction(account: a, date: date)
                    let key = item.canonicalString
                    let occurrence = seen[key, default: 0]
                    seen[key] = occurrence + 1
                    buffer.append(SampleEvent(stream: StreamName.gocardlessAccount(account, .transactions), type: EventCatalog.gocardlessTransactionBooked.name,
                                              payload: ["account_id": .string(accounts[a].id), "transaction": item, "occurrence": .number(String(occurrence))],
                                              occurredAt: at, isSnapshot: false))
                }
                if accounts[a].kind != 2 {
                    pending[a] = (0..<random.int(0...3)).map { _ in pendingTransaction(date: date) }
                    buffer.append(SampleEvent(stream: StreamName.gocardlessAccount(account, .pending), type: EventCatalog.gocardlessPendingObserved.name,
                                              payload: ["account_id": .string(accounts[a].id), "date_from": .string(SampleCalendar.string(days: day - 7)), "date_to": .string(date), "pending": .array(pending[a])],
                                              occurredAt: at, isSnapshot: true))
                }
                buffer.append(SampleEvent(stream: StreamName.gocardlessAccount(account, .balances), type: EventCatalog.gocardlessBalancesObserved.name,
                                          payload: ["account_id": .string(accounts[a].id), "balances": .array(balances(account: a, date: date))],
                                          occurredAt: at, isSnapshot: true))
            }
            // Trading212 ISA: trades on weekdays, a summary and the positions every day.
            let weekday = (day + 4) % 7  // 0 = Sunday
            if weekday != 0 && weekday != 6 {
                for i in portfolio.indices {
                    let drift = 1 + Double(random.int(-150...160)) / 10_000
                    portfolio[i].price = Swift.max(0.5, portfolio[i].price * drift)
                }
                if random.chance(0.4) {
                    let i = random.int(0...(portfolio.count - 1))
                    let qty = Double(random.int(1...400)) / 10
                    let p = portfolio[i]
                    portfolio[i].averagePrice = (p.averagePrice * p.quantity + p.price * qty) / (p.quantity + qty)
                    portfolio[i].quantity += qty
                    buffer.append(SampleEvent(stream: StreamName.trading212(HouseholdLog.trading212Connection, .orders), type: EventCatalog.trading212OrderObserved.name, payload: order(p, quantity: qty, date: date), occurredAt: at, isSnapshot: false))
                }
                if random.chance(0.05), let held = portfolio.indices.filter({ portfolio[$0].quantity > 0 }).randomElement(using: &random) {
                    let p = portfolio[held]
                    buffer.append(SampleEvent(stream: StreamName.trading212(HouseholdLog.trading212Connection, .dividends), type: EventCatalog.trading212DividendObserved.name, payload: [
                        "ticker": .string(p.ticker), "reference": .string(HouseholdLog.uuid(&random)), "quantity": .number(fmt(p.quantity, 10)),
                        "amount": .number(fmt(p.quantity * p.price * 0.004 / (p.currency == "GBX" ? 100 : 1), 2)), "amountInEuro": .number(fmt(p.quantity * p.price * 0.0046, 2)),
                        "grossAmountPerShare": .number(fmt(p.price * 0.004, 4)), "paidOn": .string(date + "T09:00:00.000+00:00"), "type": "ORDINARY",
                    ], occurredAt: at, isSnapshot: false))
                }
                buffer.append(SampleEvent(stream: StreamName.trading212(HouseholdLog.trading212Connection, .positions), type: EventCatalog.trading212PositionsObserved.name,
                                          payload: ["api": "positions", "positions": .array(portfolio.filter { $0.quantity > 0 }.map(position))], occurredAt: at, isSnapshot: true))
                let value = portfolio.reduce(0.0) { $0 + $1.quantity * $1.price / ($1.currency == "GBX" ? 100 : 1) }
                let cost = portfolio.reduce(0.0) { $0 + $1.quantity * $1.averagePrice / ($1.currency == "GBX" ? 100 : 1) }
                buffer.append(SampleEvent(stream: StreamName.trading212(HouseholdLog.trading212Connection, .account), type: EventCatalog.trading212AccountObserved.name, payload: ["api": "summary", "summary": [
                    "id": 20_871_345, "currency": "GBP", "totalValue": .number(fmt(value + 1_250.5, 2)),
                    "cash": ["availableToTrade": .number("1250.50"), "inPies": .number("0.00"), "reservedForOrders": .number("0.00")],
                    "investments": ["currentValue": .number(fmt(value, 2)), "totalCost": .number(fmt(cost, 2)), "realizedProfitLoss": .number("312.40"), "unrealizedProfitLoss": .number(fmt(value - cost, 2))],
                ]], occurredAt: at, isSnapshot: true))
            }
        }

        mutating func bookedTransaction(account a: Int, date: String) -> JSONValue {
            accounts[a].sequence += 1
            let credit = random.chance(accounts[a].kind == 2 ? 0.8 : 0.08)
            var o: [String: JSONValue] = [:]
            let amountPence: Int
            if credit {
                let (name, low, high) = random.pick(HouseholdLog.payers)
                amountPence = random.int(low...high)
                o["debtorName"] = .string(name)
                o["debtorAccount"] = ["iban": .string("GB\(random.int(10...99))BARC2004\(random.int(1000_0000...9999_9999))")]
                o["remittanceInformationUnstructured"] = .string("\(name.uppercased()) \(random.pick(["SALARY", "TRANSFER", "REFUND", "FPS CREDIT"]))")
                o["proprietaryBankTransactionCode"] = "TRANSFER"
            } else {
                let m = random.pick(HouseholdLog.merchants)
                amountPence = -random.int(m.low...m.high)
                o["creditorName"] = .string(m.name)
                o["remittanceInformationUnstructured"] = .string("CARD PAYMENT TO \(m.name.uppercased()) ON \(date.suffix(5))")
                o["merchantCategoryCode"] = .string(m.mcc)
                o["proprietaryBankTransactionCode"] = "PURCHASE"
            }
            accounts[a].balance += amountPence
            o["bookingDate"] = .string(date)
            o["valueDate"] = .string(date)
            o["transactionAmount"] = ["amount": .string(money(amountPence)), "currency": "GBP"]
            o["bankTransactionCode"] = "PMNT"
            o["internalTransactionId"] = .string(random.hex(32))
            if random.chance(0.9) {
                o["transactionId"] = .string("\(date.replacingOccurrences(of: "-", with: ""))\(String(format: "%08d", accounts[a].sequence))-1")
                o["entryReference"] = .string(random.hex(12).uppercased())
            }
            if random.chance(0.3) {
                o["balanceAfterTransaction"] = ["balanceAmount": ["amount": .string(money(accounts[a].balance)), "currency": "GBP"], "balanceType": "interimBooked"]
            }
            return .object(o)
        }

        mutating func pendingTransaction(date: String) -> JSONValue {
            let m = random.pick(HouseholdLog.merchants)
            return ["valueDate": .string(date), "transactionAmount": ["amount": .string(money(-random.int(m.low...m.high))), "currency": "GBP"],
                    "remittanceInformationUnstructured": .string("Reserved PAYMENT \(m.name)")]
        }

        func balances(account a: Int, date: String) -> [JSONValue] {
            let b = money(accounts[a].balance)
            return [
                ["balanceAmount": ["amount": .string(b), "currency": "GBP"], "balanceType": "closingBooked", "referenceDate": .string(date)],
                ["balanceAmount": ["amount": .string(b), "currency": "GBP"], "balanceType": "interimAvailable", "creditLimitIncluded": false, "lastChangeDateTime": .string(date + "T18:12:44.000+00:00")],
                ["balanceAmount": ["amount": .string(money(accounts[a].balance - pending[a].count * 1_250)), "currency": "GBP"], "balanceType": "expected", "referenceDate": .string(date)],
            ]
        }

        func position(_ p: Holding) -> JSONValue {
            let major = p.currency == "GBX" ? 100.0 : (p.currency == "USD" ? 1 / 0.79 : 1)
            let value = p.quantity * p.price / major, cost = p.quantity * p.averagePrice / major
            return ["instrument": ["ticker": .string(p.ticker), "name": .string(p.name), "isin": .string(p.isin), "currency": .string(p.currency)],
                    "quantity": .number(fmt(p.quantity, 10)), "quantityAvailableForTrading": .number(fmt(p.quantity, 10)), "quantityInPies": .number("0E-10"),
                    "averagePricePaid": .number(fmt(p.averagePrice, 4)), "currentPrice": .number(fmt(p.price, 4)), "createdAt": "2015-02-03T10:21:07.000Z",
                    "walletImpact": ["currency": "GBP", "currentValue": .number(fmt(value, 2)), "totalCost": .number(fmt(cost, 2)),
                                     "unrealizedProfitLoss": .number(fmt(value - cost, 2)), "fxImpact": p.currency == "USD" ? .number(fmt(value * 0.01, 2)) : .null]]
        }

        mutating func order(_ p: Holding, quantity: Double, date: String) -> JSONValue {
            let id = random.int(10_000_000_000...99_999_999_999)
            return ["order": ["id": .number(String(id)), "ticker": .string(p.ticker), "instrument": ["ticker": .string(p.ticker), "name": .string(p.name), "isin": .string(p.isin), "currency": .string(p.currency)],
                              "type": "MARKET", "side": "BUY", "strategy": "QUANTITY", "status": "FILLED", "quantity": .number(fmt(quantity, 4)), "filledQuantity": .number(fmt(quantity, 4)),
                              "currency": .string(p.currency), "extendedHours": false, "initiatedFrom": "API", "createdAt": .string(date + "T14:31:02.000Z")],
                    "fill": ["id": .number(String(id + 1)), "price": .number(fmt(p.price, 4)), "quantity": .number(fmt(quantity, 4)), "filledAt": .string(date + "T14:31:03.000Z"),
                             "tradingMethod": "TOTV", "type": "TRADE",
                             "walletImpact": ["currency": "GBP", "fxRate": .number(p.currency == "USD" ? "0.79" : "1"), "netValue": .number(fmt(quantity * p.price / (p.currency == "GBX" ? 100 : 1), 2)), "realisedProfitLoss": .number("0"),
                                              "taxes": p.currency == "GBX" ? [["name": "STAMP_DUTY_RESERVE_TAX", "quantity": .number(fmt(quantity * p.price / 100 * 0.005, 2)), "currency": "GBP", "chargedAt": .string(date + "T14:31:03.000Z")]] : []]]]
        }

        func money(_ pence: Int) -> String {
            let sign = pence < 0 ? "-" : ""
            let v = abs(pence)
            return "\(sign)\(v / 100).\(String(format: "%02d", v % 100))"
        }

        func fmt(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    }

    /// The Trading212 connection the household's ISA is observed through.
    public static let trading212Connection = "isa"

    static let merchants: [(name: String, mcc: String, low: Int, high: Int)] = [
        ("Tesco Stores 3217", "5411", 180, 9_500), ("Sainsbury's S/mkt", "5411", 250, 12_000), ("Pret A Manger", "5814", 295, 1_290),
        ("Costa Coffee", "5814", 260, 890), ("TfL Travel Charge", "4111", 170, 1_520), ("Amazon.co.uk*2K4RT", "5942", 499, 8_999),
        ("Shell Fulham Palace", "5541", 3_000, 9_800), ("Deliveroo", "5812", 1_150, 4_500), ("Boots 1143", "5912", 199, 3_200),
        ("Netflix.com", "4899", 1_099, 1_799), ("Thames Water", "4900", 3_500, 6_200), ("Octopus Energy", "4900", 6_000, 21_000),
        ("Waitrose 712", "5411", 400, 15_000), ("Uber *Trip", "4121", 650, 3_400), ("John Lewis", "5311", 1_500, 45_000),
        ("Pizza Express", "5812", 2_200, 7_800), ("EE Limited", "4814", 2_000, 4_500), ("Council Tax LBHF", "9311", 14_500, 19_800),
    ]

    static let payers: [(String, Int, Int)] = [
        ("ACME ANALYTICS LTD", 280_000, 420_000), ("HMRC CHILD BENEFIT", 8_000, 10_200), ("J SMITH", 1_000, 50_000), ("VINTED LTD", 500, 4_500),
    ]

    static let instruments: [(String, String, String, String, Double)] = [
        ("VUSAl_EQ", "Vanguard S&P 500 (Dist)", "IE00B3XXRP09", "GBP", 52.3), ("VODl_EQ", "Vodafone", "GB00BH4HKS39", "GBX", 112.4),
        ("BPl_EQ", "BP", "GB0007980591", "GBX", 402.1), ("AAPL_US_EQ", "Apple", "US0378331005", "USD", 128.9), ("VWRLl_EQ", "Vanguard FTSE All-World (Dist)", "IE00B3RBWM25", "GBP", 71.2),
    ]
}
