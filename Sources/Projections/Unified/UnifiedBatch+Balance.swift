extension UnifiedBatch.Account {
    /// A bank balances observation at `at`: the preferred balance (see ``BalancePreference``)
    /// with its type and date (the observation's day when the bank gave none); the currency
    /// only when none is known yet. Shared by every bank provider's fold.
    mutating func setBalance(_ choice: BalancePreference.Choice?, at: String) {
        if let choice {
            balanceAmount = choice.amount
            balanceType = choice.type
            balanceDate = choice.date ?? String(at.prefix(10))
            currency = currency ?? choice.currency
        }
        updated = max(updated, at)
    }
}
