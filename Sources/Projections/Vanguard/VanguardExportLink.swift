import CanonicalJSON
import EventLog

/// The payload of a `vanguard.export.linked` event: which session sub-account an export's
/// account block is (`{"account": <block title>, "hierarchy_id": <id> | null, "by": "names" | "person"}`),
/// on stream `vanguard/<connection>/export-link/<block title>`.
///
/// `by` says who decided: `names` (the block's title and the sub-account's name and wrapper,
/// ``VanguardAccountPairing``) or `person` (`finsync connect vanguard --map`); a null
/// `hierarchy_id` (`--map TITLE=`) keeps the block an account of its own. The latest event
/// of a stream is the pairing; being an event, it survives rebuilds and replays.
public struct VanguardExportLink: Sendable, Equatable {
    public enum Decider: String, Sendable {
        case names, person
    }

    public var account: String
    public var hierarchyID: String?
    public var by: Decider

    public init(account: String, hierarchyID: String?, by: Decider) {
        self.account = account
        self.hierarchyID = hierarchyID
        self.by = by
    }

    public var payload: JSONValue {
        ["account": .string(account), "hierarchy_id": hierarchyID.map(JSONValue.string) ?? .null, "by": .string(by.rawValue)]
    }

    /// The stream of the links of `account` of an export imported under `connection`.
    public static func stream(connection: String, account: String) -> String { StreamName.vanguardExportLink(connection, account: account) }

    /// Reads a stored payload.
    /// - Throws: ``VanguardExportRowError`` (`malformedPayload`) naming what is wrong.
    public init(validating payload: JSONValue) throws(VanguardExportRowError) {
        guard let account = payload["account"]?.string else { throw Self.malformed("account is missing or not a string") }
        try VanguardExportEvent.validate(account: account)
        let h = payload["hierarchy_id"]
        guard h == nil || h == .null || (h?.string.map { !$0.isEmpty && !$0.utf8.contains(0) } ?? false) else {
            throw Self.malformed("hierarchy_id is neither null nor a sub-account id")
        }
        guard let by = payload["by"]?.string.flatMap(Decider.init(rawValue:)) else { throw Self.malformed("by is missing or not \"names\" or \"person\"") }
        self.init(account: account, hierarchyID: h?.string, by: by)
    }

    private static func malformed(_ message: String) -> VanguardExportRowError {
        VanguardExportRowError(code: .malformedPayload, column: nil, text: nil, message: message)
    }
}
