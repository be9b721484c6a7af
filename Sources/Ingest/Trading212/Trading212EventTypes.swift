import EventLog

/// The `trading212.*` event types of the catalogue (docs/ARCHITECTURE.md), all version 1.
public enum Trading212EventTypes {
    public static let account = EventType(EventCatalog.trading212AccountObserved, version: 1)
    public static let positions = EventType(EventCatalog.trading212PositionsObserved, version: 1)
    public static let instrument = EventType(EventCatalog.trading212InstrumentObserved, version: 1)
    public static let order = EventType(EventCatalog.trading212OrderObserved, version: 1)
    public static let dividend = EventType(EventCatalog.trading212DividendObserved, version: 1)
    public static let transaction = EventType(EventCatalog.trading212TransactionObserved, version: 1)
}
