import Foundation

/// What a `Details` / `TransactionDetails` cell says, by its grammar:
///
/// - `Bought 1,550 Foo ETF Distributing (FOO)` / `Sold 12.3456 Foo Fund - Accumulation (VAR45GA)`
/// - `DIV: FOO.XLON.GB @ GBP 0.4106`
/// - `Reversal of <any of these>`
/// - `Cash Account Interest`, `Regular Deposit`, `Deposit via direct credit`, `Deposit …`
/// - `Payment by Faster - One-off withdrawal Faster` (any "withdrawal")
/// - `Account Fee for the period 08-Jan-2022 to 07-Apr-2022`
/// - `NameChange: X replaced with Y`
/// - anything else: ``other(_:)``
public indirect enum VanguardTransactionDetails: Sendable, Equatable {
    case bought(quantity: Decimal, name: String, code: String?)
    case sold(quantity: Decimal, name: String, code: String?)
    case dividend(code: String, perUnit: Decimal?, currency: String?)
    case reversal(of: VanguardTransactionDetails)
    case interest
    case deposit(String)
    case withdrawal(String)
    case fee(String)
    case nameChange(from: String, to: String)
    case other(String)

    public init(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let lower = t.lowercased()
        if lower.hasPrefix("reversal of ") {
            self = .reversal(of: VanguardTransactionDetails(parsing: String(t.dropFirst("Reversal of ".count))))
        } else if let trade = Self.trade(t, verb: "Bought ") {
            self = .bought(quantity: trade.0, name: trade.1, code: trade.2)
        } else if let trade = Self.trade(t, verb: "Sold ") {
            self = .sold(quantity: trade.0, name: trade.1, code: trade.2)
        } else if lower.hasPrefix("div:") {
            let rest = t.dropFirst(4).trimmingCharacters(in: .whitespaces)
            let parts = rest.components(separatedBy: " @ ")
            let code = parts[0].trimmingCharacters(in: .whitespaces)
            var currency: String?, perUnit: Decimal?
            if parts.count > 1 {
                let rate = parts[1].split(separator: " ")
                if rate.count == 2 { currency = String(rate[0]); perUnit = VanguardExportValue.decimal(String(rate[1])) } else if rate.count == 1 { perUnit = VanguardExportValue.decimal(String(rate[0])) }
            }
            self = .dividend(code: code, perUnit: perUnit, currency: currency)
        } else if lower.hasPrefix("namechange:") {
            let rest = t.dropFirst("NameChange:".count).trimmingCharacters(in: .whitespaces)
            let parts = rest.components(separatedBy: " replaced with ")
            self = parts.count == 2 ? .nameChange(from: parts[0].trimmingCharacters(in: .whitespaces), to: parts[1].trimmingCharacters(in: .whitespaces)) : .other(t)
        } else if lower.contains("interest") {
            self = .interest
        } else if lower.contains("withdrawal") {
            self = .withdrawal(t)
        } else if lower.contains("deposit") {
            self = .deposit(t)
        } else if lower.hasPrefix("account fee") || lower.contains(" fee ") {
            self = .fee(t)
        } else {
            self = .other(t)
        }
    }

    /// `<verb><quantity> <name> (<code>)` → quantity, name, code.
    static func trade(_ t: String, verb: String) -> (Decimal, String, String?)? {
        guard t.hasPrefix(verb) else { return nil }
        let rest = t.dropFirst(verb.count)
        guard let space = rest.firstIndex(of: " "), let q = VanguardExportValue.decimal(String(rest[..<space])) else { return nil }
        var name = rest[rest.index(after: space)...].trimmingCharacters(in: .whitespaces)
        var code: String?
        if name.hasSuffix(")"), let open = name.lastIndex(of: "(") {
            code = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
            name = name[..<open].trimmingCharacters(in: .whitespaces)
        }
        return (q, name, code)
    }

    /// The product code a purchase or sale (or its reversal) names.
    public var productCode: String? {
        switch self {
        case .bought(_, _, let code), .sold(_, _, let code): code
        case .reversal(let inner): inner.productCode
        default: nil
        }
    }

    /// +1 for what adds units (a purchase, a reversed sale), -1 for what removes them, 0 otherwise.
    public var unitDirection: Int {
        switch self {
        case .bought: 1
        case .sold: -1
        case .reversal(let inner): -inner.unitDirection
        default: 0
        }
    }
}
