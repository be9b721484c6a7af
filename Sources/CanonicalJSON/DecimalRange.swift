/// The decimals finsync accepts from a provider: finite, with at most
/// ``maxIntegerDigits`` digits before the decimal point and ``maxFractionDigits`` after it,
/// once any exponent is applied.
///
/// JSON's number grammar admits `1e1000000` and a 200,000-digit literal; PostgreSQL's
/// `numeric` refuses the first and any sum of the second can overflow. No amount, price or
/// quantity a provider sends comes near these bounds, so a value beyond them is bad input,
/// found here in Swift rather than by a database error in the middle of a fold.
public enum DecimalRange {
    /// 10^28 is far beyond any balance, and sums of billions of such values stay far
    /// inside `numeric`'s 131,072 digits.
    public static let maxIntegerDigits = 28
    /// Unit prices and fund quantities carry a dozen decimals at most.
    public static let maxFractionDigits = 64

    /// Whether a JSON number literal (`-?int(.frac)?([eE][+-]?digits)?`, already checked
    /// against the grammar) lies in range. Leading zeros of the integer part and trailing
    /// zeros of the fraction do not count.
    public static func contains(literal: some StringProtocol) -> Bool {
        let u = literal.utf8
        var i = u.startIndex
        if i < u.endIndex, u[i] == UInt8(ascii: "-") { i = u.index(after: i) }
        var intDigits = 0, fracDigits = 0, seenSignificant = false, pendingZeros = 0
        while i < u.endIndex, let d = digit(u[i]) {
            if d != 0 || seenSignificant { seenSignificant = true; intDigits += 1 }
            i = u.index(after: i)
        }
        if i < u.endIndex, u[i] == UInt8(ascii: ".") {
            i = u.index(after: i)
            while i < u.endIndex, let d = digit(u[i]) {
                if d == 0 { pendingZeros += 1 } else { fracDigits += pendingZeros + 1; pendingZeros = 0 }
                i = u.index(after: i)
            }
        }
        var exponent = 0
        if i < u.endIndex, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i = u.index(after: i)
            var negative = false
            if i < u.endIndex, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { negative = u[i] == UInt8(ascii: "-"); i = u.index(after: i) }
            while i < u.endIndex, let d = digit(u[i]) {
                // Any exponent beyond the bounds is out of range for a non-zero value.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(d) }
                i = u.index(after: i)
            }
            if negative { exponent = -exponent }
        }
        let significant = intDigits + fracDigits
        if significant == 0 { return true }  // zero, however written (`0E-10`)
        // Shifting by the exponent moves digits between the two sides of the point.
        let integerSide = intDigits + exponent
        let fractionSide = fracDigits - exponent
        return integerSide <= maxIntegerDigits && fractionSide <= maxFractionDigits
    }

    private static func digit(_ c: UInt8) -> UInt8? { c >= 48 && c <= 57 ? c - 48 : nil }
}
