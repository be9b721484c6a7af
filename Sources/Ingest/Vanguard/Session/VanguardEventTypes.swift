import EventLog

/// The `vanguard.*` event types of the catalogue (docs/ARCHITECTURE.md), all version 1.
public enum VanguardEventTypes {
    public static let subAccount = EventType(EventCatalog.vanguardSubaccountObserved, version: 1)
    public static let holdings = EventType(EventCatalog.vanguardHoldingsObserved, version: 1)
    public static let transactionImported = VanguardExportImporter.eventType
}
