/// Requisition status codes in words, and what they mean for syncing.
public enum GoCardlessRequisitionStatus {
    /// The status in words, e.g. `LN` → "linked: accounts can be read".
    public static func describe(_ code: String) -> String {
        switch code {
        case "CR": return "created: consent not started (open the link)"
        case "ID": return "initiated: consent not finished"
        case "GC": return "giving consent on the GoCardless screen"
        case "UA": return "undergoing authentication at the bank"
        case "RJ": return "rejected: authentication failed or was refused"
        case "SA": return "selecting accounts"
        case "GA": return "granting access"
        case "LN": return "linked: accounts can be read"
        case "EX": return "expired: consent ended; reconnect"
        case "SU": return "suspended after repeated errors; reconnect"
        case "ER": return "error; reconnect"
        default: return "unknown status \(code)"
        }
    }

    static func health(_ code: String) -> ConnectionHealth {
        switch code {
        case "LN": return .active
        case "EX": return .expired
        case "SU": return .suspended
        case "RJ", "ER": return .error
        default: return .authRequired
        }
    }
}
