import EventLog

/// The `vanguard.*` event types of the catalogue (docs/ARCHITECTURE.md), all version 1.
public enum VanguardEventTypes {
    public static let subAccount = EventType("vanguard.subaccount.observed", version: 1)
    public static let holdings = EventType("vanguard.holdings.observed", version: 1)
    public static let transactionImported = VanguardExportImporter.eventType
}
