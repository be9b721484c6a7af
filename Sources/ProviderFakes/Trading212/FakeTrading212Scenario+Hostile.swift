extension FakeTrading212Scenario {
    /// The references of ``withHostileTransactions()``'s cash transactions no normaliser may
    /// accept: an amount of `1e1000000`, a day that does not exist, a NUL character in the type.
    public static let hostileReferences = ["hostile-huge-amount", "hostile-impossible-date", "hostile-nul"]

    /// This scenario with three hostile cash transactions added, newest first, among the others.
    public func withHostileTransactions() -> FakeTrading212Scenario {
        var s = self
        let hostile = [
            CashTransaction(reference: Self.hostileReferences[0], type: "DEPOSIT", amount: "1e1000000", dateTime: "2025-06-03T10:00:00.000Z"),
            CashTransaction(reference: Self.hostileReferences[1], type: "DEPOSIT", amount: "10.00", dateTime: "2025-02-30T10:00:00.000Z"),
            CashTransaction(reference: Self.hostileReferences[2], type: "DEPOSIT\u{0}", amount: "10.00", dateTime: "2025-06-01T10:00:00.000Z"),
        ]
        s.transactions = (s.transactions + hostile).sorted { $0.dateTime > $1.dateTime }
        return s
    }
}
