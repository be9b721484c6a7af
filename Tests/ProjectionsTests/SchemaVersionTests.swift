import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Postgres
import Projections
import Testing

/// Projections declare the schema versions they read; an event of one of their types at any
/// other version is parked (naming position, type and version), never folded as version 1.
@Suite struct SchemaVersionTests {
    /// The probe, declaring that it also reads version 2 of its type.
    struct VersionTwoProbe: Projection {
        let probe = IntegerProbeProjection(lenient: true)
        var name: String { probe.name }
        var version: Int { probe.version }
        var liveSchema: String { probe.liveSchema }
        var eventTypes: Set<String> { probe.eventTypes }
        var schemaVersions: [String: ClosedRange<Int>] { [IntegerProbeProjection.eventType: 1...2] }
        var tables: [String] { probe.tables }
        func createTables(in c: ProjectionContext) throws { try probe.createTables(in: c) }
        func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws { try probe.apply(events, in: c) }
    }

    @Test(arguments: [1, 5000]) func anUnknownVersionIsParkedNotFolded(batchSize: Int) async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let booked = EventCatalog.gocardlessTransactionBooked
            var (stream, v2) = GC.booked(GC.item("-9.99", date: "2024-12-02", id: "from-the-future"))
            v2.type = EventType(booked.name, version: booked.versions.upperBound + 1)
            let p = try await h.append([GC.booked(GC.item("-1.00", date: "2024-12-01", id: "known")), (stream, v2)])
            let results = try await h.fold(batchSize: batchSize)
            for name in ["gocardless_raw", "unified", "analytics"] {
                let r = try #require(results.first { $0.projection == name })
                #expect(r.outcome == .caughtUp && r.position == p[1], "\(name)")
                let parked = try #require(r.parked.first, "\(name) folded a version it does not read")
                #expect(r.parked.count == 1)
                #expect(parked.position == p[1] && parked.eventType == booked.name)
                #expect(parked.code == ProjectionError.Code.unknownSchemaVersion.description)
                #expect(parked.message.contains("position \(p[1])") && parked.message.contains("\(booked.name) v2"), "\(parked.message)")
            }
            // Only the version-1 booking reached the tables.
            #expect(try await h.rows("SELECT transaction_id FROM public.gc_transactions") == [["known"]])
        }
    }

    @Test func aDeclaredVersionIsFolded() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let type = IntegerProbeProjection.eventType
            let p = try await h.append([("probe/1", NewEvent(type: EventType(type, version: 2), json: ["n": "7"])),
                                        ("probe/2", NewEvent(type: EventType(type, version: 3), json: ["n": "8"]))])
            let r = try await h.fold(targets: [ProjectionTarget(VersionTwoProbe())])[0]
            #expect(r.outcome == .caughtUp && r.eventsApplied == 1)
            #expect(r.parked.map(\.position) == [p[1]])
            #expect(try await h.rows("SELECT position::text, n::text FROM public.integer_probe") == [[String(p[0]), "7"]])
        }
    }
}
