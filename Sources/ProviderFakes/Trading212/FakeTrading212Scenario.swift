import CanonicalJSON
import Foundation

/// The data a fake Trading212 account serves: a Stocks ISA in GBP holding two GBX
/// instruments (Vodafone, BP: prices in pence), a GBP ETF (VUSA) and a USD stock (Apple),
/// with order, dividend and cash history. Numbers are JSON literals, `0E-10` included.
///
/// Everything is kept once, generation-neutral where possible; ``FakeTrading212Server``
/// renders it in the shape of the API generation it is told to speak.
public struct FakeTrading212Scenario: Sendable {
    /// One open position. Prices are in the instrument's currency (pence for GBX);
    /// `value`, `cost`, `ppl` and `fxImpact` in the account currency.
    public struct Position: Sendable {
        public var ticker, name, isin, currency: String
        public var quantity, averagePrice, currentPrice: String
        public var value, cost, ppl: String
        public var fxImpact: String?
        public var createdAt: String
    }

    /// One filled order. `quantity` is positive; `side` is BUY or SELL.
    public struct Order: Sendable {
        public var id: Int64
        public var ticker, side: String
        public var quantity, fillPrice, value: String
        public var time: String
        public var fxRate: String
        public var stampDuty: String?

        public init(id: Int64, ticker: String, side: String, quantity: String, fillPrice: String, value: String, time: String, fxRate: String, stampDuty: String? = nil) {
            self.id = id; self.ticker = ticker; self.side = side; self.quantity = quantity; self.fillPrice = fillPrice
            self.value = value; self.time = time; self.fxRate = fxRate; self.stampDuty = stampDuty
        }
    }

    public struct Dividend: Sendable {
        public var reference, ticker, quantity, amount, grossPerShare, paidOn: String
        public var tickerCurrency: String
    }

    public struct CashTransaction: Sendable {
        public var reference, type, amount, dateTime: String
    }

    public var accountID: Int64 = 51_234_567
    public var currency = "GBP"
    public var free = "1523.45", total = "4297.43", invested = "2484.00", ppl = "289.98", result = "87.21"
    public var pieCash = "0E-10", blocked = "0"
    public var investmentsValue = "2773.98"
    public var positions: [Position]
    /// Newest first, as the API answers.
    public var orders: [Order]
    public var dividends: [Dividend]
    public var transactions: [CashTransaction]
    /// The instrument list (`/equity/metadata/instruments`), more than the account holds.
    public var instruments: [JSONValue]

    /// The default ISA scenario.
    public static func isa() -> FakeTrading212Scenario {
        let positions: [Position] = [
            .init(ticker: "VODl_EQ", name: "Vodafone Group", isin: "GB00BH4HKS39", currency: "GBX", quantity: "400.0", averagePrice: "89.123", currentPrice: "73.6",
                  value: "294.40", cost: "356.49", ppl: "-62.09", fxImpact: nil, createdAt: "2023-03-14T09:12:44.000Z"),
            .init(ticker: "BPl_EQ", name: "BP", isin: "GB0007980591", currency: "GBX", quantity: "150.5", averagePrice: "452.10", currentPrice: "478.35",
                  value: "719.92", cost: "680.41", ppl: "39.51", fxImpact: nil, createdAt: "2023-06-02T10:01:13.000Z"),
            .init(ticker: "VUSAl_EQ", name: "Vanguard S&P 500 UCITS ETF (Dist)", isin: "IE00B3XXRP09", currency: "GBP", quantity: "12.3456789012", averagePrice: "78.12", currentPrice: "91.05",
                  value: "1124.07", cost: "964.44", ppl: "159.63", fxImpact: nil, createdAt: "2024-01-08T14:30:00.000Z"),
            .init(ticker: "AAPL_US_EQ", name: "Apple", isin: "US0378331005", currency: "USD", quantity: "3.5", averagePrice: "170.25", currentPrice: "229.87",
                  value: "635.59", cost: "482.66", ppl: "152.93", fxImpact: "-16.09", createdAt: "2024-02-20T15:45:10.000Z"),
        ]
        let orders: [Order] = [
            .init(id: 9_120_000_007, ticker: "VODl_EQ", side: "SELL", quantity: "50.0", fillPrice: "74.10", value: "37.05", time: "2025-03-03T10:15:00.000Z", fxRate: "0.01", stampDuty: nil),
            .init(id: 9_120_000_006, ticker: "AAPL_US_EQ", side: "BUY", quantity: "1.5", fillPrice: "182.40", value: "221.62", time: "2024-11-12T15:02:41.000Z", fxRate: "0.81", stampDuty: nil),
            .init(id: 9_120_000_005, ticker: "AAPL_US_EQ", side: "BUY", quantity: "2.0", fillPrice: "161.16", value: "261.04", time: "2024-02-20T15:45:10.000Z", fxRate: "0.81", stampDuty: nil),
            .init(id: 9_120_000_004, ticker: "VUSAl_EQ", side: "BUY", quantity: "12.3456789012", fillPrice: "78.12", value: "964.44", time: "2024-01-08T14:30:00.000Z", fxRate: "1", stampDuty: nil),
            .init(id: 9_120_000_003, ticker: "BPl_EQ", side: "BUY", quantity: "150.5", fillPrice: "452.10", value: "680.41", time: "2023-06-02T10:01:13.000Z", fxRate: "0.01", stampDuty: "3.40"),
            .init(id: 9_120_000_002, ticker: "VODl_EQ", side: "BUY", quantity: "250.0", fillPrice: "88.90", value: "222.25", time: "2023-04-20T08:30:00.000Z", fxRate: "0.01", stampDuty: "1.11"),
            .init(id: 9_120_000_001, ticker: "VODl_EQ", side: "BUY", quantity: "200.0", fillPrice: "89.40", value: "178.80", time: "2023-03-14T09:12:44.000Z", fxRate: "0.01", stampDuty: "0.89"),
        ]
        let dividends: [Dividend] = [
            .init(reference: "DIV-VUSA-2025-03", ticker: "VUSAl_EQ", quantity: "12.3456789012", amount: "2.71", grossPerShare: "0.2195", paidOn: "2025-03-26T11:00:00.000Z", tickerCurrency: "GBP"),
            .init(reference: "DIV-AAPL-2025-02", ticker: "AAPL_US_EQ", quantity: "3.5", amount: "0.71", grossPerShare: "0.25", paidOn: "2025-02-13T14:20:00.000Z", tickerCurrency: "USD"),
            .init(reference: "DIV-VOD-2024-08", ticker: "VODl_EQ", quantity: "450.0", amount: "17.46", grossPerShare: "3.88", paidOn: "2024-08-02T09:00:00.000Z", tickerCurrency: "GBX"),
            .init(reference: "DIV-BP-2024-06", ticker: "BPl_EQ", quantity: "150.5", amount: "8.96", grossPerShare: "5.954", paidOn: "2024-06-21T09:00:00.000Z", tickerCurrency: "GBX"),
        ]
        let transactions: [CashTransaction] = [
            .init(reference: "6f0c2a8e-3a54-4c51-9f0e-6a1d2b7c8e01", type: "FEE", amount: "-0.50", dateTime: "2025-02-01T00:05:00.000Z"),
            .init(reference: "2b6e8d14-91c3-4f7a-8a2e-0d5b9c3f1a02", type: "DEPOSIT", amount: "1000.00", dateTime: "2024-11-10T12:00:00.000Z"),
            .init(reference: "e1cb0002-6f90-432f-b600-2d69d6468e39", type: "WITHDRAW", amount: "-250.00", dateTime: "2024-05-05T16:20:00.000Z"),
            .init(reference: "a7d3f0c9-5b12-4e8d-b3a1-7c9e2f4d6b04", type: "DEPOSIT", amount: "2000.00", dateTime: "2024-01-05T09:00:00.000Z"),
            .init(reference: "c4e9b1a7-2d6f-4a3c-9e8b-1f5d7a3c9e05", type: "DEPOSIT", amount: "1500.00", dateTime: "2023-03-10T09:00:00.000Z"),
        ]
        func instrument(_ ticker: String, _ type: String, _ schedule: Int, _ isin: String, _ currency: String, _ name: String, _ short: String, _ minQty: String, _ maxOpen: String, _ added: String) -> JSONValue {
            ["ticker": .string(ticker), "type": .string(type), "workingScheduleId": .number(String(schedule)), "isin": .string(isin), "currencyCode": .string(currency),
             "name": .string(name), "shortName": .string(short), "minTradeQuantity": .number(minQty), "maxOpenQuantity": .number(maxOpen), "addedOn": .string(added)]
        }
        let instruments: [JSONValue] = [
            instrument("AAPL_US_EQ", "STOCK", 71, "US0378331005", "USD", "Apple", "AAPL", "0.01", "6000.0", "2018-07-12T07:10:05.000+03:00"),
            instrument("BPl_EQ", "STOCK", 55, "GB0007980591", "GBX", "BP", "BP", "0.1", "1467745.0", "2018-07-12T07:10:05.000+03:00"),
            instrument("CSP1_EQ", "ETF", 55, "IE00B5BMR087", "GBX", "iShares Core S&P 500 (Acc)", "CSP1", "0.01", "2560.0", "2019-01-17T10:00:00.000+02:00"),
            instrument("FB_US_EQ", "STOCK", 71, "US30303M1027", "USD", "Meta Platforms", "META", "0.01", "9000.0", "2018-07-12T07:10:05.000+03:00"),
            instrument("VODl_EQ", "STOCK", 55, "GB00BH4HKS39", "GBX", "Vodafone Group", "VOD", "0.1", "3910116.0", "2018-07-12T07:10:05.000+03:00"),
            instrument("VUSAl_EQ", "ETF", 55, "IE00B3XXRP09", "GBP", "Vanguard S&P 500 UCITS ETF (Dist)", "VUSA", "0.01", "21000.0", "2019-03-06T11:42:12.000+02:00"),
            instrument("VWRLl_EQ", "ETF", 55, "IE00B3RBWM25", "GBP", "Vanguard FTSE All-World UCITS ETF (Dist)", "VWRL", "0.01", "15000.0", "2019-03-06T11:42:12.000+02:00"),
        ]
        return FakeTrading212Scenario(positions: positions, orders: orders, dividends: dividends, transactions: transactions, instruments: instruments)
    }
}
