import EventLog
import CanonicalJSON
import Postgres

extension ProjectedEvent {
    /// A required top-level string field of the payload.
    public func string(_ key: String) throws -> String {
        guard let s = json[key]?.string, !s.isEmpty else { throw ProjectionError.malformed(self, "\(key) is missing or not a string") }
        return s
    }

    /// A required string field of the payload, by path.
    public func string(_ path: String...) throws -> String {
        var v: JSONValue? = json
        for p in path { v = v?[p] }
        guard let s = v?.string, !s.isEmpty else { throw ProjectionError.malformed(self, "\(path.joined(separator: ".")) is missing or not a string") }
        return s
    }
}

extension JSONValue {
    /// A non-blank string, or nil.
    var nonBlank: String? { GoCardlessTransaction.nonBlank(string) }

    /// A `text[]` literal of the array's strings.
    var textArrayLiteral: String? {
        guard let a = array else { return nil }
        return "{" + a.compactMap(\.string).map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    /// An integer that fits PostgreSQL's `integer` column, as text; nil otherwise.
    var intText: String? {
        guard let n = int, n >= Int(Int32.min), n <= Int(Int32.max) else { return nil }
        return String(n)
    }
}

extension ProjectedEvent {
    /// The balances of a `gocardless.balances.observed` event, or the error naming this event.
    public func gocardlessBalances() throws -> [GoCardlessBalance] {
        do { return try GoCardlessBalance.all(in: json) } catch { throw ProjectionError.malformed(self, error.description) }
    }

    /// The items of a `gocardless.pending.observed` event, or the error naming this event.
    public func gocardlessPending() throws -> [GoCardlessTransaction] {
        var items: [GoCardlessTransaction] = []
        for (i, item) in (json["pending"]?.array ?? []).enumerated() {
            do { items.append(try GoCardlessTransaction(item)) } catch { throw ProjectionError.malformed(self, "pending item \(i): \(error)") }
        }
        return items
    }

    /// The positions of a `trading212.positions.observed` event with their items, or the
    /// error naming this event.
    public func trading212Positions() throws -> [(Trading212Position, JSONValue)] {
        var out: [(Trading212Position, JSONValue)] = []
        for (i, p) in (json["positions"]?.array ?? []).enumerated() {
            do { out.append((try Trading212Position(p), p)) } catch { throw ProjectionError.malformed(self, "position \(i): \(error)") }
        }
        return out
    }

    /// A `trading212.dividend.observed` or `trading212.transaction.observed` item, or the
    /// error naming this event.
    public func trading212CashItem() throws -> Trading212CashItem {
        do { return try Trading212CashItem(json, dividend: type == EventCatalog.trading212DividendObserved.name) } catch { throw ProjectionError.malformed(self, error.description) }
    }
}
