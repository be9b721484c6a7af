extension XLSXFixture {
    static func cashHeader() -> [Cell] { ["Date", "Details", "Amount", "Balance"] }
    static func investmentHeader() -> [Cell] { ["Date", "InvestmentName", "TransactionDetails", "Quantity", "Price", "Cost"] }
    static func cash(_ date: String, _ details: String, _ amount: String, _ balance: String) -> [Cell] {
        [.date(date), .text(details), .number(amount, .money), .number(balance, .money)]
    }
    static func investment(_ date: String, _ name: String, _ details: String, _ quantity: Cell, _ price: String, _ cost: Cell) -> [Cell] {
        [.date(date, .customDate), .text(name), details.isEmpty ? .empty : .text(details), quantity, .number(price, .units), cost]
    }

    static let foo = "Foo ETF Distributing"
    static let oldFund = "Old Fund - Accumulation", newFund = "New Fund - Accumulation"
    static let income = "U.K. Equity Income Index Fund - Income"
    static let lifeStrategy = "LifeStrategy 60% Equity Fund - Accumulation"

    /// A Client Transactions Listing as Vanguard's report generator writes it: one sheet per
    /// account. The ISA has a quantity written as text with thousands separators, a reversed
    /// sale and a name change; the General Account has rows from before October 2021 without
    /// transaction details; the Junior ISA is empty; the pension's sheet has no title row.
    static func listing() -> XLSXFixture {
        XLSXFixture(sheets: [
            Sheet(name: "Stocks & Shares ISA", rows: [
                ["Client Transactions Listing"],
                [.inline("Report date"), .date("25/11/2026", .customDate)],
                [],
                ["Jane Doe - Stocks & Shares ISA"],
                ["Cash Transactions"],
                cashHeader(),
                cash("05/01/2024", "Deposit via direct credit", "20000", "20000"),
                cash("08/01/2024", "Bought 1,550.0000 \(foo) (FOO)", "-15500", "4500"),
                cash("01/03/2024", "Sold 500.0000 \(foo) (FOO)", "5500", "10000"),
                cash("02/03/2024", "Reversal of Sold 500.0000 \(foo) (FOO)", "-5500", "4500"),
                cash("31/03/2024", "Cash Account Interest", "1.48", "4501.48"),
                cash("10/04/2024", "Bought 100.0000 \(oldFund) (OLDF)", "-2000", "2501.48"),
                cash("01/06/2024", "DIV: FOO.XLON.GB @ GBP 0.4106", "636.43", "3137.91"),
                cash("20/08/2024", "Bought 10.0000 \(newFund) (NEWF)", "-250", "2887.91"),
                cash("11/10/2024", "Payment by Faster - One-off withdrawal Faster", "-100", "2787.91"),
                ["Balance", .number("2787.91", .money)],
                [],
                ["Investment Transactions"],
                investmentHeader(),
                investment("08/01/2024", foo, "Bought 1,550.0000 \(foo) (FOO)", .text("1,550.0000"), "10", .number("15500", .money)),
                investment("01/03/2024", foo, "Sold 500.0000 \(foo) (FOO)", .number("-500", .units), "11", .number("-5500", .accounting)),
                investment("02/03/2024", foo, "Reversal of Sold 500.0000 \(foo) (FOO)", .number("500", .units), "11", .number("5500", .accounting)),
                investment("10/04/2024", oldFund, "Bought 100.0000 \(oldFund) (OLDF)", .number("100", .units), "20", .number("2000", .pounds)),
                investment("15/07/2024", newFund, "NameChange: \(oldFund) replaced with \(newFund)", .number("100", .units), "0", .empty),
                investment("20/08/2024", newFund, "Bought 10.0000 \(newFund) (NEWF)", .number("10", .units), "25", .number("250", .money)),
                ["Cost", .number("17750", .money)],
            ]),
            Sheet(name: "General Account", rows: [
                ["Jane Doe - General Account"],
                ["Cash Transactions"],
                cashHeader(),
                cash("14/05/2021", "Deposit via direct credit", "1200", "1200"),
                cash("14/05/2021", "Bought 1.0000 \(income) (VUKEIIN)", "-200", "1000"),
                cash("20/05/2021", "Sold 0.5000 \(income) (VUKEIIN)", "101.1", "1101.1"),
                ["Balance", .number("1101.1", .money)],
                ["Investment Transactions"],
                investmentHeader(),
                investment("14/05/2021", income, "", .number("1", .units), "200", .number("200", .money)),
                investment("20/05/2021", income, "", .number("-0.5", .units), "202.2", .number("-101.1", .money)),
                ["Cost", .number("98.9", .money)],
            ]),
            Sheet(name: "Junior ISA", rows: [
                ["Jane Doe - Junior ISA"],
                ["Cash Transactions"],
                ["No transactions found for this product."],
                ["Investment Transactions"],
                investmentHeader(),
                ["No transactions found for this product."],
            ]),
            Sheet(name: "Personal Pension", rows: [
                ["Cash Transactions"],
                cashHeader(),
                cash("01/02/2022", "Regular Deposit", "1000", "1000"),
                cash("10/02/2022", "Bought 4.0000 \(lifeStrategy) (VALS60A)", "-800", "200"),
                cash("08/04/2022", "Account Fee for the period 08-Jan-2022 to 07-Apr-2022", "-0.5", "199.5"),
                ["Balance", .number("199.5", .money)],
                ["Investment Transactions"],
                investmentHeader(),
                investment("10/02/2022", lifeStrategy, "Bought 4.0000 \(lifeStrategy) (VALS60A)", .number("4", .units), "200", .number("800", .money)),
                ["Cost", .number("800", .money)],
            ]),
        ])
    }
}
