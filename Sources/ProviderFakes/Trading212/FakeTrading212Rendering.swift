import CanonicalJSON
import Foundation

/// Renders a ``FakeTrading212Scenario`` in one API generation's JSON shapes.
struct FakeTrading212Rendering {
    let scenario: FakeTrading212Scenario
    let generation: FakeTrading212Server.Generation

    struct BadRequest: Error, CustomStringConvertible { var description: String }

    func n(_ literal: String) -> JSONValue { .number(literal) }
    func negated(_ literal: String) -> String { literal.hasPrefix("-") ? String(literal.dropFirst()) : "-" + literal }

    func instrument(_ ticker: String) -> JSONValue {
        let i = scenario.instruments.first { $0["ticker"]?.string == ticker }
        return ["ticker": .string(ticker), "name": i?["name"] ?? .null, "isin": i?["isin"] ?? .null, "currency": i?["currencyCode"] ?? .null]
    }

    // MARK: Account

    var summary: JSONValue {
        ["id": n(String(scenario.accountID)), "currency": .string(scenario.currency), "totalValue": n(scenario.total),
         "cash": ["availableToTrade": n(scenario.free), "inPies": n(scenario.pieCash), "reservedForOrders": n(scenario.blocked)],
         "investments": ["currentValue": n(scenario.investmentsValue), "totalCost": n(scenario.invested),
                         "realizedProfitLoss": n(scenario.result), "unrealizedProfitLoss": n(scenario.ppl)]]
    }

    var cash: JSONValue {
        ["free": n(scenario.free), "total": n(scenario.total), "ppl": n(scenario.ppl), "result": n(scenario.result),
         "invested": n(scenario.invested), "pieCash": n(scenario.pieCash), "blocked": n(scenario.blocked)]
    }

    var info: JSONValue { ["currencyCode": .string(scenario.currency), "id": n(String(scenario.accountID))] }

    // MARK: Positions

    var positionsCurrent: [JSONValue] {
        scenario.positions.map { p in
            ["instrument": ["ticker": .string(p.ticker), "name": .string(p.name), "isin": .string(p.isin), "currency": .string(p.currency)],
             "quantity": n(p.quantity), "quantityAvailableForTrading": n(p.quantity), "quantityInPies": n("0E-10"),
             "averagePricePaid": n(p.averagePrice), "currentPrice": n(p.currentPrice), "createdAt": .string(p.createdAt),
             "walletImpact": ["currency": .string(scenario.currency), "currentValue": n(p.value), "totalCost": n(p.cost),
                              "unrealizedProfitLoss": n(p.ppl), "fxImpact": p.fxImpact.map(n) ?? .null]]
        }
    }

    var positionsLegacy: [JSONValue] {
        scenario.positions.map { p in
            ["ticker": .string(p.ticker), "quantity": n(p.quantity), "averagePrice": n(p.averagePrice), "currentPrice": n(p.currentPrice),
             "ppl": n(p.ppl), "fxPpl": p.fxImpact.map(n) ?? .null, "initialFillDate": .string(p.createdAt), "frontend": "API",
             "maxBuy": n("100000.0"), "maxSell": n(p.quantity), "pieQuantity": n("0E-10")]
        }
    }

    // MARK: History items

    func order(_ o: FakeTrading212Scenario.Order) -> JSONValue {
        let signed = o.side == "SELL" ? negated(o.quantity) : o.quantity
        switch generation {
        case .legacy:
            let taxes: [JSONValue] = o.stampDuty.map { [["fillId": .string(String(o.id + 1000)), "name": "STAMP_DUTY_RESERVE_TAX", "quantity": n($0), "timeCharged": .string(o.time)]] } ?? []
            return ["id": n(String(o.id)), "parentOrder": .null, "fillId": n(String(o.id + 1000)), "ticker": .string(o.ticker), "type": "MARKET",
                    "status": "FILLED", "executor": "API", "orderedQuantity": n(signed), "filledQuantity": n(signed), "orderedValue": .null,
                    "filledValue": n(o.value), "limitPrice": .null, "stopPrice": .null, "timeValidity": .null, "fillPrice": n(o.fillPrice),
                    "fillCost": n(o.value), "fillResult": .null, "fillType": "TOTV", "dateCreated": .string(o.time), "dateModified": .string(o.time),
                    "dateExecuted": .string(o.time), "taxes": .array(taxes)]
        case .current:
            let taxes: [JSONValue] = o.stampDuty.map { [["name": "STAMP_DUTY_RESERVE_TAX", "quantity": n($0), "currency": .string(scenario.currency), "chargedAt": .string(o.time)]] } ?? []
            let inst = instrument(o.ticker)
            return ["order": ["id": n(String(o.id)), "ticker": .string(o.ticker), "instrument": inst, "type": "MARKET", "side": .string(o.side),
                              "strategy": "QUANTITY", "status": "FILLED", "quantity": n(o.quantity), "filledQuantity": n(o.quantity),
                              "filledValue": n(o.value), "currency": inst["currency"] ?? .null, "extendedHours": false, "initiatedFrom": "API",
                              "createdAt": .string(o.time)],
                    "fill": ["id": n(String(o.id + 1000)), "price": n(o.fillPrice), "quantity": n(signed), "filledAt": .string(o.time),
                             "tradingMethod": "TOTV", "type": "TRADE",
                             "walletImpact": ["currency": .string(scenario.currency), "fxRate": n(o.fxRate), "netValue": n(o.value),
                                              "realisedProfitLoss": n("0"), "taxes": .array(taxes)]]]
        }
    }

    func dividend(_ d: FakeTrading212Scenario.Dividend) -> JSONValue {
        var o: [String: JSONValue] = ["ticker": .string(d.ticker), "reference": .string(d.reference), "quantity": n(d.quantity), "amount": n(d.amount),
                                      "amountInEuro": .null, "grossAmountPerShare": n(d.grossPerShare), "paidOn": .string(d.paidOn), "type": "ORDINARY"]
        if generation == .current {
            o["currency"] = .string(scenario.currency)
            o["tickerCurrency"] = .string(d.tickerCurrency)
            o["instrument"] = instrument(d.ticker)
        }
        return .object(o)
    }

    func transaction(_ t: FakeTrading212Scenario.CashTransaction) -> JSONValue {
        var o: [String: JSONValue] = ["type": .string(t.type), "amount": n(t.amount), "reference": .string(t.reference), "dateTime": .string(t.dateTime)]
        if generation == .current { o["currency"] = .string(scenario.currency) }
        return .object(o)
    }

    // MARK: Pages

    static func millis(_ iso: String) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Int64(((f.date(from: iso)?.timeIntervalSince1970 ?? 0) * 1000).rounded())
    }

    /// One page of a history list: `{"items": [...], "nextPagePath": "/api/v0/…" | null}`.
    func page(_ kind: FakeTrading212Server.Kind, path: String, params: [String: String]) throws -> JSONValue {
        let limitText = params["limit"] ?? "20"
        guard let limit = Int(limitText), (1...50).contains(limit) else { throw BadRequest(description: "limit must be 1…50") }
        switch kind {
        case .orders, .dividends:
            let all: [(time: Int64, item: JSONValue)] = kind == .orders
                ? scenario.orders.map { (Self.millis($0.time), order($0)) }
                : scenario.dividends.map { (Self.millis($0.paidOn), dividend($0)) }
            var rest = all
            if let c = params["cursor"] {
                guard let cursor = Int64(c) else { throw BadRequest(description: "cursor must be a millisecond timestamp") }
                rest = all.filter { $0.time < cursor }
            }
            let items = Array(rest.prefix(limit))
            let next: JSONValue = rest.count > limit
                ? .string("\(path)?cursor=\(items.last!.time)&limit=\(limit)" + (kind == .orders ? "&instrumentCode" : ""))
                : .null
            return ["items": .array(items.map(\.item)), "nextPagePath": next]
        default:
            let all = scenario.transactions
            var rest = all[...]
            if let c = params["cursor"] {
                guard let t = params["time"], !t.isEmpty else { throw BadRequest(description: "cursor needs time") }
                guard let i = all.firstIndex(where: { $0.reference == c && $0.dateTime == t }) else { throw BadRequest(description: "stale cursor") }
                rest = all[(i + 1)...]
            } else if params.keys.contains(where: { $0 != "limit" }) {
                throw BadRequest(description: "the first transactions request takes only limit")
            }
            let items = Array(rest.prefix(limit))
            let next: JSONValue = rest.count > limit
                ? .string("\(path)?limit=\(limit)&cursor=\(items.last!.reference)&time=\(items.last!.dateTime)")
                : .null
            return ["items": .array(items.map(transaction)), "nextPagePath": next]
        }
    }
}
