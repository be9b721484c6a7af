extension StreamName {
    /// The segments that follow `enablebanking/account/<key>`.
    public enum EnableBankingAccountPart: String, Sendable, CaseIterable {
        case balances, transactions, pending
    }

    /// `enablebanking/aspsp/<country>/<name>`: a bank as `/aspsps` lists it.
    public static func enablebankingASPSP(country: String, name: String) -> String { join("enablebanking", "aspsp", country, name) }
    /// `enablebanking/connection/<conn>/session`: the session behind a connection.
    public static func enablebankingSession(_ connection: String) -> String { join("enablebanking", "connection", connection, "session") }
    /// `enablebanking/account/<key>`: an account by finsync's key (stable across re-authorisation).
    public static func enablebankingAccount(_ key: String) -> String { join("enablebanking", "account", key) }
    public static func enablebankingAccount(_ key: String, _ part: EnableBankingAccountPart) -> String { join(enablebankingAccount(key), part.rawValue) }
}
