import EventLog

/// The `trading212.*` event types of the catalogue (docs/ARCHITECTURE.md), all version 1.
public enum Trading212EventTypes {
    public static let account = EventType("trading212.account.observed", version: 1)
    public static let positions = EventType("trading212.positions.observed", version: 1)
    public static let instrument = EventType("trading212.instrument.observed", version: 1)
    public static let order = EventType("trading212.order.observed", version: 1)
    public static let dividend = EventType("trading212.dividend.observed", version: 1)
    public static let transaction = EventType("trading212.transaction.observed", version: 1)
}
