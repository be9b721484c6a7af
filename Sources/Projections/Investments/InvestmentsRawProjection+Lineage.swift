import EventLog
import CanonicalJSON

extension InvestmentsRawProjection: ProjectionLineage {
    /// Raw rows are keyed by provider ids, so their events are the matching observations.
    public func lineage(table: String, row: [String: String], in c: ProjectionContext) throws -> RowLineage? {
        let conn = row["connection"] ?? ""
        switch table {
        case "t212_accounts":
            return RowLineage(streams: [StreamName.trading212(conn, .account)], eventTypes: [EventCatalog.trading212AccountObserved.name]) { _ in true }
        case "t212_positions":
            let ticker = row["ticker"] ?? ""
            return RowLineage(streams: [StreamName.trading212(conn, .positions)], eventTypes: [EventCatalog.trading212PositionsObserved.name]) { e in
                (e.json["positions"]?.array ?? []).contains { (try? Trading212Position($0))?.ticker == ticker }
            }
        case "t212_instruments":
            return RowLineage(streams: [StreamName.trading212Instrument(row["ticker"] ?? "")], eventTypes: [EventCatalog.trading212InstrumentObserved.name]) { _ in true }
        case "t212_orders":
            let id = row["order_id"] ?? "", fill = row["fill_id"] ?? ""
            return RowLineage(streams: [StreamName.trading212(conn, .orders)], eventTypes: [EventCatalog.trading212OrderObserved.name]) { e in
                let o = e.json["order"]?.object != nil ? e.json["order"]! : e.json
                let f = e.json["fill"]?["id"]?.numberText ?? e.json["fillId"]?.numberText ?? ""
                return (o["id"]?.numberText ?? o["id"]?.string) == id && f == fill
            }
        case "t212_dividends", "t212_transactions":
            let ref = row["reference"] ?? ""
            let dividends = table == "t212_dividends"
            return RowLineage(streams: [StreamName.trading212(conn, dividends ? .dividends : .transactions)],
                              eventTypes: [dividends ? EventCatalog.trading212DividendObserved.name : EventCatalog.trading212TransactionObserved.name]) { (try? $0.string("reference")) == ref }
        case "vg_accounts":
            let h = row["hierarchy_id"] ?? ""
            return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardSubaccountObserved.name]) { (try? $0.string("hierarchy_id")) == h }
        case "vg_holdings":
            let h = row["hierarchy_id"] ?? "", code = row["product_code"] ?? ""
            return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardHoldingsObserved.name]) { e in
                (try? e.string("hierarchy_id")) == h && VanguardPosition.all(in: e.json).contains { $0.productCode == code }
            }
        case "vg_transactions":
            let id = row["id"] ?? ""
            return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardTransactionImported.name]) { e in
                (try? VanguardExportEvent(validating: e.json))?.rowID(stream: e.event.streamID) == id
            }
        default:
            return nil
        }
    }
}
