import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Testing

@Suite struct InvestmentProjectionTests {
    static func t212(_ conn: String, _ part: StreamName.Trading212Part, _ kind: EventKind, _ json: JSONValue) -> (String, NewEvent) {
        (StreamName.trading212(conn, part), NewEvent(type: kind.latest, json: json))
    }

    @Test func trading212CurrentAPIGivesExactAccountsAndHoldings() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await h.append([
                Self.t212("isa", .account, EventCatalog.trading212AccountObserved, ["api": "summary", "summary": [
                    "id": 20871345, "currency": "GBP", "totalValue": .number("6250.50"),
                    "cash": ["availableToTrade": .number("1000.50"), "inPies": .number("200.00"), "reservedForOrders": .number("50.00")],
                    "investments": ["currentValue": .number("5000.00"), "totalCost": .number("4500.00"), "realizedProfitLoss": .number("300.00"), "unrealizedProfitLoss": .number("500.00")]]]),
                Self.t212("isa", .positions, EventCatalog.trading212PositionsObserved, ["api": "positions", "positions": [
                    ["instrument": ["ticker": "VODl_EQ", "name": "Vodafone", "isin": "GB00BH4HKS39", "currency": "GBX"], "quantity": .number("400.0"),
                     "quantityAvailableForTrading": .number("400.0"), "quantityInPies": .number("0E-10"), "averagePricePaid": .number("89.123"), "currentPrice": .number("73.6"),
                     "createdAt": "2022-05-18T13:46:32.000Z", "walletImpact": ["currency": "GBP", "currentValue": .number("294.40"), "totalCost": .number("356.49"), "unrealizedProfitLoss": .number("-62.09"), "fxImpact": nil]],
                    ["instrument": ["ticker": "AAPL_US_EQ", "name": "Apple", "isin": "US0378331005", "currency": "USD"], "quantity": .number("0.1234567890"),
                     "averagePricePaid": .number("128.90"), "currentPrice": .number("190.50"), "createdAt": "2023-01-03T15:00:00.000Z",
                     "walletImpact": ["currency": "GBP", "currentValue": .number("18.57"), "totalCost": .number("12.57"), "unrealizedProfitLoss": .number("6.00"), "fxImpact": .number("-0.35")]],
                ]]),
                Self.t212("isa", .dividends, EventCatalog.trading212DividendObserved, ["ticker": "VODl_EQ", "reference": "div-1", "quantity": .number("400"), "amount": .number("17.92"),
                                                                              "amountInEuro": .number("20.81"), "grossAmountPerShare": .number("4.48"), "paidOn": "2026-08-02T09:00:00.000+00:00", "type": "ORDINARY", "currency": "GBP"]),
                Self.t212("isa", .transactions, EventCatalog.trading212TransactionObserved, ["type": "WITHDRAW", "amount": .number("-250.00"), "reference": "6f0e0c6a-1b7e-4f0f-9d3a-0c9e8f7a6b5c", "dateTime": "2026-09-01T10:15:00.000Z", "currency": "GBP"]),
            ])
            #expect(try await h.fold().allSatisfy { $0.outcome == .caughtUp })
            let account = DeterministicID.string("trading212", "account", "isa")
            #expect(try await h.rows("SELECT provider, provider_account_id, account_type, name, currency, balance_amount::text, balance_type, total_value::text, unrealised_pnl::text FROM accounts") == [[
                "trading212", "isa", "trading", "Trading 212 ISA", "GBP", "1000.50", "cash_available", "6250.50", "500.00",
            ]])
            #expect(try await h.rows("SELECT account_id::text, ticker, name, isin, quantity::text, average_cost::text, current_price::text, current_value::text, unrealised_pnl::text, currency FROM holdings h ORDER BY h.ticker") == [
                [account, "AAPL_US_EQ", "Apple", "US0378331005", "0.1234567890", "128.90", "190.50", "18.57", "6.00", "USD"],
                // GBX: prices in pence become pounds; wallet values are already in the account currency.
                [account, "VODl_EQ", "Vodafone", "GB00BH4HKS39", "400.0", "0.89123", "0.736", "294.40", "-62.09", "GBP"],
            ])
            #expect(try await h.rows("SELECT provider_transaction_key, booking_date::text, amount::text, description FROM transactions t ORDER BY t.amount") == [
                ["cash:6f0e0c6a-1b7e-4f0f-9d3a-0c9e8f7a6b5c", "2026-09-01", "-250.00", "Withdraw"], ["dividend:div-1", "2026-08-02", "17.92", "Dividend VODl_EQ (ORDINARY)"],
            ])
            #expect(try await h.rows("SELECT connection, cash_available::text, unrealized_pnl::text FROM t212_accounts") == [["isa", "1000.50", "500.00"]])
            #expect(try await h.rows("SELECT ticker, quantity::text, average_price::text, instrument_currency FROM t212_positions ORDER BY ticker") == [["AAPL_US_EQ", "0.1234567890", "128.90", "USD"], ["VODl_EQ", "400.0", "89.123", "GBX"]])
            #expect(try await h.rows("SELECT month::text, money_in::text, money_out::text FROM analytics.monthly_cashflow m ORDER BY m.month") == [["2026-08-01", "17.92", "0"], ["2026-09-01", "0", "250.00"]])
            #expect(try await h.rows("SELECT total_value::text, unrealised_pnl::text FROM analytics.portfolio_value_daily") == [["6250.50", "500.00"]])
        }
    }

    @Test func trading212LegacyAPIJoinsInstrumentsThatArriveAfterThePositions() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await h.append([
                Self.t212("invest", .account, EventCatalog.trading212AccountObserved, ["api": "legacy",
                    "cash": ["free": .number("4877.88"), "total": .number("5027.65"), "ppl": .number("6.03"), "result": 0, "invested": .number("142.63"), "pieCash": 0, "blocked": 0],
                    "info": ["currencyCode": "GBP", "id": 12345678]]),
                Self.t212("invest", .positions, EventCatalog.trading212PositionsObserved, ["api": "portfolio", "positions": [
                    ["ticker": "BPl_EQ", "quantity": .number("10.0"), "averagePrice": .number("402.1"), "currentPrice": .number("410.35"), "ppl": .number("0.83"), "fxPpl": nil,
                     "initialFillDate": "2022-01-19T17:42:07.000+02:00", "frontend": "IOS", "maxBuy": nil, "maxSell": nil, "pieQuantity": .number("0E-10")],
                    ["ticker": "VUSAl_EQ", "quantity": .number("3"), "averagePrice": .number("52.30"), "currentPrice": .number("90.12"), "ppl": .number("113.46"), "fxPpl": nil,
                     "initialFillDate": "2021-03-01T09:00:00.000+00:00", "frontend": "WEB", "pieQuantity": .number("0E-10")],
                ]]),
            ])
            try await h.fold()
            // Until the instrument list arrives the currency is unknown: nothing is guessed.
            #expect(try await h.rows("SELECT ticker, name, current_price::text, currency FROM holdings h ORDER BY h.ticker") == [["BPl_EQ", nil, "410.35", nil], ["VUSAl_EQ", nil, "90.12", nil]])
            try await h.append([
                (StreamName.trading212Instrument("BPl_EQ"), NewEvent(type: EventCatalog.trading212InstrumentObserved.latest, json: ["ticker": "BPl_EQ", "type": "STOCK", "workingScheduleId": 55, "isin": "GB0007980591", "currencyCode": "GBX", "name": "BP", "shortName": "BP"])),
                (StreamName.trading212Instrument("VUSAl_EQ"), NewEvent(type: EventCatalog.trading212InstrumentObserved.latest, json: ["ticker": "VUSAl_EQ", "type": "ETF", "isin": "IE00B3XXRP09", "currencyCode": "GBP", "name": "Vanguard S&P 500 (Dist)", "shortName": "VUSA"])),
            ])
            try await h.fold()
            #expect(try await h.rows("SELECT ticker, name, isin, quantity::text, average_cost::text, current_price::text, current_value::text, unrealised_pnl::text, currency FROM holdings h ORDER BY h.ticker") == [
                ["BPl_EQ", "BP", "GB0007980591", "10.0", "4.021", "4.1035", "41.04", "0.83", "GBP"],
                ["VUSAl_EQ", "Vanguard S&P 500 (Dist)", "IE00B3XXRP09", "3", "52.30", "90.12", "270.36", "113.46", "GBP"],
            ])
            #expect(try await h.rows("SELECT balance_amount::text, total_value::text, unrealised_pnl::text FROM accounts") == [["4877.88", "5027.65", "6.03"]])
        }
    }

    @Test func vanguardSubAccountsAndFundsWithGainsAndLosses() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            func money(_ a: String) -> JSONValue { ["Amount": .number(a), "Currency": 826] }
            func sub(_ id: String, _ name: String, _ wrapper: String, value: String, cash: String) -> (String, NewEvent) {
                (StreamName.vanguardSubaccount("vanguard", id), NewEvent(type: EventCatalog.vanguardSubaccountObserved.latest, json: [
                    "hierarchy_id": .string(id), "name": .string(name), "wrapper": .string(wrapper), "valuation": ["Value": money(value), "AsAt": "2026-11-24T00:00:00"],
                    "cash": money(cash), "performance": ["Value": money(value), "PercentageChange": .number("1.0"), "AmountChange": money("1.00")]]))
            }
            func holdings(_ id: String, _ funds: [(code: String, name: String, units: String, value: String, avg: String, price: String)], cash: String) -> (String, NewEvent) {
                (StreamName.vanguardHoldings("vanguard", id), NewEvent(type: EventCatalog.vanguardHoldingsObserved.latest, json: [
                    "hierarchy_id": .string(id),
                    "holdings": .array(funds.map { ["Name": .string($0.name), "Type": 3, "Value": money($0.value)] } + [["Name": "Cash", "Type": 1, "Value": money(cash)]]),
                    "positions": ["Holdings": .array(funds.map { ["HierarchyId": .string(id), "Quantity": .number($0.units), "ProductCode": .string($0.code), "MarketValue": money($0.value), "AverageCost": money($0.avg)] }),
                                  "InstrumentDetails": .array(funds.map { ["ProductCode": .string($0.code), "Name": .string($0.name), "LatestPrice": money($0.price), "LatestPriceDate": "2026-11-24T00:00:00"] })]]))
            }
            try await h.append([
                sub("1234567-ISA01", "Stocks & Shares ISA", "ISA", value: "24131.58", cash: "112.40"),
                holdings("1234567-ISA01", [("VAFTGAG", "FTSE Global All Cap Index Fund - Accumulation", "83.5621", "16573.71", "161.2200", "198.3400"),
                                           ("VALS80A", "LifeStrategy 80% Equity Fund - Accumulation", "25.0312", "7445.47", "255.6600", "297.4100")], cash: "112.40"),
                sub("1234567-GIA01", "General Account", "GIA", value: "5012.33", cash: "0.00"),
                holdings("1234567-GIA01", [("VUKEIIN", "U.K. Equity Income Index Fund - Income", "23.1187", "5012.33", "218.5900", "216.8100")], cash: "0.00"),
            ])
            #expect(try await h.fold().allSatisfy { $0.outcome == .caughtUp })
            #expect(try await h.rows("SELECT provider_account_id, account_type, name, balance_amount::text, total_value::text, unrealised_pnl::text FROM accounts a ORDER BY a.provider_account_id") == [
                ["1234567-GIA01", "investment", "Vanguard General Account (GIA)", "0.00", "5012.33", "-41.19"],
                ["1234567-ISA01", "investment", "Vanguard Stocks & Shares ISA (ISA)", "112.40", "24131.58", "4147.82"],
            ])
            #expect(try await h.rows("SELECT ticker, quantity::text, average_cost::text, current_price::text, current_value::text, unrealised_pnl::text FROM holdings h ORDER BY h.ticker") == [
                ["VAFTGAG", "83.5621", "161.2200", "198.3400", "16573.71", "3101.83"],
                ["VALS80A", "25.0312", "255.6600", "297.4100", "7445.47", "1045.99"],
                ["VUKEIIN", "23.1187", "218.5900", "216.8100", "5012.33", "-41.19"],
            ])
            #expect(try await h.rows("SELECT hierarchy_id, wrapper, value::text, cash::text FROM vg_accounts ORDER BY hierarchy_id") == [["1234567-GIA01", "GIA", "5012.33", "0.00"], ["1234567-ISA01", "ISA", "24131.58", "112.40"]])
            #expect(try await h.rows("SELECT sum(total_value)::text, sum(unrealised_pnl)::text FROM analytics.portfolio_value_daily") == [["29143.91", "4106.63"]])
            #expect(try await h.rows("SELECT investment_values::text FROM analytics.net_worth_daily") == [["29143.91"]])
        }
    }
}
