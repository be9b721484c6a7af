import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Postgres

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Inspect the event log.",
        subcommands: [Tail.self, Show.self, Stats.self]
    )

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the newest events.")
        @OptionGroup var database: SettingsOptions
        @Option(name: .shortAndLong, help: "How many events (at least 1).") var count = 20

        func validate() throws { try NumericOption.require("--count", count, atLeast: 1) }

        func run() async throws {
            let settings = try database.resolve()
            let conn = try await settings.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let head = try await log.headPosition()
            let events = try await log.readBatch(after: max(0, head - Int64(count)), limit: count)
            if events.isEmpty { print("(the event log is empty)"); return }
            for e in events {
                print("\(String(e.position).leftPadded(8))  \(EventsCommand.iso(e.recordedAt))  \(e.type.name) v\(e.type.version)  \(e.streamID)@\(e.streamVersion)  \(e.rawSize) B")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one event: envelope and decoded payload.")
        @OptionGroup var database: SettingsOptions
        @Argument(help: "The event's global position (from 1).") var position: Int64

        func validate() throws { try NumericOption.require("POSITION", position, atLeast: 1) }

        func run() async throws {
            let settings = try database.resolve()
            let conn = try await settings.connect()
            defer { conn.close() }
            guard let e = try await EventLog(connection: conn).event(at: position) else {
                throw ValidationError("no event at position \(position)")
            }
            let envelope: JSONValue = .object([
                "position": .number(String(e.position)),
                "stream_id": .string(e.streamID),
                "stream_version": .number(String(e.streamVersion)),
                "event_id": .string(e.eventID.uuidString.lowercased()),
                "type": .string(e.type.name),
                "schema_version": .number(String(e.type.version)),
                "content_key": .string(e.contentKey.hex),
                "causation_id": e.causationID.map { .string($0.uuidString.lowercased()) } ?? .null,
                "correlation_id": e.correlationID.map { .string($0.uuidString.lowercased()) } ?? .null,
                "occurred_at": e.occurredAt.map { .string(EventsCommand.iso($0)) } ?? .null,
                "recorded_at": .string(EventsCommand.iso(e.recordedAt)),
                "metadata": e.metadata(),
                "codec": .string(PayloadEncoding(rawValue: e.encoding)?.description ?? "unknown(\(e.encoding))"),
                "dictionary_id": e.dictionaryID.map { .number(String($0)) } ?? .null,
                "raw_bytes": .number(String(e.rawSize)),
                "stored_bytes": .number(String(e.storedPayload.count)),
                "payload": try e.json(),
            ])
            print(PrettyJSON.render(envelope))
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Event counts and compression, overall and per type.")
        @OptionGroup var database: SettingsOptions
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let settings = try database.resolve()
            let conn = try await settings.connect()
            defer { conn.close() }
            let s = try await EventLog(connection: conn).stats()
            if json {
                let v: JSONValue = .object([
                    "events": .number(String(s.events)), "head_position": .number(String(s.headPosition)),
                    "raw_bytes": .number(String(s.rawBytes)), "stored_bytes": .number(String(s.storedBytes)),
                    "compression_ratio": .number(String(format: "%.3f", s.ratio)),
                    "dictionaries": .number(String(s.dictionaries)),
                    "per_type": .array(s.perType.map { .object(["type": .string($0.type), "events": .number(String($0.events)), "raw_bytes": .number(String($0.rawBytes)), "stored_bytes": .number(String($0.storedBytes)), "compression_ratio": .number(String(format: "%.3f", $0.ratio))]) }),
                ])
                print(v.canonicalString)
                return
            }
            print("events:       \(s.events) (head position \(s.headPosition))")
            print("payload:      \(s.rawBytes) B raw, \(s.storedBytes) B stored, ratio \(String(format: "%.2f", s.ratio))×")
            print("dictionaries: \(s.dictionaries) (\(s.dictionaryBytes) B)")
            if !s.perType.isEmpty {
                print("")
                print("type".padding(toLength: 44, withPad: " ", startingAt: 0) + "events".leftPadded(10) + "raw B".leftPadded(14) + "stored B".leftPadded(14) + "ratio".leftPadded(8))
                for t in s.perType {
                    print(t.type.padding(toLength: 44, withPad: " ", startingAt: 0) + String(t.events).leftPadded(10) + String(t.rawBytes).leftPadded(14) + String(t.storedBytes).leftPadded(14) + String(format: "%.2f", t.ratio).leftPadded(8))
                }
            }
        }
    }

    static func iso(_ d: Date) -> String { PostgresTimestamp.iso8601(d) }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
