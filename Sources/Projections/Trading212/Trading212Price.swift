import Foundation

/// Prices of GBX instruments are in pence; holdings report prices in the major currency.
///
/// A pure function for the projections: `averagePrice`, `averagePricePaid`, `currentPrice`
/// and fill prices are in the instrument's `currencyCode`; wallet values, `ppl` and
/// `fxPpl` are already in the account currency and must not be converted.
public enum Trading212Price {
    /// `price` in the major unit of `currencyCode`: GBX → GBP (÷100), anything else as is.
    public static func inMajorUnit(_ price: Decimal, currencyCode: String) -> (amount: Decimal, currency: String) {
        switch currencyCode {
        case "GBX", "GBp": (price / 100, "GBP")
        default: (price, currencyCode)
        }
    }
}
