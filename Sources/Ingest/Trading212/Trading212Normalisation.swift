import CanonicalJSON
import Projections

/// The extractor's check of each Trading212 history item with the normalisers the
/// projections use (``Trading212OrderItem``, ``Trading212CashItem``, and the NUL check
/// behind ``ProjectedEvent/defect``), before it is appended: what a projection would refuse
/// is reported against the connection instead of stored.
enum Trading212Normalisation {
    /// Why `item` of a `kind` list cannot be normalised, or nil.
    static func problem(_ item: JSONValue, kind: Trading212HistoryKind) -> String? {
        if let problem = item.nulProblem() { return problem }
        do {
            switch kind {
            case .orders: _ = try Trading212OrderItem(item)
            case .dividends: _ = try Trading212CashItem(item, dividend: true)
            case .transactions: _ = try Trading212CashItem(item, dividend: false)
            }
        } catch {
            return error.description
        }
        return nil
    }

    /// Why a positions item cannot be normalised, or nil.
    static func problem(position item: JSONValue) -> String? {
        if let problem = item.nulProblem() { return problem }
        do { _ = try Trading212Position(item) } catch { return "\(error)" }
        return nil
    }
}
