import CanonicalJSON
import Foundation

/// One Trading212 position, from either API generation, in the instrument's own units:
/// prices in the instrument currency (pence for GBX), values and P/L in the account currency.
public struct Trading212Position: Sendable {
    public var ticker: String
    public var quantity: String
    public var averagePrice: String?
    public var currentPrice: String?
    /// The instrument currency when the answer states it (the newer generation does).
    public var instrumentCurrency: String?
    public var name: String?
    public var isin: String?
    /// Value and unrealised P/L in the account currency, when the answer states them.
    public var currentValue: String?
    public var totalCost: String?
    public var unrealisedPnL: String?
    public var fxImpact: String?
    public var openedAt: String?

    public struct Invalid: Error, CustomStringConvertible { public var description: String }

    public init(_ p: JSONValue) throws {
        if let instrument = p["instrument"], instrument.object != nil {
            guard let t = instrument["ticker"]?.string else { throw Invalid(description: "position.instrument.ticker is missing") }
            ticker = t
            instrumentCurrency = instrument["currency"]?.string
            name = instrument["name"]?.string
            isin = instrument["isin"]?.string
            averagePrice = p["averagePricePaid"]?.numberText
            currentValue = p["walletImpact"]?["currentValue"]?.numberText
            totalCost = p["walletImpact"]?["totalCost"]?.numberText
            unrealisedPnL = p["walletImpact"]?["unrealizedProfitLoss"]?.numberText
            fxImpact = p["walletImpact"]?["fxImpact"]?.numberText
            openedAt = p["createdAt"]?.string
        } else {
            guard let t = p["ticker"]?.string else { throw Invalid(description: "position.ticker is missing") }
            ticker = t
            averagePrice = p["averagePrice"]?.numberText
            unrealisedPnL = p["ppl"]?.numberText
            fxImpact = p["fxPpl"]?.numberText
            openedAt = p["initialFillDate"]?.string
        }
        guard let q = p["quantity"]?.numberText else { throw Invalid(description: "position \(ticker): quantity is missing or not a number") }
        quantity = q
        currentPrice = p["currentPrice"]?.numberText
    }
}
