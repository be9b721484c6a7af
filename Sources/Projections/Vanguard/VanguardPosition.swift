import CanonicalJSON
import Foundation

/// Vanguard money: `{"Amount": n, "Currency": 826}` (or a bare number).
public enum VanguardMoney {
    public static func amount(_ v: JSONValue?) -> String? { v?["Amount"]?.numberText ?? v?.numberText }
}

/// One fund held in a Vanguard sub-account: a `SubAccountHoldings` holding joined with its
/// `InstrumentDetails` by product code.
public struct VanguardPosition: Sendable {
    public var productCode: String
    public var name: String?
    public var quantity: String
    public var availableQuantity: String?
    public var averageCost: String?
    public var marketValue: String?
    public var latestPrice: String?
    public var latestPriceDate: String?
    public var annualFee: String?
    public var raw: JSONValue

    /// Unrealised gain: market value − units × average cost, to the penny.
    public var unrealisedPnL: String? {
        guard let v = marketValue.flatMap({ Decimal(string: $0) }), let q = Decimal(string: quantity), let a = averageCost.flatMap({ Decimal(string: $0) }) else { return nil }
        var x = v - q * a, r = Decimal()
        NSDecimalRound(&r, &x, 2, .bankers)
        return "\(r)"
    }

    /// The positions of a `vanguard.holdings.observed` payload.
    public static func all(in payload: JSONValue) -> [VanguardPosition] {
        let positions = payload["positions"] ?? .null
        var details: [String: JSONValue] = [:]
        for d in positions["InstrumentDetails"]?.array ?? [] { if let code = d["ProductCode"]?.string { details[code] = d } }
        return (positions["Holdings"]?.array ?? []).compactMap { h in
            guard let code = h["ProductCode"]?.string, let q = h["Quantity"]?.numberText else { return nil }
            let d = details[code]
            return VanguardPosition(productCode: code, name: d?["Name"]?.string, quantity: q, availableQuantity: h["AvailableQuantity"]?.numberText,
                                    averageCost: VanguardMoney.amount(h["AverageCost"]), marketValue: VanguardMoney.amount(h["MarketValue"]),
                                    latestPrice: VanguardMoney.amount(d?["LatestPrice"]), latestPriceDate: d?["LatestPriceDate"]?.string,
                                    annualFee: d?["AnnualFee"]?.numberText, raw: h)
        }
    }
}
