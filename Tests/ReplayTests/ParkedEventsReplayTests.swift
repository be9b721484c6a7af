import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Testing

/// Issue 18 (1, 3): parked events are part of a projection's state like its rows. A rebuild
/// and a replay (with or without snapshots, in any batch size) park exactly what the live
/// fold parked, and once a projection's code accepts what it refused, a rebuild applies it.
@Suite struct ParkedEventsReplayTests {
    /// Booked items and a balances answer no projection can apply, on the generated household's accounts.
    static func hostileEvents() -> [(String, NewEvent)] {
        let account = "hostile-account"
        func booked(_ amount: JSONValue, date: String, id: String) -> (String, NewEvent) {
            (StreamName.gocardlessAccount(account, .transactions), NewEvent(type: EventCatalog.gocardlessTransactionBooked.latest, json: [
                "account_id": .string(account), "occurrence": 0,
                "transaction": ["transactionId": .string(id), "bookingDate": .string(date), "transactionAmount": ["amount": amount, "currency": "GBP"]],
            ]))
        }
        return [
            booked("-1.00", date: "2023-01-05", id: "fine"),
            booked("abc", date: "2023-01-05", id: "not-a-number"),
            booked(.number("1e1000000"), date: "2023-01-05", id: "huge"),
            booked("-2.00", date: "2023-02-30", id: "no-such-day"),
            (StreamName.gocardlessAccount(account, .balances), NewEvent(type: EventCatalog.gocardlessBalancesObserved.latest, json: [
                "account_id": .string(account), "balances": [["balanceType": "closingBooked", "balanceAmount": ["amount": "N/A", "currency": "GBP"]]],
            ])),
        ]
    }

    static func parked(_ conn: PostgresConnection, schemas: [String]) async throws -> [String] {
        try await conn.withSession { s in
            try s.query("""
                SELECT projection || ' ' || position || ' ' || code || ' ' || message FROM projections.parked_events
                WHERE target_schema = ANY($1::text[]) ORDER BY 1
                """, [.textArray(schemas)]).rows.compactMap { $0.string(0) }
        }
    }

    @Test(.timeLimit(.minutes(5))) func rebuildAndReplayParkWhatTheLiveFoldParked() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            try await ReplayFixture.append(0..<1500, to: log)
            var hostile: [Int64] = []
            for (stream, e) in Self.hostileEvents() { hostile += try await log.append([e], to: stream).appended.map(\.position) }
            try await ReplayFixture.append(1500..<3000, to: log)
            try await ReplayFixture.catchUpLive(conn)
            let live = try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn)
            let liveParked = try await Self.parked(conn, schemas: ["public", "analytics"])
            #expect(liveParked.count == 3 * 3 + 3)  // three bad bookings and a bad balances answer, for raw, unified and analytics each
            #expect(liveParked.allSatisfy { line in hostile.dropFirst().contains { line.contains(" \($0) ") } })

            // A rebuild (small batches, snapshots) parks the same events and changes nothing.
            var options = RebuildOptions()
            options.batchSize = 7
            options.snapshots = SnapshotPolicy(every: 1000)
            _ = try await ProjectionRebuilder(runner: ProjectionRunner(connection: conn)).rebuild(ProjectionCatalog.all, options: options)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            #expect(try await Self.parked(conn, schemas: ["public", "analytics"]) == liveParked)
            #expect(try await Self.parked(conn, schemas: ProjectionCatalog.all.map(ProjectionRebuilder.shadowSchema)).isEmpty)

            // A replay past the hostile events starts from the snapshot the rebuild took after
            // them and still lists them; a replay before them lists none.
            let replay = PointInTimeReplay(connection: conn)
            var with = ReplayOptions()
            with.snapshots = SnapshotPolicy(every: 1000)
            let at = try await replay.replay(at: .position(2500), into: "after_hostile", options: with)
            #expect(at.startedFrom.values.allSatisfy { $0 == 2000 })
            let replayed = try await Self.parked(conn, schemas: ["after_hostile"])
            #expect(replayed == liveParked)
            _ = try await replay.replay(at: .position(1000), into: "before_hostile", options: with)
            #expect(try await Self.parked(conn, schemas: ["before_hostile"]).isEmpty)
            try await replay.drop(schema: "after_hostile")
            #expect(try await Self.parked(conn, schemas: ["after_hostile"]).isEmpty)
        }
    }

    /// "After a normaliser fix, `finsync rebuild` applies them": version 1 of a projection
    /// parks a value; version 2 accepts it, and rebuilding with it applies the event and
    /// forgets the parked row.
    @Test func aRebuildWithFixedCodeAppliesWhatWasParked() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            var positions: [Int64] = []
            for n in ["1", "abc", "3"] {
                positions += try await log.append([NewEvent(type: EventType(IntegerProbeProjection.eventType), json: ["n": .string(n)])], to: "probe/\(n)").appended.map(\.position)
            }
            let strict = ProjectionTarget(IntegerProbeProjection())
            let first = try await ProjectionRunner(connection: conn).catchUp([strict])
            #expect(first[0].parked.map(\.position) == [positions[1]])
            let rows = { try await conn.withSession { s in try s.query("SELECT position, n FROM public.integer_probe ORDER BY 1").rows.map { "\($0.int64(0) ?? -1):\($0.string(1) ?? "NULL")" } } }
            #expect(try await rows() == ["\(positions[0]):1", "\(positions[2]):3"])

            let fixed = IntegerProbeProjection(lenient: true)
            let status = try await ProjectionRunner(connection: conn).status([ProjectionTarget(fixed)])
            #expect(status[0].needsRebuild && status[0].parked.count == 1)
            _ = try await ProjectionRebuilder(runner: ProjectionRunner(connection: conn)).rebuild([fixed])
            #expect(try await rows() == ["\(positions[0]):1", "\(positions[1]):NULL", "\(positions[2]):3"])
            #expect(try await Self.parked(conn, schemas: ["public"]).isEmpty)
        }
    }
}
