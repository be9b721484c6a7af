/// The tax wrapper of a Vanguard account (ISA, General Account, Personal Pension (SIPP),
/// Junior ISA), read from the name Vanguard gives it: a session
/// sub-account's preferred name (`Stocks & Shares ISA`) or an export block's title
/// (`Jane Doe - Personal Pension`). The one home of that reading, for the session extractor,
/// the export's unified accounts and the pairing of the two.
public enum VanguardWrapper {
    /// `ISA`, `GIA`, `SIPP`, `JISA` or `UNKNOWN`.
    /// Words are compared whole, so `Lisa Smith - General Account` is a General Account.
    public static func code(forName name: String) -> String {
        let words = Set(name.lowercased().split { !($0.isLetter || $0.isNumber) })
        if words.contains("junior") || words.contains("jisa") { return "JISA" }
        if words.contains("isa") { return "ISA" }
        if words.contains("sipp") || words.contains("pension") { return "SIPP" }
        if words.contains("general") || words.contains("gia") { return "GIA" }
        return "UNKNOWN"
    }
}
