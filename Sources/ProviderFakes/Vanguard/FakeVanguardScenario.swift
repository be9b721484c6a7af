import CanonicalJSON
import Foundation

/// A Vanguard UK Investor customer with a Stocks & Shares ISA and a General Account,
/// each holding index funds and some cash. Money is `{"Amount": n, "Currency": 826}`.
public struct FakeVanguardScenario: Sendable {
    public struct Fund: Sendable {
        public var name, productCode: String
        public var productID: Int
        public var units, price, value, averageCost: String
        public var ongoingCharge: String
    }

    public struct SubAccount: Sendable {
        public var hierarchyID, name, wrapper: String
        public var value, cash, amountChange, percentageChange: String
        public var funds: [Fund]
    }

    public var accountID = "1234567"
    public var subAccounts: [SubAccount]
    public var asAt = "2026-11-24T00:00:00"

    public static func isaAndGia() -> FakeVanguardScenario {
        FakeVanguardScenario(subAccounts: [
            .init(hierarchyID: "1234567-ISA01", name: "Stocks & Shares ISA", wrapper: "ISA", value: "24131.58", cash: "112.40",
                  amountChange: "3581.58", percentageChange: "17.43",
                  funds: [
                    .init(name: "FTSE Global All Cap Index Fund - Accumulation", productCode: "VAFTGAG", productID: 9251, units: "83.5621",
                          price: "198.3400", value: "16573.71", averageCost: "161.2200", ongoingCharge: "0.23"),
                    .init(name: "LifeStrategy 80% Equity Fund - Accumulation", productCode: "VALS80A", productID: 8617, units: "25.0312",
                          price: "297.4100", value: "7445.47", averageCost: "255.6600", ongoingCharge: "0.22"),
                  ]),
            .init(hierarchyID: "1234567-GIA01", name: "General Account", wrapper: "GIA", value: "5012.33", cash: "0.00",
                  amountChange: "-41.07", percentageChange: "-0.81",
                  funds: [
                    .init(name: "U.K. Equity Income Index Fund - Income", productCode: "VUKEIIN", productID: 9322, units: "23.1187",
                          price: "216.8100", value: "5012.33", averageCost: "218.5900", ongoingCharge: "0.14"),
                  ]),
        ])
    }

    func money(_ amount: String) -> JSONValue { ["Amount": .number(amount), "Currency": 826] }

    func subAccount(_ h: String) -> SubAccount? { subAccounts.first { $0.hierarchyID == h } }

    func currentValuation(_ s: SubAccount) -> JSONValue { ["Value": money(s.value), "AsAt": .string(asAt)] }
    func cashBalance(_ s: SubAccount) -> JSONValue { money(s.cash) }
    func performance(_ s: SubAccount) -> JSONValue {
        ["HierarchyId": .string(s.hierarchyID), "Value": money(s.value), "PercentageChange": .number(s.percentageChange), "AmountChange": money(s.amountChange)]
    }

    func instrumentValuation(_ s: SubAccount) -> JSONValue {
        let total = Decimal(string: s.value)! + Decimal(string: s.cash)!
        func pct(_ v: String) -> JSONValue {
            var r = Decimal(), x = Decimal(string: v)! * 100 / total
            NSDecimalRound(&r, &x, 2, .plain)
            return .number("\(r)")
        }
        var items: [JSONValue] = s.funds.map { f in ["Name": .string(f.name), "Type": 3, "Value": money(f.value), "PercentageOfPortfolio": pct(f.value)] }
        items.append(["Name": "Cash", "Type": 1, "Value": money(s.cash), "PercentageOfPortfolio": pct(s.cash)])
        return .array(items)
    }

    func holdings(_ s: SubAccount) -> JSONValue {
        ["Holdings": .array(s.funds.map { f in
            ["HierarchyId": .string(s.hierarchyID), "Quantity": .number(f.units), "AvailableQuantity": .number(f.units), "ProductId": .number(String(f.productID)),
             "ProductCode": .string(f.productCode), "MarketValue": money(f.value), "AverageCost": money(f.averageCost)]
        }),
         "InstrumentDetails": .array(s.funds.map { f in
            ["ProductId": .number(String(f.productID)), "ProductCode": .string(f.productCode), "Name": .string(f.name), "LatestPrice": money(f.price),
             "LatestPriceDate": .string(asAt), "RiskLevel": 5, "AnnualFee": .number(f.ongoingCharge), "Type": "Fund",
             "InstrumentGroups": [["Id": 1, "Name": "Equity"]]]
         })]
    }

    func monthlyPerformance(_ s: SubAccount) -> JSONValue {
        [["PerformanceDetail": ["PaymentsIn": money("500.00"), "PaymentsOut": money("0.00"), "OpeningValue": money("23108.12"), "ClosingValue": money(s.value),
                                "NetGain": money("523.46"), "RealisedGain": money("0.00"), "UnrealisedGain": money("511.02"), "GrossDividends": money("12.44"),
                                "NetDividends": money("12.44"), "NetReturn": money("523.46"), "Charges": money("-4.31")],
          "PurchaseWithdrawal": .number("500.00"), "MarketGainLoss": .number("511.02"), "IncomeReturns": .number("12.44"),
          "PersonalInvestmentReturns": .number("2.26"), "CumulativeReturns": .number("17.43"), "Month": "Oct 2026", "OrderId": 1]]
    }
}
