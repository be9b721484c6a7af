import EventLog
import CanonicalJSON

extension UnifiedBatch {
    /// The unified id of a provider connection (GoCardless: the requisition id;
    /// Trading212 and Vanguard: the configured connection name).
    static func connectionID(provider: String, connection: String) -> String {
        provider == "gocardless" ? gcConnection(connection) : DeterministicID.string(provider, "connection", connection)
    }

    /// `connection.health.observed`: what the last sync learnt about a connection's access.
    mutating func foldHealth(_ e: ProjectedEvent) throws {
        let provider = try e.string("provider")
        let pid = try e.string("connection_id")
        let status = try e.string("status")
        let id = Self.connectionID(provider: provider, connection: pid)
        var x = connection(id, provider: provider, providerID: pid)
        x.status = status
        x.lastError = status == "active" ? .some(nil) : .some(e.json["message"]?.nonBlank ?? status)
        if let exp = CalendarDay.timestamp(e.json["expires_at"]) { x.expires = exp }
        x.lastSynced = e.recordedAtText
        connections[id] = x
    }
}

extension UnifiedFold {
    static let health = UnifiedFold("connection health", eventTypes: [EventCatalog.connectionHealthObserved.name]) { batch, e, _ in try batch.foldHealth(e) }
}
